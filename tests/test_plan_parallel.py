"""``hlz plan`` of several stacks (hlz/plan_many.py): in worker processes (``--jobs N``) it
prints and writes exactly what one process does, in the same order; each landing zone is
planned once and handed to its labs; one stack's failure stops no other; Ctrl-C stops the
workers. Only one test starts workers to plan (the four example stacks, with --jobs 2)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import json
import multiprocessing
import re
import shutil
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from components.errors import ConfigError
from hlz.cli import _parser, _plan, _plan_one, _PlanSettings
from hlz.plan import Planner
from hlz.plan_many import _tasks, _work
from hlz.stackfiles import available_stacks
from stacks.common import key
from tests.cli_runner import HlzRun, run_hlz
from tests.conftest import ROOT, register_layer

EXAMPLES = tuple(available_stacks())
"""Every example stack (``Pulumi.<stack>.yaml`` at the project root), by name."""
TIMING = re.compile(r"\d+\.\d+s")
STACK_FILE = re.compile(r"planned from \S*?(Pulumi\.[\w.-]+\.yaml)")


def _plan_here(planner: Planner, *argv: str | Path) -> HlzRun:
    """``hlz plan ARGV`` in this process with ``planner`` (the session's: its plans are reused)."""
    args = _parser().parse_args(["plan", *map(str, argv)])
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = _plan(args, planner)
    return HlzRun(code, stdout.getvalue(), stderr.getvalue())


def _comparable(stdout: str) -> str:
    """Timings differ between runs, and a stack file's directory between project dirs."""
    return STACK_FILE.sub(r"planned from \1", TIMING.sub("<t>", stdout))


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def _stack_file(directory: Path, stack: str, config: dict[str, Any]) -> None:
    (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))


def _example(stack: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]


# --- workers ------------------------------------------------------------------------------------


def test_two_workers_print_and_write_what_one_process_does_and_a_broken_stack_stops_none(
    planner: Planner, tmp_path: Path
):
    """The example stacks and two broken ones (a landing zone whose hub overlaps a spoke,
    and a lab of it) with --jobs 2 against the example stacks in one process: the same report
    bytes, the same stdout in the same order; each broken stack reported by name with the
    message one process gives, exit 2 (the worst), and no report of theirs written."""
    project = tmp_path / "project"
    project.mkdir()
    for stack in EXAMPLES:
        shutil.copy(ROOT / f"Pulumi.{stack}.yaml", project)
    broken = _example("lz-dev")
    broken["hlz:spokes"]["imaging"] = "10.0.0.0/23"
    _stack_file(project, "lz-broken", broken)
    orphan = _example("lab-dev") | {"hlz:landingZoneStack": "lz-broken"}
    _stack_file(project, "lab-orphan", orphan)

    serial = _plan_here(planner, "--all", "--out-dir", tmp_path / "serial", "--jobs", "1")
    assert serial.code == 0, serial.stderr
    alone = run_hlz("plan", "lab-orphan", "lz-broken", "--project-dir", project, "--jobs", "1")
    assert alone.code == 2, alone.stderr

    parallel = run_hlz(
        "plan", "--all", "--project-dir", project, "--out-dir", tmp_path / "parallel",
        "--jobs", "2",
    )  # fmt: skip
    assert parallel.code == 2, parallel.stderr
    assert _files(tmp_path / "parallel") == _files(tmp_path / "serial")
    assert len(_files(tmp_path / "serial")) == 3 * len(EXAMPLES)
    # pr.yml uploads the directory's SARIF files together: each run names its stack's category,
    # the key (with the tool) code scanning separates analyses by (tests/test_workflows.py).
    categories = [
        run["automationDetails"]["id"]
        for stack in EXAMPLES
        for run in json.loads((tmp_path / "serial" / f"{stack}.sarif").read_text())["runs"]
    ]
    assert categories == [f"hlz/{stack}/" for stack in EXAMPLES]
    assert _comparable(parallel.stdout) == _comparable(serial.stdout)
    headers = [line.split()[3] for line in parallel.stdout.splitlines() if "Plan for" in line]
    assert headers == list(EXAMPLES)
    errors = [line for line in parallel.stderr.splitlines() if line.startswith("hlz: l")]
    assert errors == [line for line in alone.stderr.splitlines() if line.startswith("hlz: l")]
    assert [line.split(" (")[0] for line in errors] == [
        "hlz: lab-orphan: invalid landing-zone configuration of lz-broken",
        "hlz: lz-broken: invalid landing-zone configuration",
    ], parallel.stderr
    assert "(hlz:landingZoneStack of lab-orphan)" in errors[0]
    assert f"planned {len(EXAMPLES) + 2} of {len(EXAMPLES) + 2}" in parallel.stderr
    assert "by 2 worker processes (peak RSS per worker: " in parallel.stderr
    assert parallel.stderr.rstrip().endswith("failed: lab-orphan (exit 2), lz-broken (exit 2)")
    assert multiprocessing.active_children() == []


