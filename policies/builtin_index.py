"""The vendored, dated index of Azure Policy built-in definitions (``data/builtin_policies.json``).

Written by ``tools/refresh_builtin_policies.py`` from an Azure/azure-policy checkout (commit and
date recorded in the file): per built-in definition that reads a property of an ARM type the
pack judges, its display name, version, allowed effects and the aliases it reads. The runtime
mapping (``policies.runtime``) may name only definitions listed here, so no id is invented.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["INDEX_FILE", "BuiltinDefinition", "BuiltinIndex", "builtin_index"]

INDEX_FILE = Path(__file__).resolve().parent / "data" / "builtin_policies.json"
DEFINITION_PREFIX = "/providers/Microsoft.Authorization/policyDefinitions/"


@dataclass(frozen=True)
class BuiltinDefinition:
    name: str
    """The definition's GUID (its resource name)."""
    display_name: str
    version: str
    versions: tuple[str, ...]
    """Every version Azure keeps of the definition (a reference may pin one of them)."""
    category: str
    effect_parameter: str | None
    """The parameter that sets the effect; None when the effect is fixed."""
    effects: tuple[str, ...]
    """Effects the definition allows (its effect parameter's allowed values, or the fixed one)."""
    default_effect: str | None
    types: tuple[str, ...]
    aliases: tuple[str, ...]
    parameters: tuple[str, ...]
    required_parameters: tuple[str, ...]
    """Parameters without a default: an assignment or set reference must give them a value."""
    allowed_values: dict[str, tuple[Any, ...]]
    """Allowed values of the parameters other than the effect, where the definition lists them."""
    role_ids: tuple[str, ...]
    """Built-in role GUIDs a DeployIfNotExists or Modify effect acts with
    (``roleDefinitionIds``)."""
    deprecated: bool
    preview: bool
    azure_government_only: bool
    """Published only under ``Azure Government/``: absent from the public cloud."""
    path: str
    """File in the Azure/azure-policy repository."""

    @property
    def id(self) -> str:
        return DEFINITION_PREFIX + self.name

    def allows(self, effect: str) -> bool:
        """ARM compares effect names case-insensitively."""
        return effect.casefold() in {e.casefold() for e in self.effects}

    def reads(self, alias: str) -> bool:
        """Whether the definition's rule reads ``alias`` (aliases are case-insensitive)."""
        return alias.casefold() in {a.casefold() for a in self.aliases}


@dataclass(frozen=True)
class BuiltinIndex:
    repository: str
    commit: str
    commit_date: str
    definitions: dict[str, BuiltinDefinition]

    def get(self, name: str) -> BuiltinDefinition | None:
        return self.definitions.get(name.casefold())


@functools.cache
def builtin_index() -> BuiltinIndex:
    data = json.loads(INDEX_FILE.read_text(encoding="utf-8"))
    return BuiltinIndex(
        repository=data["source"]["repository"],
        commit=data["source"]["commit"],
        commit_date=data["source"]["commitDate"],
        definitions={
            name.casefold(): BuiltinDefinition(
                name=name,
                display_name=item["displayName"],
                version=item["version"],
                versions=tuple(item["versions"]) or (item["version"],),
                category=item["category"],
                effect_parameter=item["effectParameter"],
                effects=tuple(item["effects"]),
                default_effect=item["defaultEffect"],
                types=tuple(item["types"]),
                aliases=tuple(item["aliases"]),
                parameters=tuple(item["parameters"]),
                required_parameters=tuple(item["requiredParameters"]),
                allowed_values={k: tuple(v) for k, v in item["allowedValues"].items()},
                role_ids=tuple(item["roleDefinitionIds"]),
                deprecated=item["deprecated"],
                preview=item["preview"],
                azure_government_only=item["azureGovernmentOnly"],
                path=item["path"],
            )
            for name, item in data["definitions"].items()
        },
    )
