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
import functools
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
from hlz.cost import add_cost_parser
from hlz.preflight import add_preflight_parser, run_preflight
from hlz.stack_plans import ProgramFailed, is_input_error
from policies.clock import utc_today
from policies.profiles import FAIL_ON_UNKNOWN
from policies.vocabulary import DATA_CLASSIFICATIONS, ENVIRONMENTS

if TYPE_CHECKING:
    from hlz.plan import Plan, Planner
    from hlz.plan_many import PendingWrite, StackOutcome
    from hlz.policy_check import PolicyReport
    from hlz.stackfiles import StackFile
    from policies.exemptions import Exemption

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_PROGRAM_FAILED = 3
EXIT_INTERRUPTED = 130
"""Ctrl-C: what a shell reports for a process ended by SIGINT (128 + 2)."""


class UsageError(Exception):
    pass


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


def _jobs(text: str) -> int:
    """``--jobs N``: a number of worker processes, at least 1 (1 plans in this process)."""
    wanted = "must be 1 or more worker processes (1: plan in this process, without workers)"
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{wanted}, not '{text}'") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{wanted}, not {jobs}")
    return jobs


def _project_dir_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--project-dir",
        type=Path,
        metavar="DIR",
        help="read the Pulumi.<STACK>.yaml files from DIR instead of the project root "
        "(the directory of Pulumi.yaml)",
    )


def _one_stack(command: argparse.ArgumentParser, *, out_help: str | None) -> None:
    """STACK, ``--out PATH`` (unless ``out_help`` is None) and ``--stack-file PATH``: a
    command that plans one stack."""
    command.add_argument("stack", metavar="STACK")
    if out_help is not None:
        command.add_argument("--out", type=Path, metavar="PATH", help=out_help)
    command.add_argument(
        "--stack-file", type=Path, metavar="PATH", help="config file instead of Pulumi.<STACK>.yaml"
    )


