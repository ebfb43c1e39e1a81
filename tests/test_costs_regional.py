"""Regional construction-price factors (optimise/data/regional_prices.toml) on the investment.

Hand calculations on the small block of tests/test_costs_measures.py (10 m x 8 m, 2 storeys of 3 m).
Factor f_p = cost_rmb_m2[p] / cost_rmb_m2[national] from the data file (NBS 1998 table):
Heilongjiang 809 / 1218, Guangdong 1557 / 1218.
"""

from __future__ import annotations

import pytest
from ultralow.errors import InputError
from ultralow.optimise.costs import CostModel, load_regional_costs

GEOMETRY = {"length_m": 10.0, "depth_m": 8.0, "storeys": 2, "floor_height_m": 3.0,
            "wwr_south": 0.5, "wwr_north": 0.3, "wwr_east": 0.2, "wwr_west": 0.1,
            "external_shading": "solar", "hrv_efficiency": 0.8, "n50_ach": 0.6}
HARBIN_FACTOR = 809.0 / 1218.0
GUANGZHOU_FACTOR = 1557.0 / 1218.0


def result() -> dict:
    return {"conditioned_floor_area_m2": 160.0, "peak_heating_load_w_m2": 40.0, "peak_cooling_load_w_m2": 10.0,
            "co2_kg_m2": 20.0, "pv_capacity_kw": 2.0}


@pytest.fixture(scope="module")
def model() -> CostModel:
    return CostModel.load()


def test_factors_come_from_the_data_file(model):
    table = load_regional_costs()
    assert table["national"].cost_rmb_m2 == 1218.0
    assert table["heilongjiang"].verified and table["heilongjiang"].source
    assert model.regional_price_factor("heilongjiang") == pytest.approx(HARBIN_FACTOR)
    assert model.regional_price_factor("guangdong") == pytest.approx(GUANGZHOU_FACTOR)
    assert model.regional_price_factor("national") == 1.0


def test_city_maps_to_its_tariff_province(model):
    assert model.price_region("residential", "harbin") == "heilongjiang"
    assert model.price_region("residential", "guangzhou") == "guangdong"
    assert model.price_region("residential", "shenzhen") == "guangdong"
    assert model.price_region("residential", "hohhot") == "inner_mongolia"


def test_harbin_and_guangzhou_differ_by_the_ratio_of_factors(model):
    national = model.investment("residential", GEOMETRY, result())
    harbin = model.investment("residential", GEOMETRY, result(), price_region="heilongjiang")
    guangzhou = model.investment("residential", GEOMETRY, result(), price_region="guangdong")
    assert national["investment_rmb"] > 0
    # every component scales: Harbin / Guangzhou = (809 / 1218) / (1557 / 1218) = 809 / 1557
    for key in ("investment_rmb", "investment_insulation_wall_rmb", "investment_windows_rmb",
                "investment_shading_rmb", "investment_hrv_rmb", "investment_airtightness_rmb",
                "investment_heat_pump_rmb", "investment_pv_rmb"):
        assert national[key] > 0, key
        assert harbin[key] == pytest.approx(national[key] * HARBIN_FACTOR), key
        assert harbin[key] / guangzhou[key] == pytest.approx(809.0 / 1557.0), key
    assert harbin["price_region"] == "heilongjiang"
    assert harbin["regional_price_factor"] == pytest.approx(HARBIN_FACTOR)


def test_evaluate_reports_the_region(model):
    ref = {**GEOMETRY, "external_shading": "none"}
    out = model.evaluate("residential", GEOMETRY, result(), reference_params=ref, city="guangzhou")
    assert out["price_region"] == "guangdong"
    assert out["regional_price_factor"] == pytest.approx(GUANGZHOU_FACTOR)
    national = model.investment("residential", GEOMETRY, result())
    assert out["investment_rmb"] == pytest.approx(national["investment_rmb"] * GUANGZHOU_FACTOR)


def test_user_file_overrides_a_factor(tmp_path):
    path = tmp_path / "costs.toml"
    path.write_text("[regional]\nprice_factor = {heilongjiang = 1.25}\n", encoding="utf-8")
    user = CostModel.load(path)
    assert user.regional_price_factor("heilongjiang") == 1.25
    assert user.regional_price_factor("guangdong") == pytest.approx(GUANGZHOU_FACTOR)
    path.write_text("[regional]\nprice_factor = {atlantis = 1.25}\n", encoding="utf-8")
    with pytest.raises(InputError, match="atlantis"):
        CostModel.load(path)


def test_no_or_unknown_city_is_national(model):
    assert model.price_region("residential", None) == "national"
    assert model.price_region("residential", "no_such_city") == "national"
    inv = model.investment("residential", GEOMETRY, result())
    assert inv["price_region"] == "national" and inv["regional_price_factor"] == 1.0


def test_bad_regional_file_names_file_and_field(tmp_path):
    path = tmp_path / "regional.toml"
    row = 'name = "X"\nunit = "RMB/m2"\nsource = "s"\nverified = true\nyear = 1998\n'
    path.write_text(f"[national]\ncost_rmb_m2 = 1000\n{row}\n[provinces.x]\ncost_rmb_m2 = -5\n{row}",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"regional\.toml.*provinces\.x\.cost_rmb_m2"):
        load_regional_costs(path)
    path.write_text(f"[national]\ncost_rmb_m2 = 1000\n{row}\n[provinces.x]\ncost_rmb_m2 = 900\n"
                    'name = "X"\nunit = "RMB/m2"\nverified = true\nyear = 1998\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"provinces\.x\] needs 'source'"):
        load_regional_costs(path)
