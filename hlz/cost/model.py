"""The pricing model: for each planned resource type, which meters it is billed on and with
which quantity — a fixed charge per hour or month, or usage from ``hlz:cost`` — or why it costs
nothing. A type the model does not know is never silently free: its line says "price unknown:
no pricing rule".

| type                                   | charges                                              |
|----------------------------------------|------------------------------------------------------|
| Azure Firewall                         | deployment hours (tier); GB processed                |
| public IP                              | static IP hours (Standard regional or Global)         |
| Bastion, DDoS plan, VPN gateway        | hours (SKU)                                          |
| private endpoint, search shared link   | endpoint hours; GB in and GB out                     |
| virtual network peering                | GB in and GB out                                     |
| private DNS zone                       | per zone; resolver endpoints and rulesets            |
| Key Vault vault / key                  | operations / HSM key per month, operations, rotations|
| Log Analytics workspace                | GB ingested (5 GB/month free), GB retained > 31 days |
| Defender for Cloud plan                | per protected vault / storage account / subscription |
| model deployment                       | input and output tokens from capacity and utilisation|
| virtual machine                        | compute hours; Premium SSD disk tier                 |
| Cosmos DB account                      | 100 RU/s-hours per region; GB stored; backup         |
| FHIR / DICOM service                   | GB stored; API requests                              |
| AI Search service                      | search units (replicas x partitions); semantic queries|
| storage account                        | GB stored (hot); write and read operations           |
| API Management                         | units x capacity; calls beyond the included ones     |

Every other type the stacks plan is free, with the reason (``FREE``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hlz.cost.assumptions import CostAssumptions, key_of
from hlz.cost.meters import (
    APIM_SKUS,
    PREMIUM_SSD_SIZES,
    SEARCH_SKUS,
    STORAGE_REDUNDANCIES,
    apim_sku_name,
    model_meters,
    vm_meter_key,
)
from hlz.plan_document import UNKNOWN_MARK
from policies.props import get
from policies.rules import tokens as t
from policies.vocabulary import VPN_GATEWAY_SKUS, firewall_tier

DEFENDER_METERS = {
    ("KeyVaults", "PerKeyVault"): "defender.KeyVaults.PerKeyVault",
    ("StorageAccounts", "DefenderForStorageV2"): "defender.StorageAccounts.DefenderForStorageV2",
    ("Arm", "PerSubscription"): "defender.Arm.PerSubscription",
}
LOG_ANALYTICS_INCLUDED_RETENTION_DAYS = 31
"""Days of interactive retention Log Analytics includes in the ingestion price."""
DAYS_PER_HOUR = 1 / 24


@dataclass(frozen=True)
class Resource:
    """One managed resource of the plan, as the model reads it."""

    urn: str
    token: str
    """Its type as the pack judges it (a generic resource as the typed one it creates)."""
    props: Mapping[str, Any]
    region: str

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Charge:
    """One billing dimension of a resource: ``count`` units on an hourly or monthly meter, or
    ``quantity`` base units (GB, tokens, operations, requests) on a usage meter."""

    what: str
    meter: str
    count: float = 1
    hours: float | None = None
    """Hours each unit exists, for an hourly meter (default: ``hoursPerMonth``)."""
    quantity: float | None = None
    """Base units of a usage meter; None for a meter priced per hour or month."""
    basis: str = ""
    """The usage and where it comes from, e.g. ``100 GB (hlz:cost.firewallDataGb)``."""


@dataclass(frozen=True)
class Unpriced:
    """A charge the model knows exists but cannot price (no meter, or a value unknown)."""

    what: str
    reason: str


@dataclass(frozen=True)
class Free:
    reason: str


Priced = list[Charge | Unpriced] | Free


@dataclass(frozen=True)
class Context:
    """What a rule may read besides its resource: the assumptions and the plan's other
    resources (a VM's shutdown schedule, the vaults a Defender plan protects)."""

    assumptions: CostAssumptions
    resources: tuple[Resource, ...]

    @property
    def hours(self) -> float:
        return self.assumptions.hours_per_month

    def count(self, token: str) -> int:
        return sum(1 for resource in self.resources if resource.token == token)

    def shut_down_daily(self, vm: Resource) -> bool:
        """Whether an enabled daily auto-shutdown schedule targets ``vm``."""
        name = get(vm.props, "vmName")
        for resource in self.resources:
            if resource.token != t.DEVTESTLAB_GLOBAL_SCHEDULE:
                continue
            target = get(resource.props, "targetResourceId")
            status = get(resource.props, "status")
            if (
                isinstance(target, str)
                and isinstance(name, str)
                and target.lower().endswith(f"/virtualmachines/{name.lower()}")
                and status != "Disabled"
            ):
                return True
        return False


def basis(value: float, unit: str, field: str) -> str:
    return f"{_number(value)} {unit} ({key_of(field)})"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.4g}"


