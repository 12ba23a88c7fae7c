"""The audit's outputs: the terminal text, ``--json``, ``--sarif`` and ``--markdown``.

Violations are rendered by the writers ``hlz check`` uses (``hlz.render``); drift, missing and
unmanaged resources are added next to them: in SARIF as results of rules of their own
(``AUDIT_RULES``), in Markdown as sections above the policy report. The JSON shape is
documented in docs/audit.md.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from hlz.audit.compare import ABSENT, ADDED, Drift
from hlz.audit.run import AuditResult
from hlz.render.text import markdown_table, plural, printable, short_urn

JSON_FORMAT_VERSION = 1
DOCS_URL = "https://github.com/hlz-health/hlz/blob/main/docs/audit.md"

AUDIT_RULES: tuple[tuple[str, str, str], ...] = (
    (
        "hlz-audit-drift",
        "A deployed property differs from the stack's plan.",
        "Someone or something changed the resource outside the stack (the portal, the CLI, a "
        "policy's modify effect). Run `pulumi up` to restore the plan, or change the stack's "
        "configuration to match, and find out who changed it (the activity log).",
    ),
    (
        "hlz-audit-missing",
        "A resource the stack plans is not in Azure.",
        "It was deleted, or never deployed. Run `pulumi refresh` then `pulumi up` to create it, "
        "or find out who deleted it (the activity log).",
    ),
    (
        "hlz-audit-unmanaged",
        "A resource in a resource group the stack creates is not in the stack's plan.",
        "Nobody reviewed it: it is not in code, not checked by the policy pack before it "
        "existed, and `pulumi destroy` will fail on the group. Import it into the stack "
        "(`pulumi import`) or delete it.",
    ),
)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, sort_keys=True)


def drift_text(drift: Drift) -> str:
    """``planned 'Disabled', deployed 'Enabled'`` (absent, added as such)."""
    if drift.change == ABSENT:
        return f"planned {_show(drift.planned)}, absent in Azure"
    if drift.change == ADDED:
        return f"not planned, deployed {_show(drift.deployed)}"
    return f"planned {_show(drift.planned)}, deployed {_show(drift.deployed)}"


def counts_line(result: AuditResult) -> str:
    seen = result.observation
    drifted = len(result.drifts)
    properties = "property" if result.drift_count == 1 else "properties"
    return (
        f"{result.drift_count} drifted {properties} on {plural(drifted, 'resource')}, "
        f"{len(seen.missing)} missing, {len(seen.unmanaged)} unmanaged, "
        f"{plural(len(result.policy.blocking), 'mandatory violation')}"
    )


def not_compared_text(result: AuditResult) -> str:
    names = {
        "unknown": "unknown at plan time",
        "secret": "secret",
        "computed": "assigned by Azure",
        "writeOnly": "write-only (ARM never returns them)",
    }
    parts = [
        f"{count} {names.get(kind, kind)}" for kind, count in sorted(result.not_compared.items())
    ]
    return ", ".join(parts) or "none"


def text(result: AuditResult, *, quiet: bool = False) -> str:
    """The terminal report (stdout): what differs from the plan, then the policy summary."""
    from hlz.render.summary import policy_summary

    seen = result.observation
    expectations = result.expectations
    verdict = "FAIL" if result.fails else "ok"
    summary = f"{expectations.stack}: audit {verdict}: {counts_line(result)}"
    if quiet:
        return printable(summary)
    read = len(seen.deployed)
    lines = [
        f"Audit of {expectations.stack} in subscription {expectations.subscription_id} "
        f"({result.source}): {read} of {len(expectations.resources)} planned resources read, "
        f"{plural(len(seen.listed_groups), 'resource group')} listed",
    ]
    for item in result.drifts:
        for drift in item.drift:
            lines.append(
                f"  DRIFT {short_urn(item.expected.urn)} {where(drift)}: {drift_text(drift)}"
            )
    for expected in seen.missing:
        lines.append(f"  MISSING {short_urn(expected.urn)}: {expected.arm_id} not found")
    for unmanaged in seen.unmanaged:
        lines.append(
            f"  UNMANAGED {unmanaged.type} {unmanaged.name} in {unmanaged.resource_group}: "
            "not in the plan"
        )
    if seen.located:
        lines.append(
            f"  {plural(len(seen.located), 'resource')} found in their collections under the "
            "names Azure's values give them (role assignments named from a principal id Azure "
            "assigned; --json lists them)"
        )
    if seen.implied:
        kinds = Counter(implied.type for implied in seen.implied)
        lines.append(
            "  listed and created by Azure for planned resources (not unmanaged): "
            + ", ".join(f"{kind} ({count})" for kind, count in sorted(kinds.items()))
        )
    for expected, reason in seen.not_read:
        lines.append(f"  NOT READ {short_urn(expected.urn)}: {reason}")
    lines.append(
        f"  {result.compared} planned properties compared; not compared: "
        f"{not_compared_text(result)}"
    )
    body = "\n".join(printable(line) for line in lines)
    policy = _without_type_line(policy_summary(result.policy))
    return f"{body}\n{policy}\n{printable(summary)}"


def _without_type_line(summary: str) -> str:
    """The policy summary without its type-check line (the audit does not type-check
    answers: ``hlz.audit.run``)."""
    head, _, last = summary.rpartition("\n")
    return head if last.startswith("Type check") else summary


def where(drift: Drift) -> str:
    """``publicNetworkAccess (properties.publicNetworkAccess in ARM)``."""
    arm = f" ({drift.arm_property} in ARM)" if drift.arm_property else ""
    return f"{drift.property}{arm}"


def _drift_json(drift: Drift) -> dict[str, Any]:
    return {
        "property": drift.property,
        "armProperty": drift.arm_property or drift.property,
        "change": drift.change,
        "planned": drift.planned,
        "deployed": drift.deployed,
    }


def json_document(result: AuditResult) -> dict[str, Any]:
    """``--json`` (docs/audit.md, "JSON")."""
    seen = result.observation
    expectations = result.expectations
    report = result.policy
    return {
        "formatVersion": JSON_FORMAT_VERSION,
        "stack": expectations.stack,
        "subscriptionId": expectations.subscription_id,
        "source": result.source,
        "summary": {
            "planned": len(expectations.resources),
            "read": len(seen.deployed),
            "driftedResources": len(result.drifts),
            "driftedProperties": result.drift_count,
            "missing": len(seen.missing),
            "unmanaged": len(seen.unmanaged),
            "createdByAzure": len(seen.implied),
            "notRead": len(seen.not_read),
            "violations": len(report.violations),
            "mandatoryViolations": len(report.blocking),
            "compared": result.compared,
            "notCompared": dict(sorted(result.not_compared.items())),
            "fails": result.fails,
        },
        "drift": [
            {
                "urn": item.expected.urn,
                "id": item.id,
                "type": item.expected.token,
                "properties": [_drift_json(drift) for drift in item.drift],
            }
            for item in result.drifts
        ],
        "missing": [
            {"urn": e.urn, "id": e.arm_id, "type": e.token} for e in seen.missing
        ],
        "unmanaged": [
            {
                "id": u.id,
                "type": u.type,
                "name": u.name,
                "location": u.location,
                "resourceGroup": u.resource_group,
                "judgedAs": result.unmanaged_urns.get(u.id),
            }
            for u in seen.unmanaged
        ],
        "createdByAzure": [
            {"id": i.id, "type": i.type, "createdFor": i.created_for} for i in seen.implied
        ],
        "foundByContent": [
            {"urn": urn, "plannedId": _planned_id(result, urn), "id": found}
            for urn, found in seen.located.items()
        ],
        "notRead": [
            {"urn": e.urn, "type": e.token, "reason": reason} for e, reason in seen.not_read
        ],
        "policy": report.to_json(),
    }


def _planned_id(result: AuditResult, urn: str) -> str:
    return next(e.arm_id for e in result.expectations.resources if e.urn == urn)


def json_text(result: AuditResult) -> str:
    return json.dumps(json_document(result), indent=2) + "\n"


def _audit_rule(rule_id: str, description: str, help_text: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": description},
        "fullDescription": {"text": description},
        "help": {"text": help_text, "markdown": help_text},
        "helpUri": DOCS_URL,
        "defaultConfiguration": {"level": "error"},
        "properties": {"category": "audit", "tags": ["audit", "drift"], "precision": "high"},
    }


def _result(
    rule_index: int, rule_id: str, text_: str, name: str, stack_file: str, print_: str
) -> dict[str, Any]:
    return {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": text_},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": stack_file},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"fullyQualifiedName": name, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"hlzFinding/v1": hashlib.sha256(print_.encode()).hexdigest()},
    }


def sarif(result: AuditResult) -> dict[str, Any]:
    """SARIF 2.1.0: the policy results exactly as ``hlz check`` writes them, then one result
    per drifted property, missing and unmanaged resource under ``AUDIT_RULES``."""
    from hlz.render.sarif import sarif as policy_sarif

    stack_file = f"Pulumi.{result.expectations.stack}.yaml"
    document = policy_sarif(result.policy, stack_file)
    run = document["runs"][0]
    rules: list[dict[str, Any]] = run["tool"]["driver"]["rules"]
    index = {rule_id: len(rules) + position for position, (rule_id, _, _) in enumerate(AUDIT_RULES)}
    rules += [_audit_rule(*rule) for rule in AUDIT_RULES]
    results: list[dict[str, Any]] = run["results"]
    for item in result.drifts:
        for drift in item.drift:
            results.append(
                _result(
                    index["hlz-audit-drift"],
                    "hlz-audit-drift",
                    f"[drift] {short_urn(item.expected.urn)} {where(drift)}: "
                    f"{drift_text(drift)}",
                    item.expected.urn,
                    stack_file,
                    f"hlz-audit-drift|{item.expected.urn}|{drift.property}",
                )
            )
    for expected in result.observation.missing:
        results.append(
            _result(
                index["hlz-audit-missing"],
                "hlz-audit-missing",
                f"[missing] {short_urn(expected.urn)}: {expected.arm_id} not found in Azure",
                expected.urn,
                stack_file,
                f"hlz-audit-missing|{expected.urn}",
            )
        )
    for unmanaged in result.observation.unmanaged:
        results.append(
            _result(
                index["hlz-audit-unmanaged"],
                "hlz-audit-unmanaged",
                f"[unmanaged] {unmanaged.type} {unmanaged.name} in resource group "
                f"{unmanaged.resource_group} is not in the plan",
                unmanaged.id,
                stack_file,
                f"hlz-audit-unmanaged|{unmanaged.id.casefold()}",
            )
        )
    run["automationDetails"] = {"id": f"hlz-audit/{result.expectations.stack}/"}
    run["properties"]["audit"] = json_document(result)["summary"]
    return document


def sarif_text(result: AuditResult) -> str:
    return json.dumps(sarif(result), indent=2) + "\n"


def markdown(result: AuditResult) -> str:
    """A Markdown report: the audit's verdict and tables, then the policy report as
    ``hlz check --markdown`` writes it."""
    from hlz.render.markdown import markdown as policy_markdown

    seen = result.observation
    expectations = result.expectations
    verdict = (
        f":x: **{counts_line(result)}**"
        if result.fails
        else f":white_check_mark: **Matches the plan**: {counts_line(result)}"
    )
    lines = [
        f"### hlz audit — `{expectations.stack}` in subscription "
        f"`{expectations.subscription_id}`",
        "",
        verdict,
        "",
        f"Read {len(seen.deployed)} of {len(expectations.resources)} planned resources from "
        f"{result.source}; {result.compared} planned properties compared (not compared: "
        f"{not_compared_text(result)}).",
        "",
    ]
    if result.drifts:
        lines += ["#### Drift (deployed differs from the plan)", ""]
        lines += markdown_table(
            ("resource", "property", "planned", "deployed"),
            (
                (
                    f"`{short_urn(item.expected.urn)}`",
                    f"`{drift.property}`"
                    + (f" (`{drift.arm_property}` in ARM)" if drift.arm_property else ""),
                    "(not planned)" if drift.change == ADDED else f"`{_show(drift.planned)}`",
                    "(absent)" if drift.change == ABSENT else f"`{_show(drift.deployed)}`",
                )
                for item in result.drifts
                for drift in item.drift
            ),
        )
        lines.append("")
    if seen.missing:
        lines += ["#### Missing (planned, not in Azure)", ""]
        lines += markdown_table(
            ("resource", "ARM id"),
            ((f"`{short_urn(e.urn)}`", f"`{e.arm_id}`") for e in seen.missing),
        )
        lines.append("")
    if seen.unmanaged:
        lines += ["#### Unmanaged (in the stack's resource groups, not in the plan)", ""]
        lines += markdown_table(
            ("type", "name", "resource group", "location"),
            (
                (f"`{u.type}`", f"`{u.name}`", f"`{u.resource_group}`", u.location or "-")
                for u in seen.unmanaged
            ),
        )
        lines.append("")
    return "\n".join(lines) + "\n" + policy_markdown(result.policy, deployed=True)

