"""Contract: the Pulumi SDK surface hlz/engine/sdk_internals.py relies on still exists and still
behaves.

One test per touch in hlz/engine/sdk_internals.py. When an upgrade of pulumi breaks one, the
failure names the SDK symbol; read that touch's docstring, then adapt it there (or drop it if a
public API appeared). A symbol that is gone altogether already fails the import of
hlz/engine/sdk_internals.py with an AttributeError naming it. The last test keeps every other module away from the SDK's
internals, so this file stays the whole list.
"""

from __future__ import annotations

import ast
import asyncio
import contextvars
import inspect
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks as runtime_mocks
from pulumi.runtime import rpc, settings
from pulumi_azure_native.network import public_ip_address

from hlz.engine import sdk_internals as sdk

ROOT = Path(__file__).resolve().parents[2]
PROJECT, STACK = "contract", "test"
STACK_TYPE = "pulumi:pulumi:Stack"


# --- a tiny program under the SDK's mocks, through hlz.engine.sdk_internals only --------------


class _Answers(pulumi.runtime.Mocks):
    """Echo the inputs; a Source's ``computed`` output is unknown in preview, as Azure's are."""

    def __init__(self, preview: bool):
        self.preview = preview

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        outputs = dict(args.inputs)
        if args.typ == "test:index:Source":
            outputs["computed"] = sdk.UNKNOWN if self.preview else "known"
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        return {}, []


class _Recorder(sdk.MockMonitor):
    def __init__(self, answers: _Answers):
        super().__init__(answers)
        self.registered: list[tuple[str, str, str]] = []
        """(type, name, URN) of each RegisterResource request, in order."""
        self.wire: dict[str, dict[str, Any]] = {}
        """Resource name -> the inputs of its request, as JSON."""
        self.outputs: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        self.registered.append((request.type, request.name, response.urn))
        self.wire[request.name] = json_format.MessageToDict(request.object)
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        self.outputs[request.urn] = json_format.MessageToDict(request.outputs)
        return super().RegisterResourceOutputs(request)


def _run(program: Callable[[], Awaitable[None] | None], *, preview: bool = False) -> _Recorder:
    """What hlz.engine.run.run_program does, without the recording to plain JSON."""
    recorder = _Recorder(_Answers(preview))
    sdk.start_mock_deployment(
        recorder.mocks, recorder, project=PROJECT, stack=STACK, preview=preview
    )
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(sdk.run_in_stack(program))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return recorder


@dataclass(frozen=True)
class _Observed:
    recorder: _Recorder
    config_in_program: dict[str, Any]


def _source_and_sink(preview: bool) -> _Observed:
    sdk.set_config({"hlz:layer": "landing_zone", "hlz:firewal": "Basic"}, [])
    config_in_program: dict[str, Any] = {}

    def program() -> None:
        config_in_program.update(sdk.config_values())
        source = pulumi.CustomResource(
            "test:index:Source",
            "source",
            {"computed": None, "password": pulumi.Output.secret("hunter2")},
        )
        pulumi.CustomResource(
            "test:index:Sink", "sink", {"source": source, "computed": source.computed}
        )
        pulumi.export("answer", 42)

    recorder = _run(program, preview=preview)
    return _Observed(recorder, config_in_program)


@pytest.fixture(scope="module")
def applied() -> _Observed:
    return _source_and_sink(preview=False)


@pytest.fixture(scope="module")
def previewed() -> _Observed:
    return _source_and_sink(preview=True)


# --- the property-value wire protocol ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "symbol"),
    [
        ("SIG_KEY", "_special_sig_key"),
        ("SECRET_SIG", "_special_secret_sig"),
        ("RESOURCE_SIG", "_special_resource_sig"),
        ("OUTPUT_VALUE_SIG", "_special_output_value_sig"),
        ("UNKNOWN", "UNKNOWN"),
    ],
)
def test_wire_constants_are_the_sdks(ours: str, symbol: str) -> None:
    value = getattr(rpc, symbol, None)
    assert isinstance(value, str) and value, (
        f"pulumi.runtime.rpc.{symbol} is gone or no longer a string: "
        f"hlz.engine.sdk_internals.{ours} and hlz.engine.recording.to_plain cannot read the wire"
    )
    assert getattr(sdk, ours) == value


