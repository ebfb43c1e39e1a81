"""Load and validate the standards data files (``templates/standards/data/*.toml``).

Every value carries its unit, clause, source and ``verified`` flag; a malformed file raises
:class:`~ultralow.errors.InputError` naming the file, the row and the key. Files are parsed once.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.standards.systems import SystemPair, parse_cooling, parse_heating
from ultralow.templates.standards.zones import USES, ZONES

STANDARD_IDS: tuple[str, ...] = (
    "gb55015_2021", "jgj26_2010", "jgj134_2010", "jgj75_2012", "gb50189_2015", "gbt51350_2019",
)
TARGETS: tuple[str, ...] = ("ultra-low", "nearly-zero")
ELEMENTS: tuple[str, ...] = (
    "wall_u", "roof_u", "floor_u", "window_u", "window_shgc", "ground_floor_r",
    "shape_coefficient_max", "wwr_max",
)
ORIENTATIONS: tuple[str, ...] = ("north", "east_west", "south")
COMPARISONS: tuple[str, ...] = ("<=", ">=")
FORMULA_TERMS: tuple[str, ...] = ("constant", "wdh20_kkh", "ddh28_kkh")
AREA_BASES: tuple[str, ...] = ("usable", "conditioned")
# quantities a GB/T 51350 §6.1 recommendation ([[recommendation]]) can check
RECOMMENDATION_QUANTITIES: tuple[str, ...] = (
    "wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k", "window_u_w_m2k", "window_shgc_winter",
    "window_shgc_summer",
)
_RANGE_KEYS = ("storeys_min", "storeys_max", "shape_min", "shape_max", "wwr_min", "wwr_max",
               "d_min", "d_max")
_PROVENANCE_KEYS = ("unit", "clause", "source", "verified")


@dataclass(frozen=True)
class SourcedValue:
    """A number from a standard with its provenance (``source`` is the full citation)."""

    value: float
    unit: str
    clause: str
    source: str
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class LimitRow:
    """One envelope row: ``element`` limit for a use, zones and optional ranges.

    Ranges: ``storeys_min <= storeys <= storeys_max``; ``lo < x <= hi`` for shape coefficient
    (``shape_*``, 1/m), window-to-wall ratio (``wwr_*``) and thermal inertia D (``d_*``).
    """

    element: str
    use: str
    zones: tuple[str, ...]
    value: SourcedValue
    ranges: Mapping[str, float] = field(default_factory=dict)
    orientation: str | None = None

    def matches(self, use: str, zone: str, *, storeys: int, shape: float, wwr: float,
                d: float, orientation: str | None = None) -> bool:
        if use != self.use or zone not in self.zones or orientation != self.orientation:
            return False
        r = self.ranges
        if storeys < r.get("storeys_min", -math.inf) or storeys > r.get("storeys_max", math.inf):
            return False
        for key, x in (("shape", shape), ("wwr", wwr), ("d", d)):
            lo, hi = r.get(f"{key}_min"), r.get(f"{key}_max")
            if lo is not None and not x > lo:
                return False
            if hi is not None and not x <= hi + 1e-12:
                return False
        return True


@dataclass(frozen=True)
class IndicatorRow:
    """A GB/T 51350-style performance requirement (fixed ``value`` or linear ``formula``).

    ``area_basis``: the floor area a per-m2 indicator refers to, ``"usable"`` (套内使用面积) or
    ``"conditioned"`` (gross conditioned area); ``None`` for quantities that are not per m2.
    """

    name: str
    target: str
    use: str
    zones: tuple[str, ...]
    comparison: str
    unit: str
    clause: str
    source: str
    verified: bool
    value: float | None = None
    formula: Mapping[str, float] | None = None
    note: str = ""
    area_basis: str | None = None

    def limit(self, wdh20_kkh: float | None = None, ddh28_kkh: float | None = None) -> float:
        """The limit; a formula needs WDH20 and DDH28 in kKh (InputError if missing)."""
        if self.formula is None:
            assert self.value is not None
            return self.value
        if wdh20_kkh is None or ddh28_kkh is None:
            raise InputError(f"indicator {self.name!r} needs WDH20 and DDH28 of the weather (kKh)")
        f = self.formula
        return (f.get("constant", 0.0) + f.get("wdh20_kkh", 0.0) * wdh20_kkh
                + f.get("ddh28_kkh", 0.0) * ddh28_kkh)

    def formula_text(self) -> str:
        if self.formula is None:
            return f"{self.value:g}"
        f = self.formula
        return (f"{f.get('constant', 0.0):g} + {f.get('wdh20_kkh', 0.0):g}*WDH20"
                f" + {f.get('ddh28_kkh', 0.0):g}*DDH28")


@dataclass(frozen=True)
class RecommendationRow:
    """An informative recommended value (GB/T 51350 §6.1 envelope tables): shown with pass/fail
    but never counted in a report's ``passed`` nor used as an optimiser constraint.

    ``quantity`` is one of :data:`RECOMMENDATION_QUANTITIES`; ``limit`` the bound the check uses
    (``value <= limit`` or ``>=``); for a recommended range ``range_min``..``range_max`` the limit
    is its upper end for ``<=`` and its lower end for ``>=``.
    """

    name: str
    quantity: str
    use: str
    zones: tuple[str, ...]
    comparison: str
    limit: float
    unit: str
    clause: str
    source: str
    verified: bool
    range_min: float | None = None
    range_max: float | None = None
    note: str = ""

    def range_text(self) -> str:
        """The recommended value as printed: ``"0.10-0.15"`` or ``"<= 1.0"``."""
        if self.range_min is not None and self.range_max is not None:
            return f"{self.range_min:g}-{self.range_max:g}"
        return f"{self.comparison} {self.limit:g}"


@dataclass(frozen=True)
class Standard:
    """One standard's data: named values, envelope limits, indicators, reference system."""

    id: str
    title: str
    kind: str
    path: str
    sources: Mapping[str, str]
    values: Mapping[str, SourcedValue]
    limits: tuple[LimitRow, ...]
    indicators: tuple[IndicatorRow, ...]
    reference_system: SystemPair | None
    baselines: Mapping[str, Mapping[str, str]]
    recommendations: tuple[RecommendationRow, ...] = ()

    def value(self, name: str) -> SourcedValue:
        """A named value; InputError listing the available names if missing."""
        if name not in self.values:
            raise InputError(f"{self.path}: no value {name!r}; available: {', '.join(sorted(self.values))}")
        return self.values[name]


