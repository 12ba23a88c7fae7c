"""The shipped, dated catalogue of Azure OpenAI models the landing zone accepts."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

CATALOGUE_PATH = Path(__file__).with_name("model_catalogue.yaml")

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


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> ModelCatalogue:
    return ModelCatalogue.model_validate(yaml.safe_load(path.read_text()))
