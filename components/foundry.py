"""Foundry projects on a lab's AI Services account (HIPAA 164.312(a)(1), (d)).

A project is where a lab team builds, evaluates and traces prompts and agents. It lives under
the lab's ``kind: AIServices`` account (``OpenAIArgs.kind``; the account then allows project
management), so the account's hardening applies to it unchanged: no local (key) auth, private
endpoint, customer-managed key, restricted outbound access, content filters and governance
records on the deployments it uses.

| input            | derived                                                               |
|------------------|-----------------------------------------------------------------------|
| (always)         | a system-assigned managed identity: the project reaches the lab's data |
|                  | with Entra ID, never with keys                                        |
| member_group_ids | "Azure AI User" (shown as "Foundry User" in Microsoft's list) on the  |
|                  | project alone: build and run agents and evaluations, read the models; |
|                  | nothing on the account, its keys or its network                       |
| after            | created after the account's model deployments, one project at a time: |
|                  | Azure accepts one operation at a time on an account's children        |
| storage          | a connection to the lab's storage (category AzureStorageAccount,      |
|                  | authType AAD) and "Storage Blob Data Reader" on it for the project's  |
|                  | identity: it reads the lab's data sets and writes nothing there       |
| search           | a connection to the lab's search service (category CognitiveSearch,   |
|                  | authType AAD: the project's identity, never a key), created after the |
|                  | project, and "Search Index Data Reader" on the service for that       |
|                  | identity: agents and "on your data" query the indexes, nothing more   |
| agents           | the Agent Service's standard setup (docs/foundry.md#agent-service):   |
|                  | connections (Entra ID) to the lab's agent thread store (Cosmos DB)    |
|                  | and agent file store (a storage account of its own), the roles        |
|                  | Microsoft's private standard-agent template grants the project's      |
|                  | identity, and the project's capability host naming the three stores   |
|                  | (threads, files, vector stores = the search connection), created      |
|                  | after the roles it needs and before the roles Azure wants after it    |
"""

from __future__ import annotations

from typing import Annotated, Any

import pulumi
from pulumi_azure_native import authorization, cognitiveservices
from pydantic import Field, model_validator

from components.cosmos import (
    AGENT_SERVICE_THROUGHPUT_PER_PROJECT,
    AgentThreadStore,
    grant_agent_thread_data,
    grant_agent_thread_operator,
)
from components.naming import azure_name
from components.roles import assign_role, grant_groups, principal_of
from components.shared import HlzModel, Placement, StrInput, child_opts
from components.specs import EntraObjectIds
from components.storage import LabStorage

PROJECT_ROLE = "Azure AI User"
SEARCH_ROLE = "Search Index Data Reader"

AGENT_TEMPLATE = (
    "https://github.com/microsoft-foundry/foundry-samples/tree/main/infrastructure/"
    "infrastructure-setup-bicep/15-private-network-standard-agent-setup"
)
"""Microsoft's private-network standard agent setup: the connections, roles and their order
below follow it."""
THREAD_STORE_CATEGORY = "CosmosDB"
"""Connection category of the thread store, as Microsoft's template spells it (the SDK's enum
spells ``CosmosDb``; the API's category is an open string)."""
STORAGE_CATEGORY = "AzureStorageAccount"
"""Connection category of a storage account (the agents' file store, the lab's data), as
Microsoft's templates spell it (not in the SDK's enum; the API's category is an open string)."""
STORAGE_ROLE = "Storage Blob Data Reader"
"""What a project's identity may do with the lab's storage: read its data sets."""
AGENT_SEARCH_ROLES = ("Search Index Data Contributor", "Search Service Contributor")
"""What the Agent Service needs on the search service to create and fill vector-store indexes
(Microsoft's template grants both; the project's identity, never a person)."""
AGENT_CONTAINER_CONDITION = (
    "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read'})"
    " AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/filter/"
    "action'}) AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/"
    "blobs/tags/write'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/"
    "containers:name] StringLikeIgnoreCase '*-azureml-agent'))"
)
"""The ABAC condition of the Storage Blob Data Owner assignment Azure wants after the capability
host: Microsoft's, without its ``StringStartsWithIgnoreCase '<project workspace id>'`` clause —
the project's workspace id (``properties.internalId``) is not an output of the SDK's project."""
CAPABILITY_HOST_NAME = "agents"
"""The project's one capability host."""


class FoundryProjectSpec(HlzModel):
    """One Foundry project of a lab: its name, what it is for and who works in it."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
    """Project name (2-64 letters, digits, '.', '_', '-', starting with a letter or digit);
    unique within the lab."""
    description: str = Field(min_length=5, max_length=512)
    """What the project is for, in a sentence (5-512 characters), shown in the Foundry portal."""
    member_group_ids: EntraObjectIds = Field(min_length=1)
    """Entra group object ids that work in the project (Azure AI User on the project only)."""


class FoundrySearchConnection(HlzModel):
    """The lab's search service, as a project connects to it."""

    connection_name: Annotated[str, azure_name("foundry_connection")]
    """Name of the connection in the project (3-33 letters, digits, '_' and '-', starting with a
    letter or digit)."""
    search_id: StrInput
    """Resource id of the search service (the scope of the project's reader role)."""
    endpoint: StrInput
    """``https://<service>.search.windows.net``."""


