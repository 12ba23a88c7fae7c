"""The three documents ``hlz check`` judges, made into the one shape the pack reads.

| document                | recognised by             | made a plan document by                  |
|-------------------------|---------------------------|------------------------------------------|
| hlz plan --json         | an ``hlz`` object         | nothing (it is one)                      |
| pulumi preview --json   | ``steps``, no ``hlz``     | steps without a new state (deletes) left |
|                         |                           | out; the CLI's unknown sentinel becomes  |
|                         |                           | ``[unknown]``; the stack from the URNs,  |
|                         |                           | the profile from ``config.hlz:profile``  |
| pulumi stack export     | ``version`` and           | a ``same`` step per resource, providers  |
|                         | ``deployment``            | and pending deletes left out; secrets    |
|                         |                           | (ciphertext or plaintext) ``[secret]``,  |
|                         |                           | resource references their URN; the       |
|                         |                           | profile from the stack's ``profile``     |
|                         |                           | output                                   |

The shapes are those of the Pulumi CLI (pulumi/pulumi at 1b5949891b3c):
``pkg/display/json.go`` ``PreviewDigest``/``PreviewStep`` (each state an ``apitype.ResourceV3``,
secrets printed as ``"[secret]"``, unknowns as ``resource/stack``'s ``computedValuePlaceholder``)
and ``sdk/go/common/apitype/core.go`` ``UntypedDeployment``/``DeploymentV3``/``ResourceV3``
(secrets as ``SecretV1`` objects under the secret signature).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hlz.plan_document import PROFILES, SECRET_MASK, UNKNOWN_MARK, too_deep
from policies.yaml_input import MAX_DEPTH

PLAN = "hlz plan --json"
PREVIEW = "pulumi preview --json"
EXPORT = "pulumi stack export"

CLI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the Pulumi CLI writes a value known only after deployment (``computedValuePlaceholder``)."""
SIG_KEY = "4dabf18193072939515e22adb298388d"
"""The key of a signed value (secret, asset, archive, resource reference) in a state."""
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
STACK_TYPE = "pulumi:pulumi:Stack"
EXPORT_VERSIONS = (3, 4)
"""Deployment schema versions ``pulumi stack export`` writes (``DeploymentSchemaVersionCurrent``,
``...Latest``); both read as ``DeploymentV3``."""
_URN = re.compile(r"^urn:pulumi:(?P<stack>[^:]+)::")


@dataclass(frozen=True)
class CheckedDocument:
    """A document ``hlz check`` read, in the plan-document shape, and what it was."""

    plan: dict[str, Any]
    format: str
    left_out: int
    """Steps (deletes) or resources (providers, pending deletes) the pack does not judge."""


def detect(document: Any) -> str | None:
    """Which of the three documents this is, or None."""
    if not isinstance(document, dict):
        return None
    if "hlz" in document:
        return PLAN
    if "deployment" in document and "version" in document:
        return EXPORT
    if "steps" in document:
        return PREVIEW
    return None


def as_plan(document: Any) -> tuple[CheckedDocument | None, list[tuple[str, str]]]:
    """The document as a plan document, or the problems that stop it (JSON path, message)."""
    found = detect(document)
    if found is None or found == PLAN:
        return CheckedDocument(document, PLAN, 0), []
    if too_deep(document, MAX_DEPTH):
        return None, [("(document)", f"nested more than {MAX_DEPTH} levels deep")]
    if found == PREVIEW:
        return _from_preview(document), []
    return _from_export(document)


def _from_preview(document: dict[str, Any]) -> CheckedDocument:
    steps = document.get("steps")
    if not isinstance(steps, list):
        return CheckedDocument(document, PREVIEW, 0)  # the shape check names it
    kept = [
        {**step, "newState": _plain(step["newState"])}
        for step in steps
        if isinstance(step, dict) and step.get("newState") is not None
    ]
    config = document.get("config")
    profile = config.get("hlz:profile") if isinstance(config, dict) else None
    plan = {
        "steps": kept,
        "hlz": {
            "source": PREVIEW,
            "stack": _stack_of(kept),
            "profile": profile if profile in PROFILES else None,
        },
    }
    return CheckedDocument(plan, PREVIEW, len(steps) - len(kept))


def _from_export(document: dict[str, Any]) -> tuple[CheckedDocument | None, list[tuple[str, str]]]:
    version = document.get("version")
    if version not in EXPORT_VERSIONS:
        return None, [
            ("version", f"{version!r} is not a deployment version hlz reads (3 or 4)"),
        ]
    deployment = document.get("deployment")
    if not isinstance(deployment, dict):
        return None, [("deployment", "must be an object")]
    resources = deployment.get("resources", [])
    if not isinstance(resources, list):
        return None, [("deployment.resources", "must be a list")]
    problems = [
        (f"deployment.resources[{index}]", "must be an object with string 'urn' and 'type'")
        for index, resource in enumerate(resources)
        if not (
            isinstance(resource, dict)
            and isinstance(resource.get("urn"), str)
            and isinstance(resource.get("type"), str)
        )
    ]
    if problems:
        return None, problems
    steps = []
    profile = None
    for resource in resources:
        if resource["type"] == STACK_TYPE:
            outputs = resource.get("outputs")
            value = outputs.get("profile") if isinstance(outputs, dict) else None
            profile = value if value in PROFILES else None
        if resource["type"].startswith(PROVIDER_TYPE_PREFIX) or resource.get("delete"):
            continue
        state = {
            name: resource[name]
            for name in (
                "urn", "type", "custom", "id", "parent", "external", "provider",
                "inputs", "outputs", "dependencies", "propertyDependencies",
            )
            if name in resource
        }  # fmt: skip
        steps.append({"op": "same", "urn": resource["urn"], "newState": _plain(state)})
    plan = {
        "steps": steps,
        "hlz": {"source": EXPORT, "stack": _stack_of(steps), "profile": profile},
    }
    return CheckedDocument(plan, EXPORT, len(resources) - len(steps)), []


def _stack_of(steps: list[dict[str, Any]]) -> str:
    for step in steps:
        match = _URN.match(str(step.get("urn", "")))
        if match:
            return match.group("stack")
    return "?"


def _plain(value: Any) -> Any:
    """A state with the CLI's marks turned into the plan document's: unknown, secret, resource
    reference (the document's depth is bounded before this recursion)."""
    if isinstance(value, str):
        return UNKNOWN_MARK if value == CLI_UNKNOWN else value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            return SECRET_MASK
        if signature == RESOURCE_REFERENCE_SIG:
            return value.get("urn", "")
        return {key: _plain(item) for key, item in value.items()}
    return value
