"""Constrained value types shared by component arguments and stack config, defined once.

A component's ``*Args`` model and the stack config model that feeds it use the same type, so a
value a component would refuse is refused when the config is read, naming its ``hlz:`` key
(exit 2), never later inside ``pulumi up``. Each type is a ``str`` (or ``list[str]``) with a
validator; the check functions (``*_problem``) are public for the few places that judge a value
outside a model (the overlap check, preflight).

| type             | accepts                                                               |
|------------------|-----------------------------------------------------------------------|
| ``PrivateCidr``  | an RFC 1918 IPv4 range in canonical prefix notation, /29 or larger    |
| ``PrivateIp``    | one RFC 1918 IPv4 address (``192.168.10.4``)                           |
| ``HttpsOrigin``  | ``https://host[:port]``: no wildcard, path, query or credentials       |
| ``ExactHostName``| a lowercase DNS host name: no wildcard, scheme, path, port or IP      |
| ``EntraObjectId``| a GUID (an Entra group or principal object id)                        |
| ``EntraObjectIds``| a list of them, each listed once (case-insensitive)                  |
| ``EmailAddress`` | one mail address, ``local@domain.tld``                                |
| ``EmailAddresses``| 1 to 50 of them, each listed once (case-insensitive)                 |
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

from policies.vocabulary import GUID, PRIVATE_IPV4_RANGES


def _checked(problem: Callable[[str], str | None]) -> AfterValidator:
    """A pydantic validator raising ``problem(value)`` when it is not None."""

    def check(value: str) -> str:
        why = problem(value)
        if why is not None:
            raise ValueError(why)
        return value

    return AfterValidator(check)


# --- address ranges ---------------------------------------------------------------------------

PRIVATE_NETWORKS = tuple(ipaddress.IPv4Network(cidr) for cidr in PRIVATE_IPV4_RANGES)
PREFIX_NOTATION = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}")
SMALLEST_PREFIX_LENGTH = 29
"""Azure's smallest subnet (and so the smallest useful VNet): /29, 8 addresses of which Azure
reserves 5."""


def cidr_problem(cidr: str) -> str | None:
    """Why ``cidr`` is not a private IPv4 range Azure accepts for a VNet or subnet, or None."""
    if not PREFIX_NOTATION.fullmatch(cidr):
        try:
            meant = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return f"'{cidr}' is not a valid CIDR (write a.b.c.d/nn)"
        if meant.version != 4:
            return f"'{cidr}' is not IPv4"
        return f"'{cidr}' is not in CIDR prefix notation; write it as {meant}"
    try:
        network = ipaddress.ip_network(cidr, strict=True)
    except ValueError as error:
        try:
            meant = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return f"'{cidr}' is not a valid CIDR ({error})"
        return f"'{cidr}' has host bits set; the network is {meant}"
    if str(network) != cidr:
        return f"'{cidr}' is not in canonical form; write it as {network}"
    if not isinstance(network, ipaddress.IPv4Network) or not any(
        network.subnet_of(private) for private in PRIVATE_NETWORKS
    ):
        return f"'{cidr}' is not a private (RFC 1918) range"
    if network.prefixlen > SMALLEST_PREFIX_LENGTH:
        return (
            f"'{cidr}' is a /{network.prefixlen}: the smallest subnet Azure allows is "
            f"/{SMALLEST_PREFIX_LENGTH} (Azure reserves 5 addresses in each)"
        )
    return None


PrivateCidr = Annotated[str, _checked(cidr_problem)]
"""A private IPv4 range in canonical prefix notation (``10.1.0.0/22``), /29 or larger."""


def at_least(prefix_length: int, why: str = "Azure requires") -> AfterValidator:
    """A ``PrivateCidr`` at least as large as ``/prefix_length``: Azure's minimum for a reserved
    subnet such as AzureFirewallSubnet, or (``why``) the size Microsoft recommends where a
    smaller subnet deploys but cannot grow."""

    def problem(cidr: str) -> str | None:
        if ipaddress.IPv4Network(cidr).prefixlen > prefix_length:
            return f"{cidr} is smaller than the /{prefix_length} {why}"
        return None

    return _checked(problem)


def at_most(prefix_length: int, why: str = "Azure allows") -> AfterValidator:
    """A ``PrivateCidr`` no larger than ``/prefix_length``: Azure's maximum for a subnet a
    service is given whole (a DNS resolver endpoint's, /24)."""

    def problem(cidr: str) -> str | None:
        if ipaddress.IPv4Network(cidr).prefixlen < prefix_length:
            return f"{cidr} is larger than the /{prefix_length} {why}"
        return None

    return _checked(problem)


def private_ip_problem(value: str) -> str | None:
    """Why ``value`` is not one private (RFC 1918) IPv4 address in dotted notation, or None."""
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        return f"'{value}' is not an IPv4 address (write a.b.c.d)"
    if not any(address in network for network in PRIVATE_NETWORKS):
        return f"'{value}' is not a private (RFC 1918) address"
    return None


PrivateIp = Annotated[str, _checked(private_ip_problem)]
"""One private IPv4 address such as ``192.168.10.4``."""


# --- browser origins --------------------------------------------------------------------------

_HTTPS_ORIGIN = re.compile(r"https://([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(:[0-9]{1,5})?")


def https_origin_problem(origin: str) -> str | None:
    """Why ``origin`` is not one exact https origin a browser sends, or None."""
    if "*" in origin:
        return f"'{origin}' is a wildcard; list each trusted origin"
    if not _HTTPS_ORIGIN.fullmatch(origin):
        return f"'{origin}' is not an explicit https:// origin (https://host[:port], no path)"
    return None


HttpsOrigin = Annotated[str, _checked(https_origin_problem)]
"""``https://host[:port]`` and nothing after it."""


# --- host names (egress allow-lists) ----------------------------------------------------------

FQDN_MAX_LENGTH = 253
FQDN_LABEL_MAX_LENGTH = 63
_FQDN_LABEL = re.compile(r"[a-z0-9-]+")


def fqdn_problem(value: str) -> str | None:
    """Why ``value`` is not an exact host name a service may call, or None.

    Exact means: lowercase labels of letters, digits and hyphens (not at either end of a label),
    each 1-63 characters, at least two of them, 253 characters in all; no wildcard, scheme, path,
    port or trailing dot, and not an IP address. An allow-list is a guard against data
    exfiltration, so ``*.blob.core.windows.net`` (every storage account in Azure) is no guard."""
    why = _fqdn_shortfall(value)
    return None if why is None else f"'{value}' is not an exact host name: {why}"


def _fqdn_shortfall(value: str) -> str | None:
    if not value:
        return "it is empty"
    if "*" in value:
        return "wildcards are not allowed; list each host (e.g. myaccount.blob.core.windows.net)"
    if any(mark in value for mark in ("/", ":", "@", "?", "#")):
        return "write the host name only, without scheme, path or port"
    if value.endswith("."):
        return "drop the trailing dot"
    if value != value.lower():
        return "write it in lowercase"
    if len(value) > FQDN_MAX_LENGTH:
        return f"it has {len(value)} characters; a host name has at most {FQDN_MAX_LENGTH}"
    labels = value.split(".")
    if len(labels) < 2:
        return "a host name has at least two labels (host.domain)"
    if all(label.isdigit() for label in labels):
        return "an IP address is not a host name"
    for label in labels:
        if not label:
            return "it has an empty label ('..')"
        if len(label) > FQDN_LABEL_MAX_LENGTH:
            return f"label '{label[:20]}...' is longer than {FQDN_LABEL_MAX_LENGTH} characters"
        if not _FQDN_LABEL.fullmatch(label):
            return "labels hold only lowercase letters, digits and hyphens"
        if label.startswith("-") or label.endswith("-"):
            return f"label '{label}' may not start or end with a hyphen"
    if labels[-1].isdigit():
        return "the last label (top-level domain) cannot be all digits"
    return None


ExactHostName = Annotated[str, _checked(fqdn_problem)]
"""A lowercase host name such as ``api.example.org`` (see ``fqdn_problem``)."""


# --- Entra object ids -------------------------------------------------------------------------


def guid_problem(value: str) -> str | None:
    return None if GUID.fullmatch(value) else f"'{value}' is not an Entra object id (a GUID)"


EntraObjectId = Annotated[str, _checked(guid_problem)]
"""An Entra object id: a GUID such as ``0f8fad5b-d9cb-469f-a165-70867728950e``."""


def _each_once(values: list[str]) -> list[str]:
    first_index: dict[str, int] = {}
    for index, value in enumerate(values):
        first = first_index.setdefault(value.lower(), index)
        if first != index:
            raise ValueError(f"[{index}] '{value}' is listed twice (first at [{first}])")
    return values


EntraObjectIds = Annotated[list[EntraObjectId], AfterValidator(_each_once)]
"""Entra object ids, each listed once (GUIDs compare case-insensitively)."""


# --- email addresses (alert and budget recipients) --------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
EMAIL_ADDRESSES_MAX = 50
"""A budget notification takes at most 50 contact emails (the REST API's maxItems); hlz holds
every recipient list to it."""


def email_problem(value: str) -> str | None:
    """Why ``value`` is not one mail address (``local@domain.tld``, no spaces), or None."""
    if _EMAIL.fullmatch(value):
        return None
    return f"'{value}' is not an email address (write local@domain, e.g. team@example.org)"


EmailAddress = Annotated[str, _checked(email_problem)]
"""One mail address such as ``platform-team@example.org``."""


def _one_to_fifty(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("needs at least one address")
    if len(values) > EMAIL_ADDRESSES_MAX:
        raise ValueError(f"{len(values)} addresses; at most {EMAIL_ADDRESSES_MAX}")
    return _each_once(values)


EmailAddresses = Annotated[list[EmailAddress], AfterValidator(_one_to_fifty)]
"""1 to 50 mail addresses, each listed once (compared case-insensitively)."""