def test_secret_sig_marks_a_secret_input(applied: _Observed) -> None:
    password = applied.recorder.wire["source"]["password"]
    assert password == {sdk.SIG_KEY: sdk.SECRET_SIG, "value": "hunter2"}, (
        "pulumi.runtime.rpc._special_sig_key/_special_secret_sig: a secret input no longer "
        f"reaches the monitor as {{SIG_KEY: SECRET_SIG, value}} but as {password!r}; "
        "hlz.engine.recording.to_plain would write the secret into the plan"
    )


def test_resource_sig_marks_a_resource_reference(applied: _Observed) -> None:
    reference = applied.recorder.wire["sink"]["source"]
    source_urn = next(urn for _, name, urn in applied.recorder.registered if name == "source")
    assert reference.get(sdk.SIG_KEY) == sdk.RESOURCE_SIG and reference.get("urn") == source_urn, (
        "pulumi.runtime.rpc._special_resource_sig: a resource passed as an input no longer "
        f"reaches the monitor as a reference with its URN, but as {reference!r}"
    )


def test_output_value_sig_is_what_the_sdk_reads_as_an_output_value() -> None:
    wire = struct_pb2.Struct()
    wire.update({"value": {sdk.SIG_KEY: sdk.OUTPUT_VALUE_SIG, "value": "v", "secret": True}})

    async def read_back() -> Any:  # an Output needs a running loop
        return rpc.deserialize_properties(wire)["value"]

    read = asyncio.run(read_back())
    assert isinstance(read, pulumi.Output), (
        "pulumi.runtime.rpc._special_output_value_sig: the SDK no longer reads "
        f"{{SIG_KEY: OUTPUT_VALUE_SIG, ...}} as an output value (got {read!r})"
    )


def test_unknown_is_what_a_preview_sends_for_an_unknown_value(previewed: _Observed) -> None:
    computed = previewed.recorder.wire["sink"]["computed"]
    assert computed == sdk.UNKNOWN, (
        "pulumi.runtime.rpc.UNKNOWN: in preview, an output the mocks answer as UNKNOWN no "
        f"longer reaches the next resource's inputs as UNKNOWN but as {computed!r}; "
        "hlz plan --preview would print made-up values"
    )


# --- running a program under the SDK's mocks --------------------------------------------------


def test_mock_monitor_can_be_subclassed_to_see_every_request(applied: _Observed) -> None:
    parameters = list(inspect.signature(runtime_mocks.MockMonitor.__init__).parameters)
    assert parameters == ["self", "mocks"], (
        f"pulumi.runtime.mocks.MockMonitor.__init__{parameters}: expected (self, mocks)"
    )
    for method in ("RegisterResource", "ReadResource", "RegisterResourceOutputs"):
        found = getattr(runtime_mocks.MockMonitor, method, None)
        assert found is not None and list(inspect.signature(found).parameters) == [
            "self",
            "request",
        ], f"pulumi.runtime.mocks.MockMonitor.{method}(self, request) is gone or changed"
    names = [name for _, name, _ in applied.recorder.registered]
    assert names == [f"{PROJECT}-{STACK}", "source", "sink"], (
        "pulumi.runtime.mocks.MockMonitor: a subclass's RegisterResource no longer sees every "
        f"registration (saw {names})"
    )


