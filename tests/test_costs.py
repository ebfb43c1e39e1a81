"""Cost model and optimiser catalogues: formulas against hand calculations, validation messages."""

from __future__ import annotations

import math
import tomllib
from importlib import resources

import pytest
from ultralow.errors import InputError
from ultralow.optimise import catalogues
from ultralow.optimise.costs import (
    SCHEMA,
    CostModel,
    present_value_factor,
    replacement_factor,
    simple_payback_years,
    window_price_points,
)

# A small residential block: 10 m x 8 m, 2 storeys of 3 m, windows only on the south facade.
GEOMETRY = {"length_m": 10.0, "depth_m": 8.0, "storeys": 2, "floor_height_m": 3.0,
            "wwr_south": 0.5, "wwr_north": 0.0, "wwr_east": 0.0, "wwr_west": 0.0}
AREA_M2 = 160.0  # 10 * 8 * 2


CITY = "beijing"  # residential electricity: flat 0.4883 RMB/kWh, PV export 0.3598 (optimise/data/tariffs.toml)
P_BUY, P_EXPORT = 0.4883, 0.3598


def result(net_site: float = 50.0, pv: float = 0.0, peak_heating: float = 40.0, co2: float = 20.0,
           exported: float = 0.0) -> dict:
    """A result whose grid exchange is spread evenly over the 12 x 24 month-hour cells: it buys
    ``net_site + exported`` kWh/m2 and sells ``exported`` kWh/m2 of its ``pv`` kWh/m2."""
    cell = [[(net_site + exported) * AREA_M2 / 288.0] * 24 for _ in range(12)]
    return {"conditioned_floor_area_m2": AREA_M2, "net_site_energy_kwh_m2": net_site, "pv_generation_kwh_m2": pv,
            "peak_heating_load_w_m2": peak_heating, "peak_cooling_load_w_m2": 10.0, "co2_kg_m2": co2,
            "pv_capacity_kw": 0.0, "grid_import_kwh_month_hour": cell,
            "grid_export_kwh_month_hour": [[exported * AREA_M2 / 288.0] * 24 for _ in range(12)],
            "pv_generation_kwh_month_hour": [[pv * AREA_M2 / 288.0] * 24 for _ in range(12)]}


@pytest.fixture
def flat_model(tmp_path) -> CostModel:
    """Packaged data with no maintenance and every lifetime = the 50-year period (no replacements)."""
    lines = ["[maintenance_fraction]"] + [f"{c} = 0.0" for c in
                                          ("insulation", "windows", "airtightness", "hrv", "heat_pump", "pv")]
    lines += ["[lifetime_years]"] + [f"{c} = 50" for c in
                                     ("insulation", "windows", "airtightness", "hrv", "heat_pump", "pv")]
    path = tmp_path / "costs.toml"
    path.write_text("\n".join(lines) + "\n")
    return CostModel.load(path)


def test_packaged_cost_data_has_provenance():
    with resources.files("ultralow.optimise").joinpath("data", "costs.toml").open("rb") as fh:
        data = tomllib.load(fh)
    keys = {f"{s}.{n}" for s, body in data.items() for n in body}
    assert keys == set(SCHEMA)
    for s, body in data.items():
        for n, item in body.items():
            assert item["source"].strip(), f"{s}.{n}"
            assert isinstance(item["verified"], bool)
    model = CostModel.load()
    assert model.value("economics.discount_rate") == 0.08
    assert "pv.price_rmb_w" in model.unverified()


def test_insulation_cost_area_times_thickness_times_price():
    model = CostModel.load()
    params = {**GEOMETRY, "wall_insulation": "eps", "wall_insulation_mm": 100.0}
    inv = model.investment("residential", params, result())
    # gross wall 2 * (10 + 8) * 6 = 216 m2, windows 0.5 * 10 * 6 = 30 m2 -> opaque 186 m2
    assert inv["wall_area_m2"] == pytest.approx(186.0)
    assert inv["window_area_m2"] == pytest.approx(30.0)
    assert inv["wall_insulation_cm"] == pytest.approx(10.0)
    # 186 m2 * (10 cm * 4.5 RMB/(m2 cm) + 120 RMB/m2 system)
    assert inv["investment_insulation_wall_rmb"] == pytest.approx(186.0 * (10 * 4.5 + 120.0))
    # roof/floor area = footprint 80 m2
    assert inv["roof_area_m2"] == inv["ground_floor_area_m2"] == pytest.approx(80.0)


