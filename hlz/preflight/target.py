"""What one stack needs from its subscription and region, derived from its config.

Derived, never asked for (the stack file already says all of it):

| need                   | landing_zone                  | ai_lab                               |
|------------------------|-------------------------------|--------------------------------------|
| resource providers     | ``LANDING_ZONE_PROVIDERS``    | ``AI_LAB_PROVIDERS`` + HealthcareApis |
|                        |                               | when FHIR or DICOM is on             |
| deployer's actions     | ``LANDING_ZONE_ACTIONS``      | ``AI_LAB_ACTIONS`` (+ HealthcareApis) |
|                        | + locks in production         | + locks in production                |
| soft-deleted names     | the platform Key Vault        | the OpenAI account                   |
| quota, models offered  | not applicable                | each ``hlz:openai.deployments`` entry |
| Health Data Services   | not applicable                | workspaces (+ fhir/dicom services)   |

An AI lab's CMK keys live in the landing zone's vault, hence KeyVault among its providers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from components.errors import ConfigError
from hlz.stackfiles import StackFile

Layer = Literal["landing_zone", "ai_lab"]

LANDING_ZONE_PROVIDERS = (
    "Microsoft.Network",
    "Microsoft.KeyVault",
    "Microsoft.Insights",
    "Microsoft.OperationalInsights",
    "Microsoft.Security",
)
AI_LAB_PROVIDERS = (
    "Microsoft.Network",
    "Microsoft.KeyVault",
    "Microsoft.Insights",
    "Microsoft.CognitiveServices",
    "Microsoft.Storage",
    "Microsoft.ManagedIdentity",
)
HEALTH_PROVIDER = "Microsoft.HealthcareApis"

ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write"
LOCK_WRITE = "Microsoft.Authorization/locks/write"

# One write per kind of resource the program creates: enough to tell Owner / Contributor /
# Reader apart and to name what a custom role lacks, without listing all ~60 operations.
LANDING_ZONE_ACTIONS = (
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.Network/azureFirewalls/write",
    "Microsoft.Network/privateDnsZones/write",
    "Microsoft.Network/privateEndpoints/write",
    "Microsoft.KeyVault/vaults/write",
    "Microsoft.OperationalInsights/workspaces/write",
    "Microsoft.Insights/privateLinkScopes/write",
    "Microsoft.Insights/diagnosticSettings/write",
    "Microsoft.Security/pricings/write",
    "Microsoft.Authorization/policyAssignments/write",
    ROLE_ASSIGNMENT_WRITE,
)
AI_LAB_ACTIONS = (
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
    "Microsoft.Network/privateEndpoints/write",
    "Microsoft.CognitiveServices/accounts/write",
    "Microsoft.CognitiveServices/accounts/deployments/write",
    "Microsoft.Storage/storageAccounts/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    "Microsoft.KeyVault/vaults/keys/write",
    "Microsoft.Insights/diagnosticSettings/write",
    ROLE_ASSIGNMENT_WRITE,
)
HEALTH_ACTION = "Microsoft.HealthcareApis/workspaces/write"


@dataclass(frozen=True)
class Deployment:
    """One model deployment the stack will create."""

    key: str
    """Its config key, e.g. ``hlz:openai.deployments[0] (notes-summariser)``."""
    name: str
    model: str
    version: str
    sku: str
    capacity: int


@dataclass(frozen=True)
class StackTarget:
    stack: str
    layer: Layer
    location: str
    production: bool
    providers: tuple[str, ...]
    actions: tuple[str, ...]
    key_vault_name: str | None = None
    """The Key Vault the stack creates (landing zone), checked against soft-deleted vaults."""
    openai_account_name: str | None = None
    """The Cognitive Services account the stack creates (AI lab)."""
    openai_resource_group: str | None = None
    deployments: tuple[Deployment, ...] = ()
    health_data_types: tuple[str, ...] = ()
    """Microsoft.HealthcareApis resource types the region must offer."""


def raw_config(stack_file: StackFile) -> dict[str, Any]:
    """The ``hlz:*`` keys without the namespace, as the config models read them."""
    return {
        key.removeprefix("hlz:"): value
        for key, value in stack_file.config.items()
        if key.startswith("hlz:")
    }


def stack_target(stack_file: StackFile) -> StackTarget:
    """Validate the stack's config and derive what preflight checks; ConfigError if invalid."""
    layer = stack_file.layer
    if layer == "landing_zone":
        return _landing_zone_target(stack_file)
    if layer == "ai_lab":
        return _ai_lab_target(stack_file)
    raise ConfigError(
        [("hlz:layer", f"must be landing_zone or ai_lab, not {layer!r}")], stack_file.path.name
    )


def _landing_zone_target(stack_file: StackFile) -> StackTarget:
    from stacks.landing_zone.config import load_landing_zone_config, planned_names

    config = load_landing_zone_config(raw_config(stack_file), stack_file.name)
    namer = planned_names(config, stack_file.name)
    return StackTarget(
        stack=stack_file.name,
        layer="landing_zone",
        location=config.location,
        production=config.production,
        providers=LANDING_ZONE_PROVIDERS,
        actions=LANDING_ZONE_ACTIONS + ((LOCK_WRITE,) if config.locks else ()),
        key_vault_name=namer.name("key_vault", "plat"),
    )


def _ai_lab_target(stack_file: StackFile) -> StackTarget:
    from stacks.ai_lab.config import SOURCE, lab_namer, parse_ai_lab_config

    # Shape only: the semantic checks need the landing zone's outputs, which are not here.
    config = parse_ai_lab_config(raw_config(stack_file))
    namer = lab_namer(config, stack_file.name)
    try:
        account = namer.name("cognitive_services", "")
        resource_group = namer.name("resource_group", "")
    except ValueError as error:
        problem = ("hlz:prefix", f"{error} (shorten hlz:prefix or hlz:lab)")
        raise ConfigError([problem], SOURCE) from None
    health = config.health_data
    health_types = (
        ("workspaces",)
        + (("workspaces/fhirservices",) if health.fhir else ())
        + (("workspaces/dicomservices",) if health.dicom else ())
        if health.fhir or health.dicom
        else ()
    )
    return StackTarget(
        stack=stack_file.name,
        layer="ai_lab",
        location=config.location,
        production=config.production,
        providers=AI_LAB_PROVIDERS + ((HEALTH_PROVIDER,) if health_types else ()),
        actions=AI_LAB_ACTIONS
        + ((HEALTH_ACTION,) if health_types else ())
        + ((LOCK_WRITE,) if config.production else ()),
        openai_account_name=account,
        openai_resource_group=resource_group,
        deployments=tuple(
            Deployment(
                key=f"hlz:openai.deployments[{index}] ({deployment.name})",
                name=deployment.name,
                model=deployment.model,
                version=deployment.version,
                sku=deployment.sku,
                capacity=deployment.capacity,
            )
            for index, deployment in enumerate(config.openai.deployments)
        ),
        health_data_types=health_types,
    )
