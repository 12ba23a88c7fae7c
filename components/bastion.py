"""Azure Bastion: operator access to private VMs without public IPs on them
(HIPAA 164.312(a)(1) access control, 164.312(e)(1) transmission security).

| input                            | derived                                                  |
|----------------------------------|----------------------------------------------------------|
| sku Basic                        | (lab) no session controls available on this SKU          |
| sku Standard                     | copy/paste and file copy disabled, shareable links off:  |
|                                  | PHI stays in the VNet; no native client support          |
| ``native_client_override`` set   | ``enableTunneling`` on (``az network bastion ssh`` and   |
| (Standard only)                  | ``tunnel``); the reason as the host's tag                |
|                                  | ``hlz-override-bastion-native-client``                   |

Native client support is off by default because a tunnel carries whatever the client sends:
Learn shows files uploaded with ``scp`` through ``az network bastion tunnel``
(https://learn.microsoft.com/azure/bastion/vm-upload-download-native), which the portal's
copy/paste and file-copy controls do not govern. Members sign in with Microsoft Entra ID from
the Azure portal without it, on Basic as on Standard
(https://learn.microsoft.com/azure/bastion/bastion-entra-id-authentication).
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pulumi_azure_native import network
from pydantic import model_validator

from components.diagnostics import send_diagnostics
from components.public_ip import standard_public_ip
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Override,
    Placement,
    StrInput,
    child_opts,
    override_tags,
)

BastionSku = Literal["Basic", "Standard"]


def native_client_problem(sku: BastionSku) -> str | None:
    """Why a Bastion of ``sku`` cannot have native client support, or None: the one statement of
    the rule, for the component and the landing-zone config."""
    if sku == "Standard":
        return None
    return (
        "native client support (az network bastion ssh and tunnel, enableTunneling) needs the "
        f"Standard SKU, and this Bastion is {sku}"
    )


class BastionArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the host and its public IP."""
    bastion_name: str
    """Azure name of the Bastion host (see components.naming)."""
    public_ip_name: str
    """Azure name of the host's Standard static public IP (Bastion requires one)."""
    subnet_id: StrInput
    """The AzureBastionSubnet."""
    sku: BastionSku = "Standard"
    """Default: Standard — the SKU that can disable clipboard and file transfer."""
    native_client_override: Override | None = None
    """Default: None — no native client support: members connect from the Azure portal. With an
    override (Standard only) ``enableTunneling`` is on, and the reason is written to the host as
    the tag ``hlz-override-bastion-native-client``."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the host's and public IP's logs and metrics (HIPAA 164.312(b))."""

    @model_validator(mode="after")
    def _native_client_needs_standard(self) -> BastionArgs:
        problem = native_client_problem(self.sku)
        if self.native_client_override is not None and problem is not None:
            raise ValueError(f"native_client_override: {problem}")
        return self


class Bastion(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: BastionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("hlz:network:Bastion", name, None, opts)
        placement = args.placement
        workspace_id = args.diagnostics.workspace_id
        public_ip = standard_public_ip(
            f"{name}-pip",
            azure_name=args.public_ip_name,
            placement=placement,
            workspace_id=workspace_id,
            parent=self,
        )
        session_controls = args.sku == "Standard"
        bastion = network.BastionHost(
            f"{name}-host",
            bastion_host_name=args.bastion_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=network.SkuArgs(name=network.BastionHostSkuName(args.sku)),
            ip_configurations=[
                network.BastionHostIPConfigurationArgs(
                    name="ipconfig",
                    subnet=network.SubResourceArgs(id=args.subnet_id),
                    public_ip_address=network.SubResourceArgs(id=public_ip.id),
                )
            ],
            disable_copy_paste=True if session_controls else None,
            enable_file_copy=False if session_controls else None,
            enable_shareable_link=False if session_controls else None,
            enable_tunneling=True if args.native_client_override is not None else None,
            tags=placement.tags_with(
                override_tags(bastion_native_client=args.native_client_override)
            ),
            opts=child_opts(self),
        )
        send_diagnostics(bastion, workspace_id, parent=self)
        self.host = bastion
        self.id = bastion.id
        self.name = bastion.name
        self.register_outputs({"id": self.id, "name": self.name})