def test_set_config_replaces_the_whole_config_map() -> None:
    parameters = list(inspect.signature(pulumi.runtime.set_all_config).parameters)
    assert parameters[:2] == ["config", "secret_keys"], (
        f"pulumi.runtime.set_all_config{parameters}: expected (config, secret_keys)"
    )
    sdk.set_config({"hlz:a": "1", "other:b": "2"}, ["hlz:a"])
    assert pulumi.Config("hlz").get("a") == "1", (
        "pulumi.runtime.set_all_config: pulumi.Config no longer reads the keys it set"
    )
    assert pulumi.runtime.is_config_secret("hlz:a"), (
        "pulumi.runtime.set_all_config no longer marks the secret_keys as secret"
    )
    sdk.set_config({"hlz:c": "3"}, [])
    assert pulumi.Config("hlz").get("a") is None, (
        "pulumi.runtime.set_all_config now merges into the config map instead of replacing "
        "it: a stack planned after another one would see the first stack's keys"
    )
    assert not pulumi.runtime.is_config_secret("hlz:a"), (
        "pulumi.runtime.set_all_config no longer replaces the set of secret keys"
    )


def test_config_values_lists_every_key_inside_the_program(applied: _Observed) -> None:
    assert isinstance(runtime_config.CONFIG, contextvars.ContextVar), (
        "pulumi.runtime.config.CONFIG is no longer the ContextVar holding the config map: "
        "stacks.common.read_namespace cannot list the hlz:* keys"
    )
    assert applied.config_in_program == {"hlz:layer": "landing_zone", "hlz:firewal": "Basic"}, (
        "pulumi.runtime.config.CONFIG: inside a running program the map no longer holds "
        f"exactly the keys set (got {applied.config_in_program}); a misspelt key would go "
        "unreported"
    )


@pytest.fixture
def no_root() -> Iterator[None]:
    """No root resource, as in a fresh process (the SDK's own setter: contract tests may)."""
    settings.set_root_resource(None)  # type: ignore[arg-type]
    yield


@pytest.mark.parametrize("preview", [False, True])
def test_start_mock_deployment_installs_the_monitor_and_registers_nothing(
    preview: bool, no_root: None
) -> None:
    for name, wanted in (
        ("reset_options", {"project", "stack", "preview", "organization"}),
        ("set_mocks", {"project", "stack", "preview", "monitor", "organization"}),
    ):
        missing = wanted - set(inspect.signature(getattr(pulumi.runtime, name)).parameters)
        assert not missing, f"pulumi.runtime.{name} lost parameters {sorted(missing)}"
    assert callable(getattr(settings, "set_root_resource", None)), (
        "pulumi.runtime.settings.set_root_resource is gone"
    )
    recorder = _Recorder(_Answers(preview))
    try:
        sdk.start_mock_deployment(
            recorder.mocks, recorder, project=PROJECT, stack=STACK, preview=preview
        )
    except Exception as error:  # noqa: BLE001 - reported with the symbols to look at
        pytest.fail(
            "hlz.engine.sdk_internals.start_mock_deployment failed (pulumi.runtime.reset_options, "
            f"set_mocks, settings.set_root_resource): {type(error).__name__}: {error}"
        )
    assert recorder.registered == [], (
        "pulumi.runtime.set_mocks registered a root Stack of its own although a root resource "
        "was set: run_in_stack would create a second one"
    )
    assert pulumi.runtime.get_root_resource() is None
    assert settings.SETTINGS.monitor is recorder, "set_mocks(monitor=...) did not install it"
    assert (pulumi.get_project(), pulumi.get_stack(), pulumi.get_organization()) == (
        PROJECT,
        STACK,
        sdk.ORGANIZATION,
    )
    assert pulumi.runtime.is_dry_run() is preview


def test_start_mock_deployment_forgets_work_an_earlier_run_left_pending() -> None:
    loop = asyncio.new_event_loop()
    left_over = loop.create_future()
    state: Any = settings.SETTINGS
    try:
        with state.lock:
            state.outputs.add(left_over)
        assert left_over in sdk.pending_work()
        recorder = _Recorder(_Answers(False))
        sdk.start_mock_deployment(
            recorder.mocks, recorder, project=PROJECT, stack=STACK, preview=False
        )
        assert sdk.pending_work() == [], (
            "pulumi.runtime.reset_options no longer starts a fresh settings bag: the next run "
            "would wait for Outputs an earlier, failed run left pending"
        )
    finally:
        with state.lock:  # whatever happened, no later run may wait for it
            state.outputs.discard(left_over)
        loop.close()


