"""Domestic hot water: heat at the taps, water heaters, results, costs and the retrofit baseline.

Independent references: hand calculations written out here (rho c_p V dT, the mains-water
correlation of the EnergyPlus Engineering Reference re-implemented in degF, the heat-pump COP line
evaluated by hand), the data file read with tomllib, and real EnergyPlus runs (one January week in
Chicago) whose grid import must move by exactly the hand-calculated hot-water electricity.
"""

from __future__ import annotations

import copy
import math
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from ultralow.errors import InputError
from ultralow.optimise import evaluation as ev
from ultralow.optimise.costs import CostModel
from ultralow.optimise.measures import MEASURE_ORDER, applied_measures
from ultralow.optimise.metrics import EXISTING_METRICS
from ultralow.sim.hot_water import (
    HotWaterSetup,
    design_daily_heat_kwh,
    generator_heat_kwh,
    hot_water_use,
    hourly_hot_water,
    mains_from_monthly_c,
    mains_temperature_c,
    parse_hot_water_data,
    tap_heat_kwh,
    water_heater,
)
from ultralow.sim.simulate import simulate
from ultralow.templates import get_template
from ultralow.templates.building import hot_water_setup
from ultralow.templates.standards.vintages import get_hot_water_system, get_vintage, load_vintages

RHO_KG_L, CP_KJ_KGK = 0.983, 4.186


def data_file() -> dict:
    with resources.files("ultralow.templates").joinpath("data", "hot_water.toml").open("rb") as fh:
        return tomllib.load(fh)


def mains_by_hand_c(day: float, t_avg_c: float, max_diff_k: float) -> float:
    """EnergyPlus Engineering Reference, 'Water Mains Temperatures', in degF, floored at 32 F."""
    t_avg = t_avg_c * 9 / 5 + 32
    ratio = 0.4 + 0.01 * (t_avg - 44)
    lag = 35 - 1.0 * (t_avg - 44)
    t_f = (t_avg + 6) + ratio * (max_diff_k * 9 / 5 / 2) * math.sin(math.radians(0.986 * (day - 15 - lag) - 90))
    return (max(t_f, 32.0) - 32) * 5 / 9


def year_frame(outdoor_c: float = 10.0) -> pd.DataFrame:
    """8760 hours of a non-leap year starting on a Monday, EnergyPlus-style columns."""
    days = pd.date_range("2001-01-01", periods=365, freq="D")  # 2001-01-01 was a Monday
    rows = [(d.month, d.day, h, d.day_name()) for d in days for h in range(1, 25)]
    frame = pd.DataFrame(rows, columns=["Month", "Day", "Hour", "DayType"])
    frame["outdoor_dry_bulb_c"] = outdoor_c
    return frame


# --- physics by hand ---------------------------------------------------------------------------

def test_daily_and_annual_heat_by_hand():
    # 100 persons x 50 L at 60 degC from mains at 10 + 6/1.8 degC (flat monthly means: no swing)
    cold_c = 10.0 + 6.0 / 1.8
    daily_kwh = 100 * 50 * RHO_KG_L * CP_KJ_KGK * (60.0 - cold_c) / 3600.0
    assert daily_kwh == pytest.approx(266.70, abs=0.01)
    assert tap_heat_kwh(100 * 50, 60.0, cold_c) == pytest.approx(daily_kwh, rel=1e-12)
    use = hot_water_use("residential", 50.0)
    setup = HotWaterSetup(use, water_heater("electric"), "electric")
    frame = year_frame()
    # 2500 m2 at 25 m2/person = 100 persons; weekends at half the weekday draw
    hours = hourly_hot_water(setup, frame, 2500.0, 25.0, 0.5, [10.0] * 12)
    assert hours.persons == 100.0
    assert hours.cold_water_c.to_numpy() == pytest.approx(cold_c, rel=1e-12)
    weekdays, weekend_days = 261, 104  # 2001: 52 weeks and a Monday
    assert float(hours.tap_heat_kwh.sum()) == pytest.approx(daily_kwh * (weekdays + 0.5 * weekend_days), rel=1e-9)
    # one weekday's hours follow the draw profile of the data file
    profile = data_file()["use"]["residential"]["draw_profile"]["value"]
    assert hours.tap_heat_kwh.to_numpy()[:24] == pytest.approx([daily_kwh * p for p in profile], rel=1e-9)
    # electric storage: + 5 % distribution + 15 % standby, efficiency 1
    assert float(hours.electricity_kwh.sum()) == pytest.approx(float(hours.tap_heat_kwh.sum()) * 1.20, rel=1e-9)
    assert float(hours.fuel_kwh.sum()) == 0.0
    # design day: a weekday with the coldest mains water, losses included
    assert hours.design_heat_kwh_per_day == pytest.approx(daily_kwh * 1.20, rel=1e-9)


