"""Each rule's runtime counterpart: the Azure built-in policy definitions that enforce the same
control after deployment, as data beside the rule set (the cdk-nag idiom).

The pack guards a change before it is deployed (pull request, ``pulumi preview``); the landing
zone assigns one ``hlz`` initiative of these built-ins (``components.runtime_policy``) so the
same controls hold against changes made outside the pipeline (the portal, another tool).

A counterpart names a built-in by GUID and the field it reads: an alias
(``Microsoft.Storage/storageAccounts/minimumTlsVersion``) or a resource field (``location``,
``identity.type``, a tag expression), and ``prop``, where our rule reads the same value in the
SDK's wire shape (``minimumTlsVersion``). ``prop`` is None when the built-in judges whether a
related resource exists (a private endpoint connection, a diagnostic setting): the rule then is
a stack rule that reads the same relation. Every GUID must be in the vendored, dated index
(``policies.builtin_index``); the test suite proves that, that the definition reads the field,
that the field and ``prop`` are the same property, and that the rule's verdict depends on
``prop``. A rule with no runtime counterpart says why (``NO_COUNTERPART``).

Effects (``member_effect``): production assigns Deny for PHI-protecting rules where the
built-in allows it, Audit (or AuditIfNotExists) otherwise; lab assigns Audit only. A built-in
whose only effects are DeployIfNotExists or Modify is assigned in production only, and its
assignment then needs a managed identity with the roles the definition names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .builtin_index import BuiltinDefinition, builtin_index
from .model import Category, Profile, Rule
from .rules.keyvault import MINIMUM_RSA_KEY_BITS
from .rules.storage import MINIMUM_SOFT_DELETE_DAYS
from .vocabulary import ALLOWED_LOCATIONS, REQUIRED_TAGS

__all__ = [
    "DATA_PLANE_FIELDS",
    "DEPLOY_RULES_REASON",
    "NO_COUNTERPART",
    "RUNTIME",
    "Counterpart",
    "Member",
    "builtin_link",
    "runtime_summary",
    "initiative_members",
    "counterparts_of",
    "member_effect",
    "needs_identity",
    "no_counterpart_reason",
]


@dataclass(frozen=True)
class Counterpart:
    definition: str
    """The built-in definition's GUID (its id is
    ``/providers/Microsoft.Authorization/policyDefinitions/<GUID>``)."""
    reads: str
    """The field the built-in reads that carries the control: an alias, ``location``, a tag."""
    prop: str | None
    """The same property where our rule reads it (wire shape, dotted, ``[*]`` for arrays);
    None: the built-in checks that a related resource exists, as our (stack) rule does."""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """Values for the built-in's parameters (other than its effect), set to match our rule."""
    note: str = ""
    """Where the built-in is narrower or wider than our rule (starts with ``narrower:`` or
    ``wider:``)."""

    @property
    def wider(self) -> bool:
        """The built-in refuses more than our rule: it is never assigned with Deny, so it cannot
        refuse a deployment the pack allows."""
        return self.note.startswith("wider")

    @property
    def builtin(self) -> BuiltinDefinition:
        found = builtin_index().get(self.definition)
        if found is None:  # a data error: the test suite checks every GUID against the index
            raise KeyError(f"built-in policy {self.definition} is not in the vendored index")
        return found


def _c(
    definition: str, reads: str, prop: str | None, note: str = "", **parameters: Any
) -> Counterpart:
    return Counterpart(definition, reads, prop, MappingProxyType(parameters), note)


ST = "Microsoft.Storage/storageAccounts/"
KV = "Microsoft.KeyVault/vaults/"
KVD = "Microsoft.KeyVault.Data/vaults/"
CS = "Microsoft.CognitiveServices/accounts/"
HC = "Microsoft.HealthcareApis/workspaces/"
SR = "Microsoft.Search/searchServices/"
DB = "Microsoft.DocumentDB/databaseAccounts/"
VM = "Microsoft.Compute/virtualMachines/"
NW = "Microsoft.Network/"
LA = "Microsoft.OperationalInsights/workspaces/"
AI = "Microsoft.Insights/components/"
DS = "Microsoft.Insights/diagnosticSettings/"
PR = "Microsoft.Security/pricings/pricingTier"

