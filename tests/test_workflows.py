"""The GitHub workflows (.github/workflows/pr.yml, deploy.yml and audit.yml), checked offline.

actionlint (with shellcheck over every ``run:`` script) and zizmor report nothing; every action
is pinned to a commit; and every command a workflow runs exists in this repository — make
targets, hlz subcommands and options (parsed by the real CLI parser), stacks, policy pack
configs — so renaming one of them fails here instead of in the next CI run. See docs/ci.md.

The stacks are what ``hlz stacks --json`` prints (run in-process), and so are the per-stack
matrices: a job whose matrix is ``${{ fromJSON(needs.<job>.outputs.<name>) }}`` runs one row
per stack, once the chain to ``hlz stacks --json`` is checked.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import itertools
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from hlz.cli import _parser
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = ("pr.yml", "deploy.yml", "audit.yml")
INSTALL_HINT = "install the test extras: .venv/bin/python -m pip install -e '.[test]'"

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# `matrix: ${{ fromJSON(needs.<job>.outputs.<name>) }}`, and the job output it reads.
MATRIX_FROM_OUTPUT = re.compile(
    r"^\$\{\{\s*fromJSON\(needs\.(?P<job>[\w-]+)\.outputs\.(?P<name>[\w-]+)\)\s*\}\}$"
)
STEP_OUTPUT = re.compile(r"^\$\{\{\s*steps\.(?P<step>[\w-]+)\.outputs\.(?P<name>[\w-]+)\s*\}\}$")
FULL_SHA = re.compile(r"[0-9a-f]{40}")
# `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`, the comment naming the release the SHA is from.
PINNED_USES_LINE = re.compile(
    r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})"
    r" # (?P<version>v\d+\.\d+\.\d+)\s*$"
)
SHELL_OPERATOR = set("();<>|&")
SHELL_KEYWORDS = {"!", "{", "}", "do", "then", "else", "elif", "if", "while", "until", "time"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


# --- reading the workflows -------------------------------------------------------------------


@dataclass(frozen=True)
class RunStep:
    """One ``run:`` step of one job, for one row of the job's matrix."""

    workflow: str
    job_id: str
    job: dict[str, Any]
    matrix: dict[str, Any]
    index: int
    step: dict[str, Any]
    env: dict[str, str] = field(repr=False)
    """Workflow, job and step ``env:`` merged, matrix values substituted."""

    @property
    def where(self) -> str:
        row = ", ".join(f"{key}={value}" for key, value in self.matrix.items())
        job = f"{self.job_id} [{row}]" if row else self.job_id
        return f"{self.workflow}: job {job}, step {self.step.get('name', self.index)!r}"

    def commands(self) -> list[list[str]]:
        return list(_commands(self.step["run"], self.env))


def _tool(name: str) -> str:
    """The console script installed beside this interpreter (the venv), else one on PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; {INSTALL_HINT}", pytrace=False)
    return found


def _substitute(text: str, matrix: dict[str, Any]) -> str:
    """``${{ matrix.X }}`` becomes its value; any other expression a ``<...>`` placeholder."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        key = expression.removeprefix("matrix.")
        if expression.startswith("matrix.") and key in matrix:
            return str(matrix[key])
        return f"<{expression}>"

    return EXPRESSION.sub(value, text)


@functools.cache
def _hlz_stacks() -> tuple[dict[str, Any], ...]:
    """The rows of ``hlz stacks --json`` (in-process): one per Pulumi.<stack>.yaml."""
    code, out, err = run_hlz("stacks", "--json")
    assert code == 0, err
    rows = tuple(json.loads(out)["include"])
    assert rows, "hlz stacks --json lists no stack"
    return rows


