"""``hlz`` in-process, as its console script runs it, for every test that drives the CLI.

The console entry point is ``sys.exit(main())`` (hlz.cli.entry), so a run is ``main(argv)`` with
stdout and stderr captured and argparse's ``SystemExit`` (--help, --version, usage errors) turned
into the exit code the shell would see. A handful of end-to-end tests still start the installed
``hlz`` script as a process (tests/test_cli.py); everything else goes through ``run_hlz``.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import NamedTuple

from hlz.cli import main


class HlzRun(NamedTuple):
    """Exit code and output of one ``hlz`` command; unpacks as ``code, stdout, stderr``."""

    code: int
    stdout: str
    stderr: str


def _exit_code(code: object) -> int:
    """What the shell sees for ``sys.exit(code)``: None is 0, an int is itself, and anything
    else (a message) is printed by the interpreter and gives 1."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def run_hlz(*args: str | os.PathLike[str]) -> HlzRun:
    """Run ``hlz ARGS...`` in this process. An exception ``main`` does not handle propagates
    (the test fails with its traceback, as the console script would print one)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main([os.fspath(arg) for arg in args])
        except SystemExit as exit_:
            code = _exit_code(exit_.code)
            if not isinstance(exit_.code, int | None):
                print(exit_.code, file=stderr)
    return HlzRun(code, stdout.getvalue(), stderr.getvalue())
