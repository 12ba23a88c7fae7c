"""apim-diagnostic-restrict-body-logging: a compliant diagnostic (no body bytes) and one mutation
per failure mode -- bodies on a shared logger, bodies on azuremonitor without the service's
hlz-override-body-logging tag, with it, with it expired -- plus not-applicable and unknown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from policy_cases import APIM_DIAGNOSTIC, APIM_SERVICE, COMPLIANT, DELETE, mutate
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from test_policy_stack_rules import _reasons, res

from policies.evaluation import evaluate_stack
from policies.model import Compliant, NonCompliant, NotApplicable, StackRule, Undetermined
from policies.registry import STACK_RULES
from policies.rules.ai_governance import EVALUATION_DATE

RULE: StackRule = next(r for r in STACK_RULES if r.id == "apim-diagnostic-restrict-body-logging")
TAG = "hlz-override-body-logging"
EVALUATION_DAY = dt.date(2026, 6, 15)
REASON = "Clinical QA review of prompts, ticket PHI-114, workspace approved by the privacy office"
AZURE_MONITOR = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/gw"
BODIES = {
    (side, message, "body", "bytes"): 8192
    for side in ("frontend", "backend")
    for message in ("request", "response")
}


@pytest.fixture(autouse=True)
def evaluation_day() -> Iterator[None]:
    """Expiries are judged against the evaluation day; fix it so the test never ages."""
    token = EVALUATION_DATE.set(EVALUATION_DAY)
    yield
    EVALUATION_DATE.reset(token)


def _service(tag: str | None = None, name: str = "gw") -> Any:
    props = COMPLIANT[APIM_SERVICE]
    if tag is not None:
        props = mutate(props, {("tags", TAG): tag})
    return res(APIM_SERVICE, name, props)


def _diagnostic(service: Any, changes: dict[Any, Any], name: str = "gw-diag") -> Any:
    return res(
        APIM_DIAGNOSTIC,
        name,
        mutate(COMPLIANT[APIM_DIAGNOSTIC], changes),
        deps={"serviceName": [service]},
    )


def _azure_monitor_bodies(service: Any) -> Any:
    return _diagnostic(
        service,
        {
            "diagnosticId": "azuremonitor",
            "loggerId": f"{AZURE_MONITOR}/loggers/azuremonitor",
            **BODIES,
        },
    )


def _outcome(*resources: Any) -> Any:
    diagnostic = resources[-1]
    return evaluate_stack(RULE, list(resources))[diagnostic.urn]


def test_diagnostic_without_bodies_is_compliant() -> None:
    service = _service()
    assert _outcome(service, _diagnostic(service, {})) == Compliant()


def test_diagnostic_with_body_bytes_left_out_is_compliant() -> None:
    service = _service()
    absent = {("frontend",): DELETE, ("backend", "request", "body"): DELETE}
    assert _outcome(service, _diagnostic(service, absent)) == Compliant()


def test_bodies_to_application_insights_fail_even_with_the_override_tag() -> None:
    """The switch routes bodies through the resource logs only: the tag waives nothing else."""
    service = _service(tag=f"{REASON} (expires 2026-06-30)")
    outcome = _outcome(service, _diagnostic(service, BODIES))
    reasons = _reasons(outcome)
    assert "frontend.request.body.bytes is 8192" in reasons
    assert "backend.response.body.bytes is 8192" in reasons
    assert "on a logger that is not the service's azuremonitor logger" in reasons
    assert "set every body's bytes to 0 on this diagnostic" in reasons


def test_one_body_byte_on_a_shared_logger_fails() -> None:
    service = _service()
    outcome = _outcome(service, _diagnostic(service, {("backend", "response", "body", "bytes"): 1}))
    assert "backend.response.body.bytes is 1 on a logger that is not" in _reasons(outcome)


def test_bodies_to_azure_monitor_without_the_tag_fail() -> None:
    service = _service()
    reasons = _reasons(_outcome(service, _azure_monitor_bodies(service)))
    assert "prompts and completions (ePHI) go to the service's resource logs" in reasons
    assert f"record the decision with the service's tag {TAG}" in reasons


def test_bodies_to_azure_monitor_with_the_services_tag_are_visibly_waived() -> None:
    service = _service(tag=f"{REASON} (expires 2026-06-30)")
    outcome = _outcome(service, _azure_monitor_bodies(service))
    assert isinstance(outcome, NotApplicable)
    assert outcome.reason.startswith(f"overridden by tag {TAG}: {REASON}")


def test_bodies_to_azure_monitor_with_an_expired_tag_fail() -> None:
    service = _service(tag=f"{REASON} (expires 2026-06-14)")
    reasons = _reasons(_outcome(service, _azure_monitor_bodies(service)))
    assert f"the override in tag {TAG} expired on 2026-06-14" in reasons
    assert "(the evaluation day is 2026-06-15)" in reasons


def test_tag_without_a_real_reason_waives_nothing() -> None:
    service = _service(tag="ok (expires 2026-06-30)")
    outcome = _outcome(service, _azure_monitor_bodies(service))
    assert isinstance(outcome, NonCompliant)
    assert f"tag {TAG} must give a reason" in _reasons(outcome)


def test_another_services_tag_waives_nothing() -> None:
    tagged = _service(tag=f"{REASON} (expires 2026-06-30)", name="gw-approved")
    service = _service()
    outcome = _outcome(tagged, service, _azure_monitor_bodies(service))
    assert isinstance(outcome, NonCompliant)


def test_only_diagnostics_are_judged() -> None:
    service = _service()
    assert evaluate_stack(RULE, [service]) == {}


def test_unknown_body_bytes_are_undetermined() -> None:
    service = _service()
    diagnostic = _diagnostic(
        service, {("frontend", "request", "body", "bytes"): UNKNOWN_STRING_VALUE}
    )
    assert isinstance(_outcome(service, diagnostic), Undetermined)
