"""The lab AI gateway (components/ai_gateway.py): named scenarios and its policy document."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from components.ai_gateway import (
    GATEWAY_ZONE,
    POLICY_FILE,
    AiGateway,
    AiGatewayArgs,
    AiGatewaySpec,
    render_policy,
)
from components.errors import ConfigError
from components.roles import BUILTIN_ROLES
from components.shared import Override, PrivateLinkTarget
from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID
from hlz.engine.recording import Registration
from hlz.engine.run import ProgramRun
from tests.component_support import DIAGNOSTICS, PLACEMENT
from tests.component_support import run_unit as run
from tests.conftest import of_type, one

PRIVATE_LINK = PrivateLinkTarget(
    subnet_id="/subnets/pe", dns_zone_ids={GATEWAY_ZONE: f"/zones/{GATEWAY_ZONE}"}
)
ACCOUNT_ID = (
    "/subscriptions/s/resourceGroups/rg-lab/providers/Microsoft.CognitiveServices/accounts/oai-t"
)
APPI_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/appi"
PHI_WORKSPACE = (
    "/subscriptions/00000000-0000-4000-8000-000000000009/resourceGroups/rg-phi/providers/"
    "Microsoft.OperationalInsights/workspaces/log-phi-approved"
)
GROUP = "3f2b8a7e-1c4d-4e5f-8a9b-0c1d2e3f4a5b"
SERVICE = "azure-native:apimanagement:ApiManagementService"
API = "azure-native:apimanagement:Api"
OPERATION = "azure-native:apimanagement:ApiOperation"
POLICY = "azure-native:apimanagement:ApiPolicy"
OVERRIDE_TAG = "hlz-override-public-network-access"
CREATION = Override(
    reason="first deployment: Azure refuses Disabled at creation", expires=date(2099, 1, 31)
)


def spec(**overrides: Any) -> AiGatewaySpec:
    values: dict[str, Any] = {
        "publisher_email": "ai-platform@example.org",
        "publisher_name": "Example Health",
        **overrides,
    }
    return AiGatewaySpec(**values)


def gateway_args(**overrides: Any) -> AiGatewayArgs:
    values: dict[str, Any] = {
        "placement": PLACEMENT,
        "service_name": "apim-t-lab",
        "endpoint_name": "pe-t-apim",
        "spec": spec(),
        "tenant_id": DEFAULT_TENANT_ID,
        "account_id": ACCOUNT_ID,
        "account_endpoint": "https://oai-t.openai.azure.com/",
        "integration_subnet_id": "/subnets/gateway",
        "private_link": PRIVATE_LINK,
        "diagnostics": DIAGNOSTICS,
        "app_insights_id": APPI_ID,
        "app_insights_connection_string": "InstrumentationKey=k;IngestionEndpoint=https://e/",
        "subscription_id": DEFAULT_SUBSCRIPTION_ID,
        **overrides,
    }
    return AiGatewayArgs(**values)


def gateway(**overrides: Any) -> ProgramRun:
    return run(lambda: AiGateway("gw", gateway_args(**overrides)) and None)


@pytest.fixture(scope="module")
def defaults() -> ProgramRun:
    return gateway()


def policy_root(registrations: list[Registration]) -> ET.Element:
    return ET.fromstring(one(registrations, POLICY).inputs["value"])


def test_defaults(defaults: ProgramRun):
    inputs = one(defaults.registrations, SERVICE).inputs
    assert inputs["sku"] == {"name": "StandardV2", "capacity": 1}
    assert inputs["identity"] == {"type": "SystemAssigned"}
    assert inputs["publicNetworkAccess"] == "Disabled"
    # The SDK sends Enabled for both portals when they are left unset.
    assert inputs["developerPortalStatus"] == "Disabled"
    assert inputs["legacyPortalStatus"] == "Disabled"
    assert inputs["virtualNetworkType"] == "External"
    assert inputs["virtualNetworkConfiguration"] == {"subnetResourceId": "/subnets/gateway"}
    assert not any(tag.startswith("hlz-override-") for tag in inputs["tags"])


def test_creation_override_enables_public_access_and_tags_the_reason():
    registrations = gateway(spec=spec(creation_override=CREATION)).registrations
    inputs = one(registrations, SERVICE).inputs
    assert inputs["publicNetworkAccess"] == "Enabled"
    assert inputs["tags"][OVERRIDE_TAG] == (
        "first deployment: Azure refuses Disabled at creation (expires 2099-01-31)"
    )


def test_inbound_private_endpoint_on_the_gateway_group(defaults: ProgramRun):
    endpoint = one(defaults.registrations, "azure-native:network:PrivateEndpoint")
    connection = endpoint.inputs["privateLinkServiceConnections"][0]
    assert connection["groupIds"] == ["Gateway"]
    assert endpoint.inputs["privateEndpointName"] == "pe-t-apim"
    group = one(defaults.registrations, "azure-native:network:PrivateDnsZoneGroup")
    zones = [c["privateDnsZoneId"] for c in group.inputs["privateDnsZoneConfigs"]]
    assert zones == [f"/zones/{GATEWAY_ZONE}"]


def test_diagnostics_send_every_log_to_the_workspace(defaults: ProgramRun):
    setting = one(defaults.registrations, "azure-native:monitor:DiagnosticSetting")
    assert setting.inputs["workspaceId"] == DIAGNOSTICS.workspace_id
    assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]


def test_gateway_identity_may_call_the_account(defaults: ProgramRun):
    assignments = of_type(defaults.registrations, "azure-native:authorization:RoleAssignment")
    assignment = next(a for a in assignments if a.inputs["scope"] == ACCOUNT_ID)
    assert assignment.inputs["principalType"] == "ServicePrincipal"
    assert assignment.inputs["roleDefinitionId"].endswith(
        BUILTIN_ROLES["Cognitive Services OpenAI User"]
    )


def test_api_forwards_to_the_account_without_subscription_keys(defaults: ProgramRun):
    api = one(defaults.registrations, API).inputs
    assert api["path"] == "openai"
    assert api["serviceUrl"] == "https://oai-t.openai.azure.com/openai"
    assert api["protocols"] == ["https"]
    assert api["subscriptionRequired"] is False
    methods = sorted(op.inputs["method"] for op in of_type(defaults.registrations, OPERATION))
    assert methods == ["GET", "POST"]
    assert {op.inputs["urlTemplate"] for op in of_type(defaults.registrations, OPERATION)} == {"/*"}


def test_policy_validates_entra_tokens_limits_tokens_per_caller_and_uses_the_identity(
    defaults: ProgramRun,
):
    root = policy_root(defaults.registrations)
    inbound = root.find("inbound")
    assert inbound is not None
    token = inbound.find("validate-azure-ad-token")
    assert token is not None
    assert token.get("tenant-id") == DEFAULT_TENANT_ID
    assert [a.text for a in token.iter("audience")] == ["api://apim-t-lab"]
    assert token.find("required-claims") is None
    limit = inbound.find("llm-token-limit")
    assert limit is not None
    assert limit.get("tokens-per-minute") == "10000"
    assert limit.get("estimate-prompt-tokens") == "true"
    # Each caller's budget: the Entra object id of the validated token.
    assert '"oid"' in (limit.get("counter-key") or "")
    assert token.get("output-token-variable-name") in (limit.get("counter-key") or "")
    identity = inbound.find("authentication-managed-identity")
    assert identity is not None
    assert identity.get("resource") == "https://cognitiveservices.azure.com"
    # Nothing in the policy logs or traces a body.
    assert not [e.tag for e in root.iter() if e.tag in ("log-to-eventhub", "trace", "emit-metric")]
    assert one(defaults.registrations, POLICY).inputs["format"] == "xml"


def test_required_group_audience_and_budget_from_the_spec():
    registrations = gateway(
        spec=spec(required_group_id=GROUP, audience="api://lab-gateway", tokens_per_minute=500)
    ).registrations
    root = policy_root(registrations)
    claim = root.find("inbound/validate-azure-ad-token/required-claims/claim")
    assert claim is not None and claim.get("name") == "groups"
    assert [v.text for v in claim.iter("value")] == [GROUP]
    assert [a.text for a in root.iter("audience")] == ["api://lab-gateway"]
    limit = root.find("inbound/llm-token-limit")
    assert limit is not None and limit.get("tokens-per-minute") == "500"


def test_policy_file_is_well_formed_and_every_placeholder_is_filled():
    text = POLICY_FILE.read_text(encoding="utf-8")
    for placeholder in ("{{tenant_id}}", "{{audience}}", "{{tokens_per_minute}}"):
        assert placeholder in text
    rendered = render_policy(
        tenant_id="t", audience="api://<x>&", tokens_per_minute=1, required_group_id=None
    )
    assert "{{" not in rendered
    assert [a.text for a in ET.fromstring(rendered).iter("audience")] == ["api://<x>&"]


def test_missing_zone_is_refused_before_anything_is_registered():
    link = PrivateLinkTarget(subnet_id="/subnets/pe", dns_zone_ids={})
    with pytest.raises(ConfigError, match=f"zones not provided: {GATEWAY_ZONE}"):
        AiGateway("gw", gateway_args(private_link=link))


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("service_name", "1apim", "service_name"),
        ("service_name", "apim-", "service_name"),
    ],
)
def test_invalid_service_name_is_refused(field: str, value: str, fragment: str):
    with pytest.raises(ValidationError, match=fragment):
        gateway_args(**{field: value})


def test_spec_refuses_bad_input_all_at_once():
    with pytest.raises(ValidationError) as error:
        AiGatewaySpec(
            publisher_email="not-an-address",
            publisher_name="",
            tokens_per_minute=0,
            required_group_id="not-a-guid",
        )
    fields = {".".join(map(str, e["loc"])) for e in error.value.errors()}
    assert {"publisher_email", "publisher_name", "tokens_per_minute", "required_group_id"} <= fields


def test_uniform_outputs():
    assert {"id", "name", "principal_id"} <= set(AiGateway.__annotations__)


def test_token_metrics_go_to_app_insights_with_the_gateway_identity_and_no_bodies(
    defaults: ProgramRun,
):
    logger = one(defaults.registrations, "azure-native:apimanagement:Logger").inputs
    assert logger["loggerType"] == "applicationInsights"
    assert logger["resourceId"] == APPI_ID
    assert logger["credentials"]["identityClientId"] == "SystemAssigned"
    assert "instrumentationKey" not in logger["credentials"]
    diagnostic = one(defaults.registrations, "azure-native:apimanagement:Diagnostic").inputs
    assert diagnostic["diagnosticId"] == "applicationinsights"
    assert diagnostic["metrics"] is True
    for side in ("frontend", "backend"):
        for message in ("request", "response"):
            assert diagnostic[side][message]["body"] == {"bytes": 0}
    roles = [
        r.inputs for r in of_type(defaults.registrations, "azure-native:authorization:RoleAssignment")
    ]
    publisher = [r for r in roles if r["scope"] == APPI_ID]
    assert publisher and publisher[0]["roleDefinitionId"].endswith(
        BUILTIN_ROLES["Monitoring Metrics Publisher"]
    )
    metric = policy_root(defaults.registrations).find("inbound/llm-emit-token-metric")
    assert metric is not None
    dimensions = {d.get("name"): d.get("value") for d in metric.iter("dimension")}
    assert '"oid"' in (dimensions["Caller"] or "") and "API ID" in dimensions


def test_body_logging_sends_bodies_only_to_the_phi_workspace():
    switch = {"workspace_id": PHI_WORKSPACE, "reason": "clinical QA review of prompts",
              "expires": date(2099, 1, 31)}  # fmt: skip
    registrations = gateway(spec=spec(body_logging=switch)).registrations
    settings = of_type(registrations, "azure-native:monitor:DiagnosticSetting")
    with_logs = [s.inputs for s in settings if s.inputs.get("logs")]
    assert [s["workspaceId"] for s in with_logs] == [PHI_WORKSPACE]
    landing_zone = [s.inputs for s in settings if s.inputs["workspaceId"] == DIAGNOSTICS.workspace_id]
    assert landing_zone and all(not s.get("logs") for s in landing_zone)
    diagnostics = {
        d.inputs["diagnosticId"]: d.inputs
        for d in of_type(registrations, "azure-native:apimanagement:Diagnostic")
    }
    assert diagnostics["azuremonitor"]["frontend"]["request"]["body"] == {"bytes": 8192}
    assert diagnostics["applicationinsights"]["frontend"]["request"]["body"] == {"bytes": 0}
    tags = one(registrations, SERVICE).inputs["tags"]
    assert tags["hlz-override-body-logging"] == "clinical QA review of prompts (expires 2099-01-31)"


def test_body_logging_needs_an_expiry_and_a_workspace_id():
    with pytest.raises(ValidationError) as error:
        spec(body_logging={"workspace_id": "not-an-id", "reason": "clinical QA review of prompts"})
    fields = {".".join(map(str, e["loc"])) for e in error.value.errors()}
    assert {"body_logging.workspace_id", "body_logging.expires"} <= fields
