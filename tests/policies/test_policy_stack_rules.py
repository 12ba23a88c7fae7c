"""Stack rules: relationships proven by dependencies (never ids), per offending resource."""

from __future__ import annotations

from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.evaluation import evaluate_stack
from policies.model import (
    Compliant,
    NonCompliant,
    NotApplicable,
    Profile,
    StackResource,
    StackRule,
    Undetermined,
)
from policies.registry import STACK_RULES

PREFIX = "urn:pulumi:prod::hlz::"


def _rule(rule_id: str) -> StackRule:
    return next(rule for rule in STACK_RULES if rule.id == rule_id)


def res(
    token: str,
    name: str,
    props: dict[str, Any] | None = None,
    *,
    deps: dict[str, list[StackResource]] | None = None,
    depends_on: tuple[StackResource, ...] = (),
) -> StackResource:
    property_dependencies = {
        key: tuple(r.urn for r in values) for key, values in (deps or {}).items()
    }
    dependencies = {urn for urns in property_dependencies.values() for urn in urns}
    dependencies |= {r.urn for r in depends_on}
    return StackResource(
        urn=f"{PREFIX}{token}::{name}",
        resource_type=token,
        props=props or {},
        dependencies=tuple(sorted(dependencies)),
        property_dependencies=property_dependencies,
    )


RG = res("azure-native:resources:ResourceGroup", "rg")
VAULT = res("azure-native:keyvault:Vault", "kv", deps={"resourceGroupName": [RG]})
STORAGE = res("azure-native:storage:StorageAccount", "st", deps={"resourceGroupName": [RG]})
BLOB = res("azure-native:storage:BlobServiceProperties", "st-blob", deps={"accountName": [STORAGE]})
SUBNET = res("azure-native:network:Subnet", "snet-pe")
NSG = res("azure-native:network:NetworkSecurityGroup", "nsg")
LAW = res("azure-native:operationalinsights:Workspace", "law")


def pe_for(target: StackResource, name: str) -> StackResource:
    return res(
        "azure-native:network:PrivateEndpoint",
        name,
        deps={"privateLinkServiceConnections": [target], "subnet": [SUBNET]},
    )


def lock(scope: StackResource, level: str = "CanNotDelete", name: str = "lock") -> StackResource:
    return res(
        "azure-native:authorization:ManagementLockByScope",
        name,
        {"level": level, "scope": "[unknown]"},
        deps={"scope": [scope]},
    )


def diag(target: StackResource, name: str) -> StackResource:
    return res(
        "azure-native:monitor:DiagnosticSetting",
        name,
        deps={"resourceUri": [target], "workspaceId": [LAW]},
    )


def zone_group(endpoint: StackResource, name: str) -> StackResource:
    return res(
        "azure-native:network:PrivateDnsZoneGroup", name, deps={"privateEndpointName": [endpoint]}
    )


def _reasons(outcome: object) -> str:
    assert isinstance(outcome, NonCompliant), outcome
    return " ".join(outcome.reasons)


# --- private endpoints -----------------------------------------------------------------------


def test_private_endpoint_rule_compliant_when_connection_depends_on_vault() -> None:
    outcomes = evaluate_stack(
        _rule("network-paas-require-private-endpoint"), [RG, VAULT, SUBNET, pe_for(VAULT, "pe")]
    )
    assert outcomes == {VAULT.urn: Compliant()}


def test_private_endpoint_rule_reports_each_paas_resource_without_endpoint() -> None:
    outcomes = evaluate_stack(
        _rule("network-paas-require-private-endpoint"), [RG, VAULT, STORAGE, pe_for(VAULT, "pe")]
    )
    assert isinstance(outcomes[VAULT.urn], Compliant)
    assert "StorageAccount 'st' has no private endpoint" in _reasons(outcomes[STORAGE.urn])
    assert "groupIds: blob / dfs / file / queue / table" in _reasons(outcomes[STORAGE.urn])


def test_private_endpoint_rule_ignores_unrelated_depends_on() -> None:
    """Property dependencies were recorded, so a plain depends_on the vault is no connection."""
    endpoint = res(
        "azure-native:network:PrivateEndpoint", "pe", deps={"subnet": [SUBNET]}, depends_on=(VAULT,)
    )
    outcomes = evaluate_stack(
        _rule("network-paas-require-private-endpoint"), [VAULT, SUBNET, endpoint]
    )
    assert isinstance(outcomes[VAULT.urn], NonCompliant)


def test_private_endpoint_rule_falls_back_to_dependencies_without_property_dependencies() -> None:
    endpoint = res("azure-native:network:PrivateEndpoint", "pe", depends_on=(VAULT,))
    outcomes = evaluate_stack(_rule("network-paas-require-private-endpoint"), [VAULT, endpoint])
    assert isinstance(outcomes[VAULT.urn], Compliant)


