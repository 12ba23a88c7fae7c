"""The lab's access components under named scenarios: the jump host (defaults with every secure
value on the wire, refusals naming the field, accepted variants) and the spoke NSG that admits
SSH from the hub's Bastion alone."""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

import components.jump_host
from components.encryption import EncryptionKey
from components.jump_host import (
    JUMP_HOST_SIZES,
    JUMP_HOST_START_ACTIONS,
    RESERVED_ADMIN_USERNAMES,
    WINDOWS_TIME_ZONE_IDS,
    AutoShutdown,
    JumpHost,
    JumpHostArgs,
    JumpHostSpec,
    ssh_public_key_problem,
)
from components.naming import Namer
from components.network_security import deny_internet_inbound_rules
from components.roles import BUILTIN_ROLES, role_assignment_name, role_definition_name
from components.spoke_network import SpokeHub, SpokeNetwork, SpokeNetworkArgs
from hlz.engine.arm_ids import fake_guid
from hlz.engine.recording import Registration
from hlz.engine.run import ProgramRun
from tests.component_support import (
    DIAGNOSTICS,
    PLACEMENT,
    TAGS,
    encryption_key,
    unregistered_key,
)
from tests.component_support import run_unit as run
from tests.conftest import of_type, one

GROUP = "3f2b8a7e-1c4d-4e5f-8a9b-0c1d2e3f4a5b"
SUBNET_ID = "/subscriptions/s/resourceGroups/rg-lab/providers/Microsoft.Network/virtualNetworks/v/subnets/workloads"
BASTION_ID = (
    "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/bastionHosts/bas-hub"
)
SPOKE_VNET_ID = (
    "/subscriptions/s/resourceGroups/rg-lab/providers/Microsoft.Network/virtualNetworks/v"
)
VM_NAME = "vm-t-jump"

VM = "azure-native:compute:VirtualMachine"
EXTENSION = "azure-native:compute:VirtualMachineExtension"
DES = "azure-native:compute:DiskEncryptionSet"
NIC = "azure-native:network:NetworkInterface"
NSG = "azure-native:network:NetworkSecurityGroup"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
GENERIC = "azure-native:resources:Resource"
"""The lab's custom role definitions are generic resources (API 2022-04-01)."""


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ed25519_key(comment: str = "lab-breakglass") -> str:
    blob = _ssh_string(b"ssh-ed25519") + _ssh_string(bytes(range(32)))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}".strip()


