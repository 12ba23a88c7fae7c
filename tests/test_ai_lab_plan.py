"""Properties every planned AI lab must have (lab-dev and lab-prod, planned once each)."""

from __future__ import annotations

import re
from collections import Counter

from components.diagnostics import DIAGNOSTICS_SUPPORT
from components.shared import REQUIRED_TAG_KEYS
from hlz.plan import Plan
from tests.test_landing_zone_plan import is_taggable

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ACCOUNT = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
STORAGE = "azure-native:storage:StorageAccount"
FHIR = "azure-native:healthcareapis:FhirService"
DICOM = "azure-native:healthcareapis:DicomService"
HDS = "azure-native:resources:Resource"
"""The Health Data Services workspace (a generic resource: the typed one cannot go private)."""
PAAS = (ACCOUNT, STORAGE, HDS)


def test_acceptance_resource_types_are_planned(lab_dev: Plan):
    counts = Counter(r.type for r in lab_dev.custom_resources)
    assert counts[ACCOUNT] == 1 and counts[DEPLOYMENT] >= 2
    assert counts[HDS] == counts[FHIR] == counts[DICOM] == 1
    assert counts[STORAGE] == 1
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
        assert subnet.inputs["routeTable"]["id"] and subnet.inputs["networkSecurityGroup"]["id"]


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


def test_paas_public_access_is_disabled(lab_plan: Plan):
    account = lab_plan.of_type(ACCOUNT)[0].inputs["properties"]
    assert (
        account["publicNetworkAccess"] == "Disabled"
        and account["networkAcls"]["defaultAction"] == "Deny"
    )
    assert account["disableLocalAuth"] is True and account["restrictOutboundNetworkAccess"] is True
    assert account["allowedFqdnList"] and account["customSubDomainName"]
    storage = lab_plan.of_type(STORAGE)[0].inputs
    assert (
        storage["publicNetworkAccess"] == "Disabled"
        and storage["networkRuleSet"]["defaultAction"] == "Deny"
    )
    assert storage["allowSharedKeyAccess"] is False and storage["allowBlobPublicAccess"] is False
    assert storage["enableHttpsTrafficOnly"] is True and storage["minimumTlsVersion"] == "TLS1_2"


def test_every_paas_resource_has_a_private_endpoint_with_a_zone_group(lab_plan: Plan):
    endpoints = lab_plan.of_type("azure-native:network:PrivateEndpoint")
    groups = {
        g.inputs["privateEndpointName"]: g
        for g in lab_plan.of_type("azure-native:network:PrivateDnsZoneGroup")
    }
    by_target: dict[str, list[str]] = {}
    for endpoint in endpoints:
        for connection in endpoint.inputs["privateLinkServiceConnections"]:
            by_target.setdefault(connection["privateLinkServiceId"], []).extend(
                connection["groupIds"]
            )
        assert endpoint.inputs["privateEndpointName"] in groups
    for registration in lab_plan.custom_resources:
        if registration.type in PAAS:
            assert registration.id in by_target, registration.urn
    storage = lab_plan.of_type(STORAGE)[0]
    assert sorted(by_target[storage.id]) == ["blob", "dfs"]
    workspace = lab_plan.of_type(HDS)[0]
    assert by_target[workspace.id] == ["healthcareworkspace"]
    health_group = next(g for g in groups.values() if len(g.inputs["privateDnsZoneConfigs"]) == 3)
    assert {c["name"] for c in health_group.inputs["privateDnsZoneConfigs"]} == {
        "privatelink-workspace-azurehealthcareapis-com",
        "privatelink-fhir-azurehealthcareapis-com",
        "privatelink-dicom-azurehealthcareapis-com",
    }


def test_every_data_service_uses_a_customer_managed_key(lab_plan: Plan):
    account = lab_plan.of_type(ACCOUNT)[0].inputs["properties"]["encryption"]
    assert (
        account["keySource"] == "Microsoft.KeyVault"
        and account["keyVaultProperties"]["identityClientId"]
    )
    storage = lab_plan.of_type(STORAGE)[0].inputs["encryption"]
    assert (
        storage["keySource"] == "Microsoft.Keyvault"
        and storage["requireInfrastructureEncryption"] is True
    )
    for token in (FHIR, DICOM):
        key_url = lab_plan.of_type(token)[0].inputs["encryption"]["customerManagedKeyEncryption"][
            "keyEncryptionKeyUrl"
        ]
        assert key_url.startswith("https://") and "/keys/" in key_url
    for key in lab_plan.of_type("azure-native:keyvault:Key"):
        properties = key.inputs["properties"]
        assert properties["keySize"] >= 3072
        assert properties["rotationPolicy"]["lifetimeActions"]


