"""API Management rules: the lab AI gateway in front of a lab's AI account.

Every prompt and completion that passes the gateway may carry ePHI, so the gateway gets the same
private access as the account it fronts, an identity of its own for the backend, no portals that
publish its APIs, and callers identified by Entra ID tokens rather than shared subscription keys.

Not a rule: minimum TLS. The ``customProperties`` protocol switches are documented for the
classic tiers; whether Standard v2 honours them is not documented, so hlz neither sets nor judges
them (docs/ai-gateway.md). Also not a rule: "created Disabled without an approved private
endpoint" — a plan cannot tell a first creation from an update of a service whose endpoint is
already approved, so the two-step deployment is documented instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..model import (
    Compliant,
    NonCompliant,
    Outcome,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
)
from ..props import as_int, as_mapping, as_str, describe, get, same_text
from .expect import expect_managed_identity, expect_text
from .relations import Referrers, of_type
from .tokens import APIM_API, APIM_API_POLICY, APIM_DIAGNOSTIC, APIM_LOGGER, APIM_SERVICE

SERVICE = frozenset({APIM_SERVICE})
API = frozenset({APIM_API})

PORTALS = ("developerPortalStatus", "legacyPortalStatus")
"""The portals' switches; absent means Enabled (the API's default, which the SDK also sends)."""

TOKEN_VALIDATION = re.compile(r"<\s*(validate-azure-ad-token|validate-jwt)\b")
"""Policy elements that authenticate the caller with a token (Entra ID or any JWT issuer)."""


def check_public_network_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("publicNetworkAccess",),
        "Disabled",
        " (absent means Enabled); set it to 'Disabled' once the gateway's private endpoint is "
        "approved (Azure refuses 'Disabled' when it creates the service: record the first "
        "deployment's exception in the hlz-override-public-network-access tag)",
    )


def check_portals_disabled(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons = [
        f"{portal} is {describe(get(props, portal))} (absent means Enabled); set it to "
        "'Disabled': a portal publishes the gateway's APIs and invites sign-ups"
        for portal in PORTALS
        if not same_text(get(props, portal), "Disabled")
    ]
    return fail(*reasons) if reasons else Compliant()


def check_managed_identity(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_managed_identity(
        props,
        "; give the gateway a system- or user-assigned managed identity so it authenticates to "
        "its backends with Entra ID (authentication-managed-identity), not stored keys",
    )


def _token_validation_outcome(api: StackResource, policies: list[StackResource]) -> Outcome:
    subscription = get(api.props, "subscriptionRequired")
    key_only = "a subscription key (the only credential)" if subscription is not False else None
    # An unknown policy text (preview) raises here and the API is reported Undetermined.
    texts = [get(policy.props, "value") for policy in policies]
    if any(isinstance(text, str) and TOKEN_VALIDATION.search(text) for text in texts):
        return Compliant()
    found = (
        f"its {len(policies)} polic{'y' if len(policies) == 1 else 'ies'} validate no token"
        if policies
        else "it has no API policy"
    )
    caller = key_only or "nothing (subscriptionRequired is false)"
    return fail(
        f"{found}, so callers are identified by {caller}; add an ApiPolicy with "
        "validate-azure-ad-token (or validate-jwt) and set subscriptionRequired to false"
    )


def check_api_token_validation(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    policies = Referrers(of_type(resources, APIM_API_POLICY), "apiId")
    return {
        api.urn: _token_validation_outcome(api, policies.of(api.urn))
        for api in of_type(resources, APIM_API)
    }


BODY_LOGGING_TAG = "hlz-override-body-logging"
"""The service's tag recording the body-logging switch (components.ai_gateway.BodyLogging)."""
BODY_PATHS = tuple(
    (side, message) for side in ("frontend", "backend") for message in ("request", "response")
)
AZURE_MONITOR_LOGGER = re.compile(r"/loggers/azuremonitor$", re.IGNORECASE)
"""The built-in logger whose records are the service's resource logs (GatewayLogs), which go
where its diagnostic settings send them; any other logger (Application Insights, Event Hubs) is
a shared telemetry store."""
KEY_CREDENTIALS = ("instrumentationKey", "connectionString", "name")
"""Logger credentials that authenticate by themselves unless identityClientId is set."""


