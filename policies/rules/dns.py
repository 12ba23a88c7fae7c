"""Azure DNS Private Resolver rules: where forwarding rules send queries, and what Azure Resource
Manager refuses in rules and endpoint subnets.

A forwarding rule sends every query for its domain (the names of on-premises systems: EHR
hosts, PACS, domain controllers) to its target servers, from every VNet linked to the ruleset.
Targets outside the private address space send those names, and who asks for them, over the
Internet to a resolver the covered entity does not run.

| rule                                                  | what Azure or HIPAA asks                |
|-------------------------------------------------------|-----------------------------------------|
| network-dnsforwardingrule-require-private-targets     | RFC 1918 targets only (164.312(e)(1))   |
| deploy-dnsforwardingrule-restrict-domain-name         | dot-terminated, 0 or 1-34 labels        |
| deploy-dnsforwardingrule-restrict-targets             | 1-6 targets, never 168.63.129.16        |
| deploy-dnsresolver-require-delegated-subnet (stack)   | each endpoint its own subnet, delegated |
|                                                       | to Microsoft.Network/dnsResolvers only, |
|                                                       | /28 to /24; an inbound endpoint's IP    |
|                                                       | configurations in one subnet            |

components.dns_resolver creates these types as generic resources; ``policies.normalise`` hands
them to these rules as the typed tokens, with the ARM body's ``properties`` also lifted to the
top level, so the rules read the typed SDK's input names (``targetDnsServers``, ``subnet``)
either way.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from ..model import (
    Category,
    Compliant,
    NotApplicable,
    Outcome,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
    outcome_from,
)
from ..props import as_int, as_sequence, as_str, describe, get, same_text
from ..vocabulary import (
    AZURE_DNS_IP,
    DNS_FORWARDING_RULE_MAX_TARGETS,
    DNS_RESOLVER_DELEGATION,
    DNS_RESOLVER_SUBNET_PREFIXES,
    PRIVATE_IPV4_RANGES,
    forwarding_domain_problem,
)
from .deploy_support import ResourceIndex, subnet_delegations, subnet_prefix_length
from .relations import of_type
from .tokens import (
    DNS_FORWARDING_RULE,
    DNS_RESOLVER_INBOUND_ENDPOINT,
    DNS_RESOLVER_OUTBOUND_ENDPOINT,
    SUBNET,
)

DEPLOY = Category.DEPLOY
RULE = frozenset({DNS_FORWARDING_RULE})
ENDPOINTS = frozenset({DNS_RESOLVER_INBOUND_ENDPOINT, DNS_RESOLVER_OUTBOUND_ENDPOINT})
PRIVATE_NETWORKS = tuple(ipaddress.IPv4Network(cidr) for cidr in PRIVATE_IPV4_RANGES)

SUBNET_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    DNS_RESOLVER_INBOUND_ENDPOINT: ("ipConfigurations", "properties"),
    DNS_RESOLVER_OUTBOUND_ENDPOINT: ("subnet", "properties"),
}
"""The inputs an endpoint's subnet reference is computed into: the typed SDK's, and a generic
resource's ``properties``."""


def _targets(props: Mapping[str, Any]) -> Sequence[Any]:
    return as_sequence(get(props, "targetDnsServers"))


# --- forwarding rules ---------------------------------------------------------------------------