def test_run_in_stack_creates_the_root_stack_and_registers_the_exports(
    applied: _Observed,
) -> None:
    parameters = list(inspect.signature(pulumi.runtime.run_in_stack).parameters)
    assert parameters == ["func"], f"pulumi.runtime.run_in_stack{parameters}: expected (func)"
    stacks = [(name, urn) for kind, name, urn in applied.recorder.registered if kind == STACK_TYPE]
    assert [name for name, _ in stacks] == [f"{PROJECT}-{STACK}"], (
        f"pulumi.runtime.run_in_stack: expected one root {STACK_TYPE} named "
        f"<project>-<stack>, registered {stacks}"
    )
    stack_urn = stacks[0][1]
    assert applied.recorder.outputs.get(stack_urn) == {"answer": 42}, (
        "pulumi.runtime.run_in_stack: pulumi.export no longer ends up in the root stack's "
        f"RegisterResourceOutputs (got {applied.recorder.outputs})"
    )


def test_run_in_stack_raises_what_the_program_raised() -> None:
    def program() -> None:
        raise ValueError("the program failed")

    with pytest.raises(ValueError, match="the program failed"):
        _run(program)


def test_pending_work_lists_unfinished_outputs_and_rpcs() -> None:
    state: Any = settings.SETTINGS
    for attribute in ("outputs", "lock", "rpc_manager"):
        assert hasattr(state, attribute), f"pulumi.runtime.settings.SETTINGS.{attribute} is gone"
    assert isinstance(state.rpc_manager.rpcs, list), "SETTINGS.rpc_manager.rpcs is not a list"
    seen: dict[str, int] = {}

    async def program() -> None:
        gate = asyncio.get_running_loop().create_future()
        before = set(sdk.pending_work())
        waiting = pulumi.Output.from_input(gate)
        added = set(sdk.pending_work()) - before
        gate.set_result("open")
        assert await waiting.future() == "open"
        still = added & set(sdk.pending_work())
        pulumi.CustomResource("test:index:Source", "in-flight", {})
        in_flight = set(sdk.pending_work()) & set(state.rpc_manager.rpcs)
        seen.update(added=len(added), still=len(still), rpcs=len(in_flight))

    _run(program)
    assert seen["added"] >= 1 and seen["still"] == 0, (
        "pulumi.runtime.settings.SETTINGS.outputs no longer tracks an unresolved Output until "
        f"it resolves ({seen}): hlz.engine.run would stop waiting too early or never"
    )
    assert seen["rpcs"] >= 1, (
        "pulumi.runtime.settings.SETTINGS.rpc_manager.rpcs no longer holds a registration in flight"
    )


# --- generated input types --------------------------------------------------------------------

ARGS = public_ip_address.PublicIPAddressArgs
"""A generated azure-native input type with an input whose wire name is not plain camelCase."""


def test_is_input_type_recognises_generated_args_classes() -> None:
    assert sdk.is_input_type(ARGS) and not sdk.is_input_type(dict), (
        "pulumi._types.is_input_type no longer tells a generated @pulumi.input_type class "
        "from any other"
    )


def test_input_type_wire_names_map_python_names_to_the_wire() -> None:
    names = sdk.input_type_wire_names(ARGS)
    assert names.get("public_ip_allocation_method") == "publicIPAllocationMethod", (
        "pulumi._types.input_type_py_to_pulumi_names no longer maps a Python name to its wire "
        f"name (got {names.get('public_ip_allocation_method')!r}): the bench's floor breaks"
    )


