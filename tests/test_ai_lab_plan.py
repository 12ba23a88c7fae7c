"""How a planned AI lab is wired (lab-dev and lab-prod, planned once each).

The security settings each resource must carry are the policy pack's to check:
tests/test_example_stacks.py holds every example plan to every rule. This module keeps what no
rule states: which resources exist and how many, how they connect to the hub and to each other,
in which order they are created, and the values the stack chooses where a rule allows several.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from hlz.plan import Plan

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ACCOUNT = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
STORAGE = "azure-native:storage:StorageAccount"
FHIR = "azure-native:healthcareapis:FhirService"
DICOM = "azure-native:healthcareapis:DicomService"
HDS = "azure-native:resources:Resource"
"""The Health Data Services workspace (a generic resource: the typed one cannot go private), and
the spoke's link to the landing zone's DNS forwarding ruleset (another: ``health_workspace``)."""


def _lab_storage(plan: Plan) -> list:
    """The lab's own storage account (the one the stack exports), not its agents' file store."""
    return [
        s
        for s in plan.of_type(STORAGE)
        if s.inputs["accountName"] == plan.outputs["storageAccountName"]
    ]


def health_workspace(plan: Plan):
    (workspace,) = [
        r
        for r in plan.of_type(HDS)
        if r.inputs["resourceProviderNamespace"] == "Microsoft.HealthcareApis"
    ]
    return workspace


def test_acceptance_resource_types_are_planned(lab_dev: Plan):
    counts = Counter(r.type for r in lab_dev.custom_resources)
    assert counts[ACCOUNT] == 1 and counts[DEPLOYMENT] >= 2
    assert counts[FHIR] == counts[DICOM] == 1
    # the Health Data Services workspace, the DNS ruleset link and the members' two custom roles
    # (Jump Host Starter, Search Object Contributor: tests/test_custom_roles_plan.py)
    assert counts[HDS] == 4
    assert counts[STORAGE] == 2  # the lab's PHI storage, and its agents' file store apart from it
    assert counts["azure-native:managedidentity:UserAssignedIdentity"] >= 1
    assert counts["azure-native:keyvault:Key"] >= 1
    assert counts["azure-native:network:VirtualNetwork"] == 1
    assert counts["azure-native:network:VirtualNetworkPeering"] == 2
    assert counts["azure-native:network:PrivateEndpoint"] >= 4
    assert counts["azure-native:privatedns:VirtualNetworkLink"] >= 1
    assert counts["azure-native:monitor:DiagnosticSetting"] >= 1
    assert counts["azure-native:authorization:RoleAssignment"] >= 1


def test_peerings_go_both_ways(lab_dev: Plan, lz_dev: Plan):
    spoke = lab_dev.of_type("azure-native:network:VirtualNetwork")[0]
    peerings = lab_dev.of_type("azure-native:network:VirtualNetworkPeering")
    remotes = {p.inputs["remoteVirtualNetwork"]["id"] for p in peerings}
    assert remotes == {spoke.id, lz_dev.outputs["hubVnetId"]}
    assert {p.inputs["virtualNetworkName"] for p in peerings} == {
        spoke.inputs["virtualNetworkName"],
        lz_dev.outputs["hubVnetName"],
    }


def test_spoke_routes_through_the_hub_firewall(lab_plan: Plan):
    hub = lab_plan.referenced[next(iter(lab_plan.referenced))]  # type: ignore[index]
    route = lab_plan.of_type("azure-native:network:RouteTable")[0].inputs["routes"][0]
    assert route["nextHopIpAddress"] == hub.outputs["firewallPrivateIp"]
    for subnet in lab_plan.of_type("azure-native:network:Subnet"):
        if subnet.inputs["subnetName"].endswith("-agents"):
            continue  # no route, as in Microsoft's template (the agent-service tests below)
        assert subnet.inputs["routeTable"]["id"], subnet.inputs["subnetName"]


def test_spoke_links_every_zone_its_services_use(lab_plan: Plan):
    linked = {
        r.inputs["privateZoneName"]
        for r in lab_plan.of_type("azure-native:privatedns:VirtualNetworkLink")
    }
    used = {
        config["name"]
        for group in lab_plan.of_type("azure-native:network:PrivateDnsZoneGroup")
        for config in group.inputs["privateDnsZoneConfigs"]
    }
    assert {name.replace("-", ".") for name in used} <= {zone.replace("-", ".") for zone in linked}


def test_private_endpoints_use_the_group_ids_and_zones_of_their_service(lab_plan: Plan):
    endpoints = lab_plan.of_type("azure-native:network:PrivateEndpoint")
    groups = lab_plan.of_type("azure-native:network:PrivateDnsZoneGroup")
    by_target: dict[str, list[str]] = {}
    for endpoint in endpoints:
        for connection in endpoint.inputs["privateLinkServiceConnections"]:
            by_target.setdefault(connection["privateLinkServiceId"], []).extend(
                connection["groupIds"]
            )
    (storage,) = _lab_storage(lab_plan)
    assert sorted(by_target[storage.id]) == ["blob", "dfs"]
    workspace = health_workspace(lab_plan)
    assert by_target[workspace.id] == ["healthcareworkspace"]
    zone_sets = [{c["name"] for c in g.inputs["privateDnsZoneConfigs"]} for g in groups]
    assert {
        "privatelink-workspace-azurehealthcareapis-com",
        "privatelink-fhir-azurehealthcareapis-com",
        "privatelink-dicom-azurehealthcareapis-com",
    } in zone_sets
    # An AIServices (Foundry) account also registers in the services.ai zone.
    (account,) = lab_plan.of_type(ACCOUNT)
    ai_zones = {"privatelink-openai-azure-com", "privatelink-cognitiveservices-azure-com"}
    if account.inputs["kind"] == "AIServices":
        ai_zones.add("privatelink-services-ai-azure-com")
    assert ai_zones in zone_sets


def test_customer_managed_keys_are_named_by_identity_and_key_url(lab_plan: Plan):
    account = lab_plan.of_type(ACCOUNT)[0].inputs["properties"]["encryption"]
    assert account["keyVaultProperties"]["identityClientId"]  # the user-assigned identity
    for token in (FHIR, DICOM):
        key_url = lab_plan.of_type(token)[0].inputs["encryption"]["customerManagedKeyEncryption"][
            "keyEncryptionKeyUrl"
        ]
        assert key_url.startswith("https://") and "/keys/" in key_url


def test_storage_sends_account_metrics_and_blob_logs(lab_plan: Plan):
    """Two settings: the account's own (metrics) and its blob service's (StorageRead/Write/
    Delete); the pack's diagnostics rule is satisfied by either one."""
    targets = {
        s.inputs["resourceUri"] for s in lab_plan.of_type("azure-native:monitor:DiagnosticSetting")
    }
    (storage,) = _lab_storage(lab_plan)
    assert storage.id in targets
    assert f"{storage.id}/blobServices/default" in targets


