"""Shared fixtures for the policy pack tests: one compliant resource per type, and mutations.

Fixtures are camelCase wire inputs shaped like what pulumi-azure-native 3.29.0 registers (SDK
defaults included, numbers as floats as they arrive from protobuf). Every fixture passes every
rule that applies to it; each ``Mutation`` breaks (or deliberately keeps) one rule.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SUB = "/subscriptions/00000000-0000-4000-8000-000000000001"
RG = f"{SUB}/resourceGroups/rg-hlz-prod"
TENANT = "00000000-0000-4000-8000-0000000000aa"
OWNER_ROLE = (
    f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
)
READER_ROLE = (
    f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
)
HITRUST_HIPAA_INITIATIVE = (
    "/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab"
)
NETWORK = f"{RG}/providers/Microsoft.Network"
ZONES = f"{NETWORK}/privateDnsZones"

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
KEY_VAULT = "azure-native:keyvault:Vault"
KEY_VAULT_KEY = "azure-native:keyvault:Key"
COGNITIVE_ACCOUNT = "azure-native:cognitiveservices:Account"
COGNITIVE_DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
RAI_POLICY = "azure-native:cognitiveservices:RaiPolicy"
COGNITIVE_PROJECT = "azure-native:cognitiveservices:Project"
ACCOUNT_CONNECTION = "azure-native:cognitiveservices:AccountConnection"
PROJECT_CONNECTION = "azure-native:cognitiveservices:ProjectConnection"
CAPABILITY_HOST = "azure-native:cognitiveservices:ProjectCapabilityHost"
HEALTH_WORKSPACE = "azure-native:healthcareapis:Workspace"
FHIR_SERVICE = "azure-native:healthcareapis:FhirService"
DICOM_SERVICE = "azure-native:healthcareapis:DicomService"
LOG_ANALYTICS = "azure-native:operationalinsights:Workspace"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
SUBNET = "azure-native:network:Subnet"
VIRTUAL_NETWORK = "azure-native:network:VirtualNetwork"
NSG = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
RULE_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
FIREWALL = "azure-native:network:AzureFirewall"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
BASTION_HOST = "azure-native:network:BastionHost"
VPN_GATEWAY = "azure-native:network:VirtualNetworkGateway"
ROUTE_TABLE = "azure-native:network:RouteTable"
DDOS_PLAN = "azure-native:network:DdosProtectionPlan"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
PRIVATE_DNS_ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
MONITOR_PRIVATE_LINK_SCOPE = "azure-native:monitor:PrivateLinkScope"
USER_ASSIGNED_IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
POLICY_SET_DEFINITION = "azure-native:authorization:PolicySetDefinition"
BUILTIN = "/providers/Microsoft.Authorization/policyDefinitions"
SEARCH_SERVICE = "azure-native:search:Service"
APIM_SERVICE = "azure-native:apimanagement:ApiManagementService"
APIM_LOGGER = "azure-native:apimanagement:Logger"
APIM_DIAGNOSTIC = "azure-native:apimanagement:Diagnostic"
APPINSIGHTS = "azure-native:applicationinsights:Component"
VIRTUAL_MACHINE = "azure-native:compute:VirtualMachine"
VM_EXTENSION = "azure-native:compute:VirtualMachineExtension"
DISK_ENCRYPTION_SET = "azure-native:compute:DiskEncryptionSet"
NETWORK_INTERFACE = "azure-native:network:NetworkInterface"
SHUTDOWN_SCHEDULE = "azure-native:devtestlab:GlobalSchedule"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"
DEFENDER_PRICING = "azure-native:security:Pricing"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
GENERIC_RESOURCE = "azure-native:resources:Resource"
DNS_RESOLVER = "azure-native:dnsresolver:DnsResolver"
DNS_INBOUND = "azure-native:dnsresolver:InboundEndpoint"
DNS_OUTBOUND = "azure-native:dnsresolver:OutboundEndpoint"
DNS_RULESET = "azure-native:dnsresolver:DnsForwardingRuleset"
DNS_RULE = "azure-native:dnsresolver:ForwardingRule"
DNS_RULESET_LINK = "azure-native:dnsresolver:PrivateResolverVirtualNetworkLink"
COSMOS_ACCOUNT = "azure-native:cosmosdb:DatabaseAccount"
COSMOS_SQL_ROLE_ASSIGNMENT = "azure-native:cosmosdb:SqlResourceSqlRoleAssignment"
COSMOS_ID = f"{RG}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-hlz-prod"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
ACTIVITY_LOG_ALERT = "azure-native:monitor:ActivityLogAlert"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
BUDGET = "azure-native:consumption:Budget"
ACTION_GROUP_ID = f"{RG}/providers/Microsoft.Insights/actionGroups/ag-hlz-prod-platform"
STORAGE_ID = f"{RG}/providers/Microsoft.Storage/storageAccounts/sthlzprod"

TAGS = {
    "owner": "platform-team",
    "cost-center": "cc-1234",
    "environment": "prod",
    "data-classification": "phi",
}

GOVERNANCE_RECORD = {
    "hlz-use-case": "Summarise clinician notes for discharge review",
    "hlz-risk-tier": "high",
    "hlz-approval-reference": "AIGB-2026-014",
    "hlz-approval-expires": "2099-12-31",
    "hlz-accountable-owner": "dr.a.rivera@example.org",
    "hlz-processes-phi": "true",
}
"""A model deployment's governance tags (``policies.vocabulary.GOVERNANCE_TAGS``); the expiry is
far in the future so the fixture stays compliant whatever the date."""


def _strict_filters() -> list[dict[str, Any]]:
    harm = [
        {
            "name": category,
            "source": source,
            "severityThreshold": "Medium",
            "blocking": True,
            "enabled": True,
        }
        for category in ("Hate", "Sexual", "Violence", "Selfharm")
        for source in ("Prompt", "Completion")
    ]
    shields = [
        {"name": shield, "source": "Prompt", "blocking": True, "enabled": True}
        for shield in ("Jailbreak", "Indirect Attack")
    ]
    return harm + shields


COMPLIANT: dict[str, dict[str, Any]] = {
    STORAGE_ACCOUNT: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "sthlzprod",
        "location": "eastus2",
        "tags": TAGS,
        "kind": "StorageV2",
        "sku": {"name": "Standard_GZRS"},
        "minimumTlsVersion": "TLS1_2",
        "enableHttpsTrafficOnly": True,
        "publicNetworkAccess": "Disabled",
        "allowBlobPublicAccess": False,
        "allowSharedKeyAccess": False,
        "allowCrossTenantReplication": False,
        "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"},
        "encryption": {
            "keySource": "Microsoft.Keyvault",
            "requireInfrastructureEncryption": True,
            "keyVaultProperties": {
                "keyName": "cmk-storage",
                "keyVaultUri": "https://kv-hlz-prod.vault.azure.net/",
            },
            "services": {"blob": {"enabled": True, "keyType": "Account"}},
        },
    },
    BLOB_SERVICE: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "sthlzprod",
        "blobServicesName": "default",
        "isVersioningEnabled": True,
        "deleteRetentionPolicy": {"enabled": True, "days": 30.0},
        "containerDeleteRetentionPolicy": {"enabled": True, "days": 30.0},
    },
    # As components.storage registers its containers.
    BLOB_CONTAINER: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "sthlzprod",
        "containerName": "clinical-notes",
        "publicAccess": "None",
    },
    KEY_VAULT: {
        "resourceGroupName": "rg-hlz-prod",
        "vaultName": "kv-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "properties": {
            "tenantId": TENANT,
            "sku": {"family": "A", "name": "premium"},
            "enableRbacAuthorization": True,
            "enablePurgeProtection": True,
            "enableSoftDelete": True,
            "softDeleteRetentionInDays": 90.0,
            "publicNetworkAccess": "Disabled",
            "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
            "enabledForDeployment": False,
            "enabledForDiskEncryption": False,
            "enabledForTemplateDeployment": False,
        },
    },
    KEY_VAULT_KEY: {
        "resourceGroupName": "rg-hlz-prod",
        "vaultName": "kv-hlz-prod",
        "keyName": "cmk-storage",
        "tags": TAGS,
        "properties": {
            "kty": "RSA-HSM",
            "keySize": 3072.0,
            "attributes": {"enabled": True, "exportable": False},
            "rotationPolicy": {
                "attributes": {"expiryTime": "P1Y"},
                "lifetimeActions": [
                    {"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P45D"}},
                    {"action": {"type": "rotate"}, "trigger": {"timeBeforeExpiry": "P30D"}},
                ],
            },
        },
    },
    # The expiry (2100-01-01) is far in the future so the fixture stays compliant whatever the
    # date; the SDK sends ARM's ``exp`` as ``expires``.
    KEY_VAULT_SECRET: {
        "resourceGroupName": "rg-hlz-prod",
        "vaultName": "kv-hlz-prod",
        "secretName": "fhir-client-secret",
        "tags": TAGS,
        "properties": {
            "value": "not-a-real-secret",
            "contentType": "text/plain",
            "attributes": {"enabled": True, "expires": 4102444800.0},
        },
    },
    COGNITIVE_ACCOUNT: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "oai-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "kind": "OpenAI",
        "sku": {"name": "S0"},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": [f"{RG}/id-oai"]},
        "properties": {
            "customSubDomainName": "oai-hlz-prod",
            "disableLocalAuth": True,
            "publicNetworkAccess": "Disabled",
            "networkAcls": {"defaultAction": "Deny"},
            "restrictOutboundNetworkAccess": True,
            "allowedFqdnList": ["sthlzprod.blob.core.windows.net"],
            "encryption": {
                "keySource": "Microsoft.KeyVault",
                "keyVaultProperties": {
                    "keyName": "cmk-oai",
                    "keyVaultUri": "https://kv-hlz-prod.vault.azure.net/",
                    "identityClientId": "11111111-1111-4111-8111-111111111111",
                },
            },
        },
    },
    COGNITIVE_DEPLOYMENT: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "oai-hlz-prod",
        "deploymentName": "gpt-4o",
        "tags": {**TAGS, **GOVERNANCE_RECORD},
        "sku": {"name": "DataZoneStandard", "capacity": 10.0},
        "properties": {
            "model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"},
            "raiPolicyName": "clinical-strict",
        },
    },
    RAI_POLICY: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "oai-hlz-prod",
        "raiPolicyName": "clinical-strict",
        "tags": TAGS,
        "properties": {
            "basePolicyName": "Microsoft.DefaultV2",
            "mode": "Blocking",
            # Hate/Sexual/Violence/Selfharm x Prompt/Completion at indexes 0-7, then Jailbreak (8)
            # and Indirect Attack (9), as components/openai.py registers them.
            "contentFilters": _strict_filters(),
        },
    },
    # A Foundry project as components.foundry registers it (its account is kind AIServices with
    # project management allowed; the deploy rule relating them is a stack rule).
    COGNITIVE_PROJECT: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "oai-hlz-prod",
        "projectName": "discharge-notes",
        "location": "eastus2",
        "tags": TAGS,
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "displayName": "discharge-notes",
            "description": "Evaluate and trace the discharge-summary prompts",
        },
    },
    # Foundry connections as Microsoft's standard agent setup makes them: Entra ID ('AAD', what
    # AADAuthTypeConnectionPropertiesArgs sends), no stored credential; the project's managed
    # identity holds a data role on the target.
    ACCOUNT_CONNECTION: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "oai-hlz-prod",
        "connectionName": "st-notes",
        "properties": {
            "authType": "AAD",
            "category": "AzureBlob",
            "target": "https://sthlzprod.blob.core.windows.net/",
            "isSharedToAll": True,
            "metadata": {
                "ApiType": "Azure",
                "ResourceId": f"{RG}/providers/Microsoft.Storage/storageAccounts/sthlzprod",
                "location": "eastus2",
            },
        },
    },
    PROJECT_CONNECTION: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "oai-hlz-prod",
        "projectName": "discharge-notes",
        "connectionName": "srch-notes",
        "properties": {
            "authType": "AAD",
            "category": "CognitiveSearch",
            "target": "https://srch-hlz-prod.search.windows.net",
            "metadata": {
                "ApiType": "Azure",
                "ResourceId": f"{RG}/providers/Microsoft.Search/searchServices/srch-hlz-prod",
                "location": "eastus2",
            },
        },
    },
    CAPABILITY_HOST: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "oai-hlz-prod",
        "projectName": "discharge-notes",
        "capabilityHostName": "agents",
        "projectCapabilityHostProperties": {
            "threadStorageConnections": ["conn-threads"],
            "storageConnections": ["conn-files"],
            "vectorStoreConnections": ["srch-notes"],
        },
    },
    # The typed view of the generic workspace below (policies.normalise), which is the only way
    # pulumi-azure-native 3.29.0 can send publicNetworkAccess.
    HEALTH_WORKSPACE: {
        "resourceGroupName": "rg-hlz-prod",
        "workspaceName": "hdshlzprod",
        "location": "eastus2",
        "tags": TAGS,
        "properties": {"publicNetworkAccess": "Disabled"},
        "publicNetworkAccess": "Disabled",
    },
    # A lab's custom role as components.roles declares it (there as a generic resource, judged
    # as this typed shape: policies.normalise lifts its properties).
    ROLE_DEFINITION: {
        "roleDefinitionId": "2e44345c-7157-52b2-b15d-7c5feccc8179",
        "scope": RG,
        "roleName": "Jump Host Starter (vm-hlzp-lab-jump)",
        "description": "Lab members start the jump host.",
        "roleType": "CustomRole",
        "permissions": [
            {
                "actions": [
                    "Microsoft.Compute/virtualMachines/read",
                    "Microsoft.Compute/virtualMachines/instanceView/read",
                    "Microsoft.Compute/virtualMachines/start/action",
                ],
                "notActions": [],
                "dataActions": [],
                "notDataActions": [],
            }
        ],
        "assignableScopes": [RG],
    },
    # A Health Data Services workspace as components.health_data declares it.
    GENERIC_RESOURCE: {
        "resourceProviderNamespace": "Microsoft.HealthcareApis",
        "resourceType": "workspaces",
        "parentResourcePath": "",
        "apiVersion": "2024-03-31",
        "resourceName": "hdshlzprod",
        "resourceGroupName": "rg-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "properties": {"publicNetworkAccess": "Disabled"},
    },
    FHIR_SERVICE: {
        "resourceGroupName": "rg-hlz-prod",
        "workspaceName": "hdshlzprod",
        "fhirServiceName": "fhir",
        "location": "eastus2",
        "tags": TAGS,
        "kind": "fhir-R4",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": [f"{RG}/id-fhir"]},
        "authenticationConfiguration": {
            "authority": f"https://login.microsoftonline.com/{TENANT}",
            "audience": "https://hdshlzprod-fhir.fhir.azurehealthcareapis.com",
            "smartProxyEnabled": False,
        },
        "corsConfiguration": {
            "origins": ["https://portal.hlz.example.org"],
            "headers": ["*"],
            "methods": ["GET", "POST"],
            "allowCredentials": False,
        },
        "encryption": {
            "customerManagedKeyEncryption": {
                "keyEncryptionKeyUrl": "https://kv-hlz-prod.vault.azure.net/keys/cmk-fhir"
            }
        },
        "resourceVersionPolicyConfiguration": {"default": "versioned"},
    },
    DICOM_SERVICE: {
        "resourceGroupName": "rg-hlz-prod",
        "workspaceName": "hdshlzprod",
        "dicomServiceName": "dicom",
        "location": "eastus2",
        "tags": TAGS,
        "corsConfiguration": {
            "origins": ["https://viewer.hlz.example.org"],
            "allowCredentials": False,
        },
        "encryption": {
            "customerManagedKeyEncryption": {
                "keyEncryptionKeyUrl": "https://kv-hlz-prod.vault.azure.net/keys/cmk-dicom"
            }
        },
    },
    LOG_ANALYTICS: {
        "resourceGroupName": "rg-hlz-prod",
        "workspaceName": "log-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "sku": {"name": "PerGB2018"},
        "retentionInDays": 365.0,
        "publicNetworkAccessForIngestion": "Disabled",
        "publicNetworkAccessForQuery": "Disabled",
    },
    DIAGNOSTIC_SETTING: {
        "name": "diag-kv",
        "resourceUri": f"{RG}/providers/Microsoft.KeyVault/vaults/kv-hlz-prod",
        "workspaceId": f"{RG}/providers/Microsoft.OperationalInsights/workspaces/log-hlz-prod",
        "logs": [{"categoryGroup": "allLogs", "enabled": True}],
        "metrics": [{"category": "AllMetrics", "enabled": True}],
    },
    SUBNET: {
        "resourceGroupName": "rg-hlz-prod",
        "virtualNetworkName": "vnet-hub",
        "subnetName": "snet-app",
        "addressPrefix": "10.0.1.0/24",
        "networkSecurityGroup": {
            "id": f"{RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-app"
        },
        "privateEndpointNetworkPolicies": "Disabled",
        "privateLinkServiceNetworkPolicies": "Enabled",
    },
    VIRTUAL_NETWORK: {
        "resourceGroupName": "rg-hlz-prod",
        "virtualNetworkName": "vnet-hub",
        "location": "eastus2",
        "tags": TAGS,
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "enableDdosProtection": False,
        "enableVmProtection": False,
        "subnets": [
            {
                "name": "snet-app",
                "addressPrefix": "10.0.1.0/24",
                "networkSecurityGroup": {
                    "id": f"{RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-app"
                },
            },
            {"name": "AzureFirewallSubnet", "addressPrefix": "10.0.0.0/26"},
            {"name": "GatewaySubnet", "addressPrefix": "10.0.0.64/27"},
        ],
    },
    NSG: {
        "resourceGroupName": "rg-hlz-prod",
        "networkSecurityGroupName": "nsg-app",
        "location": "eastus2",
        "tags": TAGS,
        "securityRules": [
            {
                "name": "allow-bastion-management",
                "access": "Allow",
                "direction": "Inbound",
                "protocol": "Tcp",
                "priority": 100.0,
                "sourceAddressPrefix": "10.0.2.0/26",
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRanges": ["22", "3389"],
            },
            {
                "name": "allow-https-internet",
                "access": "Allow",
                "direction": "Inbound",
                "protocol": "Tcp",
                "priority": 110.0,
                "sourceAddressPrefix": "Internet",
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRange": "443",
            },
            {
                "name": "deny-all-inbound",
                "access": "Deny",
                "direction": "Inbound",
                "protocol": "*",
                "priority": 4096.0,
                "sourceAddressPrefix": "*",
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRange": "*",
            },
        ],
    },
    SECURITY_RULE: {
        "resourceGroupName": "rg-hlz-prod",
        "networkSecurityGroupName": "nsg-app",
        "securityRuleName": "allow-https",
        "access": "Allow",
        "direction": "Inbound",
        "protocol": "Tcp",
        "priority": 200.0,
        "sourceAddressPrefix": "Internet",
        "sourcePortRange": "*",
        "destinationAddressPrefix": "*",
        "destinationPortRange": "443",
    },
    # As components.firewall writes the lab platform egress (one allow collection, the spokes to
    # exact hosts).
    RULE_GROUP: {
        "resourceGroupName": "rg-hlz-prod",
        "firewallPolicyName": "afwp-hlz-prod",
        "ruleCollectionGroupName": "lab-platform-egress",
        "priority": 1000,
        "ruleCollections": [
            {
                "name": "allow-lab-platform-egress",
                "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                "priority": 100,
                "action": {"type": "Allow"},
                "rules": [
                    {
                        "name": "entra-ssh-login",
                        "ruleType": "ApplicationRule",
                        "sourceAddresses": ["10.1.0.0/22"],
                        "protocols": [{"protocolType": "Https", "port": 443}],
                        "targetFqdns": ["packages.microsoft.com", "login.microsoftonline.com"],
                    }
                ],
            }
        ],
    },
    FIREWALL_POLICY: {
        "resourceGroupName": "rg-hlz-prod",
        "firewallPolicyName": "afwp-hub",
        "location": "eastus2",
        "tags": TAGS,
        "sku": {"tier": "Premium"},
        "threatIntelMode": "Deny",
        "dnsSettings": {"enableProxy": True},
        "intrusionDetection": {"mode": "Deny"},
    },
    FIREWALL: {
        "resourceGroupName": "rg-hlz-prod",
        "azureFirewallName": "afw-hub",
        "location": "eastus2",
        "tags": TAGS,
        "sku": {"name": "AZFW_VNet", "tier": "Premium"},
        "zones": ["1", "2", "3"],
        "firewallPolicy": {"id": f"{NETWORK}/firewallPolicies/afwp-hub"},
        "ipConfigurations": [
            {
                "name": "ipconfig",
                "subnet": {"id": f"{NETWORK}/virtualNetworks/vnet-hub/subnets/AzureFirewallSubnet"},
                "publicIPAddress": {"id": f"{NETWORK}/publicIPAddresses/pip-firewall"},
            }
        ],
    },
    PUBLIC_IP: {
        "resourceGroupName": "rg-hlz-prod",
        "publicIpAddressName": "pip-firewall",
        "location": "eastus2",
        "tags": TAGS,
        "sku": {"name": "Standard", "tier": "Regional"},
        "publicIPAllocationMethod": "Static",
        "zones": ["1", "2", "3"],
    },
    # As the SDK registers it: every flag filled in (false), Standard features as the component
    # sets them.
    BASTION_HOST: {
        "resourceGroupName": "rg-hlz-prod",
        "bastionHostName": "bas-hub",
        "location": "eastus2",
        "tags": TAGS,
        "sku": {"name": "Standard"},
        "disableCopyPaste": True,
        "enableFileCopy": False,
        "enableIpConnect": False,
        "enableKerberos": False,
        "enablePrivateOnlyBastion": False,
        "enableSessionRecording": False,
        "enableShareableLink": False,
        "enableTunneling": False,
        "ipConfigurations": [
            {
                "name": "ipconfig",
                "subnet": {"id": f"{NETWORK}/virtualNetworks/vnet-hub/subnets/AzureBastionSubnet"},
                "publicIPAddress": {"id": f"{NETWORK}/publicIPAddresses/pip-bastion"},
            }
        ],
    },
    # A point-to-site VPN gateway as components.vpn_gateway registers it.
    VPN_GATEWAY: {
        "resourceGroupName": "rg-hlz-prod",
        "virtualNetworkGatewayName": "vgw-hub",
        "location": "eastus2",
        "tags": TAGS,
        "gatewayType": "Vpn",
        "vpnType": "RouteBased",
        "vpnGatewayGeneration": "Generation1",
        "sku": {"name": "VpnGw1AZ", "tier": "VpnGw1AZ"},
        "activeActive": False,
        "enableBgp": False,
        "ipConfigurations": [
            {
                "name": "ipconfig",
                "subnet": {"id": f"{NETWORK}/virtualNetworks/vnet-hub/subnets/GatewaySubnet"},
                "publicIPAddress": {"id": f"{NETWORK}/publicIPAddresses/pip-vpn-gateway"},
                "privateIPAllocationMethod": "Dynamic",
            }
        ],
        "vpnClientConfiguration": {
            "vpnClientAddressPool": {"addressPrefixes": ["172.16.201.0/24"]},
            "vpnClientProtocols": ["OpenVPN"],
            "vpnAuthenticationTypes": ["AAD"],
            "aadTenant": "https://login.microsoftonline.com/00000000-0000-4000-8000-0000000000aa/",
            "aadIssuer": "https://sts.windows.net/00000000-0000-4000-8000-0000000000aa/",
            "aadAudience": "c632b3df-fb67-4d84-bdcf-b95ad541b5c8",
        },
    },
    ROUTE_TABLE: {
        "resourceGroupName": "rg-hlz-prod",
        "routeTableName": "rt-hub-egress",
        "location": "eastus2",
        "tags": TAGS,
        "disableBgpRoutePropagation": True,
    },
    DDOS_PLAN: {
        "resourceGroupName": "rg-hlz-prod",
        "ddosProtectionPlanName": "ddos-hub",
        "location": "eastus2",
        "tags": TAGS,
    },
    PRIVATE_ENDPOINT: {
        "resourceGroupName": "rg-hlz-prod",
        "privateEndpointName": "pe-kv-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "subnet": {"id": f"{NETWORK}/virtualNetworks/vnet-hub/subnets/snet-app"},
        "privateLinkServiceConnections": [
            {
                "name": "pe-kv-hlz-prod-vault",
                "privateLinkServiceId": f"{RG}/providers/Microsoft.KeyVault/vaults/kv-hlz-prod",
                "groupIds": ["vault"],
            }
        ],
    },
    PRIVATE_DNS_ZONE_GROUP: {
        "resourceGroupName": "rg-hlz-prod",
        "privateEndpointName": "pe-oai-hlz-prod",
        "privateDnsZoneGroupName": "default",
        "privateDnsZoneConfigs": [
            {
                "name": "privatelink-openai-azure-com",
                "privateDnsZoneId": f"{ZONES}/privatelink.openai.azure.com",
            },
            {
                "name": "privatelink-cognitiveservices-azure-com",
                "privateDnsZoneId": f"{ZONES}/privatelink.cognitiveservices.azure.com",
            },
        ],
    },
    MONITOR_PRIVATE_LINK_SCOPE: {
        "resourceGroupName": "rg-hlz-prod",
        "scopeName": "ampls-hlz-prod",
        "location": "global",
        "tags": TAGS,
        "accessModeSettings": {
            "ingestionAccessMode": "PrivateOnly",
            "queryAccessMode": "PrivateOnly",
        },
    },
    USER_ASSIGNED_IDENTITY: {
        "resourceGroupName": "rg-hlz-prod",
        "resourceName": "id-hlz-prod-storage",
        "location": "eastus2",
        "tags": TAGS,
    },
    # As components.security_baseline assigns the HITRUST/HIPAA initiative.
    POLICY_ASSIGNMENT: {
        "policyAssignmentName": "hlz-hipaa-hitrust",
        "scope": SUB,
        "policyDefinitionId": HITRUST_HIPAA_INITIATIVE,
        "enforcementMode": "DoNotEnforce",
        "identity": {"type": "SystemAssigned"},
        "location": "eastus2",
    },
    # As components.runtime_policy defines the hlz initiative (two of its members).
    POLICY_SET_DEFINITION: {
        "policySetDefinitionName": "hlz-hipaa-runtime",
        "policyType": "Custom",
        "policyDefinitions": [
            {
                "policyDefinitionId": f"{BUILTIN}/fe83a0eb-a853-422d-aac2-1bffd182c5d0",
                "policyDefinitionReferenceId": "storage-account-require-minimum-tls12",
                "definitionVersion": "1.*.*",
                "parameters": {"effect": {"value": "Deny"}, "minimumTlsVersion": {"value": "TLS1_2"}},
            },
            {
                "policyDefinitionId": f"{BUILTIN}/e56962a6-4747-49cd-b67b-bf8b01975c4c",
                "policyDefinitionReferenceId": "azure-resource-restrict-location",
                "definitionVersion": "1.*.*",
                "parameters": {
                    "effect": {"value": "Deny"},
                    "listOfAllowedLocations": {"value": ["eastus2", "centralus"]},
                },
            },
        ],
    },
    # As components.ai_gateway registers its Application Insights logger.
    APIM_LOGGER: {
        "resourceGroupName": "rg-hlz-prod",
        "serviceName": "apim-hlz-prod",
        "loggerId": "appinsights",
        "loggerType": "applicationInsights",
        "resourceId": f"{SUB}/resourceGroups/rg-hlz-mgmt/providers/Microsoft.Insights/components/appi",
        "credentials": {
            "connectionString": "InstrumentationKey=k;IngestionEndpoint=https://e/",
            "identityClientId": "SystemAssigned",
        },
    },
    # As components.ai_gateway registers its Application Insights diagnostic (no body bytes).
    APIM_DIAGNOSTIC: {
        "resourceGroupName": "rg-hlz-prod",
        "serviceName": "apim-hlz-prod",
        "diagnosticId": "applicationinsights",
        "loggerId": "/loggers/appinsights",
        "metrics": True,
        "frontend": {"request": {"headers": [], "body": {"bytes": 0}},
                     "response": {"headers": [], "body": {"bytes": 0}}},
        "backend": {"request": {"headers": [], "body": {"bytes": 0}},
                    "response": {"headers": [], "body": {"bytes": 0}}},
    },
    # As components.monitoring.ApplicationInsights registers it.
    APPINSIGHTS: {
        "resourceGroupName": "rg-hlz-mgmt",
        "resourceName": "appi-hlz-platform",
        "location": "eastus2",
        "tags": TAGS,
        "kind": "other",
        "applicationType": "other",
        "workspaceResourceId": f"{SUB}/resourceGroups/rg-hlz-mgmt/providers/"
        "Microsoft.OperationalInsights/workspaces/log-hlz",
        "ingestionMode": "LogAnalytics",
        "disableLocalAuth": True,
        "publicNetworkAccessForIngestion": "Disabled",
        "publicNetworkAccessForQuery": "Disabled",
    },
    # As components.ai_gateway registers it (the SDK fills in natGatewayState).
    APIM_SERVICE: {
        "resourceGroupName": "rg-hlz-prod",
        "serviceName": "apim-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "sku": {"name": "StandardV2", "capacity": 1.0},
        "publisherEmail": "ai-platform@example.org",
        "publisherName": "Example Health",
        "identity": {"type": "SystemAssigned"},
        "publicNetworkAccess": "Disabled",
        "developerPortalStatus": "Disabled",
        "legacyPortalStatus": "Disabled",
        "natGatewayState": "Disabled",
        "virtualNetworkType": "External",
        "virtualNetworkConfiguration": {
            "subnetResourceId": f"{NETWORK}/virtualNetworks/vnet-hlz-prod/subnets/snet-gateway"
        },
    },
    # As the SDK registers it (hostingMode, partitionCount, replicaCount and publicNetworkAccess
    # filled in when unset).
    SEARCH_SERVICE: {
        "resourceGroupName": "rg-hlz-prod",
        "searchServiceName": "srch-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "sku": {"name": "standard"},
        "replicaCount": 2.0,
        "partitionCount": 1.0,
        "hostingMode": "Default",
        "publicNetworkAccess": "Disabled",
        "disableLocalAuth": True,
        "semanticSearch": "free",
        "encryptionWithCmk": {"enforcement": "Enabled"},
        "identity": {"type": "SystemAssigned"},
        "dataExfiltrationProtections": ["BlockAll"],
    },
    # The lab jump host, as the SDK registers it (compute 2024-11-01, network 2024-05-01): a
    # Trusted Launch Linux VM with encryption at host, its OS disk under a disk encryption set,
    # no password, platform patching, a system-assigned identity for the Entra login extension.
    VIRTUAL_MACHINE: {
        "resourceGroupName": "rg-hlz-prod",
        "vmName": "vm-jh-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
        "identity": {"type": "SystemAssigned"},
        "securityProfile": {
            "securityType": "TrustedLaunch",
            "encryptionAtHost": True,
            "uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True},
        },
        "storageProfile": {
            "imageReference": {
                "publisher": "Canonical",
                "offer": "ubuntu-24_04-lts",
                "sku": "server",
                "version": "latest",
            },
            "osDisk": {
                "createOption": "FromImage",
                "deleteOption": "Delete",
                "managedDisk": {
                    "storageAccountType": "Premium_LRS",
                    "diskEncryptionSet": {
                        "id": f"{RG}/providers/Microsoft.Compute/diskEncryptionSets/des-jh-hlz-prod"
                    },
                },
            },
        },
        "osProfile": {
            "computerName": "vm-jh-hlz-prod",
            "adminUsername": "labadmin",
            "linuxConfiguration": {
                "disablePasswordAuthentication": True,
                "provisionVMAgent": True,
                "ssh": {
                    "publicKeys": [
                        {
                            "path": "/home/labadmin/.ssh/authorized_keys",
                            "keyData": "ssh-ed25519 "
                            "AAAAC3NzaC1lZDI1NTE5AAAAIHlzUGxhY2Vob2xkZXJLZXlPbmx5 break-glass",
                        }
                    ]
                },
                "patchSettings": {
                    "patchMode": "AutomaticByPlatform",
                    "assessmentMode": "AutomaticByPlatform",
                    "automaticByPlatformSettings": {"rebootSetting": "IfRequired"},
                },
            },
        },
        "networkProfile": {
            "networkInterfaces": [
                {
                    "id": f"{NETWORK}/networkInterfaces/nic-jh-hlz-prod",
                    "primary": True,
                    "deleteOption": "Delete",
                }
            ]
        },
        "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
    },
    VM_EXTENSION: {
        "resourceGroupName": "rg-hlz-prod",
        "vmName": "vm-jh-hlz-prod",
        "vmExtensionName": "AADSSHLoginForLinux",
        "location": "eastus2",
        "tags": TAGS,
        "publisher": "Microsoft.Azure.ActiveDirectory",
        "type": "AADSSHLoginForLinux",
        "typeHandlerVersion": "1.0",
        "autoUpgradeMinorVersion": True,
    },
    DISK_ENCRYPTION_SET: {
        "resourceGroupName": "rg-hlz-prod",
        "diskEncryptionSetName": "des-jh-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "encryptionType": "EncryptionAtRestWithCustomerKey",
        "activeKey": {
            "keyUrl": "https://kv-hlz-prod.vault.azure.net/keys/jumphost/"
            "0123456789abcdef0123456789abcdef"
        },
        "rotationToLatestKeyVersionEnabled": True,
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": [
                f"{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-jumphost"
            ],
        },
    },
    # One private, dynamic IP in the workloads subnet; the SDK fills in the subnet's policy
    # defaults.
    NETWORK_INTERFACE: {
        "resourceGroupName": "rg-hlz-prod",
        "networkInterfaceName": "nic-jh-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "ipConfigurations": [
            {
                "name": "ipconfig1",
                "primary": True,
                "privateIPAllocationMethod": "Dynamic",
                "subnet": {
                    "id": f"{NETWORK}/virtualNetworks/vnet-lab/subnets/snet-workloads",
                    "privateEndpointNetworkPolicies": "Disabled",
                    "privateLinkServiceNetworkPolicies": "Enabled",
                },
            }
        ],
    },
    # The jump host's auto-shutdown (devtestlab 2018-09-15), as components.jump_host sends it.
    SHUTDOWN_SCHEDULE: {
        "resourceGroupName": "rg-hlz-prod",
        "name": "shutdown-computevm-vm-jh-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "status": "Enabled",
        "taskType": "ComputeVmShutdownTask",
        "dailyRecurrence": {"time": "1900"},
        "timeZoneId": "Eastern Standard Time",
        "targetResourceId": f"{RG}/providers/Microsoft.Compute/virtualMachines/vm-jh-hlz-prod",
        "notificationSettings": {"status": "Disabled"},
    },
    # As components.security_baseline turns on a Defender plan.
    DEFENDER_PRICING: {
        "pricingName": "KeyVaults",
        "pricingTier": "Standard",
        "subPlan": "PerKeyVault",
        "scopeId": SUB.lstrip("/"),
    },
    ROLE_ASSIGNMENT: {
        "principalId": "22222222-2222-4222-8222-222222222222",
        "principalType": "Group",
        "roleDefinitionId": OWNER_ROLE,
        "scope": SUB,
        "roleAssignmentName": "33333333-3333-4333-8333-333333333333",
    },
    # DNS Private Resolver, in the typed SDK's shape (components.dns_resolver sends generic
    # resources, which policies.normalise turns into these tokens with properties lifted).
    DNS_RESOLVER: {
        "resourceGroupName": "rg-hlz-prod",
        "dnsResolverName": "dnspr-hlz-prod-hub",
        "location": "eastus2",
        "tags": TAGS,
        "virtualNetwork": {"id": f"{NETWORK}/virtualNetworks/vnet-hlz-prod-hub"},
    },
    DNS_INBOUND: {
        "resourceGroupName": "rg-hlz-prod",
        "dnsResolverName": "dnspr-hlz-prod-hub",
        "inboundEndpointName": "in-hlz-prod-hub",
        "location": "eastus2",
        "tags": TAGS,
        "ipConfigurations": [
            {
                "subnet": {"id": f"{NETWORK}/virtualNetworks/vnet-hlz-prod-hub/subnets/dns-in"},
                "privateIpAllocationMethod": "Static",
                "privateIpAddress": "10.100.3.4",
            }
        ],
    },
    DNS_OUTBOUND: {
        "resourceGroupName": "rg-hlz-prod",
        "dnsResolverName": "dnspr-hlz-prod-hub",
        "outboundEndpointName": "out-hlz-prod-hub",
        "location": "eastus2",
        "tags": TAGS,
        "subnet": {"id": f"{NETWORK}/virtualNetworks/vnet-hlz-prod-hub/subnets/dns-out"},
    },
    DNS_RULESET: {
        "resourceGroupName": "rg-hlz-prod",
        "dnsForwardingRulesetName": "dnsfrs-hlz-prod-hub",
        "location": "eastus2",
        "tags": TAGS,
        "dnsResolverOutboundEndpoints": [
            {"id": f"{NETWORK}/dnsResolvers/dnspr-hlz-prod-hub/outboundEndpoints/out-hub"}
        ],
    },
    DNS_RULE: {
        "resourceGroupName": "rg-hlz-prod",
        "dnsForwardingRulesetName": "dnsfrs-hlz-prod-hub",
        "forwardingRuleName": "fwd-corp-example-org",
        "domainName": "corp.example.org.",
        "targetDnsServers": [
            {"ipAddress": "192.168.10.4", "port": 53.0},
            {"ipAddress": "192.168.10.5", "port": 53.0},
        ],
        "forwardingRuleState": "Enabled",
    },
    DNS_RULESET_LINK: {
        "resourceGroupName": "rg-hlz-prod",
        "dnsForwardingRulesetName": "dnsfrs-hlz-prod-hub",
        "virtualNetworkLinkName": "vnet-hlz-prod-hub",
        "virtualNetwork": {"id": f"{NETWORK}/virtualNetworks/vnet-hlz-prod-hub"},
    },
    # The Agent Service's thread store as components.cosmos registers it (cosmosdb 2025-10-15;
    # the SDK fills in createMode).
    COSMOS_ACCOUNT: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "cosmos-hlz-prod",
        "location": "eastus2",
        "tags": TAGS,
        "kind": "GlobalDocumentDB",
        "databaseAccountOfferType": "Standard",
        "createMode": "Default",
        "locations": [
            {"locationName": "eastus2", "failoverPriority": 0.0, "isZoneRedundant": False}
        ],
        "consistencyPolicy": {"defaultConsistencyLevel": "Session"},
        "disableLocalAuth": True,
        "disableKeyBasedMetadataWriteAccess": True,
        "publicNetworkAccess": "Disabled",
        "networkAclBypass": "None",
        "minimalTlsVersion": "Tls12",
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": [
                f"{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-cosmos"
            ],
        },
        "defaultIdentity": (
            f"UserAssignedIdentity={RG}/providers/Microsoft.ManagedIdentity/"
            "userAssignedIdentities/id-cosmos"
        ),
        "keyVaultKeyUri": "https://kv-hlz-prod.vault.azure.net/keys/cosmos-cmk",
        "backupPolicy": {
            "type": "Continuous",
            "continuousModeProperties": {"tier": "Continuous7Days"},
        },
        "capacity": {"totalThroughputLimit": 3000.0},
    },
    COSMOS_SQL_ROLE_ASSIGNMENT: {
        "resourceGroupName": "rg-hlz-prod",
        "accountName": "cosmos-hlz-prod",
        "roleAssignmentId": "2f0c3f5e-8b1a-5c6d-9e7f-0a1b2c3d4e5f",
        "roleDefinitionId": (
            f"{COSMOS_ID}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002"
        ),
        "scope": f"{COSMOS_ID}/dbs/enterprise_memory",
        "principalId": "7d9f3c2a-5b1e-4f6d-8a9c-0e1f2a3b4c5d",
    },
    RESOURCE_GROUP: {"resourceGroupName": "rg-hlz-prod", "location": "eastus2", "tags": TAGS},
    # Budgets and alerts (docs/alerts.md), as components.alerts and components.budget register
    # them.
    METRIC_ALERT: {
        "resourceGroupName": "rg-hlz-prod",
        "ruleName": "ar-hlz-prod-storage-availability",
        "location": "global",
        "description": "Storage availability: Average Availability LessThan 100 over PT1M.",
        "severity": 1.0,
        "enabled": True,
        "scopes": [STORAGE_ID],
        "evaluationFrequency": "PT1M",
        "windowSize": "PT1M",
        "autoMitigate": False,
        "criteria": {
            "odataType": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            "allOf": [
                {
                    "criterionType": "StaticThresholdCriterion",
                    "name": "availability",
                    "metricNamespace": "Microsoft.Storage/storageAccounts",
                    "metricName": "Availability",
                    "timeAggregation": "Average",
                    "operator": "LessThan",
                    "threshold": 99.9,
                }
            ],
        },
        "actions": [{"actionGroupId": ACTION_GROUP_ID}],
        "tags": TAGS,
    },
    ACTIVITY_LOG_ALERT: {
        "resourceGroupName": "rg-hlz-prod",
        "activityLogAlertName": "ar-hlz-prod-dicom-availability",
        "location": "global",
        "description": "DICOM service health.",
        "enabled": True,
        "scopes": [f"{RG}/providers/Microsoft.HealthcareApis/workspaces/hds/dicomservices/dicom"],
        "condition": {
            "allOf": [
                {"field": "category", "equals": "ResourceHealth"},
                {"field": "properties.cause", "containsAny": ["PlatformInitiated"]},
                {"field": "properties.currentHealthStatus", "containsAny": ["Unavailable"]},
            ]
        },
        "actions": {"actionGroups": [{"actionGroupId": ACTION_GROUP_ID}]},
        "tags": TAGS,
    },
    ACTION_GROUP: {
        "resourceGroupName": "rg-hlz-prod",
        "actionGroupName": "ag-hlz-prod-platform",
        "location": "global",
        "groupShortName": "hlzprod",
        "enabled": True,
        "emailReceivers": [
            {
                "name": "email-1",
                "emailAddress": "platform-team@example.org",
                "useCommonAlertSchema": True,
            }
        ],
        "tags": TAGS,
    },
    BUDGET: {
        "scope": RG,
        "budgetName": "budget-hlz-prod-notes",
        "amount": 5000.0,
        "category": "Cost",
        "timeGrain": "Monthly",
        "timePeriod": {"startDate": "2026-12-01T00:00:00Z"},
        "notifications": {
            "actual-80": {
                "enabled": True,
                "operator": "GreaterThan",
                "threshold": 80.0,
                "thresholdType": "Actual",
                "contactEmails": ["notes-team@example.org"],
                "contactGroups": [ACTION_GROUP_ID],
            },
            "forecasted-120": {
                "enabled": True,
                "operator": "GreaterThan",
                "threshold": 120.0,
                "thresholdType": "Forecasted",
                "contactEmails": ["notes-team@example.org"],
                "contactGroups": [ACTION_GROUP_ID],
            },
        },
    },
}

DELETE = object()
"""Mutation value: remove the key."""

Path = tuple[str | int, ...]


def parse_path(path: str | Path) -> Path:
    """``"subnets.0.networkSecurityGroup"`` -> ``("subnets", 0, "networkSecurityGroup")``."""
    if isinstance(path, tuple):
        return path
    return tuple(int(step) if step.isdigit() else step for step in path.split("."))


def mutate(props: Mapping[str, Any], changes: Mapping[Any, Any]) -> dict[str, Any]:
    """A deep copy of ``props`` with ``changes`` (dotted path or tuple -> value/DELETE) applied."""
    result = copy.deepcopy(dict(props))
    for raw_path, value in changes.items():
        *parents, last = parse_path(raw_path)
        container: Any = result
        for step in parents:
            if isinstance(step, str) and step not in container:
                container[step] = {}
            container = container[step]
        if value is DELETE:
            del container[last]
        else:
            container[last] = value
    return result


def leaf_paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path in a fixture (intermediate nodes included), for malformed-input sweeps."""
    paths: list[Path] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            paths += leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += leaf_paths(item, (*prefix, index))
    return paths


