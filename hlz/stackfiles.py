"""Find and read ``Pulumi.<stack>.yaml`` files at the project root.

A stack name is checked before any file is read (it becomes part of file names), and a stack
file is read with the strict YAML loader: duplicate or non-text keys, alias bombs, deep nesting
and bytes that are not UTF-8 are a ConfigError naming the file and line (exit 2).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from components.errors import ConfigError
from policies.yaml_input import YamlInputError, read_yaml
from stacks.common import Profile, stack_name_problem

PROFILES: tuple[str, ...] = get_args(Profile)


def project_root() -> Path:
    """The directory holding Pulumi.yaml (the repository root)."""
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StackFile:
    name: str
    path: Path
    config: dict[str, Any]
    """Full keys (``hlz:profile``) -> values as written in YAML (objects stay objects)."""

    @property
    def layer(self) -> str | None:
        """``hlz:layer`` as written (hlz's own program refuses an unknown layer; a program of
        one's own, ``hlz plan --program``, may name its layer as it likes)."""
        value = self.config.get("hlz:layer")
        return value if isinstance(value, str) else None

    @property
    def profile(self) -> str | None:
        """``hlz:profile``, None when it is not set; a value that is not a profile is a
        ConfigError naming the key (the policy pack's enforcement depends on it)."""
        return self._one_of("hlz:profile", PROFILES)

    def _one_of(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.config.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value in allowed:
            return value
        raise ConfigError(
            [(key, f"{value!r} is not one of {', '.join(allowed)}")],
            f"stack file {self.path.name}",
        )

    def hlz_config(self) -> dict[str, Any]:
        """The ``hlz:*`` keys without their namespace, as the config models read them."""
        return {
            key.removeprefix("hlz:"): value
            for key, value in self.config.items()
            if key.startswith("hlz:")
        }

    def runtime_config(self) -> dict[str, str]:
        """The config map as the Pulumi engine hands it to a program: strings, with objects
        and lists as JSON text, secure values never decrypted offline."""
        values: dict[str, str] = {}
        for key, value in self.config.items():
            if isinstance(value, dict) and set(value) == {"secure"}:
                values[key] = "[secret]"
            elif isinstance(value, str):
                values[key] = value
            else:
                # YAML dates and numbers reach a program as text, as the Pulumi CLI hands them over.
                values[key] = json.dumps(value, default=str)
        return values

    def secret_keys(self) -> list[str]:
        return [
            key
            for key, value in self.config.items()
            if isinstance(value, dict) and set(value) == {"secure"}
        ]


def available_stacks(root: Path | None = None) -> list[str]:
    root = root or project_root()
    return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in root.glob("Pulumi.*.yaml"))


def check_stack_names(names: Iterable[str]) -> None:
    """Raise ConfigError listing every name that cannot be a stack name (nothing read yet)."""
    problems = [("STACK", problem) for name in names if (problem := stack_name_problem(name))]
    if problems:
        raise ConfigError(problems, "stack selection")


def load_stack_file(stack: str, root: Path | None = None, path: Path | None = None) -> StackFile:
    """Read ``Pulumi.<stack>.yaml`` (or an explicit path); a bad stack name, a missing file or
    a malformed one is a ConfigError naming the stack or the file and line."""
    check_stack_names([stack])
    root = root or project_root()
    path = path or root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = ", ".join(available_stacks(root)) or "none"
        where = "at the project root" if root == project_root() else f"in {root}"
        raise ConfigError(
            [(stack, f"unknown stack: no {path.name} {where} (known stacks: {known})")],
            "stack selection",
        )
    try:
        document = read_yaml(path, path.name) or {}
    except YamlInputError as error:
        message = str(error).removeprefix(f"{path.name}: ")
        raise ConfigError([(path.name, message)], "stack file") from None
    except OSError as error:
        raise ConfigError(
            [(path.name, f"cannot be read ({error.strerror})")], "stack file"
        ) from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise ConfigError([(path.name, "has no 'config:' mapping")], "stack file")
    return StackFile(name=stack, path=path, config=config)


@dataclass(frozen=True)
class StackEntry:
    """One stack as ``hlz stacks`` lists it."""

    name: str
    layer: str | None
    profile: str | None
    landing_zone: str | None
    """The stack a lab reads its hub from (``hlz:landingZoneStack``, short name); None for a
    landing zone."""
    order: int
    """Position in the deploy sequence, from 1 (see ``stack_entries``)."""

    def to_json(self) -> dict[str, str | int]:
        """A GitHub Actions matrix row: strings and numbers only (a missing value is '')."""
        return {
            "stack": self.name,
            "layer": self.layer or "",
            "profile": self.profile or "",
            "landingZone": self.landing_zone or "",
            "order": self.order,
        }


def stack_entries(root: Path | None = None) -> list[StackEntry]:
    """Every ``Pulumi.<stack>.yaml`` in ``root`` (default: the project root), by name, with
    its deploy order: a stack comes after every stack it reads outputs from (a lab after its
    landing zone); among the stacks free to go next, the lab profile before production (a
    commit reaches the dev stacks first), then by name. For lz-dev, lab-dev, lz-prod and
    lab-prod that is the chain deploy.yml runs. Every unreadable file is reported at once
    (ConfigError naming the file and key)."""
    from hlz.plan import referenced_stacks
    from stacks import registry
    from stacks.common import key

    root = root or project_root()
    found: dict[str, tuple[StackFile, str | None, dict[str, str]]] = {}
    problems: list[tuple[str, str]] = []
    for name in available_stacks(root):
        try:
            stack_file = load_stack_file(name, root=root)
            profile = stack_file.profile  # a value that is no profile: ConfigError
            layer = registry.layer_named(stack_file.layer)
            references = referenced_stacks(stack_file, layer) if layer is not None else {}
        except ConfigError as error:
            label = f"Pulumi.{name}.yaml"
            problems += [
                (k if k == label else f"{label} {k}", message) for k, message in error.problems
            ]
            continue
        found[name] = (stack_file, profile, references)
    if problems:
        raise ConfigError(problems, "stack files")
    landing_zone_key = key(registry.LANDING_ZONE_REFERENCE)
    order = _deploy_order(
        {
            name: (PROFILES.index(profile) if profile else len(PROFILES), set(refs.values()))
            for name, (_, profile, refs) in found.items()
        }
    )
    return [
        StackEntry(
            name=name,
            layer=stack_file.layer,
            profile=profile,
            landing_zone=references.get(landing_zone_key),
            order=order[name],
        )
        for name, (stack_file, profile, references) in found.items()
    ]


def _deploy_order(stacks: dict[str, tuple[int, set[str]]]) -> dict[str, int]:
    """Stack -> position from 1, given each stack's profile rank and the stacks it reads: a
    topological order, ties by (profile rank, name). References to stacks outside the project
    are ignored; a cycle (the planner refuses one) is placed last, by name."""
    waiting = {
        name: {ref for ref in refs if ref in stacks and ref != name}
        for name, (_, refs) in stacks.items()
    }
    readers: dict[str, list[str]] = {name: [] for name in stacks}
    for name, refs in waiting.items():
        for ref in refs:
            readers[ref].append(name)
    ready = [(stacks[name][0], name) for name, refs in waiting.items() if not refs]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for reader in readers[name]:
            waiting[reader].discard(name)
            if not waiting[reader]:
                heapq.heappush(ready, (stacks[reader][0], reader))
    order += sorted(set(stacks) - set(order))
    return {name: position for position, name in enumerate(order, 1)}
