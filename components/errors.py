"""One error type for invalid input: it carries every problem at once, each naming its key."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError


class ConfigError(Exception):
    """Invalid configuration. ``problems`` holds ``(key, message)`` pairs, all of them."""

    def __init__(self, problems: Iterable[tuple[str, str]], source: str = "configuration"):
        self.problems = sorted(set(problems))
        self.source = source
        lines = [f"  - {key}: {message}" for key, message in self.problems]
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"invalid {source} ({count} {noun}):\n" + "\n".join(lines))


def problems_from_validation_error(
    error: ValidationError, key_prefix: str
) -> list[tuple[str, str]]:
    """Turn pydantic's error list into ``(key, message)`` pairs named as the user wrote them."""
    problems: list[tuple[str, str]] = []
    for item in error.errors():
        parts = [str(part) for part in item["loc"] if part != "__root__"]
        key = key_prefix + ".".join(parts) if parts else key_prefix.rstrip(".:")
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against the configuration reference)"
        elif item["type"] == "missing":
            message = "required key is missing"
        problems.append((key, message))
    return problems
