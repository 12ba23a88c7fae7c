"""``hlz audit`` against a fake ARM on 127.0.0.1 that serves the recorded lab-dev sandbox
(tests/fixtures/arm/audit/lab-dev): the clean run, then one change per scenario — a portal
change, an unmanaged resource, a missing one, paging, throttling, 401/403, malformed answers —
and the usage errors."""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from azure.core.credentials import AccessToken

from hlz.audit import add_audit_parser, run_audit
from hlz.audit.deployed import id_key
from hlz.plan import Planner
from hlz.schema.catalog import sdk_api_version
from tests.cli_runner import run_hlz
from tests.conftest import register_layer
from tests.fake_http import LocalServer, Reply, Seen

SANDBOX = Path(__file__).parent / "fixtures" / "arm" / "audit" / "lab-dev"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text())
SUB = "11111111-2222-4333-8444-555555555555"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-hlzd-clinical-nlp"
LISTING = f"{RG}/resources"
STORAGE = f"{RG}/providers/Microsoft.Storage/storageAccounts/sthlzdclinicalnlp2a58a"
VNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet-hlzd-clinical-nlp-spoke"
FHIR = (
    f"{RG}/providers/Microsoft.HealthcareApis/workspaces/hdshlzdclinicalnlp2a58a/fhirservices/"
    "fhir-hlzd-clinical-nlp"
)
PORTAL_IP = f"{RG}/providers/Microsoft.Network/publicIPAddresses/pip-made-in-portal"
TOKEN = "header.eyJvaWQiOiAiMGYwZTBkMGMifQ.signature"


def _sandbox_files() -> dict[str, str]:
    return {
        id_key(str(path.relative_to(SANDBOX).with_suffix(""))): path.read_text()
        for path in SANDBOX.rglob("*.json")
    }


FILES = _sandbox_files()
FILES_BY_ID = {
    json.loads(text)["id"]: key for key, text in FILES.items() if '"value"' not in text[:20]
}


def recorded(path: str) -> Any:
    """A copy of the sandbox's answer at ``path``."""
    return copy.deepcopy(json.loads(FILES[id_key(path)]))


def arm_error(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message}})


class SandboxArm(LocalServer):
    """ARM on 127.0.0.1 answering from the sandbox; a path given replies answers them in turn
    (repeating the last). A ``$skiptoken`` page is the path with ``#<token>``."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: dict[str, list[Reply]] = {}
        self.waits: list[float] = []

    def reply(self, path: str, *replies: Reply) -> None:
        self.replies[id_key(path)] = list(replies)

    def serve(self, path: str, document: Any) -> None:
        self.reply(path, Reply(body=json.dumps(document)))

    def mutate(self, path: str, change: Callable[[Any], None]) -> None:
        document = recorded(path)
        change(document)
        self.serve(path, document)

    def api_versions(self, path: str) -> set[str | None]:
        return {seen.api_version for seen in self.seen if id_key(seen.path) == id_key(path)}

    def answer(self, seen: Seen) -> Reply:
        key = id_key(seen.path)
        if "$skiptoken" in seen.query:
            key += "#" + seen.query["$skiptoken"][0]
        with self.lock:
            queue = self.replies.get(key)
            if queue:
                return queue.pop(0) if len(queue) > 1 else queue[0]
        if key in FILES:
            return Reply(body=FILES[key])
        return Reply(
            404, arm_error("ResourceNotFound", f"The resource '{seen.path}' was not found.")
        )


class StaticToken:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(TOKEN, int(time.time()) + 3600)


@pytest.fixture
def arm() -> Iterator[SandboxArm]:
    with SandboxArm() as server:
        yield server


@dataclass
class Run:
    code: int
    out: str
    err: str


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hlz")
    add_audit_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["audit", *argv])


@pytest.fixture
def audit(
    capsys: pytest.CaptureFixture[str], arm: SandboxArm, planner: Planner
) -> Callable[..., Run]:
    """``hlz audit lab-dev EXTRA...`` against ``arm`` with a static token (waits recorded, not
    slept), planned by the session's planner."""

    def run(*extra: str) -> Run:
        args = parse("lab-dev", "--subscription-id", SUB, "--arm-endpoint", arm.endpoint, *extra)
        code = run_audit(args, credential=StaticToken(), sleep=arm.waits.append, planner=planner)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def lines(text: str, prefix: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith(prefix)]


