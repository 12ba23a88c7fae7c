"""``hlz lab new``: onboard a lab team onto a landing zone.

One command gives a team its spoke: the first free block of the asked size in the landing
zone's ``hlz:spokeAddressPool`` (clear of the hub, every allocated spoke and the VPN clients'
pool, of this and every other landing zone in the project), an entry for it in the landing
zone's ``hlz:spokes`` table, and ``Pulumi.<stack>.yaml`` for the lab, every key written or
shown commented out, with a governance-record template for its first model deployment. What it
writes is checked by the lab's own config model first; a problem is reported with the option
that supplied the value, and nothing is written.

| situation                                         | result                                   |
|---------------------------------------------------|------------------------------------------|
| lab not allocated, no stack file                  | allocate, add to hlz:spokes, write file   |
| lab allocated (by hand, or a run cut short), no   | keep that block (``--size`` must agree),  |
| stack file                                        | write the file                            |
| the stack file exists and is this lab on this     | nothing to do (exit 0): idempotent        |
| landing zone at its allocated block               |                                           |
| the stack file exists and is anything else        | refused (exit 2): never overwritten       |
| another stack file is already this lab on this    | refused (exit 2)                          |
| landing zone                                      |                                           |

Deterministic: the same landing-zone file and the same options give the same block and the
same bytes (``--budget-start`` defaults to the first day of next month, UTC). The landing
zone's file is edited as text, so its comments stay: the new entry goes after the last one of
``hlz:spokes``, and the edit is re-read and compared with the intended table before it is
written. Both files are written whole (a temporary file renamed over), the landing zone first:
a run cut short between the two leaves an allocation without a stack file, which the next run
completes.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from components.errors import ConfigError
from components.specs import cidr_problem, email_problem
from hlz.stackfiles import available_stacks, load_stack_file, project_root
from policies.alerting import first_of_month
from policies.clock import utc_today
from policies.vocabulary import CLASSIFICATION_TAG
from stacks.common import LAB_NAME, key, stack_name_problem

SIZES = range(16, 25)
"""Prefix lengths a spoke may have: /24 at the smallest (each of its four subnets a /26, the
gateway's /27 inside the third), /16 at the largest."""
DEFAULT_SIZE = 22
SOURCE = "hlz lab new"

OPTION_OF_KEY = {
    "hlz:lab": "NAME",
    "hlz:location": "--location",
    "hlz:prefix": "--prefix",
    "hlz:tags.owner": "--owner",
    "hlz:tags.cost-center": "--cost-center",
    "hlz:tags.environment": "--environment",
    "hlz:tags.data-classification": "--data-classification",
    "hlz:memberGroupIds": "--member-group-id",
    "hlz:budget.amount": "--budget",
    "hlz:budget.startDate": "--budget-start",
    "hlz:budget.ownerEmails": "--budget-email",
}
"""The config key each option fills in: a problem with a written value names both."""


@dataclass(frozen=True)
class LabRequest:
    """What ``hlz lab new`` was asked for; None: taken from the landing zone."""

    lab: str
    landing_zone: str
    owner: str
    cost_center: str
    member_group_ids: list[str]
    budget: int
    stack: str | None = None
    size: int | None = None
    budget_start: date | None = None
    budget_emails: list[str] = field(default_factory=list)
    location: str | None = None
    prefix: str | None = None
    environment: str | None = None
    data_classification: str | None = None


@dataclass(frozen=True)
class Onboarding:
    """The outcome: what was (or, with ``dry_run``, would be) written."""

    stack: str
    lab: str
    landing_zone: str
    block: str
    allocated: bool
    """A new block was taken from the pool (False: the landing zone had one for the lab)."""
    stack_file: Path
    stack_text: str
    landing_zone_file: Path
    landing_zone_text: str | None
    """The landing zone's new text, None when its table already held the lab."""
    unchanged: bool = False
    """The lab was onboarded already: nothing to write."""


def allocate(pool: Sequence[str], taken: Iterable[str], prefix_length: int) -> str | None:
    """The first /``prefix_length`` block, in the pool's order and then by address, that
    overlaps none of ``taken``; None when the pool has no such block. Skips past each taken
    range it meets instead of trying every block in it."""
    used = sorted(
        (int(net.network_address), int(net.broadcast_address))
        for net in (ipaddress.IPv4Network(cidr) for cidr in taken)
    )
    size = 2 ** (32 - prefix_length)
    for cidr in pool:
        block = ipaddress.IPv4Network(cidr)
        if block.prefixlen > prefix_length:
            continue
        start, last = int(block.network_address), int(block.broadcast_address)
        while start + size - 1 <= last:
            end = start + size - 1
            blocking = [high for low, high in used if low <= end and high >= start]
            if not blocking:
                return str(ipaddress.IPv4Network((start, prefix_length)))
            start = (max(blocking) // size + 1) * size
    return None


def lab_subnets(block: str) -> dict[str, str]:
    """The lab's subnets in its block, by quarter: private endpoints, workloads, the AI
    gateway's /27 (the start of the third), the Agent Service's. A /22 gives the examples'
    layout: /24, /24, /27, /24."""
    quarters = list(ipaddress.IPv4Network(block).subnets(prefixlen_diff=2))
    gateway = (
        next(quarters[2].subnets(new_prefix=27)) if quarters[2].prefixlen < 27 else quarters[2]
    )
    return {
        "privateEndpoints": str(quarters[0]),
        "workloads": str(quarters[1]),
        "gateway": str(gateway),
        "agents": str(quarters[3]),
    }


def onboard(
    request: LabRequest,
    root: Path | None = None,
    today: date | None = None,
    dry_run: bool = False,
) -> Onboarding:
    """Onboard ``request.lab``; raises ConfigError listing every problem (nothing written)."""
    from stacks.landing_zone.config import load_landing_zone_config

    root = root or project_root()
    today = today or utc_today()
    stack = request.stack or request.lab
    problems = _request_problems(request, stack)
    try:
        landing_zone_file = load_stack_file(request.landing_zone, root=root)
    except ConfigError as error:
        raise ConfigError(
            problems + [("--landing-zone", message) for _, message in error.problems], SOURCE
        ) from None
    if landing_zone_file.layer != "landing_zone":
        problems.append(
            (
                "--landing-zone",
                f"{request.landing_zone} is not a landing-zone stack (its hlz:layer is "
                f"{landing_zone_file.layer or 'not set'}, not landing_zone)",
            )
        )
    if problems:
        raise ConfigError(problems, SOURCE)
    try:
        landing_zone = load_landing_zone_config(
            landing_zone_file.hlz_config(), request.landing_zone, today
        )
    except ConfigError as error:
        raise ConfigError(
            [(f"{landing_zone_file.path.name} {k}", m) for k, m in error.problems],
            f"landing zone {request.landing_zone} (fix it first: hlz plan {request.landing_zone})",
        ) from None

    stack_path = root / f"Pulumi.{stack}.yaml"
    configs = _readable_configs(root)
    claimed = [
        name
        for name, config in configs.items()
        if name != stack and _is_lab(config, request.lab, request.landing_zone)
    ]
    if claimed:
        raise _refused(
            "NAME",
            f"'{request.lab}' is onboarded on {request.landing_zone} already, as stack "
            f"{', '.join(claimed)}; a lab has one stack per landing zone",
        )

    allocated_block = landing_zone.spokes.get(request.lab)
    if allocated_block is not None:
        block, allocated = allocated_block, False
        length = ipaddress.IPv4Network(block).prefixlen
        if request.size is not None and request.size != length:
            raise _refused(
                "--size",
                f"/{request.size} differs from {request.lab}'s allocation {block} in "
                f"{request.landing_zone}'s hlz:spokes; leave --size out to use it, or "
                "change the allocation by hand",
            )
        if length not in SIZES:
            raise _refused(
                key("spokes", request.lab),
                f"{block} is a /{length}; hlz lab new lays out spokes of /{SIZES[0]} "
                f"to /{SIZES[-1]}: write this lab's file by hand",
                f"landing zone {request.landing_zone}",
            )
    else:
        if not landing_zone.spoke_address_pool:
            raise _refused(
                f"{landing_zone_file.path.name} {key('spokeAddressPool')}",
                "is not set: list the ranges this landing zone's spokes are allocated "
                "from (every hlz:spokes entry inside them), e.g. [10.1.0.0/16]",
                f"landing zone {request.landing_zone}",
            )
        # Every range of every landing zone of the project, this one's and the others': two
        # may meet on-premises (both forward to the same DNS servers, for one), so no two
        # networks of the project ever overlap.
        taken = [cidr for config in configs.values() for cidr in _landing_zone_ranges(config)]
        size = request.size or DEFAULT_SIZE
        found = allocate(landing_zone.spoke_address_pool, taken, size)
        if found is None:
            raise _refused(
                "--size",
                f"no free /{size} is left in {request.landing_zone}'s "
                f"hlz:spokeAddressPool ({', '.join(landing_zone.spoke_address_pool)}): "
                "add a range to the pool, or ask for a smaller block",
            )
        block, allocated = found, True

    if stack_path.exists():
        this_lab = _is_lab(configs.get(stack), request.lab, request.landing_zone)
        if allocated and this_lab:
            raise _refused(
                key("spokes", request.lab),
                f"{stack_path.name} is {request.lab} on {request.landing_zone}, but "
                f"{landing_zone_file.path.name} has no allocation for it: add "
                f"'{request.lab}: <its hlz:addressSpace>' to hlz:spokes by hand (a new "
                "block would not be the one the stack file uses), or remove the file",
                f"landing zone {request.landing_zone}",
            )
        if not allocated and this_lab and configs[stack].get("hlz:addressSpace") == block:
            return Onboarding(
                stack=stack,
                lab=request.lab,
                landing_zone=request.landing_zone,
                block=block,
                allocated=False,
                stack_file=stack_path,
                stack_text=stack_path.read_text(encoding="utf-8"),
                landing_zone_file=landing_zone_file.path,
                landing_zone_text=None,
                unchanged=True,
            )
        raise _refused(
            "--stack" if request.stack else "NAME",
            f"{stack_path.name} exists and is not {request.lab} on "
            f"{request.landing_zone} at {block}; hlz lab new never overwrites a stack "
            "file: choose another stack name with --stack, or remove the file",
        )

    text = render_lab_file(
        request,
        stack=stack,
        block=block,
        profile=landing_zone.profile,
        location=request.location or landing_zone.location,
        prefix=request.prefix or landing_zone.prefix,
        environment=request.environment or landing_zone.tags.get("environment", ""),
        classification=request.data_classification or landing_zone.tags.get(CLASSIFICATION_TAG, ""),
        budget_start=request.budget_start or first_of_month(today, 1),
        today=today,
    )
    _check_written(text, stack, today)
    new_landing_zone = None
    if allocated:
        new_landing_zone = add_spoke(
            landing_zone_file.path.read_text(encoding="utf-8"), request.lab, block
        )
    if not dry_run:
        if new_landing_zone is not None:
            _write(landing_zone_file.path, new_landing_zone)
        try:
            _write(stack_path, text, exclusive=True)
        except FileExistsError:
            raise _refused(
                "--stack" if request.stack else "NAME",
                f"{stack_path.name} appeared while hlz lab new ran; it was not "
                "overwritten: run the command again",
            ) from None
    return Onboarding(
        stack=stack,
        lab=request.lab,
        landing_zone=request.landing_zone,
        block=block,
        allocated=allocated,
        stack_file=stack_path,
        stack_text=text,
        landing_zone_file=landing_zone_file.path,
        landing_zone_text=new_landing_zone,
    )


def _refused(where: str, message: str, source: str = SOURCE) -> ConfigError:
    """One problem: ``where`` (an option, NAME or a config key) and what is wrong there."""
    return ConfigError([(where, message)], source)


def _request_problems(request: LabRequest, stack: str) -> list[tuple[str, str]]:
    """What the command line alone shows is wrong (the config model checks the rest)."""
    problems: list[tuple[str, str]] = []
    if not LAB_NAME.fullmatch(request.lab):
        problems.append(
            ("NAME", f"'{request.lab}': lab names are 3-16 lowercase letters, digits and hyphens")
        )
    if (problem := stack_name_problem(stack)) is not None:
        problems.append(("--stack", problem))
    if stack == request.landing_zone:
        problems.append(("--stack", f"'{stack}' is the landing zone's own stack"))
    for option, emails in (("--owner", [request.owner]), ("--budget-email", request.budget_emails)):
        problems += [
            (option, problem) for email in emails if (problem := email_problem(email)) is not None
        ]
    if request.size is not None and request.size not in SIZES:
        problems.append(
            (
                "--size",
                f"/{request.size}: a spoke is a /{SIZES[0]} to /{SIZES[-1]} (four subnets: "
                "private endpoints, workloads, AI gateway, Agent Service)",
            )
        )
    return problems


def _readable_configs(root: Path) -> dict[str, dict[str, Any]]:
    """Every stack file of the project that can be read: name -> its config, read once for
    every question below (an unreadable file is skipped here: ``hlz stacks`` and ``hlz plan``
    report it)."""
    configs: dict[str, dict[str, Any]] = {}
    for name in available_stacks(root):
        try:
            configs[name] = load_stack_file(name, root=root).config
        except ConfigError:
            continue
    return configs


def _is_lab(config: dict[str, Any] | None, lab: str, landing_zone: str) -> bool:
    """``config`` is the AI lab ``lab`` on ``landing_zone``."""
    reference = config.get("hlz:landingZoneStack") if config is not None else None
    return (
        config is not None
        and config.get("hlz:layer") == "ai_lab"
        and config.get("hlz:lab") == lab
        and isinstance(reference, str)
        and reference.rsplit("/", 1)[-1] == landing_zone
    )


def _landing_zone_ranges(config: dict[str, Any]) -> list[str]:
    """The ranges a landing zone's file uses (hub, spokes, VPN clients); a value that is no
    range is skipped here: ``hlz plan`` reports it."""
    if config.get("hlz:layer") != "landing_zone":
        return []
    hub = config.get("hlz:hub")
    spokes = config.get("hlz:spokes")
    vpn = config.get("hlz:vpnGateway")
    candidates = [
        hub.get("addressSpace") if isinstance(hub, dict) else None,
        *(spokes.values() if isinstance(spokes, dict) else ()),
        vpn.get("clientAddressPool") if isinstance(vpn, dict) else None,
    ]
    return [c for c in candidates if isinstance(c, str) and cidr_problem(c) is None]


def _check_written(text: str, stack: str, today: date) -> None:
    """The lab's own config model on what would be written: structure, then every semantic
    problem its landing zone plays no part in, each named with the option behind it."""
    from stacks.ai_lab.config import own_problems, parse_ai_lab_config

    raw = {
        name.removeprefix("hlz:"): value
        for name, value in (yaml.safe_load(text)["config"] or {}).items()
    }
    try:
        problems = own_problems(parse_ai_lab_config(raw), stack, today)
    except ConfigError as error:
        problems = list(error.problems)
    if problems:
        raise ConfigError([(_with_option(k), m) for k, m in problems], SOURCE)


def _with_option(config_key: str) -> str:
    for written, option in OPTION_OF_KEY.items():
        if config_key == written or config_key.startswith((f"{written}.", f"{written}[")):
            return f"{option} ({config_key})"
    return config_key


def add_spoke(text: str, lab: str, block: str) -> str:
    """The landing zone's file with ``lab: block`` after the last entry of ``hlz:spokes``
    (created at the end of ``config:`` when missing), comments and layout untouched. The
    result is re-read: anything but the old document plus that one entry is refused."""
    lines = text.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if re.match(r"^(\s+)hlz:spokes:\s*(#.*)?$", line)),
        None,
    )
    if start is None:
        if any(re.match(r"^\s+hlz:spokes:", line) for line in lines):
            raise _cannot_edit("hlz:spokes is not a block mapping (one 'lab: range' per line)")
        indent = "  "
        ending = "" if text.endswith("\n") or not text else "\n"
        new = f"{text}{ending}{indent}hlz:spokes:\n{indent * 2}{lab}: {block}\n"
    else:
        indent = re.match(r"^(\s+)", lines[start]).group(1)  # type: ignore[union-attr]
        last, entry_indent = start, None
        for index in range(start + 1, len(lines)):
            line = lines[index]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            current = line[: len(line) - len(line.lstrip())]
            if len(current) <= len(indent):
                break
            entry_indent = entry_indent or current
            last = index
        entry_indent = entry_indent or indent * 2
        if not lines[last].endswith("\n"):
            lines[last] += "\n"
        lines.insert(last + 1, f"{entry_indent}{lab}: {block}\n")
        new = "".join(lines)
    before = (yaml.safe_load(text) or {}).get("config") or {}
    after = (yaml.safe_load(new) or {}).get("config") or {}
    wanted = dict(before)
    wanted["hlz:spokes"] = {**(before.get("hlz:spokes") or {}), lab: block}
    if after != wanted:
        raise _cannot_edit("the edit would change more than hlz:spokes")
    return new


