"""``python -m hlz.docs write|check``: the reference docs generated from the code.

- ``docs/configuration.md``: every ``hlz:*`` key of every layer in ``LAYERS``, from the config
  models (type, default, required, description). A layer whose module does not exist yet is
  left out, so a new layer appears as soon as its config module lands.
- ``docs/components.md``: the parameters of every component's ``*Args`` model in
  ``components/``, then the nested types those parameters use.

Descriptions are the fields' attribute docstrings (``use_attribute_docstrings`` on
``HlzModel`` and ``ConfigModel``). Every config key and every component parameter (including
the fields of the nested types parameters use) must have one: an undocumented field stops the
generator with the list of all of them and where to document each. A config section (a key
holding an object) may take its description from its model's class docstring instead.

``write`` rewrites the files; ``check`` exits 1 naming each file that ``write`` would change.
The output depends only on the code, so it is the same on every machine.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hlz.stackfiles import project_root

KEY_PREFIX = "hlz:"


@dataclass(frozen=True)
class Layer:
    title: str
    module: str
    model: str


# Every layer's configuration, in the order the reference lists them. A layer whose module is
# not there (yet) is skipped; a module that exists but fails to import is an error.
LAYERS = (
    Layer("Landing zone", "stacks.landing_zone.config", "LandingZoneConfig"),
    Layer("AI lab", "stacks.ai_lab.config", "AiLabConfig"),
)


CONFIG_HINT = "add a docstring under each field (or a class docstring on the model of a section)"
COMPONENT_HINT = "add a docstring under each field stating its default and why"


class UndocumentedError(Exception):
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
    """``(title, model)`` of every layer in ``LAYERS`` whose config module exists."""
    found: list[tuple[str, type[BaseModel]]] = []
    for layer in LAYERS:
        try:
            module = importlib.import_module(layer.module)
        except ModuleNotFoundError as error:
            if error.name == layer.module or layer.module.startswith(f"{error.name}."):
                continue  # the layer does not exist yet
            raise
        found.append((layer.title, getattr(module, layer.model)))
    return found


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


# --- rendering values -------------------------------------------------------------------------


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


CODE_SPAN = re.compile(r"(``.+?``|`[^`]+`)")


def prose(text: str) -> str:
    """Docstring text for a table cell: ``<name>`` outside code would be read as an HTML tag."""
    parts = CODE_SPAN.split(text)
    for index in range(0, len(parts), 2):
        parts[index] = parts[index].replace("<", "&lt;").replace(">", "&gt;")
    return cell("".join(parts))


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

<!-- Generated by `python -m hlz.docs write` from the config models; do not edit.
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
    for title, model in layers:
        rows = config_rows(model, KEY_PREFIX, missing)
        lines = [
            f"## {title}",
            "",
            f"Model: `{model.__module__}.{model.__name__}`.",
            "",
            "| Key | Type | Default | Required | Description |",
            "|---|---|---|---|---|",
        ]
        for row in rows:
            lines.append(
                f"| {code(row.key)} | {cell(row.type)} | {cell(row.default)} | "
                f"{'yes' if row.required else 'no'} | {prose(row.description)} |"
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
    lines = ["| Parameter | Type | Default | Description |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        description = field_doc(field)
        if description is None:
            missing.append((f"{model.__name__}.{name}", source_path(model)))
        lines.append(
            f"| {code(name)} | {code(cell(python_type(field.annotation, field.metadata)))} | "
            f"{cell(default_text(field, 'python'))} | {prose(description or '')} |"
        )
    return lines


COMPONENTS_INTRO = """\
# Component reference

<!-- Generated by `python -m hlz.docs write` from components/*.py; do not edit.
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


# --- write and check --------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    path: str
    """Relative to the project root."""
    render: Callable[[], str]


DOCUMENTS = (
    Document("docs/configuration.md", render_configuration),
    Document("docs/components.md", render_components),
)


def stale_documents(root: Path | None = None) -> list[str]:
    """Paths whose content differs from what ``write`` would produce (or that are missing).
    Raises UndocumentedError when a config key or component parameter has no description."""
    root = project_root() if root is None else root
    stale = []
    for document in DOCUMENTS:
        text = document.render()
        path = root / document.path
        if not path.is_file() or path.read_text() != text:
            stale.append(document.path)
    return stale


def write_documents(root: Path | None = None) -> list[str]:
    """Render everything first (an error writes nothing), then write what changed."""
    root = project_root() if root is None else root
    rendered = {document.path: document.render() for document in DOCUMENTS}
    written = []
    for relative, text in rendered.items():
        path = root / relative
        if not path.is_file() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(relative)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hlz.docs",
        description="Write or check docs/configuration.md and docs/components.md.",
    )
    parser.add_argument("command", choices=["write", "check"])
    args = parser.parse_args(argv)
    try:
        if args.command == "write":
            written = write_documents()
            for path in written:
                print(f"wrote {path}")
            if not written:
                print("docs are up to date")
        else:
            stale = stale_documents()
            for path in stale:
                print(f"{path} is stale: run `make docs` to regenerate it", file=sys.stderr)
            if stale:
                return 1
            print("docs are up to date")
    except UndocumentedError as error:
        print(f"hlz docs: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
