"""API Management rules beyond the fixture-and-mutation table: the creation override on public
network access, and the stack rule that every API validates a caller's token."""

from __future__ import annotations

from policy_cases import APIM_SERVICE, COMPLIANT, mutate
from test_policy_stack_rules import _reasons, res

from policies.evaluation import evaluate, evaluate_stack
from policies.model import Compliant, NonCompliant, NotApplicable, Profile, ResourceRule, StackRule
from policies.registry import RESOURCE_RULES, STACK_RULES

PUBLIC_ACCESS = next(
    r for r in RESOURCE_RULES if r.id == "apim-service-disallow-public-network-access"
)
TOKEN_RULE: StackRule = next(r for r in STACK_RULES if r.id == "apim-api-require-token-validation")
API = "azure-native:apimanagement:Api"
POLICY = "azure-native:apimanagement:ApiPolicy"
VALIDATING = (
    '<policies><inbound><validate-azure-ad-token tenant-id="t"><audiences>'
    "<audience>api://gw</audience></audiences></validate-azure-ad-token></inbound></policies>"
)


def _creation(reason: str) -> dict[str, object]:
    return mutate(
        COMPLIANT[APIM_SERVICE],
        {
            "publicNetworkAccess": "Enabled",
            ("tags", "hlz-override-public-network-access"): reason,
        },
    )


def test_creation_override_turns_enabled_access_into_visible_not_applicable() -> None:
    assert isinstance(PUBLIC_ACCESS, ResourceRule)
    outcome = evaluate(
        PUBLIC_ACCESS,
        APIM_SERVICE,
        _creation("first deployment: Azure refuses Disabled at creation (expires 2099-01-31)"),
        profile=Profile.PRODUCTION,
    )
    assert isinstance(outcome, NotApplicable)
    assert "hlz-override-public-network-access" in outcome.reason


def test_expired_creation_override_no_longer_waives_public_access() -> None:
    outcome = evaluate(
        PUBLIC_ACCESS,
        APIM_SERVICE,
        _creation("first deployment: Azure refuses Disabled at creation (expires 2020-01-31)"),
        profile=Profile.PRODUCTION,
    )
    assert isinstance(outcome, NonCompliant)


def _api(subscription_required: object = False) -> object:
    props = {"apiId": "openai", "path": "openai"}
    if subscription_required is not None:
        props["subscriptionRequired"] = subscription_required
    return res(API, "gw-openai-api", props)


def _policy(api: object, value: str, name: str = "gw-openai-policy") -> object:
    return res(POLICY, name, {"policyId": "policy", "value": value}, deps={"apiId": [api]})


def test_api_with_token_validating_policy_is_compliant() -> None:
    api = _api()
    assert evaluate_stack(TOKEN_RULE, [api, _policy(api, VALIDATING)]) == {api.urn: Compliant()}


def test_validate_jwt_counts_as_token_validation() -> None:
    api = _api()
    outcome = evaluate_stack(
        TOKEN_RULE,
        [
            api,
            _policy(
                api,
                "<policies><inbound><validate-jwt "
                'header-name="Authorization"/>'
                "</inbound></policies>",
            ),
        ],
    )
    assert outcome == {api.urn: Compliant()}


def test_api_without_policy_and_default_subscription_is_key_only() -> None:
    api = _api(subscription_required=None)
    reasons = _reasons(evaluate_stack(TOKEN_RULE, [api])[api.urn])
    assert "it has no API policy, so callers are identified by a subscription key" in reasons


def test_api_without_token_validation_and_no_subscription_is_open() -> None:
    api = _api(subscription_required=False)
    policy = _policy(api, "<policies><inbound><base /></inbound></policies>")
    reasons = _reasons(evaluate_stack(TOKEN_RULE, [api, policy])[api.urn])
    assert "its 1 policy validate no token, so callers are identified by nothing" in reasons


def test_policy_of_another_api_does_not_count() -> None:
    api, other = _api(), res(API, "other-api", {"apiId": "other"})
    outcomes = evaluate_stack(TOKEN_RULE, [api, other, _policy(other, VALIDATING)])
    assert isinstance(outcomes[api.urn], NonCompliant)
    assert outcomes[other.urn] == Compliant()
