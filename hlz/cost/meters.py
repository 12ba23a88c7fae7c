"""The Azure Retail Prices meters ``hlz cost`` prices with: one catalogue, read by the pricing
model (``hlz.cost.model``, which names meters by key) and by the refresh script
(``tools/refresh_prices.py``, which fetches exactly these meters and nothing else).

A meter is selected from Retail Prices API items by ``serviceName``, ``productName``,
``skuName``, ``meterName`` (and ``armSkuName`` for virtual machines), ``type == Consumption``,
and its billing region: the resource's own region, or a fixed one for meters Azure bills
outside any region (``Global`` for Private Link endpoints and peering, ``""`` for Azure DNS).
``units`` are the ``unitOfMeasure`` values the model's quantity is written in: a refreshed
table whose unit changed makes the line "price unknown" rather than mis-priced.

Names are the API's, as its items spell them (a source for each: docs/cost.md). Where a meter
is catalogued but its item was not in the source the table was assembled from, the table lists
it as missing and ``hlz cost`` reports the lines that need it as "price unknown".

Imports nothing heavy: the refresh script and ``hlz cost`` both read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from policies.vocabulary import JUMP_HOST_SIZES

HOUR = ("1 Hour", "1/Hour")
GB = ("1 GB",)
GB_MONTH = ("1 GB/Month",)
MONTH = ("1/Month",)
EACH = ("1",)
TEN_K = ("10K",)
ONE_K = ("1K",)
HUNDRED_K = ("100K",)


@dataclass(frozen=True)
class Meter:
    """Which Retail Prices API items price one billing dimension."""

    service: str
    """``serviceName``."""
    product: str | None
    """``productName``; None: any (only where the API's product name is not known yet)."""
    sku: str | None
    """``skuName``; None: any."""
    meter: str
    """``meterName``."""
    units: tuple[str, ...]
    """``unitOfMeasure`` values the model's quantity is written in."""
    billing_region: str | None = None
    """None: priced in the resource's region; else the API's ``armRegionName`` for a meter
    billed outside regions (``Global``, or ``""`` for Azure DNS)."""
    arm_sku: str | None = None
    """``armSkuName`` (virtual machine sizes); None: any."""

    def describe(self) -> str:
        parts = [self.service, self.product, self.sku, self.meter]
        return " / ".join(part for part in parts if part)

    def matches(self, item: Mapping[str, object], region: str) -> bool:
        """Whether a Retail Prices API item is this meter's price in ``region`` (the
        resource's; a fixed billing region overrides it)."""
        wanted_region = region if self.billing_region is None else self.billing_region
        return (
            item.get("type") == "Consumption"
            and item.get("serviceName") == self.service
            and (self.product is None or item.get("productName") == self.product)
            and (self.sku is None or item.get("skuName") == self.sku)
            and item.get("meterName") == self.meter
            and (self.arm_sku is None or item.get("armSkuName") == self.arm_sku)
            and item.get("armRegionName") == wanted_region
        )


def _firewall() -> dict[str, Meter]:
    meters = {}
    for tier in ("Basic", "Standard", "Premium"):
        product = "Azure Firewall"
        meters[f"firewall.{tier}.deployment"] = Meter(
            "Azure Firewall", product, tier, f"{tier} Deployment", HOUR
        )
        meters[f"firewall.{tier}.data"] = Meter(
            "Azure Firewall", product, tier, f"{tier} Data Processed", GB
        )
    return meters


def _vpn_gateways() -> dict[str, Meter]:
    return {
        f"vpn_gateway.{sku}": Meter("VPN Gateway", "VPN Gateway", sku, sku, HOUR)
        for sku in ("VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ")
    }


def _bastion() -> dict[str, Meter]:
    return {
        f"bastion.{sku}": Meter("Azure Bastion", None, sku, f"{sku} Gateway", HOUR)
        for sku in ("Basic", "Standard", "Premium")
    }


_STORAGE_REDUNDANCY = {
    # redundancy: (write-operations meter, read-operations meter), per the API's names
    "LRS": ("Hot LRS Write Operations", "Hot Read Operations"),
    "GRS": ("Hot GRS Write Operations", "Hot Read Operations"),
    "RA-GRS": ("Hot GRS Write Operations", "Hot Read Operations"),
    "ZRS": ("Hot ZRS Write Operations", "Hot ZRS Read Operations"),
    "GZRS": ("Hot GZRS Write Operations", "Hot ZRS Read Operations"),
}
STORAGE_REDUNDANCIES = tuple(_STORAGE_REDUNDANCY)
"""``Standard_<redundancy>`` storage accounts the model prices (hot block blobs)."""


def _storage() -> dict[str, Meter]:
    meters = {}
    for redundancy, (write, read) in _STORAGE_REDUNDANCY.items():
        sku = f"Hot {redundancy}"
        product = "General Block Blob v2"
        meters[f"storage.{redundancy}.stored"] = Meter(
            "Storage", product, sku, f"Hot {redundancy} Data Stored", GB_MONTH
        )
        meters[f"storage.{redundancy}.write"] = Meter("Storage", product, sku, write, TEN_K)
        meters[f"storage.{redundancy}.read"] = Meter("Storage", product, sku, read, TEN_K)
    return meters


PREMIUM_SSD_SIZES = (("P1", 4), ("P2", 8), ("P3", 16), ("P4", 32), ("P6", 64), ("P10", 128),
                     ("P15", 256), ("P20", 512), ("P30", 1024))
"""Premium SSD managed disk tiers and their size in GiB: a disk is billed as the smallest tier
that holds it."""


def _managed_disks() -> dict[str, Meter]:
    return {
        f"disk.Premium_{redundancy}.{tier}": Meter(
            "Storage",
            "Premium SSD Managed Disks",
            f"{tier} {redundancy}",
            f"{tier} {redundancy} Disk",
            MONTH,
        )
        for tier, _ in PREMIUM_SSD_SIZES
        for redundancy in ("LRS", "ZRS")
    }


_VM_SIZE = re.compile(r"^Standard_D(?P<cpus>\d+)(?P<letters>[a-z]*)_v(?P<version>\d+)$")


def vm_meter_key(size: str) -> str:
    return f"vm.{size}"


def vm_meter(size: str) -> Meter | None:
    """The Linux pay-as-you-go meter of a D-family size (``Standard_D2s_v5`` -> product
    ``Virtual Machines Dsv5 Series``, meter ``D2s v5``), None for a size of another shape."""
    match = _VM_SIZE.match(size)
    if match is None:
        return None
    letters, version = match["letters"], match["version"]
    return Meter(
        "Virtual Machines",
        f"Virtual Machines D{letters}v{version} Series",
        None,
        f"D{match['cpus']}{letters} v{version}",
        HOUR,
        arm_sku=size,
    )


VM_SIZES = JUMP_HOST_SIZES
"""Sizes whose meters the table carries: the jump host's (``policies.vocabulary``)."""


def _vms() -> dict[str, Meter]:
    meters = {}
    for size in VM_SIZES:
        meter = vm_meter(size)
        assert meter is not None, size
        meters[vm_meter_key(size)] = meter
    return meters


_APIM_UNITS = {
    # ARM sku.name: (API skuName, has a calls meter)
    "Developer": ("Developer", False),
    "Basic": ("Basic", False),
    "Standard": ("Standard", False),
    "Premium": ("Premium", False),
    "BasicV2": ("Basic v2", True),
    "StandardV2": ("Standard v2", True),
    "PremiumV2": ("Premium v2", False),
}
APIM_SKUS = tuple(_APIM_UNITS)


def apim_sku_name(arm_sku: str) -> tuple[str, bool] | None:
    return _APIM_UNITS.get(arm_sku)


def _apim() -> dict[str, Meter]:
    meters = {}
    for arm_sku, (sku, calls) in _APIM_UNITS.items():
        meters[f"apim.{arm_sku}.unit"] = Meter(
            "API Management", "API Management", sku, f"{sku} Unit", HOUR
        )
        if calls:
            meters[f"apim.{arm_sku}.calls"] = Meter(
                "API Management", "API Management", sku, f"{sku} Calls", TEN_K
            )
    return meters


SEARCH_SKUS = {
    # ARM sku.name: API skuName
    "basic": "Basic",
    "standard": "Standard S1",
    "standard2": "Standard S2",
    "standard3": "Standard S3",
    "storage_optimized_l1": "Storage Optimized L1",
    "storage_optimized_l2": "Storage Optimized L2",
}


def _search() -> dict[str, Meter]:
    product = "Azure AI Search"
    meters = {
        f"search.{arm}": Meter("Azure Cognitive Search", product, sku, f"{sku} Unit", HOUR)
        for arm, sku in SEARCH_SKUS.items()
    }
    meters["search.semantic.queries"] = Meter(
        "Azure Cognitive Search", product, "Semantic Ranker", "Semantic Ranker queries", ONE_K
    )
    return meters


@dataclass(frozen=True)
class ModelMeters:
    """Token meters of one model version and deployment type (input, and output when the
    model writes tokens)."""

    input: str
    output: str | None


def _model_meter(product: str, sku: str) -> Meter:
    return Meter("Foundry Models", product, sku, f"{sku} Tokens", ONE_K)


# (model, version, deployment sku) -> (product, input skuName, output skuName or None)
_MODELS: dict[tuple[str, str, str], tuple[str, str, str | None]] = {
    ("gpt-4o", "2024-11-20", "DataZoneStandard"): (
        "Azure OpenAI", "gpt 4o 1120 Inp Data Zone", "gpt 4o 1120 Outp Data Zone"),
    ("gpt-4o", "2024-11-20", "GlobalStandard"): (
        "Azure OpenAI", "gpt 4o 1120 Inp glbl", "gpt 4o 1120 Outp glbl"),
    ("gpt-4o", "2024-11-20", "Standard"): (
        "Azure OpenAI", "gpt 4o 1120 Inp regnl", "gpt 4o 1120 Outp regnl"),
    ("gpt-4o", "2024-08-06", "DataZoneStandard"): (
        "Azure OpenAI", "gpt 4o 0806 Inp Data Zone", "gpt 4o 0806 Outp Data Zone"),
    ("gpt-4o", "2024-08-06", "GlobalStandard"): (
        "Azure OpenAI", "gpt-4o-0806-Inp-glbl", "gpt-4o-0806-Outp-glbl"),
    ("gpt-4o", "2024-08-06", "Standard"): (
        "Azure OpenAI", "gpt-4o-0806-Inp-regnl", "gpt-4o-0806-Outp-regnl"),
    ("gpt-4o-mini", "2024-07-18", "DataZoneStandard"): (
        "Azure OpenAI", "gpt 4o mini 0718 Inp Data Zone", "gpt 4o mini 0718 Outp Data Zone"),
    ("gpt-4o-mini", "2024-07-18", "GlobalStandard"): (
        "Azure OpenAI", "gpt-4o-mini-0718-Inp-glbl", "gpt-4o-mini-0718-Outp-glbl"),
    ("gpt-4.1", "2025-04-14", "DataZoneStandard"): (
        "Azure OpenAI", "gpt 4.1 Inp Data Zone", "gpt 4.1 Outp Data Zone"),
    ("gpt-4.1", "2025-04-14", "GlobalStandard"): (
        "Azure OpenAI", "gpt 4.1 Inp glbl", "gpt 4.1 Outp glbl"),
    ("gpt-4.1-mini", "2025-04-14", "DataZoneStandard"): (
        "Azure OpenAI", "gpt 4.1 mini Inp Data Zone", "gpt 4.1 mini Outp Data Zone"),
    ("gpt-4.1-mini", "2025-04-14", "GlobalStandard"): (
        "Azure OpenAI", "gpt 4.1 mini Inp glbl", "gpt 4.1 mini Outp glbl"),
    ("o4-mini", "2025-04-16", "DataZoneStandard"): (
        "Azure OpenAI Reasoning", "o4-mini 0416 Inp Data Zone", "o4-mini 0416 Outp Data Zone"),
    ("o4-mini", "2025-04-16", "GlobalStandard"): (
        "Azure OpenAI Reasoning", "o4-mini 0416 Inp glbl", "o4-mini 0416 Outp glbl"),
    ("text-embedding-3-large", "1", "DataZoneStandard"): (
        "Azure OpenAI Embedding", "text embedding 3 large DZ", None),
    ("text-embedding-3-large", "1", "GlobalStandard"): (
        "Azure OpenAI", "text-embedding-3-large-glbl", None),
    ("text-embedding-3-large", "1", "Standard"): (
        "Azure OpenAI", "text-embedding-3-large-regional", None),
    ("text-embedding-3-small", "1", "DataZoneStandard"): (
        "Azure OpenAI Embedding", "text embedding 3 small DZ", None),
    ("text-embedding-3-small", "1", "GlobalStandard"): (
        "Azure OpenAI", "text-embedding-3-small-glbl", None),
}
"""Pay-as-you-go token meters of the model catalogue's versions (stacks/ai_lab/
model_catalogue.yaml). Provisioned (PTU) deployments are priced per PTU-hour, not per token,
and are not in the table."""


def model_meters(model: str, version: str, sku: str) -> ModelMeters | None:
    """The meter keys of a deployment's tokens, None when the table has no meter for it."""
    found = _MODELS.get((model, version, sku))
    if found is None:
        return None
    base = f"model.{model}.{version}.{sku}"
    return ModelMeters(f"{base}.input", f"{base}.output" if found[2] else None)


def _models() -> dict[str, Meter]:
    meters = {}
    for (model, version, sku), (product, input_sku, output_sku) in _MODELS.items():
        base = f"model.{model}.{version}.{sku}"
        meters[f"{base}.input"] = _model_meter(product, input_sku)
        if output_sku is not None:
            meters[f"{base}.output"] = _model_meter(product, output_sku)
    return meters


def _rest() -> dict[str, Meter]:
    ip = "IP Addresses"
    kv = "Key Vault"
    hds = "Azure Health Data Services"
    cosmos = "Azure Cosmos DB"
    defender = "Microsoft Defender for Cloud"
    return {
        "public_ip.Standard": Meter(
            "Virtual Network", ip, "Standard", "Standard IPv4 Static Public IP", HOUR
        ),
        "public_ip.Global": Meter(
            "Virtual Network", ip, "Global", "Global IPv4 Static Public IP", HOUR
        ),
        "ddos.plan": Meter(
            "Azure DDOS Protection", None, "Network Protection", "Network Protection Plan", HOUR
        ),
        "private_endpoint.hour": Meter(
            "Virtual Network",
            "Virtual Network Private Link",
            "Standard",
            "Standard Private Endpoint",
            HOUR,
            billing_region="Global",
        ),
        "private_endpoint.ingress": Meter(
            "Virtual Network",
            "Virtual Network Private Link",
            "Standard",
            "Standard Data Processed - Ingress",
            GB,
            billing_region="Global",
        ),
        "private_endpoint.egress": Meter(
            "Virtual Network",
            "Virtual Network Private Link",
            "Standard",
            "Standard Data Processed - Egress",
            GB,
            billing_region="Global",
        ),
        "peering.ingress": Meter(
            "Virtual Network", None, None, "Intra-Region Ingress", GB, billing_region="Global"
        ),
        "peering.egress": Meter(
            "Virtual Network", None, None, "Intra-Region Egress", GB, billing_region="Global"
        ),
        "dns.private_zone": Meter(
            "Azure DNS", "Azure DNS", "Private", "Private Zone", (*EACH, *MONTH),
            billing_region="",
        ),
        "dns.resolver.inbound": Meter(
            "Azure DNS", None, None, "Private Resolver Inbound Endpoint", (*HOUR, *MONTH),
            billing_region="",
        ),
        "dns.resolver.outbound": Meter(
            "Azure DNS", None, None, "Private Resolver Outbound Endpoint", (*HOUR, *MONTH),
            billing_region="",
        ),
        "dns.resolver.ruleset": Meter(
            "Azure DNS", None, None, "Private Resolver DNS Forwarding Ruleset", (*HOUR, *MONTH),
            billing_region="",
        ),
        "keyvault.operations.Standard": Meter(kv, kv, "Standard", "Operations", TEN_K),
        "keyvault.operations.Premium": Meter(kv, kv, "Premium", "Operations", TEN_K),
        "keyvault.advanced_operations.Standard": Meter(
            kv, kv, "Standard", "Advanced Key Operations", TEN_K
        ),
        "keyvault.advanced_operations.Premium": Meter(
            kv, kv, "Premium", "Advanced Key Operations", TEN_K
        ),
        "keyvault.hsm_key.RSA2048": Meter(
            kv, kv, "Premium", "Premium HSM-protected RSA 2048-bit key", EACH
        ),
        "keyvault.hsm_key.advanced": Meter(
            kv, kv, "Premium", "Premium HSM-protected Advanced Key", EACH
        ),
        "keyvault.rotation.Standard": Meter(
            kv, kv, "Standard", "Automated Key Rotation", ("1 Rotation",)
        ),
        "keyvault.rotation.Premium": Meter(
            kv, kv, "Premium", "Automated Key Rotation", ("1 Rotation",)
        ),
        "log_analytics.ingestion": Meter(
            "Log Analytics", "Log Analytics", "Analytics Logs", "Analytics Logs Data Ingestion", GB
        ),
        "log_analytics.retention": Meter(
            "Log Analytics",
            "Log Analytics",
            "Analytics Logs",
            "Analytics Logs Data Retention",
            GB_MONTH,
        ),
        "defender.KeyVaults.PerKeyVault": Meter(
            defender, "Microsoft Defender for Key Vault", "Per node Std", "Per node Std Node", HOUR
        ),
        "defender.StorageAccounts.DefenderForStorageV2": Meter(
            defender, "Microsoft Defender for Storage", "Standard", "Standard Node", HOUR
        ),
        "defender.StorageAccounts.malware_scanning": Meter(
            defender,
            "Microsoft Defender for Storage",
            "Malware Scanning",
            "Malware Scanning Data Ingested",
            GB,
        ),
        "defender.Arm.PerSubscription": Meter(
            defender,
            "Microsoft Defender for Resource Manager",
            "Per node Std",
            "Per node Std Node",
            HOUR,
        ),
        "monitor.metric_alert": Meter(
            "Azure Monitor", "Azure Monitor", "Alerts", "Alerts Metric Monitored", MONTH
        ),
        "cosmos.throughput": Meter(cosmos, cosmos, "RUs", "100 RU/s", HOUR),
        "cosmos.stored": Meter(cosmos, cosmos, "RUs", "Data Stored", GB_MONTH),
        "cosmos.backup.Continuous7Days": Meter(
            cosmos, "Azure Cosmos DB - PITR", "Cont 7D Bkup", "Cont 7D Bkup Continuous Backup", GB
        ),
        "cosmos.backup.Continuous30Days": Meter(
            cosmos, "Azure Cosmos DB - PITR", "Backup", "Cont 30D Bckp Continuous Backup", GB
        ),
        "health.fhir.stored": Meter(
            "Azure API for FHIR", hds, "Structured Storage", "Structured Storage", GB_MONTH
        ),
        "health.dicom.stored": Meter(
            "Azure API for FHIR", hds, "Blob Storage", "Blob Storage", GB_MONTH
        ),
        "health.requests": Meter(
            "Azure API for FHIR", hds, "API Requests", "API Requests", HUNDRED_K
        ),
    }


def _catalogue() -> Mapping[str, Meter]:
    meters: dict[str, Meter] = {}
    for part in (
        _firewall(),
        _vpn_gateways(),
        _bastion(),
        _storage(),
        _managed_disks(),
        _vms(),
        _apim(),
        _search(),
        _models(),
        _rest(),
    ):
        overlap = set(meters) & set(part)
        assert not overlap, overlap
        meters.update(part)
    return MappingProxyType(meters)


METERS: Mapping[str, Meter] = _catalogue()
"""Meter key -> selector: every meter the model may price with, and all the refresh fetches."""
