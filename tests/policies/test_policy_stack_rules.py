"""Stack rules: relationships proven by dependencies (never ids), per offending resource."""

from __future__ import annotations

from typing import Any

import pytest
from policy_cases import DELETE, mutate
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from stack_cases import res, stack_rule

from policies.evaluation import evaluate_stack
from policies.model import (
    Compliant,
    NonCompliant,
    NotApplicable,
    Profile,
    StackResource,
    Undetermined,
)
from policies.registry import STACK_RULES
from policies.vocabulary import DEFENDER_PLANS

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
        stack_rule("network-paas-require-private-endpoint"), [RG, VAULT, SUBNET, pe_for(VAULT, "pe")]
    )
    assert outcomes == {VAULT.urn: Compliant()}


def test_private_endpoint_rule_reports_each_paas_resource_without_endpoint() -> None:
    outcomes = evaluate_stack(
        stack_rule("network-paas-require-private-endpoint"), [RG, VAULT, STORAGE, pe_for(VAULT, "pe")]
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
        stack_rule("network-paas-require-private-endpoint"), [VAULT, SUBNET, endpoint]
    )
    assert isinstance(outcomes[VAULT.urn], NonCompliant)


def test_private_endpoint_rule_falls_back_to_dependencies_without_property_dependencies() -> None:
    endpoint = res("azure-native:network:PrivateEndpoint", "pe", depends_on=(VAULT,))
    outcomes = evaluate_stack(stack_rule("network-paas-require-private-endpoint"), [VAULT, endpoint])
    assert isinstance(outcomes[VAULT.urn], Compliant)


def test_private_dns_zone_group_exactly_one_per_endpoint() -> None:
    rule = stack_rule("network-privateendpoint-require-dns-zone-group")
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
        stack_rule("monitor-resource-require-diagnostic-settings"), [VAULT, diag(VAULT, "d")]
    )
    assert outcomes == {VAULT.urn: Compliant()}


def test_diagnostics_rule_accepts_setting_on_blob_service_for_storage_account() -> None:
    outcomes = evaluate_stack(
        stack_rule("monitor-resource-require-diagnostic-settings"), [STORAGE, BLOB, diag(BLOB, "d")]
    )
    assert isinstance(outcomes[STORAGE.urn], Compliant)


def test_diagnostics_rule_reports_missing_settings_per_resource() -> None:
    outcomes = evaluate_stack(
        stack_rule("monitor-resource-require-diagnostic-settings"), [VAULT, NSG, LAW, diag(VAULT, "d")]
    )
    assert isinstance(outcomes[VAULT.urn], Compliant)
    assert "NetworkSecurityGroup 'nsg' has no diagnostic setting" in _reasons(outcomes[NSG.urn])
    assert "Workspace 'law' has no diagnostic setting" in _reasons(outcomes[LAW.urn])
    assert SUBNET.urn not in outcomes  # subnets take no diagnostic settings


# --- locks ---------------------------------------------------------------------------------


def test_delete_lock_rule_compliant_with_lock_scoped_to_vault() -> None:
    outcomes = evaluate_stack(stack_rule("keyvault-vault-require-delete-lock"), [RG, VAULT, lock(VAULT)])
    assert outcomes == {VAULT.urn: Compliant()}


def test_delete_lock_rule_accepts_resource_group_lock() -> None:
    group_lock = res(
        "azure-native:authorization:ManagementLockAtResourceGroupLevel",
        "rg-lock",
        {"level": "CanNotDelete"},
        deps={"resourceGroupName": [RG]},
    )
    outcomes = evaluate_stack(stack_rule("keyvault-vault-require-delete-lock"), [RG, VAULT, group_lock])
    assert isinstance(outcomes[VAULT.urn], Compliant)


def test_delete_lock_rule_rejects_missing_or_weak_lock() -> None:
    rule = stack_rule("keyvault-vault-require-delete-lock")
    assert "Key Vault 'kv' has no CanNotDelete lock" in _reasons(
        evaluate_stack(rule, [VAULT])[VAULT.urn]
    )
    weak = evaluate_stack(rule, [VAULT, lock(VAULT, level="NotSpecified")])
    assert isinstance(weak[VAULT.urn], NonCompliant)


def test_delete_lock_rule_not_applicable_in_lab() -> None:
    outcomes = evaluate_stack(
        stack_rule("keyvault-vault-require-delete-lock"), [VAULT], profile=Profile.LAB
    )
    assert isinstance(outcomes[VAULT.urn], NotApplicable)


def test_stack_rule_unknown_value_is_undetermined() -> None:
    unknown_level = lock(VAULT, level=UNKNOWN_STRING_VALUE)
    outcomes = evaluate_stack(stack_rule("keyvault-vault-require-delete-lock"), [VAULT, unknown_level])
    assert isinstance(outcomes[VAULT.urn], Undetermined)


