"""The pack's only touch of pulumi-policy's private surface: refusing a weakening config.

The Pulumi CLI sends ``--policy-pack-config`` to the pack over the analyzer protocol's
``Configure`` call, and pulumi-policy applies it without asking the pack: a PHI-protecting rule
set to ``disabled`` (or ``advisory``) would simply stop blocking. pulumi-policy 1.21 has no
public hook for that call, so this module wraps the one private method that receives it:

| symbol (pulumi-policy 1.21.0)                         | what we rely on                    |
|-------------------------------------------------------|------------------------------------|
| ``pulumi_policy.policy._PolicyAnalyzerServicer``      | the class ``PolicyPack`` serves    |
| its ``Configure(self, request, context)``             | receives ``ConfigureAnalyzerRequest`` |
|                                                       | (``policyConfig``: name ->         |
|                                                       | ``PolicyConfig{enforcementLevel,   |
|                                                       | properties}``) and a gRPC context  |

A config that ``profiles.config_problems`` rejects is refused with ``INVALID_ARGUMENT`` and the
list of problems, so ``pulumi preview`` fails with that message and the previous configuration
(the pack's own levels) stays in force. ``tests/contract/test_pulumi_policy_internals.py``
fails, naming the symbol, when an upgrade moves or changes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import grpc
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import policy as policy_module

from .model import RuleMetadata
from .profiles import EnforcementLevel, config_problems

__all__ = ["LEVELS", "SERVICER_ATTRIBUTE", "config_from_request", "refuse_weakening_configs"]

SERVICER_ATTRIBUTE = "_PolicyAnalyzerServicer"
LEVELS = {
    analyzer_pb2.ADVISORY: EnforcementLevel.ADVISORY.value,
    analyzer_pb2.MANDATORY: EnforcementLevel.MANDATORY.value,
    analyzer_pb2.DISABLED: EnforcementLevel.DISABLED.value,
    analyzer_pb2.REMEDIATE: "remediate",
}
"""Protocol enforcement levels -> the names policy-pack config files use."""

_GUARD_MARK = "__hlz_guarded__"


def config_from_request(request: Any) -> dict[str, dict[str, Any]]:
    """A ``ConfigureAnalyzerRequest`` as the config-file shape ``config_problems`` reads."""
    config: dict[str, dict[str, Any]] = {}
    for name in request.policyConfig:
        entry = request.policyConfig[name]
        config[name] = {
            "enforcementLevel": LEVELS.get(entry.enforcementLevel, str(entry.enforcementLevel)),
            **json_format.MessageToDict(entry.properties),
        }
    return config


def refuse_weakening_configs(rules: Iterable[RuleMetadata]) -> None:
    """Make the served pack refuse any config that lowers a PHI-protecting or deploy rule."""
    servicer = getattr(policy_module, SERVICER_ATTRIBUTE)
    original: Callable[..., Any] = servicer.Configure
    if getattr(original, _GUARD_MARK, False):
        return
    known = list(rules)

    def configure(self: Any, request: Any, context: Any) -> Any:
        problems = config_problems(config_from_request(request), known)
        if problems:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                "hlz-hipaa refuses this policy-pack config: " + "; ".join(problems),
            )
        return original(self, request, context)

    setattr(configure, _GUARD_MARK, True)
    servicer.Configure = configure
