"""``python tools/docs.py write|check`` (``make docs`` / ``make docs-check``): every reference
file generated from the code, in one place.

- ``docs/configuration.md``: every ``hlz:*`` key of every layer in ``stacks/registry.py``, from
  the layer's config model (type, default, required, description). A layer's model is the one
  in ``stacks/<layer>/config.py`` whose ``layer`` key selects it (``layer: Literal["<layer>"]``).
- ``docs/components.md``: the parameters of every component's ``*Args`` model in
  ``components/``, then the nested types those parameters use.
- ``policies/RULES.md``: the rule table, enforcement and exemption conventions, from the
  pack's registry.
- ``policies/config/lab.json``, ``policies/config/production.json``: the
  ``--policy-pack-config`` documents (``policies.profiles.pack_config``).
- ``policies/taggable_types.json``: taggable azure-native types (``policies.sdk_catalog``; needs
  the installed SDK).
- ``docs/alert-rules.md``: every baseline alert rule with its thresholds and where each value
  comes from, the budget notifications and the ARM limits the deploy rules enforce
  (``policies.alerting``).

Descriptions are the fields' attribute docstrings (``use_attribute_docstrings`` on
``HlzModel`` and ``ConfigModel``). Every config key and every component parameter (including
the fields of the nested types parameters use) must have one: an undocumented field stops the
generator with the list of all of them and where to document each. A config section (a key
holding an object) may take its description from its model's class docstring instead.

``write`` renders everything first (an error writes nothing), then rewrites the files that
changed; ``check`` exits 1 naming each file that ``write`` would change. The output depends
only on the code and the installed SDK, so it is the same on every machine. A development
tool: not installed with the package; the pack reads the files it writes, never this module.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import pkgutil
import re
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hlz.render.text import markdown_table
from hlz.stackfiles import project_root
from policies import alerting
from policies.builtin_index import builtin_index
from policies.exemptions import EXPIRY_CAP_DAYS, MINIMUM_REASON_LENGTH, MINIMUM_STEM_LENGTH
from policies.model import Category, Profile, ResourceRule, Rule
from policies.overrides import TAG_VALUE_MAX_LENGTH
from policies.profiles import PROFILE_PROPERTY, enforcement_level, pack_config
from policies.registry import ALL_RULES
from policies.rules.monitor import DIAGNOSTICS_COVERAGE
from policies.rules.network import PRIVATE_LINK_TARGETS
from policies.runtime import builtin_link, counterparts_of, member_effect, no_counterpart_reason
from policies.sdk_catalog import render_taggable_types
from policies.vocabulary import (
    ALLOWED_LOCATIONS,
    OVERRIDE_TAG_PREFIX,
    REQUIRED_TAGS,
    SUBNETS_WITHOUT_NSG,
)
from stacks.registry import LAYERS

KEY_PREFIX = "hlz:"
CONFIG_HINT = "add a docstring under each field (or a class docstring on the model of a section)"
COMPONENT_HINT = "add a docstring under each field stating its default and why"


class GenerationError(Exception):
    """The code cannot be documented as it stands; the message says what to fix."""


class UndocumentedError(GenerationError):
    """Fields without a docstring where one is required; ``keys`` names each of them."""

    def __init__(
        self,
        missing: Sequence[tuple[str, str]],
        what: str = "configuration key(s)",
        hint: str = CONFIG_HINT,
    ):
        self.keys = [key for key, _ in missing]
        lines = [f"  - {key}  ({where})" for key, where in missing]
        super().__init__(f"{len(missing)} {what} have no description; {hint}:\n" + "\n".join(lines))


# --- reading the models -----------------------------------------------------------------------


def config_layers() -> list[tuple[str, type[BaseModel]]]:
    """``(layer, config model)`` of every layer of ``stacks/registry.py``, in its order."""
    return [(layer, layer_config_model(layer)) for layer in LAYERS]


def layer_config_model(layer: str) -> type[BaseModel]:
    """The model in ``stacks/<layer>/config.py`` whose ``layer`` key selects ``layer``."""
    module = importlib.import_module(f"stacks.{layer}.config")
    found = [
        value
        for value in vars(module).values()
        if is_model(value) and value.__module__ == module.__name__ and selects(value, layer)
    ]
    if len(found) != 1:
        raise GenerationError(
            f"layer {layer!r}: {module.__name__} must define one config model with "
            f"`layer: Literal[{layer!r}]`, found {len(found)}"
        )
    return found[0]


def selects(model: type[BaseModel], layer: str) -> bool:
    """Whether ``model``'s ``layer`` key admits exactly ``layer``."""
    field = model.model_fields.get("layer")
    if field is None:
        return False
    annotation, _ = strip_annotated(field.annotation)
    return get_origin(annotation) is Literal and get_args(annotation) == (layer,)