def test_every_stack_rule_reports_only_its_types() -> None:
    account = res(
        "azure-native:cognitiveservices:Account",
        "oai",
        {"properties": {"networkInjections": [{"scenario": "agent"}]}},
        deps={"properties": [SUBNET]},
    )
    deployment = res(
        "azure-native:cognitiveservices:Deployment", "oai-gpt", deps={"accountName": [account]}
    )
    project = res(
        "azure-native:cognitiveservices:Project", "oai-proj", deps={"accountName": [account]}
    )
    account_connection = res(
        "azure-native:cognitiveservices:AccountConnection",
        "oai-conn",
        deps={"accountName": [account]},
    )
    project_connection = res(
        "azure-native:cognitiveservices:ProjectConnection",
        "oai-proj-conn",
        deps={"accountName": [account], "projectName": [project]},
    )
    policy = res(FIREWALL_POLICY, "afwp", {"sku": {"tier": "Standard"}})
    gateway = res("azure-native:apimanagement:ApiManagementService", "gw")
    everything = [
        RG,
        res("azure-native:resources:ResourceGroup", "rg-lab", {"tags": {"hlz-lab": "notes"}}),
        VAULT,
        STORAGE,
        BLOB,
        SUBNET,
        NSG,
        LAW,
        account,
        deployment,
        project,
        account_connection,
        project_connection,
        res(
            "azure-native:cognitiveservices:ProjectCapabilityHost",
            "oai-proj-agents",
            deps={"accountName": [account], "projectName": [project]},
        ),
        pe_for(VAULT, "pe"),
        diag(VAULT, "d"),
        policy,
        res(FIREWALL, "afw", deps={"firewallPolicy": [policy]}),
        res(PUBLIC_IP, "pip"),
        res(KEY, "kv-key", deps={"vaultName": [VAULT]}),
        res(SEARCH, "srch", {"sku": {"name": "free"}}),
        res("azure-native:apimanagement:Api", "gw-api"),
        gateway,
        res(
            "azure-native:apimanagement:Diagnostic",
            "gw-diag",
            {"diagnosticId": "applicationinsights"},
            deps={"serviceName": [gateway]},
        ),
        res("azure-native:dnsresolver:OutboundEndpoint", "dns-out", deps={"subnet": [SUBNET]}),
        _baseline(),
        *_plans("KeyVaults"),
    ]
    for rule in STACK_RULES:
        outcomes = evaluate_stack(rule, everything)
        assert outcomes, rule.id
        assert {urn.split("::")[2] for urn in outcomes} <= rule.resource_types, rule.id


# --- deploy rules (constraints ARM enforces) --------------------------------------------------

FIREWALL = "azure-native:network:AzureFirewall"
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
BASTION = "azure-native:network:BastionHost"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
KEY = "azure-native:keyvault:Key"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
COGNITIVE = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
FHIR = "azure-native:healthcareapis:FhirService"
SEARCH = "azure-native:search:Service"
SHARED_LINK = "azure-native:search:SharedPrivateLinkResource"
NSG_TOKEN = "azure-native:network:NetworkSecurityGroup"
SUB_ID = "/subscriptions/00000000-0000-4000-8000-000000000001"
KEY_USER_ROLE = (
    f"{SUB_ID}/providers/Microsoft.Authorization/roleDefinitions/"
    "e147488a-f6f5-4113-8e2d-b22465e65bf6"
)
READER_ROLE = (
    f"{SUB_ID}/providers/Microsoft.Authorization/roleDefinitions/"
    "acdd72a7-3385-48ef-bd42-f606fba81ae7"
)


def _outcomes(rule_id: str, resources: list[StackResource]) -> dict[str, Any]:
    return dict(evaluate_stack(stack_rule(rule_id), resources))


def _firewall(tier: str, policy: StackResource, name: str = "afw") -> StackResource:
    return res(FIREWALL, name, {"sku": {"tier": tier}}, deps={"firewallPolicy": [policy]})


def test_firewall_policy_tier_accepts_standard_policy_on_premium_firewall() -> None:
    policy = res(FIREWALL_POLICY, "afwp", {"sku": {"tier": "Standard"}})
    firewall = _firewall("Premium", policy)
    outcomes = _outcomes("deploy-firewall-restrict-policy-tier", [policy, firewall])
    assert outcomes == {firewall.urn: Compliant()}


def test_firewall_policy_tier_rejects_standard_policy_on_basic_firewall() -> None:
    policy = res(FIREWALL_POLICY, "afwp", {})  # absent tier means Standard
    firewall = _firewall("Basic", policy)
    outcomes = _outcomes("deploy-firewall-restrict-policy-tier", [policy, firewall])
    assert (
        "firewall 'afw' (tier Basic) uses policy 'afwp' of tier Standard; a Basic firewall "
        "takes a Basic policy"
    ) in _reasons(outcomes[firewall.urn])


def test_firewall_policy_tier_not_applicable_without_the_policy_in_the_stack() -> None:
    firewall = res(FIREWALL, "afw", {"sku": {"tier": "Basic"}})
    outcomes = _outcomes("deploy-firewall-restrict-policy-tier", [firewall])
    assert isinstance(outcomes[firewall.urn], NotApplicable)


