"""Components under named scenarios: defaults, production-like settings and overrides."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

import components.bastion
import components.firewall
import components.hub_network
import components.jump_host
import components.keyvault
import components.monitoring
import components.private_dns
import components.private_endpoint
import components.resource_group
import components.security_baseline
from components.errors import ConfigError, component_arguments
from components.firewall import Firewall, FirewallArgs
from components.foundry import FoundryProject, FoundryProjectArgs, FoundryProjectSpec
from components.hub_network import HubNetwork, HubNetworkArgs, HubSubnetPrefixes
from components.keyvault import KeyVault, KeyVaultArgs
from components.monitoring import LogAnalytics, LogAnalyticsArgs
from components.naming import NAME_RULES, Namer, name_problem, unique_suffix
from components.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from components.resource_group import ResourceGroup, ResourceGroupArgs
from components.roles import role_assignment_name
from components.security_baseline import SecurityBaseline, SecurityBaselineArgs
from components.shared import DiagnosticsTarget, Override, Placement, PrivateLinkTarget
from components.vpn_gateway import AZURE_VPN_CLIENT_AUDIENCE, VpnGatewaySpec
from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, ArmMocks
from hlz.engine.run import run_program
from tests.cli_runner import run_hlz
from tests.conftest import of_type, one, run_components

TAGS = {"owner": "o", "cost-center": "c", "environment": "e", "data-classification": "phi"}
PLACEMENT = Placement(resource_group_name="rg-test", location="eastus2", tags=TAGS)
NAMER = Namer(prefix="t", suffix="abcde")
DIAGNOSTICS = DiagnosticsTarget(
    workspace_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
)
SUBNETS = HubSubnetPrefixes(
    firewall="10.0.0.0/26",
    firewall_management="10.0.0.64/26",
    bastion="10.0.0.128/26",
    shared_services="10.0.1.0/24",
    private_endpoints="10.0.2.0/24",
)
ZONES = {"privatelink.vaultcore.azure.net": "/zones/kv"}
PRIVATE_LINK = PrivateLinkTarget(subnet_id="/subnets/pe", dns_zone_ids=ZONES)


NO_DDOS = Override(reason="unit test hub: no public workload behind the hub")


def hub(**overrides) -> list:
    args = HubNetworkArgs(
        **{
            "placement": PLACEMENT,
            "namer": NAMER,
            "address_space": "10.0.0.0/22",
            "subnets": SUBNETS,
            "diagnostics": DIAGNOSTICS,
            **overrides,
        }
    )
    return run_components(lambda: HubNetwork("hub", args) and None)


def key_vault(**overrides) -> list:
    args = KeyVaultArgs(
        placement=PLACEMENT,
        vault_name="kv-t-abcde",
        endpoint_name="pe-t-kv",
        tenant_id="tenant",
        private_link=PRIVATE_LINK,
        diagnostics=DIAGNOSTICS,
        subscription_id="sub",
        admin_group_ids=["3f2b8a7e-1c4d-4e5f-8a9b-0c1d2e3f4a5b"],
        **overrides,
    )
    return run_components(lambda: KeyVault("kv", args) and None)


@pytest.mark.parametrize(
    ("tier", "threat_intel", "dns_proxy", "intrusion_detection"),
    [
        # Basic: no DNS proxy (ARM: FirewallPolicyHigherTierOnlyProperties), threat intel Alert only.
        ("Basic", "Alert", None, None),
        ("Standard", "Deny", True, None),
        ("Premium", "Deny", True, "Deny"),
    ],
)
def test_firewall_policy_features_follow_the_tier(
    tier: str, threat_intel: str, dns_proxy: bool | None, intrusion_detection: str | None
):
    policy = one(hub(firewall_tier=tier), "azure-native:network:FirewallPolicy").inputs
    assert policy["sku"]["tier"] == tier
    assert policy["threatIntelMode"] == threat_intel
    assert (policy.get("dnsSettings") or {}).get("enableProxy") == dns_proxy
    assert (policy.get("intrusionDetection") or {}).get("mode") == intrusion_detection


def test_firewall_refuses_a_feature_its_tier_lacks():
    from pulumi_azure_native import network

    from components.firewall import FirewallArgs, tier_problems

    problems = tier_problems("Basic", network.AzureFirewallThreatIntelMode.DENY)
    assert problems == [("threat_intel_mode", "Deny needs the Standard or Premium tier (Basic: Alert)")]
    assert FirewallArgs.model_fields["threat_intel_mode"].default is None


def test_hub_network_defaults():
    resources = hub()
    policy = one(resources, "azure-native:network:FirewallPolicy").inputs
    assert policy["threatIntelMode"] == "Deny" and policy["dnsSettings"]["enableProxy"] is True
    assert policy["sku"]["tier"] == "Standard" and "intrusionDetection" not in policy
    firewall = one(resources, "azure-native:network:AzureFirewall").inputs
    assert firewall["sku"] == {"name": "AZFW_VNet", "tier": "Standard"}
    assert "managementIpConfiguration" not in firewall
    ddos = one(resources, "azure-native:network:DdosProtectionPlan")
    vnet = one(resources, "azure-native:network:VirtualNetwork").inputs
    assert vnet["enableDdosProtection"] is True and vnet["ddosProtectionPlan"]["id"] == ddos.id
    names = [s.inputs["subnetName"] for s in of_type(resources, "azure-native:network:Subnet")]
    assert names == [
        "AzureFirewallSubnet",
        "AzureBastionSubnet",
        "snet-t-private-endpoints",
        "snet-t-shared-services",
    ]
    assert len(of_type(resources, "azure-native:network:NetworkSecurityGroup")) == 3
    bastion = one(resources, "azure-native:network:BastionHost").inputs
    assert bastion["sku"]["name"] == "Standard" and bastion["disableCopyPaste"] is True
    assert bastion["enableFileCopy"] is False and bastion["enableShareableLink"] is False


def test_hub_network_workload_nsgs_deny_internet_inbound():
    resources = hub(firewall_tier=None, bastion_sku=None, ddos_protection_override=NO_DDOS)
    for nsg in of_type(resources, "azure-native:network:NetworkSecurityGroup"):
        rules = nsg.inputs["securityRules"]
        deny = [
            r
            for r in rules
            if r["sourceAddressPrefix"] == "Internet" and r["direction"] == "Inbound"
        ]
        assert deny and all(r["access"] == "Deny" for r in deny)


def test_hub_network_without_firewall_has_no_forced_route():
    resources = hub(firewall_tier=None, bastion_sku=None, ddos_protection_override=NO_DDOS)
    assert not of_type(resources, "azure-native:network:RouteTable")
    assert not of_type(resources, "azure-native:network:AzureFirewall")
    assert not of_type(resources, "azure-native:network:DdosProtectionPlan")
    for subnet in of_type(resources, "azure-native:network:Subnet"):
        assert "routeTable" not in subnet.inputs
        assert subnet.inputs["defaultOutboundAccess"] is False


def test_hub_network_basic_firewall_gets_a_management_subnet_and_ip():
    resources = hub(firewall_tier="Basic", bastion_sku=None, ddos_protection_override=NO_DDOS)
    names = [s.inputs["subnetName"] for s in of_type(resources, "azure-native:network:Subnet")]
    assert "AzureFirewallManagementSubnet" in names
    firewall = one(resources, "azure-native:network:AzureFirewall").inputs
    assert firewall["managementIpConfiguration"]["subnet"]["id"].endswith(
        "/AzureFirewallManagementSubnet"
    )


def test_hub_network_premium_firewall_turns_on_intrusion_prevention():
    resources = hub(firewall_tier="Premium", bastion_sku=None, ddos_protection_override=NO_DDOS)
    policy = one(resources, "azure-native:network:FirewallPolicy").inputs
    assert policy["intrusionDetection"]["mode"] == "Deny"


def test_hub_network_rejects_missing_reserved_subnet_before_creating_anything():
    subnets = SUBNETS.model_copy(update={"firewall_management": None})
    with pytest.raises(ValidationError, match="firewall_management"):
        HubNetworkArgs(
            placement=PLACEMENT,
            namer=NAMER,
            address_space="10.0.0.0/22",
            subnets=subnets,
            firewall_tier="Basic",
            diagnostics=DIAGNOSTICS,
        )


def test_key_vault_defaults():
    resources = key_vault()
    properties = one(resources, "azure-native:keyvault:Vault").inputs["properties"]
    assert properties["sku"]["name"] == "premium"
    assert properties["publicNetworkAccess"] == "disabled"
    assert properties["networkAcls"] == {"bypass": "AzureServices", "defaultAction": "Deny"}
    assert properties["enablePurgeProtection"] and properties["enableRbacAuthorization"]
    lock = one(resources, "azure-native:authorization:ManagementLockByScope").inputs
    assert lock["level"] == "CanNotDelete"
    role = one(resources, "azure-native:authorization:RoleAssignment").inputs
    assert role["roleDefinitionId"].endswith("00482a5a-887f-4fb3-b363-3b7fe8e74483")
    assert role["principalType"] == "Group"
    group = one(resources, "azure-native:network:PrivateDnsZoneGroup").inputs
    assert group["privateDnsZoneConfigs"] == [
        {"name": "privatelink-vaultcore-azure-net", "privateDnsZoneId": "/zones/kv"}
    ]
    endpoint = one(resources, "azure-native:network:PrivateEndpoint").inputs
    assert endpoint["privateLinkServiceConnections"][0]["groupIds"] == ["vault"]


def test_key_vault_lab_settings():
    override = Override(reason="teaching vault: deleted and rebuilt after each exercise")
    resources = key_vault(sku="standard", lock_override=override)
    vault = one(resources, "azure-native:keyvault:Vault").inputs
    assert vault["properties"]["sku"]["name"] == "standard"
    assert not of_type(resources, "azure-native:authorization:ManagementLockByScope")
    assert vault["tags"]["hlz-override-lock"] == override.reason


def test_a_resource_group_is_locked_unless_an_override_says_why_not():
    def group(**overrides) -> list:
        args = ResourceGroupArgs(
            resource_group_name="rg-t", location="eastus2", tags=PLACEMENT.tags, **overrides
        )
        return run_components(lambda: ResourceGroup("rg", args) and None)

    locked = group()
    lock = one(locked, "azure-native:authorization:ManagementLockByScope").inputs
    assert lock["level"] == "CanNotDelete"
    assert not any(
        tag.startswith("hlz-override-")
        for tag in one(locked, "azure-native:resources:ResourceGroup").inputs["tags"]
    )
    override = Override(reason="teaching group: deleted and rebuilt after each exercise")
    unlocked = group(lock_override=override)
    assert not of_type(unlocked, "azure-native:authorization:ManagementLockByScope")
    tags = one(unlocked, "azure-native:resources:ResourceGroup").inputs["tags"]
    assert tags["hlz-override-lock"] == override.reason


def test_log_analytics_defaults_are_private_and_entra_only():
    args = LogAnalyticsArgs(
        placement=PLACEMENT, workspace_name="log-t", retention_days=365, subscription_id="sub"
    )
    resources = run_components(lambda: LogAnalytics("logs", args) and None)
    workspace = one(resources, "azure-native:operationalinsights:Workspace").inputs
    assert workspace["publicNetworkAccessForQuery"] == "Disabled"
    assert workspace["publicNetworkAccessForIngestion"] == "Disabled"
    assert workspace["features"]["disableLocalAuth"] is True
    assert not any(tag.startswith("hlz-override-") for tag in workspace["tags"])


def test_override_public_query_is_tagged_with_its_reason():
    override = Override(reason="Analysts query from the clinical VDI without VPN until Q3")
    args = LogAnalyticsArgs(
        placement=PLACEMENT,
        workspace_name="log-t",
        retention_days=90,
        subscription_id="sub",
        public_query_override=override,
    )
    resources = run_components(lambda: LogAnalytics("logs", args) and None)
    workspace = one(resources, "azure-native:operationalinsights:Workspace").inputs
    assert workspace["publicNetworkAccessForQuery"] == "Enabled"
    assert workspace["tags"]["hlz-override-public-query"] == override.reason


@pytest.mark.parametrize("reason", ["", "too short", "          x"])
def test_override_requires_a_reason(reason):
    with pytest.raises(ValidationError):
        Override(reason=reason)


def test_private_endpoint_rejects_more_than_five_zones():
    zones = {f"privatelink.z{index}.net": f"/zones/{index}" for index in range(6)}
    with pytest.raises(ValidationError, match="at most 5"):
        PrivateEndpointArgs(
            placement=PLACEMENT,
            endpoint_name="pe",
            target_id="/x",
            group_id="blob",
            subnet_id="/s",
            dns_zone_ids=zones,
        )


def test_private_endpoint_has_exactly_one_zone_group():
    args = PrivateEndpointArgs(
        placement=PLACEMENT,
        endpoint_name="pe-t",
        target_id="/x",
        group_id="blob",
        subnet_id="/s",
        dns_zone_ids={
            "privatelink.blob.core.windows.net": "/z/blob",
            "privatelink.dfs.core.windows.net": "/z/dfs",
        },
    )
    resources = run_components(lambda: PrivateEndpoint("pe", args) and None)
    group = one(resources, "azure-native:network:PrivateDnsZoneGroup").inputs
    assert [c["name"] for c in group["privateDnsZoneConfigs"]] == [
        "privatelink-blob-core-windows-net",
        "privatelink-dfs-core-windows-net",
    ]


def test_names_follow_azure_rules():
    namer = Namer(prefix="hlzdev", suffix=unique_suffix("lz-dev", "landing_zone"))
    assert namer.name("storage_account", "lab").isalnum()
    assert namer.name("key_vault", "plat").startswith("kv-hlzdev-plat-")
    assert name_problem("key_vault", "kv-" + "x" * 22) is not None
    assert name_problem("storage_account", "st-has-hyphens") is not None
    assert name_problem("key_vault", "kv--double") is not None
    with pytest.raises(ValueError, match="at most 24"):
        Namer(prefix="muchtoolongprefix", suffix="abcde").name("key_vault", "plat")


def test_unique_suffix_is_deterministic_and_per_stack():
    assert unique_suffix("lz-dev", "landing_zone") == unique_suffix("lz-dev", "landing_zone")
    assert unique_suffix("lz-dev", "landing_zone") != unique_suffix("lz-prod", "landing_zone")
    assert unique_suffix("lz-dev", "landing_zone") != unique_suffix("lz-dev", "ai_lab")


def test_role_assignment_names_are_deterministic_per_scope_principal_and_role():
    first = role_assignment_name("/scope", "principal", "role-a")
    assert first == role_assignment_name("/SCOPE", "principal", "role-a")
    assert first != role_assignment_name("/scope", "principal", "role-b")
    assert first != role_assignment_name("/scope", "other", "role-a")


COMPONENT_MODULES = [
    components.bastion,
    components.firewall,
    components.hub_network,
    components.jump_host,
    components.keyvault,
    components.monitoring,
    components.private_dns,
    components.private_endpoint,
    components.resource_group,
    components.security_baseline,
]


def test_every_component_exposes_id_and_name():
    found = []
    for module in COMPONENT_MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, pulumi.ComponentResource) and cls.__module__ == module.__name__:
                if cls.__name__ == "PrivateDnsZones":
                    assert "zone_ids" in cls.__annotations__
                    continue
                assert {"id", "name"} <= set(cls.__annotations__), cls.__name__
                found.append(cls.__name__)
    assert len(found) >= 9


def test_groups_sharing_their_first_eight_characters_get_distinct_grants():
    from components.roles import grant_groups

    groups = [
        "3f2b8a7e-1c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "3f2b8a7e-9999-4e5f-8a9b-0c1d2e3f4a5b",
        "9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
    ]

    def program() -> None:
        parent = pulumi.ComponentResource("hlz:test:Parent", "p")
        grant_groups("kv-admin", groups, scope="/x", role="Contributor", subscription_id="s", parent=parent)

    names = [r.urn.rsplit("::", 1)[-1] for r in of_type(run_components(program), "azure-native:authorization:RoleAssignment")]
    assert sorted(names) == sorted(
        ["kv-admin-3f2b8a7e-1c4d-4e5f-8a9b-0c1d2e3f4a5b", "kv-admin-3f2b8a7e-9999-4e5f-8a9b-0c1d2e3f4a5b", "kv-admin-9c1e2d3f"]
    )


def test_components_refuse_a_missing_dns_zone_before_registering_anything():
    """A missing private DNS zone is reported as the project's ConfigError (exit 2) before the
    component or any child is registered; it used to surface after the parent was registered,
    as a bare ValueError (exit 3)."""
    from components.errors import ConfigError
    from components.monitoring import MonitorPrivateLink, MonitorPrivateLinkArgs

    no_zones = PrivateLinkTarget(subnet_id="/subnets/pe", dns_zone_ids={})
    vault_args = KeyVaultArgs(
        placement=PLACEMENT,
        vault_name="kv-t-abcde",
        endpoint_name="pe-t-kv",
        tenant_id="tenant",
        private_link=no_zones,
        diagnostics=DIAGNOSTICS,
        subscription_id="sub",
    )
    link_args = MonitorPrivateLinkArgs(
        placement=PLACEMENT,
        scope_name="ampls-t",
        endpoint_name="pe-t-ampls",
        workspace_id="/workspaces/law",
        private_link=no_zones,
    )
    for build in (
        lambda: KeyVault("kv", vault_args),
        lambda: MonitorPrivateLink("link", link_args),
    ):
        registered: list = []

        def program(build=build, registered=registered) -> None:
            try:
                build()
            except ConfigError as refused:
                registered.append(refused)

        recorded = run_components(program)
        (error,) = registered
        assert error.problems[0][0] == "private_link.dns_zone_ids"
        assert "zones not provided: privatelink." in error.problems[0][1]
        assert [r.type for r in recorded] == ["pulumi:pulumi:Stack"]


def test_a_ddos_override_travels_to_the_hub_vnet_as_a_tag():
    """Turning DDoS protection off takes an override, whose reason (and expiry) is written onto
    the VNet, as every override does; without one the plan is there and nothing is tagged."""
    from datetime import date

    override = Override(
        reason="Lab subscription behind the shared perimeter; DDoS plan reviewed quarterly",
        expires=date(2099, 1, 31),
    )
    resources = hub(ddos_protection_override=override)
    assert not of_type(resources, "azure-native:network:DdosProtectionPlan")
    vnet = one(resources, "azure-native:network:VirtualNetwork").inputs
    assert vnet["enableDdosProtection"] is False
    assert vnet["tags"]["hlz-override-ddos-protection"] == (
        "Lab subscription behind the shared perimeter; DDoS plan reviewed quarterly "
        "(expires 2099-01-31)"
    )
    plain = one(hub(), "azure-native:network:VirtualNetwork").inputs
    assert not any(tag.startswith("hlz-override-") for tag in plain["tags"])


def refused_before_registering(build: Callable[[], object]) -> ConfigError:
    """The ConfigError ``build`` raises under the mocks, checked to have come before the
    component or any child was registered (the stack alone is recorded)."""
    refusals: list[ConfigError] = []

    def program() -> None:
        try:
            build()
        except ConfigError as refused:
            refusals.append(refused)

    recorded = run_components(program)
    assert [r.type for r in recorded] == ["pulumi:pulumi:Stack"]
    (error,) = refusals
    assert error.source == "component arguments"
    return error


def basic_firewall_args(**overrides: Any) -> FirewallArgs:
    return FirewallArgs(
        placement=PLACEMENT,
        firewall_name="afw-t-hub",
        policy_name="afwp-t-hub",
        public_ip_name="pip-t-firewall",
        tier="Basic",
        subnet_id="/subnets/fw",
        diagnostics=DIAGNOSTICS,
        **overrides,
    )


def test_firewall_refuses_settings_its_tier_lacks_before_registering_anything():
    """Deny threat intelligence and no management subnet on Basic are both named, each under its
    argument, before anything is registered; they used to be one bare ValueError (exit 3)."""
    from pulumi_azure_native import network

    args = basic_firewall_args(threat_intel_mode=network.AzureFirewallThreatIntelMode.DENY)
    error = refused_before_registering(lambda: Firewall("fw", args))
    assert error.problems == [
        ("FirewallArgs.management_subnet_id", "the Basic tier needs a management subnet"),
        ("FirewallArgs.threat_intel_mode", "Deny needs the Standard or Premium tier (Basic: Alert)"),
    ]


def test_hlz_plan_of_a_program_giving_a_firewall_bad_arguments_exits_2(tmp_path: Path):
    program = tmp_path / "program.py"
    program.write_text(
        "from components.firewall import Firewall, FirewallArgs\n"
        "from components.shared import DiagnosticsTarget, Placement\n"
        "TAGS = {'owner': 'o', 'cost-center': 'c', 'environment': 'e', 'data-classification': 'phi'}\n"
        "Firewall('fw', FirewallArgs(\n"
        "    placement=Placement(resource_group_name='rg', location='eastus2', tags=TAGS),\n"
        "    firewall_name='afw-t-hub', policy_name='afwp-t-hub', public_ip_name='pip-t-firewall',\n"
        "    tier='Basic', subnet_id='/subnets/fw', threat_intel_mode='Deny',\n"
        "    diagnostics=DiagnosticsTarget(workspace_id='/workspaces/law'),\n"
        "))\n"
    )
    stack_file = tmp_path / "Pulumi.own.yaml"
    stack_file.write_text("config:\n  hlz:layer: my-own\n")
    code, _, err = run_hlz("plan", "own", "--program", program, "--stack-file", stack_file, "--quiet")
    assert code == 2, err
    assert "hlz: invalid component arguments (2 problems):" in err, err
    assert "  - FirewallArgs.threat_intel_mode: Deny needs the Standard or Premium tier" in err
    assert "  - FirewallArgs.management_subnet_id: the Basic tier needs a management subnet" in err
    assert "the stack program failed" not in err and "Traceback" not in err


def test_spoke_network_refuses_names_too_long_before_registering_anything():
    """Every child name the namer cannot build is named at once, before anything is registered;
    the first one used to be a bare ValueError after the spoke and its VNet were registered."""
    from components.spoke_network import SpokeHub, SpokeNetwork, SpokeNetworkArgs

    args = SpokeNetworkArgs(
        placement=PLACEMENT,
        namer=Namer(prefix="p" * 60, suffix="abcde"),
        address_space="10.1.0.0/24",
        private_endpoint_prefix="10.1.0.0/26",
        workload_prefix="10.1.0.64/26",
        hub=SpokeHub(
            vnet_id="/vnets/hub",
            vnet_name="vnet-t-hub",
            resource_group_name="rg-net",
            firewall_private_ip="10.0.0.4",
            dns_zone_ids=ZONES,
        ),
        diagnostics=DIAGNOSTICS,
    )
    error = refused_before_registering(lambda: SpokeNetwork("spoke", args))
    assert {key for key, _ in error.problems} == {"SpokeNetworkArgs.namer"}
    messages = " | ".join(message for _, message in error.problems)
    for kind in ("virtual_network", "subnet", "network_security_group"):
        assert f"Azure allows at most {NAME_RULES[kind].max_length} for {kind}" in messages
    assert len(error.problems) == 3, messages


class _AzureOmits(ArmMocks):
    """Mocks answering ``resource_type`` without the output ``drop`` removes from its state."""

    def __init__(self, resource_type: str, drop: Callable[[dict], dict]):
        super().__init__(DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID)
        self.resource_type = resource_type
        self.drop = drop

    def new_resource(self, args):
        resource_id, state = super().new_resource(args)
        if args.typ == self.resource_type:
            state = self.drop(dict(state))
        return resource_id, state


def _firewall_without_private_ip(state: dict) -> dict:
    state["ipConfigurations"] = [
        {key: value for key, value in configuration.items() if key != "privateIPAddress"}
        for configuration in state["ipConfigurations"]
    ]
    return state


def _identity_without_principal(state: dict) -> dict:
    state["identity"] = {"type": "SystemAssigned"}
    return state


@pytest.mark.parametrize(
    ("resource_type", "drop", "build", "missing"),
    [
        (
            "azure-native:network:AzureFirewall",
            _firewall_without_private_ip,
            lambda: Firewall("fw", basic_firewall_args(management_subnet_id="/subnets/mgmt")),
            "Azure reported the firewall without a private IP address",
        ),
        (
            "azure-native:cognitiveservices:Project",
            _identity_without_principal,
            lambda: FoundryProject(
                "proj",
                FoundryProjectArgs(
                    placement=PLACEMENT,
                    account_name="oai-test",
                    spec=FoundryProjectSpec(
                        name="notes",
                        description="discharge notes",
                        member_group_ids=["11111111-1111-4111-8111-111111111111"],
                    ),
                    subscription_id="sub",
                ),
            ),
            "Azure reported Foundry project notes without its identity's principal",
        ),
        (
            "azure-native:authorization:PolicyAssignment",
            _identity_without_principal,
            lambda: SecurityBaseline(
                "baseline", SecurityBaselineArgs(subscription_id="sub", location="eastus2")
            ),
            "Azure reported the HITRUST/HIPAA policy assignment without its identity's principal",
        ),
    ],
)
def test_a_value_azure_always_returns_but_did_not_is_an_unexpected_azure_response(
    resource_type: str, drop: Callable[[dict], dict], build: Callable[[], object], missing: str
):
    """Not the user's input (no config key to name): the program fails (exit 3, "the stack
    program failed: UnexpectedAzureResponse: ...") saying what Azure's answer lacked. It used to
    be a ValueError, which the SDK buries under "While processing input: ... <Output object>"."""
    from components.errors import UnexpectedAzureResponse

    with pytest.raises(UnexpectedAzureResponse) as failure:
        run_program(
            lambda: build() and None,
            project="hlz",
            stack="unit",
            config={},
            mocks=_AzureOmits(resource_type, drop),
        )
    assert str(failure.value) == (
        f"{missing} (an unexpected Azure response: retry, or check the resource)"
    )


def test_hub_network_refuses_names_too_long_before_registering_anything():
    """The hub used to register itself, its DDoS plan and VNet before a child's name broke
    Azure's limit (a bare ValueError, exit 3)."""
    args = HubNetworkArgs(
        placement=PLACEMENT,
        namer=Namer(prefix="p" * 60, suffix="abcde"),
        address_space="10.0.0.0/22",
        subnets=SUBNETS,
        diagnostics=DIAGNOSTICS,
    )
    error = refused_before_registering(lambda: HubNetwork("hub", args))
    assert {key for key, _ in error.problems} == {"HubNetworkArgs.namer"}
    assert len(error.problems) > 1  # every name that does not fit, at once


