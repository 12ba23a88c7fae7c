"""Log Analytics workspace reached only through an Azure Monitor Private Link Scope, plus the
subscription activity log (HIPAA 164.312(b) audit controls, 164.308(a)(1)(ii)(D) activity review).

| input                       | derived                                                          |
|-----------------------------|------------------------------------------------------------------|
| (always)                    | ingestion and query over private link only (AMPLS PrivateOnly)   |
| public_query_override set   | query from public networks allowed; reason tagged on the workspace |
| (always)                    | local (shared-key) auth disabled: Entra ID only                  |

``ApplicationInsights`` (the AI gateways' token metrics) follows the workspace:

| input                       | derived                                                          |
|-----------------------------|------------------------------------------------------------------|
| (always)                    | workspace-based (``WorkspaceResourceId``, ingestion mode         |
|                             | LogAnalytics): its telemetry is stored in the platform workspace |
| (always)                    | ``DisableLocalAuth``: instrumentation-key ingestion refused,     |
|                             | senders need "Monitoring Metrics Publisher" and Entra ID         |
| (always)                    | public ingestion Disabled; scoped into the AMPLS (PrivateOnly)   |
| public_query_override set   | public query Enabled, like the workspace; the same reason tagged |
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import applicationinsights, monitor, operationalinsights
from pydantic import Field

from components.diagnostics import send_activity_log, send_diagnostics
from components.private_endpoint import connect_privately
from components.shared import (
    HlzModel,
    Override,
    Placement,
    PrivateLinkTarget,
    StrInput,
    child_opts,
    override_tags,
)

# The AMPLS endpoint registers in these zones; blob is where agents fetch their solution packs.
MONITOR_PRIVATE_LINK_ZONES = (
    "privatelink.monitor.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.blob.core.windows.net",
)


class LogAnalyticsArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the workspace."""
    workspace_name: str
    """Azure name of the workspace (4-63 letters, digits and hyphens)."""
    retention_days: int = Field(ge=30, le=730)
    """Interactive retention. Config default: 90 (lab), 365 (production minimum)."""
    subscription_id: StrInput
    """Subscription whose activity log is collected."""
    public_query_override: Override | None = None
    """Default: None — queries only over private link. Set to allow portal queries from
    public networks (the reason is tagged on the workspace)."""


class LogAnalytics(pulumi.ComponentResource):
    """The workspace every diagnostic setting sends to, and the subscription activity log.

    Created before the network (whose resources send it diagnostics); its private link scope
    is added by ``MonitorPrivateLink`` once the hub exists.
    """

    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: LogAnalyticsArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:monitoring:LogAnalytics", name, None, opts)
        placement = args.placement
        self.public_query = args.public_query_override is not None
        workspace = operationalinsights.Workspace(
            f"{name}-law",
            workspace_name=args.workspace_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=operationalinsights.WorkspaceSkuArgs(
                name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018
            ),
            retention_in_days=args.retention_days,
            features=operationalinsights.WorkspaceFeaturesArgs(
                disable_local_auth=True,
                enable_log_access_using_only_resource_permissions=True,
            ),
            public_network_access_for_ingestion=operationalinsights.PublicNetworkAccessType.DISABLED,
            public_network_access_for_query=(
                operationalinsights.PublicNetworkAccessType.ENABLED
                if self.public_query
                else operationalinsights.PublicNetworkAccessType.DISABLED
            ),
            tags=placement.tags_with(override_tags(public_query=args.public_query_override)),
            opts=child_opts(self),
        )
        send_diagnostics(workspace, workspace.id, parent=self)
        send_activity_log(f"{name}-activity-log", args.subscription_id, workspace.id, parent=self)
        self.workspace = workspace
        self.id = workspace.id
        self.name = workspace.name
        self.register_outputs({"id": self.id, "name": self.name})


class ApplicationInsightsArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the component."""
    component_name: str
    """Azure name of the Application Insights component."""
    workspace_id: StrInput
    """Log Analytics workspace the component stores its telemetry in (workspace-based
    Application Insights; classic components are retired)."""
    public_query_override: Override | None = None
    """Default: None — queries only over private link. The workspace's override: set, the
    component's query endpoint is public too and carries the same reason."""


