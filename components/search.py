"""Azure AI Search for a lab's retrieval (indexes over PHI, integrated vectorization): private,
Entra-only, customer-managed keys enforced (HIPAA 164.312(a)(1), (a)(2)(iv), (b), (d), (e)(1)).

| input                  | derived                                                              |
|------------------------|----------------------------------------------------------------------|
| (always)               | public network access Disabled, no firewall bypass (``None``): only  |
|                        | the private endpoint reaches the service                             |
| (always)               | local (API key) auth disabled and no ``authOptions`` (ARM refuses    |
|                        | both together): every caller uses Entra ID and a data role           |
| (always)               | data exfiltration protection ``BlockAll``; hosting mode Default      |
| encryption             | CMK enforcement Enabled (Azure refuses an index, synonym map,        |
|                        | indexer, data source or skillset not encrypted with a customer key); |
|                        | the key's user-assigned identity beside a system-assigned one        |
|                        | (``SystemAssigned, UserAssigned``); created after the identity may   |
|                        | use the key. The key name, vault URI and identity id are outputs:    |
|                        | whoever creates an index names them in its ``encryptionKey``.        |
| private_link           | one endpoint (group ``searchService``), registered in                |
|                        | privatelink.search.windows.net                                       |
| diagnostics            | every log (OperationLogs) and metric to the workspace                |
| shared_private_links   | outbound private connections to the data the indexers, skills and    |
|                        | vectorizers read, created one after another (the service accepts one |
|                        | operation at a time), each Pending until its target's owner approves |
| data_readers           | a read role for the service's system identity on each data source    |
|                        | (indexers authenticate with it, never with keys)                     |
| member_group_ids       | "Search Index Data Contributor" on the service: load, change and     |
|                        | query documents; and a custom role of the lab's own, "Search Object  |
|                        | Contributor (<service name>)", on the service: create, change and    |
|                        | delete indexes, data sources, indexers (and run or reset them),      |
|                        | skillsets and synonym maps (``SEARCH_OBJECT_ACTIONS``), assignable   |
|                        | in the service's resource group only. Never "Search Service          |
|                        | Contributor", which also manages the service itself (its network,   |
|                        | tier, keys and links: docs/search.md)                                |
| reader_principal_ids   | "Search Index Data Reader" on the service: query the indexes only    |

``spec`` (the lab config ``hlz:search``) chooses the tier and capacity: standard (S1) or higher,
where the lab's shared private link to its AI account does not depend on the region's capacity
(``policies.vocabulary.LAB_SEARCH_SKUS``), within the tier's replica and partition limits
(``policies.vocabulary.SEARCH_LIMITS``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import pulumi
from pulumi_azure_native import authorization, search
from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from components.diagnostics import send_diagnostics
from components.encryption import EncryptionKey
from components.naming import azure_name
from components.private_endpoint import connect_privately
from components.roles import assign_role, grant_groups, grant_groups_custom_role, principal_of
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Placement,
    PrivateLinkTarget,
    StrInput,
    child_opts,
)
from components.specs import EntraObjectIds
from policies.vocabulary import LAB_SEARCH_SKUS, SEARCH_LIMITS

SEARCH_GROUP_ID = "searchService"
"""Private-link sub-resource of a search service (the catalogue row's ``group_ids``)."""
SEARCH_ZONE = "privatelink.search.windows.net"
"""The zone the endpoint registers in (the catalogue row's ``zones``)."""
SEARCH_DNS_SUFFIX = "search.windows.net"
"""A service answers at ``https://<name>.search.windows.net``."""

SEARCH_OBJECT_ACTIONS = (
    "Microsoft.Search/searchServices/read",
    "Microsoft.Search/searchServices/indexes/read",
    "Microsoft.Search/searchServices/indexes/write",
    "Microsoft.Search/searchServices/indexes/delete",
    "Microsoft.Search/searchServices/dataSources/read",
    "Microsoft.Search/searchServices/dataSources/write",
    "Microsoft.Search/searchServices/dataSources/delete",
    "Microsoft.Search/searchServices/indexers/read",
    "Microsoft.Search/searchServices/indexers/write",
    "Microsoft.Search/searchServices/indexers/delete",
    "Microsoft.Search/searchServices/skillsets/read",
    "Microsoft.Search/searchServices/skillsets/write",
    "Microsoft.Search/searchServices/skillsets/delete",
    "Microsoft.Search/searchServices/synonymMaps/read",
    "Microsoft.Search/searchServices/synonymMaps/write",
    "Microsoft.Search/searchServices/synonymMaps/delete",
)
"""What the member groups' custom role allows on the service, each as Microsoft lists it for
Microsoft.Search in "Azure permissions for AI + machine learning"
(https://learn.microsoft.com/azure/role-based-access-control/permissions/ai-machine-learning#microsoftsearch):
"Reads the search service", and read, write ("Create ... or modify its properties") and delete
for indexes, data sources, indexers, skillsets and synonym maps; ``indexers/write`` is "Create
an indexer, modify its properties, or manage its execution", so it covers run and reset (the
list has no separate run or reset operation). Azure AI Search checks these actions on its data
plane for a custom role: its own custom-role example grants listing indexes with
``indexes/read`` (https://learn.microsoft.com/azure/search/search-security-rbac#create-a-custom-role).
Not ``searchServices/write`` or ``/delete`` (the service, its network and tier),
``listAdminKeys``, ``regenerateAdminKey``, the query-key actions, ``sharedPrivateLinkResources/*``,
``privateEndpointConnections/*`` or ``debugSessions/*``. The list has no operation for index
aliases, so this role cannot manage them (Search Service Contributor's
``Microsoft.Search/searchServices/*`` can); documents stay Search Index Data Contributor's."""

SemanticSearch = Literal["disabled", "free", "standard"]
Label = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
"""A short label that becomes part of a child's logical name (hlz's own limit: 1-32 lowercase
letters, digits and hyphens, starting with a letter or digit)."""
SearchDataRole = Literal["Storage Blob Data Reader", "Cognitive Services OpenAI User"]
"""Roles the service's own identity may get on a data source: read blobs for indexers, call
embedding models for vectorization. Nothing that writes or manages."""


def search_objects_role_name(service_name: str) -> str:
    """The custom role's name: it names the service (globally unique), so two labs' roles
    never share a name in the tenant."""
    return f"Search Object Contributor ({service_name})"


class SearchSpec(HlzModel):
    """Tier and capacity of a lab's search service (the lab config ``hlz:search``)."""

    sku: str = "standard"
    """Default: standard (S1). One of standard, standard2, standard3 (``LAB_SEARCH_SKUS``): the
    lab links the service to its AI account over a shared private link, which basic offers only
    in high-capacity regions; skills other than embeddings over the link need standard2."""
    replica_count: int = Field(default=1, strict=True, ge=1)
    """Default: 1. Copies of every index that serve queries; 2 for the read (query) SLA, 3 for
    the read-write SLA. At most 12 on the standard tiers."""
    partition_count: int = Field(default=1, strict=True, ge=1)
    """Default: 1. Storage and indexing slices: 1, 2, 3, 4, 6 or 12 on the standard tiers."""
    semantic_search: SemanticSearch = "disabled"
    """Default: disabled. ``free`` (a monthly allowance of semantic ranker requests) or
    ``standard`` (billed per request) turns the semantic ranker on."""

    @field_validator("sku")
    @classmethod
    def _lab_tier(cls, value: str) -> str:
        if value not in LAB_SEARCH_SKUS:
            raise ValueError(
                f"'{value}' is not a tier a lab may use; use one of {', '.join(LAB_SEARCH_SKUS)}: "
                "the lab's shared private link to its AI account (embedding skill, vectorizers) "
                "is offered on basic only in high-capacity regions, which a plan cannot know "
                "(https://learn.microsoft.com/azure/search/search-indexer-howto-access-private"
                "#prerequisites)"
            )
        return value

    @field_validator("replica_count")
    @classmethod
    def _replicas_within_tier(cls, value: int, info: ValidationInfo) -> int:
        sku = info.data.get("sku")
        limits = SEARCH_LIMITS.get(sku) if isinstance(sku, str) else None
        if limits is not None and value > limits.max_replicas:
            raise ValueError(f"{value} replicas; the {sku} tier allows 1 to {limits.max_replicas}")
        return value

    @field_validator("partition_count")
    @classmethod
    def _partitions_of_tier(cls, value: int, info: ValidationInfo) -> int:
        sku = info.data.get("sku")
        limits = SEARCH_LIMITS.get(sku) if isinstance(sku, str) else None
        if limits is not None and value not in limits.partitions:
            raise ValueError(
                f"{value} partitions; the {sku} tier allows "
                f"{', '.join(map(str, limits.partitions))}"
            )
        return value


class SharedPrivateLink(HlzModel):
    """An outbound private connection from the service to a resource it reads."""

    name: Label
    """Name of the shared private link on the service, also part of its logical name (1-32
    lowercase letters, digits and hyphens); unique on the service."""
    target_id: StrInput
    """Resource id of the target (a storage account, an AI account...)."""
    group_id: str = Field(min_length=1)
    """Private-link sub-resource of the target: ``blob`` for storage, ``openai_account`` for an
    AI account."""


class SearchDataReader(HlzModel):
    """A read role the service's system-assigned identity gets on one data source."""

    name: Label
    """Short label, part of the assignment's logical name (1-32 lowercase letters, digits and
    hyphens); unique in the list."""
    scope: StrInput
    """Resource id of the data source."""
    role: SearchDataRole
    """Storage Blob Data Reader (indexers read blobs) or Cognitive Services OpenAI User
    (vectorizers and skills call the embedding model)."""


class AiSearchArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the service and its endpoint."""
    service_name: Annotated[str, azure_name("search_service")]
    """Azure name of the service (2-60 lowercase letters, digits and single dashes, globally
    unique): its host is ``<name>.search.windows.net``."""
    endpoint_name: str
    """Azure name of the service's private endpoint."""
    spec: SearchSpec = Field(default_factory=SearchSpec)
    """Default: standard, 1 replica, 1 partition, semantic ranker disabled."""
    encryption: EncryptionKey
    """Customer-managed key and the user-assigned identity that unwraps it."""
    private_link: PrivateLinkTarget
    """Subnet of the service's private endpoint and the DNS zones (privatelink.search.windows.net
    must be among them)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the service's logs and metrics (HIPAA 164.312(b))."""
    shared_private_links: list[SharedPrivateLink] = Field(default_factory=list)
    """Default: [] — the service reaches nothing privately. Each becomes a shared private link,
    created one after another; its target's owner approves the connection."""
    data_readers: list[SearchDataReader] = Field(default_factory=list)
    """Default: [] — the service's identity reads nothing. Each grants it one read role."""
    member_group_ids: EntraObjectIds = Field(default_factory=list)
    """Default: [] — no group is granted access. Entra group object ids granted Search Index
    Data Contributor (load and query documents) and the lab's Search Object Contributor role
    (create indexes, data sources, indexers, skillsets, synonym maps; not the service)."""
    reader_principal_ids: dict[Label, StrInput] = Field(default_factory=dict)
    """Default: {} — label -> object id of a service principal (an application's managed
    identity) granted Search Index Data Reader (query only). The label names the assignment,
    since an id may be known only once its identity exists. Foundry projects grant their own
    identity through ``components.foundry`` (the project connects to this service, so it comes
    after it)."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""

    @model_validator(mode="after")
    def _unique_names(self) -> AiSearchArgs:
        problems = []
        for field, names in (
            ("shared_private_links", [link.name for link in self.shared_private_links]),
            ("data_readers", [reader.name for reader in self.data_readers]),
        ):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                problems.append(f"{field} names {', '.join(twice)} more than once")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class AiSearch(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    """The service's system-assigned identity (indexers reach data sources with it)."""
    endpoint: pulumi.Output[str]
    """``https://<name>.search.windows.net``."""
    cmk_key_name: pulumi.Output[str]
    """Key an index's ``encryptionKey.keyVaultKeyName`` names."""
    cmk_vault_uri: pulumi.Output[str]
    """Vault an index's ``encryptionKey.keyVaultUri`` names."""
    cmk_identity_id: pulumi.Output[str]
    """User-assigned identity an index's ``encryptionKey.identity`` names (it may unwrap the
    key)."""

    def __init__(
        self,
        name: str,
        args: AiSearchArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        after: pulumi.Resource | None = None,
    ):
        """``after``: a resource the first shared private link waits for, such as the last
        operation on the target account (Azure accepts one operation at a time on it)."""
        # A missing zone is a wiring error: fail before registering anything.
        zone_ids = args.private_link.zones(SEARCH_ZONE)
        super().__init__("hlz:ai:Search", name, None, opts)
        placement = args.placement
        key = args.encryption
        spec = args.spec
        service = search.Service(
            f"{name}-service",
            search_service_name=args.service_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=search.SkuArgs(name=spec.sku),
            replica_count=spec.replica_count,
            partition_count=spec.partition_count,
            hosting_mode=search.HostingMode.DEFAULT,
            semantic_search=spec.semantic_search,
            public_network_access=search.PublicNetworkAccess.DISABLED,
            network_rule_set=search.NetworkRuleSetArgs(bypass=search.SearchBypass.NONE),
            # authOptions stays unset: ARM refuses it together with disableLocalAuth.
            disable_local_auth=True,
            data_exfiltration_protections=[search.SearchDataExfiltrationProtection.BLOCK_ALL],
            encryption_with_cmk=search.EncryptionWithCmkArgs(
                enforcement=search.SearchEncryptionWithCmk.ENABLED
            ),
            identity=search.IdentityArgs(
                type=search.IdentityType.SYSTEM_ASSIGNED_USER_ASSIGNED,
                user_assigned_identities=[key.identity_id],
            ),
            tags=placement.tags,
            # The identity must be able to unwrap the key before anything is encrypted with it.
            opts=child_opts(self, depends_on=[key.key_access]),
        )
        send_diagnostics(service, args.diagnostics.workspace_id, parent=self)
        connect_privately(
            self, f"{name}-pe", placement=placement, private_link=args.private_link,
            endpoint_name=args.endpoint_name, target_id=service.id, group_id=SEARCH_GROUP_ID,
            dns_zone_ids=zone_ids,
        )  # fmt: skip

        principal_id = principal_of(service.identity, f"search service {args.service_name}")
        # One at a time, as Azure Verified Modules' search module does (@batchSize(1)).
        previous = after
        self.shared_private_links: list[search.SharedPrivateLinkResource] = []
        for link in args.shared_private_links:
            previous = search.SharedPrivateLinkResource(
                f"{name}-spl-{link.name}",
                shared_private_link_resource_name=link.name,
                search_service_name=service.name,
                resource_group_name=placement.resource_group_name,
                properties=search.SharedPrivateLinkResourcePropertiesArgs(
                    private_link_resource_id=link.target_id,
                    group_id=link.group_id,
                    request_message=(
                        f"Azure AI Search service {args.service_name} asks for private access to "
                        f"'{link.group_id}' for its indexers (shared private link {link.name})"
                    ),
                ),
                opts=child_opts(self, depends_on=[previous] if previous is not None else []),
            )
            self.shared_private_links.append(previous)

        for reader in args.data_readers:
            assign_role(
                f"{name}-reads-{reader.name}",
                scope=reader.scope,
                principal_id=principal_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role=reader.role,
                subscription_id=args.subscription_id,
                parent=self,
            )
        grant_groups(
            f"{name}-contributor",
            args.member_group_ids,
            scope=service.id,
            role="Search Index Data Contributor",
            subscription_id=args.subscription_id,
            parent=self,
        )
        grant_groups_custom_role(
            f"{name}-objects",
            args.member_group_ids,
            role_name=search_objects_role_name(args.service_name),
            description=(
                f"Lab members create, change, run and delete the indexes, data sources, "
                f"indexers, skillsets and synonym maps of the search service "
                f"{args.service_name}; not the service, its keys or its private links. "
                "Created by hlz."
            ),
            actions=SEARCH_OBJECT_ACTIONS,
            scope=service.id,
            resource_group_name=placement.resource_group_name,
            subscription_id=args.subscription_id,
            parent=self,
        )
        for label, reader_id in args.reader_principal_ids.items():
            assign_role(
                f"{name}-reader-{label}",
                scope=service.id,
                principal_id=reader_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role="Search Index Data Reader",
                subscription_id=args.subscription_id,
                parent=self,
            )

        self.service = service
        self.id = service.id
        self.name = service.name
        self.principal_id = principal_id
        self.endpoint = pulumi.Output.concat("https://", service.name, f".{SEARCH_DNS_SUFFIX}")
        self.cmk_key_name = key.key_name
        self.cmk_vault_uri = key.vault_uri
        self.cmk_identity_id = key.identity_id
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "principal_id": self.principal_id,
                "endpoint": self.endpoint,
                "cmk_key_name": self.cmk_key_name,
                "cmk_vault_uri": self.cmk_vault_uri,
                "cmk_identity_id": self.cmk_identity_id,
            }
        )