def class_doc(cls: type) -> str | None:
    """The class's own docstring (not an inherited one), whitespace collapsed."""
    doc = cls.__dict__.get("__doc__")
    return " ".join(inspect.cleandoc(doc).split()) if isinstance(doc, str) and doc.strip() else None


def field_doc(field: FieldInfo) -> str | None:
    return " ".join(field.description.split()) if field.description else None


def strip_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        return inner, tuple(metadata)
    return annotation, ()


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def without_none(annotation: Any) -> list[Any]:
    return [arg for arg in get_args(annotation) if arg is not type(None)]


def nested_model(annotation: Any) -> tuple[type[BaseModel], str] | None:
    """The model a field holds and how its keys continue: ``.`` for an object (or an optional
    one), ``[].`` for a list of objects, ``.<name>.`` for a map of objects."""
    annotation, _ = strip_annotated(annotation)
    if is_model(annotation):
        return annotation, "."
    if is_union(annotation):
        members = without_none(annotation)
        return nested_model(members[0]) if len(members) == 1 else None
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (list, tuple, set, frozenset, Sequence) and args:
        inner = nested_model(args[0])
        return (inner[0], "[]" + inner[1]) if inner else None
    if origin is dict and len(args) == 2:
        inner = nested_model(args[1])
        return (inner[0], ".<name>" + inner[1]) if inner else None
    return None


def models_used(annotation: Any) -> Iterator[type[BaseModel]]:
    """Every model an annotation mentions, at any depth."""
    annotation, _ = strip_annotated(annotation)
    if is_model(annotation):
        yield annotation
    for arg in get_args(annotation):
        if not isinstance(arg, str):
            yield from models_used(arg)


# --- rendering values ---------------------------------------------------------------------


CODE_SPAN = re.compile(r"(``.+?``|`[^`]+`)")


def prose(text: str) -> str:
    """Docstring text for a table cell: ``<name>`` outside code would be read as an HTML tag
    (``markdown_table`` escapes the cell)."""
    parts = CODE_SPAN.split(text)
    for index in range(0, len(parts), 2):
        parts[index] = parts[index].replace("<", "&lt;").replace(">", "&gt;")
    return "".join(parts)


def code(text: str) -> str:
    return f"`{text}`"


def constraints(metadata: Sequence[Any], annotation: Any) -> list[str]:
    """``Field(...)`` limits (annotated-types metadata) as words."""

    def count(number: int) -> str:
        unit = "character" if annotation is str else "item"
        return f"{number} {unit}{'' if number == 1 else 's'}"

    limits: dict[str, Any] = {}
    for item in metadata:
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
            value = getattr(item, name, None)
            if value is not None:
                limits[name] = value
    words = []
    low = limits.get("min_length")
    high = limits.get("max_length")
    if low is not None and high is not None:
        words.append(f"{low}-{count(high)}")
    elif low is not None:
        words.append(f"at least {count(low)}")
    elif high is not None:
        words.append(f"at most {count(high)}")
    bounds = [
        f"{symbol} {limits[name]}"
        for name, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
        if name in limits
    ]
    if bounds:
        words.append(", ".join(bounds))
    if "pattern" in limits:
        words.append(f"matching {code(str(limits['pattern']))}")
    return words


SCALARS = {
    str: "string",
    int: "integer",
    bool: "boolean",
    float: "number",
    date: "date (YYYY-MM-DD)",
}


def config_type(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """A field's type in the words of a YAML stack file."""
    annotation, more = strip_annotated(annotation)
    metadata = (*metadata, *more)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        values = [code(str(arg)) for arg in args]
        text = values[0] if len(values) == 1 else "one of " + ", ".join(values)
    elif is_union(annotation):
        text = " or ".join(config_type(arg) for arg in without_none(annotation))
    elif origin in (list, tuple, set, frozenset, Sequence):
        text = f"list of {config_type(args[0])}" if args else "list"
    elif origin is dict:
        text = f"map of {config_type(args[1])}" if len(args) == 2 else "map"
    elif is_model(annotation):
        text = "object"
    elif annotation in SCALARS:
        text = SCALARS[annotation]
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        text = "one of " + ", ".join(code(str(member.value)) for member in annotation)
    else:
        text = getattr(annotation, "__name__", str(annotation))
    limits = constraints(metadata, annotation)
    return f"{text} ({'; '.join(limits)})" if limits else text


def python_type(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """A field's type as a Python caller writes it; ``Annotated[Any, "pulumi.Input[str]"]``
    (``StrInput``) reads as ``pulumi.Input[str]``."""
    annotation, more = strip_annotated(annotation)
    label = next((item for item in (*metadata, *more) if isinstance(item, str)), None)
    if annotation is Any:
        return label or "Any"
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is type(None):
        return "None"
    if origin is Literal:
        return f"Literal[{', '.join(repr(arg) for arg in args)}]"
    if is_union(annotation):
        return " | ".join(python_type(arg) for arg in args)
    if origin is not None and args:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(python_type(arg) for arg in args)}]"
    return getattr(annotation, "__name__", str(annotation))


