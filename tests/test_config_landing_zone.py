"""Landing-zone config validation: each bad input names its key; several are all listed."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from components.errors import ConfigError
from stacks.landing_zone.config import load_landing_zone_config
from tests.conftest import ROOT


def example(stack: str = "lz-dev") -> dict[str, Any]:
    """The example stack's hlz:* keys as the program reads them."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key.removeprefix("hlz:"): copy.deepcopy(value) for key, value in config.items()}


def problems(raw: dict[str, Any], stack: str = "lz-dev") -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_landing_zone_config(raw, stack)
    return dict(caught.value.problems)


def test_examples_are_valid():
    assert load_landing_zone_config(example("lz-dev"), "lz-dev").profile == "lab"
    production = load_landing_zone_config(example("lz-prod"), "lz-prod")
    assert production.production and production.ddos_enabled
    assert production.lock_override is None and production.ddos_override is None


def test_lab_defaults_are_derived_from_profile():
    raw = example()
    del raw["ddosProtection"], raw["logRetentionDays"]
    config = load_landing_zone_config(raw, "lz-dev")
    assert (config.ddos_enabled, config.retention_days) == (False, 90)
    assert config.bastion_sku == "Basic"
    assert config.lock_override is not None and config.ddos_override is not None
    # PHI gets a premium vault (HSM-backed keys) in every profile; only non-PHI lab stacks save.
    assert config.key_vault_sku == "premium"
    raw["tags"]["data-classification"] = "internal"
    assert load_landing_zone_config(raw, "lz-dev").key_vault_sku == "standard"


def test_production_defaults_are_the_secure_ones():
    raw = example("lz-prod")
    del raw["ddosProtection"], raw["logRetentionDays"]
    config = load_landing_zone_config(raw, "lz-prod")
    assert (config.ddos_enabled, config.retention_days, config.key_vault_sku) == (
        True,
        365,
        "premium",
    )


def test_overlapping_hub_and_spoke_names_both_keys():
    raw = example()
    raw["spokes"]["clinical-nlp"] = "10.0.2.0/24"
    found = problems(raw)
    message = " ".join(f"{key}: {text}" for key, text in found.items())
    assert "hlz:hub.addressSpace" in message and "hlz:spokes.clinical-nlp" in message
    assert "overlaps" in message


def test_overlapping_spokes():
    raw = example()
    raw["spokes"]["imaging"] = "10.1.2.0/24"
    message = json.dumps(problems(raw))
    assert "hlz:spokes.clinical-nlp" in message and "hlz:spokes.imaging" in message


