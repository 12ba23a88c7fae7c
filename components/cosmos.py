"""The Foundry Agent Service's thread store: the lab's own Azure Cosmos DB for NoSQL account, in
which the "standard setup" keeps every conversation, system message and agent definition
(docs/cosmos.md). Private, Entra-only, customer-managed key, continuous backup
(HIPAA 164.312(a)(1), (a)(2)(iv), (b), (c)(1), (d), (e)(1); 164.308(a)(7)).

| input                  | derived                                                              |
|------------------------|----------------------------------------------------------------------|
| (always)               | GlobalDocumentDB (NoSQL), offer Standard, one region (the placement, |
|                        | failover priority 0, not zone-redundant), Session consistency; free  |
|                        | tier and analytical store off (the analytical copy is outside the    |
|                        | customer-key double encryption)                                      |
| (always)               | local (key) auth disabled and key-based metadata writes disabled:    |
|                        | data needs an Entra token and a data-plane role, and databases,      |
|                        | containers and throughput change only through Azure RBAC             |
| (always)               | public network access Disabled, no ACL bypass (``None``), TLS 1.2    |
| encryption             | the key's user-assigned identity as the account's only identity and  |
|                        | its ``defaultIdentity`` (``UserAssignedIdentity=<id>``); the         |
|                        | VERSIONLESS key URI (Azure rotates the version in place); created    |
|                        | after the identity may use the key. Set at creation: Azure can add a |
|                        | key to an existing account only through a background re-encryption. |
| (always)               | continuous backup, tier Continuous7Days (point-in-time restore; with |
|                        | a customer key Azure requires a user-assigned identity for it)      |
| total_throughput_limit | account-wide cap on provisioned RU/s (cost guard), at least 3000    |
| private_link           | one endpoint (group ``Sql``), registered in                          |
|                        | privatelink.documents.azure.com                                      |
| diagnostics            | every log (allLogs: DataPlaneRequests, ControlPlaneRequests, ...)    |
|                        | and metric to the workspace                                          |

The customer-managed key: Cosmos DB needs get, wrap and unwrap on it
(https://learn.microsoft.com/azure/cosmos-db/how-to-setup-customer-managed-keys); the
``EncryptionKey``'s "Key Vault Crypto Service Encryption User" grant on that one key is exactly
keys/read, wrapKey and unwrapKey. The vault must have soft delete and purge protection (the
landing zone's has both) and let trusted Microsoft services past its firewall (it does:
``bypass AzureServices``).

Access for the Agent Service (one call per Foundry project, with the project's identity):
``grant_agent_thread_operator`` before the project's capability host (it creates the database
and containers through the control plane) and ``grant_agent_thread_data`` after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import pulumi
from pulumi_azure_native import authorization, cosmosdb
from pydantic import Field, field_validator

from components.diagnostics import send_diagnostics
from components.encryption import EncryptionKey
from components.naming import azure_name
from components.private_endpoint import connect_privately
from components.roles import assign_role, role_assignment_name
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Placement,
    PrivateLinkTarget,
    StrInput,
    child_opts,
)

COSMOS_GROUP_ID = "Sql"
"""Private-link sub-resource of a NoSQL account (the catalogue row's ``group_ids``)."""
COSMOS_ZONE = "privatelink.documents.azure.com"
"""The zone the endpoint registers in (the catalogue row's ``zones``)."""
COSMOS_ZONE_KEY = "cosmos"
"""The zone's key in the landing zone's ``privateDnsZoneIds`` output (the row's ``zone_key``)."""
COSMOS_DNS_SUFFIX = "documents.azure.com"
"""An account answers at ``https://<name>.documents.azure.com:443/`` (its documentEndpoint)."""

AGENT_THREAD_DATABASE = "enterprise_memory"
"""The database the Agent Service creates in the account for its thread, system-message and
agent-entity containers (one set per project)."""
AGENT_SERVICE_THROUGHPUT_PER_PROJECT = 3000
"""RU/s the standard setup needs per Foundry project: three containers of 1000 RU/s each
(https://learn.microsoft.com/azure/foundry/agents/concepts/standard-agent-setup, "Cosmos DB
throughput requirements": "at least 3000 RU/s ... For multiple projects under the same Foundry
account, multiply by the number of projects")."""
DATA_CONTRIBUTOR_ROLE = "00000000-0000-0000-0000-000000000002"
"""Built-in data-plane role "Cosmos DB Built-in Data Contributor" (read and write items, run
queries and read the change feed; no control-plane rights). Its id is the same in every
account: ``<account id>/sqlRoleDefinitions/<this>``."""


class AgentThreadStoreArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the account and its endpoint; the account's
    only region is ``placement.location``."""
    account_name: Annotated[str, azure_name("cosmos_account")]
    """Azure name of the account (3-44 lowercase letters, digits and single hyphens, globally
    unique): its host is ``<name>.documents.azure.com``."""
    endpoint_name: str
    """Azure name of the account's private endpoint."""
    encryption: EncryptionKey
    """Customer-managed key and the user-assigned identity that unwraps it; it becomes the
    account's identity and default identity."""
    private_link: PrivateLinkTarget
    """Subnet of the account's private endpoint and the DNS zones
    (privatelink.documents.azure.com must be among them)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the account's logs and metrics (HIPAA 164.312(b))."""
    total_throughput_limit: int = Field(default=AGENT_SERVICE_THROUGHPUT_PER_PROJECT, strict=True)
    """Default: 3000 — the account-wide cap on provisioned RU/s, a cost guard. The Agent
    Service's standard setup needs at least 3000 RU/s per Foundry project that keeps its threads
    here (three containers of 1000 RU/s): give 3000 times the number of such projects."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""

    @field_validator("total_throughput_limit")
    @classmethod
    def _enough_for_one_project(cls, value: int) -> int:
        if value < AGENT_SERVICE_THROUGHPUT_PER_PROJECT:
            raise ValueError(
                f"{value} RU/s is below {AGENT_SERVICE_THROUGHPUT_PER_PROJECT}, what the Agent "
                "Service's standard setup needs for one Foundry project (three containers of "
                "1000 RU/s); give 3000 per project that keeps its threads here"
            )
        return value


class AgentThreadStore(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    """``https://<name>.documents.azure.com:443/`` (the account's documentEndpoint)."""
    resource_group_name: pulumi.Output[str]
    """Resource group of the account (its data-plane role assignments are created there)."""

    def __init__(
        self, name: str, args: AgentThreadStoreArgs, opts: pulumi.ResourceOptions | None = None
    ):
        # A missing zone is a wiring error: fail before registering anything.
        zone_ids = args.private_link.zones(COSMOS_ZONE)
        super().__init__("hlz:ai:AgentThreadStore", name, None, opts)
        placement = args.placement
        key = args.encryption
        account = cosmosdb.DatabaseAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            kind=cosmosdb.DatabaseAccountKind.GLOBAL_DOCUMENT_DB,
            database_account_offer_type=cosmosdb.DatabaseAccountOfferType.STANDARD,
            locations=[
                cosmosdb.LocationArgs(
                    location_name=placement.location, failover_priority=0, is_zone_redundant=False
                )
            ],
            consistency_policy=cosmosdb.ConsistencyPolicyArgs(
                default_consistency_level=cosmosdb.DefaultConsistencyLevel.SESSION
            ),
            enable_free_tier=False,
            enable_analytical_storage=False,
            disable_local_auth=True,
            disable_key_based_metadata_write_access=True,
            public_network_access=cosmosdb.PublicNetworkAccess.DISABLED,
            network_acl_bypass=cosmosdb.NetworkAclBypass.NONE,
            minimal_tls_version=cosmosdb.MinimalTlsVersion.TLS12,
            identity=cosmosdb.ManagedServiceIdentityArgs(
                type=cosmosdb.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[key.identity_id],
            ),
            default_identity=pulumi.Output.concat("UserAssignedIdentity=", key.identity_id),
            # Versionless: Cosmos DB follows the key's rotation (EncryptionKey.key_uri).
            key_vault_key_uri=key.key_uri,
            backup_policy=cosmosdb.ContinuousModeBackupPolicyArgs(
                type="Continuous",
                continuous_mode_properties=cosmosdb.ContinuousModePropertiesArgs(
                    tier=cosmosdb.ContinuousTier.CONTINUOUS7_DAYS
                ),
            ),
            capacity=cosmosdb.CapacityArgs(total_throughput_limit=args.total_throughput_limit),
            tags=placement.tags,
            # The identity must be able to unwrap the key before the account is encrypted with it.
            opts=child_opts(self, depends_on=[key.key_access]),
        )
        send_diagnostics(account, args.diagnostics.workspace_id, parent=self)
        connect_privately(
            self, f"{name}-pe", placement=placement, private_link=args.private_link,
            endpoint_name=args.endpoint_name, target_id=account.id, group_id=COSMOS_GROUP_ID,
            dns_zone_ids=zone_ids,
        )  # fmt: skip

        self.account = account
        self.subscription_id = args.subscription_id
        self.id = account.id
        self.name = account.name
        self.resource_group_name = pulumi.Output.from_input(placement.resource_group_name)
        self.endpoint = pulumi.Output.concat("https://", account.name, f".{COSMOS_DNS_SUFFIX}:443/")
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "endpoint": self.endpoint,
                "resource_group_name": self.resource_group_name,
            }
        )


