"""Measure-by-measure breakdown of a retrofit package.

Method (stated in every report that shows it): the measures of the package are **added one at a
time to the existing building, in the fixed order of** :data:`MEASURE_ORDER` (envelope first,
then shading and lighting, then the systems (HRV, heat pump, water heater), PV last: the usual
loading order of a retrofit study, in which each system measure is sized for the improved
envelope). Step ``k`` is the
existing building with measures 1..k; its last step is the whole design. For each measure:

- ``primary_energy_saving_kwh_m2`` = PE(step k-1) - PE(step k), kWh/(m2 a) (services, PV credited);
- ``site_energy_saving_kwh_m2`` = net site energy(step k-1) - net site energy(step k);
- ``energy_cost_saving_rmb`` = annual energy + maintenance cost(step k-1) - (step k), RMB/a;
- ``investment_rmb`` = investment(step k) - investment(step k-1): the measure's own cost plus any
  shared cost it triggers first (scaffolding with the first facade measure; fees pro rata);
- ``simple_payback_years`` = investment / cost saving (inf when it saves nothing).

The order matters: a measure added later saves less (the building it improves already uses less),
so the table is one decomposition, not the measures' stand-alone savings. The sum of the steps is
exactly the package against the existing building.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ultralow.optimise import evaluation as ev
from ultralow.optimise.costs import simple_payback_years

# measure -> the template parameters that make it (in the order measures are added)
MEASURE_ORDER: dict[str, tuple[str, ...]] = {
    "wall_insulation": ("wall_insulation", "wall_insulation_mm", "wall_u_w_m2k"),
    "roof_insulation": ("roof_insulation", "roof_insulation_mm", "roof_u_w_m2k"),
    "floor_insulation": ("floor_insulation", "floor_insulation_mm", "floor_u_w_m2k"),
    "windows": ("window_u_w_m2k", "window_shgc", "window_vt"),
    "window_retrofit": ("window_retrofit",),
    "airtightness": ("n50_ach",),
    "cool_roof": ("roof_solar_absorptance",),
    "shading": ("south_overhang_depth_ratio", "external_shading", "external_shade_solar_transmittance",
                "side_fin_depth_ratio"),
    "lighting": ("lighting_w_m2",),
    "hrv": ("hrv_efficiency", "hrv_latent_efficiency", "hrv_frost_threshold_c", "fan_sfp_w_m3h"),
    "heat_pump": ("heat_pump",),
    "hot_water": ("hot_water_system", "hot_water_l_per_person_day"),
    "pv": ("pv_roof_fraction", "pv_mounting", "pv_module_efficiency", "pv_tilt_deg"),
}


def _same(a: Any, b: Any) -> bool:
    """Equal values; an insulation thickness or ratio of 0 is the same as none (None)."""
    if a is None or b is None:
        a, b = (0.0 if a is None else a), (0.0 if b is None else b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def applied_measures(design: Mapping[str, Any], existing: Mapping[str, Any]) -> list[str]:
    """The measures (keys of :data:`MEASURE_ORDER`, in order) whose parameters differ between the
    design and the existing building, both as simulated (``result["parameters"]``)."""
    return [m for m, keys in MEASURE_ORDER.items()
            if any(not _same(design.get(k), existing.get(k)) for k in keys if k in design or k in existing)]


def measure_steps(template_name: str, design_params: Mapping[str, Any], design_simulated: Mapping[str, Any],
                  existing_simulated: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(measure, resolved parameters of the existing building with measures 1..k)`` for every
    applied measure but the last (the last step is the design itself)."""
    from ultralow.templates import get_template

    tpl = get_template(template_name)
    measures = applied_measures(design_simulated, existing_simulated)
    raw: dict[str, Any] = {k: v for k, v in ev.existing_parameters(template_name, design_params).items()
                           if k in ev.SHARED_WITH_BASELINES or k in ("heat_pump", "hot_water_system")}
    steps = []
    for measure in measures[:-1]:
        for key in MEASURE_ORDER[measure]:
            if design_simulated.get(key) is not None:
                raw[key] = design_simulated[key]
        steps.append((measure, tpl.resolve(dict(raw))))
    return steps


def measure_breakdown(template_name: str, design_params: Mapping[str, Any],
                      results: Mapping[str, Mapping[str, Any]], climate: ev.ClimateContext, cost_model: Any,
                      simulate: Callable[[str, dict[str, Any]], Mapping[str, Any]],
                      extras: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One row per applied measure (module docstring); ``results`` has the ``design`` and
    ``existing`` results; ``simulate(role, params)`` runs one intermediate step (or looks it
    up); ``extras``: the design's cost-only keys (``window_product``, ``pv_module``)."""
    from concurrent.futures import ThreadPoolExecutor

    design, existing = results["design"], results["existing"]
    steps = measure_steps(template_name, design_params, design.get("parameters") or {},
                          existing.get("parameters") or {})
    measures = applied_measures(design.get("parameters") or {}, existing.get("parameters") or {})
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(simulate, f"step{i + 1}_{m}", p) for i, (m, p) in enumerate(steps)]
        step_results = [dict(f.result()) for f in futures]
    step_params = [p for _, p in steps] + [dict(design_params)]
    step_results.append(dict(design))
    extras = dict(extras or {})

    def figures(params: Mapping[str, Any], result: Mapping[str, Any], step_extras: Mapping[str, Any]) -> dict:
        return ev.building_metrics(template_name, params, {"design": result, "existing": existing}, climate,
                                   cost_model, step_extras)

    before = figures(existing.get("parameters") or {}, existing, {})
    rows = []
    for k, (measure, params, result) in enumerate(zip(measures, step_params, step_results, strict=True)):
        # a product id prices its element from the step that installs it
        step_extras = {key: v for key, v in extras.items()
                       if ("windows" in measures[:k + 1] and key == "window_product")
                       or ("pv" in measures[:k + 1] and key == "pv_module")}
        after = figures(params, result, step_extras)
        cost_saving = before["annual_energy_cost_rmb"] + before["annual_maintenance_rmb"] - (
            after["annual_energy_cost_rmb"] + after["annual_maintenance_rmb"])
        investment = after["investment_rmb"] - before["investment_rmb"]
        rows.append({
            "measure": measure,
            "primary_energy_kwh_m2": after["primary_energy_kwh_m2"],
            "primary_energy_saving_kwh_m2": before["primary_energy_kwh_m2"] - after["primary_energy_kwh_m2"],
            "site_energy_saving_kwh_m2": before["net_site_energy_kwh_m2"] - after["net_site_energy_kwh_m2"],
            "energy_cost_saving_rmb": cost_saving,
            "investment_rmb": investment,
            "simple_payback_years": simple_payback_years(investment, cost_saving),
        })
        before = after
    return rows
