"""``hlz lab new``: allocation from the landing zone's pool, the stack file it writes (every key,
valid as written and with every commented block uncommented), the landing zone's table edited
with its comments kept, idempotence, and every refusal (exit 2, nothing written)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from components.errors import ConfigError
from hlz.onboard import LabRequest, add_spoke, allocate, lab_subnets, onboard
from stacks.ai_lab.config import AiLabConfig, own_problems, parse_ai_lab_config
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

TODAY = date(2026, 11, 30)
"""The day the checked-in Pulumi.genomics.yaml was written (its template's approval date)."""
GROUP = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
GENOMICS = [
    "genomics", "--landing-zone", "lz-prod", "--owner", "genomics-team@example.org",
    "--cost-center", "CC-3107", "--member-group-id", GROUP, "--budget", "4000",
    "--budget-start", "2027-01-01",
]  # fmt: skip
"""The command that onboarded the example lab (README, docs/onboarding.md)."""
GENOMICS_LINE = "    genomics: 10.101.4.0/22\n"


def genomics_request(**changes: Any) -> LabRequest:
    values: dict[str, Any] = {
        "lab": "genomics",
        "landing_zone": "lz-prod",
        "owner": "genomics-team@example.org",
        "cost_center": "CC-3107",
        "member_group_ids": [GROUP],
        "budget": 4000,
        "budget_start": date(2027, 1, 1),
    }
    return LabRequest(**{**values, **changes})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The example project as it was before genomics was onboarded."""
    for path in ROOT.glob("Pulumi.*.yaml"):
        if path.name != "Pulumi.genomics.yaml":
            shutil.copy(path, tmp_path / path.name)
    landing_zone = tmp_path / "Pulumi.lz-prod.yaml"
    text = landing_zone.read_text()
    assert text.count(GENOMICS_LINE) == 1
    landing_zone.write_text(text.replace(GENOMICS_LINE, ""))
    return tmp_path


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


# --- allocation ----------------------------------------------------------------------------


def test_allocation_is_the_first_free_aligned_block_in_pool_order():
    taken = ["10.0.0.0/22", "10.0.4.0/24", "10.0.12.0/22"]
    assert allocate(["10.0.0.0/16"], taken, 22) == "10.0.8.0/22"
    assert allocate(["10.0.0.0/16"], taken, 24) == "10.0.5.0/24"
    assert allocate(["10.0.0.0/16"], taken, 20) == "10.0.16.0/20"
    # Pool order before address order; a pool block smaller than the size is skipped.
    assert allocate(["10.9.0.0/23", "10.5.0.0/16"], [], 22) == "10.5.0.0/22"
    assert allocate(["10.9.0.0/16", "10.5.0.0/16"], [], 22) == "10.9.0.0/22"
    # A taken range larger than the pool block covers all of it.
    assert allocate(["10.0.0.0/16"], ["10.0.0.0/8"], 22) is None
    assert allocate(["10.0.0.0/22"], ["10.0.0.0/24"], 22) is None


def test_subnets_are_the_blocks_quarters():
    assert lab_subnets("10.101.4.0/22") == {
        "privateEndpoints": "10.101.4.0/24",
        "workloads": "10.101.5.0/24",
        "gateway": "10.101.6.0/27",
        "agents": "10.101.7.0/24",
    }
    assert lab_subnets("10.8.0.0/24")["gateway"] == "10.8.0.128/27"  # a /26 quarter's first /27
    assert lab_subnets("10.8.0.0/20")["agents"] == "10.8.12.0/22"


# --- the example ---------------------------------------------------------------------------


def test_the_genomics_example_is_what_hlz_lab_new_writes(project: Path):
    before_lz = (project / "Pulumi.lz-prod.yaml").read_text()
    done = onboard(genomics_request(), root=project, today=TODAY)
    assert (done.block, done.allocated, done.unchanged) == ("10.101.4.0/22", True, False)
    assert (project / "Pulumi.genomics.yaml").read_bytes() == (
        ROOT / "Pulumi.genomics.yaml"
    ).read_bytes()
    after_lz = (project / "Pulumi.lz-prod.yaml").read_text()
    assert after_lz == (ROOT / "Pulumi.lz-prod.yaml").read_text()
    # Only the new entry differs: the comments and every other line stay as they were.
    assert after_lz.replace(GENOMICS_LINE, "") == before_lz


def test_the_next_free_block_skips_the_hub_and_every_spoke(project: Path):
    """lz-prod's pool is 10.101.0.0/16 and 10.102.0.0/16: clinical-nlp holds 10.101.0.0/22,
    imaging 10.102.0.0/22; the next /22 is 10.101.4.0, the next /16 is none."""
    first = onboard(genomics_request(), root=project, today=TODAY)
    second = onboard(
        genomics_request(lab="neuro", size=21), root=project, today=TODAY, dry_run=True
    )
    assert (first.block, second.block) == ("10.101.4.0/22", "10.101.8.0/21")
    with pytest.raises(ConfigError) as refused:
        onboard(genomics_request(lab="big", size=16), root=project, today=TODAY)
    assert refused.value.problems == [
        (
            "--size",
            "no free /16 is left in lz-prod's hlz:spokeAddressPool (10.101.0.0/16, "
            "10.102.0.0/16): add a range to the pool, or ask for a smaller block",
        )
    ]


def test_the_block_is_clear_of_the_projects_other_landing_zones(project: Path):
    """Two landing zones may meet on-premises: a spoke of another one (here a hand-made
    landing zone holding 10.101.4.0/22) is skipped as if it were lz-prod's own."""
    other = yaml.safe_load((project / "Pulumi.lz-dev.yaml").read_text())
    other["config"]["hlz:spokes"] = {"elsewhere": "10.101.4.0/22"}
    other["config"]["hlz:spokeAddressPool"] = ["10.101.4.0/22"]
    (project / "Pulumi.lz-other.yaml").write_text(yaml.safe_dump(other))
    done = onboard(genomics_request(), root=project, today=TODAY, dry_run=True)
    assert done.block == "10.101.8.0/22"


# --- the stack file ------------------------------------------------------------------------


def _aliases(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation holds (X, X | None, list[X], dict[str, X])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [
        model for argument in getattr(annotation, "__args__", ()) for model in _models(argument)
    ]


def test_the_stack_file_shows_every_key_of_the_lab_config():
    text = (ROOT / "Pulumi.genomics.yaml").read_text()
    missing = [f"hlz:{alias}" for alias in _aliases(AiLabConfig) if f"hlz:{alias}:" not in text]
    pending: list[type[BaseModel]] = [
        model for field in AiLabConfig.model_fields.values() for model in _models(field.annotation)
    ]
    seen: set[type[BaseModel]] = set()
    while pending:  # every nested section, down to the governance record
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        missing += [
            f"{model.__name__}.{alias}"
            for alias in _aliases(model)
            if not re.search(rf"(^|[\s#-]){re.escape(alias)}:", text, re.MULTILINE)
        ]
        pending += [m for field in model.model_fields.values() for m in _models(field.annotation)]
    # Override-like sections are shown by name with what they hold, not key by key.
    shown_by_name = {"Override.reason", "Override.expires", "BodyLogging.reason"}
    shown_by_name |= {"BodyLogging.expires", "BodyLogging.workspaceId"}
    assert [name for name in missing if name not in shown_by_name] == []
    assert "# hlz:cost:" in text and "#   # cosmosRuPerSecond: not set by default" in text


def uncommented(text: str) -> str:
    """Every commented-out key and list item at the first level of comments made real (the
    optional services, the content filter, the deployment with its governance record, the
    project and the delegated subnets); prose and doubly commented lines stay comments."""
    lines = []
    for line in text.splitlines():
        match = re.match(r"^(\s*)# (\s*(?:[A-Za-z][\w-]*:|- ).*)$", line)
        lines.append(match.group(1) + match.group(2) if match else line)
    result = "\n".join(lines) + "\n"
    for empty in ("contentFilters: {}", "deployments: []", "projects: []"):
        result = result.replace(empty, empty.split(":")[0] + ":")
    return result.replace(
        "adminSshPublicKey: ssh-ed25519 AAAA... break-glass key kept offline",
        "adminSshPublicKey: ssh-ed25519 "
        "AAAAC3NzaC1lZDI1NTE5AAAAICFrqS7WpdYmqsuAZFAC99VBo59E2Vtl7BvHN3vbIS31 break-glass",
    )


def _raw(text: str) -> dict[str, Any]:
    return {k.removeprefix("hlz:"): v for k, v in yaml.safe_load(text)["config"].items()}


def test_the_stack_file_is_valid_as_written_and_with_every_block_uncommented(lz_prod):
    from stacks.ai_lab.config import validate_ai_lab_config

    text = (ROOT / "Pulumi.genomics.yaml").read_text()
    written = parse_ai_lab_config(_raw(text))
    validate_ai_lab_config(written, "genomics", lz_prod.outputs, TODAY)
    assert written.openai.deployments == [] and written.search is None
    everything = parse_ai_lab_config(_raw(uncommented(text)))
    validate_ai_lab_config(everything, "genomics", lz_prod.outputs, TODAY)
    assert [d.governance.approval_reference for d in everything.openai.deployments] == [
        "AIGB-0000-000"
    ]
    assert everything.search and everything.jump_host and everything.ai_gateway
    assert everything.agent_service and everything.openai.projects
    assert everything.openai.content_filters and everything.subnets.agents == "10.101.7.0/24"
    assert everything.cost.cosmos_ru_per_second is None  # doubly commented: stays a comment


def test_the_fully_uncommented_lab_plans_clean(tmp_path: Path):
    stack_file = tmp_path / "Pulumi.genomics.yaml"
    stack_file.write_text(uncommented((ROOT / "Pulumi.genomics.yaml").read_text()))
    code, out, err = run_hlz("plan", "genomics", "--stack-file", stack_file)
    assert code == 0, err
    assert "0 violations (0 mandatory)" in out and ", 0 errors, 0 unchecked" in out


def test_values_that_need_quotes_stay_text(project: Path):
    before = snapshot(project)
    done = onboard(
        genomics_request(lab="radiology", cost_center="1000", budget_emails=["on@example.org"]),
        root=project,
        today=TODAY,
        dry_run=True,
    )
    tags = yaml.safe_load(done.stack_text)["config"]["hlz:tags"]
    assert tags["cost-center"] == "1000"
    assert "cost-center: \"1000\"" in done.stack_text
    assert snapshot(project) == before  # dry run: nothing written
    assert not (project / "Pulumi.radiology.yaml").exists()


# --- the landing zone's table --------------------------------------------------------------


def test_the_entry_goes_after_the_last_one_and_comments_stay():
    text = (
        "config:\n"
        "  hlz:layer: landing_zone\n"
        "  # the table\n"
        "  hlz:spokes:   # lab -> range\n"
        "      alpha: 10.1.0.0/22   # first\n"
        "      # a note between entries\n"
        "      beta: 10.2.0.0/22\n"
        "  # the firewall\n"
        "  hlz:firewall: Basic\n"
    )
    assert add_spoke(text, "gamma", "10.1.4.0/22") == text.replace(
        "      beta: 10.2.0.0/22\n", "      beta: 10.2.0.0/22\n      gamma: 10.1.4.0/22\n"
    )
    missing = "config:\n  hlz:layer: landing_zone\n"
    assert add_spoke(missing, "gamma", "10.1.4.0/22") == (
        missing + "  hlz:spokes:\n    gamma: 10.1.4.0/22\n"
    )


def test_a_table_that_is_no_block_mapping_is_left_for_a_person():
    with pytest.raises(ConfigError) as refused:
        add_spoke("config:\n  hlz:spokes: {alpha: 10.1.0.0/22}\n", "gamma", "10.1.4.0/22")
    ((config_key, message),) = refused.value.problems
    assert config_key == "hlz:spokes" and "add the lab's entry by hand" in message


# --- the command ---------------------------------------------------------------------------


def test_hlz_lab_new_onboards_and_a_second_run_changes_nothing(project: Path):
    code, out, err = run_hlz("lab", "new", *GENOMICS, "--project-dir", project)
    assert code == 0, err
    assert out == ""
    assert "allocated 10.101.4.0/22 to genomics from lz-prod's hlz:spokeAddressPool" in err
    assert "run `hlz plan genomics`" in err
    assert "needs its deploy job and environment (docs/onboarding.md)" in err
    written = snapshot(project)
    code, out, err = run_hlz("lab", "new", *GENOMICS, "--project-dir", project)
    assert code == 0, err
    assert "is genomics on lz-prod at 10.101.4.0/22 already: nothing to do" in err
    assert snapshot(project) == written
    code, out, err = run_hlz("stacks", "--project-dir", project)
    assert "genomics         ai_lab         production  lz-prod          4" in out, out


def test_dry_run_prints_the_file_and_writes_nothing(project: Path):
    before = snapshot(project)
    code, out, err = run_hlz("lab", "new", *GENOMICS, "--dry-run", "--project-dir", project)
    assert code == 0, err
    assert out == (ROOT / "Pulumi.genomics.yaml").read_text().replace(
        "approvalExpires: 2027-11-28", f"approvalExpires: {_a_year_on()}"
    )
    assert "would add 'genomics: 10.101.4.0/22' to hlz:spokes in Pulumi.lz-prod.yaml" in err
    assert snapshot(project) == before


def _a_year_on() -> str:
    from policies.clock import utc_today

    today = utc_today()
    return date(today.year + 1, today.month, min(today.day, 28)).isoformat()


def test_an_allocated_lab_without_a_stack_file_gets_its_block(project: Path):
    """imaging has 10.102.0.0/22 in lz-prod's table (by hand, or a run cut short)."""
    before_lz = (project / "Pulumi.lz-prod.yaml").read_bytes()
    code, _, err = run_hlz("lab", "new", "imaging", *GENOMICS[1:], "--project-dir", project)
    assert code == 0, err
    assert "imaging has 10.102.0.0/22 in lz-prod's hlz:spokes already" in err
    assert (project / "Pulumi.lz-prod.yaml").read_bytes() == before_lz
    config = yaml.safe_load((project / "Pulumi.imaging.yaml").read_text())["config"]
    assert config["hlz:addressSpace"] == "10.102.0.0/22"
    written = parse_ai_lab_config(_raw((project / "Pulumi.imaging.yaml").read_text()))
    assert own_problems(written, "imaging", TODAY) == []
    code, _, err = run_hlz(
        "lab", "new", "imaging", *GENOMICS[1:], "--stack", "imaging-2", "--size", "/23",
        "--project-dir", project,
    )  # fmt: skip
    assert code == 2
    assert "imaging' is onboarded on lz-prod already, as stack imaging" in err


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["clinical-nlp"],
            "NAME: 'clinical-nlp' is onboarded on lz-prod already, as stack lab-prod",
        ),
        (
            ["imaging", "--size", "/23"],
            "--size: /23 differs from imaging's allocation 10.102.0.0/22",
        ),
        (
            ["genomics", "--stack", "lab-dev"],
            "--stack: Pulumi.lab-dev.yaml exists and is not genomics on lz-prod at "
            "10.101.4.0/22; hlz lab new never overwrites a stack file",
        ),
        (
            ["genomics", "--member-group-id", "not-a-guid"],
            "--member-group-id (hlz:memberGroupIds[1]): 'not-a-guid' is not an Entra object id",
        ),
        (
            ["genomics", "--budget", "0"],
            "--budget (hlz:budget.amount): Input should be greater than 0",
        ),
        (
            ["genomics", "--prefix", "averyverylongprefix"],
            "--prefix (hlz:prefix):",
        ),
        (
            ["genomics", "--location", "westeurope"],
            "--location (hlz:location): 'westeurope' is not an allowed region",
        ),
    ],
)
def test_refusals_name_the_option_and_write_nothing(project: Path, arguments, expected):
    before = snapshot(project)
    flags = GENOMICS[1:]
    # The case's options come last: argparse keeps the last value of an option given twice.
    code, out, err = run_hlz(
        "lab", "new", arguments[0], *flags, *arguments[1:], "--project-dir", project
    )
    assert code == 2, err
    assert expected in err, err
    assert out == "" and "Traceback" not in err
    assert snapshot(project) == before


