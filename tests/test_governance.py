"""Responsible-AI governance records: validated in config, written as tags, reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hlz.plan import Plan
from hlz.render.inventory import COLUMNS, MISSING, inventory
from policies.vocabulary import GOVERNANCE_TAGS
from tests.cli_runner import run_hlz
from tests.conftest import ROOT
from tests.test_config_ai_lab import deployment, example, problems


def governance(raw: dict, index: int = 0) -> dict:
    return deployment(raw, index)["governance"]


def test_missing_approval_reference_names_the_deployment_and_fact():
    from components.errors import ConfigError
    from stacks.ai_lab.config import parse_ai_lab_config

    raw = example()
    del governance(raw)["approvalReference"]
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    assert (
        "hlz:openai.deployments[0] (notes-summariser).governance.approvalReference",
        "required key is missing",
    ) in caught.value.problems


def test_expired_approval_is_a_config_error(lz_dev: Plan):
    raw = example()
    governance(raw)["approvalExpires"] = "2026-01-31"
    found = problems(raw, lz_dev.outputs)
    message = found["hlz:openai.deployments[0] (notes-summariser).governance.approvalExpires"]
    assert "AIGB-2026-014 expired on 2026-01-31" in message


def test_approval_reference_must_match_the_pattern(lz_dev: Plan):
    raw = example()
    governance(raw, 1)["approvalReference"] = "ticket 42"
    found = problems(raw, lz_dev.outputs)
    assert (
        "does not match"
        in found["hlz:openai.deployments[1] (notes-embeddings).governance.approvalReference"]
    )


def test_the_pattern_is_configurable(lz_dev: Plan):
    from stacks.ai_lab.config import parse_ai_lab_config, validate_ai_lab_config
    from tests.test_config_ai_lab import TODAY

    raw = example()
    raw["openai"]["approvalReferencePattern"] = r"^GOV-\d{1,6}$"
    governance(raw)["approvalReference"] = "GOV-7"
    governance(raw, 1)["approvalReference"] = "GOV-8"
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)
    raw["openai"]["approvalReferencePattern"] = "^(unclosed$"
    assert (
        "unclosed group"
        in problems(raw, lz_dev.outputs)["hlz:openai.approvalReferencePattern"]
    )


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (
            lambda raw: deployment(raw).update(contentFilter="Microsoft.DefaultV2"),
            "needs a custom content filter",
        ),
        (
            lambda raw: raw["openai"]["contentFilters"]["clinical-strict"].update(
                severityThreshold="High"
            ),
            "blocks only at High",
        ),
        (
            lambda raw: raw["openai"]["contentFilters"]["clinical-strict"].update(
                promptShieldOverride={"reason": "shields block clinical shorthand in notes"}
            ),
            "has a promptShieldOverride",
        ),
    ],
    ids=["built_in_filter", "weak_threshold", "no_prompt_shield"],
)
def test_high_risk_needs_a_strict_content_filter(lz_dev: Plan, mutate, fragment):
    raw = example()
    mutate(raw)
    found = problems(raw, lz_dev.outputs)
    assert fragment in found["hlz:openai.deployments[0] (notes-summariser).contentFilter"]


def test_phi_use_needs_a_us_sku_even_in_a_non_phi_lab(lz_dev: Plan):
    raw = example()
    raw["tags"]["data-classification"] = "internal"
    deployment(raw, 1)["sku"] = "GlobalStandard"
    assert (
        "outside the US data zone" in problems(raw, lz_dev.outputs)["hlz:openai.deployments[1] (notes-embeddings).sku"]
    )


def test_governance_record_is_written_as_deployment_tags(lab_dev: Plan):
    deployments = lab_dev.of_type("azure-native:cognitiveservices:Deployment")
    for registration in deployments:
        tags = registration.inputs["tags"]
        assert all(tags.get(tag) for tag in GOVERNANCE_TAGS.values()), registration.urn
    summariser = next(d for d in deployments if d.inputs["deploymentName"] == "notes-summariser")
    assert summariser.inputs["tags"]["hlz-risk-tier"] == "high"
    assert summariser.inputs["tags"]["hlz-approval-expires"] == "2027-06-30"
    account_tags = lab_dev.of_type("azure-native:cognitiveservices:Account")[0].inputs["tags"]
    assert (
        account_tags["hlz-approval-notes-summariser"] == "AIGB-2026-014 until 2027-06-30, high risk"
    )


def test_governance_record_is_exported(lab_dev: Plan):
    exported = {d["name"]: d for d in lab_dev.outputs["modelDeployments"]}
    assert exported["notes-embeddings"]["approvalReference"] == "AIGB-2026-021"
    assert exported["notes-embeddings"]["riskTier"] == "limited"
    assert exported["notes-summariser"]["processesPhi"] is True


def test_inventory_lists_every_deployment_with_every_field(lab_dev: Plan):
    rows = inventory(lab_dev.to_json())
    assert [row["deployment"] for row in rows] == ["notes-summariser", "notes-embeddings"]
    for row in rows:
        assert all(row[key] != MISSING for key, _ in COLUMNS), row


def test_inventory_marks_missing_facts():
    plan = {
        "steps": [
            {
                "newState": {
                    "urn": "urn:pulumi:s::hlz::azure-native:cognitiveservices:Deployment::d",
                    "type": "azure-native:cognitiveservices:Deployment",
                    "inputs": {"deploymentName": "d", "tags": {"hlz-risk-tier": "minimal"}},
                }
            }
        ]
    }
    (row,) = inventory(plan)
    assert row["riskTier"] == "minimal" and row["approvalReference"] == MISSING


def test_ai_inventory_command(tmp_path: Path):
    markdown, document = tmp_path / "inventory.md", tmp_path / "inventory.json"
    code, _, err = run_hlz(
        "report", "ai-inventory", "lab-dev", "--out", markdown, "--json", document
    )
    assert code == 0, err
    text = markdown.read_text()
    assert (
        "| notes-summariser |" in text
        and "AIGB-2026-014" in text
        and "dr.a.rivera@example.org" in text
    )
    assert f"| {MISSING} |" not in text
    rows = json.loads(document.read_text())["deployments"]
    assert {row["deployment"] for row in rows} == {"notes-summariser", "notes-embeddings"}


def test_expired_approval_fails_hlz_plan_with_exit_2(tmp_path: Path):
    config = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())
    config["config"]["hlz:openai"]["deployments"][1]["governance"]["approvalExpires"] = "2025-12-31"
    stack_file = tmp_path / "Pulumi.lab-expired.yaml"
    stack_file.write_text(yaml.safe_dump(config))
    code, _, err = run_hlz("plan", "lab-expired", "--stack-file", stack_file)
    assert code == 2
    assert "deployments[1] (notes-embeddings).governance.approvalExpires" in err
    assert "expired on 2025-12-31" in err
