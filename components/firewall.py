"""Azure Firewall with a firewall policy: the hub's single egress point (HIPAA 164.312(e)(1)).

What each tier offers decides the policy (https://learn.microsoft.com/azure/firewall/choose-firewall-sku;
the facts are ``policies.vocabulary.FIREWALL_TIERS_WITH_*``, which the deploy rules enforce):

| tier     | threat intelligence | DNS proxy | intrusion detection | management subnet + IP |
|----------|---------------------|-----------|---------------------|------------------------|
| Basic    | Alert (only mode)   | none      | none                | required               |
| Standard | Deny                | on        | none                | no                     |
| Premium  | Deny                | on        | Deny                | no                     |

ARM refuses a Basic policy with DNS proxy (400 ``FirewallPolicyHigherTierOnlyProperties``) or
threat intelligence in Deny mode, so neither is ever sent for Basic; asking for Deny on Basic
is an error here, before anything is registered.

Name resolution never depends on the firewall: hub and spokes keep Azure-provided DNS and
resolve the private-link zones through their own links to the hub's zones
(``PrivateDnsZones`` for the hub, ``SpokeNetwork`` for each spoke). DNS proxy, where the tier
has it, serves FQDN filtering in network rules and clients that name the firewall as their DNS
server; no tier is needed for private endpoints to resolve.

What the policy lets out (the spokes send 0.0.0.0/0 here, so nothing else leaves them):

| input                      | derived                                                        |
|----------------------------|----------------------------------------------------------------|
| (default)                  | no rule collection group: the policy allows nothing out        |
| ``lab_egress_sources`` set | one rule collection group, written after the firewall, with one|
|                            | Allow collection of application rules: those ranges alone to   |
|                            | the exact FQDNs of ``LAB_PLATFORM_EGRESS`` (no wildcard, no    |
|                            | FQDN tag, no web category), on every tier                      |

Application rules filter HTTP/S by FQDN on every tier, Basic included, and need no DNS proxy
("Application FQDN filtering rules", https://learn.microsoft.com/azure/firewall/features-by-sku).
The VM agent's own traffic (extension packages from the WireServer 168.63.129.16, the instance
metadata service 169.254.169.254) never reaches the firewall.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import pulumi
from pulumi_azure_native import network
from pydantic import Field

from components.diagnostics import send_diagnostics
from components.errors import ConfigError, UnexpectedAzureResponse
from components.public_ip import standard_public_ip
from components.shared import DiagnosticsTarget, HlzModel, Placement, StrInput, child_opts
from components.specs import PrivateCidr
from policies.vocabulary import (
    FIREWALL_TIERS_WITH_DNS_PROXY,
    FIREWALL_TIERS_WITH_INTRUSION_DETECTION,
    FIREWALL_TIERS_WITH_THREAT_INTEL_DENY,
    FirewallTier,
)

ApplicationProtocol = Literal["Http", "Https"]


class EgressNeed(NamedTuple):
    """One application rule of what the platform's own components in a lab spoke must reach."""

    name: str
    """The rule's name in the policy."""
    fqdns: tuple[str, ...]
    """Exact host names (Azure Firewall matches each as written; none is a wildcard)."""
    protocols: tuple[tuple[ApplicationProtocol, int], ...]
    """(protocol, port) pairs the rule allows, as the source documents them."""
    purpose: str
    """What breaks without it; the rule's description in the policy."""
    source: str
    """The page that lists these hosts for this purpose."""


LAB_PLATFORM_EGRESS: tuple[EgressNeed, ...] = (
    EgressNeed(
        name="entra-ssh-login",
        fqdns=("packages.microsoft.com", "login.microsoftonline.com", "pas.windows.net"),
        protocols=(("Https", 443),),
        purpose="Jump host Entra ID sign-in: aadsshlogin packages, PAM sign-in, Azure RBAC checks",
        source=(
            "https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux"
            "#network"
        ),
    ),
    EgressNeed(
        name="ubuntu-archive",
        fqdns=("azure.archive.ubuntu.com", "security.ubuntu.com"),
        protocols=(("Http", 80),),
        purpose="Jump host automatic patching from the Ubuntu archive (Azure mirror, security)",
        source=(
            "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress"
            "#optional-recommended-fqdn--application-rules-for-aks-clusters"
        ),
    ),
    EgressNeed(
        name="azure-cli",
        fqdns=("management.azure.com", "login.microsoftonline.com"),
        protocols=(("Https", 443),),
        purpose="az CLI on the jump host: Azure Resource Manager and its Entra ID sign-in",
        source="https://learn.microsoft.com/cli/azure/azure-cli-endpoints",
    ),
)
"""What a lab spoke's jump host must reach on the internet, each need with the page that lists
its hosts: Entra ID sign-in for Linux VMs ("Network": TCP 443 to these three; the fourth, the
instance metadata service, is link-local), the Ubuntu archive its automatic patching installs
from (Microsoft lists both hosts on HTTP 80 for Ubuntu nodes' security patches; apt checks the
archive's signatures), and Azure Resource Manager for the az CLI. The one place these hosts are
written: the firewall rules are built from it, and tests/test_landing_zone_way_in.py holds
docs/jump-host.md's table to it."""

