"""Role assignments with deterministic GUID names and an explicit principal type, and the
narrow custom roles a lab grants where no built-in role is narrow enough.

The name is UUIDv5(scope, principal, role): re-running a deployment re-creates the same
assignment instead of colliding with it (RoleAssignmentExists), and ``principalType`` avoids
PrincipalNotFound when the principal was created moments ago (replication delay).

A role is a key of ``BUILTIN_ROLES`` or a ``CustomRole`` made by ``custom_role``; both reach
``assign_role`` through the same path (the assignment names the definition by its GUID under
the subscription, and waits for a custom definition to exist).

| custom_role input        | derived                                                         |
|--------------------------|-----------------------------------------------------------------|
| resource_group_name,     | the definition is created at the resource group's scope, and    |
| subscription_id          | that resource group is its only assignable scope                |
| role_name                | its name: UUIDv5(resource group id, role name), so a re-run     |
|                          | updates the same definition                                     |
| actions                  | ``permissions[0].actions``; no notActions, no data actions      |

``authorization.RoleDefinition`` of pulumi-azure-native 3.29.0 sends API 2022-05-01-preview,
whose type definitions hlz does not vendor; the definition is the generic
``resources.Resource`` at ``ROLE_DEFINITION_API_VERSION`` instead (the GA API whose Bicep
types are vendored), judged by the policy pack as a role definition (``policies.normalise``).
A generic resource lives in a resource group (``.../resourceGroups/<rg>/providers/
Microsoft.Authorization/roleDefinitions/<guid>``): that is the extension resource at the
resource group's scope, the PUT Microsoft documents for custom roles
(https://learn.microsoft.com/azure/role-based-access-control/custom-roles-rest).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import authorization, resources

from components.errors import UnexpectedAzureResponse
from components.shared import StrInput, child_opts

# Built-in role definition ids (identical in every Azure public-cloud tenant).
BUILTIN_ROLES: dict[str, str] = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Virtual Machine Contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    "Storage Account Contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    # Sign in to a VM with Entra ID as a regular user (never "Virtual Machine Administrator
    # Login", which no lab member gets by default).
    "Virtual Machine User Login": "fb879df8-f326-4884-b1cf-06f3ad86be52",
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "Cognitive Services OpenAI User": "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    # Publishes telemetry to an Application Insights component with Entra ID (the AI gateway's
    # logger; https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication).
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    # Listed by Microsoft as "Foundry User" since its rename; the id is unchanged.
    "Azure AI User": "53ca6127-db72-4b80-b1b0-d745d6d5456d",
    "FHIR Data Reader": "4c8d0bbc-75d3-4935-991f-5f3c56d81508",
    "FHIR Data Contributor": "5a1fc7df-4bf1-4951-a576-89034ee01acd",
    "DICOM Data Reader": "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a",
    "DICOM Data Owner": "58a3b984-7adf-4c20-983a-32417c86fbc8",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    # Only ever with an ABAC condition narrowing it to named containers (components/foundry.py).
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Search Index Data Reader": "1407120a-92aa-4202-b7e9-c0e197c71c8f",
    "Search Index Data Contributor": "8ebe5a00-799e-43f5-93ac-243d3dce84a7",
    # Manages the service (indexes, and its settings): a project's identity only, for the
    # Agent Service's vector stores; never a person's standing role.
    "Search Service Contributor": "7ca78c08-252a-4471-8644-bb5ff32d4ba0",
    # Control plane of Cosmos DB accounts (databases, containers, throughput; no data, no keys):
    # what the Foundry Agent Service's project identity needs to create its thread containers.
    "Cosmos DB Operator": "230815da-be43-4aae-9cb4-875f7bd000aa",
}

# Fixed namespace so the same (scope, principal, role) always yields the same name.
ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("6f1c6b0e-3c1a-4a59-9a39-6f2d2c6b1a10")


def role_assignment_name(scope: str, principal_id: str, role_definition_guid: str) -> str:
    key = f"{scope.lower()}|{principal_id.lower()}|{role_definition_guid.lower()}"
    return str(uuid.uuid5(ROLE_ASSIGNMENT_NAMESPACE, key))


# Fixed namespace so the same (resource group, role name) always yields the same definition.
ROLE_DEFINITION_NAMESPACE = uuid.UUID("2d6a4c1e-8f3b-4b7a-9c5d-1e0f2a3b4c5d")

ROLE_DEFINITION_API_VERSION = "2022-04-01"
"""Microsoft.Authorization/roleDefinitions at the GA API whose Bicep types are vendored
(hlz/schema/bicep-types/microsoft.authorization/2022-04-01)."""


def role_definition_name(scope: str, role_name: str) -> str:
    return str(uuid.uuid5(ROLE_DEFINITION_NAMESPACE, f"{scope.lower()}|{role_name}"))


@dataclass(frozen=True)
class CustomRole:
    """A custom role definition this stack creates (``custom_role``), as ``assign_role`` grants
    it."""

    role_name: str
    """Its display name (unique in the tenant: it names the resource it is for)."""
    guid: pulumi.Output[str]
    """The definition's name, the last segment of its id."""
    definition: pulumi.Resource
    """The definition itself: an assignment must wait for it."""


