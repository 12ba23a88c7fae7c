"""``hlz plan`` of several stacks: each referenced stack planned once and shared, in this process
(``--jobs 1``) or in worker processes, the output in the order the stacks were named.

**Scheduling.** Each stack named is a task. The stacks a stack reads outputs from (its
landing zone, ``hlz:landingZoneStack``) are planned first: by their own task when they are
named too and their plan is kept (``hlz plan --all``), else by a reference task that only
plans (``--preview``, whose landing-zone plans are not the full ones a lab reads, or a lab
named without its landing zone). A task starts once every task it needs has finished; among
those free to start, the one whose output is due first. In this process (``--jobs 1``, or one
stack) one planner does everything, as it always did: it keeps every plan and plans a
referenced stack when a referrer first asks for it, so reference tasks are left to it. A
worker gets a planner of its own per task, handed the plans its stack references
(``Planner.keep``) — their outputs and file, all a referrer reads — so no worker plans a
landing zone again. A reference whose plan failed is not handed on: the referrer plans it again
and reports the error exactly as alone (a planner keeps no failed plan either).

**Output.** A stack's stdout, error and files are held until every stack named before it is
done, then printed and written: the same text in the same order whatever ``--jobs`` and
whichever worker finishes first. One stack's failure (a configuration error, exit 2; a failed
program, exit 3) is that stack's outcome; the others go on.

**Workers** start with the ``spawn`` method: a fresh interpreter that shares nothing with this
process. ``fork`` would copy this process as it is — the Pulumi runtime keeps its settings, the
mock monitor, the config and the root stack resource in module globals, and a lock held by any
thread at that moment stays held forever in the child. ``forkserver`` avoids that too, but is
Unix-only and saves a worker nothing unless its server preloads the SDK, whose gRPC supports
fork only when told to (``GRPC_ENABLE_FORK_SUPPORT``). spawn costs each worker its imports once
(not once per stack; BENCHMARKS.md has the numbers). Workers ignore SIGINT: Ctrl-C reaches the
whole process group, and this process alone stops them (``terminate``), so none of them prints
a traceback of its own.
"""

from __future__ import annotations

import contextlib
import heapq
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

import hlz.sdk_proxy  # noqa: F401 - first, as in hlz.cli: a worker imports this module first
from hlz.render.text import plural

if TYPE_CHECKING:  # the planner is imported where a plan is made: ``hlz check`` loads none
    from hlz.plan import Plan, Planner


@dataclass(frozen=True)
class PendingWrite:
    """A report file a stack's plan produced, written when the stack's turn comes."""

    path: Path
    text: str
    no_symlink: bool = False
    """``--out-dir``: never follow a symlink placed where the report goes."""


@dataclass(frozen=True)
class StackOutcome:
    """What one named stack's ``hlz plan`` prints and writes, and its exit code."""

    stack: str
    code: int
    stdout: str = ""
    error: str = ""
    """The message for stderr when the stack failed (empty otherwise)."""
    writes: tuple[PendingWrite, ...] = ()
    seconds: float = 0.0


PlanOne = Callable[["Planner", str], StackOutcome]
"""One named stack's whole ``hlz plan`` (plan with the planner given, check, render). It never
raises: a failure is the outcome's code and error. A worker calls it, so it must pickle (a
module-level function, or a ``functools.partial`` of one)."""


