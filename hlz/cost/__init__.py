"""``hlz cost STACK``: the monthly cost of a stack's plan, per resource, per top-level component
and in total, from the checked-in, dated price table (``hlz/cost/prices.json``, Azure Retail
Prices API items) and the usage assumptions of the stack's ``hlz:cost`` config; with a base
plan, the difference per component (a pull request against its base branch). docs/cost.md.

This module stays light (argparse only): the planner, pydantic and the price table load when
the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hlz.stack_plans import ProgramFailed, planned_document, read_saved_plan

if TYPE_CHECKING:
    from hlz.cost.assumptions import CostAssumptions
    from hlz.cost.estimate import Comparison, Estimate
    from hlz.cost.table import PriceTable
    from hlz.plan import Planner

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_PROGRAM_FAILED = 3

EXIT_CODES = (
    "Exit codes: 0 the estimate was made (charges without a price are listed, not an error); "
    "2 usage or configuration error (an unknown stack, invalid hlz:cost, an unreadable plan, "
    "base plan or price table), nothing priced; 3 the stack program failed while the stack "
    "was planned."
)


def add_cost_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``cost`` to the ``hlz`` command's subparsers."""
    cost = subparsers.add_parser(
        "cost",
        help="estimate a stack's monthly cost from its plan (offline, dated price table)",
        description=(
            "Plan STACK offline (or read --plan) and price every resource it creates from the "
            "checked-in Azure Retail Prices table (hlz/cost/prices.json, dated): fixed charges "
            "per hour or month, usage charges from the stack's hlz:cost assumptions (each line "
            "names the key it used). Prints each charge per top-level component and the total; "
            "a charge the table has no price for is listed as unknown, never counted as zero. "
            "With --base or --base-dir, also the difference from that plan per component."
        ),
        epilog=EXIT_CODES + " --json prints the estimate as JSON (docs/cost.md#json).",
    )
    cost.add_argument("stack", metavar="STACK", help="stack name (Pulumi.<STACK>.yaml)")
    cost.add_argument(
        "--plan",
        type=Path,
        metavar="PLAN.json",
        help="price this saved plan of STACK (hlz plan --json, pulumi preview --json) instead "
        "of planning it",
    )
    cost.add_argument(
        "--stack-file",
        type=Path,
        metavar="PATH",
        help="read the stack's config (and hlz:cost) from PATH instead of Pulumi.<STACK>.yaml",
    )
    cost.add_argument(
        "--base",
        type=Path,
        metavar="PLAN.json",
        help="compare with this plan of the stack (the base branch's), priced with the same "
        "table and assumptions",
    )
    cost.add_argument(
        "--base-dir",
        type=Path,
        metavar="DIR",
        help="compare with DIR/<STACK>.plan.json when it exists (hlz plan --all --out-dir DIR "
        "of the base branch); a stack DIR has no plan for is reported as new",
    )
    cost.add_argument(
        "--prices",
        type=Path,
        metavar="PATH",
        help="price table to read (default: hlz/cost/prices.json)",
    )
    cost.add_argument("--json", action="store_true", help="print the estimate as JSON")
    cost.add_argument(
        "--markdown", type=Path, metavar="PATH", help="also write the pull-request cost section"
    )
    cost.set_defaults(func=run_cost)