def test_public_ips_of_firewall_and_bastion_must_be_standard_and_static() -> None:
    basic = res(PUBLIC_IP, "pip-fw", {"sku": {"name": "Basic"}})
    standard = res(
        PUBLIC_IP, "pip-bas", {"sku": {"name": "Standard"}, "publicIPAllocationMethod": "Static"}
    )
    unused = res(PUBLIC_IP, "pip-vm", {"sku": {"name": "Basic"}})
    firewall = res(FIREWALL, "afw", deps={"ipConfigurations": [basic, SUBNET]})
    bastion = res(BASTION, "bas", deps={"ipConfigurations": [standard, SUBNET]})
    outcomes = _outcomes(
        "deploy-publicip-require-standard-static",
        [SUBNET, basic, standard, unused, firewall, bastion],
    )
    reasons = _reasons(outcomes[basic.urn])
    assert "public IP 'pip-fw' (used by 'afw') has sku.name 'Basic'" in reasons
    assert (
        "has publicIPAllocationMethod not set; Azure Firewall and Bastion need 'Static'" in reasons
    )
    assert isinstance(outcomes[standard.urn], Compliant)
    assert isinstance(outcomes[unused.urn], NotApplicable)


def test_firewall_management_ip_counts_as_firewall_use() -> None:
    management = res(PUBLIC_IP, "pip-mgmt", {"sku": {"name": "Standard"}})
    firewall = res(FIREWALL, "afw", deps={"managementIpConfiguration": [management]})
    outcomes = _outcomes("deploy-publicip-require-standard-static", [management, firewall])
    assert "publicIPAllocationMethod not set" in _reasons(outcomes[management.urn])


def _endpoint(name: str, groups: list[str], target: StackResource | None, literal: Any = None):
    connection: dict[str, Any] = {"name": name, "groupIds": groups}
    if literal is not None:
        connection["privateLinkServiceId"] = literal
    return res(
        PRIVATE_ENDPOINT,
        name,
        {"privateLinkServiceConnections": [connection]},
        deps={"privateLinkServiceConnections": [target] if target else [], "subnet": [SUBNET]},
    )


def test_private_endpoint_group_ids_follow_the_target_through_dependencies() -> None:
    good = _endpoint("pe-st-dfs", ["dfs"], STORAGE)
    wrong = _endpoint("pe-kv-blob", ["blob"], VAULT)
    outcomes = _outcomes("deploy-privateendpoint-restrict-group-ids", [VAULT, STORAGE, good, wrong])
    assert isinstance(outcomes[good.urn], Compliant)
    assert (
        "privateLinkServiceConnections[0].groupIds has 'blob', which the target (Vault) does not offer; "
        "use one of vault"
    ) in _reasons(outcomes[wrong.urn])


def test_private_endpoint_group_ids_read_a_literal_target_id() -> None:
    vault_id = f"{SUB_ID}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
    workspace_id = f"{SUB_ID}/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/hds"
    scope_id = f"{SUB_ID}/resourceGroups/rg/providers/Microsoft.Insights/privateLinkScopes/ampls"
    wrong = _endpoint("pe-kv", ["account"], None, literal=vault_id)
    health = _endpoint("pe-hds", ["healthcareworkspace"], None, literal=workspace_id)
    monitor = _endpoint("pe-ampls", ["azuremonitor"], None, literal=scope_id)
    monitor_wrong = _endpoint("pe-ampls2", ["vault"], None, literal=scope_id)
    outcomes = _outcomes(
        "deploy-privateendpoint-restrict-group-ids", [wrong, health, monitor, monitor_wrong]
    )
    assert "groupIds has 'account', which the target (Vault) does not offer" in _reasons(
        outcomes[wrong.urn]
    )
    assert isinstance(outcomes[health.urn], Compliant)
    assert isinstance(outcomes[monitor.urn], Compliant)
    assert "use one of azuremonitor" in _reasons(outcomes[monitor_wrong.urn])


def test_private_endpoint_group_ids_unknown_target_id_falls_back_to_dependencies() -> None:
    endpoint = _endpoint("pe-kv", ["vault"], VAULT, literal=UNKNOWN_STRING_VALUE)
    outcomes = _outcomes("deploy-privateendpoint-restrict-group-ids", [VAULT, endpoint])
    assert outcomes[endpoint.urn] == Compliant()


