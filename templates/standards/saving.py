"""Energy-saving rates.

Energies are primary energy per m2 of conditioned floor area, kWh/(m2 a), split by end use so
that the "overall" rate (with on-site PV) and the "building itself" rate (without renewables)
come from the same numbers:

    saving_rate = 1 - E_design / E_reference
    overall:          E = heating + cooling + fans + lighting - PV
    building itself:  E = heating + cooling + fans + lighting

Plug equipment is excluded (as in GB/T 51350 and ``SimulationResult.primary_energy_kwh_m2``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.standards.systems import SystemPair


@dataclass(frozen=True)
class PrimaryFactors:
    """Primary energy per delivered kWh (kWh_PE/kWh) by carrier."""

    electricity: float
    coal: float
    natural_gas: float

    def of(self, carrier: str) -> float:
        try:
            return float(getattr(self, carrier))
        except AttributeError:
            raise InputError(f"no primary-energy factor for carrier {carrier!r}") from None


@cache
def primary_factors() -> PrimaryFactors:
    """Electricity, coal and natural gas from ``sim/data/energy_factors.toml`` (shared with the
    simulation core, which uses them for ``primary_energy_kwh_m2``)."""
    from ultralow.sim.results import energy_factors

    try:
        factors = energy_factors()
        return PrimaryFactors(float(factors["primary_energy"]["electricity_kwh_pe_per_kwh"]),
                              float(factors["fuels"]["coal_kwh_pe_per_kwh"]),
                              float(factors["fuels"]["natural_gas_kwh_pe_per_kwh"]))
    except KeyError as exc:
        raise InputError(f"sim/data/energy_factors.toml lacks a primary-energy factor: {exc}") from None


@dataclass(frozen=True)
class EnergyBreakdown:
    """Primary energy by end use, kWh/(m2 a) per m2 of conditioned floor area."""

    heating_kwh_m2: float
    cooling_kwh_m2: float
    fans_kwh_m2: float = 0.0
    lighting_kwh_m2: float = 0.0
    pv_kwh_m2: float = 0.0

    @property
    def building_kwh_m2(self) -> float:
        """Building itself: all services, no renewables."""
        return self.heating_kwh_m2 + self.cooling_kwh_m2 + self.fans_kwh_m2 + self.lighting_kwh_m2

    @property
    def overall_kwh_m2(self) -> float:
        """Services minus on-site PV generation."""
        return self.building_kwh_m2 - self.pv_kwh_m2

    def to_dict(self) -> dict[str, float]:
        out = asdict(self)
        out["building_kwh_m2"] = self.building_kwh_m2
        out["overall_kwh_m2"] = self.overall_kwh_m2
        return out


@dataclass(frozen=True)
class SavingRates:
    """Saving rates (-) against one reference."""

    overall: float
    building_itself: float


def saving_rate(e_design: float, e_reference: float) -> float:
    """``1 - e_design / e_reference`` (-); InputError unless ``e_reference`` > 0 and finite."""
    if not (math.isfinite(e_design) and math.isfinite(e_reference)):
        raise InputError(f"saving rate needs finite energies, got {e_design!r} and {e_reference!r}")
    if e_reference <= 0:
        raise InputError(f"reference energy must be positive, got {e_reference!r}")
    return 1.0 - e_design / e_reference


def saving_rates(design: EnergyBreakdown, reference: EnergyBreakdown) -> SavingRates:
    """Overall (design with PV vs reference) and building-itself (both without PV) rates.

    The reference building has no PV unless its breakdown says so.
    """
    return SavingRates(
        overall=saving_rate(design.overall_kwh_m2, reference.overall_kwh_m2),
        building_itself=saving_rate(design.building_kwh_m2, reference.building_kwh_m2),
    )


def equivalent_saving_rate(rate_vs_baseline: float, baseline_saving_rate: float) -> float:
    """Saving vs the 1980s building of a design saving ``rate_vs_baseline`` against a baseline
    standard that itself saves ``baseline_saving_rate``: ``1 - (1 - r)(1 - b)``."""
    return 1.0 - (1.0 - rate_vs_baseline) * (1.0 - baseline_saving_rate)


def required_rate_vs_baseline(total_saving_rate: float, baseline_saving_rate: float) -> float:
    """Inverse of :func:`equivalent_saving_rate`: the rate against the baseline that reaches
    ``total_saving_rate`` against the 1980s building."""
    return 1.0 - (1.0 - total_saving_rate) / (1.0 - baseline_saving_rate)


def _field(result: Any, name: str) -> float:
    value = result.get(name) if isinstance(result, dict) else getattr(result, name, None)
    if value is None:
        raise InputError(f"simulation result lacks {name!r}")
    return float(value)


def design_energy(result: Any, factors: PrimaryFactors | None = None) -> EnergyBreakdown:
    """Primary-energy breakdown of a simulated building with its own systems (heat pump or the
    existing building's systems, fuel-fired heating included), fans and PV.

    ``result``: a ``SimulationResult`` or a dict with the same ``*_kwh_m2`` fields.
    """
    factors = factors or primary_factors()
    f = factors.electricity
    fuel = (result.get("heating_fuel") if isinstance(result, dict) else getattr(result, "heating_fuel", "")) or ""
    fuel_kwh = (result.get("heating_fuel_kwh_m2") if isinstance(result, dict)
                else getattr(result, "heating_fuel_kwh_m2", 0.0)) or 0.0
    heating_fuel_pe = factors.of(fuel) * float(fuel_kwh) if fuel else 0.0
    return EnergyBreakdown(
        heating_kwh_m2=f * _field(result, "heating_electricity_kwh_m2") + heating_fuel_pe,
        cooling_kwh_m2=f * _field(result, "cooling_electricity_kwh_m2"),
        fans_kwh_m2=f * _field(result, "fan_electricity_kwh_m2"),
        lighting_kwh_m2=f * _field(result, "lighting_electricity_kwh_m2"),
        pv_kwh_m2=f * _field(result, "pv_generation_kwh_m2"),
    )


def system_energy(
    heating_demand_kwh_m2: float,
    cooling_demand_kwh_m2: float,
    system: SystemPair,
    *,
    lighting_electricity_kwh_m2: float = 0.0,
    fan_electricity_kwh_m2: float = 0.0,
    pv_generation_kwh_m2: float = 0.0,
    factors: PrimaryFactors | None = None,
) -> EnergyBreakdown:
    """Primary energy of a building served by ``system`` (a standard's reference system or an
    existing building's): E_heat = Q_heat / efficiency x f(carrier); E_cool = Q_cool / COP_eff
    x f(electricity); lighting, fans and PV as electricity. Demands in kWh/(m2 a)."""
    f = factors or primary_factors()
    heat = system.heating.delivered_kwh(heating_demand_kwh_m2) * f.of(system.heating.carrier)
    cool = system.cooling.electricity_kwh(cooling_demand_kwh_m2) * f.electricity
    return EnergyBreakdown(heat, cool, fan_electricity_kwh_m2 * f.electricity,
                           lighting_electricity_kwh_m2 * f.electricity,
                           pv_generation_kwh_m2 * f.electricity)


def reference_energy(result: Any, system: SystemPair,
                     factors: PrimaryFactors | None = None) -> EnergyBreakdown:
    """Energy of a simulated reference (or existing) building from its heating/cooling demand
    and lighting, with ``system``; natural ventilation (no fans) and no PV."""
    return system_energy(
        _field(result, "heating_demand_kwh_m2"), _field(result, "cooling_demand_kwh_m2"), system,
        lighting_electricity_kwh_m2=_field(result, "lighting_electricity_kwh_m2"), factors=factors,
    )
