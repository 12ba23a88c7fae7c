"""An AI-lab stack's configuration (``hlz:*`` keys of ``Pulumi.<stack>.yaml``).

Validated in two steps, both before any resource is created: the keys' shape, then every
semantic problem at once — including the checks against the landing zone this lab belongs to
(its spoke allocation table, profile and region), read from that stack's outputs.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from components.ai_gateway import AiGatewaySpec
from components.budget import BudgetSpec
from components.cosmos import AGENT_SERVICE_THROUGHPUT_PER_PROJECT, COSMOS_ZONE_KEY
from components.dns_resolver import ruleset_id_problem
from components.errors import ConfigError
from components.foundry import AgentServiceSpec, FoundryProjectSpec
from components.health_data import FhirDataRole
from components.jump_host import AutoShutdown, JumpHostSpec
from components.naming import Namer, unique_suffix
from components.openai import (
    AccountKind,
    ApprovalPattern,
    ApprovalPatternText,
    ContentFilter,
    ModelDeployment,
)
from components.search import SearchSpec
from components.shared import Override
from components.specs import EntraObjectIds, ExactHostName, HttpsOrigin, PrivateCidr
from components.spoke_network import (
    AGENTS_DELEGATION,
    GATEWAY_DELEGATION,
    GATEWAY_MIN_PREFIX_LENGTH,
)
from hlz.cost.assumptions import CostAssumptions
from policies.alerting import BUDGET_MAX_MONTHS_AHEAD, budget_month_limit
from policies.clock import utc_today
from policies.services import PRIVATE_DNS_ZONES
from policies.vocabulary import (
    AGENT_NETWORK_INJECTION_LOCATIONS,
    AGENT_SUBNET_MIN_PREFIX_LENGTH,
    CLASSIFICATION_TAG,
    FOUNDRY_ACCOUNT_KIND,
)
from stacks.ai_lab.catalogue import US_RESIDENT_SKUS, load_catalogue
from stacks.common import (
    LAB_NAME,
    RESERVED_TAGS,
    ConfigModel,
    LayerConfig,
    key,
    lab_profile_override,
    location_problems,
    overlap_problems,
    parse_model,
    raise_if,
    stack_reference_problem,
    tag_problems,
)

SOURCE = "AI-lab configuration"
BUILT_IN_CONTENT_FILTERS = ("Microsoft.Default", "Microsoft.DefaultV2")
DEFAULT_APPROVAL_PATTERN = r"^AIGB-\d{4}-\d{3,6}$"
# Thresholds that block medium-severity content (Low blocks more, High blocks less).
STRICT_THRESHOLDS = ("Low", "Medium")


class LabSubnetsConfig(ConfigModel):
    private_endpoints: PrivateCidr
    """Subnet for the lab's private endpoints (OpenAI, Health Data Services, storage)."""
    workloads: PrivateCidr
    """Subnet for the lab's compute (egress forced through the hub firewall)."""
    gateway: PrivateCidr | None = None
    """Subnet the AI gateway's outbound calls leave from (delegated to Microsoft.Web/serverFarms,
    /27 or larger). Default: not set — required with, and only with, hlz:aiGateway."""
    agents: PrivateCidr | None = None
    """Subnet the Foundry Agent Service's compute is injected into (delegated to
    Microsoft.App/environments, /27 or larger (/24 recommended), used by nothing else; its size
    cannot change once the account uses it). Default: not set —
    required with, and only with, hlz:agentService."""


