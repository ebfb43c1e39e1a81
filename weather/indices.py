"""Climate indices of hourly weather data.

* **HDD18 / CDD26** (K·d): sums over the days of the year of ``max(0, 18 − t_d)`` and
  ``max(0, t_d − 26)``, ``t_d`` the daily mean dry-bulb temperature, as used for zoning by
  GB 50176-2016 §4.1 (HDD18 采暖度日数, CDD26 空调度日数). ``t_d`` here is the mean of all
  records of the day (24 hourly values); the standard's station statistics use the mean of the
  four synoptic observations (02, 08, 14, 20 h), which can differ by a few tenths of a kelvin.
* **WDH20 / DDH28** (kK·h): the degree-hours in the cooling-demand limit of GB/T 51350-2019:
  WDH20 is the annual sum of ``max(0, t_wb − 20 °C)`` over hours (wet bulb, 湿球温度20℃以上的
  累计度小时数), DDH28 the annual sum of ``max(0, t_db − 28 °C)`` (dry bulb), both in
  thousands of K·h.
* Monthly means of dry bulb, daily maximum/minimum, relative humidity and monthly global
  horizontal radiation; 0.4 %/99.6 % hourly dry-bulb percentiles (design-temperature style).

EPW missing codes (99.9 °C, 999 %, 9999 Wh/m²) are treated as missing: daily means use the
remaining records; degree-hours skip missing hours.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from ultralow.errors import InputError
from ultralow.weather import psychrometrics
from ultralow.weather.epw import MISSING, Epw, read_epw
from ultralow.weather.zones import classify_zone, primary_zone


@dataclass(frozen=True)
class ClimateIndices:
    """Indices of one weather record set. Monthly tuples are January..December."""

    hdd18_kd: float
    cdd26_kd: float
    wdh20_kkh: float
    ddh28_kkh: float
    annual_mean_dry_bulb_c: float
    monthly_mean_dry_bulb_c: tuple[float, ...]
    monthly_mean_daily_max_c: tuple[float, ...]
    monthly_mean_daily_min_c: tuple[float, ...]
    monthly_mean_rh_pct: tuple[float, ...]
    monthly_ghi_kwh_m2: tuple[float, ...]
    annual_ghi_kwh_m2: float
    dry_bulb_p004_c: float
    dry_bulb_p996_c: float
    n_records: int
    climate_zone: str
    primary_zone: str

    def to_dict(self) -> dict:
        return asdict(self)


def clean_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Column ``name`` as floats with the EPW missing code replaced by NaN."""
    values = frame[name].to_numpy(dtype=float).copy()
    if name in MISSING:
        values[values == MISSING[name]] = np.nan
    return values


def weather_frame(source: Epw | pd.DataFrame | str | os.PathLike) -> pd.DataFrame:
    """The hourly data frame of an EPW path, an :class:`Epw` or a frame (returned as is)."""
    if isinstance(source, Epw):
        return source.data
    if isinstance(source, pd.DataFrame):
        return source
    return read_epw(source).data