def _unknown_value(*values: Any) -> bool:
    return any(value == UNKNOWN_MARK for value in values)


def _count(value: Any) -> int | None:
    """A count from the plan (absent: 1); None for a value that is not one (unknown until
    deployment)."""
    if value is None:
        return 1
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _hourly(what: str, meter: str, ctx: Context, count: float = 1) -> Charge:
    return Charge(what, meter, count=count, hours=ctx.hours)


# --- networking -------------------------------------------------------------------------------


def firewall(resource: Resource, ctx: Context) -> Priced:
    raw = get(resource.props, "sku", "tier")
    if _unknown_value(raw):
        return [Unpriced("firewall", "sku.tier is unknown until deployment")]
    tier = firewall_tier(raw)
    if tier is None:
        return [Unpriced("firewall", f"sku.tier {raw!r} is no firewall tier")]
    data = ctx.assumptions.firewall_data_gb
    return [
        _hourly(f"{tier} firewall deployment", f"firewall.{tier}.deployment", ctx),
        Charge(
            "data processed", f"firewall.{tier}.data", quantity=data,
            basis=basis(data, "GB", "firewall_data_gb"),
        ),
    ]


def public_ip(resource: Resource, ctx: Context) -> Priced:
    sku = get(resource.props, "sku", "name") or "Basic"
    tier = get(resource.props, "sku", "tier") or "Regional"
    if sku != "Standard":
        return [Unpriced("public IP", f"a {sku} public IP has no meter in the table")]
    meter = "public_ip.Global" if tier == "Global" else "public_ip.Standard"
    return [_hourly(f"static public IP ({sku}, {tier})", meter, ctx)]


def bastion(resource: Resource, ctx: Context) -> Priced:
    sku = get(resource.props, "sku", "name") or "Standard"
    if sku not in ("Basic", "Standard", "Premium"):
        return [Unpriced("Bastion", f"sku {sku!r} has no meter in the table")]
    return [_hourly(f"{sku} Bastion", f"bastion.{sku}", ctx)]


def ddos_plan(resource: Resource, ctx: Context) -> Priced:
    return [_hourly("DDoS Network Protection plan (up to 100 public IPs)", "ddos.plan", ctx)]


def vpn_gateway(resource: Resource, ctx: Context) -> Priced:
    sku = get(resource.props, "sku", "name")
    if sku not in VPN_GATEWAY_SKUS:
        return [Unpriced("VPN gateway", f"sku {sku!r} has no meter in the table")]
    return [_hourly(f"{sku} gateway", f"vpn_gateway.{sku}", ctx)]


def private_endpoint(resource: Resource, ctx: Context) -> Priced:
    gb = ctx.assumptions.private_endpoint_gb
    return [
        _hourly("private endpoint", "private_endpoint.hour", ctx),
        Charge("data in", "private_endpoint.ingress", quantity=gb,
               basis=basis(gb, "GB", "private_endpoint_gb")),
        Charge("data out", "private_endpoint.egress", quantity=gb,
               basis=basis(gb, "GB", "private_endpoint_gb")),
    ]


def peering(resource: Resource, ctx: Context) -> Priced:
    gb = ctx.assumptions.peering_gb
    return [
        Charge("data in", "peering.ingress", quantity=gb, basis=basis(gb, "GB", "peering_gb")),
        Charge("data out", "peering.egress", quantity=gb, basis=basis(gb, "GB", "peering_gb")),
    ]


def private_dns_zone(resource: Resource, ctx: Context) -> Priced:
    return [Charge("hosted private zone", "dns.private_zone")]


