"""Pass/fail on margin cases with synthetic, known numbers (no EnergyPlus)."""

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.evaluate import ComplianceContext, evaluate
from ultralow.templates.standards.saving import EnergyBreakdown, PrimaryFactors

F = PrimaryFactors(2.6, 1.0, 1.0)


def result(**overrides):
    base = dict(
        heating_demand_kwh_m2=10.0, cooling_demand_kwh_m2=4.0,
        heating_electricity_kwh_m2=4.0, cooling_electricity_kwh_m2=1.5,
        fan_electricity_kwh_m2=2.0, lighting_electricity_kwh_m2=4.0, pv_generation_kwh_m2=3.0,
        primary_energy_kwh_m2=2.6 * (4.0 + 1.5 + 2.0 + 4.0 - 3.0),
        wall_u_w_m2k=0.35, roof_u_w_m2k=0.20, window_u_w_m2k=1.6, window_shgc=0.5,
        shape_coefficient_1_m=0.28,
        # equal areas: usable basis = conditioned basis, so the limits below apply unchanged
        conditioned_floor_area_m2=1000.0, usable_floor_area_m2=1000.0,
    )
    base.update(overrides)
    return base


def context(**overrides):
    base = dict(climate_zone="severe_cold_B", building_use="residential", storeys=6, wwr=0.35,
                parameters={"n50_ach": 0.5, "hrv_efficiency": 0.8, "wwr_south": 0.40,
                            "wwr_north": 0.2, "wwr_east": 0.1, "wwr_west": 0.1},
                wdh20_kkh=0.5, ddh28_kkh=0.2, factors=F)
    base.update(overrides)
    return ComplianceContext(**base)


def test_nearly_zero_heating_margin_pass_and_fail():
    ctx = context(climate_zone="cold_B")
    ok = evaluate("nearly-zero", result(heating_demand_kwh_m2=14.9), ctx).indicator("heating_demand_kwh_m2")
    bad = evaluate("nearly-zero", result(heating_demand_kwh_m2=15.1), ctx).indicator("heating_demand_kwh_m2")
    assert ok.limit == bad.limit == 15.0
    assert ok.passed and ok.margin == pytest.approx(0.1)
    assert bad.passed is False and bad.margin == pytest.approx(-0.1)


def test_cooling_formula_limit():
    ind = evaluate("ultra-low", result(), context(wdh20_kkh=10.0, ddh28_kkh=2.0)).indicator(
        "cooling_demand_kwh_m2")
    assert ind.limit == pytest.approx(3.5 + 2.0 * 10.0 + 2.2 * 2.0)
    missing = evaluate("ultra-low", result(), context(wdh20_kkh=None, ddh28_kkh=None))
    assert missing.indicator("cooling_demand_kwh_m2").passed is None
    assert not missing.passed


def test_ultra_low_residential_all_pass_then_one_misses():
    report = evaluate("ultra-low", result(), context())
    assert report.passed, [i.name for i in report.failed]
    assert report.exit_status() == 0
    names = {i.name for i in report.indicators}
    assert {"heating_demand_kwh_m2", "cooling_demand_kwh_m2", "primary_energy_kwh_m2",
            "n50_ach", "hrv_efficiency"} <= names
    leaky = evaluate("ultra-low", result(), context(parameters={"n50_ach": 0.61, "hrv_efficiency": 0.8}))
    assert not leaky.passed and leaky.exit_status() == 1
    assert [i.name for i in leaky.failed] == ["n50_ach"]


def test_gb55015_envelope_at_limits_passes_and_small_miss_fails():
    ref = EnergyBreakdown(100.0, 10.0, 0.0, 10.0)
    design_ok = result()  # building PE = 2.6 * 11.5 = 29.9 vs 120 -> 75 % saving
    report = evaluate("gb55015", design_ok, context(baseline_energy=ref))
    assert report.passed, [(i.name, i.value, i.limit) for i in report.failed]
    miss = evaluate("gb55015", result(wall_u_w_m2k=0.36), context(baseline_energy=ref))
    wall = miss.indicator("wall_u_w_m2k")
    assert wall.passed is False and wall.margin == pytest.approx(-0.01)
    assert [i.name for i in miss.failed] == ["wall_u_w_m2k"]


def test_gb55015_energy_reduction_margin():
    # building itself: 2.6 * 11.5 = 29.9; reference 29.9 / 0.7 -> exactly 30 %
    ref_exact = EnergyBreakdown(29.9 / 0.7, 0.0)
    ind = evaluate("gb55015", result(), context(baseline_energy=ref_exact)).indicator(
        "saving_rate_vs_2016_baseline")
    assert ind.value == pytest.approx(0.30) and ind.passed
    ind = evaluate("gb55015", result(), context(baseline_energy=EnergyBreakdown(29.9 / 0.71, 0.0))
                   ).indicator("saving_rate_vs_2016_baseline")
    assert ind.passed is False and ind.value == pytest.approx(0.29)
    no_ref = evaluate("gb55015", result(), context())
    assert no_ref.indicator("saving_rate_vs_2016_baseline").passed is None


def test_public_saving_rates_and_details():
    ctx = context(building_use="public", climate_zone="cold_A",
                  baseline_energy=EnergyBreakdown(60.0, 20.0, 0.0, 20.0),
                  existing_energy=EnergyBreakdown(150.0, 30.0, 0.0, 20.0))
    report = evaluate("ultra-low", result(), ctx)
    overall = report.indicator("saving_rate_overall")
    building = report.indicator("saving_rate_building")
    assert overall.value == pytest.approx(1 - 2.6 * 8.5 / 100.0)
    assert building.value == pytest.approx(1 - 2.6 * 11.5 / 100.0)
    assert building.limit == 0.25 and overall.limit == 0.50
    assert report.details["saving_vs_existing"]["building_itself"] == pytest.approx(1 - 29.9 / 200.0)
    assert report.details["baseline_standard"] == "gb50189_2015"


def test_unknown_target():
    with pytest.raises(InputError, match="unknown target"):
        evaluate("passivhaus", result(), context())
