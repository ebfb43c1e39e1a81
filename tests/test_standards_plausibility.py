"""Plausibility warnings (data/plausibility.toml), the indicative flag and their appearance in
report.json, report.html and the text table (made-up results, no EnergyPlus)."""

import dataclasses
import json

import pytest
from ultralow.errors import InputError
from ultralow.templates.profiles import get_profile, profile_for_target
from ultralow.templates.standards.evaluate import ComplianceContext, evaluate, indicative_reasons
from ultralow.templates.standards.indicators import ComplianceReport, Indicator
from ultralow.templates.standards.plausibility import parse_ranges, plausibility_warnings, plausible_ranges
from ultralow.templates.standards.report import format_text, to_json, write_report

PROFILE = profile_for_target("ultra-low", "residential", "severe_cold_B")
PARAMS = {"n50_ach": 0.5, "hrv_efficiency": 0.9, "window_u_w_m2k": 0.8, "window_shgc": 0.5,
          "external_shading": "none", "usable_floor_area_ratio": 0.75}
AREAS = {"conditioned_floor_area_m2": 4320.0, "usable_floor_area_m2": 3240.0}


def context(**overrides):
    base = dict(climate_zone="severe_cold_B", building_use="residential", storeys=6, parameters=PARAMS,
                wdh20_kkh=1.37, ddh28_kkh=0.54, profile=PROFILE, weather_synthetic=True)
    base.update(overrides)
    return ComplianceContext(**base)


def result(heating=20.0, **overrides):
    return {"heating_demand_kwh_m2": heating, "cooling_demand_kwh_m2": 4.0, "primary_energy_kwh_m2": 40.0,
            "calculation_profile": PROFILE.id, **AREAS, **overrides}


def test_ranges_cover_every_zone_and_use_and_are_flagged():
    for use in ("residential", "public"):
        for zone in ("severe_cold_A", "cold_B", "hscw_A", "hsww_B", "mild_A"):
            ranges = plausible_ranges(use, zone)
            assert {r.quantity for r in ranges} == {"heating_demand_kwh_m2", "cooling_demand_kwh_m2"}
            assert all(not r.verified and r.source for r in ranges)
    assert all(r.area_basis == "usable" for r in plausible_ranges("residential", "cold_A"))
    heating = next(r for r in plausible_ranges("residential", "severe_cold") if r.quantity == "heating_demand_kwh_m2")
    assert heating.min_kwh_m2 == 5.0


def test_severe_cold_heating_1_5_warns_with_its_drivers():
    warnings = plausibility_warnings(result(1.5), context())
    assert [w.quantity for w in warnings] == ["heating_demand_kwh_m2"]
    w = warnings[0]
    assert w.value == pytest.approx(1.5 * 4320 / 3240) and w.area_basis == "usable"
    assert w.plausible_range == (5.0, 250.0) and "below the plausible 5-250" in w.message
    d = w.drivers
    assert d["profile_id"] == PROFILE.id and d["heating_setpoint_c"] == PROFILE.heating_setpoint_c
    assert d["mean_internal_gains_w_m2"] == pytest.approx(PROFILE.mean_internal_gains_w_m2(), abs=1e-3)
    assert (d["hrv_efficiency"], d["n50_ach"], d["window_u_w_m2k"], d["window_shgc"]) == (0.9, 0.5, 0.8, 0.5)
    assert d["area_basis"] == "usable" and d["usable_floor_area_m2"] == 3240.0
    assert "HRV 0.9" in w.message and "internal gains" in w.message
    assert json.loads(json.dumps(w.to_dict()))["plausible_range"] == [5.0, 250.0]


def test_no_warning_for_a_plausible_result_or_a_partial_period():
    assert plausibility_warnings(result(20.0), context()) == []
    assert plausibility_warnings(result(1.5, period="design-days"), context()) == []
    assert plausibility_warnings({"period": "annual"}, context()) == []  # nothing to check: no crash


def test_drivers_name_the_profile_the_result_was_simulated_with():
    everyday = get_profile("everyday_residential_cold")
    w = plausibility_warnings(result(1.0, calculation_profile=everyday.id), context())[0]
    assert w.drivers["profile_id"] == everyday.id and w.drivers["target_profile_id"] == PROFILE.id
    assert w.drivers["heating_setpoint_c"] == everyday.heating_setpoint_c
    assert "not the compliance profile" in w.message


def test_old_record_without_usable_area_is_compared_on_the_conditioned_basis():
    old = {"heating_demand_kwh_m2": 1.5, "cooling_demand_kwh_m2": 4.0, "conditioned_floor_area_m2": 4320.0}
    w = plausibility_warnings(old, context())[0]
    assert w.value == 1.5 and w.area_basis == "conditioned" and "no usable area" in w.message


