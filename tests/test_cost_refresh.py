"""tools/refresh_prices.py against a local fake of the Azure Retail Prices API on 127.0.0.1:
it pages through NextPageLink, waits out 429 (without sleeping: the wait is recorded), stops on
a malformed page or a link that leaves the API with an error naming the URL and writes nothing,
and keeps exactly the catalogued meters, each with the page it came from. Also the offline
--from-snapshot mode the checked-in table was assembled with."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hlz.cost.table import load_price_table
from tests.fake_http import LocalServer, Reply, Seen
from tests.price_items import retail_item
from tools import refresh_prices
from tools.refresh_prices import RefreshError, refresh_from_snapshot, refresh_online

REGION = "eastus2"


def api_item(meter: str, price: float, **fields: Any) -> dict[str, Any]:
    return retail_item(meter, price, REGION, **fields)


class FakeApi(LocalServer):
    """Answers by the ``serviceName`` in ``$filter``: ``pages[service]`` is a list of pages
    (the first answered directly, the next through ``?page=N``); ``script`` holds raw answers
    (status, body) to give, in order, before any page."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, list[dict[str, Any]]] = {}
        self.script: list[tuple[int, bytes, dict[str, str]]] = []

    @property
    def base(self) -> str:
        return f"{self.endpoint}/api/retail/prices"

    def answer(self, seen: Seen) -> Reply:
        if self.script:
            return Reply(*self.script.pop(0))
        service = seen.query["$filter"][0].split("'")[1]
        page = int(seen.query.get("page", ["0"])[0])
        pages = self.pages.get(service, [{"Items": []}])
        body = dict(pages[page])
        if page + 1 < len(pages):
            query = urllib.parse.urlencode(
                {name: values[0] for name, values in seen.query.items() if name != "page"}
            )
            body.setdefault("NextPageLink", f"{self.base}?{query}&page={page + 1}")
        return Reply(body=json.dumps(body))


@pytest.fixture
def api() -> Iterator[tuple[FakeApi, str]]:
    with FakeApi() as fake:
        yield fake, fake.base


def test_pages_are_followed_and_only_catalogued_meters_are_kept(api):
    fake, endpoint = api
    fake.pages["Azure Firewall"] = [
        {"Items": [api_item("firewall.Basic.deployment", 0.395)]},
        {
            "Items": [
                api_item("firewall.Basic.data", 0.065),
                api_item("firewall.Basic.data", 0.0, meterName="Basic Trial Data Processed"),
            ]
        },
    ]
    waits: list[float] = []
    document = refresh_online([REGION], endpoint, sleep=waits.append)
    firewall = [item for item in document["Items"] if item["serviceName"] == "Azure Firewall"]
    assert sorted(item["meterName"] for item in firewall) == ["Basic Data Processed",
                                                               "Basic Deployment"]
    assert all(item["hlzSource"].startswith(endpoint) for item in firewall)
    assert any("page=1" in item["hlzSource"] for item in firewall)
    missing = {(entry["meter"], entry["armRegionName"]) for entry in document["missing"]}
    assert ("firewall.Basic.deployment", REGION) not in missing
    assert ("firewall.Standard.deployment", REGION) in missing
    assert waits == []
    queried = {seen.query["$filter"][0] for seen in fake.seen}
    assert ("serviceName eq 'Virtual Network' and armRegionName eq 'Global' "
            "and priceType eq 'Consumption'") in queried
    assert ("serviceName eq 'Azure DNS' and armRegionName eq '' "
            "and priceType eq 'Consumption'") in queried


def test_429_is_waited_out_as_retry_after_says(api):
    fake, endpoint = api
    fake.script = [(429, b"slow down", {"Retry-After": "7"}), (503, b"busy", {})]
    waits: list[float] = []
    document = refresh_online([REGION], endpoint, sleep=waits.append)
    assert waits == [7.0, 4.0]
    assert document["Items"] == []


def test_throttled_past_the_retries_is_an_error_naming_the_url(api):
    fake, endpoint = api
    fake.script = [(429, b"", {"Retry-After": "1"})] * refresh_prices.MAX_ATTEMPTS
    with pytest.raises(RefreshError, match=r"http://127\.0\.0\.1:\d+/api/retail/prices\?.*: HTTP "
                       r"429 after 6 attempts"):
        refresh_online([REGION], endpoint, sleep=lambda _: None)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>maintenance</html>", "the answer is not JSON"),
        (b'{"Items": {"not": "a list"}}', "not a Retail Prices answer: Items is missing"),
        (b'{"Items": [], "NextPageLink": 5}', "NextPageLink is not text"),
    ],
)
def test_a_malformed_page_is_an_error_naming_the_url(api, body: bytes, problem: str):
    fake, endpoint = api
    fake.script = [(200, body, {})]
    with pytest.raises(RefreshError) as raised:
        refresh_online([REGION], endpoint, sleep=lambda _: None)
    assert str(raised.value).startswith(f"{endpoint}?")
    assert problem in str(raised.value)


def test_a_next_page_link_off_the_api_is_refused(api):
    fake, endpoint = api
    fake.pages["Azure Firewall"] = [
        {"Items": [], "NextPageLink": "https://elsewhere.example/prices?page=1"}
    ]
    with pytest.raises(RefreshError, match="NextPageLink https://elsewhere.example/prices"):
        refresh_online([REGION], endpoint, sleep=lambda _: None)


def test_the_script_writes_nothing_when_a_query_fails(
    api, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    fake, endpoint = api
    fake.script = [(500, b"", {})] * refresh_prices.MAX_ATTEMPTS
    waits: list[float] = []
    monkeypatch.setattr(refresh_prices.time, "sleep", waits.append)
    out = tmp_path / "prices.json"
    code = refresh_prices.main(["--regions", REGION, "--endpoint", endpoint, "--out", str(out)])
    assert code == 1 and not out.exists()
    assert len(waits) == refresh_prices.MAX_ATTEMPTS - 1
    assert "nothing written" in capsys.readouterr().err


def test_the_written_table_is_what_hlz_cost_reads(api, tmp_path: Path):
    fake, endpoint = api
    fake.pages["Virtual Network"] = [{"Items": [api_item("public_ip.Standard", 0.005)]}]
    out = tmp_path / "prices.json"
    code = refresh_prices.main(["--regions", REGION, "--endpoint", endpoint, "--out", str(out)])
    assert code == 0
    table = load_price_table(out)
    rate = table.rate("public_ip.Standard", REGION)
    assert rate.price_text() == "$0.005 per 1 Hour"  # type: ignore[union-attr]


def test_the_snapshot_mode_records_each_items_file(tmp_path: Path):
    region = tmp_path / "snap" / REGION
    region.mkdir(parents=True)
    (region / "key_vault.json").write_text(
        json.dumps({"Items": [api_item("keyvault.operations.Standard", 0.03)]})
    )
    document = refresh_from_snapshot(
        tmp_path / "snap", "https://github.com/o/r/blob/abc/prices", [REGION],
        dt.date(2026, 8, 15),
    )
    assert [item["hlzSource"] for item in document["Items"]] == [
        "https://github.com/o/r/blob/abc/prices/eastus2/key_vault.json"
    ]
    assert document["date"] == "2026-08-15"
    (region / "broken.json").write_text('{"Items": 3}')
    with pytest.raises(RefreshError, match="broken.json: not a Retail Prices answer"):
        refresh_from_snapshot(tmp_path / "snap", "u", [REGION], dt.date(2026, 8, 15))
