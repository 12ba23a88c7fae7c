"""The most common rule shape, once: one input must hold one value.

Messages name the input by its dotted path, say what was found, then give the advice, e.g.
``properties.publicNetworkAccess is 'Enabled' (absent means Enabled); set it to 'Disabled'``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import Compliant, Outcome, fail
from ..props import as_bool, describe, get, same_text


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
