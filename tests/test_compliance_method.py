"""The compliance calculation method (issue: compliance-grade demand), checked against
independent references: EnergyPlus's own zone ideal-loads outputs, hand calculations and the
row-spacing geometry. Short runs (a summer or winter fortnight, design days) on the real engine.
"""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pytest
from ultralow.sim.engine import run_energyplus
from ultralow.sim.results import AIR_CP_J_KGK, AIR_DENSITY_STD_KG_M3, frost_protection_kwh
from ultralow.sim.run_control import RunPeriod
from ultralow.sim.simulate import build, simulate
from ultralow.templates.profiles import get_profile, profile_for_target
from ultralow.templates.pv import ground_coverage_ratio

PASSIVE = {"wall_u_w_m2k": 0.10, "roof_u_w_m2k": 0.10, "floor_u_w_m2k": 0.15, "window_u_w_m2k": 0.8,
           "window_shgc": 0.40, "n50_ach": 0.5, "hrv_efficiency": 0.8}


def _sum_variable(sql_path, name: str) -> float:
    conn = sqlite3.connect(sql_path)
    try:
        (total,) = conn.execute(
            """SELECT SUM(r.Value) FROM ReportData r JOIN ReportDataDictionary d
            ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex
            JOIN Time t ON r.TimeIndex = t.TimeIndex
            JOIN EnvironmentPeriods e ON t.EnvironmentPeriodIndex = e.EnvironmentPeriodIndex
            WHERE d.Name = ? AND d.ReportingFrequency = 'Hourly' AND e.EnvironmentType = 3""", (name,)).fetchone()
    finally:
        conn.close()
    return float(total or 0.0) / 3.6e6


def test_cooling_is_sensible_plus_latent_from_energyplus_ideal_loads(chicago_weather, tmp_path):
    """Reference: EnergyPlus's own "Zone Ideal Loads Supply Air Total Cooling Energy" and the
    DistrictCooling meter; the latent part is nonzero in a humid Chicago July."""
    params = {**PASSIVE, "calculation_profile": "gbt51350_residential"}
    result = simulate("residential", params, chicago_weather, run_dir=tmp_path, period="07-01:07-14", hourly=True)
    area = result.conditioned_floor_area_m2
    assert result.cooling_latent_kwh_m2 > 0.05
    assert result.cooling_demand_kwh_m2 == pytest.approx(result.cooling_sensible_kwh_m2 + result.cooling_latent_kwh_m2)
    total = result.hourly["cooling_total_meter_kwh"].sum() / area  # EnergyPlus's own total
    assert result.cooling_demand_kwh_m2 == pytest.approx(total, rel=1e-3)
    # no humidification is ever counted: heating is the sensible supply-air heating only
    heat_meter = result.hourly["heating_total_meter_kwh"].sum() / area
    assert result.heating_demand_kwh_m2 - result.frost_protection_heating_kwh_m2 == pytest.approx(heat_meter, abs=1e-6)


def test_old_forced_supply_humidity_is_gone(chicago_weather):
    """Humidistat dehumidification at the profile's RH, no humidification (GB/T 51350 ch. 4)."""
    model = build("residential", {"calculation_profile": "gbt51350_residential"}, chicago_weather)
    for ideal in model.idf.idfobjects["ZONEHVAC:IDEALLOADSAIRSYSTEM"]:
        assert ideal.Dehumidification_Control_Type == "Humidistat"
        assert ideal.Humidification_Control_Type == "None"
    humidistats = model.idf.idfobjects["ZONECONTROL:HUMIDISTAT"]
    assert len(humidistats) == len(model.idf.idfobjects["ZONE"])


