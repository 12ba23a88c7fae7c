"""Regenerate policies/data/wire_data.json from a checkout of Azure/azure-rest-api-specs.

For every azure-native token the policy validator checks (the typed tokens of ``ARM_PATHS``,
resource groups and the generic ``azure-native:resources:Resource``), at the API version the
installed SDK uses:

1. the swagger files of that provider namespace and version
   (``specification/*/resource-manager/**/<Namespace>/**/{stable,preview}/<version>/*.json``,
   the folder the provider itself reads);
2. the PUT operation whose path is that ARM type (and, for extension resources, whose URL
   parameters include the token's name inputs); its URL parameters and its body definition;
3. from the body definition down, every settable property: ``x-ms-client-flatten`` on an object
   that is not a dictionary -> ``flatten``; ``x-ms-client-name`` that changes the lowerCamel name
   -> ``sdkNames`` (ARM name -> SDK name); ``$ref`` of a property, array item or map value ->
   the child definition. Read-only properties are skipped, as the provider skips them for inputs
   (pulumi-azure-native ``provider/pkg/gen/properties.go``, ``genProperties``).

Only definitions with a flatten or a rename at or below them are written: the translation
takes structure from the Bicep types and needs the data only where the SDK departs from ARM.

    python tools/refresh_wire_data.py --from ~/src/azure-rest-api-specs
    python tools/refresh_wire_data.py --from ~/src/azure-rest-api-specs --check
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hlz.schema.catalog import (  # noqa: E402
    GENERIC_RESOURCE,
    arm_type_for_token,
    sdk_api_version,
)
from hlz.schema.wire import WIRE_DATA  # noqa: E402
from policies.arm_types import ARM_PATHS  # noqa: E402

GENERIC_API_VERSION_FROM = "azure-native:resources:ResourceGroup"
"""The generic resource's own PUT is in the Microsoft.Resources specs of the version the SDK
uses for resource groups (both are ``resources.json``)."""


def tokens() -> list[str]:
    return sorted({*ARM_PATHS, "azure-native:resources:ResourceGroup", GENERIC_RESOURCE})


def lower_camel(name: str) -> str:
    """The provider's SDK name for a swagger name: first letter lowered, ``-``/``_`` joined
    (``api-version`` -> ``apiVersion``; ``IPAddressOrRange`` -> ``iPAddressOrRange``)."""
    parts = [part for part in re.split(r"[-_]", name) if part]
    if not parts:
        return name
    head, *rest = parts
    return head[:1].lower() + head[1:] + "".join(p[:1].upper() + p[1:] for p in rest)


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Specs:
    root: Path
    documents: dict[Path, Any] = field(default_factory=dict)
    read: dict[str, str] = field(default_factory=dict)
    """Relative path -> git blob sha of every swagger file read."""

    def load(self, path: Path) -> Any:
        path = path.resolve()
        if path not in self.documents:
            data = path.read_bytes()
            self.documents[path] = json.loads(data)
            self.read[self.relative(path)] = git_blob_sha(data)
        return self.documents[path]

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def version_files(self, namespace: str, api_version: str) -> list[Path]:
        stage = "preview" if "preview" in api_version else "stable"
        found = []
        for path in (self.root / "specification").glob(
            f"*/resource-manager/**/{stage}/{api_version}/*.json"
        ):
            if any(part.lower() == namespace.lower() for part in path.parts):
                found.append(path)
        return sorted(found)

    def resolve(self, document_path: Path, ref: str) -> tuple[Path, str, Any]:
        """(file, JSON pointer, node) a ``$ref`` points at, relative to ``document_path``."""
        file_part, _, pointer = ref.partition("#")
        path = (document_path.parent / file_part).resolve() if file_part else document_path
        node = self.load(path)
        for step in [s for s in pointer.split("/") if s]:
            node = node[step.replace("~1", "/").replace("~0", "~")]
        return path, pointer, node

    def key(self, path: Path, pointer: str) -> str:
        return f"{self.relative(path)}#{pointer}"


@dataclass
class RawFacts:
    flatten: list[str] = field(default_factory=list)
    sdk_names: dict[str, str] = field(default_factory=dict)
    children: dict[str, str] = field(default_factory=dict)


class Walker:
    """Collects the facts of every definition reachable from a body definition."""

    def __init__(self, specs: Specs) -> None:
        self.specs = specs
        self.facts: dict[str, RawFacts] = {}

    def definition(self, path: Path, pointer: str) -> str:
        key = self.specs.key(path, pointer)
        if key in self.facts:
            return key
        facts = self.facts[key] = RawFacts()
        _, _, node = self.specs.resolve(path, "#" + pointer)
        for name, prop, prop_path in self.properties(path, node):
            self.property(facts, name, prop, prop_path)
        for sub_path, sub_pointer in self.subtypes(path, pointer):
            # Discriminated subtypes: their facts are merged into the base definition, whose
            # key the translation uses for every variant.
            sub_key = self.definition(sub_path, sub_pointer)
            sub = self.facts[sub_key]
            facts.flatten += [f for f in sub.flatten if f not in facts.flatten]
            facts.sdk_names.update(sub.sdk_names)
            facts.children.update(sub.children)
        return key

    def properties(self, path: Path, node: Mapping[str, Any]) -> Iterator[tuple[str, Any, Path]]:
        for parent in node.get("allOf", []):
            if "$ref" in parent:
                parent_path, _, parent_node = self.specs.resolve(path, parent["$ref"])
                yield from self.properties(parent_path, parent_node)
            else:
                yield from self.properties(path, parent)
        for name, prop in node.get("properties", {}).items():
            yield name, prop, path

    def subtypes(self, path: Path, pointer: str) -> list[tuple[Path, str]]:
        _, _, node = self.specs.resolve(path, "#" + pointer)
        if "discriminator" not in node:
            return []
        document = self.specs.load(path)
        found = []
        for name, definition in document.get("definitions", {}).items():
            refs = [p.get("$ref", "") for p in definition.get("allOf", [])]
            if any(ref.endswith(pointer) for ref in refs) and f"/definitions/{name}" != pointer:
                found.append((path, f"/definitions/{name}"))
        return found

    def property(self, facts: RawFacts, name: str, prop: Mapping[str, Any], path: Path) -> None:
        target: tuple[Path, str, Any] | None = None
        if "$ref" in prop:
            target = self.specs.resolve(path, prop["$ref"])
        if prop.get("readOnly") or (target and target[2].get("readOnly")):
            return
        client = prop.get("x-ms-client-name") or (
            target[2].get("x-ms-client-name") if target else None
        )
        if client and lower_camel(client) != name:
            facts.sdk_names[name] = lower_camel(client)
        is_dict = target is not None and "additionalProperties" in target[2]
        if prop.get("x-ms-client-flatten") and target is not None and not is_dict:
            facts.flatten.append(name)
        child = self.child_ref(prop, path, target)
        if child is not None:
            facts.children[name] = self.definition(*child)

    def child_ref(
        self, prop: Mapping[str, Any], path: Path, target: tuple[Path, str, Any] | None
    ) -> tuple[Path, str] | None:
        """The definition a property's value (object, array item or map value) is, if any."""
        if target is not None:
            target_path, pointer, node = target
            if node.get("properties") or node.get("allOf"):
                return target_path, pointer
            prop, path = node, target_path
        for nested_key in ("items", "additionalProperties"):
            nested = prop.get(nested_key)
            if isinstance(nested, Mapping) and "$ref" in nested:
                nested_path, pointer, node = self.specs.resolve(path, nested["$ref"])
                if node.get("properties") or node.get("allOf"):
                    return nested_path, pointer
        return None

    def kept(self) -> dict[str, RawFacts]:
        """Definitions with a flatten or rename at or below them, children pruned to those."""
        keep = {key for key, f in self.facts.items() if f.flatten or f.sdk_names}
        changed = True
        while changed:
            changed = False
            for key, facts in self.facts.items():
                if key not in keep and any(child in keep for child in facts.children.values()):
                    keep.add(key)
                    changed = True
        return {
            key: RawFacts(
                facts.flatten,
                facts.sdk_names,
                {n: c for n, c in facts.children.items() if c in keep},
            )
            for key, facts in self.facts.items()
            if key in keep
        }


