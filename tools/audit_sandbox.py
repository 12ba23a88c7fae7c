"""Synthesise the recorded ARM sandbox of a deployed stack, for ``hlz audit --replay`` and the
audit's tests: one file per request path, in ARM's response shapes, made from the stack's
offline plan. NOT captured from Azure; every id is fake.

    python tools/audit_sandbox.py write [--stack lab-dev] [--out DIR]
    python tools/audit_sandbox.py check [--stack lab-dev] [--out DIR]   # exit 1 when stale
    python tools/audit_sandbox.py write --stack-file PATH --out DIR     # a changed config
                                                    # deployed: what `pulumi up` would leave

How each answer is made (the README the tool writes says the same to its readers):

| part of the answer            | made from                                                     |
|-------------------------------|---------------------------------------------------------------|
| ``id``, ``name``, ``type``    | the planned ARM id (``hlz.audit.expected``) in the sandbox    |
|                               | subscription; ``type`` the ARM type                           |
| the body                      | the planned wire inputs plus the outputs the offline plan     |
|                               | computes, through the SDK's wire-to-ARM translation           |
|                               | (``hlz.schema.wire.to_arm_request``)                          |
| write-only properties         | left out, as ARM never returns them                           |
| values Azure assigns          | every GUID the plan made up (principal and client ids, the    |
|                               | tenant, key versions) replaced by another fake one, as a real |
|                               | deployment's differ from the plan's                           |
| ``provisioningState``         | ``Succeeded``, where the type definition has one              |
| ``systemData``                | a fixed creator and date                                      |
| resources Azure creates       | a network interface per private endpoint, an OS disk per      |
|                               | virtual machine, named in their answers and listed in the     |
|                               | resource group                                                |
| names Azure's values change   | a role assignment named from its principal's id is recorded   |
|                               | under another name, and its collection is recorded as a       |
|                               | listing (the audit finds it there)                            |
| resource group listings       | the resource groups the plan creates, with their top-level    |
|                               | resources (and virtual machine extensions)                    |
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.errors import ConfigError  # noqa: E402
from hlz.audit.deployed import parse_arm_id  # noqa: E402
from hlz.audit.expected import (  # noqa: E402
    GUID_TEXT,
    Expectations,
    Expected,
    expected_resources,
    substitute,
)
from hlz.audit.type_facts import object_properties  # noqa: E402
from hlz.schema.bicep_types import PropertyFlags, TypeRef, default_library  # noqa: E402
from hlz.schema.wire import load_wire_data, to_arm_request  # noqa: E402
from policies.normalise import GENERIC_INPUTS  # noqa: E402

if TYPE_CHECKING:
    from hlz.plan import Plan

SANDBOX_SUBSCRIPTION = "11111111-2222-4333-8444-555555555555"
DEFAULT_STACK = "lab-dev"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "arm" / "audit"
DEPLOYED = uuid.UUID("5e1f0c3a-9d2b-4c7e-8a61-2f4b6d8e0a13")
"""Namespace of the sandbox's own fake GUIDs (the values Azure would have assigned)."""
CREATED_AT = "2025-01-15T09:30:00.0000000Z"
SYSTEM_DATA = {
    "createdBy": "deployer@example.org",
    "createdByType": "User",
    "createdAt": CREATED_AT,
    "lastModifiedBy": "deployer@example.org",
    "lastModifiedByType": "User",
    "lastModifiedAt": CREATED_AT,
}
LISTED_CHILD_TYPES = frozenset({"microsoft.compute/virtualmachines/extensions"})
"""Child types the resource group listing holds besides top-level resources."""
ENVELOPE = ("id", "name", "type", "kind", "location", "tags", "sku", "identity", "zones")
LISTING_FIELDS = ("id", "name", "type", "kind", "location", "tags", "sku", "identity")


def deployed_guid(fake: str) -> str:
    """The sandbox's stand-in for a value Azure assigns (same format as the plan's)."""
    value = uuid.uuid5(DEPLOYED, fake.lower())
    return value.hex if len(fake) == 32 else str(value)


def _body(expected: Expected) -> dict[str, Any]:
    """The planned state (inputs and computed outputs) as an ARM body."""
    state = {**expected.declared_inputs, **expected.outputs}
    if expected.is_resource_group:
        return {key: state[key] for key in ("location", "tags") if key in state}
    if expected.declared_type == "azure-native:resources:Resource":
        return {
            key: value
            for key, value in state.items()
            if key not in GENERIC_INPUTS and key != "resourceGroupName"
        }
    assert expected.arm_type and expected.api_version, expected.urn
    definition = default_library().resource(expected.arm_type, expected.api_version)
    data = load_wire_data()
    mapping = data.resources.get(expected.declared_type)
    if definition is None or mapping is None:
        raise SystemExit(f"no type definition or wire mapping for {expected.urn}")
    request = to_arm_request(
        state, definition.body, mapping.body, frozenset(mapping.parameters), data
    )
    return _without_write_only(request.body, definition.body)


