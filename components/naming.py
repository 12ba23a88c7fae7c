"""Azure resource names: one rule per resource kind (length and characters), CAF-style
abbreviations, and a short deterministic suffix for names that must be globally unique."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRule:
    abbreviation: str
    max_length: int
    pattern: str
    """Full-match regex of the allowed characters and shape."""
    globally_unique: bool = False
    hyphens: bool = True
    """False for kinds that allow only letters and digits (hyphens are dropped)."""
    min_length: int = 1


# Limits from Azure's naming rules (learn.microsoft.com "resource-name-rules"); abbreviations
# from the Cloud Adoption Framework.
NAME_RULES: dict[str, NameRule] = {
    "resource_group": NameRule("rg", 90, r"[-\w.()]*[-\w()]"),
    "virtual_network": NameRule("vnet", 64, r"[A-Za-z0-9][-\w.]*\w", min_length=2),
    "subnet": NameRule("snet", 80, r"\w([-\w.]*\w)?"),
    "network_security_group": NameRule("nsg", 80, r"\w([-\w.]*\w)?"),
    "route_table": NameRule("rt", 80, r"\w([-\w.]*\w)?"),
    "public_ip": NameRule("pip", 80, r"\w([-\w.]*\w)?"),
    "firewall": NameRule("afw", 56, r"\w([-\w.]*\w)?"),
    "firewall_policy": NameRule("afwp", 80, r"\w([-\w.]*\w)?"),
    "bastion": NameRule("bas", 80, r"\w([-\w.]*\w)?"),
    "ddos_plan": NameRule("ddos", 80, r"\w([-\w.]*\w)?"),
    "private_endpoint": NameRule("pe", 64, r"\w([-\w.]*\w)?", min_length=2),
    "log_analytics": NameRule("log", 63, r"[A-Za-z0-9][-A-Za-z0-9]*[A-Za-z0-9]", min_length=4),
    "monitor_private_link_scope": NameRule("ampls", 255, r"[-\w.()]*[-\w()]"),
    "key_vault": NameRule(
        "kv", 24, r"[A-Za-z](?!.*--)[-A-Za-z0-9]*[A-Za-z0-9]", globally_unique=True, min_length=3
    ),
    "storage_account": NameRule(
        "st", 24, r"[a-z0-9]+", globally_unique=True, hyphens=False, min_length=3
    ),
    "cognitive_services": NameRule(
        "oai", 64, r"[A-Za-z0-9][-A-Za-z0-9]*[A-Za-z0-9]", globally_unique=True, min_length=2
    ),
    "managed_identity": NameRule("id", 128, r"[A-Za-z0-9][-\w]*", min_length=3),
    "health_workspace": NameRule(
        "hds", 24, r"[a-z0-9]+", globally_unique=True, hyphens=False, min_length=3
    ),
    "fhir_service": NameRule("fhir", 24, r"[a-z0-9][-a-z0-9]*[a-z0-9]", min_length=3),
    "dicom_service": NameRule("dicom", 24, r"[a-z0-9][-a-z0-9]*[a-z0-9]", min_length=3),
}


def unique_suffix(stack: str, layer: str, length: int = 5) -> str:
    """A short suffix that is the same on every run of one stack and differs between stacks,
    so globally unique names (Key Vault, Storage, Cognitive Services) neither collide across
    stacks nor change between deployments."""
    return hashlib.sha256(f"{stack}/{layer}".encode()).hexdigest()[:length]


def name_problem(kind: str, name: str) -> str | None:
    """Why ``name`` is not a valid Azure name for ``kind``, or None when it is."""
    rule = NAME_RULES[kind]
    if len(name) > rule.max_length:
        return (
            f"'{name}' is {len(name)} characters; Azure allows at most {rule.max_length} for {kind}"
        )
    if len(name) < rule.min_length:
        return f"'{name}' is shorter than {rule.min_length} characters, the minimum for {kind}"
    if not re.fullmatch(rule.pattern, name):
        return f"'{name}' has characters or a shape Azure does not allow for {kind}"
    return None


@dataclass(frozen=True)
class Namer:
    """Builds names ``<abbreviation>-<prefix>-<role>[-<suffix>]`` for one stack."""

    prefix: str
    suffix: str

    def name(self, kind: str, role: str) -> str:
        rule = NAME_RULES[kind]
        parts = [rule.abbreviation, self.prefix, role]
        if rule.globally_unique:
            parts.append(self.suffix)
        separator = "-" if rule.hyphens else ""
        name = separator.join(part for part in parts if part)
        if not rule.hyphens:
            name = re.sub(r"[^a-z0-9]", "", name.lower())
        problem = name_problem(kind, name)
        if problem is not None:
            raise ValueError(problem)
        return name

    def problems(self, wanted: dict[str, str]) -> list[str]:
        """Every problem with the names ``{kind: role}`` this stack will create."""
        found: list[str] = []
        for kind, role in wanted.items():
            try:
                self.name(kind, role)
            except ValueError as error:
                found.append(str(error))
        return found
