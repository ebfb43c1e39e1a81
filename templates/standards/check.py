"""Run a compliance check end to end: simulate the design, its reference building(s) and
optionally the existing (vintage) building, then evaluate a target.

Simulations (design first, for its shape coefficient; then the others concurrently):
- design: the template with the user's parameters;
- baseline reference: the 2016-era standard's envelope for the zone (the saving-rate reference);
- GB 55015 reference (target ``gb55015`` only): GB 55015's envelope, for the trade-off check;
- existing building (with ``vintage``): the vintage's envelope and systems.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ultralow.templates.standards.evaluate import (
    ComplianceContext,
    baseline_standard,
    check_target,
    evaluate,
)
from ultralow.templates.standards.indicators import ComplianceReport
from ultralow.templates.standards.loader import load_standard
from ultralow.templates.standards.reference import NO_DESIGN_MEASURES, limits_for, reference_parameters
from ultralow.templates.standards.saving import reference_energy, system_energy
from ultralow.templates.standards.vintages import get_vintage


@dataclass
class CheckRun:
    """The report and every simulation behind it (``results`` by role)."""

    report: ComplianceReport
    results: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)


def run_check(
    template_name: str,
    params: Mapping[str, Any] | None,
    weather: Any,
    target: str,
    *,
    run_dir: str | os.PathLike,
    period: str | None = None,
    vintage: str | None = None,
    thermal_inertia_d: float | None = None,
) -> CheckRun:
    """Simulate and evaluate; ``weather`` is a ``WeatherSource``; runs go under ``run_dir``."""
    from ultralow.sim.simulate import simulate
    from ultralow.templates import get_template
    from ultralow.templates.profiles import profile_for_target

    check_target(target)
    tpl = get_template(template_name)
    zone, use = weather.climate_zone, tpl.building_use
    # the target's calculation profile, for the design and every building it is compared with
    profile = profile_for_target(target, use, zone)
    design_params = tpl.resolve({**(params or {}), "calculation_profile": profile.id})
    root = Path(run_dir)

    def run(role: str, p: Mapping[str, Any]) -> Any:
        return simulate(template_name, p, weather, run_dir=root / role, period=period)

    design = run("design", design_params)
    # what was simulated (a vintage fills window and airtightness values the user did not set)
    design_params = {**design_params, **design.parameters}
    shape = design.shape_coefficient_1_m
    base_id = baseline_standard(zone, use)
    jobs: dict[str, dict[str, Any]] = {"design": dict(design_params)}
    base_limits = limits_for(base_id, zone, use, design_params, shape, thermal_inertia_d)
    jobs["baseline_reference"] = reference_parameters(design_params, base_limits, tpl.parameters)
    if target == "gb55015":
        gb_limits = limits_for("gb55015_2021", zone, use, design_params, shape, thermal_inertia_d)
        jobs["gb55015_reference"] = reference_parameters(design_params, gb_limits, tpl.parameters)
    existing = None
    if vintage:
        existing = get_vintage(vintage, zone, use)
        # the existing building: the design's geometry and use on the vintage's envelope (the
        # template's `vintage` parameter), none of the design's measures (no HRV, PV, shading)
        envelope = ("wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k", "wall_insulation_mm", "roof_insulation_mm",
                    "floor_insulation_mm", "window_u_w_m2k", "window_shgc", "n50_ach", "_explicit")
        jobs["existing"] = {**{k: v for k, v in design_params.items() if k not in envelope},
                            "vintage": existing.id, **NO_DESIGN_MEASURES}
    results: dict[str, Any] = {"design": design}
    others = [role for role in jobs if role != "design"]
    with ThreadPoolExecutor(max_workers=max(1, len(others))) as pool:
        futures = {role: pool.submit(run, role, tpl.resolve(jobs[role])) for role in others}
        results.update({role: f.result() for role, f in futures.items()})

    base_system = load_standard(base_id).reference_system
    assert base_system is not None, base_id
    indices = weather.indices()
    context = ComplianceContext(
        climate_zone=zone, building_use=use, storeys=int(design_params.get("storeys", 1)),
        parameters=design_params, shape_coefficient_1_m=shape,
        wwr=base_limits.wwr, thermal_inertia_d=thermal_inertia_d,
        wdh20_kkh=indices.wdh20_kkh, ddh28_kkh=indices.ddh28_kkh,
        baseline_energy=reference_energy(results["baseline_reference"], base_system),
        profile=profile, weather_synthetic=bool(weather.synthetic),
    )
    if "gb55015_reference" in results:
        context.gb55015_reference_energy = reference_energy(results["gb55015_reference"], base_system)
        context.design_energy_same_system = system_energy(
            design.heating_demand_kwh_m2, design.cooling_demand_kwh_m2, base_system,
            lighting_electricity_kwh_m2=design.lighting_electricity_kwh_m2)
    if existing is not None:
        context.existing_energy = reference_energy(results["existing"], existing.systems)
    report = evaluate(target, design, context)
    report.details["baseline_reference_envelope"] = base_limits.as_dict()
    report.details["simulations"] = {
        role: {"run_dir": r.run_dir, "period": r.period,
               "heating_demand_kwh_m2": r.heating_demand_kwh_m2,
               "cooling_demand_kwh_m2": r.cooling_demand_kwh_m2,
               "wall_u_w_m2k": r.wall_u_w_m2k, "roof_u_w_m2k": r.roof_u_w_m2k,
               "window_u_w_m2k": r.window_u_w_m2k, "window_shgc": r.window_shgc}
        for role, r in results.items()}
    if existing is not None:
        report.details["existing_building"] = {"vintage": existing.id, "label": existing.label,
                                               "construction": existing.construction,
                                               "source": existing.source}
    return CheckRun(report, results, {k: dict(v) for k, v in jobs.items()})
