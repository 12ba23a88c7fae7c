"""The lab's storage account for PHI (FHIR exports, datasets): private, Entra-only, encrypted
with a customer-managed key, versioned and soft-deleted (HIPAA 164.312(a)(1), (a)(2)(iv),
(b), (c)(1), (e)(1); 164.308(a)(7)).

| input                      | derived                                                            |
|----------------------------|--------------------------------------------------------------------|
| (always)                   | StorageV2, Standard_GRS (geo-redundant copy in the paired region,  |
|                            | 164.308(a)(7); GZRS is not offered in every allowed US region)     |
| (always)                   | HTTPS only, TLS1_2, no blob public access, no shared key (SAS by   |
|                            | account key impossible), OAuth default in the portal, no local     |
|                            | users / SFTP, no cross-tenant replication, copy within the tenant  |
| encryption                 | CMK via the key's user-assigned identity, versionless key URI      |
|                            | (rotation picked up automatically), infrastructure encryption,     |
|                            | blob/file/queue/table all under the account (CMK) key              |
| private_link               | publicNetworkAccess Disabled, firewall default Deny (bypass        |
|                            | AzureServices), private endpoints for ``blob`` and ``dfs``         |
| trusted_services_override  | publicNetworkAccess Enabled for trusted Azure services only (the   |
|                            | firewall still denies every network); reason tagged on the account |
| soft_delete_days           | blob and container soft delete for that many days                  |
| (always)                   | blob versioning and change feed (who changed what, kept forever)   |
| containers                 | one private container each                                         |

Hierarchical namespace (Data Lake Gen2) stays off: blob versioning, change feed and
point-in-time restore — the integrity and audit controls above — are not available on
HNS accounts, and FHIR ``$export`` writes through the blob API. The ``dfs`` endpoint still
gets a private endpoint: tools that always resolve ``<account>.dfs.core.windows.net`` (ABFS
drivers) would otherwise resolve the public address, which the account refuses.
"""

from __future__ import annotations

import re
from typing import Annotated

import pulumi
from pulumi_azure_native import storage
from pydantic import Field, field_validator

from components.diagnostics import send_diagnostics
from components.encryption import EncryptionKey
from components.naming import azure_name
from components.private_endpoint import connect_privately
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Override,
    Placement,
    PrivateLinkTarget,
    child_opts,
    override_tags,
)

# Private-link sub-resource -> the zone its endpoint registers in.
STORAGE_ENDPOINT_ZONES: dict[str, str] = {
    "blob": "privatelink.blob.core.windows.net",
    "dfs": "privatelink.dfs.core.windows.net",
}
# Container names: 3-63 lowercase letters, digits and single hyphens, starting and ending
# with a letter or digit (Azure's rule for blob containers).
CONTAINER_NAME = re.compile(r"(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*")


class LabStorageArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the account and its endpoints."""
    account_name: Annotated[str, azure_name("storage_account")]
    """Azure name of the account (3-24 lowercase letters and digits, globally unique)."""
    endpoint_name_prefix: str
    """Private endpoint names are ``<prefix>-blob`` and ``<prefix>-dfs``."""
    encryption: EncryptionKey
    """Customer-managed key and the user-assigned identity that unwraps it."""
    private_link: PrivateLinkTarget
    """Subnet of the ``blob`` and ``dfs`` private endpoints and the DNS zones they
    register in."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the account's and blob service's logs and metrics
    (HIPAA 164.312(b))."""
    containers: list[str] = Field(default_factory=lambda: ["fhir-export"])
    """Default: ["fhir-export"] — where the FHIR service writes ``$export`` output."""
    soft_delete_days: int = Field(default=30, ge=7, le=365)
    """Default: 30 — a month to notice and undo an accidental or malicious delete of blobs
    or containers (164.312(c)(1), 164.308(a)(7)); at least 7 (the policy pack's floor), at
    most 365 (Azure's limit). Deleted data is billed while retained."""
    trusted_services_override: Override | None = None
    """Default: None — reachable only through its private endpoints. Set (with a reason) to
    let trusted Azure services that cannot use private endpoints, such as FHIR ``$export``,
    reach the public endpoint; the firewall still denies every network (tagged on the account)."""

    @field_validator("containers")
    @classmethod
    def _valid_container_names(cls, value: list[str]) -> list[str]:
        problems = [
            f"containers[{index}] '{container}' is not a valid container name (3-63 lowercase "
            "letters, digits and single hyphens, starting and ending with a letter or digit)"
            for index, container in enumerate(value)
            if not CONTAINER_NAME.fullmatch(container)
        ]
        duplicates = sorted({container for container in value if value.count(container) > 1})
        if duplicates:
            problems.append(f"containers lists {', '.join(duplicates)} more than once")
        if problems:
            raise ValueError("; ".join(problems))
        return value


class LabStorage(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    blob_endpoint: pulumi.Output[str]
    container_ids: dict[str, pulumi.Output[str]]
    """Container name -> container resource id (the scope for data-plane role assignments)."""

    def __init__(self, name: str, args: LabStorageArgs, opts: pulumi.ResourceOptions | None = None):
        # A missing zone is a wiring error: fail (naming every one) before registering anything.
        zone_ids = args.private_link.zones(*STORAGE_ENDPOINT_ZONES.values())
        zones = {group: {zone: zone_ids[zone]} for group, zone in STORAGE_ENDPOINT_ZONES.items()}
        super().__init__("hlz:data:LabStorage", name, None, opts)
        placement = args.placement
        key = args.encryption
        trusted_services = args.trusted_services_override is not None
        account_key = storage.EncryptionServiceArgs(enabled=True, key_type=storage.KeyType.ACCOUNT)

        account = storage.StorageAccount(
            f"{name}-sa",
            account_name=args.account_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=storage.SkuName.STANDARD_GRS),
            access_tier=storage.AccessTier.HOT,
            is_hns_enabled=False,
            enable_https_traffic_only=True,
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_cross_tenant_replication=False,
            allowed_copy_scope=storage.AllowedCopyScope.AAD,
            is_local_user_enabled=False,
            is_sftp_enabled=False,
            public_network_access=(
                storage.PublicNetworkAccess.ENABLED
                if trusted_services
                else storage.PublicNetworkAccess.DISABLED
            ),
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY,
                bypass=storage.Bypass.AZURE_SERVICES,
            ),
            identity=storage.IdentityArgs(
                type=storage.IdentityType.USER_ASSIGNED,
                user_assigned_identities=[key.identity_id],
            ),
            encryption=storage.EncryptionArgs(
                key_source=storage.KeySource.MICROSOFT_KEYVAULT,
                # No key version: Azure Storage follows the key's rotation automatically.
                key_vault_properties=storage.KeyVaultPropertiesArgs(
                    key_name=key.key_name, key_vault_uri=key.vault_uri
                ),
                encryption_identity=storage.EncryptionIdentityArgs(
                    encryption_user_assigned_identity=key.identity_id
                ),
                require_infrastructure_encryption=True,
                # Queue and table choose the account key only at creation; set it now so
                # anything stored there later is under the customer-managed key too.
                services=storage.EncryptionServicesArgs(
                    blob=account_key, file=account_key, queue=account_key, table=account_key
                ),
            ),
            tags=placement.tags_with(
                override_tags(trusted_services=args.trusted_services_override)
            ),
            # The identity must be able to unwrap the key before the account is encrypted with it.
            opts=child_opts(self, depends_on=[key.key_access]),
        )
        send_diagnostics(account, args.diagnostics.workspace_id, parent=self)

        blob_service = storage.BlobServiceProperties(
            f"{name}-blob",
            account_name=account.name,
            resource_group_name=placement.resource_group_name,
            blob_services_name="default",
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=args.soft_delete_days
            ),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=args.soft_delete_days
            ),
            is_versioning_enabled=True,
            # Without retention_in_days the change feed is kept indefinitely (audit trail).
            change_feed=storage.ChangeFeedArgs(enabled=True),
            opts=child_opts(self),
        )
        # The blob service's resource id is fixed by Azure; building it from the account id
        # keeps the setting valid whatever the SDK reports as the child's id.
        send_diagnostics(
            blob_service,
            args.diagnostics.workspace_id,
            parent=self,
            target_id=pulumi.Output.concat(account.id, "/blobServices/default"),
        )

        self.container_ids = {}
        for container in args.containers:
            self.container_ids[container] = storage.BlobContainer(
                f"{name}-{container}",
                container_name=container,
                account_name=account.name,
                resource_group_name=placement.resource_group_name,
                public_access=storage.PublicAccess.NONE,
                # Soft delete and versioning are on before the first container exists.
                opts=child_opts(self, depends_on=[blob_service]),
            ).id

        for group_id, zone_ids in zones.items():
            connect_privately(
                self, f"{name}-pe-{group_id}", placement=placement, private_link=args.private_link,
                endpoint_name=f"{args.endpoint_name_prefix}-{group_id}", target_id=account.id,
                group_id=group_id, dns_zone_ids=zone_ids,
            )  # fmt: skip

        self.account = account
        self.blob_service = blob_service
        self.id = account.id
        self.name = account.name
        self.blob_endpoint = account.primary_endpoints.apply(lambda endpoints: endpoints.blob)
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "blob_endpoint": self.blob_endpoint,
                "container_ids": self.container_ids,
            }
        )
