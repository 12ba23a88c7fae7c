"""``hlz cost``: the price table's provenance, the pricing model over the example stacks, the
arithmetic (tiers, hours, tokens, unknown prices never counted as zero), the ``hlz:cost``
assumptions (validated like any config key), the CLI and the README's totals.

Scenarios that test the arithmetic use a small table of their own, so a refresh of the real
one changes no assertion but the README's (which must then be updated with it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hlz.cost.assumptions import CostAssumptions, parse_assumptions
from hlz.cost.estimate import FREE, PRICED, UNKNOWN, Comparison, Estimate, estimate
from hlz.cost.meters import METERS, VM_SIZES
from hlz.cost.table import PRICES_FILE, load_price_table
from hlz.render.markdown import cost_markdown
from hlz.stackfiles import available_stacks
from tests.cli_runner import run_hlz
from tests.conftest import ROOT, planned
from tests.price_items import retail_item

EXAMPLES = tuple(available_stacks())
"""Every example stack: the README prices each, pr.yml prices each."""
SOURCE = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+/blob/[0-9a-f]{40}/\S+\.json$")


def example_estimate(stack: str) -> Estimate:
    assumptions = parse_assumptions(
        yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"].get("hlz:cost")
    )
    return estimate(planned(stack).to_json(), load_price_table(), assumptions, "test")


def save_plan(tmp_path: Path, stack: str) -> Path:
    path = tmp_path / f"{stack}.plan.json"
    path.write_text(json.dumps(planned(stack).to_json()))
    return path


# --- the table --------------------------------------------------------------------------------


def test_the_table_is_dated_in_usd_and_every_price_names_the_commit_it_was_read_from():
    table = load_price_table()
    assert table.date.isoformat() == "2026-08-15"
    assert table.currency == "USD"
    assert table.items, "an empty table prices nothing"
    unsourced = [item["meterId"] for item in table.items if not SOURCE.match(item["hlzSource"])]
    assert unsourced == []
    assert all(item["type"] == "Consumption" for item in table.items)


def test_every_catalogued_meter_has_a_price_or_is_listed_missing_for_each_table_region():
    table = load_price_table()
    gaps = []
    for key, meter in METERS.items():
        regions = table.regions if meter.billing_region is None else (meter.billing_region,)
        for region in regions:
            priced = any(meter.matches(item, region) for item in table.items)
            listed = any(
                entry["meter"] == key and entry["armRegionName"] == region
                for entry in table.missing
            )
            if priced == listed:
                gaps.append(f"{key} in {region!r}: priced={priced}, listed missing={listed}")
    assert gaps == []


def test_the_example_stacks_regions_are_in_the_table():
    regions = {example_estimate(stack).region for stack in EXAMPLES}
    assert regions <= set(load_price_table().regions)


def test_the_tables_vm_sizes_are_the_jump_host_sizes():
    from components.jump_host import JUMP_HOST_SIZES

    assert VM_SIZES == JUMP_HOST_SIZES


# --- the example stacks -----------------------------------------------------------------------


@pytest.mark.parametrize("stack", EXAMPLES)
def test_every_resource_of_an_example_is_priced_free_or_unknown_with_the_reason(stack: str):
    result = example_estimate(stack)
    assert {line.status for line in result.lines} <= {PRICED, FREE, UNKNOWN}
    no_rule = sorted({line.resource for line in result.lines if "no pricing rule" in line.reason})
    assert no_rule == []
    assert all(line.reason for line in result.lines if line.status != PRICED)
    assert all(line.sources and line.basis for line in result.lines if line.status == PRICED)
    assert all(line.monthly is None for line in result.unknown)
    managed = {step["urn"] for step in planned(stack).to_json()["steps"] if step["op"] == "create"}
    custom = {r.urn for r in planned(stack).custom_resources}
    assert {line.urn for line in result.lines} == managed & custom


def test_production_examples_state_their_usage_and_lab_examples_take_the_defaults():
    lab_prod = parse_assumptions(
        yaml.safe_load((ROOT / "Pulumi.lab-prod.yaml").read_text())["config"]["hlz:cost"]
    )
    assert lab_prod.token_utilisation == 0.05
    assert example_estimate("lab-dev").assumptions.token_utilisation == 0.02


def readme_costs() -> tuple[str, dict[str, tuple[str, int]]]:
    """The README's price-table date and, per example stack, its total and unknown count."""
    text = (ROOT / "README.md").read_text()
    date = re.search(r"Azure Retail Prices of\s+(\d{4}-\d{2}-\d{2})", text)
    assert date, "README: no 'Azure Retail Prices of YYYY-MM-DD' next to the cost table"
    rows = {
        match["stack"]: (match["total"], int(match["unknown"]))
        for match in re.finditer(
            r"^\| `(?P<stack>[\w-]+)` \| [^|]+ \| (?P<total>\$[\d,]+\.\d\d) \| (?P<unknown>\d+) \|",
            text,
            re.M,
        )
    }
    return date[1], rows


