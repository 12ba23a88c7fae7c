"""What the audit reads from Azure Resource Manager, and in what order. Every request is a GET.

| step | request                                                | for                             |
|------|--------------------------------------------------------|---------------------------------|
| 1    | ``GET {planned id}?api-version={the SDK's version}``,  | the deployed resource; 404 is   |
|      | for every planned resource, in the plan's order        | "missing" (but see step 3)      |
| 2    | (no request) the values the plan made up for outputs   | drift and step 3                |
|      | Azure assigns, learned from the resources read         |                                 |
| 3    | ``GET {collection}`` (paged) of a 404'd resource whose | the same resource under the     |
|      | name derives from such a value                         | name Azure's values give it     |
| 4    | ``GET /subscriptions/{s}/resourceGroups/{rg}/resources | resources the plan does not     |
|      | ?api-version=2021-04-01`` (paged) per group the plan   | have                            |
|      | creates                                                |                                 |
| 5    | ``GET {id}`` of each unmanaged resource of a type the  | judging it with the pack        |
|      | SDK knows                                              |                                 |

A reader is the ARM client (``hlz.preflight.arm.ArmClient``: bounded retries honouring
Retry-After, the run's deadline, bounded answers) or a directory of recorded answers
(``ReplayReader``); both raise ``ArmError`` and ``UnexpectedResponse`` alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from hlz.audit.deployed import deployed_inputs, id_key, implied_ids, parse_arm_id
from hlz.audit.expected import Expectations, Expected, guid_map
from hlz.preflight.arm import MAX_RESPONSE_BYTES, ArmError, UnexpectedResponse

LIST_API_VERSION = "2021-04-01"
"""Resources - List By Resource Group (Microsoft.Resources), the version preflight reads
providers at too."""
LIST_ACTION = "Microsoft.Resources/subscriptions/resourceGroups/resources/read"


class Reader(Protocol):
    in_flight: str | None

    def get(self, path: str, api_version: str, *, action: str) -> Any: ...

    def list_values(self, path: str, api_version: str, *, action: str) -> list[Any]: ...


@dataclass(frozen=True)
class Deployed:
    """A resource as ARM answered for it, and as the rules read it."""

    id: str
    arm_type: str
    token: str
    inputs: dict[str, Any]
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Unmanaged:
    """A resource listed in a resource group the plan creates, that the plan does not have."""

    id: str
    type: str
    name: str
    location: str | None
    resource_group: str


@dataclass(frozen=True)
class Implied:
    """A listed resource Azure created for a planned one (``deployed.IMPLIED_IDS``)."""

    id: str
    type: str
    created_for: str
    """The URN of the planned resource whose answer names it."""


@dataclass
class Observation:
    deployed: dict[str, Deployed] = field(default_factory=dict)
    """By URN: every planned resource ARM answered for."""
    missing: list[Expected] = field(default_factory=list)
    located: dict[str, str] = field(default_factory=dict)
    """URN -> the id a resource was found at in its collection (step 3)."""
    not_read: list[tuple[Expected, str]] = field(default_factory=list)
    learned: dict[str, str] = field(default_factory=dict)
    """Made-up GUID (lower case) -> the value Azure holds."""
    listed_groups: list[str] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    unmanaged_deployed: dict[str, Deployed] = field(default_factory=dict)
    """By id: the unmanaged resources read for judging."""
    implied: list[Implied] = field(default_factory=list)


Progress = Callable[[int, int], None]
"""``(resources read, resources to read)``."""
Locate = Callable[[Expected, list[Deployed], Mapping[str, str]], Deployed | None]
"""Picks the deployed resource matching a planned one among its collection's items, given the
values learned from Azure (``Observation.learned``)."""


def checked_resource(document: Any, path: str) -> Mapping[str, Any]:
    """An ARM GET answer for one resource: an object with an ``id`` and a ``properties``
    object (every ARM resource has one); otherwise ``UnexpectedResponse`` naming ``path``."""
    if not isinstance(document, dict):
        raise UnexpectedResponse(path, "expected a resource object (with 'id' and 'properties')")
    if not isinstance(document.get("id"), str) or parse_arm_id(document["id"]) is None:
        raise UnexpectedResponse(path, "the answer has no 'id' that is an ARM resource id")
    if not isinstance(document.get("properties"), dict):
        raise UnexpectedResponse(path, "the answer has no 'properties' object")
    return document


def _checked_items(values: list[Any], path: str) -> list[Mapping[str, Any]]:
    for index, item in enumerate(values):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise UnexpectedResponse(path, f"value[{index}] is not an object with an 'id'")
    return values


def observe(
    expectations: Expectations,
    reader: Reader,
    *,
    locate: Locate,
    progress: Progress | None = None,
) -> Observation:
    """Read what the audit compares, in the order of the module table. ``ArmError`` other than
    404 and ``UnexpectedResponse`` propagate (the audit cannot be trusted without them)."""
    seen = Observation()
    readable = [e for e in expectations.resources if e.api_version and e.arm_type]
    seen.not_read = [
        (e, "no API version known for its type (the installed SDK does not say)")
        for e in expectations.resources
        if not (e.api_version and e.arm_type)
    ]
    pending: list[Expected] = []
    for done, expected in enumerate(readable, start=1):
        assert expected.api_version is not None and expected.arm_type is not None
        body = _get(reader, expected.arm_id, expected.api_version, f"{expected.arm_type}/read")
        if body is None:
            pending.append(expected)
        else:
            seen.deployed[expected.urn] = _deployed(
                body, expected.arm_id, expected.api_version, expected.arm_type
            )
        if progress is not None:
            progress(done, len(readable))

    seen.learned = learned_values(expectations, seen.deployed)
    for expected in pending:
        found = (
            _located(reader, expected, locate, seen.learned) if expected.name_from_azure else None
        )
        if found is None:
            seen.missing.append(expected)
        else:
            seen.deployed[expected.urn] = found
            seen.located[expected.urn] = found.id

    _list_groups(expectations, reader, seen)
    return seen


def _get(reader: Reader, path: str, api_version: str, action: str) -> Any | None:
    """The answer at ``path``, or None for 404 (not there)."""
    try:
        return reader.get(path, api_version, action=action)
    except ArmError as error:
        if error.status == 404:
            return None
        raise


def _deployed(body: Any, path: str, api_version: str, arm_type: str) -> Deployed:
    checked = checked_resource(body, path)
    # Read as the resource at the path asked for (ARM may spell the id's case differently).
    token, inputs = deployed_inputs({**checked, "id": path}, api_version)
    return Deployed(path, arm_type, token, inputs, checked)


def learned_values(expectations: Expectations, deployed: Mapping[str, Deployed]) -> dict[str, str]:
    """Made-up GUID -> the deployed value at the same place of the same resource's outputs."""
    learned: dict[str, str] = {}
    for expected in expectations.resources:
        found = deployed.get(expected.urn)
        if found is None:
            continue
        for fabricated in expected.fabricated:
            real = _value_at(found, fabricated.path)
            if isinstance(real, str):
                for fake, value in guid_map(fabricated.value, real).items():
                    learned.setdefault(fake, value)
    return learned


