"""Synthetic design-year weather for a registry city (method v2; nothing is downloaded).

Data (all cited in ``weather/data/SOURCES.md``): the 16 US TMY3 files shipped inside the
EnergyPlus package (the *base* donors), the measured typical years of five Chinese cities
(``weather/data/donors``, UCI hourly records 2010–2015), the registry's temperature normals and the
CBED station climatology (humidity and radiation). For a city the toolkit

1. **picks the donors** (:func:`donor_plan`): the base TMY3 file with the closest climate (monthly
   mean temperature, daily range and RH; weights in ``method.toml``) and, where
   ``method.toml [measured_donor]`` names one, a Chinese measured typical year that gives the
   hourly temperature, dew point and pressure sequence (a city's own record is kept unmorphed);
2. **re-times** each donor by whole hours so that its diurnal cycle keeps its *solar* time at the
   new site;
3. **morphs dry-bulb temperature** (Belcher, Hacker & Powell 2005, *Building Serv. Eng. Res.
   Technol.* 26(1):49–61) so that the day-to-day swings stay the donor's:
   ``T = A(d) + D + α(d)·h`` with ``D`` the donor day's mean minus its smoothed monthly mean (not
   stretched), ``h`` the hour's departure from its day's mean, ``α`` the ratio of target to donor
   mean daily range; anchors ``A`` iterated until every monthly mean equals the normal;
4. **humidity as dew point**: the donor's dew point shifted by a smooth monthly offset until each
   monthly mean RH equals the target (capped at the dry bulb); RH follows from dry bulb and dew
   point;
5. **radiation** (:mod:`ultralow.weather.radiation`): with a TMY3 sequence, the donor's hourly
   clearness index on the new site's sun; with a measured sequence (no radiation in the record),
   a daily transmittance from each day's temperature range (Bristow & Campbell 1984) and a sky
   cover consistent with it; either way scaled month by month to the station's global irradiation
   and the Erbs diffuse fraction scaled to the station's diffuse irradiation; direct normal from
   closure; horizontal infrared from dry bulb, dew point and sky cover (Clark & Allen, as
   EnergyPlus computes it);
6. **pressure**: the base file's scaled by the standard-atmosphere ratio of the elevations, or the
   measured record's departures around the standard pressure at the city's elevation; wind,
   precipitation and snow are the base file's (re-timed);
7. **relocates** the header: LOCATION (source ``ultralow-synthetic``), ground temperatures from the
   monthly means, no design conditions, and COMMENTS 1/2 naming donors, targets and method.

Limitations (also in SOURCES.md and the README's weather section): a morphed city's sequence is a
neighbour's; radiation of measured-donor files is modelled, so its hour-to-hour detail is not
measured; wind is a US station's; the typical years span six years only.

Results are cached under ``ultralow.paths.cache_dir() / "weather"`` keyed by a hash of the city
record, the donors' content, the targets, ``method.toml`` and :data:`METHOD_VERSION`; the output
is deterministic.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from ultralow.errors import InputError
from ultralow.paths import cache_dir
from ultralow.weather import psychrometrics, radiation, solar
from ultralow.weather.epw import Epw, GroundTemperatures, Location, read_epw, write_epw
from ultralow.weather.indices import climate_indices
from ultralow.weather.reference import measured_typical_year, measured_typical_year_sha256, station_climatology
from ultralow.weather.registry import CityRecord, get_city

#: Bump when the method changes in a way that changes the output (invalidates the cache).
METHOD_VERSION = "2"
SOURCE_TAG = "ultralow-synthetic"
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MID_MONTH_DAY = np.cumsum(_DAYS_IN_MONTH) - _DAYS_IN_MONTH / 2.0  # day-of-year - 0.5 units


@functools.cache
def method_config() -> dict:
    """Parameters of the method (``weather/data/method.toml``)."""
    return tomllib.loads(_method_text())


@functools.cache
def _method_text() -> str:
    return resources.files("ultralow.weather").joinpath("data", "method.toml").read_text("utf-8")


def donor_dir() -> Path:
    """Folder of the TMY3 files shipped with the EnergyPlus package."""
    import pyenergyplus

    return Path(pyenergyplus.__file__).resolve().parent / "data" / "weather"


def donor_files() -> list[Path]:
    """The candidate donor EPW files, sorted by name."""
    files = sorted(donor_dir().glob("*.epw"))
    if not files:
        raise InputError(f"no donor weather files found in {donor_dir()} (is pyenergyplus-lbnl "
                         "installed completely?)")
    return files


@dataclass(frozen=True)
class DonorStats:
    path: Path
    tmean_c: tuple[float, ...]
    range_k: tuple[float, ...]
    rh_pct: tuple[float, ...]


@functools.cache
def _donor_stats(path: Path) -> DonorStats:
    """Monthly statistics of a donor, cached on disk (keyed by name, size and mtime)."""
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{METHOD_VERSION}"
    store = cache_dir() / "weather" / "donor_stats.json"
    try:
        known = json.loads(store.read_text())
    except (OSError, ValueError):
        known = {}
    if key in known:
        v = known[key]
        return DonorStats(path, tuple(v["t"]), tuple(v["r"]), tuple(v["h"]))
    ci = climate_indices(path)
    rng = tuple(a - b for a, b in zip(ci.monthly_mean_daily_max_c, ci.monthly_mean_daily_min_c,
                                      strict=True))
    known[key] = {"t": ci.monthly_mean_dry_bulb_c, "r": rng, "h": ci.monthly_mean_rh_pct}
    store.parent.mkdir(parents=True, exist_ok=True)
    tmp = store.with_name(f".{store.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(known, sort_keys=True))
    os.replace(tmp, store)
    return DonorStats(path, ci.monthly_mean_dry_bulb_c, rng, ci.monthly_mean_rh_pct)


def donor_distance(city: CityRecord, stats: DonorStats) -> float:
    """Climate distance between a city's normals and a donor (see ``method.toml``)."""
    cfg = method_config()["donor"]
    t = np.array(city.tmean_c) - np.array(stats.tmean_c)
    r = (np.array(city.tmax_c) - np.array(city.tmin_c)) - np.array(stats.range_k)
    h = (np.array(city.rh_pct) - np.array(stats.rh_pct)) / 10.0
    return float(np.sqrt((t**2).sum() + cfg["w_range"] * (r**2).sum()
                         + cfg["w_rh"] * (h**2).sum()))