def _matrix_source(workflow: dict[str, Any], job: dict[str, Any]) -> tuple[str, str, dict] | None:
    """For a matrix ``${{ fromJSON(needs.<job>.outputs.<name>) }}``: the job it comes from, the
    id of the step that writes the output, and that step; None for a matrix written out.
    Asserts the chain: the job needs <job>, whose output <name> is a step's output."""
    matrix = (job.get("strategy") or {}).get("matrix")
    if not isinstance(matrix, str):
        return None
    source = MATRIX_FROM_OUTPUT.match(matrix.strip())
    assert source, f"a matrix expression other than fromJSON(needs.JOB.outputs.NAME): {matrix}"
    needs = job.get("needs", [])
    assert source["job"] in ({needs} if isinstance(needs, str) else set(needs)), (
        f"the matrix reads job {source['job']!r}, which the job does not need"
    )
    producer = workflow["jobs"][source["job"]]
    output = STEP_OUTPUT.match(str((producer.get("outputs") or {}).get(source["name"], "")))
    assert output and output["name"] == source["name"], (
        f"job {source['job']} has no output {source['name']!r} taken from a step's output"
    )
    step = next(s for s in producer["steps"] if s.get("id") == output["step"])
    return source["job"], source["name"], step


def _matrix_rows(workflow: dict[str, Any], job: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's matrix combinations, with GitHub's rules: ``include`` extends the combinations
    of the axes it agrees with, or becomes a combination of its own. A matrix generated by
    ``hlz stacks --json`` (test_matrices_are_generated_by_hlz_stacks) is its rows."""
    if _matrix_source(workflow, job) is not None:
        return [dict(row) for row in _hlz_stacks()]
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    axes = {key: values for key, values in matrix.items() if key not in ("include", "exclude")}
    product = itertools.product(*axes.values()) if axes else ()
    original = [dict(zip(axes, values, strict=True)) for values in product]
    for exclude in matrix.get("exclude", []):
        original = [row for row in original if any(row.get(k) != v for k, v in exclude.items())]
    rows = list(original)
    for include in matrix.get("include", []):
        matching = [
            row for row in original if all(row[k] == v for k, v in include.items() if k in axes)
        ]
        for row in matching:
            row.update(include)
        if not matching:
            rows.append(dict(include))
    return rows or [{}]


def _commands(script: str, env: dict[str, str]) -> Iterator[list[str]]:
    """The simple commands of a bash script, ``$VAR`` of the step's env expanded.

    Enough shell for what workflows run: line continuations, ``&&``/``||``/``;``/pipes,
    leading ``VAR=value`` assignments and compound-command keywords.
    """
    script = _unrolled(script.replace("\\\n", " "))
    for name, value in env.items():
        script = re.sub(rf"\$(?:\{{{name}\}}|{name}\b)", lambda _, value=value: value, script)
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            tokens = list(lexer)
        except ValueError as error:
            raise AssertionError(f"cannot split this run: line ({error}): {line}") from None
        segment: list[str] = []
        for token in [*tokens, ";"]:
            if token and set(token) <= SHELL_OPERATOR:
                words = list(
                    itertools.dropwhile(
                        lambda word: word in SHELL_KEYWORDS or ASSIGNMENT.match(word), segment
                    )
                )
                if words:
                    yield words
                segment = []
            else:
                segment.append(token)


STACK_LOOP = re.compile(
    r"^(?P<indent>[ \t]*)while read -r (?P<var>\w+); do\n(?P<body>.*?)\n[ \t]*done < <\("
    r"(?P<source>[^\n]*)\)$",
    re.DOTALL | re.MULTILINE,
)
"""``while read -r stack; do ...; done < <(LIST)``: a loop over the stacks."""
STACK_LIST = ".venv/bin/hlz stacks --json | jq -r '.include[].stack'"


def _unrolled(script: str) -> str:
    """Each loop over the stacks written out, once per stack of ``hlz stacks --json`` with the
    loop variable substituted, after the command that lists them; any other source of a
    ``while read`` loop is refused (the test could not know what it runs)."""

    def unroll(loop: re.Match[str]) -> str:
        assert loop["source"] == STACK_LIST, f"a while-read loop over {loop['source']!r}"
        name = loop["var"]
        runs = [
            re.sub(rf"\$(?:\{{{name}\}}|{name}\b)", row["stack"], loop["body"])
            for row in _hlz_stacks()
        ]
        return "\n".join([loop["indent"] + loop["source"], *runs])

    return STACK_LOOP.sub(unroll, script)


def _load(name: str) -> dict[str, Any]:
    path = WORKFLOWS / name
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as the boolean true.
    if True in document:
        document["on"] = document.pop(True)
    return document


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict[str, Any]]:
    return {name: _load(name) for name in WORKFLOW_FILES}


@pytest.fixture(scope="module")
def run_steps(workflows: dict[str, dict[str, Any]]) -> list[RunStep]:
    steps = []
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            for row in _matrix_rows(workflow, job):
                scopes = (workflow.get("env") or {}, job.get("env") or {})
                base = {k: _substitute(str(v), row) for scope in scopes for k, v in scope.items()}
                for index, step in enumerate(job.get("steps", [])):
                    if "run" not in step:
                        continue
                    env = base | {
                        k: _substitute(str(v), row) for k, v in (step.get("env") or {}).items()
                    }
                    steps.append(RunStep(name, job_id, job, row, index, step, env))
    return steps


def _invocations(run_steps: list[RunStep], program: str) -> list[tuple[RunStep, list[str]]]:
    """Every command of every run step whose program (basename) is ``program``."""
    found = [
        (step, command[1:])
        for step in run_steps
        for command in step.commands()
        if Path(command[0]).name == program
    ]
    assert found, f"no workflow runs {program}: the command extraction is broken"
    return found


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | str:
    """The parsed namespace, or argparse's error message."""
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            return parser.parse_args(argv)
    except SystemExit as stop:
        return (errors.getvalue().strip().splitlines() or [f"exited with {stop.code}"])[-1]


def _option(argv: list[str], *names: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in argv (the last one wins)."""
    value = None
    for index, word in enumerate(argv):
        for name in names:
            if word == name and index + 1 < len(argv):
                value = argv[index + 1]
            elif word.startswith(f"{name}="):
                value = word.split("=", 1)[1]
    return value


def _stack_config(stack: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]


def _stacks() -> list[str]:
    """Every stack, by name, as ``hlz stacks --json`` lists them."""
    return sorted(row["stack"] for row in _hlz_stacks())


def _pulumi_runs(run_steps: list[RunStep], verb: str) -> list[tuple[RunStep, list[str]]]:
    return [(s, argv) for s, argv in _invocations(run_steps, "pulumi") if argv[:1] == [verb]]


def _all_uses(workflows: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """(workflow, job id, uses) of every step and reusable-workflow call."""
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            if "uses" in job:
                yield name, job_id, job["uses"]
            for step in job.get("steps", []):
                if "uses" in step:
                    yield name, job_id, step["uses"]


def _uses(job: dict[str, Any], prefix: str) -> bool:
    return any(step.get("uses", "").startswith(prefix) for step in job.get("steps", []))


# --- linters ---------------------------------------------------------------------------------


def test_actionlint_reports_nothing_with_shellcheck_on_every_run_script():
    files = sorted(str(path) for path in WORKFLOWS.glob("*.y*ml"))
    command = [_tool("actionlint"), "-no-color", "-shellcheck", _tool("shellcheck")]
    result = subprocess.run(
        [*command, "-pyflakes=", *files], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def test_zizmor_reports_nothing_and_no_config_file_silences_it():
    # --no-config: a finding may only be silenced inline (`# zizmor: ignore[rule]` + reason).
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-config", "--format", "json", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    try:
        findings = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"zizmor failed (exit {result.returncode}):\n{result.stderr}", pytrace=False)
    lines = []
    for finding in findings:
        location = finding["locations"][0]
        path = location["symbolic"]["key"]["Local"]["verbatim_path"]
        row = location["concrete"]["location"]["start_point"]["row"] + 1
        severity = finding["determinations"]["severity"]
        lines.append(f"{path}:{row}: {finding['ident']} ({severity}): {finding['desc']}")
    assert not lines, "zizmor findings:\n" + "\n".join(lines)
    assert result.returncode == 0, result.stderr


# --- supply chain and privileges -------------------------------------------------------------


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_release_in_a_comment(workflows):
    problems = [
        f"{name}: job {job_id}: {uses} is not pinned to a 40-hex commit SHA"
        for name, job_id, uses in _all_uses(workflows)
        if not uses.startswith("./") and not FULL_SHA.fullmatch(uses.rpartition("@")[2])
    ]
    versions: dict[tuple[str, str], set[str]] = {}
    for name in WORKFLOW_FILES:
        for number, line in enumerate((WORKFLOWS / name).read_text().splitlines(), 1):
            if not re.match(r"^\s*(?:-\s+)?uses:", line):
                continue
            pinned = PINNED_USES_LINE.match(line)
            if pinned is None:
                problems.append(f"{name}:{number}: want `uses: owner/repo@<sha> # vX.Y.Z`: {line}")
                continue
            repo = "/".join(pinned["action"].split("/")[:2])
            versions.setdefault((repo, pinned["sha"]), set()).add(pinned["version"])
    shas: dict[str, set[str]] = {}
    for (repo, sha), tags in versions.items():
        shas.setdefault(repo, set()).add(sha)
        if len(tags) > 1:
            problems.append(f"{repo}@{sha} is labelled with several releases: {sorted(tags)}")
    problems += [
        f"{repo} is pinned to several commits: {sorted(s)}"
        for repo, s in shas.items()
        if len(s) > 1
    ]
    assert not problems, "\n".join(problems)


def test_workflows_grant_read_only_contents_and_each_job_only_the_writes_it_uses(workflows):
    problems = []
    for name, workflow in workflows.items():
        if workflow.get("permissions") != {"contents": "read"}:
            problems.append(f"{name}: workflow permissions must be exactly `contents: read`")
        for job_id, job in workflow["jobs"].items():
            granted = job.get("permissions", {})
            if not isinstance(granted, dict):
                problems.append(
                    f"{name}: job {job_id}: permissions must be a mapping, not {granted!r}"
                )
                continue
            runs = " ".join(str(step.get("run", "")) for step in job.get("steps", []))
            needed = {
                "contents": True,
                "id-token": _uses(job, "azure/login@"),
                "security-events": _uses(job, "github/codeql-action/upload-sarif@"),
                "pull-requests": "gh pr comment" in runs,
            }
            for scope, level in granted.items():
                if level == "write" and not needed.get(scope, False):
                    problems.append(f"{name}: job {job_id}: {scope}: write is not used")
                if scope == "contents" and level != "read":
                    problems.append(f"{name}: job {job_id}: contents must stay read")
            for scope, used in needed.items():
                if used and scope != "contents" and granted.get(scope) != "write":
                    problems.append(f"{name}: job {job_id}: uses {scope} but is not granted it")
    assert not problems, "\n".join(problems)


def test_checkouts_drop_credentials_and_every_job_times_out(workflows):
    problems = []
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            if not isinstance(job.get("timeout-minutes"), int):
                problems.append(f"{name}: job {job_id} has no timeout-minutes")
            for step in job.get("steps", []):
                checkout = step.get("uses", "").startswith("actions/checkout@")
                if checkout and (step.get("with") or {}).get("persist-credentials") is not False:
                    problems.append(
                        f"{name}: job {job_id}: checkout without persist-credentials: false"
                    )
    assert not problems, "\n".join(problems)


def test_run_scripts_take_every_expression_through_env(run_steps):
    # Nothing a pull request controls can be spliced into a script: values arrive as $VARS.
    offenders = {step.where for step in run_steps if "${{" in step.step["run"]}
    assert not offenders, "move these expressions to the step's env:\n" + "\n".join(
        sorted(offenders)
    )


def test_secrets_come_from_the_secrets_context_and_only_into_the_steps_that_use_them(workflows):
    problems = []
    for name, workflow in workflows.items():
        scopes = [("workflow env", workflow.get("env") or {})]
        for job_id, job in workflow["jobs"].items():
            scopes.append((f"job {job_id} env", job.get("env") or {}))
            for step in job.get("steps", []):
                env = step.get("env") or {}
                passphrase = env.get("PULUMI_CONFIG_PASSPHRASE")
                if (
                    passphrase is not None
                    and passphrase != "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
                ):
                    problems.append(
                        f"{name}: job {job_id}: PULUMI_CONFIG_PASSPHRASE must be the secret"
                    )
        for scope, env in scopes:
            problems += [
                f"{name}: {scope}: {key} exposes a secret to every step"
                for key, value in env.items()
                if "secrets." in str(value) or key == "PULUMI_CONFIG_PASSPHRASE"
            ]
    assert not problems, "\n".join(problems)


# --- every command exists here ---------------------------------------------------------------


def test_make_targets_run_by_workflows_exist_in_the_makefile(run_steps):
    makefile = (ROOT / "Makefile").read_text()
    targets = {
        target
        for match in re.finditer(r"^([A-Za-z0-9_.][A-Za-z0-9_. -]*?)\s*:(?!=)", makefile, re.M)
        for target in match.group(1).split()
    } - {".PHONY"}
    problems = [
        f"{step.where}: make {' '.join(argv)}: no target {goal!r} (targets: {sorted(targets)})"
        for step, argv in _invocations(run_steps, "make")
        for goal in argv
        if not goal.startswith("-") and "=" not in goal and goal not in targets
    ]
    assert not problems, "\n".join(problems)


def test_hlz_commands_parse_with_the_real_cli(run_steps):
    parser = _parser()
    subcommands = _subcommands(parser)
    problems = []
    for step, argv in _invocations(run_steps, "hlz"):
        command = " ".join(["hlz", *argv])
        if argv[0] not in subcommands:
            problems.append(f"{step.where}: `{command}`: hlz has no subcommand {argv[0]!r}")
            continue
        parsed = _parse(parser, argv)
        if isinstance(parsed, str):
            problems.append(f"{step.where}: `{command}`: {parsed}")
    assert not problems, "\n".join(problems)


def test_stacks_named_by_hlz_and_pulumi_commands_have_a_stack_file(run_steps):
    parser = _parser()
    named: list[tuple[RunStep, str]] = []
    for step, argv in _invocations(run_steps, "hlz"):
        parsed = _parse(parser, argv)
        if isinstance(parsed, argparse.Namespace):
            stacks = getattr(parsed, "stacks", None) or [getattr(parsed, "stack", None)]
            named += [(step, stack) for stack in stacks if stack is not None]
    for step, argv in _invocations(run_steps, "pulumi"):
        stack = _option(argv, "--stack", "-s")
        if argv[:1] in (["preview"], ["up"]):
            assert stack is not None, f"{step.where}: pulumi {argv[0]} without --stack"
        if stack is not None:
            named.append((step, stack))
    assert named, "no workflow command names a stack: the extraction is broken"
    problems = [
        f"{step.where}: stack {stack!r} has no Pulumi.{stack}.yaml"
        for step, stack in named
        if not (ROOT / f"Pulumi.{stack}.yaml").is_file()
    ]
    assert not problems, "\n".join(problems)


def test_pulumi_runs_the_policy_pack_with_the_config_of_the_stacks_profile(run_steps):
    runs = _pulumi_runs(run_steps, "preview") + _pulumi_runs(run_steps, "up")
    assert runs, "no workflow runs pulumi preview or pulumi up"
    problems = []
    for step, argv in runs:
        pack = _option(argv, "--policy-pack")
        config = _option(argv, "--policy-pack-config")
        stack = _option(argv, "--stack", "-s")
        if pack is None or not (ROOT / pack / "PulumiPolicy.yaml").is_file():
            problems.append(f"{step.where}: --policy-pack {pack} is not a policy pack")
        if config is None or not (ROOT / config).is_file():
            problems.append(f"{step.where}: --policy-pack-config {config} does not exist")
        if stack is not None and (ROOT / f"Pulumi.{stack}.yaml").is_file():
            profile = _stack_config(stack)["hlz:profile"]
            if config != f"policies/config/{profile}.json":
                problems.append(f"{step.where}: {stack} is a {profile} stack but uses {config}")
    assert not problems, "\n".join(problems)


def test_pulumi_cli_version_is_the_sdk_version_pinned_in_pyproject(workflows):
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    sdk = next(d.split("==")[1] for d in dependencies if d.startswith("pulumi=="))
    versions = {
        str((step.get("with") or {}).get("pulumi-version"))
        for workflow in workflows.values()
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses", "").startswith("pulumi/actions@")
    }
    assert versions == {sdk}, f"pulumi/actions installs {versions}; pyproject pins pulumi=={sdk}"


# --- what the workflows do -------------------------------------------------------------------


def test_pr_plans_every_stack_and_uploads_one_sarif_analysis_per_stack(workflows, run_steps):
    plans = [
        _parse(_parser(), argv)
        for step, argv in _invocations(run_steps, "hlz")
        if step.workflow == "pr.yml" and argv[:1] == ["plan"]
    ]
    assert any(
        isinstance(p, argparse.Namespace) and p.all and p.out_dir == Path("plans") for p in plans
    ), "pr.yml must run `hlz plan --all --out-dir plans`"
    # One upload of the directory, no category: upload-sarif keeps each run's own
    # automationDetails.id (codeql-action src/upload-lib.ts, populateRunAutomationDetails) and
    # accepts runs whose ids differ (src/sarif/index.ts, areAllRunsUnique); every
    # plans/<stack>.sarif names hlz/<stack>/ (tests/test_plan_parallel.py checks the files), so
    # each stack is its own analysis and a new stack file needs no edit here.
    uploads = [
        step["with"]
        for job in workflows["pr.yml"]["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    ]
    assert uploads == [{"sarif_file": "plans"}]


def test_deploy_previews_and_deploys_every_stack_after_its_preflight(run_steps):
    stacks = set(_stacks())
    for verb in ("preview", "up"):
        covered = {_option(argv, "--stack", "-s") for _, argv in _pulumi_runs(run_steps, verb)}
        assert covered == stacks, f"pulumi {verb} runs for {sorted(covered)}, not {sorted(stacks)}"
    problems = []
    for step, argv in _pulumi_runs(run_steps, "preview") + _pulumi_runs(run_steps, "up"):
        stack = _option(argv, "--stack", "-s")
        preflights = [
            other.index
            for other in run_steps
            if (other.workflow, other.job_id, other.matrix)
            == (step.workflow, step.job_id, step.matrix)
            for command in other.commands()
            if Path(command[0]).name == "hlz" and command[1:3] == ["preflight", stack]
        ]
        if not preflights or min(preflights) > step.index:
            problems.append(f"{step.where}: no `hlz preflight {stack}` before pulumi {argv[0]}")
    assert not problems, "\n".join(problems)


def test_up_runs_on_push_and_preview_on_pull_requests_in_the_stacks_environment(
    workflows, run_steps
):
    assert workflows["deploy.yml"]["on"]["push"]["branches"] == ["main"]
    problems = []
    for step, argv in _pulumi_runs(run_steps, "up") + _pulumi_runs(run_steps, "preview"):
        stack = _option(argv, "--stack", "-s")
        declared = step.job.get("environment")
        name = declared.get("name") if isinstance(declared, dict) else declared
        environment = _substitute(str(name), step.matrix)
        if environment != stack:
            problems.append(f"{step.where}: runs in environment {environment!r}, not {stack!r}")
        event = "push" if argv[0] == "up" else "pull_request"
        if f"github.event_name == '{event}'" not in str(step.job.get("if", "")):
            problems.append(f"{step.where}: pulumi {argv[0]} must be limited to {event} events")
    assert not problems, "\n".join(problems)


def test_labs_deploy_after_their_landing_zone_and_production_after_every_dev_stack(
    workflows, run_steps
):
    jobs = workflows["deploy.yml"]["jobs"]
    job_of = {
        _option(argv, "--stack", "-s"): step.job_id
        for step, argv in _pulumi_runs(run_steps, "up")
        if step.workflow == "deploy.yml"
    }

    def upstream(job_id: str) -> set[str]:
        needs = jobs[job_id].get("needs", [])
        direct = {needs} if isinstance(needs, str) else set(needs)
        return direct.union(*(upstream(need) for need in direct))

    problems = []
    for stack, job_id in job_of.items():
        config = _stack_config(stack)
        landing_zone = config.get("hlz:landingZoneStack")
        if landing_zone is not None and job_of.get(landing_zone) not in upstream(job_id):
            problems.append(f"{job_id} ({stack}) does not wait for {landing_zone}")
        if config["hlz:profile"] == "production":
            dev = {job_of[s] for s in job_of if _stack_config(s)["hlz:profile"] != "production"}
            if not dev <= upstream(job_id):
                problems.append(
                    f"{job_id} ({stack}) does not wait for {sorted(dev - upstream(job_id))}"
                )
    assert not problems, "\n".join(problems)


def test_the_audit_runs_on_a_schedule_for_every_stack_read_only_with_one_analysis_each(
    workflows, run_steps
):
    audit = workflows["audit.yml"]
    triggers = audit["on"]
    assert triggers["schedule"] and "workflow_dispatch" in triggers
    assert set(triggers) == {"schedule", "workflow_dispatch"}, "no push or pull-request trigger"
    audited = {}
    for step, argv in _invocations(run_steps, "hlz"):
        if step.workflow != "audit.yml":
            continue
        parsed = _parse(_parser(), argv)
        assert isinstance(parsed, argparse.Namespace), parsed
        if parsed.command == "stacks":
            continue  # the matrix (test_per_stack_matrices_are_generated_by_hlz_stacks)
        assert parsed.command == "audit" and parsed.replay is None
        assert parsed.arm_endpoint == "https://management.azure.com"
        audited[parsed.stack] = (step, parsed)
    assert sorted(audited) == _stacks()
    for stack, (step, parsed) in audited.items():
        assert parsed.sarif == Path(f"audit/{stack}.audit.sarif")
        assert step.job.get("environment") == "audit", "one Reader-only environment"
        uploads = [
            s["with"]
            for s in step.job["steps"]
            if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
        ]
        assert [_substitute(u["category"], step.matrix) for u in uploads] == [f"hlz-audit/{stack}"]
        assert [_substitute(u["sarif_file"], step.matrix) for u in uploads] == [str(parsed.sarif)]
    text = (WORKFLOWS / "audit.yml").read_text()
    assert "secrets." not in text and "pulumi" not in text.lower().replace("pulumi state", "")


PER_STACK_JOBS = {("deploy.yml", "preview"), ("audit.yml", "audit")}
"""The jobs that run once per stack; each takes its matrix from ``hlz stacks --json``."""


def test_per_stack_matrices_are_generated_by_hlz_stacks(workflows):
    """No stack list is written into a workflow: the preview and audit matrices are the output
    of a job that runs ``hlz stacks --json`` into ``$GITHUB_OUTPUT`` under the output's name,
    so a new Pulumi.<stack>.yaml is previewed and audited without editing a workflow."""
    parser = _parser()
    problems = []
    for name, job_id in sorted(PER_STACK_JOBS):
        workflow = workflows[name]
        source = _matrix_source(workflow, workflow["jobs"][job_id])
        if source is None:
            problems.append(f"{name}: job {job_id}: its matrix is written out, not generated")
            continue
        producer, output, step = source
        script = step.get("run", "")
        writes = re.search(
            rf'echo "{output}<<(?P<end>\w+)"\n\s*(?P<hlz>\S+) (?P<args>[^\n]*)\n'
            rf'\s*echo "(?P=end)"\n\s*\}} >> "\$GITHUB_OUTPUT"',
            script,
        )
        if writes is None or Path(writes["hlz"]).name != "hlz":
            problems.append(
                f"{name}: job {producer}: step {step.get('name')!r} does not write `hlz stacks "
                f"--json` to $GITHUB_OUTPUT as {output}"
            )
            continue
        parsed = _parse(parser, shlex.split(writes["args"]))
        if not (
            isinstance(parsed, argparse.Namespace)
            and parsed.command == "stacks"
            and parsed.json
            and parsed.project_dir is None
        ):
            problems.append(f"{name}: job {producer}: runs `hlz {writes['args']}`")
    written_out = [
        f"{name}: job {job_id}: a matrix written out names stacks: {matrix}"
        for name, workflow in workflows.items()
        for job_id, job in workflow["jobs"].items()
        if isinstance(matrix := (job.get("strategy") or {}).get("matrix"), dict)
        and "stack" in json.dumps(matrix)
    ]
    assert not problems + written_out, "\n".join(problems + written_out)


def test_hlz_stacks_lists_every_stack_file_in_a_deploy_order_labs_and_production_last():
    """Read against the stack files themselves: one row per file with its profile, layer and
    landing zone (matrix values: strings and numbers only), and a deploy order in which a lab
    comes after its landing zone and production after every lab-profile stack."""
    rows = {row["stack"]: row for row in _hlz_stacks()}
    files = [path.name[len("Pulumi.") : -len(".yaml")] for path in ROOT.glob("Pulumi.*.yaml")]
    assert sorted(rows) == sorted(files)
    for stack, row in rows.items():
        config = _stack_config(stack)
        assert row["profile"] == config["hlz:profile"]
        assert row["layer"] == config["hlz:layer"]
        assert row["landingZone"] == config.get("hlz:landingZoneStack", "")
        assert all(isinstance(value, str | int) for value in row.values()), row
    assert sorted(row["order"] for row in rows.values()) == list(range(1, len(rows) + 1))
    dev = [row["order"] for row in rows.values() if row["profile"] != "production"]
    for row in rows.values():
        if row["landingZone"]:
            assert row["order"] > rows[row["landingZone"]]["order"], row
        if row["profile"] == "production":
            assert row["order"] > max(dev, default=0), row


def test_the_up_chain_deploys_in_the_order_hlz_stacks_prints(workflows, run_steps):
    """The up-* jobs stay written out (a chain of `needs`, docs/ci.md); their order is the
    deploy order of ``hlz stacks``, whose rules (a lab after its landing zone, production after
    dev) the test above checks against the stack files."""
    jobs = workflows["deploy.yml"]["jobs"]
    stack_of = {
        step.job_id: _option(argv, "--stack", "-s")
        for step, argv in _pulumi_runs(run_steps, "up")
        if step.workflow == "deploy.yml"
    }
    chain: list[str] = []
    remaining = set(stack_of)
    while remaining:
        free = [
            job_id
            for job_id in remaining
            if set(_needs(jobs[job_id])) & set(stack_of) <= set(chain)
        ]
        assert len(free) == 1, f"the up jobs are not one chain: {sorted(free)} can start together"
        chain.append(free[0])
        remaining.discard(free[0])
    expected = [row["stack"] for row in sorted(_hlz_stacks(), key=lambda row: row["order"])]
    assert [stack_of[job_id] for job_id in chain] == expected


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)
