"""The hub VNet: subnets with NSGs, forced tunnelling to the firewall, Bastion, DDoS plan.

| input                        | derived                                                         |
|------------------------------|-----------------------------------------------------------------|
| firewall set                 | route table 0.0.0.0/0 -> firewall private IP on shared-services |
| firewall tier Basic          | AzureFirewallManagementSubnet (prefix required)                 |
| bastion set                  | AzureBastionSubnet with the NSG rule set Bastion requires       |
| bastion_native_client_       | (Standard Bastion only) native client support; the reason as    |
| override set                 | the host tag ``hlz-override-bastion-native-client``             |
| firewall and                 | the firewall policy lets those ranges alone reach the hosts of  |
| spoke_address_spaces set     | ``LAB_PLATFORM_EGRESS`` (components.firewall)                   |
| (default)                    | a DDoS protection plan attached to the VNet (~$3k/month)        |
| ddos_protection_override     | no plan; the reason as the VNet tag                             |
|                              | ``hlz-override-ddos-protection``                                |
| every subnet Azure allows    | an NSG denying inbound from the Internet                        |
| vpn_gateway set              | GatewaySubnet (no NSG) and a point-to-site VPN gateway with     |
|                              | Entra ID sign-in (components.vpn_gateway)                       |
| dns_resolver set             | two subnets delegated to Microsoft.Network/dnsResolvers (each   |
|                              | behind an NSG denying Internet inbound, no route table) and a   |
|                              | DNS Private Resolver with a forwarding ruleset                  |
|                              | (components.dns_resolver)                                       |

Subnets are separate resources (never inline on the VNet: mixing both causes replace churn)
and created one after another, because Azure rejects concurrent subnet writes on one VNet
(AnotherOperationInProgress).
"""

from __future__ import annotations

from typing import Annotated, Literal

import pulumi
from pulumi_azure_native import network
from pydantic import Field, model_validator

from components.bastion import Bastion, BastionArgs, native_client_problem
from components.diagnostics import send_diagnostics
from components.dns_resolver import DnsResolver, DnsResolverArgs, DnsResolverSpec, loop_problems
from components.firewall import Firewall, FirewallArgs, FirewallTier
from components.naming import Namer
from components.network_security import bastion_rules, deny_internet_inbound_rules
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Override,
    Placement,
    StrInput,
    child_opts,
    override_tags,
)
from components.specs import PrivateCidr, at_least, at_most
from components.subnets import SubnetChain, default_route_to_firewall
from components.vpn_gateway import VpnGateway, VpnGatewayArgs, VpnGatewaySpec
from policies.vocabulary import (
    DNS_RESOLVER_DELEGATION,
    DNS_RESOLVER_SUBNET_PREFIXES,
    SUBNETS_WITHOUT_NSG,
)

# Subnet names Azure reserves; the firewall ones refuse an NSG.
FIREWALL_SUBNET = "AzureFirewallSubnet"
FIREWALL_MANAGEMENT_SUBNET = "AzureFirewallManagementSubnet"
BASTION_SUBNET = "AzureBastionSubnet"
GATEWAY_SUBNET = "GatewaySubnet"


ReservedSubnet = Annotated[PrivateCidr, at_least(26)]
"""A subnet Azure reserves for a service (firewall, firewall management, Bastion): /26 or
larger."""

_LARGEST, _SMALLEST = DNS_RESOLVER_SUBNET_PREFIXES
DnsResolverSubnet = Annotated[
    PrivateCidr,
    at_least(_SMALLEST, "a DNS resolver endpoint needs"),
    at_most(_LARGEST, "Azure allows for a DNS resolver endpoint"),
]
"""A subnet given whole to one DNS resolver endpoint: /28 to /24
(https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions)."""