def rank_donors(city: CityRecord) -> list[tuple[float, Path]]:
    """All donors with their distance to ``city``, closest first (ties broken by name)."""
    return sorted((donor_distance(city, _donor_stats(p)), p) for p in donor_files())


def select_donor(city: CityRecord) -> Path:
    """The donor with the closest climate."""
    return rank_donors(city)[0][1]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _day_index(month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """0-based day of a 365-day year (29 February shares 28 February's index)."""
    return np.minimum(solar.day_of_year(month, day) - 1, 364)


def _interp_daily(anchors: np.ndarray) -> np.ndarray:
    """Periodic linear interpolation of 12 mid-month values to 365 daily values."""
    x = np.concatenate([_MID_MONTH_DAY - 365.0, _MID_MONTH_DAY, _MID_MONTH_DAY + 365.0])
    y = np.concatenate([anchors, anchors, anchors])
    return np.interp(np.arange(365) + 0.5, x, y)


def _monthly_mean(values: np.ndarray, month: np.ndarray) -> np.ndarray:
    return np.array([values[month == m].mean() for m in range(1, 13)])


def _ground_temperatures(monthly_air_c: np.ndarray, depths_m: list[float],
                         diffusivity_m2_day: float) -> list[GroundTemperatures]:
    """Monthly undisturbed ground temperatures from monthly air temperatures with the
    Kusuda & Achenbach (1965) periodic conduction solution (annual harmonic of the monthly
    means, surface temperature = air temperature), as the EnergyPlus Weather Converter does."""
    mean = float(monthly_air_c.mean())
    days = _MID_MONTH_DAY
    w = 2.0 * np.pi / 365.0
    c = float((monthly_air_c * np.cos(w * days)).sum() * 2 / 12)
    s = float((monthly_air_c * np.sin(w * days)).sum() * 2 / 12)
    amp = float(np.hypot(c, s))
    phase = float(np.arctan2(s, c))
    out = []
    for z in depths_m:
        damp = z * np.sqrt(np.pi / (365.0 * diffusivity_m2_day))
        temps = mean + amp * np.exp(-damp) * np.cos(w * days - phase - damp)
        out.append(GroundTemperatures(float(z), [round(float(t), 2) for t in temps]))
    return out


def _round_half_away(values: np.ndarray, decimals: int) -> np.ndarray:
    scale = 10.0**decimals
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5) / scale


