"""Lab 3: a storage account for PHI that is compliant in every way but one.

Public network access is Enabled. The hlz components cannot be configured that way (the lab
storage is private by default and the stack config has no key to open it), so this program
uses the raw azure-native SDK, the way a team writing its own Pulumi program might. Everything
else the policy pack looks at is compliant: customer-managed key, infrastructure encryption,
HTTPS and TLS 1.2, firewall default Deny, no shared keys, no anonymous blobs, no cross-tenant
replication, blob soft delete and versioning, a diagnostic setting on the blob service, and a
private endpoint with its private DNS zone group. So the plan fails exactly one rule:
storage-account-disallow-public-network-access.

Never deploy it. Plan it offline:

    hlz plan lab3 --program docs/labs/scenarios/03-policy-blocks-public-storage/__main__.py \
        --stack-file docs/labs/scenarios/03-policy-blocks-public-storage/Pulumi.lab3.yaml
"""

import pulumi
from pulumi_azure_native import monitor, network, resources, storage

config = pulumi.Config("hlz")
location = config.require("location")
tags = config.require_object("tags")

# Ids of things the landing zone already provides (its Key Vault, the CMK identity, the hub's
# private DNS zone and the lab's private-endpoint subnet), written out as text to keep the
# program short: the lab is about one network control, not about wiring.
SUBSCRIPTION = "/subscriptions/00000000-0000-4000-8000-000000000001"
CONNECTIVITY = f"{SUBSCRIPTION}/resourceGroups/rg-hlzdev-connectivity/providers"
KEY_IDENTITY = (
    f"{SUBSCRIPTION}/resourceGroups/rg-hlzdev-management/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/id-lab3-storage-cmk"
)
KEY_VAULT_URI = "https://kv-hlzdev-plat-6c6fc.vault.azure.net/"
BLOB_ZONE = f"{CONNECTIVITY}/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"
ENDPOINT_SUBNET = (
    f"{CONNECTIVITY}/Microsoft.Network/virtualNetworks/vnet-lab3/subnets/snet-private-endpoints"
)
LOG_ANALYTICS = (
    f"{SUBSCRIPTION}/resourceGroups/rg-hlzdev-management/providers/"
    "Microsoft.OperationalInsights/workspaces/log-hlzdev-platform"
)

group = resources.ResourceGroup(
    "lab3-rg", resource_group_name="rg-lab3-storage", location=location, tags=tags
)

account = storage.StorageAccount(
    "lab3-sa",
    account_name="stlab3phi",
    resource_group_name=group.name,
    location=location,
    tags=tags,
    kind=storage.Kind.STORAGE_V2,
    sku=storage.SkuArgs(name=storage.SkuName.STANDARD_GRS),
    enable_https_traffic_only=True,
    minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
    allow_blob_public_access=False,
    allow_shared_key_access=False,
    allow_cross_tenant_replication=False,
    # THE MISTAKE: the account answers on its public endpoint. The firewall below still denies
    # by default, but one added IP rule or a bypass would expose PHI to the internet.
    public_network_access=storage.PublicNetworkAccess.ENABLED,
    network_rule_set=storage.NetworkRuleSetArgs(
        default_action=storage.DefaultAction.DENY, bypass=storage.Bypass.AZURE_SERVICES
    ),
    identity=storage.IdentityArgs(
        type=storage.IdentityType.USER_ASSIGNED, user_assigned_identities=[KEY_IDENTITY]
    ),
    encryption=storage.EncryptionArgs(
        key_source=storage.KeySource.MICROSOFT_KEYVAULT,
        key_vault_properties=storage.KeyVaultPropertiesArgs(
            key_name="lab3-storage-cmk", key_vault_uri=KEY_VAULT_URI
        ),
        encryption_identity=storage.EncryptionIdentityArgs(
            encryption_user_assigned_identity=KEY_IDENTITY
        ),
        require_infrastructure_encryption=True,
    ),
)

blob_service = storage.BlobServiceProperties(
    "lab3-blob",
    account_name=account.name,
    resource_group_name=group.name,
    blob_services_name="default",
    delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=30),
    container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=30),
    is_versioning_enabled=True,
)

monitor.DiagnosticSetting(
    "lab3-blob-diag",
    name="to-log-analytics",
    resource_uri=blob_service.id,
    workspace_id=LOG_ANALYTICS,
    logs=[monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)],
    metrics=[monitor.DiagnosticsMetricSettingsArgs(category="Transaction", enabled=True)],
)

endpoint = network.PrivateEndpoint(
    "lab3-pe-blob",
    private_endpoint_name="pe-lab3-blob",
    resource_group_name=group.name,
    location=location,
    tags=tags,
    subnet=network.SubnetArgs(id=ENDPOINT_SUBNET),
    private_link_service_connections=[
        network.PrivateLinkServiceConnectionArgs(
            name="pe-lab3-blob", private_link_service_id=account.id, group_ids=["blob"]
        )
    ],
)

network.PrivateDnsZoneGroup(
    "lab3-pe-blob-dns",
    private_dns_zone_group_name="default",
    private_endpoint_name=endpoint.name,
    resource_group_name=group.name,
    private_dns_zone_configs=[
        network.PrivateDnsZoneConfigArgs(
            name="privatelink-blob-core-windows-net", private_dns_zone_id=BLOB_ZONE
        )
    ],
)

pulumi.export("storageAccountName", account.name)
