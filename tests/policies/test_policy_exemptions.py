"""Exemptions as data: validation (all problems at once), expiry, glob matching."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from policies.adapter import DEFAULT_EXEMPTIONS_FILE
from policies.exemptions import (
    Exemption,
    ExemptionError,
    find_exemption,
    find_expired_exemption,
    load_exemptions,
    parse_exemptions,
)
from policies.registry import ALL_RULES

RULE = "storage-account-disallow-public-network-access"
URN = "urn:pulumi:lab::hlz::hlz:storage:Account$azure-native:storage:StorageAccount::stdiaglab01"
TODAY = dt.date(2026, 1, 15)


def entry(**overrides: Any) -> dict[str, Any]:
    base = {
        "rule": RULE,
        "resource": "stdiaglab*",
        "reason": "Boot diagnostics need the public endpoint until AMPLS lands.",
        "owner": "platform-team@example.org",
        "expires": dt.date(2026, 3, 31),
    }
    base.update(overrides)
    return base


def parse(*entries: dict[str, Any]) -> list[Exemption]:
    return parse_exemptions(list(entries), ALL_RULES, source="exemptions.yaml")


def test_shipped_exemptions_file_is_valid_and_empty() -> None:
    assert load_exemptions(DEFAULT_EXEMPTIONS_FILE, ALL_RULES) == []


def test_valid_entry_is_parsed() -> None:
    (exemption,) = parse(entry(expires="2026-03-31"))
    assert exemption == Exemption(
        rule_id=RULE,
        resource="stdiaglab*",
        reason="Boot diagnostics need the public endpoint until AMPLS lands.",
        owner="platform-team@example.org",
        expires=dt.date(2026, 3, 31),
    )


def test_unknown_rule_id_is_an_error_naming_the_entry() -> None:
    with pytest.raises(
        ExemptionError, match=r"exemptions.yaml\[0\].rule: unknown rule id 'storage-no-such-rule'"
    ):
        parse(entry(rule="storage-no-such-rule"))


def test_short_reason_is_rejected() -> None:
    with pytest.raises(ExemptionError, match=r"\[0\].reason: must be at least 10 characters"):
        parse(entry(reason="temporary"))


@pytest.mark.parametrize("pattern", ["*", "**", "?*", " * "])
def test_wildcard_only_pattern_cannot_disable_a_rule_everywhere(pattern: str) -> None:
    with pytest.raises(ExemptionError, match="would match every resource"):
        parse(entry(resource=pattern))


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ExemptionError) as error:
        parse(entry(rule="nope"), entry(owner="", expires="soon", extra=1), {"rule": RULE})
    message = str(error.value)
    for expected in (
        "[0].rule: unknown rule id 'nope'",
        "[1].owner: must name a person or team",
        "[1].expires: must be a date",
        "[1]: unknown key 'extra'",
        "[2].resource: is required",
        "[2].expires: is required",
    ):
        assert expected in message


def test_file_must_be_a_list() -> None:
    with pytest.raises(ExemptionError, match="must be a YAML list"):
        parse_exemptions({"rule": RULE}, ALL_RULES)


def test_invalid_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "exemptions.yaml"
    path.write_text("- rule: [unclosed\n", encoding="utf-8")
    with pytest.raises(ExemptionError, match="not valid YAML"):
        load_exemptions(path, ALL_RULES)


def test_yaml_file_with_date_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "exemptions.yaml"
    path.write_text(
        f"- rule: {RULE}\n  resource: 'stdiaglab*'\n  reason: Needed for the jump box "
        "diagnostics.\n"
        "  owner: platform-team\n  expires: 2026-03-31\n",
        encoding="utf-8",
    )
    (exemption,) = load_exemptions(path, ALL_RULES)
    assert exemption.expires == dt.date(2026, 3, 31)


def test_glob_matches_logical_name_or_urn() -> None:
    by_name, by_urn = parse(entry(), entry(resource="urn:pulumi:lab::hlz::*::stdiag*"))
    assert find_exemption([by_name], RULE, "stdiaglab01", TODAY) is by_name
    assert find_exemption([by_name], RULE, URN, TODAY) is None  # name glob, URN given
    assert find_exemption([by_urn], RULE, URN, TODAY) is by_urn
    assert find_exemption([by_urn], RULE, URN.replace("lab::", "prod::"), TODAY) is None


def test_exemption_only_covers_its_rule() -> None:
    exemptions = parse(entry())
    assert (
        find_exemption(exemptions, "storage-account-require-minimum-tls12", "stdiaglab01", TODAY)
        is None
    )


def test_expired_exemption_no_longer_applies_and_is_reported_as_expired() -> None:
    exemptions = parse(entry(expires=dt.date(2026, 1, 14)))
    assert find_exemption(exemptions, RULE, "stdiaglab01", TODAY) is None
    assert find_expired_exemption(exemptions, RULE, "stdiaglab01", TODAY) == exemptions[0]


def test_exemption_applies_through_its_expiry_day() -> None:
    exemptions = parse(entry(expires=TODAY))
    assert find_exemption(exemptions, RULE, "stdiaglab01", TODAY) == exemptions[0]
    assert find_expired_exemption(exemptions, RULE, "stdiaglab01", TODAY) is None