@pytest.mark.parametrize(
    ("mutate", "key", "fragment"),
    [
        (
            lambda r: r["hub"].update(addressSpace="8.8.0.0/22"),
            "hlz:hub.addressSpace",
            "not a private",
        ),
        (
            lambda r: r["hub"].update(addressSpace="10.0.0.0/33"),
            "hlz:hub.addressSpace",
            "not a valid CIDR",
        ),
        (
            lambda r: r["hub"]["subnets"].update(sharedServices="10.9.1.0/24"),
            "hlz:hub.subnets.sharedServices",
            "outside",
        ),
        (
            lambda r: r["hub"]["subnets"].update(bastion="10.0.0.128/27"),
            "hlz:hub.subnets.bastion",
            "/26",
        ),
        (
            lambda r: r["hub"]["subnets"].update(privateEndpoints="10.0.1.128/25"),
            "hlz:hub.subnets.privateEndpoints",
            "overlaps",
        ),
        (lambda r: r.update(location="westeurope"), "hlz:location", "not an allowed region"),
        (lambda r: r.update(prefix="averylongprefix"), "hlz:prefix", "at most 24"),
        (lambda r: r["tags"].pop("owner"), "hlz:tags.owner", "missing"),
        (
            lambda r: r["tags"].update({"data-classification": "secret"}),
            "hlz:tags.data-classification",
            "not one of",
        ),
        (
            lambda r: r["spokes"].update({"Bad_Name": "10.3.0.0/22"}),
            "hlz:spokes.Bad_Name",
            "lab names",
        ),
        (
            lambda r: r["spokes"].update({"public": "52.1.0.0/22"}),
            "hlz:spokes.public",
            "not a private",
        ),
        (
            lambda r: r.update(platformAdminGroupIds=["not-a-guid"]),
            "hlz:platformAdminGroupIds[0]",
            "GUID",
        ),
        (
            lambda r: r["hub"]["subnets"].pop("firewallManagement"),
            "hlz:hub.subnets.firewallManagement",
            "Basic",
        ),
        (lambda r: r["hub"]["subnets"].pop("bastion"), "hlz:hub.subnets.bastion", "required"),
        (lambda r: r.update(firewall="Huge"), "hlz:firewall", "Input should be"),
        (
            lambda r: r.update(logRetentionDays=10),
            "hlz:logRetentionDays",
            "greater than or equal to 30",
        ),
        (lambda r: r.update(colour="blue"), "hlz:colour", "unknown key"),
        (lambda r: r.pop("location"), "hlz:location", "required key is missing"),
        # Values Azure would refuse are refused here, naming the key.
        (
            lambda r: r["hub"].update(addressSpace="10.0.0.0/255.255.252.0"),
            "hlz:hub.addressSpace",
            "write it as 10.0.0.0/22",
        ),
        (
            lambda r: r["hub"].update(addressSpace="10.0.0.0"),
            "hlz:hub.addressSpace",
            "prefix notation",
        ),
        (
            lambda r: r["spokes"].update({"imaging": "10.2.0.1/22"}),
            "hlz:spokes.imaging",
            "host bits set; the network is 10.2.0.0/22",
        ),
        (
            lambda r: r["hub"]["subnets"].update(sharedServices="10.0.1.0/30"),
            "hlz:hub.subnets.sharedServices",
            "smallest subnet Azure allows is /29",
        ),
        (
            lambda r: r["hub"]["subnets"].update(privateEndpoints="10.0.2.0/32"),
            "hlz:hub.subnets.privateEndpoints",
            "smallest subnet Azure allows is /29",
        ),
        (
            lambda r: r["hub"]["subnets"].update(firewallManagement="10.0.0.192/27"),
            "hlz:hub.subnets.firewallManagement",
            "/26",
        ),
        (
            lambda r: r["tags"].update({"team/unit": "radiology"}),
            "hlz:tags.team/unit",
            "cannot contain",
        ),
        (lambda r: r["tags"].update({"x" * 513: "v"}), "hlz:tags." + "x" * 513, "512"),
        (lambda r: r["tags"].update({"notes": "v" * 257}), "hlz:tags.notes", "256"),
        (lambda r: r["tags"].update({"": "v"}), "hlz:tags.", "empty"),
        (lambda r: r["tags"].update({"Owner": "someone@example.org"}), "hlz:tags.Owner", "case"),
        (lambda r: r["tags"].update(owner="\u200b\u200c\u2060"), "hlz:tags.owner", "invisible"),
        (lambda r: r["tags"].update(owner="\u3164 \ufeff"), "hlz:tags.owner", "invisible"),
        (
            lambda r: r["tags"].update({f"extra-{i}": "x" for i in range(47)}),
            "hlz:tags",
            "50",
        ),
        (lambda r: r.update(logRetentionDays=True), "hlz:logRetentionDays", "integer"),
        (
            lambda r: r.update(
                platformAdminGroupIds=[
                    "3f2b8a7e-1c4d-4e5f-8a9b-0c1d2e3f4a5b",
                    "3F2B8A7E-1C4D-4E5F-8A9B-0C1D2E3F4A5B",
                ]
            ),
            "hlz:platformAdminGroupIds",
            "[1] '3F2B8A7E-1C4D-4E5F-8A9B-0C1D2E3F4A5B' is listed twice (first at [0])",
        ),
    ],
    ids=[
        "public_hub_cidr",
        "invalid_cidr",
        "subnet_outside_vnet",
        "bastion_subnet_too_small",
        "overlapping_subnets",
        "region_not_allowed",
        "name_over_azure_limit",
        "missing_tag",
        "invalid_classification",
        "bad_lab_name",
        "public_spoke_cidr",
        "admin_not_guid",
        "basic_firewall_needs_management_subnet",
        "bastion_needs_subnet",
        "unknown_firewall_sku",
        "retention_below_minimum",
        "unknown_key",
        "missing_key",
        "netmask_cidr",
        "bare_address",
        "host_bits_set",
        "subnet_slash_30",
        "subnet_slash_32",
        "firewall_management_subnet_too_small",
        "tag_name_with_slash",
        "tag_name_too_long",
        "tag_value_too_long",
        "empty_tag_name",
        "tag_names_differing_in_case",
        "owner_of_zero_width_characters",
        "owner_of_blank_letters",
        "more_than_50_tags",
        "bool_as_retention_days",
        "duplicate_admin_group",
    ],
)
def test_bad_input_names_its_key(mutate, key, fragment):
    raw = example()
    mutate(raw)
    found = problems(raw)
    assert key in found, f"{key} not in {found}"
    assert fragment in found[key]


