"""``hlz preflight`` against a fake ARM on 127.0.0.1 serving hand-written ARM answers
(tests/fixtures/arm/): the ready scenario, then one mutation per failure mode."""

from __future__ import annotations

import argparse
import base64
import copy
import datetime as dt
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from hlz.preflight import add_preflight_parser, run_preflight
from hlz.preflight.checks import CHECKS
from hlz.preflight.permissions import action_matches, grant
from hlz.preflight.responses import Permission
from hlz.preflight.target import stack_target
from hlz.stackfiles import load_stack_file, project_root
from tests import fake_http as http
from tests.cli_runner import run_hlz
from tests.conftest import PLANNER, register_layer
from tests.fake_http import LocalServer

FIXTURES = Path(__file__).parent / "fixtures" / "arm"
SUB = "11111111-2222-4333-8444-555555555555"
TODAY = dt.date(2026, 11, 30)
"""The day every run judges dates by: lab-dev's budget (2026-12-01) starts next month."""
CALLER_OID = "0f0e0d0c-0b0a-4909-8807-060504030201"
S = f"/subscriptions/{SUB}"
SUBSCRIPTION = S
PERMISSIONS = f"{S}/providers/Microsoft.Authorization/permissions"
PROVIDERS = f"{S}/providers"
DELETED_VAULTS = f"{S}/providers/Microsoft.KeyVault/deletedVaults"
DELETED_ACCOUNTS = f"{S}/providers/Microsoft.CognitiveServices/deletedAccounts"
USAGES = f"{S}/providers/Microsoft.CognitiveServices/locations/eastus2/usages"
MODELS = f"{S}/providers/Microsoft.CognitiveServices/locations/eastus2/models"
ENCRYPTION_AT_HOST = (
    f"{S}/providers/Microsoft.Features/providers/Microsoft.Compute/features/EncryptionAtHost"
)
LAB_DEV_JUMP_HOST = "vm-hlzd-clinical-nlp-jump"
"""lab-dev's jump host: a VM with encryption at host, so the feature is checked."""
LAB_DEV_ACCOUNT = (
    f"{S}/resourceGroups/rg-hlzd-clinical-nlp/providers/Microsoft.CognitiveServices/accounts/"
    "oai-hlzd-clinical-nlp-2a58a"
)
"""lab-dev's AI account: not deployed (404) unless a test answers for it."""

# path -> (fixture, the api-version preflight documents for it)
READY: dict[str, tuple[str, str]] = {
    SUBSCRIPTION: ("subscription.json", "2022-12-01"),
    PERMISSIONS: ("permissions.json", "2022-04-01"),
    PROVIDERS: ("providers.json", "2021-04-01"),
    DELETED_VAULTS: ("deleted-vaults.json", "2023-07-01"),
    DELETED_ACCOUNTS: ("deleted-accounts.json", "2024-10-01"),
    USAGES: ("usages.json", "2024-10-01"),
    MODELS: ("models.json", "2024-10-01"),
    ENCRYPTION_AT_HOST: ("feature-encryption-at-host.json", "2021-07-01"),
}

CONTRIBUTOR = {
    "actions": ["*"],
    "notActions": [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
    ],
}
USER_ACCESS_ADMINISTRATOR = {
    "actions": ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
    "notActions": [],
}
RBAC_ADMINISTRATOR = {
    "actions": [
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleAssignments/delete",
        "*/read",
        "Microsoft.Support/*",
    ],
    "notActions": [],
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class Reply(http.Reply):
    hold: bool = False
    """Answer nothing until the test ends: an endpoint slower than any deadline."""
    trickle: bool = False
    """Send the headers, then the body one byte every 20 ms until the test ends."""
    endless: bool = False
    """No Content-Length; a JSON string that goes on (up to ENDLESS_BYTES) until the client
    hangs up. The bytes sent are recorded in ``FakeArm.streamed``."""


ENDLESS_BYTES = 96 * 1024 * 1024


class FakeArm(LocalServer):
    """ARM on 127.0.0.1: each path answers its queued replies in turn, repeating the last."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: dict[str, list[http.Reply]] = {
            path: [Reply(body=(FIXTURES / name).read_text())] for path, (name, _) in READY.items()
        }
        self.waits: list[float] = []
        self.release = threading.Event()
        """Set when the test ends: held and trickling answers stop."""
        self.streamed: list[int] = []
        self.stream_done = threading.Event()

    def reply(self, path: str, *replies: http.Reply) -> None:
        self.replies[path] = list(replies)

    def mutate(self, path: str, change: Callable[[Any], None]) -> None:
        """Serve the ready fixture for ``path`` after ``change`` edits it in place."""
        document = copy.deepcopy(fixture(READY[path][0]))
        change(document)
        self.reply(path, Reply(body=json.dumps(document)))

    def answer(self, seen: http.Seen) -> http.Reply:
        path, api_version = seen.path, seen.api_version
        expected = READY.get(path, (None, None))[1]
        if path.startswith("/page2"):
            expected = None
        if expected is not None and api_version != expected:
            error = {"error": {"code": "InvalidApiVersionParameter", "message": api_version}}
            return Reply(400, json.dumps(error))
        with self.lock:
            queue = self.replies.get(path)
            if not queue:
                error = {"error": {"code": "NotFound", "message": f"no route {path}"}}
                return Reply(404, json.dumps(error))
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def send(self, handler: BaseHTTPRequestHandler, reply: http.Reply) -> None:
        if not isinstance(reply, Reply) or not (reply.hold or reply.trickle or reply.endless):
            super().send(handler, reply)
            return
        if reply.hold:
            self.release.wait(30)
            return
        body = reply.payload
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json")
        if not reply.endless:
            handler.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if reply.trickle:
            for byte in body:
                if self.release.wait(0.02):
                    return
                handler.wfile.write(bytes([byte]))
        else:
            self._stream(handler)

    def _stream(self, handler: BaseHTTPRequestHandler) -> None:
        sent = 0
        try:
            handler.wfile.write(b'{"value": [], "padding": "')
            chunk = b"x" * 65536
            while sent < ENDLESS_BYTES and not self.release.is_set():
                handler.wfile.write(chunk)
                sent += len(chunk)
        finally:
            self.streamed.append(sent)
            self.stream_done.set()

    def stopping(self) -> None:
        self.release.set()


def fake_jwt(claims: dict[str, str]) -> str:
    def part(data: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.signature"


TOKEN = fake_jwt({"oid": CALLER_OID, "upn": "dev@example.org"})


class StaticToken:
    """A TokenCredential handing out one fixed token."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


class NoToken:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise ClientAuthenticationError(
            "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
            "Attempted credentials: ..."
        )


@pytest.fixture
def arm() -> Iterator[FakeArm]:
    with FakeArm() as server:
        yield server


@dataclass
class Run:
    code: int
    out: str
    err: str

    def line(self, check: str) -> str:
        """The status line of ``check`` and its fix line, if any."""
        lines = self.out.splitlines()
        for index, line in enumerate(lines):
            if line[6:].startswith(f"{check}: "):
                fix = lines[index + 1] if index + 1 < len(lines) else ""
                return line + ("\n" + fix if fix.lstrip().startswith("fix:") else "")
        raise AssertionError(f"no line for {check} in:\n{self.out}")

    def status(self, check: str) -> str:
        return self.line(check).split()[0]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hlz")
    add_preflight_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["preflight", *argv])