def _logged_bodies(props: Mapping[str, Any]) -> list[str]:
    found = []
    for side, message in BODY_PATHS:
        value = get(props, side, message, "body", "bytes")
        if value is None:
            continue
        count = as_int(value)
        if count is None or count > 0:
            found.append(f"{side}.{message}.body.bytes is {describe(value)}")
    return found


def _body_outcome(diagnostic: StackResource, services: list[StackResource]) -> Outcome:
    bodies = _logged_bodies(diagnostic.props)
    if not bodies:
        return Compliant()
    logger = as_str(get(diagnostic.props, "loggerId")) or ""
    if not AZURE_MONITOR_LOGGER.search(logger):
        return fail(
            f"{', '.join(bodies)} on a logger that is not the service's azuremonitor logger; "
            "prompts and completions (ePHI) would land in a shared telemetry store: set every "
            "body's bytes to 0 on this diagnostic"
        )
    reason = (
        f"{', '.join(bodies)}: prompts and completions (ePHI) go to the service's resource "
        "logs; set the bytes to 0, or record the decision with the service's tag "
        f"{BODY_LOGGING_TAG} (a reason and an expiry) and send its logs only to a PHI-approved "
        "workspace"
    )
    outcome = fail(reason)
    # A diagnostic belongs to one service; without it in the stack nothing can waive it.
    return _service_waiver(services[0], outcome) if services else outcome


def _service_waiver(service: StackResource, outcome: NonCompliant) -> Outcome:
    # The one implementation of override tags (reason, expiry against the evaluation day);
    # imported here because policies.evaluation imports the rule registry.
    from ..evaluation import _apply_override_tag

    return _apply_override_tag(service.props, outcome, BODY_LOGGING_TAG)


