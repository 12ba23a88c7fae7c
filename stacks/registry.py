"""Every layer hlz's program can run, by its ``hlz:layer`` name: the one place a layer is named
outside its own folder. ``stacks/program.py`` runs the entry a stack names; ``hlz.plan`` parses
its config and plans the stacks it references from it. Adding a layer is adding an entry here.

A layer's config and program modules are imported only when its stack is planned or run, so
reading this table costs nothing (``pulumi_azure_native`` is large).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pulumi

from components.errors import ConfigError, component_arguments
from stacks.common import key, parse_model, stack_reference_problem


@dataclass(frozen=True)
class StackLayer:
    """What hlz needs to know about one layer."""

    name: str
    """The value of ``hlz:layer`` that selects it."""
    parse_config: Callable[[dict[str, Any]], object]
    """Shape-only parse of the stack's ``hlz:*`` keys (without the namespace): types, unknown
    and missing keys; raises ConfigError listing every problem. It needs no other stack: the
    planner runs it before planning the stacks this layer references, so a stack's own
    mistakes are reported before its dependencies cost anything."""
    run: Callable[[dict[str, Any], str], None]
    """The program (``stacks/program.py`` for ``pulumi up`` and ``hlz plan``): the raw ``hlz:*``
    config and the stack's name in; it validates the config fully, then registers resources."""
    validate_config: Callable[[dict[str, Any], str, Mapping[str, dict[str, Any]]], object]
    """Full validation of the stack's ``hlz:*`` keys: shape, then every semantic problem at
    once, given the outputs of the stacks it references (stack name -> outputs); raises
    ConfigError. What the program runs before registering anything."""
    references: tuple[str, ...] = ()
    """Config keys (without ``hlz:``) whose value names a stack this one reads outputs from
    (a ``pulumi.StackReference``): ``hlz plan`` plans those stacks first and answers the
    reference with their outputs. Default: none."""


def _parse_landing_zone(raw: dict[str, Any]) -> object:
    from stacks.landing_zone.config import SOURCE, LandingZoneConfig

    return parse_model(LandingZoneConfig, raw, SOURCE)


def _run_landing_zone(raw: dict[str, Any], stack: str) -> None:
    from stacks.landing_zone.config import load_landing_zone_config
    from stacks.landing_zone.program import run

    run(load_landing_zone_config(raw, stack))


def _validate_landing_zone(
    raw: dict[str, Any], stack: str, referenced: Mapping[str, dict[str, Any]]
) -> object:
    from stacks.landing_zone.config import load_landing_zone_config

    return load_landing_zone_config(raw, stack)


def _parse_ai_lab(raw: dict[str, Any]) -> object:
    from stacks.ai_lab.config import parse_ai_lab_config

    return parse_ai_lab_config(raw)


LANDING_ZONE_REFERENCE = "landingZoneStack"
"""The AI lab's key naming the landing-zone stack it is a spoke of."""


def _validate_ai_lab(
    raw: dict[str, Any], stack: str, referenced: Mapping[str, dict[str, Any]]
) -> object:
    from stacks.ai_lab.config import parse_ai_lab_config, validate_ai_lab_config

    config = parse_ai_lab_config(raw)
    reference = config.landing_zone_stack.rsplit("/", 1)[-1]
    validate_ai_lab_config(config, stack, dict(referenced.get(reference, {})))
    return config


def _run_ai_lab(raw: dict[str, Any], stack: str) -> None:
    from stacks.ai_lab.program import run

    reference = raw.get(LANDING_ZONE_REFERENCE)
    problem = stack_reference_problem(reference, stack) if isinstance(reference, str) else None
    if problem is not None:
        # Before the StackReference: a lab reading its own outputs is never what was meant.
        raise ConfigError([(key(LANDING_ZONE_REFERENCE), problem)], "AI-lab configuration")
    # Async: the lab validates its config against the landing zone's outputs first.
    async def program() -> None:
        with component_arguments():
            await run(raw, stack)

    pulumi.run(program)


LAYERS: Mapping[str, StackLayer] = MappingProxyType(
    {
        layer.name: layer
        for layer in (
            StackLayer(
                "landing_zone", _parse_landing_zone, _run_landing_zone, _validate_landing_zone
            ),
            StackLayer(
                "ai_lab",
                _parse_ai_lab,
                _run_ai_lab,
                _validate_ai_lab,
                references=(LANDING_ZONE_REFERENCE,),
            ),
        )
    }
)
"""Layer name -> entry, in the order error messages list them."""


def layer_named(name: object) -> StackLayer | None:
    """The registered layer ``hlz:layer`` names, or None (not a layer, or not text at all)."""
    return LAYERS.get(name) if isinstance(name, str) else None


def unknown_layer_problem(name: object) -> str:
    """What ``hlz:layer`` must be instead of ``name``."""
    return f"must be {' or '.join(LAYERS)}, not {name!r}"
