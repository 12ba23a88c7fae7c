"""Who may do what on a lab's search service, and what the service itself may read, from a
saved plan (lab 7, step 3).

    python3 docs/labs/scenarios/07-rag-ready-lab/search_access.py plans/lab-dev.plan.json

One line per role assignment that is granted on a search service or that a search component
grants to the service's own identity: the role's name, the principal type, the assignment's
logical name (which says whose it is) and the scope as ``<type>/<name>``. A plan holds role
definition ids only; their names come from the table the components assign them from
(``components.roles.BUILTIN_ROLES``), so the lab and the stack cannot disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from components.roles import BUILTIN_ROLES

ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
SEARCH_COMPONENT = "hlz:ai:Search$"
ROLE_NAMES = {guid: name for name, guid in BUILTIN_ROLES.items()}


def search_access(plan: dict) -> list[tuple[str, str, str, str]]:
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
                ROLE_NAMES.get(guid, guid),
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
    for role, principal_type, name, scope in search_access(json.loads(Path(argv[0]).read_text())):
        print(f"{role:32} {principal_type:17} {name:40} {scope}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