def rsa_key(bits: int) -> str:
    """An ssh-rsa line whose modulus has ``bits`` bits (the shape is what is checked)."""
    modulus = (1 << (bits - 1)) | 1
    encoded = modulus.to_bytes((bits + 7) // 8 + 1, "big")  # mpint: leading zero byte
    blob = _ssh_string(b"ssh-rsa") + _ssh_string(b"\x01\x00\x01") + _ssh_string(encoded)
    return f"ssh-rsa {base64.b64encode(blob).decode()} ops@example.org"


KEY = ed25519_key()


def jump_host_args(key: EncryptionKey, **overrides: Any) -> JumpHostArgs:
    values: dict[str, Any] = {
        "placement": PLACEMENT,
        "vm_name": VM_NAME,
        "nic_name": "nic-t-jump",
        "disk_encryption_set_name": "des-t-jump",
        "spec": JumpHostSpec(admin_ssh_public_key=KEY),
        "subnet_id": SUBNET_ID,
        "encryption": key,
        "member_group_ids": [GROUP],
        "connection_read_scopes": {"bastion": BASTION_ID, "spoke-vnet": SPOKE_VNET_ID},
        "subscription_id": "sub",
        **overrides,
    }
    return JumpHostArgs(**values)


def jump_host_program(**overrides: Any) -> Callable[[], None]:
    def program() -> None:
        host = JumpHost("jumphost", jump_host_args(encryption_key("jumphost"), **overrides))
        pulumi.export("principalId", host.principal_id)
        pulumi.export("name", host.name)

    return program


def named(registrations: list[Registration], logical_name: str) -> Registration:
    matches = [r for r in registrations if r.urn.endswith(f"::{logical_name}")]
    assert len(matches) == 1, f"expected one resource named {logical_name}, found {len(matches)}"
    return matches[0]


@pytest.fixture(scope="module")
def defaults() -> ProgramRun:
    return run(jump_host_program())


# --- defaults: every secure value on the wire ------------------------------------------------


def test_jump_host_defaults_trusted_launch_encryption_at_host_and_ubuntu_2404(defaults: ProgramRun):
    vm = one(defaults.registrations, VM).inputs
    assert vm["vmName"] == VM_NAME
    assert vm["hardwareProfile"] == {"vmSize": "Standard_D2s_v5"}
    assert vm["storageProfile"]["imageReference"] == {
        "publisher": "Canonical",
        "offer": "ubuntu-24_04-lts",
        "sku": "server",
        "version": "latest",
    }
    assert vm["securityProfile"] == {
        "securityType": "TrustedLaunch",
        "uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True},
        "encryptionAtHost": True,
    }
    assert vm["identity"] == {"type": "SystemAssigned"}
    # Boot diagnostics in managed storage: no storage account of ours is named.
    assert vm["diagnosticsProfile"] == {"bootDiagnostics": {"enabled": True}}
    assert vm["tags"] == TAGS
    assert defaults.stack_outputs["principalId"] == fake_guid("principal", "system", VM_NAME)
    assert defaults.stack_outputs["name"] == VM_NAME


def test_jump_host_os_disk_is_premium_encrypted_with_the_disk_encryption_set(defaults: ProgramRun):
    resources = defaults.registrations
    des = one(resources, DES)
    os_disk = one(resources, VM).inputs["storageProfile"]["osDisk"]
    assert os_disk == {
        "createOption": "FromImage",
        "caching": "ReadWrite",
        "deleteOption": "Delete",
        "managedDisk": {"storageAccountType": "Premium_LRS", "diskEncryptionSet": {"id": des.id}},
    }
    assert des.urn in one(resources, VM).dependencies
    assert "dataDisks" not in one(resources, VM).inputs["storageProfile"]


def test_jump_host_disk_encryption_set_uses_the_keys_identity_after_it_may_use_the_key(
    defaults: ProgramRun,
):
    resources = defaults.registrations
    des = one(resources, DES)
    identity = named(resources, "jumphost-cmk-id")
    assert des.inputs["diskEncryptionSetName"] == "des-t-jump"
    assert des.inputs["encryptionType"] == "EncryptionAtRestWithCustomerKey"
    assert des.inputs["rotationToLatestKeyVersionEnabled"] is True
    assert des.inputs["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": [identity.id],
    }
    assert named(resources, "jumphost-cmk-key-user").urn in des.dependencies
    assert des.inputs["tags"] == TAGS


def test_jump_host_disk_encryption_set_names_the_versioned_key_url(defaults: ProgramRun):
    """A disk encryption set refuses a versionless key URL ("Version segment of the Url is
    required regardless of rotationToLatestKeyVersionEnabled", Microsoft.Compute 2024-03-02);
    rotation then moves it to each new version."""
    key_url = one(defaults.registrations, DES).inputs["activeKey"]["keyUrl"]
    assert isinstance(key_url, str)
    assert key_url.startswith("https://kv-t-abcde.vault.azure.net/keys/t-jumphost-cmk/")
    assert len(key_url.rsplit("/", 1)[-1]) == 32


def test_jump_host_signs_in_with_ssh_keys_only_and_patches_itself(defaults: ProgramRun):
    os_profile = one(defaults.registrations, VM).inputs["osProfile"]
    assert os_profile["adminUsername"] == "labadmin"
    assert os_profile["computerName"] == VM_NAME
    assert "adminPassword" not in os_profile
    linux = os_profile["linuxConfiguration"]
    assert linux["disablePasswordAuthentication"] is True
    assert linux["provisionVMAgent"] is True
    assert linux["ssh"] == {
        "publicKeys": [{"path": "/home/labadmin/.ssh/authorized_keys", "keyData": KEY}]
    }
    assert linux["patchSettings"] == {
        "patchMode": "AutomaticByPlatform",
        "assessmentMode": "AutomaticByPlatform",
        "automaticByPlatformSettings": {"rebootSetting": "IfRequired"},
    }


def test_jump_host_has_one_private_nic_without_a_public_ip(defaults: ProgramRun):
    resources = defaults.registrations
    nic = one(resources, NIC)
    assert nic.inputs["networkInterfaceName"] == "nic-t-jump"
    (configuration,) = nic.inputs["ipConfigurations"]
    assert configuration["privateIPAllocationMethod"] == "Dynamic"
    assert configuration["subnet"]["id"] == SUBNET_ID
    assert "publicIPAddress" not in configuration
    assert nic.inputs["enableIPForwarding"] is False
    assert nic.inputs["enableAcceleratedNetworking"] is True
    assert "networkSecurityGroup" not in nic.inputs  # the subnet's NSG decides
    assert one(resources, VM).inputs["networkProfile"] == {
        "networkInterfaces": [{"id": nic.id, "primary": True}]
    }


def test_jump_host_signs_members_in_with_entra_id(defaults: ProgramRun):
    extension = one(defaults.registrations, EXTENSION).inputs
    assert {key: extension[key] for key in ("vmName", "vmExtensionName")} == {
        "vmName": VM_NAME,
        "vmExtensionName": "AADSSHLoginForLinux",
    }
    assert extension["publisher"] == "Microsoft.Azure.ActiveDirectory"
    assert extension["type"] == "AADSSHLoginForLinux"
    assert extension["typeHandlerVersion"] == "1.0"
    assert extension["autoUpgradeMinorVersion"] is True
    assert "settings" not in extension and "protectedSettings" not in extension


def test_jump_host_members_get_user_login_and_the_reads_a_bastion_connection_needs(
    defaults: ProgramRun,
):
    resources = defaults.registrations
    vm, nic = one(resources, VM), one(resources, NIC)
    grants = {
        (r.inputs["scope"], r.inputs["roleDefinitionId"].rsplit("/", 1)[-1])
        for r in of_type(resources, ROLE_ASSIGNMENT)
        if r.inputs["principalId"] == GROUP
    }
    login, reader = BUILTIN_ROLES["Virtual Machine User Login"], BUILTIN_ROLES["Reader"]
    assert grants == {
        (vm.id, login),
        (vm.id, reader),
        (vm.id, START_ROLE_GUID),
        (nic.id, reader),
        (BASTION_ID, reader),
        (SPOKE_VNET_ID, reader),
    }
    administrator_login = "1c0163c0-47e6-4577-8991-ea5c82e286e4"
    assert not any(role == administrator_login for _, role in grants)
    assert all(
        r.inputs["principalType"] == "Group"
        for r in of_type(resources, ROLE_ASSIGNMENT)
        if r.inputs["principalId"] == GROUP
    )


def test_jump_host_without_member_groups_grants_nothing():
    resources = run(jump_host_program(member_group_ids=[])).registrations
    assert [r.urn for r in of_type(resources, ROLE_ASSIGNMENT)] == [
        named(resources, "jumphost-cmk-key-user").urn
    ]
    assert of_type(resources, GENERIC) == []


# --- starting the host: a custom role of the lab's own -----------------------------------------

RESOURCE_GROUP_ID = "/subscriptions/sub/resourceGroups/rg-lab"
START_ROLE_NAME = f"Jump Host Starter ({VM_NAME})"
START_ROLE_GUID = role_definition_name(RESOURCE_GROUP_ID, START_ROLE_NAME)


def test_jump_host_members_may_start_the_vm_through_a_custom_role_of_the_lab(
    defaults: ProgramRun,
):
    resources = defaults.registrations
    definition = one(resources, GENERIC)
    assert definition.inputs["resourceProviderNamespace"] == "Microsoft.Authorization"
    assert definition.inputs["resourceType"] == "roleDefinitions"
    assert definition.inputs["parentResourcePath"] == ""
    assert definition.inputs["apiVersion"] == "2022-04-01"
    assert definition.inputs["resourceGroupName"] == "rg-lab"
    assert definition.inputs["resourceName"] == START_ROLE_GUID
    assert "location" not in definition.inputs and "tags" not in definition.inputs
    assert definition.inputs["properties"] == {
        "roleName": START_ROLE_NAME,
        "description": definition.inputs["properties"]["description"],
        "type": "CustomRole",
        "permissions": [
            {
                "actions": [
                    "Microsoft.Compute/virtualMachines/read",
                    "Microsoft.Compute/virtualMachines/instanceView/read",
                    "Microsoft.Compute/virtualMachines/start/action",
                ],
                "notActions": [],
                "dataActions": [],
                "notDataActions": [],
            }
        ],
        "assignableScopes": [RESOURCE_GROUP_ID],
    }
    assert VM_NAME in definition.inputs["properties"]["description"]
    vm = one(resources, VM)
    start = [
        r
        for r in of_type(resources, ROLE_ASSIGNMENT)
        if r.inputs["roleDefinitionId"].endswith(f"/{START_ROLE_GUID}")
    ]
    assert [
        (r.inputs["scope"], r.inputs["principalId"], r.inputs["principalType"]) for r in start
    ] == [(vm.id, GROUP, "Group")]
    assert start[0].inputs["roleDefinitionId"] == (
        f"/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/{START_ROLE_GUID}"
    )
    assert start[0].inputs["roleAssignmentName"] == role_assignment_name(
        vm.id, GROUP, START_ROLE_GUID
    )
    # Azure refuses an assignment of a role definition that does not exist yet.
    assert definition.urn in start[0].dependencies


def test_jump_host_start_role_grants_no_deallocate_restart_or_write():
    actions = set(JUMP_HOST_START_ACTIONS)
    assert not actions & {
        "Microsoft.Compute/virtualMachines/deallocate/action",
        "Microsoft.Compute/virtualMachines/powerOff/action",
        "Microsoft.Compute/virtualMachines/restart/action",
        "Microsoft.Compute/virtualMachines/write",
        "Microsoft.Compute/virtualMachines/delete",
    }
    assert not any("*" in action for action in actions)


def test_jump_host_start_role_is_the_same_with_auto_shutdown_off_or_on():
    """Always granted: a host without a schedule can still be deallocated (by the platform
    team, a cost runbook, Azure after a host failure), and members must bring it back."""
    shutdown_off = JumpHostSpec(admin_ssh_public_key=KEY, auto_shutdown=None)
    shutdown_on = JumpHostSpec.model_validate(
        {"admin_ssh_public_key": KEY, "auto_shutdown": {"time": "19:00"}}
    )
    bodies = [
        one(run(jump_host_program(spec=spec)).registrations, GENERIC).inputs
        for spec in (shutdown_off, shutdown_on)
    ]
    assert bodies[0] == bodies[1]


def test_jump_host_larger_size_and_other_admin_and_rsa_key():
    spec = JumpHostSpec(
        size="Standard_D4as_v5", admin_username="ops_1", admin_ssh_public_key=rsa_key(4096)
    )
    resources = run(jump_host_program(spec=spec)).registrations
    vm = one(resources, VM).inputs
    assert vm["hardwareProfile"] == {"vmSize": "Standard_D4as_v5"}
    assert vm["osProfile"]["adminUsername"] == "ops_1"
    (public_key,) = vm["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"]
    assert public_key == {"path": "/home/ops_1/.ssh/authorized_keys", "keyData": rsa_key(4096)}


def test_jump_host_exposes_uniform_outputs():
    assert {"id", "name", "principal_id", "private_ip"} <= set(
        components.jump_host.JumpHost.__annotations__
    )


# --- auto-shutdown: Azure's VM auto-shutdown, a DevTest Labs global schedule -------------------

SCHEDULE = "azure-native:devtestlab:GlobalSchedule"


def test_jump_host_without_auto_shutdown_plans_no_schedule(defaults: ProgramRun):
    # The component takes the resolved value: not set means no schedule (the AI lab config
    # derives it from the profile, tests/test_config_ai_lab.py).
    assert JumpHostSpec(admin_ssh_public_key=KEY).auto_shutdown is None
    assert not of_type(defaults.registrations, SCHEDULE)


def test_jump_host_auto_shutdown_is_enabled_daily_and_named_for_its_vm():
    """Status and the notification's status default to Disabled in the SDK when omitted: both
    are sent explicitly. ARM takes a VM's schedule only as shutdown-computevm-<vm name>."""
    spec = JumpHostSpec(admin_ssh_public_key=KEY, auto_shutdown=AutoShutdown())
    resources = run(jump_host_program(spec=spec)).registrations
    schedule = one(resources, SCHEDULE)
    vm = one(resources, VM)
    assert schedule.inputs == {
        "name": f"shutdown-computevm-{VM_NAME}",
        "resourceGroupName": "rg-lab",
        "location": "eastus2",
        "tags": TAGS,
        "status": "Enabled",
        "taskType": "ComputeVmShutdownTask",
        "dailyRecurrence": {"time": "1900"},
        "timeZoneId": "UTC",
        "targetResourceId": vm.id,
        "notificationSettings": {"status": "Disabled"},
    }
    assert vm.urn in schedule.dependencies
    assert schedule.parent == named(resources, "jumphost").urn
    assert schedule.urn.endswith("::jumphost-shutdown")


def test_jump_host_auto_shutdown_at_another_time_in_another_time_zone():
    shutdown = AutoShutdown(time="07:05", time_zone="eastern standard time")
    spec = JumpHostSpec(admin_ssh_public_key=KEY, auto_shutdown=shutdown)
    schedule = one(run(jump_host_program(spec=spec)).registrations, SCHEDULE).inputs
    assert schedule["dailyRecurrence"] == {"time": "0705"}
    # Any case is accepted and sent as Windows spells it.
    assert schedule["timeZoneId"] == "Eastern Standard Time"


def test_jump_host_auto_shutdown_turned_off_plans_no_schedule():
    spec = JumpHostSpec(admin_ssh_public_key=KEY, auto_shutdown=AutoShutdown(enabled=False))
    assert not of_type(run(jump_host_program(spec=spec)).registrations, SCHEDULE)


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("time", "7pm", "'7pm' is not a time of day as HH:MM (24-hour, e.g. 19:00 or 07:30)"),
        ("time", "1900", "'1900' is not a time of day as HH:MM"),
        ("time", "24:00", "'24:00' is not a time of day as HH:MM"),
        ("time", "19:60", "'19:60' is not a time of day as HH:MM"),
        ("time", "9:00", "'9:00' is not a time of day as HH:MM"),
        ("time", 1140, "write the time in quotes"),
        ("time_zone", "Eastern Time", "'Eastern Time' is not a Windows time zone id"),
        ("time_zone", "America/New_York", "(IANA names such as America/New_York are not)"),
        ("time_zone", 5, "Input should be a valid string"),
    ],
    ids=[
        "twelve_hour",
        "hhmm_without_colon",
        "hour_24",
        "minute_60",
        "one_digit_hour",
        "unquoted_yaml_sexagesimal",
        "not_a_windows_id",
        "iana_name",
        "not_text",
    ],
)
def test_auto_shutdown_refuses_naming_the_field(field: str, value: Any, fragment: str):
    with pytest.raises(ValidationError) as caught:
        AutoShutdown(**{field: value})
    ((error),) = caught.value.errors()
    assert error["loc"] == (field,)
    assert fragment in error["msg"]


