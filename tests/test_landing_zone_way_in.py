"""What the landing zone gives a lab's jump host: egress through the hub firewall to exactly what
the platform's own components need, and the Bastion connection a lab member can use.

- The hub firewall's policy lets the AI lab spokes (and nobody else) reach the FQDNs of
  ``components.firewall.LAB_PLATFORM_EGRESS`` over HTTP/S application rules, on every tier.
- Bastion native client support (``enableTunneling``) stays off; ``hlz:bastionNativeClientOverride``
  turns it on for a Standard Bastion, with its reason as a tag that the reports list.
- The lab's ``jumpHostSshCommand`` output names the way in that exists: the Azure portal without
  native client support, ``az network bastion ssh`` with it.
"""

from __future__ import annotations

import copy
import ipaddress
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from components.bastion import Bastion, BastionArgs
from components.errors import ConfigError
from components.firewall import LAB_PLATFORM_EGRESS, FirewallArgs
from components.hub_network import HubNetwork, HubNetworkArgs, HubSubnetPrefixes
from components.naming import Namer
from components.shared import DiagnosticsTarget, Override, Placement
from hlz.plan import Plan
from hlz.policy_check import check_plan
from hlz.stackfiles import load_stack_file
from stacks.landing_zone.config import load_landing_zone_config
from tests.cli_runner import run_hlz
from tests.conftest import PLANNER, ROOT, of_type, one, run_components

RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
BASTION_HOST = "azure-native:network:BastionHost"
TAGS = {"owner": "o", "cost-center": "c", "environment": "e", "data-classification": "phi"}
PLACEMENT = Placement(resource_group_name="rg-test", location="eastus2", tags=TAGS)
DIAGNOSTICS = DiagnosticsTarget(workspace_id="/workspaces/law")
SPOKES = ("10.1.0.0/22", "10.2.0.0/22")
NATIVE_CLIENT = Override(
    reason="Platform team copies build artefacts to lab hosts; reviewed by the privacy office",
    expires=date(2099, 1, 31),
)
NATIVE_CLIENT_TAG = "hlz-override-bastion-native-client"


# --- egress: the firewall component -----------------------------------------------------------


def firewall(tier: str = "Standard", spokes: tuple[str, ...] = ()) -> list:
    """A hub with a firewall of ``tier`` (the hub gives it real subnets), no Bastion."""
    args = HubNetworkArgs(
        placement=PLACEMENT,
        namer=Namer(prefix="t", suffix="abcde"),
        address_space="10.0.0.0/22",
        subnets=HubSubnetPrefixes(
            firewall="10.0.0.0/26",
            firewall_management="10.0.0.64/26",
            shared_services="10.0.1.0/24",
            private_endpoints="10.0.2.0/24",
        ),
        firewall_tier=tier,
        bastion_sku=None,
        spoke_address_spaces=list(spokes),
        ddos_protection_override=Override(reason="unit test hub: no public workload behind it"),
        diagnostics=DIAGNOSTICS,
    )
    return run_components(lambda: HubNetwork("hub", args) and None)


def egress_rules(group: dict[str, Any]) -> list[dict[str, Any]]:
    (collection,) = group["ruleCollections"]
    assert collection["ruleCollectionType"] == "FirewallPolicyFilterRuleCollection"
    assert collection["action"] == {"type": "Allow"}
    return collection["rules"]


def test_a_firewall_without_lab_egress_sources_allows_nothing_out():
    resources = firewall()
    assert not of_type(resources, RULE_COLLECTION_GROUP)
    assert (
        FirewallArgs.model_fields["lab_egress_sources"].get_default(call_default_factory=True) == []
    )


@pytest.mark.parametrize("tier", ["Basic", "Standard", "Premium"])
def test_the_spokes_reach_exactly_the_platform_egress_on_every_tier(tier: str):
    """Application rules with FQDNs exist on Basic too (features by SKU), so every tier gets the
    same collection: one Allow collection, one application rule per need, the spokes as the only
    sources, the needs' exact FQDNs and protocols, nothing else."""
    resources = firewall(tier, SPOKES)
    group = one(resources, RULE_COLLECTION_GROUP)
    policy = one(resources, "azure-native:network:FirewallPolicy")
    assert group.inputs["firewallPolicyName"] == policy.inputs["firewallPolicyName"]
    assert group.inputs["resourceGroupName"] == "rg-test"
    assert group.inputs["ruleCollectionGroupName"] == "lab-platform-egress"
    rules = egress_rules(group.inputs)
    assert [rule["name"] for rule in rules] == [need.name for need in LAB_PLATFORM_EGRESS]
    for rule, need in zip(rules, LAB_PLATFORM_EGRESS, strict=True):
        assert rule["ruleType"] == "ApplicationRule"
        assert rule["sourceAddresses"] == list(SPOKES)
        assert rule["targetFqdns"] == list(need.fqdns)
        assert [(p["protocolType"], p["port"]) for p in rule["protocols"]] == list(need.protocols)
        assert set(rule) == {
            "name",
            "description",
            "ruleType",
            "sourceAddresses",
            "targetFqdns",
            "protocols",
        }, "no FQDN tags, web categories, URLs, destination addresses or IP groups"


