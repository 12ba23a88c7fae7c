"""Importing this module loads the policy SDK's ``pulumi_policy.proxy`` without the rest of the SDK.

The rules (``policies.props``, ``policies.evaluation``) read properties through that module's
unknown-checking proxy: the very proxy CrossGuard wraps properties in, so ``hlz check`` and
``pulumi preview --policy-pack`` treat a value unknown until deployment alike. ``proxy.py``
itself imports only ``typing`` and ``collections.abc``; but the ordinary import first runs
``pulumi_policy/__init__.py``, which loads the pack's gRPC server (``pulumi_policy.policy``:
grpc, protobuf and the whole Pulumi runtime), about 0.2 s of CPU a check never uses.

So, unless the SDK is loaded already, the installed SDK's own ``proxy.py`` is executed under
its own name, ``pulumi_policy.proxy``, and registered in ``sys.modules``. Every later
``from pulumi_policy.proxy import ...`` gets that module, including the SDK's own
``from .proxy import ...`` should the full SDK be imported later in the same process: one
``UnknownValueError``, one ``unknown_checking_proxy``. Nothing is copied or reimplemented.
(``tests/test_cli.py`` checks both: the check's imports, and that the SDK's policy server
wraps with the same proxy afterwards.) Import this module before any ``policies`` rule.

One difference remains: a package imported after its submodule does not get the submodule as
an attribute, so after a later ``import pulumi_policy`` write ``from pulumi_policy.proxy
import ...`` (as all hlz and policies code does), not ``pulumi_policy.proxy.<name>``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

MODULE = "pulumi_policy.proxy"


def _load_proxy_alone() -> None:
    if MODULE in sys.modules or "pulumi_policy" in sys.modules:
        return  # loaded already (alone, or with the whole SDK): use it as it is
    package = importlib.util.find_spec("pulumi_policy")  # finds; does not import
    if package is None or not package.submodule_search_locations:
        return  # the ordinary import reports the missing SDK
    source = Path(next(iter(package.submodule_search_locations))) / "proxy.py"
    spec = importlib.util.spec_from_file_location(MODULE, source)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[MODULE]
        raise


_load_proxy_alone()
