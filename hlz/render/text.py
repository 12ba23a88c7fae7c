"""Text for people: untrusted text made safe on a terminal line or in a Markdown table, the one
Markdown table helper, and the small wording helpers every human-readable output shares.

Text hlz did not write itself (display names, error messages and model names from Azure,
owners and reasons from config) may carry ANSI escapes that recolour or clear a terminal,
carriage returns and newlines that forge or hide a line, bidi overrides that reverse what is
read, or a ``|`` that splits a table cell. Human-readable output passes such text through
one of these: JSON output needs neither (``json.dumps`` escapes control characters itself and
the reader gets the exact text).

- ``printable(text)``, for a terminal line: each character ``str.isprintable()`` rejects,
  line breaks included (the plain space excepted), is written as ``repr()`` writes it:
  ``\\x1b[31m``, ``\\r\\n``, ``\\u202e``.
- ``markdown_cell(text)``, the one Markdown escape, for a table cell: each line break becomes a
  space, ``|`` becomes ``\\|``, and the rest is escaped as by ``printable``.
- ``markdown_table(header, rows)``, the one Markdown table: every cell through
  ``markdown_cell``. Reports, the AI inventory and the generated reference docs all use it.

Backslashes are kept as they are (Windows paths stay readable), so an escape cannot be told
from the same characters typed literally; what matters is that nothing reaches the terminal
or the table as a control.

Imports nothing heavy, so that ``hlz check`` does not load the planner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
"""What ``str.splitlines`` splits on (``\\r\\n`` as one break)."""


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` as one terminal line: every character ``str.isprintable()`` rejects (controls,
    ANSI escapes, line breaks, bidi overrides, lone surrogates, ...) but the plain space is
    written as its escape, e.g. ``\\x1b[31m`` or ``\\r\\n``."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _escape(ch) for ch in text)


def markdown_cell(text: str) -> str:
    """``text`` as the content of one GitHub-flavoured Markdown table cell: each line break
    becomes a space, ``|`` becomes ``\\|``, and anything else unprintable is escaped as in
    ``printable``."""
    return printable(_LINE_BREAK.sub(" ", text)).replace("|", "\\|")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A GitHub-flavoured Markdown table as lines: the header, the separator, one line per row.
    Callers pass each cell's raw text (code spans and links included; numbers as they are) and
    every cell goes through ``markdown_cell`` here, once: a ``|`` inside a code span is escaped
    too, as GFM requires inside a table."""

    def line(cells: Sequence[object]) -> str:
        return "| " + " | ".join(markdown_cell(str(cell)) for cell in cells) + " |"

    return [line(header), "|" + "---|" * len(header), *(line(row) for row in rows)]


def short_urn(urn: str) -> str:
    """``type::name`` of a URN, enough to find the resource in the plan."""
    parts = urn.split("::")
    if len(parts) < 2:
        return urn
    token = parts[-2].rsplit("$", 1)[-1]
    return f"{token.removeprefix('azure-native:')}::{parts[-1]}"


def plural(count: int, noun: str) -> str:
    """``1 violation``, ``0 violations``, ``2 violations``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (shorter, and the same on
    every machine), else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
