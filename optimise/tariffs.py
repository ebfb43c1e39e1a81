"""Energy prices of a city's tariff region: grid electricity, PV export, natural gas, coal, district heat.

Data: ``optimise/data/tariffs.toml`` (every value with unit, source, verified flag and year; the file
header explains the layout). A city of the weather registry maps to a tariff region (a province, or
a separately priced grid area such as Shenzhen or the Inner Mongolia West grid); a region has a
``residential`` and a ``commercial`` class. :func:`tariff_for` picks the class from the template's
``building_use``: ``"residential"`` -> residential, anything else -> commercial.

Units: RMB, kWh, m2, m3; hours are China Standard Time, hour ``h`` = ``h:00``-``h+1:00``; months
are January..December. Arrays "by month and hour" have shape (12, 24): element ``[m, h]`` is month
``m + 1`` and hour ``h``, summed over the days of that month in a year.

Grid electricity price (RMB/kWh):

- flat tariff: ``P[m, h] = P_flat`` for every month and hour. Residential tariffs are charged at the
  first tier (第一档) of the block tariff (阶梯电价) for every kWh: the tiers are per household and the
  simulated building does not know how many households it holds, so the first tier (a lower bound)
  is used and said so in the data.
- time-of-use tariff: each half hour ``s`` of month ``m`` belongs to one period ``p`` (sharp, peak,
  flat, valley, deep_valley; half hours not listed are flat) of the season that holds ``m``, and
  ``P_s = P_flat + (k_p - 1) * P_float`` with ``P_flat`` the flat-period (or non-TOU) price with all
  components, ``P_float`` the part of it the TOU ratios act on (e.g. the agency purchase price and
  line losses) and ``k_p`` the season's ratio of period ``p`` (``k_flat = 1``). The hourly price is
  the mean of the hour's two half hours, ``P[m, h] = (P_2h + P_2h+1) / 2`` (consumption assumed even
  within the hour). A sharp peak triggered by weather (Guangdong: days >= 35 C outside July-September)
  is not modelled.

Electricity cost of a year (RMB): ``C = sum_{m,h} I[m, h] * P[m, h] - p_export * sum_{m,h} X[m, h]``
with ``I`` the kWh imported from and ``X`` the kWh exported to the grid, by month and hour, and
``p_export`` the region's price for surplus PV (the provincial coal-fired benchmark 燃煤发电基准价).

Fuels (RMB): natural gas ``C = Q / LHV_gas * p_gas`` (``Q`` kWh of fuel at its lower heating value,
``LHV_gas`` kWh/m3, ``p_gas`` RMB/m3); coal ``C = Q / (1000 * LHV_coal) * p_coal`` (``LHV_coal``
kWh/kg, ``p_coal`` RMB/t).

District heating (RMB per heating season), with ``A`` the building's floor area (m2) and
``A_b = A`` for charges per m2 of building area (建筑面积) or ``A_b = f_u * A`` for charges per m2 of
usable area (使用面积), ``f_u`` = ``heating_usable_area_fraction``:

- area billing: ``C = c_area * A_b``, independent of the heat;
- metered (two-part) billing: ``C = c_fix * A_b + c_GJ * 0.0036 * Q_heat`` (``Q_heat`` kWh of heat
  delivered, 0.0036 GJ/kWh); where the region caps the metered bill at the area bill,
  ``C = min(C, c_area * A_b)``.

Items a region lacks come from ``[defaults]`` (said in :meth:`Tariff.describe`); a price no table
gives raises :class:`~ultralow.errors.InputError` naming the region, class and item.
"""

from __future__ import annotations

import contextlib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from ultralow.errors import InputError

CLASSES = ("residential", "commercial")
PERIODS = ("sharp", "peak", "flat", "valley", "deep_valley")
RANGE_PERIODS = tuple(p for p in PERIODS if p != "flat")  # flat = every half hour not listed
CARRIERS = ("natural_gas", "coal")
BILLINGS = ("area", "metered")
AREA_BASES = ("building", "usable")
SLOTS_PER_DAY = 48  # half hours
GJ_PER_KWH = 0.0036
ITEM_FIELDS = ("value", "unit", "source", "verified", "year")

