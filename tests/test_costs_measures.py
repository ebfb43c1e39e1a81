"""Costs of the package measures: movable external shading, thermal-bridge details, PV from the result.

Hand calculations on a small block (no EnergyPlus): 10 m x 8 m, 2 storeys of 3 m.
"""

from __future__ import annotations

import math

import pytest
from ultralow.optimise.costs import COMPONENTS, SCHEMA, CostModel, quantities

GEOMETRY = {"length_m": 10.0, "depth_m": 8.0, "storeys": 2, "floor_height_m": 3.0,
            "wwr_south": 0.5, "wwr_north": 0.3, "wwr_east": 0.2, "wwr_west": 0.1}
# windows: south 10*6*0.5 = 30, north 10*6*0.3 = 18, east 8*6*0.2 = 9.6, west 8*6*0.1 = 4.8 m2
SHADED_M2 = 30.0 + 9.6 + 4.8  # south + east + west; north windows get no movable shading
WINDOW_M2 = SHADED_M2 + 18.0


def result(pv_capacity_kw: float = 0.0) -> dict:
    return {"conditioned_floor_area_m2": 160.0, "net_site_energy_kwh_m2": 50.0, "pv_generation_kwh_m2": 0.0,
            "peak_heating_load_w_m2": 40.0, "peak_cooling_load_w_m2": 10.0, "co2_kg_m2": 20.0,
            "pv_capacity_kw": pv_capacity_kw}


@pytest.fixture(scope="module")
def model() -> CostModel:
    return CostModel.load()


def test_new_items_are_assumptions_with_units(model):
    for key in ("shading.external_movable_rmb_m2", "thermal_bridges.balcony_thermal_break_rmb_m",
                "thermal_bridges.thermal_break_psi_w_mk", "thermal_bridges.window_installation_rmb_m",
                "thermal_bridges.window_installation_psi_w_mk", "lifetime_years.thermal_bridges",
                "maintenance_fraction.thermal_bridges"):
        assert key in SCHEMA
        item = model.items[key]
        assert item.unit and "assumption" in item.source and item.verified is False, key
    assert 400.0 <= model.value("shading.external_movable_rmb_m2") <= 800.0
    assert 600.0 <= model.value("thermal_bridges.balcony_thermal_break_rmb_m") <= 1200.0
    assert model.value("thermal_bridges.thermal_break_psi_w_mk") == 0.15
    assert model.value("thermal_bridges.window_installation_psi_w_mk") == 0.02
    assert "thermal_bridges" in COMPONENTS


def test_external_shading_adds_shaded_window_area_times_price(model):
    price = model.value("shading.external_movable_rmb_m2")
    none = model.investment("residential", {**GEOMETRY, "external_shading": "none"}, result())
    solar = model.investment("residential", {**GEOMETRY, "external_shading": "solar"}, result())
    assert none["shaded_window_m2"] == 0.0
    assert solar["shaded_window_m2"] == pytest.approx(44.4)
    assert solar["investment_rmb"] - none["investment_rmb"] == pytest.approx(SHADED_M2 * price)
    assert solar["investment_shading_external_rmb"] == pytest.approx(44.4 * price)
    assert solar["investment_shading_rmb"] == pytest.approx(solar["investment_shading_overhang_rmb"] + 44.4 * price)
    seasonal = model.investment("residential", {**GEOMETRY, "external_shading": "seasonal"}, result())
    assert seasonal["investment_shading_rmb"] == pytest.approx(solar["investment_shading_rmb"])
    # north windows only -> nothing to shade
    north = {**GEOMETRY, "wwr_south": 0.0, "wwr_east": 0.0, "wwr_west": 0.0, "external_shading": "solar"}
    assert model.investment("residential", north, result())["investment_shading_rmb"] == 0.0


