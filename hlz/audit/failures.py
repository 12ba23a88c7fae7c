"""What the user reads when Azure could not be read (exit 4): what failed, at which request,
and the fix. No traceback: a partial audit is not reported at all (it would read as a clean
one)."""

from __future__ import annotations

import re

from hlz.audit.expected import Expectations
from hlz.preflight.arm import ArmError, ResponseTooLarge, UnexpectedResponse
from hlz.preflight.deadline import DeadlineExceeded
from hlz.render.text import printable

READER_ROLE = "Reader"
"""The built-in role that covers every GET the audit makes (``*/read``)."""
_GROUP = re.compile(r"^/subscriptions/[^/]+/resourceGroups/([^/]+)", re.IGNORECASE)


def _group_scope(path: str, expectations: Expectations) -> str:
    """The resource group a denied read was in (or the stack's first), as a role scope."""
    match = _GROUP.match(path)
    group = match.group(1) if match else None
    group = group or (expectations.resource_groups[0] if expectations.resource_groups else None)
    subscription = f"/subscriptions/{expectations.subscription_id}"
    return f"{subscription}/resourceGroups/{group}" if group else subscription


def failure_message(
    error: Exception, expectations: Expectations, scope: str, *, replay: bool = False
) -> str:
    """``hlz: error: ...`` and a ``fix:`` line for an ``ArmError``, ``UnexpectedResponse`` or
    ``DeadlineExceeded`` that stopped the reads."""
    lines: list[str]
    if isinstance(error, DeadlineExceeded):
        lines = [
            f"hlz: error: Azure could not be read in time: {error}",
            "  fix: re-run later, or with a longer --timeout; nothing is reported from a "
            "partial read",
        ]
    elif isinstance(error, ArmError):
        lines = _arm_error(error, expectations, scope)
    elif isinstance(error, ResponseTooLarge):
        lines = [
            f"hlz: error: {error.reason}",
            "  fix: check that --arm-endpoint is Azure Resource Manager (or a proxy that passes "
            "its answers through unchanged)",
        ]
    elif isinstance(error, UnexpectedResponse):
        fix = (
            "  fix: correct the recorded answer (an ARM resource is a JSON object with 'id' and "
            "'properties'; a listing one with a 'value' list)"
            if replay
            else "  fix: check that --arm-endpoint is Azure Resource Manager; re-run, and if it "
            "persists report it with this message"
        )
        lines = [f"hlz: error: unexpected answer to GET {error.path}: {error.reason}", fix]
    else:
        lines = [f"hlz: error: {type(error).__name__}: {error}"]
    lines.append("hlz: audit incomplete: nothing is reported (exit 4)")
    return "\n".join(printable(line) for line in lines)


def _arm_error(error: ArmError, expectations: Expectations, scope: str) -> list[str]:
    code = f"HTTP {error.status} {error.code}" if error.status is not None else error.code
    if error.status == 401 or error.code == "TokenUnavailable":
        return [
            f"hlz: error: not signed in, or Azure refused the token ({code}) at GET "
            f"{error.path}: {error.message}",
            f"  fix: sign in with `az login` (or the AZURE_* variables of a service principal) "
            f"for a token for {scope}, then re-run",
        ]
    if error.status == 403:
        role_scope = _group_scope(error.path, expectations)
        return [
            f"hlz: error: permission denied ({code}): the signed-in identity may not perform "
            f"{error.action} (GET {error.path})",
            f"  fix: hlz audit only reads; the built-in role {READER_ROLE} on the stack's "
            f"resource groups covers every read: az role assignment create --assignee "
            f"<your object id> --role {READER_ROLE} --scope {role_scope}",
        ]
    if error.status is None:
        return [
            f"hlz: error: Azure could not be reached: {error.message}",
            "  fix: check the network path to ARM (HTTPS_PROXY / NO_PROXY, firewall) and "
            "--arm-endpoint",
        ]
    retried = f" after {error.retries} retries" if error.retries else ""
    fix = (
        "  fix: ARM is throttling this identity: wait a few minutes and re-run"
        if error.status == 429
        else "  fix: re-run later; if it persists, check Azure status and quote the request"
    )
    return [f"hlz: error: GET {error.path} answered {code}{retried}: {error.message}", fix]
