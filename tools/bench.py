"""``python tools/bench.py`` (``make bench``): time and memory of an offline plan against the
SDK floor.

Workloads (each registers the same Azure resources under the same mocks through
``hlz.engine.run.run_program``, so the recording cost is on every side):

- ``plan``: ``hlz.plan.Planner.plan`` — config validation, components, the real program.
- ``floor``: the SDK floor. Every custom resource of that plan (StackReferences aside) created
  straight from its pulumi-azure-native class with the recorded inputs as plain values: no
  components, no config, no Outputs, no dependencies. The acceptance target is plan/floor <= 1.3.
- ``floor-tree``: the floor plus the plan's structure, still through the SDK only: the same
  component tree (bare ``ComponentResource``s of the same types and names, every resource under
  the same parent) and the same dependency edges (``depends_on``). plan/floor-tree is what
  hlz's own Python costs; floor-tree/floor is what the SDK charges for the structure.

Method: one untimed warm-up run of each workload first, so module imports and azure-native's
lazy loading count on no side; then ``--repeat`` timed runs, interleaved (plan, floor,
floor-tree, plan, ...) so load from other processes spreads evenly; ``gc.collect()`` before each.
Memory comes from two extra, untimed runs of each workload: one under ``tracemalloc`` (peak
Python allocations) and one in a forked child, whose ``ru_maxrss`` gives that workload's peak
RSS on top of the warmed-up process image, and its growth over the child's ``ru_maxrss`` at the
fork (one process's ``ru_maxrss`` only ever grows, so it cannot tell the workloads apart).

Targets are checked on the ratio of the minimum wall times: on a shared machine the other
processes only ever add time, so the fastest run is the best estimate of a workload's own cost
(the reasoning of ``timeit``); medians are reported next to it.

``hlz check`` as a user runs it: each example stack's plan is written once (``hlz plan --all
--out-dir``), then ``hlz check PLAN.json --quiet`` runs as a child process per plan, ``--repeat``
times interleaved after one warm-up; its CPU time (user + system) is the growth of
``getrusage(RUSAGE_CHILDREN)`` across that child, so interpreter start-up and every import
count. The minimum is reported, next to an empty ``python -c ''`` for the interpreter alone.
The children cache bytecode, as an installed ``hlz`` does, in a temporary
``PYTHONPYCACHEPREFIX`` (never in the tree): with ``PYTHONDONTWRITEBYTECODE=1`` inherited from
the caller, every run would compile hlz, the pack and their imports again (about 0.05 s).

``--fleet N``: many stacks, as ``hlz plan --all`` plans them. A temporary project directory
gets a landing zone (``Pulumi.lz-dev.yaml`` with N spokes, each the next free /22 of its pool as
``hlz lab new`` allocates it) and N AI
labs (``Pulumi.lab-dev.yaml`` with their own stack and lab names, address space and subnets at
lab-dev's offsets), then ``hlz plan --all --project-dir DIR --out-dir OUT --quiet`` runs as a
child process with ``--jobs 1`` and with ``--jobs <CPUs>``: one untimed warm-up of each (whose
reports must be byte-identical), then ``--repeat`` runs interleaved. Reported: wall time (min,
median), CPU time of the whole process tree (``RUSAGE_CHILDREN`` growth: the workers are the
child's children, reaped before it is), the speed-up of the minimums, and the peak RSS
(``ru_maxrss``) of each worker process, which each worker measures itself and ``hlz plan``
prints in its closing line (with ``--jobs 1``: the one process's). The 1-minute load average
at the start of each run is recorded: on a shared machine it says which runs had the CPUs.

New workloads (policy evaluation, ...) are one more ``Workload`` in ``workloads()`` and, when
they have a budget, one more ``Ratio`` in ``RATIOS``.
"""

from __future__ import annotations

import argparse
import copy
import gc
import importlib
import inspect
import ipaddress
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pulumi

from components.errors import ConfigError
from hlz.cli import main as hlz_main
from hlz.engine.mocks import ArmMocks
from hlz.engine.recording import Registration
from hlz.engine.run import ProgramRun, run_program
from hlz.engine.sdk_internals import input_type_wire_names, is_input_type
from hlz.onboard import allocate
from hlz.plan import PROJECT, Plan, Planner, plan_stack
from hlz.policy_check import check_plan
from hlz.stackfiles import available_stacks, load_stack_file
from stacks.common import key, overlap_problems