def _without_write_only(value: Any, value_type: TypeRef) -> Any:
    """``value`` without the properties its type marks write-only: ARM never returns them."""
    kind = value_type.kind
    if kind == "ArrayType" and isinstance(value, list):
        item_type = value_type.follow(value_type.node["itemType"])
        return [_without_write_only(item, item_type) for item in value]
    if kind not in ("ObjectType", "DiscriminatedObjectType") or not isinstance(value, dict):
        return value
    properties = object_properties(value_type)
    kept: dict[str, Any] = {}
    for key, item in value.items():
        prop = properties.get(key)
        if prop is None:
            kept[key] = item
        elif not int(prop.get("flags", 0)) & PropertyFlags.WRITE_ONLY:
            kept[key] = _without_write_only(item, value_type.follow(prop["type"]))
    return kept


def _has_provisioning_state(expected: Expected) -> bool:
    if expected.is_resource_group:
        return True
    if not (expected.arm_type and expected.api_version):
        return False
    definition = default_library().resource(expected.arm_type, expected.api_version)
    if definition is None:
        return False
    body: TypeRef = definition.body
    prop = body.node.get("properties", {}).get("properties")
    if prop is None:
        return False
    inner = body.follow(prop["type"])
    return "provisioningState" in inner.node.get("properties", {})


