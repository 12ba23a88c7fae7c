"""``hlz graph``: the architecture diagrams in docs/ are generated from the plans, and current."""

from __future__ import annotations

import pytest

from hlz.plan import Plan
from hlz.render import mermaid
from tests.conftest import ROOT, planned


@pytest.mark.parametrize("stack", ["lz-prod", "lab-prod"])
def test_checked_in_diagram_matches_the_plan(stack: str):
    expected = mermaid.markdown(planned(stack).to_json())
    path = ROOT / "docs" / "architecture" / f"{stack}.md"
    assert path.read_text() == expected, f"{path} is stale: run `make docs`"


def test_every_component_is_a_node_and_edges_follow_dependencies(lz_prod: Plan):
    text = mermaid.mermaid(lz_prod.to_json())
    for name in ("hub", "dns", "platform-kv", "logs", "baseline", "monitor-link"):
        assert f"<b>{name}</b>" in text
    assert "n_platform_kv --> n_dns" in text  # the vault's endpoint registers in a hub zone
    assert "n_dns --> n_platform_kv" not in text
    assert "17× PrivateZone" in text