def test_the_readme_cost_table_is_what_hlz_cost_prints_for_each_example():
    date, rows = readme_costs()
    assert date == load_price_table().date.isoformat()
    expected = {
        stack: (f"${example_estimate(stack).total:,.2f}", len(example_estimate(stack).unknown))
        for stack in EXAMPLES
    }
    assert rows == expected


# --- arithmetic, with a table of the test's own -----------------------------------------------


def item(meter: str, price: float, region: str = "eastus2", **fields: Any) -> dict[str, Any]:
    """A price-table item: the API's item for ``meter`` with the source the table records."""
    return retail_item(
        meter, price, region, **{"hlzSource": "https://example.test/answer.json", **fields}
    )


def write_table(tmp_path: Path, items: list[dict[str, Any]], **fields: Any) -> Path:
    document = {
        "schemaVersion": 1,
        "date": "2026-01-01",
        "currency": "USD",
        "regions": ["eastus2"],
        "assembledFrom": "a test",
        "Items": items,
        "missing": [{"meter": "bastion.Basic", "armRegionName": "eastus2", "reason": "not fetched"}],
        **fields,
    }
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(document))
    return path


def plan_of(*resources: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """A plan document of ``(type, name, inputs)`` resources directly under the stack."""
    stack = "urn:pulumi:t::hlz::pulumi:pulumi:Stack::hlz-t"
    steps = [{"op": "create", "urn": stack, "newState": {"urn": stack, "type": "pulumi:pulumi:Stack",
                                                           "custom": False, "inputs": {}}}]
    for token, name, inputs in resources:
        urn = f"urn:pulumi:t::hlz::{token}::{name}"
        steps.append({"op": "create", "urn": urn, "newState": {
            "urn": urn, "type": token, "custom": True, "parent": stack,
            "inputs": {"location": "eastus2", **inputs}}})
    return {"steps": steps, "hlz": {"stack": "t"}}


def price(tmp_path: Path, items: list[dict[str, Any]], *resources, **assumptions) -> Estimate:
    table = load_price_table(write_table(tmp_path, items))
    return estimate(plan_of(*resources), table, CostAssumptions(**assumptions), "test")


FIREWALL = ("azure-native:network:AzureFirewall", "fw", {"sku": {"tier": "Basic"}})


def test_an_hourly_charge_is_its_price_times_the_hours(tmp_path: Path):
    result = price(
        tmp_path,
        [item("firewall.Basic.deployment", 0.395), item("firewall.Basic.data", 0.065)],
        FIREWALL,
        hours_per_month=730,
        firewall_data_gb=100,
    )
    assert [(line.what, round(line.monthly or 0, 2)) for line in result.lines] == [
        ("Basic firewall deployment", 288.35),
        ("data processed", 6.5),
    ]
    assert "hlz:cost.firewallDataGb" in result.lines[1].basis
    assert result.lines[0].sources == ("https://example.test/answer.json",)


def test_tiers_price_each_band_of_the_quantity_at_their_own_price(tmp_path: Path):
    ingestion = [
        item("log_analytics.ingestion", 0.0),
        item("log_analytics.ingestion", 2.76, tierMinimumUnits=5.0),
    ]
    workspace = ("azure-native:operationalinsights:Workspace", "logs", {"retentionInDays": 30})
    result = price(tmp_path, ingestion, workspace, log_ingestion_gb=12)
    assert [round(line.monthly or 0, 2) for line in result.lines] == [round(7 * 2.76, 2)]
    small = price(tmp_path, ingestion, workspace, log_ingestion_gb=4)
    assert small.total == 0.0 and small.lines[0].status == PRICED


def test_a_price_the_table_lacks_is_unknown_with_its_reason_and_never_counted(tmp_path: Path):
    bastion = ("azure-native:network:BastionHost", "bas", {"sku": {"name": "Basic"}})
    result = price(tmp_path, [item("public_ip.Standard", 0.005)], bastion)
    assert [line.status for line in result.lines] == [UNKNOWN]
    assert result.lines[0].monthly is None and result.total == 0.0
    assert "not fetched" in result.lines[0].reason


def test_a_unit_the_model_does_not_count_in_is_unknown_rather_than_mispriced(tmp_path: Path):
    daily = item("firewall.Basic.deployment", 9.48, unitOfMeasure="1/Day")
    result = price(tmp_path, [daily, item("firewall.Basic.data", 0.065)], FIREWALL)
    assert result.lines[0].status == UNKNOWN
    assert "priced per 1/Day, not per 1 Hour or 1/Hour" in result.lines[0].reason


def test_two_prices_for_the_same_tier_and_day_are_unknown_rather_than_a_guess(tmp_path: Path):
    twice = [item("public_ip.Standard", 0.005), item("public_ip.Standard", 0.004, meterId="x")]
    ip = ("azure-native:network:PublicIPAddress", "pip", {"sku": {"name": "Standard"}})
    result = price(tmp_path, twice, ip)
    assert result.lines[0].status == UNKNOWN and "2 prices" in result.lines[0].reason


def test_a_later_price_replaces_an_earlier_one_and_a_future_one_is_not_yet_in_effect(
    tmp_path: Path,
):
    ip = ("azure-native:network:PublicIPAddress", "pip", {"sku": {"name": "Standard"}})
    prices = [
        item("public_ip.Standard", 0.004, effectiveStartDate="2020-01-01T00:00:00Z"),
        item("public_ip.Standard", 0.005, effectiveStartDate="2024-01-01T00:00:00Z"),
        item("public_ip.Standard", 0.009, effectiveStartDate="2027-01-01T00:00:00Z"),
    ]
    result = price(tmp_path, prices, ip, hours_per_month=100)
    assert result.lines[0].monthly == pytest.approx(0.5)


def test_a_region_the_table_was_not_read_for_is_unknown(tmp_path: Path):
    westus = ("azure-native:network:PublicIPAddress", "pip",
              {"sku": {"name": "Standard"}, "location": "westus3"})
    result = price(tmp_path, [item("public_ip.Standard", 0.005)], westus)
    assert "no prices for westus3" in result.lines[0].reason


def test_a_deployments_tokens_follow_its_capacity_and_the_assumptions(tmp_path: Path):
    meters = "model.gpt-4o.2024-11-20.DataZoneStandard"
    deployment = (
        "azure-native:cognitiveservices:Deployment",
        "chat",
        {
            "sku": {"name": "DataZoneStandard", "capacity": 30},
            "properties": {"model": {"name": "gpt-4o", "version": "2024-11-20"}},
        },
    )
    result = price(
        tmp_path,
        [item(f"{meters}.input", 0.00275), item(f"{meters}.output", 0.011)],
        deployment,
        token_utilisation=0.02,
        output_token_share=0.25,
    )
    tokens = 30 * 1000 * 60 * 730 * 0.02
    assert [line.quantity for line in result.lines] == [tokens * 0.75, tokens * 0.25]
    assert result.total == pytest.approx(tokens * 0.75 / 1000 * 0.00275 + tokens / 4 / 1000 * 0.011)


def test_metric_alerts_are_priced_per_time_series_after_the_free_ones(tmp_path: Path):
    series = [item("monitor.metric_alert", 0.0), item("monitor.metric_alert", 0.1,
                                                        tierMinimumUnits=10.0)]
    criteria = {"allOf": [{"metricName": f"m{n}"} for n in range(6)]}
    alert = ("azure-native:monitor:MetricAlert", "alert",
             {"criteria": criteria, "scopes": ["/a", "/b"]})
    result = price(tmp_path, series, alert)
    assert [(line.quantity, round(line.monthly or 0, 2)) for line in result.lines] == [(12, 0.2)]
    assert result.lines[0].basis == "12 time series: 6 criteria x 2 scope(s)"


def test_a_type_the_model_does_not_know_says_so(tmp_path: Path):
    result = price(tmp_path, [], ("azure-native:sql:Server", "db", {}))
    assert result.lines[0].status == UNKNOWN
    assert result.lines[0].reason == "no pricing rule for this type in hlz.cost.model"


def test_a_control_plane_resource_is_free_with_the_reason(tmp_path: Path):
    result = price(tmp_path, [], ("azure-native:network:NetworkSecurityGroup", "nsg", {}))
    assert [(line.status, line.monthly, line.reason) for line in result.lines] == [
        (FREE, 0.0, "network security groups have no charge")
    ]


def test_a_malformed_table_is_a_usage_error_naming_each_json_path(tmp_path: Path):
    bad = item("public_ip.Standard", -1)
    del bad["hlzSource"]
    path = write_table(tmp_path, [bad], date="last week", missing=[{"meter": "nope"}])
    code, out, err = run_hlz("cost", "lz-dev", "--plan", save_plan(tmp_path, "lz-dev"),
                             "--prices", path)
    assert code == 2 and out == ""
    for where in ("date", "Items[0].hlzSource", "Items[0].retailPrice", "missing[0]"):
        assert f"{path}: {where}:" in err, err
    assert "Traceback" not in err


# --- hlz:cost ---------------------------------------------------------------------------------


def stack_file_with_cost(tmp_path: Path, stack: str, cost: Any) -> Path:
    document = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    document["config"]["hlz:cost"] = cost
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_bad_assumptions_are_exit_2_naming_every_key_before_anything_is_planned(tmp_path: Path):
    path = stack_file_with_cost(
        tmp_path, "lz-dev", {"tokenUtilisation": 2, "hoursPerMonth": True, "firewallDataGB": 5}
    )
    code, out, err = run_hlz("cost", "lz-dev", "--stack-file", path)
    assert (code, out) == (2, "")
    assert "Planning" not in err
    assert "hlz:cost.tokenUtilisation: Input should be less than or equal to 1" in err
    assert "hlz:cost.hoursPerMonth: Input should be a valid number" in err
    assert "hlz:cost.firewallDataGB: unknown key (did you mean 'firewallDataGb'?)" in err


def test_hlz_plan_validates_hlz_cost_like_every_other_key(tmp_path: Path):
    path = stack_file_with_cost(tmp_path, "lz-dev", {"peeringGb": -1})
    code, _, err = run_hlz("plan", "lz-dev", "--stack-file", path, "--quiet")
    assert code == 2, err
    assert "hlz:cost.peeringGb: Input should be greater than or equal to 0" in err


def test_an_assumption_changes_only_the_lines_that_use_it(tmp_path: Path):
    plan = save_plan(tmp_path, "lz-dev")
    path = stack_file_with_cost(tmp_path, "lz-dev", {"firewallDataGb": 1000})
    code, before, err = run_hlz("cost", "lz-dev", "--plan", plan, "--json")
    assert code == 0, err
    # --plan reads hlz:cost from Pulumi.<STACK>.yaml; --stack-file plans with another file.
    code, changed, err = run_hlz("cost", "lz-dev", "--stack-file", path, "--json")
    assert code == 0, err
    old, new = json.loads(before), json.loads(changed)
    difference = {
        (a["resource"], a["charge"]): round(b["monthly"] - a["monthly"], 2)
        for a, b in zip(old["lines"], new["lines"], strict=True)
        if a["status"] == PRICED and a["monthly"] != b["monthly"]
    }
    assert difference == {("network:AzureFirewall::hub-firewall-fw", "data processed"): 58.5}
    assert new["assumptions"]["firewallDataGb"] == 1000
    assert "hlz:cost" in new["assumptionsFrom"]


# --- the command ------------------------------------------------------------------------------


def test_cost_json_has_every_line_with_its_basis_and_the_tables_date(tmp_path: Path):
    code, out, err = run_hlz("cost", "lab-dev", "--plan", save_plan(tmp_path, "lab-dev"), "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["priceTable"]["date"] == "2026-08-15"
    assert document["total"]["complete"] is False
    assert document["total"]["monthly"] == round(example_estimate("lab-dev").total, 2)
    statuses = {line["status"] for line in document["lines"]}
    assert statuses == {PRICED, FREE, UNKNOWN}
    search = [line for line in document["lines"] if line["resource"].startswith("search:Service")]
    assert search[0]["rate"] == "$0.336 per 1 Hour"
    assert search[0]["monthly"] == pytest.approx(0.336 * 730)
    assert sum(c["monthly"] for c in document["components"]) == pytest.approx(
        document["total"]["monthly"], abs=0.05
    )


def test_cost_plans_the_stack_itself_without_plan(tmp_path: Path):
    code, out, err = run_hlz("cost", "lz-dev", "--json")
    assert code == 0, err
    assert "Planning lz-dev" in err
    assert json.loads(out)["total"]["monthly"] == round(example_estimate("lz-dev").total, 2)


def test_usage_problems_are_reported_at_once_with_exit_2(tmp_path: Path):
    plan = save_plan(tmp_path, "lz-dev")
    code, out, err = run_hlz(
        "cost", "lz-dev", "--plan", plan, "--stack-file", plan, "--base", plan,
        "--base-dir", tmp_path / "nowhere",
    )
    assert (code, out) == (2, "")
    assert "--plan and --stack-file: give one" in err
    assert "--base and --base-dir: give one" in err
    assert f"--base-dir {tmp_path / 'nowhere'}: not a directory" in err


def test_a_plan_of_another_stack_or_an_unknown_stack_is_exit_2(tmp_path: Path):
    code, _, err = run_hlz("cost", "lz-prod", "--plan", save_plan(tmp_path, "lz-dev"))
    assert code == 2 and "is a plan of 'lz-dev', not of 'lz-prod'" in err
    code, _, err = run_hlz("cost", "lz-nowhere")
    assert code == 2 and "unknown stack" in err


def test_the_difference_from_a_base_plan_is_per_component(tmp_path: Path):
    head = planned("lab-dev").to_json()
    base = json.loads(json.dumps(head))
    base["steps"] = [s for s in base["steps"] if s["newState"]["type"] != "azure-native:search:Service"]
    base_path = tmp_path / "base" / "lab-dev.plan.json"
    base_path.parent.mkdir()
    base_path.write_text(json.dumps(base))
    markdown = tmp_path / "cost-lab-dev.md"
    code, out, err = run_hlz(
        "cost", "lab-dev", "--plan", save_plan(tmp_path, "lab-dev"),
        "--base-dir", base_path.parent, "--json", "--markdown", markdown,
    )
    assert code == 0, err
    comparison = json.loads(out)["base"]
    search = 0.336 * 730
    assert comparison["change"] == pytest.approx(search, abs=0.01)
    changed = {c["component"]: c["change"] for c in comparison["components"] if c["change"]}
    assert changed == {"hlz:ai:Search search": pytest.approx(search, abs=0.01)}
    text = markdown.read_text()
    assert f"Against the base branch: **+${search:,.2f}**" in text
    assert f"| `hlz:ai:Search search` | $0.00 | ${search:,.2f} | +${search:,.2f} |" in text


def test_a_stack_the_base_branch_did_not_plan_is_reported_as_new(tmp_path: Path):
    empty = tmp_path / "base-plans"
    empty.mkdir()
    markdown = tmp_path / "cost-lz-dev.md"
    code, out, err = run_hlz(
        "cost", "lz-dev", "--plan", save_plan(tmp_path, "lz-dev"), "--base-dir", empty,
        "--markdown", markdown,
    )
    assert code == 0, err
    assert "The base branch has no plan of `lz-dev`" in out
    assert "The base branch has no plan of `lz-dev`" in markdown.read_text()


def test_the_cost_section_renders_every_component_and_the_total():
    result = example_estimate("lz-prod")
    text = cost_markdown(result)
    for component in result.components:
        assert f"| `{component.component}` | ${component.monthly:,.2f} |" in text
    assert f"| **total** | **${result.total:,.2f}** | {len(result.unknown)} |" in text
    assert "Azure Retail Prices of 2026-08-15" in text
    same = cost_markdown(result, Comparison(result, result))
    assert "Against the base branch: **no change**" in same


def test_the_checked_in_table_is_the_default(tmp_path: Path):
    code, out, _ = run_hlz("cost", "lz-dev", "--plan", save_plan(tmp_path, "lz-dev"), "--json")
    assert code == 0 and json.loads(out)["priceTable"]["path"] == str(PRICES_FILE)


def test_pull_requests_get_every_stacks_cost_and_its_difference_from_the_base_branch():
    """pr.yml plans the base branch (its own checkout, no credentials) and writes
    plans/cost-<stack>.md with --base-dir for every stack: the comment step posts plans/*.md."""
    import shlex
    import subprocess

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pr.yml").read_text())
    steps = workflow["jobs"]["plan"]["steps"]
    checkout = next(s for s in steps if s.get("with", {}).get("path") == "base")
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert checkout["with"]["persist-credentials"] is False
    base_plan = next(s for s in steps if s.get("working-directory") == "base")
    assert "-m hlz plan --all --out-dir ../base-plans" in base_plan["run"]
    script = next(s["run"] for s in steps if s.get("name") == "Estimate the monthly cost of "
                  "every stack")  # fmt: skip
    loop = re.search(
        r"while read -r stack; do\n(?P<body>.*?)\n\s*done < <\((?P<source>[^\n]*)\)\n",
        script,
        re.DOTALL,
    )
    assert loop, script
    body = loop["body"].replace("\\\n", " ").split("||")[0]
    assert shlex.split(body) == [
        ".venv/bin/hlz", "cost", "$stack", "--plan", "plans/${stack}.plan.json",
        "--base-dir", "base-plans", "--markdown", "plans/cost-${stack}.md",
    ]  # fmt: skip
    # The loop's list: `hlz stacks --json` through the workflow's own jq filter, run here.
    lister, _, jq_filter = loop["source"].partition(" | ")
    assert shlex.split(lister) == [".venv/bin/hlz", "stacks", "--json"]
    code, matrix, err = run_hlz("stacks", "--json")
    assert code == 0, err
    jq = subprocess.run(
        shlex.split(jq_filter), input=matrix, capture_output=True, text=True, check=True
    )
    assert jq.stdout.split() == sorted(EXAMPLES)
    names = [s.get("name", "") for s in steps]
    assert names.index("Estimate the monthly cost of every stack") < names.index(
        "Write the policy reports"
    )


def test_a_stack_program_that_fails_while_planning_is_exit_3(capsys):
    """As ``hlz plan`` reports it: the program's own exception, not a usage error."""
    from hlz.cli import _parser
    from hlz.cost import run_cost

    class FailingPlanner:
        def planned(self, stack: str) -> None:
            raise RuntimeError("the subnet table is empty")

    args = _parser().parse_args(["cost", "lz-dev"])
    assert run_cost(args, planner=FailingPlanner()) == 3  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert "hlz: the stack program failed: RuntimeError: the subnet table is empty" in err
