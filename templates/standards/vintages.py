"""Existing buildings by era (``data/vintages.toml``): the retrofit starting point.

A :class:`Vintage` gives whole-element U-values (W/(m2 K), with films), window SHGC, n50 (1/h),
the installed lighting power density (W/m2), the roof's solar absorptance (-), the
heating/cooling systems and the water heater of a typical building of that era, use and zone.
Systems are presets of the same file (``[heating_system.<id>]``, ``[cooling_system.<id>]``,
``[hot_water_system.<id>]``: :func:`get_heating_system`, :func:`get_cooling_system`,
:func:`get_hot_water_system`) or a row's inline table (heating, cooling).

:meth:`Vintage.with_overrides` applies a survey's values (the template parameters of
:data:`EXISTING_OVERRIDES`, :data:`EXISTING_SYSTEM_OVERRIDES` and
:data:`EXISTING_HOT_WATER_OVERRIDE`);
:meth:`Vintage.template_parameters` turns a vintage into template parameters (no HRV, no PV);
:func:`retrofit_u` adds an insulation layer to an existing element.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ultralow.errors import InputError
from ultralow.sim.hot_water import WaterHeater, parse_water_heater
from ultralow.templates.standards.systems import (
    CoolingSystem,
    HeatingSystem,
    SystemPair,
    parse_cooling,
    parse_heating,
)
from ultralow.templates.standards.zones import USES, ZONES, check_use, check_zone

# value key: (unit, meaning, low, high). The plausible range of an existing building's value; the
# same range bounds a data row and an ``existing_*`` override (opaque U-values below the
# films-only value; window U, SHGC, n50, lighting and absorptance within the templates' ranges).
VALUE_KEYS: dict[str, tuple[str, str, float, float]] = {
    "wall_u_w_m2k": ("W/(m2 K)", "external wall U-value, films and thermal bridges included", 0.1, 5.0),
    "roof_u_w_m2k": ("W/(m2 K)", "roof U-value, films included", 0.1, 5.0),
    "floor_u_w_m2k": ("W/(m2 K)", "ground/exposed floor U-value, films included", 0.1, 5.0),
    "window_u_w_m2k": ("W/(m2 K)", "whole-window U-value (glazing and frame)", 0.8, 6.0),
    "window_shgc": ("-", "whole-window solar heat gain coefficient", 0.1, 0.85),
    "n50_ach": ("1/h", "air changes at 50 Pa (blower-door n50)", 0.3, 15.0),
    "lighting_w_m2": ("W/m2", "installed lighting power density", 1.0, 25.0),
    "roof_solar_absorptance": ("-", "solar absorptance of the roof's outer surface", 0.1, 0.95),
}
# template parameter -> (unit, meaning, low, high): a survey's value replaces the vintage's
# value ``name.removeprefix("existing_")`` (see Vintage.with_overrides)
EXISTING_OVERRIDES: dict[str, tuple[str, str, float, float]] = {
    f"existing_{key}": (unit, f"existing building: {meaning} (replaces the vintage's value)", low, high)
    for key, (unit, meaning, low, high) in VALUE_KEYS.items()
}
# template parameter -> meaning; the value is a preset id (heating_system_ids(), cooling_system_ids())
EXISTING_SYSTEM_OVERRIDES: dict[str, str] = {
    "existing_heating": "existing building's heating system, a preset id of vintages.toml [heating_system.*] "
                        "(replaces the vintage's)",
    "existing_cooling": "existing building's cooling system, a preset id of vintages.toml [cooling_system.*] "
                        "(replaces the vintage's)",
}
# template parameter -> meaning; the value is a preset id of [hot_water_system.*] (hot_water_system_ids())
EXISTING_HOT_WATER_OVERRIDE: dict[str, str] = {
    "existing_hot_water": "existing building's water heater, a preset id of vintages.toml [hot_water_system.*] "
                          "(replaces the vintage's)",
}
ENVELOPE_KEYS: tuple[str, ...] = ("wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k", "window_u_w_m2k",
                                  "window_shgc", "n50_ach")
_TEMPLATE_LIMITS = {"wall_u_w_m2k": 3.0, "roof_u_w_m2k": 3.0, "floor_u_w_m2k": 3.0,
                    "window_u_w_m2k": 6.0}
_ROW_KEYS = ("id", "use", "zones", "label", "construction", "heating", "cooling", "source", "verified",
             *VALUE_KEYS)
_PRESET_KEYS = {
    "heating_system": {"label", "kind", "fuel", "efficiency", "network_efficiency", "cop", "source",
                       "verified", "clause", "note"},
    "cooling_system": {"label", "kind", "cop", "auxiliary_fraction", "source", "verified", "clause", "note"},
}


@dataclass(frozen=True)
class Vintage:
    """One existing-building row. ``values`` holds :data:`VALUE_KEYS`; ``source`` is the row's
    citation, ``value_sources`` the citation of any value from another source;
    ``heating_system`` / ``cooling_system`` the preset ids of ``systems`` ("" for an inline
    table); ``hot_water`` the water heater (None: the row has none) and ``hot_water_system`` its
    preset id; ``overrides`` the ``existing_*`` parameters applied by :meth:`with_overrides`."""

    id: str
    use: str
    zones: tuple[str, ...]
    label: str
    construction: str
    values: Mapping[str, float]
    systems: SystemPair
    source: str
    verified: bool
    note: str = ""
    heating_system: str = ""
    cooling_system: str = ""
    value_sources: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    hot_water: WaterHeater | None = None
    hot_water_system: str = ""

    def template_parameters(self) -> dict[str, Any]:
        """Parameters that start a template from this vintage: its U-values (clipped to the
        templates' allowed ranges), SHGC, n50, no heat recovery and no PV."""
        params: dict[str, Any] = {k: min(self.values[k], _TEMPLATE_LIMITS.get(k, self.values[k]))
                                  for k in ENVELOPE_KEYS}
        params.update(hrv_efficiency=0.0, pv_roof_fraction=0.0)
        return params

    def source_of(self, key: str) -> str:
        """Citation of value ``key`` (its own source, else the row's)."""
        return self.value_sources.get(key, self.source)

    def with_overrides(self, params: Mapping[str, Any]) -> Vintage:
        """A copy with the survey values of ``params`` applied: each parameter of
        :data:`EXISTING_OVERRIDES` present and not None replaces the value of the same name
        without ``existing_``; ``existing_heating`` / ``existing_cooling`` / ``existing_hot_water``
        (a preset id) replace the systems (None or "" keeps the vintage's). Other keys of
        ``params`` are ignored.
        InputError names the parameter, the value and what is allowed."""
        values = dict(self.values)
        heating, cooling = self.systems.heating, self.systems.cooling
        applied: dict[str, Any] = {}
        for name, (unit, meaning, low, high) in EXISTING_OVERRIDES.items():
            value = params.get(name)
            if value is None:
                continue
            if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
                    or not low <= value <= high):
                raise InputError(f"parameter {name} = {value!r} is not allowed: {meaning}, a number in "
                                 f"[{low:g}, {high:g}] {unit}")
            values[name.removeprefix("existing_")] = float(value)
            applied[name] = float(value)
        if params.get("existing_heating") not in (None, ""):
            heating = _preset("existing_heating", params["existing_heating"], _data().heating)
            applied["existing_heating"] = heating.id
        if params.get("existing_cooling") not in (None, ""):
            cooling = _preset("existing_cooling", params["existing_cooling"], _data().cooling)
            applied["existing_cooling"] = cooling.id
        hot_water = self.hot_water
        if params.get("existing_hot_water") not in (None, ""):
            hot_water = _preset("existing_hot_water", params["existing_hot_water"], _data().hot_water)
            applied["existing_hot_water"] = hot_water.id
        return dataclasses.replace(self, values=values, systems=SystemPair(heating, cooling),
                                   heating_system=heating.id, cooling_system=cooling.id, hot_water=hot_water,
                                   hot_water_system=hot_water.id if hot_water is not None else "",
                                   overrides={**self.overrides, **applied})


