"""Overlapping address ranges are found by sorting, not by comparing every pair: 10,000 spokes
took 50 s pairwise. The sorted sweep must report exactly the pairs the pairwise check did."""

from __future__ import annotations

import ipaddress
import random

from components.specs import cidr_problem
from stacks.common import overlap_problems


def pairwise_overlaps(named: dict[str, str]) -> list[tuple[str, str]]:
    """The reference: every pair compared (the algorithm overlap_problems replaced)."""
    parsed = {
        name: ipaddress.ip_network(cidr)
        for name, cidr in named.items()
        if cidr_problem(cidr) is None
    }
    names = sorted(parsed)
    found = []
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            if parsed[first].overlaps(parsed[second]):
                found.append((first, f"{named[first]} overlaps {second} ({named[second]})"))
    return found


def random_ranges(rng: random.Random, count: int) -> dict[str, str]:
    named = {}
    for index in range(count):
        prefix = rng.randint(16, 29)
        # A narrow base range makes nesting and duplicates frequent.
        address = ipaddress.IPv4Address("10.20.0.0") + rng.randrange(0, 1 << 18)
        network = ipaddress.IPv4Network(f"{address}/{prefix}", strict=False)
        named[f"hlz:spokes.lab-{index:03d}"] = str(network)
    if count:
        named["hlz:spokes.invalid"] = "10.20.0.1/24"  # skipped by both: not a valid CIDR
    return named


def test_sorted_sweep_reports_the_same_overlaps_as_every_pair():
    rng = random.Random(7)
    total = 0
    for _ in range(200):
        named = random_ranges(rng, rng.randint(0, 40))
        expected = pairwise_overlaps(named)
        assert sorted(overlap_problems(named)) == sorted(expected)
        total += len(expected)
    assert total > 500  # the inputs did overlap, often


def test_identical_and_nested_ranges_are_each_reported_once():
    named = {
        "hlz:hub.addressSpace": "10.0.0.0/16",
        "hlz:spokes.a": "10.0.4.0/22",
        "hlz:spokes.b": "10.0.4.0/22",
        "hlz:spokes.c": "10.0.5.0/24",
        "hlz:spokes.d": "10.1.0.0/16",
    }
    assert sorted(overlap_problems(named)) == sorted(pairwise_overlaps(named))
    assert len(overlap_problems(named)) == 6


def test_ten_thousand_disjoint_spokes_have_no_overlap():
    named = {f"hlz:spokes.lab{i:05d}": f"10.{1 + i // 256}.{i % 256}.0/24" for i in range(10_000)}
    assert overlap_problems(named) == []
