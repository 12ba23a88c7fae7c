"""CrossGuard compatibility: run the pack as the Pulumi CLI does and speak the analyzer protocol.

The CLI starts ``python __main__.py`` in the pack directory, reads the port from stdout and calls
the analyzer over gRPC; this test does the same with the stubs shipped in the pulumi SDK, then
checks that what the pack reports equals the pure, in-process evaluation.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from policy_cases import COMPLIANT, KEY_VAULT, KEY_VAULT_KEY, STORAGE_ACCOUNT, mutate
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

import policies
from policies.adapter import PACK_NAME, violation_message
from policies.evaluation import evaluate, run_stack_check
from policies.model import Category, NonCompliant, Profile, ResourceRule, StackResource
from policies.profiles import is_profile_dependent
from policies.registry import ALL_RULES, RESOURCE_RULES, STACK_RULES

PACK_DIR = Path(policies.__file__).resolve().parent
"""What ``pulumi preview --policy-pack policies`` runs."""
STARTUP_TIMEOUT_SECONDS = 30
SEVERITY = {
    "low": analyzer_pb2.POLICY_SEVERITY_LOW,
    "medium": analyzer_pb2.POLICY_SEVERITY_MEDIUM,
    "high": analyzer_pb2.POLICY_SEVERITY_HIGH,
    "critical": analyzer_pb2.POLICY_SEVERITY_CRITICAL,
}


def _read_port(process: subprocess.Popen[bytes]) -> int:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if selector.select(timeout=0.2):
            line = process.stdout.readline()
            if line.strip():
                return int(line)
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"policy pack exited with {process.returncode}:\n{stderr}")
    pytest.fail("policy pack did not print its port")


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    # No PYTHONUNBUFFERED: the pack must get its port out through a pipe on its own.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    process = subprocess.Popen(
        [sys.executable, "__main__.py"],
        cwd=PACK_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        port = _read_port(process)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=10)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(props))
    return struct


def _urn(resource_type: str, name: str) -> str:
    return f"urn:pulumi:prod::hlz::{resource_type}::{name}"


def _analyze(
    stub: analyzer_pb2_grpc.AnalyzerStub, resource_type: str, props: Mapping[str, Any], name: str
) -> analyzer_pb2.AnalyzeResponse:
    request = analyzer_pb2.AnalyzeRequest(
        type=resource_type, properties=_struct(props), urn=_urn(resource_type, name), name=name
    )
    return stub.Analyze(request)


def _reported(response: analyzer_pb2.AnalyzeResponse) -> set[tuple[str, str, str]]:
    # The SDK prefixes each message with the policy description and a newline.
    return {(d.policyName, d.urn, d.message.split("\n", 1)[1]) for d in response.diagnostics}


def _expected(resource_type: str, props: Mapping[str, Any]) -> set[tuple[str, str, str]]:
    expected: set[tuple[str, str, str]] = set()
    for rule in RESOURCE_RULES:
        outcome = evaluate(rule, resource_type, props, profile=Profile.PRODUCTION)
        if isinstance(outcome, NonCompliant):
            expected |= {
                (rule.id, "", violation_message(rule, reason)) for reason in outcome.reasons
            }
    return expected


def test_analyzer_info_lists_every_rule_with_metadata(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == PACK_NAME and info.supportsConfig
    policies = {policy.name: policy for policy in info.policies}
    assert list(policies) == [rule.id for rule in ALL_RULES]
    for rule in ALL_RULES:
        policy = policies[rule.id]
        assert policy.description == rule.description
        assert policy.enforcementLevel == (
            analyzer_pb2.MANDATORY if rule.mandatory_everywhere else analyzer_pb2.ADVISORY
        )
        assert policy.severity == SEVERITY[rule.severity.value]
        if rule.category is Category.HIPAA:
            assert policy.framework.name == "HIPAA Security Rule"
            assert policy.framework.reference == ", ".join(rule.hipaa)
        else:
            assert not policy.HasField("framework")
        assert policy.remediation_steps == rule.remediation and policy.url == rule.url
        assert list(policy.tags) == list(rule.topics)
        assert policy.policy_type == (
            analyzer_pb2.POLICY_TYPE_RESOURCE
            if isinstance(rule, ResourceRule)
            else analyzer_pb2.POLICY_TYPE_STACK
        )
        assert ("profile" in policy.configSchema.properties) == is_profile_dependent(rule)


def test_analyze_compliant_resource_reports_nothing(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    response = _analyze(analyzer, STORAGE_ACCOUNT, COMPLIANT[STORAGE_ACCOUNT], "sthlzprod")
    assert _reported(response) == set()
    not_applicable = {entry.policy_name for entry in response.not_applicable}
    assert "keyvault-vault-require-purge-protection" in not_applicable


def test_analyze_non_compliant_resource_matches_pure_evaluation(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    props = mutate(
        COMPLIANT[STORAGE_ACCOUNT],
        {
            "publicNetworkAccess": "Enabled",
            "minimumTlsVersion": "TLS1_0",
            "location": "westeurope",
            "tags.owner": None,
        },
    )
    response = _analyze(analyzer, STORAGE_ACCOUNT, props, "stbad")
    reported = _reported(response)
    assert reported == _expected(STORAGE_ACCOUNT, props)
    assert {name for name, _, _ in reported} == {
        "storage-account-disallow-public-network-access",
        "storage-account-require-minimum-tls12",
        "azure-resource-restrict-location",
        "azure-resource-require-tags",
    }
    levels = {d.policyName: d.enforcementLevel for d in response.diagnostics}
    assert levels["storage-account-require-minimum-tls12"] == analyzer_pb2.MANDATORY
    assert levels["azure-resource-require-tags"] == analyzer_pb2.ADVISORY


def test_analyze_unknown_value_is_advisory_during_preview(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    props = mutate(COMPLIANT[KEY_VAULT], {"properties.publicNetworkAccess": UNKNOWN_STRING_VALUE})
    response = _analyze(analyzer, KEY_VAULT, props, "kv")
    (diagnostic,) = response.diagnostics
    assert diagnostic.policyName == "keyvault-vault-disallow-public-network-access"
    assert "can't run policy" in diagnostic.message and "during preview" in diagnostic.message
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY


def test_configured_lab_profile_skips_production_only_rule(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    software_key = mutate(
        COMPLIANT[KEY_VAULT_KEY],
        {"properties.kty": "RSA", "tags.data-classification": "internal"},
    )
    assert "keyvault-key-require-hsm-backing" in {
        name for name, _, _ in _reported(_analyze(analyzer, KEY_VAULT_KEY, software_key, "cmk"))
    }
    lab = analyzer_pb2.PolicyConfig(
        enforcementLevel=analyzer_pb2.MANDATORY, properties=_struct({"profile": "lab"})
    )
    analyzer.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={"keyvault-key-require-hsm-backing": lab}
        )
    )
    try:
        response = _analyze(analyzer, KEY_VAULT_KEY, software_key, "cmk")
        assert _reported(response) == set()
        reasons = {entry.policy_name: entry.reason for entry in response.not_applicable}
        assert (
            "checked only in the production profile" in reasons["keyvault-key-require-hsm-backing"]
        )
    finally:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest())


def test_configured_lab_profile_still_requires_hsm_keys_for_phi(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    phi_software_key = mutate(COMPLIANT[KEY_VAULT_KEY], {"properties.kty": "RSA"})
    lab = analyzer_pb2.PolicyConfig(
        enforcementLevel=analyzer_pb2.MANDATORY, properties=_struct({"profile": "lab"})
    )
    analyzer.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={"keyvault-key-require-hsm-backing": lab}
        )
    )
    try:
        response = _analyze(analyzer, KEY_VAULT_KEY, phi_software_key, "cmk")
        assert "keyvault-key-require-hsm-backing" in {name for name, _, _ in _reported(response)}
    finally:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest())


def test_analyze_stack_matches_pure_evaluation(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    vault_urn = _urn(KEY_VAULT, "kv")
    storage_urn = _urn(STORAGE_ACCOUNT, "st")
    endpoint_urn = _urn("azure-native:network:PrivateEndpoint", "pe-kv")
    resources = [
        StackResource(vault_urn, KEY_VAULT, COMPLIANT[KEY_VAULT]),
        StackResource(storage_urn, STORAGE_ACCOUNT, COMPLIANT[STORAGE_ACCOUNT]),
        StackResource(
            endpoint_urn,
            "azure-native:network:PrivateEndpoint",
            {"privateLinkServiceConnections": [{"name": "kv", "groupIds": ["vault"]}]},
            dependencies=(vault_urn,),
            property_dependencies={"privateLinkServiceConnections": (vault_urn,)},
        ),
    ]
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=resource.resource_type,
                properties=_struct(resource.props),
                urn=resource.urn,
                name=resource.name,
                dependencies=list(resource.dependencies),
                propertyDependencies={
                    key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
                    for key, urns in resource.property_dependencies.items()
                },
            )
            for resource in resources
        ]
    )
    response = analyzer.AnalyzeStack(request)
    expected = {
        (rule.id, urn, violation_message(rule, reason))
        for rule in STACK_RULES
        for urn, outcome in run_stack_check(rule, resources, profile=Profile.PRODUCTION).items()
        if isinstance(outcome, NonCompliant)
        for reason in outcome.reasons
    }
    assert _reported(response) == expected
    by_rule = {(name, urn) for name, urn, _ in expected}
    assert ("network-paas-require-private-endpoint", storage_urn) in by_rule
    assert ("network-paas-require-private-endpoint", vault_urn) not in by_rule
    assert ("network-privateendpoint-require-dns-zone-group", endpoint_urn) in by_rule
    assert ("keyvault-vault-require-delete-lock", vault_urn) in by_rule


def test_served_pack_judges_a_generic_resource_as_the_type_it_creates(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """The Pulumi CLI sends the generic resource's own token; the pack still judges the Health
    Data Services workspace it creates (policies.normalise), exactly as hlz plan does."""
    generic = "azure-native:resources:Resource"
    public = mutate(COMPLIANT[generic], {"properties.publicNetworkAccess": "Enabled"})
    names = {name for name, _, _ in _reported(_analyze(analyzer, generic, public, "hds"))}
    assert "healthcareapis-workspace-disallow-public-network-access" in names
    private = _reported(_analyze(analyzer, generic, COMPLIANT[generic], "hds"))
    assert "healthcareapis-workspace-disallow-public-network-access" not in {
        name for name, _, _ in private
    }


def test_served_pack_refuses_a_config_that_switches_a_phi_rule_off(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """`pulumi preview --policy-pack-config` with a PHI-protecting rule disabled: the pack
    refuses the configuration itself, so the preview fails instead of running without it."""
    disabled = analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.DISABLED)
    advisory = analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.ADVISORY)
    try:
        with pytest.raises(grpc.RpcError) as caught:
            analyzer.Configure(
                analyzer_pb2.ConfigureAnalyzerRequest(
                    policyConfig={
                        "storage-account-require-cmk-encryption": disabled,
                        "deploy-roleassignment-require-guid-name": advisory,
                    }
                )
            )
        error = caught.value
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
        details = error.details()  # type: ignore[attr-defined]
        assert "storage-account-require-cmk-encryption: PHI-protecting rules must stay mandatory" in details
        assert "deploy-roleassignment-require-guid-name: deploy rules must stay mandatory" in details
        # Still judging with the pack's own levels: the refused config was not applied.
        weak = mutate(COMPLIANT[STORAGE_ACCOUNT], {"encryption.keySource": "Microsoft.Storage"})
        names = {name for name, _, _ in _reported(_analyze(analyzer, STORAGE_ACCOUNT, weak, "st"))}
        assert "storage-account-require-cmk-encryption" in names
    finally:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest())


def test_served_pack_accepts_the_shipped_lab_config(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    levels = {
        "advisory": analyzer_pb2.ADVISORY,
        "mandatory": analyzer_pb2.MANDATORY,
        "disabled": analyzer_pb2.DISABLED,
    }
    shipped = json.loads((PACK_DIR / "config" / "lab.json").read_text())
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, value in shipped.items():
        level, properties = (value, {}) if isinstance(value, str) else (
            value["enforcementLevel"],
            {k: v for k, v in value.items() if k != "enforcementLevel"},
        )
        request.policyConfig[name].CopyFrom(
            analyzer_pb2.PolicyConfig(enforcementLevel=levels[level], properties=_struct(properties))
        )
    try:
        analyzer.Configure(request)
    finally:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest())
