"""Derive the cited reference climate data of ``ultralow.weather`` (run once; re-runnable).

Reads two public sources from local Git mirrors (``git show``, no work tree needed) and writes

* ``weather/data/station_climatology.csv``: CBED monthly station climatology per registry city;
* ``weather/data/measured_years.csv``: climate indices per UCI city and calendar year 2010-2015;
* ``weather/data/measured_months.csv``: monthly means per UCI city, year and month;
* ``weather/data/donors/<city>_typical.csv`` and ``weather/data/donors/README.md``: a typical
  year per UCI city by the Finkelstein-Schafer month selection of TMY3.

Sources (see ``weather/data/SOURCES.md``, section "Reference data"):

* UCI Machine Learning Repository dataset 394 "PM2.5 Data of Five Chinese Cities" (Liang et al.
  2016, doi:10.1002/2016JD024877), copy read from GitHub
  ``lxr0622/SAS-Data-Management-and-Analysis-Project`` at commit ``9d4ffbaa9ac8...``;
* CBED (Chinese Building Energy-Efficient Design Datasets), GitHub ``buildingdata/CBED-portal`` at
  commit ``3ec863bf02ce...`` (``sql/*.sql``).

Re-run (from the repository root)::

    .venv/bin/python scripts/derive_weather_reference.py \\
        [--uci-mirror /work/.mirror/lxr0622+SAS-Data-Management-and-Analysis-Project/repo] \\
        [--cbed-mirror /work/.mirror/buildingdata+CBED-portal/repo] [--out weather/data]

The output is deterministic (same mirrors and commits -> byte-identical files). The product
reads only the written files, never the mirrors.
"""

from __future__ import annotations

import argparse
import io
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from ultralow.weather import psychrometrics
from ultralow.weather.indices import climate_indices

ROOT = Path(__file__).resolve().parents[1]
UCI_MIRROR = Path("/work/.mirror/lxr0622+SAS-Data-Management-and-Analysis-Project/repo")
UCI_COMMIT = "9d4ffbaa9ac8a6890c8df3af0ab0f37b3387fd35"
CBED_MIRROR = Path("/work/.mirror/buildingdata+CBED-portal/repo")
CBED_COMMIT = "3ec863bf02ce0915697c2999c6606aab27caaed3"

UCI_CITIES = {"beijing": "Beijing", "shanghai": "Shanghai", "guangzhou": "Guangzhou",
              "shenyang": "Shenyang", "chengdu": "Chengdu"}
# Elevation (m) only sets the standard pressure used where the record's pressure stays missing.
# Registry cities take cities.csv; Chengdu (not a registry city) takes the Chengdu station
# (56294, about 506 m) as an assumption: the UCI data do not name their stations.
CHENGDU_ELEVATION_M = 506.0
YEARS = range(2010, 2016)
MAX_FILL_H = 6  # gaps up to this many consecutive hours are interpolated linearly
MAX_FILLED_FRACTION = 0.02
SMOOTH_H = 6  # hours blended either side of a month boundary between different source years
# TMY3 weights (Wilcox & Marion 2008, table 1-1) for the indices this source has, out of 8:
FS_WEIGHTS = {("t", "max"): 1.0, ("t", "mean"): 2.0, ("t", "min"): 1.0,
              ("td", "max"): 1.0, ("td", "mean"): 2.0, ("td", "min"): 1.0}
# Plausibility limits: values outside are treated as missing (e.g. Guangzhou DEWP = -9999,
# Shenyang DEWP = -97).
LIMITS = {"t": (-50.0, 50.0), "td": (-60.0, 35.0), "p_hpa": (850.0, 1100.0)}

# CBED stations whose rows are implausible and are never used. 57131 西安（泾河） would be the
# natural substitute for Xi'an 57036 (not in CBED), but its rows cannot be Xi'an's climate: July
# mean 11.6 degC, monthly mean RH 22-31 %, annual GHI 463 kWh/m2 (neighbours: 25-26 degC, 65-69 %,
# 1230-1380 kWh/m2). Xi'an then takes the nearest CBED station with plausible data.
REJECTED_STATIONS = {"57131": "implausible rows (July mean 11.6 degC, RH 22-31 %, GHI 463 kWh/m2 a)"}
PLAUSIBLE_ANNUAL_GHI = (700.0, 2300.0)  # kWh/m2 a, a guard on every station used