def yaml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple) and not value:
        return "[]"
    if isinstance(value, dict) and not value:
        return "{}"
    return str(value)


def default_text(field: FieldInfo, style: Literal["config", "python"]) -> str:
    if field.is_required():
        return "-"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "the defaults below" if style == "config" else code(f"{type(value).__name__}()")
    if value is None:
        return "not set" if style == "config" else code("None")
    if style == "python" and isinstance(value, Enum):
        return code(f"{type(value).__name__}.{value.name}")
    return code(yaml_value(value) if style == "config" else repr(value))


# --- docs/configuration.md --------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigRow:
    key: str
    type: str
    default: str
    required: bool
    description: str


def config_rows(
    model: type[BaseModel],
    prefix: str,
    missing: list[tuple[str, str]],
    seen: tuple[type[BaseModel], ...] = (),
) -> list[ConfigRow]:
    """One row per key, sections followed by their keys; undocumented keys go to ``missing``."""
    rows: list[ConfigRow] = []
    for name, field in model.model_fields.items():
        key = prefix + (field.alias if isinstance(field.alias, str) else name)
        nested = nested_model(field.annotation)
        description = field_doc(field) or (class_doc(nested[0]) if nested else None)
        if description is None:
            where = f"{model.__name__}.{name} in {inspect.getfile(model)}"
            missing.append((key, where.replace(str(project_root()) + "/", "")))
        rows.append(
            ConfigRow(
                key=key,
                type=config_type(field.annotation, field.metadata),
                default=default_text(field, "config"),
                required=field.is_required(),
                description=description or "",
            )
        )
        if nested is not None and nested[0] not in seen:
            rows += config_rows(nested[0], key + nested[1], missing, (*seen, model))
    return rows


CONFIGURATION_INTRO = """\
# Configuration reference

<!-- Generated by `python tools/docs.py write` from the config models; do not edit.
     `make docs-check` fails when this file is stale. -->

Every key of a stack's `Pulumi.<stack>.yaml`, by layer (`hlz:layer` picks the layer). Keys are
camelCase; a dotted key is a key inside an object (`hlz:hub.subnets.firewall` is `firewall`
under `subnets` under `hlz:hub`), `[]` is every item of a list and `<name>` every entry of a
map. *Required* inside an object means required whenever that object is given. The whole
configuration is validated before any resource is created, and every problem is reported at
once, each naming its key.
"""


def render_configuration(layers: Sequence[tuple[str, type[BaseModel]]] | None = None) -> str:
    layers = config_layers() if layers is None else layers
    missing: list[tuple[str, str]] = []
    sections = []
    for layer, model in layers:
        rows = config_rows(model, KEY_PREFIX, missing)
        lines = [
            f"## Layer {code(layer)}",
            "",
            f"Model: `{model.__module__}.{model.__name__}`.",
            "",
        ]
        lines += markdown_table(
            ("Key", "Type", "Default", "Required", "Description"),
            (
                (
                    code(row.key),
                    row.type,
                    row.default,
                    "yes" if row.required else "no",
                    prose(row.description),
                )
                for row in rows
            ),
        )
        sections.append("\n".join(lines))
    if missing:
        raise UndocumentedError(missing)
    return CONFIGURATION_INTRO + "\n" + "\n\n".join(sections) + "\n"


# --- docs/components.md -----------------------------------------------------------------------


def component_modules() -> list[types.ModuleType]:
    import components

    return [
        importlib.import_module(f"components.{info.name}")
        for info in sorted(pkgutil.iter_modules(components.__path__), key=lambda info: info.name)
    ]


def args_models(module: types.ModuleType) -> list[type[BaseModel]]:
    """``*Args`` models defined in ``module``, in definition order."""
    from components.shared import HlzModel

    return [
        value
        for name, value in vars(module).items()
        if name.endswith("Args")
        and isinstance(value, type)
        and issubclass(value, HlzModel)
        and value.__module__ == module.__name__
    ]


def nested_types(models: Sequence[type[BaseModel]]) -> list[type[BaseModel]]:
    """Models the parameters use (at any depth) that are not ``*Args`` themselves, by name."""
    found: dict[str, type[BaseModel]] = {}
    pending = list(models)
    while pending:
        model = pending.pop()
        for field in model.model_fields.values():
            for used in models_used(field.annotation):
                qualified = f"{used.__module__}.{used.__name__}"
                if used in models or qualified in found:
                    continue
                found[qualified] = used
                pending.append(used)
    return sorted(found.values(), key=lambda model: (model.__name__, model.__module__))


