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

Exemptions: each active entry of ``policies/exemptions.yaml`` whose rule has a runtime member
becomes an Azure Policy exemption (``exempt_at_runtime``) on the resources it names, in the
stack that owns them, limited to that rule's members; a member backing several rules is
exempted for all of them on that resource.

The built-ins come from the vendored, dated index ``policies/data/builtin_policies.json``
(``policies.builtin_index``); a member's GUID that the index lacks stops the import.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization

from components.roles import builtin_role_names, grant_policy_remediation
from components.shared import HlzModel, StrInput, child_opts
from policies.exemptions import Exemption, exemption_for
from policies.model import Profile
from policies.registry import ALL_RULES, RULES_BY_ID
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
    return builtin_role_names(
        sorted({r for m in members if needs_identity([m.effect]) for r in m.definition.role_ids})
    )


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
            grant_policy_remediation(
                name,
                assignment,
                remediation_roles(members),
                subscription_id=args.subscription_id,
                parent=self,
                what="the hlz runtime policy assignment",
            )
        self.definition = definition
        self.assignment = assignment
        self.id = assignment.id
        self.register_outputs({"id": self.id})


# --- hlz exemptions as Azure Policy exemptions -------------------------------------------------

EXEMPTION_NAMESPACE = uuid.UUID("3b1f6f0e-6c1e-5a43-9d53-6f2b1d2c9e11")
"""UUIDv5 namespace of the exemptions' names: one name per (rule, resource URN), stable across
runs, so a re-deployment updates the exemption instead of creating a second one."""


@dataclass
class RegisteredResources:
    """Every custom resource the program registers, with its URN: a stack transformation sees
    each resource object as it is constructed (``pulumi.runtime.register_stack_transformation``
    runs synchronously in the resource's constructor, so the list is complete when the program
    body returns)."""

    stack: str
    project: str
    resources: list[tuple[str, str, pulumi.CustomResource]] = field(default_factory=list)
    """(type token, URN, resource) of every azure-native custom resource."""
    _chains: dict[int, str] = field(default_factory=dict)

    def record(self, args: pulumi.ResourceTransformationArgs) -> None:
        parent = args.opts.parent if args.opts is not None else None
        above = self._chains.get(id(parent)) if parent is not None else None
        chain = f"{above}${args.type_}" if above else args.type_
        self._chains[id(args.resource)] = chain
        if isinstance(args.resource, pulumi.CustomResource) and args.type_.startswith(
            "azure-native:"
        ):
            urn = f"urn:pulumi:{self.stack}::{self.project}::{chain}::{args.name}"
            self.resources.append((args.type_, urn, args.resource))


def record_resources() -> RegisteredResources:
    """Start recording every resource the program registers from here on."""
    recorded = RegisteredResources(pulumi.get_stack(), pulumi.get_project())

    def transformation(args: pulumi.ResourceTransformationArgs) -> None:
        recorded.record(args)
        return None

    pulumi.runtime.register_stack_transformation(transformation)
    return recorded


def member_references(rule_id: str, profile: Profile) -> tuple[str, ...]:
    """The ``policyDefinitionReferenceId``s of the initiative members that back ``rule_id``."""
    return tuple(
        m.reference_id for m in initiative_members(ALL_RULES, profile) if rule_id in m.rules
    )


def exempt_at_runtime(
    recorded: RegisteredResources,
    exemptions: Sequence[Exemption],
    *,
    assignment_id: StrInput,
    profile: Profile,
    today: dt.date,
) -> list[authorization.PolicyExemption]:
    """An Azure Policy exemption of the runtime initiative for every active hlz exemption and
    resource it names (the pack's own lookup, ``policies.exemptions.exemption_for``), limited to
    the members that back its rule; category Waiver, the reason as description, expiring at the
    end of the exemption's last day (UTC). Rules without a runtime member need none."""
    created = []
    for exemption in exemptions:
        references = member_references(exemption.rule_id, profile)
        if not references or not exemption.is_active(today):
            continue
        types = getattr(RULES_BY_ID[exemption.rule_id], "resource_types", None)
        for token, urn, resource in recorded.resources:
            if types is not None and token not in types:
                continue  # the rule does not judge it: nothing to exempt
            active, _ = exemption_for([exemption], exemption.rule_id, urn, today)
            if active is None:
                continue
            name = str(uuid.uuid5(EXEMPTION_NAMESPACE, f"{exemption.rule_id}\n{urn}"))
            created.append(
                authorization.PolicyExemption(
                    f"runtime-exemption-{name[:8]}",
                    policy_exemption_name=name,
                    scope=resource.id,
                    policy_assignment_id=assignment_id,
                    policy_definition_reference_ids=list(references),
                    exemption_category=authorization.ExemptionCategory.WAIVER,
                    expires_on=f"{exemption.expires.isoformat()}T23:59:59Z",
                    display_name=f"hlz exemption: {exemption.rule_id}"[:128],
                    description=exemption.reason,
                    metadata={
                        "hlzRule": exemption.rule_id,
                        "owner": exemption.owner,
                        "resource": exemption.resource,
                    },
                    opts=pulumi.ResourceOptions(depends_on=[resource]),
                )
            )
    return created
