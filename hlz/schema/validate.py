"""Offline type validation of planned azure-native resources against the official Azure type
definitions (Bicep types) of the exact REST API version each one is sent with.

For each resource: find its ARM type and API version (``catalog``), turn its wire inputs into the
ARM request body (``wire``), and walk the body along the Bicep body type:

| kind                 | reported when                                                      |
|----------------------|--------------------------------------------------------------------|
| ``unknown-property`` | a key the object type does not define (and it is not a map)        |
| ``read-only-property``| a key the type marks ReadOnly (Azure computes it; a PUT rejects    |
|                      | or ignores it)                                                     |
| ``enum-value``       | a string outside a closed set of literals (an open set, "one of    |
|                      | these or any string", accepts anything)                            |
| ``required-missing`` | a Required property absent (the resource's ``name``, a URL segment |
|                      | that Bicep marks a deploy-time constant, excepted)                 |
| ``type-mismatch``    | string vs integer vs boolean vs object vs array                    |
| ``no-type-definition``| the resource cannot be checked: no vendored types, no wire mapping |
|                      | or no ARM type for its token - one finding, never a silent pass   |

Values the plan marks ``[unknown]`` (not known until apply) or ``[secret]`` are never judged.
Tokens outside ``azure-native:`` (components, ``pulumi:`` internals) are not resources of Azure
and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .bicep_types import PropertyFlags, TypeLibrary, TypeRef, default_library
from .catalog import GENERIC_RESOURCE, arm_type_for_token, resource_spec, sdk_api_version
from .wire import MARKERS, WireData, load_wire_data, to_arm_request

__all__ = [
    "FINDING_KINDS",
    "MARKERS",
    "TypeFinding",
    "covered_types",
    "validate_resource",
    "validate_resources",
]

FINDING_KINDS = (
    "unknown-property",
    "read-only-property",
    "enum-value",
    "required-missing",
    "type-mismatch",
    "no-type-definition",
)


@dataclass(frozen=True)
class TypeFinding:
    urn: str
    resource_type: str
    """The token the program registered (``azure-native:storage:StorageAccount``)."""
    arm_type: str
    api_version: str
    kind: str
    path: str
    """Where in the ARM body, e.g. ``properties.networkAcls.defaultAction``; empty for the
    whole resource."""
    message: str


def validate_resources(
    resources: Iterable[tuple[str, str, Mapping[str, Any]]],
) -> list[TypeFinding]:
    """Findings for ``(urn, token, wire inputs)`` triples, in input order."""
    findings: list[TypeFinding] = []
    for urn, token, inputs in resources:
        findings.extend(validate_resource(urn, token, inputs))
    return findings


def validate_resource(urn: str, token: str, inputs: Mapping[str, Any]) -> list[TypeFinding]:
    return _Validator(default_library(), load_wire_data()).resource(urn, token, inputs)


def covered_types() -> dict[str, str]:
    """Typed tokens the validator can check -> ``<ARM type>@<API version>``: a wire mapping
    for the installed SDK's API version and a vendored type definition. (The generic resource
    is covered whenever its target type is vendored.)"""
    library = default_library()
    data = load_wire_data()
    covered: dict[str, str] = {}
    for token, mapping in sorted(data.resources.items()):
        if token == GENERIC_RESOURCE:
            continue
        arm_type = arm_type_for_token(token)
        api_version = sdk_api_version(token)
        if arm_type is None or api_version is None or api_version != mapping.api_version:
            continue
        if library.resource(arm_type, api_version) is not None:
            covered[token] = f"{arm_type}@{api_version}"
    return covered


class _Validator:
    def __init__(self, library: TypeLibrary, data: WireData) -> None:
        self.library = library
        self.data = data

    def resource(self, urn: str, token: str, inputs: Mapping[str, Any]) -> list[TypeFinding]:
        if not token.startswith("azure-native:"):
            return []
        spec = resource_spec(token, inputs)
        if spec is None:
            return [_finding(urn, token, "", "", "no-type-definition", "", _no_spec(token))]
        definition = self.library.resource(spec.arm_type, spec.api_version)
        if definition is None:
            message = (
                f"no vendored type definition for {spec.arm_type}@{spec.api_version} "
                "(tools/refresh_bicep_types.py vendors the versions the SDK uses)"
            )
            return [
                _finding(
                    urn, token, spec.arm_type, spec.api_version, "no-type-definition", "", message
                )
            ]
        mapping = self.data.resources.get(token)
        if mapping is None or (
            token != GENERIC_RESOURCE and mapping.api_version != spec.api_version
        ):
            found = f" (it has {mapping.api_version})" if mapping else ""
            message = (
                f"no wire-to-ARM mapping for {token} at {spec.api_version}{found}; "
                "run tools/refresh_wire_data.py"
            )
            return [
                _finding(
                    urn, token, spec.arm_type, spec.api_version, "no-type-definition", "", message
                )
            ]
        request = to_arm_request(
            inputs, definition.body, mapping.body, frozenset(mapping.parameters), self.data
        )
        walk = _Walk(urn, token, definition.arm_type, definition.api_version)
        for unplaced in request.unplaced:
            where = unplaced.type_name or "the resource body"
            walk.add(
                "unknown-property",
                unplaced.path,
                f"{unplaced.key!r} is not a property of {where} at {spec.api_version}, nor of "
                "anything the SDK flattens into it",
            )
        walk.object(request.body, definition.body, "", root=True)
        return walk.findings


def _no_spec(token: str) -> str:
    if token == GENERIC_RESOURCE:
        return "generic resource without a known resourceProviderNamespace/resourceType/apiVersion"
    return f"no ARM type or API version known for {token}"


def _finding(
    urn: str, token: str, arm_type: str, api_version: str, kind: str, path: str, message: str
) -> TypeFinding:
    return TypeFinding(urn, token, arm_type, api_version, kind, path, message)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else type(value).__name__


_EXPECTED = {
    "StringType": "string",
    "StringLiteralType": "string",
    "IntegerType": "integer",
    "BooleanType": "boolean",
    "ObjectType": "object",
    "DiscriminatedObjectType": "object",
    "ArrayType": "array",
    "NullType": "null",
}


CASE_INSENSITIVE_ENUMS: Mapping[tuple[str, str, str], str] = {
    ("Microsoft.Search/searchServices", "2025-05-01", "properties.hostingMode"): (
        "The 2025-05-01 definition lists 'default' / 'highDensity'; the SDK's enum (from the "
        "newer spec) sends 'Default' / 'HighDensity', which the Search provider accepts and "
        "echoes back lowercased: https://github.com/pulumi/pulumi-azure-native/pull/4793"
    ),
}
"""(ARM type, API version, body path) of closed enums whose provider compares values without
case, with the evidence: a value that differs from a literal only in case is not a finding
there. Everywhere else a closed set is compared exactly, as ARM does for most enums."""


FRACTIONAL_NUMBERS: Mapping[tuple[str, str, str], str] = {
    ("Microsoft.Insights/metricAlerts", "2018-03-01", "properties.criteria.allOf[*].threshold"): (
        "MetricCriteria.threshold is 'type: number, format: double' in the 2018-03-01 swagger "
        "(metricAlert_API.json); Bicep has no fractional numbers, so its type says int. AMBA's "
        "Cosmos DB availability threshold is 99.9"
    ),
}
"""(ARM type, API version, body path with ``[*]`` for list positions) of properties Bicep types
as int that the REST API defines as a fractional number, with the evidence: a fractional value
is not a finding there. Everywhere else an int property refuses one."""


def _pattern(path: str) -> str:
    return re.sub(r"\[\d+\]", "[*]", path)


class _Walk:
    def __init__(self, urn: str, token: str, arm_type: str, api_version: str) -> None:
        self.urn = urn
        self.token = token
        self.arm_type = arm_type
        self.api_version = api_version
        self.findings: list[TypeFinding] = []

    def add(self, kind: str, path: str, message: str) -> None:
        self.findings.append(
            TypeFinding(self.urn, self.token, self.arm_type, self.api_version, kind, path, message)
        )

    def _number(self, value: Any, path: str) -> bool:
        """Whether ``value`` passes as an int: integral, or any float where the REST API
        defines a fractional number (``FRACTIONAL_NUMBERS``)."""
        if _integral(value):
            return True
        key = (self.arm_type, self.api_version, _pattern(path))
        return isinstance(value, float) and key in FRACTIONAL_NUMBERS

    def value(self, value: Any, value_type: TypeRef, path: str) -> None:
        if isinstance(value, str) and value in MARKERS:
            return
        kind = value_type.kind
        node = value_type.node
        if kind == "AnyType":
            return
        if kind == "UnionType":
            self.union(value, value_type, path)
            return
        expected = _EXPECTED.get(kind)
        if expected is None:
            # A node kind this walk does not model (none occur in the vendored files): accept
            # rather than guess; tests pin the kinds that do occur.
            return
        actual = _kind_of(value)
        if actual != expected and not (expected == "integer" and self._number(value, path)):
            self.add("type-mismatch", path, f"expected {expected}, got {actual} {value!r}")
            return
        if kind == "StringLiteralType" and value != node.get("value"):
            self.add("enum-value", path, f"{value!r} is not {node.get('value')!r}")
        elif kind == "ArrayType":
            item_type = value_type.follow(node["itemType"])
            for index, item in enumerate(value):
                self.value(item, item_type, f"{path}[{index}]")
        elif kind in ("ObjectType", "DiscriminatedObjectType") and isinstance(value, Mapping):
            self.object(value, value_type, path)

    def union(self, value: Any, union_type: TypeRef, path: str) -> None:
        elements = [union_type.follow(element) for element in union_type.node.get("elements", [])]
        literals = [e.node.get("value") for e in elements if e.kind == "StringLiteralType"]
        if len(literals) == len(elements):
            # Closed set: ARM rejects anything else (x-ms-enum modelAsString false).
            if not isinstance(value, str):
                self.add("type-mismatch", path, f"expected string, got {_kind_of(value)} {value!r}")
            elif value not in literals:
                hint = next((v for v in literals if str(v).lower() == value.lower()), None)
                if hint and (self.arm_type, self.api_version, path) in CASE_INSENSITIVE_ENUMS:
                    return
                extra = f" (differs only in case from {hint!r})" if hint else ""
                allowed = ", ".join(repr(v) for v in literals)
                self.add("enum-value", path, f"{value!r} is not one of {allowed}{extra}")
            return
        # Open set or a union of shapes: accept when any member accepts it; otherwise report
        # against the member of the value's own kind (or the first).
        attempts: list[list[TypeFinding]] = []
        for element in elements:
            trial = _Walk(self.urn, self.token, self.arm_type, self.api_version)
            trial.value(value, element, path)
            if not trial.findings:
                return
            attempts.append(trial.findings)
        if attempts:
            same_kind = [
                found
                for element, found in zip(elements, attempts, strict=True)
                if _EXPECTED.get(element.kind) == _kind_of(value)
            ]
            self.findings.extend((same_kind or attempts)[0])

    def object(
        self, value: Mapping[str, Any], object_type: TypeRef, path: str, root: bool = False
    ) -> None:
        node = object_type.node
        properties: dict[str, Any] = dict(node.get("properties", {}))
        if object_type.kind == "DiscriminatedObjectType":
            properties = dict(node.get("baseProperties", {}))
            discriminator = str(node.get("discriminator", ""))
            variants: Mapping[str, Any] = node.get("elements", {})
            chosen = value.get(discriminator)
            if isinstance(chosen, str) and chosen in MARKERS:
                return
            if not isinstance(chosen, str) or chosen not in variants:
                allowed = ", ".join(repr(v) for v in variants)
                if discriminator not in value:
                    self.add(
                        "required-missing",
                        _join(path, discriminator),
                        f"discriminator {discriminator!r} missing (one of {allowed})",
                    )
                else:
                    self.add(
                        "enum-value",
                        _join(path, discriminator),
                        f"{chosen!r} is not one of {allowed}",
                    )
                return
            properties.update(object_type.follow(variants[chosen]).node.get("properties", {}))
        additional = node.get("additionalProperties")
        for key, item in value.items():
            if isinstance(item, str) and item in MARKERS:
                continue
            where = _join(path, key)
            prop = properties.get(key)
            if prop is None:
                if additional is not None:
                    self.value(item, object_type.follow(additional), where)
                else:
                    self.add(
                        "unknown-property",
                        where,
                        f"{key!r} is not a property of {_describe(object_type, path)}",
                    )
                continue
            flags = PropertyFlags(int(prop.get("flags", 0)))
            if flags & PropertyFlags.READ_ONLY:
                self.add("read-only-property", where, f"{key!r} is read-only (set by Azure)")
                continue
            self.value(item, object_type.follow(prop["type"]), where)
        for key, prop in properties.items():
            flags = PropertyFlags(int(prop.get("flags", 0)))
            if not flags & PropertyFlags.REQUIRED or flags & PropertyFlags.READ_ONLY:
                continue
            if root and flags & PropertyFlags.DEPLOY_TIME_CONSTANT:
                continue  # the resource's name: a URL segment, not a body property
            if key not in value:
                self.add("required-missing", _join(path, key), f"required property {key!r} missing")


def _integral(value: Any) -> bool:
    return isinstance(value, float) and value.is_integer()


def _describe(object_type: TypeRef, path: str) -> str:
    name = object_type.node.get("name")
    return f"{name}" if name else (path or "the resource body")
