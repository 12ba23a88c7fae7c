"""What component tests share: a lab placement and workspace, a customer-managed key in a
standard test vault, and a run of a program under the plan's mocks."""

from __future__ import annotations

from collections.abc import Callable

from components.encryption import EncryptionKey, EncryptionKeyArgs
from components.shared import DiagnosticsTarget, Override, Placement
from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, ArmMocks
from hlz.engine.run import ProgramRun, run_program

TAGS = {"owner": "o", "cost-center": "c", "environment": "e", "data-classification": "phi"}
PLACEMENT = Placement(resource_group_name="rg-lab", location="eastus2", tags=TAGS)
DIAGNOSTICS = DiagnosticsTarget(
    workspace_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
)
SOFTWARE_KEY = Override(reason="unit test vault is standard: software-protected keys")


def run_unit(program: Callable[[], None], stack: str = "unit") -> ProgramRun:
    """Run ``program`` as the planner does, under its mocks."""
    return run_program(
        program,
        project="hlz",
        stack=stack,
        config={},
        mocks=ArmMocks(DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID),
    )


def encryption_key(role: str, *, logical_name: str | None = None) -> EncryptionKey:
    """The key ``t-<role>-cmk`` and its identity ``id-t-<role>`` (logical name
    ``<logical_name or role>-cmk``), software-protected in a standard test vault."""
    return EncryptionKey(
        f"{logical_name or role}-cmk",
        EncryptionKeyArgs(
            placement=PLACEMENT,
            identity_name=f"id-t-{role}",
            key_name=f"t-{role}-cmk",
            vault_name="kv-t-abcde",
            vault_resource_group_name="rg-mgmt",
            vault_uri="https://kv-t-abcde.vault.azure.net/",
            hsm_override=SOFTWARE_KEY,
            subscription_id="sub",
        ),
    )


def unregistered_key() -> EncryptionKey:
    """An EncryptionKey that registers nothing, for input refused before any child exists (the
    args model only checks the type)."""
    return EncryptionKey.__new__(EncryptionKey)
