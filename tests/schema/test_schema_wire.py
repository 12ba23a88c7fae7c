"""Wire inputs -> ARM request body, and the swagger-derived data checked against the SDK."""

from __future__ import annotations

import collections.abc as cabc
import copy
import enum
import importlib
import typing
from typing import Any

import pytest

from hlz.engine.sdk_internals import (
    input_type_annotations,
    input_type_wire_names,
    is_input_type,
)
from hlz.plan import Plan
from hlz.schema.bicep_types import default_library
from hlz.schema.catalog import GENERIC_RESOURCE, resource_spec, sdk_api_version
from hlz.schema.validate import validate_resource
from hlz.schema.wire import ArmRequest, load_wire_data, to_arm_request
from policies.arm_types import ARM_PATHS
from tests.policies.policy_cases import COMPLIANT


def arm_request(token: str, inputs: dict[str, Any]) -> ArmRequest:
    spec = resource_spec(token, inputs)
    assert spec is not None
    definition = default_library().resource(spec.arm_type, spec.api_version)
    assert definition is not None
    mapping = load_wire_data().resources[token]
    return to_arm_request(
        inputs, definition.body, mapping.body, frozenset(mapping.parameters), load_wire_data()
    )


def planned_inputs(plan: Plan, token: str) -> dict[str, Any]:
    """The first ``token`` in the plan's reproducible order (registration order varies)."""
    return copy.deepcopy(next(r for r in plan.ordered() if r.type == token).inputs)


def test_renamed_input_goes_to_its_arm_name(lab_prod: Plan) -> None:
    inputs = planned_inputs(lab_prod, "azure-native:storage:StorageAccount")
    assert inputs["enableHttpsTrafficOnly"] is True
    request = arm_request("azure-native:storage:StorageAccount", inputs)
    assert request.body["properties"]["supportsHttpsTrafficOnly"] is True
    assert "enableHttpsTrafficOnly" not in request.body["properties"]
    # x-ms-client-name inside a nested object: networkAcls (SDK networkRuleSet), encryption.
    assert request.body["properties"]["networkAcls"]["defaultAction"] == "Deny"
    encryption = request.body["properties"]["encryption"]
    assert set(encryption["keyvaultproperties"]) == {"keyvaulturi", "keyname"}
    assert "userAssignedIdentity" in encryption["identity"]


def test_flattened_input_goes_under_properties(lab_prod: Plan) -> None:
    inputs = planned_inputs(lab_prod, "azure-native:storage:StorageAccount")
    request = arm_request("azure-native:storage:StorageAccount", inputs)
    assert request.body["properties"]["minimumTlsVersion"] == "TLS1_2"
    assert "minimumTlsVersion" not in request.body
    assert request.body["sku"] == {"name": inputs["sku"]["name"]}
    assert request.body["kind"] == "StorageV2"


def test_url_parameters_leave_the_body(lab_prod: Plan) -> None:
    inputs = planned_inputs(lab_prod, "azure-native:storage:StorageAccount")
    request = arm_request("azure-native:storage:StorageAccount", inputs)
    assert set(request.parameters) == {"resourceGroupName", "accountName"}
    assert not set(request.parameters) & set(request.body)


def test_sub_resources_are_flattened_too(lz_prod: Plan) -> None:
    inputs = planned_inputs(lz_prod, "azure-native:network:PrivateEndpoint")
    body = arm_request("azure-native:network:PrivateEndpoint", inputs).body
    subnet = body["properties"]["subnet"]
    assert subnet["properties"]["privateEndpointNetworkPolicies"] == "Disabled"
    assert subnet["id"] == inputs["subnet"]["id"]
    connection = body["properties"]["privateLinkServiceConnections"][0]
    assert connection["name"] == inputs["privateLinkServiceConnections"][0]["name"]
    assert connection["properties"]["groupIds"] == ["azuremonitor"]


def test_kept_properties_input_is_not_flattened(lz_prod: Plan) -> None:
    # Key Vault's swagger does not mark VaultCreateOrUpdateParameters.properties for
    # flattening: the SDK has a `properties` input and it is the ARM `properties`.
    inputs = planned_inputs(lz_prod, "azure-native:keyvault:Vault")
    body = arm_request("azure-native:keyvault:Vault", inputs).body
    assert body["properties"] == inputs["properties"]


def test_user_assigned_identities_list_becomes_a_map(lab_prod: Plan) -> None:
    inputs = planned_inputs(lab_prod, "azure-native:storage:StorageAccount")
    identities = inputs["identity"]["userAssignedIdentities"]
    body = arm_request("azure-native:storage:StorageAccount", inputs).body
    assert body["identity"]["userAssignedIdentities"] == {i: {} for i in identities}