def resolver_inbound(resource: Resource, ctx: Context) -> Priced:
    return [_hourly("DNS resolver inbound endpoint", "dns.resolver.inbound", ctx)]


def resolver_outbound(resource: Resource, ctx: Context) -> Priced:
    return [_hourly("DNS resolver outbound endpoint", "dns.resolver.outbound", ctx)]


def forwarding_ruleset(resource: Resource, ctx: Context) -> Priced:
    return [_hourly("DNS forwarding ruleset", "dns.resolver.ruleset", ctx)]


def ruleset_link(resource: Resource, ctx: Context) -> Priced:
    return [
        Unpriced(
            "ruleset virtual network link",
            "the price table catalogues no meter for forwarding-ruleset links",
        )
    ]


# --- keys, logs, Defender ---------------------------------------------------------------------


def vault(resource: Resource, ctx: Context) -> Priced:
    sku = str(get(resource.props, "properties", "sku", "name") or "standard").capitalize()
    ops = ctx.assumptions.vault_operations
    return [
        Charge(
            "vault operations", f"keyvault.operations.{sku}", quantity=ops,
            basis=basis(ops, "operations", "vault_operations"),
        )
    ]


_DURATION = re.compile(r"^P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<d>\d+)D)?$")


def _days(duration: Any) -> float | None:
    """An ISO 8601 period of years, months and days (``P180D``, ``P1Y``) in days."""
    match = _DURATION.match(duration) if isinstance(duration, str) else None
    if match is None or not any(match.groupdict().values()):
        return None
    years, months, days = (int(match[part] or 0) for part in ("y", "m", "d"))
    return years * 365 + months * 30 + days


def key(resource: Resource, ctx: Context) -> Priced:
    kty = get(resource.props, "properties", "kty")
    size = get(resource.props, "properties", "keySize")
    if _unknown_value(kty, size) or not isinstance(kty, str):
        return [Unpriced("key", "the key type is unknown until deployment")]
    hsm = kty.endswith("-HSM")
    sku = "Premium" if hsm else "Standard"
    rsa_2048 = kty.startswith("RSA") and size in (None, 2048)
    charges: list[Charge | Unpriced] = []
    if hsm:
        meter = "keyvault.hsm_key.RSA2048" if rsa_2048 else "keyvault.hsm_key.advanced"
        charges.append(Charge(f"{kty} {size or ''} key (HSM-protected)".replace("  ", " "),
                              meter))
    ops = ctx.assumptions.key_operations
    operations = f"keyvault.operations.{sku}" if rsa_2048 else f"keyvault.advanced_operations.{sku}"
    charges.append(
        Charge("key operations", operations, quantity=ops,
               basis=basis(ops, "operations", "key_operations"))
    )
    for action in get(resource.props, "properties", "rotationPolicy", "lifetimeActions") or []:
        if get(action, "action", "type") not in ("rotate", "Rotate"):
            continue
        every = _days(get(action, "trigger", "timeAfterCreate"))
        if every is None:
            charges.append(
                Unpriced("automatic rotation", "the rotation trigger is not a period of days")
            )
            continue
        per_month = ctx.hours * DAYS_PER_HOUR / every
        charges.append(
            Charge(
                "automatic rotation", f"keyvault.rotation.{sku}", quantity=per_month,
                basis=f"every {every:g} days: {per_month:.3f} rotations (rotationPolicy)",
            )
        )
    return charges


def workspace(resource: Resource, ctx: Context) -> Priced:
    gb = ctx.assumptions.log_ingestion_gb
    retention = get(resource.props, "retentionInDays")
    days = retention if isinstance(retention, int) else LOG_ANALYTICS_INCLUDED_RETENTION_DAYS
    charges: list[Charge | Unpriced] = [
        Charge("data ingested", "log_analytics.ingestion", quantity=gb,
               basis=basis(gb, "GB", "log_ingestion_gb")),
    ]
    beyond = max(0, days - LOG_ANALYTICS_INCLUDED_RETENTION_DAYS)
    if beyond:
        month_days = ctx.hours * DAYS_PER_HOUR
        retained = gb * beyond / month_days
        charges.append(
            Charge(
                f"data retained beyond {LOG_ANALYTICS_INCLUDED_RETENTION_DAYS} days",
                "log_analytics.retention",
                quantity=retained,
                basis=f"{_number(retained)} GB: {days} days' retention of "
                f"{basis(gb, 'GB', 'log_ingestion_gb')}, steady state",
            )
        )
    return charges


