"""Budgets and baseline alerts, as data: what hlz alerts on and with which thresholds, where each
value comes from, the notifications every AI lab's budget sends, and the limits Azure Resource
Manager puts on budgets and metric alert rules (docs/alerts.md).

| piece                    | read by                                                        |
|--------------------------|----------------------------------------------------------------|
| ``BASELINE_ALERTS``      | ``components.alerts`` (the rules it creates per resource type),|
|                          | docs/alerts.md (generated table)                               |
| ``AVAILABILITY_ALERTS``  | ``monitor-phistore-require-availability-alert`` (what counts   |
|                          | as a PHI store's availability alert)                           |
| ``BUDGET_NOTIFICATIONS`` | ``components.budget``                                          |
| ARM limits (``BUDGET_*``,| the ``deploy-budget-*`` / ``deploy-metricalert-*`` rules       |
| ``METRIC_ALERT_*``)      |                                                                |

Thresholds come from the Azure Monitor Baseline Alerts (AMBA), vendored with their commit in
``data/amba_alerts.json``: a ``MetricAlert`` built ``from_amba`` takes every value from its AMBA
entry, and any value it changes is listed in ``deviations`` with the reason, so the documents show
it. Where AMBA has no entry for a type, the alert names the Learn supported-metrics page of the
metric it uses and says why its values were chosen.

Pure data: the pack imports it (it must stay importable on its own), so do the components.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from .rules.tokens import (
    BASTION_HOST,
    COGNITIVE_ACCOUNT,
    COSMOS_ACCOUNT,
    DICOM_SERVICE,
    FHIR_SERVICE,
    FIREWALL,
    KEY_VAULT,
    SEARCH_SERVICE,
    STORAGE_ACCOUNT,
    VIRTUAL_NETWORK_GATEWAY,
)

__all__ = [
    "AMBA",
    "AMBA_SOURCE",
    "AVAILABILITY_ALERTS",
    "BASELINE_ALERTS",
    "BUDGET_NOTIFICATIONS",
    "PHI_STORE_TYPES",
    "AlertSpec",
    "AmbaEntry",
    "BudgetNotification",
    "Dimension",
    "HealthAlert",
    "MetricAlert",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "amba_alerts.json"
AMBA_REPOSITORY = "https://github.com/Azure/azure-monitor-baseline-alerts"
_METRICS = "https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics"
RESOURCE_HEALTH_CHECKS = (
    "https://learn.microsoft.com/azure/service-health/resource-health-checks-resource-types"
)


# --- the vendored AMBA entries ------------------------------------------------------------------


@dataclass(frozen=True)
class AmbaEntry:
    """One alert of Azure/azure-monitor-baseline-alerts, as vendored."""

    guid: str
    path: str
    """Upstream file, ``services/<Provider>/<type>/alerts.yaml``."""
    name: str
    type: str
    """``Metric`` or ``ActivityLog``."""
    verified: bool
    """AMBA's own flag: whether AMBA validated the values against a live service."""
    description: str
    properties: Mapping[str, Any]

    @property
    def url(self) -> str:
        return f"{AMBA_REPOSITORY}/blob/{AMBA_SOURCE['commit']}/{self.path}"


def _load() -> tuple[Mapping[str, str], Mapping[str, AmbaEntry]]:
    document = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    entries = {
        item["guid"]: AmbaEntry(
            guid=item["guid"],
            path=item["path"],
            name=item["name"],
            type=item["type"],
            verified=bool(item["verified"]),
            description=item["description"],
            properties=MappingProxyType(dict(item["properties"])),
        )
        for item in document["alerts"]
    }
    return MappingProxyType(dict(document["source"])), MappingProxyType(entries)


AMBA_SOURCE, AMBA = _load()
"""The upstream commit and date (``AMBA_SOURCE``) and the vendored entries by guid (``AMBA``)."""


# --- the alerts hlz creates -----------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """A metric dimension filter of a criterion."""

    name: str
    operator: Literal["Include", "Exclude"]
    values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class MetricAlert:
    """A static-threshold metric alert rule on one resource."""

    key: str
    """Short role in names (``availability``): the rule is ``ar-<prefix>-<target>-<key>``."""
    title: str
    metric_namespace: str
    metric_name: str
    time_aggregation: str
    operator: str
    threshold: float
    window_size: str
    evaluation_frequency: str
    severity: int
    auto_mitigate: bool = True
    dimensions: tuple[Dimension, ...] = ()
    amba: str | None = None
    """The AMBA entry (guid) the values come from; None: AMBA has no entry for this metric."""
    reference: str
    """The Learn page listing the metric for the resource type (supported metrics)."""
    deviations: tuple[str, ...] = ()
    """What differs from the AMBA entry, and why (one sentence each); without an AMBA entry,
    why these values."""
    availability: bool = False
    """True: this is the resource's availability alert (PHI stores must have one in
    production)."""

    @property
    def kind(self) -> str:
        return "metric"


