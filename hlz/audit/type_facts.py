"""What Azure's type definitions (``hlz.schema``) tell the comparison about a planned property:
whether ARM ever returns it, and whether its provider compares it without case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hlz.audit.expected import Expected, Path
from hlz.schema.bicep_types import PropertyFlags, TypeRef, default_library
from hlz.schema.validate import CASE_INSENSITIVE_ENUMS
from hlz.schema.wire import load_wire_data, to_arm_request


def write_only_check(expected: Expected) -> Callable[[Path], bool]:
    """For ``expected``: whether the planned property at a wire path is write-only (flag
    WriteOnly in the type definition of its API version: a password, a key, a setting ARM
    takes but never returns). Found by sending that one property through the SDK's
    wire-to-ARM translation and walking the ARM path it lands on. False when no type
    definition or wire mapping covers the resource. The definition is loaded on the first
    question (most resources never ask one)."""

    def check(path: Path) -> bool:
        if expected.arm_type is None or expected.api_version is None:
            return False
        definition = default_library().resource(expected.arm_type, expected.api_version)
        data = load_wire_data()
        mapping = data.resources.get(expected.token)
        if definition is None or mapping is None:
            return False
        request = to_arm_request(
            _only(path), definition.body, mapping.body, frozenset(mapping.parameters), data
        )
        return _flagged(request.body, definition.body)

    return check


def arm_property(expected: Expected) -> Callable[[Path], str | None]:
    """For ``expected``: where a planned property (a wire path, as drift names it) is in ARM's
    JSON (``publicNetworkAccess`` -> ``properties.publicNetworkAccess``), found by the same
    translation; None when no wire mapping covers the resource."""

    def where(path: Path) -> str | None:
        if expected.arm_type is None or expected.api_version is None:
            return None
        definition = default_library().resource(expected.arm_type, expected.api_version)
        data = load_wire_data()
        mapping = data.resources.get(expected.token)
        if definition is None or mapping is None:
            return None
        # An item matched by name stands at index 0 for the translation, then gets its name
        # back: list levels keep their order through the translation.
        markers = [
            f"[{part}]" if isinstance(part, int) else part
            for part in path
            if isinstance(part, int) or part.startswith("[name=")
        ]
        plain = tuple(
            0 if isinstance(part, str) and part.startswith("[name=") else part for part in path
        )
        request = to_arm_request(
            _only(plain), definition.body, mapping.body, frozenset(mapping.parameters), data
        )
        found = _leaf_path(request.body)
        if found is None or sum(isinstance(part, int) for part in found) != len(markers):
            return None
        text = ""
        for part in found:
            if isinstance(part, int):
                text += markers.pop(0)
            else:
                text += f".{part}" if text else part
        return text

    return where


def _leaf_path(value: Any, path: Path = ()) -> Path | None:
    """The path of the one leaf of a value built by ``_only``."""
    if isinstance(value, Mapping):
        if len(value) != 1:
            return None
        key, item = next(iter(value.items()))
        return _leaf_path(item, (*path, key))
    if isinstance(value, list):
        return _leaf_path(value[0], (*path, 0)) if len(value) == 1 else None
    return path


def relaxed_enums(expected: Expected) -> frozenset[str]:
    """The properties of ``expected``'s type whose closed enum its provider compares without
    case (``hlz.schema.validate.CASE_INSENSITIVE_ENUMS``), by their last name."""
    if expected.arm_type is None:
        return frozenset()
    return frozenset(
        path.rsplit(".", 1)[-1]
        for arm_type, api_version, path in CASE_INSENSITIVE_ENUMS
        if arm_type.casefold() == expected.arm_type.casefold()
        and api_version == expected.api_version
    )


def _only(path: Path) -> dict[str, Any]:
    """A wire value holding only ``path`` (each list index as a one-item list)."""
    value: Any = "x"
    for part in reversed(path):
        value = [value] if isinstance(part, int) else {part: value}
    return value if isinstance(value, dict) else {}


def _flagged(value: Any, value_type: TypeRef) -> bool:
    """Whether the one leaf of ``value`` lies below a write-only property of ``value_type``."""
    kind = value_type.kind
    if kind == "ArrayType" and isinstance(value, list) and value:
        return _flagged(value[0], value_type.follow(value_type.node["itemType"]))
    if kind == "UnionType" and isinstance(value, Mapping):
        return any(
            _flagged(value, value_type.follow(element))
            for element in value_type.node.get("elements", [])
            if value_type.follow(element).kind in ("ObjectType", "DiscriminatedObjectType")
        )
    if kind not in ("ObjectType", "DiscriminatedObjectType") or not isinstance(value, Mapping):
        return False
    properties = object_properties(value_type)
    for key, item in value.items():
        prop = properties.get(key)
        if prop is None:
            continue
        if int(prop.get("flags", 0)) & PropertyFlags.WRITE_ONLY:
            return True
        if _flagged(item, value_type.follow(prop["type"])):
            return True
    return False


def object_properties(object_type: TypeRef) -> dict[str, Any]:
    """An object type's properties; a discriminated one's base properties and those of every
    variant (the flag of a property is the same in each)."""
    node = object_type.node
    if object_type.kind == "ObjectType":
        return dict(node.get("properties", {}))
    properties = dict(node.get("baseProperties", {}))
    for element in node.get("elements", {}).values():
        properties.update(object_type.follow(element).node.get("properties", {}))
    return properties
