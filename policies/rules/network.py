"""Network rules: NSGs on subnets, no management or cleartext ports from the internet, firewall
threat intelligence and intrusion detection, and private endpoints (with DNS) for every PaaS
resource holding or guarding ePHI.

The firewall rules ask, in production, for what each tier can do (the tier facts are
``policies.vocabulary.FIREWALL_TIERS_WITH_*``, shared with the deploy rules and the component):
threat intelligence in Deny mode, which Basic lacks (production uses Standard or Premium), and,
on Premium policies, intrusion detection (IDPS) in Deny mode, which only Premium has. A firewall
with a firewall policy takes both from the policy; a firewall without one ("classic rules") sets
threat intelligence on itself and cannot run IDPS.
"""

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
from ..services import SERVICES
from ..vocabulary import (
    FIREWALL_TIERS_WITH_INTRUSION_DETECTION,
    FIREWALL_TIERS_WITH_THREAT_INTEL_DENY,
    SUBNETS_WITHOUT_NSG,
    firewall_tier,
)
from .expect import expect_text
from .relations import Referrers, of_type
from .tokens import (
    FIREWALL,
    FIREWALL_POLICY,
    FIREWALL_POLICY_RULE_COLLECTION_GROUP,
    NETWORK_SECURITY_GROUP,
    PRIVATE_DNS_ZONE_GROUP,
    PRIVATE_ENDPOINT,
    SECURITY_RULE,
    SUBNET,
    VIRTUAL_NETWORK,
    VIRTUAL_NETWORK_GATEWAY,
)

_NO_NSG = {name.casefold(): why for name, why in SUBNETS_WITHOUT_NSG.items()}
"""``SUBNETS_WITHOUT_NSG`` by case-folded name (Azure compares subnet names case-insensitively)."""

OPEN_SOURCES = ("*", "internet", "any", "0.0.0.0/0", "::/0")
"""Source prefixes that mean "anyone on the internet"."""

MANAGEMENT_PORTS: Mapping[int, str] = {22: "SSH", 3389: "RDP"}

CLEARTEXT_PORTS: Mapping[int, str] = {
    20: "FTP data",
    21: "FTP",
    23: "Telnet",
    25: "SMTP",
    69: "TFTP",
    80: "HTTP",
    110: "POP3",
    139: "NetBIOS session",
    143: "IMAP",
    389: "LDAP",
    445: "SMB",
    512: "rexec",
    513: "rlogin",
    514: "rsh",
    1433: "SQL Server",
    1521: "Oracle TNS",
    2375: "Docker API",
    3306: "MySQL",
    5432: "PostgreSQL",
    5900: "VNC",
    6379: "Redis",
    8080: "HTTP alternate",
    11211: "Memcached",
    27017: "MongoDB",
}
"""Ports whose protocol sends credentials and data in cleartext, or lets the client choose to,
and must not be reachable from the internet.

Port numbers and service names are the IANA Service Name and Transport Protocol Port Number
Registry's (https://www.iana.org/assignments/service-names-port-numbers). Why each is listed:

- 20, 21 FTP (RFC 959): credentials and files in the clear; use SFTP or FTPS.
- 23 Telnet, 512-514 rexec/rlogin/rsh: sessions and passwords in the clear; use SSH.
- 25 SMTP, 110 POP3, 143 IMAP: STARTTLS is optional and can be stripped; RFC 8314 moves mail
  access to implicit TLS (465, 993, 995).
- 69 TFTP (RFC 1350): no authentication, no encryption.
- 80 HTTP, 8080 HTTP alternate: everything in the clear; serve HTTPS (443).
- 389 LDAP: simple binds send passwords; use LDAPS (636).
- 139 NetBIOS session, 445 SMB: SMB 1 and 2 do not encrypt; Microsoft's SMB security guidance
  blocks inbound 445 at the perimeter whatever the version.
- 1433 SQL Server, 1521 Oracle TNS, 3306 MySQL, 5432 PostgreSQL, 27017 MongoDB: TLS is
  negotiated and optional by default.
- 2375 Docker API: the unencrypted port (TLS is 2376).
- 5900 VNC (RFB): no session encryption.
- 6379 Redis, 11211 Memcached: no TLS on these ports (Azure Cache for Redis serves TLS on 6380).

A port listed here is exposed whatever the NSG rule's protocol (except ICMP), as for the
management ports: what matters is what listens on it. The Microsoft cloud security benchmark asks
for the same (NS-8, detect and disable insecure services and protocols; DP-3, encrypt data in
transit).
"""

