"""Compare two weather files month by month (``ultralow weather compare A.epw B.epw``).

:func:`compare_weather` returns a :class:`WeatherComparison`: for each of the 12 months the
values of file A, file B and the difference B − A of

* mean dry bulb, mean daily maximum and mean daily minimum (°C; differences in K),
* mean relative humidity (%; difference in percentage points),
* mean dew point (°C, the mean of the hourly dew points; difference in K),
* global horizontal irradiation (kWh/m²);

and the annual HDD18 / CDD26 (K·d), WDH20 / DDH28 (kK·h), the GB/T 51350-2019 cooling-demand
limit of ultra-low residential buildings that follows from each file's WDH20/DDH28
(kWh/(m²·a), formula from ``templates/standards/data/gbt51350_2019.toml``), the annual GHI
(kWh/m², with the difference in % of A) and the day-to-day variability of each file
(:func:`daily_variability`, K).

Everything :func:`ultralow.weather.indices.climate_indices` computes is taken from it; this
module adds only the monthly mean dew point and the variability statistics.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from ultralow.errors import InputError
from ultralow.weather import psychrometrics
from ultralow.weather.epw import Epw, read_epw
from ultralow.weather.indices import ClimateIndices, clean_values, climate_indices, weather_frame

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SUMMER_MONTHS = (6, 7, 8)
WINTER_MONTHS = (12, 1, 2)

#: The GB/T 51350 indicator whose limit is computed from the weather: residential cooling demand
#: of the ultra-low target (``[[indicator]]`` rows of ``gbt51350_2019.toml``).
COOLING_INDICATOR = ("cooling_demand_kwh_m2", "ultra-low", "residential")

#: Monthly quantities: key, label, unit of the values, unit of the difference.
MONTHLY_QUANTITIES: tuple[tuple[str, str, str, str], ...] = (
    ("tmean_c", "mean dry bulb", "°C", "K"),
    ("tmax_c", "mean daily max", "°C", "K"),
    ("tmin_c", "mean daily min", "°C", "K"),
    ("rh_pct", "mean RH", "%", "points"),
    ("dewpoint_c", "mean dew point", "°C", "K"),
    ("ghi_kwh_m2", "GHI", "kWh/m²", "kWh/m²"),
)

#: Annual quantities: key, label, unit (the difference has the same unit; K for °C-based ones).
ANNUAL_QUANTITIES: tuple[tuple[str, str, str], ...] = (
    ("hdd18_kd", "HDD18", "K·d"),
    ("cdd26_kd", "CDD26", "K·d"),
    ("wdh20_kkh", "WDH20", "kK·h"),
    ("ddh28_kkh", "DDH28", "kK·h"),
    ("cooling_limit_kwh_m2a", "GB/T 51350 cooling limit", "kWh/(m²·a)"),
    ("ghi_kwh_m2", "annual GHI", "kWh/m²"),
    ("summer_daily_sd_k", "SD daily mean T, Jun-Aug", "K"),
    ("winter_daily_sd_k", "SD daily mean T, Dec-Feb", "K"),
    ("mean_daily_range_k", "mean daily range", "K"),
)


@dataclass(frozen=True)
class DailyVariability:
    """Day-to-day variability of the dry bulb (all in K).

    ``summer_daily_sd_k`` / ``winter_daily_sd_k``: the standard deviation of the daily mean dry
    bulb about its own month's mean, pooled over June–August / December–February (root mean
    square of ``t_d − mean_month(t_d)``, population form); ``mean_daily_range_k``: the mean
    over all days of the year of (daily maximum − daily minimum).
    """

    summer_daily_sd_k: float
    winter_daily_sd_k: float
    mean_daily_range_k: float


@dataclass(frozen=True)
class WeatherStatistics:
    """What one file contributes to a comparison: its :class:`ClimateIndices`, the monthly mean
    dew point (°C, mean of hourly dew points, January..December), its day-to-day variability and
    the GB/T 51350 ultra-low residential cooling-demand limit (kWh/(m²·a); ``None`` when no
    indicator row covers the file's climate zone)."""

    indices: ClimateIndices
    monthly_mean_dew_point_c: tuple[float, ...]
    variability: DailyVariability
    cooling_limit_kwh_m2a: float | None

    def monthly(self, key: str) -> tuple[float, ...]:
        """Monthly values of a :data:`MONTHLY_QUANTITIES` key."""
        ci = self.indices
        return {
            "tmean_c": ci.monthly_mean_dry_bulb_c, "tmax_c": ci.monthly_mean_daily_max_c,
            "tmin_c": ci.monthly_mean_daily_min_c, "rh_pct": ci.monthly_mean_rh_pct,
            "dewpoint_c": self.monthly_mean_dew_point_c, "ghi_kwh_m2": ci.monthly_ghi_kwh_m2,
        }[key]

    def annual(self, key: str) -> float | None:
        """Annual value of an :data:`ANNUAL_QUANTITIES` key."""
        ci, v = self.indices, self.variability
        return {
            "hdd18_kd": ci.hdd18_kd, "cdd26_kd": ci.cdd26_kd, "wdh20_kkh": ci.wdh20_kkh,
            "ddh28_kkh": ci.ddh28_kkh, "cooling_limit_kwh_m2a": self.cooling_limit_kwh_m2a,
            "ghi_kwh_m2": ci.annual_ghi_kwh_m2, "summer_daily_sd_k": v.summer_daily_sd_k,
            "winter_daily_sd_k": v.winter_daily_sd_k, "mean_daily_range_k": v.mean_daily_range_k,
        }[key]


@dataclass(frozen=True)
class Compared:
    """One quantity of A and B and ``diff`` = B − A (monthly: tuples January..December)."""

    key: str
    label: str
    unit: str
    diff_unit: str
    a: tuple[float, ...] | float | None
    b: tuple[float, ...] | float | None
    diff: tuple[float, ...] | float | None


@dataclass(frozen=True)
class WeatherComparison:
    """Result of :func:`compare_weather`. ``ghi_diff_pct`` = 100·(B − A)/A of the annual GHI;
    ``cooling_limit_formula`` the standards-data formula the limits were computed with."""

    a_name: str
    b_name: str
    monthly: tuple[Compared, ...]
    annual: tuple[Compared, ...]
    ghi_diff_pct: float | None
    cooling_limit_formula: str
    cooling_limit_clause: str
    a_stats: WeatherStatistics
    b_stats: WeatherStatistics

    def monthly_of(self, key: str) -> Compared:
        return next(c for c in self.monthly if c.key == key)

    def annual_of(self, key: str) -> Compared:
        return next(c for c in self.annual if c.key == key)


# --------------------------------------------------------------------------------------------


def daily_variability(source: Epw | pd.DataFrame | str | os.PathLike) -> DailyVariability:
    """:class:`DailyVariability` (K) of an EPW path, an :class:`Epw` or any frame with ``month``,
    ``day`` and ``dry_bulb_c`` columns (hourly records; EPW missing codes are skipped)."""
    frame = weather_frame(source)
    need = {"month", "day", "dry_bulb_c"}
    if not need <= set(frame.columns):
        raise InputError(f"weather data lacks columns {sorted(need - set(frame.columns))}")
    per_hour = pd.DataFrame({"month": frame["month"].to_numpy(dtype=int),
                             "day": frame["day"].to_numpy(dtype=int),
                             "tdb": clean_values(frame, "dry_bulb_c")})
    daily = per_hour.groupby(["month", "day"])["tdb"].agg(["mean", "max", "min"]).reset_index()
    daily["anomaly"] = daily["mean"] - daily.groupby("month")["mean"].transform("mean")

    def pooled_sd(months: tuple[int, ...]) -> float:
        x = daily.loc[daily["month"].isin(months), "anomaly"].dropna().to_numpy()
        return float(np.sqrt(np.mean(x**2))) if len(x) else math.nan

    rng = (daily["max"] - daily["min"]).dropna()
    return DailyVariability(
        summer_daily_sd_k=round(pooled_sd(SUMMER_MONTHS), 4),
        winter_daily_sd_k=round(pooled_sd(WINTER_MONTHS), 4),
        mean_daily_range_k=round(float(rng.mean()) if len(rng) else math.nan, 4),
    )


def monthly_mean_dew_point_c(source: Epw | pd.DataFrame | str | os.PathLike) -> tuple[float, ...]:
    """Monthly mean of the hourly dew points (°C, January..December); hours whose dew point is
    missing take it from dry bulb and RH when both are there (as :func:`climate_indices` does)."""
    frame = weather_frame(source)
    tdp = clean_values(frame, "dew_point_c")
    if "relative_humidity_pct" in frame and "dry_bulb_c" in frame:
        tdb, rh = clean_values(frame, "dry_bulb_c"), clean_values(frame, "relative_humidity_pct")
        fill = np.isnan(tdp) & ~np.isnan(tdb) & ~np.isnan(rh)
        if fill.any():
            tdp[fill] = psychrometrics.dew_point_from_rh_c(tdb[fill], rh[fill])
    means = pd.Series(tdp).groupby(frame["month"].to_numpy(dtype=int)).mean()
    return tuple(round(float(means.get(m, np.nan)), 4) for m in range(1, 13))


def cooling_limit_row(climate_zone: str):
    """The GB/T 51350-2019 indicator row of :data:`COOLING_INDICATOR` covering ``climate_zone``
    (an :class:`~ultralow.templates.standards.loader.IndicatorRow`), or ``None``."""
    from ultralow.templates.standards.loader import load_standard

    name, target, use = COOLING_INDICATOR
    rows = [r for r in load_standard("gbt51350_2019").indicators
            if r.name == name and r.target == target and r.use == use and climate_zone in r.zones]
    if len(rows) > 1:
        raise RuntimeError(f"gbt51350_2019.toml has {len(rows)} {target} {use} {name} rows for "
                           f"zone {climate_zone}")
    return rows[0] if rows else None


def weather_statistics(source: Epw | str | os.PathLike) -> WeatherStatistics:
    """:class:`WeatherStatistics` of an EPW path or :class:`Epw` (InputError naming a missing or
    malformed file)."""
    epw = source if isinstance(source, Epw) else read_epw(source)
    ci = climate_indices(epw)
    row = cooling_limit_row(ci.climate_zone)
    limit = None if row is None else round(row.limit(ci.wdh20_kkh, ci.ddh28_kkh), 4)
    return WeatherStatistics(ci, monthly_mean_dew_point_c(epw), daily_variability(epw), limit)


def _sub(b: float | None, a: float | None) -> float | None:
    if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)):
        return None
    return round(b - a, 4)