def metric_alert(resource: Resource, ctx: Context) -> Priced:
    criteria = get(resource.props, "criteria", "allOf") or [None]
    scopes = get(resource.props, "scopes") or [None]
    series = len(criteria) * len(scopes)
    return [
        Charge(
            "time series monitored", "monitor.metric_alert", count=series,
            basis=f"{series} time series: {len(criteria)} criteria x {len(scopes)} scope(s)",
        )
    ]


def app_insights(resource: Resource, ctx: Context) -> Priced:
    if get(resource.props, "workspaceResourceId"):
        return Free("workspace-based: its data is billed as ingestion of its Log Analytics "
                    "workspace (hlz:cost.logIngestionGb)")
    return [Unpriced("Application Insights", "a classic (not workspace-based) component "
                     "has no meter in the table")]


def defender(resource: Resource, ctx: Context) -> Priced:
    plan = get(resource.props, "pricingName")
    sub_plan = get(resource.props, "subPlan")
    if str(get(resource.props, "pricingTier") or "").lower() == "free":
        return Free(f"Defender plan {plan} on the Free tier")
    meter = DEFENDER_METERS.get((plan, sub_plan))
    if meter is None:
        return [
            Unpriced(
                f"Defender for Cloud plan {plan}" + (f" ({sub_plan})" if sub_plan else ""),
                "the price table catalogues no meter for this plan yet",
            )
        ]
    if plan == "KeyVaults":
        vaults = ctx.assumptions.defender_vaults
        count = ctx.count(t.KEY_VAULT) if vaults is None else vaults
        field, unit = "defender_vaults", "vaults"
    elif plan == "StorageAccounts":
        accounts = ctx.assumptions.defender_storage_accounts
        count = ctx.count(t.STORAGE_ACCOUNT) if accounts is None else accounts
        field, unit = "defender_storage_accounts", "storage accounts"
    else:
        return [_hourly("Defender for Resource Manager (per subscription)", meter, ctx)]
    source = (
        f"{_number(count)} {unit} ({key_of(field)}; default: this plan's)"
    )
    charges: list[Charge | Unpriced] = [
        Charge(f"Defender for {plan} ({sub_plan})", meter, count=count, hours=ctx.hours,
               basis=source)
    ]
    if plan == "StorageAccounts":
        scanned = ctx.assumptions.malware_scanned_gb * count
        charges.append(
            Charge(
                "on-upload malware scanning", "defender.StorageAccounts.malware_scanning",
                quantity=scanned,
                basis=f"{_number(scanned)} GB: "
                f"{basis(ctx.assumptions.malware_scanned_gb, 'GB', 'malware_scanned_gb')} x "
                f"{_number(count)} {unit}",
            )
        )
    return charges


# --- AI and data ------------------------------------------------------------------------------


def deployment(resource: Resource, ctx: Context) -> Priced:
    model = get(resource.props, "properties", "model", "name")
    version = get(resource.props, "properties", "model", "version")
    sku = get(resource.props, "sku", "name")
    capacity = get(resource.props, "sku", "capacity")
    if _unknown_value(model, version, sku, capacity):
        return [Unpriced("model tokens", "the deployment's model or SKU is unknown")]
    meters = model_meters(str(model), str(version), str(sku))
    if meters is None:
        return [
            Unpriced(
                f"{model} {version} tokens ({sku})",
                "the price table has no pay-as-you-go token meter for this model, version and "
                "deployment type (provisioned deployments are priced per PTU-hour)",
            )
        ]
    if not isinstance(capacity, int | float) or isinstance(capacity, bool):
        return [Unpriced("model tokens", "the deployment has no sku.capacity")]
    share = ctx.assumptions.token_utilisation
    tokens = capacity * 1000 * 60 * ctx.hours * share
    where = (
        f"{_number(tokens)} tokens: {capacity:g}K TPM x 60 x {ctx.hours:g} h x "
        f"{share:g} ({key_of('token_utilisation')})"
    )
    if meters.output is None:
        return [Charge(f"{model} input tokens", meters.input, quantity=tokens, basis=where)]
    out = ctx.assumptions.output_token_share
    split = f"{where}; {1 - out:g} in, {out:g} out ({key_of('output_token_share')})"
    return [
        Charge(f"{model} input tokens", meters.input, quantity=tokens * (1 - out), basis=split),
        Charge(f"{model} output tokens", meters.output, quantity=tokens * out, basis=split),
    ]


