"""The lab's data components under named scenarios: storage account, Health Data Services and
Azure AI Search, each wired to a real EncryptionKey so the key-access ordering is what a
deployment gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

import components.health_data
import components.search
import components.storage
from components.encryption import EncryptionKey, EncryptionKeyArgs
from components.errors import ConfigError
from components.health_data import (
    DICOM_TIMEOUTS,
    FHIR_TIMEOUTS,
    HEALTH_ZONES,
    HealthDataServices,
    HealthDataServicesArgs,
)
from components.private_endpoint import zone_config_name
from components.roles import BUILTIN_ROLES, role_definition_name
from components.search import (
    SEARCH_GROUP_ID,
    SEARCH_OBJECT_ACTIONS,
    SEARCH_ZONE,
    AiSearch,
    AiSearchArgs,
    SearchDataReader,
    SearchSpec,
    SharedPrivateLink,
)
from components.shared import Override, PrivateLinkTarget
from components.storage import STORAGE_ENDPOINT_ZONES, LabStorage, LabStorageArgs
from hlz.engine.arm_ids import fake_guid
from hlz.engine.recording import Registration
from hlz.engine.run import ProgramRun
from tests.component_support import (
    DIAGNOSTICS,
    PLACEMENT,
    SOFTWARE_KEY,
    TAGS,
    encryption_key,
    unregistered_key,
)
from tests.component_support import run_unit as run
from tests.conftest import of_type, one

ZONES = {
    zone: f"/zones/{zone}"
    for zone in (*STORAGE_ENDPOINT_ZONES.values(), *HEALTH_ZONES, SEARCH_ZONE)
}
PRIVATE_LINK = PrivateLinkTarget(subnet_id="/subnets/pe", dns_zone_ids=ZONES)
GROUP = "3f2b8a7e-1c4d-4e5f-8a9b-0c1d2e3f4a5b"
EXPORT_CONTAINER = "fhir-export"

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
CONTAINER = "azure-native:storage:BlobContainer"
WORKSPACE = "azure-native:resources:Resource"
"""The workspace is a generic resource: only that way can it send publicNetworkAccess."""
FHIR = "azure-native:healthcareapis:FhirService"
DICOM = "azure-native:healthcareapis:DicomService"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
SEARCH_SERVICE = "azure-native:search:Service"
SHARED_PRIVATE_LINK = "azure-native:search:SharedPrivateLinkResource"
PROJECT_CONNECTION = "azure-native:cognitiveservices:ProjectConnection"


def storage_args(key: EncryptionKey, **overrides: Any) -> LabStorageArgs:
    values: dict[str, Any] = {
        "placement": PLACEMENT,
        "account_name": "sttabcde",
        "endpoint_name_prefix": "pe-t-st",
        "encryption": key,
        "private_link": PRIVATE_LINK,
        "diagnostics": DIAGNOSTICS,
        **overrides,
    }
    return LabStorageArgs(**values)


def health_args(key: EncryptionKey, **overrides: Any) -> HealthDataServicesArgs:
    values: dict[str, Any] = {
        "placement": PLACEMENT,
        "workspace_name": "hdstabcde",
        "fhir_name": "fhir-t",
        "dicom_name": "dicom-t",
        "tenant_id": "tenant-1",
        "encryption": key,
        "private_link": PRIVATE_LINK,
        "diagnostics": DIAGNOSTICS,
        "member_group_ids": [GROUP],
        "subscription_id": "sub",
        **overrides,
    }
    return HealthDataServicesArgs(**values)


def storage_program(**overrides: Any) -> Callable[[], None]:
    def program() -> None:
        storage = LabStorage("storage", storage_args(encryption_key("storage"), **overrides))
        pulumi.export("blobEndpoint", storage.blob_endpoint)
        pulumi.export("containerIds", storage.container_ids)

    return program


def health_program(with_export: bool = True, **overrides: Any) -> Callable[[], None]:
    """Health Data Services exporting to a lab storage account, as the lab stack wires them."""

    def program() -> None:
        if with_export:
            storage = LabStorage("storage", storage_args(encryption_key("storage")))
            overrides.setdefault("export_storage_account_name", storage.name)
            overrides.setdefault("export_container_id", storage.container_ids[EXPORT_CONTAINER])
        health = HealthDataServices("health", health_args(encryption_key("health"), **overrides))
        pulumi.export("fhirUrl", health.fhir_url)
        pulumi.export("principalId", health.principal_id)

    return program


def named(registrations: list[Registration], logical_name: str) -> Registration:
    matches = [r for r in registrations if r.urn.endswith(f"::{logical_name}")]
    assert len(matches) == 1, f"expected one resource named {logical_name}, found {len(matches)}"
    return matches[0]


def role_guid(registration: Registration) -> str:
    return registration.inputs["roleDefinitionId"].rsplit("/", 1)[-1]


def zone_group_of(registrations: list[Registration], endpoint: Registration) -> Registration:
    name = endpoint.inputs["privateEndpointName"]
    groups = [
        g for g in of_type(registrations, ZONE_GROUP) if g.inputs["privateEndpointName"] == name
    ]
    assert len(groups) == 1, f"{name} has {len(groups)} DNS zone groups; Azure allows exactly one"
    return groups[0]


@pytest.fixture(scope="module")
def storage_defaults() -> ProgramRun:
    return run(storage_program())


@pytest.fixture(scope="module")
def health_defaults() -> ProgramRun:
    return run(health_program(cors_origins=["https://viewer.example.org"]))


# --- storage -------------------------------------------------------------------------------


def test_storage_defaults(storage_defaults: ProgramRun):
    resources = storage_defaults.registrations
    account = one(resources, STORAGE_ACCOUNT)
    inputs = account.inputs
    assert inputs["kind"] == "StorageV2" and inputs["sku"] == {"name": "Standard_GRS"}
    assert inputs["enableHttpsTrafficOnly"] is True
    assert inputs["minimumTlsVersion"] == "TLS1_2"
    assert inputs["allowBlobPublicAccess"] is False
    assert inputs["allowSharedKeyAccess"] is False
    assert inputs["defaultToOAuthAuthentication"] is True
    assert inputs["allowCrossTenantReplication"] is False
    assert inputs["allowedCopyScope"] == "AAD"
    assert inputs["isLocalUserEnabled"] is False and inputs["isSftpEnabled"] is False
    assert inputs["isHnsEnabled"] is False
    assert inputs["publicNetworkAccess"] == "Disabled"
    assert inputs["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    assert not any(tag.startswith("hlz-override-") for tag in inputs["tags"])

    identity_id = named(resources, "storage-cmk-id").id
    assert inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity_id]}
    encryption = inputs["encryption"]
    assert encryption["keySource"] == "Microsoft.Keyvault"
    assert encryption["requireInfrastructureEncryption"] is True
    assert encryption["encryptionIdentity"] == {"encryptionUserAssignedIdentity": identity_id}
    # Versionless: Azure Storage follows the key's automatic rotation.
    assert encryption["keyVaultProperties"] == {
        "keyName": "t-storage-cmk",
        "keyVaultUri": "https://kv-t-abcde.vault.azure.net/",
    }
    for service in ("blob", "file", "queue", "table"):
        assert encryption["services"][service] == {"enabled": True, "keyType": "Account"}


def test_storage_account_waits_for_key_access(storage_defaults: ProgramRun):
    resources = storage_defaults.registrations
    key_access = named(resources, "storage-cmk-key-user")
    assert key_access.urn in one(resources, STORAGE_ACCOUNT).dependencies


def test_storage_blob_service_keeps_versions_deletes_and_change_feed(storage_defaults: ProgramRun):
    resources = storage_defaults.registrations
    blob = one(resources, BLOB_SERVICE).inputs
    assert blob["blobServicesName"] == "default"
    assert blob["deleteRetentionPolicy"] == {"enabled": True, "days": 30}
    assert blob["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 30}
    assert blob["isVersioningEnabled"] is True
    assert blob["changeFeed"] == {"enabled": True}
    container = one(resources, CONTAINER)
    assert container.inputs["containerName"] == EXPORT_CONTAINER
    assert container.inputs["publicAccess"] == "None"
    assert one(resources, BLOB_SERVICE).urn in container.dependencies
    assert storage_defaults.stack_outputs["containerIds"] == {EXPORT_CONTAINER: container.id}
    assert (
        storage_defaults.stack_outputs["blobEndpoint"] == "https://sttabcde.blob.core.windows.net/"
    )


def test_storage_private_endpoints_blob_and_dfs_each_with_one_zone_group(
    storage_defaults: ProgramRun,
):
    resources = storage_defaults.registrations
    account = one(resources, STORAGE_ACCOUNT)
    endpoints = {
        e.inputs["privateLinkServiceConnections"][0]["groupIds"][0]: e
        for e in of_type(resources, ENDPOINT)
    }
    assert set(endpoints) == {"blob", "dfs"}
    for group_id, endpoint in endpoints.items():
        assert endpoint.inputs["privateEndpointName"] == f"pe-t-st-{group_id}"
        connection = endpoint.inputs["privateLinkServiceConnections"][0]
        assert connection["privateLinkServiceId"] == account.id
        zone = STORAGE_ENDPOINT_ZONES[group_id]
        group = zone_group_of(resources, endpoint)
        assert group.inputs["privateDnsZoneConfigs"] == [
            {"name": zone_config_name(zone), "privateDnsZoneId": ZONES[zone]}
        ]


def test_storage_diagnostics_account_metrics_and_blob_service_logs(storage_defaults: ProgramRun):
    resources = storage_defaults.registrations
    account = one(resources, STORAGE_ACCOUNT)
    settings = {s.inputs["resourceUri"]: s.inputs for s in of_type(resources, DIAGNOSTIC_SETTING)}
    assert set(settings) == {account.id, f"{account.id}/blobServices/default"}
    account_setting = settings[account.id]
    assert "logs" not in account_setting
    assert account_setting["metrics"] == [{"category": "AllMetrics", "enabled": True}]
    blob_setting = settings[f"{account.id}/blobServices/default"]
    assert blob_setting["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert blob_setting["workspaceId"] == DIAGNOSTICS.workspace_id


def test_storage_max_override_containers_and_retention():
    override = Override(reason="FHIR $export reaches the account as a trusted Azure service")
    program = storage_program(
        trusted_services_override=override,
        containers=["datasets", "fhir-export"],
        soft_delete_days=90,
    )
    resources = run(program).registrations
    inputs = one(resources, STORAGE_ACCOUNT).inputs
    # Trusted services only: the firewall still denies every network.
    assert inputs["publicNetworkAccess"] == "Enabled"
    assert inputs["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    assert inputs["tags"]["hlz-override-trusted-services"] == override.reason
    assert sorted(c.inputs["containerName"] for c in of_type(resources, CONTAINER)) == [
        "datasets",
        "fhir-export",
    ]
    blob = one(resources, BLOB_SERVICE).inputs
    assert blob["deleteRetentionPolicy"]["days"] == 90
    assert blob["containerDeleteRetentionPolicy"]["days"] == 90


def test_storage_rejects_invalid_names_all_at_once():
    key = unregistered_key()
    with pytest.raises(ValidationError) as error:
        storage_args(key, account_name="St-Lab", containers=["Bad_Name", "ok-name", "ok-name"])
    message = str(error.value)
    assert "account_name 'St-Lab'" in message
    assert "containers[0] 'Bad_Name'" in message
    assert "containers lists ok-name more than once" in message


@pytest.mark.parametrize("days", [0, 6, 366])
def test_storage_rejects_soft_delete_outside_7_to_365_days(days: int):
    key = unregistered_key()
    with pytest.raises(ValidationError, match="soft_delete_days"):
        storage_args(key, soft_delete_days=days)


# --- Health Data Services ------------------------------------------------------------------


def test_health_data_defaults(health_defaults: ProgramRun):
    resources = health_defaults.registrations
    workspace = one(resources, WORKSPACE)
    assert not of_type(resources, "azure-native:healthcareapis:Workspace")
    assert workspace.inputs == {
        "resourceProviderNamespace": "Microsoft.HealthcareApis",
        "resourceType": "workspaces",
        "parentResourcePath": "",
        # The API version of pulumi-azure-native 3.29.0's typed healthcareapis resources.
        "apiVersion": "2024-03-31",
        "resourceName": "hdstabcde",
        "resourceGroupName": "rg-lab",
        "location": "eastus2",
        "tags": TAGS,
        "properties": {"publicNetworkAccess": "Disabled"},
    }
    assert workspace.id.endswith("/providers/Microsoft.HealthcareApis/workspaces/hdstabcde")
    fhir = one(resources, FHIR)
    inputs = fhir.inputs
    url = "https://hdstabcde-fhir-t.fhir.azurehealthcareapis.com"
    assert inputs["kind"] == "fhir-R4" and inputs["workspaceName"] == "hdstabcde"
    assert inputs["authenticationConfiguration"] == {
        "authority": "https://login.microsoftonline.com/tenant-1",
        "audience": url,
        "smartProxyEnabled": False,
    }
    cors = inputs["corsConfiguration"]
    assert cors["origins"] == ["https://viewer.example.org"]
    assert cors["allowCredentials"] is False
    assert cors["methods"] == ["GET", "HEAD", "OPTIONS"]
    assert "Authorization" in cors["headers"] and "*" not in cors["headers"]
    assert cors["maxAge"] == 600
    assert inputs["resourceVersionPolicyConfiguration"] == {"default": "versioned"}
    assert inputs["exportConfiguration"] == {"storageAccountName": "sttabcde"}
    assert health_defaults.stack_outputs["fhirUrl"] == url

    identity = named(resources, "health-cmk-id")
    key_uri = "https://kv-t-abcde.vault.azure.net/keys/t-health-cmk"
    dicom = one(resources, DICOM)
    assert dicom.inputs["dicomServiceName"] == "dicom-t"
    for service in (fhir, dicom):
        assert service.inputs["identity"] == {
            "type": "UserAssigned",
            "userAssignedIdentities": [identity.id],
        }
        assert service.inputs["encryption"] == {
            "customerManagedKeyEncryption": {"keyEncryptionKeyUrl": key_uri}
        }
        assert service.inputs["tags"] == TAGS
    assert health_defaults.stack_outputs["principalId"] == fake_guid("principal", "id-t-health")


def test_health_services_wait_for_key_access(health_defaults: ProgramRun):
    resources = health_defaults.registrations
    key_access = named(resources, "health-cmk-key-user")
    assert key_access.urn in one(resources, FHIR).dependencies
    assert key_access.urn in one(resources, DICOM).dependencies


def test_health_workspace_endpoint_has_one_zone_group_with_three_zones_after_the_services(
    health_defaults: ProgramRun,
):
    resources = health_defaults.registrations
    workspaces = [
        e for e in of_type(resources, ENDPOINT) if e.inputs["privateEndpointName"] == "pe-hdstabcde"
    ]
    assert len(workspaces) == 1
    endpoint = workspaces[0]
    connection = endpoint.inputs["privateLinkServiceConnections"][0]
    assert connection["groupIds"] == ["healthcareworkspace"]
    assert connection["privateLinkServiceId"] == one(resources, WORKSPACE).id
    group = zone_group_of(resources, endpoint)
    assert group.inputs["privateDnsZoneConfigs"] == [
        {"name": zone_config_name(zone), "privateDnsZoneId": ZONES[zone]}
        for zone in sorted(HEALTH_ZONES)
    ]
    # The zone group registers the FQDNs of the services that exist when it is created.
    assert one(resources, FHIR).urn in endpoint.dependencies
    assert one(resources, DICOM).urn in endpoint.dependencies


def test_health_diagnostics_audit_and_metrics_on_fhir_and_dicom(health_defaults: ProgramRun):
    resources = health_defaults.registrations
    settings = {s.inputs["resourceUri"]: s.inputs for s in of_type(resources, DIAGNOSTIC_SETTING)}
    for service in (one(resources, FHIR), one(resources, DICOM)):
        setting = settings[service.id]
        assert setting["logs"] == [{"categoryGroup": "audit", "enabled": True}]
        assert setting["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_health_roles_members_read_and_the_identity_writes_exports(health_defaults: ProgramRun):
    resources = health_defaults.registrations
    fhir, dicom = one(resources, FHIR), one(resources, DICOM)
    roles = {r.inputs["scope"]: r for r in of_type(resources, ROLE_ASSIGNMENT)}

    fhir_role = roles[fhir.id]
    assert role_guid(fhir_role) == BUILTIN_ROLES["FHIR Data Reader"]
    assert fhir_role.inputs["principalId"] == GROUP
    assert fhir_role.inputs["principalType"] == "Group"
    dicom_role = roles[dicom.id]
    assert role_guid(dicom_role) == BUILTIN_ROLES["DICOM Data Reader"]
    assert dicom_role.inputs["principalType"] == "Group"

    container = one(resources, CONTAINER)
    export_role = roles[container.id]
    assert role_guid(export_role) == BUILTIN_ROLES["Storage Blob Data Contributor"]
    assert export_role.inputs["principalType"] == "ServicePrincipal"
    assert export_role.inputs["principalId"] == health_defaults.stack_outputs["principalId"]
    assert (
        export_role.inputs["principalId"]
        == named(resources, "health-cmk-key-user").inputs["principalId"]
    )


def test_health_data_without_dicom():
    resources = run(health_program(with_export=False, dicom=False)).registrations
    assert not of_type(resources, DICOM)
    assert not [r for r in of_type(resources, ROLE_ASSIGNMENT) if "dicom" in r.urn]
    fhir = one(resources, FHIR)
    endpoint = [
        e for e in of_type(resources, ENDPOINT) if e.inputs["privateEndpointName"] == "pe-hdstabcde"
    ][0]
    # The workspace endpoint still registers all three zones (the workspace covers them).
    assert len(zone_group_of(resources, endpoint).inputs["privateDnsZoneConfigs"]) == 3
    assert fhir.urn in endpoint.dependencies


def test_health_data_dicom_only_has_no_fhir_or_export():
    run_ = run(health_program(with_export=False, fhir=False))
    resources = run_.registrations
    assert not of_type(resources, FHIR)
    assert one(resources, DICOM)
    assert "fhirUrl" not in run_.stack_outputs
    assert not [r for r in of_type(resources, ROLE_ASSIGNMENT) if "export" in r.urn]


def test_fhir_contributor_role():
    resources = run(health_program(with_export=False, fhir_data_role="contributor")).registrations
    fhir = one(resources, FHIR)
    # Without an export target: no export configuration and no storage role.
    assert "exportConfiguration" not in fhir.inputs
    assert not [r for r in of_type(resources, ROLE_ASSIGNMENT) if "export" in r.urn]
    (role,) = [r for r in of_type(resources, ROLE_ASSIGNMENT) if r.inputs["scope"] == fhir.id]
    assert role_guid(role) == BUILTIN_ROLES["FHIR Data Contributor"]
    methods = fhir.inputs["corsConfiguration"]["methods"]
    assert {"POST", "PUT", "PATCH", "DELETE"} <= set(methods)


@pytest.mark.parametrize(
    ("origins", "index", "fragment"),
    [
        (["https://ok.example.org", "*"], 1, "'*' is a wildcard"),
        (["https://*.example.org"], 0, "'https://*.example.org' is a wildcard"),
        (["http://app.example.org"], 0, "'http://app.example.org' is not an explicit https://"),
        (["https://app.example.org/path"], 0, "(https://host[:port], no path)"),
    ],
)
def test_cors_origins_are_exact_https_origins(origins, index, fragment):
    key = unregistered_key()
    with pytest.raises(ValidationError) as error:
        health_args(key, cors_origins=origins)
    (problem,) = error.value.errors()
    assert problem["loc"] == ("cors_origins", index)
    assert fragment in problem["msg"]


def test_health_data_rejects_inconsistent_input_all_at_once():
    key = unregistered_key()
    with pytest.raises(ValidationError) as error:
        health_args(
            key,
            workspace_name="HDS-Lab",
            fhir_name="-fhir",
            member_group_ids=["not-a-guid"],
        )
    message = str(error.value)
    assert "workspace_name 'HDS-Lab'" in message
    assert "fhir_name '-fhir'" in message
    assert "member_group_ids.0\n  Value error, 'not-a-guid' is not an Entra object id" in message
    with pytest.raises(ValidationError) as error:
        health_args(key, fhir=False, dicom=False, export_storage_account_name="st")
    message = str(error.value)
    assert "a workspace needs at least one" in message
    assert "go together" in message
    assert "fhir is False" in message


def test_health_timeouts_cover_documented_provisioning_times():
    # FHIR takes up to 30 minutes, DICOM up to 90 (azure-native's own default is 2 hours).
    assert FHIR_TIMEOUTS.create == "60m" and FHIR_TIMEOUTS.update == "60m"
    assert DICOM_TIMEOUTS.create == "120m" and DICOM_TIMEOUTS.update == "120m"


def test_data_components_expose_uniform_outputs():
    assert {"id", "name", "container_ids", "blob_endpoint"} <= set(
        components.storage.LabStorage.__annotations__
    )
    assert {"id", "name", "principal_id", "fhir_url", "fhir_id", "dicom_id"} <= set(
        components.health_data.HealthDataServices.__annotations__
    )
    assert {
        "id",
        "name",
        "principal_id",
        "endpoint",
        "cmk_key_name",
        "cmk_vault_uri",
        "cmk_identity_id",
    } <= set(components.search.AiSearch.__annotations__)


def test_the_workspace_api_version_is_the_one_the_sdk_uses_for_health_data_services():
    """The generic workspace must speak the API version of the typed FHIR/DICOM services beside
    it; an SDK upgrade that moves them fails here, naming the new version."""
    import inspect
    import re

    from pulumi_azure_native.healthcareapis import dicom_service, fhir_service, workspace

    from components.health_data import WORKSPACE_API_VERSION

    for module in (workspace, fhir_service, dicom_service):
        versions = set(
            re.findall(r"Uses Azure REST API version ([0-9-]+)\.", inspect.getsource(module))
        )
        assert versions == {WORKSPACE_API_VERSION}, (module.__name__, versions)


@pytest.mark.parametrize(
    ("build", "missing"),
    [
        (
            lambda link: LabStorage("st", storage_args(unregistered_key(), private_link=link)),
            ", ".join(STORAGE_ENDPOINT_ZONES.values()),
        ),
        (
            lambda link: HealthDataServices(
                "hds", health_args(unregistered_key(), private_link=link)
            ),
            ", ".join(HEALTH_ZONES),
        ),
        (
            lambda link: AiSearch("srch", search_args(unregistered_key(), private_link=link)),
            SEARCH_ZONE,
        ),
    ],
    ids=["storage", "health-data", "search"],
)
def test_data_components_refuse_a_missing_dns_zone_before_registering_anything(
    build: Callable[[PrivateLinkTarget], object], missing: str
):
    """Every missing zone is named (the project's ConfigError, exit 2) before the component
    itself is registered; the component used to be registered before the zones were checked."""
    no_zones = PrivateLinkTarget(subnet_id="/subnets/pe", dns_zone_ids={})
    refusals: list[ConfigError] = []

    def program() -> None:
        try:
            build(no_zones)
        except ConfigError as refused:
            refusals.append(refused)

    recorded = run(program).registrations
    assert [r.type for r in recorded] == ["pulumi:pulumi:Stack"]
    (error,) = refusals
    assert error.problems == [("private_link.dns_zone_ids", f"zones not provided: {missing}")]


def test_a_key_is_hsm_backed_unless_an_override_says_why_not():
    from tests.conftest import run_components

    def key(**overrides: Any) -> dict[str, Any]:
        args = EncryptionKeyArgs(
            placement=PLACEMENT,
            identity_name="id-t-unit",
            key_name="t-unit-cmk",
            vault_name="kv-t-abcde",
            vault_resource_group_name="rg-mgmt",
            vault_uri="https://kv-t-abcde.vault.azure.net/",
            subscription_id="sub",
            **overrides,
        )
        recorded = run_components(lambda: EncryptionKey("unit-cmk", args) and None)
        return one(recorded, "azure-native:keyvault:Key").inputs

    default = key()
    assert default["properties"]["kty"] == "RSA-HSM"
    assert not any(tag.startswith("hlz-override-") for tag in default["tags"])
    software = key(hsm_override=SOFTWARE_KEY)
    assert software["properties"]["kty"] == "RSA"
    assert software["tags"]["hlz-override-hsm"] == SOFTWARE_KEY.reason


def test_a_foundry_project_has_its_own_identity_and_grants_its_groups_on_itself_alone():
    from components.foundry import FoundryProject, FoundryProjectArgs, FoundryProjectSpec
    from components.roles import BUILTIN_ROLES
    from tests.conftest import run_components

    group = "0f8fad5b-d9cb-469f-a165-70867728950e"
    spec = FoundryProjectSpec(
        name="discharge-notes",
        description="Evaluate the discharge-summary prompts",
        member_group_ids=[group],
    )

    def program() -> None:
        FoundryProject(
            "notes",
            FoundryProjectArgs(
                placement=PLACEMENT, account_name="ais-t-lab", spec=spec, subscription_id="sub"
            ),
        )

    recorded = run_components(program)
    project = one(recorded, "azure-native:cognitiveservices:Project")
    assert project.inputs["identity"] == {"type": "SystemAssigned"}
    assert project.inputs["accountName"] == "ais-t-lab"
    assert project.inputs["projectName"] == "discharge-notes"
    role = one(recorded, "azure-native:authorization:RoleAssignment").inputs
    assert role["principalId"] == group and role["principalType"] == "Group"
    assert role["roleDefinitionId"].endswith(BUILTIN_ROLES["Azure AI User"])
    assert role["scope"] == project.id  # the project alone, not the account


# --- Azure AI Search ---------------------------------------------------------------------------

STORAGE_ID = "/subscriptions/s/resourceGroups/rg-lab/providers/Microsoft.Storage/storageAccounts/st"
AI_ACCOUNT_ID = (
    "/subscriptions/s/resourceGroups/rg-lab/providers/Microsoft.CognitiveServices/accounts/ai"
)
SEARCH_NAME = "srch-t-abcde"
APP_PRINCIPAL = "5a8f0f9e-2b1c-4d3e-8f7a-6b5c4d3e2f1a"


def search_args(key: EncryptionKey, **overrides: Any) -> AiSearchArgs:
    values: dict[str, Any] = {
        "placement": PLACEMENT,
        "service_name": SEARCH_NAME,
        "endpoint_name": "pe-t-srch",
        "encryption": key,
        "private_link": PRIVATE_LINK,
        "diagnostics": DIAGNOSTICS,
        "subscription_id": "sub",
        **overrides,
    }
    return AiSearchArgs(**values)


def search_program(**overrides: Any) -> Callable[[], None]:
    """A search service linked to a storage account and an AI account, as the lab wires it,
    its links created after a resource standing for the account's last deployment."""

    def program() -> None:
        from pulumi_azure_native import resources

        last_deployment = resources.ResourceGroup("last-deployment", location="eastus2")
        search = AiSearch(
            "search",
            search_args(
                encryption_key("search"),
                **{
                    "shared_private_links": [
                        SharedPrivateLink(
                            name="storage-blob", target_id=STORAGE_ID, group_id="blob"
                        ),
                        SharedPrivateLink(
                            name="ai-account", target_id=AI_ACCOUNT_ID, group_id="openai_account"
                        ),
                    ],
                    "data_readers": [
                        SearchDataReader(
                            name="storage", scope=STORAGE_ID, role="Storage Blob Data Reader"
                        ),
                        SearchDataReader(
                            name="ai-account",
                            scope=AI_ACCOUNT_ID,
                            role="Cognitive Services OpenAI User",
                        ),
                    ],
                    "member_group_ids": [GROUP],
                    "reader_principal_ids": {"app": APP_PRINCIPAL},
                    **overrides,
                },
            ),
            after=last_deployment,
        )
        pulumi.export("endpoint", search.endpoint)
        pulumi.export("principalId", search.principal_id)
        pulumi.export("cmk", [search.cmk_key_name, search.cmk_vault_uri, search.cmk_identity_id])

    return program


@pytest.fixture(scope="module")
def search_defaults() -> ProgramRun:
    return run(search_program())


def test_search_defaults(search_defaults: ProgramRun):
    """Private, Entra-only, CMK enforced, nothing exported: every secure value on the wire."""
    resources = search_defaults.registrations
    service = one(resources, SEARCH_SERVICE)
    inputs = service.inputs
    assert inputs["searchServiceName"] == SEARCH_NAME
    assert inputs["sku"] == {"name": "standard"}
    assert inputs["replicaCount"] == 1 and inputs["partitionCount"] == 1
    assert inputs["semanticSearch"] == "disabled"
    assert inputs["hostingMode"] == "Default"  # not high density: indexers available
    assert inputs["publicNetworkAccess"] == "Disabled"
    assert inputs["networkRuleSet"] == {"bypass": "None"}
    assert inputs["disableLocalAuth"] is True
    assert "authOptions" not in inputs  # ARM refuses it together with disableLocalAuth
    assert inputs["encryptionWithCmk"] == {"enforcement": "Enabled"}
    assert inputs["dataExfiltrationProtections"] == ["BlockAll"]
    identity = named(resources, "search-cmk-id")
    assert inputs["identity"] == {
        "type": "SystemAssigned, UserAssigned",
        "userAssignedIdentities": [identity.id],
    }
    assert inputs["tags"] == TAGS
    endpoint, principal_id, cmk = (
        search_defaults.stack_outputs[name] for name in ("endpoint", "principalId", "cmk")
    )
    assert endpoint == f"https://{SEARCH_NAME}.search.windows.net"
    assert principal_id == fake_guid("principal", "system", SEARCH_NAME)
    # What whoever creates an index needs for its encryptionKey.
    assert cmk == ["t-search-cmk", "https://kv-t-abcde.vault.azure.net/", identity.id]


def test_search_service_waits_for_key_access(search_defaults: ProgramRun):
    resources = search_defaults.registrations
    key_access = named(resources, "search-cmk-key-user")
    assert key_access.urn in one(resources, SEARCH_SERVICE).dependencies


def test_search_private_endpoint_and_diagnostics(search_defaults: ProgramRun):
    resources = search_defaults.registrations
    service = one(resources, SEARCH_SERVICE)
    endpoint = one(resources, ENDPOINT)
    assert endpoint.inputs["privateEndpointName"] == "pe-t-srch"
    connection = endpoint.inputs["privateLinkServiceConnections"][0]
    assert connection["privateLinkServiceId"] == service.id
    assert connection["groupIds"] == ["searchService"]
    assert zone_group_of(resources, endpoint).inputs["privateDnsZoneConfigs"] == [
        {"name": zone_config_name(SEARCH_ZONE), "privateDnsZoneId": ZONES[SEARCH_ZONE]}
    ]
    setting = one(resources, DIAGNOSTIC_SETTING).inputs
    assert setting["resourceUri"] == service.id
    assert setting["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert setting["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_search_private_link_constants_are_the_catalogue_rows():
    """The component's group id and zone are the catalogue's (what the landing zone creates and
    deploy-privateendpoint-restrict-group-ids accepts)."""
    from policies.rules.tokens import SEARCH_SERVICE as TOKEN
    from policies.services import SERVICES
    from stacks.ai_lab.config import SEARCH_ZONE_KEY

    link = SERVICES[TOKEN].private_link
    assert link is not None
    assert link.group_ids == (SEARCH_GROUP_ID,)
    assert link.zones == (SEARCH_ZONE,)
    assert link.zone_key == SEARCH_ZONE_KEY


def test_search_shared_private_links_are_created_one_after_another(search_defaults: ProgramRun):
    resources = search_defaults.registrations
    service = one(resources, SEARCH_SERVICE)
    first, second = of_type(resources, SHARED_PRIVATE_LINK)
    assert [link.inputs["sharedPrivateLinkResourceName"] for link in (first, second)] == [
        "storage-blob",
        "ai-account",
    ]
    assert named(resources, "last-deployment").urn in first.dependencies
    assert first.urn in second.dependencies
    for link, target, group_id in (
        (first, STORAGE_ID, "blob"),
        (second, AI_ACCOUNT_ID, "openai_account"),
    ):
        assert link.inputs["searchServiceName"] == SEARCH_NAME
        assert service.urn in link.dependencies
        properties = link.inputs["properties"]
        assert properties["privateLinkResourceId"] == target
        assert properties["groupId"] == group_id
        # The owner approving the connection sees which service asks.
        assert SEARCH_NAME in properties["requestMessage"]


def test_search_roles_identity_reads_data_groups_load_indexes_apps_query(
    search_defaults: ProgramRun,
):
    resources = search_defaults.registrations
    service = one(resources, SEARCH_SERVICE)
    principal = search_defaults.stack_outputs["principalId"]
    grants = {
        (r.inputs["scope"], role_guid(r)): r.inputs for r in of_type(resources, ROLE_ASSIGNMENT)
    }
    storage_read = grants[(STORAGE_ID, BUILTIN_ROLES["Storage Blob Data Reader"])]
    model_use = grants[(AI_ACCOUNT_ID, BUILTIN_ROLES["Cognitive Services OpenAI User"])]
    for grant in (storage_read, model_use):
        assert grant["principalId"] == principal
        assert grant["principalType"] == "ServicePrincipal"
    contributor = grants[(service.id, BUILTIN_ROLES["Search Index Data Contributor"])]
    assert contributor["principalId"] == GROUP and contributor["principalType"] == "Group"
    reader = grants[(service.id, BUILTIN_ROLES["Search Index Data Reader"])]
    assert reader["principalId"] == APP_PRINCIPAL
    assert reader["principalType"] == "ServicePrincipal"
    objects = grants[(service.id, SEARCH_OBJECTS_GUID)]
    assert objects["principalId"] == GROUP and objects["principalType"] == "Group"
    # Besides the key's own grant, exactly these five.
    assert len(grants) == 6


SEARCH_RESOURCE_GROUP_ID = "/subscriptions/sub/resourceGroups/rg-lab"
SEARCH_OBJECTS_ROLE = f"Search Object Contributor ({SEARCH_NAME})"
SEARCH_OBJECTS_GUID = role_definition_name(SEARCH_RESOURCE_GROUP_ID, SEARCH_OBJECTS_ROLE)
ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions"


def role_definitions(resources: list[Registration]) -> list[Registration]:
    return [
        r
        for r in of_type(resources, WORKSPACE)
        if f"{r.inputs['resourceProviderNamespace']}/{r.inputs['resourceType']}" == ROLE_DEFINITION
    ]


def test_search_members_manage_objects_through_a_custom_role_not_the_service(
    search_defaults: ProgramRun,
):
    resources = search_defaults.registrations
    (definition,) = role_definitions(resources)
    inputs = definition.inputs
    assert inputs["apiVersion"] == "2022-04-01"
    assert inputs["parentResourcePath"] == ""
    assert inputs["resourceGroupName"] == "rg-lab"
    assert inputs["resourceName"] == SEARCH_OBJECTS_GUID
    properties = inputs["properties"]
    assert properties["roleName"] == SEARCH_OBJECTS_ROLE
    assert properties["type"] == "CustomRole"
    assert properties["assignableScopes"] == [SEARCH_RESOURCE_GROUP_ID]
    (permission,) = properties["permissions"]
    # Every object a RAG pipeline needs, each to read, write and delete; on the service itself
    # only read: no write (network access, tier), no delete, no keys, no private links.
    service_prefix = "Microsoft.Search/searchServices/"
    objects = ("indexes", "dataSources", "indexers", "skillsets", "synonymMaps")
    assert set(permission["actions"]) == {f"{service_prefix}read"} | {
        f"{service_prefix}{kind}/{verb}" for kind in objects for verb in ("read", "write", "delete")
    }
    assert len(permission["actions"]) == len(set(permission["actions"]))
    assert permission["notActions"] == permission["dataActions"] == []
    assert permission["notDataActions"] == []
    service = one(resources, SEARCH_SERVICE)
    (assignment,) = [
        r
        for r in of_type(resources, ROLE_ASSIGNMENT)
        if r.inputs["roleDefinitionId"].endswith(f"/{SEARCH_OBJECTS_GUID}")
    ]
    assert assignment.inputs["scope"] == service.id
    assert assignment.inputs["principalId"] == GROUP
    assert assignment.inputs["roleDefinitionId"] == (
        f"/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/{SEARCH_OBJECTS_GUID}"
    )
    assert definition.urn in assignment.dependencies


def test_search_object_role_cannot_manage_the_service_its_keys_or_its_links():
    actions = set(SEARCH_OBJECT_ACTIONS)
    never = {
        "Microsoft.Search/searchServices/write",
        "Microsoft.Search/searchServices/delete",
        "Microsoft.Search/searchServices/listAdminKeys/action",
        "Microsoft.Search/searchServices/regenerateAdminKey/action",
        "Microsoft.Search/searchServices/listQueryKeys/action",
        "Microsoft.Search/searchServices/createQueryKey/action",
    }
    assert not actions & never
    assert not any(
        "*" in action
        or "/sharedPrivateLinkResources/" in action
        or "/privateEndpointConnection" in action
        for action in actions
    )


def test_search_without_member_groups_defines_no_role():
    resources = run(search_program(member_group_ids=[])).registrations
    assert role_definitions(resources) == []


def test_search_production_capacity_and_semantic_ranker():
    spec = SearchSpec(
        sku="standard2", replica_count=3, partition_count=12, semantic_search="standard"
    )
    inputs = one(run(search_program(spec=spec)).registrations, SEARCH_SERVICE).inputs
    assert inputs["sku"] == {"name": "standard2"}
    assert (inputs["replicaCount"], inputs["partitionCount"]) == (3, 12)
    assert inputs["semanticSearch"] == "standard"


@pytest.mark.parametrize(
    ("spec", "field", "fragment"),
    [
        ({"sku": "basic"}, "sku", "'basic' is not a tier a lab may use"),
        ({"sku": "free"}, "sku", "not a tier a lab may use"),
        ({"replica_count": 13}, "replica_count", "13 replicas; the standard tier allows 1 to 12"),
        ({"replica_count": 0}, "replica_count", "greater than or equal to 1"),
        ({"replica_count": True}, "replica_count", "valid integer"),
        ({"partition_count": 5}, "partition_count", "allows 1, 2, 3, 4, 6, 12"),
        ({"sku": "standard3", "partition_count": 24}, "partition_count", "the standard3 tier"),
        ({"semantic_search": "premium"}, "semantic_search", "'disabled', 'free' or 'standard'"),
    ],
    ids=[
        "basic_sku",
        "free_sku",
        "replicas_beyond_tier",
        "no_replicas",
        "boolean_replicas",
        "partitions_not_offered",
        "partitions_beyond_tier",
        "unknown_semantic_plan",
    ],
)
def test_search_spec_refuses_what_the_tier_cannot_do(spec, field, fragment):
    with pytest.raises(ValidationError) as error:
        SearchSpec(**spec)
    (problem,) = error.value.errors()
    assert problem["loc"] == (field,)
    assert fragment in problem["msg"]


def test_search_spec_reports_replicas_and_partitions_at_once():
    with pytest.raises(ValidationError) as error:
        SearchSpec(replica_count=20, partition_count=7)
    assert [problem["loc"] for problem in error.value.errors()] == [
        ("replica_count",),
        ("partition_count",),
    ]


def test_search_rejects_invalid_names_all_at_once():
    key = unregistered_key()
    link = SharedPrivateLink(name="blob", target_id=STORAGE_ID, group_id="blob")
    reader = SearchDataReader(name="storage", scope=STORAGE_ID, role="Storage Blob Data Reader")
    with pytest.raises(ValidationError) as error:
        search_args(
            key,
            service_name="Srch--Lab",
            shared_private_links=[link, link],
            data_readers=[reader, reader],
        )
    message = str(error.value)
    assert "service_name 'Srch--Lab' has characters or a shape Azure does not allow" in message
    # The duplicates are found only once every field is valid: one more round.
    with pytest.raises(ValidationError) as error:
        search_args(key, shared_private_links=[link, link], data_readers=[reader, reader])
    message = str(error.value)
    assert "shared_private_links names blob more than once" in message
    assert "data_readers names storage more than once" in message


def test_search_data_readers_get_read_roles_only():
    with pytest.raises(ValidationError) as error:
        SearchDataReader(name="storage", scope=STORAGE_ID, role="Storage Blob Data Contributor")  # type: ignore[arg-type]
    (problem,) = error.value.errors()
    assert problem["loc"] == ("role",)


def test_a_foundry_project_connects_to_the_lab_search_with_entra_id_and_reads_its_indexes():
    from components.foundry import (
        FoundryProject,
        FoundryProjectArgs,
        FoundryProjectSpec,
        FoundrySearchConnection,
    )
    from tests.conftest import run_components

    search_id = (
        "/subscriptions/s/resourceGroups/rg-lab/providers/Microsoft.Search/searchServices/srch"
    )
    spec = FoundryProjectSpec(
        name="discharge-notes",
        description="Evaluate the discharge-summary prompts",
        member_group_ids=[GROUP],
    )

    def program() -> None:
        FoundryProject(
            "notes",
            FoundryProjectArgs(
                placement=PLACEMENT,
                account_name="ais-t-lab",
                spec=spec,
                subscription_id="sub",
                search=FoundrySearchConnection(
                    connection_name="conn-t-search",
                    search_id=search_id,
                    endpoint="https://srch.search.windows.net",
                ),
            ),
        )

    recorded = run_components(program)
    project = one(recorded, "azure-native:cognitiveservices:Project")
    connection = one(recorded, PROJECT_CONNECTION)
    assert connection.inputs["connectionName"] == "conn-t-search"
    assert connection.inputs["projectName"] == "discharge-notes"
    assert connection.inputs["accountName"] == "ais-t-lab"
    assert connection.inputs["properties"] == {
        "authType": "AAD",
        "category": "CognitiveSearch",
        "target": "https://srch.search.windows.net",
        "metadata": {"ResourceId": search_id, "ApiType": "Azure"},
    }
    assert project.urn in connection.dependencies
    (reader,) = [r for r in of_type(recorded, ROLE_ASSIGNMENT) if r.inputs["scope"] == search_id]
    assert role_guid(reader) == BUILTIN_ROLES["Search Index Data Reader"]
    assert reader.inputs["principalType"] == "ServicePrincipal"
    # The project's system-assigned identity (the mocks answer it per resource name).
    assert reader.inputs["principalId"] == fake_guid("principal", "system", "discharge-notes")


def test_a_foundry_search_connection_name_follows_azures_rule():
    from components.foundry import FoundrySearchConnection

    with pytest.raises(ValidationError) as error:
        FoundrySearchConnection(connection_name="x" * 34, search_id="/s", endpoint="https://s")
    (problem,) = error.value.errors()
    assert problem["loc"] == ("connection_name",)
    assert "Azure allows at most 33 for foundry_connection" in problem["msg"]
