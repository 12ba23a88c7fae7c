"""``hlz check --exemptions``: a file that could waive a rule for every resource, or for longer
than the cap, is bad input (exit 2, every problem named), never a pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import run_hlz

RULE = "storage-account-disallow-public-network-access"
REASON = "Vendor appliance cannot use private endpoints yet; ticket CHG-4821."


def check(tmp_path: Path, exemptions: str) -> tuple[int, str]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"steps": [], "hlz": {"stack": "t", "profile": "lab"}}))
    path = tmp_path / "exemptions.yaml"
    path.write_text(exemptions, encoding="utf-8")
    code, _, err = run_hlz("check", plan, "--exemptions", path)
    return code, err


@pytest.mark.parametrize("pattern", ["urn:*", "*-*", "[!~]*"])
def test_exemption_matching_everything_exits_2(tmp_path: Path, pattern: str):
    code, err = check(
        tmp_path,
        f"- rule: {RULE}\n  resource: '{pattern}'\n  reason: {REASON}\n"
        "  owner: platform-team\n  expires: 2020-01-01\n",
    )
    assert code == 2, err
    assert f"exemptions.yaml[0] ({RULE}).resource: '{pattern}'" in err
    assert "Traceback" not in err


def test_exemption_file_with_a_key_written_twice_exits_2(tmp_path: Path):
    code, err = check(
        tmp_path,
        f"- rule: {RULE}\n  resource: lab3-sa\n  reason: {REASON}\n  reason: temporary\n"
        "  owner: platform-team\n  expires: 2020-01-01\n",
    )
    assert code == 2, err
    assert "key 'reason' is written twice" in err


def test_exemption_file_that_does_not_exist_exits_2(tmp_path: Path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"steps": []}))
    code, _, err = run_hlz("check", plan, "--exemptions", tmp_path / "missing.yaml")
    assert code == 2, err
    assert "cannot read the exemptions file" in err
