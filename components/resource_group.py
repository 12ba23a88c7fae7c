"""A tagged resource group, locked against deletion unless an override says why not.

| input          | derived                                                               |
|----------------|-----------------------------------------------------------------------|
| (default)      | a CanNotDelete lock on the group (HIPAA 164.312(c)(1))                |
| lock_override  | no lock; the reason as the group's tag ``hlz-override-lock``          |
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import resources
from pydantic import Field

from components.roles import lock_against_deletion
from components.shared import HlzModel, Override, Placement, child_opts, override_tags


class ResourceGroupArgs(HlzModel):
    resource_group_name: str
    """Azure name of the resource group (see components.naming)."""
    location: str
    """Azure region of the group (validated against the allowed US regions in config)."""
    tags: dict[str, str]
    """Required tags of the group (Azure does not pass them on to resources inside it)."""
    group_tags: dict[str, str] = Field(default_factory=dict)
    """Default: none. Tags on the group alone, not passed on to its children (an AI lab's
    ``hlz-lab``, which the budget rule reads)."""
    lock_override: Override | None = None
    """Default: None — a CanNotDelete lock (HIPAA 164.312(c)(1)). With an override the group is
    not locked and carries the reason as the tag ``hlz-override-lock`` (the lab profile sets
    one: lab groups are deleted and rebuilt)."""


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
            tags={**args.tags, **args.group_tags, **override_tags(lock=args.lock_override)},
            opts=child_opts(self),
        )
        if args.lock_override is None:
            lock_against_deletion(
                f"{name}-lock",
                group.id,
                "Landing-zone resource group; unlock deliberately to delete.",
                self,
            )
        self.id = group.id
        self.name = group.name
        self.placement = Placement(
            resource_group_name=group.name, location=args.location, tags=args.tags
        )
        """Where the group's children go: this group, its region and its required tags."""
        self.register_outputs({"id": self.id, "name": self.name})