class HubSubnetPrefixes(HlzModel):
    """Address prefix (CIDR) of each hub subnet, inside the hub's address space."""

    firewall: ReservedSubnet | None = None
    """AzureFirewallSubnet prefix (/26 or larger). Required when a firewall is deployed."""
    firewall_management: ReservedSubnet | None = None
    """AzureFirewallManagementSubnet prefix (/26 or larger). Required for the Basic firewall
    tier."""
    bastion: ReservedSubnet | None = None
    """AzureBastionSubnet prefix (/26 or larger). Required when Bastion is deployed."""
    gateway: (
        Annotated[
            PrivateCidr,
            at_least(27, "Microsoft recommends (room for the gateway's instances and features)"),
        ]
        | None
    ) = None
    """GatewaySubnet prefix (/27 or larger, as Microsoft recommends; no NSG). Required when a
    VPN gateway is deployed
    (https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub)."""
    shared_services: PrivateCidr
    """Shared-services subnet prefix (DNS forwarders, jump hosts; egress forced through the
    firewall)."""
    private_endpoints: PrivateCidr
    """Subnet for the landing zone's private endpoints."""
    dns_resolver_inbound: DnsResolverSubnet | None = None
    """Subnet of the DNS Private Resolver's inbound endpoint (/28 to /24, delegated to
    Microsoft.Network/dnsResolvers, nothing else in it). Required with a DNS resolver; its
    fifth address is the endpoint's (what on-premises DNS servers forward to)."""
    dns_resolver_outbound: DnsResolverSubnet | None = None
    """Subnet of the DNS Private Resolver's outbound endpoint (/28 to /24, delegated likewise).
    Required with a DNS resolver."""

    def missing(
        self,
        firewall_tier: FirewallTier | None,
        bastion: bool,
        vpn_gateway: bool = False,
        dns_resolver: bool = False,
    ) -> list[tuple[str, str]]:
        """``(field, why)`` for each reserved subnet the deployed services need but that has
        no prefix; the one statement of which service needs which subnet."""
        missing = []
        if firewall_tier is not None and self.firewall is None:
            missing.append(("firewall", "required when a firewall is deployed"))
        if firewall_tier == "Basic" and self.firewall_management is None:
            missing.append(("firewall_management", "required for the Basic firewall tier"))
        if bastion and self.bastion is None:
            missing.append(("bastion", "required when Bastion is deployed"))
        if vpn_gateway and self.gateway is None:
            missing.append(("gateway", "required when a VPN gateway is deployed"))
        if dns_resolver:
            missing += [
                (field, "required when a DNS resolver is deployed")
                for field in ("dns_resolver_inbound", "dns_resolver_outbound")
                if getattr(self, field) is None
            ]
        return missing


class HubNetworkArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of every child."""
    namer: Namer
    """Builds the Azure name of every child (``<abbreviation>-<prefix>-<role>``)."""
    address_space: PrivateCidr
    """The hub VNet's address range (CIDR); must contain every subnet prefix."""
    subnets: HubSubnetPrefixes
    """Prefix of each hub subnet; a reserved subnet's prefix is required when its service
    is deployed (checked before anything is created)."""
    firewall_tier: FirewallTier | None = "Standard"
    """Default: Standard. None means no firewall (lab only; egress then is Azure's default)."""
    bastion_sku: Literal["Basic", "Standard"] | None = "Standard"
    """Default: Standard (session controls). None means no Bastion."""
    bastion_native_client_override: Override | None = None
    """Default: None — the Bastion has no native client support (members connect from the
    Azure portal). With an override (Standard Bastion only) it has, and the reason is written
    to the host as the tag ``hlz-override-bastion-native-client`` (components.bastion)."""
    spoke_address_spaces: list[PrivateCidr] = Field(default_factory=list)
    """Default: [] — the firewall lets nothing out. The AI lab spokes' address spaces: the
    firewall policy lets these ranges alone reach what the platform's components in them need
    (``components.firewall.LAB_PLATFORM_EGRESS``)."""
    ddos_protection_override: Override | None = None
    """Default: None — a DDoS protection plan protects the hub's public IPs. With an override
    there is no plan, and its reason is written to the VNet as the tag
    ``hlz-override-ddos-protection`` (the lab profile sets one: the plan costs ~$3k/month)."""
    vpn_gateway: VpnGatewaySpec | None = None
    """Default: None — no VPN gateway. Set, a point-to-site VPN gateway in GatewaySubnet lets
    lab members reach private endpoints with Entra ID sign-in (``tenant_id`` required)."""
    tenant_id: StrInput | None = None
    """Entra tenant of the VPN users (from the client config); required with ``vpn_gateway``."""
    dns_resolver: DnsResolverSpec | None = None
    """Default: None — no DNS Private Resolver. Set, a resolver in the two
    ``subnets.dns_resolver_*`` subnets answers on-premises DNS servers for Azure's private
    names and forwards the configured on-premises domains (components.dns_resolver)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the logs and metrics of the VNet, NSGs, firewall, Bastion and VPN
    gateway (HIPAA 164.312(b))."""

    @model_validator(mode="after")
    def _reserved_subnets_present(self) -> HubNetworkArgs:
        if self.vpn_gateway is not None and self.tenant_id is None:
            raise ValueError("tenant_id is required with vpn_gateway (Entra ID sign-in)")
        if self.bastion_native_client_override is not None:
            if self.bastion_sku is None:
                raise ValueError("bastion_native_client_override needs a Bastion (bastion_sku)")
            problem = native_client_problem(self.bastion_sku)
            if problem is not None:
                raise ValueError(f"bastion_native_client_override: {problem}")
        missing = self.subnets.missing(
            self.firewall_tier,
            self.bastion_sku is not None,
            self.vpn_gateway is not None,
            self.dns_resolver is not None,
        )
        if missing:
            raise ValueError(
                "missing subnet prefixes: "
                + "; ".join(f"subnets.{field} ({why})" for field, why in missing)
            )
        inbound = self.subnets.dns_resolver_inbound
        if self.dns_resolver is not None and inbound is not None:
            loops = loop_problems(self.dns_resolver, inbound)
            if loops:
                raise ValueError(
                    "; ".join(
                        f"dns_resolver.forwarding_rules[{rule}].targets[{target}].ip: {why}"
                        for rule, target, why in loops
                    )
                )
        return self


CHILD_NAMES = (
    ("ddos_plan", "hub"),
    ("virtual_network", "hub"),
    ("firewall", "hub"),
    ("firewall_policy", "hub"),
    ("public_ip", "firewall"),
    ("route_table", "hub-egress"),
    ("bastion", "hub"),
    ("public_ip", "bastion"),
    ("virtual_network_gateway", "hub"),
    ("public_ip", "vpn-gateway"),
    ("subnet", "private-endpoints"),
    ("subnet", "shared-services"),
    ("network_security_group", "hub-private-endpoints"),
    ("network_security_group", "hub-shared-services"),
    ("network_security_group", "hub-bastion"),
    ("subnet", "dns-inbound"),
    ("subnet", "dns-outbound"),
    ("network_security_group", "hub-dns-inbound"),
    ("network_security_group", "hub-dns-outbound"),
    ("dns_resolver", "hub"),
    ("dns_resolver_inbound_endpoint", "hub"),
    ("dns_resolver_outbound_endpoint", "hub"),
    ("dns_forwarding_ruleset", "hub"),
)
"""``(kind, role)`` of every name a hub may create (whichever services are on)."""


