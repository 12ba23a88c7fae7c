"""Helpers for stack rules: find resources by type and by what they were computed from.

Relationships are read from dependencies, never from ids or names: during preview the id of a
resource that is about to be created is unknown, but the engine already knows that the lock's
``scope`` was computed from the vault's ``id`` output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import StackResource

__all__ = ["of_type", "referenced_by"]


def of_type(resources: Iterable[StackResource], *resource_types: str) -> list[StackResource]:
    wanted = frozenset(resource_types)
    return [resource for resource in resources if resource.resource_type in wanted]


def referenced_by(
    target_urn: str, candidates: Sequence[StackResource], *properties: str
) -> list[StackResource]:
    """The candidates one of whose ``properties`` depends on ``target_urn``."""
    return [candidate for candidate in candidates if candidate.depends_on(target_urn, *properties)]
