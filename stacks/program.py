"""Entry point shared by ``pulumi up`` and ``hlz plan``: validate the stack's config, then run
the layer it names. Nothing is registered before the config is valid."""

from __future__ import annotations

from typing import get_args

import pulumi

from components.errors import ConfigError
from stacks.common import Layer, key, read_namespace, stack_reference_problem


def main() -> None:
    raw = read_namespace()
    layer = raw.get("layer")
    stack = pulumi.get_stack()
    if layer == "landing_zone":
        from stacks.landing_zone.config import load_landing_zone_config
        from stacks.landing_zone.program import run as run_landing_zone

        run_landing_zone(load_landing_zone_config(raw, stack))
    elif layer == "ai_lab":
        from stacks.ai_lab.program import run as run_ai_lab

        reference = raw.get("landingZoneStack")
        problem = stack_reference_problem(reference, stack) if isinstance(reference, str) else None
        if problem is not None:
            # Before the StackReference: a lab reading its own outputs is never what was meant.
            raise ConfigError([(key("landingZoneStack"), problem)], "AI-lab configuration")
        # Async: the lab validates its config against the landing zone's outputs first.
        pulumi.run(lambda: run_ai_lab(raw, stack))
    else:
        raise ConfigError(
            [(key("layer"), f"must be {' or '.join(get_args(Layer))}, not {layer!r}")],
            "stack configuration",
        )
