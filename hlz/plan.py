"""``hlz plan``: the offline plan of a stack, shaped like ``pulumi preview --json``.

The JSON is a public contract (docs/plan-format.md): ``steps`` of ``{op, urn, newState}`` with
``newState = {urn, type, custom, parent, inputs, dependencies, propertyDependencies}``, a
``changeSummary``, and an ``hlz`` section with the stack's name, layer and outputs.
"""

from __future__ import annotations

import heapq
import runpy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.errors import ConfigError, component_arguments
from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, ArmMocks
from hlz.engine.recording import Registration
from hlz.engine.run import run_program
from hlz.render.text import display_path, plural
from hlz.stackfiles import StackFile, load_stack_file
from stacks import registry
from stacks.common import key, stack_reference_problem
from stacks.registry import StackLayer

PROJECT = "hlz"
PLAN_FORMAT_VERSION = 1


@dataclass
class Plan:
    stack: str
    layer: str | None
    profile: str | None
    source: Path
    """The stack file the plan was made from."""
    registrations: list[Registration]
    outputs: dict[str, Any]
    subscription_id: str
    tenant_id: str
    preview: bool = False
    referenced: dict[str, Plan] | None = None

    @property
    def custom_resources(self) -> list[Registration]:
        """The resources the stack manages (reads of existing resources left out)."""
        return [r for r in self.registrations if r.custom and not r.read]

    @property
    def reads(self) -> list[Registration]:
        return [r for r in self.registrations if r.read]

    def of_type(self, token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == token]

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.registrations}

    def ordered(self) -> list[Registration]:
        """Registrations in a reproducible order: parents and dependencies first, ties by URN.

        Registration order under the SDK depends on how its async tasks interleave, which varies
        between runs; a stable order keeps plan diffs, SARIF and pull-request comments quiet."""
        by_urn = self.by_urn()
        waiting = {
            r.urn: {u for u in (r.parent, *r.dependencies) if u in by_urn and u != r.urn}
            for r in self.registrations
        }
        dependents: dict[str, list[str]] = {urn: [] for urn in by_urn}
        for urn, needs in waiting.items():
            for need in needs:
                dependents[need].append(urn)
        ready = [urn for urn, needs in waiting.items() if not needs]
        heapq.heapify(ready)
        order: list[Registration] = []
        while ready:
            urn = heapq.heappop(ready)
            order.append(by_urn[urn])
            for dependent in dependents[urn]:
                waiting[dependent].discard(urn)
                if not waiting[dependent]:
                    heapq.heappush(ready, dependent)
        placed = {r.urn for r in order}
        # A cycle cannot come out of the SDK; keep anything unplaced rather than drop it.
        order += sorted((r for r in self.registrations if r.urn not in placed), key=lambda r: r.urn)
        return order

    def to_json(self) -> dict[str, Any]:
        """The plan document (``pulumi preview --json`` steps and the ``hlz`` block). Each
        step's ``inputs`` is the registration's own dictionary, not a copy (a deep copy would
        cost about ten times the rest of this call): copy a step before changing it, or the
        plan every later reader gets changes too."""
        steps = [_step(r) for r in self.ordered()]
        return {
            "steps": steps,
            "changeSummary": dict(Counter(step["op"] for step in steps)),
            "diagnostics": [],
            "hlz": {
                "formatVersion": PLAN_FORMAT_VERSION,
                "project": PROJECT,
                "stack": self.stack,
                "layer": self.layer,
                "profile": self.profile,
                "preview": self.preview,
                "subscriptionId": self.subscription_id,
                "tenantId": self.tenant_id,
                "outputs": self.outputs,
            },
        }


def _step(registration: Registration) -> dict[str, Any]:
    """One ``pulumi preview --json`` step: ``create`` for a managed resource, ``read`` (with the
    id read and ``external: true``, as the engine records reads) for ``Resource.get`` and
    StackReferences."""
    state: dict[str, Any] = {
        "urn": registration.urn,
        "type": registration.type,
        "custom": registration.custom,
        "parent": registration.parent,
    }
    if registration.read:
        state["id"] = registration.id
        state["external"] = True
    state.update(
        inputs=registration.inputs,
        dependencies=registration.dependencies,
        propertyDependencies=registration.property_dependencies,
    )
    return {
        "op": "read" if registration.read else "create",
        "urn": registration.urn,
        "newState": state,
    }