def test_auto_shutdown_reports_every_problem_at_once():
    with pytest.raises(ValidationError) as caught:
        JumpHostSpec(
            admin_ssh_public_key=KEY,
            auto_shutdown={"time": "25:00", "timeZone": "CET", "weekdays": ["Monday"]},
        )
    assert {error["loc"] for error in caught.value.errors()} == {
        ("auto_shutdown", "time"),
        ("auto_shutdown", "timeZone"),
        ("auto_shutdown", "weekdays"),
    }


def test_every_listed_time_zone_is_accepted_and_us_ones_are_among_them():
    for zone in WINDOWS_TIME_ZONE_IDS:
        assert AutoShutdown(time_zone=zone).time_zone == zone
    us = {
        "UTC",
        "Eastern Standard Time",
        "Central Standard Time",
        "Mountain Standard Time",
        "US Mountain Standard Time",
        "Pacific Standard Time",
        "Alaskan Standard Time",
        "Hawaiian Standard Time",
    }
    assert us <= set(WINDOWS_TIME_ZONE_IDS)
    assert len(set(WINDOWS_TIME_ZONE_IDS)) == len(WINDOWS_TIME_ZONE_IDS)


# --- refusals, each naming its field ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("size", "Standard_B1s", "'Standard_B1s' is not a jump host size; use one of"),
        ("size", "Standard_D2_v5", "is not a jump host size"),
        ("admin_username", "root", "'root' is a name Azure reserves"),
        ("admin_username", "Administrator", "'Administrator' is a name Azure reserves"),
        ("admin_username", "Lab.Admin", "is not a Linux user name Azure accepts"),
        ("admin_username", "-lab", "is not a Linux user name Azure accepts"),
        ("admin_username", "a" * 33, "is not a Linux user name Azure accepts"),
        (
            "admin_ssh_public_key",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
            "is a private key: give the public key",
        ),
        ("admin_ssh_public_key", rsa_key(1024), "is a 1024-bit RSA key; Azure needs at least 2048"),
        ("admin_ssh_public_key", rsa_key(2047), "is a 2047-bit RSA key"),
        (
            "admin_ssh_public_key",
            "ssh-dss AAAAB3NzaC1kc3MAAACBAP== dsa",
            "'ssh-dss' is not a key type Azure accepts",
        ),
        ("admin_ssh_public_key", "ssh-ed25519 not*base64 x", "not valid base64 of an SSH key"),
        (
            "admin_ssh_public_key",
            KEY.replace("ssh-ed25519", "ssh-rsa", 1),
            "the key data is not of type ssh-rsa",
        ),
        ("admin_ssh_public_key", f"{KEY}\n{KEY}", "one line"),
        ("admin_ssh_public_key", "", "expected one OpenSSH public key line"),
        ("admin_ssh_public_key", f"{KEY}\x1b[31m", "the comment has control characters"),
    ],
    ids=[
        "size_not_d_v5",
        "size_without_premium_storage",
        "reserved_root",
        "reserved_any_case",
        "username_with_dot_and_capitals",
        "username_starting_with_hyphen",
        "username_too_long",
        "private_key",
        "rsa_1024",
        "rsa_2047",
        "dsa",
        "not_base64",
        "type_mismatch",
        "two_lines",
        "empty",
        "control_characters",
    ],
)
def test_jump_host_spec_refuses_naming_the_field(field: str, value: str, fragment: str):
    values = {"admin_ssh_public_key": KEY, field: value}
    with pytest.raises(ValidationError) as caught:
        JumpHostSpec(**values)
    ((error),) = caught.value.errors()
    assert error["loc"] == (field,)
    assert fragment in error["msg"]


