"""An AI lab's consumption budget: a monthly amount on the lab's resource group, with the
notifications of ``policies.alerting.BUDGET_NOTIFICATIONS`` to the lab owners and the landing
zone's action group (docs/alerts.md#budgets).

| input                | derived                                                              |
|----------------------|----------------------------------------------------------------------|
| ``spec.amount``      | ``amount``, category Cost, time grain Monthly                        |
| ``spec.start_date``  | ``timePeriod.startDate`` at 00:00 UTC; no end date (Azure ends the   |
|                      | budget ten years after its start)                                    |
| ``contact_emails``   | every notification's ``contactEmails``                               |
| ``action_group_id``  | every notification's ``contactGroups`` (the platform team's receivers)|

The start date is configuration, never "the first of this month": ARM refuses to change a
budget's start date after it is created, so a date that moved every month would make every plan
after the first month an update ARM refuses. ARM also refuses, on creation only, a monthly budget
starting before the current month; ``startDate`` is therefore the first day of the month the lab's
budget is first deployed in, and stays as it is afterwards.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import pulumi
from pulumi_azure_native import consumption
from pydantic import AfterValidator, Field

from components.shared import HlzModel, StrInput, child_opts
from components.specs import EmailAddresses
from policies.alerting import (
    BUDGET_CATEGORY,
    BUDGET_EARLIEST_START,
    BUDGET_NOTIFICATIONS,
    BUDGET_OPERATOR,
    BUDGET_TIME_GRAIN,
)

__all__ = ["BudgetSpec", "LabBudget", "LabBudgetArgs", "start_date_problem"]


def start_date_problem(value: date) -> str | None:
    """Why ARM would refuse ``value`` as a budget's start date whatever the day, or None. (The
    latest start it accepts depends on today: stack config and the pack check that.)"""
    if value.day != 1:
        return (
            f"{value.isoformat()} is not the first of a month; Azure starts budgets on the first "
            f"(use {value.replace(day=1).isoformat()})"
        )
    if value < BUDGET_EARLIEST_START:
        return (
            f"{value.isoformat()} is before {BUDGET_EARLIEST_START.isoformat()}, the earliest "
            "start Azure accepts"
        )
    return None


def _a_start_azure_accepts(value: date) -> date:
    problem = start_date_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


BudgetStart = Annotated[date, AfterValidator(_a_start_azure_accepts)]
"""A budget start date ARM accepts whatever the day (``start_date_problem``)."""


class BudgetSpec(HlzModel):
    """``hlz:budget`` of an AI lab: every lab has one (docs/alerts.md#budgets)."""

    amount: int = Field(gt=0, strict=True)
    """The lab's monthly budget, in whole units of the billing account's currency. No default:
    what a lab may spend is an owner's decision, not a library's."""
    start_date: BudgetStart
    """First day of the month the budget is first deployed in (``2026-12-01``); keep it once
    deployed. Azure refuses any other day, a date more than twelve months ahead, a change after
    creation, and, when the budget is created, a month already past. No default: a default that
    followed the calendar would change every month."""
    owner_emails: EmailAddresses | None = None
    """Who in the lab is told at each threshold. Default: the lab's ``owner`` tag, when that is an
    email address (else this key is required)."""


class LabBudgetArgs(HlzModel):
    budget_name: str
    """Azure name of the budget (unique in its scope)."""
    scope: StrInput
    """The lab's resource group id: the budget counts what is spent in it."""
    amount: int = Field(gt=0, strict=True)
    """Monthly amount (``BudgetSpec.amount``)."""
    start_date: BudgetStart
    """``BudgetSpec.start_date``."""
    contact_emails: EmailAddresses
    """The lab owners' addresses (``BudgetSpec.owner_emails`` or the owner tag)."""
    action_group_id: StrInput
    """The landing zone's action group: the platform team is told through it."""


class LabBudget(pulumi.ComponentResource):
    """A monthly consumption budget on an AI lab's resource group (budgets take no tags)."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: LabBudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("hlz:budget:LabBudget", name, None, opts)
        budget = consumption.Budget(
            f"{name}-budget",
            budget_name=args.budget_name,
            scope=args.scope,
            amount=args.amount,
            category=BUDGET_CATEGORY,
            time_grain=BUDGET_TIME_GRAIN,
            time_period=consumption.BudgetTimePeriodArgs(
                start_date=f"{args.start_date.isoformat()}T00:00:00Z"
            ),
            notifications={
                notification.key: consumption.NotificationArgs(
                    enabled=True,
                    operator=BUDGET_OPERATOR,
                    threshold=notification.threshold,
                    threshold_type=notification.threshold_type,
                    contact_emails=list(args.contact_emails),
                    contact_groups=[args.action_group_id],
                )
                for notification in BUDGET_NOTIFICATIONS
            },
            opts=child_opts(self),
        )
        self.budget = budget
        self.id = budget.id
        self.name = budget.name
        self.register_outputs({"id": self.id, "name": self.name})
