"""Budgets and availability alerts: every AI lab's resource group has a budget that notifies
someone; in production every PHI store has an availability alert reaching an action group. Both
relations are read from dependencies (the budget's scope, the alert's scopes), never from ids."""

from __future__ import annotations

from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from stack_cases import res, stack_rule

from policies.alerting import AVAILABILITY_ALERTS, PHI_STORE_TYPES, MetricAlert
from policies.evaluation import evaluate_stack
from policies.model import (
    Compliant,
    NonCompliant,
    NotApplicable,
    Profile,
    StackResource,
    Undetermined,
)

RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
BUDGET = "azure-native:consumption:Budget"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
ACTIVITY_LOG_ALERT = "azure-native:monitor:ActivityLogAlert"
STORAGE = "azure-native:storage:StorageAccount"
FHIR = "azure-native:healthcareapis:FhirService"
DICOM = "azure-native:healthcareapis:DicomService"
COSMOS = "azure-native:cosmosdb:DatabaseAccount"
ACTION_GROUP_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag"
BUDGET_RULE = "cost-resourcegroup-require-budget"
AVAILABILITY_RULE = "monitor-phistore-require-availability-alert"


def _reasons(outcome: object) -> str:
    assert isinstance(outcome, NonCompliant), outcome
    return " ".join(outcome.reasons)


# --- budgets ------------------------------------------------------------------------------------

LAB_GROUP = res(RESOURCE_GROUP, "lab-rg", {"tags": {"hlz-lab": "clinical-nlp"}})
PLATFORM_GROUP = res(RESOURCE_GROUP, "management-rg", {"tags": {"owner": "platform"}})


def budget(scope: StackResource, *, enabled: bool = True, **contacts: list[str]) -> StackResource:
    notification: dict[str, Any] = {"enabled": enabled, "threshold": 80.0}
    notification.update(contacts or {"contactEmails": ["team@example.org"]})
    return res(
        BUDGET,
        f"{scope.name}-budget",
        {"scope": "[unknown]", "notifications": {"actual-80": notification}},
        deps={"scope": [scope]},
    )


def test_a_lab_group_with_a_budget_that_notifies_is_compliant() -> None:
    outcomes = evaluate_stack(stack_rule(BUDGET_RULE), [LAB_GROUP, budget(LAB_GROUP)])
    assert outcomes == {LAB_GROUP.urn: Compliant()}


def test_an_action_group_alone_is_someone_to_notify() -> None:
    only_group = budget(LAB_GROUP, contactEmails=[], contactGroups=[ACTION_GROUP_ID])
    outcomes = evaluate_stack(stack_rule(BUDGET_RULE), [LAB_GROUP, only_group])
    assert outcomes == {LAB_GROUP.urn: Compliant()}


def test_a_lab_group_without_a_budget_is_named_with_its_lab() -> None:
    outcomes = evaluate_stack(stack_rule(BUDGET_RULE), [LAB_GROUP])
    assert "resource group 'lab-rg' of lab 'clinical-nlp' has no consumption budget" in _reasons(
        outcomes[LAB_GROUP.urn]
    )


def test_a_budget_on_another_group_does_not_count() -> None:
    outcomes = evaluate_stack(
        stack_rule(BUDGET_RULE), [LAB_GROUP, PLATFORM_GROUP, budget(PLATFORM_GROUP)]
    )
    assert isinstance(outcomes[LAB_GROUP.urn], NonCompliant)


def test_a_budget_that_notifies_nobody_is_no_budget() -> None:
    disabled = evaluate_stack(stack_rule(BUDGET_RULE), [LAB_GROUP, budget(LAB_GROUP, enabled=False)])
    assert "has a consumption budget that notifies nobody" in _reasons(disabled[LAB_GROUP.urn])
    silent = evaluate_stack(stack_rule(BUDGET_RULE), [LAB_GROUP, budget(LAB_GROUP, contactEmails=[])])
    assert isinstance(silent[LAB_GROUP.urn], NonCompliant)


def test_groups_without_the_lab_tag_are_not_judged() -> None:
    assert evaluate_stack(stack_rule(BUDGET_RULE), [PLATFORM_GROUP]) == {}


def test_the_lab_tag_name_is_case_insensitive_as_in_azure() -> None:
    group = res(RESOURCE_GROUP, "lab-rg", {"tags": {"HLZ-Lab": "imaging"}})
    assert "of lab 'imaging'" in _reasons(evaluate_stack(stack_rule(BUDGET_RULE), [group])[group.urn])


def test_the_budget_rule_applies_in_the_lab_profile_too() -> None:
    outcomes = evaluate_stack(stack_rule(BUDGET_RULE), [LAB_GROUP], profile=Profile.LAB)
    assert isinstance(outcomes[LAB_GROUP.urn], NonCompliant)


def test_an_unknown_notification_state_is_undetermined() -> None:
    unknown = res(
        BUDGET,
        "lab-rg-budget",
        {"notifications": {"actual-80": {"enabled": UNKNOWN_STRING_VALUE}}},
        deps={"scope": [LAB_GROUP]},
    )
    outcomes = evaluate_stack(stack_rule(BUDGET_RULE), [LAB_GROUP, unknown])
    assert isinstance(outcomes[LAB_GROUP.urn], Undetermined)