# --- the deployment matches the plan ---------------------------------------------------------


def test_the_recorded_lab_dev_deployment_audits_clean(audit, arm):
    run = audit()
    assert run.code == 0, run.out + run.err
    assert "133 of 133 planned resources read, 1 resource group listed" in run.out
    assert run.out.rstrip().endswith(
        "lab-dev: audit ok: 0 drifted properties on 0 resources, 0 missing, 0 unmanaged, "
        "0 mandatory violations"
    )
    assert not lines(run.out, "DRIFT") and not lines(run.out, "MISSING")
    # Every request is a GET with the token; each resource at the SDK's API version for its
    # type, the listing at Resources - List By Resource Group's.
    assert {seen.authorization for seen in arm.seen} == {f"Bearer {TOKEN}"}
    assert arm.api_versions(STORAGE) == {sdk_api_version("azure-native:storage:StorageAccount")}
    assert arm.api_versions(VNET) == {sdk_api_version("azure-native:network:VirtualNetwork")}
    assert arm.api_versions(LISTING) == {"2021-04-01"}
    # Progress on stderr, N of M.
    assert "read 133 of 133 resources" in run.err


def test_role_assignments_named_from_a_principal_id_are_found_in_their_collection(
    audit, arm, tmp_path
):
    """Azure assigns principal ids, so a role assignment named from one has another name than
    the plan's: the sandbox records those under other names; the audit lists their
    collections and matches them by content, principal ids learned from the identities read."""
    run = audit("--json", str(tmp_path / "audit.json"))
    assert run.code == 0, run.out
    found = json.loads((tmp_path / "audit.json").read_text())["foundByContent"]
    assert len(found) == 17
    storage = next(f for f in found if f["urn"].endswith("::search-reads-storage"))
    assert storage["plannedId"] != storage["id"]
    assert storage["id"] in FILES_BY_ID
    collection = storage["plannedId"].rsplit("/", 1)[0]
    assert collection in [seen.path for seen in arm.seen]


def test_a_role_assignment_not_in_its_collection_is_missing(audit, arm):
    """The search service's role on the storage account, deleted: not in the listing either."""
    search = recorded(f"{RG}/providers/Microsoft.Search/searchServices/srch-hlzd-clinical-nlp-2a58a")
    principal = search["identity"]["principalId"]
    collection = f"{STORAGE}/providers/Microsoft.Authorization/roleAssignments"
    arm.mutate(
        collection,
        lambda document: document.update(
            value=[i for i in document["value"] if i["properties"]["principalId"] != principal]
        ),
    )
    run = audit()
    assert run.code == 1
    assert [line.split()[1] for line in lines(run.out, "MISSING")] == [
        "authorization:RoleAssignment::search-reads-storage:"
    ]


# --- drift -----------------------------------------------------------------------------------


def test_a_portal_change_is_drift_naming_resource_property_planned_and_deployed(audit, arm):
    def portal(document: Any) -> None:
        document["properties"]["publicNetworkAccess"] = "Enabled"
        document["tags"]["owner"] = "someone-else@example.org"

    arm.mutate(STORAGE, portal)
    run = audit()
    assert run.code == 1
    assert lines(run.out, "DRIFT") == [
        "DRIFT storage:StorageAccount::storage-sa tags.owner: planned "
        "'clinical-nlp-team@example.org', deployed 'someone-else@example.org'",
        "DRIFT storage:StorageAccount::storage-sa publicNetworkAccess "
        "(properties.publicNetworkAccess in ARM): planned 'Disabled', deployed 'Enabled'",
    ]
    # The pack judges what is deployed, as hlz check judges a plan.
    assert lines(run.out, "MANDATORY") == [
        "MANDATORY storage-account-disallow-public-network-access [164.312(e)(1)] "
        "storage:StorageAccount::storage-sa: publicNetworkAccess is 'Enabled' (absent means "
        "Enabled); set it to 'Disabled' and reach the account through private endpoints"
    ]
    assert run.out.rstrip().endswith(
        "lab-dev: audit FAIL: 2 drifted properties on 1 resource, 0 missing, 0 unmanaged, "
        "1 mandatory violation"
    )


def test_a_tag_added_in_the_portal_is_drift(audit, arm):
    arm.mutate(STORAGE, lambda document: document["tags"].update({"temp": "yes"}))
    run = audit()
    assert run.code == 1
    assert lines(run.out, "DRIFT") == [
        "DRIFT storage:StorageAccount::storage-sa tags.temp: not planned, deployed 'yes'"
    ]