def source_path(obj: Any) -> str:
    return Path(inspect.getfile(obj)).resolve().relative_to(project_root()).as_posix()


def parameter_table(model: type[BaseModel], missing: list[tuple[str, str]]) -> list[str]:
    """The model's fields as table rows; undocumented ones go to ``missing``."""
    rows = []
    for name, field in model.model_fields.items():
        description = field_doc(field)
        if description is None:
            missing.append((f"{model.__name__}.{name}", source_path(model)))
        rows.append(
            (
                code(name),
                code(python_type(field.annotation, field.metadata)),
                default_text(field, "python"),
                prose(description or ""),
            )
        )
    return markdown_table(("Parameter", "Type", "Default", "Description"), rows)


COMPONENTS_INTRO = """\
# Component reference

<!-- Generated by `python tools/docs.py write` from components/*.py; do not edit.
     `make docs-check` fails when this file is stale. -->

The arguments of every component in `components/`: each takes one frozen `*Args` model
(unknown keys are rejected). `pulumi.Input[str]` accepts a plain value or an Output of one.
Nested types used by the parameters are listed at the end.
"""


def render_components(modules: Sequence[types.ModuleType] | None = None) -> str:
    """The reference of the ``*Args`` models in ``modules`` (default: every module of
    ``components/``). Raises UndocumentedError naming every undocumented parameter."""
    modules = component_modules() if modules is None else modules
    missing: list[tuple[str, str]] = []
    sections = []
    all_models: list[type[BaseModel]] = []
    for module in modules:
        models = args_models(module)
        if not models:
            continue
        all_models += models
        lines = [f"## `{source_path(module)}`", ""]
        if module.__doc__:
            lines += [inspect.cleandoc(module.__doc__), ""]
        for model in models:
            lines += [f"### `{model.__name__}`", ""]
            doc = class_doc(model)
            if doc:
                lines += [doc, ""]
            lines += parameter_table(model, missing)
            lines.append("")
        sections.append("\n".join(lines).rstrip())
    nested = ["## Nested types"]
    for model in nested_types(all_models):
        nested += ["", f"### `{model.__name__}` ({code(source_path(model))})", ""]
        doc = class_doc(model)
        if doc:
            nested += [doc, ""]
        nested += parameter_table(model, missing)
    if missing:
        raise UndocumentedError(missing, "component parameter(s)", COMPONENT_HINT)
    return COMPONENTS_INTRO + "\n" + "\n\n".join([*sections, "\n".join(nested)]) + "\n"


# --- policies/RULES.md and the pack's configs ----------------------------------------------


def _short_type(token: str) -> str:
    return token.removeprefix("azure-native:")


def _applies_to(rule: Rule) -> str:
    if rule.resource_types is None:
        return "every azure-native resource"
    types = ", ".join(code(_short_type(t)) for t in sorted(rule.resource_types))
    return types if isinstance(rule, ResourceRule) else f"stack: {types}"


def _enforcement(rule: Rule) -> str:
    lab, production = (
        enforcement_level(rule, Profile.LAB),
        enforcement_level(rule, Profile.PRODUCTION),
    )
    text = (
        "mandatory (PHI-protecting)"
        if rule.phi_protecting
        else f"{lab.value} in lab, {production.value} in production"
    )
    if rule.production_only:
        text += "; production only"
        if rule.phi_in_every_profile:
            text += " (every profile when tagged `data-classification: phi`)"
    if isinstance(rule, ResourceRule) and rule.override_tag is not None:
        text += f"; tag `{rule.override_tag}` overrides"
    return text


def _references(rule: Rule) -> str:
    parts = [f"MCSB {c}" for c in rule.mcsb] + [f"HITRUST {c}" for c in rule.hitrust]
    return ", ".join(parts) if parts else "-"


