"""``hlz plan`` end to end through its console entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hlz.plan import Plan
from policies.registry import ALL_RULES
from tests.conftest import ROOT

HLZ = Path(sys.executable).with_name("hlz")


def hlz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HLZ), *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def lz_dev_json(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], dict]:
    path = tmp_path_factory.mktemp("plan") / "lz-dev.json"
    result = hlz("plan", "lz-dev", "--json", str(path))
    return result, json.loads(path.read_text()) if path.exists() else {}


def test_plan_exits_zero_and_prints_the_summary(lz_dev_json):
    result, _ = lz_dev_json
    assert result.returncode == 0, result.stderr
    assert "Plan for stack lz-dev (layer landing_zone)" in result.stdout
    assert "hlz:network:HubNetwork hub" in result.stdout
    assert "azure-native:network:AzureFirewall" in result.stdout
    assert (
        f"Policy pack hlz-hipaa on lz-dev (lab profile): {len(ALL_RULES)} rules, 0 violations"
        in result.stdout
    )


def test_plan_json_has_the_preview_shape(lz_dev_json):
    _, document = lz_dev_json
    steps = document["steps"]
    # A landing zone reads nothing: every step creates.
    assert document["changeSummary"] == {"create": len(steps)}
    assert all(step["op"] == "create" and step["urn"] == step["newState"]["urn"] for step in steps)
    states = [step["newState"] for step in steps]
    assert all(
        {"urn", "type", "custom", "parent", "inputs", "dependencies"} <= set(s) for s in states
    )
    components = [s for s in states if s["type"].startswith("hlz:")]
    assert components and all(s["custom"] is False for s in components)
    vault = next(s for s in states if s["type"] == "azure-native:keyvault:Vault")
    # Wire inputs are camelCase and include what the SDK fills in.
    assert vault["inputs"]["properties"]["enableSoftDelete"] is True
    assert vault["parent"].endswith("hlz:security:KeyVault::platform-kv")
    assert document["hlz"]["stack"] == "lz-dev" and document["hlz"]["outputs"]["hubVnetId"]
    assert document["hlz"]["profile"] == "lab"
    policy = document["hlz"]["policy"]
    assert policy["summary"]["mandatoryViolations"] == 0 and policy["ruleCount"] == len(ALL_RULES)
    assert policy["rules"]["keyvault-vault-require-purge-protection"] == {"pass": 1}


def test_role_assignment_names_are_stable_across_runs(lz_dev_json, lz_dev: Plan):
    _, document = lz_dev_json
    from_cli = sorted(
        step["newState"]["inputs"]["roleAssignmentName"]
        for step in document["steps"]
        if step["newState"]["type"] == "azure-native:authorization:RoleAssignment"
    )
    in_process = sorted(
        r.inputs["roleAssignmentName"]
        for r in lz_dev.of_type("azure-native:authorization:RoleAssignment")
    )
    assert from_cli and from_cli == in_process


def test_unknown_stack_exits_2():
    result = hlz("plan", "no-such-stack")
    assert result.returncode == 2
    assert "unknown stack" in result.stderr and "lz-dev" in result.stderr


def test_overlapping_address_spaces_exit_2_naming_both_keys(tmp_path: Path):
    config = yaml.safe_load((ROOT / "Pulumi.lz-dev.yaml").read_text())
    config["config"]["hlz:spokes"]["imaging"] = "10.0.0.0/23"
    stack_file = tmp_path / "Pulumi.bad.yaml"
    stack_file.write_text(yaml.safe_dump(config))
    out = tmp_path / "bad.json"
    result = hlz("plan", "bad", "--stack-file", str(stack_file), "--json", str(out))
    assert result.returncode == 2
    assert "hlz:hub.addressSpace" in result.stderr and "hlz:spokes.imaging" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()  # nothing planned


def test_usage_errors_exit_2():
    assert hlz("plan").returncode == 2
    result = hlz("plan", "lz-dev", "lz-prod", "--json", "x.json")
    assert result.returncode == 2 and "--json takes a single stack" in result.stderr


def test_help_lists_the_commands():
    result = hlz("--help")
    assert result.returncode == 0 and "plan" in result.stdout
    assert "--stack-file" in hlz("plan", "--help").stdout


@pytest.mark.parametrize("stack", ["lz-dev", "lab-dev"])
def test_the_pulumi_entry_point_plans_the_same_as_hlz(stack: str):
    """``stacks/__main__.py`` is what ``pulumi up`` runs (Pulumi.yaml ``main: stacks/``); run
    as a program file it must register exactly what ``hlz plan`` does (lab-dev exercises the
    async ``pulumi.run`` path that reads the landing zone's outputs)."""
    from hlz.plan import plan_stack
    from hlz.stackfiles import load_stack_file
    from tests.conftest import _PLANS, planned

    expected = planned(stack)
    entry = plan_stack(
        stack,
        stack_file=load_stack_file(stack),
        program_file=ROOT / "stacks" / "__main__.py",
        _planned=dict(_PLANS),
    )
    assert entry.to_json()["steps"] == expected.to_json()["steps"]
    assert entry.outputs == expected.outputs


def test_rules_lists_every_rule_with_its_enforcement():
    result = hlz("rules", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == [rule.id for rule in ALL_RULES]
    by_id = {row["id"]: row for row in rows}
    for rule in ALL_RULES:
        assert by_id[rule.id]["production"] == "mandatory"
        assert by_id[rule.id]["lab"] == (
            "mandatory" if rule.mandatory_everywhere else "advisory"
        )
        assert by_id[rule.id]["category"] == rule.category.value
    deploy = sum(1 for rule in ALL_RULES if rule.category.value == "deploy")
    table = hlz("rules").stdout
    assert (
        f"{len(ALL_RULES)} rules ({len(ALL_RULES) - deploy} HIPAA, {deploy} deploy); details"
        in table
    )



def test_out_dir_refuses_a_symlink_pointing_outside(tmp_path: Path, capsys):
    from hlz.cli import main

    out_dir = tmp_path / "plans"
    out_dir.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    (out_dir / "lz-dev.sarif").symlink_to(outside)
    assert main(["plan", "lz-dev", "--out-dir", str(out_dir), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "lz-dev.sarif" in err and "symlink" in err, err
    assert outside.read_text() == "precious\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["lz-dev.sarif"]  # nothing written


def test_out_dir_writes_every_report_inside_it(tmp_path: Path, capsys):
    from hlz.cli import main

    out_dir = tmp_path / "plans"
    assert main(["plan", "lz-dev", "--out-dir", str(out_dir), "--quiet"]) == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "lz-dev.md",
        "lz-dev.plan.json",
        "lz-dev.sarif",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


def test_every_bad_stack_name_is_listed_at_once(capsys):
    from hlz.cli import main

    assert main(["plan", "lz-dev", "../x", "a/b"]) == 2
    err = capsys.readouterr().err
    assert "'../x'" in err and "'a/b'" in err and "(2 problems)" in err, err


def test_check_today_judges_as_of_that_day(tmp_path, capsys):
    from hlz.cli import main
    from tests.conftest import planned

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(planned("lz-dev").to_json()))
    exemptions = tmp_path / "exemptions.yaml"
    exemptions.write_text(
        "- rule: keyvault-vault-require-premium-sku\n"
        "  resource: kv-hlzdev-plat-6c6fc\n"
        "  reason: Budget review of the premium tier is pending this quarter\n"
        "  owner: platform-team@example.org\n"
        "  expires: 2027-01-31\n"
    )
    # Within the 180-day cap as of 2026-11-27; beyond it as of 2026-01-01.
    assert main(["check", str(plan), "--exemptions", str(exemptions), "--today", "2026-11-27", "--quiet"]) == 0
    assert main(["check", str(plan), "--exemptions", str(exemptions), "--today", "2026-01-01", "--quiet"]) == 2
    assert "more than 180 days after the evaluation day (2026-01-01)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:  # argparse's usage error
        main(["check", str(plan), "--today", "2026-13-01"])
    assert caught.value.code == 2
    assert "'2026-13-01' is not a date YYYY-MM-DD" in capsys.readouterr().err
