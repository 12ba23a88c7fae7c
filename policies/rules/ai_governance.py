"""AI governance of model deployments: the governance record, its approval's expiry, and the
content filter a high-risk use case needs.

The governance record is a set of tags on each ``cognitiveservices:Deployment`` (names in
``vocabulary.GOVERNANCE_TAGS``); the landing zone writes them from the deployment's metadata.

Time: ``cognitiveservices-deployment-disallow-expired-approval`` is the one rule whose outcome
depends on the date. Its decision is the pure function ``approval_outcome(props, on)``; the
registered check reads the date once per evaluation from the module function ``today()`` (the
UTC calendar date, as exemptions use) and passes it in. Tests monkeypatch ``today``; nothing
else in the pack reads the clock inside a rule.

Deployment -> content filter: a deployment names its RaiPolicy by ``properties.raiPolicyName``,
and a policy belongs to one account. A stack RaiPolicy is the deployment's filter when

| both known                   | name                              | account                       |
|------------------------------|-----------------------------------|-------------------------------|
| yes                          | raiPolicyName equal (any case)    | ``accountName`` of both was   |
|                              |                                   | computed from the same        |
|                              |                                   | ``cognitiveservices:Account`` |
|                              |                                   | (propertyDependencies, else   |
|                              |                                   | dependencies), or both        |
|                              |                                   | ``accountName`` inputs are    |
|                              |                                   | known and equal (any case)    |
| deployment's name unknown    | the deployment's ``properties``   | as above                      |
| (preview)                    | depend on that RaiPolicy          |                               |

A known ``accountName`` string and an account resource whose ``accountName`` input equals it also
match, so a literal name on one side and a computed one on the other still pair up. Without a
match the filter cannot be verified, which fails a high-risk deployment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ..clock import utc_today
from ..model import (
    Compliant,
    NonCompliant,
    NotApplicable,
    Outcome,
    ResourceRule,
    Severity,
    StackResource,
    StackRule,
    fail,
    outcome_from,
)
from ..props import as_bool, as_mapping, as_sequence, as_str, describe, get, same_text
from ..vocabulary import GOVERNANCE_TAGS, HARM_CATEGORIES, RISK_TIERS
from .relations import of_type
from .tokens import COGNITIVE_ACCOUNT, COGNITIVE_DEPLOYMENT

__all__ = [
    "RAI_POLICY",
    "RULES",
    "approval_outcome",
    "processes_phi",
    "read_tag",
    "today",
]

RAI_POLICY = "azure-native:cognitiveservices:RaiPolicy"
"""Content filter (RAI) policy token; kept here, not in tokens.py, while only these rules use it."""

DEPLOYMENT = frozenset({COGNITIVE_DEPLOYMENT})

RISK_TIER_TAG = GOVERNANCE_TAGS["risk_tier"]
APPROVAL_REFERENCE_TAG = GOVERNANCE_TAGS["approval_reference"]
APPROVAL_EXPIRES_TAG = GOVERNANCE_TAGS["approval_expires"]
PROCESSES_PHI_TAG = GOVERNANCE_TAGS["processes_phi"]

FACTS: Mapping[str, str] = {
    "use_case": "what the model is used for",
    "risk_tier": "the responsible-AI risk tier",
    "approval_reference": "the AI governance approval",
    "approval_expires": "the last day the approval is valid",
    "owner": "who is accountable for the use case",
    "processes_phi": "whether prompts or completions contain PHI",
}
"""What each governance fact means, for violation messages (keys of ``GOVERNANCE_TAGS``)."""

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
"""``YYYY-MM-DD`` only; ``date.fromisoformat`` alone would also take ``20270331`` or week dates."""

CONTENT_SOURCES = ("Prompt", "Completion")
STRICT_SEVERITY_THRESHOLDS = ("Low", "Medium")
"""Blocking at Low or Medium stops medium- and high-severity content; 'High' lets medium through."""
PROMPT_SHIELD = "Jailbreak"
BLOCKING_MODES = ("Default", "Blocking")
"""RaiPolicy modes that filter before content reaches the caller (absent means Default).

``Asynchronous_filter`` (formerly ``Deferred``) streams completion tokens before their filter
result is known; an unknown future mode fails closed until reviewed.
"""
BLOCKING_ACTION = "BLOCKING"
"""A content filter's optional ``action``; any other action (e.g. ANNOTATING) does not block."""
BUILT_IN_POLICY_PREFIX = "microsoft."
"""Built-in RaiPolicies (Microsoft.Default, Microsoft.DefaultV2, ...) live outside the stack."""


# --- the governance record ---------------------------------------------------------------------


