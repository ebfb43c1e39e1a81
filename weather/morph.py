"""Synthetic design-year weather for a registry city, by morphing a real TMY3 record.

Nothing is downloaded: the donors are the 16 US TMY3 EPW files shipped inside the EnergyPlus
package (``pyenergyplus/data/weather``). For a city the toolkit

1. **picks the donor** with the closest climate: the smallest distance between the twelve
   monthly mean temperatures, mean daily ranges and mean relative humidities of city normals
   and donor (weights in ``weather/data/method.toml``);
2. **re-times** the donor by whole hours so that its diurnal cycle keeps its *solar* time at the
   new site (the difference of ``time zone − longitude/15`` between the two sites);
3. **morphs dry-bulb temperature** by shift and stretch (Belcher, Hacker & Powell 2005,
   *Building Serv. Eng. Res. Technol.* 26(1):49–61):
   ``T = M(d) + α(d)·(T0 − M0(d))`` with ``M`` the target and ``M0`` the donor monthly mean and
   ``α`` the ratio of target to donor mean daily range, all three interpolated day by day
   between mid-month anchors so that there is no step at month boundaries; the anchors of ``M``
   are iterated until every monthly mean equals the normal, and a last piecewise correction
   (typically < 0.01 K) makes the match exact before rounding to 0.1 °C;
4. **humidity**: scales the donor's hourly relative humidity so that each monthly mean equals
   the normal (iterated, clipped to 2…100 %), then computes the dew point from the new dry bulb
   and RH, so dew point ≤ dry bulb and RH/dew point/dry bulb agree (to the file's rounding);
5. **radiation**: takes the donor's hourly clearness index ``kt = GHI/extraterrestrial``,
   applies it to the extraterrestrial radiation of the *new* site and hour (so radiation is zero
   whenever the sun is below the new site's horizon), and scales ``kt`` month by month so the
   monthly global radiation equals the Ångström–Prescott estimate from the city's sunshine
   hours (FAO-56 eq. 35, a = 0.25, b = 0.50). The diffuse fraction keeps the donor's departure
   from the Erbs et al. (1982) correlation, direct normal follows from
   ``GHI = DHI + DNI·cos θz``; illuminances keep the donor's luminous efficacy; horizontal
   infrared is recomputed from the new dry bulb, dew point and opaque sky cover with the
   Clark & Allen sky emissivity that EnergyPlus itself uses;
6. **pressure** is scaled by the ratio of standard-atmosphere pressures at the two elevations;
   wind, cloud, visibility, precipitation and snow are the donor's (re-timed);
7. **relocates** the header: LOCATION (city, province, CHN, source ``ultralow-synthetic``, WMO id,
   latitude, longitude, UTC+8, elevation), ground temperatures from the morphed monthly means,
   no design conditions (derive them from the hourly data), and COMMENTS 1/2 saying the file
   is synthetic, naming donor, method and normals source.

Limitations (also in the file's comments and in ``weather/data/SOURCES.md``): the weather
*sequence* (fronts, cloudy spells, wind) is the donor's, not the city's; the monthly radiation
is an Ångström–Prescott estimate (typically ±10–20 % per month); hourly patterns of radiation
are transferred through the clearness index, which removes the latitude effect on sun height
but not on day-to-day cloudiness; extremes scale with the monthly stretch only.

Results are cached under ``ultralow.paths.cache_dir() / "weather"`` keyed by a hash of the city
record, the donor file, ``method.toml`` and :data:`METHOD_VERSION`; the output is deterministic.
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
from ultralow.weather import psychrometrics, solar
from ultralow.weather.epw import Epw, GroundTemperatures, Location, read_epw, write_epw
from ultralow.weather.indices import climate_indices
from ultralow.weather.registry import CityRecord, get_city

#: Bump when the method changes in a way that changes the output (invalidates the cache).
METHOD_VERSION = "1"
SOURCE_TAG = "ultralow-synthetic"
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MID_MONTH_DAY = np.cumsum(_DAYS_IN_MONTH) - _DAYS_IN_MONTH / 2.0  # day-of-year - 0.5 units
_SIGMA = 5.6697e-8  # W/(m² K⁴), value used by EnergyPlus


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


def _erbs_diffuse_fraction(kt: np.ndarray) -> np.ndarray:
    """Erbs, Klein & Duffie (1982) hourly diffuse fraction."""
    kt = np.asarray(kt, dtype=float)
    mid = 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4
    return np.where(kt <= 0.22, 1.0 - 0.09 * kt, np.where(kt <= 0.80, mid, 0.165))


def _sky_ir_wh_m2(dry_bulb_c: np.ndarray, dew_point_c: np.ndarray,
                  opaque_sky_tenths: np.ndarray) -> np.ndarray:
    """Horizontal infrared radiation from the sky (Clark & Allen 1978 emissivity with the cloud
    correction of Walton 1983), the formula EnergyPlus applies when the field is missing."""
    n = np.where((opaque_sky_tenths >= 0) & (opaque_sky_tenths <= 10), opaque_sky_tenths, 5.0)
    tk = dry_bulb_c + 273.15
    tdk = dew_point_c + 273.15
    eps = (0.787 + 0.764 * np.log(tdk / 273.0)) * (1 + 0.0224 * n - 0.0035 * n**2
                                                  + 0.00028 * n**3)
    return eps * _SIGMA * tk**4


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

    @property
    def max_tmean_error_k(self) -> float:
        return max(abs(a - b) for a, b in zip(self.target_tmean_c, self.result_tmean_c,
                                              strict=True))


def synthesise(city: CityRecord | str, donor: str | os.PathLike | None = None) -> Epw:
    """Build the synthetic design-year :class:`Epw` for ``city`` (no caching, no file).

    ``donor`` overrides the automatic donor choice (a path to any hourly, 8760-record EPW).
    """
    if isinstance(city, str):
        city = get_city(city)
    cfg = method_config()
    donor_path = Path(donor) if donor is not None else select_donor(city)
    src = read_epw(donor_path)
    if len(src.data) != 8760 or src.header.records_per_hour != 1:
        raise InputError(f"donor weather file {donor_path} must hold 8760 hourly records")
    out = src.copy()
    data = out.data
    month = data["month"].to_numpy(dtype=int)
    day = data["day"].to_numpy(dtype=int)
    hour = data["hour"].to_numpy(dtype=int)
    dloc = src.location

    # 2. re-time so the diurnal cycle keeps its solar time at the new site
    shift_h = int(round((city.time_zone_h - city.longitude_deg / 15.0)
                        - (dloc.time_zone_h - dloc.longitude_deg / 15.0)))

    def rolled(values: np.ndarray) -> np.ndarray:
        return np.roll(values, shift_h)

    met_cols = [c for c in data.columns if c not in ("year", "month", "day", "hour", "minute")]
    donor_cols = {c: data[c].to_numpy().copy() for c in met_cols}
    for c in met_cols:
        data[c] = rolled(donor_cols[c])

    # 3. dry bulb: shift and stretch, smooth across months
    t0 = data["dry_bulb_c"].to_numpy(dtype=float)
    if (t0 == 99.9).any():
        raise InputError(f"donor weather file {donor_path} has missing dry-bulb values")
    d_idx = _day_index(month, day)
    frame = pd.DataFrame({"m": month, "d": d_idx, "t": t0})
    daily = frame.groupby("d").agg(m=("m", "first"), tmax=("t", "max"), tmin=("t", "min"))
    donor_range = daily.groupby("m")[["tmax", "tmin"]].mean()
    donor_range_k = (donor_range["tmax"] - donor_range["tmin"]).to_numpy()
    target_mean = np.array(city.tmean_c)
    target_range = np.array(city.tmax_c) - np.array(city.tmin_c)
    alpha = np.clip(target_range / donor_range_k, 1.0 / cfg["temperature"]["max_stretch"],
                    cfg["temperature"]["max_stretch"])
    m0 = _monthly_mean(t0, month)
    m0_daily = _interp_daily(m0)[d_idx]
    alpha_daily = _interp_daily(alpha)[d_idx]
    anchors = target_mean.copy()
    for _ in range(int(cfg["temperature"]["smoothing_iterations"])):
        t_new = _interp_daily(anchors)[d_idx] + alpha_daily * (t0 - m0_daily)
        anchors = anchors + (target_mean - _monthly_mean(t_new, month))
    t_new = _interp_daily(anchors)[d_idx] + alpha_daily * (t0 - m0_daily)
    t_new = t_new + (target_mean - _monthly_mean(t_new, month))[month - 1]
    t_new = _round_half_away(t_new, 1)
    # rounding can move a monthly mean by up to 0.05 K; nudge the hours closest to a rounding
    # boundary? Not needed: the mean of 720 rounded values stays within ~0.005 K in practice.

    # 4. humidity: scale donor RH to the monthly normals, dew point from dry bulb and RH
    hcfg = cfg["humidity"]
    rh0 = data["relative_humidity_pct"].to_numpy(dtype=float)
    if (rh0 == 999.0).any():
        raise InputError(f"donor weather file {donor_path} has missing humidity values")
    target_rh = np.array(city.rh_pct)
    factor = target_rh / np.maximum(_monthly_mean(rh0, month), 1.0)
    for _ in range(int(hcfg["iterations"])):
        rh_new = np.clip(rh0 * factor[month - 1], hcfg["rh_min_pct"], hcfg["rh_max_pct"])
        factor = factor * target_rh / np.maximum(_monthly_mean(rh_new, month), 1.0)
    rh_new = np.clip(np.round(rh0 * factor[month - 1]), hcfg["rh_min_pct"], hcfg["rh_max_pct"])
    dew = _round_half_away(psychrometrics.dew_point_from_rh_c(t_new, rh_new), 1)
    dew = np.minimum(dew, t_new)

    # 6. pressure
    p0 = data["atmospheric_pressure_pa"].to_numpy(dtype=float)
    ratio = (psychrometrics.standard_pressure_pa(city.elevation_m)
             / psychrometrics.standard_pressure_pa(dloc.elevation_m))
    p_new = np.where(p0 == 999999.0, p0, np.round(p0 * ratio))

    # 5. radiation
    rcfg = cfg["radiation"]
    ap = method_config()["angstrom_prescott"]
    sub = int(rcfg["substeps_per_hour"])
    etr_d = solar.hourly_extraterrestrial(dloc.latitude_deg, dloc.longitude_deg,
                                          dloc.time_zone_h, month, day, hour, sub)
    etr_n = solar.hourly_extraterrestrial(city.latitude_deg, city.longitude_deg,
                                          city.time_zone_h, month, day, hour, sub)
    ghi0 = donor_cols["ghi_wh_m2"].astype(float)
    dhi0 = donor_cols["dhi_wh_m2"].astype(float)
    ghi0 = np.where(ghi0 >= 9999.0, 0.0, ghi0)
    dhi0 = np.where(dhi0 >= 9999.0, 0.0, dhi0)
    max_kt = float(rcfg["max_clearness_index"])
    with np.errstate(divide="ignore", invalid="ignore"):
        kt0 = np.where(etr_d["horizontal_wh_m2"] > 1.0, ghi0 / etr_d["horizontal_wh_m2"], np.nan)
        fd0 = np.where(ghi0 > 0.0, np.clip(dhi0 / ghi0, 0.0, 1.0), np.nan)
    # daily clearness fills hours with no donor sun (dawn/dusk shifted by latitude)
    day_kt = (pd.DataFrame({"d": d_idx, "g": ghi0, "e": etr_d["horizontal_wh_m2"]})
              .groupby("d").sum())
    day_kt = (day_kt["g"] / day_kt["e"].where(day_kt["e"] > 0)).fillna(0.0).to_numpy()
    kt0 = np.where(np.isnan(kt0), day_kt[d_idx], kt0)
    kt0 = np.clip(kt0, 0.0, max_kt)
    fd_ratio0 = np.where(np.isnan(fd0), 1.0, fd0 / _erbs_diffuse_fraction(kt0))
    kt = rolled(kt0)
    fd_ratio = rolled(fd_ratio0)
    etr_h = etr_n["horizontal_wh_m2"]
    target_ghi_kwh = solar.monthly_global_from_sunshine_kwh_m2(
        city.latitude_deg, city.sunshine_h, ap["a"], ap["b"])
    scale = np.ones(12)
    for _ in range(8):
        ghi_new = np.clip(kt * scale[month - 1], 0.0, max_kt) * etr_h
        got = np.array([ghi_new[month == m].sum() for m in range(1, 13)]) / 1000.0
        scale = scale * np.where(got > 0, target_ghi_kwh / np.maximum(got, 1e-9), 1.0)
    kt_new = np.clip(kt * scale[month - 1], 0.0, max_kt)
    ghi_new = np.round(kt_new * etr_h)
    fd_new = np.clip(_erbs_diffuse_fraction(kt_new) * fd_ratio, 0.0, 1.0)
    cosz = etr_n["cos_zenith_mean"]
    low_sun = cosz < float(rcfg["min_cos_zenith_for_beam"])
    dhi_new = np.where(low_sun, ghi_new, np.round(ghi_new * fd_new))
    with np.errstate(divide="ignore", invalid="ignore"):
        dni_new = np.where(low_sun | (ghi_new <= 0), 0.0, (ghi_new - dhi_new) / cosz)
    dni_cap = 0.9 * etr_n["normal_wh_m2"]
    dni_new = np.round(np.minimum(dni_new, dni_cap))
    dhi_new = np.where(low_sun, ghi_new, np.maximum(ghi_new - np.round(dni_new * cosz), 0.0))
    dhi_new = np.minimum(dhi_new, ghi_new)

    def efficacy(lux_col: str, rad_old: np.ndarray, rad_new: np.ndarray,
                 default: float) -> np.ndarray:
        lux_old = data[lux_col].to_numpy(dtype=float)  # already re-timed
        rad_old_r = rolled(rad_old)
        with np.errstate(divide="ignore", invalid="ignore"):
            eff = np.where((rad_old_r > 0) & (lux_old < 999999.0), lux_old / rad_old_r, default)
        return np.round(np.clip(eff, 0.0, 200.0) * rad_new)

    dni0 = donor_cols["dni_wh_m2"].astype(float)
    dni0 = np.where(dni0 >= 9999.0, 0.0, dni0)
    data["global_horizontal_illuminance_lux"] = efficacy(
        "global_horizontal_illuminance_lux", ghi0, ghi_new, 110.0)
    data["direct_normal_illuminance_lux"] = efficacy(
        "direct_normal_illuminance_lux", dni0, dni_new, 100.0)
    data["diffuse_horizontal_illuminance_lux"] = efficacy(
        "diffuse_horizontal_illuminance_lux", dhi0, dhi_new, 120.0)
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
    data["horizontal_infrared_radiation_wh_m2"] = np.round(_sky_ir_wh_m2(t_new, dew, opaque))
    data["ghi_wh_m2"] = ghi_new
    data["dni_wh_m2"] = dni_new
    data["dhi_wh_m2"] = dhi_new

    # 7. header
    gcfg = cfg["ground"]
    donor_name = donor_path.name
    out.header.location = Location(
        city=city.name, state_province=city.province, country="CHN", source=SOURCE_TAG,
        wmo=city.wmo, latitude_deg=city.latitude_deg, longitude_deg=city.longitude_deg,
        time_zone_h=city.time_zone_h, elevation_m=city.elevation_m)
    out.header.design_conditions = ["0"]
    out.header.typical_extreme_periods = ["0"]
    out.header.ground_temperatures = _ground_temperatures(
        _monthly_mean(t_new, month), list(gcfg["depths_m"]), float(gcfg["diffusivity_m2_day"]))
    out.header.holidays_daylight_savings = ["No", "0", "0", "0"]
    out.header.comments_1 = (
        f"SYNTHETIC design-year weather (not measured) made by ultralow morph v{METHOD_VERSION}"
        f" from donor {donor_name} ({dloc.source}; {dloc.city}) re-timed {shift_h:+d} h and"
        f" morphed to {city.name} monthly normals {city.normals_period}"
        f" (source {city.normals_source}; see ultralow weather/data/SOURCES.md)")
    out.header.comments_2 = (
        " -- Method: dry bulb shift/stretch (Belcher Hacker Powell 2005); RH scaled to monthly"
        " normals and dew point recomputed; GHI from donor clearness index on site"
        f" extraterrestrial radiation scaled to Angstrom-Prescott (a={ap['a']} b={ap['b']}"
        " FAO-56) monthly totals; diffuse by Erbs ratio; ground temps from morphed monthly"
        " means (Kusuda; diffusivity 0.0557 m2/day); weather sequence is the donor's")
    out.header.comments_1 = out.header.comments_1.replace(",", ";")
    out.header.comments_2 = out.header.comments_2.replace(",", ";")
    out.path = None
    return out


def morph_report(epw: Epw, city: CityRecord | str) -> MorphReport:
    """Compare a synthetic file's monthly statistics with the city's targets."""
    if isinstance(city, str):
        city = get_city(city)
    ci = climate_indices(epw)
    ap = method_config()["angstrom_prescott"]
    target_ghi = solar.monthly_global_from_sunshine_kwh_m2(city.latitude_deg, city.sunshine_h,
                                                           ap["a"], ap["b"])
    comments = epw.header.comments_1
    donor = comments.split("from donor ", 1)[1].split(" ", 1)[0] if "from donor " in comments \
        else ""
    shift = 0
    if " re-timed " in comments:
        shift = int(comments.split(" re-timed ", 1)[1].split(" ", 1)[0])
    return MorphReport(
        city=city.key,
        donor=donor,
        shift_h=shift,
        target_tmean_c=city.tmean_c,
        result_tmean_c=ci.monthly_mean_dry_bulb_c,
        target_range_k=tuple(round(a - b, 2) for a, b in zip(city.tmax_c, city.tmin_c,
                                                              strict=True)),
        result_range_k=tuple(round(a - b, 2) for a, b in zip(ci.monthly_mean_daily_max_c,
                                                              ci.monthly_mean_daily_min_c,
                                                              strict=True)),
        target_rh_pct=city.rh_pct,
        result_rh_pct=ci.monthly_mean_rh_pct,
        target_ghi_kwh_m2=tuple(round(float(v), 2) for v in target_ghi),
        result_ghi_kwh_m2=ci.monthly_ghi_kwh_m2,
    )


# --------------------------------------------------------------------------------------------
# Cached files
# --------------------------------------------------------------------------------------------


@functools.cache
def _file_sha256(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_key(city: CityRecord, donor_path: Path) -> str:
    """Hash of (city record, donor file content, method parameters, method version)."""
    st = donor_path.stat()
    h = hashlib.sha256()
    for part in (city.fingerprint(), _file_sha256(donor_path, st.st_size, st.st_mtime_ns),
                 hashlib.sha256(_method_text().encode()).hexdigest(), METHOD_VERSION):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def synthetic_epw_path(city: CityRecord | str, donor: str | os.PathLike | None = None,
                       *, refresh: bool = False) -> Path:
    """Path of the cached synthetic EPW for ``city``, building it if needed."""
    if isinstance(city, str):
        city = get_city(city)
    donor_path = Path(donor) if donor is not None else select_donor(city)
    key = cache_key(city, donor_path)
    folder = cache_dir() / "weather"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{city.key}_synthetic_{key[:16]}.epw"
    if refresh or not path.exists():
        write_epw(synthesise(city, donor_path), path)
    return path


def make_city_epw(city: CityRecord | str, out_path: str | os.PathLike,
                  donor: str | os.PathLike | None = None) -> Path:
    """Write the synthetic EPW for ``city`` to ``out_path`` (a copy of the cached file)."""
    cached = synthetic_epw_path(city, donor)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(cached.read_bytes())
    return out