# --------------------------------------------------------------------------------------------
# The morph
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MorphReport:
    """What the morph achieved, month by month (targets vs result, written file values)."""

    city: str
    donor: str
    shift_h: int
    target_tmean_c: tuple[float, ...]
    result_tmean_c: tuple[float, ...]
    target_range_k: tuple[float, ...]
    result_range_k: tuple[float, ...]
    target_rh_pct: tuple[float, ...]
    result_rh_pct: tuple[float, ...]
    target_ghi_kwh_m2: tuple[float, ...]
    result_ghi_kwh_m2: tuple[float, ...]
    targets_source: str = ""

    @property
    def max_tmean_error_k(self) -> float:
        return max(abs(a - b) for a, b in zip(self.target_tmean_c, self.result_tmean_c,
                                              strict=True))


@dataclass(frozen=True)
class MorphTargets:
    """Monthly targets of the morph (tuples January..December): mean daily mean/max/min dry
    bulb (°C), mean RH (%), global and diffuse horizontal irradiation (kWh/m²; diffuse None when
    the source has none); ``source`` names where they come from."""

    tmean_c: tuple[float, ...]
    tmax_c: tuple[float, ...]
    tmin_c: tuple[float, ...]
    rh_pct: tuple[float, ...]
    ghi_kwh_m2: tuple[float, ...]
    dhi_kwh_m2: tuple[float, ...] | None
    source: str


def morph_targets(city: CityRecord) -> MorphTargets:
    """The morph's monthly targets. Temperatures: the registry normals (CMA 1981–2010 via
    Wikipedia; ``normals.csv``). Humidity and radiation: the city's CBED station climatology
    (``station_climatology.csv``) where the file has the city, else the registry's RH normals and
    Ångström–Prescott radiation from sunshine hours.

    Why the mix (``benchmarks/weather_validation.py`` prints the evidence): against the measured
    hourly records 2010–2015 the CBED summer temperatures run 0.5–1.5 K low (an older averaging
    period, not stated), while the registry's RH normals run 2–6 points high and CBED's agree
    within about 2 points; CBED is the only station radiation source.
    """
    st = station_climatology(city.key)
    if st is not None:
        flag = f", {st.station_flag}" if st.station_flag else ""
        return MorphTargets(city.tmean_c, city.tmax_c, city.tmin_c, st.rh_pct, st.ghi_kwh_m2, st.dhi_kwh_m2,
                            f"temperature: {city.normals_source} normals {city.normals_period}; humidity and "
                            f"radiation: CBED station climatology {st.station_id} {st.station_name_zh}{flag}")
    ap = method_config()["angstrom_prescott"]
    ghi = solar.monthly_global_from_sunshine_kwh_m2(city.latitude_deg, city.sunshine_h, ap["a"], ap["b"])
    return MorphTargets(city.tmean_c, city.tmax_c, city.tmin_c, city.rh_pct,
                        tuple(round(float(v), 3) for v in ghi), None,
                        f"{city.normals_source} normals {city.normals_period}; GHI Angstrom-Prescott "
                        f"a={ap['a']} b={ap['b']} from sunshine hours")


@dataclass(frozen=True)
class MeasuredSite:
    name: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float


@dataclass(frozen=True)
class DonorPlan:
    """Where a city's synthetic year comes from: ``base`` (an engine TMY3 file: wind, cloud,
    precipitation, and, without a measured donor, the temperature, humidity and radiation
    sequence) and ``measured`` (a measured typical year giving temperature, dew point and
    pressure; None: none). ``own_record``: the measured year is the city's own (not morphed)."""

    base: Path
    measured: str | None
    own_record: bool


def measured_site(name: str) -> MeasuredSite:
    """Site of a measured record: the registry city of that name, else ``[measured_sites]``."""
    sites = method_config().get("measured_sites", {})
    if name in sites:
        s = sites[name]
        return MeasuredSite(name, float(s["latitude_deg"]), float(s["longitude_deg"]), float(s["elevation_m"]))
    rec = get_city(name)
    return MeasuredSite(name, rec.latitude_deg, rec.longitude_deg, rec.elevation_m)


