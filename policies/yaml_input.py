"""Strict, bounded YAML for every file a user hands us (stack files, exemptions, catalogues).

PyYAML's ``safe_load`` is safe from code execution but not from careless or hostile input:

| input                               | ``safe_load``                   | ``load_yaml``            |
|-------------------------------------|---------------------------------|--------------------------|
| a key written twice in one mapping  | the last one silently wins      | error naming both lines  |
| a non-string key (``1:``, ``[a]:``) | accepted                        | error naming the line    |
| an alias bomb (anchors of anchors)  | shared objects, exponential to  | error above              |
|                                     | walk (9^9: >90 s, 4.4 GB later) | ``MAX_NODES``, before use|
| thousands of nesting levels         | RecursionError (a traceback)    | error above ``MAX_DEPTH``|
| bytes that are not UTF-8            | UnicodeDecodeError              | error naming the offset  |

Every problem is a ``YamlInputError`` whose message names the source and the line, so callers
turn it into their own "bad input, nothing created" error (exit 2). Lives in the pack because
the pack loads its exemptions without the rest of the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlInputError", "load_yaml", "read_yaml"]

MAX_DEPTH = 64
"""Deepest nesting accepted; real stack files and exemptions use fewer than ten levels."""
MAX_NODES = 100_000
"""Most nodes a document may have once its aliases are expanded (the examples have < 1,000)."""


class YamlInputError(ValueError):
    """The YAML cannot be accepted; the message names the source and where."""


def _where(node: Node) -> str:
    return f"line {node.start_mark.line + 1}"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate and non-string keys and bounds nesting depth."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlInputError(
                    f"line {mark.line + 1}: nested more than {MAX_DEPTH} levels deep"
                )
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlInputError(f"{_where(key_node)}: merge keys ('<<') are not accepted")
            if not isinstance(key_node, ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                raise YamlInputError(
                    f"{_where(key_node)}: keys must be text, not {key_node.tag.rsplit(':', 1)[-1]}"
                )
            key = key_node.value
            if key in seen:
                raise YamlInputError(
                    f"{_where(key_node)}: key '{key}' is written twice in one mapping "
                    f"(first at {_where(seen[key])}); remove one"
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _expanded_size(root: Node) -> int:
    """Nodes of the document with every alias expanded, counted without expanding anything
    (aliases are shared node objects: sizes are memoised by identity)."""
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        total = min(total, MAX_NODES + 1)
        sizes[id(node)] = total
        return total

    return size(root)


def load_yaml(text: str, source: str) -> Any:
    """Parse one YAML document strictly; raises ``YamlInputError`` naming ``source``."""
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if _expanded_size(root) > MAX_NODES:
            raise YamlInputError(
                f"more than {MAX_NODES:,} values once its aliases are expanded "
                "(anchors referring to anchors); write the values out"
            )
        return loader.construct_document(root)
    except YamlInputError as error:
        raise YamlInputError(f"{source}: {error}") from None
    except yaml.YAMLError as error:
        raise YamlInputError(f"{source}: not valid YAML: {error}") from None
    finally:
        loader.dispose()


def read_yaml(path: Path, source: str | None = None) -> Any:
    """Read ``path`` as UTF-8 and parse it with ``load_yaml``."""
    label = source or str(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise YamlInputError(
            f"{label}: not UTF-8 text (byte {error.start} is 0x{data[error.start]:02x})"
        ) from None
    return load_yaml(text, label)
