"""Proposals as sets of limits ("variants") and whether a simulated design complies with one.

A **variant** is a compliance target of :mod:`ultralow.templates.standards` (``gb55015``,
``ultra-low``, ``nearly-zero``) with a set of limits on top, e.g. "ultra-low + wall U <= 0.15 +
window U <= 1.0", applied in its ``zones`` (primary zones such as ``severe_cold`` or sub-zones;
empty = everywhere). A limit either *replaces* the standard's limit of an indicator of the target
(``heating_demand_kwh_m2 <= 12``) or *adds* a limit on a design property the target does not
limit (:data:`~ultralow.templates.standards.evaluate.DESIGN_PROPERTIES`: U-values, SHGC, shape
coefficient, n50, heat-recovery efficiency). Outside its zones a variant is the target as the
standard states it.

A design **complies** with a variant when every requirement of the target passes (the standards'
own :attr:`~ultralow.templates.standards.Indicator.passed` rule) with the variant's limits
replacing the standard's, and every added limit passes. Limits are compared as the standard
states them (:func:`~ultralow.templates.standards.evaluate.design_property`): window U and SHGC,
n50 and heat recovery as declared by the design, opaque U-values as EnergyPlus reports them
rounded to the standard's two decimals, energy indicators as simulated.

Per design the sweep stores the columns this module reads (:func:`design_columns`):
``ind|<target>|<indicator>|value|limit|cmp`` for every studied target and ``prop|<property>``
for every design property. :func:`violation` gives the search (:mod:`ultralow.optimise.cheapest`)
its constraint in pymoo form: the largest relative shortfall of any limit, <= 0 when complying.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.standards import TARGETS, ComplianceReport, Indicator
from ultralow.templates.standards.evaluate import DESIGN_PROPERTIES, TARGET_STANDARD
from ultralow.templates.standards.indicators import INFEASIBLE_G
from ultralow.templates.standards.zones import PRIMARY_ZONES, ZONES, primary_zone

VARIANT_KEYS = ("name", "target", "standard", "limits", "zones")
STUDY_TARGETS = tuple(t for t in TARGETS if t != "retrofit")  # a retrofit's rules are per existing building


@dataclass(frozen=True)
class Limit:
    """``indicator comparison value`` (value in the indicator's unit)."""

    indicator: str
    comparison: str
    value: float

    @property
    def text(self) -> str:
        return f"{self.indicator} {self.comparison} {self.value:g}"


@dataclass(frozen=True)
class Variant:
    """A named proposal: ``target`` with ``limits`` in ``zones``; ``study`` groups the variants
    compared side by side (tightening steps in the order given); ``threshold`` is the studied
    value when the variant comes from a one-indicator threshold study."""

    name: str
    target: str
    limits: tuple[Limit, ...] = ()
    zones: tuple[str, ...] = ()
    study: str = ""
    threshold: float | None = None

    def applies(self, climate_zone: str) -> bool:
        """True when the variant's limits replace/add to the standard's in ``climate_zone``."""
        return not self.zones or climate_zone in self.zones or primary_zone(climate_zone) in self.zones

    @property
    def description(self) -> str:
        """``"ultra-low + wall_u_w_m2k <= 0.15 + window_u_w_m2k <= 1"`` (zones appended)."""
        text = " + ".join([self.target, *(limit.text for limit in self.limits)])
        return text + (f" (in {', '.join(self.zones)})" if self.zones and self.limits else "")


def _check_zones(where: str, zones: Any) -> tuple[str, ...]:
    zones = [zones] if isinstance(zones, str) else zones
    if not isinstance(zones, list):
        raise InputError(f"spec: {where}.zones must be a list of climate zones, got {zones!r}")
    for z in zones:
        if z not in ZONES and z not in PRIMARY_ZONES:
            raise InputError(f"spec: {where}.zones: {z!r} is not a climate zone; allowed: "
                             f"{', '.join(PRIMARY_ZONES + ZONES)}")
    return tuple(zones)


def parse_target(raw: Mapping[str, Any], where: str) -> str:
    """``target = "..."``, or ``standard = "gb55015_2021"`` when the standard has one target."""
    target = raw.get("target")
    if target is None and "standard" in raw:
        matches = [t for t, s in TARGET_STANDARD.items() if s == raw["standard"]]
        if len(matches) != 1:
            raise InputError(f"spec: {where}.standard = {raw['standard']!r} does not name one target; give "
                             f"target = one of {', '.join(STUDY_TARGETS)}")
        target = matches[0]
    if target not in STUDY_TARGETS:
        raise InputError(f"spec: {where}.target = {target!r} is not allowed; allowed: {', '.join(STUDY_TARGETS)}")
    return str(target)


def _limit(where: str, indicator: Any, raw: Any) -> Limit:
    """``wall_u_w_m2k = 0.15`` (the indicator's own comparison) or ``= "<= 0.15"`` / ``">= 0.8"``."""
    comparison = None
    if isinstance(raw, str):
        text = raw.strip()
        comparison, _, number = text.partition(" ")
        if comparison not in ("<=", ">="):
            raise InputError(f"spec: {where}.{indicator} = {raw!r} must be a number or \"<= x\" / \">= x\"")
        raw = number
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"spec: {where}.{indicator} = {raw!r} must be a finite number (the indicator's unit)")
    if comparison is None:
        comparison = DESIGN_PROPERTIES[indicator][2] if indicator in DESIGN_PROPERTIES else ""
    return Limit(str(indicator), comparison, value)


