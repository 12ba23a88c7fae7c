"""Check results and how they are printed: one line per check, a ``fix:`` line under each
warn or fail, or one JSON document.

Details quote Azure (display names, error messages, model versions): each line goes through
``hlz.render.text.printable``, so no escape sequence, carriage return or newline from a response
reaches the terminal or forges a line. The JSON document keeps the exact text
(``json.dumps`` escapes control characters)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hlz.render.text import printable

Status = Literal["ok", "warn", "fail", "skip"]
"""ok: ready. warn: deployable, but look. fail: the deployment would fail. skip: not
applicable to this stack, or not run because a check it needs failed."""


@dataclass(frozen=True)
class CheckResult:
    check: str
    """Stable check id, e.g. ``resource-providers``."""
    status: Status
    detail: str
    """What was found, with the numbers and names that matter."""
    fix: str | None = None
    """What to run or change; set for every warn and fail."""

    def to_json(self) -> dict[str, str | None]:
        return {"check": self.check, "status": self.status, "detail": self.detail, "fix": self.fix}


def result_lines(result: CheckResult) -> list[str]:
    """``fail  permissions: ...`` and, for warn and fail, an indented ``fix: ...`` line;
    each one line, whatever the detail quotes."""
    lines = [f"{result.status:<4}  {result.check}: {printable(result.detail)}"]
    if result.fix and result.status in ("warn", "fail"):
        lines.append(f"      fix: {printable(result.fix)}")
    return lines


def summary_line(results: Sequence[CheckResult]) -> str:
    counts = {status: 0 for status in ("ok", "warn", "fail", "skip")}
    for result in results:
        counts[result.status] += 1
    verdict = "not ready to deploy" if counts["fail"] else "ready to deploy"
    return (
        f"{verdict}: {counts['ok']} ok, {counts['warn']} warn, {counts['fail']} fail, "
        f"{counts['skip']} skipped"
    )


def json_document(results: Sequence[CheckResult]) -> str:
    return json.dumps([result.to_json() for result in results], indent=2) + "\n"


def exit_code(results: Sequence[CheckResult]) -> int:
    """0 when nothing failed (warnings included), 1 when any check failed. A run the
    deadline cut short is never 0: the check it interrupted failed."""
    return 1 if any(result.status == "fail" for result in results) else 0