def _preset(name: str, value: Any, presets: Mapping[str, Any]) -> Any:
    if not isinstance(value, str) or value not in presets:
        raise InputError(f"parameter {name} = {value!r} is not allowed: a system preset of vintages.toml, "
                         f"one of {', '.join(presets)}")
    return presets[value]


@dataclass(frozen=True)
class VintageData:
    """Everything ``vintages.toml`` holds: system presets by id and the vintage rows."""

    heating: Mapping[str, HeatingSystem]
    cooling: Mapping[str, CoolingSystem]
    vintages: tuple[Vintage, ...]
    hot_water: Mapping[str, WaterHeater] = field(default_factory=dict)


def _sources(data: Mapping[str, Any], path: str) -> dict[str, str]:
    raw = data.get("sources", {})
    if not isinstance(raw, Mapping):
        raise InputError(f"{path}: [sources] must be a table")
    out = {}
    for key, spec in raw.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("citation"), str):
            raise InputError(f"{path}: [sources.{key}] needs a 'citation' text")
        out[key] = spec["citation"] + (f" <{spec['url']}>" if spec.get("url") else "")
    return out


def _presets(data: Mapping[str, Any], table: str, sources: Mapping[str, str], path: str) -> dict[str, Any]:
    raw = data.get(table, {})
    if not isinstance(raw, Mapping):
        raise InputError(f"{path}: [{table}] must be a table of presets")
    out: dict[str, Any] = {}
    parse = parse_heating if table == "heating_system" else parse_cooling
    for preset_id, spec in raw.items():
        where = f"{path}: [{table}.{preset_id}]"
        if not isinstance(spec, Mapping):
            raise InputError(f"{where}: expected a table")
        unknown = sorted(set(spec) - _PRESET_KEYS[table])
        if unknown:
            raise InputError(f"{where}: unknown keys {unknown}; allowed: {', '.join(sorted(_PRESET_KEYS[table]))}")
        for key in ("label", "source", "verified"):
            if key not in spec:
                raise InputError(f"{where}: missing key {key!r}")
        if not isinstance(spec["verified"], bool):
            raise InputError(f"{where}: 'verified' must be true or false, got {spec['verified']!r}")
        if spec["source"] not in sources:
            raise InputError(f"{where}: source {spec['source']!r} not defined in [sources]")
        out[preset_id] = parse({**spec, "source": sources[spec["source"]]}, where, system_id=preset_id)
    return out