def test_model_deployments_form_a_single_chain(lab_plan: Plan):
    deployments = lab_plan.of_type(DEPLOYMENT)
    assert len(deployments) >= 2
    for previous, current in zip(deployments, deployments[1:], strict=False):
        assert previous.urn in current.dependencies
    assert not any(d.urn in deployments[0].dependencies for d in deployments[1:])
    for deployment in deployments:
        assert deployment.inputs["sku"]["name"] == "DataZoneStandard"


def test_custom_content_filter_blocks_every_harm_category(lab_dev: Plan):
    policy = lab_dev.of_type("azure-native:cognitiveservices:RaiPolicy")[0].inputs["properties"]
    filters = {(f["name"], f["source"]): f for f in policy["contentFilters"]}
    for category in ("Hate", "Sexual", "Violence", "Selfharm"):
        for source in ("Prompt", "Completion"):
            assert filters[(category, source)]["blocking"] is True
            assert filters[(category, source)]["severityThreshold"] == "Low"
    assert filters[("Jailbreak", "Prompt")]["blocking"] is True


def test_role_assignments_are_deterministic_guids(lab_plan: Plan):
    assignments = lab_plan.of_type("azure-native:authorization:RoleAssignment")
    names = [a.inputs["roleAssignmentName"] for a in assignments]
    assert all(GUID.fullmatch(name) for name in names) and len(set(names)) == len(names)
    assert all(a.inputs["principalType"] in {"Group", "ServicePrincipal"} for a in assignments)
    roles = {a.inputs["roleDefinitionId"].rsplit("/", 1)[-1] for a in assignments}
    assert "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd" in roles  # Cognitive Services OpenAI User
    assert "4c8d0bbc-75d3-4935-991f-5f3c56d81508" in roles  # FHIR Data Reader


def test_fhir_service_settings(lab_plan: Plan):
    fhir = lab_plan.of_type(FHIR)[0].inputs
    assert fhir["kind"] == "fhir-R4"
    assert fhir["authenticationConfiguration"]["authority"].endswith(lab_plan.tenant_id)
    assert fhir["resourceVersionPolicyConfiguration"]["default"] == "versioned"
    assert (
        fhir["exportConfiguration"]["storageAccountName"]
        == _lab_storage(lab_plan)[0].inputs["accountName"]
    )


def test_production_lab_is_locked(lab_prod: Plan, lab_dev: Plan):
    assert lab_prod.of_type("azure-native:authorization:ManagementLockByScope")
    assert not lab_dev.of_type("azure-native:authorization:ManagementLockByScope")


def test_dicom_without_fhir_plans_without_an_export(lz_dev: Plan):
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    stack_file = load_stack_file("lab-dev")
    stack_file.config["hlz:healthData"] = {"fhir": False, "dicom": True}
    plan = PLANNER.plan("lab-dicom", stack_file=stack_file)
    assert not plan.of_type(FHIR) and len(plan.of_type(DICOM)) == 1
    roles = {
        a.inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        for a in plan.of_type("azure-native:authorization:RoleAssignment")
    }
    (storage,) = _lab_storage(plan)
    on_storage = {
        a.inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        for a in plan.of_type("azure-native:authorization:RoleAssignment")
        if a.inputs["scope"] == storage.id
    }
    # No export, so no blob role for FHIR on the lab's storage.
    assert "ba92f5b4-2d11-453d-a403-e96b0029c9fe" not in on_storage
    assert "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a" in roles  # DICOM Data Reader


def test_the_health_data_plane_is_private_and_the_pack_judges_it(lab_plan: Plan):
    from hlz.policy_check import check_plan, outcome_name

    workspace = health_workspace(lab_plan)
    assert workspace.inputs["resourceProviderNamespace"] == "Microsoft.HealthcareApis"
    assert workspace.inputs["properties"]["publicNetworkAccess"] == "Disabled"
    report = check_plan(lab_plan.to_json(), exemptions=[])
    verdicts = [
        outcome_name(f)
        for f in report.findings
        if f.rule.id == "healthcareapis-workspace-disallow-public-network-access"
    ]
    assert verdicts == ["pass"]


