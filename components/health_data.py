"""Azure Health Data Services: a workspace with a FHIR R4 and a DICOM service, private and
encrypted with a customer-managed key (HIPAA 164.312(a)(1), (a)(2)(iv), (b), (c)(1), (e)(1)).

| input            | derived                                                                  |
|------------------|--------------------------------------------------------------------------|
| private_link     | one endpoint on the workspace (group ``healthcareworkspace``) in the     |
|                  | workspace, FHIR and DICOM zones, created after the services so that its  |
|                  | zone group holds their records; named ``pe-<workspace>`` unless given    |
| encryption       | FHIR and DICOM encrypted with the versionless key URI (rotation          |
|                  | followed) through the key's user-assigned identity, which must hold      |
|                  | key access before either service is created                              |
| tenant_id        | FHIR authority ``https://login.microsoftonline.com/<tenant>``; audience  |
|                  | = the service URL; SMART proxy off                                       |
| (always)         | FHIR kind fhir-R4; every resource versioned (history kept)               |
| cors_origins     | exact https origins only, no credentials, explicit headers; methods      |
|                  | GET/HEAD/OPTIONS, + POST/PUT/PATCH/DELETE when fhir_data_role is         |
|                  | contributor                                                              |
| member_group_ids | "FHIR Data Reader" (or Contributor) on FHIR, "DICOM Data Reader" on      |
|                  | DICOM                                                                    |
| export_* set     | FHIR ``$export`` to that account; the key's identity (the service's      |
|                  | only identity) gets "Storage Blob Data Contributor" on that container    |

The workspace's ``properties.publicNetworkAccess`` governs its FHIR and DICOM services and is
writable in REST API 2024-03-31, but pulumi-azure-native 3.29.0's typed ``healthcareapis.
Workspace`` has no input for it (Azure's default is Enabled). So the workspace is declared as
the SDK's generic ``resources.Resource`` at exactly the API version the typed Health Data
Services resources use (``WORKSPACE_API_VERSION``, checked against the SDK by a test), with
``publicNetworkAccess: Disabled``; the services reference it by name as before. The policy pack
judges it as a Health Data Services workspace (``policies.normalise``). An alias to the typed
workspace's type keeps the state of stacks deployed before this change.

The services carry only the user-assigned identity: a system-assigned one would not exist,
let alone hold key access, when the customer-managed key is applied at creation. Microsoft's
``$export`` guide describes a system-assigned identity; if exports are refused, the fix is
``SystemAssigned,UserAssigned`` with the storage role on the system identity.

Provisioning takes up to 30 minutes (FHIR) and 90 minutes (DICOM). azure-native waits 2 hours
for any operation unless told otherwise, so the timeouts below keep margin over those figures
(a 30-minute timeout would fail healthy FHIR creations) while bounding a hung FHIR operation.
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pulumi_azure_native import authorization, healthcareapis, resources
from pydantic import Field, field_validator, model_validator

from components.diagnostics import send_diagnostics
from components.encryption import EncryptionKey
from components.naming import name_problem
from components.private_endpoint import connect_privately
from components.roles import assign_role, grant_groups
from components.shared import (
    DiagnosticsTarget,
    HlzModel,
    Placement,
    PrivateLinkTarget,
    StrInput,
    child_opts,
)
from components.specs import EntraObjectIds, HttpsOrigin

HEALTH_ZONES = (
    "privatelink.workspace.azurehealthcareapis.com",
    "privatelink.fhir.azurehealthcareapis.com",
    "privatelink.dicom.azurehealthcareapis.com",
)
ENTRA_AUTHORITY = "https://login.microsoftonline.com/"

FhirDataRole = Literal["reader", "contributor"]
FHIR_DATA_ROLES: dict[FhirDataRole, str] = {
    "reader": "FHIR Data Reader",
    "contributor": "FHIR Data Contributor",
}
DICOM_DATA_ROLE = "DICOM Data Reader"
EXPORT_ROLE = "Storage Blob Data Contributor"

CORS_HEADERS = (
    "Accept",
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Exist",
    "If-None-Match",
    "Prefer",
)
CORS_READ_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CORS_MAX_AGE_SECONDS = 600
"""Browsers re-check the preflight every 10 minutes, so a tightened policy applies quickly."""

WORKSPACE_API_VERSION = "2024-03-31"
"""REST API version of pulumi-azure-native 3.29.0's healthcareapis module."""

FHIR_TIMEOUTS = pulumi.CustomTimeouts(create="60m", update="60m", delete="30m")
"""FHIR takes 20-30 minutes to provision (and to re-provision on some updates)."""
DICOM_TIMEOUTS = pulumi.CustomTimeouts(create="120m", update="120m", delete="60m")
"""DICOM takes up to 90 minutes to provision."""


