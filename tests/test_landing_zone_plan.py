"""How a planned landing zone is wired (lz-dev and lz-prod, planned once each).

The security settings each resource must carry are the policy pack's to check:
tests/test_example_stacks.py holds every example plan to every rule. This module keeps what no
rule states: which resources exist and how many, how they connect, in which order they are
created, their names and the outputs a spoke reads.
"""

from __future__ import annotations

import re
from collections import Counter

from components.private_dns import all_zone_names
from hlz.plan import Plan

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def resource_ids(plan: Plan) -> dict[str, str]:
    return {r.urn: r.id for r in plan.custom_resources if r.id}


def test_acceptance_resource_types_are_planned(lz_prod: Plan):
    counts = Counter(r.type for r in lz_prod.custom_resources)
    for token in (
        "azure-native:network:VirtualNetwork",
        "azure-native:network:Subnet",
        "azure-native:network:NetworkSecurityGroup",
        "azure-native:network:RouteTable",
        "azure-native:network:AzureFirewall",
        "azure-native:network:FirewallPolicy",
        "azure-native:network:PublicIPAddress",
        "azure-native:network:BastionHost",
        "azure-native:network:DdosProtectionPlan",
        "azure-native:keyvault:Vault",
        "azure-native:network:PrivateEndpoint",
        "azure-native:network:PrivateDnsZoneGroup",
        "azure-native:operationalinsights:Workspace",
        "azure-native:monitor:DiagnosticSetting",
        "azure-native:security:Pricing",
        "azure-native:authorization:PolicyAssignment",
        "azure-native:authorization:RoleAssignment",
        "azure-native:authorization:ManagementLockByScope",
    ):
        assert counts[token] >= 1, token
    assert counts["azure-native:privatedns:PrivateZone"] >= 13
    assert (
        counts["azure-native:privatedns:VirtualNetworkLink"]
        == counts["azure-native:privatedns:PrivateZone"]
    )


def test_every_private_dns_zone_is_linked_to_the_hub(landing_zone_plan: Plan):
    zones = {
        r.inputs["privateZoneName"]
        for r in landing_zone_plan.of_type("azure-native:privatedns:PrivateZone")
    }
    assert zones == set(all_zone_names())
    hub = landing_zone_plan.of_type("azure-native:network:VirtualNetwork")[0]
    links = landing_zone_plan.of_type("azure-native:privatedns:VirtualNetworkLink")
    assert {link.inputs["privateZoneName"] for link in links} == zones
    assert all(link.inputs["virtualNetwork"]["id"] == hub.id for link in links)
    assert all(link.inputs["registrationEnabled"] is False for link in links)


def test_diagnostics_go_to_the_one_workspace_and_the_activity_log_is_collected(
    landing_zone_plan: Plan,
):
    settings = landing_zone_plan.of_type("azure-native:monitor:DiagnosticSetting")
    workspace = landing_zone_plan.of_type("azure-native:operationalinsights:Workspace")[0]
    assert settings and all(s.inputs["workspaceId"] == workspace.id for s in settings)
    activity = [
        s
        for s in settings
        if s.inputs["resourceUri"] == f"/subscriptions/{landing_zone_plan.subscription_id}"
    ]
    assert len(activity) == 1 and {log["category"] for log in activity[0].inputs["logs"]} >= {
        "Administrative",
        "Security",
        "Policy",
    }


def test_diagnostic_settings_use_category_groups(landing_zone_plan: Plan):
    for setting in landing_zone_plan.of_type("azure-native:monitor:DiagnosticSetting"):
        if (
            setting.inputs["resourceUri"].startswith("/subscriptions/")
            and "/resourceGroups/" not in setting.inputs["resourceUri"]
        ):
            continue  # the activity log has no category groups
        for log in setting.inputs.get("logs", []):
            assert log["categoryGroup"] in {"allLogs", "audit"} and "category" not in log


