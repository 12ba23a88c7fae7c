"""``hlz check`` on a plan document that is not one: exit 2 naming the step and what is wrong,
never "the stack program failed" (hlz/plan_document.py)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hlz.plan import Plan
from hlz.plan_document import read_plan_document
from tests.cli_runner import run_hlz

Mutation = Callable[[dict[str, Any]], None]


def _custom_index(document: dict[str, Any]) -> int:
    return next(i for i, s in enumerate(document["steps"]) if s["newState"]["custom"])


def _mutate_step(change: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        change(document["steps"][_custom_index(document)])

    return mutate


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"x": value}
    return value


@pytest.mark.parametrize(
    ("mutate", "where", "fragment"),
    [
        (_mutate_step(lambda s: s.pop("newState")), "newState", "required"),
        (lambda d: d.update(steps={"a": 1}), "steps", "must be a list"),
        (lambda d: d["steps"].append("create"), "steps[LAST]", "must be an object"),
        (_mutate_step(lambda s: s["newState"].update(inputs=[])), "newState.inputs", "object"),
        (_mutate_step(lambda s: s["newState"].pop("type")), "newState.type", "required"),
        (_mutate_step(lambda s: s["newState"].update(type=["x"])), "newState.type", "string"),
        (_mutate_step(lambda s: s["newState"].update(urn=7)), "newState.urn", "string"),
        (_mutate_step(lambda s: s.update(op=None)), ".op", "string"),
        (
            _mutate_step(lambda s: s["newState"].update(dependencies="urn:x")),
            "newState.dependencies",
            "list of strings",
        ),
        (
            _mutate_step(lambda s: s["newState"].update(propertyDependencies={"a": "urn:x"})),
            "newState.propertyDependencies.a",
            "list of strings",
        ),
        (_mutate_step(lambda s: s["newState"].update(custom="yes")), "newState.custom", "boolean"),
        (
            _mutate_step(lambda s: s["newState"]["inputs"].update(deep=_deep(200))),
            "newState.inputs",
            "nested more than",
        ),
        (lambda d: d["hlz"].update(profile="staging"), "hlz.profile", "'lab' or 'production'"),
        (lambda d: d.update(hlz=[]), "hlz", "must be an object"),
        (
            lambda d: d["steps"].append(copy.deepcopy(d["steps"][_custom_index(d)])),
            "steps[LAST].newState.urn",
            "also at steps[",
        ),
    ],
    ids=[
        "missing_new_state",
        "steps_not_a_list",
        "step_not_an_object",
        "inputs_not_an_object",
        "type_missing",
        "type_not_a_string",
        "urn_not_a_string",
        "op_not_a_string",
        "dependencies_not_a_list",
        "property_dependencies_not_lists",
        "custom_not_a_bool",
        "inputs_too_deep",
        "unknown_profile",
        "hlz_section_not_an_object",
        "duplicate_urn",
    ],
)
def test_malformed_plan_exits_2_naming_the_step(
    lz_dev: Plan, tmp_path: Path, mutate: Mutation, where: str, fragment: str
):
    document = copy.deepcopy(lz_dev.to_json())
    mutate(document)
    index = _custom_index(lz_dev.to_json())
    where = where.replace("LAST", str(len(document["steps"]) - 1) if "steps" in document else "")
    if not where.startswith(("steps", "hlz")):
        where = f"steps[{index}]" + (where if where.startswith(".") else f".{where}")
    expected = where
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    code, _, err = run_hlz("check", path)
    assert code == 2, err
    assert "the stack program failed" not in err
    line = next((line for line in err.splitlines() if line.startswith(f"  - {expected}")), None)
    assert line is not None and fragment in line, err


def test_every_problem_of_a_plan_is_listed(lz_dev: Plan, tmp_path: Path):
    document = copy.deepcopy(lz_dev.to_json())
    document["steps"][0]["newState"].pop("urn")
    document["steps"][1]["newState"]["inputs"] = "none"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    code, _, err = run_hlz("check", path)
    assert code == 2
    assert "(2 problems)" in err
    assert "steps[0].newState.urn" in err and "steps[1].newState.inputs" in err


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"steps": [}', "not JSON"),
        (b"[]", "not a plan"),
        (b"{}", "not a plan"),
    ],
    ids=["deep_json", "not_utf8", "not_json", "a_list", "no_steps"],
)
def test_unreadable_plan_files_exit_2(tmp_path: Path, content: bytes, fragment: str):
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    code, _, err = run_hlz("check", path)
    assert code == 2
    assert fragment in err and "the stack program failed" not in err


def test_a_directory_is_not_a_plan(tmp_path: Path):
    code, _, err = run_hlz("check", tmp_path)
    assert code == 2 and "not a file" in err


def test_a_written_plan_is_accepted_unchanged(lz_dev: Plan, tmp_path: Path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(lz_dev.to_json()))
    assert read_plan_document(path) == json.loads(path.read_text())