def test_component_investments_by_hand():
    model = CostModel.load()
    params = {**GEOMETRY, "window_u_w_m2k": 1.05, "n50_ach": 1.0, "hrv_efficiency": 0.8,
              "heat_pump": "ashp_standard", "pv_roof_fraction": 0.5, "pv_module_efficiency": 0.2}
    inv = model.investment("residential", params, {**result(), "pv_capacity_kw": 8.0})
    # window price between triple_lowe_pvc (U 1.2, 1300) and triple_lowe_passive (U 0.9, 2000)
    assert inv["window_price_rmb_m2"] == pytest.approx(1650.0)
    assert inv["investment_windows_rmb"] == pytest.approx(30.0 * 1650.0)
    assert inv["investment_airtightness_rmb"] == pytest.approx(160.0 * 20.0 * (3.0 - 1.0))
    assert inv["investment_hrv_rmb"] == pytest.approx(160.0 * (110.0 + 40.0 * 0.5))  # 0.75->110, 0.85->150
    assert inv["heat_pump_capacity_kw"] == pytest.approx(1.2 * 40.0 * 160.0 / 1000.0)
    assert inv["investment_heat_pump_rmb"] == pytest.approx(7.68 * 1800.0)
    assert inv["investment_pv_rmb"] == pytest.approx(8000.0 * 3.5)
    # no result capacity -> unknown (the builder's row layout decides it), not roof x fraction x efficiency
    assert math.isnan(model.investment("residential", params, {})["pv_capacity_kw"])
    assert model.investment("residential", {**params, "pv_roof_fraction": 0.0}, None)["pv_capacity_kw"] == 0.0
    # a window product id prices the product itself
    product = model.investment("residential", {**params, "window_product": "vacuum_composite"}, result())
    assert product["window_price_rmb_m2"] == 3300.0


def test_annuity_and_lcc(flat_model):
    r, n = 0.08, 50
    factor = sum((1 + r) ** -t for t in range(1, n + 1))
    assert present_value_factor(r, n) == pytest.approx(factor)
    assert present_value_factor(0.0, 10) == 10.0
    params = dict(GEOMETRY)
    out = flat_model.evaluate("residential", params, result(net_site=50.0), city=CITY)
    energy = 50.0 * 160.0 * P_BUY  # kWh/m2 * m2 * RMB/kWh
    assert out["annual_energy_cost_rmb"] == pytest.approx(energy)
    assert out["lcc_rmb"] == pytest.approx(out["investment_rmb"] + energy * factor)
    assert out["lcc_rmb_m2"] == pytest.approx(out["lcc_rmb"] / 160.0)
    assert out["co2_t_per_year"] == pytest.approx(20.0 * 160.0 / 1000.0)
    assert math.isnan(out["npv_savings_rmb"])  # no reference result


def test_replacement_and_residual_value():
    r = 0.08
    expected = 1 + 1.08 ** -15 + 1.08 ** -30 + 1.08 ** -45 - (10 / 15) * 1.08 ** -50
    assert replacement_factor(15, 50, r) == pytest.approx(expected)
    assert replacement_factor(50, 50, r) == pytest.approx(1.0)
    assert replacement_factor(30, 50, r) == pytest.approx(1 + 1.08 ** -30 - (10 / 30) * 1.08 ** -50)


