"""Reports of a policy evaluation: SARIF 2.1.0 for code scanning, a Markdown pull-request
comment, and the HIPAA evidence matrix (45 CFR section -> rules -> resources -> verdicts)."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from hlz import __version__
from hlz.policy_check import (
    UNCHECKED_KIND,
    PolicyReport,
    exemption_json,
    outcome_name,
    short_urn,
)
from hlz.schema import FINDING_KINDS
from hlz.text import markdown_cell as _cell
from policies.evaluation import Finding
from policies.exemptions import Exemption
from policies.frameworks import HIPAA_SECTIONS
from policies.model import NonCompliant, Rule, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/hlz-health/hlz"

# GitHub code scanning ranks security results by this score (0-10).
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}



def _reasons(finding: Finding) -> list[str]:
    evaluation = finding.evaluation
    return list(evaluation.reasons) if isinstance(evaluation, NonCompliant) else []


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    help_text = f"{rule.rationale}\n\nRemediation: {rule.remediation}"
    basis = (
        f"**HIPAA:** {', '.join(rule.hipaa)}"
        if rule.hipaa
        else f"**Azure Resource Manager constraint:** {rule.url}"
    )
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": help_text,
            "markdown": f"{rule.rationale}\n\n{basis}\n\n**Remediation:** {rule.remediation}",
        },
        "helpUri": rule.url,
        "defaultConfiguration": {"level": "error" if rule.mandatory_everywhere else "warning"},
        "properties": {
            "category": rule.category.value,
            "tags": list(dict.fromkeys(["security", *rule.topics])),
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "hipaa": list(rule.hipaa),
            "precision": "very-high",
        },
    }


TYPE_RULE_PREFIX = "hlz-type/"
TYPE_KIND_TEXT = {
    "unknown-property": "A property the type definition of the API version does not have.",
    "read-only-property": "A property Azure computes (ReadOnly): a request must not set it.",
    "enum-value": "A value outside the closed set of values the type definition allows.",
    "required-missing": "A property the type definition requires is missing.",
    "type-mismatch": "A value of the wrong JSON type (string, integer, boolean, object, array).",
    "no-type-definition": "No vendored type definition covers this resource: it was not checked.",
}


if set(TYPE_KIND_TEXT) != set(FINDING_KINDS):
    raise ValueError("hlz.reports.TYPE_KIND_TEXT must describe every hlz.schema finding kind")


def _type_rule(kind: str) -> dict[str, Any]:
    text = TYPE_KIND_TEXT[kind]
    return {
        "id": f"{TYPE_RULE_PREFIX}{kind}",
        "name": "Type" + "".join(part.capitalize() for part in kind.split("-")),
        "shortDescription": {"text": text},
        "fullDescription": {
            "text": f"{text} Checked offline against Azure's official type definitions "
            "(Azure/bicep-types-az) of the exact REST API version the resource is sent with."
        },
        "helpUri": f"{INFORMATION_URI}/blob/main/hlz/schema/bicep-types/SOURCES.md",
        "defaultConfiguration": {
            "level": "note" if kind == UNCHECKED_KIND else "error",
        },
        "properties": {"category": "type", "tags": ["deploy", "type-check"], "precision": "high"},
    }


def _result(
    rule_id: str,
    rule_index: int,
    level: str,
    text: str,
    urn: str,
    stack_file: str,
    fingerprint: str,
    kind: str | None = None,
) -> dict[str, Any]:
    """One SARIF result on a resource of the stack (every producer below shapes them alike)."""
    result: dict[str, Any] = {"ruleId": rule_id, "ruleIndex": rule_index}
    if kind is not None:
        result["kind"] = kind
    result.update(
        {
            "level": level,
            "message": {"text": text},
            "locations": [_location(stack_file, urn)],
            "partialFingerprints": {
                "hlzFinding/v1": hashlib.sha256(fingerprint.encode()).hexdigest()
            },
        }
    )
    return result


def _location(stack_file: str, urn: str) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": stack_file},
            "region": {"startLine": 1},
        },
        "logicalLocations": [{"fullyQualifiedName": urn, "kind": "resource"}],
    }


def _type_results(report: PolicyReport, stack_file: str, first_index: int) -> list[dict[str, Any]]:
    index = {kind: first_index + position for position, kind in enumerate(TYPE_KIND_TEXT)}
    results = []
    for finding in report.type_findings:
        where = f" at {finding.path}" if finding.path else ""
        results.append(
            _result(
                f"{TYPE_RULE_PREFIX}{finding.kind}",
                index[finding.kind],
                "note" if finding.kind == UNCHECKED_KIND else "error",
                f"[type] {short_urn(finding.urn)}{where} "
                f"({finding.arm_type}@{finding.api_version}): {finding.message}",
                finding.urn,
                stack_file,
                f"{finding.kind}|{finding.urn}|{finding.path}",
            )
        )
    return results


def _undetermined_results(
    report: PolicyReport, stack_file: str, index: dict[str, int]
) -> list[dict[str, Any]]:
    """One result per undetermined finding: ``kind: open`` (SARIF: the tool could not decide)
    or, when ``--fail-on-unknown`` counts it, a failing result at level error."""
    blocking = report.blocking_unknown
    results = []
    for finding in report.undetermined:
        reason = finding.evaluation.reason  # type: ignore[union-attr]
        fails = finding in blocking
        results.append(
            _result(
                finding.rule.id,
                index[finding.rule.id],
                "error" if fails else "none",
                f"[{finding.rule.primary_citation}] {short_urn(finding.urn)}: "
                f"undetermined until deployment: {reason}",
                finding.urn,
                stack_file,
                f"{finding.rule.id}|{finding.urn}|undetermined",
                kind="fail" if fails else "open",
            )
        )
    return results


def sarif(report: PolicyReport, stack_file: str) -> dict[str, Any]:
    """One result per violation (exempted ones carry an external suppression), every rule
    described once, locations pointing at the stack's config file and the resource URN."""
    rules = list(report.rules)
    index = {rule.id: position for position, rule in enumerate(rules)}
    results = []
    for finding in report.findings:
        if not isinstance(finding.evaluation, NonCompliant):
            continue
        for reason in _reasons(finding):
            result = _result(
                finding.rule.id,
                index[finding.rule.id],
                "error" if finding.enforcement.value == "mandatory" else "warning",
                f"[{finding.rule.primary_citation}] {short_urn(finding.urn)}: {reason}",
                finding.urn,
                stack_file,
                f"{finding.rule.id}|{finding.urn}|{reason}",
            )
            if finding.exemption is not None:
                result["suppressions"] = [
                    {
                        "kind": "external",
                        "status": "accepted",
                        "justification": f"{finding.exemption.reason} (owner "
                        f"{finding.exemption.owner}, expires {finding.exemption.expires})",
                    }
                ]
            results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hlz-hipaa",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_sarif_rule(rule) for rule in rules]
                        + [_type_rule(kind) for kind in TYPE_KIND_TEXT],
                    }
                },
                "automationDetails": {"id": f"hlz/{report.stack}/"},
                "properties": {
                    "stack": report.stack,
                    "profile": report.profile.value,
                    # Every recorded exemption, active or expired, travels with the results.
                    "exemptions": [exemption_json(e, report.today) for e in report.exemptions],
                    # Resources no rule judges beyond name, tags and location (advisory).
                    "unjudged": [{"urn": urn, "type": token} for urn, token in report.unjudged],
                    "failOnUnknown": report.unknown_mode,
                },
                "results": results
                + _undetermined_results(report, stack_file, index)
                + _type_results(report, stack_file, len(rules)),
            }
        ],
    }