def test_input_type_annotations_are_keyed_by_wire_name() -> None:
    annotations = sdk.input_type_annotations(ARGS)
    assert "publicIPAllocationMethod" in annotations and "sku" in annotations, (
        "pulumi._types.input_type_types no longer gives each input's type by wire name "
        f"(keys: {sorted(annotations)[:5]}...): tests/schema/test_schema_wire.py breaks"
    )


# --- nothing else reaches in ------------------------------------------------------------------

SCANNED = ("components", "stacks", "policies", "hlz", "tools", "tests", "docs/labs")
ALLOWED = {
    "hlz/engine/sdk_internals.py",
    "policies/sdk_guard.py",  # the pack's own touch: the pack must load without hlz
    "tests/contract/test_pulumi_sdk_internals.py",
    "tests/contract/test_pulumi_policy_internals.py",
}
PUBLIC_RUNTIME_MODULES = ("pulumi.runtime.proto",)
"""The generated gRPC stubs: Pulumi's published wire protocol, not SDK internals."""
INTERNAL_NAMES = frozenset(
    {
        "CONFIG",
        "MockEngine",
        "MockMonitor",
        "MockSettings",
        "SETTINGS",
        "config",
        "configure",
        "mocks",
        "reset_options",
        "rpc",
        "rpc_manager",
        "run_in_stack",
        "set_all_config",
        "set_mocks",
        "set_root_resource",
        "settings",
        "stack",
    }
)
"""Names of ``pulumi.runtime`` that only hlz/engine/sdk_internals.py may use."""


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _private(module: str, name: str | None = None) -> bool:
    full = module if name is None else f"{module}.{name}"
    if full.startswith(PUBLIC_RUNTIME_MODULES):
        return False
    parts = full.split(".")
    if parts[0] != "pulumi" or len(parts) < 2:
        return False
    if any(part.startswith("_") for part in parts[1:]):
        return True
    return parts[1] == "runtime" and len(parts) > 2 and parts[2] in INTERNAL_NAMES


def reaches_in(source: str) -> list[tuple[int, str]]:
    """(line, what) for every use of the SDK's internals in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if _private(node.module, alias.name):
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute | ast.Name):
            dotted = _dotted(node)
            if dotted and _private(dotted) and not _private(dotted.rsplit(".", 1)[0]):
                found.append((node.lineno, dotted))
    return found


def test_the_guard_sees_each_kind_of_reaching_in() -> None:
    source = "\n".join(
        [
            "from pulumi import _types",
            "from pulumi.runtime import rpc",
            "from pulumi.runtime.settings import SETTINGS",
            "import pulumi.runtime.config",
            "x = pulumi.runtime.config.CONFIG.get()",
            "from pulumi.runtime.proto import analyzer_pb2",
            "from pulumi.runtime import Mocks, MockResourceArgs",
            "y = pulumi.runtime.is_dry_run()",
        ]
    )
    assert [line for line, _ in reaches_in(source)] == [1, 2, 3, 4, 5]


def test_nothing_else_reaches_into_the_sdk() -> None:
    found = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ALLOWED:
                continue
            found += [f"{relative}:{line}: {what}" for line, what in reaches_in(path.read_text())]
    assert not found, (
        "Pulumi SDK internals used outside hlz/engine/sdk_internals.py; add a touch there (with a "
        "contract test here) and use it instead:\n  " + "\n  ".join(found)
    )


def test_the_cli_marks_hlz_check_reads_are_the_sdks_own() -> None:
    """`hlz check` reads `pulumi preview --json` and `pulumi stack export` without loading the
    Pulumi runtime (hlz.documents keeps the CLI's marks as literals, from its Go sources); they
    are the same wire constants the SDK uses, which sdk_internals reads from it."""
    from hlz import documents
    from hlz.engine import sdk_internals as sdk

    assert documents.CLI_UNKNOWN == sdk.UNKNOWN
    assert documents.SIG_KEY == sdk.SIG_KEY
    assert documents.SECRET_SIG == sdk.SECRET_SIG
    assert documents.RESOURCE_REFERENCE_SIG == sdk.RESOURCE_SIG
