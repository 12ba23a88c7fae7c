"""A customer-managed key and the identity allowed to use it (HIPAA 164.312(a)(2)(iv)).

One ``EncryptionKey`` per service: a user-assigned identity, an RSA key in the landing zone's
Key Vault with a rotation policy, and the identity granted "Key Vault Crypto Service Encryption
User" on that key alone (least privilege: wrap/unwrap of this key, nothing else).

| input        | derived                                                             |
|--------------|---------------------------------------------------------------------|
| (default)    | key type RSA-HSM (needs a premium vault: production, or PHI anywhere) |
| hsm_override | key type RSA (software-protected); the reason as the key's tag       |
|              | ``hlz-override-hsm``                                                 |
| (always)     | 3072-bit key, wrap/unwrap only, rotated every 180 days, 1-year expiry |
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization, keyvault, managedidentity

from components.roles import assign_role
from components.shared import HlzModel, Override, Placement, StrInput, child_opts, override_tags

KEY_SIZE_BITS = 3072
ROTATE_AFTER = "P180D"
KEY_LIFETIME = "P1Y"
NOTIFY_BEFORE_EXPIRY = "P30D"


class EncryptionKeyArgs(HlzModel):
    placement: Placement
    """Where the identity lives (the lab's resource group)."""
    identity_name: str
    """Azure name of the user-assigned identity the service unwraps the key with."""
    key_name: str
    """Name of the key in the vault (one key per service)."""
    vault_name: StrInput
    """Key Vault that holds the key (the landing zone's platform vault)."""
    vault_resource_group_name: StrInput
    """Resource group of that vault."""
    vault_uri: StrInput
    """URI of that vault; the versionless key URI services use is built from it."""
    hsm_override: Override | None = None
    """Default: None — an HSM-backed key (RSA-HSM; the vault must be premium). With an override
    the key is software-protected RSA and carries the reason as the tag ``hlz-override-hsm``;
    the lab profile sets one for a lab without PHI, whose landing zone's vault may be
    standard."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""


class EncryptionKey(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    identity_id: pulumi.Output[str]
    key_name: pulumi.Output[str]
    key_uri: pulumi.Output[str]
    """Versionless key URI: services pick up rotated versions automatically."""
    vault_uri: pulumi.Output[str]

    def __init__(
        self, name: str, args: EncryptionKeyArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:security:EncryptionKey", name, None, opts)
        placement = args.placement
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-id",
            resource_name_=args.identity_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            tags=placement.tags,
            opts=child_opts(self),
        )
        key = keyvault.Key(
            f"{name}-key",
            key_name=args.key_name,
            vault_name=args.vault_name,
            resource_group_name=args.vault_resource_group_name,
            properties=keyvault.KeyPropertiesArgs(
                kty=(
                    keyvault.JsonWebKeyType.RSA
                    if args.hsm_override is not None
                    else keyvault.JsonWebKeyType.RS_A_HSM
                ),
                key_size=KEY_SIZE_BITS,
                key_ops=[
                    keyvault.JsonWebKeyOperation.WRAP_KEY,
                    keyvault.JsonWebKeyOperation.UNWRAP_KEY,
                ],
                rotation_policy=keyvault.RotationPolicyArgs(
                    attributes=keyvault.KeyRotationPolicyAttributesArgs(expiry_time=KEY_LIFETIME),
                    lifetime_actions=[
                        keyvault.LifetimeActionArgs(
                            trigger=keyvault.TriggerArgs(time_after_create=ROTATE_AFTER),
                            action=keyvault.ActionArgs(
                                type=keyvault.KeyRotationPolicyActionType.ROTATE
                            ),
                        ),
                        keyvault.LifetimeActionArgs(
                            trigger=keyvault.TriggerArgs(time_before_expiry=NOTIFY_BEFORE_EXPIRY),
                            action=keyvault.ActionArgs(
                                type=keyvault.KeyRotationPolicyActionType.NOTIFY
                            ),
                        ),
                    ],
                ),
            ),
            tags=placement.tags_with(override_tags(hsm=args.hsm_override)),
            opts=child_opts(self),
        )
        self.key_access = assign_role(
            f"{name}-key-user",
            scope=key.id,
            principal_id=identity.principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role="Key Vault Crypto Service Encryption User",
            subscription_id=args.subscription_id,
            parent=self,
        )
        self.identity = identity
        self.key = key
        self.id = key.id
        self.name = key.name
        self.principal_id = identity.principal_id
        self.client_id = identity.client_id
        self.identity_id = identity.id
        self.key_name = key.name
        self.vault_uri = pulumi.Output.from_input(args.vault_uri)
        self.key_uri = pulumi.Output.concat(
            self.vault_uri.apply(lambda uri: uri.rstrip("/")), "/keys/", key.name
        )
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "principal_id": self.principal_id,
                "key_uri": self.key_uri,
            }
        )
