"""Retrofit investment against the existing building: only the measures applied are charged,
with the retrofit's own works, fees and subsidies. Hand calculations, no EnergyPlus.

Block 10 m x 8 m, 2 storeys of 3 m: facades 60 + 60 + 48 + 48 = 216 m2 gross; windows south 30,
north 18, east 9.6, west 4.8 m2 (62.4 m2); roof 80 m2; floor 160 m2.
"""

from __future__ import annotations

import pytest
from ultralow.optimise.costs import CostModel

GEOMETRY = {"length_m": 10.0, "depth_m": 8.0, "storeys": 2, "floor_height_m": 3.0,
            "wwr_south": 0.5, "wwr_north": 0.3, "wwr_east": 0.2, "wwr_west": 0.1}
WINDOW_M2, FACADE_M2, ROOF_M2, FLOOR_M2 = 62.4, 216.0, 80.0, 160.0
EXISTING = {**GEOMETRY, "vintage": "pre1996", "window_u_w_m2k": 5.8, "window_shgc": 0.8, "n50_ach": 10.0,
            "lighting_w_m2": 15.0, "roof_solar_absorptance": 0.8, "heat_pump": "existing",
            "hrv_efficiency": 0.0, "pv_roof_fraction": 0.0}


def built(wall_mm: float = 0.0, roof_mm: float = 0.0) -> dict:
    """A result as the builder reports it: the insulation added outside the existing elements."""
    return {"conditioned_floor_area_m2": FLOOR_M2, "peak_heating_load_w_m2": 40.0, "peak_cooling_load_w_m2": 50.0,
            "pv_capacity_kw": 0.0, "wall_insulation_built_mm": wall_mm, "roof_insulation_built_mm": roof_mm,
            "floor_insulation_built_mm": 0.0}


@pytest.fixture(scope="module")
def model() -> CostModel:
    return CostModel.load()


def test_keeping_everything_costs_nothing(model):
    inv = model.investment("residential", dict(EXISTING), built(), existing=EXISTING)
    assert inv["investment_rmb"] == 0.0 and inv["measures"] == []
    assert inv["investment_scaffolding_rmb"] == inv["investment_fees_rmb"] == 0.0


def test_new_windows_pay_removal_scaffolding_and_fees(model):
    v = model.value
    design = {**EXISTING, "window_u_w_m2k": 1.8, "window_shgc": 0.4}
    inv = model.investment("residential", design, built(), existing=EXISTING)
    windows = WINDOW_M2 * (model.window_price_rmb_m2(1.8) + v("retrofit.window_removal_rmb_m2"))
    works = windows + FACADE_M2 * v("retrofit.scaffolding_rmb_m2")
    assert inv["investment_windows_rmb"] == pytest.approx(windows)
    assert inv["investment_rmb"] == pytest.approx(works * (1 + v("retrofit.fees_fraction")))
    assert inv["measures"] == ["windows"]


def test_roof_lighting_cool_roof_and_film_without_facade_works(model):
    v = model.value
    design = {**EXISTING, "roof_insulation": "xps", "lighting_w_m2": 8.0, "roof_solar_absorptance": 0.3,
              "window_retrofit": "solar_control_film"}
    inv = model.investment("residential", design, built(roof_mm=100.0), existing=EXISTING)
    roof = ROOF_M2 * (10.0 * v("insulation.price_rmb_m2_cm")["xps"] + v("insulation.system_rmb_m2")["roof"])
    works = (roof + FLOOR_M2 * v("lighting.led_retrofit_rmb_m2") + ROOF_M2 * v("roof.cool_coating_rmb_m2")
             + WINDOW_M2 * v("windows.solar_control_film_rmb_m2"))
    assert inv["investment_scaffolding_rmb"] == 0.0  # no wall or window works
    assert inv["investment_rmb"] == pytest.approx(works * (1 + v("retrofit.fees_fraction")))
    assert inv["measures"] == ["roof_insulation", "solar_control_film", "lighting", "cool_roof"]


def test_airtightness_from_the_existing_n50_and_new_heat_pump(model):
    v = model.value
    design = {**EXISTING, "n50_ach": 4.0, "heat_pump": "ashp_standard"}
    inv = model.investment("residential", design, built(), existing=EXISTING)
    air = FLOOR_M2 * v("airtightness.cost_rmb_m2_per_ach") * (10.0 - 4.0)
    hp = v("heat_pump.sizing_factor") * 50.0 * FLOOR_M2 / 1000.0 * model.heat_pump_price_rmb_kw("ashp_standard")
    assert inv["investment_airtightness_rmb"] == pytest.approx(air)
    assert inv["investment_heat_pump_rmb"] == pytest.approx(hp)
    assert inv["investment_rmb"] == pytest.approx((air + hp) * (1 + v("retrofit.fees_fraction")))


def test_subsidy_is_an_input(tmp_path):
    path = tmp_path / "subsidy.toml"
    path.write_text("[subsidy]\nrmb_m2 = 100.0\nfraction = 0.1\n")
    model = CostModel.load(path)
    design = {**EXISTING, "lighting_w_m2": 8.0}
    inv = model.investment("residential", design, built(), existing=EXISTING)
    gross = FLOOR_M2 * model.value("lighting.led_retrofit_rmb_m2") * (1 + model.value("retrofit.fees_fraction"))
    assert inv["investment_gross_rmb"] == pytest.approx(gross)
    assert inv["subsidy_rmb"] == pytest.approx(min(gross, 100.0 * FLOOR_M2 + 0.1 * gross))
    assert inv["investment_rmb"] == pytest.approx(gross - inv["subsidy_rmb"])


def test_applied_measures_in_the_stated_order():
    """A measure is applied when one of its parameters differs from the existing building's;
    a zero thickness is no insulation (the optimiser's 0 mm against the existing building's none)."""
    from ultralow.optimise.measures import MEASURE_ORDER, applied_measures

    existing = {"roof_insulation_mm": None, "window_u_w_m2k": 5.8, "lighting_w_m2": 16.0, "heat_pump": "existing",
                "pv_roof_fraction": 0.0, "roof_solar_absorptance": 0.7}
    design = {**existing, "roof_insulation_mm": 0.0, "pv_roof_fraction": 0.5, "window_u_w_m2k": 2.4,
              "heat_pump": "ashp_standard", "lighting_w_m2": 8.0}
    assert applied_measures(design, existing) == ["windows", "lighting", "heat_pump", "pv"]
    assert list(MEASURE_ORDER)[:3] == ["wall_insulation", "roof_insulation", "floor_insulation"]
    assert list(MEASURE_ORDER)[-1] == "pv"


def test_cool_roof_on_a_new_building_only_below_the_default_finish(model):
    new = {**GEOMETRY, "roof_solar_absorptance": 0.3}
    dark = {**GEOMETRY, "roof_solar_absorptance": 0.9}
    assert model.investment("residential", new, built())["investment_cool_roof_rmb"] == pytest.approx(
        ROOF_M2 * model.value("roof.cool_coating_rmb_m2"))
    assert model.investment("residential", dark, built())["investment_cool_roof_rmb"] == 0.0