def test_services_wait_for_key_access(lab_plan: Plan):
    access = {
        r.urn
        for r in lab_plan.of_type("azure-native:authorization:RoleAssignment")
        if "key-user" in r.urn
    }
    for token in (ACCOUNT, STORAGE, FHIR, DICOM):
        registration = lab_plan.of_type(token)[0]
        assert access & set(registration.dependencies), f"{token} does not wait for its key access"


def test_diagnostics_for_every_resource_that_supports_them(lab_plan: Plan):
    targets = {
        s.inputs["resourceUri"] for s in lab_plan.of_type("azure-native:monitor:DiagnosticSetting")
    }
    for registration in lab_plan.custom_resources:
        if (
            registration.type in DIAGNOSTICS_SUPPORT
            and registration.type != "azure-native:storage:BlobServiceProperties"
        ):
            assert registration.id in targets, registration.urn
    storage = lab_plan.of_type(STORAGE)[0]
    assert f"{storage.id}/blobServices/default" in targets
    account_setting = next(
        s
        for s in lab_plan.of_type("azure-native:monitor:DiagnosticSetting")
        if s.inputs["resourceUri"] == lab_plan.of_type(ACCOUNT)[0].id
    )
    assert account_setting.inputs["logs"][0]["categoryGroup"] == "allLogs"


def test_every_taggable_resource_has_the_required_tags(lab_plan: Plan):
    for registration in lab_plan.custom_resources:
        if registration.type.startswith("azure-native:") and is_taggable(registration.type):
            tags = registration.inputs.get("tags") or {}
            assert all(tags.get(key) for key in REQUIRED_TAG_KEYS), registration.urn


def test_model_deployments_form_a_single_chain(lab_plan: Plan):
    deployments = lab_plan.of_type(DEPLOYMENT)
    assert len(deployments) >= 2
    for previous, current in zip(deployments, deployments[1:], strict=False):
        assert previous.urn in current.dependencies
    assert not any(d.urn in deployments[0].dependencies for d in deployments[1:])
    for deployment in deployments:
        assert deployment.inputs["properties"]["raiPolicyName"]
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
    assert fhir["authenticationConfiguration"]["smartProxyEnabled"] is False
    assert fhir["authenticationConfiguration"]["authority"].endswith(lab_plan.tenant_id)
    assert fhir["corsConfiguration"]["allowCredentials"] is False
    assert "*" not in fhir["corsConfiguration"]["origins"]
    assert fhir["resourceVersionPolicyConfiguration"]["default"] == "versioned"
    assert (
        fhir["exportConfiguration"]["storageAccountName"]
        == lab_plan.of_type(STORAGE)[0].inputs["accountName"]
    )


def test_production_lab_is_locked(lab_prod: Plan, lab_dev: Plan):
    assert lab_prod.of_type("azure-native:authorization:ManagementLockByScope")
    assert not lab_dev.of_type("azure-native:authorization:ManagementLockByScope")


def test_dicom_without_fhir_plans_without_an_export(lz_dev: Plan):
    from hlz.plan import plan_stack
    from hlz.stackfiles import load_stack_file
    from tests.conftest import _PLANS

    stack_file = load_stack_file("lab-dev")
    stack_file.config["hlz:healthData"] = {"fhir": False, "dicom": True}
    plan = plan_stack("lab-dicom", stack_file=stack_file, _planned=_PLANS)
    assert not plan.of_type(FHIR) and len(plan.of_type(DICOM)) == 1
    roles = {a.inputs["roleDefinitionId"].rsplit("/", 1)[-1] for a in plan.of_type("azure-native:authorization:RoleAssignment")}
    assert "ba92f5b4-2d11-453d-a403-e96b0029c9fe" not in roles  # no export, no blob role for FHIR
    assert "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a" in roles  # DICOM Data Reader


def test_the_health_data_plane_is_private_and_the_pack_judges_it(lab_plan: Plan):
    from hlz.policy_check import check_plan, outcome_name

    workspace = lab_plan.of_type(HDS)[0]
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
