"""Stack-rule test helpers: resources of a stack view built from their dependencies, the way
the pack's stack rules see them (relations proven by dependencies, never by ids)."""

from __future__ import annotations

from typing import Any

from policies.model import StackResource, StackRule
from policies.registry import STACK_RULES

PREFIX = "urn:pulumi:prod::hlz::"


def stack_rule(rule_id: str) -> StackRule:
    return next(rule for rule in STACK_RULES if rule.id == rule_id)


def res(
    token: str,
    name: str,
    props: dict[str, Any] | None = None,
    *,
    deps: dict[str, list[StackResource]] | None = None,
    depends_on: tuple[StackResource, ...] = (),
) -> StackResource:
    """``token`` named ``name``: ``deps`` are property dependencies (input -> the resources
    it reads), ``depends_on`` explicit ones; both make its dependencies."""
    property_dependencies = {
        key: tuple(r.urn for r in values) for key, values in (deps or {}).items()
    }
    dependencies = {urn for urns in property_dependencies.values() for urn in urns}
    dependencies |= {r.urn for r in depends_on}
    return StackResource(
        urn=f"{PREFIX}{token}::{name}",
        resource_type=token,
        props=props or {},
        dependencies=tuple(sorted(dependencies)),
        property_dependencies=property_dependencies,
    )
