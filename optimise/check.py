"""``ultralow check`` end to end: simulate a design and the buildings it is compared with, then
evaluate a standards target, the savings, the costs and (for a retrofit) each measure.

The path is the optimiser's (:mod:`ultralow.optimise.evaluation`): the same
:func:`~ultralow.optimise.evaluation.compared_buildings` decides what is simulated and the same
:func:`~ultralow.optimise.evaluation.building_metrics` computes the numbers, so ``check`` and the
optimiser agree on a design to the last digit. The design and its compared buildings are simulated
with the target's calculation profile.

A retrofit is a design with a ``vintage`` (``--vintage`` sets it): every element the design does
not change keeps the existing building's value, and the existing building is the baseline of the
savings, the investment and the payback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ultralow.errors import InputError
from ultralow.optimise import evaluation as ev


@dataclass
class CheckRun:
    """The report and every simulation behind it (``results`` and ``parameters`` by role)."""

    report: Any  # ComplianceReport
    results: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    measures: list[dict[str, Any]] = field(default_factory=list)


def run_check(
    template_name: str | Any,
    params: Mapping[str, Any] | None,
    weather: Any,
    target: str,
    *,
    run_dir: str | os.PathLike,
    period: str | None = None,
    vintage: str | None = None,
    thermal_inertia_d: float | None = None,
    costs_file: str | None = None,
    measures: bool = True,
    strict_weather: bool = False,
) -> CheckRun:
    """Simulate and evaluate; ``weather`` is a ``WeatherSource``; runs go under ``run_dir``.

    ``template_name``: a template's name or a :class:`~ultralow.templates.template.Template`,
    also a model file's (:func:`ultralow.templates.from_file.model_template`): its form comes from
    EnergyPlus, its reference building is the model with the standard's envelope
    (:func:`~ultralow.optimise.evaluation.reference_parameters`), and its verdict is indicative
    (it keeps its own operation); costs, vintages and measures need a template.

    ``vintage`` makes the design a retrofit of that existing building; ``measures`` (retrofits
    only) adds the measure-by-measure breakdown (one more simulation per measure);
    ``strict_weather`` refuses a synthetic weather file (InputError). The report's
    ``details["weather"]`` is the weather's provenance (``ultralow.weather.provenance``).
    """
    from ultralow.optimise.costs import CostModel
    from ultralow.optimise.measures import measure_breakdown
    from ultralow.sim.run_control import RunPeriod
    from ultralow.sim.simulate import simulate
    from ultralow.templates import get_template
    from ultralow.templates.from_file import is_model_template
    from ultralow.templates.standards import baseline_standard, evaluate
    from ultralow.templates.standards.evaluate import check_target
    from ultralow.templates.standards.reference import limits_for
    from ultralow.weather.provenance import require_non_synthetic, weather_provenance

    # every input is checked before anything is simulated or a folder is made
    check_target(target)
    if strict_weather:
        require_non_synthetic(weather, "check --strict")
    run_period = RunPeriod.parse(period)
    tpl = get_template(template_name)
    template_name = tpl.name
    model_file = is_model_template(template_name)
    if model_file and (vintage or costs_file):
        raise InputError(f"check: {'--vintage' if vintage else '--costs'} needs a template: a model file has no "
                         "existing-building vintage and no cost quantities yet (its compliance is checked without)")
    cost_model = None if model_file else CostModel.load(costs_file)
    if thermal_inertia_d is not None and not (isinstance(thermal_inertia_d, int | float)
                                              and 0 < thermal_inertia_d < 100):
        raise InputError(f"--thermal-inertia-d {thermal_inertia_d!r}: give a number above 0 (e.g. 2.5)")
    climate = ev.ClimateContext.of(weather)
    profile_id = ev.target_profile(target, template_name, climate)
    raw = {**(params or {}), "calculation_profile": profile_id}
    if vintage:
        raw["vintage"] = vintage
    design_params = tpl.resolve(raw)
    roles = ev.compared_buildings(template_name, design_params, climate, reference=True, targets=(target,),
                                  cost_base=cost_model is not None)
    root = Path(run_dir)

    def run(role: str, p: Mapping[str, Any]) -> Any:
        return simulate(template_name, p, weather, run_dir=root / role, period=run_period)

    with ThreadPoolExecutor(max_workers=min(len(roles), os.cpu_count() or 1)) as pool:
        futures = {role: pool.submit(run, role, p) for role, p in roles.items()}
        simulated = {role: f.result() for role, f in futures.items()}
    results = {role: r.to_dict() for role, r in simulated.items()}
    metrics = ev.building_metrics(template_name, design_params, results, climate, cost_model)
    context = ev.compliance_context(template_name, design_params, results, climate, thermal_inertia_d)
    context.simple_payback_years = metrics.get("simple_payback_years")
    report = evaluate(target, results["design"], context)
    report.details["weather"] = weather_provenance(weather)
    zone, use = climate.climate_zone, tpl.building_use
    form, shape = ev.building_form(template_name, design_params)
    report.details["baseline_reference_envelope"] = limits_for(
        baseline_standard(zone, use), zone, use, {**design_params, **form}, shape, thermal_inertia_d).as_dict()
    if model_file:
        report.details["model_file"] = model_file_details(tpl, template_name, form, report.details)
    report.details["economics"] = economics_summary(metrics, retrofit="existing" in results)
    if "existing" in results:
        report.details["savings_vs_existing_building"] = {
            k: v for k, v in metrics.items() if k.startswith(("existing_", "saving_vs_existing_"))}
    report.details["savings_vs_standard_reference"] = {
        k: metrics[k] for k in ("saving_vs_reference_overall", "saving_vs_reference_building",
                                "reference_primary_energy_kwh_m2") if k in metrics}
    report.details["simulations"] = {
        role: {"run_dir": r.run_dir, "period": r.period, "heating_system": r.heating_system,
               "heating_demand_kwh_m2": r.heating_demand_kwh_m2, "cooling_demand_kwh_m2": r.cooling_demand_kwh_m2,
               "primary_energy_kwh_m2": r.primary_energy_kwh_m2,
               "wall_u_w_m2k": r.wall_u_w_m2k, "roof_u_w_m2k": r.roof_u_w_m2k,
               "window_u_w_m2k": r.window_u_w_m2k, "window_shgc": r.window_shgc}
        for role, r in simulated.items()}
    steps: list[dict[str, Any]] = []
    if measures and "existing" in results:
        steps = measure_breakdown(template_name, design_params, results, climate, cost_model,
                                  lambda role, p: run(role, p).to_dict())
        report.details["measures"] = steps
    return CheckRun(report, simulated, {k: dict(v) for k, v in roles.items()}, metrics, steps)


def model_file_details(template: Any, template_name: str, form: Mapping[str, Any],
                       details: Mapping[str, Any]) -> dict[str, Any]:
    """What a model file's check stands on: the file, its form as EnergyPlus reports it, and how
    its reference building differs from the standard's (window-to-wall ratios above the
    standard's maxima are kept: the model's windows are not redrawn)."""
    from ultralow.templates.from_file import model_geometry

    geometry = model_geometry(template_name)
    caps = (details.get("baseline_reference_envelope") or {}).get("wwr_max") or {}
    facades = {"north": ("north",), "east_west": ("east", "west"), "south": ("south",)}
    over = [f"{facade} {geometry.wwr[facade]:.2f} > {cap:.2f}" for band, cap in caps.items() if cap is not None
            for facade in facades.get(band, ()) if geometry.wwr.get(facade, 0.0) > cap]
    notes = ["the reference building is the model with the standard's wall, roof and window limits, the "
             "reference airtightness, no added PV; its own schedules, gains, setpoints and HVAC are kept"]
    if over:
        notes.append("window-to-wall ratio above the standard's maximum, kept in the reference (its windows are "
                     f"not redrawn): {', '.join(over)}")
    return {"source": template.description, "geometry": geometry.to_json(), "reference_notes": notes}


ECONOMICS = (  # metric, label
    ("measures", "measures applied"),
    ("investment_gross_rmb", "investment before subsidy, RMB"),
    ("subsidy_rmb", "subsidy, RMB"),
    ("investment_rmb", "investment, RMB"),
    ("incremental_investment_rmb", "investment against the baseline, RMB"),
    ("incremental_investment_rmb_m2", "investment against the baseline, RMB/m2"),
    ("annual_energy_cost_rmb", "energy cost, RMB/a"),
    ("reference_annual_energy_cost_rmb", "baseline's energy cost, RMB/a"),
    ("annual_saving_rmb", "energy + maintenance saving, RMB/a"),
    ("simple_payback_years", "simple payback, a"),
    ("npv_savings_rmb", "net present value of the savings, RMB"),
    ("co2_saving_t_per_year", "CO2 saving, t/a"),
)


def economics_summary(metrics: Mapping[str, Any], retrofit: bool) -> dict[str, Any]:
    """The headline economic figures with their baseline named."""
    out: dict[str, Any] = {"baseline": "the existing building (retrofit)" if retrofit else
                           "the template's code-minimum package (new build)"}
    out.update({label: metrics[key] for key, label in ECONOMICS if key in metrics})
    return out