DEFAULT_STACK = "lz-prod"
DEFAULT_REPEAT = 3
SYNTHETIC_SIZE = 10_000
SYNTHETIC_STACK = "lab-prod"
"""The synthetic policy plan copies this stack: it has every kind of resource the pack covers."""
STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
# Keyword parameters of a generated ``_internal_init`` that are not resource inputs.
NOT_INPUTS = frozenset({"__self__", "resource_name", "opts", "__props__"})
DEFAULT_FLEET = 50
"""Labs of ``--fleet`` without a number: the run BENCHMARKS.md documents."""
FLEET_LANDING_ZONE = "lz-dev"
FLEET_LAB = "lab-dev"
"""The fleet's stacks are copies of these, with names and address blocks of their own."""
FLEET_SPOKE_PREFIX = 22
FLEET_POOL = "10.64.0.0/12"
"""The fleet landing zone's hlz:spokeAddressPool (1,024 /22s), clear of lz-dev's hub
(10.0.0.0/22): each lab gets the next free /22 in it, as ``hlz lab new`` allocates."""
WARM_UP = (
    "one untimed warm-up run of each workload first: imports and lazy loading are excluded "
    "on every side"
)


class BenchError(Exception):
    """The floor cannot be built from the plan (a type the SDK does not know, an input the
    SDK class does not take) or does not reproduce the plan's inputs."""


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    run: Callable[[], object]
    resources: int
    """Custom resources the workload registers."""


@dataclass(frozen=True)
class Ratio:
    numerator: str
    denominator: str
    target: float | None = None
    """Budget for numerator/denominator (of the minimum wall times); None: report only."""


RATIOS = (
    Ratio("plan", "floor", target=1.3),
    Ratio("policy", "plan", target=0.10),
    Ratio("plan", "floor-tree"),
    Ratio("floor-tree", "floor"),
)


@dataclass
class Measurement:
    name: str
    description: str
    resources: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    tracemalloc_peak: int | None = None
    """Bytes."""
    maxrss_kib: int | None = None
    """Peak RSS of a forked child running the workload once (KiB); None without fork."""
    maxrss_growth_kib: int | None = None
    """How far that run raised the child's peak RSS above its value at the fork (KiB)."""

    @property
    def wall_min(self) -> float:
        return min(self.wall)

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "resources": self.resources,
            "wallSeconds": [round(value, 4) for value in self.wall],
            "wallMinSeconds": round(self.wall_min, 4),
            "wallMedianSeconds": round(self.wall_median, 4),
            "cpuSeconds": [round(value, 4) for value in self.cpu],
            "cpuMedianSeconds": round(self.cpu_median, 4),
            "tracemallocPeakBytes": self.tracemalloc_peak,
            "maxRssKiB": self.maxrss_kib,
            "maxRssGrowthKiB": self.maxrss_growth_kib,
        }


# --- the floor --------------------------------------------------------------------------------