def test_a_property_removed_in_azure_is_drift_absent(audit, arm):
    arm.mutate(VNET, lambda document: document["properties"].pop("enableVmProtection"))
    run = audit()
    assert run.code == 1
    assert lines(run.out, "DRIFT") == [
        "DRIFT network:VirtualNetwork::spoke-vnet enableVmProtection (properties."
        "enableVmProtection in ARM): planned false, absent in Azure"
    ]


def test_ids_and_locations_compare_without_case_as_arm_does(audit, arm):
    def respelled(document: Any) -> None:
        document["location"] = "East US 2"
        identity = document["properties"]["encryption"]["identity"]
        identity["userAssignedIdentity"] = identity["userAssignedIdentity"].upper()

    arm.mutate(STORAGE, respelled)
    run = audit()
    assert run.code == 0, lines(run.out, "DRIFT")


# --- missing and unmanaged resources ----------------------------------------------------------


def test_a_planned_resource_azure_does_not_have_is_missing(audit, arm):
    arm.reply(FHIR, Reply(404, arm_error("ResourceNotFound", "gone")))
    run = audit()
    assert run.code == 1
    assert lines(run.out, "MISSING") == [
        f"MISSING healthcareapis:FhirService::health-fhir: {FHIR} not found"
    ]
    assert "132 of 133 planned resources read" in run.out


def _with_portal_ip(document: Any) -> None:
    document["value"].append(
        {
            "id": PORTAL_IP,
            "name": "pip-made-in-portal",
            "type": "Microsoft.Network/publicIPAddresses",
            "location": "eastus2",
            "sku": {"name": "Standard"},
        }
    )


PORTAL_IP_ANSWER = {
    "id": PORTAL_IP,
    "name": "pip-made-in-portal",
    "type": "Microsoft.Network/publicIPAddresses",
    "location": "eastus2",
    "sku": {"name": "Standard", "tier": "Regional"},
    "properties": {
        "provisioningState": "Succeeded",
        "publicIPAllocationMethod": "Static",
        "ipAddress": "20.0.0.4",
    },
}


def test_a_resource_made_in_the_portal_is_unmanaged_and_judged(audit, arm):
    arm.mutate(LISTING, _with_portal_ip)
    arm.serve(PORTAL_IP, PORTAL_IP_ANSWER)
    run = audit()
    assert run.code == 1
    assert lines(run.out, "UNMANAGED") == [
        "UNMANAGED Microsoft.Network/publicIPAddresses pip-made-in-portal in "
        "rg-hlzd-clinical-nlp: not in the plan"
    ]
    # It was read and judged under a URN of its own (untagged: the tag rule fails on it).
    assert arm.api_versions(PORTAL_IP) == {sdk_api_version("azure-native:network:PublicIPAddress")}
    assert any(
        "network:PublicIPAddress::pip-made-in-portal" in line
        for line in lines(run.out, "MANDATORY") + lines(run.out, "ADVISORY")
    ), run.out


def test_listing_pages_are_followed(audit, arm):
    """The listing split in two by nextLink; the portal's IP only on the second page."""
    page = recorded(LISTING)
    first, second = page["value"][:5], page["value"][5:]
    second_page = {"value": second}
    _with_portal_ip(second_page)
    link = f"{arm.endpoint}{LISTING}?api-version=2021-04-01&$skiptoken=2"
    arm.serve(LISTING, {"value": first, "nextLink": link})
    arm.serve(LISTING + "#2", second_page)
    arm.serve(PORTAL_IP, PORTAL_IP_ANSWER)
    run = audit()
    assert run.code == 1
    assert [line.split()[2] for line in lines(run.out, "UNMANAGED")] == ["pip-made-in-portal"]
    assert [s.path for s in arm.seen].count(LISTING) == 2


# --- throttling, sign-in, permissions, malformed answers: exit 4 -------------------------------


def test_throttling_is_retried_after_the_wait_arm_asks_for(audit, arm):
    arm.reply(
        STORAGE,
        Reply(429, arm_error("TooManyRequests", "slow down"), {"Retry-After": "7"}),
        Reply(body=FILES[id_key(STORAGE)]),
    )
    run = audit()
    assert run.code == 0, run.err
    assert arm.waits == [7.0]