def test_the_vault_releases_no_secrets_to_vms_disk_encryption_or_templates(
    landing_zone_plan: Plan,
):
    vault = landing_zone_plan.of_type("azure-native:keyvault:Vault")[0].inputs["properties"]
    assert not any(
        vault[flag]
        for flag in (
            "enabledForDeployment",
            "enabledForDiskEncryption",
            "enabledForTemplateDeployment",
        )
    )


def test_every_zone_group_links_at_least_one_zone(landing_zone_plan: Plan):
    groups = landing_zone_plan.of_type("azure-native:network:PrivateDnsZoneGroup")
    assert groups and all(g.inputs["privateDnsZoneConfigs"] for g in groups)


def test_role_assignments_have_guid_names_and_principal_types(landing_zone_plan: Plan):
    assignments = landing_zone_plan.of_type("azure-native:authorization:RoleAssignment")
    assert assignments
    for assignment in assignments:
        assert GUID.fullmatch(assignment.inputs["roleAssignmentName"])
        # People through groups; the policy assignment's identity is a service principal.
        assert assignment.inputs["principalType"] in ("Group", "ServicePrincipal")


def test_firewall_subnets_carry_no_nsg(landing_zone_plan: Plan):
    """Azure refuses an NSG on them (the pack's network-subnet-require-nsg only exempts them)."""
    firewall_subnets = [
        subnet
        for subnet in landing_zone_plan.of_type("azure-native:network:Subnet")
        if subnet.inputs["subnetName"] in {"AzureFirewallSubnet", "AzureFirewallManagementSubnet"}
    ]
    assert firewall_subnets
    for subnet in firewall_subnets:
        assert "networkSecurityGroup" not in subnet.inputs, subnet.inputs["subnetName"]


def test_default_route_goes_to_the_firewall(landing_zone_plan: Plan):
    route_table = landing_zone_plan.of_type("azure-native:network:RouteTable")[0]
    route = route_table.inputs["routes"][0]
    assert route["addressPrefix"] == "0.0.0.0/0" and route["nextHopType"] == "VirtualAppliance"
    assert route["nextHopIpAddress"] == landing_zone_plan.outputs["firewallPrivateIp"]
    shared = [
        s
        for s in landing_zone_plan.of_type("azure-native:network:Subnet")
        if s.inputs.get("routeTable")
    ]
    assert [s.inputs["routeTable"]["id"] for s in shared] == [route_table.id]


def test_subnets_are_created_one_after_another(landing_zone_plan: Plan):
    subnets = landing_zone_plan.of_type("azure-native:network:Subnet")
    for previous, current in zip(subnets, subnets[1:], strict=False):
        assert previous.urn in current.dependencies


def test_production_tightens_the_lab(lz_dev: Plan, lz_prod: Plan):
    policy = {
        p.stack: p.of_type("azure-native:network:FirewallPolicy")[0].inputs
        for p in (lz_dev, lz_prod)
    }
    assert policy["lz-prod"]["intrusionDetection"]["mode"] == "Deny"
    assert policy["lz-prod"]["dnsSettings"]["enableProxy"] is True
    assert len(lz_prod.of_type("azure-native:authorization:ManagementLockByScope")) == 3
    assert lz_prod.of_type("azure-native:network:BastionHost")[0].inputs["disableCopyPaste"] is True
    assert not lz_dev.of_type("azure-native:authorization:ManagementLockByScope")
    assert not lz_dev.of_type("azure-native:network:DdosProtectionPlan")
    # What the lab profile weakens, it says on the resource, as any override does.
    from stacks.common import LAB_PROFILE_OVERRIDES

    (vnet,) = lz_dev.of_type("azure-native:network:VirtualNetwork")
    assert vnet.inputs["tags"]["hlz-override-ddos-protection"] == (
        LAB_PROFILE_OVERRIDES["ddos_protection"]
    )
    groups = lz_dev.of_type("azure-native:resources:ResourceGroup")
    vaults = lz_dev.of_type("azure-native:keyvault:Vault")
    assert {r.inputs["tags"]["hlz-override-lock"] for r in groups + vaults} == {
        LAB_PROFILE_OVERRIDES["lock"]
    }
    for resource in lz_prod.custom_resources:
        assert not any(tag.startswith("hlz-override-") for tag in resource.inputs.get("tags") or {})
    assert (
        len(lz_dev.of_type("azure-native:network:PublicIPAddress")) == 3
    )  # Basic firewall: + management IP


