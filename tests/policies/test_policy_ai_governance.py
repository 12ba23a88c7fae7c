"""AI governance rules: the governance record, approval expiry (with an injected today), the
PHI-scoped data-zone rule, the strict content filter for high-risk deployments and request logging.

Resource-rule mutations live in ``policy_cases`` (picked up by ``test_policy_rules``); this module
covers what those parametrised tests cannot: the date, NotApplicable scopes, and the stack rules'
matching of deployments to content filters and of accounts to diagnostic settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from policy_cases import (
    COGNITIVE_ACCOUNT,
    COGNITIVE_DEPLOYMENT,
    COMPLIANT,
    DELETE,
    DIAGNOSTIC_SETTING,
    RAI_POLICY,
    leaf_paths,
    mutate,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from stack_cases import PREFIX, res

from policies.evaluation import evaluate, evaluate_stack
from policies.model import (
    Compliant,
    NonCompliant,
    NotApplicable,
    Profile,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    Undetermined,
)
from policies.registry import ALL_RULES, rule_by_id
from policies.rules import ai_governance


def _resource_rule(rule_id: str) -> ResourceRule:
    rule = rule_by_id(rule_id)
    assert isinstance(rule, ResourceRule)
    return rule


def _stack_rule(rule_id: str) -> StackRule:
    rule = rule_by_id(rule_id)
    assert isinstance(rule, StackRule)
    return rule


RECORD = _resource_rule("cognitiveservices-deployment-require-governance-record")
EXPIRY = _resource_rule("cognitiveservices-deployment-disallow-expired-approval")
DATA_ZONE = _resource_rule("cognitiveservices-deployment-restrict-data-zone-sku")
STRICT = _stack_rule("cognitiveservices-deployment-require-strict-filter-for-high-risk")
LOGGING = _stack_rule("cognitiveservices-account-require-request-logging")

LAST_VALID_DAY = dt.date(2027, 6, 30)


def _deployment(**changes: Any) -> dict[str, Any]:
    return mutate(COMPLIANT[COGNITIVE_DEPLOYMENT], changes)


def _reasons(outcome: object) -> str:
    assert isinstance(outcome, NonCompliant), outcome
    return "\n".join(outcome.reasons)


# --- governance record ---------------------------------------------------------------------------


def test_governance_record_names_every_missing_and_invalid_fact() -> None:
    props = _deployment(
        **{
            "tags.hlz-use-case": DELETE,
            "tags.hlz-risk-tier": "extreme",
            "tags.hlz-approval-reference": "",
            "tags.hlz-approval-expires": "next year",
            "tags.hlz-accountable-owner": DELETE,
            "tags.hlz-processes-phi": "maybe",
        }
    )
    outcome = evaluate(RECORD, COGNITIVE_DEPLOYMENT, props)
    assert isinstance(outcome, NonCompliant)
    assert len(outcome.reasons) == 6
    for tag, says in (
        ("hlz-use-case", "is missing"),
        ("hlz-risk-tier", "is 'extreme'"),
        ("hlz-approval-reference", "is empty"),
        ("hlz-approval-expires", "is 'next year'"),
        ("hlz-accountable-owner", "is missing"),
        ("hlz-processes-phi", "is 'maybe'"),
    ):
        assert any(f"tag '{tag}'" in reason and says in reason for reason in outcome.reasons), tag


def test_governance_record_does_not_judge_the_date() -> None:
    """An expired but well-formed date is the expiry rule's business, not the record's."""
    outcome = evaluate(
        RECORD, COGNITIVE_DEPLOYMENT, _deployment(**{"tags.hlz-approval-expires": "2001-01-31"})
    )
    assert isinstance(outcome, Compliant)


# --- approval expiry: today is injected ---------------------------------------------------------


def _freeze_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> list[dt.date]:
    """Replace ``ai_governance.today``; the returned list records every read of the clock."""
    reads: list[dt.date] = []

    def frozen() -> dt.date:
        reads.append(day)
        return day

    monkeypatch.setattr(ai_governance, "today", frozen)
    return reads


def test_approval_is_valid_through_its_last_day(monkeypatch: pytest.MonkeyPatch) -> None:
    props = _deployment(**{"tags.hlz-approval-expires": LAST_VALID_DAY.isoformat()})
    reads = _freeze_today(monkeypatch, LAST_VALID_DAY)
    assert isinstance(evaluate(EXPIRY, COGNITIVE_DEPLOYMENT, props), Compliant)
    assert reads == [LAST_VALID_DAY]  # the clock is read once per evaluation


def test_approval_expires_the_day_after(monkeypatch: pytest.MonkeyPatch) -> None:
    props = _deployment(**{"tags.hlz-approval-expires": LAST_VALID_DAY.isoformat()})
    _freeze_today(monkeypatch, LAST_VALID_DAY + dt.timedelta(days=1))
    reasons = _reasons(evaluate(EXPIRY, COGNITIVE_DEPLOYMENT, props))
    assert "approval 'AIGB-2026-014' expired on 2027-06-30" in reasons
    assert "today is 2027-07-01" in reasons
    assert "renew it with the AI governance board" in reasons


def test_approval_outcome_is_a_pure_function_of_props_and_date() -> None:
    props = _deployment(**{"tags.hlz-approval-expires": "2027-06-30"})
    assert isinstance(ai_governance.approval_outcome(props, dt.date(2027, 6, 30)), Compliant)
    assert isinstance(ai_governance.approval_outcome(props, dt.date(2027, 7, 1)), NonCompliant)


def test_far_future_approval_passes_on_the_real_clock() -> None:
    assert isinstance(
        evaluate(EXPIRY, COGNITIVE_DEPLOYMENT, COMPLIANT[COGNITIVE_DEPLOYMENT]), Compliant
    )


@pytest.mark.parametrize("expires", [DELETE, "", "30.06.2027", "2027-13-01"])
def test_expiry_rule_leaves_missing_or_invalid_dates_to_the_record_rule(expires: object) -> None:
    outcome = evaluate(
        EXPIRY, COGNITIVE_DEPLOYMENT, _deployment(**{"tags.hlz-approval-expires": expires})
    )
    assert isinstance(outcome, NotApplicable)
    assert "cognitiveservices-deployment-require-governance-record reports it" in outcome.reason


# --- data-zone SKU only where PHI is processed ---------------------------------------------------


def test_data_zone_rule_not_applicable_to_phi_free_deployment_in_non_phi_stack() -> None:
    props = _deployment(
        **{
            "sku.name": "GlobalStandard",
            "tags.hlz-processes-phi": "false",
            "tags.data-classification": "internal",
        }
    )
    outcome = evaluate(DATA_ZONE, COGNITIVE_DEPLOYMENT, props)
    assert outcome == NotApplicable(
        "the deployment does not process PHI (tag hlz-processes-phi is 'false', "
        "data-classification is 'internal')"
    )


def test_data_zone_rule_trusts_the_stack_classification_without_a_record() -> None:
    props = _deployment(
        **{
            "sku.name": "GlobalStandard",
            "tags.hlz-processes-phi": DELETE,
            "tags.data-classification": "public",
        }
    )
    assert isinstance(evaluate(DATA_ZONE, COGNITIVE_DEPLOYMENT, props), NotApplicable)


def test_data_zone_rule_applies_when_nothing_says_the_deployment_is_phi_free() -> None:
    props = _deployment(**{"sku.name": "GlobalStandard", "tags": {}})
    assert "sku.name is 'GlobalStandard'" in _reasons(
        evaluate(DATA_ZONE, COGNITIVE_DEPLOYMENT, props)
    )


def test_data_zone_override_still_waives_a_phi_deployment() -> None:
    props = _deployment(
        **{
            "sku.name": "GlobalStandard",
            "tags.hlz-override-data-residency": "Model only offered globally; BAA reviewed.",
        }
    )
    outcome = evaluate(DATA_ZONE, COGNITIVE_DEPLOYMENT, props)
    assert isinstance(outcome, NotApplicable)
    assert outcome.reason.startswith("overridden by tag hlz-override-data-residency")


# --- stack view helpers ---------------------------------------------------------------------------


ACCOUNT = res(COGNITIVE_ACCOUNT, "oai", COMPLIANT[COGNITIVE_ACCOUNT])
OTHER_ACCOUNT = res(
    COGNITIVE_ACCOUNT,
    "oai-other",
    mutate(COMPLIANT[COGNITIVE_ACCOUNT], {"accountName": "oai-other"}),
)


def rai_policy(
    changes: dict[Any, Any] | None = None,
    *,
    account: StackResource = ACCOUNT,
    name: str = "oai-filter-clinical-strict",
) -> StackResource:
    props = mutate(COMPLIANT[RAI_POLICY], changes or {})
    return res(RAI_POLICY, name, props, deps={"accountName": [account]}, depends_on=(account,))


def deployment(
    changes: dict[Any, Any] | None = None,
    *,
    account: StackResource = ACCOUNT,
    uses: StackResource | None = None,
    deps: dict[str, list[StackResource]] | None = None,
) -> StackResource:
    props = mutate(COMPLIANT[COGNITIVE_DEPLOYMENT], changes or {})
    return res(
        COGNITIVE_DEPLOYMENT,
        "oai-gpt-4o",
        props,
        deps={"accountName": [account], **(deps or {})},
        depends_on=(uses,) if uses else (),
    )


def _strict(resources: list[StackResource]) -> object:
    deployments = [r for r in resources if r.resource_type == COGNITIVE_DEPLOYMENT]
    (only,) = deployments
    return evaluate_stack(STRICT, resources)[only.urn]


# --- strict filter for high-risk deployments ------------------------------------------------------


def test_strict_filter_compliant_with_custom_policy_on_same_account() -> None:
    policy = rai_policy()
    assert _strict([ACCOUNT, policy, deployment(uses=policy)]) == Compliant()


@pytest.mark.parametrize(
    ("changes", "expect"),
    [
        pytest.param(
            {"properties.contentFilters.1.severityThreshold": "High"},
            "RaiPolicy 'clinical-strict': Hate on Completion has severityThreshold 'High'; use "
            "'Low' or 'Medium'",
            id="completion-threshold-high",
        ),
        pytest.param(
            {"properties.contentFilters.0.severityThreshold": DELETE},
            "Hate on Prompt has severityThreshold not set",
            id="no-threshold",
        ),
        pytest.param(
            {"properties.contentFilters.2.blocking": False},
            "Sexual on Prompt has blocking false; set it to true",
            id="annotate-without-blocking",
        ),
        pytest.param(
            {"properties.contentFilters.7.enabled": False},
            "Selfharm on Completion has enabled false",
            id="filter-disabled",
        ),
        pytest.param(
            {"properties.contentFilters.4.action": "ANNOTATING"},
            "Violence on Prompt has action 'ANNOTATING'",
            id="annotating-action",
        ),
        pytest.param(
            {"properties.contentFilters.5": {"name": "Violence", "source": "PreToolCall"}},
            "has no Violence filter on Completion",
            id="category-missing-on-completion",
        ),
        pytest.param(
            {"properties.contentFilters.8.blocking": False},
            "RaiPolicy 'clinical-strict': Jailbreak has blocking false",
            id="jailbreak-not-blocked",
        ),
        pytest.param(
            {"properties.contentFilters.8.name": "Protected Material Text"},
            "has no Jailbreak filter",
            id="no-jailbreak-filter",
        ),
        pytest.param(
            {"properties.mode": "Asynchronous_filter"},
            "has properties.mode 'Asynchronous_filter', which can return content before it is "
            "filtered",
            id="asynchronous-filter-mode",
        ),
        pytest.param(
            {"properties.mode": "Deferred"}, "properties.mode 'Deferred'", id="deferred-mode"
        ),
    ],
)
def test_strict_filter_reports_weakness(changes: dict[str, Any], expect: str) -> None:
    policy = rai_policy(changes)
    assert expect in _reasons(_strict([ACCOUNT, policy, deployment(uses=policy)]))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"properties.contentFilters.0.severityThreshold": "Low"}, id="low-threshold"),
        pytest.param({"properties.mode": DELETE}, id="mode-absent-means-default"),
        pytest.param({"properties.contentFilters.0.action": "BLOCKING"}, id="blocking-action"),
        pytest.param({"properties.contentFilters.9": DELETE}, id="indirect-attack-not-required"),
        pytest.param(
            {
                "properties.contentFilters.0.name": "hate",
                "properties.contentFilters.0.source": "prompt",
            },
            id="names-any-case",
        ),
    ],
)
def test_strict_filter_boundaries_stay_compliant(changes: dict[str, Any]) -> None:
    policy = rai_policy(changes)
    assert _strict([ACCOUNT, policy, deployment(uses=policy)]) == Compliant()


def test_strict_filter_reports_each_weakness() -> None:
    policy = rai_policy(
        {
            "properties.mode": "Asynchronous_filter",
            "properties.contentFilters.0.severityThreshold": "High",
            "properties.contentFilters.3.enabled": False,
            "properties.contentFilters.8.blocking": False,
        }
    )
    outcome = _strict([ACCOUNT, policy, deployment(uses=policy)])
    assert isinstance(outcome, NonCompliant)
    assert len(outcome.reasons) == 4


@pytest.mark.parametrize("built_in", ["Microsoft.DefaultV2", "Microsoft.Default", "microsoft.nil"])
def test_built_in_filter_cannot_be_verified(built_in: str) -> None:
    outcome = _strict([ACCOUNT, rai_policy(), deployment({"properties.raiPolicyName": built_in})])
    reasons = _reasons(outcome)
    assert f"uses the built-in content filter '{built_in}'" in reasons
    assert "cannot verify the filter" in reasons


def test_filter_outside_the_stack_cannot_be_verified() -> None:
    reasons = _reasons(_strict([ACCOUNT, deployment()]))
    assert (
        "high-risk deployment 'oai-gpt-4o' uses content filter 'clinical-strict', which is not a "
        "RaiPolicy of this stack on the same account, so this pack cannot verify the filter"
    ) in reasons


def test_missing_filter_cannot_be_verified() -> None:
    reasons = _reasons(
        _strict([ACCOUNT, rai_policy(), deployment({"properties.raiPolicyName": " "})])
    )
    assert "has no content filter (properties.raiPolicyName)" in reasons


def test_same_named_filter_on_another_account_does_not_count() -> None:
    elsewhere = rai_policy(
        {"accountName": "oai-other"}, account=OTHER_ACCOUNT, name="oai-other-filter"
    )
    reasons = _reasons(_strict([ACCOUNT, OTHER_ACCOUNT, elsewhere, deployment()]))
    assert "not a RaiPolicy of this stack on the same account" in reasons


def test_filter_is_judged_on_the_deployments_own_account() -> None:
    weak_elsewhere = rai_policy(
        {"accountName": "oai-other", "properties.contentFilters.0.blocking": False},
        account=OTHER_ACCOUNT,
        name="oai-other-filter",
    )
    strict_here = rai_policy()
    resources = [ACCOUNT, OTHER_ACCOUNT, weak_elsewhere, strict_here, deployment(uses=strict_here)]
    assert _strict(resources) == Compliant()
    on_other = deployment(account=OTHER_ACCOUNT, changes={"accountName": "oai-other"})
    resources = [ACCOUNT, OTHER_ACCOUNT, weak_elsewhere, strict_here, on_other]
    assert "Hate on Prompt has blocking false" in _reasons(_strict(resources))


def test_account_matched_by_literal_names_without_dependency_information() -> None:
    policy = StackResource(f"{PREFIX}{RAI_POLICY}::f", RAI_POLICY, COMPLIANT[RAI_POLICY])
    same = StackResource(
        f"{PREFIX}{COGNITIVE_DEPLOYMENT}::d", COGNITIVE_DEPLOYMENT, COMPLIANT[COGNITIVE_DEPLOYMENT]
    )
    assert _strict([policy, same]) == Compliant()
    other = StackResource(
        same.urn,
        COGNITIVE_DEPLOYMENT,
        mutate(COMPLIANT[COGNITIVE_DEPLOYMENT], {"accountName": "oai-other"}),
    )
    assert "cannot verify the filter" in _reasons(_strict([policy, other]))


def test_literal_account_name_matches_a_computed_one() -> None:
    """The policy names its account literally; the deployment's accountName comes from it."""
    policy = StackResource(f"{PREFIX}{RAI_POLICY}::f", RAI_POLICY, COMPLIANT[RAI_POLICY])
    computed = deployment({"accountName": UNKNOWN_STRING_VALUE})
    assert _strict([ACCOUNT, policy, computed]) == Compliant()


