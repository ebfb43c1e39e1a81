"""Threshold and variant studies on a small hand-made sweep table (no simulation): shares, their
intervals, the cheapest complying package, savings and marginal costs against the baseline, all
checked against hand counts. The sweep with EnergyPlus: tests/test_sweep_variants.py."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from ultralow.errors import InputError
from ultralow.optimise.threshold import flag_share_changes, parse_study, share_interval, variant_table
from ultralow.optimise.variants import Limit, Variant, column, complies, design_columns, parse_variant, property_column
from ultralow.templates.standards import ComplianceContext, evaluate


def threshold_table(table, studies, variables, **kwargs):
    """The variant table of one-indicator threshold studies."""
    return variant_table(table, [v for s in studies for v in s.variants()], variables, **kwargs)


def _design(city: str, zone: str, sample: str, wall_u: float, cost: float, heating: float,
            saving: float = 0.5, window_u: float = 1.5) -> dict:
    """One row: gb55015 indicators wall U (<= 0.35 in both zones) and the saving rate (>= 0.30);
    cost in RMB/m2 against the cost base; primary energy = heating + 20, CO2 = 0.5 kg/kWh of it."""
    row = {"city": city, "template": "residential", "climate_zone": zone, "sample": sample, "status": "ok",
           "key": f"{city}-{sample}-{wall_u}", "wall_u_w_m2k": wall_u, "incremental_investment_rmb_m2": cost,
           "heating_demand_kwh_m2": heating, "cooling_demand_kwh_m2": 1.0, "primary_energy_kwh_m2": heating + 20,
           "co2_kg_m2": 0.5 * (heating + 20), property_column("window_u_w_m2k"): window_u,
           property_column("wall_u_w_m2k"): wall_u}
    for name, value, limit, cmp_ in (("wall_u_w_m2k", wall_u, 0.35, "<="),
                                     ("saving_rate_vs_2016_baseline", saving, 0.30, ">=")):
        row.update({column("gb55015", name, "value"): value, column("gb55015", name, "limit"): limit,
                    column("gb55015", name, "cmp"): cmp_})
    return row


def _table() -> pd.DataFrame:
    rows = []
    for city, zone in (("harbin", "severe_cold_B"), ("beijing", "cold_B")):
        rows.append(_design(city, zone, "baseline", 0.45, 0.0, 60.0, saving=0.1))
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
    assert harbin["cheapest_cost_rmb_m2"].tolist() == [20.0, 35.0, 50.0]
    assert harbin["extra_cost_rmb_m2"].tolist() == [20.0, 35.0, 50.0]  # the baseline costs 0 over the cost base
    assert harbin["cheapest_origin"].eq("sample").all() and harbin.index.tolist() == [0.35, 0.25, 0.15]
    assert harbin.loc[0.15, "cheapest_package"] == '{"wall_u_w_m2k": 0.15}'
    assert harbin["heating_demand_kwh_m2_saved"].tolist() == pytest.approx([20.0, 30.0, 35.0])  # vs the baseline's 60
    assert harbin["applies"].all() and harbin["comparison"].eq("<=").all()
    # Beijing is cold_B: the study does not apply; the standard's 0.35 stays
    beijing = out.loc["beijing"]
    assert not beijing["applies"].any()
    assert beijing["n_complying"].tolist() == [3, 3, 3]
    assert beijing["cheapest_cost_rmb_m2"].tolist() == [20.0, 20.0, 20.0]


def test_share_never_rises_as_a_limit_tightens():
    study = parse_study({**STUDY, "values": [0.5, 0.4, 0.3, 0.2, 0.1, 0.05], "zones": []})
    shares = threshold_table(_table(), [study], ["wall_u_w_m2k"]).query("city == 'beijing'")["compliance_share"]
    assert shares.is_monotonic_decreasing and shares.iloc[0] == 1.0 and shares.iloc[-1] == 0.0


def test_columns_round_trip_a_real_report():
    ctx = ComplianceContext(climate_zone="severe_cold_B", building_use="residential", storeys=6,
                            parameters={"n50_ach": 0.6, "hrv_efficiency": 0.75}, wdh20_kkh=0.0, ddh28_kkh=0.0)
    result = {"heating_demand_kwh_m2": 17.0, "cooling_demand_kwh_m2": 2.0, "primary_energy_kwh_m2": 40.0}
    report = evaluate("ultra-low", result, ctx)
    row = {"climate_zone": "severe_cold_B", **design_columns([report], {"wall_u_w_m2k": 0.2})}
    heating_limit = report.indicator("heating_demand_kwh_m2").limit
    assert complies(row, Variant("as stated", "ultra-low")) == report.passed
    tight, loose = parse_study({"target": "ultra-low", "indicator": "heating_demand_kwh_m2",
                                "values": [16.0, max(18.0, heating_limit or 0)]}).variants()
    assert not complies(row, tight)
    # with a looser heating limit the heating indicator passes; the rest decide as in the report
    others = all(i.passed for i in report.requirements if i.name != "heating_demand_kwh_m2")
    assert complies(row, loose) == others


def _variant_table():
    """Three variants of GB 55015 in severe cold: as stated, wall <= 0.25 + window <= 1.2, wall
    <= 0.15 + window <= 1.0 (the window limit is added: gb55015's own window limit is not in the rows)."""
    variants = [parse_variant({"name": "current", "target": "gb55015"}, 0),
                parse_variant({"name": "step 1", "standard": "gb55015_2021", "zones": ["severe_cold"],
                               "limits": {"wall_u_w_m2k": 0.25, "window_u_w_m2k": 1.2}}, 1),
                parse_variant({"name": "step 2", "target": "gb55015", "zones": ["severe_cold"],
                               "limits": {"wall_u_w_m2k": 0.15, "window_u_w_m2k": "<= 1.0"}}, 2)]
    rows = [_design("harbin", "severe_cold_B", "baseline", 0.35, 5.0, 50.0, window_u=1.6)]
    for u, win, cost, heating in ((0.30, 1.5, 20.0, 40.0), (0.20, 1.5, 30.0, 34.0), (0.20, 1.1, 40.0, 32.0),
                                  (0.15, 1.0, 70.0, 25.0), (0.12, 0.9, 90.0, 22.0), (0.20, 1.0, 45.0, 30.0)):
        rows.append(_design("harbin", "severe_cold_B", "main", u, cost, heating, window_u=win))
    rows.append({**_design("harbin", "severe_cold_B", "search", 0.15, 60.0, 26.0, window_u=1.0), "key": "s1"})
    return variant_table(pd.DataFrame(rows), variants, ["wall_u_w_m2k"], budget_rmb_m2=50.0, co2_years=50.0)


def test_variants_combine_limits_on_top_of_a_target_and_price_each_step():
    """Hand counts over the 6 sampled designs; the search row (cost 60) is a candidate for the
    cheapest package but not part of the population the shares count."""
    out = _variant_table().set_index("variant")
    assert out["n_designs"].tolist() == [6, 6, 6]
    # current: every design passes wall <= 0.35 (gb55015 has no window column here);
    # step 1: wall <= 0.25 and window <= 1.2 -> (0.20, 1.1), (0.15, 1.0), (0.12, 0.9), (0.20, 1.0);
    # step 2: wall <= 0.15 and window <= 1.0 -> (0.15, 1.0), (0.12, 0.9)
    assert out["n_complying"].tolist() == [6, 4, 2]
    assert out["description"].tolist()[2] == "gb55015 + wall_u_w_m2k <= 0.15 + window_u_w_m2k <= 1 (in severe_cold)"
    # the baseline (wall 0.35, cost 5) complies with the standard as stated: it is that variant's
    # cheapest package, at no extra cost and no saving
    assert out["cheapest_cost_rmb_m2"].tolist() == [5.0, 40.0, 60.0]
    assert out["cheapest_origin"].tolist() == ["baseline", "sample", "search"]
    assert out["cheapest_sampled_extra_cost_rmb_m2"].tolist() == [15.0, 35.0, 65.0]
    assert out["extra_cost_rmb_m2"].tolist() == [0.0, 35.0, 55.0]  # over the baseline's 5 RMB/m2
    assert out["primary_energy_kwh_m2_saved"].tolist() == pytest.approx([0.0, 18.0, 24.0])  # baseline 70
    # within the 50 RMB/m2 budget: complying sampled designs costing <= 55 (20, 30, 40, 45 / 40, 45 / none)
    assert out["n_within_budget"].tolist() == [4, 2, 0] and out["within_budget"].tolist() == [True, True, False]
    # marginal costs: step 1 costs 35 RMB/m2 more and saves 18 kWh/(m2 a) of primary energy and
    # 9 kg CO2/(m2 a), i.e. 0.45 t per m2 over 50 years: 35/18 RMB/m2 per kWh/(m2 a), 77.8 RMB/t
    assert math.isnan(out.loc["current", "marginal_cost_rmb_per_kwh"])
    assert out.loc["step 1", "marginal_cost_rmb_per_kwh"] == pytest.approx(35.0 / 18.0)
    assert out.loc["step 1", "marginal_cost_rmb_per_t_co2"] == pytest.approx(35.0 / (9.0 * 50 / 1000))
    assert out.loc["step 2", "marginal_cost_rmb_per_kwh"] == pytest.approx(20.0 / 6.0)


def test_a_variant_outside_its_zones_is_the_target_as_stated():
    rows = [_design("beijing", "cold_B", "main", 0.30, 20.0, 40.0, window_u=1.5)]
    variant = parse_variant({"name": "tight", "target": "gb55015", "zones": ["severe_cold"],
                             "limits": {"wall_u_w_m2k": 0.15, "window_u_w_m2k": 1.0}})
    assert complies(rows[0], variant) and not complies({**rows[0], "climate_zone": "severe_cold_A"}, variant)


def test_an_unevaluated_added_limit_fails():
    row = _design("harbin", "severe_cold_B", "main", 0.15, 20.0, 40.0)
    row[property_column("window_u_w_m2k")] = None
    assert not complies(row, Variant("v", "gb55015", (Limit("window_u_w_m2k", "<=", 1.0),)))


@pytest.mark.parametrize("raw, message", [
    ({"target": "gb55015"}, "name"),
    ({"name": "x", "target": "retrofit"}, "not allowed"),
    ({"name": "x", "target": "gb55015", "limits": {"wall_u_w_m2k": "< 0.2"}}, "must be a number"),
    ({"name": "x", "target": "gb55015", "limits": {"wall_u_w_m2k": float("nan")}}, "finite"),
    ({"name": "x", "target": "gb55015", "limits": [0.2]}, "must be a table"),
    ({"name": "x", "target": "gb55015", "zones": ["arctic"]}, "climate zone"),
    ({"name": "x", "target": "gb55015", "level": 2}, "unknown key"),
])
def test_bad_variants_are_refused(raw, message):
    with pytest.raises(InputError, match=message):
        parse_variant(raw)


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


def test_when_nothing_complies_the_closest_design_and_what_it_fails_are_named():
    """Hand case: at wall U <= 0.12 no Harbin design complies; the least violation is the 0.15 wall
    (relative margin (0.15 - 0.12) / 0.12 = 0.25, against 0.10's saving-rate shortfall (0.30 - 0.20) /
    0.30 = 0.33), which fails only the wall limit."""
    study = parse_study({**STUDY, "values": [0.35, 0.12]})
    out = threshold_table(_table(), [study], ["wall_u_w_m2k"]).set_index(["city", "threshold"])
    assert pd.isna(out.loc[("harbin", 0.35), "none_complies_because"])
    row = out.loc[("harbin", 0.12)]
    assert row["n_complying"] == 0 and pd.isna(row["cheapest_key"])
    assert row["closest_key"] == "harbin-main-0.15"
    assert row["none_complies_because"] == "closest buildable design fails: wall_u_w_m2k 0.15 > 0.12"
