"""Stack files and the model catalogue are read strictly (policies.yaml_input), stack names are
checked before any file is read, and a lab's landing-zone reference must name another stack:
every such mistake exits 2 naming the file and line or the key, never 3, never a hang."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.errors import ConfigError
from hlz.stackfiles import load_stack_file
from stacks.ai_lab import catalogue
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

LAB_DEV = (ROOT / "Pulumi.lab-dev.yaml").read_text()

ALIAS_BOMB = "config:\n  hlz:bomb:\n    a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"    {chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"config:\n  hlz:layer: landing_zone\n  hlz:layer: ai_lab\n", "line 3: key 'hlz:layer'"),
        (b"config:\n  1: landing_zone\n", "line 2: keys must be text"),
        (b"config:\n  hlz:x: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested more than"),
        (ALIAS_BOMB.encode(), "aliases are expanded"),
        ("config:\n  hlz:layer: caf\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"config: [1, 2]\n", "no 'config:' mapping"),
        (b"config:\n  hlz:layer: [\n", "not valid YAML"),
    ],
    ids=["duplicate_key", "int_key", "deep_nesting", "alias_bomb", "latin1", "no_config", "syntax"],
)
def test_bad_yaml_in_a_stack_file_exits_2_naming_file_and_line(
    tmp_path: Path, content: bytes, fragment: str
):
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_bytes(content)
    code, _, err = run_hlz("plan", "bad", "--stack-file", path)
    assert code == 2, err
    assert "Pulumi.bad.yaml" in err and fragment in err, err
    assert "the stack program failed" not in err


def test_a_malformed_catalogue_is_a_config_error_naming_the_file(tmp_path: Path):
    path = tmp_path / "model_catalogue.yaml"
    path.write_text("as_of: 2026-01-01\nmodels:\n  gpt-4o: {}\n  gpt-4o: {}\n")
    with pytest.raises(ConfigError) as caught:
        catalogue.load_catalogue(path)
    assert "model_catalogue.yaml" in str(caught.value) and "line 4" in str(caught.value)
    path.write_text("as_of: 2026-01-01\nmodels:\n  gpt-4o:\n    versions: {}\n")
    with pytest.raises(ConfigError) as caught:
        catalogue.load_catalogue(path)
    assert "models.gpt-4o.skus" in str(caught.value)


@pytest.mark.parametrize(
    "name",
    ["../lz-dev", "..", "a/b", "a\\b", "/etc/passwd", ".hidden", "lz\x1bdev", "lz dev", "x" * 101],
)
def test_stack_names_are_checked_before_any_file_is_read(name: str, monkeypatch):
    read: list[str] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        read.append(str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: read.append(str(self)) or "")
    code, _, err = run_hlz("plan", name)
    assert code == 2
    assert "not a valid stack name" in err, err
    assert read == []


def test_load_stack_file_refuses_a_bad_name(tmp_path: Path):
    with pytest.raises(ConfigError, match="not a valid stack name"):
        load_stack_file("../Pulumi.lz-dev")


def _lab(tmp_path: Path, name: str, reference: str) -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(
        LAB_DEV.replace("hlz:landingZoneStack: lz-dev", f"hlz:landingZoneStack: {reference!r}")
    )
    return path


@pytest.mark.parametrize(
    ("reference", "fragment"),
    [("lab-self", "this stack itself"), ("org/hlz/lab-self", "this stack itself"), ("", "empty")],
)
def test_a_lab_referencing_itself_or_nothing_exits_2(
    tmp_path: Path, reference: str, fragment: str
):
    path = _lab(tmp_path, "lab-self", reference)
    code, _, err = run_hlz("plan", "lab-self", "--stack-file", path, "--quiet")
    assert code == 2
    assert "hlz:landingZoneStack" in err and fragment in err, err


def test_a_reference_cycle_exits_2(tmp_path: Path):
    _lab(tmp_path, "lab-a", "lab-b")
    _lab(tmp_path, "lab-b", "lab-a")
    stack_file = tmp_path / "Pulumi.lab-a.yaml"
    code, _, err = run_hlz("plan", "lab-a", "--stack-file", stack_file, "--quiet")
    assert code == 2, err
    assert "hlz:landingZoneStack" in err and "lab-a -> lab-b -> lab-a" in err, err


def test_a_broken_landing_zone_is_named_by_the_lab(tmp_path: Path):
    lz = yaml.safe_load((ROOT / "Pulumi.lz-dev.yaml").read_text())
    lz["config"]["hlz:location"] = "westeurope"
    (tmp_path / "Pulumi.lz-x.yaml").write_text(yaml.safe_dump(lz))
    path = _lab(tmp_path, "lab-x", "lz-x")
    code, _, err = run_hlz("plan", "lab-x", "--stack-file", path, "--quiet")
    assert code == 2
    assert "of lz-x (hlz:landingZoneStack of lab-x)" in err and "hlz:location" in err, err


@pytest.mark.parametrize(("key", "value"), [("hlz:profile", "staging"), ("hlz:profile", "")])
def test_unknown_profile_exits_2_for_any_program(tmp_path: Path, key: str, value: str):
    path = tmp_path / "Pulumi.prog.yaml"
    path.write_text(yaml.safe_dump({"config": {"hlz:layer": "my-own", key: value}}))
    program = ROOT / "tests" / "fixtures" / "insecure" / "__main__.py"
    code, _, err = run_hlz("plan", "prog", "--stack-file", path, "--program", program, "--quiet")
    assert code == 2, err
    assert key in err and "the stack program failed" not in err


@pytest.mark.parametrize("value", ["hub", ["ai_lab"], None])
def test_unknown_layer_of_an_hlz_stack_exits_2(tmp_path: Path, value):
    document = yaml.safe_load((ROOT / "Pulumi.lz-dev.yaml").read_text())
    document["config"]["hlz:layer"] = value
    path = tmp_path / "Pulumi.odd.yaml"
    path.write_text(yaml.safe_dump(document))
    code, _, err = run_hlz("plan", "odd", "--stack-file", path, "--quiet")
    assert code == 2
    assert "hlz:layer: must be landing_zone or ai_lab" in err, err


def test_pulumi_up_of_a_lab_referencing_itself_registers_nothing():
    """``stacks/__main__.py`` (what ``pulumi up`` runs) refuses before its StackReference."""
    from hlz.engine.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, ArmMocks
    from hlz.engine.run import run_program
    from hlz.stackfiles import StackFile
    from stacks.program import main as program

    config = yaml.safe_load(LAB_DEV)["config"]
    config["hlz:landingZoneStack"] = "acme/hlz/lab-self"
    mocks = ArmMocks(DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID)
    stack_file = StackFile("lab-self", ROOT / "Pulumi.lab-self.yaml", config)
    with pytest.raises(
        ConfigError, match="hlz:landingZoneStack: 'acme/hlz/lab-self' is this stack"
    ):
        run_program(
            program,
            project="hlz",
            stack="lab-self",
            config=stack_file.runtime_config(),
            mocks=mocks,
        )
    assert mocks.created == []