# item name -> kind (checked by _check_value); KIND_HELP says what each kind allows.
CLASS_ITEMS: dict[str, str] = {
    "electricity_rmb_kwh": "nonneg",
    "electricity_floating_rmb_kwh": "nonneg",
    "electricity_tou": "tou",
    "natural_gas_rmb_m3": "nonneg",
    "coal_rmb_t": "nonneg",
    "heating_area_rmb_m2": "nonneg",
    "heating_metered_fixed_rmb_m2": "nonneg",
    "heating_metered_rmb_gj": "nonneg",
    "heating_metered_capped": "bool",
}
REGION_ITEMS: dict[str, str] = {
    "pv_export_rmb_kwh": "nonneg",
    "natural_gas_lhv_kwh_m3": "positive",
    "coal_lhv_kwh_kg": "positive",
    "heating_usable_area_fraction": "fraction",
}
DEFAULT_CLASS_ITEMS = ("natural_gas_rmb_m3", "coal_rmb_t")
AREA_ITEMS = ("heating_area_rmb_m2", "heating_metered_fixed_rmb_m2")
KIND_HELP = {
    "nonneg": "a number >= 0",
    "positive": "a number > 0",
    "fraction": "a number > 0 and <= 1",
    "bool": "true or false",
    "tou": "a list of seasons {months = [..], ratios = {period = k}, <period> = [\"HH:MM-HH:MM\", ..]}",
}


@dataclass(frozen=True)
class TariffItem:
    """One value of the tariff data with its provenance (``key`` is its dotted path in the file)."""

    key: str
    value: Any
    unit: str
    source: str
    verified: bool
    year: int
    area_basis: str | None = None


@dataclass(frozen=True)
class TouSeason:
    """Time-of-use periods of some months: ``slots[s]`` is the period of half hour ``s`` (0..47)."""

    months: tuple[int, ...]
    slots: tuple[str, ...]
    ratios: Mapping[str, float]

    def ranges(self) -> dict[str, list[str]]:
        """``{period: ["HH:MM-HH:MM", ...]}`` of this season (contiguous half hours merged)."""
        out: dict[str, list[str]] = {}
        start = 0
        for s in range(1, SLOTS_PER_DAY + 1):
            if s == SLOTS_PER_DAY or self.slots[s] != self.slots[start]:
                out.setdefault(self.slots[start], []).append(f"{_clock(start)}-{_clock(s)}")
                start = s
        return out


def _clock(slot: int) -> str:
    return f"{slot // 2:02d}:{30 * (slot % 2):02d}"


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


