"""Evaluate the policy pack over a plan in-process: the same rule objects the Pulumi CLI loads
(``policies/__main__.py``), the same unknown-checking proxies, enforcement levels and exemptions.

Works on the plan JSON (``hlz plan --json``), so ``hlz plan`` and ``hlz check PLAN.json`` share
one path and give the same verdicts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hlz.sdk_proxy  # noqa: F401  - first: the SDK's unknown-checking proxy, without its server
from hlz.plan_document import UNKNOWN_MARK
from hlz.schema import TypeFinding, validate_resources
from policies.clock import utc_today
from policies.evaluation import Finding, evaluate_plan, normalised
from policies.exemptions import EXEMPTIONS_FILE, Exemption, load_exemptions
from policies.model import (
    Compliant,
    NonCompliant,
    NotApplicable,
    Profile,
    Rule,
    StackResource,
    Undetermined,
)
from policies.overrides import parse_tag_value
from policies.registry import ALL_RULES, JUDGED_TYPES
from policies.vocabulary import OVERRIDE_TAG_PREFIX

NOT_DEPLOYED_TYPES = frozenset({"pulumi:pulumi:StackReference"})
"""Reads, not resources the stack manages: no rule applies to them."""

OVERRIDE_REASON_PREFIX = "overridden by tag "
"""How ``policies.evaluation`` words a NotApplicable that an override tag produced."""
UNCHECKED_KIND = "no-type-definition"
"""The type finding that means "not checked" rather than "wrong"."""


def default_exemptions_path() -> Path:
    """``policies/exemptions.yaml``: the file the pack reads under CrossGuard too."""
    return EXEMPTIONS_FILE


def load_project_exemptions(
    path: Path | None = None, today: dt.date | None = None
) -> list[Exemption]:
    """The exemptions file (default ``policies/exemptions.yaml``), validated against the rules
    (expiry caps counted from ``today``, default the real date)."""
    return load_exemptions(path or default_exemptions_path(), ALL_RULES, today=today)


def stack_resources(plan: dict[str, Any]) -> list[StackResource]:
    """The stack's managed resources from a plan document, as the policy engine sees them."""
    resources = []
    for step in plan.get("steps", []):
        state = step["newState"]
        if (
            step.get("op") == "read"
            or state.get("external")
            or not state.get("custom")
            or state["type"] in NOT_DEPLOYED_TYPES
        ):
            continue
        resources.append(
            StackResource(
                urn=state["urn"],
                resource_type=state["type"],
                props=state.get("inputs", {}),
                dependencies=tuple(state.get("dependencies", ())),
                property_dependencies={
                    name: tuple(urns)
                    for name, urns in state.get("propertyDependencies", {}).items()
                },
                parent=state.get("parent") or None,
            )
        )
    return resources


def outcome_name(finding: Finding) -> str:
    evaluation = finding.evaluation
    if isinstance(evaluation, NonCompliant):
        return "exempt" if finding.exemption is not None else "fail"
    if isinstance(evaluation, Compliant):
        return "pass"
    if isinstance(evaluation, NotApplicable):
        return "override" if is_override(finding) else "n/a"
    if isinstance(evaluation, Undetermined):
        return "unknown"
    raise TypeError(f"unexpected evaluation {evaluation!r}")


def is_override(finding: Finding) -> bool:
    """A control weakened on purpose by an ``hlz-override-*`` tag: reviewers must see these."""
    evaluation = finding.evaluation
    return isinstance(evaluation, NotApplicable) and evaluation.reason.startswith(
        OVERRIDE_REASON_PREFIX
    )


@dataclass(frozen=True)
class RecordedOverride:
    """A secure default weakened on purpose: an ``hlz-override-<control>`` tag on a resource,
    written by a component from an ``Override`` (a config key, or a profile's own reason)."""

    urn: str
    control: str
    """What was weakened, e.g. ``lock``, ``hsm``, ``ddos-protection``, ``data-residency``."""
    reason: str
    expires: dt.date | None
    rules: tuple[str, ...] = ()
    """Rules whose violation on this resource the override answers (none when no rule judges
    the control in this profile)."""


