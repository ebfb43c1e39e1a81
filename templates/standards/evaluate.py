"""Evaluate a simulated design against a target and return a :class:`ComplianceReport`.

Targets:
- ``gb55015``: GB 55015-2021 prescriptive envelope limits (wall/roof U, window U and SHGC, shape
  coefficient, window-to-wall ratios) and the energy reduction against the 2016-era baseline
  reference building (-30 % residential / -20 % public, "building itself").
- ``ultra-low`` / ``nearly-zero``: GB/T 51350-2019 indicators for the use and zone.

Inputs: ``result`` is a ``SimulationResult`` (or a dict with its field names); ``context``
carries what the result does not: zone, use, storeys, the design parameters, WDH20/DDH28 and the
primary-energy breakdowns of the reference / existing buildings. Anything missing leaves the
indicator "not evaluated" (which counts as not passed) with a note saying what is needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.standards.indicators import ComplianceReport, Indicator
from ultralow.templates.standards.limits import EnvelopeLimits, envelope_limits
from ultralow.templates.standards.loader import IndicatorRow, SourcedValue, load_standard
from ultralow.templates.standards.saving import (
    EnergyBreakdown,
    PrimaryFactors,
    design_energy,
    equivalent_saving_rate,
    saving_rates,
)
from ultralow.templates.standards.zones import check_use, check_zone, is_northern, primary_zone

TARGETS: tuple[str, ...] = ("gb55015", "ultra-low", "nearly-zero")
TARGET_STANDARD = {"gb55015": "gb55015_2021", "ultra-low": "gbt51350_2019",
                   "nearly-zero": "gbt51350_2019"}
_WWR_PARAMS = {"north": ("wwr_north",), "east_west": ("wwr_east", "wwr_west"), "south": ("wwr_south",)}


@dataclass
class ComplianceContext:
    """What the checks need besides the simulation result.

    Energies are primary-energy breakdowns, kWh/(m2 a): ``baseline_energy`` of the 2016-era
    reference building (the saving-rate reference), ``gb55015_reference_energy`` of the
    GB 55015 reference building, ``existing_energy`` of the existing (vintage) building.
    ``design_energy_same_system``: the design's demand served by the reference system, for the
    GB 55015 trade-off comparison (same systems in both buildings).
    ``shape_coefficient_1_m`` defaults to the result's. ``wwr`` (-) picks the window band.
    """

    climate_zone: str
    building_use: str
    storeys: int
    parameters: Mapping[str, Any] = field(default_factory=dict)
    shape_coefficient_1_m: float | None = None
    wwr: float = 0.30
    thermal_inertia_d: float | None = None
    wdh20_kkh: float | None = None
    ddh28_kkh: float | None = None
    baseline_energy: EnergyBreakdown | None = None
    gb55015_reference_energy: EnergyBreakdown | None = None
    existing_energy: EnergyBreakdown | None = None
    design_energy_same_system: EnergyBreakdown | None = None
    factors: PrimaryFactors | None = None


def check_target(target: str) -> str:
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}; allowed: {', '.join(TARGETS)}")
    return target


def baseline_standard(zone: str, use: str) -> str:
    """Id of the 2016-era standard GB 55015's reduction refers to for ``use`` in ``zone``."""
    return load_standard("gb55015_2021").baselines[check_use(use)][primary_zone(zone)]


def _get(result: Any, name: str) -> float | None:
    value = result.get(name) if isinstance(result, Mapping) else getattr(result, name, None)
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _param(context: ComplianceContext, name: str) -> float | None:
    value = context.parameters.get(name)
    return None if value is None else float(value)


def _from(sv: SourcedValue | None) -> dict[str, Any]:
    if sv is None:
        return {"clause": "", "source": "", "verified": False}
    return {"clause": sv.clause, "source": sv.source, "verified": sv.verified}