def exemption_table(exemptions: Sequence[Exemption], today: date) -> list[str]:
    """Markdown rows of every recorded exemption, active or expired on ``today``."""
    lines = [
        "| rule | resource | reason | owner | expires | state |",
        "|---|---|---|---|---|---|",
    ]
    for exemption in exemptions:
        state = "active" if exemption.is_active(today) else "**expired**"
        lines.append(
            f"| `{exemption.rule_id}` | `{_cell(exemption.resource)}` | "
            f"{_cell(exemption.reason)} | {_cell(exemption.owner)} | {exemption.expires} | "
            f"{state} |"
        )
    return lines


def _undetermined_section(report: PolicyReport) -> list[str]:
    """Results a rule could not decide because a value is unknown until deployment (preview)."""
    if not report.undetermined:
        return []
    blocking = report.blocking_unknown
    lines = [
        "#### Undetermined (values unknown until deployment)",
        "",
        f"{len(report.undetermined)} result(s) could not be decided; `--fail-on-unknown "
        f"{report.unknown_mode}` makes {len(blocking)} of them fail the check. They are decided "
        "again when the values are known (`pulumi preview` with the pack, or `hlz plan` "
        "without `--preview`).",
        "",
        "| fails | rule | resource | unknown value |",
        "|---|---|---|---|",
    ]
    for finding in report.undetermined:
        lines.append(
            f"| {'yes' if finding in blocking else 'no'} | `{finding.rule.id}` | "
            f"`{_cell(short_urn(finding.urn))}` | "
            f"{_cell(finding.evaluation.reason)} |"  # type: ignore[union-attr]
        )
    return [*lines, ""]


