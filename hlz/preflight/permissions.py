"""Does the caller's effective role allow an action? Azure RBAC semantics, as pure functions.

Within one role, ``notActions`` subtract from ``actions``; across roles grants add up (a
second role can grant what the first one's notActions removed). Patterns use ``*`` as a
wildcard for any characters, ``/`` included, and compare case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Literal

from hlz.preflight.responses import Permission

Grant = Literal["allowed", "conditional", "denied"]

ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write"

AUTHORIZATION_NAMESPACE = "microsoft.authorization/"


@cache
def _pattern(wildcard: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in wildcard.split("*")), re.IGNORECASE)


def action_matches(wildcard: str, action: str) -> bool:
    return _pattern(wildcard).fullmatch(action) is not None


def grant(permissions: Sequence[Permission], action: str) -> Grant:
    """``allowed`` when some role grants ``action`` without a condition, ``conditional`` when
    only roles with an ABAC condition do, else ``denied``."""
    found: Grant = "denied"
    for permission in permissions:
        granted = any(action_matches(pattern, action) for pattern in permission.actions)
        removed = any(action_matches(pattern, action) for pattern in permission.not_actions)
        if granted and not removed:
            if not permission.condition:
                return "allowed"
            found = "conditional"
    return found


def missing_role_fix(missing: Sequence[str], scope: str, assignee: str) -> str:
    """The least role assignment that adds the ``missing`` actions, as an az command."""
    resource_writes = [a for a in missing if not a.lower().startswith(AUTHORIZATION_NAMESPACE)]
    only_role_assignments = [a.lower() for a in missing] == [ROLE_ASSIGNMENT_WRITE.lower()]
    if resource_writes:
        role = "Owner"
        why = "or Contributor plus User Access Administrator"
    elif only_role_assignments:
        role = "Role Based Access Control Administrator"
        why = "next to Contributor, which cannot assign roles; User Access Administrator works too"
    else:
        role = "User Access Administrator"
        why = (
            "it covers role assignments, custom role definitions, policy assignments and locks; "
            "RBAC Administrator only the first"
        )
    return (
        f'az role assignment create --assignee {assignee} --role "{role}" --scope {scope} '
        f"({why}); if you hold an eligible PIM assignment, activate it instead"
    )