@dataclass(frozen=True, kw_only=True)
class HealthAlert:
    """A Resource Health activity log alert on one resource: for types whose availability Azure
    reports through Resource Health and no metric."""

    key: str
    title: str
    amba: str
    """The AMBA Resource Health entry whose condition it uses, narrowed to the resource."""
    reference: str
    deviations: tuple[str, ...] = ()
    availability: bool = False

    @property
    def kind(self) -> str:
        return "resource health"

    @property
    def category(self) -> str:
        return str(AMBA[self.amba].properties["category"])

    @property
    def causes(self) -> tuple[str, ...]:
        return tuple(AMBA[self.amba].properties["causes"])

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(AMBA[self.amba].properties["currentHealthStatus"])


AlertSpec = MetricAlert | HealthAlert


def from_amba(
    guid: str,
    *,
    key: str,
    title: str,
    reference: str,
    availability: bool = False,
    changes: Mapping[str, tuple[Any, str]] | None = None,
) -> MetricAlert:
    """The metric alert of AMBA entry ``guid``; ``changes`` maps a field to (value, why)."""
    entry = AMBA[guid]
    props = entry.properties
    alert = MetricAlert(
        key=key,
        title=title,
        metric_namespace=str(props["metricNamespace"]),
        metric_name=str(props["metricName"]),
        time_aggregation=str(props["timeAggregation"]),
        operator=str(props["operator"]),
        threshold=props["threshold"],
        window_size=str(props["windowSize"]),
        evaluation_frequency=str(props["evaluationFrequency"]),
        severity=int(props["severity"]),
        auto_mitigate=bool(props.get("autoMitigate", True)),
        amba=guid,
        reference=reference,
        availability=availability,
    )
    changes = dict(changes or {})
    if not changes:
        return alert
    return replace(
        alert,
        **{name: value for name, (value, _) in changes.items()},
        deviations=tuple(f"{name}: {why}" for name, (_, why) in changes.items()),
    )


_RESOURCE_HEALTH = "afcf3ad4-93c9-46e4-bdb7-3a8e9af405d1"
"""AMBA "Resource Health Unhealthy": category ResourceHealth, causes PlatformInitiated or
UserInitiated, current status Degraded or Unavailable (AMBA scopes it to a subscription)."""
_NARROWED = (
    "scope: AMBA scopes this alert to the subscription; hlz scopes it to the one resource, so "
    "the alert names the resource and reaches the team that owns it"
)

