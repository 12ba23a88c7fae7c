"""Vendor the Bicep type files (Azure/bicep-types-az) the policy validator needs.

Needed: one ``types.json`` per (provider namespace, API version) that the installed
pulumi-azure-native SDK sends for the tokens in ``ARM_PATHS`` (and resource groups), plus the
ARM types the components create through the generic ``azure-native:resources:Resource`` at an
explicit API version (``GENERIC_TARGETS`` below).

    python tools/refresh_bicep_types.py --from ~/src/bicep-types-az   # copy + rewrite SOURCES.md
    python tools/refresh_bicep_types.py --check                       # offline: hashes, coverage

Files are copied byte for byte from ``generated/<folder>/<namespace>/<version>/types.json`` of
the checkout and stored as ``hlz/schema/bicep-types/<namespace>/<version>/types.json``;
``SOURCES.md`` records the upstream path, size and sha256 of each and the checkout's commit.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hlz.schema.bicep_types import TYPES_ROOT, TypeFile  # noqa: E402
from hlz.schema.catalog import arm_type_for_token, sdk_api_version  # noqa: E402
from policies.arm_types import ARM_PATHS  # noqa: E402

SOURCES = TYPES_ROOT / "SOURCES.md"
UPSTREAM = "Azure/bicep-types-az"

GENERIC_TARGETS: tuple[tuple[str, str], ...] = (
    # components/health_data.py creates the Health Data Services workspace as a generic
    # resource: the SDK's typed Workspace (2024-03-31) cannot set publicNetworkAccess.
    ("Microsoft.HealthcareApis/workspaces", "2024-03-31"),
    # components/dns_resolver.py creates the DNS Private Resolver at the GA API: the SDK's typed
    # dnsresolver module sends 2023-07-01-preview, whose definitions are not vendored.
    ("Microsoft.Network/dnsResolvers", "2025-05-01"),
    ("Microsoft.Network/dnsResolvers/inboundEndpoints", "2025-05-01"),
    ("Microsoft.Network/dnsResolvers/outboundEndpoints", "2025-05-01"),
    ("Microsoft.Network/dnsForwardingRulesets", "2025-05-01"),
    ("Microsoft.Network/dnsForwardingRulesets/forwardingRules", "2025-05-01"),
    ("Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks", "2025-05-01"),
    # components/roles.py creates the labs' custom role definitions at the GA API: the SDK's
    # typed RoleDefinition sends 2022-05-01-preview, whose definitions are not vendored.
    ("Microsoft.Authorization/roleDefinitions", "2022-04-01"),
)
"""(ARM type, API version) the components create as ``azure-native:resources:Resource``."""

_ROW = re.compile(
    r"^\| `(?P<saved>[^`]+)` \| `(?P<upstream>[^`]+)` "
    r"\| (?P<bytes>\d+) \| `(?P<sha>[0-9a-f]{64})` \|"
)


@dataclass(frozen=True)
class Needed:
    namespace: str
    api_version: str
    arm_types: tuple[str, ...]

    @property
    def saved_as(self) -> str:
        return f"{self.namespace.lower()}/{self.api_version}/types.json"


def needed() -> list[Needed]:
    """Every (namespace, version) the validator needs, with the ARM types it needs from it."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for token in sorted({*ARM_PATHS, "azure-native:resources:ResourceGroup"}):
        arm_type = arm_type_for_token(token)
        api_version = sdk_api_version(token)
        if arm_type is None or api_version is None:
            raise SystemExit(f"{token}: no ARM type or SDK API version")
        namespace = arm_type.split("/")[0]
        wanted.setdefault((namespace.lower(), api_version), set()).add(arm_type)
    for arm_type, api_version in GENERIC_TARGETS:
        wanted.setdefault((arm_type.split("/")[0].lower(), api_version), set()).add(arm_type)
    return [
        Needed(ns, version, tuple(sorted(types))) for (ns, version), types in sorted(wanted.items())
    ]


def resource_names(path: Path) -> set[str]:
    """Lower-case ``<ARM type>@<version>`` of every resource a type file defines (either format)."""
    return set(TypeFile.load(path).resources)