_PRIVATE_LINK = "privateEndpointConnections[*].privateLinkServiceConnectionState.status"

RUNTIME: Mapping[str, tuple[Counterpart, ...]] = MappingProxyType(
    {
        # --- storage -----------------------------------------------------------------------------
        "storage-account-require-cmk-encryption": (
            _c(
                "6fac406b-40ca-413b-bf8e-0bf964659c25",
                ST + "encryption.keySource",
                "encryption.keySource",
            ),
        ),
        "storage-account-require-infrastructure-encryption": (
            _c(
                "4733ea7b-a883-42fe-8cac-97454c2a9e4a",
                ST + "encryption.requireInfrastructureEncryption",
                "encryption.requireInfrastructureEncryption",
            ),
        ),
        "storage-account-require-https-only": (
            _c(
                "404c3081-a854-4457-ae30-26a93ef643f9",
                ST + "supportsHttpsTrafficOnly",
                "enableHttpsTrafficOnly",
            ),
        ),
        "storage-account-require-minimum-tls12": (
            _c(
                "fe83a0eb-a853-422d-aac2-1bffd182c5d0",
                ST + "minimumTlsVersion",
                "minimumTlsVersion",
                minimumTlsVersion="TLS1_2",
            ),
        ),
        "storage-account-disallow-public-network-access": (
            _c(
                "b2982f36-99f2-4db5-8eff-283140c09693",
                ST + "publicNetworkAccess",
                "publicNetworkAccess",
            ),
        ),
        "storage-account-require-network-default-deny": (
            _c(
                "34c877ad-507e-4c82-993e-3452a6e0ad3c",
                ST + "networkAcls.defaultAction",
                "networkRuleSet.defaultAction",
            ),
        ),
        "storage-account-disallow-shared-key-access": (
            _c(
                "8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54",
                ST + "allowSharedKeyAccess",
                "allowSharedKeyAccess",
            ),
        ),
        "storage-account-disallow-blob-public-access": (
            _c(
                "4fa4b6c0-31ca-4c0d-b10d-24b96f62a751",
                ST + "allowBlobPublicAccess",
                "allowBlobPublicAccess",
            ),
        ),
        "storage-account-disallow-internet-ip-rules": (
            _c(
                "2a1a9cdf-e04d-429a-8416-3bfb72a1b26f",
                ST + "networkAcls.ipRules[*]",
                "networkRuleSet.ipRules",
                "wider: refuses every IP rule, also while public network access is disabled",
            ),
        ),
        "storage-account-disallow-cross-tenant-replication": (
            _c(
                "92a89a79-6c52-4a7e-a03f-61306fc49312",
                ST + "allowCrossTenantReplication",
                "allowCrossTenantReplication",
            ),
        ),
        "storage-account-require-geo-redundancy": (
            _c("bf045164-79ba-4215-8f95-f8048dc1780b", ST + "sku.name", "sku.name"),
        ),
        "storage-blobservice-require-soft-delete": (
            _c(
                "9fbd64e3-67b8-489b-98e5-fa0007d17e76",
                ST + "blobServices/deleteRetentionPolicy.enabled",
                "deleteRetentionPolicy.enabled",
                "narrower: deploys the retention when it is missing "
                "(DeployIfNotExists, no audit effect)",
                blobRetentionDays=MINIMUM_SOFT_DELETE_DAYS,
                containerRetentionDays=MINIMUM_SOFT_DELETE_DAYS,
            ),
        ),
        "storage-blobservice-require-versioning": (
            _c(
                "c36a325b-ae04-4863-ad4f-19c6678f8e08",
                ST + "blobServices/isVersioningEnabled",
                "isVersioningEnabled",
            ),
        ),
        # --- key vault ---------------------------------------------------------------------------
        "keyvault-vault-require-purge-protection": (
            _c(
                "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53",
                KV + "enablePurgeProtection",
                "properties.enablePurgeProtection",
            ),
        ),
        "keyvault-vault-require-soft-delete-retention": (
            _c(
                "1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d",
                KV + "enableSoftDelete",
                "properties.enableSoftDelete",
                "narrower: checks soft delete is on, not the 90-day retention",
            ),
        ),
        "keyvault-vault-require-rbac-authorization": (
            _c(
                "12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5",
                KV + "enableRbacAuthorization",
                "properties.enableRbacAuthorization",
            ),
        ),
        "keyvault-vault-disallow-public-network-access": (
            _c(
                "405c5871-3e91-4644-8a63-58e19d68ff5b",
                KV + "publicNetworkAccess",
                "properties.publicNetworkAccess",
            ),
        ),
        "keyvault-vault-require-network-default-deny": (
            _c(
                "55615ac9-af46-4a59-874e-391cc3dfb490",
                KV + "networkAcls.defaultAction",
                "properties.networkAcls.defaultAction",
            ),
        ),
        "keyvault-vault-disallow-internet-ip-rules": (
            _c(
                "55615ac9-af46-4a59-874e-391cc3dfb490",
                KV + "networkAcls.ipRules[*]",
                "properties.networkAcls.ipRules",
                "wider: also requires the firewall when public access is on",
            ),
        ),
        "keyvault-key-require-strong-key-type": (
            _c(
                "75c4f823-d65c-4f29-a733-01d0077fdbcb",
                KVD + "keys/keyType",
                "properties.kty",
                allowedKeyTypes=["RSA", "RSA-HSM", "EC", "EC-HSM"],
            ),
            _c(
                "82067dbb-e53b-4e06-b631-546d197452d9",
                KVD + "keys/keySize",
                "properties.keySize",
                minimumRSAKeySize=MINIMUM_RSA_KEY_BITS,
            ),
            _c(
                "ff25f3c8-b739-4538-9d07-3d6d25cfb255",
                KVD + "keys/ellipticCurveName",
                "properties.curveName",
                allowedECNames=["P-256", "P-384", "P-521"],
            ),
        ),
        "keyvault-key-require-hsm-backing": (
            _c("587c79fe-dd04-4a5e-9d0b-f89598c7261b", KVD + "keys/keyType", "properties.kty"),
        ),
        "keyvault-key-require-expiry": (
            _c(
                "152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0",
                KVD + "keys/attributes.expiresOn",
                "properties.attributes.expires",
                "narrower: the key's own expiry; a rotation policy's expiryTime is not read",
            ),
        ),
        "keyvault-secret-require-expiry": (
            _c(
                "98728c90-32c7-4049-8429-847dc0f4fe37",
                KVD + "secrets/attributes.expiresOn",
                "properties.attributes.expires",
            ),
        ),
        "keyvault-secret-require-content-type": (
            _c(
                "75262d3e-ba4a-4f43-85f8-9f72c090e5e3",
                KVD + "secrets/contentType",
                "properties.contentType",
            ),
        ),
        # --- AI services -------------------------------------------------------------------------
        "cognitiveservices-account-require-cmk-encryption": (
            _c(
                "67121cc7-ff39-4ab8-b7e3-95b84dab487d",
                CS + "encryption.keySource",
                "properties.encryption.keySource",
            ),
        ),
        "cognitiveservices-account-disallow-public-network-access": (
            _c(
                "037eea7a-bd0a-46c5-9a66-03aea78705d3",
                CS + "publicNetworkAccess",
                "properties.publicNetworkAccess",
            ),
        ),
        "cognitiveservices-account-require-network-default-deny": (
            _c(
                "037eea7a-bd0a-46c5-9a66-03aea78705d3",
                CS + "networkAcls.defaultAction",
                "properties.networkAcls.defaultAction",
            ),
        ),
        "cognitiveservices-account-disable-local-auth": (
            _c(
                "71ef260a-8f18-47b7-abcb-62d0673d94dc",
                CS + "disableLocalAuth",
                "properties.disableLocalAuth",
            ),
        ),
        "cognitiveservices-account-require-managed-identity": (
            _c("fe3fd216-4f83-4fc1-8984-2bbec80a3418", "identity.type", "identity.type"),
        ),
        "cognitiveservices-account-require-request-logging": (
            _c(
                "1b4d1c4e-934c-4703-944c-27c82c06bebb",
                DS + "logs[*]",
                None,
                "wider on categories: any enabled log, "
                "not Audit and RequestResponse to a workspace",
            ),
        ),
        # --- Health Data Services ----------------------------------------------------------------
        "healthcareapis-fhirservice-require-cmk-encryption": (
            _c(
                "c42dee8c-0202-4a12-bd8e-3e171cbf64dd",
                HC + "fhirservices/encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl",
                "encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl",
            ),
        ),
        "healthcareapis-dicomservice-require-cmk-encryption": (
            _c(
                "14961b63-a1eb-4378-8725-7e84ca8db0e6",
                HC + "dicomservices/encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl",
                "encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl",
            ),
        ),
        "healthcareapis-service-restrict-cors": (
            _c(
                "fe1c9040-c46a-4e81-9aea-c7850fbb3aa6",
                HC + "fhirservices/corsConfiguration.origins[*]",
                "corsConfiguration.origins",
                "narrower: FHIR only, refuses '*' origins; credentials and DICOM are not read",
            ),
        ),
        # --- AI Search ---------------------------------------------------------------------------
        "search-service-disallow-public-network-access": (
            _c(
                "ee980b6d-0eca-4501-8d54-f6290fd512c3",
                SR + "publicNetworkAccess",
                "publicNetworkAccess",
            ),
        ),
        "search-service-disable-local-auth": (
            _c("6300012e-e9a4-4649-b41f-a85f5c43be91", SR + "disableLocalAuth", "disableLocalAuth"),
        ),
        "search-service-require-cmk-enforcement": (
            _c(
                "356da939-f20a-4bb9-86f8-5db445b0e354",
                SR + "encryptionWithCmk.enforcement",
                "encryptionWithCmk.enforcement",
            ),
            _c(
                "76a56461-9dc0-40f0-82f5-2453283afa2f",
                SR + "encryptionWithCmk.enforcement",
                "encryptionWithCmk.enforcement",
            ),
        ),
        # --- Cosmos DB ---------------------------------------------------------------------------
        "cosmosdb-account-disable-local-auth": (
            _c("5450f5bd-9c72-4390-a9c4-a7aba4edfdd2", DB + "disableLocalAuth", "disableLocalAuth"),
        ),
        "cosmosdb-account-disallow-public-network-access": (
            _c(
                "797b37f7-06b8-444c-b1ad-fc62867f335a",
                DB + "publicNetworkAccess",
                "publicNetworkAccess",
            ),
        ),
        "cosmosdb-account-require-customer-key": (
            _c("1f905d99-2ab7-462c-a6b0-f709acca6c8f", DB + "keyVaultKeyUri", "keyVaultKeyUri"),
        ),
        "cosmosdb-account-disable-key-metadata-write": (
            _c(
                "4750c32b-89c0-46af-bfcb-2e4541a818d5",
                DB + "disableKeyBasedMetadataWriteAccess",
                "disableKeyBasedMetadataWriteAccess",
                "narrower: sets the property on create and update (fixed effect Append)",
            ),
        ),
        # --- compute -----------------------------------------------------------------------------
        "compute-vm-require-encryption-at-host": (
            _c(
                "fc4d8e41-e223-45ea-9bf5-eada37891d87",
                VM + "securityProfile.encryptionAtHost",
                "securityProfile.encryptionAtHost",
            ),
        ),
        "compute-vm-require-trusted-launch": (
            _c(
                "c95b54ad-0614-4633-ab29-104b01235cbf",
                VM + "securityProfile.securityType",
                "securityProfile.securityType",
            ),
        ),
        "network-networkinterface-disallow-public-ip": (
            _c(
                "83a86a26-fd1f-447c-b59d-e51f44264114",
                NW + "networkInterfaces/ipconfigurations[*].publicIpAddress.id",
                "ipConfigurations[*].publicIPAddress.id",
                "narrower: standalone network interfaces only (fixed effect deny)",
            ),
        ),
        "compute-diskencryptionset-require-customer-key": (
            _c(
                "ca91455f-eace-4f96-be59-e6e2c35b4816",
                "Microsoft.Compute/diskEncryptionSets/encryptionType",
                "encryptionType",
                "narrower: the encryption type only; key rotation is not read",
            ),
        ),
        # --- network -----------------------------------------------------------------------------
        "network-firewallpolicy-require-threat-intel-deny": (
            _c(
                "da79a7e2-8aa1-45ed-af81-ba050c153564",
                NW + "firewallPolicies/threatIntelMode",
                "threatIntelMode",
                "wider: Alert is accepted as well as Deny",
            ),
        ),
        "network-firewall-require-threat-intel-deny": (
            _c(
                "7c591a93-c34c-464c-94ac-8f9f9a46e3d6",
                NW + "azureFirewalls/threatIntelMode",
                "threatIntelMode",
                "wider: Alert is accepted as well as Deny",
            ),
        ),
        "network-vpngateway-require-entra-id-for-p2s": (
            _c(
                "21a6bc25-125e-4d13-b82d-2e19b7208ab7",
                NW + "virtualNetworkGateways/vpnClientConfiguration.vpnAuthenticationTypes[*]",
                "vpnClientConfiguration.vpnAuthenticationTypes",
            ),
        ),
        "network-paas-require-private-endpoint": (
            _c(
                "6edd7eda-6dd8-40f7-810d-67160c639cd9",
                ST + "privateEndpointConnections/privateLinkServiceConnectionState.status",
                None,
            ),
            _c("a6abeaec-4d90-4a02-805f-6b26c4d3fbe9", KV + _PRIVATE_LINK, None),
            _c("d6759c02-b87f-42b7-892e-71b3f471d782", CS + _PRIVATE_LINK, None),
            _c("58440f8a-10c5-4151-bdce-dfbaad4a20b7", DB + _PRIVATE_LINK, None),
            _c("64528841-2f92-43f6-a137-d52e5c3dbeac", HC.rstrip("/") + "/" + _PRIVATE_LINK, None),
        ),
        # --- monitoring --------------------------------------------------------------------------
        "operationalinsights-workspace-disallow-public-ingestion": (
            _c(
                "6c53d030-cc64-46f0-906d-2bc061cd1334",
                LA + "publicNetworkAccessForIngestion",
                "publicNetworkAccessForIngestion",
                "wider: also blocks public query",
            ),
        ),
        "operationalinsights-workspace-disallow-public-query": (
            _c(
                "6c53d030-cc64-46f0-906d-2bc061cd1334",
                LA + "publicNetworkAccessForQuery",
                "publicNetworkAccessForQuery",
            ),
        ),
        "applicationinsights-component-disable-local-auth": (
            _c("199d5677-e4d9-4264-9465-efe1839c06bd", AI + "DisableLocalAuth", "disableLocalAuth"),
        ),
        "applicationinsights-component-disallow-public-ingestion": (
            _c(
                "1bc02227-0cb6-4e11-8f53-eb0b22eab7e8",
                AI + "publicNetworkAccessForIngestion",
                "publicNetworkAccessForIngestion",
                "wider: also blocks public query",
            ),
        ),
        "monitor-resource-require-diagnostic-settings": (
            _c(
                "cf820ca0-f99e-4f3e-84fb-66e913812d21",
                DS + "logs.enabled",
                None,
                "narrower: Key Vault only",
            ),
            _c(
                "b4330a05-a843-4bc8-bf9a-cacce50c67f4",
                DS + "logs.enabled",
                None,
                "narrower: AI Search only",
            ),
        ),
        # --- Defender for Cloud ------------------------------------------------------------------
        "defender-pricing-require-standard-tier": (
            _c(
                "0e6763cc-5078-4e64-889d-ff4d9a839047",
                PR,
                "pricingTier",
                "narrower: the Key Vault plan",
            ),
            _c(
                "640d2586-54d2-465f-877f-9ffc1d2109f4",
                PR,
                "pricingTier",
                "narrower: the Storage plan",
            ),
            _c(
                "c2c0c6d8-007b-4a48-8d9b-3539bddd8e87",
                PR,
                "pricingTier",
                "narrower: the AI Services plan",
            ),
            _c(
                "c3d20c29-b36d-48fe-808b-99a87530ad99",
                PR,
                "pricingTier",
                "narrower: the Resource Manager plan",
            ),
            _c(
                "1f90fc71-a595-4066-8974-d4d0802e8ef0",
                PR,
                "pricingTier",
                "narrower: the Defender CSPM plan",
            ),
        ),
        # --- governance --------------------------------------------------------------------------
        "azure-resource-require-tags": tuple(
            _c(
                "871b6d14-10aa-478d-b590-94f262ecfa99",
                "[concat('tags[', parameters('tagName'), ']')]",
                f"tags.{tag}",
                "narrower: the tag's presence; its allowed values are not read",
                tagName=tag,
            )
            for tag in REQUIRED_TAGS
        ),
        "azure-resource-restrict-location": (
            _c(
                "e56962a6-4747-49cd-b67b-bf8b01975c4c",
                "location",
                "location",
                listOfAllowedLocations=list(ALLOWED_LOCATIONS),
            ),
        ),
    }
)
"""Rule id -> its runtime counterparts (every member of the ``hlz`` initiative comes from here)."""

