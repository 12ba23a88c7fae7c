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
| of a known ARM type                           | typed name input, ``properties`` kept and also |
|                                               | lifted to the top level (where the SDK         |
|                                               | flattens them); generic-only inputs dropped    |
| a generic resource of an unknown ARM type     | itself (only rules for every type apply)       |

Property names the SDK renames (``x-ms-client-name``) are not translated here: a rule that
reads a renamed input finds it missing and fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .arm_types import ARM_PATHS, GENERIC_RESOURCE, token_for_arm_type

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


class _TypedView(Mapping[str, Any]):
    """A generic resource's props as the typed resource's rules read them, without copying (the
    values stay the caller's, e.g. the policy SDK's unknown-checking proxies)."""

    def __init__(self, props: Mapping[str, Any], name_key: str):
        self._props = props
        self._name_key = name_key

    def _lifted(self) -> Mapping[str, Any]:
        properties = self._props.get("properties")
        return properties if isinstance(properties, Mapping) else {}

    def __getitem__(self, key: str) -> Any:
        if key == self._name_key and "resourceName" in self._props:
            return self._props["resourceName"]
        if key in GENERIC_INPUTS:
            raise KeyError(key)
        if key in self._props:
            return self._props[key]
        return self._lifted()[key]

    def __iter__(self) -> Iterator[str]:
        seen = set()
        for key in self._props:
            if key == "resourceName" and self._name_key:
                key = self._name_key
            elif key in GENERIC_INPUTS:
                continue
            seen.add(key)
            yield key
        for key in self._lifted():
            if key not in seen:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
    name_key = ARM_PATHS[token].levels[-1][1]
    view = _TypedView(props, name_key)
    # Plain dicts (the in-process path) get a plain dict, which the evaluation then wraps in the
    # policy SDK's unknown-checking proxy; the adapter's proxies stay proxies inside the view.
    return token, dict(view) if isinstance(props, dict) else view
