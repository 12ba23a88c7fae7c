"""Built-in Azure Policy initiatives the landing zone assigns, as vendored data.

``data/<name>.json`` records, read from Azure/azure-policy at a stated commit, the members
whose effect is DeployIfNotExists or Modify and the role definitions each names in
``roleDefinitionIds``. The security baseline gives its assignment exactly those roles, and the
deploy rules know that such an assignment needs a managed identity and a location.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HITRUST_HIPAA", "INITIATIVES", "Initiative", "initiative_for"]

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Initiative:
    id: str
    """``/providers/Microsoft.Authorization/policySetDefinitions/<guid>``."""
    display_name: str
    version: str
    source_commit: str
    """Azure/azure-policy commit the data was read from."""
    remediating_members: tuple[str, ...]
    """Member definition GUIDs whose effect is DeployIfNotExists or Modify."""
    role_ids: tuple[str, ...]
    """Built-in role definition GUIDs the remediating members name (their union)."""

    @property
    def needs_identity(self) -> bool:
        """ARM refuses an assignment without a managed identity and a location when members
        can deploy or modify resources."""
        return bool(self.remediating_members)


def _load(file_name: str) -> Initiative:
    data = json.loads((DATA_DIR / file_name).read_text(encoding="utf-8"))
    return Initiative(
        id=data["initiative"]["id"],
        display_name=data["initiative"]["displayName"],
        version=data["initiative"]["version"],
        source_commit=data["source"]["commit"],
        remediating_members=tuple(m["policyDefinitionId"] for m in data["remediatingMembers"]),
        role_ids=tuple(role["id"] for role in data["roles"]),
    )


HITRUST_HIPAA = _load("hitrust_hipaa_initiative.json")
INITIATIVES: tuple[Initiative, ...] = (HITRUST_HIPAA,)


def initiative_for(policy_definition_id: str) -> Initiative | None:
    """The vendored initiative with this id (ids compare case-insensitively, as in ARM)."""
    wanted = policy_definition_id.strip().casefold()
    return next((i for i in INITIATIVES if i.id.casefold() == wanted), None)
