"""Helpers the deploy rules share: resources a resource was computed from, literal values that may
be unknown, and the ARM type named by a literal resource id.

Stack rules relate resources through dependencies (``relations``), never through ids. Where a
literal id is known (the ``hlz plan`` engine computes them; a program may write one), it serves
as a second source; an unknown one (preview) is simply not used, so one unknown value does not
make a whole stack rule undetermined.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ..arm_types import token_for_arm_type
from ..model import StackResource
from ..props import as_sequence, as_str, get

__all__ = [
    "ResourceIndex",
    "arm_token_of_id",
    "known",
    "known_text",
    "known_texts",
    "upstream",
]


def known(value: Any, *path: str | int) -> Any:
    """``get(value, *path)``, or None when a step is unknown (preview)."""
    try:
        return get(value, *path)
    except UnknownValueError:
        return None


def known_text(value: Any, *path: str | int) -> str | None:
    """The string at ``path`` when it is known and not blank, else None."""
    text = as_str(known(value, *path))
    return text if text and text.strip() else None


def known_texts(value: Any, *path: str | int) -> list[str]:
    """The known, non-blank strings of the list at ``path`` (unknown elements are skipped)."""
    items = known(value, *path)
    texts: list[str] = []
    for index in range(len(as_sequence(items))):
        text = known_text(items, index)
        if text is not None:
            texts.append(text)
    return texts


class ResourceIndex:
    """The stack's resources by URN, to follow dependencies to the resources themselves."""

    def __init__(self, resources: Iterable[StackResource]):
        self._by_urn = {resource.urn: resource for resource in resources}

    def get(self, urn: str) -> StackResource | None:
        return self._by_urn.get(urn)

    def upstream(
        self, resource: StackResource, properties: Sequence[str], types: Collection[str] | None
    ) -> list[StackResource]:
        return upstream(resource, self, properties, types)

    def ancestors(self, resource: StackResource) -> set[str]:
        """URNs ``resource`` depends on, directly or transitively (resource-level and property
        dependencies): everything Pulumi creates before it."""
        seen: set[str] = set()
        stack = list(_direct(resource))
        while stack:
            urn = stack.pop()
            if urn in seen:
                continue
            seen.add(urn)
            found = self._by_urn.get(urn)
            if found is not None:
                stack.extend(_direct(found))
        return seen


def _direct(resource: StackResource) -> set[str]:
    urns = set(resource.dependencies)
    for values in resource.property_dependencies.values():
        urns.update(values)
    return urns


def upstream(
    resource: StackResource,
    index: ResourceIndex,
    properties: Sequence[str],
    types: Collection[str] | None,
) -> list[StackResource]:
    """Resources of ``types`` (None: any) that ``properties`` of ``resource`` were computed from.

    Same semantics as ``StackResource.depends_on``: without recorded property dependencies, the
    resource-level dependencies count.
    """
    if resource.property_dependencies:
        urns = [urn for name in properties for urn in resource.property_dependencies.get(name, ())]
    else:
        urns = list(resource.dependencies)
    found: list[StackResource] = []
    for urn in dict.fromkeys(urns):
        target = index.get(urn)
        if target is not None and (types is None or target.resource_type in types):
            found.append(target)
    return found


def arm_token_of_id(resource_id: str) -> str | None:
    """The azure-native token of the ARM type a literal resource id names, e.g.
    ``.../providers/Microsoft.KeyVault/vaults/kv`` -> ``azure-native:keyvault:Vault``."""
    _, separator, tail = resource_id.rpartition("/providers/")
    if not separator:
        return None
    segments = [segment for segment in tail.split("/") if segment]
    if len(segments) < 3 or len(segments) % 2 == 0:
        return None
    namespace, rest = segments[0], segments[1:]
    return token_for_arm_type("/".join((namespace, *rest[::2])))


def subnet_delegations(subnet: StackResource) -> list[str | None]:
    """The services a planned subnet is delegated to (``delegations[].serviceName``)."""
    return [
        as_str(get(delegation, "serviceName"))
        for delegation in as_sequence(get(subnet.props, "delegations"))
    ]


def subnet_prefix_length(subnet: StackResource) -> int | None:
    """The prefix length of a planned subnet's ``addressPrefix``; None when not a known CIDR."""
    prefix = as_str(get(subnet.props, "addressPrefix"))
    if prefix is None:
        return None
    try:
        return ipaddress.ip_network(prefix.strip(), strict=False).prefixlen
    except ValueError:
        return None