def test_mains_water_follows_the_energyplus_correlation():
    harbin = [-17.6, -12.5, -3.5, 7.4, 15.2, 20.6, 23.2, 21.3, 14.8, 5.8, -5.3, -14.6]
    t_avg, diff = sum(harbin) / 12, max(harbin) - min(harbin)
    for day in (1, 15, 46, 100, 200, 280, 365):
        assert float(mains_from_monthly_c(day, harbin)) == pytest.approx(mains_by_hand_c(day, t_avg, diff), abs=1e-9)
    # Chicago, the Engineering Reference's example (9.69 degC, 28.1 K): 49.4 F, lag 29.6 d, so the
    # coldest mains water on day 15 + 29.6 (mid-February), the warmest half a year later
    days = np.arange(1, 366)
    chicago = mains_temperature_c(days, 9.69, 28.1)
    assert days[np.argmin(chicago)] == 45 and days[np.argmax(chicago)] == 227
    assert chicago.mean() == pytest.approx(9.69 + 6 / 1.8, abs=0.05)
    assert float(mains_temperature_c(50, -30.0, 40.0)) == 0.0  # floored at freezing


def test_heat_pump_electricity_hour_by_hour():
    hp = water_heater("heat_pump")
    data = data_file()["system"]["heat_pump"]
    assert (hp.rated_cop, hp.rated_temp_c, hp.slope_per_k, hp.cop_min, hp.cutoff_temp_c) == (
        data["rated_cop"]["value"], 20.0, 0.017, 1.5, -10.0)
    assert (hp.defrost_low_c, hp.defrost_high_c, hp.defrost_penalty) == (-7.0, 5.0, 0.10)
    outdoor = np.array([25.0, 20.0, 7.0, 0.0, -8.0, -12.0, -40.0])
    heat = np.array([3.0, 2.0, 4.0, 5.0, 6.0, 1.0, 2.0])  # kWh made in each hour
    cop_by_hand = [3.8 * 1.085,             # 25 degC: above the rating point
                   3.8,                     # 20 degC: rated
                   3.8 * (1 - 0.221),       # 7 degC: outside the frosting band
                   3.8 * (1 - 0.34) * 0.9,  # 0 degC: frosting, -10 %
                   3.8 * (1 - 0.476),       # -8 degC: below the band, above cop_min
                   1.0,                     # -12 degC: below the cut-off, electric element
                   1.0]
    assert hp.cop(outdoor) == pytest.approx(cop_by_hand, rel=1e-12)
    assert hp.delivered_kwh(heat, outdoor) == pytest.approx(heat / np.array(cop_by_hand), rel=1e-12)
    assert hp.carrier == "electricity"


def test_gas_is_heat_over_efficiency():
    gas = water_heater("gas")
    assert gas.carrier == "natural_gas" and gas.efficiency == 0.84 and gas.storage_loss_fraction == 0.0
    assert gas.delivered_kwh(8.4, 0.0) == pytest.approx(10.0, rel=1e-12)
    use = hot_water_use("residential")
    setup = HotWaterSetup(use, gas, "gas")
    hours = hourly_hot_water(setup, year_frame(-5.0), 1000.0, 25.0, None, [10.0] * 12)
    assert float(hours.electricity_kwh.sum()) == 0.0
    assert float(hours.fuel_kwh.sum()) == pytest.approx(float(hours.tap_heat_kwh.sum()) * 1.05 / 0.84, rel=1e-9)
    with pytest.raises(InputError, match="not a heat pump"):
        gas.cop(0.0)


