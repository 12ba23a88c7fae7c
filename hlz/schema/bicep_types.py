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
