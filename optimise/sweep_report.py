"""Self-contained HTML report of a sweep (``RUN/report.html``).

One file, figures as base64 PNGs (matplotlib Agg), tables through the optimiser report's
:func:`ultralow.optimise.report.table_html`, narrow enough to print whole, units in the headers.
Sections: the "indicative" banner and its reasons; the named baseline (its package, cost,
energy and which variants it meets); weather; what was swept; per study the share complying
(with its 95 % interval) and the cheapest complying package's extra cost over the baseline
(RMB per m2 of conditioned floor area) per variant or threshold, one line or bar group per city
and template, then the share, cost and package tables; sensitivity bar charts (Morris mu* or
Sobol S1/ST, error bars = the bootstrap confidence half-widths) per output, template and city;
provenance (engine version, each target's limits with clause and ``verified``, calculation
profiles, every cost item with its source).
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from ultralow.optimise.report import table_html  # noqa: E402

STYLE = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:12px;margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;
text-align:right;overflow-wrap:anywhere}th{background:#f4f4f4}td.l{text-align:left}.scroll{overflow-x:auto}
.whole table{max-width:100%}.note{color:#666;font-size:13px}.warn{background:#fff3cd;padding:6px}
img{max-width:100%}"""


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode("ascii")}">'


def threshold_figure(study: pd.DataFrame) -> str:
    """Compliance share and cheapest cost vs threshold, a line per (city, template)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    cost, unit = study["extra_cost_rmb_m2"], "RMB/m2 of conditioned floor area, over the baseline"
    for (city, template), g in study.groupby(["city", "template"], sort=True):
        g = g.sort_values("threshold")
        label = f"{city} / {template}" + ("" if g["applies"].all() else " (limit not applied)")
        line, = ax1.plot(g["threshold"], 100 * g["compliance_share"], marker="o", label=label)
        if "compliance_share_low" in g:  # 95 % exact binomial interval
            ax1.fill_between(g["threshold"], 100 * g["compliance_share_low"], 100 * g["compliance_share_high"],
                             color=line.get_color(), alpha=0.15, linewidth=0)
        ax2.plot(g["threshold"], cost.loc[g.index], marker="o", label=label)
    indicator, cmp_ = study["indicator"].iloc[0], study["comparison"].iloc[0]
    for ax in (ax1, ax2):
        ax.set_xlabel(f"threshold: {indicator} {cmp_ or ''} x")
        ax.grid(alpha=0.3)
        if cmp_ == "<=":
            ax.invert_xaxis()  # tighter to the right
    ax1.set_ylabel("designs complying (%, band: 95 % interval)")
    ax1.set_ylim(-3, 103)
    ax2.set_ylabel(f"cheapest complying package:\nextra cost ({unit})")
    ax1.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig)


def sensitivity_figure(table: pd.DataFrame, method: str) -> str:
    """Bar chart per output (rows) and (template, city) (columns) with confidence error bars."""
    groups = sorted(table.groupby(["template", "city"]).groups)
    outputs = list(dict.fromkeys(table["output"]))
    fig, axes = plt.subplots(len(outputs), len(groups), figsize=(4.2 * len(groups), 2.8 * len(outputs)),
                             squeeze=False)
    for i, output in enumerate(outputs):
        for j, (template, city) in enumerate(groups):
            ax = axes[i][j]
            g = table[(table["output"] == output) & (table["template"] == template) & (table["city"] == city)]
            x = np.arange(len(g))
            if method == "morris":
                ax.bar(x, g["mu_star"], yerr=g["mu_star_conf"], capsize=3, color="#1f77b4", label="mu*")
                ax.plot(x, g["sigma"], "k^", label="sigma")
                ax.set_ylabel(f"{output}\nper full range")
            else:
                ax.bar(x - 0.2, g["S1"], 0.4, yerr=g["S1_conf"], capsize=3, label="S1")
                ax.bar(x + 0.2, g["ST"], 0.4, yerr=g["ST_conf"], capsize=3, label="ST")
                ax.set_ylabel(f"{output}\nshare of variance")
            ax.set_xticks(x, g["variable"], rotation=30, ha="right", fontsize=8)
            ax.set_title(f"{template} / {city}", fontsize=9)
            ax.grid(axis="y", alpha=0.3)
            if i == 0 and j == 0:
                ax.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig)


# the variant table in three narrow tables that print whole: (column, header with unit)
SHARE_COLUMNS = (("variant", "variant"), ("city", "city"), ("template", "template"), ("applies", "limits apply"),
                 ("n_complying", "complying"), ("n_designs", "of designs"), ("share_pct", "share %"),
                 ("interval_pct", "95 % interval %"), ("share_change_resolved", "change resolved"),
                 ("n_within_budget", "within budget"), ("budget_interval_pct", "within budget, 95 % interval %"))
COST_COLUMNS = (("variant", "variant"), ("city", "city"), ("template", "template"),
                ("cheapest_origin", "found by"), ("extra_cost_rmb_m2", "extra cost, RMB/m2"),
                ("cheapest_sampled_extra_cost_rmb_m2", "cheapest sampled, RMB/m2"), ("within_budget", "within budget"),
                ("primary_energy_kwh_m2_saved", "primary energy saved, kWh/(m2 a)"),
                ("heating_demand_kwh_m2_saved", "heating saved, kWh/(m2 a)"),
                ("co2_kg_m2_saved", "CO2 saved, kg/(m2 a)"),
                ("marginal_cost_rmb_per_kwh", "step cost, RMB/m2 per kWh/(m2 a)"),
                ("marginal_cost_rmb_per_t_co2", "step cost, RMB/t CO2"),
                ("search_asked", "designs searched"), ("search_local_optimum", "no cheaper neighbour"))
PACKAGE_COLUMNS = (("variant", "variant"), ("city", "city"), ("template", "template"),
                   ("cheapest_package", "cheapest complying package"), ("cheapest_key", "simulation key"),
                   ("none_complies_because", "when none complies"))
BASELINE_RESULT_COLUMNS = (("city", "city"), ("template", "template"),
                           ("incremental_investment_rmb_m2", "cost over the template defaults, RMB/m2"),
                           ("heating_demand_kwh_m2", "heating, kWh/(m2 a)"),
                           ("cooling_demand_kwh_m2", "cooling, kWh/(m2 a)"),
                           ("primary_energy_kwh_m2", "primary energy, kWh/(m2 a)"), ("co2_kg_m2", "CO2, kg/(m2 a)"))


def _pct(low: Any, high: Any) -> str:
    try:
        return f"{100 * float(low):.0f}-{100 * float(high):.0f}"
    except (TypeError, ValueError):
        return ""


def _display(frame: pd.DataFrame, columns: tuple[tuple[str, str], ...]) -> str:
    """``frame``'s ``columns`` under their headers (units in them), as a table that prints whole."""
    present = [(c, h) for c, h in columns if c in frame.columns]
    shown = frame[[c for c, _ in present]].rename(columns=dict(present))
    return table_html(shown).replace('<div class="scroll">', '<div class="whole">')