@dataclass(frozen=True)
class Tariff:
    """Energy prices of one tariff region and class (``residential`` or ``commercial``).

    ``items`` maps item names (``electricity_rmb_kwh``, ``pv_export_rmb_kwh``, ``natural_gas_rmb_m3``,
    ...) to :class:`TariffItem`, region-level items and defaults included; ``seasons`` is empty for a
    flat electricity tariff. Formulas: module docstring.
    """

    city: str
    region: str
    region_name: str
    province: str
    tariff_class: str
    description: str
    items: Mapping[str, TariffItem]
    seasons: tuple[TouSeason, ...]
    path: str

    # --- helpers -------------------------------------------------------------------------------
    def _item(self, name: str, purpose: str) -> TariffItem:
        item = self.items.get(name)
        if item is None:
            raise InputError(f"{self.path}: region {self.region!r} ({self.tariff_class}) has no {name!r} "
                             f"and [defaults] gives none, so {purpose} cannot be priced; add "
                             f"[regions.{self.region}.{self.tariff_class}.{name}]")
        return item

    def value(self, name: str) -> Any:
        """The value of item ``name`` (InputError when neither the region nor the defaults give it)."""
        return self._item(name, name).value

    @property
    def year(self) -> int:
        """Year of the electricity price (other items give their own year in :meth:`describe`)."""
        return self.items["electricity_rmb_kwh"].year

    @property
    def is_time_of_use(self) -> bool:
        return bool(self.seasons)

    @property
    def pv_export_price_rmb_kwh(self) -> float:
        """RMB/kWh paid for surplus PV electricity fed to the grid."""
        return float(self.items["pv_export_rmb_kwh"].value)

    def period_prices_rmb_kwh(self, season: TouSeason | None = None) -> dict[str, float]:
        """``{period: RMB/kWh}``: ``P_flat + (k - 1) * P_float`` for the season's periods (flat tariff: flat only)."""
        flat = float(self.items["electricity_rmb_kwh"].value)
        if season is None:
            return {"flat": flat}
        floating = float(self.items["electricity_floating_rmb_kwh"].value)
        used = [p for p in PERIODS if p in season.slots]
        return {p: flat + (season.ratios.get(p, 1.0) - 1.0) * floating for p in used}

    # --- prices and costs ----------------------------------------------------------------------
    def electricity_price_rmb_kwh(self) -> np.ndarray:
        """Grid electricity price (RMB/kWh) by month (rows, Jan..Dec) and hour of day (columns, 0..23).

        Flat tariff: ``P_flat`` everywhere. TOU: the mean of the hour's two half-hour prices
        ``P_flat + (k_p - 1) * P_float``.
        """
        flat = float(self.items["electricity_rmb_kwh"].value)
        prices = np.full((12, 24), flat)
        for season in self.seasons:
            by_period = self.period_prices_rmb_kwh(season)
            half_hours = np.array([by_period[p] for p in season.slots])
            hourly = half_hours.reshape(24, 2).mean(axis=1)
            for month in season.months:
                prices[month - 1, :] = hourly
        return prices

    def electricity_cost_rmb(self, import_kwh_month_hour: Any, export_kwh_month_hour: Any = None) -> float:
        """Annual electricity cost (RMB): ``sum(I * P) - p_export * sum(X)``.

        ``import_kwh_month_hour`` / ``export_kwh_month_hour``: (12, 24) arrays of kWh taken from /
        fed to the grid, summed over the year for each month and hour of day; ``None`` export = none.
        """
        imports = _month_hour_array(import_kwh_month_hour, "import_kwh_month_hour")
        exports = (np.zeros((12, 24)) if export_kwh_month_hour is None
                   else _month_hour_array(export_kwh_month_hour, "export_kwh_month_hour"))
        return float((imports * self.electricity_price_rmb_kwh()).sum()
                     - self.pv_export_price_rmb_kwh * exports.sum())

    def fuel_cost_rmb(self, carrier: str, delivered_kwh: float) -> float:
        """Cost (RMB) of ``delivered_kwh`` kWh of fuel (lower heating value) of ``carrier``.

        natural_gas: ``Q / LHV_gas[kWh/m3] * p[RMB/m3]``; coal: ``Q / (1000 * LHV_coal[kWh/kg]) * p[RMB/t]``.
        """
        q = _nonneg(delivered_kwh, "delivered_kwh")
        if carrier == "natural_gas":
            lhv = float(self._item("natural_gas_lhv_kwh_m3", "natural gas").value)
            return q / lhv * float(self._item("natural_gas_rmb_m3", "natural gas").value)
        if carrier == "coal":
            lhv = float(self._item("coal_lhv_kwh_kg", "coal").value)
            return q / (1000.0 * lhv) * float(self._item("coal_rmb_t", "coal").value)
        raise InputError(f"unknown fuel carrier {carrier!r}; allowed: {', '.join(CARRIERS)} "
                         "(electricity is priced by electricity_cost_rmb)")

    def _billed_area_m2(self, item: TariffItem, floor_area_m2: float) -> float:
        if item.area_basis == "usable":
            return floor_area_m2 * float(self._item("heating_usable_area_fraction", "usable floor area").value)
        return floor_area_m2

    def district_heating_cost_rmb(self, heat_kwh: float, floor_area_m2: float, billing: str = "area") -> float:
        """District-heating cost (RMB per heating season) of a building of ``floor_area_m2`` m2.

        ``billing="area"``: ``c_area * A_b`` (independent of ``heat_kwh``); ``"metered"``:
        ``c_fix * A_b + c_GJ * 0.0036 * heat_kwh``, capped at the area charge where the region says so.
        ``A_b`` is the floor area, times the usable-area fraction for per-usable-m2 charges.
        """
        q = _nonneg(heat_kwh, "heat_kwh")
        area = _nonneg(floor_area_m2, "floor_area_m2")
        if billing not in BILLINGS:
            raise InputError(f"unknown district-heating billing {billing!r}; allowed: {', '.join(BILLINGS)}")
        if billing == "area":
            item = self._item("heating_area_rmb_m2", "area-based district heating")
            return float(item.value) * self._billed_area_m2(item, area)
        fixed = self._item("heating_metered_fixed_rmb_m2", "metered district heating")
        energy = self._item("heating_metered_rmb_gj", "metered district heating")
        cost = float(fixed.value) * self._billed_area_m2(fixed, area) + float(energy.value) * GJ_PER_KWH * q
        capped = self.items.get("heating_metered_capped")
        if capped is not None and capped.value and "heating_area_rmb_m2" in self.items:
            area_item = self.items["heating_area_rmb_m2"]
            cost = min(cost, float(area_item.value) * self._billed_area_m2(area_item, area))
        return cost

    def describe(self) -> dict[str, Any]:
        """Report record: region, class, period table with prices, year, every item's source and flag."""
        seasons = [{"months": list(s.months), "ratios": dict(s.ratios), "periods": s.ranges(),
                    "prices_rmb_kwh": self.period_prices_rmb_kwh(s)} for s in self.seasons]
        items = {name: {"value": it.value, "unit": it.unit, "source": it.source, "verified": it.verified,
                        "year": it.year, "key": it.key, **({"area_basis": it.area_basis} if it.area_basis else {})}
                 for name, it in self.items.items()}
        return {
            "city": self.city,
            "region": self.region,
            "region_name": self.region_name,
            "province": self.province,
            "tariff_class": self.tariff_class,
            "description": self.description,
            "year": self.year,
            "electricity": "time-of-use" if self.seasons else "flat",
            "electricity_rmb_kwh": float(self.items["electricity_rmb_kwh"].value),
            "period_table": seasons,
            "pv_export_rmb_kwh": self.pv_export_price_rmb_kwh,
            "items": items,
            "sources": sorted({it.source for it in self.items.values()}),
            "verified": all(it.verified for it in self.items.values()),
            "unverified": sorted(n for n, it in self.items.items() if not it.verified),
            "from_defaults": sorted(n for n, it in self.items.items() if it.key.startswith("defaults.")),
            "file": self.path,
        }