def test_preview_unknown_account_name_matched_through_property_dependencies() -> None:
    policy = rai_policy({"accountName": UNKNOWN_STRING_VALUE})
    preview = deployment({"accountName": UNKNOWN_STRING_VALUE}, uses=policy)
    assert _strict([ACCOUNT, policy, preview]) == Compliant()


def test_preview_unknown_policy_name_matched_through_the_deployments_properties() -> None:
    policy = rai_policy({"raiPolicyName": UNKNOWN_STRING_VALUE})
    computed = deployment(
        {"properties.raiPolicyName": UNKNOWN_STRING_VALUE}, deps={"properties": [policy]}
    )
    assert _strict([ACCOUNT, policy, computed]) == Compliant()
    unrelated = deployment({"properties.raiPolicyName": UNKNOWN_STRING_VALUE})
    reasons = _reasons(_strict([ACCOUNT, policy, unrelated]))
    assert "uses content filter (name unknown until the update)" in reasons


@pytest.mark.parametrize(
    ("tier", "reason"),
    [
        (
            "limited",
            "tag 'hlz-risk-tier' is 'limited'; only the 'high' tier needs the strict filter",
        ),
        ("minimal", "tag 'hlz-risk-tier' is 'minimal'"),
        (DELETE, "tag 'hlz-risk-tier' is not set"),
    ],
)
def test_strict_filter_not_applicable_below_high_risk(tier: object, reason: str) -> None:
    built_in = deployment(
        {"tags.hlz-risk-tier": tier, "properties.raiPolicyName": "Microsoft.DefaultV2"}
    )
    outcome = _strict([ACCOUNT, built_in])
    assert isinstance(outcome, NotApplicable)
    assert reason in outcome.reason


