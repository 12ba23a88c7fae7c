"""Subscription security baseline: Defender for Cloud plans and Azure's built-in HITRUST/HIPAA
initiative in audit mode (HIPAA 164.308(a)(1)(ii)(D) activity review, defence in depth behind
the pre-deployment policy pack)."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization, security

from components.shared import HlzModel, StrInput, child_opts

HIPAA_HITRUST_INITIATIVE_ID = (
    "/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab"
)

# Defender plan name -> sub-plan (None: the plan's default).
DEFENDER_PLANS: dict[str, str | None] = {
    "KeyVaults": "PerKeyVault",
    "StorageAccounts": "DefenderForStorageV2",
    "AI": None,
    "Arm": "PerSubscription",
    "CloudPosture": None,
}


class SecurityBaselineArgs(HlzModel):
    subscription_id: StrInput
    """Subscription the Defender plans and the HITRUST/HIPAA assignment apply to (from
    the client config)."""
    location: str
    """Region recorded on the policy assignment (required when it has a managed identity)."""


class SecurityBaseline(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: SecurityBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:security:SecurityBaseline", name, None, opts)
        for plan, sub_plan in DEFENDER_PLANS.items():
            security.Pricing(
                f"{name}-defender-{plan.lower()}",
                pricing_name=plan,
                pricing_tier=security.PricingTier.STANDARD,
                sub_plan=sub_plan,
                scope_id=pulumi.Output.concat("subscriptions/", args.subscription_id),
                opts=child_opts(self),
            )
        assignment = authorization.PolicyAssignment(
            f"{name}-hipaa-initiative",
            policy_assignment_name="hlz-hipaa-hitrust",
            display_name="HITRUST/HIPAA (audit) - hlz landing zone",
            description=(
                "Continuous compliance evaluation after deployment; the hlz policy pack "
                "blocks violations before deployment."
            ),
            scope=pulumi.Output.concat("/subscriptions/", args.subscription_id),
            policy_definition_id=HIPAA_HITRUST_INITIATIVE_ID,
            # Audit mode: evaluate and report, never block or remediate on its own.
            enforcement_mode=authorization.EnforcementMode.DO_NOT_ENFORCE,
            location=args.location,
            opts=child_opts(self),
        )
        self.policy_assignment = assignment
        self.id = assignment.id
        self.name = assignment.name
        self.register_outputs({"id": self.id, "name": self.name})
