"""The public IP Azure Firewall, Bastion and VPN gateways require: Standard SKU, static, with
its logs and metrics (DDoS events among them) sent to the central workspace."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network

from components.diagnostics import send_diagnostics
from components.shared import Placement, StrInput, child_opts


def standard_public_ip(
    logical_name: str,
    *,
    azure_name: str,
    placement: Placement,
    workspace_id: StrInput,
    parent: pulumi.Resource,
    zones: list[str] | None = None,
) -> network.PublicIPAddress:
    """A Standard, static public IP as a child of ``parent``; ``zones`` makes it zonal or
    zone-redundant (a VPN gateway's AZ SKU needs zones 1, 2 and 3)."""
    public_ip = network.PublicIPAddress(
        logical_name,
        public_ip_address_name=azure_name,
        resource_group_name=placement.resource_group_name,
        location=placement.location,
        sku=network.PublicIPAddressSkuArgs(
            name=network.PublicIPAddressSkuName.STANDARD,
            tier=network.PublicIPAddressSkuTier.REGIONAL,
        ),
        public_ip_allocation_method=network.IPAllocationMethod.STATIC,
        zones=zones,
        tags=placement.tags,
        opts=child_opts(parent),
    )
    send_diagnostics(public_ip, workspace_id, parent=parent)
    return public_ip