def test_endless_throttling_stops_after_the_bounded_retries_with_exit_4(audit, arm):
    arm.reply(STORAGE, Reply(429, arm_error("TooManyRequests", "slow down"), {"Retry-After": "2"}))
    run = audit()
    assert run.code == 4
    assert arm.waits == [2.0, 2.0, 2.0]
    assert (
        f"hlz: error: GET {STORAGE} answered HTTP 429 TooManyRequests after 3 retries: slow down"
        in run.err
    )
    assert "fix: ARM is throttling this identity: wait a few minutes and re-run" in run.err
    assert "Traceback" not in run.err and run.out == ""


def test_a_rejected_token_is_exit_4_with_the_sign_in_fix(audit, arm):
    arm.reply(STORAGE, Reply(401, arm_error("InvalidAuthenticationToken", "token expired")))
    run = audit()
    assert run.code == 4
    assert run.err.splitlines()[-3:] == [
        "hlz: error: not signed in, or Azure refused the token (HTTP 401 "
        f"InvalidAuthenticationToken) at GET {STORAGE}: token expired",
        "  fix: sign in with `az login` (or the AZURE_* variables of a service principal) for "
        "a token for https://management.azure.com/.default, then re-run",
        "hlz: audit incomplete: nothing is reported (exit 4)",
    ]
    assert run.out == ""


def test_a_denied_read_names_the_action_and_the_reader_role(audit, arm):
    message = (
        "The client 'dev@example.org' with object id '0f0e0d0c' does not have authorization to "
        "perform action 'Microsoft.Resources/subscriptions/resourceGroups/resources/read' over "
        f"scope '{RG}' or the scope is invalid."
    )
    arm.reply(LISTING, Reply(403, arm_error("AuthorizationFailed", message)))
    run = audit()
    assert run.code == 4
    assert (
        "hlz: error: permission denied (HTTP 403 AuthorizationFailed): the signed-in identity "
        "may not perform Microsoft.Resources/subscriptions/resourceGroups/resources/read "
        f"(GET {LISTING})"
    ) in run.err
    assert (
        "fix: hlz audit only reads; the built-in role Reader on the stack's resource groups "
        "covers every read: az role assignment create --assignee <your object id> --role "
        f"Reader --scope {RG}"
    ) in run.err


def test_a_denied_read_without_arm_naming_it_names_the_read_action_of_the_type(audit, arm):
    arm.reply(FHIR, Reply(403, arm_error("AuthorizationFailed", "denied")))
    run = audit()
    assert run.code == 4
    assert (
        "may not perform Microsoft.HealthcareApis/workspaces/fhirservices/read" in run.err
    )


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        (STORAGE, "<html>Bad gateway</html>", "not JSON"),
        (STORAGE, json.dumps({"id": STORAGE, "name": "x"}), "the answer has no 'properties' object"),
        (STORAGE, json.dumps([1, 2]), "expected a resource object"),
        (LISTING, json.dumps({"values": []}), "expected an object with a 'value' list"),
        (LISTING, json.dumps({"value": [{"name": "x"}]}), "value[0] is not an object with an 'id'"),
    ],
    ids=["not-json", "no-properties", "not-an-object", "listing-without-value", "item-without-id"],
)
def test_a_malformed_answer_is_exit_4_naming_the_path(audit, arm, path, body, reason):
    arm.reply(path, Reply(body=body))
    run = audit()
    assert run.code == 4
    assert f"hlz: error: unexpected answer to GET {path}: {reason}" in run.err
    assert "Traceback" not in run.err and run.out == ""


def test_an_unreachable_endpoint_is_exit_4(capsys, planner):
    with SandboxArm() as server:
        endpoint = server.endpoint  # closed when the block ends: nothing listens there
    args = parse("lab-dev", "--subscription-id", SUB, "--arm-endpoint", endpoint)
    code = run_audit(args, credential=StaticToken(), sleep=lambda s: None, planner=planner)
    err = capsys.readouterr().err
    assert code == 4
    assert "hlz: error: Azure could not be reached: cannot reach http://127.0.0.1:" in err


# --- outputs ----------------------------------------------------------------------------------


