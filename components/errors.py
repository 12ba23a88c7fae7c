"""One error type for invalid input: it carries every problem at once, each naming its key."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING, get_args

if TYPE_CHECKING:  # pydantic costs ~0.05 s to import; raising a ConfigError needs none of it
    from pydantic import BaseModel, ValidationError


class ConfigError(Exception):
    """Invalid configuration. ``problems`` holds ``(key, message)`` pairs, all of them."""

    def __init__(self, problems: Iterable[tuple[str, str]], source: str = "configuration"):
        self.problems = sorted(set(problems))
        self.source = source
        lines = [f"  - {key}: {message}" for key, message in self.problems]
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"invalid {source} ({count} {noun}):\n" + "\n".join(lines))


def known_keys(model: type[BaseModel]) -> set[str]:
    """Every key (alias) a model and the models nested in it accept, for spelling hints."""
    keys: set[str] = set()
    pending: list[type[BaseModel]] = [model]
    seen: set[type[BaseModel]] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, field in current.model_fields.items():
            keys.add(field.alias or name)
            for candidate in _model_types(field.annotation):
                pending.append(candidate)
    return keys


def _model_types(annotation: object) -> list[type[BaseModel]]:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for arg in get_args(annotation) for found in _model_types(arg)]


def problems_from_validation_error(
    error: ValidationError, key_prefix: str, model: type[BaseModel] | None = None
) -> list[tuple[str, str]]:
    """Turn pydantic's error list into ``(key, message)`` pairs named as the user wrote them;
    an unknown key gets the closest known one as a hint when ``model`` is given."""
    spelling = sorted(known_keys(model)) if model is not None else []
    problems: list[tuple[str, str]] = []
    for item in error.errors():
        parts = [str(part) for part in item["loc"] if part != "__root__"]
        key = key_prefix + ".".join(parts) if parts else key_prefix.rstrip(".:")
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(parts[-1], spelling, n=1) if parts else []
            hint = f"did you mean '{close[0]}'?" if close else "check the configuration reference"
            message = f"unknown key ({hint})"
        elif item["type"] == "missing":
            message = "required key is missing"
        problems.append((key, message))
    return problems
