"""One evaluation path: a design, the buildings it is compared with, and its metrics.

Every caller (the optimiser's :class:`~ultralow.optimise.problem.DesignEvaluator`, the sweep and
``ultralow check``) goes through the same two steps, so the same design gives the same numbers
everywhere:

1. :func:`compared_buildings`: from the design's resolved parameters, the template parameters of
   every building it is compared with, by role:

   - ``design``: the design itself;
   - ``reference``: the 2016-era baseline standard's reference building (saving rates, targets);
   - ``gb55015_reference``: GB 55015's own reference building (target ``gb55015``'s trade-off);
   - ``existing``: the existing building of a retrofit (``vintage`` not ``"new"``): the vintage's
     envelope, lighting and systems (water heater included when the design models hot water)
     after the user's ``existing_*`` overrides;
   - ``base``: the cost baseline of a new building: the template's code-minimum package (and the
     data file's baseline water heater when the design models hot water).

   Each is built from the template defaults plus the design's geometry and operation
   (:data:`SHARED_WITH_BASELINES`), never from the design's package, so no baseline can inherit a
   design-only measure (HRV, PV, overhangs, shading, fins, films, thermal-bridge details) and
   designs of one geometry share one simulation of each baseline.
2. :func:`building_metrics`: from the simulation results by role, the metrics: result fields,
   saving rates against the standard's reference (``saving_vs_reference_*``), savings against the
   existing building (``existing_*`` and ``saving_vs_existing_*``) and costs
   (:mod:`ultralow.optimise.costs`: against the existing building for a retrofit, against the base
   package for a new building). :func:`compliance_context` gives the standards' context.

Fans, lighting and auxiliaries are counted alike for all roles: every role is simulated by the
same engine and results reader (a reference building's heating and cooling are then converted
with the standard's reference systems, as the standard prescribes).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.optimise.metrics import INFEASIBLE_G

# Design parameters every compared building shares with the design: geometry, operation,
# the calculation and the existing building's description. Everything else (the package) comes
# from the template defaults, the standard or the vintage.
SHARED_WITH_BASELINES = (
    "length_m", "depth_m", "storeys", "floor_height_m", "wwr_south", "wwr_north", "wwr_east", "wwr_west",
    "orientation_deg", "heating_setpoint_c", "cooling_setpoint_c", "timesteps_per_hour", "fidelity", "vintage",
    "calculation_profile", "usable_floor_area_ratio", "balcony_length_ratio",
    "existing_wall_u_w_m2k", "existing_roof_u_w_m2k", "existing_floor_u_w_m2k", "existing_window_u_w_m2k",
    "existing_window_shgc", "existing_n50_ach", "existing_lighting_w_m2", "existing_roof_solar_absorptance",
    "existing_heating", "existing_cooling", "existing_hot_water", "hot_water_l_per_person_day",
)
ROLES = ("design", "reference", "gb55015_reference", "existing", "base")


@dataclass(frozen=True)
class ClimateContext:
    """What the checks need from the weather: zone, the WDH20/DDH28 indices (kKh), whether the
    file is synthetic, and the registry city (tariffs; None for a user weather file)."""

    climate_zone: str
    wdh20_kkh: float | None
    ddh28_kkh: float | None
    synthetic: bool | None = None
    city: str | None = None
    measured_degree_hours: tuple[tuple[int, float, float], ...] = ()

    @classmethod
    def of(cls, weather: Any) -> ClimateContext:
        """``measured_degree_hours``: (year, WDH20, DDH28 in kKh) of the city's measured years, when
        the weather is a registry city with a measured hourly record (the cooling limit's spread)."""
        from ultralow.weather.reference import measured_years

        indices = weather.indices()
        city = getattr(weather, "city", None)
        years = tuple((y.year, y.wdh20_kkh, y.ddh28_kkh) for y in measured_years(city))
        return cls(weather.climate_zone, indices.wdh20_kkh, indices.ddh28_kkh, bool(weather.synthetic),
                   city, years)


def _template(template_name: str) -> Any:
    from ultralow.templates import get_template

    return get_template(template_name)


def building_form(template_name: str, params: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
    """The building's form the standards' limits read: ``storeys`` and ``wwr_<facade>`` (as
    template parameters) and the shape coefficient (1/m). A template's from its parameters
    (:class:`~ultralow.templates.geometry.BlockGeometry`); a model file's as EnergyPlus reports it
    (:func:`ultralow.templates.from_file.model_geometry`, measured once per model)."""
    from ultralow.templates.from_file import is_model_template, model_geometry

    if is_model_template(template_name):
        from ultralow.errors import InputError

        geometry = model_geometry(template_name)
        if geometry.shape_coefficient_1_m is None:
            raise InputError(f"template {template_name}: EnergyPlus reports no conditioned volume or no surface "
                             "to outdoors, so the standards' shape coefficient cannot be formed")
        return geometry.as_parameters(), float(geometry.shape_coefficient_1_m)
    from ultralow.templates.geometry import BlockGeometry

    form = {k: params[k] for k in ("storeys", "wwr_south", "wwr_north", "wwr_east", "wwr_west") if k in params}
    return form, BlockGeometry.from_params(params, None).shape_coefficient_1_m


def shape_coefficient_1_m(template_name: str, params: Mapping[str, Any]) -> float:
    """Shape coefficient (1/m) of the building (:func:`building_form`)."""
    return building_form(template_name, params)[1]


def is_retrofit(params: Mapping[str, Any]) -> bool:
    return params.get("vintage", "new") not in (None, "new")


def _shared(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k in SHARED_WITH_BASELINES}


def has_hot_water(params: Mapping[str, Any]) -> bool:
    """Whether the design models domestic hot water (``hot_water_system`` not "none")."""
    return params.get("hot_water_system") not in (None, "", "none")


def base_parameters(template_name: str, design: Mapping[str, Any]) -> dict[str, Any]:
    """The new building's cost baseline: template defaults (the code-minimum package) with the
    design's geometry and operation, built new; when the design has hot water, the base has the
    data file's baseline water heater for its use (``templates/data/hot_water.toml``
    ``[use.*].baseline_system``: gas for dwellings, electric storage for offices)."""
    tpl = _template(template_name)
    extra: dict[str, Any] = {"vintage": "new"}
    if has_hot_water(design):
        from ultralow.sim.hot_water import baseline_system

        extra["hot_water_system"] = baseline_system(tpl.building_use)
    return tpl.resolve({**_shared(design), **extra})


def existing_parameters(template_name: str, design: Mapping[str, Any]) -> dict[str, Any]:
    """The existing building of a retrofit design: its vintage's envelope, airtightness, lighting,
    roof and systems (``heat_pump = "existing"``; ``hot_water_system = "existing"``, the vintage's
    water heater, when the design has hot water), overrides applied, no measure of any kind."""
    extra: dict[str, Any] = {"heat_pump": "existing"}
    if has_hot_water(design):
        extra["hot_water_system"] = "existing"
    return _template(template_name).resolve({**_shared(design), **extra})


def reference_parameters(template_name: str, design: Mapping[str, Any], climate: ClimateContext,
                         standard: str | None = None) -> dict[str, Any]:
    """The reference building of ``standard`` (default: the zone's 2016-era baseline standard):
    the template defaults with the design's geometry and operation, the standard's envelope, none
    of the design's measures (:mod:`ultralow.templates.standards.reference`)."""
    from ultralow.templates.from_file import is_model_template
    from ultralow.templates.standards import baseline_standard
    from ultralow.templates.standards import reference as ref

    tpl = _template(template_name)
    shared = _shared(design)
    if "vintage" in tpl.parameters:
        shared["vintage"] = "new"
    params = tpl.resolve(shared)
    standard = standard or baseline_standard(climate.climate_zone, tpl.building_use)
    form, shape = building_form(template_name, params)
    limits = ref.limits_for(standard, climate.climate_zone, tpl.building_use, {**params, **form}, shape)
    settings = ref.reference_parameters(params, limits, tpl.parameters)
    if is_model_template(template_name):
        settings.update(_model_reference_settings(template_name, limits))
    return tpl.resolve(settings)


def _model_reference_settings(template_name: str, limits: Any) -> dict[str, Any]:
    """What a model file's reference building differs in from a template's: no PV added (None:
    the model's own), heat recovery off only where the model has ideal loads (a real HVAC keeps
    its heat exchangers), and the model's own window SHGC where the standard sets none (its
    windows get one simple glazing system, which needs both U and SHGC)."""
    from ultralow.templates.from_file import model_geometry

    geometry = model_geometry(template_name)
    out: dict[str, Any] = {"pv_roof_fraction": None}
    if not geometry.ideal_loads:
        out["hrv_efficiency"] = None
    if limits.window_shgc is None:
        out["window_shgc"] = geometry.window_shgc
    return out


def compared_buildings(template_name: str, design: Mapping[str, Any], climate: ClimateContext, *,
                       reference: bool = False, targets: tuple[str, ...] = (),
                       cost_base: bool = False) -> dict[str, dict[str, Any]]:
    """Resolved parameters by role (module docstring) for the design's resolved parameters.

    ``reference``: include the baseline reference (saving rates; implied by any target);
    ``targets``: standards targets evaluated (``gb55015`` adds GB 55015's reference);
    ``cost_base``: include the new-build cost baseline (a retrofit always has its existing building).
    """
    out: dict[str, dict[str, Any]] = {"design": dict(design)}
    if reference or targets:
        out["reference"] = reference_parameters(template_name, design, climate)
    if "gb55015" in targets:
        out["gb55015_reference"] = reference_parameters(template_name, design, climate, "gb55015_2021")
    if is_retrofit(design):
        out["existing"] = existing_parameters(template_name, design)
    elif cost_base:
        out["base"] = base_parameters(template_name, design)
    return out


def compliance_context(template_name: str, params: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]],
                       climate: ClimateContext, thermal_inertia_d: float | None = None) -> Any:
    """The standards' ComplianceContext of a design from the results of its compared buildings
    (any role may be missing: the indicators that need it cannot be evaluated). Numbers, plus
    ``measures`` (text: the retrofit measures applied, " + "-joined) when costs are computed."""
    from ultralow.templates.from_file import MODEL_OPERATION, is_model_template
    from ultralow.templates.profiles import resolve_profile
    from ultralow.templates.standards import (
        ComplianceContext,
        baseline_standard,
        design_energy,
        load_standard,
        reference_energy,
        system_energy,
    )
    from ultralow.templates.standards.reference import design_wwr

    tpl = _template(template_name)
    use = tpl.building_use
    model_file = is_model_template(template_name)
    # a model file runs on its own schedules, gains and setpoints: no calculation profile applies
    profile = None if model_file else resolve_profile(params.get("calculation_profile"), use, climate.climate_zone)
    system = load_standard(baseline_standard(climate.climate_zone, use)).reference_system
    form, shape = building_form(template_name, params)
    ctx = ComplianceContext(
        climate_zone=climate.climate_zone, building_use=use, storeys=int(form.get("storeys", 1)),
        parameters={**params, **form}, shape_coefficient_1_m=shape, wwr=design_wwr(form),
        operation=MODEL_OPERATION if model_file else None,
        thermal_inertia_d=thermal_inertia_d, wdh20_kkh=climate.wdh20_kkh, ddh28_kkh=climate.ddh28_kkh,
        profile=profile, weather_synthetic=climate.synthetic,
        measured_degree_hours=climate.measured_degree_hours,
    )
    if results.get("reference") is not None:
        ctx.baseline_energy = reference_energy(dict(results["reference"]), system)
    if results.get("gb55015_reference") is not None:
        ctx.gb55015_reference_energy = reference_energy(dict(results["gb55015_reference"]), system)
        design = results["design"]
        ctx.design_energy_same_system = system_energy(
            float(design["heating_demand_kwh_m2"]), float(design["cooling_demand_kwh_m2"]), system,
            lighting_electricity_kwh_m2=float(design["lighting_electricity_kwh_m2"]))
    if results.get("existing") is not None:
        ctx.existing_energy = design_energy(dict(results["existing"]))
        ctx.existing_parameters = existing_envelope(results["existing"])
    return ctx