def test_hsm_keys_need_a_premium_vault_of_the_stack() -> None:
    standard = res(
        "azure-native:keyvault:Vault", "kv-std", {"properties": {"sku": {"name": "standard"}}}
    )
    premium = res(
        "azure-native:keyvault:Vault", "kv-prem", {"properties": {"sku": {"name": "premium"}}}
    )
    hsm_in_standard = res(
        KEY, "k1", {"properties": {"kty": "RSA-HSM"}}, deps={"vaultName": [standard]}
    )
    hsm_in_premium = res(
        KEY, "k2", {"properties": {"kty": "EC-HSM"}}, deps={"vaultName": [premium]}
    )
    software = res(KEY, "k3", {"properties": {"kty": "RSA"}}, deps={"vaultName": [standard]})
    elsewhere = res(KEY, "k4", {"properties": {"kty": "RSA-HSM"}})
    outcomes = _outcomes(
        "deploy-keyvault-require-premium-for-hsm-keys",
        [standard, premium, hsm_in_standard, hsm_in_premium, software, elsewhere],
    )
    assert (
        "key 'k1' has kty 'RSA-HSM' but vault 'kv-std' has properties.sku.name 'standard'"
    ) in _reasons(outcomes[hsm_in_standard.urn])
    assert isinstance(outcomes[hsm_in_premium.urn], Compliant)
    assert isinstance(outcomes[software.urn], Compliant)
    assert isinstance(outcomes[elsewhere.urn], NotApplicable)


# Customer-managed keys, as components.encryption + components.storage register them.
CMK_VAULT = res(
    "azure-native:keyvault:Vault",
    "kv-cmk",
    {"properties": {"enablePurgeProtection": True, "enableSoftDelete": True}},
)
CMK_KEY = res(KEY, "cmk-key", {"properties": {"kty": "RSA-HSM"}}, deps={"vaultName": [CMK_VAULT]})
CMK_ID = res(IDENTITY, "cmk-id", {"resourceName": "id-cmk"})
KEY_USER = res(
    ROLE_ASSIGNMENT,
    "cmk-key-user",
    {"roleDefinitionId": KEY_USER_ROLE, "principalType": "ServicePrincipal"},
    deps={"principalId": [CMK_ID], "scope": [CMK_KEY]},
)
STORAGE_CMK_PROPS = {
    "identity": {"type": "UserAssigned", "userAssignedIdentities": ["/ids/id-cmk"]},
    "encryption": {
        "keySource": "Microsoft.Keyvault",
        "keyVaultProperties": {"keyName": "cmk-key", "keyVaultUri": "https://kv-cmk/"},
        "encryptionIdentity": {"encryptionUserAssignedIdentity": "/ids/id-cmk"},
    },
}


def _cmk_storage(
    props: dict[str, Any] | None = None,
    *,
    identity: list[StackResource] | None = None,
    after: tuple[StackResource, ...] = (KEY_USER,),
) -> StackResource:
    return res(
        "azure-native:storage:StorageAccount",
        "st-cmk",
        props or STORAGE_CMK_PROPS,
        deps={"encryption": [CMK_KEY, CMK_ID], "identity": identity or [CMK_ID]},
        depends_on=after,
    )


CMK_RULES = (
    "deploy-encryption-require-assigned-identity",
    "deploy-encryption-require-key-role-first",
    "deploy-encryption-require-recoverable-vault",
)


def test_cmk_prerequisites_met_as_the_components_register_them() -> None:
    storage = _cmk_storage()
    stack = [CMK_VAULT, CMK_KEY, CMK_ID, KEY_USER, storage]
    for rule_id in CMK_RULES:
        assert _outcomes(rule_id, stack) == {storage.urn: Compliant()}, rule_id


def test_cmk_identity_must_be_assigned_to_the_account() -> None:
    other = res(IDENTITY, "other-id")
    props = mutate(STORAGE_CMK_PROPS, {"identity.userAssignedIdentities": ["/ids/other"]})
    storage = _cmk_storage(props, identity=[other])
    outcomes = _outcomes(
        "deploy-encryption-require-assigned-identity", [CMK_KEY, CMK_ID, other, KEY_USER, storage]
    )
    reasons = _reasons(outcomes[storage.urn])
    assert "unwraps its key with identity 'cmk-id', which is not in its" in reasons
    assert "unwraps its key with identity '/ids/id-cmk', which is not in its" in reasons


def test_cmk_without_any_identity_is_refused() -> None:
    props = mutate(STORAGE_CMK_PROPS, {"identity": DELETE})
    storage = _cmk_storage(props)
    outcomes = _outcomes("deploy-encryption-require-assigned-identity", [CMK_ID, storage])
    assert "identity.userAssignedIdentities is empty" in _reasons(outcomes[storage.urn])
    fhir = res(
        FHIR,
        "fhir",
        {
            "encryption": {
                "customerManagedKeyEncryption": {
                    "keyEncryptionKeyUrl": "https://kv-cmk/keys/cmk-key"
                }
            }
        },
    )
    outcomes = _outcomes("deploy-encryption-require-assigned-identity", [fhir])
    assert "'fhir' is encrypted with a customer-managed key but has no managed identity" in (
        _reasons(outcomes[fhir.urn])
    )


def test_cmk_needs_a_key_role_granted_to_its_identity() -> None:
    reader = res(
        ROLE_ASSIGNMENT,
        "reader",
        {"roleDefinitionId": READER_ROLE},
        deps={"principalId": [CMK_ID], "scope": [CMK_KEY]},
    )
    storage = _cmk_storage(after=(reader,))
    outcomes = _outcomes(
        "deploy-encryption-require-key-role-first", [CMK_KEY, CMK_ID, reader, storage]
    )
    assert (
        "no role assignment in the stack grants identity 'cmk-id' a Key Vault crypto role on key "
        "'cmk-key'"
    ) in _reasons(outcomes[storage.urn])