def camel_case(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class FloorResource:
    registration: Registration
    sdk_class: type[pulumi.CustomResource]
    kwargs: dict[str, Any]

    @property
    def name(self) -> str:
        return resource_name(self.registration)


def resource_name(registration: Registration) -> str:
    return registration.urn.rsplit("::", 1)[-1]


def sdk_class(token: str) -> type[pulumi.CustomResource]:
    """``azure-native:<module>:<Type>`` -> ``pulumi_azure_native.<module>.<Type>``."""
    package, _, rest = token.partition(":")
    module, _, type_name = rest.rpartition(":")
    if package != "azure-native" or not module or not type_name:
        raise BenchError(f"{token}: the floor only knows azure-native resource types")
    try:
        package_module = importlib.import_module(f"pulumi_azure_native.{module.replace('/', '.')}")
        found = getattr(package_module, type_name)
    except (ImportError, AttributeError) as error:
        raise BenchError(f"{token}: no pulumi-azure-native class ({error})") from None
    if not (isinstance(found, type) and issubclass(found, pulumi.CustomResource)):
        raise BenchError(f"{token}: pulumi_azure_native.{module}.{type_name} is not a resource")
    return found


def keyword_names(resource_class: type[pulumi.CustomResource]) -> dict[str, str]:
    """Wire input name -> the class's Python keyword. The keywords come from the generated
    ``_internal_init`` signature; their wire names from the resource's own ``<Type>Args``
    input type (the SDK's translation table: ``public_ip_allocation_method`` is
    ``publicIPAllocationMethod``), camelCase where the Args class does not say."""
    init = getattr(resource_class, "_internal_init", None)
    if init is None:
        raise BenchError(f"{resource_class.__name__} has no generated _internal_init")
    keywords = [name for name in inspect.signature(init).parameters if name not in NOT_INPUTS]
    # The package re-exports nested input types under the same name (the package's
    # network.NetworkSecurityGroupArgs is the subnet's nested type), so read the Args class
    # from the resource's own module.
    own_module = importlib.import_module(resource_class.__module__)
    args_class = getattr(own_module, f"{resource_class.__name__}Args", None)
    wire_names: dict[str, str] = {}
    if args_class is not None and is_input_type(args_class):
        wire_names = input_type_wire_names(args_class)
    return {wire_names.get(keyword, camel_case(keyword)): keyword for keyword in keywords}


def floor_resources(plan: Plan) -> list[FloorResource]:
    """Every custom registration of ``plan`` except StackReferences, as an SDK class and the
    keyword arguments that reproduce its recorded inputs. Nested values stay camelCase dicts:
    the SDK passes keys its input types do not know through unchanged, so the wire matches."""
    resources: list[FloorResource] = []
    problems: list[str] = []
    classes: dict[str, tuple[type[pulumi.CustomResource], dict[str, str]]] = {}
    for registration in plan.registrations:
        if not registration.custom or registration.type == STACK_REFERENCE_TYPE:
            continue
        if registration.type not in classes:
            found = sdk_class(registration.type)
            classes[registration.type] = (found, keyword_names(found))
        found, names = classes[registration.type]
        unknown = sorted(set(registration.inputs) - set(names))
        if unknown:
            problems.append(f"{registration.urn}: {found.__name__} takes no {', '.join(unknown)}")
            continue
        kwargs = {names[key]: value for key, value in registration.inputs.items()}
        resources.append(FloorResource(registration, found, kwargs))
    if problems:
        raise BenchError("cannot build the floor:\n  " + "\n  ".join(problems))
    return resources


def flat_floor_program(resources: list[FloorResource]) -> Callable[[], None]:
    def program() -> None:
        for resource in resources:
            resource.sdk_class(resource.name, **resource.kwargs)

    return program


def tree_floor_program(plan: Plan, resources: list[FloorResource]) -> Callable[[], None]:
    """The flat floor plus the plan's component tree and dependency edges, SDK only."""
    by_urn = {resource.registration.urn: resource for resource in resources}
    skipped = {STACK_TYPE, STACK_REFERENCE_TYPE}

    def program() -> None:
        created: dict[str, pulumi.Resource] = {}
        components: list[pulumi.ComponentResource] = []
        for registration in plan.registrations:
            if registration.type in skipped:
                continue
            depends_on: list[pulumi.Resource] = [
                created[urn] for urn in registration.dependencies if urn in created
            ]
            opts = pulumi.ResourceOptions(
                parent=created.get(registration.parent), depends_on=depends_on
            )
            name = resource_name(registration)
            resource = by_urn.get(registration.urn)
            if resource is not None:
                created[registration.urn] = resource.sdk_class(name, **resource.kwargs, opts=opts)
            elif not registration.custom:
                component = pulumi.ComponentResource(registration.type, name, None, opts)
                components.append(component)
                created[registration.urn] = component
        for component in components:
            component.register_outputs({})

    return program


def run_floor(plan: Plan, program: Callable[[], None]) -> ProgramRun:
    return run_program(
        program,
        project=PROJECT,
        stack=plan.stack,
        config={},
        mocks=ArmMocks(plan.subscription_id, plan.tenant_id),
    )


def check_floor_inputs(plan: Plan, run: ProgramRun, label: str) -> None:
    """The floor must send exactly the plan's inputs, or the comparison is meaningless."""
    expected = {
        (r.type, resource_name(r)): r.inputs
        for r in plan.registrations
        if r.custom and r.type != STACK_REFERENCE_TYPE
    }
    actual = {(r.type, resource_name(r)): r.inputs for r in run.registrations if r.custom}
    differing = sorted(key for key in expected if actual.get(key) != expected[key])
    if differing or len(actual) != len(expected):
        names = ", ".join(f"{token} {name}" for token, name in differing[:10])
        raise BenchError(
            f"{label} registered {len(actual)} resources for the plan's {len(expected)}; "
            f"inputs differ for {len(differing)}: {names}"
        )


# --- workloads and measuring ------------------------------------------------------------------


def workloads(stack: str) -> list[Workload]:
    """Plans ``stack`` once (the warm-up of ``plan``) to learn what the floors register."""
    # A stack that reads another's outputs gets them from the warm-up's planner, which keeps
    # the stacks it referenced: only the stack's own plan is timed.
    planner = Planner()
    warm = planner.plan(stack)
    resources = floor_resources(warm)
    flat = flat_floor_program(resources)
    tree = tree_floor_program(warm, resources)
    check_floor_inputs(warm, run_floor(warm, flat), "floor")
    check_floor_inputs(warm, run_floor(warm, tree), "floor-tree")
    count = len(resources)
    document = warm.to_json()
    return [
        Workload(
            "plan",
            f"hlz.plan.Planner.plan({stack!r}): config validation, components, program",
            lambda: planner.plan(stack),
            count,
        ),
        Workload(
            "floor",
            "the same resources and inputs straight through pulumi-azure-native, no components",
            lambda: run_floor(warm, flat),
            count,
        ),
        Workload(
            "floor-tree",
            "the floor plus the plan's component tree and dependency edges, SDK only",
            lambda: run_floor(warm, tree),
            count,
        ),
        Workload(
            "policy",
            "the hlz-hipaa pack over the plan in-process (hlz.policy_check.check_plan)",
            lambda: check_plan(document, exemptions=[]),
            count,
        ),
    ]


def synthetic_plan(document: dict[str, Any], size: int) -> dict[str, Any]:
    """A plan of ``size`` resources: copies of ``document``'s steps with URNs suffixed per copy
    (dependencies and parents renamed alike), so stack rules see ``size / len`` independent
    stacks' worth of relationships, as a large estate would."""
    steps = document["steps"]
    copies: list[dict[str, Any]] = []
    generation = 0
    while len(copies) < size:
        suffix = f"-{generation}"

        def rename(urn: Any, suffix: str = suffix) -> Any:
            return urn + suffix if isinstance(urn, str) and urn.startswith("urn:") else urn

        for step in steps[: size - len(copies)]:
            state = copy.deepcopy(step["newState"])
            state["urn"] = rename(state["urn"])
            state["parent"] = rename(state.get("parent"))
            state["dependencies"] = [rename(urn) for urn in state.get("dependencies", [])]
            state["propertyDependencies"] = {
                name: [rename(urn) for urn in urns]
                for name, urns in state.get("propertyDependencies", {}).items()
            }
            copies.append({"op": "create", "urn": state["urn"], "newState": state})
        generation += 1
    return {"steps": copies, "hlz": document["hlz"]}


@dataclass(frozen=True)
class Throughput:
    resources: int
    seconds: list[float]

    @property
    def per_second(self) -> float:
        return self.resources / min(self.seconds)

    def to_json(self) -> dict[str, Any]:
        return {
            "resources": self.resources,
            "wallSeconds": [round(value, 3) for value in self.seconds],
            "resourcesPerSecond": round(self.per_second),
        }


@dataclass(frozen=True)
class StackTimes:
    stack: str
    resources: int
    plan_seconds: float
    policy_seconds: float
    """Minimum over the runs of each."""

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "resources": self.resources,
            "planMinSeconds": round(self.plan_seconds, 4),
            "policyMinSeconds": round(self.policy_seconds, 4),
            "policyShareOfPlan": round(self.policy_seconds / self.plan_seconds, 4),
        }


