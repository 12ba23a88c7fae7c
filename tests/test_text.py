"""Text from Azure or from config, made safe to show: one terminal line (``printable``) or one
Markdown table cell (``markdown_cell``), and the AI inventory that writes such cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from hlz.render.inventory import COLUMNS, inventory, inventory_markdown
from hlz.render.text import markdown_cell, markdown_table, printable
from tests.cli_runner import run_hlz
from tests.conftest import ROOT

ANSI_RED = "\x1b[31m"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "plain text, unicode é ✓ and a \\ backslash",
            "plain text, unicode é ✓ and a \\ backslash",
        ),
        (f"{ANSI_RED}red\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("one\ntwo\r\nthree\rfour\tfive", "one\\ntwo\\r\\nthree\\rfour\\tfive"),
        ("bell\x07 nul\x00 del\x7f c1\x9b", "bell\\x07 nul\\x00 del\\x7f c1\\x9b"),
        ("bidi \u202eevil\u2066 lsep\u2028", "bidi \\u202eevil\\u2066 lsep\\u2028"),
        ("lone surrogate \ud800", "lone surrogate \\ud800"),
        # Whatever str.isprintable() rejects, as repr() does: no-break space, joiners too.
        ("nbsp\xa0zwj\u200d", "nbsp\\xa0zwj\\u200d"),
    ],
)
def test_printable_escapes_what_a_terminal_would_act_on(text, shown):
    assert printable(text) == shown


def test_printable_output_is_one_line_without_control_characters():
    shown = printable("".join(chr(code) for code in range(0x2100)))
    assert len(shown.splitlines()) == 1
    assert all(ch.isprintable() or ch == " " for ch in shown)


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        # Pipes escaped, newlines as spaces.
        ("a|b", "a\\|b"),
        ("line one\nline two", "line one line two"),
        ("plain", "plain"),
        # And more.
        ("windows\r\nbreak and\rold mac", "windows break and old mac"),
        (f"{ANSI_RED}red\x1b[0m | x", "\\x1b[31mred\\x1b[0m \\| x"),
        ("tab\there \u2028sep \u202eflip", "tab\\there  sep \\u202eflip"),
    ],
)
def test_markdown_cell_keeps_a_cell_one_cell_on_one_line(text, cell):
    assert markdown_cell(text) == cell


HOSTILE_OWNER = f"{ANSI_RED}eve|x\r\n| forged | row |"


def _deployment_plan(owner: str) -> dict:
    state = {
        "urn": "urn:pulumi:s::hlz::azure-native:cognitiveservices:Deployment::d",
        "type": "azure-native:cognitiveservices:Deployment",
        "inputs": {"deploymentName": "d|1\n", "tags": {"hlz-accountable-owner": owner}},
    }
    return {"steps": [{"newState": state}]}


def _table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    """Cells in a GFM table row: pipes not escaped with a backslash, minus the outer two."""
    unescaped = sum(1 for i, ch in enumerate(row) if ch == "|" and (i == 0 or row[i - 1] != "\\"))
    return unescaped - 1


def test_markdown_table_escapes_every_cell_code_spans_included():
    lines = markdown_table(("rule", "resource"), [("`a|b`", HOSTILE_OWNER), (1, "plain")])
    assert lines == [
        "| rule | resource |",
        "|---|---|",
        "| `a\\|b` | \\x1b[31meve\\|x \\| forged \\| row \\| |",
        "| 1 | plain |",
    ]
    assert [_cells(line) for line in lines] == [2, 2, 2, 2]


def test_inventory_markdown_escapes_pipes_newlines_and_ansi_in_cells():
    rows = inventory(_deployment_plan(HOSTILE_OWNER))
    text = inventory_markdown("lab\x1b[2J|x", rows, dt.date(2026, 1, 1))
    assert "\x1b" not in text and "\r" not in text
    header, _, row = _table_rows(text)
    assert _cells(row) == _cells(header) == len(COLUMNS) + 1
    assert "| d\\|1  |" in row  # the newline became a space
    assert "| \\x1b[31meve\\|x \\| forged \\| row \\| |" in row
    assert text.startswith("# AI model inventory — `lab\\x1b[2J\\|x`\n")


def test_ai_inventory_command_escapes_an_owner_from_config(tmp_path: Path):
    config = yaml.safe_load((ROOT / "Pulumi.lab-dev.yaml").read_text())
    config["config"]["hlz:openai"]["deployments"][0]["governance"]["owner"] = HOSTILE_OWNER
    stack_file = tmp_path / "Pulumi.lab-hostile.yaml"
    stack_file.write_text(yaml.safe_dump(config))
    out = tmp_path / "inventory.md"
    code, _, err = run_hlz(
        "report", "ai-inventory", "lab-dev", "--stack-file", stack_file, "--out", out
    )
    assert code == 0, err
    text = out.read_text()
    assert "\x1b" not in text and "\r" not in text
    header, _, *rows = _table_rows(text)
    assert len(rows) == 2
    assert all(_cells(row) == _cells(header) for row in rows)
    assert "\\x1b[31meve\\|x \\| forged \\| row \\|" in rows[0]