def check_diagnostic_body_logging(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    services = {service.urn: service for service in of_type(resources, APIM_SERVICE)}
    owners: dict[str, list[StackResource]] = {}
    diagnostics = Referrers(of_type(resources, APIM_DIAGNOSTIC), "serviceName")
    for urn, service in services.items():
        for diagnostic in diagnostics.of(urn):
            owners.setdefault(diagnostic.urn, []).append(service)
    return {
        diagnostic.urn: _body_outcome(diagnostic, owners.get(diagnostic.urn, []))
        for diagnostic in of_type(resources, APIM_DIAGNOSTIC)
    }


def check_logger_identity(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    credentials = as_mapping(get(props, "credentials")) or {}
    kind = get(props, "loggerType")
    if same_text(kind, "azureMonitor"):
        return Compliant()
    if "identityClientId" in credentials and "instrumentationKey" not in credentials:
        return Compliant()
    held = [name for name in KEY_CREDENTIALS if name in credentials]
    found = f"its credentials hold {', '.join(held)}" if held else "it names no credentials"
    return fail(
        f"{found} without identityClientId; authenticate with the gateway's managed identity "
        "(credentials {connectionString, identityClientId: 'SystemAssigned'}) and give it "
        "'Monitoring Metrics Publisher' on the component, never an instrumentation key alone"
    )


_APIM_DOCS = "https://learn.microsoft.com/azure/api-management"


RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="apim-service-disallow-public-network-access",
        description="API Management services disable public network access.",
        rationale=(
            "Prompts and completions that pass an AI gateway carry ePHI; callers must reach it "
            "only through its private endpoint. Azure refuses 'Disabled' when it creates the "
            "service, so the first deployment carries a dated, reasoned override."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Add a private endpoint (groupId 'Gateway', zone privatelink.azure-api.net), "
            "approve it, then set publicNetworkAccess to 'Disabled' (docs/ai-gateway.md)."
        ),
        url=f"{_APIM_DOCS}/private-endpoint",
        phi_protecting=True,
        resource_types=SERVICE,
        check=check_public_network_access,
        override_tag="hlz-override-public-network-access",
    ),
    ResourceRule(
        id="apim-service-disable-portals",
        description="API Management services disable the developer and legacy portals.",
        rationale=(
            "A portal publishes the gateway's API definitions and lets users sign up for "
            "subscription keys; an AI gateway whose callers use Entra ID needs neither, and "
            "each portal is one more public surface to secure."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(a)(1)", "164.308(a)(4)(ii)(B)"),
        mcsb=("PV-2",),
        hitrust=("01.v",),
        remediation="Set developerPortalStatus and legacyPortalStatus to 'Disabled'.",
        url=f"{_APIM_DOCS}/developer-portal-overview",
        resource_types=SERVICE,
        check=check_portals_disabled,
    ),
    ResourceRule(
        id="apim-service-require-managed-identity",
        description="API Management services have a managed identity.",
        rationale=(
            "The gateway calls the AI account on callers' behalf; with a managed identity it "
            "gets an Entra ID token for the account (authentication-managed-identity) instead "
            "of holding the account's API key, and its role assignment is reviewable."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-3",),
        hitrust=("01.q",),
        remediation=(
            "Set identity to {type: 'SystemAssigned'} and grant it 'Cognitive Services OpenAI "
            "User' on the AI account."
        ),
        url=f"{_APIM_DOCS}/api-management-howto-use-managed-service-identity",
        phi_protecting=True,
        resource_types=SERVICE,
        check=check_managed_identity,
    ),
    StackRule(
        id="apim-api-require-token-validation",
        description="API Management APIs validate a caller's token in their policy.",
        rationale=(
            "A subscription key is a shared secret: whoever holds it calls the API, and the "
            "logs name the key, not the person. Validating an Entra ID token identifies each "
            "caller (per-person audit and token budgets); an API without either is open."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(b)", "164.312(a)(1)"),
        mcsb=("IM-1",),
        hitrust=("01.q",),
        remediation=(
            "Give the API an ApiPolicy with <validate-azure-ad-token> (tenant, audience) in "
            "its inbound section and set subscriptionRequired to false."
        ),
        url=f"{_APIM_DOCS}/validate-azure-ad-token-policy",
        phi_protecting=True,
        resource_types=API,
        check=check_api_token_validation,
    ),
    StackRule(
        id="apim-diagnostic-restrict-body-logging",
        description=(
            "API Management diagnostics log no request or response bodies, unless the service "
            "records the body-logging decision (and then only to its resource logs)."
        ),
        rationale=(
            "The bodies that pass an AI gateway are prompts and completions: ePHI. Logging them "
            "copies ePHI into every store the logs reach; hlz logs them only as an explicit, "
            "expiring decision, only through the azuremonitor logger (whose records go where "
            "the service's diagnostic settings send them: the PHI-approved workspace), never "
            "into Application Insights or Event Hubs shared with other telemetry."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(1)", "164.312(b)"),
        mcsb=("LT-3", "DP-2"),
        hitrust=("09.ab",),
        remediation=(
            "Set frontend/backend request/response body.bytes to 0 (or leave them out); to log "
            "bodies, set hlz:aiGateway.bodyLogging (workspaceId of a PHI-approved workspace, "
            "reason, expires), which tags the service hlz-override-body-logging and routes "
            "its logs only there (docs/ai-gateway.md)."
        ),
        url=f"{_APIM_DOCS}/api-management-howto-use-azure-monitor#modify-api-logging-settings",
        phi_protecting=True,
        resource_types=frozenset({APIM_DIAGNOSTIC}),
        check=check_diagnostic_body_logging,
    ),
    ResourceRule(
        id="apim-logger-require-managed-identity",
        description=(
            "API Management loggers authenticate with the service's managed identity, not a key."
        ),
        rationale=(
            "An instrumentation key or connection string alone lets anyone holding it write "
            "into the telemetry store; with the gateway's identity and local auth disabled on "
            "the component, only the gateway's Entra ID token is accepted and the grant is a "
            "reviewable role assignment."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(d)", "164.312(c)(1)"),
        mcsb=("IM-3",),
        hitrust=("01.q",),
        remediation=(
            "Set credentials to {connectionString: <component's>, identityClientId: "
            "'SystemAssigned'} and grant the service's identity 'Monitoring Metrics Publisher' "
            "on the Application Insights component."
        ),
        url=f"{_APIM_DOCS}/api-management-howto-app-insights",
        resource_types=frozenset({APIM_LOGGER}),
        check=check_logger_identity,
    ),
)