# --- availability alerts ------------------------------------------------------------------------

STORE = res(STORAGE, "st", {"tags": {"data-classification": "phi"}})


def metric_alert(
    target: StackResource,
    metric: str,
    *,
    enabled: bool = True,
    actions: list[dict[str, Any]] | None = None,
) -> StackResource:
    return res(
        METRIC_ALERT,
        f"{target.name}-{metric.lower()}",
        {
            "enabled": enabled,
            "scopes": ["[unknown]"],
            "criteria": {"allOf": [{"metricName": metric}]},
            "actions": [{"actionGroupId": ACTION_GROUP_ID}] if actions is None else actions,
        },
        deps={"scopes": [target]},
    )


def health_alert(target: StackResource, category: str = "ResourceHealth") -> StackResource:
    return res(
        ACTIVITY_LOG_ALERT,
        f"{target.name}-health",
        {
            "scopes": ["[unknown]"],
            "condition": {"allOf": [{"field": "category", "equals": category}]},
            "actions": {"actionGroups": [{"actionGroupId": ACTION_GROUP_ID}]},
        },
        deps={"scopes": [target]},
    )


def test_every_phi_store_type_has_one_availability_alert() -> None:
    assert set(AVAILABILITY_ALERTS) == PHI_STORE_TYPES
    assert AVAILABILITY_ALERTS[DICOM].kind == "resource health"  # Azure has no DICOM metric


def test_a_store_with_its_availability_alert_is_compliant() -> None:
    outcomes = evaluate_stack(
        stack_rule(AVAILABILITY_RULE), [STORE, metric_alert(STORE, "Availability")]
    )
    assert outcomes == {STORE.urn: Compliant()}


def test_each_store_type_is_judged_on_its_own_signal() -> None:
    rule = stack_rule(AVAILABILITY_RULE)
    for token, spec in AVAILABILITY_ALERTS.items():
        store = res(token, "store")
        if isinstance(spec, MetricAlert):
            right, wrong = metric_alert(store, spec.metric_name), health_alert(store)
        else:
            right, wrong = health_alert(store), metric_alert(store, "Availability")
        assert evaluate_stack(rule, [store, right]) == {store.urn: Compliant()}, token
        assert isinstance(evaluate_stack(rule, [store, wrong])[store.urn], NonCompliant), token


def test_a_store_without_an_availability_alert_says_what_to_add() -> None:
    rule = stack_rule(AVAILABILITY_RULE)
    latency = metric_alert(STORE, "SuccessE2ELatency")
    reasons = _reasons(evaluate_stack(rule, [STORE, latency])[STORE.urn])
    assert "StorageAccount 'st' has no availability alert" in reasons
    assert "metric 'Availability' (Microsoft.Storage/storageAccounts)" in reasons
    dicom = res(DICOM, "dicom")
    assert "an azure-native:monitor:ActivityLogAlert on category 'ResourceHealth'" in _reasons(
        evaluate_stack(rule, [dicom])[dicom.urn]
    )


def test_an_alert_on_another_store_does_not_count() -> None:
    other = res(STORAGE, "st-other")
    outcomes = evaluate_stack(
        stack_rule(AVAILABILITY_RULE), [STORE, other, metric_alert(other, "Availability")]
    )
    assert isinstance(outcomes[STORE.urn], NonCompliant)
    assert outcomes[other.urn] == Compliant()


def test_a_disabled_or_silent_alert_is_not_enough() -> None:
    rule = stack_rule(AVAILABILITY_RULE)
    for alert in (
        metric_alert(STORE, "Availability", enabled=False),
        metric_alert(STORE, "Availability", actions=[]),
    ):
        assert "disabled or notifies no action group" in _reasons(
            evaluate_stack(rule, [STORE, alert])[STORE.urn]
        )


def test_a_store_classified_below_phi_is_not_a_phi_store() -> None:
    internal = res(COSMOS, "cosmos", {"tags": {"data-classification": "internal"}})
    outcome = evaluate_stack(stack_rule(AVAILABILITY_RULE), [internal])[internal.urn]
    assert isinstance(outcome, NotApplicable)
    assert "not a PHI store" in outcome.reason


def test_availability_alerts_are_required_in_production_only() -> None:
    outcomes = evaluate_stack(stack_rule(AVAILABILITY_RULE), [STORE], profile=Profile.LAB)
    assert isinstance(outcomes[STORE.urn], NotApplicable)


def test_an_unknown_metric_name_is_undetermined() -> None:
    known = metric_alert(STORE, "Availability")
    unknown = res(
        METRIC_ALERT,
        "st-unknown",
        {**known.props, "criteria": {"allOf": [{"metricName": UNKNOWN_STRING_VALUE}]}},
        deps={"scopes": [STORE]},
    )
    outcomes = evaluate_stack(stack_rule(AVAILABILITY_RULE), [STORE, unknown])
    assert isinstance(outcomes[STORE.urn], Undetermined)


def test_fhir_without_an_alert_fails() -> None:
    fhir = res(FHIR, "fhir")
    assert isinstance(evaluate_stack(stack_rule(AVAILABILITY_RULE), [fhir])[fhir.urn], NonCompliant)
