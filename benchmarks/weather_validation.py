"""Weather validation: each registry city's synthetic design-year EPW against the reference data
the package ships (``weather/data``, see ``SOURCES.md`` "Reference data").

1. CBED station climatology (``station_climatology.csv``): annual and monthly GHI, monthly mean
   daily mean/max/min temperature, RH and dew point. The station has no dew point: it is
   approximated from the station's monthly mean temperature and RH (psychrometrics), which runs
   lower than the mean of hourly dew points; ``Td*`` applies the same approximation to the
   synthetic file (like for like).
2. Measured years 2010-2015 (``measured_years.csv``, UCI hourly records, complete years only):
   HDD18, CDD26, WDH20, DDH28 and the GB/T 51350 ultra-low residential cooling limit of the
   synthetic file against the measured years' range.
3. Measured months (``measured_months.csv``): monthly errors against the measured years' means.
4. Day-to-day variability: SD of the daily mean dry bulb about its monthly mean (Jun-Aug,
   Dec-Feb) and mean daily range, synthetic file against the city's measured typical year
   (``donors/<city>_typical.csv``).

    python benchmarks/weather_validation.py [--cities beijing,harbin] [--data DIR]

Errors are synthetic minus reference. Prints tables, no pass/fail.
"""

from __future__ import annotations

import argparse
import math
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from ultralow.errors import InputError
from ultralow.weather import psychrometrics
from ultralow.weather.compare import cooling_limit_row, daily_variability, weather_statistics
from ultralow.weather.epw import read_epw
from ultralow.weather.morph import donor_plan
from ultralow.weather.reference import Spread
from ultralow.weather.registry import get_city, list_cities
from ultralow.weather.source import resolve_weather

GHI_TOLERANCE_PCT = 5.0
DEGREE_QUANTITIES = (("hdd18_kd", "HDD18", "K·d", 0), ("cdd26_kd", "CDD26", "K·d", 0),
                     ("wdh20_kkh", "WDH20", "kK·h", 2), ("ddh28_kkh", "DDH28", "kK·h", 2),
                     ("cooling_limit", "cool.limit", "kWh/m²a", 2))


def rms(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.sqrt(np.mean(x**2))) if len(x) else math.nan


