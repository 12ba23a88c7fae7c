"""The landing zone's action group and the baseline alert rules both stacks create on what they
deploy (docs/alerts.md).

``ActionGroup`` (the landing zone, once): email receivers, the common alert schema, enabled. Every
alert rule and every AI lab's budget notifies it.

``BaselineAlerts``: for each target resource, the rules ``policies.alerting.BASELINE_ALERTS``
lists for its type, each scoped to that resource alone and notifying the action group:

| rule kind (``BASELINE_ALERTS``) | created as                                              |
|---------------------------------|---------------------------------------------------------|
| ``MetricAlert``                 | ``monitor.MetricAlert`` (location global): one static   |
|                                 | criterion with the rule's metric, aggregation, operator,|
|                                 | threshold and dimensions; its window, frequency,        |
|                                 | severity and auto-mitigation                            |
| ``HealthAlert``                 | ``monitor.ActivityLogAlert`` (location global) on the   |
|                                 | Resource Health category, the AMBA causes and statuses  |

Thresholds are never arguments: they live in ``policies.alerting`` (from AMBA, vendored), so a
lab and the landing zone cannot drift apart, and the documents show the same numbers.
"""

from __future__ import annotations

from typing import Annotated

import pulumi
from pulumi_azure_native import monitor
from pydantic import AfterValidator, Field

from components.naming import Namer
from components.shared import HlzModel, Placement, StrInput, child_opts
from components.specs import EmailAddresses
from policies.alerting import (
    ACTION_GROUP_SHORT_NAME_MAX,
    BASELINE_ALERTS,
    SINGLE_RESOURCE_CRITERIA,
    AlertSpec,
    HealthAlert,
    MetricAlert,
)

__all__ = [
    "ActionGroup",
    "ActionGroupArgs",
    "AlertTarget",
    "AlertsSpec",
    "BaselineAlerts",
    "BaselineAlertsArgs",
    "rule_description",
]

ALERT_LOCATION = "global"
"""Metric alert rules on one resource and activity log alert rules are global resources."""


class AlertsSpec(HlzModel):
    """``hlz:alerts`` of the landing zone: who the action group tells (docs/alerts.md)."""

    platform_emails: EmailAddresses | None = None
    """The platform team's addresses: the action group's email receivers, so every alert rule
    and every lab budget reaches them. Default: the landing zone's ``owner`` tag, when that is an
    email address (else this key is required)."""


class ActionGroupArgs(HlzModel):
    placement: Placement
    """Resource group and tags of the action group (it is a global resource)."""
    action_group_name: str
    """Azure name of the action group."""
    short_name: str = Field(min_length=1, max_length=ACTION_GROUP_SHORT_NAME_MAX)
    """The sender name of its emails and SMS: 1-12 characters (ARM refuses more)."""
    email_receivers: EmailAddresses
    """Who is told: the platform team's addresses (hlz:alerts.platformEmails)."""


class ActionGroup(pulumi.ComponentResource):
    """The landing zone's action group: every alert rule and budget notification goes to it."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ActionGroupArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("hlz:alerts:ActionGroup", name, None, opts)
        placement = args.placement
        group = monitor.ActionGroup(
            f"{name}-ag",
            action_group_name=args.action_group_name,
            resource_group_name=placement.resource_group_name,
            location=ALERT_LOCATION,
            group_short_name=args.short_name,
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{index}",
                    email_address=address,
                    # One payload shape for every alert type (metric, activity log, budget).
                    use_common_alert_schema=True,
                )
                for index, address in enumerate(args.email_receivers, 1)
            ],
            tags=placement.tags,
            opts=child_opts(self),
        )
        self.group = group
        self.id = group.id
        self.name = group.name
        self.register_outputs({"id": self.id, "name": self.name})


def _known_type(token: str) -> str:
    if token not in BASELINE_ALERTS:
        raise ValueError(
            f"{token} has no baseline alerts; known: {', '.join(sorted(BASELINE_ALERTS))}"
        )
    return token


class AlertTarget(HlzModel):
    """One resource to alert on."""

    role: str = Field(pattern=r"^[a-z][a-z0-9-]*[a-z0-9]$")
    """Short name of the resource's role in the stack (``storage``, ``fhir``): part of the rules'
    names, ``ar-<prefix>-<role>-<alert>``, so unique per stack."""
    resource_type: Annotated[str, AfterValidator(_known_type)]
    """Its azure-native token: a key of ``policies.alerting.BASELINE_ALERTS``."""
    resource_id: StrInput
    """The resource's id (an Output of it): every rule's only scope."""


class BaselineAlertsArgs(HlzModel):
    placement: Placement
    """Resource group and tags of the rules."""
    namer: Namer
    """Names the rules (kind ``alert_rule``); every name is checked before anything exists."""
    targets: list[AlertTarget]
    """What to alert on; each gets every rule its type has in ``BASELINE_ALERTS``."""
    action_group_id: StrInput
    """The landing zone's action group: every rule notifies it."""


