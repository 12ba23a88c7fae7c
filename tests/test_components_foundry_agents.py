"""The Foundry Agent Service's standard setup: a project's connections to the lab's own stores,
the roles Microsoft's private template grants its identity (and their order around the capability
host), the capability host, and the account's network injection."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.cosmos import COSMOS_ZONE, AgentThreadStore, AgentThreadStoreArgs
from components.foundry import (
    AGENT_CONTAINER_CONDITION,
    CAPABILITY_HOST_NAME,
    FoundryAgentStores,
    FoundryProject,
    FoundryProjectArgs,
    FoundryProjectSpec,
    FoundrySearchConnection,
)
from components.roles import BUILTIN_ROLES
from components.shared import DiagnosticsTarget, Placement, PrivateLinkTarget
from components.storage import LabStorage
from hlz.engine.arm_ids import fake_guid
from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID
from hlz.engine.recording import Registration
from tests.component_support import encryption_key
from tests.conftest import of_type, one, run_components
from tests.test_components_ai_data import storage_args

PLACEMENT = Placement(
    resource_group_name="rg-lab",
    location="eastus2",
    tags={"owner": "o", "cost-center": "c", "environment": "e", "data-classification": "phi"},
)
GROUP = "3f2b8a7e-1c4d-4e5f-8a9b-0c1d2e3f4a5b"
RG = "/subscriptions/s/resourceGroups/rg-lab/providers"
SEARCH_ID = f"{RG}/Microsoft.Search/searchServices/srch"
COSMOS_ID = (
    f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-lab/providers/"
    "Microsoft.DocumentDB/databaseAccounts/cosmos-t"
)
"""The mocks' id for the thread store ``cosmos-t`` in ``rg-lab``."""
FILES_ID = (
    f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-lab/providers/"
    "Microsoft.Storage/storageAccounts/sttagents"
)
CONNECTION = "azure-native:cognitiveservices:ProjectConnection"
CAPABILITY_HOST = "azure-native:cognitiveservices:ProjectCapabilityHost"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
SQL_ROLE_ASSIGNMENT = "azure-native:cosmosdb:SqlResourceSqlRoleAssignment"


def thread_store() -> AgentThreadStore:
    return AgentThreadStore(
        "threads",
        AgentThreadStoreArgs(
            placement=PLACEMENT,
            account_name="cosmos-t",
            endpoint_name="pe-t-cosmos",
            encryption=encryption_key("agents"),
            private_link=PrivateLinkTarget(
                subnet_id="/subnets/pe", dns_zone_ids={COSMOS_ZONE: f"/zones/{COSMOS_ZONE}"}
            ),
            diagnostics=DiagnosticsTarget(workspace_id="/workspaces/law"),
            subscription_id="sub",
        ),
    )


def stores(**overrides: Any) -> FoundryAgentStores:
    values: dict[str, Any] = {
        "thread_connection_name": "conn-t-threads",
        "thread_store": thread_store(),
        "file_connection_name": "conn-t-files",
        "file_store": LabStorage(
            "files",
            storage_args(
                encryption_key("agents-files"),
                account_name="sttagents",
                endpoint_name_prefix="pe-t-stag",
                containers=[],
            ),
        ),
    }
    return FoundryAgentStores(**{**values, **overrides})
SEARCH = FoundrySearchConnection(
    connection_name="conn-t-search", search_id=SEARCH_ID, endpoint="https://srch.search.windows.net"
)


def project_args(**overrides: Any) -> FoundryProjectArgs:
    values: dict[str, Any] = {
        "placement": PLACEMENT,
        "account_name": "ais-t-lab",
        "spec": FoundryProjectSpec(
            name="discharge-notes",
            description="Agents over the discharge notes",
            member_group_ids=[GROUP],
        ),
        "subscription_id": "sub",
        "search": SEARCH,
    }
    if "agents" not in overrides:
        values["agents"] = stores()
    return FoundryProjectArgs(**{**values, **overrides})


@pytest.fixture(scope="module")
def recorded() -> list[Registration]:
    return run_components(lambda: FoundryProject("notes", project_args()))


def connection(recorded: list[Registration], name: str) -> Registration:
    (found,) = [r for r in of_type(recorded, CONNECTION) if r.inputs["connectionName"] == name]
    return found


def role(recorded: list[Registration], scope: str, name: str) -> Registration:
    guid = BUILTIN_ROLES[name]
    (found,) = [
        r
        for r in of_type(recorded, ROLE_ASSIGNMENT)
        if r.inputs["scope"] == scope and r.inputs["roleDefinitionId"].endswith(guid)
    ]
    return found


def test_the_project_connects_to_its_thread_and_file_stores_with_entra_id(recorded):
    threads = connection(recorded, "conn-t-threads")
    files = connection(recorded, "conn-t-files")
    assert threads.inputs["properties"] == {
        "authType": "AAD",
        "category": "CosmosDB",
        "target": "https://cosmos-t.documents.azure.com:443/",
        "metadata": {"ResourceId": COSMOS_ID, "ApiType": "Azure", "location": "eastus2"},
    }
    assert files.inputs["properties"] == {
        "authType": "AAD",
        "category": "AzureStorageAccount",
        "target": "https://sttagents.blob.core.windows.net/",  # the mocks' primaryEndpoints
        "metadata": {"ResourceId": FILES_ID, "ApiType": "Azure", "location": "eastus2"},
    }
    # One operation at a time on the project's children: after the search connection (and one
    # after the other: test_a_projects_connections_are_created_one_after_another).
    assert connection(recorded, "conn-t-search").urn in threads.dependencies


