"""Vendor the index of Azure Policy built-in definitions the runtime initiative may reference.

Reads ``built-in-policies/policyDefinitions/**/*.json`` of an Azure/azure-policy checkout and
writes ``policies/data/builtin_policies.json``: per built-in definition that reads a property of
an ARM type the pack judges (``policies.arm_types.KNOWN_ARM_PATHS``) or that ``policies.runtime``
references, its id, display name, version, category, mode, allowed effects, default effect, the
ARM types it tests and the aliases it reads (``field`` values, ``count.field`` included). The
file records the checkout's commit and date, so the index is dated.

    python tools/refresh_builtin_policies.py --from ~/src/azure-policy   # rewrite the index
    python tools/refresh_builtin_policies.py --from ~/src/azure-policy --check

``--check`` rebuilds the index in memory and fails when it differs from the vendored one. The
test suite needs no checkout: it reads the vendored index (``policies.builtin_index``).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from policies.arm_types import KNOWN_ARM_PATHS, arm_type  # noqa: E402
from policies.builtin_index import INDEX_FILE  # noqa: E402
from policies.runtime import RUNTIME  # noqa: E402

UPSTREAM = "https://github.com/Azure/azure-policy"
DEFINITIONS = Path("built-in-policies") / "policyDefinitions"
GOVERNMENT = "Azure Government"
"""Folder of definitions that exist in the Azure Government cloud only."""
_PARAMETER = re.compile(r"^\[parameters\('([^']+)'\)\]$")
NOT_ALIASES = frozenset({"type", "name", "kind", "id", "fullName"})
"""``field`` values that are resource fields rather than aliases."""


def _fields(node: Any) -> Iterator[str]:
    """Every ``field`` value in a policy rule (inside ``count`` and ``existenceCondition`` too)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "field" and isinstance(value, str):
                yield value
            else:
                yield from _fields(value)
    elif isinstance(node, list):
        for item in node:
            yield from _fields(item)


def _tested_types(node: Any) -> Iterator[str]:
    """ARM types the rule compares ``type`` with, and the related type of an *IfNotExists."""
    if isinstance(node, dict):
        if node.get("field") == "type":
            for op in ("equals", "like"):
                if isinstance(node.get(op), str):
                    yield node[op]
            if isinstance(node.get("in"), list):
                yield from (t for t in node["in"] if isinstance(t, str))
        for value in node.values():
            yield from _tested_types(value)
    elif isinstance(node, list):
        for item in node:
            yield from _tested_types(item)


def _effects(props: dict[str, Any]) -> tuple[str | None, list[str], str | None]:
    """(effect parameter name or None, allowed effects, default effect)."""
    effect = props.get("policyRule", {}).get("then", {}).get("effect", "")
    match = _PARAMETER.match(effect) if isinstance(effect, str) else None
    if match is None:
        return None, [effect] if effect else [], effect or None
    parameter = props.get("parameters", {}).get(match.group(1), {})
    allowed = parameter.get("allowedValues") or []
    return match.group(1), [str(e) for e in allowed], parameter.get("defaultValue")


def entry(document: dict[str, Any], path: str) -> dict[str, Any]:
    props = document["properties"]
    rule = props.get("policyRule", {})
    parameter, allowed, default = _effects(props)
    aliases = sorted({f for f in _fields(rule) if f not in NOT_ALIASES})
    then = rule.get("then", {})
    details = then.get("details") if isinstance(then.get("details"), dict) else {}
    related = details.get("type")
    types = sorted({*_tested_types(rule.get("if", {})), *([related] if related else [])})
    return {
        "displayName": props["displayName"],
        "version": props.get("version") or props.get("metadata", {}).get("version"),
        "versions": props.get("versions") or [],
        "category": props.get("metadata", {}).get("category"),
        "mode": props.get("mode"),
        "effectParameter": parameter,
        "effects": allowed,
        "defaultEffect": default,
        "types": types,
        "aliases": aliases,
        "parameters": sorted(props.get("parameters", {})),
        "requiredParameters": sorted(
            name for name, spec in props.get("parameters", {}).items() if "defaultValue" not in spec
        ),
        "allowedValues": {
            name: spec["allowedValues"]
            for name, spec in sorted(props.get("parameters", {}).items())
            if name != parameter and isinstance(spec.get("allowedValues"), list)
        },
        "roleDefinitionIds": sorted(
            role.rsplit("/", 1)[-1] for role in details.get("roleDefinitionIds", [])
        ),
        "deprecated": bool(props.get("metadata", {}).get("deprecated"))
        or props["displayName"].startswith("[Deprecated]"),
        "preview": bool(props.get("metadata", {}).get("preview"))
        or props["displayName"].startswith("[Preview]"),
        "path": path,
    }


def _judged_types() -> set[str]:
    return {t.casefold() for t in (arm_type(token) for token in KNOWN_ARM_PATHS) if t}


def _relevant(item: dict[str, Any], judged: set[str]) -> bool:
    named = [*item["types"], *(a.rsplit("/", 1)[0] for a in item["aliases"])]
    return any(t.casefold() in judged for t in named)


def build(checkout: Path) -> dict[str, Any]:
    commit, date = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%H %cs"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    judged = _judged_types()
    referenced = {c.definition for counterparts in RUNTIME.values() for c in counterparts}
    definitions: dict[str, dict[str, Any]] = {}
    for file in sorted((checkout / DEFINITIONS).rglob("*.json")):
        document = json.loads(file.read_text(encoding="utf-8-sig"))
        if document.get("properties", {}).get("policyType") != "BuiltIn":
            continue
        guid = document["name"]
        path = file.relative_to(checkout).as_posix()
        government = path.startswith(f"{DEFINITIONS.as_posix()}/{GOVERNMENT}/")
        item = entry(document, path)
        item["azureGovernmentOnly"] = government
        if guid in definitions and (government or not definitions[guid]["azureGovernmentOnly"]):
            continue  # the public cloud's copy wins; a Government-only copy never hides it
        if guid in referenced or _relevant(item, judged):
            definitions[guid] = item
    missing = sorted(referenced - set(definitions))
    if missing:
        raise SystemExit(f"policies.runtime references ids absent from {checkout}: {missing}")
    return {
        "source": {"repository": UPSTREAM, "commit": commit, "commitDate": date},
        "comment": (
            "Built-in Azure Policy definitions that read ARM types the hlz pack judges, or that "
            "policies/runtime.py references; written by tools/refresh_builtin_policies.py."
        ),
        "definitions": dict(sorted(definitions.items())),
    }


def render(index: dict[str, Any]) -> str:
    """One definition per line: small, and a refresh's diff shows which definitions changed."""
    head = {key: value for key, value in index.items() if key != "definitions"}
    lines = [json.dumps(head, indent=1, ensure_ascii=False)[:-2] + ',\n "definitions": {']
    items = list(index["definitions"].items())
    for position, (name, item) in enumerate(items):
        comma = "," if position < len(items) - 1 else ""
        lines.append(f"  {json.dumps(name)}: {json.dumps(item, ensure_ascii=False)}{comma}")
    lines.append(" }\n}\n")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--from", dest="checkout", type=Path, required=True, metavar="CHECKOUT")
    parser.add_argument("--check", action="store_true", help="fail if the vendored index differs")
    args = parser.parse_args(argv)
    text = render(build(args.checkout))
    if args.check:
        if INDEX_FILE.read_text(encoding="utf-8") != text:
            print(
                f"{INDEX_FILE.relative_to(ROOT)} is stale: rerun without --check", file=sys.stderr
            )
            return 1
        print("builtin_policies.json matches the checkout")
        return 0
    INDEX_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