def _unjudged_section(report: PolicyReport) -> list[str]:
    """Resources whose type no rule judges beyond name, tags and location (advisory)."""
    if not report.unjudged:
        return []
    counts = Counter(token for _, token in report.unjudged)
    listed = ", ".join(f"`{token}` ({n})" for token, n in sorted(counts.items()))
    return [
        f"Unjudged (advisory): {len(report.unjudged)} resource(s) of types no rule checks "
        f"beyond name, tags and location: {listed}.",
        "",
    ]


def _type_section(report: PolicyReport) -> list[str]:
    """Type check against Azure's REST API definitions (errors block; unchecked are listed)."""
    if not report.type_findings:
        return [
            f"Type check: {report.type_checked} resources match Azure's REST API definitions "
            "of their API versions.",
            "",
        ]
    lines = [
        "#### Type check (Azure REST API definitions)",
        "",
        "| kind | resource | ARM type | where | problem |",
        "|---|---|---|---|---|",
    ]
    for finding in report.type_findings:
        lines.append(
            f"| {finding.kind} | `{_cell(short_urn(finding.urn))}` | "
            f"`{finding.arm_type}@{finding.api_version}` | `{_cell(finding.path or '-')}` | "
            f"{_cell(finding.message)} |"
        )
    return [*lines, ""]


def markdown(report: PolicyReport) -> str:
    """A pull-request comment: verdict, violations with remediation, exemptions."""
    blocking = report.blocking
    problems = []
    if blocking:
        problems.append(f"{len(blocking)} mandatory violation(s)")
    if report.type_errors:
        problems.append(f"{len(report.type_errors)} type error(s)")
    if report.blocking_unknown:
        problems.append(f"{len(report.blocking_unknown)} undetermined PHI check(s)")
    undecided = (
        f", {len(report.undetermined)} result(s) undetermined until deployment"
        if report.undetermined
        else ""
    )
    verdict = (
        f":x: **{' and '.join(problems)}** — the deployment is blocked"
        if problems
        else f":white_check_mark: **No mandatory violations**, no type errors{undecided}"
    )
    lines = [
        f"### hlz HIPAA policy check — `{report.stack}` ({report.profile.value} profile)",
        "",
        verdict,
        "",
        f"{len(report.rules)} rules evaluated on {report.today.isoformat()}: "
        f"{len(report.violations)} violation(s), {len(report.exempted)} exempted, "
        f"{len(report.overrides)} override(s), "
        f"{len(report.expired_exemptions)} expired exemption(s).",
        "",
    ]
    if report.violations:
        lines += [
            "#### Violations",
            "",
            "| level | rule | HIPAA / deploy | resource | problem | how to fix |",
            "|---|---|---|---|---|---|",
        ]
        for finding in report.violations:
            for reason in _reasons(finding):
                lines.append(
                    f"| {finding.enforcement.value} | `{finding.rule.id}` | "
                    f"{', '.join(finding.rule.hipaa) or finding.rule.category.value} | "
                    f"`{_cell(short_urn(finding.urn))}` | "
                    f"{_cell(reason)} | {_cell(finding.rule.remediation)} |"
                )
        lines.append("")
    if report.overrides:
        lines += [
            "#### Overrides (secure defaults weakened on purpose)",
            "",
            "| rule | resource | recorded reason |",
            "|---|---|---|",
        ]
        for finding in report.overrides:
            reason = finding.evaluation.reason  # type: ignore[union-attr]
            lines.append(
                f"| `{finding.rule.id}` | `{_cell(short_urn(finding.urn))}` | {_cell(reason)} |"
            )
        lines.append("")
    lines += _undetermined_section(report)
    lines += _unjudged_section(report)
    lines += _type_section(report)
    lines += ["#### Exemptions", ""]
    if report.exemptions:
        lines += exemption_table(report.exemptions, report.today)
    else:
        lines.append("None recorded (`policies/exemptions.yaml`).")
    return "\n".join(lines) + "\n"


