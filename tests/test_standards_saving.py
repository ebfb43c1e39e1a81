"""Saving rates against hand calculations."""

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.loader import load_standard
from ultralow.templates.standards.saving import (
    EnergyBreakdown,
    PrimaryFactors,
    design_energy,
    equivalent_saving_rate,
    reference_energy,
    required_rate_vs_baseline,
    saving_rate,
    saving_rates,
)

FACTORS = PrimaryFactors(electricity=2.6, coal=1.0, natural_gas=1.0)
DESIGN = {  # site electricity, kWh/(m2 a)
    "heating_electricity_kwh_m2": 10.0,
    "cooling_electricity_kwh_m2": 5.0,
    "fan_electricity_kwh_m2": 2.0,
    "lighting_electricity_kwh_m2": 8.0,
    "pv_generation_kwh_m2": 6.0,
}
REFERENCE = {"heating_demand_kwh_m2": 60.0, "cooling_demand_kwh_m2": 20.0,
             "lighting_electricity_kwh_m2": 8.0}


def test_saving_rate_basic():
    assert saving_rate(70.0, 100.0) == pytest.approx(0.30)
    assert saving_rate(120.0, 100.0) == pytest.approx(-0.20)
    with pytest.raises(InputError):
        saving_rate(10.0, 0.0)
    with pytest.raises(InputError):
        saving_rate(float("nan"), 10.0)


def test_overall_and_building_itself_against_hand_calculation():
    design = design_energy(DESIGN, FACTORS)
    assert design.building_kwh_m2 == pytest.approx(2.6 * (10 + 5 + 2 + 8))  # 65.0
    assert design.overall_kwh_m2 == pytest.approx(2.6 * (10 + 5 + 2 + 8 - 6))  # 49.4
    # JGJ 26-2010 reference: coal district heating 0.70 x 0.92, cooling COP 2.3 (data file)
    system = load_standard("jgj26_2010").reference_system
    ref = reference_energy(REFERENCE, system, FACTORS)
    e_ref = 60.0 / (0.70 * 0.92) * 1.0 + 20.0 / 2.3 * 2.6 + 8.0 * 2.6
    assert ref.building_kwh_m2 == pytest.approx(e_ref)
    assert ref.fans_kwh_m2 == 0.0 and ref.pv_kwh_m2 == 0.0
    rates = saving_rates(design, ref)
    assert rates.building_itself == pytest.approx(1 - 65.0 / e_ref)
    assert rates.overall == pytest.approx(1 - 49.4 / e_ref)
    assert rates.overall > rates.building_itself


def test_public_reference_auxiliary_electricity():
    system = load_standard("gb50189_2015").reference_system
    ref = reference_energy({"heating_demand_kwh_m2": 30.0, "cooling_demand_kwh_m2": 46.0,
                            "lighting_electricity_kwh_m2": 0.0}, system, FACTORS)
    assert ref.heating_kwh_m2 == pytest.approx(30.0 / 0.88)
    assert ref.cooling_kwh_m2 == pytest.approx(46.0 / 4.6 * 1.35 * 2.6)


def test_equivalent_rates_match_gb55015_targets():
    # -30 % against the 65 % standard is the 75 % northern residential target (rounded)
    assert equivalent_saving_rate(0.30, 0.65) == pytest.approx(0.755)
    assert equivalent_saving_rate(0.30, 0.50) == pytest.approx(0.65)
    assert equivalent_saving_rate(0.20, 0.65) == pytest.approx(0.72)
    assert required_rate_vs_baseline(0.755, 0.65) == pytest.approx(0.30)


def test_breakdown_dict():
    b = EnergyBreakdown(1.0, 2.0, 3.0, 4.0, 5.0)
    assert b.to_dict()["building_kwh_m2"] == 10.0 and b.to_dict()["overall_kwh_m2"] == 5.0
