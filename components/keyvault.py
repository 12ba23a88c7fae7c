"""Key Vault for customer-managed keys and secrets (HIPAA 164.312(a)(2)(iv), 164.312(c)(1)).

| input              | derived                                                          |
|--------------------|------------------------------------------------------------------|
| (always)           | RBAC authorization, purge protection, soft delete 90 days,       |
|                    | public network access Disabled, ACL default Deny (AzureServices  |
|                    | bypass for trusted services such as CMK unwrap), enabledFor* off |
| sku premium        | HSM-backed keys available (production, and PHI in every profile) |
| (default)          | CanNotDelete lock                                                |
| lock_override      | no lock; the reason as the vault's tag ``hlz-override-lock``     |
| admin_group_ids    | Key Vault Administrator for each platform admin group            |
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pulumi_azure_native import keyvault
from pydantic import Field

from components.diagnostics import send_diagnostics
from components.private_endpoint import connect_privately
from components.roles import grant_groups, lock_against_deletion
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Override,
    Placement,
    PrivateLinkTarget,
    StrInput,
    child_opts,
    override_tags,
)

KEY_VAULT_ZONE = "privatelink.vaultcore.azure.net"
SOFT_DELETE_DAYS = 90


class KeyVaultArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the vault and its private endpoint."""
    vault_name: str
    """Azure name of the vault (3-24 characters, globally unique; see components.naming)."""
    endpoint_name: str
    """Azure name of the vault's private endpoint."""
    tenant_id: StrInput
    """Entra tenant that authenticates requests to the vault (from the client config)."""
    sku: Literal["standard", "premium"] = "premium"
    """Default: premium (HSM-backed keys). A lab-profile stack without PHI may choose standard."""
    private_link: PrivateLinkTarget
    """Subnet of the vault's private endpoint and the DNS zones it registers in (needs
    ``privatelink.vaultcore.azure.net``)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the vault's audit logs and metrics (HIPAA 164.312(b))."""
    admin_group_ids: list[str] = Field(default_factory=list)
    """Entra group object ids granted Key Vault Administrator."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""
    lock_override: Override | None = None
    """Default: None — a CanNotDelete lock. With an override the vault is not locked and carries
    the reason as the tag ``hlz-override-lock`` (the lab profile sets one for easy teardown)."""


class KeyVault(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    uri: pulumi.Output[str]

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None):
        # A missing zone is a wiring error: fail before registering anything.
        zone_ids = args.private_link.zones(KEY_VAULT_ZONE)
        super().__init__("hlz:security:KeyVault", name, None, opts)
        placement = args.placement
        vault = keyvault.Vault(
            f"{name}-kv",
            vault_name=args.vault_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=args.tenant_id,
                sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName(args.sku)),
                enable_rbac_authorization=True,
                enable_purge_protection=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=SOFT_DELETE_DAYS,
                # The SDK fills "enabled" when unset, so the secure value is always explicit
                # (a plain string in this API version; the API documents lower case).
                public_network_access="disabled",
                network_acls=keyvault.NetworkRuleSetArgs(
                    default_action=keyvault.NetworkRuleAction.DENY,
                    bypass=keyvault.NetworkRuleBypassOptions.AZURE_SERVICES,
                ),
                enabled_for_deployment=False,
                enabled_for_disk_encryption=False,
                enabled_for_template_deployment=False,
            ),
            tags=placement.tags_with(override_tags(lock=args.lock_override)),
            opts=child_opts(self),
        )
        send_diagnostics(vault, args.diagnostics.workspace_id, parent=self)
        connect_privately(
            self, f"{name}-pe", placement=placement, private_link=args.private_link,
            endpoint_name=args.endpoint_name, target_id=vault.id, group_id="vault",
            dns_zone_ids=zone_ids,
        )  # fmt: skip
        grant_groups(
            f"{name}-admin",
            args.admin_group_ids,
            scope=vault.id,
            role="Key Vault Administrator",
            subscription_id=args.subscription_id,
            parent=self,
        )
        if args.lock_override is None:
            lock_against_deletion(
                f"{name}-lock",
                vault.id,
                "Holds customer-managed keys for PHI; deleting it makes encrypted data unreadable.",
                parent=self,
            )

        self.vault = vault
        self.id = vault.id
        self.name = vault.name
        self.uri = vault.properties.apply(lambda properties: properties.vault_uri or "")
        self.register_outputs({"id": self.id, "name": self.name, "uri": self.uri})