def test_exports_give_a_spoke_everything_it_needs(landing_zone_plan: Plan):
    outputs = landing_zone_plan.outputs
    for name in (
        "hubVnetId",
        "hubVnetName",
        "resourceGroupName",
        "firewallPrivateIp",
        "privateDnsZoneIds",
        "logAnalyticsWorkspaceId",
        "keyVaultId",
        "keyVaultUri",
        "spokeAllocations",
    ):
        assert outputs.get(name), name
    assert outputs["keyVaultUri"].startswith("https://") and outputs["keyVaultUri"].endswith(
        ".vault.azure.net/"
    )
    assert set(outputs["privateDnsZoneIds"]) == {
        "keyvault",
        "openai",
        "health",
        "storage",
        "monitor",
        "search",
        "apim",
        "cosmos",
    }
    assert outputs["spokeAllocations"]["clinical-nlp"]


def test_defender_plans_and_hipaa_initiative(landing_zone_plan: Plan):
    plans = {
        p.inputs["pricingName"]: p.inputs
        for p in landing_zone_plan.of_type("azure-native:security:Pricing")
    }
    assert set(plans) == {"KeyVaults", "StorageAccounts", "AI", "Arm", "CloudPosture"}
    assignment = landing_zone_plan.of_type("azure-native:authorization:PolicyAssignment")[0].inputs
    assert assignment["policyDefinitionId"].endswith("a169a624-5599-4385-a696-c8d643089fab")
    assert assignment["enforcementMode"] == "DoNotEnforce"


def test_the_initiative_assignment_has_an_identity_and_the_roles_its_remediation_needs(
    landing_zone_plan: Plan,
):
    """ARM refuses an assignment of an initiative with DeployIfNotExists/Modify members that has
    no managed identity and location; remediation needs the members' roleDefinitionIds."""
    import json

    from tests.conftest import ROOT

    data = json.loads((ROOT / "policies" / "data" / "hitrust_hipaa_initiative.json").read_text())
    needed = {role["id"] for role in data["roles"]}
    assert needed  # the vendored initiative has remediating members
    [registration] = [
        r
        for r in landing_zone_plan.of_type("azure-native:authorization:PolicyAssignment")
        if r.inputs["policyAssignmentName"] == "hlz-hipaa-hitrust"
    ]
    assignment = registration.inputs
    assert assignment["identity"] == {"type": "SystemAssigned"}
    assert assignment["location"] == "eastus2"
    grants = [
        r
        for r in landing_zone_plan.of_type("azure-native:authorization:RoleAssignment")
        if r.inputs["scope"] == assignment["scope"] and registration.urn in r.dependencies
    ]
    granted = {g.inputs["roleDefinitionId"].rsplit("/", 1)[-1] for g in grants}
    assert granted == needed
    # One principal, the assignment's own identity (its principal id is known only once Azure
    # has created the assignment, hence the dependency).
    assert len({g.inputs["principalId"] for g in grants}) == 1
    for grant in grants:
        assert grant.inputs["principalType"] == "ServicePrincipal"
        assert registration.urn in grant.property_dependencies["principalId"]