def test_a_lab_in_a_worker_reads_the_landing_zone_plan_it_is_handed(lz_dev):
    """What a worker runs for a lab, here in this process: handed its landing zone's plan
    (outputs and file only), the lab reads that plan's outputs instead of planning lz-dev; an
    allocation table that lacks the lab proves which outputs it read."""
    handed = dataclasses.replace(
        lz_dev,
        registrations=[],
        referenced=None,
        outputs=lz_dev.outputs | {"spokeAllocations": {"elsewhere": "10.9.0.0/22"}},
    )
    settings = _PlanSettings(
        exemptions=(), fail_on_unknown="auto", quiet=True, preview=False, keeps=True,
        stack_file=None, program=None, paths=(), out_dir=None, labelled=True,
    )  # fmt: skip
    result = _work(
        Planner,
        functools.partial(_plan_one, settings),
        "lab-dev",
        ROOT / "Pulumi.lab-dev.yaml",
        True,
        False,
        [handed],
    )
    assert result.outcome is not None and result.outcome.code == 2
    assert (
        "hlz:lab: 'clinical-nlp' has no entry in lz-dev's hlz:spokes (allocated: elsewhere)"
        in result.outcome.error
    ), result.outcome.error
    assert result.plan is None  # nobody reads lab-dev's plan


def test_labs_wait_for_the_landing_zone_they_read_and_share_one_plan_of_it():
    """--all: a lab needs its landing zone's own task, whose full plan is the shared one.
    --preview (a named landing zone is planned in preview, not in full) or a landing zone not
    named: one reference task per landing zone, shared by its labs, due with the first."""
    named = [(stack, ROOT / f"Pulumi.{stack}.yaml") for stack in ("lab-dev", "lz-dev", "lab-prod")]
    tasks = _tasks(named, None, keeps=True)
    lab_dev, lz_dev, lab_prod, lz_prod = tasks
    assert (lz_dev.stack, lz_dev.index, lz_dev.shared) == ("lz-dev", 1, True)
    assert lab_dev.needs == [lz_dev] and lz_dev.due == 0
    assert (lz_prod.stack, lz_prod.index, lz_prod.due) == ("lz-prod", None, 2)
    assert lab_prod.needs == [lz_prod]

    previews = _tasks([*named, ("lab-dev", ROOT / "Pulumi.lab-dev.yaml")], None, keeps=False)
    references = [task for task in previews if task.index is None]
    assert sorted(task.stack for task in references) == ["lz-dev", "lz-prod"]
    assert previews[0].needs == previews[3].needs == [references[0]]
    assert not previews[1].needs  # the landing zone's own preview needs nothing


def test_ctrl_c_stops_every_worker_and_exits_130(monkeypatch: pytest.MonkeyPatch):
    import hlz.plan_many

    started: list[int] = []

    def interrupted(*args: object, **kwargs: object) -> None:
        started.append(len(multiprocessing.active_children()))
        raise KeyboardInterrupt  # what Python's SIGINT handler raises on Ctrl-C

    monkeypatch.setattr(hlz.plan_many, "wait", interrupted)
    code, out, err = run_hlz("plan", "--all", "--jobs", "2", "--quiet")
    assert code == 130, err
    assert started and started[0] >= 1, "no worker was running when Ctrl-C came"
    assert "hlz: interrupted; no further stack is planned or written" in err
    assert multiprocessing.active_children() == []
    assert out == ""


# --- in this process ----------------------------------------------------------------------------

RUNS: list[str] = []


def _parse_demo(raw: dict[str, Any]) -> object:
    if not isinstance(raw.get("message"), str):
        raise ConfigError([(key("message"), "must be text")], "demo configuration")
    return raw


def _run_demo(raw: dict[str, Any], stack: str) -> None:
    from pulumi_azure_native import resources

    RUNS.append(stack)
    if raw["message"] == "crash":
        raise RuntimeError("the demo program crashed")
    tags: dict[str, Any] = {"message": raw["message"]}
    if "upstreamStack" in raw:
        tags["upstream"] = pulumi.StackReference(raw["upstreamStack"]).get_output("message")
    resources.ResourceGroup(
        "demo", resource_group_name=f"rg-{stack}", location="eastus2", tags=tags
    )
    pulumi.export("message", raw["message"])


