"""Interface types shared by every component (one shape for tags, overrides, placement,
diagnostics and private endpoints), so components compose without adapters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pulumi
from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic.alias_generators import to_camel

from components.errors import ConfigError
from policies.overrides import (
    REASON_RULE,
    TAG_VALUE_MAX_LENGTH,
    max_reason_length,
    parse_tag_value,
    reason_shortfall,
    tag_value,
    visible_text,
)
from policies.vocabulary import OVERRIDE_TAG_PREFIX, REQUIRED_TAGS

# A value that may be known now (str) or only after another resource is created (Output).
StrInput = Annotated[Any, "pulumi.Input[str]"]

REQUIRED_TAG_KEYS = tuple(REQUIRED_TAGS)


class HlzModel(BaseModel):
    """Base for every args model and every stack config model: immutable, unknown keys
    rejected, pulumi Outputs allowed. Python code passes fields by name (``cors_origins=``);
    stack config writes the same fields in camelCase (``corsOrigins:``), like every Pulumi
    config key, so a config model can hold a component's own spec type instead of a copy."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        arbitrary_types_allowed=True,
        use_attribute_docstrings=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )


class Override(HlzModel):
    """An explicit, justified weakening of a secure default.

    The reason travels to the resource as a tag ``hlz-override-<control>`` so that reviews,
    reports and the policy pack see who weakened what and why; with ``expires`` the tag value is
    ``<reason> (expires YYYY-MM-DD)`` (``policies.overrides``) and the pack stops honouring the
    override after that day. Whether the expiry has already passed is judged where "today" is
    known (the stack config validation), not here.
    """

    reason: str
    """Why the secure default does not fit: at least 10 visible characters and 2 words; at most
    256 characters, or 235 with ``expires`` (the whole tag value must fit Azure's 256)."""
    expires: date | None = None
    """Last day the override applies. Default: None (no end date; prefer one). After it the
    policy pack reports the violation again; stack config refuses a date already past."""

    @field_validator("reason")
    @classmethod
    def _reason_is_visible_words(cls, value: str) -> str:
        shortfall = reason_shortfall(value)
        if shortfall is not None:
            raise ValueError(f"an override needs a real reason of {REASON_RULE} ({shortfall})")
        if parse_tag_value(value).expiry_text is not None:
            raise ValueError(
                "the reason ends in '(expires ...)'; put the date in expires instead"
            )
        return visible_text(value)

    def expiry_problem(self, today: date) -> str | None:
        """Why the override cannot be used on ``today``, or None. The stack config validation
        calls it with the day it validates on, as it does for approval expiry."""
        if self.expires is None or self.expires >= today:
            return None
        return (
            f"the override expired on {self.expires.isoformat()}; renew it with a new reason and "
            "expiry, or remove it"
        )

    @model_validator(mode="after")
    def _tag_value_fits(self) -> Override:
        longest = max_reason_length(self.expires)
        if len(self.reason) > longest:
            with_expiry = (
                "with an expiry the tag value '<reason> (expires YYYY-MM-DD)'"
                if self.expires is not None
                else "the tag value"
            )
            raise ValueError(
                f"reason has {len(self.reason)} characters; {with_expiry} must fit Azure's "
                f"{TAG_VALUE_MAX_LENGTH}, so the reason may have at most {longest}"
            )
        return self


def override_tags(**overrides: Override | None) -> dict[str, str]:
    """Tags recording each override that is set, keyed by the control it weakens. Values are
    never shortened: ``Override`` refuses a reason whose tag value would not fit."""
    return {
        f"{OVERRIDE_TAG_PREFIX}{control.replace('_', '-')}": tag_value(
            override.reason, override.expires
        )
        for control, override in overrides.items()
        if override is not None
    }


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
            raise ConfigError(
                [("private_link.dns_zone_ids", f"zones not provided: {', '.join(missing)}")],
                "component arguments",
            )
        return {name: self.dns_zone_ids[name] for name in names}


def child_opts(parent: pulumi.Resource, **kwargs: Any) -> pulumi.ResourceOptions:
    """Options for a component's child: always parented, so URNs nest and a second
    instance of the component never clashes."""
    return pulumi.ResourceOptions(parent=parent, **kwargs)
