"""Threshold studies: what a proposed limit of a standard means across cities and templates.

A study varies the limit of one indicator of a compliance target (``ultralow.templates.standards``):
a standard's prescriptive limit (``target = "gb55015"``, ``indicator = "wall_u_w_m2k"``, applied in
``zones = ["severe_cold"]``) or a performance limit (``target = "ultra-low"``,
``indicator = "heating_demand_kwh_m2"``, or ``saving_rate_overall``). A design *complies* at a
threshold when every indicator of the target passes, the studied one with the threshold as its
limit (in the study's zones; elsewhere the standard's own limit). The pass rule is the standards'
own :attr:`Indicator.passed`; the indicators, values and standard limits come from
:func:`ultralow.templates.standards.evaluate`, stored per design as columns by
:func:`indicator_columns` (``ind|<target>|<indicator>|value``, ``...|limit``, ``...|cmp``).

Per threshold value, city and template, :func:`threshold_table` reports the share of sampled
designs that comply, the cheapest complying design (least ``incremental_investment_rmb``, against
the template's default package, see :mod:`ultralow.optimise.costs`), its cost, and the energy it
saves **against the template's default design in that city** (the row with ``sample ==
"default"``; the same package the cost model prices as the reference), in kWh/(m2 a).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from ultralow.errors import InputError
from ultralow.templates.standards import TARGETS, ComplianceReport, Indicator
from ultralow.templates.standards.evaluate import TARGET_STANDARD
from ultralow.templates.standards.zones import PRIMARY_ZONES, ZONES, primary_zone

STUDY_KEYS = ("name", "target", "standard", "indicator", "values", "zones", "comparison")
ENERGY_COLUMNS = ("heating_demand_kwh_m2", "cooling_demand_kwh_m2", "primary_energy_kwh_m2")
COST_COLUMN = "incremental_investment_rmb"
EXTRA_COST_COLUMNS = ("incremental_investment_rmb_m2", "lcc_rmb_m2")  # reported for the cheapest design
GROUP_COLUMNS = ("city", "template")


def column(target: str, indicator: str, part: str) -> str:
    """Name of an indicator column: ``part`` is ``value``, ``limit`` or ``cmp``."""
    return f"ind|{target}|{indicator}|{part}"


def indicator_columns(report: ComplianceReport) -> dict[str, Any]:
    """Flat columns (value, limit, comparison) of every indicator in ``report``."""
    out: dict[str, Any] = {}
    for ind in report.requirements:
        out[column(report.target, ind.name, "value")] = ind.value
        out[column(report.target, ind.name, "limit")] = ind.limit
        out[column(report.target, ind.name, "cmp")] = ind.comparison
    return out


def target_indicator_names(table: pd.DataFrame, target: str) -> list[str]:
    """Indicator names of ``target`` present as columns of ``table``."""
    prefix = f"ind|{target}|"
    return sorted({c[len(prefix):].rsplit("|", 1)[0] for c in table.columns if c.startswith(prefix)})


@dataclass(frozen=True)
class ThresholdStudy:
    """Vary the limit of ``indicator`` of ``target`` over ``values`` (the indicator's unit).

    ``zones``: climate zones (primary, e.g. ``severe_cold``, or sub-zones) where the studied limit
    replaces the standard's; empty = everywhere. ``comparison``: ``<=`` or ``>=``; ``None`` takes
    the standard's comparison for that indicator.
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

    def expression(self, value: float) -> str:
        """``"wall_u_w_m2k <= 0.15"`` (for :func:`ultralow.templates.standards.parse_constraint`)."""
        return f"{self.indicator} {self.comparison or '<='} {value:g}"


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
    target = raw.get("target")
    if target is None and "standard" in raw:
        matches = [t for t, s in TARGET_STANDARD.items() if s == raw["standard"]]
        if len(matches) != 1:
            raise InputError(f"spec: {where}.standard = {raw['standard']!r} does not name one target; give "
                             f"target = one of {', '.join(TARGETS)}")
        target = matches[0]
    if target not in TARGETS:
        raise InputError(f"spec: {where}.target = {target!r} is not allowed; allowed: {', '.join(TARGETS)}")
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


def row_indicators(row: Mapping[str, Any], target: str, names: Sequence[str]) -> list[Indicator]:
    """The target's indicators of one design, rebuilt from its columns (names absent in this
    row, e.g. an indicator the standard only has in other zones, are skipped)."""
    out = []
    for name in names:
        cmp_ = row.get(column(target, name, "cmp"))
        if not isinstance(cmp_, str):
            continue
        out.append(Indicator(name, name, _number(row.get(column(target, name, "value"))),
                             _number(row.get(column(target, name, "limit"))), cmp_, "", "", "", False))
    return out


def complies(row: Mapping[str, Any], target: str, names: Sequence[str],
             study: ThresholdStudy | None = None, value: float | None = None) -> bool:
    """True when every indicator of ``target`` passes for this design, the studied indicator
    with limit ``value`` where the study applies. A design without any indicator of the target
    (failed simulation) or without the studied indicator where the study applies does not comply."""
    indicators = row_indicators(row, target, names)
    if not indicators:
        return False
    if study is not None and study.applies(str(row.get("climate_zone"))):
        found = False
        for i, ind in enumerate(indicators):
            if ind.name == study.indicator:
                found = True
                indicators[i] = Indicator(ind.name, ind.label, ind.value, value,
                                          study.comparison or ind.comparison, "", "", "", False)
        if not found:
            return False
    return all(ind.passed is True for ind in indicators)


def compliance_mask(table: pd.DataFrame, study: ThresholdStudy | None, value: float | None,
                    target: str | None = None) -> pd.Series:
    """Boolean Series: which designs of ``table`` comply at ``value`` (see :func:`complies`)."""
    target = target or (study.target if study else None)
    if target is None:
        raise InputError("compliance needs a target or a study")
    names = target_indicator_names(table, target)
    return pd.Series([complies(row, target, names, study, value) for row in table.to_dict("records")],
                     index=table.index, dtype=bool)


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


def threshold_table(table: pd.DataFrame, studies: Sequence[ThresholdStudy], variables: Sequence[str], *,
                    samples: Sequence[str] | None = None, cost_column: str = COST_COLUMN,
                    group_columns: Sequence[str] = GROUP_COLUMNS) -> pd.DataFrame:
    """One row per (study, threshold value, city, template) of the sweep ``table``.

    ``table`` needs ``sample`` (designs in ``samples`` are counted, default every sample but
    ``"default"``, which is the energy reference: the main sample and the sensitivity designs
    alike, every simulated design), ``status`` (``ok`` rows only are counted), ``climate_zone``,
    the group columns, the indicator columns of each study's target, ``cost_column`` (RMB) and
    :data:`ENERGY_COLUMNS`.
    Columns: ``study, target, indicator, comparison, threshold, <groups>, climate_zone, applies,
    n_designs, n_failed, n_complying, compliance_share, compliance_share_low/high`` (95 % exact
    binomial interval, :func:`share_interval`), ``samples`` (which were counted), ``share_change``,
    ``share_change_resolved`` (:func:`flag_share_changes`), ``cheapest_key, cheapest_package,
    cheapest_<cost_column>, cheapest_incremental_investment_rmb_m2 / cheapest_lcc_rmb_m2 (when the
    table has them), cheapest_<energy>, default_<energy>, <energy>_saved`` (kWh/(m2 a),
    default minus cheapest; NaN without a default row or a complying design).
    """
    group_columns = list(group_columns)
    rows = []
    for keys, group in table.groupby(group_columns, sort=True, dropna=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        counted = sorted(set(group["sample"]) - {"default"}) if samples is None else list(samples)
        designs = group[group["sample"].isin(counted)]
        ok = designs[designs["status"] == "ok"]
        default = group[(group["sample"] == "default") & (group["status"] == "ok")]
        default_row = default.iloc[0] if len(default) else None
        zone = str(group["climate_zone"].iloc[0])
        for study in studies:
            names = target_indicator_names(ok, study.target)
            comparison = study.comparison
            if comparison is None and len(ok) and column(study.target, study.indicator, "cmp") in ok:
                comparison = next((c for c in ok[column(study.target, study.indicator, "cmp")] if isinstance(c, str)),
                                  None)
            for value in study.values:
                mask = pd.Series([complies(r, study.target, names, study, value) for r in ok.to_dict("records")],
                                 index=ok.index, dtype=bool)
                passing = ok[mask]
                out: dict[str, Any] = {
                    "study": study.name, "target": study.target, "indicator": study.indicator,
                    "comparison": comparison, "threshold": value, **dict(zip(group_columns, keys, strict=True)),
                    "climate_zone": zone, "applies": study.applies(zone), "n_designs": len(ok),
                    "n_failed": len(designs) - len(ok), "n_complying": int(mask.sum()),
                    "compliance_share": float(mask.mean()) if len(ok) else math.nan,
                }
                out["compliance_share_low"], out["compliance_share_high"] = share_interval(int(mask.sum()), len(ok))
                out["samples"] = "+".join(counted)
                best = None
                if len(passing) and cost_column in passing:
                    costs = pd.to_numeric(passing[cost_column], errors="coerce")
                    if costs.notna().any():
                        best = passing.loc[costs.idxmin()]
                out["cheapest_key"] = best.get("key") if best is not None else None
                out["cheapest_package"] = _package(best, variables) if best is not None else None
                out[f"cheapest_{cost_column}"] = float(best[cost_column]) if best is not None else math.nan
                for extra in EXTRA_COST_COLUMNS:
                    if extra in table:
                        found = _number(best.get(extra)) if best is not None else None
                        out[f"cheapest_{extra}"] = math.nan if found is None else found
                for energy in ENERGY_COLUMNS:
                    mine = _number(best.get(energy)) if best is not None else None
                    ref = _number(default_row.get(energy)) if default_row is not None else None
                    out[f"cheapest_{energy}"] = math.nan if mine is None else mine
                    out[f"default_{energy}"] = math.nan if ref is None else ref
                    out[f"{energy}_saved"] = math.nan if mine is None or ref is None else ref - mine
                rows.append(out)
    return flag_share_changes(pd.DataFrame(rows), group_columns)


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