class FakeClock:
    """A monotonic clock that only moves when preflight waits (its ``sleep``)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def preflight(
    capsys: pytest.CaptureFixture[str],
    arm: FakeArm,
    stack: str,
    *extra: str,
    credential: Any = None,
    clock: FakeClock | None = None,
    today: dt.date = TODAY,
) -> Run:
    args = parse(stack, "--arm-endpoint", arm.endpoint, "--subscription-id", SUB, *extra)
    seams: dict[str, Any] = {"sleep": arm.waits.append}
    if clock is not None:
        seams = {"sleep": clock.sleep, "clock": clock}
    code = run_preflight(
        args, credential=credential or StaticToken(), planner=PLANNER, today=today, **seams
    )
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


LZ_DEV_VAULT = "kv-hlzdev-plat-6c6fc"
"""The Key Vault lz-dev plans (checked against soft-deleted vaults)."""


# --- ready -----------------------------------------------------------------------------------


def test_lab_dev_is_ready_with_every_check_ok(capsys, arm):
    credential = StaticToken()
    run = preflight(capsys, arm, "lab-dev", credential=credential)
    assert run.code == 0, run.out
    statuses = {check.id: run.status(check.id) for check in CHECKS}
    assert statuses == {check.id: "ok" for check in CHECKS} | {"soft-deleted-key-vaults": "skip"}
    assert "as dev@example.org (object id 0f0e0d0c" in run.line("signed-in")
    assert "'hlz-lab-sandbox' (11111111-2222-4333-8444-555555555555) is Enabled" in run.out
    assert "no soft-deleted account named oai-hlzd-clinical-nlp-2a58a" in run.out
    assert "OpenAI.DataZoneStandard.gpt-4o: 30 of 400 free" in run.line("openai-quota")
    assert "eastus2 offers notes-summariser (gpt-4o 2024-11-20 DataZoneStandard)" in run.out
    assert "workspaces/dicomservices" in run.line("region-health-data")
    assert run.line("encryption-at-host") == (
        "ok    encryption-at-host: Microsoft.Compute/EncryptionAtHost is Registered: "
        f"{LAB_DEV_JUMP_HOST} may use encryption at host"
    )
    assert run.line("budget-start") == (
        "ok    budget-start: budget-hlzd-clinical-nlp starts 2026-12-01, not before this month"
    )
    assert run.out.rstrip().endswith("ready to deploy: 11 ok, 0 warn, 0 fail, 1 skipped")
    assert credential.scopes[0] == ("https://management.azure.com/.default",)
    # Every request carried the static token; each list was fetched once (the server also
    # rejects an api-version other than the documented one).
    assert {seen.authorization for seen in arm.seen} == {f"Bearer {TOKEN}"}
    assert sorted(arm.paths()) == sorted(
        [
            SUBSCRIPTION,
            PERMISSIONS,
            PROVIDERS,
            DELETED_ACCOUNTS,
            LAB_DEV_ACCOUNT,
            USAGES,
            MODELS,
            ENCRYPTION_AT_HOST,
        ]
    )


def test_lz_dev_skips_the_openai_and_health_checks(capsys, arm):
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 0, run.out
    assert run.status("soft-deleted-key-vaults") == "ok"
    assert "no soft-deleted vault named kv-hlzdev-plat-6c6fc (1 soft-deleted in total)" in run.out
    for check in ("soft-deleted-openai-accounts", "region-models", "openai-quota"):
        assert run.line(check).startswith(f"skip  {check}: not applicable: lz-dev plans no ")
    assert run.line("region-models") == (
        "skip  region-models: not applicable: lz-dev plans no Azure OpenAI deployment"
    )
    assert run.line("region-health-data") == (
        "skip  region-health-data: not applicable: lz-dev plans no Health Data Services"
    )
    assert run.line("encryption-at-host") == (
        "skip  encryption-at-host: not applicable: lz-dev plans no virtual machine with "
        "encryption at host"
    )
    assert run.line("budget-start") == "skip  budget-start: not applicable: lz-dev plans no budget"
    assert not [path for path in arm.paths() if "CognitiveServices" in path]
    assert ENCRYPTION_AT_HOST not in arm.paths()


LAB_DEV_BUDGET = (
    f"{S}/resourceGroups/rg-hlzd-clinical-nlp/providers/Microsoft.Consumption/budgets/"
    "budget-hlzd-clinical-nlp"
)


def test_a_new_budget_starting_in_a_past_month_fails_with_the_month_to_set(capsys, arm):
    """ARM refuses to create a monthly budget that starts before the current month; lab-dev's
    starts 2026-12-01, so in January 2027 a first deployment would fail."""
    run = preflight(capsys, arm, "lab-dev", today=dt.date(2027, 1, 15))
    assert run.code == 1
    line = run.line("budget-start")
    assert line.startswith(
        "fail  budget-start: budget-hlzd-clinical-nlp is not deployed yet and starts 2026-12-01, "
        "before this month (2027-01-01): ARM refuses to create a monthly budget"
    ), line
    assert "fix: set hlz:budget.startDate to 2027-01-01" in line
    assert [seen.api_version for seen in arm.seen if seen.path == LAB_DEV_BUDGET] == ["2024-08-01"]


@pytest.mark.parametrize(
    ("deployed_start", "status", "fragment"),
    [
        ("2026-12-01T00:00:00Z", "ok", "is deployed and keeps its start date 2026-12-01"),
        ("2026-11-01T00:00:00Z", "warn", "is deployed with start date 2026-11-01; the plan says"),
    ],
)
def test_a_deployed_budget_keeps_its_start_date(capsys, arm, deployed_start, status, fragment):
    budget = {
        "id": LAB_DEV_BUDGET,
        "name": "budget-hlzd-clinical-nlp",
        "type": "Microsoft.Consumption/budgets",
        "properties": {
            "category": "Cost",
            "amount": 1500,
            "timeGrain": "Monthly",
            "timePeriod": {"startDate": deployed_start},
        },
    }
    arm.reply(LAB_DEV_BUDGET, Reply(body=json.dumps(budget)))
    run = preflight(capsys, arm, "lab-dev", today=dt.date(2027, 3, 2))
    assert run.status("budget-start") == status
    assert fragment in run.line("budget-start")


def test_json_lists_every_check_on_stdout_and_progress_on_stderr(capsys, arm):
    run = preflight(capsys, arm, "lab-dev", "--json")
    document = json.loads(run.out)
    assert [item["check"] for item in document] == [check.id for check in CHECKS]
    assert all(set(item) == {"check", "status", "detail", "fix"} for item in document)
    assert document[0]["status"] == "ok" and document[0]["fix"] is None
    assert "ok    signed-in:" in run.err and "ready to deploy" in run.err


# --- failure modes, one mutation each ----------------------------------------------------------


def test_unregistered_provider_fails_with_the_register_command(capsys, arm):
    def unregister(document: Any) -> None:
        health = next(p for p in document["value"] if p["namespace"] == "Microsoft.HealthcareApis")
        health["registrationState"] = "NotRegistered"

    arm.mutate(PROVIDERS, unregister)
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    assert run.line("resource-providers") == (
        "fail  resource-providers: not registered: Microsoft.HealthcareApis (NotRegistered)\n"
        "      fix: az provider register --namespace Microsoft.HealthcareApis (needs "
        "*/register/action, part of Contributor; takes a few minutes)"
    )
    assert run.out.rstrip().endswith("not ready to deploy: 10 ok, 0 warn, 1 fail, 1 skipped")


def test_registering_provider_is_a_warning(capsys, arm):
    arm.mutate(PROVIDERS, lambda doc: doc["value"][0].update(registrationState="Registering"))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 0
    assert run.status("resource-providers") == "warn"
    assert "--query registrationState" in run.line("resource-providers")


@pytest.mark.parametrize(
    ("purge_protection", "expected", "absent"),
    [
        (
            True,
            (
                f"fail  soft-deleted-key-vaults: Key Vault {LZ_DEV_VAULT} is soft-deleted",
                "purge protection, so it cannot be purged before 2027-01-18",
                f"fix: az keyvault recover --name {LZ_DEV_VAULT}, then bring it into the stack",
            ),
            "az keyvault purge",
        ),
        (
            False,
            (
                f"az keyvault recover --name {LZ_DEV_VAULT}",
                f"az keyvault purge --name {LZ_DEV_VAULT} --location eastus2",
            ),
            None,
        ),
    ],
    ids=["purge_protected_can_only_be_recovered", "unprotected_can_be_purged"],
)
def test_a_soft_deleted_vault_with_the_stacks_name_fails_with_its_fix(
    capsys, arm, purge_protection, expected, absent
):
    def collide(document: Any) -> None:
        document["value"][0]["name"] = LZ_DEV_VAULT
        document["value"][0]["properties"]["purgeProtectionEnabled"] = purge_protection

    arm.mutate(DELETED_VAULTS, collide)
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 1
    line = run.line("soft-deleted-key-vaults")
    for fragment in expected:
        assert fragment in line
    assert absent is None or absent not in line


def test_soft_deleted_openai_account_prints_recover_and_purge(capsys, arm):
    def collide(document: Any) -> None:
        account = document["value"][0]
        account["name"] = "oai-hlzd-clinical-nlp-2a58a"
        account["id"] = account["id"].replace("oai-oldteam-0a1b2", account["name"])

    arm.mutate(DELETED_ACCOUNTS, collide)
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    where = "--name oai-hlzd-clinical-nlp-2a58a --resource-group rg-oldteam --location eastus2"
    line = run.line("soft-deleted-openai-accounts")
    assert f"az cognitiveservices account recover {where}" in line
    assert f"az cognitiveservices account purge {where}" in line


@pytest.mark.parametrize(
    ("document", "mutate", "check", "problems"),
    [
        (
            USAGES,
            lambda doc: doc["value"][0].update(currentValue=440),
            "openai-quota",
            (
                "fail  openai-quota: OpenAI.DataZoneStandard.gpt-4o: notes-summariser needs 30, "
                "only 10 free (limit 450, in use 440)",
                "https://aka.ms/oai/quotaincrease",
                "lower capacity in hlz:openai.deployments[0] (notes-summariser)",
            ),
        ),
        (
            USAGES,
            lambda doc: doc["value"].pop(1),
            "openai-quota",
            (
                "OpenAI.DataZoneStandard.text-embedding-3-large: no quota in eastus2 "
                "(notes-embeddings needs 50)",
            ),
        ),
        (
            MODELS,
            lambda doc: doc["value"].pop(0),
            "region-models",
            (
                "fail  region-models: notes-summariser: gpt-4o version 2024-11-20 is not offered "
                "in eastus2 (offered: 2024-08-06)",
            ),
        ),
    ],
    ids=["insufficient_quota", "missing_quota_entry", "model_version_the_region_lacks"],
)
def test_what_the_region_cannot_give_fails_its_check_with_the_numbers(
    capsys, arm, document, mutate, check, problems
):
    arm.mutate(document, mutate)
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    line = run.line(check)
    for problem in problems:
        assert problem in line


def test_region_without_dicom_fails_and_names_regions_that_have_it_all(capsys, arm):
    def drop_eastus2(document: Any) -> None:
        health = next(p for p in document["value"] if p["namespace"] == "Microsoft.HealthcareApis")
        health["resourceTypes"][2]["locations"].remove("East US 2")

    arm.mutate(PROVIDERS, drop_eastus2)
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    line = run.line("region-health-data")
    assert "eastus2 does not offer Microsoft.HealthcareApis workspaces/dicomservices" in line
    assert "eastus, southcentralus, westus2;" in line


def test_contributor_alone_lacks_role_assignments_and_the_labs_custom_roles(capsys, arm):
    """A lab defines custom roles (Jump Host Starter, Search Object Contributor), which RBAC
    Administrator cannot: the fix is User Access Administrator."""
    arm.reply(PERMISSIONS, Reply(body=json.dumps({"value": [CONTRIBUTOR]})))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    line = run.line("permissions")
    assert (
        "lack 2 of the 39 actions deploying this ai_lab stack needs: "
        "Microsoft.Authorization/roleAssignments/write, "
        "Microsoft.Authorization/roleDefinitions/write"
    ) in line
    assert (
        f'az role assignment create --assignee {CALLER_OID} --role "User Access Administrator" '
        f"--scope {S}"
    ) in line


def test_contributor_with_rbac_administrator_still_lacks_policy_for_a_landing_zone(capsys, arm):
    document = {"value": [CONTRIBUTOR, RBAC_ADMINISTRATOR]}
    arm.reply(PERMISSIONS, Reply(body=json.dumps(document)))
    run = preflight(capsys, arm, "lz-dev")
    line = run.line("permissions")
    assert "Microsoft.Authorization/policyAssignments/write" in line
    assert '--role "User Access Administrator"' in line


def test_disabled_subscription_fails(capsys, arm):
    arm.mutate(SUBSCRIPTION, lambda doc: doc.update(state="Disabled"))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 1
    assert "is Disabled: it is read-only" in run.line("subscription")


# --- robustness -------------------------------------------------------------------------------


def test_rejected_token_fails_not_signed_in_and_skips_the_rest(capsys, arm):
    for path in READY:
        arm.reply(path, Reply(401, (FIXTURES / "error-401.json").read_text()))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    line = run.line("subscription")
    assert line.startswith(
        "fail  subscription: not signed in / token rejected (HTTP 401 InvalidAuthenticationToken"
    )
    assert "fix: az login" in line and "AZURE_CLIENT_ID" in line
    assert "skip  permissions: not run: the subscription is not reachable" in run.out
    assert arm.paths() == [SUBSCRIPTION]


def test_no_credential_fails_signed_in_without_calling_arm(capsys, arm):
    run = preflight(capsys, arm, "lz-dev", credential=NoToken())
    assert run.code == 1
    assert run.line("signed-in").startswith(
        "fail  signed-in: no token for https://management.azure.com/.default: "
        "DefaultAzureCredential failed to retrieve a token"
    )
    assert "skip  subscription: not run: no ARM token" in run.out
    assert arm.seen == []


def test_forbidden_read_names_the_missing_permission(capsys, arm):
    arm.reply(DELETED_VAULTS, Reply(403, (FIXTURES / "error-403.json").read_text()))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 1
    line = run.line("soft-deleted-key-vaults")
    assert (
        "permission denied: the caller lacks Microsoft.KeyVault/deletedVaults/read on "
        f"{S} (HTTP 403 AuthorizationFailed)"
    ) in line
    assert "--role Reader" in line


def test_throttled_request_is_retried_after_retry_after(capsys, arm):
    throttled = Reply(429, (FIXTURES / "error-429.json").read_text(), {"Retry-After": "1"})
    arm.reply(SUBSCRIPTION, throttled, Reply(body=(FIXTURES / "subscription.json").read_text()))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 0, run.out
    assert arm.paths().count(SUBSCRIPTION) == 2
    assert arm.waits == [1.0]  # exactly Retry-After, through the injected sleep


def test_long_retry_after_is_capped(capsys, arm):
    throttled = Reply(429, (FIXTURES / "error-429.json").read_text(), {"Retry-After": "600"})
    arm.reply(SUBSCRIPTION, throttled, Reply(body=fixture_text(SUBSCRIPTION)))
    assert preflight(capsys, arm, "lz-dev").code == 0
    assert arm.waits == [60.0]  # DEFAULT_MAX_WAIT: past that, re-running later is better


def test_persistent_throttling_fails_after_the_retries(capsys, arm):
    throttled = Reply(429, (FIXTURES / "error-429.json").read_text(), {"Retry-After": "1"})
    arm.reply(PERMISSIONS, throttled)
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 1
    line = run.line("permissions")
    assert "answered HTTP 429 SubscriptionRequestsThrottled after 3 retries" in line
    assert "throttling" in line
    assert arm.paths().count(PERMISSIONS) == 4 and arm.waits == [1.0, 1.0, 1.0]


def test_server_error_is_retried(capsys, arm):
    arm.reply(PROVIDERS, Reply(503, "Service Unavailable"), Reply(body=fixture_text(PROVIDERS)))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 0, run.out
    assert arm.paths().count(PROVIDERS) == 2


def test_unreachable_endpoint_fails_with_cannot_reach(capsys):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    args = parse("lz-dev", "--arm-endpoint", f"http://127.0.0.1:{port}", "--subscription-id", SUB)
    assert run_preflight(args, credential=StaticToken(), planner=PLANNER, sleep=waits.append) == 1
    out = capsys.readouterr().out
    assert "fail  subscription: cannot reach http://127.0.0.1:" in out
    assert "HTTPS_PROXY" in out and "Traceback" not in out


def test_malformed_json_fails_that_check_without_a_traceback(capsys, arm):
    arm.reply(PROVIDERS, Reply(body='{"value": [ {"namespace": '))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    assert run.line("resource-providers").startswith(
        f"fail  resource-providers: unexpected response from GET {PROVIDERS}: not JSON"
    )
    assert run.status("region-health-data") == "fail"
    assert run.status("openai-quota") == "ok"
    assert "Traceback" not in run.out + run.err


def test_unexpected_shape_names_the_field(capsys, arm):
    arm.mutate(PROVIDERS, lambda doc: doc["value"][1].pop("registrationState"))
    run = preflight(capsys, arm, "lz-dev")
    assert "value[1].registrationState: field required" in run.line("resource-providers")


def test_next_link_pages_are_followed_on_the_same_endpoint(capsys, arm):
    name = LZ_DEV_VAULT
    second = fixture("deleted-vaults.json")
    second["value"][0]["name"] = name
    first = {"value": [], "nextLink": f"{arm.endpoint}/page2?api-version=2023-07-01&$skip=1"}
    arm.reply(DELETED_VAULTS, Reply(body=json.dumps(first)))
    arm.reply("/page2", Reply(body=json.dumps(second)))
    run = preflight(capsys, arm, "lz-dev")
    assert f"Key Vault {name} is soft-deleted" in run.line("soft-deleted-key-vaults")


def test_next_link_to_another_host_is_not_followed(capsys, arm):
    page = {"value": [], "nextLink": "https://elsewhere.example/page2"}
    arm.reply(DELETED_VAULTS, Reply(body=json.dumps(page)))
    run = preflight(capsys, arm, "lz-dev")
    assert "leaves http://127.0.0.1" in run.line("soft-deleted-key-vaults")
    assert all(not path.startswith("/page2") for path in arm.paths())


# --- a misbehaving endpoint: deadline, size cap, Retry-After, hostile text ------------------------

NOT_RUN = "not run: the 0.5 s deadline (--timeout) passed (see subscription)"


def test_an_endpoint_that_never_answers_fails_at_the_deadline_and_the_rest_is_not_run(capsys, arm):
    arm.reply(SUBSCRIPTION, Reply(hold=True))
    run = preflight(capsys, arm, "lz-dev", "--timeout", "0.5")
    assert run.code == 1
    line = run.line("subscription")
    assert line.startswith("fail  subscription: ")
    assert f"GET {SUBSCRIPTION}" in line and "the 0.5 s deadline (--timeout) passed" in line
    assert "fix: re-run when ARM answers faster, or allow more time with --timeout" in line
    for check in ("permissions", "resource-providers", "soft-deleted-key-vaults"):
        assert run.line(check) == f"skip  {check}: {NOT_RUN}"
    # Not applicable stays not applicable: the deadline does not change what a stack needs.
    assert run.status("region-models") == "skip" and "not applicable" in run.line("region-models")
    assert run.out.rstrip().endswith("not ready to deploy: 1 ok, 0 warn, 1 fail, 10 skipped")
    assert arm.paths() == [SUBSCRIPTION]


def test_an_answer_trickling_in_is_cut_off_at_the_deadline(capsys, arm):
    # Each byte arrives well within any socket timeout, so only an overall deadline stops it.
    arm.reply(SUBSCRIPTION, Reply(body=fixture_text(SUBSCRIPTION), trickle=True))
    run = preflight(capsys, arm, "lz-dev", "--timeout", "0.5")
    assert run.code == 1
    assert "the 0.5 s deadline (--timeout) passed" in run.line("subscription")
    assert run.line("permissions") == f"skip  permissions: {NOT_RUN}"


def test_the_deadline_is_enforced_across_retries(capsys, arm):
    clock = FakeClock()
    throttled = Reply(429, (FIXTURES / "error-429.json").read_text(), {"Retry-After": "50"})
    arm.reply(PERMISSIONS, throttled)
    run = preflight(capsys, arm, "lz-dev", "--timeout", "120", clock=clock)
    assert run.code == 1
    # Two waits of 50 s fit in 120 s; a third would end past the deadline, so it is not waited.
    assert clock.waits == [50.0, 50.0]
    assert arm.paths().count(PERMISSIONS) == 3
    assert run.line("permissions").startswith(
        f"fail  permissions: ARM asked to wait 50 s before retrying GET {PERMISSIONS}, past "
        "the 120 s deadline (--timeout; 20 s left)"
    )
    assert run.line("resource-providers") == (
        "skip  resource-providers: not run: the 120 s deadline (--timeout) passed (see permissions)"
    )


def test_the_deadline_is_shared_by_every_check(capsys, arm):
    clock = FakeClock()
    throttled = (FIXTURES / "error-429.json").read_text()
    arm.reply(
        SUBSCRIPTION,
        Reply(429, throttled, {"Retry-After": "60"}),
        Reply(429, throttled, {"Retry-After": "40"}),
        Reply(body=fixture_text(SUBSCRIPTION)),
    )
    arm.reply(
        PERMISSIONS,
        Reply(429, throttled, {"Retry-After": "30"}),
        Reply(body=fixture_text(PERMISSIONS)),
    )
    run = preflight(capsys, arm, "lz-dev", "--timeout", "120", clock=clock)
    assert run.status("subscription") == "ok"
    assert clock.waits == [60.0, 40.0]  # the 30 s asked for by permissions no longer fits
    assert "past the 120 s deadline (--timeout; 20 s left)" in run.line("permissions")
    assert run.code == 1


def test_the_default_deadline_is_120_seconds(capsys, arm):
    clock = FakeClock()
    arm.reply(PERMISSIONS, Reply(429, "{}", {"Retry-After": "60"}))
    run = preflight(capsys, arm, "lz-dev", clock=clock)
    assert clock.waits == [60.0]  # 60 + 60 would reach the deadline
    assert "past the 120 s deadline (--timeout; 60 s left)" in run.line("permissions")


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", "3601", ""])
def test_a_bad_timeout_is_a_usage_error(capsys, arm, value):
    run = preflight(capsys, arm, "lz-dev", "--timeout", value)
    assert run.code == 2
    assert (
        f"hlz: error: --timeout {value!r}: give the seconds preflight may take in all, more "
        "than 0 and at most 3600 (default 120)"
    ) in run.err
    assert arm.seen == [] and "Traceback" not in run.err


def test_every_usage_problem_is_reported_at_once(capsys, monkeypatch):
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "not-a-guid")
    args = parse("nope", "--timeout", "soon", "--arm-endpoint", "http://arm.example")
    code = run_preflight(args, credential=StaticToken(), planner=PLANNER)
    err = capsys.readouterr().err
    assert code == 2
    assert "hlz: error: $AZURE_SUBSCRIPTION_ID 'not-a-guid' is not a subscription id" in err
    assert "hlz: error: --timeout 'soon':" in err
    assert "a bearer token is sent only over https" in err
    assert "unknown stack" in err


def test_a_subscription_id_that_is_not_a_guid_never_reaches_a_url(capsys, arm):
    args = parse(
        "lz-dev", "--arm-endpoint", arm.endpoint, "--subscription-id", f"{SUB}/../../x?\x1b[2J"
    )
    assert (
        run_preflight(args, credential=StaticToken(), planner=PLANNER, sleep=arm.waits.append) == 2
    )
    err = capsys.readouterr().err
    assert (
        "hlz: error: --subscription-id '11111111-2222-4333-8444-555555555555/../../x?\\x1b[2J' "
        "is not a subscription id (a GUID such as 11111111-2222-3333-4444-555555555555; "
        "`az account list -o table` lists yours)"
    ) in err
    assert "\x1b" not in err and arm.seen == []


def test_an_oversized_answer_fails_that_check_without_being_read(capsys, arm):
    body = json.dumps({"value": [], "padding": "x" * (11 * 1024 * 1024)})
    arm.reply(PROVIDERS, Reply(body=body))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 1
    line = run.line("resource-providers")
    assert line.startswith(
        f"fail  resource-providers: the answer to GET {PROVIDERS} is larger than the 10 MiB "
        f"preflight reads (Content-Length {len(body)}); not read"
    )
    assert "fix: check that --arm-endpoint is Azure Resource Manager" in line
    assert run.status("permissions") == "ok"


def test_an_endless_answer_is_read_only_up_to_the_cap(capsys, arm):
    arm.reply(PROVIDERS, Reply(endless=True))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 1
    assert (
        f"the answer to GET {PROVIDERS} is larger than the 10 MiB preflight reads; read no further"
    ) in run.line("resource-providers")
    assert arm.stream_done.wait(30)
    # The client hung up after 10 MiB; what the server got out before noticing is what the
    # socket buffers held, far from the 96 MiB it had to send.
    assert arm.streamed and arm.streamed[0] < 48 * 1024 * 1024


def test_a_compressed_answer_is_capped_once_decompressed(capsys, arm):
    document = json.dumps({"value": [], "padding": "x" * (11 * 1024 * 1024)}).encode()
    arm.reply(PROVIDERS, Reply(body=gzip.compress(document), headers={"Content-Encoding": "gzip"}))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 1
    assert "is larger than the 10 MiB preflight reads" in run.line("resource-providers")


BACKOFF = [1.6, 3.2]  # azure-core's exponential schedule at 0.8 s: 0 (no wait), 1.6, 3.2


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Retry-After", "soon"),
        ("Retry-After", "-5"),
        ("Retry-After", "nan"),
        ("Retry-After", "inf"),
        ("Retry-After", "1e999"),
        ("Retry-After", "1e3"),
        ("Retry-After", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Retry-After", "Mon, 32 Foo 2025 99:99:99 GMT"),
        ("Retry-After", "Fri, 31 Dec 99999 23:59:59 GMT"),
        ("x-ms-retry-after-ms", "later"),
    ],
)
def test_a_malformed_retry_after_falls_back_to_the_backoff_schedule(capsys, arm, header, value):
    arm.reply(PERMISSIONS, Reply(429, (FIXTURES / "error-429.json").read_text(), {header: value}))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 1
    assert arm.waits == BACKOFF
    assert "answered HTTP 429 SubscriptionRequestsThrottled after 3 retries" in run.line(
        "permissions"
    )
    assert "Traceback" not in run.out + run.err


@pytest.mark.parametrize("value", ["99999999999999999999", "600", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_a_huge_retry_after_waits_at_most_60_seconds(capsys, arm, value):
    throttled = Reply(429, (FIXTURES / "error-429.json").read_text(), {"Retry-After": value})
    arm.reply(SUBSCRIPTION, throttled, Reply(body=fixture_text(SUBSCRIPTION)))
    run = preflight(capsys, arm, "lz-dev")
    assert run.code == 0, run.out
    assert arm.waits == [60.0]


HOSTILE = "\x1b[31mred\x1b[0m\r\nok    permissions: forged |\x07\u202e"
HOSTILE_SHOWN = "\\x1b[31mred\\x1b[0m\\r\\nok    permissions: forged |\\x07\\u202e"


def test_control_characters_from_azure_are_escaped_in_text_output(capsys, arm):
    arm.mutate(SUBSCRIPTION, lambda doc: doc.update(displayName=HOSTILE))
    run = preflight(capsys, arm, "lz-dev")
    assert f"subscription: '{HOSTILE_SHOWN}' ({SUB}) is Enabled" in run.line("subscription")
    assert not {"\x1b", "\r", "\x07", "\u202e"} & set(run.out + run.err)
    # The forged status line stayed inside the subscription's line.
    assert [line for line in run.out.splitlines() if line.startswith("ok    permissions")] == [
        run.line("permissions")
    ]


def test_control_characters_in_arm_errors_and_model_names_are_escaped(capsys, arm):
    message = "denied\x1b]0;title\x07 here\r\nsecond line"
    error = {"error": {"code": "Bad\x1b[2JCode", "message": message}}
    arm.reply(PROVIDERS, Reply(400, json.dumps(error)))

    def hostile_version(document: Any) -> None:
        document["value"].pop(0)
        document["value"][0]["model"]["version"] = "2024-08-06\x1b[8m"

    arm.mutate(MODELS, hostile_version)
    run = preflight(capsys, arm, "lab-dev")
    assert (
        f"GET {PROVIDERS} answered HTTP 400 Bad\\x1b[2JCode: denied\\x1b]0;title\\x07 here\n"
    ) in run.line("resource-providers") + "\n"  # the first line of ARM's message only
    assert "(offered: 2024-08-06\\x1b[8m)" in run.line("region-models")
    assert not {"\x1b", "\r", "\x07"} & set(run.out + run.err)


def test_json_output_keeps_azure_text_exact_and_escaped(capsys, arm):
    arm.mutate(SUBSCRIPTION, lambda doc: doc.update(displayName=HOSTILE))
    run = preflight(capsys, arm, "lz-dev", "--json")
    assert not {"\x1b", "\r", "\x07", "\u202e"} & set(run.out + run.err)
    subscription = next(item for item in json.loads(run.out) if item["check"] == "subscription")
    assert subscription["detail"].startswith(f"'{HOSTILE}' ")


# --- usage errors (exit 2) ---------------------------------------------------------------------


def test_subscription_is_required(capsys, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    code = run_preflight(parse("lz-dev"), credential=StaticToken(), planner=PLANNER)
    assert code == 2
    assert "--subscription-id or $AZURE_SUBSCRIPTION_ID" in capsys.readouterr().err


def test_subscription_from_the_environment(capsys, arm, monkeypatch):
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", SUB)
    args = parse("lz-dev", "--arm-endpoint", arm.endpoint)
    assert (
        run_preflight(args, credential=StaticToken(), planner=PLANNER, sleep=arm.waits.append) == 0
    )


def test_unknown_stack_is_a_usage_error(capsys):
    code = run_preflight(
        parse("nope", "--subscription-id", SUB), credential=StaticToken(), planner=PLANNER
    )
    assert code == 2
    assert "unknown stack" in capsys.readouterr().err


def test_plain_http_to_a_network_host_is_refused(capsys):
    args = parse("lz-dev", "--subscription-id", SUB, "--arm-endpoint", "http://arm.example")
    assert run_preflight(args, credential=StaticToken(), planner=PLANNER) == 2
    assert "a bearer token is sent only over https" in capsys.readouterr().err


# --- permission evaluation (pure) --------------------------------------------------------------


def permissions(*roles: dict[str, Any]) -> list[Permission]:
    return [Permission.model_validate(role) for role in roles]


WRITE_ROLES = "Microsoft.Authorization/roleAssignments/write"


def test_wildcards_match_across_segments_and_ignore_case():
    assert action_matches("Microsoft.Authorization/*/Write", WRITE_ROLES)
    assert action_matches("*", "Microsoft.Network/virtualNetworks/write")
    assert not action_matches("*/read", "Microsoft.Network/virtualNetworks/write")


def test_owner_contributor_and_user_access_administrator():
    owner = {"actions": ["*"], "notActions": []}
    assert grant(permissions(owner), WRITE_ROLES) == "allowed"
    assert grant(permissions(CONTRIBUTOR), WRITE_ROLES) == "denied"
    assert grant(permissions(CONTRIBUTOR), "Microsoft.KeyVault/vaults/write") == "allowed"
    assert grant(permissions(CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR), WRITE_ROLES) == "allowed"


def test_grant_under_a_condition_is_conditional():
    conditional = dict(RBAC_ADMINISTRATOR, condition="@Request[...] ForAnyOfAnyValues:GuidEquals")
    assert grant(permissions(CONTRIBUTOR, conditional), WRITE_ROLES) == "conditional"


def fixture_text(path: str) -> str:
    return (FIXTURES / READY[path][0]).read_text()


# --- what preflight checks comes from the stack's plan -----------------------------------------

LANDING_ZONE_ACTIONS = {
    "Microsoft.Authorization/policyAssignments/write",
    "Microsoft.Authorization/policySetDefinitions/write",
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Insights/diagnosticSettings/write",
    "Microsoft.Insights/privateLinkScopes/scopedResources/write",
    "Microsoft.Insights/privateLinkScopes/write",
    "Microsoft.KeyVault/vaults/write",
    "Microsoft.Network/azureFirewalls/write",
    "Microsoft.Network/bastionHosts/write",
    # The hub's DNS Private Resolver, its forwarding ruleset and the ruleset's hub link.
    "Microsoft.Network/dnsForwardingRulesets/forwardingRules/write",
    "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks/write",
    "Microsoft.Network/dnsForwardingRulesets/write",
    "Microsoft.Network/dnsResolvers/inboundEndpoints/write",
    "Microsoft.Network/dnsResolvers/outboundEndpoints/write",
    "Microsoft.Network/dnsResolvers/write",
    "Microsoft.Network/firewallPolicies/ruleCollectionGroups/write",  # the spokes' egress
    "Microsoft.Network/firewallPolicies/write",
    "Microsoft.Network/networkSecurityGroups/write",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
    "Microsoft.Network/privateDnsZones/write",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write",
    "Microsoft.Network/privateEndpoints/write",
    "Microsoft.Network/publicIPAddresses/write",
    "Microsoft.Network/routeTables/write",
    "Microsoft.Network/virtualNetworks/subnets/write",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.Insights/components/write",  # the AI gateways' token metrics
    "Microsoft.Insights/actionGroups/write",  # alerts and lab budgets notify it (docs/alerts.md)
    "Microsoft.Insights/metricAlerts/write",  # the baseline alerts on firewall, vault, Bastion
    "Microsoft.OperationalInsights/workspaces/write",
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Security/pricings/write",
}
FOUNDRY_PROJECTS = "Microsoft.CognitiveServices/accounts/projects/write"
FOUNDRY_CONNECTIONS = "Microsoft.CognitiveServices/accounts/projects/connections/write"
AI_LAB_ACTIONS = {
    "Microsoft.Authorization/roleAssignments/write",
    # the lab's custom roles (Jump Host Starter, Search Object Contributor)
    "Microsoft.Authorization/roleDefinitions/write",
    "Microsoft.CognitiveServices/accounts/deployments/write",
    "Microsoft.CognitiveServices/accounts/raiPolicies/write",
    "Microsoft.CognitiveServices/accounts/write",
    "Microsoft.Compute/diskEncryptionSets/write",  # the jump host's
    "Microsoft.Compute/virtualMachines/extensions/write",
    "Microsoft.Compute/virtualMachines/write",
    "Microsoft.Consumption/budgets/write",  # the lab's budget (docs/alerts.md)
    "Microsoft.HealthcareApis/workspaces/dicomservices/write",
    "Microsoft.HealthcareApis/workspaces/fhirservices/write",
    "Microsoft.HealthcareApis/workspaces/write",
    "Microsoft.Insights/activityLogAlerts/write",  # the DICOM service's Resource Health alert
    "Microsoft.Insights/diagnosticSettings/write",
    "Microsoft.Insights/metricAlerts/write",  # the baseline alerts on the lab's resources
    "Microsoft.KeyVault/vaults/keys/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks/write",  # the spoke's link
    "Microsoft.Network/networkInterfaces/write",
    "Microsoft.Network/networkSecurityGroups/write",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write",
    "Microsoft.Network/privateEndpoints/write",
    "Microsoft.Network/routeTables/write",
    "Microsoft.Network/virtualNetworks/subnets/write",
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Search/searchServices/sharedPrivateLinkResources/write",
    "Microsoft.Search/searchServices/write",
    "Microsoft.Storage/storageAccounts/blobServices/containers/write",
    "Microsoft.Storage/storageAccounts/blobServices/write",
    "Microsoft.Storage/storageAccounts/write",
}
LOCKS = "Microsoft.Authorization/locks/write"
AUTO_SHUTDOWN = "Microsoft.DevTestLab/schedules/write"
AGENT_SERVICE_ACTIONS = {
    "Microsoft.CognitiveServices/accounts/projects/capabilityHosts/write",
    "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments/write",
    "Microsoft.DocumentDB/databaseAccounts/write",
}
AGENT_SERVICE_PROVIDERS = {
    "Microsoft.DocumentDB",  # the thread store
    # Not types the plan creates: the Agent Service's compute, injected into the spoke.
    "Microsoft.App",
    "Microsoft.ContainerService",
}
AI_GATEWAY_ACTIONS = {
    "Microsoft.ApiManagement/service/apis/operations/write",
    "Microsoft.ApiManagement/service/apis/policies/write",
    "Microsoft.ApiManagement/service/apis/write",
    "Microsoft.ApiManagement/service/diagnostics/write",  # token metrics to Application Insights
    "Microsoft.ApiManagement/service/loggers/write",
    "Microsoft.ApiManagement/service/write",
}
LANDING_ZONE_PROVIDERS = {
    "Microsoft.Insights",
    "Microsoft.KeyVault",
    "Microsoft.Network",
    "Microsoft.OperationalInsights",
    "Microsoft.Security",
}
AI_LAB_PROVIDERS = {
    "Microsoft.CognitiveServices",
    "Microsoft.Compute",  # the jump host
    "Microsoft.Consumption",  # the lab's budget
    "Microsoft.HealthcareApis",
    "Microsoft.Insights",
    "Microsoft.KeyVault",  # the lab's CMK keys go into the landing zone's vault
    "Microsoft.ManagedIdentity",
    "Microsoft.Network",
    "Microsoft.Search",
    "Microsoft.Storage",
}


@pytest.mark.parametrize(
    ("stack", "providers", "actions"),
    [
        ("lz-dev", LANDING_ZONE_PROVIDERS, LANDING_ZONE_ACTIONS),
        (
            "lz-prod",
            LANDING_ZONE_PROVIDERS,
            LANDING_ZONE_ACTIONS | {LOCKS, "Microsoft.Network/ddosProtectionPlans/write"},
        ),
        # lab-dev's Foundry account holds a project, connected to the lab's search service, with
        # the Agent Service's standard setup; its jump host shuts down every evening (the lab
        # profile's auto-shutdown schedule).
        (
            "lab-dev",
            AI_LAB_PROVIDERS | {"Microsoft.DevTestLab"} | AGENT_SERVICE_PROVIDERS,
            AI_LAB_ACTIONS
            | {FOUNDRY_PROJECTS, FOUNDRY_CONNECTIONS, AUTO_SHUTDOWN}
            | AGENT_SERVICE_ACTIONS,
        ),
        # lab-prod's AI gateway (API Management) fronts its AI account, a Foundry account whose
        # project has the Agent Service's standard setup too.
        (
            "lab-prod",
            AI_LAB_PROVIDERS | {"Microsoft.ApiManagement"} | AGENT_SERVICE_PROVIDERS,
            AI_LAB_ACTIONS
            | {LOCKS, FOUNDRY_PROJECTS, FOUNDRY_CONNECTIONS}
            | AI_GATEWAY_ACTIONS
            | AGENT_SERVICE_ACTIONS,
        ),
    ],
)
def test_the_example_stacks_providers_and_writes_are_those_of_their_planned_types(
    stack, providers, actions
):
    target = stack_target(load_stack_file(stack), planner=PLANNER)
    # Microsoft.Resources and Microsoft.Authorization are registered in every subscription.
    assert set(target.providers) == providers
    assert set(target.actions) == actions
    for derived in (target.providers, target.actions):
        assert list(derived) == sorted(set(derived), key=str.casefold)


def test_the_lab_names_and_deployments_come_from_its_plan():
    target = stack_target(load_stack_file("lab-dev"), planner=PLANNER)
    assert target.key_vault_names == ()  # its keys go into lz-dev's vault, which it only uses
    assert [(a.name, a.resource_group) for a in target.cognitive_accounts] == [
        ("oai-hlzd-clinical-nlp-2a58a", "rg-hlzd-clinical-nlp")
    ]
    assert [(d.key, d.model, d.version, d.sku, d.capacity) for d in target.deployments] == [
        (
            "hlz:openai.deployments[0] (notes-summariser)",
            "gpt-4o",
            "2024-11-20",
            "DataZoneStandard",
            30,
        ),
        (
            "hlz:openai.deployments[1] (notes-embeddings)",
            "text-embedding-3-large",
            "1",
            "DataZoneStandard",
            50,
        ),
    ]
    assert target.health_data_types == (
        "workspaces",
        "workspaces/dicomservices",
        "workspaces/fhirservices",
    )
    assert target.location == "eastus2"
    assert target.encryption_at_host_vms == (LAB_DEV_JUMP_HOST,)


OLD_AI_LAB_LIST = [
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
    "Microsoft.Network/privateEndpoints/write",
    "Microsoft.CognitiveServices/accounts/write",
    "Microsoft.CognitiveServices/accounts/deployments/write",
    "Microsoft.Storage/storageAccounts/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    "Microsoft.KeyVault/vaults/keys/write",
    "Microsoft.Insights/diagnosticSettings/write",
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.HealthcareApis/workspaces/write",
]
"""The writes preflight used to check for an AI lab: a custom role granting just these."""


def test_a_role_granting_only_the_old_hand_list_lacks_what_the_lab_plan_writes(capsys, arm):
    role = {"actions": ["*/read", *OLD_AI_LAB_LIST], "notActions": []}
    arm.reply(PERMISSIONS, Reply(body=json.dumps({"value": [role]})))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    assert run.line("permissions").startswith(
        "fail  permissions: the caller's roles lack 27 of the 39 actions deploying this ai_lab "
        "stack needs: Microsoft.Authorization/roleDefinitions/write, "
        "Microsoft.CognitiveServices/accounts/projects/capabilityHosts/write, "
        "Microsoft.CognitiveServices/accounts/projects/connections/write, "
        "Microsoft.CognitiveServices/accounts/projects/write, "
        "Microsoft.CognitiveServices/accounts/raiPolicies/write, "
        "Microsoft.Compute/diskEncryptionSets/write, "
        "Microsoft.Compute/virtualMachines/extensions/write, "
        "Microsoft.Compute/virtualMachines/write, "
        "Microsoft.Consumption/budgets/write, "
        "Microsoft.DevTestLab/schedules/write, "
        "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments/write, "
        "Microsoft.DocumentDB/databaseAccounts/write, "
        "Microsoft.HealthcareApis/workspaces/dicomservices/write, "
        "Microsoft.HealthcareApis/workspaces/fhirservices/write, "
        "Microsoft.Insights/activityLogAlerts/write, "
        "Microsoft.Insights/metricAlerts/write, "
        "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks/write, "
        "Microsoft.Network/networkInterfaces/write, "
        "Microsoft.Network/networkSecurityGroups/write, "
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write, "
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write, "
        "Microsoft.Network/routeTables/write, Microsoft.Network/virtualNetworks/subnets/write, "
        "Microsoft.Search/searchServices/sharedPrivateLinkResources/write, "
        "Microsoft.Search/searchServices/write, "
        "Microsoft.Storage/storageAccounts/blobServices/containers/write, "
        "Microsoft.Storage/storageAccounts/blobServices/write\n"
    )


RESEARCH = "research"
"""A made-up third layer: whatever it plans is checked, though preflight never names it."""
RESEARCH_VAULT = "kv-research-7"
EXISTING_STORAGE = (
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-shared"
    "/providers/Microsoft.Storage/storageAccounts/stshared"
)


def _parse_research(raw: dict[str, Any]) -> object:
    return raw


def _run_research(raw: dict[str, Any], stack: str) -> None:
    from pulumi_azure_native import cognitiveservices, keyvault, resources, search, storage

    if raw.get("explode"):
        raise RuntimeError("the research program has a bug")
    group = f"rg-{stack}"
    resources.ResourceGroup("rg", resource_group_name=group, location="eastus2")
    search.Service(
        "search",
        resource_group_name=group,
        search_service_name=f"srch-{stack}",
        location="eastus2",
        sku={"name": "basic"},
    )
    keyvault.Vault(
        "kv",
        resource_group_name=group,
        vault_name=raw["vault"],
        location="eastus2",
        properties=keyvault.VaultPropertiesArgs(
            tenant_id="00000000-0000-4000-8000-000000000002",
            sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.PREMIUM),
        ),
    )
    cognitiveservices.Account(
        "oai",
        resource_group_name=group,
        account_name=f"oai-{stack}",
        kind="OpenAI",
        sku={"name": "S0"},
        location="eastus2",
    )
    for entry in raw["models"]:
        cognitiveservices.Deployment(
            entry["name"],
            resource_group_name=group,
            account_name=f"oai-{stack}",
            deployment_name=entry["name"],
            properties={
                "model": {"format": "OpenAI", "name": entry["model"], "version": entry["version"]}
            },
            sku={"name": entry["sku"], "capacity": entry["capacity"]},
        )
    # A type no table knows, through the generic resource: its ARM type is in its inputs.
    resources.Resource(
        "site",
        resource_group_name=group,
        resource_provider_namespace="Microsoft.Web",
        parent_resource_path="",
        resource_type="sites",
        resource_name_=f"app-{stack}",
        api_version="2023-12-01",
        location="eastus2",
    )
    # A read is not deployed: it needs neither Microsoft.Storage nor a write.
    storage.StorageAccount.get("shared", EXISTING_STORAGE)


@pytest.fixture
def research_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    register_layer(monkeypatch, RESEARCH, _parse_research, _run_research)


def _research_stack(directory: Path, **extra: Any) -> Path:
    config: dict[str, Any] = {
        "hlz:layer": RESEARCH,
        "hlz:profile": "lab",
        "hlz:vault": RESEARCH_VAULT,
        "hlz:models": [
            {
                "name": "chat",
                "model": "gpt-4o",
                "version": "2024-11-20",
                "sku": "DataZoneStandard",
                "capacity": 500,
            }
        ],
        **{f"hlz:{name}": value for name, value in extra.items()},
    }
    path = directory / "Pulumi.research-1.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


def test_a_registered_layer_is_checked_for_what_its_plan_deploys(
    capsys, arm, research_layer, tmp_path
):
    path = _research_stack(tmp_path)
    role = {
        "actions": ["*/read", "Microsoft.Resources/*", "Microsoft.KeyVault/*"],
        "notActions": [],
    }
    arm.reply(PERMISSIONS, Reply(body=json.dumps({"value": [role]})))
    arm.mutate(DELETED_VAULTS, lambda doc: doc["value"][0].update(name=RESEARCH_VAULT))
    # A subscription that has registered neither of its providers (the fixture's has Search,
    # for the example labs).
    arm.mutate(
        PROVIDERS,
        lambda doc: doc.update(
            value=[p for p in doc["value"] if p["namespace"] != "Microsoft.Search"]
        ),
    )
    run = preflight(capsys, arm, "research-1", "--stack-file", str(path))
    assert run.code == 1
    assert "Preflight for research-1 (research, eastus2)" in run.err
    assert run.line("permissions").startswith(
        "fail  permissions: the caller's roles lack 4 of the 6 actions deploying this research "
        "stack needs: Microsoft.CognitiveServices/accounts/deployments/write, "
        "Microsoft.CognitiveServices/accounts/write, Microsoft.Search/searchServices/write, "
        "Microsoft.Web/sites/write\n"
    )
    assert run.line("resource-providers").startswith(
        "fail  resource-providers: not registered: Microsoft.Search (absent), Microsoft.Web "
        "(absent)\n      fix: az provider register --namespace Microsoft.Search && az provider "
        "register --namespace Microsoft.Web"
    )
    assert f"Key Vault {RESEARCH_VAULT} is soft-deleted" in run.line("soft-deleted-key-vaults")
    assert run.line("soft-deleted-openai-accounts").startswith(
        "ok    soft-deleted-openai-accounts: no soft-deleted account named oai-research-1"
    )
    assert "eastus2 offers chat (gpt-4o 2024-11-20 DataZoneStandard)" in run.line("region-models")
    quota = run.line("openai-quota")
    assert "OpenAI.DataZoneStandard.gpt-4o: chat needs 500, only 400 free" in quota
    assert "lower capacity in hlz:models[0] (chat)" in quota
    assert run.line("region-health-data") == (
        "skip  region-health-data: not applicable: research-1 plans no Health Data Services"
    )


def test_a_registered_layers_providers_and_writes_leave_reads_out(research_layer, tmp_path):
    path = _research_stack(tmp_path)
    target = stack_target(load_stack_file("research-1", path=path), planner=PLANNER)
    assert target.providers == (
        "Microsoft.CognitiveServices",
        "Microsoft.KeyVault",
        "Microsoft.Search",
        "Microsoft.Web",
    )
    assert target.actions == (
        "Microsoft.CognitiveServices/accounts/deployments/write",
        "Microsoft.CognitiveServices/accounts/write",
        "Microsoft.KeyVault/vaults/write",
        "Microsoft.Resources/subscriptions/resourceGroups/write",
        "Microsoft.Search/searchServices/write",
        "Microsoft.Web/sites/write",
    )
    assert target.key_vault_names == (RESEARCH_VAULT,)


def test_a_stack_program_that_fails_while_planning_exits_3_before_any_request(
    arm, research_layer, tmp_path
):
    path = _research_stack(tmp_path, explode=True)
    code, out, err = run_hlz(
        "preflight", "research-1", "--stack-file", path, "--subscription-id", SUB,
        "--arm-endpoint", arm.endpoint,
    )  # fmt: skip
    assert code == 3, err
    assert "hlz: the stack program failed: RuntimeError: the research program has a bug" in err
    assert "Traceback" not in err and arm.seen == []


def _lab_dev_with(tmp_path: Path, key: str, value: str) -> Path:
    document = yaml.safe_load((project_root() / "Pulumi.lab-dev.yaml").read_text())
    document["config"][key] = value
    path = tmp_path / "Pulumi.lab-dev.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(
    ("config_key", "value", "problem"),
    [
        (
            "hlz:lab",
            "oncology",
            "hlz:lab: 'oncology' has no entry in lz-dev's hlz:spokes (allocated: clinical-nlp, "
            "imaging)",
        ),
        (
            "hlz:prefix",
            "abcdefghijabcdefghij",
            "hlz:prefix: 'stabcdefghijabcdefghijclinicalnlp2a58a' is 38 characters; Azure allows "
            "at most 24 for storage_account (shorten hlz:prefix or hlz:lab)",
        ),
    ],
    ids=["lab_its_landing_zone_rejects", "prefix_too_long_for_a_planned_name"],
)
def test_config_the_plan_refuses_is_a_config_error_before_any_request(
    arm, tmp_path, config_key, value, problem
):
    path = _lab_dev_with(tmp_path, config_key, value)
    code, out, err = run_hlz(
        "preflight", "lab-dev", "--stack-file", path, "--subscription-id", SUB,
        "--arm-endpoint", arm.endpoint,
    )  # fmt: skip
    assert code == 2, err
    assert problem in err
    assert "Traceback" not in err and arm.seen == [] and out == ""


AGENT_SUBNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hlzd-clinical-nlp/"
    "providers/Microsoft.Network/virtualNetworks/vnet-hlzd-clinical-nlp-spoke/subnets/"
    "snet-hlzd-clinical-nlp-agents"
)


def _deployed_account(kind: str, key_source: str | None, injected: bool = True) -> str:
    """The account as ARM's GET returns it (Microsoft.CognitiveServices/accounts); ``injected``:
    with the Agent Service's network injection lab-dev plans."""
    properties: dict[str, Any] = {
        "customSubDomainName": "oai-hlzd-clinical-nlp-2a58a",
        "provisioningState": "Succeeded",
        "publicNetworkAccess": "Disabled",
        "disableLocalAuth": True,
    }
    if injected:
        properties["networkInjections"] = [
            {"scenario": "agent", "subnetArmId": AGENT_SUBNET, "useMicrosoftManagedNetwork": False}
        ]
    if key_source is not None:
        properties["encryption"] = {
            "keySource": key_source,
            "keyVaultProperties": {
                "keyName": "clinical-nlp-openai-cmk",
                "keyVaultUri": "https://kv-hlzdev-plat-6c6fc.vault.azure.net/",
            },
        }
    return json.dumps(
        {
            "id": LAB_DEV_ACCOUNT,
            "name": "oai-hlzd-clinical-nlp-2a58a",
            "type": "Microsoft.CognitiveServices/accounts",
            "location": "eastus2",
            "kind": kind,
            "sku": {"name": "S0"},
            "properties": properties,
        }
    )