def parse_variant(raw: Mapping[str, Any], index: int = 0, study: str = "variants") -> Variant:
    """A variant from its TOML table (``[[variant]]``: name, target or standard, limits = {...},
    zones); InputError names the key and the allowed values. A limit without a comparison takes
    the indicator's own (resolved per site by :func:`check_variant` for the target's indicators)."""
    where = f"variant[{index}]"
    if not isinstance(raw, Mapping):
        raise InputError(f"spec: {where} must be a table")
    for key in raw:
        if key not in VARIANT_KEYS:
            raise InputError(f"spec: unknown key {where}.{key!r}; allowed: {', '.join(VARIANT_KEYS)}")
    target = parse_target(raw, where)
    limits_raw = raw.get("limits", {})
    if not isinstance(limits_raw, Mapping):
        raise InputError(f"spec: {where}.limits must be a table, e.g. {{ wall_u_w_m2k = 0.15 }}")
    limits = tuple(_limit(f"{where}.limits", k, v) for k, v in limits_raw.items())
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"spec: {where} needs name = \"...\" (it names the variant in every table)")
    return Variant(name.strip(), target, limits, _check_zones(where, raw.get("zones", [])), study)


def check_variant(variant: Variant, target_indicators: Mapping[str, str]) -> Variant:
    """The variant with each limit's comparison resolved, checked against the indicators the
    target has at a site (``name -> comparison``); InputError names the limit and what is allowed."""
    limits = []
    for limit in variant.limits:
        if limit.indicator in target_indicators:
            own = target_indicators[limit.indicator]
        elif limit.indicator in DESIGN_PROPERTIES:
            own = DESIGN_PROPERTIES[limit.indicator][2]
        else:
            allowed = sorted(set(target_indicators) | set(DESIGN_PROPERTIES))
            raise InputError(f"spec: variant {variant.name!r}: {limit.indicator!r} is neither an indicator of "
                             f"target {variant.target!r} here nor a design property; allowed: {', '.join(allowed)}")
        limits.append(Limit(limit.indicator, limit.comparison or own, limit.value))
    return Variant(variant.name, variant.target, tuple(limits), variant.zones, variant.study, variant.threshold)


# --- per-design columns ---------------------------------------------------------------------------

def column(target: str, indicator: str, part: str) -> str:
    """Name of an indicator column: ``part`` is ``value``, ``limit`` or ``cmp``."""
    return f"ind|{target}|{indicator}|{part}"


def property_column(name: str) -> str:
    """Name of a design-property column (:data:`DESIGN_PROPERTIES`)."""
    return f"prop|{name}"


def design_columns(reports: Sequence[ComplianceReport], properties: Mapping[str, float | None]) -> dict[str, Any]:
    """Flat columns of one design: every requirement of every report, and its design properties."""
    out: dict[str, Any] = {}
    for report in reports:
        for ind in report.requirements:
            out[column(report.target, ind.name, "value")] = ind.value
            out[column(report.target, ind.name, "limit")] = ind.limit
            out[column(report.target, ind.name, "cmp")] = ind.comparison
    out.update({property_column(name): value for name, value in properties.items()})
    return out


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def target_indicator_names(columns: Sequence[str], target: str) -> list[str]:
    """Indicator names of ``target`` among column names."""
    prefix = f"ind|{target}|"
    return sorted({c[len(prefix):].rsplit("|", 1)[0] for c in columns if c.startswith(prefix)})


def variant_indicators(row: Mapping[str, Any], variant: Variant, names: Sequence[str] | None = None) -> list[Indicator]:
    """The indicators one design is judged on for ``variant``: the target's requirements (from the
    row's columns; ``names`` = the target's indicator names, default from the row), limits replaced
    where the variant applies in the row's ``climate_zone``, then the variant's added limits on
    design properties. Empty when the design has no indicator of the target (failed simulation)."""
    names = target_indicator_names(list(row), variant.target) if names is None else names
    applies = variant.applies(str(row.get("climate_zone")))
    replaced = {limit.indicator: limit for limit in variant.limits} if applies else {}
    out = []
    for name in names:
        cmp_ = row.get(column(variant.target, name, "cmp"))
        if not isinstance(cmp_, str):
            continue
        value = _number(row.get(column(variant.target, name, "value")))
        limit, comparison = _number(row.get(column(variant.target, name, "limit"))), cmp_
        if name in replaced:
            new = replaced.pop(name)
            limit, comparison = new.value, new.comparison or cmp_
        out.append(Indicator(name, name, value, limit, comparison, "", "", "", False))
    if not out:
        return []
    for limit in replaced.values():  # added limits: design properties the target does not limit
        value = _number(row.get(property_column(limit.indicator)))
        out.append(Indicator(limit.indicator, limit.indicator, value, limit.value, limit.comparison, "", "", "", False))
    return out


def complies(row: Mapping[str, Any], variant: Variant, names: Sequence[str] | None = None) -> bool:
    """True when the design passes every indicator of :func:`variant_indicators` (an indicator
    that could not be evaluated fails)."""
    indicators = variant_indicators(row, variant, names)
    return bool(indicators) and all(ind.passed is True for ind in indicators)


def violation(row: Mapping[str, Any], variant: Variant, names: Sequence[str] | None = None) -> float:
    """The search's constraint (pymoo form, <= 0 complies): the largest ``g`` (negative relative
    margin) of the variant's indicators; :data:`INFEASIBLE_G` when one cannot be evaluated."""
    indicators = variant_indicators(row, variant, names)
    if not indicators:
        return INFEASIBLE_G
    worst = max(ind.g() for ind in indicators)
    # the standards' pass rule tolerates 1e-9 of the limit: a design at the limit complies
    return min(worst, 0.0) if all(ind.passed is True for ind in indicators) else max(worst, 1e-12)
