"""Virtual machine rules: the cases a mutation cannot express (a rule that does not apply, and
why), beyond the compliant fixture and mutations in policy_cases.py."""

from __future__ import annotations

from policy_cases import (
    COMPLIANT,
    DELETE,
    DISK_ENCRYPTION_SET,
    SHUTDOWN_SCHEDULE,
    VIRTUAL_MACHINE,
    mutate,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.evaluation import evaluate
from policies.model import Compliant, NonCompliant, NotApplicable, Undetermined
from policies.registry import rule_by_id
from policies.rules.compute import vm_shutdown_schedule_name

WINDOWS_VM = mutate(
    COMPLIANT[VIRTUAL_MACHINE],
    {
        "osProfile.linuxConfiguration": DELETE,
        "osProfile.adminPassword": "[secret]",
        "osProfile.windowsConfiguration": {
            "patchSettings": {"patchMode": "AutomaticByPlatform"},
            "enableAutomaticUpdates": True,
        },
    },
)
ATTACHED_OS_DISK_VM = mutate(
    COMPLIANT[VIRTUAL_MACHINE],
    {
        "osProfile": DELETE,
        "storageProfile.imageReference": DELETE,
        "storageProfile.osDisk.createOption": "Attach",
        "storageProfile.osDisk.osType": "Linux",
    },
)


def test_password_rule_does_not_apply_to_windows_whose_administrator_needs_one() -> None:
    outcome = evaluate(
        rule_by_id("compute-vm-disallow-password-authentication"), VIRTUAL_MACHINE, WINDOWS_VM
    )
    assert outcome == NotApplicable("a Windows VM: its administrator account always has a password")


def test_an_os_type_of_windows_alone_makes_a_vm_windows() -> None:
    props = mutate(COMPLIANT[VIRTUAL_MACHINE], {"storageProfile.osDisk.osType": "Windows"})
    outcome = evaluate(
        rule_by_id("compute-vm-disallow-password-authentication"), VIRTUAL_MACHINE, props
    )
    assert isinstance(outcome, NotApplicable)


def test_windows_vm_with_platform_patching_is_compliant_and_manual_is_not() -> None:
    rule = rule_by_id("compute-vm-require-automatic-patching")
    assert not isinstance(evaluate(rule, VIRTUAL_MACHINE, WINDOWS_VM), NonCompliant)
    manual = mutate(
        WINDOWS_VM, {"osProfile.windowsConfiguration.patchSettings.patchMode": "Manual"}
    )
    assert isinstance(evaluate(rule, VIRTUAL_MACHINE, manual), NonCompliant)


def test_a_vm_booting_an_existing_disk_has_no_accounts_or_patch_settings_to_judge() -> None:
    for rule_id, reason in (
        (
            "compute-vm-disallow-password-authentication",
            "no osProfile: the VM boots an existing disk and keeps its accounts",
        ),
        (
            "compute-vm-require-automatic-patching",
            "no osProfile: patch settings come with the existing disk",
        ),
    ):
        outcome = evaluate(rule_by_id(rule_id), VIRTUAL_MACHINE, ATTACHED_OS_DISK_VM)
        assert outcome == NotApplicable(reason), rule_id


def test_an_attached_os_disk_still_needs_the_disk_encryption_set() -> None:
    props = mutate(
        ATTACHED_OS_DISK_VM, {"storageProfile.osDisk.managedDisk.diskEncryptionSet": DELETE}
    )
    outcome = evaluate(rule_by_id("compute-vm-require-cmk-disk-encryption"), VIRTUAL_MACHINE, props)
    assert isinstance(outcome, NonCompliant)


def test_every_failure_of_a_vm_is_reported_at_once() -> None:
    props = mutate(
        COMPLIANT[VIRTUAL_MACHINE],
        {
            "securityProfile.uefiSettings": DELETE,
            "storageProfile.osDisk.managedDisk.diskEncryptionSet": DELETE,
            "storageProfile.dataDisks": [
                {"lun": 0.0, "createOption": "Empty", "managedDisk": {}},
                {"lun": 1.0, "createOption": "Empty", "managedDisk": {}},
            ],
        },
    )
    boot = evaluate(rule_by_id("compute-vm-require-trusted-launch"), VIRTUAL_MACHINE, props)
    disks = evaluate(rule_by_id("compute-vm-require-cmk-disk-encryption"), VIRTUAL_MACHINE, props)
    assert isinstance(boot, NonCompliant) and isinstance(disks, NonCompliant)
    assert [reason.split(" is ")[0] for reason in boot.reasons] == [
        "securityProfile.uefiSettings.secureBootEnabled",
        "securityProfile.uefiSettings.vTpmEnabled",
    ]
    assert [reason.split(" is ")[0] for reason in disks.reasons] == [
        "storageProfile.osDisk.managedDisk.diskEncryptionSet.id",
        "storageProfile.dataDisks[0].managedDisk.diskEncryptionSet.id",
        "storageProfile.dataDisks[1].managedDisk.diskEncryptionSet.id",
    ]


def test_versioned_key_rule_leaves_a_missing_key_to_the_customer_key_rule() -> None:
    props = mutate(COMPLIANT[DISK_ENCRYPTION_SET], {"activeKey": DELETE})
    versioned = evaluate(
        rule_by_id("deploy-diskencryptionset-require-versioned-key-url"), DISK_ENCRYPTION_SET, props
    )
    customer = evaluate(
        rule_by_id("compute-diskencryptionset-require-customer-key"), DISK_ENCRYPTION_SET, props
    )
    assert isinstance(versioned, NotApplicable)
    assert isinstance(customer, NonCompliant)
    assert "activeKey.keyUrl is not set" in customer.reasons[0]


SHUTDOWN_NAME_RULE = "deploy-devtestlabschedule-require-vm-shutdown-name"


def test_a_shutdown_schedule_whose_vm_id_is_unknown_during_preview_is_undetermined() -> None:
    """The component targets ``vm.id``, unknown until the VM exists: the name cannot be judged
    against it, so the rule is undetermined rather than compliant or not."""
    props = mutate(COMPLIANT[SHUTDOWN_SCHEDULE], {"targetResourceId": UNKNOWN_STRING_VALUE})
    outcome = evaluate(rule_by_id(SHUTDOWN_NAME_RULE), SHUTDOWN_SCHEDULE, props)
    assert isinstance(outcome, Undetermined)


def test_the_shutdown_schedule_name_is_the_one_the_component_builds() -> None:
    vm_id = COMPLIANT[SHUTDOWN_SCHEDULE]["targetResourceId"]
    props = mutate(
        COMPLIANT[SHUTDOWN_SCHEDULE],
        {"name": vm_shutdown_schedule_name(vm_id.rsplit("/", 1)[-1])},
    )
    assert props["name"] == "shutdown-computevm-vm-jh-hlz-prod"
    assert isinstance(evaluate(rule_by_id(SHUTDOWN_NAME_RULE), SHUTDOWN_SCHEDULE, props), Compliant)