def _cannot_edit(why: str) -> ConfigError:
    return ConfigError(
        [
            (
                key("spokes"),
                f"cannot be updated automatically ({why}): add the lab's entry by hand",
            )
        ],
        SOURCE,
    )


def _write(path: Path, text: str, exclusive: bool = False) -> None:
    """Write ``text`` whole: to a temporary file beside ``path``, renamed over it (with
    ``exclusive``, linked only where no file is: never overwritten, even by a race)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if exclusive:
            os.link(temporary, path)  # FileExistsError if a file appeared meanwhile
        else:
            os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def render_lab_file(
    request: LabRequest,
    *,
    stack: str,
    block: str,
    profile: str,
    location: str,
    prefix: str,
    environment: str,
    classification: str,
    budget_start: date,
    today: date,
) -> str:
    """``Pulumi.<stack>.yaml`` for a new lab: every key of the AI-lab config, set or shown
    commented out with its default, and a governance-record template."""
    from hlz.onboard_template import LAB_TEMPLATE, cost_lines

    subnets = lab_subnets(block)
    members = "\n".join(f"    - {_scalar(group)}" for group in request.member_group_ids)
    emails = request.budget_emails or [request.owner]
    return LAB_TEMPLATE.format(
        lab=request.lab,
        stack=stack,
        landing_zone=request.landing_zone,
        profile=profile,
        location=_scalar(location),
        prefix=_scalar(prefix),
        owner=_scalar(request.owner),
        cost_center=_scalar(request.cost_center),
        environment=_scalar(environment),
        classification=_scalar(classification),
        block=block,
        private_endpoints=subnets["privateEndpoints"],
        workloads=subnets["workloads"],
        gateway=subnets["gateway"],
        agents=subnets["agents"],
        members=members,
        first_member=request.member_group_ids[0] if request.member_group_ids else "",
        budget=request.budget,
        budget_start=budget_start.isoformat(),
        budget_emails="\n".join(f"      - {_scalar(email)}" for email in emails),
        approval_expires=date(today.year + 1, today.month, min(today.day, 28)).isoformat(),
        cost=cost_lines(),
        shutdown=(
            "none by default in production (the host stays on); for a daily one"
            if profile == "production"
            else "daily at 19:00 UTC by default in the lab profile; to change it"
        ),
    )


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same string: plain when it does,
    else double-quoted (a cost centre of ``1000`` or ``yes`` stays text)."""
    plain = value.strip() == value and value != "" and "#" not in value and ": " not in value
    if plain:
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)
