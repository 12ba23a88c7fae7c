"""Deploy rules for networking: what Azure Resource Manager refuses in firewalls, firewall
policies, Bastion, public IPs, reserved subnets, private endpoints and zone placement.

Tier-gated features (from the Microsoft Learn pages each rule cites):

| feature                                   | Basic | Standard | Premium |
|-------------------------------------------|-------|----------|---------|
| firewall policy DNS proxy / custom DNS    | no    | yes      | yes     |
| threat intelligence mode                  | Alert | any      | any     |
| intrusion detection (IDPS), TLS inspection| no    | no       | yes     |
| firewall management IP configuration      | required (VNet firewalls) | optional | optional |
| firewall policy tier a firewall accepts   | Basic | Standard | Standard, Premium |

Bastion features by SKU are ``BASTION_FEATURES``; regions without availability zones are
``REGIONS_WITHOUT_ZONES``.
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
from ..props import as_bool, as_int, as_mapping, as_sequence, as_str, describe, get, is_set
from ..services import SERVICES
from ..vocabulary import (
    FIREWALL_DEFAULT_TIER,
    FIREWALL_TIERS_WITH_DNS_PROXY,
    FIREWALL_TIERS_WITH_INTRUSION_DETECTION,
    FIREWALL_TIERS_WITH_THREAT_INTEL_DENY,
    VPN_GATEWAY_NON_AZ_SKUS,
    VPN_GATEWAY_SKUS,
    firewall_tier,
)
from .deploy_support import ResourceIndex, arm_token_of_id, known_text
from .network import PRIVATE_LINK_CONNECTION_PROPERTIES, PRIVATE_LINK_TARGETS
from .relations import of_type
from .tokens import (
    BASTION_HOST,
    FIREWALL,
    FIREWALL_POLICY,
    PRIVATE_DNS_ZONE_GROUP,
    PRIVATE_ENDPOINT,
    PUBLIC_IP,
    STORAGE_ACCOUNT,
    SUBNET,
    VIRTUAL_NETWORK,
    VIRTUAL_NETWORK_GATEWAY,
)

DEPLOY = Category.DEPLOY

POLICY_TIERS_FOR_FIREWALL: Mapping[str, tuple[str, ...]] = {
    "basic": ("Basic",),
    "standard": ("Standard",),
    "premium": ("Standard", "Premium"),
}
"""Firewall tier -> firewall policy tiers it can be associated with."""

BASTION_SKUS = ("Developer", "Basic", "Standard", "Premium")
"""Bastion SKUs from the smallest feature set to the largest."""

BASTION_FEATURES: Mapping[str, str] = {
    "enableKerberos": "Basic",
    "disableCopyPaste": "Standard",
    "enableFileCopy": "Standard",
    "enableIpConnect": "Standard",
    "enableShareableLink": "Standard",
    "enableTunneling": "Standard",
    "enableSessionRecording": "Premium",
    "enablePrivateOnlyBastion": "Premium",
}
"""Bastion flag (true turns the feature on) -> the smallest SKU that has it (SKU comparison
table of the Bastion docs). Host scaling (``scaleUnits`` other than 2) needs Standard."""

BASTION_SCALE_UNITS = (2, 50)
"""Instances a Standard or Premium host can scale between; Basic runs exactly two."""

RESERVED_SUBNET_MAX_PREFIX: Mapping[str, int] = {
    "azurefirewallsubnet": 26,
    "azurefirewallmanagementsubnet": 26,
    "azurebastionsubnet": 26,
}
"""Azure-reserved subnet name (case-insensitive) -> the longest prefix Azure accepts (/26 or
larger). Smaller subnets are refused when the firewall or Bastion host is deployed into them."""

REGIONS_WITHOUT_ZONES = frozenset({"northcentralus", "westcentralus", "westus"})
"""Allowed US regions (``vocabulary.ALLOWED_LOCATIONS``) that have no availability zones, per
the Azure regions list (https://learn.microsoft.com/azure/reliability/regions-list); the others
(centralus, eastus, eastus2, southcentralus, westus2, westus3) have three."""

ZONE_REDUNDANT_STORAGE_MARK = "zrs"
"""Storage SKU names containing ZRS (Standard_ZRS, Premium_ZRS, Standard_GZRS, Standard_RAGZRS)
place replicas in availability zones."""

MAX_ZONE_CONFIGS = 5
"""Private DNS zones one zone group can hold."""


def _tier(props: Mapping[str, Any]) -> str:
    """The ``sku.tier`` of a firewall or policy as written; absent means Standard."""
    value = get(props, "sku", "tier")
    return as_str(value) or FIREWALL_DEFAULT_TIER


def _lacks(props: Mapping[str, Any], tiers: frozenset[str]) -> bool:
    """Whether the resource is of a known tier outside ``tiers`` (a feature it lacks)."""
    tier = firewall_tier(get(props, "sku", "tier"))
    return tier is not None and tier not in tiers


def _has(props: Mapping[str, Any], tiers: frozenset[str]) -> bool:
    return firewall_tier(get(props, "sku", "tier")) in tiers


def _location(props: Mapping[str, Any]) -> str | None:
    location = as_str(get(props, "location"))
    return location.replace(" ", "").casefold() if location else None


# --- firewall policy ----------------------------------------------------------------------------


def check_basic_policy_dns(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if not _lacks(props, FIREWALL_TIERS_WITH_DNS_PROXY):
        return NotApplicable(f"tier {_tier(props)}: DNS settings are available")
    reasons: list[str] = []
    proxy = get(props, "dnsSettings", "enableProxy")
    if as_bool(proxy) is True:
        reasons.append(
            "dnsSettings.enableProxy is true on a Basic policy (ARM 400 "
            "FirewallPolicyHigherTierOnlyProperties); remove dnsSettings or use Standard"
        )
    servers = [s for s in as_sequence(get(props, "dnsSettings", "servers")) if as_str(s)]
    if servers:
        reasons.append(
            f"dnsSettings.servers lists {len(servers)} custom DNS server(s) on a Basic policy; "
            "Basic uses Azure DNS only, remove them or use Standard"
        )
    return outcome_from(reasons)


def check_basic_policy_threat_intel(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if not _lacks(props, FIREWALL_TIERS_WITH_THREAT_INTEL_DENY):
        return NotApplicable(f"tier {_tier(props)}: every threat intelligence mode is available")
    mode = get(props, "threatIntelMode")
    if mode is None or (as_str(mode) or "").casefold() == "alert":
        return Compliant()
    return fail(
        f"threatIntelMode is {describe(mode)} on a Basic policy, which supports 'Alert' only; "
        "set 'Alert' (or use Standard for 'Deny')"
    )


def check_premium_policy_features(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    tier = get(props, "sku", "tier")
    if _has(props, FIREWALL_TIERS_WITH_INTRUSION_DETECTION):
        return Compliant()
    shown = f"{describe(tier)}" + (" (absent means Standard)" if tier is None else "")
    reasons: list[str] = []
    mode = as_str(get(props, "intrusionDetection", "mode"))
    if is_set(props, "intrusionDetection") and (mode or "").casefold() != "off":
        reasons.append(
            f"intrusionDetection is set but sku.tier is {shown}; IDPS is Premium only, use "
            "sku.tier 'Premium' or remove it"
        )
    if is_set(props, "transportSecurity"):
        reasons.append(
            f"transportSecurity (TLS inspection) is set but sku.tier is {shown}; it is Premium only"
        )
    return outcome_from(reasons)


# --- firewall -----------------------------------------------------------------------------------


def check_basic_firewall_management_ip(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if firewall_tier(get(props, "sku", "tier")) != "Basic":
        return NotApplicable(f"tier {_tier(props)}: a management NIC is optional")
    if (as_str(get(props, "sku", "name")) or "AZFW_VNet").casefold() != "azfw_vnet":
        return NotApplicable("secured virtual hub firewalls get their management NIC from Azure")
    missing = [
        part
        for part in ("subnet", "publicIPAddress")
        if not is_set(props, "managementIpConfiguration", part)
    ]
    if not missing:
        return Compliant()
    return fail(
        "managementIpConfiguration."
        + " and .".join(missing)
        + " not set; a Basic firewall always needs a management IP configuration (subnet "
        "AzureFirewallManagementSubnet, a Standard static public IP)"
    )


def check_firewall_policy_tier(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    outcomes: dict[str, Outcome] = {}
    for firewall in of_type(resources, FIREWALL):
        policies = index.upstream(firewall, ("firewallPolicy",), (FIREWALL_POLICY,))
        if not policies:
            outcomes[firewall.urn] = NotApplicable("its firewall policy is not in this stack")
            continue
        tier = _tier(firewall.props)
        accepted = POLICY_TIERS_FOR_FIREWALL.get(tier.casefold())
        if accepted is None:
            outcomes[firewall.urn] = NotApplicable(f"unknown firewall tier {describe(tier)}")
            continue
        reasons = [
            f"firewall '{firewall.name}' (tier {tier}) uses policy '{policy.name}' of tier "
            f"{_tier(policy.props)}; a {tier} firewall takes a {' or '.join(accepted)} policy"
            for policy in policies
            if _tier(policy.props).casefold() not in {t.casefold() for t in accepted}
        ]
        outcomes[firewall.urn] = outcome_from(reasons)
    return outcomes


# --- Bastion ------------------------------------------------------------------------------------


def check_bastion_sku_features(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    sku_value = get(props, "sku", "name")
    sku = as_str(sku_value) or "Standard"  # the SDK's and ARM's default
    rank = {name.casefold(): position for position, name in enumerate(BASTION_SKUS)}
    position = rank.get(sku.casefold())
    if position is None:
        return NotApplicable(f"unknown Bastion SKU {describe(sku_value)}")
    reasons = [
        f"{flag} is true but sku.name is '{sku}'; it needs the {needed} SKU or above"
        for flag, needed in BASTION_FEATURES.items()
        if as_bool(get(props, flag)) is True and position < rank[needed.casefold()]
    ]
    units_value = get(props, "scaleUnits")
    units = as_int(units_value)
    if units_value is not None and position < rank["standard"] and units != 2:
        reasons.append(
            f"scaleUnits is {describe(units_value)} but sku.name is '{sku}'; host scaling needs "
            "Standard (Basic runs two instances)"
        )
    low, high = BASTION_SCALE_UNITS
    if (
        units_value is not None
        and position >= rank["standard"]
        and not (units is not None and low <= units <= high)
    ):
        reasons.append(f"scaleUnits is {describe(units_value)}; use {low} to {high}")
    return outcome_from(reasons)


# --- public IPs ---------------------------------------------------------------------------------


def check_public_ip_sku_settings(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    sku = get(props, "sku", "name")
    allocation = get(props, "publicIPAllocationMethod")
    reasons: list[str] = []
    if (as_str(sku) or "").casefold() == "basic":
        reasons.append(
            "sku.name is 'Basic'; Basic public IPs were retired on 30 September 2025, use "
            "'Standard'"
        )
        if as_sequence(get(props, "zones")):
            reasons.append("zones is set on a Basic public IP, which cannot be zonal")
    elif (as_str(sku) or "").casefold() == "standard" and (
        (as_str(allocation) or "").casefold() == "dynamic"
    ):
        reasons.append(
            "publicIPAllocationMethod is 'Dynamic' on a Standard public IP, which is Static only"
        )
    return outcome_from(reasons)


def check_firewall_bastion_public_ips(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    users: dict[str, list[StackResource]] = {}
    for firewall in of_type(resources, FIREWALL):
        for ip in index.upstream(
            firewall, ("ipConfigurations", "managementIpConfiguration"), (PUBLIC_IP,)
        ):
            users.setdefault(ip.urn, []).append(firewall)
    for bastion in of_type(resources, BASTION_HOST):
        for ip in index.upstream(bastion, ("ipConfigurations",), (PUBLIC_IP,)):
            users.setdefault(ip.urn, []).append(bastion)
    outcomes: dict[str, Outcome] = {}
    for ip in of_type(resources, PUBLIC_IP):
        used_by = users.get(ip.urn)
        if not used_by:
            outcomes[ip.urn] = NotApplicable("not used by an Azure Firewall or Bastion host")
            continue
        names = ", ".join(f"'{user.name}'" for user in used_by)
        reasons: list[str] = []
        sku = get(ip.props, "sku", "name")
        if (as_str(sku) or "").casefold() != "standard":
            reasons.append(
                f"public IP '{ip.name}' (used by {names}) has sku.name {describe(sku)}; Azure "
                "Firewall and Bastion need 'Standard'"
            )
        allocation = get(ip.props, "publicIPAllocationMethod")
        if (as_str(allocation) or "").casefold() != "static":
            reasons.append(
                f"public IP '{ip.name}' (used by {names}) has publicIPAllocationMethod "
                f"{describe(allocation)}; Azure Firewall and Bastion need 'Static'"
            )
        outcomes[ip.urn] = outcome_from(reasons)
    return outcomes


# --- VPN gateways -------------------------------------------------------------------------------

_NON_AZ_SKUS = {sku.casefold() for sku in VPN_GATEWAY_NON_AZ_SKUS}


def check_vpn_gateway_az_sku(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons = [
        f"sku.{field} is '{text}'; non-AZ VPN gateway SKUs cannot be created since 1 January "
        f"2025: use {', '.join(VPN_GATEWAY_SKUS)}"
        for field in ("name", "tier")
        if (text := as_str(get(props, "sku", field))) is not None
        and text.casefold() in _NON_AZ_SKUS
    ]
    return outcome_from(reasons)


# --- reserved subnets ---------------------------------------------------------------------------


def _prefix_problems(subnet: Any, name: str, label: str) -> list[str]:
    longest = RESERVED_SUBNET_MAX_PREFIX[name.casefold()]
    prefixes = [get(subnet, "addressPrefix"), *as_sequence(get(subnet, "addressPrefixes"))]
    problems: list[str] = []
    for prefix in prefixes:
        text = as_str(prefix)
        if text is None:
            continue
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            continue  # not an address prefix: Azure rejects it on its own
        if network.version == 4 and network.prefixlen > longest:
            problems.append(
                f"{label} ('{name}') is {text}; Azure needs /{longest} or larger for {name}"
            )
    return problems


def check_reserved_subnet_size(resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if resource_type == VIRTUAL_NETWORK:
        reasons: list[str] = []
        for position, subnet in enumerate(as_sequence(get(props, "subnets"))):
            name = as_str(get(subnet, "name"))
            if name is not None and name.casefold() in RESERVED_SUBNET_MAX_PREFIX:
                reasons += _prefix_problems(subnet, name, f"subnets[{position}]")
        return outcome_from(reasons)
    name = as_str(get(props, "subnetName"))
    if name is None or name.casefold() not in RESERVED_SUBNET_MAX_PREFIX:
        return NotApplicable(f"subnet {describe(name)} is not a reserved subnet")
    return outcome_from(_prefix_problems(props, name, "subnet"))


# --- private endpoints --------------------------------------------------------------------------


def allowed_group_ids(token: str) -> tuple[str, ...]:
    """The private endpoint group ids ``token`` offers (its catalogue row's ``private_link`` in
    ``policies.services``), () when it is no private-link target."""
    row = SERVICES.get(token)
    link = row.private_link if row is not None else None
    return link.group_ids if link is not None else ()


def _target_token(
    endpoint: StackResource, connection: Any, prop: str, index: ResourceIndex
) -> str | None:
    literal = known_text(connection, "privateLinkServiceId")
    if literal is not None:
        return arm_token_of_id(literal)
    targets = {r.resource_type for r in index.upstream(endpoint, (prop,), PRIVATE_LINK_TARGETS)}
    return targets.pop() if len(targets) == 1 else None


def _endpoint_group_outcome(endpoint: StackResource, index: ResourceIndex) -> Outcome:
    reasons: list[str] = []
    checked = 0
    for prop in PRIVATE_LINK_CONNECTION_PROPERTIES:
        for position, connection in enumerate(as_sequence(get(endpoint.props, prop))):
            token = _target_token(endpoint, connection, prop, index)
            allowed = allowed_group_ids(token) if token else ()
            if not allowed:
                continue
            checked += 1
            groups = [as_str(g) for g in as_sequence(get(connection, "groupIds"))]
            kind = (token or "").rsplit(":", 1)[-1]
            label = f"{prop}[{position}].groupIds"
            if not any(groups):
                reasons.append(
                    f"{label} is empty; the target ({kind}) takes one of {', '.join(allowed)}"
                )
            reasons += [
                f"{label} has '{group}', which the target ({kind}) does not offer; use one of "
                f"{', '.join(allowed)}"
                for group in groups
                if group and group.casefold() not in {a.casefold() for a in allowed}
            ]
    if not checked:
        return NotApplicable("no connection to a resource type with recorded group ids")
    return outcome_from(reasons)


def check_private_endpoint_group_ids(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    return {
        endpoint.urn: _endpoint_group_outcome(endpoint, index)
        for endpoint in of_type(resources, PRIVATE_ENDPOINT)
    }


def check_zone_group_configs(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    configs = as_sequence(get(props, "privateDnsZoneConfigs"))
    reasons: list[str] = []
    if len(configs) > MAX_ZONE_CONFIGS:
        reasons.append(
            f"privateDnsZoneConfigs has {len(configs)} entries; a zone group holds at most "
            f"{MAX_ZONE_CONFIGS} zones"
        )
    for position, config in enumerate(configs):
        if as_mapping(config) is None:
            reasons.append(f"privateDnsZoneConfigs[{position}] is not an object")
            continue
        if not is_set(config, "name"):
            reasons.append(f"privateDnsZoneConfigs[{position}].name is not set; name each config")
        if not is_set(config, "privateDnsZoneId"):
            reasons.append(f"privateDnsZoneConfigs[{position}].privateDnsZoneId is not set")
    return outcome_from(reasons)


# --- availability zones -------------------------------------------------------------------------


def check_zones_in_zonal_region(resource_type: str, props: Mapping[str, Any]) -> Outcome:
    location = _location(props)
    if location is None or location not in REGIONS_WITHOUT_ZONES:
        return NotApplicable(f"location {describe(location)} has availability zones or is unknown")
    if resource_type == STORAGE_ACCOUNT:
        sku = as_str(get(props, "sku", "name")) or ""
        if ZONE_REDUNDANT_STORAGE_MARK in sku.casefold():
            return fail(
                f"sku.name is '{sku}' but {location} has no availability zones; use a region "
                "with zones or an LRS/GRS SKU"
            )
        return Compliant()
    zones = [z for z in as_sequence(get(props, "zones")) if as_str(z)]
    if zones:
        return fail(
            f"zones is {', '.join(map(str, zones))} but {location} has no availability zones; "
            "remove zones or use a region with zones"
        )
    return Compliant()


_FIREWALL_DOCS = "https://learn.microsoft.com/azure/firewall"

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="deploy-firewallpolicy-disallow-basic-dns-settings",
        category=DEPLOY,
        description="Basic firewall policies have no DNS proxy and no custom DNS servers.",
        rationale=(
            "ARM refuses the policy with 400 FirewallPolicyHigherTierOnlyProperties ('DNS Proxy "
            "and Custom DNS'): Basic uses Azure DNS only."
        ),
        severity=Severity.HIGH,
        remediation="Remove dnsSettings from a Basic policy, or use the Standard tier.",
        url=f"{_FIREWALL_DOCS}/features-by-sku",
        resource_types=frozenset({FIREWALL_POLICY}),
        check=check_basic_policy_dns,
    ),
    ResourceRule(
        id="deploy-firewallpolicy-restrict-basic-threat-intel",
        category=DEPLOY,
        description="Basic firewall policies use threat intelligence in Alert mode.",
        rationale="Threat intelligence on Basic alerts only; it cannot deny traffic.",
        severity=Severity.MEDIUM,
        remediation="Set threatIntelMode to 'Alert' (or leave it unset) on Basic policies.",
        url=f"{_FIREWALL_DOCS}/features-by-sku",
        resource_types=frozenset({FIREWALL_POLICY}),
        check=check_basic_policy_threat_intel,
    ),
    ResourceRule(
        id="deploy-firewallpolicy-restrict-premium-features",
        category=DEPLOY,
        description=(
            "Intrusion detection (IDPS) and TLS inspection are set only on Premium policies."
        ),
        rationale="IDPS and TLS inspection exist only in the Premium tier.",
        severity=Severity.HIGH,
        remediation=(
            "Use sku.tier 'Premium' for intrusionDetection or transportSecurity, or remove them."
        ),
        url=f"{_FIREWALL_DOCS}/features-by-sku",
        resource_types=frozenset({FIREWALL_POLICY}),
        check=check_premium_policy_features,
    ),
    ResourceRule(
        id="deploy-firewall-require-basic-management-ip",
        category=DEPLOY,
        description="Basic VNet firewalls have a management IP configuration.",
        rationale=(
            "Every Basic firewall runs a management NIC in AzureFirewallManagementSubnet with its "
            "own public IP; ARM refuses a Basic firewall without one."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Set managementIpConfiguration {subnet: AzureFirewallManagementSubnet (/26), "
            "publicIPAddress: a Standard static public IP}."
        ),
        url=f"{_FIREWALL_DOCS}/management-nic",
        resource_types=frozenset({FIREWALL}),
        check=check_basic_firewall_management_ip,
    ),
    StackRule(
        id="deploy-firewall-restrict-policy-tier",
        category=DEPLOY,
        description=(
            "A firewall's policy has a tier the firewall accepts (Basic-Basic, Standard-Standard, "
            "Premium-Standard or Premium)."
        ),
        rationale="ARM refuses to associate a policy of another tier with the firewall.",
        severity=Severity.HIGH,
        remediation="Create the policy with the firewall's tier (components.firewall does).",
        url="https://learn.microsoft.com/azure/firewall-manager/policy-overview",
        resource_types=frozenset({FIREWALL}),
        check=check_firewall_policy_tier,
    ),
    ResourceRule(
        id="deploy-bastion-restrict-sku-features",
        category=DEPLOY,
        description="Bastion hosts turn on only features their SKU has.",
        rationale=(
            "Copy/paste control, file copy, IP connect, shareable links, native client "
            "(tunneling) and host scaling need Standard; session recording and private-only "
            "need Premium; Kerberos needs Basic. ARM refuses the host otherwise."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Leave Standard-only flags unset (false) on Basic hosts, or use the SKU the feature "
            "needs (components.bastion derives them from the SKU)."
        ),
        url="https://learn.microsoft.com/azure/bastion/configuration-settings",
        resource_types=frozenset({BASTION_HOST}),
        check=check_bastion_sku_features,
    ),
    ResourceRule(
        id="deploy-publicip-restrict-sku-settings",
        category=DEPLOY,
        description=(
            "Public IPs use the Standard SKU, and Standard public IPs are statically allocated."
        ),
        rationale=(
            "Standard public IPs support only static allocation; Basic ones cannot be zonal and "
            "were retired on 30 September 2025."
        ),
        severity=Severity.HIGH,
        remediation="Set sku.name 'Standard' and publicIPAllocationMethod 'Static'.",
        url="https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses",
        resource_types=frozenset({PUBLIC_IP}),
        check=check_public_ip_sku_settings,
    ),
    StackRule(
        id="deploy-publicip-require-standard-static",
        category=DEPLOY,
        description="Public IPs of Azure Firewalls and Bastion hosts are Standard and Static.",
        rationale=(
            "Azure Firewall and Bastion accept only Standard SKU, statically allocated public "
            "IPs; ARM refuses the firewall or host otherwise."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Set sku.name 'Standard' and publicIPAllocationMethod 'Static' explicitly on their "
            "public IPs."
        ),
        url="https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses",
        resource_types=frozenset({PUBLIC_IP}),
        check=check_firewall_bastion_public_ips,
    ),
    ResourceRule(
        id="deploy-subnet-require-reserved-subnet-size",
        category=DEPLOY,
        description=(
            "AzureFirewallSubnet, AzureFirewallManagementSubnet and AzureBastionSubnet are /26 or "
            "larger."
        ),
        rationale=(
            "Azure Firewall needs a /26 for its scale-out instances, its management NIC a /26, "
            "and Bastion a /26; deploying into a smaller subnet fails."
        ),
        severity=Severity.HIGH,
        remediation="Give these subnets a /26 (or larger) address prefix.",
        url=f"{_FIREWALL_DOCS}/firewall-faq",
        resource_types=frozenset({SUBNET, VIRTUAL_NETWORK}),
        check=check_reserved_subnet_size,
    ),
    StackRule(
        id="deploy-privateendpoint-restrict-group-ids",
        category=DEPLOY,
        description=(
            "Private endpoint connections ask for a group id the target resource type offers."
        ),
        rationale=(
            "ARM refuses a private endpoint whose groupIds name a sub-resource the target does "
            "not have (e.g. 'blob' on a Key Vault)."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Use the target's group id: vault, blob/dfs/file/queue/table, account, "
            "healthcareworkspace (network.PRIVATE_LINK_TARGETS)."
        ),
        url="https://learn.microsoft.com/azure/private-link/private-endpoint-overview",
        resource_types=frozenset({PRIVATE_ENDPOINT}),
        check=check_private_endpoint_group_ids,
    ),
    ResourceRule(
        id="deploy-privatednszonegroup-restrict-zone-configs",
        category=DEPLOY,
        description=(
            f"Private DNS zone groups hold at most {MAX_ZONE_CONFIGS} zone configs, each named "
            "and pointing at a zone."
        ),
        rationale=(
            f"A DNS zone group supports up to {MAX_ZONE_CONFIGS} DNS zones; ARM refuses more, and "
            "unnamed configs fail to apply."
        ),
        severity=Severity.MEDIUM,
        remediation=(
            f"Split zones over endpoints (at most {MAX_ZONE_CONFIGS} per group) and give each "
            "privateDnsZoneConfigs entry a name and privateDnsZoneId."
        ),
        url="https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration",
        resource_types=frozenset({PRIVATE_DNS_ZONE_GROUP}),
        check=check_zone_group_configs,
    ),
    ResourceRule(
        id="deploy-vpngateway-require-az-sku",
        category=DEPLOY,
        description="New VPN gateways use an AZ SKU (VpnGw1AZ-VpnGw5AZ), not VpnGw1-VpnGw5.",
        rationale=(
            "Since 1 January 2025 Azure creates no VPN gateway with a non-AZ SKU (VpnGw1-5); "
            "existing ones are migrated to the AZ SKUs, which deploy regionally where a region "
            "has no availability zones."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Set sku.name and sku.tier to the matching AZ SKU (VpnGw1 -> VpnGw1AZ); "
            "components.vpn_gateway offers the AZ SKUs only."
        ),
        url="https://learn.microsoft.com/azure/vpn-gateway/gateway-sku-consolidation",
        resource_types=frozenset({VIRTUAL_NETWORK_GATEWAY}),
        check=check_vpn_gateway_az_sku,
    ),
    ResourceRule(
        id="deploy-resource-restrict-zones-to-zonal-regions",
        category=DEPLOY,
        description=(
            "Zone-redundant storage SKUs and zonal public IPs or firewalls are placed only in "
            "regions with availability zones."
        ),
        rationale=(
            f"{', '.join(sorted(REGIONS_WITHOUT_ZONES))} have no availability zones; ARM refuses "
            "ZRS/GZRS storage and zones there."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Use a region with zones (eastus2, centralus, ...) or drop zones / use LRS or GRS."
        ),
        url="https://learn.microsoft.com/azure/reliability/regions-list",
        resource_types=frozenset({STORAGE_ACCOUNT, PUBLIC_IP, FIREWALL}),
        check=check_zones_in_zonal_region,
    ),
)
