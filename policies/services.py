"""The catalogue of azure-native types: one row per type holding every per-type fact the pack,
the offline engine and the landing zone read, so that adding a type is one row here
(docs/adding-a-service.md).

| field             | read by                                                              |
|-------------------|----------------------------------------------------------------------|
| ``arm``           | the offline engine (ARM ids), generic-resource recognition, type     |
|                   | validation, preflight and the duplicate-name rule, through           |
|                   | ``policies.arm_types``                                               |
| ``validated``     | ``policies.arm_types.ARM_PATHS`` (vendored type definitions)         |
| ``names``,        | ``deploy-resource-restrict-name-rules``,                             |
| ``globally_unique``| ``deploy-resource-disallow-duplicate-names``                        |
| ``private_link``  | ``network-paas-require-private-endpoint``,                           |
|                   | ``deploy-privateendpoint-restrict-group-ids`` (group ids); the       |
|                   | landing zone's private DNS zones (``PRIVATE_DNS_ZONES``)             |
| ``diagnostics``   | ``monitor-resource-require-diagnostic-settings`` (``Logged`` rows)   |

Every type the example stacks and the insecure test fixture plan has a row
(tests/test_service_completeness.py); every row agrees with the tables it points into
(tests/policies/test_service_catalogue.py).

Row order reaches output: policies/RULES.md lists the diagnostics and private endpoint tables
in it, and when two types share an ARM type the first row is the one a generic resource is
judged as. A new type goes after the rows of its service. Private DNS zones keep an order of
their own (``PRIVATE_DNS_ZONES``).

The module imports only the token constants: ``policies.arm_types``, the rules and
``components.private_dns`` derive their views from it, never the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass
from types import MappingProxyType

from .rules.tokens import (
    ACTION_GROUP,
    ACTIVITY_LOG_ALERT,
    APIM_API,
    APIM_API_OPERATION,
    APIM_API_POLICY,
    APIM_DIAGNOSTIC,
    APIM_LOGGER,
    APIM_SERVICE,
    APPINSIGHTS_COMPONENT,
    BASTION_HOST,
    BLOB_CONTAINER,
    BLOB_SERVICE,
    COGNITIVE_ACCOUNT,
    COGNITIVE_ACCOUNT_CONNECTION,
    COGNITIVE_DEPLOYMENT,
    COGNITIVE_PROJECT,
    COGNITIVE_PROJECT_CAPABILITY_HOST,
    COGNITIVE_PROJECT_CONNECTION,
    CONSUMPTION_BUDGET,
    COSMOS_ACCOUNT,
    COSMOS_SQL_ROLE_ASSIGNMENT,
    DDOS_PROTECTION_PLAN,
    DEFENDER_PRICING,
    DEVTESTLAB_GLOBAL_SCHEDULE,
    DIAGNOSTIC_SETTING,
    DICOM_SERVICE,
    DISK_ENCRYPTION_SET,
    DNS_FORWARDING_RULE,
    DNS_FORWARDING_RULESET,
    DNS_FORWARDING_RULESET_LINK,
    DNS_RESOLVER,
    DNS_RESOLVER_INBOUND_ENDPOINT,
    DNS_RESOLVER_OUTBOUND_ENDPOINT,
    FHIR_SERVICE,
    FIREWALL,
    FIREWALL_POLICY,
    FIREWALL_POLICY_RULE_COLLECTION_GROUP,
    HEALTH_WORKSPACE,
    KEY_VAULT,
    KEY_VAULT_KEY,
    KEY_VAULT_SECRET,
    LOCK_AT_RESOURCE_GROUP,
    LOCK_BY_SCOPE,
    LOG_ANALYTICS_WORKSPACE,
    METRIC_ALERT,
    MONITOR_PRIVATE_LINK_SCOPE,
    NETWORK_INTERFACE,
    NETWORK_SECURITY_GROUP,
    POLICY_ASSIGNMENT,
    POLICY_EXEMPTION,
    POLICY_SET_DEFINITION,
    PRIVATE_DNS_ZONE_GROUP,
    PRIVATE_ENDPOINT,
    PUBLIC_IP,
    RESOURCE_GROUP,
    ROLE_ASSIGNMENT,
    ROLE_DEFINITION,
    ROUTE_TABLE,
    SEARCH_SERVICE,
    SEARCH_SHARED_PRIVATE_LINK,
    SECURITY_RULE,
    STORAGE_ACCOUNT,
    SUBNET,
    USER_ASSIGNED_IDENTITY,
    VIRTUAL_MACHINE,
    VIRTUAL_MACHINE_EXTENSION,
    VIRTUAL_NETWORK,
    VIRTUAL_NETWORK_GATEWAY,
)

__all__ = [
    "PRIVATE_DNS_ZONES",
    "SERVICES",
    "ArmPath",
    "DiagnosticSettings",
    "Logged",
    "NotLogged",
    "PrivateLink",
    "Service",
]


@dataclass(frozen=True)
class ArmPath:
    """Where a type lives in Azure Resource Manager. Extension resources (role assignments,
    locks, diagnostic settings...) hang below the resource named by a scope input."""

    namespace: str
    """Provider namespace, ``Microsoft.KeyVault``."""
    levels: tuple[tuple[str, str], ...]
    """(collection, name input key) from the outermost resource inwards."""
    scope_key: str | None = None
    """For extension resources: the input holding the scope id they attach to. Default: None
    (the resource lives in a resource group, or at subscription level)."""
    in_resource_group: bool = True


@dataclass(frozen=True)
class PrivateLink:
    """The type is reached through a private endpoint (network-paas-require-private-endpoint)."""

    group_ids: tuple[str, ...]
    """Sub-resources a private endpoint to it can ask for; ARM refuses any other
    (deploy-privateendpoint-restrict-group-ids)."""
    zone_key: str
    """The zones' key in the landing zone's ``privateDnsZoneIds`` output, which AI lab stacks
    read: renaming one breaks them."""
    zones: tuple[str, ...]
    """The ``privatelink.*`` zones its endpoints register in (Microsoft's "Azure Private
    Endpoint private DNS zone values"); the landing zone creates each once, in this order."""


@dataclass(frozen=True)
class Logged:
    """The type must have a diagnostic setting (monitor-resource-require-diagnostic-settings)."""

    where: str
    """What the setting targets and the log categories that matter; the rule's message and
    policies/RULES.md show it."""


@dataclass(frozen=True)
class DiagnosticSettings:
    """What a diagnostic setting on the type collects (``components.diagnostics``). Category
    groups, not category lists, which go stale whenever Azure adds a category."""

    log_category_group: str | None
    """``allLogs``, ``audit`` (where that is all the service offers), or None (metrics only)."""
    metrics: bool
    """Whether the service emits platform metrics (``AllMetrics``)."""


@dataclass(frozen=True)
class NotLogged:
    """The type needs no diagnostic setting of its own."""

    why: str
    """The reason: it takes none, or what logs it instead."""


@dataclass(frozen=True)
class Service:
    """Everything hlz knows about one azure-native type."""

    token: str
    """``azure-native:<module>:<Type>``."""
    _: KW_ONLY
    arm: ArmPath | None
    """Where it lives in ARM. No default: None only for types whose ids the engine builds
    itself (resource groups) or that nothing plans typed."""
    diagnostics: Logged | NotLogged
    """No default: every type decides whether it needs a diagnostic setting (HIPAA 164.312(b),
    audit controls)."""
    validated: bool = True
    """Default: True — its Azure type definitions are vendored and ``hlz plan`` checks its
    inputs against them. False only for a type tests plan but no component creates; type
    validation reports it unchecked. A component that starts creating it sets True and vendors
    the definitions (``tools/refresh_bicep_types.py --check`` fails until then)."""
    names: tuple[tuple[str, str], ...] = ()
    """(``policies.names.NAME_RULES`` kind, dotted name input) pairs to check. Default: none —
    the type has no name rule of its own."""
    globally_unique: str | None = None
    """The dotted input whose value is a global DNS label (one of ``names``). Default: None —
    names are unique within their parent only."""
    private_link: PrivateLink | None = None
    """Default: None — not a private-link target. A PaaS type holding or guarding ePHI sets it."""
    settings: DiagnosticSettings | None = None
    """Default: None — Azure accepts no diagnostic setting on it (``send_diagnostics`` refuses
    it). Set for every type that takes one, ``Logged`` or not (a storage account's blob
    service takes the setting that covers the account)."""


def _catalogue(*rows: Service) -> Mapping[str, Service]:
    by_token: dict[str, Service] = {}
    for row in rows:
        if row.token in by_token:
            raise ValueError(f"two catalogue rows for {row.token}")
        by_token[row.token] = row
    return MappingProxyType(by_token)


_ACTIVITY_LOG = "a control-plane object: its changes are in the subscription's Activity Log"

SERVICES: Mapping[str, Service] = _catalogue(
    # --- Key Vault --------------------------------------------------------------------------
    Service(
        KEY_VAULT,
        arm=ArmPath("Microsoft.KeyVault", (("vaults", "vaultName"),)),
        names=(("key_vault", "vaultName"),),
        globally_unique="vaultName",
        private_link=PrivateLink(
            group_ids=("vault",), zone_key="keyvault", zones=("privatelink.vaultcore.azure.net",)
        ),
        diagnostics=Logged("the vault (AuditEvent via category group 'audit' / 'allLogs')"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        KEY_VAULT_KEY,
        arm=ArmPath("Microsoft.KeyVault", (("vaults", "vaultName"), ("keys", "keyName"))),
        diagnostics=NotLogged("key use is logged by the vault (AuditEvent)"),
    ),
    Service(
        KEY_VAULT_SECRET,
        arm=ArmPath("Microsoft.KeyVault", (("vaults", "vaultName"), ("secrets", "secretName"))),
        diagnostics=NotLogged("secret reads are logged by the vault (AuditEvent)"),
    ),
    # --- Storage ----------------------------------------------------------------------------
    Service(
        STORAGE_ACCOUNT,
        arm=ArmPath("Microsoft.Storage", (("storageAccounts", "accountName"),)),
        names=(("storage_account", "accountName"),),
        globally_unique="accountName",
        private_link=PrivateLink(
            group_ids=("blob", "dfs", "file", "queue", "table"),
            zone_key="storage",
            zones=(
                "privatelink.blob.core.windows.net",
                "privatelink.dfs.core.windows.net",
                "privatelink.file.core.windows.net",
            ),
        ),
        diagnostics=Logged(
            "the account's blob service (StorageRead/Write/Delete live on "
            ".../blobServices/default; the account itself only emits metrics)"
        ),
        settings=DiagnosticSettings(None, metrics=True),
    ),
    Service(
        BLOB_SERVICE,
        arm=ArmPath(
            "Microsoft.Storage",
            (("storageAccounts", "accountName"), ("blobServices", "blobServicesName")),
        ),
        diagnostics=NotLogged("the target of the storage account's setting (see above)"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        BLOB_CONTAINER,
        arm=ArmPath(
            "Microsoft.Storage",
            (
                ("storageAccounts", "accountName"),
                ("blobServices", "default"),
                ("containers", "containerName"),
            ),
        ),
        diagnostics=NotLogged("logged by the blob service"),
    ),
    # --- Cognitive Services (Azure OpenAI) ----------------------------------------------------
    Service(
        COGNITIVE_ACCOUNT,
        arm=ArmPath("Microsoft.CognitiveServices", (("accounts", "accountName"),)),
        names=(
            ("cognitive_services", "accountName"),
            ("cognitive_services", "properties.customSubDomainName"),
        ),
        globally_unique="properties.customSubDomainName",
        private_link=PrivateLink(
            group_ids=("account",),
            zone_key="openai",
            zones=(
                "privatelink.openai.azure.com",
                "privatelink.cognitiveservices.azure.com",
                "privatelink.services.ai.azure.com",
            ),
        ),
        diagnostics=Logged("the account (Audit, RequestResponse)"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        COGNITIVE_DEPLOYMENT,
        arm=ArmPath(
            "Microsoft.CognitiveServices",
            (("accounts", "accountName"), ("deployments", "deploymentName")),
        ),
        diagnostics=NotLogged("calls to the deployment are logged by the account"),
    ),
    Service(
        "azure-native:cognitiveservices:RaiPolicy",
        arm=ArmPath(
            "Microsoft.CognitiveServices",
            (("accounts", "accountName"), ("raiPolicies", "raiPolicyName")),
        ),
        diagnostics=NotLogged("part of its account, which is covered"),
    ),
    Service(
        COGNITIVE_PROJECT,
        arm=ArmPath(
            "Microsoft.CognitiveServices",
            (("accounts", "accountName"), ("projects", "projectName")),
        ),
        names=(("foundry_project", "projectName"),),
        diagnostics=NotLogged(
            "calls through a project are logged by its account (Audit, RequestResponse)"
        ),
    ),
    Service(
        COGNITIVE_ACCOUNT_CONNECTION,
        arm=ArmPath(
            "Microsoft.CognitiveServices",
            (("accounts", "accountName"), ("connections", "connectionName")),
        ),
        names=(("foundry_connection", "connectionName"),),
        diagnostics=NotLogged(
            "calls through a connection are logged by the account and by the target"
        ),
    ),
    Service(
        COGNITIVE_PROJECT_CONNECTION,
        arm=ArmPath(
            "Microsoft.CognitiveServices",
            (
                ("accounts", "accountName"),
                ("projects", "projectName"),
                ("connections", "connectionName"),
            ),
        ),
        names=(("foundry_connection", "connectionName"),),
        diagnostics=NotLogged(
            "calls through a connection are logged by the account and by the target"
        ),
    ),
    Service(
        COGNITIVE_PROJECT_CAPABILITY_HOST,
        arm=ArmPath(
            "Microsoft.CognitiveServices",
            (
                ("accounts", "accountName"),
                ("projects", "projectName"),
                ("capabilityHosts", "capabilityHostName"),
            ),
        ),
        diagnostics=NotLogged(
            "agent runs are logged by the account; the stores it names log their own access"
        ),
    ),
    # --- Health Data Services -----------------------------------------------------------------
    Service(
        HEALTH_WORKSPACE,
        arm=ArmPath("Microsoft.HealthcareApis", (("workspaces", "workspaceName"),)),
        names=(("health_workspace", "workspaceName"),),
        globally_unique="workspaceName",
        # The workspace endpoint covers its FHIR and DICOM services.
        private_link=PrivateLink(
            group_ids=("healthcareworkspace",),
            zone_key="health",
            zones=(
                "privatelink.workspace.azurehealthcareapis.com",
                "privatelink.fhir.azurehealthcareapis.com",
                "privatelink.dicom.azurehealthcareapis.com",
            ),
        ),
        diagnostics=NotLogged("takes no diagnostic settings; its FHIR and DICOM services log"),
    ),
    Service(
        FHIR_SERVICE,
        arm=ArmPath(
            "Microsoft.HealthcareApis",
            (("workspaces", "workspaceName"), ("fhirservices", "fhirServiceName")),
        ),
        names=(("fhir_service", "fhirServiceName"),),
        diagnostics=Logged("the FHIR service (AuditLogs)"),
        settings=DiagnosticSettings("audit", metrics=True),
    ),
    Service(
        DICOM_SERVICE,
        arm=ArmPath(
            "Microsoft.HealthcareApis",
            (("workspaces", "workspaceName"), ("dicomservices", "dicomServiceName")),
        ),
        names=(("dicom_service", "dicomServiceName"),),
        diagnostics=Logged("the DICOM service (AuditLogs)"),
        settings=DiagnosticSettings("audit", metrics=True),
    ),
    # --- Monitoring ---------------------------------------------------------------------------
    Service(
        LOG_ANALYTICS_WORKSPACE,
        arm=ArmPath("Microsoft.OperationalInsights", (("workspaces", "workspaceName"),)),
        names=(("log_analytics", "workspaceName"),),
        diagnostics=Logged("the workspace (query audit: LAQueryLogs)"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        MONITOR_PRIVATE_LINK_SCOPE,
        arm=ArmPath("Microsoft.Insights", (("privateLinkScopes", "scopeName"),)),
        names=(("monitor_private_link_scope", "scopeName"),),
        # Only reachable through its endpoint.
        private_link=PrivateLink(
            group_ids=("azuremonitor",),
            zone_key="monitor",
            zones=(
                "privatelink.monitor.azure.com",
                "privatelink.oms.opinsights.azure.com",
                "privatelink.ods.opinsights.azure.com",
                "privatelink.agentsvc.azure-automation.net",
            ),
        ),
        diagnostics=NotLogged("takes no diagnostic settings; the workspace behind it logs"),
    ),
    Service(
        APPINSIGHTS_COMPONENT,
        arm=ArmPath("Microsoft.Insights", (("components", "resourceName"),)),
        names=(("application_insights", "resourceName"),),
        diagnostics=NotLogged(
            "workspace-based: its telemetry is stored in the Log Analytics workspace it names "
            "(WorkspaceResourceId), whose own diagnostic setting audits queries"
        ),
    ),
    Service(
        "azure-native:monitor:PrivateLinkScopedResource",
        arm=ArmPath(
            "Microsoft.Insights",
            (("privateLinkScopes", "scopeName"), ("scopedResources", "name")),
        ),
        diagnostics=NotLogged("a link inside the private link scope"),
    ),
    Service(
        DIAGNOSTIC_SETTING,
        arm=ArmPath(
            "Microsoft.Insights", (("diagnosticSettings", "name"),), scope_key="resourceUri"
        ),
        diagnostics=NotLogged("the diagnostic setting itself"),
    ),
    # --- Alerts and budgets (docs/alerts.md) --------------------------------------------------
    Service(
        ACTION_GROUP,
        arm=ArmPath("Microsoft.Insights", (("actionGroups", "actionGroupName"),)),
        names=(("action_group", "actionGroupName"),),
        diagnostics=NotLogged(
            "takes no diagnostic settings; the alerts it delivers are in Azure Monitor's alert "
            "history, and its changes in the subscription's Activity Log"
        ),
    ),
    Service(
        METRIC_ALERT,
        arm=ArmPath("Microsoft.Insights", (("metricAlerts", "ruleName"),)),
        names=(("alert_rule", "ruleName"),),
        diagnostics=NotLogged(
            "takes no diagnostic settings; each alert it fires is in Azure Monitor's alert "
            "history, and its changes in the subscription's Activity Log"
        ),
    ),
    Service(
        ACTIVITY_LOG_ALERT,
        arm=ArmPath("Microsoft.Insights", (("activityLogAlerts", "activityLogAlertName"),)),
        names=(("alert_rule", "activityLogAlertName"),),
        diagnostics=NotLogged(
            "takes no diagnostic settings; each alert it fires is in Azure Monitor's alert "
            "history, and its changes in the subscription's Activity Log"
        ),
    ),
    Service(
        CONSUMPTION_BUDGET,
        arm=ArmPath("Microsoft.Consumption", (("budgets", "budgetName"),), scope_key="scope"),
        names=(("budget", "budgetName"),),
        diagnostics=NotLogged(
            "takes no diagnostic settings; its notifications go to its contacts, and its changes "
            "are in the subscription's Activity Log"
        ),
    ),
    # --- Networking ---------------------------------------------------------------------------
    Service(
        VIRTUAL_NETWORK,
        arm=ArmPath("Microsoft.Network", (("virtualNetworks", "virtualNetworkName"),)),
        names=(("virtual_network", "virtualNetworkName"),),
        diagnostics=Logged("the virtual network"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        SUBNET,
        arm=ArmPath(
            "Microsoft.Network",
            (("virtualNetworks", "virtualNetworkName"), ("subnets", "subnetName")),
        ),
        names=(("subnet", "subnetName"),),
        diagnostics=NotLogged("logged by its virtual network and network security group"),
    ),
    Service(
        "azure-native:network:VirtualNetworkPeering",
        arm=ArmPath(
            "Microsoft.Network",
            (
                ("virtualNetworks", "virtualNetworkName"),
                ("virtualNetworkPeerings", "virtualNetworkPeeringName"),
            ),
        ),
        diagnostics=NotLogged("part of its virtual network"),
    ),
    Service(
        NETWORK_SECURITY_GROUP,
        arm=ArmPath("Microsoft.Network", (("networkSecurityGroups", "networkSecurityGroupName"),)),
        names=(("network_security_group", "networkSecurityGroupName"),),
        diagnostics=Logged("the network security group (events, rule counters)"),
        settings=DiagnosticSettings("allLogs", metrics=False),
    ),
    Service(
        SECURITY_RULE,
        arm=ArmPath(
            "Microsoft.Network",
            (
                ("networkSecurityGroups", "networkSecurityGroupName"),
                ("securityRules", "securityRuleName"),
            ),
        ),
        diagnostics=NotLogged("part of its network security group, which is covered"),
    ),
    Service(
        ROUTE_TABLE,
        arm=ArmPath("Microsoft.Network", (("routeTables", "routeTableName"),)),
        names=(("route_table", "routeTableName"),),
        diagnostics=NotLogged("takes no diagnostic settings; " + _ACTIVITY_LOG),
    ),
    Service(
        FIREWALL,
        arm=ArmPath("Microsoft.Network", (("azureFirewalls", "azureFirewallName"),)),
        names=(("firewall", "azureFirewallName"),),
        diagnostics=Logged("the firewall (network, application and threat-intelligence logs)"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        FIREWALL_POLICY,
        arm=ArmPath("Microsoft.Network", (("firewallPolicies", "firewallPolicyName"),)),
        names=(("firewall_policy", "firewallPolicyName"),),
        diagnostics=NotLogged("takes no diagnostic settings; the firewall that uses it logs"),
    ),
    Service(
        FIREWALL_POLICY_RULE_COLLECTION_GROUP,
        arm=ArmPath(
            "Microsoft.Network",
            (
                ("firewallPolicies", "firewallPolicyName"),
                ("ruleCollectionGroups", "ruleCollectionGroupName"),
            ),
        ),
        diagnostics=NotLogged(
            "part of its firewall policy; the firewall logs every rule hit (application rules)"
        ),
    ),
    Service(
        PUBLIC_IP,
        arm=ArmPath("Microsoft.Network", (("publicIPAddresses", "publicIpAddressName"),)),
        names=(("public_ip", "publicIpAddressName"),),
        diagnostics=Logged("the public IP address (DDoS logs)"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        BASTION_HOST,
        arm=ArmPath("Microsoft.Network", (("bastionHosts", "bastionHostName"),)),
        names=(("bastion", "bastionHostName"),),
        diagnostics=Logged("the bastion host (BastionAuditLogs)"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        VIRTUAL_NETWORK_GATEWAY,
        arm=ArmPath(
            "Microsoft.Network", (("virtualNetworkGateways", "virtualNetworkGatewayName"),)
        ),
        names=(("virtual_network_gateway", "virtualNetworkGatewayName"),),
        diagnostics=Logged("the VPN gateway (gateway, tunnel, route, IKE and P2S logs)"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        DDOS_PROTECTION_PLAN,
        arm=ArmPath("Microsoft.Network", (("ddosProtectionPlans", "ddosProtectionPlanName"),)),
        names=(("ddos_plan", "ddosProtectionPlanName"),),
        diagnostics=NotLogged("takes no diagnostic settings; DDoS logs come from each public IP"),
    ),
    Service(
        PRIVATE_ENDPOINT,
        arm=ArmPath("Microsoft.Network", (("privateEndpoints", "privateEndpointName"),)),
        names=(("private_endpoint", "privateEndpointName"),),
        diagnostics=NotLogged("metrics only; the service behind it logs the traffic"),
    ),
    Service(
        PRIVATE_DNS_ZONE_GROUP,
        arm=ArmPath(
            "Microsoft.Network",
            (
                ("privateEndpoints", "privateEndpointName"),
                ("privateDnsZoneGroups", "privateDnsZoneGroupName"),
            ),
        ),
        diagnostics=NotLogged("part of its private endpoint"),
    ),
    Service(
        "azure-native:privatedns:PrivateZone",
        arm=ArmPath("Microsoft.Network", (("privateDnsZones", "privateZoneName"),)),
        diagnostics=NotLogged("metrics only (record-set counts)"),
    ),
    Service(
        "azure-native:privatedns:VirtualNetworkLink",
        arm=ArmPath(
            "Microsoft.Network",
            (
                ("privateDnsZones", "privateZoneName"),
                ("virtualNetworkLinks", "virtualNetworkLinkName"),
            ),
        ),
        diagnostics=NotLogged("part of its private DNS zone"),
    ),
    # --- DNS Private Resolver -----------------------------------------------------------------
    # components.dns_resolver creates these as generic resources at the GA API 2025-05-01 (whose
    # type definitions are vendored); the typed tokens send 2023-07-01-preview, which is not, so
    # the rows are unvalidated and judge the generic resources (policies.normalise). Azure
    # Monitor lists only metrics for resolvers and rulesets (none exportable by a diagnostic
    # setting) and resource logs (DNSQueryLogs) only for DNS security policies:
    # https://learn.microsoft.com/azure/dns/monitor-dns-reference
    Service(
        DNS_RESOLVER,
        arm=ArmPath("Microsoft.Network", (("dnsResolvers", "dnsResolverName"),)),
        validated=False,
        names=(("dns_resolver", "dnsResolverName"),),
        diagnostics=NotLogged(
            "takes no diagnostic settings (metrics only, none exportable: endpoint counts and "
            "queries per second); query logging is a DNS security policy "
            "(Microsoft.Network/dnsResolverPolicies), which the resolver does not have"
        ),
    ),
    Service(
        DNS_RESOLVER_INBOUND_ENDPOINT,
        arm=ArmPath(
            "Microsoft.Network",
            (("dnsResolvers", "dnsResolverName"), ("inboundEndpoints", "inboundEndpointName")),
        ),
        validated=False,
        names=(("dns_resolver_inbound_endpoint", "inboundEndpointName"),),
        diagnostics=NotLogged("part of its DNS resolver, which takes no diagnostic settings"),
    ),
    Service(
        DNS_RESOLVER_OUTBOUND_ENDPOINT,
        arm=ArmPath(
            "Microsoft.Network",
            (("dnsResolvers", "dnsResolverName"), ("outboundEndpoints", "outboundEndpointName")),
        ),
        validated=False,
        names=(("dns_resolver_outbound_endpoint", "outboundEndpointName"),),
        diagnostics=NotLogged("part of its DNS resolver, which takes no diagnostic settings"),
    ),
    Service(
        DNS_FORWARDING_RULESET,
        arm=ArmPath("Microsoft.Network", (("dnsForwardingRulesets", "dnsForwardingRulesetName"),)),
        validated=False,
        names=(("dns_forwarding_ruleset", "dnsForwardingRulesetName"),),
        diagnostics=NotLogged(
            "takes no diagnostic settings (metrics only: rule and link counts); " + _ACTIVITY_LOG
        ),
    ),
    Service(
        DNS_FORWARDING_RULE,
        arm=ArmPath(
            "Microsoft.Network",
            (
                ("dnsForwardingRulesets", "dnsForwardingRulesetName"),
                ("forwardingRules", "forwardingRuleName"),
            ),
        ),
        validated=False,
        diagnostics=NotLogged("part of its forwarding ruleset"),
    ),
    Service(
        DNS_FORWARDING_RULESET_LINK,
        arm=ArmPath(
            "Microsoft.Network",
            (
                ("dnsForwardingRulesets", "dnsForwardingRulesetName"),
                ("virtualNetworkLinks", "virtualNetworkLinkName"),
            ),
        ),
        validated=False,
        diagnostics=NotLogged("part of its forwarding ruleset"),
    ),
    # --- Identity and governance --------------------------------------------------------------
    Service(
        USER_ASSIGNED_IDENTITY,
        arm=ArmPath("Microsoft.ManagedIdentity", (("userAssignedIdentities", "resourceName"),)),
        names=(("managed_identity", "resourceName"),),
        diagnostics=NotLogged("takes no diagnostic settings; its sign-ins are in Entra ID logs"),
    ),
    # The engine builds resource group ids itself. No name rule either: a resource group's
    # inputs are its name and location only, and the generic rule tests treat it as the type
    # no per-type rule applies to.
    Service(RESOURCE_GROUP, arm=None, diagnostics=NotLogged(_ACTIVITY_LOG)),
    Service(
        ROLE_ASSIGNMENT,
        arm=ArmPath(
            "Microsoft.Authorization",
            (("roleAssignments", "roleAssignmentName"),),
            scope_key="scope",
        ),
        diagnostics=NotLogged(_ACTIVITY_LOG),
    ),
    # components.roles creates custom role definitions as generic resources at the GA API
    # 2022-04-01 (whose type definitions are vendored); the typed token sends
    # 2022-05-01-preview, which is not, so the row is unvalidated and judges the generic
    # resources (policies.normalise).
    Service(
        ROLE_DEFINITION,
        arm=ArmPath(
            "Microsoft.Authorization",
            (("roleDefinitions", "roleDefinitionId"),),
            scope_key="scope",
        ),
        validated=False,
        diagnostics=NotLogged(_ACTIVITY_LOG),
    ),
    Service(
        POLICY_ASSIGNMENT,
        arm=ArmPath(
            "Microsoft.Authorization",
            (("policyAssignments", "policyAssignmentName"),),
            scope_key="scope",
        ),
        diagnostics=NotLogged(_ACTIVITY_LOG),
    ),
    Service(
        POLICY_SET_DEFINITION,
        arm=ArmPath(
            "Microsoft.Authorization",
            (("policySetDefinitions", "policySetDefinitionName"),),
            in_resource_group=False,
        ),
        diagnostics=NotLogged(_ACTIVITY_LOG),
    ),
    Service(
        POLICY_EXEMPTION,
        arm=ArmPath(
            "Microsoft.Authorization",
            (("policyExemptions", "policyExemptionName"),),
            scope_key="scope",
        ),
        diagnostics=NotLogged(_ACTIVITY_LOG),
    ),
    Service(
        LOCK_BY_SCOPE,
        arm=ArmPath("Microsoft.Authorization", (("locks", "lockName"),), scope_key="scope"),
        diagnostics=NotLogged(_ACTIVITY_LOG),
    ),
    # The components lock by scope; the governance rules also judge this flavour, which no
    # stack plans, so it has no ARM path (planning one stops with "no ARM path").
    Service(LOCK_AT_RESOURCE_GROUP, arm=None, diagnostics=NotLogged(_ACTIVITY_LOG)),
    Service(
        DEFENDER_PRICING,
        arm=ArmPath("Microsoft.Security", (("pricings", "pricingName"),), scope_key="scopeId"),
        diagnostics=NotLogged(_ACTIVITY_LOG),
    ),
    # --- Azure AI Search -------------------------------------------------------------------------
    Service(
        SEARCH_SERVICE,
        arm=ArmPath("Microsoft.Search", (("searchServices", "searchServiceName"),)),
        names=(("search_service", "searchServiceName"),),
        globally_unique="searchServiceName",
        private_link=PrivateLink(
            group_ids=("searchService",),
            zone_key="search",
            zones=("privatelink.search.windows.net",),
        ),
        diagnostics=Logged("the service (OperationLogs: queries, indexing, management)"),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        SEARCH_SHARED_PRIVATE_LINK,
        arm=ArmPath(
            "Microsoft.Search",
            (
                ("searchServices", "searchServiceName"),
                ("sharedPrivateLinkResources", "sharedPrivateLinkResourceName"),
            ),
        ),
        diagnostics=NotLogged(
            "an outbound private connection of its search service, which logs the indexer runs "
            "that use it; the target logs the requests"
        ),
    ),
    # --- API Management (the lab AI gateway) ------------------------------------------------
    Service(
        APIM_SERVICE,
        arm=ArmPath("Microsoft.ApiManagement", (("service", "serviceName"),)),
        names=(("api_management", "serviceName"),),
        globally_unique="serviceName",
        private_link=PrivateLink(
            group_ids=("Gateway",), zone_key="apim", zones=("privatelink.azure-api.net",)
        ),
        diagnostics=Logged(
            "the service (GatewayLogs: every request's caller IP, operation, status and times, "
            "without bodies; GatewayLlmLogs only when LLM message logging is turned on)"
        ),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        APIM_API,
        arm=ArmPath("Microsoft.ApiManagement", (("service", "serviceName"), ("apis", "apiId"))),
        diagnostics=NotLogged("its requests are in the service's GatewayLogs"),
    ),
    Service(
        APIM_API_OPERATION,
        arm=ArmPath(
            "Microsoft.ApiManagement",
            (("service", "serviceName"), ("apis", "apiId"), ("operations", "operationId")),
        ),
        diagnostics=NotLogged("its requests are in the service's GatewayLogs"),
    ),
    Service(
        APIM_API_POLICY,
        arm=ArmPath(
            "Microsoft.ApiManagement",
            (("service", "serviceName"), ("apis", "apiId"), ("policies", "policyId")),
        ),
        diagnostics=NotLogged(
            "configuration of its API; what it decides (401, 429) is in the service's "
            "GatewayLogs; " + _ACTIVITY_LOG
        ),
    ),
    Service(
        APIM_LOGGER,
        arm=ArmPath(
            "Microsoft.ApiManagement", (("service", "serviceName"), ("loggers", "loggerId"))
        ),
        diagnostics=NotLogged(
            "a destination of the service's telemetry, not a source; " + _ACTIVITY_LOG
        ),
    ),
    Service(
        APIM_DIAGNOSTIC,
        arm=ArmPath(
            "Microsoft.ApiManagement", (("service", "serviceName"), ("diagnostics", "diagnosticId"))
        ),
        diagnostics=NotLogged(
            "what the service sends to a logger (metrics, sampled requests, bodies only with "
            "an override); " + _ACTIVITY_LOG
        ),
    ),
    # --- Azure Cosmos DB (the Foundry Agent Service's thread store) -----------------------------
    # A NoSQL (GlobalDocumentDB) account: its one private-link sub-resource hlz uses is 'Sql'
    # (the dedicated gateway's 'SqlDedicated' and the analytical store's 'Analytical' are never
    # turned on, so the landing zone creates no zone for them). Diagnostic settings take the
    # 'allLogs' and 'audit' category groups
    # (https://learn.microsoft.com/azure/cosmos-db/monitor-reference).
    Service(
        COSMOS_ACCOUNT,
        arm=ArmPath("Microsoft.DocumentDB", (("databaseAccounts", "accountName"),)),
        names=(("cosmos_account", "accountName"),),
        globally_unique="accountName",
        private_link=PrivateLink(
            group_ids=("Sql",), zone_key="cosmos", zones=("privatelink.documents.azure.com",)
        ),
        diagnostics=Logged(
            "the account (DataPlaneRequests with the caller's Entra principal, "
            "ControlPlaneRequests; query text obfuscated unless full-text query logging is on)"
        ),
        settings=DiagnosticSettings("allLogs", metrics=True),
    ),
    Service(
        COSMOS_SQL_ROLE_ASSIGNMENT,
        arm=ArmPath(
            "Microsoft.DocumentDB",
            (("databaseAccounts", "accountName"), ("sqlRoleAssignments", "roleAssignmentId")),
        ),
        diagnostics=NotLogged(
            "a data-plane grant of its account, whose DataPlaneRequests log every request made "
            "with it; " + _ACTIVITY_LOG
        ),
    ),
    # --- Virtual machines (the lab jump host) ---------------------------------------------------
    # What Azure Monitor offers per type ("Supported logs" / "Supported metrics" reference,
    # https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/logs-index): a VM
    # has two resource log categories, both Azure Update Manager's, and exportable metrics; a
    # network interface metrics only; a disk encryption set neither.
    Service(
        VIRTUAL_MACHINE,
        arm=ArmPath("Microsoft.Compute", (("virtualMachines", "vmName"),)),
        names=(
            ("virtual_machine", "vmName"),
            ("virtual_machine", "osProfile.computerName"),
        ),
        diagnostics=NotLogged(
            "its only resource logs are Azure Update Manager's patch records (SoftwareUpdates, "
            "SoftwareUpdateProfile); who signed in is audited by the hub's Bastion "
            "(BastionAuditLogs) and Entra ID sign-in logs, and activity inside the guest needs "
            "the Azure Monitor agent, which no diagnostic setting replaces"
        ),
        # Metrics only: Learn documents no category group for the VM's two log categories.
        settings=DiagnosticSettings(None, metrics=True),
    ),
    Service(
        VIRTUAL_MACHINE_EXTENSION,
        arm=ArmPath(
            "Microsoft.Compute",
            (("virtualMachines", "vmName"), ("extensions", "vmExtensionName")),
        ),
        diagnostics=NotLogged(
            "part of its virtual machine; installs and upgrades are in the Activity Log"
        ),
    ),
    Service(
        DISK_ENCRYPTION_SET,
        arm=ArmPath("Microsoft.Compute", (("diskEncryptionSets", "diskEncryptionSetName"),)),
        names=(("disk_encryption_set", "diskEncryptionSetName"),),
        diagnostics=NotLogged(
            "takes no diagnostic settings (no resource logs, no metrics); every wrap and unwrap "
            "of its key is logged by the key vault (AuditEvent), its changes in the Activity Log"
        ),
    ),
    Service(
        NETWORK_INTERFACE,
        arm=ArmPath("Microsoft.Network", (("networkInterfaces", "networkInterfaceName"),)),
        names=(("network_interface", "networkInterfaceName"),),
        diagnostics=NotLogged(
            "metrics only (bytes and packets, no resource logs); its subnet's network security "
            "group logs the traffic decisions"
        ),
        settings=DiagnosticSettings(None, metrics=True),
    ),
    # The jump host's auto-shutdown: a DevTest Labs schedule outside any lab, in the VM's
    # resource group (the SDK's GlobalSchedule; its name input is ``name``).
    Service(
        DEVTESTLAB_GLOBAL_SCHEDULE,
        arm=ArmPath("Microsoft.DevTestLab", (("schedules", "name"),)),
        diagnostics=NotLogged(
            "a cost-control timer that holds and reads no data; " + _ACTIVITY_LOG
        ),
    ),
)
"""Every azure-native type hlz knows, by token, one row each."""


_ZONE_KEY_ORDER = ("keyvault", "openai", "health", "storage", "monitor")
"""The landing zone has created its zones, and exported them as ``privateDnsZoneIds`` (which AI
lab stacks read), in this key order since before the catalogue existed. The row order differs:
there storage comes before the OpenAI account, as in the policies/RULES.md tables. A key not
listed here follows in row order, so a new service is still one row."""


def _private_dns_zones() -> Mapping[str, tuple[str, ...]]:
    links = [row.private_link for row in SERVICES.values() if row.private_link is not None]

    def position(link: PrivateLink) -> int:
        keys = _ZONE_KEY_ORDER
        return keys.index(link.zone_key) if link.zone_key in keys else len(keys)

    return MappingProxyType({link.zone_key: link.zones for link in sorted(links, key=position)})


PRIVATE_DNS_ZONES: Mapping[str, tuple[str, ...]] = _private_dns_zones()
"""Zone key -> the ``privatelink.*`` zones of the private-link rows (Azure public cloud): the
zones the landing zone creates, in order, and the shape of its ``privateDnsZoneIds`` output."""