@pytest.mark.parametrize(
    ("mutate", "key", "fragment"),
    [
        (lambda r: r.update(firewall="Basic"), "hlz:firewall", "Standard or Premium"),
        (lambda r: r.update(firewall="none"), "hlz:firewall", "Standard or Premium"),
        (lambda r: r.update(logRetentionDays=90), "hlz:logRetentionDays", "at least 365"),
    ],
    ids=["basic_firewall", "no_firewall", "short_retention"],
)
def test_production_rules(mutate, key, fragment):
    raw = example("lz-prod")
    mutate(raw)
    found = problems(raw, "lz-prod")
    assert fragment in found[key]


def test_every_problem_is_reported_at_once():
    raw = example()
    raw["location"] = "westeurope"
    raw["tags"].pop("cost-center")
    raw["spokes"]["imaging"] = "10.0.0.0/24"
    raw["hub"]["subnets"]["sharedServices"] = "10.50.0.0/24"
    raw["logRetentionDays"] = 90
    raw["profile"] = "production"
    raw["firewall"] = "Basic"
    error_keys = set(problems(raw))
    assert {
        "hlz:location",
        "hlz:tags.cost-center",
        "hlz:hub.addressSpace",
        "hlz:hub.subnets.sharedServices",
        "hlz:firewall",
        "hlz:logRetentionDays",
    } <= error_keys


def test_error_message_lists_each_problem_on_its_own_line():
    raw = example()
    raw["location"] = "westeurope"
    raw["tags"].pop("owner")
    with pytest.raises(ConfigError) as caught:
        load_landing_zone_config(raw, "lz-dev")
    text = str(caught.value)
    assert text.startswith("invalid landing-zone configuration (2 problems):")
    assert "\n  - hlz:location: " in text and "\n  - hlz:tags.owner: " in text


def test_invalid_config_registers_nothing():
    from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, ArmMocks
    from hlz.engine.run import run_program
    from hlz.stackfiles import StackFile
    from stacks.program import main

    document = yaml.safe_load((ROOT / "Pulumi.lz-dev.yaml").read_text())["config"]
    document["hlz:location"] = "uksouth"
    mocks = ArmMocks(DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID)
    stack_file = StackFile("bad", ROOT / "Pulumi.bad.yaml", document)
    with pytest.raises(ConfigError, match="hlz:location"):
        run_program(
            main, project="hlz", stack="bad", config=stack_file.runtime_config(), mocks=mocks
        )
    assert mocks.created == []


def test_a_misspelt_key_gets_the_closest_known_one_as_a_hint():
    raw = example()
    raw["firewal"] = raw.pop("firewall")
    raw["hub"]["subnets"]["sharedService"] = raw["hub"]["subnets"].pop("sharedServices")
    found = problems(raw)
    assert found["hlz:firewal"] == "unknown key (did you mean 'firewall'?)"
    assert found["hlz:hub.subnets.sharedService"] == "unknown key (did you mean 'sharedServices'?)"
    assert found["hlz:hub.subnets.sharedServices"] == "required key is missing"