def test_the_rule_collection_group_is_written_after_the_firewall():
    """Azure updates every firewall using a policy when one of its rule collection groups
    changes; writing the group while the firewall is still being created fails."""
    resources = firewall(spokes=SPOKES)
    group = one(resources, RULE_COLLECTION_GROUP)
    azure_firewall = one(resources, "azure-native:network:AzureFirewall")
    assert azure_firewall.urn in group.dependencies


@pytest.mark.parametrize("source", ["0.0.0.0/0", "8.8.8.0/24", "*", "10.1.0.0"])
def test_an_egress_source_that_is_not_a_private_range_is_refused(source: str):
    with pytest.raises(ValidationError, match="lab_egress_sources"):
        FirewallArgs(
            placement=PLACEMENT,
            firewall_name="afw-t-hub",
            policy_name="afwp-t-hub",
            public_ip_name="pip-t-firewall",
            tier="Standard",
            subnet_id="/subnets/fw",
            diagnostics=DIAGNOSTICS,
            lab_egress_sources=[source],
        )


def test_every_egress_need_names_exact_hosts_and_the_page_that_documents_them():
    fqdns = [fqdn for need in LAB_PLATFORM_EGRESS for fqdn in need.fqdns]
    assert fqdns and not [f for f in fqdns if "*" in f or "/" in f or f != f.lower()]
    assert {fqdn for need in LAB_PLATFORM_EGRESS for fqdn in need.fqdns} == {
        "packages.microsoft.com",
        "login.microsoftonline.com",
        "pas.windows.net",
        "azure.archive.ubuntu.com",
        "security.ubuntu.com",
        "management.azure.com",
    }
    for need in LAB_PLATFORM_EGRESS:
        assert need.source.startswith("https://learn.microsoft.com/"), need.name
        assert need.purpose, need.name
        assert set(need.protocols) <= {("Http", 80), ("Https", 443)}, need.name


def test_the_jump_host_guide_lists_every_egress_host():
    guide = (ROOT / "docs" / "jump-host.md").read_text()
    for need in LAB_PLATFORM_EGRESS:
        assert need.source in guide, need.name
        for fqdn in need.fqdns:
            assert f"`{fqdn}`" in guide, fqdn


# --- egress: the example landing zones ---------------------------------------------------------


def test_both_landing_zones_let_only_their_spokes_out_to_the_platform_egress(
    landing_zone_plan: Plan,
):
    (group,) = landing_zone_plan.of_type(RULE_COLLECTION_GROUP)
    (policy,) = landing_zone_plan.of_type("azure-native:network:FirewallPolicy")
    (azure_firewall,) = landing_zone_plan.of_type("azure-native:network:AzureFirewall")
    assert group.inputs["firewallPolicyName"] == policy.inputs["firewallPolicyName"]
    assert azure_firewall.urn in group.dependencies
    spokes = sorted(landing_zone_plan.outputs["spokeAllocations"].values())
    hub = landing_zone_plan.of_type("azure-native:network:VirtualNetwork")[0]
    (hub_space,) = hub.inputs["addressSpace"]["addressPrefixes"]
    for rule in egress_rules(group.inputs):
        assert sorted(rule["sourceAddresses"]) == spokes
        for source in rule["sourceAddresses"]:
            assert not ipaddress.ip_network(source).overlaps(ipaddress.ip_network(hub_space))
    assert group.id.endswith(
        f"/firewallPolicies/{policy.inputs['firewallPolicyName']}/ruleCollectionGroups/"
        f"{group.inputs['ruleCollectionGroupName']}"
    )


def test_the_egress_rules_pass_the_pack_and_azures_type_definitions(landing_zone_plan: Plan):
    report = check_plan(landing_zone_plan.to_json(), exemptions=[])
    assert [(f.rule.id, f.urn) for f in report.violations] == []
    assert [(f.kind, f.urn, f.path) for f in report.type_errors] == []
    (group,) = landing_zone_plan.of_type(RULE_COLLECTION_GROUP)
    assert group.urn not in {f.urn for f in report.type_unchecked}


