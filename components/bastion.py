"""Azure Bastion: operator access to private VMs without public IPs on them
(HIPAA 164.312(a)(1) access control, 164.312(e)(1) transmission security).

| sku      | derived                                                                  |
|----------|--------------------------------------------------------------------------|
| Basic    | (lab) no session controls available on this SKU                          |
| Standard | copy/paste and file copy disabled, shareable links off: PHI stays in the VNet |
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pulumi_azure_native import network

from components.diagnostics import send_diagnostics
from components.public_ip import standard_public_ip
from components.shared import DiagnosticsTarget, HlzModel, Placement, StrInput, child_opts


class BastionArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the host and its public IP."""
    bastion_name: str
    """Azure name of the Bastion host (see components.naming)."""
    public_ip_name: str
    """Azure name of the host's Standard static public IP (Bastion requires one)."""
    subnet_id: StrInput
    """The AzureBastionSubnet."""
    sku: Literal["Basic", "Standard"] = "Standard"
    """Default: Standard — the SKU that can disable clipboard and file transfer."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the host's and public IP's logs and metrics (HIPAA 164.312(b))."""


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
            tags=placement.tags,
            opts=child_opts(self),
        )
        send_diagnostics(bastion, workspace_id, parent=self)
        self.host = bastion
        self.id = bastion.id
        self.name = bastion.name
        self.register_outputs({"id": self.id, "name": self.name})
