"""What one stack needs from its subscription and region, derived from its offline plan.

Derived, never asked for and never listed per layer: preflight plans the stack as ``hlz plan``
does (``hlz.plan.Planner``: the layer's config checks, the stacks it references planned first,
so an AI lab is checked against its landing zone's outputs) and reads what to check off the
resources the plan deploys, whatever the layer:

| need                   | derived from the plan                                              |
|------------------------|--------------------------------------------------------------------|
| resource providers     | the namespace of every planned ARM type, except Microsoft.Resources |
|                        | and Microsoft.Authorization (registered in every subscription)    |
| deployer's actions     | ``<ARM type>/write`` for every distinct planned ARM type (role     |
|                        | assignments, locks, policy assignments included when planned)     |
| soft-deleted names     | the names of planned Key Vaults and Cognitive Services accounts    |
| quota, models offered  | each planned ``cognitiveservices:Deployment``, named by the config |
|                        | entry that declares it (``hlz:openai.deployments[0] (name)``)     |
| Health Data Services   | the planned Microsoft.HealthcareApis resource types               |
| encryption at host     | the names of planned virtual machines with                        |
|                        | ``securityProfile.encryptionAtHost`` true (a subscription feature) |
| budget start dates     | each planned Microsoft.Consumption budget: name, the resource     |
|                        | group of its ``scope``, ``timePeriod.startDate``                   |

Planned means deployed: reads (``Resource.get``, the ``pulumi.StackReference``) and component
resources (``hlz:*``) are not; neither are resources of providers other than azure-native. A
planned token's ARM type comes from its ``policies.services`` row (a versioned token counts as
its unversioned one); a generic ``azure-native:resources:Resource`` carries its ARM type in its
inputs. So an AI lab needs Microsoft.KeyVault though it creates no vault: its CMK keys
(``Microsoft.KeyVault/vaults/keys``) go into the landing zone's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hlz.stackfiles import StackFile
from policies.arm_types import GENERIC_RESOURCE, arm_path
from policies.normalise import generic_arm_type, normalise
from policies.services import ArmPath

if TYPE_CHECKING:
    from hlz.plan import Plan, Planner

AZURE_NATIVE = "azure-native:"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
RESOURCE_GROUP_TYPE = "Microsoft.Resources/subscriptions/resourceGroups"
"""A resource group's ARM type (it lives under the subscription, not a provider's path)."""

ALWAYS_REGISTERED = frozenset({"Microsoft.Resources", "Microsoft.Authorization"})
"""Resource providers Azure registers in every subscription, so preflight does not check them
(https://learn.microsoft.com/azure/azure-resource-manager/management/resource-providers-and-types)."""
_ALWAYS_REGISTERED = {namespace.casefold() for namespace in ALWAYS_REGISTERED}
AGENT_INJECTION_PROVIDERS = ("Microsoft.App", "Microsoft.ContainerService")
"""Providers an account that injects its Agent Service into a subnet needs registered, though
it creates none of their types: the injected compute runs on Azure Container Apps (the subnet is
delegated to Microsoft.App/environments). Microsoft lists both among the standard setup's
prerequisites (https://learn.microsoft.com/azure/foundry/agents/how-to/virtual-networks)."""

KEY_VAULT = "Microsoft.KeyVault/vaults"
COGNITIVE_SERVICES_ACCOUNT = "Microsoft.CognitiveServices/accounts"
OPENAI_DEPLOYMENT = "Microsoft.CognitiveServices/accounts/deployments"
HEALTH_PROVIDER = "Microsoft.HealthcareApis"
VIRTUAL_MACHINE = "Microsoft.Compute/virtualMachines"
BUDGET = "Microsoft.Consumption/budgets"


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
class CognitiveAccount:
    """A Cognitive Services account the stack will create."""

    name: str
    resource_group: str
    kind: str = ""
    """The planned ``kind`` (``OpenAI``, ``AIServices``), compared with a deployed account's;
    empty when the plan does not set it."""
    agent_injection: bool = False
    """The plan injects the account's Agent Service into a subnet (``networkInjections`` with
    scenario ``agent``), which Azure sets only when it creates the account."""


@dataclass(frozen=True)
class Budget:
    """A consumption budget the stack plans, at a resource group's scope."""

    name: str
    resource_group: str
    """The resource group its ``scope`` names (the subscription's part comes from preflight)."""
    start_date: dt.date | None
    """``timePeriod.startDate`` as planned; None when the plan does not say."""


@dataclass(frozen=True)
class StackTarget:
    stack: str
    layer: str | None
    location: str
    """The region most of the stack's planned resources are in."""
    providers: tuple[str, ...]
    actions: tuple[str, ...]
    key_vault_names: tuple[str, ...] = ()
    """The Key Vaults the stack creates, checked against soft-deleted vaults."""
    cognitive_accounts: tuple[CognitiveAccount, ...] = ()
    """The Cognitive Services accounts the stack creates, checked against soft-deleted ones."""
    deployments: tuple[Deployment, ...] = ()
    health_data_types: tuple[str, ...] = ()
    """Microsoft.HealthcareApis resource types the region must offer."""
    encryption_at_host_vms: tuple[str, ...] = ()
    """Virtual machines the stack creates with encryption at host, which the subscription's
    Microsoft.Compute/EncryptionAtHost feature must allow."""
    budgets: tuple[Budget, ...] = ()
    """Budgets the stack plans: a new one may not start in a past month."""


@dataclass(frozen=True)
class PlannedResource:
    """A resource the plan deploys: its typed token and inputs as the policy pack sees them
    (``policies.normalise``: a generic resource of a known ARM type as that typed resource,
    its name under the typed name input) and its ARM type."""

    token: str
    arm_type: str
    inputs: Mapping[str, Any]

    @property
    def namespace(self) -> str:
        return self.arm_type.split("/", 1)[0]

    @property
    def name(self) -> str:
        """Its own name: the name input of its innermost level."""
        path = arm_path(self.token)
        name_key = path.levels[-1][1] if path is not None else "resourceName"
        return _text(self.inputs.get(name_key))


def stack_target(stack_file: StackFile, *, planner: Planner | None = None) -> StackTarget:
    """Plan the stack offline and derive what preflight checks. Raises ConfigError for invalid
    config (the planner's, naming the key); any other exception is the stack program's."""
    from hlz.stack_plans import plan_stack_file

    return target_of(plan_stack_file(stack_file, planner), stack_file)


def target_of(plan: Plan, stack_file: StackFile) -> StackTarget:
    """What preflight checks for ``plan``, made from ``stack_file``."""
    resources = list(planned_resources(plan))
    arm_types: dict[str, str] = {}
    namespaces: dict[str, str] = {}
    for resource in resources:
        arm_types.setdefault(resource.arm_type.casefold(), resource.arm_type)
        namespaces.setdefault(resource.namespace.casefold(), resource.namespace)
        if resource.arm_type.casefold() == COGNITIVE_SERVICES_ACCOUNT.casefold() and injects_agents(
            resource.inputs.get("properties")
        ):
            for namespace in AGENT_INJECTION_PROVIDERS:
                namespaces.setdefault(namespace.casefold(), namespace)
    return StackTarget(
        stack=plan.stack,
        layer=plan.layer,
        location=_location(resources),
        providers=_sorted(
            namespace
            for folded, namespace in namespaces.items()
            if folded not in _ALWAYS_REGISTERED
        ),
        actions=_sorted(f"{arm_type}/write" for arm_type in arm_types.values()),
        key_vault_names=tuple(r.name for r in _of_type(resources, KEY_VAULT) if r.name),
        cognitive_accounts=tuple(
            CognitiveAccount(
                r.name,
                _text(r.inputs.get("resourceGroupName")),
                _text(r.inputs.get("kind")),
                agent_injection=injects_agents(r.inputs.get("properties")),
            )
            for r in _of_type(resources, COGNITIVE_SERVICES_ACCOUNT)
            if r.name
        ),
        deployments=_deployments(resources, stack_file),
        health_data_types=_sorted(
            r.arm_type.split("/", 1)[1]
            for r in resources
            if r.namespace.casefold() == HEALTH_PROVIDER.casefold()
        ),
        encryption_at_host_vms=_sorted(
            r.name for r in _of_type(resources, VIRTUAL_MACHINE) if _encrypted_at_host(r.inputs)
        ),
        budgets=tuple(
            Budget(r.name, _resource_group_of(r.inputs.get("scope")), _start_date(r.inputs))
            for r in _of_type(resources, BUDGET)
            if r.name
        ),
    )


def _resource_group_of(scope: Any) -> str:
    """The resource group an ARM id names or lies in, else ''."""
    from hlz.audit.deployed import parse_arm_id

    parsed = parse_arm_id(_text(scope))
    return (parsed.resource_group or "") if parsed is not None else ""


def _start_date(inputs: Mapping[str, Any]) -> dt.date | None:
    """``timePeriod.startDate`` (``2026-12-01T00:00:00Z``) as a date, None when it is not one."""
    period = inputs.get("timePeriod")
    text = _text(period.get("startDate")) if isinstance(period, Mapping) else ""
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _encrypted_at_host(inputs: Mapping[str, Any]) -> bool:
    """``securityProfile.encryptionAtHost`` is true (a generic VM's body is in the SDK's shape
    once normalised, so one place to look)."""
    profile = inputs.get("securityProfile")
    return isinstance(profile, Mapping) and profile.get("encryptionAtHost") is True


def _sorted(texts: Iterable[str]) -> tuple[str, ...]:
    """Distinct, in order; ARM names are case-insensitive, so sorted so (ties the same way
    every time)."""
    return tuple(sorted(set(texts), key=lambda text: (text.casefold(), text)))


def planned_resources(plan: Plan) -> Iterator[PlannedResource]:
    """The Azure resources ``plan`` deploys, in the plan's reproducible order."""
    for registration in plan.ordered():
        if not registration.custom or registration.read:
            continue  # a component, or a read (Resource.get, StackReference)
        if not registration.type.startswith(AZURE_NATIVE):
            continue  # not an ARM resource (pulumi:providers:*, random, ...)
        token, inputs = normalise(registration.type, registration.inputs)
        yield PlannedResource(token, arm_type_of(token, registration.inputs), inputs)


def arm_type_of(token: str, inputs: Mapping[str, Any]) -> str:
    """The ARM type of a planned (normalised) azure-native token: from its ``policies.services``
    row, or a generic resource's own inputs."""
    if token == RESOURCE_GROUP:
        return RESOURCE_GROUP_TYPE
    arm_type = generic_arm_type(inputs) if token == GENERIC_RESOURCE else _joined(arm_path(token))
    if arm_type is None:
        # Planning fails first for a token without an ARM path (hlz.engine builds its id).
        raise ValueError(
            f"no ARM type for {token}: give its row in SERVICES in policies/services.py an "
            "ARM path (see docs/adding-a-service.md)"
        )
    return arm_type


def _joined(path: ArmPath | None) -> str | None:
    if path is None:
        return None
    return "/".join((path.namespace, *(collection for collection, _ in path.levels)))


def _of_type(resources: Iterable[PlannedResource], arm_type: str) -> list[PlannedResource]:
    return [r for r in resources if r.arm_type.casefold() == arm_type.casefold()]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _location(resources: Iterable[PlannedResource]) -> str:
    """The region most planned resources are in (private DNS zones and the like are global)."""
    counts = Counter(
        location.replace(" ", "").lower()
        for r in resources
        if isinstance(location := r.inputs.get("location"), str) and location.lower() != "global"
    )
    if not counts:
        return "no region"
    most = max(counts.values())
    return min(location for location, count in counts.items() if count == most)


def _deployments(resources: list[PlannedResource], stack_file: StackFile) -> tuple[Deployment, ...]:
    found: list[tuple[tuple[int, str], Deployment]] = []
    for resource in _of_type(resources, OPENAI_DEPLOYMENT):
        inputs = resource.inputs
        name = _text(inputs.get("deploymentName"))
        properties = inputs.get("properties")
        model = properties.get("model") if isinstance(properties, Mapping) else None
        model = model if isinstance(model, Mapping) else {}
        sku = inputs.get("sku")
        sku = sku if isinstance(sku, Mapping) else {}
        capacity = sku.get("capacity")
        model_name = _text(model.get("name"))
        position, key = _declared_at(stack_file.config, name, model_name)
        deployment = Deployment(
            key=f"{key} ({name})" if key else f"the {name} deployment",
            name=name,
            model=model_name,
            version=_text(model.get("version")),
            sku=_text(sku.get("name")),
            capacity=int(capacity) if isinstance(capacity, int | float) else 0,
        )
        found.append(((position, name), deployment))
    return tuple(deployment for _, deployment in sorted(found, key=lambda item: item[0]))


def _declared_at(config: Mapping[str, Any], name: str, model: str) -> tuple[int, str | None]:
    """Where the stack's config declares the deployment ``name``: (its place in the file, its
    key such as ``hlz:openai.deployments[0]``), found as the list entry whose ``name`` it is
    (one naming ``model`` too, when several share the name); (-1, None) if none does."""
    entries = [
        (position, key, entry)
        for position, (key, entry) in enumerate(_list_entries(config))
        if entry.get("name") == name
    ]
    best = [e for e in entries if model in e[2].values()] or entries
    if not best:
        return -1, None
    position, key, _ = best[0]
    return position, key


def _list_entries(value: Any, key: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every mapping inside a list in the stack's ``hlz:*`` config, with its key, in file order."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            if not key and not (isinstance(name, str) and name.startswith("hlz:")):
                continue
            yield from _list_entries(item, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                yield f"{key}[{index}]", item
            yield from _list_entries(item, f"{key}[{index}]")


def injects_agents(properties: Any) -> bool:
    """Whether planned account properties inject the Agent Service into a subnet."""
    injections = properties.get("networkInjections") if isinstance(properties, dict) else None
    return isinstance(injections, list) and any(
        isinstance(entry, dict) and str(entry.get("scenario", "")).casefold() == "agent"
        for entry in injections
    )