class OpenAIConfig(ConfigModel):
    kind: AccountKind = "OpenAI"
    """Account kind. Default OpenAI; AIServices adds the services.ai private DNS zone."""
    allowed_fqdns: list[ExactHostName] = Field(default_factory=list)
    """Extra hosts the account may call out to (the lab storage account is always allowed):
    exact lowercase host names such as ``api.example.org`` — no wildcard, scheme, path, port or
    IP address (the list is the account's guard against data exfiltration)."""
    content_filters: dict[str, ContentFilter] = Field(default_factory=dict)
    """Custom content-filter policies by name."""
    approval_reference_pattern: ApprovalPatternText = DEFAULT_APPROVAL_PATTERN
    """Pattern every governance approvalReference must match. Default: ``^AIGB-\\d{4}-\\d{3,6}$``
    (AIGB-YYYY-NNN). A small regular-expression grammar that cannot stall a plan: ``^`` at the
    start and ``$`` at the end; literal characters (punctuation escaped, e.g. ``\\.``); ``\\d``
    (ASCII digit); classes such as ``[A-Z0-9]`` (not negated); groups ``(...)``/``(?:...)``,
    alternatives only inside a group; quantifiers ``?``, ``{m}``, ``{m,n}`` with n at most 32. Not
    accepted: ``.``, ``*``, ``+``, ``{m,}``, other escapes, lookaround, a quantifier inside a
    quantified group, alternatives in a group repeated more than once, more than 100 characters,
    and a pattern without a literal character (it would accept anything)."""
    deployments: list[ModelDeployment] = Field(default_factory=list)
    """Model deployments, created one after another (Azure rejects parallel deployments), each
    with the AI governance board's record. Default: none — a lab is onboarded (``hlz lab new``)
    before its first model is approved; the account is created without deployments until then."""
    projects: list[FoundryProjectSpec] = Field(default_factory=list)
    """Foundry projects on the account (``kind: AIServices`` only), where the lab builds,
    evaluates and traces prompts and agents. Default: none."""


class HealthDataConfig(ConfigModel):
    fhir: bool = True
    """Deploy a FHIR R4 service. Default: true."""
    dicom: bool = True
    """Deploy a DICOM service. Default: true."""
    fhir_data_role: FhirDataRole = "reader"
    """Role lab members get on FHIR data. Default: reader (least privilege)."""
    cors_origins: list[HttpsOrigin] = Field(default_factory=list)
    """Browser origins allowed to call FHIR: explicit https:// origins (https://host[:port]),
    never '*'."""


def _stack_reference(value: str) -> str:
    problem = stack_reference_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


class AiLabConfig(LayerConfig):
    layer: Literal["ai_lab"]
    """Which program the stack runs: ``ai_lab``."""
    landing_zone_stack: Annotated[str, AfterValidator(_stack_reference)]
    """The landing-zone stack this lab is a spoke of (e.g. lz-dev or org/hlz/lz-dev); not this
    stack itself."""
    lab: str
    """Lab team name; must have an entry in the landing zone's hlz:spokes table."""
    address_space: PrivateCidr
    """The lab's VNet range; must equal the landing zone's allocation for this lab."""
    subnets: LabSubnetsConfig
    """Prefixes of the lab's subnets, inside hlz:addressSpace."""
    member_group_ids: EntraObjectIds = Field(min_length=1)
    """Entra group object ids of lab members (OpenAI User, FHIR/DICOM data roles)."""
    openai: OpenAIConfig
    """The lab's Azure OpenAI account: kind, egress allow-list, content filters, deployments."""
    health_data: HealthDataConfig = Field(default_factory=HealthDataConfig)
    """Health Data Services (FHIR, DICOM). Default: both, members read FHIR."""
    search: SearchSpec | None = None
    """Azure AI Search for the lab's indexes: private, Entra-only, customer-managed keys
    enforced, linked privately to the lab storage and AI account. Default: not set — no search
    service. Tier (standard, standard2, standard3), replicas, partitions, semantic ranker."""
    jump_host: JumpHostSpec | None = None
    """A hardened Linux jump host in the workloads subnet, from which lab members reach the
    lab's private endpoints: reached only through the landing zone's Azure Bastion (SSH from
    its subnet alone), Entra ID sign-in, Trusted Launch, encryption at host and a
    customer-managed disk key. Default: not set — no jump host. Size, the break-glass
    account's name and SSH public key, and a daily auto-shutdown (docs/jump-host.md)."""
    ai_gateway: AiGatewaySpec | None = None
    """An AI gateway (API Management Standard v2) in front of the lab's AI account: Entra ID
    tokens only, a token budget per caller, the gateway's own identity towards the account, no
    prompt or completion bodies logged, reached through a private endpoint. Default: not set —
    callers use the account directly. Publisher, tokens per minute, audience, required group, and
    the creation override the first deployment needs (docs/ai-gateway.md)."""

    agent_service: AgentServiceSpec | None = None
    """The Foundry Agent Service in the standard setup: every Foundry project's agents keep
    threads in the lab's own Cosmos DB account, files in a storage account of their own and
    vector stores in the lab's search service — all private, Entra-only, customer-managed keys —
    and run injected into the spoke's ``agents`` subnet. Needs ``kind: AIServices``, at least
    one project, hlz:search and hlz:subnets.agents. Default: not set — agents (if any) use
    Microsoft-managed storage (docs/foundry.md#agent-service)."""
    budget: BudgetSpec | None = None
    """The lab's monthly consumption budget on its resource group: ``amount`` (whole units of
    the billing currency), ``startDate`` (the first day of the month it is first deployed in;
    keep it) and ``ownerEmails`` (default: the owner tag's address). It notifies the lab owners
    and the landing zone's action group at 80 % and 100 % of the amount spent and at 120 %
    forecast (docs/alerts.md). Required: every lab has a budget."""
    cost: CostAssumptions = Field(default_factory=CostAssumptions)
    """Usage ``hlz cost`` assumes for usage-priced charges (GB, operations, tokens...): only
    ``hlz cost`` reads it; nothing is deployed from it. Default: every assumption's default
    (docs/cost.md)."""

    @model_validator(mode="before")
    @classmethod
    def _jump_host_shutdown_from_profile(cls, data: Any) -> Any:
        """``hlz:jumpHost.autoShutdown`` not set: the profile decides.

        | profile    | derived                                                         |
        |------------|-----------------------------------------------------------------|
        | lab        | ``AutoShutdown()``: daily at 19:00 UTC (a lab host idles at     |
        |            | night)                                                          |
        | production | none: a production jump host may be needed at night             |
        """
        if not isinstance(data, dict) or data.get("profile") != "lab":
            return data
        for host_key in ("jumpHost", "jump_host"):
            host = data.get(host_key)
            if isinstance(host, dict) and not {"autoShutdown", "auto_shutdown"} & set(host):
                return {**data, host_key: {**host, "autoShutdown": AutoShutdown()}}
        return data

    @property
    def hsm_keys(self) -> bool:
        """HSM-backed customer-managed keys: in production and for PHI in every profile."""
        return self.production or self.phi

    @property
    def hsm_override(self) -> Override | None:
        return None if self.hsm_keys else lab_profile_override("hsm")

    @property
    def budget_emails(self) -> list[str]:
        """Who in the lab the budget tells: hlz:budget.ownerEmails, else the owner tag (an
        email address; ``validate_ai_lab_config`` refuses a config with neither)."""
        if self.budget is not None and self.budget.owner_emails is not None:
            return list(self.budget.owner_emails)
        return [self.owner_email] if self.owner_email is not None else []


