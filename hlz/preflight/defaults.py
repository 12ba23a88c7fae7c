"""Defaults shared by the CLI options and the ARM client (kept import-light)."""

DEFAULT_ARM_ENDPOINT = "https://management.azure.com"
"""Azure public cloud. Sovereign clouds: pass their endpoint and scope."""
DEFAULT_ARM_SCOPE = "https://management.azure.com/.default"
"""The token audience ARM accepts in the public cloud."""
DEFAULT_TIMEOUT = 120.0
"""Seconds the whole preflight may take, retries and their waits included (``--timeout``).
Every check answers in well under a second when ARM is healthy; two minutes leave room for
a throttled retry or two, and stop a run against an endpoint that hangs."""
MAX_TIMEOUT = 3600.0
"""The largest ``--timeout``: a preflight that needs longer is better re-run later."""
