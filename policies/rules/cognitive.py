"""Azure OpenAI / Cognitive Services account and model deployment rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
from ..props import as_bool, as_sequence, as_str, describe, get, is_set, same_text
from ..vocabulary import (
    AGENT_SUBNET_DELEGATION,
    AGENT_SUBNET_MIN_PREFIX_LENGTH,
    DATA_CLASSIFICATIONS,
    FOUNDRY_ACCOUNT_KIND,
)
from .ai_governance import PROCESSES_PHI_TAG, processes_phi, read_tag
from .deploy_support import (
    ResourceIndex,
    known_text,
    subnet_delegations,
    subnet_prefix_length,
)
from .expect import expect_managed_identity, expect_text, expect_true
from .relations import Referrers, of_type
from .tokens import (
    COGNITIVE_ACCOUNT,
    COGNITIVE_ACCOUNT_CONNECTION,
    COGNITIVE_DEPLOYMENT,
    COGNITIVE_PROJECT,
    COGNITIVE_PROJECT_CAPABILITY_HOST,
    COGNITIVE_PROJECT_CONNECTION,
    DIAGNOSTIC_SETTING,
    SUBNET,
)

ACCOUNT = frozenset({COGNITIVE_ACCOUNT})
DEPLOYMENT = frozenset({COGNITIVE_DEPLOYMENT})

US_RESIDENT_DEPLOYMENT_SKUS = (
    "DataZoneStandard",
    "DataZoneProvisionedManaged",
    "DataZoneBatch",
    "Standard",
    "ProvisionedManaged",
)
"""Deployment SKUs whose prompts and completions are processed inside the US.

``DataZone*`` keeps processing in the US data zone; ``Standard`` and ``ProvisionedManaged`` are
regional (processing in the account's region, which ``azure-resource-restrict-location`` keeps in
the US). Everything else, notably ``GlobalStandard``, ``GlobalProvisionedManaged`` and
``GlobalBatch``, may process data in any Azure region, so it fails (allow-list: an unknown new
SKU fails closed until reviewed). A deployment may still use one when it carries the
``hlz-override-data-residency`` tag with the reviewed reason.

The rule is about PHI, so it applies to a deployment when

