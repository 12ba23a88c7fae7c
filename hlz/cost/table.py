"""The checked-in, dated price table (``hlz/cost/prices.json``): read it, check its shape, and
answer "what does this meter cost in this region" with the tiers and the item each price came
from, or why the table cannot say.

The file keeps the Azure Retail Prices API's item shape (``Items`` as the API returns them, each
with an ``hlzSource`` naming where it was read), so ``tools/refresh_prices.py`` replaces it
wholesale; see docs/cost.md for how it was assembled and what is missing.

| key              | shape                                                                 |
|------------------|-----------------------------------------------------------------------|
| ``date``         | ``YYYY-MM-DD``: the day the prices were read from the API             |
| ``currency``     | ``USD``                                                               |
| ``regions``      | the ``armRegionName`` values whose regional meters were read          |
| ``assembledFrom``| how the table was made (one sentence)                                 |
| ``Items``        | Retail Prices API items, each with ``hlzSource``                      |
| ``missing``      | ``{meter, armRegionName, reason}``: catalogued meters not found        |

A table that is not this shape is a ConfigError naming the JSON path (exit 2), before anything
is priced.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.errors import ConfigError
from hlz.cost.meters import METERS, Meter

PRICES_FILE = Path(__file__).with_name("prices.json")
SOURCE = "price table"
SCHEMA_VERSION = 1

UNIT_SIZES = {"10K": 10_000, "1K": 1_000, "100K": 100_000, "1M": 1_000_000, "10K/Month": 10_000}
"""``unitOfMeasure`` values that count more than one of what the model counts (operations,
tokens, requests); every other unit prices one hour, GB, month or item."""

REQUIRED_ITEM_FIELDS: dict[str, type | tuple[type, ...]] = {
    "currencyCode": str,
    "tierMinimumUnits": (int, float),
    "retailPrice": (int, float),
    "armRegionName": str,
    "effectiveStartDate": str,
    "meterId": str,
    "meterName": str,
    "productName": str,
    "skuName": str,
    "serviceName": str,
    "unitOfMeasure": str,
    "type": str,
    "hlzSource": str,
}
"""What pricing reads from an item (the API's other fields are kept, not required)."""


@dataclass(frozen=True)
class Tier:
    minimum: float
    """``tierMinimumUnits``: the price applies from this many units on."""
    price: float
    """``retailPrice`` per unit."""


@dataclass(frozen=True)
class Rate:
    """A meter's price in one region: its tiers, its unit and where each price came from."""

    key: str
    meter: Meter
    region: str
    unit: str
    tiers: tuple[Tier, ...]
    sources: tuple[str, ...]
    effective: str
    """The latest ``effectiveStartDate`` among the items used (YYYY-MM-DD)."""

    @property
    def unit_size(self) -> int:
        return UNIT_SIZES.get(self.unit, 1)

    def cost(self, quantity: float) -> float:
        """Monthly cost of ``quantity`` base units (hours, GB, tokens, operations...): each
        tier's price applies to the units that fall in its band."""
        units = quantity / self.unit_size
        total = 0.0
        for index, tier in enumerate(self.tiers):
            upper = self.tiers[index + 1].minimum if index + 1 < len(self.tiers) else None
            if units <= tier.minimum:
                break
            band = (units if upper is None else min(units, upper)) - tier.minimum
            total += band * tier.price
        return total

    def price_text(self) -> str:
        first = self.tiers[0]
        text = f"${first.price:g} per {self.unit}"
        if len(self.tiers) > 1:
            rest = ", ".join(f"${t.price:g} from {t.minimum:g}" for t in self.tiers[1:])
            text += f" ({rest})"
        return text


@dataclass(frozen=True)
class NoRate:
    """Why the table has no usable price for a meter in a region."""

    key: str
    meter: Meter
    region: str
    reason: str


@dataclass(frozen=True)
class PriceTable:
    path: Path
    date: dt.date
    currency: str
    regions: tuple[str, ...]
    assembled_from: str
    items: tuple[Mapping[str, Any], ...]
    missing: tuple[Mapping[str, Any], ...]

    def rate(self, key: str, region: str) -> Rate | NoRate:
        """The price of meter ``key`` for a resource in ``region``, or why there is none."""
        meter = METERS[key]
        billing_region = region if meter.billing_region is None else meter.billing_region
        shown = billing_region or "the no-region zone"
        found = [item for item in self.items if meter.matches(item, region) and self._current(item)]
        if not found:
            if meter.billing_region is None and region not in self.regions:
                return NoRate(
                    key, meter, region,
                    f"the price table has no prices for {region} (it has "
                    f"{', '.join(self.regions)}); refresh it for this region",
                )
            recorded = next(
                (
                    entry["reason"]
                    for entry in self.missing
                    if entry.get("meter") == key and entry.get("armRegionName") == billing_region
                ),
                "not in the price table",
            )
            return NoRate(key, meter, region, f"no price in {shown}: {recorded}")
        units = {item["unitOfMeasure"] for item in found}
        products = {item["productName"] for item in found}
        if len(products) > 1:
            return NoRate(
                key, meter, region,
                f"in {shown} it matches several products: {sorted(products)}",
            )
        unit = next(iter(units))
        if len(units) > 1 or unit not in meter.units:
            return NoRate(
                key, meter, region,
                f"in {shown} it is priced per {', '.join(sorted(units))}, not per "
                f"{' or '.join(meter.units)} as the model counts it",
            )
        by_tier: dict[float, list[Mapping[str, Any]]] = {}
        for item in found:
            by_tier.setdefault(float(item["tierMinimumUnits"]), []).append(item)
        tiers = []
        sources = []
        effective = ""
        for minimum in sorted(by_tier):
            latest = max(item["effectiveStartDate"] for item in by_tier[minimum])
            current = [item for item in by_tier[minimum] if item["effectiveStartDate"] == latest]
            prices = {float(item["retailPrice"]) for item in current}
            if len(prices) > 1:
                return NoRate(
                    key, meter, region,
                    f"in {shown} it has {len(prices)} prices from {latest[:10]} "
                    f"for the same tier: {sorted(prices)}",
                )
            tiers.append(Tier(minimum, prices.pop()))
            sources += sorted({item["hlzSource"] for item in current})
            effective = max(effective, latest[:10])
        if tiers[0].minimum != 0:
            return NoRate(
                key, meter, region, f"in {shown} it has no tier starting at 0"
            )
        return Rate(
            key, meter, region, unit, tuple(tiers), tuple(dict.fromkeys(sources)), effective
        )

    def _current(self, item: Mapping[str, Any]) -> bool:
        """In effect on the table's date: started on or before it, not ended before it."""
        day = self.date.isoformat()
        end = item.get("effectiveEndDate")
        return item["effectiveStartDate"][:10] <= day and (
            not isinstance(end, str) or end[:10] >= day
        )


def load_price_table(path: Path | None = None) -> PriceTable:
    """The price table at ``path`` (default: the checked-in one); raises ConfigError listing
    every shape problem at its JSON path."""
    path = path or PRICES_FILE
    label = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([(label, "no such file")], SOURCE) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([(label, f"cannot be read ({error})")], SOURCE) from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            [(label, f"is not JSON: {error.msg} at line {error.lineno}")], SOURCE
        ) from None
    problems = table_problems(document)
    if problems:
        raise ConfigError([(f"{label}: {where}", message) for where, message in problems], SOURCE)
    return PriceTable(
        path=path,
        date=dt.date.fromisoformat(document["date"]),
        currency=document["currency"],
        regions=tuple(document["regions"]),
        assembled_from=document["assembledFrom"],
        items=tuple(document["Items"]),
        missing=tuple(document["missing"]),
    )


