"""The existing building's coal district heating, by hand, on a real EnergyPlus run (design days).

Harbin pre-1996 flats (`pre1996`, severe cold): district heating from 1980s coal boilers
(boiler 0.55, network 0.85; templates/standards/data/vintages.toml, read here as data). Independent
check: from EnergyPlus's own sensible heating demand and the factors of
sim/data/energy_factors.toml (read here as data), by hand:
- heat bought from the network = the heating demand (no HRV, so no frost preheat);
- coal delivered = demand / (0.55 x 0.85);
- primary energy = 2.6 x (services electricity - PV) + 1.0 x coal;
- CO2 = 0.5366 x (services electricity - PV) + 0.3406 x coal.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from ultralow.sim.simulate import resolve_weather_source, simulate


def _toml(package: str, *path: str) -> dict:
    with resources.files(package).joinpath(*path).open("rb") as fh:
        return tomllib.load(fh)


def test_coal_district_heating_of_the_existing_building_by_hand(tmp_path):
    weather = resolve_weather_source(city="harbin")
    r = simulate("residential", {"vintage": "pre1996", "heat_pump": "existing", "storeys": 3},
                 weather, run_dir=tmp_path, period="design-days")
    system = _toml("ultralow.templates.standards", "data", "vintages.toml")["heating_system"]["district_coal_1980s"]
    factors = _toml("ultralow.sim", "data", "energy_factors.toml")
    efficiency = system["efficiency"] * system["network_efficiency"]
    assert (system["fuel"], efficiency) == ("coal", pytest.approx(0.55 * 0.85))
    assert r.heating_demand_kwh_m2 > 1.0 and r.frost_protection_heating_kwh_m2 == 0.0
    assert r.heating_fuel == "coal" and r.heating_electricity_kwh_m2 == 0.0
    assert r.district_heat_kwh_m2 == pytest.approx(r.heating_demand_kwh_m2, rel=1e-9)
    coal = r.heating_demand_kwh_m2 / efficiency
    assert r.heating_fuel_kwh_m2 == pytest.approx(coal, rel=1e-9)
    electricity = (r.heating_electricity_kwh_m2 + r.cooling_electricity_kwh_m2 + r.fan_electricity_kwh_m2
                   + r.lighting_electricity_kwh_m2 - r.pv_generation_kwh_m2)
    fuels = factors["fuels"]
    assert r.primary_energy_kwh_m2 == pytest.approx(
        factors["primary_energy"]["electricity_kwh_pe_per_kwh"] * electricity + fuels["coal_kwh_pe_per_kwh"] * coal,
        rel=1e-9)
    assert r.co2_kg_m2 == pytest.approx(
        factors["grid_co2"]["kg_co2_per_kwh"] * electricity + fuels["coal_kg_co2_per_kwh"] * coal, rel=1e-9)
    # plug equipment and the fuel are site energy too
    assert r.net_site_energy_kwh_m2 == pytest.approx(electricity + coal + r.equipment_electricity_kwh_m2, rel=1e-9)
