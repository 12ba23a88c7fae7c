"""Exemptions as data: ``policies/exemptions.yaml``.

Each entry waives ONE rule for resources it names precisely, for a stated reason, owned by
someone, until an expiry date (inclusive) no further away than the profile allows. There is
deliberately no way to waive every rule or every resource at once: the rule must be a known id,
and the resource must be written in this grammar, each form of which matches a bounded set:

| form                      | example                                            | matches        |
|---------------------------|----------------------------------------------------|----------------|
| exact logical name        | ``stdiaglab01``                                    | that name      |
| name stem + one final     | ``stdiaglab*`` (stem of at least                   | names starting |
| ``*``                     | ``MINIMUM_STEM_LENGTH`` = 6 characters)            | with the stem  |
| exact URN                 | ``urn:pulumi:lab::hlz::<type>::stdiaglab01``       | that resource  |
| URN, any type             | ``urn:pulumi:lab::hlz::*::stdiaglab01``            | that name in   |
|                           |                                                    | that stack     |
| URN with a name stem      | ``urn:pulumi:lab::hlz::*::stdiaglab*``             | as above, by   |
|                           | (type literal or ``*``; stem as for names)         | stem           |

Refused: ``?`` and ``[...]`` (other glob characters), a ``*`` anywhere but the very end of the
name (``*-*``, ``std*01``, ``urn:*``), a stem shorter than 6 characters (``st*`` is every
storage account: ``st`` is the type abbreviation), a URN whose stack, project or type is a
pattern, and invisible characters. Stack and project are always literal in a URN, so no
pattern reaches across stacks by URN. A name form never matches a URN and a URN form never a
name. ``*`` as the whole type segment is allowed because it matches no more than the exact
name would, in one stack.

Expiry cap: ``expires`` may be at most ``EXPIRY_CAP_DAYS[profile]`` days after the evaluation
day (lab 365, production 180). When the profile is not known (``hlz plan`` reads the file once
before planning any stack; the Pulumi CLI loads the pack before handing it a profile) the
strictest cap applies, because one file serves every stack. An exemption that has already
expired is accepted: it stops applying and the violation it used to hide says so, so the owner
knows to renew or fix.

Reason and owner must be visible text (``policies.overrides.visible_text``): the reason at
least ``MINIMUM_REASON_LENGTH`` visible characters and two words. The file is read with the
strict loader (``policies.yaml_input``): a key written twice is an error. Every problem is
reported at once, each naming its entry as ``<file>[<index>] (<rule>).<key>``.

File format (a YAML list; an empty file or ``[]`` means no exemptions)::

    - rule: storage-account-disallow-public-network-access
      resource: "urn:pulumi:lab::hlz::*::stdiaglab*"   # or just the logical name: "stdiaglab01"
      reason: "Boot diagnostics for the jump box need the public endpoint until AMPLS lands."
      owner: platform-team@example.org
      expires: 2026-03-31
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .clock import utc_today
from .model import Profile, RuleMetadata
from .overrides import MINIMUM_REASON_LENGTH, REASON_RULE, reason_shortfall, visible_text
from .yaml_input import YamlInputError, read_yaml

__all__ = [
    "EXPIRY_CAP_DAYS",
    "MINIMUM_REASON_LENGTH",
    "MINIMUM_STEM_LENGTH",
    "Exemption",
    "ExemptionError",
    "exemption_for",
    "expiry_cap",
    "find_exemption",
    "find_expired_exemption",
    "load_exemptions",
    "parse_exemptions",
    "resource_matches",
]

EXPIRY_CAP_DAYS: Mapping[Profile, int] = {Profile.LAB: 365, Profile.PRODUCTION: 180}
"""Longest an exemption may run past the evaluation day, per profile: production risk is
re-reviewed at least twice a year (HIPAA 164.308(a)(8)), a lab's at least yearly."""

MINIMUM_STEM_LENGTH = 6
"""Literal characters before a trailing ``*``: enough for a type abbreviation and a name
(``kv-hlz-*``, ``stdiag*``), too few for a bare abbreviation (``st*``, ``kv-*``)."""

