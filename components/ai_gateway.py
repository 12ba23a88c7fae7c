"""A lab's AI gateway: Azure API Management (Standard v2) in front of the lab's AI account, so every
model call carries an Entra ID identity, a per-caller token budget and an audit record without
prompts or completions (HIPAA 164.312(a)(1), (b), (d), (e)(1)); docs/ai-gateway.md.

| input              | derived                                                                 |
|--------------------|-------------------------------------------------------------------------|
| (always)           | SKU StandardV2, capacity 1; a system-assigned identity; developer and   |
|                    | legacy portals Disabled (the SDK sends Enabled when they are unset)     |
| creation_override  | None: public network access Disabled. Set: Enabled, tagged              |
|                    | ``hlz-override-public-network-access`` — ARM refuses Disabled when it   |
|                    | creates the service (ActivateServiceWithPrivateEndpointAccessNotAllowed)|
|                    | and accepts it only once an approved private endpoint exists, so the    |
|                    | first ``pulumi up`` needs the override and the second removes it        |
| integration_subnet | outbound VNet integration (``virtualNetworkType`` External, the v2      |
|                    | tiers' outbound mode): the gateway reaches the account's private        |
|                    | endpoint through the lab spoke (a dedicated subnet delegated to         |
|                    | Microsoft.Web/serverFarms)                                              |
| private_link       | one inbound endpoint (group ``Gateway``) in privatelink.azure-api.net   |
| diagnostics        | every log (GatewayLogs: caller IP, operation, status, times; no bodies) |
|                    | and metric to the workspace                                             |
| app_insights       | a logger to the landing zone's Application Insights authenticated with  |
|                    | the gateway's identity (Monitoring Metrics Publisher on the component,  |
|                    | no instrumentation key), and the ``applicationinsights`` diagnostic:    |
|                    | custom metrics on, request and response body bytes 0 (front and back)   |
| body_logging       | None: no diagnostic logs a body. Set (PHI-approved workspace, reason,   |
|                    | expiry): the ``azuremonitor`` diagnostic logs up to 8192 bytes of each  |
|                    | body into GatewayLogs, every log category goes to that workspace only,  |
|                    | the landing zone's workspace keeps metrics, tag                         |
|                    | ``hlz-override-body-logging``                                           |
| backend            | one API at ``/openai`` forwarding to ``<account endpoint>openai``,      |
|                    | HTTPS only, no subscription key (``subscriptionRequired`` false): the   |
|                    | policy validates an Entra ID token instead; the gateway's identity gets |
|                    | "Cognitive Services OpenAI User" on the account and authenticates to it |
| policy             | ``components/apim_policies/openai.xml``: validate-azure-ad-token        |
|                    | (tenant, audience, optional required group), llm-token-limit keyed by   |
|                    | the caller's ``oid`` claim, llm-emit-token-metric per caller ``oid``    |
|                    | and API, authentication-managed-identity; nothing in it logs a body     |
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated
from xml.sax.saxutils import escape

import pulumi
from pulumi_azure_native import apimanagement, authorization, monitor
from pydantic import AfterValidator, Field

from components.diagnostics import send_diagnostics
from components.naming import azure_name
from components.private_endpoint import connect_privately
from components.roles import assign_role, principal_of
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Override,
    Placement,
    PrivateLinkTarget,
    StrInput,
    child_opts,
    override_tags,
)
from components.specs import EntraObjectId

GATEWAY_GROUP_ID = "Gateway"
"""Private-link sub-resource of an API Management service (the catalogue row's ``group_ids``)."""
GATEWAY_ZONE = "privatelink.azure-api.net"
"""The zone the gateway's endpoint registers in (the catalogue row's ``zones``)."""
GATEWAY_SKU = apimanagement.SkuType.STANDARD_V2
"""The v2 tier with outbound VNet integration and an inbound private endpoint (Premium v2 is not
in API 2024-05-01's enum)."""
OPENAI_API_PATH = "openai"
"""Callers use ``https://<gateway>.azure-api.net/openai/...``, the account's own path."""
COGNITIVE_SERVICES_AUDIENCE = "https://cognitiveservices.azure.com"
"""Resource the gateway's identity asks a token for when it calls the account."""
POLICY_FILE = Path(__file__).parent / "apim_policies" / "openai.xml"
PUBLIC_ACCESS_CONTROL = "public_network_access"
"""The override's control: tag ``hlz-override-public-network-access``."""
BODY_LOGGING_CONTROL = "body_logging"
"""The body-logging switch's control: tag ``hlz-override-body-logging`` on the service."""
BODY_BYTES_MAX = 8192
"""Most bytes of a body a diagnostic may log (API 2024-05-01, ``BodyDiagnosticSettings.bytes``
maximum; https://learn.microsoft.com/azure/api-management/api-management-howto-use-azure-monitor
#modify-api-logging-settings)."""
APP_INSIGHTS_LOGGER_ID = "appinsights"
AZURE_MONITOR_LOGGER = "azuremonitor"
"""The built-in logger every service has: what its ``azuremonitor`` diagnostic logs goes to the
service's resource logs (GatewayLogs), i.e. wherever its diagnostic settings send them."""
TOKEN_METRIC_NAMESPACE = "hlz-ai-gateway"
"""Namespace of the token metrics in Application Insights (customMetrics)."""
WORKSPACE_ID = re.compile(
    r"/subscriptions/[0-9a-f-]{36}/resourceGroups/[-\w.()]+/providers/"
    r"Microsoft\.OperationalInsights/workspaces/[A-Za-z0-9][-A-Za-z0-9]{2,61}[A-Za-z0-9]",
    re.IGNORECASE,
)


def _workspace_id(value: str) -> str:
    if WORKSPACE_ID.fullmatch(value) is None:
        raise ValueError(
            f"'{value}' is not a Log Analytics workspace id (/subscriptions/<id>/resourceGroups/"
            "<group>/providers/Microsoft.OperationalInsights/workspaces/<name>)"
        )
    return value


class BodyLogging(Override):
    """The documented switch that logs request and response bodies (prompts, completions: ePHI)
    to a PHI-approved Log Analytics workspace, and only there (docs/ai-gateway.md). An override
    like any other: a reason, a mandatory expiry, the tag ``hlz-override-body-logging``."""

    workspace_id: Annotated[str, AfterValidator(_workspace_id)]
    """Resource id of the PHI-approved workspace (``/subscriptions/<id>/resourceGroups/<rg>/
    providers/Microsoft.OperationalInsights/workspaces/<name>``): every gateway log category
    goes there and nowhere else while the switch is on."""
    expires: date  # type: ignore[assignment]  # required here: bodies are never logged open-ended
    """Last day bodies are logged (required: an open-ended body capture is not an option)."""


class AiGatewaySpec(HlzModel):
    """What a lab chooses about its gateway (the lab config ``hlz:aiGateway``)."""

    publisher_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    """Address API Management sends service notifications to (required by Azure)."""
    publisher_name: str = Field(min_length=1, max_length=100)
    """Organisation name shown as the gateway's publisher (required by Azure)."""
    tokens_per_minute: int = Field(default=10000, strict=True, ge=1)
    """Default: 10000. Prompt and completion tokens each caller (Entra object id) may use per
    minute; over it the gateway answers 429."""
    audience: str | None = None
    """Default: None — ``api://<gateway name>``. The ``aud`` a caller's token must carry (the app
    registration that represents the gateway)."""
    required_group_id: EntraObjectId | None = None
    """Default: None — any token for the audience from the tenant passes. Set, the token must
    carry this Entra group object id in its ``groups`` claim."""
    creation_override: Override | None = None
    """Default: None — public network access Disabled. Set (reason, expires) for the first
    ``pulumi up`` only: ARM refuses to create the service Disabled; remove it once the private
    endpoint is approved (docs/ai-gateway.md)."""
    body_logging: BodyLogging | None = None
    """Default: None — no request or response body is logged anywhere. Set (workspaceId of a
    PHI-approved workspace, reason, expires): up to 8192 bytes of each body go to that workspace
    only, with the reason tagged on the service (docs/ai-gateway.md, "Logging bodies")."""


class AiGatewayArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the service and its endpoint."""
    service_name: Annotated[str, azure_name("api_management")]
    """Azure name of the service (1-50 letters, digits and hyphens, starting with a letter,
    globally unique): its host is ``<name>.azure-api.net``."""
    endpoint_name: str
    """Azure name of the service's inbound private endpoint."""
    spec: AiGatewaySpec
    """Publisher, token budget, audience, required group, creation override."""
    tenant_id: StrInput
    """Entra tenant whose tokens the gateway accepts."""
    account_id: StrInput
    """Resource id of the lab's AI account (the gateway's identity gets OpenAI User on it)."""
    account_endpoint: StrInput
    """The account's endpoint, ``https://<name>.openai.azure.com/``."""
    integration_subnet_id: StrInput
    """Subnet delegated to Microsoft.Web/serverFarms (at least /27) the gateway's outbound calls
    leave from."""
    private_link: PrivateLinkTarget
    """Subnet of the inbound endpoint and the DNS zones (privatelink.azure-api.net among them)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the gateway's logs and metrics (HIPAA 164.312(b)); with
    ``spec.body_logging`` it keeps the metrics and the logs go to the PHI-approved workspace."""
    app_insights_id: StrInput
    """The landing zone's Application Insights component (token metrics per caller)."""
    app_insights_connection_string: StrInput
    """Its connection string; the logger authenticates with the gateway's identity, not the key."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""


def render_policy(
    *, tenant_id: str, audience: str, tokens_per_minute: int, required_group_id: str | None
) -> str:
    """The API's policy document: ``openai.xml`` with its placeholders filled (values escaped)."""
    claims = (
        '<required-claims><claim name="groups" match="any">'
        f"<value>{escape(required_group_id)}</value></claim></required-claims>"
        if required_group_id is not None
        else ""
    )
    # The file's leading comment is for readers of the repository, not for Azure.
    text = POLICY_FILE.read_text(encoding="utf-8")
    text = text[text.index("<policies>") :]
    for placeholder, value in (
        ("{{tenant_id}}", escape(tenant_id, {'"': "&quot;"})),
        ("{{audience}}", escape(audience)),
        ("{{tokens_per_minute}}", str(tokens_per_minute)),
        ("{{required_claims}}", claims),
        ("{{metric_namespace}}", TOKEN_METRIC_NAMESPACE),
    ):
        text = text.replace(placeholder, value)
    return text


class AiGateway(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    """The gateway's system-assigned identity (it calls the account with it)."""
    endpoint: pulumi.Output[str]
    """``https://<name>.azure-api.net/openai``: what callers use instead of the account."""

    def __init__(self, name: str, args: AiGatewayArgs, opts: pulumi.ResourceOptions | None = None):
        # A missing zone is a wiring error: fail before registering anything.
        zone_ids = args.private_link.zones(GATEWAY_ZONE)
        super().__init__("hlz:ai:Gateway", name, None, opts)
        placement = args.placement
        spec = args.spec
        override = spec.creation_override
        service = apimanagement.ApiManagementService(
            f"{name}-service",
            service_name=args.service_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=apimanagement.ApiManagementServiceSkuPropertiesArgs(name=GATEWAY_SKU, capacity=1),
            publisher_email=spec.publisher_email,
            publisher_name=spec.publisher_name,
            identity=apimanagement.ApiManagementServiceIdentityArgs(
                type=apimanagement.ApimIdentityType.SYSTEM_ASSIGNED
            ),
            public_network_access=(
                apimanagement.PublicNetworkAccess.ENABLED
                if override is not None
                else apimanagement.PublicNetworkAccess.DISABLED
            ),
            developer_portal_status=apimanagement.DeveloperPortalStatus.DISABLED,
            legacy_portal_status=apimanagement.LegacyPortalStatus.DISABLED,
            virtual_network_type=apimanagement.VirtualNetworkType.EXTERNAL,
            virtual_network_configuration=apimanagement.VirtualNetworkConfigurationArgs(
                subnet_resource_id=args.integration_subnet_id
            ),
            tags=placement.tags_with(
                override_tags(
                    **{PUBLIC_ACCESS_CONTROL: override, BODY_LOGGING_CONTROL: spec.body_logging}
                )
            ),
            opts=child_opts(self),
        )
        body_logging = spec.body_logging
        if body_logging is None:
            send_diagnostics(service, args.diagnostics.workspace_id, parent=self)
        else:
            self._route_logs_to_phi_workspace(name, service, args, body_logging)
        connect_privately(
            self, f"{name}-pe", placement=placement, private_link=args.private_link,
            endpoint_name=args.endpoint_name, target_id=service.id, group_id=GATEWAY_GROUP_ID,
            dns_zone_ids=zone_ids,
        )  # fmt: skip
        principal_id = principal_of(service.identity, f"API Management service {args.service_name}")
        assign_role(
            f"{name}-calls-account",
            scope=args.account_id,
            principal_id=principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role="Cognitive Services OpenAI User",
            subscription_id=args.subscription_id,
            parent=self,
        )
        self._emit_metrics(name, service, args, principal_id)
        api = apimanagement.Api(
            f"{name}-openai-api",
            api_id="openai",
            service_name=service.name,
            resource_group_name=placement.resource_group_name,
            display_name="Lab AI account (OpenAI-compatible)",
            path=OPENAI_API_PATH,
            protocols=[apimanagement.Protocol.HTTPS],
            service_url=pulumi.Output.from_input(args.account_endpoint).apply(
                lambda endpoint: f"{endpoint.rstrip('/')}/{OPENAI_API_PATH}"
            ),
            # Callers authenticate with Entra ID (the policy), never with an APIM key.
            subscription_required=False,
            opts=child_opts(self),
        )
        # Every path and method of the account's API passes through the one policy.
        self.operations = [
            apimanagement.ApiOperation(
                f"{name}-openai-{method.lower()}",
                operation_id=f"all-{method.lower()}",
                api_id=api.name,
                service_name=service.name,
                resource_group_name=placement.resource_group_name,
                display_name=f"{method} /*",
                method=method,
                url_template="/*",
                opts=child_opts(self),
            )
            for method in ("GET", "POST")
        ]
        audience = spec.audience or f"api://{args.service_name}"
        policy_xml = pulumi.Output.from_input(args.tenant_id).apply(
            lambda tenant: render_policy(
                tenant_id=tenant,
                audience=audience,
                tokens_per_minute=spec.tokens_per_minute,
                required_group_id=spec.required_group_id,
            )
        )
        apimanagement.ApiPolicy(
            f"{name}-openai-policy",
            policy_id="policy",
            api_id=api.name,
            service_name=service.name,
            resource_group_name=placement.resource_group_name,
            format=apimanagement.PolicyContentFormat.XML,
            value=policy_xml,
            opts=child_opts(self),
        )

        self.service = service
        self.api = api
        self.id = service.id
        self.name = service.name
        self.principal_id = principal_id
        self.endpoint = pulumi.Output.concat(
            "https://", service.name, f".azure-api.net/{OPENAI_API_PATH}"
        )
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "principal_id": self.principal_id,
                "endpoint": self.endpoint,
            }
        )

    def _emit_metrics(
        self, name: str, service: apimanagement.ApiManagementService, args: AiGatewayArgs,
        principal_id: pulumi.Output[str],
    ) -> None:  # fmt: skip
        """Token metrics to the landing zone's Application Insights with the gateway's identity:
        the logger's credentials name the connection string and ``identityClientId:
        SystemAssigned`` (https://learn.microsoft.com/azure/api-management/
        api-management-howto-app-insights), never an instrumentation key alone."""
        publisher = assign_role(
            f"{name}-publishes-metrics",
            scope=args.app_insights_id,
            principal_id=principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role="Monitoring Metrics Publisher",
            subscription_id=args.subscription_id,
            parent=self,
        )
        logger = apimanagement.Logger(
            f"{name}-appi-logger",
            logger_id=APP_INSIGHTS_LOGGER_ID,
            service_name=service.name,
            resource_group_name=args.placement.resource_group_name,
            logger_type=apimanagement.LoggerType.APPLICATION_INSIGHTS,
            resource_id=args.app_insights_id,
            credentials={
                "connectionString": args.app_insights_connection_string,
                "identityClientId": "SystemAssigned",
            },
            description="Token metrics per caller (hlz); Entra ID, no instrumentation key",
            opts=child_opts(self, depends_on=[publisher]),
        )
        no_body = apimanagement.PipelineDiagnosticSettingsArgs(
            request=apimanagement.HttpMessageDiagnosticArgs(
                headers=[], body=apimanagement.BodyDiagnosticSettingsArgs(bytes=0)
            ),
            response=apimanagement.HttpMessageDiagnosticArgs(
                headers=[], body=apimanagement.BodyDiagnosticSettingsArgs(bytes=0)
            ),
        )
        # Metrics on: llm-emit-token-metric needs them. Bodies 0 both ways, and no headers (the
        # Authorization header carries the caller's token); the SDK sends no frontend/backend
        # when unset, which leaves Azure's own default in charge; hlz states it.
        apimanagement.Diagnostic(
            f"{name}-appi-diagnostic",
            diagnostic_id="applicationinsights",
            service_name=service.name,
            resource_group_name=args.placement.resource_group_name,
            logger_id=logger.id,
            metrics=True,
            always_log=apimanagement.AlwaysLog.ALL_ERRORS,
            sampling=apimanagement.SamplingSettingsArgs(
                sampling_type=apimanagement.SamplingType.FIXED, percentage=100
            ),
            log_client_ip=False,
            http_correlation_protocol=apimanagement.HttpCorrelationProtocol.W3_C,
            verbosity=apimanagement.Verbosity.INFORMATION,
            frontend=no_body,
            backend=no_body,
            opts=child_opts(self),
        )

    def _route_logs_to_phi_workspace(
        self, name: str, service: apimanagement.ApiManagementService, args: AiGatewayArgs,
        body_logging: BodyLogging,
    ) -> None:  # fmt: skip
        """The body-logging switch. Bodies travel in GatewayLogs, so every log category goes to
        the PHI-approved workspace alone and the landing zone's setting keeps only the metrics:
        no setting sends a body-carrying category anywhere else."""
        monitor.DiagnosticSetting(
            f"{name}-service-diag",
            name="to-log-analytics",
            resource_uri=service.id,
            workspace_id=args.diagnostics.workspace_id,
            log_analytics_destination_type="Dedicated",
            metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)],
            opts=child_opts(self),
        )
        monitor.DiagnosticSetting(
            f"{name}-service-phi-diag",
            name="to-phi-workspace",
            resource_uri=service.id,
            workspace_id=body_logging.workspace_id,
            log_analytics_destination_type="Dedicated",
            logs=[monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)],
            opts=child_opts(self),
        )
        bodies = apimanagement.HttpMessageDiagnosticArgs(
            headers=[], body=apimanagement.BodyDiagnosticSettingsArgs(bytes=BODY_BYTES_MAX)
        )
        both = apimanagement.PipelineDiagnosticSettingsArgs(request=bodies, response=bodies)
        apimanagement.Diagnostic(
            f"{name}-azuremonitor-diagnostic",
            diagnostic_id=AZURE_MONITOR_LOGGER,
            service_name=service.name,
            resource_group_name=args.placement.resource_group_name,
            logger_id=pulumi.Output.concat(service.id, f"/loggers/{AZURE_MONITOR_LOGGER}"),
            sampling=apimanagement.SamplingSettingsArgs(
                sampling_type=apimanagement.SamplingType.FIXED, percentage=100
            ),
            log_client_ip=True,
            verbosity=apimanagement.Verbosity.INFORMATION,
            frontend=both,
            backend=both,
            opts=child_opts(self),
        )