def _saved_plan_option(command: argparse.ArgumentParser) -> None:
    """``--plan PLAN.json``: a report that reads a saved plan of STACK instead of planning it
    (``hlz.stack_plans.read_saved_plan``)."""
    command.add_argument(
        "--plan",
        type=Path,
        metavar="PLAN.json",
        help="read a saved plan of STACK (hlz plan --json, pulumi preview --json, pulumi stack "
        "export) instead of planning it",
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
            "STACK names a Pulumi.<STACK>.yaml at the project root. Several stacks are planned "
            "in worker processes (--jobs), each landing zone once, before the labs that read "
            "it; the output comes in the order the stacks are named (--all: by name) and the "
            "exit code is the worst of them."
        ),
    )
    plan.add_argument("stacks", nargs="*", metavar="STACK", help="stack names")
    plan.add_argument("--all", action="store_true", help="plan every Pulumi.<stack>.yaml")
    plan.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="plan several stacks in N worker processes (default: the number of CPUs, "
        f"{os.cpu_count() or 1} here); 1 plans in this process. A failed stack does not stop "
        "the others",
    )
    _project_dir_option(plan)
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
        "covered and the verdicts, over the offline plans of the given stacks; then, per stack, "
        "the resource inventory summary, the ePHI map and the model cards (docs/evidence.md).",
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

    resources = reports.add_parser(
        "inventory",
        help="every planned resource with owner, classification, encryption, exposure (CSV/JSON)",
        description="One row per resource the stack manages (reads and components left out): "
        "type and ARM type, name, location, resource group, owner and data-classification "
        "tags, encryption at rest and its key, network exposure, identities, diagnostics "
        "destination. Prints CSV when neither --csv nor --json is given (docs/evidence.md).",
    )
    _one_stack(resources, out_help=None)
    resources.add_argument("--csv", type=Path, metavar="PATH", help="write CSV (RFC 4180) here")
    resources.add_argument("--json", type=Path, metavar="PATH", help="write JSON here")
    _saved_plan_option(resources)
    resources.set_defaults(func=_resource_inventory)

    phi_map = reports.add_parser(
        "phi-map",
        help="diagram (Mermaid) of the systems holding ePHI and the network paths between them",
        description="Plan STACK offline and draw the resources that store or process ePHI "
        "(classified phi, or PHI store types) with their private endpoints, subnets, VNets, "
        "peerings, egress route, shared private links and service-to-service role "
        "assignments. Writes Markdown with a Mermaid block or, for a .mmd path, bare Mermaid.",
    )
    _one_stack(phi_map, out_help="write here instead of stdout")
    _saved_plan_option(phi_map)
    phi_map.set_defaults(func=_phi_map)

    cards = reports.add_parser(
        "model-cards",
        help="a CHAI Applied Model Card (v0.2, JSON) per model deployment",
        description="One JSON per model deployment in the Coalition for Health AI Applied Model "
        "Card v0.2 shape, filled from the deployment's governance record; a field the record "
        "does not hold reads 'Not provided' (docs/evidence.md).",
    )
    _one_stack(cards, out_help="write DIR/<deployment>.model-card.json (default: print JSON)")
    _saved_plan_option(cards)
    cards.set_defaults(func=_model_cards)

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
    add_cost_parser(commands)  # `hlz cost`: the plan's monthly cost, offline
    stacks = commands.add_parser(
        "stacks",
        help="list the stacks (Pulumi.<stack>.yaml files)",
        description="Every Pulumi.<stack>.yaml with its layer, profile, the landing zone a lab "
        "reads, and its deploy order: after the stacks it reads (a lab after its landing zone), "
        "the lab profile before production, then by name.",
        epilog='--json prints {"include": [{"stack", "layer", "profile", "landingZone", '
        '"order"}, ...]} by stack name (landingZone is "" for a landing zone): a GitHub Actions '
        "matrix as it is (strategy.matrix: ${{ fromJSON(...) }}), see docs/ci.md.",
    )
    stacks.add_argument("--json", action="store_true", help="print a GitHub Actions matrix")
    _project_dir_option(stacks)
    stacks.set_defaults(func=_stacks)
    _add_lab_parser(commands)
    parser.set_defaults(func=None)
    return parser