def lab_namer(config: AiLabConfig, stack: str) -> Namer:
    return Namer(prefix=f"{config.prefix}-{config.lab}", suffix=unique_suffix(stack, "ai_lab"))


NAMED_RESOURCES = {
    "resource_group": "",
    "virtual_network": "spoke",
    "storage_account": "",
    "cognitive_services": "",
    "health_workspace": "",
    "fhir_service": "",
    "dicom_service": "",
    "managed_identity": "openai",
    "private_endpoint": "openai",
    "budget": "",
}

# Names only a lab with hlz:search has (its connection exists only in Foundry projects).
SEARCH_NAMED_RESOURCES = {
    "search_service": "",
    "managed_identity": "search",
    "private_endpoint": "srch",
}
SEARCH_CONNECTION = ("foundry_connection", "search")
STORAGE_CONNECTION = ("foundry_connection", "storage")
"""Every Foundry project's connection to the lab's storage."""
SEARCH_ZONE_KEY = "search"
"""The search service's zones in the landing zone's ``privateDnsZoneIds`` (the catalogue row's
``zone_key``)."""

# Names only a lab with hlz:jumpHost has.
JUMP_HOST_NAMED_RESOURCES = {
    "virtual_machine": "jump",
    "network_interface": "jump",
    "disk_encryption_set": "jump",
    "managed_identity": "jumphost",
}
# Names only a lab with hlz:aiGateway has.
AI_GATEWAY_NAMED_RESOURCES = {
    "api_management": "",
    "private_endpoint": "apim",
    "subnet": "gateway",
    "network_security_group": "gateway",
}
AI_GATEWAY_ZONE_KEY = "apim"
"""The gateway's zone in the landing zone's ``privateDnsZoneIds`` (the catalogue row's
``zone_key``)."""

