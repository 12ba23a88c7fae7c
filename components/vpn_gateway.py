"""A point-to-site VPN gateway in the hub: lab members reach private endpoints through the
platform, signing in with Entra ID (HIPAA 164.312(d) authentication, 164.312(e)(1) transmission
security).

| input              | derived                                                              |
|--------------------|----------------------------------------------------------------------|
| (always)           | a Standard, static, zone-redundant (zones 1, 2, 3) public IP          |
| (always)           | route-based VPN gateway, no BGP, not active-active, in GatewaySubnet |
| (always)           | point-to-site over OpenVPN only, Entra ID sign-in only, through the  |
|                    | Microsoft-registered Azure VPN Client (audience below)               |
| sku                | an AZ SKU only: non-AZ SKUs cannot be created since 1 January 2025   |
| client_address_pool| the addresses VPN clients get (outside the hub, spokes and on-prem)  |

Creating a gateway takes 45 minutes or more; its create, update and delete timeouts are longer.
It is billed per gateway-hour while it exists, whether anyone connects or not.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network

from components.diagnostics import send_diagnostics
from components.public_ip import standard_public_ip
from components.shared import DiagnosticsTarget, HlzModel, Placement, StrInput, child_opts
from components.specs import PrivateCidr
from policies.vocabulary import VpnGatewaySku

AZURE_VPN_CLIENT_AUDIENCE = "c632b3df-fb67-4d84-bdcf-b95ad541b5c8"
"""Application id of the Microsoft-registered Azure VPN Client, the ``aadAudience`` of a
point-to-site gateway using Entra ID
(https://learn.microsoft.com/azure/vpn-gateway/point-to-site-entra-gateway)."""

GATEWAY_GENERATION = "Generation1"
"""VpnGw1(AZ) is a Generation1 SKU (Generation2 starts at VpnGw2;
https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus)."""

VPN_GATEWAY_TIMEOUTS = pulumi.CustomTimeouts(create="90m", update="90m", delete="60m")
"""A VPN gateway takes 45 minutes or more to create (and to re-create on some updates)."""


class VpnGatewaySpec(HlzModel):
    """What a landing zone configures about its point-to-site VPN gateway."""

    sku: VpnGatewaySku = "VpnGw1AZ"
    """Gateway SKU (an AZ SKU; non-AZ SKUs cannot be created since 1 January 2025). Default:
    VpnGw1AZ (up to 250 OpenVPN point-to-site connections)."""
    client_address_pool: PrivateCidr
    """Private range VPN clients get their addresses from; must not overlap the hub, the spokes
    or any network the clients come from."""


class VpnGatewayArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the gateway and its public IP."""
    gateway_name: str
    """Azure name of the gateway (see components.naming)."""
    public_ip_name: str
    """Azure name of the gateway's Standard, static, zone-redundant public IP."""
    subnet_id: StrInput
    """The hub's GatewaySubnet."""
    spec: VpnGatewaySpec
    """SKU and client address pool."""
    tenant_id: StrInput
    """Entra tenant the VPN users sign in to (from the client config)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the gateway's and public IP's logs and metrics (HIPAA 164.312(b))."""


def entra_urls(tenant_id: StrInput) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    """``aadTenant`` and ``aadIssuer`` of ``tenant_id``."""
    tenant = pulumi.Output.from_input(tenant_id)
    return (
        tenant.apply(lambda tid: f"https://login.microsoftonline.com/{tid}/"),
        tenant.apply(lambda tid: f"https://sts.windows.net/{tid}/"),
    )


class VpnGateway(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: VpnGatewayArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("hlz:network:VpnGateway", name, None, opts)
        placement = args.placement
        workspace_id = args.diagnostics.workspace_id
        public_ip = standard_public_ip(
            f"{name}-pip",
            azure_name=args.public_ip_name,
            placement=placement,
            workspace_id=workspace_id,
            parent=self,
            zones=["1", "2", "3"],
        )
        aad_tenant, aad_issuer = entra_urls(args.tenant_id)
        sku = args.spec.sku
        gateway = network.VirtualNetworkGateway(
            f"{name}-gateway",
            virtual_network_gateway_name=args.gateway_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            gateway_type=network.VirtualNetworkGatewayType.VPN,
            vpn_type=network.VpnType.ROUTE_BASED,
            vpn_gateway_generation=GATEWAY_GENERATION,
            sku=network.VirtualNetworkGatewaySkuArgs(name=sku, tier=sku),
            active_active=False,
            enable_bgp=False,
            ip_configurations=[
                network.VirtualNetworkGatewayIPConfigurationArgs(
                    name="ipconfig",
                    subnet=network.SubResourceArgs(id=args.subnet_id),
                    public_ip_address=network.SubResourceArgs(id=public_ip.id),
                    private_ip_allocation_method=network.IPAllocationMethod.DYNAMIC,
                )
            ],
            vpn_client_configuration=network.VpnClientConfigurationArgs(
                vpn_client_address_pool=network.AddressSpaceArgs(
                    address_prefixes=[args.spec.client_address_pool]
                ),
                vpn_client_protocols=[network.VpnClientProtocol.OPEN_VPN],
                vpn_authentication_types=[network.VpnAuthenticationType.AAD],
                aad_tenant=aad_tenant,
                aad_issuer=aad_issuer,
                aad_audience=AZURE_VPN_CLIENT_AUDIENCE,
            ),
            tags=placement.tags,
            opts=child_opts(self, custom_timeouts=VPN_GATEWAY_TIMEOUTS),
        )
        send_diagnostics(gateway, workspace_id, parent=self)
        self.gateway = gateway
        self.id = gateway.id
        self.name = gateway.name
        self.register_outputs({"id": self.id, "name": self.name})
