"""The monthly estimate of a plan: every charge of every managed resource priced from the
table (``hlz.cost.table``) with the model's quantities (``hlz.cost.model``), summed per
top-level component and for the stack; and the difference between two estimates (a pull
request's plan against its base branch's).

A line is ``priced`` (a price from the table times a quantity), ``free`` (the reason), or
``unknown`` (the reason: no meter, a meter the table does not hold, a value unknown until
deployment). Unknown lines are never counted as zero: the total says how many it leaves out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hlz.cost.assumptions import CostAssumptions
from hlz.cost.meters import HOUR, METERS
from hlz.cost.model import (
    Charge,
    Context,
    Free,
    Resource,
    Unpriced,
    most_common_region,
    priced,
    region_of,
)
from hlz.cost.table import NoRate, PriceTable, Rate
from hlz.render.mermaid import STACK_TYPE, top_level_components
from policies.normalise import normalise

STACK_COMPONENT = "(stack)"
"""Resources no hlz component holds."""
NOT_DEPLOYED_TYPES = frozenset({"pulumi:pulumi:StackReference"})
PRICED, FREE, UNKNOWN = "priced", "free", "unknown"


@dataclass(frozen=True)
class Line:
    """One charge of one resource (or the one line saying it is free or unpriced)."""

    urn: str
    resource: str
    """``type::name``, the type as the pack judges it (a generic resource as what it creates)."""
    component: str
    what: str
    status: str
    monthly: float | None = None
    quantity: float | None = None
    """Base units billed: hours, GB, tokens, operations, requests, or a count."""
    rate: str | None = None
    """The table's price, e.g. ``$0.395 per 1 Hour``."""
    meter: str | None = None
    region: str | None = None
    basis: str = ""
    """The usage behind ``quantity`` and the ``hlz:cost`` key it comes from."""
    reason: str = ""
    """Why the line is free or its price unknown."""
    sources: tuple[str, ...] = ()
    """Where each price the line used was read (``hlzSource`` of the table's items)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "urn": self.urn,
            "component": self.component,
            "charge": self.what,
            "status": self.status,
            "monthly": None if self.monthly is None else round(self.monthly, 4),
            "quantity": None if self.quantity is None else round(self.quantity, 4),
            "rate": self.rate,
            "meter": self.meter,
            "region": self.region,
            "basis": self.basis,
            "reason": self.reason,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class ComponentTotal:
    component: str
    monthly: float
    """Sum of the component's priced lines."""
    unknown: int
    """Lines whose price is unknown (not in ``monthly``)."""
    resources: int


@dataclass
class Estimate:
    stack: str
    region: str | None
    table: PriceTable
    assumptions: CostAssumptions
    assumptions_from: str
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.monthly or 0.0 for line in self.lines)

    @property
    def unknown(self) -> list[Line]:
        return [line for line in self.lines if line.status == UNKNOWN]

    @property
    def components(self) -> list[ComponentTotal]:
        grouped: dict[str, list[Line]] = {}
        for line in self.lines:
            grouped.setdefault(line.component, []).append(line)
        return [
            ComponentTotal(
                component=name,
                monthly=sum(line.monthly or 0.0 for line in lines),
                unknown=sum(1 for line in lines if line.status == UNKNOWN),
                resources=len({line.urn for line in lines}),
            )
            for name, lines in sorted(grouped.items(), key=lambda item: _component_order(item[0]))
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "region": self.region,
            "currency": self.table.currency,
            "priceTable": {
                "date": self.table.date.isoformat(),
                "path": str(self.table.path),
                "assembledFrom": self.table.assembled_from,
            },
            "assumptions": self.assumptions.model_dump(by_alias=True),
            "assumptionsFrom": self.assumptions_from,
            "total": {
                "monthly": round(self.total, 2),
                "unknownLines": len(self.unknown),
                "complete": not self.unknown,
            },
            "components": [
                {
                    "component": c.component,
                    "monthly": round(c.monthly, 2),
                    "unknownLines": c.unknown,
                    "resources": c.resources,
                }
                for c in self.components
            ],
            "lines": [line.to_json() for line in self.lines],
        }


def _component_order(name: str) -> tuple[int, str]:
    return (1, name) if name == STACK_COMPONENT else (0, name)


