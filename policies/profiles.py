"""Enforcement per profile and the policy-pack configuration files derived from it.

| rule                | no config file         | ``config/lab.json`` | ``config/production.json`` |
|---------------------|------------------------|---------------------|----------------------------|
| PHI-protecting      | mandatory              | mandatory           | mandatory                  |
| deploy (ARM)        | mandatory              | mandatory           | mandatory                  |
| other               | advisory               | advisory            | mandatory                  |
| production-only     | checked (production)   | NotApplicable       | checked                    |

Without a config file the ``profile`` property defaults to ``production``: an unconfigured run
gets the stricter checks. ``config_problems`` rejects any config that would lower a
PHI-protecting or deploy rule below mandatory: the served pack refuses such a config at run time
(``policies.sdk_guard``, because the Pulumi CLI applies it without asking), and the tests check
every config file shipped in ``config/`` with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from .model import Profile, RuleMetadata

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILE_PROPERTY",
    "FAIL_ON_UNKNOWN",
    "EnforcementLevel",
    "config_problems",
    "default_enforcement_level",
    "enforcement_level",
    "is_profile_dependent",
    "pack_config",
    "profile_from_config",
]

PROFILE_PROPERTY = "profile"
"""Config property of every profile-dependent policy."""

DEFAULT_PROFILE = Profile.PRODUCTION
"""Secure default when no config file says otherwise."""


class EnforcementLevel(StrEnum):
    """The Pulumi CLI's enforcement levels (``remediate`` is unused: rules never rewrite inputs)."""

    ADVISORY = "advisory"
    MANDATORY = "mandatory"
    DISABLED = "disabled"


FAIL_ON_UNKNOWN = ("auto", "none", "phi", "all")
"""Which undetermined results (a rule read a value unknown until deployment) fail ``hlz plan`` /
``hlz check`` (``--fail-on-unknown``). ``auto``, the default: ``phi`` in production (a
PHI-protecting rule that cannot decide blocks), ``none`` in lab."""


def default_enforcement_level(rule: RuleMetadata) -> EnforcementLevel:
    """Level built into the policy, used when no config file overrides it."""
    return EnforcementLevel.MANDATORY if rule.mandatory_everywhere else EnforcementLevel.ADVISORY


def enforcement_level(rule: RuleMetadata, profile: Profile) -> EnforcementLevel:
    if rule.mandatory_everywhere or profile is Profile.PRODUCTION:
        return EnforcementLevel.MANDATORY
    return EnforcementLevel.ADVISORY


def is_profile_dependent(rule: RuleMetadata) -> bool:
    return rule.profiles != frozenset(Profile)


def profile_from_config(config: Mapping[str, Any]) -> Profile:
    """The profile in a policy's config; anything unexpected means production (the stricter)."""
    value = config.get(PROFILE_PROPERTY)
    return Profile(value) if value in {profile.value for profile in Profile} else DEFAULT_PROFILE


def pack_config(profile: Profile, rules: Iterable[RuleMetadata]) -> dict[str, Any]:
    """The ``--policy-pack-config`` document for ``profile``.

    Production sets ``"all": "mandatory"`` as a floor for rules added later; lab does not set
    ``all`` because ``"all": "advisory"`` would demote PHI-protecting rules a config forgot.
    """
    config: dict[str, Any] = (
        {"all": EnforcementLevel.MANDATORY.value} if profile is Profile.PRODUCTION else {}
    )
    for rule in rules:
        level = enforcement_level(rule, profile).value
        if is_profile_dependent(rule):
            config[rule.id] = {"enforcementLevel": level, PROFILE_PROPERTY: profile.value}
        else:
            config[rule.id] = level
    return config


def config_problems(config: Mapping[str, Any], rules: Iterable[RuleMetadata]) -> list[str]:
    """Problems in a policy-pack config: unknown policies, bad values, PHI rules not mandatory."""
    by_id = {rule.id: rule for rule in rules}
    levels = {level.value for level in EnforcementLevel}
    profiles = {profile.value for profile in Profile}
    problems: list[str] = []
    for name, value in config.items():
        level = (
            value
            if isinstance(value, str)
            else value.get("enforcementLevel")
            if isinstance(value, dict)
            else None
        )
        if level is not None and level not in levels:
            problems.append(
                f"{name}: enforcement level {level!r} is not one of {', '.join(sorted(levels))}"
            )
        if name == "all":
            if level not in (None, EnforcementLevel.MANDATORY.value):
                problems.append(
                    f"all: {level!r} would lower PHI-protecting rules; set levels per rule instead"
                )
            continue
        rule = by_id.get(name)
        if rule is None:
            problems.append(f"{name}: no such policy in the pack")
            continue
        if rule.mandatory_everywhere and level not in (None, EnforcementLevel.MANDATORY.value):
            kind = "PHI-protecting" if rule.phi_protecting else "deploy"
            problems.append(f"{name}: {kind} rules must stay mandatory, not {level!r}")
        if (
            isinstance(value, dict)
            and PROFILE_PROPERTY in value
            and value[PROFILE_PROPERTY] not in profiles
        ):
            problems.append(
                f"{name}.{PROFILE_PROPERTY}: {value[PROFILE_PROPERTY]!r} is not one of "
                f"{', '.join(sorted(profiles))}"
            )
    return problems