def variants_figure(study: pd.DataFrame) -> str:
    """Share complying (with its 95 % interval) and extra cost of the cheapest complying package,
    per variant in the study's order, one bar group per (city, template)."""
    names = list(dict.fromkeys(study["variant"]))
    groups = sorted(study.groupby(["city", "template"]).groups)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    width = 0.8 / max(1, len(groups))
    x = np.arange(len(names))
    for k, (city, template) in enumerate(groups):
        g = study[(study["city"] == city) & (study["template"] == template)].set_index("variant").reindex(names)
        share = 100 * g["compliance_share"].to_numpy(dtype=float)
        err = np.vstack([share - 100 * g["compliance_share_low"].to_numpy(dtype=float),
                         100 * g["compliance_share_high"].to_numpy(dtype=float) - share])
        ax1.bar(x + k * width, share, width, yerr=err, capsize=3, label=f"{city} / {template}")
        ax2.bar(x + k * width, g["extra_cost_rmb_m2"].to_numpy(dtype=float), width, label=f"{city} / {template}")
    for ax in (ax1, ax2):
        ax.set_xticks(x + width * (len(groups) - 1) / 2, names, rotation=20, ha="right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    ax1.set_ylabel("designs complying (%, bars: 95 % interval)")
    ax1.set_ylim(0, 103)
    ax2.set_ylabel("cheapest complying package:\nextra cost over the baseline (RMB/m2)")
    ax1.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig)