# Names only a lab with hlz:agentService has.
AGENT_NAMED_RESOURCES = {
    "cosmos_account": "",
    "storage_account": "ag",
    "managed_identity": "agents",
    "private_endpoint": "cosmos",
    "subnet": "agents",
    "network_security_group": "agents",
}
AGENT_FILES_ENDPOINTS = ("private_endpoint", "stag")
"""Prefix of the agent file store's private endpoints (``<prefix>-blob``, ``<prefix>-dfs``)."""
AGENT_CONNECTIONS = (("foundry_connection", "threads"), ("foundry_connection", "files"))
AGENT_ZONE_KEY = COSMOS_ZONE_KEY
"""The thread store's zone in the landing zone's ``privateDnsZoneIds`` (the catalogue row's
``zone_key``)."""


AI_GATEWAY_OUTPUTS = ("appInsightsId", "appInsightsConnectionString")
"""Landing-zone outputs a lab with an AI gateway reads: the Application Insights component its
token metrics go to (stacks/landing_zone/program.py)."""

BASTION_OUTPUTS = ("bastionSubnetPrefix", "bastionHostId", "bastionHostName")
"""Landing-zone outputs a lab with a jump host reads: its only way in is the hub's Bastion (the
spoke admits SSH from that subnet alone; members get Reader on the host)."""

ALERT_OUTPUTS = ("actionGroupId",)
"""Landing-zone outputs every lab reads: the action group its alert rules and budget notify
(stacks/landing_zone/program.py)."""

# Landing-zone outputs the lab reads; a stack without them is not a landing zone.
REQUIRED_LANDING_ZONE_OUTPUTS = (
    "profile",
    "spokeAllocations",
    "firewallPrivateIp",
    "hubVnetId",
    "hubVnetName",
    "resourceGroupName",
    "privateDnsZoneIds",
    "logAnalyticsWorkspaceId",
    "keyVaultName",
    "keyVaultUri",
    "managementResourceGroupName",
)


def parse_ai_lab_config(raw: dict[str, Any]) -> AiLabConfig:
    """Shape only (types, unknown and missing keys); semantic checks need the landing zone.
    Keys inside a deployment also name the deployment, as the semantic checks do."""
    try:
        return parse_model(AiLabConfig, raw, SOURCE)
    except ConfigError as error:
        raise ConfigError(
            [(_name_deployment(key_, raw), message) for key_, message in error.problems], SOURCE
        ) from None


def _name_deployment(config_key: str, raw: dict[str, Any]) -> str:
    """``hlz:openai.deployments[1].x`` -> ``hlz:openai.deployments[1] (name).x``."""
    match = re.match(r"^(hlz:openai\.deployments)\[(\d+)\](.*)$", config_key)
    if not match:
        return config_key
    index = int(match.group(2))
    deployments = (raw.get("openai") or {}).get("deployments") or []
    entry = deployments[index] if index < len(deployments) else None
    name = entry.get("name") if isinstance(entry, dict) else None
    label = f"{match.group(1)}[{index}]" + (f" ({name})" if name else "")
    return label + match.group(3)


