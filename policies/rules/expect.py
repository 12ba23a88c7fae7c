"""The most common rule shape, once: one input must hold one value.

Messages name the input by its dotted path, say what was found, then give the advice, e.g.
``properties.publicNetworkAccess is 'Enabled' (absent means Enabled); set it to 'Disabled'``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import Compliant, Outcome, fail
from ..props import as_bool, as_str, describe, get, same_text


def expect_text(
    props: Mapping[str, Any], path: Sequence[str], expected: str, advice: str
) -> Outcome:
    """Compliant when the string at ``path`` is ``expected`` (case-insensitive, as Azure reads
    enum values); ``advice`` follows the found value in the message (start it with '; ' or ' (')."""
    value = get(props, *path)
    if same_text(value, expected):
        return Compliant()
    return fail(f"{'.'.join(path)} is {describe(value)}{advice}")


def expect_true(props: Mapping[str, Any], path: Sequence[str], advice: str) -> Outcome:
    """Compliant when the flag at ``path`` is true; absent counts as not set."""
    value = get(props, *path)
    if as_bool(value) is True:
        return Compliant()
    return fail(f"{'.'.join(path)} is {describe(value)}{advice}")


MANAGED_IDENTITY_TYPES = ("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned")
"""``identity.type`` values that give a resource a managed identity (compared case- and
space-insensitively); absent and 'None' give it none."""


def has_managed_identity(value: Any) -> bool:
    text = (as_str(value) or "").replace(" ", "").casefold()
    return any(text == kind.replace(" ", "").casefold() for kind in MANAGED_IDENTITY_TYPES)


def expect_managed_identity(props: Mapping[str, Any], advice: str) -> Outcome:
    """Compliant when ``identity.type`` gives the resource a system- or user-assigned identity."""
    value = get(props, "identity", "type")
    if has_managed_identity(value):
        return Compliant()
    return fail(f"identity.type is {describe(value)}{advice}")
