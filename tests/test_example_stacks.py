"""Every example stack (a ``Pulumi.<stack>.yaml`` at the root) passes the whole pack on its own.

The security properties of the example plans (public access off, customer-managed keys, private
endpoints, diagnostics, tags, ...) are the rules' to state: a hand-written copy of a rule in a
plan test drifts from the rule. This test holds the plans to every rule, advisory ones included,
with no exemptions; tests/test_landing_zone_plan.py and tests/test_ai_lab_plan.py keep what no
rule checks (wiring, ordering, names, counts, outputs).
"""

from __future__ import annotations

import pytest

from hlz.policy_check import check_plan
from hlz.stackfiles import available_stacks
from tests.conftest import planned


@pytest.mark.parametrize("stack", available_stacks())
def test_example_stack_has_no_violation_nothing_undetermined_and_no_type_error(stack: str):
    report = check_plan(planned(stack).to_json(), exemptions=[])
    assert report.findings, f"{stack}: the pack judged nothing"
    assert [(f.rule.id, f.urn) for f in report.violations] == []
    assert [(f.rule.id, f.urn) for f in report.undetermined] == []
    assert [(f.kind, f.urn, f.path) for f in report.type_errors] == []
