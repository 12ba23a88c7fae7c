"""One diagnostic-settings helper used by every component (HIPAA 164.312(b) audit controls).

Category groups (``allLogs`` / ``audit``) and ``AllMetrics`` are used instead of category lists,
which go stale whenever Azure adds a category. Which resource types accept a diagnostic setting,
and which groups they offer, is each type's ``settings`` in ``policies.services.SERVICES`` — the
one catalogue the components, the tests and the policy pack agree on.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import monitor

from components.shared import StrInput, child_opts
from policies.services import SERVICES

# The subscription's activity log has no category groups; these are all of its categories.
ACTIVITY_LOG_CATEGORIES = (
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)


def send_diagnostics(
    target: pulumi.CustomResource,
    workspace_id: StrInput,
    parent: pulumi.Resource,
    name: str | None = None,
    target_id: StrInput | None = None,
) -> monitor.DiagnosticSetting:
    """Send every log and metric of ``target`` to the workspace.

    ``target_id`` overrides the resource URI for child endpoints such as a storage account's
    blob service (``<account id>/blobServices/default``).
    """
    row = SERVICES.get(target.pulumi_resource_type)
    support = row.settings if row is not None else None
    if support is None:
        raise ValueError(
            f"{target.pulumi_resource_type} takes no diagnostic settings; give its row in "
            "policies/services.py settings= only if Azure accepts one"
        )
    logs = (
        [
            monitor.DiagnosticsLogSettingsArgs(
                category_group=support.log_category_group, enabled=True
            )
        ]
        if support.log_category_group
        else None
    )
    metrics = (
        [monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)]
        if support.metrics
        else None
    )
    logical = name or f"{target.pulumi_resource_name}-diag"
    return monitor.DiagnosticSetting(
        logical,
        name="to-log-analytics",
        resource_uri=target_id if target_id is not None else target.id,
        workspace_id=workspace_id,
        log_analytics_destination_type="Dedicated",
        logs=logs,
        metrics=metrics,
        opts=child_opts(parent),
    )


def send_activity_log(
    name: str, subscription_id: StrInput, workspace_id: StrInput, parent: pulumi.Resource
) -> monitor.DiagnosticSetting:
    """Send the subscription activity log (who changed what, HIPAA 164.312(b)) to the workspace."""
    return monitor.DiagnosticSetting(
        name,
        name="activity-log-to-log-analytics",
        resource_uri=pulumi.Output.concat("/subscriptions/", subscription_id),
        workspace_id=workspace_id,
        logs=[
            monitor.DiagnosticsLogSettingsArgs(category=category, enabled=True)
            for category in ACTIVITY_LOG_CATEGORIES
        ],
        opts=child_opts(parent),
    )