def _disk(
    what: str, account_type: Any, size: Any, ctx: Context
) -> Charge | Unpriced:
    if account_type not in ("Premium_LRS", "Premium_ZRS"):
        return Unpriced(what, f"a {account_type} disk has no meter in the table")
    if isinstance(size, int | float) and not isinstance(size, bool):
        gb, where = float(size), f"{size:g} GiB (diskSizeGB)"
    else:
        gb = ctx.assumptions.os_disk_gb
        where = basis(gb, "GiB", "os_disk_gb")
    tier = next((name for name, capacity in PREMIUM_SSD_SIZES if gb <= capacity), None)
    if tier is None:
        return Unpriced(what, f"a {gb:g} GiB disk is beyond the table's Premium SSD tiers")
    redundancy = account_type.removeprefix("Premium_")
    return Charge(f"{what} ({tier} {redundancy})", f"disk.{account_type}.{tier}",
                  basis=f"{where}: {tier}")


def virtual_machine(resource: Resource, ctx: Context) -> Priced:
    size = get(resource.props, "hardwareProfile", "vmSize")
    charges: list[Charge | Unpriced] = []
    if ctx.shut_down_daily(resource):
        hours = ctx.assumptions.vm_hours_with_auto_shutdown
        where = f"{basis(hours, 'h', 'vm_hours_with_auto_shutdown')}: shut down daily"
    else:
        hours = ctx.hours
        where = f"{basis(hours, 'h', 'hours_per_month')}: no shutdown schedule"
    if isinstance(size, str) and size != UNKNOWN_MARK:
        charges.append(
            Charge(f"{size} compute (Linux)", vm_meter_key(size), hours=hours, basis=where)
        )
    else:
        charges.append(Unpriced("compute", "the VM size is unknown until deployment"))
    os_disk = get(resource.props, "storageProfile", "osDisk")
    charges.append(
        _disk("OS disk", get(os_disk, "managedDisk", "storageAccountType"),
              get(os_disk, "diskSizeGB"), ctx)
    )
    for index, data_disk in enumerate(get(resource.props, "storageProfile", "dataDisks") or []):
        charges.append(
            _disk(f"data disk {index}", get(data_disk, "managedDisk", "storageAccountType"),
                  get(data_disk, "diskSizeGB"), ctx)
        )
    return charges


def cosmos_account(resource: Resource, ctx: Context) -> Priced:
    capabilities = get(resource.props, "capabilities") or []
    if any(get(capability, "name") == "EnableServerless" for capability in capabilities):
        return [Unpriced("Cosmos DB (serverless)", "serverless request units have no meter "
                         "in the table")]
    regions = max(1, len(get(resource.props, "locations") or []))
    limit = get(resource.props, "capacity", "totalThroughputLimit")
    chosen = ctx.assumptions.cosmos_ru_per_second
    charges: list[Charge | Unpriced] = []
    if chosen is not None:
        ru, where = chosen, basis(chosen, "RU/s", "cosmos_ru_per_second")
    elif isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        ru, where = float(limit), f"{limit:,} RU/s (capacity.totalThroughputLimit)"
    else:
        ru, where = None, ""
        charges.append(Unpriced("provisioned throughput", "the account has no throughput "
                                f"limit: set {key_of('cosmos_ru_per_second')}"))
    if ru is not None:
        units = ru / 100 * regions
        charges.append(
            Charge("provisioned throughput", "cosmos.throughput", count=units, hours=ctx.hours,
                   basis=f"{where} x {regions} region(s): {_number(units)} x 100 RU/s")
        )
    gb = ctx.assumptions.cosmos_storage_gb * regions
    stored = basis(ctx.assumptions.cosmos_storage_gb, "GB", "cosmos_storage_gb")
    charges.append(
        Charge("data stored", "cosmos.stored", quantity=gb, basis=f"{stored} x {regions} region(s)")
    )
    backup = get(resource.props, "backupPolicy", "type")
    tier = get(resource.props, "backupPolicy", "continuousModeProperties", "tier")
    if backup == "Continuous":
        tier = tier or "Continuous30Days"
        if tier in ("Continuous7Days", "Continuous30Days"):
            charges.append(Charge(f"continuous backup ({tier})", f"cosmos.backup.{tier}",
                                  quantity=gb, basis=f"{stored} x {regions} region(s)"))
        else:
            charges.append(Unpriced("continuous backup", f"tier {tier!r} has no meter"))
    elif backup is not None:
        charges.append(Unpriced(f"{backup} backup", "only continuous backup has a meter in the "
                                "table"))
    return charges


