"""The offline engine's mocks answer like Azure: ARM ids, auto-names, computed outputs."""

from __future__ import annotations

import re

from pulumi_azure_native import network, resources

from hlz.engine.arm_ids import firewall_private_ip
from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID
from tests.conftest import one, run_components

SUB = f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}"


def test_explicit_names_make_arm_ids_and_missing_ones_are_auto_named():
    def program() -> None:
        group = resources.ResourceGroup("rg", resource_group_name="rg-x", location="eastus2")
        vnet = network.VirtualNetwork(
            "vnet",
            resource_group_name=group.name,
            address_space=network.AddressSpaceArgs(address_prefixes=["10.9.0.0/24"]),
        )
        network.Subnet(
            "snet",
            subnet_name="snet-a",
            virtual_network_name=vnet.name,
            resource_group_name=group.name,
            address_prefix="10.9.0.0/26",
        )

    registered = run_components(program)
    group = one(registered, "azure-native:resources:ResourceGroup")
    assert group.id == f"{SUB}/resourceGroups/rg-x"
    vnet = one(registered, "azure-native:network:VirtualNetwork")
    assert re.fullmatch(
        rf"{SUB}/resourceGroups/rg-x/providers/Microsoft.Network/virtualNetworks/vnet[0-9a-f]{{7}}",
        vnet.id,
    )
    subnet = one(registered, "azure-native:network:Subnet")
    assert subnet.id == f"{vnet.id}/subnets/snet-a"
    assert subnet.inputs["virtualNetworkName"] == vnet.id.rsplit("/", 1)[-1]


def test_the_firewall_gets_the_fourth_address_of_its_subnet():
    assert firewall_private_ip("10.0.0.0/26") == "10.0.0.4"
    assert firewall_private_ip("10.100.0.0/26") == "10.100.0.4"


def test_extension_resources_hang_below_their_scope(lz_dev):
    vault = one(lz_dev.registrations, "azure-native:keyvault:Vault")
    setting = next(
        r
        for r in lz_dev.of_type("azure-native:monitor:DiagnosticSetting")
        if r.inputs["resourceUri"] == vault.id
    )
    assert (
        setting.id == f"{vault.id}/providers/Microsoft.Insights/diagnosticSettings/to-log-analytics"
    )
    for assignment in lz_dev.of_type("azure-native:authorization:RoleAssignment"):
        assert assignment.id.startswith(
            assignment.inputs["scope"] + "/providers/Microsoft.Authorization/roleAssignments/"
        )