def _value_at(found: Deployed, path: tuple[str | int, ...]) -> Any:
    """An output path of the SDK's shape in a deployed resource: its wire view first, then the
    ARM body, then the body's ``properties`` (an output the SDK flattens)."""
    properties = found.body.get("properties")
    for root in (found.inputs, found.body, properties):
        value: Any = root
        for part in path:
            if isinstance(part, int) and isinstance(value, list) and part < len(value):
                value = value[part]
                continue
            if isinstance(part, str) and isinstance(value, Mapping) and part in value:
                value = value[part]
                continue
            value = None
            break
        if value is not None:
            return value
    return None


def _located(
    reader: Reader, expected: Expected, locate: Locate, learned: Mapping[str, str]
) -> Deployed | None:
    """Step 3: the resource among its collection's items that matches the plan."""
    parsed = parse_arm_id(expected.arm_id)
    if parsed is None or expected.api_version is None or expected.arm_type is None:
        return None
    try:
        values = reader.list_values(
            parsed.collection, expected.api_version, action=f"{expected.arm_type}/read"
        )
    except ArmError as error:
        if error.status == 404:
            return None
        raise
    candidates = [
        _deployed(item, item["id"], expected.api_version, expected.arm_type)
        for item in _checked_items(values, parsed.collection)
    ]
    return locate(expected, candidates, learned)