def git_show(mirror: Path, commit: str, path: str) -> str:
    out = subprocess.run(["git", "-C", str(mirror), "show", f"{commit}:{path}"], check=True,
                         capture_output=True)
    return out.stdout.decode("utf-8")


# ------------------------------------------------------------------------------------------
# CBED station climatology
# ------------------------------------------------------------------------------------------

_VALUES = re.compile(r"VALUES \((.*)\);\s*$")


def _sql_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if not line.startswith("INSERT INTO"):
            continue
        m = _VALUES.search(line)
        if m is None:
            raise ValueError(f"unparsed SQL line: {line[:80]}")
        rows.append([v.strip().strip("'") for v in m.group(1).split(",")])
    return rows


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def station_climatology(mirror: Path, cities: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Monthly CBED climatology per registry city; also notes on station choices."""
    def table(name: str) -> list[list[str]]:
        return _sql_rows(git_show(mirror, CBED_COMMIT, f"sql/{name}.sql"))

    stations = {r[0]: r for r in table("station")}  # id, province, name, lat, lon, alt, ...
    rad: dict[tuple[str, int], tuple[float, float]] = {}
    for r in table("t_bbc_solarradiation"):  # id, month, total, diffuse, direct (MJ/m2 month)
        rad[(r[0], int(r[1]))] = (float(r[2]), float(r[3]))
    tem: dict[tuple[str, int], tuple[float, float, float]] = {}
    for r in table("t_bbc_temperature"):  # id, month, mean, max mean, min mean, max, min
        tem[(r[0], int(r[1]))] = (float(r[2]), float(r[3]), float(r[4]))
    hum: dict[tuple[str, int], float] = {}
    for r in table("t_bbc_humidity"):  # id, month, average, average max, average min
        hum[(r[0], int(r[1]))] = float(r[2])

    def complete(sid: str) -> bool:
        return sid not in REJECTED_STATIONS and sid in stations and all(
            (sid, m) in rad and (sid, m) in tem and (sid, m) in hum for m in range(1, 13))

    notes = []
    rows = []
    for city in cities.itertuples():
        wmo = str(city.wmo)
        sid, flag = wmo, ""
        if not complete(wmo):
            dist = sorted((_haversine_km(city.latitude_deg, city.longitude_deg, float(s[3]), float(s[4])), k)
                          for k, s in stations.items() if complete(k))
            d_km, sid = dist[0]
            flag = f"station_proxy_{sid}"
            notes.append(f"{city.key} ({wmo}) not in CBED: nearest CBED station with data {sid} "
                         f"{stations[sid][2]} at {d_km:.1f} km (next: {dist[1][1]} "
                         f"{stations[dist[1][1]][2]} at {dist[1][0]:.1f} km)")
        if not complete(sid):
            raise RuntimeError(f"CBED lacks data for station {sid} ({city.key})")
        annual = sum(rad[(sid, m)][0] for m in range(1, 13)) / 3.6
        if not PLAUSIBLE_ANNUAL_GHI[0] <= annual <= PLAUSIBLE_ANNUAL_GHI[1]:
            raise RuntimeError(f"CBED station {sid} ({city.key}): annual GHI {annual:.0f} kWh/m2 implausible")
        st = stations[sid]
        notes.append(f"{city.key}: CBED {sid} {st[2]} {flag}".rstrip())
        for m in range(1, 13):
            ghi, dhi = rad[(sid, m)]
            tmean, tmax, tmin = tem[(sid, m)]
            rows.append({"key": city.key, "station_id": sid, "station_name_zh": st[2], "station_flag": flag,
                         "latitude_deg": round(float(st[3]), 4), "longitude_deg": round(float(st[4]), 4),
                         "elevation_m": float(st[5]), "month": m,
                         "ghi_kwh_m2": round(ghi / 3.6, 2), "dhi_kwh_m2": round(dhi / 3.6, 2),
                         "tmean_c": tmean, "tmax_c": tmax, "tmin_c": tmin, "rh_pct": hum[(sid, m)]})
    return pd.DataFrame(rows), notes


# ------------------------------------------------------------------------------------------
# UCI hourly records
# ------------------------------------------------------------------------------------------


@dataclass
class Hourly:
    """A city's continuous hourly series 2010-2015 after plausibility checks and gap filling."""

    frame: pd.DataFrame  # year, month, day, hour (0..23), t, td, p_hpa, raw-missing and fill flags
    elevation_m: float


def _runs(mask: np.ndarray) -> np.ndarray:
    """Length of the run of True each element belongs to (0 where False)."""
    out = np.zeros(len(mask), dtype=int)
    i = 0
    n = len(mask)
    while i < n:
        if mask[i]:
            j = i
            while j < n and mask[j]:
                j += 1
            out[i:j] = j - i
            i = j
        else:
            i += 1
    return out


def _fill(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear interpolation over gaps of at most MAX_FILL_H hours (a gap at either end of the
    series takes the nearest value). Returns (filled values, filled mask, long-gap mask)."""
    missing = np.isnan(values)
    run = _runs(missing)
    idx = np.arange(len(values))
    ok = ~missing
    interp = np.interp(idx, idx[ok], values[ok])
    fill = missing & (run <= MAX_FILL_H)
    out = values.copy()
    out[fill] = interp[fill]
    return out, fill, missing & ~fill


def load_uci(mirror: Path, city: str, elevation_m: float) -> Hourly:
    text = git_show(mirror, UCI_COMMIT, f"{UCI_CITIES[city]}PM20100101_20151231.csv")
    raw = pd.read_csv(io.StringIO(text), na_values=["NA"])
    raw = raw.sort_values(["year", "month", "day", "hour"]).reset_index(drop=True)
    stamps = pd.to_datetime(raw[["year", "month", "day", "hour"]])
    expected = pd.date_range("2010-01-01 00:00", "2015-12-31 23:00", freq="h")
    if len(stamps) != len(expected) or not (stamps.to_numpy() == expected.to_numpy()).all():
        raise RuntimeError(f"{city}: hourly records are not a complete 2010-2015 sequence")
    f = raw[["year", "month", "day", "hour"]].copy()
    for name, col in (("t", "TEMP"), ("td", "DEWP"), ("p_hpa", "PRES")):
        v = raw[col].to_numpy(dtype=float)
        lo, hi = LIMITS[name]
        v = np.where((v < lo) | (v > hi), np.nan, v)
        f[f"{name}_raw_missing"] = np.isnan(v)
        filled, fill, long_gap = _fill(v)
        f[name] = filled
        f[f"{name}_filled"] = fill
        f[f"{name}_long_gap"] = long_gap
    # dew point above dry bulb (whole-degree rounding): clip to the dry bulb
    f["td_clipped"] = f["td"] > f["t"]
    f["td"] = np.minimum(f["td"], f["t"])
    f = f[~((f["month"] == 2) & (f["day"] == 29))].reset_index(drop=True)
    return Hourly(f, elevation_m)


def _epw_frame(f: pd.DataFrame) -> pd.DataFrame:
    t = f["t"].to_numpy(dtype=float)
    td = f["td"].to_numpy(dtype=float)
    return pd.DataFrame({"month": f["month"].to_numpy(), "day": f["day"].to_numpy(),
                         "hour": f["hour"].to_numpy() + 1, "dry_bulb_c": t, "dew_point_c": td,
                         "relative_humidity_pct": psychrometrics.relative_humidity_pct(t, td),
                         "atmospheric_pressure_pa": f["p_hpa"].to_numpy(dtype=float) * 100.0})


def measured_tables(city: str, h: Hourly) -> tuple[list[dict], list[dict]]:
    years, months = [], []
    for y in YEARS:
        f = h.frame[h.frame["year"] == y]
        if len(f) != 8760:
            raise RuntimeError(f"{city} {y}: {len(f)} hours after dropping 29 February")
        filled = (f["t_filled"] | f["td_filled"]).to_numpy()
        long_gap = (f["t_long_gap"] | f["td_long_gap"]).to_numpy()
        complete = not long_gap.any() and filled.mean() <= MAX_FILLED_FRACTION
        ef = _epw_frame(f)
        ci = climate_indices(ef, elevation_m=h.elevation_m)
        years.append({"city": city, "year": y, "hours_total": len(f),
                      "hours_missing_temp": int(f["t_raw_missing"].sum()),
                      "hours_missing_dewpoint": int(f["td_raw_missing"].sum()),
                      "hours_filled": int(filled.sum()), "complete": "true" if complete else "false",
                      "tmean_c": round(float(np.nanmean(ef["dry_bulb_c"])), 3),
                      "rh_pct": round(float(np.nanmean(ef["relative_humidity_pct"])), 2),
                      "dewpoint_c": round(float(np.nanmean(ef["dew_point_c"])), 3),
                      "hdd18_kd": ci.hdd18_kd, "cdd26_kd": ci.cdd26_kd, "wdh20_kkh": ci.wdh20_kkh,
                      "ddh28_kkh": ci.ddh28_kkh, "ghi_kwh_m2": ""})
        for m in range(1, 13):
            fm = ef[ef["month"] == m]
            daily = fm.groupby("day")["dry_bulb_c"].agg(["max", "min", "count"])
            daily = daily[daily["count"] == 24]  # daily extremes only from complete days
            months.append({"city": city, "year": y, "month": m,
                           "tmean_c": round(float(np.nanmean(fm["dry_bulb_c"])), 3),
                           "tmax_c": round(float(daily["max"].mean()), 3),
                           "tmin_c": round(float(daily["min"].mean()), 3),
                           "rh_pct": round(float(np.nanmean(fm["relative_humidity_pct"])), 2),
                           "dewpoint_c": round(float(np.nanmean(fm["dew_point_c"])), 3),
                           "hours_missing": int(fm["dry_bulb_c"].isna().sum())})
    return years, months


# ------------------------------------------------------------------------------------------
# Typical year (Finkelstein-Schafer, TMY3)
# ------------------------------------------------------------------------------------------


def _daily_indices(f: pd.DataFrame) -> pd.DataFrame:
    """Daily max/mean/min of t and td per (year, month, day), complete days only."""
    g = f.groupby(["year", "month", "day"])
    out = pd.concat({(v, s): g[v].agg(s) for v in ("t", "td") for s in ("max", "mean", "min")}, axis=1)
    n = g[["t", "td"]].count()
    return out[(n["t"] == 24) & (n["td"] == 24)]


def _fs(candidate: np.ndarray, long_term_sorted: np.ndarray) -> float:
    """Finkelstein-Schafer statistic: mean |CDF_candidate - CDF_long-term| at the candidate's
    daily values."""
    c = np.sort(candidate)
    cdf_c = np.searchsorted(c, c, side="right") / len(c)
    cdf_l = np.searchsorted(long_term_sorted, c, side="right") / len(long_term_sorted)
    return float(np.mean(np.abs(cdf_c - cdf_l)))


def select_months(h: Hourly) -> tuple[dict[int, int], dict[int, dict[int, float]]]:
    """For each month the selected source year and the weighted FS statistic of each candidate."""
    f = h.frame
    daily = _daily_indices(f)
    flags = f.groupby(["year", "month"]).agg(
        filled=("t_filled", "sum"), filled_td=("td_filled", "sum"), hours=("t", "size"),
        long_t=("t_long_gap", "any"), long_td=("td_long_gap", "any"))
    # an hour counts as filled once even if both t and td were filled
    both = (f["t_filled"] | f["td_filled"]).groupby([f["year"], f["month"]]).sum()
    total = sum(FS_WEIGHTS.values())
    chosen: dict[int, int] = {}
    scores: dict[int, dict[int, float]] = {}
    for m in range(1, 13):
        long_term = {k: np.sort(daily.xs(m, level="month")[k].to_numpy()) for k in FS_WEIGHTS}
        scores[m] = {}
        for y in YEARS:
            fl = flags.loc[(y, m)]
            if fl["long_t"] or fl["long_td"] or both.loc[(y, m)] / fl["hours"] > MAX_FILLED_FRACTION:
                continue
            cand = daily.loc[(y, m)]
            ws = sum(w * _fs(cand[k].to_numpy(), long_term[k]) for k, w in FS_WEIGHTS.items()) / total
            scores[m][y] = round(ws, 6)
        if not scores[m]:
            raise RuntimeError(f"no candidate year for month {m}")
        chosen[m] = min(scores[m], key=lambda y: (scores[m][y], y))
    return chosen, scores


def typical_year(h: Hourly, chosen: dict[int, int]) -> pd.DataFrame:
    f = h.frame
    parts = [f[(f["year"] == chosen[m]) & (f["month"] == m)] for m in range(1, 13)]
    ty = pd.concat(parts).reset_index(drop=True)
    pos = {(int(r.year), int(r.month), int(r.day), int(r.hour)): i
           for i, r in enumerate(f[["year", "month", "day", "hour"]].itertuples(index=False))}
    out = {v: ty[v].to_numpy(dtype=float).copy() for v in ("t", "td", "p_hpa")}
    series = {v: f[v].to_numpy(dtype=float) for v in ("t", "td", "p_hpa")}
    n = len(ty)
    boundaries = []
    start = 0
    for m in range(1, 13):
        start += len(parts[m - 1])
        boundaries.append((start % n, chosen[m], chosen[m % 12 + 1]))
    for b, ya, yb in boundaries:
        if ya == yb:
            continue
        window = [(b + k) % n for k in range(-SMOOTH_H, SMOOTH_H)]
        w = (np.arange(2 * SMOOTH_H) + 0.5) / (2 * SMOOTH_H)  # 0 -> 1 across the window

        def continuation(year: int, i: int, b: int = b, ya: int = ya, yb: int = yb) -> int | None:
            """Index in the full series of window hour i as recorded in ``year``, continuing
            that year's record across the boundary (Dec -> Jan moves to the next year)."""
            r = ty.iloc[i]
            yr = year
            if b == 0 and int(r.month) == 1 and year == ya:
                yr = year + 1
            elif b == 0 and int(r.month) == 12 and year == yb:
                yr = year - 1
            return pos.get((yr, int(r.month), int(r.day), int(r.hour)))

        for v in out:
            ia = [continuation(ya, i) for i in window]
            ib = [continuation(yb, i) for i in window]
            if all(x is not None for x in ia + ib):
                a = series[v][np.array(ia)]
                bb = series[v][np.array(ib)]
                if not (np.isnan(a).any() or np.isnan(bb).any()):
                    out[v][window] = (1 - w) * a + w * bb
                    continue
            # fallback: straight line between the hours just outside the window
            lo, hi = out[v][(b - SMOOTH_H - 1) % n], out[v][(b + SMOOTH_H) % n]
            out[v][window] = lo + (hi - lo) * (np.arange(1, 2 * SMOOTH_H + 1) / (2 * SMOOTH_H + 1))
    # pressure left missing by long gaps: interpolate (the donor must be complete)
    p = out["p_hpa"]
    if np.isnan(p).any():
        idx = np.arange(n)
        ok = ~np.isnan(p)
        p[~ok] = np.interp(idx[~ok], idx[ok], p[ok])
    if np.isnan(out["t"]).any() or np.isnan(out["td"]).any():
        raise RuntimeError("typical year has missing temperature or dew point")
    td = np.minimum(out["td"], out["t"])
    return pd.DataFrame({"month": ty["month"].to_numpy(), "day": ty["day"].to_numpy(),
                         "hour": ty["hour"].to_numpy() + 1, "source_year": ty["year"].to_numpy(),
                         "dry_bulb_c": np.round(out["t"], 2), "dew_point_c": np.round(td, 2),
                         "pressure_pa": np.round(p * 100.0, 0).astype(int)})


DONOR_README = """\
# Measured typical years (donors)

`<city>_typical.csv` (beijing, shanghai, guangzhou, shenyang, chengdu): a typical year of measured
hourly weather, 8760 rows, columns `month,day,hour,source_year,dry_bulb_c,dew_point_c,pressure_pa`
(`hour` 1..24 in the EPW convention: source hour h, local China Standard Time, is EPW hour h + 1;
no 29 February). Written by `scripts/derive_weather_reference.py`; do not edit by hand.

## Source

UCI Machine Learning Repository dataset 394, "PM2.5 Data of Five Chinese Cities", hourly records
2010-01-01 to 2015-12-31 (Liang, X., Li, S., Zhang, S., Huang, H., Chen, S. X. (2016), PM2.5 data
reliability, consistency, and air quality assessment in five Chinese cities, J. Geophys. Res.
Atmos. 121, 10220-10236, doi:10.1002/2016JD024877). Licence: CC BY 4.0 (as stated by the UCI
repository; not re-checked offline). Copy read: GitHub
`lxr0622/SAS-Data-Management-and-Analysis-Project`, commit {uci_commit}, files
`<City>PM20100101_20151231.csv`, columns TEMP (°C), DEWP (°C), PRES (hPa). The meteorological
station of each city is not stated in the data set. Temperatures are whole °C (Guangzhou: tenths).

## Method

1. Values outside plausibility limits (dry bulb -50..50 °C, dew point -60..35 °C, pressure
   850..1100 hPa; e.g. Guangzhou DEWP = -9999, Shenyang DEWP = -97) are treated as missing.
2. Gaps of up to {max_fill} consecutive hours are filled by linear interpolation (dry bulb, dew point,
   pressure; a gap at either end of 2010-2015 takes the nearest value); longer gaps stay
   missing. Dew point above dry bulb is clipped to the dry bulb.
3. 29 February is dropped.
4. Month selection by the Finkelstein-Schafer statistic as in TMY3 (Wilcox, S., Marion, W. (2008),
   Users Manual for TMY3 Data Sets, NREL/TP-581-43156), restricted to the indices this source has:
   daily maximum, mean and minimum dry bulb and dew point with TMY3's relative weights 1, 2, 1,
   1, 2, 1 (sum 8; TMY3's radiation and wind indices are dropped). The long-term CDF of each
   index is that of all complete days of the month 2010-2015. Candidate months: a year's month
   with at most 2 % of its hours filled and no gap longer than {max_fill} h (dry bulb or dew point).
   Selected: the candidate with the lowest weighted FS statistic (ties: earliest year). TMY3's
   second step (re-ranking the five best by mean/median closeness and persistence) is not applied.
5. Where consecutive months (including December -> January) come from different years, the
   {smooth} hours either side of the boundary are blended linearly: each hour is
   (1 - w) x (the earlier month's year continued across the boundary) + w x (the later month's
   year), w rising from 1/24 to 23/24 across the 12 hours; where a continuation is not available
   (e.g. December 2015 -> January 2016), a straight line between the hours outside the window.
   Dry bulb, dew point and pressure are blended; dew point is then clipped to the dry bulb.
6. Pressure hours still missing after step 2 (long gaps) are interpolated linearly.

Doubts: PRES averages about 1015 hPa in Chengdu, whose stations lie near 500 m (station
pressure about 955 hPa): the PRES column is probably sea-level-reduced pressure, at least there;
it is copied as recorded.

## Source year of each month

{table}

Weighted FS statistic of every candidate (month: year=score), the selected one first:

{scores}
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--uci-mirror", type=Path, default=UCI_MIRROR)
    ap.add_argument("--cbed-mirror", type=Path, default=CBED_MIRROR)
    ap.add_argument("--out", type=Path, default=ROOT / "weather" / "data")
    args = ap.parse_args(argv)
    out: Path = args.out
    (out / "donors").mkdir(parents=True, exist_ok=True)
    cities = pd.read_csv(ROOT / "weather" / "data" / "cities.csv", dtype={"wmo": str})

    clim, notes = station_climatology(args.cbed_mirror, cities)
    clim.to_csv(out / "station_climatology.csv", index=False, lineterminator="\n")
    for n in notes:
        print(n)

    elevation = dict(zip(cities["key"], cities["elevation_m"].astype(float), strict=True))
    all_years, all_months = [], []
    table = ["| city | " + " | ".join(f"{m}" for m in range(1, 13)) + " |",
             "|---|" + "---|" * 12]
    score_lines = []
    for city in UCI_CITIES:
        h = load_uci(args.uci_mirror, city, elevation.get(city, CHENGDU_ELEVATION_M))
        years, months = measured_tables(city, h)
        all_years += years
        all_months += months
        chosen, scores = select_months(h)
        ty = typical_year(h, chosen)
        ty.to_csv(out / "donors" / f"{city}_typical.csv", index=False, lineterminator="\n")
        table.append(f"| {city} | " + " | ".join(str(chosen[m]) for m in range(1, 13)) + " |")
        parts = []
        for m in range(1, 13):
            order = sorted(scores[m], key=lambda y, m=m: (scores[m][y], y))
            parts.append(f"{m}: " + ", ".join(f"{y}={scores[m][y]:.4f}" for y in order))
        score_lines.append(f"* {city}: " + "; ".join(parts))
        print(city, "typical year:", [chosen[m] for m in range(1, 13)],
              "td clipped hours:", int(h.frame["td_clipped"].sum()))
    pd.DataFrame(all_years).to_csv(out / "measured_years.csv", index=False, lineterminator="\n")
    pd.DataFrame(all_months).to_csv(out / "measured_months.csv", index=False, lineterminator="\n")
    (out / "donors" / "README.md").write_text(
        DONOR_README.format(uci_commit=UCI_COMMIT, max_fill=MAX_FILL_H, smooth=SMOOTH_H,
                            table="\n".join(table), scores="\n".join(score_lines)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