def referenced_stacks(stack_file: StackFile, layer: StackLayer) -> dict[str, str]:
    """The stacks ``stack_file`` reads outputs from: config key (``hlz:landingZoneStack``) ->
    short stack name, for each of its layer's reference keys that is set. A reference that is
    empty, not a stack name, or this stack itself is a ConfigError naming the key: the name
    becomes a file name, and a stack planned as its own dependency would never end."""
    found: dict[str, str] = {}
    for name in layer.references:
        config_key = key(name)
        value = stack_file.config.get(config_key)
        if not isinstance(value, str):
            continue  # absent, or the layer's config parser reports the wrong type
        problem = stack_reference_problem(value, stack_file.name)
        if problem is not None:
            raise ConfigError([(config_key, problem)], "stack configuration")
        found[config_key] = value.rsplit("/", 1)[-1]
    return found


def file_program(path: Path) -> Callable[[], None]:
    """A Pulumi Python program in a file, run the way the Pulumi CLI runs ``__main__.py``."""
    if not path.is_file():
        raise ConfigError([(str(path), "no such program file")], "program selection")

    def program() -> None:
        with component_arguments():
            runpy.run_path(str(path), run_name="__main__")

    return program


def referenced_stack_file(referrer: StackFile, name: str, root: Path | None = None) -> StackFile:
    """A referenced stack's file: beside the referring file first (so a scenario directory can
    hold a landing zone and its labs), then in ``root`` (default: the project root)."""
    beside = referrer.path.parent / f"Pulumi.{name}.yaml"
    return load_stack_file(name, root=root, path=beside if beside.is_file() else None)


class Planner:
    """Plans stacks offline, each stack another one references only once.

    A stack's layer (stacks/registry.py) says which of its config keys name stacks it reads
    outputs from; those are planned first, in full (a deployed stack's outputs are known even
    in preview), and their outputs answer its ``pulumi.StackReference``. The planner keeps
    every plan it may hand out again: referenced stacks, and stacks planned from their own
    file with hlz's program and not in preview. So ``hlz plan --all`` plans a landing zone once
    for all its labs. Plans are kept by stack name and file, so a scenario directory's
    ``lz-dev`` is never mistaken for the project's.

    ``root`` is the directory whose ``Pulumi.<stack>.yaml`` files a stack name means (default:
    the project root, ``hlz plan --project-dir``). A plan made in another process can be handed
    in with ``keep``: ``hlz plan --jobs N`` plans a landing zone once and gives its plan to the
    workers that plan its labs (hlz/plan_many.py)."""

    def __init__(
        self,
        *,
        subscription_id: str = DEFAULT_SUBSCRIPTION_ID,
        tenant_id: str = DEFAULT_TENANT_ID,
        root: Path | None = None,
    ) -> None:
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self.root = root
        self._plans: dict[tuple[str, Path], Plan] = {}

    def plan(
        self,
        stack: str,
        *,
        preview: bool = False,
        stack_file: StackFile | None = None,
        program_file: Path | None = None,
    ) -> Plan:
        """Plan ``stack`` now (from ``stack_file``, default ``Pulumi.<stack>.yaml``; with
        ``program_file`` instead of hlz's program). Raises ConfigError for an unknown stack or
        bad config, a reference to itself or a cycle of references included."""
        keep = stack_file is None and program_file is None and not preview
        return self._plan(
            stack,
            stack_file or load_stack_file(stack, root=self.root),
            preview=preview,
            program_file=program_file,
            referrers=(),
            keep=keep,
        )

    def planned(self, stack: str, path: Path | None = None) -> Plan:
        """``stack``'s full plan from its own file (or from ``path``, as a stack another one
        references is read): the one made already, or a new one, kept."""
        stack_file = load_stack_file(stack, root=self.root, path=path)
        kept = self._plans.get(_identity(stack_file))
        if kept is not None:
            return kept
        return self._plan(stack, stack_file, referrers=(), keep=True)

    def keep(self, plan: Plan) -> None:
        """Hand in ``plan``, made from its own file by another planner (another process): the
        stacks that reference it read its outputs instead of planning it again."""
        self._plans[(plan.stack, plan.source.resolve())] = plan

    def kept(self, stack: str, path: Path) -> Plan | None:
        """The full plan of ``stack`` from the file ``path`` this planner holds, if any."""
        return self._plans.get((stack, path.resolve()))

    def _plan(
        self,
        stack: str,
        stack_file: StackFile,
        *,
        referrers: tuple[str, ...],
        keep: bool,
        preview: bool = False,
        program_file: Path | None = None,
    ) -> Plan:
        from stacks.program import main as hlz_program

        program = hlz_program if program_file is None else file_program(program_file)
        layer = registry.layer_named(stack_file.layer)
        referenced: dict[str, Plan] = {}
        if layer is not None:
            if program_file is None and layer.references:
                # The stack's own shape errors (its references too) before any referenced
                # stack is planned.
                layer.parse_config(stack_file.hlz_config())
            for config_key, dependency in referenced_stacks(stack_file, layer).items():
                referenced[dependency] = self._referenced(
                    stack, stack_file, config_key, dependency, referrers
                )
        mocks = ArmMocks(
            self.subscription_id,
            self.tenant_id,
            stack_outputs={name: plan.outputs for name, plan in referenced.items()},
            preview=preview,
        )
        run = run_program(
            program,
            project=PROJECT,
            stack=stack,
            config=stack_file.runtime_config(),
            secret_keys=stack_file.secret_keys(),
            mocks=mocks,
            preview=preview,
        )
        plan = Plan(
            source=stack_file.path,
            stack=stack,
            layer=stack_file.layer,
            profile=stack_file.profile,
            registrations=run.registrations,
            outputs=run.stack_outputs,
            subscription_id=self.subscription_id,
            tenant_id=self.tenant_id,
            preview=preview,
            referenced=referenced,
        )
        if keep:
            self._plans[_identity(stack_file)] = plan
        return plan

    def _referenced(
        self,
        stack: str,
        stack_file: StackFile,
        config_key: str,
        dependency: str,
        referrers: tuple[str, ...],
    ) -> Plan:
        """The plan of the stack ``stack`` names under ``config_key``, planned once."""
        chain = (*referrers, stack)
        if dependency in chain:
            raise ConfigError(
                [
                    (
                        config_key,
                        f"'{dependency}' is already being planned as a referrer: "
                        + " -> ".join((*chain, dependency)),
                    )
                ],
                "stack configuration",
            )
        try:
            referenced = referenced_stack_file(stack_file, dependency, self.root)
            kept = self._plans.get(_identity(referenced))
            if kept is not None:
                return kept
            return self._plan(dependency, referenced, referrers=chain, keep=True)
        except ConfigError as error:
            raise ConfigError(
                error.problems,
                f"{error.source} of {dependency} ({config_key} of {stack})",
            ) from None


