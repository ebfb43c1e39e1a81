"""Retrofit against the existing building, with the real EnergyPlus engine (design days).

A 1990s Dongguan office (the ``pre2005`` public vintage of hot-summer-warm-winter: single glazing,
uninsulated walls and roof, split ACs, fluorescent lighting) retrofitted with roof insulation,
new windows, external blinds, LED lighting, a heat pump and rooftop PV; walls, airtightness and
the rest are kept.

Independent checks:
- the investment is recomputed by hand from the block's geometry (facade, window and roof areas
  from length, depth, storeys, floor height and window ratios) and the unit prices of the cost file;
- ``ultralow check`` and the optimiser's evaluator (its jobs run by the same task function Ray runs,
  records passed through JSON as the store keeps them) agree on every metric to the last digit;
- the existing building's systems: its cooling electricity equals its cooling demand divided by
  the vintage's effective COP (a hand calculation on EnergyPlus's own ideal-loads energy).
"""

from __future__ import annotations

import json
import math

import pytest
from ultralow.optimise.costs import CostModel, simple_payback_years
from ultralow.sim.simulate import resolve_weather_source

pytestmark = pytest.mark.slow

GEOMETRY = {"storeys": 5, "length_m": 40.0, "depth_m": 16.0, "floor_height_m": 3.6}
PACKAGE = {
    "roof_insulation": "xps", "roof_insulation_mm": 60.0,
    "window_u_w_m2k": 2.4, "window_shgc": 0.35, "window_vt": 0.5,
    "external_shading": "solar", "lighting_w_m2": 8.0,
    "heat_pump": "ashp_high_efficiency", "pv_roof_fraction": 0.5,
}
VINTAGE = "pre2005"
TARGET = "gb55015"


@pytest.fixture(scope="module")
def weather():
    return resolve_weather_source(city="dongguan")


@pytest.fixture(scope="module")
def checked(weather, tmp_path_factory):
    from ultralow.optimise.check import run_check

    return run_check("office", {**GEOMETRY, **PACKAGE}, weather, TARGET, vintage=VINTAGE,
                     run_dir=tmp_path_factory.mktemp("check"), period="design-days")


def test_investment_is_the_sum_of_the_measures_applied_by_hand(checked):
    m = checked.metrics
    costs = CostModel.load()
    v = costs.value
    design = checked.results["design"]
    g = GEOMETRY
    height = g["storeys"] * g["floor_height_m"]
    facades = {"south": g["length_m"], "north": g["length_m"], "east": g["depth_m"], "west": g["depth_m"]}
    params = design.parameters
    windows = {f: w * height * params[f"wwr_{f}"] for f, w in facades.items()}
    window_m2 = sum(windows.values())
    facade_m2 = sum(w * height for w in facades.values())
    roof_m2 = g["length_m"] * g["depth_m"]
    floor_m2 = design.conditioned_floor_area_m2
    roof = roof_m2 * (6.0 * v("insulation.price_rmb_m2_cm")["xps"] + v("insulation.system_rmb_m2")["roof"])
    new_windows = window_m2 * (costs.window_price_rmb_m2(2.4) + v("retrofit.window_removal_rmb_m2"))
    blinds = (windows["south"] + windows["east"] + windows["west"]) * v("shading.external_movable_rmb_m2")
    led = floor_m2 * v("lighting.led_retrofit_rmb_m2")
    hp_kw = v("heat_pump.sizing_factor") * max(design.peak_heating_load_w_m2, design.peak_cooling_load_w_m2) \
        * floor_m2 / 1000.0
    heat_pump = hp_kw * costs.heat_pump_price_rmb_kw("ashp_high_efficiency")
    pv = design.pv_capacity_kw * 1000.0 * v("pv.price_rmb_w")
    scaffolding = facade_m2 * v("retrofit.scaffolding_rmb_m2")  # new windows: facade works
    works = roof + new_windows + blinds + led + heat_pump + pv + scaffolding
    # Dongguan is priced at Guangdong's level: 1557 / 1218 of the national cost per m2 completed
    # (NBS Yearbook 1999 table 6-39, optimise/data/regional_prices.toml); fees follow the works
    guangdong = 1557.0 / 1218.0
    assert m["regional_price_factor"] == pytest.approx(guangdong)
    by_hand = guangdong * works * (1.0 + v("retrofit.fees_fraction"))
    assert m["investment_rmb"] == pytest.approx(by_hand, rel=1e-9)
    # the existing building costs nothing: the whole investment is the retrofit's
    assert m["incremental_investment_rmb"] == pytest.approx(by_hand, rel=1e-9)
    # nothing the design keeps is charged
    assert m["investment_insulation_wall_rmb"] == 0.0 and m["investment_airtightness_rmb"] == 0.0
    assert m["investment_hrv_rmb"] == 0.0
    assert m["measures"].split(" + ") == ["roof_insulation", "windows", "shading_external", "heat_pump",
                                          "lighting", "pv"]