def table_problems(document: Any) -> list[tuple[str, str]]:
    """Every shape problem of a price table document, as (JSON path, message)."""
    if not isinstance(document, dict):
        return [("$", "must be an object")]
    problems: list[tuple[str, str]] = []
    if document.get("schemaVersion") != SCHEMA_VERSION:
        problems.append(("schemaVersion", f"must be {SCHEMA_VERSION}"))
    date = document.get("date")
    try:
        dt.date.fromisoformat(date)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        problems.append(("date", f"must be a date YYYY-MM-DD, not {date!r}"))
    if document.get("currency") != "USD":
        problems.append(("currency", "must be USD"))
    if not _strings(document.get("regions")):
        problems.append(("regions", "must be a list of region names"))
    if not isinstance(document.get("assembledFrom"), str):
        problems.append(("assembledFrom", "must be text saying how the table was made"))
    items = document.get("Items")
    if not isinstance(items, list):
        problems.append(("Items", "must be a list of Retail Prices API items"))
    else:
        for index, item in enumerate(items):
            problems += _item_problems(f"Items[{index}]", item)
    missing = document.get("missing")
    if not isinstance(missing, list):
        problems.append(("missing", "must be a list"))
    else:
        for index, entry in enumerate(missing):
            where = f"missing[{index}]"
            if not isinstance(entry, dict) or not all(
                isinstance(entry.get(field), str) for field in ("meter", "armRegionName", "reason")
            ):
                problems.append((where, "must be {meter, armRegionName, reason}, each text"))
            elif entry["meter"] not in METERS:
                problems.append((f"{where}.meter", f"{entry['meter']!r} is no catalogued meter"))
    return problems


def _item_problems(where: str, item: Any) -> list[tuple[str, str]]:
    if not isinstance(item, dict):
        return [(where, "must be an object")]
    problems = []
    for field, kind in REQUIRED_ITEM_FIELDS.items():
        value = item.get(field)
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append((f"{where}.{field}", f"is missing or not {_kind_name(kind)}"))
    price = item.get("retailPrice")
    if isinstance(price, int | float) and not isinstance(price, bool) and price < 0:
        problems.append((f"{where}.retailPrice", "must not be negative"))
    if item.get("currencyCode", "USD") != "USD":
        problems.append((f"{where}.currencyCode", "must be USD"))
    return problems


def _kind_name(kind: type | tuple[type, ...]) -> str:
    return "a number" if isinstance(kind, tuple) else "text"


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)

