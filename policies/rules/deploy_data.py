"""Deploy rules for AI and data services: Azure OpenAI / Cognitive Services accounts and model
deployments, Azure AI Search services.

Azure AI Search tiers (``SEARCH_LIMITS``; the free tier is shared and has no dedicated
capacity, no customer-managed-key enforcement, no semantic ranker and no private links):

| sku.name                         | replicas | partitions               | hostingMode HighDensity |
|----------------------------------|----------|--------------------------|-------------------------|
| free                             | 1        | 1                        | no                      |
| basic                            | 1-3      | 1-3                      | no                      |
| standard, standard2, standard3   | 1-12     | 1, 2, 3, 4, 6, 12        | standard3 (1-3 parts)   |
| storage_optimized_l1, _l2        | 1-12     | 1, 2, 3, 4, 6, 12        | no                      |
"""

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
from ..props import as_bool, as_int, as_mapping, as_sequence, as_str, describe, get, is_set
from ..vocabulary import HIGH_DENSITY_PARTITIONS, SEARCH_LIMITS
from .deploy_support import ResourceIndex, known_text
from .network import PRIVATE_LINK_CONNECTION_PROPERTIES
from .relations import Referrers, of_type
from .tokens import (
    COGNITIVE_ACCOUNT,
    COGNITIVE_DEPLOYMENT,
    PRIVATE_ENDPOINT,
    SEARCH_SERVICE,
    SEARCH_SHARED_PRIVATE_LINK,
)

DEPLOY = Category.DEPLOY


# --- model deployments --------------------------------------------------------------------------


def _account_of(deployment: StackResource, index: ResourceIndex) -> str | None:
    """A key for the deployment's account: the account resource it was computed from, else the
    literal resource group and account name."""
    accounts = index.upstream(deployment, ("accountName",), (COGNITIVE_ACCOUNT,))
    if accounts:
        return accounts[0].urn
    group = known_text(deployment.props, "resourceGroupName")
    name = known_text(deployment.props, "accountName")
    if group is None or name is None:
        return None
    return f"{group.casefold()}/{name.casefold()}"