def existing_envelope(existing_result: Mapping[str, Any]) -> dict[str, Any]:
    """The existing building's envelope as simulated (U-values W/(m2 K), SHGC, n50 1/h)."""
    params = existing_result.get("parameters") or {}
    out = {k: existing_result.get(k) for k in ("wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k",
                                                "window_u_w_m2k", "window_shgc")}
    out["n50_ach"] = params.get("n50_ach")
    return out


def _saving(before: float, after: float) -> float:
    return (before - after) / before if before > 0 else math.nan


END_USES = {  # end use -> result fields (kWh/(m2 a), site energy)
    "heating": ("heating_electricity_kwh_m2", "heating_fuel_kwh_m2"),
    "cooling": ("cooling_electricity_kwh_m2",),
    "fans": ("fan_electricity_kwh_m2",),
    "lighting": ("lighting_electricity_kwh_m2",),
    "equipment": ("equipment_electricity_kwh_m2",),
    "hot_water": ("hot_water_electricity_kwh_m2", "hot_water_fuel_kwh_m2"),
}


def existing_savings(design: Mapping[str, Any], existing: Mapping[str, Any]) -> dict[str, float]:
    """The existing building's figures (``existing_*``) and the design's savings against it
    (``saving_vs_existing_*``): site energy by end use (kWh/(m2 a); ``hot_water`` is the water
    heater's electricity + gas, 0 when hot water is not modelled), whole-building site energy
    with and without PV (equipment and hot water included), primary energy with and without PV
    (services, as GB/T 51350: hot water excluded; fractions -) and CO2 (kg/(m2 a), services)."""

    def f(result: Mapping[str, Any], key: str) -> float:
        value = result.get(key)
        return float(value) if value is not None else 0.0

    out: dict[str, float] = {}
    for use, keys in END_USES.items():
        before, after = sum(f(existing, k) for k in keys), sum(f(design, k) for k in keys)
        out[f"existing_{use}_site_energy_kwh_m2"] = before
        out[f"saving_vs_existing_{use}_kwh_m2"] = before - after
    pv_design, pv_existing = f(design, "pv_generation_kwh_m2"), f(existing, "pv_generation_kwh_m2")
    site_after = f(design, "net_site_energy_kwh_m2")
    site_before = f(existing, "net_site_energy_kwh_m2")
    out["existing_site_energy_kwh_m2"] = site_before
    out["saving_vs_existing_site_energy"] = _saving(site_before, site_after)
    out["saving_vs_existing_site_energy_no_pv"] = _saving(site_before + pv_existing, site_after + pv_design)
    pef = _electricity_pef()
    pe_before, pe_after = f(existing, "primary_energy_kwh_m2"), f(design, "primary_energy_kwh_m2")
    out["existing_primary_energy_kwh_m2"] = pe_before
    out["saving_vs_existing_primary_energy"] = _saving(pe_before, pe_after)
    out["saving_vs_existing_primary_energy_no_pv"] = _saving(pe_before + pef * pv_existing,
                                                             pe_after + pef * pv_design)
    out["existing_co2_kg_m2"] = f(existing, "co2_kg_m2")
    out["saving_vs_existing_co2_kg_m2"] = f(existing, "co2_kg_m2") - f(design, "co2_kg_m2")
    return out