_INTRO = """\
# hlz-hipaa policy rules

<!-- Generated by `python tools/docs.py write` from policies/registry.py; do not edit.
     `make docs-check` fails when this file is stale. -->

{total} rules ({resource} resource rules, {stack} stack rules) in two categories:

- **{hipaa_count} HIPAA rules**: safeguards of the Security Rule; {phi} protect ePHI directly and
  are **mandatory in every profile**.
- **{deploy_count} deploy rules** (`deploy-*`, listed after the HIPAA rules):
  constraints Azure Resource Manager enforces that no type definition shows. A violation means
  `pulumi up` would fail, so they are **mandatory in every profile**.

Citations are sections of the HIPAA Security Rule (45 CFR
Part 164 Subpart C); the first one prefixes each violation message. Other references: Microsoft
cloud security benchmark v1 (MCSB) and HITRUST CSF controls, where one fits.

## Enforcement and profiles

| rule kind | no config file | `config/lab.json` | `config/production.json` |
|---|---|---|---|
| PHI-protecting | mandatory | mandatory | mandatory |
| deploy | mandatory | mandatory | mandatory |
| other | advisory | advisory | mandatory |
| production only | checked (profile defaults to production) | not applicable, except \
on resources tagged `data-classification: phi` where the rule says so | checked |

```sh
pulumi preview --policy-pack policies --policy-pack-config policies/config/lab.json
pulumi preview --policy-pack policies --policy-pack-config policies/config/production.json
```

Profile-dependent policies take the config property `{profile_property}` (`lab` | `production`,
default `production`). `production.json` also sets `"all": "mandatory"` as a floor for rules
added later; `lab.json` sets no `all`, because `"all": "advisory"` would demote PHI-protecting
rules. `profiles.config_problems` rejects any config that lowers a PHI-protecting or deploy
rule: the served pack refuses such a `--policy-pack-config` when the Pulumi CLI hands it over
(`policies/sdk_guard.py`), so the preview fails with the list of problems instead of running
without the rule, and the tests run it on both shipped files.

## HIPAA rules

"""

_CONVENTIONS = """\

## Conventions the rules rely on

- **Exemptions** live in `policies/exemptions.yaml`: rule id, resource, reason, owner, expiry
  date (inclusive). Every problem stops the pack with one error listing them all, each named
  `<file>[<index>] (<rule>).<key>`: an unknown rule id, a key written twice, a reason with fewer
  than {min_reason} visible characters or 2 words (invisible and control characters do not
  count), an owner that is not visible text, an expiry more than {cap_text} days after the
  evaluation day (the strictest cap when the profile is not known yet, as when `hlz plan` or the
  Pulumi CLI loads the file), and a resource that is not one of:

  | resource form | example | matches |
  |---|---|---|
  | exact logical name | `stdiaglab01` | resources with that name |
  | name stem and one final `*` | `stdiaglab*` (stem of at least {min_stem} characters) \
| names starting with the stem |
  | exact URN | `urn:pulumi:lab::hlz::<type>::stdiaglab01` | that resource |
  | URN with type `*` and/or a name stem | `urn:pulumi:lab::hlz::*::stdiaglab*` \
| those names in that stack |

  `?`, `[...]`, a leading or inner `*` (`*-*`, `urn:*`) and a shorter stem (`st*`) are refused.
  An expired exemption stops applying and the violation names it. There is no switch that
  disables everything.
- **Override tags** `{override_prefix}<control>` (written by the components from a typed
  `Override`): honoured only by the rules whose enforcement names one above, and only on the
  resource carrying the tag. Its value is the reason ({min_reason}+ visible characters, 2
  words), followed by ` (expires YYYY-MM-DD)` when the override has an expiry; the whole value
  fits Azure's {tag_max} characters (the `Override` model refuses a longer reason, nothing is
  cut off). The resource then reports *not applicable* with that value, so the override stays
  visible. A reason too short, an unreadable expiry, or an expiry before the evaluation day
  (the day exemptions are judged on) leaves the violation standing, with a message saying why.
- **Required tags** (names case-insensitive): {required_tags}. A resource is taggable when its
  inputs have `tags` or its type is listed in `policies/taggable_types.json` (classes of the
  installed azure-native SDK with a `tags` argument).
- **Allowed locations**: {locations} and `global`. Resources without a `location` input inherit
  their resource group's, which is checked instead.
- **Unknown values** (preview): references to resources not created yet (key URLs, NSG ids,
  workspace ids) count as set; any other unknown value makes the rule report "can't run during
  preview" (advisory), and it runs again with known values during the update.
- **Relationships** (stack rules) come from dependencies, never from ids: a lock covers a vault
  when its `scope` was computed from the vault; a private endpoint covers a resource when its
  `privateLinkServiceConnections` were; a DNS zone group covers an endpoint through
  `privateEndpointName`; a diagnostic setting covers a resource through `resourceUri`.

### Diagnostic settings coverage

The types whose row in the catalogue `policies/services.py` is `Logged`; every other row says
why it needs no diagnostic setting (`NotLogged`).

{diagnostics}

### Private endpoints

The catalogue rows with a `private_link`; the landing zone creates their `privatelink.*` zones.

{private_endpoints}

### Subnets that take no NSG

{reserved_subnets}
- `AzureBastionSubnet` is **not** exempt: Bastion supports an NSG and must have one.

"""