def donor_plan(city: CityRecord, donor: str | os.PathLike | None = None) -> DonorPlan:
    """The city's donors (``[measured_donor]`` of ``method.toml``); an explicit ``donor`` EPW
    makes that file the only donor (temperature, humidity and radiation)."""
    if donor is not None:
        return DonorPlan(Path(donor), None, False)
    measured = method_config().get("measured_donor", {}).get(city.key)
    return DonorPlan(select_donor(city), measured, measured == city.key)


def _morph_dry_bulb(t0: np.ndarray, month: np.ndarray, d_idx: np.ndarray, targets: MorphTargets) -> np.ndarray:
    """Shift and stretch (Belcher, Hacker & Powell 2005) that keeps day-to-day variability:
    ``T = A(d) + D + α(d)·h`` with ``D`` the donor day's mean minus its smoothed monthly mean
    (not stretched) and ``h`` the hour's departure from its day's mean (stretched by the ratio
    ``α`` of target to donor mean daily range); the anchors ``A`` are iterated until every
    monthly mean equals the target."""
    cfg = method_config()["temperature"]
    frame = pd.DataFrame({"m": month, "d": d_idx, "t": t0})
    daily = frame.groupby("d").agg(m=("m", "first"), tmax=("t", "max"), tmin=("t", "min"), tmean=("t", "mean"))
    donor_range = daily.groupby("m")[["tmax", "tmin"]].mean()
    donor_range_k = (donor_range["tmax"] - donor_range["tmin"]).to_numpy()
    target_mean = np.array(targets.tmean_c)
    target_range = np.array(targets.tmax_c) - np.array(targets.tmin_c)
    alpha = np.clip(target_range / donor_range_k, 1.0 / cfg["max_stretch"], cfg["max_stretch"])
    day_mean = daily["tmean"].reindex(range(365)).to_numpy()[d_idx]
    m0_daily = _interp_daily(_monthly_mean(t0, month))[d_idx]
    anomaly = day_mean - m0_daily
    diurnal = t0 - day_mean
    alpha_daily = _interp_daily(alpha)[d_idx]
    anchors = target_mean.copy()
    for _ in range(int(cfg["smoothing_iterations"])):
        t_new = _interp_daily(anchors)[d_idx] + anomaly + alpha_daily * diurnal
        anchors = anchors + (target_mean - _monthly_mean(t_new, month))
    t_new = _interp_daily(anchors)[d_idx] + anomaly + alpha_daily * diurnal
    t_new = t_new + (target_mean - _monthly_mean(t_new, month))[month - 1]
    return _round_half_away(t_new, 1)


def _morph_dew_point(td0: np.ndarray, t_new: np.ndarray, month: np.ndarray, d_idx: np.ndarray,
                     target_rh_pct: tuple[float, ...]) -> np.ndarray:
    """Humidity morphed as dew point: ``Td = min(Td0 + s(d), T)`` with the shift ``s``
    interpolated day by day between monthly anchors, iterated until every monthly mean RH equals
    the target (the donor's absolute-humidity sequence is kept, shifted)."""
    cfg = method_config()["humidity"]
    target = np.array(target_rh_pct, dtype=float)
    anchors = np.zeros(12)

    def dew(a: np.ndarray) -> np.ndarray:
        return np.minimum(td0 + _interp_daily(a)[d_idx], t_new)

    for _ in range(4 * int(cfg["iterations"])):
        rh = psychrometrics.relative_humidity_pct(t_new, dew(anchors))
        got = _monthly_mean(rh, month)
        # dRH/dTd ≈ RH·ln(10)·7.5·237.3/(237.3+Td)² ≈ 6 %/K of RH near 20 °C: a damped Newton step
        anchors = anchors + (target - got) / np.maximum(0.06 * got, 0.5)
    return _round_half_away(dew(anchors), 1)


