"""Area basis of the GB/T 51350 per-m2 indicators: results per conditioned m2, limits per usable
m2 (套内使用面积), converted by hand-checked numbers (no EnergyPlus)."""

from types import SimpleNamespace

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.evaluate import ComplianceContext, evaluate, to_area_basis
from ultralow.templates.standards.indicators import Indicator
from ultralow.templates.standards.loader import load_path, load_standard

AREAS = {"conditioned_floor_area_m2": 4320.0, "usable_floor_area_m2": 3240.0}  # ratio 0.75


def context(zone="severe_cold_B"):
    return ComplianceContext(zone, "residential", 6, parameters={"n50_ach": 0.5, "hrv_efficiency": 0.8},
                             wdh20_kkh=1.0, ddh28_kkh=0.5)


def test_every_per_m2_gbt51350_row_has_usable_basis():
    rows = [r for r in load_standard("gbt51350_2019").indicators if "m2" in r.unit]
    assert rows and all(r.area_basis == "usable" for r in rows)
    assert {r.name for r in rows} == {"heating_demand_kwh_m2", "cooling_demand_kwh_m2", "primary_energy_kwh_m2"}
    assert all(r.area_basis is None for r in load_standard("gbt51350_2019").indicators if "m2" not in r.unit)


def test_conversion_by_hand():
    value, note = to_area_basis(20.0, AREAS, "usable")
    assert value == pytest.approx(20.0 * 4320.0 / 3240.0) == pytest.approx(26.6667, abs=1e-4)
    assert "套内使用面积" in note and "4320 m2 conditioned" in note and "0.75" in note and "3240 m2" in note
    same, note = to_area_basis(20.0, AREAS, "conditioned")
    assert same == 20.0 and "conditioned" in note and "4320" in note
    with pytest.raises(InputError, match="unknown area basis"):
        to_area_basis(20.0, AREAS, "gross")
    # pass/fail flips against a 25 limit: 20 per conditioned m2 passes, 26.67 per usable m2 fails
    assert Indicator("h", "h", 20.0, 25.0, "<=", "kWh/(m2 a)", "", "", False).passed is True
    assert Indicator("h", "h", value, 25.0, "<=", "kWh/(m2 a)", "", "", False).passed is False


def test_evaluate_uses_the_usable_basis_and_flips_pass_fail():
    ctx = context("cold_B")  # ultra-low heating limit 20 [U]
    same_area = {"conditioned_floor_area_m2": 4320.0, "usable_floor_area_m2": 4320.0}
    gross = evaluate("ultra-low", {"heating_demand_kwh_m2": 16.0, **same_area}, ctx).indicator("heating_demand_kwh_m2")
    usable = evaluate("ultra-low", {"heating_demand_kwh_m2": 16.0, **AREAS}, ctx).indicator("heating_demand_kwh_m2")
    assert gross.value == pytest.approx(16.0) and gross.passed is True
    assert usable.value == pytest.approx(16.0 / 0.75) and usable.limit == 20.0 and usable.passed is False
    assert usable.area_basis == "usable" and usable.to_dict()["area_basis"] == "usable"
    assert "套内使用面积" in usable.note and "4320 m2 conditioned x 0.75 = 3240 m2" in usable.note


def test_cooling_and_primary_energy_are_converted_too():
    result = {"heating_demand_kwh_m2": 15.0, "cooling_demand_kwh_m2": 3.0, "primary_energy_kwh_m2": 45.0,
              "cooling_sensible_kwh_m2": 2.0, "cooling_latent_kwh_m2": 1.0, **AREAS}
    report = evaluate("ultra-low", result, context())
    assert report.indicator("cooling_demand_kwh_m2").value == pytest.approx(4.0)
    assert "latent 1" in report.indicator("cooling_demand_kwh_m2").note
    assert report.indicator("primary_energy_kwh_m2").value == pytest.approx(60.0)
    assert report.indicator("n50_ach").area_basis == ""  # not a per-m2 quantity
    assert report.details["floor_area"]["usable_floor_area_m2"] == 3240.0


@pytest.mark.parametrize("result", [
    {"heating_demand_kwh_m2": 10.0, "cooling_demand_kwh_m2": 3.0, "primary_energy_kwh_m2": 40.0,
     "conditioned_floor_area_m2": 4320.0},
    SimpleNamespace(heating_demand_kwh_m2=10.0, cooling_demand_kwh_m2=3.0, primary_energy_kwh_m2=40.0,
                    conditioned_floor_area_m2=4320.0),  # an old SimulationResult-like object
])
def test_missing_usable_area_is_not_evaluated_with_a_note(result):
    report = evaluate("ultra-low", result, context())
    for name in ("heating_demand_kwh_m2", "cooling_demand_kwh_m2", "primary_energy_kwh_m2"):
        ind = report.indicator(name)
        assert ind.value is None and ind.passed is None
        assert "usable_floor_area_m2" in ind.note and "not evaluated" in ind.note
    assert not report.passed


def test_loader_requires_area_basis_on_per_m2_indicators(tmp_path):
    text = """
[standard]
id = "x"
title = "x"
kind = "target"
[sources.s]
citation = "a source"
[[indicator]]
name = "heating_demand_kwh_m2"
target = "ultra-low"
use = "residential"
zones = ["cold_A"]
comparison = "<="
value = 15.0
unit = "kWh/(m2 a)"
clause = "x"
source = "s"
verified = false
"""
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="needs 'area_basis'"):
        load_path(path)
    path.write_text(text + 'area_basis = "gross"\n', encoding="utf-8")
    with pytest.raises(InputError, match="area_basis 'gross' not one of"):
        load_path(path)
    path.write_text(text + 'area_basis = "usable"\n', encoding="utf-8")
    assert load_path(path).indicators[0].area_basis == "usable"
