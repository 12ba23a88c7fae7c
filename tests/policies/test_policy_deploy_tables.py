"""The data the deploy rules are built on: name rules shared with the components, region and
group-id tables, vendored initiatives, and the pack's independence from ``components``."""

from __future__ import annotations

import subprocess
import sys

import components.naming
from policies import names
from policies.evaluation import evaluate
from policies.model import NotApplicable
from policies.registry import rule_by_id
from policies.rules.deploy_network import REGIONS_WITHOUT_ZONES, allowed_group_ids
from policies.rules.deploy_support import arm_token_of_id
from policies.rules.network import PRIVATE_LINK_TARGETS
from policies.rules.tokens import HEALTH_WORKSPACE, KEY_VAULT, STORAGE_ACCOUNT
from policies.vocabulary import ALLOWED_LOCATIONS


def test_components_naming_builds_names_with_the_pack_name_rules() -> None:
    assert components.naming.NAME_RULES is names.NAME_RULES
    assert components.naming.name_problem is names.name_problem
    assert components.naming.NameRule is names.NameRule


def test_pack_imports_without_components() -> None:
    """The Pulumi CLI loads ``policies/`` alone (policies/requirements.txt)."""
    code = (
        "import sys; sys.modules['components'] = None; "
        "import policies.registry, policies.adapter; print(len(policies.registry.ALL_RULES))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def test_regions_without_zones_are_allowed_us_regions() -> None:
    assert REGIONS_WITHOUT_ZONES.issubset(ALLOWED_LOCATIONS)
    assert "eastus2" not in REGIONS_WITHOUT_ZONES


def test_group_ids_come_from_the_catalogue_private_links() -> None:
    assert allowed_group_ids(KEY_VAULT) == ("vault",)
    assert allowed_group_ids(STORAGE_ACCOUNT) == ("blob", "dfs", "file", "queue", "table")
    assert allowed_group_ids(HEALTH_WORKSPACE) == ("healthcareworkspace",)
    assert set(PRIVATE_LINK_TARGETS) == {
        token for token in PRIVATE_LINK_TARGETS if allowed_group_ids(token)
    }


def test_arm_ids_name_their_typed_token() -> None:
    base = "/subscriptions/s/resourceGroups/rg/providers"
    assert arm_token_of_id(f"{base}/Microsoft.KeyVault/vaults/kv") == KEY_VAULT
    assert (
        arm_token_of_id(f"{base}/Microsoft.HealthcareApis/workspaces/hds/fhirservices/fhir")
        == "azure-native:healthcareapis:FhirService"
    )
    assert arm_token_of_id(f"{base}/Microsoft.Unknown/things/x") is None
    assert arm_token_of_id("not an id") is None


def test_policy_assignment_of_an_unvendored_definition_is_not_applicable() -> None:
    outcome = evaluate(
        rule_by_id("deploy-policyassignment-require-remediation-identity"),  # type: ignore[arg-type]
        "azure-native:authorization:PolicyAssignment",
        {
            "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/abc",
            "scope": "/subscriptions/s",
        },
    )
    assert isinstance(outcome, NotApplicable)
    assert "not a vendored initiative" in outcome.reason