def _electricity_pef() -> float:
    from ultralow.templates.standards import primary_factors

    return primary_factors().electricity


def building_metrics(template_name: str, params: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]],
                     climate: ClimateContext, cost_model: Any | None = None,
                     cost_extras: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every metric of a design from the results of its compared buildings (by role, as
    :func:`compared_buildings` names them; ``results["design"]`` is required)."""
    from ultralow.optimise.buildability import buildability_issues, default_limits
    from ultralow.optimise.metrics import result_metrics
    from ultralow.templates.from_file import PREFIX as MODEL_PREFIX
    from ultralow.templates.standards import design_energy, saving_rates

    design = dict(results["design"])
    metrics: dict[str, float] = result_metrics(design)
    energy = design_energy(design)
    if energy.building_kwh_m2 > 0:
        metrics["renewable_share"] = energy.pv_kwh_m2 / energy.building_kwh_m2
    if results.get("reference") is not None:
        ctx = compliance_context(template_name, params, {"reference": results["reference"], "design": design},
                                 climate)
        rates = saving_rates(energy, ctx.baseline_energy)
        metrics["saving_vs_reference_overall"] = float(rates.overall)
        metrics["saving_vs_reference_building"] = float(rates.building_itself)
        metrics["reference_primary_energy_kwh_m2"] = float(ctx.baseline_energy.overall_kwh_m2)
    baseline_role = "existing" if results.get("existing") is not None else "base"
    if results.get("existing") is not None:
        metrics.update(existing_savings(design, results["existing"]))
    if cost_model is not None:
        baseline = results.get(baseline_role)
        costs = cost_model.evaluate(
            template_name, {**params, **(cost_extras or {})}, design,
            dict(baseline["parameters"]) if baseline is not None else None,
            dict(baseline) if baseline is not None else None,
            retrofit=baseline_role == "existing", city=climate.city)
        metrics.update({k: float(v) for k, v in costs.items() if isinstance(v, int | float)})
        metrics["measures"] = " + ".join(costs.get("measures") or [])
        metrics["price_region"] = str(costs.get("price_region", ""))
    if not template_name.startswith(MODEL_PREFIX):  # a model file's layers are the user's own
        issues = buildability_issues(template_name, params, design, default_limits())
        metrics["buildable"] = not issues
        metrics["buildability_issues"] = "; ".join(issues)
    return metrics


def target_profile(target: str, template_name: str, climate: ClimateContext) -> str:
    """Id of the calculation profile ``target`` is evaluated with (design and reference alike)."""
    from ultralow.templates.from_file import is_model_template
    from ultralow.templates.profiles import EVERYDAY, profile_for_target

    if is_model_template(template_name):  # a model file keeps its own operation
        return EVERYDAY
    return profile_for_target(target, _template(template_name).building_use, climate.climate_zone).id


def target_g(target: str, indicator: str | None, results: Mapping[str, Mapping[str, Any]], template_name: str,
             params: Mapping[str, Any], climate: ClimateContext,
             extra: Mapping[str, Any] | None = None) -> dict[str, float]:
    """``{"target: indicator": g}`` for every indicator of ``target`` (or just ``indicator``);
    ``extra`` sets further ComplianceContext fields (e.g. a payback)."""
    from ultralow.templates.standards import evaluate

    ctx = compliance_context(template_name, params, results, climate)
    for key, value in (extra or {}).items():
        setattr(ctx, key, value)
    report = evaluate(target, dict(results["design"]), ctx)
    out = {f"{target}: {i.name}": i.g() for i in report.requirements if indicator in (None, i.name)}
    if indicator is not None and not out:
        out[f"{target}: {indicator}"] = INFEASIBLE_G
    return out


def target_indicators(target: str, template_name: str, climate: ClimateContext,
                      params: Mapping[str, Any]) -> dict[str, str]:
    """The requirements ``target`` has for this building, name -> comparison (``<=``/``>=``),
    to validate a spec."""
    from ultralow.templates.standards import EnergyBreakdown, evaluate

    ctx = compliance_context(template_name, params, {}, climate)
    # the energies its compared buildings will give (compared_buildings): placeholders here
    placeholder = EnergyBreakdown(1.0, 1.0)
    ctx.baseline_energy = placeholder
    if target == "gb55015":
        ctx.gb55015_reference_energy = ctx.design_energy_same_system = placeholder
    if is_retrofit(params):
        ctx.existing_energy = placeholder
        ctx.simple_payback_years = 1.0
    return {i.name: i.comparison for i in evaluate(target, {}, ctx).requirements}
