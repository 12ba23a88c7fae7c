"""The ``hlz`` command line. Exit codes: 0 ok, 1 policy violations, 2 usage or configuration
error (nothing planned), 3 unexpected failure of the program being planned."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from components.errors import ConfigError
from hlz import __version__
from hlz.engine import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID
from hlz.stackfiles import available_stacks, load_stack_file

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_PROGRAM_FAILED = 3


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hlz",
        description="Offline tooling for the hlz HIPAA-aligned Azure landing zone.",
    )
    parser.add_argument("--version", action="version", version=f"hlz {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    plan = commands.add_parser(
        "plan",
        help="plan stacks offline under Pulumi mocks (no credentials, no Pulumi CLI)",
        description=(
            "Run the real stack program under Pulumi mocks and print what it would create. "
            "STACK names a Pulumi.<STACK>.yaml at the project root."
        ),
    )
    plan.add_argument("stacks", nargs="*", metavar="STACK", help="stack names (default with --all)")
    plan.add_argument("--all", action="store_true", help="plan every Pulumi.<stack>.yaml")
    plan.add_argument("--json", type=Path, metavar="PATH", help="write the plan JSON (one stack)")
    plan.add_argument(
        "--out-dir", type=Path, metavar="DIR", help="write DIR/<stack>.plan.json for each stack"
    )
    plan.add_argument(
        "--stack-file",
        type=Path,
        metavar="PATH",
        help="read the stack's config from PATH instead of Pulumi.<STACK>.yaml (one stack)",
    )
    plan.add_argument(
        "--subscription-id",
        default=DEFAULT_SUBSCRIPTION_ID,
        help="fake subscription id for ARM ids",
    )
    plan.add_argument("--tenant-id", default=DEFAULT_TENANT_ID, help="fake Entra tenant id")
    plan.add_argument("--quiet", action="store_true", help="print only the one-line result")

    stacks = commands.add_parser("stacks", help="list the stacks (Pulumi.<stack>.yaml files)")
    stacks.set_defaults(command="stacks")
    return parser


def _plan(args: argparse.Namespace) -> int:
    from hlz.plan import Plan, plan_stack, summary_text

    names: list[str] = list(args.stacks)
    if args.all:
        names = names or available_stacks()
    if not names:
        raise UsageError("name at least one STACK, or use --all")
    if args.json is not None and len(names) != 1:
        raise UsageError("--json takes a single stack; use --out-dir for several")
    if args.stack_file is not None and len(names) != 1:
        raise UsageError("--stack-file takes a single stack")

    planned: dict[str, Plan] = {}
    for name in names:
        started = time.perf_counter()
        print(f"Planning {name} ...", file=sys.stderr, flush=True)
        stack_file = load_stack_file(name, path=args.stack_file) if args.stack_file else None
        plan = planned.get(name) or plan_stack(
            name,
            subscription_id=args.subscription_id,
            tenant_id=args.tenant_id,
            stack_file=stack_file,
            _planned=planned,
        )
        planned[name] = plan
        elapsed = time.perf_counter() - started
        if args.quiet:
            print(f"{name}: {len(plan.custom_resources)} resources planned in {elapsed:.1f}s")
        else:
            print(summary_text(plan))
            print(f"  planned in {elapsed:.1f}s\n")
        if args.json is not None:
            plan.write_json(args.json)
            print(f"Wrote {args.json}", file=sys.stderr)
        if args.out_dir is not None:
            path = args.out_dir / f"{name}.plan.json"
            plan.write_json(path)
            print(f"Wrote {path}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            return _plan(args)
        if args.command == "stacks":
            for name in available_stacks():
                print(name)
            return EXIT_OK
        parser.print_help()
        return EXIT_USAGE
    except UsageError as error:
        print(f"hlz: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as error:
        print(f"hlz: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - report any program failure with its type
        print(f"hlz: the stack program failed: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_PROGRAM_FAILED


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
