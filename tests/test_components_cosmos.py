"""The Agent Service's thread store (components/cosmos.py) under named scenarios: the hardened
account as the SDK registers it, wired to a real EncryptionKey so the key-access ordering is what
a deployment gets; the grants a Foundry project's identity gets; refused arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

import components.cosmos
from components.cosmos import (
    AGENT_THREAD_DATABASE,
    COSMOS_GROUP_ID,
    COSMOS_ZONE,
    COSMOS_ZONE_KEY,
    DATA_CONTRIBUTOR_ROLE,
    AgentThreadStore,
    AgentThreadStoreArgs,
    grant_agent_thread_data,
    grant_agent_thread_operator,
)
from components.encryption import EncryptionKey
from components.errors import ConfigError
from components.private_endpoint import zone_config_name
from components.roles import BUILTIN_ROLES, role_assignment_name
from components.shared import PrivateLinkTarget
from hlz.engine.recording import Registration
from hlz.engine.run import ProgramRun
from tests.component_support import (
    DIAGNOSTICS,
    PLACEMENT,
    TAGS,
    encryption_key,
    unregistered_key,
)
from tests.component_support import run_unit as run
from tests.conftest import of_type, one

ZONES = {COSMOS_ZONE: f"/zones/{COSMOS_ZONE}", "privatelink.blob.core.windows.net": "/zones/blob"}
PRIVATE_LINK = PrivateLinkTarget(subnet_id="/subnets/pe", dns_zone_ids=ZONES)
ACCOUNT_NAME = "cosmos-t-abcde"
PROJECT_PRINCIPAL = "7d9f3c2a-5b1e-4f6d-8a9c-0e1f2a3b4c5d"

ACCOUNT = "azure-native:cosmosdb:DatabaseAccount"
SQL_ROLE_ASSIGNMENT = "azure-native:cosmosdb:SqlResourceSqlRoleAssignment"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"


def store_args(key: EncryptionKey, **overrides: Any) -> AgentThreadStoreArgs:
    values: dict[str, Any] = {
        "placement": PLACEMENT,
        "account_name": ACCOUNT_NAME,
        "endpoint_name": "pe-t-cosmos",
        "encryption": key,
        "private_link": PRIVATE_LINK,
        "diagnostics": DIAGNOSTICS,
        "subscription_id": "sub",
        **overrides,
    }
    return AgentThreadStoreArgs(**values)


def named(registrations: list[Registration], logical_name: str) -> Registration:
    matches = [r for r in registrations if r.urn.endswith(f"::{logical_name}")]
    assert len(matches) == 1, f"expected one resource named {logical_name}, found {len(matches)}"
    return matches[0]


def thread_key() -> EncryptionKey:
    return encryption_key("cosmos", logical_name="threads")


def grant_both(name: str, store: AgentThreadStore, principal_id: str) -> None:
    """A Foundry project's two grants on the store, as ``<name>-operator`` and ``<name>-data``
    (the lab orders them around the project's capability host)."""
    grant_agent_thread_operator(
        f"{name}-operator", store=store, principal_id=principal_id, parent=store
    )
    grant_agent_thread_data(f"{name}-data", store=store, principal_id=principal_id, parent=store)


def store_program(**overrides: Any) -> Callable[[], None]:
    """A thread store and one Foundry project's grants on it, as the lab wires them."""

    def program() -> None:
        store = AgentThreadStore("threads", store_args(thread_key(), **overrides))
        grant_both("proj-notes", store, PROJECT_PRINCIPAL)
        pulumi.export("endpoint", store.endpoint)
        pulumi.export("name", store.name)

    return program


@pytest.fixture(scope="module")
def defaults() -> ProgramRun:
    return run(store_program())


def test_defaults_are_private_entra_only_customer_keyed_and_backed_up(defaults: ProgramRun):
    """Every hardened value on the wire, as pulumi-azure-native registers it."""
    resources = defaults.registrations
    inputs = one(resources, ACCOUNT).inputs
    identity = named(resources, "threads-cmk-id")
    assert inputs["accountName"] == ACCOUNT_NAME
    assert inputs["kind"] == "GlobalDocumentDB"
    assert inputs["databaseAccountOfferType"] == "Standard"
    assert inputs["locations"] == [
        {"locationName": "eastus2", "failoverPriority": 0, "isZoneRedundant": False}
    ]
    assert inputs["consistencyPolicy"] == {"defaultConsistencyLevel": "Session"}
    assert inputs["disableLocalAuth"] is True
    assert inputs["disableKeyBasedMetadataWriteAccess"] is True
    assert inputs["publicNetworkAccess"] == "Disabled"
    assert inputs["networkAclBypass"] == "None"
    assert inputs["minimalTlsVersion"] == "Tls12"
    assert inputs["enableFreeTier"] is False
    assert inputs["enableAnalyticalStorage"] is False
    assert inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity.id]}
    assert inputs["defaultIdentity"] == f"UserAssignedIdentity={identity.id}"
    # Versionless: the account follows the key's rotation.
    assert inputs["keyVaultKeyUri"] == "https://kv-t-abcde.vault.azure.net/keys/t-cosmos-cmk"
    assert inputs["backupPolicy"] == {
        "type": "Continuous",
        "continuousModeProperties": {"tier": "Continuous7Days"},
    }
    assert inputs["capacity"] == {"totalThroughputLimit": 3000}
    assert inputs["tags"] == TAGS
    assert defaults.stack_outputs["endpoint"] == f"https://{ACCOUNT_NAME}.documents.azure.com:443/"
    assert defaults.stack_outputs["name"] == ACCOUNT_NAME


