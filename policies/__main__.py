"""Entry point the Pulumi CLI runs for ``--policy-pack policies``: builds and serves the pack.

``PolicyPack(...)`` starts the analyzer gRPC server, prints its port and never returns, so
everything else lives in importable modules (``policies.adapter`` and friends).
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
from pathlib import Path

PACK_DIR = Path(__file__).resolve().parent


def _make_pack_importable() -> None:
    """Make this directory importable as the ``policies`` package, whatever its name on disk.

    The CLI runs this file as a script (cwd = this directory), so Python puts this directory,
    not its parent, on ``sys.path``: the package is not importable, and its modules would be
    importable as top-level names. Drop that entry and load the package explicitly (published
    packs are unpacked into a directory that is not called ``policies``).
    """
    sys.path[:] = [entry for entry in sys.path if Path(entry or os.curdir).resolve() != PACK_DIR]
    if "policies" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "policies", PACK_DIR / "__init__.py", submodule_search_locations=[str(PACK_DIR)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the policy pack package from {PACK_DIR}")
    package = importlib.util.module_from_spec(spec)
    sys.modules["policies"] = package
    spec.loader.exec_module(package)


def _unbuffer_stdout() -> None:
    """The SDK writes the port to ``sys.stdout.buffer`` and never flushes; with a pipe (the CLI)
    the port would sit in the buffer unless the host runs Python unbuffered. Write through."""
    raw = io.FileIO(sys.stdout.fileno(), "wb", closefd=False)
    sys.stdout = io.TextIOWrapper(raw, encoding="utf-8", line_buffering=True, write_through=True)


def main() -> None:
    _make_pack_importable()
    _unbuffer_stdout()

    from pulumi_policy import PolicyPack

    from policies.adapter import PACK_ENFORCEMENT_LEVEL, PACK_NAME, build_policies
    from policies.registry import ALL_RULES
    from policies.sdk_guard import refuse_weakening_configs

    # The Pulumi CLI applies --policy-pack-config without asking the pack: refuse weakening ones.
    refuse_weakening_configs(ALL_RULES)
    PolicyPack(name=PACK_NAME, policies=build_policies(), enforcement_level=PACK_ENFORCEMENT_LEVEL)


if __name__ == "__main__":
    main()