def test_a_landing_zone_with_a_vpn_gateway_plans_clean():
    """lz-dev's config plus hlz:vpnGateway and hlz:hub.subnets.gateway: a GatewaySubnet without
    an NSG, an Entra-only point-to-site gateway logging to the workspace, and nothing the pack
    or Azure's type definitions refuse."""
    from hlz.policy_check import check_plan, outcome_name
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    stack_file = load_stack_file("lz-dev")
    stack_file.config["hlz:vpnGateway"] = {"clientAddressPool": "172.16.201.0/24"}
    stack_file.config["hlz:hub"]["subnets"]["gateway"] = "10.0.0.192/27"
    plan = PLANNER.plan("lz-vpn", stack_file=stack_file)
    (gateway,) = plan.of_type("azure-native:network:VirtualNetworkGateway")
    assert gateway.inputs["sku"]["name"] == "VpnGw1AZ"
    client = gateway.inputs["vpnClientConfiguration"]
    assert client["aadTenant"].endswith(f"/{plan.tenant_id}/")
    (subnet,) = [
        s
        for s in plan.of_type("azure-native:network:Subnet")
        if s.inputs["subnetName"] == "GatewaySubnet"
    ]
    assert "networkSecurityGroup" not in subnet.inputs
    assert gateway.id in {
        d.inputs["resourceUri"] for d in plan.of_type("azure-native:monitor:DiagnosticSetting")
    }
    report = check_plan(plan.to_json(), exemptions=[])
    assert [(f.rule.id, f.urn) for f in report.violations] == []
    assert [(f.kind, f.urn, f.path) for f in report.type_errors] == []
    verdicts = {
        f.rule.id: outcome_name(f)
        for f in report.findings
        if f.rule.id
        in ("network-vpngateway-require-entra-id-for-p2s", "deploy-vpngateway-require-az-sku")
    }
    assert verdicts == {
        "network-vpngateway-require-entra-id-for-p2s": "pass",
        "deploy-vpngateway-require-az-sku": "pass",
    }


def test_exports_the_bastion_a_lab_jump_host_is_reached_through(landing_zone_plan: Plan):
    """A lab's jump host admits SSH from this subnet alone, and its members read the host."""
    outputs = landing_zone_plan.outputs
    (bastion,) = landing_zone_plan.of_type("azure-native:network:BastionHost")
    (subnet,) = [
        s
        for s in landing_zone_plan.of_type("azure-native:network:Subnet")
        if s.inputs["subnetName"] == "AzureBastionSubnet"
    ]
    assert outputs["bastionSubnetPrefix"] == subnet.inputs["addressPrefix"]
    assert outputs["bastionHostId"] == bastion.id
    assert outputs["bastionHostName"] == bastion.inputs["bastionHostName"]


def test_a_landing_zone_without_bastion_exports_none_of_it():
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    stack_file = load_stack_file("lz-dev")
    stack_file.config["hlz:bastion"] = False
    plan = PLANNER.plan("lz-no-bastion", stack_file=stack_file)
    assert not plan.of_type("azure-native:network:BastionHost")
    assert not {"bastionSubnetPrefix", "bastionHostId", "bastionHostName"} & set(plan.outputs)


# --- DNS Private Resolver (hlz:dnsResolver, on in both examples) ---------------------------------

DNS_PLAN = {
    # stack: (inbound subnet, outbound subnet, inbound endpoint's address)
    "lz-dev": ("10.0.3.0/28", "10.0.3.16/28", "10.0.3.4"),
    "lz-prod": ("10.100.3.0/28", "10.100.3.16/28", "10.100.3.4"),
}


def _dns(plan: Plan, resource_type: str) -> list:
    parent, _, child = resource_type.rpartition("/")
    return [
        r
        for r in plan.of_type("azure-native:resources:Resource")
        if r.inputs["resourceProviderNamespace"] == "Microsoft.Network"
        and r.inputs["resourceType"] == child
        and r.inputs["parentResourcePath"].split("/")[0] == parent
    ]


