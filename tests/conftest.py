"""Shared fixtures: each example stack is planned once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hlz.engine.recording import Registration
from hlz.plan import Plan, Planner

ROOT = Path(__file__).resolve().parent.parent
PLANNER = Planner()
"""The session's planner: it keeps every example stack it planned, referenced ones too."""


def planned(stack: str) -> Plan:
    """Plan ``stack`` once per session (referenced stacks are shared too)."""
    return PLANNER.planned(stack)


@pytest.fixture(scope="session")
def planner() -> Planner:
    """The session's ``PLANNER``, for tests that plan through hlz's commands (which take a
    planner): each stack is then planned once per session, shared with the plan fixtures. Take
    it from this fixture: ``from tests.conftest import PLANNER`` names a second module (pytest
    loads this file as ``conftest``) with a planner of its own."""
    return PLANNER


@pytest.fixture(scope="session")
def lz_dev() -> Plan:
    return planned("lz-dev")


@pytest.fixture(scope="session")
def lz_prod() -> Plan:
    return planned("lz-prod")


@pytest.fixture(scope="session", params=["lz-dev", "lz-prod"])
def landing_zone_plan(request: pytest.FixtureRequest) -> Plan:
    return planned(request.param)


def run_components(program: Callable[[], None], stack: str = "unit") -> list[Registration]:
    """Register resources from ``program`` under the plan's mocks; return what was registered."""
    from tests.component_support import run_unit

    return run_unit(program, stack).registrations


def of_type(registrations: list[Registration], token: str) -> list[Registration]:
    return [r for r in registrations if r.type == token]


def one(registrations: list[Registration], token: str) -> Registration:
    matches = of_type(registrations, token)
    assert len(matches) == 1, f"expected one {token}, found {len(matches)}"
    return matches[0]


@pytest.fixture(scope="session")
def lab_dev() -> Plan:
    return planned("lab-dev")


@pytest.fixture(scope="session")
def lab_prod() -> Plan:
    return planned("lab-prod")


@pytest.fixture(scope="session", params=["lab-dev", "lab-prod"])
def lab_plan(request: pytest.FixtureRequest) -> Plan:
    return planned(request.param)


def register_layer(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    parse: Callable[[dict[str, Any]], object],
    run: Callable[[dict[str, Any], str], None],
    references: tuple[str, ...] = (),
) -> None:
    """Register a made-up layer for one test (``stacks.registry.LAYERS``), as adding a real
    layer would: its config parse is also its full validation."""
    from types import MappingProxyType

    from stacks import registry

    layer = registry.StackLayer(
        name=name,
        parse_config=parse,
        run=run,
        validate_config=lambda raw, stack, referenced: parse(raw),
        references=references,
    )
    monkeypatch.setattr(registry, "LAYERS", MappingProxyType({**registry.LAYERS, name: layer}))
