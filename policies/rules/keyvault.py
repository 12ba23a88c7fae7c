"""Key Vault (vault, key and secret) rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import (
    Compliant,
    Outcome,
    Profile,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
    outcome_from,
)
from ..props import as_bool, as_int, as_number, as_sequence, as_str, describe, get, same_text
from .expect import expect_text, expect_true
from .relations import Referrers, of_type
from .storage import internet_ip_rules
from .tokens import (
    KEY_VAULT,
    KEY_VAULT_KEY,
    KEY_VAULT_SECRET,
    LOCK_AT_RESOURCE_GROUP,
    LOCK_BY_SCOPE,
)

VAULT = frozenset({KEY_VAULT})
KEY = frozenset({KEY_VAULT_KEY})
SECRET = frozenset({KEY_VAULT_SECRET})

MINIMUM_SOFT_DELETE_DAYS = 90
"""Azure's maximum and default; deleted vaults and keys stay recoverable for 90 days."""

MINIMUM_RSA_KEY_BITS = 3072
"""NIST SP 800-57 gives RSA-3072 128-bit security, required for keys protecting ePHI past 2030."""

APPROVED_EC_CURVES = ("P-256", "P-384", "P-521")
"""NIST curves. P-256K (secp256k1) is not FIPS-approved. Azure's default curve is P-256."""

HSM_KEY_TYPES = ("RSA-HSM", "EC-HSM")


