"""The pack and the components agree on the conventions they share.

Names and values both sides use come from ``policies.vocabulary``; what each side models in its
own shape (which types take diagnostic settings) is compared here.
"""

from __future__ import annotations

from components import diagnostics
from policies.rules.monitor import DIAGNOSTICS_COVERAGE


def test_every_type_that_needs_diagnostics_accepts_them() -> None:
    assert set(DIAGNOSTICS_COVERAGE) <= set(diagnostics.DIAGNOSTICS_SUPPORT)
