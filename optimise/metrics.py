"""Metric names an objective or constraint may use, and how one design's metrics are computed.

- result metrics: numeric fields of :class:`ultralow.sim.SimulationResult` (per m2 of
  conditioned floor area over the simulated period, e.g. ``primary_energy_kwh_m2``);
- cost metrics: the keys of ``ultralow.optimise.costs.CostModel.evaluate`` (RMB, years, t/a);
- standard metrics: saving rates against the standard's 2016-era reference building (GB 55015 /
  GB/T 51350), ``saving_vs_reference_*``, which need a simulation of that reference building;
- existing-building metrics (a retrofit: a design with a ``vintage``): the existing building's
  energy ``existing_*`` and the design's savings against it ``saving_vs_existing_*``;
see :mod:`ultralow.optimise.evaluation` for how each is computed. The two kinds of saving are
named apart so that neither can be read as the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RESULT_METRICS: tuple[str, ...] = (
    "heating_demand_kwh_m2", "cooling_demand_kwh_m2", "heating_electricity_kwh_m2",
    "cooling_electricity_kwh_m2", "heating_fuel_kwh_m2", "district_heat_kwh_m2", "lighting_electricity_kwh_m2",
    "equipment_electricity_kwh_m2",
    "fan_electricity_kwh_m2", "pv_generation_kwh_m2", "net_site_energy_kwh_m2", "primary_energy_kwh_m2",
    "co2_kg_m2", "peak_heating_load_w_m2", "peak_cooling_load_w_m2", "unmet_heating_hours",
    "unmet_cooling_hours", "pv_capacity_kw", "wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k",
    "window_u_w_m2k", "window_shgc", "hot_water_demand_kwh_m2", "hot_water_electricity_kwh_m2",
    "hot_water_fuel_kwh_m2", "hot_water_primary_energy_kwh_m2", "hot_water_co2_kg_m2",
    "wall_insulation_built_mm", "roof_insulation_built_mm", "floor_insulation_built_mm",
)
COST_METRICS: tuple[str, ...] = (
    "investment_rmb", "investment_gross_rmb", "subsidy_rmb", "incremental_investment_rmb",
    "incremental_investment_rmb_m2", "annual_energy_cost_rmb", "annual_energy_cost_rmb_m2", "annual_saving_rmb",
    "lcc_rmb", "lcc_rmb_m2", "npv_savings_rmb", "simple_payback_years", "co2_t_per_year", "co2_saving_t_per_year",
)
STANDARD_METRICS: tuple[str, ...] = (
    "saving_vs_reference_overall", "saving_vs_reference_building", "renewable_share",
    "reference_primary_energy_kwh_m2",
)
EXISTING_METRICS: tuple[str, ...] = (
    "existing_primary_energy_kwh_m2", "existing_site_energy_kwh_m2", "existing_co2_kg_m2",
    "saving_vs_existing_primary_energy", "saving_vs_existing_primary_energy_no_pv",
    "saving_vs_existing_site_energy", "saving_vs_existing_site_energy_no_pv", "saving_vs_existing_co2_kg_m2",
    *(f"saving_vs_existing_{use}_kwh_m2" for use in ("heating", "cooling", "fans", "lighting", "equipment",
                                                      "hot_water")),
    *(f"existing_{use}_site_energy_kwh_m2" for use in ("heating", "cooling", "fans", "lighting", "equipment",
                                                        "hot_water")),
)
RENAMED_METRICS = {  # old name -> new name (0.3.0)
    "saving_rate_overall": "saving_vs_reference_overall",
    "saving_rate_building": "saving_vs_reference_building",
}
STANDARD_TARGETS: tuple[str, ...] = ("ultra-low", "nearly-zero", "gb55015", "retrofit")

INFEASIBLE_G = 1.0e6  # constraint value of a failed design or an indicator that cannot be evaluated
FAILED_F = 1.0e12  # objective value of a failed design (after sign change: always the worst)


def result_metrics(result: Mapping[str, Any]) -> dict[str, float]:
    """Numeric result fields (``SimulationResult.to_dict()``) as floats."""
    return {k: float(result[k]) for k in RESULT_METRICS if result.get(k) is not None}


def constraint_g(value: float | None, low: float | None, high: float | None) -> float:
    """Pymoo form (feasible when <= 0), relative to the bound: (value - high)/|high| and/or
    (low - value)/|low|; an absolute difference for a zero bound; INFEASIBLE_G when missing."""
    if value is None or value != value:
        return INFEASIBLE_G
    gs = []
    if high is not None:
        gs.append((value - high) / abs(high) if high else value - high)
    if low is not None:
        gs.append((low - value) / abs(low) if low else low - value)
    return max(gs)