class HubNetwork(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]
    firewall_private_ip: pulumi.Output[str] | None

    def __init__(self, name: str, args: HubNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        # Every child's name is checked before anything is registered.
        args.namer.names(CHILD_NAMES, "HubNetworkArgs.namer")
        super().__init__("hlz:network:HubNetwork", name, None, opts)
        placement = args.placement
        namer = args.namer
        workspace_id = args.diagnostics.workspace_id

        ddos_plan = None
        if args.ddos_protection_override is None:
            ddos_plan = network.DdosProtectionPlan(
                f"{name}-ddos",
                ddos_protection_plan_name=namer.name("ddos_plan", "hub"),
                resource_group_name=placement.resource_group_name,
                location=placement.location,
                tags=placement.tags,
                opts=child_opts(self),
            )
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=namer.name("virtual_network", "hub"),
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            enable_ddos_protection=ddos_plan is not None,
            ddos_protection_plan=network.SubResourceArgs(id=ddos_plan.id) if ddos_plan else None,
            tags=placement.tags_with(
                override_tags(ddos_protection=args.ddos_protection_override)
                if ddos_plan is None
                else None
            ),
            opts=child_opts(self),
        )
        send_diagnostics(vnet, workspace_id, parent=self)

        self._subnets = SubnetChain(
            self, vnet_name=vnet.name, placement=placement, workspace_id=workspace_id
        )
        self.subnet_ids = {}
        prefixes = args.subnets

        firewall_subnet = management_subnet = bastion_subnet = None
        if args.firewall_tier is not None:
            firewall_subnet = self._subnet(
                name, "firewall", FIREWALL_SUBNET, prefixes.firewall, args
            )
            if args.firewall_tier == "Basic":
                management_subnet = self._subnet(
                    name,
                    "firewall-mgmt",
                    FIREWALL_MANAGEMENT_SUBNET,
                    prefixes.firewall_management,
                    args,
                )
        if args.bastion_sku is not None:
            bastion_subnet = self._subnet(
                name, "bastion", BASTION_SUBNET, prefixes.bastion, args, nsg_rules=bastion_rules()
            )
        private_endpoint_subnet = self._subnet(
            name,
            "private-endpoints",
            namer.name("subnet", "private-endpoints"),
            prefixes.private_endpoints,
            args,
            nsg_rules=deny_internet_inbound_rules(),
        )

        self.firewall_private_ip = None
        route_table = None
        if firewall_subnet is not None:
            firewall = Firewall(
                f"{name}-firewall",
                FirewallArgs(
                    placement=placement,
                    firewall_name=namer.name("firewall", "hub"),
                    policy_name=namer.name("firewall_policy", "hub"),
                    public_ip_name=namer.name("public_ip", "firewall"),
                    tier=args.firewall_tier or "Standard",
                    subnet_id=firewall_subnet.id,
                    management_subnet_id=management_subnet.id if management_subnet else None,
                    diagnostics=args.diagnostics,
                    lab_egress_sources=args.spoke_address_spaces,
                ),
                opts=child_opts(self),
            )
            self.firewall = firewall
            self.firewall_private_ip = firewall.private_ip
            route_table = default_route_to_firewall(
                f"{name}-rt",
                route_table_name=namer.name("route_table", "hub-egress"),
                route_name="default-to-firewall",
                firewall_ip=firewall.private_ip,
                placement=placement,
                parent=self,
            )
        shared_subnet = self._subnet(
            name,
            "shared-services",
            namer.name("subnet", "shared-services"),
            prefixes.shared_services,
            args,
            nsg_rules=deny_internet_inbound_rules(),
            route_table=route_table,
        )

        if bastion_subnet is not None:
            self.bastion = Bastion(
                f"{name}-bastion",
                BastionArgs(
                    placement=placement,
                    bastion_name=namer.name("bastion", "hub"),
                    public_ip_name=namer.name("public_ip", "bastion"),
                    subnet_id=bastion_subnet.id,
                    sku=args.bastion_sku or "Standard",
                    native_client_override=args.bastion_native_client_override,
                    diagnostics=args.diagnostics,
                ),
                opts=child_opts(self, depends_on=[shared_subnet]),
            )

        self.vpn_gateway = None
        if args.vpn_gateway is not None:
            gateway_subnet = self._subnet(name, "gateway", GATEWAY_SUBNET, prefixes.gateway, args)
            self.vpn_gateway = VpnGateway(
                f"{name}-vpn",
                VpnGatewayArgs(
                    placement=placement,
                    gateway_name=namer.name("virtual_network_gateway", "hub"),
                    public_ip_name=namer.name("public_ip", "vpn-gateway"),
                    subnet_id=gateway_subnet.id,
                    spec=args.vpn_gateway,
                    tenant_id=args.tenant_id or "",
                    diagnostics=args.diagnostics,
                ),
                opts=child_opts(self),
            )

        self.dns_resolver = None
        if args.dns_resolver is not None:
            self.dns_resolver = self._dns_resolver(name, vnet, args.dns_resolver, args)

        self.vnet = vnet
        self.ddos_plan = ddos_plan
        self.private_endpoint_subnet_id = private_endpoint_subnet.id
        self.id = vnet.id
        self.name = vnet.name
        outputs: dict[str, object] = {
            "id": self.id,
            "name": self.name,
            "subnet_ids": self.subnet_ids,
        }
        if self.firewall_private_ip is not None:
            outputs["firewall_private_ip"] = self.firewall_private_ip
        self.register_outputs(outputs)

    def _dns_resolver(
        self,
        name: str,
        vnet: network.VirtualNetwork,
        spec: DnsResolverSpec,
        args: HubNetworkArgs,
    ) -> DnsResolver:
        """The resolver's two subnets, last in the subnet chain, and the resolver. Delegated
        subnets keep the hub's NSG (Internet inbound denied; on-premises and VPN clients reach
        the inbound endpoint as VirtualNetwork traffic) and get no route table: the outbound
        endpoint reaches on-premises DNS servers over the gateway's routes, which the hub's
        forced-tunnel table (BGP propagation off) would drop."""
        namer = args.namer
        prefixes = args.subnets
        subnets = {
            role: self._subnet(
                name,
                role,
                namer.name("subnet", role),
                prefix,
                args,
                nsg_rules=deny_internet_inbound_rules(),
                delegation=DNS_RESOLVER_DELEGATION,
            )
            for role, prefix in (
                ("dns-inbound", prefixes.dns_resolver_inbound),
                ("dns-outbound", prefixes.dns_resolver_outbound),
            )
        }
        return DnsResolver(
            f"{name}-dns",
            DnsResolverArgs(
                placement=args.placement,
                resolver_name=namer.name("dns_resolver", "hub"),
                inbound_endpoint_name=namer.name("dns_resolver_inbound_endpoint", "hub"),
                outbound_endpoint_name=namer.name("dns_resolver_outbound_endpoint", "hub"),
                ruleset_name=namer.name("dns_forwarding_ruleset", "hub"),
                hub_link_name=namer.name("virtual_network", "hub"),
                virtual_network_id=vnet.id,
                inbound_subnet_id=subnets["dns-inbound"].id,
                inbound_subnet_prefix=prefixes.dns_resolver_inbound or "",
                outbound_subnet_id=subnets["dns-outbound"].id,
                spec=spec,
            ),
            opts=child_opts(self),
            after=subnets["dns-outbound"],
        )

    def _subnet(
        self,
        name: str,
        role: str,
        azure_name: str,
        prefix: str | None,
        args: HubNetworkArgs,
        nsg_rules: list[network.SecurityRuleArgs] | None = None,
        route_table: network.RouteTable | None = None,
        delegation: str | None = None,
    ) -> network.Subnet:
        if prefix is None:
            raise ValueError(f"hub subnet '{role}' needs an address prefix")
        nsg_name = (
            None
            if azure_name in SUBNETS_WITHOUT_NSG
            else args.namer.name("network_security_group", f"hub-{role}")
        )
        subnet = self._subnets.add(
            f"{name}-{role}",
            subnet_name=azure_name,
            prefix=prefix,
            nsg_name=nsg_name,
            nsg_rules=nsg_rules,
            route_table=route_table,
            delegation=delegation,
        )
        self.subnet_ids[role] = subnet.id
        return subnet