def fhir(resource: Resource, ctx: Context) -> Priced:
    gb, requests = ctx.assumptions.fhir_storage_gb, ctx.assumptions.health_api_requests
    return [
        Charge("FHIR structured storage", "health.fhir.stored", quantity=gb,
               basis=basis(gb, "GB", "fhir_storage_gb")),
        Charge("API requests", "health.requests", quantity=requests,
               basis=basis(requests, "requests", "health_api_requests")),
    ]


def dicom(resource: Resource, ctx: Context) -> Priced:
    gb, requests = ctx.assumptions.dicom_storage_gb, ctx.assumptions.health_api_requests
    return [
        Charge("DICOM image storage", "health.dicom.stored", quantity=gb,
               basis=basis(gb, "GB", "dicom_storage_gb")),
        Charge("API requests", "health.requests", quantity=requests,
               basis=basis(requests, "requests", "health_api_requests")),
    ]


def search(resource: Resource, ctx: Context) -> Priced:
    sku = get(resource.props, "sku", "name")
    if sku not in SEARCH_SKUS:
        return [Unpriced("search units", f"sku {sku!r} has no meter in the table "
                         f"(known: {', '.join(SEARCH_SKUS)})")]
    replicas = _count(get(resource.props, "replicaCount"))
    partitions = _count(get(resource.props, "partitionCount"))
    if replicas is None or partitions is None:
        return [Unpriced("search units", "replicaCount or partitionCount is unknown")]
    units = replicas * partitions
    charges: list[Charge | Unpriced] = [
        Charge(f"{SEARCH_SKUS[sku]} search units", f"search.{sku}", count=units, hours=ctx.hours,
               basis=f"{replicas} replica(s) x {partitions} partition(s)")
    ]
    semantic = get(resource.props, "semanticSearch")
    if semantic == "standard":
        queries = ctx.assumptions.semantic_queries
        charges.append(
            Charge("semantic ranker queries", "search.semantic.queries", quantity=queries,
                   basis=basis(queries, "queries", "semantic_queries"))
        )
    return charges


def storage_account(resource: Resource, ctx: Context) -> Priced:
    sku = str(get(resource.props, "sku", "name") or "")
    tier, _, redundancy = sku.partition("_")
    access = get(resource.props, "accessTier") or "Hot"
    if tier != "Standard" or redundancy not in STORAGE_REDUNDANCIES:
        return [Unpriced("storage", f"a {sku or 'unknown'} account has no meter in the table "
                         f"(Standard_{', Standard_'.join(STORAGE_REDUNDANCIES)})")]
    if access != "Hot" or get(resource.props, "isHnsEnabled") is True:
        return [Unpriced("storage", "only hot block blobs without a hierarchical namespace "
                         "have meters in the table")]
    a = ctx.assumptions
    return [
        Charge(f"data stored (hot {redundancy})", f"storage.{redundancy}.stored",
               quantity=a.storage_gb, basis=basis(a.storage_gb, "GB", "storage_gb")),
        Charge("write operations", f"storage.{redundancy}.write",
               quantity=a.storage_write_operations,
               basis=basis(a.storage_write_operations, "operations", "storage_write_operations")),
        Charge("read operations", f"storage.{redundancy}.read",
               quantity=a.storage_read_operations,
               basis=basis(a.storage_read_operations, "operations", "storage_read_operations")),
    ]


