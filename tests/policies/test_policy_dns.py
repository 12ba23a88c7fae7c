"""The DNS Private Resolver as the pack sees it: generic resources judged as the dnsresolver
tokens, and the endpoint-subnet stack rule (one case per failure mode)."""

from __future__ import annotations

from typing import Any

import pytest
from test_policy_stack_rules import res

from policies.evaluation import evaluate, evaluate_stack
from policies.model import Compliant, NonCompliant, NotApplicable, Profile
from policies.normalise import normalise
from policies.registry import RULES_BY_ID
from policies.rules.dns import check_endpoint_subnets

GENERIC = "azure-native:resources:Resource"
INBOUND = "azure-native:dnsresolver:InboundEndpoint"
OUTBOUND = "azure-native:dnsresolver:OutboundEndpoint"
SUBNET = "azure-native:network:Subnet"
DELEGATED = [
    {"name": "Microsoft.Network.dnsResolvers", "serviceName": "Microsoft.Network/dnsResolvers"}
]


def generic_rule(**properties: Any) -> dict[str, Any]:
    """A forwarding rule as components.dns_resolver registers it."""
    return {
        "resourceProviderNamespace": "Microsoft.Network",
        "parentResourcePath": "dnsForwardingRulesets/dnsfrs-hlzdev-hub",
        "resourceType": "forwardingRules",
        "apiVersion": "2025-05-01",
        "resourceName": "fwd-corp-example-org",
        "resourceGroupName": "rg-hlzdev-connectivity",
        "properties": {
            "domainName": "corp.example.org.",
            "targetDnsServers": [{"ipAddress": "192.168.10.4", "port": 53}],
            "forwardingRuleState": "Enabled",
            **properties,
        },
    }


def test_a_generic_forwarding_rule_is_judged_as_the_typed_token_with_its_parents_name():
    token, props = normalise(GENERIC, generic_rule())
    assert token == "azure-native:dnsresolver:ForwardingRule"
    assert props["forwardingRuleName"] == "fwd-corp-example-org"
    assert props["dnsForwardingRulesetName"] == "dnsfrs-hlzdev-hub"
    assert props["targetDnsServers"] == [{"ipAddress": "192.168.10.4", "port": 53}]
    assert "parentResourcePath" not in props and "apiVersion" not in props


def test_a_parent_path_of_other_collections_names_no_parent():
    raw = generic_rule()
    raw["parentResourcePath"] = "somethingElse/x"
    token, props = normalise(GENERIC, raw)
    # Another ARM type altogether: not the forwarding rule, so nothing is lifted either.
    assert token == GENERIC and "dnsForwardingRulesetName" not in props


@pytest.mark.parametrize(
    ("rule_id", "properties", "expect"),
    [
        ("network-dnsforwardingrule-require-private-targets", {}, None),
        (
            "network-dnsforwardingrule-require-private-targets",
            {"targetDnsServers": [{"ipAddress": "1.1.1.1", "port": 53}]},
            "targetDnsServers[0].ipAddress is '1.1.1.1', not a private (RFC 1918) address",
        ),
        (
            "deploy-dnsforwardingrule-restrict-domain-name",
            {"domainName": "corp.example.org"},
            "domainName 'corp.example.org' does not end with '.'",
        ),
        (
            "deploy-dnsforwardingrule-restrict-targets",
            {"targetDnsServers": [{"ipAddress": "168.63.129.16"}]},
            "168.63.129.16 (Azure DNS)",
        ),
    ],
)
def test_the_forwarding_rule_rules_judge_the_generic_resource(
    rule_id: str, properties: dict[str, Any], expect: str | None
):
    outcome = evaluate(
        RULES_BY_ID[rule_id], GENERIC, generic_rule(**properties), profile=Profile.PRODUCTION
    )
    if expect is None:
        assert isinstance(outcome, Compliant), outcome
    else:
        assert isinstance(outcome, NonCompliant) and any(expect in r for r in outcome.reasons), (
            outcome
        )


def test_two_generic_rules_of_one_name_in_one_ruleset_collide():
    first = res(GENERIC, "fwd-a", generic_rule())
    second = res(GENERIC, "fwd-b", generic_rule())
    other_ruleset = res(
        GENERIC, "fwd-c", {**generic_rule(), "parentResourcePath": "dnsForwardingRulesets/x"}
    )
    outcomes = evaluate_stack(
        RULES_BY_ID["deploy-resource-disallow-duplicate-names"], [first, second, other_ruleset]
    )
    assert isinstance(outcomes[first.urn], NonCompliant)
    assert isinstance(outcomes[other_ruleset.urn], Compliant)


