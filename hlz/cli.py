"""The ``hlz`` command line.

Exit codes: 0 ok; 1 mandatory policy violations or a failed preflight check; 2 usage or
configuration error (nothing is planned); 3 the stack program failed for another reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components.errors import ConfigError
from hlz import __version__
from hlz.engine import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID
from hlz.preflight import add_preflight_parser, run_preflight
from hlz.stackfiles import StackFile, available_stacks, check_stack_names, load_stack_file
from policies.profiles import FAIL_ON_UNKNOWN

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_PROGRAM_FAILED = 3


class UsageError(Exception):
    pass


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sarif", type=Path, metavar="PATH", help="write SARIF 2.1.0 (code scanning)"
    )
    parser.add_argument(
        "--markdown", type=Path, metavar="PATH", help="write a Markdown pull-request comment"
    )
    parser.add_argument(
        "--exemptions",
        type=Path,
        metavar="PATH",
        help="exemptions file (default: policies/exemptions.yaml)",
    )
    parser.add_argument(
        "--fail-on-unknown",
        choices=FAIL_ON_UNKNOWN,
        default="auto",
        help="which results a rule cannot decide (a value unknown until deployment) fail the "
        "check: none, phi (PHI-protecting rules), all; auto (default) = phi in production, "
        "none in lab",
    )


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hlz",
        description="Offline tooling for the hlz HIPAA-aligned Azure landing zone: plan stacks "
        "under Pulumi mocks, check them against the HIPAA policy pack, and report.",
        epilog="Exit codes: 0 ok, 1 mandatory policy violations or a failed preflight check, "
        "2 usage or configuration error, 3 the stack program failed.",
    )
    parser.add_argument("--version", action="version", version=f"hlz {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    plan = commands.add_parser(
        "plan",
        help="plan stacks offline and check them against the policy pack",
        description=(
            "Run the real stack program under Pulumi mocks (no credentials, no Pulumi CLI), "
            "print what it would create, and evaluate the hlz-hipaa policy pack over it. "
            "STACK names a Pulumi.<STACK>.yaml at the project root."
        ),
    )
    plan.add_argument("stacks", nargs="*", metavar="STACK", help="stack names")
    plan.add_argument("--all", action="store_true", help="plan every Pulumi.<stack>.yaml")
    plan.add_argument("--json", type=Path, metavar="PATH", help="write the plan JSON (one stack)")
    plan.add_argument(
        "--out-dir",
        type=Path,
        metavar="DIR",
        help="write DIR/<stack>.plan.json, .sarif and .md for each stack",
    )
    _add_report_options(plan)
    plan.add_argument(
        "--preview",
        action="store_true",
        help="leave values that come from other resources unknown (as a first pulumi preview)",
    )
    plan.add_argument(
        "--stack-file",
        type=Path,
        metavar="PATH",
        help="read the stack's config from PATH instead of Pulumi.<STACK>.yaml (one stack)",
    )
    plan.add_argument(
        "--program",
        type=Path,
        metavar="FILE",
        help="plan this Pulumi Python program (a __main__.py-style file) instead of the hlz "
        "stacks, with the config of --stack-file (one stack)",
    )
    plan.add_argument(
        "--subscription-id",
        default=DEFAULT_SUBSCRIPTION_ID,
        help="fake subscription id for ARM ids",
    )
    plan.add_argument("--tenant-id", default=DEFAULT_TENANT_ID, help="fake Entra tenant id")
    plan.add_argument("--quiet", action="store_true", help="print only one line per stack")

    check = commands.add_parser(
        "check",
        help="check a saved plan JSON against the policy pack",
        description="Evaluate the hlz-hipaa policy pack over a plan written by `hlz plan --json`.",
    )
    check.add_argument("plan", type=Path, metavar="PLAN.json")
    _add_report_options(check)
    check.add_argument(
        "--profile",
        choices=["lab", "production"],
        help="override the profile recorded in the plan (default: the stack's)",
    )
    check.add_argument("--quiet", action="store_true", help="print only the verdict")
    check.add_argument(
        "--today",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="judge as of this day (exemption, approval and override expiry, exemption caps); "
        "default: today. For audits replaying a past decision, and exercises with fixed dates",
    )

    report = commands.add_parser("report", help="write reports over planned stacks")
    reports = report.add_subparsers(dest="report", metavar="REPORT")
    compliance = reports.add_parser(
        "compliance",
        help="HIPAA evidence matrix (Markdown)",
        description="For each 45 CFR section: the rules implementing it, the resources they "
        "covered and the verdicts, over the offline plans of the given stacks.",
    )
    compliance.add_argument("stacks", nargs="*", metavar="STACK", help="stacks (default: all)")
    compliance.add_argument("--out", type=Path, metavar="PATH", required=True)
    compliance.add_argument("--exemptions", type=Path, metavar="PATH")

    ai_inventory = reports.add_parser(
        "ai-inventory",
        help="register of model deployments for the AI governance board (Markdown + JSON)",
        description="Every model deployment of a planned stack with model, version, SKU, "
        "capacity, content filter, use case, risk tier, approval reference and expiry, owner.",
    )
    ai_inventory.add_argument("stack", metavar="STACK")
    ai_inventory.add_argument("--out", type=Path, metavar="PATH", help="write Markdown here")
    ai_inventory.add_argument("--json", type=Path, metavar="PATH", help="write JSON here")
    ai_inventory.add_argument(
        "--stack-file", type=Path, metavar="PATH", help="config file instead of Pulumi.<STACK>.yaml"
    )

    graph = commands.add_parser(
        "graph",
        help="architecture diagram (Mermaid) generated from a stack's plan",
        description="Plan STACK offline and draw its components, the resources each creates, "
        "and which components feed which. Writes Markdown with a Mermaid block (renders on "
        "GitHub) or, for a .mmd path, the bare Mermaid source.",
    )
    graph.add_argument("stack", metavar="STACK")
    graph.add_argument("--out", type=Path, metavar="PATH", help="write here instead of stdout")
    graph.add_argument(
        "--stack-file", type=Path, metavar="PATH", help="config file instead of Pulumi.<STACK>.yaml"
    )

    rules = commands.add_parser(
        "rules",
        help="list the policy pack's rules with severity, HIPAA sections and enforcement",
        description="Every rule of the hlz-hipaa pack (policies/RULES.md has the full text).",
    )
    rules.add_argument("--json", action="store_true", help="print JSON instead of a table")

    add_preflight_parser(commands)
    commands.add_parser("stacks", help="list the stacks (Pulumi.<stack>.yaml files)")
    return parser


def _write(path: Path, text: str, *, no_symlink: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if no_symlink:
        # --out-dir: never follow a symlink placed where a report goes (it may lead outside).
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(path, flags, 0o666)
        except OSError:
            if path.is_symlink():
                raise UsageError(_symlink_refusal(path)) from None
            raise
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
    else:
        path.write_text(text)
    print(f"Wrote {path}", file=sys.stderr)


OUT_DIR_SUFFIXES = (".plan.json", ".sarif", ".md")


def _symlink_refusal(path: Path) -> str:
    return f"{path} is a symlink; --out-dir writes only regular files inside the directory"


def _check_out_dir(out_dir: Path, names: Sequence[str]) -> None:
    """Before planning: every report path in --out-dir stays inside it (stack names are checked
    already, so none has a separator) and is not an existing symlink."""
    problems = [
        _symlink_refusal(out_dir / f"{name}{suffix}")
        for name in names
        for suffix in OUT_DIR_SUFFIXES
        if (out_dir / f"{name}{suffix}").is_symlink()
    ]
    if problems:
        raise UsageError("; ".join(problems))


def _stack_file_label(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def _json_text(document: Any) -> str:
    return json.dumps(document, indent=2) + "\n"


def _write_reports(
    report: Any,
    stack: str,
    sarif_path: Path | None,
    markdown_path: Path | None,
    *,
    no_symlink: bool = False,
) -> None:
    from hlz.reports import markdown, sarif

    if sarif_path is not None:
        text = _json_text(sarif(report, _stack_file_label(stack)))
        _write(sarif_path, text, no_symlink=no_symlink)
    if markdown_path is not None:
        _write(markdown_path, markdown(report), no_symlink=no_symlink)


def _verdict(report: Any) -> str:
    """One line for --quiet: what blocks the deployment, or that nothing does."""
    problems = []
    if report.blocking:
        problems.append(f"{len(report.blocking)} mandatory violations")
    if report.type_errors:
        problems.append(f"{len(report.type_errors)} type errors")
    if report.blocking_unknown:
        problems.append(f"{len(report.blocking_unknown)} undetermined PHI checks")
    return ", ".join(problems) if problems else "policy ok"


def _plan(args: argparse.Namespace) -> int:
    from hlz.plan import Plan, plan_stack, summary_text
    from hlz.policy_check import check_plan, load_project_exemptions
    from hlz.policy_check import summary_text as policy_summary

    names: list[str] = list(args.stacks)
    if args.all:
        names = names or available_stacks()
    if not names:
        raise UsageError("name at least one STACK, or use --all")
    check_stack_names(names)
    if args.out_dir is not None:
        _check_out_dir(args.out_dir, names)
    single = len(names) == 1
    for option in ("json", "sarif", "markdown", "stack_file", "program"):
        if getattr(args, option) is not None and not single:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} takes a single stack; use --out-dir for several")

    # Bad exemptions are a usage error: report them before spending time on any plan.
    exemptions = load_project_exemptions(args.exemptions)
    planned: dict[str, Plan] = {}
    exit_code = EXIT_OK
    for name in names:
        started = time.perf_counter()
        print(f"Planning {name} ...", file=sys.stderr, flush=True)
        stack_file = load_stack_file(name, path=args.stack_file) if args.stack_file else None
        plan = plan_stack(
            name,
            subscription_id=args.subscription_id,
            tenant_id=args.tenant_id,
            preview=args.preview,
            stack_file=stack_file,
            program_file=args.program,
            _planned={} if args.preview else planned,
        )
        planned[name] = plan
        plan_seconds = time.perf_counter() - started
        document = plan.to_json()
        report = check_plan(
            document, exemptions=exemptions, fail_on_unknown=args.fail_on_unknown
        )
        document["hlz"]["policy"] = report.to_json()
        elapsed = time.perf_counter() - started
        if report.fails:
            exit_code = EXIT_POLICY
        if args.quiet:
            verdict = _verdict(report)
            print(f"{name}: {len(plan.custom_resources)} resources, {verdict} ({elapsed:.1f}s)")
        else:
            print(summary_text(plan))
            print(policy_summary(report))
            print(f"  planned in {plan_seconds:.1f}s, checked in {elapsed - plan_seconds:.2f}s\n")
        if args.json is not None:
            _write(args.json, _json_text(document))
        _write_reports(report, name, args.sarif, args.markdown)
        if args.out_dir is not None:
            _write(args.out_dir / f"{name}.plan.json", _json_text(document), no_symlink=True)
            _write_reports(
                report,
                name,
                args.out_dir / f"{name}.sarif",
                args.out_dir / f"{name}.md",
                no_symlink=True,
            )
    return exit_code


def _check(args: argparse.Namespace) -> int:
    from hlz.plan_document import read_plan_document
    from hlz.policy_check import check_plan, summary_text
    from policies.model import Profile

    document = read_plan_document(args.plan)  # every shape problem named: exit 2, not 3
    profile = Profile(args.profile) if args.profile else None
    report = check_plan(
        document,
        profile=profile,
        exemptions_path=args.exemptions,
        fail_on_unknown=args.fail_on_unknown,
        today=args.today,
    )
    if args.quiet:
        types = f", {len(report.type_errors)} type errors" if report.type_errors else ""
        unknown = (
            f", {len(report.blocking_unknown)} undetermined PHI checks"
            if report.blocking_unknown
            else ""
        )
        print(f"{report.stack}: {len(report.blocking)} mandatory violations{types}{unknown}")
    else:
        print(summary_text(report))
    _write_reports(report, report.stack, args.sarif, args.markdown)
    return EXIT_POLICY if report.fails else EXIT_OK


def _report(args: argparse.Namespace) -> int:
    if args.report == "compliance":
        from hlz.plan import Plan, plan_stack
        from hlz.policy_check import check_plan
        from hlz.reports import compliance_matrix

        names = list(args.stacks) or available_stacks()
        planned: dict[str, Plan] = {}
        reports = []
        for name in names:
            print(f"Planning {name} ...", file=sys.stderr, flush=True)
            plan = planned.get(name) or plan_stack(name, _planned=planned)
            planned[name] = plan
            reports.append(check_plan(plan.to_json(), exemptions_path=args.exemptions))
        _write(args.out, compliance_matrix(reports))
        return EXIT_OK
    if args.report == "ai-inventory":
        import datetime as dt

        from hlz.inventory import inventory, inventory_markdown
        from hlz.plan import plan_stack

        print(f"Planning {args.stack} ...", file=sys.stderr, flush=True)
        plan = plan_stack(args.stack, stack_file=_stack_file(args))
        rows = inventory(plan.to_json())
        text = inventory_markdown(args.stack, rows, dt.date.today())
        if args.out is not None:
            _write(args.out, text)
        else:
            print(text)
        if args.json is not None:
            document = {"stack": args.stack, "deployments": rows}
            _write(args.json, _json_text(document))
        return EXIT_OK
    raise UsageError("name a report: compliance or ai-inventory")


def _rules(args: argparse.Namespace) -> int:
    from policies.model import Profile
    from policies.profiles import enforcement_level
    from policies.registry import ALL_RULES

    rows = [
        {
            "id": rule.id,
            "category": rule.category.value,
            "severity": rule.severity.value,
            "hipaa": list(rule.hipaa),
            "lab": enforcement_level(rule, Profile.LAB).value,
            "production": enforcement_level(rule, Profile.PRODUCTION).value,
            "productionOnly": rule.production_only,
            "description": rule.description,
        }
        for rule in ALL_RULES
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(row["id"]) for row in rows)
    print(f"{'rule':{width}}  {'severity':8}  {'lab':9}  {'production':10}  HIPAA / basis")
    for row in rows:
        lab = "n/a" if row["productionOnly"] else row["lab"]
        basis = ", ".join(row["hipaa"]) or "deploy (Azure Resource Manager constraint)"
        print(f"{row['id']:{width}}  {row['severity']:8}  {lab:9}  {row['production']:10}  {basis}")
    deploy = sum(1 for row in rows if row["category"] == "deploy")
    print(
        f"\n{len(rows)} rules ({len(rows) - deploy} HIPAA, {deploy} deploy); details and "
        "remediation: policies/RULES.md"
    )
    return EXIT_OK


def _stack_file(args: argparse.Namespace) -> StackFile | None:
    return load_stack_file(args.stack, path=args.stack_file) if args.stack_file else None


def _graph(args: argparse.Namespace) -> int:
    from hlz import graph
    from hlz.plan import plan_stack

    print(f"Planning {args.stack} ...", file=sys.stderr, flush=True)
    document = plan_stack(args.stack, stack_file=_stack_file(args)).to_json()
    bare = args.out is not None and args.out.suffix == ".mmd"
    text = graph.mermaid(document) if bare else graph.markdown(document)
    if args.out is None:
        print(text)
    else:
        _write(args.out, text)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    from policies.exemptions import ExemptionError

    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            return _plan(args)
        if args.command == "check":
            return _check(args)
        if args.command == "report":
            return _report(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "preflight":
            return run_preflight(args)
        if args.command == "stacks":
            for name in available_stacks():
                stack_file = load_stack_file(name)
                layer, profile = stack_file.layer or "?", stack_file.profile or "?"
                print(f"{name:<16} {layer:<14} {profile}")
            return EXIT_OK
        parser.print_help()
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`hlz rules | head`): not a failure of hlz. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except UsageError as error:
        print(f"hlz: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (ConfigError, ExemptionError) as error:
        print(f"hlz: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - report any program failure with its type
        print(f"hlz: the stack program failed: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_PROGRAM_FAILED


def entry() -> None:
    sys.exit(main())