def test_phi_keys_are_hsm_backed_in_every_profile(lab_plan: Plan, lz_dev: Plan):
    """lab-dev and lab-prod hold PHI: HSM-backed keys in the landing zone's premium vault,
    whatever the profile (premium vaults have no standing cost)."""
    assert lab_plan.outputs and lab_plan.referenced
    (landing_zone,) = lab_plan.referenced.values()
    vault = landing_zone.of_type("azure-native:keyvault:Vault")[0].inputs
    assert vault["properties"]["sku"]["name"] == "premium"
    keys = lab_plan.of_type("azure-native:keyvault:Key")
    assert keys and all(k.inputs["properties"]["kty"] == "RSA-HSM" for k in keys)


def test_prompt_shields_go_off_only_with_an_override_written_on_the_policy(lz_dev: Plan):
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    reason = "shields flag clinical shorthand; limited-risk summaries only"
    stack_file = load_stack_file("lab-dev")
    stack_file.config["hlz:openai"]["contentFilters"]["relaxed"] = {
        "promptShieldOverride": {"reason": reason}
    }
    plan = PLANNER.plan("lab-relaxed", stack_file=stack_file)
    policies = {
        p.inputs["raiPolicyName"]: p.inputs
        for p in plan.of_type("azure-native:cognitiveservices:RaiPolicy")
    }
    shields = {
        f["name"]: f["blocking"]
        for f in policies["relaxed"]["properties"]["contentFilters"]
        if f["name"] in ("Jailbreak", "Indirect Attack")
    }
    assert shields == {"Jailbreak": False, "Indirect Attack": False}
    assert policies["relaxed"]["tags"]["hlz-override-prompt-shield"] == reason
    assert "hlz-override-prompt-shield" not in policies["clinical-strict"]["tags"]


def test_the_lab_profile_writes_why_it_weakens_a_default(lab_dev: Plan, lab_prod: Plan):
    """No lock in the lab profile, and the resource group says why; production has the lock
    and no such tag."""
    from stacks.common import LAB_PROFILE_OVERRIDES

    (dev_group,) = lab_dev.of_type("azure-native:resources:ResourceGroup")
    assert dev_group.inputs["tags"]["hlz-override-lock"] == LAB_PROFILE_OVERRIDES["lock"]
    (prod_group,) = lab_prod.of_type("azure-native:resources:ResourceGroup")
    assert "hlz-override-lock" not in prod_group.inputs["tags"]


# --- Azure AI Search ---------------------------------------------------------------------------

SEARCH = "azure-native:search:Service"
SHARED_PRIVATE_LINK = "azure-native:search:SharedPrivateLinkResource"
PROJECT_CONNECTION = "azure-native:cognitiveservices:ProjectConnection"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def _grants(plan: Plan) -> dict[tuple[str, str], list[dict]]:
    """(scope, role definition guid) -> the assignments' inputs."""
    found: dict[tuple[str, str], list[dict]] = {}
    for assignment in plan.of_type(ROLE_ASSIGNMENT):
        role = assignment.inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        found.setdefault((assignment.inputs["scope"], role), []).append(assignment.inputs)
    return found


def test_the_lab_plans_a_private_search_service_linked_to_its_data(lab_plan: Plan):
    from components.roles import BUILTIN_ROLES

    (service,) = lab_plan.of_type(SEARCH)
    name = service.inputs["searchServiceName"]
    assert name.startswith("srch-") and service.inputs["publicNetworkAccess"] == "Disabled"
    assert lab_plan.outputs["searchServiceName"] == name
    assert lab_plan.outputs["searchEndpoint"] == f"https://{name}.search.windows.net"

    # Its endpoint registers in the landing zone's search zone, which the spoke resolves.
    (endpoint,) = [
        e
        for e in lab_plan.of_type("azure-native:network:PrivateEndpoint")
        if e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] == service.id
    ]
    assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["searchService"]
    assert (
        endpoint.inputs["privateEndpointName"].startswith("pe-")
        and "srch" in (endpoint.inputs["privateEndpointName"])
    )
    linked = {
        r.inputs["privateZoneName"]
        for r in lab_plan.of_type("azure-native:privatedns:VirtualNetworkLink")
    }
    assert "privatelink.search.windows.net" in linked
    targets = {
        s.inputs["resourceUri"] for s in lab_plan.of_type("azure-native:monitor:DiagnosticSetting")
    }
    assert service.id in targets

    # Shared private links to the lab's blobs and AI account, one after another, after the
    # account's last deployment (one operation at a time on the account).
    (storage,) = _lab_storage(lab_plan)
    (account,) = lab_plan.of_type(ACCOUNT)
    links = lab_plan.of_type(SHARED_PRIVATE_LINK)
    assert [
        (link.inputs["properties"]["privateLinkResourceId"], link.inputs["properties"]["groupId"])
        for link in links
    ] == [(storage.id, "blob"), (account.id, "openai_account")]
    assert lab_plan.of_type(DEPLOYMENT)[-1].urn in links[0].dependencies
    assert links[0].urn in links[1].dependencies

    # The service's identity reads the blobs and calls the embedding models; members load
    # indexes. "On your data" and agents may call the service from the account.
    grants = _grants(lab_plan)
    # The service's identity, and each Foundry project's (its storage connection), read blobs.
    (blob_read,) = [
        assignment.inputs
        for assignment in lab_plan.of_type(ROLE_ASSIGNMENT)
        if assignment.inputs["scope"] == storage.id
        and assignment.inputs["roleDefinitionId"].endswith(BUILTIN_ROLES["Storage Blob Data Reader"])
        and service.urn in assignment.dependencies
    ]
    principal = blob_read["principalId"]
    assert GUID.fullmatch(principal) and blob_read["principalType"] == "ServicePrincipal"
    # (lab-prod's AI gateway holds the same role on the account with its own identity.)
    (model_use,) = [
        g
        for g in grants[(account.id, BUILTIN_ROLES["Cognitive Services OpenAI User"])]
        if g["principalType"] == "ServicePrincipal" and g["principalId"] == principal
    ]
    assert model_use["principalId"] == principal
    contributors = grants[(service.id, BUILTIN_ROLES["Search Index Data Contributor"])]
    (members,) = [g for g in contributors if g["principalType"] == "Group"]
    # Besides the members, only Foundry projects' identities with agents (vector stores).
    agents = [g for g in contributors if g["principalType"] != "Group"]
    assert len(agents) == len(lab_plan.of_type(CAPABILITY_HOST)), agents
    assert f"{name}.search.windows.net" in account.inputs["properties"]["allowedFqdnList"]