def test_a_private_key_is_never_repeated_in_the_refusal():
    secret = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END"
    problem = ssh_public_key_problem(secret)
    assert problem is not None and "c2VjcmV0" not in problem


def test_jump_host_spec_reports_every_problem_at_once():
    with pytest.raises(ValidationError) as caught:
        JumpHostSpec(size="Standard_A1", admin_username="admin", admin_ssh_public_key="ssh-rsa x")
    assert {error["loc"] for error in caught.value.errors()} == {
        ("size",),
        ("admin_username",),
        ("admin_ssh_public_key",),
    }


def test_jump_host_spec_needs_the_break_glass_key():
    with pytest.raises(ValidationError) as caught:
        JumpHostSpec()  # type: ignore[call-arg]
    # Missing keys are named as the config writes them (hlz:jumpHost.adminSshPublicKey).
    assert [error["loc"] for error in caught.value.errors()] == [("adminSshPublicKey",)]


@pytest.mark.parametrize(
    "key",
    [ed25519_key(""), ed25519_key("two words comment"), rsa_key(2048), f"  {KEY}\n"],
    ids=["ed25519_without_comment", "comment_with_spaces", "rsa_2048", "surrounding_whitespace"],
)
def test_jump_host_spec_accepts_public_keys_azure_takes(key: str):
    assert JumpHostSpec(admin_ssh_public_key=key).admin_ssh_public_key == key.strip()


