"""One view of a resource for every rule: the typed token and the props shape the rules read.

Used by the in-process evaluation (``hlz plan``/``hlz check``) and by the CrossGuard adapter
alike, so both judge a resource the same way however the program declared it.

| declared as                                   | judged as                                       |
|-----------------------------------------------|-------------------------------------------------|
| ``azure-native:<module>:<Type>``              | itself                                          |
| ``azure-native:<module>/v20240101:<Type>``    | ``azure-native:<module>:<Type>`` (explicit API  |
|                                               | version, same inputs)                           |
| ``azure-native:resources:Resource`` with a    | the typed token of that ARM type               |
| ``resourceProviderNamespace``/``resourceType``| (``policies.arm_types``); its name under the   |
| of a known ARM type                           | typed name input (its parents' names, from     |
|                                               | ``parentResourcePath``, under theirs); its     |
|                                               | ARM-shaped body in the SDK's wire shape        |
|                                               | (flattened containers lifted,                  |
|                                               | renamed properties under their SDK names:      |
|                                               | ``policies.wire_facts``); generic-only inputs  |
|                                               | dropped                                        |
| ... of a type the wire data does not describe | as above, ``properties`` kept and also lifted  |
| a generic resource of an unknown ARM type     | itself (only rules for every type apply)       |
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .arm_types import GENERIC_RESOURCE, KNOWN_ARM_PATHS, token_for_arm_type
from .services import ArmPath
from .wire_facts import wire_view

__all__ = ["GENERIC_INPUTS", "generic_arm_type", "normalise"]

_VERSIONED = re.compile(r"^(azure-native:[A-Za-z0-9]+)/v[0-9]{8}(?:preview)?(:.+)$")

GENERIC_INPUTS = frozenset(
    {
        "resourceProviderNamespace",
        "resourceType",
        "parentResourcePath",
        "apiVersion",
        "resourceName",
    }
)
"""Inputs only the generic resource has (they say what it is, not how it is configured)."""


def generic_arm_type(props: Mapping[str, Any]) -> str | None:
    """``Microsoft.HealthcareApis/workspaces`` from a generic resource's inputs (the types in
    ``parentResourcePath`` are its even segments), None when they are not plain strings."""
    namespace = props.get("resourceProviderNamespace")
    resource_type = props.get("resourceType")
    parent = props.get("parentResourcePath") or ""
    if not (isinstance(namespace, str) and isinstance(resource_type, str)):
        return None
    if not isinstance(parent, str):
        return None
    parent_types = [segment for segment in parent.strip("/").split("/") if segment][::2]
    return "/".join((namespace, *parent_types, *resource_type.strip("/").split("/")))


def _parent_names(parent: Any, path: ArmPath) -> dict[str, str]:
    """The typed name inputs of a child type's parents, read off a generic resource's
    ``parentResourcePath`` (``dnsResolvers/dnspr-hub`` -> ``{"dnsResolverName": "dnspr-hub"}``);
    empty when the path does not spell out exactly the type's parent collections."""
    if not isinstance(parent, str):
        return {}
    segments = [segment for segment in parent.strip("/").split("/") if segment]
    parents = path.levels[:-1]
    if len(segments) != 2 * len(parents):
        return {}
    names: dict[str, str] = {}
    for (collection, name_key), found, name in zip(
        parents, segments[::2], segments[1::2], strict=True
    ):
        if found.casefold() != collection.casefold():
            return {}
        names[name_key] = name
    return names


class _GenericBody(Mapping[str, Any]):
    """A generic resource's inputs without the ones that only say what it is, its
    ``resourceName`` under the typed name input and its parents' names (from
    ``parentResourcePath``) under theirs. Lazy: values are read only when asked for."""

    def __init__(self, props: Mapping[str, Any], name_key: str, parents: Mapping[str, str]):
        self._props = props
        self._name_key = name_key
        self._parents = parents

    def __getitem__(self, key: str) -> Any:
        if key == self._name_key and "resourceName" in self._props:
            return self._props["resourceName"]
        if key in self._parents and key not in self._props:
            return self._parents[key]
        if key in GENERIC_INPUTS:
            raise KeyError(key)
        return self._props[key]

    def __iter__(self) -> Iterator[str]:
        for key in self._props:
            if key == "resourceName":
                yield self._name_key
            elif key not in GENERIC_INPUTS:
                yield key
        yield from (key for key in self._parents if key not in self._props)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Lifted(Mapping[str, Any]):
    """``properties`` kept and its keys also at the top level: the best view of a type the wire
    data does not describe (a rule reading a renamed input finds nothing and fails closed)."""

    def __init__(self, body: Mapping[str, Any]):
        self._body = body

    def _properties(self) -> Mapping[str, Any]:
        properties = self._body.get("properties")
        return properties if isinstance(properties, Mapping) else {}

    def __getitem__(self, key: str) -> Any:
        if key in self._body:
            return self._body[key]
        return self._properties()[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._body
        yield from (key for key in self._properties() if key not in self._body)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _plain(value: Any) -> Any:
    """A view turned into plain dicts and lists (the in-process path wraps those in the policy
    SDK's unknown-checking proxy, which only descends into plain containers)."""
    if isinstance(value, Mapping):
        return {key: _plain(value[key]) for key in value}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def normalise(resource_type: str, props: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """``(token, props)`` as the rules read them; see the module table."""
    versioned = _VERSIONED.match(resource_type)
    if versioned:
        return versioned.group(1) + versioned.group(2), props
    if resource_type != GENERIC_RESOURCE:
        return resource_type, props
    full_type = generic_arm_type(props)
    token = token_for_arm_type(full_type) if full_type else None
    if token is None:
        return resource_type, props
    path = KNOWN_ARM_PATHS[token]
    parents = _parent_names(props.get("parentResourcePath"), path)
    body = _GenericBody(props, path.levels[-1][1], parents)
    view = wire_view(token, body) or _Lifted(body)
    # Plain dicts (the in-process path) get plain dicts back; the adapter's proxies stay
    # proxies inside the lazy view.
    return token, _plain(view) if isinstance(props, dict) else view