@dataclass(frozen=True)
class Mutation:
    """One change to a compliant fixture and what the rule must say about it.

    ``expect`` is a substring of a NonCompliant reason; ``None`` means the change keeps the
    resource compliant (a boundary the rule must accept).
    """

    rule_id: str
    label: str
    resource_type: str
    changes: Mapping[str, Any]
    expect: str | None

    @property
    def test_id(self) -> str:
        return f"{self.rule_id}--{self.label}"

    @property
    def first_path(self) -> str:
        return next(iter(self.changes))

    def props(self) -> dict[str, Any]:
        return mutate(COMPLIANT[self.resource_type], self.changes)


ST, BLOB, KV, KEY = STORAGE_ACCOUNT, BLOB_SERVICE, KEY_VAULT, KEY_VAULT_KEY
OAI, DEPLOY, HDS, FHIR, DICOM = (
    COGNITIVE_ACCOUNT,
    COGNITIVE_DEPLOYMENT,
    HEALTH_WORKSPACE,
    FHIR_SERVICE,
    DICOM_SERVICE,
)
LAW, DIAG, SNET, VNET = LOG_ANALYTICS, DIAGNOSTIC_SETTING, SUBNET, VIRTUAL_NETWORK
RULE, FWP, RA, RD = SECURITY_RULE, FIREWALL_POLICY, ROLE_ASSIGNMENT, ROLE_DEFINITION


