"""Report writers and optimiser constraints."""

import json

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.constraints import parse_constraint, target_constraints
from ultralow.templates.standards.evaluate import ComplianceContext, evaluate
from ultralow.templates.standards.report import format_text, write_report
from ultralow.templates.standards.saving import PrimaryFactors
from ultralow.templates.standards.vintages import get_vintage, retrofit_u, vintage_ids

CTX = ComplianceContext("cold_B", "residential", 6, parameters={"n50_ach": 0.5, "hrv_efficiency": 0.8},
                        wdh20_kkh=1.0, ddh28_kkh=0.5, factors=PrimaryFactors(2.6, 1.0, 1.0))
RESULT = dict(heating_demand_kwh_m2=12.0, cooling_demand_kwh_m2=4.0, primary_energy_kwh_m2=40.0,
              heating_electricity_kwh_m2=4.0, cooling_electricity_kwh_m2=1.0,
              fan_electricity_kwh_m2=2.0, lighting_electricity_kwh_m2=4.0, pv_generation_kwh_m2=0.0,
              conditioned_floor_area_m2=1000.0, usable_floor_area_m2=1000.0)  # usable basis = conditioned


def test_json_html_text(tmp_path):
    report = evaluate("nearly-zero", RESULT, CTX)
    json_path, html_path = write_report(report, tmp_path / "out", meta={"city": "beijing"})
    data = json.loads(json_path.read_text())
    assert data["target"] == "nearly-zero" and data["meta"]["city"] == "beijing"
    assert {"name", "value", "limit", "margin", "passed", "clause", "source", "verified"} <= set(
        data["indicators"][0])
    page = html_path.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "http://" not in page.split("<h2>Indicators")[0] and "<link" not in page
    assert "heating_demand_kwh_m2" in page
    text = format_text(report)
    assert "heating_demand_kwh_m2" in text and "renewable_share" in text


def test_constraints_pymoo_sign():
    cons = {c.indicator: c for c in target_constraints("nearly-zero", CTX, RESULT)}
    g = cons["heating_demand_kwh_m2"](RESULT)
    assert g == pytest.approx((12.0 - 15.0) / 15.0)  # feasible: negative
    assert cons["heating_demand_kwh_m2"](dict(RESULT, heating_demand_kwh_m2=16.5)) == pytest.approx(0.1)
    assert cons["renewable_share"](RESULT) == pytest.approx(1.0)  # 0 % vs >= 10 %: infeasible
    custom = parse_constraint("heating_demand_kwh_m2 <= 10", "nearly-zero", CTX)
    assert custom(RESULT) == pytest.approx(0.2)
    assert parse_constraint("heating_demand_kwh_m2 <= limit", "nearly-zero", CTX).limit is None
    with pytest.raises(InputError, match="must look like"):
        parse_constraint("heating < 3", "nearly-zero", CTX)
    with pytest.raises(InputError, match="not an indicator"):
        parse_constraint("saving_rate_overall >= 0.3", "nearly-zero", CTX)  # residential: none


def test_vintages_and_retrofit():
    assert {"pre1996", "y1996_2010", "y2010_2016"} <= set(vintage_ids("residential"))
    v = get_vintage("pre1996", "severe_cold_B", "residential")
    params = v.template_parameters()
    assert params["wall_u_w_m2k"] == pytest.approx(1.25) and params["hrv_efficiency"] == 0.0
    # 100 mm EPS (0.039 W/(m K)) on 1.25 W/(m2 K): 1 / (0.8 + 2.564)
    assert retrofit_u(1.25, 0.039, 0.100) == pytest.approx(1.0 / (0.8 + 0.1 / 0.039))
    with pytest.raises(InputError, match="no vintage"):
        get_vintage("y1800", "cold_A", "residential")