NO_COUNTERPART: Mapping[str, str] = MappingProxyType(
    {
        "storage-blobcontainer-disallow-public-access": (
            "no built-in reads a container's publicAccess; the account-level built-in of storage-"
            "account-disallow-blob-public-access makes it moot"
        ),
        "keyvault-vault-require-premium-sku": "no built-in reads a vault's SKU",
        "keyvault-key-require-rotation-policy": (
            "the built-in (d8cf8476) reads the data plane's scheduled rotation date, not the ARM "
            "rotation policy's lifetime actions; it needs a rotation window in days the rule does"
            " not define"
        ),
        "keyvault-vault-require-delete-lock": "locks are not resources Azure Policy evaluates",
        "cost-resourcegroup-require-budget": (
            "budgets are Cost Management objects Azure Policy does not evaluate; no built-in "
            "requires one"
        ),
        "monitor-phistore-require-availability-alert": (
            "no built-in requires an alert rule on a resource (the Azure Monitor Baseline Alerts "
            "policies that deploy them are custom definitions, not built-ins)"
        ),
        "cognitiveservices-account-require-custom-subdomain": (
            "no built-in reads customSubDomainName"
        ),
        "cognitiveservices-account-restrict-outbound-access": (
            "no built-in reads restrictOutboundNetworkAccess"
        ),
        "cognitiveservices-deployment-require-rai-policy": (
            "the built-ins on content filters are preview data-plane policies "
            "(Microsoft.CognitiveServices.Data)"
        ),
        "cognitiveservices-deployment-restrict-data-zone-sku": (
            "no built-in reads a deployment's SKU"
        ),
        "cognitiveservices-project-require-managed-identity": "no built-in for Foundry projects",
        "cognitiveservices-connection-require-entra-id": "no built-in for Foundry connections",
        "cognitiveservices-capabilityhost-require-customer-stores": (
            "no built-in for capability hosts"
        ),
        "cognitiveservices-account-require-agent-network-injection": (
            "no built-in reads networkInjections"
        ),
        "cognitiveservices-deployment-require-governance-record": "hlz's own governance tags",
        "cognitiveservices-deployment-disallow-expired-approval": "hlz's own governance tags",
        "cognitiveservices-deployment-require-strict-filter-for-high-risk": (
            "hlz's own governance tags"
        ),
        "healthcareapis-workspace-disallow-public-network-access": (
            "no built-in reads the workspace's publicNetworkAccess (the private-link built-in "
            "64528841 backs network-paas-require-private-endpoint)"
        ),
        "healthcareapis-fhirservice-require-versioned-resources": (
            "no built-in reads the version policy"
        ),
        "healthcareapis-fhirservice-disable-smart-proxy": "no built-in reads the SMART proxy",
        "search-service-require-managed-identity": "no built-in reads a search service's identity",
        "search-service-require-exfiltration-protection": (
            "no built-in reads dataExfiltrationProtections"
        ),
        "cosmosdb-account-require-tls12": "no built-in reads minimalTlsVersion",
        "cosmosdb-sqlroleassignment-restrict-scope": (
            "Cosmos DB data-plane role assignments have no aliases"
        ),
        "apim-service-disallow-public-network-access": (
            "the built-in (df73bd95) reads the configuration endpoint (tenant access), not "
            "publicNetworkAccess"
        ),
        "apim-service-disable-portals": "no built-in reads the portals' state",
        "apim-service-require-managed-identity": "no built-in reads an API Management identity",
        "apim-api-require-token-validation": "policy XML is not evaluated by Azure Policy",
        "apim-diagnostic-restrict-body-logging": "no built-in reads API Management diagnostics",
        "apim-logger-require-managed-identity": "no built-in reads API Management loggers",
        "compute-vm-require-cmk-disk-encryption": (
            "the built-in (702dd420) reads disks and images, not a VM's disk encryption set "
            "reference"
        ),
        "compute-vm-disallow-password-authentication": (
            "only a guest-configuration audit (inside the machine) exists, not one on "
            "disablePasswordAuthentication"
        ),
        "compute-vm-require-automatic-patching": "the built-ins read assessmentMode, not patchMode",
        "compute-vm-require-managed-identity": "only a preview built-in exists",
        "network-subnet-require-nsg": (
            "the built-in (e71308d3) reads a Defender assessment, not the subnet"
        ),
        "network-nsg-disallow-internet-management-ports": (
            "the built-ins read Defender assessments, not security rules"
        ),
        "network-nsg-disallow-internet-cleartext-ports": "no built-in reads security rules' ports",
        "network-firewallpolicy-restrict-allow-rules": "no built-in reads rule collection groups",
        "network-firewallpolicy-require-idps-deny": "no built-in reads intrusion detection",
        "network-privateendpoint-require-dns-zone-group": "no built-in audits zone groups",
        "network-dnsforwardingrule-require-private-targets": "no built-in reads forwarding rules",
        "authorization-roleassignment-disallow-privileged-user-at-subscription": (
            "the built-ins read Defender assessments (owner counts), not role assignments"
        ),
        "authorization-roledefinition-restrict-actions-and-scopes": (
            "the built-in (a451c1ef) audits every custom role, not its actions"
        ),
        "authorization-roleassignment-require-principal-type": "no built-in reads principalType",
        "operationalinsights-workspace-require-audit-retention": (
            "no built-in reads retentionInDays"
        ),
        "monitor-diagnosticsetting-require-enabled-logs": (
            "the diagnostic-settings built-ins judge the monitored resource (monitor-resource-"
            "require-diagnostic-settings)"
        ),
        "defender-subscription-require-plans": (
            "a relation between stacks; the plans' own built-ins back defender-pricing-require-"
            "standard-tier"
        ),
    }
)
"""HIPAA rule id -> why no built-in enforces the same control at runtime."""

