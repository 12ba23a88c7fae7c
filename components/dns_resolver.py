"""Azure DNS Private Resolver in the hub: an on-premises clinician's machine (over VPN or
ExpressRoute) resolves the private endpoints' names through its inbound endpoint, and Azure
resolves on-premises names through its outbound endpoint and a forwarding ruleset (HIPAA
164.312(e)(1): names of internal systems are asked and answered on private paths only).

| input                  | derived                                                           |
|------------------------|-------------------------------------------------------------------|
| virtual_network_id     | the resolver, in the hub VNet (Azure allows one resolver per VNet)|
| inbound_subnet_prefix  | the inbound endpoint's Static private IP: the subnet's fifth      |
|                        | address (Azure reserves the first four), the one Dynamic would    |
|                        | typically pick, but fixed: on-premises DNS servers can be pointed |
|                        | at it before deployment, and it never moves when the endpoint is  |
|                        | re-created (a Dynamic address may)                                |
| outbound_subnet_id     | the outbound endpoint                                             |
| (always)               | a forwarding ruleset on the outbound endpoint, linked to the hub  |
|                        | VNet (``hub_link_name``); AI lab spokes link themselves           |
|                        | (``DnsForwardingRulesetLink``)                                    |
| spec.forwarding_rules  | one Enabled rule per domain, named ``fwd-<domain labels>``, to    |
|                        | private (RFC 1918) DNS servers only; none may sit in the inbound  |
|                        | subnet: the ruleset is linked to the hub, so a rule pointing at   |
|                        | the inbound endpoint would loop (Learn, "Rules")                  |
| (always)               | no diagnostic setting: Azure accepts none on these types (metrics |
|                        | only, none exportable; ``policies.services``)                     |

API version. pulumi-azure-native 3.29.0's typed ``dnsresolver`` module sends the preview API
2023-07-01-preview for every type, whose type definitions are not vendored here (and a preview
API is no footing for a PHI landing zone). The GA API 2025-05-01 is, with Azure's type
definitions vendored at ``hlz/schema/bicep-types/microsoft.network/2025-05-01/types.json``
(dnsResolvers, their inbound and outbound endpoints, dnsForwardingRulesets, their forwarding
rules and virtual network links). So every resource here is the SDK's generic
``resources.Resource`` at ``DNS_RESOLVER_API_VERSION``, with ARM-shaped ``properties``, exactly
as ``components.health_data`` declares its workspace: ``hlz plan`` checks each against those
definitions, ``tools/refresh_bicep_types.py`` lists each (ARM type, version) in
``GENERIC_TARGETS`` (``--check`` fails if one goes missing), and the policy pack judges each as
the typed token of its ARM type (catalogue rows with ``validated=False``, ``policies.normalise``).

Children are named by their parents' known names (``parentResourcePath``), not by outputs, so a
preview can check them; ``depends_on`` keeps Azure's order. They are created one after another
(resolver, inbound endpoint, outbound endpoint, ruleset, rules, links), as the hub creates its
subnets: nothing documents that concurrent writes under one resolver or ruleset succeed.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any

import pulumi
from pulumi_azure_native import resources
from pydantic import AfterValidator, Field, field_validator, model_validator

from components.shared import HlzModel, Placement, StrInput, child_opts
from components.specs import PrivateCidr, PrivateIp
from policies.vocabulary import (
    DNS_FORWARDING_RULE_MAX_TARGETS,
    DNS_FORWARDING_RULESET_MAX_RULES,
    forwarding_domain_problem,
)

DNS_RESOLVER_API_VERSION = "2025-05-01"
"""The GA REST API version every DNS Private Resolver resource is created with (see above)."""
NAMESPACE = "Microsoft.Network"
DNS_PORT = 53
INBOUND_IP_OFFSET = 4
"""Azure reserves the first four addresses of a subnet (network, gateway, two for Azure DNS);
the inbound endpoint takes the first one it may have."""

GENERIC_TYPES = (
    "dnsResolvers",
    "dnsResolvers/inboundEndpoints",
    "dnsResolvers/outboundEndpoints",
    "dnsForwardingRulesets",
    "dnsForwardingRulesets/forwardingRules",
    "dnsForwardingRulesets/virtualNetworkLinks",
)
"""The Microsoft.Network types created as generic resources at ``DNS_RESOLVER_API_VERSION``
(``tools/refresh_bicep_types.py`` GENERIC_TARGETS holds the same list; a test compares them)."""


def _domain(value: str) -> str:
    problem = forwarding_domain_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


ForwardingDomain = Annotated[str, AfterValidator(_domain)]
"""A dot-terminated DNS domain (``corp.example.org.``), or ``.`` for every name."""


class DnsTarget(HlzModel):
    """A DNS server a forwarding rule sends the domain's queries to."""

    ip: PrivateIp
    """Private (RFC 1918) IPv4 address of the server, usually an on-premises DNS server reached
    over VPN or ExpressRoute. Never a public resolver: the queries name internal systems."""
    port: int = Field(default=DNS_PORT, ge=1, le=65535, strict=True)
    """Default: 53, the DNS port."""