def reference_stack_times(repeat: int) -> list[StackTimes]:
    """Plan and policy time of every example stack (a lab's landing zone is planned once,
    outside the timing, as in ``workloads``)."""
    times = []
    for stack in available_stacks():
        planner = Planner()
        warm = planner.plan(stack)
        document = warm.to_json()
        plan_runs, policy_runs = [], []
        for _ in range(repeat):
            gc.collect()
            started = time.perf_counter()
            planner.plan(stack)
            plan_runs.append(time.perf_counter() - started)
            gc.collect()  # the plan's garbage must not be collected on the policy's clock
            started = time.perf_counter()
            check_plan(document, exemptions=[])
            policy_runs.append(time.perf_counter() - started)
        times.append(
            StackTimes(stack, len(warm.custom_resources), min(plan_runs), min(policy_runs))
        )
    return times


def policy_throughput(stack: str, size: int, repeat: int) -> Throughput:
    """Policy evaluation speed over a synthetic plan of ``size`` resources."""
    document = synthetic_plan(plan_stack(stack).to_json(), size)
    check_plan(document, exemptions=[])  # warm-up
    seconds = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        check_plan(document, exemptions=[])
        seconds.append(time.perf_counter() - started)
    return Throughput(size, seconds)


@dataclass(frozen=True)
class ProcessTimes:
    label: str
    command: str
    """What ran, as a user would type it."""
    cpu: list[float]
    """User + system CPU seconds of the child process, per run."""
    wall: list[float]

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "command": self.command,
            "cpuSeconds": [round(value, 4) for value in self.cpu],
            "cpuMinSeconds": round(min(self.cpu), 4),
            "wallSeconds": [round(value, 4) for value in self.wall],
            "wallMinSeconds": round(min(self.wall), 4),
        }


def hlz_command() -> list[str]:
    """The ``hlz`` console script of this interpreter's environment, as a user runs it
    (``python -m hlz`` where it is not installed)."""
    script = Path(sys.executable).with_name("hlz")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "hlz"]


