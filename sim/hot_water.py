"""Domestic hot water (DHW): the heat drawn at the taps and what a water heater delivers, by hour.

Data: ``templates/data/hot_water.toml`` (quotas, draw profiles, supply temperature, losses, the
mains-water model and the design water heaters; every value with its source and ``verified``
flag); the existing buildings' water heaters are presets of
``templates/standards/data/vintages.toml`` parsed by :func:`parse_water_heater` too.

Formulas (units in the names; ``h`` an hour of the simulated period):

- persons ``N = A / a_p``: conditioned floor area (m2) over the calculation profile's
  ``floor_area_per_person_m2`` (the occupant density of its internal gains);
- volume drawn ``V_h = N * q * p[hour of day] * f_day`` (L), ``q`` L/(person d) at the supply
  temperature, ``p`` the use's 24-hour draw profile (sums to 1), ``f_day`` 1 on weekdays and
  design days, the profile's ``weekend_fraction`` on other days (:func:`hourly_volume_l`);
- mains water ``T_cold(day)`` (degC): the Christensen-Burch correlation (Hendron et al. 2004) of
  the EnergyPlus Engineering Reference from the annual mean dry-bulb and the largest difference of
  the monthly means (:func:`mains_temperature_c`);
- heat at the taps ``Q_tap = rho * c_p * V_h * (T_supply - T_cold) / 3600`` (kWh), rho = 0.983
  kg/L, c_p = 4.186 kJ/(kg K) (:func:`tap_heat_kwh`);
- heat the water heater makes ``Q_gen = Q_tap * (1 + f_dist + f_stor)`` (distribution and storage
  losses as fractions of the tap heat, :func:`generator_heat_kwh`);
- delivered energy ``E = Q_gen / efficiency`` (electric resistance, gas on the lower heating
  value) or ``Q_gen / COP(T_out)`` for a heat pump, its COP at the hour's outdoor dry-bulb
  (:func:`ultralow.sim.heat_pump.heating_cop_curve`; electric backup, COP 1, below the cut-off)
  (:meth:`WaterHeater.delivered_kwh`). The heat is made in the hour it is drawn: a tank's time shift
  (e.g. night-time heating on a valley tariff) is not modelled.
- design daily heat (kWh/d, capacity sizing): a weekday's ``Q_gen`` with the year's coldest mains
  water (:func:`design_daily_heat_kwh`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from ultralow.errors import InputError
from ultralow.sim.heat_pump import heating_cop_curve

WATER_DENSITY_KG_L = 0.983  # water at 60 degC (983.2 kg/m3)
WATER_CP_KJ_KGK = 4.186
KJ_PER_KWH = 3600.0
KINDS = ("electric", "gas", "heat_pump")
CARRIERS = {"electric": "electricity", "gas": "natural_gas", "heat_pump": "electricity"}
NONE, EXISTING = "none", "existing"  # hot_water_system choices besides the data file's systems
WEEKDAY_TYPES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "SummerDesignDay", "WinterDesignDay")
_FILE = "templates/data/hot_water.toml"
_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)

# value key -> (low, high, low inclusive): the allowed range of a water heater's numbers
_HEATER_RANGES: dict[str, tuple[float, float, bool]] = {
    "efficiency": (0.0, 1.2, False),
    "storage_loss_fraction": (0.0, 1.0, True),
    "rated_cop": (1.0, 8.0, True),
    "rated_temp_c": (-30.0, 40.0, True),
    "slope_per_k": (0.0, 0.1, True),
    "cop_min": (1.0, 8.0, True),
    "cutoff_temp_c": (-40.0, 20.0, True),
    "defrost_low_c": (-40.0, 20.0, True),
    "defrost_high_c": (-40.0, 20.0, True),
    "defrost_penalty": (0.0, 0.5, True),
    "price_rmb_kw": (0.0, 1.0e5, True),
    "sizing_hours_per_day": (0.0, 24.0, False),
}
_HEAT_PUMP_KEYS = ("rated_cop", "rated_temp_c", "slope_per_k", "cop_min", "cutoff_temp_c")
_OPTIONAL_KEYS = ("defrost_low_c", "defrost_high_c", "defrost_penalty")
_PRICE_KEYS = ("price_rmb_kw", "sizing_hours_per_day")
_TEXT_KEYS = {"label", "kind", "source", "verified", "note", "clause"}
_USE_RANGES: dict[str, tuple[float, float]] = {
    "l_per_person_day": (0.0, 300.0),
    "supply_temp_c": (40.0, 75.0),
    "distribution_loss_fraction": (0.0, 1.0),
}


@dataclass(frozen=True)
class WaterHeater:
    """One water heater. ``efficiency``: heat per unit of delivered energy (-, electric and gas);
    ``storage_loss_fraction``: tank standby losses over the tap heat (-); heat pumps: the COP curve
    (``rated_cop`` at ``rated_temp_c`` degC, ``slope_per_k`` 1/K, ``cop_min``, ``cutoff_temp_c``
    degC, defrost band and penalty); ``price_rmb_kw`` RMB/kW and ``sizing_hours_per_day`` h for
    costs (NaN for existing presets); ``value_sources``: the citation of each number."""

    id: str
    label: str
    kind: str
    efficiency: float = 1.0
    storage_loss_fraction: float = 0.0
    rated_cop: float = math.nan
    rated_temp_c: float = math.nan
    slope_per_k: float = 0.0
    cop_min: float = 1.0
    cutoff_temp_c: float = math.nan
    defrost_low_c: float = math.nan
    defrost_high_c: float = math.nan
    defrost_penalty: float = 0.0
    price_rmb_kw: float = math.nan
    sizing_hours_per_day: float = math.nan
    source: str = ""
    verified: bool = False
    value_sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def carrier(self) -> str:
        """``electricity`` or ``natural_gas``."""
        return CARRIERS[self.kind]

    def cop(self, outdoor_c: np.ndarray | float) -> np.ndarray:
        """Heat-pump COP (-) at outdoor dry-bulb ``outdoor_c`` (degC); 1.0 below the cut-off."""
        if self.kind != "heat_pump":
            raise InputError(f"water heater {self.id!r} is {self.kind}, not a heat pump: it has no COP")
        return heating_cop_curve(outdoor_c, self.rated_cop, self.rated_temp_c, self.slope_per_k, self.cop_min,
                                 self.cutoff_temp_c, self.defrost_low_c, self.defrost_high_c, self.defrost_penalty)

    def delivered_kwh(self, generator_heat_kwh: np.ndarray | float, outdoor_c: np.ndarray | float) -> np.ndarray:
        """Delivered energy (kWh of :attr:`carrier`) to make ``generator_heat_kwh`` (kWh) of heat:
        ``Q / efficiency``, or ``Q / COP(T_out)`` for a heat pump (hour by hour)."""
        heat = np.asarray(generator_heat_kwh, dtype=float)
        if self.kind == "heat_pump":
            return heat / self.cop(outdoor_c)
        return heat / self.efficiency


@dataclass(frozen=True)
class HotWaterUse:
    """Hot-water use of one building use: ``l_per_person_day`` L/(person d) at ``supply_temp_c``
    degC, ``distribution_loss_fraction`` (-), ``draw_profile`` (24 hourly fractions summing to 1),
    ``baseline_system`` (a new building's cost-base water heater), ``sources`` per value."""

    use: str
    l_per_person_day: float
    supply_temp_c: float
    distribution_loss_fraction: float
    draw_profile: tuple[float, ...]
    baseline_system: str
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HotWaterData:
    """Everything ``hot_water.toml`` holds."""

    uses: Mapping[str, HotWaterUse]
    systems: Mapping[str, WaterHeater]
    cold_water_minimum_c: float


@dataclass(frozen=True)
class HotWaterSetup:
    """A model's hot water: the use (quota possibly overridden), the water heater and a label
    (``heat_pump``, or ``existing (<vintage>): <preset>``)."""

    use: HotWaterUse
    heater: WaterHeater
    label: str


@dataclass(frozen=True)
class HotWaterHours:
    """Hourly DHW series (kWh, aligned with the hourly frame) and the building's figures."""

    tap_heat_kwh: pd.Series
    electricity_kwh: pd.Series
    fuel_kwh: pd.Series
    cold_water_c: pd.Series
    persons: float
    design_heat_kwh_per_day: float


# --- pure physics ------------------------------------------------------------------------------

def day_of_year(month: np.ndarray | int, day: np.ndarray | int) -> np.ndarray:
    """Day of a non-leap year (1..365) of ``month`` (1..12) and ``day`` (1..31)."""
    m = np.asarray(month, dtype=int)
    return np.asarray(_DAYS_BEFORE_MONTH, dtype=int)[m - 1] + np.asarray(day, dtype=int)


def mains_temperature_c(day: np.ndarray | int, annual_mean_c: float, monthly_max_difference_k: float,
                        minimum_c: float = 0.0) -> np.ndarray:
    """Mains (cold) water temperature (degC) on day of year ``day`` (Christensen-Burch correlation,
    EnergyPlus Engineering Reference "Water Mains Temperatures"), in degF inside:
    ``T = (T_avg + 6) + ratio * dT / 2 * sin(0.986 * (day - 15 - lag) - 90 deg)``, ``ratio = 0.4 +
    0.01 * (T_avg - 44)``, ``lag = 35 - (T_avg - 44)`` days; ``annual_mean_c`` the annual mean
    outdoor dry-bulb (degC), ``monthly_max_difference_k`` the largest difference of the monthly
    means (K); at least ``minimum_c``."""
    t_avg_f = annual_mean_c * 1.8 + 32.0
    d_t_f = monthly_max_difference_k * 1.8
    ratio = 0.4 + 0.01 * (t_avg_f - 44.0)
    lag_days = 35.0 - 1.0 * (t_avg_f - 44.0)
    angle_deg = 0.986 * (np.asarray(day, dtype=float) - 15.0 - lag_days) - 90.0
    t_f = t_avg_f + 6.0 + ratio * (d_t_f / 2.0) * np.sin(np.radians(angle_deg))
    return np.maximum((t_f - 32.0) / 1.8, minimum_c)


def mains_from_monthly_c(day: np.ndarray | int, monthly_mean_c: Sequence[float], minimum_c: float = 0.0) -> np.ndarray:
    """:func:`mains_temperature_c` from the 12 monthly mean dry-bulb temperatures (degC) of a weather
    file: annual mean = their mean, difference = their range."""
    months = np.asarray(monthly_mean_c, dtype=float)
    if months.shape != (12,) or not np.all(np.isfinite(months)):
        raise InputError(f"the mains-water model needs 12 finite monthly mean temperatures, got {monthly_mean_c!r}")
    return mains_temperature_c(day, float(months.mean()), float(months.max() - months.min()), minimum_c)


def hourly_volume_l(persons: float, l_per_person_day: float, draw_profile: Sequence[float],
                    hour_of_day: np.ndarray, day_factor: np.ndarray | float = 1.0) -> np.ndarray:
    """Hot water drawn in each hour (L): ``persons * l_per_person_day * draw_profile[hour_of_day] *
    day_factor``, ``hour_of_day`` 0..23 (0 = 00:00-01:00)."""
    profile = np.asarray(draw_profile, dtype=float)
    return persons * l_per_person_day * profile[np.asarray(hour_of_day, dtype=int)] * day_factor


def tap_heat_kwh(volume_l: np.ndarray | float, supply_temp_c: float, cold_temp_c: np.ndarray | float) -> np.ndarray:
    """Heat at the taps (kWh) of ``volume_l`` L heated from ``cold_temp_c`` to ``supply_temp_c``
    (degC): ``rho * c_p * V * (T_supply - T_cold)+ / 3600``."""
    rise_k = np.maximum(supply_temp_c - np.asarray(cold_temp_c, dtype=float), 0.0)
    return WATER_DENSITY_KG_L * WATER_CP_KJ_KGK * np.asarray(volume_l, dtype=float) * rise_k / KJ_PER_KWH


def generator_heat_kwh(tap_kwh: np.ndarray | float, distribution_loss_fraction: float,
                       storage_loss_fraction: float) -> np.ndarray:
    """Heat the water heater makes (kWh): ``Q_tap * (1 + f_dist + f_stor)``."""
    return np.asarray(tap_kwh, dtype=float) * (1.0 + distribution_loss_fraction + storage_loss_fraction)


def design_daily_heat_kwh(persons: float, use: HotWaterUse, heater: WaterHeater, coldest_c: float) -> float:
    """A weekday's heat to make (kWh/d) with the coldest mains water ``coldest_c`` (degC): the
    sizing basis of a water heater's capacity."""
    tap = tap_heat_kwh(persons * use.l_per_person_day, use.supply_temp_c, coldest_c)
    return float(generator_heat_kwh(tap, use.distribution_loss_fraction, heater.storage_loss_fraction))


def day_factors(day_types: pd.Series | Sequence[str], weekend_fraction: float | None) -> np.ndarray:
    """1.0 for weekdays and design days, ``weekend_fraction`` (None: 1.0) for other EnergyPlus
    day types (weekends, holidays): the schedules' ``Weekdays SummerDesignDay WinterDesignDay`` /
    ``AllOtherDays`` split."""
    other = 1.0 if weekend_fraction is None else float(weekend_fraction)
    return np.array([1.0 if str(d) in WEEKDAY_TYPES else other for d in day_types], dtype=float)


def hourly_hot_water(setup: HotWaterSetup, hourly: pd.DataFrame, floor_area_m2: float,
                     floor_area_per_person_m2: float, weekend_fraction: float | None,
                     monthly_outdoor_c: Sequence[float], cold_water_minimum_c: float | None = None) -> HotWaterHours:
    """The hot water of a building of ``floor_area_m2`` m2 over the hours of ``hourly`` (columns
    ``Month``, ``Day``, ``Hour`` 1..24, ``DayType``, ``outdoor_dry_bulb_c``); module docstring."""
    if floor_area_per_person_m2 <= 0:
        raise InputError(f"floor_area_per_person_m2 = {floor_area_per_person_m2!r} must be > 0 for hot water")
    minimum = hot_water_data().cold_water_minimum_c if cold_water_minimum_c is None else cold_water_minimum_c
    persons = floor_area_m2 / floor_area_per_person_m2
    days = day_of_year(hourly["Month"].to_numpy(), hourly["Day"].to_numpy())
    cold = mains_from_monthly_c(days, monthly_outdoor_c, minimum)
    day_types = hourly["DayType"] if "DayType" in hourly else ["Monday"] * len(hourly)
    volume = hourly_volume_l(persons, setup.use.l_per_person_day, setup.use.draw_profile,
                             hourly["Hour"].to_numpy(dtype=int) - 1, day_factors(day_types, weekend_fraction))
    tap = tap_heat_kwh(volume, setup.use.supply_temp_c, cold)
    gen = generator_heat_kwh(tap, setup.use.distribution_loss_fraction, setup.heater.storage_loss_fraction)
    delivered = setup.heater.delivered_kwh(gen, hourly["outdoor_dry_bulb_c"].to_numpy(dtype=float))
    zero = np.zeros(len(hourly))
    electric = setup.heater.carrier == "electricity"
    coldest = float(np.min(mains_from_monthly_c(np.arange(1, 366), monthly_outdoor_c, minimum)))
    index = hourly.index
    return HotWaterHours(
        tap_heat_kwh=pd.Series(tap, index=index),
        electricity_kwh=pd.Series(delivered if electric else zero, index=index),
        fuel_kwh=pd.Series(zero if electric else delivered, index=index),
        cold_water_c=pd.Series(cold, index=index), persons=persons,
        design_heat_kwh_per_day=design_daily_heat_kwh(persons, setup.use, setup.heater, coldest))


# --- data ----------------------------------------------------------------------------------------

def _number(spec: Mapping[str, Any], key: str, where: str, low: float, high: float, low_inclusive: bool = True,
            sources: Mapping[str, str] | None = None, default_source: str = "") -> tuple[float, str]:
    """``spec[key]`` (a bare number or a ``{value, unit, source, verified}`` table) checked against
    its range, and its citation; InputError names ``where``, the key, the value and the range."""
    raw = spec.get(key)
    source = default_source
    if isinstance(raw, Mapping):
        for needed in ("value", "source", "verified"):
            if needed not in raw:
                raise InputError(f"{where}: {key} needs {needed!r} (a table of value, unit, source, verified)")
        if not isinstance(raw["verified"], bool):
            raise InputError(f"{where}: {key}.verified must be true or false, got {raw['verified']!r}")
        if sources is not None and raw["source"] not in sources:
            raise InputError(f"{where}: {key}.source {raw['source']!r} not defined in [sources]")
        source = sources[raw["source"]] if sources is not None else str(raw["source"])
        raw = raw["value"]
    if not _is_number(raw) or not (raw >= low if low_inclusive else raw > low) or raw > high:
        bracket = "[" if low_inclusive else "("
        raise InputError(f"{where}: {key} = {raw!r} is not a number in {bracket}{low:g}, {high:g}]")
    return float(raw), source


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse_water_heater(spec: Mapping[str, Any], where: str, sources: Mapping[str, str], system_id: str = "",
                       priced: bool = False) -> WaterHeater:
    """A :class:`WaterHeater` from a data-file table (``hot_water.toml [system.<id>]`` or a
    ``vintages.toml [hot_water_system.<id>]`` preset). Numbers are bare (the table's ``source`` /
    ``verified`` apply) or ``{value, unit, source, verified}`` tables; ``sources`` maps source keys
    to citations; ``priced``: ``price_rmb_kw`` and ``sizing_hours_per_day`` are required.
    InputError names ``where`` and the key."""
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected a table")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise InputError(f"{where}: kind {kind!r} not one of {', '.join(KINDS)}")
    allowed = _TEXT_KEYS | set(_HEATER_RANGES)
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise InputError(f"{where}: unknown keys {unknown}; allowed: {', '.join(sorted(allowed))}")
    if "label" not in spec:
        raise InputError(f"{where}: missing key 'label'")
    default_source = ""
    if "source" in spec:
        if spec["source"] not in sources:
            raise InputError(f"{where}: source {spec['source']!r} not defined in [sources]")
        default_source = sources[spec["source"]]
    if "verified" in spec and not isinstance(spec["verified"], bool):
        raise InputError(f"{where}: 'verified' must be true or false, got {spec['verified']!r}")
    required = (*_HEAT_PUMP_KEYS,) if kind == "heat_pump" else ("efficiency",)
    required += ("storage_loss_fraction",) + (_PRICE_KEYS if priced else ())
    missing = [k for k in required if k not in spec]
    if missing:
        raise InputError(f"{where}: missing key(s) {', '.join(missing)} (a {kind} water heater needs "
                         f"{', '.join(required)})")
    if kind == "heat_pump" and "efficiency" in spec:
        raise InputError(f"{where}: a heat pump has a COP curve ({', '.join(_HEAT_PUMP_KEYS)}), not 'efficiency'")
    if kind != "heat_pump":
        extra = [k for k in (*_HEAT_PUMP_KEYS, *_OPTIONAL_KEYS) if k in spec]
        if extra:
            raise InputError(f"{where}: {', '.join(extra)} only apply to kind = 'heat_pump'")
    values: dict[str, float] = {}
    value_sources: dict[str, str] = {}
    for key, (low, high, inclusive) in _HEATER_RANGES.items():
        if key in spec:
            values[key], value_sources[key] = _number(spec, key, where, low, high, inclusive, sources,
                                                      default_source)
    if values.get("cop_min", 1.0) > values.get("rated_cop", math.inf):
        raise InputError(f"{where}: cop_min = {values['cop_min']:g} is above rated_cop = {values['rated_cop']:g}")
    if (("defrost_low_c" in values) != ("defrost_high_c" in values)
            or values.get("defrost_low_c", 0.0) > values.get("defrost_high_c", 0.0)):
        raise InputError(f"{where}: give defrost_low_c <= defrost_high_c together (or neither)")
    verified = bool(spec.get("verified", False)) if "source" in spec else all(
        isinstance(spec[k], Mapping) and spec[k]["verified"] for k in values)
    return WaterHeater(id=system_id, label=str(spec["label"]), kind=kind, source=default_source,
                       verified=verified, value_sources=value_sources, **values)


def _parse_use(use: str, spec: Any, sources: Mapping[str, str], systems: Mapping[str, WaterHeater]) -> HotWaterUse:
    where = f"{_FILE}: [use.{use}]"
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected a table")
    values: dict[str, float] = {}
    cited: dict[str, str] = {}
    for key, (low, high) in _USE_RANGES.items():
        if key not in spec:
            raise InputError(f"{where}: missing key {key!r}")
        if not isinstance(spec[key], Mapping):
            raise InputError(f"{where}: {key} must be a table of value, unit, source, verified")
        values[key], cited[key] = _number(spec, key, where, low, high, key != "l_per_person_day", sources)
    for key in ("draw_profile", "baseline_system"):
        raw = spec.get(key)
        if not isinstance(raw, Mapping) or not {"value", "source", "verified"} <= set(raw):
            raise InputError(f"{where}: {key} must be a table of value, unit, source, verified")
        if raw["source"] not in sources:
            raise InputError(f"{where}: {key}.source {raw['source']!r} not defined in [sources]")
        cited[key] = sources[raw["source"]]
    profile = spec["draw_profile"]["value"]
    if (not isinstance(profile, list) or len(profile) != 24 or not all(_is_number(v) and v >= 0 for v in profile)
            or not math.isclose(sum(profile), 1.0, abs_tol=1e-6)):
        raise InputError(f"{where}: draw_profile must be 24 fractions >= 0 that sum to 1, got {profile!r}")
    baseline = spec["baseline_system"]["value"]
    if baseline not in systems:
        raise InputError(f"{where}: baseline_system {baseline!r} is not a [system.*]; allowed: {', '.join(systems)}")
    return HotWaterUse(use, values["l_per_person_day"], values["supply_temp_c"],
                       values["distribution_loss_fraction"], tuple(float(v) for v in profile), baseline, cited)


def parse_hot_water_data(data: Mapping[str, Any], path: str = _FILE) -> HotWaterData:
    """Validate parsed ``hot_water.toml`` data (``path`` names the file in messages)."""
    raw_sources = data.get("sources", {})
    if not isinstance(raw_sources, Mapping):
        raise InputError(f"{path}: [sources] must be a table")
    sources: dict[str, str] = {}
    for key, spec in raw_sources.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("citation"), str):
            raise InputError(f"{path}: [sources.{key}] needs a 'citation' text")
        sources[key] = spec["citation"] + (f" <{spec['url']}>" if spec.get("url") else "")
    raw_systems = data.get("system", {})
    if not isinstance(raw_systems, Mapping) or not raw_systems:
        raise InputError(f"{path}: [system.<id>] water heaters missing")
    systems = {sid: parse_water_heater(spec, f"{path}: [system.{sid}]", sources, sid, priced=True)
               for sid, spec in raw_systems.items()}
    for reserved in (NONE, EXISTING):
        if reserved in systems:
            raise InputError(f"{path}: [system.{reserved}]: {reserved!r} is reserved (hot_water_system choice)")
    raw_uses = data.get("use", {})
    if not isinstance(raw_uses, Mapping) or not raw_uses:
        raise InputError(f"{path}: [use.<building use>] tables missing")
    uses = {use: _parse_use(use, spec, sources, systems) for use, spec in raw_uses.items()}
    cold = data.get("cold_water")
    if not isinstance(cold, Mapping) or cold.get("method") != "hendron_2004":
        raise InputError(f"{path}: [cold_water] method must be 'hendron_2004'")
    minimum, _ = _number(cold, "minimum_c", f"{path}: [cold_water]", -5.0, 30.0, True, sources)
    return HotWaterData(uses, systems, minimum)


