"""Deploy rules for keys, customer-managed-key prerequisites, policy and role assignments.

Customer-managed keys (CMK): a storage account, Cognitive Services account, FHIR or DICOM service
encrypted with a Key Vault key ("consumer") is created only when

| prerequisite                                   | how the rule sees it                          |
|------------------------------------------------|-----------------------------------------------|
| the identity that unwraps the key is assigned  | the user-assigned identities its encryption   |
| to the consumer                                | settings were computed from are among those   |
|                                                | its ``identity`` was computed from            |
| that identity holds a key role before the      | a role assignment (Key Vault Crypto ... role) |
| consumer is created                            | whose ``principalId`` comes from the identity |
|                                                | and ``scope`` from the key (or its vault), and|
|                                                | the consumer depends on it                    |
| the vault has soft delete and purge protection | the key's ``vaultName`` comes from a vault    |
|                                                | with both                                     |

``CMK_CONSUMERS`` says where each consumer type keeps its key settings. Resources outside the
stack (a vault or identity from another stack) cannot be seen: the rule is then NotApplicable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..builtin_index import DEFINITION_PREFIX, builtin_index
from ..initiatives import initiative_for
from ..model import (
    Category,
    Compliant,
    NotApplicable,
    Outcome,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
    outcome_from,
)
from ..props import as_bool, as_int, as_mapping, as_str, describe, get, is_set
from ..vocabulary import GUID
from .deploy_support import ResourceIndex, known_text, known_texts
from .relations import Referrers, of_type
from .tokens import (
    COGNITIVE_ACCOUNT,
    DICOM_SERVICE,
    FHIR_SERVICE,
    KEY_VAULT,
    KEY_VAULT_KEY,
    POLICY_ASSIGNMENT,
    POLICY_SET_DEFINITION,
    ROLE_ASSIGNMENT,
    STORAGE_ACCOUNT,
    USER_ASSIGNED_IDENTITY,
)

DEPLOY = Category.DEPLOY

SOFT_DELETE_DAYS = (7, 90)
"""Soft-delete retention Key Vault accepts, inclusive."""

HSM_KEY_TYPES = ("RSA-HSM", "EC-HSM", "oct-HSM")
"""Key types that live in an HSM: a premium vault (or Managed HSM) only."""

KEY_ROLES: Mapping[str, str] = {
    "e147488a-f6f5-4113-8e2d-b22465e65bf6": "Key Vault Crypto Service Encryption User",
    "12338af0-0e69-4776-bea7-57ae8d297424": "Key Vault Crypto User",
    "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
}
"""Built-in roles that allow wrapping and unwrapping with a key (RBAC-authorized vaults)."""



@dataclass(frozen=True)
class CmkConsumer:
    """Where a consumer type keeps its customer-managed-key settings."""

    uses_cmk: Callable[[Mapping[str, Any]], bool]
    key_properties: tuple[str, ...]
    """Inputs computed from the key and the identity that unwraps it."""
    names_identity: Callable[[Mapping[str, Any]], bool]
    """Whether the key settings name a user-assigned identity (else a system-assigned identity,
    or any identity for Health Data Services, unwraps the key)."""
    literal_identity: tuple[str, ...] | None = None
    """Path of the user-assigned identity's resource id in the key settings, where there is one."""


CMK_CONSUMERS: Mapping[str, CmkConsumer] = {
    STORAGE_ACCOUNT: CmkConsumer(
        uses_cmk=lambda p: (
            (as_str(get(p, "encryption", "keySource")) or "").casefold() == "microsoft.keyvault"
        ),
        key_properties=("encryption",),
        names_identity=lambda p: is_set(
            p, "encryption", "encryptionIdentity", "encryptionUserAssignedIdentity"
        ),
        literal_identity=("encryption", "encryptionIdentity", "encryptionUserAssignedIdentity"),
    ),
    COGNITIVE_ACCOUNT: CmkConsumer(
        uses_cmk=lambda p: (
            (as_str(get(p, "properties", "encryption", "keySource")) or "").casefold()
            == "microsoft.keyvault"
        ),
        key_properties=("properties",),
        names_identity=lambda p: is_set(
            p, "properties", "encryption", "keyVaultProperties", "identityClientId"
        ),
    ),
    FHIR_SERVICE: CmkConsumer(
        uses_cmk=lambda p: is_set(
            p, "encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"
        ),
        key_properties=("encryption",),
        names_identity=lambda _p: False,
    ),
    DICOM_SERVICE: CmkConsumer(
        uses_cmk=lambda p: is_set(
            p, "encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"
        ),
        key_properties=("encryption",),
        names_identity=lambda _p: False,
    ),
}
"""Consumer token -> its CMK settings (see the module table)."""