def test_the_search_service_is_sized_per_profile(lab_dev: Plan, lab_prod: Plan):
    (dev,) = lab_dev.of_type(SEARCH)
    (prod,) = lab_prod.of_type(SEARCH)
    assert (dev.inputs["sku"], dev.inputs["replicaCount"], dev.inputs["semanticSearch"]) == (
        {"name": "standard"},
        1,
        "free",
    )
    # Production: two replicas for the read SLA, the billed semantic ranker.
    assert (prod.inputs["sku"], prod.inputs["replicaCount"], prod.inputs["semanticSearch"]) == (
        {"name": "standard"},
        2,
        "standard",
    )


def test_each_foundry_project_connects_to_the_search_service_and_reads_it(lab_dev: Plan):
    from components.roles import BUILTIN_ROLES

    (service,) = lab_dev.of_type(SEARCH)
    (project,) = lab_dev.of_type("azure-native:cognitiveservices:Project")
    (connection,) = [
        c
        for c in lab_dev.of_type(PROJECT_CONNECTION)
        if c.inputs["properties"]["category"] == "CognitiveSearch"
    ]
    assert connection.inputs["projectName"] == project.inputs["projectName"]
    assert connection.inputs["properties"]["authType"] == "AAD"
    assert connection.inputs["properties"]["category"] == "CognitiveSearch"
    assert connection.inputs["properties"]["target"] == lab_dev.outputs["searchEndpoint"]
    assert connection.inputs["properties"]["metadata"]["ResourceId"] == service.id
    (reader,) = _grants(lab_dev)[(service.id, BUILTIN_ROLES["Search Index Data Reader"])]
    assert reader["principalType"] == "ServicePrincipal"
    # The project comes after the search service's links to the account.
    assert lab_dev.of_type(SHARED_PRIVATE_LINK)[-1].urn in project.dependencies


def test_the_lab_exports_what_an_encrypted_index_and_its_blob_data_source_name(lab_plan: Plan):
    """CMK enforcement refuses every search object (index, data source, indexer, skillset) whose
    encryptionKey does not name the lab's key, and a blob data source connects with the
    service's identity to the storage account's id: the stack exports both, in the shape the
    search REST API takes (docs/labs/07-rag-ready-lab.md fills its templates from them)."""
    (key,) = [
        k
        for k in lab_plan.of_type("azure-native:keyvault:Key")
        if k.inputs["keyName"].endswith("-search-cmk")
    ]
    (service,) = lab_plan.of_type(SEARCH)
    (identity_id,) = service.inputs["identity"]["userAssignedIdentities"]
    # The identity the service names is the one that may unwrap the key.
    (identity,) = [
        i
        for i in lab_plan.of_type("azure-native:managedidentity:UserAssignedIdentity")
        if i.id == identity_id
    ]
    (key_user,) = [
        g
        for g in lab_plan.of_type(ROLE_ASSIGNMENT)
        if g.inputs["scope"].endswith(
            f"/vaults/{key.inputs['vaultName']}/keys/{key.inputs['keyName']}"
        )
    ]
    assert identity.urn in key_user.property_dependencies["principalId"]
    assert lab_plan.outputs["searchIndexEncryptionKey"] == {
        # Learn writes the vault URI without the trailing slash Azure reports.
        "keyVaultUri": f"https://{key.inputs['vaultName']}.vault.azure.net",
        "keyVaultKeyName": key.inputs["keyName"],
        "userAssignedIdentity": identity_id,
    }
    (storage,) = _lab_storage(lab_plan)
    assert lab_plan.outputs["storageAccountId"] == storage.id


