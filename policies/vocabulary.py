"""Names and values the landing zone and the policy pack must agree on: required tags and their
allowed values, US regions, the override-tag prefix, governance-record tags, Defender plans.

They live in the pack (which must stay importable on its own when the Pulumi CLI loads it) and
the components and stack configs import them from here, so there is one list, not two.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

DATA_CLASSIFICATIONS = ("phi", "confidential", "internal", "public")
CLASSIFICATION_TAG = "data-classification"
OWNER_TAG = "owner"
"""Who owns a resource; when it is an email address, stacks notify it (docs/alerts.md)."""
PHI = "phi"


def holds_phi(classification: str | None) -> bool:
    """Whether a ``data-classification`` value marks protected health information."""
    return (classification or "").strip().casefold() == PHI


ENVIRONMENTS = ("dev", "test", "prod")

MAX_TAGS = 50
"""Azure's limit of tags on one resource."""
TAG_NAME_MAX_LENGTH = 512
STORAGE_TAG_NAME_MAX_LENGTH = 128
"""Storage accounts accept shorter tag names than other resources."""
TAG_VALUE_MAX_LENGTH = 256
"""Azure's maximum length of a tag value: values hlz writes are refused, never cut, beyond it."""
TAG_NAME_FORBIDDEN = "<>%&\\?/"
"""Characters Azure refuses in a tag name."""

REQUIRED_TAGS: dict[str, tuple[str, ...] | None] = {
    OWNER_TAG: None,
    "cost-center": None,
    "environment": ENVIRONMENTS,
    CLASSIFICATION_TAG: DATA_CLASSIFICATIONS,
}
"""Required tag names (case-insensitive, as in Azure) -> allowed values (None: any non-empty)."""

ALLOWED_LOCATIONS = (
    "centralus",
    "eastus",
    "eastus2",
    "northcentralus",
    "southcentralus",
    "westcentralus",
    "westus",
    "westus2",
    "westus3",
)
"""US public-cloud regions: PHI stays in the US."""

OVERRIDE_TAG_PREFIX = "hlz-override-"
"""Tags ``hlz-override-<control>`` record a justified weakening of a secure default."""

LAB_TAG = "hlz-lab"
"""Tag on an AI lab's resource group, naming the lab: the rule that every lab has a consumption
budget (``cost-resourcegroup-require-budget``) judges the resource groups carrying it."""

RiskTier = Literal["minimal", "limited", "high"]
"""Responsible-AI risk tiers of a model deployment's use case (config and components use it)."""
RISK_TIERS: tuple[str, ...] = get_args(RiskTier)

HARM_CATEGORIES = ("Hate", "Sexual", "Violence", "Selfharm")
"""Content-filter harm categories: the components block each, the rules check each."""

GOVERNANCE_TAGS = {
    "use_case": "hlz-use-case",
    "risk_tier": "hlz-risk-tier",
    "approval_reference": "hlz-approval-reference",
    "approval_expires": "hlz-approval-expires",
    "owner": "hlz-accountable-owner",
    "processes_phi": "hlz-processes-phi",
}
"""Governance record of a model deployment -> the tag that carries each fact on the deployment."""


DEFENDER_PLANS: dict[str, str | None] = {
    "KeyVaults": "PerKeyVault",
    "StorageAccounts": "DefenderForStorageV2",
    "AI": None,
    "Arm": "PerSubscription",
    "CloudPosture": None,
}
"""Microsoft Defender for Cloud plans (``security:Pricing`` ``pricingName``) the landing zone turns
on for its subscription -> sub-plan (None: the plan's default): threat detection for the vaults,
storage (malware scanning), AI services and management plane that hold or reach ePHI, and
posture management. ``components.security_baseline`` creates one Pricing per plan; the
``defender-*`` rules require them."""


SUBNETS_WITHOUT_NSG: dict[str, str] = {
    "GatewaySubnet": "Azure does not support NSGs on the VPN/ExpressRoute gateway subnet",
    "AzureFirewallSubnet": "Azure Firewall subnets cannot have an NSG",
    "AzureFirewallManagementSubnet": "Azure Firewall management subnets cannot have an NSG",
    "RouteServerSubnet": "Azure Route Server subnets cannot have an NSG",
}
"""Azure-reserved subnet names (case-insensitive) that must not carry an NSG.

``AzureBastionSubnet`` is deliberately absent: Bastion supports an NSG (with its documented
rules) and must have one.
"""