def test_flattened_container_sent_by_name_is_reported() -> None:
    # The SDK never sends a flattened container; if it does, the data is wrong for it.
    findings = validate_resource(
        "urn",
        "azure-native:network:RouteTable",
        {"resourceGroupName": "rg", "routeTableName": "rt", "properties": {"routes": []}},
    )
    assert [(f.kind, f.path) for f in findings] == [("unknown-property", "properties")]


# --- Azure AI Search: no example stack plans one, so the inputs are built as the SDK sends them -

SEARCH_SERVICE = "azure-native:search:Service"
SEARCH_SHARED_PRIVATE_LINK = "azure-native:search:SharedPrivateLinkResource"
SEARCH_SETTINGS = {
    "publicNetworkAccess": "Disabled",
    "disableLocalAuth": True,
    "encryptionWithCmk": {"enforcement": "Enabled"},
    "dataExfiltrationProtections": ["BlockAll"],
    "networkRuleSet": {"ipRules": [{"value": "203.0.113.0/24"}], "bypass": "AzureServices"},
    "replicaCount": 2.0,
    "hostingMode": "Default",
    "semanticSearch": "free",
}


def search_service_inputs() -> dict[str, Any]:
    """The policy tests' compliant search service (shaped as the SDK registers it), plus the
    settings above."""
    return {**copy.deepcopy(COMPLIANT[SEARCH_SERVICE]), **copy.deepcopy(SEARCH_SETTINGS)}


def test_search_service_settings_go_under_properties() -> None:
    # SearchService.properties is x-ms-client-flatten: every service setting is a top-level
    # input in the SDK and `properties.<name>` in ARM.
    inputs = search_service_inputs()
    request = arm_request(SEARCH_SERVICE, inputs)
    assert request.unplaced == ()
    properties = request.body["properties"]
    for name, value in SEARCH_SETTINGS.items():
        assert properties[name] == value, name
        assert name not in request.body, name
    # IpRule.value keeps its name here (storage renames its `value` to iPAddressOrRange).
    assert properties["networkRuleSet"]["ipRules"] == [{"value": "203.0.113.0/24"}]


def test_search_service_resource_envelope_stays_top_level() -> None:
    inputs = search_service_inputs()
    request = arm_request(SEARCH_SERVICE, inputs)
    assert set(request.body) == {"properties", "sku", "identity", "location", "tags"}
    assert request.body["sku"] == {"name": "standard"}
    assert request.body["identity"] == {"type": "SystemAssigned"}
    assert request.body["location"] == inputs["location"]
    assert request.body["tags"] == inputs["tags"]
    assert request.parameters == {
        "resourceGroupName": inputs["resourceGroupName"],
        "searchServiceName": inputs["searchServiceName"],
    }


def test_search_shared_private_link_keeps_its_properties_input() -> None:
    # SharedPrivateLinkResource.properties is not flattened: the SDK's `properties` input is
    # the ARM `properties`.
    target = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hlz-prod"
        "/providers/Microsoft.Storage/storageAccounts/sthlzprod"
    )
    inputs = {
        "resourceGroupName": "rg-hlz-prod",
        "searchServiceName": "srch-hlz-prod",
        "sharedPrivateLinkResourceName": "spl-blob",
        "properties": {
            "groupId": "blob",
            "privateLinkResourceId": target,
            "requestMessage": "indexer access",
        },
    }
    request = arm_request(SEARCH_SHARED_PRIVATE_LINK, inputs)
    assert request.unplaced == ()
    assert request.body == {"properties": inputs["properties"]}
    assert request.body["properties"]["groupId"] == "blob"
    assert request.body["properties"]["privateLinkResourceId"] == target
    assert set(request.parameters) == {
        "resourceGroupName",
        "searchServiceName",
        "sharedPrivateLinkResourceName",
    }


def test_search_types_are_checked_against_the_sdk() -> None:
    # The parametrised SDK checks below run over every token of the data.
    assert {SEARCH_SERVICE, SEARCH_SHARED_PRIVATE_LINK} <= set(TYPED_TOKENS)


# --- the lab jump host: the policy tests' fixtures, shaped as the SDK registers them ----------

VIRTUAL_MACHINE = "azure-native:compute:VirtualMachine"
VM_EXTENSION = "azure-native:compute:VirtualMachineExtension"
DISK_ENCRYPTION_SET = "azure-native:compute:DiskEncryptionSet"
NETWORK_INTERFACE = "azure-native:network:NetworkInterface"
JUMP_HOST_TYPES = (VIRTUAL_MACHINE, VM_EXTENSION, DISK_ENCRYPTION_SET, NETWORK_INTERFACE)


