"""An ARM resource as the rules read it: the GET body made into the inputs of a generic
``azure-native:resources:Resource`` (namespace, type and parent path from its id), then put
through the same normalisation the pack gives a generic resource (``policies.normalise``):
the typed token, its name under the typed name input, the body in the SDK's wire shape.

| ARM GET body                          | generic inputs                                   |
|---------------------------------------|--------------------------------------------------|
| ``id``                                | ``resourceProviderNamespace``, ``resourceType``, |
|                                       | ``parentResourcePath``, ``resourceName``,        |
|                                       | ``resourceGroupName`` (when its scope is a       |
|                                       | resource group); an extension resource's scope   |
|                                       | under its typed scope input (``resourceUri``,    |
|                                       | ``scope``)                                       |
| ``name``, ``type``                    | left out (the id says both)                      |
| ``identity.userAssignedIdentities``   | the list of its keys, as the SDK takes it        |
| (a map of id -> principal)            |                                                  |
| everything else (``location``,        | as it is                                         |
| ``tags``, ``sku``, ``kind``,          |                                                  |
| ``properties``, ``systemData``...)    |                                                  |

The API version the resource was read at goes in as ``apiVersion``. A resource group (no
provider in its id) is ``azure-native:resources:ResourceGroup`` with its name, location and
tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.arm_types import GENERIC_RESOURCE, arm_path
from policies.normalise import normalise

RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups"
_GROUP_SCOPE = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)$", re.IGNORECASE)
_PROVIDERS = "/providers/"
_LEFT_OUT = frozenset({"id", "name", "type"})


@dataclass(frozen=True)
class ArmId:
    """``{scope}/providers/{namespace}/{type}/{name}[/{type}/{name}...]``."""

    text: str
    scope: str
    """What the resource hangs below: a subscription, a resource group or, for an extension
    resource, another resource's id."""
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def arm_type(self) -> str:
        return "/".join((self.namespace, *self.types))

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def resource_group(self) -> str | None:
        """The resource group its scope is, or lies in."""
        match = re.match(r"^/subscriptions/[^/]+/resourceGroups/([^/]+)", self.text, re.IGNORECASE)
        return match.group(1) if match else None

    @property
    def collection(self) -> str:
        """The path that lists it with its siblings (its id without its own name)."""
        return self.text.rsplit("/", 1)[0]


def parse_arm_id(text: str) -> ArmId | None:
    """The parts of an ARM id; None when ``text`` is not one (a resource group's id is one,
    with namespace ``Microsoft.Resources`` and type ``resourceGroups``)."""
    if not isinstance(text, str) or not text.lower().startswith("/subscriptions/"):
        return None
    group = _GROUP_SCOPE.match(text.rstrip("/"))
    if group is not None:
        scope = f"/subscriptions/{group.group(1)}"
        return ArmId(text, scope, "Microsoft.Resources", ("resourceGroups",), (group.group(2),))
    at = text.lower().rfind(_PROVIDERS)
    if at < 0:
        return None
    scope, rest = text[:at], text[at + len(_PROVIDERS) :]
    segments = rest.strip("/").split("/")
    if len(segments) < 3 or len(segments) % 2 == 0 or not all(segments):
        return None
    return ArmId(text, scope, segments[0], tuple(segments[1::2]), tuple(segments[2::2]))


def same_id(a: str, b: str) -> bool:
    """ARM ids compare without case (and without a leading or trailing slash)."""
    return a.strip("/").casefold() == b.strip("/").casefold()


def id_key(text: str) -> str:
    return text.strip("/").casefold()


def generic_inputs(body: Mapping[str, Any], api_version: str) -> dict[str, Any] | None:
    """The inputs of a generic resource that would have ``body`` (an ARM GET answer) as its
    state; None when the body's id is not a resource id."""
    parsed = parse_arm_id(str(body.get("id", "")))
    if parsed is None or parsed.types == ("resourceGroups",) and parsed.namespace == (
        "Microsoft.Resources"
    ):
        return None
    inputs: dict[str, Any] = {
        "resourceProviderNamespace": parsed.namespace,
        "resourceType": parsed.types[-1],
        "parentResourcePath": "/".join(
            f"{kind}/{name}"
            for kind, name in zip(parsed.types[:-1], parsed.names[:-1], strict=True)
        ),
        "resourceName": parsed.name,
        "apiVersion": api_version,
    }
    group = _GROUP_SCOPE.match(parsed.scope)
    if group is not None:
        inputs["resourceGroupName"] = group.group(2)
    for key, value in body.items():
        if key not in _LEFT_OUT:
            inputs[key] = value
    identity = body.get("identity")
    if isinstance(identity, Mapping) and isinstance(
        assigned := identity.get("userAssignedIdentities"), Mapping
    ):
        # ARM answers id -> {principalId, clientId}; the SDK (and a generic resource) takes the
        # ids as a list (the provider's string set).
        inputs["identity"] = {**identity, "userAssignedIdentities": list(assigned)}
    return inputs


def deployed_inputs(body: Mapping[str, Any], api_version: str) -> tuple[str, dict[str, Any]]:
    """``(token, inputs)`` of an ARM GET answer as the rules read them."""
    parsed = parse_arm_id(str(body.get("id", "")))
    if parsed is not None and parsed.types == ("resourceGroups",) and (
        parsed.namespace == "Microsoft.Resources"
    ):
        inputs = {"resourceGroupName": parsed.name}
        inputs.update({k: v for k, v in body.items() if k not in _LEFT_OUT})
        return RESOURCE_GROUP, inputs
    generic = generic_inputs(body, api_version)
    if generic is None or parsed is None:
        return GENERIC_RESOURCE, dict(body)
    token, view = normalise(GENERIC_RESOURCE, generic)
    inputs = dict(view)
    path = arm_path(token) if token != GENERIC_RESOURCE else None
    if path is not None and path.scope_key is not None:
        # An extension resource: the generic resource cannot say what it hangs below.
        inputs[path.scope_key] = parsed.scope
    return token, inputs


IMPLIED_IDS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "microsoft.network/privateendpoints": (("properties", "networkInterfaces", "*", "id"),),
    "microsoft.compute/virtualmachines": (
        ("properties", "storageProfile", "osDisk", "managedDisk", "id"),
        ("properties", "storageProfile", "dataDisks", "*", "managedDisk", "id"),
    ),
}
"""Resources Azure creates for a resource, named in its GET answer: a private endpoint's network
interface, a virtual machine's managed disks. They are listed in the resource group but the
plan does not declare them; the audit reports them as created for their resource, not as
unmanaged."""


def implied_ids(arm_type: str, body: Mapping[str, Any]) -> list[str]:
    """The ids ``IMPLIED_IDS`` names in ``body``."""
    found: list[str] = []
    for path in IMPLIED_IDS.get(arm_type.casefold(), ()):
        found += [value for value in _at(body, path) if isinstance(value, str)]
    return found


def _at(value: Any, path: tuple[str, ...]) -> list[Any]:
    if not path:
        return [value]
    head, rest = path[0], path[1:]
    if head == "*":
        return [found for item in value for found in _at(item, rest)] if isinstance(
            value, list
        ) else []
    if isinstance(value, Mapping) and head in value:
        return _at(value[head], rest)
    return []
