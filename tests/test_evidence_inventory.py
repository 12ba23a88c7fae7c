"""``hlz report inventory``: every planned resource is listed exactly once, with the facts the
pack reads (issue 14 item 5, "Evidence")."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from hlz.plan import Plan
from hlz.render.inventory_resources import COLUMNS, inventory_csv, resource_inventory
from hlz.stackfiles import available_stacks
from tests.cli_runner import run_hlz
from tests.conftest import planned

STACKS = available_stacks()
"""Every example stack (genomics included: a lab without model deployments)."""


def _managed_urns(plan: dict[str, Any]) -> list[str]:
    """Read off the plan itself: custom resources it creates (not reads, not components, not
    providers, not stack references)."""
    return [
        step["newState"]["urn"]
        for step in plan["steps"]
        if step["newState"].get("custom")
        and step.get("op") != "read"
        and not step["newState"]["type"].startswith(("pulumi:providers:", "pulumi:pulumi:"))
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_every_managed_resource_is_listed_exactly_once(stack: str):
    document = planned(stack).to_json()
    expected = _managed_urns(document)
    listed = [row.urn for row in resource_inventory(document)]
    assert sorted(listed) == sorted(expected)
    assert len(set(listed)) == len(listed)
    components = {s["newState"]["urn"] for s in document["steps"] if not s["newState"]["custom"]}
    assert not components & set(listed)


def _storage_row(plan: Plan):
    rows = resource_inventory(plan.to_json())
    return next(row for row in rows if row.urn.endswith("StorageAccount::storage-sa"))


def test_lab_storage_account_facts(lab_dev: Plan):
    row = _storage_row(lab_dev)
    inputs = next(
        s["newState"]["inputs"] for s in lab_dev.to_json()["steps"] if s["urn"] == row.urn
    )
    key = inputs["encryption"]["keyVaultProperties"]
    assert row.arm_type == "Microsoft.Storage/storageAccounts"
    assert row.name == inputs["accountName"] and row.resource_group == inputs["resourceGroupName"]
    assert row.data_classification == "phi" and row.owner == inputs["tags"]["owner"]
    assert row.encryption_at_rest == "customer-managed key"
    assert row.key == f"key {key['keyName']} in {key['keyVaultUri']}"
    assert row.network_exposure == "publicNetworkAccess Disabled; private endpoint"
    identity = inputs["identity"]["userAssignedIdentities"][0]
    assert row.identities == (f"user-assigned {identity}",)
    assert row.diagnostics.endswith("/workspaces/log-hlzdev-platform")


def test_a_storage_account_without_cmk_or_endpoint_reads_so(lab_dev: Plan):
    document = json.loads(json.dumps(lab_dev.to_json()))
    urn = _storage_row(lab_dev).urn
    for step in document["steps"]:
        state = step["newState"]
        if state["urn"] == urn:
            state["inputs"]["encryption"]["keySource"] = "Microsoft.Storage"
            state["inputs"]["publicNetworkAccess"] = "Enabled"
        if state["type"] == "azure-native:network:PrivateEndpoint":
            connections = state["propertyDependencies"].get("privateLinkServiceConnections", [])
            if urn in connections:
                state["custom"] = False  # drop the account's endpoints from the plan
        if state["type"] == "azure-native:monitor:DiagnosticSetting":
            state["custom"] = False
    row = next(row for row in resource_inventory(document) if row.urn == urn)
    assert (row.encryption_at_rest, row.key) == ("platform-managed key", "")
    assert row.network_exposure == "publicNetworkAccess Enabled; no private endpoint"
    assert row.diagnostics == "MISSING (monitor-resource-require-diagnostic-settings)"


def test_a_role_assignment_says_why_it_has_no_diagnostics(lab_dev: Plan):
    row = next(
        r for r in resource_inventory(lab_dev.to_json()) if r.type.endswith("RoleAssignment")
    )
    assert row.encryption_at_rest == "n/a" and row.network_exposure == "no public endpoint"
    assert row.diagnostics.startswith("none needed: a control-plane object")


def test_csv_quotes_by_rfc_4180_and_round_trips(lab_dev: Plan):
    rows = resource_inventory(lab_dev.to_json())
    text = inventory_csv(rows)
    assert text.startswith("stack,URN,type,ARM type,") and "\r\n" in text
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == [title for _, title in COLUMNS]
    assert parsed[1:] == [list(row.cells()) for row in rows]
    assert any("," in cell for row in parsed for cell in row)  # quoting was needed and done


@pytest.mark.parametrize("owner", ['=HYPERLINK("http://x.example","y")', "+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_a_spreadsheet_would_run_as_a_formula_are_kept_as_text(lab_dev: Plan, owner):
    """A tag is the team's text: opened in a spreadsheet, a cell starting with = + - @ (or a
    tab or carriage return) would be a formula (CWE-1236). The CSV prefixes such a cell with
    an apostrophe, as OWASP advises; the JSON keeps the value as it is."""
    document = copy.deepcopy(lab_dev.to_json())  # its inputs are the session plan's own
    account = next(
        step["newState"]
        for step in document["steps"]
        if step["newState"]["type"] == "azure-native:storage:StorageAccount"
    )
    account["inputs"]["tags"]["owner"] = owner
    rows = resource_inventory(document)
    parsed = list(csv.reader(io.StringIO(inventory_csv(rows))))
    column = [title for _, title in COLUMNS].index("owner")
    cells = [row[column] for row in parsed[1:]]
    assert f"'{owner}" in cells
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in parsed for cell in row
    )
    assert owner in [row.owner for row in rows]


def test_inventory_command_writes_csv_and_json_from_a_saved_plan(tmp_path: Path, lab_dev: Plan):
    saved = tmp_path / "lab-dev.plan.json"
    saved.write_text(json.dumps(lab_dev.to_json()))
    out_csv, out_json = tmp_path / "inv.csv", tmp_path / "inv.json"
    code, _, err = run_hlz(
        "report", "inventory", "lab-dev", "--plan", saved, "--csv", out_csv, "--json", out_json
    )
    assert code == 0, err
    document = json.loads(out_json.read_text())
    assert document["stacks"] == ["lab-dev"]
    assert len(document["resources"]) == len(_managed_urns(lab_dev.to_json()))
    assert len(list(csv.reader(io.StringIO(out_csv.read_text())))) == len(document["resources"]) + 1


def test_inventory_refuses_a_plan_of_another_stack(tmp_path: Path, lab_dev: Plan):
    saved = tmp_path / "lab-dev.plan.json"
    saved.write_text(json.dumps(lab_dev.to_json()))
    code, _, err = run_hlz("report", "inventory", "lz-dev", "--plan", saved)
    assert code == 2
    # The words hlz cost and hlz audit use for the same mistake (hlz.stack_plans).
    assert (
        f"hlz: invalid --plan (1 problem):\n  - {saved}: is a plan of 'lab-dev', not of 'lz-dev'"
        in err
    )


def test_inventory_refuses_plan_with_stack_file(tmp_path: Path):
    saved, stack_file = tmp_path / "p.json", tmp_path / "Pulumi.x.yaml"
    code, _, err = run_hlz(
        "report", "inventory", "lab-dev", "--plan", saved, "--stack-file", stack_file
    )
    assert code == 2 and "--plan and --stack-file exclude each other" in err
