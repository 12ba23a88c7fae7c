"""Strict, bounded YAML: what safe_load lets through is refused with a line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.yaml_input import MAX_DEPTH, YamlInputError, load_yaml, read_yaml


def _refused(text: str) -> str:
    with pytest.raises(YamlInputError) as caught:
        load_yaml(text, "f.yaml")
    return str(caught.value)


def test_plain_documents_load_as_safe_load_would():
    assert load_yaml("config:\n  hlz:lab: x\n  n: [1, 2]\n", "f.yaml") == {
        "config": {"hlz:lab": "x", "n": [1, 2]}
    }
    assert load_yaml("", "f.yaml") is None


def test_a_duplicated_key_names_both_lines():
    message = _refused("config:\n  hlz:lab: a\n  hlz:lab: b\n")
    assert message == (
        "f.yaml: line 3: key 'hlz:lab' is written twice in one mapping (first at line 2); "
        "remove one"
    )


def test_non_string_keys_are_refused():
    assert "line 1: keys must be text, not int" in _refused("1: a\n")
    assert "keys must be text" in _refused("? [a, b]\n: c\n")


def test_an_alias_bomb_is_refused_before_anything_walks_it():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)
    ]
    message = _refused("\n".join(levels) + "\n")
    assert "once its aliases are expanded" in message


def test_deep_nesting_is_refused_not_a_recursion_error():
    message = _refused("[" * 5000 + "]" * 5000)
    assert f"nested more than {MAX_DEPTH} levels deep" in message


def test_bytes_that_are_not_utf8_are_named(tmp_path: Path):
    path = tmp_path / "Pulumi.bad.yaml"
    data = b"config:\n  hlz:lab: caf\xe9\n"
    path.write_bytes(data)
    with pytest.raises(YamlInputError) as caught:
        read_yaml(path, "Pulumi.bad.yaml")
    offset = data.index(b"\xe9")
    assert str(caught.value) == f"Pulumi.bad.yaml: not UTF-8 text (byte {offset} is 0xe9)"


def test_merge_keys_are_refused():
    assert "merge keys" in _refused("base: &b {x: 1}\nother:\n  <<: *b\n")
