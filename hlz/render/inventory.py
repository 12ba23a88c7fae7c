"""``hlz report ai-inventory``: the register of model deployments a governance board reviews,
read from the plan (what would be deployed), not from config (what was meant)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hlz.render.text import markdown_cell, markdown_table
from policies.vocabulary import GOVERNANCE_TAGS

DEPLOYMENT_TYPE = "azure-native:cognitiveservices:Deployment"
MISSING = "MISSING"

COLUMNS = (
    ("deployment", "deployment"),
    ("account", "account"),
    ("model", "model"),
    ("version", "version"),
    ("sku", "SKU"),
    ("capacity", "capacity"),
    ("contentFilter", "content filter"),
    ("useCase", "use case"),
    ("riskTier", "risk tier"),
    ("approvalReference", "approval"),
    ("approvalExpires", "approval expires"),
    ("owner", "accountable owner"),
    ("processesPhi", "PHI"),
)


def inventory(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per model deployment in the plan; missing governance facts read ``MISSING``."""
    rows = []
    for step in plan.get("steps", []):
        state = step["newState"]
        if state["type"] != DEPLOYMENT_TYPE:
            continue
        inputs = state.get("inputs", {})
        model = (inputs.get("properties") or {}).get("model") or {}
        tags = inputs.get("tags") or {}
        sku = inputs.get("sku") or {}

        def fact(name: str, tags: dict[str, Any] = tags) -> Any:
            return tags.get(GOVERNANCE_TAGS[name], MISSING)

        rows.append(
            {
                "deployment": inputs.get("deploymentName", state["urn"].rsplit("::", 1)[-1]),
                "account": inputs.get("accountName", MISSING),
                "model": model.get("name", MISSING),
                "version": model.get("version", MISSING),
                "sku": sku.get("name", MISSING),
                "capacity": sku.get("capacity", MISSING),
                "contentFilter": (inputs.get("properties") or {}).get("raiPolicyName", MISSING),
                "useCase": fact("use_case"),
                "riskTier": fact("risk_tier"),
                "approvalReference": fact("approval_reference"),
                "approvalExpires": fact("approval_expires"),
                "owner": fact("owner"),
                "processesPhi": fact("processes_phi"),
                "urn": state["urn"],
            }
        )
    return rows


def approval_state(row: dict[str, Any], today: dt.date) -> str:
    expires = row["approvalExpires"]
    try:
        day = dt.date.fromisoformat(str(expires))
    except ValueError:
        return "no valid approval"
    if day < today:
        return f"EXPIRED {(today - day).days} days ago"
    return f"valid ({(day - today).days} days left)"


def inventory_markdown(stack: str, rows: list[dict[str, Any]], today: dt.date) -> str:
    lines = [
        f"# AI model inventory — `{markdown_cell(stack)}`",
        "",
        f"{len(rows)} model deployment(s) planned, as of {today.isoformat()}. Governance facts "
        "come from the deployment tags the stack writes; `MISSING` marks a fact the record lacks.",
        "",
    ]
    # Tags come from config (owners, use cases): no pipe, newline or escape gets through.
    lines += markdown_table(
        (*(title for _, title in COLUMNS), "approval state"),
        ((*(row[key] for key, _ in COLUMNS), approval_state(row, today)) for row in rows),
    )
    return "\n".join(lines) + "\n"