def recorded_overrides(
    resources: list[StackResource], findings: list[Finding]
) -> list[RecordedOverride]:
    """Every override tag in the plan, whether or not a rule reads it: reviewers see each
    weakened default, not only those a rule of this profile would have flagged."""
    answered: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        tag = getattr(finding.rule, "override_tag", None)  # resource rules only
        if is_override(finding) and tag is not None:
            answered.setdefault((finding.urn, tag), []).append(finding.rule.id)
    found = []
    for resource in resources:
        tags = resource.props.get("tags")
        if not isinstance(tags, dict):
            continue
        for name, value in sorted(tags.items()):
            if not (isinstance(name, str) and name.casefold().startswith(OVERRIDE_TAG_PREFIX)):
                continue
            tag = parse_tag_value(str(value))
            found.append(
                RecordedOverride(
                    urn=resource.urn,
                    control=name.casefold().removeprefix(OVERRIDE_TAG_PREFIX),
                    reason=tag.reason,
                    expires=tag.expires,
                    rules=tuple(sorted(answered.get((resource.urn, name.casefold()), ()))),
                )
            )
    return found


@dataclass
class PolicyReport:
    stack: str
    profile: Profile
    findings: list[Finding]
    exemptions: list[Exemption]
    today: dt.date
    rules: tuple[Rule, ...] = ALL_RULES
    type_findings: list[TypeFinding] = field(default_factory=list)
    """Offline type validation (``hlz.schema``) of the same resources."""
    type_checked: int = 0
    """Managed azure-native resources the type validation looked at."""
    unjudged: list[tuple[str, str]] = field(default_factory=list)
    """(urn, type) of managed azure-native resources whose type no rule judges beyond what every
    resource has (name, tags, location): advisory, listed so nothing passes silently."""
    fail_on_unknown: str = "auto"
    """``policies.profiles.FAIL_ON_UNKNOWN``: which undetermined results fail the check."""
    recorded_overrides: list[RecordedOverride] = field(default_factory=list)
    """Every ``hlz-override-*`` tag in the plan (``recorded_overrides``)."""

    @property
    def unknown_mode(self) -> str:
        """``fail_on_unknown`` with ``auto`` resolved for this profile."""
        if self.fail_on_unknown != "auto":
            return self.fail_on_unknown
        return "phi" if self.profile is Profile.PRODUCTION else "none"

    @property
    def undetermined(self) -> list[Finding]:
        """Rules that read a value unknown until deployment (a preview) and could not decide."""
        return [f for f in self.findings if isinstance(f.evaluation, Undetermined)]

    @property
    def blocking_unknown(self) -> list[Finding]:
        """Undetermined results that fail the check under ``unknown_mode``."""
        mode = self.unknown_mode
        if mode == "none":
            return []
        return [f for f in self.undetermined if mode == "all" or f.rule.phi_protecting]

    @property
    def type_errors(self) -> list[TypeFinding]:
        """Inputs Azure's type definitions reject: ``pulumi up`` would fail on them."""
        return [f for f in self.type_findings if f.kind != UNCHECKED_KIND]

    @property
    def type_unchecked(self) -> list[TypeFinding]:
        """Resources no vendored type definition covers (advisory: listed, never silent)."""
        return [f for f in self.type_findings if f.kind == UNCHECKED_KIND]

    @property
    def fails(self) -> bool:
        """Exit 1: a mandatory violation, a type error, or an undetermined result that
        ``--fail-on-unknown`` counts."""
        return bool(self.blocking or self.type_errors or self.blocking_unknown)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.is_violation]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocks_deployment]

    @property
    def exempted(self) -> list[Finding]:
        return [f for f in self.findings if f.exemption is not None]

    @property
    def overrides(self) -> list[Finding]:
        return [f for f in self.findings if is_override(f)]

    @property
    def expired_exemptions(self) -> list[Exemption]:
        return [e for e in self.exemptions if not e.is_active(self.today)]

    def counts(self) -> dict[str, Counter[str]]:
        """Rule id -> outcome -> number of resources."""
        table: dict[str, Counter[str]] = {rule.id: Counter() for rule in self.rules}
        for finding in self.findings:
            table[finding.rule.id][outcome_name(finding)] += 1
        return table

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile.value,
            "evaluatedOn": self.today.isoformat(),
            "ruleCount": len(self.rules),
            "summary": {
                "violations": len(self.violations),
                "mandatoryViolations": len(self.blocking),
                "exempted": len(self.exempted),
                "overrides": len(self.recorded_overrides),
                "expiredExemptions": len(self.expired_exemptions),
                "undetermined": len(self.undetermined),
                "blockingUndetermined": len(self.blocking_unknown),
                "unjudged": len(self.unjudged),
            },
            "failOnUnknown": self.unknown_mode,
            "rules": {rule_id: dict(counts) for rule_id, counts in self.counts().items()},
            "violations": [finding_json(f) for f in self.violations],
            "exempted": [finding_json(f) for f in self.exempted],
            "overrides": [override_json(o) for o in self.recorded_overrides],
            "exemptions": [exemption_json(e, self.today) for e in self.exemptions],
            "types": {
                "checked": self.type_checked,
                "errors": len(self.type_errors),
                "unchecked": len(self.type_unchecked),
                "findings": [type_finding_json(f) for f in self.type_findings],
            },
            "undetermined": [
                {
                    "rule": f.rule.id,
                    "urn": f.urn,
                    "reason": f.evaluation.reason,  # type: ignore[union-attr]
                    "blocks": f in self.blocking_unknown,
                }
                for f in self.undetermined
            ],
            "unjudged": [{"urn": urn, "type": token} for urn, token in self.unjudged],
        }