PRIVATE_LINK_TARGETS: Mapping[str, str] = {
    token: " / ".join(row.private_link.group_ids)
    for token, row in SERVICES.items()
    if row.private_link is not None
}
"""PaaS types that need a private endpoint, with the group ids to use: the catalogue rows with a
``private_link`` (``policies.services``), in row order. The Health Data Services workspace
endpoint covers its FHIR and DICOM services; an Azure Monitor private link scope is only
reachable through its endpoint."""

PRIVATE_LINK_CONNECTION_PROPERTIES = (
    "privateLinkServiceConnections",
    "manualPrivateLinkServiceConnections",
)


# --- subnets ------------------------------------------------------------------------------------


def _subnet_name(subnet: Any) -> str | None:
    return as_str(get(subnet, "subnetName")) or as_str(get(subnet, "name"))


def _missing_nsg(subnet: Any, label: str) -> list[str]:
    name = _subnet_name(subnet)
    if name is not None and name.casefold() in _NO_NSG:
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
    if name is not None and name.casefold() in _NO_NSG:
        return NotApplicable(f"{name}: {_NO_NSG[name.casefold()]}")
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


def _exposed_ports(port_specs: Sequence[str], ports: Mapping[int, str]) -> list[str]:
    """What of ``ports`` each spec opens: ``all ports ('*')``, ``port 80 (HTTP) via '80'`` or
    ``ports 20 (FTP data), 21 (FTP) via '20-25'``."""
    exposed: list[str] = []
    for spec in port_specs:
        if spec.strip() == "*":
            exposed.append("all ports ('*')")
            continue
        bounds = _port_bounds(spec)
        if bounds is None:
            continue  # Azure rejects malformed ranges; nothing is exposed.
        covered = [
            f"{port} ({protocol})"
            for port, protocol in ports.items()
            if bounds[0] <= port <= bounds[1]
        ]
        if covered:
            noun = "port" if len(covered) == 1 else "ports"
            exposed.append(f"{noun} {', '.join(covered)} via '{spec}'")
    return exposed


def _internet_exposure(rule: Any, label: str, ports: Mapping[int, str], advice: str) -> list[str]:
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
    exposed = _exposed_ports([spec for spec in specs if isinstance(spec, str)], ports)
    if not exposed:
        return []
    return [
        f"{label} allows inbound {', '.join(exposed)} from {describe(open_sources[0])}; {advice}"
    ]