DEPLOY_RULES_REASON = (
    "a deploy rule: Azure Resource Manager itself refuses what it guards, so nothing can drift"
)

DATA_PLANE_FIELDS: Mapping[str, tuple[str, Mapping[str, str]]] = MappingProxyType(
    {
        "Microsoft.KeyVault.Data/vaults/keys": (
            "Microsoft.KeyVault/vaults/keys",
            {
                "keyType": "properties.kty",
                "keySize": "properties.keySize",
                "ellipticCurveName": "properties.curveName",
                "attributes.expiresOn": "properties.attributes.expires",
            },
        ),
        "Microsoft.KeyVault.Data/vaults/secrets": (
            "Microsoft.KeyVault/vaults/secrets",
            {
                "attributes.expiresOn": "properties.attributes.expires",
                "contentType": "properties.contentType",
            },
        ),
    }
)
"""Key Vault data-plane aliases (policy mode ``Microsoft.KeyVault.Data``) -> the ARM resource
type and property that set the same value when the key or secret is created through ARM
(https://learn.microsoft.com/azure/key-vault/general/azure-policy)."""

_AUDIT = ("Audit", "AuditIfNotExists")
_REMEDIATING = ("DeployIfNotExists", "Modify")


def counterparts_of(rule: Rule) -> tuple[Counterpart, ...]:
    return RUNTIME.get(rule.id, ())