def _measured_sequence(name: str, month: np.ndarray, day: np.ndarray, hour: np.ndarray,
                       city: CityRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Dry bulb, dew point and pressure of a measured typical year, re-timed by whole hours to
    the city's solar time; returns them with the shift (h)."""
    ty = measured_typical_year(name)
    same = (ty["month"].to_numpy() == month).all() and (ty["day"].to_numpy() == day).all() \
        and (ty["hour"].to_numpy() == hour).all()
    if not same:
        raise RuntimeError(f"donors/{name}_typical.csv is not in EPW hour order")
    site = measured_site(name)
    shift = int(round((city.time_zone_h - city.longitude_deg / 15.0) - (8.0 - site.longitude_deg / 15.0)))
    t0 = np.roll(ty["dry_bulb_c"].to_numpy(dtype=float), shift)
    td0 = np.roll(ty["dew_point_c"].to_numpy(dtype=float), shift)
    p0 = np.roll(ty["pressure_pa"].to_numpy(dtype=float), shift)
    return t0, np.minimum(td0, t0), p0, shift


def synthesise(city: CityRecord | str, donor: str | os.PathLike | None = None) -> Epw:
    """Build the synthetic design-year :class:`Epw` for ``city`` (no caching, no file).

    ``donor`` overrides the automatic donor choice (a path to any hourly, 8760-record EPW, used
    for every quantity).
    """
    if isinstance(city, str):
        city = get_city(city)
    cfg = method_config()
    plan = donor_plan(city, donor)
    targets = morph_targets(city)
    donor_path = plan.base
    src = read_epw(donor_path)
    if len(src.data) != 8760 or src.header.records_per_hour != 1:
        raise InputError(f"donor weather file {donor_path} must hold 8760 hourly records")
    out = src.copy()
    data = out.data
    month = data["month"].to_numpy(dtype=int)
    day = data["day"].to_numpy(dtype=int)
    hour = data["hour"].to_numpy(dtype=int)
    dloc = src.location
    d_idx = _day_index(month, day)

    # 2. re-time the base file so the diurnal cycle keeps its solar time at the new site
    shift_h = int(round((city.time_zone_h - city.longitude_deg / 15.0)
                        - (dloc.time_zone_h - dloc.longitude_deg / 15.0)))

    def rolled(values: np.ndarray) -> np.ndarray:
        return np.roll(values, shift_h)

    met_cols = [c for c in data.columns if c not in ("year", "month", "day", "hour", "minute")]
    donor_cols = {c: data[c].to_numpy().copy() for c in met_cols}
    for c in met_cols:
        data[c] = rolled(donor_cols[c])

    # 3./4. dry bulb and dew point: the measured donor's or the base file's, morphed
    if plan.measured is not None:
        t0, td0, p0, seq_shift = _measured_sequence(plan.measured, month, day, hour, city)
    else:
        t0 = data["dry_bulb_c"].to_numpy(dtype=float)
        td0 = data["dew_point_c"].to_numpy(dtype=float)
        p0 = data["atmospheric_pressure_pa"].to_numpy(dtype=float)
        if (t0 == 99.9).any() or (td0 == 99.9).any():
            raise InputError(f"donor weather file {donor_path} has missing dry-bulb or dew-point values")
        seq_shift = shift_h
    if plan.own_record:
        t_new, dew = _round_half_away(t0, 1), _round_half_away(np.minimum(td0, t0), 1)
    else:
        t_new = _morph_dry_bulb(t0, month, d_idx, targets)
        dew = _morph_dew_point(td0, t_new, month, d_idx, targets.rh_pct)
    dew = np.minimum(dew, t_new)
    rh_new = np.clip(np.round(psychrometrics.relative_humidity_pct(t_new, dew)),
                     cfg["humidity"]["rh_min_pct"], cfg["humidity"]["rh_max_pct"])

    # 6. pressure: the base file's scaled by the standard-atmosphere ratio of the elevations; a
    # measured record's departures from its own mean around the standard pressure at the city (its
    # pressure may be reduced to sea level, e.g. Chengdu's in the UCI records)
    if plan.measured is not None:
        p_new = np.round(p0 - p0.mean() + float(psychrometrics.standard_pressure_pa(city.elevation_m)))
    else:
        ratio = (psychrometrics.standard_pressure_pa(city.elevation_m)
                 / psychrometrics.standard_pressure_pa(dloc.elevation_m))
        p_new = np.where(p0 == 999999.0, p0, np.round(p0 * ratio))

    # 5. radiation
    rcfg = cfg["radiation"]
    sub = int(rcfg["substeps_per_hour"])
    max_kt = float(rcfg["max_clearness_index"])
    etr_n = solar.hourly_extraterrestrial(city.latitude_deg, city.longitude_deg,
                                          city.time_zone_h, month, day, hour, sub)
    etr_h = etr_n["horizontal_wh_m2"]
    ghi0 = np.where(donor_cols["ghi_wh_m2"].astype(float) >= 9999.0, 0.0, donor_cols["ghi_wh_m2"].astype(float))
    dhi0 = np.where(donor_cols["dhi_wh_m2"].astype(float) >= 9999.0, 0.0, donor_cols["dhi_wh_m2"].astype(float))
    dni0 = np.where(donor_cols["dni_wh_m2"].astype(float) >= 9999.0, 0.0, donor_cols["dni_wh_m2"].astype(float))
    if plan.measured is not None:
        # daily transmittance from the day's temperature range (Bristow & Campbell 1984)
        frame = pd.DataFrame({"m": month, "d": d_idx, "t": t_new})
        daily = frame.groupby("d").agg(m=("m", "first"), tmax=("t", "max"), tmin=("t", "min"))
        rng = (daily["tmax"] - daily["tmin"]).to_numpy()
        mean_rng = daily.assign(r=rng).groupby("m")["r"].transform("mean").to_numpy()
        tau_day = radiation.bristow_campbell_transmittance(rng, mean_rng)
        kt = tau_day[d_idx]
        fd_ratio = np.ones(len(kt))
    else:
        etr_d = solar.hourly_extraterrestrial(dloc.latitude_deg, dloc.longitude_deg,
                                              dloc.time_zone_h, month, day, hour, sub)
        with np.errstate(divide="ignore", invalid="ignore"):
            kt0 = np.where(etr_d["horizontal_wh_m2"] > 1.0, ghi0 / etr_d["horizontal_wh_m2"], np.nan)
            fd0 = np.where(ghi0 > 0.0, np.clip(dhi0 / ghi0, 0.0, 1.0), np.nan)
        # daily clearness fills hours with no donor sun (dawn/dusk shifted by latitude)
        day_kt = (pd.DataFrame({"d": d_idx, "g": ghi0, "e": etr_d["horizontal_wh_m2"]}).groupby("d").sum())
        day_kt = (day_kt["g"] / day_kt["e"].where(day_kt["e"] > 0)).fillna(0.0).to_numpy()
        kt0 = np.clip(np.where(np.isnan(kt0), day_kt[d_idx], kt0), 0.0, max_kt)
        fd_ratio0 = np.where(np.isnan(fd0), 1.0, fd0 / radiation.erbs_diffuse_fraction(kt0))
        kt, fd_ratio = rolled(kt0), rolled(fd_ratio0)
    kt_new = radiation.calibrate_clearness(kt, etr_h, month, np.array(targets.ghi_kwh_m2), max_kt)
    ghi_new = np.round(kt_new * etr_h)
    fd_new = np.clip(radiation.erbs_diffuse_fraction(kt_new) * fd_ratio, 0.0, 1.0)
    dhi_target = np.array(targets.dhi_kwh_m2) if targets.dhi_kwh_m2 is not None else None
    cosz = etr_n["cos_zenith_mean"]
    low_sun = cosz < float(rcfg["min_cos_zenith_for_beam"])
    dhi_new = np.where(low_sun, ghi_new, np.round(radiation.calibrate_diffuse(ghi_new, fd_new, month, dhi_target)))
    with np.errstate(divide="ignore", invalid="ignore"):
        dni_new = np.where(low_sun | (ghi_new <= 0), 0.0, (ghi_new - dhi_new) / cosz)
    dni_new = np.round(np.minimum(dni_new, 0.9 * etr_n["normal_wh_m2"]))
    dhi_new = np.where(low_sun, ghi_new, np.maximum(ghi_new - np.round(dni_new * cosz), 0.0))
    dhi_new = np.minimum(dhi_new, ghi_new)

    if plan.measured is not None:  # cloud cover consistent with the modelled radiation
        day_frame = pd.DataFrame({"d": d_idx, "g": ghi_new, "e": etr_h}).groupby("d").sum()
        kt_day = (day_frame["g"] / day_frame["e"].where(day_frame["e"] > 0)).fillna(0.0).to_numpy()
        cover = radiation.sky_cover_tenths(kt_day)[d_idx]
        data["total_sky_cover_tenths"] = cover
        data["opaque_sky_cover_tenths"] = cover

    def efficacy(lux_col: str, rad_old: np.ndarray, rad_new: np.ndarray, default: float) -> np.ndarray:
        if plan.measured is not None:  # the base file's light belongs to another sky
            return np.round(default * rad_new)
        lux_old = data[lux_col].to_numpy(dtype=float)  # already re-timed
        rad_old_r = rolled(rad_old)
        with np.errstate(divide="ignore", invalid="ignore"):
            eff = np.where((rad_old_r > 0) & (lux_old < 999999.0), lux_old / rad_old_r, default)
        return np.round(np.clip(eff, 0.0, 200.0) * rad_new)

    data["global_horizontal_illuminance_lux"] = efficacy("global_horizontal_illuminance_lux", ghi0, ghi_new, 110.0)
    data["direct_normal_illuminance_lux"] = efficacy("direct_normal_illuminance_lux", dni0, dni_new, 100.0)
    data["diffuse_horizontal_illuminance_lux"] = efficacy("diffuse_horizontal_illuminance_lux", dhi0, dhi_new,
                                                          120.0)
    zl_old = data["zenith_luminance_cd_m2"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        zl_ratio = np.where(rolled(dhi0) > 0, dhi_new / rolled(dhi0), 0.0)
    data["zenith_luminance_cd_m2"] = np.where(
        zl_old >= 9999.0, zl_old, np.round(np.where(dhi_new > 0, zl_old * zl_ratio, 0.0)))

    data["dry_bulb_c"] = t_new
    data["dew_point_c"] = dew
    data["relative_humidity_pct"] = rh_new
    data["atmospheric_pressure_pa"] = p_new
    data["extraterrestrial_horizontal_radiation_wh_m2"] = np.round(etr_h)
    data["extraterrestrial_direct_normal_radiation_wh_m2"] = np.round(etr_n["normal_wh_m2"])
    opaque = data["opaque_sky_cover_tenths"].to_numpy(dtype=float)
    data["horizontal_infrared_radiation_wh_m2"] = np.round(radiation.sky_infrared_wh_m2(t_new, dew, opaque))
    data["ghi_wh_m2"] = ghi_new
    data["dni_wh_m2"] = dni_new
    data["dhi_wh_m2"] = dhi_new

    # 7. header
    gcfg = cfg["ground"]
    out.header.location = Location(
        city=city.name, state_province=city.province, country="CHN", source=SOURCE_TAG,
        wmo=city.wmo, latitude_deg=city.latitude_deg, longitude_deg=city.longitude_deg,
        time_zone_h=city.time_zone_h, elevation_m=city.elevation_m)
    out.header.design_conditions = ["0"]
    out.header.typical_extreme_periods = ["0"]
    out.header.ground_temperatures = _ground_temperatures(
        _monthly_mean(t_new, month), list(gcfg["depths_m"]), float(gcfg["diffusivity_m2_day"]))
    out.header.holidays_daylight_savings = ["No", "0", "0", "0"]
    out.header.comments_1 = _comments_1(city, plan, dloc, shift_h, seq_shift, targets)
    out.header.comments_2 = _comments_2(plan)
    out.header.comments_1 = out.header.comments_1.replace(",", ";")
    out.header.comments_2 = out.header.comments_2.replace(",", ";")
    out.path = None
    return out


def _comments_1(city: CityRecord, plan: DonorPlan, dloc: Location, shift_h: int, seq_shift: int,
                targets: MorphTargets) -> str:
    base = f"from donor {plan.base.name} ({dloc.source}; {dloc.city}) re-timed {shift_h:+d} h"
    if plan.measured is None:
        seq = "temperature/humidity/radiation sequence of that donor morphed"
    elif plan.own_record:
        seq = (f"temperature/dew point/pressure: the city's measured typical year {plan.measured} "
               "2010-2015 (UCI data set 394; Liang et al. 2016; CC BY 4.0) unmorphed")
    else:
        seq = (f"temperature/dew point/pressure: measured typical year {plan.measured} 2010-2015 "
               f"(UCI data set 394; Liang et al. 2016; CC BY 4.0) re-timed {seq_shift:+d} h and morphed")
    return (f"SYNTHETIC design-year weather (not measured) made by ultralow morph v{METHOD_VERSION} {base}"
            f" (wind/cloud/precipitation); {seq}; targets {targets.source}"
            " (see ultralow weather/data/SOURCES.md)")


def _comments_2(plan: DonorPlan) -> str:
    if plan.measured is not None:
        rad = ("GHI from daily temperature range (Bristow-Campbell 1984) scaled to station monthly GHI; "
               "sky cover from clearness (Kasten-Czeplak)")
    else:
        rad = "GHI from donor clearness index on site extraterrestrial radiation scaled to monthly GHI"
    morph = "" if plan.own_record else ("dry bulb shift/stretch of the diurnal cycle only (Belcher Hacker "
                                        "Powell 2005; day-to-day swings kept); dew point shifted to monthly RH; ")
    return (f" -- Method: {morph}{rad}; diffuse by Erbs scaled to station monthly DHI; ground temps "
            "from monthly means (Kusuda; diffusivity 0.0557 m2/day)")


def morph_report(epw: Epw, city: CityRecord | str) -> MorphReport:
    """Compare a synthetic file's monthly statistics with the morph's targets (:func:`morph_targets`)."""
    if isinstance(city, str):
        city = get_city(city)
    ci = climate_indices(epw)
    targets = morph_targets(city)
    comments = epw.header.comments_1
    donor = comments.split("from donor ", 1)[1].split(" ", 1)[0] if "from donor " in comments else ""
    shift = 0
    if " re-timed " in comments:
        shift = int(comments.split(" re-timed ", 1)[1].split(" ", 1)[0])
    return MorphReport(
        city=city.key,
        donor=donor,
        shift_h=shift,
        target_tmean_c=targets.tmean_c,
        result_tmean_c=ci.monthly_mean_dry_bulb_c,
        target_range_k=tuple(round(a - b, 2) for a, b in zip(targets.tmax_c, targets.tmin_c, strict=True)),
        result_range_k=tuple(round(a - b, 2) for a, b in zip(ci.monthly_mean_daily_max_c,
                                                              ci.monthly_mean_daily_min_c, strict=True)),
        target_rh_pct=targets.rh_pct,
        result_rh_pct=ci.monthly_mean_rh_pct,
        target_ghi_kwh_m2=tuple(round(float(v), 2) for v in targets.ghi_kwh_m2),
        result_ghi_kwh_m2=ci.monthly_ghi_kwh_m2,
        targets_source=targets.source,
    )


# --------------------------------------------------------------------------------------------
# Cached files
# --------------------------------------------------------------------------------------------


@functools.cache
def _file_sha256(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_key(city: CityRecord, plan: DonorPlan) -> str:
    """Hash of (city record, donor files' content, morph targets, method parameters, method
    version)."""
    st = plan.base.stat()
    measured = "" if plan.measured is None else measured_typical_year_sha256(plan.measured)
    h = hashlib.sha256()
    for part in (city.fingerprint(), _file_sha256(plan.base, st.st_size, st.st_mtime_ns),
                 str(plan.measured), measured, repr(morph_targets(city)),
                 hashlib.sha256(_method_text().encode()).hexdigest(), METHOD_VERSION):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def synthetic_epw_path(city: CityRecord | str, donor: str | os.PathLike | None = None,
                       *, refresh: bool = False) -> Path:
    """Path of the cached synthetic EPW for ``city``, building it if needed (``donor``: an
    explicit donor EPW instead of the automatic choice)."""
    if isinstance(city, str):
        city = get_city(city)
    key = cache_key(city, donor_plan(city, donor))
    folder = cache_dir() / "weather"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{city.key}_synthetic_{key[:16]}.epw"
    if refresh or not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        write_epw(synthesise(city, donor), tmp)
        os.replace(tmp, path)
    return path


def make_city_epw(city: CityRecord | str, out_path: str | os.PathLike,
                  donor: str | os.PathLike | None = None) -> Path:
    """Write the synthetic EPW for ``city`` to ``out_path`` (a copy of the cached file)."""
    cached = synthetic_epw_path(city, donor)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(cached.read_bytes())
    return out
