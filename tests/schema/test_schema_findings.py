"""One mutation of a real planned resource per finding kind; the compliant original is the
zero-findings test in test_schema_plans.py."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from hlz.plan import Plan
from hlz.schema.validate import TypeFinding, validate_resource

GENERIC = "azure-native:resources:Resource"


def planned(plan: Plan, token: str) -> tuple[str, dict[str, Any]]:
    """(urn, deep copy of the wire inputs) of the first ``token`` resource in ``plan``."""
    registration = next(r for r in plan.ordered() if r.type == token)
    return registration.urn, copy.deepcopy(registration.inputs)


def check(urn: str, token: str, inputs: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.kind, f.path) for f in validate_resource(urn, token, inputs)]


def health_workspace(plan: Plan) -> tuple[str, dict[str, Any]]:
    """The Health Data Services workspace: a generic resource in the component."""
    registration = next(
        r
        for r in plan.registrations
        if r.type == GENERIC and r.inputs.get("resourceType") == "workspaces"
    )
    return registration.urn, copy.deepcopy(registration.inputs)


def test_unknown_top_level_input(lab_prod: Plan) -> None:
    urn, inputs = planned(lab_prod, "azure-native:storage:StorageAccount")
    # The ARM name is not the SDK's input name: the SDK sends enableHttpsTrafficOnly.
    inputs["supportsHttpsTrafficOnly"] = True
    assert check(urn, "azure-native:storage:StorageAccount", inputs) == [
        ("unknown-property", "supportsHttpsTrafficOnly")
    ]


def test_unknown_property_in_a_nested_object(lz_prod: Plan) -> None:
    urn, inputs = planned(lz_prod, "azure-native:keyvault:Vault")
    inputs["properties"]["networkAcls"]["defaultActon"] = "Deny"
    assert check(urn, "azure-native:keyvault:Vault", inputs) == [
        ("unknown-property", "properties.networkAcls.defaultActon")
    ]


def test_read_only_property(lab_prod: Plan) -> None:
    urn, inputs = planned(lab_prod, "azure-native:storage:StorageAccount")
    inputs["provisioningState"] = "Succeeded"
    assert check(urn, "azure-native:storage:StorageAccount", inputs) == [
        ("read-only-property", "properties.provisioningState")
    ]


def test_closed_enum_value_outside_the_set(lab_prod: Plan) -> None:
    urn, inputs = planned(lab_prod, "azure-native:storage:StorageAccount")
    inputs["accessTier"] = "Warm"  # x-ms-enum AccessTier, modelAsString false
    findings = validate_resource(urn, "azure-native:storage:StorageAccount", inputs)
    assert [(f.kind, f.path) for f in findings] == [("enum-value", "properties.accessTier")]
    assert "'Hot'" in findings[0].message


SEARCH = "azure-native:search:Service"
SEARCH_URN = "urn:pulumi:t::p::azure-native:search:Service::srch"


def _search_inputs(**extra: Any) -> dict[str, Any]:
    return {
        "resourceGroupName": "rg-hlz-prod",
        "searchServiceName": "srch-hlz-prod",
        "location": "eastus2",
        "sku": {"name": "standard"},
        **extra,
    }


def test_search_hosting_mode_in_the_sdk_casing_is_accepted() -> None:
    # The SDK fills in hostingMode 'Default'; the 2025-05-01 definition spells it 'default'.
    # The Search provider compares it without case (hlz.schema.validate.CASE_INSENSITIVE_ENUMS).
    for value in ("Default", "HighDensity", "default"):
        assert validate_resource(SEARCH_URN, SEARCH, _search_inputs(hostingMode=value)) == []


def test_case_tolerance_is_limited_to_its_listed_property() -> None:
    findings = validate_resource(SEARCH_URN, SEARCH, _search_inputs(hostingMode="Dense"))
    assert [(f.kind, f.path) for f in findings] == [("enum-value", "properties.hostingMode")]
    # Another closed enum of the same resource still compares exactly.
    inputs = _search_inputs(encryptionWithCmk={"enforcement": "ENABLED"})
    findings = validate_resource(SEARCH_URN, SEARCH, inputs)
    assert [(f.kind, f.path) for f in findings] == [
        ("enum-value", "properties.encryptionWithCmk.enforcement")
    ]


def test_closed_enum_value_in_a_flattened_sub_resource(lab_prod: Plan) -> None:
    urn, inputs = planned(lab_prod, "azure-native:storage:BlobContainer")
    inputs["publicAccess"] = "Anonymous"
    assert check(urn, "azure-native:storage:BlobContainer", inputs) == [
        ("enum-value", "properties.publicAccess")
    ]


def test_open_enum_accepts_any_string(lz_prod: Plan) -> None:
    urn, inputs = planned(lz_prod, "azure-native:keyvault:Vault")
    inputs["properties"]["networkAcls"]["defaultAction"] = "SomethingNew"
    assert check(urn, "azure-native:keyvault:Vault", inputs) == []


def test_required_property_missing(lz_prod: Plan) -> None:
    urn, inputs = planned(lz_prod, "azure-native:keyvault:Vault")
    del inputs["properties"]["tenantId"]
    assert check(urn, "azure-native:keyvault:Vault", inputs) == [
        ("required-missing", "properties.tenantId")
    ]


def test_required_property_missing_in_a_flattened_array_item(lz_prod: Plan) -> None:
    urn, inputs = planned(lz_prod, "azure-native:network:NetworkSecurityGroup")
    del inputs["securityRules"][2]["protocol"]
    assert check(urn, "azure-native:network:NetworkSecurityGroup", inputs) == [
        ("required-missing", "properties.securityRules[2].properties.protocol")
    ]


def test_type_mismatch(lab_prod: Plan) -> None:
    urn, inputs = planned(lab_prod, "azure-native:keyvault:Key")
    inputs["properties"]["keySize"] = "3072"
    assert check(urn, "azure-native:keyvault:Key", inputs) == [
        ("type-mismatch", "properties.keySize")
    ]


def test_type_mismatch_in_a_nested_flattened_object(lz_prod: Plan) -> None:
    urn, inputs = planned(lz_prod, "azure-native:network:PrivateEndpoint")
    inputs["privateLinkServiceConnections"][0]["groupIds"] = "azuremonitor"
    assert check(urn, "azure-native:network:PrivateEndpoint", inputs) == [
        ("type-mismatch", "properties.privateLinkServiceConnections[0].properties.groupIds")
    ]


def test_generic_resource_is_checked_against_its_target_type(lab_prod: Plan) -> None:
    urn, inputs = health_workspace(lab_prod)
    assert check(urn, GENERIC, inputs) == []
    inputs["properties"]["publicNetworkAccess"] = 0
    inputs["properties"]["privateEndpointConnections"] = []
    inputs["properties"]["publicNetworkAccessMode"] = "Off"
    findings = validate_resource(urn, GENERIC, inputs)
    assert {(f.kind, f.path) for f in findings} == {
        ("type-mismatch", "properties.publicNetworkAccess"),
        ("read-only-property", "properties.privateEndpointConnections"),
        ("unknown-property", "properties.publicNetworkAccessMode"),
    }
    assert {(f.arm_type, f.api_version) for f in findings} == {
        ("Microsoft.HealthcareApis/workspaces", "2024-03-31")
    }


def test_generic_resource_of_a_version_not_vendored_is_one_finding(lab_prod: Plan) -> None:
    urn, inputs = health_workspace(lab_prod)
    inputs["apiVersion"] = "2023-11-01"
    findings = validate_resource(urn, GENERIC, inputs)
    assert [(f.kind, f.arm_type, f.api_version) for f in findings] == [
        ("no-type-definition", "Microsoft.HealthcareApis/workspaces", "2023-11-01")
    ]


def test_azure_type_without_a_vendored_definition_is_one_finding() -> None:
    # A managed disk: no catalogue row, so no ARM path and no vendored definition (virtual
    # machines served here until the lab jump host gave them both).
    findings = validate_resource(
        "urn:pulumi:x::hlz::azure-native:compute:Disk::disk",
        "azure-native:compute:Disk",
        {"resourceGroupName": "rg", "diskSizeGB": 32, "creationData": {"createOption": "Empty"}},
    )
    assert [f.kind for f in findings] == ["no-type-definition"]


@pytest.mark.parametrize("token", ["hlz:security:KeyVault", "pulumi:pulumi:Stack"])
def test_component_and_engine_types_are_not_checked(token: str) -> None:
    assert validate_resource("urn", token, {"anything": 1}) == []


@pytest.mark.parametrize("marker", ["[unknown]", "[secret]"])
def test_unknown_and_secret_values_are_never_findings(lab_prod: Plan, marker: str) -> None:
    urn, inputs = planned(lab_prod, "azure-native:storage:StorageAccount")
    inputs["accessTier"] = marker  # would be enum-value if it were a real value
    inputs["keyPolicy"] = marker  # would be type-mismatch
    inputs["notAnInput"] = marker  # would be unknown-property
    assert check(urn, "azure-native:storage:StorageAccount", inputs) == []


def test_finding_names_the_resource(lab_prod: Plan) -> None:
    urn, inputs = planned(lab_prod, "azure-native:storage:StorageAccount")
    inputs["accessTier"] = "Warm"
    [finding] = validate_resource(urn, "azure-native:storage:StorageAccount", inputs)
    assert finding == TypeFinding(
        urn=urn,
        resource_type="azure-native:storage:StorageAccount",
        arm_type="Microsoft.Storage/storageAccounts",
        api_version="2024-01-01",
        kind="enum-value",
        path="properties.accessTier",
        message=finding.message,
    )
