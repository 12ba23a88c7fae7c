"""Offline type validation of planned azure-native resources.

Each planned resource's wire inputs are turned into the ARM request body the provider would
send (``wire``: URL parameters out, flattened properties back under their container, SDK
renames undone, from swagger-derived data in ``wire_data.json``) and checked against the
official type definition of its exact REST API version (``bicep_types``: Azure/bicep-types-az
``types.json`` files vendored under ``bicep-types/``). ``validate`` holds the public API:

    from hlz.schema import validate_resources
    findings = validate_resources((r.urn, r.type, r.inputs) for r in plan.registrations)

Refresh the data with ``tools/refresh_bicep_types.py`` and ``tools/refresh_wire_data.py``.
"""

from .validate import (
    FINDING_KINDS,
    TypeFinding,
    covered_types,
    validate_resource,
    validate_resources,
)

__all__ = [
    "FINDING_KINDS",
    "TypeFinding",
    "covered_types",
    "validate_resource",
    "validate_resources",
]
