"""A tagged resource group, optionally locked against deletion (production)."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import resources

from components.roles import lock_against_deletion
from components.shared import HlzModel, child_opts


class ResourceGroupArgs(HlzModel):
    resource_group_name: str
    """Azure name of the resource group (see components.naming)."""
    location: str
    """Azure region of the group (validated against the allowed US regions in config)."""
    tags: dict[str, str]
    """Required tags of the group (Azure does not pass them on to resources inside it)."""
    lock: bool = True
    """Default: True — CanNotDelete (HIPAA 164.312(c)(1)); the lab profile turns it off."""


class ResourceGroup(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ResourceGroupArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:core:ResourceGroup", name, None, opts)
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=child_opts(self),
        )
        if args.lock:
            lock_against_deletion(
                f"{name}-lock",
                group.id,
                "Landing-zone resource group; unlock deliberately to delete.",
                self,
            )
        self.id = group.id
        self.name = group.name
        self.register_outputs({"id": self.id, "name": self.name})
