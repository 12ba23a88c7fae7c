"""Audit rules: Log Analytics workspaces, Application Insights components, diagnostic settings,
diagnostics coverage of the stack."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import (
    Compliant,
    Outcome,
    Profile,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
    outcome_from,
)
from ..props import as_bool, as_int, as_sequence, describe, get, is_set
from ..services import SERVICES, Logged
from .expect import expect_text
from .relations import Referrers, of_type
from .tokens import (
    APPINSIGHTS_COMPONENT,
    BLOB_SERVICE,
    DIAGNOSTIC_SETTING,
    LOG_ANALYTICS_WORKSPACE,
    STORAGE_ACCOUNT,
)

WORKSPACE = frozenset({LOG_ANALYTICS_WORKSPACE})
COMPONENT = frozenset({APPINSIGHTS_COMPONENT})

MINIMUM_PRODUCTION_RETENTION_DAYS = 365
"""One year interactive retention for audit logs in production (archive beyond that)."""

DIAGNOSTICS_COVERAGE: Mapping[str, str] = {
    token: row.diagnostics.where
    for token, row in SERVICES.items()
    if isinstance(row.diagnostics, Logged)
}
"""The resource types that must have a diagnostic setting, and where it goes: the ``Logged``
rows of the catalogue (``policies.services``), in row order. Every other row says why it needs
none (``NotLogged``).