def test_the_capability_host_names_the_three_stores_and_is_replaced_not_updated(recorded):
    host = one(recorded, CAPABILITY_HOST)
    assert host.inputs["capabilityHostName"] == CAPABILITY_HOST_NAME
    assert host.inputs["projectName"] == "discharge-notes"
    assert host.inputs["projectCapabilityHostProperties"] == {
        "threadStorageConnections": ["conn-t-threads"],
        "storageConnections": ["conn-t-files"],
        "vectorStoreConnections": ["conn-t-search"],
    }
    assert host.replace_on_changes == ["*"]
    assert host.delete_before_replace


def test_roles_azure_checks_at_creation_come_before_the_capability_host(recorded):
    host = one(recorded, CAPABILITY_HOST)
    principal = fake_guid("principal", "system", "discharge-notes")
    before = [
        role(recorded, FILES_ID, "Storage Blob Data Contributor"),
        role(recorded, COSMOS_ID, "Cosmos DB Operator"),
        role(recorded, SEARCH_ID, "Search Index Data Contributor"),
        role(recorded, SEARCH_ID, "Search Service Contributor"),
    ]
    for assignment in before:
        assert assignment.urn in host.dependencies, assignment.urn
        assert assignment.inputs["principalId"] == principal
        assert assignment.inputs["principalType"] == "ServicePrincipal"
    # The three connections it names exist first (it names them as configured: known in a
    # preview, when the connections' outputs are not).
    for store in ("conn-t-threads", "conn-t-files", "conn-t-search"):
        assert connection(recorded, store).urn in host.dependencies


def test_data_roles_azure_wants_after_the_capability_host_follow_it(recorded):
    host = one(recorded, CAPABILITY_HOST)
    owner = role(recorded, FILES_ID, "Storage Blob Data Owner")
    assert host.urn in owner.dependencies
    # Narrowed to the agent containers the service creates: never the whole account.
    assert owner.inputs["condition"] == AGENT_CONTAINER_CONDITION
    assert owner.inputs["conditionVersion"] == "2.0"
    assert "StringLikeIgnoreCase '*-azureml-agent'" in AGENT_CONTAINER_CONDITION
    data = one(recorded, SQL_ROLE_ASSIGNMENT)
    assert host.urn in data.dependencies
    assert data.inputs["scope"] == f"{COSMOS_ID}/dbs/enterprise_memory"
    assert data.inputs["roleDefinitionId"] == (
        f"{COSMOS_ID}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002"
    )
    assert data.inputs["principalId"] == fake_guid("principal", "system", "discharge-notes")


def test_without_agent_stores_a_project_has_no_capability_host():
    recorded = run_components(lambda: FoundryProject("notes", project_args(agents=None)))
    assert not of_type(recorded, CAPABILITY_HOST)
    assert not of_type(recorded, SQL_ROLE_ASSIGNMENT)
    assert len(of_type(recorded, CONNECTION)) == 1


def test_agent_stores_need_the_search_connection_for_vector_stores():
    """Refused by the args model, before the project registers anything."""
    registered: list[str] = []

    def program() -> None:
        with pytest.raises(ValidationError) as error:
            project_args(search=None)
        (problem,) = error.value.errors()
        assert "agents needs search" in problem["msg"]
        registered.append("checked")

    recorded = run_components(program)
    assert registered == ["checked"]
    assert not of_type(recorded, "azure-native:cognitiveservices:Project")


def test_agent_connection_names_follow_azures_rule():
    def program() -> None:
        with pytest.raises(ValidationError) as error:
            stores(file_connection_name="x" * 34)
        (problem,) = error.value.errors()
        assert problem["loc"] == ("file_connection_name",)

    run_components(program)


def test_the_capability_host_waits_for_both_stores_private_endpoints(recorded):
    host = one(recorded, CAPABILITY_HOST)
    endpoints = of_type(recorded, "azure-native:network:PrivateEndpoint")
    # The thread store's endpoint (Sql) and the file store's (blob, dfs).
    assert len(endpoints) == 3
    for endpoint in endpoints:
        assert endpoint.urn in host.dependencies, endpoint.urn


def test_a_project_reads_the_lab_storage_through_a_keyless_connection():
    from components.foundry import FoundryStorageConnection

    storage = FoundryStorageConnection(
        connection_name="conn-t-storage",
        storage_id=FILES_ID,
        blob_endpoint="https://sttagents.blob.core.windows.net/",
    )
    recorded = run_components(
        lambda: FoundryProject("notes", project_args(storage=storage, agents=None))
    )
    lab_storage = connection(recorded, "conn-t-storage")
    assert lab_storage.inputs["properties"] == {
        "authType": "AAD",
        "category": "AzureStorageAccount",
        "target": "https://sttagents.blob.core.windows.net/",
        "metadata": {"ResourceId": FILES_ID, "ApiType": "Azure", "location": "eastus2"},
    }
    # After the search connection: one operation at a time on the project's children.
    assert connection(recorded, "conn-t-search").urn in lab_storage.dependencies
    reader = role(recorded, FILES_ID, "Storage Blob Data Reader")
    assert reader.inputs["principalId"] == fake_guid("principal", "system", "discharge-notes")
    # Read only: no other role on the storage account.
    assert [
        r for r in of_type(recorded, ROLE_ASSIGNMENT) if r.inputs["scope"] == FILES_ID
    ] == [reader]


def test_a_projects_connections_are_created_one_after_another(recorded):
    search = connection(recorded, "conn-t-search")
    threads = connection(recorded, "conn-t-threads")
    files = connection(recorded, "conn-t-files")
    assert search.urn in threads.dependencies
    assert threads.urn in files.dependencies