def _generic_role_definition(actions: list[str], scopes: list[str]) -> dict[str, Any]:
    """Changes that turn the generic fixture into a custom role definition (as
    ``components.roles.custom_role`` declares one) with these actions and assignable scopes."""
    return {
        "resourceProviderNamespace": "Microsoft.Authorization",
        "resourceType": "roleDefinitions",
        "resourceName": "2e44345c-7157-52b2-b15d-7c5feccc8179",
        "location": DELETE,
        "tags": DELETE,
        "properties": {
            "roleName": "r",
            "type": "CustomRole",
            "permissions": [{"actions": actions}],
            "assignableScopes": scopes,
        },
    }


APIM = APIM_SERVICE
FW, PIP, BAS, ZG, PA, SRCH = (
    FIREWALL,
    PUBLIC_IP,
    BASTION_HOST,
    PRIVATE_DNS_ZONE_GROUP,
    POLICY_ASSIGNMENT,
    SEARCH_SERVICE,
)
CONTAINER, SECRET, PRICING = BLOB_CONTAINER, KEY_VAULT_SECRET, DEFENDER_PRICING
VGW = VPN_GATEWAY
PSET = POLICY_SET_DEFINITION
PROJ, ACONN, PCONN = COGNITIVE_PROJECT, ACCOUNT_CONNECTION, PROJECT_CONNECTION
VM, EXT, DES, NIC = VIRTUAL_MACHINE, VM_EXTENSION, DISK_ENCRYPTION_SET, NETWORK_INTERFACE
SCHED = SHUTDOWN_SCHEDULE
COSMOS, COSMOS_GRANT = COSMOS_ACCOUNT, COSMOS_SQL_ROLE_ASSIGNMENT
DES_ID = f"{RG}/providers/Microsoft.Compute/diskEncryptionSets/des-jh-hlz-prod"
LINUX = "osProfile.linuxConfiguration"
WINDOWS_AUTOMATIC = {
    "patchSettings": {"patchMode": "AutomaticByOS"},
    "enableAutomaticUpdates": True,
}
PLATFORM_KEY_DATA_DISK = {
    "lun": 0.0,
    "createOption": "Empty",
    "diskSizeGB": 64.0,
    "managedDisk": {"storageAccountType": "Premium_LRS"},
}
KEY_URL = "https://kv-hlz-prod.vault.azure.net/keys/jumphost"
STORAGE_IP_RULES = [{"iPAddressOrRange": "203.0.113.0/24", "action": "Allow"}]
VAULT_IP_RULES = [{"value": "203.0.113.7"}]
MANAGEMENT_IP_CONFIGURATION = {
    "name": "mgmt-ipconfig",
    "subnet": {"id": f"{NETWORK}/virtualNetworks/vnet-hub/subnets/AzureFirewallManagementSubnet"},
    "publicIPAddress": {"id": f"{NETWORK}/publicIPAddresses/pip-firewall-mgmt"},
}
SIX_ZONE_CONFIGS = [
    {"name": f"zone-{n}", "privateDnsZoneId": f"{ZONES}/privatelink.zone{n}.example"}
    for n in range(6)
]

