"""``hlz preflight STACK``: read-only checks against a live subscription before deploying.

Signed in, subscription enabled, role sufficient, providers registered, no soft-deleted name
collisions, Azure OpenAI quota and model/region availability. See docs/preflight.md.

This module stays light (argparse only) so ``hlz --help`` does not import azure-core; the
checks load when the command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hlz.preflight.defaults import (
    DEFAULT_ARM_ENDPOINT,
    DEFAULT_ARM_SCOPE,
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
)
from hlz.render.text import printable
from policies.vocabulary import GUID

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from hlz.plan import Planner
    from hlz.preflight.report import CheckResult


EXIT_USAGE = 2
EXIT_PROGRAM_FAILED = 3
SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID"


def add_preflight_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``preflight`` to the ``hlz`` command's subparsers."""
    preflight = subparsers.add_parser(
        "preflight",
        help="check a live subscription is ready for a stack (read-only)",
        description=(
            "Before `pulumi up`: check, read-only, that you are signed in, the subscription "
            "is enabled, your role can deploy the stack (including role assignments), the "
            "resource providers are registered, no soft-deleted Key Vault or Cognitive "
            "Services account holds the stack's names, and, when the stack deploys them, that "
            "the region offers its models and Health Data Services with enough Azure OpenAI "
            "quota. What to check is read off the stack's offline plan (as `hlz plan` makes "
            "it). Signs in with DefaultAzureCredential (az login, environment variables, "
            "managed identity, ...)."
        ),
        epilog="Exit codes: 0 every check ok or warn, 1 a check failed or the --timeout "
        "deadline cut the run short, 2 usage or configuration error, 3 the stack program "
        "failed while planning the stack offline.",
    )
    preflight.add_argument("stack", metavar="STACK", help="stack name (Pulumi.<STACK>.yaml)")
    preflight.add_argument(
        "--subscription-id",
        metavar="ID",
        help=f"subscription to check (default: ${SUBSCRIPTION_ENV}; one of them is required)",
    )
    preflight.add_argument(
        "--arm-endpoint",
        default=DEFAULT_ARM_ENDPOINT,
        metavar="URL",
        help=f"Azure Resource Manager endpoint (default: {DEFAULT_ARM_ENDPOINT}); https only, "
        "except http://127.0.0.1 or localhost for tests and emulators",
    )
    preflight.add_argument(
        "--arm-scope",
        default=DEFAULT_ARM_SCOPE,
        metavar="SCOPE",
        help=f"token scope for ARM (default: {DEFAULT_ARM_SCOPE}; change it with the "
        "endpoint for a sovereign cloud)",
    )
    preflight.add_argument(
        "--stack-file",
        type=Path,
        metavar="PATH",
        help="read the stack's config from PATH instead of Pulumi.<STACK>.yaml",
    )
    preflight.add_argument(
        "--timeout",
        default=f"{DEFAULT_TIMEOUT:g}",
        metavar="SECONDS",
        help=f"seconds the whole run may take, retries and their waits included (default "
        f"{DEFAULT_TIMEOUT:g}, at most {MAX_TIMEOUT:g}); checks it leaves no time for are "
        "reported as not run",
    )
    preflight.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list of {check, status, detail, fix} on stdout (progress on stderr)",
    )


