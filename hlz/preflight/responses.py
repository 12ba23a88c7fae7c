"""The parts of ARM's answers that preflight reads, as typed models.

Unknown fields are ignored (ARM adds fields across api-versions); a missing or mistyped field
we rely on is an ``UnexpectedResponse`` naming it, never a KeyError deep in a check.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from hlz.preflight.arm import UnexpectedResponse

M = TypeVar("M", bound=BaseModel)


class ArmModel(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True
    )


class Subscription(ArmModel):
    """GET /subscriptions/{id} (2022-12-01)."""

    subscription_id: str
    display_name: str = ""
    state: str
    """Enabled | Warned | PastDue | Disabled | Deleted."""
    tenant_id: str | None = None


class Permission(ArmModel):
    """One role's effective permissions (GET .../Microsoft.Authorization/permissions)."""

    actions: list[str] = []
    not_actions: list[str] = []
    condition: str | None = None
    """An ABAC condition limiting the grant, when ARM reports one."""


class ProviderResourceType(ArmModel):
    resource_type: str
    locations: list[str] = []
    """Display names (``East US 2``); compare with ``normalise_location``."""


class Provider(ArmModel):
    """GET /subscriptions/{id}/providers (2021-04-01)."""

    namespace: str
    registration_state: str
    """Registered | Registering | NotRegistered | Unregistering."""
    resource_types: list[ProviderResourceType] = []


class DeletedVaultProperties(ArmModel):
    location: str | None = None
    deletion_date: str | None = None
    scheduled_purge_date: str | None = None
    purge_protection_enabled: bool = False


class DeletedVault(ArmModel):
    """GET .../Microsoft.KeyVault/deletedVaults (2023-07-01)."""

    name: str
    properties: DeletedVaultProperties


class DeletedAccountProperties(ArmModel):
    deletion_date: str | None = None
    scheduled_purge_date: str | None = None


class DeletedAccount(ArmModel):
    """GET .../Microsoft.CognitiveServices/deletedAccounts (2024-10-01)."""

    id: str
    name: str
    location: str | None = None
    properties: DeletedAccountProperties = DeletedAccountProperties()

    @property
    def resource_group(self) -> str | None:
        """From ``.../locations/{loc}/resourceGroups/{rg}/deletedAccounts/{name}``."""
        match = re.search(r"/resourceGroups/([^/]+)/", self.id, re.IGNORECASE)
        return match.group(1) if match else None

    @property
    def location_from_id(self) -> str | None:
        match = re.search(r"/locations/([^/]+)/", self.id, re.IGNORECASE)
        return match.group(1) if match else None


class UsageName(ArmModel):
    value: str


class Usage(ArmModel):
    """GET .../Microsoft.CognitiveServices/locations/{loc}/usages (2024-10-01)."""

    name: UsageName
    current_value: float
    limit: float


class ModelSku(ArmModel):
    name: str
    usage_name: str | None = None
    """The quota usage this SKU draws on, e.g. ``OpenAI.DataZoneStandard.gpt-4o``."""


class AccountModel(ArmModel):
    name: str
    version: str
    skus: list[ModelSku] = []


class ModelEntry(ArmModel):
    """GET .../Microsoft.CognitiveServices/locations/{loc}/models (2024-10-01)."""

    kind: str | None = None
    model: AccountModel


class FeatureProperties(ArmModel):
    state: str
    """Registered | Registering | Pending | NotRegistered | Unregistering | Unregistered."""


class Feature(ArmModel):
    """GET .../providers/Microsoft.Features/providers/{namespace}/features/{name} (2021-07-01)."""

    name: str = ""
    """``Microsoft.Compute/EncryptionAtHost``."""
    properties: FeatureProperties


def parse(model: type[M], document: Any, path: str) -> M:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise UnexpectedResponse(path, _describe(error)) from None


def parse_list(model: type[M], values: list[Any], path: str) -> list[M]:
    parsed: list[M] = []
    for index, value in enumerate(values):
        try:
            parsed.append(model.model_validate(value))
        except ValidationError as error:
            raise UnexpectedResponse(path, _describe(error, prefix=f"value[{index}]")) from None
    return parsed


def normalise_location(name: str) -> str:
    """``East US 2`` -> ``eastus2``: ARM lists display names, config holds programmatic ones."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _describe(error: ValidationError, prefix: str = "") -> str:
    """``value[2].registrationState: field required`` for the first problem."""
    first = error.errors()[0]
    where = prefix
    for part in first["loc"]:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where or 'document'}: {first['msg'].lower()}{more}"