def test_payback_and_npv_against_reference(flat_model):
    ref_params = {**GEOMETRY, "window_u_w_m2k": 2.0}
    design = {**GEOMETRY, "window_u_w_m2k": 1.2}
    ref_res, des_res = result(net_site=50.0), result(net_site=40.0)
    out = flat_model.evaluate("residential", design, des_res, reference_params=ref_params, reference_result=ref_res,
                              city=CITY)
    # window area * price difference * Beijing's price factor 2287 / 1218 (regional_prices.toml)
    incremental = 30.0 * (1300.0 - 650.0) * 2287.0 / 1218.0
    saving = 10.0 * 160.0 * P_BUY
    assert out["incremental_investment_rmb"] == pytest.approx(incremental)
    assert out["incremental_investment_rmb_m2"] == pytest.approx(incremental / 160.0)
    assert out["simple_payback_years"] == pytest.approx(incremental / saving)
    assert out["npv_savings_rmb"] == pytest.approx(saving * present_value_factor(0.08, 50) - incremental)
    worse = flat_model.evaluate("residential", design, result(net_site=60.0), reference_params=ref_params,
                                reference_result=ref_res, city=CITY)
    assert worse["simple_payback_years"] == math.inf
    assert simple_payback_years(-5.0, 10.0) == 0.0
    assert simple_payback_years(100.0, 0.0) == math.inf


def test_reference_defaults_to_template_defaults():
    model = CostModel.load()
    out = model.evaluate("office", {}, result(), reference_result=result(), city=CITY)
    assert out["incremental_investment_rmb"] == pytest.approx(0.0)
    assert out["npv_savings_rmb"] == pytest.approx(0.0)
    assert out["simple_payback_years"] == math.inf
    # commercial tariff, time of use: an even load pays the hour-weighted mean price
    from ultralow.optimise.tariffs import tariff_for

    mean_price = float(tariff_for(CITY, "office").electricity_price_rmb_kwh().mean())
    assert out["annual_energy_cost_rmb"] == pytest.approx(50.0 * 160.0 * mean_price)


def test_user_weather_needs_a_tariff_city():
    model = CostModel.load()
    with pytest.raises(InputError, match=r"\[tariffs\] city"):
        model.evaluate("residential", dict(GEOMETRY), result(), city=None)


def test_pv_export_credited_at_the_benchmark_price(flat_model):
    # buys 10 kWh/m2 in hours without sun, sells 20 kWh/m2 of PV: cost = 10 x buy - 20 x export price
    out = flat_model.evaluate("residential", dict(GEOMETRY), result(net_site=-10.0, pv=30.0, exported=20.0),
                              city=CITY)
    assert out["annual_energy_cost_rmb"] == pytest.approx(160.0 * (10.0 * P_BUY - 20.0 * P_EXPORT))


def test_pv_degradation_reduces_later_years():
    """A PV kWh lost to degradation costs what it saved: bought at the tariff if it was used in the
    building, lost export revenue if it was sold."""
    model = CostModel.load()
    res = result(net_site=40.0, pv=10.0, exported=2.0)  # 8 kWh/m2 used on site, 2 exported
    costs = model.energy_costs_rmb("residential", {}, res, CITY)
    deg = model.value("pv.degradation_per_year")
    lost = 1.0 - (1.0 - deg)
    assert costs[1] - costs[0] == pytest.approx(lost * 160.0 * (8.0 * P_BUY + 2.0 * P_EXPORT))
    assert costs[25] == pytest.approx(costs[0])  # replaced after 25 a