Role = str | CustomRole
"""A key of ``BUILTIN_ROLES`` or a custom role of the stack's own."""


def custom_role(
    name: str,
    *,
    role_name: str,
    description: str,
    actions: Sequence[str],
    resource_group_name: StrInput,
    subscription_id: StrInput,
    parent: pulumi.Resource,
) -> CustomRole:
    """A custom role allowing exactly ``actions`` (control-plane operations from Microsoft's
    published lists, never a wildcard), assignable in the resource group only (module table)."""
    scope = pulumi.Output.concat(
        "/subscriptions/", subscription_id, "/resourceGroups/", resource_group_name
    )
    guid = scope.apply(lambda value: role_definition_name(value, role_name))
    definition = resources.Resource(
        name,
        resource_provider_namespace="Microsoft.Authorization",
        parent_resource_path="",
        resource_type="roleDefinitions",
        api_version=ROLE_DEFINITION_API_VERSION,
        resource_name_=guid,
        resource_group_name=resource_group_name,
        properties={
            "roleName": role_name,
            "description": description,
            "type": "CustomRole",
            "permissions": [
                {
                    "actions": list(actions),
                    "notActions": [],
                    "dataActions": [],
                    "notDataActions": [],
                }
            ],
            "assignableScopes": [scope],
        },
        opts=child_opts(parent),
    )
    return CustomRole(role_name=role_name, guid=guid, definition=definition)


def assign_role(
    name: str,
    *,
    scope: StrInput,
    principal_id: StrInput,
    principal_type: authorization.PrincipalType,
    role: Role,
    subscription_id: StrInput,
    parent: pulumi.Resource,
    condition: str | None = None,
    depends_on: list[pulumi.Resource] | None = None,
) -> authorization.RoleAssignment:
    """Grant ``role`` (a key of BUILTIN_ROLES, or a ``CustomRole``) to a principal on
    ``scope``; ``condition`` (an ABAC expression, condition version 2.0) narrows what the
    role's data actions reach."""
    waits_for = list(depends_on or [])
    if isinstance(role, CustomRole):
        role_guid: pulumi.Output[str] = role.guid
        waits_for.append(role.definition)
    else:
        role_guid = pulumi.Output.from_input(BUILTIN_ROLES[role])
    return authorization.RoleAssignment(
        name,
        scope=scope,
        principal_id=principal_id,
        principal_type=principal_type,
        role_definition_id=pulumi.Output.concat(
            "/subscriptions/",
            subscription_id,
            "/providers/Microsoft.Authorization/roleDefinitions/",
            role_guid,
        ),
        role_assignment_name=pulumi.Output.all(scope, principal_id, role_guid).apply(
            lambda values: role_assignment_name(values[0], values[1], values[2])
        ),
        condition=condition,
        condition_version="2.0" if condition is not None else None,
        opts=child_opts(parent, depends_on=waits_for),
    )


def principal_of(identity: pulumi.Output[Any], what: str) -> pulumi.Output[str]:
    """The principal id of a resource's system-assigned identity, which Azure computes on create
    and always returns; an answer without it is ``UnexpectedAzureResponse`` (never an empty
    principal on a role assignment). ``what`` names the resource in that message."""

    def read(value: Any) -> str:
        principal = getattr(value, "principal_id", None) if value is not None else None
        if not principal:
            raise UnexpectedAzureResponse(f"Azure reported {what} without its identity's principal")
        return str(principal)

    return identity.apply(read)


