"""Budgets and availability alerts (docs/alerts.md): every AI lab's resource group has a
consumption budget that notifies someone, and in production every PHI store has an availability
alert that reaches an action group.

Both are stack rules: a budget or an alert is a resource of its own, related to what it watches
only through the input computed from it (the budget's ``scope``, the alert's ``scopes``), which
the dependencies prove even while ids are unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..alerting import AVAILABILITY_ALERTS, PHI_STORE_TYPES, HealthAlert, MetricAlert
from ..model import (
    Compliant,
    NotApplicable,
    Outcome,
    Profile,
    Severity,
    StackResource,
    StackRule,
    fail,
)
from ..props import as_bool, as_mapping, as_sequence, as_str, get, is_set, same_text
from ..vocabulary import CLASSIFICATION_TAG, LAB_TAG, holds_phi
from .relations import Referrers, of_type
from .tokens import ACTIVITY_LOG_ALERT, CONSUMPTION_BUDGET, METRIC_ALERT, RESOURCE_GROUP

__all__ = ["RULES", "check_availability_alerts", "check_lab_budgets"]


def _tag(props: Mapping[str, Any], name: str) -> str | None:
    """A tag's value, its name compared case-insensitively (as Azure does)."""
    tags = as_mapping(get(props, "tags")) or {}
    for key in tags:
        if isinstance(key, str) and key.casefold() == name.casefold():
            return as_str(tags[key])
    return None


def _notifies(budget: StackResource) -> bool:
    """Whether the budget has an enabled notification with a contact (an email, an action group
    or a role): a budget that tells nobody is no control."""
    notifications = as_mapping(get(budget.props, "notifications")) or {}
    for key in notifications:
        notification = notifications[key]
        if as_bool(get(notification, "enabled")) is not True:
            continue
        if any(
            is_set(notification, contacts)
            for contacts in ("contactEmails", "contactGroups", "contactRoles")
        ):
            return True
    return False


