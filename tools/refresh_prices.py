"""Rebuild ``hlz/cost/prices.json``, the dated price table ``hlz cost`` reads, from the Azure
Retail Prices API: exactly the meters ``hlz.cost.meters.METERS`` catalogues, in the regions
asked for, each item as the API returned it plus ``hlzSource`` (the page it came from).

    python tools/refresh_prices.py                              # online: every allowed US region
    python tools/refresh_prices.py --regions eastus2 centralus  # online: these regions
    python tools/refresh_prices.py --from-snapshot DIR --source-url URL --date YYYY-MM-DD \\
        --regions eastus2 centralus westus2                     # offline, from saved responses

Online, it asks ``GET <endpoint>?api-version=2023-01-01-preview&$filter=serviceName eq 'S' and
armRegionName eq 'R' and priceType eq 'Consumption'`` once per service and region (and once per
service for meters billed outside regions: ``Global``, or ``''`` for Azure DNS), follows
``NextPageLink`` (same scheme and host only), waits out 429 and 5xx answers (``Retry-After``,
at most ``MAX_ATTEMPTS`` tries) and stops with an error naming the URL on a page that is not a
Retail Prices answer. Nothing is written unless every query succeeded.

``--from-snapshot DIR`` reads saved API answers instead (``DIR/<region>/*.json``, each an API
response with ``Items``), as the checked-in table was assembled (docs/cost.md): ``--source-url``
is prefixed to each file's path below DIR to record where every item came from, and ``--date``
is the day the snapshot was taken.

A meter the answers do not hold is listed under ``missing`` with the reason, and ``hlz cost``
reports the lines needing it as "price unknown": the script never invents a price.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hlz.cost.meters import METERS, Meter  # noqa: E402
from hlz.cost.table import PRICES_FILE, SCHEMA_VERSION, table_problems  # noqa: E402
from policies.clock import utc_today  # noqa: E402
from policies.vocabulary import ALLOWED_LOCATIONS  # noqa: E402

ENDPOINT = "https://prices.azure.com/api/retail/prices"
API_VERSION = "2023-01-01-preview"
MAX_ATTEMPTS = 6
MAX_WAIT_SECONDS = 60.0
MAX_PAGES = 200
"""Pages one query may return before the refresh gives up (the API pages 100-1,000 items)."""
TIMEOUT_SECONDS = 60.0
ITEM_KEY = (
    "armRegionName",
    "serviceName",
    "productName",
    "skuName",
    "meterName",
    "tierMinimumUnits",
    "effectiveStartDate",
    "meterId",
    "skuId",
)


class RefreshError(Exception):
    """The API (or a snapshot) could not be read as Retail Prices answers: nothing is written."""


@dataclass(frozen=True)
class Query:
    service: str
    region: str
    """``armRegionName`` asked for: a region, ``Global`` or ``""``."""

    def filter(self) -> str:
        service = self.service.replace("'", "''")
        return (
            f"serviceName eq '{service}' and armRegionName eq '{self.region}' "
            "and priceType eq 'Consumption'"
        )


def queries(regions: Sequence[str], meters: Mapping[str, Meter] = METERS) -> list[Query]:
    """One query per service and region the catalogue needs, in a stable order."""
    wanted: set[Query] = set()
    for meter in meters.values():
        if meter.billing_region is None:
            wanted.update(Query(meter.service, region) for region in regions)
        else:
            wanted.add(Query(meter.service, meter.billing_region))
    return sorted(wanted, key=lambda q: (q.region, q.service))


# --- online -----------------------------------------------------------------------------------

Opener = Callable[[str, float], tuple[int, Mapping[str, str], bytes]]
"""(url, timeout) -> (HTTP status, headers, body): the network, replaceable in tests."""


def _urlopen(url: str, timeout: float) -> tuple[int, Mapping[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - https
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers or {}), error.read()


def _wait(headers: Mapping[str, str], attempt: int) -> float:
    retry_after = {k.lower(): v for k, v in headers.items()}.get("retry-after", "")
    try:
        seconds = float(retry_after)
    except ValueError:
        seconds = 2.0**attempt
    return max(0.0, min(seconds, MAX_WAIT_SECONDS))


def _get_page(url: str, opener: Opener, sleep: Callable[[float], None]) -> dict[str, Any]:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            status, headers, body = opener(url, TIMEOUT_SECONDS)
        except (OSError, urllib.error.URLError) as error:
            raise RefreshError(f"{url}: cannot be reached ({error})") from None
        if status == 429 or status >= 500:
            if attempt == MAX_ATTEMPTS:
                raise RefreshError(f"{url}: HTTP {status} after {MAX_ATTEMPTS} attempts")
            sleep(_wait(headers, attempt))
            continue
        if status != 200:
            excerpt = body[:200].decode("utf-8", "replace")
            raise RefreshError(f"{url}: HTTP {status}: {excerpt}")
        try:
            page = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RefreshError(f"{url}: the answer is not JSON ({error})") from None
        problem = page_problem(page)
        if problem is not None:
            raise RefreshError(f"{url}: not a Retail Prices answer: {problem}")
        return page
    raise AssertionError("unreachable")


def page_problem(page: Any) -> str | None:
    """Why ``page`` is not a Retail Prices API answer, or None."""
    if not isinstance(page, dict):
        return "the answer is not an object"
    items = page.get("Items")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return "Items is missing or not a list of objects"
    link = page.get("NextPageLink")
    if link is not None and not isinstance(link, str):
        return "NextPageLink is not text"
    return None


def _same_origin(url: str, endpoint: str) -> bool:
    first, second = urllib.parse.urlsplit(url), urllib.parse.urlsplit(endpoint)
    return (first.scheme, first.hostname, first.port or _default_port(first.scheme)) == (
        second.scheme,
        second.hostname,
        second.port or _default_port(second.scheme),
    )


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def fetch(
    query: Query,
    endpoint: str = ENDPOINT,
    opener: Opener = _urlopen,
    sleep: Callable[[float], None] | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(page URL, item) for every item the API returns for ``query``, across its pages;
    ``sleep`` waits between retries (default: ``time.sleep``)."""
    wait = sleep or time.sleep
    parameters = urllib.parse.urlencode(
        {"api-version": API_VERSION, "$filter": query.filter()}, quote_via=urllib.parse.quote
    )
    url: str | None = f"{endpoint}?{parameters}"
    pages = 0
    while url:
        pages += 1
        if pages > MAX_PAGES:
            raise RefreshError(f"{query.filter()}: more than {MAX_PAGES} pages")
        page = _get_page(url, opener, wait)
        for item in page["Items"]:
            yield url, item
        link = page.get("NextPageLink")
        if link and not _same_origin(link, endpoint):
            raise RefreshError(f"{url}: NextPageLink {link} leaves {endpoint}")
        url = link or None