def test_strict_filter_tier_matches_any_case() -> None:
    shouting = deployment({"tags.hlz-risk-tier": "HIGH"})
    assert "cannot verify the filter" in _reasons(_strict([ACCOUNT, shouting]))


@pytest.mark.parametrize(
    "unknown",
    [
        pytest.param({"target": "deployment", "path": "tags.hlz-risk-tier"}, id="risk-tier"),
        pytest.param({"target": "policy", "path": "properties.contentFilters"}, id="filters"),
    ],
)
def test_strict_filter_unknown_value_is_undetermined(unknown: dict[str, str]) -> None:
    change = {unknown["path"]: UNKNOWN_STRING_VALUE}
    policy = rai_policy(change if unknown["target"] == "policy" else None)
    user = deployment(change if unknown["target"] == "deployment" else None, uses=policy)
    assert isinstance(_strict([ACCOUNT, policy, user]), Undetermined)


# --- request logging ------------------------------------------------------------------------------


def setting(
    logs: list[dict[str, Any]] | object = DELETE,
    *,
    target: StackResource = ACCOUNT,
    name: str = "oai-diag",
    **changes: Any,
) -> StackResource:
    props_changes: dict[str, Any] = dict(changes)
    if logs is not DELETE:
        props_changes["logs"] = logs
    props = mutate(COMPLIANT[DIAGNOSTIC_SETTING], props_changes)
    return res(DIAGNOSTIC_SETTING, name, props, deps={"resourceUri": [target]})


