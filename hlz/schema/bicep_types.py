"""Bicep type definitions (Azure/bicep-types-az ``types.json``), loaded lazily and cached.

One file per (provider namespace, API version) under ``bicep-types/<namespace>/<version>/``
(lower-case namespace, as upstream). A file is a JSON array of type nodes; nodes point at each
other with ``{"$ref": "#/N"}`` (an index into the same array). The node kinds used by Azure types
are ``$type`` ``ResourceType`` (``name`` ``"<ARM type>@<version>"``, ``body`` -> the request
body), ``ObjectType`` (``properties`` {name: {type, flags, description}}, optional
``additionalProperties``), ``DiscriminatedObjectType``, ``ArrayType``, ``UnionType``,
``StringLiteralType``, ``StringType``, ``IntegerType``, ``BooleanType``, ``AnyType`` and
``NullType``; the format is defined in Azure/bicep-types ``src/bicep-types/src/types.ts``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntFlag
from pathlib import Path
from typing import Any

__all__ = [
    "TYPES_ROOT",
    "from_legacy",
    "is_legacy_node",
    "PropertyFlags",
    "ResourceDefinition",
    "TypeFile",
    "TypeLibrary",
    "TypeRef",
    "default_library",
]

TYPES_ROOT = Path(__file__).resolve().parent / "bicep-types"


class PropertyFlags(IntFlag):
    """``ObjectTypeProperty.flags`` in bicep-types (``ObjectTypePropertyFlags``)."""

    NONE = 0
    REQUIRED = 1
    READ_ONLY = 2
    WRITE_ONLY = 4
    DEPLOY_TIME_CONSTANT = 8
    IDENTIFIER = 16


# --- the earlier serialization ----------------------------------------------------------------
#
# Files upstream has not regenerated since bicep-types changed its format (2023) still hold each
# node as ``{"<kind number>": {...}}``, references as bare indexes and keys in either case
# (``Name`` or ``name``). They describe the same types; ``from_legacy`` turns each node into the
# current shape at the same index, so every reference keeps pointing where it did. Kind numbers
# are ``TypeBaseKind`` and ``BuiltInTypeKind`` of bicep-types before 0.2 (``src/bicep-types``,
# ``types.ts``).

_LEGACY_KINDS = {
    "1": "BuiltInType",
    "2": "ObjectType",
    "3": "ArrayType",
    "4": "ResourceType",
    "5": "UnionType",
    "6": "StringLiteralType",
    "7": "DiscriminatedObjectType",
    "8": "ResourceFunctionType",
}
_LEGACY_BUILT_INS = {
    1: "AnyType",
    2: "NullType",
    3: "BooleanType",
    4: "IntegerType",
    5: "StringType",
    # Object, Array and ResourceRef: any object, any array, a resource id string. The walk has
    # no "any object" node, so Object and Array accept anything, as AnyType does.
    6: "AnyType",
    7: "AnyType",
    8: "StringType",
}


def is_legacy_node(node: Any) -> bool:
    return (
        isinstance(node, Mapping)
        and "$type" not in node
        and len(node) == 1
        and next(iter(node)) in _LEGACY_KINDS
    )


def _ref(index: Any) -> dict[str, str]:
    return {"$ref": f"#/{int(index)}"}


def _lower_keys(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key[:1].lower() + key[1:]: item for key, item in value.items()}


def _legacy_property(prop: Mapping[str, Any]) -> dict[str, Any]:
    prop = _lower_keys(prop)
    converted: dict[str, Any] = {"type": _ref(prop["type"]), "flags": int(prop.get("flags", 0))}
    if "description" in prop:
        converted["description"] = prop["description"]
    return converted


def from_legacy(node: Mapping[str, Any], path: Path | str = "") -> dict[str, Any]:
    """One node of the earlier serialization in the current shape (see above)."""
    if not is_legacy_node(node):
        raise ValueError(f"{path}: not a node of the earlier type format: {node!r}")
    kind_number, body = next(iter(node.items()))
    kind = _LEGACY_KINDS[kind_number]
    fields = _lower_keys(body)
    if kind == "BuiltInType":
        return {"$type": _LEGACY_BUILT_INS[int(fields["kind"])]}
    converted: dict[str, Any] = {"$type": kind}
    if kind == "ObjectType":
        converted["name"] = fields.get("name", "")
        converted["properties"] = {
            name: _legacy_property(prop) for name, prop in (fields.get("properties") or {}).items()
        }
        if fields.get("additionalProperties") is not None:
            converted["additionalProperties"] = _ref(fields["additionalProperties"])
    elif kind == "ArrayType":
        converted["itemType"] = _ref(fields["itemType"])
    elif kind == "ResourceType":
        converted["name"] = fields["name"]
        converted["scopeType"] = fields.get("scopeType", 0)
        converted["body"] = _ref(fields["body"])
    elif kind == "UnionType":
        converted["elements"] = [_ref(element) for element in fields.get("elements", [])]
    elif kind == "StringLiteralType":
        converted["value"] = fields["value"]
    elif kind == "DiscriminatedObjectType":
        converted["name"] = fields.get("name", "")
        converted["discriminator"] = fields["discriminator"]
        converted["baseProperties"] = {
            name: _legacy_property(prop)
            for name, prop in (fields.get("baseProperties") or {}).items()
        }
        converted["elements"] = {
            key: _ref(index) for key, index in (fields.get("elements") or {}).items()
        }
    else:  # ResourceFunctionType: not walked; keep its fields, references made explicit.
        converted.update(
            {
                key: _ref(value) if key in ("output", "input") else value
                for key, value in fields.items()
            }
        )
    return converted


@dataclass(frozen=True)
class TypeRef:
    """A type node: the file it lives in and its index there."""

    file: TypeFile
    index: int

    @property
    def node(self) -> Mapping[str, Any]:
        return self.file.nodes[self.index]

    @property
    def kind(self) -> str:
        return str(self.node.get("$type", ""))

    def follow(self, reference: Any) -> TypeRef:
        """The node a ``{"$ref": "#/N"}`` of this file points at."""
        return self.file.resolve(reference)


@dataclass(frozen=True)
class ResourceDefinition:
    arm_type: str
    """As the type file spells it, e.g. ``Microsoft.Storage/storageAccounts``."""
    api_version: str
    body: TypeRef


@dataclass(frozen=True, eq=False)
class TypeFile:
    path: Path
    nodes: tuple[Mapping[str, Any], ...]
    resources: Mapping[str, int] = field(repr=False)
    """Lower-case ``<ARM type>@<version>`` -> index of its ``ResourceType`` node."""

    @classmethod
    def load(cls, path: Path) -> TypeFile:
        nodes = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(nodes, list):
            raise ValueError(f"{path}: expected a JSON array of type nodes")
        if nodes and is_legacy_node(nodes[0]):
            nodes = [from_legacy(node, path) for node in nodes]
        resources: dict[str, int] = {}
        for index, node in enumerate(nodes):
            if node.get("$type") != "ResourceType":
                continue
            key = str(node["name"]).lower()
            existing = resources.get(key)
            # A type may be listed once per scope set; the one that can be written wins.
            if existing is None or (
                node.get("writableScopes") and not nodes[existing].get("writableScopes")
            ):
                resources[key] = index
        return cls(path, tuple(nodes), resources)

    def resolve(self, reference: Any) -> TypeRef:
        if not isinstance(reference, Mapping) or not str(reference.get("$ref", "")).startswith(
            "#/"
        ):
            raise ValueError(f"{self.path}: not a type reference: {reference!r}")
        return TypeRef(self, int(str(reference["$ref"])[2:]))

    def resource(self, arm_type: str, api_version: str) -> ResourceDefinition | None:
        index = self.resources.get(f"{arm_type}@{api_version}".lower())
        if index is None:
            return None
        node = self.nodes[index]
        name, _, version = str(node["name"]).partition("@")
        return ResourceDefinition(name, version, self.resolve(node["body"]))


class TypeLibrary:
    """The vendored type files, each parsed on first use and kept for the process."""

    def __init__(self, root: Path = TYPES_ROOT) -> None:
        self.root = root
        self._files: dict[Path, TypeFile | None] = {}

    def file_path(self, namespace: str, api_version: str) -> Path:
        return self.root / namespace.lower() / api_version / "types.json"

    def type_file(self, namespace: str, api_version: str) -> TypeFile | None:
        path = self.file_path(namespace, api_version)
        if path not in self._files:
            self._files[path] = TypeFile.load(path) if path.is_file() else None
        return self._files[path]

    def resource(self, arm_type: str, api_version: str) -> ResourceDefinition | None:
        """The definition of ``arm_type`` (``Namespace/type[/child...]``) at ``api_version``."""
        namespace = arm_type.split("/", 1)[0]
        type_file = self.type_file(namespace, api_version)
        return type_file.resource(arm_type, api_version) if type_file else None


@functools.cache
def default_library() -> TypeLibrary:
    """The library over the vendored files, shared by every caller in the process: parsing the
    network types (1 MB) once is the point of the cache."""
    return TypeLibrary()
