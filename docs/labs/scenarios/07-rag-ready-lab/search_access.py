"""Who may do what on a lab's search service, and what the service itself may read, from a
saved plan (lab 7, step 3).

    python3 docs/labs/scenarios/07-rag-ready-lab/search_access.py plans/lab-dev.plan.json

One line per role assignment that is granted on a search service or that a search component
grants to the service's own identity: the role's name, the principal type, the assignment's
logical name (which says whose it is) and the scope as ``<type>/<name>``. A plan holds role
definition ids only; the names of built-in roles come from the table the components assign
them from (``components.roles.BUILTIN_ROLES``), those of the lab's custom roles from their
definitions in the same plan (``roleName``), so the lab and the stack cannot disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from components.roles import BUILTIN_ROLES

ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
GENERIC_RESOURCE = "azure-native:resources:Resource"
SEARCH_COMPONENT = "hlz:ai:Search$"
BUILTIN_ROLE_NAMES = {guid: name for name, guid in BUILTIN_ROLES.items()}


def role_names(plan: dict) -> dict[str, str]:
    """Role definition GUID -> name: the built-in roles and the plan's custom roles (generic
    ``Microsoft.Authorization/roleDefinitions`` resources named by their GUID)."""
    names = dict(BUILTIN_ROLE_NAMES)
    for step in plan["steps"]:
        state = step["newState"]
        inputs = state["inputs"]
        if (
            state["type"] == GENERIC_RESOURCE
            and inputs.get("resourceProviderNamespace") == "Microsoft.Authorization"
            and inputs.get("resourceType") == "roleDefinitions"
        ):
            names[inputs["resourceName"]] = inputs["properties"]["roleName"]
    return names


def search_access(plan: dict) -> list[tuple[str, str, str, str]]:
    names = role_names(plan)
    rows = []
    for step in plan["steps"]:
        state = step["newState"]
        if state["type"] != ROLE_ASSIGNMENT:
            continue
        inputs = state["inputs"]
        scope = inputs["scope"]
        if "/searchServices/" not in scope and SEARCH_COMPONENT not in state["urn"]:
            continue
        guid = inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        rows.append(
            (
                names.get(guid, guid),
                inputs["principalType"],
                state["urn"].rsplit("::", 1)[-1],
                "/".join(scope.split("/")[-2:]),
            )
        )
    return sorted(rows, key=lambda row: (row[3], row[0]))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: search_access.py PLAN.json", file=sys.stderr)
        return 2
    rows = search_access(json.loads(Path(argv[0]).read_text()))
    width = max((len(row[0]) for row in rows), default=0)
    for role, principal_type, name, scope in rows:
        print(f"{role:{width}} {principal_type:17} {name:40} {scope}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