_DEPLOY_INTRO = """
## Deploy rules: what Azure Resource Manager would refuse

Each encodes one documented constraint (the id links to the Microsoft Learn page it comes
from). They are not HIPAA controls: they catch, offline, a plan that `pulumi up` would fail on.

"""


RULE_COLUMNS = (
    "id",
    "severity",
    "applies to",
    "enforcement",
    "what it checks",
    "why",
    "HIPAA",
    "other references",
    "remediation",
)
DEPLOY_COLUMNS = ("id", "applies to", "what it checks", "what Azure does otherwise", "remediation")


def _deploy_row(rule: Rule) -> tuple[str, ...]:
    return (
        f"[`{rule.id}`]({rule.url})",
        _applies_to(rule),
        rule.description,
        rule.rationale,
        rule.remediation,
    )


def _rule_row(rule: Rule) -> tuple[str, ...]:
    return (
        f"[`{rule.id}`]({rule.url})",
        rule.severity.value,
        _applies_to(rule),
        _enforcement(rule),
        rule.description,
        rule.rationale,
        ", ".join(rule.hipaa),
        _references(rule),
        rule.remediation,
    )


_RUNTIME_INTRO = """
## Runtime counterparts (Azure Policy)

The same controls after deployment: each landing zone assigns the custom initiative
`hlz-hipaa-runtime` (`components/runtime_policy.py`) made of the Azure built-in policies below,
so a change made in the portal or by another tool is denied or reported. Lab assigns Audit
only; production assigns Deny for PHI-protecting rules where the built-in offers it and reads
the same property no more widely than the rule, Audit otherwise. Built-ins come from the
vendored index `policies/data/builtin_policies.json` ({index_count} definitions, Azure/azure-policy
at `{commit}`, {date}); `policies/runtime.py` holds the mapping and the test suite checks that
every id is in the index and that each built-in reads the property its rule reads.

{with_count} of {hipaa_count} HIPAA rules have a runtime counterpart ({member_count} built-ins);
{without_count} have none, for the reason given. Deploy rules have none: Azure Resource Manager
itself refuses what they guard.

"""


def _runtime_row(rule: Rule) -> tuple[str, ...]:
    counterparts = counterparts_of(rule)
    if not counterparts:
        return (f"`{rule.id}`", "none", "", "", "", no_counterpart_reason(rule) or "")
    rows = []
    for counterpart in counterparts:
        definition = counterpart.builtin
        rows.append(
            (
                builtin_link(definition),
                f"`{definition.name}`",
                definition.version,
                " / ".join(
                    member_effect(rule, counterpart, p) or "-"
                    for p in (Profile.LAB, Profile.PRODUCTION)
                ),
                counterpart.note,
            )
        )
    return (
        f"`{rule.id}`",
        "<br>".join(r[0] for r in rows),
        "<br>".join(r[1] for r in rows),
        "<br>".join(r[2] for r in rows),
        "<br>".join(r[3] for r in rows),
        "<br>".join(r[4] or "same property" for r in rows),
    )


RUNTIME_COLUMNS = ("rule", "built-in policy", "id", "version", "effect lab / production", "note")


def render_rules_markdown(rules: Sequence[Rule] = ALL_RULES) -> str:
    stack = sum(1 for rule in rules if not isinstance(rule, ResourceRule))
    hipaa = [rule for rule in rules if rule.category is Category.HIPAA]
    deploy = [rule for rule in rules if rule.category is Category.DEPLOY]
    intro = _INTRO.format(
        total=len(rules),
        resource=len(rules) - stack,
        stack=stack,
        hipaa_count=len(hipaa),
        deploy_count=len(deploy),
        phi=sum(1 for rule in rules if rule.phi_protecting),
        profile_property=PROFILE_PROPERTY,
    )
    required_tags = ", ".join(
        f"`{name}`" + (f" ∈ {{{', '.join(values)}}}" if values else "")
        for name, values in REQUIRED_TAGS.items()
    )
    conventions = _CONVENTIONS.format(
        min_reason=MINIMUM_REASON_LENGTH,
        min_stem=MINIMUM_STEM_LENGTH,
        cap_text=" / ".join(f"{days} ({p.value})" for p, days in EXPIRY_CAP_DAYS.items()),
        tag_max=TAG_VALUE_MAX_LENGTH,
        override_prefix=OVERRIDE_TAG_PREFIX,
        required_tags=required_tags,
        locations=", ".join(f"`{location}`" for location in ALLOWED_LOCATIONS),
        diagnostics="\n".join(
            markdown_table(
                ("type", "the diagnostic setting goes on"),
                ((code(_short_type(t)), where) for t, where in DIAGNOSTICS_COVERAGE.items()),
            )
        ),
        private_endpoints="\n".join(
            markdown_table(
                ("type", "group ids"),
                ((code(_short_type(t)), groups) for t, groups in PRIVATE_LINK_TARGETS.items()),
            )
        ),
        reserved_subnets="\n".join(
            f"- `{name}`: {why}" for name, why in SUBNETS_WITHOUT_NSG.items()
        ),
    )
    return (
        intro
        + "\n".join(markdown_table(RULE_COLUMNS, (_rule_row(rule) for rule in hipaa)))
        + "\n"
        + _DEPLOY_INTRO
        + "\n".join(markdown_table(DEPLOY_COLUMNS, (_deploy_row(rule) for rule in deploy)))
        + "\n"
        + _runtime_section(hipaa)
        + conventions
    )