def _network_problems(config: AiLabConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    space_key = key("addressSpace")
    space = ipaddress.IPv4Network(config.address_space)
    subnet_ranges: dict[str, str] = {}
    for name, prefix in config.subnets.model_dump(by_alias=True).items():
        if prefix is None:
            continue
        subnet_key = key("subnets", name)
        subnet_ranges[subnet_key] = prefix
        if not ipaddress.IPv4Network(prefix).subnet_of(space):
            problems.append(
                (subnet_key, f"{prefix} is outside {space_key} ({config.address_space})")
            )
    for subnet, feature, wanted, min_length, purpose, source in (
        (
            "gateway", "aiGateway", config.ai_gateway, GATEWAY_MIN_PREFIX_LENGTH,
            f"the gateway's outbound VNet integration (delegated to {GATEWAY_DELEGATION})",
            "API Management's outbound VNet integration needs at least a /{min} "
            "(https://learn.microsoft.com/azure/api-management/integrate-vnet-outbound)",
        ),
        (
            "agents", "agentService", config.agent_service, AGENT_SUBNET_MIN_PREFIX_LENGTH,
            f"the Agent Service's network injection (delegated to {AGENTS_DELEGATION})",
            "the Agent Service's network injection needs at least a /{min}, /24 recommended "
            "(https://learn.microsoft.com/azure/foundry/agents/how-to/virtual-networks)",
        ),
    ):  # fmt: skip
        problems += _delegated_subnet_problems(
            getattr(config.subnets, subnet), subnet, feature, wanted is not None,
            min_length, purpose, source,
        )  # fmt: skip
    return problems + overlap_problems(subnet_ranges)


def _delegated_subnet_problems(
    prefix: str | None,
    subnet: str,
    feature: str,
    wanted: bool,
    min_length: int,
    purpose: str,
    source: str,
) -> list[tuple[str, str]]:
    """A dedicated, delegated subnet: set with, and only with, the feature that uses it, and
    large enough for it."""
    subnet_key = key("subnets", subnet)
    if not wanted:
        if prefix is None:
            return []
        return [(subnet_key, f"is set but hlz:{feature} is not: remove it, or add hlz:{feature}")]
    if prefix is None:
        return [
            (
                subnet_key,
                f"is required with hlz:{feature}: a dedicated subnet of at least /{min_length} "
                f"for {purpose}",
            )
        ]
    length = ipaddress.IPv4Network(prefix).prefixlen
    if length > min_length:
        return [(subnet_key, f"{prefix} is a /{length}; " + source.format(min=min_length))]
    return []


def _agent_service_problems(config: AiLabConfig) -> list[tuple[str, str]]:
    """What the standard setup stands on (the subnet is checked with the network)."""
    if config.agent_service is None:
        return []
    agent_key = key("agentService")
    problems: list[tuple[str, str]] = []
    if config.openai.kind != FOUNDRY_ACCOUNT_KIND or not config.openai.projects:
        problems.append(
            (
                agent_key,
                f"needs a Foundry account with projects: hlz:openai.kind {FOUNDRY_ACCOUNT_KIND} "
                "and at least one entry in hlz:openai.projects (each project gets the standard "
                "setup)",
            )
        )
    if config.search is None:
        problems.append(
            (
                agent_key,
                "needs hlz:search: the standard setup keeps the agents' vector stores in the "
                "lab's search service",
            )
        )
    projects = len(config.openai.projects)
    needed = AGENT_SERVICE_THROUGHPUT_PER_PROJECT * projects
    if config.agent_service.thread_throughput_limit < needed:
        problems.append(
            (
                key("agentService", "threadThroughputLimit"),
                f"{config.agent_service.thread_throughput_limit} RU/s cannot hold the threads of "
                f"{projects} projects: the Agent Service provisions "
                f"{AGENT_SERVICE_THROUGHPUT_PER_PROJECT} RU/s per project; give at least {needed}",
            )
        )
    if config.location not in AGENT_NETWORK_INJECTION_LOCATIONS:
        problems.append(
            (
                key("location"),
                f"'{config.location}' is not a region where the Agent Service can be injected "
                f"into a virtual network ({', '.join(AGENT_NETWORK_INJECTION_LOCATIONS)}); "
                "move the lab or remove hlz:agentService",
            )
        )
    return problems


def _budget_problems(config: AiLabConfig, today: date) -> list[tuple[str, str]]:
    """Every lab has a budget (docs/alerts.md); its start may not be further ahead than Azure
    accepts, and someone in the lab is told."""
    budget = config.budget
    if budget is None:
        return [
            (
                key("budget"),
                "required: every AI lab has a consumption budget; set hlz:budget.amount (the "
                "lab's monthly budget in the billing currency) and hlz:budget.startDate (the "
                "first day of the month the lab is first deployed in, e.g. "
                f"{today.replace(day=1).isoformat()}); see docs/alerts.md",
            )
        ]
    problems: list[tuple[str, str]] = []
    latest = budget_month_limit(today)
    if budget.start_date > latest:
        problems.append(
            (
                key("budget", "startDate"),
                f"{budget.start_date.isoformat()} is more than {BUDGET_MAX_MONTHS_AHEAD} months "
                f"ahead; Azure accepts {latest.isoformat()} at the latest today",
            )
        )
    problems += config.recipients_problem(budget.owner_emails, key("budget", "ownerEmails"))
    return problems


def _gateway_override_problems(config: AiLabConfig, today: date) -> list[tuple[str, str]]:
    gateway = config.ai_gateway
    if gateway is None:
        return []
    problems: list[tuple[str, str]] = []
    for field, override in (
        ("creationOverride", gateway.creation_override),
        ("bodyLogging", gateway.body_logging),
    ):
        expired = override.expiry_problem(today) if override is not None else None
        if expired is not None:
            problems.append((key("aiGateway", field, "expires"), expired))
    return problems


def _deployment_problems(config: AiLabConfig, today: date) -> list[tuple[str, str]]:
    catalogue = load_catalogue()
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    # Checked when the config was parsed (ApprovalPatternText): parsing cannot fail here.
    approval_pattern = ApprovalPattern.parse(config.openai.approval_reference_pattern)
    for index, deployment in enumerate(config.openai.deployments):
        base = key("openai", f"deployments[{index}]")
        named = f"{base} ({deployment.name})"
        problems += _governance_problems(config, deployment, named, approval_pattern, today)
        if deployment.name in seen:
            problems.append((f"{named}.name", f"deployment name '{deployment.name}' is used twice"))
        seen.add(deployment.name)
        for field, message in catalogue.problems(
            deployment.model, deployment.version, deployment.sku, config.location, today
        ):
            problems.append((f"{named}.{field}", message))
        known_filters = set(BUILT_IN_CONTENT_FILTERS) | set(config.openai.content_filters)
        if deployment.content_filter not in known_filters:
            problems.append(
                (
                    f"{named}.contentFilter",
                    f"'{deployment.content_filter}' is neither built in nor defined in "
                    "hlz:openai.contentFilters",
                )
            )
        phi = config.phi or deployment.governance.processes_phi
        if (
            phi
            and deployment.sku not in US_RESIDENT_SKUS
            and deployment.data_residency_override is None
        ):
            problems.append(
                (
                    f"{named}.sku",
                    f"'{deployment.sku}' may process PHI outside the US data zone; use "
                    "DataZoneStandard or add dataResidencyOverride with a reason",
                )
            )
        override = deployment.data_residency_override
        expired = override.expiry_problem(today) if override is not None else None
        if expired is not None:
            # The pack ignores it from that day on; say so before planning, not at policy time.
            problems.append((f"{named}.dataResidencyOverride.expires", expired))
    return problems


def _project_problems(config: AiLabConfig) -> list[tuple[str, str]]:
    projects = config.openai.projects
    problems: list[tuple[str, str]] = []
    if projects and config.openai.kind != FOUNDRY_ACCOUNT_KIND:
        problems.append(
            (
                key("openai", "projects"),
                f"Foundry projects need an AIServices account, not kind {config.openai.kind}; "
                "set hlz:openai.kind: AIServices (a lab already deployed as OpenAI cannot "
                "switch in place: docs/foundry.md)",
            )
        )
    seen: set[str] = set()
    for index, project in enumerate(projects):
        folded = project.name.casefold()
        if folded in seen:
            problems.append(
                (
                    key("openai", f"projects[{index}]", "name"),
                    f"project name '{project.name}' is used twice",
                )
            )
        seen.add(folded)
    return problems


def _governance_problems(
    config: AiLabConfig,
    deployment: ModelDeployment,
    named: str,
    approval_pattern: ApprovalPattern,
    today: date,
) -> list[tuple[str, str]]:
    record = deployment.governance
    problems: list[tuple[str, str]] = []
    if not approval_pattern.fullmatch(record.approval_reference):
        problems.append(
            (
                f"{named}.governance.approvalReference",
                f"'{record.approval_reference}' does not match the approval reference pattern "
                f"{approval_pattern.pattern}",
            )
        )
    if record.approval_expires < today:
        problems.append(
            (
                f"{named}.governance.approvalExpires",
                f"approval {record.approval_reference} expired on {record.approval_expires}; "
                "renew it with the AI governance board before deploying",
            )
        )
    if record.risk_tier == "high":
        spec = config.openai.content_filters.get(deployment.content_filter)
        if spec is None:
            problems.append(
                (
                    f"{named}.contentFilter",
                    "a high-risk deployment needs a custom content filter from "
                    "hlz:openai.contentFilters (a built-in one cannot be verified)",
                )
            )
        else:
            if spec.severity_threshold not in STRICT_THRESHOLDS:
                problems.append(
                    (
                        f"{named}.contentFilter",
                        f"filter '{deployment.content_filter}' blocks only at "
                        f"{spec.severity_threshold}; high risk needs Medium or Low",
                    )
                )
            if not spec.prompt_shield:
                problems.append(
                    (
                        f"{named}.contentFilter",
                        f"filter '{deployment.content_filter}' has a promptShieldOverride; "
                        "high risk needs jailbreak and prompt-injection blocking",
                    )
                )
    return problems


def ruleset_link_problems(
    config: AiLabConfig, landing_zone: dict[str, Any]
) -> list[tuple[str, str]]:
    """The spoke links itself to the landing zone's DNS forwarding ruleset, which Azure links
    only to VNets of its own region (https://learn.microsoft.com/azure/dns/
    private-resolver-endpoints-rulesets#dns-forwarding-rulesets)."""
    ruleset_id = landing_zone.get("dnsForwardingRulesetId")
    if ruleset_id is None:
        return []
    problems: list[tuple[str, str]] = []
    malformed = ruleset_id_problem(str(ruleset_id))
    if malformed is not None:
        problems.append((key("landingZoneStack"), f"its output dnsForwardingRulesetId {malformed}"))
    region = landing_zone.get("location")
    if region not in (None, config.location):
        problems.append(
            (
                key("location"),
                f"'{config.location}' differs from the landing zone's region '{region}': its "
                "DNS forwarding ruleset links only virtual networks of its own region",
            )
        )
    return problems


def _landing_zone_problems(
    config: AiLabConfig, landing_zone: dict[str, Any]
) -> list[tuple[str, str]]:
    stack_key = key("landingZoneStack")
    missing = [
        name for name in REQUIRED_LANDING_ZONE_OUTPUTS if landing_zone.get(name) in (None, "")
    ]
    if missing:
        return [
            (
                stack_key,
                f"stack '{config.landing_zone_stack}' lacks outputs {', '.join(missing)}: "
                "is it a landing-zone stack that has been deployed?",
            )
        ]
    problems: list[tuple[str, str]] = []
    allocations: dict[str, str] = landing_zone["spokeAllocations"]
    allocated = allocations.get(config.lab)
    if allocated is None:
        problems.append(
            (
                key("lab"),
                f"'{config.lab}' has no entry in {config.landing_zone_stack}'s hlz:spokes "
                f"(allocated: {', '.join(sorted(allocations)) or 'none'})",
            )
        )
    elif allocated != config.address_space:
        problems.append(
            (
                key("addressSpace"),
                f"{config.address_space} differs from the allocation {allocated} for "
                f"'{config.lab}' in {config.landing_zone_stack}'s hlz:spokes",
            )
        )
    zones = landing_zone["privateDnsZoneIds"]
    for wanted, config_key, zone_key, service in (
        (config.search, "search", SEARCH_ZONE_KEY, "Azure AI Search"),
        (config.ai_gateway, "aiGateway", AI_GATEWAY_ZONE_KEY, "API Management"),
        (config.agent_service, "agentService", AGENT_ZONE_KEY, "Azure Cosmos DB"),
    ):
        if wanted is not None and not (isinstance(zones, dict) and zones.get(zone_key)):
            problems.append(
                (
                    key(config_key),
                    f"{config.landing_zone_stack} exports no private DNS zone for {service} "
                    f"(privateDnsZoneIds has no '{zone_key}'): update the landing zone stack "
                    f"first (`pulumi up` on {config.landing_zone_stack} creates "
                    f"{PRIVATE_DNS_ZONES[zone_key][0]}), or remove hlz:{config_key}",
                )
            )
    gateway_missing = [name for name in AI_GATEWAY_OUTPUTS if landing_zone.get(name) in (None, "")]
    if config.ai_gateway is not None and gateway_missing:
        problems.append(
            (
                key("aiGateway"),
                f"{config.landing_zone_stack} exports no Application Insights for the gateway's "
                f"token metrics (no {', '.join(gateway_missing)} output): run `pulumi up` on "
                f"{config.landing_zone_stack} first, or remove hlz:aiGateway",
            )
        )
    alert_missing = [name for name in ALERT_OUTPUTS if landing_zone.get(name) in (None, "")]
    if alert_missing:
        problems.append(
            (
                key("landingZoneStack"),
                f"{config.landing_zone_stack} exports no action group for the lab's alerts and "
                f"budget (no {', '.join(alert_missing)} output): run `pulumi up` on "
                f"{config.landing_zone_stack} first (it creates the platform action group)",
            )
        )
    bastion_missing = [name for name in BASTION_OUTPUTS if landing_zone.get(name) in (None, "")]
    if config.jump_host is not None and bastion_missing:
        problems.append(
            (
                key("jumpHost"),
                f"{config.landing_zone_stack} exports no Azure Bastion (no "
                f"{', '.join(bastion_missing)} output): the jump host is reached only through "
                "the hub's Bastion; give the landing zone hlz:bastion: true and run `pulumi up` "
                f"on {config.landing_zone_stack} first, or remove hlz:jumpHost",
            )
        )
    vault_sku = landing_zone.get("keyVaultSku")
    if config.hsm_keys and vault_sku != "premium":
        problems.append(
            (
                key("tags", CLASSIFICATION_TAG) if config.phi else key("profile"),
                f"this lab needs HSM-backed keys ({'PHI' if config.phi else 'production'}), "
                f"but {config.landing_zone_stack}'s Key Vault is "
                + (f"'{vault_sku}'" if vault_sku else "of unknown SKU (no keyVaultSku output)")
                + "; classify the landing zone 'phi' or make it production (its vault becomes "
                "premium) and run `pulumi up` on it first",
            )
        )
    problems += ruleset_link_problems(config, landing_zone)
    if landing_zone["profile"] != config.profile:
        problems.append(
            (
                key("profile"),
                f"'{config.profile}' differs from the landing zone's profile "
                f"'{landing_zone['profile']}'",
            )
        )
    return problems


def validate_ai_lab_config(
    config: AiLabConfig, stack: str, landing_zone: dict[str, Any], today: date | None = None
) -> None:
    """Raise ConfigError listing every semantic problem of the lab's config."""
    problems = own_problems(config, stack, today)
    problems += _landing_zone_problems(config, landing_zone)
    raise_if(problems, SOURCE)


def own_problems(
    config: AiLabConfig, stack: str, today: date | None = None
) -> list[tuple[str, str]]:
    """Every semantic problem of the lab's config that its landing zone's outputs play no part
    in (``hlz lab new`` checks what it writes with these before the landing zone is planned)."""
    today = today or utc_today()
    problems: list[tuple[str, str]] = []
    if not LAB_NAME.fullmatch(config.lab):
        problems.append((key("lab"), "lab names are 3-16 lowercase letters, digits and hyphens"))
    problems += location_problems(config.location, key("location"))
    deployments = len(config.openai.deployments)
    problems += tag_problems(
        config.tags,
        key("tags"),
        own_tags=max(RESERVED_TAGS, deployments),
        own_tags_are=(
            "a deployment's governance record and override reasons; one approval tag per "
            f"deployment ({deployments}) on the OpenAI account"
        ),
        storage=True,
    )
    reference = stack_reference_problem(config.landing_zone_stack, stack)
    if reference is not None:
        problems.append((key("landingZoneStack"), reference))
    namer = lab_namer(config, stack)
    names = namer.problems(NAMED_RESOURCES.items())
    if config.openai.projects:
        names += namer.problems([STORAGE_CONNECTION])
    if config.search is not None:
        names += namer.problems(SEARCH_NAMED_RESOURCES.items())
        if config.openai.projects:
            names += namer.problems([SEARCH_CONNECTION])
    if config.jump_host is not None:
        names += namer.problems(JUMP_HOST_NAMED_RESOURCES.items())
    if config.ai_gateway is not None:
        names += namer.problems(AI_GATEWAY_NAMED_RESOURCES.items())
    if config.agent_service is not None:
        # Pairs, not one mapping: the thread store's and the file store's endpoints, and the
        # two connections, are two names of one kind each.
        names += namer.problems(
            [*AGENT_NAMED_RESOURCES.items(), AGENT_FILES_ENDPOINTS, *AGENT_CONNECTIONS]
        )
    problems += [(key("prefix"), f"{message} (shorten hlz:prefix or hlz:lab)") for message in names]
    problems += _network_problems(config)
    problems += _budget_problems(config, today)
    problems += _deployment_problems(config, today)
    problems += _gateway_override_problems(config, today)
    problems += _project_problems(config)
    problems += _agent_service_problems(config)
    return problems