def _envelope_indicators(result: Any, ctx: ComplianceContext, lim: EnvelopeLimits) -> list[Indicator]:
    out: list[Indicator] = []
    checks = (
        ("wall_u_w_m2k", "External wall U-value", "W/(m2 K)"),
        ("roof_u_w_m2k", "Roof U-value", "W/(m2 K)"),
        ("window_u_w_m2k", "Window U-value", "W/(m2 K)"),
        ("window_shgc", "Window SHGC", "-"),
        ("shape_coefficient_1_m", "Shape coefficient", "1/m"),
    )
    for name, label, unit in checks:
        limit_field = "shape_coefficient_max_1_m" if name == "shape_coefficient_1_m" else name
        limit = getattr(lim, limit_field)
        if limit is None:
            continue
        value = _get(result, name)
        note = "as reported by EnergyPlus" if value is not None else ""
        if value is None:
            value = ctx.shape_coefficient_1_m if name == "shape_coefficient_1_m" else _param(ctx, name)
            note = "design parameter" if value is not None else "not in the result or parameters"
        if limit_field in lim.beyond_table:
            note += "; beyond the table's last band, strictest band used"
        out.append(Indicator(name, label, value, limit, "<=", unit,
                             note=note, **_from(lim.sources.get(limit_field))))
    for orientation, names in _WWR_PARAMS.items():
        limit = lim.wwr_max.get(orientation)
        values = [_param(ctx, n) for n in names if _param(ctx, n) is not None]
        if limit is None or not values:
            continue
        out.append(Indicator(f"wwr_{orientation}", f"Window-to-wall ratio, {orientation.replace('_', '/')}",
                             max(values), limit, "<=", "-", note="design parameter",
                             **_from(lim.sources.get(f"wwr_max_{orientation}"))))
    return out


def _gb55015(result: Any, ctx: ComplianceContext, details: dict[str, Any]) -> list[Indicator]:
    shape = ctx.shape_coefficient_1_m or _get(result, "shape_coefficient_1_m") or 0.3
    lim = envelope_limits("gb55015_2021", ctx.climate_zone, ctx.building_use, ctx.storeys, shape,
                          ctx.wwr, ctx.thermal_inertia_d)
    details["envelope_limits"] = lim.as_dict()
    out = _envelope_indicators(result, ctx, lim)
    std = load_standard("gb55015_2021")
    reduction = std.value(f"energy_reduction_{ctx.building_use}")
    base_id = baseline_standard(ctx.climate_zone, ctx.building_use)
    design = details.get("_design")
    value, note = None, f"needs the {base_id} reference building's energy"
    if ctx.baseline_energy is not None and design is not None:
        value = saving_rates(design, ctx.baseline_energy).building_itself
        note = f"1 - E_design / E_reference, reference building per {base_id}, without PV"
    out.append(Indicator("saving_rate_vs_2016_baseline",
                         f"Energy reduction vs the 2016-era standard ({base_id})", value,
                         reduction.value, ">=", "-", reduction.clause, reduction.source,
                         reduction.verified, note))
    same = ctx.design_energy_same_system or design
    if ctx.gb55015_reference_energy is not None and same is not None:
        rate = saving_rates(same, ctx.gb55015_reference_energy).building_itself
        out.append(Indicator("saving_rate_vs_gb55015_reference",
                             "Energy vs the GB 55015 reference building (trade-off route)", rate, 0.0,
                             ">=", "-", "GB 55015-2021 §3.1 (performance trade-off)",
                             std.sources.get("recollection", ""), False,
                             "design energy must not exceed the reference building's (heating "
                             "and cooling demand served by the same reference system)"))
    return out


def _indicator_value(row: IndicatorRow, result: Any, ctx: ComplianceContext,
                     details: dict[str, Any]) -> tuple[float | None, str]:
    design: EnergyBreakdown | None = details.get("_design")
    if row.name in ("heating_demand_kwh_m2", "cooling_demand_kwh_m2", "primary_energy_kwh_m2"):
        value = _get(result, row.name)
        return value, "simulated" if value is not None else "not in the simulation result"
    if row.name in ("n50_ach", "hrv_efficiency"):
        value = _param(ctx, row.name)
        return value, "design parameter" if value is not None else "design parameter not given"
    if row.name == "renewable_share":
        if design is None or design.building_kwh_m2 <= 0:
            return None, "needs the design's energy breakdown"
        return design.pv_kwh_m2 / design.building_kwh_m2, "PV generation / building services (primary)"
    if row.name in ("saving_rate_overall", "saving_rate_building"):
        if design is None or ctx.baseline_energy is None:
            return None, "needs the 2016-era reference building's energy"
        rates = saving_rates(design, ctx.baseline_energy)
        if row.name == "saving_rate_overall":
            return rates.overall, "1 - E_design(with PV) / E_reference"
        return rates.building_itself, "1 - E_design(without PV) / E_reference"
    return None, f"ultralow cannot evaluate indicator {row.name!r}"