class ApplicationInsights(pulumi.ComponentResource):
    """A workspace-based Application Insights component that accepts telemetry only from Entra ID
    identities and only through the landing zone's private link scope: the AI gateways' token
    metrics (customMetrics) land in the platform workspace (docs/ai-gateway.md).

    Microsoft Entra authenticated ingestion with local auth disabled:
    https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication; private ingestion
    through an AMPLS: https://learn.microsoft.com/azure/azure-monitor/logs/private-link-security.
    """

    id: pulumi.Output[str]
    name: pulumi.Output[str]
    connection_string: pulumi.Output[str]
    """``InstrumentationKey=...;IngestionEndpoint=...``: identifies the component; with local
    auth disabled it grants nothing without an Entra ID token."""

    def __init__(
        self, name: str, args: ApplicationInsightsArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:monitoring:ApplicationInsights", name, None, opts)
        placement = args.placement
        public_query = args.public_query_override is not None
        component = applicationinsights.Component(
            f"{name}-appi",
            resource_name_=args.component_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            kind="other",
            application_type=applicationinsights.ApplicationType.OTHER,
            workspace_resource_id=args.workspace_id,
            ingestion_mode=applicationinsights.IngestionMode.LOG_ANALYTICS,
            disable_local_auth=True,
            public_network_access_for_ingestion=(
                applicationinsights.PublicNetworkAccessType.DISABLED
            ),
            public_network_access_for_query=(
                applicationinsights.PublicNetworkAccessType.ENABLED
                if public_query
                else applicationinsights.PublicNetworkAccessType.DISABLED
            ),
            tags=placement.tags_with(override_tags(public_query=args.public_query_override)),
            opts=child_opts(self),
        )
        self.component = component
        self.id = component.id
        self.name = component.name
        self.connection_string = component.connection_string
        self.register_outputs(
            {"id": self.id, "name": self.name, "connection_string": self.connection_string}
        )


class MonitorPrivateLinkArgs(HlzModel):
    placement: Placement
    """Resource group and tags of the scope and endpoint; region of the endpoint (the
    scope itself is global)."""
    scope_name: str
    """Azure name of the Azure Monitor Private Link Scope."""
    endpoint_name: str
    """Azure name of the scope's private endpoint."""
    workspace_id: StrInput
    """Log Analytics workspace the scope links (the ``LogAnalytics`` component's id)."""
    private_link: PrivateLinkTarget
    """Subnet of the scope's private endpoint and the DNS zones it registers in (the
    four Azure Monitor zones and ``privatelink.blob.core.windows.net``)."""
    query_private_only: bool = True
    """Default: True. False only when the workspace carries a public-query override."""
    app_insights_id: StrInput | None = None
    """Default: None. The Application Insights component the scope also links, so its ingestion
    (Disabled publicly) reaches it through the scope's endpoint."""


class MonitorPrivateLink(pulumi.ComponentResource):
    """Azure Monitor Private Link Scope: agents and queries reach the workspace privately."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: MonitorPrivateLinkArgs, opts: pulumi.ResourceOptions | None = None
    ):
        # A missing zone is a wiring error: fail before registering anything.
        zone_ids = args.private_link.zones(*MONITOR_PRIVATE_LINK_ZONES)
        super().__init__("hlz:monitoring:MonitorPrivateLink", name, None, opts)
        placement = args.placement
        scope = monitor.PrivateLinkScope(
            f"{name}-ampls",
            scope_name=args.scope_name,
            resource_group_name=placement.resource_group_name,
            location="global",  # a private link scope is a global resource
            access_mode_settings=monitor.AccessModeSettingsArgs(
                ingestion_access_mode=monitor.AccessMode.PRIVATE_ONLY,
                query_access_mode=(
                    monitor.AccessMode.PRIVATE_ONLY
                    if args.query_private_only
                    else monitor.AccessMode.OPEN
                ),
            ),
            tags=placement.tags,
            opts=child_opts(self),
        )
        monitor.PrivateLinkScopedResource(
            f"{name}-law",
            name="log-analytics",
            scope_name=scope.name,
            resource_group_name=placement.resource_group_name,
            linked_resource_id=args.workspace_id,
            opts=child_opts(self),
        )
        if args.app_insights_id is not None:
            monitor.PrivateLinkScopedResource(
                f"{name}-appi",
                name="app-insights",
                scope_name=scope.name,
                resource_group_name=placement.resource_group_name,
                linked_resource_id=args.app_insights_id,
                opts=child_opts(self),
            )
        connect_privately(
            self, f"{name}-pe", placement=placement, private_link=args.private_link,
            endpoint_name=args.endpoint_name, target_id=scope.id, group_id="azuremonitor",
            dns_zone_ids=zone_ids,
        )  # fmt: skip
        self.scope = scope
        self.id = scope.id
        self.name = scope.name
        self.register_outputs({"id": self.id, "name": self.name})
