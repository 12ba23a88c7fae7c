"""The pack and the components agree on the conventions they share.

The pack stays importable without ``components`` (a published pack ships alone), so it keeps its
own copies; these tests fail when the two drift apart.
"""

from __future__ import annotations

from components import diagnostics, shared
from policies.model import OVERRIDE_TAG_PREFIX, ResourceRule
from policies.registry import RESOURCE_RULES
from policies.rules.governance import REQUIRED_TAGS
from policies.rules.monitor import DIAGNOSTICS_COVERAGE


def test_required_tags_match_the_components() -> None:
    assert tuple(REQUIRED_TAGS) == shared.REQUIRED_TAG_KEYS
    assert REQUIRED_TAGS["data-classification"] == shared.DATA_CLASSIFICATIONS


def test_override_tags_use_the_components_prefix() -> None:
    assert OVERRIDE_TAG_PREFIX == shared.OVERRIDE_TAG_PREFIX
    overridable: list[ResourceRule] = [r for r in RESOURCE_RULES if r.override_tag]
    assert overridable, "at least one rule honours an override tag"


def test_every_type_that_needs_diagnostics_accepts_them() -> None:
    assert set(DIAGNOSTICS_COVERAGE) <= set(diagnostics.DIAGNOSTICS_SUPPORT)