def _month_hour_array(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name}: not a numeric (12, 24) array of kWh by month and hour") from None
    if arr.shape != (12, 24):
        raise InputError(f"{name}: shape {arr.shape} is not allowed; use (12, 24) = months Jan..Dec x hours 0..23")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InputError(f"{name}: every element must be a finite number of kWh >= 0")
    return arr


def _nonneg(x: Any, name: str) -> float:
    if not _is_number(x) or x < 0:
        raise InputError(f"{name}: {x!r} is not allowed; use a number >= 0")
    return float(x)


# --- loading and validation --------------------------------------------------------------------
def _bad(where: str, key: str, value: Any, allowed: str) -> InputError:
    return InputError(f"{where}: {key}: {value!r} is not allowed; use {allowed}")


def _slot(text: str, where: str, key: str) -> int:
    hh, sep, mm = text.partition(":")
    if sep and hh.isdigit() and mm in ("00", "30") and 0 <= int(hh) <= 24 and not (int(hh) == 24 and mm != "00"):
        return int(hh) * 2 + (1 if mm == "30" else 0)
    raise _bad(where, key, text, "a time HH:00 or HH:30 between 00:00 and 24:00")


def _range_slots(text: Any, where: str, key: str) -> list[int]:
    """Half-hour slots of ``"HH:MM-HH:MM"`` (wrapping past midnight when the end is earlier)."""
    if not isinstance(text, str) or text.count("-") != 1:
        raise _bad(where, key, text, "a time range \"HH:MM-HH:MM\" (half hours)")
    a, b = (_slot(t.strip(), where, key) for t in text.split("-"))
    if a % SLOTS_PER_DAY == b % SLOTS_PER_DAY:
        raise _bad(where, key, text, "a time range of non-zero length shorter than a day")
    if b > a:
        return list(range(a, b))
    return list(range(a, SLOTS_PER_DAY)) + list(range(0, b))