def test_arguments_a_component_model_refuses_are_a_config_error_naming_them(tmp_path: Path):
    """A program that builds a component's arguments badly gets exit 2 naming
    ``<Model>.<argument>``, not pydantic's ValidationError as "the stack program failed"."""
    program = tmp_path / "program.py"
    program.write_text(
        "from components.health_data import HealthDataServicesArgs\n"
        "HealthDataServicesArgs.model_validate({'corsOrigins': ['*'], 'fhir': 'perhaps'})\n"
    )
    stack_file = tmp_path / "Pulumi.own.yaml"
    stack_file.write_text("config:\n  hlz:layer: my-own\n")
    code, _, err = run_hlz("plan", "own", "--program", program, "--stack-file", stack_file, "--quiet")
    assert code == 2, err
    assert "hlz: invalid component arguments" in err
    assert "  - HealthDataServicesArgs.corsOrigins[0]: '*' is a wildcard" in err
    assert "  - HealthDataServicesArgs.fhir: Input should be a valid boolean" in err
    assert "the stack program failed" not in err and "Traceback" not in err


# --- point-to-site VPN gateway (hub) ------------------------------------------------------------

VPN = VpnGatewaySpec(client_address_pool="172.16.201.0/24")
GATEWAY_SUBNETS = SUBNETS.model_copy(update={"gateway": "10.0.0.192/27"})