@dataclass(frozen=True)
class RunSummary:
    """How the stacks were planned: for the closing line of ``hlz plan`` and the benchmark."""

    stacks: int
    failed: list[StackOutcome]
    seconds: float
    workers: int
    """Worker processes used; 0: planned in this process."""
    worker_peak_rss_kib: list[int]
    """ru_maxrss of each worker process (KiB), largest first; empty in this process."""
    own_peak_rss_kib: int | None
    """ru_maxrss of this process (KiB); None where the platform has no ``resource``."""

    def line(self) -> str:
        where = "in this process"
        if self.workers:
            where = f"by {self.workers} worker process{'' if self.workers == 1 else 'es'}"
        memory = []
        if self.worker_peak_rss_kib:
            sizes = ", ".join(f"{kib / 1024:.0f} MiB" for kib in self.worker_peak_rss_kib)
            memory.append(f"peak RSS per worker: {sizes}")
        if self.own_peak_rss_kib is not None:
            label = "this process" if self.workers else "peak RSS"
            memory.append(f"{label}: {self.own_peak_rss_kib / 1024:.0f} MiB")
        text = f"hlz: planned {plural(self.stacks, 'stack')} in {self.seconds:.1f}s {where}"
        if memory:
            text += f" ({'; '.join(memory)})"
        if self.failed:
            text += "; failed: " + ", ".join(f"{o.stack} (exit {o.code})" for o in self.failed)
        return text


@dataclass(eq=False)
class _Task:
    stack: str
    path: Path
    """The stack file, resolved: with the name, the stack's identity for the planner."""
    index: int | None
    """Position in the output; None for a reference task (planned only for its referrers)."""
    needs: list[_Task] = field(default_factory=list)
    shared: bool = False
    """Another task's stack reads its plan."""
    due: float = float("inf")
    """The earliest output position that waits for this task."""
    plan: Plan | None = None
    """Its plan, reduced to what referrers read, once done (workers only)."""

    @property
    def priority(self) -> tuple[float, int, str]:
        return (self.due, 0 if self.index is None else 1, self.stack)


def _references(stack: str, path: Path, root: Path | None) -> list[tuple[str, Path]]:
    """The stacks ``stack`` reads outputs from, with their files; none when its file cannot be
    read or its references are wrong (its own plan reports that, exactly as alone)."""
    from components.errors import ConfigError
    from hlz.plan import referenced_stack_file, referenced_stacks
    from hlz.stackfiles import load_stack_file
    from stacks import registry

    try:
        stack_file = load_stack_file(stack, root=root, path=path)
        layer = registry.layer_named(stack_file.layer)
        if layer is None:
            return []
        found = []
        for dependency in referenced_stacks(stack_file, layer).values():
            referenced = referenced_stack_file(stack_file, dependency, root)
            found.append((dependency, referenced.path.resolve()))
        return found
    except ConfigError:
        return []


def _tasks(stacks: Sequence[tuple[str, Path]], root: Path | None, keeps: bool) -> list[_Task]:
    """The named stacks' tasks (in order) and the reference tasks they need."""
    named = [
        _Task(name, path.resolve(), index, due=index) for index, (name, path) in enumerate(stacks)
    ]
    providers = {(task.stack, task.path): task for task in named} if keeps else {}
    tasks, pending = list(named), list(named)
    while pending:
        task = pending.pop()
        for identity in _references(task.stack, task.path, root):
            needed = providers.get(identity)
            if needed is None:
                needed = providers[identity] = _Task(*identity, index=None)
                tasks.append(needed)
                pending.append(needed)
            needed.shared = True
            if needed not in task.needs:
                task.needs.append(needed)
    changed = True
    while changed:  # a referenced task is due when its earliest referrer is
        changed = False
        for task in tasks:
            for needed in task.needs:
                if task.due < needed.due:
                    needed.due, changed = task.due, True
    return tasks


def _plan_reference(planner: Planner, stack: str, path: Path) -> None:
    """A reference task: the stack's full plan, kept by ``planner``. A failure is left to the
    referrers, which plan it again and report the error in their own words."""
    with contextlib.suppress(Exception):  # each referrer reports it, as without workers
        planner.planned(stack, path)


def _shareable(plan: Plan | None) -> Plan | None:
    """What a referrer reads of a referenced plan: its outputs and file (the resources stay in
    the worker that planned them)."""
    return None if plan is None else replace(plan, registrations=[], referenced=None)


def _peak_rss_kib() -> int | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS counts bytes


@dataclass(frozen=True)
class _WorkerResult:
    outcome: StackOutcome | None
    plan: Plan | None
    pid: int
    peak_rss_kib: int | None