PRIVATE_IPV4_RANGES: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
"""The RFC 1918 private IPv4 ranges: every VNet and subnet hlz creates, and every DNS server a
forwarding rule sends queries to, lies inside one."""

# --- DNS Private Resolver (https://learn.microsoft.com/azure/dns/dns-private-resolver-overview,
# "Restrictions"; https://learn.microsoft.com/azure/dns/private-resolver-endpoints-rulesets) -----

DNS_RESOLVER_DELEGATION = "Microsoft.Network/dnsResolvers"
"""The service an inbound or outbound endpoint's subnet is delegated to, and only to."""
DNS_RESOLVER_SUBNET_PREFIXES = (24, 28)
"""An endpoint's subnet is /28 (the smallest) to /24 (the largest)."""
DNS_FORWARDING_RULE_MAX_TARGETS = 6
"""Target DNS servers one forwarding rule may name (Azure DNS limits, "DNS private resolver")."""
DNS_FORWARDING_RULESET_MAX_RULES = 1000
"""Forwarding rules one ruleset may hold."""
AZURE_DNS_IP = "168.63.129.16"
"""Azure-provided DNS: Azure refuses it as a forwarding target ("Exception while making add
request for rule")."""
DNS_FORWARDING_DOMAIN_MAX_LABELS = 34
_DNS_LABEL = re.compile(r"[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?")


def forwarding_domain_problem(domain: str) -> str | None:
    """Why ``domain`` is not a forwarding rule's domain name, or None: dot-terminated, either
    ``.`` alone (every name) or 1 to 34 labels of letters, digits, hyphens and underscores."""
    if not domain.endswith("."):
        return f"'{domain}' does not end with '.'; a forwarding rule's domain is dot-terminated"
    if domain == ".":
        return None
    labels = domain[:-1].split(".")
    if len(labels) > DNS_FORWARDING_DOMAIN_MAX_LABELS:
        return (
            f"'{domain}' has {len(labels)} labels; a forwarding rule's domain has at most "
            f"{DNS_FORWARDING_DOMAIN_MAX_LABELS}"
        )
    for label in labels:
        if not label:
            return f"'{domain}' has an empty label ('..')"
        if not _DNS_LABEL.fullmatch(label):
            return (
                f"'{domain}' has the label '{label}'; labels are 1-63 letters, digits, hyphens "
                "and underscores, not starting or ending with a hyphen"
            )
    return None


FirewallTier = Literal["Basic", "Standard", "Premium"]
"""Azure Firewall and firewall policy tiers (``sku.tier``); ARM assumes Standard when absent."""
FIREWALL_TIERS: tuple[str, ...] = get_args(FirewallTier)
FIREWALL_DEFAULT_TIER = "Standard"
FIREWALL_TIERS_WITH_DNS_PROXY = frozenset({"Standard", "Premium"})
"""DNS proxy and custom DNS servers: ARM refuses them on Basic (400
FirewallPolicyHigherTierOnlyProperties). https://learn.microsoft.com/azure/firewall/features-by-sku"""
FIREWALL_TIERS_WITH_THREAT_INTEL_DENY = frozenset({"Standard", "Premium"})
"""Threat intelligence in Deny mode; Basic has Alert only (same page)."""
FIREWALL_TIERS_WITH_INTRUSION_DETECTION = frozenset({"Premium"})
"""Intrusion detection (IDPS) and TLS inspection are Premium only (same page)."""


