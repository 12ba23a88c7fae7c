"""The landing-zone program: wires components and exports what every spoke needs."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization

from components.alerts import (
    ActionGroup,
    ActionGroupArgs,
    AlertTarget,
    BaselineAlerts,
    BaselineAlertsArgs,
)
from components.hub_network import HubNetwork, HubNetworkArgs
from components.keyvault import KeyVault, KeyVaultArgs
from components.monitoring import (
    ApplicationInsights,
    ApplicationInsightsArgs,
    LogAnalytics,
    LogAnalyticsArgs,
    MonitorPrivateLink,
    MonitorPrivateLinkArgs,
)
from components.private_dns import PrivateDnsZones, PrivateDnsZonesArgs
from components.resource_group import ResourceGroup, ResourceGroupArgs
from components.runtime_policy import (
    RuntimeGuardrails,
    RuntimeGuardrailsArgs,
    exempt_at_runtime,
    record_resources,
)
from components.security_baseline import SecurityBaseline, SecurityBaselineArgs
from components.shared import DiagnosticsTarget, PrivateLinkTarget
from policies.clock import utc_today
from policies.model import Profile
from policies.rules.tokens import BASTION_HOST, FIREWALL, KEY_VAULT, VIRTUAL_NETWORK_GATEWAY
from policies.services import PRIVATE_DNS_ZONES
from stacks.common import project_exemptions
from stacks.landing_zone.config import LandingZoneConfig, planned_names


def run(config: LandingZoneConfig) -> None:
    stack = pulumi.get_stack()
    exemptions = project_exemptions(config.profile)
    recorded = record_resources()
    namer = planned_names(config, stack)
    client = authorization.get_client_config_output()
    subscription_id = client.subscription_id
    tags = dict(config.tags)

    connectivity, management = (
        ResourceGroup(
            role,
            ResourceGroupArgs(
                resource_group_name=namer.name("resource_group", role),
                location=config.location,
                tags=tags,
                lock_override=config.lock_override,
            ),
        )
        for role in ("connectivity", "management")
    )
    network_placement = connectivity.placement
    management_placement = management.placement

    logs = LogAnalytics(
        "logs",
        LogAnalyticsArgs(
            placement=management_placement,
            workspace_name=namer.name("log_analytics", "platform"),
            retention_days=config.retention_days,
            subscription_id=subscription_id,
        ),
    )
    diagnostics = DiagnosticsTarget(workspace_id=logs.id)

    hub = HubNetwork(
        "hub",
        HubNetworkArgs(
            placement=network_placement,
            namer=namer,
            address_space=config.hub.address_space,
            subnets=config.hub.subnets,
            firewall_tier=config.firewall_tier,
            bastion_sku=config.bastion_sku,
            bastion_native_client_override=config.bastion_native_client_override,
            spoke_address_spaces=list(config.spokes.values()),
            ddos_protection_override=config.ddos_override,
            vpn_gateway=config.vpn_gateway,
            tenant_id=client.tenant_id if config.vpn_gateway is not None else None,
            dns_resolver=config.dns_resolver,
            diagnostics=diagnostics,
        ),
    )
    dns = PrivateDnsZones(
        "dns",
        PrivateDnsZonesArgs(
            placement=network_placement,
            vnet_id=hub.id,
            vnet_link_name=namer.name("virtual_network", "hub"),
        ),
    )
    private_link = PrivateLinkTarget(
        subnet_id=hub.private_endpoint_subnet_id, dns_zone_ids=dns.zone_ids
    )

    # The AI gateways' token metrics (customMetrics, in the platform workspace): next to the
    # private link scope that is its only way in (docs/ai-gateway.md).
    app_insights = ApplicationInsights(
        "gateway-metrics",
        ApplicationInsightsArgs(
            placement=management_placement,
            component_name=namer.name("application_insights", "platform"),
            workspace_id=logs.id,
        ),
    )
    MonitorPrivateLink(
        "monitor-link",
        MonitorPrivateLinkArgs(
            placement=management_placement,
            scope_name=namer.name("monitor_private_link_scope", "platform"),
            endpoint_name=namer.name("private_endpoint", "ampls"),
            workspace_id=logs.id,
            private_link=private_link,
            query_private_only=not logs.public_query,
            app_insights_id=app_insights.id,
        ),
    )
    vault = KeyVault(
        "platform-kv",
        KeyVaultArgs(
            placement=management_placement,
            vault_name=namer.name("key_vault", "plat"),
            endpoint_name=namer.name("private_endpoint", "platform-kv"),
            tenant_id=client.tenant_id,
            sku=config.key_vault_sku,
            private_link=private_link,
            diagnostics=diagnostics,
            admin_group_ids=config.platform_admin_group_ids,
            subscription_id=subscription_id,
            lock_override=config.lock_override,
        ),
    )
    # Every alert rule below and every AI lab's budget tells the platform team through this.
    action_group = ActionGroup(
        "alerts",
        ActionGroupArgs(
            placement=management_placement,
            action_group_name=namer.name("action_group", "platform"),
            short_name=config.action_group_short_name,
            email_receivers=config.platform_emails,
        ),
    )
    alert_targets = [AlertTarget(role="platform-kv", resource_type=KEY_VAULT, resource_id=vault.id)]
    for role, token, component in (
        ("firewall", FIREWALL, getattr(hub, "firewall", None)),
        ("bastion", BASTION_HOST, getattr(hub, "bastion", None)),
        ("vpn-gateway", VIRTUAL_NETWORK_GATEWAY, hub.vpn_gateway),
    ):
        if component is not None:
            alert_targets.append(
                AlertTarget(role=role, resource_type=token, resource_id=component.id)
            )
    BaselineAlerts(
        "baseline-alerts",
        BaselineAlertsArgs(
            placement=management_placement,
            namer=namer,
            targets=alert_targets,
            action_group_id=action_group.id,
        ),
    )
    SecurityBaseline(
        "baseline", SecurityBaselineArgs(subscription_id=subscription_id, location=config.location)
    )
    guardrails = RuntimeGuardrails(
        "runtime",
        RuntimeGuardrailsArgs(
            subscription_id=subscription_id,
            location=config.location,
            profile=Profile(config.profile),
        ),
    )

    pulumi.export("profile", config.profile)
    pulumi.export("runtimePolicyAssignmentId", guardrails.id)
    exempt_at_runtime(
        recorded,
        exemptions,
        assignment_id=guardrails.id,
        profile=Profile(config.profile),
        today=utc_today(),
    )
    pulumi.export("location", config.location)
    pulumi.export("tags", tags)
    pulumi.export("resourceGroupName", connectivity.name)
    pulumi.export("managementResourceGroupName", management.name)
    pulumi.export("hubVnetId", hub.id)
    pulumi.export("hubVnetName", hub.name)
    pulumi.export("firewallPrivateIp", hub.firewall_private_ip)
    pulumi.export(
        "privateDnsZoneIds",
        {
            service: {zone: dns.zone_ids[zone] for zone in zones}
            for service, zones in PRIVATE_DNS_ZONES.items()
        },
    )
    pulumi.export("logAnalyticsWorkspaceId", logs.id)
    # AI gateways' loggers send here with their managed identity (Monitoring Metrics Publisher).
    pulumi.export("appInsightsId", app_insights.id)
    pulumi.export("appInsightsConnectionString", app_insights.connection_string)
    pulumi.export("keyVaultId", vault.id)
    pulumi.export("keyVaultUri", vault.uri)
    pulumi.export("keyVaultName", vault.name)
    pulumi.export("keyVaultSku", config.key_vault_sku)
    # AI labs' alert rules and budgets notify the platform team through it (docs/alerts.md).
    pulumi.export("actionGroupId", action_group.id)
    pulumi.export("spokeAllocations", dict(config.spokes))
    if hub.dns_resolver is not None:
        # On-premises DNS servers forward the private endpoints' zones here; AI lab spokes link
        # themselves to the ruleset (stacks/ai_lab/program.py).
        pulumi.export("dnsResolverInboundIp", hub.dns_resolver.inbound_ip)
        pulumi.export("dnsForwardingRulesetId", hub.dns_resolver.ruleset_id)
    bastion = getattr(hub, "bastion", None)
    if bastion is not None and config.hub.subnets.bastion is not None:
        # A lab's jump host admits SSH from this subnet alone; its members read the host.
        pulumi.export("bastionSubnetPrefix", config.hub.subnets.bastion)
        pulumi.export("bastionHostId", bastion.id)
        pulumi.export("bastionHostName", bastion.name)
        # Whether members may connect with az network bastion ssh (else: the Azure portal).
        pulumi.export("bastionNativeClient", config.bastion_native_client)