def override_json(override: RecordedOverride) -> dict[str, Any]:
    return {
        "urn": override.urn,
        "control": override.control,
        "reason": override.reason,
        "expires": override.expires.isoformat() if override.expires else None,
        "rules": list(override.rules),
    }


def type_finding_json(finding: TypeFinding) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "urn": finding.urn,
        "type": finding.resource_type,
        "armType": finding.arm_type,
        "apiVersion": finding.api_version,
        "path": finding.path,
        "message": finding.message,
    }


def reasons(finding: Finding) -> list[str]:
    """What a violation says is wrong, one line per problem; none for any other outcome."""
    evaluation = finding.evaluation
    return list(evaluation.reasons) if isinstance(evaluation, NonCompliant) else []


def finding_json(finding: Finding) -> dict[str, Any]:
    rule = finding.rule
    document: dict[str, Any] = {
        "rule": rule.id,
        "urn": finding.urn,
        "severity": rule.severity.value,
        "enforcement": finding.enforcement.value,
        "hipaa": list(rule.hipaa),
        "reasons": reasons(finding),
        "remediation": rule.remediation,
    }
    if finding.exemption is not None:
        document["exemption"] = exemption_json(finding.exemption, None)
    if finding.expired_exemption is not None:
        document["expiredExemption"] = exemption_json(finding.expired_exemption, None)
    return document


def exemption_json(exemption: Exemption, today: dt.date | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "rule": exemption.rule_id,
        "resource": exemption.resource,
        "reason": exemption.reason,
        "owner": exemption.owner,
        "expires": exemption.expires.isoformat(),
    }
    if today is not None:
        document["active"] = exemption.is_active(today)
    return document


def check_plan(
    plan: dict[str, Any],
    *,
    profile: Profile | None = None,
    exemptions_path: Path | None = None,
    exemptions: list[Exemption] | None = None,
    today: dt.date | None = None,
    fail_on_unknown: str = "auto",
) -> PolicyReport:
    """Evaluate every rule over a plan document. The profile defaults to the stack's own
    (``hlz.profile``) and, failing that, production (the stricter)."""
    meta = plan.get("hlz", {})
    profile = profile or Profile(meta.get("profile") or Profile.PRODUCTION.value)
    today = today or utc_today()
    if exemptions is None:
        exemptions = load_project_exemptions(exemptions_path, today)
    resources = stack_resources(plan)
    findings = evaluate_plan(
        resources,
        profile=profile,
        exemptions=exemptions,
        today=today,
        unknown_marker=UNKNOWN_MARK,
    )
    return PolicyReport(
        stack=meta.get("stack", "?"),
        profile=profile,
        findings=findings,
        exemptions=exemptions,
        today=today,
        type_findings=validate_resources((r.urn, r.resource_type, r.props) for r in resources),
        type_checked=sum(1 for r in resources if r.resource_type.startswith("azure-native:")),
        unjudged=unjudged_resources(resources),
        fail_on_unknown=fail_on_unknown,
        recorded_overrides=recorded_overrides(resources, findings),
    )


def unjudged_resources(resources: list[StackResource]) -> list[tuple[str, str]]:
    """(urn, type as judged) of azure-native resources no rule judges (``JUDGED_TYPES``)."""
    unjudged = []
    for resource in resources:
        resource_type = normalised(resource).resource_type
        if resource_type.startswith("azure-native:") and resource_type not in JUDGED_TYPES:
            unjudged.append((resource.urn, resource_type))
    return unjudged
