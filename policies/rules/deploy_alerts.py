"""Deploy rules for budgets, metric alert rules and action groups: what Azure Resource Manager
refuses, read from the REST API's own descriptions and Learn's metric alert template.

| type            | ARM refuses                                                             |
|-----------------|-------------------------------------------------------------------------|
| budget          | a start date that is not the first of a month, before June 1 2017 or    |
|                 | more than twelve months ahead; an end date not after the start; more    |
|                 | than five notifications; a threshold outside 0-1000 percent; a          |
|                 | notification without an email or action group at resource-group scope;  |
|                 | more than 50 emails or action groups in one notification                |
| metric alert    | a severity outside 0-4; a window or evaluation frequency outside        |
|                 | Learn's lists; single-resource criteria on several scopes; several      |
|                 | scopes without targetResourceType and targetResourceRegion              |
| activity log    | a location other than global, West or North Europe; no scope; a        |
| alert           | condition member mixing a leaf (field, equals/containsAny) with anyOf   |
| action group    | a short name longer than 12 characters                                  |

"Past start date should be selected within the timegrain period" (a monthly budget created with
a start date before the current month) is refused only when the budget is created; an existing
budget keeps its start date (ARM refuses to change it), so no offline rule can tell the two apart:
``hlz preflight``'s ``budget-start`` check does, reading the budget from the subscription.
docs/alerts.md says how hlz keeps the start date stable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..alerting import (
    ACTION_GROUP_SHORT_NAME_MAX,
    BUDGET_EARLIEST_START,
    BUDGET_MAX_CONTACTS,
    BUDGET_MAX_MONTHS_AHEAD,
    BUDGET_MAX_NOTIFICATIONS,
    BUDGET_OPERATORS,
    BUDGET_THRESHOLD_RANGE,
    BUDGET_THRESHOLD_TYPES,
    BUDGETS_REST,
    METRIC_ALERT_FREQUENCIES,
    METRIC_ALERT_SEVERITIES,
    METRIC_ALERT_WINDOWS,
    METRIC_ALERTS_TEMPLATE,
    SINGLE_RESOURCE_CRITERIA,
    budget_month_limit,
)
from ..model import Category, NotApplicable, Outcome, ResourceRule, Severity, outcome_from
from ..props import as_int, as_mapping, as_number, as_sequence, as_str, describe, get, same_text
from .ai_governance import today
from .tokens import ACTION_GROUP, ACTIVITY_LOG_ALERT, CONSUMPTION_BUDGET, METRIC_ALERT

__all__ = ["RULES"]

DEPLOY = Category.DEPLOY


def _date(value: Any) -> dt.date | None:
    """The calendar date of an ISO date or date-time string (``2026-12-01T00:00:00Z``)."""
    text = as_str(value)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def check_budget_time_period(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    raw_start = get(props, "timePeriod", "startDate")
    start = _date(raw_start)
    if start is None:
        return outcome_from(
            [f"timePeriod.startDate is {describe(raw_start)}; set the first day of a month"]
        )
    reasons: list[str] = []
    if start.day != 1:
        reasons.append(
            f"timePeriod.startDate {start.isoformat()} is not the first of a month; ARM accepts "
            f"only the first (use {start.replace(day=1).isoformat()})"
        )
    if start < BUDGET_EARLIEST_START:
        reasons.append(
            f"timePeriod.startDate {start.isoformat()} is before "
            f"{BUDGET_EARLIEST_START.isoformat()}, the earliest start ARM accepts"
        )
    latest = budget_month_limit(today())
    if start > latest:
        reasons.append(
            f"timePeriod.startDate {start.isoformat()} is more than {BUDGET_MAX_MONTHS_AHEAD} "
            f"months ahead; ARM accepts {latest.isoformat()} at the latest today"
        )
    raw_end = get(props, "timePeriod", "endDate")
    end = _date(raw_end)
    if raw_end is not None and (end is None or end <= start):
        reasons.append(
            f"timePeriod.endDate is {describe(raw_end)}; it must be a date after the start date "
            "(leave it out: Azure ends the budget ten years after its start)"
        )
    return outcome_from(reasons)


def _count(value: Any) -> int:
    return len(as_sequence(value))


def check_budget_notifications(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    notifications = as_mapping(get(props, "notifications")) or {}
    reasons: list[str] = []
    if len(notifications) > BUDGET_MAX_NOTIFICATIONS:
        reasons.append(
            f"{len(notifications)} notifications; a budget has at most {BUDGET_MAX_NOTIFICATIONS}"
        )
    low, high = BUDGET_THRESHOLD_RANGE
    for key in notifications:
        notification = notifications[key]
        where = f"notifications.{key}"
        threshold = get(notification, "threshold")
        number = as_number(threshold)
        if number is None or not low <= number <= high:
            reasons.append(
                f"{where}.threshold is {describe(threshold)}; it is a percent from {low} to {high}"
            )
        threshold_type = get(notification, "thresholdType")
        if threshold_type is not None and not any(
            same_text(threshold_type, allowed) for allowed in BUDGET_THRESHOLD_TYPES
        ):
            reasons.append(
                f"{where}.thresholdType is {describe(threshold_type)}; use one of "
                + ", ".join(BUDGET_THRESHOLD_TYPES)
            )
        operator = get(notification, "operator")
        if not any(same_text(operator, allowed) for allowed in BUDGET_OPERATORS):
            reasons.append(
                f"{where}.operator is {describe(operator)}; use one of "
                + ", ".join(BUDGET_OPERATORS)
            )
        emails = _count(get(notification, "contactEmails"))
        groups = _count(get(notification, "contactGroups"))
        if emails == 0 and groups == 0:
            reasons.append(
                f"{where} has no contactEmails and no contactGroups; ARM needs at least one at "
                "subscription and resource-group scope"
            )
        for name, count in (("contactEmails", emails), ("contactGroups", groups)):
            if count > BUDGET_MAX_CONTACTS:
                reasons.append(
                    f"{where}.{name} has {count} entries; ARM accepts at most {BUDGET_MAX_CONTACTS}"
                )
    return outcome_from(reasons)


def check_metric_alert_evaluation(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    severity = get(props, "severity")
    if as_int(severity) not in METRIC_ALERT_SEVERITIES:
        reasons.append(f"severity is {describe(severity)}; use 0 (critical) to 4 (verbose)")
    for name, allowed in (
        ("windowSize", METRIC_ALERT_WINDOWS),
        ("evaluationFrequency", METRIC_ALERT_FREQUENCIES),
    ):
        value = get(props, name)
        if as_str(value) not in allowed:
            reasons.append(f"{name} is {describe(value)}; use one of {', '.join(allowed)}")
    return outcome_from(reasons)


def check_metric_alert_scopes(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    scopes = _count(get(props, "scopes"))
    criteria_type = get(props, "criteria", "odataType")
    reasons: list[str] = []
    if same_text(criteria_type, SINGLE_RESOURCE_CRITERIA) and scopes != 1:
        reasons.append(
            f"criteria '{SINGLE_RESOURCE_CRITERIA}' watches one resource, and scopes has "
            f"{scopes}; give it exactly one resource id (or use multiple-resource criteria)"
        )
    elif scopes > 1:
        missing = [
            name
            for name in ("targetResourceType", "targetResourceRegion")
            if as_str(get(props, name)) is None
        ]
        if missing:
            reasons.append(
                f"scopes has {scopes} resources and {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set; ARM needs both for more than "
                "one resource"
            )
    return outcome_from(reasons)


ACTIVITY_LOG_ALERT_LOCATIONS = ("global", "westeurope", "northeurope")
"""'Azure Activity Log Alert rules are supported on Global, West Europe and North Europe
regions' (the resource's location, REST API 2020-10-01)."""


def _condition_problem(condition: Any, where: str) -> str | None:
    """Why one member of a rule's ``condition.allOf`` is neither a leaf (``field`` with exactly
    one of ``equals`` and ``containsAny``) nor an anyOf (``anyOf`` alone), or None."""
    present = {
        name
        for name in ("field", "equals", "containsAny", "anyOf")
        if get(condition, name) is not None
    }
    if present == {"anyOf"}:
        return None
    if (
        "field" in present
        and "anyOf" not in present
        and len(present & {"equals", "containsAny"}) == 1
    ):
        return None
    return (
        f"{where} has {', '.join(sorted(present)) or 'nothing'}; a condition is a leaf (field "
        "with equals or containsAny) or an anyOf, never a mix"
    )


def check_activity_log_alert(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    location = get(props, "location")
    if location is not None and not any(
        same_text(location, allowed) for allowed in ACTIVITY_LOG_ALERT_LOCATIONS
    ):
        reasons.append(
            f"location is {describe(location)}; activity log alert rules live in "
            + ", ".join(ACTIVITY_LOG_ALERT_LOCATIONS)
        )
    if _count(get(props, "scopes")) == 0:
        reasons.append("scopes is empty; it must name at least one resource id (a prefix)")
    for index, condition in enumerate(as_sequence(get(props, "condition", "allOf"))):
        problem = _condition_problem(condition, f"condition.allOf[{index}]")
        if problem is not None:
            reasons.append(problem)
    return outcome_from(reasons)


def check_action_group_short_name(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "groupShortName")
    name = as_str(value)
    if name is None:
        return NotApplicable("groupShortName is not set; the type check reports a missing one")
    return outcome_from(
        []
        if 1 <= len(name) <= ACTION_GROUP_SHORT_NAME_MAX
        else [
            f"groupShortName {describe(value)} has {len(name)} characters; ARM accepts 1 to "
            f"{ACTION_GROUP_SHORT_NAME_MAX} (it is the sender name of SMS and email)"
        ]
    )


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="deploy-budget-restrict-time-period",
        category=DEPLOY,
        description=(
            "Budgets start on the first of a month, on or after June 1 2017 and at most twelve "
            "months ahead, and end after they start."
        ),
        rationale=(
            "ARM refuses any other start date ('The start date must be first of the month... on "
            "or after June 1, 2017. Future start date should not be more than twelve months')."
        ),
        severity=Severity.MEDIUM,
        remediation=(
            "Set timePeriod.startDate to the first day of the month the budget is first "
            "deployed in (hlz:budget.startDate) and leave endDate out."
        ),
        url=BUDGETS_REST,
        resource_types=frozenset({CONSUMPTION_BUDGET}),
        check=check_budget_time_period,
    ),
    ResourceRule(
        id="deploy-budget-restrict-notifications",
        category=DEPLOY,
        description=(
            "Budgets have at most five notifications, each with a threshold of 0-1000 percent, a "
            "known operator and threshold type, and at least one email or action group."
        ),
        rationale="ARM refuses a budget outside these limits.",
        severity=Severity.MEDIUM,
        remediation=(
            "Keep five notifications or fewer; set each threshold as a percent of the amount, "
            "operator GreaterThan, thresholdType Actual or Forecasted, and contactEmails or "
            "contactGroups (at most 50 of each)."
        ),
        url=BUDGETS_REST,
        resource_types=frozenset({CONSUMPTION_BUDGET}),
        check=check_budget_notifications,
    ),
    ResourceRule(
        id="deploy-metricalert-restrict-evaluation",
        category=DEPLOY,
        description=(
            "Metric alert rules use a severity of 0-4 and a window and evaluation frequency ARM "
            "accepts."
        ),
        rationale=(
            "Severity is one of 0-4, windowSize one of PT1M-PT24H and evaluationFrequency one of "
            "PT1M-PT1H (Learn's metric alert template); ARM refuses other values."
        ),
        severity=Severity.MEDIUM,
        remediation=(
            "Use severity 0-4, windowSize PT1M, PT5M, PT15M, PT30M, PT1H, PT6H, PT12H or PT24H "
            "and evaluationFrequency PT1M, PT5M, PT15M, PT30M or PT1H."
        ),
        url=METRIC_ALERTS_TEMPLATE,
        resource_types=frozenset({METRIC_ALERT}),
        check=check_metric_alert_evaluation,
    ),
    ResourceRule(
        id="deploy-metricalert-restrict-scopes",
        category=DEPLOY,
        description=(
            "Single-resource metric alert rules have exactly one scope; rules over several "
            "resources name their type and region."
        ),
        rationale=(
            "targetResourceType and targetResourceRegion are 'mandatory if the scope contains a "
            "subscription, resource group, or more than one resource'; single-resource criteria "
            "watch one resource."
        ),
        severity=Severity.MEDIUM,
        remediation=(
            "Give a single-resource rule one resource id in scopes; for several resources use "
            "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria with "
            "targetResourceType and targetResourceRegion."
        ),
        url="https://learn.microsoft.com/rest/api/monitor/metric-alerts/create-or-update",
        resource_types=frozenset({METRIC_ALERT}),
        check=check_metric_alert_scopes,
    ),
    ResourceRule(
        id="deploy-activitylogalert-restrict-condition",
        category=DEPLOY,
        description=(
            "Activity log alert rules are global (or West or North Europe), name at least one "
            "scope, and build their condition from leaves and anyOf groups without mixing them."
        ),
        rationale=(
            "ARM refuses another location, an empty scopes list, and a condition member that "
            "mixes a leaf's field/equals/containsAny with anyOf."
        ),
        severity=Severity.MEDIUM,
        remediation=(
            "Set location 'global', scopes to the resource ids the rule watches, and each "
            "condition as {field, equals} / {field, containsAny} or {anyOf: [leaves]}."
        ),
        url="https://learn.microsoft.com/rest/api/monitor/activity-log-alerts/create-or-update",
        resource_types=frozenset({ACTIVITY_LOG_ALERT}),
        check=check_activity_log_alert,
    ),
    ResourceRule(
        id="deploy-actiongroup-restrict-short-name",
        category=DEPLOY,
        description="Action group short names have 1 to 12 characters.",
        rationale="groupShortName has a maximum length of 12; ARM refuses a longer one.",
        severity=Severity.LOW,
        remediation="Shorten groupShortName to 12 characters or fewer.",
        url="https://learn.microsoft.com/azure/azure-monitor/alerts/action-groups",
        resource_types=frozenset({ACTION_GROUP}),
        check=check_action_group_short_name,
    ),
)