A resource counts as covered when a ``azure-native:monitor:DiagnosticSetting`` has a
``resourceUri`` computed from it. Storage accounts are the exception their row documents: the
setting that matters targets the blob service, so a storage account is also covered when the
setting's ``resourceUri`` comes from a ``BlobServiceProperties`` whose ``accountName`` comes from
the account (or from ``f"{account.id}/blobServices/default"``, which depends on the account).
"""

DESTINATION_PROPERTIES = ("workspaceId", "storageAccountId", "eventHubAuthorizationRuleId")


def check_public_ingestion_disabled(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("publicNetworkAccessForIngestion",),
        "Disabled",
        " (absent means Enabled); set it to 'Disabled' "
        "and ingest through an Azure Monitor Private Link Scope",
    )


def check_public_query_disabled(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("publicNetworkAccessForQuery",),
        "Disabled",
        " (absent means Enabled); set it to 'Disabled' "
        "and query through an Azure Monitor Private Link Scope",
    )


def check_component_local_auth(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "disableLocalAuth")
    if as_bool(value) is True:
        return Compliant()
    return fail(
        f"disableLocalAuth is {describe(value)} (absent means false: the instrumentation key "
        "alone admits telemetry); set it to true and grant senders 'Monitoring Metrics Publisher'"
    )


def check_component_public_ingestion(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("publicNetworkAccessForIngestion",),
        "Disabled",
        " (absent means Enabled); set it to 'Disabled' and scope the component into an Azure "
        "Monitor Private Link Scope",
    )


def check_retention(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "retentionInDays")
    days = as_int(value)
    if days is not None and days >= MINIMUM_PRODUCTION_RETENTION_DAYS:
        return Compliant()
    return fail(
        f"retentionInDays is {describe(value)} (absent means 30); set it to at least "
        f"{MINIMUM_PRODUCTION_RETENTION_DAYS}"
    )


def _enabled_entries(props: Mapping[str, Any], key: str) -> list[Any]:
    return [
        entry for entry in as_sequence(get(props, key)) if as_bool(get(entry, "enabled")) is True
    ]


def check_diagnostic_setting(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    # Destinations are ids of other resources, usually unknown during preview.
    if not any(is_set(props, destination) for destination in DESTINATION_PROPERTIES):
        reasons.append(
            "no destination is set; set workspaceId to the central Log Analytics workspace"
        )
    if not _enabled_entries(props, "logs") and not _enabled_entries(props, "metrics"):
        reasons.append(
            "no enabled logs or metrics; enable category group 'allLogs' (or 'audit') and, where "
            "supported, 'AllMetrics'"
        )
    return outcome_from(reasons)


def check_diagnostics_coverage(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    settings = Referrers(of_type(resources, DIAGNOSTIC_SETTING), "resourceUri")
    blob_services = Referrers(of_type(resources, BLOB_SERVICE), "accountName")
    outcomes: dict[str, Outcome] = {}
    for resource in of_type(resources, *DIAGNOSTICS_COVERAGE):
        targets = [resource.urn]
        if resource.resource_type == STORAGE_ACCOUNT:
            targets += [blob.urn for blob in blob_services.of(resource.urn)]
        if any(settings.of(target) for target in targets):
            outcomes[resource.urn] = Compliant()
            continue
        kind = resource.resource_type.rsplit(":", 1)[-1]
        outcomes[resource.urn] = fail(
            f"{kind} '{resource.name}' has no diagnostic setting; add an "
            "azure-native:monitor:DiagnosticSetting "
            f"on {DIAGNOSTICS_COVERAGE[resource.resource_type]} sending category group "
            "'allLogs' to the central Log Analytics workspace"
        )
    return outcomes


_MONITOR_DOCS = "https://learn.microsoft.com/azure/azure-monitor"
PRODUCTION = frozenset({Profile.PRODUCTION})

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="operationalinsights-workspace-disallow-public-ingestion",
        description="Log Analytics workspaces accept data only through private links.",
        rationale=(
            "Audit and diagnostic logs can contain ePHI (request URLs, identifiers); they must "
            "travel over the private network."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(b)"),
        mcsb=("NS-2", "LT-5"),
        remediation=(
            "Set publicNetworkAccessForIngestion to 'Disabled' and connect the workspace to an "
            "Azure Monitor Private Link Scope."
        ),
        url=f"{_MONITOR_DOCS}/logs/private-link-security",
        phi_protecting=True,
        resource_types=WORKSPACE,
        check=check_public_ingestion_disabled,
    ),
    ResourceRule(
        id="operationalinsights-workspace-disallow-public-query",
        description=(
            "Production Log Analytics workspaces can only be queried through private links."
        ),
        rationale=(
            "Queries return log content that can contain ePHI. Lab workspaces may allow portal "
            "queries from the internet (Entra ID still applies); production may not."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        remediation=(
            "Set publicNetworkAccessForQuery to 'Disabled' and query through the AMPLS private "
            "endpoint; a reviewed exception is recorded in the hlz-override-public-query tag."
        ),
        url=f"{_MONITOR_DOCS}/logs/private-link-security",
        phi_protecting=True,
        profiles=PRODUCTION,
        resource_types=WORKSPACE,
        check=check_public_query_disabled,
        override_tag="hlz-override-public-query",
    ),
    ResourceRule(
        id="operationalinsights-workspace-require-audit-retention",
        description=(
            "Production Log Analytics workspaces retain data at least "
            f"{MINIMUM_PRODUCTION_RETENTION_DAYS} days."
        ),
        rationale=(
            "Activity review and incident investigation need a year of audit history at hand."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(b)", "164.308(a)(1)(ii)(D)"),
        mcsb=("LT-6",),
        hitrust=("09.aa",),
        remediation=(
            f"Set retentionInDays to {MINIMUM_PRODUCTION_RETENTION_DAYS} or more (archive "
            "tier for longer periods required by the retention policy)."
        ),
        url=f"{_MONITOR_DOCS}/logs/data-retention-configure",
        phi_protecting=False,
        profiles=PRODUCTION,
        resource_types=WORKSPACE,
        check=check_retention,
    ),
    ResourceRule(
        id="applicationinsights-component-disable-local-auth",
        description="Application Insights components accept only Entra ID authenticated telemetry.",
        rationale=(
            "With local auth on, anyone holding the instrumentation key (it is in every "
            "connection string) can write telemetry, forging or flooding the audit and usage "
            "records; with it off, only identities granted 'Monitoring Metrics Publisher' can."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(d)", "164.312(c)(1)", "164.312(b)"),
        mcsb=("IM-1", "LT-5"),
        hitrust=("01.q",),
        remediation=(
            "Set disableLocalAuth to true and grant each sender's managed identity 'Monitoring "
            "Metrics Publisher' on the component."
        ),
        url=f"{_MONITOR_DOCS}/app/azure-ad-authentication",
        phi_protecting=True,
        resource_types=COMPONENT,
        check=check_component_local_auth,
    ),
    ResourceRule(
        id="applicationinsights-component-disallow-public-ingestion",
        description="Application Insights components accept telemetry only through private links.",
        rationale=(
            "Telemetry names callers (the AI gateway's per-caller token metrics carry their "
            "Entra object ids) and may carry ePHI; it must travel over the private network, "
            "like the workspace it is stored in."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(b)"),
        mcsb=("NS-2", "LT-5"),
        remediation=(
            "Set publicNetworkAccessForIngestion to 'Disabled' and link the component to the "
            "Azure Monitor Private Link Scope (a PrivateLinkScopedResource)."
        ),
        url=f"{_MONITOR_DOCS}/logs/private-link-security",
        phi_protecting=True,
        resource_types=COMPONENT,
        check=check_component_public_ingestion,
    ),
    ResourceRule(
        id="monitor-diagnosticsetting-require-enabled-logs",
        description="Diagnostic settings send enabled logs or metrics to a destination.",
        rationale=(
            "A diagnostic setting without a destination or with everything disabled records "
            "nothing."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(b)",),
        mcsb=("LT-3", "LT-5"),
        hitrust=("09.aa",),
        remediation=(
            "Set workspaceId and logs [{categoryGroup: 'allLogs', enabled: true}] (plus metrics "
            "[{category: 'AllMetrics', enabled: true}] where supported)."
        ),
        url=f"{_MONITOR_DOCS}/essentials/diagnostic-settings",
        phi_protecting=True,
        resource_types=frozenset({DIAGNOSTIC_SETTING}),
        check=check_diagnostic_setting,
    ),
    StackRule(
        id="monitor-resource-require-diagnostic-settings",
        description="Every resource of a type that supports diagnostic settings has one.",
        rationale=(
            "Audit controls require recording activity in systems that contain or protect ePHI."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(b)", "164.308(a)(1)(ii)(D)"),
        mcsb=("LT-3", "LT-4"),
        hitrust=("09.aa",),
        remediation=(
            "Add an azure-native:monitor:DiagnosticSetting with resourceUri set to the resource's "
            "id (blob service id for storage), category group 'allLogs' and workspaceId."
        ),
        url=f"{_MONITOR_DOCS}/essentials/diagnostic-settings",
        phi_protecting=True,
        resource_types=frozenset(DIAGNOSTICS_COVERAGE),
        check=check_diagnostics_coverage,
    ),
)
