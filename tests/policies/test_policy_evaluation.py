"""In-process evaluation (what ``hlz plan`` calls): plans, profiles, exemptions, override tag."""

from __future__ import annotations

import datetime as dt

import pytest
from policy_cases import (
    COGNITIVE_DEPLOYMENT,
    COMPLIANT,
    KEY_VAULT,
    LOG_ANALYTICS,
    STORAGE_ACCOUNT,
    mutate,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.evaluation import Finding, evaluate, evaluate_plan
from policies.exemptions import parse_exemptions
from policies.model import (
    Compliant,
    NonCompliant,
    NotApplicable,
    Profile,
    StackResource,
    Undetermined,
)
from policies.profiles import EnforcementLevel
from policies.registry import ALL_RULES, RULES_BY_ID, rule_by_id

TODAY = dt.date(2026, 1, 15)
VAULT_URN = "urn:pulumi:prod::hlz::hlz:keyvault:KeyVault$azure-native:keyvault:Vault::kv-hlz-prod"
PE_URN = "urn:pulumi:prod::hlz::azure-native:network:PrivateEndpoint::pe-kv"
SKU_RULE = rule_by_id("cognitiveservices-deployment-restrict-data-zone-sku")
OVERRIDE_TAG = "hlz-override-data-residency"


def _vault(**changes: object) -> StackResource:
    props = mutate(COMPLIANT[KEY_VAULT], changes)
    return StackResource(urn=VAULT_URN, resource_type=KEY_VAULT, props=props)


def _findings_for(findings: list[Finding], rule_id: str, urn: str = VAULT_URN) -> list[Finding]:
    return [f for f in findings if f.rule.id == rule_id and f.urn == urn]


def test_plan_of_compliant_vault_only_misses_stack_relationships() -> None:
    findings = evaluate_plan([_vault()], profile=Profile.PRODUCTION, today=TODAY)
    violations = {f.rule.id for f in findings if f.is_violation}
    assert violations == {
        "keyvault-vault-require-delete-lock",
        "network-paas-require-private-endpoint",
        "monitor-resource-require-diagnostic-settings",
    }
    assert all(f.blocks_deployment for f in findings if f.is_violation)


def test_plan_in_lab_skips_production_only_rules() -> None:
    internal = {"properties.sku.name": "standard", "tags.data-classification": "internal"}
    findings = evaluate_plan([_vault(**internal)], profile=Profile.LAB, today=TODAY)
    (premium,) = _findings_for(findings, "keyvault-vault-require-premium-sku")
    assert isinstance(premium.evaluation, NotApplicable)
    (lock,) = _findings_for(findings, "keyvault-vault-require-delete-lock")
    assert isinstance(lock.evaluation, NotApplicable)


def test_plan_enforcement_levels_follow_profile() -> None:
    bad_expiry = StackResource(
        urn="urn:pulumi:lab::hlz::azure-native:keyvault:Key::cmk",
        resource_type="azure-native:keyvault:Key",
        props=mutate(
            COMPLIANT["azure-native:keyvault:Key"],
            {"properties.rotationPolicy.attributes": None},
        ),
    )
    for profile, level in (
        (Profile.LAB, EnforcementLevel.ADVISORY),
        (Profile.PRODUCTION, EnforcementLevel.MANDATORY),
    ):
        findings = evaluate_plan([bad_expiry], profile=profile, today=TODAY)
        (expiry,) = _findings_for(findings, "keyvault-key-require-expiry", bad_expiry.urn)
        assert expiry.is_violation and expiry.enforcement is level


def test_plan_applies_active_exemption_and_flags_expired_one() -> None:
    exemptions = parse_exemptions(
        [
            {
                "rule": "keyvault-vault-require-rbac-authorization",
                "resource": "kv-hlz-*",
                "reason": "Legacy access policies during migration.",
                "owner": "sec",
                "expires": "2026-02-01",
            },
            {
                "rule": "keyvault-vault-require-purge-protection",
                "resource": "kv-hlz-*",
                "reason": "Was needed for the lab rebuild last year.",
                "owner": "sec",
                "expires": "2025-12-31",
            },
        ],
        ALL_RULES,
    )
    vault = _vault(
        **{"properties.enableRbacAuthorization": False, "properties.enablePurgeProtection": False}
    )
    findings = evaluate_plan(
        [vault], profile=Profile.PRODUCTION, exemptions=exemptions, today=TODAY
    )
    (rbac,) = _findings_for(findings, "keyvault-vault-require-rbac-authorization")
    assert isinstance(rbac.evaluation, NonCompliant) and rbac.exemption is exemptions[0]
    assert not rbac.is_violation
    (purge,) = _findings_for(findings, "keyvault-vault-require-purge-protection")
    assert purge.is_violation and purge.expired_exemption is exemptions[1]


def test_plan_reports_unknown_values_as_undetermined() -> None:
    findings = evaluate_plan(
        [_vault(**{"properties.publicNetworkAccess": UNKNOWN_STRING_VALUE})],
        profile=Profile.PRODUCTION,
    )
    (public,) = _findings_for(findings, "keyvault-vault-disallow-public-network-access")
    assert isinstance(public.evaluation, Undetermined)
    assert (
        "properties.publicNetworkAccess can't be known during preview" in public.evaluation.reason
    )


def test_plan_uses_dependencies_for_stack_rules() -> None:
    endpoint = StackResource(
        urn=PE_URN,
        resource_type="azure-native:network:PrivateEndpoint",
        props={},
        dependencies=(VAULT_URN,),
        property_dependencies={"privateLinkServiceConnections": (VAULT_URN,)},
    )
    findings = evaluate_plan([_vault(), endpoint], profile=Profile.LAB, today=TODAY)
    (private,) = _findings_for(findings, "network-paas-require-private-endpoint")
    assert isinstance(private.evaluation, Compliant)
    (dns,) = _findings_for(findings, "network-privateendpoint-require-dns-zone-group", PE_URN)
    assert dns.is_violation and not dns.blocks_deployment  # advisory in lab


def test_override_tag_turns_global_sku_into_visible_not_applicable() -> None:
    props = mutate(
        COMPLIANT[COGNITIVE_DEPLOYMENT],
        {
            "sku.name": "GlobalStandard",
            f"tags.{OVERRIDE_TAG}": "Model only offered as GlobalStandard; reviewed.",
        },
    )
    outcome = evaluate(SKU_RULE, COGNITIVE_DEPLOYMENT, props)
    assert outcome == NotApplicable(
        f"overridden by tag {OVERRIDE_TAG}: Model only offered as GlobalStandard; reviewed."
    )


def test_override_tag_needs_a_real_reason() -> None:
    props = mutate(
        COMPLIANT[COGNITIVE_DEPLOYMENT],
        {"sku.name": "GlobalStandard", f"tags.{OVERRIDE_TAG}": "ok"},
    )
    outcome = evaluate(SKU_RULE, COGNITIVE_DEPLOYMENT, props)
    assert isinstance(outcome, NonCompliant)
    assert any(
        reason.startswith(f"tag {OVERRIDE_TAG} must give a reason of at least 10 visible")
        for reason in outcome.reasons
    )


def test_override_tag_is_ignored_by_other_rules() -> None:
    props = mutate(
        COMPLIANT[STORAGE_ACCOUNT],
        {
            "publicNetworkAccess": "Enabled",
            "tags.hlz-override-public-network-access": "Please let this one through.",
        },
    )
    rule = RULES_BY_ID["storage-account-disallow-public-network-access"]
    assert isinstance(evaluate(rule, STORAGE_ACCOUNT, props), NonCompliant)


def test_monitoring_component_public_query_override_is_honoured_case_insensitively() -> None:
    props = mutate(
        COMPLIANT[LOG_ANALYTICS],
        {
            "publicNetworkAccessForQuery": "Enabled",
            "tags.HLZ-Override-Public-Query": "Portal queries by the SOC until AMPLS lands.",
        },
    )
    rule = RULES_BY_ID["operationalinsights-workspace-disallow-public-query"]
    outcome = evaluate(rule, LOG_ANALYTICS, props)
    assert isinstance(outcome, NotApplicable)
    assert outcome.reason.startswith("overridden by tag hlz-override-public-query: Portal queries")


def test_plan_translates_the_callers_unknown_marker() -> None:
    vault = _vault(**{"properties.publicNetworkAccess": "[unknown]"})
    findings = evaluate_plan([vault], profile=Profile.PRODUCTION, unknown_marker="[unknown]")
    (public,) = _findings_for(findings, "keyvault-vault-disallow-public-network-access")
    assert isinstance(public.evaluation, Undetermined)


# --- override expiry: judged on the evaluation day, like exemptions -----------------------------

PHI_GLOBAL = {"sku.name": "GlobalStandard", "tags.data-classification": "phi"}
DEPLOYMENT_URN = "urn:pulumi:lab::hlz::hlz:ai:OpenAI$azure-native:cognitiveservices:Deployment::d"


def _deployment_with_override(value: str) -> StackResource:
    props = mutate(COMPLIANT[COGNITIVE_DEPLOYMENT], {**PHI_GLOBAL, f"tags.{OVERRIDE_TAG}": value})
    return StackResource(urn=DEPLOYMENT_URN, resource_type=COGNITIVE_DEPLOYMENT, props=props)


def _sku_finding(value: str, today: dt.date) -> Finding:
    findings = evaluate_plan(
        [_deployment_with_override(value)], profile=Profile.LAB, today=today
    )
    (finding,) = _findings_for(findings, SKU_RULE.id, DEPLOYMENT_URN)
    return finding


def test_expired_override_no_longer_waives_the_rule() -> None:
    finding = _sku_finding("De-identified drafts only (PRIV-2026-118) (expires 2020-01-01)", TODAY)
    assert finding.is_violation and finding.blocks_deployment
    assert isinstance(finding.evaluation, NonCompliant)
    assert (
        f"the override in tag {OVERRIDE_TAG} expired on 2020-01-01 (the evaluation day is "
        f"{TODAY}); renew it with a new expiry or remove it and fix the resource"
    ) in finding.evaluation.reasons


def test_override_applies_through_its_expiry_day_and_not_after() -> None:
    value = f"De-identified drafts only (PRIV-2026-118) (expires {TODAY})"
    assert isinstance(_sku_finding(value, TODAY).evaluation, NotApplicable)
    assert _sku_finding(value, TODAY + dt.timedelta(days=1)).is_violation


def test_override_without_expiry_keeps_applying() -> None:
    finding = _sku_finding("De-identified drafts only (PRIV-2026-118)", dt.date(2099, 1, 1))
    assert isinstance(finding.evaluation, NotApplicable)


@pytest.mark.parametrize("suffix", ["(expires soon)", "(expires 2027-02-30)", "(Expires 2020-1-1)"])
def test_override_with_an_unreadable_expiry_does_not_apply(suffix: str) -> None:
    finding = _sku_finding(f"De-identified drafts only (PRIV-2026-118) {suffix}", TODAY)
    assert finding.is_violation
    assert isinstance(finding.evaluation, NonCompliant)
    assert any("not a YYYY-MM-DD date" in reason for reason in finding.evaluation.reasons)


@pytest.mark.parametrize(
    "value", ["\u200b" * 20, "okokokokokok", "ok\u2060\u2060\u2060\u2060\u2060\u2060\u2060\u2060 ok"]
)
def test_override_tag_reason_must_be_visible_words(value: str) -> None:
    props = mutate(COMPLIANT[COGNITIVE_DEPLOYMENT], {**PHI_GLOBAL, f"tags.{OVERRIDE_TAG}": value})
    outcome = evaluate(SKU_RULE, COGNITIVE_DEPLOYMENT, props)
    assert isinstance(outcome, NonCompliant)
    assert any(
        reason.startswith(f"tag {OVERRIDE_TAG} must give a reason of at least 10 visible")
        for reason in outcome.reasons
    )