def _logging(resources: list[StackResource]) -> object:
    return evaluate_stack(LOGGING, resources)[ACCOUNT.urn]


def test_request_logging_compliant_with_all_logs_to_workspace() -> None:
    assert _logging([ACCOUNT, setting()]) == Compliant()


def test_request_logging_accepts_explicit_categories() -> None:
    logs = [
        {"category": "Audit", "enabled": True},
        {"category": "RequestResponse", "enabled": True},
        {"category": "Trace", "enabled": False},
    ]
    assert _logging([ACCOUNT, setting(logs)]) == Compliant()


def test_request_logging_audit_group_alone_misses_request_response() -> None:
    reasons = _reasons(_logging([ACCOUNT, setting([{"categoryGroup": "audit", "enabled": True}])]))
    assert (
        "no diagnostic setting of Account 'oai' sends RequestResponse logs to a Log Analytics "
        "workspace (category group 'audit' covers only Audit)"
    ) in reasons


def test_request_logging_disabled_entries_do_not_count() -> None:
    disabled = setting([{"categoryGroup": "allLogs", "enabled": False}])
    assert "sends Audit and RequestResponse logs" in _reasons(_logging([ACCOUNT, disabled]))


def test_request_logging_reports_account_without_diagnostic_setting() -> None:
    vault_only = res("azure-native:keyvault:Vault", "kv", {})
    reasons = _reasons(_logging([ACCOUNT, vault_only, setting(target=vault_only)]))
    assert "Account 'oai' has no diagnostic setting" in reasons