def test_a_lab_without_search_plans_none_of_it(lz_dev: Plan, lab_dev_without_agents: Plan):
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    # The Agent Service needs search: both go, and the plan is compared with one without agents.
    stack_file = _without_agents(load_stack_file("lab-dev"))
    del stack_file.config["hlz:search"]
    plan = PLANNER.plan("lab-no-search", stack_file=stack_file)
    for token in (SEARCH, SHARED_PRIVATE_LINK):
        assert not plan.of_type(token), token
    # The project keeps its connection to the lab storage only.
    assert [c.inputs["properties"]["category"] for c in plan.of_type(PROJECT_CONNECTION)] == [
        "AzureStorageAccount"
    ]
    assert "searchServiceName" not in plan.outputs and "searchEndpoint" not in plan.outputs
    assert "searchIndexEncryptionKey" not in plan.outputs
    linked = {
        r.inputs["privateZoneName"]
        for r in plan.of_type("azure-native:privatedns:VirtualNetworkLink")
    }
    assert "privatelink.search.windows.net" not in linked
    (account,) = plan.of_type(ACCOUNT)
    assert not any("search" in host for host in account.inputs["properties"]["allowedFqdnList"])
    # Exactly what the search service adds: its key (3), the service, its endpoint and zone
    # group, its diagnostic setting, two links, five role assignments, the members' Search
    # Object Contributor role definition, the zone link, the project's connection and its
    # throttling alert (docs/alerts.md).
    assert len(lab_dev_without_agents.custom_resources) - len(plan.custom_resources) == 18


# --- the jump host -----------------------------------------------------------------------------

VM = "azure-native:compute:VirtualMachine"
VM_EXTENSION = "azure-native:compute:VirtualMachineExtension"
DISK_ENCRYPTION_SET = "azure-native:compute:DiskEncryptionSet"
NIC = "azure-native:network:NetworkInterface"
NSG = "azure-native:network:NetworkSecurityGroup"
SUBNET = "azure-native:network:Subnet"
SHUTDOWN_SCHEDULE = "azure-native:devtestlab:GlobalSchedule"
JUMP_HOST_TYPES = (VM, VM_EXTENSION, DISK_ENCRYPTION_SET, NIC, SHUTDOWN_SCHEDULE)


def _workloads(plan: Plan) -> tuple[dict, dict]:
    """The workloads subnet's inputs and its NSG's."""
    (subnet,) = [s for s in plan.of_type(SUBNET) if s.inputs["subnetName"].endswith("-workloads")]
    (nsg,) = [n for n in plan.of_type(NSG) if n.id == subnet.inputs["networkSecurityGroup"]["id"]]
    return {"id": subnet.id, **subnet.inputs}, nsg.inputs


def test_both_labs_plan_a_jump_host_reached_only_through_the_hubs_bastion(lab_plan: Plan):
    from components.roles import BUILTIN_ROLES

    hub = lab_plan.referenced[next(iter(lab_plan.referenced))]  # type: ignore[index]
    (vm,) = lab_plan.of_type(VM)
    (nic,) = lab_plan.of_type(NIC)
    (des,) = lab_plan.of_type(DISK_ENCRYPTION_SET)
    (extension,) = lab_plan.of_type(VM_EXTENSION)
    subnet, nsg = _workloads(lab_plan)

    # In the workloads subnet, private only; the OS disk under the lab's own key.
    assert nic.inputs["ipConfigurations"][0]["subnet"]["id"] == subnet["id"]
    assert "publicIPAddress" not in nic.inputs["ipConfigurations"][0]
    assert vm.inputs["networkProfile"]["networkInterfaces"] == [{"id": nic.id, "primary": True}]
    managed_disk = vm.inputs["storageProfile"]["osDisk"]["managedDisk"]
    assert managed_disk["diskEncryptionSet"]["id"] == des.id
    (identity,) = des.inputs["identity"]["userAssignedIdentities"]
    # The jump host's own key identity (one key and identity per service).
    assert identity.rsplit("/", 1)[-1].endswith("-jumphost")
    assert vm.inputs["securityProfile"]["encryptionAtHost"] is True
    assert extension.inputs["vmName"] == vm.inputs["vmName"]
    assert vm.inputs["vmName"].startswith("vm-") and vm.inputs["vmName"].endswith("-jump")

    # SSH from the landing zone's Bastion subnet alone; SSH and RDP from anywhere else denied.
    rules = {rule["name"]: rule for rule in nsg["securityRules"]}
    assert (
        rules["allow-ssh-from-bastion"]["sourceAddressPrefix"] == hub.outputs["bastionSubnetPrefix"]
    )
    assert rules["allow-ssh-from-bastion"]["destinationAddressPrefix"] == subnet["addressPrefix"]
    assert rules["allow-ssh-from-bastion"]["destinationPortRanges"] == ["22"]
    assert rules["deny-remote-access-inbound"]["destinationPortRanges"] == ["22", "3389"]
    assert set(rules) == {
        "allow-ssh-from-bastion",
        "deny-remote-access-inbound",
        "deny-internet-inbound",
    }

    # Members sign in as users and read what the Bastion connection reads; nobody is admin.
    grants = _grants(lab_plan)
    login, reader = BUILTIN_ROLES["Virtual Machine User Login"], BUILTIN_ROLES["Reader"]
    spoke = lab_plan.of_type("azure-native:network:VirtualNetwork")[0]
    for scope, role in (
        (vm.id, login),
        (vm.id, reader),
        (nic.id, reader),
        (spoke.id, reader),
        (hub.outputs["bastionHostId"], reader),
    ):
        assert [g["principalType"] for g in grants[(scope, role)]] == ["Group"], (scope, role)
    assert not [key for key in grants if key[1] == "1c0163c0-47e6-4577-8991-ea5c82e286e4"]

    assert lab_plan.outputs["jumpHostName"] == vm.inputs["vmName"]
    # Neither example landing zone has Bastion native client support: members use the portal
    # (both ways in: tests/test_landing_zone_way_in.py).
    assert hub.outputs["bastionNativeClient"] is False
    assert lab_plan.outputs["jumpHostSshCommand"].startswith(
        f"Azure portal: open the virtual machine {vm.inputs['vmName']} "
    )