def f(value: float | None, width: int, decimals: int, sign: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return f"{'-':>{width}s}"
    return f"{value:{'+' if sign else ''}{width}.{decimals}f}"


def load_data(data_dir: Path) -> dict[str, pd.DataFrame | None]:
    """The reference CSVs (None for a file that is not there)."""
    def read(name: str) -> pd.DataFrame | None:
        path = data_dir / name
        return pd.read_csv(path) if path.is_file() else None

    years = read("measured_years.csv")
    if years is not None:
        years["complete"] = years["complete"].astype(str).str.strip().str.lower() == "true"
    return {"station": read("station_climatology.csv"), "years": years,
            "months": read("measured_months.csv")}


def typical_year(data_dir: Path, city: str) -> pd.DataFrame | None:
    path = data_dir / "donors" / f"{city}_typical.csv"
    return pd.read_csv(path) if path.is_file() else None


def station_table(cities: dict, station: pd.DataFrame | None) -> tuple[list[str], int, int]:
    head = (f"{'city':10s} {'station':>7s} {'GHI syn':>8s} {'GHI stn':>8s} {'err %':>6s} "
            f"{'max|m%|':>7s} {'Tmean':>6s} {'Tmax':>6s} {'Tmin':>6s} {'RH pts':>6s} "
            f"{'Td':>6s} {'Td*':>6s}")
    units = (f"{'':10s} {'':>7s} {'kWh/m²':>8s} {'kWh/m²':>8s} {'':>6s} {'':>7s} "
             f"{'RMS K':>6s} {'RMS K':>6s} {'RMS K':>6s} {'mean':>6s} {'RMS K':>6s} {'RMS K':>6s}")
    lines = [head, units, "-" * len(head)]
    within = n = 0
    for key, s in cities.items():
        rows = None if station is None else station[station["key"] == key].sort_values("month")
        if rows is None or len(rows) != 12:
            lines.append(f"{key:10s} {'(no station climatology)':>30s}")
            continue
        ci = s.indices
        ghi_syn = np.array(ci.monthly_ghi_kwh_m2)
        ghi_stn = rows["ghi_kwh_m2"].to_numpy(float)
        annual_err = 100.0 * (ghi_syn.sum() - ghi_stn.sum()) / ghi_stn.sum()
        monthly_err = np.max(np.abs(100.0 * (ghi_syn - ghi_stn) / ghi_stn))
        t_err = [rms(np.array(getattr(ci, a)) - rows[b].to_numpy(float)) for a, b in
                 (("monthly_mean_dry_bulb_c", "tmean_c"), ("monthly_mean_daily_max_c", "tmax_c"),
                  ("monthly_mean_daily_min_c", "tmin_c"))]
        rh_err = float(np.mean(np.array(ci.monthly_mean_rh_pct) - rows["rh_pct"].to_numpy(float)))
        td_stn = psychrometrics.dew_point_from_rh_c(rows["tmean_c"].to_numpy(float),
                                                    rows["rh_pct"].to_numpy(float))
        td_syn_approx = psychrometrics.dew_point_from_rh_c(np.array(ci.monthly_mean_dry_bulb_c),
                                                           np.array(ci.monthly_mean_rh_pct))
        td = rms(np.array(s.monthly_mean_dew_point_c) - td_stn)
        td_like = rms(td_syn_approx - td_stn)
        n += 1
        within += abs(annual_err) <= GHI_TOLERANCE_PCT
        lines.append(f"{key:10s} {str(rows['station_id'].iloc[0]):>7s} {ghi_syn.sum():8.0f} "
                     f"{ghi_stn.sum():8.0f} {annual_err:+6.1f} {monthly_err:7.1f} "
                     + " ".join(f(v, 6, 2) for v in t_err)
                     + f" {rh_err:+6.1f} {td:6.2f} {td_like:6.2f}")
    return lines, within, n


def measured_years_table(cities: dict, years: pd.DataFrame | None) -> tuple[list[str], int, int]:
    head = (f"{'city':10s} {'quantity':10s} {'unit':8s} {'synthetic':>9s} {'meas. min-max':>17s} "
            f"{'mean ± sd':>17s} {'n':>2s} {'inside':>6s} {'outside by':>10s}")
    lines = [head, "-" * len(head)]
    inside_limit = n_cities = 0
    for key, s in cities.items():
        rows = None if years is None else years[(years["city"] == key) & years["complete"]]
        if rows is None or rows.empty:
            continue
        n_cities += 1
        row = cooling_limit_row(get_city(key).climate_zone)
        rows = rows.assign(cooling_limit=[row.limit(w, d) for w, d in
                                          zip(rows["wdh20_kkh"], rows["ddh28_kkh"], strict=True)])
        ci = s.indices
        syn = {"hdd18_kd": ci.hdd18_kd, "cdd26_kd": ci.cdd26_kd, "wdh20_kkh": ci.wdh20_kkh,
               "ddh28_kkh": ci.ddh28_kkh, "cooling_limit": row.limit(ci.wdh20_kkh, ci.ddh28_kkh)}
        for col, label, unit, d in DEGREE_QUANTITIES:
            sp = Spread.of([float(v) for v in rows[col]])
            value = syn[col]
            inside = sp.contains(value)
            by = 0.0 if inside else (value - sp.maximum if value > sp.maximum else value - sp.minimum)
            if col == "cooling_limit":
                inside_limit += inside
            rng = f"{sp.minimum:.{d}f}-{sp.maximum:.{d}f}"
            ms = f"{sp.mean:.{d}f} ± {sp.sd:.{d}f}"
            lines.append(f"{key:10s} {label:10s} {unit:8s} {value:9.{d}f} {rng:>17s} {ms:>17s} "
                         f"{sp.n:2d} {'yes' if inside else 'NO':>6s} "
                         f"{'' if inside else f'{by:+.{d}f}':>10s}".rstrip())
    return lines, inside_limit, n_cities


def measured_months_table(cities: dict, months: pd.DataFrame | None,
                          years: pd.DataFrame | None) -> list[str]:
    head = (f"{'city':10s} {'years':>9s} {'Tmean':>6s} {'Tmax':>6s} {'Tmin':>6s} {'Tmean':>6s} "
            f"{'RH pts':>6s} {'Td':>6s} {'Td':>6s}")
    units = (f"{'':10s} {'':>9s} {'RMS K':>6s} {'RMS K':>6s} {'RMS K':>6s} {'bias K':>6s} "
             f"{'mean':>6s} {'RMS K':>6s} {'bias K':>6s}")
    lines = [head, units, "-" * len(head)]
    for key, s in cities.items():
        if months is None:
            break
        rows = months[months["city"] == key]
        if years is not None:
            complete = set(years.loc[(years["city"] == key) & years["complete"], "year"])
            rows = rows[rows["year"].isin(complete)]
        if rows.empty:
            continue
        mean = rows.groupby("month")[["tmean_c", "tmax_c", "tmin_c", "rh_pct", "dewpoint_c"]].mean()
        mean = mean.reindex(range(1, 13))
        ci = s.indices
        e_mean = np.array(ci.monthly_mean_dry_bulb_c) - mean["tmean_c"].to_numpy()
        e_max = np.array(ci.monthly_mean_daily_max_c) - mean["tmax_c"].to_numpy()
        e_min = np.array(ci.monthly_mean_daily_min_c) - mean["tmin_c"].to_numpy()
        e_rh = np.array(ci.monthly_mean_rh_pct) - mean["rh_pct"].to_numpy()
        e_td = np.array(s.monthly_mean_dew_point_c) - mean["dewpoint_c"].to_numpy()
        yrs = sorted(rows["year"].unique())
        lines.append(f"{key:10s} {f'{yrs[0]}-{yrs[-1]}':>9s} {rms(e_mean):6.2f} {rms(e_max):6.2f} "
                     f"{rms(e_min):6.2f} {np.nanmean(e_mean):+6.2f} {np.nanmean(e_rh):+6.1f} "
                     f"{rms(e_td):6.2f} {np.nanmean(e_td):+6.2f}")
    return lines


def variability_table(cities: dict, data_dir: Path) -> list[str]:
    head = (f"{'city':10s} {'T/Td sequence':16s} {'Jun-Aug SD K':>13s} {'Dec-Feb SD K':>13s} "
            f"{'daily range K':>13s}")
    sub = f"{'':10s} {'':16s} " + " ".join(f"{'syn':>6s} {'meas':>6s}" for _ in range(3))
    lines = [head, sub, "-" * len(head)]
    for key, s in cities.items():
        plan = donor_plan(get_city(key))
        seq = (("own record" if plan.own_record else f"{plan.measured} rec.") if plan.measured
               else "TMY3 " + Path(plan.base.name).name.split("_")[2].replace(".", " ")[:11])
        ty = typical_year(data_dir, key)
        meas = daily_variability(ty) if ty is not None else None
        v = s.variability
        pairs = [(v.summer_daily_sd_k, meas.summer_daily_sd_k if meas else None),
                 (v.winter_daily_sd_k, meas.winter_daily_sd_k if meas else None),
                 (v.mean_daily_range_k, meas.mean_daily_range_k if meas else None)]
        lines.append(f"{key:10s} {seq:16s} " + " ".join(f"{f(a, 6, 2)} {f(b, 6, 2)}" for a, b in pairs))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", help="comma-separated registry keys (default: all)")
    parser.add_argument("--data", type=Path, default=None,
                        help="folder with the reference CSVs (default: the package's weather/data)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    try:
        keys = list_cities() if not args.cities else [get_city(c.strip()).key for c in args.cities.split(",")]
    except InputError as exc:
        raise SystemExit(f"weather_validation: {exc}") from None
    data_dir = args.data or Path(str(resources.files("ultralow.weather").joinpath("data")))
    data = load_data(data_dir)
    cities = {}
    for key in keys:
        src = resolve_weather(city=key)
        cities[key] = weather_statistics(read_epw(src.epw_path))
    t_build = time.perf_counter() - t0

    print(f"Synthetic design-year weather vs reference data ({data_dir}); errors = synthetic - reference")
    print("\n1. CBED station climatology (GHI, monthly T, RH). Td: station dew point APPROXIMATED from")
    print("   the station's monthly mean T and RH (psychrometrics) vs the file's mean hourly dew point;")
    print("   Td*: the same approximation applied to the file's monthly mean T and RH (like for like).")
    print("   Not independent: the morph fits monthly GHI (and RH, where it morphs the T/Td sequence) to")
    print("   this climatology, so those columns check the fit; temperatures are fitted to the registry")
    print("   normals, so the T columns compare two climatologies.")
    lines, ghi_within, n_station = station_table(cities, data["station"])
    print("\n".join(lines))

    print("\n2. Measured years (UCI hourly records 2010-2015, complete years): synthetic file vs the")
    print("   years' range. cool.limit = GB/T 51350 ultra-low residential cooling-demand limit from")
    row = cooling_limit_row(get_city(keys[0]).climate_zone)
    print(f"   gbt51350_2019.toml: {row.formula_text() if row else 'n/a'} (kWh/(m²·a)).")
    own = [k for k in cities if donor_plan(get_city(k)).own_record]
    if own:
        print(f"   Not independent for {', '.join(own)}:")
        print("   their files keep the T/Td of a typical year selected from these same records (sections 2-4).")
    lines, limit_inside, n_measured = measured_years_table(cities, data["years"])
    print("\n".join(lines) if n_measured else "   (no selected city has measured years)")

    print("\n3. Measured months (mean of the complete years' monthly values)")
    lines = measured_months_table(cities, data["months"], data["years"])
    print("\n".join(lines) if len(lines) > 3 else "   (no selected city has measured months)")

    print("\n4. Day-to-day variability: SD of daily mean dry bulb about its monthly mean (pooled per")
    print("   season) and mean daily range; meas = the city's measured typical year (donors/<city>_typical.csv).")
    print("   'own record': the file keeps that record's T/Td unmorphed (agreement expected by construction).")
    print("\n".join(variability_table(cities, data_dir)))

    print(f"\nSummary: {ghi_within} of {n_station} cities within {GHI_TOLERANCE_PCT:g} % of the station's "
          f"annual GHI; cooling limit inside the measured years' range for {limit_inside} of "
          f"{n_measured} measured cities.")
    print(f"({len(keys)} cities; weather files built/resolved in {t_build:.1f} s, "
          f"total {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