class HealthDataServicesArgs(HlzModel):
    placement: Placement
    """Resource group, region and required tags of the workspace, services and endpoint."""
    workspace_name: str
    """3-24 lowercase letters and digits; part of the service URLs, so globally unique."""
    fhir_name: str
    """3-24 lowercase letters, digits and hyphens; used when ``fhir`` is True."""
    dicom_name: str
    """3-24 lowercase letters, digits and hyphens; used when ``dicom`` is True."""
    endpoint_name: str | None = None
    """Default: None — the private endpoint is named ``pe-<workspace_name>``."""
    tenant_id: StrInput
    """Entra tenant whose tokens the FHIR service accepts."""
    encryption: EncryptionKey
    """Customer-managed key and the user-assigned identity the services use."""
    private_link: PrivateLinkTarget
    """Subnet of the workspace's private endpoint and the DNS zones it registers in
    (the workspace, FHIR and DICOM zones must all be given)."""
    diagnostics: DiagnosticsTarget
    """Workspace receiving the FHIR and DICOM services' logs and metrics (HIPAA 164.312(b))."""
    fhir: bool = True
    """Default: True — a FHIR R4 service."""
    dicom: bool = True
    """Default: True — a DICOM service."""
    cors_origins: list[HttpsOrigin] = Field(default_factory=list)
    """Default: [] — no browser origin may call FHIR. Each entry an exact https origin."""
    fhir_data_role: FhirDataRole = "reader"
    """Default: reader — lab members read FHIR data; contributor lets them write it."""
    member_group_ids: EntraObjectIds = Field(default_factory=list)
    """Entra group object ids of the lab's members."""
    export_storage_account_name: StrInput | None = None
    """Default: None — no ``$export``. Account FHIR exports to; set with export_container_id."""
    export_container_id: StrInput | None = None
    """Container the key's identity may write exports to (the role's scope)."""
    subscription_id: StrInput
    """Subscription of the built-in role definitions."""

    @field_validator("workspace_name")
    @classmethod
    def _valid_workspace_name(cls, value: str) -> str:
        return _valid_name("workspace_name", "health_workspace", value)

    @field_validator("fhir_name")
    @classmethod
    def _valid_fhir_name(cls, value: str) -> str:
        return _valid_name("fhir_name", "fhir_service", value)

    @field_validator("dicom_name")
    @classmethod
    def _valid_dicom_name(cls, value: str) -> str:
        return _valid_name("dicom_name", "dicom_service", value)

    @model_validator(mode="after")
    def _consistent_services(self) -> HealthDataServicesArgs:
        problems = []
        if not (self.fhir or self.dicom):
            problems.append("fhir and dicom are both False; a workspace needs at least one")
        has_account = self.export_storage_account_name is not None
        has_container = self.export_container_id is not None
        if has_account != has_container:
            problems.append(
                "export_storage_account_name and export_container_id go together "
                "(the account FHIR exports to and the container its identity may write)"
            )
        if has_account and not self.fhir:
            problems.append("export_storage_account_name is set but fhir is False")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _valid_name(field: str, kind: str, value: str) -> str:
    problem = name_problem(kind, value)
    if problem is not None:
        raise ValueError(f"{field} {problem}")
    return value


def fhir_service_url(workspace_name: str, fhir_name: str) -> str:
    """The FHIR endpoint, which is also the audience its tokens must carry."""
    return f"https://{workspace_name}-{fhir_name}.fhir.azurehealthcareapis.com"


