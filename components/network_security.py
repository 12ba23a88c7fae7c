"""Network security group rule sets (HIPAA 164.312(e)(1) transmission security)."""

from __future__ import annotations

from pulumi_azure_native import network

_ALLOW = network.SecurityRuleAccess.ALLOW
_DENY = network.SecurityRuleAccess.DENY
_IN = network.SecurityRuleDirection.INBOUND
_OUT = network.SecurityRuleDirection.OUTBOUND
_TCP = network.SecurityRuleProtocol.TCP
_ANY = network.SecurityRuleProtocol.ASTERISK


def _rule(
    name: str,
    priority: int,
    direction: network.SecurityRuleDirection,
    access: network.SecurityRuleAccess,
    source: str,
    destination: str,
    ports: list[str],
    protocol: network.SecurityRuleProtocol = _TCP,
) -> network.SecurityRuleArgs:
    return network.SecurityRuleArgs(
        name=name,
        priority=priority,
        direction=direction,
        access=access,
        protocol=protocol,
        source_address_prefix=source,
        source_port_range="*",
        destination_address_prefix=destination,
        destination_port_ranges=ports,
    )


def deny_internet_inbound_rules() -> list[network.SecurityRuleArgs]:
    """Workload and private-endpoint subnets: nothing comes in from the Internet. Azure's
    default rules already deny it; the explicit rule keeps that true if someone later adds an
    allow rule with a higher number and makes the intent visible in reviews."""
    return [_rule("deny-internet-inbound", 4000, _IN, _DENY, "Internet", "*", ["*"], _ANY)]


def bastion_rules() -> list[network.SecurityRuleArgs]:
    """The rule set Azure Bastion requires on AzureBastionSubnet
    (learn.microsoft.com/azure/bastion/bastion-nsg). HTTPS from the Internet is the one inbound
    Internet flow the landing zone has: it is how operators reach Bastion, which then opens
    SSH/RDP to private addresses only."""
    return [
        _rule("allow-https-inbound", 120, _IN, _ALLOW, "Internet", "*", ["443"]),
        _rule("allow-gateway-manager-inbound", 130, _IN, _ALLOW, "GatewayManager", "*", ["443"]),
        _rule("allow-load-balancer-inbound", 140, _IN, _ALLOW, "AzureLoadBalancer", "*", ["443"]),
        _rule(
            "allow-bastion-host-communication",
            150,
            _IN,
            _ALLOW,
            "VirtualNetwork",
            "VirtualNetwork",
            ["8080", "5701"],
            _ANY,
        ),
        _rule("deny-all-inbound", 4096, _IN, _DENY, "*", "*", ["*"], _ANY),
        _rule("allow-ssh-rdp-outbound", 100, _OUT, _ALLOW, "*", "VirtualNetwork", ["22", "3389"]),
        _rule("allow-azure-cloud-outbound", 110, _OUT, _ALLOW, "*", "AzureCloud", ["443"]),
        _rule(
            "allow-bastion-communication",
            120,
            _OUT,
            _ALLOW,
            "VirtualNetwork",
            "VirtualNetwork",
            ["8080", "5701"],
            _ANY,
        ),
        _rule("allow-session-information", 130, _OUT, _ALLOW, "*", "Internet", ["80"]),
    ]
