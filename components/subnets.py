"""Subnets of one VNet behind their NSGs, and the forced-tunnel route table: the pieces the hub
and every spoke build the same way (HIPAA 164.312(e)(1) transmission security)."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network

from components.diagnostics import send_diagnostics
from components.network_security import deny_internet_inbound_rules
from components.shared import Placement, StrInput, child_opts

# Subnet names Azure reserves for its own services keep Azure's defaults.
RESERVED_SUBNET_PREFIX = "Azure"


def default_route_to_firewall(
    logical_name: str,
    *,
    route_table_name: str,
    route_name: str,
    firewall_ip: StrInput,
    placement: Placement,
    parent: pulumi.Resource,
) -> network.RouteTable:
    """A route table sending 0.0.0.0/0 to the firewall; learned (BGP) routes are ignored so they
    cannot bypass it."""
    return network.RouteTable(
        logical_name,
        route_table_name=route_table_name,
        resource_group_name=placement.resource_group_name,
        location=placement.location,
        disable_bgp_route_propagation=True,
        routes=[
            network.RouteArgs(
                name=route_name,
                address_prefix="0.0.0.0/0",
                next_hop_type=network.RouteNextHopType.VIRTUAL_APPLIANCE,
                next_hop_ip_address=firewall_ip,
            )
        ],
        tags=placement.tags,
        opts=child_opts(parent),
    )


class SubnetChain:
    """Creates the subnets of one VNet strictly one after another — Azure rejects concurrent
    subnet writes on a VNet (AnotherOperationInProgress) — each behind its own NSG with
    diagnostics, unless Azure forbids an NSG there."""

    def __init__(
        self,
        owner: pulumi.Resource,
        *,
        vnet_name: StrInput,
        placement: Placement,
        workspace_id: StrInput,
    ):
        self._owner = owner
        self._vnet_name = vnet_name
        self._placement = placement
        self._workspace_id = workspace_id
        self._previous: network.Subnet | None = None

    def add(
        self,
        logical_name: str,
        *,
        subnet_name: str,
        prefix: str,
        nsg_name: str | None,
        nsg_rules: list[network.SecurityRuleArgs] | None = None,
        route_table: network.RouteTable | None = None,
        delegation: str | None = None,
    ) -> network.Subnet:
        """``nsg_name`` None: no NSG (AzureFirewallSubnet and its management subnet refuse one).
        ``nsg_rules`` default: deny inbound from the Internet. ``delegation``: the one service
        the subnet is delegated to (``Microsoft.Network/dnsResolvers``); default None."""
        placement = self._placement
        nsg = None
        if nsg_name is not None:
            nsg = network.NetworkSecurityGroup(
                f"{logical_name}-nsg",
                network_security_group_name=nsg_name,
                resource_group_name=placement.resource_group_name,
                location=placement.location,
                security_rules=nsg_rules or deny_internet_inbound_rules(),
                tags=placement.tags,
                opts=child_opts(self._owner),
            )
            send_diagnostics(nsg, self._workspace_id, parent=self._owner)
        # Reserved subnets keep Azure's defaults; ours get no implicit Internet egress, and
        # NSGs and routes apply to their private endpoints too.
        reserved = subnet_name.startswith(RESERVED_SUBNET_PREFIX)
        subnet = network.Subnet(
            f"{logical_name}-snet",
            subnet_name=subnet_name,
            virtual_network_name=self._vnet_name,
            resource_group_name=placement.resource_group_name,
            address_prefix=prefix,
            network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id) if nsg else None,
            route_table=network.RouteTableArgs(id=route_table.id) if route_table else None,
            delegations=(
                [network.DelegationArgs(name=delegation.replace("/", "."), service_name=delegation)]
                if delegation
                else None
            ),
            default_outbound_access=None if reserved else False,
            private_endpoint_network_policies=(
                None if reserved else network.VirtualNetworkPrivateEndpointNetworkPolicies.ENABLED
            ),
            opts=child_opts(self._owner, depends_on=[self._previous] if self._previous else None),
        )
        self._previous = subnet
        return subnet
