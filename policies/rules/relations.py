"""Helpers for stack rules: find resources by type and by what they were computed from.

Relationships are read from dependencies, never from ids or names: during preview the id of a
resource that is about to be created is unknown, but the engine already knows that the lock's
``scope`` was computed from the vault's ``id`` output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..model import StackResource

__all__ = ["Referrers", "of_type"]


def of_type(resources: Iterable[StackResource], *resource_types: str) -> list[StackResource]:
    wanted = frozenset(resource_types)
    return [resource for resource in resources if resource.resource_type in wanted]


class Referrers:
    """Which candidates were computed from which resource through ``properties``.

    Built once per rule in one pass over the candidates, so a stack rule costs O(resources +
    dependencies) rather than comparing every target with every candidate (a 10,000-resource
    plan would otherwise take quadratic time). Same semantics as ``StackResource.depends_on``.
    """

    def __init__(self, candidates: Iterable[StackResource], *properties: str):
        self._by_target: dict[str, list[StackResource]] = defaultdict(list)
        for candidate in candidates:
            if candidate.property_dependencies:
                sources = {
                    urn
                    for name in properties
                    for urn in candidate.property_dependencies.get(name, ())
                }
            else:
                sources = set(candidate.dependencies)
            for urn in sources:
                self._by_target[urn].append(candidate)

    def of(self, target_urn: str) -> list[StackResource]:
        """The candidates that depend on ``target_urn``, in their original order."""
        return self._by_target.get(target_urn, [])