| ``hlz-processes-phi``        | ``data-classification`` | applies |
|------------------------------|-------------------------|---------|
| 'true'                       | any                     | yes     |
| any                          | 'phi'                   | yes     |
| 'false'                      | anything else           | no      |
| absent or invalid            | another valid class     | no      |
| absent or invalid            | absent or invalid       | yes: nothing says it is PHI-free |
"""

REQUEST_LOG_CATEGORIES = ("Audit", "RequestResponse")
"""Log categories of an account that must reach the workspace: key and management access (Audit)
and every inference call (RequestResponse: caller, operation, deployment, status; no prompt text).
"""

LOG_CATEGORY_GROUPS: Mapping[str, frozenset[str]] = {
    "allLogs": frozenset(REQUEST_LOG_CATEGORIES),
    "audit": frozenset({"Audit"}),
}
"""Which of ``REQUEST_LOG_CATEGORIES`` a category group covers; 'audit' has no RequestResponse."""


def check_cmk_encryption(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    key_source = get(props, "properties", "encryption", "keySource")
    if not same_text(key_source, "Microsoft.KeyVault"):
        return fail(
            f"properties.encryption.keySource is {describe(key_source)}; set it to "
            "'Microsoft.KeyVault' to encrypt stored data (fine-tuning files, batch jobs, "
            "stored completions) with a customer-managed key"
        )
    reasons = [
        f"properties.encryption.keyVaultProperties.{name} is not set; name the customer-managed key"
        for name in ("keyName", "keyVaultUri")
        if not is_set(props, "properties", "encryption", "keyVaultProperties", name)
    ]
    return outcome_from(reasons)


def check_public_network_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("properties", "publicNetworkAccess"),
        "Disabled",
        " (absent means Enabled); set it to 'Disabled' "
        "and use a private endpoint (groupId 'account')",
    )


def check_network_default_deny(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props, ("properties", "networkAcls", "defaultAction"), "Deny", "; set it to 'Deny'"
    )


def check_local_auth_disabled(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(
        props,
        ("properties", "disableLocalAuth"),
        "; set it to true so only Entra ID tokens are accepted (no API keys)",
    )


def check_managed_identity(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_managed_identity(
        props,
        "; give the account a system- or user-assigned managed identity so it reaches Key Vault "
        "and its data sources with Entra ID, not keys",
    )


def check_custom_subdomain(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if is_set(props, "properties", "customSubDomainName"):
        return Compliant()
    return fail(
        "properties.customSubDomainName is not set; Entra ID authentication and private "
        "endpoints need a custom subdomain"
    )


def check_outbound_restricted(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    restricted = get(props, "properties", "restrictOutboundNetworkAccess")
    if as_bool(restricted) is not True:
        reasons.append(
            f"properties.restrictOutboundNetworkAccess is {describe(restricted)}; set it to true"
        )
    allowed = [as_str(fqdn) for fqdn in as_sequence(get(props, "properties", "allowedFqdnList"))]
    if not any(allowed):
        reasons.append(
            "properties.allowedFqdnList is empty; list the FQDNs the account may call (e.g. the "
            "storage account used for batch or fine-tuning)"
        )
    elif any(fqdn is not None and fqdn.strip() == "*" for fqdn in allowed):
        reasons.append("properties.allowedFqdnList contains '*'; list explicit FQDNs")
    return outcome_from(reasons)


def check_rai_policy(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # A custom RaiPolicy's name is unknown until it exists; a reference counts as set.
    if is_set(props, "properties", "raiPolicyName"):
        return Compliant()
    return fail(
        "properties.raiPolicyName is not set; attach a content filter policy (e.g. "
        "'Microsoft.DefaultV2' or a custom RaiPolicy)"
    )


def _phi_scope(props: Mapping[str, Any]) -> NotApplicable | None:
    """None when the deployment processes (or may process) PHI; see the table above."""
    classification = read_tag(props, "data-classification")
    phi = processes_phi(props)
    if phi is True or (classification or "").casefold() == "phi":
        return None
    known_class = (classification or "").casefold() in DATA_CLASSIFICATIONS
    if phi is False or known_class:
        return NotApplicable(
            f"the deployment does not process PHI (tag {PROCESSES_PHI_TAG} is "
            f"{describe(read_tag(props, PROCESSES_PHI_TAG))}, data-classification is "
            f"{describe(classification)})"
        )
    return None


def check_data_zone_sku(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    out_of_scope = _phi_scope(props)
    if out_of_scope is not None:
        return out_of_scope
    value = get(props, "sku", "name")
    if any(same_text(value, sku) for sku in US_RESIDENT_DEPLOYMENT_SKUS):
        return Compliant()
    return fail(
        f"sku.name is {describe(value)}, which may process prompts outside the US; use "
        "'DataZoneStandard' or 'DataZoneProvisionedManaged' (or record a reviewed exception in "
        "the deployment's hlz-override-data-residency tag)"
    )


def _logged_categories(setting: StackResource) -> set[str]:
    covered: set[str] = set()
    for entry in as_sequence(get(setting.props, "logs")):
        if as_bool(get(entry, "enabled")) is not True:
            continue
        group, category = get(entry, "categoryGroup"), get(entry, "category")
        for name, categories in LOG_CATEGORY_GROUPS.items():
            if same_text(group, name):
                covered |= categories
        covered |= {c for c in REQUEST_LOG_CATEGORIES if same_text(category, c)}
    return covered


def _request_logging_outcome(account: StackResource, settings: Sequence[StackResource]) -> Outcome:
    label = f"Account '{account.name}'"
    if not settings:
        return fail(
            f"{label} has no diagnostic setting; add an azure-native:monitor:DiagnosticSetting "
            "with resourceUri from the account, workspaceId and logs [{categoryGroup: 'allLogs', "
            "enabled: true}]"
        )
    # Settings add up: Audit in one and RequestResponse in another both reach a workspace. A
    # further setting to storage only is allowed once the workspace has both.
    to_workspace = [setting for setting in settings if is_set(setting.props, "workspaceId")]
    covered = {category for setting in to_workspace for category in _logged_categories(setting)}
    missing = [category for category in REQUEST_LOG_CATEGORIES if category not in covered]
    if not missing:
        return Compliant()
    reasons = [
        f"diagnostic setting '{setting.name}' of {label} has no workspaceId; send it to the "
        "central Log Analytics workspace"
        for setting in settings
        if setting not in to_workspace
    ]
    hint = " (category group 'audit' covers only Audit)" if "Audit" in covered else ""
    reasons.append(
        f"no diagnostic setting of {label} sends {' and '.join(missing)} logs to a Log "
        f"Analytics workspace{hint}; enable category group 'allLogs' or the categories Audit "
        "and RequestResponse"
    )
    return outcome_from(reasons)


def check_request_logging(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    settings = Referrers(of_type(resources, DIAGNOSTIC_SETTING), "resourceUri")
    return {
        account.urn: _request_logging_outcome(account, settings.of(account.urn))
        for account in of_type(resources, COGNITIVE_ACCOUNT)
    }


_AI_DOCS = "https://learn.microsoft.com/azure/ai-services"

# --- Foundry projects ------------------------------------------------------------------------
# Foundry projects: a project's own identity, and the account that can hold it.
#
# A Foundry project (``Microsoft.CognitiveServices/accounts/projects``) is a child of a
# Cognitive Services account. Azure creates it only under an account that allows project
# management:
#
# | account ``kind`` | ``properties.allowProjectManagement`` | holds projects |
# |------------------|----------------------------------------|----------------|
# | AIServices       | true                                   | yes            |
# | AIServices       | false or absent                        | no             |
# | OpenAI (or other)| any                                    | no             |
#
# Microsoft's upgrade from Azure OpenAI to Foundry is exactly this change (``kind`` OpenAI ->
# AIServices, ``allowProjectManagement`` true), and rolling back to ``kind: OpenAI`` requires
# deleting the projects first (https://learn.microsoft.com/azure/foundry/how-to/upgrade-azure-openai).

PROJECT = frozenset({COGNITIVE_PROJECT})



def check_project_managed_identity(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_managed_identity(
        props,
        "; give the project a system- or user-assigned managed identity so its connections "
        "reach the lab's data with Entra ID, not keys",
    )


def _accounts_of(
    project: StackResource, index: ResourceIndex, accounts: Sequence[StackResource]
) -> list[StackResource]:
    """The project's account: the one its ``accountName`` was computed from, else the account of
    the stack with the same literal name in the same resource group."""
    upstream = index.upstream(project, ("accountName",), (COGNITIVE_ACCOUNT,))
    if upstream:
        return upstream
    name = known_text(project.props, "accountName")
    group = known_text(project.props, "resourceGroupName")
    if name is None or group is None:
        return []
    return [
        account
        for account in accounts
        if same_text(known_text(account.props, "accountName"), name)
        and same_text(known_text(account.props, "resourceGroupName"), group)
    ]


def _parent_problems(project: StackResource, account: StackResource) -> list[str]:
    label = f"project '{project.name}' is under account '{account.name}'"
    reasons: list[str] = []
    kind = get(account.props, "kind")
    if not same_text(kind, FOUNDRY_ACCOUNT_KIND):
        reasons.append(
            f"{label} of kind {describe(kind)}; only a kind 'AIServices' account holds Foundry "
            "projects (upgrade the account to AIServices or put the project on another one)"
        )
    allowed = get(account.props, "properties", "allowProjectManagement")
    if as_bool(allowed) is not True:
        reasons.append(
            f"{label}, whose properties.allowProjectManagement is {describe(allowed)}; set it "
            "to true on the account"
        )
    return reasons


def check_project_parent_account(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    accounts = of_type(resources, COGNITIVE_ACCOUNT)
    outcomes: dict[str, Outcome] = {}
    for project in of_type(resources, COGNITIVE_PROJECT):
        parents = _accounts_of(project, index, accounts)
        if not parents:
            outcomes[project.urn] = NotApplicable("its account is not in this stack")
            continue
        outcomes[project.urn] = outcome_from(
            [reason for account in parents for reason in _parent_problems(project, account)]
        )
    return outcomes


# --- Foundry connections ---------------------------------------------------------------------
# A connection (``Microsoft.CognitiveServices/accounts/connections``, shared by the account's
# projects, or ``.../accounts/projects/connections``) is how a project reaches a resource outside
# the account: a search index, a storage account, a thread store. ``properties.authType`` says
# with what:
#
# | ``authType``                        | what the connection holds                 | allowed |
# |-------------------------------------|-------------------------------------------|---------|
# | AAD                                 | nothing: an Entra ID token at call time   | yes     |
# | ManagedIdentity                     | a user-assigned identity's ids, no secret | yes     |
# | the others (``STORED_CREDENTIALS``) | a credential, or no authentication at all | no      |
#
# An allow-list: an ``authType`` a newer API version adds fails until it is reviewed.

CONNECTION = frozenset({COGNITIVE_ACCOUNT_CONNECTION, COGNITIVE_PROJECT_CONNECTION})

ENTRA_ID_AUTH_TYPES = ("AAD", "ManagedIdentity")
"""``authType`` values of a connection that authenticates with Microsoft Entra ID."""

STORED_CREDENTIALS: Mapping[str, str] = {
    "ApiKey": "a stored API key",
    "AccountKey": "a stored storage account key",
    "SAS": "a stored shared access signature",
    "PAT": "a stored personal access token",
    "UsernamePassword": "a stored user name and password",
    "ServicePrincipal": "a stored client secret",
    "CustomKeys": "stored custom keys",
    "AccessKey": "a stored access key",
    "OAuth2": "a stored OAuth2 client secret",
    "None": "no authentication at all",
}
"""The other ``authType`` values of API 2025-06-01 and what each puts in the connection."""


def check_connection_entra_id(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "properties", "authType")
    if any(same_text(value, kind) for kind in ENTRA_ID_AUTH_TYPES):
        return Compliant()
    held = next((held for kind, held in STORED_CREDENTIALS.items() if same_text(value, kind)), None)
    return fail(
        f"properties.authType is {describe(value)}{f' ({held})' if held else ''}; connect with "
        "'AAD' and grant the project's managed identity a data role on the target"
    )


# --- the Agent Service's standard setup ------------------------------------------------------
# A project's capability host (``.../projects/capabilityHosts``) decides where its agents keep
# their data: with the three connection lists (threads: Cosmos DB, files: storage, vector stores:
# AI Search) in the lab's own resources, encrypted with the lab's keys; without them, in
# Microsoft-managed storage, which supports no customer-managed key
# (https://learn.microsoft.com/azure/foundry/concepts/customer-managed-keys). Where the agents'
# compute runs is the account's ``networkInjections``: without one it reaches data over public
# networking (https://learn.microsoft.com/azure/foundry/agents/concepts/networking-options).

CAPABILITY_HOST = frozenset({COGNITIVE_PROJECT_CAPABILITY_HOST})
CAPABILITY_HOST_STORES = (
    ("threadStorageConnections", "threads (a Cosmos DB connection)"),
    ("storageConnections", "files (a storage connection)"),
    ("vectorStoreConnections", "vector stores (an AI Search connection)"),
)
"""The lists of a project's capability host, each a single connection name."""
AGENT_SCENARIO = "agent"


