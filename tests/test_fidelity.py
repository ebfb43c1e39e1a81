"""The fast model against the full model (issue 17): real EnergyPlus, two January weeks in Harbin.

Independent references: the full model itself (every storey simulated), EnergyPlus's own
``DistrictHeatingWater:Facility`` meter (it counts zone multipliers: the reader's sum of the
zones' ideal-loads variables must equal it, so a multiplied zone is never counted twice), and a
hand count of the zones and the thermal-bridge lengths.
"""

from __future__ import annotations

import sqlite3

import pytest
from ultralow.sim.simulate import build, simulate
from ultralow.weather import resolve_weather

PERIOD = "01-08:01-21"
PARAMS = {"storeys": 6, "pv_roof_fraction": 0.3}


@pytest.fixture(scope="module")
def harbin():
    return resolve_weather(city="harbin")


@pytest.fixture(scope="module")
def runs(harbin, tmp_path_factory):
    root = tmp_path_factory.mktemp("fidelity")
    return {f: simulate("residential", {**PARAMS, "fidelity": f}, harbin, run_dir=root / f, period=PERIOD)
            for f in ("full", "fast")}


def test_fast_model_simulates_one_typical_middle_storey_with_a_multiplier(harbin):
    fast = build("residential", {**PARAMS, "fidelity": "fast"}, harbin)
    full = build("residential", {**PARAMS, "fidelity": "full"}, harbin)
    zones = {z.Name: int(float(z.Multiplier or 1)) for z in fast.idf.idfobjects["ZONE"]}
    # ground, first, one typical middle storey standing for storeys 3 and 4 and 5, top
    assert sorted(zones.values()) == [1, 1, 1, 3] and sum(zones.values()) == 6
    assert len(full.idf.idfobjects["ZONE"]) == 6
    assert len(fast.idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]) * 6 == len(
        full.idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]) * 4
    # thermal bridges (psi x L over the wall area) count the multiplied storey's windows and walls
    assert fast.thermal_bridges.heat_loss_coefficient_w_k == pytest.approx(
        full.thermal_bridges.heat_loss_coefficient_w_k, rel=1e-6)
    assert fast.thermal_bridges.opaque_wall_area_m2 == pytest.approx(full.thermal_bridges.opaque_wall_area_m2,
                                                                     rel=1e-6)
    # only eplusout.sql is written by the fast model
    kinds = {o.key.upper() for o in fast.idf.idfobjects["OUTPUTCONTROL:FILES"]}
    assert kinds == {"OUTPUTCONTROL:FILES"} and not full.idf.idfobjects["OUTPUTCONTROL:FILES"]


def test_fast_model_gives_the_full_models_answers(runs):
    full, fast = runs["full"], runs["fast"]
    assert fast.conditioned_floor_area_m2 == pytest.approx(full.conditioned_floor_area_m2, rel=1e-6)
    assert fast.heating_demand_kwh_m2 == pytest.approx(full.heating_demand_kwh_m2, rel=0.01)
    assert fast.peak_heating_load_w_m2 == pytest.approx(full.peak_heating_load_w_m2, rel=0.02)
    assert fast.primary_energy_kwh_m2 == pytest.approx(full.primary_energy_kwh_m2, rel=0.01)
    assert fast.wall_u_w_m2k == pytest.approx(full.wall_u_w_m2k, rel=1e-3)
    assert fast.thermal_bridge_w_k == pytest.approx(full.thermal_bridge_w_k, rel=1e-6)
    assert fast.pv_generation_kwh_m2 == pytest.approx(full.pv_generation_kwh_m2, rel=0.01)
    assert set(fast.to_dict()) == set(full.to_dict())  # the same result fields


def test_zone_loads_of_a_multiplied_zone_are_counted_once(runs):
    """EnergyPlus's facility meter of the ideal loads' heating counts multipliers; the reader's
    heating (zones' sensible heating, summed) is its sensible part: never above it, and the latent
    heating of these dry winter weeks is nil, so they agree."""
    fast = runs["fast"]
    with sqlite3.connect(f"{fast.run_dir}/eplusout.sql") as conn:
        meter_j = conn.execute(
            "SELECT SUM(r.Value) FROM ReportData r JOIN ReportDataDictionary d ON r.ReportDataDictionaryIndex = "
            "d.ReportDataDictionaryIndex JOIN Time t ON r.TimeIndex = t.TimeIndex WHERE d.Name = "
            "'DistrictHeatingWater:Facility' AND t.EnvironmentPeriodIndex IN (SELECT EnvironmentPeriodIndex FROM "
            "EnvironmentPeriods WHERE EnvironmentType = 3)").fetchone()[0]
        multiplied = conn.execute("SELECT MAX(Multiplier) FROM Zones").fetchone()[0]
    assert multiplied == 3
    meter_kwh_m2 = meter_j / 3.6e6 / fast.conditioned_floor_area_m2
    assert fast.heating_demand_kwh_m2 - fast.frost_protection_heating_kwh_m2 == pytest.approx(meter_kwh_m2, rel=0.01)
