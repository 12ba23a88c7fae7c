"""``hlz report compliance`` carries the evidence: inventory summary, ePHI map, model cards."""

from __future__ import annotations

from hlz.plan import Plan
from hlz.policy_check import check_plan
from hlz.render import phi_map
from hlz.render.compliance import compliance_matrix
from hlz.render.inventory_resources import resource_inventory


def test_compliance_report_has_an_evidence_section_per_stack(lab_dev: Plan, lz_dev: Plan):
    plans = [lz_dev.to_json(), lab_dev.to_json()]
    text = compliance_matrix([check_plan(plan) for plan in plans], plans)
    lab = text.split("## Evidence — `lab-dev`", 1)[1]
    assert "## Evidence — `lz-dev`" in text.split("## Evidence — `lab-dev`", 1)[0]
    count = len(resource_inventory(plans[1]))
    assert f"Inventory (`hlz report inventory lab-dev`): {count} managed resources" in lab
    assert "```mermaid\n" + phi_map.mermaid(plans[1]) + "```" in lab
    assert "| `notes-summariser.model-card.json` |" in lab
    assert "AIGB-2026-014 (expires 2027-06-30)" in lab
    lz = text.split("## Evidence — `lz-dev`", 1)[1].split("## Evidence — `lab-dev`", 1)[0]
    assert "No model deployment in this stack." in lz


def test_without_plans_the_matrix_has_no_evidence_section(lab_dev: Plan):
    assert "## Evidence" not in compliance_matrix([check_plan(lab_dev.to_json())])
