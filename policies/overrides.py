"""What a waiver must say, and how an override travels as a tag: one definition for the
components that write ``hlz-override-<control>`` tags, the rules that read them and the
exemptions file.

A justification (override reason, exemption reason) counts only its **visible** text:

| step                                      | example                                  |
|-------------------------------------------|------------------------------------------|
| drop control and format characters        | zero-width spaces U+200B-U+200D, U+2060, |
| (categories Cc, Cf, Co, Cn, Cs) and blank | U+FEFF, bidi marks, ``\\x00``-``\\x1f``;   |
| letters that render as nothing            | U+3164 HANGUL FILLER, U+2800             |
| whitespace runs become one space, ends    | ``"  ok \\n ok "`` -> ``"ok ok"``          |
| are stripped                              |                                          |
| then: at least ``MINIMUM_REASON_LENGTH``  | ``"temporary"`` fails (9, one word);     |
| characters and two words of 2+ letters    | ``"ticket CHG-4821"`` passes             |

Override tag value: ``<reason>`` or ``<reason> (expires YYYY-MM-DD)``, at most
``TAG_VALUE_MAX_LENGTH`` characters (Azure's limit for a tag value). The expiry is the last day
the override applies; ``parse_tag_value`` reads it back. A value that ends in ``(expires …)``
without a readable ISO date is reported as such, so the rule reading it fails closed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .vocabulary import TAG_VALUE_MAX_LENGTH

__all__ = [
    "MINIMUM_REASON_LENGTH",
    "REASON_RULE",
    "TAG_VALUE_MAX_LENGTH",
    "OverrideTag",
    "max_reason_length",
    "parse_tag_value",
    "reason_shortfall",
    "tag_value",
    "visible_text",
]

MINIMUM_REASON_LENGTH = 10
"""A reason must say something ("temporary" is not a reason)."""

MINIMUM_REASON_WORDS = 2

REASON_RULE = (
    f"at least {MINIMUM_REASON_LENGTH} visible characters and {MINIMUM_REASON_WORDS} words"
)
"""How error messages state the justification rule."""


_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})
# Letters and symbols that render as blank space although Unicode does not call them spaces.
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_WORD = re.compile(r"[^\W\d_]{2,}")
_EXPIRY_FORMAT = " (expires {date})"
# Anything that looks like an expiry suffix, however written; judged strictly below.
_EXPIRY_SUFFIX = re.compile(r"\s*\(\s*expires\b\s*([^()]*?)\s*\)\s*$", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def visible_text(value: str) -> str:
    """``value`` without invisible characters, whitespace runs collapsed, ends stripped."""
    kept = []
    for character in value:
        if character.isspace():
            kept.append(" ")
        elif (
            unicodedata.category(character) not in _INVISIBLE_CATEGORIES
            and character not in _BLANK_CHARACTERS
        ):
            kept.append(character)
    return " ".join("".join(kept).split())


def reason_shortfall(reason: str) -> str | None:
    """Why ``reason`` is not a justification (``"it has 9 visible characters and 1 word"``),
    or None when it has ``REASON_RULE``."""
    text = visible_text(reason)
    words = len(_WORD.findall(text))
    if len(text) >= MINIMUM_REASON_LENGTH and words >= MINIMUM_REASON_WORDS:
        return None
    return (
        f"it has {len(text)} visible character{'' if len(text) == 1 else 's'} and "
        f"{words} word{'' if words == 1 else 's'}"
    )


def tag_value(reason: str, expires: dt.date | None) -> str:
    """The ``hlz-override-<control>`` tag value of an override (not shortened: see
    ``max_reason_length``)."""
    if expires is None:
        return reason
    return reason + _EXPIRY_FORMAT.format(date=expires.isoformat())


def max_reason_length(expires: dt.date | None) -> int:
    """Longest reason whose tag value fits ``TAG_VALUE_MAX_LENGTH`` (235 with an expiry)."""
    return TAG_VALUE_MAX_LENGTH - (len(tag_value("", expires)) if expires is not None else 0)


@dataclass(frozen=True, slots=True)
class OverrideTag:
    """An override tag value, read back."""

    reason: str
    """The value without its expiry suffix."""
    expires: dt.date | None
    """Last day the override applies; None when the value names no (readable) expiry."""
    expiry_text: str | None = None
    """What followed ``(expires`` when the value has such a suffix, readable or not."""

    @property
    def unreadable_expiry(self) -> bool:
        return self.expiry_text is not None and self.expires is None


def parse_tag_value(value: str) -> OverrideTag:
    """Split ``<reason> (expires YYYY-MM-DD)`` into its parts (the inverse of ``tag_value``)."""
    match = _EXPIRY_SUFFIX.search(value)
    if match is None:
        return OverrideTag(reason=value.strip(), expires=None)
    text = match.group(1)
    expires = None
    if _ISO_DATE.fullmatch(text):
        try:
            expires = dt.date.fromisoformat(text)
        except ValueError:
            expires = None
    return OverrideTag(reason=value[: match.start()].strip(), expires=expires, expiry_text=text)
