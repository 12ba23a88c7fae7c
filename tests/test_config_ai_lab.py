"""AI-lab config validation: catalogue checks, allocation against the landing zone, residency."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
import yaml

from components.errors import ConfigError
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
    assert "> 0" in problems(raw, lz_dev.outputs)["hlz:openai.deployments[0] (notes-summariser).capacity"]


def test_content_filter_must_exist(lz_dev: Plan):
    raw = example()
    deployment(raw)["contentFilter"] = "lenient"
    assert (
        "neither built in"
        in problems(raw, lz_dev.outputs)["hlz:openai.deployments[0] (notes-summariser).contentFilter"]
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
        "outside the US data zone" in problems(raw, lz_dev.outputs)["hlz:openai.deployments[0] (notes-summariser).sku"]
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
    assert "explicit https://" in problems(raw, lz_dev.outputs)["hlz:healthData.corsOrigins[0]"]


def test_names_over_azure_limits_name_the_prefix(lz_dev: Plan):
    raw = example()
    raw["prefix"] = "hospitalwide"
    assert "shorten hlz:prefix or hlz:lab" in problems(raw, lz_dev.outputs)["hlz:prefix"]


def test_every_problem_is_reported_at_once(lz_dev: Plan):
    raw = example()
    raw["addressSpace"] = "10.9.0.0/22"
    raw["location"] = "westeurope"
    deployment(raw)["capacity"] = -1
    raw["subnets"]["workloads"] = "10.1.1.0/24"
    found = problems(raw, lz_dev.outputs)
    assert {
        "hlz:addressSpace",
        "hlz:location",
        "hlz:openai.deployments[0] (notes-summariser).capacity",
        "hlz:subnets.workloads",
    } <= set(found)


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
