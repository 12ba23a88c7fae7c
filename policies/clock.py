"""The one clock every date judgement uses: the UTC calendar day.

Approval, override and exemption expiry, and the exemption cap, compare against "today". Mixing
the local day (``date.today()``) with the UTC day made a CI runner and a laptop disagree around
midnight; every such comparison asks this module instead.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["utc_today"]


def utc_today() -> dt.date:
    """Today's date in UTC."""
    return dt.datetime.now(dt.UTC).date()
