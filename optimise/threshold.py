"""Threshold and variant studies: what proposed limits mean across cities and templates.

A study compares **variants** (:mod:`ultralow.optimise.variants`: a compliance target with a set
of limits on top, in some zones) side by side, in the order given (each a tightening step of the
previous). A one-indicator **threshold study** (``[[threshold]]``: ``target``, ``indicator``,
``values``) is the special case of one variant per value (:meth:`ThresholdStudy.variants`).

Per variant, city and template :func:`variant_table` reports

- the **share complying** over the declared design population: every simulated design of the
  sweep's plan and of its sensitivity plan (``sample`` not ``default``/``baseline``/``search``),
  with its exact binomial (Clopper-Pearson) 95 % interval (:func:`share_interval`), and a flag
  when the change from the previous variant is within that uncertainty
  (:func:`flag_share_changes`); with a budget, the share complying within it;
- the **cheapest complying package**: the least ``incremental_investment_rmb_m2`` among every
  buildable design evaluated for that city and template (the sample, every variant's search
  (:mod:`ultralow.optimise.cheapest`), the baseline), with where it came from;
- its **extra cost and savings against the baseline** (``sample == "baseline"``: by default the
  current standard's compliant reference package, see :mod:`ultralow.optimise.sweep`):
  ``extra_cost_rmb_m2`` (RMB per m2 of conditioned floor area) and heating, cooling, primary
  energy (kWh/(m2 a), conditioned floor area) and CO2 (kg/(m2 a)) saved;
- the **marginal cost** of each step over the previous variant of the study
  (:func:`marginal_costs`): RMB/m2 per kWh/(m2 a) of primary energy saved, and RMB per tonne of
  CO2 saved over the cost model's analysis period (undiscounted tonnes).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from ultralow.errors import InputError
from ultralow.optimise.variants import (
    Limit,
    Variant,
    complies,
    parse_target,
    target_indicator_names,
    variant_indicators,
    violation,
)
from ultralow.templates.standards.evaluate import DESIGN_PROPERTIES
from ultralow.templates.standards.zones import PRIMARY_ZONES, ZONES, primary_zone

STUDY_KEYS = ("name", "target", "standard", "indicator", "values", "zones", "comparison")
ENERGY_COLUMNS = ("heating_demand_kwh_m2", "cooling_demand_kwh_m2", "primary_energy_kwh_m2", "co2_kg_m2")
COST_COLUMN = "incremental_investment_rmb_m2"  # RMB per m2 of conditioned floor area, against the cost base
GROUP_COLUMNS = ("city", "template")
NOT_POPULATION = ("default", "baseline", "search")  # samples that are not the declared design population


@dataclass(frozen=True)
class ThresholdStudy:
    """Vary the limit of ``indicator`` of ``target`` over ``values`` (the indicator's unit).

    ``zones``: climate zones (primary, e.g. ``severe_cold``, or sub-zones) where the studied limit
    replaces the standard's; empty = everywhere. ``comparison``: ``<=`` or ``>=``; ``None`` takes
    the indicator's own comparison.
    """

    name: str
    target: str
    indicator: str
    values: tuple[float, ...]
    zones: tuple[str, ...] = ()
    comparison: str | None = None

    def applies(self, climate_zone: str) -> bool:
        """True when the studied limit replaces the standard's in ``climate_zone``."""
        return not self.zones or climate_zone in self.zones or primary_zone(climate_zone) in self.zones

    def variants(self) -> list[Variant]:
        """One variant per value, named ``"<indicator> <cmp> <value>"``, in the order given."""
        comparison = self.comparison or DESIGN_PROPERTIES.get(self.indicator, ("", "", ""))[2]
        return [Variant(f"{self.indicator} {comparison or '<='} {v:g}", self.target,
                        (Limit(self.indicator, comparison, v),), self.zones, self.name, v)
                for v in self.values]


def parse_study(raw: Mapping[str, Any], index: int = 0) -> ThresholdStudy:
    """A study from its TOML table (``[[threshold]]``); InputError names the key and allowed values.

    ``standard = "gb55015_2021"`` may replace ``target`` when the standard has one target.
    """
    where = f"threshold[{index}]"
    if not isinstance(raw, Mapping):
        raise InputError(f"spec: {where} must be a table")
    for key in raw:
        if key not in STUDY_KEYS:
            raise InputError(f"spec: unknown key {where}.{key!r}; allowed: {', '.join(STUDY_KEYS)}")
    target = parse_target(raw, where)
    indicator = raw.get("indicator")
    if not isinstance(indicator, str) or not indicator:
        raise InputError(f"spec: {where} needs indicator = \"...\" (e.g. \"wall_u_w_m2k\", "
                         "\"heating_demand_kwh_m2\", \"saving_rate_overall\")")
    values = raw.get("values")
    if not isinstance(values, list) or not values or any(
            isinstance(v, bool) or not isinstance(v, int | float) for v in values):
        raise InputError(f"spec: {where}.values must be a non-empty list of numbers")
    zones = raw.get("zones", [])
    if isinstance(zones, str):
        zones = [zones]
    for z in zones:
        if z not in ZONES and z not in PRIMARY_ZONES:
            raise InputError(f"spec: {where}.zones: {z!r} is not a climate zone; allowed: "
                             f"{', '.join(PRIMARY_ZONES + ZONES)}")
    comparison = raw.get("comparison")
    if comparison not in (None, "<=", ">="):
        raise InputError(f"spec: {where}.comparison must be \"<=\" or \">=\", got {comparison!r}")
    name = str(raw.get("name") or f"{target} {indicator}")
    return ThresholdStudy(name, target, indicator, tuple(float(v) for v in values), tuple(zones), comparison)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _package(row: Mapping[str, Any], variables: Sequence[str]) -> str:
    return json.dumps({v: row[v] for v in variables if v in row}, default=str, sort_keys=False)


def share_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) confidence interval of a binomial share ``k / n``: the
    ``(1 − confidence)/2`` and ``(1 + confidence)/2`` quantiles of Beta(k, n − k + 1) and
    Beta(k + 1, n − k) (Clopper & Pearson 1934, *Biometrika* 26:404–413); (NaN, NaN) for n = 0.
    E.g. 1 of 16: 0.16 %–30.2 %."""
    from scipy.stats import beta

    if n <= 0:
        return math.nan, math.nan
    alpha = 1.0 - confidence
    low = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def _cheapest(rows: pd.DataFrame) -> pd.Series | None:
    costs = pd.to_numeric(rows[COST_COLUMN], errors="coerce") if COST_COLUMN in rows else None
    if costs is None or not costs.notna().any():
        return None
    return rows.loc[costs.idxmin()]


def cheapest_complying_row(rows: pd.DataFrame, variant: Variant,
                           names: Sequence[str] | None = None) -> pd.Series | None:
    """The least :data:`COST_COLUMN` row among ``rows`` that simulated ``ok``, is buildable (no
    ``buildable == False``) and complies with ``variant``; None when none does."""
    ok = rows[rows["status"] == "ok"]
    if "buildable" in ok:
        ok = ok[ok["buildable"].map(lambda b: b is not False and b != "False")]
    names = target_indicator_names(list(rows.columns), variant.target) if names is None else names
    return _cheapest(ok[[complies(r, variant, names) for r in ok.to_dict("records")]])


def closest_failure(rows: pd.DataFrame, variant: Variant, names: Sequence[str] | None = None) -> tuple[Any, str]:
    """When no buildable design complies with ``variant``: the key of the buildable ``ok`` row
    with the least violation (:func:`~ultralow.optimise.variants.violation`) and, as text, the
    requirements it fails (``"wall_u_w_m2k 0.138 > 0.12"``); ``(None, reason)`` without one."""
    ok = rows[rows["status"] == "ok"]
    if "buildable" in ok:
        unbuildable = int(ok["buildable"].map(lambda b: b is False or b == "False").sum())
        ok = ok[ok["buildable"].map(lambda b: b is not False and b != "False")]
    else:
        unbuildable = 0
    if ok.empty:
        return None, f"no buildable design simulated ({unbuildable} beyond a buildability limit)"
    names = target_indicator_names(list(rows.columns), variant.target) if names is None else names
    records = ok.to_dict("records")
    worst = [violation(r, variant, names) for r in records]
    row = records[min(range(len(records)), key=worst.__getitem__)]
    failing = [f"{ind.name} {ind.value:.4g} {'>' if ind.comparison == '<=' else '<'} {ind.limit:.4g}"
               if isinstance(ind.value, float) and isinstance(ind.limit, float) else f"{ind.name} fails"
               for ind in variant_indicators(row, variant, names) if ind.passed is not True]
    return row.get("key"), (f"closest buildable design fails: {'; '.join(failing)}"
                            + (f" ({unbuildable} designs beyond a buildability limit not counted)" if unbuildable
                               else ""))


def variant_table(table: pd.DataFrame, variants: Sequence[Variant], variables: Sequence[str], *,
                  budget_rmb_m2: float | None = None,
                  search_stats: Mapping[tuple[str, str, str], Mapping[str, Any]] | None = None,
                  co2_years: float = 50.0, group_columns: Sequence[str] = GROUP_COLUMNS) -> pd.DataFrame:
    """One row per (variant, city, template) of the sweep ``table`` (module docstring).

    ``table`` needs ``sample`` and ``status`` (``ok`` rows only count), ``climate_zone``, the
    group columns, the indicator and design-property columns the variants read
    (:func:`~ultralow.optimise.variants.design_columns`), :data:`COST_COLUMN`,
    :data:`ENERGY_COLUMNS`, optionally ``buildable`` (False: never the cheapest package) and
    ``search_variant``. ``budget_rmb_m2``: the most extra cost over the baseline a package may
    have to count as cost-reasonable. ``search_stats[(variant, city, template)]``: the search's
    figures (``search_asked``, ``search_local_optimum``...), copied into the row.
    Columns: ``study, variant, description, target, threshold, indicator, comparison`` (of a
    one-limit variant), ``<groups>, climate_zone, applies,
    n_designs, n_failed, n_complying, compliance_share(_low/_high), samples,
    [n_within_budget, share_within_budget(_low/_high)], cheapest_origin, cheapest_key,
    closest_key and none_complies_because (when no buildable design complies: the least-violating
    one and the requirements it fails), cheapest_package, cheapest_cost_rmb_m2, baseline_cost_rmb_m2, extra_cost_rmb_m2,
    cheapest_sampled_extra_cost_rmb_m2, within_budget, cheapest_<energy>, baseline_<energy>,
    <energy>_saved`` and the search's columns; then :func:`flag_share_changes` and
    :func:`marginal_costs`.
    """
    group_columns = list(group_columns)
    rows = []
    for keys, group in table.groupby(group_columns, sort=True, dropna=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        population = sorted(set(group["sample"]) - set(NOT_POPULATION))
        designs = group[group["sample"].isin(population)]
        ok = designs[designs["status"] == "ok"]
        baseline = group[(group["sample"] == "baseline") & (group["status"] == "ok")]
        base = baseline.iloc[0] if len(baseline) else None
        base_cost = _number(base.get(COST_COLUMN)) if base is not None else None
        zone = str(group["climate_zone"].iloc[0])
        for variant in variants:
            names = target_indicator_names(list(group.columns), variant.target)
            mask = pd.Series([complies(r, variant, names) for r in ok.to_dict("records")], index=ok.index, dtype=bool)
            out: dict[str, Any] = {
                "study": variant.study, "variant": variant.name, "description": variant.description,
                "target": variant.target, "threshold": variant.threshold,
                "indicator": variant.limits[0].indicator if len(variant.limits) == 1 else None,
                "comparison": variant.limits[0].comparison if len(variant.limits) == 1 else None,
                **dict(zip(group_columns, keys, strict=True)), "climate_zone": zone,
                "applies": variant.applies(zone), "n_designs": len(ok), "n_failed": len(designs) - len(ok),
                "n_complying": int(mask.sum()), "compliance_share": float(mask.mean()) if len(ok) else math.nan,
            }
            out["compliance_share_low"], out["compliance_share_high"] = share_interval(int(mask.sum()), len(ok))
            out["samples"] = "+".join(population)
            extra_costs = pd.to_numeric(ok[COST_COLUMN], errors="coerce") - (base_cost if base_cost is not None
                                                                              else math.nan)
            if budget_rmb_m2 is not None:
                within = mask & (extra_costs <= budget_rmb_m2 + 1e-9)
                out["n_within_budget"] = int(within.sum())
                out["share_within_budget"] = float(within.mean()) if len(ok) else math.nan
                out["share_within_budget_low"], out["share_within_budget_high"] = share_interval(
                    int(within.sum()), len(ok))
            best = cheapest_complying_row(group, variant, names)
            sampled = _cheapest(ok[mask]) if mask.any() else None
            out["cheapest_origin"] = best.get("sample") if best is not None else None
            if best is not None and best.get("sample") not in ("search", "baseline", "default"):
                out["cheapest_origin"] = "sample"
            out["cheapest_key"] = best.get("key") if best is not None else None
            out["closest_key"], out["none_complies_because"] = (None, None) if best is not None else \
                closest_failure(group, variant, names)
            out["cheapest_package"] = _package(best, variables) if best is not None else None
            cost = _number(best.get(COST_COLUMN)) if best is not None else None
            out["cheapest_cost_rmb_m2"] = math.nan if cost is None else cost
            out["baseline_cost_rmb_m2"] = math.nan if base_cost is None else base_cost
            out["extra_cost_rmb_m2"] = math.nan if cost is None or base_cost is None else cost - base_cost
            s_cost = _number(sampled.get(COST_COLUMN)) if sampled is not None else None
            out["cheapest_sampled_extra_cost_rmb_m2"] = (math.nan if s_cost is None or base_cost is None
                                                         else s_cost - base_cost)
            out["within_budget"] = (None if budget_rmb_m2 is None or math.isnan(out["extra_cost_rmb_m2"])
                                    else bool(out["extra_cost_rmb_m2"] <= budget_rmb_m2 + 1e-9))
            for energy in ENERGY_COLUMNS:
                mine = _number(best.get(energy)) if best is not None else None
                ref = _number(base.get(energy)) if base is not None else None
                out[f"cheapest_{energy}"] = math.nan if mine is None else mine
                out[f"baseline_{energy}"] = math.nan if ref is None else ref
                out[f"{energy}_saved"] = math.nan if mine is None or ref is None else ref - mine
            stats = (search_stats or {}).get((variant.name, *(str(k) for k in keys)))
            out.update(dict(stats) if stats else {"search_asked": 0})
            rows.append(out)
    return marginal_costs(flag_share_changes(pd.DataFrame(rows), group_columns), group_columns, co2_years)


def marginal_costs(table: pd.DataFrame, group_columns: Sequence[str] = GROUP_COLUMNS,
                   co2_years: float = 50.0) -> pd.DataFrame:
    """Add, per study, city and template, the cost of each variant's step over the previous one:
    ``step_extra_cost_rmb_m2``, ``step_primary_energy_saved_kwh_m2``, ``marginal_cost_rmb_per_kwh``
    (RMB per m2 per kWh/(m2 a) of primary energy saved: the investment that saves one kWh per m2
    every year) and ``marginal_cost_rmb_per_t_co2`` (RMB per tonne of CO2 saved over ``co2_years``,
    undiscounted: step cost per m2 / (CO2 saved kg/(m2 a) x years / 1000)). NaN for a study's first
    variant, and where the step saves nothing (a cost without a saving has no finite ratio)."""
    if table.empty:
        return table
    table = table.copy()
    for name in ("step_extra_cost_rmb_m2", "step_primary_energy_saved_kwh_m2", "marginal_cost_rmb_per_kwh",
                 "marginal_cost_rmb_per_t_co2"):
        table[name] = math.nan
    for _, group in table.groupby(["study", *group_columns], sort=False, dropna=False):
        previous = None
        for idx in group.index:
            if previous is not None:
                p, c = table.loc[previous], table.loc[idx]
                cost = c["extra_cost_rmb_m2"] - p["extra_cost_rmb_m2"]
                energy = p["cheapest_primary_energy_kwh_m2"] - c["cheapest_primary_energy_kwh_m2"]
                co2 = p["cheapest_co2_kg_m2"] - c["cheapest_co2_kg_m2"]
                table.at[idx, "step_extra_cost_rmb_m2"] = cost
                table.at[idx, "step_primary_energy_saved_kwh_m2"] = energy
                if energy > 0:
                    table.at[idx, "marginal_cost_rmb_per_kwh"] = cost / energy
                if co2 > 0:
                    table.at[idx, "marginal_cost_rmb_per_t_co2"] = cost / (co2 * co2_years / 1000.0)
            previous = idx
    return table


def flag_share_changes(table: pd.DataFrame, group_columns: Sequence[str] = GROUP_COLUMNS) -> pd.DataFrame:
    """Add ``share_change`` (share minus the previous threshold's, in the study's order) and
    ``share_change_resolved``: False when the two 95 % intervals overlap, i.e. the sample is too
    small to tell the two shares apart (a conservative test); NaN/None for a study's first value."""
    if table.empty:
        return table
    table = table.copy()
    table["share_change"] = math.nan
    table["share_change_resolved"] = None
    for _, group in table.groupby(["study", *group_columns], sort=False, dropna=False):
        previous = None
        for idx in group.index:  # rows are in the study's value order
            if previous is not None:
                p, c = table.loc[previous], table.loc[idx]
                table.at[idx, "share_change"] = c["compliance_share"] - p["compliance_share"]
                overlap = (c["compliance_share_low"] <= p["compliance_share_high"]
                           and p["compliance_share_low"] <= c["compliance_share_high"])
                table.at[idx, "share_change_resolved"] = not overlap
            previous = idx
    return table