EGRESS_RULE_COLLECTION_GROUP = "lab-platform-egress"
"""Azure name of the rule collection group (unique within its policy)."""
EGRESS_GROUP_PRIORITY = 1000
"""Priority of the group (100-65000, lower first); room before it for groups added later."""
EGRESS_COLLECTION_PRIORITY = 100


def default_threat_intel_mode(tier: FirewallTier) -> network.AzureFirewallThreatIntelMode:
    """Deny where the tier allows it, else Alert (Basic)."""
    if tier in FIREWALL_TIERS_WITH_THREAT_INTEL_DENY:
        return network.AzureFirewallThreatIntelMode.DENY
    return network.AzureFirewallThreatIntelMode.ALERT


def tier_problems(
    tier: FirewallTier, threat_intel_mode: network.AzureFirewallThreatIntelMode | None
) -> list[tuple[str, str]]:
    """``(argument, problem)`` for each setting the tier cannot have (ARM would refuse the
    policy)."""
    if (
        threat_intel_mode == network.AzureFirewallThreatIntelMode.DENY
        and tier not in FIREWALL_TIERS_WITH_THREAT_INTEL_DENY
    ):
        return [("threat_intel_mode", f"Deny needs the Standard or Premium tier ({tier}: Alert)")]
    return []


class FirewallArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the firewall, policy and IPs."""
    firewall_name: str
    """Azure name of the firewall (see components.naming)."""
    policy_name: str
    """Azure name of its firewall policy (created with the firewall's tier)."""
    public_ip_name: str
    """Azure name of its Standard static public IP; the Basic tier's management IP
    is ``<public_ip_name>-mgmt``."""
    tier: FirewallTier
    """Default in config: Standard. Production requires Standard or Premium."""
    subnet_id: StrInput
    """The AzureFirewallSubnet."""
    management_subnet_id: StrInput | None = None
    """AzureFirewallManagementSubnet; required (and only used) for the Basic tier."""
    threat_intel_mode: network.AzureFirewallThreatIntelMode | None = None
    """Default: None — derived from the tier: Deny (traffic to known-malicious addresses is
    dropped, not just logged) on Standard and Premium, Alert on Basic, its only mode."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the firewall's and public IPs' logs and metrics (HIPAA 164.312(b))."""
    lab_egress_sources: list[PrivateCidr] = Field(default_factory=list)
    """Default: [] — the policy allows nothing out. The AI lab spokes' address spaces (the
    landing zone passes its hlz:spokes allocations): these ranges, and no other, may reach the
    hosts of ``LAB_PLATFORM_EGRESS`` through HTTP/S application rules (HIPAA 164.312(e)(1))."""


class Firewall(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    private_ip: pulumi.Output[str]

    def __init__(self, name: str, args: FirewallArgs, opts: pulumi.ResourceOptions | None = None):
        problems = tier_problems(args.tier, args.threat_intel_mode)
        if args.tier == "Basic" and args.management_subnet_id is None:
            problems.append(("management_subnet_id", "the Basic tier needs a management subnet"))
        if problems:
            raise ConfigError(
                [(f"FirewallArgs.{argument}", problem) for argument, problem in problems],
                "component arguments",
            )
        super().__init__("hlz:network:Firewall", name, None, opts)
        placement = args.placement
        workspace_id = args.diagnostics.workspace_id

        policy = network.FirewallPolicy(
            f"{name}-policy",
            firewall_policy_name=args.policy_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=network.FirewallPolicySkuArgs(tier=network.FirewallPolicySkuTier(args.tier)),
            threat_intel_mode=args.threat_intel_mode or default_threat_intel_mode(args.tier),
            dns_settings=(
                network.DnsSettingsArgs(enable_proxy=True)
                if args.tier in FIREWALL_TIERS_WITH_DNS_PROXY
                else None
            ),
            intrusion_detection=(
                network.FirewallPolicyIntrusionDetectionArgs(
                    mode=network.FirewallPolicyIntrusionDetectionStateType.DENY
                )
                if args.tier in FIREWALL_TIERS_WITH_INTRUSION_DETECTION
                else None
            ),
            tags=placement.tags,
            opts=child_opts(self),
        )

        public_ip = self._public_ip(f"{name}-pip", args.public_ip_name, args, workspace_id)
        ip_configurations = [
            network.AzureFirewallIPConfigurationArgs(
                name="ipconfig",
                subnet=network.SubResourceArgs(id=args.subnet_id),
                public_ip_address=network.SubResourceArgs(id=public_ip.id),
            )
        ]
        management_ip_configuration = None
        if args.tier == "Basic":
            management_ip = self._public_ip(
                f"{name}-mgmt-pip", f"{args.public_ip_name}-mgmt", args, workspace_id
            )
            management_ip_configuration = network.AzureFirewallIPConfigurationArgs(
                name="mgmt-ipconfig",
                subnet=network.SubResourceArgs(id=args.management_subnet_id),
                public_ip_address=network.SubResourceArgs(id=management_ip.id),
            )

        firewall = network.AzureFirewall(
            f"{name}-fw",
            azure_firewall_name=args.firewall_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=network.AzureFirewallSkuArgs(
                name=network.AzureFirewallSkuName.AZF_W_V_NET,
                tier=network.AzureFirewallSkuTier(args.tier),
            ),
            firewall_policy=network.SubResourceArgs(id=policy.id),
            ip_configurations=ip_configurations,
            management_ip_configuration=management_ip_configuration,
            tags=placement.tags,
            opts=child_opts(self),
        )
        send_diagnostics(firewall, workspace_id, parent=self)

        self.egress_rules = None
        if args.lab_egress_sources:
            # After the firewall: a rule collection group change updates every firewall using
            # the policy, and one written while its firewall is still being created fails
            # (reported in microsoft/AzureTRE#3671, fixed there by this dependency).
            self.egress_rules = network.FirewallPolicyRuleCollectionGroup(
                f"{name}-egress",
                resource_group_name=placement.resource_group_name,
                firewall_policy_name=policy.name,
                rule_collection_group_name=EGRESS_RULE_COLLECTION_GROUP,
                priority=EGRESS_GROUP_PRIORITY,
                rule_collections=[
                    network.FirewallPolicyFilterRuleCollectionArgs(
                        rule_collection_type="FirewallPolicyFilterRuleCollection",
                        name="allow-lab-platform-egress",
                        priority=EGRESS_COLLECTION_PRIORITY,
                        action=network.FirewallPolicyFilterRuleCollectionActionArgs(
                            type=network.FirewallPolicyFilterRuleCollectionActionType.ALLOW
                        ),
                        rules=[
                            _application_rule(need, args.lab_egress_sources)
                            for need in LAB_PLATFORM_EGRESS
                        ],
                    )
                ],
                opts=child_opts(self, depends_on=[firewall]),
            )

        self.policy = policy
        self.firewall = firewall
        self.id = firewall.id
        self.name = firewall.name
        self.private_ip = firewall.ip_configurations.apply(_first_private_ip)
        self.register_outputs({"id": self.id, "name": self.name, "private_ip": self.private_ip})

    def _public_ip(
        self, logical: str, azure_name: str, args: FirewallArgs, workspace_id: StrInput
    ) -> network.PublicIPAddress:
        return standard_public_ip(
            logical,
            azure_name=azure_name,
            placement=args.placement,
            workspace_id=workspace_id,
            parent=self,
        )


def _application_rule(need: EgressNeed, sources: Sequence[str]) -> network.ApplicationRuleArgs:
    return network.ApplicationRuleArgs(
        rule_type="ApplicationRule",
        name=need.name,
        description=need.purpose,
        source_addresses=list(sources),
        target_fqdns=list(need.fqdns),
        protocols=[
            network.FirewallPolicyRuleApplicationProtocolArgs(protocol_type=protocol, port=port)
            for protocol, port in need.protocols
        ],
    )


def _first_private_ip(
    configurations: Sequence[network.outputs.AzureFirewallIPConfigurationResponse] | None,
) -> str:
    if not configurations or not configurations[0].private_ip_address:
        raise UnexpectedAzureResponse("Azure reported the firewall without a private IP address")
    return configurations[0].private_ip_address