def test_every_reserved_admin_name_is_refused_and_every_size_accepted():
    for name in sorted(RESERVED_ADMIN_USERNAMES):
        with pytest.raises(ValidationError, match="a name Azure reserves"):
            JumpHostSpec(admin_username=name, admin_ssh_public_key=KEY)
    for size in JUMP_HOST_SIZES:
        assert JumpHostSpec(size=size, admin_ssh_public_key=KEY).size == size


def test_jump_host_refuses_invalid_names_all_at_once():
    with pytest.raises(ValidationError) as caught:
        jump_host_args(
            unregistered_key(),
            vm_name="vm_t_jump-",
            nic_name="-nic",
            disk_encryption_set_name="des t",
        )
    message = str(caught.value)
    assert "vm_name 'vm_t_jump-'" in message
    assert "nic_name '-nic'" in message
    assert "disk_encryption_set_name 'des t'" in message


def test_jump_host_refuses_a_read_scope_label_of_its_own_resources():
    with pytest.raises(ValidationError, match="labels nic, vm name the VM's own resources"):
        jump_host_args(unregistered_key(), connection_read_scopes={"vm": "/x", "nic": "/y"})


# --- the spoke's workloads NSG ---------------------------------------------------------------

SPOKE_HUB = SpokeHub(
    vnet_id="/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub",
    vnet_name="vnet-hub",
    resource_group_name="rg-hub",
    firewall_private_ip="10.0.0.4",
    dns_zone_ids={},
)