def grant_agent_thread_operator(
    name: str,
    *,
    store: AgentThreadStore,
    principal_id: StrInput,
    parent: pulumi.Resource,
) -> authorization.RoleAssignment:
    """ "Cosmos DB Operator" on the account for a Foundry project's identity: the project's
    capability host creates the thread database and containers through the control plane with
    it (account keys are off). No data access, no keys. Create it before the capability host."""
    return assign_role(
        name,
        scope=store.id,
        principal_id=principal_id,
        principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
        role="Cosmos DB Operator",
        subscription_id=store.subscription_id,
        parent=parent,
    )


def grant_agent_thread_data(
    name: str,
    *,
    store: AgentThreadStore,
    principal_id: StrInput,
    parent: pulumi.Resource,
    after: Sequence[pulumi.Resource] = (),
) -> cosmosdb.SqlResourceSqlRoleAssignment:
    """ "Cosmos DB Built-in Data Contributor" for a Foundry project's identity, scoped to the
    Agent Service's database ``<account id>/dbs/enterprise_memory`` (Microsoft's current
    private-network template, 22-private-network-agent-setup, grants exactly this). ``after``:
    the project's capability host, which creates that database; Microsoft's templates create the
    grant after it.

    Narrower is possible and not done: the database holds every project's containers, named
    ``<project workspace id>-thread-message-store``, ``-system-thread-message-store`` and
    ``-agent-entity-store``, and Microsoft's earlier template (15-private-network-standard-agent-
    setup) scoped one grant to each. The project's workspace id is not among the outputs of the
    SDK's ``cognitiveservices.Project``, so a project's identity can read the threads of the
    other projects that share this account. Give each project its own account where that
    matters.

    The name is a GUID derived from scope, principal and role (``role_assignment_name``), so a
    re-run finds the same assignment."""
    scope = pulumi.Output.concat(store.id, f"/dbs/{AGENT_THREAD_DATABASE}")
    return cosmosdb.SqlResourceSqlRoleAssignment(
        name,
        account_name=store.name,
        resource_group_name=store.resource_group_name,
        role_assignment_id=pulumi.Output.all(scope, principal_id).apply(
            lambda values: role_assignment_name(values[0], values[1], DATA_CONTRIBUTOR_ROLE)
        ),
        role_definition_id=pulumi.Output.concat(
            store.id, f"/sqlRoleDefinitions/{DATA_CONTRIBUTOR_ROLE}"
        ),
        scope=scope,
        principal_id=principal_id,
        opts=child_opts(parent, depends_on=list(after)),
    )