def test_request_logging_needs_a_workspace_destination() -> None:
    to_storage = setting(
        workspaceId=DELETE, storageAccountId="/subscriptions/x/storageAccounts/starchive"
    )
    reasons = _reasons(_logging([ACCOUNT, to_storage]))
    assert "diagnostic setting 'oai-diag' of Account 'oai' has no workspaceId" in reasons
    assert "sends Audit and RequestResponse logs" in reasons


def test_request_logging_settings_add_up() -> None:
    audit = setting([{"categoryGroup": "audit", "enabled": True}], name="oai-diag-audit")
    requests = setting([{"category": "RequestResponse", "enabled": True}], name="oai-diag-req")
    archive = setting(workspaceId=DELETE, storageAccountId="/x/starchive", name="oai-archive")
    assert _logging([ACCOUNT, audit, requests, archive]) == Compliant()


def test_request_logging_unknown_workspace_counts_as_set() -> None:
    assert _logging([ACCOUNT, setting(workspaceId=UNKNOWN_STRING_VALUE)]) == Compliant()


def test_request_logging_unknown_logs_are_undetermined() -> None:
    assert isinstance(_logging([ACCOUNT, setting(UNKNOWN_STRING_VALUE)]), Undetermined)


def test_request_logging_checked_in_lab_too() -> None:
    outcome = evaluate_stack(LOGGING, [ACCOUNT], profile=Profile.LAB)[ACCOUNT.urn]
    assert isinstance(outcome, NonCompliant)


