"""Azure OpenAI for PHI workloads (HIPAA 164.312(a)(1), (a)(2)(iv), (b), (e)(1)).

| input                    | derived                                                            |
|--------------------------|--------------------------------------------------------------------|
| (always)                 | custom subdomain (needed by private endpoints and Entra auth),     |
|                          | local (key) auth disabled, public access Disabled, ACL Deny,       |
|                          | outbound restricted to allowed_fqdns, customer-managed key         |
| kind AIServices          | private endpoint also registers in privatelink.services.ai.azure.com |
| content_filters          | one RAI policy each, blocking every harm category at the threshold |
| deployments              | created strictly one after another (parallel creates fail with 409) |
| member_group_ids         | "Cognitive Services OpenAI User" — call models, never read keys    |
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import pulumi
from pulumi_azure_native import cognitiveservices
from pydantic import Field

from components.diagnostics import send_diagnostics
from components.encryption import EncryptionKey
from components.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from components.roles import grant_groups
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Override,
    Placement,
    PrivateLinkTarget,
    StrInput,
    child_opts,
    override_tags,
)
from policies.vocabulary import GOVERNANCE_TAGS

OPENAI_ZONES = ("privatelink.openai.azure.com", "privatelink.cognitiveservices.azure.com")
AI_SERVICES_ZONE = "privatelink.services.ai.azure.com"
HARM_CATEGORIES = ("Hate", "Sexual", "Violence", "Selfharm")
PROMPT_SHIELDS = ("Jailbreak", "Indirect Attack")


class ContentFilter(HlzModel):
    """A custom content-filter (RAI) policy: every harm category blocked in prompts and
    completions at or above a threshold."""

    severity_threshold: Literal["Low", "Medium", "High"] = "Medium"
    """Block at this severity or above, every harm category, prompts and completions."""
    prompt_shield: bool = True
    """Block jailbreak and indirect prompt-injection attempts. Default: True."""


class GovernanceRecord(HlzModel):
    """The AI governance board's approval of one deployment (written as deployment tags)."""

    use_case: str
    """What the deployment is approved for (tag ``hlz-use-case``)."""
    risk_tier: Literal["minimal", "limited", "high"]
    """The board's risk tier (tag ``hlz-risk-tier``)."""
    approval_reference: str
    """The board's approval reference, e.g. a ticket id (tag ``hlz-approval-reference``)."""
    approval_expires: date
    """Last day the approval is valid (tag ``hlz-approval-expires``)."""
    owner: str
    """Accountable owner, a person or team (tag ``hlz-accountable-owner``)."""
    processes_phi: bool
    """Whether prompts or completions contain PHI (tag ``hlz-processes-phi``)."""

    def tags(self) -> dict[str, str]:
        values = {
            "use_case": self.use_case,
            "risk_tier": self.risk_tier,
            "approval_reference": self.approval_reference,
            "approval_expires": self.approval_expires.isoformat(),
            "owner": self.owner,
            "processes_phi": "true" if self.processes_phi else "false",
        }
        return {GOVERNANCE_TAGS[fact]: value[:256] for fact, value in values.items()}


class ModelDeployment(HlzModel):
    """One model deployment on the account, with its content filter and governance record."""

    name: str
    """Deployment name, which applications call; unique within the account."""
    model: str
    """Model name, e.g. ``gpt-4o``."""
    version: str
    """Model version, pinned: auto-upgrade is off, so it changes only through config."""
    sku: str = "DataZoneStandard"
    """Default: DataZoneStandard — processing stays in the US data zone."""
    capacity: int = Field(gt=0)
    """Capacity in thousands of tokens per minute (> 0)."""
    content_filter: str
    """RAI policy name (built-in or a key of OpenAIArgs.content_filters); always required."""
    data_residency_override: Override | None = None
    """Reason a Global* SKU is acceptable; recorded as a tag on the deployment."""
    governance: GovernanceRecord | None = None
    """The governance record, written as tags on the deployment (and a summary on the account)."""


def deployment_tags(deployment: ModelDeployment) -> dict[str, str]:
    """Tags a deployment carries besides the required ones: its data-residency override (where
    the policy pack looks for it) and its governance facts."""
    tags = override_tags(data_residency=deployment.data_residency_override)
    if deployment.governance is not None:
        tags.update(deployment.governance.tags())
    return tags


def approval_summary_tags(deployments: list[ModelDeployment]) -> dict[str, str]:
    """One account tag per deployment, so the account itself shows what was approved."""
    return {
        f"hlz-approval-{d.name}"[:512]: (
            f"{d.governance.approval_reference} until {d.governance.approval_expires}, "
            f"{d.governance.risk_tier} risk"
        )
        for d in deployments
        if d.governance is not None
    }


class OpenAIArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the account, policies and deployments."""
    account_name: str
    """Azure name of the account, also its custom subdomain (globally unique)."""
    endpoint_name: str
    """Azure name of the account's private endpoint."""
    kind: Literal["OpenAI", "AIServices"] = "OpenAI"
    """Default: OpenAI. AIServices also registers the endpoint in
    ``privatelink.services.ai.azure.com``."""
    encryption: EncryptionKey
    """Customer-managed key and the identity that unwraps it."""
    private_link: PrivateLinkTarget
    """Subnet of the account's private endpoint and the DNS zones it registers in (the
    OpenAI and Cognitive Services zones, plus the services.ai zone for AIServices)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the account's logs and metrics (HIPAA 164.312(b))."""
    allowed_fqdns: list[str] = Field(min_length=1)
    """The only destinations the account may call (data-exfiltration guard)."""
    content_filters: dict[str, ContentFilter] = Field(default_factory=dict)
    """Default: {} — only built-in RAI policies. Custom policy name -> its spec;
    a deployment's ``content_filter`` may name one."""
    deployments: list[ModelDeployment] = Field(min_length=1)
    """Model deployments (at least one), created one after another."""
    member_group_ids: list[str] = Field(default_factory=list)
    """Default: [] — no group is granted access. Entra group object ids granted
    Cognitive Services OpenAI User (call models, never read keys)."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""


class OpenAI(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: OpenAIArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("hlz:ai:OpenAI", name, None, opts)
        placement = args.placement
        key = args.encryption
        account = cognitiveservices.Account(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            kind=args.kind,
            sku=cognitiveservices.SkuArgs(name="S0"),
            identity=cognitiveservices.IdentityArgs(
                type=cognitiveservices.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[key.identity_id],
            ),
            properties=cognitiveservices.AccountPropertiesArgs(
                custom_sub_domain_name=args.account_name,
                disable_local_auth=True,
                public_network_access=cognitiveservices.PublicNetworkAccess.DISABLED,
                network_acls=cognitiveservices.NetworkRuleSetArgs(
                    default_action=cognitiveservices.NetworkRuleAction.DENY
                ),
                restrict_outbound_network_access=True,
                allowed_fqdn_list=args.allowed_fqdns,
                encryption=cognitiveservices.EncryptionArgs(
                    key_source=cognitiveservices.KeySource.MICROSOFT_KEY_VAULT,
                    key_vault_properties=cognitiveservices.KeyVaultPropertiesArgs(
                        key_name=key.key_name,
                        key_vault_uri=key.vault_uri,
                        identity_client_id=key.client_id,
                    ),
                ),
            ),
            tags=placement.tags_with(approval_summary_tags(args.deployments)),
            # The identity must be able to unwrap the key before the account is encrypted with it.
            opts=child_opts(self, depends_on=[key.key_access]),
        )
        send_diagnostics(account, args.diagnostics.workspace_id, parent=self)
        zones = OPENAI_ZONES + ((AI_SERVICES_ZONE,) if args.kind == "AIServices" else ())
        PrivateEndpoint(
            f"{name}-pe",
            PrivateEndpointArgs(
                placement=placement,
                endpoint_name=args.endpoint_name,
                target_id=account.id,
                group_id="account",
                subnet_id=args.private_link.subnet_id,
                dns_zone_ids=args.private_link.zones(*zones),
            ),
            opts=child_opts(self),
        )

        policies = {
            policy_name: self._content_filter(name, policy_name, spec, account, placement)
            for policy_name, spec in sorted(args.content_filters.items())
        }
        previous: pulumi.Resource | None = None
        self.deployments: list[cognitiveservices.Deployment] = []
        for deployment in args.deployments:
            depends_on: list[pulumi.Resource] = [previous] if previous else []
            if deployment.content_filter in policies:
                depends_on.append(policies[deployment.content_filter])
            previous = cognitiveservices.Deployment(
                f"{name}-{deployment.name}",
                deployment_name=deployment.name,
                account_name=account.name,
                resource_group_name=placement.resource_group_name,
                sku=cognitiveservices.SkuArgs(name=deployment.sku, capacity=deployment.capacity),
                properties=cognitiveservices.DeploymentPropertiesArgs(
                    model=cognitiveservices.DeploymentModelArgs(
                        format="OpenAI", name=deployment.model, version=deployment.version
                    ),
                    rai_policy_name=deployment.content_filter,
                    # Model versions change only through a reviewed config change.
                    version_upgrade_option=cognitiveservices.DeploymentModelVersionUpgradeOption.NO_AUTO_UPGRADE,
                ),
                tags=placement.tags_with(deployment_tags(deployment)),
                # One at a time: Azure rejects concurrent deployment operations on an account.
                opts=child_opts(self, depends_on=depends_on),
            )
            self.deployments.append(previous)

        grant_groups(
            f"{name}-user",
            args.member_group_ids,
            scope=account.id,
            role="Cognitive Services OpenAI User",
            subscription_id=args.subscription_id,
            parent=self,
        )
        self.account = account
        self.id = account.id
        self.name = account.name
        self.principal_id = key.principal_id
        self.endpoint = account.properties.apply(lambda properties: properties.endpoint or "")
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "principal_id": self.principal_id,
                "endpoint": self.endpoint,
            }
        )

    def _content_filter(
        self,
        name: str,
        policy_name: str,
        spec: ContentFilter,
        account: cognitiveservices.Account,
        placement: Placement,
    ) -> cognitiveservices.RaiPolicy:
        filters = [
            cognitiveservices.RaiPolicyContentFilterArgs(
                name=category,
                source=source,
                severity_threshold=cognitiveservices.ContentLevel(spec.severity_threshold),
                blocking=True,
                enabled=True,
            )
            for category in HARM_CATEGORIES
            for source in (
                cognitiveservices.RaiPolicyContentSource.PROMPT,
                cognitiveservices.RaiPolicyContentSource.COMPLETION,
            )
        ]
        filters += [
            cognitiveservices.RaiPolicyContentFilterArgs(
                name=shield,
                source=cognitiveservices.RaiPolicyContentSource.PROMPT,
                blocking=spec.prompt_shield,
                enabled=spec.prompt_shield,
            )
            for shield in PROMPT_SHIELDS
        ]
        return cognitiveservices.RaiPolicy(
            f"{name}-filter-{policy_name}",
            rai_policy_name=policy_name,
            account_name=account.name,
            resource_group_name=placement.resource_group_name,
            properties=cognitiveservices.RaiPolicyPropertiesArgs(
                base_policy_name="Microsoft.DefaultV2",
                mode=cognitiveservices.RaiPolicyMode.BLOCKING,
                content_filters=filters,
            ),
            tags=placement.tags,
            opts=child_opts(self),
        )