HEALTH_TYPES = frozenset({FHIR_SERVICE, DICOM_SERVICE})


# --- Key Vault ----------------------------------------------------------------------------------


def check_purge_protection_not_false(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "properties", "enablePurgeProtection")
    if as_bool(value) is False:
        return fail(
            "properties.enablePurgeProtection is false, which Key Vault does not accept (enabling "
            "it is irreversible); leave it unset or set it to true"
        )
    return Compliant()


def check_soft_delete_settings(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    enabled = get(props, "properties", "enableSoftDelete")
    if as_bool(enabled) is False:
        reasons.append(
            "properties.enableSoftDelete is false; soft delete can no longer be turned off (and "
            "purge protection needs it), leave it unset or true"
        )
    days = get(props, "properties", "softDeleteRetentionInDays")
    count = as_int(days)
    low, high = SOFT_DELETE_DAYS
    if days is not None and (count is None or not low <= count <= high):
        reasons.append(
            f"properties.softDeleteRetentionInDays is {describe(days)}; Key Vault accepts "
            f"{low} to {high}"
        )
    return outcome_from(reasons)


def _is_hsm(key: StackResource) -> bool:
    kty = as_str(get(key.props, "properties", "kty")) or ""
    return kty.casefold() in {t.casefold() for t in HSM_KEY_TYPES}


def check_hsm_keys_in_premium_vault(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    outcomes: dict[str, Outcome] = {}
    for key in of_type(resources, KEY_VAULT_KEY):
        vaults = index.upstream(key, ("vaultName",), (KEY_VAULT,))
        if not vaults:
            outcomes[key.urn] = NotApplicable("its vault is not in this stack")
            continue
        if not _is_hsm(key):
            outcomes[key.urn] = Compliant()
            continue
        kty = get(key.props, "properties", "kty")
        reasons = []
        for vault in vaults:
            sku = get(vault.props, "properties", "sku", "name")
            if (as_str(sku) or "").casefold() != "premium":
                reasons.append(
                    f"key '{key.name}' has kty {describe(kty)} but vault '{vault.name}' has "
                    f"properties.sku.name {describe(sku)}; HSM-protected keys need a premium vault"
                )
        outcomes[key.urn] = outcome_from(reasons)
    return outcomes


# --- customer-managed keys ----------------------------------------------------------------------


def _identity_types(props: Mapping[str, Any]) -> str:
    return (as_str(get(props, "identity", "type")) or "").replace(" ", "").casefold()


def _listed_identities(props: Mapping[str, Any]) -> list[str]:
    """Resource ids in ``identity.userAssignedIdentities`` (a list on the wire in azure-native
    3.x; a map keyed by id in ARM), known ones only."""
    listed = get(props, "identity", "userAssignedIdentities")
    mapping = as_mapping(listed)
    if mapping is not None:
        return [key for key in mapping if isinstance(key, str)]
    return known_texts(props, "identity", "userAssignedIdentities")


def _consumers(resources: Sequence[StackResource]) -> list[tuple[StackResource, CmkConsumer]]:
    return [
        (resource, CMK_CONSUMERS[resource.resource_type])
        for resource in of_type(resources, *CMK_CONSUMERS)
    ]


def _identity_outcome(
    resource: StackResource, consumer: CmkConsumer, index: ResourceIndex
) -> Outcome:
    props = resource.props
    types = _identity_types(props)
    listed = _listed_identities(props)
    has_user = "userassigned" in types or bool(listed)
    label = f"'{resource.name}'"
    if not consumer.names_identity(props):
        if resource.resource_type in HEALTH_TYPES:
            if "systemassigned" in types or has_user:
                return Compliant()
            return fail(
                f"{label} is encrypted with a customer-managed key but has no managed identity; "
                "set identity (the identity that holds the key role)"
            )
        if "systemassigned" in types:
            return Compliant()
        return fail(
            f"{label} uses a customer-managed key without naming a user-assigned identity, so "
            "its system-assigned identity unwraps the key, but identity.type has no "
            "SystemAssigned; name the user-assigned identity in the key settings"
        )
    if not has_user:
        return fail(
            f"{label} names a user-assigned identity for its key but "
            "identity.userAssignedIdentities is empty; assign that identity to the resource"
        )
    used = index.upstream(resource, consumer.key_properties, (USER_ASSIGNED_IDENTITY,))
    assigned = {i.urn for i in index.upstream(resource, ("identity",), (USER_ASSIGNED_IDENTITY,))}
    reasons = [
        f"{label} unwraps its key with identity '{identity.name}', which is not in its "
        "identity.userAssignedIdentities; assign it"
        for identity in used
        if identity.urn not in assigned
    ]
    literal = known_text(props, *consumer.literal_identity) if consumer.literal_identity else None
    if literal is not None and listed and literal.casefold() not in {i.casefold() for i in listed}:
        reasons.append(
            f"{label} unwraps its key with identity {describe(literal)}, which is not in its "
            "identity.userAssignedIdentities; assign it"
        )
    return outcome_from(reasons)


CmkJudge = Callable[[StackResource, CmkConsumer, ResourceIndex], Outcome]


def _judge_cmk_consumers(
    resources: Sequence[StackResource], judge: CmkJudge
) -> Mapping[str, Outcome]:
    """``judge`` every consumer encrypted with a customer-managed key; the others are
    NotApplicable."""
    index = ResourceIndex(resources)
    return {
        resource.urn: (
            judge(resource, consumer, index)
            if consumer.uses_cmk(resource.props)
            else NotApplicable("not encrypted with a customer-managed key")
        )
        for resource, consumer in _consumers(resources)
    }


def check_cmk_identity_assigned(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    return _judge_cmk_consumers(resources, _identity_outcome)


def _unwrapping_identities(
    resource: StackResource, consumer: CmkConsumer, index: ResourceIndex
) -> list[StackResource]:
    used = index.upstream(resource, consumer.key_properties, (USER_ASSIGNED_IDENTITY,))
    return used or index.upstream(resource, ("identity",), (USER_ASSIGNED_IDENTITY,))


def _grants_key_role(assignment: StackResource) -> bool:
    role = known_text(assignment.props, "roleDefinitionId")
    # An unknown role id (preview) gets the benefit of the doubt; the update checks it again.
    return role is None or role.rstrip("/").rsplit("/", 1)[-1].casefold() in KEY_ROLES


def _on_key(assignment: StackResource, keys: list[StackResource], index: ResourceIndex) -> bool:
    if not keys:
        return True
    scopes = {r.urn for r in index.upstream(assignment, ("scope",), None)}
    if not scopes:
        return True  # a literal scope: cannot relate it, accept it
    vaults = {v.urn for key in keys for v in index.upstream(key, ("vaultName",), (KEY_VAULT,))}
    return bool(scopes & ({key.urn for key in keys} | vaults))


def _key_role_outcome(
    resource: StackResource,
    consumer: CmkConsumer,
    index: ResourceIndex,
    grants: Referrers,
) -> Outcome:
    identities = _unwrapping_identities(resource, consumer, index)
    if not identities:
        return NotApplicable("unwraps its key with no user-assigned identity of this stack")
    keys = index.upstream(resource, consumer.key_properties, (KEY_VAULT_KEY,))
    key_label = f"key '{keys[0].name}'" if keys else "its key"
    before = index.ancestors(resource)
    reasons: list[str] = []
    for identity in identities:
        roles = [
            grant
            for grant in grants.of(identity.urn)
            if _grants_key_role(grant) and _on_key(grant, keys, index)
        ]
        if not roles:
            reasons.append(
                f"no role assignment in the stack grants identity '{identity.name}' a Key Vault "
                f"crypto role on {key_label}, so '{resource.name}' cannot unwrap it when created; "
                "assign 'Key Vault Crypto Service Encryption User' (components.encryption does)"
            )
        elif not any(grant.urn in before for grant in roles):
            names = ", ".join(f"'{grant.name}'" for grant in roles)
            reasons.append(
                f"'{resource.name}' does not depend on role assignment {names}, so it may be "
                "created before its identity can unwrap the key; add depends_on"
            )
    return outcome_from(reasons)


def check_cmk_key_role_first(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    grants = Referrers(of_type(resources, ROLE_ASSIGNMENT), "principalId")
    return _judge_cmk_consumers(
        resources,
        lambda resource, consumer, index: _key_role_outcome(resource, consumer, index, grants),
    )


def _vault_recovery_reasons(resource: StackResource, vault: StackResource) -> list[str]:
    reasons: list[str] = []
    purge = get(vault.props, "properties", "enablePurgeProtection")
    if as_bool(purge) is not True:
        reasons.append(
            f"'{resource.name}' is encrypted with a key in vault '{vault.name}', whose "
            f"properties.enablePurgeProtection is {describe(purge)}; customer-managed keys need "
            "purge protection on"
        )
    soft_delete = get(vault.props, "properties", "enableSoftDelete")
    if as_bool(soft_delete) is False:
        reasons.append(
            f"vault '{vault.name}' has properties.enableSoftDelete false; customer-managed keys "
            "need soft delete on"
        )
    return reasons


def _vault_outcome(resource: StackResource, consumer: CmkConsumer, index: ResourceIndex) -> Outcome:
    keys = index.upstream(resource, consumer.key_properties, (KEY_VAULT_KEY,))
    vaults = {
        vault.urn: vault
        for key in keys
        for vault in index.upstream(key, ("vaultName",), (KEY_VAULT,))
    }
    if not vaults:
        return NotApplicable("its key's vault is not in this stack")
    return outcome_from(
        [reason for vault in vaults.values() for reason in _vault_recovery_reasons(resource, vault)]
    )


def check_cmk_vault_recoverable(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    return _judge_cmk_consumers(resources, _vault_outcome)


# --- policy and role assignments ----------------------------------------------------------------


def check_policy_assignment_identity(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    definition = as_str(get(props, "policyDefinitionId"))
    if definition is None:
        return NotApplicable("policyDefinitionId is not a string")
    initiative = initiative_for(definition)
    if initiative is None:
        return NotApplicable(
            f"{definition} is not a vendored initiative (policies/data); its effects are unknown"
        )
    if not initiative.needs_identity:
        return Compliant()
    reasons: list[str] = []
    identity_type = as_str(get(props, "identity", "type"))
    if identity_type is None or identity_type.casefold() == "none":
        reasons.append(
            f"identity.type is {describe(identity_type)} but '{initiative.display_name}' has "
            f"{len(initiative.remediating_members)} DeployIfNotExists/Modify members; set "
            "identity {type: 'SystemAssigned'}"
        )
    if not is_set(props, "location"):
        reasons.append(
            "location is not set; an assignment with a managed identity needs a location"
        )
    return outcome_from(reasons)


def _version_problem(pinned: str, versions: tuple[str, ...]) -> str | None:
    """ARM resolves ``definitionVersion`` (``1.*.*`` or an exact ``1.0.3``) against the
    versions it keeps of the definition; one that matches none is refused."""
    if pinned in versions:
        return None
    major = pinned.split(".", 1)[0]
    if pinned == f"{major}.*.*" and any(v.split(".", 1)[0] == major for v in versions):
        return None
    return f"definitionVersion '{pinned}' matches none of its versions ({', '.join(versions)})"


def _member_problems(index: int, member: Mapping[str, Any], seen: set[str]) -> list[str]:
    where = f"policyDefinitions[{index}]"
    reference = as_str(get(member, "policyDefinitionReferenceId"))
    problems: list[str] = []
    if reference is not None:
        if reference.casefold() in seen:
            problems.append(f"{where}.policyDefinitionReferenceId '{reference}' is used twice")
        seen.add(reference.casefold())
    definition_id = as_str(get(member, "policyDefinitionId")) or ""
    if not definition_id.casefold().startswith(DEFINITION_PREFIX.casefold()):
        return problems  # a custom definition or a nested set: its parameters are not indexed
    definition = builtin_index().get(definition_id[len(DEFINITION_PREFIX) :])
    if definition is None:
        return problems  # a built-in outside the index (a type the pack does not judge)
    values = {
        str(name): get(value, "value")
        for name, value in (as_mapping(get(member, "parameters")) or {}).items()
    }
    label = f"{where} ({definition.display_name})"
    problems += [
        f"{label}: parameter '{name}' is not one of the definition's "
        f"({', '.join(definition.parameters) or 'none'})"
        for name in values
        if name not in definition.parameters
    ]
    problems += [
        f"{label}: parameter '{name}' has no default and no value"
        for name in definition.required_parameters
        if name not in values
    ]
    effect = values.get(definition.effect_parameter or "")
    if isinstance(effect, str) and not definition.allows(effect):
        problems.append(
            f"{label}: effect '{effect}' is not allowed ({', '.join(definition.effects)})"
        )
    for name, allowed in definition.allowed_values.items():
        given = values.get(name)
        for value in given if isinstance(given, list) else [given] if given is not None else []:
            if isinstance(value, str | int | float | bool) and value not in allowed:
                problems.append(f"{label}: parameter '{name}' value {value!r} is not allowed")
    pinned = as_str(get(member, "definitionVersion"))
    if pinned is not None:
        version_problem = _version_problem(pinned, definition.versions)
        if version_problem:
            problems.append(f"{label}: {version_problem}")
    return problems


def check_policy_set_builtin_members(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    members = get(props, "policyDefinitions")
    if not isinstance(members, Sequence) or isinstance(members, str):
        return NotApplicable("policyDefinitions is not a list")
    seen: set[str] = set()
    problems: list[str] = []
    for index, member in enumerate(members):
        if isinstance(member, Mapping):
            problems += _member_problems(index, member, seen)
    return outcome_from(problems)


def check_role_assignment_guid_name(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "roleAssignmentName")
    if value is None:
        return Compliant()  # the SDK names it with a new GUID
    name = as_str(value)
    if name is not None and GUID.fullmatch(name.strip()):
        return Compliant()
    return fail(
        f"roleAssignmentName is {describe(value)}; it must be a GUID (derive it, e.g. UUIDv5 of "
        "scope, principal and role, as components.roles does)"
    )


_KV_DOCS = "https://learn.microsoft.com/azure/key-vault"
_STORAGE_CMK = "https://learn.microsoft.com/azure/storage/common"

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="deploy-keyvault-disallow-purge-protection-false",
        category=DEPLOY,
        description="Key Vaults never send enablePurgeProtection false.",
        rationale=(
            "Enabling purge protection is irreversible: the property does not accept false, and "
            "ARM refuses a vault that sends it."
        ),
        severity=Severity.HIGH,
        remediation="Leave properties.enablePurgeProtection unset, or set it to true.",
        url="https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/create-or-update",
        resource_types=frozenset({KEY_VAULT}),
        check=check_purge_protection_not_false,
    ),
    ResourceRule(
        id="deploy-keyvault-restrict-soft-delete-settings",
        category=DEPLOY,
        description=(
            f"Key Vaults keep soft delete on with a retention of {SOFT_DELETE_DAYS[0]} to "
            f"{SOFT_DELETE_DAYS[1]} days."
        ),
        rationale=(
            "Soft delete can no longer be turned off, and retention outside 7-90 days is refused."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Leave properties.enableSoftDelete unset or true; set softDeleteRetentionInDays "
            "between 7 and 90."
        ),
        url=f"{_KV_DOCS}/general/soft-delete-overview",
        resource_types=frozenset({KEY_VAULT}),
        check=check_soft_delete_settings,
    ),
    StackRule(
        id="deploy-keyvault-require-premium-for-hsm-keys",
        category=DEPLOY,
        description="HSM-protected keys (RSA-HSM, EC-HSM) are created only in premium vaults.",
        rationale="A standard vault holds software-protected keys only; ARM refuses HSM keys.",
        severity=Severity.HIGH,
        remediation="Use properties.sku.name 'premium' on the vault, or a software key type.",
        url=f"{_KV_DOCS}/keys/about-keys",
        resource_types=frozenset({KEY_VAULT_KEY}),
        check=check_hsm_keys_in_premium_vault,
    ),
    StackRule(
        id="deploy-encryption-require-assigned-identity",
        category=DEPLOY,
        description=(
            "A resource encrypted with a customer-managed key has the managed identity that "
            "unwraps the key assigned to it."
        ),
        rationale=(
            "ARM refuses encryption settings that name a user-assigned identity the resource "
            "does not have (or a system-assigned identity it was not given)."
        ),
        severity=Severity.HIGH,
        remediation=(
            "List the identity of encryption.encryptionIdentity (storage) or "
            "keyVaultProperties.identityClientId (Cognitive Services) in "
            "identity.userAssignedIdentities; give FHIR/DICOM services an identity."
        ),
        url=f"{_STORAGE_CMK}/customer-managed-keys-configure-new-account",
        resource_types=frozenset(CMK_CONSUMERS),
        check=check_cmk_identity_assigned,
    ),
    StackRule(
        id="deploy-encryption-require-key-role-first",
        category=DEPLOY,
        description=(
            "A resource encrypted with a customer-managed key depends on the role assignment "
            "that lets its identity unwrap the key."
        ),
        rationale=(
            "The key is checked when the resource is created: without the Key Vault crypto role "
            "already granted to its identity, creation fails (key vault access denied)."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Grant the identity 'Key Vault Crypto Service Encryption User' on the key and make "
            "the resource depend on that assignment (components.encryption + depends_on)."
        ),
        url=f"{_STORAGE_CMK}/customer-managed-keys-configure-new-account",
        resource_types=frozenset(CMK_CONSUMERS),
        check=check_cmk_key_role_first,
    ),
    StackRule(
        id="deploy-encryption-require-recoverable-vault",
        category=DEPLOY,
        description=(
            "Customer-managed keys come from vaults with soft delete and purge protection."
        ),
        rationale=(
            "Storage, Azure OpenAI and Health Data Services refuse a key whose vault lacks soft "
            "delete and purge protection."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Set properties.enablePurgeProtection true (and keep soft delete) on the vault."
        ),
        url=f"{_STORAGE_CMK}/customer-managed-keys-overview",
        resource_types=frozenset(CMK_CONSUMERS),
        check=check_cmk_vault_recoverable,
    ),
    ResourceRule(
        id="deploy-policyassignment-require-remediation-identity",
        category=DEPLOY,
        description=(
            "Assignments of initiatives with DeployIfNotExists or Modify members have a managed "
            "identity and a location."
        ),
        rationale=(
            "ARM refuses such an assignment without a managed identity, and an assignment with "
            "an identity without a location."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Set identity {type: 'SystemAssigned'} and location (components.security_baseline "
            "does, with the roles the members name)."
        ),
        url="https://learn.microsoft.com/azure/governance/policy/how-to/remediate-resources",
        resource_types=frozenset({POLICY_ASSIGNMENT}),
        check=check_policy_assignment_identity,
    ),
    ResourceRule(
        id="deploy-policysetdefinition-require-valid-builtin-members",
        category=DEPLOY,
        description=(
            "An initiative's built-in members use only the definition's parameters, give every "
            "parameter without a default a value, an allowed effect and allowed values, a "
            "definitionVersion Azure keeps, and unique reference ids."
        ),
        rationale=(
            "ARM refuses a policy set definition whose member names an undefined parameter, "
            "omits a required one, or sets a value outside its allowedValues, and a version it "
            "does not keep; checked against the vendored index of built-in definitions."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Take the parameters and effects from the built-in's definition "
            "(policies/data/builtin_policies.json; policies/runtime.py for the hlz initiative)."
        ),
        url=(
            "https://learn.microsoft.com/azure/governance/policy/concepts/"
            "initiative-definition-structure"
        ),
        resource_types=frozenset({POLICY_SET_DEFINITION}),
        check=check_policy_set_builtin_members,
    ),
    ResourceRule(
        id="deploy-roleassignment-require-guid-name",
        category=DEPLOY,
        description="Role assignment names are GUIDs.",
        rationale="ARM refuses a role assignment whose name is not a GUID.",
        severity=Severity.HIGH,
        remediation=(
            "Leave roleAssignmentName unset or derive a GUID (UUIDv5 of scope, principal, role)."
        ),
        url=(
            "https://learn.microsoft.com/azure/azure-resource-manager/management/"
            "resource-name-rules"
        ),
        resource_types=frozenset({ROLE_ASSIGNMENT}),
        check=check_role_assignment_guid_name,
    ),
)