def no_counterpart_reason(rule: Rule) -> str | None:
    """Why ``rule`` has no runtime counterpart; None when it has one."""
    if rule.category is Category.DEPLOY:
        return DEPLOY_RULES_REASON
    return NO_COUNTERPART.get(rule.id)


def _first_allowed(definition: BuiltinDefinition, effects: tuple[str, ...]) -> str | None:
    return next((effect for effect in effects if definition.allows(effect)), None)


def member_effect(rule: Rule, counterpart: Counterpart, profile: Profile) -> str | None:
    """The effect the ``hlz`` initiative gives this member in ``profile``; None: not assigned
    there (the rule does not apply, or the built-in offers no effect fit for the profile)."""
    meta = rule
    if profile not in meta.profiles:
        return None
    definition = counterpart.builtin
    if profile is Profile.LAB:
        return _first_allowed(definition, _AUDIT)
    strict = meta.phi_protecting and not counterpart.wider
    chosen = _first_allowed(definition, ("Deny", *_AUDIT) if strict else _AUDIT)
    if chosen is not None:
        return chosen
    fixed = [e for e in definition.effects if e.casefold() != "disabled"]
    if definition.effect_parameter is None and len(fixed) == 1:
        # A fixed deny or append: only where the rule protects PHI (a subscription-wide
        # deny of what the rule does not guard, e.g. untagged resources Azure creates itself,
        # would break the platform).
        return fixed[0] if strict else None
    return _first_allowed(definition, _REMEDIATING) if strict else None