# --- malformed input ------------------------------------------------------------------------------

MALFORMED_VALUES: tuple[Any, ...] = (None, 0, True, "", "x", [], ["x"], {}, {"x": 1})


@pytest.mark.parametrize("target", [COGNITIVE_DEPLOYMENT, RAI_POLICY, DIAGNOSTIC_SETTING])
def test_stack_rules_survive_malformed_props(target: str) -> None:
    """Every path of one resource replaced by every wrong type: both rules still return outcomes."""
    for path in leaf_paths(COMPLIANT[target]):
        for value in MALFORMED_VALUES:
            broken = {path: value}
            policy = rai_policy(broken if target == RAI_POLICY else None)
            user = deployment(broken if target == COGNITIVE_DEPLOYMENT else None, uses=policy)
            diagnostics = res(
                DIAGNOSTIC_SETTING,
                "d",
                mutate(
                    COMPLIANT[DIAGNOSTIC_SETTING], broken if target == DIAGNOSTIC_SETTING else {}
                ),
                deps={"resourceUri": [ACCOUNT]},
            )
            resources = [ACCOUNT, policy, user, diagnostics]
            for rule in (STRICT, LOGGING):
                for outcome in evaluate_stack(rule, resources).values():
                    assert isinstance(outcome, Compliant | NonCompliant | NotApplicable), (
                        rule.id,
                        path,
                        value,
                    )