def test_cmk_account_must_wait_for_the_key_role() -> None:
    storage = _cmk_storage(after=())
    outcomes = _outcomes(
        "deploy-encryption-require-key-role-first", [CMK_KEY, CMK_ID, KEY_USER, storage]
    )
    assert "'st-cmk' does not depend on role assignment 'cmk-key-user'" in _reasons(
        outcomes[storage.urn]
    )


def test_cmk_key_role_through_an_intermediate_dependency_counts() -> None:
    waiter = res("azure-native:resources:ResourceGroup", "gate", depends_on=(KEY_USER,))
    storage = _cmk_storage(after=(waiter,))
    outcomes = _outcomes(
        "deploy-encryption-require-key-role-first", [CMK_KEY, CMK_ID, KEY_USER, waiter, storage]
    )
    assert outcomes[storage.urn] == Compliant()


def test_cmk_cognitive_account_relates_identity_through_properties() -> None:
    props = {
        "identity": {"type": "UserAssigned", "userAssignedIdentities": ["/ids/id-cmk"]},
        "properties": {
            "encryption": {
                "keySource": "Microsoft.KeyVault",
                "keyVaultProperties": {"keyName": "cmk-key", "identityClientId": "client-id"},
            }
        },
    }
    account = res(
        COGNITIVE,
        "oai",
        props,
        deps={"properties": [CMK_KEY, CMK_ID], "identity": [CMK_ID]},
        depends_on=(KEY_USER,),
    )
    stack = [CMK_VAULT, CMK_KEY, CMK_ID, KEY_USER, account]
    for rule_id in CMK_RULES:
        assert _outcomes(rule_id, stack) == {account.urn: Compliant()}, rule_id


def test_cmk_vault_needs_purge_protection_and_soft_delete() -> None:
    vault = res(
        "azure-native:keyvault:Vault",
        "kv-weak",
        {"properties": {"enablePurgeProtection": False, "enableSoftDelete": False}},
    )
    key = res(KEY, "cmk-key", deps={"vaultName": [vault]})
    storage = res(
        "azure-native:storage:StorageAccount",
        "st-cmk",
        STORAGE_CMK_PROPS,
        deps={"encryption": [key, CMK_ID], "identity": [CMK_ID]},
    )
    outcomes = _outcomes("deploy-encryption-require-recoverable-vault", [vault, key, storage])
    reasons = _reasons(outcomes[storage.urn])
    assert "vault 'kv-weak', whose properties.enablePurgeProtection is false" in reasons
    assert "vault 'kv-weak' has properties.enableSoftDelete false" in reasons


def test_cmk_rules_not_applicable_without_cmk_or_vault_in_stack() -> None:
    platform_keys = res(
        "azure-native:storage:StorageAccount",
        "st",
        {"encryption": {"keySource": "Microsoft.Storage"}},
    )
    foreign = res(
        "azure-native:storage:StorageAccount",
        "st-foreign",
        STORAGE_CMK_PROPS,
        deps={"encryption": [CMK_ID], "identity": [CMK_ID]},
    )
    for rule_id in CMK_RULES:
        assert isinstance(_outcomes(rule_id, [platform_keys])[platform_keys.urn], NotApplicable)
    outcome = _outcomes("deploy-encryption-require-recoverable-vault", [CMK_ID, foreign])
    assert isinstance(outcome[foreign.urn], NotApplicable)


def _deployment(name: str, account: StackResource, *after: StackResource) -> StackResource:
    return res(DEPLOYMENT, name, deps={"accountName": [account]}, depends_on=after)


def test_model_deployments_of_one_account_are_chained() -> None:
    account = res(COGNITIVE, "oai")
    first = _deployment("gpt", account)
    second = _deployment("embeddings", account, first)
    third = _deployment("mini", account, second)
    outcomes = _outcomes(
        "deploy-cognitiveservices-require-serial-deployments", [account, first, second, third]
    )
    assert all(isinstance(outcome, Compliant) for outcome in outcomes.values())


def test_parallel_model_deployments_are_reported_on_both() -> None:
    account = res(COGNITIVE, "oai")
    other_account = res(COGNITIVE, "oai-2")
    first = _deployment("gpt", account)
    second = _deployment("embeddings", account)
    elsewhere = _deployment("gpt-2", other_account)
    outcomes = _outcomes(
        "deploy-cognitiveservices-require-serial-deployments",
        [account, other_account, first, second, elsewhere],
    )
    assert (
        "model deployment 'gpt' may be created at the same time as 'embeddings' on the same account"
    ) in _reasons(outcomes[first.urn])
    assert "'embeddings' may be created at the same time as 'gpt'" in _reasons(outcomes[second.urn])
    assert isinstance(outcomes[elsewhere.urn], Compliant)