def test_savings_and_payback_against_the_existing_building(checked):
    m = checked.metrics
    existing, design = checked.results["existing"], checked.results["design"]
    assert existing.heating_system.startswith("existing (pre2005)")
    assert m["existing_primary_energy_kwh_m2"] == existing.primary_energy_kwh_m2
    assert m["saving_vs_existing_primary_energy"] == pytest.approx(
        1 - design.primary_energy_kwh_m2 / existing.primary_energy_kwh_m2)
    assert m["saving_vs_existing_primary_energy"] > 0.2
    # design days only: the energy-cost saving is two days' worth, the maintenance a year's
    assert m["reference_annual_energy_cost_rmb"] > m["annual_energy_cost_rmb"] > 0
    assert m["annual_saving_rmb"] == pytest.approx(m["reference_annual_energy_cost_rmb"] - m["annual_energy_cost_rmb"]
                                                   - m["annual_maintenance_rmb"])
    assert m["simple_payback_years"] == simple_payback_years(m["investment_rmb"], m["annual_saving_rmb"])
    # the standard's reference is reported apart, under its own name
    assert "saving_vs_reference_overall" in m
    report = checked.report.details
    assert report["economics"]["baseline"].startswith("the existing building")
    assert report["savings_vs_existing_building"]["saving_vs_existing_primary_energy"] == \
        m["saving_vs_existing_primary_energy"]


def test_existing_split_acs_by_hand(checked):
    """Existing cooling electricity = cooling demand / (COP / (1 + auxiliaries)) of the vintage."""
    from ultralow.templates.standards.vintages import get_vintage

    existing = checked.results["existing"]
    cooling = get_vintage(VINTAGE, "hsww_B", "public").systems.cooling
    assert existing.cooling_electricity_kwh_m2 == pytest.approx(
        existing.cooling_demand_kwh_m2 * (1 + cooling.auxiliary_fraction) / cooling.cop, rel=1e-9)


def test_measure_table_adds_up_to_the_package(checked):
    rows = checked.measures
    assert [r["measure"] for r in rows] == ["roof_insulation", "windows", "shading", "lighting", "heat_pump", "pv"]
    m = checked.metrics
    assert sum(r["investment_rmb"] for r in rows) == pytest.approx(m["investment_rmb"], rel=1e-9)
    saved = sum(r["primary_energy_saving_kwh_m2"] for r in rows)
    assert saved == pytest.approx(m["existing_primary_energy_kwh_m2"] - m["primary_energy_kwh_m2"], rel=1e-9)
    assert sum(r["energy_cost_saving_rmb"] for r in rows) == pytest.approx(m["annual_saving_rmb"], rel=1e-9)
    text = __import__("ultralow.templates.standards.report", fromlist=["format_text"]).format_text(checked.report)
    assert "Measure by measure" in text and "heat_pump" in text


def test_check_and_optimiser_agree_to_the_last_digit(checked, weather):
    from ultralow.optimise.dispatch import simulate_job
    from ultralow.optimise.problem import DesignEvaluator
    from ultralow.optimise.spec import parse_spec
    from ultralow.optimise.store import file_sha256
    from ultralow.sim.idd import engine_version

    spec = parse_spec({
        "run": {"name": "agree", "period": "design-days"},
        "building": {"template": "office", "city": "dongguan",
                     "parameters": {**GEOMETRY, **{k: v for k, v in PACKAGE.items() if k != "pv_roof_fraction"},
                                    "vintage": VINTAGE}},
        "variables": {"pv_roof_fraction": {"type": "float", "min": 0.0, "max": 0.8, "step": 0.1}},
        "objectives": [{"metric": "lcc_rmb_m2", "sense": "min"},
                       {"metric": "saving_vs_existing_primary_energy", "sense": "max"}],
        "constraints": [{"target": TARGET}],
    })
    evaluator = DesignEvaluator(spec, weather, file_sha256(str(weather.epw_path)), engine_version())
    design = evaluator.prepare({"pv_roof_fraction": 0.5})
    records = {job.key: json.loads(json.dumps(simulate_job(job, weather, [None], None)))
               for job in design.jobs.values()}
    row = evaluator.evaluate(design, records)
    assert row["feasible"] in (True, False) and row["status"] == "ok"
    numbers = {k: v for k, v in checked.metrics.items() if isinstance(v, float) and k != "simulation_seconds"}
    assert len(numbers) > 60
    differ = {k: (v, row.get(k)) for k, v in numbers.items()
              if not (row.get(k) == v or (math.isnan(v) and math.isnan(row.get(k, 0.0))))}
    assert not differ
    assert row["measures"] == checked.metrics["measures"]
    # and the compliance verdict: every indicator's g from the same numbers
    g_check = {f"{TARGET}: {i.name}": i.g() for i in checked.report.requirements}
    g_opt = dict(zip(evaluator.constraint_names, row["G"], strict=True))
    assert {k: g_opt[k] for k in g_check} == g_check