def test_hub_network_has_no_vpn_gateway_by_default():
    resources = hub()
    assert not of_type(resources, "azure-native:network:VirtualNetworkGateway")
    names = [s.inputs["subnetName"] for s in of_type(resources, "azure-native:network:Subnet")]
    assert "GatewaySubnet" not in names


def test_vpn_gateway_defaults_are_zone_redundant_and_entra_only():
    resources = hub(subnets=GATEWAY_SUBNETS, vpn_gateway=VPN, tenant_id=DEFAULT_TENANT_ID)
    gateway = one(resources, "azure-native:network:VirtualNetworkGateway")
    inputs = gateway.inputs
    assert inputs["virtualNetworkGatewayName"] == "vgw-t-hub"
    assert (inputs["gatewayType"], inputs["vpnType"]) == ("Vpn", "RouteBased")
    assert inputs["sku"] == {"name": "VpnGw1AZ", "tier": "VpnGw1AZ"}
    assert inputs["vpnGatewayGeneration"] == "Generation1"
    assert inputs["activeActive"] is False and inputs["enableBgp"] is False
    (ip_config,) = inputs["ipConfigurations"]
    assert ip_config["subnet"]["id"].endswith("/subnets/GatewaySubnet")
    public_ip = next(
        r
        for r in of_type(resources, "azure-native:network:PublicIPAddress")
        if r.inputs["publicIpAddressName"] == "pip-t-vpn-gateway"
    )
    assert ip_config["publicIPAddress"]["id"] == public_ip.id
    assert public_ip.inputs["sku"]["name"] == "Standard"
    assert public_ip.inputs["publicIPAllocationMethod"] == "Static"
    assert public_ip.inputs["zones"] == ["1", "2", "3"]
    client = inputs["vpnClientConfiguration"]
    assert client["vpnClientAddressPool"] == {"addressPrefixes": ["172.16.201.0/24"]}
    assert client["vpnClientProtocols"] == ["OpenVPN"]
    assert client["vpnAuthenticationTypes"] == ["AAD"]
    assert client["aadTenant"] == f"https://login.microsoftonline.com/{DEFAULT_TENANT_ID}/"
    assert client["aadIssuer"] == f"https://sts.windows.net/{DEFAULT_TENANT_ID}/"
    assert client["aadAudience"] == AZURE_VPN_CLIENT_AUDIENCE
    assert "vpnClientRootCertificates" not in client and "radiusServers" not in client
    logged = {
        d.inputs["resourceUri"]
        for d in of_type(resources, "azure-native:monitor:DiagnosticSetting")
    }
    assert gateway.id in logged and public_ip.id in logged


