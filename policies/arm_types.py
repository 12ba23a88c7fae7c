"""Where each azure-native type lives in Azure Resource Manager, read off the catalogue
(``policies.services``): for the offline engine (ARM ids of planned resources) and the policy
pack (recognising a generic ``azure-native:resources:Resource`` as the typed resource it
creates).
"""

from __future__ import annotations

from collections.abc import Mapping

from .services import SERVICES, ArmPath

__all__ = [
    "ARM_PATHS",
    "GENERIC_RESOURCE",
    "KNOWN_ARM_PATHS",
    "arm_path",
    "arm_type",
    "known_arm_type",
    "token_for_arm_type",
]

GENERIC_RESOURCE = "azure-native:resources:Resource"
"""The SDK's generic resource: any ARM type at an explicit API version, ARM-shaped properties."""


ARM_PATHS: Mapping[str, ArmPath] = {
    token: row.arm for token, row in SERVICES.items() if row.arm is not None and row.validated
}
"""The ARM paths of the validated catalogue rows, in row order: the types whose Azure type
definitions are vendored for the API version the typed SDK resource sends
(``tools/refresh_bicep_types.py --check`` fails without them). A row with ``validated=False``
still gets its ARM id from ``arm_path``, and generic resources of its ARM type are recognised
as it (``token_for_arm_type``); a typed resource of it is reported unchecked by type
validation."""

KNOWN_ARM_PATHS: Mapping[str, ArmPath] = {
    token: row.arm for token, row in SERVICES.items() if row.arm is not None
}
"""The ARM path of every catalogue row, validated or not, in row order: what generic resources
are recognised as and what the duplicate-name rule compares. A row is unvalidated when the
typed SDK resource sends an API version whose type definitions are not vendored while a
component creates the type as a generic resource at one that is (the DNS Private Resolver:
``components.dns_resolver``)."""


def arm_path(token: str) -> ArmPath | None:
    """Where ``token`` lives in ARM (its catalogue row, validated or not), None if no row has
    an ARM path for it."""
    row = SERVICES.get(token)
    return row.arm if row is not None else None


def arm_type(token: str) -> str | None:
    """``Microsoft.Storage/storageAccounts/blobServices`` for a validated typed token, None if
    unknown (``known_arm_type`` also answers for unvalidated rows)."""
    path = ARM_PATHS.get(token)
    return _joined(path) if path is not None else None


def known_arm_type(token: str) -> str | None:
    """``arm_type`` for every catalogue row with an ARM path, validated or not."""
    path = KNOWN_ARM_PATHS.get(token)
    return _joined(path) if path is not None else None


def _joined(path: ArmPath) -> str:
    return "/".join((path.namespace, *(collection for collection, _ in path.levels)))


_BY_ARM_TYPE: dict[str, str] = {}
for _token in KNOWN_ARM_PATHS:
    _type = known_arm_type(_token)
    # Two tokens can share an ARM type (lock flavours); the first row is canonical.
    if _type is not None:
        _BY_ARM_TYPE.setdefault(_type.casefold(), _token)


def token_for_arm_type(full_type: str) -> str | None:
    """The typed token for an ARM type such as ``Microsoft.HealthcareApis/workspaces`` (ARM
    types are case-insensitive), None when no typed resource is known for it."""
    return _BY_ARM_TYPE.get(full_type.casefold())
