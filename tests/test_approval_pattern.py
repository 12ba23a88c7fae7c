"""The approval-reference pattern: a small, safe regular-expression grammar matched in linear
time, so a lab-supplied pattern cannot stall a plan (a backtracking ``re`` took 147 s on one
plan, doubling with every character of the reference)."""

from __future__ import annotations

import random
import re

import pytest

from components.openai import ApprovalPattern


def test_the_default_pattern_matches_board_references():
    pattern = ApprovalPattern.parse(r"^AIGB-\d{4}-\d{3,6}$")
    assert pattern.fullmatch("AIGB-2026-014")
    assert pattern.fullmatch("AIGB-2026-999999")
    assert not pattern.fullmatch("AIGB-2026-01")
    assert not pattern.fullmatch("AIGB-2026-0140000")
    assert not pattern.fullmatch("aigb-2026-014")
    assert not pattern.fullmatch("AIGB-2026-014\n")


def test_digits_are_ascii_only():
    # re's \d also matches other scripts' digits; a ticket id never holds them.
    assert not ApprovalPattern.parse(r"^T-\d{3}$").fullmatch("T-\u0661\u0662\u0663")


# Both are inside the grammar. The second is the classic a?^n a^n: Python's re takes ~4 s for
# n=28 and 4x more per 2 characters (measured); both are answered here at once.
@pytest.mark.parametrize(
    ("pattern", "member", "stranger"),
    [
        (
            r"^A\d{0,32}\d{0,32}\d{0,32}\d{0,32}\d{0,32}\d{0,32}\d{0,32}\d{0,32}\d{0,32}Z$",
            "A" + "1" * 20 + "Z",
            "A" + "1" * 200,
        ),
        ("^A" + r"\d?" * 30 + r"\d{30}$", "A" + "1" * 30, "A" + "1" * 61),
    ],
    ids=["adjacent_ranges", "optional_then_required"],
)
def test_patterns_that_backtrack_in_re_are_matched_without_backtracking(
    pattern: str, member: str, stranger: str
):
    # Each character of the reference is read once per pattern element (this test would
    # hang otherwise: there is no timing assertion).
    matcher = ApprovalPattern.parse(pattern)
    assert matcher.fullmatch(member)
    assert not matcher.fullmatch(stranger)


# Random patterns of the grammar, compared with Python's re on random references.
_ATOMS = ["A", "B", "-", r"\d", "[AB]", "[0-2]", r"\.", "."]


def _random_item(rng: random.Random, depth: int = 0) -> str:
    kind = rng.random()
    if kind < 0.2 and depth == 0:
        branches = [
            "".join(rng.choice(_ATOMS[:7]) for _ in range(rng.randint(1, 2)))
            for _ in range(rng.randint(1, 3))
        ]
        return f"({'|'.join(branches)})" + rng.choice(["", "?"])
    atom = rng.choice(_ATOMS[:7])
    quantifier = rng.choice(["", "", "?", "{2}", "{0,2}", "{1,3}"])
    return atom + quantifier


def _random_pattern(rng: random.Random) -> str:
    return "^A" + "".join(_random_item(rng) for _ in range(rng.randint(0, 5))) + "$"


def test_matches_exactly_what_re_matches_on_random_patterns():
    rng = random.Random(20261127)
    alphabet = "AB-.0123x"
    compared = 0
    for _ in range(300):
        text = _random_pattern(rng)
        matcher = ApprovalPattern.parse(text)
        compiled = re.compile(text, re.ASCII)
        samples = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(40)
        ]
        # Also strings built to match: re's own idea of a few members would need a generator;
        # prefixing 'A' makes matches frequent enough to compare both outcomes.
        samples += ["A" + sample for sample in samples]
        for sample in samples:
            assert matcher.fullmatch(sample) == bool(compiled.fullmatch(sample)), (text, sample)
            compared += 1
    assert compared == 300 * 80


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("", "anchored"),
        ("^$", "literal character"),
        ("^A{0,3}$", "literal character"),
        ("^(A|\\d)$", "literal character"),
        ("^A\\w$", "'\\w'"),
        ("^A[^B]$", "negated"),
        ("^A{3,2}$", "3 > 2"),
        ("^A??$", "lazy"),
        ("^A(B$", "unclosed"),
        ("^A)$", "unbalanced"),
        ("^A\u00e9$", "printable ASCII"),
    ],
)
def test_outside_the_grammar(pattern, fragment):
    with pytest.raises(ValueError) as caught:
        ApprovalPattern.parse(pattern)
    assert fragment in str(caught.value)