def test_both_examples_plan_a_dns_resolver_in_delegated_hub_subnets(landing_zone_plan: Plan):
    inbound_prefix, outbound_prefix, address = DNS_PLAN[landing_zone_plan.stack]
    (hub,) = landing_zone_plan.of_type("azure-native:network:VirtualNetwork")
    subnets = {
        s.inputs["addressPrefix"]: s
        for s in landing_zone_plan.of_type("azure-native:network:Subnet")
    }
    for prefix in (inbound_prefix, outbound_prefix):
        assert [d["serviceName"] for d in subnets[prefix].inputs["delegations"]] == [
            "Microsoft.Network/dnsResolvers"
        ]
        assert subnets[prefix].inputs["networkSecurityGroup"]["id"]
        assert "routeTable" not in subnets[prefix].inputs
    (resolver,) = _dns(landing_zone_plan, "dnsResolvers")
    assert resolver.inputs["properties"]["virtualNetwork"]["id"] == hub.id
    (inbound,) = _dns(landing_zone_plan, "dnsResolvers/inboundEndpoints")
    (config,) = inbound.inputs["properties"]["ipConfigurations"]
    assert config == {
        "subnet": {"id": subnets[inbound_prefix].id},
        "privateIpAllocationMethod": "Static",
        "privateIpAddress": address,
    }
    (outbound,) = _dns(landing_zone_plan, "dnsResolvers/outboundEndpoints")
    assert outbound.inputs["properties"]["subnet"]["id"] == subnets[outbound_prefix].id
    (rule,) = _dns(landing_zone_plan, "dnsForwardingRulesets/forwardingRules")
    assert rule.inputs["properties"]["domainName"] == "corp.example.org."
    assert [t["ipAddress"] for t in rule.inputs["properties"]["targetDnsServers"]] == [
        "192.168.10.4",
        "192.168.10.5",
    ]
    (link,) = _dns(landing_zone_plan, "dnsForwardingRulesets/virtualNetworkLinks")
    assert link.inputs["properties"]["virtualNetwork"]["id"] == hub.id
    generic = landing_zone_plan.of_type("azure-native:resources:Resource")
    assert len(generic) == 6
    assert {r.inputs["apiVersion"] for r in generic} == {"2025-05-01"}


def test_the_dns_resolver_exports_its_inbound_address_and_ruleset(landing_zone_plan: Plan):
    outputs = landing_zone_plan.outputs
    _, _, address = DNS_PLAN[landing_zone_plan.stack]
    assert outputs["dnsResolverInboundIp"] == address
    (ruleset,) = _dns(landing_zone_plan, "dnsForwardingRulesets")
    assert outputs["dnsForwardingRulesetId"] == ruleset.id
    assert ruleset.id.endswith(
        "/providers/Microsoft.Network/dnsForwardingRulesets/" + ruleset.inputs["resourceName"]
    )
    assert f"/resourceGroups/{outputs['resourceGroupName']}/" in ruleset.id


def test_the_pack_judges_the_resolver_as_its_typed_types(landing_zone_plan: Plan):
    """The generic resources are judged as the dnsresolver tokens: every DNS rule passes on the
    example, the subnet rule on both endpoints."""
    from hlz.policy_check import check_plan, outcome_name

    report = check_plan(landing_zone_plan.to_json(), exemptions=[])
    verdicts = Counter(
        (f.rule.id, outcome_name(f))
        for f in report.findings
        if "dnsforwardingrule" in f.rule.id or "dnsresolver" in f.rule.id
    )
    assert verdicts == {
        ("network-dnsforwardingrule-require-private-targets", "pass"): 1,
        ("deploy-dnsforwardingrule-restrict-domain-name", "pass"): 1,
        ("deploy-dnsforwardingrule-restrict-targets", "pass"): 1,
        ("deploy-dnsresolver-require-delegated-subnet", "pass"): 2,
    }
    assert [(f.kind, f.urn) for f in report.type_errors] == []


def test_a_landing_zone_without_hlz_dns_resolver_has_none():
    from hlz.stackfiles import load_stack_file
    from tests.conftest import PLANNER

    stack_file = load_stack_file("lz-dev")
    del stack_file.config["hlz:dnsResolver"]
    plan = PLANNER.plan("lz-nodns", stack_file=stack_file)
    assert not _dns(plan, "dnsResolvers")
    assert "dnsResolverInboundIp" not in plan.outputs
    assert "dnsForwardingRulesetId" not in plan.outputs
    # The subnets stay declared but unused: only a resolver makes the hub create them.
    assert not [
        s for s in plan.of_type("azure-native:network:Subnet") if s.inputs.get("delegations")
    ]