def test_natural_ventilation_never_coincides_with_mechanical_cooling(chicago_weather, tmp_path):
    """Timestep check (finer than hourly): no zone has window airflow and ideal-loads cooling in
    the same timestep, and the windows do open in this period."""
    model = build("residential", {**PASSIVE, "calculation_profile": "gbt51350_residential", "storeys": 3},
                  chicago_weather, RunPeriod.parse("06-10:06-24"))
    for var in ("Zone Ventilation Standard Density Volume Flow Rate",
                "Zone Ideal Loads Supply Air Total Cooling Energy"):
        model.idf.newidfobject("OUTPUT:VARIABLE", Key_Value="*", Variable_Name=var, Reporting_Frequency="Timestep")
    idf_path = tmp_path / "in.idf"
    idf_path.write_text(model.idf_text())
    run = run_energyplus(idf_path, chicago_weather.epw_path, tmp_path)
    conn = sqlite3.connect(run.sql_path)
    rows = conn.execute(
        """SELECT r.TimeIndex, d.Name, UPPER(d.KeyValue), r.Value FROM ReportData r JOIN ReportDataDictionary d
        ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex JOIN Time t ON r.TimeIndex = t.TimeIndex
        JOIN EnvironmentPeriods e ON t.EnvironmentPeriodIndex = e.EnvironmentPeriodIndex
        WHERE d.ReportingFrequency = 'Zone Timestep' AND e.EnvironmentType = 3""").fetchall()
    conn.close()
    vent, cool = {}, {}
    for t, name, key, value in rows:
        zone = key.removesuffix(" IDEAL LOADS").removeprefix("WINDOW OPENING ")
        (vent if name.startswith("Zone Ventilation") else cool)[(t, zone)] = value
    open_steps = {k for k, v in vent.items() if v > 1e-6}
    cooling_steps = {k for k, v in cool.items() if v > 1.0}  # J
    assert len(open_steps) > 20, "windows never opened: the test would prove nothing"
    assert len(cooling_steps) > 5, "no cooling in the period: the test would prove nothing"
    assert not open_steps & cooling_steps


def test_frost_protection_adds_heating_only_below_threshold():
    """Hand calculation: (1 - eff) x V rho cp (threshold - T_out) for T_out below threshold."""
    t_out = np.array([-20.0, -5.0, -4.9, 3.0])
    flow = np.full(4, 0.5)  # m3/s
    kwh = frost_protection_kwh(pd_series(flow), pd_series(t_out), 0.8, -5.0).to_numpy()
    expected_first = 0.2 * 0.5 * AIR_DENSITY_STD_KG_M3 * AIR_CP_J_KGK * 15.0 / 1000.0
    assert kwh[0] == pytest.approx(expected_first)
    assert list(kwh[1:]) == [0.0, 0.0, 0.0]
    assert frost_protection_kwh(pd_series(flow), pd_series(t_out), 0.0, -5.0).sum() == 0.0  # no exchanger


def pd_series(values):
    import pandas as pd

    return pd.Series(values)


def test_frost_protection_in_a_real_cold_run(chicago_weather, tmp_path):
    """January in Chicago: the preheat appears in the result, and raising the threshold adds more."""
    base = {**PASSIVE, "calculation_profile": "gbt51350_residential", "storeys": 2}
    low = simulate("residential", {**base, "hrv_frost_threshold_c": -40.0}, chicago_weather,
                   run_dir=tmp_path / "a", period="01-10:01-16")
    high = simulate("residential", {**base, "hrv_frost_threshold_c": 0.0}, chicago_weather,
                    run_dir=tmp_path / "b", period="01-10:01-16")
    assert low.frost_protection_heating_kwh_m2 == 0.0
    assert high.frost_protection_heating_kwh_m2 > 0.01
    assert high.heating_demand_kwh_m2 > low.heating_demand_kwh_m2


def test_usable_area_basis_by_hand(chicago_weather, tmp_path):
    """60 m x 12 m x 2 storeys = 1440 m2 gross; usable = 0.72 x 1440 = 1036.8 m2."""
    r = simulate("residential", {"storeys": 2, "usable_floor_area_ratio": 0.72}, chicago_weather,
                 run_dir=tmp_path, period="design-days")
    assert r.conditioned_floor_area_m2 == pytest.approx(1440.0, rel=1e-6)
    assert r.usable_floor_area_m2 == pytest.approx(1036.8, rel=1e-6)


