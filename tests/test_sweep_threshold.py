"""Threshold-study logic on a small hand-made sweep table (no simulation)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from ultralow.errors import InputError
from ultralow.optimise.threshold import (
    column,
    compliance_mask,
    flag_share_changes,
    indicator_columns,
    parse_study,
    share_interval,
    threshold_table,
)
from ultralow.templates.standards import ComplianceContext, evaluate


def _design(city: str, zone: str, sample: str, wall_u: float, cost: float, heating: float,
            saving: float = 0.5) -> dict:
    """One row: gb55015 indicators wall U (<= 0.35 in both zones) and the saving rate (>= 0.30)."""
    row = {"city": city, "template": "residential", "climate_zone": zone, "sample": sample, "status": "ok",
           "key": f"{city}-{sample}-{wall_u}", "wall_u_w_m2k": wall_u, "incremental_investment_rmb": cost,
           "heating_demand_kwh_m2": heating, "cooling_demand_kwh_m2": 1.0, "primary_energy_kwh_m2": heating + 20}
    for name, value, limit, cmp_ in (("wall_u_w_m2k", wall_u, 0.35, "<="),
                                     ("saving_rate_vs_2016_baseline", saving, 0.30, ">=")):
        row.update({column("gb55015", name, "value"): value, column("gb55015", name, "limit"): limit,
                    column("gb55015", name, "cmp"): cmp_})
    return row


def _table() -> pd.DataFrame:
    rows = []
    for city, zone in (("harbin", "severe_cold_B"), ("beijing", "cold_B")):
        rows.append(_design(city, zone, "default", 0.45, 0.0, 60.0, saving=0.1))
        for u, cost, heating in ((0.40, 10.0, 50.0), (0.30, 20.0, 40.0), (0.20, 35.0, 30.0), (0.15, 50.0, 25.0)):
            rows.append(_design(city, zone, "main", u, cost, heating))
    rows.append(_design("harbin", "severe_cold_B", "main", 0.10, 5.0, 20.0, saving=0.2))  # fails the saving
    failed = {k: (math.nan if isinstance(v, float) else v) for k, v in _design("harbin", "severe_cold_B", "main",
                                                                                0.12, 1.0, 1.0).items()}
    failed.update(status="failed", key="broken")
    rows.append(failed)
    return pd.DataFrame(rows)


STUDY = {"name": "severe-cold wall U", "standard": "gb55015_2021", "indicator": "wall_u_w_m2k",
         "values": [0.35, 0.25, 0.15], "zones": ["severe_cold"]}


def test_threshold_table_shares_cheapest_and_savings():
    study = parse_study(STUDY)
    assert study.target == "gb55015" and study.applies("severe_cold_C") and not study.applies("cold_B")
    out = threshold_table(_table(), [study], ["wall_u_w_m2k"]).set_index(["city", "threshold"])
    harbin = out.loc["harbin"]
    assert harbin["n_designs"].tolist() == [5, 5, 5] and harbin["n_failed"].tolist() == [1, 1, 1]
    # 0.30, 0.20, 0.15 / 0.20, 0.15 / 0.15 (0.10 always fails the saving rate)
    assert harbin["n_complying"].tolist() == [3, 2, 1]
    assert harbin["compliance_share"].tolist() == pytest.approx([0.6, 0.4, 0.2])
    assert harbin["cheapest_incremental_investment_rmb"].tolist() == [20.0, 35.0, 50.0]
    assert harbin.loc[0.15, "cheapest_package"] == '{"wall_u_w_m2k": 0.15}'
    assert harbin["heating_demand_kwh_m2_saved"].tolist() == pytest.approx([20.0, 30.0, 35.0])  # vs default 60
    assert harbin["applies"].all() and harbin["comparison"].eq("<=").all()
    # Beijing is cold_B: the study does not apply; the standard's 0.35 stays
    beijing = out.loc["beijing"]
    assert not beijing["applies"].any()
    assert beijing["n_complying"].tolist() == [3, 3, 3]
    assert beijing["cheapest_incremental_investment_rmb"].tolist() == [20.0, 20.0, 20.0]


def test_share_never_rises_as_a_limit_tightens():
    study = parse_study({**STUDY, "values": [0.5, 0.4, 0.3, 0.2, 0.1, 0.05], "zones": []})
    shares = threshold_table(_table(), [study], ["wall_u_w_m2k"]).query("city == 'beijing'")["compliance_share"]
    assert shares.is_monotonic_decreasing and shares.iloc[0] == 1.0 and shares.iloc[-1] == 0.0


def test_columns_round_trip_a_real_report():
    ctx = ComplianceContext(climate_zone="severe_cold_B", building_use="residential", storeys=6,
                            parameters={"n50_ach": 0.6, "hrv_efficiency": 0.75}, wdh20_kkh=0.0, ddh28_kkh=0.0)
    result = {"heating_demand_kwh_m2": 17.0, "cooling_demand_kwh_m2": 2.0, "primary_energy_kwh_m2": 40.0}
    report = evaluate("ultra-low", result, ctx)
    table = pd.DataFrame([{"climate_zone": "severe_cold_B", **indicator_columns(report)}])
    heating_limit = report.indicator("heating_demand_kwh_m2").limit
    assert bool(compliance_mask(table, None, None, target="ultra-low").iloc[0]) == report.passed
    study = parse_study({"target": "ultra-low", "indicator": "heating_demand_kwh_m2", "values": [16.0, 18.0]})
    assert not compliance_mask(table, study, 16.0).iloc[0]
    # with a looser heating limit the heating indicator passes; the rest decide as in the report
    others = all(i.passed for i in report.indicators if i.name != "heating_demand_kwh_m2")
    assert bool(compliance_mask(table, study, max(18.0, heating_limit or 0)).iloc[0]) == others


@pytest.mark.parametrize("raw, message", [
    ({"indicator": "wall_u_w_m2k", "values": [0.3]}, "target"),
    ({"target": "gb55015", "values": [0.3]}, "indicator"),
    ({"target": "gb55015", "indicator": "wall_u_w_m2k", "values": []}, "values"),
    ({"target": "gb55015", "indicator": "wall_u_w_m2k", "values": [0.3], "zones": ["arctic"]}, "climate zone"),
    ({"standard": "gbt51350_2019", "indicator": "heating_demand_kwh_m2", "values": [15]}, "one target"),
    ({"target": "gb55015", "indicator": "x", "values": [1], "limit": 2}, "unknown key"),
])
def test_bad_studies_are_refused(raw, message):
    with pytest.raises(InputError, match=message):
        parse_study(raw)


def test_share_interval_hand_cases():
    """Issue 15's example: 1 complying design of 16 has a 95 % interval of about 0.2-30 %. Exact
    (Clopper-Pearson) bounds by hand: 1 - (1 - L)^16 = 0.025 gives L = 1 - 0.975^(1/16); for
    k = 0 the upper bound solves (1 - U)^n = 0.025, for k = n the lower bound L^n = 0.025."""
    low, high = share_interval(1, 16)
    assert low == pytest.approx(1 - 0.975 ** (1 / 16), rel=1e-9) and high == pytest.approx(0.3023, abs=1e-4)
    assert share_interval(0, 10) == pytest.approx((0.0, 1 - 0.025 ** (1 / 10)))
    assert share_interval(10, 10) == pytest.approx((0.025 ** (1 / 10), 1.0))
    assert all(math.isnan(v) for v in share_interval(0, 0))


def test_every_simulated_design_is_counted_with_its_interval():
    """Issue 15: the sensitivity designs already simulated count too (not only the main sample)."""
    table = _table()
    extra = _design("harbin", "severe_cold_B", "morris", 0.25, 30.0, 35.0)
    table = pd.concat([table, pd.DataFrame([extra])], ignore_index=True)
    out = threshold_table(table, [parse_study(STUDY)], ["wall_u_w_m2k"]).set_index(["city", "threshold"])
    harbin = out.loc["harbin"]
    assert harbin["n_designs"].tolist() == [6, 6, 6] and harbin["samples"].eq("main+morris").all()
    assert harbin["n_complying"].tolist() == [4, 3, 1]  # the morris design (U 0.25) complies at 0.35 and 0.25
    low, high = share_interval(4, 6)
    assert harbin.loc[0.35, "compliance_share_low"] == pytest.approx(low)
    assert harbin.loc[0.35, "compliance_share_high"] == pytest.approx(high)
    assert (harbin["compliance_share_low"] <= harbin["compliance_share"]).all()
    assert (harbin["compliance_share"] <= harbin["compliance_share_high"]).all()


def test_a_share_change_within_sampling_uncertainty_is_flagged():
    """5 designs cannot tell 60 % from 40 % (the exact intervals overlap); 400 designs can tell
    60 % from 40 % (each interval is about +/- 5 points)."""
    study = parse_study(STUDY)
    small = threshold_table(_table(), [study], ["wall_u_w_m2k"]).query("city == 'harbin'")
    assert small["share_change"].iloc[1] == pytest.approx(-0.2)
    assert small["share_change_resolved"].tolist()[1:] == [False, False]
    big = pd.DataFrame({"study": ["s", "s"], "city": ["x", "x"], "template": ["t", "t"],
                        "compliance_share": [0.6, 0.4],
                        "compliance_share_low": [share_interval(240, 400)[0], share_interval(160, 400)[0]],
                        "compliance_share_high": [share_interval(240, 400)[1], share_interval(160, 400)[1]]})
    assert flag_share_changes(big)["share_change_resolved"].tolist() == [None, True]
