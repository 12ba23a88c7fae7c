"""``hlz report model-cards``: one CHAI Applied Model Card per model deployment, filled from the
governance record the plan carries (the deployment's tags and inputs, ``hlz.render.inventory``).

The shape is the Coalition for Health AI's Applied Model Card schema **v0.2**
(https://github.com/coalition-for-health-ai/mc-schema, ``v0.2/schema.xsd``, namespace
``https://mc.chai.org/v0.2/schema.xsd``). CHAI publishes it as XML Schema; the JSON here keeps
its element names and nesting one for one (an element is a key, a repeated element a list), so
a converter to the XML instance is mechanical. What the governance record holds fills the
matching field; every other field reads ``NOT_PROVIDED`` — hlz never writes clinical claims it
does not have. Facts without a CHAI field (approval reference and expiry, accountable owner,
SKU, capacity, the plan URN) sit beside the card under ``hlz``.

| CHAI field                                      | from the governance record               |
|-------------------------------------------------|------------------------------------------|
| BasicInfo.ModelName                             | deployment name (model)                  |
| ReleaseInfo.ReleaseVersion                      | model version                            |
| UsesAndDirections.IntendedUseAndWorkflow        | use case                                 |
| Warnings.ClinicalRiskLevel                      | risk tier (the AI governance board's)    |
| TrustIngredients.AISystemFacts.FoundationModels | model and version                        |
| TrustIngredients.AISystemFacts.Security         | account, SKU, content filter, PHI        |
"""

from __future__ import annotations

import re
from typing import Any

from hlz.render.inventory import MISSING, inventory

SCHEMA = "https://mc.chai.org/v0.2/schema.xsd"
SCHEMA_SOURCE = "https://github.com/coalition-for-health-ai/mc-schema/blob/main/v0.2/schema.xsd"
NOT_PROVIDED = "Not provided (not in the hlz governance record)"


def _given(value: Any) -> str:
    return NOT_PROVIDED if value == MISSING or value is None else str(value)


def _metric() -> dict[str, Any]:
    return {
        "MetricGoal": NOT_PROVIDED,
        "Results": {"MetricResult": [{"Label": NOT_PROVIDED, "ValueJson": "null"}]},
        "Interpretation": NOT_PROVIDED,
        "TestType": NOT_PROVIDED,
        "TestingDataDescription": NOT_PROVIDED,
        "ValidationProcessAndJustification": NOT_PROVIDED,
    }


def model_card(row: dict[str, Any]) -> dict[str, Any]:
    """The card of one ``hlz.render.inventory.inventory`` row."""
    model, version = row["model"], row["version"]
    foundation = NOT_PROVIDED if model == MISSING else f"{model} {_given(version)}".strip()
    phi = {"true": "yes", "false": "no"}.get(str(row["processesPhi"]).casefold(), "not recorded")
    security = (
        f"Azure AI Foundry / Azure OpenAI deployment on account {_given(row['account'])}, SKU "
        f"{_given(row['sku'])}, content filter {_given(row['contentFilter'])}; processes PHI: "
        f"{phi}"
    )
    card = {
        "BasicInfo": {
            "ModelName": f"{row['deployment']} ({_given(model)})",
            "ModelDeveloper": NOT_PROVIDED,
            "DeveloperContact": NOT_PROVIDED,
        },
        "ReleaseInfo": {
            "ReleaseStage": NOT_PROVIDED,
            "ReleaseDate": NOT_PROVIDED,
            "ReleaseVersion": _given(version),
            "GlobalAvailability": NOT_PROVIDED,
        },
        "ModelSummary": {"Summary": NOT_PROVIDED, "Keywords": {"Keyword": []}},
        "UsesAndDirections": {
            "IntendedUseAndWorkflow": _given(row["useCase"]),
            "PrimaryIntendedUsers": NOT_PROVIDED,
            "HowToUse": NOT_PROVIDED,
            "TargetedPatientPopulation": NOT_PROVIDED,
            "CautionedOutOfScopeSettings": NOT_PROVIDED,
        },
        "Warnings": {
            "KnownRisksAndLimitations": NOT_PROVIDED,
            "KnownBiasesOrEthicalConsiderations": NOT_PROVIDED,
            "ClinicalRiskLevel": _given(row["riskTier"]),
        },
        "TrustIngredients": {
            "AISystemFacts": {
                "OutcomesAndOutputs": NOT_PROVIDED,
                "ModelType": NOT_PROVIDED,
                "FoundationModels": foundation,
                "InputDataSource": NOT_PROVIDED,
                "OutputAndInputDataTypes": NOT_PROVIDED,
                "DevelopmentDataCharacterization": NOT_PROVIDED,
                "BiasMitigationApproaches": NOT_PROVIDED,
                "OngoingMaintenance": NOT_PROVIDED,
                "Security": security,
            },
            "TransparencyInformation": {
                "FundingSource": NOT_PROVIDED,
                "StakeholdersConsulted": NOT_PROVIDED,
            },
        },
        "KeyMetrics": {
            "UsefulnessUsabilityEfficacy": _metric(),
            "FairnessEquity": _metric(),
            "SafetyReliability": _metric(),
        },
        "Resources": {
            "PeerReviewedPublications": NOT_PROVIDED,
            "PatientConsentOrDisclosure": NOT_PROVIDED,
        },
        "Bibliography": "",
    }
    return {
        "schema": SCHEMA,
        "schemaSource": SCHEMA_SOURCE,
        "AppliedModelCard": card,
        "hlz": {
            "deployment": row["deployment"],
            "account": row["account"],
            "sku": row["sku"],
            "capacity": row["capacity"],
            "contentFilter": row["contentFilter"],
            "approvalReference": row["approvalReference"],
            "approvalExpires": row["approvalExpires"],
            "accountableOwner": row["owner"],
            "processesPhi": row["processesPhi"],
            "urn": row["urn"],
        },
    }


def file_name(deployment: str, taken: set[str]) -> str:
    """``<deployment>.model-card.json``, the name reduced to letters, digits, ``-`` and ``_``
    (a deployment name comes from config: no separator or ``..`` reaches the path), numbered
    when two deployments reduce to the same name."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", deployment) or "deployment"
    name, number = f"{stem}.model-card.json", 2
    while name in taken:
        name, number = f"{stem}-{number}.model-card.json", number + 1
    taken.add(name)
    return name


def model_cards(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{file name: card}``, one card per model deployment, in plan order."""
    taken: set[str] = set()
    return {file_name(str(row["deployment"]), taken): model_card(row) for row in inventory(plan)}
