"""A private endpoint with exactly one DNS zone group (HIPAA 164.312(e)(1): PaaS traffic stays
on the private network and resolves to private addresses)."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network
from pydantic import Field, field_validator

from components.shared import HlzModel, Placement, PrivateLinkTarget, StrInput, child_opts

# Azure accepts one zone group per endpoint with at most five zone configs
# (pulumi-azure-native#2179).
MAX_ZONE_CONFIGS = 5


class PrivateEndpointArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the endpoint (same region as the subnet)."""
    endpoint_name: str
    """Azure name of the endpoint (see components.naming)."""
    target_id: StrInput
    """Resource id of the PaaS resource the endpoint connects to."""
    group_id: str
    """Private-link sub-resource, e.g. ``vault``, ``account``, ``blob``, ``healthcareworkspace``."""
    subnet_id: StrInput
    """Subnet the endpoint's network interface is placed in."""
    dns_zone_ids: dict[str, StrInput] = Field(min_length=1)
    """Private DNS zone name -> zone id; each becomes one named config of the single zone group."""

    @field_validator("dns_zone_ids")
    @classmethod
    def _at_most_five_zones(cls, value: dict[str, StrInput]) -> dict[str, StrInput]:
        if len(value) > MAX_ZONE_CONFIGS:
            raise ValueError(
                f"{len(value)} DNS zones given; a private endpoint's zone group holds at most "
                f"{MAX_ZONE_CONFIGS}"
            )
        return value


def zone_config_name(zone_name: str) -> str:
    """Config names must be unique in the group and may not contain dots."""
    return zone_name.replace(".", "-")


class PrivateEndpoint(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: PrivateEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:network:PrivateEndpoint", name, None, opts)
        placement = args.placement
        endpoint = network.PrivateEndpoint(
            f"{name}-pe",
            private_endpoint_name=args.endpoint_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            subnet=network.SubnetArgs(id=args.subnet_id),
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=f"{args.endpoint_name}-{args.group_id}",
                    private_link_service_id=args.target_id,
                    group_ids=[args.group_id],
                )
            ],
            custom_network_interface_name=f"{args.endpoint_name}-nic",
            tags=placement.tags,
            opts=child_opts(self),
        )
        self.zone_group = network.PrivateDnsZoneGroup(
            f"{name}-dns",
            private_dns_zone_group_name="default",
            private_endpoint_name=endpoint.name,
            resource_group_name=placement.resource_group_name,
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(
                    name=zone_config_name(zone_name), private_dns_zone_id=zone_id
                )
                for zone_name, zone_id in sorted(args.dns_zone_ids.items())
            ],
            opts=child_opts(self),
        )
        self.endpoint = endpoint
        self.id = endpoint.id
        self.name = endpoint.name
        self.register_outputs({"id": self.id, "name": self.name})


def connect_privately(
    parent: pulumi.Resource,
    name: str,
    *,
    placement: Placement,
    endpoint_name: str,
    target_id: StrInput,
    group_id: str,
    private_link: PrivateLinkTarget,
    dns_zone_ids: dict[str, StrInput],
) -> PrivateEndpoint:
    """The private endpoint of a component's PaaS resource ``target_id`` (its sub-resource
    ``group_id``), in the component's private-link subnet, as a child of the component."""
    return PrivateEndpoint(
        name,
        PrivateEndpointArgs(
            placement=placement,
            endpoint_name=endpoint_name,
            target_id=target_id,
            group_id=group_id,
            subnet_id=private_link.subnet_id,
            dns_zone_ids=dns_zone_ids,
        ),
        opts=child_opts(parent),
    )