def test_overhang_and_external_shading_add_up(model):
    params = {**GEOMETRY, "south_overhang_depth_ratio": 0.5, "external_shading": "solar"}
    inv = model.investment("residential", params, result())
    overhang = 30.0 * 0.5 * model.value("shading.overhang_rmb_m2")
    external = SHADED_M2 * model.value("shading.external_movable_rmb_m2")
    assert inv["investment_shading_overhang_rmb"] == pytest.approx(overhang)
    assert inv["investment_shading_rmb"] == pytest.approx(overhang + external)


def test_shading_shows_in_incremental_investment(model):
    ref = {**GEOMETRY, "external_shading": "none"}
    out = model.evaluate("residential", {**GEOMETRY, "external_shading": "solar"}, result(),
                         reference_params=ref, reference_result=result(), city="harbin")
    price = model.value("shading.external_movable_rmb_m2")
    harbin_factor = 809.0 / 1218.0  # Heilongjiang / national cost per m2 (optimise/data/regional_prices.toml)
    assert out["incremental_investment_rmb"] == pytest.approx(SHADED_M2 * price * harbin_factor)


@pytest.mark.parametrize(("psi", "charged"), [(0.05, True), (0.15, True), (0.151, False), (0.5, False)])
def test_balcony_thermal_break_only_at_or_below_threshold(model, psi, charged):
    params = {**GEOMETRY, "balcony_length_ratio": 0.5, "psi_balcony_w_mk": psi}
    q = quantities("residential", params, result())
    assert q["balcony_length_m"] == pytest.approx(10.0 * 0.5 * 2)  # length x ratio x storeys
    inv = model.investment("residential", params, result())
    expected = 10.0 * model.value("thermal_bridges.balcony_thermal_break_rmb_m") if charged else 0.0
    assert inv["investment_thermal_bridges_balcony_rmb"] == pytest.approx(expected)
    base = model.investment("residential", {**params, "psi_balcony_w_mk": 0.5}, result())
    assert inv["investment_rmb"] - base["investment_rmb"] == pytest.approx(expected)


def test_no_balcony_no_thermal_break(model):
    params = {**GEOMETRY, "balcony_length_ratio": 0.0, "psi_balcony_w_mk": 0.05}
    assert model.investment("residential", params, result())["investment_thermal_bridges_balcony_rmb"] == 0.0


@pytest.mark.parametrize(("psi", "charged"), [(0.0, True), (0.02, True), (0.021, False), (0.1, False)])
def test_window_installation_detail_on_estimated_perimeter(model, psi, charged):
    params = {**GEOMETRY, "psi_window_installation_w_mk": psi}
    inv = model.investment("residential", params, result())
    perimeter = 4.0 * WINDOW_M2 / 1.5  # 1.5 m x 1.5 m windows: (A / 2.25) windows x 6 m
    assert inv["window_perimeter_m"] == pytest.approx(perimeter)
    price = model.value("thermal_bridges.window_installation_rmb_m")
    assert inv["investment_thermal_bridges_window_installation_rmb"] == pytest.approx(
        perimeter * price if charged else 0.0)


def test_pv_investment_follows_the_result_capacity(model):
    params = {**GEOMETRY, "pv_roof_fraction": 0.5, "pv_module_efficiency": 0.2}  # roof formula would say 8 kW
    price = model.value("pv.price_rmb_w")
    for kw in (3.0, 5.5, 12.0):
        inv = model.investment("residential", params, result(pv_capacity_kw=kw))
        assert inv["pv_capacity_kw"] == kw
        assert inv["investment_pv_rmb"] == pytest.approx(1000.0 * kw * price)
    # the mounting changes the capacity only through the simulated layout
    flat = model.investment("residential", {**params, "pv_mounting": "flat"}, result(pv_capacity_kw=5.5))
    rows = model.investment("residential", {**params, "pv_mounting": "tilted_rows"}, result(pv_capacity_kw=5.5))
    assert flat["investment_pv_rmb"] == rows["investment_pv_rmb"] == pytest.approx(5500.0 * price)
    # no simulated capacity -> unknown, not roof area x fraction x efficiency
    assert math.isnan(model.investment("residential", params, None)["investment_pv_rmb"])
