"""Pulumi type tokens of the azure-native resources the rules look at (pulumi-azure-native 3.x)."""

from __future__ import annotations

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"

KEY_VAULT = "azure-native:keyvault:Vault"
KEY_VAULT_KEY = "azure-native:keyvault:Key"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"

COGNITIVE_ACCOUNT = "azure-native:cognitiveservices:Account"
COGNITIVE_DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
COGNITIVE_PROJECT = "azure-native:cognitiveservices:Project"
COGNITIVE_ACCOUNT_CONNECTION = "azure-native:cognitiveservices:AccountConnection"
COGNITIVE_PROJECT_CONNECTION = "azure-native:cognitiveservices:ProjectConnection"
COGNITIVE_PROJECT_CAPABILITY_HOST = "azure-native:cognitiveservices:ProjectCapabilityHost"

HEALTH_WORKSPACE = "azure-native:healthcareapis:Workspace"
FHIR_SERVICE = "azure-native:healthcareapis:FhirService"
DICOM_SERVICE = "azure-native:healthcareapis:DicomService"

LOG_ANALYTICS_WORKSPACE = "azure-native:operationalinsights:Workspace"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
APPINSIGHTS_COMPONENT = "azure-native:applicationinsights:Component"

VIRTUAL_NETWORK = "azure-native:network:VirtualNetwork"
SUBNET = "azure-native:network:Subnet"
NETWORK_SECURITY_GROUP = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
FIREWALL = "azure-native:network:AzureFirewall"
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
FIREWALL_POLICY_RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
BASTION_HOST = "azure-native:network:BastionHost"
VIRTUAL_NETWORK_GATEWAY = "azure-native:network:VirtualNetworkGateway"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
PRIVATE_DNS_ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"

# Azure DNS Private Resolver. components.dns_resolver creates each as a generic
# azure-native:resources:Resource at the GA API (2025-05-01); the pack judges those as these
# typed tokens (policies.normalise).
DNS_RESOLVER = "azure-native:dnsresolver:DnsResolver"
DNS_RESOLVER_INBOUND_ENDPOINT = "azure-native:dnsresolver:InboundEndpoint"
DNS_RESOLVER_OUTBOUND_ENDPOINT = "azure-native:dnsresolver:OutboundEndpoint"
DNS_FORWARDING_RULESET = "azure-native:dnsresolver:DnsForwardingRuleset"
DNS_FORWARDING_RULE = "azure-native:dnsresolver:ForwardingRule"
DNS_FORWARDING_RULESET_LINK = "azure-native:dnsresolver:PrivateResolverVirtualNetworkLink"

ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
LOCK_BY_SCOPE = "azure-native:authorization:ManagementLockByScope"
LOCK_AT_RESOURCE_GROUP = "azure-native:authorization:ManagementLockAtResourceGroupLevel"

DEFENDER_PRICING = "azure-native:security:Pricing"

# Budgets and alerts (components.alerts, components.budget; docs/alerts.md): an AI lab's
# consumption budget on its resource group, the landing zone's action group, and the baseline
# alert rules both stacks create on what they deploy.
CONSUMPTION_BUDGET = "azure-native:consumption:Budget"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
ACTIVITY_LOG_ALERT = "azure-native:monitor:ActivityLogAlert"

# Used by the deploy rules (deploy_*.py).
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
ROUTE_TABLE = "azure-native:network:RouteTable"
DDOS_PROTECTION_PLAN = "azure-native:network:DdosProtectionPlan"
MONITOR_PRIVATE_LINK_SCOPE = "azure-native:monitor:PrivateLinkScope"
USER_ASSIGNED_IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
POLICY_SET_DEFINITION = "azure-native:authorization:PolicySetDefinition"
POLICY_EXEMPTION = "azure-native:authorization:PolicyExemption"
SEARCH_SERVICE = "azure-native:search:Service"
SEARCH_SHARED_PRIVATE_LINK = "azure-native:search:SharedPrivateLinkResource"
# The Foundry Agent Service's own thread store (Azure Cosmos DB for NoSQL) and its data-plane
# role assignments.
COSMOS_ACCOUNT = "azure-native:cosmosdb:DatabaseAccount"
COSMOS_SQL_ROLE_ASSIGNMENT = "azure-native:cosmosdb:SqlResourceSqlRoleAssignment"
# The lab AI gateway (API Management): the service, its API, the API's operations and policy.
APIM_SERVICE = "azure-native:apimanagement:ApiManagementService"
APIM_API = "azure-native:apimanagement:Api"
APIM_API_OPERATION = "azure-native:apimanagement:ApiOperation"
APIM_API_POLICY = "azure-native:apimanagement:ApiPolicy"
# The gateway's telemetry: a logger (where) and a diagnostic (what: metrics, never bodies unless
# overridden).
APIM_LOGGER = "azure-native:apimanagement:Logger"
APIM_DIAGNOSTIC = "azure-native:apimanagement:Diagnostic"

VIRTUAL_MACHINE = "azure-native:compute:VirtualMachine"
VIRTUAL_MACHINE_EXTENSION = "azure-native:compute:VirtualMachineExtension"
DISK_ENCRYPTION_SET = "azure-native:compute:DiskEncryptionSet"
NETWORK_INTERFACE = "azure-native:network:NetworkInterface"
# Azure's VM auto-shutdown: a DevTest Labs schedule outside any lab (the portal's
# "Auto-shutdown" blade creates the same resource).
DEVTESTLAB_GLOBAL_SCHEDULE = "azure-native:devtestlab:GlobalSchedule"