def test_an_account_not_deployed_yet_passes(capsys, arm):
    run = preflight(capsys, arm, "lab-dev")
    assert run.status("deployed-openai-accounts") == "ok"
    assert "oai-hlzd-clinical-nlp-2a58a not deployed yet" in run.line("deployed-openai-accounts")
    assert any(seen.path == LAB_DEV_ACCOUNT for seen in arm.seen)


def test_a_deployed_cmk_account_of_another_kind_fails_before_pulumi_up(capsys, arm):
    """lab-dev plans a Foundry (AIServices) account; the deployed one is OpenAI with a
    customer-managed key, which Azure cannot change in place: pulumi up would fail."""
    arm.reply(LAB_DEV_ACCOUNT, Reply(body=_deployed_account("OpenAI", "Microsoft.KeyVault")))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    line = run.line("deployed-openai-accounts")
    assert line.startswith(
        "fail  deployed-openai-accounts: oai-hlzd-clinical-nlp-2a58a is deployed as kind OpenAI; "
        "the plan makes it AIServices, but it is encrypted with a customer-managed key"
    )
    assert "keep hlz:openai.kind: OpenAI for this lab" in line and "docs/foundry.md" in line


@pytest.mark.parametrize(
    ("kind", "key_source", "status"),
    [
        ("OpenAI", None, "warn"),
        ("OpenAI", "Microsoft.CognitiveServices", "warn"),
        ("AIServices", "Microsoft.KeyVault", "ok"),
    ],
    ids=["upgradable_without_cmk", "microsoft_managed_key", "same_kind"],
)
def test_a_deployed_account_of_the_planned_kind_or_upgradable_does_not_fail(
    capsys, arm, kind, key_source, status
):
    arm.reply(LAB_DEV_ACCOUNT, Reply(body=_deployed_account(kind, key_source)))
    run = preflight(capsys, arm, "lab-dev")
    assert run.status("deployed-openai-accounts") == status