@pytest.mark.parametrize("token", JUMP_HOST_TYPES)
def test_jump_host_fixture_passes_the_type_check(token: str) -> None:
    assert validate_resource("urn", token, copy.deepcopy(COMPLIANT[token])) == []


def test_virtual_machine_profiles_go_under_properties() -> None:
    # VirtualMachine.properties is x-ms-client-flatten (ComputeRP 2024-11-01): the profiles are
    # top-level SDK inputs and `properties.<profile>` in ARM, unchanged below that.
    inputs = copy.deepcopy(COMPLIANT[VIRTUAL_MACHINE])
    request = arm_request(VIRTUAL_MACHINE, inputs)
    assert request.unplaced == ()
    properties = request.body["properties"]
    for profile in (
        "securityProfile",
        "storageProfile",
        "osProfile",
        "hardwareProfile",
        "diagnosticsProfile",
    ):
        assert properties[profile] == inputs[profile], profile
        assert profile not in request.body, profile
    assert properties["securityProfile"]["encryptionAtHost"] is True
    assert properties["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"] is True
    assert set(request.body) == {"properties", "identity", "location", "tags"}
    assert request.parameters == {"resourceGroupName": "rg-hlz-prod", "vmName": "vm-jh-hlz-prod"}


def test_virtual_machine_nic_reference_flattens_its_properties() -> None:
    # NetworkInterfaceReference.properties (computeRPCommon.json) is flattened too.
    inputs = copy.deepcopy(COMPLIANT[VIRTUAL_MACHINE])
    body = arm_request(VIRTUAL_MACHINE, inputs).body
    (reference,) = body["properties"]["networkProfile"]["networkInterfaces"]
    assert reference == {
        "id": inputs["networkProfile"]["networkInterfaces"][0]["id"],
        "properties": {"primary": True, "deleteOption": "Delete"},
    }


def test_extension_type_is_the_extension_type_not_the_resource_type() -> None:
    # The SDK's `type` is VirtualMachineExtensionProperties.type (flattened); the envelope's
    # `type` (Microsoft.Compute/virtualMachines/extensions) is read-only and never an input.
    inputs = copy.deepcopy(COMPLIANT[VM_EXTENSION])
    request = arm_request(VM_EXTENSION, inputs)
    assert request.unplaced == ()
    assert "type" not in request.body
    assert request.body["properties"] == {
        "publisher": "Microsoft.Azure.ActiveDirectory",
        "type": "AADSSHLoginForLinux",
        "typeHandlerVersion": "1.0",
        "autoUpgradeMinorVersion": True,
    }
    assert set(request.parameters) == {"resourceGroupName", "vmName", "vmExtensionName"}


def test_disk_encryption_set_settings_go_under_properties() -> None:
    inputs = copy.deepcopy(COMPLIANT[DISK_ENCRYPTION_SET])
    request = arm_request(DISK_ENCRYPTION_SET, inputs)
    assert request.unplaced == ()
    assert request.body["properties"] == {
        "encryptionType": "EncryptionAtRestWithCustomerKey",
        "activeKey": inputs["activeKey"],
        "rotationToLatestKeyVersionEnabled": True,
    }
    # The identity stays on the envelope; its list of ids becomes ARM's map.
    (identity_id,) = inputs["identity"]["userAssignedIdentities"]
    assert request.body["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": {identity_id: {}},
    }


def test_network_interface_ip_configurations_are_flattened() -> None:
    # NetworkInterface.properties and NetworkInterfaceIPConfiguration.properties are both
    # flattened, and so is the subnet inside (Subnet.properties).
    inputs = copy.deepcopy(COMPLIANT[NETWORK_INTERFACE])
    request = arm_request(NETWORK_INTERFACE, inputs)
    assert request.unplaced == ()
    assert set(request.body) == {"properties", "location", "tags"}
    (configuration,) = request.body["properties"]["ipConfigurations"]
    subnet_id = inputs["ipConfigurations"][0]["subnet"]["id"]
    assert configuration == {
        "name": "ipconfig1",
        "properties": {
            "primary": True,
            "privateIPAllocationMethod": "Dynamic",
            "subnet": {
                "id": subnet_id,
                "properties": {
                    "privateEndpointNetworkPolicies": "Disabled",
                    "privateLinkServiceNetworkPolicies": "Enabled",
                },
            },
        },
    }


