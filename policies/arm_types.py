"""Where each azure-native type lives in Azure Resource Manager: one table for the offline
engine (ARM ids of planned resources) and the policy pack (recognising a generic
``azure-native:resources:Resource`` as the typed resource it creates).

Each entry: the provider namespace and, from the outermost resource inwards, (collection, wire
input holding that level's name). Extension resources (role assignments, locks, diagnostic
settings...) hang below the resource named by a scope input.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ARM_PATHS",
    "GENERIC_RESOURCE",
    "UNVALIDATED_ARM_PATHS",
    "ArmPath",
    "arm_path",
    "arm_type",
    "token_for_arm_type",
]

GENERIC_RESOURCE = "azure-native:resources:Resource"
"""The SDK's generic resource: any ARM type at an explicit API version, ARM-shaped properties."""


@dataclass(frozen=True)
class ArmPath:
    namespace: str
    levels: tuple[tuple[str, str], ...]
    """(collection, name input key) from the outermost resource inwards."""
    scope_key: str | None = None
    """For extension resources: the input holding the scope id they attach to."""
    in_resource_group: bool = True


ARM_PATHS: dict[str, ArmPath] = {
    "azure-native:authorization:ManagementLockByScope": ArmPath(
        "Microsoft.Authorization", (("locks", "lockName"),), scope_key="scope"
    ),
    "azure-native:authorization:PolicyAssignment": ArmPath(
        "Microsoft.Authorization",
        (("policyAssignments", "policyAssignmentName"),),
        scope_key="scope",
    ),
    "azure-native:authorization:RoleAssignment": ArmPath(
        "Microsoft.Authorization", (("roleAssignments", "roleAssignmentName"),), scope_key="scope"
    ),
    "azure-native:monitor:DiagnosticSetting": ArmPath(
        "Microsoft.Insights", (("diagnosticSettings", "name"),), scope_key="resourceUri"
    ),
    "azure-native:security:Pricing": ArmPath(
        "Microsoft.Security", (("pricings", "pricingName"),), scope_key="scopeId"
    ),
    "azure-native:monitor:PrivateLinkScope": ArmPath(
        "Microsoft.Insights", (("privateLinkScopes", "scopeName"),)
    ),
    "azure-native:monitor:PrivateLinkScopedResource": ArmPath(
        "Microsoft.Insights", (("privateLinkScopes", "scopeName"), ("scopedResources", "name"))
    ),
    "azure-native:operationalinsights:Workspace": ArmPath(
        "Microsoft.OperationalInsights", (("workspaces", "workspaceName"),)
    ),
    "azure-native:network:VirtualNetwork": ArmPath(
        "Microsoft.Network", (("virtualNetworks", "virtualNetworkName"),)
    ),
    "azure-native:network:Subnet": ArmPath(
        "Microsoft.Network", (("virtualNetworks", "virtualNetworkName"), ("subnets", "subnetName"))
    ),
    "azure-native:network:VirtualNetworkPeering": ArmPath(
        "Microsoft.Network",
        (
            ("virtualNetworks", "virtualNetworkName"),
            ("virtualNetworkPeerings", "virtualNetworkPeeringName"),
        ),
    ),
    "azure-native:network:NetworkSecurityGroup": ArmPath(
        "Microsoft.Network", (("networkSecurityGroups", "networkSecurityGroupName"),)
    ),
    "azure-native:network:SecurityRule": ArmPath(
        "Microsoft.Network",
        (
            ("networkSecurityGroups", "networkSecurityGroupName"),
            ("securityRules", "securityRuleName"),
        ),
    ),
    "azure-native:network:RouteTable": ArmPath(
        "Microsoft.Network", (("routeTables", "routeTableName"),)
    ),
    "azure-native:network:PublicIPAddress": ArmPath(
        "Microsoft.Network", (("publicIPAddresses", "publicIpAddressName"),)
    ),
    "azure-native:network:AzureFirewall": ArmPath(
        "Microsoft.Network", (("azureFirewalls", "azureFirewallName"),)
    ),
    "azure-native:network:FirewallPolicy": ArmPath(
        "Microsoft.Network", (("firewallPolicies", "firewallPolicyName"),)
    ),
    "azure-native:network:BastionHost": ArmPath(
        "Microsoft.Network", (("bastionHosts", "bastionHostName"),)
    ),
    "azure-native:network:DdosProtectionPlan": ArmPath(
        "Microsoft.Network", (("ddosProtectionPlans", "ddosProtectionPlanName"),)
    ),
    "azure-native:network:PrivateEndpoint": ArmPath(
        "Microsoft.Network", (("privateEndpoints", "privateEndpointName"),)
    ),
    "azure-native:network:PrivateDnsZoneGroup": ArmPath(
        "Microsoft.Network",
        (
            ("privateEndpoints", "privateEndpointName"),
            ("privateDnsZoneGroups", "privateDnsZoneGroupName"),
        ),
    ),
    "azure-native:privatedns:PrivateZone": ArmPath(
        "Microsoft.Network", (("privateDnsZones", "privateZoneName"),)
    ),
    "azure-native:privatedns:VirtualNetworkLink": ArmPath(
        "Microsoft.Network",
        (("privateDnsZones", "privateZoneName"), ("virtualNetworkLinks", "virtualNetworkLinkName")),
    ),
    "azure-native:keyvault:Vault": ArmPath("Microsoft.KeyVault", (("vaults", "vaultName"),)),
    "azure-native:keyvault:Key": ArmPath(
        "Microsoft.KeyVault", (("vaults", "vaultName"), ("keys", "keyName"))
    ),
    "azure-native:keyvault:Secret": ArmPath(
        "Microsoft.KeyVault", (("vaults", "vaultName"), ("secrets", "secretName"))
    ),
    "azure-native:managedidentity:UserAssignedIdentity": ArmPath(
        "Microsoft.ManagedIdentity", (("userAssignedIdentities", "resourceName"),)
    ),
    "azure-native:cognitiveservices:Account": ArmPath(
        "Microsoft.CognitiveServices", (("accounts", "accountName"),)
    ),
    "azure-native:cognitiveservices:Deployment": ArmPath(
        "Microsoft.CognitiveServices",
        (("accounts", "accountName"), ("deployments", "deploymentName")),
    ),
    "azure-native:cognitiveservices:RaiPolicy": ArmPath(
        "Microsoft.CognitiveServices",
        (("accounts", "accountName"), ("raiPolicies", "raiPolicyName")),
    ),
    "azure-native:healthcareapis:Workspace": ArmPath(
        "Microsoft.HealthcareApis", (("workspaces", "workspaceName"),)
    ),
    "azure-native:healthcareapis:FhirService": ArmPath(
        "Microsoft.HealthcareApis",
        (("workspaces", "workspaceName"), ("fhirservices", "fhirServiceName")),
    ),
    "azure-native:healthcareapis:DicomService": ArmPath(
        "Microsoft.HealthcareApis",
        (("workspaces", "workspaceName"), ("dicomservices", "dicomServiceName")),
    ),
    "azure-native:storage:StorageAccount": ArmPath(
        "Microsoft.Storage", (("storageAccounts", "accountName"),)
    ),
    "azure-native:storage:BlobServiceProperties": ArmPath(
        "Microsoft.Storage",
        (("storageAccounts", "accountName"), ("blobServices", "blobServicesName")),
    ),
    "azure-native:storage:BlobContainer": ArmPath(
        "Microsoft.Storage",
        (
            ("storageAccounts", "accountName"),
            ("blobServices", "default"),
            ("containers", "containerName"),
        ),
    ),
}