@dataclass(frozen=True)
class Member:
    """One policy definition reference of the ``hlz`` initiative."""

    reference_id: str
    definition: BuiltinDefinition
    effect: str
    parameters: Mapping[str, Any]
    """Every parameter value, the effect included (under the definition's effect parameter)."""
    rules: tuple[str, ...]
    """The rules the member backs (one built-in with the same parameters can back several)."""


_STRENGTH = ("deny", "append", "deployifnotexists", "modify", "audit", "auditifnotexists")


def initiative_members(rules: tuple[Rule, ...], profile: Profile) -> tuple[Member, ...]:
    """The members of the ``hlz`` initiative for ``profile``, in rule order: one per built-in
    and parameter set, with the strongest effect any of its rules asks for."""
    merged: dict[tuple[str, str], list[Any]] = {}
    for rule in rules:
        for counterpart in counterparts_of(rule):
            effect = member_effect(rule, counterpart, profile)
            if effect is None:
                continue
            key = (counterpart.definition, repr(sorted(counterpart.parameters.items())))
            entry = merged.setdefault(key, [counterpart, effect, []])
            if _STRENGTH.index(effect.casefold()) < _STRENGTH.index(entry[1].casefold()):
                entry[1] = effect
            entry[2].append(rule.id)
    members = []
    used: set[str] = set()
    for counterpart, effect, rule_ids in merged.values():
        reference = rule_ids[0]
        suffix = 2
        while reference in used:
            reference, suffix = f"{rule_ids[0]}-{suffix}", suffix + 1
        used.add(reference)
        definition = counterpart.builtin
        parameters = dict(counterpart.parameters)
        if definition.effect_parameter is not None:
            parameters[definition.effect_parameter] = effect
        members.append(Member(reference, definition, effect, parameters, tuple(rule_ids)))
    return tuple(members)


def needs_identity(effects: list[str]) -> bool:
    """ARM refuses an assignment whose members can deploy or modify without a managed identity."""
    remediating = {e.casefold() for e in _REMEDIATING}
    return any(effect.casefold() in remediating for effect in effects)


def builtin_link(definition: BuiltinDefinition) -> str:
    """The definition's file in Azure/azure-policy at the indexed commit (Markdown link)."""
    index = builtin_index()
    path = definition.path.replace(" ", "%20")
    return f"[{definition.display_name}]({index.repository}/blob/{index.commit}/{path})"


def runtime_summary(rule: Rule, profile: Profile) -> str:
    """The rule's runtime counterparts in ``profile`` for the compliance matrix: each built-in
    with the effect the initiative gives it, or ``none`` and why."""
    counterparts = counterparts_of(rule)
    if not counterparts:
        return f"none: {no_counterpart_reason(rule)}"
    return "; ".join(
        f"{c.builtin.display_name} "
        f"({member_effect(rule, c, profile) or 'not assigned in ' + profile.value})"
        for c in counterparts
    )
