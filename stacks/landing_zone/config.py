"""The landing-zone stack's configuration (``hlz:*`` keys of ``Pulumi.<stack>.yaml``).

Validated in full before any resource is registered: structural problems (types, unknown or
missing keys) first, then every semantic problem at once, each naming its config key.
"""

from __future__ import annotations

import ipaddress
from datetime import date
from typing import Any, Literal

from pydantic import Field

from components.alerts import AlertsSpec
from components.bastion import native_client_problem
from components.dns_resolver import DnsResolverSpec, loop_problems
from components.hub_network import HubSubnetPrefixes
from components.naming import Namer, unique_suffix
from components.shared import Override
from components.specs import EntraObjectIds, PrivateCidr, cidr_problem
from components.vpn_gateway import VpnGatewaySpec
from hlz.cost.assumptions import CostAssumptions
from policies.alerting import ACTION_GROUP_SHORT_NAME_MAX
from policies.clock import utc_today
from stacks.common import (
    LAB_NAME,
    ConfigModel,
    LayerConfig,
    key,
    lab_profile_override,
    location_problems,
    overlap_problems,
    parse_model,
    raise_if,
    tag_problems,
)

FirewallSku = Literal["none", "Basic", "Standard", "Premium"]

PRODUCTION_MINIMUM_RETENTION_DAYS = 365
SOURCE = "landing-zone configuration"


class HubConfig(ConfigModel):
    address_space: PrivateCidr
    """The hub VNet's private IPv4 range, e.g. 10.0.0.0/22."""
    subnets: HubSubnetPrefixes
    """Prefixes of the hub's subnets, each inside hlz:hub.addressSpace."""


class LandingZoneConfig(LayerConfig):
    layer: Literal["landing_zone"]
    """Which program the stack runs: ``landing_zone``."""
    hub: HubConfig
    """The hub VNet: address space and subnet prefixes."""
    spokes: dict[str, PrivateCidr] = Field(default_factory=dict)
    """Spoke allocation table: lab name -> address space. AI-lab stacks must use exactly theirs.
    ``hlz lab new`` adds an entry, allocated from hlz:spokeAddressPool."""
    spoke_address_pool: list[PrivateCidr] = Field(default_factory=list)
    """The ranges AI-lab spokes are allocated from: ``hlz lab new`` gives a new lab the first
    free block of its size in them (in the order listed), clear of the hub, every spoke and the
    VPN clients' pool of every landing zone in the project. Every hlz:spokes entry must lie
    inside one of them; they must not overlap each other. Default: none — spokes are allocated
    by hand (``hlz lab new`` asks for a pool)."""
    firewall: FirewallSku = "Standard"
    """Azure Firewall tier or ``none``. Default Standard; production needs Standard or Premium."""
    bastion: bool = True
    """Deploy Azure Bastion (Standard in production, Basic in lab). Default: true."""
    bastion_native_client_override: Override | None = None
    """Turns on the Standard Bastion's native client support (``az network bastion ssh`` and
    ``tunnel`` from a workstation): why lab members need it, and until when. A tunnel carries
    files too (scp), past the Bastion's disabled copy/paste and file copy, so it is off by
    default; members sign in with Microsoft Entra ID from the Azure portal without it. Not on a
    Basic Bastion (the lab profile's). Default: not set."""
    ddos_protection: bool | None = None
    """DDoS protection plan. Default: on in production, off in lab (it costs ~$3k/month).
    Production turns it off only with ``hlz:ddosProtectionOverride``."""
    ddos_protection_override: Override | None = None
    """Required to set ``hlz:ddosProtection: false`` in production: why the hub's public IPs
    (firewall, Bastion) can go without a DDoS plan, and until when. Default: not set."""
    log_retention_days: int | None = Field(default=None, ge=30, le=730, strict=True)
    """Log Analytics retention. Default: 365 in production (the minimum there), 90 in lab."""
    platform_admin_group_ids: EntraObjectIds = Field(default_factory=list)
    """Entra group object ids of platform admins (Key Vault Administrator)."""
    vpn_gateway: VpnGatewaySpec | None = None
    """Point-to-site VPN gateway in the hub (OpenVPN, Entra ID sign-in only): its SKU (an AZ
    SKU, default VpnGw1AZ) and the clients' address pool, which must not overlap the hub or the
    spokes. Needs hlz:hub.subnets.gateway. Default: none (it takes 45+ minutes to create and is
    billed per gateway-hour)."""
    dns_resolver: DnsResolverSpec | None = None
    """DNS Private Resolver in the hub: on-premises DNS servers forward the private endpoints'
    zones to its inbound endpoint (exported as dnsResolverInboundIp), and its forwarding rules
    send the on-premises domains (each dot-terminated, to 1-6 private DNS servers) from the hub
    and every AI lab spoke to on-premises. Needs hlz:hub.subnets.dnsResolverInbound and
    dnsResolverOutbound. Default: none."""
    alerts: AlertsSpec = Field(default_factory=AlertsSpec)
    """Who the landing zone's action group tells: every baseline alert rule (firewall, platform
    Key Vault, Bastion, VPN gateway and each AI lab's resources) and every lab budget notifies it.
    Default: the ``owner`` tag's address (docs/alerts.md)."""
    cost: CostAssumptions = Field(default_factory=CostAssumptions)
    """Usage ``hlz cost`` assumes for usage-priced charges (GB, operations, tokens...): only
    ``hlz cost`` reads it; nothing is deployed from it. Default: every assumption's default
    (docs/cost.md)."""

    # Derived settings: the table of what each profile turns on lives here, in one place.
    @property
    def ddos_enabled(self) -> bool:
        return self.production if self.ddos_protection is None else self.ddos_protection

    @property
    def retention_days(self) -> int:
        if self.log_retention_days is not None:
            return self.log_retention_days
        return PRODUCTION_MINIMUM_RETENTION_DAYS if self.production else 90

    @property
    def key_vault_sku(self) -> Literal["standard", "premium"]:
        """Premium (HSM-backed keys) in production and whenever the landing zone holds PHI:
        premium vaults have no standing cost, only HSM key and operation charges."""
        return "premium" if self.production or self.phi else "standard"

    @property
    def bastion_sku(self) -> Literal["Basic", "Standard"] | None:
        if not self.bastion:
            return None
        return "Standard" if self.production else "Basic"

    @property
    def bastion_native_client(self) -> bool:
        """Whether the Bastion offers native client connections (exported for the AI labs)."""
        return self.bastion_native_client_override is not None

    @property
    def firewall_tier(self) -> Literal["Basic", "Standard", "Premium"] | None:
        return None if self.firewall == "none" else self.firewall

    @property
    def platform_emails(self) -> list[str]:
        """The action group's receivers: hlz:alerts.platformEmails, else the owner tag (an
        email address; ``semantic_problems`` refuses a config with neither)."""
        if self.alerts.platform_emails is not None:
            return list(self.alerts.platform_emails)
        return [self.owner_email] if self.owner_email is not None else []

    @property
    def action_group_short_name(self) -> str:
        """The sender name of alert emails: the prefix, cut to Azure's 12 characters."""
        return self.prefix[:ACTION_GROUP_SHORT_NAME_MAX]

    @property
    def ddos_override(self) -> Override | None:
        """Why the hub has no DDoS plan: the configured override, else the lab profile's reason
        (production without a plan needs a configured override: ``semantic_problems``)."""
        if self.ddos_enabled:
            return None
        return self.ddos_protection_override or lab_profile_override("ddos_protection")


