"""``RecordingMonitor``: the SDK's mock resource monitor, keeping each registration in order with
the wire inputs it carried — exactly what the provider (and a policy pack) would receive, which
``Mocks.new_resource`` never sees (it gets Python values, without secrets, dependencies or the
parent). ``to_plain`` writes those wire values as the plan's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format

from hlz.engine import sdk_internals as sdk
from hlz.engine.mocks import ArmMocks
from hlz.plan_document import SECRET_MASK, UNKNOWN_MARK


@dataclass
class Registration:
    urn: str
    type: str
    custom: bool
    parent: str
    inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    read: bool = False
    """A read of an existing resource (``Resource.get``, a StackReference): not managed by the
    stack, so never created and never judged by the policy pack."""
    replace_on_changes: list[str] = field(default_factory=list)
    """The ``replaceOnChanges`` option: input paths whose change replaces the resource."""
    delete_before_replace: bool = False
    """The ``deleteBeforeReplace`` option (a resource whose name cannot exist twice)."""


def to_plain(value: Any) -> Any:
    """Wire value -> JSON: secrets masked, unknowns marked, integral floats as ints
    (protobuf Struct carries every number as a double)."""
    if isinstance(value, dict):
        signature = value.get(sdk.SIG_KEY)
        if signature == sdk.SECRET_SIG:
            return SECRET_MASK
        if signature == sdk.RESOURCE_SIG:
            return value.get("urn")
        if signature == sdk.OUTPUT_VALUE_SIG:
            if value.get("secret"):
                return SECRET_MASK
            return to_plain(value["value"]) if "value" in value else UNKNOWN_MARK
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == sdk.UNKNOWN:
        return UNKNOWN_MARK
    return value


class RecordingMonitor(sdk.MockMonitor):
    """The SDK's mock monitor, keeping each registration in order."""

    def __init__(self, mocks: ArmMocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}
        self._stack_urn = ""

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self._stack_urn = response.urn
        inputs = to_plain(json_format.MessageToDict(request.object))
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                custom=bool(request.custom),
                parent=request.parent,
                inputs=inputs,
                # Sorted: the SDK gathers them from concurrent tasks, in no fixed order.
                dependencies=sorted(set(request.dependencies)),
                property_dependencies={
                    name: sorted(set(deps.urns))
                    for name, deps in sorted(request.propertyDependencies.items())
                },
                id=response.id or None,
                replace_on_changes=list(request.replaceOnChanges),
                delete_before_replace=bool(request.deleteBeforeReplace),
            )
        )
        return response

    def ReadResource(self, request):  # noqa: N802
        response = super().ReadResource(request)
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                custom=True,
                parent=request.parent,
                inputs={"name": request.id},
                dependencies=list(request.dependencies),
                property_dependencies={},
                id=request.id,
                read=True,
            )
        )
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        if request.urn == self._stack_urn:
            self.stack_outputs = to_plain(json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)


__all__ = ["RecordingMonitor", "Registration", "to_plain"]
