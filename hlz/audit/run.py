"""One audit: read the stack's resources (``read``), compare each with the plan (``compare``),
and judge the deployed resources with the policy pack exactly as ``hlz check`` judges a plan.

The deployed resources are made into a plan document (``deployed_document``): one step per
resource ARM answered for, under its planned URN, type and dependencies, with its normalised
deployed inputs; unmanaged resources under a URN of their own
(``urn:pulumi:<stack>::<project>::hlz:audit:Unmanaged$<token>::<name>``). ``hlz.policy_check``
evaluates it with the same rules, enforcement levels, exemptions and ``--today``, so a
violation reads as ``hlz check`` reports it and an exemption for a planned URN applies to the
deployed resource too. The type check of ``hlz check`` is left out: it checks a request body,
and an answer carries the read-only properties Azure adds (the plan's types are checked by
``hlz plan``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hlz.audit.compare import ADDED, Comparison, Drift, Rules, compare
from hlz.audit.expected import Expectations, Expected, Path, substitute
from hlz.audit.read import Deployed, Observation, Progress, Reader, observe
from hlz.audit.type_facts import arm_property, relaxed_enums, write_only_check
from policies.arm_types import arm_path

if TYPE_CHECKING:
    from hlz.policy_check import PolicyReport
    from policies.exemptions import Exemption

SOURCE = "hlz audit"
UNMANAGED_PARENT = "hlz:audit:Unmanaged"


@dataclass(frozen=True)
class ResourceDrift:
    expected: Expected
    id: str
    """Where it was read (its planned id, or where it was found in its collection)."""
    drift: tuple[Drift, ...]


@dataclass
class AuditResult:
    expectations: Expectations
    observation: Observation
    source: str
    """``https://management.azure.com`` or ``replay of DIR``."""
    drifts: list[ResourceDrift] = field(default_factory=list)
    compared: int = 0
    not_compared: Counter[str] = field(default_factory=Counter)
    report: PolicyReport | None = None
    document: dict[str, Any] = field(default_factory=dict)
    """The plan-shaped document of the deployed state the pack judged."""
    unmanaged_urns: dict[str, str] = field(default_factory=dict)
    """Unmanaged id -> the URN it was judged under."""

    @property
    def drift_count(self) -> int:
        return sum(len(item.drift) for item in self.drifts)

    @property
    def policy(self) -> PolicyReport:
        assert self.report is not None, "the audit has not been judged"
        return self.report

    @property
    def fails(self) -> bool:
        """Exit 1: drift, a missing or unmanaged resource, or what fails ``hlz check``."""
        seen = self.observation
        return bool(self.drifts or seen.missing or seen.unmanaged or self.policy.fails)


def name_key(token: str) -> str | None:
    path = arm_path(token)
    return path.levels[-1][1] if path is not None and path.levels else None


def rules_for(expected: Expected, made_up: frozenset[str], *, located: bool = False) -> Rules:
    """How ``expected`` is compared; a resource found in its collection under another name is
    compared without its name."""
    ignore = frozenset({key} if located and (key := name_key(expected.token)) else ())
    return Rules(
        made_up=made_up,
        write_only=write_only_check(expected),
        relaxed_enums=relaxed_enums(expected),
        ignore=ignore,
    )


def locate(
    expected: Expected, candidates: list[Deployed], learned: Mapping[str, str]
) -> Deployed | None:
    """The one candidate every planned property of ``expected`` matches (its name aside, and
    values Azure assigns as learned); None when none or several do."""
    planned = substitute(expected.inputs, learned)
    rules = Rules(ignore=frozenset({key} if (key := name_key(expected.token)) else ()))
    matches = [c for c in candidates if not compare(planned, c.inputs, rules).drift]
    return matches[0] if len(matches) == 1 else None


def judge(
    expectations: Expectations,
    observation: Observation,
    *,
    source: str,
    exemptions: list[Exemption],
    today: dt.date,
) -> AuditResult:
    """Compare what was read with the plan and judge it with the pack (nothing is read)."""
    result = AuditResult(expectations, observation, source)
    made_up = expectations.fabricated - frozenset(observation.learned)
    for expected in expectations.resources:
        found = observation.deployed.get(expected.urn)
        if found is None:
            continue
        planned = substitute(expected.inputs, observation.learned)
        located = expected.urn in observation.located
        comparison: Comparison = compare(
            planned, found.inputs, rules_for(expected, made_up, located=located)
        )
        result.compared += comparison.compared
        result.not_compared.update(comparison.not_compared)
        if comparison.drift:
            where = arm_property(expected)
            drift = tuple(_located_in_arm(item, where) for item in comparison.drift)
            result.drifts.append(ResourceDrift(expected, found.id, drift))
    result.document, result.unmanaged_urns = deployed_document(expectations, observation)
    result.report = judged(result.document, exemptions, today)
    return result


def _located_in_arm(drift: Drift, where: Callable[[Path], str | None]) -> Drift:
    if drift.change == ADDED:
        return drift
    arm = where(drift.path)
    return dataclasses.replace(drift, arm_property=arm if arm != drift.property else None)


def read(
    expectations: Expectations, reader: Reader, progress: Progress | None = None
) -> Observation:
    """Everything the audit reads (``hlz.audit.read``), found by ``locate``."""
    return observe(expectations, reader, locate=locate, progress=progress)


def deployed_document(
    expectations: Expectations, observation: Observation
) -> tuple[dict[str, Any], dict[str, str]]:
    """The deployed state as a plan document (see the module docstring), and the URN each
    unmanaged resource was given."""
    steps: list[dict[str, Any]] = []
    for expected in expectations.resources:
        found = observation.deployed.get(expected.urn)
        if found is not None:
            steps.append(
                _step(
                    expected.urn,
                    found,
                    parent=expected.parent,
                    dependencies=list(expected.dependencies),
                    property_dependencies={
                        key: list(urns) for key, urns in expected.property_dependencies.items()
                    },
                )
            )
    urns: dict[str, str] = {}
    prefix = f"urn:pulumi:{expectations.stack}::{expectations.project}::{UNMANAGED_PARENT}"
    for unmanaged in observation.unmanaged:
        found = observation.unmanaged_deployed.get(unmanaged.id)
        if found is None:
            continue
        urn = f"{prefix}${found.token}::{unmanaged.name}"
        if urn in urns.values():
            urn = f"{urn}-{len(urns)}"
        urns[unmanaged.id] = urn
        steps.append(_step(urn, found))
    document = {
        "steps": steps,
        "hlz": {
            "source": SOURCE,
            "stack": expectations.stack,
            "profile": expectations.profile,
            "subscriptionId": expectations.subscription_id,
        },
    }
    return document, urns


def _step(
    urn: str,
    found: Deployed,
    *,
    parent: str | None = None,
    dependencies: list[str] | None = None,
    property_dependencies: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    return {
        "op": "same",
        "urn": urn,
        "newState": {
            "urn": urn,
            "type": found.token,
            "custom": True,
            "parent": parent,
            "id": found.id,
            "inputs": found.inputs,
            "dependencies": dependencies or [],
            "propertyDependencies": property_dependencies or {},
        },
    }


def judged(document: dict[str, Any], exemptions: list[Exemption], today: dt.date) -> PolicyReport:
    """The pack's verdict on the deployed state, as ``hlz check`` gives it, without the type
    check of a request body (see the module docstring)."""
    from hlz.policy_check import check_plan

    report = check_plan(document, exemptions=exemptions, today=today)
    return dataclasses.replace(report, type_findings=[], type_checked=0)
