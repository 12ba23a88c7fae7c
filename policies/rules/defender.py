"""Microsoft Defender for Cloud rules: the plans the landing zone requires
(``vocabulary.DEFENDER_PLANS``) are on, at the Standard tier.

A ``security:Pricing`` resource turns one plan on or off for a subscription. Which stack has to
hold them is decided by what marks a stack as the subscription's security baseline: the
assignment of a regulatory-compliance initiative (``policies.initiatives``, HITRUST/HIPAA).
``components.security_baseline`` registers that assignment and the plans together, and the
initiative itself audits, after deployment, whether these plans are on; the stack rule asks for
them before. Stacks assigning no such initiative (lab stacks, whose subscription the landing
zone's baseline covers) are not asked, and the rule reports on the assignment, the one resource
that stands for the baseline, naming every missing plan once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..initiatives import initiative_for
from ..model import (
    Compliant,
    NotApplicable,
    Outcome,
    Profile,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
)
from ..props import as_str, describe, get, same_text
from ..vocabulary import DEFENDER_PLANS
from .relations import of_type
from .tokens import DEFENDER_PRICING, POLICY_ASSIGNMENT

REQUIRED_TIER = "Standard"
"""The paid tier; 'Free' turns a plan's threat detection off."""


def _required_plan(name: Any) -> str | None:
    """The ``DEFENDER_PLANS`` spelling of ``name`` (plan names are case-insensitive in ARM)."""
    text = (as_str(name) or "").strip().casefold()
    return next((plan for plan in DEFENDER_PLANS if plan.casefold() == text), None)


def check_standard_tier(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    name = get(props, "pricingName")
    plan = _required_plan(name)
    if plan is None:
        return NotApplicable(f"plan {describe(name)} is not one the landing zone requires")
    tier = get(props, "pricingTier")
    if same_text(tier, REQUIRED_TIER):
        return Compliant()
    return fail(
        f"pricingTier is {describe(tier)}; set it to '{REQUIRED_TIER}' (the landing zone "
        f"requires the {plan} plan: policies.vocabulary.DEFENDER_PLANS)"
    )


def _baseline_outcome(assignment: StackResource, enabled: set[str]) -> Outcome:
    definition = as_str(get(assignment.props, "policyDefinitionId"))
    initiative = initiative_for(definition) if definition else None
    if initiative is None:
        return NotApplicable(
            f"assigns {describe(definition)}, not a regulatory initiative that marks the "
            "subscription's security baseline"
        )
    missing = [plan for plan in DEFENDER_PLANS if plan not in enabled]
    if not missing:
        return Compliant()
    return fail(
        f"policy assignment '{assignment.name}' applies the {initiative.display_name} initiative "
        "(the subscription's security baseline) but the stack turns on no Defender plan "
        f"{', '.join(missing)}; add an azure-native:security:Pricing with pricingTier "
        f"'{REQUIRED_TIER}' for each (components.security_baseline does)"
    )


def check_required_plans(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    enabled = {
        plan
        for pricing in of_type(resources, DEFENDER_PRICING)
        if (plan := _required_plan(get(pricing.props, "pricingName"))) is not None
    }
    return {
        assignment.urn: _baseline_outcome(assignment, enabled)
        for assignment in of_type(resources, POLICY_ASSIGNMENT)
    }


_DEFENDER_DOCS = "https://learn.microsoft.com/azure/defender-for-cloud"
_HIPAA = ("164.308(a)(1)(ii)(D)", "164.306(a)(2)", "164.312(b)")
"""Activity review, protection against reasonably anticipated threats, audit controls."""

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="defender-pricing-require-standard-tier",
        description=(
            "Defender for Cloud plans the landing zone requires use the Standard (paid) tier."
        ),
        rationale=(
            "The Free tier turns the plan's threat detection off: no malware scanning of uploads "
            "to ePHI storage, no alerts on anomalous Key Vault, AI or management-plane access. "
            "Defender detects and alerts rather than guarding ePHI itself, so the rule is "
            "advisory in lab stacks and mandatory in production."
        ),
        severity=Severity.HIGH,
        hipaa=_HIPAA,
        mcsb=("LT-1",),
        hitrust=("09.j", "09.ab"),
        remediation=(
            "Set pricingTier to 'Standard' (with the sub-plan in policies.vocabulary."
            "DEFENDER_PLANS; components.security_baseline does both)."
        ),
        url=f"{_DEFENDER_DOCS}/defender-for-cloud-introduction",
        phi_protecting=False,
        resource_types=frozenset({DEFENDER_PRICING}),
        check=check_standard_tier,
    ),
    StackRule(
        id="defender-subscription-require-plans",
        description=(
            "In production the stack that assigns the HITRUST/HIPAA initiative (the "
            "subscription's security baseline) turns on every Defender plan the landing zone "
            "requires."
        ),
        rationale=(
            "Threat detection for the vaults, storage, AI services and management plane that "
            "hold or reach ePHI feeds activity review and incident response; a plan left out of "
            "the baseline leaves those resources unwatched. The rule reports on the initiative "
            "assignment; stacks without one (lab stacks) are covered by the landing zone's."
        ),
        severity=Severity.HIGH,
        hipaa=_HIPAA,
        mcsb=("LT-1",),
        hitrust=("09.ab",),
        remediation=(
            "Add an azure-native:security:Pricing (pricingTier 'Standard') for each plan in "
            "policies.vocabulary.DEFENDER_PLANS to the stack that assigns the initiative "
            "(components.security_baseline does)."
        ),
        url=f"{_DEFENDER_DOCS}/enable-enhanced-security",
        phi_protecting=False,
        profiles=frozenset({Profile.PRODUCTION}),
        resource_types=frozenset({POLICY_ASSIGNMENT}),
        check=check_required_plans,
    ),
)
