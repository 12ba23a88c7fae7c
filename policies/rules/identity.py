"""Role assignment and custom role definition rules (Azure RBAC)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ..model import Compliant, NotApplicable, Outcome, ResourceRule, Severity, fail
from ..props import as_sequence, as_str, describe, get, same_text
from .tokens import ROLE_ASSIGNMENT, ROLE_DEFINITION

ROLE_ASSIGNMENTS = frozenset({ROLE_ASSIGNMENT})
ROLE_DEFINITIONS = frozenset({ROLE_DEFINITION})

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


_AUTHORIZATION_PROVIDER = "microsoft.authorization/"
_GRANTED_ACTIONS = ("actions", "dataActions")
"""The lists of a permission that grant; notActions and notDataActions only subtract."""


def _granted_problems(index: int, permission: Any) -> list[str]:
    problems = []
    for field in _GRANTED_ACTIONS:
        for action in as_sequence(get(permission, field)):
            text = as_str(action)
            if text is None:
                continue
            where = f"permissions[{index}].{field}"
            if "*" in text:
                problems.append(
                    f"{where} grants {describe(text)}, a wildcard: it matches every operation of "
                    "that shape, including ones the provider adds later; list each operation "
                    "from Microsoft's published list instead"
                )
            elif text.casefold().startswith(_AUTHORIZATION_PROVIDER) and not (
                text.casefold().endswith("/read")
            ):
                problems.append(
                    f"{where} grants {describe(text)} (it can grant roles, change role "
                    "definitions, locks or policy, or elevate access: privilege escalation); a "
                    "custom role of a stack may read Microsoft.Authorization, never write, "
                    "delete or act on it"
                )
    return problems


def _scope_kind(scope: str) -> str:
    """What a broad scope (``_BROAD_SCOPE``) is, for a message."""
    if not scope.strip("/"):
        return "the tenant root"
    if "managementgroups" in scope.casefold():
        return "a management group"
    return "a subscription"


def check_custom_role_reach(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    problems: list[str] = []
    permissions = as_sequence(get(props, "permissions"))
    if not permissions:
        problems.append("permissions is not set; a custom role lists the operations it grants")
    for index, permission in enumerate(permissions):
        problems.extend(_granted_problems(index, permission))
    scopes = [
        scope
        for scope in (as_str(item) for item in as_sequence(get(props, "assignableScopes")))
        if scope is not None
    ]
    if not scopes:
        problems.append(
            "assignableScopes is not set; name the resource group (or resource) the role is for"
        )
    for scope in scopes:
        if _BROAD_SCOPE.match(scope):
            problems.append(
                f"assignableScopes names {describe(scope)}, {_scope_kind(scope)}: the role could "
                "be assigned on every resource below it; name the resource group (or resource) "
                "it is for"
            )
    return fail(*problems) if problems else Compliant()


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
        id="authorization-roledefinition-restrict-actions-and-scopes",
        description=(
            "A custom role definition grants no wildcard action, no Microsoft.Authorization "
            "write, delete or action, and is assignable only below a subscription."
        ),
        rationale=(
            "A custom role is a standing grant to everyone it is assigned to: a wildcard grants "
            "operations nobody reviewed (and ones the provider adds later), a "
            "Microsoft.Authorization write lets its holders grant themselves any role over the "
            "ePHI stores in scope, and a subscription, management group or root assignable "
            "scope lets the role be assigned far beyond the lab it was made for."
        ),
        severity=Severity.HIGH,
        hipaa=("164.308(a)(4)(ii)(B)", "164.312(a)(1)", "164.308(a)(3)(ii)(A)"),
        mcsb=("PA-7",),
        hitrust=("01.c",),
        remediation=(
            "List each operation from Microsoft's resource provider operations (no '*'), read "
            "Microsoft.Authorization at most, and set assignableScopes to the resource group or "
            "resource the role is for."
        ),
        url=f"{_RBAC_DOCS}/custom-roles",
        phi_protecting=True,
        resource_types=ROLE_DEFINITIONS,
        check=check_custom_role_reach,
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
