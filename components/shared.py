"""Interface types shared by every component (one shape for tags, overrides, placement,
diagnostics and private endpoints), so components compose without adapters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field, field_validator

from policies.vocabulary import OVERRIDE_TAG_PREFIX, REQUIRED_TAGS

# A value that may be known now (str) or only after another resource is created (Output).
StrInput = Annotated[Any, "pulumi.Input[str]"]

REQUIRED_TAG_KEYS = tuple(REQUIRED_TAGS)


class HlzModel(BaseModel):
    """Base for every args model: immutable, unknown keys rejected, pulumi Outputs allowed."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True, use_attribute_docstrings=True
    )


class Override(HlzModel):
    """An explicit, justified weakening of a secure default.

    The reason travels to the resource as a tag ``hlz-override-<control>`` so that reviews,
    reports and the policy pack see who weakened what and why.
    """

    reason: str = Field(min_length=10, max_length=256)
    """Why the secure default does not fit (>= 10 characters; Azure tag values hold 256)."""
    expires: date | None = None
    """Optional date after which the override should be revisited."""

    @field_validator("reason")
    @classmethod
    def _reason_is_not_blank(cls, value: str) -> str:
        if len(value.strip()) < 10:
            raise ValueError("an override needs a real reason of at least 10 characters")
        return value.strip()


def override_tags(**overrides: Override | None) -> dict[str, str]:
    """Tags recording each override that is set, keyed by the control it weakens."""
    tags: dict[str, str] = {}
    for control, override in overrides.items():
        if override is None:
            continue
        value = override.reason
        if override.expires is not None:
            value = f"{value} (expires {override.expires.isoformat()})"
        tags[f"{OVERRIDE_TAG_PREFIX}{control.replace('_', '-')}"] = value[:256]
    return tags


class Placement(HlzModel):
    """Where a component's children live and the tags every taggable child carries."""

    resource_group_name: StrInput
    """Resource group of the children (a name or an Output of one)."""
    location: str
    """Azure region of the children (validated against the allowed US regions in config)."""
    tags: dict[str, str]
    """Required tags, applied explicitly to every taggable child (transforms do not run
    under mocks, so the offline plan would not see tags applied by a transform)."""

    def tags_with(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**self.tags, **(extra or {})}


class DiagnosticsTarget(HlzModel):
    """Where diagnostic settings send logs and metrics."""

    workspace_id: StrInput
    """Log Analytics workspace resource id (HIPAA 164.312(b) audit controls)."""


class PrivateLinkTarget(HlzModel):
    """Where a component places its private endpoints and which DNS zones they register in."""

    subnet_id: StrInput
    """Subnet that hosts the private endpoints."""
    dns_zone_ids: dict[str, StrInput]
    """Private DNS zone name -> zone resource id (every zone the landing zone hosts)."""

    def zones(self, *names: str) -> dict[str, StrInput]:
        """The subset of zones an endpoint registers in; a missing zone is a wiring error."""
        missing = [name for name in names if name not in self.dns_zone_ids]
        if missing:
            raise ValueError(f"private DNS zones not provided: {', '.join(missing)}")
        return {name: self.dns_zone_ids[name] for name in names}


def child_opts(parent: pulumi.Resource, **kwargs: Any) -> pulumi.ResourceOptions:
    """Options for a component's child: always parented, so URNs nest and a second
    instance of the component never clashes."""
    return pulumi.ResourceOptions(parent=parent, **kwargs)