URN_PREFIX = "urn:pulumi:"
_URN_FORM = "urn:pulumi:<stack>::<project>::<type or *>::<name or stem*>"
_GRAMMAR = (
    f"write an exact logical name, a name stem of at least {MINIMUM_STEM_LENGTH} characters "
    f"followed by one '*', or a URN {_URN_FORM}"
)
_FIELDS = ("rule", "resource", "reason", "owner", "expires")


EXEMPTIONS_FILE = Path(__file__).resolve().parent / "exemptions.yaml"
"""The project's exemptions: read by the pack (CrossGuard and ``hlz``) and by the stack
programs, which turn them into Azure Policy exemptions of the runtime initiative."""


class ExemptionError(ValueError):
    """The exemptions file is invalid; the message lists every problem, each naming its entry."""


def expiry_cap(profile: Profile | None) -> int:
    """Days an exemption may run past the evaluation day; the strictest when ``profile`` is
    unknown."""
    return EXPIRY_CAP_DAYS[profile] if profile is not None else min(EXPIRY_CAP_DAYS.values())


def _name_matches(pattern: str, name: str) -> bool:
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def resource_matches(pattern: str, urn_or_name: str) -> bool:
    """Whether a pattern of the grammar above names ``urn_or_name`` (a URN or a logical name).

    Literal apart from one trailing ``*`` and a ``*`` type segment: nothing else is special."""
    if not pattern.startswith(URN_PREFIX):
        return not urn_or_name.startswith(URN_PREFIX) and _name_matches(pattern, urn_or_name)
    if not urn_or_name.startswith(URN_PREFIX):
        return False
    wanted = pattern.split("::", 3)
    actual = urn_or_name.split("::", 3)
    if len(wanted) != 4 or len(actual) != 4:
        return False
    return (
        wanted[:2] == actual[:2]
        and wanted[2] in ("*", actual[2])
        and _name_matches(wanted[3], actual[3])
    )


def _name_problem(name: str) -> str | None:
    if not name.strip("*"):
        return "would match every resource"
    if "*" in name[:-1]:
        return "has a '*' before its end, so it matches resources it does not name"
    if name.endswith("*") and len(name) - 1 < MINIMUM_STEM_LENGTH:
        return (
            f"has a stem of {len(name) - 1} characters before '*'; at least "
            f"{MINIMUM_STEM_LENGTH} are needed to name a bounded set"
        )
    return None


def _resource_problem(pattern: str) -> str | None:
    if not pattern.strip("*?"):
        return "would match every resource"
    if visible_text(pattern) != pattern:
        return "contains invisible characters or extra spaces"
    if any(character in pattern for character in "?[]"):
        return "uses '?' or '[...]'; only one final '*' is a wildcard"
    if not pattern.startswith("urn:"):
        return _name_problem(pattern)
    parts = pattern.split("::", 3)
    if not pattern.startswith(URN_PREFIX) or len(parts) != 4:
        return "is not a Pulumi URN"
    stack, project, type_ = parts[0].removeprefix(URN_PREFIX), parts[1], parts[2]
    if not stack or not project or not type_:
        return "is not a Pulumi URN"
    if "*" in stack or "*" in project or (type_ != "*" and "*" in type_):
        return "has a '*' in its stack, project or type; only a type of exactly '*' is allowed"
    return _name_problem(parts[3])


@dataclass(frozen=True, slots=True)
class Exemption:
    rule_id: str
    resource: str
    """Pattern of the grammar above, matched against the resource URN and its logical name."""
    reason: str
    owner: str
    expires: dt.date
    """Last day on which the exemption applies."""

    def is_active(self, today: dt.date) -> bool:
        return today <= self.expires

    def matches(self, rule_id: str, urn_or_name: str) -> bool:
        return rule_id == self.rule_id and resource_matches(self.resource, urn_or_name)

    def describe(self) -> str:
        return (
            f"exemption for '{self.resource}' (owner {self.owner}, expires "
            f"{self.expires.isoformat()}): {self.reason}"
        )


def load_exemptions(
    path: Path,
    rules: Iterable[RuleMetadata],
    *,
    today: dt.date | None = None,
    profile: Profile | None = None,
) -> list[Exemption]:
    """Read and validate ``path``; raises ``ExemptionError`` listing every problem."""
    try:
        data = read_yaml(path)
    except YamlInputError as error:
        raise ExemptionError(str(error)) from None
    except OSError as error:
        raise ExemptionError(
            f"{path}: cannot read the exemptions file ({error.strerror})"
        ) from None
    return parse_exemptions(data, rules, source=str(path), today=today, profile=profile)


