"""Config pieces every layer shares: reading ``hlz:*`` keys, stack names, regions, tags, CIDR
checks. Each rule here is one Azure (or Pulumi) limit, stated once for every layer."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Literal, TypeVar

from pydantic import Field, ValidationError

from components.errors import ConfigError, problems_from_validation_error
from components.shared import HlzModel, Override
from components.specs import cidr_problem, email_problem
from hlz.engine.sdk_internals import config_values
from policies.clock import utc_today
from policies.exemptions import EXEMPTIONS_FILE, Exemption, ExemptionError, load_exemptions
from policies.model import Profile as PolicyProfile
from policies.overrides import visible_text
from policies.registry import ALL_RULES
from policies.vocabulary import (
    ALLOWED_LOCATIONS,
    CLASSIFICATION_TAG,
    GOVERNANCE_TAGS,
    MAX_TAGS,
    OWNER_TAG,
    REQUIRED_TAGS,
    STORAGE_TAG_NAME_MAX_LENGTH,
    TAG_NAME_FORBIDDEN,
    TAG_NAME_MAX_LENGTH,
    TAG_VALUE_MAX_LENGTH,
    holds_phi,
)

NAMESPACE = "hlz"
KEY_PREFIX = f"{NAMESPACE}:"
Profile = Literal["lab", "production"]


M = TypeVar("M", bound=HlzModel)
LAB_NAME = re.compile(r"[a-z][a-z0-9-]{1,14}[a-z0-9]")
STACK_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")
"""Pulumi's stack-name characters, at most 100, never starting with '.' (so never '.' or '..'):
a stack name also names files (``Pulumi.<stack>.yaml``, ``<stack>.plan.json``)."""
LAB_PROFILE_OVERRIDES = {
    "lock": "lab profile: lab resources are deleted and rebuilt, so they are not locked "
    "against deletion; production locks them",
    "ddos_protection": "lab profile: a DDoS protection plan costs about $3k a month; production "
    "keeps one on the hub's public IPs",
    "hsm": "lab profile without PHI: the landing zone's vault may be standard, so the key is "
    "software-protected; production and PHI use HSM keys",
}
"""What the lab profile turns off, and why. Each is an ``Override`` like any other: the reason
is written to the resource as its ``hlz-override-<control>`` tag and listed in reports."""


def lab_profile_override(control: str) -> Override:
    """The lab profile's override of ``control`` (a key of ``LAB_PROFILE_OVERRIDES``)."""
    return Override(reason=LAB_PROFILE_OVERRIDES[control])


RESERVED_TAGS = len(GOVERNANCE_TAGS) + 1
"""Tags hlz writes itself besides ``hlz:tags`` on one resource, at most: a model deployment's
governance record plus an override reason. ``hlz:tags`` keeps room for them."""


class ConfigModel(HlzModel):
    """A model only stack config has (a layer's top level, a section that is no component's
    spec). It speaks camelCase like every ``HlzModel``; sections a component defines use the
    component's own model."""