def _err(path: str, where: str, message: str) -> InputError:
    return InputError(f"{path}: {where}: {message}")


def _require(row: Mapping[str, Any], keys: tuple[str, ...], path: str, where: str) -> None:
    for key in keys:
        if key not in row:
            raise _err(path, where, f"missing key {key!r}")


def _source(row: Mapping[str, Any], sources: Mapping[str, str], path: str, where: str) -> str:
    key = row.get("source")
    if key not in sources:
        raise _err(path, where, f"source {key!r} is not defined in [sources] "
                                f"(defined: {', '.join(sorted(sources)) or 'none'})")
    return sources[key]


def _float(row: Mapping[str, Any], key: str, path: str, where: str) -> float:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _err(path, where, f"{key!r} must be a finite number, got {value!r}")
    return float(value)


def _verified(row: Mapping[str, Any], path: str, where: str) -> bool:
    """The row's ``verified`` flag; it must be true or false."""
    if not isinstance(row["verified"], bool):
        raise _err(path, where, f"'verified' must be true or false, got {row['verified']!r}")
    return row["verified"]


def _sourced(row: Mapping[str, Any], sources: Mapping[str, str], path: str, where: str) -> SourcedValue:
    _require(row, ("value", *_PROVENANCE_KEYS), path, where)
    _verified(row, path, where)
    for key in ("unit", "clause"):
        if not isinstance(row[key], str):
            raise _err(path, where, f"{key!r} must be text")
    return SourcedValue(_float(row, "value", path, where), row["unit"], row["clause"],
                        _source(row, sources, path, where), row["verified"], str(row.get("note", "")))


def _zones(row: Mapping[str, Any], path: str, where: str) -> tuple[str, ...]:
    zones = row.get("zones")
    if not isinstance(zones, list) or not zones:
        raise _err(path, where, "'zones' must be a non-empty list of zone ids")
    for zone in zones:
        if zone not in ZONES:
            raise _err(path, where, f"unknown zone {zone!r}; allowed: {', '.join(ZONES)}")
    return tuple(zones)


def _use(row: Mapping[str, Any], path: str, where: str) -> str:
    if row.get("use") not in USES:
        raise _err(path, where, f"'use' must be one of {', '.join(USES)}, got {row.get('use')!r}")
    return row["use"]