def climate_indices(source: Epw | pd.DataFrame | str | os.PathLike,
                    elevation_m: float | None = None) -> ClimateIndices:
    """Compute :class:`ClimateIndices` from an EPW path, an :class:`Epw` or its data frame.

    ``elevation_m`` sets the standard pressure used for hours whose pressure is missing (default
    the EPW's elevation, or sea level for a bare frame).
    """
    frame = weather_frame(source)
    need = {"month", "day", "hour", "dry_bulb_c", "dew_point_c", "relative_humidity_pct"}
    if not need <= set(frame.columns):
        raise InputError(f"weather data lacks columns {sorted(need - set(frame.columns))}")
    if elevation_m is None:
        elevation_m = source.location.elevation_m if isinstance(source, Epw) else 0.0
    n = len(frame)
    tdb = clean_values(frame, "dry_bulb_c")
    if np.isnan(tdb).all():
        raise InputError("weather data has no valid dry-bulb temperature")
    tdp = clean_values(frame, "dew_point_c")
    rh = clean_values(frame, "relative_humidity_pct")
    has_p = "atmospheric_pressure_pa" in frame
    p = clean_values(frame, "atmospheric_pressure_pa") if has_p else np.full(n, np.nan)
    p = np.where(np.isnan(p), psychrometrics.standard_pressure_pa(elevation_m), p)
    # dew point from RH where the dew point is missing
    tdp = np.where(np.isnan(tdp) & ~np.isnan(rh),
                   psychrometrics.dew_point_from_rh_c(np.nan_to_num(tdb), np.nan_to_num(rh)),
                   tdp)
    month = frame["month"].to_numpy(dtype=int)
    day = frame["day"].to_numpy(dtype=int)
    per_day = pd.DataFrame({"month": month, "day": day, "tdb": tdb})
    daily = per_day.groupby(["month", "day"], sort=False)["tdb"].agg(["mean", "max", "min",
                                                                      "size"])
    records_per_hour = max(1, round(float(daily["size"].median()) / 24.0))
    hours_per_record = 1.0 / records_per_hour
    t_day = daily["mean"].to_numpy()
    hdd = float(np.nansum(np.maximum(0.0, 18.0 - t_day)))
    cdd = float(np.nansum(np.maximum(0.0, t_day - 26.0)))

    valid_wb = ~np.isnan(tdb) & ~np.isnan(tdp)
    twb = np.full(n, np.nan)
    hot = valid_wb & (tdb > 20.0)  # wet bulb ≤ dry bulb, so only these can exceed 20 °C
    if hot.any():
        twb[hot] = psychrometrics.wet_bulb_c(tdb[hot], tdp[hot], p[hot])
    wdh = float(np.nansum(np.maximum(0.0, twb - 20.0))) * hours_per_record / 1000.0
    ddh = float(np.nansum(np.maximum(0.0, tdb - 28.0))) * hours_per_record / 1000.0

    months = pd.Series(month)
    monthly_tdb = pd.Series(tdb).groupby(months).mean()
    d_month = daily.index.get_level_values("month")
    monthly_max = pd.Series(daily["max"].to_numpy()).groupby(d_month).mean()
    monthly_min = pd.Series(daily["min"].to_numpy()).groupby(d_month).mean()
    monthly_rh = pd.Series(rh).groupby(months).mean()
    if "ghi_wh_m2" in frame:
        ghi = clean_values(frame, "ghi_wh_m2")
        monthly_ghi = pd.Series(ghi * hours_per_record).groupby(months).sum() / 1000.0
    else:
        monthly_ghi = pd.Series(np.nan, index=monthly_tdb.index)

    def twelve(series: pd.Series) -> tuple[float, ...]:
        return tuple(round(float(series.get(m, np.nan)), 4) for m in range(1, 13))

    zone = classify_zone(hdd, cdd)
    return ClimateIndices(
        hdd18_kd=round(hdd, 3),
        cdd26_kd=round(cdd, 3),
        wdh20_kkh=round(wdh, 4),
        ddh28_kkh=round(ddh, 4),
        annual_mean_dry_bulb_c=round(float(np.nanmean(tdb)), 4),
        monthly_mean_dry_bulb_c=twelve(monthly_tdb),
        monthly_mean_daily_max_c=twelve(monthly_max),
        monthly_mean_daily_min_c=twelve(monthly_min),
        monthly_mean_rh_pct=twelve(monthly_rh),
        monthly_ghi_kwh_m2=twelve(monthly_ghi),
        annual_ghi_kwh_m2=round(float(np.nansum(monthly_ghi.to_numpy())), 3),
        dry_bulb_p004_c=round(float(np.nanpercentile(tdb, 0.4)), 3),
        dry_bulb_p996_c=round(float(np.nanpercentile(tdb, 99.6)), 3),
        n_records=n,
        climate_zone=zone,
        primary_zone=primary_zone(zone),
    )