def child_process_cpu(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process running ``command`` in ``env``, which
    must exit 0."""
    cpu, wall, _ = child_process(command, env)
    return cpu, wall


def child_process(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, stderr) of one child process running ``command`` in ``env``,
    which must exit 0. Nothing else runs children meanwhile, so the growth of RUSAGE_CHILDREN
    is this one's (and its own children's, which it reaps)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        if len(said) > 20:
            said = [*said[:20], f"... ({len(said) - 20} more lines)"]
        shown = "\n".join(said)
        raise BenchError(f"{' '.join(command)} exited {done.returncode}:\n{shown}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stderr


def check_process_times(repeat: int) -> list[ProcessTimes]:
    """Whole-process CPU time of ``hlz check PLAN.json --quiet`` on each example stack's plan,
    and of the bare interpreter; empty where there is no ``resource`` module (Windows)."""
    try:
        import resource  # noqa: F401 - only probing
    except ImportError:
        return []
    with tempfile.TemporaryDirectory(prefix="hlz-bench-") as out_dir:
        written = quietly(lambda: hlz_main(["plan", "--all", "--out-dir", out_dir, "--quiet"]))
        if written != 0:
            raise BenchError(f"hlz plan --all --out-dir exited {written}")
        commands = {"python startup": [sys.executable, "-c", ""]}
        shown = {"python startup": "python -c ''"}
        for stack in available_stacks():
            plan_path = str(Path(out_dir) / f"{stack}.plan.json")
            commands[stack] = [*hlz_command(), "check", plan_path, "--quiet"]
            shown[stack] = f"hlz check {stack}.plan.json --quiet"
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(Path(out_dir) / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        runs: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in commands}
        for command in commands.values():
            child_process_cpu(command, env)  # warm-up: file cache and bytecode on every side
        for _ in range(repeat):
            for label, command in commands.items():
                cpu, wall = child_process_cpu(command, env)
                runs[label][0].append(cpu)
                runs[label][1].append(wall)
    return [ProcessTimes(label, shown[label], *runs[label]) for label in commands]


# --- many stacks: hlz plan --all --jobs N ----------------------------------------------------


def fleet_project(directory: Path, labs: int) -> list[str]:
    """Write ``fleet-lz`` and ``labs`` lab stacks ``fleet-labNNN`` into ``directory`` (see the
    module docstring); returns the stack names. Refuses an allocation that overlaps anything
    (the landing zone's own check, ``stacks.common.overlap_problems``)."""
    landing_zone = load_stack_file(FLEET_LANDING_ZONE).config
    template = load_stack_file(FLEET_LAB).config
    template_space = ipaddress.IPv4Network(template[key("addressSpace")])
    spokes: dict[str, str] = {}
    names = []
    taken = [landing_zone[key("hub")]["addressSpace"]]
    for index in range(labs):
        lab = f"lab{index:03d}"
        block = allocate([FLEET_POOL], taken, FLEET_SPOKE_PREFIX)
        if block is None:
            raise BenchError(f"{FLEET_POOL} has no free /{FLEET_SPOKE_PREFIX} for {lab}")
        taken.append(block)
        space = ipaddress.IPv4Network(block)
        if space.prefixlen != template_space.prefixlen:
            raise BenchError(f"{FLEET_LAB}'s address space is not a /{FLEET_SPOKE_PREFIX}")
        subnets = {
            name: _moved(cidr, template_space, space)
            for name, cidr in template[key("subnets")].items()
        }
        spokes[lab] = str(space)
        config = {
            **template,
            key("landingZoneStack"): "fleet-lz",
            key("lab"): lab,
            key("addressSpace"): str(space),
            key("subnets"): subnets,
        }
        names.append(f"fleet-{lab}")
        _write_stack(directory / f"Pulumi.fleet-{lab}.yaml", config)
    ranges = {key("hub", "addressSpace"): landing_zone[key("hub")]["addressSpace"]}
    ranges |= {key("spokes", lab): cidr for lab, cidr in spokes.items()}
    problems = overlap_problems(ranges)
    if problems:
        raise BenchError(f"the fleet's address plan overlaps: {problems[:3]}")
    _write_stack(
        directory / "Pulumi.fleet-lz.yaml",
        {**landing_zone, key("spokes"): spokes, key("spokeAddressPool"): [FLEET_POOL]},
    )
    return sorted([*names, "fleet-lz"])


def _moved(cidr: str, old: ipaddress.IPv4Network, new: ipaddress.IPv4Network) -> str:
    """``cidr``, a subnet of ``old``, at the same offset and size in ``new``."""
    subnet = ipaddress.IPv4Network(cidr)
    offset = int(subnet.network_address) - int(old.network_address)
    return str(ipaddress.IPv4Network((int(new.network_address) + offset, subnet.prefixlen)))


def _write_stack(path: Path, config: dict[str, Any]) -> None:
    import yaml

    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))


SUMMARY = re.compile(
    r"^hlz: planned (?P<stacks>\d+) stacks in [\d.]+s (?:in this process \(peak RSS: "
    r"(?P<own>\d+) MiB\)|by (?P<workers>\d+) worker process(?:es)? \(peak RSS per worker: "
    r"(?P<peaks>[\d MiB,]+); this process: (?P<parent>\d+) MiB\))$",
    re.MULTILINE,
)


@dataclass
class FleetRun:
    jobs: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    worker_peak_mib: list[list[int]] = field(default_factory=list)
    """Per run: the peak RSS of each worker process (with --jobs 1: of the one process)."""
    parent_peak_mib: list[int] = field(default_factory=list)
    """Per run with workers: the peak RSS of the ``hlz plan`` process that led them."""
    load: list[float] = field(default_factory=list)
    """Per run: the 1-minute load average as it started (other processes compete for CPUs)."""
    workers: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "jobs": self.jobs,
            "workers": self.workers,
            "wallSeconds": [round(value, 2) for value in self.wall],
            "wallMinSeconds": round(min(self.wall), 2),
            "wallMedianSeconds": round(statistics.median(self.wall), 2),
            "cpuSeconds": [round(value, 2) for value in self.cpu],
            "workerPeakRssMiB": self.worker_peak_mib,
            "parentPeakRssMiB": self.parent_peak_mib,
            "loadAverageAtStart": [round(value, 2) for value in self.load],
        }