def _add_lab_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``hlz lab new``: onboard a lab team (``hlz.onboard``)."""
    lab = commands.add_parser("lab", help="onboard lab teams onto a landing zone")
    lab.set_defaults(func=_no_lab_command, lab_parser=lab)
    actions = lab.add_subparsers(title="lab commands", metavar="COMMAND")
    new = actions.add_parser(
        "new",
        help="allocate a spoke to a new lab and write its Pulumi.<stack>.yaml",
        description="Onboard lab team NAME onto the landing zone: take the first free block "
        "of --size from its hlz:spokeAddressPool (clear of the hub, every spoke and the VPN "
        "clients' pool of every landing zone in the project), add NAME to its hlz:spokes table "
        "(Pulumi.<landing zone>.yaml, comments kept) and write Pulumi.<stack>.yaml for the lab: "
        "every key set or shown commented out, "
        "with a governance-record template for its first model deployment. What is written is "
        "checked with the lab's config model first; nothing is written when anything is wrong. "
        "Run again, it changes nothing; it never overwrites a stack file.",
        epilog="Exit codes: 0 onboarded (or onboarded already: nothing written); 2 usage or "
        "configuration error, every problem listed, nothing written. Next: review the file, "
        "`hlz plan <stack>`, then deploy the landing zone (its firewall lets the new spoke out) "
        "before the lab (docs/onboarding.md).",
    )
    new.add_argument("lab", metavar="NAME", help="lab team name: 3-16 lowercase letters, digits, -")
    new.add_argument(
        "--landing-zone", required=True, metavar="STACK", help="the landing-zone stack (lz-prod)"
    )
    new.add_argument(
        "--size",
        type=_prefix_length,
        metavar="/N",
        help="the spoke's size, /16 to /24 (default /22: four /24 subnets); with a lab "
        "allocated already, its allocation's",
    )
    new.add_argument("--stack", metavar="STACK", help="the lab's stack name (default: NAME)")
    new.add_argument("--owner", required=True, metavar="EMAIL", help="owner tag: the lab's team")
    new.add_argument("--cost-center", required=True, metavar="TEXT", help="cost-center tag")
    new.add_argument(
        "--member-group-id",
        required=True,
        action="append",
        dest="member_group_ids",
        metavar="ID",
        help="Entra group object id of lab members (repeat for several)",
    )
    new.add_argument(
        "--budget", required=True, type=int, metavar="AMOUNT", help="monthly budget amount"
    )
    new.add_argument(
        "--budget-start",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-01",
        help="the budget's first month (default: the first day of next month, UTC)",
    )
    new.add_argument(
        "--budget-email",
        action="append",
        dest="budget_emails",
        default=[],
        metavar="EMAIL",
        help="who the budget notifies besides the platform team (default: --owner; repeat)",
    )
    new.add_argument("--location", help="Azure region (default: the landing zone's)")
    new.add_argument("--prefix", help="resource name prefix (default: the landing zone's)")
    new.add_argument(
        "--environment", choices=ENVIRONMENTS, help="environment tag (default: the landing zone's)"
    )
    new.add_argument(
        "--data-classification",
        choices=DATA_CLASSIFICATIONS,
        help="data-classification tag (default: the landing zone's)",
    )
    new.add_argument(
        "--dry-run",
        action="store_true",
        help="print the stack file and the allocation; write nothing",
    )
    _project_dir_option(new)
    new.set_defaults(func=_lab_new)


def _prefix_length(text: str) -> int:
    value = text.removeprefix("/")
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a prefix length such as /22")
    return int(value)


def _no_lab_command(args: argparse.Namespace) -> int:
    args.lab_parser.print_help()
    return EXIT_USAGE


def _lab_new(args: argparse.Namespace) -> int:
    from hlz.onboard import LabRequest, onboard
    from hlz.render.text import display_path

    request = LabRequest(
        lab=args.lab,
        landing_zone=args.landing_zone,
        owner=args.owner,
        cost_center=args.cost_center,
        member_group_ids=args.member_group_ids,
        budget=args.budget,
        stack=args.stack,
        size=args.size,
        budget_start=args.budget_start,
        budget_emails=args.budget_emails,
        location=args.location,
        prefix=args.prefix,
        environment=args.environment,
        data_classification=args.data_classification,
    )
    done = onboard(request, root=_project_dir(args), dry_run=args.dry_run)
    where = f"{done.lab} on {done.landing_zone} at {done.block}"
    if done.unchanged:
        print(f"hlz: {done.stack_file.name} is {where} already: nothing to do", file=sys.stderr)
        return EXIT_OK
    source = (
        f"allocated {done.block} to {done.lab} from {done.landing_zone}'s hlz:spokeAddressPool"
        if done.allocated
        else f"{done.lab} has {done.block} in {done.landing_zone}'s hlz:spokes already"
    )
    print(f"hlz: {source}", file=sys.stderr)
    if args.dry_run:
        sys.stdout.write(done.stack_text)
        if done.landing_zone_text is not None:
            print(
                f"hlz: dry run: would add '{done.lab}: {done.block}' to hlz:spokes in "
                f"{done.landing_zone_file.name} and write {done.stack_file.name}",
                file=sys.stderr,
            )
        else:
            print(f"hlz: dry run: would write {done.stack_file.name}", file=sys.stderr)
        return EXIT_OK
    if done.landing_zone_text is not None:
        print(
            f"Wrote {display_path(done.landing_zone_file)} (hlz:spokes: {done.lab}: {done.block})",
            file=sys.stderr,
        )
    print(f"Wrote {display_path(done.stack_file)}", file=sys.stderr)
    print(
        f"Next: review {done.stack_file.name} (optional services and the model deployment "
        f"template are commented out), run `hlz plan {done.stack}`, and deploy "
        f"{done.landing_zone} before {done.stack}: its firewall lets the new spoke out. "
        f"The stack needs its deploy job and environment (docs/onboarding.md).",
        file=sys.stderr,
    )
    return EXIT_OK


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


def _pending_writes(
    checked: Checked, paths: dict[str, Path], out_dir: Path | None
) -> list[PendingWrite]:
    """The files asked for by option (``paths``: ``json``, ``sarif``, ``markdown``; ``hlz
    check`` has no ``--json``), then every file of ``--out-dir`` (``hlz plan`` only)."""
    from hlz.plan_many import PendingWrite

    writes = [
        PendingWrite(paths[output.dest], output.render(checked))
        for output in OUTPUT_FORMATS
        if paths.get(output.dest) is not None
    ]
    if out_dir is not None:
        writes += [
            PendingWrite(
                out_dir / f"{checked.stack}{output.suffix}", output.render(checked), True
            )
            for output in OUTPUT_FORMATS
        ]
    return writes


def _output_paths(args: argparse.Namespace) -> dict[str, Path]:
    return {
        output.dest: path
        for output in OUTPUT_FORMATS
        if (path := getattr(args, output.dest, None)) is not None
    }


def _write_outputs(checked: Checked, args: argparse.Namespace) -> None:
    for pending in _pending_writes(checked, _output_paths(args), getattr(args, "out_dir", None)):
        _write(pending.path, pending.text, no_symlink=pending.no_symlink)


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
        if is_input_error(error):
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


@dataclass(frozen=True)
class _PlanSettings:
    """What ``hlz plan`` does with each stack, the same in this process and in a worker (where
    it arrives pickled)."""

    exemptions: tuple[Exemption, ...]
    fail_on_unknown: str
    quiet: bool
    preview: bool
    keeps: bool
    """Plan from the stack's own file with hlz's program, in full: the planner keeps the plan
    (and reuses one it holds), so a landing zone planned for itself is the one its labs read."""
    stack_file: Path | None
    program: Path | None
    paths: tuple[tuple[str, Path], ...]
    """``--json``, ``--sarif``, ``--markdown`` (one stack): output dest -> path."""
    out_dir: Path | None
    labelled: bool
    """Several stacks: an error message names its stack."""


def _plan_one(settings: _PlanSettings, planner: Planner, name: str) -> StackOutcome:
    """One stack's ``hlz plan``: plan, check, and render what is printed and written. Never
    raises: a failure is the outcome's exit code and message (hlz/plan_many.py)."""
    from hlz.plan import plan_summary
    from hlz.plan_many import StackOutcome
    from hlz.policy_check import check_plan
    from hlz.render.summary import policy_summary
    from hlz.stackfiles import load_stack_file

    started = time.perf_counter()
    try:
        if settings.keeps:
            plan = _planned_stack(planner.planned, name)
        else:
            stack_file = None
            if settings.stack_file is not None:
                stack_file = load_stack_file(name, path=settings.stack_file)
            plan = _planned_stack(
                planner.plan,
                name,
                preview=settings.preview,
                stack_file=stack_file,
                program_file=settings.program,
            )
        plan_seconds = time.perf_counter() - started
        document = plan.to_json()
        report = check_plan(
            document,
            exemptions=list(settings.exemptions),
            fail_on_unknown=settings.fail_on_unknown,
        )
        document["hlz"]["policy"] = report.to_json()
        elapsed = time.perf_counter() - started
        if settings.quiet:
            verdict = _verdict(report)
            stdout = f"{name}: {len(plan.custom_resources)} resources, {verdict} ({elapsed:.1f}s)\n"
        else:
            stdout = (
                f"{plan_summary(plan)}\n{policy_summary(report)}\n"
                f"  planned in {plan_seconds:.1f}s, checked in {elapsed - plan_seconds:.2f}s\n\n"
            )
        writes = _pending_writes(
            Checked(name, document, report), dict(settings.paths), settings.out_dir
        )
    except Exception as error:  # noqa: BLE001 - this stack's outcome; the others go on
        code, message = _failure(error, name if settings.labelled else None)
        return StackOutcome(name, code, error=message, seconds=time.perf_counter() - started)
    code = EXIT_POLICY if report.fails else EXIT_OK
    return StackOutcome(name, code, stdout, writes=tuple(writes), seconds=elapsed)