def check_serial_deployments(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    by_account: dict[str, list[StackResource]] = {}
    outcomes: dict[str, Outcome] = {}
    for deployment in of_type(resources, COGNITIVE_DEPLOYMENT):
        account = _account_of(deployment, index)
        if account is None:
            outcomes[deployment.urn] = NotApplicable("its account is not known")
        else:
            by_account.setdefault(account, []).append(deployment)
    for deployments in by_account.values():
        ancestors = {d.urn: index.ancestors(d) for d in deployments}
        for deployment in deployments:
            parallel = [
                other
                for other in deployments
                if other.urn != deployment.urn
                and other.urn not in ancestors[deployment.urn]
                and deployment.urn not in ancestors[other.urn]
            ]
            outcomes[deployment.urn] = outcome_from(
                [
                    f"model deployment '{deployment.name}' may be created at the same time as "
                    f"'{other.name}' on the same account (409 RequestConflict: another operation "
                    "is in progress); make one depend on the other"
                    for other in parallel
                ]
            )
    return outcomes


def _network_rules_set(props: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    if (as_str(get(props, "properties", "networkAcls", "defaultAction")) or "").casefold() == (
        "deny"
    ):
        found.append("networkAcls.defaultAction 'Deny'")
    for rules in ("ipRules", "virtualNetworkRules"):
        if as_sequence(get(props, "properties", "networkAcls", rules)):
            found.append(f"networkAcls.{rules}")
    return found


def check_custom_subdomain_for_network(
    resources: Sequence[StackResource],
) -> Mapping[str, Outcome]:
    endpoints = Referrers(of_type(resources, PRIVATE_ENDPOINT), *PRIVATE_LINK_CONNECTION_PROPERTIES)
    outcomes: dict[str, Outcome] = {}
    for account in of_type(resources, COGNITIVE_ACCOUNT):
        needs = _network_rules_set(account.props)
        needs += [f"private endpoint '{pe.name}'" for pe in endpoints.of(account.urn)]
        if not needs:
            outcomes[account.urn] = NotApplicable("no private endpoint or network rules")
        elif is_set(account.props, "properties", "customSubDomainName"):
            outcomes[account.urn] = Compliant()
        else:
            outcomes[account.urn] = fail(
                f"account '{account.name}' has {', '.join(needs)} but no "
                "properties.customSubDomainName; private endpoints and network rules need a "
                "custom subdomain (set it when creating the account)"
            )
    return outcomes


# --- Azure AI Search ----------------------------------------------------------------------------


def _count(props: Mapping[str, Any], key: str) -> tuple[Any, int | None]:
    value = get(props, key)
    return value, (1 if value is None else as_int(value))


def check_search_tier_limits(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    sku_value = get(props, "sku", "name")
    sku = (as_str(sku_value) or "").casefold()
    limits = SEARCH_LIMITS.get(sku)
    if limits is None:
        return NotApplicable(f"sku.name {describe(sku_value)} has no recorded limits")
    reasons: list[str] = []
    replicas_value, replicas = _count(props, "replicaCount")
    if replicas is None or not 1 <= replicas <= limits.max_replicas:
        reasons.append(
            f"replicaCount is {describe(replicas_value)}; the {sku} tier allows 1 to "
            f"{limits.max_replicas}"
        )
    high_density = (as_str(get(props, "hostingMode")) or "").casefold() == "highdensity"
    if high_density and sku != "standard3":
        reasons.append(f"hostingMode is 'HighDensity' on the {sku} tier; only standard3 has it")
    partitions_value, partitions = _count(props, "partitionCount")
    allowed = HIGH_DENSITY_PARTITIONS if high_density and sku == "standard3" else limits.partitions
    if partitions not in allowed:
        reasons.append(
            f"partitionCount is {describe(partitions_value)}; the {sku} tier allows "
            f"{', '.join(map(str, allowed))}"
        )
    if sku == "free":
        semantic = as_str(get(props, "semanticSearch"))
        if semantic is not None and semantic.casefold() != "disabled":
            reasons.append(
                f"semanticSearch is '{semantic}' on the free tier; semantic ranker needs Basic "
                "or higher (set 'disabled')"
            )
        enforcement = as_str(get(props, "encryptionWithCmk", "enforcement"))
        if (enforcement or "").casefold() == "enabled":
            reasons.append(
                "encryptionWithCmk.enforcement is 'Enabled' on the free tier; customer-managed "
                "keys need a billable tier"
            )
    return outcome_from(reasons)


def check_search_auth_options(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if as_bool(get(props, "disableLocalAuth")) is not True:
        return Compliant()
    options = get(props, "authOptions")
    if as_mapping(options):
        return fail(
            "authOptions is set while disableLocalAuth is true; ARM refuses both, remove "
            "authOptions (Entra ID only) or leave disableLocalAuth unset"
        )
    return Compliant()


def check_free_search_private_links(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    links = Referrers(of_type(resources, SEARCH_SHARED_PRIVATE_LINK), "searchServiceName")
    endpoints = Referrers(of_type(resources, PRIVATE_ENDPOINT), *PRIVATE_LINK_CONNECTION_PROPERTIES)
    outcomes: dict[str, Outcome] = {}
    for service in of_type(resources, SEARCH_SERVICE):
        sku = get(service.props, "sku", "name")
        if (as_str(sku) or "").casefold() != "free":
            outcomes[service.urn] = NotApplicable(f"sku.name {describe(sku)}")
            continue
        reasons = [
            f"shared private link '{link.name}' targets free search service '{service.name}'; "
            "shared private links need Basic or higher"
            for link in links.of(service.urn)
        ]
        reasons += [
            f"private endpoint '{pe.name}' targets free search service '{service.name}'; "
            "private endpoints need Basic or higher"
            for pe in endpoints.of(service.urn)
        ]
        outcomes[service.urn] = outcome_from(reasons)
    return outcomes


_SEARCH_DOCS = "https://learn.microsoft.com/azure/search"

RULES: tuple[ResourceRule | StackRule, ...] = (
    StackRule(
        id="deploy-cognitiveservices-require-serial-deployments",
        category=DEPLOY,
        description=(
            "Model deployments of one account are created one after another (each depends on "
            "the previous one)."
        ),
        rationale=(
            "An account accepts one deployment operation at a time; parallel creates fail with "
            "409 RequestConflict ('Another operation is being performed on the parent resource')."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Chain the deployments with depends_on (components.openai does), as Bicep does with "
            "@batchSize(1)."
        ),
        url=(
            "https://learn.microsoft.com/azure/azure-resource-manager/bicep/loops#deploy-in-batches"
        ),
        resource_types=frozenset({COGNITIVE_DEPLOYMENT}),
        check=check_serial_deployments,
    ),
    StackRule(
        id="deploy-cognitiveservices-require-custom-subdomain-for-network",
        category=DEPLOY,
        description=("Accounts with a private endpoint or network rules have a custom subdomain."),
        rationale=(
            "Private endpoints, virtual network rules and Entra ID authentication work only on "
            "the account's custom subdomain, which can only be set when the account is created."
        ),
        severity=Severity.HIGH,
        remediation="Set properties.customSubDomainName (globally unique) when creating it.",
        url="https://learn.microsoft.com/azure/ai-services/cognitive-services-custom-subdomains",
        resource_types=frozenset({COGNITIVE_ACCOUNT}),
        check=check_custom_subdomain_for_network,
    ),
    ResourceRule(
        id="deploy-search-restrict-tier-limits",
        category=DEPLOY,
        description=(
            "Search services stay within their tier: replicas, partitions, high density, and no "
            "semantic ranker or CMK enforcement on the free tier."
        ),
        rationale="ARM refuses capacity or features the tier does not have.",
        severity=Severity.HIGH,
        remediation=(
            "Choose a tier that has the capacity and features, or reduce replicaCount / "
            "partitionCount to its limits."
        ),
        url=f"{_SEARCH_DOCS}/search-limits-quotas-capacity",
        resource_types=frozenset({SEARCH_SERVICE}),
        check=check_search_tier_limits,
    ),
    ResourceRule(
        id="deploy-search-disallow-auth-options-without-local-auth",
        category=DEPLOY,
        description="Search services with local (API key) auth disabled send no authOptions.",
        rationale="authOptions cannot be set when disableLocalAuth is true; ARM refuses both.",
        severity=Severity.MEDIUM,
        remediation="Remove authOptions when disableLocalAuth is true.",
        url="https://learn.microsoft.com/rest/api/searchmanagement/services/create-or-update",
        resource_types=frozenset({SEARCH_SERVICE}),
        check=check_search_auth_options,
    ),
    StackRule(
        id="deploy-search-disallow-free-tier-private-links",
        category=DEPLOY,
        description="Free search services have no private endpoints or shared private links.",
        rationale="The free tier is shared and supports neither; ARM refuses them.",
        severity=Severity.MEDIUM,
        remediation="Use the Basic tier or higher for private networking.",
        url=f"{_SEARCH_DOCS}/search-limits-quotas-capacity",
        resource_types=frozenset({SEARCH_SERVICE}),
        check=check_free_search_private_links,
    ),
)
