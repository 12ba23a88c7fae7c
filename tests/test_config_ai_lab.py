"""AI-lab config validation: catalogue checks, allocation against the landing zone, residency."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
import yaml

from components.errors import ConfigError
from components.jump_host import AutoShutdown
from hlz.plan import Plan
from stacks.ai_lab.catalogue import load_catalogue
from stacks.ai_lab.config import parse_ai_lab_config, validate_ai_lab_config
from tests.conftest import ROOT

TODAY = date(2026, 11, 27)


def example(stack: str = "lab-dev") -> dict[str, Any]:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key.removeprefix("hlz:"): copy.deepcopy(value) for key, value in config.items()}


def problems(raw: dict[str, Any], landing_zone: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", landing_zone, TODAY)
    found: dict[str, str] = {}
    for key, message in caught.value.problems:  # a key may carry several problems
        found[key] = f"{found[key]} | {message}" if key in found else message
    return found


def deployment(raw: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return raw["openai"]["deployments"][index]


def test_examples_are_valid(lz_dev: Plan, lz_prod: Plan):
    validate_ai_lab_config(
        parse_ai_lab_config(example("lab-dev")), "lab-dev", lz_dev.outputs, TODAY
    )
    validate_ai_lab_config(
        parse_ai_lab_config(example("lab-prod")), "lab-prod", lz_prod.outputs, TODAY
    )


def test_address_space_must_equal_the_allocation(lz_dev: Plan):
    raw = example()
    raw["addressSpace"] = "10.1.0.0/21"
    found = problems(raw, lz_dev.outputs)
    assert "differs from the allocation 10.1.0.0/22" in found["hlz:addressSpace"]


def test_lab_must_be_allocated(lz_dev: Plan):
    raw = example()
    raw["lab"] = "radiology"
    assert "no entry in lz-dev's hlz:spokes" in problems(raw, lz_dev.outputs)["hlz:lab"]


def test_profile_must_match_the_landing_zone(lz_prod: Plan):
    found = problems(example("lab-dev"), lz_prod.outputs)
    assert "differs from the landing zone's profile 'production'" in found["hlz:profile"]


def test_a_phi_lab_needs_the_landing_zones_premium_vault(lz_dev: Plan):
    standard = {**lz_dev.outputs, "keyVaultSku": "standard"}
    found = problems(example(), standard)
    assert "needs HSM-backed keys (PHI)" in found["hlz:tags.data-classification"]
    assert "Key Vault is 'standard'" in found["hlz:tags.data-classification"]
    internal = example()
    internal["tags"]["data-classification"] = "internal"
    validate_ai_lab_config(parse_ai_lab_config(internal), "lab-dev", standard, TODAY)


def test_a_stack_that_is_not_a_landing_zone_is_rejected():
    found = problems(example(), {"profile": "lab"})
    assert "lacks outputs" in found["hlz:landingZoneStack"]


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.update(model="gpt-9"), "unknown model 'gpt-9'"),
        (
            lambda d: d.update(model="gpt-4", version="0613", sku="Standard"),
            "retired on 2025-06-06",
        ),
        (lambda d: d.update(version="2023-01-01"), "has no version '2023-01-01'"),
        (lambda d: d.update(sku="ProvisionedManaged"), "SKU 'ProvisionedManaged' is not offered"),
    ],
    ids=["unknown_model", "retired_version", "unknown_version", "sku_not_offered"],
)
def test_catalogue_checks(lz_dev: Plan, mutate, fragment):
    raw = example()
    mutate(deployment(raw))
    found = problems(raw, lz_dev.outputs)
    assert any(
        k.startswith("hlz:openai.deployments[0]") and fragment in v for k, v in found.items()
    ), found


def test_region_not_offered(lz_dev: Plan):
    raw = example()
    deployment(raw).update(model="o4-mini", version="2025-04-16")
    raw["location"] = "eastus"
    found = problems(raw, lz_dev.outputs)
    assert any("not offered in eastus" in message for message in found.values())


def test_capacity_must_be_positive(lz_dev: Plan):
    raw = example()
    deployment(raw)["capacity"] = 0
    found = problems(raw, lz_dev.outputs)
    assert found["hlz:openai.deployments[0] (notes-summariser).capacity"] == (
        "Input should be greater than 0"
    )


def test_content_filter_must_exist(lz_dev: Plan):
    raw = example()
    deployment(raw)["contentFilter"] = "lenient"
    assert (
        "neither built in"
        in problems(raw, lz_dev.outputs)[
            "hlz:openai.deployments[0] (notes-summariser).contentFilter"
        ]
    )


def test_content_filter_is_required():
    raw = example()
    del deployment(raw)["contentFilter"]
    with pytest.raises(
        ConfigError, match=r"deployments\[0\] \(notes-summariser\)\.contentFilter: required key"
    ):
        parse_ai_lab_config(raw)


def test_global_sku_in_a_phi_lab_needs_an_override(lz_dev: Plan):
    raw = example()
    deployment(raw)["sku"] = "GlobalStandard"
    assert (
        "outside the US data zone"
        in problems(raw, lz_dev.outputs)["hlz:openai.deployments[0] (notes-summariser).sku"]
    )
    deployment(raw)["dataResidencyOverride"] = {
        "reason": "de-identified notes only, approved by IRB-2291"
    }
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)


def test_global_sku_is_fine_for_non_phi_data(lz_dev: Plan):
    raw = example()
    raw["tags"]["data-classification"] = "internal"
    deployment(raw)["sku"] = "GlobalStandard"
    deployment(raw)["governance"]["processesPhi"] = False
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)


def test_cors_wildcard_is_rejected(lz_dev: Plan):
    raw = example()
    raw["healthData"]["corsOrigins"] = ["*"]
    assert "'*' is a wildcard" in problems(raw, lz_dev.outputs)["hlz:healthData.corsOrigins[0]"]


def test_names_over_azure_limits_name_the_prefix(lz_dev: Plan):
    raw = example()
    raw["prefix"] = "hospitalwide"
    assert "shorten hlz:prefix or hlz:lab" in problems(raw, lz_dev.outputs)["hlz:prefix"]


def test_every_problem_is_reported_at_once(lz_dev: Plan):
    raw = example()
    raw["addressSpace"] = "10.9.0.0/22"
    raw["location"] = "westeurope"
    raw["subnets"]["workloads"] = "10.1.1.0/24"
    found = problems(raw, lz_dev.outputs)
    assert {"hlz:addressSpace", "hlz:location", "hlz:subnets.workloads"} <= set(found)


def test_every_value_of_a_wrong_shape_is_reported_at_once():
    """Values a type refuses (the components' own types) are reported together, before the
    checks that compare values with each other and with the landing zone."""
    raw = example()
    deployment(raw)["capacity"] = -1
    raw["healthData"]["corsOrigins"] = ["https://viewer.example.org/app"]
    raw["memberGroupIds"] = ["not-a-guid"]
    raw["subnets"]["workloads"] = "10.1.1.0/33"
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    assert {key for key, _ in caught.value.problems} == {
        "hlz:openai.deployments[0] (notes-summariser).capacity",
        "hlz:healthData.corsOrigins[0]",
        "hlz:memberGroupIds[0]",
        "hlz:subnets.workloads",
    }


def test_catalogue_is_dated_and_lists_retirements():
    catalogue = load_catalogue()
    assert catalogue.as_of <= TODAY
    retired = [
        (name, version)
        for name, model in catalogue.models.items()
        for version, release in model.versions.items()
        if release.retires <= TODAY
    ]
    assert ("gpt-4", "0613") in retired


# --- bad input names its key: egress allow-list, approval pattern, types, owners -------------


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("*.blob.core.windows.net", "wildcard"),
        ("*.com", "wildcard"),
        ("https://api.example.org/v1", "host name only"),
        ("api.example.org:443", "host name only"),
        ("", "empty"),
        ("localhost", "at least two labels"),
        ("Api.Example.org", "lowercase"),
        ("-api.example.org", "start or end with a hyphen"),
        ("api..example.org", "empty label"),
        ("10.0.0.4", "IP address"),
        ("a" * 64 + ".example.org", "63"),
        (".".join(["abcdefghi"] * 26) + ".org", "253"),
        ("api.example.org.", "trailing dot"),
        ("api_v1.example.org", "letters, digits and hyphens"),
    ],
)
def test_allowed_fqdns_are_exact_host_names(lz_dev: Plan, value, fragment):
    raw = example()
    raw["openai"]["allowedFqdns"] = ["api.example.org", value]
    found = problems(raw, lz_dev.outputs)
    assert fragment in found["hlz:openai.allowedFqdns[1]"], found
    assert "hlz:openai.allowedFqdns[0]" not in found


def test_exact_host_names_are_allowed(lz_dev: Plan):
    raw = example()
    raw["openai"]["allowedFqdns"] = ["api.example.org", "xn--bcher-kva.example", "a-1.b2.io"]
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        (".*", "'.'"),
        ("^.*$", "'.'"),
        ("^(a+)+$", "'+'"),
        ("^(a|aa)*$", "'*'"),
        ("^AIGB-\\d{4}-\\d{3,}$", "upper bound"),
        ("^AIGB-\\d{1,33}$", "at most 32"),
        ("^AIGB-(\\d{2}){3}$", "nested"),
        ("^(AIGB|AIRB){2}-\\d{4}$", "alternation"),
        ("AIGB-\\d{4}", "anchored"),
        ("^\\d{4}$", "literal character"),
        ("^[A-Z]{4}\\d{4}$", "literal character"),
        ("^AIGB-(?=\\d)\\d{4}$", "'(?'"),
        ("^AIGB-" + "\\d" * 50 + "$", "100"),
        ("^AIGB-[\\d$", "unclosed"),
        ("^AIGB|X$", "alternation"),
    ],
)
def test_approval_reference_pattern_is_a_safe_bounded_pattern(pattern, fragment):
    raw = example()
    raw["openai"]["approvalReferencePattern"] = pattern
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    found = dict(caught.value.problems)
    assert fragment in found["hlz:openai.approvalReferencePattern"], found


def test_a_safe_approval_pattern_is_applied(lz_dev: Plan):
    raw = example()
    raw["openai"]["approvalReferencePattern"] = "^(AIGB|AIRB)-\\d{4}-\\d{3,6}(-R[1-9])?$"
    for index, reference in enumerate(["AIRB-2026-014-R2", "AIGB-2026-9999"]):
        deployment(raw, index)["governance"]["approvalReference"] = reference
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)
    deployment(raw)["governance"]["approvalReference"] = "AIRB-2026-014-R0"
    found = problems(raw, lz_dev.outputs)
    key = "hlz:openai.deployments[0] (notes-summariser).governance.approvalReference"
    assert "does not match" in found[key]


def test_capacity_must_be_an_integer_not_a_bool():
    raw = example()
    deployment(raw)["capacity"] = True
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    found = dict(caught.value.problems)
    assert "integer" in found["hlz:openai.deployments[0] (notes-summariser).capacity"]


@pytest.mark.parametrize("field", ["owner", "useCase"])
def test_governance_text_must_be_visible(field):
    raw = example()
    deployment(raw)["governance"][field] = "\u200b\u200b\u200b\u200b\u200b\u2060"
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    found = dict(caught.value.problems)
    assert "invisible" in found[f"hlz:openai.deployments[0] (notes-summariser).governance.{field}"]


def test_lab_subnets_below_the_azure_minimum(lz_dev: Plan):
    raw = example()
    raw["subnets"]["workloads"] = "10.1.1.0/30"
    assert "/29" in problems(raw, lz_dev.outputs)["hlz:subnets.workloads"]


def test_account_tags_count_one_approval_tag_per_deployment(lz_dev: Plan):
    from stacks.common import MAX_TAGS

    raw = example()
    template = deployment(raw, 1)
    raw["openai"]["deployments"] += [
        {**copy.deepcopy(template), "name": f"extra-{index}"} for index in range(8)
    ]
    count = len(raw["openai"]["deployments"])  # 10: more than a deployment's own tags
    raw["tags"].update({f"extra-{i}": "x" for i in range(MAX_TAGS - count - len(raw["tags"]))})
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)
    raw["tags"]["one-more"] = "x"
    assert f"one approval tag per deployment ({count})" in problems(raw, lz_dev.outputs)["hlz:tags"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "empty"),
        ("../lz-dev", "stack name"),
        ("org/hlz/lz dev", "stack name"),
        ("org/hlz/.hidden", "stack name"),
    ],
)
def test_landing_zone_stack_must_be_a_stack_name(value, fragment):
    raw = example()
    raw["landingZoneStack"] = value
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    assert fragment in dict(caught.value.problems)["hlz:landingZoneStack"]


def test_landing_zone_stack_may_be_fully_qualified():
    raw = example()
    raw["landingZoneStack"] = "acme-health/hlz/lz-dev"
    assert parse_ai_lab_config(raw).landing_zone_stack == "acme-health/hlz/lz-dev"


def test_a_lab_cannot_be_its_own_landing_zone(lz_dev: Plan):
    raw = example()
    raw["landingZoneStack"] = "org/hlz/lab-dev"
    found = problems(raw, lz_dev.outputs)
    assert "this stack itself" in found["hlz:landingZoneStack"]


def test_lab_tag_names_fit_the_storage_account(lz_dev: Plan):
    raw = example()
    raw["tags"]["x" * 129] = "v"
    assert "128 on storage accounts" in problems(raw, lz_dev.outputs)["hlz:tags." + "x" * 129]


def test_a_governance_value_too_long_for_a_tag_is_refused_not_cut(lz_dev: Plan):
    """Governance facts travel as tags (256 characters at most): a longer owner used to be cut
    silently when written to the deployment."""
    raw = example()
    deployment(raw)["governance"]["owner"] = "o" * 300
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    (key, message), *_ = caught.value.problems
    assert key == "hlz:openai.deployments[0] (notes-summariser).governance.owner"
    assert "at most 256 characters" in message


def test_foundry_projects_need_an_ai_services_account(lz_dev: Plan):
    raw = example()
    raw["openai"]["kind"] = "OpenAI"
    found = problems(raw, lz_dev.outputs)
    assert "need an AIServices account, not kind OpenAI" in found["hlz:openai.projects"]
    assert "docs/foundry.md" in found["hlz:openai.projects"]


def test_foundry_project_names_are_unique_and_valid(lz_dev: Plan):
    raw = example()
    project = raw["openai"]["projects"][0]
    raw["openai"]["projects"].append({**project, "name": project["name"].upper()})
    assert "is used twice" in problems(raw, lz_dev.outputs)["hlz:openai.projects[1].name"]
    raw["openai"]["projects"][1]["name"] = "-bad"
    with pytest.raises(ConfigError, match=r"hlz:openai\.projects\[1\]\.name"):
        parse_ai_lab_config(raw)


# --- hlz:search --------------------------------------------------------------------------------


def test_search_is_optional_and_a_lab_without_it_needs_no_search_zone(lz_dev: Plan):
    raw = example()
    del raw["search"]
    # The Agent Service keeps its vector stores in the search service: it goes too.
    del raw["agentService"]
    del raw["subnets"]["agents"]
    assert parse_ai_lab_config(raw).search is None
    zones = {k: v for k, v in lz_dev.outputs["privateDnsZoneIds"].items() if k != "search"}
    validate_ai_lab_config(
        parse_ai_lab_config(raw),
        "lab-dev",
        {**lz_dev.outputs, "privateDnsZoneIds": zones},
        TODAY,
    )


def test_search_needs_a_landing_zone_that_exports_the_search_zone(lz_dev: Plan):
    """A landing zone deployed before it created privatelink.search.windows.net: the lab says
    which key needs it and what to do, instead of failing inside the program (exit 3)."""
    zones = {k: v for k, v in lz_dev.outputs["privateDnsZoneIds"].items() if k != "search"}
    found = problems(example(), {**lz_dev.outputs, "privateDnsZoneIds": zones})
    assert set(found) == {"hlz:search"}
    assert "lz-dev exports no private DNS zone for Azure AI Search" in found["hlz:search"]
    assert "update the landing zone stack first" in found["hlz:search"]


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("sku", "basic", "'basic' is not a tier a lab may use"),
        ("replicaCount", 13, "13 replicas; the standard tier allows 1 to 12"),
        ("partitionCount", 5, "5 partitions; the standard tier allows 1, 2, 3, 4, 6, 12"),
        ("semanticSearch", "on", "'disabled', 'free' or 'standard'"),
    ],
)
def test_search_values_the_tier_refuses_name_their_key(field, value, fragment):
    raw = example()
    raw["search"][field] = value
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    ((key, message),) = caught.value.problems
    assert key == f"hlz:search.{field}"
    assert fragment in message


def test_a_basic_search_tier_stops_the_plan_with_exit_2(tmp_path):
    from tests.cli_runner import run_hlz

    stack = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())
    stack["config"]["hlz:search"]["sku"] = "basic"
    stack["config"]["hlz:search"]["replicaCount"] = 20
    stack_file = tmp_path / "Pulumi.lab-basic-search.yaml"
    stack_file.write_text(yaml.safe_dump(stack))
    code, _, err = run_hlz("plan", "lab-basic-search", "--stack-file", stack_file)
    assert code == 2, err
    assert "hlz:search.sku" in err and "offered on basic only in high-capacity regions" in err
    assert "Traceback" not in err


# --- hlz:jumpHost ------------------------------------------------------------------------------

WITHOUT_BASTION = ("bastionSubnetPrefix", "bastionHostId", "bastionHostName")


def _without_bastion(outputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outputs.items() if k not in WITHOUT_BASTION}


def test_jump_host_is_optional_and_a_lab_without_it_needs_no_bastion(lz_dev: Plan):
    raw = example()
    del raw["jumpHost"]
    assert parse_ai_lab_config(raw).jump_host is None
    validate_ai_lab_config(
        parse_ai_lab_config(raw), "lab-dev", _without_bastion(lz_dev.outputs), TODAY
    )


def test_jump_host_needs_a_landing_zone_with_bastion(lz_dev: Plan):
    """A landing zone with hlz:bastion: false (or deployed before it exported its Bastion): the
    lab names hlz:jumpHost and says what to do, before anything is planned."""
    found = problems(example(), _without_bastion(lz_dev.outputs))
    assert found == {
        "hlz:jumpHost": (
            "lz-dev exports no Azure Bastion (no bastionSubnetPrefix, bastionHostId, "
            "bastionHostName output): the jump host is reached only through the hub's Bastion; "
            "give the landing zone hlz:bastion: true and run `pulumi up` on lz-dev first, or "
            "remove hlz:jumpHost"
        )
    }


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("size", "Standard_B2s", "'Standard_B2s' is not a jump host size; use one of"),
        ("adminUsername", "admin", "'admin' is a name Azure reserves and refuses"),
        ("adminUsername", "Lab Admin", "is not a Linux user name Azure accepts"),
        ("adminSshPublicKey", "-----BEGIN RSA PRIVATE KEY-----", "is a private key"),
        ("adminSshPublicKey", "ssh-rsa AAAA", "expected one OpenSSH public key line"),
        ("publicIp", True, "unknown key"),
    ],
    ids=["size", "reserved_username", "username_shape", "private_key", "bad_key", "unknown_key"],
)
def test_jump_host_values_name_their_key(field, value, fragment):
    raw = example()
    raw["jumpHost"][field] = value
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    ((key, message),) = caught.value.problems
    assert key == f"hlz:jumpHost.{field}"
    assert fragment in message


def test_jump_host_needs_its_break_glass_key():
    raw = example()
    del raw["jumpHost"]["adminSshPublicKey"]
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    assert caught.value.problems == [("hlz:jumpHost.adminSshPublicKey", "required key is missing")]


# --- hlz:jumpHost.autoShutdown: derived from the profile when not set --------------------------


def test_a_lab_jump_host_shuts_down_at_19_utc_unless_told_otherwise():
    raw = example()
    del raw["jumpHost"]["autoShutdown"]
    assert parse_ai_lab_config(raw).jump_host.auto_shutdown == AutoShutdown(
        enabled=True, time="19:00", time_zone="UTC"
    )


def test_a_production_jump_host_has_no_shutdown_unless_one_is_set():
    raw = example("lab-prod")
    assert "autoShutdown" not in raw["jumpHost"]
    assert parse_ai_lab_config(raw).jump_host.auto_shutdown is None
    raw["jumpHost"]["autoShutdown"] = {"time": "22:30", "timeZone": "Pacific Standard Time"}
    assert parse_ai_lab_config(raw).jump_host.auto_shutdown == AutoShutdown(
        time="22:30", time_zone="Pacific Standard Time"
    )


def test_a_lab_may_turn_its_jump_host_shutdown_off():
    raw = example()
    raw["jumpHost"]["autoShutdown"] = {"enabled": False}
    shutdown = parse_ai_lab_config(raw).jump_host.auto_shutdown
    assert shutdown is not None and shutdown.enabled is False


def test_the_lab_example_shows_its_shutdown_and_the_production_one_keeps_the_default():
    assert example()["jumpHost"]["autoShutdown"] == {
        "enabled": True,
        "time": "19:00",
        "timeZone": "UTC",
    }
    assert "autoShutdown" not in example("lab-prod")["jumpHost"]


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("time", "7pm", "'7pm' is not a time of day as HH:MM"),
        ("time", 1140, 'write the time in quotes as HH:MM (time: "19:00")'),
        ("timeZone", "Europe/Berlin", "'Europe/Berlin' is not a Windows time zone id"),
        ("weekdays", ["Saturday"], "unknown key"),
    ],
    ids=["time_shape", "unquoted_time", "iana_time_zone", "unknown_key"],
)
def test_auto_shutdown_values_name_their_key(field, value, fragment):
    raw = example()
    raw["jumpHost"]["autoShutdown"][field] = value
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    ((key, message),) = caught.value.problems
    assert key == f"hlz:jumpHost.autoShutdown.{field}"
    assert fragment in message


def test_an_unquoted_shutdown_time_in_a_stack_file_exits_2_naming_the_key(tmp_path):
    """PyYAML (YAML 1.1) reads an unquoted 19:00 as the number 1140: refused, with the fix."""
    from tests.cli_runner import run_hlz

    text = (ROOT / "Pulumi.lab-dev.yaml").read_text()
    quoted = 'time: "19:00"'
    assert quoted in text
    stack_file = tmp_path / "Pulumi.lab-unquoted.yaml"
    stack_file.write_text(text.replace(quoted, "time: 19:00", 1))
    code, out, err = run_hlz("plan", "lab-unquoted", "--stack-file", stack_file)
    assert code == 2, err
    assert (
        "hlz:jumpHost.autoShutdown.time: 1140 is a number, not a time of day: write the time in "
        'quotes as HH:MM (time: "19:00")'
    ) in err
    assert "Traceback" not in err and "resources" not in out


def test_a_lab_with_a_jump_host_and_a_landing_zone_without_bastion_exits_2(tmp_path):
    from tests.cli_runner import run_hlz

    landing_zone = yaml.safe_load((ROOT / "Pulumi.lz-dev.yaml").read_text())
    landing_zone["config"]["hlz:bastion"] = False
    del landing_zone["config"]["hlz:hub"]["subnets"]["bastion"]
    (tmp_path / "Pulumi.lz-nobastion.yaml").write_text(yaml.safe_dump(landing_zone))
    lab = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())
    lab["config"]["hlz:landingZoneStack"] = "lz-nobastion"
    lab_file = tmp_path / "Pulumi.lab-jump.yaml"
    lab_file.write_text(yaml.safe_dump(lab))
    code, out, err = run_hlz("plan", "lab-jump", "--stack-file", lab_file)
    assert code == 2, err
    assert "hlz:jumpHost: lz-nobastion exports no Azure Bastion" in err
    assert "Traceback" not in err and "resources" not in out


# --- hlz:aiGateway ----------------------------------------------------------------------------


def _without_gateway_zone(outputs: dict[str, Any]) -> dict[str, Any]:
    zones = {k: v for k, v in outputs["privateDnsZoneIds"].items() if k != "apim"}
    return {**outputs, "privateDnsZoneIds": zones}


def test_ai_gateway_is_optional_and_a_lab_without_it_needs_no_gateway_zone(lz_prod: Plan):
    raw = example("lab-prod")
    del raw["aiGateway"]
    del raw["subnets"]["gateway"]
    config = parse_ai_lab_config(raw)
    assert config.ai_gateway is None
    validate_ai_lab_config(config, "lab-prod", _without_gateway_zone(lz_prod.outputs), TODAY)


def test_ai_gateway_needs_a_landing_zone_that_exports_its_zone(lz_prod: Plan):
    found = problems(example("lab-prod"), _without_gateway_zone(lz_prod.outputs))
    assert set(found) == {"hlz:aiGateway"}
    assert "lz-prod exports no private DNS zone for API Management" in found["hlz:aiGateway"]
    assert "privatelink.azure-api.net" in found["hlz:aiGateway"]


def test_ai_gateway_needs_its_subnet_and_the_subnet_needs_the_gateway(lz_prod: Plan):
    raw = example("lab-prod")
    del raw["subnets"]["gateway"]
    found = problems(raw, lz_prod.outputs)
    assert "is required with hlz:aiGateway" in found["hlz:subnets.gateway"]
    raw = example("lab-prod")
    del raw["aiGateway"]
    found = problems(raw, lz_prod.outputs)
    assert found == {
        "hlz:subnets.gateway": "is set but hlz:aiGateway is not: remove it, or add hlz:aiGateway"
    }


def test_ai_gateway_problems_are_reported_at_once_each_naming_its_key(lz_prod: Plan):
    raw = example("lab-prod")
    raw["subnets"]["gateway"] = "10.101.2.0/28"
    raw["aiGateway"]["creationOverride"] = {
        "reason": "first deployment: Azure refuses Disabled at creation",
        "expires": "2026-01-31",
    }
    found = problems(raw, lz_prod.outputs)
    assert "10.101.2.0/28 is a /28" in found["hlz:subnets.gateway"]
    assert "needs at least a /27" in found["hlz:subnets.gateway"]
    assert "expired on 2026-01-31" in found["hlz:aiGateway.creationOverride.expires"]


def test_ai_gateway_subnet_must_lie_in_the_address_space_and_not_overlap(lz_prod: Plan):
    raw = example("lab-prod")
    raw["subnets"]["gateway"] = "10.101.1.0/27"
    found = problems(raw, lz_prod.outputs)
    assert found == {
        "hlz:subnets.gateway": "10.101.1.0/27 overlaps hlz:subnets.workloads (10.101.1.0/24)"
    }
    raw["subnets"]["gateway"] = "10.200.0.0/27"
    found = problems(raw, lz_prod.outputs)
    assert "is outside hlz:addressSpace" in found["hlz:subnets.gateway"]


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("publisherEmail", "nobody", "publisherEmail"),
        ("tokensPerMinute", 0, "tokensPerMinute"),
        ("requiredGroupId", "lab members", "requiredGroupId"),
        ("creationOverride", {"reason": "x"}, "creationOverride.reason"),
    ],
)
def test_ai_gateway_values_name_their_key(field, value, fragment):
    raw = example("lab-prod")
    raw["aiGateway"][field] = value
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    assert any(fragment in key for key, _ in caught.value.problems), caught.value.problems


PHI_WORKSPACE = (
    "/subscriptions/00000000-0000-4000-8000-000000000009/resourceGroups/rg-phi/providers/"
    "Microsoft.OperationalInsights/workspaces/log-phi-approved"
)


@pytest.mark.parametrize("missing", [("appInsightsId", "appInsightsConnectionString"), ("appInsightsId",)])
def test_ai_gateway_needs_the_landing_zones_application_insights(lz_prod: Plan, missing):
    outputs = {k: v for k, v in lz_prod.outputs.items() if k not in missing}
    found = problems(example("lab-prod"), outputs)
    assert found == {
        "hlz:aiGateway": "lz-prod exports no Application Insights for the gateway's token metrics "
        f"(no {', '.join(missing)} output): run `pulumi up` on lz-prod first, or remove "
        "hlz:aiGateway"
    }
    raw = example("lab-prod")
    del raw["aiGateway"]
    del raw["subnets"]["gateway"]
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-prod", outputs, TODAY)


def test_ai_gateway_body_logging_is_valid_until_it_expires(lz_prod: Plan):
    raw = example("lab-prod")
    raw["aiGateway"]["bodyLogging"] = {
        "workspaceId": PHI_WORKSPACE,
        "reason": "Clinical QA review of prompts, privacy office ticket PHI-114",
        "expires": TODAY.isoformat(),
    }
    config = parse_ai_lab_config(raw)
    assert config.ai_gateway is not None and config.ai_gateway.body_logging is not None
    validate_ai_lab_config(config, "lab-prod", lz_prod.outputs, TODAY)
    raw["aiGateway"]["bodyLogging"]["expires"] = "2026-11-26"
    found = problems(raw, lz_prod.outputs)
    assert found == {
        "hlz:aiGateway.bodyLogging.expires": "the override expired on 2026-11-26; renew it with "
        "a new reason and expiry, or remove it"
    }


def test_ai_gateway_body_logging_names_each_bad_key():
    raw = example("lab-prod")
    raw["aiGateway"]["bodyLogging"] = {"workspaceId": "log-phi", "reason": "clinical QA review"}
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    found = dict(caught.value.problems)
    assert found["hlz:aiGateway.bodyLogging.expires"] == "required key is missing"
    assert found["hlz:aiGateway.bodyLogging.workspaceId"] == (
        "'log-phi' is not a Log Analytics workspace id (/subscriptions/<id>/resourceGroups/"
        "<group>/providers/Microsoft.OperationalInsights/workspaces/<name>)"
    )


# --- hlz:agentService (the Foundry Agent Service's standard setup) ------------------------------


def test_agent_service_example_is_valid_and_optional(lz_dev: Plan):
    raw = example()
    assert raw["agentService"] == {"threadThroughputLimit": 3000}
    del raw["agentService"]
    del raw["subnets"]["agents"]
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)


def test_agent_service_needs_a_foundry_account_with_projects_and_search(lz_dev: Plan):
    raw = example()
    raw["openai"]["projects"] = []
    del raw["search"]
    found = problems(raw, lz_dev.outputs)
    assert "needs a Foundry account with projects" in found["hlz:agentService"]
    assert "needs hlz:search" in found["hlz:agentService"]


def test_agent_service_needs_an_openai_kind_that_holds_projects(lz_dev: Plan):
    raw = example()
    raw["openai"]["kind"] = "OpenAI"
    found = problems(raw, lz_dev.outputs)
    assert "hlz:openai.kind AIServices" in found["hlz:agentService"]


def test_agent_service_needs_a_region_microsoft_deploys_it_to(lz_dev: Plan):
    raw = example()
    raw["location"] = "westus2"
    found = problems(raw, lz_dev.outputs)
    assert "not a region where the Agent Service can be injected" in found["hlz:location"]


def test_agent_subnet_is_required_with_and_only_with_the_agent_service(lz_dev: Plan):
    raw = example()
    del raw["subnets"]["agents"]
    found = problems(raw, lz_dev.outputs)
    assert "is required with hlz:agentService" in found["hlz:subnets.agents"]
    assert "at least /27" in found["hlz:subnets.agents"]
    stray = example()
    del stray["agentService"]
    found = problems(stray, lz_dev.outputs)
    assert "is set but hlz:agentService is not" in found["hlz:subnets.agents"]


def test_agent_subnet_must_be_a_27_or_larger_in_the_address_space(lz_dev: Plan):
    raw = example()
    raw["subnets"]["agents"] = "10.1.2.0/28"
    found = problems(raw, lz_dev.outputs)
    assert "10.1.2.0/28 is a /28" in found["hlz:subnets.agents"]
    assert "virtual-networks" in found["hlz:subnets.agents"]
    overlapping = example()
    overlapping["subnets"]["agents"] = "10.1.1.0/24"
    assert "hlz:subnets.agents" in problems(overlapping, lz_dev.outputs)


def test_agent_service_needs_the_landing_zones_cosmos_zone(lz_dev: Plan):
    zones = {k: v for k, v in lz_dev.outputs["privateDnsZoneIds"].items() if k != "cosmos"}
    found = problems(example(), {**lz_dev.outputs, "privateDnsZoneIds": zones})
    assert "no private DNS zone for Azure Cosmos DB" in found["hlz:agentService"]
    assert "privatelink.documents.azure.com" in found["hlz:agentService"]


@pytest.mark.parametrize("value", [2999, 0, "3000"])
def test_agent_thread_throughput_names_its_key(value):
    raw = example()
    raw["agentService"]["threadThroughputLimit"] = value
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    assert [key for key, _ in caught.value.problems] == ["hlz:agentService.threadThroughputLimit"]


def test_agent_thread_throughput_covers_every_project(lz_dev: Plan):
    raw = example()
    second = copy.deepcopy(raw["openai"]["projects"][0])
    second["name"] = "cohort-agents"
    raw["openai"]["projects"].append(second)
    found = problems(raw, lz_dev.outputs)
    message = found["hlz:agentService.threadThroughputLimit"]
    assert "3000 RU/s cannot hold the threads of 2 projects" in message
    assert "give at least 6000" in message
    raw["agentService"]["threadThroughputLimit"] = 6000
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)


# --- the lab's budget (docs/alerts.md) --------------------------------------------------------


def test_a_lab_without_a_budget_is_refused_naming_what_to_set(lz_dev: Plan):
    raw = example()
    del raw["budget"]
    found = problems(raw, lz_dev.outputs)
    assert found == {
        "hlz:budget": (
            "required: every AI lab has a consumption budget; set hlz:budget.amount (the lab's "
            "monthly budget in the billing currency) and hlz:budget.startDate (the first day of "
            "the month the lab is first deployed in, e.g. 2026-11-01); see docs/alerts.md"
        )
    }


@pytest.mark.parametrize(
    ("budget", "key", "fragment"),
    [
        (
            {"startDate": "2026-12-15"},
            "hlz:budget.startDate",
            "2026-12-15 is not the first of a month",
        ),
        ({"startDate": "2017-05-01"}, "hlz:budget.startDate", "is before 2017-06-01"),
        ({"amount": 0}, "hlz:budget.amount", "greater than 0"),
        ({"amount": "1500"}, "hlz:budget.amount", "valid integer"),
        ({"ownerEmails": ["nlp team"]}, "hlz:budget.ownerEmails[0]", "is not an email address"),
        ({"ownerEmails": []}, "hlz:budget.ownerEmails", "needs at least one address"),
        ({"currency": "USD"}, "hlz:budget.currency", "unknown key"),
    ],
)
def test_a_budget_azure_would_refuse_names_its_key(budget, key, fragment):
    raw = example()
    raw["budget"] = {**raw["budget"], **budget}
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(raw)
    found = dict(caught.value.problems)
    assert fragment in found[key], found


def test_a_start_more_than_twelve_months_ahead_is_refused(lz_dev: Plan):
    raw = example()
    raw["budget"]["startDate"] = "2027-12-01"  # TODAY is 2026-11-27: 2027-11-01 at the latest
    found = problems(raw, lz_dev.outputs)
    assert found == {
        "hlz:budget.startDate": (
            "2027-12-01 is more than 12 months ahead; Azure accepts 2027-11-01 at the latest today"
        )
    }
    raw["budget"]["startDate"] = "2027-11-01"
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)


def test_budget_recipients_default_to_an_owner_tag_that_is_an_email(lz_dev: Plan):
    raw = example()
    assert "ownerEmails" not in raw["budget"]
    config = parse_ai_lab_config(raw)
    validate_ai_lab_config(config, "lab-dev", lz_dev.outputs, TODAY)
    assert config.budget_emails == ["clinical-nlp-team@example.org"]
    raw["tags"]["owner"] = "Clinical NLP team"
    found = problems(raw, lz_dev.outputs)
    assert found == {
        "hlz:budget.ownerEmails": (
            "required: the owner tag 'Clinical NLP team' is not an email address, so it cannot "
            "stand in for it; list who is notified (e.g. [team@example.org])"
        )
    }
    raw["budget"]["ownerEmails"] = ["nlp-lead@example.org"]
    config = parse_ai_lab_config(raw)
    validate_ai_lab_config(config, "lab-dev", lz_dev.outputs, TODAY)
    assert config.budget_emails == ["nlp-lead@example.org"]


def test_a_landing_zone_without_an_action_group_is_named(lz_dev: Plan):
    older = {k: v for k, v in lz_dev.outputs.items() if k != "actionGroupId"}
    found = problems(example(), older)
    assert found == {
        "hlz:landingZoneStack": (
            "lz-dev exports no action group for the lab's alerts and budget (no actionGroupId "
            "output): run `pulumi up` on lz-dev first (it creates the platform action group)"
        )
    }


def test_hlz_plan_of_a_lab_without_a_budget_exits_2_and_names_the_key(tmp_path):
    from tests.cli_runner import run_hlz

    document = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())
    del document["config"]["hlz:budget"]
    stack_file = tmp_path / "Pulumi.lab-nobudget.yaml"
    stack_file.write_text(yaml.safe_dump(document))
    code, out, err = run_hlz("plan", "lab-nobudget", "--stack-file", stack_file)
    assert code == 2, err
    assert "hlz: invalid AI-lab configuration (1 problem):" in err
    assert "  - hlz:budget: required: every AI lab has a consumption budget" in err
    assert "Traceback" not in err and "resources" not in out


def test_a_lab_may_start_without_model_deployments(lz_dev: Plan):
    """A team is onboarded before the AI governance board approves its first model: the account
    is created (private, customer-managed key) with no deployment until a record exists."""
    raw = example()
    raw["openai"]["deployments"] = []
    raw["openai"]["contentFilters"] = {}
    config = parse_ai_lab_config(raw)
    validate_ai_lab_config(config, "lab-dev", lz_dev.outputs, TODAY)
    assert config.openai.deployments == []
    raw["openai"].pop("deployments")
    assert parse_ai_lab_config(raw).openai.deployments == []
