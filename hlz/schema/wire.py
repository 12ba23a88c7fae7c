"""azure-native wire inputs -> the ARM request body they become.

The provider builds its input schema from the REST API specs (Azure/azure-rest-api-specs
swagger), and undoes three things on the way to Azure:

1. **Parameters.** The PUT operation's URL parameters (``resourceGroupName``, ``accountName``,
   ``scope``...) are inputs too; they never go into the body.
2. **Flattening.** An object property marked ``x-ms-client-flatten`` (not a dictionary) is not
   an input: its own properties are, one level up (``StorageAccount.minimumTlsVersion`` is
   ``properties.minimumTlsVersion``). Sub-resources inside a body are flattened the same way
   (``ipConfigurations[].subnet``, ``privateLinkServiceConnections[].groupIds``).
3. **Renames.** ``x-ms-client-name`` renames a property in the SDK
   (``enableHttpsTrafficOnly`` is ``properties.supportsHttpsTrafficOnly``).

Plus one rule of the provider's own (pulumi-azure-native ``provider/pkg/gen/properties.go``,
``isStringSet``): a dictionary whose values have no settable property (user-assigned identities
map id -> ``{}``) is an array of its keys in the SDK.

The parameters, flattened properties and renames are data, ``wire_data.json``, generated from
the swagger of exactly the API versions in use by ``tools/refresh_wire_data.py`` (which records
the specs commit). Structure comes from the Bicep type of the same API version: the translation
walks the wire value and the type together, so a definition needs an entry in the data only when
something under it is flattened or renamed.

A wire key the walk cannot place (not a property of the type, not flattened into it, not a
URL parameter) is left out of the body and listed in ``ArmRequest.unplaced``, which the validator
reports as ``unknown-property``: a gap or an error in the data shows up as a finding, never as a
silent pass. That includes a flattened container sent by name (the SDK never sends one), so a
wrong ``flatten`` fact is caught as surely as a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.wire_facts import (
    NO_FACTS,
    WIRE_DATA,
    DefinitionFacts,
    ResourceMapping,
    WireData,
    load_wire_data,
)

from .bicep_types import TypeRef

__all__ = [
    "WIRE_DATA",
    "MARKERS",
    "ArmRequest",
    "Unplaced",
    "DefinitionFacts",
    "ResourceMapping",
    "WireData",
    "load_wire_data",
    "to_arm_request",
]

MARKERS = frozenset({"[unknown]", "[secret]"})
"""The plan's stand-ins for values not known before apply and for secrets: never judged."""


@dataclass(frozen=True)
class Unplaced:
    path: str
    """ARM path of the object the key was found in, plus the wire key."""
    key: str
    type_name: str
    """Name of that object's Bicep type (empty for the resource body)."""


@dataclass(frozen=True)
class ArmRequest:
    body: dict[str, Any]
    parameters: dict[str, Any]
    """The URL parameters taken out of the inputs."""
    unplaced: tuple[Unplaced, ...] = ()


def to_arm_request(
    inputs: Mapping[str, Any],
    body_type: TypeRef,
    body_definition: str | None,
    parameters: tuple[str, ...] | frozenset[str],
    data: WireData,
) -> ArmRequest:
    """Split ``inputs`` into URL parameters and the ARM body, un-flattening and un-renaming the
    body along ``body_type`` (the Bicep body type of the resource's API version)."""
    url = {key: value for key, value in inputs.items() if key in parameters}
    rest = {key: value for key, value in inputs.items() if key not in parameters}
    walk = _Translation(data)
    body = walk.object(rest, body_type, body_definition, "")
    return ArmRequest(body, url, tuple(walk.unplaced))


@dataclass(frozen=True)
class _Route:
    containers: tuple[str, ...]
    arm_name: str
    type: TypeRef
    definition: str | None
    read_only: bool = False
    """The ARM property is read-only (Bicep flag 2): never an SDK input of that name."""


_READ_ONLY = 2
"""Bicep property flag: set by Azure, not settable."""


def _object_properties(
    object_type: TypeRef, value: Mapping[str, Any], facts: DefinitionFacts = NO_FACTS
) -> dict[str, Any]:
    """Property table of an object type; for a discriminated object, the base properties plus
    those of the variant ``value`` names (so the discriminator itself is placed too). The
    discriminator is read under its wire name: the SDK may rename it (a metric alert's
    criteria: ARM ``odata.type``, wire ``odataType``)."""
    node = object_type.node
    if object_type.kind == "ObjectType":
        return dict(node.get("properties", {}))
    if object_type.kind == "DiscriminatedObjectType":
        properties = dict(node.get("baseProperties", {}))
        discriminator = facts.sdk_name(str(node.get("discriminator", "")))
        variant = node.get("elements", {}).get(value.get(discriminator))
        if variant is not None:
            properties.update(object_type.follow(variant).node.get("properties", {}))
        return properties
    return {}