@dataclass(frozen=True)
class FleetResult:
    labs: int
    stacks: int
    serial: FleetRun
    parallel: FleetRun

    @property
    def speed_up(self) -> float:
        return min(self.serial.wall) / min(self.parallel.wall)

    def to_json(self) -> dict[str, Any]:
        return {
            "labs": self.labs,
            "stacks": self.stacks,
            "serial": self.serial.to_json(),
            "parallel": self.parallel.to_json(),
            "speedUpWallMin": round(self.speed_up, 2),
        }


def fleet_plan(command: list[str], env: dict[str, str], run: FleetRun) -> None:
    """One ``hlz plan --all`` child process, timed; what its closing line says added to ``run``."""
    load = os.getloadavg()[0]
    cpu, wall, stderr = child_process(command, env)
    summary = SUMMARY.search(stderr)
    if summary is None:
        raise BenchError(f"no closing line in the output of {' '.join(command)}:\n{stderr[-500:]}")
    run.wall.append(wall)
    run.cpu.append(cpu)
    run.load.append(load)
    if summary["workers"] is None:
        run.worker_peak_mib.append([int(summary["own"])])
    else:
        run.workers = int(summary["workers"])
        run.worker_peak_mib.append([int(size) for size in re.findall(r"\d+", summary["peaks"])])
        run.parent_peak_mib.append(int(summary["parent"]))


def fleet_times(labs: int, repeat: int, jobs: int) -> FleetResult:
    """``hlz plan --all`` over a generated fleet, --jobs 1 against --jobs ``jobs``."""
    with tempfile.TemporaryDirectory(prefix="hlz-bench-fleet-") as scratch:
        project = Path(scratch) / "project"
        project.mkdir()
        stacks = fleet_project(project, labs)
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(Path(scratch) / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)

        def command(jobs: int, out: str) -> list[str]:
            out_dir = str(Path(scratch) / out)
            return [*hlz_command(), "plan", "--all", "--project-dir", str(project),
                    "--out-dir", out_dir, "--quiet", "--jobs", str(jobs)]  # fmt: skip

        serial, parallel = FleetRun(1), FleetRun(jobs)
        warm = FleetRun(0)
        fleet_plan(command(1, "warm-serial"), env, warm)  # warm-up: bytecode and file cache
        fleet_plan(command(jobs, "warm-parallel"), env, warm)
        same = _same_files(Path(scratch) / "warm-serial", Path(scratch) / "warm-parallel")
        if not same:
            raise BenchError(f"--jobs 1 and --jobs {jobs} wrote different reports")
        for number in range(repeat):
            fleet_plan(command(1, f"serial-{number}"), env, serial)
            fleet_plan(command(jobs, f"parallel-{number}"), env, parallel)
    return FleetResult(labs, len(stacks), serial, parallel)


def _same_files(first: Path, second: Path) -> bool:
    names = sorted(path.name for path in first.iterdir())
    return names == sorted(path.name for path in second.iterdir()) and all(
        (first / name).read_bytes() == (second / name).read_bytes() for name in names
    )


def quietly(run: Callable[[], int]) -> int:
    with open(os.devnull, "w") as sink, redirect_stdout(sink), redirect_stderr(sink):
        return run()


def time_runs(items: Sequence[Workload], repeat: int) -> dict[str, Measurement]:
    measured = {w.name: Measurement(w.name, w.description, w.resources) for w in items}
    for _ in range(repeat):
        for workload in items:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            workload.run()
            measured[workload.name].wall.append(time.perf_counter() - wall)
            measured[workload.name].cpu.append(time.process_time() - cpu)
    return measured


def tracemalloc_peak(run: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def maxrss_kib(usage_maxrss: int) -> int:
    # Linux reports KiB, macOS bytes.
    return usage_maxrss // 1024 if sys.platform == "darwin" else usage_maxrss


def wait_for_worker_threads(timeout: float = 5.0) -> None:
    """Each run's executor threads wind down after its loop closes; fork only once they
    have, so the child cannot inherit a lock held by a thread that no longer exists."""
    deadline = time.monotonic() + timeout
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)


def forked_maxrss(run: Callable[[], object]) -> tuple[int, int] | None:
    """Peak RSS of a forked child that runs the workload once and how much the run raised it
    (KiB); None where there is no fork (Windows)."""
    if not hasattr(os, "fork"):
        return None
    import resource

    wait_for_worker_threads()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report, and leave without running the parent's atexit hooks
        os.close(read_end)
        status = 0
        try:
            before = maxrss_kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            run()
            after = maxrss_kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            payload = f"{after} {after - before}"
        except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
            payload, status = f"error: {type(error).__name__}: {error}", 1
        os.write(write_end, payload.encode())
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        payload = pipe.read()
    os.waitpid(pid, 0)
    numbers = payload.split()
    if len(numbers) != 2 or not all(number.isdigit() for number in numbers):
        raise BenchError(f"memory run failed in the child process: {payload or 'no answer'}")
    return int(numbers[0]), int(numbers[1])


