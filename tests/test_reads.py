"""Reads (``Resource.get``) are recorded as reads, like ``pulumi preview --json`` does, and never
judged as resources the stack manages."""

from __future__ import annotations

from pathlib import Path

from hlz.plan import plan_stack
from hlz.policy_check import check_plan, stack_resources
from hlz.stackfiles import load_stack_file
from tests.cli_runner import run_hlz
from tests.fixtures.insecure_stack import STACK_FILE

VAULT_ID = (
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-shared"
    "/providers/Microsoft.KeyVault/vaults/kv-shared"
)


def _read_only_program(tmp_path: Path) -> Path:
    program = tmp_path / "__main__.py"
    program.write_text(
        f"from pulumi_azure_native import keyvault\nkeyvault.Vault.get('shared', {VAULT_ID!r})\n"
    )
    return program


def test_a_get_is_a_read_step_with_its_id_and_no_findings(tmp_path: Path):
    program = _read_only_program(tmp_path)
    plan = plan_stack(
        "tiny", stack_file=load_stack_file("tiny", path=STACK_FILE), program_file=program
    )
    document = plan.to_json()
    vault_steps = [
        step
        for step in document["steps"]
        if step["newState"]["type"] == "azure-native:keyvault:Vault"
    ]
    assert [step["op"] for step in vault_steps] == ["read"]
    state = vault_steps[0]["newState"]
    assert state["id"] == VAULT_ID and state["external"] is True
    # The stack itself is the only create, as in the real preview.
    assert document["changeSummary"] == {"create": 1, "read": 1}
    assert stack_resources(document) == []
    report = check_plan(document, exemptions=[])
    assert report.findings == []


def test_hlz_plan_of_a_program_with_only_a_read_exits_0(tmp_path: Path):
    program = _read_only_program(tmp_path)
    code, out, err = run_hlz("plan", "tiny", "--program", program, "--stack-file", STACK_FILE)
    assert code == 0, err
    assert "0 resources to create" in out and "1 read" in out