def test_custom_subdomain_needed_for_private_endpoint_or_network_rules() -> None:
    bare = res(COGNITIVE, "oai-bare", {"properties": {}})
    with_rules = res(
        COGNITIVE, "oai-rules", {"properties": {"networkAcls": {"defaultAction": "Deny"}}}
    )
    named = res(COGNITIVE, "oai-named", {"properties": {"customSubDomainName": "oai-named"}})
    plain = res(COGNITIVE, "oai-plain", {"properties": {"networkAcls": {"defaultAction": "Allow"}}})
    endpoints = [pe_for(bare, "pe-bare"), pe_for(named, "pe-named")]
    outcomes = _outcomes(
        "deploy-cognitiveservices-require-custom-subdomain-for-network",
        [bare, with_rules, named, plain, SUBNET, *endpoints],
    )
    assert "account 'oai-bare' has private endpoint 'pe-bare' but no" in _reasons(
        outcomes[bare.urn]
    )
    assert "has networkAcls.defaultAction 'Deny' but no" in _reasons(outcomes[with_rules.urn])
    assert isinstance(outcomes[named.urn], Compliant)
    assert isinstance(outcomes[plain.urn], NotApplicable)


PROJECT = "azure-native:cognitiveservices:Project"
PROJECT_MANAGEMENT = "deploy-cognitiveservices-require-project-management-for-projects"
FOUNDRY_ACCOUNT: dict[str, Any] = {
    "accountName": "ais-lab",
    "resourceGroupName": "rg-lab",
    "kind": "AIServices",
    "properties": {"allowProjectManagement": True},
}
"""A Foundry account as components.openai registers kind AIServices."""


def _project(name: str, account: StackResource) -> StackResource:
    return res(PROJECT, name, deps={"accountName": [account]})


def test_foundry_project_under_an_ai_services_account_with_project_management() -> None:
    account = res(COGNITIVE, "ais", FOUNDRY_ACCOUNT)
    project = _project("proj", account)
    assert _outcomes(PROJECT_MANAGEMENT, [account, project]) == {project.urn: Compliant()}


def test_foundry_project_under_an_openai_account_is_refused() -> None:
    account = res(COGNITIVE, "oai", mutate(FOUNDRY_ACCOUNT, {"kind": "OpenAI"}))
    project = _project("proj", account)
    reasons = _reasons(_outcomes(PROJECT_MANAGEMENT, [account, project])[project.urn])
    assert (
        "project 'proj' is under account 'oai' of kind 'OpenAI'; only a kind 'AIServices' "
        "account holds Foundry projects"
    ) in reasons
    assert "allowProjectManagement" not in reasons


def test_foundry_project_needs_project_management_on_its_account() -> None:
    absent = res(
        COGNITIVE,
        "ais-absent",
        mutate(FOUNDRY_ACCOUNT, {"properties.allowProjectManagement": DELETE}),
    )
    off = res(
        COGNITIVE, "ais-off", mutate(FOUNDRY_ACCOUNT, {"properties.allowProjectManagement": False})
    )
    on_absent, on_off = _project("proj-a", absent), _project("proj-b", off)
    outcomes = _outcomes(PROJECT_MANAGEMENT, [absent, off, on_absent, on_off])
    assert (
        "project 'proj-a' is under account 'ais-absent', whose properties.allowProjectManagement "
        "is not set; set it to true on the account"
    ) in _reasons(outcomes[on_absent.urn])
    assert "whose properties.allowProjectManagement is false" in _reasons(outcomes[on_off.urn])
    assert "of kind" not in _reasons(outcomes[on_off.urn])


def test_foundry_project_names_its_account_by_literal_name_without_a_dependency() -> None:
    account = res(COGNITIVE, "oai", {**FOUNDRY_ACCOUNT, "kind": "OpenAI", "properties": {}})
    same = res(PROJECT, "proj", {"accountName": "AIS-LAB", "resourceGroupName": "rg-lab"})
    elsewhere = res(PROJECT, "proj-2", {"accountName": "ais-lab", "resourceGroupName": "rg-2"})
    outcomes = _outcomes(PROJECT_MANAGEMENT, [account, same, elsewhere])
    reasons = _reasons(outcomes[same.urn])
    assert "of kind 'OpenAI'" in reasons and "allowProjectManagement is not set" in reasons
    assert outcomes[elsewhere.urn] == NotApplicable("its account is not in this stack")


def test_foundry_project_with_an_unknown_account_kind_is_undetermined() -> None:
    account = res(COGNITIVE, "ais", mutate(FOUNDRY_ACCOUNT, {"kind": UNKNOWN_STRING_VALUE}))
    project = _project("proj", account)
    outcomes = _outcomes(PROJECT_MANAGEMENT, [account, project])
    assert isinstance(outcomes[project.urn], Undetermined)