def _project_dir(args: argparse.Namespace) -> Path:
    from hlz.stackfiles import project_root

    if args.project_dir is None:
        return project_root()
    if not args.project_dir.is_dir():
        raise UsageError(f"--project-dir {args.project_dir} is not a directory")
    return args.project_dir


def _plan(args: argparse.Namespace, planner: Planner | None = None) -> int:
    """``hlz plan``; ``planner``: plan in this process with it (tests share the session's)."""
    from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID
    from hlz.plan import Planner
    from hlz.plan_many import StackOutcome, plan_stacks
    from hlz.policy_check import load_project_exemptions
    from hlz.stackfiles import available_stacks, check_stack_names

    root = _project_dir(args)
    names: list[str] = list(args.stacks)
    if args.all:
        names = names or available_stacks(root)
        if not names:
            raise UsageError(f"--all: there is no Pulumi.<stack>.yaml in {root}")
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
    settings = _PlanSettings(
        exemptions=tuple(exemptions),
        fail_on_unknown=args.fail_on_unknown,
        quiet=args.quiet,
        preview=args.preview,
        keeps=not args.preview and args.stack_file is None and args.program is None,
        stack_file=args.stack_file,
        program=args.program,
        paths=tuple(_output_paths(args).items()),
        out_dir=args.out_dir,
        labelled=not single,
    )
    # One planner per process: a landing zone its labs reference is planned once, and its plan
    # goes to the workers that plan the labs.
    make_planner = functools.partial(
        Planner,
        subscription_id=_given(args.subscription_id, DEFAULT_SUBSCRIPTION_ID),
        tenant_id=_given(args.tenant_id, DEFAULT_TENANT_ID),
        root=root,
    )
    worst = EXIT_OK

    def emit(outcome: StackOutcome) -> None:
        nonlocal worst
        worst = max(worst, outcome.code)
        sys.stdout.write(outcome.stdout)
        sys.stdout.flush()
        if outcome.error:
            print(outcome.error, file=sys.stderr, flush=True)
        for pending in outcome.writes:
            _write(pending.path, pending.text, no_symlink=pending.no_symlink)

    def failed(stack: str, error: Exception) -> StackOutcome:
        code, message = _failure(error, stack if not single else None)
        return StackOutcome(stack, code, error=message)

    try:
        summary = plan_stacks(
            [(name, args.stack_file or root / f"Pulumi.{name}.yaml") for name in names],
            functools.partial(_plan_one, settings),
            make_planner,
            root=root,
            jobs=args.jobs or os.cpu_count() or 1,
            keeps=settings.keeps,
            emit=emit,
            failed=failed,
            planner=planner,
        )
    except KeyboardInterrupt:
        print("hlz: interrupted; no further stack is planned or written", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not single:
        print(summary.line(), file=sys.stderr)
    return worst


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
    raise UsageError(
        "name a report: compliance, ai-inventory, inventory, phi-map or model-cards"
    )


def _compliance(args: argparse.Namespace) -> int:
    from hlz.policy_check import check_plan
    from hlz.render.compliance import compliance_matrix
    from hlz.stackfiles import available_stacks

    names = list(args.stacks) or available_stacks()
    planner = _planner()
    reports, documents = [], []
    for name in names:
        print(f"Planning {name} ...", file=sys.stderr, flush=True)
        document = _planned_stack(planner.planned, name).to_json()
        documents.append(document)
        reports.append(check_plan(document, exemptions_path=args.exemptions))
    _write(args.out, compliance_matrix(reports, documents))
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


def _report_plan(args: argparse.Namespace) -> dict[str, Any]:
    """The plan document a report reads: ``--plan`` (a saved plan of STACK), else STACK planned
    offline (with ``--stack-file``)."""
    if args.plan is None:
        print(f"Planning {args.stack} ...", file=sys.stderr, flush=True)
        plan = _planned_stack(_planner().plan, args.stack, stack_file=_stack_file(args))
        return plan.to_json()
    from hlz.stack_plans import read_saved_plan

    if args.stack_file is not None:
        raise UsageError("--plan and --stack-file exclude each other: the plan was made already")
    return read_saved_plan(args.plan, args.stack)


def _resource_inventory(args: argparse.Namespace) -> int:
    from hlz.render.inventory_resources import inventory_csv, inventory_json, resource_inventory

    rows = resource_inventory(_report_plan(args))
    if args.csv is None and args.json is None:
        sys.stdout.write(inventory_csv(rows))
    if args.csv is not None:
        _write(args.csv, inventory_csv(rows))
    if args.json is not None:
        _write(args.json, _json_text(inventory_json(rows)))
    return EXIT_OK


def _phi_map(args: argparse.Namespace) -> int:
    from hlz.render import phi_map

    document = _report_plan(args)
    bare = args.out is not None and args.out.suffix == ".mmd"
    text = phi_map.mermaid(document) if bare else phi_map.markdown(document)
    if args.out is None:
        print(text)
    else:
        _write(args.out, text)
    return EXIT_OK


def _model_cards(args: argparse.Namespace) -> int:
    from hlz.render.model_cards import model_cards

    cards = model_cards(_report_plan(args))
    if args.out is None:
        print(_json_text(list(cards.values())), end="")
        return EXIT_OK
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} is a file; model-cards writes a directory")
    for name, card in cards.items():
        _write(args.out / name, _json_text(card), no_symlink=True)
    if not cards:
        print(f"{args.stack}: no model deployment planned; no card written", file=sys.stderr)
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
    from hlz.stackfiles import stack_entries

    entries = stack_entries(_project_dir(args))
    if args.json:
        print(json.dumps({"include": [entry.to_json() for entry in entries]}, indent=2))
        return EXIT_OK
    print(f"{'stack':<16} {'layer':<14} {'profile':<11} {'landing zone':<16} deploy order")
    for entry in entries:
        layer, profile = entry.layer or "?", entry.profile or "?"
        landing_zone = entry.landing_zone or "-"
        print(f"{entry.name:<16} {layer:<14} {profile:<11} {landing_zone:<16} {entry.order}")
    return EXIT_OK


def _failure(error: Exception, stack: str | None = None) -> tuple[int, str]:
    """The exit code and message for an error: the user's input (2), the stack program (3) or
    hlz itself (3, a bug to report). With ``stack`` (one of several planned), it is named."""
    prefix = f"hlz: {stack}: " if stack else "hlz: "
    if isinstance(error, UsageError):
        return EXIT_USAGE, f"{prefix}error: {error}"
    if isinstance(error, ProgramFailed):
        return EXIT_PROGRAM_FAILED, f"{prefix}the stack program failed: {error}"
    if is_input_error(error):
        return EXIT_USAGE, f"{prefix}{error}"
    return EXIT_PROGRAM_FAILED, (
        f"{prefix}internal error: {type(error).__name__}: {error}\n"
        "hlz: this is a bug in hlz, not in your configuration or stack program; please "
        "report it with the command you ran and this message"
    )


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
    except Exception as error:  # noqa: BLE001 - never a traceback; say whose fault it is
        code, message = _failure(error)
        print(message, file=sys.stderr)
        return code


def entry() -> None:
    sys.exit(main())
