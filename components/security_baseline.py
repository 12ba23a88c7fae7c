"""Subscription security baseline: Defender for Cloud plans and Azure's built-in HITRUST/HIPAA
initiative in audit mode (HIPAA 164.308(a)(1)(ii)(D) activity review, defence in depth behind
the pre-deployment policy pack).

| input            | derived                                                                   |
|------------------|---------------------------------------------------------------------------|
| (always)         | the assignment gets a system-assigned identity and ``location``: the      |
|                  | initiative has DeployIfNotExists and Modify members, and ARM refuses such |
|                  | an assignment without both                                                |
| (always)         | that identity holds, at the assignment's scope, every role the remediating |
|                  | members name (``roleDefinitionIds``), so a remediation task can run       |

The members and their roles are vendored in ``policies/data/hitrust_hipaa_initiative.json``
(``policies.initiatives``), read from Azure/azure-policy (commit and date recorded there). The
initiative is assigned with ``DoNotEnforce``: nothing is denied or deployed on its own; an
operator starts remediation tasks, which then act with these roles.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization, security

from components.roles import builtin_role_names, grant_policy_remediation
from components.shared import HlzModel, StrInput, child_opts
from policies.initiatives import HITRUST_HIPAA
from policies.vocabulary import DEFENDER_PLANS

HIPAA_HITRUST_INITIATIVE_ID = HITRUST_HIPAA.id
REMEDIATION_ROLES = builtin_role_names(HITRUST_HIPAA.role_ids)
"""Names (``components.roles.BUILTIN_ROLES``) of the roles the initiative's remediating
members need."""


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
            identity=authorization.IdentityArgs(
                type=authorization.ResourceIdentityType.SYSTEM_ASSIGNED
            ),
            opts=child_opts(self),
        )
        self.remediation_roles = grant_policy_remediation(
            name,
            assignment,
            REMEDIATION_ROLES,
            subscription_id=args.subscription_id,
            parent=self,
            what="the HITRUST/HIPAA policy assignment",
        )
        self.policy_assignment = assignment
        self.id = assignment.id
        self.name = assignment.name
        self.register_outputs({"id": self.id, "name": self.name})
