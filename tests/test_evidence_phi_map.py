"""``hlz report phi-map``: the ePHI systems of a plan and the paths between them."""

from __future__ import annotations

import json
from pathlib import Path

from hlz.plan import Plan
from hlz.render import phi_map
from tests.cli_runner import run_hlz


def _labels(plan: Plan) -> tuple[set[str], set[tuple[str, str, str]]]:
    drawn = phi_map.phi_map(plan.to_json())
    labels = {node: label for node, (label, _) in drawn.nodes.items()}
    nodes = set(labels.values())
    edges = {(labels[source], label, labels[target]) for source, target, label, _ in drawn.edges}
    return nodes, edges


def test_lab_dev_phi_systems_are_the_nodes(lab_dev: Plan):
    nodes, _ = _labels(lab_dev)
    systems = {label.split("<br/>")[1] for label in nodes if "<br/>" in label}
    assert systems == {
        "(StorageAccount)",
        "(DatabaseAccount)",
        "(DicomService)",
        "(FhirService)",
        "(Workspace)",
        "(VirtualMachine)",
        "(Account)",
        "(Service)",
    }
    # Keys, endpoints and role assignments are paths, not systems.
    assert not any("(Key)" in label or "(PrivateEndpoint)" in label for label in nodes)


def test_lab_dev_network_paths(lab_dev: Plan):
    _, edges = _labels(lab_dev)
    storage = "sthlzdclinicalnlp2a58a<br/>(StorageAccount)"
    endpoints = "subnet snet-hlzd-clinical-nlp-private-endpoints"
    spoke, hub = "VNet vnet-hlzd-clinical-nlp-spoke", "VNet vnet-hlzdev-hub"
    assert (storage, "private endpoint pe-hlzd-clinical-nlp-st-blob (blob)", endpoints) in edges
    assert (endpoints, "in", spoke) in edges
    assert (spoke, "peering to-hub", hub) in edges
    assert (hub, "peering vnet-hlzd-clinical-nlp-spoke", spoke) in edges
    assert any(
        source == endpoints
        and target == "egress: firewall 10.0.0.4"
        and label.startswith("0.0.0.0/0")
        for source, label, target in edges
    )
    search = "srch-hlzd-clinical-nlp-2a58a<br/>(Service)"
    assert (search, "shared private link (blob)", storage) in edges
    assert (search, "Storage Blob Data Reader", storage) in edges


def test_a_resource_classified_otherwise_is_not_drawn(lab_dev: Plan):
    document = json.loads(json.dumps(lab_dev.to_json()))
    for step in document["steps"]:
        state = step["newState"]
        if state["urn"].endswith("StorageAccount::storage-sa"):
            state["inputs"]["tags"]["data-classification"] = "internal"
    text = phi_map.mermaid(document)
    assert "sthlzdclinicalnlp2a58a<br/>" not in text
    assert "sthlzdclinicalnlpag2a58a<br/>" in text  # the agents' files stay


def test_phi_map_command_writes_bare_mermaid(tmp_path: Path, lab_dev: Plan):
    saved, out = tmp_path / "lab-dev.plan.json", tmp_path / "phi.mmd"
    saved.write_text(json.dumps(lab_dev.to_json()))
    code, _, err = run_hlz("report", "phi-map", "lab-dev", "--plan", saved, "--out", out)
    assert code == 0, err
    assert out.read_text() == phi_map.mermaid(lab_dev.to_json())
    assert out.read_text().startswith("flowchart LR\n")
