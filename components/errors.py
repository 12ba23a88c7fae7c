"""One error type for invalid input: it carries every problem at once, each naming its key."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator
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


class UnexpectedAzureResponse(RuntimeError):
    """Azure answered without a value it always returns (a firewall's private IP, a managed
    identity's principal). Not the user's input, so no config key to name: the program fails
    (``hlz plan`` exit 3, "the stack program failed") saying what the answer lacked."""

    def __init__(self, what: str):
        super().__init__(f"{what} (an unexpected Azure response: retry, or check the resource)")


@contextlib.contextmanager
def component_arguments() -> Iterator[None]:
    """Around code that builds components' ``*Args`` models (a stack program): a model that
    refuses its arguments becomes a ConfigError naming ``<Model>.<argument>`` — exit 2, the
    user's input or program at fault — instead of pydantic's ValidationError (exit 3, "the
    stack program failed"). Stack config never gets here: it is validated first, as strictly
    (tests/test_config_strictness.py), and its problems name ``hlz:`` keys."""
    from pydantic import ValidationError

    try:
        yield
    except ValidationError as error:
        raise ConfigError(
            problems_from_validation_error(error, f"{error.title}."), "component arguments"
        ) from None


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
        key = _key(key_prefix, item["loc"])
        parts = [str(part) for part in item["loc"] if part != "__root__"]
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(parts[-1], spelling, n=1) if parts else []
            hint = f"did you mean '{close[0]}'?" if close else "check the configuration reference"
            message = f"unknown key ({hint})"
        elif item["type"] == "missing":
            message = "required key is missing"
        problems.append((key, message))
    return problems


def _key(key_prefix: str, loc: tuple[int | str, ...]) -> str:
    """``("openai", "deployments", 1, "name")`` -> ``hlz:openai.deployments[1].name``: list
    positions in brackets, as every semantic problem names them."""
    text = ""
    for part in loc:
        if part == "__root__":
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return key_prefix + text if text else key_prefix.rstrip(".:")
