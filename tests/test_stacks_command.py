"""``hlz stacks``: every Pulumi.<stack>.yaml with its layer, profile, landing zone and deploy
order; ``--json`` is the GitHub Actions matrix the workflows run their per-stack jobs from
(tests/test_workflows.py checks the workflows use it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.cli_runner import run_hlz


def _stack(directory: Path, name: str, layer: str, profile: str, **more: str) -> None:
    config: dict[str, Any] = {"hlz:layer": layer, "hlz:profile": profile}
    config.update({f"hlz:{config_key}": value for config_key, value in more.items()})
    (directory / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))


def test_the_example_stacks_in_a_table_and_as_a_matrix():
    code, out, err = run_hlz("stacks")
    assert code == 0, err
    assert out.splitlines() == [
        "stack            layer          profile     landing zone     deploy order",
        "genomics         ai_lab         production  lz-prod          4",
        "lab-dev          ai_lab         lab         lz-dev           2",
        "lab-prod         ai_lab         production  lz-prod          5",
        "lz-dev           landing_zone   lab         -                1",
        "lz-prod          landing_zone   production  -                3",
    ]
    code, out, err = run_hlz("stacks", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "include": [
            {"stack": "genomics", "layer": "ai_lab", "profile": "production",
             "landingZone": "lz-prod", "order": 4},
            {"stack": "lab-dev", "layer": "ai_lab", "profile": "lab", "landingZone": "lz-dev",
             "order": 2},
            {"stack": "lab-prod", "layer": "ai_lab", "profile": "production",
             "landingZone": "lz-prod", "order": 5},
            {"stack": "lz-dev", "layer": "landing_zone", "profile": "lab", "landingZone": "",
             "order": 1},
            {"stack": "lz-prod", "layer": "landing_zone", "profile": "production",
             "landingZone": "", "order": 3},
        ]
    }  # fmt: skip


def test_deploy_order_puts_a_lab_after_its_landing_zone_and_production_after_the_lab_profile(
    tmp_path: Path,
):
    _stack(tmp_path, "a-lab", "ai_lab", "production", landingZoneStack="z-hub")
    _stack(tmp_path, "b-lab", "ai_lab", "lab", landingZoneStack="org/hlz/y-hub")
    _stack(tmp_path, "c-lab", "ai_lab", "lab", landingZoneStack="org/other/elsewhere")
    _stack(tmp_path, "y-hub", "landing_zone", "lab")
    _stack(tmp_path, "z-hub", "landing_zone", "production")
    code, out, err = run_hlz("stacks", "--json", "--project-dir", tmp_path)
    assert code == 0, err
    rows = json.loads(out)["include"]
    assert [row["stack"] for row in rows] == ["a-lab", "b-lab", "c-lab", "y-hub", "z-hub"]
    order = {row["stack"]: row["order"] for row in rows}
    # c-lab reads a stack of another project: nothing here comes before it for that.
    assert sorted(order, key=order.__getitem__) == ["c-lab", "y-hub", "b-lab", "z-hub", "a-lab"]
    assert {row["stack"]: row["landingZone"] for row in rows}["b-lab"] == "y-hub"


def test_every_unreadable_stack_file_is_reported_at_once(tmp_path: Path):
    _stack(tmp_path, "good", "landing_zone", "lab")
    _stack(tmp_path, "odd-profile", "landing_zone", "staging")
    (tmp_path / "Pulumi.no-config.yaml").write_text("name: nothing\n")
    _stack(tmp_path, "self", "ai_lab", "lab", landingZoneStack="self")
    code, out, err = run_hlz("stacks", "--project-dir", tmp_path)
    assert code == 2 and out == ""
    assert "invalid stack files (3 problems):" in err, err
    assert "Pulumi.no-config.yaml: has no 'config:' mapping" in err
    assert "Pulumi.odd-profile.yaml hlz:profile: 'staging' is not one of lab, production" in err
    assert "Pulumi.self.yaml hlz:landingZoneStack: 'self' is this stack itself" in err
    assert "Traceback" not in err


def test_stacks_help_describes_the_matrix():
    code, out, _ = run_hlz("stacks", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "its deploy order: after the stacks it reads (a lab after its landing zone)" in text
    assert '--json prints {"include": [{"stack", "layer", "profile", "landingZone", "order"}' in text
    assert "--project-dir DIR" in text