def test_free_search_service_takes_no_private_links() -> None:
    free = res(SEARCH, "srch-free", {"sku": {"name": "free"}})
    lonely = res(SEARCH, "srch-free-2", {"sku": {"name": "free"}})
    basic = res(SEARCH, "srch-basic", {"sku": {"name": "basic"}})
    link = res(SHARED_LINK, "spl-blob", deps={"searchServiceName": [free]})
    endpoint = pe_for(free, "pe-srch")
    outcomes = _outcomes(
        "deploy-search-disallow-free-tier-private-links", [free, lonely, basic, link, endpoint]
    )
    reasons = _reasons(outcomes[free.urn])
    assert "shared private link 'spl-blob' targets free search service 'srch-free'" in reasons
    assert "private endpoint 'pe-srch' targets free search service 'srch-free'" in reasons
    assert isinstance(outcomes[lonely.urn], Compliant)
    assert isinstance(outcomes[basic.urn], NotApplicable)


def _nsg(name: str, azure_name: Any, group: str = "rg-a") -> StackResource:
    return res(
        NSG_TOKEN, name, {"networkSecurityGroupName": azure_name, "resourceGroupName": group}
    )


def test_duplicate_names_in_one_resource_group_collide() -> None:
    first, second = _nsg("nsg-1", "nsg-app"), _nsg("nsg-2", "NSG-App")
    other_group = _nsg("nsg-3", "nsg-app", group="rg-b")
    outcomes = _outcomes("deploy-resource-disallow-duplicate-names", [first, second, other_group])
    assert "'nsg-1' has the same ARM id as 'nsg-2' (nsg-app)" in _reasons(outcomes[first.urn])
    assert isinstance(outcomes[other_group.urn], Compliant)


def test_globally_unique_names_collide_across_resource_groups() -> None:
    one = res(
        "azure-native:keyvault:Vault", "kv-1", {"vaultName": "kv-hlz", "resourceGroupName": "a"}
    )
    two = res(
        "azure-native:keyvault:Vault", "kv-2", {"vaultName": "kv-hlz", "resourceGroupName": "b"}
    )
    outcomes = _outcomes("deploy-resource-disallow-duplicate-names", [one, two])
    assert "'kv-1' has the same globally unique name as 'kv-2' (kv-hlz)" in _reasons(
        outcomes[one.urn]
    )


def test_role_assignment_names_collide_whatever_the_scope() -> None:
    name = "33333333-3333-4333-8333-333333333333"
    one = res(ROLE_ASSIGNMENT, "ra-1", {"roleAssignmentName": name, "scope": f"{SUB_ID}/a"})
    two = res(ROLE_ASSIGNMENT, "ra-2", {"roleAssignmentName": name, "scope": f"{SUB_ID}/b"})
    auto = res(ROLE_ASSIGNMENT, "ra-3", {"scope": f"{SUB_ID}/a"})
    outcomes = _outcomes("deploy-resource-disallow-duplicate-names", [one, two, auto])
    assert isinstance(outcomes[one.urn], NonCompliant)
    assert isinstance(outcomes[auto.urn], NotApplicable)


def test_an_unknown_name_makes_the_collision_rule_undetermined() -> None:
    """Preview: no resource can be shown collision-free while a name is unknown."""
    known, unknown = _nsg("nsg-1", "nsg-app"), _nsg("nsg-2", UNKNOWN_STRING_VALUE)
    outcomes = _outcomes("deploy-resource-disallow-duplicate-names", [known, unknown])
    assert all(isinstance(outcome, Undetermined) for outcome in outcomes.values())


# --- Defender for Cloud -----------------------------------------------------------------------

PRICING = "azure-native:security:Pricing"
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
HITRUST_HIPAA = (
    "/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab"
)
ALLOWED_LOCATIONS_POLICY = (
    "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c"
)
DEFENDER_RULE = "defender-subscription-require-plans"


def _baseline(name: str = "hipaa", definition: str = HITRUST_HIPAA) -> StackResource:
    """A policy assignment as components.security_baseline registers it."""
    return res(POLICY_ASSIGNMENT, name, {"policyDefinitionId": definition, "scope": SUB_ID})


def _plans(*names: str) -> list[StackResource]:
    return [
        res(PRICING, f"defender-{name.lower()}", {"pricingName": name, "pricingTier": "Standard"})
        for name in names
    ]


def test_security_baseline_with_every_required_defender_plan_is_compliant() -> None:
    baseline = _baseline()
    outcomes = _outcomes(DEFENDER_RULE, [baseline, *_plans(*DEFENDER_PLANS)])
    assert outcomes == {baseline.urn: Compliant()}


def test_security_baseline_names_every_missing_defender_plan() -> None:
    baseline = _baseline()
    outcomes = _outcomes(DEFENDER_RULE, [baseline, *_plans("KeyVaults", "ai", "CloudPosture")])
    assert (
        "policy assignment 'hipaa' applies the HITRUST/HIPAA initiative (the subscription's "
        "security baseline) but the stack turns on no Defender plan StorageAccounts, Arm; add an "
        "azure-native:security:Pricing with pricingTier 'Standard' for each"
    ) in _reasons(outcomes[baseline.urn])