def spoke_nsg_rules(bastion_subnet_prefix: str | None) -> dict[str, list[dict[str, Any]]]:
    args = SpokeNetworkArgs(
        placement=PLACEMENT,
        namer=Namer(prefix="t-lab", suffix="abcde"),
        address_space="10.1.0.0/22",
        private_endpoint_prefix="10.1.0.0/24",
        workload_prefix="10.1.1.0/24",
        hub=SPOKE_HUB,
        diagnostics=DIAGNOSTICS,
        bastion_subnet_prefix=bastion_subnet_prefix,
    )
    resources = run(lambda: SpokeNetwork("spoke", args) and None).registrations
    return {
        nsg.inputs["networkSecurityGroupName"]: nsg.inputs["securityRules"]
        for nsg in of_type(resources, NSG)
    }


def _wire(rules: list[Any]) -> list[dict[str, Any]]:
    """The SDK's rule args as the wire carries them (camelCase, no unset values)."""

    def program() -> None:
        from pulumi_azure_native import network

        network.NetworkSecurityGroup(
            "probe", resource_group_name="rg", security_rules=rules, location="eastus2"
        )

    return one(run(program).registrations, NSG).inputs["securityRules"]


def test_a_spoke_without_a_jump_host_keeps_its_nsgs_as_they_were():
    """Off, both NSGs carry exactly the deny-Internet rule they always had: an existing lab's
    plan does not change."""
    rules = spoke_nsg_rules(None)
    baseline = _wire(deny_internet_inbound_rules())
    assert rules == {"nsg-t-lab-private-endpoints": baseline, "nsg-t-lab-workloads": baseline}