def _hot_water_presets(data: Mapping[str, Any], sources: Mapping[str, str], path: str) -> dict[str, WaterHeater]:
    """``[hot_water_system.<id>]`` presets (:func:`ultralow.sim.hot_water.parse_water_heater`):
    label, kind, efficiency or the heat-pump COP curve, storage_loss_fraction, source, verified."""
    raw = data.get("hot_water_system", {})
    if not isinstance(raw, Mapping):
        raise InputError(f"{path}: [hot_water_system] must be a table of presets")
    out: dict[str, WaterHeater] = {}
    for preset_id, spec in raw.items():
        where = f"{path}: [hot_water_system.{preset_id}]"
        if not isinstance(spec, Mapping):
            raise InputError(f"{where}: expected a table")
        for key in ("label", "source", "verified"):
            if key not in spec:
                raise InputError(f"{where}: missing key {key!r}")
        out[preset_id] = parse_water_heater(spec, where, sources, preset_id)
    return out


def _system(row: Mapping[str, Any], part: str, presets: Mapping[str, Any], source: str, where: str) -> Any:
    spec = row[part]
    if isinstance(spec, str):
        if spec not in presets:
            raise InputError(f"{where}: {part} = {spec!r} is not a [{part}_system] preset; "
                             f"allowed: {', '.join(presets)} or an inline table")
        return presets[spec]
    parse = parse_heating if part == "heating" else parse_cooling
    return parse(spec, f"{where} {part}", source)


