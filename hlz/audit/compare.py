"""Drift: per planned resource, every leaf property the plan sets, compared with the deployed
value after both went through the same normalisation (``policies.normalise``).

| planned leaf                              | outcome                                          |
|-------------------------------------------|--------------------------------------------------|
| ``[unknown]`` (a preview plan)            | not compared, counted ``unknown``                |
| ``[secret]``                              | not compared, counted ``secret``                 |
| null                                      | not compared (the plan sets nothing)             |
| holds a GUID the plan made up for a value | not compared, counted ``computed``               |
| Azure assigns and the audit could not     |                                                  |
| learn from the deployed resources         |                                                  |
| absent in ARM's answer, write-only in the | not compared, counted ``writeOnly``              |
| type definition of the API version        |                                                  |
| absent in ARM's answer otherwise          | drift (``absent``)                               |
| an empty object or list, absent in ARM's  | the same (ARM leaves empty collections out)      |
| answer                                    |                                                  |
| anything else                             | compared: equal, or drift (``changed``)          |

Compared as ARM compares (the relaxations): ARM ids and ``name`` values without case, ids
without a leading or trailing slash; ``location`` values without case and spaces (``East US 2``
is ``eastus2``);
property names without case when no exact match exists (ARM's JSON binding ignores case); the
enums ``hlz.schema.validate.CASE_INSENSITIVE_ENUMS`` lists without case; numbers by value
(``1`` is ``1.0``). Lists of objects that each carry a ``name`` of their own are matched by
name, other lists by position; a deployed item the plan does not have is drift (``added``),
and so is a tag the plan does not set. Other deployed properties the plan does not set (Azure's
defaults, read-only state such as ``provisioningState``) are not compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hlz.audit.expected import GUID_TEXT, Path
from hlz.plan_document import SECRET_MASK, UNKNOWN_MARK

ABSENT = "absent"
CHANGED = "changed"
ADDED = "added"


@dataclass(frozen=True)
class Drift:
    """One property whose deployed value differs from the plan."""

    path: Path
    planned: Any
    deployed: Any
    change: str
    """``changed``, ``absent`` (ARM's answer does not have it) or ``added`` (a tag or list item
    the plan does not have)."""
    arm_property: str | None = None
    """Where the property is in ARM's JSON, when it differs from ``property`` and is known
    (``properties.publicNetworkAccess``)."""

    @property
    def property(self) -> str:
        return property_path(self.path)


def property_path(path: Path) -> str:
    """``properties.networkAcls.ipRules[0].value`` (``[name=x]`` for an item matched by name)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.startswith("[name="):
            text += part
        else:
            text += f".{part}" if text else part
    return text


@dataclass
class Comparison:
    drift: list[Drift] = field(default_factory=list)
    compared: int = 0
    not_compared: Counter[str] = field(default_factory=Counter)
    """``unknown``, ``secret``, ``computed``, ``writeOnly`` -> leaves not compared."""


@dataclass(frozen=True)
class Rules:
    """What the comparison needs to know about the resource beyond the two values."""

    made_up: frozenset[str] = frozenset()
    """Lower-case GUIDs the plan made up and the audit could not learn from Azure."""
    write_only: Callable[[Path], bool] = lambda path: False
    """Whether a planned property is write-only (ARM never returns it)."""
    relaxed_enums: frozenset[str] = frozenset()
    """Wire property names compared without case for this resource's type."""
    ignore: frozenset[str] = frozenset()
    """Top-level inputs not compared (a name Azure chose differently)."""


def compare(planned: Mapping[str, Any], deployed: Mapping[str, Any], rules: Rules) -> Comparison:
    """The drift of ``deployed`` from ``planned`` (both normalised inputs)."""
    comparison = Comparison()
    for key, value in planned.items():
        if key in rules.ignore:
            continue
        _compare(value, _lookup(deployed, key), (key,), rules, comparison)
    tags = planned.get("tags")
    deployed_tags = _lookup(deployed, "tags")
    if isinstance(tags, Mapping) and isinstance(deployed_tags, Mapping):
        # Tags are the user's data, set as a whole: one added in the portal is drift.
        planned_names = {str(name).casefold() for name in tags}
        for name, value in deployed_tags.items():
            if str(name).casefold() not in planned_names:
                comparison.drift.append(Drift(("tags", str(name)), None, value, ADDED))
    return comparison


_MISSING = object()


def _lookup(container: Any, key: str) -> Any:
    if not isinstance(container, Mapping):
        return _MISSING
    if key in container:
        return container[key]
    folded = key.casefold()
    for name, value in container.items():
        if isinstance(name, str) and name.casefold() == folded:
            return value
    return _MISSING


