"""Undetermined results (values unknown until deployment) are reported in every format, and
`--fail-on-unknown` decides which fail the check (PHI-protecting rules in production by default)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema

from hlz.plan import Plan
from hlz.plan_document import UNKNOWN_MARK
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0.json").read_text())
VAULT = "azure-native:keyvault:Vault"
RULE = "keyvault-vault-disallow-public-network-access"  # PHI-protecting


def _unknown_vault_access(plan: Plan, tmp_path: Path) -> Path:
    document = copy.deepcopy(plan.to_json())
    vault = next(s["newState"] for s in document["steps"] if s["newState"]["type"] == VAULT)
    vault["inputs"]["properties"]["publicNetworkAccess"] = UNKNOWN_MARK
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    return path


def test_production_fails_on_an_undetermined_phi_rule_by_default(lz_prod: Plan, tmp_path: Path):
    plan = _unknown_vault_access(lz_prod, tmp_path)
    sarif_path, markdown_path = tmp_path / "r.sarif", tmp_path / "r.md"
    code, out, err = run_hlz("check", plan, "--sarif", sarif_path, "--markdown", markdown_path)
    assert code == 1, err
    assert f"  UNDETERMINED {RULE} [164.312(e)(1)] keyvault:Vault::platform-kv-kv:" in out
    # Every PHI rule that reads the unknown value is undetermined, and each one fails.
    failing = out.count("  UNDETERMINED ")
    assert f"--fail-on-unknown phi: {failing} of them fail the check" in out
    document = json.loads(sarif_path.read_text())
    jsonschema.validate(document, SARIF_SCHEMA)
    results = [
        r for r in document["runs"][0]["results"] if "undetermined until deployment" in r["message"]["text"]
    ]
    assert len(results) == failing
    (result,) = [r for r in results if r["ruleId"] == RULE]
    assert (result["kind"], result["level"]) == ("fail", "error")
    text = markdown_path.read_text()
    assert f"{failing} undetermined PHI check(s)** — the deployment is blocked" in text
    assert f"| yes | `{RULE}` | `keyvault:Vault::platform-kv-kv` |" in text


def test_fail_on_unknown_none_reports_but_passes(lz_prod: Plan, tmp_path: Path):
    plan = _unknown_vault_access(lz_prod, tmp_path)
    sarif_path, markdown_path = tmp_path / "r.sarif", tmp_path / "r.md"
    code, out, err = run_hlz(
        "check", plan, "--fail-on-unknown", "none",
        "--sarif", sarif_path, "--markdown", markdown_path,
    )
    assert code == 0, err
    assert "--fail-on-unknown none: 0 of them fail the check" in out
    results = [
        r
        for r in json.loads(sarif_path.read_text())["runs"][0]["results"]
        if "undetermined until deployment" in r["message"]["text"]
    ]
    assert results and all((r["kind"], r["level"]) == ("open", "none") for r in results)
    text = markdown_path.read_text()
    assert f"**No mandatory violations**, no type errors, {len(results)} result(s) undetermined" in text
    assert "#### Undetermined (values unknown until deployment)" in text


def test_lab_reports_undetermined_results_without_failing(lz_dev: Plan, tmp_path: Path):
    plan = _unknown_vault_access(lz_dev, tmp_path)
    assert run_hlz("check", plan, "--quiet").code == 0
    code, out, _ = run_hlz("check", plan, "--fail-on-unknown", "all", "--quiet")
    assert code == 1
    last = out.splitlines()[-1]
    assert re.fullmatch(r"lz-dev: 0 mandatory violations, [1-9]\d* undetermined PHI checks", last)


def test_unjudged_resources_are_listed_in_every_format(lab_dev: Plan, tmp_path: Path):
    document = copy.deepcopy(lab_dev.to_json())
    document["steps"].append(
        {
            "op": "create",
            "urn": "urn:pulumi:lab-dev::hlz::azure-native:sql:Server::sql",
            "newState": {
                "urn": "urn:pulumi:lab-dev::hlz::azure-native:sql:Server::sql",
                "type": "azure-native:sql:Server",
                "custom": True,
                "parent": "",
                "inputs": {"serverName": "sql-x", "location": "eastus2"},
                "dependencies": [],
                "propertyDependencies": {},
            },
        }
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    sarif_path, markdown_path = tmp_path / "r.sarif", tmp_path / "r.md"
    code, out, err = run_hlz("check", path, "--sarif", sarif_path, "--markdown", markdown_path)
    assert code == 0, err  # advisory: listed, never failing
    assert "unjudged (no rule checks their configuration; advisory)" in out
    assert "sql:Server (1)" in out
    unjudged = json.loads(sarif_path.read_text())["runs"][0]["properties"]["unjudged"]
    assert {"urn": "urn:pulumi:lab-dev::hlz::azure-native:sql:Server::sql", "type": "azure-native:sql:Server"} in unjudged
    assert "`azure-native:sql:Server` (1)" in markdown_path.read_text()


def test_hostile_text_in_a_plan_is_escaped_in_the_console_and_markdown(
    lab_dev: Plan, tmp_path: Path
):
    document = copy.deepcopy(lab_dev.to_json())
    vault_like = next(
        s["newState"] for s in document["steps"] if s["newState"]["type"] == "azure-native:storage:StorageAccount"
    )
    vault_like["inputs"]["minimumTlsVersion"] = "TLS1_0\x1b[2J\n  ok | forged"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    markdown_path = tmp_path / "r.md"
    code, out, err = run_hlz("check", path, "--markdown", markdown_path)
    assert code == 1, err  # TLS1_0 violates a mandatory rule
    assert "\x1b" not in out and "\\x1b[2J\\n  ok \\| forged" not in out
    assert "TLS1_0\\x1b[2J\\n  ok | forged" in out
    text = markdown_path.read_text()
    assert "\x1b" not in text and "TLS1_0\\x1b[2J   ok \\| forged" in text