def test_a_stack_file_whose_allocation_was_removed_is_not_taken_for_onboarded(project: Path):
    """Pulumi.genomics.yaml is genomics on lz-prod at 10.101.4.0/22, which is also the block a
    fresh allocation would give: without the table's entry that is no 'nothing to do'."""
    onboard(genomics_request(), root=project, today=TODAY)
    landing_zone = project / "Pulumi.lz-prod.yaml"
    landing_zone.write_text(landing_zone.read_text().replace(GENOMICS_LINE, ""))
    before = snapshot(project)
    code, _, err = run_hlz("lab", "new", *GENOMICS, "--project-dir", project)
    assert code == 2
    assert "hlz:spokes.genomics: Pulumi.genomics.yaml is genomics on lz-prod, but " in err, err
    assert "Pulumi.lz-prod.yaml has no allocation for it" in err
    assert snapshot(project) == before


def test_every_problem_of_the_command_line_is_reported_at_once(project: Path):
    before = snapshot(project)
    code, out, err = run_hlz(
        "lab", "new", "Bad_Name", "--landing-zone", "lab-prod", "--owner", "nobody",
        "--cost-center", "CC-1", "--member-group-id", GROUP, "--budget", "10",
        "--size", "/26", "--budget-email", "also-nobody", "--project-dir", project,
    )  # fmt: skip
    assert code == 2
    assert "invalid hlz lab new (5 problems):" in err, err
    for fragment in (
        "--landing-zone: lab-prod is not a landing-zone stack (its hlz:layer is ai_lab",
        "--owner: 'nobody' is not an email address",
        "--budget-email: 'also-nobody' is not an email address",
        "--size: /26: a spoke is a /16 to /24",
        "NAME: 'Bad_Name': lab names are 3-16 lowercase letters",
    ):
        assert fragment in err
    assert snapshot(project) == before