def read_tag(props: Mapping[str, Any], tag: str) -> str | None:
    """The stripped value of tag ``tag`` (names match in any case, as in Azure).

    ``None`` when the tag is absent; ``""`` when it is blank or not text.
    """
    tags = as_mapping(get(props, "tags")) or {}
    name = next((key for key in tags if isinstance(key, str) and key.casefold() == tag), None)
    if name is None:
        return None
    return (as_str(tags[name]) or "").strip()


def parse_expiry(value: str | None) -> dt.date | None:
    """The date of an ``hlz-approval-expires`` value, or None when it is not ``YYYY-MM-DD``."""
    if value is None or not ISO_DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def processes_phi(props: Mapping[str, Any]) -> bool | None:
    """The ``hlz-processes-phi`` tag as a bool; None when absent or neither 'true' nor 'false'."""
    value = read_tag(props, PROCESSES_PHI_TAG)
    if value is None:
        return None
    return {"true": True, "false": False}.get(value.casefold())


def _fact_problem(fact: str, value: str) -> str | None:
    if fact == "risk_tier" and value.casefold() not in RISK_TIERS:
        return f"is {describe(value)}; use one of {', '.join(RISK_TIERS)}"
    if fact == "approval_expires" and parse_expiry(value) is None:
        return f"is {describe(value)}; use an ISO date YYYY-MM-DD"
    if fact == "processes_phi" and value.casefold() not in ("true", "false"):
        return f"is {describe(value)}; use 'true' or 'false'"
    return None