# --- offline, from saved answers --------------------------------------------------------------


def snapshot_items(directory: Path, source_url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(source, item) for every item of every saved answer ``DIR/<region>/*.json``."""
    if not directory.is_dir():
        raise RefreshError(f"{directory}: not a directory of saved Retail Prices answers")
    for path in sorted(directory.glob("*/*.json")):
        relative = path.relative_to(directory).as_posix()
        try:
            page = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RefreshError(f"{path}: not JSON ({error})") from None
        problem = page_problem(page)
        if problem is not None:
            raise RefreshError(f"{path}: not a Retail Prices answer: {problem}")
        for item in page["Items"]:
            yield f"{source_url.rstrip('/')}/{relative}", item


# --- the table --------------------------------------------------------------------------------


def select(
    sourced: Iterable[tuple[str, dict[str, Any]]],
    regions: Sequence[str],
    meters: Mapping[str, Meter] = METERS,
) -> list[dict[str, Any]]:
    """The items that price a catalogued meter in one of ``regions`` (or its fixed billing
    region), each once, with ``hlzSource``; sorted so a refresh diffs line by line."""
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
    for source, item in sourced:
        if not any(
            meter.matches(item, region)
            for meter in meters.values()
            for region in (regions if meter.billing_region is None else [meter.billing_region])
        ):
            continue
        key = tuple(item.get(field) for field in (*ITEM_KEY, "type"))
        kept.setdefault(key, {**item, "hlzSource": source})
    return sorted(kept.values(), key=lambda item: tuple(str(item.get(f)) for f in ITEM_KEY))


def missing(
    items: Sequence[Mapping[str, Any]],
    regions: Sequence[str],
    reason: str,
    meters: Mapping[str, Meter] = METERS,
) -> list[dict[str, str]]:
    """Every catalogued meter and billing region with no item, with ``reason``."""
    found = []
    for key, meter in meters.items():
        for region in regions if meter.billing_region is None else [meter.billing_region]:
            if not any(meter.matches(item, region) for item in items):
                found.append({"meter": key, "armRegionName": region, "reason": reason})
    return found


def table(
    items: list[dict[str, Any]],
    regions: Sequence[str],
    date: dt.date,
    assembled_from: str,
    missing_reason: str,
) -> dict[str, Any]:
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "date": date.isoformat(),
        "currency": "USD",
        "regions": list(regions),
        "assembledFrom": assembled_from,
        "Items": items,
        "missing": missing(items, regions, missing_reason),
    }
    problems = table_problems(document)
    if problems:
        raise RefreshError("; ".join(f"{where}: {message}" for where, message in problems))
    return document


