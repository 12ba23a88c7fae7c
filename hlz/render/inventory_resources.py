"""``hlz report inventory``: every resource a stack manages, with the facts an auditor asks for
(HIPAA 164.310(d)(1) device and media controls, 164.308(a)(1)(ii)(A) risk analysis: know where
ePHI is, how it is encrypted, who and what can reach it, where its access is logged).

One row per managed resource of the plan, as the policy pack judges it (``hlz.policy_check.
stack_resources``): reads (stack references) and component resources are left out — a
component is a grouping in the program, not something Azure holds. Each column is derived from
the plan generically, through the pack's own readers and rules:

| column              | derived from                                                           |
|---------------------|------------------------------------------------------------------------|
| type, ARM type      | the token the rules judge (``policies.normalise``) and its catalogue   |
|                     | ARM path (``policies.arm_types.known_arm_type``)                       |
| name                | the type's name input (its catalogue ARM path), else the logical name  |
| owner, data class.  | the ``owner`` and ``data-classification`` tags (case-insensitive)      |
| encryption at rest  | the pack's customer-managed-key rules (``ENCRYPTION_RULES``): compliant|
|                     | -> customer-managed key, named by its key reference; not compliant ->  |
|                     | platform-managed key; no such rule for the type -> n/a                 |
| network exposure    | the ``publicNetworkAccess`` setting(s), whether a private endpoint     |
|                     | targets it (``network-paas-require-private-endpoint``'s own check),    |
|                     | public IPs it is computed from; else "no public endpoint"              |
| identities          | ``identity.type`` and ``identity.userAssignedIdentities``              |
| diagnostics         | the destination of each diagnostic setting whose ``resourceUri`` comes |
|                     | from it (a storage account: or from its blob service, as               |
|                     | ``monitor-resource-require-diagnostic-settings`` counts it); else why  |
|                     | it has none (the catalogue's ``NotLogged``)                            |
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hlz.policy_check import stack_resources
from policies.arm_types import arm_path, known_arm_type
from policies.evaluation import normalised
from policies.model import Compliant, ResourceRule, StackResource
from policies.props import as_mapping, as_sequence, as_str, get
from policies.registry import ALL_RULES
from policies.rules.monitor import DESTINATION_PROPERTIES
from policies.rules.network import check_private_endpoints
from policies.rules.relations import Referrers, of_type
from policies.rules.tokens import (
    BLOB_SERVICE,
    DIAGNOSTIC_SETTING,
    PUBLIC_IP,
    RESOURCE_GROUP,
    STORAGE_ACCOUNT,
)
from policies.services import SERVICES, Logged, NotLogged
from policies.vocabulary import CLASSIFICATION_TAG

__all__ = [
    "COLUMNS",
    "ENCRYPTION_RULES",
    "InventoryRow",
    "inventory_csv",
    "inventory_json",
    "resource_inventory",
    "resource_name",
]

ENCRYPTION_RULES: tuple[ResourceRule, ...] = tuple(
    rule
    for rule in ALL_RULES
    if isinstance(rule, ResourceRule)
    and ("-require-cmk" in rule.id or "-require-customer-key" in rule.id)
)
"""The pack's customer-managed-key rules (storage, AI accounts, FHIR/DICOM, Cosmos DB, search
enforcement, VM disks, disk encryption sets): the inventory asks them, it does not re-judge."""

KEY_REFERENCES = (
    ("encryption", "keyVaultProperties"),
    ("properties", "encryption", "keyVaultProperties"),
    ("encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"),
    ("keyVaultKeyUri",),
    ("activeKey", "keyUrl"),
    ("storageProfile", "osDisk", "managedDisk", "diskEncryptionSet", "id"),
)
"""Where each CMK consumer names its key (the inputs its encryption rule reads)."""

PUBLIC_ACCESS_SETTINGS = (
    ("publicNetworkAccess",),
    ("properties", "publicNetworkAccess"),
    ("publicNetworkAccessForIngestion",),
    ("publicNetworkAccessForQuery",),
)

NOT_APPLICABLE = "n/a"

COLUMNS = (
    ("stack", "stack"),
    ("urn", "URN"),
    ("type", "type"),
    ("armType", "ARM type"),
    ("name", "name"),
    ("location", "location"),
    ("resourceGroup", "resource group"),
    ("owner", "owner"),
    ("dataClassification", "data classification"),
    ("encryptionAtRest", "encryption at rest"),
    ("networkExposure", "network exposure"),
    ("identities", "identities"),
    ("diagnostics", "diagnostics destination"),
)
"""(JSON key, CSV header) of each column, in order."""


@dataclass(frozen=True)
class InventoryRow:
    stack: str
    urn: str
    type: str
    arm_type: str
    name: str
    location: str
    resource_group: str
    owner: str
    data_classification: str
    encryption_at_rest: str
    key: str
    """The customer-managed key's reference (URI, or vault URI/key name), empty otherwise."""
    network_exposure: str
    identities: tuple[str, ...]
    diagnostics: str

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "urn": self.urn,
            "type": self.type,
            "armType": self.arm_type,
            "name": self.name,
            "location": self.location,
            "resourceGroup": self.resource_group,
            "owner": self.owner,
            "dataClassification": self.data_classification,
            "encryptionAtRest": self.encryption_at_rest,
            "key": self.key,
            "networkExposure": self.network_exposure,
            "identities": list(self.identities),
            "diagnostics": self.diagnostics,
        }

    def cells(self) -> tuple[str, ...]:
        document = self.to_json()
        document["identities"] = "; ".join(self.identities) or "none"
        if self.key:
            document["encryptionAtRest"] = f"{self.encryption_at_rest} ({self.key})"
        return tuple(str(document[key]) for key, _ in COLUMNS)