# rule id -> (label, resource type, changes, expected reason substring | None for "still compliant")
# fmt: off
_CASES: dict[str, list[tuple[str, str, dict[str, Any], str | None]]] = {
    "storage-account-require-cmk-encryption": [
        ("platform-key", ST, {"encryption.keySource": "Microsoft.Storage"},
         "encryption.keySource is 'Microsoft.Storage'"),
        ("no-encryption", ST, {"encryption": DELETE}, "encryption.keySource is not set"),
        ("no-key-name", ST, {"encryption.keyVaultProperties.keyName": DELETE},
         "keyVaultProperties.keyName is not set"),
        ("key-source-any-case", ST, {"encryption.keySource": "microsoft.keyvault"}, None),
    ],
    "storage-account-require-infrastructure-encryption": [
        ("disabled", ST, {"encryption.requireInfrastructureEncryption": False},
         "requireInfrastructureEncryption is false"),
        ("absent", ST, {"encryption.requireInfrastructureEncryption": DELETE},
         "requireInfrastructureEncryption is not set"),
    ],
    "storage-account-require-https-only": [
        ("http-allowed", ST, {"enableHttpsTrafficOnly": False}, "enableHttpsTrafficOnly is false"),
        ("absent-means-azure-default-true", ST, {"enableHttpsTrafficOnly": DELETE}, None),
    ],
    "storage-account-require-minimum-tls12": [
        ("tls10", ST, {"minimumTlsVersion": "TLS1_0"}, "minimumTlsVersion is 'TLS1_0'"),
        ("absent", ST, {"minimumTlsVersion": DELETE}, "minimumTlsVersion is not set"),
        ("tls13", ST, {"minimumTlsVersion": "TLS1_3"}, None),
    ],
    "storage-account-disallow-public-network-access": [
        ("enabled", ST, {"publicNetworkAccess": "Enabled"}, "publicNetworkAccess is 'Enabled'"),
        ("absent", ST, {"publicNetworkAccess": DELETE},
         "publicNetworkAccess is not set (absent means Enabled)"),
    ],
    "storage-account-require-network-default-deny": [
        ("allow", ST, {"networkRuleSet.defaultAction": "Allow"},
         "networkRuleSet.defaultAction is 'Allow'"),
        ("no-rule-set", ST, {"networkRuleSet": DELETE}, "networkRuleSet.defaultAction is not set"),
    ],
    "storage-account-disallow-shared-key-access": [
        ("allowed", ST, {"allowSharedKeyAccess": True}, "allowSharedKeyAccess is true"),
        ("absent-means-true", ST, {"allowSharedKeyAccess": DELETE},
         "allowSharedKeyAccess is not set (absent means true)"),
    ],
    "storage-account-disallow-blob-public-access": [
        ("allowed", ST, {"allowBlobPublicAccess": True}, "allowBlobPublicAccess is true"),
        ("absent-means-false", ST, {"allowBlobPublicAccess": DELETE}, None),
    ],
    "storage-account-disallow-internet-ip-rules": [
        ("ip-rules-with-public-access", ST,
         {"networkRuleSet.ipRules": STORAGE_IP_RULES, "publicNetworkAccess": "Enabled"},
         "networkRuleSet.ipRules allows 203.0.113.0/24 while publicNetworkAccess is 'Enabled'; "
         "remove the IP rules"),
        ("ip-rules-with-default-public-access", ST,
         {"networkRuleSet.ipRules": STORAGE_IP_RULES * 2, "publicNetworkAccess": DELETE},
         "allows 203.0.113.0/24, 203.0.113.0/24 while publicNetworkAccess is not set (absent "
         "means Enabled)"),
        ("ip-rules-with-perimeter-access", ST,
         {"networkRuleSet.ipRules": STORAGE_IP_RULES, "publicNetworkAccess": "SecuredByPerimeter"},
         "while publicNetworkAccess is 'SecuredByPerimeter'"),
        ("ip-rules-inert-when-public-access-disabled", ST,
         {"networkRuleSet.ipRules": STORAGE_IP_RULES}, None),
        ("public-access-without-ip-rules", ST,
         {"networkRuleSet.ipRules": [], "publicNetworkAccess": "Enabled"}, None),
    ],
    "storage-account-disallow-cross-tenant-replication": [
        ("allowed", ST, {"allowCrossTenantReplication": True},
         "allowCrossTenantReplication is true"),
    ],
    "storage-account-require-geo-redundancy": [
        ("lrs", ST, {"sku.name": "Standard_LRS"}, "sku.name is 'Standard_LRS'"),
    ],
    "storage-blobservice-require-soft-delete": [
        ("blob-soft-delete-off", BLOB, {"deleteRetentionPolicy.enabled": False},
         "deleteRetentionPolicy.enabled is false"),
        ("three-days", BLOB, {"deleteRetentionPolicy.days": 3.0},
         "deleteRetentionPolicy.days is 3"),
        ("no-container-soft-delete", BLOB, {"containerDeleteRetentionPolicy": DELETE},
         "containerDeleteRetentionPolicy.enabled is not set"),
    ],
    "storage-blobservice-require-versioning": [
        ("off", BLOB, {"isVersioningEnabled": False}, "isVersioningEnabled is false"),
        ("absent", BLOB, {"isVersioningEnabled": DELETE}, "isVersioningEnabled is not set"),
    ],
    "keyvault-vault-require-purge-protection": [
        ("off", KV, {"properties.enablePurgeProtection": False}, "enablePurgeProtection is false"),
        ("absent", KV, {"properties.enablePurgeProtection": DELETE},
         "enablePurgeProtection is not set"),
    ],
    "keyvault-vault-require-soft-delete-retention": [
        ("soft-delete-off", KV, {"properties.enableSoftDelete": False},
         "enableSoftDelete is false"),
        ("seven-days", KV, {"properties.softDeleteRetentionInDays": 7.0},
         "softDeleteRetentionInDays is 7"),
    ],
    "keyvault-vault-require-rbac-authorization": [
        ("access-policies", KV, {"properties.enableRbacAuthorization": False},
         "enableRbacAuthorization is false"),
    ],
    "storage-blobcontainer-disallow-public-access": [
        ("container", CONTAINER, {"publicAccess": "Container"},
         "publicAccess is 'Container'; set it to 'None'"),
        ("blob", CONTAINER, {"publicAccess": "Blob"}, "publicAccess is 'Blob'"),
        ("absent-means-none", CONTAINER, {"publicAccess": DELETE}, None),
        ("none-any-case", CONTAINER, {"publicAccess": "none"}, None),
    ],
    "keyvault-vault-disallow-internet-ip-rules": [
        ("ip-rules-with-public-access", KV,
         {"properties.networkAcls.ipRules": VAULT_IP_RULES,
          "properties.publicNetworkAccess": "enabled"},
         "properties.networkAcls.ipRules allows 203.0.113.7 while properties.publicNetworkAccess "
         "is 'enabled'"),
        ("ip-rules-with-default-public-access", KV,
         {"properties.networkAcls.ipRules": VAULT_IP_RULES,
          "properties.publicNetworkAccess": DELETE},
         "while properties.publicNetworkAccess is not set"),
        ("ip-rules-inert-when-public-access-disabled", KV,
         {"properties.networkAcls.ipRules": VAULT_IP_RULES}, None),
    ],
    "keyvault-vault-disallow-public-network-access": [
        ("sdk-default-enabled", KV, {"properties.publicNetworkAccess": "enabled"},
         "publicNetworkAccess is 'enabled'"),
        ("lowercase-disabled", KV, {"properties.publicNetworkAccess": "disabled"}, None),
    ],
    "keyvault-vault-require-network-default-deny": [
        ("allow", KV, {"properties.networkAcls.defaultAction": "Allow"},
         "networkAcls.defaultAction is 'Allow'"),
        ("no-acls", KV, {"properties.networkAcls": DELETE}, "networkAcls.defaultAction is not set"),
    ],
    "keyvault-vault-require-premium-sku": [
        ("standard", KV, {"properties.sku.name": "standard"}, "sku.name is 'standard'"),
    ],
    "keyvault-key-require-strong-key-type": [
        ("rsa-2048", KEY, {"properties.keySize": 2048.0}, "keySize is 2048"),
        ("rsa-default-size", KEY, {"properties.keySize": DELETE},
         "keySize is not set (Azure's default is 2048)"),
        ("secp256k1", KEY, {"properties.kty": "EC-HSM", "properties.curveName": "P-256K"},
         "curveName is 'P-256K'"),
        ("no-kty", KEY, {"properties.kty": DELETE}, "kty is not set"),
        ("ec-p384", KEY, {"properties.kty": "EC-HSM", "properties.curveName": "P-384"}, None),
    ],
    "keyvault-key-require-hsm-backing": [
        ("software-key", KEY, {"properties.kty": "RSA"}, "kty is 'RSA'"),
    ],
    "keyvault-key-require-rotation-policy": [
        ("no-policy", KEY, {"properties.rotationPolicy": DELETE}, "no action of type 'rotate'"),
        ("notify-only", KEY,
         {"properties.rotationPolicy.lifetimeActions": [{"action": {"type": "notify"}}]},
         "no action of type 'rotate'"),
    ],
    "keyvault-key-require-expiry": [
        ("no-expiry", KEY, {"properties.rotationPolicy.attributes": DELETE},
         "neither properties.attributes.expires"),
        ("expires-attribute", KEY,
         {"properties.rotationPolicy.attributes": DELETE,
          "properties.attributes.expires": 1893456000.0},
         None),
    ],
    "keyvault-secret-require-expiry": [
        ("no-expiry", SECRET, {"properties.attributes.expires": DELETE},
         "properties.attributes.expires is not set; give the secret an expiry"),
        ("no-attributes", SECRET, {"properties.attributes": DELETE},
         "properties.attributes.expires is not set"),
        ("past-expiry-still-set", SECRET, {"properties.attributes.expires": 946684800.0}, None),
    ],
    "keyvault-secret-require-content-type": [
        ("absent", SECRET, {"properties.contentType": DELETE},
         "properties.contentType is not set; say what the secret is"),
        ("blank", SECRET, {"properties.contentType": "  "}, "properties.contentType is empty"),
        ("connection-string", SECRET, {"properties.contentType": "connection-string"}, None),
    ],
    "cognitiveservices-account-require-managed-identity": [
        ("absent", OAI, {"identity": DELETE},
         "identity.type is not set; give the account a system- or user-assigned managed "
         "identity"),
        ("none", OAI, {"identity.type": "None"}, "identity.type is 'None'"),
        ("system-assigned", OAI, {"identity": {"type": "SystemAssigned"}}, None),
        ("both-any-case", OAI, {"identity.type": "systemassigned, userassigned"}, None),
    ],
    "cognitiveservices-project-require-managed-identity": [
        ("absent", PROJ, {"identity": DELETE},
         "identity.type is not set; give the project a system- or user-assigned managed "
         "identity"),
        ("none", PROJ, {"identity.type": "None"}, "identity.type is 'None'"),
        ("user-assigned", PROJ,
         {"identity": {"type": "UserAssigned", "userAssignedIdentities": [f"{RG}/id-proj"]}},
         None),
        ("both-any-spacing", PROJ, {"identity.type": "SystemAssigned,UserAssigned"}, None),
    ],
    "cognitiveservices-capabilityhost-require-customer-stores": [
        ("basic-setup", CAPABILITY_HOST, {"projectCapabilityHostProperties": {}},
         "projectCapabilityHostProperties.threadStorageConnections names no connection; without "
         "one the agents keep their threads in Microsoft-managed storage"),
        ("no-vector-store", CAPABILITY_HOST,
         {"projectCapabilityHostProperties.vectorStoreConnections": []},
         "projectCapabilityHostProperties.vectorStoreConnections names no connection; without "
         "one the agents keep their vector stores in Microsoft-managed storage"),
        ("empty-name", CAPABILITY_HOST,
         {"projectCapabilityHostProperties.storageConnections": [""]},
         "projectCapabilityHostProperties.storageConnections names no connection"),
        ("two-thread-stores", CAPABILITY_HOST,
         {"projectCapabilityHostProperties.threadStorageConnections": ["a", "b"]},
         "threadStorageConnections has 2 entries; Azure accepts a single, non-empty connection "
         "name"),
    ],
    "cognitiveservices-connection-require-entra-id": [
        ("api-key", PCONN,
         {"properties.authType": "ApiKey", "properties.credentials": {"key": "secret"}},
         "properties.authType is 'ApiKey' (a stored API key); connect with 'AAD'"),
        ("account-key", ACONN,
         {"properties.authType": "AccountKey", "properties.credentials": {"key": "secret"}},
         "properties.authType is 'AccountKey' (a stored storage account key)"),
        ("sas", PCONN,
         {"properties.authType": "SAS", "properties.credentials": {"sas": "sv=2024"}},
         "properties.authType is 'SAS' (a stored shared access signature)"),
        ("client-secret", ACONN,
         {"properties.authType": "ServicePrincipal",
          "properties.credentials": {"clientId": "x", "clientSecret": "y", "tenantId": TENANT}},
         "(a stored client secret)"),
        ("no-auth", PCONN, {"properties.authType": "None"},
         "properties.authType is 'None' (no authentication at all)"),
        ("absent", ACONN, {"properties.authType": DELETE},
         "properties.authType is not set; connect with 'AAD'"),
        ("unknown-new-type", PCONN, {"properties.authType": "AgenticIdentityToken"},
         "properties.authType is 'AgenticIdentityToken'; connect with 'AAD'"),
        ("managed-identity", PCONN,
         {"properties.authType": "ManagedIdentity",
          "properties.credentials": {"clientId": "00000000-0000-4000-8000-0000000000bb",
                                     "resourceId": f"{RG}/id-proj"}},
         None),
        ("aad-any-case", ACONN, {"properties.authType": "aad"}, None),
        ("managed-identity-any-case", PCONN, {"properties.authType": "MANAGEDIDENTITY"}, None),
        ("api-key-any-case", PCONN, {"properties.authType": "apikey"},
         "properties.authType is 'apikey' (a stored API key)"),
    ],
    "cognitiveservices-account-require-cmk-encryption": [
        ("microsoft-managed", OAI,
         {"properties.encryption.keySource": "Microsoft.CognitiveServices"},
         "keySource is 'Microsoft.CognitiveServices'"),
        ("no-vault-uri", OAI, {"properties.encryption.keyVaultProperties.keyVaultUri": DELETE},
         "keyVaultProperties.keyVaultUri is not set"),
    ],
    "cognitiveservices-account-disallow-public-network-access": [
        ("enabled", OAI, {"properties.publicNetworkAccess": "Enabled"},
         "publicNetworkAccess is 'Enabled'"),
    ],
    "cognitiveservices-account-require-network-default-deny": [
        ("allow", OAI, {"properties.networkAcls.defaultAction": "Allow"},
         "networkAcls.defaultAction is 'Allow'"),
    ],
    "cognitiveservices-account-disable-local-auth": [
        ("api-keys", OAI, {"properties.disableLocalAuth": False}, "disableLocalAuth is false"),
        ("absent", OAI, {"properties.disableLocalAuth": DELETE}, "disableLocalAuth is not set"),
    ],
    "cognitiveservices-account-require-custom-subdomain": [
        ("absent", OAI, {"properties.customSubDomainName": DELETE},
         "customSubDomainName is not set"),
    ],
    "cognitiveservices-account-restrict-outbound-access": [
        ("unrestricted", OAI, {"properties.restrictOutboundNetworkAccess": False},
         "restrictOutboundNetworkAccess is false"),
        ("empty-allow-list", OAI, {"properties.allowedFqdnList": []}, "allowedFqdnList is empty"),
        ("wildcard", OAI, {"properties.allowedFqdnList": ["*"]}, "allowedFqdnList contains '*'"),
    ],
    "cognitiveservices-deployment-require-rai-policy": [
        ("absent", DEPLOY, {"properties.raiPolicyName": DELETE}, "raiPolicyName is not set"),
        ("empty", DEPLOY, {"properties.raiPolicyName": "  "}, "raiPolicyName is not set"),
    ],
    "cognitiveservices-deployment-restrict-data-zone-sku": [
        ("global-standard", DEPLOY, {"sku.name": "GlobalStandard"}, "sku.name is 'GlobalStandard'"),
        ("no-sku", DEPLOY, {"sku": DELETE}, "sku.name is not set"),
        ("phi-deployment-in-internal-stack", DEPLOY,
         {"sku.name": "GlobalStandard", "tags.data-classification": "internal"},
         "sku.name is 'GlobalStandard'"),
        ("phi-free-deployment-in-phi-stack", DEPLOY,
         {"sku.name": "GlobalStandard", "tags.hlz-processes-phi": "false"},
         "sku.name is 'GlobalStandard'"),
        ("regional-provisioned", DEPLOY, {"sku.name": "ProvisionedManaged"}, None),
    ],
    "cognitiveservices-deployment-require-governance-record": [
        ("no-use-case", DEPLOY, {"tags.hlz-use-case": DELETE},
         "tag 'hlz-use-case' (what the model is used for) is missing"),
        ("blank-owner", DEPLOY, {"tags.hlz-accountable-owner": "  "},
         "tag 'hlz-accountable-owner' (who is accountable for the use case) is empty"),
        ("no-approval-reference", DEPLOY, {"tags.hlz-approval-reference": DELETE},
         "tag 'hlz-approval-reference' (the AI governance approval) is missing"),
        ("unknown-risk-tier", DEPLOY, {"tags.hlz-risk-tier": "severe"},
         "tag 'hlz-risk-tier' (the responsible-AI risk tier) is 'severe'; use one of minimal, "
         "limited, high"),
        ("us-style-expiry", DEPLOY, {"tags.hlz-approval-expires": "12/31/2099"},
         "tag 'hlz-approval-expires' (the last day the approval is valid) is '12/31/2099'; use an "
         "ISO date YYYY-MM-DD"),
        ("basic-format-expiry", DEPLOY, {"tags.hlz-approval-expires": "20991231"},
         "tag 'hlz-approval-expires' (the last day the approval is valid) is '20991231'"),
        ("impossible-expiry", DEPLOY, {"tags.hlz-approval-expires": "2099-02-30"},
         "tag 'hlz-approval-expires' (the last day the approval is valid) is '2099-02-30'"),
        ("phi-yes", DEPLOY, {"tags.hlz-processes-phi": "yes"},
         "tag 'hlz-processes-phi' (whether prompts or completions contain PHI) is 'yes'; use "
         "'true' or 'false'"),
        ("no-tags", DEPLOY, {"tags": DELETE}, "tag 'hlz-processes-phi'"),
        ("names-and-values-any-case", DEPLOY,
         {"tags.hlz-use-case": DELETE, "tags.HLZ-Use-Case": "Triage", "tags.hlz-risk-tier": "High",
          "tags.hlz-processes-phi": "FALSE"},
         None),
    ],
    "cognitiveservices-deployment-disallow-expired-approval": [
        ("expired-long-ago", DEPLOY, {"tags.hlz-approval-expires": "2001-01-31"},
         "approval 'AIGB-2026-014' expired on 2001-01-31"),
        ("expired-without-reference", DEPLOY,
         {"tags.hlz-approval-expires": "2001-01-31", "tags.hlz-approval-reference": DELETE},
         "the approval (no reference) expired on 2001-01-31"),
    ],
    "healthcareapis-fhirservice-require-cmk-encryption": [
        ("no-cmk", FHIR, {"encryption": DELETE}, "keyEncryptionKeyUrl is not set"),
    ],
    "healthcareapis-dicomservice-require-cmk-encryption": [
        ("no-cmk", DICOM, {"encryption.customerManagedKeyEncryption": {}},
         "keyEncryptionKeyUrl is not set"),
    ],
    "healthcareapis-workspace-disallow-public-network-access": [
        ("generic-enabled", GENERIC_RESOURCE, {"properties.publicNetworkAccess": "Enabled"},
         "properties.publicNetworkAccess is 'Enabled'"),
        ("generic-not-set", GENERIC_RESOURCE, {"properties": DELETE},
         "properties.publicNetworkAccess is not set"),
        ("generic-any-case", GENERIC_RESOURCE,
         {"resourceProviderNamespace": "microsoft.healthcareapis", "resourceType": "Workspaces",
          "properties.publicNetworkAccess": "disabled"},
         None),
        ("typed-workspace-cannot-set-it", HDS,
         {"properties": DELETE, "publicNetworkAccess": DELETE},
         "the typed healthcareapis.Workspace of pulumi-azure-native 3.29.0 cannot set it"),
        ("workspace-enabled", HDS, {"properties.publicNetworkAccess": "Enabled"},
         "properties.publicNetworkAccess is 'Enabled'"),
    ],
    "healthcareapis-fhirservice-require-versioned-resources": [
        ("no-version", FHIR, {"resourceVersionPolicyConfiguration.default": "no-version"},
         "default is 'no-version'"),
        ("absent", FHIR, {"resourceVersionPolicyConfiguration": DELETE}, "default is not set"),
        ("unversioned-override", FHIR,
         {"resourceVersionPolicyConfiguration.resourceTypeOverrides": {"Patient": "no-version"}},
         "resourceTypeOverrides.Patient is 'no-version'"),
    ],
    "healthcareapis-service-restrict-cors": [
        ("fhir-wildcard-origin", FHIR, {"corsConfiguration.origins": ["*"]},
         "corsConfiguration.origins contains '*'"),
        ("fhir-credentials", FHIR, {"corsConfiguration.allowCredentials": True},
         "allowCredentials is true"),
        ("dicom-wildcard-subdomain", DICOM,
         {"corsConfiguration.origins": ["https://*.example.org"]},
         "contains 'https://*.example.org'"),
        ("no-cors", FHIR, {"corsConfiguration": DELETE}, None),
    ],
    "healthcareapis-fhirservice-disable-smart-proxy": [
        ("on", FHIR, {"authenticationConfiguration.smartProxyEnabled": True},
         "smartProxyEnabled is true"),
    ],
    "network-subnet-require-nsg": [
        ("no-nsg", SNET, {"networkSecurityGroup": DELETE},
         "subnet ('snet-app') has no networkSecurityGroup"),
        ("bastion-needs-nsg", SNET,
         {"networkSecurityGroup": DELETE, "subnetName": "AzureBastionSubnet"},
         "subnet ('AzureBastionSubnet') has no networkSecurityGroup"),
        ("vnet-inline-no-nsg", VNET, {"subnets.0.networkSecurityGroup": DELETE},
         "subnets[0] ('snet-app') has no networkSecurityGroup"),
    ],
    "network-nsg-disallow-internet-management-ports": [
        ("ssh-rdp-from-anywhere", NSG, {"securityRules.0.sourceAddressPrefix": "*"},
         "securityRules[0] ('allow-bastion-management') allows inbound port 22 (SSH) via '22', "
         "port 3389 (RDP) via '3389' from '*'"),
        ("all-ports-from-internet", NSG, {"securityRules.1.destinationPortRange": "*"},
         "allows inbound all ports ('*') from 'Internet'"),
        ("range-covers-rdp", NSG, {"securityRules.1.destinationPortRange": "3000-4000"},
         "port 3389 (RDP) via '3000-4000'"),
        ("range-covers-ssh-and-rdp", RULE, {"destinationPortRange": "1-4000"},
         "allows inbound ports 22 (SSH), 3389 (RDP) via '1-4000' from 'Internet'"),
        ("standalone-range-covers-ssh", RULE, {"destinationPortRange": "20-30"},
         "security rule 'allow-https' allows inbound port 22 (SSH)"),
        ("standalone-prefix-list", RULE,
         {"sourceAddressPrefix": DELETE, "sourceAddressPrefixes": ["10.0.0.0/8", "0.0.0.0/0"],
          "destinationPortRange": DELETE, "destinationPortRanges": ["443", "3389"]},
         "port 3389 (RDP) via '3389' from '0.0.0.0/0'"),
        ("outbound-is-fine", RULE, {"direction": "Outbound", "destinationPortRange": "22"}, None),
    ],
    "network-nsg-disallow-internet-cleartext-ports": [
        ("http-from-internet", NSG, {"securityRules.1.destinationPortRange": "80"},
         "securityRules[1] ('allow-https-internet') allows inbound port 80 (HTTP) via '80' from "
         "'Internet'; serve it over TLS"),
        ("range-covers-ftp-telnet-smtp", RULE, {"destinationPortRange": "20-25"},
         "security rule 'allow-https' allows inbound ports 20 (FTP data), 21 (FTP), 23 (Telnet), "
         "25 (SMTP) via '20-25' from 'Internet'"),
        ("port-list-with-sql-server", RULE,
         {"destinationPortRange": DELETE, "destinationPortRanges": ["443", "1433"],
          "sourceAddressPrefix": "0.0.0.0/0"},
         "allows inbound port 1433 (SQL Server) via '1433' from '0.0.0.0/0'"),
        ("redis-from-prefix-list", RULE,
         {"sourceAddressPrefix": DELETE, "sourceAddressPrefixes": ["10.0.0.0/8", "Internet"],
          "destinationPortRange": "6379"},
         "port 6379 (Redis) via '6379' from 'Internet'"),
        ("smb-from-any", NSG,
         {"securityRules.1.destinationPortRange": "445", "securityRules.1.sourceAddressPrefix": "Any"},
         "port 445 (SMB) via '445' from 'Any'"),
        ("all-ports-from-internet", RULE, {"destinationPortRange": "*"},
         "allows inbound all ports ('*') from 'Internet'"),
        ("http-from-private-range", RULE,
         {"destinationPortRange": "80", "sourceAddressPrefix": "10.0.0.0/8"}, None),
        ("http-denied", RULE, {"destinationPortRange": "80", "access": "Deny"}, None),
        ("http-outbound", RULE, {"destinationPortRange": "80", "direction": "Outbound"}, None),
        ("tls-port-8443", RULE, {"destinationPortRange": "8443"}, None),
    ],
    "network-firewall-require-threat-intel-deny": [
        ("classic-alert", FW, {"firewallPolicy": DELETE, "threatIntelMode": "Alert"},
         "threatIntelMode is 'Alert'; set it to 'Deny'"),
        ("classic-default", FW, {"firewallPolicy": DELETE},
         "threatIntelMode is not set (absent means Alert); set it to 'Deny'"),
        ("classic-basic", FW,
         {"firewallPolicy": DELETE, "sku.tier": "Basic", "threatIntelMode": "Alert"},
         "a Basic firewall supports 'Alert' only: use sku.tier 'Standard' or 'Premium'"),
        ("classic-deny", FW, {"firewallPolicy": DELETE, "threatIntelMode": "Deny"}, None),
    ],
    "network-firewallpolicy-require-idps-deny": [
        ("alert", FWP, {"intrusionDetection.mode": "Alert"},
         "intrusionDetection.mode is 'Alert'; set it to 'Deny'"),
        ("absent", FWP, {"intrusionDetection": DELETE},
         "intrusionDetection.mode is not set (absent means Off)"),
        ("off", FWP, {"intrusionDetection.mode": "Off"}, "intrusionDetection.mode is 'Off'"),
        ("deny-any-case", FWP, {"sku.tier": "premium", "intrusionDetection.mode": "deny"}, None),
    ],
    "defender-pricing-require-standard-tier": [
        ("free", PRICING, {"pricingTier": "Free"},
         "pricingTier is 'Free'; set it to 'Standard'"),
        ("absent", PRICING, {"pricingTier": DELETE}, "pricingTier is not set"),
        ("name-and-tier-any-case", PRICING,
         {"pricingName": "keyvaults", "pricingTier": "standard"}, None),
    ],
    "network-firewallpolicy-require-threat-intel-deny": [
        ("alert", FWP, {"threatIntelMode": "Alert"}, "threatIntelMode is 'Alert'"),
        ("absent", FWP, {"threatIntelMode": DELETE},
         "threatIntelMode is not set (absent means Alert)"),
    ],
    "authorization-roleassignment-disallow-privileged-user-at-subscription": [
        ("owner-to-user", RA, {"principalType": "User"}, "assigns Owner to a User at scope"),
        ("no-principal-type", RA, {"principalType": DELETE}, "without principalType"),
        ("management-group", RA,
         {"principalType": "User", "scope": "/providers/Microsoft.Management/managementGroups/hlz"},
         "assigns Owner to a User at scope '/providers/Microsoft.Management/managementGroups/hlz'"),
        ("user-at-resource-group", RA, {"principalType": "User", "scope": f"{RG}"}, None),
        ("reader-to-user", RA, {"principalType": "User", "roleDefinitionId": READER_ROLE}, None),
    ],
    "authorization-roledefinition-restrict-actions-and-scopes": [
        ("wildcard-action", RD, {"permissions.0.actions.0": "*"},
         "permissions[0].actions grants '*'"),
        ("provider-wildcard", RD,
         {"permissions.0.actions.2": "Microsoft.Compute/virtualMachines/*"},
         "grants 'Microsoft.Compute/virtualMachines/*'"),
        ("wildcard-data-action", RD, {"permissions.0.dataActions": ["*/read"]},
         "permissions[0].dataActions grants '*/read'"),
        ("role-assignment-write", RD,
         {"permissions.0.actions.2": "Microsoft.Authorization/roleAssignments/write"},
         "'Microsoft.Authorization/roleAssignments/write' (it can grant roles"),
        ("role-definition-delete", RD,
         {"permissions.0.actions.2": "microsoft.authorization/roleDefinitions/DELETE"},
         "'microsoft.authorization/roleDefinitions/DELETE'"),
        ("elevate-access", RD,
         {"permissions.0.actions.2": "Microsoft.Authorization/elevateAccess/action"},
         "'Microsoft.Authorization/elevateAccess/action'"),
        ("authorization-read", RD,
         {"permissions.0.actions.2": "Microsoft.Authorization/roleAssignments/read"}, None),
        ("subscription-scope", RD, {"assignableScopes": [SUB]},
         f"assignableScopes names '{SUB}', a subscription"),
        ("management-group-scope", RD,
         {"assignableScopes.0": "/providers/Microsoft.Management/managementGroups/hlz"},
         "a management group"),
        ("root-scope", RD, {"assignableScopes": ["/"]}, "assignableScopes names '/'"),
        ("no-scope", RD, {"assignableScopes": DELETE}, "assignableScopes is not set"),
        ("empty-scopes", RD, {"assignableScopes": []}, "assignableScopes is not set"),
        ("no-permissions", RD, {"permissions": DELETE}, "permissions is not set"),
        ("resource-scope", RD,
         {"assignableScopes": [f"{RG}/providers/Microsoft.Compute/virtualMachines/vm"]}, None),
        ("generic-subscription-scope", GENERIC_RESOURCE,
         _generic_role_definition(["Microsoft.Search/searchServices/read"], [SUB]),
         "a subscription"),
        ("generic-wildcard", GENERIC_RESOURCE,
         _generic_role_definition(["Microsoft.Search/searchServices/*"], [RG]),
         "grants 'Microsoft.Search/searchServices/*'"),
        ("generic-lab-role", GENERIC_RESOURCE,
         _generic_role_definition(["Microsoft.Search/searchServices/read"], [RG]),
         None),
    ],
    "authorization-roleassignment-require-principal-type": [
        ("absent", RA, {"principalType": DELETE}, "principalType is not set"),
        ("invalid", RA, {"principalType": "Robot"}, "principalType is 'Robot'"),
    ],
    "operationalinsights-workspace-disallow-public-ingestion": [
        ("enabled", LAW, {"publicNetworkAccessForIngestion": "Enabled"},
         "publicNetworkAccessForIngestion is 'Enabled'"),
        ("absent", LAW, {"publicNetworkAccessForIngestion": DELETE},
         "publicNetworkAccessForIngestion is not set"),
    ],
    "operationalinsights-workspace-disallow-public-query": [
        ("enabled", LAW, {"publicNetworkAccessForQuery": "Enabled"},
         "publicNetworkAccessForQuery is 'Enabled'"),
    ],
    "operationalinsights-workspace-require-audit-retention": [
        ("ninety-days", LAW, {"retentionInDays": 90.0}, "retentionInDays is 90"),
        ("absent", LAW, {"retentionInDays": DELETE},
         "retentionInDays is not set (absent means 30)"),
    ],
    "monitor-diagnosticsetting-require-enabled-logs": [
        ("no-destination", DIAG, {"workspaceId": DELETE}, "no destination is set"),
        ("everything-disabled", DIAG, {"logs.0.enabled": False, "metrics": DELETE},
         "no enabled logs or metrics"),
        ("storage-destination", DIAG,
         {"workspaceId": DELETE,
          "storageAccountId": f"{RG}/providers/Microsoft.Storage/storageAccounts/st"},
         None),
    ],
    "azure-resource-require-tags": [
        ("no-owner", KV, {"tags.owner": DELETE}, "tag 'owner' is missing"),
        ("empty-owner", KV, {"tags.owner": " "}, "tag 'owner' is empty"),
        ("bad-classification", KV, {"tags.data-classification": "secret"},
         "tag 'data-classification' is 'secret'; use one of phi"),
        ("bad-environment", KV, {"tags.environment": "production"},
         "tag 'environment' is 'production'; use one of dev, test, prod"),
        ("no-tags-on-taggable-type", KV, {"tags": DELETE}, "tag 'cost-center' is missing"),
        ("tag-names-any-case", KV,
         {"tags": {"Owner": "x", "Cost-Center": "y", "ENVIRONMENT": "Dev",
                   "Data-Classification": "PHI"}},
         None),
    ],
    "azure-resource-restrict-location": [
        ("europe", KV, {"location": "westeurope"},
         "location is 'westeurope'; deploy to a US region"),
        ("display-name", KV, {"location": "East US 2"}, None),
        ("global", KV, {"location": "global"}, None),
    ],
    # --- deploy rules (constraints ARM enforces) ----------------------------------------------
    "deploy-firewallpolicy-disallow-basic-dns-settings": [
        ("basic-dns-proxy", FWP, {"sku.tier": "Basic"},
         "dnsSettings.enableProxy is true on a Basic policy"),
        ("basic-custom-dns", FWP, {"sku.tier": "Basic", "dnsSettings": {"servers": ["10.0.0.4"]}},
         "dnsSettings.servers lists 1 custom DNS server(s) on a Basic policy"),
        ("basic-without-dns", FWP, {"sku.tier": "basic", "dnsSettings": DELETE}, None),
    ],
    "deploy-firewallpolicy-restrict-basic-threat-intel": [
        ("basic-deny", FWP, {"sku.tier": "Basic"},
         "threatIntelMode is 'Deny' on a Basic policy, which supports 'Alert' only"),
        ("basic-off", FWP, {"sku.tier": "Basic", "threatIntelMode": "Off"},
         "threatIntelMode is 'Off' on a Basic policy"),
        ("basic-alert", FWP, {"sku.tier": "Basic", "threatIntelMode": "Alert"}, None),
        ("basic-default-alert", FWP, {"sku.tier": "Basic", "threatIntelMode": DELETE}, None),
    ],
    "deploy-firewallpolicy-restrict-premium-features": [
        ("standard-idps", FWP, {"sku.tier": "Standard"},
         "intrusionDetection is set but sku.tier is 'Standard'"),
        ("no-tier-means-standard", FWP, {"sku": DELETE},
         "sku.tier is not set (absent means Standard)"),
        ("standard-tls-inspection", FWP,
         {"sku.tier": "Standard", "intrusionDetection": DELETE,
          "transportSecurity": {"certificateAuthority": {
              "name": "tls-ca", "keyVaultSecretId": "https://kv-hlz-prod.vault.azure.net/secrets/ca"}}},
         "transportSecurity (TLS inspection) is set"),
        ("standard-idps-off", FWP, {"sku.tier": "Standard", "intrusionDetection.mode": "Off"}, None),
    ],
    "deploy-firewall-require-basic-management-ip": [
        ("basic-without", FW, {"sku.tier": "Basic"},
         "managementIpConfiguration.subnet and .publicIPAddress not set"),
        ("basic-without-ip", FW,
         {"sku.tier": "Basic",
          "managementIpConfiguration": {"subnet": MANAGEMENT_IP_CONFIGURATION["subnet"]}},
         "managementIpConfiguration.publicIPAddress not set"),
        ("basic-with", FW,
         {"sku.tier": "Basic", "managementIpConfiguration": MANAGEMENT_IP_CONFIGURATION}, None),
    ],
    "deploy-vpngateway-require-az-sku": [
        ("non-az-sku", VGW, {"sku": {"name": "VpnGw1", "tier": "VpnGw1"}},
         "sku.name is 'VpnGw1'; non-AZ VPN gateway SKUs cannot be created since 1 January 2025"),
        ("non-az-tier-any-case", VGW, {"sku.tier": "vpngw3"}, "sku.tier is 'vpngw3'"),
        ("az-sku", VGW, {"sku": {"name": "VpnGw2AZ", "tier": "VpnGw2AZ"}}, None),
        ("no-sku", VGW, {"sku": DELETE}, None),
    ],
    "network-vpngateway-require-entra-id-for-p2s": [
        ("certificate-auth", VGW, {"vpnClientConfiguration.vpnAuthenticationTypes": ["Certificate"]},
         "vpnClientConfiguration.vpnAuthenticationTypes is ['Certificate']; set it to ['AAD']"),
        ("aad-and-radius", VGW,
         {"vpnClientConfiguration.vpnAuthenticationTypes": ["AAD", "Radius"]},
         "vpnAuthenticationTypes is ['AAD', 'Radius']"),
        ("no-auth-types", VGW, {"vpnClientConfiguration.vpnAuthenticationTypes": DELETE},
         "vpnAuthenticationTypes is not set"),
        ("ikev2", VGW, {"vpnClientConfiguration.vpnClientProtocols": ["IkeV2", "OpenVPN"]},
         "vpnClientConfiguration.vpnClientProtocols is ['IkeV2', 'OpenVPN']; set it to "
         "['OpenVPN']"),
        ("aad-any-case", VGW,
         {"vpnClientConfiguration.vpnAuthenticationTypes": ["aad"],
          "vpnClientConfiguration.vpnClientProtocols": ["openvpn"]}, None),
    ],
    "deploy-bastion-restrict-sku-features": [
        ("basic-copy-paste", BAS, {"sku.name": "Basic"},
         "disableCopyPaste is true but sku.name is 'Basic'; it needs the Standard SKU or above"),
        ("basic-file-copy", BAS, {"sku.name": "Basic", "disableCopyPaste": False,
                                  "enableFileCopy": True, "enableTunneling": True},
         "enableTunneling is true but sku.name is 'Basic'"),
        ("basic-scaled", BAS, {"sku.name": "Basic", "disableCopyPaste": False, "scaleUnits": 4.0},
         "scaleUnits is 4 but sku.name is 'Basic'; host scaling needs Standard"),
        ("developer-kerberos", BAS,
         {"sku.name": "Developer", "disableCopyPaste": False, "enableKerberos": True},
         "enableKerberos is true but sku.name is 'Developer'; it needs the Basic SKU or above"),
        ("standard-session-recording", BAS, {"enableSessionRecording": True},
         "enableSessionRecording is true but sku.name is 'Standard'; it needs the Premium SKU"),
        ("standard-51-units", BAS, {"scaleUnits": 51.0}, "scaleUnits is 51; use 2 to 50"),
        ("basic-defaults", BAS, {"sku.name": "Basic", "disableCopyPaste": False}, None),
        ("basic-kerberos", BAS,
         {"sku.name": "Basic", "disableCopyPaste": False, "enableKerberos": True, "scaleUnits": 2.0},
         None),
        ("default-sku-is-standard", BAS, {"sku": DELETE}, None),
        ("premium-private-only", BAS, {"sku.name": "Premium", "enablePrivateOnlyBastion": True},
         None),
    ],
    "deploy-publicip-restrict-sku-settings": [
        ("standard-dynamic", PIP, {"publicIPAllocationMethod": "Dynamic"},
         "publicIPAllocationMethod is 'Dynamic' on a Standard public IP"),
        ("basic", PIP, {"sku.name": "Basic", "zones": DELETE},
         "Basic public IPs were retired on 30 September 2025"),
        ("basic-zonal", PIP, {"sku.name": "Basic"}, "zones is set on a Basic public IP"),
    ],
    "deploy-subnet-require-reserved-subnet-size": [
        ("small-bastion-subnet", SNET,
         {"subnetName": "AzureBastionSubnet", "addressPrefix": "10.0.1.0/27"},
         "subnet ('AzureBastionSubnet') is 10.0.1.0/27; Azure needs /26 or larger"),
        ("small-management-prefix", SNET,
         {"subnetName": "AzureFirewallManagementSubnet", "addressPrefix": DELETE,
          "addressPrefixes": ["10.0.1.0/26", "10.0.2.0/28"]},
         "is 10.0.2.0/28"),
        ("inline-firewall-subnet", VNET, {"subnets.1.addressPrefix": "10.0.0.0/28"},
         "subnets[1] ('AzureFirewallSubnet') is 10.0.0.0/28"),
        ("firewall-subnet-24-any-case", SNET,
         {"subnetName": "azurefirewallsubnet", "addressPrefix": "10.0.1.0/24"}, None),
    ],
    "deploy-privatednszonegroup-restrict-zone-configs": [
        ("six-zones", ZG, {"privateDnsZoneConfigs": SIX_ZONE_CONFIGS},
         "privateDnsZoneConfigs has 6 entries; a zone group holds at most 5 zones"),
        ("unnamed-config", ZG, {"privateDnsZoneConfigs.0.name": DELETE},
         "privateDnsZoneConfigs[0].name is not set"),
        ("no-zone-id", ZG, {"privateDnsZoneConfigs.1.privateDnsZoneId": DELETE},
         "privateDnsZoneConfigs[1].privateDnsZoneId is not set"),
        ("five-zones", ZG, {"privateDnsZoneConfigs": SIX_ZONE_CONFIGS[:5]}, None),
    ],
    "deploy-resource-restrict-zones-to-zonal-regions": [
        ("gzrs-in-westus", ST, {"location": "westus"},
         "sku.name is 'Standard_GZRS' but westus has no availability zones"),
        ("zonal-ip-north-central", PIP, {"location": "North Central US"},
         "zones is 1, 2, 3 but northcentralus has no availability zones"),
        ("zonal-firewall-west-central", FW, {"location": "westcentralus"},
         "but westcentralus has no availability zones"),
        ("grs-in-westus", ST, {"location": "westus", "sku.name": "Standard_GRS"}, None),
        ("regional-ip-in-westus", PIP, {"location": "westus", "zones": DELETE}, None),
    ],
    "deploy-keyvault-disallow-purge-protection-false": [
        ("false", KV, {"properties.enablePurgeProtection": False},
         "properties.enablePurgeProtection is false, which Key Vault does not accept"),
        ("unset", KV, {"properties.enablePurgeProtection": DELETE}, None),
    ],
    "deploy-keyvault-restrict-soft-delete-settings": [
        ("soft-delete-off", KV, {"properties.enableSoftDelete": False},
         "properties.enableSoftDelete is false; soft delete can no longer be turned off"),
        ("retention-120", KV, {"properties.softDeleteRetentionInDays": 120.0},
         "softDeleteRetentionInDays is 120; Key Vault accepts 7 to 90"),
        ("retention-3", KV, {"properties.softDeleteRetentionInDays": 3.0},
         "softDeleteRetentionInDays is 3;"),
        ("retention-7", KV, {"properties.softDeleteRetentionInDays": 7.0}, None),
        ("defaults", KV,
         {"properties.enableSoftDelete": DELETE, "properties.softDeleteRetentionInDays": DELETE},
         None),
    ],
    "deploy-policyassignment-require-remediation-identity": [
        ("no-identity", PA, {"identity": DELETE},
         "identity.type is not set but 'HITRUST/HIPAA' has"),
        ("identity-none", PA, {"identity.type": "None"}, "identity.type is 'None'"),
        ("no-location", PA, {"location": DELETE}, "location is not set; an assignment with a"),
        ("user-assigned", PA,
         {"identity": {"type": "UserAssigned",
                       "userAssignedIdentities": [f"{RG}/providers/Microsoft.ManagedIdentity/"
                                                  "userAssignedIdentities/id-policy"]}},
         None),
    ],
    "deploy-policysetdefinition-require-valid-builtin-members": [
        ("effect-not-allowed", PSET, {"policyDefinitions.0.parameters.effect.value": "Modify"},
         "effect 'Modify' is not allowed (Audit, Deny, Disabled)"),
        ("effect-case-insensitive", PSET, {"policyDefinitions.0.parameters.effect.value": "deny"},
         None),
        ("unknown-parameter", PSET, {"policyDefinitions.0.parameters.minimumTls": {"value": "x"}},
         "parameter 'minimumTls' is not one of the definition's (effect, minimumTlsVersion)"),
        ("value-not-allowed", PSET,
         {"policyDefinitions.0.parameters.minimumTlsVersion.value": "TLS1_3"},
         "parameter 'minimumTlsVersion' value 'TLS1_3' is not allowed"),
        ("required-missing", PSET, {"policyDefinitions.1.parameters.listOfAllowedLocations": DELETE},
         "parameter 'listOfAllowedLocations' has no default and no value"),
        ("version-unknown", PSET, {"policyDefinitions.0.definitionVersion": "2.*.*"},
         "definitionVersion '2.*.*' matches none of its versions (1.0.0)"),
        ("version-exact", PSET, {"policyDefinitions.0.definitionVersion": "1.0.0"}, None),
        ("reference-twice", PSET,
         {"policyDefinitions.1.policyDefinitionReferenceId": "storage-account-require-minimum-tls12"},
         "policyDefinitionReferenceId 'storage-account-require-minimum-tls12' is used twice"),
        ("custom-definition", PSET,
         {"policyDefinitions.0.policyDefinitionId":
          f"{SUB}/providers/Microsoft.Authorization/policyDefinitions/custom-1",
          "policyDefinitions.0.parameters.anything": {"value": 1}},
         None),
    ],
    "deploy-roleassignment-require-guid-name": [
        ("not-a-guid", RA, {"roleAssignmentName": "owner-for-platform"},
         "roleAssignmentName is 'owner-for-platform'; it must be a GUID"),
        ("sdk-generated", RA, {"roleAssignmentName": DELETE}, None),
        ("uppercase-guid", RA, {"roleAssignmentName": "33333333-3333-4333-8333-33333333ABCD"},
         None),
    ],
    "network-firewallpolicy-restrict-allow-rules": [
        ("any-source", RULE_GROUP, {("ruleCollections", 0, "rules", 0, "sourceAddresses"): ["*"]},
         "rule 'entra-ssh-login' allows source '*'; name the spokes' prefixes"),
        ("internet-source", RULE_GROUP, {("ruleCollections", 0, "rules", 0, "sourceAddresses"): ["10.1.0.0/22", "0.0.0.0/0"]},
         "allows source '0.0.0.0/0'"),
        ("any-host", RULE_GROUP, {("ruleCollections", 0, "rules", 0, "targetFqdns"): ["*"]},
         "allows targetFqdns '*'; list the hosts it needs"),
        ("web-category", RULE_GROUP, {("ruleCollections", 0, "rules", 0, "webCategories"): ["Search engines"]},
         "allows webCategories"),
        ("network-any-destination", RULE_GROUP,
         {("ruleCollections", 0, "rules", 0): {
             "name": "any-out", "ruleType": "NetworkRule", "sourceAddresses": ["10.1.0.0/22"],
             "destinationAddresses": ["*"], "destinationPorts": ["443"],
             "ipProtocols": ["TCP"]}},
         "rule 'any-out' allows destination '*'; name the hosts"),
        ("deny-any-is-fine", RULE_GROUP,
         {("ruleCollections", 0, "action", "type"): "Deny", ("ruleCollections", 0, "rules", 0, "sourceAddresses"): ["*"]},
         None),
        ("subdomain-wildcard-is-fine", RULE_GROUP,
         {("ruleCollections", 0, "rules", 0, "targetFqdns"): ["*.ubuntu.com"]}, None),
    ],
    "apim-logger-require-managed-identity": [
        ("instrumentation-key", APIM_LOGGER,
         {"credentials": {"instrumentationKey": "k"}},
         "its credentials hold instrumentationKey without identityClientId"),
        ("connection-string-alone", APIM_LOGGER,
         {("credentials", "identityClientId"): DELETE},
         "its credentials hold connectionString without identityClientId"),
        ("no-credentials", APIM_LOGGER, {"credentials": DELETE}, "it names no credentials"),
        ("azure-monitor-logger", APIM_LOGGER,
         {"loggerType": "azureMonitor", "credentials": DELETE}, None),
    ],
    "applicationinsights-component-disable-local-auth": [
        ("enabled", APPINSIGHTS, {"disableLocalAuth": False}, "disableLocalAuth is false"),
        ("absent", APPINSIGHTS, {"disableLocalAuth": DELETE}, "disableLocalAuth is not set"),
    ],
    "applicationinsights-component-disallow-public-ingestion": [
        ("enabled", APPINSIGHTS, {"publicNetworkAccessForIngestion": "Enabled"},
         "publicNetworkAccessForIngestion is 'Enabled'"),
        ("absent", APPINSIGHTS, {"publicNetworkAccessForIngestion": DELETE},
         "publicNetworkAccessForIngestion is not set"),
    ],
    "apim-service-disallow-public-network-access": [
        ("enabled", APIM, {"publicNetworkAccess": "Enabled"},
         "publicNetworkAccess is 'Enabled' (absent means Enabled); set it to 'Disabled' once"),
        ("absent", APIM, {"publicNetworkAccess": DELETE}, "publicNetworkAccess is not set"),
        ("lowercase", APIM, {"publicNetworkAccess": "disabled"}, None),
    ],
    "apim-service-disable-portals": [
        ("developer-portal", APIM, {"developerPortalStatus": "Enabled"},
         "developerPortalStatus is 'Enabled' (absent means Enabled); set it to 'Disabled'"),
        ("legacy-portal-absent", APIM, {"legacyPortalStatus": DELETE},
         "legacyPortalStatus is not set (absent means Enabled)"),
        ("both", APIM, {"developerPortalStatus": "Enabled", "legacyPortalStatus": "Enabled"},
         "legacyPortalStatus is 'Enabled'"),
    ],
    "apim-service-require-managed-identity": [
        ("none", APIM, {"identity.type": "None"}, "identity.type is 'None'"),
        ("absent", APIM, {"identity": DELETE}, "identity.type is not set"),
        ("user-assigned", APIM,
         {"identity": {"type": "UserAssigned",
                       "userAssignedIdentities": {f"{RG}/providers/Microsoft.ManagedIdentity/"
                                                  "userAssignedIdentities/id-apim": {}}}},
         None),
    ],
    "search-service-disallow-public-network-access": [
        ("enabled", SRCH, {"publicNetworkAccess": "Enabled"},
         "publicNetworkAccess is 'Enabled' (absent means Enabled); set it to 'Disabled'"),
        ("absent", SRCH, {"publicNetworkAccess": DELETE}, "publicNetworkAccess is not set"),
        ("perimeter", SRCH, {"publicNetworkAccess": "SecuredByPerimeter"},
         "publicNetworkAccess is 'SecuredByPerimeter'"),
        ("lowercase", SRCH, {"publicNetworkAccess": "disabled"}, None),
    ],
    "search-service-disable-local-auth": [
        ("false", SRCH, {"disableLocalAuth": False},
         "disableLocalAuth is false; set it to true (and send no authOptions)"),
        ("absent", SRCH, {"disableLocalAuth": DELETE}, "disableLocalAuth is not set"),
    ],
    "search-service-require-cmk-enforcement": [
        ("disabled", SRCH, {"encryptionWithCmk.enforcement": "Disabled"},
         "encryptionWithCmk.enforcement is 'Disabled' (absent means Unspecified"),
        ("unspecified", SRCH, {"encryptionWithCmk.enforcement": "Unspecified"},
         "encryptionWithCmk.enforcement is 'Unspecified'"),
        ("absent", SRCH, {"encryptionWithCmk": DELETE},
         "encryptionWithCmk.enforcement is not set"),
    ],
    "search-service-require-managed-identity": [
        ("absent", SRCH, {"identity": DELETE},
         "identity.type is not set; give the service a system- or user-assigned managed "
         "identity"),
        ("none", SRCH, {"identity.type": "None"}, "identity.type is 'None'"),
        ("both", SRCH,
         {"identity": {"type": "SystemAssigned, UserAssigned",
                       "userAssignedIdentities": [f"{RG}/id-srch"]}},
         None),
    ],
    "search-service-require-exfiltration-protection": [
        ("absent", SRCH, {"dataExfiltrationProtections": DELETE},
         "dataExfiltrationProtections is not set; set it to ['BlockAll']"),
        ("empty", SRCH, {"dataExfiltrationProtections": []},
         "dataExfiltrationProtections is []"),
        ("other-value", SRCH, {"dataExfiltrationProtections": ["All"]},
         "dataExfiltrationProtections is ['All']"),
        ("any-case", SRCH, {"dataExfiltrationProtections": ["blockall"]}, None),
    ],
    "deploy-search-restrict-tier-limits": [
        ("free-with-replicas", SRCH, {"sku.name": "free"},
         "replicaCount is 2; the free tier allows 1 to 1"),
        ("free-semantic-ranker", SRCH, {"sku.name": "free", "replicaCount": 1.0},
         "semanticSearch is 'free' on the free tier; semantic ranker needs Basic or higher"),
        ("free-cmk-enforcement", SRCH,
         {"sku.name": "free", "replicaCount": 1.0, "semanticSearch": "disabled"},
         "encryptionWithCmk.enforcement is 'Enabled' on the free tier"),
        ("basic-four-replicas", SRCH, {"sku.name": "basic", "replicaCount": 4.0},
         "replicaCount is 4; the basic tier allows 1 to 3"),
        ("five-partitions", SRCH, {"partitionCount": 5.0},
         "partitionCount is 5; the standard tier allows 1, 2, 3, 4, 6, 12"),
        ("high-density-on-standard", SRCH, {"hostingMode": "HighDensity"},
         "hostingMode is 'HighDensity' on the standard tier; only standard3 has it"),
        ("high-density-four-partitions", SRCH,
         {"sku.name": "standard3", "hostingMode": "HighDensity", "partitionCount": 4.0},
         "partitionCount is 4; the standard3 tier allows 1, 2, 3"),
        ("high-density-s3", SRCH,
         {"sku.name": "standard3", "hostingMode": "HighDensity", "partitionCount": 3.0}, None),
        ("basic-three-partitions", SRCH, {"sku.name": "basic", "partitionCount": 3.0}, None),
        ("free-minimal", SRCH,
         {"sku.name": "free", "replicaCount": 1.0, "semanticSearch": DELETE,
          "encryptionWithCmk": DELETE},
         None),
    ],
    "cosmosdb-account-disable-local-auth": [
        ("false", COSMOS, {"disableLocalAuth": False},
         "disableLocalAuth is false (absent means false: the primary and secondary keys read "
         "and write every document); set it to true"),
        ("absent", COSMOS, {"disableLocalAuth": DELETE}, "disableLocalAuth is not set"),
    ],
    "cosmosdb-account-disallow-public-network-access": [
        ("enabled", COSMOS, {"publicNetworkAccess": "Enabled"},
         "publicNetworkAccess is 'Enabled' (absent means Enabled); set it to 'Disabled'"),
        ("absent", COSMOS, {"publicNetworkAccess": DELETE}, "publicNetworkAccess is not set"),
        ("perimeter", COSMOS, {"publicNetworkAccess": "SecuredByPerimeter"},
         "publicNetworkAccess is 'SecuredByPerimeter'"),
        ("lowercase", COSMOS, {"publicNetworkAccess": "disabled"}, None),
    ],
    "cosmosdb-account-require-customer-key": [
        ("absent", COSMOS, {"keyVaultKeyUri": DELETE},
         "keyVaultKeyUri is not set; set it to the versionless URI of a key"),
        ("empty", COSMOS, {"keyVaultKeyUri": ""}, "keyVaultKeyUri is ''"),
        ("not-a-key-uri", COSMOS, {"keyVaultKeyUri": "https://kv-hlz-prod.vault.azure.net/"},
         "keyVaultKeyUri is 'https://kv-hlz-prod.vault.azure.net/'"),
        ("versioned", COSMOS,
         {"keyVaultKeyUri": "https://kv-hlz-prod.vault.azure.net/keys/cosmos-cmk/0a1b2c3d4e5f"},
         None),
    ],
    "cosmosdb-account-require-tls12": [
        ("tls10", COSMOS, {"minimalTlsVersion": "Tls"},
         "minimalTlsVersion is 'Tls'; set it to 'Tls12' explicitly"),
        ("tls11", COSMOS, {"minimalTlsVersion": "Tls11"}, "minimalTlsVersion is 'Tls11'"),
        ("absent", COSMOS, {"minimalTlsVersion": DELETE}, "minimalTlsVersion is not set"),
        ("any-case", COSMOS, {"minimalTlsVersion": "TLS12"}, None),
    ],
    "cosmosdb-account-disable-key-metadata-write": [
        ("false", COSMOS, {"disableKeyBasedMetadataWriteAccess": False},
         "disableKeyBasedMetadataWriteAccess is false (absent means false: an account key can "
         "create, change and delete databases"),
        ("absent", COSMOS, {"disableKeyBasedMetadataWriteAccess": DELETE},
         "disableKeyBasedMetadataWriteAccess is not set"),
    ],
    "cosmosdb-sqlroleassignment-restrict-scope": [
        ("account", COSMOS_GRANT, {"scope": COSMOS_ID},
         f"scope is '{COSMOS_ID}': a data-plane role on the whole account reaches every "
         "database and container"),
        ("root", COSMOS_GRANT, {"scope": "/"}, "scope is '/'"),
        ("absent", COSMOS_GRANT, {"scope": DELETE}, "scope is not set"),
        ("container", COSMOS_GRANT,
         {"scope": f"{COSMOS_ID}/dbs/enterprise_memory/colls/p1-thread-message-store"}, None),
        ("relative-database", COSMOS_GRANT, {"scope": "/dbs/enterprise_memory"}, None),
    ],
    "deploy-search-disallow-auth-options-without-local-auth": [
        ("both", SRCH,
         {"authOptions": {"aadOrApiKey": {"aadAuthFailureMode": "http401WithBearerChallenge"}}},
         "authOptions is set while disableLocalAuth is true"),
        ("keys-allowed", SRCH, {"disableLocalAuth": False, "authOptions": {"apiKeyOnly": {}}},
         None),
    ],
    "compute-vm-require-encryption-at-host": [
        ("false", VM, {"securityProfile.encryptionAtHost": False},
         "securityProfile.encryptionAtHost is false; set it to true so the temp disk"),
        ("absent", VM, {"securityProfile.encryptionAtHost": DELETE},
         "securityProfile.encryptionAtHost is not set"),
    ],
    "compute-vm-require-trusted-launch": [
        ("standard", VM, {"securityProfile.securityType": DELETE},
         "securityProfile.securityType is not set (absent means Standard: no secure boot, no "
         "vTPM); set it to 'TrustedLaunch'"),
        ("no-secure-boot", VM, {"securityProfile.uefiSettings.secureBootEnabled": False},
         "securityProfile.uefiSettings.secureBootEnabled is false; set it to true"),
        ("no-vtpm", VM, {"securityProfile.uefiSettings.vTpmEnabled": DELETE},
         "securityProfile.uefiSettings.vTpmEnabled is not set; set it to true"),
        ("no-security-profile", VM, {"securityProfile": DELETE},
         "securityProfile.securityType is not set"),
        ("confidential-vm", VM, {"securityProfile.securityType": "ConfidentialVM"}, None),
        ("lowercase", VM, {"securityProfile.securityType": "trustedlaunch"}, None),
    ],
    "compute-vm-require-cmk-disk-encryption": [
        ("os-disk-platform-key", VM,
         {"storageProfile.osDisk.managedDisk.diskEncryptionSet.id": DELETE},
         "storageProfile.osDisk.managedDisk.diskEncryptionSet.id is not set (a platform-managed "
         "key)"),
        ("no-os-disk", VM, {"storageProfile.osDisk": DELETE},
         "storageProfile.osDisk.managedDisk.diskEncryptionSet.id is not set (no osDisk"),
        ("unmanaged-os-disk", VM,
         {"storageProfile.osDisk.managedDisk": DELETE,
          "storageProfile.osDisk.vhd": {"uri": "https://st.blob.core.windows.net/vhds/os.vhd"}},
         "storageProfile.osDisk is an unmanaged VHD (vhd.uri)"),
        ("data-disk-platform-key", VM, {"storageProfile.dataDisks": [PLATFORM_KEY_DATA_DISK]},
         "storageProfile.dataDisks[0].managedDisk.diskEncryptionSet.id is not set"),
        ("data-disk-under-the-set", VM,
         {"storageProfile.dataDisks": [mutate(PLATFORM_KEY_DATA_DISK,
                                              {"managedDisk.diskEncryptionSet": {"id": DES_ID}})]},
         None),
        ("confidential-vm-set", VM,
         {"storageProfile.osDisk.managedDisk.diskEncryptionSet": DELETE,
          "storageProfile.osDisk.managedDisk.securityProfile": {
              "securityEncryptionType": "DiskWithVMGuestState",
              "diskEncryptionSet": {"id": DES_ID}}},
         None),
    ],
    "compute-vm-disallow-password-authentication": [
        ("enabled", VM, {f"{LINUX}.disablePasswordAuthentication": False},
         "osProfile.linuxConfiguration.disablePasswordAuthentication is false; set it to true"),
        ("absent", VM, {f"{LINUX}.disablePasswordAuthentication": DELETE},
         "osProfile.linuxConfiguration.disablePasswordAuthentication is not set"),
        ("admin-password", VM, {"osProfile.adminPassword": "[secret]"},
         "osProfile.adminPassword is set; remove it"),
    ],
    "compute-vm-require-automatic-patching": [
        ("image-default", VM, {f"{LINUX}.patchSettings.patchMode": "ImageDefault"},
         "osProfile.linuxConfiguration.patchSettings.patchMode is 'ImageDefault' (absent means "
         "ImageDefault"),
        ("absent", VM, {f"{LINUX}.patchSettings": DELETE},
         "osProfile.linuxConfiguration.patchSettings.patchMode is not set"),
        ("no-vm-agent", VM, {f"{LINUX}.provisionVMAgent": False},
         "osProfile.linuxConfiguration.provisionVMAgent is false"),
        ("lowercase", VM, {f"{LINUX}.patchSettings.patchMode": "automaticbyplatform"}, None),
        ("windows-by-os", VM,
         {LINUX: DELETE, "osProfile.windowsConfiguration": WINDOWS_AUTOMATIC}, None),
        ("windows-default", VM, {LINUX: DELETE, "osProfile.windowsConfiguration": {}}, None),
        ("windows-manual", VM,
         {LINUX: DELETE,
          "osProfile.windowsConfiguration": {"patchSettings": {"patchMode": "Manual"}}},
         "osProfile.windowsConfiguration.patchSettings.patchMode is 'Manual'"),
        ("windows-updates-off", VM,
         {LINUX: DELETE, "osProfile.windowsConfiguration": {"enableAutomaticUpdates": False}},
         "osProfile.windowsConfiguration.enableAutomaticUpdates is false"),
    ],
    "compute-vm-require-managed-identity": [
        ("absent", VM, {"identity": DELETE},
         "identity.type is not set; give the VM a system-assigned identity"),
        ("none", VM, {"identity.type": "None"}, "identity.type is 'None'"),
        ("user-assigned", VM,
         {"identity": {"type": "UserAssigned",
                       "userAssignedIdentities": [f"{RG}/id-jumphost"]}},
         None),
    ],
    "network-networkinterface-disallow-public-ip": [
        ("public-ip", NIC,
         {"ipConfigurations.0.publicIPAddress": {"id": f"{NETWORK}/publicIPAddresses/pip-jh"}},
         f"ipConfigurations[0].publicIPAddress is set ('{NETWORK}/publicIPAddresses/pip-jh'); "
         "remove it: the host is reached through Azure Bastion"),
        ("second-configuration", NIC,
         {"ipConfigurations": [
             {"name": "ipconfig1", "privateIPAllocationMethod": "Dynamic"},
             {"name": "ipconfig2", "publicIPAddress": {"id": f"{NETWORK}/publicIPAddresses/p2"}},
         ]},
         "ipConfigurations[1].publicIPAddress is set"),
        ("vm-created-nic", VM,
         {"networkProfile": {"networkInterfaceConfigurations": [
             {"name": "nic", "ipConfigurations": [
                 {"name": "ip", "publicIPAddressConfiguration": {"name": "pip"}}]}]}},
         "networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0]"
         ".publicIPAddressConfiguration is set; remove it"),
        ("empty-reference", NIC, {"ipConfigurations.0.publicIPAddress": {}}, None),
        ("vm-created-nic-private", VM,
         {"networkProfile": {"networkInterfaceConfigurations": [
             {"name": "nic", "ipConfigurations": [{"name": "ip"}]}]}},
         None),
    ],
    "compute-diskencryptionset-require-customer-key": [
        ("no-type", DES, {"encryptionType": DELETE},
         "encryptionType is not set; set it to 'EncryptionAtRestWithCustomerKey'"),
        ("other-type", DES, {"encryptionType": "EncryptionAtRestWithPlatformKey"},
         "encryptionType is 'EncryptionAtRestWithPlatformKey'"),
        ("no-key", DES, {"activeKey": DELETE}, "activeKey.keyUrl is not set"),
        ("no-rotation", DES, {"rotationToLatestKeyVersionEnabled": False},
         "rotationToLatestKeyVersionEnabled is false; set it to true"),
        ("rotation-absent", DES, {"rotationToLatestKeyVersionEnabled": DELETE},
         "rotationToLatestKeyVersionEnabled is not set"),
        ("double-encryption", DES,
         {"encryptionType": "EncryptionAtRestWithPlatformAndCustomerKeys"}, None),
    ],
    "deploy-diskencryptionset-require-versioned-key-url": [
        ("versionless", DES, {"activeKey.keyUrl": KEY_URL},
         f"activeKey.keyUrl '{KEY_URL}' has no version segment; Azure refuses"),
        ("trailing-slash", DES, {"activeKey.keyUrl": KEY_URL + "/"},
         "has no version segment"),
        ("secret-url", DES,
         {"activeKey.keyUrl": "https://kv-hlz-prod.vault.azure.net/secrets/jumphost/0123"},
         "not a Key Vault key URL"),
        ("managed-hsm", DES,
         {"activeKey.keyUrl": "https://hsm-hlz.managedhsm.azure.net/keys/jumphost/0123"}, None),
    ],
    "deploy-devtestlabschedule-require-vm-shutdown-name": [
        ("other-name", SCHED, {"name": "vm-jh-hlz-prod-shutdown"},
         "name is 'vm-jh-hlz-prod-shutdown'; Azure accepts the auto-shutdown schedule of VM "
         "'vm-jh-hlz-prod' only as 'shutdown-computevm-vm-jh-hlz-prod'"),
        ("another-vms-name", SCHED, {"name": "shutdown-computevm-vm-other"},
         "only as 'shutdown-computevm-vm-jh-hlz-prod'"),
        ("absent-name", SCHED, {"name": DELETE}, "name is not set; Azure accepts"),
        ("target-not-a-vm", SCHED,
         {"targetResourceId": f"{NETWORK}/networkInterfaces/nic-jh-hlz-prod"},
         f"targetResourceId is '{NETWORK}/networkInterfaces/nic-jh-hlz-prod', not a virtual "
         "machine's resource id"),
        ("target-vm-extension", SCHED,
         {"targetResourceId":
          f"{RG}/providers/Microsoft.Compute/virtualMachines/vm-jh-hlz-prod/extensions/x"},
         "not a virtual machine's resource id"),
        ("absent-target", SCHED, {"targetResourceId": DELETE},
         "targetResourceId is not set, not a virtual machine's resource id"),
        ("name-and-id-in-other-case", SCHED,
         {"name": "Shutdown-ComputeVM-VM-JH-HLZ-PROD",
          "targetResourceId": f"{RG}/providers/microsoft.compute/virtualmachines/vm-jh-hlz-prod"},
         None),
    ],
    "network-dnsforwardingrule-require-private-targets": [
        ("public-target", DNS_RULE, {"targetDnsServers.1.ipAddress": "8.8.8.8"},
         "targetDnsServers[1].ipAddress is '8.8.8.8', not a private (RFC 1918) address"),
        ("shared-address-space", DNS_RULE, {"targetDnsServers.0.ipAddress": "100.64.0.10"},
         "targetDnsServers[0].ipAddress is '100.64.0.10', not a private"),
        ("host-name", DNS_RULE, {"targetDnsServers.0.ipAddress": "dns1.corp.example.org"},
         "targetDnsServers[0].ipAddress is 'dns1.corp.example.org', not an IPv4 address"),
        ("absent", DNS_RULE, {"targetDnsServers": DELETE}, "targetDnsServers is not set"),
        ("other-rfc1918-range", DNS_RULE, {"targetDnsServers.0.ipAddress": "172.20.0.10"}, None),
    ],
    "deploy-dnsforwardingrule-restrict-domain-name": [
        ("no-trailing-dot", DNS_RULE, {"domainName": "corp.example.org"},
         "domainName 'corp.example.org' does not end with '.'"),
        ("empty-label", DNS_RULE, {"domainName": "corp..example.org."},
         "has an empty label ('..')"),
        ("thirty-five-labels", DNS_RULE, {"domainName": "a." * 35}, "has 35 labels"),
        ("absent", DNS_RULE, {"domainName": DELETE}, "domainName is not set"),
        ("wildcard", DNS_RULE, {"domainName": "."}, None),
        ("single-label", DNS_RULE, {"domainName": "corp."}, None),
    ],
    "deploy-dnsforwardingrule-restrict-targets": [
        ("seven-servers", DNS_RULE,
         {"targetDnsServers": [{"ipAddress": f"192.168.10.{n}"} for n in range(7)]},
         "targetDnsServers has 7 servers; a rule takes at most 6"),
        ("empty", DNS_RULE, {"targetDnsServers": []}, "targetDnsServers is empty"),
        ("azure-dns", DNS_RULE, {"targetDnsServers.0.ipAddress": "168.63.129.16"},
         "targetDnsServers[0].ipAddress is 168.63.129.16 (Azure DNS)"),
        ("port-zero", DNS_RULE, {"targetDnsServers.0.port": 0.0},
         "targetDnsServers[0].port is 0; use 1-65535"),
        ("six-servers-default-port", DNS_RULE,
         {"targetDnsServers": [{"ipAddress": f"192.168.10.{n}"} for n in range(6)]}, None),
    ],
    "deploy-resource-restrict-name-rules": [
        ("resolver-with-dot", DNS_RESOLVER, {"dnsResolverName": "dnspr.hub"},
         "dnsResolverName 'dnspr.hub' has characters or a shape Azure does not allow for "
         "dns_resolver"),
        ("ruleset-trailing-underscore", DNS_RULESET, {"dnsForwardingRulesetName": "dnsfrs_"},
         "dnsForwardingRulesetName 'dnsfrs_' has characters"),
        ("storage-hyphens", ST, {"accountName": "st-hlz-prod"},
         "accountName 'st-hlz-prod' has characters or a shape Azure does not allow for "
         "storage_account"),
        ("vault-double-hyphen", KV, {"vaultName": "kv--hlz"},
         "vaultName 'kv--hlz' has characters or a shape"),
        ("vault-too-long", KV, {"vaultName": "kv-" + "x" * 22},
         "is 25 characters; Azure allows at most 24 for key_vault"),
        ("subdomain-underscore", OAI, {"properties.customSubDomainName": "oai_hlz_prod"},
         "properties.customSubDomainName 'oai_hlz_prod'"),
        ("generic-workspace-hyphens", GENERIC_RESOURCE, {"resourceName": "hds-hlz-prod"},
         "workspaceName 'hds-hlz-prod'"),
        ("log-analytics-too-short", LAW, {"workspaceName": "log"},
         "'log' is shorter than 4 characters"),
        ("public-ip-trailing-hyphen", PIP, {"publicIpAddressName": "pip-firewall-"},
         "publicIpAddressName 'pip-firewall-'"),
        ("fhir-with-hyphen", FHIR, {"fhirServiceName": "fhir-notes"}, None),
        ("project-leading-dot", PROJ, {"projectName": ".notes"},
         "projectName '.notes' has characters or a shape Azure does not allow for "
         "foundry_project"),
        ("project-dots-and-underscores", PROJ, {"projectName": "notes_v2.eval"}, None),
        ("connection-with-dot", PCONN, {"connectionName": "srch.notes"},
         "connectionName 'srch.notes' has characters or a shape Azure does not allow for "
         "foundry_connection"),
        ("connection-too-long", ACONN, {"connectionName": "st-" + "x" * 31},
         "is 34 characters; Azure allows at most 33 for foundry_connection"),
        ("connection-too-short", PCONN, {"connectionName": "cn"},
         "'cn' is shorter than 3 characters, the minimum for foundry_connection"),
        ("connection-underscores", ACONN, {"connectionName": "st_notes_v2"}, None),
        ("vm-name-with-period", VM, {"vmName": "vm.jh"},
         "vmName 'vm.jh' has characters or a shape Azure does not allow for virtual_machine"),
        ("vm-name-too-long", VM, {"vmName": "vm-" + "x" * 62},
         "is 65 characters; Azure allows at most 64 for virtual_machine"),
        ("computer-name-trailing-hyphen", VM, {"osProfile.computerName": "vm-jh-"},
         "osProfile.computerName 'vm-jh-' has characters or a shape"),
        ("vm-name-underscore", VM, {"vmName": "vm_jh"},
         "vmName 'vm_jh' has characters or a shape"),
        ("des-name-with-period", DES, {"diskEncryptionSetName": "des.jh"},
         "diskEncryptionSetName 'des.jh' has characters or a shape Azure does not allow for "
         "disk_encryption_set"),
        ("des-name-underscore", DES, {"diskEncryptionSetName": "des_jh_hlz"}, None),
        ("nic-trailing-hyphen", NIC, {"networkInterfaceName": "nic-jh-"},
         "networkInterfaceName 'nic-jh-' has characters or a shape"),
        ("nic-trailing-underscore", NIC, {"networkInterfaceName": "nic.jh_"}, None),
        ("budget-name-with-dot", BUDGET, {"budgetName": "budget.notes"},
         "budgetName 'budget.notes' has characters or a shape Azure does not allow for budget"),
        ("budget-name-too-long", BUDGET, {"budgetName": "budget-" + "x" * 57},
         "is 64 characters; Azure allows at most 63 for budget"),
        ("alert-rule-with-colon", METRIC_ALERT, {"ruleName": "ar:storage"},
         "ruleName 'ar:storage' has characters or a shape Azure does not allow for alert_rule"),
        ("action-group-trailing-period", ACTION_GROUP, {"actionGroupName": "ag-platform."},
         "has characters or a shape Azure does not allow for action_group"),
        ("alert-rule-with-parentheses", ACTIVITY_LOG_ALERT,
         {"activityLogAlertName": "ar-dicom-(health)"}, None),
    ],
    "deploy-budget-restrict-time-period": [
        ("not-first-of-month", BUDGET, {"timePeriod.startDate": "2026-12-15T00:00:00Z"},
         "2026-12-15 is not the first of a month"),
        ("before-june-2017", BUDGET, {"timePeriod.startDate": "2017-05-01T00:00:00Z"},
         "is before 2017-06-01"),
        ("years-ahead", BUDGET, {"timePeriod.startDate": "2099-01-01T00:00:00Z"},
         "is more than 12 months ahead"),
        ("not-a-date", BUDGET, {"timePeriod.startDate": "December"},
         "timePeriod.startDate is 'December'"),
        ("end-before-start", BUDGET, {"timePeriod.endDate": "2026-11-01T00:00:00Z"},
         "timePeriod.endDate is '2026-11-01T00:00:00Z'; it must be a date after the start"),
        ("date-without-time", BUDGET, {"timePeriod.startDate": "2026-12-01"}, None),
        ("end-ten-years-on", BUDGET, {"timePeriod.endDate": "2036-12-01T00:00:00Z"}, None),
    ],
    "deploy-budget-restrict-notifications": [
        ("six-notifications", BUDGET,
         {"notifications": {
             f"n{n}": {"enabled": True, "operator": "GreaterThan", "threshold": 10.0 * n,
                       "contactEmails": ["notes-team@example.org"]}
             for n in range(1, 7)
         }},
         "6 notifications; a budget has at most 5"),
        ("threshold-above-1000", BUDGET, {"notifications.actual-80.threshold": 1500.0},
         "notifications.actual-80.threshold is 1500; it is a percent from 0 to 1000"),
        ("negative-threshold", BUDGET, {"notifications.actual-80.threshold": -5.0},
         "threshold is -5"),
        ("unknown-threshold-type", BUDGET,
         {"notifications.actual-80.thresholdType": "Predicted"},
         "thresholdType is 'Predicted'"),
        ("unknown-operator", BUDGET, {"notifications.actual-80.operator": "LessThan"},
         "operator is 'LessThan'"),
        ("nobody-to-tell", BUDGET,
         {"notifications.actual-80.contactEmails": [],
          "notifications.actual-80.contactGroups": DELETE},
         "notifications.actual-80 has no contactEmails and no contactGroups"),
        ("fifty-one-emails", BUDGET,
         {"notifications.actual-80.contactEmails": [f"u{n}@example.org" for n in range(51)]},
         "contactEmails has 51 entries; ARM accepts at most 50"),
        ("action-group-only", BUDGET, {"notifications.actual-80.contactEmails": []}, None),
        ("threshold-1000", BUDGET, {"notifications.actual-80.threshold": 1000.0}, None),
    ],
    "deploy-metricalert-restrict-evaluation": [
        ("severity-5", METRIC_ALERT, {"severity": 5.0}, "severity is 5"),
        ("two-hour-window", METRIC_ALERT, {"windowSize": "PT2H"},
         "windowSize is 'PT2H'; use one of PT1M"),
        ("six-hourly-evaluation", METRIC_ALERT, {"evaluationFrequency": "PT6H"},
         "evaluationFrequency is 'PT6H'"),
        ("one-day-window", METRIC_ALERT, {"windowSize": "PT24H"}, None),
    ],
    "deploy-metricalert-restrict-scopes": [
        ("single-resource-criteria-two-scopes", METRIC_ALERT,
         {"scopes": [STORAGE_ID, f"{STORAGE_ID}2"]}, "watches one resource, and scopes has 2"),
        ("several-resources-without-type", METRIC_ALERT,
         {"scopes": [STORAGE_ID, f"{STORAGE_ID}2"],
          "criteria.odataType": "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria"},
         "targetResourceType and targetResourceRegion are not set"),
        ("several-resources-with-type-and-region", METRIC_ALERT,
         {"scopes": [STORAGE_ID, f"{STORAGE_ID}2"],
          "criteria.odataType": "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria",
          "targetResourceType": "Microsoft.Storage/storageAccounts",
          "targetResourceRegion": "eastus2"}, None),
    ],
    "deploy-activitylogalert-restrict-condition": [
        ("in-west-us", ACTIVITY_LOG_ALERT, {"location": "westus"},
         "location is 'westus'; activity log alert rules live in global"),
        ("no-scope", ACTIVITY_LOG_ALERT, {"scopes": []}, "scopes is empty"),
        ("leaf-and-any-of", ACTIVITY_LOG_ALERT,
         {"condition.allOf.0.anyOf": [{"field": "category", "equals": "Administrative"}]},
         "condition.allOf[0] has anyOf, equals, field; a condition is a leaf"),
        ("equals-and-contains-any", ACTIVITY_LOG_ALERT,
         {"condition.allOf.0.containsAny": ["ResourceHealth"]}, "never a mix"),
        ("any-of-group", ACTIVITY_LOG_ALERT,
         {"condition.allOf.1": {"anyOf": [{"field": "properties.cause", "equals": "UserInitiated"}]}},
         None),
        ("global-in-capitals", ACTIVITY_LOG_ALERT, {"location": "Global"}, None),
    ],
    "deploy-actiongroup-restrict-short-name": [
        ("thirteen-characters", ACTION_GROUP, {"groupShortName": "hlzprodplatfo"},
         "groupShortName 'hlzprodplatfo' has 13 characters; ARM accepts 1 to 12"),
        ("empty", ACTION_GROUP, {"groupShortName": ""}, "has 0 characters"),
        ("twelve-characters", ACTION_GROUP, {"groupShortName": "hlzprodplatf"}, None),
    ],
}
# fmt: on

MUTATIONS: tuple[Mutation, ...] = tuple(
    Mutation(rule_id, label, resource_type, changes, expect)
    for rule_id, cases in _CASES.items()
    for label, resource_type, changes, expect in cases
)

UNKNOWN_MEANS_SET = frozenset(
    {
        "cognitiveservices-deployment-require-rai-policy",
        "cognitiveservices-account-require-custom-subdomain",
        "monitor-diagnosticsetting-require-enabled-logs",
        "compute-vm-require-cmk-disk-encryption",
    }
)
"""Rules whose first mutated field is a reference: an unknown value counts as configured."""
