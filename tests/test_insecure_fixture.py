"""The deliberately insecure program (tests/fixtures/insecure) trips every rule of the pack.

Rule tests feed hand-written props to check functions; this proves the same rules fire on what
the real azure-native SDK registers, through a real offline plan, for resource rules and stack
rules alike. The fixture is planned once, and run once through ``hlz plan`` in-process; both
results are shared with tests/test_policy_reports.py (tests/fixtures/insecure_stack.py).
"""

from __future__ import annotations

import json

import pytest

from hlz.policy_check import PolicyReport
from hlz.render.markdown import markdown
from hlz.render.sarif import sarif
from policies.model import NonCompliant
from policies.registry import ALL_RULES
from tests.fixtures.insecure_stack import (
    STACK,
    CliRun,
    insecure_cli_run,
    insecure_plan,
    insecure_report,
)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    return insecure_cli_run(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def report() -> PolicyReport:
    return insecure_report()


def test_every_rule_fails_at_least_once_through_a_real_plan(report: PolicyReport):
    failed = {f.rule.id for f in report.findings if isinstance(f.evaluation, NonCompliant)}
    missing = sorted({rule.id for rule in ALL_RULES} - failed)
    assert not missing, f"rules the insecure fixture does not trip: {missing}"


def test_fixture_is_checked_under_the_production_profile_of_its_stack_file(
    report: PolicyReport,
):
    assert insecure_plan().profile == "production"
    assert report.profile.value == "production"
    # Production makes every rule mandatory, so every violation blocks the deployment.
    assert report.blocking == report.violations


def test_cli_plan_of_the_fixture_exits_1_for_mandatory_violations(cli_run: CliRun):
    assert cli_run.result.code == 1, cli_run.result.stderr
    assert "Traceback" not in cli_run.result.stderr


def test_cli_summary_names_every_rule_with_its_hipaa_section(cli_run: CliRun):
    stdout = cli_run.result.stdout
    unnamed = [
        rule.id
        for rule in ALL_RULES
        if f"MANDATORY {rule.id} [{rule.primary_citation}] " not in stdout
    ]
    assert not unnamed, f"violated rules missing from the summary: {unnamed}"
    assert f"{len(ALL_RULES)} rules, " in stdout


def _without_order(policy: dict) -> dict:
    """The policy section with its finding lists sorted: plan step order (resource registration
    order) varies from run to run, so list order is not part of the result."""
    unordered = {key: value for key, value in policy.items() if key != "evaluatedOn"}
    for key in ("violations", "exempted", "exemptions"):
        unordered[key] = sorted(json.dumps(item, sort_keys=True) for item in policy[key])
    return unordered


def _sarif_without_order(document: dict) -> dict:
    document = json.loads(json.dumps(document))
    for run in document["runs"]:
        run["results"].sort(key=lambda result: json.dumps(result, sort_keys=True))
    return document


def test_cli_plan_json_carries_the_same_policy_result_as_in_process(
    cli_run: CliRun, report: PolicyReport
):
    document = json.loads(cli_run.plan_json.read_text())
    assert _without_order(document["hlz"]["policy"]) == _without_order(report.to_json())
    assert document["hlz"]["profile"] == "production"
    assert document["hlz"]["layer"] == "insecure_fixture"


def test_cli_writes_the_sarif_and_markdown_the_report_renders(
    cli_run: CliRun, report: PolicyReport
):
    written = json.loads(cli_run.sarif.read_text())
    assert _sarif_without_order(written) == _sarif_without_order(
        sarif(report, f"Pulumi.{STACK}.yaml")
    )
    lines = cli_run.markdown.read_text().splitlines()
    assert sorted(lines) == sorted(markdown(report).splitlines())