class AgentServiceSpec(HlzModel):
    """A lab's Agent Service in the standard setup (the lab config ``hlz:agentService``)."""

    thread_throughput_limit: int = Field(
        default=AGENT_SERVICE_THROUGHPUT_PER_PROJECT,
        strict=True,
        ge=AGENT_SERVICE_THROUGHPUT_PER_PROJECT,
    )
    """Default: 3000. The most request units per second the thread store (Cosmos DB) may
    provision in total (a cost ceiling); the Agent Service needs 3000 for each Foundry project
    (three containers of 1000 RU/s), so at least 3000 times the number of projects."""


class FoundryAgentStores(HlzModel):
    """The lab's own resources a project's agents keep their data in (the standard setup)."""

    thread_connection_name: Annotated[str, azure_name("foundry_connection")]
    """Name of the project's connection to the thread store."""
    thread_store: AgentThreadStore
    """The lab's Cosmos DB for NoSQL account (threads, messages, agent entities)."""
    file_connection_name: Annotated[str, azure_name("foundry_connection")]
    """Name of the project's connection to the file store."""
    file_store: LabStorage
    """The storage account holding the agents' files (none of the lab's other data)."""


class FoundryStorageConnection(HlzModel):
    """The lab's storage account, as a project connects to it (its data sets)."""

    connection_name: Annotated[str, azure_name("foundry_connection")]
    """Name of the connection in the project."""
    storage_id: StrInput
    """Resource id of the lab's storage account (the scope of the project's reader role)."""
    blob_endpoint: StrInput
    """``https://<account>.blob.core.windows.net/``."""


class FoundryProjectArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the project (those of its account)."""
    account_name: StrInput
    """Name of the lab's ``kind: AIServices`` account (project management allowed)."""
    spec: FoundryProjectSpec
    """The project's name, description and member groups."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""
    search: FoundrySearchConnection | None = None
    """Default: None — no search connection. With the lab's search service: a connection to it
    (Entra ID) and Search Index Data Reader on it for the project's identity."""
    storage: FoundryStorageConnection | None = None
    """Default: None — no storage connection. With the lab's storage account: a connection to it
    (category AzureStorageAccount, Entra ID) and Storage Blob Data Reader on it for the project's
    identity: evaluations and agents read the lab's data sets, and write nothing there."""
    agents: FoundryAgentStores | None = None
    """Default: None — agents (if any) keep their data in Microsoft-managed storage (the basic
    setup). Set (the lab has hlz:agentService, which requires ``search``): the standard setup on
    the lab's own stores."""

    @model_validator(mode="after")
    def _agents_need_search(self) -> FoundryProjectArgs:
        if self.agents is not None and self.search is None:
            raise ValueError("agents needs search: the agents' vector stores live in it")
        return self