def _limit_row(row: Any, sources: Mapping[str, str], path: str, where: str) -> LimitRow:
    if not isinstance(row, Mapping):
        raise _err(path, where, "expected a table")
    _require(row, ("element", "use", "zones"), path, where)
    if row["element"] not in ELEMENTS:
        raise _err(path, where, f"unknown element {row['element']!r}; allowed: {', '.join(ELEMENTS)}")
    ranges = {k: _float(row, k, path, where) for k in _RANGE_KEYS if k in row}
    for key in ("storeys", "shape", "wwr", "d"):
        lo, hi = ranges.get(f"{key}_min"), ranges.get(f"{key}_max")
        if lo is not None and hi is not None and lo >= hi:
            raise _err(path, where, f"{key}_min {lo:g} must be below {key}_max {hi:g}")
    orientation = row.get("orientation")
    if orientation is not None and orientation not in ORIENTATIONS:
        raise _err(path, where, f"orientation {orientation!r} not one of {', '.join(ORIENTATIONS)}")
    if (row["element"] == "wwr_max") != (orientation is not None):
        raise _err(path, where, "'orientation' is required for wwr_max rows and only for them")
    value = _sourced(row, sources, path, where)
    if value.value <= 0:
        raise _err(path, where, f"'value' must be positive, got {value.value:g}")
    return LimitRow(row["element"], _use(row, path, where), _zones(row, path, where), value,
                    ranges, orientation)


def _check_requirement_row(row: Any, kind_key: str, kinds: tuple[str, ...], path: str, where: str) -> None:
    """Shape shared by [[indicator]] and [[recommendation]] rows: a table with name, ``kind_key``
    (one of ``kinds``), use, zones, comparison and provenance."""
    if not isinstance(row, Mapping):
        raise _err(path, where, "expected a table")
    _require(row, ("name", kind_key, "use", "zones", "comparison", *_PROVENANCE_KEYS), path, where)
    if row[kind_key] not in kinds:
        raise _err(path, where, f"{kind_key} {row[kind_key]!r} not one of {', '.join(kinds)}")
    if row["comparison"] not in COMPARISONS:
        raise _err(path, where, f"comparison {row['comparison']!r} not one of {', '.join(COMPARISONS)}")


def _indicator_row(row: Any, sources: Mapping[str, str], path: str, where: str) -> IndicatorRow:
    _check_requirement_row(row, "target", TARGETS, path, where)
    if ("value" in row) == ("formula" in row):
        raise _err(path, where, "give exactly one of 'value' and 'formula'")
    formula = None
    value = None
    if "formula" in row:
        formula = row["formula"]
        if not isinstance(formula, Mapping) or not formula:
            raise _err(path, where, "'formula' must be a table of terms")
        for term in formula:
            if term not in FORMULA_TERMS:
                raise _err(path, where, f"formula term {term!r} not one of {', '.join(FORMULA_TERMS)}")
        formula = {k: _float(formula, k, path, f"{where} formula") for k in formula}
    else:
        value = _float(row, "value", path, where)
    _verified(row, path, where)
    return IndicatorRow(str(row["name"]), row["target"], _use(row, path, where),
                        _zones(row, path, where), row["comparison"], str(row["unit"]),
                        str(row["clause"]), _source(row, sources, path, where), row["verified"],
                        value, formula, str(row.get("note", "")), _area_basis(row, path, where))


def _area_basis(row: Mapping[str, Any], path: str, where: str) -> str | None:
    """``area_basis`` of an indicator: required (usable|conditioned) when its unit is per m2."""
    basis = row.get("area_basis")
    if basis is None:
        if "m2" in str(row.get("unit", "")):
            raise _err(path, where, f"per-m2 indicator needs 'area_basis' ({' or '.join(AREA_BASES)})")
        return None
    if basis not in AREA_BASES:
        raise _err(path, where, f"area_basis {basis!r} not one of {', '.join(AREA_BASES)}")
    return basis


