"""Config validation is at least as strict as the components it feeds.

A value a component's ``*Args`` model refuses must be refused when the stack's config is read,
as exit 2 naming the ``hlz:`` key — never discovered halfway through a program (exit 3, or a
failed ``pulumi up``). The walk below takes every key the config models declare, gives each a
set of hostile values in an example stack, and plans every variant the config accepts: the
program may then only succeed or stop with a ``ConfigError``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from components.errors import ConfigError
from hlz.stackfiles import StackFile, load_stack_file
from stacks import registry
from tests.cli_runner import run_hlz
from tests.conftest import PLANNER, ROOT

EXAMPLES = ("lz-dev", "lz-prod", "lab-dev", "lab-prod")

# Values that break some component's expectations: empty, blank, wildcard, a URL where a host
# is expected, over-long, invisible, a path; out-of-range and wrong-kind numbers and booleans.
HOSTILE: dict[type, tuple[Any, ...]] = {
    str: ("", "*", "https://a.example/p", "x" * 300, "\u200b" * 4),
    bool: ("yes",),
    int: (0, -1, True),
    list: ([],),
    dict: ({},),
}

# Keys no example stack sets, with a valid value to start from (and so to mutate).
REASON = {"reason": "de-identified notes only, approved by IRB-2291", "expires": "2099-01-01"}
UNSET_IN_EXAMPLES: dict[tuple[str, tuple[str | int, ...]], Any] = {
    ("lz-dev", ("ddosProtectionOverride",)): REASON,
    ("lz-dev", ("vpnGateway",)): {"sku": "VpnGw1AZ", "clientAddressPool": "172.16.201.0/24"},
    ("lz-dev", ("hub", "subnets", "gateway")): "10.0.0.192/27",
    ("lz-prod", ("bastionNativeClientOverride",)): REASON,  # Standard Bastion only
    ("lab-dev", ("openai", "allowedFqdns")): ["api.example.org"],
    ("lab-dev", ("openai", "deployments", 0, "dataResidencyOverride")): REASON,
    ("lab-dev", ("openai", "contentFilters", "relaxed", "promptShieldOverride")): REASON,
    ("lab-prod", ("aiGateway", "creationOverride")): REASON,
    ("lab-prod", ("aiGateway", "bodyLogging")): {
        **REASON,
        "workspaceId": "/subscriptions/00000000-0000-4000-8000-000000000009/resourceGroups/"
        "rg-phi/providers/Microsoft.OperationalInsights/workspaces/log-phi-approved",
    },
}


KeyPath = tuple[str | int, ...]
"""Where a value sits in a stack's hlz: config: keys and list positions."""


