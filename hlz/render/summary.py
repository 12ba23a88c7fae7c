"""The terminal summary of a policy report (``hlz plan`` and ``hlz check`` without ``--quiet``):
per-rule counts of the rules that saw resources, every violation with its fix, overrides,
exemptions, undetermined and unjudged results, then the type check. Every line goes through
``printable``: reasons quote config and plan values.
"""

from __future__ import annotations

from collections import Counter

from hlz.policy_check import PolicyReport, reasons
from hlz.render.text import plural, printable, short_urn


def type_summary_lines(report: PolicyReport) -> list[str]:
    lines = [
        f"Type check against Azure's REST API definitions: {report.type_checked} resources, "
        f"{plural(len(report.type_errors), 'error')}, {len(report.type_unchecked)} unchecked"
    ]
    for finding in report.type_errors:
        where = f" {finding.path}" if finding.path else ""
        lines.append(
            f"  TYPE {finding.kind} {short_urn(finding.urn)}{where} "
            f"({finding.arm_type}@{finding.api_version}): {finding.message}"
        )
    for finding in report.type_unchecked:
        lines.append(f"  UNCHECKED {short_urn(finding.urn)}: {finding.message}")
    return lines


def policy_summary(report: PolicyReport) -> str:
    """Per-rule counts for rules that saw resources, then every violation with its remediation."""
    counts = report.counts()
    lines = [
        f"Policy pack hlz-hipaa on {report.stack} ({report.profile.value} profile): "
        f"{len(report.rules)} rules, {plural(len(report.violations), 'violation')} "
        f"({len(report.blocking)} mandatory), {len(report.exempted)} exempted, "
        f"{plural(len(report.recorded_overrides), 'override')}"
    ]
    width = max(len(rule.id) for rule in report.rules)
    lines.append(
        f"  {'rule':{width}} {'pass':>5} {'fail':>5} {'exempt':>6} {'override':>8} {'n/a':>5} "
        f"{'?':>4}"
    )
    for rule in report.rules:
        row = counts[rule.id]
        if not sum(row.values()):
            continue
        lines.append(
            f"  {rule.id:{width}} {row['pass']:5d} {row['fail']:5d} {row['exempt']:6d} "
            f"{row['override']:8d} {row['n/a']:5d} {row['unknown']:4d}"
        )
    for finding in report.violations:
        rule = finding.rule
        level = finding.enforcement.value.upper()
        for reason in reasons(finding):
            lines.append(
                f"  {level} {rule.id} [{rule.primary_citation}] {short_urn(finding.urn)}: {reason}"
            )
        if finding.expired_exemption is not None:
            lines.append(
                f"      exemption expired {finding.expired_exemption.expires}: renew or fix"
            )
        lines.append(f"      fix: {rule.remediation}")
    for override in report.recorded_overrides:
        until = f" (until {override.expires.isoformat()})" if override.expires else ""
        answers = f" [answers {', '.join(override.rules)}]" if override.rules else ""
        lines.append(
            f"  OVERRIDE {override.control} {short_urn(override.urn)}: {override.reason}{until}"
            f"{answers}"
        )
    for exemption in report.exemptions:
        state = "active" if exemption.is_active(report.today) else "EXPIRED"
        lines.append(
            f"  exemption ({state}) {exemption.rule_id} on {exemption.resource} until "
            f"{exemption.expires} by {exemption.owner}: {exemption.reason}"
        )
    blocking_unknown = report.blocking_unknown
    for finding in blocking_unknown:
        lines.append(
            f"  UNDETERMINED {finding.rule.id} [{finding.rule.primary_citation}] "
            f"{short_urn(finding.urn)}: {finding.evaluation.reason}"  # type: ignore[union-attr]
        )
    if report.undetermined:
        others = Counter(f.rule.id for f in report.undetermined if f not in blocking_unknown)
        lines.append(
            f"  {plural(len(report.undetermined), 'result')} undetermined (values unknown until "
            f"deployment); --fail-on-unknown {report.unknown_mode}: "
            f"{len(blocking_unknown)} of them fail the check"
            + (
                "; the others: " + ", ".join(f"{rule} ({n})" for rule, n in sorted(others.items()))
                if others
                else ""
            )
        )
    if report.unjudged:
        types = Counter(token for _, token in report.unjudged)
        listed = ", ".join(
            f"{token.removeprefix('azure-native:')} ({n})" for token, n in sorted(types.items())
        )
        lines.append(
            f"  unjudged (no rule checks their configuration; advisory): "
            f"{plural(len(report.unjudged), 'resource')}: {listed}"
        )
    # Reasons quote config and plan values: nothing reaches the terminal as a control.
    return "\n".join(printable(line) for line in lines + type_summary_lines(report))
