"""The usage ``hlz cost`` assumes where a price depends on use: one typed model, the
``hlz:cost`` section of a stack's config (both layers declare it), so every default lives
here and every override is validated like any other key (``hlz:cost.tokenUtilisation: ...``,
exit 2). A resource's fixed price (per hour, per key, per zone) needs no assumption beyond
``hoursPerMonth``; each line of the estimate names the keys it used.

The defaults describe a small, busy-weekday lab; the production example stacks state their
own (Pulumi.lz-prod.yaml, Pulumi.lab-prod.yaml).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError

from components.errors import ConfigError, problems_from_validation_error
from components.shared import HlzModel

KEY = "hlz:cost"
SOURCE = "cost assumptions"


def _amount(default: float, *, gt: float | None = None, le: float | None = None) -> Any:
    """A non-negative finite number (an integer is fine; true/false and text are refused)."""
    ge = None if gt is not None else 0
    return Field(default, ge=ge, gt=gt, le=le, strict=True, allow_inf_nan=False)


class CostAssumptions(HlzModel):
    """Monthly usage behind every usage-priced line of ``hlz cost``: quantities per resource
    (per vault, per key, per storage account, per deployment...) unless a key says otherwise.
    Default: the values below for every key left out."""

    hours_per_month: float = _amount(730, gt=0, le=744)
    """Default: 730 (Azure's month, 8,760 hours / 12). Hours a resource billed by the hour
    exists in a month: firewall, Bastion, gateways, public IPs, search units, API Management
    units, Cosmos DB throughput, endpoints."""
    vm_hours_with_auto_shutdown: float = _amount(220, le=744)
    """Default: 220 (10 hours on 22 working days). Hours a VM runs when the plan shuts it down
    every day (someone starts it in the morning); a VM without a shutdown schedule runs
    ``hoursPerMonth``."""
    os_disk_gb: float = _amount(30, gt=0)
    """Default: 30 (the Ubuntu 24.04 LTS image's disk). Size of a VM disk the plan leaves to
    its image; it is billed as the smallest Premium SSD tier that holds it (P4, 32 GiB)."""
    firewall_data_gb: float = _amount(100)
    """Default: 100. GB a firewall processes in a month (spoke egress and east-west)."""
    log_ingestion_gb: float = _amount(10)
    """Default: 10. GB a Log Analytics workspace ingests in a month (every diagnostic setting
    of the stacks that send to it, and Application Insights). Retention beyond the 31 days
    included is priced from the workspace's ``retentionInDays``."""
    vault_operations: float = _amount(100_000)
    """Default: 100,000. Key Vault operations (secret and key reads, management calls) per vault
    per month."""
    key_operations: float = _amount(10_000)
    """Default: 10,000. Operations per customer-managed key per month (the services' wrap and
    unwrap calls)."""
    storage_gb: float = _amount(100)
    """Default: 100. GB stored per storage account (hot tier)."""
    storage_write_operations: float = _amount(100_000)
    """Default: 100,000. Write operations per storage account per month."""
    storage_read_operations: float = _amount(1_000_000)
    """Default: 1,000,000. Read operations per storage account per month."""
    malware_scanned_gb: float = _amount(0)
    """Default: 0. GB Defender for Storage scans on upload per protected storage account per
    month (hlz does not configure on-upload scanning; set it when the subscription has it)."""
    token_utilisation: float = _amount(0.02, le=1)
    """Default: 0.02. Share of a model deployment's capacity (thousands of tokens per minute,
    around the clock) used in a month: 0.02 of 30K TPM is about 26 million tokens."""
    output_token_share: float = _amount(0.25, le=1)
    """Default: 0.25. Share of a chat model's tokens that are output (priced higher);
    embeddings models have input tokens only."""
    cosmos_ru_per_second: float | None = Field(
        default=None, ge=0, strict=True, allow_inf_nan=False
    )
    """Default: not set — the account's throughput limit (``capacity.totalThroughputLimit``,
    the Agent Service's ``hlz:agentService.threadThroughputLimit``), provisioned around the
    clock. Provisioned RU/s per Cosmos DB account."""
    cosmos_storage_gb: float = _amount(1)
    """Default: 1. GB stored per Cosmos DB account (agent threads), per region."""
    fhir_storage_gb: float = _amount(10)
    """Default: 10. GB of structured storage per FHIR service."""
    dicom_storage_gb: float = _amount(100)
    """Default: 100. GB of images per DICOM service."""
    health_api_requests: float = _amount(1_000_000)
    """Default: 1,000,000. API requests per FHIR or DICOM service per month. Health Data
    Services' monthly free allowances are not subtracted (the price table carries the free
    meters at $0 but not their size)."""
    semantic_queries: float = _amount(10_000)
    """Default: 10,000. Semantic ranker queries per search service per month on the standard
    plan (the free plan's allowance costs nothing)."""
    gateway_calls: float = _amount(1_000_000)
    """Default: 1,000,000. Calls per API Management v2 gateway per month (Standard v2 includes
    the first 50 million)."""
    private_endpoint_gb: float = _amount(10)
    """Default: 10. GB through each private endpoint per month, each way (inbound and
    outbound are priced separately)."""
    peering_gb: float = _amount(100)
    """Default: 100. GB crossing each virtual network peering per month, each way."""
    defender_vaults: float | None = Field(default=None, ge=0, strict=True, allow_inf_nan=False)
    """Default: not set — the vaults in the same plan. Key vaults a subscription's Defender for
    Key Vault plan protects (add the vaults of other stacks in the subscription)."""
    defender_storage_accounts: float | None = Field(
        default=None, ge=0, strict=True, allow_inf_nan=False
    )
    """Default: not set — the storage accounts in the same plan. Storage accounts a
    subscription's Defender for Storage plan protects (the AI labs' accounts, when they share
    the landing zone's subscription)."""


def key_of(field: str) -> str:
    """``token_utilisation`` -> ``hlz:cost.tokenUtilisation``."""
    info = CostAssumptions.model_fields[field]
    return f"{KEY}.{info.alias or field}"


def parse_assumptions(raw: Any) -> CostAssumptions:
    """``hlz:cost`` as written in a stack file (absent: every default); raises ConfigError
    naming each bad key, all at once."""
    if raw is None:
        return CostAssumptions()
    try:
        return CostAssumptions.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(
            problems_from_validation_error(error, f"{KEY}.", CostAssumptions), SOURCE
        ) from None