def leaves(node: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    if isinstance(node, dict):
        if path:
            yield path, node
        for name, value in node.items():
            yield from leaves(value, (*path, name))
    elif isinstance(node, list):
        yield path, node
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path, node


def declared_keys(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every key path a config model declares (camelCase), into nested models, lists and
    dicts (``*`` for an index or a free-form name)."""
    for name, field in model.model_fields.items():
        path = (*prefix, field.alias or name)
        yield from _declared(field.annotation, path)


def _declared(annotation: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from declared_keys(annotation, path)
        return
    origin = get_origin(annotation)
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if origin in (list, dict):
        yield path
        yield from _declared(args[-1], (*path, "*"))
    elif args and any(isinstance(arg, type) and issubclass(arg, BaseModel) for arg in args):
        for arg in args:
            yield from _declared(arg, path)
    else:
        yield path


@functools.cache
def _stack_file(stack: str) -> StackFile:
    return load_stack_file(stack)


def raw_config(stack: str) -> dict[str, Any]:
    return copy.deepcopy(_stack_file(stack).hlz_config())


@functools.cache
def _declared_keys(stack: str) -> tuple[tuple[str, ...], ...]:
    return tuple(declared_keys(type(_layer(stack).parse_config(raw_config(stack)))))


def _bases() -> Iterator[tuple[str, dict[str, Any]]]:
    """Each example stack's config, then one variant per key no example sets."""
    for stack in EXAMPLES:
        yield stack, raw_config(stack)
    for (stack, path), value in UNSET_IN_EXAMPLES.items():
        raw = copy.deepcopy(raw_config(stack))
        set_value(raw, path, value)
        yield stack, raw


def set_value(root: dict[str, Any], path: KeyPath, value: Any) -> None:
    node: Any = root
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    node[path[-1]] = value


def mutations() -> list[tuple[str, dict[str, Any], KeyPath, Any]]:
    """Each declared key once (in the first example that sets it: the other entries of a list
    or free-form table, and the other examples, go through the same types), with every hostile
    value of its kind."""
    found: list[tuple[str, dict[str, Any], KeyPath, Any]] = []
    done: set[tuple[str, ...]] = set()
    for stack, raw in _bases():
        declared = _declared_keys(stack)
        for path, value in leaves(raw):
            key = next((key for key in declared if _matches(key, path)), None)
            if key is None or key in done:
                continue
            done.add(key)
            for hostile in HOSTILE.get(type(value), ()):
                found.append((stack, raw, path, hostile))
    return found


def config_accepts(stack: str, raw: dict[str, Any]) -> bool:
    """Whether the stack's config validation (shape, then semantics against its referenced
    landing zone) accepts ``raw``."""
    stack_file = _stack_file(stack)
    layer = _layer(stack)
    try:
        layer.validate_config(raw, stack, _referenced_outputs(stack_file))
    except ConfigError:
        return False
    return True


def _layer(stack: str) -> registry.StackLayer:
    layer = registry.layer_named(_stack_file(stack).layer)
    assert layer is not None
    return layer


def _referenced_outputs(stack_file: StackFile) -> dict[str, dict[str, Any]]:
    from hlz.plan import referenced_stacks

    layer = registry.layer_named(stack_file.layer)
    assert layer is not None
    return {
        name: PLANNER.planned(name).outputs
        for name in referenced_stacks(stack_file, layer).values()
    }


def test_every_declared_key_is_exercised():
    """The walk reaches every key the config models declare: each is set in an example stack
    or given a starting value here."""
    exercised = [path for stack, raw in _bases() for path, _ in leaves(raw)]
    declared = {key for stack in EXAMPLES for key in _declared_keys(stack)}
    assert sorted(key for key in declared if not any(_matches(key, p) for p in exercised)) == []


def _matches(declared: tuple[str, ...], path: KeyPath) -> bool:
    return len(declared) == len(path) and all(
        want in ("*", part) for want, part in zip(declared, path, strict=True)
    )


@pytest.mark.parametrize(
    ("stack", "base", "path", "value"),
    [pytest.param(*case, id=f"{case[0]}:{'.'.join(map(str, case[2]))}={case[3]!r:.20}")
     for case in mutations()],
)
def test_a_value_the_config_accepts_never_fails_inside_a_component(stack, base, path, value):
    raw = copy.deepcopy(base)
    set_value(raw, path, value)
    if not config_accepts(stack, raw):
        return  # refused at config time, naming its key: what the test wants
    original = _stack_file(stack)
    config = {key: value for key, value in original.config.items() if not key.startswith("hlz:")}
    config.update({f"hlz:{key}": value for key, value in raw.items()})
    # A config error found while planning (a name, a reference) is still exit 2 naming a key.
    with contextlib.suppress(ConfigError):
        PLANNER.plan(stack, stack_file=StackFile(original.name, original.path, config))


def test_a_cors_origin_with_a_path_is_a_config_error(tmp_path: Path):
    """Health Data Services accepts only ``https://host[:port]``; the config used to accept
    any https:// prefix and the component then failed the plan with exit 3."""
    stack = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())
    stack["config"]["hlz:healthData"]["corsOrigins"] = ["https://viewer.example.org/app"]
    stack_file = tmp_path / "Pulumi.lab-cors.yaml"
    stack_file.write_text(yaml.safe_dump(stack))
    code, _, err = run_hlz("plan", "lab-cors", "--stack-file", stack_file)
    assert code == 2, err
    assert "hlz:healthData.corsOrigins[0]" in err
    assert "https://host[:port], no path" in err