def planned_names(config: LandingZoneConfig, stack: str) -> Namer:
    return Namer(prefix=config.prefix, suffix=unique_suffix(stack, "landing_zone"))


# Names the landing zone creates, checked against Azure's limits with the configured prefix.
NAMED_RESOURCES = {
    "resource_group": "connectivity",
    "virtual_network": "hub",
    "key_vault": "plat",
    "log_analytics": "platform",
    "application_insights": "platform",
    "firewall": "hub",
    "network_security_group": "hub-private-endpoints",
    "private_endpoint": "ampls",
    "action_group": "platform",
}


def semantic_problems(
    config: LandingZoneConfig, stack: str, today: date | None = None
) -> list[tuple[str, str]]:
    today = today or utc_today()
    problems: list[tuple[str, str]] = []
    problems += location_problems(config.location, key("location"))
    problems += tag_problems(config.tags, key("tags"))
    problems += [
        (key("prefix"), message)
        for message in planned_names(config, stack).problems(NAMED_RESOURCES.items())
    ]

    hub_key = key("hub", "addressSpace")
    ranges: dict[str, str] = {hub_key: config.hub.address_space}
    hub_network = ipaddress.IPv4Network(config.hub.address_space)
    subnets = config.hub.subnets
    subnet_ranges: dict[str, str] = {}
    for name, prefix in subnets.model_dump(by_alias=True).items():
        if prefix is None:
            continue
        subnet_key = key("hub", "subnets", name)
        subnet_ranges[subnet_key] = prefix
        if not ipaddress.IPv4Network(prefix).subnet_of(hub_network):
            problems.append(
                (subnet_key, f"{prefix} is outside {hub_key} ({config.hub.address_space})")
            )
    problems += overlap_problems(subnet_ranges)
    for field, why in subnets.missing(
        config.firewall_tier,
        config.bastion,
        config.vpn_gateway is not None,
        config.dns_resolver is not None,
    ):
        alias = HubSubnetPrefixes.model_fields[field].alias or field
        problems.append((key("hub", "subnets", alias), why))

    for lab, cidr in config.spokes.items():
        spoke_key = key("spokes", lab)
        if not LAB_NAME.fullmatch(lab):
            problems.append((spoke_key, "lab names are 3-16 lowercase letters, digits and hyphens"))
        ranges[spoke_key] = cidr
    problems += _pool_problems(config)
    if config.vpn_gateway is not None:
        ranges[key("vpnGateway", "clientAddressPool")] = config.vpn_gateway.client_address_pool
    problems += overlap_problems(ranges)

    problems += config.recipients_problem(
        config.alerts.platform_emails, key("alerts", "platformEmails")
    )
    problems += _dns_resolver_problems(config)
    problems += _ddos_problems(config, today)
    problems += _native_client_problems(config, today)
    if config.production:
        if config.firewall not in ("Standard", "Premium"):
            problems.append(
                (key("firewall"), f"production requires Standard or Premium, not {config.firewall}")
            )
        if config.retention_days < PRODUCTION_MINIMUM_RETENTION_DAYS:
            problems.append(
                (
                    key("logRetentionDays"),
                    f"{config.retention_days} days is too short; production keeps audit logs at "
                    f"least {PRODUCTION_MINIMUM_RETENTION_DAYS} days",
                )
            )
    return problems


