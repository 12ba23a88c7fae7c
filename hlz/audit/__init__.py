"""``hlz audit STACK``: a live, read-only audit of a deployed stack against Azure Resource Manager.

Reads every resource the stack's plan deploys, and the resource groups it creates, from ARM;
reports drift from the plan, resources missing from Azure, resources in the groups the plan
does not have, and the policy pack's verdict on what is deployed. See docs/audit.md.

This module stays light (argparse only) so ``hlz --help`` does not import azure-core; the audit
loads when the command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hlz.preflight import SUBSCRIPTION_ENV, _subscription_id, _timeout
from hlz.preflight.defaults import (
    DEFAULT_ARM_ENDPOINT,
    DEFAULT_ARM_SCOPE,
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
)
from hlz.stack_plans import ProgramFailed, planned_document, read_saved_plan

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from hlz.audit.expected import Expectations
    from hlz.audit.read import ReplayReader
    from hlz.audit.run import AuditResult
    from hlz.plan import Planner
    from policies.exemptions import Exemption

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PROGRAM_FAILED = 3
EXIT_AZURE = 4
PROGRESS_EVERY = 25
"""Resources between two progress lines on stderr."""

EXIT_CODES = (
    "Exit codes: 0 the deployment matches the plan and the pack finds no mandatory violation; "
    "1 drift, a missing or an unmanaged resource, or a mandatory violation; 2 usage or "
    "configuration error (a subscription id that is not a GUID, an endpoint a token must not be "
    "sent to, an unknown stack, invalid config, an unreadable --plan or exemptions file), "
    "nothing read; 3 the stack program failed while the stack was planned; 4 Azure could not "
    "be read (not signed in, 401 or 403 - the message names the action denied, unreachable, "
    "an answer that is not ARM's, throttled past the retries, the --timeout deadline)."
)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def add_audit_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``audit`` to the ``hlz`` command's subparsers."""
    audit = subparsers.add_parser(
        "audit",
        help="compare a deployed stack with its plan and the policy pack (read-only)",
        description=(
            "After `pulumi up`: read, with GET requests only, every resource the stack's plan "
            "deploys and every resource in the resource groups it creates from Azure Resource "
            "Manager, and report drift (a property that differs from the plan: planned vs "
            "deployed), planned resources that are missing, resources the plan does not have "
            "(unmanaged), and the policy pack's violations on what is deployed, judged as "
            "`hlz check` judges a plan. Signs in with DefaultAzureCredential (az login, "
            "environment variables, managed identity, ...) and needs only Reader on the "
            "stack's resource groups; --replay answers from recorded ARM answers instead "
            "(offline, no sign-in)."
        ),
        epilog=EXIT_CODES,
    )
    audit.add_argument("stack", metavar="STACK", help="stack name (Pulumi.<STACK>.yaml)")
    audit.add_argument(
        "--subscription-id",
        metavar="ID",
        help=f"subscription the stack is deployed in (default: ${SUBSCRIPTION_ENV}; with "
        "--replay, the one subscription the recording holds)",
    )
    audit.add_argument(
        "--arm-endpoint",
        default=DEFAULT_ARM_ENDPOINT,
        metavar="URL",
        help=f"Azure Resource Manager endpoint (default: {DEFAULT_ARM_ENDPOINT}); https only, "
        "except http://127.0.0.1 or localhost for tests and emulators",
    )
    audit.add_argument(
        "--arm-scope",
        default=DEFAULT_ARM_SCOPE,
        metavar="SCOPE",
        help=f"token scope for ARM (default: {DEFAULT_ARM_SCOPE})",
    )
    audit.add_argument(
        "--stack-file",
        type=Path,
        metavar="PATH",
        help="read the stack's config from PATH instead of Pulumi.<STACK>.yaml",
    )
    audit.add_argument(
        "--plan",
        type=Path,
        metavar="PLAN.json",
        help="compare with this saved `hlz plan --json` plan of STACK instead of planning it",
    )
    audit.add_argument(
        "--replay",
        type=Path,
        metavar="DIR",
        help="answer every GET from recorded ARM answers, DIR/<request path>.json (no file: "
        "404), instead of the network; no credential is asked for",
    )
    audit.add_argument(
        "--timeout",
        default=f"{DEFAULT_TIMEOUT:g}",
        metavar="SECONDS",
        help=f"seconds the reads may take in all, retries and their waits included (default "
        f"{DEFAULT_TIMEOUT:g}, at most {MAX_TIMEOUT:g})",
    )
    for option, what in (
        ("--json", "the audit as JSON (drift, missing, unmanaged, policy; docs/audit.md)"),
        ("--sarif", "SARIF 2.1.0: violations as `hlz check` writes them, plus drift, missing "
         "and unmanaged resources as results of rules hlz-audit-*"),
        ("--markdown", "a Markdown report"),
    ):
        audit.add_argument(option, type=Path, metavar="PATH", help=f"write {what} to PATH")
    audit.add_argument(
        "--exemptions",
        type=Path,
        metavar="PATH",
        help="exemptions file (default: policies/exemptions.yaml)",
    )
    audit.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        help="judge as of this day (exemption and override expiry); default: today",
    )
    audit.add_argument("--quiet", action="store_true", help="print only the verdict line")
    audit.set_defaults(func=run_audit)


