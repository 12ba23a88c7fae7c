"""The adapter's own decisions, called in-process: exemptions and NotApplicable mapping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from policy_cases import COMPLIANT, STORAGE_ACCOUNT, mutate
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError  # the SDK's signal for args.not_applicable()

from policies.adapter import to_policy
from policies.exemptions import Exemption, parse_exemptions
from policies.registry import ALL_RULES, RULES_BY_ID

TODAY = dt.date(2026, 1, 15)
URN = "urn:pulumi:lab::hlz::azure-native:storage:StorageAccount::stdiaglab01"
PUBLIC = RULES_BY_ID["storage-account-disallow-public-network-access"]
PRIVATE_ENDPOINT = RULES_BY_ID["network-paas-require-private-endpoint"]
OPTIONS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _exemptions(rule_id: str, expires: str) -> list[Exemption]:
    return parse_exemptions(
        [
            {
                "rule": rule_id,
                "resource": "stdiaglab*",
                "reason": "Boot diagnostics of the jump box.",
                "owner": "platform-team",
                "expires": expires,
            }
        ],
        ALL_RULES,
    )


def _validate_resource(
    policy: Any, props: dict[str, Any], config: dict[str, Any] | None = None
) -> list[str]:
    assert isinstance(policy, ResourceValidationPolicy)
    messages: list[str] = []
    args = ResourceValidationArgs(
        STORAGE_ACCOUNT, props, URN, "stdiaglab01", OPTIONS, None, config or {}
    )
    policy.validate(args, lambda message, urn=None: messages.append(message))
    return messages


def test_violation_is_reported_with_hipaa_prefix() -> None:
    props = mutate(COMPLIANT[STORAGE_ACCOUNT], {"publicNetworkAccess": "Enabled"})
    (message,) = _validate_resource(to_policy(PUBLIC), props)
    assert message.startswith("[164.312(e)(1)] publicNetworkAccess is 'Enabled'")


def test_active_exemption_turns_violation_into_not_applicable() -> None:
    policy = to_policy(PUBLIC, _exemptions(PUBLIC.id, "2026-03-31"), today=lambda: TODAY)
    props = mutate(COMPLIANT[STORAGE_ACCOUNT], {"publicNetworkAccess": "Enabled"})
    with pytest.raises(_NotApplicableError) as raised:
        _validate_resource(policy, props)
    assert raised.value.reason is not None
    assert raised.value.reason.startswith(
        "exempted: exemption for 'stdiaglab*' (owner platform-team"
    )


def test_expired_exemption_is_named_in_the_violation() -> None:
    policy = to_policy(PUBLIC, _exemptions(PUBLIC.id, "2026-01-14"), today=lambda: TODAY)
    props = mutate(COMPLIANT[STORAGE_ACCOUNT], {"publicNetworkAccess": "Enabled"})
    (message,) = _validate_resource(policy, props)
    assert "expires 2026-01-14" in message and "has expired" in message


def test_other_resource_type_is_not_applicable() -> None:
    policy = to_policy(RULES_BY_ID["keyvault-vault-require-purge-protection"])
    with pytest.raises(_NotApplicableError):
        _validate_resource(policy, COMPLIANT[STORAGE_ACCOUNT])


def test_stack_policy_skips_exempted_resource() -> None:
    storage = PolicyResource(
        STORAGE_ACCOUNT, COMPLIANT[STORAGE_ACCOUNT], URN, "stdiaglab01", OPTIONS, None, None, [], {}
    )

    def run(policy: Any) -> list[tuple[str, str | None]]:
        assert isinstance(policy, StackValidationPolicy)
        reports: list[tuple[str, str | None]] = []
        policy.validate(
            StackValidationArgs([storage], {}), lambda m, urn=None: reports.append((m, urn))
        )
        return reports

    (report,) = run(to_policy(PRIVATE_ENDPOINT))
    assert report[1] == URN and "has no private endpoint" in report[0]
    exempt = to_policy(
        PRIVATE_ENDPOINT, _exemptions(PRIVATE_ENDPOINT.id, "2026-03-31"), today=lambda: TODAY
    )
    assert run(exempt) == []
