"""The shipped, dated catalogue of Azure OpenAI models the landing zone accepts.

Read with the strict YAML loader like every file people edit (labs change it); a malformed
catalogue is a ConfigError naming the file and the line or the entry, never a traceback."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from components.errors import ConfigError, problems_from_validation_error
from policies.yaml_input import YamlInputError, read_yaml

CATALOGUE_PATH = Path(__file__).with_name("model_catalogue.yaml")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCE = "model catalogue"

# SKUs whose processing stays in the US data zone or the deployment's own region; every other
# SKU (Global*) may process prompts anywhere in Azure's global fleet.
US_RESIDENT_SKUS = frozenset(
    {
        "Standard",
        "DataZoneStandard",
        "DataZoneProvisionedManaged",
        "ProvisionedManaged",
        "DataZoneBatch",
    }
)


class ModelVersion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    retires: date


class CatalogueModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    versions: dict[str, ModelVersion]
    skus: dict[str, list[str]]


class ModelCatalogue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    as_of: date
    models: dict[str, CatalogueModel]

    def problems(
        self, model: str, version: str, sku: str, location: str, today: date
    ) -> list[tuple[str, str]]:
        """Why this deployment cannot be made, as (config field, sentence) pairs."""
        entry = self.models.get(model)
        if entry is None:
            known = ", ".join(sorted(self.models))
            return [("model", f"unknown model '{model}' (catalogue of {self.as_of}: {known})")]
        found: list[tuple[str, str]] = []
        release = entry.versions.get(version)
        if release is None:
            known = ", ".join(sorted(entry.versions))
            found.append(("version", f"model '{model}' has no version '{version}' ({known})"))
        elif release.retires <= today:
            current = [v for v, r in sorted(entry.versions.items()) if r.retires > today]
            hint = f"; use {', '.join(current)}" if current else ""
            found.append(("version", f"'{model}' {version} retired on {release.retires}{hint}"))
        regions = entry.skus.get(sku)
        if regions is None:
            offered = ", ".join(sorted(entry.skus))
            found.append(("sku", f"SKU '{sku}' is not offered for '{model}' (offered: {offered})"))
        elif location not in regions:
            offered = ", ".join(regions)
            found.append(("sku", f"'{model}' {sku} is not offered in {location} (in: {offered})"))
        return found


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> ModelCatalogue:
    """The catalogue at ``path``; raises ConfigError naming the file and what is wrong."""
    label = _label(path)
    try:
        document = read_yaml(path, label)
    except YamlInputError as error:
        raise ConfigError([(label, str(error).removeprefix(f"{label}: "))], SOURCE) from None
    except OSError as error:
        raise ConfigError([(label, f"cannot be read ({error.strerror})")], SOURCE) from None
    try:
        return ModelCatalogue.model_validate(document)
    except ValidationError as error:
        problems = problems_from_validation_error(error, "")
        raise ConfigError(
            [(f"{label}: {where}" if where else label, message) for where, message in problems],
            SOURCE,
        ) from None