def _list_groups(expectations: Expectations, reader: Reader, seen: Observation) -> None:
    """Steps 4 and 5."""
    from hlz.schema.catalog import sdk_api_version
    from policies.arm_types import token_for_arm_type

    known = {id_key(e.arm_id) for e in expectations.resources}
    known |= {id_key(found.id) for found in seen.deployed.values()}
    implied: dict[str, str] = {}
    for urn, found in seen.deployed.items():
        for item in implied_ids(found.arm_type, found.body):
            implied.setdefault(id_key(item), urn)
    subscription = expectations.subscription_id
    for group in expectations.resource_groups:
        path = f"/subscriptions/{subscription}/resourceGroups/{group}/resources"
        try:
            values = reader.list_values(path, LIST_API_VERSION, action=LIST_ACTION)
        except ArmError as error:
            if error.status == 404:
                continue  # the group itself is reported missing
            raise
        seen.listed_groups.append(group)
        for item in _checked_items(values, path):
            key = id_key(item["id"])
            kind = str(item.get("type") or "")
            if key in known:
                continue
            if key in implied:
                seen.implied.append(Implied(item["id"], kind, implied[key]))
                continue
            location = item.get("location")
            seen.unmanaged.append(
                Unmanaged(
                    id=item["id"],
                    type=kind,
                    name=str(item.get("name") or item["id"].rsplit("/", 1)[-1]),
                    location=location if isinstance(location, str) else None,
                    resource_group=group,
                )
            )
    for unmanaged in seen.unmanaged:
        token = token_for_arm_type(unmanaged.type) if unmanaged.type else None
        api_version = sdk_api_version(token) if token else None
        if api_version is None:
            continue  # reported, not judged: the SDK names no version to read it at
        body = _get(reader, unmanaged.id, api_version, f"{unmanaged.type}/read")
        if body is not None:
            seen.unmanaged_deployed[unmanaged.id] = _deployed(
                body, unmanaged.id, api_version, unmanaged.type
            )


class ReplayReader:
    """Answers every GET from a directory of recorded ARM answers: ``DIR/<request path>.json``
    (``DIR/subscriptions/<id>/resourceGroups/<rg>.json`` for ``GET /subscriptions/<id>/
    resourceGroups/<rg>``), matched without case as ARM matches paths. No file is a 404.
    Nothing is sent anywhere and no credential is asked for."""

    def __init__(self, root: Path):
        self.root = root
        self.in_flight: str | None = None
        self.requests_sent = 0
        self._files = {
            id_key(str(path.relative_to(root).with_suffix("")).replace("\\", "/")): path
            for path in sorted(root.rglob("*.json"))
            if path.is_file()
        }

    def subscriptions(self) -> list[str]:
        """The subscription ids the recording has answers for."""
        return sorted(
            {key.split("/")[1] for key in self._files if key.startswith("subscriptions/")}
        )

    def file_for(self, path: str) -> Path | None:
        return self._files.get(id_key(path))

    def get(self, path: str, api_version: str, *, action: str) -> Any:
        self.requests_sent += 1
        file = self.file_for(path)
        if file is None:
            raise ArmError(
                path=path,
                action=action,
                status=404,
                code="ResourceNotFound",
                message=f"no recorded answer ({path.strip('/')}.json) in {self.root}",
            )
        where = f"{path} (recorded in {file})"
        data = file.read_bytes()
        if len(data) > MAX_RESPONSE_BYTES:
            raise UnexpectedResponse(where, f"larger than {MAX_RESPONSE_BYTES} bytes")
        try:
            return json.loads(data)
        except ValueError as error:
            raise UnexpectedResponse(where, f"not JSON ({error})") from None

    def list_values(self, path: str, api_version: str, *, action: str) -> list[Any]:
        page = self.get(path, api_version, action=action)
        where = f"{path} (recorded in {self.file_for(path)})"
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise UnexpectedResponse(where, "expected an object with a 'value' list")
        if page.get("nextLink"):
            raise UnexpectedResponse(
                where, "a recorded listing is one page: put every item in its 'value'"
            )
        return page["value"]

    def close(self) -> None:
        pass


__all__ = [
    "LIST_API_VERSION",
    "Deployed",
    "Implied",
    "Observation",
    "ReplayReader",
    "Unmanaged",
    "checked_resource",
    "learned_values",
    "observe",
]