def _skip_reason(value: Any, rules: Rules) -> str | None:
    if value == UNKNOWN_MARK:
        return "unknown"
    if value == SECRET_MASK:
        return "secret"
    if isinstance(value, str) and any(
        guid.lower() in rules.made_up for guid in GUID_TEXT.findall(value)
    ):
        return "computed"
    return None


def _compare(planned: Any, deployed: Any, path: Path, rules: Rules, out: Comparison) -> None:
    if planned is None:
        return
    reason = _skip_reason(planned, rules)
    if reason is not None:
        out.not_compared[reason] += 1
        return
    if deployed is _MISSING:
        if isinstance(planned, Mapping | list) and not planned:
            out.compared += 1
        elif rules.write_only(path):
            out.not_compared["writeOnly"] += 1
        else:
            out.compared += 1
            out.drift.append(Drift(path, planned, None, ABSENT))
        return
    if isinstance(planned, Mapping) and planned:
        if not isinstance(deployed, Mapping):
            out.compared += 1
            out.drift.append(Drift(path, planned, deployed, CHANGED))
            return
        for key, value in planned.items():
            _compare(value, _lookup(deployed, key), (*path, key), rules, out)
        return
    if isinstance(planned, list) and planned:
        _compare_list(planned, deployed, path, rules, out)
        return
    out.compared += 1
    if not same_value(planned, deployed, path, rules):
        out.drift.append(Drift(path, planned, deployed, CHANGED))


def _compare_list(
    planned: list[Any], deployed: Any, path: Path, rules: Rules, out: Comparison
) -> None:
    if isinstance(deployed, Mapping) and all(isinstance(item, str) for item in planned):
        # The provider's string set: a list on the wire, a map (id -> {...}) in ARM.
        deployed = list(deployed)
    if not isinstance(deployed, list):
        out.compared += 1
        out.drift.append(Drift(path, planned, deployed, CHANGED))
        return
    if _unique_names(planned) and _unique_names(deployed):
        by_name = {str(item["name"]).casefold(): item for item in deployed}
        for item in planned:
            key = f"[name={item['name']}]"
            found = by_name.pop(str(item["name"]).casefold(), _MISSING)
            _compare(item, found, (*path, key), rules, out)
        for item in by_name.values():
            out.drift.append(Drift((*path, f"[name={item['name']}]"), None, item, ADDED))
        return
    if not any(isinstance(item, Mapping | list) for item in planned):
        # A list of values is one property: compared whole, in order.
        skipped = next((reason for item in planned if (reason := _skip_reason(item, rules))), None)
        if skipped is not None:
            out.not_compared[skipped] += 1
            return
        out.compared += 1
        if len(planned) != len(deployed) or not all(
            same_value(a, b, path, rules) for a, b in zip(planned, deployed, strict=False)
        ):
            out.drift.append(Drift(path, planned, deployed, CHANGED))
        return
    for index, item in enumerate(planned):
        found = deployed[index] if index < len(deployed) else _MISSING
        _compare(item, found, (*path, index), rules, out)
    for index in range(len(planned), len(deployed)):
        out.drift.append(Drift((*path, index), None, deployed[index], ADDED))


def _unique_names(items: list[Any]) -> bool:
    """Every item an object with a ``name``, no two alike (content filters share theirs)."""
    names = [item.get("name") if isinstance(item, Mapping) else None for item in items]
    if not all(isinstance(name, str) for name in names):
        return False
    return len({str(name).casefold() for name in names}) == len(names)


def same_value(planned: Any, deployed: Any, path: Path, rules: Rules) -> bool:
    """Equal as ARM compares them (see the module table)."""
    if isinstance(planned, bool) or isinstance(deployed, bool):
        return planned is deployed
    if isinstance(planned, int | float) and isinstance(deployed, int | float):
        return float(planned) == float(deployed)
    if isinstance(planned, str) and isinstance(deployed, str):
        if planned == deployed:
            return True
        if _is_id(planned) and _is_id(deployed):
            return planned.strip("/").casefold() == deployed.strip("/").casefold()
        key = next((part for part in reversed(path) if isinstance(part, str)), "")
        if key.casefold() == "location":
            return _location(planned) == _location(deployed)
        if key == "name":
            return planned.casefold() == deployed.casefold()  # ARM names ignore case
        if key in rules.relaxed_enums:
            return planned.casefold() == deployed.casefold()
        return False
    return planned == deployed


def _is_id(text: str) -> bool:
    return text.strip("/").lower().startswith(("subscriptions/", "providers/"))


def _location(text: str) -> str:
    return "".join(text.split()).casefold()