def test_the_lab_profile_shuts_its_jump_host_down_every_evening(lab_dev: Plan):
    (vm,) = lab_dev.of_type(VM)
    (schedule,) = lab_dev.of_type(SHUTDOWN_SCHEDULE)
    assert schedule.inputs["name"] == f"shutdown-computevm-{vm.inputs['vmName']}"
    assert schedule.inputs["targetResourceId"] == vm.id
    assert schedule.inputs["resourceGroupName"] == vm.inputs["resourceGroupName"]
    assert schedule.inputs["location"] == vm.inputs["location"]
    # Sent explicitly: the SDK sends Disabled when status is left out.
    assert schedule.inputs["status"] == "Enabled"
    assert schedule.inputs["taskType"] == "ComputeVmShutdownTask"
    assert schedule.inputs["dailyRecurrence"] == {"time": "1900"}
    assert schedule.inputs["timeZoneId"] == "UTC"
    assert schedule.inputs["notificationSettings"] == {"status": "Disabled"}
    assert schedule.id.endswith(
        f"/resourceGroups/{vm.inputs['resourceGroupName']}/providers/Microsoft.DevTestLab"
        f"/schedules/shutdown-computevm-{vm.inputs['vmName']}"
    )


def test_a_production_jump_host_has_no_shutdown_schedule(lab_prod: Plan):
    assert lab_prod.of_type(VM)
    assert not lab_prod.of_type(SHUTDOWN_SCHEDULE)


def test_a_lab_without_a_jump_host_plans_none_of_it(lab_dev: Plan):
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    stack_file = load_stack_file("lab-dev")
    del stack_file.config["hlz:jumpHost"]
    plan = PLANNER.plan("lab-no-jump-host", stack_file=stack_file)
    for token in JUMP_HOST_TYPES:
        assert not plan.of_type(token), token
    assert not {"jumpHostId", "jumpHostName", "jumpHostSshCommand"} & set(plan.outputs)
    # Both NSGs carry exactly the deny-Internet rule they had before jump hosts existed.
    _, workloads = _workloads(plan)
    assert [rule["name"] for rule in workloads["securityRules"]] == ["deny-internet-inbound"]
    # Exactly what the jump host adds: its key (3), the disk encryption set, NIC, VM, Entra
    # sign-in extension, six role assignments for the one member group, its Jump Host Starter
    # role definition, and (lab profile) its auto-shutdown schedule.
    assert len(lab_dev.custom_resources) - len(plan.custom_resources) == 15


# --- the landing zone's DNS Private Resolver ---------------------------------------------------


def test_the_spoke_links_itself_to_the_landing_zones_dns_forwarding_ruleset(lab_plan: Plan):
    from tests.conftest import planned

    landing_zone = planned(lab_plan.stack.replace("lab-", "lz-")).outputs
    (vnet,) = lab_plan.of_type("azure-native:network:VirtualNetwork")
    (link,) = [
        r for r in lab_plan.of_type(HDS) if r.inputs["resourceType"] == "virtualNetworkLinks"
    ]
    ruleset_id = landing_zone["dnsForwardingRulesetId"]
    ruleset_name = ruleset_id.rsplit("/", 1)[-1]
    # A child of the ruleset: in the landing zone's resource group, not the lab's.
    assert link.inputs["resourceGroupName"] == landing_zone["resourceGroupName"]
    assert link.inputs["parentResourcePath"] == f"dnsForwardingRulesets/{ruleset_name}"
    assert link.inputs["apiVersion"] == "2025-05-01"
    assert link.inputs["resourceName"] == vnet.inputs["virtualNetworkName"]
    assert link.inputs["properties"] == {"virtualNetwork": {"id": vnet.id}}
    assert link.id == f"{ruleset_id}/virtualNetworkLinks/{vnet.inputs['virtualNetworkName']}"


def test_a_lab_in_another_region_than_the_ruleset_is_refused_naming_hlz_location(lab_dev: Plan):
    import yaml

    from stacks.ai_lab.config import parse_ai_lab_config, ruleset_link_problems
    from tests.conftest import ROOT, planned

    raw = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())["config"]
    config = parse_ai_lab_config({k.removeprefix("hlz:"): v for k, v in raw.items()})
    landing_zone = dict(planned("lz-dev").outputs)
    assert ruleset_link_problems(config, landing_zone) == []
    landing_zone["location"] = "centralus"
    assert ruleset_link_problems(config, landing_zone) == [
        (
            "hlz:location",
            "'eastus2' differs from the landing zone's region 'centralus': its DNS forwarding "
            "ruleset links only virtual networks of its own region",
        )
    ]
    landing_zone["dnsForwardingRulesetId"] = "/subscriptions/s/resourceGroups/rg/providers/x"
    assert ruleset_link_problems(config, landing_zone)[0] == (
        "hlz:landingZoneStack",
        "its output dnsForwardingRulesetId '/subscriptions/s/resourceGroups/rg/providers/x' is "
        "not a DNS forwarding ruleset id (/subscriptions/<id>/resourceGroups/<group>/providers/"
        "Microsoft.Network/dnsForwardingRulesets/<name>)",
    )
    del landing_zone["dnsForwardingRulesetId"]
    assert ruleset_link_problems(config, landing_zone) == []


