"""Entry point shared by ``pulumi up`` and ``hlz plan``: run the layer the stack's ``hlz:layer``
names (stacks/registry.py). Each layer validates its config before registering anything."""

from __future__ import annotations

import pulumi

from components.errors import ConfigError, component_arguments
from stacks import registry
from stacks.common import key, read_namespace


def main() -> None:
    raw = read_namespace()
    layer = registry.layer_named(raw.get("layer"))
    if layer is None:
        raise ConfigError(
            [(key("layer"), registry.unknown_layer_problem(raw.get("layer")))],
            "stack configuration",
        )
    with component_arguments():
        layer.run(raw, pulumi.get_stack())
