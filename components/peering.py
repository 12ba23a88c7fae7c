"""One direction of a VNet peering. Used twice per spoke (spoke -> hub, hub -> spoke), as ALZ
does, so each side's settings are explicit and can differ."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network

from components.shared import HlzModel, StrInput, child_opts


class VnetPeeringArgs(HlzModel):
    resource_group_name: StrInput
    """Resource group of the local VNet."""
    local_vnet_name: StrInput
    """The VNet this direction of the peering starts from."""
    remote_vnet_id: StrInput
    """Resource id of the VNet it peers with."""
    peering_name: str
    """Azure name of the peering (unique among the local VNet's peerings)."""
    allow_forwarded_traffic: bool = True
    """Default: True — traffic the hub firewall forwards must reach the spoke."""


class VnetPeering(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str | None]
    """Peering names are optional in this API version's output type."""

    def __init__(
        self, name: str, args: VnetPeeringArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:network:VnetPeering", name, None, opts)
        peering = network.VirtualNetworkPeering(
            f"{name}-peering",
            virtual_network_peering_name=args.peering_name,
            virtual_network_name=args.local_vnet_name,
            resource_group_name=args.resource_group_name,
            remote_virtual_network=network.SubResourceArgs(id=args.remote_vnet_id),
            allow_virtual_network_access=True,
            allow_forwarded_traffic=args.allow_forwarded_traffic,
            # No VPN/ExpressRoute gateway in the hub yet: neither side offers or uses transit.
            allow_gateway_transit=False,
            use_remote_gateways=False,
            opts=child_opts(self),
        )
        self.id = peering.id
        self.name = peering.name
        self.register_outputs({"id": self.id, "name": self.name})
