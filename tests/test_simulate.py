"""End-to-end simulations with the real EnergyPlus engine.

Independent references: EnergyPlus's own Envelope Summary (U-values), its Annual Building
Utility Performance Summary (ideal-loads heating/cooling appear there as district heating /
cooling end uses; lighting; PV), and hand calculations.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from ultralow.errors import SimulationError
from ultralow.sim.engine import error_lines, run_energyplus
from ultralow.sim.heat_pump import HeatPumpModel
from ultralow.sim.simulate import simulate
from ultralow.templates.pv import ground_coverage_ratio

GJ_TO_KWH = 277.7778


def abups(sql_path, table: str, row: str, column: str) -> float:
    with sqlite3.connect(sql_path) as conn:
        value = conn.execute(
            "SELECT Value FROM TabularDataWithStrings WHERE ReportName = "
            "'AnnualBuildingUtilityPerformanceSummary' AND TableName = ? AND RowName = ? AND ColumnName = ?",
            (table, row, column),
        ).fetchone()[0]
    return float(value)


@pytest.mark.parametrize(
    ("template", "params"),
    [
        ("residential", {"wall_u_w_m2k": 0.15, "roof_u_w_m2k": 0.10, "floor_u_w_m2k": 0.25,
                         "window_u_w_m2k": 0.8, "window_shgc": 0.35}),
        ("residential", {"wall_u_w_m2k": 0.45, "roof_u_w_m2k": 0.30, "floor_u_w_m2k": 0.50,
                         "window_u_w_m2k": 2.5, "window_shgc": 0.55, "storeys": 3}),
        ("office", {"wall_u_w_m2k": 0.30, "roof_u_w_m2k": 0.20, "floor_u_w_m2k": 0.40,
                    "window_u_w_m2k": 1.5, "window_shgc": 0.30}),
    ],
)
def test_reported_u_values_within_2_percent_of_request(template, params, chicago_weather, tmp_path):
    # clear-field U-values: no thermal-bridge allowance here (tests/test_compliance_method.py has it)
    no_bridges = {"psi_window_installation_w_mk": 0.0, "psi_balcony_w_mk": 0.0}
    result = simulate(template, {**params, **no_bridges}, chicago_weather, run_dir=tmp_path, period="design-days")
    for key in ("wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k", "window_u_w_m2k", "window_shgc"):
        assert getattr(result, key) == pytest.approx(params[key], rel=0.02), key
    assert result.energyplus_version.startswith("EnergyPlus, Version 25.2")
    assert result.heating_demand_kwh_m2 > 0


def test_insulation_thickness_gives_hand_calculated_u(chicago_weather, tmp_path):
    result = simulate("residential", {"wall_insulation": "rock_wool", "wall_insulation_mm": 150,
                                      "psi_window_installation_w_mk": 0.0, "psi_balcony_w_mk": 0.0},
                      chicago_weather, run_dir=tmp_path, period="design-days")
    r = 0.1197548 + 0.0299387 + 0.005 / 0.93 + 0.150 / 0.040 + 0.200 / 1.74 + 0.020 / 0.93
    assert result.wall_u_w_m2k == pytest.approx(1 / r, rel=0.02)


@pytest.fixture(scope="module")
def annual(chicago_weather, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("annual")
    params = {"pv_roof_fraction": 0.6, "hrv_efficiency": 0.75, "n50_ach": 0.6, "wall_u_w_m2k": 0.2}
    return simulate("residential", params, chicago_weather, run_dir=run_dir, hourly=True)


def test_annual_run_agrees_with_energyplus_own_reports(annual):
    sql = f"{annual.run_dir}/eplusout.sql"
    area = annual.conditioned_floor_area_m2
    assert area == pytest.approx(60 * 12 * 6)
    assert len(annual.hourly) == 8760
    heating_eplus = abups(sql, "End Uses", "Heating", "District Heating Water") * GJ_TO_KWH / area
    cooling_eplus = abups(sql, "End Uses", "Cooling", "District Cooling") * GJ_TO_KWH / area
    lighting_eplus = abups(sql, "End Uses", "Interior Lighting", "Electricity") * GJ_TO_KWH / area
    # our heating = EnergyPlus's sensible ideal-loads heating (no humidification) + frost preheat
    assert annual.heating_demand_kwh_m2 - annual.frost_protection_heating_kwh_m2 == pytest.approx(heating_eplus,
                                                                                                  rel=0.01)
    assert annual.cooling_demand_kwh_m2 == pytest.approx(cooling_eplus, rel=0.01)
    assert annual.lighting_electricity_kwh_m2 == pytest.approx(lighting_eplus, rel=0.01)
    # lighting by hand: 5 W/m2 x sum of the daily profile (4.6 full-load hours) x 365 days
    assert annual.lighting_electricity_kwh_m2 == pytest.approx(5 * 4.6 * 365 / 1000, rel=0.01)
    # fans: 0.5 ach (severe cold/cold profile) x 12,528 m3 x 8760 h x 0.45 W/(m3/h)
    assert annual.fan_electricity_kwh_m2 == pytest.approx(0.5 * 12528 * 8760 * 0.45 / 1000 / area, rel=0.01)
    # PV: 0.6 x 720 m2 roof x 0.21 = 90.7 kW; a Chicago yield of roughly 1000-1500 kWh/kW
    # module area = roof x fraction x row GCR (tilt 30 at 41.98 N: 0.5103, templates/pv.py)
    assert annual.pv_capacity_kw == pytest.approx(0.6 * 720 * ground_coverage_ratio(30.0, 41.98) * 0.21)
    yield_kwh_kw = annual.pv_generation_kwh_m2 * area / annual.pv_capacity_kw
    assert 1000 < yield_kwh_kw < 1500


def test_heat_pump_electricity_equals_hourly_hand_calculation(annual):
    hp = HeatPumpModel.from_catalogue(annual.parameters["heat_pump"])
    h = annual.hourly
    expected = (np.sum(h["heating_sensible_kwh"] / hp.heating_cop(h["outdoor_dry_bulb_c"]))
                + h["frost_protection_kwh"].sum()) / annual.conditioned_floor_area_m2  # preheater: COP 1
    assert annual.heating_electricity_kwh_m2 == pytest.approx(expected, rel=1e-9)
    seasonal_cop = annual.heating_demand_kwh_m2 / annual.heating_electricity_kwh_m2
    assert 1.5 < seasonal_cop < 3.5


def test_better_envelope_and_heat_recovery_reduce_heating(annual, chicago_weather, tmp_path):
    base = simulate("residential", {"pv_roof_fraction": 0.6, "n50_ach": 0.6, "wall_u_w_m2k": 0.2},
                    chicago_weather, run_dir=tmp_path, period="01-01:01-31")
    short = simulate("residential", {"pv_roof_fraction": 0.6, "hrv_efficiency": 0.75, "n50_ach": 0.6,
                                     "wall_u_w_m2k": 0.2}, chicago_weather, run_dir=tmp_path / "b",
                     period="01-01:01-31")
    assert short.heating_demand_kwh_m2 < 0.8 * base.heating_demand_kwh_m2
    assert short.period == "01-01:01-31"
    assert short.heating_demand_kwh_m2 < annual.heating_demand_kwh_m2


def test_failed_run_raises_with_severe_lines(tmp_path):
    bad = tmp_path / "bad.idf"
    bad.write_text("Version,25.2;\nZone,z1;\n")
    with pytest.raises(SimulationError) as info:
        run_energyplus(bad, None, tmp_path / "out", design_day=True)
    assert any("Building" in line for line in info.value.severe_lines)
    assert info.value.run_dir == str(tmp_path / "out")


def test_error_lines_keep_continuations():
    text = "   ** Warning ** w\n   ** Severe  ** s1\n   **   ~~~   ** more\n   **  Fatal  ** f\n"
    assert error_lines(text) == ["** Severe  ** s1", "**   ~~~   ** more", "**  Fatal  ** f"]


def test_retrofit_adds_insulation_to_the_vintage_element(tmp_path):
    from ultralow.weather import resolve_weather

    harbin = resolve_weather(city="harbin")
    existing = simulate("residential", {"vintage": "pre1996"}, harbin, run_dir=tmp_path / "a", period="design-days")
    retrofit = simulate("residential", {"vintage": "pre1996", "wall_insulation": "eps", "wall_insulation_mm": 100,
                                        "window_u_w_m2k": 1.0}, harbin, run_dir=tmp_path / "b", period="design-days")
    # pre-1996 severe-cold vintage: wall 1.25, roof 0.9, window 3.0 W/(m2K) (vintages.toml)
    assert existing.wall_u_w_m2k == pytest.approx(1.25, rel=0.02)
    assert existing.roof_u_w_m2k == pytest.approx(0.9, rel=0.02)
    assert existing.window_u_w_m2k == pytest.approx(3.0, rel=0.02)
    assert retrofit.wall_u_w_m2k == pytest.approx(1 / (1 / 1.25 + 0.100 / 0.039), rel=0.02)
    assert retrofit.roof_u_w_m2k == pytest.approx(0.9, rel=0.02)  # roof left as it was
    assert retrofit.window_u_w_m2k == pytest.approx(1.0, rel=0.02)  # explicitly replaced
    assert retrofit.heating_demand_kwh_m2 < existing.heating_demand_kwh_m2


def test_south_overhang_cuts_cooling(chicago_weather, tmp_path):
    # the full model (every storey simulated: one overhang per storey)
    base = simulate("residential", {"fidelity": "full"}, chicago_weather, run_dir=tmp_path / "a",
                    period="07-01:07-31")
    shaded = simulate("residential", {"south_overhang_depth_ratio": 1.0, "fidelity": "full"}, chicago_weather,
                      run_dir=tmp_path / "b", period="07-01:07-31")
    with sqlite3.connect(f"{shaded.run_dir}/eplusout.sql") as conn:
        n = conn.execute("SELECT COUNT(*) FROM Surfaces WHERE SurfaceName LIKE '%OVERHANG%' "
                         "AND SurfaceName NOT LIKE 'Mir-%'").fetchone()[0]  # not the mirrored copies
    assert n == 6  # one per south window (one strip window per storey)
    assert shaded.cooling_demand_kwh_m2 < 0.9 * base.cooling_demand_kwh_m2