def check_purge_protection(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(
        props,
        ("properties", "enablePurgeProtection"),
        "; set it to true (it cannot be turned off afterwards)",
    )


def check_soft_delete(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    enabled = get(props, "properties", "enableSoftDelete")
    # Absent means true (Azure's default; the SDK also fills it in).
    if enabled is not None and as_bool(enabled) is not True:
        reasons.append(f"properties.enableSoftDelete is {describe(enabled)}; set it to true")
    # Absent retention means Azure's default of 90 days (the SDK also fills in 90).
    days = get(props, "properties", "softDeleteRetentionInDays")
    count = as_int(days)
    if days is not None and (count is None or count < MINIMUM_SOFT_DELETE_DAYS):
        reasons.append(
            f"properties.softDeleteRetentionInDays is {describe(days)}; set it to "
            f"{MINIMUM_SOFT_DELETE_DAYS}"
        )
    return outcome_from(reasons)


def check_rbac_authorization(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(
        props,
        ("properties", "enableRbacAuthorization"),
        "; set it to true and replace access policies with Azure RBAC role assignments",
    )


def check_public_network_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("properties", "publicNetworkAccess"),
        "Disabled",
        " (the SDK fills in 'enabled'); set it to 'Disabled' and use a private endpoint",
    )


def check_network_default_deny(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("properties", "networkAcls", "defaultAction"),
        "Deny",
        " (absent means Allow); set it to 'Deny'",
    )


def check_internet_ip_rules(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return internet_ip_rules(
        props,
        ("properties", "networkAcls", "ipRules"),
        "value",
        ("properties", "publicNetworkAccess"),
        "remove the IP rules and reach the vault through its private endpoint (with public "
        "network access 'Disabled' they would be inert)",
    )


def check_premium_sku(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props, ("properties", "sku", "name"), "premium", "; use 'premium' so keys can be HSM-backed"
    )


def check_key_strength(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    kty = as_str(get(props, "properties", "kty"))
    if kty is not None and kty.upper() in ("RSA", "RSA-HSM"):
        size = get(props, "properties", "keySize")
        bits = as_int(size)
        if bits is None or bits < MINIMUM_RSA_KEY_BITS:
            return fail(
                f"properties.keySize is {describe(size)} (Azure's default is 2048); use at "
                f"least {MINIMUM_RSA_KEY_BITS} bits for RSA keys"
            )
        return Compliant()
    if kty is not None and kty.upper() in ("EC", "EC-HSM"):
        curve = get(props, "properties", "curveName")
        if curve is None or any(same_text(curve, approved) for approved in APPROVED_EC_CURVES):
            return Compliant()
        return fail(
            f"properties.curveName is {describe(curve)}; use one of {', '.join(APPROVED_EC_CURVES)}"
        )
    return fail(
        f"properties.kty is {describe(get(props, 'properties', 'kty'))}; use 'RSA-HSM' "
        f"(keySize >= {MINIMUM_RSA_KEY_BITS}) or 'EC-HSM'"
    )


def check_hsm_backed(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    kty = get(props, "properties", "kty")
    if any(same_text(kty, hsm) for hsm in HSM_KEY_TYPES):
        return Compliant()
    return fail(f"properties.kty is {describe(kty)}; use 'RSA-HSM' or 'EC-HSM' (premium vault)")


def check_rotation_policy(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    actions = as_sequence(get(props, "properties", "rotationPolicy", "lifetimeActions"))
    if any(same_text(get(action, "action", "type"), "rotate") for action in actions):
        return Compliant()
    return fail(
        "properties.rotationPolicy.lifetimeActions has no action of type 'rotate'; add one "
        "(e.g. trigger.timeBeforeExpiry 'P30D')"
    )


def check_key_expiry(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    expires = as_number(get(props, "properties", "attributes", "expires"))
    policy_expiry = as_str(get(props, "properties", "rotationPolicy", "attributes", "expiryTime"))
    if expires is not None or policy_expiry:
        return Compliant()
    return fail(
        "neither properties.attributes.expires nor "
        "properties.rotationPolicy.attributes.expiryTime is set; give the key an expiry (e.g. "
        "expiryTime 'P1Y')"
    )


def check_secret_expiry(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # The SDK sends ARM's ``exp`` attribute as ``expires`` (seconds since 1970-01-01).
    if as_number(get(props, "properties", "attributes", "expires")) is not None:
        return Compliant()
    return fail(
        "properties.attributes.expires is not set; give the secret an expiry (seconds since "
        "1970-01-01 UTC, e.g. one year ahead) and rotate it before then"
    )


def check_secret_content_type(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "properties", "contentType")
    text = as_str(value)
    if text is not None and text.strip():
        return Compliant()
    shown = "empty" if text is not None else describe(value)
    return fail(
        f"properties.contentType is {shown}; say what the secret is (e.g. 'password', "
        "'connection-string', 'application/x-pkcs12') so its owner knows how to rotate it"
    )


def check_delete_locks(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    """Every vault has a CanNotDelete (or ReadOnly) lock on itself or on its resource group."""
    scope_locks = [lock for lock in of_type(resources, LOCK_BY_SCOPE) if _blocks_deletion(lock)]
    group_locks = [
        lock for lock in of_type(resources, LOCK_AT_RESOURCE_GROUP) if _blocks_deletion(lock)
    ]
    direct = Referrers(scope_locks, "scope")
    on_groups = Referrers(group_locks + scope_locks, "resourceGroupName", "scope")
    outcomes: dict[str, Outcome] = {}
    for vault in of_type(resources, KEY_VAULT):
        locked_directly = direct.of(vault.urn)
        # A resource group lock protects every vault whose resourceGroupName comes from that group.
        groups = vault.property_dependencies.get("resourceGroupName", ())
        locked_by_group = [lock for group in groups for lock in on_groups.of(group)]
        if locked_directly or locked_by_group:
            outcomes[vault.urn] = Compliant()
        else:
            outcomes[vault.urn] = fail(
                f"Key Vault '{vault.name}' has no CanNotDelete lock; add an "
                "azure-native:authorization:ManagementLockByScope with level 'CanNotDelete' "
                "whose scope is the vault's id (or lock its resource group)"
            )
    return outcomes


def _blocks_deletion(lock: StackResource) -> bool:
    level = get(lock.props, "level")
    return same_text(level, "CanNotDelete") or same_text(level, "ReadOnly")


_KV_DOCS = "https://learn.microsoft.com/azure/key-vault"
PRODUCTION = frozenset({Profile.PRODUCTION})

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="keyvault-vault-require-purge-protection",
        description="Key Vaults enable purge protection.",
        rationale=(
            "Purging a vault or key would make every ePHI store encrypted with it unreadable; "
            "purge protection keeps deleted keys recoverable for the retention period."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(c)(1)", "164.308(a)(7)(ii)(A)"),
        mcsb=("DP-8",),
        hitrust=("10.g",),
        remediation=(
            "Set properties.enablePurgeProtection to true. Lab stacks that are torn down need "
            "unique vault names, because purge-protected vaults stay reserved while soft-deleted."
        ),
        url=f"{_KV_DOCS}/general/soft-delete-overview",
        phi_protecting=True,
        resource_types=VAULT,
        check=check_purge_protection,
    ),
    ResourceRule(
        id="keyvault-vault-require-soft-delete-retention",
        description=(
            f"Key Vaults keep soft delete on with {MINIMUM_SOFT_DELETE_DAYS}-day retention."
        ),
        rationale=(
            "Deleted keys must stay recoverable long enough to restore access to ePHI encrypted "
            "with them."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(c)(1)", "164.308(a)(7)(ii)(A)"),
        mcsb=("DP-8",),
        hitrust=("10.g",),
        remediation=(
            "Leave properties.enableSoftDelete true and set softDeleteRetentionInDays to "
            f"{MINIMUM_SOFT_DELETE_DAYS}."
        ),
        url=f"{_KV_DOCS}/general/soft-delete-overview",
        phi_protecting=True,
        resource_types=VAULT,
        check=check_soft_delete,
    ),
    ResourceRule(
        id="keyvault-vault-require-rbac-authorization",
        description="Key Vaults authorize data-plane access with Azure RBAC, not access policies.",
        rationale=(
            "RBAC gives least-privilege, auditable, Entra-managed access to the keys protecting "
            "ePHI; access policies cannot be scoped per key and are managed outside PIM."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(1)", "164.308(a)(4)(ii)(B)"),
        mcsb=("PA-7", "DP-8"),
        hitrust=("01.c",),
        remediation=(
            "Set properties.enableRbacAuthorization to true and grant Key Vault data roles (e.g. "
            "'Key Vault Crypto Service Encryption User') to identities."
        ),
        url=f"{_KV_DOCS}/general/rbac-guide",
        phi_protecting=True,
        resource_types=VAULT,
        check=check_rbac_authorization,
    ),
    ResourceRule(
        id="keyvault-vault-disallow-public-network-access",
        description="Key Vaults disable public network access.",
        rationale="Keys protecting ePHI must only be reachable over the private network.",
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2", "DP-8"),
        hitrust=("01.n",),
        remediation=(
            "Set properties.publicNetworkAccess to 'Disabled' explicitly (the SDK default is "
            "'enabled') and add a private endpoint (groupId 'vault')."
        ),
        url=f"{_KV_DOCS}/general/private-link-service",
        phi_protecting=True,
        resource_types=VAULT,
        check=check_public_network_access,
    ),
    ResourceRule(
        id="keyvault-vault-require-network-default-deny",
        description="Key Vault firewalls deny by default.",
        rationale=(
            "A default-deny firewall keeps the vault closed even if public access is re-enabled."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Set properties.networkAcls to {defaultAction: 'Deny', bypass: 'AzureServices'}."
        ),
        url=f"{_KV_DOCS}/general/network-security",
        phi_protecting=True,
        resource_types=VAULT,
        check=check_network_default_deny,
    ),
    ResourceRule(
        id="keyvault-vault-disallow-internet-ip-rules",
        description=(
            "Key Vaults keep IP network rules only while public network access is disabled."
        ),
        rationale=(
            "Key Vault IP rules admit public addresses only; with public network access enabled "
            "each one opens the vault holding the keys to ePHI to that part of the internet. "
            "With publicNetworkAccess 'Disabled' the vault blocks everything but private "
            "endpoints and trusted services and 'will not honor' its firewall rules (ARM "
            "reference of publicNetworkAccess), so the rules are inert and allowed."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Remove properties.networkAcls.ipRules and reach the vault through its private "
            "endpoint, with properties.publicNetworkAccess 'Disabled'."
        ),
        url=f"{_KV_DOCS}/general/network-security",
        phi_protecting=True,
        resource_types=VAULT,
        check=check_internet_ip_rules,
    ),
    ResourceRule(
        id="keyvault-vault-require-premium-sku",
        description="Production Key Vaults, and vaults tagged as holding PHI, use the premium SKU.",
        rationale=(
            "Only premium vaults can hold HSM-backed keys, required in production and for PHI."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation="Set properties.sku to {family: 'A', name: 'premium'}.",
        url=f"{_KV_DOCS}/keys/hsm-protected-keys",
        phi_protecting=False,
        profiles=PRODUCTION,
        phi_in_every_profile=True,
        resource_types=VAULT,
        check=check_premium_sku,
    ),
    ResourceRule(
        id="keyvault-key-require-strong-key-type",
        description=(
            f"Key Vault keys are RSA with at least {MINIMUM_RSA_KEY_BITS} bits or EC on a "
            "NIST curve."
        ),
        rationale=(
            "Customer-managed keys wrap the encryption keys of ePHI stores; weak keys weaken all "
            "of them."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-6",),
        hitrust=("10.g",),
        remediation=(
            f"Set properties.kty to 'RSA-HSM' with keySize {MINIMUM_RSA_KEY_BITS} or 4096, "
            "or 'EC-HSM' with curveName P-256/P-384/P-521."
        ),
        url=f"{_KV_DOCS}/keys/about-keys",
        phi_protecting=True,
        resource_types=KEY,
        check=check_key_strength,
    ),
    ResourceRule(
        id="keyvault-key-require-hsm-backing",
        description=(
            "Production Key Vault keys, and keys tagged as protecting PHI, are HSM-backed "
            "(RSA-HSM or EC-HSM)."
        ),
        rationale=(
            "HSM-backed keys never leave the FIPS 140 validated boundary, protecting the keys of "
            "ePHI stores."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5", "DP-6"),
        hitrust=("10.g",),
        remediation="Set properties.kty to 'RSA-HSM' or 'EC-HSM' in a premium vault.",
        url=f"{_KV_DOCS}/keys/hsm-protected-keys",
        phi_protecting=True,
        profiles=PRODUCTION,
        phi_in_every_profile=True,
        resource_types=KEY,
        check=check_hsm_backed,
    ),
    ResourceRule(
        id="keyvault-key-require-rotation-policy",
        description="Key Vault keys have a rotation policy that rotates them automatically.",
        rationale=(
            "Regular rotation limits the amount of ePHI protected by one key version and the "
            "impact of a key compromise."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-6",),
        hitrust=("10.g",),
        remediation=(
            "Set properties.rotationPolicy.lifetimeActions to include {action: {type: 'rotate'}, "
            "trigger: {timeBeforeExpiry: 'P30D'}} and attributes.expiryTime (e.g. 'P1Y')."
        ),
        url=f"{_KV_DOCS}/keys/how-to-configure-key-rotation",
        phi_protecting=True,
        resource_types=KEY,
        check=check_rotation_policy,
    ),
    ResourceRule(
        id="keyvault-key-require-expiry",
        description=(
            "Key Vault keys have an expiry date (directly or through their rotation policy)."
        ),
        rationale=(
            "Keys without an expiry can stay in use indefinitely, defeating the key lifecycle."
        ),
        severity=Severity.LOW,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-6",),
        hitrust=("10.g",),
        remediation=(
            "Set properties.rotationPolicy.attributes.expiryTime (e.g. 'P1Y') or "
            "properties.attributes.expires."
        ),
        url=f"{_KV_DOCS}/keys/how-to-configure-key-rotation",
        phi_protecting=False,
        resource_types=KEY,
        check=check_key_expiry,
    ),
    ResourceRule(
        id="keyvault-secret-require-expiry",
        description="Key Vault secrets have an expiry date.",
        rationale=(
            "Secrets are credentials (passwords, connection strings, client secrets) to systems "
            "holding ePHI; without an expiry a leaked or forgotten one stays valid indefinitely."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-8",),
        hitrust=("01.d",),
        remediation=(
            "Set properties.attributes.expires (seconds since 1970-01-01 UTC; ARM's 'exp') and "
            "rotate the secret before it expires."
        ),
        url=f"{_KV_DOCS}/secrets/about-secrets",
        phi_protecting=False,
        resource_types=SECRET,
        check=check_secret_expiry,
    ),
    ResourceRule(
        id="keyvault-secret-require-content-type",
        description="Key Vault secrets state their content type.",
        rationale=(
            "The content type tells an operator what a secret is and how to rotate it, so "
            "credentials to ePHI systems are not left unrotated because nobody knows what they "
            "unlock."
        ),
        severity=Severity.LOW,
        hipaa=("164.312(d)",),
        mcsb=("IM-8",),
        remediation=(
            "Set properties.contentType (e.g. 'password', 'connection-string', "
            "'application/x-pkcs12')."
        ),
        url=f"{_KV_DOCS}/secrets/about-secrets",
        phi_protecting=False,
        resource_types=SECRET,
        check=check_secret_content_type,
    ),
    StackRule(
        id="keyvault-vault-require-delete-lock",
        description="In production every Key Vault is protected by a CanNotDelete lock.",
        rationale=(
            "Deleting a vault (even recoverably) interrupts access to every ePHI store encrypted "
            "with its keys; a lock forces a deliberate, audited two-step removal."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(c)(1)", "164.308(a)(7)(ii)(B)"),
        remediation=(
            "Add azure-native:authorization:ManagementLockByScope(level='CanNotDelete', "
            "scope=vault.id) or lock the vault's resource group."
        ),
        url="https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources",
        phi_protecting=True,
        profiles=PRODUCTION,
        resource_types=VAULT,
        check=check_delete_locks,
    ),
)
