"""The audit's pieces on their own: ARM ids, an ARM answer made into the rules' inputs, the
comparison's skips and relaxations, the recorded-answer reader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hlz.audit.compare import ABSENT, ADDED, CHANGED, Rules, compare
from hlz.audit.deployed import deployed_inputs, parse_arm_id
from hlz.audit.expected import Expectations, Expected, expected_resources, guid_map, substitute
from hlz.audit.read import ReplayReader
from hlz.audit.type_facts import relaxed_enums, write_only_check
from hlz.plan import Plan
from hlz.preflight.arm import UnexpectedResponse
from tests.cli_runner import run_hlz

SUB = "11111111-2222-4333-8444-555555555555"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-lab"
SANDBOX = Path(__file__).parent / "fixtures" / "arm" / "audit" / "lab-dev"


@pytest.fixture(scope="module")
def expectations(lab_dev: Plan) -> Expectations:
    return expected_resources(lab_dev.to_json(), SUB)


def one(expectations: Expectations, token: str) -> Expected:
    [found] = [e for e in expectations.resources if e.token == token]
    return found


# --- ARM ids and answers ---------------------------------------------------------------------


def test_an_extension_resource_id_hangs_below_its_scope():
    parsed = parse_arm_id(
        f"{RG}/providers/Microsoft.Storage/storageAccounts/st1/providers/"
        "Microsoft.Insights/diagnosticSettings/to-log-analytics"
    )
    assert parsed is not None
    assert parsed.scope == f"{RG}/providers/Microsoft.Storage/storageAccounts/st1"
    assert parsed.arm_type == "Microsoft.Insights/diagnosticSettings"
    assert parsed.resource_group == "rg-lab"


def test_a_child_resource_id_and_a_resource_group_id():
    child = parse_arm_id(f"{RG}/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1")
    assert child is not None and child.types == ("virtualNetworks", "subnets")
    assert child.names == ("v1", "s1") and child.collection == f"{RG}/providers/Microsoft.Network/virtualNetworks/v1/subnets"
    group = parse_arm_id(RG)
    assert group is not None and group.arm_type == "Microsoft.Resources/resourceGroups"
    assert parse_arm_id("not an id") is None
    assert parse_arm_id(f"{RG}/providers/Microsoft.Network/virtualNetworks") is None


def test_an_answer_becomes_the_typed_inputs_the_rules_read():
    answer = {
        "id": f"{RG}/providers/Microsoft.Storage/storageAccounts/st1",
        "name": "st1",
        "type": "Microsoft.Storage/storageAccounts",
        "location": "eastus2",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/id/a": {"principalId": "p"}}},
        "properties": {"supportsHttpsTrafficOnly": True, "provisioningState": "Succeeded"},
    }
    token, inputs = deployed_inputs(answer, "2024-01-01")
    assert token == "azure-native:storage:StorageAccount"
    assert inputs["accountName"] == "st1" and inputs["resourceGroupName"] == "rg-lab"
    # Renamed and flattened as the SDK sends it; the identity map as the SDK's list.
    assert inputs["enableHttpsTrafficOnly"] is True
    assert inputs["identity"]["userAssignedIdentities"] == ["/id/a"]
    assert "type" not in inputs and "name" not in inputs


def test_an_extension_resource_gets_its_scope_input_from_its_id():
    scope = f"{RG}/providers/Microsoft.Network/networkSecurityGroups/nsg1"
    answer = {
        "id": f"{scope}/providers/Microsoft.Insights/diagnosticSettings/to-log-analytics",
        "properties": {"workspaceId": "/w", "logs": []},
    }
    token, inputs = deployed_inputs(answer, "2021-05-01-preview")
    assert token == "azure-native:monitor:DiagnosticSetting"
    assert inputs["resourceUri"] == scope and inputs["name"] == "to-log-analytics"


# --- the comparison ----------------------------------------------------------------------------


def test_markers_and_made_up_values_are_counted_not_compared():
    made_up = "0b0e7b7c-3d53-4c1e-9a61-5d0b3c9c7f11"
    planned = {"a": "[unknown]", "b": "[secret]", "principalId": made_up, "c": None, "d": "x"}
    deployed = {"a": 1, "b": "hunter2", "principalId": "other", "d": "x"}
    result = compare(planned, deployed, Rules(made_up=frozenset({made_up})))
    assert result.drift == []
    assert result.not_compared == {"unknown": 1, "secret": 1, "computed": 1}
    assert result.compared == 1


def test_a_made_up_value_learned_from_azure_is_compared_again():
    fake = "0b0e7b7c-3d53-4c1e-9a61-5d0b3c9c7f11"
    real = "5e1f0c3a-9d2b-4c7e-8a61-2f4b6d8e0a13"
    learned = guid_map(f"https://kv/keys/k/{fake}", f"https://kv/keys/k/{real}")
    assert learned == {fake: real}
    planned = substitute({"principalId": fake, "ids": {f"/x/{fake}": {}}}, learned)
    assert planned == {"principalId": real, "ids": {f"/x/{real}": {}}}
    result = compare(planned, {"principalId": "someone-else", "ids": {}}, Rules())
    assert [d.property for d in result.drift] == ["principalId"]


def test_a_missing_property_is_absent_unless_write_only(expectations):
    account = one(expectations, "azure-native:cognitiveservices:Account")
    properties = dict(account.inputs["properties"])
    # AccountProperties.restore is WriteOnly in the type definition of the API version.
    planned = {**account.inputs, "properties": {**properties, "restore": True}}
    del properties["customSubDomainName"]
    deployed = {**account.inputs, "properties": properties}
    rules = Rules(write_only=write_only_check(account))
    result = compare(planned, deployed, rules)
    assert result.not_compared == {"writeOnly": 1}
    assert [(d.property, d.change) for d in result.drift] == [
        ("properties.customSubDomainName", ABSENT)
    ]
    assert Rules().write_only(("properties", "restore")) is False


def test_lists_of_named_objects_match_by_name_and_added_items_are_drift():
    planned = {"rules": [{"name": "a", "priority": 100}, {"name": "b", "priority": 200}]}
    reordered = {"rules": [{"name": "B", "priority": 200}, {"name": "a", "priority": 100}]}
    assert compare(planned, reordered, Rules()).drift == []
    grown = {"rules": [*reordered["rules"], {"name": "open-rdp", "priority": 90}]}
    [drift] = compare(planned, grown, Rules()).drift
    assert (drift.property, drift.change) == ("rules[name=open-rdp]", ADDED)


def test_lists_whose_names_repeat_match_by_position():
    planned = {"filters": [{"name": "Hate", "source": "Prompt"}, {"name": "Hate", "source": "Completion"}]}
    assert compare(planned, json.loads(json.dumps(planned)), Rules()).drift == []
    swapped = {"filters": list(reversed(planned["filters"]))}
    assert {d.property for d in compare(planned, swapped, Rules()).drift} == {
        "filters[0].source",
        "filters[1].source",
    }


def test_a_list_of_values_is_one_property_compared_in_order():
    planned = {"addressPrefixes": ["10.1.0.0/24"]}
    [drift] = compare(planned, {"addressPrefixes": ["10.1.0.0/24", "0.0.0.0/0"]}, Rules()).drift
    assert (drift.property, drift.change) == ("addressPrefixes", CHANGED)


def test_a_provider_that_echoes_an_enum_lowercased_is_not_drift(expectations):
    search = one(expectations, "azure-native:search:Service")
    assert search.inputs["hostingMode"] == "Default"
    rules = Rules(relaxed_enums=relaxed_enums(search))
    assert compare({"hostingMode": "Default"}, {"hostingMode": "default"}, rules).drift == []
    storage = next(e for e in expectations.resources if e.token.endswith(":StorageAccount"))
    assert relaxed_enums(storage) == frozenset()
    assert compare({"accessTier": "Hot"}, {"accessTier": "hot"}, Rules()).drift


# --- recorded answers -------------------------------------------------------------------------


def test_replay_matches_paths_without_case_and_answers_404_for_no_file():
    reader = ReplayReader(SANDBOX)
    [subscription] = reader.subscriptions()
    path = f"/SUBSCRIPTIONS/{subscription}/RESOURCEGROUPS/RG-HLZD-CLINICAL-NLP"
    assert reader.get(path, "2024-03-01", action="read")["name"] == "rg-hlzd-clinical-nlp"
    with pytest.raises(Exception) as raised:
        reader.get(f"{path}/providers/Microsoft.Network/publicIPAddresses/none", "x", action="a")
    assert getattr(raised.value, "status", None) == 404


def test_a_recorded_listing_with_a_next_link_is_refused_naming_the_file(tmp_path):
    listing = tmp_path / "subscriptions" / SUB / "resourceGroups" / "rg" / "resources.json"
    listing.parent.mkdir(parents=True)
    listing.write_text(json.dumps({"value": [], "nextLink": "https://x/next"}))
    with pytest.raises(UnexpectedResponse) as raised:
        ReplayReader(tmp_path).list_values(
            f"/subscriptions/{SUB}/resourceGroups/rg/resources", "2021-04-01", action="a"
        )
    assert str(listing) in str(raised.value) and "a recorded listing is one page" in str(raised.value)


def test_a_broken_recorded_answer_is_exit_4_naming_the_file(tmp_path, monkeypatch, planner):
    import hlz.plan

    monkeypatch.setattr(hlz.plan, "Planner", lambda: planner)
    copy = tmp_path / "lab-dev"
    shutil.copytree(SANDBOX, copy)
    [broken] = copy.rglob("sthlzdclinicalnlp2a58a.json")
    broken.write_text('{"id": "/subscriptions/x", ')  # cut short while hand-editing
    code, out, err = run_hlz("audit", "lab-dev", "--replay", copy)
    assert code == 4, out + err
    assert f"(recorded in {broken}): not JSON" in err
    assert "fix: correct the recorded answer" in err
    assert "Traceback" not in err and out == ""
