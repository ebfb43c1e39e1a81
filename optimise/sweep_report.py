"""Self-contained HTML report of a sweep (``RUN/report.html``).

One file, figures as base64 PNGs (matplotlib Agg), tables through the optimiser report's
:func:`ultralow.optimise.report.table_html`. Sections: what was swept; per threshold study the
compliance share (%) and the cheapest complying package's incremental investment (RMB/m2 of
conditioned floor area when the cost model gives it, else RMB) against the threshold,
one line per city and template, and the threshold table; sensitivity bar charts (Morris mu* or
Sobol S1/ST, error bars = the bootstrap confidence half-widths) per output, template and city.
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
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
td.l{text-align:left}.scroll{overflow-x:auto}.note{color:#666;font-size:13px}img{max-width:100%}"""


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode("ascii")}">'


def _cost_per_m2(thresholds: pd.DataFrame) -> tuple[pd.Series, str]:
    """Cheapest incremental investment per m2 of floor area when known (RMB/m2), else in RMB."""
    per = pd.to_numeric(thresholds.get("cheapest_incremental_investment_rmb_m2"), errors="coerce")
    if per is not None and per.notna().any():
        return per, "RMB per m2 of conditioned floor area"
    return pd.to_numeric(thresholds["cheapest_incremental_investment_rmb"], errors="coerce"), "RMB"


def threshold_figure(study: pd.DataFrame) -> str:
    """Compliance share and cheapest cost vs threshold, a line per (city, template)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    cost, unit = _cost_per_m2(study)
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
    ax2.set_ylabel(f"cheapest complying package, incremental investment ({unit})")
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


THRESHOLD_COLUMNS = ["study", "threshold", "city", "template", "climate_zone", "applies", "n_designs", "n_failed",
                     "n_complying", "compliance_share", "compliance_share_low", "compliance_share_high",
                     "share_change", "share_change_resolved", "samples",
                     "cheapest_incremental_investment_rmb",
                     "cheapest_incremental_investment_rmb_m2", "cheapest_package",
                     "cheapest_heating_demand_kwh_m2", "heating_demand_kwh_m2_saved",
                     "cheapest_primary_energy_kwh_m2", "primary_energy_kwh_m2_saved"]


def render_report(spec: Any, results: pd.DataFrame, thresholds: pd.DataFrame,
                  sensitivity: dict[str, pd.DataFrame], weather_html: str = "") -> str:
    """The report as one HTML string; ``weather_html``: the weather provenance block(s)."""
    parts = [f"<h1>Sweep {html.escape(spec.name)}</h1>",
             f'<p class="note">{_dt.datetime.now():%Y-%m-%d %H:%M} &middot; method {spec.method}, n = {spec.n}, '
             f"seed {spec.seed}, period {html.escape(spec.period)} &middot; templates "
             f"{html.escape(', '.join(spec.templates))} &middot; weather "
             f"{html.escape(', '.join(s.label for s in spec.sites))}</p>"]
    if weather_html:
        parts += ["<h2>Weather</h2>", weather_html]
    counts = results.groupby(["sample", "status"]).size().rename("designs").reset_index()
    parts += ["<h2>Designs</h2>", table_html(counts),
              f"<pre>{html.escape(json.dumps(spec.variables_raw, indent=1))}</pre>"]
    if not thresholds.empty:
        parts.append("<h2>Threshold studies</h2><p class=\"note\">A design complies when every indicator of the "
                     "target passes, the studied one with the threshold as its limit (where the study applies). "
                     "Energy saved: against the template's default design in the same city (the cost model's "
                     "reference package). Shares over every simulated design (the main sample and the "
                     "sensitivity designs, column samples) with their 95 % exact binomial (Clopper-Pearson) "
                     "interval: a share of a few dozen designs moves in steps of several percent. "
                     "share_change_resolved = False: the intervals of this and the previous threshold "
                     "overlap, so the sample cannot tell the two shares apart.</p>")
        for name, study in thresholds.groupby("study", sort=False):
            parts += [f"<h3>{html.escape(str(name))}</h3>"]
            try:
                parts.append(threshold_figure(study))
            except Exception as exc:  # a figure must never stop the report
                parts.append(f"<p>could not draw: {html.escape(str(exc))}</p>")
            parts.append(table_html(study, THRESHOLD_COLUMNS))
    for name, table in sensitivity.items():
        parts.append(f"<h2>{html.escape(name.replace('_', ' '))}</h2>")
        if name in ("sensitivity_morris", "sensitivity_sobol"):
            method = name.rsplit("_", 1)[1]
            note = ("Morris elementary effects: mu* = mean |effect| of a full-range change, error bars = "
                    f"{spec.sensitivity.conf_level:.0%} bootstrap interval" if method == "morris" else
                    "Sobol indices (Saltelli sample): S1 first order, ST total; error bars = "
                    f"{spec.sensitivity.conf_level:.0%} bootstrap interval")
            parts.append(f'<p class="note">{note} (SALib).</p>')
            try:
                parts.append(sensitivity_figure(table, method))
            except Exception as exc:
                parts.append(f"<p>could not draw: {html.escape(str(exc))}</p>")
        parts.append(table_html(table))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sweep {html.escape(spec.name)}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")


def write_report(run_dir: Path, spec: Any, results: pd.DataFrame, thresholds: pd.DataFrame,
                 sensitivity: dict[str, pd.DataFrame]) -> Path:
    """Write ``run_dir/report.html`` and return its path."""
    from ultralow.optimise.report import read_weather, weather_html

    path = Path(run_dir) / "report.html"
    weather = weather_html(read_weather(Path(run_dir))) or '<p class="note">weather provenance not recorded</p>'
    path.write_text(render_report(spec, results, thresholds, sensitivity, weather))
    return path
