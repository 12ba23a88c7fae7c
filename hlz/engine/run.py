"""Run a stack's real program under Pulumi mocks and record every registration.

No Pulumi CLI and no credentials: the SDK's mock monitor stands in for the engine, ``ArmMocks``
(``hlz.engine.mocks``) answers like Azure would, and ``RecordingMonitor``
(``hlz.engine.recording``) keeps the wire inputs each resource was registered with. Every use
of the SDK beyond its program API goes through ``hlz.engine.sdk_internals``.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from hlz.engine import sdk_internals as sdk
from hlz.engine.mocks import ArmMocks
from hlz.engine.recording import RecordingMonitor, Registration

# Cyclic-GC thresholds while a program runs (Python's default is (700, 10, 10)). A plan allocates
# tens of thousands of Outputs, futures and tasks that live until the run ends; at the default
# gen-0 threshold the collector keeps re-scanning them and takes over half of a plan's CPU time.
# Restored after the run; the objects are freed by reference counting or the next collection.
RUN_GC_THRESHOLD = (50_000, 20, 100)


async def _run_then_settle(program: Callable[[], Awaitable[None] | None]) -> None:
    """Run ``program``, then wait until every pending Output and RPC is done.

    Only a shortcut: after the program returns the SDK's ``wait_for_rpcs`` awaits the same
    tasks, but one ``asyncio.wait(FIRST_COMPLETED)`` per completion over every pending task
    (thousands: each azure-native resource holds dozens of Outputs). Each component level and
    Output hop (parent URN, ``.apply``, invoke) is another wave of completions, so that loop
    took about 30 % of an lz-prod plan (BENCHMARKS.md). Waiting for whole waves instead
    leaves the SDK's loop nothing to do. At the first failure this returns and the SDK's
    loop raises it exactly as it would have.
    """
    result = program()
    if isawaitable(result):
        await result
    while True:
        pending = sdk.pending_work()
        if not pending:
            return
        done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
        if any(not task.cancelled() and task.exception() is not None for task in done):
            return


@contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*RUN_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@dataclass
class ProgramRun:
    registrations: list[Registration]
    stack_outputs: dict[str, Any]


def run_program(
    program: Any,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str] | None = None,
    mocks: ArmMocks,
    preview: bool = False,
) -> ProgramRun:
    """Run ``program`` (a zero-argument callable) as the Pulumi engine would, under mocks.

    Safe to call repeatedly in one process: runtime settings, config and the root stack are
    reset before each run.
    """
    sdk.set_config(config, secret_keys)
    monitor = RecordingMonitor(mocks)
    # A fresh deployment: nothing an earlier run in this process left pending is awaited here.
    sdk.start_mock_deployment(mocks, monitor, project=project, stack=stack, preview=preview)
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        with _fewer_gc_passes():
            loop.run_until_complete(sdk.run_in_stack(lambda: _run_then_settle(program)))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return ProgramRun(registrations=monitor.registrations, stack_outputs=monitor.stack_outputs)


__all__ = ["ProgramRun", "run_program"]