def _runtime_section(hipaa: Sequence[Rule]) -> str:
    index = builtin_index()
    mapped = [rule for rule in hipaa if counterparts_of(rule)]
    intro = _RUNTIME_INTRO.format(
        index_count=len(index.definitions),
        commit=index.commit[:12],
        date=index.commit_date,
        with_count=len(mapped),
        hipaa_count=len(hipaa),
        member_count=len({c.definition for rule in mapped for c in counterparts_of(rule)}),
        without_count=len(hipaa) - len(mapped),
    )
    rows = (_runtime_row(rule) for rule in hipaa)
    return intro + "\n".join(markdown_table(RUNTIME_COLUMNS, rows)) + "\n"


def render_config(profile: Profile, rules: Iterable[Rule] = ALL_RULES) -> str:
    return json.dumps(pack_config(profile, rules), indent=2) + "\n"


# --- write and check --------------------------------------------------------------------------


_ALERTS_INTRO = """\
# Baseline alert rules and budget notifications

<!-- Generated by `python tools/docs.py write` from policies/alerting.py; do not edit.
     `make docs-check` fails when this file is stale. -->

What `BaselineAlerts` creates on every resource of each type, and what every AI lab's budget
sends: [alerts.md](alerts.md) explains which resources get them and why. Values come from the
[Azure Monitor Baseline Alerts]({repository}) (AMBA) at commit `{commit}` ({date}), vendored in
`policies/data/amba_alerts.json`; *verified* is AMBA's own flag (AMBA validated the values against
a live service). Every value hlz changes is listed under *deviations* with its reason.
"""


def _alert_source(alert: alerting.AlertSpec) -> str:
    if alert.amba is None:
        return "hlz (no AMBA entry)"
    entry = alerting.AMBA[alert.amba]
    verified = "verified" if entry.verified else "not verified"
    return f'[AMBA `{alert.amba[:8]}`]({entry.url}) "{entry.name}", {verified}'


def _alert_signal(alert: alerting.AlertSpec) -> tuple[str, str]:
    if isinstance(alert, alerting.HealthAlert):
        return (
            f"Resource Health ({alert.category})",
            f"status {' or '.join(alert.statuses)}, cause {' or '.join(alert.causes)}",
        )
    signal = f"`{alert.metric_name}`"
    for dimension in alert.dimensions:
        sign = "=" if dimension.operator == "Include" else "!="
        signal += f" [{dimension.name} {sign} {', '.join(dimension.values)}]"
    threshold = f"{alert.threshold:g}"
    return (
        signal,
        f"{alert.time_aggregation} {alert.operator} {threshold} over {alert.window_size}, "
        f"every {alert.evaluation_frequency}; severity {alert.severity}"
        + ("" if alert.auto_mitigate else "; no auto-mitigation"),
    )


