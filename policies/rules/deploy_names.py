"""Deploy rules for resource names: length and characters per type (``policies.names``, the
table ``components.naming`` builds names with), and names that collide within the stack.

Two resources collide when ARM would give them the same identity:

| kind                                       | same identity when equal (case-insensitive)     |
|--------------------------------------------|-------------------------------------------------|
| globally unique names (storage account,    | the name alone (it becomes a DNS label); for    |
| Key Vault, Health Data Services workspace, | Cognitive Services the custom subdomain         |
| Cognitive Services custom subdomain)       |                                                 |
| role assignments                           | the name alone (unique in the tenant)           |
| extension resources (locks, diagnostic     | scope (``scope``/``resourceUri``...) and name   |
| settings, policy assignments)              |                                                 |
| every other type of ``KNOWN_ARM_PATHS``    | type, resource group, parent names and name     |

Auto-named resources (no name input) are not compared. A name or scope that is unknown until
deployment (preview) makes the rule undetermined: no resource can be shown free of collisions
while one name is missing, and the update checks it again with every value known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..arm_types import KNOWN_ARM_PATHS, known_arm_type
from ..model import (
    Category,
    Compliant,
    NotApplicable,
    Outcome,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    outcome_from,
)
from ..names import name_problem
from ..props import as_str, describe, get
from ..services import SERVICES
from .tokens import RESOURCE_GROUP, ROLE_ASSIGNMENT

DEPLOY = Category.DEPLOY

NAMED_TYPES = frozenset(token for token, row in SERVICES.items() if row.names)
"""Types with a name rule: the catalogue rows (``policies.services``) with ``names``, each a
(``NAME_RULES`` kind, dotted name input) pair; a ``globally_unique`` input is a DNS label."""

DUPLICATE_CHECKED_TYPES = frozenset(KNOWN_ARM_PATHS) | {RESOURCE_GROUP}
"""Types compared for collisions: those whose ARM identity ``arm_types`` knows."""


def _path(dotted: str) -> tuple[str, ...]:
    return tuple(dotted.split("."))


def check_name_rules(resource_type: str, props: Mapping[str, Any]) -> Outcome:
    row = SERVICES.get(resource_type)
    pairs = row.names if row is not None else ()
    if not pairs:
        return NotApplicable(f"no name rule for {resource_type}")
    reasons: list[str] = []
    checked = 0
    for kind, dotted in pairs:
        value = get(props, *_path(dotted))
        if value is None:
            continue  # auto-named, or an optional name (custom subdomain) that is absent
        checked += 1
        name = as_str(value)
        problem = (
            name_problem(kind, name) if name is not None else f"{describe(value)} is not a name"
        )
        if problem is not None:
            reasons.append(
                f"{dotted} {problem} (see resource-name-rules; policies.names.NAME_RULES)"
            )
    if not checked:
        return NotApplicable("auto-named (no name input)")
    return outcome_from(reasons)


# --- collisions (stack) -------------------------------------------------------------------------


def _text(props: Mapping[str, Any], *path: str) -> str | None:
    """A present, non-blank string; reading an unknown value raises (undetermined in preview)."""
    text = as_str(get(props, *path))
    return text if text and text.strip() else None


def _scoped_identity(resource: StackResource) -> str | None:
    """The resource's ARM identity below the subscription, or None when a part is absent."""
    props = resource.props
    if resource.resource_type == RESOURCE_GROUP:
        name = _text(props, "resourceGroupName")
        return f"resourcegroups/{name.casefold()}" if name else None
    path = KNOWN_ARM_PATHS.get(resource.resource_type)
    full_type = known_arm_type(resource.resource_type)
    if path is None or full_type is None:
        return None
    names = [_text(props, key) for _, key in path.levels]
    if any(name is None for name in names):
        return None
    if resource.resource_type == ROLE_ASSIGNMENT:
        # Names are unique in the whole tenant, whatever the scope.
        return f"{full_type}/{names[-1]}".casefold()
    if path.scope_key is not None:
        anchor = _text(props, path.scope_key)
    elif path.in_resource_group:
        anchor = _text(props, "resourceGroupName")
    else:
        anchor = ""
    if anchor is None:
        return None
    return "/".join((anchor, full_type, *(name or "" for name in names))).casefold()


def _global_identity(resource: StackResource) -> str | None:
    row = SERVICES.get(resource.resource_type)
    dotted = row.globally_unique if row is not None else None
    if dotted is None:
        return None
    name = _text(resource.props, *_path(dotted))
    return f"{resource.resource_type}/{name.casefold()}" if name else None


def check_duplicate_names(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    covered = [r for r in resources if r.resource_type in DUPLICATE_CHECKED_TYPES]
    identities = {r.urn: (_scoped_identity(r), _global_identity(r)) for r in covered}
    holders: dict[str, list[StackResource]] = {}
    for resource in covered:
        for identity in identities[resource.urn]:
            if identity is not None:
                holders.setdefault(identity, []).append(resource)
    outcomes: dict[str, Outcome] = {}
    for resource in covered:
        scoped, unique = identities[resource.urn]
        if scoped is None and unique is None:
            outcomes[resource.urn] = NotApplicable("auto-named (no name input)")
            continue
        reasons: list[str] = []
        for identity, what in ((scoped, "ARM id"), (unique, "globally unique name")):
            others = [r for r in holders.get(identity or "", []) if r.urn != resource.urn]
            if identity is not None and others:
                names = ", ".join(f"'{other.name}'" for other in others)
                reasons.append(
                    f"'{resource.name}' has the same {what} as {names} "
                    f"({identity.rsplit('/', 1)[-1]}); the second create fails, give each its "
                    "own name"
                )
        outcomes[resource.urn] = outcome_from(reasons) if reasons else Compliant()
    return outcomes


_NAME_RULES_URL = (
    "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
)

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="deploy-resource-restrict-name-rules",
        any_type=True,
        category=DEPLOY,
        description=(
            "Names have the length and characters Azure allows for their type (and Cognitive "
            "Services custom subdomains those of a DNS label)."
        ),
        rationale=(
            "ARM refuses a name that is too long, too short or has characters or a shape the "
            "type does not allow (e.g. a storage account with hyphens, a vault with '--')."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Build names with components.naming.Namer, or follow policies.names.NAME_RULES."
        ),
        url=_NAME_RULES_URL,
        resource_types=NAMED_TYPES,
        check=check_name_rules,
    ),
    StackRule(
        id="deploy-resource-disallow-duplicate-names",
        any_type=True,
        category=DEPLOY,
        description=(
            "No two resources of the stack share an ARM identity or a globally unique name."
        ),
        rationale=(
            "Two resources with the same type, parent and name are one ARM resource: the second "
            "create fails (already exists). Storage, Key Vault, Health Data Services and custom "
            "subdomain names are global DNS labels."
        ),
        severity=Severity.HIGH,
        remediation="Give each resource its own name (Namer adds a per-stack suffix).",
        url=_NAME_RULES_URL,
        resource_types=DUPLICATE_CHECKED_TYPES,
        check=check_duplicate_names,
    ),
)
