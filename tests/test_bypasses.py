"""No way around the pack through the token: an explicit API version or the generic resource is
judged like the typed resource, in `hlz check` as in the served pack (tests/policies)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hlz.plan import Plan
from tests.cli_runner import run_hlz

STORAGE = "azure-native:storage:StorageAccount"


def _state(document: dict) -> dict:
    return next(s["newState"] for s in document["steps"] if s["newState"]["type"] == STORAGE)


def _check(document: dict, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    code, out, _ = run_hlz("check", path)
    return code, out


def test_a_versioned_token_does_not_escape_the_storage_rules(lab_dev: Plan, tmp_path: Path):
    document = copy.deepcopy(lab_dev.to_json())
    state = _state(document)
    state["type"] = "azure-native:storage/v20230101:StorageAccount"
    state["inputs"]["minimumTlsVersion"] = "TLS1_0"
    state["inputs"]["publicNetworkAccess"] = "Enabled"
    code, out = _check(document, tmp_path)
    assert code == 1
    assert "storage-account-require-minimum-tls12" in out
    assert "storage-account-disallow-public-network-access" in out


def test_a_generic_storage_account_does_not_escape_the_storage_rules(
    lab_dev: Plan, tmp_path: Path
):
    document = copy.deepcopy(lab_dev.to_json())
    state = _state(document)
    typed = state["inputs"]
    state["type"] = "azure-native:resources:Resource"
    state["inputs"] = {
        "resourceProviderNamespace": "Microsoft.Storage",
        "resourceType": "storageAccounts",
        "parentResourcePath": "",
        "apiVersion": "2024-01-01",
        "resourceName": typed["accountName"],
        "resourceGroupName": typed["resourceGroupName"],
        "location": typed["location"],
        "tags": typed["tags"],
        "kind": "StorageV2",
        "sku": typed["sku"],
        "properties": {"minimumTlsVersion": "TLS1_0", "supportsHttpsTrafficOnly": False},
    }
    code, out = _check(document, tmp_path)
    assert code == 1
    for rule in (
        "storage-account-require-minimum-tls12",
        "storage-account-require-https-only",
        "storage-account-require-cmk-encryption",
        "storage-account-disallow-public-network-access",
    ):
        assert f"MANDATORY {rule}" in out, rule