def _name(source: Epw | str | os.PathLike) -> str:
    if isinstance(source, Epw):
        return str(source.path) if source.path is not None else source.location.city
    return str(Path(source))


def compare_weather(a: Epw | str | os.PathLike, b: Epw | str | os.PathLike) -> WeatherComparison:
    """Compare weather file ``b`` with ``a`` (EPW paths or :class:`Epw`); differences are B − A.

    Monthly: mean dry bulb, mean daily max/min (°C), mean RH (%), mean dew point (°C), GHI
    (kWh/m²). Annual: HDD18/CDD26 (K·d), WDH20/DDH28 (kK·h), GB/T 51350 ultra-low residential
    cooling limit (kWh/(m²·a)), annual GHI (kWh/m²) and its difference in % of A, and the
    day-to-day variability (K, :func:`daily_variability`). A missing or malformed file raises
    :class:`InputError` naming it.
    """
    sa, sb = weather_statistics(a), weather_statistics(b)
    monthly = tuple(
        Compared(key, label, unit, dunit, sa.monthly(key), sb.monthly(key),
                 tuple(_sub(y, x) for x, y in zip(sa.monthly(key), sb.monthly(key), strict=True)))
        for key, label, unit, dunit in MONTHLY_QUANTITIES)
    annual = tuple(
        Compared(key, label, unit, unit, sa.annual(key), sb.annual(key),
                 _sub(sb.annual(key), sa.annual(key)))
        for key, label, unit in ANNUAL_QUANTITIES)
    ga, gb = sa.indices.annual_ghi_kwh_m2, sb.indices.annual_ghi_kwh_m2
    pct = round(100.0 * (gb - ga) / ga, 3) if math.isfinite(ga) and math.isfinite(gb) and ga > 0 else None
    row = cooling_limit_row(sa.indices.climate_zone) or cooling_limit_row(sb.indices.climate_zone)
    formula = row.formula_text() + " (WDH20, DDH28 in kK·h)" if row is not None else "n/a"
    clause = row.clause if row is not None else ""
    return WeatherComparison(_name(a), _name(b), monthly, annual, pct, formula, clause, sa, sb)


