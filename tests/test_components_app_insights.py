"""The landing zone's Application Insights (the AI gateways' token metrics): named scenarios of
``components.monitoring.ApplicationInsights`` and its link into the private link scope, and
what the landing-zone plan wires and exports."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.monitoring import (
    ApplicationInsights,
    ApplicationInsightsArgs,
    MonitorPrivateLink,
    MonitorPrivateLinkArgs,
)
from components.shared import Override, Placement, PrivateLinkTarget
from hlz.plan import Plan
from tests.conftest import of_type, one, run_components

TAGS = {"owner": "o", "cost-center": "c", "environment": "e", "data-classification": "phi"}
PLACEMENT = Placement(resource_group_name="rg-test", location="eastus2", tags=TAGS)
WORKSPACE = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
)
COMPONENT = "azure-native:applicationinsights:Component"
SCOPED = "azure-native:monitor:PrivateLinkScopedResource"
APPI_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/appi-t"
ZONES = {
    zone: f"/zones/{zone}"
    for zone in (
        "privatelink.monitor.azure.com",
        "privatelink.oms.opinsights.azure.com",
        "privatelink.ods.opinsights.azure.com",
        "privatelink.agentsvc.azure-automation.net",
        "privatelink.blob.core.windows.net",
    )
}


def app_insights(**overrides) -> list:
    args = ApplicationInsightsArgs(
        placement=PLACEMENT, component_name="appi-t", workspace_id=WORKSPACE, **overrides
    )
    return run_components(lambda: ApplicationInsights("metrics", args) and None)


def monitor_link(**overrides) -> list:
    args = MonitorPrivateLinkArgs(
        placement=PLACEMENT,
        scope_name="ampls-t",
        endpoint_name="pe-ampls-t",
        workspace_id=WORKSPACE,
        private_link=PrivateLinkTarget(subnet_id="/subnets/pe", dns_zone_ids=ZONES),
        **overrides,
    )
    return run_components(lambda: MonitorPrivateLink("monitor-link", args) and None)


def test_defaults_are_workspace_based_entra_only_and_private():
    component = one(app_insights(), COMPONENT).inputs
    assert component["workspaceResourceId"] == WORKSPACE
    assert component["ingestionMode"] == "LogAnalytics"
    assert component["disableLocalAuth"] is True
    assert component["publicNetworkAccessForIngestion"] == "Disabled"
    assert component["publicNetworkAccessForQuery"] == "Disabled"
    assert not any(tag.startswith("hlz-override-") for tag in component["tags"])


def test_public_query_override_opens_only_query_and_is_tagged():
    override = Override(reason="Analysts query from the clinical VDI without VPN until Q3")
    component = one(app_insights(public_query_override=override), COMPONENT).inputs
    assert component["publicNetworkAccessForQuery"] == "Enabled"
    assert component["publicNetworkAccessForIngestion"] == "Disabled"
    assert component["disableLocalAuth"] is True
    assert component["tags"]["hlz-override-public-query"] == override.reason


def test_override_without_a_real_reason_is_refused_before_anything_is_created():
    with pytest.raises(ValidationError):
        ApplicationInsightsArgs(
            placement=PLACEMENT,
            component_name="appi-t",
            workspace_id=WORKSPACE,
            public_query_override={"reason": "ok"},
        )


def test_uniform_outputs():
    assert {"id", "name", "connection_string"} <= set(ApplicationInsights.__annotations__)


def test_private_link_scope_links_the_component_only_when_given():
    alone = [r.inputs["linkedResourceId"] for r in of_type(monitor_link(), SCOPED)]
    assert alone == [WORKSPACE]
    both = [
        r.inputs["linkedResourceId"] for r in of_type(monitor_link(app_insights_id=APPI_ID), SCOPED)
    ]
    assert sorted(both) == sorted([WORKSPACE, APPI_ID])


def test_landing_zone_scopes_its_component_and_exports_it_for_the_gateways(lz_prod: Plan):
    (component,) = lz_prod.of_type(COMPONENT)
    (workspace,) = lz_prod.of_type("azure-native:operationalinsights:Workspace")
    assert component.inputs["workspaceResourceId"] == workspace.id
    scoped = {r.inputs["linkedResourceId"] for r in lz_prod.of_type(SCOPED)}
    assert component.id in scoped
    assert lz_prod.outputs["appInsightsId"] == component.id
    assert lz_prod.outputs["appInsightsConnectionString"].startswith("InstrumentationKey=")


def test_lab_gateway_sends_token_metrics_to_the_landing_zones_component(lab_prod: Plan):
    lz_outputs = lab_prod.referenced["lz-prod"].outputs if lab_prod.referenced else {}
    (logger,) = lab_prod.of_type("azure-native:apimanagement:Logger")
    assert logger.inputs["resourceId"] == lz_outputs["appInsightsId"]
    assert logger.inputs["credentials"]["identityClientId"] == "SystemAssigned"
    (diagnostic,) = lab_prod.of_type("azure-native:apimanagement:Diagnostic")
    assert diagnostic.inputs["diagnosticId"] == "applicationinsights"
    bodies = {
        diagnostic.inputs[side][message]["body"]["bytes"]
        for side in ("frontend", "backend")
        for message in ("request", "response")
    }
    assert bodies == {0}