def api_management(resource: Resource, ctx: Context) -> Priced:
    sku = get(resource.props, "sku", "name")
    capacity = _count(get(resource.props, "sku", "capacity"))
    known = apim_sku_name(str(sku))
    if capacity is None:
        return [Unpriced("API Management", "sku.capacity is unknown")]
    if known is None:
        return [Unpriced("API Management", f"sku {sku!r} has no meter in the table "
                         f"(known: {', '.join(APIM_SKUS)})")]
    name, has_calls = known
    charges: list[Charge | Unpriced] = [
        Charge(f"{name} units", f"apim.{sku}.unit", count=capacity, hours=ctx.hours,
               basis=f"capacity {capacity}")
    ]
    if has_calls:
        calls = ctx.assumptions.gateway_calls
        charges.append(Charge("gateway calls", f"apim.{sku}.calls", quantity=calls,
                              basis=basis(calls, "calls", "gateway_calls")))
    return charges


RULES: Mapping[str, Callable[[Resource, Context], Priced]] = {
    t.FIREWALL: firewall,
    t.PUBLIC_IP: public_ip,
    t.BASTION_HOST: bastion,
    t.DDOS_PROTECTION_PLAN: ddos_plan,
    t.VIRTUAL_NETWORK_GATEWAY: vpn_gateway,
    t.PRIVATE_ENDPOINT: private_endpoint,
    t.SEARCH_SHARED_PRIVATE_LINK: private_endpoint,
    "azure-native:network:VirtualNetworkPeering": peering,
    "azure-native:privatedns:PrivateZone": private_dns_zone,
    t.DNS_RESOLVER_INBOUND_ENDPOINT: resolver_inbound,
    t.DNS_RESOLVER_OUTBOUND_ENDPOINT: resolver_outbound,
    t.DNS_FORWARDING_RULESET: forwarding_ruleset,
    t.DNS_FORWARDING_RULESET_LINK: ruleset_link,
    t.KEY_VAULT: vault,
    t.KEY_VAULT_KEY: key,
    t.LOG_ANALYTICS_WORKSPACE: workspace,
    t.APPINSIGHTS_COMPONENT: app_insights,
    "azure-native:monitor:MetricAlert": metric_alert,
    t.DEFENDER_PRICING: defender,
    t.COGNITIVE_DEPLOYMENT: deployment,
    t.VIRTUAL_MACHINE: virtual_machine,
    t.COSMOS_ACCOUNT: cosmos_account,
    t.FHIR_SERVICE: fhir,
    t.DICOM_SERVICE: dicom,
    t.SEARCH_SERVICE: search,
    t.STORAGE_ACCOUNT: storage_account,
    t.APIM_SERVICE: api_management,
}
"""Type -> the charges of one resource of it."""

