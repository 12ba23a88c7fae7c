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


def test_a_generic_resource_gets_the_typed_name_input_and_its_properties_lifted():
    token, props = normalise(GENERIC, COMPLIANT[GENERIC])
    assert token == "azure-native:healthcareapis:Workspace"
    assert props["workspaceName"] == "hdshlzprod"
    assert props["publicNetworkAccess"] == "Disabled"  # lifted from properties
    assert "resourceProviderNamespace" not in props and "apiVersion" not in props


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
