"""Which ARM resource type and REST API version an azure-native type token stands for.

- ``azure-native:<module>:<Type>``: ARM type from ``policies.arm_types`` (namespace, then the
  collections outermost first); API version from the installed SDK class's docstring ("Uses
  Azure REST API version YYYY-MM-DD").
- ``azure-native:<module>/vYYYYMMDD:<Type>``: ARM type as the unversioned token; API version
  from that versioned module's class.
- ``azure-native:resources:ResourceGroup``: ``Microsoft.Resources/resourceGroups`` (the engine
  builds its ids itself, so ``ARM_PATHS`` leaves it out); API version as above.
- ``azure-native:resources:Resource``: ARM type from its ``resourceProviderNamespace``,
  ``parentResourcePath`` and ``resourceType`` inputs; API version from its ``apiVersion`` input.

Nothing here is a hand-kept version list: upgrading pulumi-azure-native moves the versions, and
``tools/refresh_bicep_types.py --check`` then fails until the matching type files are vendored.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.arm_types import GENERIC_RESOURCE, arm_type
from policies.normalise import generic_arm_type

__all__ = [
    "GENERIC_RESOURCE",
    "ResourceSpec",
    "arm_type_for_token",
    "generic_resource_spec",
    "resource_spec",
    "sdk_api_version",
]

# Typed tokens ARM_PATHS leaves out because the offline engine builds their ids itself.
_SUBSCRIPTION_LEVEL_TYPES = {
    "azure-native:resources:ResourceGroup": "Microsoft.Resources/resourceGroups",
}

_VERSIONED_TOKEN = re.compile(
    r"^azure-native:(?P<module>[A-Za-z0-9]+)(?P<version>/v\w+)?:(?P<type>\w+)$"
)
_API_VERSION = re.compile(r"Uses Azure REST API version (\d{4}-\d{2}-\d{2}(?:-[A-Za-z]+)?)")


@dataclass(frozen=True)
class ResourceSpec:
    arm_type: str
    """``Microsoft.Storage/storageAccounts/blobServices``: namespace and type segments."""
    api_version: str


def _unversioned(token: str) -> str:
    match = _VERSIONED_TOKEN.match(token)
    if match is None:
        return token
    return f"azure-native:{match['module']}:{match['type']}"


def arm_type_for_token(token: str) -> str | None:
    token = _unversioned(token)
    if token in _SUBSCRIPTION_LEVEL_TYPES:
        return _SUBSCRIPTION_LEVEL_TYPES[token]
    return arm_type(token)


@functools.cache
def _sdk_root() -> Path | None:
    spec = importlib.util.find_spec("pulumi_azure_native")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def _snake(name: str) -> str:
    """The SDK's file name for a class (``PublicIPAddress`` -> ``public_ip_address``)."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


@functools.cache
def _class_source(token: str) -> str | None:
    """Source of the SDK module declaring ``token`` (``@pulumi.type_token("<token>")``)."""
    root = _sdk_root()
    match = _VERSIONED_TOKEN.match(token)
    if root is None or match is None:
        return None
    folder = root / match["module"] / (match["version"] or "").strip("/")
    marker = f'@pulumi.type_token("{token}")'
    guess = folder / f"{_snake(match['type'])}.py"
    if not folder.is_dir():
        return None
    for path in _guess_first(guess, folder):
        if path.is_file():
            source = path.read_text(encoding="utf-8")
            if marker in source:
                return source
    return None


def _guess_first(guess: Path, folder: Path) -> Iterator[Path]:
    """The file named after the class, then (only when it is not that one) every file of the
    folder: listing and sorting a large SDK folder costs more than the rest of a check."""
    yield guess
    yield from sorted(folder.glob("*.py"))


def sdk_api_version(token: str) -> str | None:
    """The REST API version the installed SDK sends for ``token``, from its class docstring."""
    source = _class_source(token)
    match = _API_VERSION.search(source) if source else None
    return match.group(1) if match else None


def generic_resource_spec(inputs: Mapping[str, Any]) -> ResourceSpec | None:
    """The typed resource a generic ``azure-native:resources:Resource`` creates, None when its
    inputs do not say (unknown during a preview, or missing)."""
    full_type = generic_arm_type(inputs)
    api_version = inputs.get("apiVersion")
    if full_type is None or not isinstance(api_version, str) or not api_version:
        return None
    if "[" in full_type or api_version.startswith("["):
        return None  # "[unknown]" in a preview: nothing to check against yet
    return ResourceSpec(full_type, api_version)


def resource_spec(token: str, inputs: Mapping[str, Any] | None = None) -> ResourceSpec | None:
    if token == GENERIC_RESOURCE:
        return generic_resource_spec(inputs or {})
    full_type = arm_type_for_token(token)
    api_version = sdk_api_version(token)
    if full_type is None or api_version is None:
        return None
    return ResourceSpec(full_type, api_version)