def test_a_region_mismatch_is_reported_with_the_other_config_problems(lab_dev: Plan):
    """The ruleset's region check is part of the config validation: one round lists it beside
    every other problem (it used to run after validation, so a second round showed it)."""
    import yaml

    from components.errors import ConfigError
    from stacks.ai_lab.config import parse_ai_lab_config, validate_ai_lab_config
    from tests.conftest import ROOT, planned

    raw = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())["config"]
    config = parse_ai_lab_config({k.removeprefix("hlz:"): v for k, v in raw.items()})
    landing_zone = dict(planned("lz-dev").outputs)
    landing_zone["location"] = "centralus"
    landing_zone["profile"] = "production"
    with pytest.raises(ConfigError) as failure:
        validate_ai_lab_config(config, "lab-dev", landing_zone)
    keys = [problem_key for problem_key, _ in failure.value.problems]
    assert "hlz:location" in keys and "hlz:profile" in keys


# --- the AI gateway (lab-prod only) -------------------------------------------------------------

APIM = "azure-native:apimanagement:ApiManagementService"


def test_lab_prod_fronts_its_ai_account_with_a_private_gateway(lab_prod: Plan):
    from components.roles import BUILTIN_ROLES

    (gateway,) = lab_prod.of_type(APIM)
    inputs = gateway.inputs
    assert inputs["publicNetworkAccess"] == "Disabled"
    assert "hlz-override-public-network-access" not in inputs["tags"]
    # Outbound: the spoke's dedicated, delegated gateway subnet, behind the hub firewall route.
    subnet_id = inputs["virtualNetworkConfiguration"]["subnetResourceId"]
    (subnet,) = [s for s in lab_prod.of_type("azure-native:network:Subnet") if s.id == subnet_id]
    assert subnet.inputs["addressPrefix"] == "10.101.2.0/27"
    assert [d["serviceName"] for d in subnet.inputs["delegations"]] == [
        "Microsoft.Web/serverFarms"
    ]
    assert subnet.inputs["networkSecurityGroup"]["id"]
    assert subnet.inputs["routeTable"]["id"]
    # Inbound: an endpoint on the gateway, registered in privatelink.azure-api.net.
    (endpoint,) = [
        e
        for e in lab_prod.of_type("azure-native:network:PrivateEndpoint")
        if e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] == gateway.id
    ]
    assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["Gateway"]
    # The gateway's identity calls the account; the API forwards to the account's endpoint.
    (account,) = lab_prod.of_type(ACCOUNT)
    openai_user = BUILTIN_ROLES["Cognitive Services OpenAI User"]
    (grant,) = [
        r
        for r in lab_prod.of_type(ROLE_ASSIGNMENT)
        if gateway.urn in r.dependencies and r.inputs["roleDefinitionId"].endswith(openai_user)
    ]
    assert grant.inputs["scope"] == account.id
    assert grant.inputs["principalType"] == "ServicePrincipal"
    (api,) = lab_prod.of_type("azure-native:apimanagement:Api")
    subdomain = account.inputs["properties"]["customSubDomainName"]
    assert api.inputs["serviceUrl"] == f"https://{subdomain}.openai.azure.com/openai"
    assert api.inputs["subscriptionRequired"] is False
    assert lab_prod.outputs["aiGatewayEndpoint"] == (
        f"https://{inputs['serviceName']}.azure-api.net/openai"
    )


def test_the_gateway_policy_uses_the_lab_config(lab_prod: Plan):
    import xml.etree.ElementTree as ET

    (policy,) = lab_prod.of_type("azure-native:apimanagement:ApiPolicy")
    root = ET.fromstring(policy.inputs["value"])
    assert [a.text for a in root.iter("audience")] == ["api://clinical-nlp-ai-gateway"]
    assert [v.text for v in root.iter("value")] == ["9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"]
    limit = root.find("inbound/llm-token-limit")
    assert limit is not None and limit.get("tokens-per-minute") == "20000"


def test_lab_dev_has_no_gateway(lab_dev: Plan):
    assert not lab_dev.of_type(APIM)
    assert "aiGatewayEndpoint" not in lab_dev.outputs


# --- the Agent Service's standard setup (lab-dev) ------------------------------------------------

COSMOS = "azure-native:cosmosdb:DatabaseAccount"
CAPABILITY_HOST = "azure-native:cognitiveservices:ProjectCapabilityHost"
SQL_ROLE_ASSIGNMENT = "azure-native:cosmosdb:SqlResourceSqlRoleAssignment"


def test_lab_dev_injects_its_agents_into_a_delegated_subnet_without_the_firewall_route(
    lab_dev: Plan,
):
    (account,) = lab_dev.of_type(ACCOUNT)
    (injection,) = account.inputs["properties"]["networkInjections"]
    assert injection["scenario"] == "agent" and injection["useMicrosoftManagedNetwork"] is False
    (subnet,) = [s for s in lab_dev.of_type(SUBNET) if s.id == injection["subnetArmId"]]
    assert subnet.inputs["addressPrefix"] == "10.1.2.0/24"
    assert [d["serviceName"] for d in subnet.inputs["delegations"]] == [
        "Microsoft.App/environments"
    ]
    assert subnet.inputs["networkSecurityGroup"]["id"]
    assert "routeTable" not in subnet.inputs
    assert subnet.inputs["defaultOutboundAccess"] is False


