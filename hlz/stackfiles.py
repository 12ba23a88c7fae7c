"""Find and read ``Pulumi.<stack>.yaml`` files at the project root."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.errors import ConfigError


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
        value = self.config.get("hlz:layer")
        return value if isinstance(value, str) else None

    @property
    def profile(self) -> str | None:
        value = self.config.get("hlz:profile")
        return value if isinstance(value, str) else None

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


def load_stack_file(stack: str, root: Path | None = None, path: Path | None = None) -> StackFile:
    """Read ``Pulumi.<stack>.yaml`` (or an explicit path); a missing or malformed file is a
    ConfigError naming the stack."""
    root = root or project_root()
    path = path or root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = ", ".join(available_stacks(root)) or "none"
        raise ConfigError(
            [(stack, f"unknown stack: no {path.name} at the project root (known stacks: {known})")],
            "stack selection",
        )
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ConfigError([(path.name, f"not valid YAML: {error}")], "stack file") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise ConfigError([(path.name, "has no 'config:' mapping")], "stack file")
    return StackFile(name=stack, path=path, config=config)
