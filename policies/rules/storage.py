"""Storage account, blob service and blob container rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import (
    Compliant,
    Outcome,
    Profile,
    ResourceRule,
    Severity,
    fail,
    outcome_from,
)
from ..props import as_bool, as_int, as_sequence, as_str, describe, get, is_set, same_text
from .expect import expect_text, expect_true
from .tokens import BLOB_CONTAINER, BLOB_SERVICE, STORAGE_ACCOUNT

ACCOUNT = frozenset({STORAGE_ACCOUNT})

MINIMUM_TLS_VERSIONS = ("TLS1_2", "TLS1_3")
"""Accepted ``minimumTlsVersion`` values. Azure's default interpretation is TLS1_0."""

GEO_REDUNDANT_SKUS = ("Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS")

MINIMUM_SOFT_DELETE_DAYS = 7
"""Blob and container soft-delete retention floor (Azure's portal default; AVM's default)."""


def check_cmk_encryption(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    key_source = get(props, "encryption", "keySource")
    if not same_text(key_source, "Microsoft.Keyvault"):
        return fail(
            f"encryption.keySource is {describe(key_source)}; set it to 'Microsoft.Keyvault' "
            "so data is encrypted with a customer-managed key"
        )
    reasons = [
        f"encryption.keyVaultProperties.{name} is not set; name the customer-managed key"
        for name in ("keyName", "keyVaultUri")
        if not is_set(props, "encryption", "keyVaultProperties", name)
    ]
    return outcome_from(reasons)


def check_infrastructure_encryption(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(
        props,
        ("encryption", "requireInfrastructureEncryption"),
        "; set it to true (it can only be chosen when the account is created)",
    )


def check_https_only(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # Absent means true: Azure's default since API version 2019-04-01 (SDK docs).
    value = get(props, "enableHttpsTrafficOnly")
    if value is None or as_bool(value) is True:
        return Compliant()
    return fail(f"enableHttpsTrafficOnly is {describe(value)}; set it to true")


def check_minimum_tls(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "minimumTlsVersion")
    if any(same_text(value, accepted) for accepted in MINIMUM_TLS_VERSIONS):
        return Compliant()
    return fail(
        f"minimumTlsVersion is {describe(value)} (Azure's default is TLS1_0); set it to 'TLS1_2'"
    )


def check_public_network_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("publicNetworkAccess",),
        "Disabled",
        " (absent means Enabled); set it to 'Disabled' "
        "and reach the account through private endpoints",
    )


def internet_ip_rules(
    props: Mapping[str, Any],
    rules_path: Sequence[str],
    address_key: str,
    access_path: Sequence[str],
    advice: str,
) -> Outcome:
    """An IP allow-list (``rules_path``) is allowed only while public network access
    (``access_path``) is 'Disabled'.

    IP rules name public addresses only (private ranges are refused), so with public access
    enabled each rule opens the public endpoint to that part of the internet. With public access
    disabled Azure honours no IP rule: they are inert. Shared by the storage and Key Vault rules.
    """
    rules = as_sequence(get(props, *rules_path))
    if not rules:
        return Compliant()
    access = get(props, *access_path)
    if same_text(access, "Disabled"):
        return Compliant()
    addresses = ", ".join(as_str(get(rule, address_key)) or describe(rule) for rule in rules)
    absent = " (absent means Enabled)" if access is None else ""
    return fail(
        f"{'.'.join(rules_path)} allows {addresses} while {'.'.join(access_path)} is "
        f"{describe(access)}{absent}; {advice}"
    )


def check_internet_ip_rules(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return internet_ip_rules(
        props,
        ("networkRuleSet", "ipRules"),
        "iPAddressOrRange",
        ("publicNetworkAccess",),
        "remove the IP rules and reach the account through private endpoints (with public "
        "network access 'Disabled' they would be inert)",
    )


def check_network_default_deny(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("networkRuleSet", "defaultAction"),
        "Deny",
        " (absent means Allow); set it to 'Deny'",
    )


def check_shared_key_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "allowSharedKeyAccess")
    if as_bool(value) is False:
        return Compliant()
    return fail(
        f"allowSharedKeyAccess is {describe(value)} (absent means true); set it to false "
        "so every request is authorized with Entra ID"
    )


def check_blob_public_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # Absent means false (Azure's default interpretation, SDK docs); only an explicit true fails.
    value = get(props, "allowBlobPublicAccess")
    if value is None or as_bool(value) is False:
        return Compliant()
    return fail(f"allowBlobPublicAccess is {describe(value)}; set it to false")


def check_cross_tenant_replication(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # Absent means false for new accounts (SDK docs); only an explicit true fails.
    value = get(props, "allowCrossTenantReplication")
    if value is None or as_bool(value) is False:
        return Compliant()
    return fail(f"allowCrossTenantReplication is {describe(value)}; set it to false")


def check_geo_redundancy(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "sku", "name")
    if any(same_text(value, sku) for sku in GEO_REDUNDANT_SKUS):
        return Compliant()
    return fail(
        f"sku.name is {describe(value)}; use a geo-redundant SKU ({', '.join(GEO_REDUNDANT_SKUS)})"
    )


def _retention_reasons(props: Mapping[str, Any], policy: str, what: str) -> list[str]:
    enabled = get(props, policy, "enabled")
    if as_bool(enabled) is not True:
        return [
            f"{policy}.enabled is {describe(enabled)}; enable {what} soft delete with at least "
            f"{MINIMUM_SOFT_DELETE_DAYS} days"
        ]
    days = get(props, policy, "days")
    count = as_int(days)
    if count is None or count < MINIMUM_SOFT_DELETE_DAYS:
        return [
            f"{policy}.days is {describe(days)}; keep deleted {what}s at least "
            f"{MINIMUM_SOFT_DELETE_DAYS} days"
        ]
    return []


def check_blob_soft_delete(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return outcome_from(
        _retention_reasons(props, "deleteRetentionPolicy", "blob")
        + _retention_reasons(props, "containerDeleteRetentionPolicy", "container")
    )


def check_container_public_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # Absent means None (no anonymous access), Azure's default.
    value = get(props, "publicAccess")
    if value is None or same_text(value, "None"):
        return Compliant()
    return fail(f"publicAccess is {describe(value)}; set it to 'None' (or leave it unset)")


def check_blob_versioning(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(props, ("isVersioningEnabled",), "; set it to true")


_STORAGE_DOCS = "https://learn.microsoft.com/azure/storage"

RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="storage-account-require-cmk-encryption",
        description=(
            "Storage accounts encrypt data at rest with a customer-managed key from Key Vault."
        ),
        rationale=(
            "A customer-managed key lets the covered entity control, rotate and revoke access to "
            "stored ePHI independently of Microsoft-managed keys."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation=(
            "Set encryption.keySource to 'Microsoft.Keyvault' and encryption.keyVaultProperties "
            "(keyName, keyVaultUri) with an identity that has 'Key Vault Crypto Service Encryption "
            "User'."
        ),
        url=f"{_STORAGE_DOCS}/common/customer-managed-keys-overview",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_cmk_encryption,
    ),
    ResourceRule(
        id="storage-account-require-infrastructure-encryption",
        description="Storage accounts enable infrastructure (double) encryption.",
        rationale=(
            "A second, independent encryption layer protects ePHI if one algorithm or key is "
            "compromised."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-4",),
        remediation=(
            "Set encryption.requireInfrastructureEncryption to true; it is fixed at creation, so "
            "existing accounts must be recreated and their data copied."
        ),
        url=f"{_STORAGE_DOCS}/common/infrastructure-encryption-enable",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_infrastructure_encryption,
    ),
    ResourceRule(
        id="storage-account-require-https-only",
        description="Storage accounts accept HTTPS traffic only.",
        rationale="Plain HTTP would carry ePHI unencrypted in transit.",
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(e)(2)(ii)"),
        mcsb=("DP-3",),
        hitrust=("09.s",),
        remediation=(
            "Leave enableHttpsTrafficOnly unset (Azure's default is true) or set it to true."
        ),
        url=f"{_STORAGE_DOCS}/common/storage-require-secure-transfer",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_https_only,
    ),
    ResourceRule(
        id="storage-account-require-minimum-tls12",
        description="Storage accounts reject TLS versions below 1.2.",
        rationale="TLS 1.0 and 1.1 have known weaknesses; ePHI in transit needs current protocols.",
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(e)(2)(ii)"),
        mcsb=("DP-3",),
        hitrust=("09.s",),
        remediation="Set minimumTlsVersion to 'TLS1_2'.",
        url=f"{_STORAGE_DOCS}/common/transport-layer-security-configure-minimum-version",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_minimum_tls,
    ),
    ResourceRule(
        id="storage-account-disallow-public-network-access",
        description="Storage accounts disable public network access.",
        rationale=(
            "ePHI stores must only be reachable from the private network, through private "
            "endpoints."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Set publicNetworkAccess to 'Disabled' and add a private endpoint per sub-resource "
            "used (blob, dfs, file, queue, table)."
        ),
        url=f"{_STORAGE_DOCS}/common/storage-network-security",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_public_network_access,
    ),
    ResourceRule(
        id="storage-account-require-network-default-deny",
        description="Storage account firewalls deny by default.",
        rationale=(
            "If public access is ever re-enabled, a default-deny firewall still blocks unknown "
            "networks."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Set networkRuleSet.defaultAction to 'Deny' (bypass 'AzureServices' if trusted "
            "services need access)."
        ),
        url=f"{_STORAGE_DOCS}/common/storage-network-security",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_network_default_deny,
    ),
    ResourceRule(
        id="storage-account-disallow-shared-key-access",
        description="Storage accounts disallow Shared Key (account key and SAS) authorization.",
        rationale=(
            "Account keys are shared secrets that bypass Entra ID identities, RBAC and audit "
            "attribution to a person or workload."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(1)", "164.312(d)"),
        mcsb=("IM-1",),
        hitrust=("01.q",),
        remediation=(
            "Set allowSharedKeyAccess to false and grant data-plane roles (Storage Blob Data *) to "
            "identities."
        ),
        url=f"{_STORAGE_DOCS}/common/shared-key-authorization-prevent",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_shared_key_access,
    ),
    ResourceRule(
        id="storage-account-disallow-blob-public-access",
        description=(
            "Storage accounts disallow anonymous public read access to blobs and containers."
        ),
        rationale="Anonymous access would expose ePHI to anyone with the URL.",
        severity=Severity.CRITICAL,
        hipaa=("164.312(a)(1)",),
        mcsb=("DP-2", "NS-2"),
        hitrust=("01.v",),
        remediation="Set allowBlobPublicAccess to false (or leave it unset).",
        url=f"{_STORAGE_DOCS}/blobs/anonymous-read-access-prevent",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_blob_public_access,
    ),
    ResourceRule(
        id="storage-account-disallow-internet-ip-rules",
        description=(
            "Storage accounts keep IP network rules only while public network access is disabled."
        ),
        rationale=(
            "IP rules admit public addresses only; with public network access enabled each one "
            "opens the public endpoint of an ePHI store to that part of the internet. With "
            "publicNetworkAccess 'Disabled' Azure honours no IP or virtual network rule "
            "(Azure Policy 'Configure storage accounts to disable public network access': it "
            "'denies all logins that match IP or virtual network-based firewall rules'), so "
            "the rules are inert and allowed."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Remove networkRuleSet.ipRules and reach the account through private endpoints, with "
            "publicNetworkAccess 'Disabled'."
        ),
        url=f"{_STORAGE_DOCS}/common/storage-network-security",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_internet_ip_rules,
    ),
    ResourceRule(
        id="storage-account-disallow-cross-tenant-replication",
        description="Storage accounts disallow object replication to other Entra tenants.",
        rationale=(
            "Cross-tenant replication can copy ePHI outside the organisation's control boundary."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(a)(1)", "164.308(a)(4)(ii)(B)"),
        mcsb=("DP-2",),
        remediation="Set allowCrossTenantReplication to false (or leave it unset).",
        url=f"{_STORAGE_DOCS}/blobs/object-replication-prevent-cross-tenant-policies",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_cross_tenant_replication,
    ),
    ResourceRule(
        id="storage-account-require-geo-redundancy",
        description="Production storage accounts use a geo-redundant SKU.",
        rationale=(
            "The contingency plan needs ePHI to survive a regional outage (data backup and "
            "disaster recovery)."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.308(a)(7)(ii)(B)", "164.308(a)(7)(ii)(A)"),
        mcsb=("BR-1",),
        hitrust=("09.l",),
        remediation=(
            "Use sku.name Standard_GRS, Standard_RAGRS, Standard_GZRS or Standard_RAGZRS (paired "
            "region inside the US)."
        ),
        url=f"{_STORAGE_DOCS}/common/storage-redundancy",
        phi_protecting=False,
        profiles=frozenset({Profile.PRODUCTION}),
        resource_types=ACCOUNT,
        check=check_geo_redundancy,
    ),
    ResourceRule(
        id="storage-blobservice-require-soft-delete",
        description=(
            "Blob services keep deleted blobs and containers for at least "
            f"{MINIMUM_SOFT_DELETE_DAYS} days."
        ),
        rationale=(
            "Soft delete protects ePHI from accidental or malicious deletion (integrity, "
            "contingency)."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(c)(1)", "164.308(a)(7)(ii)(A)"),
        mcsb=("BR-1", "DP-8"),
        remediation=(
            "Set deleteRetentionPolicy and containerDeleteRetentionPolicy to "
            f"{{enabled: true, days: >= {MINIMUM_SOFT_DELETE_DAYS}}}."
        ),
        url=f"{_STORAGE_DOCS}/blobs/soft-delete-blob-overview",
        phi_protecting=True,
        resource_types=frozenset({BLOB_SERVICE}),
        check=check_blob_soft_delete,
    ),
    ResourceRule(
        id="storage-blobservice-require-versioning",
        description="Blob services keep previous versions of blobs.",
        rationale=(
            "Versioning preserves prior ePHI content so improper alteration can be detected and "
            "reverted."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(c)(1)", "164.312(c)(2)"),
        mcsb=("BR-1",),
        remediation=(
            "Set isVersioningEnabled to true on the blob service (blobServicesName 'default')."
        ),
        url=f"{_STORAGE_DOCS}/blobs/versioning-overview",
        phi_protecting=True,
        resource_types=frozenset({BLOB_SERVICE}),
        check=check_blob_versioning,
    ),
    ResourceRule(
        id="storage-blobcontainer-disallow-public-access",
        description="Blob containers allow no anonymous (public) read access.",
        rationale=(
            "A container with publicAccess 'Blob' or 'Container' lets anyone with the URL read "
            "(and, for 'Container', list) the ePHI in it without authorization; the account's "
            "allowBlobPublicAccess is one guard, the container's own setting the other."
        ),
        severity=Severity.CRITICAL,
        hipaa=("164.312(a)(1)",),
        mcsb=("DP-2", "NS-2"),
        hitrust=("01.v",),
        remediation="Set publicAccess to 'None' (or leave it unset) on every container.",
        url=f"{_STORAGE_DOCS}/blobs/anonymous-read-access-configure",
        phi_protecting=True,
        resource_types=frozenset({BLOB_CONTAINER}),
        check=check_container_public_access,
    ),
)
