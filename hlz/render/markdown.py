"""The Markdown pull-request comment of a policy report: the verdict, violations with their
fix, overrides, undetermined and unjudged results, the type check and the exemptions; and the
comment's cost section (``cost_markdown``, written by ``hlz cost --markdown``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from hlz.policy_check import PolicyReport, RecordedOverride, reasons
from hlz.render.text import markdown_table, short_urn
from policies.exemptions import Exemption

if TYPE_CHECKING:  # the estimate's types only: rendering loads no pricing code
    from hlz.cost.estimate import Comparison, Estimate


def exemption_table(exemptions: Sequence[Exemption], today: date) -> list[str]:
    """Markdown rows of every recorded exemption, active or expired on ``today``."""
    return markdown_table(
        ("rule", "resource", "reason", "owner", "expires", "state"),
        (
            (
                f"`{exemption.rule_id}`",
                f"`{exemption.resource}`",
                exemption.reason,
                exemption.owner,
                exemption.expires,
                "active" if exemption.is_active(today) else "**expired**",
            )
            for exemption in exemptions
        ),
    )


OVERRIDE_COLUMNS = ("control", "resource", "recorded reason", "expires", "answers rule")


def override_cells(override: RecordedOverride) -> tuple[str, ...]:
    """One row of an overrides table (``OVERRIDE_COLUMNS``)."""
    return (
        f"`{override.control}`",
        f"`{short_urn(override.urn)}`",
        override.reason,
        override.expires.isoformat() if override.expires else "-",
        ", ".join(f"`{rule}`" for rule in override.rules) or "-",
    )


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
    ]
    lines += markdown_table(
        ("fails", "rule", "resource", "unknown value"),
        (
            (
                "yes" if finding in blocking else "no",
                f"`{finding.rule.id}`",
                f"`{short_urn(finding.urn)}`",
                finding.evaluation.reason,  # type: ignore[union-attr]
            )
            for finding in report.undetermined
        ),
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
    lines = ["#### Type check (Azure REST API definitions)", ""]
    lines += markdown_table(
        ("kind", "resource", "ARM type", "where", "problem"),
        (
            (
                finding.kind,
                f"`{short_urn(finding.urn)}`",
                f"`{finding.arm_type}@{finding.api_version}`",
                f"`{finding.path or '-'}`",
                finding.message,
            )
            for finding in report.type_findings
        ),
    )
    return [*lines, ""]


def markdown(report: PolicyReport, *, deployed: bool = False) -> str:
    """A pull-request comment: verdict, violations with remediation, exemptions. ``deployed``:
    the report judges what is already deployed (``hlz audit``): nothing was blocked, the
    violations are live, and the plan's type check does not apply."""
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
        f":x: **{' and '.join(problems)}** — "
        + ("live in the deployed stack: fix them" if deployed else "the deployment is blocked")
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
        f"{len(report.recorded_overrides)} override(s), "
        f"{len(report.expired_exemptions)} expired exemption(s).",
        "",
    ]
    if report.violations:
        lines += ["#### Violations", ""]
        lines += markdown_table(
            ("level", "rule", "HIPAA / deploy", "resource", "problem", "how to fix"),
            (
                (
                    finding.enforcement.value,
                    f"`{finding.rule.id}`",
                    ", ".join(finding.rule.hipaa) or finding.rule.category.value,
                    f"`{short_urn(finding.urn)}`",
                    reason,
                    finding.rule.remediation,
                )
                for finding in report.violations
                for reason in reasons(finding)
            ),
        )
        lines.append("")
    if report.recorded_overrides:
        lines += ["#### Overrides (secure defaults weakened on purpose)", ""]
        lines += markdown_table(
            OVERRIDE_COLUMNS, (override_cells(o) for o in report.recorded_overrides)
        )
        lines.append("")
    lines += _undetermined_section(report)
    lines += _unjudged_section(report)
    if deployed:
        lines += [
            "Type check: not applicable to deployed state (`hlz plan` checks the plan's types).",
            "",
        ]
    else:
        lines += _type_section(report)
    lines += ["#### Exemptions", ""]
    if report.exemptions:
        lines += exemption_table(report.exemptions, report.today)
    else:
        lines.append("None recorded (`policies/exemptions.yaml`).")
    return "\n".join(lines) + "\n"


def money(amount: float | None) -> str:
    """``$1,234.56``; ``-`` for no amount (a component the other plan does not have)."""
    return "-" if amount is None else f"${amount:,.2f}"


def money_change(amount: float) -> str:
    """``+$12.00``, ``-$3.50``, or ``no change`` below half a cent."""
    if abs(amount) < 0.005:
        return "no change"
    return f"{'+' if amount > 0 else '-'}${abs(amount):,.2f}"


def cost_markdown(
    estimate: Estimate, comparison: Comparison | None = None, base_note: str | None = None
) -> str:
    """The cost section of a pull-request comment: the stack's monthly estimate per top-level
    component, the difference from the base branch's plan when there is one (else
    ``base_note`` says why not), the charges whose price is unknown, and where the prices and
    usage come from."""
    unknown = len(estimate.unknown)
    region = f" ({estimate.region})" if estimate.region else ""
    lines = [f"### hlz monthly cost estimate — `{estimate.stack}`{region}", ""]
    bound = (
        f"; {unknown} charge(s) have no price in the table, so the total is a lower bound"
        if unknown
        else ""
    )
    summary = f"**{money(estimate.total)} a month** for the priced charges{bound}."
    if comparison is not None:
        summary += (
            f" Against the base branch: **{money_change(comparison.change)}** "
            f"({money(comparison.base.total)} → {money(estimate.total)})."
        )
    elif base_note:
        summary += f" {base_note}"
    lines += [summary, ""]
    if comparison is not None:
        rows = [
            (
                f"`{change.component}`",
                money(change.base),
                money(change.head),
                money_change(change.change),
                _unknown_cell(change.base_unknown, change.head_unknown),
            )
            for change in comparison.components
        ]
        rows.append(
            (
                "**total**",
                f"**{money(comparison.base.total)}**",
                f"**{money(estimate.total)}**",
                f"**{money_change(comparison.change)}**",
                _unknown_cell(len(comparison.base.unknown), unknown),
            )
        )
        header = ("component", "base branch", "this branch", "change", "price unknown")
        lines += markdown_table(header, rows)
    else:
        rows = [
            (f"`{c.component}`", money(c.monthly), str(c.unknown or ""))
            for c in estimate.components
        ]
        rows.append(("**total**", f"**{money(estimate.total)}**", str(unknown or "")))
        lines += markdown_table(("component", "monthly", "price unknown"), rows)
    lines.append("")
    if unknown:
        from hlz.cost.estimate import unknown_summary

        lines += [f"<details><summary>Charges with no price ({unknown})</summary>", ""]
        lines += markdown_table(
            ("charge", "count", "why"),
            (
                (label.split(": ", 1)[0], count, label.split(": ", 1)[-1])
                for label, count in unknown_summary(estimate.unknown)
            ),
        )
        lines += ["", "</details>", ""]
    table = estimate.table
    lines.append(
        f"Prices: Azure Retail Prices of {table.date.isoformat()} (`hlz/cost/prices.json`, "
        f"{table.currency}, pay-as-you-go); usage: {estimate.assumptions_from}. Every charge "
        f"with its quantity and usage: `hlz cost {estimate.stack}` (docs/cost.md)."
    )
    return "\n".join(lines) + "\n"


def _unknown_cell(base: int, head: int) -> str:
    if base == head:
        return str(head or "")
    return f"{base} → {head}"