def test_design_heat_and_generator_heat():
    use, hp = hot_water_use("public"), water_heater("heat_pump")
    assert use.l_per_person_day == 5.0 and use.supply_temp_c == 60.0
    tap = 320 * 5.0 * RHO_KG_L * CP_KJ_KGK * (60.0 - 4.0) / 3600
    assert design_daily_heat_kwh(320, use, hp, 4.0) == pytest.approx(tap * (1 + 0.10 + 0.15), rel=1e-12)
    assert float(generator_heat_kwh(10.0, 0.1, 0.2)) == pytest.approx(13.0)


# --- vintages, parameters, bad input --------------------------------------------------------------

def test_every_vintage_has_a_water_heater():
    for v in load_vintages():
        assert v.hot_water is not None and v.hot_water_system, (v.id, v.use, v.zones)
        assert v.hot_water.kind in ("electric", "gas", "heat_pump") and v.hot_water.source
    dongguan_office = get_vintage("pre2005", "hsww_B", "public")
    assert dongguan_office.hot_water_system == "electric_storage_old"
    assert dongguan_office.hot_water.storage_loss_fraction == 0.25
    harbin = get_vintage("pre1996", "severe_cold_B", "residential")
    assert harbin.hot_water.kind == "electric"
    surveyed = harbin.with_overrides({"existing_hot_water": "gas_instantaneous_2006"})
    assert surveyed.hot_water.carrier == "natural_gas" and surveyed.hot_water.efficiency == 0.82
    assert surveyed.overrides == {"existing_hot_water": "gas_instantaneous_2006"}
    assert get_hot_water_system("gas_instantaneous_old").efficiency == 0.75


def test_setup_from_parameters():
    office = get_template("office")
    assert office.resolve({})["hot_water_system"] == "none"  # default: not modelled
    assert hot_water_setup(office.resolve({}), "public", None) is None
    setup = hot_water_setup(office.resolve({"hot_water_system": "heat_pump", "hot_water_l_per_person_day": 8}),
                            "public", None)
    assert setup.heater.kind == "heat_pump" and setup.use.l_per_person_day == 8.0 and setup.label == "heat_pump"
    existing = get_vintage("pre2005", "hsww_B", "public")
    kept = hot_water_setup({"hot_water_system": "existing"}, "public", existing)
    assert kept.heater is existing.hot_water and kept.label == "existing (pre2005): electric_storage_old"


@pytest.mark.parametrize("params, message", [
    ({"hot_water_system": "solar"}, r"parameter 'hot_water_system': 'solar' is not allowed"),
    ({"hot_water_l_per_person_day": -5.0}, r"parameter 'hot_water_l_per_person_day': -5.0 is out of range"),
    ({"hot_water_l_per_person_day": 1000}, r"parameter 'hot_water_l_per_person_day': 1000 is out of range"),
    ({"existing_hot_water": "boiler"}, r"parameter 'existing_hot_water': 'boiler' is not allowed"),
])
def test_bad_parameters_name_the_parameter(params, message):
    with pytest.raises(InputError, match=message):
        get_template("residential").resolve(params)


def test_existing_hot_water_needs_a_vintage_with_a_water_heater():
    with pytest.raises(InputError, match=r"parameter hot_water_system = 'existing'.*needs a vintage"):
        hot_water_setup({"hot_water_system": "existing"}, "residential", None)
    from ultralow.templates.building import existing_building

    with pytest.raises(InputError, match=r"parameter hot_water_system = 'existing'"):
        existing_building({"vintage": "new", "hot_water_system": "existing"}, "residential", "cold_B")
    bare = get_vintage("pre2005", "hsww_B", "public").__class__
    no_heater = bare(**{**get_vintage("pre2005", "hsww_B", "public").__dict__, "hot_water": None,
                        "hot_water_system": ""})
    with pytest.raises(InputError, match=r"vintage 'pre2005' has no water heater; set existing_hot_water"):
        hot_water_setup({"hot_water_system": "existing"}, "public", no_heater)
    with pytest.raises(InputError, match=r"parameter existing_hot_water = 'boiler' is not allowed"):
        get_vintage("pre2005", "hsww_B", "public").with_overrides({"existing_hot_water": "boiler"})
    with pytest.raises(InputError, match=r"parameter hot_water_l_per_person_day = -1"):
        hot_water_use("residential", -1)