def test_thermal_bridges_raise_the_reported_wall_u_by_hand(chicago_weather, tmp_path):
    """Balcony bridge only: L = 0.5 x 60 m x 6 storeys = 180 m at 0.5 W/(m K) = 90 W/K over the
    opaque wall 144 m x 17.4 m - windows (0.45x60 + 0.30x60 + 2x0.10x12) x 17.4 m = 1680.84 m2:
    dU = 0.05354 W/(m2 K); EnergyPlus's Envelope Summary must report 0.15 + dU."""
    params = {"wall_u_w_m2k": 0.15, "psi_window_installation_w_mk": 0.0, "psi_balcony_w_mk": 0.5,
              "balcony_length_ratio": 0.5}
    r = simulate("residential", params, chicago_weather, run_dir=tmp_path, period="design-days")
    assert r.thermal_bridge_w_k == pytest.approx(90.0)
    assert r.wall_u_clear_field_w_m2k == pytest.approx(0.15, rel=1e-6)
    assert r.wall_u_w_m2k == pytest.approx(0.15 + 90.0 / 1680.84, rel=0.02)


def test_pv_area_respects_ground_coverage_ratio(chicago_weather, tmp_path):
    """Chicago 41.98 N, tilt 30: alpha = 90 - 41.98 - 23.45 = 24.57 deg,
    GCR = 1 / (cos 30 + sin 30 / tan 24.57) = 1 / (0.8660 + 1.0937) = 0.5103; module area = 720 x 0.5 x GCR."""
    alpha = math.radians(90 - 41.98 - 23.45)
    gcr = 1 / (math.cos(math.radians(30)) + math.sin(math.radians(30)) / math.tan(alpha))
    assert ground_coverage_ratio(30.0, 41.98) == pytest.approx(gcr)
    assert gcr == pytest.approx(0.5103, abs=1e-3)
    r = simulate("residential", {"pv_roof_fraction": 0.5, "pv_tilt_deg": 30.0}, chicago_weather,
                 run_dir=tmp_path / "tilt", period="design-days")
    assert r.pv_module_area_m2 == pytest.approx(720 * 0.5 * gcr, rel=1e-6)
    assert r.pv_module_area_m2 <= 720 * 0.5 * r.pv_ground_coverage_ratio + 1e-9
    assert r.pv_capacity_kw == pytest.approx(r.pv_module_area_m2 * 0.21, rel=1e-6)
    flat = simulate("residential", {"pv_roof_fraction": 0.5, "pv_mounting": "flat"}, chicago_weather,
                    run_dir=tmp_path / "flat", period="design-days")
    assert flat.pv_module_area_m2 == pytest.approx(360.0)


def test_design_and_reference_share_one_profile():
    """The optimiser's reference for an ultra-low constraint is simulated with the design's profile."""
    from ultralow.optimise import evaluation as std
    from ultralow.templates import get_template

    tpl = get_template("residential")
    climate = std.ClimateContext("severe_cold_B", 1.37, 0.54, True)
    pid = std.target_profile("ultra-low", "residential", climate)
    assert pid == profile_for_target("ultra-low", "residential", "severe_cold_B").id == "gbt51350_residential"
    design = tpl.resolve({**PASSIVE, "calculation_profile": pid, "external_shading": "seasonal",
                          "south_overhang_depth_ratio": 0.5})
    ref = std.reference_parameters("residential", design, climate)
    assert ref["calculation_profile"] == design["calculation_profile"] == pid
    # and never the design-only measures
    assert ref["external_shading"] == "none" and ref["south_overhang_depth_ratio"] == 0.0
    assert ref["hrv_efficiency"] == 0.0 and ref["pv_roof_fraction"] == 0.0
    assert get_profile(pid).area_basis == "usable"


def test_slab_on_ground_u0_by_hand():
    """ISO 13370 slab, 60 m x 12 m (A 720 m2, P 144 m), floor layers R 2.5 m2K/W, by hand:
    d_t = 0.3 + 2.0 (0.17 + 2.5 + 0.04) = 5.72 m < B' = 720 / 72 = 10 m, so
    U0 = 2 x 2.0 / (pi 10 + 5.72) x ln(pi 10 / 5.72 + 1) = 0.10771 x 1.87062 = 0.2015 W/(m2 K).
    With a constant outdoor temperature the ground temperature is steady:
    T_g = T_i - U0 A (T_i - T_e) / (A / (0.17 + 2.5)) = 20 - 0.2015 x 2.67 x 25 = 6.55 degC."""
    from ultralow.templates.ground import ground_temperatures_c, slab_u0_w_m2k

    assert slab_u0_w_m2k(720.0, 144.0, 2.5) == pytest.approx(0.2015, abs=2e-4)
    temps = ground_temperatures_c([-5.0] * 12, 20.0, 720.0, 144.0, 2.5)
    assert temps == pytest.approx([20 - 0.20149 * 2.67 * 25] * 12, abs=0.01)