def render_alert_rules() -> str:
    lines = [
        _ALERTS_INTRO.format(
            repository=alerting.AMBA_REPOSITORY,
            commit=alerting.AMBA_SOURCE["commit"],
            date=alerting.AMBA_SOURCE["date"],
        ),
        "## Alert rules",
        "",
    ]
    rows = []
    for token, alerts in alerting.BASELINE_ALERTS.items():
        for alert in alerts:
            signal, condition = _alert_signal(alert)
            reference = "Resource Health checks" if alert.kind != "metric" else "metric"
            title = alert.title + (" (availability)" if alert.availability else "")
            rows.append(
                (
                    f"`{_short_type(token)}`",
                    f"{title}: `{alert.key}`",
                    signal,
                    condition,
                    f"{_alert_source(alert)}; [{reference}]({alert.reference})",
                    "; ".join(alert.deviations) or "-",
                )
            )
    lines += markdown_table(
        ("type", "rule: key", "signal", "condition", "source", "deviations"), rows
    )
    phi = ", ".join(f"`{_short_type(t)}`" for t in sorted(alerting.PHI_STORE_TYPES))
    lines += [
        "",
        f"PHI stores ({phi}) each have an availability rule (marked *availability*): "
        "`monitor-phistore-require-availability-alert` requires it on every one in production.",
        "",
        "## Budget notifications",
        "",
        f"Every AI lab's budget: {alerting.BUDGET_CATEGORY}, {alerting.BUDGET_TIME_GRAIN}, "
        f"operator `{alerting.BUDGET_OPERATOR}`; each notification goes to the lab owners and "
        "the landing zone's action group.",
        "",
    ]
    lines += markdown_table(
        ("key", "threshold", "type", "why"),
        (
            (f"`{n.key}`", f"{n.threshold} %", n.threshold_type, n.why)
            for n in alerting.BUDGET_NOTIFICATIONS
        ),
    )
    lines += [
        "",
        "## Limits ARM enforces (the `deploy-*` rules)",
        "",
        f"- Budgets ([REST reference]({alerting.BUDGETS_REST})): start on the first of a month, "
        f"not before {alerting.BUDGET_EARLIEST_START.isoformat()} and at most "
        f"{alerting.BUDGET_MAX_MONTHS_AHEAD} months ahead; at most "
        f"{alerting.BUDGET_MAX_NOTIFICATIONS} notifications, thresholds from "
        f"{alerting.BUDGET_THRESHOLD_RANGE[0]} to {alerting.BUDGET_THRESHOLD_RANGE[1]} %, "
        f"threshold types {', '.join(alerting.BUDGET_THRESHOLD_TYPES)}, operators "
        f"{', '.join(alerting.BUDGET_OPERATORS)}, at least one contact and at most "
        f"{alerting.BUDGET_MAX_CONTACTS} emails and {alerting.BUDGET_MAX_CONTACTS} groups.",
        f"- Metric alert rules ([template reference]({alerting.METRIC_ALERTS_TEMPLATE})): "
        f"severity {min(alerting.METRIC_ALERT_SEVERITIES)} to "
        f"{max(alerting.METRIC_ALERT_SEVERITIES)}, "
        f"evaluation frequency {', '.join(alerting.METRIC_ALERT_FREQUENCIES)}, window "
        f"{', '.join(alerting.METRIC_ALERT_WINDOWS)}; `{alerting.SINGLE_RESOURCE_CRITERIA}` "
        "watches exactly one resource.",
        "- Activity log alert rules: location global, West Europe or North Europe; at least one "
        "scope; every condition is a leaf (`field` with exactly one of `equals` and "
        "`containsAny`) or an `anyOf`.",
        f"- Action groups: `groupShortName` of 1 to {alerting.ACTION_GROUP_SHORT_NAME_MAX} "
        "characters.",
        "",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Document:
    path: str
    """Relative to the project root."""
    render: Callable[[], str]


DOCUMENTS = (
    Document("docs/configuration.md", render_configuration),
    Document("docs/components.md", render_components),
    Document("policies/RULES.md", render_rules_markdown),
    *(
        Document(f"policies/config/{profile.value}.json", lambda p=profile: render_config(p))
        for profile in Profile
    ),
    Document("policies/taggable_types.json", render_taggable_types),
    Document("docs/alert-rules.md", render_alert_rules),
)
"""Every generated file, in the order ``write`` and ``check`` name them."""


def _changed(rendered: dict[str, str], root: Path) -> list[str]:
    return [
        relative
        for relative, text in rendered.items()
        if not (root / relative).is_file() or (root / relative).read_text(encoding="utf-8") != text
    ]


def stale_documents(root: Path | None = None) -> list[str]:
    """Paths whose content differs from what ``write`` would produce (or that are missing).
    Raises GenerationError (e.g. a config key or component parameter without a description)."""
    rendered = {document.path: document.render() for document in DOCUMENTS}
    return _changed(rendered, project_root() if root is None else root)


def write_documents(root: Path | None = None) -> list[str]:
    """Render everything first (an error writes nothing), then write what changed."""
    root = project_root() if root is None else root
    rendered = {document.path: document.render() for document in DOCUMENTS}
    written = _changed(rendered, root)
    for relative in written:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered[relative], encoding="utf-8")
    return written


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    """``root``: the project to write or check (default: this checkout)."""
    parser = argparse.ArgumentParser(
        prog="python tools/docs.py",
        description="Write or check every generated reference file: "
        + ", ".join(document.path for document in DOCUMENTS)
        + ".",
    )
    parser.add_argument("command", choices=["write", "check"])
    args = parser.parse_args(argv)
    try:
        if args.command == "write":
            written = write_documents(root)
            for path in written:
                print(f"wrote {path}")
            if not written:
                print("generated docs are up to date")
        else:
            stale = stale_documents(root)
            for path in stale:
                print(f"{path} is stale: run `make docs` to regenerate it", file=sys.stderr)
            if stale:
                return 1
            print("generated docs are up to date")
    except GenerationError as error:
        print(f"tools/docs.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