def managed_resources(plan: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(urn, type, inputs) of every resource the plan creates (reads and components left out)."""
    found = []
    for step in plan.get("steps", []):
        state = step.get("newState") or {}
        if (
            step.get("op") == "read"
            or state.get("external")
            or not state.get("custom")
            or state.get("type") in NOT_DEPLOYED_TYPES
        ):
            continue
        found.append((state["urn"], state["type"], state.get("inputs") or {}))
    return found


def component_labels(plan: Mapping[str, Any]) -> dict[str, str]:
    """URN -> the top-level component holding it, named as ``hlz plan`` names it
    (``hlz:network:HubNetwork hub``)."""
    states = {step["newState"]["urn"]: step["newState"] for step in plan.get("steps", [])}
    labels = {}
    for urn, component in top_level_components(dict(plan)).items():
        state = states[component]
        if state["type"] != STACK_TYPE:
            labels[urn] = f"{state['type']} {component.rsplit('::', 1)[-1]}"
    return labels


def estimate(
    plan: Mapping[str, Any],
    table: PriceTable,
    assumptions: CostAssumptions,
    assumptions_from: str,
) -> Estimate:
    """Price every managed resource of ``plan`` (an ``hlz plan --json`` document)."""
    raw = managed_resources(plan)
    default_region = most_common_region(raw)
    resources = []
    for urn, token, inputs in raw:
        typed, props = normalise(token, inputs)
        region = region_of(inputs) or default_region
        resources.append(Resource(urn, typed, props, region or ""))
    context = Context(assumptions, tuple(resources))
    labels = component_labels(plan)
    meta = plan.get("hlz") or {}
    result = Estimate(
        stack=str(meta.get("stack") or "?"),
        region=default_region,
        table=table,
        assumptions=assumptions,
        assumptions_from=assumptions_from,
    )
    for resource in resources:
        component = labels.get(resource.urn, STACK_COMPONENT)
        result.lines += _lines(resource, component, priced(resource, context), table, context)
    return result


def _lines(
    resource: Resource,
    component: str,
    charges: list[Charge | Unpriced] | Free,
    table: PriceTable,
    context: Context,
) -> list[Line]:
    label = f"{resource.token.removeprefix('azure-native:')}::{resource.name}"

    def line(what: str, status: str, **details: Any) -> Line:
        return Line(resource.urn, label, component, what, status, **details)

    if isinstance(charges, Free):
        return [line("no charge", FREE, monthly=0.0, reason=charges.reason)]
    lines: list[Line] = []
    for charge in charges:
        if isinstance(charge, Unpriced):
            lines.append(line(charge.what, UNKNOWN, reason=charge.reason))
            continue
        meter = METERS[charge.meter]
        if not resource.region and meter.billing_region is None:
            lines.append(
                line(charge.what, UNKNOWN, meter=meter.describe(), basis=charge.basis,
                     reason="the resource's region is unknown")
            )
            continue
        rate = table.rate(charge.meter, resource.region)
        if isinstance(rate, NoRate):
            lines.append(
                line(charge.what, UNKNOWN, meter=meter.describe(), region=resource.region,
                     basis=charge.basis or _hours_basis(charge, context), reason=rate.reason)
            )
            continue
        quantity, basis = _quantity(charge, rate, context)
        lines.append(
            line(
                charge.what,
                PRICED,
                monthly=rate.cost(quantity),
                quantity=quantity,
                rate=rate.price_text(),
                meter=meter.describe(),
                region=rate.region,
                basis=basis,
                sources=rate.sources,
            )
        )
    return lines


def _hours_basis(charge: Charge, context: Context) -> str:
    hours = charge.hours if charge.hours is not None else context.hours
    count = f"{charge.count:g} x " if charge.count != 1 else ""
    return f"{count}{hours:g} h (hlz:cost.hoursPerMonth)"


def _quantity(charge: Charge, rate: Rate, context: Context) -> tuple[float, str]:
    """Base units billed and the line's basis: hours for an hourly meter, the count for a
    monthly or per-item one, else the charge's usage."""
    if rate.unit in HOUR:
        hours = charge.hours if charge.hours is not None else context.hours
        hours_text = _hours_basis(charge, context)
        return charge.count * hours, f"{charge.basis}; {hours_text}" if charge.basis else hours_text
    if charge.quantity is None:
        return charge.count, charge.basis or f"{charge.count:g} per month"
    return charge.quantity, charge.basis


@dataclass(frozen=True)
class ComponentChange:
    component: str
    base: float | None
    """None: the component is not in the base plan."""
    head: float | None
    """None: the component is not in this plan."""
    base_unknown: int
    head_unknown: int

    @property
    def change(self) -> float:
        return (self.head or 0.0) - (self.base or 0.0)


@dataclass(frozen=True)
class Comparison:
    base: Estimate
    head: Estimate

    @property
    def components(self) -> list[ComponentChange]:
        before = {c.component: c for c in self.base.components}
        after = {c.component: c for c in self.head.components}
        names = sorted(set(before) | set(after), key=_component_order)
        return [
            ComponentChange(
                name,
                before[name].monthly if name in before else None,
                after[name].monthly if name in after else None,
                before[name].unknown if name in before else 0,
                after[name].unknown if name in after else 0,
            )
            for name in names
        ]

    @property
    def change(self) -> float:
        return self.head.total - self.base.total

    def to_json(self) -> dict[str, Any]:
        return {
            "baseTotal": round(self.base.total, 2),
            "baseUnknownLines": len(self.base.unknown),
            "change": round(self.change, 2),
            "components": [
                {
                    "component": c.component,
                    "base": None if c.base is None else round(c.base, 2),
                    "head": None if c.head is None else round(c.head, 2),
                    "change": round(c.change, 2),
                    "baseUnknownLines": c.base_unknown,
                    "headUnknownLines": c.head_unknown,
                }
                for c in self.components
            ],
        }


def unknown_summary(lines: Iterable[Line]) -> list[tuple[str, int]]:
    """(charge and reason, count) of unknown lines, most frequent first."""
    counts: dict[str, int] = {}
    for line in lines:
        label = f"{line.meter or line.what}: {line.reason}"
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