def test_json_sarif_and_markdown_carry_drift_unmanaged_and_violations(audit, arm, tmp_path):
    arm.mutate(STORAGE, lambda document: document["properties"].update(publicNetworkAccess="Enabled"))
    arm.mutate(LISTING, _with_portal_ip)
    arm.serve(PORTAL_IP, PORTAL_IP_ANSWER)
    run = audit("--json", str(tmp_path / "audit.json"),
        "--sarif", str(tmp_path / "audit.sarif"),
        "--markdown", str(tmp_path / "audit.md"),
    )  # fmt: skip
    assert run.code == 1

    document = json.loads((tmp_path / "audit.json").read_text())
    assert document["summary"]["driftedProperties"] == 1
    assert document["summary"]["unmanaged"] == 1
    assert document["summary"]["fails"] is True
    [drifted] = document["drift"]
    assert drifted["id"] == STORAGE and drifted["type"] == "azure-native:storage:StorageAccount"
    assert drifted["properties"] == [
        {
            "property": "publicNetworkAccess",
            "armProperty": "properties.publicNetworkAccess",
            "change": "changed",
            "planned": "Disabled",
            "deployed": "Enabled",
        }
    ]
    assert document["unmanaged"][0]["id"] == PORTAL_IP
    assert document["policy"]["summary"]["mandatoryViolations"] >= 1

    sarif = json.loads((tmp_path / "audit.sarif").read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    results = sarif["runs"][0]["results"]
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    by_rule = {result["ruleId"] for result in results}
    assert {"hlz-audit-drift", "hlz-audit-unmanaged"} <= by_rule
    assert "storage-account-disallow-public-network-access" in by_rule
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)

    markdown = (tmp_path / "audit.md").read_text()
    assert "| `storage:StorageAccount::storage-sa` | `publicNetworkAccess` (`properties." in markdown
    assert "`Microsoft.Network/publicIPAddresses` | `pip-made-in-portal`" in markdown
    assert "storage-account-disallow-public-network-access" in markdown
    assert "mandatory violation(s)** — live in the deployed stack: fix them" in markdown
    assert "deployment is blocked" not in markdown
    assert "Type check: not applicable to deployed state" in markdown


def test_quiet_prints_only_the_verdict(audit, arm):
    run = audit("--quiet")
    assert run.out.splitlines() == [
        "lab-dev: audit ok: 0 drifted properties on 0 resources, 0 missing, 0 unmanaged, "
        "0 mandatory violations"
    ]


# --- a saved plan, replay, usage errors -------------------------------------------------------


