"""Config pieces every layer shares: reading ``hlz:*`` keys, regions, tags, CIDR checks."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Literal, TypeVar

import pulumi
from pydantic import ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from components.errors import ConfigError, problems_from_validation_error
from components.shared import HlzModel
from policies.vocabulary import ALLOWED_LOCATIONS, REQUIRED_TAGS

NAMESPACE = "hlz"
KEY_PREFIX = f"{NAMESPACE}:"
Layer = Literal["landing_zone", "ai_lab"]
Profile = Literal["lab", "production"]


PRIVATE_NETWORKS = tuple(
    ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
M = TypeVar("M", bound=HlzModel)
GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
LAB_NAME = re.compile(r"[a-z][a-z0-9-]{1,14}[a-z0-9]")


class ConfigModel(HlzModel):
    """Config models speak camelCase, like every Pulumi config key."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )


def read_namespace() -> dict[str, Any]:
    """Every ``hlz:*`` key of the running stack, with structured values decoded (the Pulumi
    runtime hands object and list values over as JSON text)."""
    raw: dict[str, Any] = {}
    for full_key, value in pulumi.runtime.config.CONFIG.get().items():
        if not full_key.startswith(KEY_PREFIX):
            continue
        key = full_key[len(KEY_PREFIX) :]
        try:
            raw[key] = json.loads(value)
        except (TypeError, ValueError):
            raw[key] = value
    return raw


def parse_model(model: type[M], raw: dict[str, Any], source: str) -> M:
    """Structural validation (types, unknown and missing keys); every problem at once."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(
            problems_from_validation_error(error, KEY_PREFIX, model), source
        ) from None


def key(*parts: str) -> str:
    return KEY_PREFIX + ".".join(parts)


def cidr_problem(cidr: str) -> str | None:
    """Why ``cidr`` is not a usable private IPv4 range, or None."""
    try:
        network = ipaddress.ip_network(cidr, strict=True)
    except ValueError as error:
        return f"'{cidr}' is not a valid CIDR ({error})"
    if network.version != 4:
        return f"'{cidr}' is not IPv4"
    if not isinstance(network, ipaddress.IPv4Network) or not any(
        network.subnet_of(private) for private in PRIVATE_NETWORKS
    ):
        return f"'{cidr}' is not a private (RFC 1918) range"
    return None


def overlap_problems(named: dict[str, str]) -> list[tuple[str, str]]:
    """Every pair of ranges (key -> CIDR) that overlap, reported once and naming both keys."""
    problems: list[tuple[str, str]] = []
    parsed = {}
    for name, cidr in named.items():
        if cidr_problem(cidr) is None:
            parsed[name] = ipaddress.ip_network(cidr)
    names = sorted(parsed)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            if parsed[first].overlaps(parsed[second]):
                problems.append((first, f"{named[first]} overlaps {second} ({named[second]})"))
    return problems


def location_problems(location: str, config_key: str) -> list[tuple[str, str]]:
    if location not in ALLOWED_LOCATIONS:
        return [
            (
                config_key,
                f"'{location}' is not an allowed region; PHI must stay in the US: "
                + ", ".join(ALLOWED_LOCATIONS),
            )
        ]
    return []


def tag_problems(tags: dict[str, str], config_key: str) -> list[tuple[str, str]]:
    problems = []
    for tag, allowed in REQUIRED_TAGS.items():
        value = tags.get(tag)
        if value is None or not str(value).strip():
            problems.append((f"{config_key}.{tag}", "required tag is missing or empty"))
        elif allowed is not None and value not in allowed:
            problems.append(
                (f"{config_key}.{tag}", f"'{value}' is not one of {', '.join(allowed)}")
            )
    for tag, value in tags.items():
        if len(tag) > 512 or len(str(value)) > 256:
            problems.append(
                (
                    f"{config_key}.{tag}",
                    "Azure allows tag names up to 512 and values up to 256 characters",
                )
            )
    return problems


def guid_problems(values: list[str], config_key: str) -> list[tuple[str, str]]:
    return [
        (f"{config_key}[{index}]", f"'{value}' is not an Entra object id (a GUID)")
        for index, value in enumerate(values)
        if not GUID.fullmatch(value)
    ]


def raise_if(problems: list[tuple[str, str]], source: str) -> None:
    if problems:
        raise ConfigError(problems, source)