# --- metadata -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "kind", "severity", "primary", "phi_protecting"),
    [
        (RECORD.id, ResourceRule, Severity.MEDIUM, "164.308(a)(1)(ii)(A)", False),
        (EXPIRY.id, ResourceRule, Severity.HIGH, "164.308(a)(8)", False),
        (STRICT.id, StackRule, Severity.HIGH, "164.308(a)(1)(ii)(B)", False),
        (DATA_ZONE.id, ResourceRule, Severity.HIGH, "164.308(a)(1)(ii)(B)", True),
        (LOGGING.id, StackRule, Severity.HIGH, "164.312(b)", True),
    ],
)
def test_ai_rule_metadata(
    rule_id: str, kind: type, severity: Severity, primary: str, phi_protecting: bool
) -> None:
    rule = rule_by_id(rule_id)
    assert isinstance(rule, kind)
    assert rule.severity is severity and rule.primary_citation == primary
    assert rule.phi_protecting is phi_protecting
    assert rule.url.startswith("https://learn.microsoft.com/")
    assert rule.resource_types is not None
    assert rule.resource_types <= {COGNITIVE_DEPLOYMENT, COGNITIVE_ACCOUNT}
    assert rule in ALL_RULES


def test_data_zone_rule_documents_its_phi_scope() -> None:
    assert DATA_ZONE.description.startswith("Model deployments that process PHI")
    assert "hlz-processes-phi" in DATA_ZONE.remediation
    assert DATA_ZONE.override_tag == "hlz-override-data-residency"


def test_evaluate_plan_judges_approvals_on_its_own_date():
    """``evaluate_plan(today=...)`` is the day for exemptions and approvals alike."""
    import datetime as dt

    from policies.evaluation import evaluate_plan
    from policies.model import NonCompliant, Profile, StackResource
    from tests.policies.policy_cases import COGNITIVE_DEPLOYMENT, COMPLIANT

    props = COMPLIANT[COGNITIVE_DEPLOYMENT]
    expires = dt.date.fromisoformat(props["tags"]["hlz-approval-expires"])
    resource = StackResource(
        urn="urn:pulumi:s::hlz::azure-native:cognitiveservices:Deployment::d",
        resource_type=COGNITIVE_DEPLOYMENT,
        props=props,
    )

    def expired_on(day: dt.date) -> bool:
        findings = evaluate_plan([resource], profile=Profile.PRODUCTION, today=day)
        finding = next(
            f
            for f in findings
            if f.rule.id == "cognitiveservices-deployment-disallow-expired-approval"
        )
        return isinstance(finding.evaluation, NonCompliant)

    assert not expired_on(expires)
    assert expired_on(expires + dt.timedelta(days=1))
