"""Rule metadata, the registry, the shipped configs, the adapter mapping and RULES.md (which
tools/docs.py generates; tests/test_docs.py keeps it current)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

import policies
from policies.adapter import build_policies, to_policy, violation_message
from policies.exemptions import parse_exemptions
from policies.model import (
    HIPAA_CITATION_PATTERN,
    RULE_ID_PATTERN,
    Category,
    Profile,
    ResourceRule,
    Rule,
)
from policies.model import (
    Severity as RuleSeverity,
)
from policies.profiles import config_problems, is_profile_dependent, pack_config
from policies.registry import ALL_RULES, RULES_BY_ID, _index

PACK_DIR = Path(policies.__file__).resolve().parent
RULE_PARAMS = [pytest.param(rule, id=rule.id) for rule in ALL_RULES]


def test_registry_has_at_least_35_rules() -> None:
    assert len(ALL_RULES) >= 35


def test_the_registry_refuses_a_duplicate_rule_id() -> None:
    """What keeps ids unique: policies.registry builds RULES_BY_ID with this at import."""
    rule = ALL_RULES[0]
    with pytest.raises(ValueError, match=f"duplicate rule ids: {rule.id}$"):
        _index((rule, ALL_RULES[1], rule))


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_rule_metadata_is_complete(rule: Rule) -> None:
    assert RULE_ID_PATTERN.match(rule.id)
    if rule.category is Category.HIPAA:
        assert rule.hipaa and all(HIPAA_CITATION_PATTERN.match(c) for c in rule.hipaa)
    else:
        assert rule.id.startswith("deploy-") and not rule.hipaa
        assert rule.url.startswith("https://learn.microsoft.com/")
    assert rule.description.endswith(".") and rule.rationale and rule.remediation
    assert rule.url.startswith("https://")
    assert rule.profiles


def test_invalid_metadata_is_rejected_with_every_problem() -> None:
    good = RULES_BY_ID["storage-account-require-https-only"]
    assert isinstance(good, ResourceRule)
    with pytest.raises(ValueError) as error:
        ResourceRule(
            id="Storage_HTTPS",
            description="x",
            rationale=" ",
            severity=RuleSeverity.LOW,
            hipaa=("45 CFR 164.312",),
            mcsb=("dp5",),
            remediation="fix it",
            url="http://example.org",
            phi_protecting=False,
            resource_types=frozenset(),
            check=good.check,
        )
    message = str(error.value)
    for expected in (
        "id must match",
        "rationale is empty",
        "'45 CFR 164.312' is not a 164.3xx",
        "MCSB control 'dp5'",
        "url must be https",
        "resource_types is empty",
    ):
        assert expected in message


def test_a_citation_without_a_section_title_is_refused_at_import() -> None:
    """Titles live beside the rules (policies.frameworks): every report can name the section."""
    good = RULES_BY_ID["storage-account-require-https-only"]
    assert isinstance(good, ResourceRule)
    with pytest.raises(ValueError, match=r"HIPAA citation '164\.308\(a\)\(2\)' has no title"):
        ResourceRule(
            id="storage-account-require-something",
            description="x",
            rationale="y",
            severity=RuleSeverity.LOW,
            hipaa=("164.308(a)(2)",),
            remediation="fix it",
            url="https://learn.microsoft.com/azure",
            phi_protecting=False,
            resource_types=frozenset({"azure-native:storage:StorageAccount"}),
            check=good.check,
        )


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_adapter_maps_metadata_to_policy(rule: Rule) -> None:
    policy = to_policy(rule)
    expected_class = (
        ResourceValidationPolicy if isinstance(rule, ResourceRule) else StackValidationPolicy
    )
    assert isinstance(policy, expected_class)
    assert policy.name == rule.id and policy.description == rule.description
    assert policy.severity == Severity(rule.severity.value)
    assert policy.enforcement_level == (
        EnforcementLevel.MANDATORY if rule.mandatory_everywhere else EnforcementLevel.ADVISORY
    )
    if rule.category is Category.HIPAA:
        assert policy.framework is not None and policy.framework.name == "HIPAA Security Rule"
        assert policy.framework.reference == ", ".join(rule.hipaa)
    else:
        assert policy.framework is None  # deploy rules cite Azure docs (url), no framework
    assert policy.remediation_steps == rule.remediation and policy.url == rule.url
    assert policy.tags is not None and rule.category.value in policy.tags
    assert (policy.config_schema is not None) == is_profile_dependent(rule)
    if policy.config_schema is not None:
        assert policy.config_schema.properties["profile"]["enum"] == ["lab", "production"]


def test_violation_message_prefixes_primary_hipaa_section_and_names_expired_exemption() -> None:
    rule = RULES_BY_ID["storage-account-disallow-public-network-access"]
    (expired,) = parse_exemptions(
        [
            {
                "rule": rule.id,
                "resource": "stdiag*",
                "reason": "Old migration window.",
                "owner": "ops",
                "expires": "2025-01-01",
            }
        ],
        ALL_RULES,
    )
    assert violation_message(rule, "publicNetworkAccess is 'Enabled'") == (
        "[164.312(e)(1)] publicNetworkAccess is 'Enabled'"
    )
    assert "exemption for 'stdiag*' (owner ops, expires 2025-01-01)" in violation_message(
        rule, "x", expired
    )
    assert "has expired" in violation_message(rule, "x", expired)


def test_build_policies_loads_shipped_exemptions() -> None:
    policies = build_policies()
    assert [policy.name for policy in policies] == [rule.id for rule in ALL_RULES]


@pytest.mark.parametrize("profile", list(Profile))
def test_shipped_config_keeps_phi_rules_mandatory(profile: Profile) -> None:
    path = PACK_DIR / "config" / f"{profile.value}.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    assert config_problems(config, ALL_RULES) == []
    for rule in ALL_RULES:
        value = config[rule.id]
        level = value if isinstance(value, str) else value["enforcementLevel"]
        if rule.phi_protecting:
            assert level == "mandatory", rule.id
        if is_profile_dependent(rule):
            assert value["profile"] == profile.value


def test_config_problems_catch_demoted_phi_rule_and_typos() -> None:
    config = pack_config(Profile.LAB, ALL_RULES)
    config["storage-account-require-cmk-encryption"] = "advisory"
    config["all"] = "advisory"
    config["storage-acount-typo"] = "mandatory"
    config["keyvault-key-require-hsm-backing"] = {
        "enforcementLevel": "mandatory",
        "profile": "staging",
    }
    config["deploy-firewallpolicy-disallow-basic-dns-settings"] = "disabled"
    problems = "\n".join(config_problems(config, ALL_RULES))
    assert (
        "deploy-firewallpolicy-disallow-basic-dns-settings: deploy rules must stay mandatory"
        in problems
    )
    assert (
        "storage-account-require-cmk-encryption: PHI-protecting rules must stay mandatory"
        in problems
    )
    assert "all: 'advisory' would lower PHI-protecting rules" in problems
    assert "storage-acount-typo: no such policy in the pack" in problems
    assert "keyvault-key-require-hsm-backing.profile: 'staging'" in problems


def test_rules_md_lists_every_rule() -> None:
    text = (PACK_DIR / "RULES.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"[`{rule.id}`]" in text