@cache
def hot_water_data() -> HotWaterData:
    """The packaged ``templates/data/hot_water.toml`` (parsed once)."""
    from ultralow.templates import catalogues

    return parse_hot_water_data(catalogues.load("hot_water"))


def system_ids() -> tuple[str, ...]:
    """Ids of the design water heaters (``[system.<id>]``)."""
    return tuple(hot_water_data().systems)


def water_heater(system_id: str) -> WaterHeater:
    """The design water heater ``system_id``; InputError listing the ids."""
    systems = hot_water_data().systems
    if system_id not in systems:
        raise InputError(f"parameter hot_water_system = {system_id!r} is not allowed; use one of "
                         f"{', '.join((NONE, *systems, EXISTING))}")
    return systems[system_id]


def hot_water_use(use: str, l_per_person_day: float | None = None) -> HotWaterUse:
    """The hot-water use of building use ``use`` (``residential``/``public``), with the quota
    ``l_per_person_day`` (L/(person d)) replacing the data file's when given."""
    uses = hot_water_data().uses
    if use not in uses:
        raise InputError(f"{_FILE} has no hot-water use {use!r}; allowed: {', '.join(uses)}")
    out = uses[use]
    if l_per_person_day is not None:
        if not _is_number(l_per_person_day) or not 0 < l_per_person_day <= _USE_RANGES["l_per_person_day"][1]:
            raise InputError(f"parameter hot_water_l_per_person_day = {l_per_person_day!r} is not allowed: a "
                             f"number in (0, {_USE_RANGES['l_per_person_day'][1]:g}] L/(person d)")
        out = replace(out, l_per_person_day=float(l_per_person_day),
                      sources={**out.sources, "l_per_person_day": "design parameter hot_water_l_per_person_day"})
    return out


def baseline_system(use: str) -> str:
    """The water heater of a new building's cost base for ``use`` (data file ``baseline_system``)."""
    return hot_water_use(use).baseline_system
