"""Compliance rules for the energy retrofit of an existing building (``data/retrofit_rules.toml``).

The ``"retrofit"`` target of :func:`ultralow.templates.standards.evaluate.evaluate` turns each
rule that applies to the building's zone and use into indicators (:data:`RULE_KINDS`):

- ``element_limit``: each retrofitted envelope element meets a standard's limit (GB 55015-2021 or
  the 2016-era design standard of the zone, ``"baseline"``);
- ``element_improvement``: a retrofitted element is below a value or improved by a fraction;
- ``saving_vs_existing``: primary-energy saving against the existing building >= a threshold;
- ``simple_payback``: static payback of the retrofit <= a number of years.

An element counts as retrofitted when its design value differs from the existing building's by
more than the file's ``retrofit_tolerance`` (relative); window U and SHGC are one element.
Every rule carries its clause, text, source and ``verified`` flag; a malformed file raises
InputError naming the file, the rule and the key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.standards.loader import STANDARD_IDS
from ultralow.templates.standards.zones import USES, ZONES

RULE_KINDS: tuple[str, ...] = ("element_limit", "element_improvement", "saving_vs_existing", "simple_payback")
# checked quantity -> element it belongs to (a new window changes its U and its SHGC)
ELEMENTS: dict[str, str] = {
    "wall_u_w_m2k": "wall", "roof_u_w_m2k": "roof", "floor_u_w_m2k": "floor",
    "window_u_w_m2k": "window", "window_shgc": "window",
}
BASES: tuple[str, ...] = ("building_itself", "overall")
BASELINE = "baseline"  # element_limit standard: the zone's 2016-era design standard
_COMMON = ("name", "kind", "uses", "zones", "clause", "text", "source", "verified")
_KIND_KEYS = {
    "element_limit": ("standard", "elements"),
    "element_improvement": ("element", "value", "reduction"),
    "saving_vs_existing": ("value",),
    "simple_payback": ("value",),
}
_OPTIONAL = ("note", "basis")


@dataclass(frozen=True)
class RetrofitRule:
    """One rule; ``source`` is the full citation. Fields a kind does not use keep their defaults."""

    name: str
    kind: str
    uses: tuple[str, ...]
    zones: tuple[str, ...]
    clause: str
    text: str
    source: str
    verified: bool
    note: str = ""
    standard: str = ""
    elements: tuple[str, ...] = ()
    value: float | None = None
    reduction: float | None = None
    basis: str = "building_itself"

    def applies(self, zone: str, use: str) -> bool:
        return zone in self.zones and use in self.uses

    def improvement_limit(self, existing_value: float | None) -> float:
        """``element_improvement``: max(value, (1 - reduction) x existing value); ``value``
        when the existing value is unknown."""
        assert self.value is not None and self.reduction is not None, self.name
        if existing_value is None:
            return self.value
        return max(self.value, (1.0 - self.reduction) * existing_value)


@dataclass(frozen=True)
class RetrofitRules:
    """The rules file: ``tolerance`` is the relative change that counts as a retrofit (-)."""

    id: str
    title: str
    path: str
    tolerance: float
    rules: tuple[RetrofitRule, ...]

    def for_building(self, zone: str, use: str) -> tuple[RetrofitRule, ...]:
        return tuple(r for r in self.rules if r.applies(zone, use))


def _err(path: str, where: str, message: str) -> InputError:
    return InputError(f"{path}: {where}: {message}")


def _number(row: Mapping[str, Any], key: str, path: str, where: str, low: float, high: float) -> float:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        raise _err(path, where, f"{key!r} = {value!r} is not a number in [{low:g}, {high:g}]")
    return float(value)


def _choices(row: Mapping[str, Any], key: str, allowed: tuple[str, ...], path: str, where: str) -> tuple[str, ...]:
    values = row.get(key)
    if not isinstance(values, list) or not values:
        raise _err(path, where, f"{key!r} must be a non-empty list; allowed items: {', '.join(allowed)}")
    bad = [v for v in values if v not in allowed]
    if bad:
        raise _err(path, where, f"{key!r} has unknown items {bad}; allowed: {', '.join(allowed)}")
    return tuple(values)


def _rule(row: Any, sources: Mapping[str, str], path: str, index: int) -> RetrofitRule:
    where = f"[[rule]] #{index}"
    if not isinstance(row, Mapping):
        raise _err(path, where, "expected a table")
    if isinstance(row.get("name"), str):
        where = f"[[rule]] #{index} ({row['name']})"
    kind = row.get("kind")
    if kind not in RULE_KINDS:
        raise _err(path, where, f"'kind' = {kind!r} is not one of {', '.join(RULE_KINDS)}")
    required = (*_COMMON, *_KIND_KEYS[kind])
    for key in required:
        if key not in row:
            raise _err(path, where, f"missing key {key!r}")
    unknown = sorted(set(row) - set(required) - set(_OPTIONAL))
    if unknown:
        raise _err(path, where, f"unknown keys {unknown} for kind {kind!r}; "
                                f"allowed: {', '.join((*required, *_OPTIONAL))}")
    for key in ("name", "clause", "text"):
        if not isinstance(row[key], str) or not row[key]:
            raise _err(path, where, f"{key!r} must be a non-empty text")
    if not isinstance(row["verified"], bool):
        raise _err(path, where, f"'verified' must be true or false, got {row['verified']!r}")
    if row["source"] not in sources:
        raise _err(path, where, f"source {row['source']!r} is not defined in [sources] "
                                f"(defined: {', '.join(sorted(sources)) or 'none'})")
    fields: dict[str, Any] = {}
    if kind == "element_limit":
        if row["standard"] not in (BASELINE, *STANDARD_IDS):
            raise _err(path, where, f"'standard' = {row['standard']!r} is not one of "
                                    f"{', '.join((BASELINE, *STANDARD_IDS))}")
        fields.update(standard=row["standard"],
                      elements=_choices(row, "elements", tuple(ELEMENTS), path, where))
    elif kind == "element_improvement":
        if row["element"] not in ELEMENTS:
            raise _err(path, where, f"'element' = {row['element']!r} is not one of {', '.join(ELEMENTS)}")
        fields.update(elements=(row["element"],), value=_number(row, "value", path, where, 0.0, 10.0),
                      reduction=_number(row, "reduction", path, where, 0.0, 1.0))
    elif kind == "saving_vs_existing":
        fields["value"] = _number(row, "value", path, where, -1.0, 1.0)
    else:
        fields["value"] = _number(row, "value", path, where, 0.0, 100.0)
    basis = row.get("basis", "building_itself")
    if basis not in BASES:
        raise _err(path, where, f"'basis' = {basis!r} is not one of {', '.join(BASES)}")
    return RetrofitRule(row["name"], kind, _choices(row, "uses", USES, path, where),
                        _choices(row, "zones", ZONES, path, where), row["clause"], row["text"],
                        sources[row["source"]], row["verified"], str(row.get("note", "")),
                        basis=basis, **fields)


def parse_rules(data: Mapping[str, Any], path: str) -> RetrofitRules:
    """Validate parsed TOML ``data`` (from ``path``, used in messages) into RetrofitRules."""
    head = data.get("rules")
    if not isinstance(head, Mapping):
        raise _err(path, "[rules]", "missing table")
    for key in ("id", "title"):
        if not isinstance(head.get(key), str):
            raise _err(path, "[rules]", f"missing text {key!r}")
    tolerance = _number(head, "retrofit_tolerance", path, "[rules]", 0.0, 0.5)
    raw = data.get("sources", {})
    if not isinstance(raw, Mapping) or not raw:
        raise _err(path, "[sources]", "missing or empty table")
    sources: dict[str, str] = {}
    for key, spec in raw.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("citation"), str):
            raise _err(path, f"[sources.{key}]", "needs a 'citation' text")
        sources[key] = spec["citation"] + (f" <{spec['url']}>" if spec.get("url") else "")
    rows = data.get("rule", [])
    if not isinstance(rows, list):
        raise _err(path, "[[rule]]", "expected an array of tables")
    rules = tuple(_rule(row, sources, path, i + 1) for i, row in enumerate(rows))
    for zone in ZONES:  # indicator names must be unique for every building
        for use in USES:
            names = [n for r in rules if r.applies(zone, use) for n in indicator_names(r)]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise _err(path, "[[rule]]", f"indicator names {dup} repeat for {use} in {zone}")
    return RetrofitRules(head["id"], head["title"], path, tolerance, rules)


def indicator_names(rule: RetrofitRule) -> tuple[str, ...]:
    """The indicator names ``rule`` produces (``<name>_<element>`` for element limits)."""
    if rule.kind == "element_limit":
        return tuple(f"{rule.name}_{e}" for e in rule.elements)
    return (rule.name,)


def load_path(path: str | Path) -> RetrofitRules:
    """Parse and validate a retrofit-rules file at ``path``."""
    from ultralow.templates.standards.loader import read_toml

    return parse_rules(read_toml(path, "retrofit rules"), str(path))


@cache
def load_retrofit_rules() -> RetrofitRules:
    """The packaged ``retrofit_rules.toml`` (parsed once)."""
    resource = resources.files("ultralow.templates.standards").joinpath("data").joinpath("retrofit_rules.toml")
    with resources.as_file(resource) as path:
        return load_path(path)


def retrofitted_elements(design: Mapping[str, float | None], existing: Mapping[str, Any] | None,
                         tolerance: float) -> dict[str, bool | None]:
    """Element (wall, roof, floor, window) -> True when retrofitted (a value of it differs from
    the existing building's by more than ``tolerance`` x the existing value), False when kept,
    None when unknown (no existing or no design value). ``design`` and ``existing`` map the
    quantities of :data:`ELEMENTS` to numbers."""
    out: dict[str, bool | None] = {}
    for quantity, element in ELEMENTS.items():
        before = None if existing is None else existing.get(quantity)
        after = design.get(quantity)
        if before is None or after is None or (isinstance(before, float) and math.isnan(before)):
            state: bool | None = None
        else:
            state = abs(float(after) - float(before)) > tolerance * abs(float(before))
        previous = out.get(element, False)
        if state is True or previous is True:
            out[element] = True
        elif state is None or (element in out and previous is None):
            out[element] = None
        else:
            out[element] = False
    return out