def test_room_weighted_gains_equal_the_room_types():
    """GB 55015-2021 App. C residential room types (GudaoStudio/Basic-Database-On-LBT@63e08d6),
    daily-mean gains per room: bedroom 3.463, living 5.275, kitchen 1.492, bathroom 1.119,
    service 0.653 W/m2; weights 0.40/0.30/0.10/0.08/0.12 give 3.285 W/m2 by hand."""
    expected = 0.40 * 3.463 + 0.30 * 5.275 + 0.10 * 1.492 + 0.08 * 1.119 + 0.12 * 0.653
    for pid in ("gb55015_residential_cold", "gb55015_residential_warm", "gbt51350_residential"):
        assert get_profile(pid).mean_internal_gains_w_m2() == pytest.approx(expected, abs=0.005), pid


def test_latent_cooling_holds_the_profile_rh_limit(chicago_weather, tmp_path):
    """Reference: EnergyPlus's own "Zone Air Relative Humidity". In a humid Chicago fortnight with
    the GB/T 51350 profile (RH <= 60 %), the zone-hours with latent cooling and windows shut stay at
    or below the limit (0.5 % tolerance for hourly means): 95 % of them, with at most 2 % over it
    (hours just after the windows close), and latent cooling does occur. Measured: 508 such
    zone-hours, 5 above 60.5 % (max 63.5 %), 95th percentile 60.0 %."""
    model = build("residential", {**PASSIVE, "calculation_profile": "gbt51350_residential", "storeys": 2},
                  chicago_weather, RunPeriod.parse("07-01:07-14"))
    for var in ("Zone Air Relative Humidity", "Zone Ventilation Standard Density Volume Flow Rate"):
        model.idf.newidfobject("OUTPUT:VARIABLE", Key_Value="*", Variable_Name=var, Reporting_Frequency="Hourly")
    idf_path = tmp_path / "in.idf"
    idf_path.write_text(model.idf_text())
    run = run_energyplus(idf_path, chicago_weather.epw_path, tmp_path)
    conn = sqlite3.connect(run.sql_path)
    rows = conn.execute(
        """SELECT r.TimeIndex, d.Name, UPPER(d.KeyValue), r.Value FROM ReportData r JOIN ReportDataDictionary d
        ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex JOIN Time t ON r.TimeIndex = t.TimeIndex
        JOIN EnvironmentPeriods e ON t.EnvironmentPeriodIndex = e.EnvironmentPeriodIndex
        WHERE d.ReportingFrequency = 'Hourly' AND e.EnvironmentType = 3 AND d.Name IN
        ('Zone Air Relative Humidity', 'Zone Ideal Loads Supply Air Latent Cooling Energy',
         'Zone Ventilation Standard Density Volume Flow Rate')""").fetchall()
    conn.close()
    series: dict[str, dict] = {}
    for t, name, key, value in rows:
        zone = key.removesuffix(" IDEAL LOADS").removeprefix("WINDOW OPENING ")
        series.setdefault(name, {})[(t, zone)] = value
    rh = series["Zone Air Relative Humidity"]
    windows = series.get("Zone Ventilation Standard Density Volume Flow Rate", {})
    # hours with latent cooling and the windows shut all hour (open windows release the humidistat)
    dehumidifying = [k for k, v in series["Zone Ideal Loads Supply Air Latent Cooling Energy"].items()
                     if v > 1000.0 and windows.get(k, 0.0) == 0.0]
    assert len(dehumidifying) > 20, "no dehumidification in the period: the test would prove nothing"
    limit = get_profile("gbt51350_residential").dehumidify_max_rh_percent
    over = [rh[k] for k in dehumidifying if rh[k] > limit + 0.5]
    # a few hours overshoot just after the windows close (RH released the timestep before)
    assert len(over) <= 0.02 * len(dehumidifying), sorted(over)
    assert np.percentile([rh[k] for k in dehumidifying], 95) <= limit + 0.5