@dataclass
class BenchResult:
    stack: str
    repeat: int
    measurements: list[Measurement]
    stacks: list[StackTimes] = field(default_factory=list)
    throughput: Throughput | None = None
    check_processes: list[ProcessTimes] = field(default_factory=list)
    """``hlz check PLAN.json --quiet`` per example stack, whole process."""
    fleet: FleetResult | None = None
    """``--fleet N``: hlz plan --all over N generated labs, --jobs 1 against --jobs <CPUs>."""

    def by_name(self) -> dict[str, Measurement]:
        return {m.name: m for m in self.measurements}

    def ratios(self) -> list[dict[str, Any]]:
        measured = self.by_name()
        rows = []
        for ratio in RATIOS:
            top, bottom = measured.get(ratio.numerator), measured.get(ratio.denominator)
            if top is None or bottom is None:
                continue
            fastest = top.wall_min / bottom.wall_min
            rows.append(
                {
                    "name": f"{ratio.numerator}/{ratio.denominator}",
                    "wallMin": round(fastest, 3),
                    "wallMedian": round(top.wall_median / bottom.wall_median, 3),
                    "cpuMin": round(min(top.cpu) / min(bottom.cpu), 3),
                    "cpuMedian": round(top.cpu_median / bottom.cpu_median, 3),
                    "target": ratio.target,
                    "met": None if ratio.target is None else fastest <= ratio.target,
                }
            )
        return rows

    def to_json(self) -> dict[str, Any]:
        import resource

        return {
            "date": date.today().isoformat(),
            "stack": self.stack,
            "repeat": self.repeat,
            "warmUp": WARM_UP,
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
            },
            "measurements": [m.to_json() for m in self.measurements],
            "ratios": self.ratios(),
            "referenceStacks": [times.to_json() for times in self.stacks],
            "policyThroughput": self.throughput.to_json() if self.throughput else None,
            "checkProcess": [times.to_json() for times in self.check_processes],
            "fleet": self.fleet.to_json() if self.fleet else None,
            "processMaxRssKiB": maxrss_kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        }


def bench(
    stack: str = DEFAULT_STACK,
    repeat: int = DEFAULT_REPEAT,
    synthetic_size: int = SYNTHETIC_SIZE,
    synthetic_stack: str = SYNTHETIC_STACK,
    fleet: int | None = None,
    jobs: int | None = None,
    fleet_only: bool = False,
) -> BenchResult:
    fleet_result = None
    if fleet is not None:
        fleet_result = fleet_times(fleet, repeat, jobs or os.cpu_count() or 1)
    if fleet_only:
        return BenchResult(stack, repeat, [], fleet=fleet_result)
    items = workloads(stack)  # the plan's warm-up and one checked run of each floor
    measured = time_runs(items, repeat)
    for workload in items:
        measured[workload.name].tracemalloc_peak = tracemalloc_peak(workload.run)
        rss = forked_maxrss(workload.run)
        if rss is not None:
            measured[workload.name].maxrss_kib, measured[workload.name].maxrss_growth_kib = rss
    return BenchResult(
        stack,
        repeat,
        [measured[w.name] for w in items],
        stacks=reference_stack_times(repeat),
        throughput=policy_throughput(synthetic_stack, synthetic_size, repeat),
        check_processes=check_process_times(repeat),
        fleet=fleet_result,
    )


def mib(value: int | None, unit: int) -> str:
    return "n/a" if value is None else f"{value / unit:.1f} MiB"


def fleet_table(fleet: FleetResult, repeat: int) -> list[str]:
    serial, parallel = fleet.serial, fleet.parallel
    lines = [
        f"hlz plan --all --quiet --out-dir over {fleet.stacks} stacks (1 landing zone, "
        f"{fleet.labs} labs), whole process tree, {repeat} timed run{'' if repeat == 1 else 's'}"
        " of each after one warm-up, interleaved:",
        f"{'jobs':<8}{'wall min':>10}{'wall median':>13}{'cpu min':>10}{'load':>12}"
        f"{'  peak RSS per worker (MiB, fastest run)'}",
    ]
    for run in (serial, parallel):
        fastest = run.wall.index(min(run.wall))
        peaks = ", ".join(str(size) for size in run.worker_peak_mib[fastest])
        parent = f"; leading process {run.parent_peak_mib[fastest]}" if run.parent_peak_mib else ""
        load = f"{min(run.load):.1f}-{max(run.load):.1f}"
        lines.append(
            f"{run.jobs:<8}{min(run.wall):>9.1f}s{statistics.median(run.wall):>12.1f}s"
            f"{min(run.cpu):>9.1f}s{load:>12}  {peaks}{parent}"
        )
    lines.append(f"speed-up (wall min, --jobs 1 / --jobs {parallel.jobs}): {fleet.speed_up:.2f}")
    return lines


