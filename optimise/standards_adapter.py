"""The one place the optimiser talks to ``ultralow.templates.standards``.

- :func:`reference_parameters`: template parameters of the 2016-era baseline reference building
  for a design (its geometry and use, the standard's envelope, no HRV, no PV); designs that share
  geometry share the reference, so the result store simulates it once.
- :func:`standard_metrics`: saving rates (overall with PV, building itself) and renewable share.
- :func:`target_g`: g <= 0 constraints of a standards target (every indicator, or one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.optimise.metrics import INFEASIBLE_G


@dataclass(frozen=True)
class ClimateContext:
    """What the checks need from the weather: zone and the WDH20/DDH28 indices (kKh)."""

    climate_zone: str
    wdh20_kkh: float | None
    ddh28_kkh: float | None
    synthetic: bool | None = None

    @classmethod
    def of(cls, weather: Any) -> ClimateContext:
        indices = weather.indices()
        return cls(weather.climate_zone, indices.wdh20_kkh, indices.ddh28_kkh, bool(weather.synthetic))


def _shape_coefficient(params: Mapping[str, Any]) -> float:
    from ultralow.templates.geometry import BlockGeometry

    return BlockGeometry.from_params(params, None).shape_coefficient_1_m


# Design parameters the reference building shares with the design; the packages (insulation,
# windows, airtightness, HRV, heat pump, PV) come from the base parameters and the standard.
SHARED_WITH_REFERENCE = ("length_m", "depth_m", "storeys", "floor_height_m", "wwr_south", "wwr_north",
                         "wwr_east", "wwr_west", "orientation_deg", "heating_setpoint_c", "cooling_setpoint_c",
                         "timesteps_per_hour", "vintage", "calculation_profile", "usable_floor_area_ratio",
                         "balcony_length_ratio")


def target_profile(target: str, template_name: str, climate: ClimateContext) -> str:
    """Id of the calculation profile ``target`` is evaluated with (design and reference alike)."""
    from ultralow.templates import get_template
    from ultralow.templates.profiles import profile_for_target

    return profile_for_target(target, get_template(template_name).building_use, climate.climate_zone).id


def reference_parameters(template_name: str, params: Mapping[str, Any], climate: ClimateContext,
                         base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolved parameters of the baseline reference building of a design (resolved ``params``):
    ``base`` (the spec's fixed parameters with template defaults) with the design's geometry and
    operation, then the standard's envelope; so the package variables never change the reference
    and designs of one geometry share one reference simulation."""
    from ultralow.templates import get_template
    from ultralow.templates.standards import baseline_standard
    from ultralow.templates.standards import reference as ref

    tpl = get_template(template_name)
    if base is not None:
        params = {**base, **{k: v for k, v in params.items() if k in SHARED_WITH_REFERENCE}}
    base_id = baseline_standard(climate.climate_zone, tpl.building_use)
    limits = ref.limits_for(base_id, climate.climate_zone, tpl.building_use, params, _shape_coefficient(params))
    return tpl.resolve(ref.reference_parameters(params, limits, tpl.parameters))


def compliance_context(template_name: str, params: Mapping[str, Any], reference_result: Mapping[str, Any] | None,
                       climate: ClimateContext) -> Any:
    """The standards' ComplianceContext of a design (its 2016-era reference energy when
    ``reference_result`` is given), shared by the optimiser's constraints and the sweep."""
    from ultralow.templates import get_template
    from ultralow.templates.profiles import resolve_profile
    from ultralow.templates.standards import ComplianceContext, baseline_standard, load_standard, reference_energy
    from ultralow.templates.standards.reference import design_wwr

    tpl = get_template(template_name)
    profile = resolve_profile(params.get("calculation_profile"), tpl.building_use, climate.climate_zone)
    baseline = None
    if reference_result is not None:
        system = load_standard(baseline_standard(climate.climate_zone, tpl.building_use)).reference_system
        baseline = reference_energy(dict(reference_result), system)
    return ComplianceContext(
        climate_zone=climate.climate_zone, building_use=tpl.building_use, storeys=int(params.get("storeys", 1)),
        parameters=dict(params), shape_coefficient_1_m=_shape_coefficient(params), wwr=design_wwr(params),
        wdh20_kkh=climate.wdh20_kkh, ddh28_kkh=climate.ddh28_kkh, baseline_energy=baseline,
        profile=profile, weather_synthetic=climate.synthetic,
    )


def standard_metrics(result: Mapping[str, Any], reference_result: Mapping[str, Any] | None,
                     template_name: str, params: Mapping[str, Any], climate: ClimateContext) -> dict[str, float]:
    """``saving_rate_overall``, ``saving_rate_building`` (-), ``renewable_share`` (-) and the
    reference building's primary energy (kWh/(m2 a)), as far as they can be computed."""
    from ultralow.templates.standards import design_energy, saving_rates

    design = design_energy(dict(result))
    out: dict[str, float] = {}
    if design.building_kwh_m2 > 0:
        out["renewable_share"] = design.pv_kwh_m2 / design.building_kwh_m2
    if reference_result is not None:
        ctx = compliance_context(template_name, params, reference_result, climate)
        rates = saving_rates(design, ctx.baseline_energy)
        out["saving_rate_overall"] = float(rates.overall)
        out["saving_rate_building"] = float(rates.building_itself)
        out["reference_primary_energy_kwh_m2"] = float(ctx.baseline_energy.overall_kwh_m2)
    return out


def target_g(target: str, indicator: str | None, result: Mapping[str, Any],
             reference_result: Mapping[str, Any] | None, template_name: str, params: Mapping[str, Any],
             climate: ClimateContext) -> dict[str, float]:
    """``{"target: indicator": g}`` for every indicator of ``target`` (or just ``indicator``)."""
    from ultralow.templates.standards import evaluate

    report = evaluate(target, dict(result), compliance_context(template_name, params, reference_result, climate))
    out = {f"{target}: {i.name}": i.g() for i in report.requirements if indicator in (None, i.name)}
    if indicator is not None and not out:
        out[f"{target}: {indicator}"] = INFEASIBLE_G
    return out


def target_indicators(target: str, template_name: str, climate: ClimateContext,
                      params: Mapping[str, Any]) -> list[str]:
    """Names of the indicators ``target`` has for this building (to validate a spec)."""
    from ultralow.templates.standards import evaluate

    return [i.name for i in evaluate(target, {}, compliance_context(template_name, params, None, climate)).requirements]