def _check_tou(value: Any, where: str, key: str) -> tuple[TouSeason, ...]:
    if not isinstance(value, list) or not value:
        raise _bad(where, key, value, KIND_HELP["tou"])
    seasons: list[TouSeason] = []
    seen_months: dict[int, int] = {}
    for i, entry in enumerate(value):
        ekey = f"{key}[{i}]"
        if not isinstance(entry, dict):
            raise _bad(where, ekey, entry, KIND_HELP["tou"])
        unknown = set(entry) - {"months", "ratios", *RANGE_PERIODS}
        if unknown:
            raise InputError(f"{where}: {ekey}: unknown field(s) {', '.join(sorted(unknown))}; allowed: months, "
                             f"ratios, {', '.join(RANGE_PERIODS)} (hours not listed are flat)")
        months = entry.get("months")
        if (not isinstance(months, list) or not months
                or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in months)
                or len(set(months)) != len(months)):
            raise _bad(where, f"{ekey}.months", months, "a list of distinct months 1..12")
        for m in months:
            if m in seen_months:
                raise InputError(f"{where}: {ekey}.months: month {m} is already in {key}[{seen_months[m]}]; "
                                 "each month belongs to exactly one season")
            seen_months[m] = i
        ratios = entry.get("ratios", {})
        if not isinstance(ratios, dict):
            raise _bad(where, f"{ekey}.ratios", ratios, "a table {period = k}")
        for period, k in ratios.items():
            if period not in RANGE_PERIODS:
                raise InputError(f"{where}: {ekey}.ratios: unknown period {period!r}; allowed: "
                                 f"{', '.join(RANGE_PERIODS)} (flat has k = 1)")
            if not _is_number(k) or k < 0:
                raise _bad(where, f"{ekey}.ratios.{period}", k, "a number >= 0")
        slots = ["flat"] * SLOTS_PER_DAY
        for period in RANGE_PERIODS:
            if period not in entry:
                continue
            ranges = entry[period]
            if not isinstance(ranges, list) or not ranges:
                raise _bad(where, f"{ekey}.{period}", ranges, "a list of \"HH:MM-HH:MM\" ranges")
            if period not in ratios:
                raise InputError(f"{where}: {ekey}.ratios: no ratio for period {period!r} used in {ekey}.{period}")
            for text in ranges:
                for s in _range_slots(text, where, f"{ekey}.{period}"):
                    if slots[s] != "flat":
                        raise InputError(f"{where}: {ekey}.{period}: {text!r} overlaps {slots[s]} at {_clock(s)}; "
                                         "periods of a season must not overlap")
                    slots[s] = period
        seasons.append(TouSeason(tuple(sorted(months)), tuple(slots),
                                 MappingProxyType({"flat": 1.0, **{p: float(k) for p, k in ratios.items()}})))
    missing = sorted(set(range(1, 13)) - set(seen_months))
    if missing:
        raise InputError(f"{where}: {key}: months {missing} are in no season; the seasons must cover months 1..12")
    return tuple(seasons)


def _check_value(kind: str, value: Any, where: str, key: str) -> Any:
    if kind == "tou":
        _check_tou(value, where, key)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _bad(where, key, value, KIND_HELP[kind])
        return value
    if not _is_number(value):
        raise _bad(where, key, value, KIND_HELP[kind])
    low_ok = value >= 0 if kind == "nonneg" else value > 0
    if not low_ok or (kind == "fraction" and value > 1):
        raise _bad(where, key, value, KIND_HELP[kind])
    return float(value)


def _parse_item(raw: Any, kind: str, name: str, where: str, key: str) -> TariffItem:
    if not isinstance(raw, dict) or "value" not in raw:
        raise InputError(f"{where}: {key} must be a table with {', '.join(ITEM_FIELDS)}")
    allowed = set(ITEM_FIELDS) | ({"area_basis"} if name in AREA_ITEMS else set())
    extra = set(raw) - allowed
    if extra:
        raise InputError(f"{where}: {key}: unknown field(s) {', '.join(sorted(extra))}; allowed: "
                         f"{', '.join(sorted(allowed))}")
    missing = [f for f in ITEM_FIELDS if f not in raw]
    if missing:
        raise InputError(f"{where}: {key}: missing {', '.join(missing)}; every value needs {', '.join(ITEM_FIELDS)}")
    source, verified, year, unit = raw["source"], raw["verified"], raw["year"], raw["unit"]
    if not isinstance(source, str) or not source.strip():
        raise _bad(where, f"{key}.source", source, "a document / URL, or \"assumption\" / \"recollection\"")
    if not isinstance(verified, bool):
        raise _bad(where, f"{key}.verified", verified, "true or false")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        raise _bad(where, f"{key}.year", year, "a year 1990..2100")
    if not isinstance(unit, str):
        raise _bad(where, f"{key}.unit", unit, "a text")
    area_basis = None
    if name in AREA_ITEMS:
        area_basis = raw.get("area_basis")
        if area_basis not in AREA_BASES:
            raise _bad(where, f"{key}.area_basis", area_basis, " or ".join(f'"{b}"' for b in AREA_BASES))
    return TariffItem(key, _check_value(kind, raw["value"], where, key), unit, source, verified, year, area_basis)


