"""Every piece of the Pulumi Python SDK that hlz uses beyond its documented program API, in one
place.

The offline engine runs a real program under the SDK's mocks and records the wire, the stack
programs read every ``hlz:*`` key, and the bench and the wire-data tests read the SDK's
generated input types. The ``pulumi`` package offers none of that publicly, so each touch is
one small constant or function below: the SDK symbol, what hlz relies on, and why no public
API serves. ``tests/contract/test_pulumi_sdk_internals.py`` checks each one against the
installed SDK, so an upgrade that removes or changes a symbol fails there, naming it, instead
of as a wrong plan; the same file fails when code outside this module reaches into the SDK's
internals. (The policy pack's one touch stays in ``policies/sdk_guard.py``: the pack must load
with pulumi, pulumi-policy and pyyaml only.)

Touches (ours -> the SDK's, and who uses it):

- ``SIG_KEY``, ``SECRET_SIG``, ``RESOURCE_SIG``, ``OUTPUT_VALUE_SIG`` ->
  ``pulumi.runtime.rpc._special_sig_key`` and ``._special_*_sig``; ``UNKNOWN`` -> ``rpc.UNKNOWN``:
  ``hlz.engine.recording``, ``hlz.engine.mocks``.
- ``MockMonitor`` -> ``pulumi.runtime.mocks.MockMonitor``:
  ``hlz.engine.recording.RecordingMonitor``.
- ``set_config`` -> ``pulumi.runtime.set_all_config``; ``start_mock_deployment`` ->
  ``reset_options``, ``set_mocks``, ``settings.set_root_resource``; ``run_in_stack`` ->
  ``pulumi.runtime.run_in_stack``: ``hlz.engine.run.run_program``.
- ``pending_work`` -> ``settings.SETTINGS.outputs``, ``.lock``, ``.rpc_manager.rpcs``:
  ``hlz.engine.run``.
- ``config_values`` -> ``pulumi.runtime.config.CONFIG``: ``stacks.common.read_namespace``, on
  the ``pulumi up`` path too.
- ``is_input_type``, ``input_type_wire_names``, ``input_type_annotations`` ->
  ``pulumi._types``: ``tools/bench.py``, ``tests/schema/test_schema_wire.py``.

Imports nothing but pulumi: the stack programs import it on the ``pulumi up`` path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pulumi.runtime
from pulumi import _types
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, rpc, settings

ORGANIZATION = "organization"
"""The organization a mock deployment runs in (``pulumi.get_organization()``): the SDK's own
default, so the plan names no real organization."""

# --- the property-value wire protocol ---------------------------------------------------------

SIG_KEY: str = rpc._special_sig_key
"""``pulumi.runtime.rpc._special_sig_key``: the key under which a wire value's kind (secret,
resource reference, output value, asset) is marked in a serialized property map. The engine's
``to_plain`` reads registrations off the wire, where these markers are all a secret or a
reference looks like; the SDK exposes only its own (de)serializers, which turn them back into
Outputs instead of JSON."""

SECRET_SIG: str = rpc._special_secret_sig
"""``pulumi.runtime.rpc._special_secret_sig``: the ``SIG_KEY`` value of a secret; the plan
masks the value."""

RESOURCE_SIG: str = rpc._special_resource_sig
"""``pulumi.runtime.rpc._special_resource_sig``: the ``SIG_KEY`` value of a resource
reference (a ``dict`` with ``urn`` and ``id``); the plan records the URN."""

OUTPUT_VALUE_SIG: str = rpc._special_output_value_sig
"""``pulumi.runtime.rpc._special_output_value_sig``: the ``SIG_KEY`` value of an output value
(``value`` when known, ``secret``, ``dependencies``); the plan records the value or marks it
unknown. The SDK sends these only to a monitor announcing the ``outputValues`` feature, which
``MockMonitor`` does not today: ``to_plain`` handles them so that a change there cannot leak
a secret into the plan."""

UNKNOWN: str = rpc.UNKNOWN
"""``pulumi.runtime.rpc.UNKNOWN``: the string that stands for a value not known until the
resource exists (preview). A module-level name of ``rpc`` with no public re-export: the
public API only offers ``Output.is_known()``, which needs an Output, not a wire value. Mocks
answer a preview's computed outputs with it and the engine marks it in the plan."""

# --- running a program under the SDK's mocks --------------------------------------------------

MockMonitor = mocks.MockMonitor
"""``pulumi.runtime.mocks.MockMonitor``: the resource monitor ``set_mocks`` installs, which
answers the gRPC calls (``RegisterResource``, ``ReadResource``, ``RegisterResourceOutputs``,
``GetDeploymentInfo``) by asking a ``pulumi.runtime.Mocks``. hlz subclasses it to record each
request's wire inputs, which ``Mocks.new_resource`` never sees (it gets Python values, without
secrets, dependencies or the parent). ``set_mocks(monitor=...)`` accepts a subclass, but the
class itself is not re-exported by ``pulumi.runtime``."""


def set_config(config: dict[str, str], secret_keys: list[str] | None) -> None:
    """``pulumi.runtime.set_all_config``: replace the whole config map (``project:key`` ->
    string, objects as JSON text) and the set of secret keys, as the language host does before
    a program runs. Re-exported by ``pulumi.runtime`` and the way Pulumi's unit-testing guide
    sets config under mocks; kept here so every runtime-state call of a run is in one place."""
    pulumi.runtime.set_all_config(config, secret_keys)


