"""Defensive readers for the camelCase wire inputs a rule receives.

Props arrive in three shapes: plain dicts (tests, in-process evaluation), ``pulumi_policy``'s
unknown-checking proxies (``Mapping``/``Sequence`` subclasses, not ``dict``/``list``), and JSON
decoded from protobuf ``Struct`` (every number is a ``float``: ``90`` arrives as ``90.0``).
Any key may be missing and any value may have the wrong type, so every reader returns ``None``
(or an empty tuple) instead of raising. The one exception that must escape is
``pulumi_policy``'s ``UnknownValueError``: reading a value that is unknown during preview raises
it, and the policy SDK turns it into an advisory "can't run during preview" diagnostic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

__all__ = [
    "as_bool",
    "as_int",
    "as_mapping",
    "as_number",
    "as_sequence",
    "as_str",
    "describe",
    "get",
    "has_key",
    "is_set",
    "same_text",
]


def get(value: Any, *path: str | int) -> Any:
    """Follow ``path`` through nested mappings (str keys) and sequences (int indexes).

    Returns ``None`` when a step is missing or has the wrong type.
    """
    current = value
    for step in path:
        if isinstance(step, str):
            mapping = as_mapping(current)
            if mapping is None:
                return None
            current = mapping.get(step)
        else:
            items = as_sequence(current)
            if step < 0 or step >= len(items):
                return None
            current = items[step]
        if current is None:
            return None
    return current


def has_key(value: Any, key: str) -> bool:
    """True when ``value`` is a mapping with ``key``, without reading the (maybe unknown) value."""
    mapping = as_mapping(value)
    # Iterating keys never touches values, so an unknown value does not raise here.
    return mapping is not None and any(existing == key for existing in mapping)


def is_set(value: Any, *path: str) -> bool:
    """Whether the leaf at ``path`` is present and not empty.

    Meant for references to other resources (key URLs, NSG ids, policy names): during preview
    they are usually unknown because the referenced resource does not exist yet. An unknown
    leaf counts as set, since the update fills it in; what the rule asks is whether the reference
    is configured at all, not what its value will be.
    """
    *parents, leaf = path
    container = as_mapping(get(value, *parents)) if parents else as_mapping(value)
    if container is None or not has_key(container, leaf):
        return False
    try:
        leaf_value = container[leaf]
    except UnknownValueError:
        return True
    if isinstance(leaf_value, str):
        return bool(leaf_value.strip())
    if isinstance(leaf_value, Mapping | Sequence):
        return len(leaf_value) > 0
    return leaf_value is not None


def as_mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def as_sequence(value: Any) -> tuple[Any, ...]:
    """Elements of a list-like value; strings and mappings are not sequences here."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return tuple(value[index] for index in range(len(value)))
    return ()


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def as_number(value: Any) -> float | None:
    # bool is an int subclass; True must not read as 1.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def as_int(value: Any) -> int | None:
    """Integral numbers only: ``90`` and ``90.0`` (protobuf) read as 90, ``90.5`` does not."""
    number = as_number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def same_text(value: Any, expected: str) -> bool:
    """Case-insensitive equality; Azure enum values are case-insensitive on the wire."""
    text = as_str(value)
    return text is not None and text.casefold() == expected.casefold()


def describe(value: Any) -> str:
    """Render a value for a violation message: ``not set``, ``'Enabled'``, ``true``, ``2048``."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    number = as_int(value)
    if number is not None:
        return str(number)
    if isinstance(value, float):
        return str(value)
    return f"a {type(value).__name__}"