def test_a_deployed_account_without_the_planned_agent_injection_fails_before_pulumi_up(
    capsys, arm
):
    """lab-dev injects its Agent Service into a subnet, which Azure sets only when it creates
    the account: a deployed account without it cannot gain it."""
    arm.reply(
        LAB_DEV_ACCOUNT,
        Reply(body=_deployed_account("AIServices", "Microsoft.KeyVault", injected=False)),
    )
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    line = run.line("deployed-openai-accounts")
    assert line.startswith(
        "fail  deployed-openai-accounts: oai-hlzd-clinical-nlp-2a58a is deployed without network "
        "injection for agents, and the plan adds it"
    )
    assert "can't be added to an existing account" in line
    assert "remove hlz:agentService" in line


def test_several_findings_combined_are_as_severe_as_the_worst():
    from hlz.preflight.checks import _collisions, fail, warn

    upgrade = warn("a is upgraded in place", "confirm")
    refused = fail("b cannot change kind", "new stack")
    assert _collisions([upgrade, warn("c is upgraded in place", "confirm")]).status == "warn"
    combined = _collisions([upgrade, refused])
    assert combined.status == "fail"
    assert combined.detail == "a is upgraded in place; b cannot change kind"


def test_a_deployed_account_whose_planned_kind_is_unknown_is_not_a_kind_change():
    from hlz.preflight.checks import _existing_account
    from hlz.preflight.target import CognitiveAccount

    document = json.loads(_deployed_account("OpenAI", "Microsoft.KeyVault"))
    # target_of writes "" when the plan sets no kind.
    unknown = CognitiveAccount("oai-hlzd-clinical-nlp-2a58a", "rg-hlzd-clinical-nlp", "")
    assert _existing_account(unknown, document, LAB_DEV_ACCOUNT).status == "ok"
    planned = CognitiveAccount("oai-hlzd-clinical-nlp-2a58a", "rg-hlzd-clinical-nlp", "AIServices")
    assert _existing_account(planned, document, LAB_DEV_ACCOUNT).status == "fail"