def test_a_landing_zone_without_spokes_or_firewall_has_no_egress_rules():
    stack_file = load_stack_file("lz-dev")
    stack_file.config["hlz:spokes"] = {}
    assert not PLANNER.plan("lz-no-spokes", stack_file=stack_file).of_type(RULE_COLLECTION_GROUP)
    stack_file = load_stack_file("lz-dev")
    stack_file.config["hlz:firewall"] = "none"
    for key in ("firewall", "firewallManagement"):
        del stack_file.config["hlz:hub"]["subnets"][key]
    plan = PLANNER.plan("lz-no-firewall", stack_file=stack_file)
    assert not plan.of_type(RULE_COLLECTION_GROUP)
    assert not plan.of_type("azure-native:network:AzureFirewall")


# --- Bastion native client: component ----------------------------------------------------------


def bastion_args(sku: str, **overrides: Any) -> BastionArgs:
    return BastionArgs(
        placement=PLACEMENT,
        bastion_name="bas-t-hub",
        public_ip_name="pip-t-bastion",
        subnet_id="/subnets/AzureBastionSubnet",
        sku=sku,
        diagnostics=DIAGNOSTICS,
        **overrides,
    )


def test_bastion_has_no_native_client_by_default():
    host = one(
        run_components(lambda: Bastion("bas", bastion_args("Standard")) and None), BASTION_HOST
    ).inputs
    assert not host.get("enableTunneling")  # the SDK sends its default, false
    assert host["disableCopyPaste"] is True and host["enableFileCopy"] is False
    assert not any(tag.startswith("hlz-override-") for tag in host["tags"])


def test_a_native_client_override_turns_on_tunneling_and_is_written_on_the_host():
    args = bastion_args("Standard", native_client_override=NATIVE_CLIENT)
    host = one(run_components(lambda: Bastion("bas", args) and None), BASTION_HOST).inputs
    assert host["enableTunneling"] is True
    # The portal's session controls stay as they were.
    assert host["disableCopyPaste"] is True and host["enableFileCopy"] is False
    assert host["tags"][NATIVE_CLIENT_TAG] == (
        "Platform team copies build artefacts to lab hosts; reviewed by the privacy office "
        "(expires 2099-01-31)"
    )


def test_a_basic_bastion_refuses_a_native_client_override():
    with pytest.raises(ValidationError, match="native_client_override") as error:
        bastion_args("Basic", native_client_override=NATIVE_CLIENT)
    assert "needs the Standard SKU" in str(error.value)


# --- Bastion native client: configuration ------------------------------------------------------


def example(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key.removeprefix("hlz:"): copy.deepcopy(value) for key, value in config.items()}