def check_capability_host_stores(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    for field, store in CAPABILITY_HOST_STORES:
        value = get(props, "projectCapabilityHostProperties", field)
        names = [name for name in as_sequence(value) if as_str(name)]
        if not names:
            reasons.append(
                f"projectCapabilityHostProperties.{field} names no connection; without one "
                f"the agents keep their {store.split(' (')[0]} in Microsoft-managed storage, "
                f"not under the lab's key: name the project's connection to its {store}"
            )
        elif len(as_sequence(value)) != 1:
            reasons.append(
                f"projectCapabilityHostProperties.{field} has {len(as_sequence(value))} entries; "
                "Azure accepts a single, non-empty connection name"
            )
    return outcome_from(reasons)


def _injections(account: StackResource) -> list[Any]:
    return list(as_sequence(get(account.props, "properties", "networkInjections")))


def check_agent_network_injection(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    accounts = of_type(resources, COGNITIVE_ACCOUNT)
    outcomes: dict[str, Outcome] = {}
    for host in of_type(resources, COGNITIVE_PROJECT_CAPABILITY_HOST):
        parents = _accounts_of(host, index, accounts)
        if not parents:
            outcomes[host.urn] = NotApplicable("its account is not in this stack")
            continue
        reasons: list[str] = []
        for account in parents:
            agent = [
                i for i in _injections(account) if same_text(get(i, "scenario"), AGENT_SCENARIO)
            ]
            if not agent:
                reasons.append(
                    f"capability host '{host.name}' runs agents of account '{account.name}', "
                    "which has no properties.networkInjections entry with scenario 'agent': the "
                    "agents reach data over public networking; inject them into a delegated "
                    "subnet of the lab's virtual network (set it when creating the account)"
                )
            elif any(as_bool(get(i, "useMicrosoftManagedNetwork")) is True for i in agent):
                reasons.append(
                    f"account '{account.name}' injects its agents with "
                    "useMicrosoftManagedNetwork true; inject them into the lab's own delegated "
                    "subnet (useMicrosoftManagedNetwork false) so the lab's NSGs apply"
                )
        outcomes[host.urn] = outcome_from(reasons)
    return outcomes


def _agent_subnet_problems(account: StackResource, subnet: StackResource) -> list[str]:
    where = f"agent subnet '{subnet.name}' of account '{account.name}'"
    problems: list[str] = []
    if not any(same_text(s, AGENT_SUBNET_DELEGATION) for s in subnet_delegations(subnet)):
        problems.append(
            f"{where} is not delegated to {AGENT_SUBNET_DELEGATION}; add the delegation (Azure "
            "refuses to inject the Agent Service otherwise)"
        )
    length = subnet_prefix_length(subnet)
    if length is not None and length > AGENT_SUBNET_MIN_PREFIX_LENGTH:
        problems.append(
            f"{where} is {get(subnet.props, 'addressPrefix')}; the Agent Service needs at least a "
            f"/{AGENT_SUBNET_MIN_PREFIX_LENGTH} (/24 recommended), and its size cannot change "
            "once the account uses it"
        )
    return problems


def check_agent_subnet(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    outcomes: dict[str, Outcome] = {}
    for account in of_type(resources, COGNITIVE_ACCOUNT):
        if not any(same_text(get(i, "scenario"), AGENT_SCENARIO) for i in _injections(account)):
            continue
        subnets = index.upstream(account, ("properties",), frozenset({SUBNET}))
        if not subnets:
            outcomes[account.urn] = NotApplicable("its agent subnet is not in this stack")
            continue
        outcomes[account.urn] = outcome_from(
            [problem for subnet in subnets for problem in _agent_subnet_problems(account, subnet)]
        )
    return outcomes


RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="cognitiveservices-account-require-cmk-encryption",
        description=(
            "Azure OpenAI / AI services accounts encrypt stored data with a customer-managed key."
        ),
        rationale=(
            "Uploaded files, fine-tuning data, batch jobs and stored completions may contain ePHI; "
            "a customer-managed key keeps them under the covered entity's key control."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation=(
            "Set properties.encryption to {keySource: 'Microsoft.KeyVault', keyVaultProperties: "
            "{keyName, keyVaultUri, identityClientId}} with a managed identity on the account."
        ),
        url=f"{_AI_DOCS}/openai/encrypt-data-at-rest",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_cmk_encryption,
    ),
    ResourceRule(
        id="cognitiveservices-account-disallow-public-network-access",
        description="Azure OpenAI / AI services accounts disable public network access.",
        rationale=(
            "Prompts and completions carrying ePHI must only travel over the private network."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Set properties.publicNetworkAccess to 'Disabled' and add a private endpoint (groupId "
            "'account')."
        ),
        url=f"{_AI_DOCS}/cognitive-services-virtual-networks",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_public_network_access,
    ),
    ResourceRule(
        id="cognitiveservices-account-require-network-default-deny",
        description="Azure OpenAI / AI services account firewalls deny by default.",
        rationale=(
            "A default-deny firewall keeps the account closed even if public access is re-enabled."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation="Set properties.networkAcls.defaultAction to 'Deny'.",
        url=f"{_AI_DOCS}/cognitive-services-virtual-networks",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_network_default_deny,
    ),
    ResourceRule(
        id="cognitiveservices-account-disable-local-auth",
        description="Azure OpenAI / AI services accounts disable API-key (local) authentication.",
        rationale=(
            "API keys are shared secrets without identity; Entra ID tokens give per-identity "
            "access control and audit."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-1",),
        hitrust=("01.q",),
        remediation=(
            "Set properties.disableLocalAuth to true and grant 'Cognitive Services OpenAI User' to "
            "callers."
        ),
        url=f"{_AI_DOCS}/disable-local-auth",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_local_auth_disabled,
    ),
    ResourceRule(
        id="cognitiveservices-account-require-managed-identity",
        description="Azure OpenAI / AI services accounts have a managed identity.",
        rationale=(
            "The account unwraps its customer-managed key and reads the data it is given "
            "(batch and fine-tuning files, 'on your data' sources that may hold ePHI) with its "
            "managed identity; without one it can only use keys and connection strings, shared "
            "secrets that bypass Entra ID and RBAC."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-3",),
        hitrust=("01.q",),
        remediation=(
            "Set identity to {type: 'UserAssigned', userAssignedIdentities: [...]} (or "
            "'SystemAssigned') and grant it roles on the key and data sources."
        ),
        url=f"{_AI_DOCS}/openai/how-to/managed-identity",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_managed_identity,
    ),
    ResourceRule(
        id="cognitiveservices-account-require-custom-subdomain",
        description="Azure OpenAI / AI services accounts have a custom subdomain.",
        rationale=(
            "Entra ID token authentication and private endpoints only work with a custom subdomain."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(d)",),
        mcsb=("IM-1",),
        remediation="Set properties.customSubDomainName (globally unique, fixed after creation).",
        url=f"{_AI_DOCS}/cognitive-services-custom-subdomains",
        phi_protecting=False,
        resource_types=ACCOUNT,
        check=check_custom_subdomain,
    ),
    ResourceRule(
        id="cognitiveservices-account-restrict-outbound-access",
        description=(
            "Azure OpenAI / AI services accounts restrict outbound calls to an allow-list of FQDNs."
        ),
        rationale=(
            "Without the data-loss-prevention guard the service could send ePHI to arbitrary "
            "endpoints (e.g. via connectors or 'on your data' sources)."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.308(a)(4)(ii)(B)"),
        mcsb=("NS-2", "DP-2"),
        remediation=(
            "Set properties.restrictOutboundNetworkAccess to true and properties.allowedFqdnList "
            "to the FQDNs the account must reach."
        ),
        url=f"{_AI_DOCS}/cognitive-services-data-loss-prevention",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_outbound_restricted,
    ),
    ResourceRule(
        id="cognitiveservices-deployment-require-rai-policy",
        description="Model deployments have a content filtering (RAI) policy.",
        rationale=(
            "Content filtering is part of the risk management for generative AI handling clinical "
            "data (prompt injection, harmful output)."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.308(a)(1)(ii)(B)",),
        remediation=(
            "Set properties.raiPolicyName (e.g. 'Microsoft.DefaultV2' or a custom RaiPolicy)."
        ),
        url=f"{_AI_DOCS}/openai/how-to/content-filters",
        phi_protecting=False,
        resource_types=DEPLOYMENT,
        check=check_rai_policy,
    ),
    ResourceRule(
        id="cognitiveservices-deployment-restrict-data-zone-sku",
        description=(
            "Model deployments that process PHI use a SKU that processes data inside the US "
            "(DataZone*, or regional Standard / ProvisionedManaged)."
        ),
        rationale=(
            "Global deployment types may process prompts containing ePHI in any Azure region, "
            "outside the US residency boundary of the risk analysis. Deployments whose "
            "governance record says they see no PHI, in a stack not classified 'phi', may use them."
        ),
        severity=Severity.HIGH,
        hipaa=("164.308(a)(1)(ii)(B)", "164.312(e)(1)"),
        mcsb=("DP-1",),
        remediation=(
            "Set sku.name to 'DataZoneStandard' or 'DataZoneProvisionedManaged'. A reviewed "
            "exception is the tag hlz-override-data-residency='<why, 10+ characters>' on the "
            "deployment. The rule applies when tag hlz-processes-phi is 'true' or tag "
            "data-classification is 'phi'."
        ),
        url=f"{_AI_DOCS}/openai/how-to/deployment-types",
        phi_protecting=True,
        resource_types=DEPLOYMENT,
        check=check_data_zone_sku,
        override_tag="hlz-override-data-residency",
    ),
    StackRule(
        id="cognitiveservices-account-require-request-logging",
        description=(
            "Azure OpenAI / AI services accounts send Audit and RequestResponse logs to a Log "
            "Analytics workspace."
        ),
        rationale=(
            "Every model call on ePHI must be attributable (who called which deployment, when, "
            "with what result) for activity review; category group 'audit' alone leaves out the "
            "RequestResponse log of inference calls."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(b)", "164.308(a)(1)(ii)(D)"),
        mcsb=("LT-3", "LT-5"),
        hitrust=("09.aa",),
        remediation=(
            "Add an azure-native:monitor:DiagnosticSetting with resourceUri set to the account's "
            "id, workspaceId, and logs [{categoryGroup: 'allLogs', enabled: true}] (or categories "
            "Audit and RequestResponse)."
        ),
        url=f"{_AI_DOCS}/openai/how-to/monitor-openai",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_request_logging,
    ),
    ResourceRule(
        id="cognitiveservices-project-require-managed-identity",
        description="Foundry projects have a system- or user-assigned managed identity.",
        rationale=(
            "A project reaches the lab's data (storage, search indexes, thread stores that may "
            "hold ePHI) with its own managed identity, granted roles on each resource; without "
            "one its connections can only carry keys and connection strings, shared secrets "
            "that bypass Entra ID and RBAC."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-3",),
        hitrust=("01.q",),
        remediation=(
            "Set identity to {type: 'SystemAssigned'} (or 'UserAssigned' with "
            "userAssignedIdentities) and grant that identity roles on the resources the "
            "project connects to."
        ),
        url="https://learn.microsoft.com/azure/foundry/concepts/administrator-guide",
        phi_protecting=True,
        resource_types=PROJECT,
        check=check_project_managed_identity,
    ),
    ResourceRule(
        id="cognitiveservices-connection-require-entra-id",
        description=(
            "Foundry account and project connections authenticate with Microsoft Entra ID "
            "(authType 'AAD' or 'ManagedIdentity'), never a stored key, token or secret."
        ),
        rationale=(
            "A connection is how a project reaches the lab's data (search indexes, storage, "
            "thread stores that may hold ePHI). With any authType but AAD or ManagedIdentity "
            "the connection stores a credential (API key, account key, SAS, PAT, password, "
            "client secret) or none at all, and every caller of the project reaches the target "
            'with it, bypassing Entra ID, RBAC and Conditional Access. Microsoft: "Use '
            "Microsoft Entra ID for production workloads to enable conditional access, managed "
            "identities, and least privilege RBAC. API keys are convenient for quick evaluation "
            'but provide coarse-grained access."'
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-1", "IM-3"),
        hitrust=("01.q",),
        remediation=(
            "Use AADAuthTypeConnectionPropertiesArgs (properties.authType 'AAD', no "
            "credentials) and grant the project's managed identity a data role on the target "
            "(for example Search Index Data Reader, Storage Blob Data Reader); 'ManagedIdentity' "
            "with a user-assigned identity is also accepted."
        ),
        url="https://learn.microsoft.com/azure/foundry/concepts/authentication-authorization-foundry",
        phi_protecting=True,
        resource_types=CONNECTION,
        check=check_connection_entra_id,
    ),
    StackRule(
        id="deploy-cognitiveservices-require-project-management-for-projects",
        category=Category.DEPLOY,
        description=(
            "Foundry projects are created under a kind 'AIServices' account whose "
            "properties.allowProjectManagement is true."
        ),
        rationale=(
            "Microsoft's steps create the account with kind AIServices and "
            '--allow-project-management: "The `--allow-project-management` flag enables '
            'project creation within this resource." An account of kind OpenAI, or one '
            "without project management, cannot hold projects, so ARM refuses the project."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Create the project's account with kind 'AIServices' and "
            "properties.allowProjectManagement true (components.openai does for kind "
            "AIServices)."
        ),
        url="https://learn.microsoft.com/azure/foundry/how-to/create-projects",
        resource_types=PROJECT,
        check=check_project_parent_account,
    ),
    ResourceRule(
        id="cognitiveservices-capabilityhost-require-customer-stores",
        description=(
            "A Foundry project's capability host keeps agent threads, files and vector stores "
            "in the lab's own resources: one thread-storage, one storage and one vector-store "
            "connection (the Agent Service's standard setup)."
        ),
        rationale=(
            "Agents keep conversations, uploaded files and embeddings, which may carry ePHI. "
            "Without the three connections they are kept in Microsoft-managed storage, where "
            "the Agent Service supports no customer-managed key and the lab controls neither "
            "network access, retention nor the audit trail (Microsoft: CMK for the Agent "
            "Service is supported only when you bring your own storage)."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)", "164.312(a)(1)", "164.312(b)"),
        mcsb=("DP-5", "DP-4"),
        hitrust=("06.d",),
        remediation=(
            "Create connections from the project to the lab's Cosmos DB account, a storage "
            "account and the search service (authType AAD) and name one of each in "
            "threadStorageConnections, storageConnections and vectorStoreConnections "
            "(components.foundry with hlz:agentService)."
        ),
        url="https://learn.microsoft.com/azure/foundry/agents/concepts/standard-agent-setup",
        phi_protecting=True,
        resource_types=CAPABILITY_HOST,
        check=check_capability_host_stores,
    ),
    StackRule(
        id="cognitiveservices-account-require-agent-network-injection",
        description=(
            "An account whose projects run agents injects them into a subnet of the lab's own "
            "virtual network (networkInjections scenario 'agent', not Microsoft's managed "
            "network)."
        ),
        rationale=(
            "Without network injection the Agent Service reaches data and tools over public "
            "networking; injected into the lab's delegated subnet it reaches the lab's stores "
            "through their private endpoints only, under the lab's NSGs, and has no path to the "
            "Internet of its own (transmission security and access control for ePHI)."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.m",),
        remediation=(
            "Create the account with properties.networkInjections [{scenario: 'agent', "
            "subnetArmId: <subnet delegated to Microsoft.App/environments>, "
            "useMicrosoftManagedNetwork: false}]; Azure sets it only when it creates the "
            "account (hlz:agentService with hlz:subnets.agents)."
        ),
        url="https://learn.microsoft.com/azure/foundry/agents/how-to/virtual-networks",
        phi_protecting=True,
        resource_types=CAPABILITY_HOST,
        check=check_agent_network_injection,
    ),
    StackRule(
        id="deploy-cognitiveservices-require-delegated-agent-subnet",
        category=Category.DEPLOY,
        description=(
            "The subnet an account injects its Agent Service into is delegated to "
            f"{AGENT_SUBNET_DELEGATION} and at least a /{AGENT_SUBNET_MIN_PREFIX_LENGTH}."
        ),
        rationale=(
            "Microsoft: the agent subnet is delegated to Microsoft.App/environments and \"the "
            f"minimum size of your subnet should be /{AGENT_SUBNET_MIN_PREFIX_LENGTH}\"; Azure "
            "refuses the injection otherwise, and the size cannot change afterwards."
        ),
        severity=Severity.HIGH,
        remediation=(
            f"Delegate the subnet to {AGENT_SUBNET_DELEGATION} and give it a "
            f"/{AGENT_SUBNET_MIN_PREFIX_LENGTH} or larger (/24 recommended)."
        ),
        url="https://learn.microsoft.com/azure/foundry/agents/how-to/virtual-networks",
        resource_types=ACCOUNT,
        check=check_agent_subnet,
    ),
)
