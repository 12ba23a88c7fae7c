"""Defaults shared by the CLI options and the ARM client (kept import-light)."""

DEFAULT_ARM_ENDPOINT = "https://management.azure.com"
"""Azure public cloud. Sovereign clouds: pass their endpoint and scope."""
DEFAULT_ARM_SCOPE = "https://management.azure.com/.default"
"""The token audience ARM accepts in the public cloud."""
