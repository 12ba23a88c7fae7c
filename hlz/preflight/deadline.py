"""The overall deadline of one preflight run (``--timeout``), and the one way a check runs
under it.

Enforced at three points, so that no answer, however slow, holds the command past it:

| where                          | what happens when the deadline is near or past            |
|--------------------------------|-----------------------------------------------------------|
| each check (``Deadline.call``) | runs in a worker thread; the runner stops waiting for it  |
| each retry wait (arm.py)       | a wait that would end past the deadline is not waited     |
| each HTTP attempt (arm.py)     | not sent; socket timeouts never exceed the time left      |

The worker thread is what bounds an endpoint that trickles its answer a byte at a time
(every socket read succeeds, so no socket timeout fires). A thread the runner stopped waiting
for is a daemon: its next attempt or wait raises ``DeadlineExceeded`` and it ends; it never
keeps the process alive and its outcome is dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The deadline passed (or would pass) before an answer; ``str()`` says where."""


class Deadline:
    """``seconds`` from now on ``clock`` (a monotonic clock; tests pass a fake one)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    @property
    def label(self) -> str:
        """``the 120 s deadline (--timeout)``, as every message names it."""
        return f"the {self.seconds:g} s deadline (--timeout)"

    def remaining(self) -> float:
        return self._end - self._clock()

    def call(self, work: Callable[[], T], waiting_for: Callable[[], str]) -> T:
        """``work()``, or ``DeadlineExceeded`` once the deadline passes while it runs.
        ``waiting_for()`` names what it was doing then (``GET /subscriptions/...``)."""
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceeded(f"{self.label} passed before this check started")
        outcome: dict[str, T] = {}
        failure: list[BaseException] = []

        def run() -> None:
            try:
                outcome["value"] = work()
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                failure.append(error)

        worker = threading.Thread(target=run, name="hlz-preflight-check", daemon=True)
        worker.start()
        worker.join(left)
        if worker.is_alive():
            raise DeadlineExceeded(f"{waiting_for()} had not finished when {self.label} passed")
        if failure:
            raise failure[0]
        return outcome["value"]
