"""The hub's DNS Private Resolver and a spoke's link to its forwarding ruleset, under named
scenarios: off by default, the defaults when on, and every refusal naming its field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.dns_resolver import (
    DNS_RESOLVER_API_VERSION,
    GENERIC_TYPES,
    DnsForwardingRulesetLink,
    DnsForwardingRulesetLinkArgs,
    DnsResolverSpec,
    ForwardingRuleSpec,
    rule_name,
)
from components.errors import component_arguments
from components.hub_network import HubNetwork, HubNetworkArgs, HubSubnetPrefixes
from hlz.engine.recording import Registration
from tests.conftest import of_type, one, run_components
from tests.test_components import (
    DIAGNOSTICS,
    NAMER,
    PLACEMENT,
    SUBNETS,
    hub,
    refused_before_registering,
)
from tools.refresh_bicep_types import GENERIC_TARGETS

GENERIC = "azure-native:resources:Resource"
SUBNET = "azure-native:network:Subnet"
NSG = "azure-native:network:NetworkSecurityGroup"
DNS_SUBNETS = SUBNETS.model_copy(
    update={"dns_resolver_inbound": "10.0.3.0/28", "dns_resolver_outbound": "10.0.3.16/28"}
)
CORP = ForwardingRuleSpec.model_validate(
    {"domain": "corp.example.org.", "targets": [{"ip": "192.168.10.4"}, {"ip": "192.168.10.5"}]}
)
SPEC = DnsResolverSpec(forwarding_rules=[CORP])
RULESET_ID = (
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-hlzdev-connectivity/"
    "providers/Microsoft.Network/dnsForwardingRulesets/dnsfrs-hlzdev-hub"
)


def generic(resources: list[Registration], resource_type: str) -> list[Registration]:
    """The generic resources of one DNS resolver type, ``dnsResolvers/inboundEndpoints`` style."""
    parent, _, child = resource_type.rpartition("/")
    return [
        r
        for r in of_type(resources, GENERIC)
        if r.inputs["resourceType"] == child
        and r.inputs["parentResourcePath"].split("/")[0] == parent
    ]


def one_generic(resources: list[Registration], resource_type: str) -> Registration:
    (found,) = generic(resources, resource_type)
    return found


def subnet_named(resources: list[Registration], name: str) -> Registration:
    (found,) = [s for s in of_type(resources, SUBNET) if s.inputs["subnetName"] == name]
    return found


@pytest.fixture(scope="module")
def with_resolver() -> list[Registration]:
    return hub(subnets=DNS_SUBNETS, dns_resolver=SPEC)


def test_hub_network_has_no_dns_resolver_by_default():
    resources = hub(subnets=DNS_SUBNETS)
    assert not of_type(resources, GENERIC)
    assert not [s for s in of_type(resources, SUBNET) if "dns" in s.inputs["subnetName"]]


def test_defaults_every_resource_is_generic_at_the_ga_api(with_resolver: list[Registration]):
    resolvers = of_type(with_resolver, GENERIC)
    assert len(resolvers) == 6  # resolver, 2 endpoints, ruleset, 1 rule, hub link
    assert {r.inputs["apiVersion"] for r in resolvers} == {DNS_RESOLVER_API_VERSION}
    assert {r.inputs["resourceProviderNamespace"] for r in resolvers} == {"Microsoft.Network"}
    assert DNS_RESOLVER_API_VERSION == "2025-05-01"


def test_defaults_resolver_sits_in_the_hub_vnet(with_resolver: list[Registration]):
    vnet = one(with_resolver, "azure-native:network:VirtualNetwork")
    resolver = one_generic(with_resolver, "dnsResolvers")
    assert resolver.inputs["resourceName"] == "dnspr-t-hub"
    assert resolver.inputs["properties"] == {"virtualNetwork": {"id": vnet.id}}
    assert resolver.inputs["location"] == "eastus2" and resolver.inputs["tags"] == PLACEMENT.tags


def test_defaults_inbound_endpoint_has_the_fifth_address_of_its_subnet_statically(
    with_resolver: list[Registration],
):
    inbound = one_generic(with_resolver, "dnsResolvers/inboundEndpoints")
    subnet = subnet_named(with_resolver, "snet-t-dns-inbound")
    assert inbound.inputs["parentResourcePath"] == "dnsResolvers/dnspr-t-hub"
    assert inbound.inputs["resourceName"] == "in-t-hub"
    assert inbound.inputs["properties"] == {
        "ipConfigurations": [
            {
                "subnet": {"id": subnet.id},
                "privateIpAllocationMethod": "Static",
                "privateIpAddress": "10.0.3.4",
            }
        ]
    }


def test_defaults_resolver_subnets_are_delegated_behind_an_nsg_without_a_route_table(
    with_resolver: list[Registration],
):
    for name, prefix in (
        ("snet-t-dns-inbound", "10.0.3.0/28"),
        ("snet-t-dns-outbound", "10.0.3.16/28"),
    ):
        subnet = subnet_named(with_resolver, name)
        assert subnet.inputs["addressPrefix"] == prefix
        assert subnet.inputs["delegations"] == [
            {
                "name": "Microsoft.Network.dnsResolvers",
                "serviceName": "Microsoft.Network/dnsResolvers",
            }
        ]
        assert "routeTable" not in subnet.inputs
        assert subnet.inputs["defaultOutboundAccess"] is False
        nsg_id = subnet.inputs["networkSecurityGroup"]["id"]
        nsg = next(n for n in of_type(with_resolver, NSG) if n.id == nsg_id)
        assert nsg.inputs["networkSecurityGroupName"] == name.replace("snet-t-", "nsg-t-hub-")
        (deny,) = nsg.inputs["securityRules"]
        assert (deny["access"], deny["sourceAddressPrefix"]) == ("Deny", "Internet")


def test_defaults_outbound_endpoint_ruleset_rule_and_hub_link(with_resolver: list[Registration]):
    vnet = one(with_resolver, "azure-native:network:VirtualNetwork")
    outbound = one_generic(with_resolver, "dnsResolvers/outboundEndpoints")
    assert outbound.inputs["properties"] == {
        "subnet": {"id": subnet_named(with_resolver, "snet-t-dns-outbound").id}
    }
    ruleset = one_generic(with_resolver, "dnsForwardingRulesets")
    assert ruleset.inputs["resourceName"] == "dnsfrs-t-hub"
    assert ruleset.inputs["properties"] == {"dnsResolverOutboundEndpoints": [{"id": outbound.id}]}
    rule = one_generic(with_resolver, "dnsForwardingRulesets/forwardingRules")
    assert rule.inputs["parentResourcePath"] == "dnsForwardingRulesets/dnsfrs-t-hub"
    assert rule.inputs["resourceName"] == "fwd-corp-example-org"
    assert rule.inputs["properties"] == {
        "domainName": "corp.example.org.",
        "targetDnsServers": [
            {"ipAddress": "192.168.10.4", "port": 53},
            {"ipAddress": "192.168.10.5", "port": 53},
        ],
        "forwardingRuleState": "Enabled",
    }
    # Forwarding rules and links are proxy resources: no location, no tags.
    assert "location" not in rule.inputs and "tags" not in rule.inputs
    link = one_generic(with_resolver, "dnsForwardingRulesets/virtualNetworkLinks")
    assert link.inputs["resourceName"] == "vnet-t-hub"
    assert link.inputs["properties"] == {"virtualNetwork": {"id": vnet.id}}


def test_defaults_children_are_created_one_after_another_after_the_last_subnet(
    with_resolver: list[Registration],
):
    chain = [
        subnet_named(with_resolver, "snet-t-dns-outbound"),
        one_generic(with_resolver, "dnsResolvers"),
        one_generic(with_resolver, "dnsResolvers/inboundEndpoints"),
        one_generic(with_resolver, "dnsResolvers/outboundEndpoints"),
        one_generic(with_resolver, "dnsForwardingRulesets"),
        one_generic(with_resolver, "dnsForwardingRulesets/forwardingRules"),
        one_generic(with_resolver, "dnsForwardingRulesets/virtualNetworkLinks"),
    ]
    for before, after in zip(chain, chain[1:], strict=False):
        assert before.urn in after.dependencies, (before.urn, after.urn)


def test_defaults_take_no_diagnostic_setting(with_resolver: list[Registration]):
    logged = {
        d.inputs["resourceUri"]
        for d in of_type(with_resolver, "azure-native:monitor:DiagnosticSetting")
    }
    assert not logged & {r.id for r in of_type(with_resolver, GENERIC)}


def test_a_resolver_without_its_subnets_is_refused_before_registering_anything():
    def build() -> None:
        with component_arguments():
            HubNetwork(
                "hub",
                HubNetworkArgs(
                    placement=PLACEMENT,
                    namer=NAMER,
                    address_space="10.0.0.0/22",
                    subnets=SUBNETS,
                    dns_resolver=SPEC,
                    diagnostics=DIAGNOSTICS,
                ),
            )

    error = refused_before_registering(build)
    (problem,) = [text for _, text in error.problems]
    assert (
        "subnets.dns_resolver_inbound (required when a DNS resolver is deployed); "
        "subnets.dns_resolver_outbound (required when a DNS resolver is deployed)"
    ) in problem


@pytest.mark.parametrize(
    ("prefix", "why"),
    [
        ("10.0.3.0/29", "10.0.3.0/29 is smaller than the /28 a DNS resolver endpoint needs"),
        ("10.0.2.0/23", "10.0.2.0/23 is larger than the /24 Azure allows for a DNS resolver"),
    ],
)
def test_resolver_subnets_are_28_to_24(prefix: str, why: str):
    with pytest.raises(ValidationError, match="dns_resolver_inbound") as refused:
        HubSubnetPrefixes.model_validate({**SUBNETS.model_dump(), "dns_resolver_inbound": prefix})
    assert why in str(refused.value)
    for accepted in ("10.0.3.0/28", "10.0.3.0/24"):
        HubSubnetPrefixes.model_validate({**SUBNETS.model_dump(), "dns_resolver_inbound": accepted})


@pytest.mark.parametrize(
    ("rule", "field", "why"),
    [
        (
            {"domain": "corp.example.org", "targets": [{"ip": "192.168.10.4"}]},
            "domain",
            "does not end with '.'",
        ),
        (
            {"domain": "corp.", "targets": [{"ip": "8.8.8.8"}]},
            "targets.0.ip",
            "'8.8.8.8' is not a private (RFC 1918) address",
        ),
        (
            {"domain": "corp.", "targets": [{"ip": "192.168.10.4", "port": 0}]},
            "targets.0.port",
            "greater than or equal to 1",
        ),
        ({"domain": "corp.", "targets": []}, "targets", "at least 1 item"),
        (
            {"domain": "corp.", "targets": [{"ip": f"192.168.10.{n}"} for n in range(7)]},
            "targets",
            "at most 6 items",
        ),
    ],
)
def test_a_forwarding_rule_is_refused_naming_its_field(rule: dict[str, Any], field: str, why: str):
    with pytest.raises(ValidationError) as refused:
        ForwardingRuleSpec.model_validate(rule)
    (error,) = refused.value.errors()
    assert ".".join(str(part) for part in error["loc"]) == field
    assert why in error["msg"]


def test_a_domain_forwarded_twice_is_refused():
    with pytest.raises(
        ValidationError, match=r"\[1\]\.domain 'CORP.example.org\.' is forwarded twice"
    ):
        DnsResolverSpec.model_validate(
            {
                "forwardingRules": [
                    {"domain": "corp.example.org.", "targets": [{"ip": "192.168.10.4"}]},
                    {"domain": "CORP.example.org.", "targets": [{"ip": "192.168.10.5"}]},
                ]
            }
        )


def test_a_target_in_the_inbound_subnet_would_loop_and_is_refused_before_registering_anything():
    loop = DnsResolverSpec.model_validate(
        {"forwardingRules": [{"domain": "corp.", "targets": [{"ip": "10.0.3.4"}]}]}
    )

    def build() -> None:
        with component_arguments():
            HubNetwork(
                "hub",
                HubNetworkArgs(
                    placement=PLACEMENT,
                    namer=NAMER,
                    address_space="10.0.0.0/22",
                    subnets=DNS_SUBNETS,
                    dns_resolver=loop,
                    diagnostics=DIAGNOSTICS,
                ),
            )

    error = refused_before_registering(build)
    (problem,) = [text for _, text in error.problems]
    assert (
        "dns_resolver.forwarding_rules[0].targets[0].ip: 10.0.3.4 is in the DNS resolver's "
        "inbound subnet (10.0.3.0/28)"
    ) in problem


def test_without_rules_the_resolver_still_answers_on_premises_and_links_the_hub():
    resources = hub(subnets=DNS_SUBNETS, dns_resolver=DnsResolverSpec())
    assert not generic(resources, "dnsForwardingRulesets/forwardingRules")
    assert one_generic(resources, "dnsForwardingRulesets/virtualNetworkLinks")


@pytest.mark.parametrize(
    ("domain", "name"),
    [
        ("corp.example.org.", "fwd-corp-example-org"),
        ("10.in-addr.arpa.", "fwd-10-in-addr-arpa"),
        ("_msdcs.Corp.", "fwd-msdcs-corp"),
        (".", "fwd-all"),
    ],
)
def test_rule_names_start_with_a_letter_and_hold_letters_digits_and_hyphens(domain: str, name: str):
    assert rule_name(domain) == name


def test_a_spoke_link_lives_in_the_rulesets_resource_group():
    args = DnsForwardingRulesetLinkArgs(
        ruleset_id=RULESET_ID,
        virtual_network_id="/subscriptions/s/resourceGroups/rg-lab/providers/Microsoft.Network/virtualNetworks/vnet-lab",
        link_name="vnet-hlzdev-lab-spoke",
    )
    resources = run_components(lambda: DnsForwardingRulesetLink("dns-ruleset", args) and None)
    link = one(resources, GENERIC)
    assert link.inputs["resourceGroupName"] == "rg-hlzdev-connectivity"
    assert link.inputs["parentResourcePath"] == "dnsForwardingRulesets/dnsfrs-hlzdev-hub"
    assert link.inputs["resourceType"] == "virtualNetworkLinks"
    assert link.inputs["apiVersion"] == DNS_RESOLVER_API_VERSION
    assert link.inputs["properties"] == {"virtualNetwork": {"id": args.virtual_network_id}}
    assert "location" not in link.inputs


def test_a_spoke_link_refuses_an_id_that_is_no_ruleset():
    with pytest.raises(ValidationError, match="ruleset_id") as refused:
        DnsForwardingRulesetLinkArgs(
            ruleset_id=RULESET_ID.replace("dnsForwardingRulesets", "dnsResolvers"),
            virtual_network_id="/vnet",
            link_name="vnet-lab",
        )
    assert "is not a DNS forwarding ruleset id" in str(refused.value)


def test_the_generic_types_are_the_vendored_generic_targets():
    vendored = {
        arm_type for arm_type, version in GENERIC_TARGETS if version == DNS_RESOLVER_API_VERSION
    }
    assert vendored == {f"Microsoft.Network/{resource_type}" for resource_type in GENERIC_TYPES}