def _answer(expected: Expected, arm_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    parsed = parse_arm_id(arm_id)
    assert parsed is not None, arm_id
    answer: dict[str, Any] = {
        "id": arm_id,
        "name": parsed.name,
        "type": "Microsoft.Resources/resourceGroups"
        if expected.is_resource_group
        else expected.arm_type,
    }
    for key in ENVELOPE[3:]:
        if key in body:
            answer[key] = body[key]
    for key, value in body.items():
        if key not in answer and key != "properties":
            answer[key] = value
    properties = dict(body.get("properties") or {})
    if str(answer["type"]).casefold() == "microsoft.authorization/roleassignments":
        properties["scope"] = parsed.scope  # read-only: ARM answers the scope it was made at
    if _has_provisioning_state(expected):
        properties["provisioningState"] = "Succeeded"
    answer["properties"] = properties
    answer["systemData"] = SYSTEM_DATA
    return answer


def _add_created_by_azure(answer: dict[str, Any], group_scope: str) -> list[dict[str, Any]]:
    """Resources Azure creates for ``answer``'s resource, named in it; their listing items."""
    kind = str(answer["type"]).casefold()
    properties = answer["properties"]
    location = answer.get("location")
    if kind == "microsoft.network/privateendpoints":
        nic = f"{answer['name']}.nic.{deployed_guid(answer['id'])}"
        nic_id = f"{group_scope}/providers/Microsoft.Network/networkInterfaces/{nic}"
        properties["networkInterfaces"] = [{"id": nic_id}]
        return [{"id": nic_id, "name": nic, "type": "Microsoft.Network/networkInterfaces",
                 "location": location}]  # fmt: skip
    if kind == "microsoft.compute/virtualmachines":
        disk = f"{answer['name']}_OsDisk_1_{uuid.uuid5(DEPLOYED, answer['id']).hex}"
        disk_id = f"{group_scope}/providers/Microsoft.Compute/disks/{disk}"
        os_disk = properties.setdefault("storageProfile", {}).setdefault("osDisk", {})
        os_disk.setdefault("managedDisk", {})["id"] = disk_id
        os_disk.setdefault("name", disk)
        properties["vmId"] = deployed_guid(f"vmId|{answer['id']}")
        return [{"id": disk_id, "name": disk, "type": "Microsoft.Compute/disks",
                 "location": location}]  # fmt: skip
    return []


def _renamed(expected: Expected, made_up: frozenset[str]) -> bool:
    """Whether Azure's values give the resource another name: its name derives from a value
    the plan made up, and it holds that value (a role assignment named from its principal)."""
    return expected.name_from_azure and any(
        guid.lower() in made_up
        for value in _texts(expected.declared_inputs)
        for guid in GUID_TEXT.findall(value)
    )


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def sandbox(expectations: Expectations) -> dict[str, Any]:
    """Relative file path -> JSON document, every answer of the sandbox."""
    replace = {fake: deployed_guid(fake) for fake in expectations.fabricated}
    files: dict[str, Any] = {}
    answers: list[dict[str, Any]] = []
    created: dict[str, list[dict[str, Any]]] = {}
    collections: dict[str, list[dict[str, Any]]] = {}
    renamed_collections: set[str] = set()
    for expected in expectations.resources:
        arm_id = expected.arm_id
        if _renamed(expected, expectations.fabricated):
            parsed = parse_arm_id(arm_id)
            assert parsed is not None
            arm_id = f"{parsed.collection}/{uuid.uuid5(DEPLOYED, parsed.name)}"
            renamed_collections.add(parsed.collection)
        answer = _answer(expected, arm_id, substitute(_body(expected), replace))
        parsed = parse_arm_id(arm_id)
        assert parsed is not None
        group = parsed.resource_group
        group_scope = f"/subscriptions/{expectations.subscription_id}/resourceGroups/{group}"
        created.setdefault(group or "", []).extend(_add_created_by_azure(answer, group_scope))
        files[_file(arm_id)] = answer
        answers.append(answer)
        collections.setdefault(parsed.collection.casefold(), []).append(answer)
    for collection in sorted(renamed_collections):
        files[_file(collection)] = {"value": collections[collection.casefold()]}
    for group in expectations.resource_groups:
        scope = f"/subscriptions/{expectations.subscription_id}/resourceGroups/{group}"
        listed = [
            {key: answer[key] for key in LISTING_FIELDS if key in answer}
            for answer in answers
            if _listed(answer["id"], scope)
        ]
        files[_file(f"{scope}/resources")] = {"value": listed + created.get(group, [])}
    return files


def _listed(arm_id: str, group_scope: str) -> bool:
    parsed = parse_arm_id(arm_id)
    if parsed is None or parsed.scope.casefold() != group_scope.casefold():
        return False
    return len(parsed.types) == 1 or parsed.arm_type.casefold() in LISTED_CHILD_TYPES


def _file(path: str) -> str:
    return f"{path.strip('/')}.json"


def readme(stack: str, files: Mapping[str, Any], expectations: Expectations) -> str:
    listings = [name for name, document in files.items() if "value" in document]
    return f"""# Recorded ARM answers of the deployed `{stack}` stack (synthesised)

The answers `hlz audit {stack} --replay` reads instead of Azure Resource Manager: one JSON file
per request path (`GET /subscriptions/.../storageAccounts/st1` is
`subscriptions/.../storageAccounts/st1.json`; paths match without case, as in ARM; a path
without a file answers 404, so deleting a file is deleting the resource).

**Synthesised, not captured.** `python tools/audit_sandbox.py write --stack {stack}` made them
from the stack's offline plan, in the shapes ARM answers GET with (`id`, `name`, `type`,
`location`, `tags`, `properties` with ARM's read-only `provisioningState`, `systemData`); the
tool's docstring says how each part is made. They were not read from a live subscription:
every id, principal and date is fake. Subscription `{SANDBOX_SUBSCRIPTION}`.

- {len(files) - len(listings)} resource answers, one per resource the plan deploys
  ({len(expectations.resources)});
- {len(listings)} listings: the resource groups the plan creates
  (`.../resourceGroups/<rg>/resources`, with the network interface Azure creates per private
  endpoint and the jump host's OS disk), and the collections of the role assignments whose
  names derive from principal ids Azure assigns (the audit finds those by content).

Audited against the current plan they match it: no drift, nothing missing or unmanaged, no
violation (`tests/test_audit_sandbox.py`). To make a "portal change", copy the directory, edit
one file of the copy (say `publicNetworkAccess` of the lab storage account) and run

    hlz audit {stack} --replay <the copy>

When the plan changes, `python tools/audit_sandbox.py write --stack {stack}` writes them anew
(`check` says whether they are current).
"""


def render(stack: str, plan: Plan | None = None) -> tuple[dict[str, str], Expectations]:
    """Relative path -> file text of the whole sandbox directory of ``stack`` (from ``plan``,
    default: the stack planned now)."""
    from hlz.plan import Planner

    plan = plan or Planner().planned(stack)
    expectations = expected_resources(plan.to_json(), SANDBOX_SUBSCRIPTION)
    documents = sandbox(expectations)
    texts = {name: json.dumps(doc, indent=2) + "\n" for name, doc in sorted(documents.items())}
    texts["README.md"] = readme(stack, documents, expectations)
    return texts, expectations


def _plan_from(stack: str, stack_file: Path | None) -> Plan | None:
    """``stack`` planned from ``stack_file``; None for its own file (``render`` plans it)."""
    if stack_file is None:
        return None
    from hlz.plan import Planner
    from hlz.stackfiles import load_stack_file

    return Planner().plan(stack, stack_file=load_stack_file(stack, path=stack_file))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("command", choices=("write", "check"))
    parser.add_argument("--stack", default=DEFAULT_STACK)
    parser.add_argument("--out", type=Path, help=f"default: {DEFAULT_OUT}/<stack>")
    parser.add_argument(
        "--stack-file",
        type=Path,
        help="plan the stack from this config file, not Pulumi.<stack>.yaml (needs --out)",
    )
    args = parser.parse_args(argv)
    if args.stack_file is not None and args.out is None:
        parser.error("--stack-file needs --out: the default directory records Pulumi.<stack>.yaml")
    out: Path = args.out or DEFAULT_OUT / args.stack
    try:
        texts, _ = render(args.stack, _plan_from(args.stack, args.stack_file))
    except ConfigError as error:
        print(f"audit_sandbox: {error}", file=sys.stderr)
        return 2
    existing = {
        str(path.relative_to(out)).replace("\\", "/"): path
        for path in out.rglob("*")
        if path.is_file()
    } if out.is_dir() else {}
    stale = sorted(
        name for name, text in texts.items()
        if name not in existing or existing[name].read_text() != text
    ) + sorted(name for name in existing if name not in texts)  # fmt: skip
    if args.command == "check":
        for name in stale:
            print(f"stale: {out / name}")
        return 1 if stale else 0
    for name in existing:
        if name not in texts:
            existing[name].unlink()
    for name, text in texts.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {len(texts)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
