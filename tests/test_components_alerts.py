"""Budgets and baseline alerts (docs/alerts.md): named scenarios of ``components.alerts`` and
``components.budget``, the vendored AMBA data the thresholds come from, and what the example
plans create and wire."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from pydantic import ValidationError

from components.alerts import (
    ActionGroup,
    ActionGroupArgs,
    AlertTarget,
    BaselineAlerts,
    BaselineAlertsArgs,
)
from components.budget import BudgetSpec, LabBudget, LabBudgetArgs
from components.naming import Namer
from components.shared import Placement
from hlz.plan import Plan
from policies.alerting import (
    AMBA,
    AMBA_SOURCE,
    AVAILABILITY_ALERTS,
    BASELINE_ALERTS,
    BUDGET_NOTIFICATIONS,
    DATA_FILE,
    PHI_STORE_TYPES,
    HealthAlert,
    MetricAlert,
)
from policies.vocabulary import LAB_TAG
from tests.conftest import of_type, one, run_components

TAGS = {"owner": "o", "cost-center": "c", "environment": "e", "data-classification": "phi"}
PLACEMENT = Placement(resource_group_name="rg-test", location="eastus2", tags=TAGS)
NAMER = Namer(prefix="hlzt", suffix="abcde")
AG_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag-t"
RG_ID = "/subscriptions/s/resourceGroups/rg-hlzt-notes"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
ACTIVITY_LOG_ALERT = "azure-native:monitor:ActivityLogAlert"
BUDGET = "azure-native:consumption:Budget"
STORAGE = "azure-native:storage:StorageAccount"
ACCOUNT = "azure-native:cognitiveservices:Account"
DICOM = "azure-native:healthcareapis:DicomService"


def _id(kind: str, name: str) -> str:
    return f"/subscriptions/s/resourceGroups/rg/providers/{kind}/{name}"


# --- the action group ---------------------------------------------------------------------------


def action_group(**overrides) -> list:
    values = {
        "placement": PLACEMENT,
        "action_group_name": "ag-hlzt-platform",
        "short_name": "hlzt",
        "email_receivers": ["platform-team@example.org", "oncall@example.org"],
        **overrides,
    }
    return run_components(lambda: ActionGroup("alerts", ActionGroupArgs(**values)) and None)


def test_action_group_defaults_email_every_receiver_in_the_common_schema():
    group = one(action_group(), ACTION_GROUP).inputs
    assert group["location"] == "global"
    assert group["enabled"] is True
    assert group["groupShortName"] == "hlzt"
    assert group["emailReceivers"] == [
        {
            "name": "email-1",
            "emailAddress": "platform-team@example.org",
            "useCommonAlertSchema": True,
        },
        {"name": "email-2", "emailAddress": "oncall@example.org", "useCommonAlertSchema": True},
    ]
    assert group["tags"] == TAGS


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"short_name": "hlz-platform1"}, "at most 12 characters"),
        ({"email_receivers": []}, "needs at least one address"),
        ({"email_receivers": ["platform team"]}, "'platform team' is not an email address"),
        ({"email_receivers": ["a@example.org", "A@example.org"]}, "is listed twice"),
    ],
)
def test_action_group_refuses_what_azure_or_a_reader_would(overrides, fragment):
    with pytest.raises(ValidationError) as caught:
        ActionGroupArgs(
            **{
                "placement": PLACEMENT,
                "action_group_name": "ag-t",
                "short_name": "hlzt",
                "email_receivers": ["a@example.org"],
                **overrides,
            }
        )
    assert fragment in str(caught.value)


def test_uniform_outputs():
    for component in (ActionGroup, LabBudget):
        assert {"id", "name"} <= set(component.__annotations__), component


# --- baseline alerts ----------------------------------------------------------------------------


def baseline(*targets: AlertTarget) -> list:
    args = BaselineAlertsArgs(
        placement=PLACEMENT, namer=NAMER, targets=list(targets), action_group_id=AG_ID
    )
    return run_components(lambda: BaselineAlerts("alerts", args) and None)


def test_a_storage_account_gets_amba_s_availability_alert_to_the_action_group():
    storage_id = _id("Microsoft.Storage/storageAccounts", "st")
    rule = one(
        baseline(AlertTarget(role="storage", resource_type=STORAGE, resource_id=storage_id)),
        METRIC_ALERT,
    ).inputs
    entry = AMBA["b1a4849b-78a8-437f-8113-7c6f2dc34927"].properties
    assert rule["ruleName"] == "ar-hlzt-storage-availability"
    assert rule["location"] == "global"
    assert rule["scopes"] == [storage_id]
    assert rule["actions"] == [{"actionGroupId": AG_ID}]
    assert rule["severity"] == entry["severity"]
    assert rule["windowSize"] == entry["windowSize"]
    assert rule["evaluationFrequency"] == entry["evaluationFrequency"]
    assert rule["autoMitigate"] is entry["autoMitigate"]
    (criterion,) = rule["criteria"]["allOf"]
    assert (
        rule["criteria"]["odataType"]
        == "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"
    )
    assert criterion["metricName"] == entry["metricName"] == "Availability"
    assert criterion["metricNamespace"] == entry["metricNamespace"]
    assert (criterion["operator"], criterion["threshold"]) == (
        entry["operator"],
        entry["threshold"],
    )
    assert criterion["timeAggregation"] == entry["timeAggregation"]
    assert "AMBA b1a4849b-78a8-437f-8113-7c6f2dc34927" in rule["description"]
    assert rule["tags"] == TAGS


def test_an_ai_account_gets_throttling_blocked_and_harmful_request_alerts():
    rules = of_type(
        baseline(
            AlertTarget(
                role="openai",
                resource_type=ACCOUNT,
                resource_id=_id("Microsoft.CognitiveServices/accounts", "oai"),
            )
        ),
        METRIC_ALERT,
    )
    by_name = {r.inputs["ruleName"]: r.inputs["criteria"]["allOf"][0] for r in rules}
    assert set(by_name) == {
        "ar-hlzt-openai-throttling",
        "ar-hlzt-openai-blocked",
        "ar-hlzt-openai-harmful",
    }
    throttling = by_name["ar-hlzt-openai-throttling"]
    assert throttling["metricName"] == "AzureOpenAIRequests"
    assert throttling["dimensions"] == [
        {"name": "StatusCode", "operator": "Include", "values": ["429"]}
    ]
    assert by_name["ar-hlzt-openai-blocked"]["metricName"] == "RAIRejectedRequests"
    assert by_name["ar-hlzt-openai-harmful"]["metricName"] == "RAIHarmfulRequests"


def test_a_dicom_service_gets_a_resource_health_alert():
    dicom_id = _id("Microsoft.HealthcareApis/workspaces", "hds/dicomservices/dicom")
    registrations = baseline(AlertTarget(role="dicom", resource_type=DICOM, resource_id=dicom_id))
    assert not of_type(registrations, METRIC_ALERT)
    rule = one(registrations, ACTIVITY_LOG_ALERT).inputs
    assert rule["activityLogAlertName"] == "ar-hlzt-dicom-availability"
    assert rule["scopes"] == [dicom_id]
    assert rule["location"] == "global"
    assert rule["condition"]["allOf"] == [
        {"field": "category", "equals": "ResourceHealth"},
        {"field": "properties.cause", "containsAny": ["PlatformInitiated", "UserInitiated"]},
        {"field": "properties.currentHealthStatus", "containsAny": ["Degraded", "Unavailable"]},
    ]
    assert rule["actions"] == {"actionGroups": [{"actionGroupId": AG_ID}]}


def test_a_type_without_baseline_alerts_is_refused_before_anything_exists():
    with pytest.raises(ValidationError) as caught:
        AlertTarget(
            role="vnet",
            resource_type="azure-native:network:VirtualNetwork",
            resource_id=_id("Microsoft.Network/virtualNetworks", "vnet"),
        )
    assert "azure-native:network:VirtualNetwork has no baseline alerts" in str(caught.value)


# --- the vendored AMBA data ------------------------------------------------------------------------


def test_the_vendored_amba_file_records_its_source_and_every_entry_s_place():
    document = json.loads(DATA_FILE.read_text())
    assert AMBA_SOURCE["repository"] == "Azure/azure-monitor-baseline-alerts"
    assert re.fullmatch(r"[0-9a-f]{40}", AMBA_SOURCE["commit"])
    assert date.fromisoformat(AMBA_SOURCE["date"])
    for entry in document["alerts"]:
        assert re.fullmatch(r"services/[A-Za-z]+/[A-Za-z]+/alerts\.yaml", entry["path"]), entry
        assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", entry["guid"]), entry


def _alerts() -> list[MetricAlert | HealthAlert]:
    return [alert for alerts in BASELINE_ALERTS.values() for alert in alerts]


@pytest.mark.parametrize("alert", [pytest.param(a, id=a.title) for a in _alerts()])
def test_every_value_is_amba_s_unless_a_deviation_says_why(alert):
    """A field may differ from its AMBA entry only when ``deviations`` names it, and each alert
    without an AMBA entry says why its values were chosen and names its Learn metrics page."""
    assert alert.reference.startswith("https://learn.microsoft.com/")
    if alert.amba is None:
        assert alert.deviations and alert.deviations[0].startswith("no AMBA entry")
        return
    entry = AMBA[alert.amba]
    if isinstance(alert, HealthAlert):
        assert entry.type == "ActivityLog"
        return
    amba_values = {
        "metric_namespace": entry.properties["metricNamespace"],
        "metric_name": entry.properties["metricName"],
        "time_aggregation": entry.properties["timeAggregation"],
        "operator": entry.properties["operator"],
        "threshold": entry.properties["threshold"],
        "window_size": entry.properties["windowSize"],
        "evaluation_frequency": entry.properties["evaluationFrequency"],
        "severity": entry.properties["severity"],
        "auto_mitigate": entry.properties.get("autoMitigate", True),
        "dimensions": (),
    }
    changed = {name for name, value in amba_values.items() if getattr(alert, name) != value}
    explained = {deviation.split(":", 1)[0] for deviation in alert.deviations}
    assert changed == explained


def test_every_phi_store_type_has_an_availability_alert_in_the_catalogue():
    assert set(AVAILABILITY_ALERTS) == PHI_STORE_TYPES
    assert all(AVAILABILITY_ALERTS[t] in BASELINE_ALERTS[t] for t in PHI_STORE_TYPES)


# --- the budget ---------------------------------------------------------------------------------


def lab_budget(**overrides) -> list:
    values = {
        "budget_name": "budget-hlzt-notes",
        "scope": RG_ID,
        "amount": 1500,
        "start_date": date(2026, 12, 1),
        "contact_emails": ["notes-team@example.org"],
        "action_group_id": AG_ID,
        **overrides,
    }
    return run_components(lambda: LabBudget("budget", LabBudgetArgs(**values)) and None)


def test_budget_defaults_notify_owners_and_the_action_group_at_80_100_and_120_forecast():
    budget = one(lab_budget(), BUDGET).inputs
    assert budget["scope"] == RG_ID
    assert budget["amount"] == 1500
    assert (budget["category"], budget["timeGrain"]) == ("Cost", "Monthly")
    assert budget["timePeriod"] == {"startDate": "2026-12-01T00:00:00Z"}
    assert "tags" not in budget  # budgets take no tags
    notifications = budget["notifications"]
    found = sorted((k, n["threshold"], n["thresholdType"]) for k, n in notifications.items())
    assert found == sorted((n.key, n.threshold, n.threshold_type) for n in BUDGET_NOTIFICATIONS)
    assert found == [
        ("actual-100", 100, "Actual"),
        ("actual-80", 80, "Actual"),
        ("forecasted-120", 120, "Forecasted"),
    ]
    for notification in notifications.values():
        assert notification["enabled"] is True
        assert notification["operator"] == "GreaterThan"
        assert notification["contactEmails"] == ["notes-team@example.org"]
        assert notification["contactGroups"] == [AG_ID]


@pytest.mark.parametrize(
    ("start", "fragment"),
    [
        (date(2026, 12, 15), "2026-12-15 is not the first of a month"),
        (date(2017, 5, 1), "is before 2017-06-01"),
    ],
)
def test_a_start_date_azure_refuses_is_refused_by_the_spec(start, fragment):
    with pytest.raises(ValidationError) as caught:
        BudgetSpec(amount=100, start_date=start)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("amount", [0, -5])
def test_a_budget_has_a_positive_amount(amount):
    with pytest.raises(ValidationError):
        BudgetSpec(amount=amount, start_date=date(2026, 12, 1))


# --- the example plans --------------------------------------------------------------------------


def test_landing_zone_alerts_reach_its_action_group_and_it_is_exported(lz_prod: Plan):
    (group,) = lz_prod.of_type(ACTION_GROUP)
    assert lz_prod.outputs["actionGroupId"] == group.id
    assert [r["emailAddress"] for r in group.inputs["emailReceivers"]] == [
        "platform-team@example.org",
        "platform-oncall@example.org",
    ]
    rules = lz_prod.of_type(METRIC_ALERT)
    assert sorted(r.inputs["ruleName"] for r in rules) == [
        "ar-hlzprod-bastion-communication",
        "ar-hlzprod-firewall-health",
        "ar-hlzprod-firewall-snat",
        "ar-hlzprod-platform-kv-availability",
        "ar-hlzprod-platform-kv-latency",
    ]
    assert all(r.inputs["actions"] == [{"actionGroupId": group.id}] for r in rules)


def test_the_lz_dev_action_group_emails_its_owner_tag(lz_dev: Plan):
    (group,) = lz_dev.of_type(ACTION_GROUP)
    assert [r["emailAddress"] for r in group.inputs["emailReceivers"]] == [
        "platform-team@example.org"
    ]


def test_a_lab_s_budget_and_alerts_use_the_landing_zone_s_action_group(lab_prod: Plan):
    group_id = lab_prod.referenced["lz-prod"].outputs["actionGroupId"]
    (budget,) = lab_prod.of_type(BUDGET)
    (resource_group,) = lab_prod.of_type("azure-native:resources:ResourceGroup")
    assert budget.inputs["scope"] == resource_group.id
    for notification in budget.inputs["notifications"].values():
        assert notification["contactGroups"] == [group_id]
        assert notification["contactEmails"] == [
            "clinical-nlp-team@example.org",
            "dr.a.rivera@example.org",
        ]
    rules = lab_prod.of_type(METRIC_ALERT) + lab_prod.of_type(ACTIVITY_LOG_ALERT)
    assert len(rules) == 9
    for rule in rules:
        actions = rule.inputs["actions"]
        ids = (
            [a["actionGroupId"] for a in actions]
            if isinstance(actions, list)
            else [a["actionGroupId"] for a in actions["actionGroups"]]
        )
        assert ids == [group_id], rule.urn


def test_only_the_lab_s_resource_group_carries_the_lab_tag(lab_dev: Plan):
    (resource_group,) = lab_dev.of_type("azure-native:resources:ResourceGroup")
    assert resource_group.inputs["tags"][LAB_TAG] == "clinical-nlp"
    others = [r.urn for r in lab_dev.custom_resources if LAB_TAG in (r.inputs.get("tags") or {})]
    assert others == [resource_group.urn]


def test_every_phi_store_of_the_labs_has_its_availability_alert(lab_dev: Plan, lab_prod: Plan):
    for plan in (lab_dev, lab_prod):
        scoped = {
            scope
            for rule in plan.of_type(METRIC_ALERT) + plan.of_type(ACTIVITY_LOG_ALERT)
            for scope in rule.inputs["scopes"]
        }
        stores = [r for token in sorted(PHI_STORE_TYPES) for r in plan.of_type(token)]
        assert len(stores) == 5  # lab storage, agent files, threads, FHIR, DICOM
        assert all(store.id in scoped for store in stores)
