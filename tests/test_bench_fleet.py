"""``tools/bench.py --fleet N`` (BENCHMARKS.md): the generated fleet is a valid landing zone
with N labs in address blocks of their own, and the bench reads the closing line ``hlz plan``
prints as it is printed."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from hlz.plan_many import RunSummary
from hlz.stackfiles import load_stack_file, stack_entries
from stacks.ai_lab.config import parse_ai_lab_config
from stacks.common import overlap_problems
from stacks.landing_zone.config import load_landing_zone_config
from tools.bench import SUMMARY, fleet_project


def test_the_fleet_is_one_landing_zone_and_its_labs_each_in_its_own_allocation(tmp_path: Path):
    stacks = fleet_project(tmp_path, 3)
    assert stacks == ["fleet-lab000", "fleet-lab001", "fleet-lab002", "fleet-lz"]
    hub = load_stack_file("fleet-lz", root=tmp_path)
    landing_zone = load_landing_zone_config(hub.hlz_config(), "fleet-lz")  # every check
    assert sorted(landing_zone.spokes) == ["lab000", "lab001", "lab002"]
    ranges = {f"hlz:spokes.{lab}": cidr for lab, cidr in landing_zone.spokes.items()}
    ranges["hlz:hub.addressSpace"] = landing_zone.hub.address_space
    assert overlap_problems(ranges) == []
    for stack in stacks[:-1]:
        lab = parse_ai_lab_config(load_stack_file(stack, root=tmp_path).hlz_config())
        assert lab.landing_zone_stack == "fleet-lz"
        assert landing_zone.spokes[lab.lab] == lab.address_space
        space = ipaddress.IPv4Network(lab.address_space)
        subnets = [cidr for cidr in lab.subnets.model_dump().values() if cidr is not None]
        assert subnets and all(ipaddress.IPv4Network(s).subnet_of(space) for s in subnets)
    order = {entry.name: entry.order for entry in stack_entries(tmp_path)}
    assert order["fleet-lz"] == 1


def test_the_bench_reads_the_closing_line_of_hlz_plan():
    workers = RunSummary(51, [], 31.4, 2, [412 * 1024, 398 * 1024], 95 * 1024)
    parsed = SUMMARY.search(workers.line())
    assert parsed is not None, workers.line()
    assert (parsed["workers"], parsed["peaks"], parsed["parent"]) == ("2", "412 MiB, 398 MiB", "95")
    here = RunSummary(51, [], 60.0, 0, [], 350 * 1024)
    parsed = SUMMARY.search(here.line())
    assert parsed is not None, here.line()
    assert (parsed["workers"], parsed["own"]) == (None, "350")