@pytest.mark.parametrize("path, value, message", [
    (("use", "residential", "draw_profile", "value"), [0.5] * 24, r"\[use.residential\]: draw_profile must be 24"),
    (("use", "public", "l_per_person_day", "value"), 0.0, r"\[use.public\]: l_per_person_day = 0.0 is not a number"),
    (("system", "gas", "efficiency", "value"), 1.5, r"\[system.gas\]: efficiency = 1.5 is not a number in \(0, 1.2\]"),
    (("system", "heat_pump", "rated_cop", "source"), "nowhere", r"\[system.heat_pump\]: rated_cop.source 'nowhere'"),
    (("use", "public", "baseline_system", "value"), "coal", r"baseline_system 'coal' is not a \[system"),
])
def test_bad_data_names_file_table_and_key(path, value, message):
    data = copy.deepcopy(data_file())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InputError, match=message):
        parse_hot_water_data(data)


# --- evaluation, metrics, measures, costs (no EnergyPlus) ----------------------------------------

def test_compared_buildings_get_existing_and_baseline_water_heaters():
    climate = ev.ClimateContext("hsww_B", None, None, city="dongguan")
    office = get_template("office")
    retrofit = office.resolve({"vintage": "pre2005", "hot_water_system": "heat_pump",
                               "hot_water_l_per_person_day": 7.0, "existing_hot_water": "electric_storage_2000s"})
    roles = ev.compared_buildings("office", retrofit, climate)
    assert roles["existing"]["hot_water_system"] == "existing"
    assert roles["existing"]["existing_hot_water"] == "electric_storage_2000s"
    assert roles["existing"]["hot_water_l_per_person_day"] == 7.0  # the same use, another water heater
    new = office.resolve({"hot_water_system": "heat_pump"})
    assert ev.compared_buildings("office", new, climate, cost_base=True)["base"]["hot_water_system"] == "electric"
    assert ev.base_parameters("residential", {"hot_water_system": "gas"})["hot_water_system"] == "gas"
    # a design without hot water keeps every baseline without it, as before
    plain = ev.compared_buildings("office", office.resolve({"vintage": "pre2005"}), climate)
    assert plain["existing"]["hot_water_system"] == "none"
    assert ev.base_parameters("office", office.resolve({}))["hot_water_system"] == "none"


def test_existing_savings_report_hot_water_as_an_end_use():
    zero = {k: 0.0 for keys in ev.END_USES.values() for k in keys}
    existing = {**zero, "hot_water_electricity_kwh_m2": 7.0, "net_site_energy_kwh_m2": 100.0}
    design = {**zero, "hot_water_fuel_kwh_m2": 2.5, "net_site_energy_kwh_m2": 95.5}
    out = ev.existing_savings(design, existing)
    assert out["existing_hot_water_site_energy_kwh_m2"] == 7.0
    assert out["saving_vs_existing_hot_water_kwh_m2"] == 4.5
    assert {"existing_hot_water_site_energy_kwh_m2", "saving_vs_existing_hot_water_kwh_m2"} <= set(EXISTING_METRICS)


def test_hot_water_measure_comes_before_pv():
    order = list(MEASURE_ORDER)
    assert order.index("hot_water") == order.index("pv") - 1
    assert MEASURE_ORDER["hot_water"] == ("hot_water_system", "hot_water_l_per_person_day")
    base = {"hot_water_system": "existing", "hot_water_l_per_person_day": None, "pv_roof_fraction": 0.0}
    assert applied_measures({**base, "hot_water_system": "heat_pump", "pv_roof_fraction": 0.3}, base) == [
        "hot_water", "pv"]
    assert applied_measures(base, base) == []