_PROVIDERS = re.compile(r"/providers/", re.IGNORECASE)


def path_types(url: str) -> tuple[str, ...]:
    """``Microsoft.Storage/storageAccounts/blobServices`` of a PUT path, as lower-case segments:
    the namespace after the last ``/providers/``, then every other segment."""
    if "/providers/" not in url.lower():
        segments = [s for s in url.strip("/").split("/") if s]
        return ("microsoft.resources", segments[-2].lower()) if len(segments) >= 2 else ()
    tail = _PROVIDERS.split(url)[-1].strip("/").split("/")
    return (tail[0].lower(), *(segment.lower() for segment in tail[1::2]))


@dataclass(frozen=True)
class Operation:
    file: Path
    url: str
    parameters: tuple[str, ...]
    body: str
    body_path: Path


def put_operations(specs: Specs, files: list[Path]) -> Iterator[Operation]:
    for path in files:
        document = specs.load(path)
        for url, item in document.get("paths", {}).items():
            put = item.get("put")
            if put is None:
                continue
            names: list[str] = []
            body: tuple[Path, str] | None = None
            for parameter in [*item.get("parameters", []), *put.get("parameters", [])]:
                param_path = path
                if "$ref" in parameter:
                    param_path, _, parameter = specs.resolve(path, parameter["$ref"])
                where = parameter.get("in")
                if where == "body" and "$ref" in parameter.get("schema", {}):
                    body_path, pointer, _ = specs.resolve(param_path, parameter["schema"]["$ref"])
                    body = (body_path, pointer)
                elif where == "path" or (
                    parameter.get("name") == "api-version"
                    and parameter.get("x-ms-api-version") is False
                ):
                    name = parameter.get("x-ms-client-name") or parameter["name"]
                    if name != "subscriptionId":
                        names.append(lower_camel(name))
            if body is not None:
                yield Operation(path, url, tuple(names), specs.key(*body), body[0])