BASELINE_ALERTS: Mapping[str, tuple[AlertSpec, ...]] = MappingProxyType(
    {
        FIREWALL: (
            from_amba(
                "0ff72493-3822-4315-a146-8977a0963e39",
                key="health",
                title="Firewall health",
                reference=f"{_METRICS}/microsoft-network-azurefirewalls-metrics",
            ),
            from_amba(
                "b23f1e82-a791-4610-aaa6-2d960b48b81d",
                key="snat",
                title="Firewall SNAT port utilisation",
                reference=f"{_METRICS}/microsoft-network-azurefirewalls-metrics",
            ),
        ),
        KEY_VAULT: (
            from_amba(
                "a3c8bcb4-22ca-45be-92f7-605f232ecec2",
                key="availability",
                title="Key Vault availability",
                reference=f"{_METRICS}/microsoft-keyvault-vaults-metrics",
            ),
            from_amba(
                "2651f57f-ac74-44f3-8511-c245488134f8",
                key="latency",
                title="Key Vault API latency",
                reference=f"{_METRICS}/microsoft-keyvault-vaults-metrics",
            ),
        ),
        BASTION_HOST: (
            from_amba(
                "afd848a8-8b18-410c-bcc1-1b6f06a5a231",
                key="communication",
                title="Bastion communication status",
                reference=f"{_METRICS}/microsoft-network-bastionhosts-metrics",
            ),
        ),
        # AMBA's gateway alerts watch site-to-site tunnels and ExpressRoute; hlz's gateway is
        # point-to-site only, so its availability comes from Resource Health ("Is the VPN
        # gateway reachable from the internet? ... Is the VPN service running on the gateway?").
        VIRTUAL_NETWORK_GATEWAY: (
            HealthAlert(
                key="health",
                title="VPN gateway health",
                amba=_RESOURCE_HEALTH,
                reference=RESOURCE_HEALTH_CHECKS,
                deviations=(_NARROWED,),
            ),
        ),
        COGNITIVE_ACCOUNT: (
            from_amba(
                "87fe8679-655d-4acb-a37c-b7faebe26d47",
                key="throttling",
                title="Azure OpenAI throttling (HTTP 429)",
                reference=f"{_METRICS}/microsoft-cognitiveservices-accounts-metrics",
                changes={
                    "metric_name": (
                        "AzureOpenAIRequests",
                        "AMBA's throttling alert reads BlockedCalls, which Learn marks 'Do not "
                        "use for Azure OpenAI service'; the Azure OpenAI metric is "
                        "AzureOpenAIRequests",
                    ),
                    "dimensions": (
                        (Dimension("StatusCode", "Include", ("429",)),),
                        "AzureOpenAIRequests counts every call; its StatusCode dimension "
                        "narrows it to the throttled ones (429)",
                    ),
                },
            ),
            from_amba(
                "a97c7421-8268-4837-b433-762882c3887f",
                key="blocked",
                title="Azure OpenAI requests blocked by the content filter",
                reference=f"{_METRICS}/microsoft-cognitiveservices-accounts-metrics",
            ),
            from_amba(
                "e7341b29-84ea-4ca2-8140-e774b1cd1444",
                key="harmful",
                title="Azure OpenAI requests detected as harmful",
                reference=f"{_METRICS}/microsoft-cognitiveservices-accounts-metrics",
            ),
        ),
        STORAGE_ACCOUNT: (
            from_amba(
                "b1a4849b-78a8-437f-8113-7c6f2dc34927",
                key="availability",
                title="Storage availability",
                reference=f"{_METRICS}/microsoft-storage-storageaccounts-metrics",
                availability=True,
            ),
        ),
        FHIR_SERVICE: (
            MetricAlert(
                key="availability",
                title="FHIR service availability",
                metric_namespace="Microsoft.HealthcareApis/workspaces/fhirservices",
                metric_name="Availability",
                time_aggregation="Average",
                operator="LessThan",
                threshold=99,
                window_size="PT5M",
                evaluation_frequency="PT1M",
                severity=1,
                auto_mitigate=False,
                reference=f"{_METRICS}/microsoft-healthcareapis-workspaces-fhirservices-metrics",
                deviations=(
                    "no AMBA entry: AMBA covers only the retired Azure API for FHIR "
                    "(Microsoft.HealthcareApis/services), without an availability alert; the "
                    "values follow AMBA's availability alerts for Key Vault and Storage (average "
                    "over PT5M evaluated every PT1M, severity 1, no auto-mitigation) with the "
                    "threshold at 99 %: more than 1 % of requests failing for five minutes",
                ),
                availability=True,
            ),
        ),
        # Learn lists one metric for DICOM services (ImportsProcessed) and no availability
        # metric; Resource Health checks "Is the DICOM service up and running?".
        DICOM_SERVICE: (
            HealthAlert(
                key="availability",
                title="DICOM service health",
                amba=_RESOURCE_HEALTH,
                reference=RESOURCE_HEALTH_CHECKS,
                deviations=(
                    _NARROWED,
                    "kind: a Resource Health alert, not a metric alert: Azure publishes no "
                    f"availability metric for DICOM services "
                    f"({_METRICS}/microsoft-healthcareapis-workspaces-dicomservices-metrics)",
                ),
                availability=True,
            ),
        ),
        COSMOS_ACCOUNT: (
            from_amba(
                "ee10b769-b38b-44d1-9fd3-926b8dca4c41",
                key="availability",
                title="Cosmos DB service availability",
                reference=f"{_METRICS}/microsoft-documentdb-databaseaccounts-metrics",
                availability=True,
            ),
        ),
        SEARCH_SERVICE: (
            from_amba(
                "7a044f2f-f38f-4f13-82eb-c7f49bf17ad0",
                key="throttling",
                title="AI Search throttled queries",
                reference=f"{_METRICS}/microsoft-search-searchservices-metrics",
            ),
        ),
    }
)
"""Resource type -> the alert rules hlz creates on every resource of it (``BaselineAlerts``)."""

PHI_STORE_TYPES: frozenset[str] = frozenset(
    {STORAGE_ACCOUNT, FHIR_SERVICE, DICOM_SERVICE, COSMOS_ACCOUNT}
)
"""Types that hold ePHI as their purpose: lab storage (and the agents' files), FHIR and DICOM,
the agents' thread store. Each has an availability alert (``AVAILABILITY_ALERTS``). AI Search is
not among them: Azure offers no availability signal for it (no availability metric; its Resource
Health check asks only whether diagnostics operations can run), so its alert is throttling."""


