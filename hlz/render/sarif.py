"""SARIF 2.1.0 of a policy report, for code scanning: one result per violation (exempted ones
with an external suppression), per undetermined result and per type finding; every rule
described once; locations point at the stack's config file and the resource URN."""

from __future__ import annotations

import hashlib
from typing import Any

from hlz import __version__
from hlz.policy_check import UNCHECKED_KIND, PolicyReport, exemption_json, override_json, reasons
from hlz.render.text import short_urn
from hlz.schema import FINDING_KINDS
from policies.model import Rule, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/hlz-health/hlz"

# GitHub code scanning ranks security results by this score (0-10).
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


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
    raise ValueError(
        "hlz.render.sarif.TYPE_KIND_TEXT must describe every hlz.schema finding kind"
    )


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
        for reason in reasons(finding):
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
                    # Every secure default weakened on purpose (hlz-override-* tags).
                    "overrides": [override_json(o) for o in report.recorded_overrides],
                    "failOnUnknown": report.unknown_mode,
                },
                "results": results
                + _undetermined_results(report, stack_file, index)
                + _type_results(report, stack_file, len(rules)),
            }
        ],
    }