def test_a_public_ip_on_a_network_interface_goes_under_its_ip_configuration() -> None:
    inputs = copy.deepcopy(COMPLIANT[NETWORK_INTERFACE])
    public_ip = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/p"
    inputs["ipConfigurations"][0]["publicIPAddress"] = {"id": public_ip}
    body = arm_request(NETWORK_INTERFACE, inputs).body
    configuration = body["properties"]["ipConfigurations"][0]
    assert configuration["properties"]["publicIPAddress"] == {"id": public_ip}


def test_jump_host_types_are_checked_against_the_sdk() -> None:
    # The parametrised SDK checks below run over every token of the data.
    assert set(JUMP_HOST_TYPES) <= set(TYPED_TOKENS)


# --- budgets and alerts: the policy tests' fixtures, shaped as the components register them ---

METRIC_ALERT = "azure-native:monitor:MetricAlert"
ALERTING_TYPES = (
    METRIC_ALERT,
    "azure-native:monitor:ActivityLogAlert",
    "azure-native:monitor:ActionGroup",
    "azure-native:consumption:Budget",
)


@pytest.mark.parametrize("token", ALERTING_TYPES)
def test_alerting_fixture_passes_the_type_check(token: str) -> None:
    assert validate_resource("urn", token, copy.deepcopy(COMPLIANT[token])) == []


def test_a_discriminator_the_sdk_renames_selects_its_variant() -> None:
    # MetricAlertCriteria's discriminator is 'odata.type' in ARM and odataType on the wire; the
    # variant it names (single-resource criteria) holds allOf.
    inputs = copy.deepcopy(COMPLIANT[METRIC_ALERT])
    request = arm_request(METRIC_ALERT, inputs)
    assert request.unplaced == ()
    criteria = request.body["properties"]["criteria"]
    assert criteria["odata.type"] == inputs["criteria"]["odataType"]
    assert "odataType" not in criteria
    assert criteria["allOf"] == inputs["criteria"]["allOf"]


def test_a_fractional_metric_threshold_is_not_a_type_mismatch() -> None:
    # The swagger's threshold is a double (Cosmos DB availability: 99.9); Bicep, which has no
    # fractional numbers, calls it int. A string is still refused.
    fixture = copy.deepcopy(COMPLIANT[METRIC_ALERT])
    assert fixture["criteria"]["allOf"][0]["threshold"] == 99.9
    assert validate_resource("urn", METRIC_ALERT, fixture) == []
    fixture["criteria"]["allOf"][0]["threshold"] = "99.9"
    findings = validate_resource("urn", METRIC_ALERT, fixture)
    assert [(f.kind, f.path) for f in findings] == [
        ("type-mismatch", "properties.criteria.allOf[0].threshold")
    ]


def test_a_fractional_value_elsewhere_is_still_a_type_mismatch() -> None:
    fixture = copy.deepcopy(COMPLIANT[METRIC_ALERT])
    fixture["severity"] = 1.5
    findings = validate_resource("urn", METRIC_ALERT, fixture)
    assert [(f.kind, f.path) for f in findings] == [("type-mismatch", "properties.severity")]


# --- the data against the installed SDK -------------------------------------------------------

# Names the SDK's input types have that the API version it sends does not: pulumi-azure-native
# shares one input type per name across the module's resources, which are on different API
# versions, so a type can carry properties of a newer version. Sending one is a real error.
NOT_IN_THE_API_VERSION = {
    ("azure-native:network:VirtualNetwork", "properties.subnets[0].serviceGateway"),
    ("azure-native:network:Subnet", "serviceGateway"),
    ("azure-native:network:PrivateEndpoint", "properties.subnet.serviceGateway"),
    (
        "azure-native:network:NetworkInterface",
        "properties.ipConfigurations[0].properties.subnet.serviceGateway",
    ),
    (
        "azure-native:network:NetworkInterface",
        "properties.ipConfigurations[0].properties.virtualNetworkTaps[0].properties"
        ".destinationLoadBalancerFrontEndIPConfiguration.properties.subnet.serviceGateway",
    ),
    (
        "azure-native:network:NetworkInterface",
        "properties.privateLinkService.properties.ipConfigurations[0].properties.subnet"
        ".serviceGateway",
    ),
    (
        "azure-native:network:NetworkInterface",
        "properties.privateLinkService.properties.loadBalancerFrontendIpConfigurations[0]"
        ".properties.subnet.serviceGateway",
    ),
    ("azure-native:cognitiveservices:RaiPolicy", "properties.contentFilters[0].action"),
    ("azure-native:cognitiveservices:RaiPolicy", "properties.safetyProviders"),
}


