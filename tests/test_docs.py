"""Generated reference files (``tools/docs.py``): in sync with the code, every layer of the
registry documented, and no config key or component parameter undocumented."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field

from components.shared import HlzModel
from stacks import registry
from stacks.common import ConfigModel
from tools import docs


class _Subnets(ConfigModel):
    """Subnet prefixes of the test network."""

    private_endpoints: str
    """Subnet for private endpoints."""
    spare: str | None = None


class _Deployment(ConfigModel):
    model_name: str
    """Model to deploy."""


class _Layer(ConfigModel):
    layer: str
    """Which program runs."""
    retention_days: int = Field(default=90, ge=30)
    subnets: _Subnets
    deployments: list[_Deployment] = Field(default_factory=list)
    """Model deployments."""
    filters: dict[str, _Deployment] = Field(default_factory=dict)
    """Filters by name."""


class _Documented(ConfigModel):
    address_space: str
    """The VNet range."""
    subnets: _Subnets


class _Peer(HlzModel):
    vnet_id: str


class _LabArgs(HlzModel):
    """A component's arguments, for the components reference."""

    name: str
    """Azure name of the lab."""
    size: int = 1
    peer: _Peer
    """The VNet the lab peers with."""


def test_generated_docs_are_up_to_date():
    """docs/*.md, policies/RULES.md, policies/config/*.json and policies/taggable_types.json
    match the code, the registry and the installed SDK."""
    stale = docs.stale_documents()
    assert stale == [], f"stale generated docs {stale}: run `make docs`"


def test_check_exits_1_when_stale_and_writes_nothing(tmp_path: Path, capsys):
    assert docs.main(["check"], root=tmp_path) == 1
    assert list(tmp_path.iterdir()) == []
    err = capsys.readouterr().err
    for document in docs.DOCUMENTS:
        assert f"{document.path} is stale: run `make docs` to regenerate it" in err
    assert docs.main(["write"], root=tmp_path) == 0
    assert docs.main(["check"], root=tmp_path) == 0
    assert (tmp_path / "policies/RULES.md").read_text().startswith("# hlz-hipaa policy rules")


def test_undocumented_config_keys_are_refused_all_at_once():
    with pytest.raises(docs.UndocumentedError) as raised:
        docs.render_configuration([("Test", _Layer)])
    assert raised.value.keys == ["hlz:retentionDays", "hlz:subnets.spare"]
    message = str(raised.value)
    assert "hlz:retentionDays  (_Layer.retention_days in tests/test_docs.py)" in message
    assert "hlz:subnets.spare  (_Subnets.spare in tests/test_docs.py)" in message


def test_section_without_docstring_takes_its_model_docstring():
    rendered = docs.config_rows(_Documented, "hlz:", missing := [])
    assert missing == [("hlz:subnets.spare", "_Subnets.spare in tests/test_docs.py")]
    subnets = next(row for row in rendered if row.key == "hlz:subnets")
    assert subnets.description == "Subnet prefixes of the test network."


def test_nested_keys_are_camel_case_paths_through_objects_lists_and_maps():
    keys = [row.key for row in docs.config_rows(_Layer, "hlz:", [])]
    assert keys == [
        "hlz:layer",
        "hlz:retentionDays",
        "hlz:subnets",
        "hlz:subnets.privateEndpoints",
        "hlz:subnets.spare",
        "hlz:deployments",
        "hlz:deployments[].modelName",
        "hlz:filters",
        "hlz:filters.<name>.modelName",
    ]


def test_type_default_and_required_come_from_the_model():
    rows = {row.key: row for row in docs.config_rows(_Layer, "hlz:", [])}
    assert (rows["hlz:retentionDays"].type, rows["hlz:retentionDays"].default) == (
        "integer (>= 30)",
        "`90`",
    )
    assert rows["hlz:retentionDays"].required is False
    assert (rows["hlz:subnets.spare"].type, rows["hlz:subnets.spare"].default) == (
        "string",
        "not set",
    )
    assert rows["hlz:layer"].required is True


def test_the_configuration_reference_documents_every_layer_of_the_registry():
    layers = docs.config_layers()
    assert [layer for layer, _ in layers] == list(registry.LAYERS)
    for layer, model in layers:
        assert model.model_fields["layer"].annotation == Literal[layer]


class _TwoSelectors(ConfigModel):
    layer: Literal["landing_zone"]
    """Which program runs."""


def test_a_layer_module_without_exactly_one_selecting_model_is_refused(monkeypatch):
    import stacks.landing_zone.config as landing_zone

    monkeypatch.setattr(_TwoSelectors, "__module__", landing_zone.__name__)
    monkeypatch.setattr(landing_zone, "_TwoSelectors", _TwoSelectors, raising=False)
    with pytest.raises(docs.GenerationError) as raised:
        docs.layer_config_model("landing_zone")
    assert str(raised.value) == (
        "layer 'landing_zone': stacks.landing_zone.config must define one config model with "
        "`layer: Literal['landing_zone']`, found 2"
    )


def test_undocumented_component_parameters_are_refused_all_at_once():
    # This module defines _LabArgs, so it stands in for a module of components/.
    with pytest.raises(docs.UndocumentedError) as raised:
        docs.render_components([sys.modules[__name__]])
    assert raised.value.keys == ["_LabArgs.size", "_Peer.vnet_id"]
    message = str(raised.value)
    assert message.startswith("2 component parameter(s) have no description")
    assert "_LabArgs.size  (tests/test_docs.py)" in message
    assert "_Peer.vnet_id  (tests/test_docs.py)" in message


def test_the_dns_resolver_guide_lists_every_private_dns_zone_of_the_catalogue():
    """docs/dns-resolver.md tells on-premises DNS administrators which zones to forward to the
    inbound endpoint: one row per zone the landing zone creates, in its order, under its key."""
    import re

    from policies.services import PRIVATE_DNS_ZONES
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "dns-resolver.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \| `(privatelink\.[^`]+)` \| (.+) \|$", text, re.MULTILINE)
    assert [(key, zone) for key, zone, _ in rows] == [
        (key, zone) for key, zones in PRIVATE_DNS_ZONES.items() for zone in zones
    ]
    # Microsoft: forward the public zone of each (the private one minus "privatelink.").
    for _, zone, forwarders in rows:
        assert f"`{zone.removeprefix('privatelink.')}`" in forwarders, zone
