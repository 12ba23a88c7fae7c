"""The training labs in ``docs/labs/`` run exactly as written.

Each lab ``docs/labs/NN-<slug>.md`` has a scenario ``docs/labs/scenarios/NN-<slug>.yaml``
listing its offline steps: the command line, the exit code and the strings that must appear
in its output. The tests prove that

- the lab's offline ```sh commands and the scenario's steps are the same list, in order, so no
  command in the text goes untested and the test runs nothing the text does not show;
- every step gives the expected exit code and output when run from a copy of the repository
  root (``hlz`` in-process through ``tests.cli_runner``, anything else through bash), so the
  labs run on a clean clone without a ``.venv`` or an ``hlz`` script on PATH;
- every expected string is quoted in the lab's "Expected output", so the excerpts learners
  compare against are the ones checked here;
- every ``hlz`` command in a lab, including those in blocks that need an Azure subscription
  (which are never run), parses with the real CLI parser.

A ```sh block whose first line is ``# needs an Azure subscription`` is text only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from hlz.cli import _parser
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

LABS = ROOT / "docs" / "labs"
SCENARIOS = LABS / "scenarios"
SUBSCRIPTION_MARK = "# needs an Azure subscription"
SECTIONS = (
    "## Goal",
    "## Before you start",
    "## Steps",
    "## Expected output",
    "## What you learned",
)
STEP_KEYS = {"run", "exit", "stdout", "stderr"}
# Fenced ```sh blocks, also indented under a numbered step.
SH_BLOCK = re.compile(r"^[ \t]*```sh\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
HIPAA_SECTION = re.compile(r"164\.3\d\d")
# The repository entries a scratch copy of the root leaves out: lab output goes to plans/.
NOT_LINKED = {".git", "plans"}
ACTIVATE = ".venv/bin/activate"


def lab_files() -> list[Path]:
    return sorted(LABS.glob("[0-9][0-9]-*.md"))


LAB_IDS = [path.stem for path in lab_files()]


@dataclass(frozen=True)
class Block:
    commands: tuple[str, ...]
    needs_subscription: bool


def sh_blocks(text: str) -> list[Block]:
    """The ```sh blocks of a lab: one command per line (backslash continuations joined),
    comment and blank lines dropped."""
    blocks = []
    for match in SH_BLOCK.finditer(text):
        body = match.group(1).replace("\\\n", " ")
        lines = [line.strip() for line in body.splitlines()]
        needs_subscription = bool(lines) and lines[0] == SUBSCRIPTION_MARK
        commands = tuple(line for line in lines if line and not line.startswith("#"))
        blocks.append(Block(commands, needs_subscription))
    return blocks


def offline_commands(text: str) -> list[str]:
    return [c for block in sh_blocks(text) if not block.needs_subscription for c in block.commands]


def hlz_commands(text: str) -> list[str]:
    """Every ``hlz ...`` command of the lab, whether or not it needs a subscription."""
    return [
        command
        for block in sh_blocks(text)
        for command in block.commands
        # Split on whitespace first: other lines may hold shell that shlex cannot parse.
        if command.split()[0] == "hlz"
    ]


def scenario(lab: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / f"{lab}.yaml").read_text())


def expected_strings(step: dict[str, Any]) -> list[str]:
    return list(step.get("stdout", [])) + list(step.get("stderr", []))


def section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next level-2 heading."""
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + len(heading) + 2)
    return text[start : end if end >= 0 else len(text)]


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str

    def describe(self, command: str) -> str:
        return (
            f"$ {command}\nexit {self.exit_code}\n--- stdout (last 3000) ---\n"
            f"{self.stdout[-3000:]}\n--- stderr (last 3000) ---\n{self.stderr[-3000:]}"
        )


def scratch_root(directory: Path) -> Path:
    """A copy of the repository root made of links, so steps read the real docs, stacks and
    config while whatever they write (plans/...) lands in the scratch directory."""
    for entry in ROOT.iterdir():
        if entry.name not in NOT_LINKED:
            (directory / entry.name).symlink_to(entry)
    return directory


def run_shell(command: str, workdir: Path) -> Outcome:
    program = shlex.split(command, comments=True)[0]
    if program not in {"source", "cd"} and shutil.which(program) is None:
        pytest.fail(f"the labs use `{program}`; install it to run them (and this test)")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Outcome(result.returncode, result.stdout, result.stderr)


def run_step(command: str, workdir: Path) -> Outcome:
    argv = shlex.split(command, comments=True)
    if argv[0] == "hlz":
        return Outcome(*run_hlz(*argv[1:]))
    if argv[:1] == ["source"] and argv[1:2] == [ACTIVATE]:
        # What activating gives a learner, the runner has already: hlz runs in this interpreter
        # and the other steps get its bin directory first on PATH (run_shell). A clean clone
        # tested from another environment has no .venv to source.
        return Outcome(0, "", "")
    return run_shell(command, workdir)


# --- the text -------------------------------------------------------------------------------


@pytest.mark.parametrize("lab", LAB_IDS)
def test_lab_has_every_section_in_order_and_cites_the_security_rule(lab: str):
    text = (LABS / f"{lab}.md").read_text()
    positions = [text.find(f"\n{heading}\n") for heading in SECTIONS]
    missing = [heading for heading, at in zip(SECTIONS, positions, strict=True) if at < 0]
    assert not missing, f"{lab}.md lacks {missing}"
    assert positions == sorted(positions), f"{lab}.md: sections out of order"
    learned = text[positions[-1] :]
    assert HIPAA_SECTION.search(learned), f"{lab}.md: 'What you learned' cites no 45 CFR section"


def test_there_are_at_least_six_labs_and_the_index_lists_each_one():
    index = (LABS / "README.md").read_text()
    assert len(LAB_IDS) >= 6
    for lab in LAB_IDS:
        assert f"({lab}.md)" in index, f"docs/labs/README.md does not link {lab}.md"


def test_every_scenario_belongs_to_a_lab():
    scenarios = sorted(path.stem for path in SCENARIOS.glob("[0-9][0-9]-*.yaml"))
    assert scenarios == LAB_IDS


@pytest.mark.parametrize("lab", LAB_IDS)
def test_every_hlz_command_in_the_lab_parses_with_the_cli_parser(lab: str):
    commands = hlz_commands((LABS / f"{lab}.md").read_text())
    assert commands, f"{lab}.md has no hlz command"
    refused = []
    for command in commands:
        argv = shlex.split(command, comments=True)[1:]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                _parser().parse_args(argv)
            except SystemExit as exit_:
                if exit_.code not in (0, None):
                    refused.append(command)
    assert not refused, f"{lab}.md: the hlz parser refuses {refused}"


@pytest.mark.parametrize("lab", LAB_IDS)
def test_offline_commands_of_the_lab_are_exactly_its_scenario_steps(lab: str):
    steps = scenario(lab)["steps"]
    for step in steps:
        assert set(step) <= STEP_KEYS and {"run", "exit"} <= set(step), step
    assert offline_commands((LABS / f"{lab}.md").read_text()) == [s["run"] for s in steps]


@pytest.mark.parametrize("lab", LAB_IDS)
def test_expected_strings_are_quoted_in_the_expected_output_section(lab: str):
    expected_output = section((LABS / f"{lab}.md").read_text(), "## Expected output")
    missing = [
        string
        for step in scenario(lab)["steps"]
        for string in expected_strings(step)
        if string not in expected_output
    ]
    assert not missing, f"{lab}.md's Expected output does not show {missing}"


def test_the_subscription_lab_marks_its_online_steps_and_runs_preflight():
    text = (LABS / "06-deploy-to-a-sandbox.md").read_text()
    online = [block for block in sh_blocks(text) if block.needs_subscription]
    commands = [command for block in online for command in block.commands]
    assert any(command.startswith("hlz preflight ") for command in commands)
    assert any(command.startswith("pulumi up ") for command in commands)
    assert any(command.startswith("az keyvault list-deleted") for command in commands)


def test_the_active_exemption_of_lab_3_has_not_expired():
    path = SCENARIOS / "03-policy-blocks-public-storage" / "exemptions-active.yaml"
    expires = yaml.safe_load(path.read_text())[0]["expires"]
    assert expires >= dt.date.today(), (
        f"{path.relative_to(ROOT)} expired on {expires}: move it (and the lab text) forward"
    )


# --- the steps ------------------------------------------------------------------------------


@pytest.mark.parametrize("lab", LAB_IDS)
def test_offline_steps_run_as_written(lab: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    workdir = scratch_root(tmp_path)
    monkeypatch.chdir(workdir)
    for number, step in enumerate(scenario(lab)["steps"], start=1):
        command = step["run"]
        outcome = run_step(command, workdir)
        context = f"{lab} step {number}\n" + outcome.describe(command)
        assert outcome.exit_code == step["exit"], context
        for string in step.get("stdout", []):
            assert string in outcome.stdout, f"stdout lacks {string!r}\n{context}"
        for string in step.get("stderr", []):
            assert string in outcome.stderr, f"stderr lacks {string!r}\n{context}"