def test_fifty_tags_including_what_hlz_adds_are_accepted():
    raw = example()
    from stacks.common import MAX_TAGS, RESERVED_TAGS

    extra = MAX_TAGS - RESERVED_TAGS - len(raw["tags"])
    raw["tags"].update({f"extra-{i}": "x" for i in range(extra)})
    load_landing_zone_config(raw, "lz-dev")
    raw["tags"]["one-more"] = "x"
    assert "hlz:tags" in problems(raw)


def test_the_smallest_subnet_azure_allows_is_accepted():
    raw = example()
    raw["hub"]["subnets"]["sharedServices"] = "10.0.1.0/29"
    load_landing_zone_config(raw, "lz-dev")


# --- DDoS protection: production goes without it only through an override --------------------


def test_production_without_ddos_protection_needs_an_override():
    raw = example("lz-prod")
    raw["ddosProtection"] = False
    found = problems(raw, "lz-prod")
    assert "hlz:ddosProtectionOverride" in found["hlz:ddosProtection"]


def test_production_without_ddos_protection_with_an_override():
    raw = example("lz-prod")
    raw["ddosProtection"] = False
    raw["ddosProtectionOverride"] = {
        "reason": "Upstream DDoS scrubbing by the hospital's ISP, ticket CHG-4821",
        "expires": "2099-12-31",
    }
    config = load_landing_zone_config(raw, "lz-prod")
    assert not config.ddos_enabled
    assert config.ddos_protection_override is not None


@pytest.mark.parametrize(
    ("override", "key", "fragment"),
    [
        ({"reason": "temporary"}, "hlz:ddosProtectionOverride.reason", "real reason"),
        (
            {"reason": "Upstream DDoS scrubbing by the ISP", "expires": "2020-01-01"},
            "hlz:ddosProtectionOverride.expires",
            "expired on 2020-01-01",
        ),
    ],
    ids=["reason_too_short", "expired"],
)
def test_a_ddos_override_needs_a_reason_and_a_future_expiry(override, key, fragment):
    raw = example("lz-prod")
    raw["ddosProtection"] = False
    raw["ddosProtectionOverride"] = override
    found = problems(raw, "lz-prod")
    assert fragment in found[key]


def test_a_ddos_override_with_protection_on_is_a_contradiction():
    raw = example("lz-prod")
    raw["ddosProtectionOverride"] = {"reason": "Upstream DDoS scrubbing by the ISP"}
    found = problems(raw, "lz-prod")
    assert "only applies with hlz:ddosProtection: false" in found["hlz:ddosProtectionOverride"]


def test_the_lab_profile_goes_without_ddos_protection_by_default():
    raw = example()
    raw.pop("ddosProtection")
    assert not load_landing_zone_config(raw, "lz-dev").ddos_enabled
    raw["ddosProtection"] = False
    assert not load_landing_zone_config(raw, "lz-dev").ddos_enabled


# --- point-to-site VPN gateway ------------------------------------------------------------------

VPN_GATEWAY = {"sku": "VpnGw1AZ", "clientAddressPool": "172.16.201.0/24"}


def with_vpn_gateway() -> dict[str, Any]:
    raw = example()
    raw["vpnGateway"] = dict(VPN_GATEWAY)
    raw["hub"]["subnets"]["gateway"] = "10.0.0.192/27"
    return raw


def test_a_vpn_gateway_with_its_subnet_is_accepted():
    config = load_landing_zone_config(with_vpn_gateway(), "lz-dev")
    assert config.vpn_gateway is not None and config.vpn_gateway.sku == "VpnGw1AZ"


def test_a_vpn_gateway_needs_the_gateway_subnet():
    raw = with_vpn_gateway()
    del raw["hub"]["subnets"]["gateway"]
    assert problems(raw) == {"hlz:hub.subnets.gateway": "required when a VPN gateway is deployed"}


