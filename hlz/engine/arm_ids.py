"""Realistic ARM ids and computed outputs for the offline plan's mocks.

Each azure-native type the programs use maps to its ARM path (its row in
``policies.services``, shared with the policy pack, which needs it to recognise generic
resources): the provider namespace and, from outermost to innermost, (collection, input key
holding that level's name). Extension resources (role assignments, locks, diagnostic
settings...) hang below the resource named by a scope input.

An ``azure-native`` type without a catalogue row with an ARM path is an error
(``UnknownArmTypeError``), never a guessed path: a guess such as
``Microsoft.Network/securityRules`` is a wrong id that rules and reports would then carry.
Component resources (``hlz:...``) have no ARM id; the SDK ignores the id the mocks answer for
them, so they keep a placeholder built from their token.
"""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from typing import Any

from policies.arm_types import GENERIC_RESOURCE, arm_path
from policies.services import ArmPath

# Namespace for deterministic fake GUIDs (principal ids, customer ids...).
FAKE_GUID_NAMESPACE = uuid.UUID("0b0e7b7c-3d53-4c1e-9a61-5d0b3c9c7f11")


class UnknownArmTypeError(LookupError):
    """An azure-native type the offline engine cannot build an ARM id for."""

    def __init__(self, token: str):
        self.token = token
        super().__init__(
            f"no ARM path for {token}: add its row, with its provider namespace and "
            "(collection, name input) levels, to SERVICES in policies/services.py "
            "(see docs/adding-a-service.md)"
        )


def fake_guid(*parts: str) -> str:
    return str(uuid.uuid5(FAKE_GUID_NAMESPACE, "|".join(parts)))


def auto_name(logical_name: str, key: str) -> str:
    """Pulumi auto-names append 7 random hex characters; a hash of ``key`` (type and logical
    name) keeps the plan reproducible."""
    return f"{logical_name}{hashlib.sha256(key.encode()).hexdigest()[:7]}"


def arm_id(
    token: str, inputs: dict[str, Any], subscription_id: str, fallback_name: str
) -> tuple[str, str]:
    """(resource id, resource name) for a resource of ``token`` with these wire inputs."""
    if token == "azure-native:resources:ResourceGroup":
        name = inputs.get("resourceGroupName") or fallback_name
        return f"/subscriptions/{subscription_id}/resourceGroups/{name}", name
    if token == GENERIC_RESOURCE:
        return _generic_arm_id(inputs, subscription_id, fallback_name)
    path = arm_path(token)
    if path is None:
        if token.startswith("azure-native:"):
            raise UnknownArmTypeError(token)
        path = _component_placeholder(token)
    segments: list[str] = []
    name = fallback_name
    for index, (collection, name_key) in enumerate(path.levels):
        innermost = index == len(path.levels) - 1
        if collection == "blobServices" and name_key == "default":
            segments.append("blobServices/default")
            continue
        value = inputs.get(name_key) if name_key else None
        if value is None:
            value = fallback_name if innermost else "default"
        if innermost:
            name = str(value)
        segments.append(f"{collection}/{value}")
    suffix = f"providers/{path.namespace}/" + "/".join(segments)
    if path.scope_key is not None:
        scope = str(inputs.get(path.scope_key) or f"/subscriptions/{subscription_id}")
        if not scope.startswith("/"):
            scope = "/" + scope
        return f"{scope.rstrip('/')}/{suffix}", name
    if not path.in_resource_group:
        return f"/subscriptions/{subscription_id}/{suffix}", name
    group = inputs.get("resourceGroupName", "default")
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}/{suffix}", name


def _component_placeholder(token: str) -> ArmPath:
    """``hlz:network:HubNetwork`` -> ``Microsoft.Network/hubNetworks``: an id-shaped placeholder
    for a component resource, which Azure never sees."""
    module, kind = token.split(":")[1:3]
    return ArmPath(f"Microsoft.{module.capitalize()}", ((kind[0].lower() + kind[1:] + "s", ""),))


def _generic_arm_id(
    inputs: dict[str, Any], subscription_id: str, fallback_name: str
) -> tuple[str, str]:
    """A generic resource's id is spelled out by its inputs:
    ``.../providers/<namespace>/<parentResourcePath>/<resourceType>/<resourceName>``."""
    name = str(inputs.get("resourceName") or fallback_name)
    parts = [
        str(inputs.get("resourceProviderNamespace", "")),
        str(inputs.get("parentResourcePath") or "").strip("/"),
        str(inputs.get("resourceType", "")).strip("/"),
        name,
    ]
    group = inputs.get("resourceGroupName", "default")
    path = "/".join(part for part in parts if part)
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/{path}", name


def firewall_private_ip(subnet_prefix: str) -> str:
    """Azure gives a firewall the fourth address of AzureFirewallSubnet (.4 of a /26)."""
    return str(ipaddress.ip_network(subnet_prefix)[4])


