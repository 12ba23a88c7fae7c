"""Azure Firewall with a firewall policy: the hub's single egress point (HIPAA 164.312(e)(1)).

| input                 | derived                                                     |
|-----------------------|-------------------------------------------------------------|
| tier Basic            | a management subnet and a second public IP are required     |
| tier Premium          | intrusion detection in Deny mode                            |
| any tier              | DNS proxy on (spokes resolve private endpoints through it)  |
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pulumi
from pulumi_azure_native import network

from components.diagnostics import send_diagnostics
from components.shared import DiagnosticsTarget, HlzModel, Placement, StrInput, child_opts

FirewallTier = Literal["Basic", "Standard", "Premium"]


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
    threat_intel_mode: network.AzureFirewallThreatIntelMode = (
        network.AzureFirewallThreatIntelMode.DENY
    )
    """Default: Deny — traffic to known-malicious addresses is dropped, not just logged."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the firewall's and public IPs' logs and metrics (HIPAA 164.312(b))."""


class Firewall(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    private_ip: pulumi.Output[str]

    def __init__(self, name: str, args: FirewallArgs, opts: pulumi.ResourceOptions | None = None):
        if args.tier == "Basic" and args.management_subnet_id is None:
            raise ValueError("the Basic firewall tier needs management_subnet_id")
        super().__init__("hlz:network:Firewall", name, None, opts)
        placement = args.placement
        workspace_id = args.diagnostics.workspace_id

        policy = network.FirewallPolicy(
            f"{name}-policy",
            firewall_policy_name=args.policy_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=network.FirewallPolicySkuArgs(tier=network.FirewallPolicySkuTier(args.tier)),
            threat_intel_mode=args.threat_intel_mode,
            dns_settings=network.DnsSettingsArgs(enable_proxy=True),
            intrusion_detection=(
                network.FirewallPolicyIntrusionDetectionArgs(
                    mode=network.FirewallPolicyIntrusionDetectionStateType.DENY
                )
                if args.tier == "Premium"
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

        self.policy = policy
        self.firewall = firewall
        self.id = firewall.id
        self.name = firewall.name
        self.private_ip = firewall.ip_configurations.apply(_first_private_ip)
        self.register_outputs({"id": self.id, "name": self.name, "private_ip": self.private_ip})

    def _public_ip(
        self, logical: str, azure_name: str, args: FirewallArgs, workspace_id: StrInput
    ) -> network.PublicIPAddress:
        public_ip = network.PublicIPAddress(
            logical,
            public_ip_address_name=azure_name,
            resource_group_name=args.placement.resource_group_name,
            location=args.placement.location,
            sku=network.PublicIPAddressSkuArgs(
                name=network.PublicIPAddressSkuName.STANDARD,
                tier=network.PublicIPAddressSkuTier.REGIONAL,
            ),
            public_ip_allocation_method=network.IPAllocationMethod.STATIC,
            tags=args.placement.tags,
            opts=child_opts(self),
        )
        send_diagnostics(public_ip, workspace_id, parent=self)
        return public_ip


def _first_private_ip(
    configurations: Sequence[network.outputs.AzureFirewallIPConfigurationResponse] | None,
) -> str:
    if not configurations or not configurations[0].private_ip_address:
        raise ValueError("the firewall reported no private IP address")
    return configurations[0].private_ip_address
