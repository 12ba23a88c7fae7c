"""A lab's hardened Linux jump host: reached only through the hub's Azure Bastion, members sign
in with Entra ID, disks encrypted with the lab's customer-managed key (HIPAA 164.308(a)(5)(ii)(B),
164.312(a)(1), (a)(2)(iv), (c)(1), (d), (e)(1)).

Lab members use it to reach the lab's private endpoints (AI account, search, storage, FHIR) with
the az CLI and SDKs, from inside the spoke.

| input                    | derived                                                          |
|--------------------------|------------------------------------------------------------------|
| (always)                 | Ubuntu 24.04 LTS Gen2 (Canonical ubuntu-24_04-lts server, latest) |
| (always)                 | Trusted Launch: secure boot and vTPM on; encryption at host      |
|                          | (temp disk and caches encrypted too; the subscription needs the  |
|                          | Microsoft.Compute/EncryptionAtHost feature: ``hlz preflight``)   |
| encryption               | a disk encryption set (EncryptionAtRestWithCustomerKey) with the |
|                          | key's user-assigned identity, following each new key version     |
|                          | (rotationToLatestKeyVersionEnabled), created once that identity  |
|                          | may use the key; the Premium_LRS OS disk is encrypted with it    |
|                          | and deleted with the VM                                          |
| spec.admin_username,     | the only local account, SSH key only (password sign-in off):     |
| spec.admin_ssh_public_key| the break-glass credential ARM requires                          |
| (always)                 | Entra ID sign-in (AADSSHLoginForLinux extension, system-assigned |
|                          | identity); guest patching AutomaticByPlatform (assessment too,   |
|                          | reboot if required); boot diagnostics in managed storage         |
| subnet_id                | one NIC, dynamic private IP in that subnet, no public IP,        |
|                          | accelerated networking                                           |
| member_group_ids         | "Virtual Machine User Login" on the VM (never Administrator      |
|                          | Login) and "Reader" on the VM and its NIC, which a Bastion       |
|                          | connection reads; and a custom role of the lab's own, "Jump Host |
|                          | Starter (<vm name>)", on the VM: read it, its power state, and   |
|                          | start it (``JUMP_HOST_START_ACTIONS``; never deallocate, restart |
|                          | or write), assignable in the VM's resource group only. Always,   |
|                          | not only with auto-shutdown: a host without a schedule is still  |
|                          | deallocated now and then (by the platform team, a cost runbook), |
|                          | and starting it changes nothing but its power state              |
| connection_read_scopes   | "Reader" for the same groups on each (the Bastion host; the VM's |
|                          | virtual network when Bastion is in a peered one)                 |
| spec.auto_shutdown       | Azure's VM auto-shutdown: a Microsoft.DevTestLab/schedules       |
|                          | resource named shutdown-computevm-<vm name> targeting the VM,    |
|                          | status Enabled (the SDK sends Disabled when status is left out), |
|                          | daily at the time in its Windows time zone, no notification.     |
|                          | Not set or enabled: false: none                                  |

``spec`` is the lab config ``hlz:jumpHost``. What reaches the VM is the subnet's NSG's business
(``components.spoke_network``: TCP 22 from the Bastion subnet only).
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Sequence
from typing import Annotated, Any

import pulumi
from pulumi_azure_native import compute, devtestlab, network
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, field_validator

from components.encryption import EncryptionKey
from components.naming import azure_name
from components.roles import grant_groups, grant_groups_custom_role, principal_of
from components.shared import HlzModel, Placement, StrInput, child_opts
from components.specs import EntraObjectIds
from policies.rules.compute import VM_SHUTDOWN_TASK, vm_shutdown_schedule_name
from policies.vocabulary import JUMP_HOST_SIZES

IMAGE = compute.ImageReferenceArgs(
    publisher="Canonical", offer="ubuntu-24_04-lts", sku="server", version="latest"
)
"""Ubuntu 24.04 LTS, Generation 2 (the ``server`` SKU; ``server-gen1`` is Gen1): Trusted Launch
needs a Gen2 image."""

RESERVED_ADMIN_USERNAMES = frozenset(
    {
        "1", "123", "a", "actuser", "adm", "admin", "admin1", "admin2", "administrator",
        "aspnet", "backup", "console", "david", "guest", "john", "owner", "root", "server",
        "sql", "support", "support_388945a0", "sys", "test", "test1", "test2", "test3", "user",
        "user1", "user2", "user3", "user4", "user5", "video",
    }
)  # fmt: skip
"""User names Azure refuses for a VM's administrator
(https://learn.microsoft.com/azure/virtual-machines/linux/faq#what-are-the-username-requirements-when-creating-a-vm)."""
ADMIN_USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
"""1-32 characters (the same Learn answer), in the shape Linux ``useradd`` accepts: lowercase
letters, digits, ``_`` and ``-``, not starting with a digit or ``-``."""
ADMIN_USERNAME_RULE = "1-32 lowercase letters, digits, '_' or '-', starting with a letter or '_'"

SSH_KEY_TYPES = ("ssh-ed25519", "ssh-rsa")
MIN_RSA_BITS = 2048
"""Azure accepts SSH-2 RSA keys of at least 2048 bits and ED25519 keys
(https://learn.microsoft.com/azure/virtual-machines/linux/mac-create-ssh-keys)."""
MAX_KEY_LINE = 16384
ED25519_KEY_BYTES = 32

ENTRA_LOGIN_EXTENSION = "AADSSHLoginForLinux"
ENTRA_LOGIN_PUBLISHER = "Microsoft.Azure.ActiveDirectory"
ENTRA_LOGIN_VERSION = "1.0"
"""Microsoft Entra sign-in for Linux VMs
(https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux)."""

MEMBER_LOGIN_ROLE = "Virtual Machine User Login"
CONNECTION_READ_ROLE = "Reader"
"""A Bastion connection with Entra ID reads the VM, its NIC, the Bastion host and, with Bastion
in a peered network, the VM's virtual network
(https://learn.microsoft.com/azure/bastion/bastion-entra-id-authentication#assign-roles)."""
OWN_READ_SCOPES = ("vm", "nic")
"""Labels of the Reader assignments on the component's own VM and NIC."""

JUMP_HOST_START_ACTIONS = (
    "Microsoft.Compute/virtualMachines/read",
    "Microsoft.Compute/virtualMachines/instanceView/read",
    "Microsoft.Compute/virtualMachines/start/action",
)
"""What the member groups' custom role allows on the VM: "Get the properties of a virtual
machine", "Gets the detailed runtime status of the virtual machine and its resources" (the
power state the portal and ``az vm get-instance-view`` show) and "Starts the virtual machine",
as Microsoft lists them in "Azure permissions for Compute"
(https://learn.microsoft.com/azure/role-based-access-control/permissions/compute#microsoftcompute).
Not ``deallocate/action``, ``powerOff/action``, ``restart/action`` or ``write``: stopping it is
the schedule's job, and changing it the platform team's."""


def start_role_name(vm_name: str) -> str:
    """The custom role's name: it names the VM (whose name carries the lab's prefix), so two
    labs' roles never share a name in the tenant."""
    return f"Jump Host Starter ({vm_name})"


SHUTDOWN_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
"""A time of day as the config writes it: 24-hour HH:MM (``19:00``); the schedule's
``dailyRecurrence.time`` is the same without the colon (``1900``)."""

WINDOWS_TIME_ZONE_IDS = (
    "Dateline Standard Time", "UTC-11", "Aleutian Standard Time", "Hawaiian Standard Time",
    "Marquesas Standard Time", "Alaskan Standard Time", "UTC-09",
    "Pacific Standard Time (Mexico)", "UTC-08", "Pacific Standard Time",
    "US Mountain Standard Time", "Mountain Standard Time (Mexico)", "Mountain Standard Time",
    "Yukon Standard Time", "Central America Standard Time", "Central Standard Time",
    "Easter Island Standard Time", "Central Standard Time (Mexico)",
    "Canada Central Standard Time", "SA Pacific Standard Time", "Eastern Standard Time (Mexico)",
    "Eastern Standard Time", "Haiti Standard Time", "Cuba Standard Time",
    "US Eastern Standard Time", "Turks And Caicos Standard Time", "Paraguay Standard Time",
    "Atlantic Standard Time", "Venezuela Standard Time", "Central Brazilian Standard Time",
    "SA Western Standard Time", "Pacific SA Standard Time", "Newfoundland Standard Time",
    "Tocantins Standard Time", "E. South America Standard Time", "SA Eastern Standard Time",
    "Argentina Standard Time", "Greenland Standard Time", "Montevideo Standard Time",
    "Magallanes Standard Time", "Saint Pierre Standard Time", "Bahia Standard Time", "UTC-02",
    "Azores Standard Time", "Cape Verde Standard Time", "UTC", "GMT Standard Time",
    "Greenwich Standard Time", "Sao Tome Standard Time", "Morocco Standard Time",
    "W. Europe Standard Time", "Central Europe Standard Time", "Romance Standard Time",
    "Central European Standard Time", "W. Central Africa Standard Time", "Jordan Standard Time",
    "GTB Standard Time", "Middle East Standard Time", "Egypt Standard Time",
    "E. Europe Standard Time", "Syria Standard Time", "West Bank Standard Time",
    "South Africa Standard Time", "FLE Standard Time", "Israel Standard Time",
    "South Sudan Standard Time", "Kaliningrad Standard Time", "Sudan Standard Time",
    "Libya Standard Time", "Namibia Standard Time", "Arabic Standard Time",
    "Turkey Standard Time", "Arab Standard Time", "Belarus Standard Time",
    "Russian Standard Time", "E. Africa Standard Time", "Iran Standard Time",
    "Arabian Standard Time", "Astrakhan Standard Time", "Azerbaijan Standard Time",
    "Russia Time Zone 3", "Mauritius Standard Time", "Saratov Standard Time",
    "Georgian Standard Time", "Volgograd Standard Time", "Caucasus Standard Time",
    "Afghanistan Standard Time", "West Asia Standard Time", "Ekaterinburg Standard Time",
    "Pakistan Standard Time", "Qyzylorda Standard Time", "India Standard Time",
    "Sri Lanka Standard Time", "Nepal Standard Time", "Central Asia Standard Time",
    "Bangladesh Standard Time", "Omsk Standard Time", "Myanmar Standard Time",
    "SE Asia Standard Time", "Altai Standard Time", "W. Mongolia Standard Time",
    "North Asia Standard Time", "N. Central Asia Standard Time", "Tomsk Standard Time",
    "China Standard Time", "North Asia East Standard Time", "Singapore Standard Time",
    "W. Australia Standard Time", "Taipei Standard Time", "Ulaanbaatar Standard Time",
    "Aus Central W. Standard Time", "Transbaikal Standard Time", "Tokyo Standard Time",
    "North Korea Standard Time", "Korea Standard Time", "Yakutsk Standard Time",
    "Cen. Australia Standard Time", "AUS Central Standard Time", "E. Australia Standard Time",
    "AUS Eastern Standard Time", "West Pacific Standard Time", "Tasmania Standard Time",
    "Vladivostok Standard Time", "Lord Howe Standard Time", "Bougainville Standard Time",
    "Russia Time Zone 10", "Magadan Standard Time", "Norfolk Standard Time",
    "Sakhalin Standard Time", "Central Pacific Standard Time", "Russia Time Zone 11",
    "New Zealand Standard Time", "UTC+12", "Fiji Standard Time", "Chatham Islands Standard Time",
    "UTC+13", "Tonga Standard Time", "Samoa Standard Time", "Line Islands Standard Time",
)  # fmt: skip
"""Windows time zone ids a schedule's ``timeZoneId`` takes. The DevTest Labs API points to
TimeZoneConverter's ``KnownWindowsTimeZoneIds`` (DTL.json 2018-09-15, ScheduleProperties), which
come from the Unicode CLDR mapping of Windows zones; these are the ids that mapping lists for the
world (territory 001), west to east, as of
https://github.com/unicode-org/cldr/blob/062dc06d16b0884bc42b0b04e5408aec6b85eb20/common/supplemental/windowsZones.xml.
IANA names (America/New_York) are not Windows ids."""
_TIME_ZONES_BY_FOLDED_ID = {zone.casefold(): zone for zone in WINDOWS_TIME_ZONE_IDS}


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    """One SSH wire-format string (uint32 length, bytes) at ``offset``; ValueError if cut."""
    if offset + 4 > len(blob):
        raise ValueError("truncated")
    (length,) = struct.unpack(">I", blob[offset : offset + 4])
    end = offset + 4 + length
    if end > len(blob):
        raise ValueError("truncated")
    return blob[offset + 4 : end], end


def ssh_public_key_problem(value: str) -> str | None:
    """Why ``value`` is not one OpenSSH public key line Azure accepts (``ssh-ed25519`` or
    ``ssh-rsa`` of at least 2048 bits, ``<type> <base64> [comment]``), or None. Never repeats
    the value: it may be a private key pasted by mistake."""
    shape = (
        "expected one OpenSSH public key line: 'ssh-ed25519 AAAA... [comment]' or "
        "'ssh-rsa AAAA... [comment]'"
    )
    if "PRIVATE KEY" in value or value.lstrip().startswith("-----BEGIN"):
        return (
            "is a private key: give the public key (the .pub file ssh-keygen wrote next to it) "
            "and keep the private key secret; treat this one as exposed and make a new pair"
        )
    if len(value) > MAX_KEY_LINE or "\n" in value.strip() or "\r" in value.strip():
        return f"{shape} (one line, at most {MAX_KEY_LINE} characters)"
    parts = value.strip().split(" ", 2)
    if len(parts) < 2:
        return shape
    key_type, encoded = parts[0], parts[1]
    comment = parts[2] if len(parts) > 2 else ""
    if key_type not in SSH_KEY_TYPES:
        return f"{shape}; '{key_type[:40]}' is not a key type Azure accepts"
    if not comment.isprintable():
        return f"{shape}; the comment has control characters"
    try:
        blob = base64.b64decode(encoded, validate=True)
        name, offset = _read_string(blob, 0)
        if name.decode("ascii", "replace") != key_type:
            return f"{shape}; the key data is not of type {key_type}"
        if key_type == "ssh-ed25519":
            point, offset = _read_string(blob, offset)
            if len(point) != ED25519_KEY_BYTES or offset != len(blob):
                return f"{shape}; the ssh-ed25519 key data is malformed"
            return None
        _exponent, offset = _read_string(blob, offset)
        modulus, offset = _read_string(blob, offset)
    except (binascii.Error, ValueError):
        return f"{shape}; the key data is not valid base64 of an SSH key"
    if offset != len(blob):
        return f"{shape}; the ssh-rsa key data is malformed"
    bits = int.from_bytes(modulus, "big").bit_length()
    if bits < MIN_RSA_BITS:
        return (
            f"is a {bits}-bit RSA key; Azure needs at least {MIN_RSA_BITS} bits (make an "
            "ed25519 key: ssh-keygen -t ed25519)"
        )
    return None


def _ssh_public_key(value: str) -> str:
    problem = ssh_public_key_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value.strip()


def admin_username_problem(value: str) -> str | None:
    """Why Azure would refuse ``value`` as a Linux VM's administrator name, or None."""
    if value.casefold() in RESERVED_ADMIN_USERNAMES:
        return (
            f"'{value}' is a name Azure reserves and refuses for a VM's administrator "
            "(https://learn.microsoft.com/azure/virtual-machines/linux/faq"
            "#what-are-the-username-requirements-when-creating-a-vm); choose another, e.g. labadmin"
        )
    if not ADMIN_USERNAME.fullmatch(value):
        return f"'{value[:40]}' is not a Linux user name Azure accepts: {ADMIN_USERNAME_RULE}"
    return None


def _admin_username(value: str) -> str:
    problem = admin_username_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _quoted_time(value: Any) -> Any:
    """A number here is YAML's doing: YAML 1.1 readers (PyYAML, which ``hlz plan`` uses) take an
    unquoted ``19:00`` for the base-60 number 1140, and ``1900`` is a number everywhere."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            f"{value} is a number, not a time of day: write the time in quotes as HH:MM "
            '(time: "19:00"); unquoted, YAML reads 19:00 as the number 1140'
        )
    return value


def _shutdown_time(value: str) -> str:
    if not SHUTDOWN_TIME.fullmatch(value):
        raise ValueError(
            f"'{value[:40]}' is not a time of day as HH:MM (24-hour, e.g. 19:00 or 07:30)"
        )
    return value


def _windows_time_zone(value: str) -> str:
    zone = _TIME_ZONES_BY_FOLDED_ID.get(value.strip().casefold())
    if zone is None:
        raise ValueError(
            f"'{value[:60]}' is not a Windows time zone id: use one such as UTC, Eastern "
            "Standard Time, Central Standard Time, Mountain Standard Time, Pacific Standard "
            "Time (IANA names such as America/New_York are not); the full list is "
            "WINDOWS_TIME_ZONE_IDS in components/jump_host.py (docs/jump-host.md)"
        )
    return zone


ShutdownTime = Annotated[str, BeforeValidator(_quoted_time), AfterValidator(_shutdown_time)]
WindowsTimeZone = Annotated[str, AfterValidator(_windows_time_zone)]


class AutoShutdown(HlzModel):
    """A daily shutdown (deallocation) of the jump host: Azure's VM auto-shutdown
    (``hlz:jumpHost.autoShutdown``). Cost control, not a safeguard: a deallocated VM is not
    billed for compute. Lab members start it again (portal, ``az vm start``) with the lab's
    "Jump Host Starter" role (docs/jump-host.md)."""

    enabled: bool = True
    """Default: true. false: no schedule (a lab whose jump host runs jobs overnight)."""
    time: ShutdownTime = "19:00"
    """Default: 19:00. Time of day, 24-hour HH:MM in ``timeZone``; quote it in YAML
    (``time: "19:00"``): unquoted, YAML 1.1 reads 19:00 as a number."""
    time_zone: WindowsTimeZone = "UTC"
    """Default: UTC. A Windows time zone id (Eastern Standard Time, Central Standard Time,
    Mountain Standard Time, Pacific Standard Time, ...; ``WINDOWS_TIME_ZONE_IDS``), in any case;
    daylight saving time follows the zone's rules."""

    @property
    def daily_recurrence_time(self) -> str:
        """``dailyRecurrence.time`` as the schedule takes it: HHMM."""
        return self.time.replace(":", "")


SshPublicKey = Annotated[str, AfterValidator(_ssh_public_key)]
AdminUsername = Annotated[str, AfterValidator(_admin_username)]
Label = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
"""A short label that becomes part of a child's logical name."""


class JumpHostSpec(HlzModel):
    """Size and break-glass account of a lab's jump host (the lab config ``hlz:jumpHost``)."""

    size: str = "Standard_D2s_v5"
    """Default: Standard_D2s_v5 (2 vCPUs, 8 GiB). One of Standard_D2s_v5, Standard_D4s_v5,
    Standard_D2ds_v5, Standard_D4ds_v5, Standard_D2as_v5, Standard_D4as_v5, Standard_D2ads_v5,
    Standard_D4ads_v5: 2 or 4 vCPUs of the D v5 family, which supports Trusted Launch,
    encryption at host and Premium SSD (``JUMP_HOST_SIZES``)."""
    admin_username: AdminUsername = "labadmin"
    """Default: labadmin. The VM's only local account, used only when Entra ID sign-in is
    broken: 1-32 lowercase letters, digits, '_' or '-', not one Azure reserves (root, admin,
    administrator, ...)."""
    admin_ssh_public_key: SshPublicKey
    """The break-glass account's SSH public key (one line of a ``.pub`` file: ssh-ed25519, or
    ssh-rsa of at least 2048 bits). Required: Azure needs one credential, and passwords are
    off. Lab members never use it; they sign in with Entra ID."""
    auto_shutdown: AutoShutdown | None = None
    """Default: not set — the profile decides (the AI lab config fills it in): lab, daily at
    19:00 UTC; production, none (a production jump host may be needed at night). ``enabled:
    false`` turns the lab's off. Given to the component unset, it means no schedule."""

    @field_validator("size")
    @classmethod
    def _jump_host_size(cls, value: str) -> str:
        if value not in JUMP_HOST_SIZES:
            raise ValueError(
                f"'{value[:40]}' is not a jump host size; use one of "
                f"{', '.join(JUMP_HOST_SIZES)} (D v5 sizes support Trusted Launch, encryption "
                "at host and Premium SSD: "
                "https://learn.microsoft.com/azure/virtual-machines/trusted-launch"
                "#virtual-machines-sizes)"
            )
        return value


class JumpHostArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the VM, its NIC, extension and disk
    encryption set."""
    vm_name: Annotated[str, azure_name("virtual_machine")]
    """Azure name of the VM, also its host name (1-64 letters, digits and hyphens)."""
    nic_name: Annotated[str, azure_name("network_interface")]
    """Azure name of the VM's network interface."""
    disk_encryption_set_name: Annotated[str, azure_name("disk_encryption_set")]
    """Azure name of the disk encryption set that encrypts the OS disk."""
    spec: JumpHostSpec
    """Size and break-glass account (``hlz:jumpHost``)."""
    subnet_id: StrInput
    """Subnet of the NIC (the spoke's workloads subnet, whose NSG admits SSH from Bastion
    only)."""
    encryption: EncryptionKey
    """Customer-managed key and the user-assigned identity that unwraps it (the disk
    encryption set's identity)."""
    member_group_ids: EntraObjectIds = Field(default_factory=list)
    """Default: [] — nobody may sign in. Entra group object ids granted Virtual Machine User
    Login (and Reader on the VM and NIC, which a Bastion connection reads)."""
    connection_read_scopes: dict[Label, StrInput] = Field(default_factory=dict)
    """Default: {} — label -> resource id of another resource a Bastion connection reads (the
    Bastion host; the VM's virtual network when Bastion is in a peered one); the member groups
    get Reader on each."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""

    @field_validator("connection_read_scopes")
    @classmethod
    def _labels_of_other_resources(cls, value: dict[str, StrInput]) -> dict[str, StrInput]:
        own = sorted(set(value) & set(OWN_READ_SCOPES))
        if own:
            raise ValueError(
                f"connection_read_scopes labels {', '.join(own)} name the VM's own resources, "
                "which the groups read already; use other labels"
            )
        return value


def _first_private_ip(configurations: Sequence[Any] | None) -> str | None:
    """The primary (first) IP configuration's private address, as Azure reports it."""
    return configurations[0].private_ip_address if configurations else None


class JumpHost(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    """The VM's system-assigned identity (the Entra sign-in extension needs it)."""
    private_ip: pulumi.Output[str | None]
    """The NIC's private address in the workloads subnet: Azure assigns it on create (the
    offline plan's mocks assign none, so it is None there)."""

    def __init__(self, name: str, args: JumpHostArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("hlz:access:JumpHost", name, None, opts)
        placement = args.placement
        key = args.encryption
        spec = args.spec
        disk_encryption_set = compute.DiskEncryptionSet(
            f"{name}-des",
            disk_encryption_set_name=args.disk_encryption_set_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            encryption_type=compute.DiskEncryptionSetType.ENCRYPTION_AT_REST_WITH_CUSTOMER_KEY,
            # A disk encryption set needs the versioned key URL ("Version segment of the Url
            # is required regardless of rotationToLatestKeyVersionEnabled", the API's own
            # definition); with rotation on it moves to every new version within an hour.
            active_key=compute.KeyForDiskEncryptionSetArgs(key_url=key.key.key_uri_with_version),
            rotation_to_latest_key_version_enabled=True,
            identity=compute.EncryptionSetIdentityArgs(
                type=compute.DiskEncryptionSetIdentityType.USER_ASSIGNED,
                user_assigned_identities=[key.identity_id],
            ),
            tags=placement.tags,
            # The identity must be able to unwrap the key before any disk is encrypted with it.
            opts=child_opts(self, depends_on=[key.key_access]),
        )
        nic = network.NetworkInterface(
            f"{name}-nic",
            network_interface_name=args.nic_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            ip_configurations=[
                network.NetworkInterfaceIPConfigurationArgs(
                    name="ipconfig",
                    primary=True,
                    subnet=network.SubnetArgs(id=args.subnet_id),
                    private_ip_allocation_method=network.IPAllocationMethod.DYNAMIC,
                )
            ],
            enable_accelerated_networking=True,
            enable_ip_forwarding=False,
            tags=placement.tags,
            opts=child_opts(self),
        )
        vm = compute.VirtualMachine(
            f"{name}-vm",
            vm_name=args.vm_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            hardware_profile=compute.HardwareProfileArgs(vm_size=spec.size),
            storage_profile=compute.StorageProfileArgs(
                image_reference=IMAGE,
                os_disk=compute.OSDiskArgs(
                    create_option=compute.DiskCreateOptionTypes.FROM_IMAGE,
                    caching=compute.CachingTypes.READ_WRITE,
                    delete_option=compute.DiskDeleteOptionTypes.DELETE,
                    managed_disk=compute.ManagedDiskParametersArgs(
                        storage_account_type=compute.StorageAccountTypes.PREMIUM_LRS,
                        disk_encryption_set=compute.DiskEncryptionSetParametersArgs(
                            id=disk_encryption_set.id
                        ),
                    ),
                ),
            ),
            security_profile=compute.SecurityProfileArgs(
                security_type=compute.SecurityTypes.TRUSTED_LAUNCH,
                uefi_settings=compute.UefiSettingsArgs(
                    secure_boot_enabled=True, v_tpm_enabled=True
                ),
                encryption_at_host=True,
            ),
            os_profile=compute.OSProfileArgs(
                computer_name=args.vm_name,
                admin_username=spec.admin_username,
                linux_configuration=compute.LinuxConfigurationArgs(
                    disable_password_authentication=True,
                    provision_vm_agent=True,
                    ssh=compute.SshConfigurationArgs(
                        public_keys=[
                            compute.SshPublicKeyArgs(
                                path=f"/home/{spec.admin_username}/.ssh/authorized_keys",
                                key_data=spec.admin_ssh_public_key,
                            )
                        ]
                    ),
                    patch_settings=compute.LinuxPatchSettingsArgs(
                        patch_mode=compute.LinuxVMGuestPatchMode.AUTOMATIC_BY_PLATFORM,
                        assessment_mode=compute.LinuxPatchAssessmentMode.AUTOMATIC_BY_PLATFORM,
                        automatic_by_platform_settings=(
                            compute.LinuxVMGuestPatchAutomaticByPlatformSettingsArgs(
                                reboot_setting=(
                                    compute.LinuxVMGuestPatchAutomaticByPlatformRebootSetting.IF_REQUIRED
                                )
                            )
                        ),
                    ),
                ),
            ),
            network_profile=compute.NetworkProfileArgs(
                network_interfaces=[compute.NetworkInterfaceReferenceArgs(id=nic.id, primary=True)]
            ),
            # Managed storage: no storage account of ours to open to the platform.
            diagnostics_profile=compute.DiagnosticsProfileArgs(
                boot_diagnostics=compute.BootDiagnosticsArgs(enabled=True)
            ),
            identity=compute.VirtualMachineIdentityArgs(
                type=compute.ResourceIdentityType.SYSTEM_ASSIGNED
            ),
            tags=placement.tags,
            opts=child_opts(self),
        )
        compute.VirtualMachineExtension(
            f"{name}-entra-login",
            vm_name=vm.name,
            vm_extension_name=ENTRA_LOGIN_EXTENSION,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            publisher=ENTRA_LOGIN_PUBLISHER,
            type=ENTRA_LOGIN_EXTENSION,
            type_handler_version=ENTRA_LOGIN_VERSION,
            auto_upgrade_minor_version=True,
            tags=placement.tags,
            opts=child_opts(self),
        )
        self.shutdown_schedule: devtestlab.GlobalSchedule | None = None
        shutdown = spec.auto_shutdown
        if shutdown is not None and shutdown.enabled:
            self.shutdown_schedule = devtestlab.GlobalSchedule(
                f"{name}-shutdown",
                # ARM takes a VM's schedule under this name only, in the VM's resource group.
                name=vm_shutdown_schedule_name(args.vm_name),
                resource_group_name=placement.resource_group_name,
                location=placement.location,
                task_type=VM_SHUTDOWN_TASK,
                # Both statuses are sent: the SDK sends Disabled for either when it is omitted.
                status=devtestlab.EnableStatus.ENABLED,
                daily_recurrence=devtestlab.DayDetailsArgs(time=shutdown.daily_recurrence_time),
                time_zone_id=shutdown.time_zone,
                target_resource_id=vm.id,
                notification_settings=devtestlab.NotificationSettingsArgs(
                    status=devtestlab.EnableStatus.DISABLED
                ),
                tags=placement.tags,
                opts=child_opts(self),
            )

        grant_groups(
            f"{name}-login",
            args.member_group_ids,
            scope=vm.id,
            role=MEMBER_LOGIN_ROLE,
            subscription_id=args.subscription_id,
            parent=self,
        )
        grant_groups_custom_role(
            f"{name}-start",
            args.member_group_ids,
            role_name=start_role_name(args.vm_name),
            description=(
                f"Lab members start the jump host {args.vm_name} after its auto-shutdown "
                "(read it and its power state, start it; nothing else). Created by hlz."
            ),
            actions=JUMP_HOST_START_ACTIONS,
            scope=vm.id,
            resource_group_name=placement.resource_group_name,
            subscription_id=args.subscription_id,
            parent=self,
        )
        read_scopes: dict[str, StrInput] = dict(zip(OWN_READ_SCOPES, (vm.id, nic.id), strict=True))
        read_scopes.update(args.connection_read_scopes)
        for label, scope in read_scopes.items():
            grant_groups(
                f"{name}-reads-{label}",
                args.member_group_ids,
                scope=scope,
                role=CONNECTION_READ_ROLE,
                subscription_id=args.subscription_id,
                parent=self,
            )

        self.vm = vm
        self.nic = nic
        self.disk_encryption_set = disk_encryption_set
        self.id = vm.id
        self.name = vm.name
        self.principal_id = principal_of(vm.identity, f"virtual machine {args.vm_name}")
        self.private_ip = nic.ip_configurations.apply(_first_private_ip)
        self.register_outputs(
            {
                "id": self.id,
                "name": self.name,
                "principal_id": self.principal_id,
                "private_ip": self.private_ip,
            }
        )