def _tag(props: Mapping[str, Any], name: str) -> str:
    tags = as_mapping(get(props, "tags")) or {}
    key = next((k for k in tags if isinstance(k, str) and k.casefold() == name), None)
    return (as_str(tags[key]) or "") if key is not None else ""


def resource_name(resource: StackResource) -> str:
    """The resource's Azure name: its type's name input (catalogue ARM path), else the logical
    name."""
    if resource.resource_type == RESOURCE_GROUP:
        return as_str(get(resource.props, "resourceGroupName")) or resource.name
    path = arm_path(resource.resource_type)
    if path is not None:
        name = as_str(get(resource.props, path.levels[-1][1]))
        if name:
            return name
    return as_str(get(resource.props, "name")) or resource.name


def _arm_type(token: str) -> str:
    if token == RESOURCE_GROUP:
        return "Microsoft.Resources/resourceGroups"  # the engine builds its id; no ARM path row
    return known_arm_type(token) or ""


def _key_reference(props: Mapping[str, Any]) -> str:
    for path in KEY_REFERENCES:
        value = get(props, *path)
        mapping = as_mapping(value)
        if mapping is not None:
            vault, name = (as_str(mapping.get(k)) for k in ("keyVaultUri", "keyName"))
            if name:
                return f"key {name} in {vault}" if vault else f"key {name}"
        elif as_str(value):
            return str(value)
    return ""


def _encryption(resource: StackResource) -> tuple[str, str]:
    rules = [rule for rule in ENCRYPTION_RULES if rule.applies_to(resource.resource_type)]
    if not rules:
        return NOT_APPLICABLE, ""
    outcomes = [rule.check(resource.resource_type, resource.props) for rule in rules]
    if all(isinstance(outcome, Compliant) for outcome in outcomes):
        return "customer-managed key", _key_reference(resource.props)
    return "platform-managed key", ""


def _public_ips(resource: StackResource, public_ips: Mapping[str, StackResource]) -> list[str]:
    sources = {urn for urns in resource.property_dependencies.values() for urn in urns}
    return sorted(resource_name(public_ips[urn]) for urn in sources if urn in public_ips)


