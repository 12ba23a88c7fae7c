"""The hub's private DNS zones, those of every private-link service in the catalogue
(``policies.services``), each linked to the hub VNet.

Zones live once in the hub (ALZ practice); spokes link their VNets to the zones they resolve.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import privatedns

from components.shared import HlzModel, Placement, StrInput, child_opts
from policies.services import PRIVATE_DNS_ZONES


def all_zone_names() -> list[str]:
    """Every zone of the catalogue's private-link rows (``policies.services.PRIVATE_DNS_ZONES``),
    in the order the landing zone creates them."""
    return [zone for zones in PRIVATE_DNS_ZONES.values() for zone in zones]


def zone_role(zone_name: str) -> str:
    """Short logical-name fragment: ``privatelink.blob.core.windows.net`` -> ``blob-core``."""
    labels = zone_name.removeprefix("privatelink.").split(".")
    return "-".join(labels[:2])


class PrivateDnsZonesArgs(HlzModel):
    placement: Placement
    """Resource group and required tags of the zones and links (both global, so the
    location is not used)."""
    vnet_id: StrInput
    """The VNet every zone is linked to (the hub)."""
    vnet_link_name: str
    """Azure name of each zone's link (unique per zone)."""


class PrivateDnsZones(pulumi.ComponentResource):
    zone_ids: dict[str, pulumi.Output[str]]
    """Zone name -> zone id."""

    def __init__(
        self, name: str, args: PrivateDnsZonesArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:dns:PrivateDnsZones", name, None, opts)
        placement = args.placement
        self.zone_ids = {}
        for zone_name in all_zone_names():
            role = zone_role(zone_name)
            zone = privatedns.PrivateZone(
                f"{name}-{role}",
                private_zone_name=zone_name,
                resource_group_name=placement.resource_group_name,
                location="global",  # private DNS zones are global resources
                tags=placement.tags,
                opts=child_opts(self),
            )
            privatedns.VirtualNetworkLink(
                f"{name}-{role}-link",
                virtual_network_link_name=args.vnet_link_name,
                private_zone_name=zone.name,
                resource_group_name=placement.resource_group_name,
                location="global",
                virtual_network=privatedns.SubResourceArgs(id=args.vnet_id),
                # Auto-registration is for VM records; these zones hold only endpoint records.
                registration_enabled=False,
                tags=placement.tags,
                opts=child_opts(self),
            )
            self.zone_ids[zone_name] = zone.id
        self.register_outputs({"zone_ids": self.zone_ids})


def link_vnet_to_zones(
    name: str,
    *,
    zone_ids: dict[str, StrInput],
    zone_resource_group_name: StrInput,
    vnet_id: StrInput,
    link_name: str,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> list[privatedns.VirtualNetworkLink]:
    """Link another VNet (a spoke) to hub zones so its workloads resolve private endpoints."""
    links = []
    for zone_name in sorted(zone_ids):
        links.append(
            privatedns.VirtualNetworkLink(
                f"{name}-{zone_role(zone_name)}-link",
                virtual_network_link_name=link_name,
                private_zone_name=zone_name,
                resource_group_name=zone_resource_group_name,
                location="global",
                virtual_network=privatedns.SubResourceArgs(id=vnet_id),
                registration_enabled=False,
                tags=tags,
                opts=child_opts(parent),
            )
        )
    return links
