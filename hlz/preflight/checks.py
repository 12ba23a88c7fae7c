"""The preflight checks, in the order they run, and the runner that isolates them.

Each check is a function ``(Preflight) -> Finding``. The runner adds the check id, turns ARM
errors and unexpected answers into a failed finding (never a traceback), and skips checks
whose prerequisite failed: without a token nothing can be asked, and without a reachable
subscription every later answer would repeat the same error. The run's deadline
(``--timeout``) is such a prerequisite too: the check it cuts short fails, saying where, and
every later check that needs ARM is reported as not run.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from azure.core.credentials import TokenCredential

from hlz.preflight.arm import (
    DEFAULT_MAX_WAIT,
    ArmClient,
    ArmError,
    ResponseTooLarge,
    UnexpectedResponse,
)
from hlz.preflight.deadline import Deadline, DeadlineExceeded
from hlz.preflight.defaults import (
    DEFAULT_ARM_ENDPOINT,
    DEFAULT_ARM_SCOPE,
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
)
from hlz.preflight.permissions import ROLE_ASSIGNMENT_WRITE, grant, missing_role_fix
from hlz.preflight.report import CheckResult, Status
from hlz.preflight.responses import (
    DeletedAccount,
    DeletedVault,
    Feature,
    ModelEntry,
    Permission,
    Provider,
    Subscription,
    Usage,
    normalise_location,
    parse,
    parse_list,
)
from hlz.preflight.target import (
    HEALTH_PROVIDER,
    Budget,
    CognitiveAccount,
    Deployment,
    StackTarget,
    injects_agents,
)
from policies.alerting import BUDGETS_REST
from policies.clock import utc_today
from policies.vocabulary import ALLOWED_LOCATIONS

BUDGET_TOKEN = "azure-native:consumption:Budget"
"""Budgets are read at the API version the SDK creates them with (``_budget_api``)."""
# The api-versions preflight reads, pinned: a newer one may change a shape we parse.
SUBSCRIPTION_API = "2022-12-01"
PERMISSIONS_API = "2022-04-01"
PROVIDERS_API = "2021-04-01"
KEY_VAULT_API = "2023-07-01"
COGNITIVE_SERVICES_API = "2024-10-01"
FEATURES_API = "2021-07-01"

CAPACITY_UNIT = "units of 1,000 tokens per minute"
DEADLINE_FIX = (
    "re-run when ARM answers faster, or allow more time with --timeout SECONDS (default "
    f"{DEFAULT_TIMEOUT:g}, at most {MAX_TIMEOUT:g}); if it persists, check the network path to "
    "ARM (HTTPS_PROXY / NO_PROXY, firewall) and --arm-endpoint"
)
SIGN_IN_FIX = (
    "az login (add --tenant <tenant id> when the subscription is in another tenant); for a "
    "service principal set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or "
    "AZURE_FEDERATED_TOKEN_FILE); for a managed identity set AZURE_CLIENT_ID to its client id"
)


@dataclass(frozen=True)
class Finding:
    status: Status
    detail: str
    fix: str | None = None


def ok(detail: str) -> Finding:
    return Finding("ok", detail)


def warn(detail: str, fix: str) -> Finding:
    return Finding("warn", detail, fix)


def fail(detail: str, fix: str) -> Finding:
    return Finding("fail", detail, fix)


@dataclass
class Preflight:
    """One run of the checks for one stack in one subscription."""

    target: StackTarget
    subscription_id: str
    credential: TokenCredential
    client: ArmClient
    scope: str = DEFAULT_ARM_SCOPE
    caller_object_id: str | None = None
    """The signed-in principal's object id, from the token (for the az commands we print)."""
    signed_in: bool = False
    subscription_reachable: bool = False
    results: list[CheckResult] = field(default_factory=list)
    timed_out: str | None = None
    """The check the deadline cut short; every later check that needs ARM is not run."""
    today: dt.date = field(default_factory=utc_today)
    """The UTC day the checks judge dates by (a budget's start)."""

    @property
    def deadline(self) -> Deadline:
        return self.client.deadline

    @property
    def subscription_path(self) -> str:
        return f"/subscriptions/{self.subscription_id}"

    @property
    def assignee(self) -> str:
        return self.caller_object_id or "<your object id>"

    def run(self, on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
        """Run every check in order, calling ``on_result`` as each completes."""
        for check in CHECKS:
            result = self._run_one(check)
            self.results.append(result)
            if on_result is not None:
                on_result(result)
        return self.results

    def _run_one(self, check: Check) -> CheckResult:
        reason = check.not_applicable(self.target)
        if reason is not None:
            return CheckResult(check.id, "skip", f"not applicable: {reason}")
        if self.timed_out is not None:
            return CheckResult(
                check.id, "skip", f"not run: {self.deadline.label} passed (see {self.timed_out})"
            )
        if check.needs in ("token", "subscription") and not self.signed_in:
            return CheckResult(check.id, "skip", "not run: no ARM token (see signed-in)")
        if check.needs == "subscription" and not self.subscription_reachable:
            return CheckResult(
                check.id, "skip", "not run: the subscription is not reachable (see subscription)"
            )
        try:
            finding = self.deadline.call(lambda: check.run(self), self._waiting_for)
        except DeadlineExceeded as error:
            self.timed_out = check.id
            finding = fail(str(error), DEADLINE_FIX)
        except ArmError as error:
            finding = arm_error_finding(error, self)
        except ResponseTooLarge as error:
            finding = fail(
                error.reason,
                "check that --arm-endpoint is Azure Resource Manager (or a proxy that passes "
                "its answers through unchanged): ARM pages long lists, so no answer preflight "
                "reads comes near that size",
            )
        except UnexpectedResponse as error:
            finding = fail(
                f"unexpected response from GET {error.path}: {error.reason}",
                "re-run; if it persists, report it with the output of --json (ARM may have "
                "changed the shape of this api-version's answer)",
            )
        except Exception as error:  # noqa: BLE001 - one broken check must not hide the others
            finding = fail(
                f"unexpected error: {type(error).__name__}: {error}",
                "re-run; if it persists, report it with the output of --json",
            )
        return CheckResult(check.id, finding.status, finding.detail, finding.fix)

    def _waiting_for(self) -> str:
        path = self.client.in_flight
        return f"GET {path}" if path else "the check"


def build_preflight(
    target: StackTarget,
    subscription_id: str,
    credential: TokenCredential,
    *,
    arm_endpoint: str = DEFAULT_ARM_ENDPOINT,
    scope: str = DEFAULT_ARM_SCOPE,
    sleep: Callable[[float], None] = time.sleep,
    max_wait: float = DEFAULT_MAX_WAIT,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Callable[[], float] = time.monotonic,
    today: dt.date | None = None,
) -> Preflight:
    """The checker for ``target``: any azure-core ``TokenCredential`` works (tests pass a
    static one). Raises ``EndpointError`` for an endpoint a token must not be sent to.
    ``timeout`` seconds on ``clock`` bound the whole run, starting now."""
    client = ArmClient(
        credential,
        endpoint=arm_endpoint,
        scope=scope,
        sleep=sleep,
        max_wait=max_wait,
        deadline=Deadline(timeout, clock),
    )
    return Preflight(target, subscription_id, credential, client, scope, today=today or utc_today())


def arm_error_finding(error: ArmError, preflight: Preflight) -> Finding:
    """An ARM error as a failed finding with the fix for its kind."""
    code = f"HTTP {error.status} {error.code}" if error.status is not None else error.code
    if error.status == 401 or error.code == "TokenUnavailable":
        return fail(f"not signed in / token rejected ({code}: {error.message})", SIGN_IN_FIX)
    if error.status == 403:
        return fail(
            f"permission denied: the caller lacks {error.action} on "
            f"{preflight.subscription_path} ({code})",
            f"grant a role that includes {error.action}; Reader covers every read preflight "
            f"makes: az role assignment create --assignee {preflight.assignee} --role Reader "
            f"--scope {preflight.subscription_path}",
        )
    if error.status is None:
        return fail(
            error.message,
            "check the network path to ARM (HTTPS_PROXY / NO_PROXY, firewall) and --arm-endpoint",
        )
    retried = f" after {error.retries} retries" if error.retries else ""
    fix = (
        "ARM is throttling this identity: wait a few minutes and re-run"
        if error.status == 429
        else "re-run later; if it persists, check Azure status and quote the request id"
    )
    return fail(f"GET {error.path} answered {code}{retried}: {error.message}", fix)


def token_claims(token: str) -> dict[str, Any]:
    """The JWT's claims, unverified (for display only); {} when the token is not a JWT."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


# --- checks ----------------------------------------------------------------------------------


def check_signed_in(preflight: Preflight) -> Finding:
    try:
        token = preflight.credential.get_token(preflight.scope)
    except Exception as error:  # noqa: BLE001 - credential chains raise several types
        message = str(getattr(error, "message", None) or error).strip().splitlines()
        return fail(
            f"no token for {preflight.scope}: {message[0] if message else type(error).__name__}",
            SIGN_IN_FIX,
        )
    preflight.signed_in = True
    claims = token_claims(token.token)
    oid = claims.get("oid")
    preflight.caller_object_id = oid if isinstance(oid, str) else None
    who = next(
        (
            claims[name]
            for name in ("upn", "unique_name", "preferred_username", "appid")
            if isinstance(claims.get(name), str)
        ),
        None,
    )
    minutes = int((token.expires_on - time.time()) // 60)
    identity = f" as {who}" if who else ""
    identity += f" (object id {preflight.caller_object_id})" if preflight.caller_object_id else ""
    return ok(f"token for {preflight.scope}{identity}, valid {minutes} more minutes")


def check_subscription(preflight: Preflight) -> Finding:
    path = preflight.subscription_path
    try:
        document = preflight.client.get(
            path, SUBSCRIPTION_API, action="Microsoft.Resources/subscriptions/read"
        )
    except ArmError as error:
        if error.status != 404:
            raise
        return fail(
            f"subscription {preflight.subscription_id} not found, or not visible to the "
            f"signed-in identity (HTTP 404 {error.code})",
            "check --subscription-id / AZURE_SUBSCRIPTION_ID; `az account list -o table` lists "
            "the subscriptions you can see",
        )
    subscription = parse(Subscription, document, path)
    preflight.subscription_reachable = True
    name = f"'{subscription.display_name}' ({subscription.subscription_id})"
    tenant = f", tenant {subscription.tenant_id}" if subscription.tenant_id else ""
    if subscription.state == "Enabled":
        return ok(f"{name} is Enabled{tenant}")
    if subscription.state in ("Warned", "PastDue"):
        return warn(
            f"{name} is {subscription.state}: deployments work now, but the subscription will "
            "be disabled if billing is not resolved",
            "resolve the billing issue in Cost Management + Billing before deploying",
        )
    return fail(
        f"{name} is {subscription.state}: it is read-only, nothing can be deployed",
        "re-enable the subscription (Cost Management + Billing) or choose another one",
    )


def check_permissions(preflight: Preflight) -> Finding:
    path = f"{preflight.subscription_path}/providers/Microsoft.Authorization/permissions"
    values = preflight.client.list_values(
        path, PERMISSIONS_API, action="Microsoft.Authorization/permissions/read"
    )
    permissions = parse_list(Permission, values, path)
    actions = preflight.target.actions
    grants = {action: grant(permissions, action) for action in actions}
    denied = [action for action, found in grants.items() if found == "denied"]
    conditional = [action for action, found in grants.items() if found == "conditional"]
    stack = f"this {preflight.target.layer} stack" if preflight.target.layer else "the stack"
    if denied:
        return fail(
            f"the caller's roles lack {len(denied)} of the {len(actions)} actions deploying "
            f"{stack} needs: {', '.join(denied)}",
            missing_role_fix(denied, preflight.subscription_path, preflight.assignee),
        )
    if conditional:
        return warn(
            f"granted only under an ABAC condition: {', '.join(conditional)}",
            "make sure the condition allows the roles the stack assigns (see the plan's "
            "azure-native:authorization:RoleAssignment resources); otherwise ask for an "
            "unconditional assignment",
        )
    including = f", including {ROLE_ASSIGNMENT_WRITE}" if ROLE_ASSIGNMENT_WRITE in actions else ""
    return ok(f"all {len(actions)} actions deploying {stack} needs are allowed{including}")


def _providers(preflight: Preflight) -> tuple[str, list[Provider]]:
    path = f"{preflight.subscription_path}/providers"
    values = preflight.client.list_values(
        path, PROVIDERS_API, action="Microsoft.Resources/subscriptions/providers/read"
    )
    return path, parse_list(Provider, values, path)


def check_resource_providers(preflight: Preflight) -> Finding:
    _, providers = _providers(preflight)
    states = {provider.namespace.lower(): provider.registration_state for provider in providers}
    wanted = preflight.target.providers
    unregistered = {
        namespace: states.get(namespace.lower(), "absent")
        for namespace in wanted
        if states.get(namespace.lower()) not in ("Registered", "Registering")
    }
    registering = [ns for ns in wanted if states.get(ns.lower()) == "Registering"]
    if unregistered:
        listed = ", ".join(f"{ns} ({state})" for ns, state in unregistered.items())
        commands = " && ".join(f"az provider register --namespace {ns}" for ns in unregistered)
        return fail(
            f"not registered: {listed}",
            f"{commands} (needs */register/action, part of Contributor; takes a few minutes)",
        )
    if registering:
        return warn(
            f"still registering: {', '.join(registering)}",
            "wait until `az provider show --namespace "
            f"{registering[0]} --query registrationState` says Registered",
        )
    return ok(f"{len(wanted)} of {len(wanted)} registered: {', '.join(wanted)}")


def _date(value: str | None) -> str:
    return value[:10] if value else "an unknown date"


_Deleted = TypeVar("_Deleted", DeletedVault, DeletedAccount)


def _first_by_name(items: list[_Deleted]) -> dict[str, _Deleted]:
    """Lower-cased name -> the first soft-deleted item of that name ARM listed."""
    found: dict[str, _Deleted] = {}
    for item in items:
        found.setdefault(item.name.lower(), item)
    return found


def _collisions(findings: list[Finding]) -> Finding:
    """One finding for several planned names: every collision, each with its fix, as severe as
    the most severe of them (a fail fails; warnings alone warn)."""
    status: Status = "fail" if any(f.status == "fail" for f in findings) else "warn"
    return Finding(
        status, "; ".join(f.detail for f in findings), "; ".join(f.fix or "" for f in findings)
    )


def check_deleted_key_vaults(preflight: Preflight) -> Finding:
    names = preflight.target.key_vault_names
    path = f"{preflight.subscription_path}/providers/Microsoft.KeyVault/deletedVaults"
    values = preflight.client.list_values(
        path, KEY_VAULT_API, action="Microsoft.KeyVault/deletedVaults/read"
    )
    vaults = parse_list(DeletedVault, values, path)
    deleted = _first_by_name(vaults)
    collisions = [
        _deleted_vault(preflight, name, deleted[name.lower()])
        for name in names
        if name.lower() in deleted
    ]
    if collisions:
        return _collisions(collisions)
    return ok(
        f"no soft-deleted vault named {', '.join(names)} ({len(vaults)} soft-deleted in total)"
    )


def _deleted_vault(preflight: Preflight, name: str, match: DeletedVault) -> Finding:
    props = match.properties
    location = props.location or preflight.target.location
    purge_date = _date(props.scheduled_purge_date)
    recover = f"az keyvault recover --name {name}"
    deleted = f"Key Vault {name} is soft-deleted (deleted {_date(props.deletion_date)})"
    if props.purge_protection_enabled:
        return fail(
            f"{deleted} with purge protection, so it cannot be purged before {purge_date}; "
            "creating the stack's vault with that name fails",
            f"{recover}, then bring it into the stack with `pulumi import`; or wait until "
            f"{purge_date}, when Azure purges it (purging earlier is forbidden)",
        )
    return fail(
        f"{deleted}; creating the stack's vault with that name fails",
        f"{recover} to keep its keys and secrets (then `pulumi import` it), or "
        f"az keyvault purge --name {name} --location {location} to delete it for good",
    )


def check_deleted_openai_accounts(preflight: Preflight) -> Finding:
    planned = preflight.target.cognitive_accounts
    path = f"{preflight.subscription_path}/providers/Microsoft.CognitiveServices/deletedAccounts"
    values = preflight.client.list_values(
        path,
        COGNITIVE_SERVICES_API,
        action="Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/read",
    )
    accounts = parse_list(DeletedAccount, values, path)
    deleted = _first_by_name(accounts)
    collisions = [
        _deleted_account(preflight, account, deleted[account.name.lower()])
        for account in planned
        if account.name.lower() in deleted
    ]
    if collisions:
        return _collisions(collisions)
    names = ", ".join(account.name for account in planned)
    return ok(f"no soft-deleted account named {names} ({len(accounts)} soft-deleted in total)")


def _deleted_account(
    preflight: Preflight, account: CognitiveAccount, match: DeletedAccount
) -> Finding:
    name = account.name
    group = match.resource_group or account.resource_group
    location = normalise_location(
        match.location or match.location_from_id or preflight.target.location
    )
    where = f"--name {name} --resource-group {group} --location {location}"
    return fail(
        f"Cognitive Services account {name} is soft-deleted in resource group {group} "
        f"({location}, deleted {_date(match.properties.deletion_date)}, purged automatically "
        f"on {_date(match.properties.scheduled_purge_date)}); creating it again fails",
        f"az cognitiveservices account recover {where} (keeps its deployments; then "
        f"`pulumi import` it), or az cognitiveservices account purge {where} to delete it for "
        "good",
    )


UPGRADE_DOCS = "https://learn.microsoft.com/azure/ai-foundry/how-to/upgrade-azure-openai"
NETWORK_INJECTION_DOCS = (
    "https://learn.microsoft.com/azure/foundry/agents/concepts/networking-options: \"Network "
    "injection is part of the create-resource flow and can't be added to an existing account\""
)


def check_existing_openai_accounts(preflight: Preflight) -> Finding:
    """A deployed account of the stack's name whose kind the plan changes. Azure upgrades an
    ``OpenAI`` account to ``AIServices`` in place, but not one encrypted with a customer-managed
    key (every hlz lab's is): ``pulumi up`` would send a change ARM refuses (docs/foundry.md)."""
    findings: list[Finding] = []
    for account in preflight.target.cognitive_accounts:
        path = (
            f"{preflight.subscription_path}/resourceGroups/{account.resource_group}"
            f"/providers/Microsoft.CognitiveServices/accounts/{account.name}"
        )
        try:
            document = preflight.client.get(
                path, COGNITIVE_SERVICES_API, action="Microsoft.CognitiveServices/accounts/read"
            )
        except ArmError as error:
            if error.status != 404:
                raise
            continue  # not deployed yet: the plan creates it
        findings.append(_existing_account(account, document, path))
    problems = [finding for finding in findings if finding.status != "ok"]
    if problems:
        return problems[0] if len(problems) == 1 else _collisions(problems)
    names = ", ".join(account.name for account in preflight.target.cognitive_accounts)
    return ok(
        f"{len(findings)} of {names} deployed already, each of the planned kind"
        if findings
        else f"{names} not deployed yet"
    )


def _existing_account(account: CognitiveAccount, document: Any, path: str) -> Finding:
    if not isinstance(document, dict):
        raise UnexpectedResponse(path, "expected an account object")
    deployed = document.get("kind")
    if not isinstance(deployed, str) or not account.kind:
        return ok(f"{account.name} is deployed")
    if deployed.casefold() == account.kind.casefold():
        if account.agent_injection and not injects_agents(document.get("properties")):
            return fail(
                f"{account.name} is deployed without network injection for agents, and the "
                "plan adds it: Azure sets network injection only when it creates an account "
                f"({NETWORK_INJECTION_DOCS})",
                "remove hlz:agentService from this lab, or move the lab to a new stack with "
                "hlz:agentService from the start (docs/foundry.md, Agent Service)",
            )
        return ok(f"{account.name} is deployed as kind {deployed}, as planned")
    encryption = (document.get("properties") or {}).get("encryption") or {}
    keyed = str(encryption.get("keySource", "")).casefold() == "microsoft.keyvault"
    change = f"{account.name} is deployed as kind {deployed}; the plan makes it {account.kind}"
    if keyed:
        return fail(
            f"{change}, but it is encrypted with a customer-managed key, and Azure does not "
            f"change the kind of such an account in place ({UPGRADE_DOCS}, Limitations)",
            f"keep hlz:openai.kind: {deployed} for this lab, or move the lab to a new stack of "
            f"kind {account.kind} (docs/foundry.md, moving an existing lab)",
        )
    return warn(
        f"{change}: Azure upgrades it in place, keeping its endpoint and deployments "
        f"({UPGRADE_DOCS})",
        "confirm the upgrade is intended; rolling back to OpenAI needs its projects and "
        "connections deleted first",
    )


def _models_path(preflight: Preflight) -> str:
    return (
        f"{preflight.subscription_path}/providers/Microsoft.CognitiveServices/locations/"
        f"{preflight.target.location}/models"
    )


def _models(preflight: Preflight) -> list[ModelEntry]:
    path = _models_path(preflight)
    values = preflight.client.list_values(
        path, COGNITIVE_SERVICES_API, action="Microsoft.CognitiveServices/locations/models/read"
    )
    return parse_list(ModelEntry, values, path)


def _describe(deployment: Deployment) -> str:
    return f"{deployment.name} ({deployment.model} {deployment.version} {deployment.sku})"


def check_region_models(preflight: Preflight) -> Finding:
    location = preflight.target.location
    entries = _models(preflight)
    problems: list[str] = []
    for deployment in preflight.target.deployments:
        named = [e.model for e in entries if e.model.name.lower() == deployment.model.lower()]
        versions = [m for m in named if m.version == deployment.version]
        skus = sorted({sku.name for model in versions for sku in model.skus})
        if not named:
            problems.append(f"{deployment.name}: {deployment.model} is not offered in {location}")
        elif not versions:
            offered = ", ".join(sorted({m.version for m in named}))
            problems.append(
                f"{deployment.name}: {deployment.model} version {deployment.version} is not "
                f"offered in {location} (offered: {offered})"
            )
        elif deployment.sku not in skus:
            problems.append(
                f"{deployment.name}: {deployment.model} {deployment.version} has no "
                f"{deployment.sku} SKU in {location} (offered: {', '.join(skus) or 'none'})"
            )
    if problems:
        return fail(
            "; ".join(problems),
            "choose a model version and SKU the region offers (`az cognitiveservices model "
            f"list --location {location} -o table`) in hlz:openai.deployments, or another "
            "hlz:location; refresh stacks/ai_lab/model_catalogue.yaml if Azure changed",
        )
    deployments = ", ".join(_describe(d) for d in preflight.target.deployments)
    return ok(f"{location} offers {deployments}")


def _usage_names(preflight: Preflight) -> dict[tuple[str, str, str], str]:
    """(model, version, sku) -> the quota usage it draws on, from the models list. Best effort:
    when that list cannot be read, quota falls back to the conventional names."""
    try:
        entries = _models(preflight)
    except (ArmError, UnexpectedResponse):
        return {}
    return {
        (entry.model.name.lower(), entry.model.version, sku.name): sku.usage_name
        for entry in entries
        for sku in entry.model.skus
        if sku.usage_name
    }


def check_openai_quota(preflight: Preflight) -> Finding:
    target = preflight.target
    path = (
        f"{preflight.subscription_path}/providers/Microsoft.CognitiveServices/locations/"
        f"{target.location}/usages"
    )
    values = preflight.client.list_values(
        path, COGNITIVE_SERVICES_API, action="Microsoft.CognitiveServices/locations/usages/read"
    )
    usages = {usage.name.value.lower(): usage for usage in parse_list(Usage, values, path)}
    known = _usage_names(preflight)
    # Deployments of one model and SKU draw on the same quota: add their capacities up.
    wanted: dict[str, list[Deployment]] = {}
    for deployment in target.deployments:
        usage_name = known.get(
            (deployment.model.lower(), deployment.version, deployment.sku),
            f"OpenAI.{deployment.sku}.{deployment.model}",
        )
        wanted.setdefault(usage_name, []).append(deployment)
    short: list[str] = []
    enough: list[str] = []
    short_keys: list[str] = []
    for usage_name, deployments in wanted.items():
        need = sum(d.capacity for d in deployments)
        names = ", ".join(d.name for d in deployments)
        names += " need" if len(deployments) > 1 else " needs"
        usage = usages.get(usage_name.lower())
        if usage is None:
            short.append(f"{usage_name}: no quota in {target.location} ({names} {need})")
            short_keys += [d.key for d in deployments]
            continue
        free = usage.limit - usage.current_value
        numbers = f"limit {usage.limit:g}, in use {usage.current_value:g}"
        if free < need:
            short.append(f"{usage_name}: {names} {need}, only {free:g} free ({numbers})")
            short_keys += [d.key for d in deployments]
        else:
            enough.append(f"{usage_name}: {need} of {free:g} free")
    if short:
        return fail(
            "; ".join(short) + f" [{CAPACITY_UNIT}]",
            f"request more quota in {target.location} (Azure AI Foundry > Quotas, "
            "https://aka.ms/oai/quotaincrease) or lower capacity in "
            f"{', '.join(short_keys)}; if this stack is already deployed, its own deployments "
            "count as in use",
        )
    return ok("; ".join(enough) + f" [{CAPACITY_UNIT}]")


def check_region_health_data(preflight: Preflight) -> Finding:
    target = preflight.target
    _, providers = _providers(preflight)
    health = next((p for p in providers if p.namespace.lower() == HEALTH_PROVIDER.lower()), None)
    if health is None:
        return fail(
            f"{HEALTH_PROVIDER} is not in the subscription's provider list",
            f"az provider register --namespace {HEALTH_PROVIDER}",
        )
    offered = {
        resource_type.resource_type.lower(): {
            normalise_location(location) for location in resource_type.locations
        }
        for resource_type in health.resource_types
    }
    wanted = target.health_data_types
    missing = [rt for rt in wanted if target.location not in offered.get(rt.lower(), set())]
    qualified = f"{HEALTH_PROVIDER} {', '.join(wanted)}"
    if missing:
        everywhere = set.intersection(*(offered.get(rt.lower(), set()) for rt in wanted))
        regions = [location for location in ALLOWED_LOCATIONS if location in everywhere]
        return fail(
            f"{target.location} does not offer {HEALTH_PROVIDER} {', '.join(missing)}",
            f"set hlz:location to a region offering {qualified}: "
            f"{', '.join(regions) or 'none of the allowed US regions'}; or turn the service "
            "off in hlz:healthData",
        )
    return ok(f"{target.location} offers {qualified}")


ENCRYPTION_AT_HOST = ("Microsoft.Compute", "EncryptionAtHost")
ENCRYPTION_AT_HOST_DOCS = (
    "https://learn.microsoft.com/azure/virtual-machines/disks-enable-host-based-encryption-portal"
    "#prerequisites"
)


def _register_feature_fix(namespace: str, feature: str) -> str:
    return (
        f"az feature register --namespace {namespace} --name {feature}, wait until `az feature "
        f"show --namespace {namespace} --name {feature} --query properties.state` says "
        f"Registered (minutes), then az provider register --namespace {namespace} so the "
        "provider picks it up (needs */register/action, part of Contributor; "
        f"{ENCRYPTION_AT_HOST_DOCS})"
    )


def check_encryption_at_host(preflight: Preflight) -> Finding:
    """Encryption at host is a per-subscription feature: a VM asking for it in a subscription
    without the feature is refused when it is created."""
    namespace, name = ENCRYPTION_AT_HOST
    qualified = f"{namespace}/{name}"
    path = (
        f"{preflight.subscription_path}/providers/Microsoft.Features/providers/{namespace}"
        f"/features/{name}"
    )
    vms = ", ".join(preflight.target.encryption_at_host_vms)
    fix = _register_feature_fix(namespace, name)
    try:
        document = preflight.client.get(
            path, FEATURES_API, action="Microsoft.Features/providers/features/read"
        )
    except ArmError as error:
        if error.status != 404:
            raise
        return fail(
            f"the subscription has no feature {qualified} (HTTP 404 {error.code}), which {vms} "
            "need for encryption at host",
            fix,
        )
    state = parse(Feature, document, path).properties.state
    if state == "Registered":
        return ok(f"{qualified} is Registered: {vms} may use encryption at host")
    if state in ("Registering", "Pending"):
        return warn(
            f"{qualified} is {state}: creating {vms} with encryption at host fails until it "
            "is Registered",
            f"wait until `az feature show --namespace {namespace} --name {name} --query "
            f"properties.state` says Registered, then az provider register --namespace "
            f"{namespace}",
        )
    return fail(f"{qualified} is {state}: creating {vms} with encryption at host fails", fix)


def check_budget_start(preflight: Preflight) -> Finding:
    """A budget the stack creates may not start in a past month: ARM refuses a new monthly
    budget whose start date is before the current month ("Past start date should be selected
    within the timegrain period"), and accepts an existing one's as it is. Whether it exists is
    known only here (the offline rule ``deploy-budget-restrict-time-period`` cannot tell)."""
    this_month = preflight.today.replace(day=1)
    findings: list[Finding] = []
    for budget in preflight.target.budgets:
        if budget.start_date is None or budget.start_date >= this_month:
            when = budget.start_date.isoformat() if budget.start_date else "on a date ARM checks"
            findings.append(ok(f"{budget.name} starts {when}, not before this month"))
            continue
        path = (
            f"{preflight.subscription_path}/resourceGroups/{budget.resource_group}"
            f"/providers/Microsoft.Consumption/budgets/{budget.name}"
        )
        try:
            document = preflight.client.get(
                path, _budget_api(), action="Microsoft.Consumption/budgets/read"
            )
        except ArmError as error:
            if error.status != 404:
                raise
            findings.append(
                fail(
                    f"{budget.name} is not deployed yet and starts {budget.start_date}, before "
                    f"this month ({this_month.isoformat()}): ARM refuses to create a monthly "
                    "budget whose start date is in a past month ('Past start date should be "
                    f"selected within the timegrain period', {BUDGETS_REST})",
                    f"set hlz:budget.startDate to {this_month.isoformat()} (the month of the "
                    "budget's first deployment) in the stack's file, and keep it afterwards "
                    "(docs/alerts.md)",
                )
            )
            continue
        findings.append(_deployed_budget(budget, document, path))
    problems = [finding for finding in findings if finding.status != "ok"]
    if problems:
        return problems[0] if len(problems) == 1 else _collisions(problems)
    return findings[0] if len(findings) == 1 else ok("; ".join(f.detail for f in findings))


def _budget_api() -> str:
    """The API version azure-native sends for budgets (the one ``pulumi up`` will use)."""
    from hlz.schema.catalog import sdk_api_version

    version = sdk_api_version(BUDGET_TOKEN)
    if version is None:  # its class docstring names it (tests/schema/test_schema_wire.py)
        raise UnexpectedResponse(BUDGET_TOKEN, "the installed SDK names no API version for it")
    return version


def _deployed_budget(budget: Budget, document: Any, path: str) -> Finding:
    if not isinstance(document, dict):
        raise UnexpectedResponse(path, "expected a budget object")
    period = (document.get("properties") or {}).get("timePeriod") or {}
    deployed = str(period.get("startDate", ""))[:10]
    planned = budget.start_date.isoformat() if budget.start_date else ""
    if deployed and deployed != planned:
        return warn(
            f"{budget.name} is deployed with start date {deployed}; the plan says {planned}, "
            "and ARM does not move a budget's start date",
            f"set hlz:budget.startDate back to {deployed} (docs/alerts.md)",
        )
    return ok(f"{budget.name} is deployed and keeps its start date {planned}")


# --- registry --------------------------------------------------------------------------------


def _always(target: StackTarget) -> str | None:
    return None


def _without_key_vault(target: StackTarget) -> str | None:
    if not target.key_vault_names:
        return f"{target.stack} plans no Key Vault"
    return None


def _without_cognitive_accounts(target: StackTarget) -> str | None:
    if not target.cognitive_accounts:
        return f"{target.stack} plans no Cognitive Services account"
    return None


def _without_deployments(target: StackTarget) -> str | None:
    if not target.deployments:
        return f"{target.stack} plans no Azure OpenAI deployment"
    return None


def _without_health_data(target: StackTarget) -> str | None:
    if not target.health_data_types:
        return f"{target.stack} plans no Health Data Services"
    return None


def _without_encryption_at_host(target: StackTarget) -> str | None:
    if not target.encryption_at_host_vms:
        return f"{target.stack} plans no virtual machine with encryption at host"
    return None


def _without_budgets(target: StackTarget) -> str | None:
    if not target.budgets:
        return f"{target.stack} plans no budget"
    return None


@dataclass(frozen=True)
class Check:
    id: str
    run: Callable[[Preflight], Finding]
    needs: Literal["nothing", "token", "subscription"] = "subscription"
    not_applicable: Callable[[StackTarget], str | None] = _always
    """Why the check does not apply to a stack, or None when it does."""


CHECKS: tuple[Check, ...] = (
    Check("signed-in", check_signed_in, needs="nothing"),
    Check("subscription", check_subscription, needs="token"),
    Check("permissions", check_permissions),
    Check("resource-providers", check_resource_providers),
    Check("soft-deleted-key-vaults", check_deleted_key_vaults, not_applicable=_without_key_vault),
    Check(
        "soft-deleted-openai-accounts",
        check_deleted_openai_accounts,
        not_applicable=_without_cognitive_accounts,
    ),
    Check(
        "deployed-openai-accounts",
        check_existing_openai_accounts,
        not_applicable=_without_cognitive_accounts,
    ),
    Check("region-models", check_region_models, not_applicable=_without_deployments),
    Check("openai-quota", check_openai_quota, not_applicable=_without_deployments),
    Check("region-health-data", check_region_health_data, not_applicable=_without_health_data),
    Check(
        "encryption-at-host",
        check_encryption_at_host,
        not_applicable=_without_encryption_at_host,
    ),
    Check("budget-start", check_budget_start, not_applicable=_without_budgets),
)