_LABELS = {
    "heating_demand_kwh_m2": "Annual heating demand",
    "cooling_demand_kwh_m2": "Annual cooling demand",
    "primary_energy_kwh_m2": "Primary energy (services - PV)",
    "n50_ach": "Airtightness n50",
    "hrv_efficiency": "Heat-recovery efficiency",
    "renewable_share": "Renewable share",
    "saving_rate_overall": "Saving rate, overall (with PV)",
    "saving_rate_building": "Saving rate, building itself",
}


def _gbt51350(target: str, result: Any, ctx: ComplianceContext,
              details: dict[str, Any]) -> list[Indicator]:
    std = load_standard("gbt51350_2019")
    out = []
    for row in std.indicators:
        if row.target != target or row.use != ctx.building_use or ctx.climate_zone not in row.zones:
            continue
        value, note = _indicator_value(row, result, ctx, details)
        try:
            limit = row.limit(ctx.wdh20_kkh, ctx.ddh28_kkh)
        except InputError as exc:
            limit, note = None, str(exc)
        if row.formula is not None:
            note = f"limit = {row.formula_text()}" + (
                f" with WDH20 = {ctx.wdh20_kkh:.2f}, DDH28 = {ctx.ddh28_kkh:.2f} kKh"
                if limit is not None else "") + f"; {note}"
        out.append(Indicator(row.name, _LABELS.get(row.name, row.name), value, limit,
                             row.comparison, row.unit, row.clause, row.source, row.verified,
                             (row.note + "; " if row.note else "") + note))
    return out


def evaluate(target: str, result: Any, context: ComplianceContext) -> ComplianceReport:
    """Check ``result`` against ``target`` (``gb55015``, ``ultra-low`` or ``nearly-zero``)."""
    check_target(target)
    check_zone(context.climate_zone)
    check_use(context.building_use)
    details: dict[str, Any] = {"baseline_standard": baseline_standard(context.climate_zone,
                                                                      context.building_use)}
    try:
        design = design_energy(result, context.factors)
    except InputError:
        design = None
    details["_design"] = design
    if target == "gb55015":
        indicators = _gb55015(result, context, details)
    else:
        indicators = _gbt51350(target, result, context, details)
    details.pop("_design")
    energies = {"design": design, "baseline_reference": context.baseline_energy,
                "gb55015_reference": context.gb55015_reference_energy,
                "existing": context.existing_energy}
    details["energy_kwh_m2_primary"] = {k: v.to_dict() for k, v in energies.items() if v is not None}
    if design is not None:
        if context.baseline_energy is not None:
            rates = saving_rates(design, context.baseline_energy)
            base = load_standard(details["baseline_standard"])
            details["saving_vs_baseline"] = {"overall": rates.overall,
                                             "building_itself": rates.building_itself}
            if "saving_rate_vs_1980s" in base.values:
                b = base.value("saving_rate_vs_1980s").value
                details["equivalent_saving_vs_1980s"] = {
                    "overall": equivalent_saving_rate(rates.overall, b),
                    "building_itself": equivalent_saving_rate(rates.building_itself, b),
                    "baseline_saving_rate": b,
                }
        if context.existing_energy is not None:
            rates = saving_rates(design, context.existing_energy)
            details["saving_vs_existing"] = {"overall": rates.overall,
                                             "building_itself": rates.building_itself}
    if context.wdh20_kkh is not None:
        details["climate_indices"] = {"wdh20_kkh": context.wdh20_kkh, "ddh28_kkh": context.ddh28_kkh}
    details["northern_zone"] = is_northern(context.climate_zone)
    return ComplianceReport(target, TARGET_STANDARD[target], context.climate_zone,
                            context.building_use, indicators, details)