def parse_vintage_data(data: Mapping[str, Any], path: str) -> VintageData:
    """Validate parsed ``vintages.toml`` data (``path`` names the file in messages)."""
    sources = _sources(data, path)
    heating = _presets(data, "heating_system", sources, path)
    cooling = _presets(data, "cooling_system", sources, path)
    hot_water = _hot_water_presets(data, sources, path)
    out = []
    for i, row in enumerate(data.get("vintage", [])):
        where = f"{path}: [[vintage]] #{i + 1}"
        if not isinstance(row, Mapping):
            raise InputError(f"{where}: expected a table")
        for key in _ROW_KEYS:
            if key not in row:
                raise InputError(f"{where}: missing key {key!r}")
        where = f"{path}: [[vintage]] #{i + 1} ({row['id']})"
        if row["use"] not in USES:
            raise InputError(f"{where}: use {row['use']!r} not one of {', '.join(USES)}")
        bad = [z for z in row["zones"] if z not in ZONES]
        if bad:
            raise InputError(f"{where}: unknown zones {bad}; allowed: {', '.join(ZONES)}")
        if row["source"] not in sources:
            raise InputError(f"{where}: source {row['source']!r} not defined in [sources]")
        if not isinstance(row["verified"], bool):
            raise InputError(f"{where}: 'verified' must be true or false, got {row['verified']!r}")
        values = {}
        for key, (unit, _, low, high) in VALUE_KEYS.items():
            v = row[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not low <= v <= high:
                raise InputError(f"{where}: {key} = {v!r} is not a number in [{low:g}, {high:g}] {unit}")
            values[key] = float(v)
        value_sources = {}
        if not isinstance(row.get("value_sources", {}), Mapping):
            raise InputError(f"{where}: value_sources must be a table {{value key = source key}}")
        for key, source_key in row.get("value_sources", {}).items():
            if key not in VALUE_KEYS:
                raise InputError(f"{where}: value_sources names {key!r}, not a value; "
                                 f"allowed: {', '.join(VALUE_KEYS)}")
            if source_key not in sources:
                raise InputError(f"{where}: value_sources.{key} = {source_key!r} not defined in [sources]")
            value_sources[key] = sources[source_key]
        citation = sources[row["source"]]
        systems = SystemPair(_system(row, "heating", heating, citation, where),
                             _system(row, "cooling", cooling, citation, where))
        water_heater = None
        if "hot_water" in row:
            if row["hot_water"] not in hot_water:
                raise InputError(f"{where}: hot_water = {row['hot_water']!r} is not a [hot_water_system] preset; "
                                 f"allowed: {', '.join(hot_water) or '(none defined)'}")
            water_heater = hot_water[row["hot_water"]]
        out.append(Vintage(row["id"], row["use"], tuple(row["zones"]), row["label"],
                           row["construction"], values, systems, citation, row["verified"],
                           str(row.get("note", "")), systems.heating.id, systems.cooling.id,
                           value_sources, hot_water=water_heater,
                           hot_water_system=water_heater.id if water_heater is not None else ""))
    seen: set[tuple[str, str, str]] = set()
    for v in out:
        for zone in v.zones:
            key = (v.id, v.use, zone)
            if key in seen:
                raise InputError(f"{path}: vintage {v.id!r} defined twice for {v.use} in {zone}")
            seen.add(key)
    return VintageData(heating, cooling, tuple(out), hot_water)


def _parse(data: Mapping[str, Any], path: str) -> tuple[Vintage, ...]:
    """The vintage rows of parsed ``vintages.toml`` data (kept for older callers)."""
    return parse_vintage_data(data, path).vintages


@cache
def _data() -> VintageData:
    resource = resources.files("ultralow.templates.standards").joinpath("data").joinpath("vintages.toml")
    with resource.open("rb") as fh:
        return parse_vintage_data(tomllib.load(fh), str(resource))


def load_vintages() -> tuple[Vintage, ...]:
    """Every vintage row of the packaged ``vintages.toml`` (parsed once)."""
    return _data().vintages


def vintage_ids(use: str | None = None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.id for v in load_vintages() if use in (None, v.use)))


def get_vintage(vintage_id: str, zone: str, use: str) -> Vintage:
    """The vintage ``vintage_id`` for ``use`` in ``zone``; InputError listing the choices."""
    check_zone(zone)
    check_use(use)
    for v in load_vintages():
        if v.id == vintage_id and v.use == use and zone in v.zones:
            return v
    raise InputError(f"no vintage {vintage_id!r} for {use} buildings in {zone}; "
                     f"available: {', '.join(vintage_ids(use))}")


def heating_system_ids() -> tuple[str, ...]:
    """Ids of the heating-system presets (``[heating_system.<id>]``)."""
    return tuple(_data().heating)


def cooling_system_ids() -> tuple[str, ...]:
    """Ids of the cooling-system presets (``[cooling_system.<id>]``)."""
    return tuple(_data().cooling)


def hot_water_system_ids() -> tuple[str, ...]:
    """Ids of the existing water-heater presets (``[hot_water_system.<id>]``)."""
    return tuple(_data().hot_water)


def get_hot_water_system(system_id: str) -> WaterHeater:
    """The water-heater preset ``system_id``; InputError listing the ids."""
    if system_id not in _data().hot_water:
        raise InputError(f"no hot-water system preset {system_id!r}; allowed: {', '.join(hot_water_system_ids())}")
    return _data().hot_water[system_id]


def get_heating_system(system_id: str) -> HeatingSystem:
    """The heating preset ``system_id``; InputError listing the ids."""
    if system_id not in _data().heating:
        raise InputError(f"no heating system preset {system_id!r}; allowed: {', '.join(heating_system_ids())}")
    return _data().heating[system_id]


def get_cooling_system(system_id: str) -> CoolingSystem:
    """The cooling preset ``system_id``; InputError listing the ids."""
    if system_id not in _data().cooling:
        raise InputError(f"no cooling system preset {system_id!r}; allowed: {', '.join(cooling_system_ids())}")
    return _data().cooling[system_id]


def retrofit_u(existing_u_w_m2k: float, insulation_conductivity_w_mk: float,
               insulation_thickness_m: float) -> float:
    """U-value (W/(m2 K)) after adding an insulation layer to an existing element:
    1 / (1/U_existing + thickness / conductivity)."""
    if existing_u_w_m2k <= 0 or insulation_conductivity_w_mk <= 0 or insulation_thickness_m < 0:
        raise InputError("retrofit_u needs U > 0, conductivity > 0 and thickness >= 0")
    return 1.0 / (1.0 / existing_u_w_m2k + insulation_thickness_m / insulation_conductivity_w_mk)
