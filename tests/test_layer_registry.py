"""A layer is one entry in stacks/registry.py: a third layer that reads another stack's outputs
plans, with its referenced stack planned first, without touching the planner or the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from components.errors import ConfigError
from hlz.plan import Planner
from stacks import registry
from stacks.common import key
from tests.cli_runner import run_hlz
from tests.conftest import register_layer

RELAY = "relay"
"""The fake layer: a stack that exports ``hlz:message`` and, with ``hlz:upstreamStack``, tags a
resource group with the message its upstream stack exported."""


def _parse_relay(raw: dict[str, Any]) -> object:
    problems = [
        (key(name), "must be text")
        for name in ("message", "upstreamStack")
        if name in raw and not isinstance(raw[name], str)
    ]
    if problems:
        raise ConfigError(problems, "relay configuration")
    return raw


RUNS: list[str] = []


def _run_relay(raw: dict[str, Any], stack: str) -> None:
    from pulumi_azure_native import resources

    RUNS.append(stack)
    tags: dict[str, Any] = {"message": raw["message"]}
    upstream = raw.get("upstreamStack")
    if upstream is not None:
        tags["upstream"] = pulumi.StackReference(upstream).get_output("message")
    resources.ResourceGroup(
        "relay", resource_group_name=f"rg-{stack}", location="eastus2", tags=tags
    )
    pulumi.export("message", raw["message"])


@pytest.fixture
def relay_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    register_layer(monkeypatch, RELAY, _parse_relay, _run_relay, references=("upstreamStack",))
    RUNS.clear()


def _relay(directory: Path, stack: str, message: Any, upstream: str | None = None) -> Path:
    config: dict[str, Any] = {"hlz:layer": RELAY, "hlz:profile": "lab", "hlz:message": message}
    if upstream is not None:
        config["hlz:upstreamStack"] = upstream
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


def _tags(plan: Any) -> dict[str, Any]:
    (group,) = plan.of_type("azure-native:resources:ResourceGroup")
    return group.inputs["tags"]


def test_a_registered_layer_plans_with_its_referenced_stack_planned_first(
    relay_layer: None, tmp_path: Path
):
    from hlz.stackfiles import load_stack_file

    _relay(tmp_path, "relay-a", "hello from a")
    path = _relay(tmp_path, "relay-b", "hello from b", upstream="org/hlz/relay-a")
    plan = Planner().plan("relay-b", stack_file=load_stack_file("relay-b", path=path))
    assert RUNS == ["relay-a", "relay-b"]
    assert plan.layer == RELAY
    assert list(plan.referenced or {}) == ["relay-a"]
    assert _tags(plan) == {"message": "hello from b", "upstream": "hello from a"}
    assert plan.outputs == {"message": "hello from b"}


def test_a_planner_plans_a_stack_two_others_reference_once(relay_layer: None, tmp_path: Path):
    from hlz.stackfiles import load_stack_file

    _relay(tmp_path, "relay-a", "shared")
    planner = Planner()
    plans = []
    for name in ("relay-b", "relay-c"):
        path = _relay(tmp_path, name, name, upstream="relay-a")
        plans.append(planner.plan(name, stack_file=load_stack_file(name, path=path)))
    assert RUNS == ["relay-a", "relay-b", "relay-c"]
    first, second = ((plan.referenced or {})["relay-a"] for plan in plans)
    assert first is second


def test_hlz_plan_runs_a_registered_layer(relay_layer: None, tmp_path: Path):
    _relay(tmp_path, "relay-a", "hello")
    path = _relay(tmp_path, "relay-b", "hi", upstream="relay-a")
    out = tmp_path / "relay-b.plan.json"
    code, stdout, err = run_hlz("plan", "relay-b", "--stack-file", path, "--json", out)
    assert code in (0, 1), err
    assert "Plan for stack relay-b (layer relay)" in stdout
    assert "reads the outputs of relay-a" in stdout
    assert '"layer": "relay"' in out.read_text()


def test_a_layers_own_config_errors_come_before_its_referenced_stack_is_planned(
    relay_layer: None, tmp_path: Path
):
    # relay-a does not exist: reading it would be a different error, naming the stack.
    path = _relay(tmp_path, "relay-b", ["not", "text"], upstream="relay-a")
    code, _, err = run_hlz("plan", "relay-b", "--stack-file", path, "--quiet")
    assert code == 2, err
    assert "invalid relay configuration (1 problem)" in err and "hlz:message" in err, err
    assert RUNS == []


def test_a_broken_referenced_stack_is_named_with_the_layers_reference_key(
    relay_layer: None, tmp_path: Path
):
    _relay(tmp_path, "relay-a", ["not", "text"])
    path = _relay(tmp_path, "relay-b", "hi", upstream="relay-a")
    code, _, err = run_hlz("plan", "relay-b", "--stack-file", path, "--quiet")
    assert code == 2, err
    assert "of relay-a (hlz:upstreamStack of relay-b)" in err, err


def test_an_unknown_layer_names_every_registered_layer(relay_layer: None, tmp_path: Path):
    path = tmp_path / "Pulumi.odd.yaml"
    path.write_text(yaml.safe_dump({"config": {"hlz:layer": "hub", "hlz:upstreamStack": "x"}}))
    code, _, err = run_hlz("plan", "odd", "--stack-file", path, "--quiet")
    assert code == 2, err
    assert "hlz:layer: must be landing_zone or ai_lab or relay, not 'hub'" in err, err


def test_the_registry_names_the_two_shipped_layers():
    assert list(registry.LAYERS) == ["landing_zone", "ai_lab"]
    assert registry.LAYERS["ai_lab"].references == ("landingZoneStack",)
    assert registry.LAYERS["landing_zone"].references == ()