def test_private_dns_zone_group_exactly_one_per_endpoint() -> None:
    rule = _rule("network-privateendpoint-require-dns-zone-group")
    none, one, two = pe_for(VAULT, "pe-none"), pe_for(VAULT, "pe-one"), pe_for(STORAGE, "pe-two")
    resources = [
        none,
        one,
        two,
        zone_group(one, "zg-1"),
        zone_group(two, "zg-2a"),
        zone_group(two, "zg-2b"),
    ]
    outcomes = evaluate_stack(rule, resources)
    assert "private endpoint 'pe-none' has no private DNS zone group" in _reasons(
        outcomes[none.urn]
    )
    assert isinstance(outcomes[one.urn], Compliant)
    assert "has 2 DNS zone groups ('zg-2a', 'zg-2b')" in _reasons(outcomes[two.urn])


# --- diagnostics ----------------------------------------------------------------------------


def test_diagnostics_rule_covers_resource_through_resource_uri() -> None:
    outcomes = evaluate_stack(
        _rule("monitor-resource-require-diagnostic-settings"), [VAULT, diag(VAULT, "d")]
    )
    assert outcomes == {VAULT.urn: Compliant()}


def test_diagnostics_rule_accepts_setting_on_blob_service_for_storage_account() -> None:
    outcomes = evaluate_stack(
        _rule("monitor-resource-require-diagnostic-settings"), [STORAGE, BLOB, diag(BLOB, "d")]
    )
    assert isinstance(outcomes[STORAGE.urn], Compliant)


def test_diagnostics_rule_reports_missing_settings_per_resource() -> None:
    outcomes = evaluate_stack(
        _rule("monitor-resource-require-diagnostic-settings"), [VAULT, NSG, LAW, diag(VAULT, "d")]
    )
    assert isinstance(outcomes[VAULT.urn], Compliant)
    assert "NetworkSecurityGroup 'nsg' has no diagnostic setting" in _reasons(outcomes[NSG.urn])
    assert "Workspace 'law' has no diagnostic setting" in _reasons(outcomes[LAW.urn])
    assert SUBNET.urn not in outcomes  # subnets take no diagnostic settings


# --- locks ---------------------------------------------------------------------------------


def test_delete_lock_rule_compliant_with_lock_scoped_to_vault() -> None:
    outcomes = evaluate_stack(_rule("keyvault-vault-require-delete-lock"), [RG, VAULT, lock(VAULT)])
    assert outcomes == {VAULT.urn: Compliant()}


def test_delete_lock_rule_accepts_resource_group_lock() -> None:
    group_lock = res(
        "azure-native:authorization:ManagementLockAtResourceGroupLevel",
        "rg-lock",
        {"level": "CanNotDelete"},
        deps={"resourceGroupName": [RG]},
    )
    outcomes = evaluate_stack(_rule("keyvault-vault-require-delete-lock"), [RG, VAULT, group_lock])
    assert isinstance(outcomes[VAULT.urn], Compliant)


def test_delete_lock_rule_rejects_missing_or_weak_lock() -> None:
    rule = _rule("keyvault-vault-require-delete-lock")
    assert "Key Vault 'kv' has no CanNotDelete lock" in _reasons(
        evaluate_stack(rule, [VAULT])[VAULT.urn]
    )
    weak = evaluate_stack(rule, [VAULT, lock(VAULT, level="NotSpecified")])
    assert isinstance(weak[VAULT.urn], NonCompliant)


def test_delete_lock_rule_not_applicable_in_lab() -> None:
    outcomes = evaluate_stack(
        _rule("keyvault-vault-require-delete-lock"), [VAULT], profile=Profile.LAB
    )
    assert isinstance(outcomes[VAULT.urn], NotApplicable)


def test_stack_rule_unknown_value_is_undetermined() -> None:
    unknown_level = lock(VAULT, level=UNKNOWN_STRING_VALUE)
    outcomes = evaluate_stack(_rule("keyvault-vault-require-delete-lock"), [VAULT, unknown_level])
    assert isinstance(outcomes[VAULT.urn], Undetermined)


def test_every_stack_rule_reports_only_its_types() -> None:
    account = res("azure-native:cognitiveservices:Account", "oai")
    deployment = res(
        "azure-native:cognitiveservices:Deployment", "oai-gpt", deps={"accountName": [account]}
    )
    everything = [
        RG,
        VAULT,
        STORAGE,
        BLOB,
        SUBNET,
        NSG,
        LAW,
        account,
        deployment,
        pe_for(VAULT, "pe"),
        diag(VAULT, "d"),
    ]
    for rule in STACK_RULES:
        outcomes = evaluate_stack(rule, everything)
        assert outcomes, rule.id
        assert {urn.split("::")[2] for urn in outcomes} <= rule.resource_types, rule.id
