"""A role assignment whose scope is unknown in a preview was computed from a resource of the
stack: a resource scope, never a subscription, so the privileged-scope rule decides."""

from __future__ import annotations

from policy_cases import COMPLIANT, ROLE_ASSIGNMENT, mutate
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.evaluation import evaluate
from policies.model import Compliant
from policies.registry import RULES_BY_ID


def test_an_unknown_scope_is_a_resource_scope():
    rule = RULES_BY_ID["authorization-roleassignment-disallow-privileged-user-at-subscription"]
    owner_to_user = mutate(
        COMPLIANT[ROLE_ASSIGNMENT], {"principalType": "User", "scope": UNKNOWN_STRING_VALUE}
    )
    assert isinstance(evaluate(rule, ROLE_ASSIGNMENT, owner_to_user), Compliant)  # type: ignore[arg-type]