def test_vpn_gateway_outlasts_azure_native_default_timeouts_for_its_45_minute_create():
    from components.vpn_gateway import VPN_GATEWAY_TIMEOUTS

    assert VPN_GATEWAY_TIMEOUTS.create == "90m" and VPN_GATEWAY_TIMEOUTS.update == "90m"


def test_gateway_subnet_has_no_nsg():
    resources = hub(subnets=GATEWAY_SUBNETS, vpn_gateway=VPN, tenant_id=DEFAULT_TENANT_ID)
    (subnet,) = [
        s
        for s in of_type(resources, "azure-native:network:Subnet")
        if s.inputs["subnetName"] == "GatewaySubnet"
    ]
    assert subnet.inputs["addressPrefix"] == "10.0.0.192/27"
    assert "networkSecurityGroup" not in subnet.inputs
    nsgs = [n.inputs["networkSecurityGroupName"] for n in of_type(resources, NSG_TOKEN)]
    assert not [name for name in nsgs if "gateway" in name]


NSG_TOKEN = "azure-native:network:NetworkSecurityGroup"


def test_vpn_gateway_without_gateway_subnet_is_refused_before_registering_anything():
    def build() -> None:
        with component_arguments():
            HubNetwork(
                "hub",
                HubNetworkArgs(
                    placement=PLACEMENT,
                    namer=NAMER,
                    address_space="10.0.0.0/22",
                    subnets=SUBNETS,
                    vpn_gateway=VPN,
                    tenant_id="tenant",
                    diagnostics=DIAGNOSTICS,
                ),
            )

    error = refused_before_registering(build)
    assert any(
        "subnets.gateway (required when a VPN gateway is deployed)" in text
        for _, text in error.problems
    ), error.problems


def test_vpn_gateway_skus_are_the_az_skus_the_pack_knows():
    from typing import get_args

    from policies.vocabulary import VPN_GATEWAY_NON_AZ_SKUS, VPN_GATEWAY_SKUS

    field = VpnGatewaySpec.model_fields["sku"]
    assert get_args(field.annotation) == VPN_GATEWAY_SKUS
    assert not set(VPN_GATEWAY_SKUS) & set(VPN_GATEWAY_NON_AZ_SKUS)
    with pytest.raises(ValidationError, match="sku"):
        VpnGatewaySpec(sku="VpnGw1", client_address_pool="172.16.201.0/24")  # type: ignore[arg-type]


def test_gateway_subnet_must_be_at_least_a_slash_27():
    with pytest.raises(ValidationError, match="gateway"):
        SUBNETS.model_validate({**SUBNETS.model_dump(), "gateway": "10.0.0.192/28"})
