"""Core types of the policy pack: outcomes, rule metadata, and the stack resource view.

A rule is data plus a pure check function. Resource rules look at one resource
``(resource_type, props) -> Outcome``; stack rules look at every resource of the stack at once
(to see relationships such as "this vault has a lock", which only dependencies can prove during
preview, when resource ids are still unknown).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

from .frameworks import HIPAA_SECTIONS
from .vocabulary import OVERRIDE_TAG_PREFIX

__all__ = [
    "ALL_PROFILES",
    "Category",
    "Compliant",
    "Evaluation",
    "NonCompliant",
    "NotApplicable",
    "Outcome",
    "Profile",
    "ResourceCheck",
    "ResourceRule",
    "Rule",
    "RuleMetadata",
    "Severity",
    "StackCheck",
    "StackResource",
    "StackRule",
    "Undetermined",
    "fail",
    "outcome_from",
]


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Profile(StrEnum):
    """Deployment profile. Production-only rules report NotApplicable in ``lab``."""

    LAB = "lab"
    PRODUCTION = "production"


ALL_PROFILES: frozenset[Profile] = frozenset(Profile)


class Category(StrEnum):
    """What a rule guards.

    ``hipaa``: a HIPAA Security Rule safeguard (cited, mapped to MCSB/HITRUST). ``deploy``: a
    constraint Azure Resource Manager enforces that no type definition shows (tier-gated
    features, prerequisites, name rules); a violation means ``pulumi up`` would fail, so these
    rules are mandatory in every profile, cite the Azure documentation they encode, and ids
    start with ``deploy-``.
    """

    HIPAA = "hipaa"
    DEPLOY = "deploy"


# --- outcomes -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Compliant:
    """The resource satisfies the rule."""


@dataclass(frozen=True, slots=True)
class NonCompliant:
    """The resource violates the rule; one reason per failure mode, each saying how to fix it."""

    reasons: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.reasons:
            raise ValueError("NonCompliant needs at least one reason")


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """The rule does not apply (other resource type, other profile, or a documented exception)."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class Undetermined:
    """The rule read a value that is unknown until the update runs (preview).

    Never returned by a check function; ``evaluation.evaluate`` produces it from
    ``pulumi_policy``'s ``UnknownValueError`` so in-process callers get a value, not an exception.
    """

    reason: str


Outcome: TypeAlias = Compliant | NonCompliant | NotApplicable
Evaluation: TypeAlias = Outcome | Undetermined


def fail(*reasons: str) -> NonCompliant:
    """``NonCompliant`` with the given reasons (each says what is wrong and how to fix it)."""
    return NonCompliant(reasons)


def outcome_from(reasons: Sequence[str]) -> Outcome:
    """``Compliant`` when no reason was collected, else ``NonCompliant`` with all of them."""
    return NonCompliant(tuple(reasons)) if reasons else Compliant()


# --- the stack view -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StackResource:
    """One resource of a stack, as a stack rule sees it.

    Built from ``pulumi_policy.PolicyResource`` by the adapter, or from a planned resource by the
    ``hlz plan`` engine. Relationships are URNs, never ids: ids are unknown during preview.
    """

    urn: str
    resource_type: str
    props: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    parent: str | None = None

    @property
    def name(self) -> str:
        """The logical name: the URN's last ``::`` segment."""
        return self.urn.rsplit("::", 1)[-1]

    def depends_on(self, urn: str, *properties: str) -> bool:
        """Whether one of ``properties`` was computed from resource ``urn``.

        Falls back to the resource-level ``dependencies`` only when no property dependencies
        were recorded at all (callers that cannot provide them); when they were recorded, an
        unrelated ``depends_on`` must not count as, say, a lock's scope.
        """
        if not self.property_dependencies:
            return urn in self.dependencies
        return any(urn in self.property_dependencies.get(name, ()) for name in properties)


# --- rules --------------------------------------------------------------------------------------

ResourceCheck: TypeAlias = Callable[[str, Mapping[str, Any]], Outcome]
"""``(resource_type, props) -> Outcome``. Must not raise, except ``UnknownValueError``."""