def find_operation(specs: Specs, token: str, arm_type: str, api_version: str) -> Operation:
    namespace = arm_type.split("/")[0]
    files = specs.version_files(namespace, api_version)
    if not files:
        raise SystemExit(f"{token}: no swagger files for {namespace} {api_version}")
    if token == GENERIC_RESOURCE:
        for operation in put_operations(specs, files):
            if {"resourceProviderNamespace", "resourceType"} <= set(operation.parameters):
                return operation
        raise SystemExit(f"{token}: no generic PUT in {namespace} {api_version}")
    wanted = tuple(segment.lower() for segment in arm_type.split("/"))
    path = ARM_PATHS.get(token)
    name_inputs = {key for _, key in path.levels if key != "default"} if path else set()
    if path and path.scope_key:
        name_inputs.add(path.scope_key)
    matches = [
        op
        for op in put_operations(specs, files)
        if path_types(op.url) == wanted and name_inputs <= set(op.parameters)
    ]
    if not matches:
        raise SystemExit(f"{token}: no PUT operation for {arm_type} in {namespace} {api_version}")
    return min(matches, key=lambda op: len(op.parameters))


def generate(root: Path) -> dict[str, Any]:
    specs = Specs(root)
    walker = Walker(specs)
    resources: dict[str, Any] = {}
    for token in tokens():
        if token == GENERIC_RESOURCE:
            arm_type = "Microsoft.Resources/resources"
            api_version = sdk_api_version(GENERIC_RESOURCE)
        else:
            arm_type = arm_type_for_token(token)
            api_version = sdk_api_version(token)
        if arm_type is None or api_version is None:
            raise SystemExit(f"{token}: no ARM type or API version")
        operation = find_operation(specs, token, arm_type, api_version)
        file_part, _, pointer = operation.body.partition("#")
        walker.definition(root / file_part, pointer)
        resources[token] = {
            "apiVersion": api_version,
            "operation": f"{specs.relative(operation.file)} PUT {operation.url}",
            "body": operation.body,
            "parameters": list(operation.parameters),
        }
    definitions = {}
    for key, facts in sorted(walker.kept().items()):
        entry: dict[str, Any] = {}
        if facts.flatten:
            entry["flatten"] = facts.flatten
        if facts.sdk_names:
            entry["sdkNames"] = dict(sorted(facts.sdk_names.items()))
        if facts.children:
            entry["children"] = dict(sorted(facts.children.items()))
        definitions[key] = entry
    return {
        "comment": "Generated by tools/refresh_wire_data.py from the swagger files listed under "
        "source.files; do not edit.",
        "source": {
            "repository": "Azure/azure-rest-api-specs",
            "commit": checkout_commit(root),
            "files": dict(sorted(specs.read.items())),
        },
        "resources": resources,
        "definitions": definitions,
    }


def checkout_commit(root: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None


def facts_only(document: Mapping[str, Any]) -> dict[str, Any]:
    """What --check compares: the mapping itself, not where it was read from."""
    return {
        "resources": {
            token: {k: v for k, v in entry.items() if k in ("apiVersion", "body", "parameters")}
            for token, entry in document["resources"].items()
        },
        "definitions": document["definitions"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        help="a checkout of Azure/azure-rest-api-specs",
    )
    parser.add_argument("--out", type=Path, default=WIRE_DATA, help="default: %(default)s")
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with --out instead of writing it; exit 1 when they differ",
    )
    args = parser.parse_args(argv)
    document = generate(args.source)
    if args.check:
        current = json.loads(args.out.read_text(encoding="utf-8"))
        if facts_only(current) != facts_only(document):
            print(f"{args.out} differs from the specs at {args.source}; run without --check")
            return 1
        print(f"{args.out} matches the specs at {args.source}")
        return 0
    args.out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out}: {len(document['resources'])} resources, "
        f"{len(document['definitions'])} definitions"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