def _security_rules(resource_type: str, props: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(label, rule)`` for a standalone SecurityRule or each inline rule of an NSG."""
    if resource_type == SECURITY_RULE:
        name = (
            as_str(get(props, "securityRuleName")) or as_str(get(props, "name")) or "security rule"
        )
        return [(f"security rule '{name}'", props)]
    labelled: list[tuple[str, Any]] = []
    for index, rule in enumerate(as_sequence(get(props, "securityRules"))):
        name = as_str(get(rule, "name"))
        labelled.append((f"securityRules[{index}]" + (f" ('{name}')" if name else ""), rule))
    return labelled


def _check_internet_exposure(
    resource_type: str, props: Mapping[str, Any], ports: Mapping[int, str], advice: str
) -> Outcome:
    return outcome_from(
        [
            reason
            for label, rule in _security_rules(resource_type, props)
            for reason in _internet_exposure(rule, label, ports, advice)
        ]
    )


def check_no_internet_management_ports(resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return _check_internet_exposure(
        resource_type,
        props,
        MANAGEMENT_PORTS,
        "restrict the source to the Bastion or management subnet, or deny it",
    )


def check_no_internet_cleartext_ports(resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return _check_internet_exposure(
        resource_type,
        props,
        CLEARTEXT_PORTS,
        "serve it over TLS (HTTPS 443, LDAPS 636, IMAPS 993, ...) through a private endpoint or "
        "an Application Gateway, or restrict the source to private ranges",
    )


# --- VPN gateway (point-to-site) -----------------------------------------------------------------

P2S_ENTRA_AUTHENTICATION = "AAD"
"""The only ``vpnAuthenticationTypes`` entry a point-to-site configuration may hold: Entra ID."""
P2S_ENTRA_PROTOCOL = "OpenVPN"
"""The only tunnel protocol Entra ID authentication works with."""


def _exactly(values: Any, expected: str) -> bool:
    items = as_sequence(values)
    return len(items) == 1 and same_text(items[0], expected)


def _listed(values: Any) -> str:
    items = as_sequence(values)
    return f"[{', '.join(describe(item) for item in items)}]" if items else describe(values)


def check_p2s_entra_only(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    config = get(props, "vpnClientConfiguration")
    if config is None:
        return NotApplicable("no point-to-site configuration (vpnClientConfiguration)")
    reasons: list[str] = []
    kinds = get(config, "vpnAuthenticationTypes")
    if not _exactly(kinds, P2S_ENTRA_AUTHENTICATION):
        reasons.append(
            f"vpnClientConfiguration.vpnAuthenticationTypes is {_listed(kinds)}; set it to "
            "['AAD'] so every user signs in with Entra ID (no certificates, no RADIUS secrets)"
        )
    protocols = get(config, "vpnClientProtocols")
    if not _exactly(protocols, P2S_ENTRA_PROTOCOL):
        reasons.append(
            f"vpnClientConfiguration.vpnClientProtocols is {_listed(protocols)}; set it to "
            "['OpenVPN'], the only protocol Entra ID authentication works with"
        )
    return outcome_from(reasons)


# --- firewall -----------------------------------------------------------------------------------


def check_threat_intel_deny(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props, ("threatIntelMode",), "Deny", " (absent means Alert); set it to 'Deny'"
    )


def check_classic_firewall_threat_intel(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # An unknown policy reference counts as set; an unknown firewallPolicy object is undetermined.
    if is_set(props, "firewallPolicy", "id"):
        return NotApplicable(
            "threat intelligence comes from its firewall policy "
            "(network-firewallpolicy-require-threat-intel-deny)"
        )
    mode = get(props, "threatIntelMode")
    if same_text(mode, "Deny"):
        return Compliant()
    found = f"threatIntelMode is {describe(mode)}" + (
        " (absent means Alert)" if mode is None else ""
    )
    tier = firewall_tier(get(props, "sku", "tier"))
    if tier is not None and tier not in FIREWALL_TIERS_WITH_THREAT_INTEL_DENY:
        return fail(
            f"{found}; a Basic firewall supports 'Alert' only: use sku.tier 'Standard' or "
            "'Premium' with threatIntelMode 'Deny', or a firewall policy"
        )
    return fail(f"{found}; set it to 'Deny' (or associate a firewall policy that denies)")


def check_premium_policy_idps_deny(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    tier = get(props, "sku", "tier")
    if firewall_tier(tier) not in FIREWALL_TIERS_WITH_INTRUSION_DETECTION:
        shown = describe(tier) + (" (absent means Standard)" if tier is None else "")
        return NotApplicable(f"sku.tier is {shown}; intrusion detection is Premium only")
    mode = get(props, "intrusionDetection", "mode")
    if same_text(mode, "Deny"):
        return Compliant()
    absent = " (absent means Off)" if mode is None else ""
    return fail(
        f"intrusionDetection.mode is {describe(mode)}{absent}; set it to 'Deny' so IDPS drops "
        "matching traffic, not just logs it"
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


def _is_open(value: Any) -> bool:
    text = (as_str(value) or "").strip().casefold()
    return text in OPEN_SOURCES


def check_firewall_allow_rules(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    """Allow collections name who may reach what: never any source, any destination address, a
    bare ``*`` host or URL, or a web category (a category admits hosts nobody reviewed)."""
    reasons: list[str] = []
    for c_index, collection in enumerate(as_sequence(get(props, "ruleCollections"))):
        if not same_text(get(collection, "action", "type"), "Allow"):
            continue
        label = f"ruleCollections[{c_index}] '{as_str(get(collection, 'name')) or '?'}'"
        for r_index, rule in enumerate(as_sequence(get(collection, "rules"))):
            where = f"{label} rule '{as_str(get(rule, 'name')) or r_index}'"
            sources = [s for s in as_sequence(get(rule, "sourceAddresses")) if _is_open(s)]
            if sources:
                reasons.append(
                    f"{where} allows source {describe(sources[0])}; name the spokes' prefixes"
                )
            targets = [d for d in as_sequence(get(rule, "destinationAddresses")) if _is_open(d)]
            if targets:
                reasons.append(f"{where} allows destination {describe(targets[0])}; name the hosts")
            for field in ("targetFqdns", "targetUrls"):
                if any((as_str(v) or "").strip() == "*" for v in as_sequence(get(rule, field))):
                    reasons.append(f"{where} allows {field} '*'; list the hosts it needs")
            if as_sequence(get(rule, "webCategories")):
                reasons.append(f"{where} allows webCategories; list the hosts it needs instead")
    return outcome_from(reasons)


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
        id="network-nsg-disallow-internet-cleartext-ports",
        description=(
            "No NSG rule allows inbound traffic from the internet to a port of a cleartext "
            "protocol (HTTP 80, FTP, Telnet, SMTP, SMB, databases, ...)."
        ),
        rationale=(
            "Protocols without TLS carry credentials and ePHI readable by anyone on the path; "
            "exposed to the internet they also invite credential theft. The ports are listed, "
            "with their sources, in policies.rules.network.CLEARTEXT_PORTS."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(e)(2)(ii)"),
        mcsb=("NS-8", "DP-3"),
        hitrust=("01.n", "09.s"),
        remediation=(
            "Serve the workload over TLS (HTTPS 443, LDAPS, IMAPS, database TLS) through a "
            "private endpoint or an Application Gateway; limit sourceAddressPrefix(es) of "
            "Allow/Inbound rules covering these ports to private ranges (never '*', 'Internet', "
            "'Any' or 0.0.0.0/0)."
        ),
        url="https://learn.microsoft.com/security/benchmark/azure/mcsb-network-security",
        phi_protecting=True,
        resource_types=frozenset({NETWORK_SECURITY_GROUP, SECURITY_RULE}),
        check=check_no_internet_cleartext_ports,
    ),
    ResourceRule(
        id="network-firewallpolicy-restrict-allow-rules",
        description=(
            "Firewall policy allow rules name their sources and destinations: no any-source, "
            "any-destination, bare '*' host or web-category allow."
        ),
        rationale=(
            "The hub firewall is the only way out of the lab spokes; an allow rule from or to "
            "anywhere turns it into an open path for ePHI to leave the network."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-1", "NS-3"),
        hitrust=("09.m",),
        remediation=(
            "Allow only the spokes' address prefixes (or IP groups) to the exact hosts a "
            "workload needs (components.firewall.LAB_PLATFORM_EGRESS); deny rules may use '*'."
        ),
        url=f"{_NET_DOCS}/firewall/rule-processing",
        phi_protecting=True,
        resource_types=frozenset({FIREWALL_POLICY_RULE_COLLECTION_GROUP}),
        check=check_firewall_allow_rules,
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
    ResourceRule(
        id="network-firewall-require-threat-intel-deny",
        description=(
            "Production Azure Firewalls without a firewall policy (classic rules) deny traffic "
            "to and from known-malicious addresses."
        ),
        rationale=(
            "A firewall with classic rules sets threat intelligence itself, and absent means "
            "Alert: known command-and-control and exfiltration endpoints would only be logged. "
            "Lab stacks may alert only (Basic, their tier, has no Deny), as for policies."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(e)(1)", "164.308(a)(1)(ii)(B)"),
        mcsb=("NS-3", "NS-10"),
        hitrust=("09.m",),
        remediation=(
            "Set threatIntelMode to 'Deny' on a Standard or Premium firewall, or better, "
            "associate a firewall policy (components.firewall always does)."
        ),
        url=f"{_NET_DOCS}/firewall/threat-intel",
        phi_protecting=False,
        profiles=frozenset({Profile.PRODUCTION}),
        resource_types=frozenset({FIREWALL}),
        check=check_classic_firewall_threat_intel,
    ),
    ResourceRule(
        id="network-firewallpolicy-require-idps-deny",
        description=(
            "Production Premium firewall policies run intrusion detection and prevention (IDPS) "
            "in Deny mode."
        ),
        rationale=(
            "IDPS matches traffic against signatures of known exploits and malware; in Alert "
            "mode (or Off, the default) an attack on hosts reaching ePHI is only logged. Only "
            "Premium has IDPS; the rule does not apply to other tiers."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(e)(1)", "164.306(a)(2)"),
        mcsb=("NS-4",),
        hitrust=("09.m",),
        remediation="Set intrusionDetection.mode to 'Deny' on the Premium firewall policy.",
        url=f"{_NET_DOCS}/firewall/premium-features",
        phi_protecting=False,
        profiles=frozenset({Profile.PRODUCTION}),
        resource_types=frozenset({FIREWALL_POLICY}),
        check=check_premium_policy_idps_deny,
    ),
    ResourceRule(
        id="network-vpngateway-require-entra-id-for-p2s",
        description=(
            "A VPN gateway's point-to-site users authenticate with Entra ID only "
            "(vpnAuthenticationTypes ['AAD'], protocol OpenVPN)."
        ),
        rationale=(
            "Point-to-site users reach private endpoints that hold ePHI. Entra ID sign-in gives "
            "each connection a named identity under Conditional Access and MFA, and access ends "
            "when the account is disabled; client certificates and RADIUS shared secrets are "
            "credentials that outlive the person and are not revoked with the account."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(e)(1)"),
        mcsb=("IM-1", "IM-6"),
        hitrust=("01.j",),
        remediation=(
            "Set vpnClientConfiguration.vpnAuthenticationTypes to ['AAD'] and vpnClientProtocols "
            "to ['OpenVPN'], with aadTenant, aadIssuer and aadAudience (the Microsoft-registered "
            "Azure VPN Client); components.vpn_gateway does."
        ),
        url=f"{_NET_DOCS}/vpn-gateway/point-to-site-entra-gateway",
        phi_protecting=True,
        resource_types=frozenset({VIRTUAL_NETWORK_GATEWAY}),
        check=check_p2s_entra_only,
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