def _baseline_html(spec: Any, results: pd.DataFrame, provenance: dict[str, Any]) -> str:
    from ultralow.optimise.variants import complies

    base = results[results["sample"] == "baseline"]
    parts = [f"<p><b>{html.escape(str(provenance.get('baseline') or spec.baseline.label))}</b>. Savings and extra "
             "costs below are against this package, simulated like every design, in the same city and template. "
             "Extra cost = the package's incremental investment minus the baseline's, both against the template "
             "defaults, in RMB per m2 of conditioned floor area.</p>"]
    rows = []
    for _, r in base.iterrows():
        entry = (provenance.get("sites") or {}).get(f"{r['city']} / {r['template']}", {})
        passes = [v.name for v in spec.variants if r.get("status") == "ok" and complies(r.to_dict(), v)]
        rows.append({**{c: r.get(c) for c, _ in BASELINE_RESULT_COLUMNS},
                     "package": json.dumps(entry.get("baseline_package", {}), default=str),
                     "complies with": ", ".join(passes) or "none of the variants"})
    frame = pd.DataFrame(rows)
    parts.append(_display(frame, (*BASELINE_RESULT_COLUMNS, ("complies with", "complies with"))))
    parts.append(_display(frame, (("city", "city"), ("template", "template"), ("package", "package"))))
    return "".join(parts)


def _provenance_html(provenance: dict[str, Any]) -> str:
    if not provenance:
        return '<p class="note">provenance not recorded</p>'
    parts = [f"<p>EnergyPlus {html.escape(str(provenance.get('engine_version')))}. Units: "
             + "; ".join(f"{k}: {html.escape(v)}" for k, v in (provenance.get("units") or {}).items()) + ".</p>"]
    for label, entry in (provenance.get("sites") or {}).items():
        for target, t in entry.get("targets", {}).items():
            prof = t.get("calculation_profile") or {}
            zone = html.escape(entry.get("climate_zone", ""))
            parts.append(f"<h3>{html.escape(label)} ({zone}): {html.escape(target)}</h3>"
                         f"<p class=\"note\">calculation profile {html.escape(str(prof.get('id')))}: "
                         f"{html.escape(str(prof.get('title')))}; {html.escape(str(prof.get('clause')))}; verified = "
                         f"{prof.get('verified')}</p>")
            req = pd.DataFrame(t.get("requirements") or [])
            parts.append(_display(req, (("indicator", "indicator"), ("limit", "limit as stated"),
                                        ("comparison", "cmp"), ("unit", "unit"), ("area_basis", "area basis"),
                                        ("clause", "clause"), ("verified", "verified"))))
    sites = (provenance.get("sites") or {}).items()
    prices = pd.DataFrame([{"site": label, **entry["prices"]} for label, entry in sites if entry.get("prices")])
    if not prices.empty:
        parts.append("<h3>Regional price level</h3><p class=\"note\">Every investment (each component, scaffolding) "
                     "is multiplied by the factor of the building's province; the factors stand on the year shown "
                     "(regional gaps have narrowed since: optimise/data/regional_prices.toml).</p>")
        parts.append(_display(prices, (("site", "site"), ("price_region", "province"),
                                       ("regional_price_factor", "factor"), ("year", "data year"),
                                       ("verified", "verified"))))
        parts.append(_display(prices, (("site", "site"), ("source", "source"))))
    build = pd.DataFrame([{"limit": k, **v} for k, v in (provenance.get("buildability") or {}).items()])
    if not build.empty:
        parts.append("<h3>Buildability limits</h3><p class=\"note\">A design beyond one is flagged (column "
                     "buildable) and is never a cheapest package.</p>")
        parts.append(_display(build, (("limit", "limit"), ("value", "value"), ("unit", "unit"),
                                      ("verified", "verified"))))
        parts.append(_display(build, (("limit", "limit"), ("source", "source"))))
    costs = pd.DataFrame([{"item": k, **v, "value": json.dumps(v["value"], default=str)}
                          for k, v in (provenance.get("costs") or {}).items()])
    parts.append("<h3>Cost data</h3>")
    parts.append(_display(costs, (("item", "item"), ("value", "value"), ("unit", "unit"), ("verified", "verified"))))
    parts.append(_display(costs, (("item", "item"), ("source", "source"))))
    return "".join(parts)


