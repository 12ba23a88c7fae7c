"""Exemptions as data: validation (all problems at once), expiry, glob matching."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from policies.adapter import DEFAULT_EXEMPTIONS_FILE
from policies.exemptions import (
    EXPIRY_CAP_DAYS,
    Exemption,
    ExemptionError,
    find_exemption,
    find_expired_exemption,
    load_exemptions,
    parse_exemptions,
)
from policies.model import Profile
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
    return parse_exemptions(list(entries), ALL_RULES, source="exemptions.yaml", today=TODAY)


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
        ExemptionError,
        match=r"exemptions.yaml\[0\] \(storage-no-such-rule\).rule: unknown rule id "
        "'storage-no-such-rule'",
    ):
        parse(entry(rule="storage-no-such-rule"))


def test_short_reason_is_rejected() -> None:
    with pytest.raises(
        ExemptionError, match=rf"\[0\] \({RULE}\)\.reason: must explain why in at least 10 visible"
    ):
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
        "[0] (nope).rule: unknown rule id 'nope'",
        f"[1] ({RULE}).owner: must name a person or team",
        f"[1] ({RULE}).expires: must be a date",
        f"[1] ({RULE}): unknown key 'extra'",
        f"[2] ({RULE}).resource: is required",
        f"[2] ({RULE}).expires: is required",
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


# --- the resource grammar: every accepted pattern names a bounded set of resources -------------


@pytest.mark.parametrize(
    "pattern",
    [
        "urn:*",  # every URN
        "*-*",  # every name with a hyphen
        "[!~]*",  # every name not starting with '~'
        "*sa",  # leading wildcard
        "std*lab01",  # inner wildcard
        "stdiaglab0?",  # '?' is a glob character
        "stdiag[l]ab*",  # so is '[...]'
        "stdiaglab**",  # a '*' that does not only end the pattern
        "st*",  # a stem this short is every storage account ('st' is the type abbreviation)
        "kv-*",
        "urn:pulumi:lab::hlz::*",  # every resource of the stack
        "urn:pulumi:lab::hlz::*::*",
        "urn:pulumi:*::hlz::*::stdiaglab01",  # any stack
        "urn:pulumi:lab::hlz::azure-native:storage:StorageAccount::*",  # every account
        "urn:pulumi:lab::hlz::azure-native:storage:*::stdiaglab01",  # type prefix
        "urn:pulumi:lab::stdiaglab01",  # not a URN: too few parts
        "urn:other:lab::hlz::x::stdiaglab01",  # not a Pulumi URN
    ],
)
def test_pattern_that_is_not_a_bounded_name_is_refused_naming_the_entry(pattern: str) -> None:
    with pytest.raises(ExemptionError, match=rf"exemptions.yaml\[0\] \({RULE}\)\.resource: "):
        parse(entry(resource=pattern))


@pytest.mark.parametrize(
    "pattern",
    [
        URN,  # an exact URN
        "stdiaglab01",  # an exact logical name
        "sa",  # an exact name may be short: it still names one resource per stack
        "stdiag*",  # a stem of 6 characters, then one '*'
        "urn:pulumi:lab::hlz::*::stdiaglab*",  # one stack, any type, a name stem
        "urn:pulumi:lab::hlz::hlz:storage:Account$azure-native:storage:StorageAccount::stdiaglab01",
    ],
)
def test_exact_urn_exact_name_or_long_stem_is_accepted(pattern: str) -> None:
    (exemption,) = parse(entry(resource=pattern))
    assert exemption.resource == pattern


def test_stem_pattern_matches_names_starting_with_the_stem_only() -> None:
    (exemption,) = parse(entry(resource="stdiag*"))
    assert exemption.matches(RULE, "stdiag")
    assert exemption.matches(RULE, "stdiaglab01")
    assert not exemption.matches(RULE, "xstdiaglab01")
    assert not exemption.matches(RULE, "stdia")
    assert not exemption.matches(RULE, URN)  # a name pattern never matches a URN


def test_urn_pattern_with_any_type_stays_in_its_stack_and_name() -> None:
    (exemption,) = parse(entry(resource="urn:pulumi:lab::hlz::*::stdiaglab01"))
    assert exemption.matches(RULE, URN)
    assert not exemption.matches(RULE, URN.replace("lab::", "prod::"))
    assert not exemption.matches(RULE, URN + "-other")
    assert not exemption.matches(RULE, "stdiaglab01")  # a URN pattern never matches a name


# --- expiry cap ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "cap"), [(Profile.LAB, 365), (Profile.PRODUCTION, 180), (None, 180)]
)
def test_expiry_is_capped_per_profile_counting_from_the_evaluation_day(
    profile: Profile | None, cap: int
) -> None:
    assert EXPIRY_CAP_DAYS[profile or Profile.PRODUCTION] == cap
    last_allowed = TODAY + dt.timedelta(days=cap)
    (exemption,) = parse_exemptions(
        [entry(expires=last_allowed)], ALL_RULES, today=TODAY, profile=profile
    )
    assert exemption.expires == last_allowed
    with pytest.raises(ExemptionError) as error:
        parse_exemptions(
            [entry(expires=last_allowed + dt.timedelta(days=1))],
            ALL_RULES,
            source="exemptions.yaml",
            today=TODAY,
            profile=profile,
        )
    assert (
        f"exemptions.yaml[0] ({RULE}).expires: {last_allowed + dt.timedelta(days=1)} is more "
        f"than {cap} days after the evaluation day ({TODAY})"
    ) in str(error.value)


def test_expired_exemption_is_not_refused_by_the_cap() -> None:
    (exemption,) = parse(entry(expires=dt.date(2020, 1, 1)))
    assert not exemption.is_active(TODAY)


# --- reason and owner are visible text ----------------------------------------------------------


@pytest.mark.parametrize(
    "reason",
    [
        "temporary",
        "\u200b" * 20,  # zero-width spaces
        "ok\u200b\u200c\u200d\u2060\ufeff\u200b\u200b\u200b\u200b\u200b",
        "needed\x00\x01\x02\x03\x04\x05\x06",  # control characters
        "aaaaaaaaaaaaaaa",  # one word
        "1234567890 1234",  # no words of letters
        "a b c d e f g h",  # letters, but no word of two
        "   ok       ok  ",  # whitespace does not count
    ],
)
def test_reason_without_visible_words_is_refused(reason: str) -> None:
    with pytest.raises(
        ExemptionError,
        match=rf"\[0\] \({RULE}\)\.reason: must explain why in at least 10 visible characters "
        "and 2 words",
    ):
        parse(entry(reason=reason))


def test_reason_is_kept_without_invisible_characters() -> None:
    (exemption,) = parse(entry(reason="Vendor\u200b appliance needs it;\x1b ticket CHG-4821."))
    assert exemption.reason == "Vendor appliance needs it; ticket CHG-4821."


@pytest.mark.parametrize("owner", ["", "   ", "\u200b\u200b", "\u2060", "\ufeff-"])
def test_owner_must_be_visible_text(owner: str) -> None:
    with pytest.raises(ExemptionError, match=rf"\[0\] \({RULE}\)\.owner: must name a person"):
        parse(entry(owner=owner))


# --- the file -----------------------------------------------------------------------------------


def test_key_written_twice_in_an_entry_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "exemptions.yaml"
    path.write_text(
        f"- rule: {RULE}\n  resource: stdiaglab01\n  resource: stdiag*\n"
        "  reason: Needed for the jump box diagnostics.\n  owner: platform-team\n"
        "  expires: 2026-03-31\n",
        encoding="utf-8",
    )
    with pytest.raises(ExemptionError, match=r"line 3: key 'resource' is written twice"):
        load_exemptions(path, ALL_RULES, today=TODAY)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExemptionError, match="cannot read"):
        load_exemptions(tmp_path / "nope.yaml", ALL_RULES)


def test_every_new_problem_is_reported_at_once_naming_index_and_rule() -> None:
    with pytest.raises(ExemptionError) as error:
        parse(
            entry(resource="urn:*"),
            entry(rule="keyvault-vault-require-premium-sku", reason="\u200b" * 12),
            entry(owner="\u200b", expires=TODAY + dt.timedelta(days=400)),
        )
    message = str(error.value)
    for expected in (
        f"[0] ({RULE}).resource: 'urn:*'",
        "[1] (keyvault-vault-require-premium-sku).reason: must explain why",
        f"[2] ({RULE}).owner: must name a person or team",
        f"[2] ({RULE}).expires: {TODAY + dt.timedelta(days=400)} is more than 180 days",
    ):
        assert expected in message


def test_shipped_exemptions_file_passes_the_cap_on_any_day() -> None:
    # Empty today; an entry added later must fit production's cap when it is written.
    assert load_exemptions(DEFAULT_EXEMPTIONS_FILE, ALL_RULES, today=TODAY) == []
