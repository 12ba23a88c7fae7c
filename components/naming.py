"""Azure resource names: one rule per resource kind (length and characters), CAF-style
abbreviations, and a short deterministic suffix for names that must be globally unique."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import AfterValidator, ValidationInfo

from components.errors import ConfigError
from policies.names import NAME_RULES, NameRule, name_problem

__all__ = ["NAME_RULES", "NameRule", "Namer", "azure_name", "name_problem", "unique_suffix"]

# The rules themselves (NameRule, NAME_RULES, name_problem) live in the policy pack
# (policies.names), which checks planned names with the same table and must import without
# components; they are re-exported here for the components and stacks.


def azure_name(kind: str) -> AfterValidator:
    """Field metadata: ``Annotated[str, azure_name("storage_account")]`` holds an Azure name of
    that kind, checked against ``NAME_RULES`` when the model is built; the error names the field."""
    NAME_RULES[kind]  # an unknown kind is a programming error: fail at import

    def check(value: str, info: ValidationInfo) -> str:
        problem = name_problem(kind, value)
        if problem is not None:
            raise ValueError(f"{info.field_name} {problem}")
        return value

    return AfterValidator(check)


def unique_suffix(stack: str, layer: str, length: int = 5) -> str:
    """A short suffix that is the same on every run of one stack and differs between stacks,
    so globally unique names (Key Vault, Storage, Cognitive Services) neither collide across
    stacks nor change between deployments."""
    return hashlib.sha256(f"{stack}/{layer}".encode()).hexdigest()[:length]


@dataclass(frozen=True)
class Namer:
    """Builds names ``<abbreviation>-<prefix>-<role>[-<suffix>]`` for one stack."""

    prefix: str
    suffix: str

    def name(self, kind: str, role: str) -> str:
        rule = NAME_RULES[kind]
        parts = [rule.abbreviation, self.prefix, role]
        if rule.globally_unique:
            parts.append(self.suffix)
        separator = "-" if rule.hyphens else ""
        name = separator.join(part for part in parts if part)
        if not rule.hyphens:
            name = re.sub(r"[^a-z0-9]", "", name.lower())
        problem = name_problem(kind, name)
        if problem is not None:
            raise ValueError(problem)
        return name

    def names(self, wanted: Iterable[tuple[str, str]], key: str) -> dict[tuple[str, str], str]:
        """The name of each ``(kind, role)``, so that a component checks every child's name
        before registering anything; a ConfigError under ``key`` (the argument holding this
        namer) lists each name that breaks its rule."""
        names: dict[tuple[str, str], str] = {}
        problems: list[tuple[str, str]] = []
        for kind, role in wanted:
            try:
                names[(kind, role)] = self.name(kind, role)
            except ValueError as error:
                problems.append((key, str(error)))
        if problems:
            raise ConfigError(problems, "component arguments")
        return names

    def problems(self, wanted: Iterable[tuple[str, str]]) -> list[str]:
        """Every problem with the names ``(kind, role)`` this stack will create (pairs, so that
        one kind may name several children: ``NAMED_RESOURCES.items()``)."""
        found: list[str] = []
        for kind, role in wanted:
            try:
                self.name(kind, role)
            except ValueError as error:
                found.append(str(error))
        return found