def test_a_landing_zone_without_a_pool_is_asked_for_one(project: Path):
    path = project / "Pulumi.lz-prod.yaml"
    text = path.read_text()
    path.write_text(re.sub(r"  hlz:spokeAddressPool:\n(    - .*\n)+", "", text))
    code, _, err = run_hlz("lab", "new", *GENOMICS, "--project-dir", project)
    assert code == 2
    assert "Pulumi.lz-prod.yaml hlz:spokeAddressPool: is not set" in err, err
    assert not (project / "Pulumi.genomics.yaml").exists()


def test_an_unknown_landing_zone_and_missing_options(project: Path):
    code, _, err = run_hlz("lab", "new", *GENOMICS[:1], "--landing-zone", "lz-nope",
                           *GENOMICS[3:], "--project-dir", project)  # fmt: skip
    assert code == 2 and "--landing-zone: unknown stack: no Pulumi.lz-nope.yaml" in err
    code, _, err = run_hlz("lab", "new", "genomics", "--landing-zone", "lz-prod")
    assert code == 2
    assert "required: --owner, --cost-center, --member-group-id, --budget" in err


def test_help():
    code, out, _ = run_hlz("lab", "new", "--help")
    assert code == 0 and "hlz:spokeAddressPool" in out and "never overwrites" in out
    code, out, _ = run_hlz("lab")
    assert code == 2 and "new" in out