VpnGatewaySku = Literal["VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"]
"""VPN gateway SKUs a new gateway can be created with (``sku.name`` and ``sku.tier``): the
zone-redundant AZ SKUs, deployed regionally where a region has no zones.
https://learn.microsoft.com/azure/vpn-gateway/gateway-sku-consolidation"""
VPN_GATEWAY_SKUS: tuple[str, ...] = get_args(VpnGatewaySku)
VPN_GATEWAY_NON_AZ_SKUS = ("VpnGw1", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5")
"""Non-AZ VPN gateway SKUs: none can be created since 1 January 2025 (existing ones are migrated
to the AZ SKUs); same page."""


def firewall_tier(value: object) -> str | None:
    """A ``sku.tier`` value as one of ``FIREWALL_TIERS`` (case-insensitive, absent means
    Standard); None for a value that is no known tier."""
    text = value if isinstance(value, str) else None
    if value is None:
        text = FIREWALL_DEFAULT_TIER
    if text is None:
        return None
    return next((tier for tier in FIREWALL_TIERS if tier.casefold() == text.casefold()), None)


FOUNDRY_ACCOUNT_KIND = "AIServices"
"""The Cognitive Services account ``kind`` of a Foundry resource: the only kind that holds
Foundry projects (``allowProjectManagement``) and registers in ``privatelink.services.ai.azure.com``
(https://learn.microsoft.com/azure/ai-foundry/how-to/upgrade-azure-openai)."""


AGENT_SUBNET_DELEGATION = "Microsoft.App/environments"
"""The service the subnet an account injects its Agent Service into is delegated to
(https://learn.microsoft.com/azure/foundry/agents/how-to/virtual-networks)."""
JUMP_HOST_SIZES = (
    "Standard_D2s_v5",
    "Standard_D4s_v5",
    "Standard_D2ds_v5",
    "Standard_D4ds_v5",
    "Standard_D2as_v5",
    "Standard_D4as_v5",
    "Standard_D2ads_v5",
    "Standard_D4ads_v5",
)
"""Sizes a lab jump host may use (``components.jump_host``; ``hlz cost`` prices each): 2 or 4
vCPUs of the D v5 family, which supports Trusted Launch
(https://learn.microsoft.com/azure/virtual-machines/trusted-launch#virtual-machines-sizes),
encryption at host, Premium SSD and accelerated networking
(https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/dsv5-series#feature-support).
A size outside the list may lack one of them, which Azure reports only at deployment."""

AGENT_SUBNET_MIN_PREFIX_LENGTH = 27
"""The smallest agent subnet Azure accepts: "the minimum size of your subnet should be /27 (32
addresses). A subnet size of /24 (256 addresses) is recommended" (same page); its size cannot
change once the account uses it."""
AGENT_NETWORK_INJECTION_LOCATIONS = ("eastus", "eastus2", "southcentralus", "westus", "westus3")
"""The allowed US regions where Microsoft's private-network standard agent setup deploys (the
``location`` allow-list of its template, https://github.com/microsoft-foundry/foundry-samples/
blob/main/infrastructure/infrastructure-setup-bicep/15-private-network-standard-agent-setup/
main.bicep): a lab elsewhere cannot inject the Agent Service into its spoke."""


@dataclass(frozen=True)
class SearchLimits:
    """What one Azure AI Search tier allows."""

    max_replicas: int
    partitions: tuple[int, ...]
    """Partition counts the tier accepts (not a range: 5 and 7-11 are refused)."""


_STANDARD_PARTITIONS = (1, 2, 3, 4, 6, 12)
SEARCH_LIMITS: Mapping[str, SearchLimits] = {
    "free": SearchLimits(1, (1,)),
    "basic": SearchLimits(3, (1, 2, 3)),
    "standard": SearchLimits(12, _STANDARD_PARTITIONS),
    "standard2": SearchLimits(12, _STANDARD_PARTITIONS),
    "standard3": SearchLimits(12, _STANDARD_PARTITIONS),
    "storage_optimized_l1": SearchLimits(12, _STANDARD_PARTITIONS),
    "storage_optimized_l2": SearchLimits(12, _STANDARD_PARTITIONS),
}
"""Azure AI Search ``sku.name`` -> replica and partition limits; the free tier is shared and
has no dedicated capacity, no customer-managed-key enforcement, no semantic ranker and no
private links. https://learn.microsoft.com/azure/search/search-limits-quotas-capacity"""

HIGH_DENSITY_PARTITIONS = (1, 2, 3)
"""Partitions of a standard3 service in hostingMode HighDensity (same page)."""

LAB_SEARCH_SKUS = ("standard", "standard2", "standard3")
"""Search tiers an AI lab may use. The lab always links its search service to its AI account over
a shared private link (``openai_account``) for the embedding skill and vectorizers. Microsoft
lists that from Basic only in high-capacity regions and for services created after 3 April 2024,
and other built-in skills over a private link from S2 (the prerequisites table of
https://learn.microsoft.com/azure/search/search-indexer-howto-access-private#prerequisites); an
offline plan cannot know a region's capacity, so a lab starts at S1 (``standard``): basic and
free are refused."""


GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
"""A GUID (use ``fullmatch``): Entra object ids, subscription ids, role assignment names."""