def check_private_targets(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    targets = _targets(props)
    if not targets:
        return fail("targetDnsServers is not set; name the private DNS servers of the domain")
    reasons: list[str] = []
    for position, target in enumerate(targets):
        value = get(target, "ipAddress")
        text = as_str(value)
        label = f"targetDnsServers[{position}].ipAddress"
        try:
            address = ipaddress.IPv4Address((text or "").strip())
        except ValueError:
            reasons.append(f"{label} is {describe(value)}, not an IPv4 address")
            continue
        if not any(address in network for network in PRIVATE_NETWORKS):
            reasons.append(
                f"{label} is '{address}', not a private (RFC 1918) address; queries for "
                "internal names must go to the covered entity's own DNS servers over VPN or "
                "ExpressRoute, never to a public resolver"
            )
    return outcome_from(reasons)


def check_domain_name(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "domainName")
    domain = as_str(value)
    if domain is None:
        return fail(f"domainName is {describe(value)}; set the dot-terminated domain")
    problem = forwarding_domain_problem(domain)
    return fail(f"domainName {problem}") if problem is not None else Compliant()


def check_targets(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    targets = _targets(props)
    reasons: list[str] = []
    if not targets:
        reasons.append("targetDnsServers is empty; a rule needs 1 to 6 target DNS servers")
    elif len(targets) > DNS_FORWARDING_RULE_MAX_TARGETS:
        reasons.append(
            f"targetDnsServers has {len(targets)} servers; a rule takes at most "
            f"{DNS_FORWARDING_RULE_MAX_TARGETS}"
        )
    for position, target in enumerate(targets):
        if same_text(get(target, "ipAddress"), AZURE_DNS_IP):
            reasons.append(
                f"targetDnsServers[{position}].ipAddress is {AZURE_DNS_IP} (Azure DNS), which "
                "Azure refuses as a forwarding target; leave the domain to Azure DNS by removing "
                "the rule"
            )
        port = get(target, "port")
        number = as_int(port)
        if port is not None and not (number is not None and 1 <= number <= 65535):
            reasons.append(f"targetDnsServers[{position}].port is {describe(port)}; use 1-65535")
    return outcome_from(reasons)


# --- endpoint subnets (stack) -------------------------------------------------------------------


def _subnet_problems(subnet: StackResource, endpoint: StackResource) -> list[str]:
    where = f"subnet '{subnet.name}' of endpoint '{endpoint.name}'"
    problems: list[str] = []
    services = subnet_delegations(subnet)
    if not any(same_text(service, DNS_RESOLVER_DELEGATION) for service in services):
        problems.append(
            f"{where} is not delegated to {DNS_RESOLVER_DELEGATION}; add the delegation "
            "(ARM refuses the endpoint otherwise)"
        )
    others = [s for s in services if s and not same_text(s, DNS_RESOLVER_DELEGATION)]
    if others:
        problems.append(
            f"{where} is also delegated to {', '.join(others)}; a resolver's subnet is "
            f"delegated to {DNS_RESOLVER_DELEGATION} only"
        )
    largest, smallest = DNS_RESOLVER_SUBNET_PREFIXES
    length = subnet_prefix_length(subnet)
    if length is not None and not largest <= length <= smallest:
        problems.append(
            f"{where} is {get(subnet.props, 'addressPrefix')}; a DNS resolver endpoint's subnet "
            f"is /{smallest} to /{largest}"
        )
    return problems


def check_endpoint_subnets(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    endpoints = of_type(resources, *ENDPOINTS)
    subnets_of = {
        endpoint.urn: index.upstream(
            endpoint, SUBNET_PROPERTIES[endpoint.resource_type], frozenset({SUBNET})
        )
        for endpoint in endpoints
    }
    users: dict[str, list[StackResource]] = {}
    for endpoint in endpoints:
        for subnet in subnets_of[endpoint.urn]:
            users.setdefault(subnet.urn, []).append(endpoint)
    outcomes: dict[str, Outcome] = {}
    for endpoint in endpoints:
        subnets = subnets_of[endpoint.urn]
        if not subnets:
            outcomes[endpoint.urn] = NotApplicable("its subnet is not in this stack")
            continue
        reasons: list[str] = []
        if len(subnets) > 1:
            names = ", ".join(f"'{subnet.name}'" for subnet in subnets)
            reasons.append(
                f"endpoint '{endpoint.name}' spans the subnets {names}; every IP configuration "
                "of an inbound endpoint references the same subnet"
            )
        for subnet in subnets:
            reasons += _subnet_problems(subnet, endpoint)
            shared = [other for other in users[subnet.urn] if other.urn != endpoint.urn]
            if shared:
                names = ", ".join(f"'{other.name}'" for other in shared)
                reasons.append(
                    f"subnet '{subnet.name}' of endpoint '{endpoint.name}' is also used by "
                    f"{names}; each DNS resolver endpoint needs a subnet of its own"
                )
        outcomes[endpoint.urn] = outcome_from(reasons)
    return outcomes


_DNS_DOCS = "https://learn.microsoft.com/azure/dns"

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="network-dnsforwardingrule-require-private-targets",
        description="DNS forwarding rules send queries only to private (RFC 1918) DNS servers.",
        rationale=(
            "A forwarding rule sends every query for an internal domain, from the hub and every "
            "linked lab spoke, to its targets; a public target discloses the names of the "
            "covered entity's systems, and which workloads look them up, to a resolver outside "
            "its control, over an unprotected path."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)",),
        mcsb=("NS-10",),
        hitrust=("09.m",),
        remediation=(
            "Point targetDnsServers at the on-premises (or Azure-hosted) DNS servers by their "
            "private addresses, reached over VPN or ExpressRoute."
        ),
        url=f"{_DNS_DOCS}/private-resolver-hybrid-dns",
        resource_types=RULE,
        check=check_private_targets,
    ),
    ResourceRule(
        id="deploy-dnsforwardingrule-restrict-domain-name",
        category=DEPLOY,
        description=(
            "DNS forwarding rules name a dot-terminated domain of 1 to 34 labels, or '.' for "
            "every name."
        ),
        rationale=(
            "A rule's domain name is the dot-terminated namespace it applies to, with zero "
            "labels (wildcard) or 1 to 34; Azure refuses other values."
        ),
        severity=Severity.HIGH,
        remediation="Write the domain with its trailing dot: corp.example.org.",
        url=f"{_DNS_DOCS}/private-resolver-endpoints-rulesets#rules",
        resource_types=RULE,
        check=check_domain_name,
    ),
    ResourceRule(
        id="deploy-dnsforwardingrule-restrict-targets",
        category=DEPLOY,
        description=(
            f"DNS forwarding rules have 1 to {DNS_FORWARDING_RULE_MAX_TARGETS} target DNS "
            f"servers, none of them Azure DNS ({AZURE_DNS_IP}), on ports 1-65535."
        ),
        rationale=(
            f"Azure allows {DNS_FORWARDING_RULE_MAX_TARGETS} target DNS servers per rule and "
            f"refuses {AZURE_DNS_IP} as a target ('Exception while making add request for "
            "rule')."
        ),
        severity=Severity.HIGH,
        remediation=(
            f"List 1 to {DNS_FORWARDING_RULE_MAX_TARGETS} DNS servers; drop a rule whose domain "
            "Azure DNS should answer."
        ),
        url=f"{_DNS_DOCS}/private-resolver-endpoints-rulesets#rule-processing",
        resource_types=RULE,
        check=check_targets,
    ),
    StackRule(
        id="deploy-dnsresolver-require-delegated-subnet",
        category=DEPLOY,
        description=(
            "Each DNS resolver endpoint has a subnet of its own, delegated to "
            f"{DNS_RESOLVER_DELEGATION} only, /{DNS_RESOLVER_SUBNET_PREFIXES[1]} to "
            f"/{DNS_RESOLVER_SUBNET_PREFIXES[0]}; an inbound endpoint's IP configurations "
            "share one subnet."
        ),
        rationale=(
            "Azure refuses an endpoint in a subnet that is not delegated to the resolver "
            "service, that is smaller than /28 or larger than /24, that another endpoint uses, "
            "or (inbound) that differs between its IP configurations."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Give each endpoint its own /28 subnet with the delegation "
            f"{DNS_RESOLVER_DELEGATION} (components.hub_network does, from "
            "hlz:hub.subnets.dnsResolverInbound/dnsResolverOutbound)."
        ),
        url=f"{_DNS_DOCS}/dns-private-resolver-overview#subnet-restrictions",
        resource_types=ENDPOINTS,
        check=check_endpoint_subnets,
    ),
)