def _work(
    make_planner: Callable[[], Planner],
    plan_one: PlanOne,
    stack: str,
    path: Path,
    named: bool,
    shared: bool,
    references: list[Plan],
) -> _WorkerResult:
    """One task in a worker process, with a planner of its own holding the plans it reads."""
    planner = make_planner()
    for plan in references:
        planner.keep(plan)
    outcome = plan_one(planner, stack) if named else _plan_reference(planner, stack, path)
    plan = _shareable(planner.kept(stack, path)) if shared else None
    return _WorkerResult(outcome, plan, os.getpid(), _peak_rss_kib())


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _InOrder:
    """Hands outcomes to ``emit`` in output order as they arrive in any order."""

    def __init__(self, count: int, emit: Callable[[StackOutcome], None], progress: bool):
        self.count = count
        self.emit = emit
        self.progress = progress
        self.waiting: dict[int, StackOutcome] = {}
        self.next = 0
        self.finished = 0
        self.failed: list[StackOutcome] = []

    def add(self, index: int, outcome: StackOutcome) -> None:
        self.finished += 1
        if self.progress:
            verdict = f"{outcome.seconds:.1f}s"
            if outcome.code > 1:
                verdict = f"failed, exit {outcome.code}"
            print(
                f"hlz: planned {self.finished} of {self.count}: {outcome.stack} ({verdict})",
                file=sys.stderr,
                flush=True,
            )
        self.waiting[index] = outcome
        while self.next in self.waiting:
            due = self.waiting.pop(self.next)
            if due.code > 1:
                self.failed.append(due)
            self.emit(due)
            self.next += 1


def plan_stacks(
    stacks: Sequence[tuple[str, Path]],
    plan_one: PlanOne,
    make_planner: Callable[[], Planner],
    *,
    root: Path | None,
    jobs: int,
    keeps: bool,
    emit: Callable[[StackOutcome], None],
    failed: Callable[[str, Exception], StackOutcome],
    planner: Planner | None = None,
) -> RunSummary:
    """Plan ``stacks`` (name, stack file) with ``plan_one``; ``emit`` gets every outcome in
    their order. ``root``: where a referenced stack's file is looked for when it is not beside
    its referrer's (the planners' root). ``keeps``: ``plan_one`` plans a stack from its own
    file, in full, and its planner keeps the plan (so a named landing zone is the plan its labs
    read). ``jobs`` worker processes at most (1, or a single stack: this process, with
    ``planner`` if given, else one from ``make_planner``). ``failed`` turns an error outside
    ``plan_one`` (a worker that died) into that stack's outcome."""
    started = time.perf_counter()
    tasks = _tasks(stacks, root, keeps)
    in_order = _InOrder(len(stacks), emit, progress=len(stacks) > 1)
    if jobs <= 1 or len(stacks) == 1:
        _run_here(tasks, plan_one, planner or make_planner(), in_order, announce=len(stacks) == 1)
        peaks: list[int] = []
        workers = 0
    else:
        workers = min(jobs, len(tasks))
        peaks = _run_in_workers(tasks, plan_one, make_planner, workers, in_order, failed)
    return RunSummary(
        stacks=len(stacks),
        failed=in_order.failed,
        seconds=time.perf_counter() - started,
        workers=workers,
        worker_peak_rss_kib=sorted(peaks, reverse=True),
        own_peak_rss_kib=_peak_rss_kib(),
    )