def rule_description(alert: AlertSpec) -> str:
    """The rule's description (it is in every notification): what fires it and where the values
    come from."""
    source = f"AMBA {alert.amba}" if alert.amba else "hlz"
    if isinstance(alert, MetricAlert):
        dims = "".join(
            f" [{d.name} {d.operator.lower()} {', '.join(d.values)}]" for d in alert.dimensions
        )
        what = (
            f"{alert.time_aggregation} {alert.metric_name}{dims} {alert.operator} "
            f"{alert.threshold:g} over {alert.window_size}, every {alert.evaluation_frequency}"
        )
    else:
        what = f"Resource Health {', '.join(alert.statuses)} ({', '.join(alert.causes)})"
    return f"{alert.title}: {what}. Baseline: {source} (docs/alerts.md)."


class BaselineAlerts(pulumi.ComponentResource):
    """The baseline alert rules of a stack's resources, all notifying one action group."""

    rule_ids: dict[str, pulumi.Output[str]]
    """``<role>-<alert key>`` -> the rule's id."""

    def __init__(
        self, name: str, args: BaselineAlertsArgs, opts: pulumi.ResourceOptions | None = None
    ):
        wanted = [
            (target, alert)
            for target in args.targets
            for alert in BASELINE_ALERTS[target.resource_type]
        ]
        # Every name is checked before anything is registered (one ConfigError listing all).
        names = args.namer.names(
            [("alert_rule", f"{target.role}-{alert.key}") for target, alert in wanted], "namer"
        )
        super().__init__("hlz:alerts:BaselineAlerts", name, None, opts)
        self.rule_ids = {}
        for target, alert in wanted:
            key = f"{target.role}-{alert.key}"
            rule_name = names[("alert_rule", key)]
            if isinstance(alert, MetricAlert):
                rule: pulumi.CustomResource = self._metric_rule(
                    f"{name}-{key}", rule_name, target, alert, args
                )
            else:
                rule = self._health_rule(f"{name}-{key}", rule_name, target, alert, args)
            self.rule_ids[key] = rule.id
        self.register_outputs({"rule_ids": self.rule_ids})

    def _metric_rule(
        self,
        resource_name: str,
        rule_name: str,
        target: AlertTarget,
        alert: MetricAlert,
        args: BaselineAlertsArgs,
    ) -> monitor.MetricAlert:
        return monitor.MetricAlert(
            resource_name,
            rule_name=rule_name,
            resource_group_name=args.placement.resource_group_name,
            location=ALERT_LOCATION,
            description=rule_description(alert),
            severity=alert.severity,
            enabled=True,
            scopes=[target.resource_id],
            evaluation_frequency=alert.evaluation_frequency,
            window_size=alert.window_size,
            auto_mitigate=alert.auto_mitigate,
            criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                odata_type=SINGLE_RESOURCE_CRITERIA,
                all_of=[
                    monitor.MetricCriteriaArgs(
                        criterion_type="StaticThresholdCriterion",
                        name=alert.key,
                        metric_namespace=alert.metric_namespace,
                        metric_name=alert.metric_name,
                        time_aggregation=alert.time_aggregation,
                        operator=alert.operator,
                        threshold=alert.threshold,
                        dimensions=[
                            monitor.MetricDimensionArgs(
                                name=d.name, operator=d.operator, values=list(d.values)
                            )
                            for d in alert.dimensions
                        ]
                        or None,
                    )
                ],
            ),
            actions=[monitor.MetricAlertActionArgs(action_group_id=args.action_group_id)],
            tags=args.placement.tags,
            opts=child_opts(self),
        )

    def _health_rule(
        self,
        resource_name: str,
        rule_name: str,
        target: AlertTarget,
        alert: HealthAlert,
        args: BaselineAlertsArgs,
    ) -> monitor.ActivityLogAlert:
        return monitor.ActivityLogAlert(
            resource_name,
            activity_log_alert_name=rule_name,
            resource_group_name=args.placement.resource_group_name,
            location=ALERT_LOCATION,
            description=rule_description(alert),
            enabled=True,
            # The resource's id is the scope: the rule sees that resource's events only.
            scopes=[target.resource_id],
            condition=monitor.AlertRuleAllOfConditionArgs(
                all_of=[
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(
                        field="category", equals=alert.category
                    ),
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(
                        field="properties.cause", contains_any=list(alert.causes)
                    ),
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(
                        field="properties.currentHealthStatus", contains_any=list(alert.statuses)
                    ),
                ]
            ),
            actions=monitor.ActionListArgs(
                action_groups=[monitor.ActionGroupArgs(action_group_id=args.action_group_id)]
            ),
            tags=args.placement.tags,
            opts=child_opts(self),
        )