@pytest.mark.parametrize("pool", ["10.0.3.0/24", "10.2.0.0/24", "10.0.0.0/16"])
def test_a_vpn_client_pool_overlapping_the_hub_or_a_spoke_names_both_keys(pool: str):
    raw = with_vpn_gateway()
    raw["vpnGateway"]["clientAddressPool"] = pool
    message = json.dumps(problems(raw))
    assert "hlz:vpnGateway.clientAddressPool" in message and "overlaps" in message


def test_a_non_az_vpn_gateway_sku_is_refused_naming_its_key():
    raw = with_vpn_gateway()
    raw["vpnGateway"]["sku"] = "VpnGw1"
    assert "hlz:vpnGateway.sku" in problems(raw)


# --- DNS Private Resolver -----------------------------------------------------------------------


def rules(raw: dict[str, Any]) -> list[dict[str, Any]]:
    return raw["dnsResolver"]["forwardingRules"]


@pytest.mark.parametrize("stack", ["lz-dev", "lz-prod"])
def test_the_examples_forward_one_on_premises_domain_to_two_private_servers(stack: str):
    config = load_landing_zone_config(example(stack), stack)
    assert config.dns_resolver is not None
    (rule,) = config.dns_resolver.forwarding_rules
    assert rule.domain == "corp.example.org."
    assert [(t.ip, t.port) for t in rule.targets] == [("192.168.10.4", 53), ("192.168.10.5", 53)]


def test_a_dns_resolver_needs_both_of_its_subnets():
    raw = example()
    del raw["hub"]["subnets"]["dnsResolverInbound"], raw["hub"]["subnets"]["dnsResolverOutbound"]
    assert problems(raw) == {
        "hlz:hub.subnets.dnsResolverInbound": "required when a DNS resolver is deployed",
        "hlz:hub.subnets.dnsResolverOutbound": "required when a DNS resolver is deployed",
    }


def test_forwarding_rules_are_refused_all_at_once_each_naming_its_key():
    raw = example()
    rules(raw)[0]["domain"] = "corp.example.org"
    rules(raw)[0]["targets"][1]["ip"] = "8.8.8.8"
    rules(raw).append(
        {"domain": "lab.example.org.", "targets": [{"ip": "192.168.10.6", "port": 0}]}
    )
    raw["hub"]["subnets"]["dnsResolverOutbound"] = "10.0.3.16/29"
    assert problems(raw) == {
        "hlz:dnsResolver.forwardingRules[0].domain": (
            "'corp.example.org' does not end with '.'; a forwarding rule's domain is dot-terminated"
        ),
        "hlz:dnsResolver.forwardingRules[0].targets[1].ip": (
            "'8.8.8.8' is not a private (RFC 1918) address"
        ),
        "hlz:dnsResolver.forwardingRules[1].targets[0].port": (
            "Input should be greater than or equal to 1"
        ),
        "hlz:hub.subnets.dnsResolverOutbound": (
            "10.0.3.16/29 is smaller than the /28 a DNS resolver endpoint needs"
        ),
    }


def test_a_forwarding_target_in_the_inbound_subnet_would_loop_and_is_refused():
    raw = example()
    rules(raw)[0]["targets"][1]["ip"] = "10.0.3.4"
    assert problems(raw) == {
        "hlz:dnsResolver.forwardingRules[0].targets[1].ip": (
            "10.0.3.4 is in the DNS resolver's inbound subnet (10.0.3.0/28); the ruleset is "
            "linked to the hub, so forwarding to the inbound endpoint would loop"
        )
    }


def test_more_than_six_targets_are_refused():
    raw = example()
    rules(raw)[0]["targets"] = [{"ip": f"192.168.10.{n}"} for n in range(7)]
    assert "at most 6 items" in problems(raw)["hlz:dnsResolver.forwardingRules[0].targets"]


