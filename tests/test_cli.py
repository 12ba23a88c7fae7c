"""The ``hlz`` command line: a few end-to-end runs of the installed console script (``hlz
--help``, one ``hlz plan`` of an example stack, one ``hlz check`` of what it wrote), everything
else in-process through ``tests.cli_runner.run_hlz``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from hlz.plan import Plan
from policies.registry import ALL_RULES
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

HLZ = Path(sys.executable).with_name("hlz")
COMMANDS = [
    "plan", "check", "report", "graph", "rules", "preflight", "audit", "cost", "stacks", "lab",
]  # fmt: skip


def hlz_process(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script in a process of its own (end-to-end tests only)."""
    return subprocess.run([str(HLZ), *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


class ProcessPlan(NamedTuple):
    result: subprocess.CompletedProcess[str]
    path: Path
    document: dict


@pytest.fixture(scope="module")
def lz_dev_json(tmp_path_factory: pytest.TempPathFactory) -> ProcessPlan:
    """``hlz plan lz-dev --json`` run by the console script, once for this module."""
    path = tmp_path_factory.mktemp("plan") / "lz-dev.json"
    result = hlz_process("plan", "lz-dev", "--json", str(path))
    return ProcessPlan(result, path, json.loads(path.read_text()) if path.exists() else {})


# --- end to end: the console script in a process of its own -----------------------------------


def test_plan_exits_zero_and_prints_the_summary(lz_dev_json: ProcessPlan):
    result = lz_dev_json.result
    assert result.returncode == 0, result.stderr
    assert "Plan for stack lz-dev (layer landing_zone)" in result.stdout
    assert "hlz:network:HubNetwork hub" in result.stdout
    assert "azure-native:network:AzureFirewall" in result.stdout
    assert (
        f"Policy pack hlz-hipaa on lz-dev (lab profile): {len(ALL_RULES)} rules, 0 violations"
        in result.stdout
    )


def test_plan_json_has_the_preview_shape(lz_dev_json: ProcessPlan):
    document = lz_dev_json.document
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


def test_role_assignment_names_are_stable_across_runs(lz_dev_json: ProcessPlan, lz_dev: Plan):
    """The console script's process has its own hash seed: names derived from anything hashed
    per process would differ from this process's plan."""
    from_cli = sorted(
        step["newState"]["inputs"]["roleAssignmentName"]
        for step in lz_dev_json.document["steps"]
        if step["newState"]["type"] == "azure-native:authorization:RoleAssignment"
    )
    in_process = sorted(
        r.inputs["roleAssignmentName"]
        for r in lz_dev.of_type("azure-native:authorization:RoleAssignment")
    )
    assert from_cli and from_cli == in_process


def test_check_of_the_saved_plan_passes(lz_dev_json: ProcessPlan):
    result = hlz_process("check", str(lz_dev_json.path), "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "lz-dev: 0 mandatory violations"


def test_help_lists_every_command():
    result = hlz_process("--help")
    assert result.returncode == 0, result.stderr
    # A long name gets its help on the next line.
    listed = re.findall(r"^    (\w+)(?: {2,}\S|$)", result.stdout, re.MULTILINE)
    assert listed == COMMANDS, result.stdout
    assert "--stack-file" in run_hlz("plan", "--help").stdout


# --- in-process ---------------------------------------------------------------------------------


def test_unknown_stack_exits_2():
    code, _, err = run_hlz("plan", "no-such-stack")
    assert code == 2
    assert "unknown stack" in err and "lz-dev" in err


def test_overlapping_address_spaces_exit_2_naming_both_keys(tmp_path: Path):
    config = yaml.safe_load((ROOT / "Pulumi.lz-dev.yaml").read_text())
    config["config"]["hlz:spokes"]["imaging"] = "10.0.0.0/23"
    stack_file = tmp_path / "Pulumi.bad.yaml"
    stack_file.write_text(yaml.safe_dump(config))
    out = tmp_path / "bad.json"
    code, _, err = run_hlz("plan", "bad", "--stack-file", stack_file, "--json", out)
    assert code == 2
    assert "hlz:hub.addressSpace" in err and "hlz:spokes.imaging" in err
    assert "Traceback" not in err
    assert not out.exists()  # nothing planned


def test_usage_errors_exit_2(tmp_path: Path):
    code, _, err = run_hlz("plan")
    assert code == 2 and "name at least one STACK, or use --all" in err
    code, _, err = run_hlz("plan", "lz-dev", "lz-prod", "--json", tmp_path / "x.json")
    assert code == 2 and "--json takes a single stack" in err


@pytest.mark.parametrize("stack", ["lz-dev", "lab-dev"])
def test_the_pulumi_entry_point_plans_the_same_as_hlz(stack: str):
    """``stacks/__main__.py`` is what ``pulumi up`` runs (Pulumi.yaml ``main: stacks/``); run
    as a program file it must register exactly what ``hlz plan`` does (lab-dev exercises the
    async ``pulumi.run`` path that reads the landing zone's outputs)."""
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER, planned

    expected = planned(stack)
    entry = PLANNER.plan(
        stack, stack_file=load_stack_file(stack), program_file=ROOT / "stacks" / "__main__.py"
    )
    assert entry.to_json()["steps"] == expected.to_json()["steps"]
    assert entry.outputs == expected.outputs


def test_rules_lists_every_rule_with_its_enforcement():
    code, out, err = run_hlz("rules", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [rule.id for rule in ALL_RULES]
    by_id = {row["id"]: row for row in rows}
    for rule in ALL_RULES:
        assert by_id[rule.id]["production"] == "mandatory"
        assert by_id[rule.id]["lab"] == (
            "mandatory" if rule.mandatory_everywhere else "advisory"
        )
        assert by_id[rule.id]["category"] == rule.category.value
    deploy = sum(1 for rule in ALL_RULES if rule.category.value == "deploy")
    table = run_hlz("rules").stdout
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


# --- a check of a saved plan is a small process; errors are named for what failed -----------

PLANNER_ONLY_MODULES = (
    "hlz.engine",
    "hlz.plan",
    "components",
    "stacks",
    "pulumi",
    "pulumi_azure_native",
    "pydantic",
)
"""What only planning needs: the mock engine and planner, the components and stack programs
(and their config errors), the Pulumi SDK (its runtime, mocks and gRPC), the azure-native SDK
and the config models' pydantic; their submodules too. A check imports ``pulumi_policy.proxy``
alone (hlz/sdk_proxy.py)."""


def test_check_rules_and_reports_load_neither_the_planner_nor_azure_native(tmp_path: Path):
    """``hlz check`` of a saved plan (with its SARIF and Markdown reports) and ``hlz rules`` run
    in a fresh interpreter without importing the planner, Pulumi's runtime or the azure-native
    SDK: a pull-request check stays a small, fast process. The rules still read properties
    through the policy SDK's own unknown-checking proxy, the one CrossGuard uses."""
    from tests.conftest import planned

    plan = tmp_path / "lz-dev.plan.json"
    plan.write_text(json.dumps(planned("lz-dev").to_json()))
    check = ["check", str(plan), "--quiet", "--sarif", str(tmp_path / "lz-dev.sarif")]
    check += ["--markdown", str(tmp_path / "lz-dev.md")]
    script = (
        "import json, sys\n"
        "from hlz.cli import main\n"
        f"codes = [main({check!r}), main(['rules'])]\n"
        "modules = sorted(sys.modules)\n"
        "import policies.evaluation, policies.props, pulumi_policy.policy as server\n"
        "same = server.unknown_checking_proxy is policies.evaluation.unknown_checking_proxy\n"
        "same = same and server.UnknownValueError is policies.props.UnknownValueError\n"
        "print(json.dumps({'codes': codes, 'modules': modules, 'same_proxy': same}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["codes"] == [0, 0], result.stderr
    assert (tmp_path / "lz-dev.sarif").is_file() and (tmp_path / "lz-dev.md").is_file()
    loaded = [
        name
        for name in outcome["modules"]
        if any(name == heavy or name.startswith(f"{heavy}.") for heavy in PLANNER_ONLY_MODULES)
    ]
    assert not loaded, f"hlz check / hlz rules imported {loaded}"
    assert "pulumi_policy.proxy" in outcome["modules"]
    assert outcome["same_proxy"], "the policy SDK's server wraps with another proxy than the rules"


def test_a_reporting_bug_is_an_internal_error_not_a_failed_stack_program(
    tmp_path: Path, capsys, monkeypatch
):
    import hlz.render.markdown
    from hlz.cli import main
    from tests.conftest import planned

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(planned("lz-dev").to_json()))

    def broken_markdown(report: object) -> str:
        raise KeyError("summary")

    monkeypatch.setattr(hlz.render.markdown, "markdown", broken_markdown)
    code = main(["check", str(plan), "--quiet", "--markdown", str(tmp_path / "lz-dev.md")])
    err = capsys.readouterr().err
    assert code == 3
    assert "hlz: internal error: KeyError: 'summary'" in err, err
    assert "please report it" in err and "the stack program failed" not in err, err
    assert "Traceback" not in err


def test_an_exception_in_the_stack_program_is_reported_as_the_program_failing(
    tmp_path: Path, capsys
):
    from hlz.cli import main

    program = tmp_path / "program.py"
    program.write_text("raise RuntimeError('the subnet table is empty')\n")
    stack_file = tmp_path / "Pulumi.broken.yaml"
    stack_file.write_text("config:\n  hlz:layer: custom\n")
    argv = ["plan", "broken", "--program", str(program), "--stack-file", str(stack_file)]
    assert main([*argv, "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "hlz: the stack program failed: RuntimeError: the subnet table is empty" in err, err
    assert "internal error" not in err


def test_check_writes_the_reports_plan_wrote_for_the_same_stack(tmp_path: Path, capsys):
    """One set of report formats: ``hlz check --sarif --markdown`` of a plan written by
    ``hlz plan --out-dir`` renders the very files ``--out-dir`` wrote beside it."""
    from hlz.cli import main

    out_dir = tmp_path / "plans"
    assert main(["plan", "lz-dev", "--out-dir", str(out_dir), "--quiet"]) == 0
    again = tmp_path / "again"
    code = main(
        [
            "check",
            str(out_dir / "lz-dev.plan.json"),
            "--quiet",
            "--sarif",
            str(again / "lz-dev.sarif"),
            "--markdown",
            str(again / "lz-dev.md"),
        ]
    )
    assert code == 0, capsys.readouterr().err
    for name in ("lz-dev.sarif", "lz-dev.md"):
        assert (again / name).read_text() == (out_dir / name).read_text(), name


def test_no_command_or_no_report_name_is_a_usage_error(capsys):
    from hlz.cli import main

    assert main([]) == 2
    assert "usage: hlz" in capsys.readouterr().out
    assert main(["report"]) == 2
    wanted = (
        "hlz: error: name a report: compliance, ai-inventory, inventory, phi-map or model-cards"
    )
    assert wanted in capsys.readouterr().err