def upstream_file(checkout: Path, item: Needed) -> Path:
    """The one ``generated/*/<namespace>/<version>/types.json`` that defines the needed types
    (a namespace can be split over folders: Microsoft.Network is ``network`` and ``privatedns``)."""
    candidates = sorted(
        checkout.glob(f"generated/*/{item.namespace.lower()}/{item.api_version}/types.json")
    )
    wanted = {f"{t}@{item.api_version}".lower() for t in item.arm_types}
    for path in candidates:
        if wanted <= resource_names(path):
            return path
    raise SystemExit(
        f"no single upstream types.json defines {sorted(wanted)} "
        f"(candidates: {[p.relative_to(checkout).as_posix() for p in candidates]})"
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checkout_commit(checkout: Path) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def render_sources(rows: list[tuple[Needed, str, Path]], commit: str) -> str:
    lines = [
        "# Bicep type definitions (Azure/bicep-types-az), vendored",
        "",
        "Byte-for-byte copies of",
        "`https://github.com/Azure/bicep-types-az/blob/<commit>/<upstream path>`",
        f"at commit `{commit or 'unknown'}`, for the API versions the installed",
        'pulumi-azure-native uses (class docstrings, "Uses Azure REST API version ...") and the',
        "generic-resource targets in `tools/refresh_bicep_types.py`. Regenerate with",
        "`python tools/refresh_bicep_types.py --from <bicep-types-az checkout>`; `--check`",
        "verifies the hashes and the coverage offline.",
        "",
        "| saved as | upstream path | bytes | sha256 | needed for |",
        "| --- | --- | --- | --- | --- |",
    ]
    for item, upstream, path in rows:
        types = ", ".join(f"`{t}`" for t in item.arm_types)
        size, digest = path.stat().st_size, sha256(path)
        lines.append(f"| `{item.saved_as}` | `{upstream}` | {size} | `{digest}` | {types} |")
    return "\n".join(lines) + "\n"


def refresh(checkout: Path, commit: str | None) -> int:
    rows = []
    items = needed()
    for item in items:
        source = upstream_file(checkout, item)
        target = TYPES_ROOT / item.saved_as
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        rows.append((item, source.relative_to(checkout).as_posix(), target))
    keep = {TYPES_ROOT / item.saved_as for item in items}
    for stale in TYPES_ROOT.glob("*/*/types.json"):
        if stale not in keep:
            stale.unlink()
            if not any(stale.parent.iterdir()):
                stale.parent.rmdir()
    SOURCES.write_text(render_sources(rows, commit or checkout_commit(checkout)), encoding="utf-8")
    print(f"vendored {len(rows)} type files into {TYPES_ROOT}")
    return 0


def check() -> int:
    problems: list[str] = []
    recorded = {}
    if SOURCES.is_file():
        for line in SOURCES.read_text(encoding="utf-8").splitlines():
            match = _ROW.match(line)
            if match:
                recorded[match["saved"]] = match
    else:
        problems.append(f"{SOURCES} is missing")
    for item in needed():
        path = TYPES_ROOT / item.saved_as
        if not path.is_file():
            problems.append(f"{item.saved_as} missing (needed for {', '.join(item.arm_types)})")
            continue
        missing = {f"{t}@{item.api_version}".lower() for t in item.arm_types} - resource_names(path)
        if missing:
            problems.append(f"{item.saved_as} does not define {sorted(missing)}")
        if item.saved_as not in recorded:
            problems.append(f"{item.saved_as} is not listed in SOURCES.md")
    for saved, row in sorted(recorded.items()):
        path = TYPES_ROOT / saved
        if not path.is_file():
            problems.append(f"SOURCES.md lists {saved}, which is not vendored")
        elif sha256(path) != row["sha"] or path.stat().st_size != int(row["bytes"]):
            problems.append(f"{saved} does not match the sha256/size in SOURCES.md")
    for path in sorted(TYPES_ROOT.glob("*/*/types.json")):
        saved = path.relative_to(TYPES_ROOT).as_posix()
        if saved not in recorded:
            problems.append(f"{saved} is vendored but not listed in SOURCES.md")
    if problems:
        print("bicep types out of date:\n  " + "\n  ".join(problems))
        return 1
    print(f"bicep types ok: {len(recorded)} files, every needed version vendored")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--from", dest="source", type=Path, help=f"a checkout of {UPSTREAM} (with generated/)"
    )
    parser.add_argument("--commit", help="commit of that checkout, when it is not a git work tree")
    parser.add_argument(
        "--check",
        action="store_true",
        help="verify the vendored files against SOURCES.md and the SDK, offline",
    )
    args = parser.parse_args(argv)
    if args.check:
        return check()
    if args.source is None:
        parser.error("--from is required unless --check")
    return refresh(args.source, args.commit)


if __name__ == "__main__":
    raise SystemExit(main())
