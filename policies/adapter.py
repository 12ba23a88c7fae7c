"""Thin adapter from the pure rules to ``pulumi_policy`` (CrossGuard) policies.

All decisions live in ``evaluation``; this module only maps types:

- ``NonCompliant`` -> one ``report_violation`` per reason, prefixed with the primary HIPAA
  section (``[164.312(e)(1)] ...``); stack rules report against the offending resource's URN.
- ``NotApplicable`` -> ``args.not_applicable(reason)``.
- an active exemption -> ``args.not_applicable("exempted: ...")`` (resource rules) or no report
  (stack rules); an expired one is named in the violation message.
- ``UnknownValueError`` escapes to the SDK, which reports "can't run policy during preview".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from . import clock, profiles
from .evaluation import run_check, run_stack_check
from .exemptions import EXEMPTIONS_FILE, Exemption, exemption_for, load_exemptions
from .model import (
    Category,
    NonCompliant,
    NotApplicable,
    Profile,
    ResourceRule,
    Rule,
    RuleMetadata,
    StackResource,
    StackRule,
)
from .registry import ALL_RULES

__all__ = [
    "DEFAULT_EXEMPTIONS_FILE",
    "PACK_ENFORCEMENT_LEVEL",
    "PACK_NAME",
    "build_policies",
    "stack_resource_from",
    "to_policy",
    "violation_message",
]

PACK_NAME = "hlz-hipaa"
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY
"""Pack-wide default; every policy sets its own level (PHI-protecting ones are mandatory)."""

DEFAULT_EXEMPTIONS_FILE = EXEMPTIONS_FILE

FRAMEWORK_NAME = "HIPAA Security Rule"
FRAMEWORK_VERSION = "45 CFR Part 164 Subpart C"

Today = Callable[[], dt.date]


def utc_today() -> dt.date:
    return clock.utc_today()


def violation_message(rule: RuleMetadata, reason: str, expired: Exemption | None = None) -> str:
    message = f"[{rule.primary_citation}] {reason}"
    if expired is not None:
        message += (
            f" (the {expired.describe()} has expired; renew it in policies/exemptions.yaml"
            " or fix the resource)"
        )
    return message


def _framework(rule: RuleMetadata) -> PolicyComplianceFramework | None:
    """The HIPAA Security Rule citation; deploy rules cite Azure documentation (``url``) and map
    to no compliance framework."""
    if rule.category is not Category.HIPAA:
        return None
    others = [f"MCSB {control}" for control in rule.mcsb] + [
        f"HITRUST CSF {c}" for c in rule.hitrust
    ]
    return PolicyComplianceFramework(
        name=FRAMEWORK_NAME,
        version=FRAMEWORK_VERSION,
        reference=", ".join(rule.hipaa),
        specification="; ".join(others) if others else None,
    )


def _config_schema(rule: RuleMetadata) -> PolicyConfigSchema | None:
    if not profiles.is_profile_dependent(rule):
        return None
    return PolicyConfigSchema(
        properties={
            profiles.PROFILE_PROPERTY: {
                "type": "string",
                "enum": [profile.value for profile in Profile],
                "default": profiles.DEFAULT_PROFILE.value,
                "description": "Deployment profile; this rule is checked only in: "
                + ", ".join(sorted(p.value for p in rule.profiles)),
            },
        }
    )


def _metadata(rule: RuleMetadata) -> dict[str, Any]:
    return {
        "name": rule.id,
        "description": rule.description,
        "enforcement_level": EnforcementLevel(profiles.default_enforcement_level(rule).value),
        "config_schema": _config_schema(rule),
        "severity": Severity(rule.severity.value),
        "framework": _framework(rule),
        "tags": list(rule.topics),
        "remediation_steps": rule.remediation,
        "url": rule.url,
    }


def _resource_policy(
    rule: ResourceRule, exemptions: Sequence[Exemption], today: Today
) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        profile = profiles.profile_from_config(args.get_config())
        outcome = run_check(rule, args.resource_type, args.props, profile=profile)
        if isinstance(outcome, NotApplicable):
            args.not_applicable(outcome.reason or None)
        if not isinstance(outcome, NonCompliant):
            return
        active, expired = exemption_for(exemptions, rule.id, args.urn, today())
        if active is not None:
            args.not_applicable(f"exempted: {active.describe()}")
        for reason in outcome.reasons:
            report_violation(violation_message(rule, reason, expired), None)

    return ResourceValidationPolicy(validate=validate, **_metadata(rule))


def stack_resource_from(resource: PolicyResource) -> StackResource:
    return StackResource(
        urn=resource.urn,
        resource_type=resource.resource_type,
        props=resource.props,
        dependencies=tuple(dependency.urn for dependency in resource.dependencies),
        property_dependencies={
            name: tuple(dependency.urn for dependency in dependencies)
            for name, dependencies in resource.property_dependencies.items()
        },
        parent=resource.parent.urn if resource.parent is not None else None,
    )


def _stack_policy(
    rule: StackRule, exemptions: Sequence[Exemption], today: Today
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        profile = profiles.profile_from_config(args.get_config())
        resources = [stack_resource_from(resource) for resource in args.resources]
        outcomes = run_stack_check(rule, resources, profile=profile)
        if not outcomes:
            args.not_applicable("no resource of the checked types in this stack")
        if all(isinstance(outcome, NotApplicable) for outcome in outcomes.values()):
            first = next(iter(outcomes.values()))
            args.not_applicable(first.reason if isinstance(first, NotApplicable) else None)
        day = today()
        for urn, outcome in outcomes.items():
            if not isinstance(outcome, NonCompliant):
                continue
            active, expired = exemption_for(exemptions, rule.id, urn, day)
            if active is not None:
                continue
            for reason in outcome.reasons:
                report_violation(violation_message(rule, reason, expired), urn)

    return StackValidationPolicy(validate=validate, **_metadata(rule))


def to_policy(rule: Rule, exemptions: Sequence[Exemption] = (), today: Today = utc_today) -> Policy:
    if isinstance(rule, ResourceRule):
        return _resource_policy(rule, exemptions, today)
    return _stack_policy(rule, exemptions, today)


def build_policies(
    exemptions_file: Path = DEFAULT_EXEMPTIONS_FILE, today: Today = utc_today
) -> list[Policy]:
    """One policy per registered rule, with the exemptions file applied (loaded once, at start)."""
    exemptions = load_exemptions(exemptions_file, ALL_RULES)
    return [to_policy(rule, exemptions, today) for rule in ALL_RULES]
