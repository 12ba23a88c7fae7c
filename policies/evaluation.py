"""Evaluate rules in-process: one rule on one resource, one stack rule on a stack, or a whole plan.

This is what the ``hlz plan`` engine calls (no Pulumi CLI, no gRPC) and what the adapter wraps
for CrossGuard, so both report the same outcomes.

Unknown values: plain-dict props are wrapped with ``pulumi_policy``'s unknown-checking proxy,
so a value equal to one of Pulumi's unknown sentinels (e.g. ``pulumi_policy.proxy.
UNKNOWN_STRING_VALUE``, the value the engine sends for outputs not known during preview) raises
``UnknownValueError`` when a rule reads it. ``evaluate`` turns that into ``Undetermined``;
``run_check`` lets it escape (the policy SDK reports it as "can't run policy during preview").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from .clock import utc_today
from .exemptions import Exemption, exemption_for
from .model import (
    Evaluation,
    NonCompliant,
    NotApplicable,
    Outcome,
    Profile,
    ResourceRule,
    Rule,
    StackResource,
    StackRule,
    Undetermined,
    fail,
)
from .normalise import normalise
from .overrides import REASON_RULE, parse_tag_value, reason_shortfall
from .profiles import EnforcementLevel, enforcement_level
from .props import as_mapping, as_str, get
from .registry import ALL_RULES
from .rules import ai_governance
from .rules.ai_governance import EVALUATION_DATE
from .vocabulary import CLASSIFICATION_TAG, holds_phi

__all__ = [
    "Finding",
    "evaluate",
    "evaluate_plan",
    "evaluate_stack",
    "run_check",
    "run_stack_check",
    "with_unknown_sentinels",
]


def with_unknown_sentinels(value: Any, marker: str) -> Any:
    """Replace a caller's unknown marker (e.g. ``"[unknown]"``) with Pulumi's unknown sentinel."""
    if isinstance(value, str):
        return UNKNOWN_STRING_VALUE if value == marker else value
    if isinstance(value, Mapping):
        return {key: with_unknown_sentinels(item, marker) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [with_unknown_sentinels(item, marker) for item in value]
    return value


def _with_unknown_checks(props: Mapping[str, Any]) -> Mapping[str, Any]:
    # Proxies (from the policy SDK) are already checking; only plain dicts need wrapping.
    return unknown_checking_proxy(props) if isinstance(props, dict) else props


def _profile_gate(
    rule: Rule, profile: Profile, props: Mapping[str, Any] | None = None
) -> NotApplicable | None:
    if profile in rule.profiles:
        return None
    if rule.phi_in_every_profile and props is not None and holds_phi(_classification(props)):
        return None
    only = ", ".join(sorted(p.value for p in rule.profiles))
    return NotApplicable(f"checked only in the {only} profile (this is {profile.value})")


def _classification(props: Mapping[str, Any]) -> str | None:
    tags = as_mapping(get(props, "tags")) or {}
    # Azure tag names are case-insensitive.
    key = next(
        (name for name in tags if isinstance(name, str) and name.casefold() == CLASSIFICATION_TAG),
        None,
    )
    return as_str(tags[key]) if key is not None else None


def _apply_override_tag(props: Mapping[str, Any], outcome: NonCompliant, tag: str) -> Outcome:
    """The outcome once the resource's override tag (if any) is honoured: a justified override
    whose expiry (``policies.overrides``) has not passed on the evaluation day -- the day
    exemptions are judged on -- turns the violation into a visible NotApplicable."""
    tags = as_mapping(get(props, "tags")) or {}
    # Azure tag names are case-insensitive.
    key = next((name for name in tags if isinstance(name, str) and name.casefold() == tag), None)
    if key is None:
        return outcome
    value = (as_str(tags[key]) or "").strip()
    override = parse_tag_value(value)
    shortfall = reason_shortfall(override.reason)
    if shortfall is not None:
        return fail(
            *outcome.reasons, f"tag {tag} must give a reason of {REASON_RULE} ({shortfall})"
        )
    if override.unreadable_expiry:
        return fail(
            *outcome.reasons,
            f"tag {tag} ends in '(expires {override.expiry_text})', not a YYYY-MM-DD date, so the "
            "override does not apply; write its expiry as YYYY-MM-DD",
        )
    day = ai_governance.today()
    if override.expires is not None and override.expires < day:
        return fail(
            *outcome.reasons,
            f"the override in tag {tag} expired on {override.expires.isoformat()} (the evaluation "
            f"day is {day.isoformat()}); renew it with a new expiry or remove it and fix the "
            "resource",
        )
    return NotApplicable(f"overridden by tag {tag}: {value}")


def run_check(
    rule: ResourceRule,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    profile: Profile = Profile.PRODUCTION,
) -> Outcome:
    """Evaluate a resource rule; ``UnknownValueError`` escapes."""
    resource_type, props = normalise(resource_type, props)
    if not rule.applies_to(resource_type):
        return NotApplicable(f"applies to other resource types, not {resource_type}")
    checked = _with_unknown_checks(props)
    gate = _profile_gate(rule, profile, checked)
    if gate is not None:
        return gate
    outcome = rule.check(resource_type, checked)
    if isinstance(outcome, NonCompliant) and rule.override_tag is not None:
        return _apply_override_tag(checked, outcome, rule.override_tag)
    return outcome


def evaluate(
    rule: ResourceRule,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    profile: Profile = Profile.PRODUCTION,
) -> Evaluation:
    """Evaluate a resource rule; a read of an unknown value yields ``Undetermined``."""
    try:
        return run_check(rule, resource_type, props, profile=profile)
    except UnknownValueError as error:
        return Undetermined(error.message)


def run_stack_check(
    rule: StackRule, resources: Sequence[StackResource], *, profile: Profile = Profile.PRODUCTION
) -> dict[str, Outcome]:
    """``{urn: Outcome}`` per resource of ``rule.resource_types``; ``UnknownValueError`` escapes."""
    resources = [normalised(resource) for resource in resources]
    gate = _profile_gate(rule, profile)
    if gate is not None:
        return {
            resource.urn: gate
            for resource in resources
            if resource.resource_type in rule.resource_types
        }
    checked = [
        dataclasses.replace(resource, props=_with_unknown_checks(resource.props))
        for resource in resources
    ]
    return dict(rule.check(checked))


def normalised(resource: StackResource) -> StackResource:
    """``resource`` as the rules see it (``policies.normalise``)."""
    resource_type, props = normalise(resource.resource_type, resource.props)
    if resource_type == resource.resource_type and props is resource.props:
        return resource
    return dataclasses.replace(resource, resource_type=resource_type, props=props)


def evaluate_stack(
    rule: StackRule, resources: Sequence[StackResource], *, profile: Profile = Profile.PRODUCTION
) -> dict[str, Evaluation]:
    """Like ``run_stack_check``; an unknown read marks every reported resource ``Undetermined``."""
    resources = [normalised(resource) for resource in resources]
    try:
        return dict(run_stack_check(rule, resources, profile=profile))
    except UnknownValueError as error:
        return {
            resource.urn: Undetermined(error.message)
            for resource in resources
            if resource.resource_type in rule.resource_types
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """The evaluation of one rule on one resource, with the exemption that applies (if any)."""

    rule: Rule
    urn: str
    evaluation: Evaluation
    enforcement: EnforcementLevel
    """Level under the evaluated profile (see ``profiles.enforcement_level``)."""
    exemption: Exemption | None = None
    """Active exemption waiving a NonCompliant evaluation."""
    expired_exemption: Exemption | None = None
    """Matching exemption that has expired (the violation stands; renew or fix)."""

    @property
    def is_violation(self) -> bool:
        """NonCompliant and not waived by an active exemption."""
        return isinstance(self.evaluation, NonCompliant) and self.exemption is None

    @property
    def blocks_deployment(self) -> bool:
        return self.is_violation and self.enforcement is EnforcementLevel.MANDATORY


def _finding(
    rule: Rule,
    urn: str,
    evaluation: Evaluation,
    profile: Profile,
    exemptions: Sequence[Exemption],
    today: dt.date,
) -> Finding:
    level = enforcement_level(rule, profile)
    if not isinstance(evaluation, NonCompliant):
        return Finding(rule, urn, evaluation, level)
    active, expired = exemption_for(exemptions, rule.id, urn, today)
    return Finding(rule, urn, evaluation, level, exemption=active, expired_exemption=expired)


def evaluate_plan(
    resources: Sequence[StackResource],
    *,
    profile: Profile,
    exemptions: Sequence[Exemption] = (),
    today: dt.date | None = None,
    rules: Sequence[Rule] | None = None,
    unknown_marker: str | None = None,
) -> list[Finding]:
    """Every rule on every resource it applies to, resource rules first, then stack rules.

    ``resources`` are the managed resources of the stack (leave out ``.get()`` reads: they are not
    deployed by the stack and carry no real inputs). Resources of types a rule does not cover
    produce no finding; profile-gated rules produce NotApplicable findings (so a report can show
    what was not checked). ``unknown_marker``: the string the caller uses for values unknown
    until deployment; such values make the reading rule ``Undetermined``.
    """
    resources = [normalised(r) for r in resources]
    if unknown_marker is not None:
        resources = [
            dataclasses.replace(r, props=with_unknown_sentinels(r.props, unknown_marker))
            for r in resources
        ]
    # Wrap each resource's props once: every resource rule and stack rule reads the same proxy
    # (building one walks the whole props tree, which dominates large plans otherwise).
    resources = [dataclasses.replace(r, props=_with_unknown_checks(r.props)) for r in resources]
    rules = ALL_RULES if rules is None else rules
    day = today or utc_today()
    # Rules that depend on the date (approval expiry) judge on the same day as the exemptions.
    token = EVALUATION_DATE.set(day)
    try:
        return _evaluate_all(resources, rules, profile, exemptions, day)
    finally:
        EVALUATION_DATE.reset(token)


def _evaluate_all(
    resources: Sequence[StackResource],
    rules: Sequence[Rule],
    profile: Profile,
    exemptions: Sequence[Exemption],
    day: dt.date,
) -> list[Finding]:
    findings: list[Finding] = []
    for resource in resources:
        for rule in rules:
            if isinstance(rule, ResourceRule) and rule.applies_to(resource.resource_type):
                evaluation = evaluate(rule, resource.resource_type, resource.props, profile=profile)
                findings.append(_finding(rule, resource.urn, evaluation, profile, exemptions, day))
    for rule in rules:
        if isinstance(rule, StackRule):
            for urn, evaluation in evaluate_stack(rule, resources, profile=profile).items():
                findings.append(_finding(rule, urn, evaluation, profile, exemptions, day))
    return findings
