"""Foundry project rules: a project's own identity, and the account that can hold it.

A Foundry project (``Microsoft.CognitiveServices/accounts/projects``) is a child of a
Cognitive Services account. Azure creates it only under an account that allows project
management:

| account ``kind`` | ``properties.allowProjectManagement`` | holds projects |
|------------------|----------------------------------------|----------------|
| AIServices       | true                                   | yes            |
| AIServices       | false or absent                        | no             |
| OpenAI (or other)| any                                    | no             |

Microsoft's upgrade from Azure OpenAI to Foundry is exactly this change (``kind`` OpenAI ->
AIServices, ``allowProjectManagement`` true), and rolling back to ``kind: OpenAI`` requires
deleting the projects first (https://learn.microsoft.com/azure/foundry/how-to/upgrade-azure-openai).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import (
    Category,
    Compliant,
    NotApplicable,
    Outcome,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
    outcome_from,
)
from ..props import as_bool, as_str, describe, get, same_text
from .cognitive import MANAGED_IDENTITY_TYPES
from .deploy_support import ResourceIndex, known_text
from .relations import of_type
from .tokens import COGNITIVE_ACCOUNT, COGNITIVE_PROJECT

PROJECT = frozenset({COGNITIVE_PROJECT})

PROJECT_ACCOUNT_KIND = "AIServices"
"""The only account ``kind`` that holds Foundry projects (see the module table)."""


def _managed_identity(value: Any) -> bool:
    text = (as_str(value) or "").replace(" ", "").casefold()
    return any(text == kind.replace(" ", "").casefold() for kind in MANAGED_IDENTITY_TYPES)


def check_project_managed_identity(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "identity", "type")
    if _managed_identity(value):
        return Compliant()
    return fail(
        f"identity.type is {describe(value)}; give the project a system- or user-assigned "
        "managed identity so its connections reach the lab's data with Entra ID, not keys"
    )


def _accounts_of(
    project: StackResource, index: ResourceIndex, accounts: Sequence[StackResource]
) -> list[StackResource]:
    """The project's account: the one its ``accountName`` was computed from, else the account of
    the stack with the same literal name in the same resource group."""
    upstream = index.upstream(project, ("accountName",), (COGNITIVE_ACCOUNT,))
    if upstream:
        return upstream
    name = known_text(project.props, "accountName")
    group = known_text(project.props, "resourceGroupName")
    if name is None or group is None:
        return []
    return [
        account
        for account in accounts
        if same_text(known_text(account.props, "accountName"), name)
        and same_text(known_text(account.props, "resourceGroupName"), group)
    ]


def _parent_problems(project: StackResource, account: StackResource) -> list[str]:
    label = f"project '{project.name}' is under account '{account.name}'"
    reasons: list[str] = []
    kind = get(account.props, "kind")
    if not same_text(kind, PROJECT_ACCOUNT_KIND):
        reasons.append(
            f"{label} of kind {describe(kind)}; only a kind 'AIServices' account holds Foundry "
            "projects (upgrade the account to AIServices or put the project on another one)"
        )
    allowed = get(account.props, "properties", "allowProjectManagement")
    if as_bool(allowed) is not True:
        reasons.append(
            f"{label}, whose properties.allowProjectManagement is {describe(allowed)}; set it "
            "to true on the account"
        )
    return reasons


def check_project_parent_account(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    index = ResourceIndex(resources)
    accounts = of_type(resources, COGNITIVE_ACCOUNT)
    outcomes: dict[str, Outcome] = {}
    for project in of_type(resources, COGNITIVE_PROJECT):
        parents = _accounts_of(project, index, accounts)
        if not parents:
            outcomes[project.urn] = NotApplicable("its account is not in this stack")
            continue
        outcomes[project.urn] = outcome_from(
            [reason for account in parents for reason in _parent_problems(project, account)]
        )
    return outcomes


RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="cognitiveservices-project-require-managed-identity",
        description="Foundry projects have a system- or user-assigned managed identity.",
        rationale=(
            "A project reaches the lab's data (storage, search indexes, thread stores that may "
            "hold ePHI) with its own managed identity, granted roles on each resource; without "
            "one its connections can only carry keys and connection strings, shared secrets "
            "that bypass Entra ID and RBAC."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-3",),
        hitrust=("01.q",),
        remediation=(
            "Set identity to {type: 'SystemAssigned'} (or 'UserAssigned' with "
            "userAssignedIdentities) and grant that identity roles on the resources the "
            "project connects to."
        ),
        url="https://learn.microsoft.com/azure/foundry/concepts/administrator-guide",
        phi_protecting=True,
        resource_types=PROJECT,
        check=check_project_managed_identity,
    ),
    StackRule(
        id="deploy-cognitiveservices-require-project-management-for-projects",
        category=Category.DEPLOY,
        description=(
            "Foundry projects are created under a kind 'AIServices' account whose "
            "properties.allowProjectManagement is true."
        ),
        rationale=(
            "Microsoft's steps create the account with kind AIServices and "
            '--allow-project-management: "The `--allow-project-management` flag enables '
            'project creation within this resource." An account of kind OpenAI, or one '
            "without project management, cannot hold projects, so ARM refuses the project."
        ),
        severity=Severity.HIGH,
        remediation=(
            "Create the project's account with kind 'AIServices' and "
            "properties.allowProjectManagement true (components.openai does for kind "
            "AIServices)."
        ),
        url="https://learn.microsoft.com/azure/foundry/how-to/create-projects",
        resource_types=PROJECT,
        check=check_project_parent_account,
    ),
)