StackCheck: TypeAlias = Callable[[Sequence[StackResource]], Mapping[str, Outcome]]
"""``resources -> {urn: Outcome}`` for every resource the rule reports on."""

_VERBS = ("require", "disallow", "restrict", "disable")
RULE_ID_PATTERN = re.compile(
    r"^[a-z0-9]+-[a-z0-9]+-(?:" + "|".join(_VERBS) + r")-[a-z0-9]+(?:-[a-z0-9]+)*$"
)
"""``<service>-<resource>-<verb>-<object>``; service and resource are single tokens."""

HIPAA_CITATION_PATTERN = re.compile(r"^164\.3(?:0[2-9]|1[0-8])(?:\([a-zA-Z0-9]+\))*$")
"""A section of the Security Rule, 45 CFR 164.302-164.318, e.g. ``164.312(a)(2)(iv)``."""

MCSB_CONTROL_PATTERN = re.compile(r"^[A-Z]{2}-\d{1,2}$")
"""Microsoft cloud security benchmark v1 control, e.g. ``DP-5``."""

HITRUST_CONTROL_PATTERN = re.compile(r"^\d{2}\.[a-z]{1,2}$")
"""HITRUST CSF control reference, e.g. ``10.g``."""


@dataclass(frozen=True, kw_only=True)
class RuleMetadata:
    """Everything a reviewer, the docs and the Pulumi CLI need to know about a rule."""

    id: str
    """Stable id ``<service>-<resource>-<verb>-<object>``; also the Pulumi policy name."""
    description: str
    """What it checks, one sentence."""
    rationale: str
    """Why it matters for ePHI, one or two sentences."""
    severity: Severity
    hipaa: tuple[str, ...] = ()
    """HIPAA Security Rule citations (45 CFR), most specific first; the first prefixes messages.
    Required for ``hipaa`` rules, empty for ``deploy`` rules."""
    mcsb: tuple[str, ...] = ()
    """Microsoft cloud security benchmark v1 controls, where one fits."""
    hitrust: tuple[str, ...] = ()
    """HITRUST CSF control references, where one fits."""
    remediation: str
    url: str
    phi_protecting: bool = False
    """True: the control directly protects ePHI; the rule is mandatory in every profile."""
    profiles: frozenset[Profile] = ALL_PROFILES
    """Profiles in which the rule is checked; elsewhere it reports NotApplicable."""
    phi_in_every_profile: bool = False
    """True: also checked outside ``profiles`` on a resource tagged ``data-classification:
    phi`` (e.g. HSM-backed keys: PHI gets them in every profile)."""
    category: Category = Category.HIPAA
    any_type: bool = False
    """True for rules that check what every resource has (name, tags, location): they apply to
    a type without judging its configuration, so they do not make it *judged* (reports list
    resources no other rule covers as unjudged)."""

    def judges(self, resource_type: str) -> bool:
        """Whether this rule judges the configuration of ``resource_type`` resources."""
        types = getattr(self, "resource_types", None)
        return not self.any_type and types is not None and resource_type in types

    def __post_init__(self) -> None:
        problems = self._metadata_problems()
        if problems:
            raise ValueError(f"rule {self.id!r} has invalid metadata: " + "; ".join(problems))

    def _metadata_problems(self) -> list[str]:
        problems: list[str] = []
        if not RULE_ID_PATTERN.match(self.id):
            problems.append(f"id must match {RULE_ID_PATTERN.pattern}")
        for label, text in (
            ("description", self.description),
            ("rationale", self.rationale),
            ("remediation", self.remediation),
        ):
            if not text.strip():
                problems.append(f"{label} is empty")
        if self.category is Category.DEPLOY:
            problems += self._deploy_problems()
        elif not self.hipaa:
            problems.append("at least one HIPAA citation is required")
        problems += [
            f"HIPAA citation {c!r} is not a 164.3xx section"
            for c in self.hipaa
            if not HIPAA_CITATION_PATTERN.match(c)
        ]
        problems += [
            f"HIPAA citation {c!r} has no title in policies.frameworks.HIPAA_SECTIONS"
            for c in self.hipaa
            if HIPAA_CITATION_PATTERN.match(c) and c not in HIPAA_SECTIONS
        ]
        problems += [
            f"MCSB control {c!r} is malformed"
            for c in self.mcsb
            if not MCSB_CONTROL_PATTERN.match(c)
        ]
        problems += [
            f"HITRUST control {c!r} is malformed"
            for c in self.hitrust
            if not HITRUST_CONTROL_PATTERN.match(c)
        ]
        if not self.url.startswith("https://"):
            problems.append("url must be https")
        if not self.profiles:
            problems.append("profiles is empty")
        return problems

    def _deploy_problems(self) -> list[str]:
        problems = []
        if not self.id.startswith(f"{Category.DEPLOY.value}-"):
            problems.append("deploy rules have ids starting with 'deploy-'")
        if self.hipaa or self.mcsb or self.hitrust:
            problems.append("deploy rules cite Azure documentation (url), not compliance controls")
        if self.phi_protecting or self.profiles != ALL_PROFILES or self.phi_in_every_profile:
            problems.append("deploy rules apply in every profile (ARM refuses in every profile)")
        if not self.url.startswith("https://learn.microsoft.com/"):
            problems.append("deploy rules cite the Microsoft Learn page of the constraint (url)")
        return problems

    @property
    def primary_citation(self) -> str:
        """What prefixes a violation: the first HIPAA section, or ``deploy`` for ARM rules."""
        return self.hipaa[0] if self.hipaa else self.category.value

    @property
    def mandatory_everywhere(self) -> bool:
        """PHI-protecting and deploy rules are mandatory in every profile."""
        return self.phi_protecting or self.category is Category.DEPLOY

    @property
    def service(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def production_only(self) -> bool:
        return self.profiles == frozenset({Profile.PRODUCTION})

    @property
    def topics(self) -> tuple[str, ...]:
        """Tags for the Pulumi policy metadata and the docs."""
        topics = [
            self.category.value,
            self.id.split("-", 2)[1] if self.category is Category.DEPLOY else self.service,
        ]
        if self.phi_protecting:
            topics.append("phi-protecting")
        if self.production_only:
            topics.append("production-only")
        topics += [f"mcsb:{control}" for control in self.mcsb]
        topics += [f"hitrust:{control}" for control in self.hitrust]
        return tuple(topics)


@dataclass(frozen=True, kw_only=True)
class ResourceRule(RuleMetadata):
    """A rule evaluated on one resource at a time."""

    resource_types: frozenset[str] | None
    """Pulumi type tokens checked; ``None`` means every ``azure-native:`` resource."""
    check: ResourceCheck
    override_tag: str | None = None
    """Tag (``hlz-override-<control>``, the components' ``Override`` convention) that waives the
    rule on the resource carrying it. Its value is the reason (10+ characters); the waiver is
    reported as NotApplicable with that reason, so it stays visible. None: not overridable."""

    def applies_to(self, resource_type: str) -> bool:
        if self.resource_types is None:
            return resource_type.startswith("azure-native:")
        return resource_type in self.resource_types

    def _metadata_problems(self) -> list[str]:
        problems = super()._metadata_problems()
        if self.resource_types is not None and not self.resource_types:
            problems.append("resource_types is empty (use None for every azure-native resource)")
        if self.override_tag is not None and not self.override_tag.startswith(OVERRIDE_TAG_PREFIX):
            problems.append(f"override_tag must start with {OVERRIDE_TAG_PREFIX!r}")
        return problems


@dataclass(frozen=True, kw_only=True)
class StackRule(RuleMetadata):
    """A rule evaluated once over all resources of a stack (relationships between resources)."""

    resource_types: frozenset[str]
    """The types it reports on (for docs and for in-process filtering)."""
    check: StackCheck

    def _metadata_problems(self) -> list[str]:
        problems = super()._metadata_problems()
        if not self.resource_types:
            problems.append("resource_types is empty")
        return problems


Rule: TypeAlias = ResourceRule | StackRule
