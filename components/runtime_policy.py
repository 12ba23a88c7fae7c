"""Runtime guardrails: the ``hlz`` initiative of Azure built-in policies that enforce, after
deployment, the controls the policy pack checks before it (HIPAA 164.308(a)(1)(ii)(D) activity
review, 164.312(b) audit controls: a portal change or a deployment outside the pipeline is
denied or reported).

| input              | derived                                                                   |
|--------------------|---------------------------------------------------------------------------|
| profile            | the members and their effects (``policies.runtime.initiative_members``):  |
|                    | production denies what PHI-protecting rules refuse where the built-in     |
|                    | allows Deny, lab audits only                                              |
| (members)          | each references its built-in at its major version (``1.*.*``), with the   |
|                    | parameters set to match the rule                                          |
| (members)          | a DeployIfNotExists or Modify member gives the assignment a system-       |
|                    | assigned identity and ``location`` (ARM refuses it without), and that     |
|                    | identity the roles the definitions name, at the assignment's scope        |
| (members)          | one non-compliance message per member, naming the hlz rule(s) it backs    |

The built-ins come from the vendored, dated index ``policies/data/builtin_policies.json``
(``policies.builtin_index``); a member's GUID that the index lacks stops the import.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization

from components.roles import BUILTIN_ROLES, assign_role, principal_of
from components.shared import HlzModel, StrInput, child_opts
from policies.model import Profile
from policies.registry import ALL_RULES
from policies.runtime import Member, initiative_members, needs_identity

INITIATIVE_NAME = "hlz-hipaa-runtime"
"""Name of the custom policy set definition (and of its assignment) in the subscription."""


def _pinned(version: str) -> str:
    """``1.0.3`` -> ``1.*.*``: the member follows the built-in's compatible updates, and a new
    major version (which may change what it checks) waits for the index to be refreshed."""
    return version.split(".", 1)[0] + ".*.*"


def _message(member: Member) -> str:
    rules = ", ".join(member.rules)
    return f"hlz rule {rules}: see policies/RULES.md (built-in {member.definition.display_name})"


def remediation_roles(members: tuple[Member, ...]) -> tuple[str, ...]:
    """Names (``components.roles.BUILTIN_ROLES``) of the roles remediating members act with."""
    by_id = {guid: name for name, guid in BUILTIN_ROLES.items()}
    wanted = sorted(
        {role for m in members if needs_identity([m.effect]) for role in m.definition.role_ids}
    )
    missing = [guid for guid in wanted if guid not in by_id]
    if missing:  # a data error in the index or the table, not user input
        raise ValueError(f"roles {', '.join(missing)} are not in components.roles.BUILTIN_ROLES")
    return tuple(by_id[guid] for guid in wanted)


class RuntimeGuardrailsArgs(HlzModel):
    subscription_id: StrInput
    """Subscription the initiative is defined in and assigned to."""
    location: str
    """Region recorded on the assignment when it needs a managed identity."""
    profile: Profile
    """The landing zone's profile: which members and effects."""


class RuntimeGuardrails(pulumi.ComponentResource):
    id: pulumi.Output[str]
    """The assignment's id (labs name it in their policy exemptions)."""

    def __init__(
        self, name: str, args: RuntimeGuardrailsArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:security:RuntimeGuardrails", name, None, opts)
        members = initiative_members(ALL_RULES, args.profile)
        self.members = members
        definition = authorization.PolicySetDefinition(
            f"{name}-initiative",
            policy_set_definition_name=INITIATIVE_NAME,
            display_name=f"hlz HIPAA runtime guardrails ({args.profile.value})",
            description=(
                "Built-in policies enforcing, after deployment, the controls the hlz policy "
                "pack checks before it; each member names the hlz rule it backs."
            ),
            policy_type=authorization.PolicyType.CUSTOM,
            metadata={"category": "Regulatory Compliance", "source": "hlz policies/runtime.py"},
            policy_definitions=[
                authorization.PolicyDefinitionReferenceArgs(
                    policy_definition_id=member.definition.id,
                    policy_definition_reference_id=member.reference_id,
                    definition_version=_pinned(member.definition.version),
                    parameters={
                        key: authorization.ParameterValuesValueArgs(value=value)
                        for key, value in member.parameters.items()
                    },
                )
                for member in members
            ],
            opts=child_opts(self),
        )
        identity = needs_identity([m.effect for m in members])
        scope = pulumi.Output.concat("/subscriptions/", args.subscription_id)
        assignment = authorization.PolicyAssignment(
            f"{name}-assignment",
            policy_assignment_name=INITIATIVE_NAME,
            display_name=f"hlz HIPAA runtime guardrails ({args.profile.value})",
            description="The hlz policy pack's controls, enforced at runtime by Azure Policy.",
            scope=scope,
            policy_definition_id=definition.id,
            enforcement_mode=authorization.EnforcementMode.DEFAULT,
            non_compliance_messages=[
                authorization.NonComplianceMessageArgs(
                    message=_message(member), policy_definition_reference_id=member.reference_id
                )
                for member in members
            ],
            location=args.location if identity else None,
            identity=authorization.IdentityArgs(
                type=authorization.ResourceIdentityType.SYSTEM_ASSIGNED
            )
            if identity
            else None,
            opts=child_opts(self),
        )
        if identity:
            principal_id = principal_of(assignment.identity, "the hlz runtime policy assignment")
            for role in remediation_roles(members):
                assign_role(
                    f"{name}-remediation-{role.lower().replace(' ', '-')}",
                    scope=assignment.scope,
                    principal_id=principal_id,
                    principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                    role=role,
                    subscription_id=args.subscription_id,
                    parent=self,
                )
        self.definition = definition
        self.assignment = assignment
        self.id = assignment.id
        self.register_outputs({"id": self.id})
