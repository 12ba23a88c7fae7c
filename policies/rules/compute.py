"""Virtual machine rules: the lab jump host and what it is built from.

A jump host is where lab members work with ePHI on its way to and from the lab's private
endpoints (az CLI, SDKs, notebooks): its disks, temp disk and caches hold copies, and a
compromised host reaches every private endpoint of the lab. So its disks are encrypted with the
covered entity's key and at host, it boots only signed code, nobody signs in with a password,
the platform patches it, and it has no public IP (it is reached through Azure Bastion).

| resource              | rules                                                             |
|-----------------------|-------------------------------------------------------------------|
| virtual machine       | encryption at host, Trusted Launch, CMK disks, no password sign-  |
|                       | in, automatic patching, managed identity, no public IP on the     |
|                       | network interfaces it creates itself                              |
| disk encryption set   | customer key with automatic rotation; a versioned key URL (ARM)   |
| network interface     | no public IP                                                      |
| auto-shutdown         | named shutdown-computevm-<VM name>, targeting a VM (ARM)          |
| schedule              |                                                                   |

The VM's extensions are judged through their VM (tests/test_service_completeness.py). Whether a
schedule is enabled is not judged: shutting a jump host down at night saves money, it guards no
HIPAA safeguard, and the pack has no cost category; components.jump_host sends it Enabled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..model import (
    Category,
    Compliant,
    NotApplicable,
    Outcome,
    ResourceRule,
    Severity,
    fail,
    outcome_from,
)
from ..props import as_bool, as_mapping, as_sequence, as_str, describe, get, is_set, same_text
from .expect import expect_managed_identity, expect_true
from .tokens import (
    DEVTESTLAB_GLOBAL_SCHEDULE,
    DISK_ENCRYPTION_SET,
    NETWORK_INTERFACE,
    VIRTUAL_MACHINE,
)

VM = frozenset({VIRTUAL_MACHINE})
DES = frozenset({DISK_ENCRYPTION_SET})

VM_SHUTDOWN_SCHEDULE_PREFIX = "shutdown-computevm-"
"""A VM's auto-shutdown schedule is ``Microsoft.DevTestLab/schedules/shutdown-computevm-<VM
name>`` in the VM's resource group: the name the portal's Auto-shutdown blade and Terraform's
``azurerm_dev_test_global_vm_shutdown_schedule`` give it, and the only one ARM accepts ("Anything
else results in a 400 Bad Request", https://github.com/hashicorp/terraform-provider-azurerm/pull/5536).
components.jump_host names its schedule with it; the deploy rule below checks it."""

VM_SHUTDOWN_TASK = "ComputeVmShutdownTask"
"""``taskType`` of a VM's auto-shutdown schedule (the only task a schedule outside a lab runs)."""

_VM_ID = re.compile(
    r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/virtualMachines/"
    r"([^/]+)",
    re.IGNORECASE,
)


def vm_shutdown_schedule_name(vm_name: str) -> str:
    """The name ARM requires for the auto-shutdown schedule of VM ``vm_name``."""
    return VM_SHUTDOWN_SCHEDULE_PREFIX + vm_name


TRUSTED_SECURITY_TYPES = ("TrustedLaunch", "ConfidentialVM")
"""``securityProfile.securityType`` values that give a VM secure boot and a vTPM (a
confidential VM has both, and more); absent means a Standard VM, which has neither."""

LINUX_AUTOMATIC_PATCH_MODES = ("AutomaticByPlatform",)
"""``linuxConfiguration.patchSettings.patchMode`` values in which Azure installs updates; the
other value, ImageDefault (also the default), leaves it to whatever the image does."""

WINDOWS_AUTOMATIC_PATCH_MODES = ("AutomaticByOS", "AutomaticByPlatform")
"""``windowsConfiguration.patchSettings.patchMode`` values in which updates install without an
administrator (AutomaticByOS is Windows Update, the default); Manual leaves them to one."""


def _is_windows(props: Mapping[str, Any]) -> bool:
    """A Windows VM: configured as one, or booting a disk Azure knows is Windows."""
    if as_mapping(get(props, "osProfile", "windowsConfiguration")) is not None:
        return True
    return same_text(get(props, "storageProfile", "osDisk", "osType"), "Windows")


def _one_of(value: Any, allowed: tuple[str, ...]) -> bool:
    return any(same_text(value, option) for option in allowed)


def _quoted(options: tuple[str, ...]) -> str:
    return " or ".join(f"'{option}'" for option in options)


# --- virtual machines ---------------------------------------------------------------------------


def check_encryption_at_host(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(
        props,
        ("securityProfile", "encryptionAtHost"),
        "; set it to true so the temp disk, the disk caches and the data on its way to storage "
        "are encrypted on the host too (the subscription needs the "
        "Microsoft.Compute/EncryptionAtHost feature registered)",
    )


def check_trusted_launch(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    security_type = get(props, "securityProfile", "securityType")
    if not _one_of(security_type, TRUSTED_SECURITY_TYPES):
        return fail(
            f"securityProfile.securityType is {describe(security_type)} (absent means Standard: "
            "no secure boot, no vTPM); set it to 'TrustedLaunch' with "
            "uefiSettings.secureBootEnabled and uefiSettings.vTpmEnabled true, on a Gen2 image"
        )
    reasons: list[str] = []
    for flag, why in (
        ("secureBootEnabled", "only signed boot loaders, kernels and drivers start"),
        ("vTpmEnabled", "the boot chain is measured and can be attested"),
    ):
        value = get(props, "securityProfile", "uefiSettings", flag)
        if as_bool(value) is not True:
            reasons.append(
                f"securityProfile.uefiSettings.{flag} is {describe(value)}; set it to true: {why}"
            )
    return outcome_from(reasons)


def _managed_disk_problem(disk: Any, where: str) -> str | None:
    """Why ``disk`` (an OS or data disk of the VM) is not under a disk encryption set."""
    if as_mapping(disk) is None:
        return (
            f"{where} is {describe(disk)}; describe it as a managed disk with a diskEncryptionSet"
        )
    managed = as_mapping(get(disk, "managedDisk"))
    if managed is None:
        if is_set(disk, "vhd", "uri"):
            return (
                f"{where} is an unmanaged VHD (vhd.uri), encrypted with the storage account's "
                "key only; use a managed disk with managedDisk.diskEncryptionSet.id"
            )
        return (
            f"{where}.managedDisk.diskEncryptionSet.id is not set (a platform-managed key); "
            "name the disk encryption set that holds the customer-managed key"
        )
    # A confidential VM names its set under the disk's security profile instead.
    if is_set(managed, "diskEncryptionSet", "id") or is_set(
        managed, "securityProfile", "diskEncryptionSet", "id"
    ):
        return None
    return (
        f"{where}.managedDisk.diskEncryptionSet.id is not set (a platform-managed key); name "
        "the disk encryption set that holds the customer-managed key"
    )


def check_cmk_disks(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    os_disk = get(props, "storageProfile", "osDisk")
    if os_disk is None:
        reasons.append(
            "storageProfile.osDisk.managedDisk.diskEncryptionSet.id is not set (no osDisk: Azure "
            "creates one under a platform-managed key); name the disk encryption set that holds "
            "the customer-managed key"
        )
    else:
        problem = _managed_disk_problem(os_disk, "storageProfile.osDisk")
        if problem is not None:
            reasons.append(problem)
    data_disks = get(props, "storageProfile", "dataDisks")
    for index, disk in enumerate(as_sequence(data_disks)):
        problem = _managed_disk_problem(disk, f"storageProfile.dataDisks[{index}]")
        if problem is not None:
            reasons.append(problem)
    return outcome_from(reasons)


def check_password_authentication(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if as_mapping(get(props, "osProfile")) is None:
        return NotApplicable("no osProfile: the VM boots an existing disk and keeps its accounts")
    if _is_windows(props):
        return NotApplicable("a Windows VM: its administrator account always has a password")
    reasons: list[str] = []
    disabled = get(props, "osProfile", "linuxConfiguration", "disablePasswordAuthentication")
    if as_bool(disabled) is not True:
        reasons.append(
            "osProfile.linuxConfiguration.disablePasswordAuthentication is "
            f"{describe(disabled)}; set it to true: members sign in with Entra ID "
            "(AADSSHLoginForLinux), the administrator with an SSH key"
        )
    if is_set(props, "osProfile", "adminPassword"):
        reasons.append(
            "osProfile.adminPassword is set; remove it and give the administrator an SSH public "
            "key (osProfile.linuxConfiguration.ssh.publicKeys) instead"
        )
    return outcome_from(reasons)


def check_automatic_patching(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if as_mapping(get(props, "osProfile")) is None:
        return NotApplicable("no osProfile: patch settings come with the existing disk")
    if _is_windows(props):
        config = ("osProfile", "windowsConfiguration")
        mode = get(props, *config, "patchSettings", "patchMode")
        if mode is None or _one_of(mode, WINDOWS_AUTOMATIC_PATCH_MODES):
            # Absent means AutomaticByOS, which needs Windows Update on.
            updates = get(props, *config, "enableAutomaticUpdates")
            if as_bool(updates) is False:
                return fail(
                    "osProfile.windowsConfiguration.enableAutomaticUpdates is false; set it to "
                    "true (AutomaticByOS and AutomaticByPlatform both need it)"
                )
            return Compliant()
        return fail(
            f"osProfile.windowsConfiguration.patchSettings.patchMode is {describe(mode)}; set it "
            f"to {_quoted(WINDOWS_AUTOMATIC_PATCH_MODES)} so security updates install without "
            "waiting for an administrator"
        )
    config = ("osProfile", "linuxConfiguration")
    mode = get(props, *config, "patchSettings", "patchMode")
    if not _one_of(mode, LINUX_AUTOMATIC_PATCH_MODES):
        return fail(
            f"osProfile.linuxConfiguration.patchSettings.patchMode is {describe(mode)} (absent "
            "means ImageDefault: Azure installs nothing); set it to 'AutomaticByPlatform' so "
            "critical and security updates install in off-peak hours"
        )
    agent = get(props, *config, "provisionVMAgent")
    if as_bool(agent) is False:
        return fail(
            "osProfile.linuxConfiguration.provisionVMAgent is false; platform patching runs "
            "through the VM agent: set it to true (or leave it out, true by default)"
        )
    return Compliant()


def check_vm_managed_identity(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_managed_identity(
        props,
        "; give the VM a system-assigned identity: the Entra ID sign-in extension "
        "(AADSSHLoginForLinux) needs it, and tools on the VM reach Azure with it instead of "
        "stored secrets",
    )


# --- public IPs on network interfaces -----------------------------------------------------------


def _public_ip_reasons(configurations: Any, where: str, key: str) -> list[str]:
    reasons: list[str] = []
    for index, configuration in enumerate(as_sequence(configurations)):
        value = get(configuration, key)
        mapping = as_mapping(value)
        if value is None or (mapping is not None and not mapping):
            continue
        shown = as_str(get(mapping, "id")) if mapping is not None else None
        found = f" ('{shown}')" if shown else ""
        reasons.append(
            f"{where}[{index}].{key} is set{found}; remove it: the host is reached through "
            "Azure Bastion, never from the internet"
        )
    return reasons


def check_no_public_ip(resource_type: str, props: Mapping[str, Any]) -> Outcome:
    if resource_type == VIRTUAL_MACHINE:
        # Network interfaces the VM creates itself (networkProfile.networkInterfaceConfigurations).
        reasons: list[str] = []
        nics = get(props, "networkProfile", "networkInterfaceConfigurations")
        for nic_index, nic in enumerate(as_sequence(nics)):
            reasons += _public_ip_reasons(
                get(nic, "ipConfigurations"),
                f"networkProfile.networkInterfaceConfigurations[{nic_index}].ipConfigurations",
                "publicIPAddressConfiguration",
            )
        return outcome_from(reasons)
    return outcome_from(
        _public_ip_reasons(get(props, "ipConfigurations"), "ipConfigurations", "publicIPAddress")
    )


# --- disk encryption sets -----------------------------------------------------------------------


def check_customer_key(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    encryption_type = get(props, "encryptionType")
    text = as_str(encryption_type)
    if text is None or "customerkey" not in text.casefold():
        reasons.append(
            f"encryptionType is {describe(encryption_type)}; set it to "
            "'EncryptionAtRestWithCustomerKey' (or 'EncryptionAtRestWithPlatformAndCustomerKeys' "
            "for a second, platform-key layer)"
        )
    if not is_set(props, "activeKey", "keyUrl"):
        reasons.append(
            "activeKey.keyUrl is not set; point it at the lab's key in Key Vault (the key's "
            "versioned URL)"
        )
    rotation = get(props, "rotationToLatestKeyVersionEnabled")
    if as_bool(rotation) is not True:
        reasons.append(
            f"rotationToLatestKeyVersionEnabled is {describe(rotation)}; set it to true so disks "
            "move to each new key version the vault's rotation policy creates"
        )
    return outcome_from(reasons)


def check_versioned_key_url(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    url = get(props, "activeKey", "keyUrl")
    text = as_str(url)
    if url is None:
        return NotApplicable(
            "no activeKey.keyUrl (compute-diskencryptionset-require-customer-key reports it)"
        )
    parts = urlsplit(text) if text else None
    segments = [s for s in parts.path.split("/") if s] if parts else []
    if parts is None or parts.scheme != "https" or not segments or segments[0] != "keys":
        return fail(
            f"activeKey.keyUrl is {describe(url)}, not a Key Vault key URL "
            "(https://<vault>.vault.azure.net/keys/<name>/<version>)"
        )
    if len(segments) != 3:
        return fail(
            f"activeKey.keyUrl {describe(url)} has no version segment; Azure refuses a disk "
            "encryption set whose key URL is not fully versioned (.../keys/<name>/<version>), "
            "whatever rotationToLatestKeyVersionEnabled says: use the key's keyUriWithVersion"
        )
    return Compliant()


# --- auto-shutdown schedules -------------------------------------------------------------------


def check_vm_shutdown_name(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    # Both are read before either is judged: an unknown one (the VM's id during preview)
    # leaves the rule undetermined rather than judged on half the facts.
    name = get(props, "name")
    target = get(props, "targetResourceId")
    text = as_str(target)
    match = _VM_ID.fullmatch(text) if text else None
    if match is None:
        return fail(
            f"targetResourceId is {describe(target)}, not a virtual machine's resource id "
            "(/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/"
            "virtualMachines/<name>); an auto-shutdown schedule targets the VM it shuts down"
        )
    expected = vm_shutdown_schedule_name(match.group(1))
    # ARM names are case-insensitive.
    if not same_text(name, expected):
        return fail(
            f"name is {describe(name)}; Azure accepts the auto-shutdown schedule of VM "
            f"'{match.group(1)}' only as '{expected}' ({VM_SHUTDOWN_SCHEDULE_PREFIX}<VM name>) "
            "and refuses any other name with 400 Bad Request"
        )
    return Compliant()


_VM_DOCS = "https://learn.microsoft.com/azure/virtual-machines"

RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="compute-vm-require-encryption-at-host",
        description="Virtual machines encrypt their temp disk and disk caches at host.",
        rationale=(
            "Server-side encryption covers the managed disks at rest but not the temp disk, the "
            "host's disk caches or the data flowing from the host to storage, where ePHI a "
            "lab member works with also lands."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-4",),
        hitrust=("06.d",),
        remediation=(
            "Register the Microsoft.Compute/EncryptionAtHost feature in the subscription, then "
            "set securityProfile.encryptionAtHost to true on a VM size that supports it."
        ),
        url=f"{_VM_DOCS}/disk-encryption#encryption-at-host---end-to-end-encryption-for-your-vm-data",
        phi_protecting=True,
        resource_types=VM,
        check=check_encryption_at_host,
    ),
    ResourceRule(
        id="compute-vm-require-trusted-launch",
        description="Virtual machines use Trusted Launch with secure boot and a vTPM.",
        rationale=(
            "Secure boot starts only signed boot loaders, kernels and drivers, and the vTPM "
            "measures the boot chain, so a rootkit or bootkit cannot take over the host from "
            "which lab members reach ePHI."
        ),
        severity=Severity.HIGH,
        hipaa=("164.308(a)(5)(ii)(B)", "164.312(c)(1)"),
        mcsb=("PV-4",),
        remediation=(
            "Set securityProfile.securityType to 'TrustedLaunch' and "
            "securityProfile.uefiSettings.secureBootEnabled and .vTpmEnabled to true, with a "
            "Generation 2 image and a size that supports Trusted Launch."
        ),
        url=f"{_VM_DOCS}/trusted-launch",
        resource_types=VM,
        check=check_trusted_launch,
    ),
    ResourceRule(
        id="compute-vm-require-cmk-disk-encryption",
        description=(
            "Virtual machine OS and data disks are encrypted with a customer-managed key "
            "(a disk encryption set)."
        ),
        rationale=(
            "Disks hold whatever ePHI was downloaded or cached on the host; with the covered "
            "entity's key in its own Key Vault, disabling or deleting the key makes every copy "
            "unreadable."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation=(
            "Create a disk encryption set (EncryptionAtRestWithCustomerKey) on the key and set "
            "managedDisk.diskEncryptionSet.id on the OS disk and on every data disk."
        ),
        url=f"{_VM_DOCS}/disk-encryption#customer-managed-keys",
        phi_protecting=True,
        resource_types=VM,
        check=check_cmk_disks,
    ),
    ResourceRule(
        id="compute-vm-disallow-password-authentication",
        description="Linux virtual machines accept no password sign-in.",
        rationale=(
            "A password is a shared, guessable secret with no identity behind it; lab members "
            "sign in with Entra ID (per-person, MFA, audited) and the administrator with an "
            "SSH key kept for break-glass."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.308(a)(5)(ii)(D)"),
        mcsb=("IM-6",),
        hitrust=("01.q",),
        remediation=(
            "Set osProfile.linuxConfiguration.disablePasswordAuthentication to true, send no "
            "adminPassword, add an SSH public key and the AADSSHLoginForLinux extension."
        ),
        url=f"{_VM_DOCS}/linux-vm-connect",
        phi_protecting=True,
        resource_types=VM,
        check=check_password_authentication,
    ),
    ResourceRule(
        id="compute-vm-require-automatic-patching",
        description=(
            "Virtual machines install updates automatically (Linux AutomaticByPlatform; Windows "
            "AutomaticByOS or AutomaticByPlatform)."
        ),
        rationale=(
            "An unpatched host is the easiest way in to a network that reaches ePHI; with "
            "platform patching Azure installs critical and security updates without waiting "
            "for someone to log in."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.308(a)(5)(ii)(B)",),
        mcsb=("PV-6",),
        hitrust=("10.m",),
        remediation=(
            "Set osProfile.linuxConfiguration.patchSettings.patchMode (and assessmentMode) to "
            "'AutomaticByPlatform' with the VM agent provisioned; on Windows use AutomaticByOS "
            "or AutomaticByPlatform with enableAutomaticUpdates true."
        ),
        url=f"{_VM_DOCS}/automatic-vm-guest-patching",
        resource_types=VM,
        check=check_automatic_patching,
    ),
    ResourceRule(
        id="compute-vm-require-managed-identity",
        description="Virtual machines have a managed identity.",
        rationale=(
            "Entra ID sign-in to the VM needs its identity, and tools on the VM reach Key Vault, "
            "storage and AI services with it rather than with keys or connection strings left "
            "on the disk."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-3",),
        hitrust=("01.q",),
        remediation="Set identity.type to 'SystemAssigned' (or with user-assigned identities).",
        url=f"{_VM_DOCS}/linux/login-using-aad",
        resource_types=VM,
        check=check_vm_managed_identity,
    ),
    ResourceRule(
        id="network-networkinterface-disallow-public-ip",
        description=(
            "Network interfaces (and those a VM creates itself) have no public IP address."
        ),
        rationale=(
            "A public IP exposes the host's SSH and RDP ports to the internet; a jump host into "
            "ePHI is reached through Azure Bastion only, which the NSG is the second guard of."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-1",),
        hitrust=("01.n",),
        remediation=(
            "Remove publicIPAddress from every ipConfiguration (publicIPAddressConfiguration on "
            "a VM's networkInterfaceConfigurations) and connect through Azure Bastion."
        ),
        url="https://learn.microsoft.com/azure/bastion/bastion-overview",
        phi_protecting=True,
        resource_types=frozenset({NETWORK_INTERFACE, VIRTUAL_MACHINE}),
        check=check_no_public_ip,
    ),
    ResourceRule(
        id="compute-diskencryptionset-require-customer-key",
        description=(
            "Disk encryption sets use a customer-managed key and rotate to its latest version."
        ),
        rationale=(
            "The set is how disks holding ePHI get the covered entity's key; without automatic "
            "rotation the disks stay on the old key version after the vault rotates it."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation=(
            "Set encryptionType to 'EncryptionAtRestWithCustomerKey', activeKey.keyUrl to the "
            "key's versioned URL and rotationToLatestKeyVersionEnabled to true; grant the set's "
            "identity 'Key Vault Crypto Service Encryption User' on the key."
        ),
        url=f"{_VM_DOCS}/disk-encryption#automatic-key-rotation-of-customer-managed-keys",
        phi_protecting=True,
        resource_types=DES,
        check=check_customer_key,
    ),
    ResourceRule(
        id="deploy-diskencryptionset-require-versioned-key-url",
        category=Category.DEPLOY,
        description="Disk encryption sets name a fully versioned key URL.",
        rationale=(
            "activeKey.keyUrl must include the key version whatever "
            "rotationToLatestKeyVersionEnabled says; ARM refuses a versionless URL."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Use the key's versioned URL (keyUriWithVersion, .../keys/<name>/<version>); with "
            "rotationToLatestKeyVersionEnabled Azure moves it to new versions itself."
        ),
        url="https://learn.microsoft.com/rest/api/compute/disk-encryption-sets/create-or-update",
        resource_types=DES,
        check=check_versioned_key_url,
    ),
    ResourceRule(
        id="deploy-devtestlabschedule-require-vm-shutdown-name",
        category=Category.DEPLOY,
        description=(
            "VM auto-shutdown schedules target a virtual machine and are named "
            "shutdown-computevm-<VM name>."
        ),
        rationale=(
            "Azure's VM auto-shutdown is a Microsoft.DevTestLab/schedules resource that ARM "
            "accepts only under the name shutdown-computevm-<VM name>, the name the portal and "
            "Terraform's azurerm provider give it; any other name is refused with 400 Bad "
            "Request (hashicorp/terraform-provider-azurerm#5536)."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Set targetResourceId to the VM's resource id and name the schedule "
            "'shutdown-computevm-' followed by that VM's name (components.jump_host does both)."
        ),
        url="https://learn.microsoft.com/azure/templates/microsoft.devtestlab/schedules",
        resource_types=frozenset({DEVTESTLAB_GLOBAL_SCHEDULE}),
        check=check_vm_shutdown_name,
    ),
)