def check_lab_budgets(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    budgets = Referrers(of_type(resources, CONSUMPTION_BUDGET), "scope")
    outcomes: dict[str, Outcome] = {}
    for group in of_type(resources, RESOURCE_GROUP):
        lab = _tag(group.props, LAB_TAG)
        if lab is None:
            continue  # not an AI lab's resource group (the landing zone's, another stack's)
        scoped = budgets.of(group.urn)
        if any(_notifies(budget) for budget in scoped):
            outcomes[group.urn] = Compliant()
        elif scoped:
            outcomes[group.urn] = fail(
                f"resource group '{group.name}' of lab '{lab}' has a consumption budget that "
                "notifies nobody; enable its notifications and give each a contact (the lab "
                "owners' emails, the landing zone's action group)"
            )
        else:
            outcomes[group.urn] = fail(
                f"resource group '{group.name}' of lab '{lab}' has no consumption budget; add an "
                "azure-native:consumption:Budget with scope set to the group's id (hlz:budget "
                "does: docs/alerts.md)"
            )
    return outcomes


def _reaches_an_action_group(alert: StackResource) -> bool:
    if alert.resource_type == METRIC_ALERT:
        actions = as_sequence(get(alert.props, "actions"))
    else:
        actions = as_sequence(get(alert.props, "actions", "actionGroups"))
    return any(is_set(action, "actionGroupId") for action in actions)


def _enabled(alert: StackResource) -> bool:
    # ActivityLogAlert.enabled defaults to true; a metric alert states it (it is required).
    value = as_bool(get(alert.props, "enabled"))
    return value is not False if alert.resource_type == ACTIVITY_LOG_ALERT else value is True


def _watches_metric(alert: StackResource, spec: MetricAlert) -> bool:
    criteria = as_sequence(get(alert.props, "criteria", "allOf"))
    return any(same_text(get(criterion, "metricName"), spec.metric_name) for criterion in criteria)


def _watches_health(alert: StackResource, spec: HealthAlert) -> bool:
    conditions = as_sequence(get(alert.props, "condition", "allOf"))
    return any(
        same_text(get(condition, "field"), "category")
        and same_text(get(condition, "equals"), spec.category)
        for condition in conditions
    )


def _describe_alert(spec: MetricAlert | HealthAlert) -> str:
    if isinstance(spec, MetricAlert):
        return (
            f"an azure-native:monitor:MetricAlert on metric '{spec.metric_name}' "
            f"({spec.metric_namespace})"
        )
    return f"an azure-native:monitor:ActivityLogAlert on category '{spec.category}'"


def check_availability_alerts(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    metric_alerts = Referrers(of_type(resources, METRIC_ALERT), "scopes")
    health_alerts = Referrers(of_type(resources, ACTIVITY_LOG_ALERT), "scopes")
    outcomes: dict[str, Outcome] = {}
    for store in of_type(resources, *PHI_STORE_TYPES):
        classification = _tag(store.props, CLASSIFICATION_TAG)
        if classification is not None and not holds_phi(classification):
            outcomes[store.urn] = NotApplicable(
                f"classified '{classification}' ({CLASSIFICATION_TAG}): not a PHI store"
            )
            continue
        spec = AVAILABILITY_ALERTS[store.resource_type]
        if isinstance(spec, MetricAlert):
            candidates = [a for a in metric_alerts.of(store.urn) if _watches_metric(a, spec)]
        else:
            candidates = [a for a in health_alerts.of(store.urn) if _watches_health(a, spec)]
        if any(_enabled(a) and _reaches_an_action_group(a) for a in candidates):
            outcomes[store.urn] = Compliant()
            continue
        kind = store.resource_type.rsplit(":", 1)[-1]
        what = _describe_alert(spec)
        if candidates:
            outcomes[store.urn] = fail(
                f"{kind} '{store.name}' has an availability alert that is disabled or notifies "
                "no action group; enable it and add the landing zone's action group to its "
                "actions"
            )
        else:
            outcomes[store.urn] = fail(
                f"{kind} '{store.name}' has no availability alert; add {what} with scopes set "
                "to its id and the landing zone's action group in its actions "
                "(components.alerts.BaselineAlerts does)"
            )
    return outcomes


PRODUCTION = frozenset({Profile.PRODUCTION})

RULES: tuple[StackRule, ...] = (
    StackRule(
        id="cost-resourcegroup-require-budget",
        description=(
            "Every AI lab's resource group (tagged hlz-lab) has a consumption budget that "
            "notifies someone."
        ),
        rationale=(
            "A lab's spend far beyond its plan is how unreviewed use shows: a leaked key or "
            "token driving model calls, compute started outside change control. The budget's "
            "actual and forecast notifications are an information-system activity review signal "
            "for the lab owners and the platform team; they protect no ePHI by themselves, so "
            "the rule is advisory in the lab profile and mandatory in production."
        ),
        severity=Severity.LOW,
        hipaa=("164.308(a)(1)(ii)(D)",),
        remediation=(
            "Add an azure-native:consumption:Budget scoped to the resource group with enabled "
            "notifications to the lab owners and the landing zone's action group (hlz:budget; "
            "docs/alerts.md)."
        ),
        url="https://learn.microsoft.com/azure/cost-management-billing/costs/tutorial-acm-create-budgets",
        resource_types=frozenset({RESOURCE_GROUP}),
        check=check_lab_budgets,
    ),
    StackRule(
        id="monitor-phistore-require-availability-alert",
        description=(
            "In production every PHI store (storage account, FHIR service, DICOM service, Cosmos "
            "DB account) has an enabled availability alert that notifies an action group."
        ),
        rationale=(
            "Losing access to ePHI is a security incident under HIPAA (interference with system "
            "operations) and the trigger of the contingency plan's emergency-mode procedures; "
            "without an alert nobody learns of it until clinicians do."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.308(a)(7)(ii)(C)", "164.308(a)(6)(ii)"),
        remediation=(
            "Add the store's availability alert (a MetricAlert on its availability metric, or a "
            "Resource Health ActivityLogAlert where Azure has no such metric) scoped to the "
            "store, with the landing zone's action group in its actions (docs/alerts.md)."
        ),
        url="https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-overview",
        phi_protecting=True,
        profiles=PRODUCTION,
        resource_types=PHI_STORE_TYPES,
        check=check_availability_alerts,
    ),
)
