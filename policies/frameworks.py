"""Compliance frameworks the rules map to, beside the rules: the titles of the HIPAA Security
Rule sections (45 CFR Part 164 Subpart C) they cite. A rule citing a section without a title
here is refused when the pack is imported (``policies.model``), so every report can name it."""

from __future__ import annotations

__all__ = ["HIPAA_SECTIONS"]

HIPAA_SECTIONS = {
    "164.306(a)(2)": "Protect against reasonably anticipated threats or hazards",
    "164.308(a)(1)(ii)(A)": "Risk analysis",
    "164.308(a)(1)(ii)(B)": "Risk management",
    "164.308(a)(1)(ii)(D)": "Information system activity review",
    "164.308(a)(3)(ii)(A)": "Authorization and/or supervision",
    "164.308(a)(4)(ii)(B)": "Access authorization",
    "164.308(a)(4)(ii)(C)": "Access establishment and modification",
    "164.308(a)(5)(ii)(B)": "Protection from malicious software",
    "164.308(a)(5)(ii)(D)": "Password management",
    "164.308(a)(6)(ii)": "Response and reporting",
    "164.308(a)(7)(ii)(A)": "Data backup plan",
    "164.308(a)(7)(ii)(B)": "Disaster recovery plan",
    "164.308(a)(7)(ii)(C)": "Emergency mode operation plan",
    "164.308(a)(8)": "Evaluation",
    "164.310(d)(1)": "Device and media controls",
    "164.312(a)(1)": "Access control",
    "164.312(a)(2)(iv)": "Encryption and decryption",
    "164.312(b)": "Audit controls",
    "164.312(c)(1)": "Integrity",
    "164.312(c)(2)": "Mechanism to authenticate electronic PHI",
    "164.312(d)": "Person or entity authentication",
    "164.312(e)(1)": "Transmission security",
    "164.312(e)(2)(ii)": "Encryption (in transmission)",
    "164.316(b)(1)": "Documentation",
}
