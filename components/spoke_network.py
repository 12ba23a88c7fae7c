"""A lab's spoke VNet: private-endpoint and workload subnets behind NSGs, all egress through
the hub firewall, peered both ways with the hub, linked to the hub's private DNS zones.

| input                 | derived                                                          |
|-----------------------|------------------------------------------------------------------|
| hub firewall IP       | route table 0.0.0.0/0 -> firewall on both subnets, BGP off       |
| hub VNet              | two peerings (spoke -> hub, hub -> spoke)                        |
| dns_zone_ids          | a link from the spoke VNet to every zone the lab resolves        |
| (always)              | NSGs denying inbound from the Internet; no default outbound access |
| bastion_subnet_prefix | workloads NSG: TCP 22 in from that prefix (the hub's Bastion) only; |
|                       | SSH and RDP from anywhere else denied (VirtualNetwork includes the |
|                       | peered hub and every network peered with it)                     |
| gateway_prefix        | a third subnet, ``gateway``, delegated to Microsoft.Web/serverFarms |
|                       | (API Management v2 outbound VNet integration: dedicated, /27 or    |
|                       | larger, an NSG required), behind an NSG and the same egress route  |
| agent_prefix          | a subnet ``agents`` delegated to Microsoft.App/environments (the   |
|                       | Foundry Agent Service's network injection: dedicated to the lab's  |
|                       | account), behind an NSG, without default outbound access and, as   |
|                       | in Microsoft's template, without the route to the firewall         |
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network

from components.diagnostics import send_diagnostics
from components.naming import Namer
from components.network_security import deny_internet_inbound_rules
from components.peering import VnetPeering, VnetPeeringArgs
from components.private_dns import link_vnet_to_zones
from components.shared import DiagnosticsTarget, HlzModel, Placement, StrInput, child_opts
from components.subnets import SubnetChain, default_route_to_firewall
from policies.vocabulary import AGENT_SUBNET_DELEGATION

SUBNET_ROLES = ("private-endpoints", "workloads")
GATEWAY_ROLE = "gateway"
GATEWAY_DELEGATION = "Microsoft.Web/serverFarms"
"""API Management v2 outbound VNet integration needs a subnet delegated to this service
(https://learn.microsoft.com/azure/api-management/integrate-vnet-outbound)."""
GATEWAY_MIN_PREFIX_LENGTH = 27
"""The smallest subnet the integration accepts is a /27 (Learn recommends /24 for scaling)."""
AGENTS_ROLE = "agents"
AGENTS_DELEGATION = AGENT_SUBNET_DELEGATION
"""The Foundry Agent Service injects its compute into a subnet delegated to this service."""
SSH_FROM_BASTION_PRIORITY = 100
DENY_REMOTE_ACCESS_PRIORITY = 110
CHILD_NAMES = (
    ("virtual_network", "spoke"),
    ("route_table", "spoke-egress"),
    *((kind, role) for role in SUBNET_ROLES for kind in ("subnet", "network_security_group")),
)
"""``(kind, role)`` of every Azure name the spoke's children take from its namer."""


class SpokeHub(HlzModel):
    """What the spoke needs from the hub (landing-zone stack outputs)."""

    vnet_id: StrInput
    """Hub VNet id: the remote end of the spoke -> hub peering."""
    vnet_name: StrInput
    """Hub VNet name: where the hub -> spoke peering is created."""
    resource_group_name: StrInput
    """Resource group of the hub VNet and its private DNS zones."""
    firewall_private_ip: StrInput
    """Hub firewall's private IP: next hop of the spoke's default route."""
    dns_zone_ids: dict[str, StrInput]
    """Hub private DNS zones (name -> id) the spoke links to."""


class SpokeNetworkArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of every child."""
    namer: Namer
    """Builds the Azure name of every child (``<abbreviation>-<prefix>-<role>``)."""
    address_space: str
    """The spoke VNet's address range (CIDR); must contain both subnet prefixes."""
    private_endpoint_prefix: str
    """Prefix of the subnet that hosts the lab's private endpoints."""
    workload_prefix: str
    """Prefix of the subnet for the lab's workloads."""
    hub: SpokeHub
    """The hub the spoke peers with, routes egress through and resolves DNS from."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the VNet's and NSGs' logs and metrics (HIPAA 164.312(b))."""
    bastion_subnet_prefix: str | None = None
    """Default: None — the workloads subnet admits nothing beyond Azure's defaults (and denies
    the Internet). Set (the lab has a jump host), its NSG allows TCP 22 from this prefix, the
    hub's AzureBastionSubnet, and denies SSH and RDP from anywhere else."""
    gateway_prefix: str | None = None
    """Default: None — no gateway subnet. Set (the lab has an AI gateway), a dedicated subnet
    delegated to Microsoft.Web/serverFarms that API Management's outbound calls leave from; at
    least a /27 (the stack config checks the size and that it lies in the address space)."""
    agent_prefix: str | None = None
    """Default: None — no agent subnet. Set (the lab has hlz:agentService), a dedicated subnet
    delegated to Microsoft.App/environments that the Foundry Agent Service's compute is
    injected into (the stack config checks its size and range)."""


def bastion_ssh_rules(bastion_prefix: str, workload_prefix: str) -> list[network.SecurityRuleArgs]:
    """SSH into the workloads subnet from Azure Bastion alone
    (https://learn.microsoft.com/azure/bastion/bastion-nsg#target-vm-subnet); any other SSH or
    RDP, from the hub, another spoke or anywhere, is denied before Azure's AllowVnetInBound."""
    return [
        network.SecurityRuleArgs(
            name="allow-ssh-from-bastion",
            priority=SSH_FROM_BASTION_PRIORITY,
            direction=network.SecurityRuleDirection.INBOUND,
            access=network.SecurityRuleAccess.ALLOW,
            protocol=network.SecurityRuleProtocol.TCP,
            source_address_prefix=bastion_prefix,
            source_port_range="*",
            destination_address_prefix=workload_prefix,
            destination_port_ranges=["22"],
        ),
        network.SecurityRuleArgs(
            name="deny-remote-access-inbound",
            priority=DENY_REMOTE_ACCESS_PRIORITY,
            direction=network.SecurityRuleDirection.INBOUND,
            access=network.SecurityRuleAccess.DENY,
            protocol=network.SecurityRuleProtocol.ASTERISK,
            source_address_prefix="*",
            source_port_range="*",
            destination_address_prefix="*",
            destination_port_ranges=["22", "3389"],
        ),
    ]


class SpokeNetwork(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    private_endpoint_subnet_id: pulumi.Output[str]
    workload_subnet_id: pulumi.Output[str]
    gateway_subnet_id: pulumi.Output[str] | None
    """The AI gateway's integration subnet; None without ``gateway_prefix``."""
    agent_subnet_id: pulumi.Output[str] | None
    """The Agent Service's injection subnet; None without ``agent_prefix``."""

    def __init__(
        self, name: str, args: SpokeNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ):
        # A name too long for Azure (a long prefix) fails every child: check them all first.
        # (role, prefix, delegation, routed through the hub firewall)
        delegated = [
            (role, prefix, delegation, routed)
            for role, prefix, delegation, routed in (
                (GATEWAY_ROLE, args.gateway_prefix, GATEWAY_DELEGATION, True),
                # Microsoft's private standard-agent template gives the agent subnet no route:
                # the injected compute reaches Agent Service infrastructure at private
                # addresses Microsoft does not list, which a default route to the firewall
                # would drop. Without default outbound access it has no Internet path either.
                (AGENTS_ROLE, args.agent_prefix, AGENTS_DELEGATION, False),
            )
            if prefix is not None
        ]
        child_names = CHILD_NAMES + tuple(
            (kind, role)
            for role, *_ in delegated
            for kind in ("subnet", "network_security_group")
        )
        names = args.namer.names(child_names, key="SpokeNetworkArgs.namer")
        vnet_name = names[("virtual_network", "spoke")]
        super().__init__("hlz:network:SpokeNetwork", name, None, opts)
        placement = args.placement
        workspace_id = args.diagnostics.workspace_id
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=vnet_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            tags=placement.tags,
            opts=child_opts(self),
        )
        send_diagnostics(vnet, workspace_id, parent=self)
        route_table = default_route_to_firewall(
            f"{name}-rt",
            route_table_name=names[("route_table", "spoke-egress")],
            route_name="default-to-hub-firewall",
            firewall_ip=args.hub.firewall_private_ip,
            placement=placement,
            parent=self,
        )
        subnets = SubnetChain(
            self, vnet_name=vnet.name, placement=placement, workspace_id=workspace_id
        )
        workload_rules = (
            [
                *bastion_ssh_rules(args.bastion_subnet_prefix, args.workload_prefix),
                *deny_internet_inbound_rules(),
            ]
            if args.bastion_subnet_prefix is not None
            else None
        )
        subnet_ids: dict[str, pulumi.Output[str]] = {}
        for role, prefix, rules in zip(
            SUBNET_ROLES,
            (args.private_endpoint_prefix, args.workload_prefix),
            (None, workload_rules),
            strict=True,
        ):
            subnet_ids[role] = subnets.add(
                f"{name}-{role}",
                subnet_name=names[("subnet", role)],
                prefix=prefix,
                nsg_name=names[("network_security_group", role)],
                nsg_rules=rules,
                route_table=route_table,
            ).id
        for role, prefix, delegation, routed in delegated:
            subnet_ids[role] = subnets.add(
                f"{name}-{role}",
                subnet_name=names[("subnet", role)],
                prefix=prefix,
                nsg_name=names[("network_security_group", role)],
                route_table=route_table if routed else None,
                delegation=delegation,
            ).id

        VnetPeering(
            f"{name}-to-hub",
            VnetPeeringArgs(
                resource_group_name=placement.resource_group_name,
                local_vnet_name=vnet.name,
                remote_vnet_id=args.hub.vnet_id,
                peering_name="to-hub",
            ),
            opts=child_opts(self),
        )
        VnetPeering(
            f"{name}-from-hub",
            VnetPeeringArgs(
                resource_group_name=args.hub.resource_group_name,
                local_vnet_name=args.hub.vnet_name,
                remote_vnet_id=vnet.id,
                peering_name=vnet_name,
            ),
            opts=child_opts(self),
        )
        link_vnet_to_zones(
            f"{name}-dns",
            zone_ids=args.hub.dns_zone_ids,
            zone_resource_group_name=args.hub.resource_group_name,
            vnet_id=vnet.id,
            link_name=vnet_name,
            tags=placement.tags,
            parent=self,
        )
        self.vnet = vnet
        self.id = vnet.id
        self.name = vnet.name
        self.private_endpoint_subnet_id = subnet_ids["private-endpoints"]
        self.workload_subnet_id = subnet_ids["workloads"]
        self.gateway_subnet_id = subnet_ids.get(GATEWAY_ROLE)
        self.agent_subnet_id = subnet_ids.get(AGENTS_ROLE)
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "private_endpoint_subnet_id": self.private_endpoint_subnet_id,
            }
        )
