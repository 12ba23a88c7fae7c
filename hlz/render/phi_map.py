"""``hlz report phi-map``: the systems of a stack that store or process ePHI and the network
paths between them, drawn (Mermaid) from the plan — HIPAA 164.308(a)(1)(ii)(A): a risk analysis
starts from where ePHI is and how it moves.

| drawn                     | read from the plan                                                 |
|---------------------------|--------------------------------------------------------------------|
| a PHI system (box)        | a managed resource of a ``SYSTEM_TYPES`` type tagged               |
|                           | ``data-classification: phi`` (``policies.vocabulary.holds_phi``),  |
|                           | or of a type the pack treats as a PHI store                        |
|                           | (``policies.alerting.PHI_STORE_TYPES``) that is not classified     |
|                           | otherwise — the same decision as ``monitor-phistore-require-...``  |
| system -> subnet          | a private endpoint to it (label: endpoint name, group ids), or a   |
|                           | VM's network interface                                             |
| subnet -> VNet            | the subnet's ``virtualNetworkName``                                |
| subnet -> egress          | a route of its route table to a virtual appliance (the hub's       |
|                           | firewall): the only way out                                        |
| VNet <-> VNet             | a virtual network peering (the hub, from another stack, is a node  |
|                           | by name)                                                           |
| system -.-> system        | a shared private link (AI Search indexers), or a role assignment   |
|                           | whose principal is the one system's identity and whose scope is    |
|                           | the other (label: the role)                                        |

Only relations the engine recorded (property dependencies) or ids spelled in the plan are
drawn; nothing is inferred from names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from hlz.policy_check import stack_resources
from hlz.render.inventory_resources import resource_name as _name
from policies.alerting import PHI_STORE_TYPES
from policies.evaluation import normalised
from policies.model import StackResource
from policies.props import as_mapping, as_sequence, as_str, get
from policies.rules.tokens import (
    COGNITIVE_ACCOUNT,
    DICOM_SERVICE,
    FHIR_SERVICE,
    NETWORK_INTERFACE,
    PRIVATE_ENDPOINT,
    ROLE_ASSIGNMENT,
    SEARCH_SHARED_PRIVATE_LINK,
    SUBNET,
    USER_ASSIGNED_IDENTITY,
    VIRTUAL_MACHINE,
)
from policies.services import SERVICES
from policies.vocabulary import CLASSIFICATION_TAG, holds_phi

__all__ = ["SYSTEM_TYPES", "PhiMap", "markdown", "mermaid", "phi_map"]

VIRTUAL_NETWORK_PEERING = "azure-native:network:VirtualNetworkPeering"

SYSTEM_TYPES: frozenset[str] = frozenset(
    {token for token, row in SERVICES.items() if row.private_link is not None}
    | PHI_STORE_TYPES
    | {FHIR_SERVICE, DICOM_SERVICE, COGNITIVE_ACCOUNT, VIRTUAL_MACHINE}
)
"""Types that are systems holding or processing data: the private-link targets of the catalogue
(PaaS holding or guarding ePHI), the pack's PHI stores, the health data services, AI accounts and
virtual machines. Keys, endpoints and role assignments are not systems: they are paths."""


def _node_id(kind: str, key: str) -> str:
    return f"{kind}_" + re.sub(r"[^A-Za-z0-9]", "_", key)


def _last(resource_id: str | None) -> str:
    return (resource_id or "").rstrip("/").rsplit("/", 1)[-1]


def _classification(props: Mapping[str, Any]) -> str | None:
    tags = as_mapping(get(props, "tags")) or {}
    key = next((k for k in tags if isinstance(k, str) and k.casefold() == CLASSIFICATION_TAG), None)
    return as_str(tags[key]) if key is not None else None


def is_phi_system(resource: StackResource) -> bool:
    if resource.resource_type not in SYSTEM_TYPES:
        return False
    classification = _classification(resource.props)
    if classification is None:
        return resource.resource_type in PHI_STORE_TYPES
    return holds_phi(classification)


def _deps(resource: StackResource, *properties: str) -> list[str]:
    return [urn for name in properties for urn in resource.property_dependencies.get(name, ())]


class PhiMap:
    """Nodes and edges of the map; ``edges`` are (source id, target id, label, style)."""

    def __init__(self) -> None:
        self.nodes: dict[str, tuple[str, str]] = {}
        """id -> (label, shape: system | subnet | vnet | egress)."""
        self.edges: set[tuple[str, str, str, str]] = set()

    def node(self, node_id: str, label: str, shape: str) -> str:
        self.nodes.setdefault(node_id, (label, shape))
        return node_id

    def edge(self, source: str, target: str, label: str, style: str = "-->") -> None:
        self.edges.add((source, target, label, style))


def phi_map(plan: dict[str, Any]) -> PhiMap:
    resources = [normalised(resource) for resource in stack_resources(plan)]
    by_urn = {resource.urn: resource for resource in resources}
    of = _grouped(resources)
    drawn = PhiMap()
    systems = {r.urn: r for r in resources if is_phi_system(r)}

    def system(resource: StackResource) -> str:
        kind = resource.resource_type.rsplit(":", 1)[-1]
        return drawn.node(
            _node_id("sys", resource.name), f"{_name(resource)}<br/>({kind})", "system"
        )

    def vnet(name: str) -> str:
        return drawn.node(_node_id("vnet", name.casefold()), f"VNet {name}", "vnet")

    def subnet(resource: StackResource | None, subnet_id: str | None) -> str:
        if resource is not None:
            name = as_str(get(resource.props, "subnetName")) or resource.name
            node = drawn.node(_node_id("snet", name), f"subnet {name}", "subnet")
            network = as_str(get(resource.props, "virtualNetworkName"))
            if network:
                drawn.edge(node, vnet(network), "in")
            table = next((by_urn[u] for u in _deps(resource, "routeTable") if u in by_urn), None)
            if table is not None:
                for route in as_sequence(get(table.props, "routes")):
                    hop = as_str(get(route, "nextHopIpAddress"))
                    if as_str(get(route, "nextHopType")) == "VirtualAppliance" and hop:
                        egress = drawn.node(
                            _node_id("egress", hop), f"egress: firewall {hop}", "egress"
                        )
                        prefix = as_str(get(route, "addressPrefix")) or "?"
                        drawn.edge(node, egress, f"{prefix} via {_name(table)}")
            return node
        parts = (subnet_id or "").split("/")
        name = _last(subnet_id)
        node = drawn.node(_node_id("snet", name), f"subnet {name}", "subnet")
        if "virtualNetworks" in parts:
            drawn.edge(node, vnet(parts[parts.index("virtualNetworks") + 1]), "in")
        return node

    for endpoint in of.get(PRIVATE_ENDPOINT, []):
        targets = [
            systems[u] for u in _deps(endpoint, "privateLinkServiceConnections") if u in systems
        ]
        if not targets:
            continue
        subnet_resource = next((by_urn[u] for u in _deps(endpoint, "subnet") if u in by_urn), None)
        target = subnet(subnet_resource, as_str(get(endpoint.props, "subnet", "id")))
        groups = ", ".join(
            group
            for connection in as_sequence(get(endpoint.props, "privateLinkServiceConnections"))
            for group in as_sequence(get(connection, "groupIds"))
            if isinstance(group, str)
        )
        for resource in targets:
            drawn.edge(system(resource), target, f"private endpoint {_name(endpoint)} ({groups})")

    for machine in (r for r in systems.values() if r.resource_type == VIRTUAL_MACHINE):
        for nic in (by_urn[u] for u in machine.dependencies if u in by_urn):
            if nic.resource_type != NETWORK_INTERFACE:
                continue
            for subnet_urn in _deps(nic, "ipConfigurations"):
                if subnet_urn in by_urn and by_urn[subnet_urn].resource_type == SUBNET:
                    drawn.edge(
                        system(machine), subnet(by_urn[subnet_urn], None), f"NIC {_name(nic)}"
                    )

    for peering in of.get(VIRTUAL_NETWORK_PEERING, []):
        local = as_str(get(peering.props, "virtualNetworkName"))
        remote = _last(as_str(get(peering.props, "remoteVirtualNetwork", "id")))
        if local and remote:
            drawn.edge(vnet(local), vnet(remote), f"peering {_name(peering)}")

    for link in of.get(SEARCH_SHARED_PRIVATE_LINK, []):
        sources = [systems[u] for u in _deps(link, "searchServiceName") if u in systems]
        targets = [systems[u] for u in _deps(link, "properties") if u in systems]
        group = as_str(get(link.props, "properties", "groupId")) or ""
        for source in sources:
            for target in targets:
                drawn.edge(system(source), system(target), f"shared private link ({group})", "-.->")

    _role_edges(drawn, of.get(ROLE_ASSIGNMENT, []), systems, by_urn, system)
    return drawn


def _grouped(resources: Iterable[StackResource]) -> dict[str, list[StackResource]]:
    grouped: dict[str, list[StackResource]] = {}
    for resource in resources:
        grouped.setdefault(resource.resource_type, []).append(resource)
    return grouped


def _role_name(role_definition_id: str | None) -> str:
    from components.roles import BUILTIN_ROLES

    guid = _last(role_definition_id).casefold()
    names = {value.casefold(): name for name, value in BUILTIN_ROLES.items()}
    return names.get(guid, f"role {guid}")


def _role_edges(
    drawn: PhiMap,
    assignments: list[StackResource],
    systems: Mapping[str, StackResource],
    by_urn: Mapping[str, StackResource],
    system: Any,
) -> None:
    """system -.-> system for a role whose principal is the first's identity (its own, or a
    user-assigned identity its ``identity`` was computed from) and whose scope is the second."""
    users: dict[str, list[StackResource]] = {}
    for resource in systems.values():
        for urn in _deps(resource, "identity"):
            if urn in by_urn and by_urn[urn].resource_type == USER_ASSIGNED_IDENTITY:
                users.setdefault(urn, []).append(resource)
    for assignment in assignments:
        principals: list[StackResource] = []
        for urn in _deps(assignment, "principalId"):
            if urn in systems:
                principals.append(systems[urn])
            principals += users.get(urn, [])
        scopes = [systems[u] for u in _deps(assignment, "scope") if u in systems]
        role = _role_name(as_str(get(assignment.props, "roleDefinitionId")))
        for principal in principals:
            for scope in scopes:
                if principal.urn != scope.urn:
                    drawn.edge(system(principal), system(scope), role, "-.->")


_SHAPES = {
    "system": '{id}[("{label}")]',
    "subnet": '{id}["{label}"]',
    "vnet": '{id}{{{{"{label}"}}}}',
    "egress": '{id}[/"{label}"/]',
}


def mermaid(plan: dict[str, Any]) -> str:
    drawn = phi_map(plan)
    stack = plan.get("hlz", {}).get("stack", "")
    lines = [
        "flowchart LR",
        f"  %% generated by `hlz report phi-map {stack}` from the offline plan",
    ]
    for node_id, (label, shape) in sorted(drawn.nodes.items()):
        lines.append("  " + _SHAPES[shape].format(id=node_id, label=label.replace('"', "'")))
    for source, target, label, style in sorted(drawn.edges):
        text = label.replace('"', "'")
        lines.append(f'  {source} {style}|"{text}"| {target}')
    return "\n".join(lines) + "\n"


def markdown(plan: dict[str, Any]) -> str:
    stack = plan.get("hlz", {}).get("stack", "")
    return (
        f"# ePHI map of `{stack}`\n\n"
        "Generated from the offline plan by `hlz report phi-map`: each cylinder is a system that "
        "stores or processes ePHI (classified `phi`, or a PHI store type), with the network paths "
        "to it (private endpoints into subnets, subnets into VNets, peerings, the egress route) "
        "and the service-to-service access (shared private links, role assignments of one "
        "system's identity on another). See docs/evidence.md.\n\n```mermaid\n"
        + mermaid(plan)
        + "```\n"
    )
