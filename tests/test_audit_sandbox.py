"""The recorded lab-dev sandbox (tests/fixtures/arm/audit/lab-dev): it is what
tools/audit_sandbox.py makes from the current plan, it audits clean, and every answer in it
normalises back to exactly the planned inputs (so the normalisation the audit relies on is
honest for every resource type lab-dev deploys)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from hlz.audit.deployed import deployed_inputs
from hlz.audit.expected import Expectations, expected_resources, leaves, substitute
from hlz.audit.read import ReplayReader, learned_values
from hlz.audit.run import judge, read
from hlz.engine.arm_ids import fake_guid
from hlz.plan import Plan
from hlz.policy_check import load_project_exemptions
from tools import audit_sandbox

SANDBOX = Path(__file__).parent / "fixtures" / "arm" / "audit" / "lab-dev"
SUB = audit_sandbox.SANDBOX_SUBSCRIPTION
TODAY = dt.date(2026, 12, 1)
"""A day within ARM's twelve months before the lab's budget start (2026-12-01)."""


@pytest.fixture(scope="module")
def expectations(lab_dev: Plan) -> Expectations:
    return expected_resources(lab_dev.to_json(), SUB)


def test_the_sandbox_is_what_the_tool_makes_from_the_current_plan(lab_dev):
    texts, _ = audit_sandbox.render("lab-dev", lab_dev)
    on_disk = {
        str(path.relative_to(SANDBOX)).replace("\\", "/"): path.read_text()
        for path in SANDBOX.rglob("*")
        if path.is_file()
    }
    stale = sorted(name for name in texts.keys() | on_disk.keys() if texts.get(name) != on_disk.get(name))
    assert not stale, (
        "the recorded sandbox no longer matches lab-dev's plan; run "
        f"`python tools/audit_sandbox.py write --stack lab-dev`: {stale[:5]}"
    )


def test_the_sandbox_is_honest_about_how_it_was_made():
    readme = (SANDBOX / "README.md").read_text()
    assert "**Synthesised, not captured.**" in readme
    assert "every id, principal and date is fake" in readme
    assert f"Subscription `{SUB}`" in readme
    # Hand-editable: every answer is indented JSON.
    for path in SANDBOX.rglob("*.json"):
        text = path.read_text()
        assert text.startswith("{\n  ") and json.loads(text)


def test_the_sandbox_audits_clean_against_the_current_plan(expectations):
    reader = ReplayReader(SANDBOX)
    exemptions = load_project_exemptions(None, TODAY)
    result = judge(
        expectations, read(expectations, reader), source="replay", exemptions=exemptions,
        today=TODAY,
    )  # fmt: skip
    seen = result.observation
    assert [(d.expected.urn, d.drift) for d in result.drifts] == []
    assert seen.missing == [] and seen.unmanaged == [] and seen.not_read == []
    assert result.policy.violations == [] and not result.fails
    assert len(seen.deployed) == len(expectations.resources) == 133
    assert result.compared > 1000
    # What Azure created for planned resources is listed, and not called unmanaged.
    assert sorted({implied.type for implied in seen.implied}) == [
        "Microsoft.Compute/disks",
        "Microsoft.Network/networkInterfaces",
    ]
    # Every value the plan made up was learned from the deployed resources.
    # (The deployer's own ids, from getClientConfig, are in no deployed resource.)
    deployer = {fake_guid("client", "hlz-plan"), fake_guid("object", "hlz-plan")}
    assert expectations.fabricated <= set(seen.learned) | deployer


def _answer_for(reader: ReplayReader, arm_id: str) -> Any:
    file = reader.file_for(arm_id)
    return json.loads(file.read_text()) if file else None


def test_every_answer_normalises_back_to_the_planned_inputs(expectations):
    """ARM body -> generic inputs -> policies.normalise gives back every planned input, exactly
    (the values Azure assigns as learned), for every resource type lab-dev deploys. Located
    role assignments are checked in their collection's listing."""
    reader = ReplayReader(SANDBOX)
    observation = read(expectations, reader)
    learned = learned_values(expectations, observation.deployed)
    checked: dict[str, int] = {}
    for expected in expectations.resources:
        found = observation.deployed[expected.urn]
        answer = _answer_for(reader, found.id) or next(
            item
            for item in _answer_for(reader, found.id.rsplit("/", 1)[0])["value"]
            if item["id"] == found.id
        )
        assert expected.api_version
        token, inputs = deployed_inputs({**answer, "id": found.id}, expected.api_version)
        assert token == expected.token, expected.urn
        planned = substitute(expected.inputs, learned)
        mismatches = [
            (path, value, _at(inputs, path))
            for path, value in leaves(planned)
            if _at(inputs, path) != value and not _renamed_name(expected, path, observation)
        ]
        assert mismatches == [], expected.urn
        checked[token] = checked.get(token, 0) + 1
    assert set(checked) == {e.token for e in expectations.resources}
    assert len(checked) >= 30


def _renamed_name(expected: Any, path: tuple[Any, ...], observation: Any) -> bool:
    """The name input of a resource found under another name (its name is Azure's)."""
    from hlz.audit.run import name_key

    return expected.urn in observation.located and path == (name_key(expected.token),)


_ABSENT = object()


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return _ABSENT
        elif not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value


def test_write_from_another_stack_file_records_what_that_config_deploys(tmp_path):
    """``--stack-file`` writes the sandbox of the stack deployed from a changed config (lab 8
    re-applies a config whose model deployment has a new accountable owner)."""
    from hlz.stackfiles import project_root

    text = (project_root() / "Pulumi.lab-dev.yaml").read_text()
    assert text.count("owner: dr.a.rivera@example.org") == 1
    config = tmp_path / "Pulumi.lab-dev.yaml"
    config.write_text(text.replace("dr.a.rivera@example.org", "dr.j.chen@example.org"))
    out = tmp_path / "sandbox"
    assert audit_sandbox.main(["write", "--stack-file", str(config), "--out", str(out)]) == 0
    (answer,) = out.rglob("deployments/notes-summariser.json")
    assert json.loads(answer.read_text())["tags"]["hlz-accountable-owner"] == (
        "dr.j.chen@example.org"
    )


def test_write_names_a_stack_file_that_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "Pulumi.nope.yaml"
    code = audit_sandbox.main(["write", "--stack-file", str(missing), "--out", str(tmp_path)])
    assert code == 2
    assert "Pulumi.nope.yaml" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