GEOMETRY = {"length_m": 10.0, "depth_m": 8.0, "storeys": 2, "floor_height_m": 3.0}
EXISTING = {**GEOMETRY, "vintage": "pre1996", "window_u_w_m2k": 5.8, "window_shgc": 0.8, "n50_ach": 10.0,
            "heat_pump": "existing", "hrv_efficiency": 0.0, "pv_roof_fraction": 0.0, "hot_water_system": "existing"}
DESIGN_HEAT_KWH_D = 40.0


def result(**extra) -> dict:
    return {"conditioned_floor_area_m2": 160.0, "peak_heating_load_w_m2": 40.0, "peak_cooling_load_w_m2": 50.0,
            "pv_capacity_kw": 0.0, "wall_insulation_built_mm": 0.0, "roof_insulation_built_mm": 0.0,
            "floor_insulation_built_mm": 0.0, "hot_water_design_heat_kwh_per_day": DESIGN_HEAT_KWH_D, **extra}


@pytest.fixture(scope="module")
def costs() -> CostModel:
    return CostModel.load()


def test_retrofit_heat_pump_water_heater_is_charged(costs):
    v = costs.value
    inv = costs.investment("residential", {**EXISTING, "hot_water_system": "heat_pump"}, result(), existing=EXISTING)
    kw = DESIGN_HEAT_KWH_D / 8.0  # sizing_hours_per_day of the heat pump
    assert inv["hot_water_capacity_kw"] == pytest.approx(kw)
    assert inv["investment_hot_water_rmb"] == pytest.approx(kw * 4500.0)
    assert inv["investment_rmb"] == pytest.approx(kw * 4500.0 * (1 + v("retrofit.fees_fraction")))
    assert inv["measures"] == ["hot_water"]
    kept = costs.investment("residential", dict(EXISTING), result(), existing=EXISTING)
    assert kept["investment_hot_water_rmb"] == 0.0 and kept["investment_rmb"] == 0.0 and kept["measures"] == []


def test_new_build_pays_its_water_heater_against_the_base(tmp_path, costs):
    base = {**GEOMETRY, "hot_water_system": "gas"}
    design = {**GEOMETRY, "hot_water_system": "heat_pump"}
    inv = costs.investment("residential", design, result())
    ref = costs.investment("residential", base, result())
    assert inv["investment_hot_water_rmb"] == pytest.approx(DESIGN_HEAT_KWH_D / 8.0 * 4500.0)
    assert ref["investment_hot_water_rmb"] == pytest.approx(DESIGN_HEAT_KWH_D / 0.5 * 130.0)
    cheaper = tmp_path / "hw.toml"
    cheaper.write_text("[hot_water]\nprice_rmb_kw = { heat_pump = 3000.0 }\n")
    assert CostModel.load(cheaper).investment("residential", design, result())["investment_hot_water_rmb"] == \
        pytest.approx(DESIGN_HEAT_KWH_D / 8.0 * 3000.0)
    assert costs.value("lifetime_years.hot_water") == 12 and costs.value("maintenance_fraction.hot_water") == 0.02


def test_hot_water_gas_is_priced_as_natural_gas(costs):
    from ultralow.optimise.tariffs import tariff_for

    r = result(hot_water_fuel="natural_gas", hot_water_fuel_kwh_m2=30.0)
    out = costs.annual_energy_cost_rmb("residential", r, "harbin")
    expected = tariff_for("harbin", "residential").fuel_cost_rmb("natural_gas", 30.0 * 160.0)
    assert expected > 0
    assert out["energy_cost_fuel_rmb"] == pytest.approx(expected, rel=1e-12)
    assert out["energy_cost_rmb"] == pytest.approx(out["energy_cost_electricity_rmb"] + expected, rel=1e-12)


# --- real EnergyPlus runs -----------------------------------------------------------------------

PERIOD = "01-08:01-14"  # a cold January week: hours below the heat pump's cut-off too
RUNS = {
    "default": {},
    "none": {"hot_water_system": "none"},
    "electric": {"hot_water_system": "electric"},
    "heat_pump": {"hot_water_system": "heat_pump"},
    "gas": {"hot_water_system": "gas"},
}


