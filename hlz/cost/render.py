"""``hlz cost`` on a terminal: per top-level component, each priced or unknown charge with its
quantity, price and usage; free resources counted by type with the reason; the total and, with
a base plan, the difference. (JSON is ``Estimate.to_json``; Markdown is
``hlz.render.markdown.cost_markdown``.)"""

from __future__ import annotations

from collections import Counter

from hlz.cost.estimate import FREE, PRICED, Comparison, Estimate, Line
from hlz.render.markdown import money, money_change
from hlz.render.text import printable


def _quantity(line: Line) -> str:
    if line.quantity is None:
        return ""
    value = line.quantity
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.3g}"
    return text


def text_report(estimate: Estimate, comparison: Comparison | None = None,
                base_note: str | None = None) -> str:
    table = estimate.table
    lines = [
        f"Monthly cost estimate for {printable(estimate.stack)}"
        + (f" ({estimate.region})" if estimate.region else "")
        + f": Azure Retail Prices of {table.date.isoformat()} ({table.currency}, pay-as-you-go, "
        f"{printable(str(table.path))})",
        f"  usage: {printable(estimate.assumptions_from)}",
        "",
    ]
    by_component: dict[str, list[Line]] = {}
    for line in estimate.lines:
        by_component.setdefault(line.component, []).append(line)
    for component in estimate.components:
        unknown = f", {component.unknown} unknown" if component.unknown else ""
        lines.append(f"{printable(component.component)}: {money(component.monthly)}{unknown}")
        free: Counter[tuple[str, str]] = Counter()
        for line in by_component[component.component]:
            if line.status == FREE:
                free[(line.resource.split("::", 1)[0], line.reason)] += 1
                continue
            if line.status == PRICED:
                amount = money(line.monthly)
                detail = f"{_quantity(line)} x {line.rate}; {line.basis}"
            else:
                amount = "unknown"
                detail = line.reason
            lines.append(
                f"  {amount:>12}  {printable(line.resource)}: {printable(line.what)}"
                f"  [{printable(detail)}]"
            )
        for (kind, reason), count in sorted(free.items()):
            lines.append(f"  {'free':>12}  {count} x {kind}: {printable(reason)}")
        lines.append("")
    unknown = len(estimate.unknown)
    total = f"Total: {money(estimate.total)} a month"
    if unknown:
        total += (
            f" for the priced charges; {unknown} charge(s) have no price in the table "
            "(the total is a lower bound)"
        )
    lines.append(total)
    if comparison is not None:
        lines.append(
            f"Against the base plan: {money_change(comparison.change)} "
            f"({money(comparison.base.total)} -> {money(estimate.total)})"
        )
        for change in comparison.components:
            if abs(change.change) >= 0.005 or change.base_unknown != change.head_unknown:
                lines.append(
                    f"  {money_change(change.change):>12}  {printable(change.component)} "
                    f"({money(change.base)} -> {money(change.head)})"
                )
    elif base_note:
        lines.append(base_note)
    return "\n".join(lines)