class LayerConfig(ConfigModel):
    """The keys every layer has, and the settings each profile derives from them."""

    profile: Profile
    """``lab`` or ``production``; production tightens the defaults (a lab stack's profile must
    match its landing zone's)."""
    location: str
    """Azure region, one of the allowed US regions."""
    prefix: str = Field(min_length=2, max_length=20, pattern=r"^[a-z][a-z0-9]*$")
    """Lowercase name prefix of every resource (letters/digits): names are
    ``<abbreviation>-<prefix>[-<lab>]-<role>[-<suffix>]``. Globally unique names such as the Key
    Vault's (24 characters at most) limit it to about 10 characters in practice."""
    tags: dict[str, str]
    """Required tags: owner, cost-center, environment, data-classification
    (phi | confidential | internal | public). Azure's limits apply: names up to 512 characters
    (128 in a stack with a storage account) without ``<>%&\\?/`` and unique regardless of case,
    values up to 256; at most 43 tags (hlz keeps 7 of Azure's 50 for its own; an AI lab with more
    than 7 deployments keeps one approval tag per deployment on its OpenAI account)."""

    @property
    def production(self) -> bool:
        return self.profile == "production"

    @property
    def phi(self) -> bool:
        return holds_phi(self.tags.get(CLASSIFICATION_TAG))

    @property
    def owner_email(self) -> str | None:
        """The ``owner`` tag when it is an email address: the default recipient of the stack's
        alerts (landing zone) or budget notifications (AI lab); None otherwise."""
        owner = str(self.tags.get(OWNER_TAG, "")).strip()
        return owner if owner and email_problem(owner) is None else None

    def recipients_problem(
        self, configured: list[str] | None, config_key: str
    ) -> list[tuple[str, str]]:
        """Why the stack has nobody to notify: ``configured`` (an emails key) is not set and the
        owner tag is no email address."""
        owner = str(self.tags.get(OWNER_TAG, "")).strip()
        # A missing owner tag is its own problem (tag_problems); one message is enough.
        if configured is not None or not owner or self.owner_email is not None:
            return []
        return [
            (
                config_key,
                f"required: the owner tag '{self.tags.get(OWNER_TAG, '')}' is not an email "
                "address, so it cannot stand in for it; list who is notified (e.g. "
                "[team@example.org])",
            )
        ]

    @property
    def lock_override(self) -> Override | None:
        """Resources are locked against deletion in production; the lab profile says why not."""
        return None if self.production else lab_profile_override("lock")


def read_namespace() -> dict[str, Any]:
    """Every ``hlz:*`` key of the running stack, with structured values decoded (the Pulumi
    runtime hands object and list values over as JSON text). Every key, not only the declared
    ones, so that a misspelt key is reported (``hlz.engine.sdk_internals.config_values``)."""
    raw: dict[str, Any] = {}
    for full_key, value in config_values().items():
        if not full_key.startswith(KEY_PREFIX):
            continue
        key = full_key[len(KEY_PREFIX) :]
        try:
            raw[key] = json.loads(value)
        except (TypeError, ValueError):
            raw[key] = value
    return raw


def parse_model(model: type[M], raw: dict[str, Any], source: str) -> M:
    """Structural validation (types, unknown and missing keys); every problem at once."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(
            problems_from_validation_error(error, KEY_PREFIX, model), source
        ) from None


def key(*parts: str) -> str:
    return KEY_PREFIX + ".".join(parts)


def stack_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a stack name, or None. Checked before any file is read."""
    if STACK_NAME.fullmatch(name):
        return None
    return (
        f"{name!r} is not a valid stack name: 1-100 letters, digits, '-', '_' or '.', "
        "not starting with '.'"
    )


def stack_reference_problem(reference: str, stack: str | None = None) -> str | None:
    """Why ``reference`` (``stack``, ``org/stack`` or ``org/project/stack``) cannot name the
    stack another one reads outputs from, or None; with ``stack``, a reference to itself too."""
    if not reference.strip():
        return "is empty; name the landing-zone stack (e.g. lz-dev or org/hlz/lz-dev)"
    parts = reference.split("/")
    if len(parts) > 3 or any(not STACK_NAME.fullmatch(part) for part in parts):
        return (
            f"{reference!r} is not a stack name: [org/[project/]]stack, each part 1-100 letters, "
            "digits, '-', '_' or '.', not starting with '.'"
        )
    if stack is not None and parts[-1] == stack:
        return f"'{reference}' is this stack itself; name the landing-zone stack it is a spoke of"
    return None


def overlap_problems(named: dict[str, str]) -> list[tuple[str, str]]:
    """Every pair of ranges (key -> CIDR) that overlap, reported once and naming both keys.

    Two CIDR blocks overlap only when one contains the other, so after sorting by start
    address (larger block first) the blocks still open at a block's start are exactly those
    containing it: O(n log n) plus one step per overlap, not n² comparisons."""
    blocks = []
    for name, cidr in named.items():
        if cidr_problem(cidr) is None:
            network = ipaddress.IPv4Network(cidr)
            start = int(network.network_address)
            blocks.append((start, network.prefixlen, name, start + network.num_addresses - 1))
    blocks.sort()
    problems: list[tuple[str, str]] = []
    open_blocks: list[tuple[int, str]] = []  # (end, name), each containing the next
    for start, _, name, end in blocks:
        while open_blocks and open_blocks[-1][0] < start:
            open_blocks.pop()
        for _, container in open_blocks:
            first, second = sorted((container, name))
            problems.append((first, f"{named[first]} overlaps {second} ({named[second]})"))
        open_blocks.append((end, name))
    return problems


