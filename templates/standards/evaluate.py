"""Evaluate a simulated design against a target and return a :class:`ComplianceReport`.

Targets:
- ``gb55015``: GB 55015-2021 prescriptive envelope limits (wall/roof U, window U and SHGC, shape
  coefficient, window-to-wall ratios) and the energy reduction against the 2016-era baseline
  reference building (-30 % residential / -20 % public, "building itself").
- ``ultra-low`` / ``nearly-zero``: GB/T 51350-2019 indicators for the use and zone.
- ``retrofit``: the energy-retrofit rules of ``data/retrofit_rules.toml``
  (:mod:`~ultralow.templates.standards.retrofit`): each retrofitted envelope element meets the
  limit of its rule's standard, energy saving against the existing building and static payback
  where a rule sets them. Needs ``existing_parameters`` (which elements were retrofitted),
  ``existing_energy`` and ``simple_payback_years`` in the context.

Inputs: ``result`` is a ``SimulationResult`` (or a dict with its field names); ``context``
carries what the result does not: zone, use, storeys, the design parameters, WDH20/DDH28 and the
primary-energy breakdowns of the reference / existing buildings. Anything missing leaves the
indicator "not evaluated" (which counts as not passed) with a note saying what is needed.

Area basis: every ``*_kwh_m2`` result field is per m2 of CONDITIONED (gross) floor area. A per-m2
indicator whose ``area_basis`` is ``"usable"`` (套内使用面积, GB/T 51350 residential) is compared
as value x conditioned_floor_area_m2 / usable_floor_area_m2 (:func:`to_area_basis`); a result
without ``usable_floor_area_m2`` leaves it not evaluated.

GB/T 51350 targets also get the §6.1 recommended envelope values as ``kind = "recommended"``
indicators (informative: not in ``report.passed``, not constraints; use ``report.requirements``
for constraints). The report states the calculation profile (``details["calculation_profile"]``),
whether it is only ``indicative`` (and why), and plausibility warnings
(:func:`~ultralow.templates.standards.plausibility.plausibility_warnings`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.profiles import CalculationProfile
from ultralow.templates.standards.indicators import RECOMMENDED, ComplianceReport, Indicator
from ultralow.templates.standards.limits import EnvelopeLimits, envelope_limits
from ultralow.templates.standards.loader import IndicatorRow, RecommendationRow, SourcedValue, load_standard
from ultralow.templates.standards.retrofit import (
    BASELINE,
    ELEMENTS,
    RetrofitRule,
    load_retrofit_rules,
    retrofitted_elements,
)
from ultralow.templates.standards.saving import (
    EnergyBreakdown,
    PrimaryFactors,
    design_energy,
    equivalent_saving_rate,
    saving_rates,
)
from ultralow.templates.standards.zones import check_use, check_zone, is_northern, primary_zone

TARGETS: tuple[str, ...] = ("gb55015", "ultra-low", "nearly-zero", "retrofit")
TARGET_STANDARD = {"gb55015": "gb55015_2021", "ultra-low": "gbt51350_2019",
                   "nearly-zero": "gbt51350_2019", "retrofit": "retrofit_rules"}
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
    ``profile``: the calculation profile the target is calculated with (None: not stated, which
    makes the report indicative). ``weather_synthetic``: True for a synthetic weather file, False
    for a measured/typical-year file (CSWD, CTYW), None when unknown (indicative).
    ``measured_degree_hours``: (year, WDH20, DDH28 in kKh) of the city's measured years; a
    weather-dependent limit is then also given on each of them (its year-to-year spread).
    ``existing_parameters``: the existing building's envelope (after any ``existing_*``
    overrides): ``wall_u_w_m2k``, ``roof_u_w_m2k``, ``floor_u_w_m2k``, ``window_u_w_m2k``,
    ``window_shgc`` (n50 etc. may be present); the retrofit target compares the design with it
    to tell which elements were retrofitted (None: unknown, every element is treated as
    retrofitted). ``simple_payback_years``: the retrofit's static payback, investment / annual
    energy-cost saving (years; ``math.inf`` when nothing is saved). ``operation``: why the
    design's operating conditions are not the standard's (a model file keeps its own; with
    ``profile`` None), which makes the report indicative.
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
    profile: CalculationProfile | None = None
    weather_synthetic: bool | None = None
    measured_degree_hours: tuple[tuple[int, float, float], ...] = ()
    existing_parameters: Mapping[str, Any] | None = None
    simple_payback_years: float | None = None
    operation: str | None = None


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


def _text(result: Any, name: str) -> str | None:
    value = result.get(name) if isinstance(result, Mapping) else getattr(result, name, None)
    return None if value is None else str(value)


def _param(context: ComplianceContext, name: str) -> float | None:
    value = context.parameters.get(name)
    return None if value is None else float(value)


USABLE_BASIS_TEXT = "per m2 of usable floor area (套内使用面积)"
CONDITIONED_BASIS_TEXT = "per m2 of conditioned (gross) floor area"


def to_area_basis(value_per_conditioned_m2: float | None, result: Any, area_basis: str) -> tuple[float | None, str]:
    """Express a result value per m2 of conditioned floor area on ``area_basis``; (value, note).

    ``"conditioned"``: unchanged. ``"usable"``: value x conditioned_floor_area_m2 /
    usable_floor_area_m2 (both m2, from the result); None (not evaluated) when the result lacks
    either area. The note states the basis and the areas, e.g. "per m2 of usable floor area
    (套内使用面积), 4320 m2 conditioned x 0.75 = 3240 m2".
    """
    conditioned_m2 = _get(result, "conditioned_floor_area_m2")
    if area_basis == "conditioned":
        area = f", {conditioned_m2:.0f} m2" if conditioned_m2 else ""
        return value_per_conditioned_m2, f"{CONDITIONED_BASIS_TEXT}{area}"
    if area_basis != "usable":
        raise InputError(f"unknown area basis {area_basis!r}; allowed: usable, conditioned")
    usable_m2 = _get(result, "usable_floor_area_m2")
    if usable_m2 is None or usable_m2 <= 0 or conditioned_m2 is None or conditioned_m2 <= 0:
        missing = "usable_floor_area_m2" if usable_m2 is None or usable_m2 <= 0 else "conditioned_floor_area_m2"
        return None, (f"not evaluated: the limit is {USABLE_BASIS_TEXT} but the result has no {missing} "
                      "(a record from before the usable area was reported; re-simulate)")
    note = (f"{USABLE_BASIS_TEXT}, {conditioned_m2:.0f} m2 conditioned x {usable_m2 / conditioned_m2:.3g} "
            f"= {usable_m2:.0f} m2")
    if value_per_conditioned_m2 is None:
        return None, note
    note += f"; simulated {value_per_conditioned_m2:.4g} per conditioned m2 x {conditioned_m2 / usable_m2:.4g}"
    return value_per_conditioned_m2 * conditioned_m2 / usable_m2, note


def _from(sv: SourcedValue | None) -> dict[str, Any]:
    if sv is None:
        return {"clause": "", "source": "", "verified": False}
    return {"clause": sv.clause, "source": sv.source, "verified": sv.verified}


#: Product properties a prescriptive limit is compared with as declared (the window's rated U and
#: SHGC), not as EnergyPlus reports them back (2.001 for a declared 2.0 would fail a 2.0 limit).
DECLARED_PROPERTIES = ("window_u_w_m2k", "window_shgc")
#: Decimals the standards state their envelope limits with (0.35 W/(m2 K), 0.45): a simulated
#: value is compared after rounding to them.
ENVELOPE_DECIMALS = 2


def _envelope_value(result: Any, ctx: ComplianceContext, name: str) -> tuple[float | None, str]:
    """An envelope property (U, SHGC, shape coefficient); (value, note). Window U and SHGC: the
    design's declared value (EnergyPlus's reported one in the note); opaque U-values: EnergyPlus's
    reported average (thermal bridges included, the quantity GB 55015 limits), rounded to
    :data:`ENVELOPE_DECIMALS`; else the design's parameter or the context's shape coefficient."""
    reported = _get(result, name)
    declared = _param(ctx, name)
    if name in DECLARED_PROPERTIES and declared is not None:
        extra = f" (EnergyPlus reports {reported:.4g})" if reported is not None else ""
        return declared, f"declared design value{extra}"
    if reported is not None:
        return round(reported, ENVELOPE_DECIMALS), (f"as reported by EnergyPlus ({reported:.4g}), rounded to "
                                                    f"{ENVELOPE_DECIMALS} decimals as the standard states its limits")
    value = ctx.shape_coefficient_1_m if name == "shape_coefficient_1_m" else declared
    return value, "design parameter" if value is not None else "not in the result or parameters"


#: Properties of the design itself (not of its energy) a limit can be set on in any target:
#: name -> (label, unit, the comparison a limit on it uses). Values: :func:`design_property`.
DESIGN_PROPERTIES: dict[str, tuple[str, str, str]] = {
    "wall_u_w_m2k": ("External wall U-value", "W/(m2 K)", "<="),
    "roof_u_w_m2k": ("Roof U-value", "W/(m2 K)", "<="),
    "window_u_w_m2k": ("Window U-value", "W/(m2 K)", "<="),
    "window_shgc": ("Window SHGC", "-", "<="),
    "shape_coefficient_1_m": ("Shape coefficient", "1/m", "<="),
    "n50_ach": ("Airtightness n50", "1/h", "<="),
    "hrv_efficiency": ("Heat-recovery efficiency", "-", ">="),
}


def design_property(name: str, result: Any, ctx: ComplianceContext) -> tuple[float | None, str]:
    """A design property of :data:`DESIGN_PROPERTIES`, (value, note), compared as a standard
    states its prescriptive limits: envelope U-values as EnergyPlus reports them (thermal bridges
    included) rounded to :data:`ENVELOPE_DECIMALS`, window U/SHGC, n50 and heat-recovery
    efficiency as declared by the design (:func:`_envelope_value`)."""
    if name not in DESIGN_PROPERTIES:
        raise InputError(f"{name!r} is not a design property; allowed: {', '.join(DESIGN_PROPERTIES)}")
    if name in ("n50_ach", "hrv_efficiency"):
        value = _param(ctx, name)
        return value, "declared design value" if value is not None else "design parameter not given"
    return _envelope_value(result, ctx, name)


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
        value, note = _envelope_value(result, ctx, name)
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
        raw = _get(result, row.name)
        if raw is None:
            return None, "not evaluated: not in the simulation result"
        if row.area_basis is None:
            return raw, f"simulated, {CONDITIONED_BASIS_TEXT}"
        value, note = to_area_basis(raw, result, row.area_basis)
        parts = _demand_parts(row.name, result)
        return value, (f"simulated, {note}" if value is not None else note) + (f"; {parts}" if parts else "")
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


def _demand_parts(name: str, result: Any) -> str:
    """The components of a demand result, per conditioned m2 (sensible/latent, frost preheat)."""
    if name == "cooling_demand_kwh_m2":
        sensible, latent = _get(result, "cooling_sensible_kwh_m2"), _get(result, "cooling_latent_kwh_m2")
        if sensible is not None and latent is not None:
            return f"sensible {sensible:.3g} + latent {latent:.3g} kWh per conditioned m2"
    if name == "heating_demand_kwh_m2":
        frost = _get(result, "frost_protection_heating_kwh_m2")
        if frost is not None:
            return f"incl. HRV frost-protection preheat {frost:.3g} kWh per conditioned m2"
    return ""


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
            spread = _limit_spread(row, ctx)
            if spread is not None:
                details.setdefault("limit_on_measured_years", {})[row.name] = spread
                note += (f"; on the city's measured years {spread['years'][0]}-{spread['years'][-1]} "
                         f"(n = {spread['n_years']}) the limit would be {spread['min']:.1f}-{spread['max']:.1f} "
                         f"(mean {spread['mean']:.1f} +/- {spread['sd']:.1f})")
        out.append(Indicator(row.name, _LABELS.get(row.name, row.name), value, limit,
                             row.comparison, row.unit, row.clause, row.source, row.verified,
                             (row.note + "; " if row.note else "") + note, area_basis=row.area_basis or ""))
    out += [_recommended(row, result, ctx) for row in std.recommendations
            if row.use == ctx.building_use and ctx.climate_zone in row.zones]
    return out


def _limit_spread(row: Any, ctx: ComplianceContext) -> dict[str, Any] | None:
    """A weather-dependent limit on each of the city's measured years: their years, min, max,
    mean and sample standard deviation (the limit's unit); None without measured years."""
    if row.formula is None or not ctx.measured_degree_hours:
        return None
    from ultralow.weather.reference import Spread

    limits = [row.limit(w, d) for _, w, d in ctx.measured_degree_hours]
    return {"years": [y for y, _, _ in ctx.measured_degree_hours], **Spread.of(limits).to_dict()}


_RETROFIT_LABELS = {
    "wall_u_w_m2k": "External wall U-value", "roof_u_w_m2k": "Roof U-value",
    "floor_u_w_m2k": "Floor U-value", "window_u_w_m2k": "Window U-value", "window_shgc": "Window SHGC",
}
_RETROFIT_UNITS = {"window_shgc": "-"}


def _existing_value(ctx: ComplianceContext, name: str) -> float | None:
    value = None if ctx.existing_parameters is None else ctx.existing_parameters.get(name)
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _retrofit_element(rule: RetrofitRule, indicator: str, name: str, limit: float | None, limit_note: str,
                      state: bool | None, result: Any, ctx: ComplianceContext,
                      limit_source: dict[str, Any], tolerance: float) -> Indicator:
    """Indicator ``indicator`` for quantity ``name`` of an element: a retrofitted (or unknown)
    element is checked against ``limit``; an element kept as it was against its existing value
    (value <= existing x (1 + ``tolerance``): it passes)."""
    value, note = _envelope_value(result, ctx, name)
    before = _existing_value(ctx, name)
    unit = _RETROFIT_UNITS.get(name, "W/(m2 K)")
    label = f"{_RETROFIT_LABELS[name]} of a retrofitted element ({rule.name})"
    provenance = {"clause": rule.clause, "source": rule.source, "verified": rule.verified}
    if state is False:
        kept = before * (1.0 + tolerance)
        note = (f"{ELEMENTS[name]} not retrofitted (design {value:.3g} = existing {before:.3g} {unit} within "
                f"{tolerance:.0%}): the rule applies to retrofitted elements only; checked against the existing "
                f"value x (1 + {tolerance:g}); {note}")
        return Indicator(indicator, label, value, kept, "<=", unit, note=note, **provenance)
    if state:
        head = f"{ELEMENTS[name]} retrofitted (existing {before:.3g} {unit})"
    elif before is None:
        head = f"{ELEMENTS[name]}: existing value unknown (existing_parameters), treated as retrofitted"
    else:
        head = f"{ELEMENTS[name]}: design value unknown, cannot tell whether it was retrofitted"
    text = f"{head}; {limit_note}; {note}" + (f"; {rule.note}" if rule.note else "")
    if limit_source:  # the limit's own provenance joins the rule's
        provenance = {"clause": f"{rule.clause}; limit: {limit_source['clause']}",
                      "source": f"{rule.source}; limit: {limit_source['source']}",
                      "verified": rule.verified and limit_source["verified"]}
    return Indicator(indicator, label, value, limit, "<=", unit, note=text, **provenance)


def _retrofit(result: Any, ctx: ComplianceContext, details: dict[str, Any]) -> list[Indicator]:
    """Indicators of the ``retrofit`` target (rules of ``retrofit_rules.toml`` for the zone/use)."""
    rules = load_retrofit_rules()
    design_values = {name: _envelope_value(result, ctx, name)[0] for name in ELEMENTS}
    states = retrofitted_elements(design_values, ctx.existing_parameters, rules.tolerance)
    details["retrofit"] = {"rules": rules.id, "rules_file": rules.path, "tolerance": rules.tolerance,
                           "retrofitted_elements": states,
                           "existing_parameters": None if ctx.existing_parameters is None
                           else dict(ctx.existing_parameters)}
    shape = ctx.shape_coefficient_1_m or _get(result, "shape_coefficient_1_m") or 0.3
    design: EnergyBreakdown | None = details.get("_design")
    out: list[Indicator] = []
    for rule in rules.for_building(ctx.climate_zone, ctx.building_use):
        provenance = {"clause": rule.clause, "source": rule.source, "verified": rule.verified}
        if rule.kind == "element_limit":
            standard = (baseline_standard(ctx.climate_zone, ctx.building_use) if rule.standard == BASELINE
                        else rule.standard)
            lim = envelope_limits(standard, ctx.climate_zone, ctx.building_use, ctx.storeys, shape, ctx.wwr,
                                  ctx.thermal_inertia_d)
            details["retrofit"].setdefault("envelope_limits", {})[standard] = lim.as_dict()
            for name in rule.elements:
                limit = getattr(lim, name)
                if limit is None:
                    continue  # the standard sets no limit for this element here
                limit_note = f"limit of {standard}" + (
                    "; beyond the table's last band, strictest band used" if name in lim.beyond_table else "")
                out.append(_retrofit_element(rule, f"{rule.name}_{name}", name, limit, limit_note,
                                             states[ELEMENTS[name]], result, ctx, _from(lim.sources.get(name)),
                                             rules.tolerance))
        elif rule.kind == "element_improvement":
            name = rule.elements[0]
            before = _existing_value(ctx, name)
            limit = rule.improvement_limit(before)
            limit_note = f"limit = max({rule.value:g}, (1 - {rule.reduction:g}) x existing " + (
                f"{before:.3g}) = {limit:.3g}" if before is not None else f"?) = {limit:g} (existing value unknown)")
            out.append(_retrofit_element(rule, rule.name, name, limit, limit_note, states[ELEMENTS[name]],
                                         result, ctx, {}, rules.tolerance))
        elif rule.kind == "saving_vs_existing":
            value, note = None, "not evaluated: needs the existing building's energy (existing_energy)"
            if design is None:
                note = "not evaluated: needs the design's energy breakdown"
            elif ctx.existing_energy is not None:
                rates = saving_rates(design, ctx.existing_energy)
                value = rates.building_itself if rule.basis == "building_itself" else rates.overall
                note = ("1 - E_design / E_existing, primary energy, "
                        + ("without PV (building itself)" if rule.basis == "building_itself" else "with PV"))
            out.append(Indicator(rule.name, "Energy saving vs the existing building", value, rule.value, ">=",
                                 "-", note=note + (f"; {rule.note}" if rule.note else ""), **provenance))
        else:  # simple_payback
            value = ctx.simple_payback_years
            note = ("static payback: investment / annual energy-cost saving" if value is not None else
                    "not evaluated: needs the retrofit's simple payback (simple_payback_years, from costs)")
            out.append(Indicator(rule.name, "Static payback of the retrofit", value, rule.value, "<=", "a",
                                 note=note + (f"; {rule.note}" if rule.note else ""), **provenance))
    return out


SHADE_SECONDARY_GAIN = 0.05  # heat a sun-warmed external shade passes on, fraction of incident solar (assumption)
_RECOMMENDED_LABELS = {
    "wall_u_w_m2k": "Recommended external wall U",
    "roof_u_w_m2k": "Recommended roof U",
    "floor_u_w_m2k": "Recommended ground/overhanging floor U",
    "window_u_w_m2k": "Recommended window U",
    "window_shgc_winter": "Recommended window SHGC, winter",
    "window_shgc_summer": "Recommended window SHGC, summer",
}




def summer_shgc(window_shgc: float, external_shading: str | None,
                shade_solar_transmittance: float | None) -> tuple[float | None, str]:
    """Summer SHGC (-) of a window with its external shade down; (value, note).

    Approximation: SHGC_summer = SHGC x (tau_shade + 0.05), capped at SHGC, where tau_shade is the
    shade's solar transmittance and 0.05 stands for the heat the sun-warmed shade passes on to the
    window. Without movable/seasonal shading (``external_shading`` "none" or absent) the glazing
    SHGC applies all summer.
    """
    if external_shading in (None, "none"):
        given = "external_shading = none" if external_shading else "external_shading not given (no shading assumed)"
        return window_shgc, f"{given}: the glazing SHGC applies in summer"
    if shade_solar_transmittance is None:
        return None, (f"not evaluated: external_shading = {external_shading} but "
                      "external_shade_solar_transmittance is not given")
    value = min(window_shgc, window_shgc * (shade_solar_transmittance + SHADE_SECONDARY_GAIN))
    return value, (f"estimated with the external shade down ({external_shading}): SHGC x (tau_shade + "
                   f"{SHADE_SECONDARY_GAIN:g}) = {window_shgc:.3g} x ({shade_solar_transmittance:.3g} + "
                   f"{SHADE_SECONDARY_GAIN:g}), capped at the glazing SHGC; approximation: the shade's "
                   f"solar transmittance plus {SHADE_SECONDARY_GAIN:g} for the heat the warm shade passes on")


def _recommended(row: RecommendationRow, result: Any, ctx: ComplianceContext) -> Indicator:
    """One informative recommended-value check (``kind = "recommended"``, not counted)."""
    quantity = "window_shgc" if row.quantity.startswith("window_shgc") else row.quantity
    value, note = _envelope_value(result, ctx, quantity)
    if value is None:
        note = f"not evaluated: {quantity} {note}"
    elif row.quantity == "window_shgc_winter":
        note = f"{note}; winter: glazing SHGC, shades up"
    elif row.quantity == "window_shgc_summer":
        shading = ctx.parameters.get("external_shading")
        shgc, source_note = value, note
        value, shade_note = summer_shgc(shgc, None if shading is None else str(shading),
                                        _param(ctx, "external_shade_solar_transmittance"))
        note = f"glazing SHGC {shgc:.3g} ({source_note}); {shade_note}"
    if row.range_min is not None:
        check = "value <= upper end" if row.comparison == "<=" else "value >= lower end"
        head = f"recommended range {row.range_text()} {row.unit}; check: {check}"
    else:
        head = f"recommended {row.range_text()}"
    note = f"{head}; informative, not counted in pass/fail; {note}" + (f"; {row.note}" if row.note else "")
    return Indicator(row.name, f"{_RECOMMENDED_LABELS[row.quantity]} ({row.range_text()})", value, row.limit,
                     row.comparison, row.unit, row.clause, row.source, row.verified, note, kind=RECOMMENDED)


def evaluate(target: str, result: Any, context: ComplianceContext) -> ComplianceReport:
    """Check ``result`` against ``target`` (one of :data:`TARGETS`)."""
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
    elif target == "retrofit":
        indicators = _retrofit(result, context, details)
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
    details["floor_area"] = {"conditioned_floor_area_m2": _get(result, "conditioned_floor_area_m2"),
                             "usable_floor_area_m2": _get(result, "usable_floor_area_m2"),
                             "usable_floor_area_ratio": context.parameters.get("usable_floor_area_ratio")}
    details["calculation_profile"] = context.profile.summary() if context.profile is not None else None
    report = ComplianceReport(target, TARGET_STANDARD[target], context.climate_zone,
                              context.building_use, indicators, details)
    report.calculation_warnings = calculation_warnings(result, context)
    report.indicative_reasons = indicative_reasons(report, context)
    report.indicative = bool(report.indicative_reasons)
    from ultralow.templates.standards.plausibility import plausibility_warnings  # imports this module

    report.warnings = plausibility_warnings(result, context)
    return report


def calculation_warnings(result: Any, context: ComplianceContext) -> list[str]:
    """Warnings about how the result was calculated: its ``calculation_profile`` differs from
    (or does not state) the profile of the target (``context.profile``)."""
    if context.profile is None:
        return []
    simulated = _text(result, "calculation_profile")
    if simulated is None:
        return [f"the result does not record its calculation profile (an older record): it cannot be "
                f"confirmed that the design was simulated with the target's profile '{context.profile.id}'"]
    if simulated != context.profile.id:
        return [f"the design was simulated with calculation profile '{simulated}', not the target's "
                f"'{context.profile.id}': the demand indicators do not follow the target's calculation"]
    return []


def indicative_reasons(report: ComplianceReport, context: ComplianceContext) -> list[str]:
    """Why ``report`` is only indicative (empty: a compliance statement): unverified requirement
    limits, an unverified or missing calculation profile, synthetic or unstated weather, a design
    not simulated with the target's profile."""
    reasons = []
    unverified = sorted({i.name for i in report.requirements if not i.verified})
    if unverified:
        reasons.append(f"unverified limits (verified = false): {', '.join(unverified)}")
    if context.operation is not None:
        reasons.append(context.operation)
    elif context.profile is None:
        reasons.append("no calculation profile given (the calculation's operating assumptions are not stated)")
    elif not context.profile.verified:
        reasons.append(f"calculation profile '{context.profile.id}' is unverified")
    if context.weather_synthetic is None:
        reasons.append("weather provenance not stated (synthetic weather not excluded)")
    elif context.weather_synthetic:
        reasons.append("synthetic weather (not a CSWD/CTYW file)")
    if report.calculation_warnings:
        reasons.append("design not shown to be simulated with the target's calculation profile")
    return reasons
