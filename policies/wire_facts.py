"""What pulumi-azure-native does between its wire inputs and the ARM request body, as data.

``data/wire_data.json`` records, per swagger definition of the API versions in use, the
properties the SDK flattens (``x-ms-client-flatten``) and renames (``x-ms-client-name``), and
per token the PUT body's definition and URL parameters (``tools/refresh_wire_data.py``
regenerates it). Two directions use it:

- ``hlz.schema.wire``: wire inputs -> ARM body, to check them against Azure's type definitions;
- ``wire_view`` here: an ARM-shaped body (a generic ``azure-native:resources:Resource``'s
  ``properties``, later ARM resources read live) -> the wire shape the rules read, so a generic
  storage account is judged on ``enableHttpsTrafficOnly`` like a typed one.

It lives in the pack because the pack normalises generic resources on its own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "NO_FACTS",
    "WIRE_DATA",
    "DefinitionFacts",
    "ResourceMapping",
    "WireData",
    "load_wire_data",
    "wire_view",
]

WIRE_DATA = Path(__file__).resolve().parent / "data" / "wire_data.json"


@dataclass(frozen=True)
class DefinitionFacts:
    """What the provider does to one swagger definition's properties (ARM names as keys)."""

    flatten: tuple[str, ...] = ()
    """Properties marked ``x-ms-client-flatten``: their properties are inputs one level up."""
    sdk_names: Mapping[str, str] = field(default_factory=dict)
    """``x-ms-client-name`` renames: ARM name -> SDK (wire) name."""
    children: Mapping[str, str] = field(default_factory=dict)
    """ARM property -> the definition of its value (object, array item or map value), for the
    properties that have facts somewhere below them."""

    def sdk_name(self, arm_name: str) -> str:
        return self.sdk_names.get(arm_name, arm_name)


NO_FACTS = DefinitionFacts()


@dataclass(frozen=True)
class ResourceMapping:
    token: str
    api_version: str
    """The API version the facts were generated from."""
    body: str
    """Definition of the PUT body."""
    parameters: tuple[str, ...]
    """Wire inputs that are URL parameters of the PUT operation (never in the body)."""


@dataclass(frozen=True)
class WireData:
    resources: Mapping[str, ResourceMapping]
    definitions: Mapping[str, DefinitionFacts]
    source: Mapping[str, Any]

    def facts(self, definition: str | None) -> DefinitionFacts:
        return self.definitions.get(definition, NO_FACTS) if definition else NO_FACTS

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> WireData:
        resources = {
            token: ResourceMapping(
                token,
                entry["apiVersion"],
                entry["body"],
                tuple(entry["parameters"]),
            )
            for token, entry in document["resources"].items()
        }
        definitions = {
            key: DefinitionFacts(
                tuple(entry.get("flatten", ())),
                dict(entry.get("sdkNames", {})),
                dict(entry.get("children", {})),
            )
            for key, entry in document["definitions"].items()
        }
        return cls(resources, definitions, document.get("source", {}))


@functools.cache
def load_wire_data(path: Path = WIRE_DATA) -> WireData:
    return WireData.from_json(json.loads(path.read_text(encoding="utf-8")))


class _WireView(Mapping[str, Any]):
    """An ARM object seen with the SDK's names: renamed keys under their wire names and the
    properties of flattened containers one level up. Lazy, so the policy SDK's
    unknown-checking proxies stay proxies (a value is read only when a rule asks for it)."""

    def __init__(self, arm: Mapping[str, Any], facts: DefinitionFacts, data: WireData):
        self._arm = arm
        self._facts = facts
        self._data = data
        self._arm_names = {wire: arm_name for arm_name, wire in facts.sdk_names.items()}

    def _wrap(self, value: Any, definition: str | None) -> Any:
        if definition is None:
            return value
        facts = self._data.facts(definition)
        if isinstance(value, Mapping):
            return _WireView(value, facts, self._data)
        if isinstance(value, list | tuple):
            return [_WireView(v, facts, self._data) if isinstance(v, Mapping) else v for v in value]
        return value

    def _containers(self) -> Iterator[_WireView]:
        for container in self._facts.flatten:
            value = self._arm.get(container)
            if isinstance(value, Mapping):
                yield _WireView(
                    value, self._data.facts(self._facts.children.get(container)), self._data
                )

    def __getitem__(self, key: str) -> Any:
        arm_name = self._arm_names.get(key, key)
        # An ARM name the SDK renames is not a wire name (only its new name is).
        hidden = key in self._facts.sdk_names and key not in self._arm_names
        if not hidden and arm_name not in self._facts.flatten and arm_name in self._arm:
            return self._wrap(self._arm[arm_name], self._facts.children.get(arm_name))
        for container in self._containers():
            if key in container:
                return container[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for arm_name in self._arm:
            if arm_name in self._facts.flatten:
                continue
            key = self._facts.sdk_name(arm_name)
            seen.add(key)
            yield key
        for container in self._containers():
            for key in container:
                if key not in seen:
                    seen.add(key)
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)


def wire_view(token: str, body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``body`` (ARM-shaped, as in a PUT request) with the wire names of ``token``'s SDK
    resource; None when the data has no mapping for ``token``."""
    data = load_wire_data()
    mapping = data.resources.get(token)
    if mapping is None:
        return None
    return _WireView(body, data.facts(mapping.body), data)