def sample(annotation: Any, depth: int = 0, seen: frozenset[type] = frozenset()) -> Any:
    """A value for every input of an SDK input type, nested types included."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        members = [a for a in args if a is not type(None)]
        for member in members:
            member_origin = typing.get_origin(member)
            if (isinstance(member, type) and is_input_type(member)) or member_origin in (
                list,
                cabc.Sequence,
                dict,
                cabc.Mapping,
            ):
                return sample(member, depth, seen)
        return sample(members[0], depth, seen)
    if origin in (list, cabc.Sequence):
        return [sample(args[0], depth, seen)]
    if origin in (dict, cabc.Mapping):
        return {"key": sample(args[1], depth, seen)}
    if origin is not None:  # Awaitable[T], Output[T]
        return sample(args[0], depth, seen)
    if annotation is bool:
        return True
    if annotation in (int, float):
        return 1
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return next(iter(annotation)).value
    if isinstance(annotation, type) and is_input_type(annotation):
        if annotation in seen or depth > 7:
            return {}
        return constructed(
            annotation,
            {
                name: sample(value, depth + 1, seen | {annotation})
                for name, value in input_type_annotations(annotation).items()
            },
        )
    return "x"


def constructed(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (wire names) as an instance of the input type holds them: a variant of a
    discriminated union pins its discriminator in ``__init__`` whatever it is given
    (``AADAuthTypeConnectionPropertiesArgs`` always sends ``authType: 'AAD'``)."""
    names = input_type_wire_names(cls)
    instance = cls(**{py: values[wire] for py, wire in names.items() if wire in values})
    return {wire: getattr(instance, py) for py, wire in names.items() if wire in values}


def union_members(annotation: Any) -> list[type]:
    """The input types a ``Union`` input accepts (the variants of a discriminated union)."""
    if typing.get_origin(annotation) is not typing.Union:
        return []
    return [a for a in typing.get_args(annotation) if isinstance(a, type) and is_input_type(a)]


TYPED_TOKENS = sorted(t for t in load_wire_data().resources if t != GENERIC_RESOURCE)


def _args_class(token: str) -> type:
    """The resource's constructor arguments: ``<Name>Args``, or ``<Name>InitArgs`` where an input
    type already holds the name ``<Name>Args`` (``ProjectCapabilityHostArgs`` is the capability
    host's properties)."""
    module, name = token.split(":")[1:]
    sdk_module = importlib.import_module(f"pulumi_azure_native.{module}")
    return getattr(sdk_module, f"{name}InitArgs", None) or getattr(sdk_module, f"{name}Args")


@pytest.mark.parametrize("token", TYPED_TOKENS)
def test_every_sdk_input_has_a_place_in_the_arm_body(token: str) -> None:
    """Every input the SDK can send (nested input types included) lands on a property of the
    Bicep type after translation: a missing or wrong flatten/rename fact fails here."""
    inputs = sample(_args_class(token))
    unknown = {
        (token, f.path)
        for f in validate_resource("urn", token, inputs)
        if f.kind in ("unknown-property", "no-type-definition")
    }
    assert unknown <= NOT_IN_THE_API_VERSION


VARIANTS = [
    pytest.param(token, field, member, id=f"{token.rsplit(':', 1)[-1]}.{field}-{member.__name__}")
    for token in TYPED_TOKENS
    for field, annotation in input_type_annotations(_args_class(token)).items()
    if len(members := union_members(annotation)) > 1
    for member in members
]


@pytest.mark.parametrize(("token", "field", "member"), VARIANTS)
def test_every_variant_of_a_union_input_has_a_place_in_the_arm_body(
    token: str, field: str, member: type
) -> None:
    """A top-level input taking one of several input types (a Foundry connection's
    ``properties``: one per ``authType``): every variant, not only the first one ``sample``
    picks, lands on the Bicep type's variant it names."""
    inputs = {**sample(_args_class(token)), field: sample(member)}
    unknown = {
        (token, f.path)
        for f in validate_resource("urn", token, inputs)
        if f.kind in ("unknown-property", "no-type-definition", "enum-value")
        and f.path.startswith(field)
    }
    assert not unknown


@pytest.mark.parametrize("token", TYPED_TOKENS)
def test_data_matches_the_sdk_api_version_and_url_parameters(token: str) -> None:
    mapping = load_wire_data().resources[token]
    assert mapping.api_version == sdk_api_version(token)
    path = ARM_PATHS.get(token)
    if path is not None:
        names = {key for _, key in path.levels if key != "default"}
        if path.scope_key:
            names.add(path.scope_key)
        assert names <= set(mapping.parameters)
