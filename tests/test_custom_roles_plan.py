"""The example labs' custom roles, as planned: lab members start their jump host and manage their
search service's objects through narrow roles of the lab's own (issue 12), each judged by the
pack and checked against Azure's type definition of a role definition (API 2022-04-01)."""

from __future__ import annotations

from typing import Any

import pytest

from components.jump_host import JUMP_HOST_START_ACTIONS
from components.roles import ROLE_DEFINITION_API_VERSION, role_definition_name
from components.search import SEARCH_OBJECT_ACTIONS
from hlz.engine.recording import Registration
from hlz.plan import Plan
from hlz.policy_check import check_plan
from policies.model import Compliant
from tests.conftest import of_type

GENERIC = "azure-native:resources:Resource"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
RULE = "authorization-roledefinition-restrict-actions-and-scopes"


def role_definitions(plan: Plan) -> dict[str, Registration]:
    """roleName -> the generic role definition that declares it."""
    return {
        r.inputs["properties"]["roleName"]: r
        for r in of_type(plan.registrations, GENERIC)
        if r.inputs["resourceProviderNamespace"] == "Microsoft.Authorization"
        and r.inputs["resourceType"] == "roleDefinitions"
    }


def only(registrations: list[Registration], token: str) -> Registration:
    (match,) = of_type(registrations, token)
    return match


def member_group_ids(plan: Plan) -> set[str]:
    """The lab's member groups, as its contributor assignment on the search service names them."""
    return {
        r.inputs["principalId"]
        for r in of_type(plan.registrations, ROLE_ASSIGNMENT)
        if r.inputs["principalType"] == "Group" and "-contributor-" in r.urn
    }


@pytest.mark.parametrize(
    ("role", "token", "actions"),
    [
        ("Jump Host Starter", "azure-native:compute:VirtualMachine", JUMP_HOST_START_ACTIONS),
        ("Search Object Contributor", "azure-native:search:Service", SEARCH_OBJECT_ACTIONS),
    ],
)
def test_each_example_lab_grants_its_members_a_custom_role_on_one_resource(
    lab_plan: Plan, role: str, token: str, actions: tuple[str, ...]
):
    target = only(lab_plan.registrations, token)
    target_name = target.id.rsplit("/", 1)[-1] if target.id else ""
    definitions = role_definitions(lab_plan)
    role_name = f"{role} ({target_name})"
    definition = definitions[role_name]
    inputs: dict[str, Any] = definition.inputs
    resource_group = inputs["resourceGroupName"]
    group_id = f"/subscriptions/{lab_plan.subscription_id}/resourceGroups/{resource_group}"
    assert resource_group in target.id
    assert inputs["apiVersion"] == ROLE_DEFINITION_API_VERSION
    assert inputs["resourceName"] == role_definition_name(group_id, role_name)
    assert inputs["properties"]["assignableScopes"] == [group_id]
    assert inputs["properties"]["permissions"][0]["actions"] == list(actions)
    grants = [
        r
        for r in of_type(lab_plan.registrations, ROLE_ASSIGNMENT)
        if r.inputs["roleDefinitionId"].endswith(f"/{inputs['resourceName']}")
    ]
    assert {(r.inputs["scope"], r.inputs["principalId"]) for r in grants} == {
        (target.id, group) for group in member_group_ids(lab_plan)
    }
    assert all(definition.urn in r.dependencies for r in grants)


def test_each_example_lab_defines_exactly_its_two_custom_roles(lab_plan: Plan):
    assert sorted(name.split(" (")[0] for name in role_definitions(lab_plan)) == [
        "Jump Host Starter",
        "Search Object Contributor",
    ]


def test_the_pack_judges_the_custom_roles_compliant_and_azure_types_accept_them(lab_plan: Plan):
    report = check_plan(lab_plan.to_json(), exemptions=[])
    judged = [f for f in report.findings if f.rule.id == RULE]
    assert sorted(f.urn for f in judged) == sorted(
        r.urn for r in role_definitions(lab_plan).values()
    )
    assert all(isinstance(f.evaluation, Compliant) for f in judged)
    assert not any("RoleDefinition" in t for _, t in report.unjudged)
    assert [f for f in report.type_findings if "roleDefinitions" in f.arm_type] == []
    assert report.violations == [] and report.type_errors == []