def test_parse_ranges_rejects_bad_rows():
    row = {"quantity": "heating_demand_kwh_m2", "use": "residential", "zone": "cold", "min_kwh_m2": 1.0,
           "max_kwh_m2": 10.0, "area_basis": "usable", "source": "a", "verified": False}
    sources = {"a": {"citation": "x"}}
    assert parse_ranges({"sources": sources, "range": [row]})[0].max_kwh_m2 == 10.0
    for bad, message in (({"zone": "cold_B"}, "zone 'cold_B'"), ({"min_kwh_m2": 20.0}, "min_kwh_m2 < max"),
                         ({"source": "b"}, "source 'b'"), ({"quantity": "x"}, "quantity 'x'")):
        with pytest.raises(InputError, match=message):
            parse_ranges({"sources": sources, "range": [{**row, **bad}]})


# ---- indicative flag ----------------------------------------------------------------------

def _verified_report():
    ind = Indicator("n50_ach", "n50", 0.5, 0.6, "<=", "1/h", "c", "s", True)
    return ComplianceReport("ultra-low", "gbt51350_2019", "severe_cold_B", "residential", [ind])


def test_indicative_reasons_each_flag():
    verified_profile = dataclasses.replace(PROFILE, verified=True)
    ok = context(profile=verified_profile, weather_synthetic=False)
    assert indicative_reasons(_verified_report(), ok) == []
    assert any("synthetic weather" in r for r in indicative_reasons(_verified_report(), context(
        profile=verified_profile)))
    assert any("not stated" in r for r in indicative_reasons(_verified_report(), context(
        profile=verified_profile, weather_synthetic=None)))
    assert any("is unverified" in r for r in indicative_reasons(_verified_report(), context(weather_synthetic=False)))
    assert any("no calculation profile" in r for r in indicative_reasons(_verified_report(), context(
        profile=None, weather_synthetic=False)))
    unverified = _verified_report()
    unverified.indicators.append(Indicator("h", "h", 1.0, 2.0, "<=", "-", "c", "s", False))
    unverified.indicators.append(Indicator("r", "r", 1.0, 2.0, "<=", "-", "c", "s", False, kind="recommended"))
    reasons = indicative_reasons(unverified, ok)
    assert reasons == ["unverified limits (verified = false): h"]  # the recommendation does not count


def test_evaluate_sets_indicative_and_profile_summary():
    report = evaluate("ultra-low", result(), context())
    assert report.passed and report.indicative
    assert any("synthetic weather" in r for r in report.indicative_reasons)
    assert any("heating_demand_kwh_m2" in r for r in report.indicative_reasons)
    assert report.details["calculation_profile"] == PROFILE.summary()
    assert report.headline().startswith("ALL PASS (indicative: ")
    assert report.calculation_warnings == []


def test_profile_mismatch_is_warned():
    report = evaluate("ultra-low", result(calculation_profile="everyday_residential_cold"), context())
    assert report.calculation_warnings and "everyday_residential_cold" in report.calculation_warnings[0]
    assert any("target's calculation profile" in r for r in report.indicative_reasons)
    old = evaluate("ultra-low", {k: v for k, v in result().items() if k != "calculation_profile"}, context())
    assert "does not record its calculation profile" in old.calculation_warnings[0]


def test_outputs_carry_indicative_and_warnings(tmp_path):
    report = evaluate("ultra-low", result(1.5, calculation_profile="everyday_residential_cold"), context())
    assert report.warnings and report.calculation_warnings
    text = format_text(report)
    assert "(indicative: " in text.splitlines()[0]
    assert "plausibility warning: heating demand" in text and "warning: the design was simulated" in text
    assert "Recommended values (informative, NOT counted" in text and "套内使用面积" in text
    data = json.loads(to_json(report))
    assert data["indicative"] is True and data["indicative_reasons"] == report.indicative_reasons
    assert data["warnings"][0]["quantity"] == "heating_demand_kwh_m2"
    assert data["warnings"][0]["drivers"]["hrv_efficiency"] == 0.9
    assert data["calculation_warnings"] == report.calculation_warnings
    assert data["details"]["calculation_profile"]["id"] == PROFILE.id
    json_path, html_path = write_report(report, tmp_path)
    page = html_path.read_text(encoding="utf-8")
    assert 'class="banner indicative"' in page and "Indicative result" in page
    assert "synthetic weather" in page and "Plausibility warnings" in page
    assert "simulated with calculation profile" in page and "<script" not in page
    assert json.loads(json_path.read_text(encoding="utf-8"))["indicative"] is True
