"""Role assignment rules (Azure RBAC)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ..model import Compliant, NotApplicable, Outcome, ResourceRule, Severity, fail
from ..props import as_str, describe, get, same_text
from .tokens import ROLE_ASSIGNMENT

ROLE_ASSIGNMENTS = frozenset({ROLE_ASSIGNMENT})

PRIVILEGED_ROLES: Mapping[str, str] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
}
"""Built-in roles that can change or read everything in scope (User Access Administrator can grant
itself the others). Standing assignments of these to people at broad scope bypass PIM."""

PRINCIPAL_TYPES = (
    "User",
    "Group",
    "ServicePrincipal",
    "ForeignGroup",
    "Device",
    "AgentUser",
    "AgentServicePrincipal",
)
"""The principal types pulumi-azure-native 3.29.0 accepts (``authorization.PrincipalType``)."""
PERSON_PRINCIPAL_TYPES = ("User", "AgentUser")
"""Principal types that stand for one identity acting on its own, not a governed group."""

_BROAD_SCOPE = re.compile(
    r"^/(?:subscriptions/[^/]+|providers/microsoft\.management/managementgroups/[^/]+)?/?$",
    re.IGNORECASE,
)
"""Subscription scope, management group scope, or the tenant root ``/``."""


def _role_guid(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].casefold()


def check_no_privileged_user_at_broad_scope(
    _resource_type: str, props: Mapping[str, Any]
) -> Outcome:
    role = as_str(get(props, "roleDefinitionId"))
    try:
        scope = as_str(get(props, "scope"))
    except UnknownValueError:
        # Unknown in a preview only when computed from a resource this stack creates: a resource
        # scope, never a subscription or management group (those are known literals).
        return Compliant()
    if role is None or scope is None:
        return NotApplicable("roleDefinitionId or scope is not a string")
    role_name = PRIVILEGED_ROLES.get(_role_guid(role))
    if role_name is None or not _BROAD_SCOPE.match(scope):
        return Compliant()
    principal_type = get(props, "principalType")
    if any(same_text(principal_type, person) for person in PERSON_PRINCIPAL_TYPES):
        return fail(
            f"assigns {role_name} to a {principal_type} at scope '{scope}'; assign it to a group "
            "through PIM (eligible, time-bound) or narrow the scope to a resource group"
        )
    if principal_type is None:
        return fail(
            f"assigns {role_name} at scope '{scope}' without principalType, so it cannot be "
            "shown not to be a User; set principalType"
        )
    return Compliant()


def check_principal_type(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "principalType")
    if any(same_text(value, allowed) for allowed in PRINCIPAL_TYPES):
        return Compliant()
    return fail(
        f"principalType is {describe(value)}; set it to one of {', '.join(PRINCIPAL_TYPES)} "
        "(avoids PrincipalNotFound for new identities and makes reviews possible)"
    )


_RBAC_DOCS = "https://learn.microsoft.com/azure/role-based-access-control"

RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="authorization-roleassignment-disallow-privileged-user-at-subscription",
        description=(
            "No Owner, Contributor or User Access Administrator assignment to a User at "
            "subscription (or broader) scope."
        ),
        rationale=(
            "Standing broad privileges on individual accounts violate least privilege over every "
            "ePHI store in the subscription; use groups with PIM just-in-time activation."
        ),
        severity=Severity.HIGH,
        hipaa=("164.308(a)(4)(ii)(B)", "164.312(a)(1)", "164.308(a)(3)(ii)(A)"),
        mcsb=("PA-1", "PA-2", "PA-7"),
        hitrust=("01.c",),
        remediation=(
            "Assign the role to an Entra group made eligible through PIM, or to a narrower scope."
        ),
        url=f"{_RBAC_DOCS}/best-practices",
        phi_protecting=True,
        resource_types=ROLE_ASSIGNMENTS,
        check=check_no_privileged_user_at_broad_scope,
    ),
    ResourceRule(
        id="authorization-roleassignment-require-principal-type",
        description="Role assignments state their principalType.",
        rationale=(
            "An explicit principal type makes access reviews reliable and avoids replication-delay "
            "failures for newly created identities."
        ),
        severity=Severity.LOW,
        hipaa=("164.308(a)(4)(ii)(C)",),
        mcsb=("PA-4",),
        remediation=(
            "Set principalType ('ServicePrincipal' for managed identities, 'Group' for groups)."
        ),
        url=f"{_RBAC_DOCS}/role-assignments-template",
        phi_protecting=False,
        resource_types=ROLE_ASSIGNMENTS,
        check=check_principal_type,
    ),
)