class _Schedule:
    """Which task may start: every task it needs is done; the most urgent first."""

    def __init__(self, tasks: list[_Task]):
        self.tasks = tasks
        self.numbers = numbers = {id(task): number for number, task in enumerate(tasks)}
        self.waiting = [len(task.needs) for task in tasks]
        self.readers: list[list[int]] = [[] for _ in tasks]
        for number, task in enumerate(tasks):
            for needed in task.needs:
                self.readers[numbers[id(needed)]].append(number)
        self.ready = [(task.priority, n) for n, task in enumerate(tasks) if not task.needs]
        heapq.heapify(self.ready)
        self.unstarted = set(range(len(tasks)))
        self.remaining = len(tasks)

    def take(self, running: int) -> _Task | None:
        """The task to start now, or None. When nothing runs and nothing is ready although
        tasks remain, they wait on each other (a cycle of references): the most urgent starts,
        and its planner names the cycle."""
        if not self.ready and running == 0 and self.unstarted:
            number = min(self.unstarted, key=lambda n: self.tasks[n].priority)
            heapq.heappush(self.ready, (self.tasks[number].priority, number))
        while self.ready:
            _, number = heapq.heappop(self.ready)
            if number in self.unstarted:
                self.unstarted.discard(number)
                return self.tasks[number]
        return None

    def finish(self, task: _Task) -> None:
        self.remaining -= 1
        for reader in self.readers[self.numbers[id(task)]]:
            self.waiting[reader] -= 1
            if self.waiting[reader] == 0:
                heapq.heappush(self.ready, (self.tasks[reader].priority, reader))


def _run_here(
    tasks: list[_Task],
    plan_one: PlanOne,
    planner: Planner,
    in_order: _InOrder,
    *,
    announce: bool,
) -> None:
    """Every named stack in this process, one at a time, with one planner that keeps every
    plan. Reference tasks are left to that planner, which plans a referenced stack when first
    asked, after the referrer's own configuration passed its shape check (a lab's own mistakes
    cost no landing-zone plan)."""
    schedule = _Schedule(tasks)
    while (task := schedule.take(running=0)) is not None:
        if task.index is not None:
            if announce:
                print(f"Planning {task.stack} ...", file=sys.stderr, flush=True)
            in_order.add(task.index, plan_one(planner, task.stack))
        schedule.finish(task)


STOP_SECONDS = 10.0
"""Longest wait for stopped workers to exit after Ctrl-C."""


def _stop_workers(before: set[BaseProcess]) -> None:
    """Terminate and reap every worker this run started, including one the pool was still
    starting when the first ones were stopped (a worker seen once is not all there may be):
    repeat until none is left, for at most ``STOP_SECONDS``."""
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline:
        children = set(multiprocessing.active_children()) - before
        if not children:
            return
        for child in children:
            child.terminate()
        for child in children:
            child.join(timeout=max(0.0, deadline - time.monotonic()))


def _run_in_workers(
    tasks: list[_Task],
    plan_one: PlanOne,
    make_planner: Callable[[], Planner],
    workers: int,
    in_order: _InOrder,
    failed: Callable[[str, Exception], StackOutcome],
) -> list[int]:
    """Every task in at most ``workers`` spawned processes; the peak RSS of each (KiB)."""
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_interrupts,
    )
    peaks: dict[int, int] = {}
    running: dict[Future[_WorkerResult], _Task] = {}
    schedule = _Schedule(tasks)

    def finish(task: _Task, outcome: StackOutcome | None) -> None:
        if task.index is not None and outcome is not None:
            in_order.add(task.index, outcome)
        schedule.finish(task)

    try:
        while schedule.remaining:
            while len(running) < workers and (task := schedule.take(len(running))) is not None:
                references = [needed.plan for needed in task.needs if needed.plan is not None]
                try:
                    future = pool.submit(
                        _work,
                        make_planner,
                        plan_one,
                        task.stack,
                        task.path,
                        task.index is not None,
                        task.shared,
                        references,
                    )
                except Exception as error:  # noqa: BLE001 - a broken pool fails the stack
                    finish(task, failed(task.stack, error))
                    continue
                running[future] = task
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f].priority):
                task = running.pop(future)
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a worker that died fails its stack
                    finish(task, failed(task.stack, error))
                    continue
                task.plan = result.plan
                if result.peak_rss_kib is not None:
                    peaks[result.pid] = max(peaks.get(result.pid, 0), result.peak_rss_kib)
                finish(task, result.outcome)
    except BaseException:
        # Ctrl-C, or a report that could not be written: stop every worker now.
        pool.shutdown(wait=False, cancel_futures=True)
        _stop_workers(before)
        raise
    pool.shutdown(wait=True)
    return list(peaks.values())