def location_problems(location: str, config_key: str) -> list[tuple[str, str]]:
    if location not in ALLOWED_LOCATIONS:
        return [
            (
                config_key,
                f"'{location}' is not an allowed region; PHI must stay in the US: "
                + ", ".join(ALLOWED_LOCATIONS),
            )
        ]
    return []


def tag_problems(
    tags: dict[str, str],
    config_key: str,
    *,
    own_tags: int = RESERVED_TAGS,
    own_tags_are: str = "governance record, override reasons",
    storage: bool = False,
) -> list[tuple[str, str]]:
    """Required tags and Azure's tag limits: at most ``MAX_TAGS`` per resource including the
    ``own_tags`` hlz adds, names of at most 512 characters (128 where the stack creates a
    storage account) without ``<>%&\\?/``, unique regardless of case, values of at most 256.
    A required tag made only of invisible characters (zero-width, format) is missing."""
    problems = []
    for tag, allowed in REQUIRED_TAGS.items():
        value = tags.get(tag)
        if value is None or not str(value).strip():
            problems.append((f"{config_key}.{tag}", "required tag is missing or empty"))
        elif not visible_text(str(value)):
            problems.append(
                (
                    f"{config_key}.{tag}",
                    "is made only of invisible characters (zero-width or format characters); "
                    "write a real value",
                )
            )
        elif allowed is not None and value not in allowed:
            problems.append(
                (f"{config_key}.{tag}", f"'{value}' is not one of {', '.join(allowed)}")
            )
    name_limit = STORAGE_TAG_NAME_MAX_LENGTH if storage else TAG_NAME_MAX_LENGTH
    seen: dict[str, str] = {}
    for tag, value in tags.items():
        tag_key = f"{config_key}.{tag}"
        if not tag.strip():
            problems.append((tag_key, "tag names cannot be empty"))
        forbidden = sorted({character for character in tag if character in TAG_NAME_FORBIDDEN})
        if forbidden:
            problems.append(
                (
                    tag_key,
                    f"Azure tag names cannot contain {' '.join(forbidden)} (nor any of <>%&\\?/)",
                )
            )
        if len(tag) > name_limit or len(str(value)) > TAG_VALUE_MAX_LENGTH:
            problems.append(
                (
                    tag_key,
                    f"Azure allows tag names up to {name_limit}"
                    + (" on storage accounts" if storage else "")
                    + f" and values up to {TAG_VALUE_MAX_LENGTH} characters",
                )
            )
        folded = tag.casefold()
        if folded in seen:
            problems.append(
                (
                    tag_key,
                    f"same name as '{seen[folded]}' but for case; Azure tag names are "
                    "case-insensitive, so one would overwrite the other",
                )
            )
        seen.setdefault(folded, tag)
    if len(tags) + own_tags > MAX_TAGS:
        problems.append(
            (
                config_key,
                f"{len(tags)} tags, and hlz adds up to {own_tags} of its own to a resource "
                f"({own_tags_are}); Azure allows {MAX_TAGS} per resource, "
                f"so at most {MAX_TAGS - own_tags} here",
            )
        )
    return problems


def raise_if(problems: list[tuple[str, str]], source: str) -> None:
    if problems:
        raise ConfigError(problems, source)


def project_exemptions(profile: Profile) -> list[Exemption]:
    """``policies/exemptions.yaml`` as the pack reads it (every problem at once), for the
    runtime initiative's Azure Policy exemptions (``components.runtime_policy``)."""
    try:
        return load_exemptions(
            EXEMPTIONS_FILE, ALL_RULES, today=utc_today(), profile=PolicyProfile(profile)
        )
    except ExemptionError as error:
        raise ConfigError([("exemptions", str(error))], "exemptions file") from None
