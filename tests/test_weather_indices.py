"""Climate indices against hand computations, zone boundaries, registry contents."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from ultralow.errors import InputError
from ultralow.weather import psychrometrics, solar
from ultralow.weather.indices import climate_indices
from ultralow.weather.morph import donor_files
from ultralow.weather.registry import get_city, list_cities
from ultralow.weather.zones import classify_zone, primary_zone, zone_ids

CHICAGO = next(p for p in donor_files() if "Chicago" in p.name)
MIAMI = next(p for p in donor_files() if "Miami" in p.name)


def _raw_records(path: Path) -> list[list[str]]:
    with open(path, newline="") as fh:
        return list(csv.reader(fh))[8:]


@pytest.mark.parametrize("path", [CHICAGO, MIAMI], ids=["chicago", "miami"])
def test_degree_days_and_hours_match_hand_computation(path: Path):
    days: dict[tuple[int, int], list[float]] = defaultdict(list)
    ddh = 0.0
    for rec in _raw_records(path):
        t = float(rec[6])
        days[(int(rec[1]), int(rec[2]))].append(t)
        ddh += max(0.0, t - 28.0)
    assert len(days) == 365 and all(len(v) == 24 for v in days.values())
    hdd = sum(max(0.0, 18.0 - sum(v) / 24) for v in days.values())
    cdd = sum(max(0.0, sum(v) / 24 - 26.0) for v in days.values())
    ci = climate_indices(path)
    assert ci.hdd18_kd == pytest.approx(hdd, abs=0.01)
    assert ci.cdd26_kd == pytest.approx(cdd, abs=0.01)
    assert ci.ddh28_kkh == pytest.approx(ddh / 1000.0, abs=1e-4)
    jan = [t for (m, _), v in days.items() if m == 1 for t in v]
    assert ci.monthly_mean_dry_bulb_c[0] == pytest.approx(sum(jan) / len(jan), abs=1e-3)


def _stull_wet_bulb(t: float, rh: float) -> float:
    """Stull (2011, J. Appl. Meteor. Climatol. 50:2267) empirical wet bulb at sea level."""
    return (t * math.atan(0.151977 * (rh + 8.313659) ** 0.5) + math.atan(t + rh)
            - math.atan(rh - 1.676331) + 0.00391838 * rh**1.5 * math.atan(0.023101 * rh)
            - 4.686035)


@pytest.mark.parametrize("t,rh", [(22, 90), (25, 50), (30, 60), (35, 40), (33, 45), (28, 80)])
def test_wet_bulb_agrees_with_independent_formula(t: float, rh: float):
    tdp = psychrometrics.dew_point_from_rh_c(t, rh)
    twb = float(psychrometrics.wet_bulb_c(t, tdp, 101325.0))
    assert twb == pytest.approx(_stull_wet_bulb(t, rh), abs=0.7)


def test_wet_bulb_fixed_points():
    assert float(psychrometrics.wet_bulb_c(20.0, 20.0)) == pytest.approx(20.0, abs=1e-3)
    # ASHRAE psychrometric chart: 30 °C dry bulb, 50 % RH at sea level -> wet bulb 22.0 °C
    tdp = psychrometrics.dew_point_from_rh_c(30.0, 50.0)
    assert float(psychrometrics.wet_bulb_c(30.0, tdp)) == pytest.approx(22.0, abs=0.15)
    # saturation pressure at 20 °C = 2339 Pa (ASHRAE Fundamentals table 3)
    assert float(psychrometrics.saturation_pressure_pa(20.0)) == pytest.approx(2339, abs=2)


def test_wdh20_matches_hand_sum_for_miami():
    recs = _raw_records(MIAMI)
    t = np.array([float(r[6]) for r in recs])
    tdp = np.array([float(r[7]) for r in recs])
    p = np.array([float(r[9]) for r in recs])
    # independent wet bulb by Newton iteration on the psychrometer equation (Carrier form)
    twb = tdp.copy()
    for _ in range(50):
        pws = psychrometrics.saturation_pressure_pa(twb)
        pw = psychrometrics.saturation_pressure_pa(tdp)
        f = pws - 6.53e-4 * p * (1 + 0.000944 * twb) * (t - twb) - pw
        twb = twb - f / (pws * 17.5 / (twb + 240.0) ** 2 * 240.0 + 6.53e-4 * p)
    wdh_hand = np.maximum(0.0, twb - 20.0).sum() / 1000.0
    ci = climate_indices(MIAMI)
    assert ci.wdh20_kkh == pytest.approx(wdh_hand, rel=0.03)
    assert ci.wdh20_kkh > 10.0  # Miami is humid


@pytest.mark.parametrize("hdd,cdd,zone", [
    (6000, 0, "severe_cold_A"), (5999.9, 0, "severe_cold_B"), (5000, 50, "severe_cold_B"),
    (4999.9, 0, "severe_cold_C"), (3800, 200, "severe_cold_C"), (3799.9, 90, "cold_A"),
    (2000, 90.01, "cold_B"), (2000, 0, "cold_A"), (1999.9, 9.99, "mild_A"),
    (1999.9, 10, "hscw_A"), (1200, 150, "hscw_A"), (1199.9, 150, "hscw_B"),
    (700, 5, "mild_A"), (699.9, 5, "mild_B"), (700, 100, "hscw_B"), (699.9, 100, "hsww_A"),
    (500, 300, "hsww_A"), (499.9, 300, "hsww_B"), (0, 400, "hsww_B"), (0, 0, "mild_B"),
])
def test_zone_boundaries(hdd: float, cdd: float, zone: str):
    assert classify_zone(hdd, cdd) == zone


def test_zone_ids_and_primary():
    assert set(zone_ids()) == {"severe_cold_A", "severe_cold_B", "severe_cold_C", "cold_A",
                               "cold_B", "hscw_A", "hscw_B", "hsww_A", "hsww_B", "mild_A",
                               "mild_B"}
    assert primary_zone("hsww_B") == "hsww" and primary_zone("mild_A") == "mild"
    with pytest.raises(InputError):
        primary_zone("tropical")
    with pytest.raises(InputError):
        classify_zone(-1, 0)


def test_donor_zones_are_plausible():
    assert climate_indices(MIAMI).climate_zone == "hsww_B"
    assert climate_indices(CHICAGO).primary_zone == "cold"


REQUIRED = ["Harbin", "Urumqi", "Hohhot", "Shenyang", "Beijing", "Tianjin", "Jinan", "Xi'an",
            "Zhengzhou", "Shanghai", "Wuhan", "Chongqing", "Changsha", "Guangzhou", "Shenzhen",
            "Dongguan", "Kunming"]


@pytest.mark.parametrize("name", REQUIRED)
def test_registry_has_required_city(name: str):
    rec = get_city(name)
    assert rec.key in list_cities()
    assert rec.time_zone_h == 8 and 18 < rec.latitude_deg < 50 and 80 < rec.longitude_deg < 130
    assert rec.climate_zone in zone_ids()
    assert len(rec.tmean_c) == 12 and len(rec.sunshine_h) == 12
    for tmax, tmean, tmin in zip(rec.tmax_c, rec.tmean_c, rec.tmin_c, strict=True):
        assert tmin < tmean < tmax
    assert all(0 < rh <= 100 for rh in rec.rh_pct) and all(s > 0 for s in rec.sunshine_h)
    assert len(rec.wmo) == 5


def test_registry_names_are_forgiving():
    assert get_city("xian") is get_city("Xi'an") is get_city("XI AN") is get_city("西安")
    assert get_city("HARBIN").key == "harbin"
    assert get_city("Kunming").climate_zone == "mild_A"


def test_unknown_city_lists_allowed():
    with pytest.raises(InputError) as info:
        get_city("Atlantis")
    assert "Atlantis" in str(info.value) and "harbin" in str(info.value)


def test_extraterrestrial_radiation_fao56_example():
    # FAO-56 example 8: 20 °S, 3 September (J = 246): Ra = 32.2 MJ/m²/day
    assert float(solar.daily_extraterrestrial_mj_m2(-20.0, 246)) == pytest.approx(32.2, abs=0.1)
    # FAO-56 example 9: same place and day, N = 11.7 h
    assert float(solar.day_length_h(-20.0, 246)) == pytest.approx(11.7, abs=0.05)


def test_hourly_extraterrestrial_integrates_to_daily():
    month = np.full(24, 6)
    day = np.full(24, 21)
    hour = np.arange(1, 25)
    etr = solar.hourly_extraterrestrial(45.0, 120.0, 8.0, month, day, hour, substeps=60)
    daily_mj = etr["horizontal_wh_m2"].sum() * 3600 / 1e6
    fao = float(solar.daily_extraterrestrial_mj_m2(45.0, solar.day_of_year(6, 21)))
    assert daily_mj == pytest.approx(fao, rel=0.01)
    assert etr["horizontal_wh_m2"][0] == 0.0  # midnight hour