def run_audit(
    args: argparse.Namespace,
    *,
    credential: TokenCredential | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    planner: Planner | None = None,
) -> int:
    """Run ``hlz audit``; returns the exit code. ``credential``, ``sleep``, ``clock`` and
    ``planner`` are seams for tests (default: DefaultAzureCredential, real waits, the monotonic
    clock of the --timeout deadline, a planner of its own)."""
    from components.errors import ConfigError
    from hlz.audit.read import ReplayReader
    from hlz.preflight.arm import EndpointError, checked_endpoint
    from policies.clock import utc_today
    from policies.exemptions import ExemptionError

    problems: list[str] = []
    replay: ReplayReader | None = None
    if args.replay is not None:
        if not args.replay.is_dir():
            problems.append(f"--replay {args.replay}: not a directory of recorded ARM answers")
        else:
            replay = ReplayReader(args.replay)
    subscription_id, subscription_problems = _subscription_id(args)
    if replay is not None:
        recorded = replay.subscriptions()
        if not args.subscription_id and subscription_problems and len(recorded) == 1:
            subscription_id, subscription_problems = recorded[0], []
        elif not subscription_problems and subscription_id.lower() not in recorded:
            subscription_problems = [
                f"--replay {args.replay} holds no answers for subscription {subscription_id} "
                f"(it has: {', '.join(recorded) or 'none'})"
            ]
    problems += subscription_problems
    timeout, timeout_problems = _timeout(str(args.timeout))
    problems += timeout_problems
    try:
        checked_endpoint(args.arm_endpoint)
    except EndpointError as error:
        problems.append(str(error))
    if args.plan is not None and args.stack_file is not None:
        problems.append("--plan and --stack-file: give one (a saved plan was made from its file)")
    today = args.today or utc_today()
    messages = [f"hlz: error: {problem}" for problem in problems]
    exemptions = None
    try:
        from hlz.policy_check import load_project_exemptions

        exemptions = load_project_exemptions(args.exemptions, today)
    except (ConfigError, ExemptionError) as error:
        messages.append(f"hlz: {error}")
    document = None
    try:
        document = _plan_document(args, planner)
    except ConfigError as error:
        messages.append(f"hlz: {error}")
    except ProgramFailed as failure:
        messages.append(f"hlz: the stack program failed: {failure}")
        print("\n".join(messages), file=sys.stderr)
        return EXIT_PROGRAM_FAILED
    if messages or document is None or exemptions is None:
        print("\n".join(messages), file=sys.stderr)
        return EXIT_USAGE

    from hlz.audit.expected import expected_resources

    expectations = expected_resources(document, subscription_id)
    return _audit(args, expectations, replay, exemptions, today, timeout, credential, sleep, clock)


def _plan_document(args: argparse.Namespace, planner: Planner | None) -> dict[str, Any]:
    """The plan the audit compares with: ``--plan`` (a plan of the stack written by ``hlz plan
    --json``, not a --preview one: the audit reads resource ids), or the stack planned offline
    as ``hlz plan`` plans it. Raises ConfigError (exit 2) or ProgramFailed (exit 3)."""
    from hlz.stackfiles import check_stack_names

    if args.plan is not None:
        check_stack_names([args.stack])
        return read_saved_plan(args.plan, args.stack, plan_only=True)
    return planned_document(args.stack, args.stack_file, planner)


def _audit(
    args: argparse.Namespace,
    expectations: Expectations,
    replay: ReplayReader | None,
    exemptions: list[Exemption],
    today: dt.date,
    timeout: float,
    credential: TokenCredential | None,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> int:
    import logging

    from hlz.audit.failures import failure_message
    from hlz.audit.run import judge, read
    from hlz.preflight.arm import ArmClient, ArmError, UnexpectedResponse
    from hlz.preflight.deadline import Deadline, DeadlineExceeded
    from hlz.render.text import plural, printable

    deadline = Deadline(timeout, clock)
    owned = None
    reader: ReplayReader | ArmClient
    if replay is not None:
        reader = replay
        source = f"replay of {args.replay}"
    else:
        # Retries are reported once, with the fix; azure-core's own warnings would repeat them.
        logging.getLogger("azure.core.pipeline.transport").setLevel(logging.ERROR)
        if credential is None:
            from azure.identity import DefaultAzureCredential

            logging.getLogger("azure.identity").setLevel(logging.ERROR)
            credential = owned = DefaultAzureCredential()
        reader = ArmClient(
            credential,
            endpoint=args.arm_endpoint,
            scope=args.arm_scope,
            sleep=sleep,
            deadline=deadline,
            tool="audit",
        )
        source = reader.endpoint
    print(
        printable(
            f"Auditing {expectations.stack} in subscription {expectations.subscription_id} "
            f"({source}): {len(expectations.resources)} planned resources, "
            f"{plural(len(expectations.resource_groups), 'resource group')} to list, "
            f"{timeout:g} s at most"
        ),
        file=sys.stderr,
        flush=True,
    )

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            print(f"  read {done} of {total} resources", file=sys.stderr, flush=True)

    def waiting_for() -> str:
        path = reader.in_flight
        return f"GET {path}" if path else "the audit's reads"

    try:
        observation = deadline.call(lambda: read(expectations, reader, progress), waiting_for)
    except (ArmError, UnexpectedResponse, DeadlineExceeded) as error:
        print(
            failure_message(error, expectations, args.arm_scope, replay=replay is not None),
            file=sys.stderr,
        )
        return EXIT_AZURE
    finally:
        reader.close()
        if owned is not None:
            owned.close()
    result = judge(expectations, observation, source=source, exemptions=exemptions, today=today)
    _report(result, args)
    return EXIT_FINDINGS if result.fails else EXIT_OK


def _report(result: AuditResult, args: argparse.Namespace) -> None:
    from hlz.audit import report

    print(report.text(result, quiet=args.quiet))
    for path, render in (
        (args.json, report.json_text),
        (args.sarif, report.sarif_text),
        (args.markdown, report.markdown),
    ):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(result))
            print(f"Wrote {path}", file=sys.stderr)


__all__ = ["EXIT_AZURE", "add_audit_parser", "run_audit"]