def test_the_account_waits_until_its_identity_may_use_the_key(defaults: ProgramRun):
    resources = defaults.registrations
    key_access = named(resources, "threads-cmk-key-user")
    assert key_access.urn in one(resources, ACCOUNT).dependencies
    # The grant is exactly what Cosmos DB needs: get, wrap and unwrap on that one key.
    assert key_access.inputs["roleDefinitionId"].endswith(
        BUILTIN_ROLES["Key Vault Crypto Service Encryption User"]
    )
    assert key_access.inputs["scope"].endswith("/keys/t-cosmos-cmk")


def test_private_endpoint_in_the_documents_zone_and_diagnostics(defaults: ProgramRun):
    resources = defaults.registrations
    account = one(resources, ACCOUNT)
    endpoint = one(resources, ENDPOINT)
    assert endpoint.inputs["privateEndpointName"] == "pe-t-cosmos"
    connection = endpoint.inputs["privateLinkServiceConnections"][0]
    assert connection["privateLinkServiceId"] == account.id
    assert connection["groupIds"] == ["Sql"]
    group = one(resources, ZONE_GROUP)
    assert group.inputs["privateDnsZoneConfigs"] == [
        {"name": zone_config_name(COSMOS_ZONE), "privateDnsZoneId": ZONES[COSMOS_ZONE]}
    ]
    setting = one(resources, DIAGNOSTIC_SETTING).inputs
    assert setting["resourceUri"] == account.id
    assert setting["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert setting["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_a_project_gets_cosmos_db_operator_on_the_account(defaults: ProgramRun):
    resources = defaults.registrations
    account = one(resources, ACCOUNT)
    operator = named(resources, "proj-notes-operator")
    assert operator.type == ROLE_ASSIGNMENT
    assert operator.inputs["scope"] == account.id
    assert operator.inputs["principalId"] == PROJECT_PRINCIPAL
    assert operator.inputs["principalType"] == "ServicePrincipal"
    assert operator.inputs["roleDefinitionId"] == (
        "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/"
        "230815da-be43-4aae-9cb4-875f7bd000aa"
    )


def test_a_project_gets_data_contributor_on_the_agent_database_only(defaults: ProgramRun):
    resources = defaults.registrations
    account = one(resources, ACCOUNT)
    data = one(resources, SQL_ROLE_ASSIGNMENT)
    scope = f"{account.id}/dbs/{AGENT_THREAD_DATABASE}"
    assert data.inputs["scope"] == scope
    assert data.inputs["scope"].endswith("/dbs/enterprise_memory")
    assert data.inputs["roleDefinitionId"] == (
        f"{account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002"
    )
    assert data.inputs["principalId"] == PROJECT_PRINCIPAL
    assert data.inputs["accountName"] == ACCOUNT_NAME
    assert data.inputs["resourceGroupName"] == "rg-lab"
    # A GUID from scope, principal and role: a re-run finds the same assignment.
    assert data.inputs["roleAssignmentId"] == role_assignment_name(
        scope, PROJECT_PRINCIPAL, DATA_CONTRIBUTOR_ROLE
    )


def test_the_data_grant_can_wait_for_the_capability_host_while_the_operator_grant_does_not():
    def program() -> None:
        from pulumi_azure_native import resources

        store = AgentThreadStore("threads", store_args(thread_key()))
        grant_agent_thread_operator(
            "proj-operator", store=store, principal_id=PROJECT_PRINCIPAL, parent=store
        )
        capability_host = resources.ResourceGroup("capability-host", location="eastus2")
        grant_agent_thread_data(
            "proj-data",
            store=store,
            principal_id=PROJECT_PRINCIPAL,
            parent=store,
            after=[capability_host],
        )

    resources = run(program).registrations
    host = named(resources, "capability-host")
    assert host.urn in named(resources, "proj-data").dependencies
    assert host.urn not in named(resources, "proj-operator").dependencies


def test_two_projects_get_distinct_data_grants():
    other = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

    def program() -> None:
        store = AgentThreadStore("threads", store_args(thread_key()))
        for label, principal in (("a", PROJECT_PRINCIPAL), ("b", other)):
            grant_both(f"proj-{label}", store, principal)

    grants = of_type(run(program).registrations, SQL_ROLE_ASSIGNMENT)
    assert len({g.inputs["roleAssignmentId"] for g in grants}) == 2


def test_the_throughput_limit_is_raised_for_more_projects():
    inputs = one(run(store_program(total_throughput_limit=6000)).registrations, ACCOUNT).inputs
    assert inputs["capacity"] == {"totalThroughputLimit": 6000}


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        (
            {"total_throughput_limit": 2000},
            "total_throughput_limit",
            "2000 RU/s is below 3000, what the Agent Service's standard setup needs for one "
            "Foundry project",
        ),
        ({"total_throughput_limit": "4000"}, "total_throughput_limit", "valid integer"),
        (
            {"account_name": "Cosmos_Lab"},
            "account_name",
            "account_name 'Cosmos_Lab' has characters or a shape Azure does not allow for "
            "cosmos_account",
        ),
        (
            {"account_name": "cosmos-lab-"},
            "account_name",
            "'cosmos-lab-' has characters or a shape",
        ),
        ({"account_name": "db"}, "account_name", "shorter than 3 characters"),
        ({"account_name": "c" * 45}, "account_name", "is 45 characters; Azure allows at most 44"),
    ],
    ids=[
        "throughput_below_one_project",
        "throughput_as_text",
        "name_with_capitals_and_underscore",
        "name_with_trailing_hyphen",
        "name_too_short",
        "name_too_long",
    ],
)
def test_refused_arguments_name_their_field(overrides, field, fragment):
    with pytest.raises(ValidationError) as error:
        store_args(unregistered_key(), **overrides)
    (problem,) = error.value.errors()
    assert problem["loc"] == (field,)
    assert fragment in problem["msg"]