class ForwardingRuleSpec(HlzModel):
    """Queries for one domain (and every name below it) go to these DNS servers."""

    domain: ForwardingDomain
    """The dot-terminated domain, e.g. ``corp.example.org.`` (1-34 labels), or ``.`` for every
    name Azure DNS does not answer itself."""
    targets: list[DnsTarget] = Field(min_length=1, max_length=DNS_FORWARDING_RULE_MAX_TARGETS)
    """1 to 6 DNS servers, tried in order (the first that answers is used)."""


class DnsResolverSpec(HlzModel):
    """What a landing zone configures about its DNS Private Resolver."""

    forwarding_rules: list[ForwardingRuleSpec] = Field(
        default_factory=list, max_length=DNS_FORWARDING_RULESET_MAX_RULES
    )
    """Default: [] — the resolver only answers on-premises queries for Azure's names. Each rule
    forwards one on-premises domain from the hub and the linked spokes; each domain once."""

    @field_validator("forwarding_rules")
    @classmethod
    def _each_domain_once(cls, rules: list[ForwardingRuleSpec]) -> list[ForwardingRuleSpec]:
        first: dict[str, int] = {}
        for index, rule in enumerate(rules):
            seen = first.setdefault(rule.domain.casefold(), index)
            if seen != index:
                raise ValueError(
                    f"[{index}].domain '{rule.domain}' is forwarded twice (first at [{seen}])"
                )
        return rules


def rule_name(domain: str) -> str:
    """``fwd-corp-example-org`` for ``corp.example.org.``: starts with a letter and holds only
    letters, digits and hyphens, as Learn asks of rule names; ``fwd-all`` for ``.``."""
    labels = re.sub(r"[^a-z0-9-]", "-", domain.rstrip(".").casefold())
    return f"fwd-{labels.strip('-') or 'all'}"


def inbound_ip(prefix: str) -> str:
    """The inbound endpoint's address in ``prefix``: its first address Azure does not reserve."""
    return str(ipaddress.IPv4Network(prefix)[INBOUND_IP_OFFSET])


def loop_problems(spec: DnsResolverSpec, inbound_prefix: str) -> list[tuple[int, int, str]]:
    """``(rule, target, why)`` for each target inside the inbound endpoint's subnet: the ruleset
    is linked to the hub, where such a rule would send queries back to the resolver."""
    subnet = ipaddress.IPv4Network(inbound_prefix)
    return [
        (
            rule_index,
            target_index,
            f"{target.ip} is in the DNS resolver's inbound subnet ({inbound_prefix}); the ruleset "
            "is linked to the hub, so forwarding to the inbound endpoint would loop",
        )
        for rule_index, rule in enumerate(spec.forwarding_rules)
        for target_index, target in enumerate(rule.targets)
        if ipaddress.IPv4Address(target.ip) in subnet
    ]


class DnsResolverArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the resolver, endpoints and ruleset."""
    resolver_name: str
    """Azure name of the resolver (see components.naming)."""
    inbound_endpoint_name: str
    """Azure name of the inbound endpoint."""
    outbound_endpoint_name: str
    """Azure name of the outbound endpoint."""
    ruleset_name: str
    """Azure name of the forwarding ruleset."""
    hub_link_name: str
    """Name of the ruleset's link to the hub VNet."""
    virtual_network_id: StrInput
    """The hub VNet the resolver serves."""
    inbound_subnet_id: StrInput
    """The hub subnet delegated to the inbound endpoint."""
    inbound_subnet_prefix: PrivateCidr
    """That subnet's prefix: the endpoint's Static address is derived from it."""
    outbound_subnet_id: StrInput
    """The hub subnet delegated to the outbound endpoint."""
    spec: DnsResolverSpec
    """The forwarding rules."""

    @model_validator(mode="after")
    def _no_forwarding_loop(self) -> DnsResolverArgs:
        problems = loop_problems(self.spec, self.inbound_subnet_prefix)
        if problems:
            raise ValueError(
                "; ".join(
                    f"spec.forwarding_rules[{rule}].targets[{target}].ip: {why}"
                    for rule, target, why in problems
                )
            )
        return self

    @property
    def inbound_ip(self) -> str:
        return inbound_ip(self.inbound_subnet_prefix)


def _generic(
    logical_name: str,
    *,
    resource_type: str,
    name: str,
    properties: dict[str, Any],
    resource_group_name: StrInput,
    parent_path: str = "",
    placement: Placement | None = None,
    opts: pulumi.ResourceOptions,
) -> resources.Resource:
    """One Microsoft.Network resource at ``DNS_RESOLVER_API_VERSION``. ``placement`` for a
    tracked type (location and tags); None for forwarding rules and ruleset links, which have
    neither."""
    return resources.Resource(
        logical_name,
        resource_provider_namespace=NAMESPACE,
        parent_resource_path=parent_path,
        resource_type=resource_type,
        api_version=DNS_RESOLVER_API_VERSION,
        resource_name_=name,
        resource_group_name=resource_group_name,
        location=placement.location if placement else None,
        tags=placement.tags if placement else None,
        properties=properties,
        opts=opts,
    )


class DnsResolver(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    inbound_ip: str
    """The inbound endpoint's address, known before deployment (what on-premises DNS servers
    forward the private endpoints' zones to)."""
    ruleset_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: DnsResolverArgs,
        opts: pulumi.ResourceOptions | None = None,
        after: pulumi.Resource | None = None,
    ):
        """``after``: what the resolver waits for, such as the VNet's last subnet: endpoints
        attach to their subnets, so they are kept clear of the VNet's subnet writes, which
        Azure refuses to run concurrently (components.subnets)."""
        super().__init__("hlz:network:DnsResolver", name, None, opts)
        placement = args.placement
        group = placement.resource_group_name
        resolver = _generic(
            f"{name}-resolver",
            resource_type="dnsResolvers",
            name=args.resolver_name,
            properties={"virtualNetwork": {"id": args.virtual_network_id}},
            resource_group_name=group,
            placement=placement,
            opts=child_opts(self, depends_on=[after] if after is not None else None),
        )
        under_resolver = f"dnsResolvers/{args.resolver_name}"
        inbound = _generic(
            f"{name}-inbound",
            resource_type="inboundEndpoints",
            name=args.inbound_endpoint_name,
            parent_path=under_resolver,
            properties={
                "ipConfigurations": [
                    {
                        "subnet": {"id": args.inbound_subnet_id},
                        "privateIpAllocationMethod": "Static",
                        "privateIpAddress": args.inbound_ip,
                    }
                ]
            },
            resource_group_name=group,
            placement=placement,
            opts=child_opts(self, depends_on=[resolver]),
        )
        outbound = _generic(
            f"{name}-outbound",
            resource_type="outboundEndpoints",
            name=args.outbound_endpoint_name,
            parent_path=under_resolver,
            properties={"subnet": {"id": args.outbound_subnet_id}},
            resource_group_name=group,
            placement=placement,
            opts=child_opts(self, depends_on=[inbound]),
        )
        ruleset = _generic(
            f"{name}-ruleset",
            resource_type="dnsForwardingRulesets",
            name=args.ruleset_name,
            properties={"dnsResolverOutboundEndpoints": [{"id": outbound.id}]},
            resource_group_name=group,
            placement=placement,
            opts=child_opts(self),
        )
        under_ruleset = f"dnsForwardingRulesets/{args.ruleset_name}"
        previous: pulumi.Resource = ruleset
        for rule in args.spec.forwarding_rules:
            rule_azure_name = rule_name(rule.domain)
            previous = _generic(
                f"{name}-{rule_azure_name}",
                resource_type="forwardingRules",
                name=rule_azure_name,
                parent_path=under_ruleset,
                properties={
                    "domainName": rule.domain,
                    "targetDnsServers": [
                        {"ipAddress": target.ip, "port": target.port} for target in rule.targets
                    ],
                    "forwardingRuleState": "Enabled",
                },
                resource_group_name=group,
                opts=child_opts(self, depends_on=[previous]),
            )
        _generic(
            f"{name}-hub-link",
            resource_type="virtualNetworkLinks",
            name=args.hub_link_name,
            parent_path=under_ruleset,
            properties={"virtualNetwork": {"id": args.virtual_network_id}},
            resource_group_name=group,
            opts=child_opts(self, depends_on=[previous]),
        )
        self.resolver = resolver
        self.id = resolver.id
        self.name = resolver.name
        self.inbound_ip = args.inbound_ip
        self.ruleset_id = ruleset.id
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "inbound_ip": self.inbound_ip,
                "ruleset_id": self.ruleset_id,
            }
        )