# --- encryption at host: a subscription feature a VM with it needs ---------------------------

FEATURE_FIX = (
    "      fix: az feature register --namespace Microsoft.Compute --name EncryptionAtHost, wait "
    "until `az feature show --namespace Microsoft.Compute --name EncryptionAtHost --query "
    "properties.state` says Registered (minutes), then az provider register --namespace "
    "Microsoft.Compute so the provider picks it up (needs */register/action, part of "
    "Contributor; https://learn.microsoft.com/azure/virtual-machines/"
    "disks-enable-host-based-encryption-portal#prerequisites)"
)


def test_encryption_at_host_not_registered_fails_with_the_register_commands(capsys, arm):
    arm.mutate(ENCRYPTION_AT_HOST, lambda doc: doc["properties"].update(state="NotRegistered"))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    assert run.line("encryption-at-host") == (
        "fail  encryption-at-host: Microsoft.Compute/EncryptionAtHost is NotRegistered: "
        f"creating {LAB_DEV_JUMP_HOST} with encryption at host fails\n{FEATURE_FIX}"
    )
    assert run.out.rstrip().endswith("not ready to deploy: 10 ok, 0 warn, 1 fail, 1 skipped")


def test_encryption_at_host_still_registering_is_a_warning(capsys, arm):
    arm.mutate(ENCRYPTION_AT_HOST, lambda doc: doc["properties"].update(state="Registering"))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 0
    line = run.line("encryption-at-host")
    assert line.startswith(
        "warn  encryption-at-host: Microsoft.Compute/EncryptionAtHost is Registering: creating "
        f"{LAB_DEV_JUMP_HOST} with encryption at host fails until it is Registered"
    )
    assert "then az provider register --namespace Microsoft.Compute" in line