def test_every_bad_argument_is_reported_at_once():
    with pytest.raises(ValidationError) as error:
        store_args(unregistered_key(), account_name="Bad--Name", total_throughput_limit=400)
    assert [problem["loc"] for problem in error.value.errors()] == [
        ("account_name",),
        ("total_throughput_limit",),
    ]


def test_a_missing_dns_zone_is_refused_before_anything_is_registered():
    refusals: list[ConfigError] = []

    def program() -> None:
        try:
            AgentThreadStore(
                "threads",
                store_args(
                    unregistered_key(),
                    private_link=PrivateLinkTarget(subnet_id="/subnets/pe", dns_zone_ids={}),
                ),
            )
        except ConfigError as refused:
            refusals.append(refused)

    recorded = run(program).registrations
    assert [r.type for r in recorded] == ["pulumi:pulumi:Stack"]
    (error,) = refusals
    assert error.problems == [("private_link.dns_zone_ids", f"zones not provided: {COSMOS_ZONE}")]


def test_the_private_link_constants_are_the_catalogue_row():
    """The component's group id, zone and zone key are the catalogue's (what the landing zone
    creates and exports, and deploy-privateendpoint-restrict-group-ids accepts)."""
    from policies.rules.tokens import COSMOS_ACCOUNT
    from policies.services import PRIVATE_DNS_ZONES, SERVICES

    link = SERVICES[COSMOS_ACCOUNT].private_link
    assert link is not None
    assert link.group_ids == (COSMOS_GROUP_ID,)
    assert link.zones == (COSMOS_ZONE,)
    assert link.zone_key == COSMOS_ZONE_KEY
    assert PRIVATE_DNS_ZONES[COSMOS_ZONE_KEY] == (COSMOS_ZONE,)


def test_the_store_exposes_uniform_outputs():
    assert {"id", "name", "endpoint", "resource_group_name"} <= set(
        components.cosmos.AgentThreadStore.__annotations__
    )
