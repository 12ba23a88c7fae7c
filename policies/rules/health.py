"""Azure Health Data Services (workspace, FHIR service, DICOM service) rules.

pulumi-azure-native 3.x sends FHIR and DICOM settings flattened at the top level of the inputs
(``encryption``, ``corsConfiguration``, ``authenticationConfiguration``,
``resourceVersionPolicyConfiguration``), not under ``properties``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..arm_types import GENERIC_RESOURCE
from ..model import (
    Compliant,
    Outcome,
    ResourceRule,
    Severity,
    fail,
    outcome_from,
)
from ..props import (
    as_bool,
    as_mapping,
    as_sequence,
    as_str,
    describe,
    get,
    has_key,
    is_set,
    same_text,
)
from .tokens import DICOM_SERVICE, FHIR_SERVICE, HEALTH_WORKSPACE

FHIR = frozenset({FHIR_SERVICE})
DICOM = frozenset({DICOM_SERVICE})
DATA_SERVICES = frozenset({FHIR_SERVICE, DICOM_SERVICE})
WORKSPACE = frozenset({HEALTH_WORKSPACE})

VERSIONED_POLICIES = ("versioned", "versioned-update")
"""FHIR version policies that keep history; 'no-version' overwrites resources in place."""


def check_cmk_encryption(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if is_set(props, "encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"):
        return Compliant()
    return fail(
        "encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl is not set; point it at a "
        "Key Vault key and give the service a managed identity with 'Key Vault Crypto Service "
        "Encryption User'"
    )


def check_public_network_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # The workspace's setting governs its FHIR and DICOM services. pulumi-azure-native 3.29.0's
    # typed Workspace has no input for it (Azure then defaults to Enabled); the REST API
    # 2024-03-31 accepts it, which the generic resource sends (policies.normalise shows it to
    # this rule as a healthcareapis Workspace with ``properties``).
    for path in (("properties",), ()):
        container = get(props, *path)
        if has_key(container, "publicNetworkAccess"):
            value = get(container, "publicNetworkAccess")
            if same_text(value, "Disabled"):
                return Compliant()
            where = ".".join((*path, "publicNetworkAccess"))
            return fail(
                f"{where} is {describe(value)}; set it to 'Disabled' and reach the workspace "
                "through its private endpoint (groupId 'healthcareworkspace')"
            )
    return fail(
        "properties.publicNetworkAccess is not set, so Azure leaves the FHIR and DICOM data "
        "plane reachable from the internet; the typed healthcareapis.Workspace of "
        "pulumi-azure-native 3.29.0 cannot set it: declare the workspace as "
        f"{GENERIC_RESOURCE} (resourceProviderNamespace 'Microsoft.HealthcareApis', resourceType "
        "'workspaces', apiVersion '2024-03-31') with properties.publicNetworkAccess 'Disabled', "
        "as components.health_data does"
    )


def check_versioned_resources(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    default = get(props, "resourceVersionPolicyConfiguration", "default")
    if not any(same_text(default, policy) for policy in VERSIONED_POLICIES):
        reasons.append(
            f"resourceVersionPolicyConfiguration.default is {describe(default)} "
            "(absent means Azure's default); set it to 'versioned'"
        )
    overrides = (
        as_mapping(get(props, "resourceVersionPolicyConfiguration", "resourceTypeOverrides")) or {}
    )
    for resource_type in overrides:
        policy = overrides[resource_type]
        if not any(same_text(policy, allowed) for allowed in VERSIONED_POLICIES):
            reasons.append(
                f"resourceVersionPolicyConfiguration.resourceTypeOverrides.{resource_type} is "
                f"{describe(policy)}; use 'versioned' or remove the override"
            )
    return outcome_from(reasons)


def check_cors(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    origins = [as_str(origin) for origin in as_sequence(get(props, "corsConfiguration", "origins"))]
    wildcards = [origin for origin in origins if origin is not None and "*" in origin]
    if wildcards:
        reasons.append(
            f"corsConfiguration.origins contains {', '.join(repr(o) for o in wildcards)}; "
            "list the exact origins of trusted applications"
        )
    credentials = get(props, "corsConfiguration", "allowCredentials")
    if credentials is not None and as_bool(credentials) is not False:
        reasons.append(
            f"corsConfiguration.allowCredentials is {describe(credentials)}; set it to false"
        )
    return outcome_from(reasons)


def check_smart_proxy_disabled(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "authenticationConfiguration", "smartProxyEnabled")
    if value is None or as_bool(value) is False:
        return Compliant()
    return fail(
        f"authenticationConfiguration.smartProxyEnabled is {describe(value)}; set it to false "
        "(use SMART on FHIR with Entra ID directly)"
    )


_HDS_DOCS = "https://learn.microsoft.com/azure/healthcare-apis"

RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="healthcareapis-fhirservice-require-cmk-encryption",
        description="FHIR services encrypt data at rest with a customer-managed key.",
        rationale=(
            "The FHIR service is the system of record for ePHI; a customer-managed key keeps it "
            "under the covered entity's key control and allows revocation."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation=(
            "Set encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl and a user-assigned "
            "identity; it can only be set when the service is created."
        ),
        url=f"{_HDS_DOCS}/fhir/configure-customer-managed-keys",
        phi_protecting=True,
        resource_types=FHIR,
        check=check_cmk_encryption,
    ),
    ResourceRule(
        id="healthcareapis-dicomservice-require-cmk-encryption",
        description="DICOM services encrypt data at rest with a customer-managed key.",
        rationale=(
            "Medical images and their metadata are ePHI; a customer-managed key keeps them under "
            "the covered entity's key control."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation=(
            "Set encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl and a user-assigned "
            "identity; it can only be set when the service is created."
        ),
        url=f"{_HDS_DOCS}/dicom/configure-customer-managed-keys",
        phi_protecting=True,
        resource_types=DICOM,
        check=check_cmk_encryption,
    ),
    ResourceRule(
        id="healthcareapis-workspace-disallow-public-network-access",
        description=(
            "Health Data Services workspaces disable public network access (the setting governs "
            "their FHIR and DICOM services)."
        ),
        rationale="ePHI APIs must only be reachable over the private network.",
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Declare the workspace as azure-native:resources:Resource at API version 2024-03-31 "
            "with properties.publicNetworkAccess 'Disabled' (the typed Workspace of "
            "pulumi-azure-native 3.29.0 cannot set it), and add a private endpoint on the "
            "workspace (groupId 'healthcareworkspace')."
        ),
        url=f"{_HDS_DOCS}/healthcare-apis-configure-private-link",
        phi_protecting=True,
        resource_types=WORKSPACE,
        check=check_public_network_access,
    ),
    ResourceRule(
        id="healthcareapis-fhirservice-require-versioned-resources",
        description="FHIR services keep resource history (version policy 'versioned').",
        rationale=(
            "Version history lets improper alteration of clinical records be detected and reverted."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(c)(1)", "164.312(c)(2)"),
        mcsb=("BR-1",),
        remediation=(
            "Set resourceVersionPolicyConfiguration.default to 'versioned' and do not override "
            "resource types with 'no-version'."
        ),
        url=f"{_HDS_DOCS}/fhir/fhir-versioning-policy-and-history-management",
        phi_protecting=True,
        resource_types=FHIR,
        check=check_versioned_resources,
    ),
    ResourceRule(
        id="healthcareapis-service-restrict-cors",
        description=(
            "FHIR and DICOM services allow CORS only from explicit origins and without credentials."
        ),
        rationale=(
            "A wildcard origin lets any website drive a signed-in user's browser to read ePHI."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(1)", "164.312(e)(1)"),
        mcsb=("NS-2",),
        remediation=(
            "List exact origins in corsConfiguration.origins and set allowCredentials to false."
        ),
        url=f"{_HDS_DOCS}/fhir/configure-cross-origin-resource-sharing",
        phi_protecting=True,
        resource_types=DATA_SERVICES,
        check=check_cors,
    ),
    ResourceRule(
        id="healthcareapis-fhirservice-disable-smart-proxy",
        description="FHIR services keep the legacy SMART on FHIR proxy off.",
        rationale=(
            "The proxy is a legacy authentication path; Entra ID SMART on FHIR v2 scopes give "
            "auditable, least-privilege access to ePHI."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-1",),
        remediation=(
            "Set authenticationConfiguration.smartProxyEnabled to false (or leave it unset)."
        ),
        url=f"{_HDS_DOCS}/fhir/smart-on-fhir",
        phi_protecting=True,
        resource_types=FHIR,
        check=check_smart_proxy_disabled,
    ),
)