def test_a_spoke_with_a_jump_host_admits_ssh_from_the_bastion_subnet_alone():
    rules = spoke_nsg_rules("10.0.0.128/26")
    baseline = _wire(deny_internet_inbound_rules())
    assert rules["nsg-t-lab-private-endpoints"] == baseline  # no SSH target there
    workloads = {rule["name"]: rule for rule in rules["nsg-t-lab-workloads"]}
    assert workloads["allow-ssh-from-bastion"] == {
        "name": "allow-ssh-from-bastion",
        "priority": 100,
        "direction": "Inbound",
        "access": "Allow",
        "protocol": "Tcp",
        "sourceAddressPrefix": "10.0.0.128/26",
        "sourcePortRange": "*",
        "destinationAddressPrefix": "10.1.1.0/24",
        "destinationPortRanges": ["22"],
    }
    # SSH or RDP from anywhere else (the hub, other spokes: VirtualNetwork) is denied before
    # Azure's AllowVnetInBound (65000); the Internet stays denied too.
    deny = workloads["deny-remote-access-inbound"]
    assert (deny["priority"], deny["access"], deny["protocol"]) == (110, "Deny", "*")
    assert (deny["sourceAddressPrefix"], deny["destinationPortRanges"]) == ("*", ["22", "3389"])
    assert deny["priority"] > workloads["allow-ssh-from-bastion"]["priority"]
    assert workloads["deny-internet-inbound"] == baseline[0]
    assert len(workloads) == 3


def test_the_size_field_names_every_size_a_jump_host_may_use():
    """The config reference (docs/configuration.md) is generated from this docstring."""
    description = JumpHostSpec.model_fields["size"].description or ""
    assert [size for size in JUMP_HOST_SIZES if size not in description] == []