def check_governance_record(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    reasons: list[str] = []
    for fact, tag in GOVERNANCE_TAGS.items():
        value = read_tag(props, tag)
        label = f"tag '{tag}' ({FACTS[fact]})"
        if value is None:
            reasons.append(f"{label} is missing")
        elif not value:
            reasons.append(f"{label} is empty")
        else:
            problem = _fact_problem(fact, value)
            if problem is not None:
                reasons.append(f"{label} {problem}")
    return outcome_from(reasons)


# --- approval expiry ---------------------------------------------------------------------------


EVALUATION_DATE: ContextVar[dt.date | None] = ContextVar("evaluation_date", default=None)
"""Set by ``policies.evaluation.evaluate_plan`` for the duration of one evaluation, so approvals
are judged on the same day as exemptions; unset (CrossGuard) means today."""


def today() -> dt.date:
    """The date approvals are checked against: the evaluation's date, else today in UTC.
    Tests monkeypatch this function."""
    return EVALUATION_DATE.get() or utc_today()


def approval_outcome(props: Mapping[str, Any], on: dt.date) -> Outcome:
    """The expired-approval decision for a deployment on date ``on`` (pure)."""
    raw = read_tag(props, APPROVAL_EXPIRES_TAG)
    expires = parse_expiry(raw)
    if expires is None:
        return NotApplicable(
            f"tag '{APPROVAL_EXPIRES_TAG}' is {describe(raw)}, not an ISO date; "
            "cognitiveservices-deployment-require-governance-record reports it"
        )
    if expires >= on:
        return Compliant()
    reference = read_tag(props, APPROVAL_REFERENCE_TAG)
    approval = f"approval {describe(reference)}" if reference else "the approval (no reference)"
    return fail(
        f"{approval} expired on {expires.isoformat()} (tag '{APPROVAL_EXPIRES_TAG}' is its last "
        f"valid day; today is {on.isoformat()}); renew it with the AI governance board and update "
        f"tags '{APPROVAL_REFERENCE_TAG}' and '{APPROVAL_EXPIRES_TAG}', or remove the deployment"
    )


def check_approval_not_expired(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return approval_outcome(props, today())


# --- strict content filter for high-risk use cases ---------------------------------------------


def _known_text(props: Mapping[str, Any], *path: str) -> str | None:
    """A string input, or None when absent, not text, or unknown until the update (preview)."""
    try:
        text = as_str(get(props, *path))
    except UnknownValueError:
        return None
    return text.strip() if text and text.strip() else None


def _account_keys(resource: StackResource, accounts: Mapping[str, StackResource]) -> set[str]:
    """What identifies the account ``resource`` belongs to: account URNs and known names.
    ``accounts`` maps URN -> account, so only the resource's own dependencies are visited."""
    keys: set[str] = set()
    name = _known_text(resource.props, "accountName")
    if name is not None:
        keys.add(f"name:{name.casefold()}")
    sources = (
        resource.property_dependencies.get("accountName", ())
        if resource.property_dependencies
        else resource.dependencies
    )
    for urn in sources:
        account = accounts.get(urn)
        if account is None:
            continue
        keys.add(f"urn:{account.urn}")
        account_name = _known_text(account.props, "accountName")
        if account_name is not None:
            keys.add(f"name:{account_name.casefold()}")
    return keys


def _filters_of(
    deployment: StackResource,
    policy_name: str | None,
    policies: Sequence[StackResource],
    accounts: Mapping[str, StackResource],
) -> list[StackResource]:
    """The stack RaiPolicies the deployment uses (see the module docstring for the matching)."""
    account = _account_keys(deployment, accounts)
    matches: list[StackResource] = []
    for policy in policies:
        own_name = _known_text(policy.props, "raiPolicyName")
        if policy_name is not None and own_name is not None:
            named = policy_name.casefold() == own_name.casefold()
        else:
            named = deployment.depends_on(policy.urn, "properties")
        if named and account & _account_keys(policy, accounts):
            matches.append(policy)
    return matches


def _entry_weaknesses(label: str, entry: Any, *, thresholds: bool) -> list[str]:
    weaknesses: list[str] = []
    for flag in ("blocking", "enabled"):
        value = get(entry, flag)
        if as_bool(value) is not True:
            weaknesses.append(f"{label} has {flag} {describe(value)}; set it to true")
    action = get(entry, "action")
    if action is not None and not same_text(action, BLOCKING_ACTION):
        weaknesses.append(f"{label} has action {describe(action)}; remove it or use 'BLOCKING'")
    if thresholds:
        threshold = get(entry, "severityThreshold")
        if not any(same_text(threshold, level) for level in STRICT_SEVERITY_THRESHOLDS):
            weaknesses.append(
                f"{label} has severityThreshold {describe(threshold)}; use 'Low' or 'Medium'"
            )
    return weaknesses


def filter_weaknesses(policy: StackResource) -> list[str]:
    """Every way a RaiPolicy falls short of the strict filter; empty when it is strict."""
    name = _known_text(policy.props, "raiPolicyName") or policy.name
    prefix = f"RaiPolicy '{name}'"
    weaknesses: list[str] = []
    mode = get(policy.props, "properties", "mode")
    if mode is not None and not any(same_text(mode, allowed) for allowed in BLOCKING_MODES):
        weaknesses.append(
            f"{prefix} has properties.mode {describe(mode)}, which can return content before it "
            "is filtered; use 'Blocking' (or leave it unset)"
        )
    entries = as_sequence(get(policy.props, "properties", "contentFilters"))
    for category in HARM_CATEGORIES:
        for source in CONTENT_SOURCES:
            matching = [
                entry
                for entry in entries
                if same_text(get(entry, "name"), category)
                and same_text(get(entry, "source"), source)
            ]
            if not matching:
                weaknesses.append(
                    f"{prefix} has no {category} filter on {source}; add {{name: '{category}', "
                    f"source: '{source}', severityThreshold: 'Medium', blocking: true, "
                    "enabled: true}"
                )
            for entry in matching:
                label = f"{prefix}: {category} on {source}"
                weaknesses += _entry_weaknesses(label, entry, thresholds=True)
    shields = [entry for entry in entries if same_text(get(entry, "name"), PROMPT_SHIELD)]
    if not shields:
        weaknesses.append(
            f"{prefix} has no {PROMPT_SHIELD} filter; add {{name: '{PROMPT_SHIELD}', "
            "source: 'Prompt', blocking: true, enabled: true}"
        )
    for entry in shields:
        weaknesses += _entry_weaknesses(f"{prefix}: {PROMPT_SHIELD}", entry, thresholds=False)
    return weaknesses


def _cannot_verify(deployment: StackResource, why: str) -> NonCompliant:
    return fail(
        f"high-risk deployment '{deployment.name}' {why}, so this pack cannot verify the filter; "
        f"use a custom {RAI_POLICY} of this stack, on the same account, that blocks "
        f"{'/'.join(HARM_CATEGORIES)} on prompts and completions at severityThreshold 'Low' or "
        f"'Medium' and blocks {PROMPT_SHIELD}"
    )


def _strict_filter_outcome(
    deployment: StackResource,
    policies: Sequence[StackResource],
    accounts: Mapping[str, StackResource],
    weaknesses: Mapping[str, list[str]],
) -> Outcome:
    tier = read_tag(deployment.props, RISK_TIER_TAG)
    if tier is None or tier.casefold() != "high":
        return NotApplicable(
            f"tag '{RISK_TIER_TAG}' is {describe(tier)}; only the 'high' tier needs the strict "
            "filter"
        )
    props = deployment.props
    try:
        referenced = as_str(get(props, "properties", "raiPolicyName"))
        name: str | None = referenced.strip() if referenced else ""
    except UnknownValueError:
        name = None  # computed from the RaiPolicy's output; matched through dependencies
    if name == "":
        return _cannot_verify(deployment, "has no content filter (properties.raiPolicyName)")
    if name is not None and name.casefold().startswith(BUILT_IN_POLICY_PREFIX):
        return _cannot_verify(deployment, f"uses the built-in content filter '{name}'")
    matches = _filters_of(deployment, name, policies, accounts)
    if not matches:
        shown = f"'{name}'" if name is not None else "(name unknown until the update)"
        return _cannot_verify(
            deployment,
            f"uses content filter {shown}, which is not a RaiPolicy of this stack on the same "
            "account",
        )
    return outcome_from([weakness for policy in matches for weakness in weaknesses[policy.urn]])


def check_strict_filter_for_high_risk(resources: Sequence[StackResource]) -> Mapping[str, Outcome]:
    policies = of_type(resources, RAI_POLICY)
    accounts = {account.urn: account for account in of_type(resources, COGNITIVE_ACCOUNT)}
    # Judged once per policy, however many deployments share it.
    weaknesses = {policy.urn: filter_weaknesses(policy) for policy in policies}
    return {
        deployment.urn: _strict_filter_outcome(deployment, policies, accounts, weaknesses)
        for deployment in of_type(resources, COGNITIVE_DEPLOYMENT)
    }


_AI_DOCS = "https://learn.microsoft.com/azure/ai-services"

RULES: tuple[ResourceRule | StackRule, ...] = (
    ResourceRule(
        id="cognitiveservices-deployment-require-governance-record",
        description=(
            "Model deployments carry a complete governance record: use case, risk tier, "
            "approval reference and expiry, accountable owner, and whether they process PHI."
        ),
        rationale=(
            "The risk analysis must know where ePHI reaches a model, for what purpose, at what "
            "risk, who answers for it and which approval authorised it; the tags are that "
            "documented record, kept with the resource."
        ),
        severity=Severity.MEDIUM,
        hipaa=(
            "164.308(a)(1)(ii)(A)",
            "164.308(a)(1)(ii)(B)",
            "164.308(a)(3)(ii)(A)",
            "164.316(b)(1)",
        ),
        mcsb=("AM-1", "GS-1"),
        remediation=(
            "Set the deployment's governance metadata so it carries the tags hlz-use-case, "
            "hlz-risk-tier (minimal | limited | high), hlz-approval-reference (e.g. "
            "AIGB-2026-014), hlz-approval-expires (YYYY-MM-DD, last valid day), "
            "hlz-accountable-owner and hlz-processes-phi (true | false)."
        ),
        url=f"{_AI_DOCS}/responsible-use-of-ai-overview",
        phi_protecting=False,
        resource_types=DEPLOYMENT,
        check=check_governance_record,
    ),
    ResourceRule(
        id="cognitiveservices-deployment-disallow-expired-approval",
        description=(
            "Model deployments are not used past the expiry date of their AI governance approval."
        ),
        rationale=(
            "An approval records a risk assessment at a point in time; models, prompts and use "
            "cases drift, so the assessment must be repeated before the approval lapses."
        ),
        severity=Severity.HIGH,
        hipaa=("164.308(a)(8)", "164.308(a)(1)(ii)(B)", "164.308(a)(3)(ii)(A)"),
        remediation=(
            "Renew the approval with the AI governance board and update the deployment's "
            "hlz-approval-reference and hlz-approval-expires tags, or remove the deployment."
        ),
        url=f"{_AI_DOCS}/responsible-use-of-ai-overview",
        phi_protecting=False,
        resource_types=DEPLOYMENT,
        check=check_approval_not_expired,
    ),
    StackRule(
        id="cognitiveservices-deployment-require-strict-filter-for-high-risk",
        description=(
            "High-risk model deployments use a custom content filter of the stack that blocks "
            "every harm category on prompts and completions at Low or Medium severity and blocks "
            "jailbreak attempts."
        ),
        rationale=(
            "A high-risk use case (e.g. clinical summaries) needs filtering strict enough to stop "
            "harmful output and prompt attacks that could extract ePHI; a built-in or external "
            "policy cannot be verified before deployment."
        ),
        severity=Severity.HIGH,
        hipaa=("164.308(a)(1)(ii)(B)", "164.306(a)(2)"),
        remediation=(
            "Define an azure-native:cognitiveservices:RaiPolicy on the same account with "
            "contentFilters {name: Hate | Sexual | Violence | Selfharm, source: Prompt and "
            "Completion, severityThreshold: Low or Medium, blocking: true, enabled: true} and "
            "{name: Jailbreak, blocking: true, enabled: true}, mode Blocking, and set the "
            "deployment's properties.raiPolicyName to it."
        ),
        url=f"{_AI_DOCS}/openai/how-to/content-filters",
        phi_protecting=False,
        resource_types=DEPLOYMENT,
        check=check_strict_filter_for_high_risk,
    ),
)
