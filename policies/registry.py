"""The one list of every rule in the pack (its order is the order of RULES.md and the configs)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .model import ResourceRule, Rule, StackRule
from .rules import (
    ai_governance,
    alerts,
    apim,
    cognitive,
    compute,
    cosmos,
    defender,
    deploy_alerts,
    deploy_data,
    deploy_names,
    deploy_network,
    deploy_security,
    dns,
    governance,
    health,
    identity,
    keyvault,
    monitor,
    network,
    search,
    storage,
)

__all__ = [
    "ALL_RULES",
    "JUDGED_TYPES",
    "RESOURCE_RULES",
    "RULES_BY_ID",
    "STACK_RULES",
    "rule_by_id",
]

ALL_RULES: tuple[Rule, ...] = (
    *storage.RULES,
    *keyvault.RULES,
    *cognitive.RULES,
    *ai_governance.RULES,
    *health.RULES,
    *search.RULES,
    *cosmos.RULES,
    *apim.RULES,
    *compute.RULES,
    *network.RULES,
    *dns.RULES,
    *identity.RULES,
    *monitor.RULES,
    *alerts.RULES,
    *defender.RULES,
    *governance.RULES,
    *deploy_network.RULES,
    *deploy_security.RULES,
    *deploy_data.RULES,
    *deploy_names.RULES,
    *deploy_alerts.RULES,
)

RESOURCE_RULES: tuple[ResourceRule, ...] = tuple(
    rule for rule in ALL_RULES if isinstance(rule, ResourceRule)
)
STACK_RULES: tuple[StackRule, ...] = tuple(
    rule for rule in ALL_RULES if isinstance(rule, StackRule)
)


def _index(rules: tuple[Rule, ...]) -> Mapping[str, Rule]:
    index: dict[str, Rule] = {}
    duplicates: list[str] = []
    for rule in rules:
        if rule.id in index:
            duplicates.append(rule.id)
        index[rule.id] = rule
    if duplicates:
        raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
    return MappingProxyType(index)


RULES_BY_ID: Mapping[str, Rule] = _index(ALL_RULES)

JUDGED_TYPES: frozenset[str] = frozenset(
    token for rule in ALL_RULES for token in (rule.resource_types or ()) if rule.judges(token)
)
"""Types whose configuration some rule judges (``Rule.judges``); any other azure-native
resource is reported as unjudged."""


def rule_by_id(rule_id: str) -> Rule:
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}") from None