def run_cost(args: argparse.Namespace, *, planner: Planner | None = None) -> int:
    """Run ``hlz cost``; returns the exit code. Every usage problem is reported at once."""
    from components.errors import ConfigError
    from hlz.stackfiles import check_stack_names

    messages: list[str] = []
    if args.plan is not None and args.stack_file is not None:
        messages.append(
            "hlz: error: --plan and --stack-file: give one (--stack-file plans the stack; a "
            "saved plan's hlz:cost is read from Pulumi.<STACK>.yaml)"
        )
    if args.base is not None and args.base_dir is not None:
        messages.append("hlz: error: --base and --base-dir: give one")
    if args.base_dir is not None and not args.base_dir.is_dir():
        messages.append(f"hlz: error: --base-dir {args.base_dir}: not a directory")
    try:
        check_stack_names([args.stack])
    except ConfigError as error:
        print(f"hlz: {error}", file=sys.stderr)
        return EXIT_USAGE
    results: dict[str, Any] = {}
    steps = (
        ("table", lambda: _table(args)),
        ("assumptions", lambda: _assumptions(args)),
        ("base", lambda: _base_document(args)),
    )
    for name, step in steps:
        try:
            results[name] = step()
        except ConfigError as error:
            messages.append(f"hlz: {error}")
    if not messages:
        try:
            results["plan"] = _plan_document(args, planner)
        except ConfigError as error:
            messages.append(f"hlz: {error}")
        except ProgramFailed as failure:
            print(f"hlz: the stack program failed: {failure}", file=sys.stderr)
            return EXIT_PROGRAM_FAILED
    if messages:
        print("\n".join(messages), file=sys.stderr)
        return EXIT_USAGE
    return _report(args, results)


def _table(args: argparse.Namespace) -> PriceTable:
    from hlz.cost.table import load_price_table

    return load_price_table(args.prices)


def _assumptions(args: argparse.Namespace) -> tuple[CostAssumptions, str]:
    """The stack's ``hlz:cost`` and where it was read: --stack-file, else Pulumi.<STACK>.yaml;
    a saved plan of a stack with no stack file here is priced with the defaults."""
    from hlz.cost.assumptions import CostAssumptions, parse_assumptions
    from hlz.stackfiles import load_stack_file, project_root

    path = args.stack_file or project_root() / f"Pulumi.{args.stack}.yaml"
    if args.plan is not None and args.stack_file is None and not path.is_file():
        return CostAssumptions(), f"the defaults (no Pulumi.{args.stack}.yaml here)"
    stack_file = load_stack_file(args.stack, path=args.stack_file)
    raw = stack_file.hlz_config().get("cost")
    where = f"{stack_file.path.name} hlz:cost, defaults otherwise" if raw else "the defaults"
    return parse_assumptions(raw), where


def _base_document(args: argparse.Namespace) -> tuple[dict[str, Any] | None, str | None]:
    """The base plan, or None and why there is none."""
    if args.base is not None:
        return read_saved_plan(args.base, args.stack, "--base"), None
    if args.base_dir is not None:
        path = args.base_dir / f"{args.stack}.plan.json"
        if not path.is_file():
            return None, (
                f"The base branch has no plan of `{args.stack}` ({path}): a new stack, or the "
                "base branch did not plan it."
            )
        return read_saved_plan(path, args.stack, "--base-dir"), None
    return None, None


def _plan_document(args: argparse.Namespace, planner: Planner | None) -> dict[str, Any]:
    """--plan, or the stack planned offline as ``hlz plan`` plans it."""
    if args.plan is not None:
        return read_saved_plan(args.plan, args.stack)
    print(f"Planning {args.stack} ...", file=sys.stderr, flush=True)
    return planned_document(args.stack, args.stack_file, planner)


def _report(args: argparse.Namespace, results: dict[str, Any]) -> int:
    from hlz.cost.estimate import Comparison, estimate
    from hlz.cost.render import text_report
    from hlz.render.markdown import cost_markdown

    table = results["table"]
    assumptions, where = results["assumptions"]
    head = estimate(results["plan"], table, assumptions, where)
    base_plan, base_note = results["base"]
    comparison: Comparison | None = None
    if base_plan is not None:
        comparison = Comparison(estimate(base_plan, table, assumptions, where), head)
    if args.json:
        print(json.dumps(_json(head, comparison, base_note), indent=2))
    else:
        print(text_report(head, comparison, base_note))
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(cost_markdown(head, comparison, base_note), encoding="utf-8")
        print(f"Wrote {args.markdown}", file=sys.stderr)
    return EXIT_OK


def _json(head: Estimate, comparison: Comparison | None, base_note: str | None) -> dict[str, Any]:
    document = head.to_json()
    if comparison is not None:
        document["base"] = comparison.to_json()
    elif base_note is not None:
        document["base"] = {"note": base_note}
    return document