class HealthDataServices(pulumi.ComponentResource):
    id: pulumi.Output[str]
    name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    """The services' identity (the key's user-assigned identity)."""
    fhir_url: pulumi.Output[str] | None
    fhir_id: pulumi.Output[str] | None
    dicom_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: HealthDataServicesArgs, opts: pulumi.ResourceOptions | None = None
    ):
        # A missing zone is a wiring error: fail before registering anything.
        zone_ids = args.private_link.zones(*HEALTH_ZONES)
        super().__init__("hlz:health:HealthDataServices", name, None, opts)
        placement = args.placement
        key = args.encryption
        workspace_id = args.diagnostics.workspace_id

        workspace = resources.Resource(
            f"{name}-ws",
            resource_provider_namespace="Microsoft.HealthcareApis",
            resource_type="workspaces",
            parent_resource_path="",
            api_version=WORKSPACE_API_VERSION,
            resource_name_=args.workspace_name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            tags=placement.tags,
            properties={"publicNetworkAccess": "Disabled"},
            # Stacks deployed with the typed workspace keep its state (same URN name); check
            # `pulumi preview` for an in-place update before `pulumi up` on such a stack.
            opts=child_opts(
                self, aliases=[pulumi.Alias(type_="azure-native:healthcareapis:Workspace")]
            ),
        )
        identity = healthcareapis.ServiceManagedIdentityIdentityArgs(
            type=healthcareapis.ServiceManagedIdentityType.USER_ASSIGNED,
            user_assigned_identities=[key.identity_id],
        )
        encryption = healthcareapis.EncryptionArgs(
            customer_managed_key_encryption=healthcareapis.EncryptionCustomerManagedKeyEncryptionArgs(
                key_encryption_key_url=key.key_uri
            )
        )
        services: list[pulumi.CustomResource] = []

        fhir_url: str | None = None
        fhir = None
        if args.fhir:
            fhir_url = fhir_service_url(args.workspace_name, args.fhir_name)
            methods = CORS_READ_METHODS + (
                CORS_WRITE_METHODS if args.fhir_data_role == "contributor" else ()
            )
            export = None
            if args.export_storage_account_name is not None:
                export = healthcareapis.FhirServiceExportConfigurationArgs(
                    storage_account_name=args.export_storage_account_name
                )
            fhir = healthcareapis.FhirService(
                f"{name}-fhir",
                fhir_service_name=args.fhir_name,
                workspace_name=workspace.name,
                resource_group_name=placement.resource_group_name,
                location=placement.location,
                kind=healthcareapis.FhirServiceKind.FHIR_R4,
                authentication_configuration=healthcareapis.FhirServiceAuthenticationConfigurationArgs(
                    authority=pulumi.Output.concat(ENTRA_AUTHORITY, args.tenant_id),
                    audience=fhir_url,
                    smart_proxy_enabled=False,
                ),
                cors_configuration=healthcareapis.FhirServiceCorsConfigurationArgs(
                    origins=list(args.cors_origins),
                    headers=list(CORS_HEADERS),
                    methods=list(methods),
                    max_age=CORS_MAX_AGE_SECONDS,
                    allow_credentials=False,
                ),
                identity=identity,
                encryption=encryption,
                resource_version_policy_configuration=healthcareapis.ResourceVersionPolicyConfigurationArgs(
                    default=healthcareapis.FhirResourceVersionPolicy.VERSIONED
                ),
                export_configuration=export,
                tags=placement.tags,
                # The identity must be able to unwrap the key when the service is created.
                opts=child_opts(self, depends_on=[key.key_access], custom_timeouts=FHIR_TIMEOUTS),
            )
            send_diagnostics(fhir, workspace_id, parent=self)
            services.append(fhir)

        dicom = None
        if args.dicom:
            dicom = healthcareapis.DicomService(
                f"{name}-dicom",
                dicom_service_name=args.dicom_name,
                workspace_name=workspace.name,
                resource_group_name=placement.resource_group_name,
                location=placement.location,
                identity=identity,
                encryption=encryption,
                tags=placement.tags,
                opts=child_opts(self, depends_on=[key.key_access], custom_timeouts=DICOM_TIMEOUTS),
            )
            send_diagnostics(dicom, workspace_id, parent=self)
            services.append(dicom)

        # Created after the services, so that its zone group registers their FQDNs as well
        # (services added to the workspace later need their DNS records added by hand).
        # A component's depends_on does not reach its children, so the endpoint's target id
        # carries the dependency on the services instead.
        target_id = pulumi.Output.all(workspace.id, *(service.id for service in services)).apply(
            lambda ids: ids[0]
        )
        self.private_endpoint = connect_privately(
            self, f"{name}-pe", placement=placement, private_link=args.private_link,
            endpoint_name=args.endpoint_name or f"pe-{args.workspace_name}", target_id=target_id,
            group_id="healthcareworkspace", dns_zone_ids=zone_ids,
        )  # fmt: skip

        data_roles = (
            ("fhir", fhir, args.fhir_data_role, FHIR_DATA_ROLES[args.fhir_data_role]),
            ("dicom", dicom, "reader", DICOM_DATA_ROLE),
        )
        for service_kind, service, access, role in data_roles:
            if service is not None:
                grant_groups(
                    f"{name}-{service_kind}-{access}",
                    args.member_group_ids,
                    scope=service.id,
                    role=role,
                    subscription_id=args.subscription_id,
                    parent=self,
                )
        if fhir is not None and args.export_container_id is not None:
            assign_role(
                f"{name}-export-writer",
                scope=args.export_container_id,
                principal_id=key.principal_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role=EXPORT_ROLE,
                subscription_id=args.subscription_id,
                parent=self,
            )

        self.workspace = workspace
        self.fhir = fhir
        self.dicom = dicom
        self.fhir_url = pulumi.Output.from_input(fhir_url) if fhir_url is not None else None
        self.fhir_id = fhir.id if fhir is not None else None
        self.dicom_id = dicom.id if dicom is not None else None
        self.id = workspace.id
        self.name = workspace.name
        self.principal_id = key.principal_id
        outputs: dict[str, object] = {
            "id": self.id,
            "name": self.name,
            "principal_id": self.principal_id,
        }
        if self.fhir_url is not None and self.fhir_id is not None:
            outputs["fhir_url"] = self.fhir_url
            outputs["fhir_id"] = self.fhir_id
        if self.dicom_id is not None:
            outputs["dicom_id"] = self.dicom_id
        self.register_outputs(outputs)