def _pool_problems(config: LandingZoneConfig) -> list[tuple[str, str]]:
    """The pool's blocks do not overlap each other, and every spoke lies inside one of them."""
    pool = config.spoke_address_pool
    if not pool:
        return []
    problems = overlap_problems(
        {f"{key('spokeAddressPool')}[{index}]": cidr for index, cidr in enumerate(pool)}
    )
    blocks = [ipaddress.IPv4Network(cidr) for cidr in pool]
    listed = ", ".join(pool)
    for lab, cidr in config.spokes.items():
        if cidr_problem(cidr) is not None:
            continue  # reported with the spoke's shape
        if not any(ipaddress.IPv4Network(cidr).subnet_of(block) for block in blocks):
            problems.append(
                (
                    key("spokes", lab),
                    f"{cidr} is outside {key('spokeAddressPool')} ({listed}): add its range to "
                    "the pool, or move the spoke into it",
                )
            )
    return problems


def _dns_resolver_problems(config: LandingZoneConfig) -> list[tuple[str, str]]:
    """A forwarding target in the resolver's own inbound subnet: the hub is linked to the
    ruleset, so its queries would come back to the resolver (a loop)."""
    inbound = config.hub.subnets.dns_resolver_inbound
    if config.dns_resolver is None or inbound is None:
        return []
    return [
        (key("dnsResolver", f"forwardingRules[{rule}]", f"targets[{target}]", "ip"), why)
        for rule, target, why in loop_problems(config.dns_resolver, inbound)
    ]


def _ddos_problems(config: LandingZoneConfig, today: date) -> list[tuple[str, str]]:
    """Production keeps its DDoS plan unless an override says why not; an override is only
    accepted where it weakens something, and not past its expiry."""
    override = config.ddos_protection_override
    override_key = key("ddosProtectionOverride")
    if config.ddos_enabled:
        if override is not None:
            return [(override_key, "only applies with hlz:ddosProtection: false; remove it")]
        return []
    if override is None:
        if config.production:
            return [
                (
                    key("ddosProtection"),
                    "production keeps a DDoS protection plan on the hub's public IPs; to go "
                    "without, add hlz:ddosProtectionOverride with a reason (and an expiry)",
                )
            ]
        return []
    expired = override.expiry_problem(today)
    return [(f"{override_key}.expires", expired)] if expired is not None else []


def _native_client_problems(config: LandingZoneConfig, today: date) -> list[tuple[str, str]]:
    """Native client support needs a Standard Bastion; its override is refused past its expiry."""
    override = config.bastion_native_client_override
    override_key = key("bastionNativeClientOverride")
    if override is None:
        return []
    if config.bastion_sku is None:
        return [(override_key, "only applies with hlz:bastion: true; remove it")]
    problem = native_client_problem(config.bastion_sku)
    if problem is not None:  # Basic: the lab profile's SKU
        return [
            (
                override_key,
                f"{problem} (the lab profile's); lab members sign in with Microsoft Entra ID "
                "from the Azure portal on Basic too; remove the override",
            )
        ]
    expired = override.expiry_problem(today)
    return [(f"{override_key}.expires", expired)] if expired is not None else []


def load_landing_zone_config(
    raw: dict[str, Any], stack: str, today: date | None = None
) -> LandingZoneConfig:
    """Parse and fully validate; raises ConfigError listing every problem."""
    config = parse_model(LandingZoneConfig, raw, SOURCE)
    raise_if(semantic_problems(config, stack, today), SOURCE)
    return config


__all__ = ["LandingZoneConfig", "load_landing_zone_config"]