# --------------------------------------------------------------------------------------------


def _fmt(value: float | None, decimals: int, width: int = 7, sign: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return f"{'-':>{width}s}"
    return f"{value:{'+' if sign else ''}{width}.{decimals}f}"


_DECIMALS = {"tmean_c": 1, "tmax_c": 1, "tmin_c": 1, "rh_pct": 0, "dewpoint_c": 1,
             "ghi_kwh_m2": 0, "hdd18_kd": 0, "cdd26_kd": 0, "wdh20_kkh": 2, "ddh28_kkh": 2,
             "cooling_limit_kwh_m2a": 2, "summer_daily_sd_k": 2, "winter_daily_sd_k": 2,
             "mean_daily_range_k": 2}


def format_comparison(c: WeatherComparison) -> str:
    """Plain-text tables of a :class:`WeatherComparison` (units in the row headers)."""
    lines = [f"A: {c.a_name}", f"B: {c.b_name}", "differences are B - A", "",
             f"{'monthly':24s}    " + " ".join(f"{m:>7s}" for m in MONTHS)]
    for q in c.monthly:
        d = _DECIMALS[q.key]
        head = f"{q.label} {q.unit}"
        lines.append(f"{head:24s} A  " + " ".join(_fmt(v, d) for v in q.a))
        lines.append(f"{'':24s} B  " + " ".join(_fmt(v, d) for v in q.b))
        lines.append(f"{'B-A ' + q.diff_unit:>24s}    " + " ".join(_fmt(v, d, sign=True) for v in q.diff))
    lines += ["", f"{'annual':38s} {'A':>9s} {'B':>9s} {'B-A':>9s}"]
    for q in c.annual:
        d = _DECIMALS[q.key]
        head = f"{q.label} {q.unit}"
        extra = ""
        if q.key == "ghi_kwh_m2" and c.ghi_diff_pct is not None:
            extra = f"  ({c.ghi_diff_pct:+.1f} % of A)"
        lines.append(f"{head:38s} {_fmt(q.a, d, 9)} {_fmt(q.b, d, 9)} {_fmt(q.diff, d, 9, True)}{extra}")
    lines += ["", f"cooling limit = {c.cooling_limit_formula}; {c.cooling_limit_clause} "
                  "(ultra-low, residential; gbt51350_2019.toml)",
              "dew point: monthly mean of hourly dew points; SD daily mean T: about each month's "
              "mean, pooled over the season"]
    return "\n".join(lines)


def _json_value(value):
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def comparison_dict(c: WeatherComparison) -> dict:
    """JSON-ready dict of a :class:`WeatherComparison` (NaN as ``None``; keys carry units)."""
    def entry(q: Compared) -> dict:
        return {"label": q.label, "unit": q.unit, "diff_unit": q.diff_unit, "a": _json_value(q.a),
                "b": _json_value(q.b), "b_minus_a": _json_value(q.diff)}

    return {
        "a": c.a_name,
        "b": c.b_name,
        "monthly": {q.key: entry(q) for q in c.monthly},
        "annual": {q.key: entry(q) for q in c.annual},
        "annual_ghi_diff_pct": _json_value(c.ghi_diff_pct),
        "cooling_limit": {"indicator": "/".join(COOLING_INDICATOR), "formula": c.cooling_limit_formula,
                          "clause": c.cooling_limit_clause, "unit": "kWh/(m2 a)"},
        "climate_zone": {"a": c.a_stats.indices.climate_zone, "b": c.b_stats.indices.climate_zone},
    }