def parse_exemptions(
    data: Any,
    rules: Iterable[RuleMetadata],
    *,
    source: str = "exemptions",
    today: dt.date | None = None,
    profile: Profile | None = None,
) -> list[Exemption]:
    """Validate exemptions read from YAML. ``today`` is the evaluation day the expiry cap counts
    from (default: today in UTC, as the pack judges); ``profile`` picks the cap (see above)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ExemptionError(
            f"{source}: must be a YAML list of exemptions, got {type(data).__name__}"
        )
    known_ids = {rule.id for rule in rules}
    day = today or utc_today()
    exemptions: list[Exemption] = []
    problems: list[str] = []
    for index, entry in enumerate(data):
        where = f"{source}[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping with keys {', '.join(_FIELDS)}")
            continue
        rule_id = entry.get("rule")
        if isinstance(rule_id, str) and rule_id.strip():
            where += f" ({rule_id})"
        entry_problems = _entry_problems(entry, where, known_ids, day, profile)
        if entry_problems:
            problems += entry_problems
            continue
        exemptions.append(
            Exemption(
                rule_id=entry["rule"],
                resource=entry["resource"].strip(),
                reason=visible_text(entry["reason"]),
                owner=visible_text(entry["owner"]),
                expires=_as_date(entry["expires"]) or dt.date.min,
            )
        )
    if problems:
        raise ExemptionError("invalid exemptions:\n  " + "\n  ".join(problems))
    return exemptions


def _entry_problems(
    entry: dict[Any, Any],
    where: str,
    known_ids: set[str],
    today: dt.date,
    profile: Profile | None,
) -> list[str]:
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
    if "resource" in entry:
        problem = (
            _resource_problem(pattern.strip()) if isinstance(pattern, str) else "is not text"
        )
        if problem is not None:
            problems.append(f"{where}.resource: {pattern!r} {problem}; {_GRAMMAR}")
    reason = entry.get("reason")
    if "reason" in entry:
        shortfall = reason_shortfall(reason) if isinstance(reason, str) else "it is not text"
        if shortfall is not None:
            problems.append(f"{where}.reason: must explain why in {REASON_RULE} ({shortfall})")
    owner = entry.get("owner")
    if "owner" in entry and (
        not isinstance(owner, str) or not any(c.isalnum() for c in visible_text(owner))
    ):
        problems.append(f"{where}.owner: must name a person or team in visible text")
    if "expires" in entry:
        expires = _as_date(entry["expires"])
        if expires is None:
            problems.append(
                f"{where}.expires: must be a date (YYYY-MM-DD), got {entry['expires']!r}"
            )
        elif (expires - today).days > expiry_cap(profile):
            problems.append(
                f"{where}.expires: {expires.isoformat()} is more than {expiry_cap(profile)} days "
                f"after the evaluation day ({today.isoformat()}); {_cap_text(profile)}: set an "
                "earlier date and review the exemption again then"
            )
    return problems


def _cap_text(profile: Profile | None) -> str:
    caps = ", ".join(f"{p.value} {days}" for p, days in EXPIRY_CAP_DAYS.items())
    if profile is not None:
        cap = EXPIRY_CAP_DAYS[profile]
        return f"the {profile.value} profile allows at most {cap} days ({caps})"
    return f"the strictest cap applies when the file is read for any stack ({caps} days)"


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



def exemption_for(
    exemptions: Sequence[Exemption], rule_id: str, urn: str, today: dt.date
) -> tuple[Exemption | None, Exemption | None]:
    """(active, expired) exemption of ``rule_id`` for the resource ``urn``, matched on the URN
    and on its logical name; ``expired`` only when no active one applies. The one lookup the
    in-process evaluation and the CrossGuard adapter share."""
    name = urn.rsplit("::", 1)[-1]
    active = find_exemption(exemptions, rule_id, urn, today) or find_exemption(
        exemptions, rule_id, name, today
    )
    if active is not None:
        return active, None
    expired = find_expired_exemption(exemptions, rule_id, urn, today) or find_expired_exemption(
        exemptions, rule_id, name, today
    )
    return None, expired
