"""Issue 14: synthetic files built on the Chinese measured records (UCI 2010–2015 typical years),
humidity morphed as dew point, day-to-day swings kept, radiation calibrated to CBED station data,
and the cooling limit of the three measured cities inside their measured years' range.

Independent references: the donor typical years and the station climatology are read here with
pandas/csv straight from the data files; the cooling-limit formula is read from the standard's
TOML with tomllib; the indices come from the toolkit's climate_indices (tested against hand
calculations in test_weather_indices.py)."""

from __future__ import annotations

import csv
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from ultralow.weather.indices import climate_indices
from ultralow.weather.morph import synthesise


@pytest.fixture(autouse=True, scope="module")
def _cache(module_cache):
    """Every test of this module uses the module's own cache (conftest.module_cache)."""


def _data(*parts: str) -> str:
    return resources.files("ultralow.weather").joinpath("data", *parts).read_text()


def _donor(city: str) -> pd.DataFrame:
    return pd.read_csv(resources.files("ultralow.weather").joinpath("data", "donors", f"{city}_typical.csv"))


def _station(city: str) -> pd.DataFrame:
    rows = [r for r in csv.DictReader(_data("station_climatology.csv").splitlines()) if r["key"] == city]
    return pd.DataFrame(rows).astype({"month": int, "ghi_kwh_m2": float, "dhi_kwh_m2": float, "rh_pct": float})


def _daily_anomaly_sd(frame: pd.DataFrame, months: tuple[int, ...]) -> float:
    """SD of daily mean dry bulb about its month's mean, over ``months`` (K)."""
    daily = frame.groupby(["month", "day"])["dry_bulb_c"].mean().reset_index()
    daily["anomaly"] = daily["dry_bulb_c"] - daily.groupby("month")["dry_bulb_c"].transform("mean")
    return float(daily[daily["month"].isin(months)]["anomaly"].std())


@pytest.fixture(scope="module")
def files() -> dict[str, pd.DataFrame]:
    return {c: synthesise(c).data for c in ("hohhot", "harbin", "beijing", "shanghai", "guangzhou", "wuhan")}


@pytest.mark.parametrize("months", [(6, 7, 8), (12, 1, 2)])
def test_day_to_day_swings_are_the_donors_not_stretched(files, months):
    """Hohhot's mean daily range is about 1.3 times its donor's (Beijing): the diurnal cycle is
    stretched, the day-to-day swings of the daily means stay the donor's (within 15 %)."""
    ratio = _daily_anomaly_sd(files["hohhot"], months) / _daily_anomaly_sd(_donor("beijing"), months)
    assert 0.85 < ratio < 1.15, ratio


@pytest.mark.parametrize("city", ["hohhot", "harbin", "wuhan"])
def test_humidity_hits_the_station_rh_as_a_shifted_dew_point(files, city):
    data = files[city]
    rh = data.groupby("month")["relative_humidity_pct"].mean().to_numpy()
    target = _station(city).sort_values("month")["rh_pct"].to_numpy()
    assert np.abs(rh - target).max() < 1.5, rh - target
    assert (data["dew_point_c"] <= data["dry_bulb_c"]).all()
    # the dew point's day-to-day sequence is the donor's, shifted (correlation of daily means)
    donor = {"hohhot": "beijing", "harbin": "shenyang", "wuhan": "shanghai"}[city]
    a = data.groupby(["month", "day"])["dew_point_c"].mean().to_numpy()
    b = _donor(donor).groupby(["month", "day"])["dew_point_c"].mean().to_numpy()
    assert np.corrcoef(a, b)[0, 1] > 0.95


@pytest.mark.parametrize("city", ["harbin", "beijing", "guangzhou", "wuhan"])
def test_radiation_matches_station_monthly_global_and_diffuse(files, city):
    data = files[city]
    st = _station(city).sort_values("month")
    ghi = data.groupby("month")["ghi_wh_m2"].sum().to_numpy() / 1000.0
    dhi = data.groupby("month")["dhi_wh_m2"].sum().to_numpy() / 1000.0
    assert ghi.sum() == pytest.approx(st["ghi_kwh_m2"].sum(), rel=0.05)  # the bar
    assert np.abs(ghi / st["ghi_kwh_m2"].to_numpy() - 1).max() < 0.02
    assert np.abs(dhi / st["dhi_kwh_m2"].to_numpy() - 1).max() < 0.05


def test_radiation_follows_the_donors_weather(files):
    """Radiation of a measured-donor file is modelled from each day's temperature range: clear
    days (large range) get more sun than overcast ones in the same month."""
    d = files["harbin"]
    daily = d.groupby(["month", "day"]).agg(rng=("dry_bulb_c", lambda t: t.max() - t.min()),
                                             ghi=("ghi_wh_m2", "sum")).reset_index()
    july = daily[daily["month"] == 7]
    assert np.corrcoef(july["rng"], july["ghi"])[0, 1] > 0.5


def test_own_record_is_kept_unmorphed(files):
    donor = _donor("beijing")
    # equal to the file's 0.1 K (the month-boundary blends carry two decimals in the donor file)
    assert np.allclose(files["beijing"]["dry_bulb_c"].to_numpy(), donor["dry_bulb_c"].to_numpy(), atol=0.051)


@pytest.mark.parametrize("city", ["beijing", "shanghai", "guangzhou"])
def test_cooling_limit_inside_the_measured_years_range(files, city):
    text = resources.files("ultralow.templates.standards").joinpath("data", "gbt51350_2019.toml").read_text()
    (f,) = [r["formula"] for r in tomllib.loads(text)["indicator"]
            if r.get("formula") and r["target"] == "ultra-low" and r["use"] == "residential"]

    def limit(w: float, d: float) -> float:
        return f["constant"] + f["wdh20_kkh"] * w + f["ddh28_kkh"] * d

    years = [r for r in csv.DictReader(_data("measured_years.csv").splitlines())
             if r["city"] == city and r["complete"] == "true"]
    measured = [limit(float(r["wdh20_kkh"]), float(r["ddh28_kkh"])) for r in years]
    ci = climate_indices(files[city])
    assert min(measured) <= limit(ci.wdh20_kkh, ci.ddh28_kkh) <= max(measured)