_RULESET_ID = re.compile(
    r"/subscriptions/[^/]+/resourceGroups/(?P<group>[^/]+)/providers/Microsoft\.Network/"
    r"dnsForwardingRulesets/(?P<name>[^/]+)",
    re.IGNORECASE,
)


def ruleset_id_problem(value: str) -> str | None:
    """Why ``value`` is not the ARM id of a DNS forwarding ruleset, or None."""
    if _RULESET_ID.fullmatch(value) is None:
        return (
            f"'{value}' is not a DNS forwarding ruleset id (/subscriptions/<id>/resourceGroups/"
            "<group>/providers/Microsoft.Network/dnsForwardingRulesets/<name>)"
        )
    return None


def _ruleset_id(value: str) -> str:
    problem = ruleset_id_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def ruleset_parts(ruleset_id: str) -> tuple[str, str]:
    """``(resource group, name)`` of a forwarding ruleset's id."""
    match = _RULESET_ID.fullmatch(ruleset_id)
    if match is None:
        raise ValueError(ruleset_id_problem(ruleset_id))
    return match["group"], match["name"]


class DnsForwardingRulesetLinkArgs(HlzModel):
    ruleset_id: Annotated[str, AfterValidator(_ruleset_id)]
    """The landing zone's forwarding ruleset (its ``dnsForwardingRulesetId`` output). The link is
    its child, so it is created in the ruleset's resource group, not the caller's."""
    virtual_network_id: StrInput
    """The VNet whose queries the ruleset's rules then answer (an AI lab's spoke)."""
    link_name: str
    """Name of the link, unique within the ruleset (the VNet's name serves)."""


class DnsForwardingRulesetLink(pulumi.ComponentResource):
    """A VNet linked to a DNS forwarding ruleset: its VMs (using Azure-provided DNS) resolve the
    ruleset's on-premises domains through the resolver's outbound endpoint."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: DnsForwardingRulesetLinkArgs,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("hlz:network:DnsForwardingRulesetLink", name, None, opts)
        group, ruleset = ruleset_parts(args.ruleset_id)
        link = _generic(
            f"{name}-link",
            resource_type="virtualNetworkLinks",
            name=args.link_name,
            parent_path=f"dnsForwardingRulesets/{ruleset}",
            properties={"virtualNetwork": {"id": args.virtual_network_id}},
            resource_group_name=group,
            opts=child_opts(self),
        )
        self.id = link.id
        self.name = link.name
        self.register_outputs({"id": self.id, "name": self.name})
