"""The plan document (docs/plan-format.md): how it marks the values it cannot show, and reading
one someone hands ``hlz check``, refusing one that is not a plan.

The planner writes the marks (``hlz.engine.recording``) and the checker reads them
(``hlz.policy_check``); they live here, with the reader, so that checking a saved plan never
loads the planner's engine (Pulumi's runtime and mocks).

``hlz check`` evaluates the policy pack over a file that may have been edited by hand, written
by another tool or cut short. Every shape problem is reported at once, each at its JSON path
(``steps[3].newState.inputs: must be an object, not a list``), as a ConfigError (exit 2),
before the pack sees the document; the pack's own reads then never meet a missing key or a
wrong type. What is checked is what ``hlz.policy_check`` and the type validation read
(docs/plan-format.md):

| field                                  | required | shape                                   |
|----------------------------------------|----------|-----------------------------------------|
| ``steps``                              | yes      | list of objects                         |
| ``steps[].op``, ``steps[].urn``        | no       | string                                  |
| ``steps[].newState``                   | yes      | object                                  |
| ``newState.urn``, ``newState.type``    | yes      | non-empty string; each URN once         |
| ``newState.custom``, ``.external``     | no       | boolean                                 |
| ``newState.parent``                    | no       | string or null                          |
| ``newState.inputs``                    | no       | object, at most ``MAX_DEPTH`` levels    |
| ``newState.dependencies``              | no       | list of strings                         |
| ``newState.propertyDependencies``      | no       | object of lists of strings              |
| ``hlz``                                | no       | object                                  |
| ``hlz.profile`` / ``hlz.stack``        | no       | lab, production or null / string        |

The whole document is bounded by ``MAX_DEPTH`` levels of nesting (the limit the strict YAML
loader applies to stack files) and must be UTF-8 JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policies.model import Profile
from policies.yaml_input import MAX_DEPTH

if TYPE_CHECKING:
    from components.errors import ConfigError
    from hlz.documents import CheckedDocument

SECRET_MASK = "[secret]"
"""A secret input: the plan records that there is a value, never the value."""

UNKNOWN_MARK = "[unknown]"
"""A value known only after deployment (``hlz plan --preview``): rules that read it report
Undetermined, as under ``pulumi preview``."""

SOURCE = "plan document"
PROFILES: tuple[str, ...] = tuple(profile.value for profile in Profile)
"""The profiles the pack judges by (``hlz check`` reads ``hlz.profile`` as one). From
``policies.model``, not ``stacks.common``: a check must not load the stack programs' Pulumi
runtime."""
HINT = "write one with hlz plan --json, pulumi preview --json or pulumi stack export"


def read_plan_document(path: Path) -> dict[str, Any]:
    """The plan document at ``path``; raises ConfigError listing every problem, each named by
    its JSON path (or the file, when it cannot be read as JSON at all)."""
    return read_checked_document(path).plan


def read_checked_document(path: Path) -> CheckedDocument:
    """What ``hlz check`` reads at ``path`` — an ``hlz plan --json`` plan, ``pulumi preview
    --json`` output or a ``pulumi stack export`` (``hlz.documents``) — as a plan document, with
    what it was; raises ConfigError listing every problem, each named by its JSON path."""
    from hlz.documents import as_plan

    label = str(path)

    def refuse(message: str) -> ConfigError:
        return refused([(label, message)], SOURCE)

    if not path.exists():
        raise refuse("no such file")
    if not path.is_file():
        raise refuse("not a file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise refuse(f"cannot be read ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise refuse(f"not UTF-8 text (byte {error.start} is 0x{data[error.start]:02x})") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise refuse(f"not a plan: nested too deeply (a plan has < {MAX_DEPTH} levels)") from None
    except ValueError as error:
        raise refuse(f"not JSON ({error})") from None
    checked, problems = as_plan(document)
    if checked is None:
        raise refused(problems, f"{SOURCE} {label}")
    problems = plan_document_problems(checked.plan)
    if problems:
        raise refused(problems, f"{SOURCE} {label}")
    return checked


def refused(problems: list[tuple[str, str]], source: str) -> ConfigError:
    """The ConfigError (exit 2) naming ``problems``. ``components.errors`` (and the difflib it
    loads for spelling hints) is imported only here: a check of a good plan never needs it."""
    from components.errors import ConfigError

    return ConfigError(problems, source)


def plan_document_problems(document: Any) -> list[tuple[str, str]]:
    """Every shape problem of a plan document as ``(JSON path, message)`` pairs."""
    if not isinstance(document, dict):
        return [("(document)", f"not a plan: a JSON object with 'steps' is expected; {HINT}")]
    problems: list[tuple[str, str]] = []
    if "steps" not in document:
        problems.append(("steps", f"required key is missing: not a plan; {HINT}"))
    elif not isinstance(document["steps"], list):
        problems.append(("steps", f"must be a list, not {_kind(document['steps'])}"))
    else:
        first_seen: dict[str, int] = {}
        for index, step in enumerate(document["steps"]):
            problems += _step_problems(index, step, first_seen)
    problems += _meta_problems(document)
    for name, value in document.items():
        if name not in ("steps", "hlz") and too_deep(value, MAX_DEPTH - 1):
            problems.append((name, f"nested more than {MAX_DEPTH} levels deep"))
    return problems


def _step_problems(index: int, step: Any, first_seen: dict[str, int]) -> list[tuple[str, str]]:
    where = f"steps[{index}]"
    if not isinstance(step, dict):
        return [(where, f"must be an object, not {_kind(step)}")]
    problems = [
        (f"{where}.{name}", f"must be a string, not {_kind(step[name])}")
        for name in ("op", "urn")
        if name in step and not isinstance(step[name], str)
    ]
    if "newState" not in step:
        return [*problems, (f"{where}.newState", "required key is missing")]
    state = step["newState"]
    where = f"{where}.newState"
    if not isinstance(state, dict):
        return [*problems, (where, f"must be an object, not {_kind(state)}")]
    for name in ("urn", "type"):
        value = state.get(name)
        if name not in state:
            problems.append((f"{where}.{name}", "required key is missing"))
        elif not isinstance(value, str) or not value:
            problems.append((f"{where}.{name}", f"must be a non-empty string, not {_kind(value)}"))
    urn = state.get("urn")
    if isinstance(urn, str) and urn:
        first = first_seen.setdefault(urn, index)
        if first != index:
            problems.append((f"{where}.urn", f"'{urn}' is also at steps[{first}]; URNs are unique"))
    for name in ("custom", "external"):
        if name in state and not isinstance(state[name], bool):
            problems.append((f"{where}.{name}", f"must be a boolean, not {_kind(state[name])}"))
    if state.get("parent") is not None and not isinstance(state["parent"], str):
        problems.append(
            (f"{where}.parent", f"must be a string or null, not {_kind(state['parent'])}")
        )
    if "inputs" in state:
        inputs = state["inputs"]
        if not isinstance(inputs, dict):
            problems.append((f"{where}.inputs", f"must be an object, not {_kind(inputs)}"))
        elif too_deep(inputs, MAX_DEPTH - 3):
            problems.append((f"{where}.inputs", f"nested more than {MAX_DEPTH} levels deep"))
    if "dependencies" in state and not _strings(state["dependencies"]):
        problems.append((f"{where}.dependencies", "must be a list of strings (URNs)"))
    if "propertyDependencies" in state:
        dependencies = state["propertyDependencies"]
        if not isinstance(dependencies, dict):
            problems.append(
                (f"{where}.propertyDependencies", f"must be an object, not {_kind(dependencies)}")
            )
        else:
            problems += [
                (f"{where}.propertyDependencies.{name}", "must be a list of strings (URNs)")
                for name, urns in dependencies.items()
                if not _strings(urns)
            ]
    return problems


def _meta_problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    if "hlz" not in document:
        return []
    meta = document["hlz"]
    if not isinstance(meta, dict):
        return [("hlz", f"must be an object, not {_kind(meta)}")]
    problems = []
    profile = meta.get("profile")
    if profile is not None and profile not in PROFILES:
        problems.append(
            ("hlz.profile", f"{profile!r} is not {' or '.join(repr(p) for p in PROFILES)}")
        )
    if "stack" in meta and not isinstance(meta["stack"], str):
        problems.append(("hlz.stack", f"must be a string, not {_kind(meta['stack'])}"))
    if too_deep(meta, MAX_DEPTH - 1):
        problems.append(("hlz", f"nested more than {MAX_DEPTH} levels deep"))
    return problems


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def too_deep(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects or lists more than ``limit`` levels (no recursion)."""
    pending = [(value, 0)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict):
            children = list(current.values())
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth >= limit:
            return True
        pending += [(child, depth + 1) for child in children]
    return False


def _kind(value: Any) -> str:
    """The JSON name of ``value``'s type, as a reader of the file calls it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string" if value else "an empty string"
    if isinstance(value, list):
        return "a list"
    return "an object"
