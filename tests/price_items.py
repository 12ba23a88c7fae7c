"""Azure Retail Prices API items for tests of ``hlz cost`` and ``tools/refresh_prices.py``."""

from __future__ import annotations

from typing import Any

from hlz.cost.meters import METERS


def retail_item(meter: str, price: float, region: str = "eastus2", **fields: Any) -> dict[str, Any]:
    """An item of the API's answer for catalogued meter ``meter`` (a key of METERS), in the
    API's shape; ``fields`` replace or add keys."""
    selector = METERS[meter]
    return {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": region if selector.billing_region is None else selector.billing_region,
        "location": "US East 2",
        "effectiveStartDate": "2024-01-01T00:00:00Z",
        "meterId": f"id-{meter}",
        "meterName": selector.meter,
        "productId": "P",
        "skuId": "P/1",
        "productName": selector.product or "Some product",
        "skuName": selector.sku or "Some sku",
        "serviceName": selector.service,
        "serviceId": "S",
        "serviceFamily": "F",
        "unitOfMeasure": selector.units[0],
        "type": "Consumption",
        "isPrimaryMeterRegion": True,
        "armSkuName": selector.arm_sku or "",
        **fields,
    }
