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
| search           | a connection to the lab's search service (category CognitiveSearch,   |
|                  | authType AAD: the project's identity, never a key), created after the |
|                  | project, and "Search Index Data Reader" on the service for that       |
|                  | identity: agents and "on your data" query the indexes, nothing more   |
"""

from __future__ import annotations

from typing import Annotated

import pulumi
from pulumi_azure_native import authorization, cognitiveservices
from pydantic import Field

from components.naming import azure_name
from components.roles import assign_role, grant_groups, principal_of
from components.shared import HlzModel, Placement, StrInput, child_opts
from components.specs import EntraObjectIds

PROJECT_ROLE = "Azure AI User"
SEARCH_ROLE = "Search Index Data Reader"


class FoundryProjectSpec(HlzModel):
    """One Foundry project of a lab: its name, what it is for and who works in it."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
    """Project name (2-64 letters, digits, '.', '_', '-', starting with a letter or digit);
    unique within the lab."""
    description: str = Field(min_length=5, max_length=512)
    """What the project is for, in a sentence (5-512 characters), shown in the Foundry portal."""
    member_group_ids: EntraObjectIds = Field(min_length=1)
    """Entra group object ids that work in the project (Azure AI User on the project only)."""


class FoundrySearchConnection(HlzModel):
    """The lab's search service, as a project connects to it."""

    connection_name: Annotated[str, azure_name("foundry_connection")]
    """Name of the connection in the project (3-33 letters, digits, '_' and '-', starting with a
    letter or digit)."""
    search_id: StrInput
    """Resource id of the search service (the scope of the project's reader role)."""
    endpoint: StrInput
    """``https://<service>.search.windows.net``."""


class FoundryProjectArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the project (those of its account)."""
    account_name: StrInput
    """Name of the lab's ``kind: AIServices`` account (project management allowed)."""
    spec: FoundryProjectSpec
    """The project's name, description and member groups."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions (from the client config)."""
    search: FoundrySearchConnection | None = None
    """Default: None — no search connection. With the lab's search service: a connection to it
    (Entra ID) and Search Index Data Reader on it for the project's identity."""


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
        principal_id = principal_of(project.identity, f"Foundry project {spec.name}")
        self.search_connection: cognitiveservices.ProjectConnection | None = None
        if args.search is not None:
            target = args.search
            self.search_connection = cognitiveservices.ProjectConnection(
                f"{name}-search",
                connection_name=target.connection_name,
                project_name=project.name,
                account_name=args.account_name,
                resource_group_name=placement.resource_group_name,
                properties=cognitiveservices.AADAuthTypeConnectionPropertiesArgs(
                    auth_type="AAD",
                    category=cognitiveservices.ConnectionCategory.COGNITIVE_SEARCH,
                    target=target.endpoint,
                    metadata={"ResourceId": target.search_id, "ApiType": "Azure"},
                ),
                opts=child_opts(self),
            )
            assign_role(
                f"{name}-search-reader",
                scope=target.search_id,
                principal_id=principal_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role=SEARCH_ROLE,
                subscription_id=args.subscription_id,
                parent=self,
            )
        self.project = project
        self.id = project.id
        self.name = project.name
        self.principal_id = principal_id
        self.register_outputs({"id": self.id, "name": self.name, "principal_id": self.principal_id})
