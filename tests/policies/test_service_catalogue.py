"""Every row of the catalogue (``policies.services``) agrees with the tables it points into: name
kinds exist in ``policies.names``, private links name ``privatelink.*`` zones the landing zone
creates once and the components resolve, and each type has exactly one diagnostics decision.

tests/test_service_completeness.py checks the other direction: that every planned type has a
row."""

from __future__ import annotations

import re

from components.health_data import HEALTH_ZONES
from components.keyvault import KEY_VAULT_ZONE
from components.monitoring import MONITOR_PRIVATE_LINK_ZONES
from components.openai import AI_SERVICES_ZONE, OPENAI_ZONES
from components.private_dns import all_zone_names
from components.search import SEARCH_ZONE
from components.storage import STORAGE_ENDPOINT_ZONES
from policies.arm_types import KNOWN_ARM_PATHS
from policies.names import NAME_RULES
from policies.rules.tokens import STORAGE_ACCOUNT
from policies.services import PRIVATE_DNS_ZONES, SERVICES, Logged, NotLogged

TOKEN = re.compile(r"azure-native:[a-z]+:[A-Z][A-Za-z]+")


def test_every_row_is_an_azure_native_type_token() -> None:
    assert not [token for token in SERVICES if not TOKEN.fullmatch(token)]


def test_every_diagnostics_decision_is_exactly_one_of_logged_or_not_logged_with_its_text() -> None:
    undecided = [
        t for t, row in SERVICES.items() if not isinstance(row.diagnostics, Logged | NotLogged)
    ]
    assert not undecided, f"neither Logged nor NotLogged: {undecided}"
    blank = [
        token
        for token, row in SERVICES.items()
        if not (
            row.diagnostics.where if isinstance(row.diagnostics, Logged) else row.diagnostics.why
        ).strip()
    ]
    assert not blank, f"a diagnostics decision without its text: {blank}"


def test_every_name_kind_is_a_name_rule() -> None:
    unknown = [
        (t, kind) for t, row in SERVICES.items() for kind, _ in row.names if kind not in NAME_RULES
    ]
    assert not unknown, f"kinds missing from policies.names.NAME_RULES: {unknown}"


def test_named_types_have_an_arm_path_naming_them_by_a_checked_input() -> None:
    """Validated or not: an unvalidated row (the DNS Private Resolver, created as generic
    resources) names its generic resources' ``resourceName`` by its ARM path too."""
    problems: list[str] = []
    for token, row in SERVICES.items():
        if not row.names:
            continue
        if token not in KNOWN_ARM_PATHS:
            problems.append(f"{token}: a name rule but no ARM path")
            continue
        inner = KNOWN_ARM_PATHS[token].levels[-1][1]
        if inner not in {dotted for _, dotted in row.names}:
            problems.append(f"{token}: the ARM name input {inner!r} is not among its names")
    assert not problems, "\n".join(problems)


def test_a_globally_unique_input_is_one_of_the_row_names_with_a_globally_unique_kind() -> None:
    problems: list[str] = []
    for token, row in SERVICES.items():
        if row.globally_unique is None:
            continue
        kinds = [kind for kind, dotted in row.names if dotted == row.globally_unique]
        if not kinds:
            problems.append(f"{token}: {row.globally_unique} is not one of its names")
        elif not all(NAME_RULES[kind].globally_unique for kind in kinds):
            problems.append(f"{token}: {kinds} are not globally unique name rules")
    assert not problems, "\n".join(problems)
    # ...and the other way round: a row with a globally unique name kind says which input.
    unmarked = [
        token
        for token, row in SERVICES.items()
        if any(NAME_RULES[kind].globally_unique for kind, _ in row.names)
        and row.globally_unique is None
    ]
    assert not unmarked, f"a globally unique name kind without globally_unique: {unmarked}"


def test_unvalidated_rows_have_an_arm_path() -> None:
    assert not [t for t, row in SERVICES.items() if not row.validated and row.arm is None]


def test_private_links_name_group_ids_and_privatelink_zones_each_created_once() -> None:
    problems: list[str] = []
    owners: dict[str, str] = {}
    keys: dict[str, str] = {}
    for token, row in SERVICES.items():
        link = row.private_link
        if link is None:
            continue
        if not link.group_ids or len(set(link.group_ids)) != len(link.group_ids):
            problems.append(f"{token}: group ids {link.group_ids}")
        if link.zone_key in keys:
            problems.append(
                f"{token}: zone key {link.zone_key!r} also used by {keys[link.zone_key]}"
            )
        keys[link.zone_key] = token
        if not link.zones:
            problems.append(f"{token}: no privatelink zones")
        for zone in link.zones:
            if not zone.startswith("privatelink.") or zone != zone.lower():
                problems.append(f"{token}: {zone!r} is not a lower-case privatelink.* zone")
            if zone in owners:
                problems.append(f"{token}: {zone} is also a zone of {owners[zone]}")
            owners[zone] = token
    assert not problems, "\n".join(problems)


def test_the_landing_zone_creates_the_zones_of_every_private_link_row_in_its_published_order() -> (
    None
):
    rows = {
        row.private_link.zone_key: row.private_link.zones
        for row in SERVICES.values()
        if row.private_link
    }
    assert dict(PRIVATE_DNS_ZONES) == rows
    # privateDnsZoneIds, which AI lab stacks read, keeps these keys in this order.
    assert list(PRIVATE_DNS_ZONES)[:5] == ["keyvault", "openai", "health", "storage", "monitor"]
    assert all_zone_names() == [zone for zones in PRIVATE_DNS_ZONES.values() for zone in zones]


def test_every_zone_a_component_resolves_is_a_catalogue_zone() -> None:
    resolved = {
        "components.keyvault": (KEY_VAULT_ZONE,),
        "components.openai": (*OPENAI_ZONES, AI_SERVICES_ZONE),
        "components.health_data": HEALTH_ZONES,
        "components.storage": tuple(STORAGE_ENDPOINT_ZONES.values()),
        "components.monitoring": MONITOR_PRIVATE_LINK_ZONES,
        "components.search": (SEARCH_ZONE,),
    }
    created = set(all_zone_names())
    missing = {module: sorted(set(zones) - created) for module, zones in resolved.items()}
    assert not {module: zones for module, zones in missing.items() if zones}, (
        "the landing zone would not create these zones: add them to the row's private_link"
    )


def test_storage_endpoint_groups_are_storage_group_ids() -> None:
    link = SERVICES[STORAGE_ACCOUNT].private_link
    assert link is not None
    assert set(STORAGE_ENDPOINT_ZONES) <= set(link.group_ids)


def test_every_type_that_must_log_accepts_a_diagnostic_setting():
    """A Logged type with no settings would make send_diagnostics refuse it: the component
    could never satisfy monitor-resource-require-diagnostic-settings."""
    from policies.services import SERVICES, Logged

    refused = [
        token
        for token, row in SERVICES.items()
        if isinstance(row.diagnostics, Logged) and row.settings is None
    ]
    assert refused == []