_CONTROL_PLANE = "a control-plane object: Azure does not bill it"
_BILLED_ELSEWHERE = "no charge of its own"
FREE: Mapping[str, str] = {
    t.RESOURCE_GROUP: _CONTROL_PLANE,
    t.ROLE_ASSIGNMENT: _CONTROL_PLANE,
    t.ROLE_DEFINITION: _CONTROL_PLANE,
    t.LOCK_BY_SCOPE: _CONTROL_PLANE,
    t.LOCK_AT_RESOURCE_GROUP: _CONTROL_PLANE,
    t.POLICY_ASSIGNMENT: "Azure Policy has no charge for Azure resources",
    t.POLICY_SET_DEFINITION: "Azure Policy has no charge for Azure resources",
    t.POLICY_EXEMPTION: "Azure Policy has no charge for Azure resources",
    t.USER_ASSIGNED_IDENTITY: "managed identities have no charge",
    t.VIRTUAL_NETWORK: "virtual networks have no charge (peering and endpoints are priced)",
    t.SUBNET: "subnets have no charge",
    t.NETWORK_SECURITY_GROUP: "network security groups have no charge",
    t.SECURITY_RULE: "network security groups have no charge",
    t.ROUTE_TABLE: "route tables have no charge",
    t.NETWORK_INTERFACE: "network interfaces have no charge",
    t.FIREWALL_POLICY: "a firewall policy associated with one firewall has no charge (Azure "
    "Firewall Manager bills policies shared by several firewalls)",
    t.FIREWALL_POLICY_RULE_COLLECTION_GROUP: "part of its firewall policy",
    t.PRIVATE_DNS_ZONE_GROUP: "records a private endpoint in its zones; " + _BILLED_ELSEWHERE,
    "azure-native:privatedns:VirtualNetworkLink": "private DNS virtual network links have no "
    "charge (the zone is priced)",
    t.DNS_RESOLVER: "billed through its endpoints and rulesets (priced)",
    t.DNS_FORWARDING_RULE: "part of its ruleset (priced)",
    t.DIAGNOSTIC_SETTING: "its data is billed as ingestion of the destination workspace "
    "(hlz:cost.logIngestionGb)",
    t.MONITOR_PRIVATE_LINK_SCOPE: "Azure Monitor Private Link Scopes have no charge (its "
    "private endpoint is priced)",
    "azure-native:monitor:PrivateLinkScopedResource": "part of its private link scope",
    t.BLOB_SERVICE: "settings of its storage account (priced)",
    t.BLOB_CONTAINER: "its data is priced with its storage account",
    t.COGNITIVE_ACCOUNT: "no standing charge: tokens are billed on its deployments",
    t.COGNITIVE_PROJECT: "Foundry projects have no charge of their own (tokens are billed on "
    "the account's deployments)",
    t.COGNITIVE_PROJECT_CONNECTION: _BILLED_ELSEWHERE,
    t.COGNITIVE_ACCOUNT_CONNECTION: _BILLED_ELSEWHERE,
    t.COGNITIVE_PROJECT_CAPABILITY_HOST: "the Agent Service's standard setup bills through the "
    "tokens agents use and its own stores (Cosmos DB, storage, search: priced)",
    "azure-native:cognitiveservices:RaiPolicy": "content filters have no charge",
    "azure-native:monitor:ActivityLogAlert": "activity log alerts have no charge",
    "azure-native:monitor:ActionGroup": "an action group has no charge of its own (email "
    "notifications beyond Azure Monitor's monthly free allowance are billed: not estimated)",
    "azure-native:consumption:Budget": "budgets have no charge",
    t.HEALTH_WORKSPACE: "billed through its FHIR and DICOM services (priced)",
    t.COSMOS_SQL_ROLE_ASSIGNMENT: _CONTROL_PLANE,
    t.DISK_ENCRYPTION_SET: "disk encryption sets have no charge (the key is priced)",
    t.VIRTUAL_MACHINE_EXTENSION: "the sign-in extension has no charge",
    t.DEVTESTLAB_GLOBAL_SCHEDULE: "auto-shutdown schedules have no charge (they lower the VM's "
    "hours)",
    t.APIM_API: "part of its API Management service (priced)",
    t.APIM_API_OPERATION: "part of its API Management service (priced)",
    t.APIM_API_POLICY: "part of its API Management service (priced)",
    t.APIM_LOGGER: "part of its API Management service (priced)",
    t.APIM_DIAGNOSTIC: "part of its API Management service (priced)",
}
"""Types with no charge, and why."""


def priced(resource: Resource, ctx: Context) -> Priced:
    """The charges of ``resource``, why it is free, or that the model cannot price it."""
    rule = RULES.get(resource.token)
    if rule is not None:
        return rule(resource, ctx)
    reason = FREE.get(resource.token)
    if reason is not None:
        return Free(reason)
    return [Unpriced(resource.token.removeprefix("azure-native:"),
                     "no pricing rule for this type in hlz.cost.model")]


NOT_REGIONS = frozenset({"global", UNKNOWN_MARK.lower(), ""})
"""``location`` values that name no region (private DNS zones and policy objects are
``global``): such a resource is priced in the plan's region."""


def region_of(props: Mapping[str, Any]) -> str | None:
    location = props.get("location")
    if not isinstance(location, str) or location.lower() in NOT_REGIONS:
        return None
    return location.lower()


def most_common_region(resources: list[tuple[str, str, Mapping[str, Any]]]) -> str | None:
    """The region most resources of a plan name (resources without one inherit it)."""
    regions = Counter(
        region for _, _, props in resources if (region := region_of(props)) is not None
    )
    return regions.most_common(1)[0][0] if regions else None

