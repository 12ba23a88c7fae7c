"""Azure resource name rules: length and characters per resource kind, and which kinds must be
globally unique (their name becomes a DNS label).

They live in the pack, which must stay importable on its own when the Pulumi CLI loads it: the
deploy rules check planned names with them, and ``components.naming`` builds names with the same
table, so a name the components accept is a name the pack accepts (one list, not two).

Limits from https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules;
abbreviations from the Cloud Adoption Framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NAME_RULES", "NameRule", "name_problem"]


@dataclass(frozen=True)
class NameRule:
    abbreviation: str
    max_length: int
    pattern: str
    """Full-match regex of the allowed characters and shape."""
    globally_unique: bool = False
    hyphens: bool = True
    """False for kinds that allow only letters and digits (hyphens are dropped)."""
    min_length: int = 1


NAME_RULES: dict[str, NameRule] = {
    "resource_group": NameRule("rg", 90, r"[-\w.()]*[-\w()]"),
    "virtual_network": NameRule("vnet", 64, r"[A-Za-z0-9][-\w.]*\w", min_length=2),
    "subnet": NameRule("snet", 80, r"\w([-\w.]*\w)?"),
    "network_security_group": NameRule("nsg", 80, r"\w([-\w.]*\w)?"),
    "route_table": NameRule("rt", 80, r"\w([-\w.]*\w)?"),
    "public_ip": NameRule("pip", 80, r"\w([-\w.]*\w)?"),
    "firewall": NameRule("afw", 56, r"\w([-\w.]*\w)?"),
    "firewall_policy": NameRule("afwp", 80, r"\w([-\w.]*\w)?"),
    "bastion": NameRule("bas", 80, r"\w([-\w.]*\w)?"),
    "ddos_plan": NameRule("ddos", 80, r"\w([-\w.]*\w)?"),
    # Microsoft.Network/virtualNetworkGateways: 1-80 alphanumerics, underscores, periods and
    # hyphens; starts with an alphanumeric, ends with an alphanumeric or underscore.
    "virtual_network_gateway": NameRule("vgw", 80, r"[A-Za-z0-9]([-\w.]*\w)?"),
    # Microsoft.Network/dnsResolvers, dnsResolvers/inboundEndpoints, .../outboundEndpoints and
    # dnsForwardingRulesets: 1-80 alphanumerics, underscores and hyphens; start and end with an
    # alphanumeric (no periods, unlike most Microsoft.Network names). Forwarding rules and
    # ruleset links are not on that page and have no kind here: components.dns_resolver
    # builds their names from letters, digits and hyphens only.
    "dns_resolver": NameRule("dnspr", 80, r"[A-Za-z0-9]([-\w]*[A-Za-z0-9])?"),
    "dns_resolver_inbound_endpoint": NameRule("in", 80, r"[A-Za-z0-9]([-\w]*[A-Za-z0-9])?"),
    "dns_resolver_outbound_endpoint": NameRule("out", 80, r"[A-Za-z0-9]([-\w]*[A-Za-z0-9])?"),
    "dns_forwarding_ruleset": NameRule("dnsfrs", 80, r"[A-Za-z0-9]([-\w]*[A-Za-z0-9])?"),
    "private_endpoint": NameRule("pe", 64, r"\w([-\w.]*\w)?", min_length=2),
    "log_analytics": NameRule("log", 63, r"[A-Za-z0-9][-A-Za-z0-9]*[A-Za-z0-9]", min_length=4),
    "monitor_private_link_scope": NameRule("ampls", 255, r"[-\w.()]*[-\w()]"),
    # Microsoft.Insights/components: 1-260 characters, none of % & \ ? /, not ending in a period
    # or space (Azure's naming-rules page); hlz names use the CAF abbreviation and this subset.
    "application_insights": NameRule("appi", 260, r"[-\w.()]*[-\w()]"),
    "key_vault": NameRule(
        "kv", 24, r"[A-Za-z](?!.*--)[-A-Za-z0-9]*[A-Za-z0-9]", globally_unique=True, min_length=3
    ),
    "storage_account": NameRule(
        "st", 24, r"[a-z0-9]+", globally_unique=True, hyphens=False, min_length=3
    ),
    "cognitive_services": NameRule(
        "oai", 64, r"[A-Za-z0-9][-A-Za-z0-9]*[A-Za-z0-9]", globally_unique=True, min_length=2
    ),
    # Microsoft.CognitiveServices/accounts/projects: the Bicep type's pattern, unique in its
    # account.
    "foundry_project": NameRule("proj", 64, r"[A-Za-z0-9][-A-Za-z0-9_.]*", min_length=2),
    # Microsoft.CognitiveServices/accounts/connections and .../projects/connections: the REST
    # API's connectionName pattern ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$ (no dots), unique in its
    # account or project. The Cloud Adoption Framework has no abbreviation for it.
    "foundry_connection": NameRule("conn", 33, r"[A-Za-z0-9][-A-Za-z0-9_]*", min_length=3),
    # Microsoft.DocumentDB/databaseAccounts: 3-44 lowercase letters, digits and hyphens, starting
    # with a letter or digit (the naming-rules page); the REST API's accountName pattern
    # ^[a-z0-9]+(-[a-z0-9]+)* also forbids consecutive and trailing hyphens. A global DNS label
    # (<name>.documents.azure.com).
    "cosmos_account": NameRule(
        "cosmos", 44, r"[a-z0-9]+(-[a-z0-9]+)*", globally_unique=True, min_length=3
    ),
    # Microsoft.Search/searchServices: 2-60 lowercase letters, digits and dashes; the first,
    # second and last characters a letter or digit, no consecutive dashes (Azure AI Search
    # naming rules, https://learn.microsoft.com/rest/api/searchservice/naming-rules); the name is
    # the service's DNS label <name>.search.windows.net.
    # Microsoft.ApiManagement/service: 1-50 letters, digits and hyphens, starting with a letter
    # and ending with a letter or digit (the Bicep type's pattern); a global DNS label
    # (<name>.azure-api.net).
    "api_management": NameRule(
        "apim", 50, r"[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?", globally_unique=True
    ),
    "search_service": NameRule(
        "srch", 60, r"[a-z0-9]{2}(-?[a-z0-9])*", globally_unique=True, min_length=2
    ),
    "managed_identity": NameRule("id", 128, r"[A-Za-z0-9][-\w]*", min_length=3),
    "health_workspace": NameRule(
        "hds", 24, r"[a-z0-9]+", globally_unique=True, hyphens=False, min_length=3
    ),
    "fhir_service": NameRule("fhir", 24, r"[a-z0-9][-a-z0-9]*[a-z0-9]", min_length=3),
    "dicom_service": NameRule("dicom", 24, r"[a-z0-9][-a-z0-9]*[a-z0-9]", min_length=3),
    # Microsoft.Compute/virtualMachines, Linux: 1-64; no spaces, control characters or any of
    # ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \ | ; : . ' " , < > / ? (periods and underscores
    # included), and not ending with a hyphen. Learn states these for the host name
    # (osProfile.computerName), which the resource name becomes unless set apart, so both are
    # held to them; starting with a letter or digit as well, as a host name must (RFC 1123).
    # Windows (1-15, no periods) is not a kind here: hlz creates Linux VMs only.
    "virtual_machine": NameRule("vm", 64, r"[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?"),
    # Microsoft.Compute/diskEncryptionSets: 1-80 alphanumerics, underscores and hyphens (the
    # API's diskEncryptionSetName description says the same: a-z, A-Z, 0-9, _ and -).
    "disk_encryption_set": NameRule("des", 80, r"[-A-Za-z0-9_]+"),
    # Microsoft.Network/networkInterfaces: 1-80 alphanumerics, underscores, periods and
    # hyphens; starts with an alphanumeric, ends with an alphanumeric or underscore.
    "network_interface": NameRule("nic", 80, r"[A-Za-z0-9]([-\w.]*\w)?"),
    # Microsoft.Insights/actionGroups, metricAlerts and activityLogAlerts: 1-260 characters,
    # none of a few punctuation characters (: < > + / & % \ ? | and, for alert rules, also
    # * # @ { }) or control characters, not ending with a space or period. hlz names them from
    # this subset: letters, digits, '-', '_', '.', '(' and ')'.
    "action_group": NameRule("ag", 260, r"[A-Za-z0-9][-\w.()]*[-\w()]"),
    "alert_rule": NameRule("ar", 260, r"[A-Za-z0-9][-\w.()]*[-\w()]"),
    # Microsoft.Consumption/budgets: 1-63 alphanumerics, underscores and hyphens (Cost
    # Management's budgetName pattern is ^[a-zA-Z0-9_-]+$). The Cloud Adoption Framework has no
    # abbreviation for a budget.
    "budget": NameRule("budget", 63, r"[A-Za-z0-9][-\w]*"),
}
"""Resource kind -> its name rule."""


def name_problem(kind: str, name: str) -> str | None:
    """Why ``name`` is not a valid Azure name for ``kind``, or None when it is."""
    rule = NAME_RULES[kind]
    if len(name) > rule.max_length:
        return (
            f"'{name}' is {len(name)} characters; Azure allows at most {rule.max_length} for {kind}"
        )
    if len(name) < rule.min_length:
        return f"'{name}' is shorter than {rule.min_length} characters, the minimum for {kind}"
    if not re.fullmatch(rule.pattern, name):
        return f"'{name}' has characters or a shape Azure does not allow for {kind}"
    return None