UNVALIDATED_ARM_PATHS: dict[str, ArmPath] = {
    "azure-native:search:Service": ArmPath(
        "Microsoft.Search", (("searchServices", "searchServiceName"),)
    ),
    "azure-native:search:SharedPrivateLinkResource": ArmPath(
        "Microsoft.Search",
        (
            ("searchServices", "searchServiceName"),
            ("sharedPrivateLinkResources", "sharedPrivateLinkResourceName"),
        ),
    ),
}
"""Types the pack has rules for and tests plan (the insecure fixture), but no component
creates: the offline engine builds their ARM ids from here, and nothing else reads this table.
They are not in ``ARM_PATHS`` because that table is also the list of types whose Azure type
definitions are vendored (``tools/refresh_bicep_types.py --check`` fails without them); type
validation reports these as unchecked. A component that starts creating one moves its entry to
``ARM_PATHS`` and vendors the definitions (docs/adding-a-service.md)."""


def arm_path(token: str) -> ArmPath | None:
    """Where ``token`` lives in ARM (``ARM_PATHS``, then ``UNVALIDATED_ARM_PATHS``), None if
    neither table knows it."""
    return ARM_PATHS.get(token) or UNVALIDATED_ARM_PATHS.get(token)


def arm_type(token: str) -> str | None:
    """``Microsoft.Storage/storageAccounts/blobServices`` for a typed token, None if unknown."""
    path = ARM_PATHS.get(token)
    if path is None:
        return None
    return "/".join((path.namespace, *(collection for collection, _ in path.levels)))


_BY_ARM_TYPE: dict[str, str] = {}
for _token in ARM_PATHS:
    _type = arm_type(_token)
    # Two tokens can share an ARM type (lock flavours); the first listed is canonical.
    if _type is not None:
        _BY_ARM_TYPE.setdefault(_type.casefold(), _token)


def token_for_arm_type(full_type: str) -> str | None:
    """The typed token for an ARM type such as ``Microsoft.HealthcareApis/workspaces`` (ARM
    types are case-insensitive), None when no typed resource is known for it."""
    return _BY_ARM_TYPE.get(full_type.casefold())