def _recommendation_row(row: Any, sources: Mapping[str, str], path: str, where: str) -> RecommendationRow:
    _check_requirement_row(row, "quantity", RECOMMENDATION_QUANTITIES, path, where)
    if ("value" in row) == ("range" in row):
        raise _err(path, where, "give exactly one of 'value' and 'range'")
    lo = hi = None
    if "range" in row:
        bounds = row["range"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise _err(path, where, "'range' must be [min, max]")
        lo, hi = (_float({"range": b}, "range", path, where) for b in bounds)
        if lo >= hi:
            raise _err(path, where, f"range min {lo:g} must be below max {hi:g}")
        limit = hi if row["comparison"] == "<=" else lo
    else:
        limit = _float(row, "value", path, where)
    _verified(row, path, where)
    return RecommendationRow(str(row["name"]), row["quantity"], _use(row, path, where), _zones(row, path, where),
                             row["comparison"], limit, str(row["unit"]), str(row["clause"]),
                             _source(row, sources, path, where), row["verified"], lo, hi,
                             str(row.get("note", "")))


def parse_standard(data: Mapping[str, Any], path: str) -> Standard:
    """Validate parsed TOML ``data`` (from ``path``, used in messages) into a Standard."""
    head = data.get("standard")
    if not isinstance(head, Mapping):
        raise _err(path, "[standard]", "missing table")
    _require(head, ("id", "title", "kind"), path, "[standard]")
    raw_sources = data.get("sources", {})
    if not isinstance(raw_sources, Mapping) or not raw_sources:
        raise _err(path, "[sources]", "missing or empty table")
    sources: dict[str, str] = {}
    for key, spec in raw_sources.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("citation"), str):
            raise _err(path, f"[sources.{key}]", "needs a 'citation' text")
        sources[key] = spec["citation"] + (f" <{spec['url']}>" if spec.get("url") else "")
    values = {}
    for name, row in data.get("values", {}).items():
        if not isinstance(row, Mapping):
            raise _err(path, f"[values.{name}]", "expected a table")
        values[name] = _sourced(row, sources, path, f"[values.{name}]")
    limits = tuple(_limit_row(row, sources, path, f"[[limit]] #{i + 1}")
                   for i, row in enumerate(data.get("limit", [])))
    indicators = tuple(_indicator_row(row, sources, path, f"[[indicator]] #{i + 1}")
                       for i, row in enumerate(data.get("indicator", [])))
    recommendations = tuple(_recommendation_row(row, sources, path, f"[[recommendation]] #{i + 1}")
                            for i, row in enumerate(data.get("recommendation", [])))
    system = None
    if "reference_system" in data:
        spec = data["reference_system"]
        if not isinstance(spec, Mapping) or "heating" not in spec or "cooling" not in spec:
            raise _err(path, "[reference_system]", "needs [reference_system.heating] and .cooling")
        for part in ("heating", "cooling"):
            if spec[part].get("source") not in sources:
                raise _err(path, f"[reference_system.{part}]",
                           f"source {spec[part].get('source')!r} is not defined in [sources]")
        system = SystemPair(
            parse_heating(spec["heating"], f"{path}: [reference_system.heating]",
                          sources[spec["heating"]["source"]]),
            parse_cooling(spec["cooling"], f"{path}: [reference_system.cooling]",
                          sources[spec["cooling"]["source"]]),
        )
    baselines = data.get("baselines", {})
    for use, table in baselines.items():
        if use not in USES or not isinstance(table, Mapping):
            raise _err(path, f"[baselines.{use}]", f"use must be one of {', '.join(USES)}")
        for zone, standard_id in table.items():
            if standard_id not in STANDARD_IDS:
                raise _err(path, f"[baselines.{use}] {zone}", f"unknown standard {standard_id!r}")
    return Standard(str(head["id"]), str(head["title"]), str(head["kind"]), path, sources, values,
                    limits, indicators, system, baselines, recommendations)


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """The TOML file ``path`` as a dict; InputError naming ``what`` and the file when it is
    missing or not valid TOML."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{what} file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None


def load_path(path: str | Path) -> Standard:
    """Parse and validate one standards file at ``path``."""
    return parse_standard(read_toml(path, "standards"), str(path))


@cache
def load_standard(standard_id: str) -> Standard:
    """The packaged standard ``standard_id`` (one of :data:`STANDARD_IDS`)."""
    if standard_id not in STANDARD_IDS:
        raise InputError(f"unknown standard {standard_id!r}; allowed: {', '.join(STANDARD_IDS)}")
    resource = resources.files("ultralow.templates.standards").joinpath("data").joinpath(f"{standard_id}.toml")
    with resources.as_file(resource) as path:
        standard = load_path(path)
    if standard.id != standard_id:
        raise InputError(f"{resource}: [standard] id is {standard.id!r}, expected {standard_id!r}")
    return standard


def data_path(name: str) -> Path:
    """Filesystem path of a packaged data file (for messages and tests)."""
    with resources.as_file(resources.files("ultralow.templates.standards").joinpath("data").joinpath(name)) as p:
        return Path(p)
