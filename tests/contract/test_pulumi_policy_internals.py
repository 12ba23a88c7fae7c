"""Contract: the private pulumi-policy surface policies/sdk_guard.py relies on still exists.

When an upgrade of pulumi-policy breaks one of these, the failure names the symbol; read the
table in policies/sdk_guard.py, then adapt the guard (or drop it if a public hook appeared).
"""

from __future__ import annotations

import inspect

import grpc
import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import policy as policy_module

from policies import sdk_guard
from policies.registry import ALL_RULES


def test_the_servicer_class_the_guard_wraps_exists():
    servicer = getattr(policy_module, sdk_guard.SERVICER_ATTRIBUTE, None)
    assert servicer is not None, (
        f"pulumi_policy.policy.{sdk_guard.SERVICER_ATTRIBUTE} is gone: policies/sdk_guard.py "
        "can no longer refuse weakening --policy-pack-config documents"
    )
    parameters = list(inspect.signature(servicer.Configure).parameters)
    assert len(parameters) == 3, (
        f"{sdk_guard.SERVICER_ATTRIBUTE}.Configure{parameters}: expected (self, request, context)"
    )


def test_every_protocol_enforcement_level_is_mapped():
    values = set(analyzer_pb2.EnforcementLevel.values())
    assert values == set(sdk_guard.LEVELS), "analyzer_pb2.EnforcementLevel gained a level"


class _Aborted(Exception):
    pass


class _Context:
    def abort(self, code: grpc.StatusCode, details: str) -> None:
        raise _Aborted(code, details)


def test_the_wrapped_configure_refuses_and_passes_through():
    sdk_guard.refuse_weakening_configs(ALL_RULES)
    servicer = getattr(policy_module, sdk_guard.SERVICER_ATTRIBUTE)
    request = analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            "keyvault-vault-require-purge-protection": analyzer_pb2.PolicyConfig(
                enforcementLevel=analyzer_pb2.ADVISORY
            )
        }
    )
    with pytest.raises(_Aborted) as caught:
        servicer.Configure(object(), request, _Context())
    code, details = caught.value.args
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "keyvault-vault-require-purge-protection: PHI-protecting rules must stay mandatory" in (
        details
    )
    # Wrapping twice does not stack guards.
    wrapped = servicer.Configure
    sdk_guard.refuse_weakening_configs(ALL_RULES)
    assert servicer.Configure is wrapped