# --- deploy-dnsresolver-require-delegated-subnet ------------------------------------------------


def subnet(name: str, prefix: str = "10.0.3.0/28", delegations: Any = DELEGATED) -> Any:
    props: dict[str, Any] = {"subnetName": name, "addressPrefix": prefix}
    if delegations is not None:
        props["delegations"] = delegations
    return res(SUBNET, name, props)


def inbound(name: str, *subnets: Any) -> Any:
    return res(INBOUND, name, deps={"ipConfigurations": list(subnets)})


def outbound(name: str, snet: Any) -> Any:
    return res(OUTBOUND, name, deps={"subnet": [snet]})


def reasons(resources: list[Any], urn: str) -> list[str]:
    outcome = check_endpoint_subnets(resources)[urn]
    assert isinstance(outcome, NonCompliant), outcome
    return list(outcome.reasons)


def test_endpoints_each_in_a_delegated_subnet_of_their_own_are_compliant():
    snet_in, snet_out = subnet("dns-in"), subnet("dns-out", "10.0.3.16/28")
    endpoints = [inbound("in", snet_in), outbound("out", snet_out)]
    outcomes = check_endpoint_subnets([snet_in, snet_out, *endpoints])
    assert all(isinstance(o, Compliant) for o in outcomes.values()) and len(outcomes) == 2


def test_a_generic_endpoint_relates_to_its_subnet_through_properties():
    snet = subnet("dns-in", delegations=None)
    # As normalised from the generic resource: the subnet id sits in the input `properties`.
    endpoint = res(INBOUND, "in", deps={"properties": [snet]})
    assert (
        "is not delegated to Microsoft.Network/dnsResolvers"
        in reasons([snet, endpoint], endpoint.urn)[0]
    )


@pytest.mark.parametrize(
    ("snet", "expect"),
    [
        (
            subnet("plain", delegations=None),
            "subnet 'plain' of endpoint 'out' is not delegated to Microsoft.Network/dnsResolvers",
        ),
        (
            subnet(
                "both",
                delegations=[
                    *DELEGATED,
                    {"name": "sql", "serviceName": "Microsoft.Sql/managedInstances"},
                ],
            ),
            "subnet 'both' of endpoint 'out' is also delegated to Microsoft.Sql/managedInstances",
        ),
        (
            subnet("tiny", "10.0.3.0/29"),
            "subnet 'tiny' of endpoint 'out' is 10.0.3.0/29; a DNS resolver endpoint's subnet is /28 to /24",
        ),
        (
            subnet("huge", "10.0.0.0/23"),
            "is 10.0.0.0/23; a DNS resolver endpoint's subnet is /28 to /24",
        ),
    ],
)
def test_each_subnet_failure_mode_is_reported(snet: Any, expect: str):
    endpoint = outbound("out", snet)
    assert any(expect in reason for reason in reasons([snet, endpoint], endpoint.urn))


def test_accepted_boundaries_and_delegation_in_any_case():
    for snet in (
        subnet("a24", "10.0.3.0/24"),
        subnet("lower", delegations=[{"serviceName": "microsoft.network/dnsresolvers"}]),
    ):
        endpoint = outbound("out", snet)
        assert isinstance(check_endpoint_subnets([snet, endpoint])[endpoint.urn], Compliant)


def test_two_endpoints_sharing_a_subnet_are_both_reported():
    snet = subnet("dns")
    first, second = inbound("in", snet), outbound("out", snet)
    resources = [snet, first, second]
    assert (
        "is also used by 'out'; each DNS resolver endpoint needs a subnet of its own"
        in reasons(resources, first.urn)[0]
    )
    assert "is also used by 'in'" in reasons(resources, second.urn)[0]


def test_an_inbound_endpoint_spanning_two_subnets_is_reported():
    one, two = subnet("dns-a"), subnet("dns-b", "10.0.3.16/28")
    endpoint = inbound("in", one, two)
    assert "spans the subnets 'dns-a', 'dns-b'" in reasons([one, two, endpoint], endpoint.urn)[0]


def test_an_endpoint_whose_subnet_is_not_in_the_stack_is_not_applicable():
    endpoint = outbound("out", subnet("elsewhere"))
    outcome = check_endpoint_subnets([endpoint])[endpoint.urn]
    assert isinstance(outcome, NotApplicable)
