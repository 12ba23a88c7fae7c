"""Find and read ``Pulumi.<stack>.yaml`` files at the project root.

A stack name is checked before any file is read (it becomes part of file names), and a stack
file is read with the strict YAML loader: duplicate or non-text keys, alias bombs, deep nesting
and bytes that are not UTF-8 are a ConfigError naming the file and line (exit 2).
"""

from __future__ import annotations

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
        raise ConfigError(
            [(stack, f"unknown stack: no {path.name} at the project root (known stacks: {known})")],
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
