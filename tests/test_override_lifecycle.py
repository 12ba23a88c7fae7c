"""An override from config to tag to policy verdict: its reason is visible words, its tag value is
never cut off, and an override whose expiry has passed is refused in config and ignored by the
pack."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from components.errors import ConfigError
from components.shared import Override, override_tags
from hlz.plan import Plan
from policies.overrides import TAG_VALUE_MAX_LENGTH, parse_tag_value
from stacks.ai_lab.config import parse_ai_lab_config, validate_ai_lab_config
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

TODAY = date(2026, 11, 27)
EXPIRES = date(2027, 3, 31)
SUFFIX = " (expires 2027-03-31)"
REASON = "Privacy office approved global processing for de-identified letter drafts"
KEY = "hlz:openai.deployments[0] (notes-summariser).dataResidencyOverride"


def reason_of(length: int) -> str:
    return (REASON + " " + "x" * length)[:length]


# --- the model: visible words, and a tag value that fits -----------------------------------------


def test_tag_value_is_the_reason_and_its_expiry_in_full_at_the_longest_allowed_reason():
    longest = reason_of(TAG_VALUE_MAX_LENGTH - len(SUFFIX))
    tags = override_tags(data_residency=Override(reason=longest, expires=EXPIRES))
    value = tags["hlz-override-data-residency"]
    assert value == longest + SUFFIX and len(value) == TAG_VALUE_MAX_LENGTH
    assert parse_tag_value(value).expires == EXPIRES
    assert parse_tag_value(value).reason == longest


def test_reason_too_long_for_its_expiry_is_refused_not_truncated():
    with pytest.raises(ValidationError) as error:
        Override(reason=reason_of(250), expires=EXPIRES)
    assert (
        "reason has 250 characters; with an expiry the tag value '<reason> (expires YYYY-MM-DD)' "
        "must fit Azure's 256, so the reason may have at most 235" in str(error.value)
    )


def test_reason_may_use_the_whole_tag_value_without_an_expiry():
    Override(reason=reason_of(256))
    with pytest.raises(ValidationError, match="at most 256"):
        Override(reason=reason_of(257))


@pytest.mark.parametrize(
    "reason",
    ["\u200b" * 30, "approved\u200b\u200b\u200b\u200b", "okokokokokokok", "12345678901234 5"],
)
def test_override_reason_must_be_visible_words(reason: str):
    with pytest.raises(ValidationError, match="at least 10 visible characters and 2 words"):
        Override(reason=reason)


def test_reason_must_not_carry_its_own_expiry_text():
    with pytest.raises(ValidationError, match="put the date in expires"):
        Override(reason=REASON + " (expires 2020-01-01)")


def test_reason_is_tagged_without_invisible_characters():
    override = Override(reason="Approved\u200b by the privacy\u2060 office")
    assert override.reason == "Approved by the privacy office"


# --- the stack config: an expired override is a config error -------------------------------------


def lab_config(override: dict[str, Any]) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())["config"]
    raw = {key.removeprefix("hlz:"): copy.deepcopy(value) for key, value in config.items()}
    raw["openai"]["deployments"][0]["sku"] = "GlobalStandard"
    raw["openai"]["deployments"][0]["dataResidencyOverride"] = override
    return raw


def config_problems(raw: dict[str, Any], lz_dev: Plan) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)
    return dict(caught.value.problems)


def test_expired_override_in_config_is_an_error_naming_the_key(lz_dev: Plan):
    found = config_problems(lab_config({"reason": REASON, "expires": "2026-11-26"}), lz_dev)
    assert found[f"{KEY}.expires"].startswith(
        "the override expired on 2026-11-26; renew it with a new reason and expiry, or remove it"
    )


def test_override_expiring_today_is_accepted(lz_dev: Plan):
    raw = lab_config({"reason": REASON, "expires": TODAY.isoformat()})
    validate_ai_lab_config(parse_ai_lab_config(raw), "lab-dev", lz_dev.outputs, TODAY)


def test_override_reason_too_long_for_the_tag_names_the_key():
    with pytest.raises(ConfigError) as caught:
        parse_ai_lab_config(lab_config({"reason": reason_of(250), "expires": "2027-03-31"}))
    (message,) = [message for key, message in caught.value.problems if key == KEY]
    assert "the reason may have at most 235" in message


def test_plan_with_an_expired_override_exits_2_naming_the_key(tmp_path: Path):
    document = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())
    override = {"reason": REASON, "expires": "2020-01-01"}
    document["config"]["hlz:openai"]["deployments"][0]["sku"] = "GlobalStandard"
    document["config"]["hlz:openai"]["deployments"][0]["dataResidencyOverride"] = override
    stack_file = tmp_path / "Pulumi.lab-dev.yaml"
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
    code, _, err = run_hlz("plan", "lab-dev", "--stack-file", stack_file, "--quiet")
    assert code == 2, err
    assert f"{KEY}.expires: the override expired on 2020-01-01" in err
    assert "Traceback" not in err