def _exposure(
    resource: StackResource, endpoints: Mapping[str, bool], public_ips: Mapping[str, StackResource]
) -> str:
    facts = []
    for path in PUBLIC_ACCESS_SETTINGS:
        value = get(resource.props, *path)
        if value is not None:
            facts.append(f"{'.'.join(path)} {value}")
    if resource.urn in endpoints:
        facts.append("private endpoint" if endpoints[resource.urn] else "no private endpoint")
    if resource.resource_type == PUBLIC_IP:
        facts.append("public IP address")
    ips = _public_ips(resource, public_ips)
    if ips:
        facts.append("public IP " + ", ".join(ips))
    return "; ".join(facts) or "no public endpoint"


def _identities(props: Mapping[str, Any]) -> tuple[str, ...]:
    kind = (as_str(get(props, "identity", "type")) or "").replace(" ", "").casefold()
    found = []
    if "systemassigned" in kind:
        found.append("system-assigned")
    listed = get(props, "identity", "userAssignedIdentities")
    mapping = as_mapping(listed)
    ids = list(mapping) if mapping is not None else as_sequence(listed)
    found += [f"user-assigned {text}" for text in ids if isinstance(text, str)]
    return tuple(found)


def _destination(setting: StackResource) -> str:
    for key in DESTINATION_PROPERTIES:
        value = as_str(get(setting.props, key))
        if value:
            return value
    return f"diagnostic setting '{setting.name}' without a destination"


def _diagnostics(resource: StackResource, settings: Referrers, blob_services: Referrers) -> str:
    targets = [resource.urn]
    if resource.resource_type == STORAGE_ACCOUNT:
        targets += [blob.urn for blob in blob_services.of(resource.urn)]
    destinations = sorted(
        {_destination(setting) for target in targets for setting in settings.of(target)}
    )
    if destinations:
        return "; ".join(destinations)
    row = SERVICES.get(resource.resource_type)
    if row is None:
        return "none (type not in the catalogue, policies/services.py)"
    if isinstance(row.diagnostics, NotLogged):
        return f"none needed: {row.diagnostics.why}"
    assert isinstance(row.diagnostics, Logged)
    return "MISSING (monitor-resource-require-diagnostic-settings)"


def resource_inventory(plan: dict[str, Any]) -> list[InventoryRow]:
    """One row per managed resource of ``plan``, in plan order (see the module table)."""
    stack = str(plan.get("hlz", {}).get("stack", ""))
    resources = [normalised(resource) for resource in stack_resources(plan)]
    endpoints = {
        urn: isinstance(outcome, Compliant)
        for urn, outcome in check_private_endpoints(resources).items()
    }
    public_ips = {resource.urn: resource for resource in of_type(resources, PUBLIC_IP)}
    settings = Referrers(of_type(resources, DIAGNOSTIC_SETTING), "resourceUri")
    blob_services = Referrers(of_type(resources, BLOB_SERVICE), "accountName")
    rows = []
    for resource in resources:
        props = resource.props
        encryption, key = _encryption(resource)
        rows.append(
            InventoryRow(
                stack=stack,
                urn=resource.urn,
                type=resource.resource_type,
                arm_type=_arm_type(resource.resource_type),
                name=resource_name(resource),
                location=as_str(get(props, "location")) or "",
                resource_group=as_str(get(props, "resourceGroupName")) or "",
                owner=_tag(props, "owner"),
                data_classification=_tag(props, CLASSIFICATION_TAG),
                encryption_at_rest=encryption,
                key=key,
                network_exposure=_exposure(resource, endpoints, public_ips),
                identities=_identities(props),
                diagnostics=_diagnostics(resource, settings, blob_services),
            )
        )
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a CSV cell as a formula (OWASP, "CSV Injection"; CWE-1236)."""


def inventory_csv(rows: Sequence[InventoryRow]) -> str:
    """RFC 4180 CSV (CRLF line ends, fields quoted where needed) with a header row. A cell
    that starts like a formula (tags and names are the teams' text) gets an apostrophe in
    front, so a spreadsheet shows it as text instead of running it; the JSON keeps it as is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in COLUMNS])
    writer.writerows(
        [f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell for cell in row.cells()]
        for row in rows
    )
    return out.getvalue()


def inventory_json(rows: Sequence[InventoryRow]) -> dict[str, Any]:
    stacks = sorted({row.stack for row in rows})
    return {"stacks": stacks, "resources": [row.to_json() for row in rows]}