def test_security_baseline_without_any_defender_plan_is_refused() -> None:
    baseline = _baseline()
    reasons = _reasons(_outcomes(DEFENDER_RULE, [baseline])[baseline.urn])
    assert f"no Defender plan {', '.join(DEFENDER_PLANS)};" in reasons


def test_defender_plans_rule_ignores_other_assignments() -> None:
    locations = _baseline("allowed-locations", ALLOWED_LOCATIONS_POLICY)
    outcome = _outcomes(DEFENDER_RULE, [locations])[locations.urn]
    assert isinstance(outcome, NotApplicable)
    assert "not a regulatory initiative" in outcome.reason


def test_defender_plans_rule_reports_nothing_in_a_stack_without_a_baseline() -> None:
    """Lab stacks assign no initiative: the landing zone's baseline covers their subscription."""
    assert _outcomes(DEFENDER_RULE, _plans("KeyVaults")) == {}


def test_defender_plans_rule_not_applicable_in_lab() -> None:
    baseline = _baseline()
    outcomes = evaluate_stack(stack_rule(DEFENDER_RULE), [baseline], profile=Profile.LAB)
    assert isinstance(outcomes[baseline.urn], NotApplicable)


def test_defender_plans_rule_unknown_plan_name_is_undetermined() -> None:
    baseline = _baseline()
    unknown = res(PRICING, "defender-unknown", {"pricingName": UNKNOWN_STRING_VALUE})
    outcomes = _outcomes(DEFENDER_RULE, [baseline, *_plans(*DEFENDER_PLANS), unknown])
    assert isinstance(outcomes[baseline.urn], Undetermined)


# --- the Agent Service's network injection -----------------------------------------------------

AGENT_INJECTION = "cognitiveservices-account-require-agent-network-injection"
AGENT_SUBNET_RULE = "deploy-cognitiveservices-require-delegated-agent-subnet"
CAPABILITY_HOST = "azure-native:cognitiveservices:ProjectCapabilityHost"
AGENT_SUBNET = res(
    "azure-native:network:Subnet",
    "snet-agents",
    {
        "addressPrefix": "10.1.2.0/24",
        "delegations": [
            {"name": "Microsoft.App.environments", "serviceName": "Microsoft.App/environments"}
        ],
    },
)
INJECTED = mutate(
    FOUNDRY_ACCOUNT,
    {
        "properties.networkInjections": [
            {"scenario": "agent", "subnetArmId": "/subnets/agents", "useMicrosoftManagedNetwork": False}
        ]
    },
)


def _agents(account_props: dict[str, Any], subnet: StackResource = AGENT_SUBNET):
    account = res(COGNITIVE, "ais", account_props, deps={"properties": [subnet]})
    project = _project("proj", account)
    host = res(CAPABILITY_HOST, "agents", deps={"accountName": [account], "projectName": [project]})
    return account, project, host


def test_agents_injected_into_a_delegated_subnet_pass_both_rules() -> None:
    account, project, host = _agents(INJECTED)
    resources = [AGENT_SUBNET, account, project, host]
    assert _outcomes(AGENT_INJECTION, resources) == {host.urn: Compliant()}
    assert _outcomes(AGENT_SUBNET_RULE, resources) == {account.urn: Compliant()}


def test_agents_of_an_account_without_network_injection_reach_data_publicly() -> None:
    account, project, host = _agents(FOUNDRY_ACCOUNT)
    resources = [account, project, host]
    reasons = _reasons(_outcomes(AGENT_INJECTION, resources)[host.urn])
    assert "has no properties.networkInjections entry with scenario 'agent'" in reasons
    # Nothing is injected: the subnet rule has nothing to judge.
    assert _outcomes(AGENT_SUBNET_RULE, resources) == {}


def test_agents_on_microsofts_managed_network_are_refused() -> None:
    managed = mutate(
        INJECTED, {("properties", "networkInjections", 0, "useMicrosoftManagedNetwork"): True}
    )
    account, project, host = _agents(managed)
    reasons = _reasons(_outcomes(AGENT_INJECTION, [account, project, host])[host.urn])
    assert "useMicrosoftManagedNetwork true" in reasons


@pytest.mark.parametrize(
    ("subnet_props", "fragment"),
    [
        ({"addressPrefix": "10.1.2.0/24"}, "is not delegated to Microsoft.App/environments"),
        (
            {
                "addressPrefix": "10.1.2.0/28",
                "delegations": [{"serviceName": "Microsoft.App/environments"}],
            },
            "is 10.1.2.0/28; the Agent Service needs at least a /27",
        ),
    ],
    ids=["undelegated", "too-small"],
)
def test_an_agent_subnet_azure_would_refuse_is_a_deploy_finding(subnet_props, fragment) -> None:
    subnet = res("azure-native:network:Subnet", "snet-agents", subnet_props)
    account, project, host = _agents(INJECTED, subnet)
    reasons = _reasons(_outcomes(AGENT_SUBNET_RULE, [subnet, account, project, host])[account.urn])
    assert fragment in reasons
