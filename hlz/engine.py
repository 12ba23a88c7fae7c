"""Run a stack's real program under Pulumi mocks and record every registration.

No Pulumi CLI and no credentials: the SDK's mock monitor stands in for the engine, ``ArmMocks``
answers like Azure would (ARM ids, computed outputs, a fixed fake subscription/tenant), and
``RecordingMonitor`` keeps the wire inputs each resource was registered with — exactly what the
provider (and a policy pack) would receive. Every use of the SDK beyond its program API goes
through ``hlz.sdk_internals``.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from hlz import sdk_internals as sdk
from hlz.arm import arm_id, auto_name, computed_outputs, fake_guid, identity_outputs

DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001"
DEFAULT_TENANT_ID = "00000000-0000-4000-8000-0000000000aa"
# Cyclic-GC thresholds while a program runs (Python's default is (700, 10, 10)). A plan allocates
# tens of thousands of Outputs, futures and tasks that live until the run ends; at the default
# gen-0 threshold the collector keeps re-scanning them and takes over half of a plan's CPU time.
# Restored after the run; the objects are freed by reference counting or the next collection.
RUN_GC_THRESHOLD = (50_000, 20, 100)
SECRET_MASK = "[secret]"
UNKNOWN_MARK = "[unknown]"


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


class ArmMocks(Mocks):
    """Answers resource registrations and invokes the way Azure and Pulumi would."""

    def __init__(
        self,
        subscription_id: str,
        tenant_id: str,
        stack_outputs: dict[str, dict[str, Any]] | None = None,
        preview: bool = False,
    ):
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self.stack_outputs = stack_outputs or {}
        self.preview = preview
        self.subnet_prefixes: dict[str, str] = {}
        self.created: list[str] = []
        """Type of every resource the mocks were asked to create, in order."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == "pulumi:pulumi:StackReference":
            name = str(args.inputs.get("name") or args.name)
            short = name.rsplit("/", 1)[-1]
            if short not in self.stack_outputs:
                raise KeyError(f"stack reference {name!r}: stack {short!r} was not planned")
            return name, {
                "name": name,
                "outputs": self.stack_outputs[short],
                "secretOutputNames": [],
            }
        self.created.append(args.typ)
        inputs = dict(args.inputs)
        # Without an explicit name the provider auto-names from the logical name.
        fallback = auto_name(args.name, f"{args.typ}::{args.name}")
        resource_id, name = arm_id(args.typ, inputs, self.subscription_id, fallback)
        if self.preview:
            # As in a first `pulumi preview`: the provider knows the inputs and the name it
            # will use, but the id and every output Azure computes stay unknown.
            state = {
                **inputs,
                "name": name,
                **identity_outputs(name, inputs.get("identity"), self.tenant_id, computed=False),
            }
            if "SystemAssigned" in str(state.get("identity", {}).get("type", "")):
                # Azure creates the principal with the resource: unknown until then.
                state["identity"] = {**state["identity"], "principalId": sdk.UNKNOWN}
            return None, state
        if args.typ == "azure-native:network:Subnet" and inputs.get("addressPrefix"):
            self.subnet_prefixes[resource_id] = inputs["addressPrefix"]
        state = {**inputs, "name": name}
        state.update(computed_outputs(args.typ, name, inputs, self.tenant_id, self.subnet_prefixes))
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "subscriptionId": self.subscription_id,
                "tenantId": self.tenant_id,
                "clientId": fake_guid("client", "hlz-plan"),
                "objectId": fake_guid("object", "hlz-plan"),
            }, []
        raise NotImplementedError(f"hlz plan has no offline answer for invoke {args.token}")


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


async def _run_then_settle(program: Callable[[], Awaitable[None] | None]) -> None:
    """Run ``program``, then wait until every pending Output and RPC is done.

    Only a shortcut: after the program returns the SDK's ``wait_for_rpcs`` awaits the same
    tasks, but one ``asyncio.wait(FIRST_COMPLETED)`` per completion over every pending task
    (thousands: each azure-native resource holds dozens of Outputs). Each component level and
    Output hop (parent URN, ``.apply``, invoke) is another wave of completions, so that loop
    took about 30 % of an lz-prod plan (BENCHMARKS.md). Waiting for whole waves instead
    leaves the SDK's loop nothing to do. At the first failure this returns and the SDK's
    loop raises it exactly as it would have.
    """
    result = program()
    if isawaitable(result):
        await result
    while True:
        pending = sdk.pending_work()
        if not pending:
            return
        done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
        if any(not task.cancelled() and task.exception() is not None for task in done):
            return


@contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*RUN_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@dataclass
class ProgramRun:
    registrations: list[Registration]
    stack_outputs: dict[str, Any]


def run_program(
    program: Any,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str] | None = None,
    mocks: ArmMocks,
    preview: bool = False,
) -> ProgramRun:
    """Run ``program`` (a zero-argument callable) as the Pulumi engine would, under mocks.

    Safe to call repeatedly in one process: runtime settings, config and the root stack are
    reset before each run.
    """
    sdk.set_config(config, secret_keys)
    monitor = RecordingMonitor(mocks)
    # A fresh deployment: nothing an earlier run in this process left pending is awaited here.
    sdk.start_mock_deployment(mocks, monitor, project=project, stack=stack, preview=preview)
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        with _fewer_gc_passes():
            loop.run_until_complete(sdk.run_in_stack(lambda: _run_then_settle(program)))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return ProgramRun(registrations=monitor.registrations, stack_outputs=monitor.stack_outputs)


__all__ = ["ArmMocks", "ProgramRun", "Registration", "run_program"]
