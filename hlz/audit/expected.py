"""What ``hlz audit`` expects to find in Azure: each resource of the stack's offline plan with its
ARM id, ARM type, API version and inputs as the rules read them, in the audited subscription.

Everything is read off the plan document (``hlz plan --json``), so a saved plan (``--plan``)
and a fresh plan are audited alike:

| what                 | from                                                                |
|----------------------|---------------------------------------------------------------------|
| ARM id               | ``hlz.engine.arm_ids.arm_id`` over the planned inputs (the id the   |
|                      | offline plan gave the resource), the plan's fake subscription id    |
|                      | replaced by the audited one                                         |
| ARM type, API version| ``hlz.schema.catalog.resource_spec``: the version the installed     |
|                      | azure-native SDK sends for the token (a generic resource: its own   |
|                      | ``apiVersion`` input)                                               |
| inputs               | ``policies.normalise.normalise``: the typed token and wire shape    |
|                      | every rule reads                                                    |
| values Azure assigns | the GUIDs the offline plan made up for outputs Azure computes       |
|                      | (principal and client ids, the tenant, key versions, workspace ids: |
|                      | ``hlz.engine.arm_ids.computed_outputs``) and where each sits in its |
|                      | resource's outputs, so the audit can learn the real value from the  |
|                      | deployed resource (``Fabricated``)                                  |

A planned resource whose name is derived from such a value (a role assignment named from its
principal's id) has a different name in Azure: ``name_from_azure`` says the audit may look it up
by content in its collection when its planned id is not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hlz.engine.arm_ids import arm_id, auto_name, computed_outputs, fake_guid
from hlz.schema.catalog import resource_spec
from policies.arm_types import GENERIC_RESOURCE, arm_path
from policies.normalise import normalise

AZURE_NATIVE = "azure-native:"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
NOT_DEPLOYED_TYPES = frozenset({"pulumi:pulumi:StackReference"})

GUID_TEXT = re.compile(
    r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}|[0-9A-Fa-f]{32})"
    r"(?![0-9A-Fa-f])"
)
"""A GUID inside a text: dashed, or the 32 hex digits of a key version."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Fabricated:
    """A value the offline plan made up for an output Azure computes."""

    path: Path
    """Where it sits in its resource's outputs (the SDK's shape, e.g. ``("principalId",)``)."""
    value: str


@dataclass(frozen=True)
class Expected:
    """One planned Azure resource, as the audit looks for it."""

    urn: str
    declared_type: str
    """The token the program registered (a generic ``azure-native:resources:Resource`` too)."""
    declared_inputs: Mapping[str, Any]
    """Its wire inputs, in the audited subscription."""
    token: str
    """The token the rules judge it as (``policies.normalise``)."""
    inputs: Mapping[str, Any]
    """Its inputs as the rules read them, in the audited subscription."""
    arm_id: str
    name: str
    arm_type: str | None
    api_version: str | None
    """None when neither the SDK nor the resource says (then it is not read)."""
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fabricated: tuple[Fabricated, ...] = ()
    """Outputs the plan made up for it, which the deployed resource holds for real."""
    outputs: Mapping[str, Any] = field(default_factory=dict)
    """The outputs the offline plan gave it (``computed_outputs``), in the audited subscription."""
    name_from_azure: bool = False
    """Its name input depends on a resource with made-up outputs: Azure's name may differ."""

    @property
    def is_resource_group(self) -> bool:
        return self.declared_type == RESOURCE_GROUP


@dataclass(frozen=True)
class Expectations:
    stack: str
    profile: str | None
    project: str
    subscription_id: str
    plan_subscription_id: str
    resources: tuple[Expected, ...]
    resource_groups: tuple[str, ...]
    """Names of the resource groups the plan creates (their listings are compared)."""
    fabricated: frozenset[str]
    """Every made-up GUID (lower case): a planned value holding one that the audit could not
    learn from Azure is not compared."""


def guid_map(fake: str, real: str) -> dict[str, str]:
    """Pairwise, the GUIDs in ``fake`` -> those at the same place in ``real`` (lower case);
    empty unless both hold the same number of them."""
    made_up = GUID_TEXT.findall(fake)
    found = GUID_TEXT.findall(real)
    if len(made_up) != len(found):
        return {}
    return {a.lower(): b for a, b in zip(made_up, found, strict=True) if a.lower() != b.lower()}