def identity_outputs(
    name: str, identity: Any, tenant_id: str, computed: bool = True
) -> dict[str, Any]:
    """Azure answers a managed-identity block with a map of user-assigned identities (the SDK
    sends a list of ids) and the principal of a system-assigned one. With ``computed`` False
    (preview) only the shape is answered; principal ids stay unknown."""
    if not isinstance(identity, dict):
        return {}
    answer = dict(identity)
    assigned = identity.get("userAssignedIdentities")
    if isinstance(assigned, list):
        answer["userAssignedIdentities"] = {
            identity_id: (
                {
                    "principalId": fake_guid("principal", str(identity_id).rsplit("/", 1)[-1]),
                    "clientId": fake_guid("client", str(identity_id).rsplit("/", 1)[-1]),
                }
                if computed
                else {}
            )
            for identity_id in assigned
            # In preview an identity created in the same run has no id yet (None here).
            if isinstance(identity_id, str)
        }
    if computed and "SystemAssigned" in str(identity.get("type", "")):
        answer["principalId"] = fake_guid("principal", "system", name)
        answer["tenantId"] = tenant_id
    return {"identity": answer}


def computed_outputs(
    token: str, name: str, inputs: dict[str, Any], tenant_id: str, subnet_prefixes: dict[str, str]
) -> dict[str, Any]:
    """Outputs Azure computes on create that programs read back (URIs, principal ids, IPs)."""
    answer = identity_outputs(name, inputs.get("identity"), tenant_id)
    answer.update(_type_outputs(token, name, inputs, tenant_id, subnet_prefixes))
    return answer


def _type_outputs(
    token: str, name: str, inputs: dict[str, Any], tenant_id: str, subnet_prefixes: dict[str, str]
) -> dict[str, Any]:
    if token == "azure-native:keyvault:Vault":
        properties = dict(inputs.get("properties") or {})
        properties["vaultUri"] = f"https://{name}.vault.azure.net/"
        return {"properties": properties}
    if token == "azure-native:keyvault:Key":
        properties = dict(inputs.get("properties") or {})
        vault = inputs.get("vaultName", "vault")
        properties["keyUri"] = f"https://{vault}.vault.azure.net/keys/{name}"
        properties["keyUriWithVersion"] = (
            f"https://{vault}.vault.azure.net/keys/{name}/{fake_guid(vault, name).replace('-', '')}"
        )
        # The SDK reads a key's URIs at the top level (Key.key_uri, Key.key_uri_with_version).
        return {
            "properties": properties,
            "keyUri": properties["keyUri"],
            "keyUriWithVersion": properties["keyUriWithVersion"],
        }
    if token == "azure-native:managedidentity:UserAssignedIdentity":
        return {
            "principalId": fake_guid("principal", name),
            "clientId": fake_guid("client", name),
            "tenantId": tenant_id,
        }
    if token == "azure-native:operationalinsights:Workspace":
        return {"customerId": fake_guid("workspace", name)}
    if token == "azure-native:applicationinsights:Component":
        # The shape Azure returns (a connection string names the component's key and regional
        # ingestion endpoint; with local auth disabled the key alone admits nothing).
        key = fake_guid("instrumentation-key", name)
        region = str(inputs.get("location", "eastus2"))
        return {
            "instrumentationKey": key,
            "connectionString": (
                f"InstrumentationKey={key};IngestionEndpoint=https://{region}-0.in."
                "applicationinsights.azure.com/;LiveEndpoint=https://"
                f"{region}.livediagnostics.monitor.azure.com/"
            ),
        }
    if token == "azure-native:cognitiveservices:Account":
        # As ARM answers: an OpenAI account's endpoint is on openai.azure.com; an AIServices
        # (Foundry) account's on cognitiveservices.azure.com, which serves the OpenAI paths too,
        # with the per-API endpoints listed beside it.
        properties = dict(inputs.get("properties") or {})
        subdomain = properties.get("customSubDomainName", name)
        if inputs.get("kind") == "AIServices":
            properties["endpoint"] = f"https://{subdomain}.cognitiveservices.azure.com/"
            properties["endpoints"] = {
                "OpenAI Language Model Instance API": f"https://{subdomain}.openai.azure.com/",
                "AI Foundry API": f"https://{subdomain}.services.ai.azure.com/",
            }
        else:
            properties["endpoint"] = f"https://{subdomain}.openai.azure.com/"
        return {"properties": properties}
    if token == "azure-native:storage:StorageAccount":
        return {
            "primaryEndpoints": {
                "blob": f"https://{name}.blob.core.windows.net/",
                "dfs": f"https://{name}.dfs.core.windows.net/",
            }
        }
    if token == "azure-native:network:AzureFirewall":
        configurations = []
        for configuration in inputs.get("ipConfigurations") or []:
            subnet_id = (configuration.get("subnet") or {}).get("id", "")
            prefix = subnet_prefixes.get(subnet_id)
            configurations.append(
                {
                    **configuration,
                    "privateIPAddress": firewall_private_ip(prefix) if prefix else None,
                }
            )
        return {"ipConfigurations": configurations}
    return {}