def render(document: Mapping[str, Any]) -> str:
    """The table as JSON with one item per line (a refresh diffs as changed items)."""
    head = {key: value for key, value in document.items() if key not in ("Items", "missing")}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
    for name in ("Items", "missing"):
        entries = document[name]
        lines.append(f'  "{name}": [')
        lines += [
            f"    {json.dumps(entry, sort_keys=True)}{',' if i < len(entries) - 1 else ''}"
            for i, entry in enumerate(entries)
        ]
        lines.append("  ]," if name == "Items" else "  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def refresh_online(
    regions: Sequence[str],
    endpoint: str = ENDPOINT,
    opener: Opener = _urlopen,
    sleep: Callable[[float], None] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    sourced: list[tuple[str, dict[str, Any]]] = []
    for query in queries(regions):
        sourced += fetch(query, endpoint, opener, sleep)
    items = select(sourced, regions)
    return table(
        items,
        regions,
        today or utc_today(),
        f"Azure Retail Prices API ({endpoint}, api-version {API_VERSION}), read by "
        "tools/refresh_prices.py",
        "the Retail Prices API returned no Consumption item for this meter",
    )


def refresh_from_snapshot(
    directory: Path, source_url: str, regions: Sequence[str], date: dt.date
) -> dict[str, Any]:
    items = select(snapshot_items(directory, source_url), regions)
    return table(
        items,
        regions,
        date,
        f"saved Azure Retail Prices API answers of {date.isoformat()} ({source_url}), selected "
        "by tools/refresh_prices.py --from-snapshot",
        "not in the saved answers the table was assembled from",
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--regions",
        nargs="+",
        default=list(ALLOWED_LOCATIONS),
        choices=ALLOWED_LOCATIONS,
        metavar="REGION",
        help="armRegionName values to read (default: every allowed US region)",
    )
    parser.add_argument("--endpoint", default=ENDPOINT, help="Retail Prices API endpoint")
    parser.add_argument("--out", type=Path, default=PRICES_FILE, help="where to write the table")
    parser.add_argument("--from-snapshot", type=Path, metavar="DIR", help="saved answers")
    parser.add_argument("--source-url", help="with --from-snapshot: URL of DIR")
    parser.add_argument("--date", type=_date, help="with --from-snapshot: the snapshot's day")
    args = parser.parse_args(argv)
    regions = list(dict.fromkeys(args.regions))
    try:
        if args.from_snapshot is not None:
            if not args.source_url or args.date is None:
                parser.error("--from-snapshot needs --source-url and --date")
            document = refresh_from_snapshot(
                args.from_snapshot, args.source_url, regions, args.date
            )
        else:
            document = refresh_online(regions, args.endpoint)
    except RefreshError as error:
        print(f"refresh_prices: {error}; nothing written", file=sys.stderr)
        return 1
    args.out.write_text(render(document), encoding="utf-8")
    print(
        f"Wrote {args.out}: {len(document['Items'])} items, {len(document['missing'])} meters "
        f"missing, dated {document['date']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