class _NoRootYet:
    """Stands in for the root resource while ``set_mocks`` runs (see below)."""


def start_mock_deployment(
    mock_answers: pulumi.runtime.Mocks,
    monitor: mocks.MockMonitor,
    *,
    project: str,
    stack: str,
    preview: bool,
) -> None:
    """Point the runtime at ``monitor`` for a fresh deployment of ``project``/``stack``.

    - ``pulumi.runtime.reset_options`` (public): a fresh settings bag and no root resource, so
      Outputs and RPCs an earlier run in this process left pending are not this run's to wait
      for.
    - ``pulumi.runtime.set_mocks`` (public) with ``monitor=``: the settings a mock run needs
      (mock engine, the monitor's features, preview, organization), kept in step with the SDK.
    - ``pulumi.runtime.settings.set_root_resource`` (not re-exported): ``set_mocks`` creates
      and registers a root ``Stack`` of its own when there is no root resource, meant for unit
      tests that declare resources at module level. hlz runs the program as ``pulumi up``
      does, through ``run_in_stack``, which creates the root Stack and registers the program's
      exports on it; so a stand-in is the root while ``set_mocks`` runs, and no root after.
    """
    pulumi.runtime.reset_options(
        project=project, stack=stack, preview=preview, organization=ORGANIZATION
    )
    settings.set_root_resource(cast(Any, _NoRootYet()))
    pulumi.runtime.set_mocks(
        mock_answers,
        project=project,
        stack=stack,
        preview=preview,
        monitor=monitor,
        organization=ORGANIZATION,
    )
    settings.set_root_resource(cast(Any, None))


def run_in_stack(program: Callable[[], Awaitable[None] | None]) -> Awaitable[None]:
    """``pulumi.runtime.run_in_stack``: what the SDK's own entry point does with a program —
    create the root ``pulumi:pulumi:Stack``, run the program, register its exports as the
    stack's outputs, then wait for every pending RPC and raise the first failure. Re-exported
    by ``pulumi.runtime`` but documented as "meant for internal runtime use only"; the public
    ``pulumi.runtime.test`` wraps one unit test, not a whole program with stack outputs."""
    return pulumi.runtime.run_in_stack(program)


def pending_work() -> list[asyncio.Future[Any]]:
    """The Outputs and RPCs of the running deployment that are not done yet.

    ``pulumi.runtime.settings.SETTINGS``: ``.outputs`` (the set of Output tasks, guarded by
    ``.lock``) and ``.rpc_manager.rpcs`` (the RPC futures). After a program returns, the SDK's
    ``wait_for_rpcs`` awaits these one completion at a time (quadratic, BENCHMARKS.md); the
    engine awaits them in whole waves first. No public API lists the pending work.
    """
    state: Any = settings.SETTINGS  # context properties that pyright cannot see
    with state.lock:
        pending: list[asyncio.Future[Any]] = [task for task in state.outputs if not task.done()]
    pending += [
        call
        for call in state.rpc_manager.rpcs
        if isinstance(call, asyncio.Future) and not call.done()
    ]
    return pending


# --- config -----------------------------------------------------------------------------------


def config_values() -> dict[str, Any]:
    """``pulumi.runtime.config.CONFIG``: the running stack's whole config map (``namespace:key``
    -> string; object and list values as JSON text), on ``pulumi up`` and under hlz's mocks.

    ``pulumi.Config(namespace)`` reads only keys it is asked for. The stack programs must see
    every ``hlz:*`` key, including ones no config model declares: a misspelt key
    (``hlz:firewal``) has to be reported as unknown, with the closest known key as a hint,
    rather than silently ignored while a default applies. Listing the config needs this map.
    """
    return dict(runtime_config.CONFIG.get())


# --- generated input types --------------------------------------------------------------------


def is_input_type(cls: type) -> bool:
    """``pulumi._types.is_input_type``: whether ``cls`` is a generated ``@pulumi.input_type``
    args class (the decorator's mark is private; there is no public test)."""
    return _types.is_input_type(cls)


def input_type_wire_names(cls: type) -> dict[str, str]:
    """``pulumi._types.input_type_py_to_pulumi_names``: Python property name -> wire name of an
    input type (``public_ip_allocation_method`` -> ``publicIPAllocationMethod``). The generated
    code keeps this table only in the private ``@pulumi.getter(name=...)`` metadata."""
    return _types.input_type_py_to_pulumi_names(cls)


def input_type_annotations(cls: type) -> dict[str, type]:
    """``pulumi._types.input_type_types``: wire name -> declared type of each property of an
    input type (``Output[T]`` and ``Optional[T]`` unwrapped to ``T``), which the wire-data test
    walks to build a value for every input the SDK can send."""
    return _types.input_type_types(cls)


__all__ = [
    "MockMonitor",
    "ORGANIZATION",
    "OUTPUT_VALUE_SIG",
    "RESOURCE_SIG",
    "SECRET_SIG",
    "SIG_KEY",
    "UNKNOWN",
    "config_values",
    "input_type_annotations",
    "input_type_wire_names",
    "is_input_type",
    "pending_work",
    "run_in_stack",
    "set_config",
    "start_mock_deployment",
]