def substitute(value: Any, mapping: Mapping[str, str]) -> Any:
    """``value`` with every GUID that ``mapping`` names (lower case) replaced, in every text."""
    if not mapping:
        return value
    if isinstance(value, str):
        return GUID_TEXT.sub(lambda guid: mapping.get(guid.group(0).lower(), guid.group(0)), value)
    if isinstance(value, Mapping):
        # Keys too: ARM's map of user-assigned identities is keyed by their ids.
        return {substitute(key, mapping): substitute(item, mapping) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [substitute(item, mapping) for item in value]
    return value


def leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every leaf of a JSON value with its path (an empty object or list is a leaf)."""
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list | tuple) and value:
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def _guids(value: Any) -> set[str]:
    return {
        guid.lower()
        for _, leaf in leaves(value)
        if isinstance(leaf, str)
        for guid in GUID_TEXT.findall(leaf)
    }


def _name_key(declared_type: str) -> str | None:
    if declared_type == GENERIC_RESOURCE:
        return "resourceName"
    if declared_type == RESOURCE_GROUP:
        return "resourceGroupName"
    path = arm_path(declared_type)
    return path.levels[-1][1] if path is not None and path.levels else None


def _managed_states(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for step in document.get("steps", []):
        state = step["newState"]
        if step.get("op") == "read" or state.get("external") or not state.get("custom"):
            continue
        if state["type"] in NOT_DEPLOYED_TYPES:
            continue
        yield state


def expected_resources(document: Mapping[str, Any], subscription_id: str) -> Expectations:
    """The plan document's Azure resources, in the plan's order, in ``subscription_id``."""
    meta = document.get("hlz", {})
    if not (meta.get("subscriptionId") and meta.get("tenantId")):
        # A plan document names both; only an older one falls back to the planner's defaults
        # (which load Pulumi's runtime, so not otherwise).
        from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID

        meta = {"subscriptionId": DEFAULT_SUBSCRIPTION_ID, "tenantId": DEFAULT_TENANT_ID, **meta}
    plan_subscription = str(meta["subscriptionId"])
    tenant = str(meta["tenantId"])
    moved = {plan_subscription.lower(): subscription_id}
    states = list(_managed_states(document))

    # The deployer's own ids (getClientConfig) and the tenant are made up too.
    made_up: set[str] = {
        tenant.lower(),
        fake_guid("client", "hlz-plan"),
        fake_guid("object", "hlz-plan"),
    }
    fabricating: set[str] = set()
    planned: list[tuple[dict[str, Any], str, str, dict[str, Any], tuple[Fabricated, ...]]] = []
    for state in states:
        declared = state["type"]
        if not declared.startswith(AZURE_NATIVE):
            continue  # not a resource of Azure (a provider, random, ...)
        inputs = state.get("inputs") or {}
        logical = state["urn"].rsplit("::", 1)[-1]
        resource_id, name = arm_id(
            declared, inputs, plan_subscription, auto_name(logical, f"{declared}::{logical}")
        )
        outputs = computed_outputs(declared, name, inputs, tenant, {})
        known = _guids(inputs)
        known.add(plan_subscription.lower())
        fabricated = tuple(
            Fabricated(path, leaf)
            for path, leaf in leaves(outputs)
            if isinstance(leaf, str)
            and {guid.lower() for guid in GUID_TEXT.findall(leaf)} - known
        )
        if fabricated:
            fabricating.add(state["urn"])
        for item in fabricated:
            made_up.update(
                guid.lower() for guid in GUID_TEXT.findall(item.value) if guid.lower() not in known
            )
        planned.append((state, resource_id, name, outputs, fabricated))

    resources: list[Expected] = []
    groups: list[str] = []
    for state, resource_id, name, outputs, fabricated in planned:
        declared = state["type"]
        raw = state.get("inputs") or {}
        token, inputs = normalise(declared, raw)
        spec = resource_spec(declared, raw)
        name_key = _name_key(declared)
        depends = state.get("propertyDependencies", {}).get(name_key, []) if name_key else []
        expected = Expected(
            urn=state["urn"],
            declared_type=declared,
            declared_inputs=substitute(raw, moved),
            token=token,
            inputs=substitute(dict(inputs), moved),
            arm_id=substitute(resource_id, moved),
            name=name,
            arm_type=spec.arm_type if spec else None,
            api_version=spec.api_version if spec else None,
            parent=state.get("parent") or None,
            dependencies=tuple(state.get("dependencies", ())),
            property_dependencies={
                key: tuple(urns) for key, urns in state.get("propertyDependencies", {}).items()
            },
            fabricated=tuple(Fabricated(f.path, substitute(f.value, moved)) for f in fabricated),
            outputs=substitute(outputs, moved),
            name_from_azure=any(urn in fabricating for urn in depends),
        )
        resources.append(expected)
        if expected.is_resource_group:
            groups.append(name)
    made_up.discard(plan_subscription.lower())
    return Expectations(
        stack=str(meta.get("stack") or "?"),
        profile=meta.get("profile"),
        project=str(meta.get("project") or "hlz"),
        subscription_id=subscription_id,
        plan_subscription_id=plan_subscription,
        resources=tuple(resources),
        resource_groups=tuple(groups),
        fabricated=frozenset(made_up),
    )
