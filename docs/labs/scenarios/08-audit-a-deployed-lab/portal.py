"""Lab 8's stand-in for creating and deleting a resource in the Azure portal, on a recorded
sandbox (``python3 tools/audit_sandbox.py write --out DIR``) instead of a subscription.

    python3 portal.py create SANDBOX ANSWER.json   # the resource exists: GET answers it, its
                                                   # resource group's listing names it
    python3 portal.py delete SANDBOX RESOURCE_ID   # it no longer exists: both are gone

``hlz audit --replay SANDBOX`` answers ``GET <id>`` from ``SANDBOX/<id>.json`` and lists a
resource group from ``SANDBOX/subscriptions/<s>/resourceGroups/<rg>/resources.json``, so a
resource made outside the code shows in both places. Changing a property of an existing
resource needs no script: edit its answer file (the lab uses ``sed``). Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

LISTING_FIELDS = ("id", "name", "type", "kind", "location", "tags", "sku", "identity")
"""What a resource group listing carries of each resource (Resources - List By Resource
Group), as tools/audit_sandbox.py writes it."""


def answer_file(sandbox: Path, resource_id: str) -> Path:
    return sandbox / f"{resource_id.strip('/')}.json"


def listing_file(sandbox: Path, resource_id: str) -> Path:
    parts = resource_id.strip("/").split("/")
    if len(parts) < 8 or [parts[0].lower(), parts[2].lower()] != [
        "subscriptions",
        "resourcegroups",
    ]:
        raise SystemExit(f"portal.py: {resource_id!r} is not the id of a resource in a group")
    return sandbox.joinpath(*parts[:4], "resources.json")


def create(sandbox: Path, answer_path: Path) -> str:
    answer = json.loads(answer_path.read_text())
    resource_id = answer["id"]
    listing_path = listing_file(sandbox, resource_id)
    if not listing_path.is_file():
        raise SystemExit(f"portal.py: no resource group listing {listing_path}")
    listing = json.loads(listing_path.read_text())
    listing["value"] = [item for item in listing["value"] if item["id"] != resource_id]
    listing["value"].append({key: answer[key] for key in LISTING_FIELDS if key in answer})
    target = answer_file(sandbox, resource_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(answer, indent=2) + "\n")
    listing_path.write_text(json.dumps(listing, indent=2) + "\n")
    return f"created {answer['type']} {answer['name']}: {target}, listed in {listing_path}"


def delete(sandbox: Path, resource_id: str) -> str:
    listing_path = listing_file(sandbox, resource_id)
    if not listing_path.is_file():
        raise SystemExit(f"portal.py: no resource group listing {listing_path}")
    listing = json.loads(listing_path.read_text())
    kept = [item for item in listing["value"] if item["id"].lower() != resource_id.lower()]
    target = answer_file(sandbox, resource_id)
    if len(kept) == len(listing["value"]) and not target.is_file():
        raise SystemExit(f"portal.py: {resource_id} is not in {sandbox}")
    listing["value"] = kept
    listing_path.write_text(json.dumps(listing, indent=2) + "\n")
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != sandbox and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()  # as the sandbox tool writes no empty folders
        folder = folder.parent
    return f"deleted {resource_id}"


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("create", "delete"):
        print(__doc__, file=sys.stderr)
        return 2
    command, sandbox, what = argv
    if command == "create":
        print(create(Path(sandbox), Path(what)))
    else:
        print(delete(Path(sandbox), what))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