def compliance_matrix(reports: Sequence[PolicyReport]) -> str:
    """HIPAA evidence matrix: for each 45 CFR section, the rules implementing it, the resources
    they covered in each stack, and the verdicts."""
    sections: dict[str, list[Rule]] = defaultdict(list)
    for rule in reports[0].rules if reports else ():
        for citation in rule.hipaa:
            sections[citation].append(rule)
    stacks = ", ".join(f"`{r.stack}` ({r.profile.value})" for r in reports)
    lines = [
        "# HIPAA Security Rule evidence matrix",
        "",
        f"Generated by `hlz report compliance` from offline plans of {stacks}, evaluated on "
        f"{reports[0].today.isoformat() if reports else '-'} with the hlz-hipaa policy pack. "
        "Each row is a technical control enforced before deployment; verdicts count resources.",
        "",
    ]
    for citation in sorted(sections, key=_section_key):
        title = HIPAA_SECTIONS.get(citation, "")
        lines += [f"## 45 CFR {citation} — {title}".rstrip(" —"), ""]
        lines += [
            "| rule | what it checks | stack | resources | pass | fail | exempt | n/a |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for rule in sections[citation]:
            for report in reports:
                findings = [f for f in report.findings if f.rule.id == rule.id]
                tally = defaultdict(int)
                for finding in findings:
                    tally[outcome_name(finding)] += 1
                covered = sorted({short_urn(f.urn) for f in findings if outcome_name(f) != "n/a"})
                shown = ", ".join(f"`{name}`" for name in covered[:4])
                if len(covered) > 4:
                    shown += f" and {len(covered) - 4} more"
                lines.append(
                    f"| `{rule.id}` | {_cell(rule.description)} | `{report.stack}` | "
                    f"{shown or '—'} | {tally['pass']} | {tally['fail']} | {tally['exempt']} | "
                    f"{tally['n/a']} |"
                )
        lines.append("")
    lines += ["## Exemptions and overrides", ""]
    exemptions = reports[0].exemptions if reports else []
    if exemptions:
        lines += exemption_table(exemptions, reports[0].today)
    else:
        lines.append("No exemptions recorded (`policies/exemptions.yaml`).")
    overrides = [(report.stack, finding) for report in reports for finding in report.overrides]
    lines.append("")
    if overrides:
        lines += ["| stack | rule | resource | recorded reason |", "|---|---|---|---|"]
        for stack, finding in overrides:
            reason = finding.evaluation.reason  # type: ignore[union-attr]
            lines.append(
                f"| `{stack}` | `{finding.rule.id}` | `{_cell(short_urn(finding.urn))}` | "
                f"{_cell(reason)} |"
            )
    else:
        lines.append("No secure default is overridden in these stacks.")
    return "\n".join(lines) + "\n"


def _section_key(citation: str) -> tuple[str, ...]:
    return tuple(part.zfill(4) for part in citation.replace(")", "").split("("))
