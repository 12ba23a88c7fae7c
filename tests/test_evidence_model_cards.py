"""``hlz report model-cards``: CHAI Applied Model Cards (v0.2) from the governance records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from hlz.plan import Plan
from hlz.render.model_cards import NOT_PROVIDED, SCHEMA, file_name, model_cards
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

REQUIRED = {
    "BasicInfo": ["ModelName", "ModelDeveloper", "DeveloperContact"],
    "ReleaseInfo": ["ReleaseStage", "ReleaseDate", "ReleaseVersion", "GlobalAvailability"],
    "ModelSummary": ["Summary", "Keywords"],
    "UsesAndDirections": [
        "IntendedUseAndWorkflow",
        "PrimaryIntendedUsers",
        "HowToUse",
        "TargetedPatientPopulation",
        "CautionedOutOfScopeSettings",
    ],
    "Warnings": [
        "KnownRisksAndLimitations",
        "KnownBiasesOrEthicalConsiderations",
        "ClinicalRiskLevel",
    ],
    "TrustIngredients": ["AISystemFacts", "TransparencyInformation"],
    "KeyMetrics": ["UsefulnessUsabilityEfficacy", "FairnessEquity", "SafetyReliability"],
    "Resources": ["PeerReviewedPublications", "PatientConsentOrDisclosure"],
}
"""The required elements of CHAI's v0.2 schema.xsd (minOccurs 1), as published at
https://github.com/coalition-for-health-ai/mc-schema/blob/main/v0.2/schema.xsd."""


def _cards(plan: Plan) -> dict[str, dict[str, Any]]:
    return model_cards(plan.to_json())


def test_one_card_per_deployment_with_the_schema_elements(lab_dev: Plan):
    cards = _cards(lab_dev)
    deployments = [
        s["newState"]["inputs"]["deploymentName"]
        for s in lab_dev.to_json()["steps"]
        if s["newState"]["type"] == "azure-native:cognitiveservices:Deployment"
    ]
    assert sorted(cards) == sorted(f"{name}.model-card.json" for name in deployments)
    for document in cards.values():
        assert document["schema"] == SCHEMA
        card = document["AppliedModelCard"]
        assert list(card) == [*REQUIRED, "Bibliography"]
        for section, elements in REQUIRED.items():
            assert all(element in card[section] for element in elements), section


def test_governance_facts_fill_their_fields_and_nothing_is_invented(lab_dev: Plan):
    card = _cards(lab_dev)["notes-summariser.model-card.json"]
    chai, hlz = card["AppliedModelCard"], card["hlz"]
    config = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())["config"]
    deployment = next(
        d for d in config["hlz:openai"]["deployments"] if d["name"] == "notes-summariser"
    )
    governance = deployment["governance"]
    assert chai["UsesAndDirections"]["IntendedUseAndWorkflow"] == governance["useCase"]
    assert chai["Warnings"]["ClinicalRiskLevel"] == governance["riskTier"]
    assert hlz["approvalReference"] == governance["approvalReference"]
    assert hlz["accountableOwner"] == governance["owner"]
    assert "content filter clinical-strict" in chai["TrustIngredients"]["AISystemFacts"]["Security"]
    assert chai["BasicInfo"]["ModelDeveloper"] == NOT_PROVIDED
    assert chai["KeyMetrics"]["FairnessEquity"]["MetricGoal"] == NOT_PROVIDED


def test_a_deployment_name_cannot_leave_the_directory():
    taken: set[str] = set()
    assert file_name("../../etc/x", taken) == "______etc_x.model-card.json"
    assert file_name("../../etc/x", taken) == "______etc_x-2.model-card.json"


def test_model_cards_command_writes_a_directory(tmp_path: Path, lab_dev: Plan):
    saved, out = tmp_path / "lab-dev.plan.json", tmp_path / "cards"
    saved.write_text(json.dumps(lab_dev.to_json()))
    code, _, err = run_hlz("report", "model-cards", "lab-dev", "--plan", saved, "--out", out)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(_cards(lab_dev))
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    code, _, err = run_hlz("report", "model-cards", "lab-dev", "--plan", saved, "--out", not_a_dir)
    assert code == 2 and f"--out {not_a_dir} is a file; model-cards writes a directory" in err