def table(result: BenchResult) -> str:
    if not result.measurements:
        return "\n".join(fleet_table(result.fleet, result.repeat)) if result.fleet else ""
    first = result.measurements[0]
    lines = [
        f"hlz bench: stack {result.stack}, {first.resources} resources, "
        f"{result.repeat} timed run{'' if result.repeat == 1 else 's'} of each workload",
        f"({WARM_UP}; runs interleaved)",
        "",
        f"{'workload':<12}{'wall min':>10}{'wall median':>13}{'cpu median':>12}"
        f"{'tracemalloc peak':>18}{'peak RSS':>12}{'RSS growth':>12}",
    ]
    for m in result.measurements:
        lines.append(
            f"{m.name:<12}{m.wall_min:>9.2f}s{m.wall_median:>12.2f}s{m.cpu_median:>11.2f}s"
            f"{mib(m.tracemalloc_peak, 1024 * 1024):>18}{mib(m.maxrss_kib, 1024):>12}"
            f"{mib(m.maxrss_growth_kib, 1024):>12}"
        )
    lines.append("")
    lines.append(
        f"{'stack':<10}{'resources':>10}{'plan min':>10}{'policy min':>12}{'policy/plan':>13}"
    )
    for times in result.stacks:
        lines.append(
            f"{times.stack:<10}{times.resources:>10}{times.plan_seconds:>9.2f}s"
            f"{times.policy_seconds:>11.3f}s{times.policy_seconds / times.plan_seconds:>12.1%}"
        )
    if result.throughput is not None:
        lines.append(
            f"policy over a synthetic plan of {result.throughput.resources:,} resources: "
            f"{min(result.throughput.seconds):.2f}s, "
            f"{result.throughput.per_second:,.0f} resources/second"
        )
    if result.check_processes:
        lines.append("")
        lines.append(
            "hlz check PLAN.json --quiet, whole process (user + system CPU of the child, "
            f"min of {result.repeat}):"
        )
        lines.append(f"{'plan':<16}{'cpu min':>10}{'wall min':>10}")
        for times in result.check_processes:
            lines.append(f"{times.label:<16}{min(times.cpu):>9.2f}s{min(times.wall):>9.2f}s")
    if result.fleet is not None:
        lines.append("")
        lines += fleet_table(result.fleet, result.repeat)
    lines.append("")
    for row in result.ratios():
        verdict = ""
        if row["target"] is not None:
            verdict = f"  target (min) <= {row['target']}: {'met' if row['met'] else 'NOT MET'}"
        lines.append(
            f"ratio {row['name']:<18} min {row['wallMin']:.2f}  median {row['wallMedian']:.2f}"
            f"  cpu min {row['cpuMin']:.2f}{verdict}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/bench.py",
        description="Time and memory of an offline plan against the pulumi-azure-native floor.",
    )
    parser.add_argument(
        "--stack", default=DEFAULT_STACK, help=f"stack to plan (default {DEFAULT_STACK})"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        help=f"timed runs per workload (default {DEFAULT_REPEAT})",
    )
    parser.add_argument(
        "--synthetic-size",
        type=int,
        default=SYNTHETIC_SIZE,
        help=f"resources in the synthetic policy plan (default {SYNTHETIC_SIZE:,})",
    )
    parser.add_argument(
        "--fleet",
        type=int,
        nargs="?",
        const=DEFAULT_FLEET,
        metavar="N",
        help="also time hlz plan --all over N generated lab stacks and their landing zone, "
        f"--jobs 1 against --jobs <CPUs> (N default {DEFAULT_FLEET})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help=f"worker processes of the fleet's parallel run (default: CPUs, {os.cpu_count()})",
    )
    parser.add_argument(
        "--fleet-only", action="store_true", help="time only the fleet (needs --fleet)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers as JSON")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a ratio misses its target"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.fleet is not None and args.fleet < 1:
        parser.error("--fleet must be at least 1 lab")
    if args.jobs is not None and args.jobs < 2:
        parser.error("--jobs must be at least 2 (the fleet is compared against --jobs 1)")
    if args.fleet_only and args.fleet is None:
        parser.error("--fleet-only needs --fleet")
    try:
        result = bench(
            args.stack,
            args.repeat,
            args.synthetic_size,
            fleet=args.fleet,
            jobs=args.jobs,
            fleet_only=args.fleet_only,
        )
    except (BenchError, ConfigError) as error:
        print(f"hlz bench: {error}", file=sys.stderr)
        return 2
    print(table(result))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result.to_json(), indent=2) + "\n")
        print(f"Wrote {args.json}", file=sys.stderr)
    if args.check and any(row["met"] is False for row in result.ratios()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