@pytest.fixture(scope="module")
def runs(chicago_weather, tmp_path_factory):
    plain = {"storeys": 3, "pv_roof_fraction": 0.0}
    return {name: simulate("residential", {**plain, **params}, chicago_weather, run_dir=tmp_path_factory.mktemp(name),
                           period=PERIOD, hourly=True)
            for name, params in RUNS.items()}


def imported_kwh(r) -> float:
    return float(np.sum(r.grid_import_kwh_month_hour))


@pytest.mark.slow
def test_default_none_leaves_results_unchanged(runs):
    default, none = runs["default"].to_dict(), runs["none"].to_dict()
    for key in ("run_dir", "engine_seconds"):
        default.pop(key), none.pop(key)
    assert default == none
    assert runs["default"].hot_water_system == "none"
    assert all(default[k] == 0.0 for k in ("hot_water_demand_kwh_m2", "hot_water_electricity_kwh_m2",
                                             "hot_water_fuel_kwh_m2", "hot_water_persons"))


@pytest.mark.slow
def test_real_run_hot_water_by_hand(runs, chicago_weather):
    from ultralow.sim.run_control import epw_climate

    hp, el, gas, none = runs["heat_pump"], runs["electric"], runs["gas"], runs["none"]
    area = none.conditioned_floor_area_m2
    hourly = hp.hourly
    monthly = epw_climate(chicago_weather.epw_path).monthly_mean_dry_bulb_c
    t_avg, diff = sum(monthly) / 12, max(monthly) - min(monthly)
    profile = data_file()["use"]["residential"]["draw_profile"]["value"]
    persons = area / 25.0  # everyday_residential_cold: 25 m2 per person, every day alike
    tap = np.array([persons * 40.0 * profile[h - 1] * RHO_KG_L * CP_KJ_KGK
                    * (60.0 - mains_by_hand_c(day, t_avg, diff)) / 3600.0
                    for day, h in zip(pd.to_datetime({"year": 2001, "month": hourly["Month"], "day": hourly["Day"]})
                                      .dt.day_of_year, hourly["Hour"], strict=True)])
    assert len(tap) == 7 * 24
    assert hp.hot_water_persons == pytest.approx(persons)
    assert hp.hot_water_demand_kwh_m2 == pytest.approx(tap.sum() / area, rel=1e-9)
    assert el.hot_water_demand_kwh_m2 == gas.hot_water_demand_kwh_m2 == hp.hot_water_demand_kwh_m2
    made = tap * (1 + 0.05 + 0.15)  # distribution + tank losses (electric storage and heat pump alike)
    t = hourly["outdoor_dry_bulb_c"].to_numpy()
    cop = np.maximum(3.8 * (1 + 0.017 * (t - 20.0)), 1.5)
    cop = np.where((t >= -7.0) & (t <= 5.0), cop * 0.9, cop)
    cop = np.where(t < -10.0, 1.0, cop)
    assert (t < -10.0).any() and (t > -7.0).any()  # the week has backup hours and heat-pump hours
    # grid import: electric storage adds its hot water, the heat pump saves (1 - 1/COP) of it, gas adds none
    assert imported_kwh(el) - imported_kwh(none) == pytest.approx(made.sum(), rel=1e-9)
    assert imported_kwh(el) - imported_kwh(hp) == pytest.approx(np.sum(made * (1 - 1 / cop)), rel=1e-9)
    assert imported_kwh(gas) == pytest.approx(imported_kwh(none), rel=1e-12)
    assert hp.hot_water_electricity_kwh_m2 == pytest.approx(np.sum(made / cop) / area, rel=1e-9)
    assert gas.hot_water_fuel == "natural_gas" and hp.hot_water_fuel == el.hot_water_fuel == ""
    assert gas.hot_water_fuel_kwh_m2 == pytest.approx(tap.sum() * 1.05 / 0.84 / area, rel=1e-9)
    # site energy includes hot water; the services' primary energy and CO2 do not
    assert hp.net_site_energy_kwh_m2 - none.net_site_energy_kwh_m2 == pytest.approx(hp.hot_water_electricity_kwh_m2)
    assert gas.net_site_energy_kwh_m2 - none.net_site_energy_kwh_m2 == pytest.approx(gas.hot_water_fuel_kwh_m2)
    for r in (hp, el, gas):
        assert r.primary_energy_kwh_m2 == none.primary_energy_kwh_m2 and r.co2_kg_m2 == none.co2_kg_m2
        assert r.heating_demand_kwh_m2 == none.heating_demand_kwh_m2
    assert hp.hot_water_primary_energy_kwh_m2 == pytest.approx(2.6 * hp.hot_water_electricity_kwh_m2)
    assert gas.hot_water_co2_kg_m2 == pytest.approx(0.2020 * gas.hot_water_fuel_kwh_m2)
    # design day: a weekday's heat with the year's coldest mains water (-> sizing)
    coldest = min(mains_by_hand_c(d, t_avg, diff) for d in range(1, 366))
    assert hp.hot_water_design_heat_kwh_per_day == pytest.approx(
        persons * 40.0 * RHO_KG_L * CP_KJ_KGK * (60.0 - coldest) / 3600.0 * 1.20, rel=1e-9)


