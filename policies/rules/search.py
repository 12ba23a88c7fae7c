"""Azure AI Search rules: the service that indexes a lab's documents for retrieval.

An index holds copies of the documents it was built from (clinical notes, reports), so a
search service holds ePHI as soon as a lab points an indexer at its data: the same private
access, Entra-only authentication and customer-managed-key controls as the storage it reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import Compliant, Outcome, ResourceRule, Severity, fail
from ..props import as_sequence, describe, get, same_text
from .expect import expect_managed_identity, expect_text, expect_true
from .tokens import SEARCH_SERVICE

SERVICE = frozenset({SEARCH_SERVICE})

BLOCK_ALL_EXFILTRATION = "BlockAll"
"""The one ``dataExfiltrationProtections`` value API 2025-05-01 defines: every data export
scenario of the service is refused."""


def check_public_network_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("publicNetworkAccess",),
        "Disabled",
        " (absent means Enabled); set it to 'Disabled' and reach the service through its "
        "private endpoint",
    )


def check_local_auth_disabled(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(
        props,
        ("disableLocalAuth",),
        "; set it to true (and send no authOptions) so only Entra ID tokens are accepted, "
        "no admin or query API keys",
    )


def check_cmk_enforcement(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("encryptionWithCmk", "enforcement"),
        "Enabled",
        " (absent means Unspecified: objects without a customer-managed key are accepted); set "
        "it to 'Enabled'",
    )


def check_managed_identity(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_managed_identity(
        props,
        "; give the service a system- or user-assigned managed identity so its indexers reach "
        "the lab's data and its customer-managed key with Entra ID, not connection strings",
    )


def check_exfiltration_protection(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "dataExfiltrationProtections")
    entries = as_sequence(value)
    if any(same_text(entry, BLOCK_ALL_EXFILTRATION) for entry in entries):
        return Compliant()
    shown = (
        f"[{', '.join(describe(entry) for entry in entries)}]"
        if entries or (isinstance(value, Sequence) and not isinstance(value, str))
        else describe(value)
    )
    return fail(
        f"dataExfiltrationProtections is {shown}; set it to "
        f"['{BLOCK_ALL_EXFILTRATION}'] so the service refuses every data export scenario"
    )


_SEARCH_DOCS = "https://learn.microsoft.com/azure/search"

RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="search-service-disallow-public-network-access",
        description="Azure AI Search services disable public network access.",
        rationale=(
            "Queries, indexed documents and index definitions carry ePHI once an indexer reads "
            "a lab's data; they must only travel over the private network."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Set publicNetworkAccess to 'Disabled' and add a private endpoint (groupId "
            "'searchService', zone privatelink.search.windows.net)."
        ),
        url=f"{_SEARCH_DOCS}/service-create-private-endpoint",
        phi_protecting=True,
        resource_types=SERVICE,
        check=check_public_network_access,
    ),
    ResourceRule(
        id="search-service-disable-local-auth",
        description="Azure AI Search services disable API-key (local) authentication.",
        rationale=(
            "Admin and query keys are shared secrets without identity: anyone holding one reads "
            "every index, and no log says who. Entra ID tokens give per-identity access control "
            "and audit."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-1",),
        hitrust=("01.q",),
        remediation=(
            "Set disableLocalAuth to true, remove authOptions, and grant 'Search Index Data "
            "Reader' / 'Search Index Data Contributor' to callers."
        ),
        url=f"{_SEARCH_DOCS}/search-security-enable-roles",
        phi_protecting=True,
        resource_types=SERVICE,
        check=check_local_auth_disabled,
    ),
    ResourceRule(
        id="search-service-require-cmk-enforcement",
        description=(
            "Azure AI Search services enforce customer-managed-key encryption of their objects."
        ),
        rationale=(
            "With enforcement on, the service refuses an index, synonym map, indexer, data "
            "source or skillset that is not encrypted with the covered entity's key, so no "
            "copy of ePHI is left under a Microsoft-managed key only."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation=(
            "Set encryptionWithCmk.enforcement to 'Enabled' (a billable tier), give the "
            "service's identity 'Key Vault Crypto Service Encryption User' on the key, and "
            "create every object with an encryptionKey."
        ),
        url=f"{_SEARCH_DOCS}/search-security-manage-encryption-keys",
        phi_protecting=True,
        resource_types=SERVICE,
        check=check_cmk_enforcement,
    ),
    ResourceRule(
        id="search-service-require-managed-identity",
        description="Azure AI Search services have a managed identity.",
        rationale=(
            "Indexers read the lab's storage and call its embedding models, and the service "
            "unwraps its customer-managed key, with the service's managed identity; without "
            "one, data sources need connection strings and keys, shared secrets that bypass "
            "Entra ID and RBAC."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-3",),
        hitrust=("01.q",),
        remediation=(
            "Set identity.type to 'SystemAssigned' (or with a user-assigned identity) and "
            "grant it roles on the data sources and the key."
        ),
        url=f"{_SEARCH_DOCS}/search-howto-managed-identities-data-sources",
        phi_protecting=True,
        resource_types=SERVICE,
        check=check_managed_identity,
    ),
    ResourceRule(
        id="search-service-require-exfiltration-protection",
        description="Azure AI Search services block data exfiltration ('BlockAll').",
        rationale=(
            "A service that can export its indexed content is a path for ePHI to leave the "
            "lab's boundary that neither the private endpoint nor RBAC closes."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(a)(1)", "164.312(e)(1)"),
        mcsb=("DP-2",),
        remediation="Set dataExfiltrationProtections to ['BlockAll'].",
        url="https://learn.microsoft.com/rest/api/searchmanagement/services/create-or-update",
        resource_types=SERVICE,
        check=check_exfiltration_protection,
    ),
)
