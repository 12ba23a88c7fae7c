"""Network rules: NSGs on subnets, no management ports from the internet, firewall threat
intelligence, and private endpoints (with DNS) for every PaaS resource holding or guarding ePHI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import (
    Compliant,
    NotApplicable,
    Outcome,
    Profile,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
    outcome_from,
)
from ..props import as_sequence, as_str, describe, get, has_key, is_set, same_text
from .expect import expect_text
from .relations import Referrers, of_type
from .tokens import (
    COGNITIVE_ACCOUNT,
    FIREWALL_POLICY,
    HEALTH_WORKSPACE,
    KEY_VAULT,
    MONITOR_PRIVATE_LINK_SCOPE,
    NETWORK_SECURITY_GROUP,
    PRIVATE_DNS_ZONE_GROUP,
    PRIVATE_ENDPOINT,
    SECURITY_RULE,
    STORAGE_ACCOUNT,
    SUBNET,
    VIRTUAL_NETWORK,
)

SUBNETS_WITHOUT_NSG: Mapping[str, str] = {
    "gatewaysubnet": "Azure does not support NSGs on the VPN/ExpressRoute gateway subnet",
    "azurefirewallsubnet": "Azure Firewall subnets cannot have an NSG",
    "azurefirewallmanagementsubnet": "Azure Firewall management subnets cannot have an NSG",
    "routeserversubnet": "Azure Route Server subnets cannot have an NSG",
}
"""Azure-reserved subnet names (case-insensitive) that must not carry an NSG.