@pytest.fixture(scope="module")
def office_retrofit(tmp_path_factory):
    """The Dongguan 1990s office (electric storage heaters) with a heat-pump water heater, design days."""
    from ultralow.optimise.check import run_check
    from ultralow.sim.simulate import resolve_weather_source

    params = {"storeys": 3, "length_m": 30.0, "depth_m": 12.0, "lighting_w_m2": 8.0, "hot_water_system": "heat_pump"}
    return run_check("office", params, resolve_weather_source(city="dongguan"), "gb55015", vintage="pre2005",
                     run_dir=tmp_path_factory.mktemp("office"), period="design-days")


@pytest.mark.slow
def test_retrofit_check_charges_and_credits_the_water_heater(office_retrofit):
    m, results = office_retrofit.metrics, office_retrofit.results
    existing, design = results["existing"], results["design"]
    assert existing.hot_water_system == "existing (pre2005): electric_storage_old"
    assert design.hot_water_system == "heat_pump"
    assert existing.hot_water_demand_kwh_m2 == design.hot_water_demand_kwh_m2 > 0  # same use, another heater
    # the old tank: (1 + 10 % distribution + 25 % standby) / efficiency 1
    assert existing.hot_water_electricity_kwh_m2 == pytest.approx(existing.hot_water_demand_kwh_m2 * 1.35, rel=1e-9)
    assert m["existing_hot_water_site_energy_kwh_m2"] == existing.hot_water_electricity_kwh_m2
    assert m["saving_vs_existing_hot_water_kwh_m2"] == pytest.approx(
        existing.hot_water_electricity_kwh_m2 - design.hot_water_electricity_kwh_m2, rel=1e-12)
    assert m["saving_vs_existing_hot_water_kwh_m2"] > 0
    fees = 1 + CostModel.load().value("retrofit.fees_fraction")
    # priced at Guangdong's level, 1557 / 1218 of national (optimise/data/regional_prices.toml)
    assert m["investment_hot_water_rmb"] == pytest.approx(
        design.hot_water_design_heat_kwh_per_day / 8.0 * 4500.0 * 1557.0 / 1218.0)
    assert "hot_water" in m["measures"].split(" + ")
    rows = {r["measure"]: r for r in office_retrofit.measures}
    assert list(rows)[-1] == "hot_water"  # added last (no PV here)
    assert rows["hot_water"]["investment_rmb"] == pytest.approx(m["investment_hot_water_rmb"] * fees, rel=1e-9)
    assert rows["hot_water"]["primary_energy_saving_kwh_m2"] == 0.0  # services only, hot water is apart
    assert rows["hot_water"]["site_energy_saving_kwh_m2"] == pytest.approx(m["saving_vs_existing_hot_water_kwh_m2"])
    # design days: two days' electricity saved, against a year's maintenance of the new heater (2 %)
    maintenance = CostModel.load().value("maintenance_fraction.hot_water") * rows["hot_water"]["investment_rmb"]
    assert rows["hot_water"]["energy_cost_saving_rmb"] + maintenance > 0
