"""Every date judgement asks one clock (UTC): the local day and the UTC day disagree for hours
around midnight, and a CI runner and a laptop must judge an expiry alike."""

from __future__ import annotations

import re

from tests.conftest import ROOT

LOCAL_OR_AD_HOC = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(")
ALLOWED = {
    "policies/clock.py",  # the clock itself
    "hlz/preflight/arm.py",  # an HTTP Retry-After date compared with the wall clock, not a day
    "tools/bench.py",  # the date a benchmark ran, a label
}


def test_date_judgements_use_the_one_utc_clock():
    offenders = []
    for folder in ("components", "stacks", "policies", "hlz", "tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if LOCAL_OR_AD_HOC.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "use policies.clock.utc_today():\n" + "\n".join(offenders)