def test_user_file_overrides_and_extends(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[economics]\ndiscount_rate = 0.05\n[insulation.price_rmb_m2_cm]\n'
                    'value = { eps = 3.0 }\nsource = "quote 2025"\nverified = true\n')
    model = CostModel.load(path)
    assert model.value("economics.discount_rate") == 0.05
    assert model.items["economics.discount_rate"].source.startswith("user file")
    assert model.value("insulation.price_rmb_m2_cm")["eps"] == 3.0
    assert model.value("insulation.price_rmb_m2_cm")["xps"] == 6.5  # kept from the packaged table


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("[economics]\ndiscount_rate = 2.0\n", ["economics.discount_rate", "-0.5 to 0.5"]),
        ("[economics]\ndiscount = 0.05\n", ["economics.discount", "discount_rate", "analysis_period_years"]),
        ("[costs]\nx = 1\n", ["'costs'", "economics"]),
        ("[tariffs]\ndistrict_heating_billing = \"monthly\"\n",
         ["tariffs.district_heating_billing", "metered", "area"]),
        ("[windows]\nprice_curve = \"cheap\"\n", ["windows.price_curve", "catalogue"]),
        ("[hrv]\ncost_curve_rmb_m2 = [[0.9, 10.0], [0.5, 20.0]]\n", ["hrv.cost_curve_rmb_m2", "increasing"]),
        ("[insulation.price_rmb_m2_cm]\nvalue = { cork = 9.0 }\n", ["insulation.price_rmb_m2_cm", "cork", "eps"]),
        ("[lifetime_years]\npv = 12.5\n", ["lifetime_years.pv", "whole number"]),
        ("[pv.price_rmb_w]\nvalue = 3.0\nsource = \"\"\n", ["pv.price_rmb_w", "source"]),
    ],
)
def test_validation_names_key_and_allowed(tmp_path, text, needles):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        CostModel.load(path)
    for needle in needles:
        assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_missing_cost_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        CostModel.load(tmp_path / "nope.toml")


def test_catalogues_load_and_validate():
    windows = catalogues.window_products()
    assert {"triple_lowe_passive", "vacuum_composite", "double_lowe_pvc"} <= set(windows)
    for w in windows.values():
        assert w["source"] and 0 < w["shgc"] < 1 and w["price_rmb_m2"] > 0
    modules = catalogues.pv_modules()
    assert all(0 < m["efficiency"] < 0.3 and m["degradation_per_year"] < 0.02 for m in modules.values())
    assert catalogues.window_params("triple_lowe_passive") == {"window_u_w_m2k": 0.9, "window_shgc": 0.38,
                                                               "window_vt": 0.52}
    assert catalogues.pv_params("mono_perc") == {"pv_module_efficiency": 0.21}
    points = window_price_points()
    assert [u for u, _ in points] == sorted(u for u, _ in points)
    assert all(b[1] < a[1] for a, b in zip(points, points[1:], strict=False))
    with pytest.raises(InputError, match="unknown window product 'x'.*double_lowe_pvc"):
        catalogues.window_product("x")


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ({"description": "d", "u_w_m2k": 9.0, "shgc": 0.4, "vt": 0.5, "price_rmb_m2": 1.0, "source": "s"},
         "windows.toml [w].u_w_m2k"),
        ({"description": "d", "u_w_m2k": 1.0, "shgc": 0.4, "vt": 0.5, "source": "s"}, "missing field 'price_rmb_m2'"),
        ({"description": "d", "u_w_m2k": "1", "shgc": 0.4, "vt": 0.5, "price_rmb_m2": 1.0, "source": "s"},
         "not a number"),
        ({"description": "d", "u_w_m2k": 1.0, "shgc": 0.4, "vt": 0.5, "price_rmb_m2": 1.0, "source": "s", "g": 1},
         "unknown field(s) g"),
    ],
)
def test_catalogue_entry_errors_name_file_and_key(entry, needle):
    with pytest.raises(InputError) as err:
        catalogues.validate_entries({"w": entry}, catalogues.WINDOW_FIELDS, "optimise/data/windows.toml")
    assert needle in str(err.value)


def test_south_overhang_is_priced_per_projected_area():
    from ultralow.optimise.costs import CostModel, quantities

    model = CostModel.load()
    params = {"south_overhang_depth_ratio": 0.5}
    q = quantities("residential", params, None)
    # south facade 60 m x 6 storeys x 2.9 m at WWR 0.45 -> 469.8 m2 of windows; overhang 0.5 x that
    assert q["south_overhang_m2"] == pytest.approx(60 * 6 * 2.9 * 0.45 * 0.5)
    inv = model.investment("residential", params, None)
    price = model.value("shading.overhang_rmb_m2")
    assert inv["investment_shading_rmb"] == pytest.approx(q["south_overhang_m2"] * price)
    assert model.investment("residential", {}, None)["investment_shading_rmb"] == 0.0
