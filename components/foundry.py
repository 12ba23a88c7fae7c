"""Foundry projects on a lab's AI Services account (HIPAA 164.312(a)(1), (d)).

A project is where a lab team builds, evaluates and traces prompts and agents. It lives under
the lab's ``kind: AIServices`` account (``OpenAIArgs.kind``; the account then allows project
management), so the account's hardening applies to it unchanged: no local (key) auth, private
endpoint, customer-managed key, restricted outbound access, content filters and governance
records on the deployments it uses.

| input            | derived                                                               |
|------------------|-----------------------------------------------------------------------|
| (always)         | a system-assigned managed identity: the project reaches the lab's data |
|                  | with Entra ID, never with keys                                        |
| member_group_ids | "Azure AI User" (shown as "Foundry User" in Microsoft's list) on the  |
|                  | project alone: build and run agents and evaluations, read the models; |
|                  | nothing on the account, its keys or its network                       |
| after            | created after the account's model deployments, one project at a time: |
|                  | Azure accepts one operation at a time on an account's children        |
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import cognitiveservices
from pydantic import Field

from components.roles import grant_groups
from components.shared import HlzModel, Placement, StrInput, child_opts
from components.specs import EntraObjectIds

PROJECT_ROLE = "Azure AI User"


class FoundryProjectSpec(HlzModel):
    """One Foundry project of a lab: its name, what it is for and who works in it."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
    """Project name (2-64 letters, digits, '.', '_', '-', starting with a letter or digit);
    unique within the lab."""
    description: str = Field(min_length=5, max_length=512)
    """What the project is for, in a sentence (5-512 characters), shown in the Foundry portal."""
    member_group_ids: EntraObjectIds = Field(min_length=1)
    """Entra group object ids that work in the project (Azure AI User on the project only)."""


class FoundryProjectArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the project (those of its account)."""
    account_name: StrInput
    """Name of the lab's ``kind: AIServices`` account (project management allowed)."""
    spec: FoundryProjectSpec
    """The project's name, description and member groups."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""


class FoundryProject(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: FoundryProjectArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        after: pulumi.Resource | None = None,
    ):
        super().__init__("hlz:ai:FoundryProject", name, None, opts)
        placement = args.placement
        spec = args.spec
        project = cognitiveservices.Project(
            f"{name}-project",
            project_name=spec.name,
            account_name=args.account_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            identity=cognitiveservices.IdentityArgs(
                type=cognitiveservices.ResourceIdentityType.SYSTEM_ASSIGNED
            ),
            properties=cognitiveservices.ProjectPropertiesArgs(
                display_name=spec.name, description=spec.description
            ),
            tags=placement.tags,
            opts=child_opts(self, depends_on=[after] if after is not None else []),
        )
        grant_groups(
            f"{name}-ai-user",
            spec.member_group_ids,
            scope=project.id,
            role=PROJECT_ROLE,
            subscription_id=args.subscription_id,
            parent=self,
        )
        self.project = project
        self.id = project.id
        self.name = project.name
        self.principal_id = project.identity.apply(
            lambda identity: (identity.principal_id if identity else None) or ""
        )
        self.register_outputs({"id": self.id, "name": self.name, "principal_id": self.principal_id})