``AzureBastionSubnet`` is deliberately absent: Bastion supports an NSG (with its documented
rules) and must have one.
"""

OPEN_SOURCES = ("*", "internet", "any", "0.0.0.0/0", "::/0")
"""Source prefixes that mean "anyone on the internet"."""

MANAGEMENT_PORTS: Mapping[int, str] = {22: "SSH", 3389: "RDP"}

PRIVATE_LINK_TARGETS: Mapping[str, str] = {
    KEY_VAULT: "vault",
    STORAGE_ACCOUNT: "blob / dfs / file / queue / table",
    COGNITIVE_ACCOUNT: "account",
    HEALTH_WORKSPACE: "healthcareworkspace",
    MONITOR_PRIVATE_LINK_SCOPE: "azuremonitor",
}
"""PaaS types that need a private endpoint, with the group ids to use. The Health Data Services
workspace endpoint covers its FHIR and DICOM services; an Azure Monitor private link scope is
only reachable through its endpoint."""

PRIVATE_LINK_CONNECTION_PROPERTIES = (
    "privateLinkServiceConnections",
    "manualPrivateLinkServiceConnections",
)


# --- subnets ------------------------------------------------------------------------------------


def _subnet_name(subnet: Any) -> str | None:
    return as_str(get(subnet, "subnetName")) or as_str(get(subnet, "name"))


def _missing_nsg(subnet: Any, label: str) -> list[str]:
    name = _subnet_name(subnet)
    if name is not None and name.casefold() in SUBNETS_WITHOUT_NSG:
        return []
    # The NSG id is usually unknown during preview; is_set counts a configured reference as set.
    if is_set(subnet, "networkSecurityGroup", "id"):
        return []
    shown = f" ('{name}')" if name else ""
    return [f"{label}{shown} has no networkSecurityGroup; associate an NSG with the subnet"]


def check_subnet_nsg(resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if resource_type == VIRTUAL_NETWORK:
        if not has_key(props, "subnets"):
            return NotApplicable(
                "no inline subnets; separate Subnet resources are checked one by one"
            )
        subnets = as_sequence(get(props, "subnets"))
        return outcome_from(
            [
                reason
                for index, subnet in enumerate(subnets)
                for reason in _missing_nsg(subnet, f"subnets[{index}]")
            ]
        )
    name = _subnet_name(props)
    if name is not None and name.casefold() in SUBNETS_WITHOUT_NSG:
        return NotApplicable(f"{name}: {SUBNETS_WITHOUT_NSG[name.casefold()]}")
    return outcome_from(_missing_nsg(props, "subnet"))


# --- NSG rules ----------------------------------------------------------------------------------


def _port_bounds(spec: str) -> tuple[int, int] | None:
    """``"22"`` -> (22, 22); ``"20-30"`` -> (20, 30); ``"*"`` -> (0, 65535); malformed -> None."""
    text = spec.strip()
    if text == "*":
        return (0, 65535)
    low, _, high = text.partition("-")
    try:
        start = int(low)
        end = int(high) if high else start
    except ValueError:
        return None
    return (start, end) if start <= end else None


def _exposed_ports(port_specs: Sequence[str]) -> list[str]:
    exposed: list[str] = []
    for spec in port_specs:
        if spec.strip() == "*":
            exposed.append("all ports ('*')")
            continue
        bounds = _port_bounds(spec)
        if bounds is None:
            continue  # Azure rejects malformed ranges; nothing is exposed.
        exposed += [
            f"port {port} ({protocol}) via '{spec}'"
            for port, protocol in MANAGEMENT_PORTS.items()
            if bounds[0] <= port <= bounds[1]
        ]
    return exposed


def _internet_management_exposure(rule: Any, label: str) -> list[str]:
    if not same_text(get(rule, "access"), "Allow") or not same_text(
        get(rule, "direction"), "Inbound"
    ):
        return []
    if same_text(get(rule, "protocol"), "Icmp"):
        return []
    sources = [get(rule, "sourceAddressPrefix"), *as_sequence(get(rule, "sourceAddressPrefixes"))]
    open_sources = [
        source
        for source in sources
        if isinstance(source, str) and source.strip().casefold() in OPEN_SOURCES
    ]
    if not open_sources:
        return []
    specs = [get(rule, "destinationPortRange"), *as_sequence(get(rule, "destinationPortRanges"))]
    exposed = _exposed_ports([spec for spec in specs if isinstance(spec, str)])
    if not exposed:
        return []
    return [
        f"{label} allows inbound {', '.join(exposed)} from {describe(open_sources[0])}; restrict "
        "the source to the Bastion or management subnet, or deny it"
    ]


def check_no_internet_management_ports(resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if resource_type == SECURITY_RULE:
        name = (
            as_str(get(props, "securityRuleName")) or as_str(get(props, "name")) or "security rule"
        )
        return outcome_from(_internet_management_exposure(props, f"security rule '{name}'"))
    reasons: list[str] = []
    for index, rule in enumerate(as_sequence(get(props, "securityRules"))):
        name = as_str(get(rule, "name"))
        label = f"securityRules[{index}]" + (f" ('{name}')" if name else "")
        reasons += _internet_management_exposure(rule, label)
    return outcome_from(reasons)


# --- firewall -----------------------------------------------------------------------------------


def check_threat_intel_deny(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props, ("threatIntelMode",), "Deny", " (absent means Alert); set it to 'Deny'"
    )


# --- private endpoints (stack) ------------------------------------------------------------------


def check_private_endpoints(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    endpoints = Referrers(of_type(resources, PRIVATE_ENDPOINT), *PRIVATE_LINK_CONNECTION_PROPERTIES)
    outcomes: dict[str, Outcome] = {}
    for target in of_type(resources, *PRIVATE_LINK_TARGETS):
        if endpoints.of(target.urn):
            outcomes[target.urn] = Compliant()
            continue
        kind = target.resource_type.rsplit(":", 1)[-1]
        outcomes[target.urn] = fail(
            f"{kind} '{target.name}' has no private endpoint; add an "
            "azure-native:network:PrivateEndpoint whose "
            "privateLinkServiceConnections[].privateLinkServiceId is its id (groupIds: "
            f"{PRIVATE_LINK_TARGETS[target.resource_type]})"
        )
    return outcomes


def check_private_dns_zone_groups(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    zone_groups = Referrers(of_type(resources, PRIVATE_DNS_ZONE_GROUP), "privateEndpointName")
    outcomes: dict[str, Outcome] = {}
    for endpoint in of_type(resources, PRIVATE_ENDPOINT):
        groups = zone_groups.of(endpoint.urn)
        if len(groups) == 1:
            outcomes[endpoint.urn] = Compliant()
        elif not groups:
            outcomes[endpoint.urn] = fail(
                f"private endpoint '{endpoint.name}' has no private DNS zone group; add an "
                "azure-native:network:PrivateDnsZoneGroup (privateEndpointName = the "
                "endpoint's name) linking the privatelink.* zones"
            )
        else:
            names = ", ".join(f"'{group.name}'" for group in groups)
            outcomes[endpoint.urn] = fail(
                f"private endpoint '{endpoint.name}' has {len(groups)} DNS zone groups "
                f"({names}); a private "
                "endpoint takes exactly one (with up to 5 zone configs)"
            )
    return outcomes


_NET_DOCS = "https://learn.microsoft.com/azure"

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="network-subnet-require-nsg",
        description=(
            "Every subnet (standalone or inline in a VNet) has a network security group, except "
            "Azure-reserved subnets that cannot take one."
        ),
        rationale=(
            "NSGs are the segmentation boundary around workloads processing ePHI and produce the "
            "flow logs used for audit."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-1",),
        hitrust=("01.m",),
        remediation=(
            "Set networkSecurityGroup.id on the subnet. GatewaySubnet, AzureFirewallSubnet, "
            "AzureFirewallManagementSubnet and RouteServerSubnet are exempt; AzureBastionSubnet is "
            "not."
        ),
        url=f"{_NET_DOCS}/virtual-network/network-security-groups-overview",
        phi_protecting=True,
        resource_types=frozenset({SUBNET, VIRTUAL_NETWORK}),
        check=check_subnet_nsg,
    ),
    ResourceRule(
        id="network-nsg-disallow-internet-management-ports",
        description=(
            "No NSG rule allows inbound SSH (22), RDP (3389) or all ports from the internet."
        ),
        rationale=(
            "Internet-exposed management ports are the most common entry point to hosts that can "
            "reach ePHI."
        ),
        severity=Severity.CRITICAL,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-1", "PA-7"),
        hitrust=("01.n",),
        remediation=(
            "Use Azure Bastion; limit sourceAddressPrefix(es) of Allow/Inbound rules covering 22, "
            "3389 or '*' to private ranges (never '*', 'Internet', 'Any' or 0.0.0.0/0)."
        ),
        url=f"{_NET_DOCS}/security/fundamentals/network-best-practices",
        phi_protecting=True,
        resource_types=frozenset({NETWORK_SECURITY_GROUP, SECURITY_RULE}),
        check=check_no_internet_management_ports,
    ),
    ResourceRule(
        id="network-firewallpolicy-require-threat-intel-deny",
        description=(
            "Production Azure Firewall policies deny traffic to and from known-malicious addresses."
        ),
        rationale=(
            "Blocking known command-and-control and exfiltration endpoints protects ePHI egress "
            "paths."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(e)(1)", "164.308(a)(1)(ii)(B)"),
        mcsb=("NS-3", "NS-10"),
        hitrust=("09.m",),
        remediation="Set threatIntelMode to 'Deny' on the firewall policy.",
        url=f"{_NET_DOCS}/firewall/threat-intel",
        phi_protecting=False,
        profiles=frozenset({Profile.PRODUCTION}),
        resource_types=frozenset({FIREWALL_POLICY}),
        check=check_threat_intel_deny,
    ),
    StackRule(
        id="network-paas-require-private-endpoint",
        description=(
            "Every Key Vault, storage account, Cognitive Services account and Health Data Services "
            "workspace has a private endpoint."
        ),
        rationale=(
            "With public access disabled, private endpoints are the only way in; they keep ePHI "
            "traffic on the private network."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)",),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Add an azure-native:network:PrivateEndpoint whose privateLinkServiceConnections[]."
            "privateLinkServiceId is the resource's id (group ids: vault, "
            "blob/dfs/file/queue/table, account, healthcareworkspace)."
        ),
        url=f"{_NET_DOCS}/private-link/private-endpoint-overview",
        phi_protecting=True,
        resource_types=frozenset(PRIVATE_LINK_TARGETS),
        check=check_private_endpoints,
    ),
    StackRule(
        id="network-privateendpoint-require-dns-zone-group",
        description="Every private endpoint has exactly one private DNS zone group.",
        rationale=(
            "Without private DNS, clients resolve the public endpoint and either fail or bypass "
            "the private path."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(e)(1)",),
        mcsb=("NS-2",),
        remediation=(
            "Add one azure-native:network:PrivateDnsZoneGroup per private endpoint, with a named "
            "zone config per privatelink.* zone (hub zones)."
        ),
        url=f"{_NET_DOCS}/private-link/private-endpoint-dns",
        phi_protecting=False,
        resource_types=frozenset({PRIVATE_ENDPOINT}),
        check=check_private_dns_zone_groups,
    ),
)