class FoundryProject(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: FoundryProjectArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        after: pulumi.Resource | None = None,
    ):
        super().__init__("hlz:ai:FoundryProject", name, None, opts)
        placement = args.placement
        spec = args.spec
        project = cognitiveservices.Project(
            f"{name}-project",
            project_name=spec.name,
            account_name=args.account_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            identity=cognitiveservices.IdentityArgs(
                type=cognitiveservices.ResourceIdentityType.SYSTEM_ASSIGNED
            ),
            properties=cognitiveservices.ProjectPropertiesArgs(
                display_name=spec.name, description=spec.description
            ),
            tags=placement.tags,
            opts=child_opts(self, depends_on=[after] if after is not None else []),
        )
        grant_groups(
            f"{name}-ai-user",
            spec.member_group_ids,
            scope=project.id,
            role=PROJECT_ROLE,
            subscription_id=args.subscription_id,
            parent=self,
        )
        principal_id = principal_of(project.identity, f"Foundry project {spec.name}")
        # The project's connections, one after another (one operation at a time on its children),
        # and the roles of its identity.
        self._name, self._args, self._project = name, args, project
        self._principal_id = principal_id
        self._last_connection: cognitiveservices.ProjectConnection | None = None
        self.search_connection: cognitiveservices.ProjectConnection | None = None
        if args.search is not None:
            target = args.search
            self.search_connection = self._connect(
                "search",
                target.connection_name,
                cognitiveservices.ConnectionCategory.COGNITIVE_SEARCH,
                target.endpoint,
                {"ResourceId": target.search_id, "ApiType": "Azure"},
            )
            self._grant("search-reader", target.search_id, SEARCH_ROLE)
        self.storage_connection: cognitiveservices.ProjectConnection | None = None
        if args.storage is not None:
            lab_storage = args.storage
            self.storage_connection = self._connect(
                "storage",
                lab_storage.connection_name,
                STORAGE_CATEGORY,
                lab_storage.blob_endpoint,
                self._metadata(lab_storage.storage_id),
            )
            self._grant("storage-reader", lab_storage.storage_id, STORAGE_ROLE)
        self.capability_host: cognitiveservices.ProjectCapabilityHost | None = None
        if args.agents is not None and self.search_connection is not None:
            self.capability_host = self._standard_agent_setup(
                name, args, principal_id, args.agents, self.search_connection
            )
        self.project = project
        self.last_child: pulumi.Resource = self.capability_host or self._last_connection or project
        """What the account's next child waits for (one operation at a time on the account)."""
        self.id = project.id
        self.name = project.name
        self.principal_id = principal_id
        self.register_outputs({"id": self.id, "name": self.name, "principal_id": self.principal_id})

    def _grant(self, suffix: str, scope: StrInput, role: str, **extra: Any) -> pulumi.Resource:
        """A built-in ``role`` on ``scope`` for the project's identity (``<name>-<suffix>``)."""
        return assign_role(
            f"{self._name}-{suffix}",
            scope=scope,
            principal_id=self._principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role=role,
            subscription_id=self._args.subscription_id,
            parent=self,
            **extra,
        )

    def _metadata(self, resource_id: StrInput) -> dict[str, StrInput]:
        return {
            "ResourceId": resource_id,
            "ApiType": "Azure",
            "location": self._args.placement.location,
        }

    def _connect(
        self,
        suffix: str,
        connection_name: str,
        category: str,
        target: StrInput,
        metadata: dict[str, StrInput],
    ) -> cognitiveservices.ProjectConnection:
        """A connection of the project with Entra ID (no stored credential), after the previous
        one: Azure accepts one operation at a time on a project's children."""
        args = self._args
        connection = cognitiveservices.ProjectConnection(
            f"{self._name}-{suffix}",
            connection_name=connection_name,
            project_name=self._project.name,
            account_name=args.account_name,
            resource_group_name=args.placement.resource_group_name,
            properties=cognitiveservices.AADAuthTypeConnectionPropertiesArgs(
                auth_type="AAD", category=category, target=target, metadata=metadata
            ),
            opts=child_opts(
                self, depends_on=[self._last_connection] if self._last_connection else []
            ),
        )
        self._last_connection = connection
        return connection

    def _standard_agent_setup(
        self,
        name: str,
        args: FoundryProjectArgs,
        principal_id: pulumi.Output[str],
        stores: FoundryAgentStores,
        search_connection: cognitiveservices.ProjectConnection,
    ) -> cognitiveservices.ProjectCapabilityHost:
        """Connections, roles and the capability host of the Agent Service's standard setup, in
        the order of Microsoft's private template (``AGENT_TEMPLATE``)."""
        placement = args.placement
        search = args.search
        assert search is not None  # checked by the caller

        thread_store = stores.thread_store
        threads = self._connect("threads", stores.thread_connection_name, THREAD_STORE_CATEGORY,
                                thread_store.endpoint, self._metadata(thread_store.id))  # fmt: skip
        file_store = stores.file_store
        files = self._connect("files", stores.file_connection_name, STORAGE_CATEGORY,
                              file_store.blob_endpoint, self._metadata(file_store.id))  # fmt: skip

        # Before the capability host: Azure checks them when it creates the host.
        before: list[pulumi.Resource] = [
            self._grant("files-contributor", file_store.id, "Storage Blob Data Contributor"),
            grant_agent_thread_operator(
                f"{name}-threads-operator", store=thread_store, principal_id=principal_id,
                parent=self,
            ),  # fmt: skip
            *(
                self._grant(f"search-{role.split()[1].lower()}", search.search_id, role)
                for role in AGENT_SEARCH_ROLES
            ),
        ]
        host = cognitiveservices.ProjectCapabilityHost(
            f"{name}-capability-host",
            capability_host_name=CAPABILITY_HOST_NAME,
            account_name=args.account_name,
            project_name=self._project.name,
            resource_group_name=placement.resource_group_name,
            # API 2025-06-01 defines no kind on a project's capability host (Agents is the only
            # one); the three lists make it the standard setup.
            # The names as configured (known before anything exists, so a preview's policy
            # check can judge them); depends_on below creates the connections first.
            project_capability_host_properties=cognitiveservices.ProjectCapabilityHostArgs(
                thread_storage_connections=[stores.thread_connection_name],
                storage_connections=[stores.file_connection_name],
                vector_store_connections=[search.connection_name],
            ),
            # Azure refuses to update a capability host: a change deletes and re-creates it.
            opts=child_opts(
                self,
                # Azure reaches both stores when it creates the host: through their private
                # endpoints (the components, with every child, come first).
                depends_on=[threads, files, search_connection, *before, thread_store, file_store],
                replace_on_changes=["*"],
                delete_before_replace=True,
            ),
        )
        # After the capability host: it creates the containers and the database they reach.
        self._grant("files-owner", file_store.id, "Storage Blob Data Owner",
                    condition=AGENT_CONTAINER_CONDITION, depends_on=[host])  # fmt: skip
        grant_agent_thread_data(
            f"{name}-threads-data", store=thread_store, principal_id=principal_id,
            parent=self, after=[host],
        )  # fmt: skip
        return host