def _identity(stack_file: StackFile) -> tuple[str, Path]:
    return stack_file.name, stack_file.path.resolve()


def plan_stack(
    stack: str,
    *,
    subscription_id: str = DEFAULT_SUBSCRIPTION_ID,
    tenant_id: str = DEFAULT_TENANT_ID,
    preview: bool = False,
    stack_file: StackFile | None = None,
    program_file: Path | None = None,
) -> Plan:
    """Plan one stack (and the stacks it references) with a planner of its own."""
    return Planner(subscription_id=subscription_id, tenant_id=tenant_id).plan(
        stack, preview=preview, stack_file=stack_file, program_file=program_file
    )


def component_of(registration: Registration, by_urn: dict[str, Registration]) -> str:
    """The nearest enclosing hlz component (``hlz:network:HubNetwork::hub``), or the stack."""
    parent = by_urn.get(registration.parent)
    while parent is not None:
        if (
            parent.type.startswith("hlz:")
            and parent.parent in by_urn
            and not by_urn[parent.parent].type.startswith("hlz:")
        ):
            return f"{parent.type} {parent.urn.rsplit('::', 1)[-1]}"
        parent = by_urn.get(parent.parent)
    return "(stack)"


def plan_summary(plan: Plan) -> str:
    """Human summary: resources grouped by top-level component, then counts by type."""
    by_urn = plan.by_urn()
    custom = plan.custom_resources
    groups: dict[str, Counter[str]] = {}
    for registration in custom:
        groups.setdefault(component_of(registration, by_urn), Counter())[registration.type] += 1
    reads = plan.reads
    components = sum(1 for r in plan.registrations if not r.custom)
    lines = [
        f"Plan for stack {plan.stack} (layer {plan.layer}): {plural(len(custom), 'resource')} to "
        f"create in {plural(components, 'component')}"
        + (f", {plural(len(reads), 'read')} of existing resources" if reads else "")
    ]
    for name, referenced in (plan.referenced or {}).items():
        lines.append(
            f"  reads the outputs of {name}, planned from {display_path(referenced.source)}"
        )
    for group in sorted(groups):
        counts = groups[group]
        lines.append(f"  {group}: {sum(counts.values())}")
        for token, count in sorted(counts.items()):
            lines.append(f"      {count:3d}  {token}")
    lines.append("  By type:")
    for token, count in sorted(Counter(r.type for r in custom).items()):
        lines.append(f"    {count:3d}  {token}")
    return "\n".join(lines)
