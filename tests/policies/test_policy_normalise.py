"""One view of a resource for every rule: versioned tokens and generic resources."""

from __future__ import annotations

from policy_cases import COMPLIANT, mutate

from policies.evaluation import evaluate
from policies.model import NonCompliant, NotApplicable
from policies.normalise import normalise
from policies.registry import RULES_BY_ID

GENERIC = "azure-native:resources:Resource"
STORAGE = "azure-native:storage:StorageAccount"


def test_a_versioned_token_is_judged_as_its_typed_resource():
    token, props = normalise("azure-native:storage/v20230101:StorageAccount", {"x": 1})
    assert (token, props) == (STORAGE, {"x": 1})
    rule = RULES_BY_ID["storage-account-require-minimum-tls12"]
    weak = mutate(COMPLIANT[STORAGE], {"minimumTlsVersion": "TLS1_0"})
    outcome = evaluate(rule, "azure-native:storage/v20230101:StorageAccount", weak)  # type: ignore[arg-type]
    assert isinstance(outcome, NonCompliant)


def test_a_generic_resource_gets_the_typed_name_input_and_keeps_unflattened_properties():
    token, props = normalise(GENERIC, COMPLIANT[GENERIC])
    assert token == "azure-native:healthcareapis:Workspace"
    assert props["workspaceName"] == "hdshlzprod"
    # The SDK does not flatten the workspace's properties: they stay where the rule reads them.
    assert props["properties"] == {"publicNetworkAccess": "Disabled"}
    assert "resourceProviderNamespace" not in props and "apiVersion" not in props


PUBLIC_TLS10_STORAGE = {
    "resourceProviderNamespace": "Microsoft.Storage",
    "resourceType": "storageAccounts",
    "parentResourcePath": "",
    "apiVersion": "2023-01-01",
    "resourceName": "stgeneric",
    "resourceGroupName": "rg",
    "location": "eastus2",
    "kind": "StorageV2",
    "sku": {"name": "Standard_LRS"},
    "properties": {
        "minimumTlsVersion": "TLS1_0",
        "supportsHttpsTrafficOnly": False,
        "publicNetworkAccess": "Enabled",
        "allowBlobPublicAccess": True,
        "networkAcls": {"defaultAction": "Allow"},
    },
}


def test_a_generic_storage_account_is_judged_on_its_arm_properties_under_their_sdk_names():
    token, props = normalise(GENERIC, PUBLIC_TLS10_STORAGE)
    assert token == STORAGE
    # Flattened: properties.* at the top level; renamed: supportsHttpsTrafficOnly and
    # networkAcls carry the SDK's names, as a typed StorageAccount's inputs do.
    assert props["accountName"] == "stgeneric"
    assert props["minimumTlsVersion"] == "TLS1_0"
    assert props["enableHttpsTrafficOnly"] is False and "supportsHttpsTrafficOnly" not in props
    assert props["networkRuleSet"] == {"defaultAction": "Allow"} and "networkAcls" not in props
    failing = {
        rule_id
        for rule_id in (
            "storage-account-require-minimum-tls12",
            "storage-account-require-https-only",
            "storage-account-disallow-public-network-access",
            "storage-account-require-network-default-deny",
            "storage-account-disallow-blob-public-access",
        )
        if isinstance(
            evaluate(RULES_BY_ID[rule_id], GENERIC, PUBLIC_TLS10_STORAGE),  # type: ignore[arg-type]
            NonCompliant,
        )
    }
    assert failing == {
        "storage-account-require-minimum-tls12",
        "storage-account-require-https-only",
        "storage-account-disallow-public-network-access",
        "storage-account-require-network-default-deny",
        "storage-account-disallow-blob-public-access",
    }


def test_a_child_type_in_parent_resource_path_is_recognised():
    token, _ = normalise(
        GENERIC,
        {
            "resourceProviderNamespace": "Microsoft.HealthcareApis",
            "parentResourcePath": "workspaces/hds1",
            "resourceType": "fhirservices",
            "resourceName": "fhir",
        },
    )
    assert token == "azure-native:healthcareapis:FhirService"


def test_a_generic_resource_of_an_unknown_type_stays_generic():
    props = {"resourceProviderNamespace": "Microsoft.Contoso", "resourceType": "widgets"}
    assert normalise(GENERIC, props) == (GENERIC, props)
    rule = RULES_BY_ID["healthcareapis-workspace-disallow-public-network-access"]
    assert isinstance(evaluate(rule, GENERIC, props), NotApplicable)  # type: ignore[arg-type]
