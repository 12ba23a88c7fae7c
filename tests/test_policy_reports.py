"""Reports of a policy evaluation: SARIF, Markdown, exemptions, ``hlz check``, the HIPAA evidence
matrix, preview mode, and the example stacks' clean bill of health.

The insecure fixture (every rule failing) and its one CLI run come from
tests/fixtures/insecure_stack.py; the example stacks are the session plans of tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from hlz.plan import Plan, plan_stack
from hlz.plan_document import UNKNOWN_MARK
from hlz.policy_check import UNCHECKED_KIND, PolicyReport, check_plan, outcome_name
from hlz.render.compliance import compliance_matrix
from hlz.render.markdown import markdown
from hlz.render.sarif import sarif
from hlz.render.summary import policy_summary
from hlz.render.text import short_urn
from hlz.schema import FINDING_KINDS
from hlz.stackfiles import load_stack_file
from policies.frameworks import HIPAA_SECTIONS
from policies.model import NonCompliant, Undetermined
from policies.registry import ALL_RULES
from tests.cli_runner import run_hlz
from tests.fixtures.insecure_stack import (
    PROGRAM,
    ROOT,
    STACK,
    STACK_FILE,
    CliRun,
    insecure_cli_run,
    insecure_plan,
    insecure_report,
)

SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0.json").read_text())
TODAY = dt.date(2026, 1, 15)
"""Fixed evaluation day for the exemption scenarios, so 'active' and 'expired' never drift."""

ACTIVE_RULE = "storage-account-disallow-public-network-access"
EXPIRED_RULE = "keyvault-vault-require-premium-sku"
EXEMPTIONS = [
    {
        "rule": ACTIVE_RULE,
        "resource": "stinsecure",
        "reason": "Vendor import job needs the public endpoint until its private link is live.",
        "owner": "platform-team@example.org",
        "expires": "2026-06-30",
    },
    {
        "rule": EXPIRED_RULE,
        "resource": "urn:pulumi:insecure::hlz::*::kv-insecure",
        "reason": "Premium SKU budget was approved for the next fiscal year only.",
        "owner": "security-team@example.org",
        "expires": "2025-12-31",
    },
]


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def reason_count(report: PolicyReport) -> int:
    return sum(
        len(f.evaluation.reasons) for f in report.findings if isinstance(f.evaluation, NonCompliant)
    )


def finding(report: PolicyReport, rule_id: str, name: str):
    matches = [f for f in report.findings if f.rule.id == rule_id and f.urn.endswith(f"::{name}")]
    assert len(matches) == 1, f"expected one {rule_id} finding on {name}, found {len(matches)}"
    return matches[0]


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    return insecure_cli_run(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def insecure() -> PolicyReport:
    return insecure_report()


@pytest.fixture(scope="module")
def clean(lz_dev: Plan) -> PolicyReport:
    return check_plan(lz_dev.to_json())


@pytest.fixture(scope="module")
def exempted(tmp_path_factory: pytest.TempPathFactory) -> PolicyReport:
    path = tmp_path_factory.mktemp("exemptions") / "exemptions.yaml"
    path.write_text(yaml.safe_dump(EXEMPTIONS, sort_keys=False))
    return check_plan(insecure_plan().to_json(), exemptions_path=path, today=TODAY)


# --- SARIF --------------------------------------------------------------------------------------


def test_sarif_of_the_insecure_plan_validates_against_the_sarif_2_1_0_schema(cli_run: CliRun):
    document = json.loads(cli_run.sarif.read_text())
    assert document["version"] == "2.1.0"
    assert document["runs"][0]["results"], "the insecure plan must produce results"
    assert schema_errors(document) == []


def test_sarif_schema_check_rejects_a_malformed_report(insecure: PolicyReport):
    # Guards the validations above against a schema (or validator) that accepts anything.
    document = sarif(insecure, "Pulumi.insecure.yaml")
    results = document["runs"][0]["results"]
    results[0]["level"] = "fatal"
    del results[1]["message"]
    errors = schema_errors(document)
    assert any("'fatal'" in error for error in errors)
    assert any("'message' is a required property" in error for error in errors)


def test_sarif_of_a_clean_stack_validates_and_has_no_results(clean: PolicyReport):
    document = sarif(clean, "Pulumi.lz-dev.yaml")
    assert schema_errors(document) == []
    assert document["runs"][0]["results"] == []
    # Every pack rule, then one descriptor per kind of type finding.
    assert len(document["runs"][0]["tool"]["driver"]["rules"]) == len(ALL_RULES) + len(
        FINDING_KINDS
    )


def test_sarif_has_one_result_per_violation_reason(insecure: PolicyReport):
    everything = sarif(insecure, "Pulumi.insecure.yaml")["runs"][0]["results"]
    # Type-check findings (hlz-type/*) are results of their own, one per finding; the fixture
    # has some for types without vendored definitions (azure-native:search).
    results = [r for r in everything if not r["ruleId"].startswith("hlz-type/")]
    assert len(everything) - len(results) == len(insecure.type_findings)
    assert len(results) == reason_count(insecure)
    expected = Counter(
        (f.rule.id, f.urn)
        for f in insecure.findings
        if isinstance(f.evaluation, NonCompliant)
        for _ in f.evaluation.reasons
    )
    located = Counter(
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
        for r in results
    )
    assert located == expected
    fingerprints = [r["partialFingerprints"]["hlzFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_results_point_at_rules_described_by_the_driver(insecure: PolicyReport):
    run = sarif(insecure, "Pulumi.insecure.yaml")["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.id for rule in ALL_RULES] + [
        f"hlz-type/{kind}" for kind in FINDING_KINDS
    ]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        # production: every violation is mandatory; an unchecked type is only a note
        unchecked = result["ruleId"] == f"hlz-type/{UNCHECKED_KIND}"
        assert result["level"] == ("note" if unchecked else "error")


def test_sarif_marks_exempted_findings_with_suppressions(exempted: PolicyReport):
    document = sarif(exempted, "Pulumi.insecure.yaml")
    assert schema_errors(document) == []
    suppressed = [r for r in document["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["message"]["text"].split(" ")[1]) for r in suppressed] == [
        (ACTIVE_RULE, "storage:StorageAccount::stinsecure:")
    ]
    assert EXEMPTIONS[0]["reason"] in suppressed[0]["suppressions"][0]["justification"]
    # The expired exemption suppresses nothing.
    expired = [r for r in document["runs"][0]["results"] if r["ruleId"] == EXPIRED_RULE]
    assert expired and all("suppressions" not in r for r in expired)


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_of_the_insecure_plan_blocks_and_lists_each_violation_with_its_fix(
    insecure: PolicyReport,
):
    text = markdown(insecure)
    assert f"**{len(insecure.blocking)} mandatory violation(s)** — the deployment is blocked" in (
        text
    )
    rows = [line for line in text.splitlines() if line.startswith("| mandatory |")]
    assert len(rows) == reason_count(insecure)
    for violation in insecure.violations:
        rule = violation.rule
        remediation = rule.remediation.replace("|", "\\|")
        assert any(
            f"`{rule.id}`" in row
            and f"`{short_urn(violation.urn)}`" in row
            and row.endswith(f"| {remediation} |")
            for row in rows
        ), f"no row for {rule.id} on {violation.urn}"


def test_markdown_of_a_clean_stack_says_no_mandatory_violations(clean: PolicyReport):
    text = markdown(clean)
    assert "**No mandatory violations**" in text
    assert "blocked" not in text and "#### Violations" not in text


def test_markdown_lists_active_and_expired_exemptions(exempted: PolicyReport):
    rows = [line for line in markdown(exempted).splitlines() if line.startswith("| `")]
    active = next(row for row in rows if row.startswith(f"| `{ACTIVE_RULE}`"))
    expired = next(row for row in rows if row.startswith(f"| `{EXPIRED_RULE}`"))
    assert active.endswith("| 2026-06-30 | active |")
    assert expired.endswith("| 2025-12-31 | **expired** |")
    assert EXEMPTIONS[0]["reason"] in active and EXEMPTIONS[1]["owner"] in expired


# --- exemptions ---------------------------------------------------------------------------------


def test_active_exemption_turns_the_failure_into_exempt_and_unblocks_it(
    insecure: PolicyReport, exempted: PolicyReport
):
    waived = finding(exempted, ACTIVE_RULE, "stinsecure")
    assert outcome_name(waived) == "exempt"
    assert waived.exemption is not None and waived.exemption.rule_id == ACTIVE_RULE
    assert waived not in exempted.blocking and exempted.exempted == [waived]
    before = {(f.rule.id, f.urn) for f in insecure.blocking}
    after = {(f.rule.id, f.urn) for f in exempted.blocking}
    assert before - after == {(ACTIVE_RULE, waived.urn)} and after < before


def test_expired_exemption_leaves_the_violation_blocking_and_says_it_expired(
    exempted: PolicyReport,
):
    violation = finding(exempted, EXPIRED_RULE, "kv-insecure")
    assert outcome_name(violation) == "fail"
    assert violation in exempted.blocking
    assert violation.exemption is None
    assert violation.expired_exemption is not None
    assert [e.rule_id for e in exempted.expired_exemptions] == [EXPIRED_RULE]
    document = exempted.to_json()
    assert document["summary"]["expiredExemptions"] == 1
    [reported] = [v for v in document["violations"] if "expiredExemption" in v]
    assert reported["rule"] == EXPIRED_RULE and reported["expiredExemption"]["expires"] == (
        "2025-12-31"
    )


def test_plan_with_an_exemption_for_an_unknown_rule_exits_2_naming_it(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump([{**EXEMPTIONS[0], "rule": "storage-account-allow-everything"}]))
    # A one-resource program keeps this fast; exemptions are validated the same way for any.
    program = tmp_path / "__main__.py"
    program.write_text(
        "from pulumi_azure_native import resources\n"
        "resources.ResourceGroup('rg', resource_group_name='rg', location='eastus2')\n"
    )
    out = tmp_path / "plan.json"
    code, _, err = run_hlz(
        "plan",
        "tiny",
        "--program",
        program,
        "--stack-file",
        STACK_FILE,
        "--exemptions",
        bad,
        "--json",
        out,
    )
    assert code == 2, err
    assert "unknown rule id 'storage-account-allow-everything'" in err
    assert "Traceback" not in err
    assert not out.exists()


# --- hlz check ----------------------------------------------------------------------------------


def test_check_of_the_saved_plan_reports_the_same_violations_as_plan(
    cli_run: CliRun, tmp_path: Path
):
    check_sarif = tmp_path / "check.sarif"
    code, out, err = run_hlz("check", cli_run.plan_json, "--sarif", check_sarif)
    assert code == 1, err
    # Same rows, same order: both evaluate the steps of the same plan document.
    assert out.strip() and out.strip() in cli_run.result.stdout
    policy = json.loads(cli_run.plan_json.read_text())["hlz"]["policy"]
    from_plan = Counter(
        (violation["rule"], violation["urn"], reason)
        for violation in policy["violations"]
        for reason in violation["reasons"]
    )
    results = json.loads(check_sarif.read_text())["runs"][0]["results"]
    from_check = Counter(
        (
            r["ruleId"],
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            r["message"]["text"].split(": ", 1)[1],
        )
        for r in results
        if not r["ruleId"].startswith("hlz-type/")  # type-check findings are not violations
    )
    assert from_plan and from_check == from_plan


def test_check_of_a_json_file_that_is_not_a_plan_exits_2(tmp_path: Path):
    path = tmp_path / "not-a-plan.json"
    path.write_text(json.dumps({"resources": []}))
    code, _, err = run_hlz("check", path)
    assert code == 2
    assert "not a plan" in err


# --- HIPAA evidence matrix ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compliance_sections(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """``hlz report compliance lz-dev``: 45 CFR section heading -> the lines under it (the
    closing exemptions section is checked on its own)."""
    path = tmp_path_factory.mktemp("compliance") / "matrix.md"
    code, _, err = run_hlz("report", "compliance", "lz-dev", "--out", path)
    assert code == 0, err
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in path.read_text().split("## Exemptions and overrides")[0].splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line, [])
        else:
            current.append(line)
    return sections


def test_hipaa_section_titles_cover_every_citation_of_the_rules():
    cited = {citation for rule in ALL_RULES for citation in rule.hipaa}
    assert sorted(cited - set(HIPAA_SECTIONS)) == []


def test_compliance_matrix_has_a_titled_heading_for_every_cited_section(
    compliance_sections: dict[str, list[str]],
):
    headings = re.compile(r"^## 45 CFR (?P<citation>164\.3\S+) — (?P<title>\S.*)$")
    parsed = {}
    for heading in compliance_sections:
        match = headings.match(heading)
        assert match, f"heading without a title: {heading!r}"
        parsed[match["citation"]] = match["title"]
    cited = {citation for rule in ALL_RULES for citation in rule.hipaa}
    assert set(parsed) == cited
    assert all(parsed[citation] == HIPAA_SECTIONS[citation] for citation in parsed)


def test_compliance_matrix_lists_each_rule_under_each_of_its_sections(
    compliance_sections: dict[str, list[str]],
):
    by_citation = {heading.split()[3]: lines for heading, lines in compliance_sections.items()}
    missing = [
        f"{rule.id} under {citation}"
        for rule in ALL_RULES
        for citation in rule.hipaa
        if not any(
            line.startswith(f"| `{rule.id}` |") and "| `lz-dev` |" in line
            for line in by_citation.get(citation, [])
        )
    ]
    assert missing == []


# --- preview mode -------------------------------------------------------------------------------


def _preview_and_full(stack: str, request: pytest.FixtureRequest) -> tuple[Plan, Plan]:
    if stack == STACK:
        stack_file = load_stack_file(STACK, path=STACK_FILE)
        preview = plan_stack(STACK, stack_file=stack_file, program_file=PROGRAM, preview=True)
        return preview, insecure_plan()
    return plan_stack(stack, preview=True), request.getfixturevalue(stack.replace("-", "_"))


@pytest.mark.parametrize("stack", ["lz-prod", STACK])
def test_preview_evaluation_agrees_with_the_full_plan_wherever_it_is_determined(
    stack: str, request: pytest.FixtureRequest
):
    # lz-prod passes everything; the insecure fixture shows failures are caught in preview too.
    preview_plan, full_plan = _preview_and_full(stack, request)
    preview_document = preview_plan.to_json()
    assert UNKNOWN_MARK in json.dumps(preview_document["steps"]), "preview left nothing unknown"
    # Evaluating must not raise on unknown values anywhere.
    preview = {(f.rule.id, f.urn): f.evaluation for f in check_plan(preview_document).findings}
    full = {(f.rule.id, f.urn): f.evaluation for f in check_plan(full_plan.to_json()).findings}
    assert set(preview) == set(full)
    determined = {
        key: value for key, value in preview.items() if not isinstance(value, Undetermined)
    }
    assert determined, "every finding was undetermined in preview"
    disagreements = [
        f"{rule} on {short_urn(urn)}: preview {type(value).__name__}, "
        f"full {type(full[rule, urn]).__name__}"
        for (rule, urn), value in determined.items()
        if type(value) is not type(full[rule, urn])
    ]
    assert disagreements == []


# --- the example stacks -------------------------------------------------------------------------


@pytest.mark.parametrize("stack_fixture", ["lz_dev", "lz_prod", "lab_dev", "lab_prod"])
def test_example_stack_has_no_policy_violations(stack_fixture: str, request: pytest.FixtureRequest):
    plan: Plan = request.getfixturevalue(stack_fixture)
    report = check_plan(plan.to_json())
    violations = [
        f"{f.rule.id} on {short_urn(f.urn)}: {reason}"
        for f in report.violations
        for reason in f.evaluation.reasons  # type: ignore[union-attr]
    ]
    assert violations == []
    assert report.findings, "the pack evaluated nothing"


def test_every_report_carries_the_exemptions(exempted: PolicyReport):
    listed = sarif(exempted, "Pulumi.insecure.yaml")["runs"][0]["properties"]["exemptions"]
    assert [(e["rule"], e["active"]) for e in listed] == [(ACTIVE_RULE, True), (EXPIRED_RULE, False)]
    matrix = compliance_matrix([exempted])
    section = matrix.split("## Exemptions and overrides", 1)[1]
    assert f"| `{ACTIVE_RULE}` |" in section and "| **expired** |" in section
    assert exempted.to_json()["exemptions"][1]["active"] is False


def test_every_weakened_default_is_listed_in_every_report(clean: PolicyReport):
    """lz-dev (lab profile) goes without locks and a DDoS plan; no rule of the lab profile
    judges either, yet each report lists them with the reason written on the resource."""
    from policies.vocabulary import OVERRIDE_TAG_PREFIX
    from stacks.common import LAB_PROFILE_OVERRIDES

    listed = {(o.control, short_urn(o.urn)) for o in clean.recorded_overrides}
    assert {control for control, _ in listed} == {"lock", "ddos-protection"}
    assert len(listed) == 4  # two resource groups, the vault, the hub VNet
    assert {o.reason for o in clean.recorded_overrides} == {
        LAB_PROFILE_OVERRIDES["lock"],
        LAB_PROFILE_OVERRIDES["ddos_protection"],
    }
    assert all(o.rules == () for o in clean.recorded_overrides)  # no lab rule reads them
    assert clean.to_json()["summary"]["overrides"] == 4
    properties = sarif(clean, "Pulumi.lz-dev.yaml")["runs"][0]["properties"]
    assert {(o["control"], o["reason"]) for o in properties["overrides"]} == {
        ("lock", LAB_PROFILE_OVERRIDES["lock"]),
        ("ddos-protection", LAB_PROFILE_OVERRIDES["ddos_protection"]),
    }
    comment = markdown(clean)
    assert "#### Overrides (secure defaults weakened on purpose)" in comment
    assert f"| `ddos-protection` | `{short_urn(next(o.urn for o in clean.recorded_overrides if o.control == 'ddos-protection'))}` |" in comment
    matrix = compliance_matrix([clean]).split("## Exemptions and overrides", 1)[1]
    assert matrix.count("| `lz-dev` | `lock` |") == 3
    assert OVERRIDE_TAG_PREFIX == "hlz-override-"


def test_an_override_a_rule_reads_names_the_rule_it_answers():
    """A PHI deployment on a Global SKU is a violation unless its data-residency override says
    why; the listed override names the rule it answers."""
    from tests.conftest import PLANNER

    stack_file = load_stack_file("lab-dev")
    deployment = stack_file.config["hlz:openai"]["deployments"][0]
    deployment["sku"] = "GlobalStandard"
    deployment["dataResidencyOverride"] = {"reason": "de-identified notes only, IRB-2291"}
    report = check_plan(PLANNER.plan("lab-global", stack_file=stack_file).to_json())
    (override,) = [o for o in report.recorded_overrides if o.control == "data-residency"]
    assert override.reason == "de-identified notes only, IRB-2291"
    assert override.rules == ("cognitiveservices-deployment-restrict-data-zone-sku",)
    assert f"[answers {override.rules[0]}]" in policy_summary(report)


def test_compliance_matrix_names_each_rules_runtime_counterpart_or_none(
    compliance_sections: dict[str, list[str]],
):
    rows = [line for lines in compliance_sections.values() for line in lines if line.startswith("| `")]
    public = next(r for r in rows if r.startswith("| `storage-account-disallow-public-network-access` |"))
    assert public.rstrip(" |").endswith("Storage accounts should disable public network access (Audit)")
    cors = next(r for r in rows if r.startswith("| `healthcareapis-fhirservice-disable-smart-proxy` |"))
    assert "| none: no built-in reads the SMART proxy |" in cors