def _routes(
    object_type: TypeRef,
    definition: str | None,
    value: Mapping[str, Any],
    data: WireData,
    containers: tuple[str, ...] = (),
) -> dict[str, _Route]:
    """Wire name -> where it goes, for one object type and what is flattened into it."""
    facts = data.facts(definition)
    properties = _object_properties(object_type, value, facts)
    routes: dict[str, _Route] = {}
    for arm_name, prop in properties.items():
        if arm_name in facts.flatten:
            continue
        routes[facts.sdk_name(arm_name)] = _Route(
            containers,
            arm_name,
            object_type.follow(prop["type"]),
            facts.children.get(arm_name),
            bool(int(prop.get("flags", 0)) & _READ_ONLY),
        )
    for container in facts.flatten:
        prop = properties.get(container)
        if prop is None:
            continue
        inner = object_type.follow(prop["type"])
        nested = _routes(
            inner, facts.children.get(container), value, data, (*containers, container)
        )
        for sdk_name, route in nested.items():
            # A name on the outer object wins over a flattened one (the provider reports such
            # clashes as conflicts), unless the outer property is read-only: the provider makes
            # no input of a read-only property, so the SDK's input of that name is the
            # flattened one (a VM extension's `type` is properties.type, not the resource type).
            outer = routes.get(sdk_name)
            if outer is None or (outer.read_only and not route.read_only):
                routes[sdk_name] = route
    return routes


def _required_containers(
    object_type: TypeRef, definition: str | None, data: WireData
) -> list[tuple[str, ...]]:
    """Flattened containers the type requires: the provider sends them even when empty
    (``requiredContainers`` in pulumi-azure-native ``provider/pkg/gen/properties.go``)."""
    facts = data.facts(definition)
    properties = object_type.node.get("properties", {})
    found: list[tuple[str, ...]] = []
    for container in facts.flatten:
        prop = properties.get(container)
        if prop is None:
            continue
        inner = object_type.follow(prop["type"])
        below = [
            (container, *path)
            for path in _required_containers(inner, facts.children.get(container), data)
        ]
        if int(prop.get("flags", 0)) & 1:
            found.append((container,))
        found.extend(below)
    return found


class _Translation:
    def __init__(self, data: WireData) -> None:
        self.data = data
        self.unplaced: list[Unplaced] = []

    def object(
        self, value: Mapping[str, Any], object_type: TypeRef, definition: str | None, path: str
    ) -> dict[str, Any]:
        routes = _routes(object_type, definition, value, self.data)
        body: dict[str, Any] = {}
        for key, item in value.items():
            route = routes.get(key)
            if route is None:
                if isinstance(item, str) and item in MARKERS:
                    continue
                where = f"{path}.{key}" if path else key
                self.unplaced.append(Unplaced(where, key, str(object_type.node.get("name", ""))))
                continue
            target = body
            for container in route.containers:
                existing = target.get(container)
                if not isinstance(existing, dict):
                    existing = target[container] = {}
                target = existing
            where = ".".join(filter(None, (path, *route.containers, route.arm_name)))
            target[route.arm_name] = self.value(item, route.type, route.definition, where)
        for containers in _required_containers(object_type, definition, self.data):
            target = body
            for container in containers:
                target = target.setdefault(container, {})
        return body

    def value(self, value: Any, value_type: TypeRef, definition: str | None, path: str) -> Any:
        kind = value_type.kind
        node = value_type.node
        if kind in ("ObjectType", "DiscriminatedObjectType"):
            if isinstance(value, Mapping):
                additional = node.get("additionalProperties")
                if kind == "ObjectType" and not node.get("properties") and additional:
                    item_type = value_type.follow(additional)
                    return {
                        k: self.value(v, item_type, definition, f"{path}.{k}")
                        for k, v in value.items()
                    }
                return self.object(value, value_type, definition, path)
            if _is_string_set(value, value_type):
                return {item: {} for item in value}
            return value
        if kind == "ArrayType" and isinstance(value, list):
            item_type = value_type.follow(node["itemType"])
            return [
                self.value(item, item_type, definition, f"{path}[{index}]")
                for index, item in enumerate(value)
            ]
        if kind == "UnionType" and isinstance(value, Mapping):
            for element in node.get("elements", []):
                candidate = value_type.follow(element)
                if candidate.kind in ("ObjectType", "DiscriminatedObjectType"):
                    return self.value(value, candidate, definition, path)
        return value


def _is_string_set(value: Any, value_type: TypeRef) -> bool:
    """The provider's string sets: a map in ARM, a list of its keys on the wire."""
    node = value_type.node
    return (
        isinstance(value, list)
        and all(isinstance(item, str) for item in value)
        and value_type.kind == "ObjectType"
        and not node.get("properties")
        and node.get("additionalProperties") is not None
    )