class NoPlanning:
    """A planner that must not be used."""

    def planned(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("planned although --plan was given")

    plan = planned


def test_a_saved_plan_is_audited_without_planning(capsys, arm, tmp_path, lab_dev):
    path = tmp_path / "lab-dev.plan.json"
    path.write_text(json.dumps(lab_dev.to_json()))
    args = parse(
        "lab-dev", "--subscription-id", SUB, "--arm-endpoint", arm.endpoint, "--plan", str(path)
    )
    code = run_audit(
        args, credential=StaticToken(), sleep=arm.waits.append, planner=NoPlanning()  # type: ignore[arg-type]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert "133 of 133 planned resources read" in captured.out


@pytest.fixture
def session_planner(monkeypatch: pytest.MonkeyPatch, planner: Planner) -> None:
    """``hlz audit`` run through the CLI plans with the session's planner (lab-dev once)."""
    import hlz.plan

    monkeypatch.setattr(hlz.plan, "Planner", lambda: planner)


def test_replay_reads_recorded_answers_with_no_credential(monkeypatch, session_planner):
    import azure.identity

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a credential was asked for")

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", refuse)
    code, out, err = run_hlz("audit", "lab-dev", "--replay", SANDBOX)
    assert code == 0, out + err
    assert f"Audit of lab-dev in subscription {SUB} (replay of {SANDBOX})" in out


def test_every_usage_problem_is_reported_at_once_and_nothing_is_read(
    arm, tmp_path, session_planner
):
    code, out, err = run_hlz(
        "audit", "lab-dev", "--subscription-id", "not-a-guid", "--arm-endpoint",
        "http://management.example.com", "--timeout", "0", "--replay", tmp_path / "none",
    )  # fmt: skip
    assert code == 2
    assert err.splitlines() == [
        f"hlz: error: --replay {tmp_path / 'none'}: not a directory of recorded ARM answers",
        "hlz: error: --subscription-id 'not-a-guid' is not a subscription id (a GUID such as "
        "11111111-2222-3333-4444-555555555555; `az account list -o table` lists yours)",
        "hlz: error: --timeout '0': give the seconds preflight may take in all, more than 0 and "
        "at most 3600 (default 120)",
        "hlz: error: --arm-endpoint 'http://management.example.com': a bearer token is sent "
        "only over https (plain http is accepted for 127.0.0.1, ::1, localhost only, for tests "
        "and emulators)",
    ]
    assert arm.seen == []


def test_a_plan_of_another_stack_or_a_preview_is_refused(tmp_path, lz_dev):
    path = tmp_path / "lz-dev.plan.json"
    path.write_text(json.dumps(lz_dev.to_json()))
    code, _, err = run_hlz("audit", "lab-dev", "--subscription-id", SUB, "--plan", path)
    assert code == 2
    assert f"  - {path}: is a plan of 'lz-dev', not of 'lab-dev'" in err


def test_an_unknown_stack_is_a_usage_error():
    code, _, err = run_hlz("audit", "lab-nowhere", "--subscription-id", SUB)
    assert code == 2
    assert "unknown stack: no Pulumi.lab-nowhere.yaml at the project root" in err


def test_a_stack_program_that_fails_while_planning_exits_3_before_any_request(
    arm, monkeypatch, tmp_path
):
    def explode(config: dict[str, Any], stack: str) -> None:
        raise RuntimeError("the broken program has a bug")

    register_layer(monkeypatch, "broken", lambda raw: raw, explode)
    path = tmp_path / "Pulumi.broken-1.yaml"
    path.write_text(yaml.safe_dump({"config": {"hlz:layer": "broken", "hlz:profile": "lab"}}))
    code, _, err = run_hlz(
        "audit", "broken-1", "--stack-file", path, "--subscription-id", SUB,
        "--arm-endpoint", arm.endpoint,
    )  # fmt: skip
    assert code == 3, err
    assert "hlz: the stack program failed: RuntimeError: the broken program has a bug" in err
    assert "Traceback" not in err and arm.seen == []


def test_help_names_the_exit_codes():
    code, out, _ = run_hlz("audit", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "4 Azure could not be read (not signed in, 401 or 403" in text
    assert "needs only Reader on the stack's resource groups" in text


# --- exemptions -------------------------------------------------------------------------------


def _exemptions(tmp_path: Path, **entry: str) -> Path:
    path = tmp_path / "exemptions.yaml"
    path.write_text(yaml.safe_dump([entry]))
    return path


def test_an_exemption_for_the_planned_urn_waives_the_violation_on_the_deployed_resource(
    audit, arm, tmp_path
):
    arm.mutate(STORAGE, lambda document: document["properties"].update(publicNetworkAccess="Enabled"))
    path = _exemptions(
        tmp_path,
        rule="storage-account-disallow-public-network-access",
        resource="urn:pulumi:lab-dev::hlz::*::storage-sa",
        reason="Vendor migration needs the public endpoint for one week.",
        owner="platform-team@example.org",
        expires="2026-12-08",
    )
    # A day the lab's budget (starting 2026-12-01) is within ARM's twelve months ahead.
    run = audit("--exemptions", str(path), "--today", "2026-12-01")
    assert run.code == 1  # the drift itself still fails the audit
    assert not lines(run.out, "MANDATORY")
    assert "1 drifted property on 1 resource, 0 missing, 0 unmanaged, 0 mandatory violations" in run.out
    assert "exemption (active) storage-account-disallow-public-network-access" in run.out


def test_an_invalid_exemptions_file_is_a_usage_error_before_any_request(audit, arm, tmp_path):
    path = _exemptions(tmp_path, rule="no-such-rule", resource="storage-sa", reason="x", owner="o", expires="2025-06-08")
    run = audit("--exemptions", str(path), "--today", "2025-06-01")
    assert run.code == 2
    assert "no-such-rule" in run.err and "Traceback" not in run.err
    assert arm.seen == []


def test_replay_of_another_subscription_is_a_usage_error(tmp_path):
    other = "22222222-3333-4444-8555-666666666666"
    code, _, err = run_hlz(
        "audit", "lab-dev", "--subscription-id", other, "--replay", SANDBOX, "--plan", tmp_path
    )
    assert code == 2
    assert f"hlz: error: --replay {SANDBOX} holds no answers for subscription {other} (it has: {SUB})" in err
