"""Offline type validation is part of `hlz plan` / `hlz check` output and every report."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema

from hlz.plan import Plan
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0.json").read_text())
STORAGE = "azure-native:storage:StorageAccount"


def _with_bad_access_tier(lab_dev: Plan) -> dict:
    document = copy.deepcopy(lab_dev.to_json())
    state = next(
        s["newState"]
        for s in document["steps"]
        if s["newState"]["type"] == STORAGE and s["newState"]["urn"].endswith("::storage-sa")
    )
    # Not a value of the AccessTier enum of Microsoft.Storage 2024-01-01 (no HIPAA rule reads it).
    state["inputs"]["accessTier"] = "Frozen"
    return document


def test_the_example_plan_has_no_type_findings(lab_dev: Plan, tmp_path: Path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(lab_dev.to_json()))
    code, out, err = run_hlz("check", path, "--quiet")
    assert code == 0, err
    assert out.strip() == "lab-dev: 0 mandatory violations"


def test_a_type_error_fails_check_and_shows_in_every_format(lab_dev: Plan, tmp_path: Path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_with_bad_access_tier(lab_dev)))
    sarif_path, markdown_path = tmp_path / "r.sarif", tmp_path / "r.md"
    code, out, err = run_hlz("check", plan, "--sarif", sarif_path, "--markdown", markdown_path)
    assert code == 1, err
    assert "1 error, 0 unchecked" in out
    assert "TYPE enum-value storage:StorageAccount::storage-sa properties.accessTier" in out
    document = json.loads(sarif_path.read_text())
    jsonschema.validate(document, SARIF_SCHEMA)
    (result,) = [
        r for r in document["runs"][0]["results"] if r["ruleId"].startswith("hlz-type/")
    ]
    assert result["ruleId"] == "hlz-type/enum-value" and result["level"] == "error"
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "hlz-type/enum-value"
    text = markdown_path.read_text()
    assert "1 type error(s)** — the deployment is blocked" in text
    assert "| enum-value | `storage:StorageAccount::storage-sa` |" in text


def test_quiet_check_names_type_errors(lab_dev: Plan, tmp_path: Path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_with_bad_access_tier(lab_dev)))
    code, out, _ = run_hlz("check", plan, "--quiet")
    assert code == 1
    assert out.strip() == "lab-dev: 0 mandatory violations, 1 type errors"
