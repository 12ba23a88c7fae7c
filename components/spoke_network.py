"""A lab's spoke VNet: private-endpoint and workload subnets behind NSGs, all egress through
the hub firewall, peered both ways with the hub, linked to the hub's private DNS zones.

| input                 | derived                                                          |
|-----------------------|------------------------------------------------------------------|
| hub firewall IP       | route table 0.0.0.0/0 -> firewall on both subnets, BGP off       |
| hub VNet              | two peerings (spoke -> hub, hub -> spoke)                        |
| dns_zone_ids          | a link from the spoke VNet to every zone the lab resolves        |
| (always)              | NSGs denying inbound from the Internet; no default outbound access |
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


class SpokeNetwork(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    private_endpoint_subnet_id: pulumi.Output[str]
    workload_subnet_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: SpokeNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:network:SpokeNetwork", name, None, opts)
        placement = args.placement
        namer = args.namer
        workspace_id = args.diagnostics.workspace_id
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=namer.name("virtual_network", "spoke"),
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            tags=placement.tags,
            opts=child_opts(self),
        )
        send_diagnostics(vnet, workspace_id, parent=self)
        route_table = network.RouteTable(
            f"{name}-rt",
            route_table_name=namer.name("route_table", "spoke-egress"),
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            disable_bgp_route_propagation=True,
            routes=[
                network.RouteArgs(
                    name="default-to-hub-firewall",
                    address_prefix="0.0.0.0/0",
                    next_hop_type=network.RouteNextHopType.VIRTUAL_APPLIANCE,
                    next_hop_ip_address=args.hub.firewall_private_ip,
                )
            ],
            tags=placement.tags,
            opts=child_opts(self),
        )
        previous: network.Subnet | None = None
        subnet_ids: dict[str, pulumi.Output[str]] = {}
        for role, prefix in (
            ("private-endpoints", args.private_endpoint_prefix),
            ("workloads", args.workload_prefix),
        ):
            nsg = network.NetworkSecurityGroup(
                f"{name}-{role}-nsg",
                network_security_group_name=namer.name("network_security_group", role),
                resource_group_name=placement.resource_group_name,
                location=placement.location,
                security_rules=deny_internet_inbound_rules(),
                tags=placement.tags,
                opts=child_opts(self),
            )
            send_diagnostics(nsg, workspace_id, parent=self)
            subnet = network.Subnet(
                f"{name}-{role}-snet",
                subnet_name=namer.name("subnet", role),
                virtual_network_name=vnet.name,
                resource_group_name=placement.resource_group_name,
                address_prefix=prefix,
                network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
                route_table=network.RouteTableArgs(id=route_table.id),
                default_outbound_access=False,
                private_endpoint_network_policies=network.VirtualNetworkPrivateEndpointNetworkPolicies.ENABLED,
                # Azure rejects concurrent subnet writes on one VNet.
                opts=child_opts(self, depends_on=[previous] if previous else None),
            )
            previous = subnet
            subnet_ids[role] = subnet.id

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
                peering_name=namer.name("virtual_network", "spoke"),
            ),
            opts=child_opts(self),
        )
        link_vnet_to_zones(
            f"{name}-dns",
            zone_ids=args.hub.dns_zone_ids,
            zone_resource_group_name=args.hub.resource_group_name,
            vnet_id=vnet.id,
            link_name=namer.name("virtual_network", "spoke"),
            tags=placement.tags,
            parent=self,
        )
        self.vnet = vnet
        self.id = vnet.id
        self.name = vnet.name
        self.private_endpoint_subnet_id = subnet_ids["private-endpoints"]
        self.workload_subnet_id = subnet_ids["workloads"]
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "private_endpoint_subnet_id": self.private_endpoint_subnet_id,
            }
        )
