"""Exemptions as data: ``policies/exemptions.yaml``.

Each entry waives ONE rule for the resources whose URN or logical name matches a glob, for a
stated reason, owned by someone, until an expiry date (inclusive). There is deliberately no way
to waive every rule or every resource at once: the rule must be a known id, and the pattern
must contain something besides wildcards. An expired exemption stops applying, and the violation
it used to hide says so, so the owner knows to renew or fix.

File format (a YAML list; an empty file or ``[]`` means no exemptions)::

    - rule: storage-account-disallow-public-network-access
      resource: "urn:pulumi:lab::hlz::*::stdiaglab*"   # or just the logical name glob: "stdiaglab*"
      reason: "Boot diagnostics for the jump box need the public endpoint until AMPLS lands."
      owner: platform-team@example.org
      expires: 2026-03-31
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from .model import RuleMetadata

__all__ = [
    "MINIMUM_REASON_LENGTH",
    "Exemption",
    "ExemptionError",
    "find_exemption",
    "find_expired_exemption",
    "load_exemptions",
    "parse_exemptions",
]

MINIMUM_REASON_LENGTH = 10
"""A reason must say something ("temporary" is not a reason)."""

_FIELDS = ("rule", "resource", "reason", "owner", "expires")


class ExemptionError(ValueError):
    """The exemptions file is invalid; the message lists every problem, each naming its entry."""


@dataclass(frozen=True, slots=True)
class Exemption:
    rule_id: str
    resource: str
    """Glob (``fnmatch``, case-sensitive) matched against the resource URN and its logical name."""
    reason: str
    owner: str
    expires: dt.date
    """Last day on which the exemption applies."""

    def is_active(self, today: dt.date) -> bool:
        return today <= self.expires

    def matches(self, rule_id: str, urn_or_name: str) -> bool:
        return rule_id == self.rule_id and fnmatchcase(urn_or_name, self.resource)

    def describe(self) -> str:
        return (
            f"exemption for '{self.resource}' (owner {self.owner}, expires "
            f"{self.expires.isoformat()}): {self.reason}"
        )


def load_exemptions(path: Path, rules: Iterable[RuleMetadata]) -> list[Exemption]:
    """Read and validate ``path``; raises ``ExemptionError`` listing every problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ExemptionError(f"{path}: not valid YAML: {error}") from None
    return parse_exemptions(data, rules, source=str(path))


def parse_exemptions(
    data: Any, rules: Iterable[RuleMetadata], *, source: str = "exemptions"
) -> list[Exemption]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise ExemptionError(
            f"{source}: must be a YAML list of exemptions, got {type(data).__name__}"
        )
    known_ids = {rule.id for rule in rules}
    exemptions: list[Exemption] = []
    problems: list[str] = []
    for index, entry in enumerate(data):
        where = f"{source}[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping with keys {', '.join(_FIELDS)}")
            continue
        entry_problems = _entry_problems(entry, where, known_ids)
        if entry_problems:
            problems += entry_problems
            continue
        exemptions.append(
            Exemption(
                rule_id=entry["rule"],
                resource=entry["resource"].strip(),
                reason=entry["reason"].strip(),
                owner=entry["owner"].strip(),
                expires=_as_date(entry["expires"]) or dt.date.min,
            )
        )
    if problems:
        raise ExemptionError("invalid exemptions:\n  " + "\n  ".join(problems))
    return exemptions


def _entry_problems(entry: dict[Any, Any], where: str, known_ids: set[str]) -> list[str]:
    problems = [
        f"{where}: unknown key '{key}' (allowed: {', '.join(_FIELDS)})"
        for key in entry
        if key not in _FIELDS
    ]
    problems += [f"{where}.{key}: is required" for key in _FIELDS if key not in entry]
    rule_id = entry.get("rule")
    if "rule" in entry and (not isinstance(rule_id, str) or rule_id not in known_ids):
        problems.append(
            f"{where}.rule: unknown rule id {rule_id!r}; see policies/RULES.md for the ids"
        )
    pattern = entry.get("resource")
    if "resource" in entry and (not isinstance(pattern, str) or not pattern.strip("*? \t")):
        problems.append(
            f"{where}.resource: {pattern!r} would match every resource; name the resource "
            "(URN or logical-name glob)"
        )
    reason = entry.get("reason")
    if "reason" in entry and (
        not isinstance(reason, str) or len(reason.strip()) < MINIMUM_REASON_LENGTH
    ):
        problems.append(
            f"{where}.reason: must be at least {MINIMUM_REASON_LENGTH} characters explaining why"
        )
    owner = entry.get("owner")
    if "owner" in entry and (not isinstance(owner, str) or not owner.strip()):
        problems.append(f"{where}.owner: must name a person or team")
    if "expires" in entry and _as_date(entry["expires"]) is None:
        problems.append(f"{where}.expires: must be a date (YYYY-MM-DD), got {entry['expires']!r}")
    return problems


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def find_exemption(
    exemptions: Sequence[Exemption], rule_id: str, urn_or_name: str, today: dt.date
) -> Exemption | None:
    """The first active exemption of ``rule_id`` matching the resource, if any."""
    return next(
        (e for e in exemptions if e.matches(rule_id, urn_or_name) and e.is_active(today)), None
    )


def find_expired_exemption(
    exemptions: Sequence[Exemption], rule_id: str, urn_or_name: str, today: dt.date
) -> Exemption | None:
    """An exemption that would match but has expired (to say so in the violation)."""
    return next(
        (e for e in exemptions if e.matches(rule_id, urn_or_name) and not e.is_active(today)), None
    )