@pytest.fixture
def demo_project(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A project directory of stacks of a made-up layer (in this process only: a worker
    process knows the real layers alone)."""
    register_layer(monkeypatch, "demo", _parse_demo, _run_demo, references=("upstreamStack",))
    RUNS.clear()
    return tmp_path


def _demo(directory: Path, stack: str, message: object, upstream: str | None = None) -> None:
    config = {"hlz:layer": "demo", "hlz:profile": "lab", "hlz:message": message}
    if upstream is not None:
        config["hlz:upstreamStack"] = upstream
    _stack_file(directory, stack, config)


def test_a_failed_stack_stops_no_other_and_the_exit_code_is_the_worst(demo_project: Path):
    _demo(demo_project, "a-ok", "hello")
    _demo(demo_project, "b-bad", ["not", "text"])
    _demo(demo_project, "c-crash", "crash")
    _demo(demo_project, "d-ok", "bye")
    out_dir = demo_project / "out"
    code, out, err = run_hlz(
        "plan", "--all", "--project-dir", demo_project, "--jobs", "1", "--quiet",
        "--out-dir", out_dir,
    )  # fmt: skip
    assert code == 3, err
    assert [line.split(":")[0] for line in out.splitlines()] == ["a-ok", "d-ok"]
    assert "hlz: b-bad: invalid demo configuration (1 problem):\n  - hlz:message" in err
    assert "hlz: c-crash: the stack program failed: RuntimeError: the demo program crashed" in err
    assert "Traceback" not in err
    assert sorted({path.name.split(".")[0] for path in out_dir.iterdir()}) == ["a-ok", "d-ok"]
    assert RUNS == ["a-ok", "c-crash", "d-ok"]  # b-bad's config stopped it before its program
    assert err.rstrip().endswith("failed: b-bad (exit 2), c-crash (exit 3)")


def test_a_referenced_stack_is_planned_first_and_once_and_the_output_keeps_name_order(
    demo_project: Path,
):
    _demo(demo_project, "z-hub", "shared")
    _demo(demo_project, "a-spoke", "a", upstream="z-hub")
    _demo(demo_project, "b-spoke", "b", upstream="z-hub")
    code, out, err = run_hlz("plan", "--all", "--project-dir", demo_project, "--jobs", "1")
    assert code in (0, 1), err
    assert RUNS == ["z-hub", "a-spoke", "b-spoke"]
    headers = [line for line in out.splitlines() if line.startswith("Plan for stack")]
    assert [header.split()[3] for header in headers] == ["a-spoke", "b-spoke", "z-hub"]
    progress = [line for line in err.splitlines() if line.startswith("hlz: planned ")]
    assert [line.split(" (")[0] for line in progress[:3]] == [
        "hlz: planned 1 of 3: z-hub",
        "hlz: planned 2 of 3: a-spoke",
        "hlz: planned 3 of 3: b-spoke",
    ]
    assert re.fullmatch(r"hlz: planned 3 stacks in \d+\.\ds in this process \(peak RSS: \d+ MiB\)",
                        progress[3]), progress  # fmt: skip


# --- usage --------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_below_one_or_not_a_number_is_a_usage_error(jobs: str):
    code, out, err = run_hlz("plan", "--all", f"--jobs={jobs}")
    assert code == 2
    wanted = "must be 1 or more worker processes (1: plan in this process, without workers)"
    shown = f"'{jobs}'" if jobs == "two" else jobs
    assert f"hlz plan: error: argument --jobs: {wanted}, not {shown}" in err, err
    assert out == ""


def test_project_dir_must_be_a_directory_with_stack_files(tmp_path: Path):
    missing = tmp_path / "missing"
    code, _, err = run_hlz("plan", "--all", "--project-dir", missing)
    assert (code, err.strip()) == (2, f"hlz: error: --project-dir {missing} is not a directory")
    code, _, err = run_hlz("plan", "--all", "--project-dir", tmp_path)
    assert code == 2
    assert err.strip() == f"hlz: error: --all: there is no Pulumi.<stack>.yaml in {tmp_path}"
    code, _, err = run_hlz("plan", "lz-dev", "--project-dir", tmp_path)
    assert code == 2
    assert f"unknown stack: no Pulumi.lz-dev.yaml in {tmp_path} (known stacks: none)" in err


def test_plan_help_explains_jobs_and_project_dir():
    code, out, _ = run_hlz("plan", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "--jobs N plan several stacks in N worker processes (default: the number of CPUs" in text
    assert "1 plans in this process" in text and "A failed stack does not stop the others" in text
    assert "--project-dir DIR read the Pulumi.<STACK>.yaml files from DIR" in text
    assert "each landing zone once, before the labs that read it" in text
