"""Each rule's runtime counterpart (``policies.runtime``) is a real built-in policy that reads the
same property, and the landing zones assign the ``hlz`` initiative made of them.

The vendored index (``policies/data/builtin_policies.json``) is the only source of built-in ids:
a GUID absent from it is an invented id. The alias a built-in reads is turned into the SDK's wire
path with the pack's own normalisation of a generic resource (``policies.normalise``), so the
"same property" claim is checked by the code that judges deployed resources, not restated.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from pulumi_azure_native import keyvault, storage

import stacks.common
from components.errors import ConfigError
from components.runtime_policy import exempt_at_runtime, record_resources
from hlz.plan import Plan, Planner
from policies.arm_types import GENERIC_RESOURCE, KNOWN_ARM_PATHS, arm_type
from policies.builtin_index import INDEX_FILE, builtin_index
from policies.clock import utc_today
from policies.evaluation import evaluate
from policies.exemptions import Exemption
from policies.model import Category, NonCompliant, Profile, ResourceRule
from policies.normalise import normalise
from policies.registry import ALL_RULES, RULES_BY_ID
from policies.rules.tokens import POLICY_ASSIGNMENT, POLICY_EXEMPTION, POLICY_SET_DEFINITION
from policies.runtime import (
    DATA_PLANE_FIELDS,
    NO_COUNTERPART,
    RUNTIME,
    Counterpart,
    initiative_members,
    member_effect,
    no_counterpart_reason,
)

sys.path.insert(0, str(Path(__file__).parent / "policies"))
from policy_cases import COMPLIANT, DELETE, MUTATIONS, mutate  # noqa: E402

from tests.conftest import run_components  # noqa: E402

PAIRS = [
    pytest.param(rule_id, index, counterpart, id=f"{rule_id}-{index}")
    for rule_id, counterparts in RUNTIME.items()
    for index, counterpart in enumerate(counterparts)
]
TOP_LEVEL = ("sku", "identity", "kind", "zones", "location", "tags")
"""Alias heads ARM keeps beside ``properties`` (every other alias path is under it)."""
SENTINEL = "hlz-sentinel-4f1c"


def test_the_index_is_dated_and_names_its_source():
    index = builtin_index()
    assert index.repository == "https://github.com/Azure/azure-policy"
    assert re.fullmatch(r"[0-9a-f]{40}", index.commit)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", index.commit_date)
    assert len(index.definitions) > 500


def test_every_hipaa_rule_has_a_counterpart_or_says_why_not():
    ids = {rule.id for rule in ALL_RULES}
    assert not set(RUNTIME) - ids, "RUNTIME names rules the pack does not have"
    assert not set(NO_COUNTERPART) - ids, "NO_COUNTERPART names rules the pack does not have"
    assert not set(RUNTIME) & set(NO_COUNTERPART)
    for rule in ALL_RULES:
        has = bool(RUNTIME.get(rule.id))
        reason = no_counterpart_reason(rule)
        assert has != (reason is not None), rule.id
        if rule.category is Category.DEPLOY:
            assert not has, f"{rule.id}: ARM itself enforces deploy rules"


@pytest.mark.parametrize(("rule_id", "index", "counterpart"), PAIRS)
def test_the_definition_exists_is_current_and_reads_the_field(
    rule_id: str, index: int, counterpart: Counterpart
):
    definition = builtin_index().get(counterpart.definition)
    assert definition is not None, f"{counterpart.definition} is not a built-in (invented id)"
    assert not definition.deprecated and not definition.preview, definition.display_name
    assert not definition.azure_government_only, f"{definition.path}: not in the public cloud"
    assert definition.reads(counterpart.reads), (
        f"{definition.display_name} reads {definition.aliases}, not {counterpart.reads}"
    )


@pytest.mark.parametrize(("rule_id", "index", "counterpart"), PAIRS)
def test_parameters_are_the_definitions_own_and_within_its_allowed_values(
    rule_id: str, index: int, counterpart: Counterpart
):
    definition = counterpart.builtin
    assert set(definition.required_parameters) <= set(counterpart.parameters), (
        "ARM refuses a reference without a value for a parameter that has no default"
    )
    for name, value in counterpart.parameters.items():
        assert name in definition.parameters and name != definition.effect_parameter, name
        allowed = definition.allowed_values.get(name)
        if allowed is not None:
            values = value if isinstance(value, list) else [value]
            assert all(v in allowed for v in values), f"{name}={value} not in {allowed}"


def _split_alias(alias: str) -> tuple[str, str] | None:
    """``Microsoft.Storage/storageAccounts/blobServices/isVersioningEnabled`` ->
    (the longest ARM type it starts with, the path after it)."""
    known = sorted({t for t in (arm_type(token) for token in KNOWN_ARM_PATHS) if t}, key=len)
    for full_type in reversed(known):
        if alias.casefold().startswith(full_type.casefold() + "/"):
            return full_type, alias[len(full_type) + 1 :]
    return None


def _body_with_sentinel(path: str) -> dict[str, Any]:
    steps = [step.removesuffix("[*]") for step in path.split(".")]
    node: dict[str, Any] = {}
    cursor = node
    for step in steps[:-1]:
        cursor[step] = {}
        cursor = cursor[step]
    cursor[steps[-1]] = SENTINEL
    return node if steps[0] in TOP_LEVEL else {"properties": node}


def _find(value: Any, target: Any, prefix: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    if value == target:
        return prefix
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _find(item, target, (*prefix, str(key)))
            if found is not None:
                return found
    return None


def _wire_path(full_type: str, path: str) -> str:
    """Where the pack's normalisation puts the ARM property ``path`` of a ``full_type``
    resource (a generic resource carrying it, judged as the typed one)."""
    namespace, *types = full_type.split("/")
    parents = "/".join(f"{t}/parent{i}" for i, t in enumerate(types[:-1]))
    props = {
        "resourceProviderNamespace": namespace,
        "resourceType": types[-1],
        "parentResourcePath": parents,
        "resourceName": "sample",
        **_body_with_sentinel(path),
    }
    token, normalised = normalise(GENERIC_RESOURCE, props)
    assert token != GENERIC_RESOURCE, f"{full_type} is not a type the pack recognises"
    found = _find(normalised, SENTINEL)
    assert found is not None, f"{path} vanished in normalisation"
    return ".".join(found)


def _plain(path: str) -> str:
    return re.sub(r"\[\*\]", "", path).casefold()


@pytest.mark.parametrize(("rule_id", "index", "counterpart"), PAIRS)
def test_the_field_and_the_rules_property_are_the_same(
    rule_id: str, index: int, counterpart: Counterpart
):
    rule = RULES_BY_ID[rule_id]
    reads = counterpart.reads
    if reads.startswith("[concat('tags['"):
        tag = counterpart.parameters["tagName"]
        assert counterpart.prop == f"tags.{tag}"
        return
    if reads in ("location", "identity.type"):
        assert counterpart.prop == reads
        return
    data_plane = next((t for t in DATA_PLANE_FIELDS if reads.startswith(t + "/")), None)
    if data_plane is not None:
        arm, fields = DATA_PLANE_FIELDS[data_plane]
        assert counterpart.prop == fields[reads[len(data_plane) + 1 :]]
        assert any(arm_type(t) == arm for t in getattr(rule, "resource_types", None) or ())
        return
    split = _split_alias(reads)
    assert split is not None, f"{reads} is not an alias of an ARM type the pack knows"
    full_type, path = split
    if counterpart.prop is None:
        # A relation: the built-in checks a related resource exists for a type the rule judges.
        related = {arm_type(t) for t in getattr(rule, "resource_types", None) or ()}
        types = {full_type, *counterpart.builtin.types}
        assert related & types, f"{rule_id} judges {related}, the built-in {types}"
        return
    rule_types = {arm_type(t) for t in getattr(rule, "resource_types", None) or ()}
    assert full_type in rule_types, f"{reads} is on {full_type}; {rule_id} judges {rule_types}"
    assert _plain(_wire_path(full_type, path)) == _plain(counterpart.prop)


def _plain_case(path: str) -> str:
    return re.sub(r"\[\*\]", "", path)


def _touches(changes: Mapping[str, Any], prop: str) -> bool:
    wanted = [step for step in _plain(prop).split(".") if step]
    for path in changes:
        steps = [s.casefold() for s in str(path).split(".") if not s.isdigit()]
        if steps[: len(wanted)] == wanted or wanted[: len(steps)] == steps:
            return True
    return False


@pytest.mark.parametrize(
    ("rule_id", "index", "counterpart"),
    [p for p in PAIRS if p.values[2].prop is not None],  # type: ignore[union-attr]
)
def test_the_rules_verdict_depends_on_that_property(
    rule_id: str, index: int, counterpart: Counterpart
):
    rule = RULES_BY_ID[rule_id]
    assert isinstance(rule, ResourceRule)
    prop = counterpart.prop
    assert prop is not None
    # A curated mutation whose verdict flips when its change to the property is left out.
    for mutation in (m for m in MUTATIONS if m.rule_id == rule_id and _touches(m.changes, prop)):
        others = {k: v for k, v in mutation.changes.items() if not _touches({k: v}, prop)}
        with_change = evaluate(
            rule, mutation.resource_type, mutation.props(), profile=Profile.PRODUCTION
        )
        without = evaluate(
            rule,
            mutation.resource_type,
            mutate(COMPLIANT[mutation.resource_type], others),
            profile=Profile.PRODUCTION,
        )
        if isinstance(with_change, NonCompliant) != isinstance(without, NonCompliant):
            return
    # Otherwise removing the property from the compliant fixture must fail the rule.
    for resource_type in sorted(rule.resource_types or ()):
        if resource_type in COMPLIANT:
            props = mutate(COMPLIANT[resource_type], {_plain_case(prop): DELETE})
            outcome = evaluate(rule, resource_type, props, profile=Profile.PRODUCTION)
            assert isinstance(outcome, NonCompliant), (resource_type, outcome)
            return
    pytest.fail(f"no fixture shows {rule_id} reading {prop}")


def test_lab_assigns_audit_only_and_production_denies_what_phi_rules_refuse():
    lab = initiative_members(tuple(ALL_RULES), Profile.LAB)
    production = initiative_members(tuple(ALL_RULES), Profile.PRODUCTION)
    assert {m.effect for m in lab} <= {"Audit", "AuditIfNotExists"}
    for member in (*lab, *production):
        assert member.definition.allows(member.effect), (member.reference_id, member.effect)
    denied = {m.reference_id for m in production if m.effect == "Deny"}
    assert "storage-account-disallow-public-network-access" in denied
    for rule in ALL_RULES:
        for counterpart in RUNTIME.get(rule.id, ()):
            effect = member_effect(rule, counterpart, Profile.PRODUCTION)
            if counterpart.wider or not rule.phi_protecting:
                assert effect is None or effect.casefold() not in ("deny", "append"), rule.id
    assert len({m.reference_id for m in production}) == len(production)


def test_the_landing_zone_assigns_the_initiative_with_no_invented_id(landing_zone_plan: Plan):
    plan = landing_zone_plan
    profile = Profile(plan.profile)
    [initiative] = plan.of_type(POLICY_SET_DEFINITION)
    members = initiative.inputs["policyDefinitions"]
    expected = initiative_members(tuple(ALL_RULES), profile)
    assert [m["policyDefinitionReferenceId"] for m in members] == [m.reference_id for m in expected]
    for member, wanted in zip(members, expected, strict=True):
        guid = member["policyDefinitionId"].rsplit("/", 1)[-1]
        definition = builtin_index().get(guid)
        assert definition is not None, f"{guid} is not in the vendored index (invented id)"
        assert member["definitionVersion"] == definition.version.split(".")[0] + ".*.*"
        parameters = {k: v["value"] for k, v in member.get("parameters", {}).items()}
        assert parameters == dict(wanted.parameters)
    [assignment] = [
        a
        for a in plan.of_type(POLICY_ASSIGNMENT)
        if a.inputs["policyAssignmentName"] == "hlz-hipaa-runtime"
    ]
    assert assignment.inputs["enforcementMode"] == "Default"
    assert assignment.inputs["policyDefinitionId"] == initiative.id
    remediating = any(m.effect in ("DeployIfNotExists", "Modify") for m in expected)
    assert ("identity" in assignment.inputs) == remediating
    assert ("location" in assignment.inputs) == remediating
    assert plan.outputs["runtimePolicyAssignmentId"] == assignment.id


def test_the_production_initiative_gives_its_remediation_identity_the_definitions_roles(
    lz_prod: Plan,
):
    expected = initiative_members(tuple(ALL_RULES), Profile.PRODUCTION)
    roles = {
        role for m in expected if m.effect == "DeployIfNotExists" for role in m.definition.role_ids
    }
    assert roles, "lz-prod's initiative has a DeployIfNotExists member (blob soft delete)"
    granted = {
        ra.inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        for ra in lz_prod.of_type("azure-native:authorization:RoleAssignment")
        if ra.urn.split("::")[-1].startswith("runtime-remediation-")
    }
    assert granted == roles


def test_the_index_tool_reads_fields_effects_and_roles_as_azure_policy_writes_them():
    sys.path.insert(0, str(INDEX_FILE.parents[2]))
    from tools.refresh_builtin_policies import entry

    document = {
        "name": "00000000-0000-0000-0000-000000000001",
        "properties": {
            "displayName": "Sample",
            "policyType": "BuiltIn",
            "mode": "Indexed",
            "metadata": {"version": "2.1.0", "category": "Storage"},
            "parameters": {
                "audit_effect": {
                    "type": "String",
                    "allowedValues": ["Audit", "Disabled"],
                    "defaultValue": "Audit",
                },
                "minimum": {"type": "String", "allowedValues": ["a", "b"]},
            },
            "policyRule": {
                "if": {
                    "allOf": [
                        {"field": "type", "equals": "Microsoft.Storage/storageAccounts"},
                        {
                            "count": {
                                "field": "Microsoft.Storage/storageAccounts/networkAcls.ipRules[*]"
                            },
                            "greater": 0,
                        },
                    ]
                },
                "then": {
                    "effect": "[parameters('audit_effect')]",
                    "details": {
                        "type": "Microsoft.Insights/diagnosticSettings",
                        "roleDefinitionIds": [
                            "/providers/microsoft.authorization/roleDefinitions/abc"
                        ],
                    },
                },
            },
        },
    }
    item = entry(document, "Storage/sample.json")
    assert item["effectParameter"] == "audit_effect"
    assert item["effects"] == ["Audit", "Disabled"]
    assert item["aliases"] == ["Microsoft.Storage/storageAccounts/networkAcls.ipRules[*]"]
    assert item["types"] == [
        "Microsoft.Insights/diagnosticSettings",
        "Microsoft.Storage/storageAccounts",
    ]
    assert item["requiredParameters"] == ["minimum"]
    assert item["allowedValues"] == {"minimum": ["a", "b"]}
    assert item["roleDefinitionIds"] == ["abc"]
    assert item["version"] == "2.1.0"


# --- hlz exemptions as Azure Policy exemptions ------------------------------------------------

TODAY = dt.date(2026, 11, 29)


def _exemption(rule: str, resource: str, expires: dt.date = dt.date(2027, 3, 31)) -> Exemption:
    return Exemption(
        rule_id=rule,
        resource=resource,
        reason="Vendor appliance needs the public endpoint until CHG-4821 lands.",
        owner="platform-team@example.org",
        expires=expires,
    )


def _exempted(exemptions: list[Exemption], profile: Profile = Profile.PRODUCTION):
    def program() -> None:
        recorded = record_resources()
        storage.StorageAccount(
            "stlabphi",
            account_name="stlabphi01",
            resource_group_name="rg-lab",
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_ZRS"),
        )
        vault = keyvault.Vault(
            "kv-lab",
            vault_name="kv-lab-01",
            resource_group_name="rg-lab",
            properties=keyvault.VaultPropertiesArgs(
                tenant_id="00000000-0000-4000-8000-0000000000aa",
                sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.STANDARD),
            ),
        )
        del vault
        exempt_at_runtime(
            recorded,
            exemptions,
            assignment_id=ASSIGNMENT,
            profile=profile,
            today=TODAY,
        )

    return [r for r in run_components(program) if r.type == POLICY_EXEMPTION]


ASSIGNMENT = (
    "/subscriptions/00000000-0000-4000-8000-000000000001/providers/"
    "Microsoft.Authorization/policyAssignments/hlz-hipaa-runtime"
)


def test_an_active_exemption_becomes_an_azure_policy_exemption_of_that_rules_members():
    [exemption] = _exempted(
        [_exemption("storage-account-disallow-public-network-access", "stlabphi")]
    )
    inputs = exemption.inputs
    assert inputs["scope"].endswith("/providers/Microsoft.Storage/storageAccounts/stlabphi01")
    assert inputs["policyAssignmentId"] == ASSIGNMENT
    assert inputs["policyDefinitionReferenceIds"] == [
        "storage-account-disallow-public-network-access"
    ]
    assert inputs["exemptionCategory"] == "Waiver"
    assert inputs["expiresOn"] == "2027-03-31T23:59:59Z"
    assert inputs["description"].startswith("Vendor appliance")
    assert inputs["metadata"]["owner"] == "platform-team@example.org"
    again = _exempted([_exemption("storage-account-disallow-public-network-access", "stlabphi")])
    assert again[0].inputs["policyExemptionName"] == inputs["policyExemptionName"]


def test_urn_patterns_match_as_the_pack_matches_them():
    urn = "urn:pulumi:unit::hlz::azure-native:keyvault:Vault::kv-lab"
    assert len(_exempted([_exemption("keyvault-vault-require-purge-protection", urn)])) == 1
    other_stack = "urn:pulumi:lab-prod::hlz::*::kv-lab"
    assert _exempted([_exemption("keyvault-vault-require-purge-protection", other_stack)]) == []


def test_no_azure_exemption_for_an_expired_entry_a_rule_without_members_or_another_resource():
    assert (
        _exempted(
            [
                _exemption(
                    "storage-account-disallow-public-network-access",
                    "stlabphi",
                    dt.date(2026, 1, 1),
                ),
                _exemption("keyvault-vault-require-premium-sku", "kv-lab"),
                _exemption("storage-account-disallow-public-network-access", "kv-lab"),
            ]
        )
        == []
    )


def test_a_rule_merged_into_another_rules_member_exempts_that_member():
    [exemption] = _exempted([_exemption("keyvault-vault-disallow-internet-ip-rules", "kv-lab")])
    assert exemption.inputs["policyDefinitionReferenceIds"] == [
        "keyvault-vault-require-network-default-deny"
    ]


def test_the_lab_plan_exempts_its_own_resource_from_the_landing_zones_initiative(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lz_dev: Plan
):
    exemptions = tmp_path / "exemptions.yaml"
    expires = (utc_today() + dt.timedelta(days=30)).isoformat()
    exemptions.write_text(
        "- rule: storage-account-disallow-shared-key-access\n"
        "  resource: storage-sa\n"
        '  reason: "The vendor de-identification tool signs requests with the account key."\n'
        "  owner: platform-team@example.org\n"
        f"  expires: {expires}\n"
    )
    monkeypatch.setattr(stacks.common, "EXEMPTIONS_FILE", exemptions)
    plan = Planner().planned("lab-dev")
    [exemption] = plan.of_type(POLICY_EXEMPTION)
    [account] = [
        r
        for r in plan.of_type("azure-native:storage:StorageAccount")
        if r.urn.endswith("::storage-sa")
    ]
    assert exemption.inputs["scope"] == account.id
    assert exemption.inputs["policyAssignmentId"] == lz_dev.outputs["runtimePolicyAssignmentId"]
    assert plan.outputs["runtimePolicyAssignmentId"] == lz_dev.outputs["runtimePolicyAssignmentId"]
    assert exemption.inputs["expiresOn"] == f"{expires}T23:59:59Z"


def test_an_invalid_exemptions_file_stops_the_program_naming_the_problem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    exemptions = tmp_path / "exemptions.yaml"
    exemptions.write_text("- rule: no-such-rule\n  resource: storage-sa\n")
    monkeypatch.setattr(stacks.common, "EXEMPTIONS_FILE", exemptions)
    with pytest.raises(ConfigError) as raised:
        stacks.common.project_exemptions("lab")
    assert "no-such-rule" in str(raised.value)


def test_each_lab_is_covered_by_its_landing_zones_initiative(lab_plan: Plan):
    """The landing zone assigns the initiative to the whole subscription, the labs' too; each
    lab names that assignment (its exemptions point at it) and plans no initiative of its own."""
    referenced = lab_plan.referenced or {}
    [zone] = [plan for plan in referenced.values() if plan.layer == "landing_zone"]
    [assignment] = [
        a
        for a in zone.of_type(POLICY_ASSIGNMENT)
        if a.inputs["policyAssignmentName"] == "hlz-hipaa-runtime"
    ]
    assert assignment.inputs["scope"] == f"/subscriptions/{lab_plan.subscription_id}"
    assert lab_plan.outputs["runtimePolicyAssignmentId"] == assignment.id
    assert lab_plan.of_type(POLICY_SET_DEFINITION) == []