def test_a_domain_forwarded_twice_is_refused():
    raw = example()
    rules(raw).append({**rules(raw)[0], "domain": "CORP.example.org."})
    assert problems(raw) == {
        "hlz:dnsResolver.forwardingRules": (
            "[1].domain 'CORP.example.org.' is forwarded twice (first at [0])"
        )
    }


def test_resolver_subnets_are_checked_like_every_hub_subnet():
    raw = example()
    raw["hub"]["subnets"]["dnsResolverInbound"] = "10.0.1.0/28"  # inside sharedServices
    raw["hub"]["subnets"]["dnsResolverOutbound"] = "10.0.8.0/28"  # outside the hub
    found = json.dumps(problems(raw))
    assert "hlz:hub.subnets.dnsResolverInbound" in found and "overlaps" in found
    assert (
        "hlz:hub.subnets.dnsResolverOutbound" in found and "outside hlz:hub.addressSpace" in found
    )


def test_a_landing_zone_without_a_resolver_takes_its_subnet_prefixes_unused():
    raw = example()
    del raw["dnsResolver"]
    assert load_landing_zone_config(raw, "lz-dev").dns_resolver is None


# --- who the action group tells (docs/alerts.md) -----------------------------------------------


def test_alert_recipients_default_to_an_owner_tag_that_is_an_email():
    config = load_landing_zone_config(example("lz-dev"), "lz-dev")
    assert config.platform_emails == ["platform-team@example.org"]
    assert config.action_group_short_name == "hlzdev"
    prod = load_landing_zone_config(example("lz-prod"), "lz-prod")
    assert prod.platform_emails == ["platform-team@example.org", "platform-oncall@example.org"]


def test_an_owner_tag_that_is_no_email_needs_platform_emails():
    raw = example()
    raw["tags"]["owner"] = "Platform team"
    assert problems(raw) == {
        "hlz:alerts.platformEmails": (
            "required: the owner tag 'Platform team' is not an email address, so it cannot stand "
            "in for it; list who is notified (e.g. [team@example.org])"
        )
    }
    raw["alerts"] = {"platformEmails": ["platform@example.org"]}
    assert load_landing_zone_config(raw, "lz-dev").platform_emails == ["platform@example.org"]


@pytest.mark.parametrize(
    ("emails", "key", "fragment"),
    [
        (["platform"], "hlz:alerts.platformEmails[0]", "'platform' is not an email address"),
        ([], "hlz:alerts.platformEmails", "needs at least one address"),
        ([f"p{n}@example.org" for n in range(51)], "hlz:alerts.platformEmails", "at most 50"),
    ],
)
def test_bad_platform_emails_name_their_key(emails, key, fragment):
    raw = example()
    raw["alerts"] = {"platformEmails": emails}
    assert fragment in problems(raw)[key]


def test_the_spoke_address_pool_holds_every_spoke():
    raw = example()
    raw["spokeAddressPool"] = ["10.1.0.0/16"]  # imaging (10.2.0.0/22) is outside it
    found = problems(raw)
    assert "outside hlz:spokeAddressPool (10.1.0.0/16)" in found["hlz:spokes.imaging"]
    raw["spokeAddressPool"] = ["10.1.0.0/16", "10.2.0.0/16"]
    assert load_landing_zone_config(raw, "lz-dev").spoke_address_pool == raw["spokeAddressPool"]


def test_spoke_address_pool_entries_are_private_and_do_not_overlap():
    raw = example()
    raw["spokeAddressPool"] = ["10.1.0.0/16", "10.1.128.0/17", "10.2.0.0/16"]
    found = problems(raw)
    assert "overlaps hlz:spokeAddressPool[1]" in found["hlz:spokeAddressPool[0]"]
    raw["spokeAddressPool"][2] = "52.0.0.0/16"
    assert "hlz:spokeAddressPool[2]" in problems(raw)


def test_examples_have_a_spoke_address_pool():
    for stack in ("lz-dev", "lz-prod"):
        assert load_landing_zone_config(example(stack), stack).spoke_address_pool