def test_lab_dev_keeps_agent_data_in_its_own_stores(lab_dev: Plan):
    (cosmos,) = lab_dev.of_type(COSMOS)
    # The lab's PHI storage, and the agents' files apart from it.
    (files,) = [s for s in lab_dev.of_type(STORAGE) if s not in _lab_storage(lab_dev)]
    (host,) = lab_dev.of_type(CAPABILITY_HOST)
    connections = {
        c.inputs["connectionName"]: c for c in lab_dev.of_type(PROJECT_CONNECTION)
    }
    properties = host.inputs["projectCapabilityHostProperties"]
    (threads,) = properties["threadStorageConnections"]
    (stored,) = properties["storageConnections"]
    (vectors,) = properties["vectorStoreConnections"]
    assert connections[threads].inputs["properties"]["metadata"]["ResourceId"] == cosmos.id
    assert connections[stored].inputs["properties"]["metadata"]["ResourceId"] == files.id
    (search,) = lab_dev.of_type(SEARCH)
    assert connections[vectors].inputs["properties"]["metadata"]["ResourceId"] == search.id
    # The account may call the two stores (and nothing else new).
    (account,) = lab_dev.of_type(ACCOUNT)
    allowed = account.inputs["properties"]["allowedFqdnList"]
    assert f"{cosmos.inputs['accountName']}.documents.azure.com" in allowed
    assert f"{files.inputs['accountName']}.blob.core.windows.net" in allowed
    # The Cosmos data role of the project's identity follows its capability host.
    (data_role,) = lab_dev.of_type(SQL_ROLE_ASSIGNMENT)
    assert host.urn in data_role.dependencies


def _without_agents(stack_file):
    del stack_file.config["hlz:agentService"]
    del stack_file.config["hlz:subnets"]["agents"]
    return stack_file


@pytest.fixture(scope="module")
def lab_dev_without_agents() -> Plan:
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    return PLANNER.plan("lab-no-agents", stack_file=_without_agents(load_stack_file("lab-dev")))


def test_a_lab_without_the_agent_service_plans_none_of_it(
    lab_dev: Plan, lab_dev_without_agents: Plan
):
    plan = lab_dev_without_agents
    for token in (COSMOS, CAPABILITY_HOST, SQL_ROLE_ASSIGNMENT):
        assert not plan.of_type(token), token
    (account,) = plan.of_type(ACCOUNT)
    assert "networkInjections" not in account.inputs["properties"]
    assert len(plan.of_type(STORAGE)) == 1
    linked = {
        r.inputs["privateZoneName"]
        for r in plan.of_type("azure-native:privatedns:VirtualNetworkLink")
    }
    assert "privatelink.documents.azure.com" not in linked
    # Exactly what the standard setup adds: the stores' key (3: identity, key, its grant), the
    # thread store with its endpoint, zone group and diagnostics (4) and data role; the file
    # store with its blob service, two endpoints and zone groups, two diagnostic settings (8);
    # the agent subnet, its NSG and the NSG's diagnostics, the spoke's link to the Cosmos DB
    # zone (4); two connections, five roles of the project's identity and its capability host;
    # the two stores' availability alerts (docs/alerts.md).
    assert len(lab_dev.custom_resources) - len(plan.custom_resources) == 30


def test_the_lab_exports_the_openai_endpoint_of_its_account_whatever_its_kind(lab_plan: Plan):
    """An AIServices account's own endpoint is on cognitiveservices.azure.com (as ARM answers,
    and as the mocks answer); the OpenAI API's is listed beside it, and that is the one the lab
    exports and its gateway forwards to."""
    (account,) = lab_plan.of_type(ACCOUNT)
    subdomain = account.inputs["properties"]["customSubDomainName"]
    assert account.inputs["kind"] == "AIServices"
    assert lab_plan.outputs["openaiEndpoint"] == f"https://{subdomain}.openai.azure.com/"


def test_an_openai_account_exports_its_own_endpoint():
    from components.openai import _openai_endpoint

    class Properties:
        endpoint = "https://oai-x.openai.azure.com/"
        endpoints = None

    assert _openai_endpoint(Properties()) == "https://oai-x.openai.azure.com/"

    class Foundry:
        endpoint = "https://ais-x.cognitiveservices.azure.com/"
        endpoints = {"OpenAI Language Model Instance API": "https://ais-x.openai.azure.com/"}

    assert _openai_endpoint(Foundry()) == "https://ais-x.openai.azure.com/"


def test_a_lab_of_kind_openai_keeps_planning_without_projects_or_agents():
    """Both examples are Foundry (AIServices) labs now; a lab that stays kind OpenAI (the way
    every lab started, and a deployed OpenAI lab cannot change kind: docs/foundry.md) plans as
    before: no project management, no projects, no injection, its own OpenAI endpoint."""
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    stack_file = _without_agents(load_stack_file("lab-prod"))
    openai = stack_file.config["hlz:openai"]
    openai["kind"] = "OpenAI"
    del openai["projects"]
    plan = PLANNER.plan("lab-openai", stack_file=stack_file)
    (account,) = plan.of_type(ACCOUNT)
    assert account.inputs["kind"] == "OpenAI"
    assert "allowProjectManagement" not in account.inputs["properties"]
    assert not plan.of_type("azure-native:cognitiveservices:Project")
    subdomain = account.inputs["properties"]["customSubDomainName"]
    assert plan.outputs["openaiEndpoint"] == f"https://{subdomain}.openai.azure.com/"
