"""The two refresh tools: the vendored types' offline check, and the swagger walk that
generates the wire data (on a small spec tree written here, shaped like azure-rest-api-specs)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses resolve their string annotations through sys.modules.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_vendored_bicep_types_pass_the_offline_check() -> None:
    result = subprocess.run(
        [sys.executable, "tools/refresh_bicep_types.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every needed version vendored" in result.stdout


def test_needed_versions_include_the_generic_health_workspace() -> None:
    tool = load_tool("refresh_bicep_types")
    needed = {(n.namespace, n.api_version): n.arm_types for n in tool.needed()}
    assert (
        "Microsoft.HealthcareApis/workspaces" in needed[("microsoft.healthcareapis", "2024-03-31")]
    )
    # Two upstream folders hold Microsoft.Network: the main RP and Private DNS.
    assert ("microsoft.network", "2024-05-01") in needed
    assert ("microsoft.network", "2024-06-01") in needed


def test_tools_explain_themselves() -> None:
    for tool in ("refresh_bicep_types", "refresh_wire_data"):
        result = subprocess.run(
            [sys.executable, f"tools/{tool}.py", "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0 and "--check" in result.stdout


SPEC = "specification/demo/resource-manager/Microsoft.Demo/stable/2024-01-01/demo.json"
COMMON = "specification/common-types/resource-management/v5/types.json"


def demo_specs(root: Path) -> None:
    common = {
        "definitions": {
            "TrackedResource": {
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "location": {"type": "string"},
                    "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                }
            }
        },
        "parameters": {
            "ApiVersionParameter": {"name": "api-version", "in": "query", "type": "string"}
        },
    }
    demo = {
        "paths": {
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Demo/widgets/{widgetName}": {
                "put": {
                    "parameters": [
                        {"name": "subscriptionId", "in": "path", "type": "string"},
                        {"name": "resourceGroupName", "in": "path", "type": "string"},
                        {"name": "widgetName", "in": "path", "type": "string"},
                        {
                            "$ref": "../../../../../common-types/resource-management/v5/types.json#/parameters/ApiVersionParameter"
                        },
                        {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Widget"}},
                    ]
                }
            }
        },
        "definitions": {
            "Widget": {
                "allOf": [
                    {
                        "$ref": "../../../../../common-types/resource-management/v5/types.json#/definitions/TrackedResource"
                    }
                ],
                "properties": {
                    "properties": {
                        "$ref": "#/definitions/WidgetProperties",
                        "x-ms-client-flatten": True,
                    },
                },
            },
            "WidgetProperties": {
                "properties": {
                    "isOn": {"type": "boolean", "x-ms-client-name": "IsOn"},
                    "supportsX": {"type": "boolean", "x-ms-client-name": "EnableX"},
                    "status": {"$ref": "#/definitions/Status", "readOnly": True},
                    "parts": {"type": "array", "items": {"$ref": "#/definitions/Part"}},
                    "labels": {
                        "type": "object",
                        "additionalProperties": {"$ref": "#/definitions/Label"},
                    },
                    "settings": {"$ref": "#/definitions/Settings", "x-ms-client-flatten": True},
                    "plain": {"$ref": "#/definitions/Plain"},
                }
            },
            "Status": {
                "properties": {"code": {"type": "string", "x-ms-client-name": "StatusCode"}}
            },
            "Part": {
                "properties": {
                    "properties": {
                        "$ref": "#/definitions/PartProperties",
                        "x-ms-client-flatten": True,
                    }
                }
            },
            "PartProperties": {"properties": {"size": {"type": "integer"}}},
            "Label": {"properties": {"text": {"type": "string", "x-ms-client-name": "labelText"}}},
            "Settings": {"type": "object", "additionalProperties": {"type": "string"}},
            "Plain": {"properties": {"value": {"type": "string"}}},
        },
    }
    for relative, document in ((SPEC, demo), (COMMON, common)):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))


def test_swagger_walk_keeps_only_flattening_and_renames(tmp_path: Path) -> None:
    tool = load_tool("refresh_wire_data")
    demo_specs(tmp_path)
    specs = tool.Specs(tmp_path)
    [operation] = tool.put_operations(specs, specs.version_files("Microsoft.Demo", "2024-01-01"))
    assert operation.parameters == ("resourceGroupName", "widgetName")
    assert tool.path_types(operation.url) == ("microsoft.demo", "widgets")
    walker = tool.Walker(specs)
    file_part, _, pointer = operation.body.partition("#")
    walker.definition(tmp_path / file_part, pointer)
    kept: dict[str, Any] = {
        key.rsplit("/", 1)[-1]: (
            facts.flatten,
            facts.sdk_names,
            {name: child.rsplit("/", 1)[-1] for name, child in facts.children.items()},
        )
        for key, facts in walker.kept().items()
    }
    assert kept == {
        "Widget": (["properties"], {}, {"properties": "WidgetProperties"}),
        # Same name up to case is no rename; the read-only status is not an input; a
        # dictionary is never flattened (settings); Plain has nothing to translate.
        "WidgetProperties": ([], {"supportsX": "enableX"}, {"parts": "Part", "labels": "Label"}),
        "Part": (["properties"], {}, {}),
        "Label": ([], {"text": "labelText"}, {}),
    }
    assert set(specs.read) == {SPEC, COMMON}


@pytest.mark.parametrize(
    ("swagger", "sdk"),
    [
        ("IPAddressOrRange", "iPAddressOrRange"),
        ("api-version", "apiVersion"),
        ("EnableX", "enableX"),
    ],
)
def test_sdk_names_follow_the_provider(swagger: str, sdk: str) -> None:
    assert load_tool("refresh_wire_data").lower_camel(swagger) == sdk


def test_a_type_file_in_the_earlier_format_reads_like_a_current_one() -> None:
    """The vendored DevTest Labs file predates bicep-types' current format: its schedules type
    must still be found, walked and judged (Microsoft.DevTestLab/schedules: VM auto-shutdown)."""
    from hlz.schema.bicep_types import TYPES_ROOT, TypeFile

    path = TYPES_ROOT / "microsoft.devtestlab" / "2018-09-15" / "types.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert "$type" not in raw[0]  # the earlier serialization, as vendored
    definition = TypeFile.load(path).resource("Microsoft.DevTestLab/schedules", "2018-09-15")
    assert definition is not None
    properties = definition.body.node["properties"]
    assert properties["properties"]["flags"] == 1  # Required
    schedule = definition.body.follow(properties["properties"]["type"])
    assert {"status", "taskType", "dailyRecurrence", "timeZoneId", "targetResourceId"} <= set(
        schedule.node["properties"]
    )
    status = schedule.follow(schedule.node["properties"]["status"]["type"])
    assert status.kind == "UnionType"
    literals = {schedule.follow(e).node.get("value") for e in status.node["elements"]}
    assert {"Enabled", "Disabled"} <= literals


def test_earlier_format_files_with_capitalised_keys_read_too() -> None:
    """Some earlier-format files spell their keys ``Name``/``Properties``/``Type``
    (Application Insights 2020-02-02), others ``name``/``properties``/``type``."""
    from hlz.schema.bicep_types import TYPES_ROOT, PropertyFlags, TypeFile

    path = TYPES_ROOT / "microsoft.insights" / "2020-02-02" / "types.json"
    assert '"Kind"' in path.read_text(encoding="utf-8")
    definition = TypeFile.load(path).resource("Microsoft.Insights/components", "2020-02-02")
    assert definition is not None
    body = definition.body.node["properties"]
    assert PropertyFlags(body["kind"]["flags"]) & PropertyFlags.REQUIRED
    component = definition.body.follow(body["properties"]["type"])
    application_type = component.node["properties"]["Application_Type"]
    assert PropertyFlags(application_type["flags"]) & PropertyFlags.REQUIRED
    ingestion = component.follow(
        component.node["properties"]["publicNetworkAccessForIngestion"]["type"]
    )
    assert {component.follow(e).node["value"] for e in ingestion.node["elements"]} == {
        "Enabled",
        "Disabled",
    }


def test_earlier_format_nodes_convert_kind_by_kind() -> None:
    from hlz.schema.bicep_types import from_legacy, is_legacy_node

    assert from_legacy({"1": {"Kind": 5}}) == {"$type": "StringType"}
    assert from_legacy({"6": {"value": "Enabled"}}) == {
        "$type": "StringLiteralType",
        "value": "Enabled",
    }
    assert from_legacy({"5": {"Elements": [3, 4]}}) == {
        "$type": "UnionType",
        "elements": [{"$ref": "#/3"}, {"$ref": "#/4"}],
    }
    assert from_legacy(
        {
            "2": {
                "Name": "X",
                "Properties": {"a": {"Type": 4, "Flags": 1, "Description": "d"}},
                "AdditionalProperties": 5,
            }
        }
    ) == {
        "$type": "ObjectType",
        "name": "X",
        "properties": {"a": {"type": {"$ref": "#/4"}, "flags": 1, "description": "d"}},
        "additionalProperties": {"$ref": "#/5"},
    }
    assert from_legacy({"4": {"name": "A/b@v", "scopeType": 8, "body": 2}}) == {
        "$type": "ResourceType",
        "name": "A/b@v",
        "scopeType": 8,
        "body": {"$ref": "#/2"},
    }
    assert not is_legacy_node({"$type": "StringType"})
    with pytest.raises(ValueError, match="earlier type format"):
        from_legacy({"$type": "StringType"})
