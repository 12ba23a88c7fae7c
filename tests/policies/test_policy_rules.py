"""Resource rules: compliant fixture, one mutation per failure mode, not-applicable, unknown values,
malformed input."""

from __future__ import annotations

from typing import Any

import pytest
from policy_cases import (
    COMPLIANT,
    MUTATIONS,
    RESOURCE_GROUP,
    UNKNOWN_MEANS_SET,
    Mutation,
    leaf_paths,
    mutate,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.evaluation import evaluate, run_check
from policies.model import (
    Compliant,
    NonCompliant,
    NotApplicable,
    Profile,
    ResourceRule,
    Undetermined,
)
from policies.registry import RESOURCE_RULES

GLOBAL_RULE_SAMPLE_TYPES = tuple(sorted(COMPLIANT))
"""Rules covering every azure-native type are checked against every fixture."""

def _fixture_types(rule: ResourceRule) -> tuple[str, ...]:
    if rule.resource_types is None:
        return GLOBAL_RULE_SAMPLE_TYPES
    return tuple(sorted(rule.resource_types))


COMPLIANT_CASES = [
    pytest.param(rule, resource_type, id=f"{rule.id}--{resource_type.rsplit(':', 1)[-1]}")
    for rule in RESOURCE_RULES
    for resource_type in _fixture_types(rule)
]


@pytest.mark.parametrize(("rule", "resource_type"), COMPLIANT_CASES)
def test_compliant_fixture_passes(rule: ResourceRule, resource_type: str) -> None:
    outcome = evaluate(rule, resource_type, COMPLIANT[resource_type], profile=Profile.PRODUCTION)
    assert not isinstance(outcome, NonCompliant | Undetermined), outcome


def _rule(rule_id: str) -> ResourceRule:
    return next(rule for rule in RESOURCE_RULES if rule.id == rule_id)


@pytest.mark.parametrize("mutation", [pytest.param(m, id=m.test_id) for m in MUTATIONS])
def test_mutation(mutation: Mutation) -> None:
    outcome = evaluate(_rule(mutation.rule_id), mutation.resource_type, mutation.props())
    if mutation.expect is None:
        assert isinstance(outcome, Compliant), outcome
    else:
        assert isinstance(outcome, NonCompliant), outcome
        assert any(mutation.expect in reason for reason in outcome.reasons), outcome.reasons


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.id) for r in RESOURCE_RULES])
def test_every_rule_has_a_failing_mutation(rule: ResourceRule) -> None:
    assert any(m.rule_id == rule.id and m.expect for m in MUTATIONS)


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.id) for r in RESOURCE_RULES])
def test_not_applicable_to_other_resource_types(rule: ResourceRule) -> None:
    other = "pulumi:providers:azure-native" if rule.resource_types is None else RESOURCE_GROUP
    outcome = evaluate(rule, other, COMPLIANT[RESOURCE_GROUP])
    assert isinstance(outcome, NotApplicable)


def _first_failure(rule: ResourceRule) -> Mutation:
    return next(m for m in MUTATIONS if m.rule_id == rule.id and m.expect)


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.id) for r in RESOURCE_RULES])
def test_unknown_value_during_preview(rule: ResourceRule) -> None:
    """The field the rule checks is unknown (preview): the policy SDK's proxy raises its
    UnknownValueError (reported as "can't run during preview"); ``evaluate`` returns Undetermined.
    References to other resources (``UNKNOWN_MEANS_SET``) count as configured instead."""
    mutation = _first_failure(rule)
    props = mutate(COMPLIANT[mutation.resource_type], {mutation.first_path: UNKNOWN_STRING_VALUE})
    wrapped = unknown_checking_proxy(props)
    if rule.id in UNKNOWN_MEANS_SET:
        assert isinstance(run_check(rule, mutation.resource_type, wrapped), Compliant)
        return
    with pytest.raises(UnknownValueError):
        run_check(rule, mutation.resource_type, wrapped)
    assert isinstance(evaluate(rule, mutation.resource_type, props), Undetermined)


MALFORMED_VALUES: tuple[Any, ...] = (None, 0, 2.5, True, "", "x", [], ["x"], {}, {"x": 1})


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.id) for r in RESOURCE_RULES])
def test_malformed_props_never_crash(rule: ResourceRule) -> None:
    """Every path of the fixture replaced by every wrong type: the rule returns an outcome."""
    for resource_type in _fixture_types(rule):
        fixture = COMPLIANT[resource_type]
        for path in leaf_paths(fixture):
            for value in MALFORMED_VALUES:
                outcome = evaluate(rule, resource_type, mutate(fixture, {path: value}))
                assert isinstance(outcome, Compliant | NonCompliant | NotApplicable), (path, value)


@pytest.mark.parametrize(
    "rule", [pytest.param(r, id=r.id) for r in RESOURCE_RULES if r.production_only]
)
def test_production_only_rule_not_applicable_in_lab(rule: ResourceRule) -> None:
    mutation = _first_failure(rule)
    props = mutate(mutation.props(), {"tags.data-classification": "internal"})
    outcome = evaluate(rule, mutation.resource_type, props, profile=Profile.LAB)
    assert isinstance(outcome, NotApplicable)
    assert "production profile" in outcome.reason


@pytest.mark.parametrize(
    "rule", [pytest.param(r, id=r.id) for r in RESOURCE_RULES if r.phi_in_every_profile]
)
def test_phi_tagged_resource_is_checked_in_lab_too(rule: ResourceRule) -> None:
    mutation = _first_failure(rule)
    phi = mutate(mutation.props(), {"tags.data-classification": "PHI"})
    assert isinstance(evaluate(rule, mutation.resource_type, phi, profile=Profile.LAB), NonCompliant)


def test_a_gateway_without_point_to_site_is_not_judged_on_p2s_sign_in() -> None:
    from policy_cases import DELETE, VPN_GATEWAY

    rule = _rule("network-vpngateway-require-entra-id-for-p2s")
    props = mutate(COMPLIANT[VPN_GATEWAY], {"vpnClientConfiguration": DELETE})
    assert isinstance(evaluate(rule, VPN_GATEWAY, props), NotApplicable)