def test_a_feature_arm_does_not_know_fails_with_the_register_commands(capsys, arm):
    arm.reply(ENCRYPTION_AT_HOST, Reply(404, (FIXTURES / "error-404-feature.json").read_text()))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    assert run.line("encryption-at-host") == (
        "fail  encryption-at-host: the subscription has no feature "
        "Microsoft.Compute/EncryptionAtHost (HTTP 404 FeatureNotFound), which "
        f"{LAB_DEV_JUMP_HOST} need for encryption at host\n{FEATURE_FIX}"
    )


def test_a_caller_who_may_not_read_features_is_told_which_action_and_role(capsys, arm):
    arm.reply(ENCRYPTION_AT_HOST, Reply(403, (FIXTURES / "error-403-feature.json").read_text()))
    run = preflight(capsys, arm, "lab-dev")
    assert run.code == 1
    line = run.line("encryption-at-host")
    assert line.startswith(
        "fail  encryption-at-host: permission denied: the caller lacks "
        f"Microsoft.Features/providers/features/read on {S} (HTTP 403 AuthorizationFailed)"
    )
    assert f"--role Reader --scope {S}" in line
    assert run.status("region-health-data") == "ok"  # one check's failure hides no other


def test_a_feature_answer_without_its_state_is_an_unexpected_response(capsys, arm):
    arm.mutate(ENCRYPTION_AT_HOST, lambda doc: doc["properties"].pop("state"))
    run = preflight(capsys, arm, "lab-dev")
    assert run.line("encryption-at-host").startswith(
        f"fail  encryption-at-host: unexpected response from GET {ENCRYPTION_AT_HOST}: "
        "properties.state: field required"
    )


def test_a_lab_without_a_jump_host_does_not_ask_for_the_feature(capsys, arm, tmp_path):
    stack = yaml.safe_load((project_root() / "Pulumi.lab-dev.yaml").read_text())
    del stack["config"]["hlz:jumpHost"]
    stack_file = tmp_path / "Pulumi.lab-dev.yaml"
    stack_file.write_text(yaml.safe_dump(stack))
    run = preflight(capsys, arm, "lab-dev", "--stack-file", str(stack_file))
    assert run.code == 0, run.out
    assert run.line("encryption-at-host") == (
        "skip  encryption-at-host: not applicable: lab-dev plans no virtual machine with "
        "encryption at host"
    )
    assert ENCRYPTION_AT_HOST not in arm.paths()
