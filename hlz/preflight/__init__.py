"""``hlz preflight STACK``: read-only checks against a live subscription before deploying.

Signed in, subscription enabled, role sufficient, providers registered, no soft-deleted name
collisions, Azure OpenAI quota and model/region availability. See docs/preflight.md.

This module stays light (argparse only) so ``hlz --help`` does not import azure-core; the
checks load when the command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hlz.preflight.defaults import DEFAULT_ARM_ENDPOINT, DEFAULT_ARM_SCOPE

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from hlz.preflight.report import CheckResult

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID"


class PreflightUsageError(Exception):
    pass


def add_preflight_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``preflight`` to the ``hlz`` command's subparsers."""
    preflight = subparsers.add_parser(
        "preflight",
        help="check a live subscription is ready for a stack (read-only)",
        description=(
            "Before `pulumi up`: check, read-only, that you are signed in, the subscription "
            "is enabled, your role can deploy the stack (including role assignments), the "
            "resource providers are registered, no soft-deleted Key Vault or Cognitive "
            "Services account holds the stack's names, and, for AI-lab stacks, that the "
            "region offers the configured models and Health Data Services with enough Azure "
            "OpenAI quota. Signs in with DefaultAzureCredential (az login, environment "
            "variables, managed identity, ...)."
        ),
        epilog="Exit codes: 0 every check ok or warn, 1 a check failed, 2 usage or "
        "configuration error.",
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
        "--json",
        action="store_true",
        help="print a JSON list of {check, status, detail, fix} on stdout (progress on stderr)",
    )


def run_preflight(
    args: argparse.Namespace,
    *,
    credential: TokenCredential | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``hlz preflight``; returns the exit code. ``credential`` and ``sleep`` are seams
    for tests (default: DefaultAzureCredential, real waits)."""
    from components.errors import ConfigError
    from hlz.preflight.arm import EndpointError
    from hlz.preflight.checks import build_preflight
    from hlz.preflight.report import exit_code, json_document, result_lines, summary_line
    from hlz.preflight.target import stack_target
    from hlz.stackfiles import load_stack_file

    owned = None
    try:
        subscription_id = args.subscription_id or os.environ.get(SUBSCRIPTION_ENV)
        if not subscription_id:
            raise PreflightUsageError(
                f"name the subscription with --subscription-id or ${SUBSCRIPTION_ENV}"
            )
        target = stack_target(load_stack_file(args.stack, path=args.stack_file))
        if credential is None:
            import logging

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
        )
    except (PreflightUsageError, EndpointError) as error:
        print(f"hlz: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as error:
        print(f"hlz: {error}", file=sys.stderr)
        return EXIT_USAGE

    progress = sys.stderr if args.json else sys.stdout
    print(
        f"Preflight for {target.stack} ({target.layer}, {target.location}) in subscription "
        f"{subscription_id} via {preflight.client.endpoint}",
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
