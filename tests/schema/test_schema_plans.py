"""The four example stacks, validated against the Azure type definitions of their API versions."""

from __future__ import annotations

import pytest

from hlz.plan import Plan
from hlz.schema.validate import covered_types, validate_resources

STACKS = ["lz_dev", "lz_prod", "lab_dev", "lab_prod"]


@pytest.mark.parametrize("stack", STACKS)
def test_example_stack_has_no_type_findings(stack: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(stack)
    findings = validate_resources((r.urn, r.type, r.inputs) for r in plan.registrations)
    assert [(f.resource_type, f.kind, f.path, f.message) for f in findings] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_planned_azure_resource_is_checked_against_a_type(
    stack: str, request: pytest.FixtureRequest
) -> None:
    plan: Plan = request.getfixturevalue(stack)
    covered = covered_types()
    typed = {r.type for r in plan.registrations if r.type.startswith("azure-native:")}
    # The generic resource is covered through its target type, which the zero-findings test
    # proves is vendored (otherwise it would report no-type-definition).
    assert typed - set(covered) <= {"azure-native:resources:Resource"}
