"""`hlz check` judges the same resources the same way whether it reads an `hlz plan --json`
plan, the Pulumi CLI's `pulumi preview --json` output or a `pulumi stack export` document.

The CLI documents are built from a plan in exactly the shapes the CLI writes (pulumi/pulumi at
1b5949891b3c): `pkg/display/json.go` `PreviewDigest` (config masked, steps with `op`, `urn`,
`provider`, `newState` as an `apitype.ResourceV3`, `detailedDiff` null, unknowns as the
`computedValuePlaceholder` string, secrets as "[secret]") and `sdk/go/common/apitype/core.go`
`UntypedDeployment` (version 3, a manifest, a secrets provider, the stack and provider
resources, ids and outputs, secrets as `SecretV1` objects with ciphertext).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hlz.documents import CLI_UNKNOWN, EXPORT, PREVIEW, SECRET_SIG, SIG_KEY, as_plan
from hlz.plan import Plan
from hlz.plan_document import SECRET_MASK, UNKNOWN_MARK
from hlz.policy_check import check_plan
from tests.cli_runner import run_hlz
from tests.fixtures.insecure_stack import insecure_plan

PROVIDER_URN = "urn:pulumi:{stack}::hlz::pulumi:providers:azure-native::default_3_29_0"
PROVIDER_ID = "6f0a5c2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b"


def _cli_value(value: Any, *, secret: Any) -> Any:
    """A plan value as the CLI writes it: unknowns as its sentinel, secrets per ``secret``."""
    if value == UNKNOWN_MARK:
        return CLI_UNKNOWN
    if value == SECRET_MASK:
        return secret
    if isinstance(value, list):
        return [_cli_value(item, secret=secret) for item in value]
    if isinstance(value, dict):
        return {key: _cli_value(item, secret=secret) for key, item in value.items()}
    return value


def _provider(stack: str) -> str:
    return f"{PROVIDER_URN.format(stack=stack)}::{PROVIDER_ID}"


def preview_json(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan as `pulumi preview --json` prints it, plus a delete step (no newState)."""
    meta = plan["hlz"]
    stack = meta["stack"]
    steps: list[dict[str, Any]] = []
    for step in plan["steps"]:
        state = _cli_value(copy.deepcopy(step["newState"]), secret="[secret]")
        if state.get("custom"):
            state["provider"] = _provider(stack)
        steps.append(
            {
                "op": step["op"],
                "urn": step["urn"],
                **({"provider": _provider(stack)} if state.get("custom") else {}),
                "newState": state,
                "detailedDiff": None,
            }
        )
    gone = f"urn:pulumi:{stack}::hlz::azure-native:network:NetworkSecurityGroup::retired-nsg"
    steps.append(
        {
            "op": "delete",
            "urn": gone,
            "provider": _provider(stack),
            "oldState": {
                "urn": gone,
                "custom": True,
                "type": "azure-native:network:NetworkSecurityGroup",
            },
            "detailedDiff": None,
        }
    )
    return {
        "config": {
            "hlz:profile": meta["profile"],
            "hlz:layer": meta["layer"],
            "azure-native:location": "eastus2",
        },
        "steps": steps,
        "changeSummary": dict(Counter(step["op"] for step in steps)),
    }


def stack_export(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan's resources as `pulumi stack export` writes them once deployed."""
    meta = plan["hlz"]
    stack = meta["stack"]
    stack_urn = next(
        (s["urn"] for s in plan["steps"] if s["newState"]["type"] == "pulumi:pulumi:Stack"),
        f"urn:pulumi:{stack}::hlz::pulumi:pulumi:Stack::hlz-{stack}",
    )
    secret = {SIG_KEY: SECRET_SIG, "ciphertext": "v1:c2VjcmV0:bm90LWEtcmVhbC1jaXBoZXJ0ZXh0"}
    resources: list[dict[str, Any]] = [
        {
            "urn": stack_urn,
            "custom": False,
            "type": "pulumi:pulumi:Stack",
            "outputs": {
                "profile": meta["profile"],
                **_cli_value(meta.get("outputs") or {}, secret=secret),
            },
            "created": "2026-11-29T10:00:00.000000Z",
            "modified": "2026-11-29T10:00:00.000000Z",
        },
        {
            "urn": PROVIDER_URN.format(stack=stack),
            "custom": True,
            "id": PROVIDER_ID,
            "type": "pulumi:providers:azure-native",
            "inputs": {"version": "3.29.0"},
            "outputs": {"version": "3.29.0"},
        },
    ]
    for step in plan["steps"]:
        state = _cli_value(copy.deepcopy(step["newState"]), secret=secret)
        if state["type"] == "pulumi:pulumi:Stack":
            continue  # the stack resource is the first one above
        resource = {
            "urn": state["urn"],
            "custom": state["custom"],
            "type": state["type"],
            **({"id": state.get("id") or f"/deployed/{len(resources)}"} if state["custom"] else {}),
            "inputs": state.get("inputs", {}),
            "outputs": state.get("inputs", {}),
            "parent": state.get("parent") or stack_urn,
            **({"provider": _provider(stack)} if state["custom"] else {}),
            **({"external": True} if state.get("external") else {}),
            "dependencies": state.get("dependencies", []),
            "propertyDependencies": state.get("propertyDependencies", {}),
            "created": "2026-11-29T10:00:00.000000Z",
            "modified": "2026-11-29T10:00:00.000000Z",
        }
        resources.append(resource)
    return {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": "2026-11-29T10:05:00.000000Z",
                "magic": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "version": "v3.200.0",
            },
            "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:c2FsdA=="}},
            "resources": resources,
        },
    }