def _availability_alerts() -> Mapping[str, AlertSpec]:
    found: dict[str, AlertSpec] = {}
    for token, alerts in BASELINE_ALERTS.items():
        for alert in alerts:
            if alert.availability:
                if token in found:
                    raise ValueError(f"two availability alerts for {token}")
                found[token] = alert
    missing = sorted(PHI_STORE_TYPES - set(found))
    if missing:
        raise ValueError(f"PHI store types without an availability alert: {missing}")
    return MappingProxyType(found)


AVAILABILITY_ALERTS: Mapping[str, AlertSpec] = _availability_alerts()
"""PHI store type -> the alert that counts as its availability alert."""


# --- budgets --------------------------------------------------------------------------------------

ThresholdType = Literal["Actual", "Forecasted"]


@dataclass(frozen=True)
class BudgetNotification:
    key: str
    """Its key in the budget's ``notifications`` map."""
    threshold: int
    """Percent of the budget's amount."""
    threshold_type: ThresholdType
    why: str


BUDGET_NOTIFICATIONS: tuple[BudgetNotification, ...] = (
    BudgetNotification(
        "actual-80", 80, "Actual", "four fifths of the month's budget is spent: time to look"
    ),
    BudgetNotification("actual-100", 100, "Actual", "the month's budget is spent"),
    BudgetNotification(
        "forecasted-120",
        120,
        "Forecasted",
        "Cost Management forecasts the month to end 20 % over budget: the early warning of a "
        "runaway cost, before it is spent",
    ),
)
"""The notifications of every AI lab's budget (to the lab owners and the landing zone's action
group), one source for the component and the documents."""
BUDGET_OPERATOR = "GreaterThan"
"""Learn's recommended operator ('EqualTo' is to be deprecated)."""
BUDGET_TIME_GRAIN = "Monthly"
BUDGET_CATEGORY = "Cost"

# --- limits ARM enforces (the deploy rules) ------------------------------------------------------

BUDGETS_REST = "https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update"
BUDGET_EARLIEST_START = date(2017, 6, 1)
"""'Budget start date must be on or after June 1, 2017.'"""
BUDGET_MAX_MONTHS_AHEAD = 12
"""'Future start date should not be more than twelve months.'"""
BUDGET_MAX_NOTIFICATIONS = 5
"""'Budget can have up to five notifications.'"""
BUDGET_THRESHOLD_RANGE = (0, 1000)
"""'It is always percent and has to be between 0 and 1000.'"""
BUDGET_MAX_CONTACTS = 50
"""contactEmails and contactGroups hold at most 50 entries each."""
BUDGET_THRESHOLD_TYPES: tuple[str, ...] = ("Actual", "Forecasted")
BUDGET_OPERATORS: tuple[str, ...] = ("EqualTo", "GreaterThan", "GreaterThanOrEqualTo")

METRIC_ALERTS_TEMPLATE = (
    "https://learn.microsoft.com/azure/azure-monitor/alerts/resource-manager-alerts-metric"
)
METRIC_ALERT_SEVERITIES: tuple[int, ...] = (0, 1, 2, 3, 4)
METRIC_ALERT_FREQUENCIES: tuple[str, ...] = ("PT1M", "PT5M", "PT15M", "PT30M", "PT1H")
METRIC_ALERT_WINDOWS: tuple[str, ...] = (
    "PT1M",
    "PT5M",
    "PT15M",
    "PT30M",
    "PT1H",
    "PT6H",
    "PT12H",
    "PT24H",
)
"""Learn's metric alert template: windowSize 'must be between one minute and one day', one of
these; evaluationFrequency one of ``METRIC_ALERT_FREQUENCIES``."""
SINGLE_RESOURCE_CRITERIA = "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"
ACTION_GROUP_SHORT_NAME_MAX = 12
"""groupShortName: at most 12 characters (the REST API's maxLength)."""


def first_of_month(day: date, months_on: int = 0) -> date:
    """The first day of the month ``months_on`` months after ``day``'s (0: its own month)."""
    month = day.month - 1 + months_on
    return date(day.year + month // 12, month % 12 + 1, 1)


def budget_month_limit(today: date) -> date:
    """The last start date ARM accepts on ``today``: the first of the month twelve months on."""
    return first_of_month(today, BUDGET_MAX_MONTHS_AHEAD)