def render_report(spec: Any, results: pd.DataFrame, thresholds: pd.DataFrame,
                  sensitivity: dict[str, pd.DataFrame], weather_html: str = "",
                  provenance: dict[str, Any] | None = None) -> str:
    """The report as one HTML string; ``weather_html``: the weather provenance block(s);
    ``provenance``: the study's ``provenance.json`` (:func:`ultralow.optimise.sweep.study_provenance`)."""
    provenance = provenance or {}
    parts = [f"<h1>Sweep {html.escape(spec.name)}</h1>",
             f'<p class="note">{_dt.datetime.now():%Y-%m-%d %H:%M} &middot; method {spec.method}, n = {spec.n}, '
             f"seed {spec.seed}, period {html.escape(spec.period)} &middot; templates "
             f"{html.escape(', '.join(spec.templates))} &middot; weather "
             f"{html.escape(', '.join(s.label for s in spec.sites))} &middot; EnergyPlus "
             f"{html.escape(str(provenance.get('engine_version', '?')))}</p>"]
    if provenance.get("indicative"):
        parts.append('<p class="warn"><b>Indicative, not a compliance statement:</b> '
                     + html.escape("; ".join(provenance.get("indicative_reasons") or [])) + ".</p>")
    if (results["sample"] == "baseline").any():
        parts += ["<h2>Baseline</h2>", _baseline_html(spec, results, provenance)]
    if weather_html:
        parts += ["<h2>Weather</h2>", weather_html]
    counts = results.groupby(["sample", "status"]).size().rename("designs").reset_index()
    parts += ["<h2>Designs</h2>", table_html(counts),
              f"<pre>{html.escape(json.dumps(spec.variables_raw, indent=1))}</pre>"]
    if not thresholds.empty:
        budget = f" Budget: {spec.budget_rmb_m2:g} RMB/m2 over the baseline." if spec.budget_rmb_m2 is not None else ""
        parts.append("<h2>Variants and threshold studies</h2><p class=\"note\">A design complies with a variant when "
                     "every requirement of its target passes with the variant's limits (in its zones), prescriptive "
                     "limits on declared values (window U and SHGC, n50, heat recovery) and on EnergyPlus's opaque "
                     "U-values rounded to the standard's 2 decimals. Shares count the sampled designs only (columns "
                     "of designs; the plan and the sensitivity designs), with the 95 % exact binomial "
                     "(Clopper-Pearson) interval; change resolved = False: the intervals of this and the previous "
                     "variant overlap, so the sample cannot tell the two shares apart. The cheapest complying package "
                     "is the least costly buildable design evaluated (found by: the search, the sample or the "
                     "baseline); no cheaper neighbour = no one-step change of the package is cheaper and complies. "
                     "Step cost: the extra cost of this variant's package over the previous one's, per kWh/(m2 a) "
                     "of primary energy and per tonne of CO2 (over the cost model's analysis period) it saves; "
                     "a negative saving means the variant's cheapest package meets the tighter limits but uses "
                     "more energy than the baseline (it drops a measure, e.g. heat recovery, the baseline needed "
                     "to comply), and its step cost is left blank."
                     + budget + "</p>")
        table = thresholds.copy()
        table["share_pct"] = 100 * table["compliance_share"]
        table["interval_pct"] = [_pct(lo, hi) for lo, hi in zip(table["compliance_share_low"],
                                                                 table["compliance_share_high"], strict=True)]
        if "share_within_budget_low" in table:
            table["budget_interval_pct"] = [_pct(lo, hi) for lo, hi in zip(
                table["share_within_budget_low"], table["share_within_budget_high"], strict=True)]
        for name, study in table.groupby("study", sort=False):
            parts += [f"<h3>{html.escape(str(name))}</h3>"]
            descriptions = dict(zip(study["variant"], study["description"], strict=False))
            parts.append("<ul>" + "".join(f"<li><b>{html.escape(str(k))}</b>: {html.escape(str(v))}</li>"
                                          for k, v in descriptions.items()) + "</ul>")
            try:
                one_indicator = study["threshold"].notna().all() and study["indicator"].nunique() == 1
                parts.append(threshold_figure(study) if one_indicator else variants_figure(study))
            except Exception as exc:  # a figure must never stop the report
                parts.append(f"<p>could not draw: {html.escape(str(exc))}</p>")
            parts += [_display(study, SHARE_COLUMNS), _display(study, COST_COLUMNS), _display(study, PACKAGE_COLUMNS)]
    for name, frame in sensitivity.items():
        parts.append(f"<h2>{html.escape(name.replace('_', ' '))}</h2>")
        if name in ("sensitivity_morris", "sensitivity_sobol"):
            method = name.rsplit("_", 1)[1]
            note = ("Morris elementary effects: mu* = mean |effect| of a full-range change; mu*/step and mu/step = "
                    "the mean |effect| and the signed mean effect per reporting step of the variable (column "
                    "per_unit_unit, e.g. 0.1 W/(m2 K)), averaged over the sampled range; error bars = "
                    f"{spec.sensitivity.conf_level:.0%} bootstrap interval" if method == "morris" else
                    "Sobol indices (Saltelli sample): S1 first order, ST total; error bars = "
                    f"{spec.sensitivity.conf_level:.0%} bootstrap interval")
            parts.append(f'<p class="note">{note} (SALib).</p>')
            try:
                parts.append(sensitivity_figure(frame, method))
            except Exception as exc:
                parts.append(f"<p>could not draw: {html.escape(str(exc))}</p>")
        if "mu_star_per_unit" in frame:  # two narrow tables: per full range, per reporting step
            keys = (("template", "template"), ("city", "city"), ("output", "output"), ("variable", "variable"))
            parts.append(_display(frame, (*keys, ("mu_star", "mu* (full range)"), ("mu_star_conf", "mu* interval"),
                                          ("mu", "mu"), ("sigma", "sigma"))))
            parts.append(_display(frame, (*keys, ("per_unit_unit", "per step of"), ("mu_star_per_unit", "mu*/step"),
                                          ("mu_star_conf_per_unit", "mu*/step interval"),
                                          ("mu_per_unit", "mu/step (signed)"), ("per_unit_note", "note"))))
        else:
            parts.append(table_html(frame).replace('<div class="scroll">', '<div class="whole">'))
    parts += ["<h2>Provenance</h2>", _provenance_html(provenance)]
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sweep {html.escape(spec.name)}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")


def write_report(run_dir: Path, spec: Any, results: pd.DataFrame, thresholds: pd.DataFrame,
                 sensitivity: dict[str, pd.DataFrame]) -> Path:
    """Write ``run_dir/report.html`` and return its path."""
    from ultralow.optimise.report import read_weather, weather_html

    path = Path(run_dir) / "report.html"
    weather = weather_html(read_weather(Path(run_dir))) or '<p class="note">weather provenance not recorded</p>'
    try:
        provenance = json.loads((Path(run_dir) / "provenance.json").read_text())
    except (OSError, ValueError):
        provenance = {}
    path.write_text(render_report(spec, results, thresholds, sensitivity, weather, provenance))
    return path
