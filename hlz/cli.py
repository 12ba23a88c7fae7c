"""The ``hlz`` command line.

Exit codes: 0 ok; 1 mandatory policy violations, a failed preflight check, or drift found by
``hlz audit``; 2 usage or configuration error (nothing is planned); 3 the stack program failed
for another reason, or hlz itself did ("internal error": a bug to report); 4 ``hlz audit``
could not read Azure.

Each subcommand names its handler (``set_defaults(func=...)``) and imports what it needs when
it runs: ``hlz check`` and ``hlz rules`` never load the planner (Pulumi's runtime and mocks,
azure-native), so a pull-request check of a saved plan stays a small process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hlz.sdk_proxy  # noqa: F401  - first: the SDK's unknown-checking proxy, without its server
from hlz import __version__
from hlz.audit import add_audit_parser
from hlz.preflight import add_preflight_parser, run_preflight
from policies.clock import utc_today
from policies.profiles import FAIL_ON_UNKNOWN

if TYPE_CHECKING:
    from hlz.plan import Plan, Planner
    from hlz.policy_check import PolicyReport
    from hlz.stackfiles import StackFile

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_PROGRAM_FAILED = 3


class UsageError(Exception):
    pass


class ProgramFailed(Exception):
    """An exception raised while a stack program ran (exit 3, "the stack program failed")."""

    def __init__(self, error: Exception):
        super().__init__(f"{type(error).__name__}: {error}")


@dataclass(frozen=True)
class Checked:
    """What every output file is rendered from: a stack's plan document (with its ``policy``
    section when ``hlz plan`` made it) and the policy report over it."""

    stack: str
    document: dict[str, Any]
    report: PolicyReport


@dataclass(frozen=True)
class OutputFormat:
    """One file hlz writes for a stack: its option, its name in --out-dir, how it is rendered."""

    option: str
    suffix: str
    """``--out-dir DIR`` writes ``DIR/<stack><suffix>``."""
    help: str
    render: Callable[[Checked], str]
    plan_only: bool = False
    """Written by ``hlz plan`` only (``hlz check`` reads a plan JSON; it does not write one)."""

    @property
    def dest(self) -> str:
        return self.option.removeprefix("--").replace("-", "_")


def _json_text(document: Any) -> str:
    return json.dumps(document, indent=2) + "\n"


def _stack_file_label(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def _plan_json(checked: Checked) -> str:
    return _json_text(checked.document)


def _sarif(checked: Checked) -> str:
    from hlz.render.sarif import sarif

    return _json_text(sarif(checked.report, _stack_file_label(checked.stack)))


def _markdown(checked: Checked) -> str:
    from hlz.render.markdown import markdown

    return markdown(checked.report)


OUTPUT_FORMATS = (
    OutputFormat(
        "--json", ".plan.json", "write the plan JSON (one stack)", _plan_json, plan_only=True
    ),
    OutputFormat("--sarif", ".sarif", "write SARIF 2.1.0 (code scanning)", _sarif),
    OutputFormat("--markdown", ".md", "write a Markdown pull-request comment", _markdown),
)
"""Every per-stack output, in the order written: the options of ``hlz plan`` and ``hlz check``
and the files of ``--out-dir`` all come from here."""


def _add_output_options(parser: argparse.ArgumentParser, *, plan: bool) -> None:
    for output in OUTPUT_FORMATS:
        if plan or not output.plan_only:
            parser.add_argument(output.option, type=Path, metavar="PATH", help=output.help)


def _add_policy_options(parser: argparse.ArgumentParser) -> None:
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


def _one_stack(command: argparse.ArgumentParser, *, out_help: str) -> None:
    """STACK, ``--out PATH`` and ``--stack-file PATH``: a command that plans one stack."""
    command.add_argument("stack", metavar="STACK")
    command.add_argument("--out", type=Path, metavar="PATH", help=out_help)
    command.add_argument(
        "--stack-file", type=Path, metavar="PATH", help="config file instead of Pulumi.<STACK>.yaml"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hlz",
        description="Offline tooling for the hlz HIPAA-aligned Azure landing zone: plan stacks "
        "under Pulumi mocks, check them against the HIPAA policy pack, and report.",
        epilog="Exit codes: 0 ok, 1 mandatory policy violations, a failed preflight check or "
        "audit findings, 2 usage or configuration error, 3 the stack program failed (or an "
        "internal error of hlz), 4 hlz audit could not read Azure.",
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
    _add_output_options(plan, plan=True)
    suffixes = [output.suffix for output in OUTPUT_FORMATS]
    plan.add_argument(
        "--out-dir",
        type=Path,
        metavar="DIR",
        help=f"write DIR/<stack>{', '.join(suffixes[:-1])} and {suffixes[-1]} for each stack",
    )
    _add_policy_options(plan)
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
    # Defaults (hlz.engine.mocks' fake ids) are filled in when planning: the parser of every
    # command must not import the planner.
    plan.add_argument("--subscription-id", help="fake subscription id for ARM ids")
    plan.add_argument("--tenant-id", help="fake Entra tenant id")
    plan.add_argument("--quiet", action="store_true", help="print only one line per stack")
    plan.set_defaults(func=_plan)

    check = commands.add_parser(
        "check",
        help="check a saved plan JSON against the policy pack",
        description=(
            "Evaluate the hlz-hipaa policy pack over a plan written by `hlz plan --json`, the "
            "output of `pulumi preview --json`, or a `pulumi stack export` document (deployed "
            "state); the format is detected and named."
        ),
    )
    check.add_argument("plan", type=Path, metavar="PLAN.json")
    _add_output_options(check, plan=False)
    _add_policy_options(check)
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
    check.set_defaults(func=_check)

    report = commands.add_parser("report", help="write reports over planned stacks")
    report.set_defaults(func=_no_report)
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
    compliance.set_defaults(func=_compliance)

    ai_inventory = reports.add_parser(
        "ai-inventory",
        help="register of model deployments for the AI governance board (Markdown + JSON)",
        description="Every model deployment of a planned stack with model, version, SKU, "
        "capacity, content filter, use case, risk tier, approval reference and expiry, owner.",
    )
    _one_stack(ai_inventory, out_help="write Markdown here")
    ai_inventory.add_argument("--json", type=Path, metavar="PATH", help="write JSON here")
    ai_inventory.set_defaults(func=_ai_inventory)

    graph = commands.add_parser(
        "graph",
        help="architecture diagram (Mermaid) generated from a stack's plan",
        description="Plan STACK offline and draw its components, the resources each creates, "
        "and which components feed which. Writes Markdown with a Mermaid block (renders on "
        "GitHub) or, for a .mmd path, the bare Mermaid source.",
    )
    _one_stack(graph, out_help="write here instead of stdout")
    graph.set_defaults(func=_graph)

    rules = commands.add_parser(
        "rules",
        help="list the policy pack's rules with severity, HIPAA sections and enforcement",
        description="Every rule of the hlz-hipaa pack (policies/RULES.md has the full text).",
    )
    rules.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rules.set_defaults(func=_rules)

    add_preflight_parser(commands)
    commands.choices["preflight"].set_defaults(func=run_preflight)
    add_audit_parser(commands)  # `hlz audit`: exit 4 when Azure cannot be read
    stacks = commands.add_parser("stacks", help="list the stacks (Pulumi.<stack>.yaml files)")
    stacks.set_defaults(func=_stacks)
    parser.set_defaults(func=None)
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


def _symlink_refusal(path: Path) -> str:
    return f"{path} is a symlink; --out-dir writes only regular files inside the directory"


def _check_out_dir(out_dir: Path, names: Sequence[str]) -> None:
    """Before planning: every report path in --out-dir stays inside it (stack names are checked
    already, so none has a separator) and is not an existing symlink."""
    problems = [
        _symlink_refusal(out_dir / f"{name}{suffix}")
        for name in names
        for suffix in (output.suffix for output in OUTPUT_FORMATS)
        if (out_dir / f"{name}{suffix}").is_symlink()
    ]
    if problems:
        raise UsageError("; ".join(problems))


def _write_outputs(checked: Checked, args: argparse.Namespace) -> None:
    """The files asked for by option (``--json``, ``--sarif``, ``--markdown``; ``hlz check``
    has no ``--json``), then every file of ``--out-dir`` (``hlz plan`` only)."""
    for output in OUTPUT_FORMATS:
        path = getattr(args, output.dest, None)
        if path is not None:
            _write(path, output.render(checked))
    out_dir = getattr(args, "out_dir", None)
    if out_dir is not None:
        for output in OUTPUT_FORMATS:
            path = out_dir / f"{checked.stack}{output.suffix}"
            _write(path, output.render(checked), no_symlink=True)


def _given(value: str | None, default: str) -> str:
    return default if value is None else value


def _planner() -> Planner:
    from hlz.plan import Planner

    return Planner()


def _planned_stack(plan: Callable[..., Plan], stack: str, **options: Any) -> Plan:
    """``plan(stack, **options)``, a ``hlz.plan.Planner`` method; an exception the stack program
    raised becomes ProgramFailed (exit 3), bad input stays a usage error (exit 2)."""
    try:
        return plan(stack, **options)
    except Exception as error:
        if _is_input_error(error):
            raise
        raise ProgramFailed(error) from error


def _verdict(report: PolicyReport) -> str:
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
    from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID
    from hlz.plan import Planner, plan_summary
    from hlz.policy_check import check_plan, load_project_exemptions
    from hlz.render.summary import policy_summary
    from hlz.stackfiles import available_stacks, check_stack_names, load_stack_file

    names: list[str] = list(args.stacks)
    if args.all:
        names = names or available_stacks()
    if not names:
        raise UsageError("name at least one STACK, or use --all")
    check_stack_names(names)
    if args.out_dir is not None:
        _check_out_dir(args.out_dir, names)
    single = len(names) == 1
    for option in (*(output.dest for output in OUTPUT_FORMATS), "stack_file", "program"):
        if getattr(args, option) is not None and not single:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} takes a single stack; use --out-dir for several")

    # Bad exemptions are a usage error: report them before spending time on any plan.
    exemptions = load_project_exemptions(args.exemptions)
    # One planner for every stack: a landing zone its labs reference is planned once.
    planner = Planner(
        subscription_id=_given(args.subscription_id, DEFAULT_SUBSCRIPTION_ID),
        tenant_id=_given(args.tenant_id, DEFAULT_TENANT_ID),
    )
    exit_code = EXIT_OK
    for name in names:
        started = time.perf_counter()
        print(f"Planning {name} ...", file=sys.stderr, flush=True)
        stack_file = load_stack_file(name, path=args.stack_file) if args.stack_file else None
        plan = _planned_stack(
            planner.plan,
            name,
            preview=args.preview,
            stack_file=stack_file,
            program_file=args.program,
        )
        plan_seconds = time.perf_counter() - started
        document = plan.to_json()
        report = check_plan(document, exemptions=exemptions, fail_on_unknown=args.fail_on_unknown)
        document["hlz"]["policy"] = report.to_json()
        elapsed = time.perf_counter() - started
        if report.fails:
            exit_code = EXIT_POLICY
        if args.quiet:
            verdict = _verdict(report)
            print(f"{name}: {len(plan.custom_resources)} resources, {verdict} ({elapsed:.1f}s)")
        else:
            print(plan_summary(plan))
            print(policy_summary(report))
            print(f"  planned in {plan_seconds:.1f}s, checked in {elapsed - plan_seconds:.2f}s\n")
        _write_outputs(Checked(name, document, report), args)
    return exit_code


def _check(args: argparse.Namespace) -> int:
    from hlz.documents import PLAN
    from hlz.plan_document import read_checked_document
    from hlz.policy_check import check_plan
    from hlz.render.summary import policy_summary
    from policies.model import Profile

    checked = read_checked_document(args.plan)  # every shape problem named: exit 2, not 3
    document = checked.plan
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
        if checked.format != PLAN:
            left_out = (
                f"; {checked.left_out} not judged (deletes, providers, pending deletes)"
                if checked.left_out
                else ""
            )
            profile_from = "--profile" if args.profile else (
                "the document" if document["hlz"].get("profile") else "default: production"
            )
            print(
                f"Read {args.plan} as {checked.format} output: {len(document['steps'])} "
                f"resources{left_out}; profile from {profile_from}"
            )
        print(policy_summary(report))
    _write_outputs(Checked(report.stack, document, report), args)
    return EXIT_POLICY if report.fails else EXIT_OK


def _no_report(args: argparse.Namespace) -> int:
    raise UsageError("name a report: compliance or ai-inventory")


def _compliance(args: argparse.Namespace) -> int:
    from hlz.policy_check import check_plan
    from hlz.render.compliance import compliance_matrix
    from hlz.stackfiles import available_stacks

    names = list(args.stacks) or available_stacks()
    planner = _planner()
    reports = []
    for name in names:
        print(f"Planning {name} ...", file=sys.stderr, flush=True)
        plan = _planned_stack(planner.planned, name)
        reports.append(check_plan(plan.to_json(), exemptions_path=args.exemptions))
    _write(args.out, compliance_matrix(reports))
    return EXIT_OK


def _ai_inventory(args: argparse.Namespace) -> int:
    from hlz.render.inventory import inventory, inventory_markdown

    print(f"Planning {args.stack} ...", file=sys.stderr, flush=True)
    plan = _planned_stack(_planner().plan, args.stack, stack_file=_stack_file(args))
    rows = inventory(plan.to_json())
    text = inventory_markdown(args.stack, rows, utc_today())
    if args.out is not None:
        _write(args.out, text)
    else:
        print(text)
    if args.json is not None:
        document = {"stack": args.stack, "deployments": rows}
        _write(args.json, _json_text(document))
    return EXIT_OK


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
    from hlz.stackfiles import load_stack_file

    return load_stack_file(args.stack, path=args.stack_file) if args.stack_file else None


def _graph(args: argparse.Namespace) -> int:
    from hlz.render import mermaid

    print(f"Planning {args.stack} ...", file=sys.stderr, flush=True)
    plan = _planned_stack(_planner().plan, args.stack, stack_file=_stack_file(args))
    document = plan.to_json()
    bare = args.out is not None and args.out.suffix == ".mmd"
    text = mermaid.mermaid(document) if bare else mermaid.markdown(document)
    if args.out is None:
        print(text)
    else:
        _write(args.out, text)
    return EXIT_OK


def _stacks(args: argparse.Namespace) -> int:
    from hlz.stackfiles import available_stacks, load_stack_file

    for name in available_stacks():
        stack_file = load_stack_file(name)
        layer, profile = stack_file.layer or "?", stack_file.profile or "?"
        print(f"{name:<16} {layer:<14} {profile}")
    return EXIT_OK


def _is_input_error(error: Exception) -> bool:
    """Bad configuration, stack selection or exemptions: exit 2, the message names the key.
    (Imported only once something failed: ``components.errors`` loads pydantic.)"""
    from components.errors import ConfigError
    from policies.exemptions import ExemptionError

    return isinstance(error, ConfigError | ExemptionError)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (`hlz rules | head`): not a failure of hlz. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except UsageError as error:
        print(f"hlz: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ProgramFailed as failure:
        print(f"hlz: the stack program failed: {failure}", file=sys.stderr)
        return EXIT_PROGRAM_FAILED
    except Exception as error:  # noqa: BLE001 - never a traceback; say whose fault it is
        if _is_input_error(error):
            print(f"hlz: {error}", file=sys.stderr)
            return EXIT_USAGE
        print(
            f"hlz: internal error: {type(error).__name__}: {error}\n"
            "hlz: this is a bug in hlz, not in your configuration or stack program; please "
            "report it with the command you ran and this message",
            file=sys.stderr,
        )
        return EXIT_PROGRAM_FAILED


def entry() -> None:
    sys.exit(main())