def _parse_items(body: Mapping[str, Any], schema: Mapping[str, str], where: str, prefix: str,
                 skip: tuple[str, ...] = ()) -> dict[str, TariffItem]:
    out: dict[str, TariffItem] = {}
    for name, raw in body.items():
        if name in skip:
            continue
        if name not in schema:
            raise InputError(f"{where}: unknown item {prefix}.{name}; allowed in [{prefix}]: "
                             f"{', '.join([*skip, *schema])}")
        out[name] = _parse_item(raw, schema[name], name, where, f"{prefix}.{name}")
    return out


@dataclass(frozen=True)
class _Region:
    name: str
    province: str
    items: Mapping[str, TariffItem]
    classes: Mapping[str, tuple[str, Mapping[str, TariffItem]]]  # class -> (description, items)


class TariffBook:
    """The validated contents of a tariff file: cities, regions and defaults."""

    def __init__(self, data: Mapping[str, Any], where: str):
        self.path = where
        allowed_top = ("cities", "defaults", "regions")
        for top in data:
            if top not in allowed_top:
                raise InputError(f"{where}: unknown top-level key {top!r}; allowed: {', '.join(allowed_top)}")
        for top in ("cities", "regions"):
            if not isinstance(data.get(top), dict) or not data[top]:
                raise InputError(f"{where}: [{top}] is missing or empty")
        self.default_items, self.default_class_items = self._parse_defaults(data.get("defaults", {}), where)
        self.regions: dict[str, _Region] = {rid: self._parse_region(rid, body, where)
                                            for rid, body in data["regions"].items()}
        self.cities: dict[str, str] = {}
        for city, region in data["cities"].items():
            if region not in self.regions:
                raise InputError(f"{where}: cities.{city}: region {region!r} is not allowed; use one of the "
                                 f"[regions]: {', '.join(sorted(self.regions))}")
            self.cities[city] = region
        for city in self.cities:  # build every tariff once: a bad TOU/price combination fails on load
            for tariff_class in CLASSES:
                self.tariff(city, tariff_class)

    @staticmethod
    def _parse_defaults(body: Any, where: str) -> tuple[dict[str, TariffItem], dict[str, dict[str, TariffItem]]]:
        if not isinstance(body, dict):
            raise InputError(f"{where}: [defaults] must be a table")
        class_schema = {n: CLASS_ITEMS[n] for n in DEFAULT_CLASS_ITEMS}
        items = _parse_items({k: v for k, v in body.items() if k not in CLASSES},
                             {k: v for k, v in REGION_ITEMS.items() if k != "pv_export_rmb_kwh"}, where, "defaults")
        classes = {c: _parse_items(body.get(c, {}), class_schema, where, f"defaults.{c}") for c in CLASSES}
        return items, classes

    @staticmethod
    def _parse_region(rid: str, body: Any, where: str) -> _Region:
        prefix = f"regions.{rid}"
        if not isinstance(body, dict):
            raise InputError(f"{where}: [{prefix}] must be a table")
        for text in ("name", "province"):
            if not isinstance(body.get(text), str) or not body[text].strip():
                raise _bad(where, f"{prefix}.{text}", body.get(text), "a non-empty text")
        items = _parse_items({k: v for k, v in body.items() if k not in CLASSES}, REGION_ITEMS, where, prefix,
                             skip=("name", "province"))
        if "pv_export_rmb_kwh" not in items:
            raise InputError(f"{where}: {prefix}.pv_export_rmb_kwh is missing (price of surplus PV fed to the grid)")
        classes = {}
        for tariff_class in CLASSES:
            cbody = body.get(tariff_class)
            if not isinstance(cbody, dict):
                raise InputError(f"{where}: [{prefix}.{tariff_class}] is missing; every region needs "
                                 f"{' and '.join(CLASSES)}")
            description = cbody.get("description")
            if not isinstance(description, str) or not description.strip():
                raise _bad(where, f"{prefix}.{tariff_class}.description", description,
                           "a text naming the tariff class (voltage, single-part or two-part)")
            citems = _parse_items(cbody, CLASS_ITEMS, where, f"{prefix}.{tariff_class}", skip=("description",))
            if "electricity_rmb_kwh" not in citems:
                raise InputError(f"{where}: {prefix}.{tariff_class}.electricity_rmb_kwh is missing")
            if ("electricity_tou" in citems) != ("electricity_floating_rmb_kwh" in citems):
                raise InputError(f"{where}: {prefix}.{tariff_class}: electricity_tou and electricity_floating_rmb_kwh "
                                 "go together (a TOU tariff needs both, a flat tariff neither)")
            classes[tariff_class] = (description, MappingProxyType(citems))
        return _Region(body["name"], body["province"], MappingProxyType(items), MappingProxyType(classes))

    def known_cities(self) -> list[str]:
        return sorted(self.cities)

    def resolve_city(self, city: str) -> str:
        """The city key in this file for ``city`` (registry aliases such as "Xi'an" or "西安" accepted)."""
        key = str(city).strip().lower()
        if key not in self.cities:
            from ultralow.weather.registry import get_city

            with contextlib.suppress(InputError):
                key = get_city(str(city)).key
        if key not in self.cities:
            raise InputError(f"{self.path}: unknown city {city!r}; known cities: {', '.join(self.known_cities())}")
        return key

    def tariff(self, city: str, tariff_class: str) -> Tariff:
        """The :class:`Tariff` of ``city`` and class ``residential`` / ``commercial``."""
        if tariff_class not in CLASSES:
            raise InputError(f"unknown tariff class {tariff_class!r}; allowed: {', '.join(CLASSES)}")
        key = self.resolve_city(city)
        rid = self.cities[key]
        region = self.regions[rid]
        description, citems = region.classes[tariff_class]
        items = {**self.default_items, **self.default_class_items[tariff_class], **region.items, **citems}
        seasons: tuple[TouSeason, ...] = ()
        if "electricity_tou" in items:
            tou = items["electricity_tou"]
            seasons = _check_tou(tou.value, self.path, tou.key)
            tariff = Tariff(key, rid, region.name, region.province, tariff_class, description,
                            MappingProxyType(items), seasons, self.path)
            for season in seasons:
                for period, price in tariff.period_prices_rmb_kwh(season).items():
                    if price < 0:
                        raise InputError(f"{self.path}: regions.{rid}.{tariff_class}: the {period} price of months "
                                         f"{list(season.months)} is {price:.4f} RMB/kWh (electricity_rmb_kwh + "
                                         "(k - 1) * electricity_floating_rmb_kwh); it must be >= 0")
            return tariff
        return Tariff(key, rid, region.name, region.province, tariff_class, description,
                      MappingProxyType(items), seasons, self.path)

    def tariff_for(self, city: str, building_use: str) -> Tariff:
        """``tariff(city, "residential")`` when ``building_use == "residential"``, else the commercial tariff."""
        return self.tariff(city, "residential" if str(building_use).strip().lower() == "residential" else "commercial")


def load_tariffs(path: str | Path | None = None) -> TariffBook:
    """Read and validate a tariff file (default: the packaged ``optimise/data/tariffs.toml``).

    Raises :class:`InputError` naming the file, the key, the value and what is allowed.
    """
    if path is None:
        return _packaged()
    where = str(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{where}: tariff file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: not valid TOML: {exc}") from None
    return TariffBook(data, where)


@cache
def _packaged() -> TariffBook:
    with resources.files("ultralow.optimise").joinpath("data", "tariffs.toml").open("rb") as fh:
        return TariffBook(tomllib.load(fh), "optimise/data/tariffs.toml")


def tariff_for(city: str, building_use: str, path: str | Path | None = None) -> Tariff:
    """The tariff of ``city`` for a building of ``building_use`` ("residential" -> residential class,
    anything else -> commercial), from ``path`` or the packaged tariff file."""
    return load_tariffs(path).tariff_for(city, building_use)
