"""The AI-lab program: one lab team's spoke, wired from components and the landing zone's outputs.

It runs as an async Pulumi program because it must read the landing zone's outputs (a
StackReference, a read — nothing is created) and validate the lab's config against them before
registering any resource.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import authorization

from components.ai_gateway import AiGateway, AiGatewayArgs
from components.alerts import AlertTarget, BaselineAlerts, BaselineAlertsArgs
from components.budget import LabBudget, LabBudgetArgs
from components.cosmos import COSMOS_DNS_SUFFIX, AgentThreadStore, AgentThreadStoreArgs
from components.dns_resolver import (
    DnsForwardingRulesetLink,
    DnsForwardingRulesetLinkArgs,
)
from components.encryption import EncryptionKey, EncryptionKeyArgs
from components.errors import ConfigError
from components.foundry import (
    FoundryAgentStores,
    FoundryProject,
    FoundryProjectArgs,
    FoundrySearchConnection,
    FoundryStorageConnection,
)
from components.health_data import HealthDataServices, HealthDataServicesArgs
from components.jump_host import JumpHost, JumpHostArgs
from components.openai import OpenAI, OpenAIArgs
from components.resource_group import ResourceGroup, ResourceGroupArgs
from components.runtime_policy import exempt_at_runtime, record_resources
from components.search import (
    SEARCH_DNS_SUFFIX,
    AiSearch,
    AiSearchArgs,
    SearchDataReader,
    SharedPrivateLink,
)
from components.shared import DiagnosticsTarget, PrivateLinkTarget
from components.spoke_network import SpokeHub, SpokeNetwork, SpokeNetworkArgs
from components.storage import LabStorage, LabStorageArgs
from policies.clock import utc_today
from policies.model import Profile
from policies.rules.tokens import (
    COGNITIVE_ACCOUNT,
    COSMOS_ACCOUNT,
    DICOM_SERVICE,
    FHIR_SERVICE,
    SEARCH_SERVICE,
    STORAGE_ACCOUNT,
)
from policies.vocabulary import LAB_TAG
from stacks.ai_lab.config import (
    AGENT_CONNECTIONS,
    AGENT_FILES_ENDPOINTS,
    AGENT_NAMED_RESOURCES,
    AGENT_ZONE_KEY,
    AI_GATEWAY_ZONE_KEY,
    SEARCH_CONNECTION,
    SEARCH_ZONE_KEY,
    STORAGE_CONNECTION,
    AiLabConfig,
    lab_namer,
    parse_ai_lab_config,
    validate_ai_lab_config,
)
from stacks.common import key, project_exemptions

FHIR_EXPORT_CONTAINER = "fhir-export"


async def read_landing_zone(config: AiLabConfig) -> dict[str, Any]:
    reference = pulumi.StackReference(config.landing_zone_stack)
    if not await reference.outputs.is_known():
        raise ConfigError(
            [
                (
                    key("landingZoneStack"),
                    f"outputs of '{config.landing_zone_stack}' are not known yet",
                )
            ],
            "AI-lab configuration",
        )
    return dict(await reference.outputs.future() or {})


async def run(raw: dict[str, Any], stack: str) -> None:
    config = parse_ai_lab_config(raw)
    landing_zone = await read_landing_zone(config)
    validate_ai_lab_config(config, stack, landing_zone)
    build(config, stack, landing_zone)


def zone_ids(landing_zone: dict[str, Any], *services: str) -> dict[str, str]:
    return {
        zone: zone_id
        for service in services
        for zone, zone_id in landing_zone["privateDnsZoneIds"][service].items()
    }


def build(config: AiLabConfig, stack: str, landing_zone: dict[str, Any]) -> None:
    exemptions = project_exemptions(config.profile)
    recorded = record_resources()
    namer = lab_namer(config, stack)
    client = authorization.get_client_config_output()
    tags = dict(config.tags)
    group = ResourceGroup(
        "lab",
        ResourceGroupArgs(
            resource_group_name=namer.name("resource_group", ""),
            location=config.location,
            tags=tags,
            # Marks the lab's group: cost-resourcegroup-require-budget judges it.
            group_tags={LAB_TAG: config.lab},
            lock_override=config.lock_override,
        ),
    )
    placement = group.placement
    action_group_id = landing_zone["actionGroupId"]
    if config.budget is not None:  # always: validate_ai_lab_config refuses a lab without one
        LabBudget(
            "budget",
            LabBudgetArgs(
                budget_name=namer.name("budget", ""),
                scope=group.id,
                amount=config.budget.amount,
                start_date=config.budget.start_date,
                contact_emails=config.budget_emails,
                action_group_id=action_group_id,
            ),
        )
    diagnostics = DiagnosticsTarget(workspace_id=landing_zone["logAnalyticsWorkspaceId"])
    lab_services = ["openai", "health", "storage"]
    if config.search is not None:
        lab_services.append(SEARCH_ZONE_KEY)
    if config.ai_gateway is not None:
        lab_services.append(AI_GATEWAY_ZONE_KEY)
    if config.agent_service is not None:
        lab_services.append(AGENT_ZONE_KEY)
    lab_zones = zone_ids(landing_zone, *lab_services)
    # The spoke also resolves the platform Key Vault (workloads read secrets through its
    # private endpoint); the lab's own endpoints only need the lab zones.
    resolved_zones = zone_ids(landing_zone, *lab_services, "keyvault")

    spoke = SpokeNetwork(
        "spoke",
        SpokeNetworkArgs(
            placement=placement,
            namer=namer,
            address_space=config.address_space,
            private_endpoint_prefix=config.subnets.private_endpoints,
            workload_prefix=config.subnets.workloads,
            hub=SpokeHub(
                vnet_id=landing_zone["hubVnetId"],
                vnet_name=landing_zone["hubVnetName"],
                resource_group_name=landing_zone["resourceGroupName"],
                firewall_private_ip=landing_zone["firewallPrivateIp"],
                dns_zone_ids=resolved_zones,
            ),
            diagnostics=diagnostics,
            bastion_subnet_prefix=(
                landing_zone["bastionSubnetPrefix"] if config.jump_host is not None else None
            ),
            gateway_prefix=config.subnets.gateway if config.ai_gateway is not None else None,
            agent_prefix=config.subnets.agents if config.agent_service is not None else None,
        ),
    )
    private_link = PrivateLinkTarget(
        subnet_id=spoke.private_endpoint_subnet_id, dns_zone_ids=lab_zones
    )
    ruleset_id = landing_zone.get("dnsForwardingRulesetId")
    if ruleset_id is not None:
        # The landing zone's DNS Private Resolver answers the spoke's on-premises names: the
        # link is a child of the ruleset, so it lives in the landing zone's resource group.
        DnsForwardingRulesetLink(
            "dns-ruleset",
            DnsForwardingRulesetLinkArgs(
                ruleset_id=ruleset_id,
                virtual_network_id=spoke.id,
                link_name=namer.name("virtual_network", "spoke"),
            ),
        )

    def encryption_key(role: str) -> EncryptionKey:
        return EncryptionKey(
            f"{role}-cmk",
            EncryptionKeyArgs(
                placement=placement,
                identity_name=namer.name("managed_identity", role),
                key_name=f"{config.lab}-{role}-cmk",
                vault_name=landing_zone["keyVaultName"],
                vault_resource_group_name=landing_zone["managementResourceGroupName"],
                vault_uri=landing_zone["keyVaultUri"],
                hsm_override=config.hsm_override,
                subscription_id=client.subscription_id,
            ),
        )

    storage_account_name = namer.name("storage_account", "")
    storage = LabStorage(
        "storage",
        LabStorageArgs(
            placement=placement,
            account_name=storage_account_name,
            endpoint_name_prefix=namer.name("private_endpoint", "st"),
            encryption=encryption_key("storage"),
            private_link=private_link,
            diagnostics=diagnostics,
            containers=[FHIR_EXPORT_CONTAINER],
        ),
    )

    search_name = namer.name("search_service", "") if config.search is not None else None
    # "On your data" and agents call the lab's indexes from the account.
    search_hosts = [f"{search_name}.{SEARCH_DNS_SUFFIX}"] if search_name else []
    agent_stores = None
    agent_hosts: list[str] = []
    if config.agent_service is not None:
        # The Agent Service's standard setup: the lab's own stores, under one key of their own.
        agents_key = encryption_key("agents")
        threads_name = namer.name("cosmos_account", AGENT_NAMED_RESOURCES["cosmos_account"])
        files_name = namer.name("storage_account", AGENT_NAMED_RESOURCES["storage_account"])
        thread_store = AgentThreadStore(
            "agent-threads",
            AgentThreadStoreArgs(
                placement=placement,
                account_name=threads_name,
                endpoint_name=namer.name("private_endpoint", "cosmos"),
                encryption=agents_key,
                private_link=private_link,
                diagnostics=diagnostics,
                total_throughput_limit=config.agent_service.thread_throughput_limit,
                subscription_id=client.subscription_id,
            ),
        )
        # Agents' files get an account of their own: the project identities the setup needs
        # to hold Blob Data Contributor there never reach the lab's PHI storage.
        file_store = LabStorage(
            "agent-files",
            LabStorageArgs(
                placement=placement,
                account_name=files_name,
                endpoint_name_prefix=namer.name(*AGENT_FILES_ENDPOINTS),
                encryption=agents_key,
                private_link=private_link,
                diagnostics=diagnostics,
                containers=[],
            ),
        )
        agent_stores = FoundryAgentStores(
            thread_connection_name=namer.name(*AGENT_CONNECTIONS[0]),
            thread_store=thread_store,
            file_connection_name=namer.name(*AGENT_CONNECTIONS[1]),
            file_store=file_store,
        )
        # The account may call the two stores the agents keep their data in.
        agent_hosts = [f"{threads_name}.{COSMOS_DNS_SUFFIX}", f"{files_name}.blob.core.windows.net"]
    openai = OpenAI(
        "openai",
        OpenAIArgs(
            placement=placement,
            account_name=namer.name("cognitive_services", ""),
            endpoint_name=namer.name("private_endpoint", "openai"),
            kind=config.openai.kind,
            encryption=encryption_key("openai"),
            private_link=private_link,
            diagnostics=diagnostics,
            allowed_fqdns=[
                f"{storage_account_name}.blob.core.windows.net",
                *search_hosts,
                *agent_hosts,
                *config.openai.allowed_fqdns,
            ],
            content_filters=config.openai.content_filters,
            deployments=config.openai.deployments,
            member_group_ids=config.member_group_ids,
            subscription_id=client.subscription_id,
            agent_subnet_id=spoke.agent_subnet_id,
        ),
    )

    # Children of the account (the search service's shared private link to it, projects and
    # their connections) are created one at a time, after the deployments (if any).
    previous: pulumi.Resource = openai.last_child
    search = None
    if config.search is not None and search_name is not None:
        search = AiSearch(
            "search",
            AiSearchArgs(
                placement=placement,
                service_name=search_name,
                endpoint_name=namer.name("private_endpoint", "srch"),
                spec=config.search,
                encryption=encryption_key("search"),
                private_link=private_link,
                diagnostics=diagnostics,
                # Indexers read the lab's blobs; integrated vectorization calls its models.
                shared_private_links=[
                    SharedPrivateLink(name="storage-blob", target_id=storage.id, group_id="blob"),
                    SharedPrivateLink(
                        name="ai-account", target_id=openai.id, group_id="openai_account"
                    ),
                ],
                data_readers=[
                    SearchDataReader(
                        name="storage", scope=storage.id, role="Storage Blob Data Reader"
                    ),
                    SearchDataReader(
                        name="ai-account", scope=openai.id, role="Cognitive Services OpenAI User"
                    ),
                ],
                member_group_ids=config.member_group_ids,
                subscription_id=client.subscription_id,
            ),
            after=previous,
        )
        previous = search.shared_private_links[-1]
    project_search = (
        FoundrySearchConnection(
            connection_name=namer.name(*SEARCH_CONNECTION),
            search_id=search.id,
            endpoint=search.endpoint,
        )
        if search is not None and config.openai.projects
        else None
    )
    for project in config.openai.projects:
        foundry_project = FoundryProject(
            f"project-{project.name}",
            FoundryProjectArgs(
                placement=placement,
                account_name=openai.name,
                spec=project,
                subscription_id=client.subscription_id,
                search=project_search,
                storage=FoundryStorageConnection(
                    connection_name=namer.name(*STORAGE_CONNECTION),
                    storage_id=storage.id,
                    blob_endpoint=storage.blob_endpoint,
                ),
                agents=agent_stores,
            ),
            after=previous,
        )
        previous = foundry_project.last_child

    ai_gateway = None
    if config.ai_gateway is not None and spoke.gateway_subnet_id is not None:
        ai_gateway = AiGateway(
            "aigateway",
            AiGatewayArgs(
                placement=placement,
                service_name=namer.name("api_management", ""),
                endpoint_name=namer.name("private_endpoint", "apim"),
                spec=config.ai_gateway,
                tenant_id=client.tenant_id,
                account_id=openai.id,
                account_endpoint=openai.endpoint,
                integration_subnet_id=spoke.gateway_subnet_id,
                private_link=private_link,
                diagnostics=diagnostics,
                app_insights_id=landing_zone["appInsightsId"],
                app_insights_connection_string=landing_zone["appInsightsConnectionString"],
                subscription_id=client.subscription_id,
            ),
        )

    health = None
    if config.health_data.fhir or config.health_data.dicom:
        health = HealthDataServices(
            "health",
            HealthDataServicesArgs(
                placement=placement,
                workspace_name=namer.name("health_workspace", ""),
                fhir_name=namer.name("fhir_service", ""),
                dicom_name=namer.name("dicom_service", ""),
                tenant_id=client.tenant_id,
                encryption=encryption_key("health"),
                private_link=private_link,
                diagnostics=diagnostics,
                fhir=config.health_data.fhir,
                dicom=config.health_data.dicom,
                cors_origins=config.health_data.cors_origins,
                fhir_data_role=config.health_data.fhir_data_role,
                member_group_ids=config.member_group_ids,
                # FHIR $export writes to the lab storage; without FHIR there is nothing to export.
                export_storage_account_name=storage.name if config.health_data.fhir else None,
                export_container_id=(
                    storage.container_ids[FHIR_EXPORT_CONTAINER]
                    if config.health_data.fhir
                    else None
                ),
                subscription_id=client.subscription_id,
            ),
        )

    jump_host = None
    if config.jump_host is not None:
        jump_host = JumpHost(
            "jumphost",
            JumpHostArgs(
                placement=placement,
                vm_name=namer.name("virtual_machine", "jump"),
                nic_name=namer.name("network_interface", "jump"),
                disk_encryption_set_name=namer.name("disk_encryption_set", "jump"),
                spec=config.jump_host,
                subnet_id=spoke.workload_subnet_id,
                encryption=encryption_key("jumphost"),
                member_group_ids=config.member_group_ids,
                # A Bastion connection reads the host and, Bastion being in the peered hub,
                # the VM's own virtual network.
                connection_read_scopes={
                    "bastion": landing_zone["bastionHostId"],
                    "spoke-vnet": spoke.id,
                },
                subscription_id=client.subscription_id,
            ),
        )

    # Baseline alerts on everything the lab deploys that has them (docs/alerts.md), to the
    # landing zone's action group; each PHI store's availability alert among them.
    alert_targets = [
        AlertTarget(role="openai", resource_type=COGNITIVE_ACCOUNT, resource_id=openai.id),
        AlertTarget(role="storage", resource_type=STORAGE_ACCOUNT, resource_id=storage.id),
    ]
    if agent_stores is not None:
        alert_targets += [
            AlertTarget(
                role="agent-threads",
                resource_type=COSMOS_ACCOUNT,
                resource_id=agent_stores.thread_store.id,
            ),
            AlertTarget(
                role="agent-files",
                resource_type=STORAGE_ACCOUNT,
                resource_id=agent_stores.file_store.id,
            ),
        ]
    if health is not None:
        if health.fhir_id is not None:
            alert_targets.append(
                AlertTarget(role="fhir", resource_type=FHIR_SERVICE, resource_id=health.fhir_id)
            )
        if health.dicom_id is not None:
            alert_targets.append(
                AlertTarget(role="dicom", resource_type=DICOM_SERVICE, resource_id=health.dicom_id)
            )
    if search is not None:
        alert_targets.append(
            AlertTarget(role="search", resource_type=SEARCH_SERVICE, resource_id=search.id)
        )
    BaselineAlerts(
        "baseline-alerts",
        BaselineAlertsArgs(
            placement=placement,
            namer=namer,
            targets=alert_targets,
            action_group_id=action_group_id,
        ),
    )

    # The landing zone's runtime initiative covers the lab (it is assigned to the whole
    # subscription); the lab's resources named by an exemption are exempted from it here.
    runtime_assignment = landing_zone.get("runtimePolicyAssignmentId")
    if runtime_assignment is not None:
        pulumi.export("runtimePolicyAssignmentId", runtime_assignment)
        exempt_at_runtime(
            recorded,
            exemptions,
            assignment_id=runtime_assignment,
            profile=Profile(landing_zone.get("profile", config.profile)),
            today=utc_today(),
        )
    pulumi.export("lab", config.lab)
    # The profile the pack judged it by: `hlz check` of a `pulumi stack export` reads it back.
    pulumi.export("profile", config.profile)
    pulumi.export("resourceGroupName", group.name)
    pulumi.export("spokeVnetId", spoke.id)
    pulumi.export("openaiAccountName", openai.name)
    pulumi.export("openaiEndpoint", openai.endpoint)
    pulumi.export(
        "modelDeployments",
        [
            {
                "name": d.name,
                "model": d.model,
                "version": d.version,
                "sku": d.sku,
                "capacity": d.capacity,
                "contentFilter": d.content_filter,
                "useCase": d.governance.use_case,
                "riskTier": d.governance.risk_tier,
                "approvalReference": d.governance.approval_reference,
                "approvalExpires": d.governance.approval_expires.isoformat(),
                "owner": d.governance.owner,
                "processesPhi": d.governance.processes_phi,
            }
            for d in config.openai.deployments
        ],
    )
    pulumi.export("storageAccountName", storage.name)
    # A blob data source connects with the search service's identity: "ResourceId=<this>;".
    pulumi.export("storageAccountId", storage.id)
    if search is not None:
        pulumi.export("searchServiceName", search.name)
        pulumi.export("searchEndpoint", search.endpoint)
        # CMK enforcement refuses every index, data source, indexer or skillset whose
        # encryptionKey does not name this key: the object's encryptionKey, in the REST API's
        # field names (no key version: the key rotates, and objects follow its latest version).
        pulumi.export(
            "searchIndexEncryptionKey",
            {
                "keyVaultUri": search.cmk_vault_uri.apply(lambda uri: uri.rstrip("/")),
                "keyVaultKeyName": search.cmk_key_name,
                "userAssignedIdentity": search.cmk_identity_id,
            },
        )
    if ai_gateway is not None:
        pulumi.export("aiGatewayName", ai_gateway.name)
        # What callers use instead of openaiEndpoint, with an Entra ID token for the audience.
        pulumi.export("aiGatewayEndpoint", ai_gateway.endpoint)
    if jump_host is not None:
        pulumi.export("jumpHostId", jump_host.id)
        pulumi.export("jumpHostName", jump_host.name)
        # How a member connects (docs/jump-host.md): Entra ID through the hub's Bastion, with
        # az network bastion ssh only where the landing zone turned native client support on
        # (a landing zone that exports no bastionNativeClient predates it: it has none).
        pulumi.export(
            "jumpHostSshCommand",
            pulumi.Output.concat(
                "az network bastion ssh --name ",
                landing_zone["bastionHostName"],
                " --resource-group ",
                landing_zone["resourceGroupName"],
                " --target-resource-id ",
                jump_host.id,
                " --auth-type AAD",
            )
            if landing_zone.get("bastionNativeClient") is True
            else pulumi.Output.concat(
                "Azure portal: open the virtual machine ",
                jump_host.name,
                " (resource group ",
                group.name,
                "), select Connect > Bastion, protocol SSH, authentication type Microsoft "
                "Entra ID, then Connect. The hub's Bastion has no native client support, so "
                "az network bastion ssh is not available (docs/jump-host.md).",
            ),
        )
    if health is not None:
        pulumi.export("healthWorkspaceId", health.id)
        if config.health_data.fhir:
            pulumi.export("fhirUrl", health.fhir_url)
