"""Azure Cosmos DB rules: the account that keeps the Foundry Agent Service's threads.

In the Agent Service's "standard setup" every end-user message, every model response and every
agent's instructions are stored in the lab's own Cosmos DB for NoSQL account; once a clinician
pastes a note into an agent, that account holds ePHI. It gets the controls of every other PHI
store: private access only, Entra ID only (no account keys, for data or metadata), a
customer-managed key, TLS 1.2, and data-plane grants no wider than the data they serve.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..model import Compliant, Outcome, ResourceRule, Severity, fail
from ..props import as_str, describe, get
from .expect import expect_text, expect_true
from .tokens import COSMOS_ACCOUNT, COSMOS_SQL_ROLE_ASSIGNMENT

ACCOUNT = frozenset({COSMOS_ACCOUNT})
SQL_ROLE_ASSIGNMENT = frozenset({COSMOS_SQL_ROLE_ASSIGNMENT})

KEY_URI = re.compile(r"https://[^/\s]+/keys/[^/\s]+/?(?:[^/\s]+/?)?", re.IGNORECASE)
"""A Key Vault (or managed HSM) key URI, with or without its version."""

_DATABASE_SCOPE = re.compile(r"/dbs/[^/]+", re.IGNORECASE)
"""A data-plane scope below the account: ``.../dbs/<database>[/colls/<container>]``."""


def check_local_auth_disabled(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(
        props,
        ("disableLocalAuth",),
        " (absent means false: the primary and secondary keys read and write every "
        "document); set it to true so only Entra ID tokens and data-plane roles are accepted",
    )


def check_public_network_access(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("publicNetworkAccess",),
        "Disabled",
        " (absent means Enabled); set it to 'Disabled' and reach the account through its "
        "private endpoint (groupId 'Sql')",
    )


def check_customer_key(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "keyVaultKeyUri")
    text = as_str(value)
    if text and KEY_URI.fullmatch(text.strip()):
        return Compliant()
    return fail(
        f"keyVaultKeyUri is {describe(value)}; set it to the versionless URI of a key in the "
        "landing zone's vault (https://<vault>.vault.azure.net/keys/<key>) when the account is "
        "created, with a user-assigned identity allowed to wrap and unwrap it as "
        "defaultIdentity, so threads are encrypted with the covered entity's key"
    )


def check_tls12(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_text(
        props,
        ("minimalTlsVersion",),
        "Tls12",
        "; set it to 'Tls12' explicitly (absent leaves the floor to the service's default "
        "instead of this configuration)",
    )


def check_key_metadata_write_disabled(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    return expect_true(
        props,
        ("disableKeyBasedMetadataWriteAccess",),
        " (absent means false: an account key can create, change and delete databases, "
        "containers and throughput); set it to true so only Azure RBAC changes them",
    )


def check_data_role_scope(_resource_type: str, props: Mapping[str, Any]) -> Outcome:
    value = get(props, "scope")
    text = as_str(value)
    if text is not None and _DATABASE_SCOPE.search(text):
        return Compliant()
    return fail(
        f"scope is {describe(value)}: a data-plane role on the whole account reaches every "
        "database and container in it; scope it to the database (<account id>/dbs/<database>) "
        "or container (.../dbs/<database>/colls/<container>) the principal serves"
    )


_COSMOS_DOCS = "https://learn.microsoft.com/azure/cosmos-db"

RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="cosmosdb-account-disable-local-auth",
        description="Cosmos DB accounts disable key-based (local) authentication.",
        rationale=(
            "An account key is a shared secret without identity that reads and writes every "
            "conversation in the account, and no log says who used it; Entra ID tokens with "
            "data-plane roles give per-identity access control and audit."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(d)", "164.312(a)(1)"),
        mcsb=("IM-1",),
        hitrust=("01.q",),
        remediation=(
            "Set disableLocalAuth to true and grant callers a Cosmos DB data-plane role "
            "(sqlRoleAssignments), such as 'Cosmos DB Built-in Data Contributor' on one database."
        ),
        url=f"{_COSMOS_DOCS}/how-to-connect-role-based-access-control",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_local_auth_disabled,
    ),
    ResourceRule(
        id="cosmosdb-account-disallow-public-network-access",
        description="Cosmos DB accounts disable public network access.",
        rationale=(
            "Agent threads carry ePHI (clinicians' prompts, model answers); they must only "
            "travel over the private network, never to the account's public endpoint."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(a)(1)"),
        mcsb=("NS-2",),
        hitrust=("01.n",),
        remediation=(
            "Set publicNetworkAccess to 'Disabled' and add a private endpoint (groupId 'Sql', "
            "zone privatelink.documents.azure.com)."
        ),
        url=f"{_COSMOS_DOCS}/how-to-configure-private-endpoints",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_public_network_access,
    ),
    ResourceRule(
        id="cosmosdb-account-require-customer-key",
        description="Cosmos DB accounts encrypt their data with a customer-managed key.",
        rationale=(
            "With a customer-managed key the covered entity controls the second layer of "
            "encryption of every stored thread and can revoke access to it by revoking the key."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(a)(2)(iv)",),
        mcsb=("DP-5",),
        hitrust=("10.g",),
        remediation=(
            "Create the account with keyVaultKeyUri set to a versionless key URI, a "
            "user-assigned identity holding 'Key Vault Crypto Service Encryption User' on the "
            "key, and defaultIdentity 'UserAssignedIdentity=<identity id>'."
        ),
        url=f"{_COSMOS_DOCS}/how-to-setup-customer-managed-keys",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_customer_key,
    ),
    ResourceRule(
        id="cosmosdb-account-require-tls12",
        description="Cosmos DB accounts refuse TLS versions below 1.2.",
        rationale=(
            "TLS 1.0 and 1.1 have known weaknesses; threads with ePHI must be protected in "
            "transit with TLS 1.2 or later."
        ),
        severity=Severity.HIGH,
        hipaa=("164.312(e)(1)", "164.312(e)(2)(ii)"),
        mcsb=("DP-3",),
        hitrust=("09.s",),
        remediation="Set minimalTlsVersion to 'Tls12'.",
        url=f"{_COSMOS_DOCS}/self-serve-minimum-tls-enforcement",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_tls12,
    ),
    ResourceRule(
        id="cosmosdb-account-disable-key-metadata-write",
        description=(
            "Cosmos DB accounts refuse changes to databases, containers and throughput made "
            "with account keys."
        ),
        rationale=(
            "With it, creating or deleting a database or container (where threads live) "
            "takes an Azure RBAC role, so every such change is an audited, attributable "
            "control-plane operation."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(a)(1)", "164.312(c)(1)"),
        mcsb=("PA-7",),
        remediation="Set disableKeyBasedMetadataWriteAccess to true.",
        url=f"{_COSMOS_DOCS}/audit-control-plane-logs",
        phi_protecting=True,
        resource_types=ACCOUNT,
        check=check_key_metadata_write_disabled,
    ),
    ResourceRule(
        id="cosmosdb-sqlroleassignment-restrict-scope",
        description=(
            "Cosmos DB data-plane role assignments are scoped to a database or container, not "
            "the whole account."
        ),
        rationale=(
            "A data-plane role at account scope reaches every database and container, so a "
            "principal that serves one store (one Foundry project's threads) could read all of "
            "them; least privilege limits it to the data it needs."
        ),
        severity=Severity.MEDIUM,
        hipaa=("164.312(a)(1)", "164.308(a)(4)(ii)(B)"),
        mcsb=("PA-7",),
        hitrust=("01.c",),
        remediation=(
            "Set scope to '<account id>/dbs/<database>' (or '.../colls/<container>'), as "
            "components.cosmos.grant_agent_thread_data does for the Agent Service's database."
        ),
        url=f"{_COSMOS_DOCS}/nosql/security/how-to-grant-data-plane-role-based-access",
        resource_types=SQL_ROLE_ASSIGNMENT,
        check=check_data_role_scope,
    ),
)
