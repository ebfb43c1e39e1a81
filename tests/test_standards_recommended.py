"""GB/T 51350 §6.1 recommended envelope values: informative checks shown with pass/fail, never
counted in ``report.passed`` and never requirements (made-up results, no EnergyPlus)."""

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.evaluate import ComplianceContext, evaluate, summer_shgc
from ultralow.templates.standards.loader import load_path, load_standard

AREAS = {"conditioned_floor_area_m2": 1000.0, "usable_floor_area_m2": 1000.0}
PASSING = {"heating_demand_kwh_m2": 10.0, "cooling_demand_kwh_m2": 2.0, "primary_energy_kwh_m2": 40.0, **AREAS}
GOOD_ENVELOPE = {"wall_u_w_m2k": 0.12, "roof_u_w_m2k": 0.12, "floor_u_w_m2k": 0.2, "window_u_w_m2k": 0.9,
                 "window_shgc": 0.5, "external_shading": "seasonal", "external_shade_solar_transmittance": 0.1}


def context(zone="severe_cold_B", **params):
    return ComplianceContext(zone, "residential", 6,
                             parameters={"n50_ach": 0.5, "hrv_efficiency": 0.8, **GOOD_ENVELOPE, **params},
                             wdh20_kkh=1.0, ddh28_kkh=0.5)


def test_recommendations_loaded_unverified_with_clauses():
    recs = load_standard("gbt51350_2019").recommendations
    assert len(recs) == 26
    assert all(not r.verified and r.clause.startswith("GB/T 51350-2019 Table 6.1.") for r in recs)
    wall = next(r for r in recs if r.quantity == "wall_u_w_m2k" and "severe_cold_B" in r.zones)
    assert (wall.range_min, wall.range_max, wall.limit) == (0.10, 0.15, 0.15)
    hsww_summer = next(r for r in recs if r.quantity == "window_shgc_summer" and "hsww_A" in r.zones)
    assert hsww_summer.limit == 0.15 and hsww_summer.comparison == "<="


def test_good_envelope_passes_every_recommendation():
    report = evaluate("ultra-low", PASSING, context())
    recs = {i.name: i for i in report.recommendations}
    assert set(recs) == {"recommended_wall_u_w_m2k", "recommended_roof_u_w_m2k", "recommended_floor_u_w_m2k",
                         "recommended_window_u_w_m2k", "recommended_window_shgc_winter",
                         "recommended_window_shgc_summer"}
    assert all(i.passed for i in recs.values()) and all(i.kind == "recommended" for i in recs.values())
    assert "recommended range 0.1-0.15" in recs["recommended_wall_u_w_m2k"].note
    assert report.passed


def test_failed_recommendations_are_not_counted():
    report = evaluate("ultra-low", PASSING, context(wall_u_w_m2k=0.25, window_u_w_m2k=1.4, window_shgc=0.35))
    failed = {i.name for i in report.recommendations if i.passed is False}
    assert {"recommended_wall_u_w_m2k", "recommended_window_u_w_m2k", "recommended_window_shgc_winter"} <= failed
    assert report.passed and report.failed == [] and report.exit_status() == 0
    # the requirements (what an optimiser may constrain) hold no recommendation
    assert all(i.kind == "requirement" for i in report.requirements)
    assert not {i.name for i in report.requirements} & failed
    data = report.to_dict()
    assert data["passed"] is True
    kinds = {d["name"]: d["kind"] for d in data["indicators"]}
    assert kinds["recommended_wall_u_w_m2k"] == "recommended" and kinds["heating_demand_kwh_m2"] == "requirement"


def test_summer_shgc_with_and_without_movable_shading():
    shaded = evaluate("ultra-low", PASSING, context()).indicator("recommended_window_shgc_summer")
    assert shaded.value == pytest.approx(0.5 * (0.1 + 0.05)) and shaded.passed
    assert "estimated with the external shade down" in shaded.note and "approximation" in shaded.note
    bare = evaluate("ultra-low", PASSING, context(external_shading="none")).indicator("recommended_window_shgc_summer")
    assert bare.value == pytest.approx(0.5) and bare.passed is False
    winter = evaluate("ultra-low", PASSING, context()).indicator("recommended_window_shgc_winter")
    assert winter.value == pytest.approx(0.5)  # shades up in winter
    assert summer_shgc(0.5, "solar", 1.0)[0] == pytest.approx(0.5)  # capped at the glazing SHGC
    missing, note = summer_shgc(0.5, "solar", None)
    assert missing is None and "external_shade_solar_transmittance" in note
    hsww = evaluate("ultra-low", PASSING, context("hsww_A", external_shade_solar_transmittance=0.3))
    summer = hsww.indicator("recommended_window_shgc_summer")
    assert summer.limit == 0.15 and summer.value == pytest.approx(0.175) and summer.passed is False
    assert "recommended_window_shgc_winter" not in {i.name for i in hsww.indicators}  # none recalled for HSWW


def test_result_values_take_precedence_and_missing_values_are_not_evaluated():
    ctx = context(floor_u_w_m2k=None)
    report = evaluate("ultra-low", {**PASSING, "wall_u_w_m2k": 0.2}, ctx)
    wall = report.indicator("recommended_wall_u_w_m2k")
    assert wall.value == 0.2 and "reported by EnergyPlus" in wall.note and wall.passed is False
    floor = report.indicator("recommended_floor_u_w_m2k")
    assert floor.value is None and floor.passed is None and "not evaluated" in floor.note
    assert report.passed  # an unevaluated recommendation does not fail the report


def test_gb55015_target_has_no_recommendations():
    report = evaluate("gb55015", PASSING, context())
    assert report.recommendations == []


def test_loader_validates_recommendations(tmp_path):
    text = """
[standard]
id = "x"
title = "x"
kind = "target"
[sources.s]
citation = "a source"
[[recommendation]]
name = "recommended_wall_u_w_m2k"
quantity = "wall_u_w_m2k"
use = "residential"
zones = ["cold_A"]
comparison = "<="
unit = "W/(m2 K)"
clause = "x"
source = "s"
verified = false
"""
    path = tmp_path / "x.toml"
    for extra, message in (("", "exactly one of 'value' and 'range'"),
                           ("range = [0.2, 0.1]\n", "must be below max"),
                           ("range = [0.1]\n", "must be \\[min, max\\]")):
        path.write_text(text + extra, encoding="utf-8")
        with pytest.raises(InputError, match=message):
            load_path(path)
    path.write_text(text.replace('"wall_u_w_m2k"', '"door_u"') + "value = 1.0\n", encoding="utf-8")
    with pytest.raises(InputError, match="quantity 'door_u'"):
        load_path(path)
    path.write_text(text + "range = [0.1, 0.2]\n", encoding="utf-8")
    row = load_path(path).recommendations[0]
    assert row.limit == 0.2 and row.range_text() == "0.1-0.2"