def _subscription_id(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The subscription id and the usage problems with it."""
    if args.subscription_id:
        value, key = args.subscription_id, "--subscription-id"
    else:
        value, key = os.environ.get(SUBSCRIPTION_ENV, ""), f"${SUBSCRIPTION_ENV}"
    if not value:
        return "", [f"name the subscription with --subscription-id or ${SUBSCRIPTION_ENV}"]
    # A subscription id is a GUID; anything else would only reshape the URLs it goes into.
    if not GUID.fullmatch(value):
        return value, [
            f"{key} {value!r} is not a subscription id (a GUID such as "
            "11111111-2222-3333-4444-555555555555; `az account list -o table` lists yours)"
        ]
    return value, []


def _timeout(value: str) -> tuple[float, list[str]]:
    """``--timeout`` in seconds and the usage problems with it."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:  # also false for nan
        return DEFAULT_TIMEOUT, [
            f"--timeout {value!r}: give the seconds preflight may take in all, more than 0 "
            f"and at most {MAX_TIMEOUT:g} (default {DEFAULT_TIMEOUT:g})"
        ]
    return seconds, []


def run_preflight(
    args: argparse.Namespace,
    *,
    credential: TokenCredential | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    planner: Planner | None = None,
    today: dt.date | None = None,
) -> int:
    """Run ``hlz preflight``; returns the exit code. ``credential``, ``sleep``, ``clock``,
    ``planner`` and ``today`` are seams for tests (default: DefaultAzureCredential, real waits,
    the monotonic clock that the --timeout deadline runs on, a planner of its own for the
    offline plan that says what to check, the UTC day)."""
    from components.errors import ConfigError
    from hlz.preflight.arm import EndpointError, checked_endpoint
    from hlz.preflight.checks import build_preflight
    from hlz.preflight.report import exit_code, json_document, result_lines, summary_line
    from hlz.preflight.target import stack_target
    from hlz.stackfiles import load_stack_file

    # Every usage and config problem at once, before any credential is asked for.
    subscription_id, problems = _subscription_id(args)
    timeout, timeout_problems = _timeout(str(args.timeout))
    problems += timeout_problems
    try:
        checked_endpoint(args.arm_endpoint)
    except EndpointError as error:
        problems.append(str(error))
    messages = [f"hlz: error: {problem}" for problem in problems]
    target = None
    try:
        # What to check is read off the stack's offline plan (nothing is sent anywhere).
        target = stack_target(load_stack_file(args.stack, path=args.stack_file), planner=planner)
    except ConfigError as error:
        messages.append(f"hlz: {error}")  # as every hlz command prints a config error
    except Exception as error:  # noqa: BLE001 - as `hlz plan` reports a failing program
        messages.append(f"hlz: the stack program failed: {type(error).__name__}: {error}")
        print("\n".join(messages), file=sys.stderr)
        return EXIT_PROGRAM_FAILED
    if messages or target is None:
        print("\n".join(messages), file=sys.stderr)
        return EXIT_USAGE

    import logging

    # A read cut short is retried and, if it stays broken, reported by its check with the fix;
    # azure-core's own warning about it ("Incomplete download.") would only repeat it.
    logging.getLogger("azure.core.pipeline.transport").setLevel(logging.ERROR)
    owned = None
    try:
        if credential is None:
            from azure.identity import DefaultAzureCredential

            # Each credential it tries logs its own failure; the signed-in check reports the
            # outcome once, with the fix, so that chatter would only bury it.
            logging.getLogger("azure.identity").setLevel(logging.ERROR)
            credential = owned = DefaultAzureCredential()
        preflight = build_preflight(
            target,
            subscription_id,
            credential,
            arm_endpoint=args.arm_endpoint,
            scope=args.arm_scope,
            sleep=sleep,
            timeout=timeout,
            clock=clock,
            today=today,
        )
    except EndpointError as error:  # checked above; kept so no path ends in a traceback
        print(f"hlz: error: {error}", file=sys.stderr)
        return EXIT_USAGE

    progress = sys.stderr if args.json else sys.stdout
    print(
        printable(
            f"Preflight for {target.stack} ({target.layer}, {target.location}) in subscription "
            f"{subscription_id} via {preflight.client.endpoint}, {timeout:g} s at most"
        ),
        file=sys.stderr,
        flush=True,
    )

    def show(result: CheckResult) -> None:
        for line in result_lines(result):
            print(line, file=progress, flush=True)

    try:
        results = preflight.run(show)
    finally:
        preflight.client.close()
        if owned is not None:
            owned.close()
    print(summary_line(results), file=progress, flush=True)
    if args.json:
        sys.stdout.write(json_document(results))
        sys.stdout.flush()
    return exit_code(results)


__all__ = ["add_preflight_parser", "run_preflight"]
