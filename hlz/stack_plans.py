"""The plan a command works from: a saved plan of STACK (``--plan``), or STACK planned offline.

``hlz report``, ``hlz cost`` and ``hlz audit`` read a plan the same way, so they refuse the
same wrong files with the same words (a ConfigError keyed by the file, exit 2) and report a
failing stack program the same way (``ProgramFailed``, exit 3):

| what ``--plan`` holds                            | ``plan_only=False`` | ``plan_only=True``    |
|--------------------------------------------------|---------------------|-----------------------|
| a plan of STACK (``hlz plan --json``)            | read                | read                  |
| a plan of another stack                          | refused             | refused               |
| ``pulumi preview --json`` / ``stack export``     | read                | refused (not a plan)  |
| a ``--preview`` plan (ids unknown)               | read                | refused               |

A document that names no stack (a Pulumi document, whose stack ``hlz check`` could not tell)
is taken as STACK's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hlz.plan import Plan, Planner
    from hlz.stackfiles import StackFile


class ProgramFailed(Exception):
    """An exception raised while a stack program ran (exit 3, "the stack program failed")."""

    def __init__(self, error: Exception):
        super().__init__(f"{type(error).__name__}: {error}")


UNNAMED = ("", "?")
"""What a document says for a stack it could not tell (``hlz.documents``)."""


def read_saved_plan(
    path: Path, stack: str, option: str = "--plan", *, plan_only: bool = False
) -> dict[str, Any]:
    """The document of ``path``, a plan of ``stack``; ``hlz.stack`` set to ``stack`` when the
    document names none. A ConfigError (source ``option``) names the file and what is wrong."""
    from components.errors import ConfigError
    from hlz.documents import PLAN
    from hlz.plan_document import read_checked_document

    checked = read_checked_document(path)
    meta = checked.plan.setdefault("hlz", {})
    named = meta.get("stack")
    problem = None
    if plan_only and checked.format != PLAN:
        problem = f"is {checked.format} output; {option} takes a plan written by `hlz plan --json`"
    elif named not in (None, *UNNAMED) and named != stack:
        problem = f"is a plan of {named!r}, not of {stack!r}"
    elif plan_only and meta.get("preview"):
        problem = "is a --preview plan: its ids are unknown; write one without --preview"
    if problem is not None:
        raise ConfigError([(str(path), problem)], option)
    if named in (None, *UNNAMED):
        meta["stack"] = stack
    return checked.plan


def plan_stack_file(stack_file: StackFile, planner: Planner | None = None) -> Plan:
    """``stack_file``'s stack planned offline as ``hlz plan`` plans it: the project's own stack
    file once per planner, any other file each time. Exceptions pass through as raised."""
    from hlz.stackfiles import project_root

    if planner is None:
        from hlz.plan import Planner

        planner = Planner()
    stack = stack_file.name
    if stack_file.path.resolve() == (project_root() / f"Pulumi.{stack}.yaml").resolve():
        return planner.planned(stack)
    return planner.plan(stack, stack_file=stack_file)


def planned_document(
    stack: str, stack_file: Path | None, planner: Planner | None
) -> dict[str, Any]:
    """``stack`` planned offline (``plan_stack_file``; ``stack_file``: its config from another
    file), as a plan document. Bad input stays a ConfigError or ExemptionError (exit 2);
    anything else the program raises becomes ``ProgramFailed`` (exit 3)."""
    from hlz.stackfiles import load_stack_file

    loaded = load_stack_file(stack, path=stack_file)
    try:
        plan = plan_stack_file(loaded, planner)
    except Exception as error:  # noqa: BLE001 - as `hlz plan` reports a failing program
        if is_input_error(error):
            raise
        raise ProgramFailed(error) from error
    return plan.to_json()


def is_input_error(error: Exception) -> bool:
    """Bad configuration, stack selection or exemptions: exit 2, the message names the key.
    (Imported only once something failed: ``components.errors`` loads pydantic.)"""
    from components.errors import ConfigError
    from policies.exemptions import ExemptionError

    return isinstance(error, ConfigError | ExemptionError)