def problems(raw: dict[str, Any], stack: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_landing_zone_config(raw, stack, date(2026, 11, 27))
    return dict(caught.value.problems)


OVERRIDE = {"reason": "Platform team copies build artefacts to lab hosts; reviewed quarterly"}


def test_both_examples_keep_native_client_off():
    for stack in ("lz-dev", "lz-prod"):
        config = load_landing_zone_config(example(stack), stack)
        assert config.bastion_native_client_override is None
        assert config.bastion_native_client is False


def test_a_production_landing_zone_accepts_a_native_client_override():
    raw = example("lz-prod")
    raw["bastionNativeClientOverride"] = {**OVERRIDE, "expires": "2027-03-31"}
    config = load_landing_zone_config(raw, "lz-prod", date(2026, 11, 27))
    assert config.bastion_native_client is True
    assert config.bastion_native_client_override is not None


def test_a_basic_bastion_refuses_the_override_naming_its_key():
    raw = example("lz-dev")
    raw["bastionNativeClientOverride"] = OVERRIDE
    assert problems(raw, "lz-dev") == {
        "hlz:bastionNativeClientOverride": (
            "native client support (az network bastion ssh and tunnel, enableTunneling) needs "
            "the Standard SKU, and this Bastion is Basic (the lab profile's); lab members sign "
            "in with Microsoft Entra ID from the Azure portal on Basic too; remove the override"
        )
    }


def test_the_override_without_a_bastion_is_refused_naming_its_key():
    raw = example("lz-prod")
    raw["bastion"] = False
    raw["bastionNativeClientOverride"] = OVERRIDE
    assert problems(raw, "lz-prod") == {
        "hlz:bastionNativeClientOverride": "only applies with hlz:bastion: true; remove it"
    }


def test_an_expired_native_client_override_is_refused_naming_its_expiry():
    raw = example("lz-prod")
    raw["bastionNativeClientOverride"] = {**OVERRIDE, "expires": "2026-11-26"}
    found = problems(raw, "lz-prod")
    assert found["hlz:bastionNativeClientOverride.expires"].startswith(
        "the override expired on 2026-11-26"
    )


def test_hlz_plan_of_a_basic_bastion_with_the_override_exits_2(tmp_path: Path):
    document = yaml.safe_load((ROOT / "Pulumi.lz-dev.yaml").read_text())
    document["config"]["hlz:bastionNativeClientOverride"] = OVERRIDE
    stack_file = tmp_path / "Pulumi.lz-dev.yaml"
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
    code, _, err = run_hlz("plan", "lz-dev", "--stack-file", stack_file, "--quiet")
    assert code == 2, err
    assert "  - hlz:bastionNativeClientOverride: native client support" in err
    assert "Traceback" not in err and "the stack program failed" not in err


# --- Bastion native client: plans and reports --------------------------------------------------


def test_both_example_landing_zones_export_no_native_client(landing_zone_plan: Plan):
    (host,) = landing_zone_plan.of_type(BASTION_HOST)
    assert not host.inputs.get("enableTunneling")
    assert landing_zone_plan.outputs["bastionNativeClient"] is False


def native_client_files(directory: Path) -> Path:
    """lz-native (lz-prod with the override) and lab-native (lab-prod on it), side by side."""
    landing_zone = yaml.safe_load((ROOT / "Pulumi.lz-prod.yaml").read_text())
    landing_zone["config"]["hlz:bastionNativeClientOverride"] = {
        **OVERRIDE,
        "expires": "2099-01-31",
    }
    (directory / "Pulumi.lz-native.yaml").write_text(yaml.safe_dump(landing_zone))
    lab = yaml.safe_load((ROOT / "Pulumi.lab-prod.yaml").read_text())
    lab["config"]["hlz:landingZoneStack"] = "lz-native"
    lab_file = directory / "Pulumi.lab-native.yaml"
    lab_file.write_text(yaml.safe_dump(lab))
    return lab_file


@pytest.fixture(scope="module")
def native_client_lab(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    lab_file = native_client_files(tmp_path_factory.mktemp("native-client"))
    return PLANNER.plan("lab-native", stack_file=load_stack_file("lab-native", path=lab_file))


def test_the_override_turns_on_tunneling_and_the_reports_list_it(native_client_lab: Plan):
    landing_zone = native_client_lab.referenced["lz-native"]
    (host,) = landing_zone.of_type(BASTION_HOST)
    assert host.inputs["enableTunneling"] is True
    assert host.inputs["disableCopyPaste"] is True and host.inputs["enableFileCopy"] is False
    assert host.inputs["tags"][NATIVE_CLIENT_TAG].startswith(OVERRIDE["reason"])
    assert landing_zone.outputs["bastionNativeClient"] is True
    report = check_plan(landing_zone.to_json(), exemptions=[])
    assert [(f.rule.id, f.urn) for f in report.violations] == []
    assert [(f.kind, f.urn, f.path) for f in report.type_errors] == []
    (recorded,) = [o for o in report.recorded_overrides if o.control == "bastion-native-client"]
    assert recorded.urn == host.urn and recorded.reason == OVERRIDE["reason"]
    assert recorded.expires == date(2099, 1, 31)
    listed = report.to_json()["overrides"]
    assert any(o["control"] == "bastion-native-client" for o in listed)


# --- what the lab tells its members ------------------------------------------------------------


def test_without_native_client_the_lab_points_its_members_to_the_portal(lab_plan: Plan):
    (vm,) = lab_plan.of_type("azure-native:compute:VirtualMachine")
    (group,) = lab_plan.of_type("azure-native:resources:ResourceGroup")
    instructions = lab_plan.outputs["jumpHostSshCommand"]
    assert instructions == (
        f"Azure portal: open the virtual machine {vm.inputs['vmName']} (resource group "
        f"{group.inputs['resourceGroupName']}), select Connect > Bastion, protocol SSH, "
        "authentication type Microsoft Entra ID, then Connect. The hub's Bastion has no native "
        "client support, so az network bastion ssh is not available (docs/jump-host.md)."
    )
    assert "az network bastion ssh --" not in instructions


def test_with_native_client_the_lab_gives_the_az_command(native_client_lab: Plan):
    landing_zone = native_client_lab.referenced["lz-native"].outputs
    (vm,) = native_client_lab.of_type("azure-native:compute:VirtualMachine")
    assert native_client_lab.outputs["jumpHostSshCommand"] == (
        f"az network bastion ssh --name {landing_zone['bastionHostName']} --resource-group "
        f"{landing_zone['resourceGroupName']} --target-resource-id {vm.id} --auth-type AAD"
    )