def builtin_role_names(role_ids: Iterable[str]) -> tuple[str, ...]:
    """``BUILTIN_ROLES`` names of built-in role GUIDs (as policy definitions name them in
    ``roleDefinitionIds``), in the order given. A GUID the table lacks is a programming error
    (vendored data naming a role hlz does not know), raised at import: no user input causes it."""
    by_id = {guid: name for name, guid in BUILTIN_ROLES.items()}
    wanted = list(role_ids)
    missing = [guid for guid in wanted if guid not in by_id]
    if missing:
        raise ValueError(f"roles {', '.join(missing)} are not in components.roles.BUILTIN_ROLES")
    return tuple(by_id[guid] for guid in wanted)


def grant_policy_remediation(
    name: str,
    assignment: authorization.PolicyAssignment,
    roles: Iterable[str],
    *,
    subscription_id: StrInput,
    parent: pulumi.Resource,
    what: str,
) -> list[authorization.RoleAssignment]:
    """Give a policy assignment's system-assigned identity ``roles`` at the assignment's scope,
    so remediation tasks of its DeployIfNotExists/Modify members can act. ``what`` names the
    assignment if Azure reports it without its identity's principal."""
    principal_id = principal_of(assignment.identity, what)
    return [
        assign_role(
            f"{name}-remediation-{role.lower().replace(' ', '-')}",
            scope=assignment.scope,
            principal_id=principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role=role,
            subscription_id=subscription_id,
            parent=parent,
        )
        for role in roles
    ]


def grant_groups(
    name_prefix: str,
    group_ids: list[str],
    *,
    scope: StrInput,
    role: Role,
    subscription_id: StrInput,
    parent: pulumi.Resource,
) -> list[authorization.RoleAssignment]:
    """Grant ``role`` (a key of BUILTIN_ROLES, or a ``CustomRole``) on ``scope`` to each Entra
    group (people get access through groups, never one by one). Logical names are
    ``<name_prefix>-<first 8 characters of the id>``, or the whole id for groups whose first 8
    characters another group in the list shares (two resources with one name would stop the
    deployment)."""
    shared = {prefix for prefix, n in Counter(g[:8] for g in group_ids).items() if n > 1}
    return [
        assign_role(
            f"{name_prefix}-{group_id if group_id[:8] in shared else group_id[:8]}",
            scope=scope,
            principal_id=group_id,
            principal_type=authorization.PrincipalType.GROUP,
            role=role,
            subscription_id=subscription_id,
            parent=parent,
        )
        for group_id in group_ids
    ]


def grant_groups_custom_role(
    name_prefix: str,
    group_ids: list[str],
    *,
    role_name: str,
    description: str,
    actions: Sequence[str],
    scope: StrInput,
    resource_group_name: StrInput,
    subscription_id: StrInput,
    parent: pulumi.Resource,
) -> CustomRole | None:
    """A custom role of exactly ``actions`` (``custom_role``, logical name
    ``<name_prefix>-role``) granted on ``scope`` to each group (``grant_groups``); nothing
    without groups."""
    if not group_ids:
        return None
    role = custom_role(
        f"{name_prefix}-role",
        role_name=role_name,
        description=description,
        actions=actions,
        resource_group_name=resource_group_name,
        subscription_id=subscription_id,
        parent=parent,
    )
    grant_groups(
        name_prefix, group_ids, scope=scope, role=role, subscription_id=subscription_id,
        parent=parent,
    )  # fmt: skip
    return role


def lock_against_deletion(
    name: str, scope: StrInput, reason: str, parent: pulumi.Resource
) -> authorization.ManagementLockByScope:
    """A CanNotDelete lock (HIPAA 164.312(c)(1) integrity): deleting needs a deliberate unlock."""
    return authorization.ManagementLockByScope(
        name,
        scope=scope,
        level=authorization.LockLevel.CAN_NOT_DELETE,
        lock_name="hlz-do-not-delete",
        notes=reason,
        opts=child_opts(parent),
    )
