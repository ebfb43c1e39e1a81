"""``ultralow.weather.compare`` and ``ultralow weather compare``, on the engine's Chicago TMY3."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import CHICAGO_EPW
from ultralow.cli import main
from ultralow.weather.compare import compare_weather, comparison_dict, format_comparison
from ultralow.weather.epw import read_epw, write_epw
from ultralow.weather.indices import climate_indices


@pytest.fixture(scope="module")
def warmer_chicago(tmp_path_factory):
    """Chicago with every dry bulb + 1.0 K (dew points unchanged; RH as in the file)."""
    epw = read_epw(CHICAGO_EPW)
    warm = epw.copy()
    warm.data["dry_bulb_c"] = warm.data["dry_bulb_c"] + 1.0
    return write_epw(warm, tmp_path_factory.mktemp("compare") / "chicago_plus1K.epw")


def _all_numbers(d):
    if isinstance(d, dict):
        for v in d.values():
            yield from _all_numbers(v)
    elif isinstance(d, list):
        for v in d:
            yield from _all_numbers(v)
    elif isinstance(d, int | float) and not isinstance(d, bool):
        yield d


def test_file_against_itself_is_zero():
    c = compare_weather(CHICAGO_EPW, CHICAGO_EPW)
    for q in c.monthly:
        assert len(q.diff) == 12 and all(d == 0.0 for d in q.diff), q.key
    for q in c.annual:
        assert q.diff == 0.0, q.key
    assert c.ghi_diff_pct == 0.0
    diffs = comparison_dict(c)
    assert all(v == 0.0 for q in (*diffs["monthly"].values(), *diffs["annual"].values())
               for v in _all_numbers(q["b_minus_a"]))
    assert "B - A" in format_comparison(c)


def test_one_kelvin_warmer(warmer_chicago):
    c = compare_weather(CHICAGO_EPW, warmer_chicago)
    # monthly means of hourly values (rounded to 1e-4 by climate_indices): +1.0 K exactly
    for key in ("tmean_c", "tmax_c", "tmin_c"):
        assert c.monthly_of(key).diff == pytest.approx((1.0,) * 12, abs=1e-9), key
    assert c.monthly_of("dewpoint_c").diff == pytest.approx((0.0,) * 12, abs=1e-9)
    # the RH column is copied as it is (EnergyPlus takes the humidity from the dew point)
    assert c.monthly_of("rh_pct").diff == pytest.approx((0.0,) * 12, abs=1e-9)
    # Hand calculation: HDD18 = sum over days of max(0, 18 - t_d), t_d the mean of the day's 24
    # hourly dry bulbs. With every hour +1 K each t_d is +1 K, so the new HDD18 is
    # sum max(0, 17 - t_d) of the original daily means; the difference is new - old.
    data = read_epw(CHICAGO_EPW).data
    t_d = data.groupby(["month", "day"])["dry_bulb_c"].mean().to_numpy()
    expected = float(np.sum(np.maximum(0.0, 17.0 - t_d)) - np.sum(np.maximum(0.0, 18.0 - t_d)))
    assert -365 < expected < -200  # Chicago: about 245 of 365 days have t_d < 17 °C
    assert c.annual_of("hdd18_kd").diff == pytest.approx(expected, abs=2e-3)
    # ... and CDD26 rises by sum max(0, t_d - 25) - sum max(0, t_d - 26)
    cdd = float(np.sum(np.maximum(0.0, t_d - 25.0)) - np.sum(np.maximum(0.0, t_d - 26.0)))
    assert c.annual_of("cdd26_kd").diff == pytest.approx(cdd, abs=2e-3)
    # the day-to-day variability does not change with a uniform shift
    for key in ("summer_daily_sd_k", "winter_daily_sd_k", "mean_daily_range_k"):
        assert c.annual_of(key).diff == pytest.approx(0.0, abs=1e-3), key


def test_cooling_limit_is_the_standards_formula(warmer_chicago):
    # templates/standards/data/gbt51350_2019.toml, [[indicator]] cooling_demand_kwh_m2,
    # target "ultra-low", use "residential": formula = {constant = 3.5, wdh20_kkh = 2.0,
    # ddh28_kkh = 2.2}, i.e. limit = 3.5 + 2.0 * WDH20 + 2.2 * DDH28 (kWh/(m2 a), kKh).
    c = compare_weather(CHICAGO_EPW, warmer_chicago)
    for path, stats in ((CHICAGO_EPW, c.a_stats), (warmer_chicago, c.b_stats)):
        ci = climate_indices(path)
        assert ci.wdh20_kkh > 0 and ci.ddh28_kkh > 0
        assert stats.cooling_limit_kwh_m2a == pytest.approx(3.5 + 2.0 * ci.wdh20_kkh + 2.2 * ci.ddh28_kkh,
                                                            abs=1e-3)
    limit = c.annual_of("cooling_limit_kwh_m2a")
    assert limit.diff == pytest.approx(limit.b - limit.a, abs=1e-4) and limit.diff > 0


def test_cli_json(warmer_chicago, capsys):
    assert main(["weather", "compare", str(CHICAGO_EPW), str(warmer_chicago), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["monthly"]["tmean_c"]["b_minus_a"] == pytest.approx([1.0] * 12, abs=1e-9)
    assert payload["annual"]["hdd18_kd"]["b_minus_a"] < 0
    assert not any(isinstance(v, float) and math.isnan(v) for v in _all_numbers(payload))
    assert main(["weather", "compare", str(CHICAGO_EPW), str(warmer_chicago)]) == 0
    text = capsys.readouterr().out
    assert "HDD18 K·d" in text and "GHI kWh/m²" in text


def test_cli_missing_and_malformed_exit_2(tmp_path, capsys):
    missing = tmp_path / "no_such_file.epw"
    assert main(["weather", "compare", str(CHICAGO_EPW), str(missing)]) == 2
    err = capsys.readouterr().err
    assert "no_such_file.epw" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    broken = tmp_path / "broken.epw"
    lines = CHICAGO_EPW.read_text().splitlines()
    lines[30] = lines[30] + ",1"
    broken.write_text("\n".join(lines))
    assert main(["weather", "compare", str(broken), str(CHICAGO_EPW)]) == 2
    err = capsys.readouterr().err
    assert "broken.epw" in err and "Traceback" not in err


def test_compare_accepts_epw_objects():
    epw = read_epw(CHICAGO_EPW)
    c = compare_weather(epw, CHICAGO_EPW)
    assert c.monthly_of("ghi_kwh_m2").diff == (0.0,) * 12
    assert isinstance(pd.Series(c.a_stats.monthly_mean_dew_point_c).sum(), float)