def verdicts(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """Every (rule, resource, outcome kind) of a check, minus the document's own wording."""
    checked, problems = as_plan(document)
    assert checked is not None, problems
    report = check_plan(checked.plan)
    return {
        (finding.rule.id, finding.urn, type(finding.evaluation).__name__)
        for finding in report.findings
    }


@pytest.fixture(scope="module")
def insecure() -> dict[str, Any]:
    return insecure_plan().to_json()


@pytest.fixture(scope="module")
def lab_prod_preview() -> dict[str, Any]:
    """A preview plan: values known only after deployment are unknown (the CLI's sentinel in
    its forms), and production fails undetermined PHI checks."""
    from tests.conftest import PLANNER

    return PLANNER.plan("lab-prod", preview=True).to_json()


@pytest.mark.parametrize("form", [preview_json, stack_export], ids=["preview-json", "stack-export"])
def test_the_same_resources_get_the_same_verdicts_in_every_form(
    form, lab_dev: Plan, insecure, lab_prod_preview
):
    for plan in (lab_dev.to_json(), insecure, lab_prod_preview):
        assert verdicts(form(plan)) == verdicts(plan)
    # The preview really carries unknowns, in the CLI's spelling once in its forms.
    assert CLI_UNKNOWN in json.dumps(form(lab_prod_preview))


def test_the_forms_are_recognised_and_what_is_not_judged_is_counted(lab_dev: Plan):
    plan = lab_dev.to_json()
    preview, problems = as_plan(preview_json(plan))
    assert preview is not None and not problems
    assert (preview.format, preview.left_out) == (PREVIEW, 1)  # the delete
    assert preview.plan["hlz"]["stack"] == "lab-dev" and preview.plan["hlz"]["profile"] == "lab"
    export, problems = as_plan(stack_export(plan))
    assert export is not None and not problems
    assert (export.format, export.left_out) == (EXPORT, 1)  # the provider
    assert export.plan["hlz"]["profile"] == "lab"
    # The CLI's marks become the plan's: an unknown and a secret read as such.
    assert json.dumps(preview.plan).count(CLI_UNKNOWN) == 0
    assert SIG_KEY not in json.dumps(export.plan)


def test_a_cli_unknown_is_undetermined_and_a_secret_is_masked():
    urn = "urn:pulumi:lab-x::hlz::azure-native:storage:StorageAccount::sa"
    state = {
        "urn": urn,
        "type": "azure-native:storage:StorageAccount",
        "custom": True,
        "inputs": {"minimumTlsVersion": CLI_UNKNOWN, "allowSharedKeyAccess": False},
    }
    preview, _ = as_plan({"steps": [{"op": "create", "urn": urn, "newState": state}]})
    assert preview is not None
    assert preview.plan["steps"][0]["newState"]["inputs"]["minimumTlsVersion"] == UNKNOWN_MARK
    secret = {SIG_KEY: SECRET_SIG, "plaintext": '"hunter2"'}
    export, _ = as_plan(
        {
            "version": 3,
            "deployment": {"manifest": {}, "resources": [{**state, "inputs": {"key": secret}}]},
        }
    )
    assert export is not None
    assert export.plan["steps"][0]["newState"]["inputs"]["key"] == SECRET_MASK
    assert "hunter2" not in json.dumps(export.plan)


def test_hlz_check_names_the_format_and_exits_as_for_the_plan(tmp_path: Path, insecure):
    for form, name in ((preview_json, PREVIEW), (stack_export, EXPORT)):
        path = tmp_path / f"{form.__name__}.json"
        path.write_text(json.dumps(form(insecure)))
        code, out, err = run_hlz("check", path)
        assert code == 1, err  # mandatory violations, as for the plan itself
        assert f"Read {path} as {name} output:" in out
        assert "profile from the document" in out
        assert "Traceback" not in err


@pytest.mark.parametrize(
    ("document", "where", "fragment"),
    [
        ({"version": 2, "deployment": {}}, "version", "is not a deployment version hlz reads"),
        ({"version": 3, "deployment": []}, "deployment", "must be an object"),
        ({"version": 3, "deployment": {"resources": {}}}, "deployment.resources", "must be a list"),
        (
            {"version": 3, "deployment": {"resources": [{"urn": 7, "type": "t"}]}},
            "deployment.resources[0]",
            "must be an object with string 'urn' and 'type'",
        ),
        ({"config": {}}, "steps", "required key is missing"),
    ],
)
def test_a_malformed_document_is_a_usage_error_naming_where(
    tmp_path: Path, document, where, fragment
):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document))
    code, out, err = run_hlz("check", path)
    assert code == 2, (out, err)
    assert f"{where}: " in err and fragment in err
    assert "Traceback" not in err
