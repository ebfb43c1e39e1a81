"""Self-contained HTML report of an optimisation run (``run_dir/report.html``).

One file, no server and no external assets: figures are matplotlib PNGs (Agg backend)
embedded as base64 ``data:`` URIs, styles are inline. Sections: spec summary and run counts,
Pareto front (scatter of the first two objectives, a pairwise grid from three), parallel
coordinates of the Pareto designs' variables, energy breakdown (kWh/(m2 a)) and cost breakdown
(investment by component, RMB/m2) of the chosen designs, convergence by generation, the Pareto
table and the failed designs.

Input frames (columns that are missing are skipped, never an error):

- ``evaluations``: one row per evaluated design: ``var.<name>``, ``param.<name>``,
  ``res.<field>``, ``cost.<field>``, ``status`` ("ok" / "failed" / "cached"), ``error``,
  ``generation``, ``design_id`` (``obj.<name>`` too, if the caller has them).
- ``pareto``: the designs on the front, same columns plus ``obj.<name>``.
- ``history``: ``generation``, ``n_evaluated``, ``n_failed``, ``n_cached``, ``best.<objective>``,
  ``hypervolume`` and ``feasible_share`` (:mod:`ultralow.optimise.front_quality`).

Unprefixed frames (the optimiser's flat rows: variable names, result fields and cost keys as
plain columns, ``param_<name>``, ``best_<metric>``) are accepted too: :func:`normalise` adds the
prefixed aliases, using the spec's ``variables`` and ``objectives``. Any status other than
"ok"/"cached" counts as failed.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

MAX_CHOSEN = 20  # designs in the breakdown charts
MAX_TABLE_ROWS = 500
ENERGY_PARTS: tuple[tuple[str, str, str], ...] = (
    ("res.heating_electricity_kwh_m2", "heat pump heating", "#d62728"),
    ("res.cooling_electricity_kwh_m2", "heat pump cooling", "#1f77b4"),
    ("res.fan_electricity_kwh_m2", "fans", "#9467bd"),
    ("res.lighting_electricity_kwh_m2", "lighting", "#bcbd22"),
    ("res.equipment_electricity_kwh_m2", "equipment", "#7f7f7f"),
)
PV_COLUMN = "res.pv_generation_kwh_m2"
COST_PARTS: tuple[tuple[str, str, str], ...] = (
    ("cost.investment_insulation_wall_rmb", "wall insulation", "#8c564b"),
    ("cost.investment_insulation_roof_rmb", "roof insulation", "#c49c94"),
    ("cost.investment_insulation_floor_rmb", "floor insulation", "#e7cb94"),
    ("cost.investment_windows_rmb", "windows", "#17becf"),
    ("cost.investment_airtightness_rmb", "airtightness", "#aec7e8"),
    ("cost.investment_hrv_rmb", "heat recovery", "#9467bd"),
    ("cost.investment_heat_pump_rmb", "heat pump", "#d62728"),
    ("cost.investment_pv_rmb", "PV", "#ffbb00"),
)
CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}.scroll{overflow-x:auto;max-height:40em}
img{max-width:100%;height:auto}.note{color:#666;font-size:.9em}.err{color:#a00}
"""


# --- small helpers ---------------------------------------------------------------------------
def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    """Numeric column (NaN where missing or not a number)."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce")


def _has_data(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and _num(frame, column).notna().any()


def _png(fig: plt.Figure) -> str:
    """The figure as an ``<img>`` with a base64 PNG data URI; closes the figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _short(name: str) -> str:
    return name.split(".", 1)[1] if "." in name else name


def _label(column: str) -> str:
    return _short(column).replace("_", " ")


PREFIXES = ("var.", "param.", "res.", "cost.", "obj.", "best.", "sav.")
SAVING_KEY = re.compile(r"^(saving_vs_(existing|reference)_|existing_)")
COST_KEY = re.compile(r"^(investment_|incremental_|annual_|lcc_|npv_|simple_payback|co2_t_|co2_saving|reference_"
                      r"(investment|lcc)|heat_pump_capacity_kw|window_price|floor_area_m2|"
                      r"(wall|roof|floor|ground_floor|window)_.*(_m2|_cm)$)")


def _result_fields() -> set[str]:
    from ultralow.sim.results import SimulationResult

    return {f.name for f in dataclasses.fields(SimulationResult)}


def normalise(frame: pd.DataFrame, spec: Mapping[str, Any]) -> pd.DataFrame:
    """Add ``var.``/``param.``/``res.``/``cost.``/``obj.``/``best.`` aliases of unprefixed columns."""
    if frame is None:
        return pd.DataFrame()
    variables = spec.get("variables")
    var_names = set(variables) if isinstance(variables, Mapping) else set()
    results = _result_fields()
    add: dict[str, pd.Series] = {}
    for column in map(str, frame.columns):
        if column.startswith(PREFIXES):
            continue
        if column in var_names:
            alias = f"var.{column}"
        elif column.startswith("param_"):
            alias = f"param.{column[6:]}"
        elif column.startswith("best_"):
            alias = f"best.{column[5:]}"
        elif column in results:
            alias = f"res.{column}"
        elif COST_KEY.match(column):
            alias = f"cost.{column}"
        elif SAVING_KEY.match(column):
            alias = f"sav.{column}"
        else:
            continue
        if alias not in frame.columns:
            add[alias] = frame[column]
    for name, _ in objective_specs(frame, spec):
        if f"obj.{name}" not in frame.columns and name in frame.columns:
            add[f"obj.{name}"] = frame[name]
    return pd.concat([frame, pd.DataFrame(add, index=frame.index)], axis=1) if add else frame


def _ok(frame: pd.DataFrame) -> pd.DataFrame:
    if "status" not in frame.columns:
        return frame
    return frame[frame["status"].astype(str).isin(["ok", "cached"])]


def objective_specs(pareto: pd.DataFrame, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``[(name, sense)]``: the spec's objectives (``metric``/``sense``), else the ``obj.*`` columns (min)."""
    out: list[tuple[str, str]] = []
    for obj in spec.get("objectives", []) or []:
        if isinstance(obj, Mapping) and obj.get("metric"):
            out.append((str(obj["metric"]), str(obj.get("sense", "min"))))
        elif isinstance(obj, str):
            out.append((obj, "min"))
    if not out:
        out = [(c[4:], "min") for c in pareto.columns if c.startswith("obj.")]
    return out


def objective_values(frame: pd.DataFrame, name: str) -> pd.Series:
    """Objective ``name`` from ``obj.<name>``, else ``res.<name>`` / ``cost.<name>`` / ``<name>``."""
    for column in (f"obj.{name}", f"res.{name}", f"cost.{name}", name):
        if _has_data(frame, column):
            return _num(frame, column)
    return pd.Series(np.nan, index=frame.index, dtype=float)


def chosen_designs(pareto: pd.DataFrame, evaluations: pd.DataFrame, objectives: Sequence[tuple[str, str]],
                   n: int = MAX_CHOSEN) -> pd.DataFrame:
    """Designs for the breakdown charts: the Pareto set (or the best ``n`` evaluations by the first
    objective when it is empty), at most ``n`` of them spread along the first objective."""
    pool = pareto if len(pareto) else _ok(evaluations)
    if pool.empty:
        return pool
    if objectives:
        name, sense = objectives[0]
        order = objective_values(pool, name)
        pool = pool.assign(_order=order if sense == "min" else -order).sort_values("_order").drop(columns="_order")
    if len(pool) > n:
        if len(pareto):
            pool = pool.iloc[np.unique(np.linspace(0, len(pool) - 1, n).round().astype(int))]
        else:
            pool = pool.head(n)
    return pool


def _design_labels(frame: pd.DataFrame) -> list[str]:
    if "design_id" in frame.columns:
        return [str(x)[:12] for x in frame["design_id"]]
    return [str(i) for i in frame.index]


# --- figures ---------------------------------------------------------------------------------
def pareto_figure(evaluations: pd.DataFrame, pareto: pd.DataFrame, objectives: Sequence[tuple[str, str]]) -> str:
    """Scatter of the first two objectives (all evaluated designs grey, the front coloured);
    a pairwise grid for three or more; a histogram for one."""
    names = [n for n, _ in objectives]
    ok = _ok(evaluations)
    if len(names) == 1:
        fig, ax = plt.subplots(figsize=(7, 4))
        values = objective_values(ok, names[0]).dropna()
        ax.hist(values, bins=min(30, max(5, len(values) // 3)), color="#bbb", label="evaluated")
        for v in objective_values(pareto, names[0]).dropna():
            ax.axvline(v, color="#d62728")
        ax.set_xlabel(_label(names[0]))
        ax.set_ylabel("designs")
        return _png(fig)
    k = min(len(names), 5)
    pairs = [(i, j) for i in range(k) for j in range(k) if i < j]
    if len(names) == 2:
        fig, axes = plt.subplots(figsize=(7.5, 5.5))
        grid = {(0, 1): axes}
    else:
        fig, ax_arr = plt.subplots(k - 1, k - 1, figsize=(3.3 * (k - 1), 3.0 * (k - 1)), squeeze=False)
        grid = {}
        for r in range(k - 1):
            for c in range(k - 1):
                if c > r:
                    ax_arr[r][c].axis("off")
        for i, j in pairs:
            grid[(i, j)] = ax_arr[j - 1][i]
    for (i, j), ax in grid.items():
        x_all, y_all = objective_values(ok, names[i]), objective_values(ok, names[j])
        ax.scatter(x_all, y_all, s=10, color="#bbbbbb", label="evaluated", zorder=1)
        x_p, y_p = objective_values(pareto, names[i]), objective_values(pareto, names[j])
        ax.scatter(x_p, y_p, s=28, color="#d62728", edgecolor="k", linewidth=0.4, label="Pareto set", zorder=3)
        if len(names) == 2 and x_p.notna().sum() > 1:
            order = np.argsort(x_p.to_numpy())
            ax.plot(x_p.to_numpy()[order], y_p.to_numpy()[order], color="#d62728", lw=0.8, zorder=2)
        ax.set_xlabel(_label(names[i]), fontsize=8 if len(names) > 2 else 10)
        ax.set_ylabel(_label(names[j]), fontsize=8 if len(names) > 2 else 10)
        ax.tick_params(labelsize=7 if len(names) > 2 else 9)
        ax.grid(alpha=0.3)
    first = next(iter(grid.values()))
    first.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig)


def parallel_coordinates_figure(pareto: pd.DataFrame, evaluations: pd.DataFrame,
                                objectives: Sequence[tuple[str, str]]) -> str | None:
    """One line per Pareto design over its variables (``var.*``), each axis scaled to the range
    seen in all evaluations; choices as evenly spaced levels. Coloured by the first objective."""
    columns = [c for c in pareto.columns if c.startswith("var.")]
    if not columns or pareto.empty:
        return None
    reference = pd.concat([evaluations, pareto], ignore_index=True)
    scaled = np.full((len(pareto), len(columns)), np.nan)
    ticks: list[str] = []
    for k, column in enumerate(columns):
        values = pd.to_numeric(reference[column], errors="coerce") if column in reference else None
        if values is not None and values.notna().sum() >= max(1, reference[column].notna().sum()):
            lo, hi = float(values.min()), float(values.max())
            mine = pd.to_numeric(pareto[column], errors="coerce").to_numpy(dtype=float)
            scaled[:, k] = 0.5 if hi == lo else (mine - lo) / (hi - lo)
            ticks.append(f"{_short(column)}\n{lo:.3g} .. {hi:.3g}")
        else:
            levels = sorted({str(v) for v in reference[column].dropna()})
            position = {v: (i / (len(levels) - 1) if len(levels) > 1 else 0.5) for i, v in enumerate(levels)}
            scaled[:, k] = [position.get(str(v), np.nan) for v in pareto[column]]
            shown = ", ".join(levels[:4]) + (" ..." if len(levels) > 4 else "")
            ticks.append(f"{_short(column)}\n{shown}")
    fig, ax = plt.subplots(figsize=(max(7.0, 1.4 * len(columns)), 4.8))
    colour_values = objective_values(pareto, objectives[0][0]) if objectives else pd.Series(np.nan, index=pareto.index)
    cmap = plt.get_cmap("viridis")
    finite = colour_values.dropna()
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    for row, value in zip(scaled, colour_values, strict=False):
        shade = 0.5 if not np.isfinite(value) or hi == lo else (value - lo) / (hi - lo)
        ax.plot(range(len(columns)), row, color=cmap(shade), alpha=0.8, marker="o", ms=3)
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels(ticks, fontsize=7)
    ax.set_yticks([0, 0.5, 1])
    ax.set_yticklabels(["min", "", "max"])
    ax.set_xlim(-0.3, len(columns) - 0.7)
    for k in range(len(columns)):
        ax.axvline(k, color="#999", lw=0.6)
    if objectives and len(finite):
        sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(lo, hi))
        fig.colorbar(sm, ax=ax, label=_label(objectives[0][0]))
    fig.tight_layout()
    return _png(fig)


def _stacked(frame: pd.DataFrame, parts: Sequence[tuple[str, str, str]], scale: pd.Series, ylabel: str,
             negative: tuple[str, str, str] | None = None, total: tuple[str, str] | None = None) -> str | None:
    present = [(c, label, colour) for c, label, colour in parts if _has_data(frame, c)]
    has_negative = negative is not None and _has_data(frame, negative[0]) and (_num(frame, negative[0]) > 0).any()
    if not present and not has_negative:
        return None
    x = np.arange(len(frame))
    fig, ax = plt.subplots(figsize=(max(7.0, 0.45 * len(frame) + 3), 4.6))
    bottom = np.zeros(len(frame))
    for column, label, colour in present:
        values = (_num(frame, column) / scale).fillna(0.0).to_numpy()
        ax.bar(x, values, bottom=bottom, color=colour, label=label, width=0.7)
        bottom += values
    if has_negative:
        values = (_num(frame, negative[0]) / scale).fillna(0.0).to_numpy()
        ax.bar(x, -values, color=negative[2], label=negative[1], width=0.7)
    if total is not None and _has_data(frame, total[0]):
        ax.plot(x, (_num(frame, total[0]) / scale).to_numpy(), "kD", ms=5, label=total[1])
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x)
    ax.set_xticklabels(_design_labels(frame), rotation=60, ha="right", fontsize=7)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _png(fig)


def energy_figure(chosen: pd.DataFrame) -> str | None:
    """Stacked site electricity by end use (kWh/(m2 a)), PV generation below zero, net site marked."""
    one = pd.Series(1.0, index=chosen.index)
    return _stacked(chosen, ENERGY_PARTS, one, "electricity, kWh/(m² a)",
                    negative=(PV_COLUMN, "PV generation", "#ffbb00"),
                    total=("res.net_site_energy_kwh_m2", "net site energy"))


def cost_figure(chosen: pd.DataFrame) -> str | None:
    """Stacked investment by component, RMB per m2 of floor area (RMB when the area is unknown)."""
    area = _num(chosen, "cost.floor_area_m2").fillna(_num(chosen, "res.conditioned_floor_area_m2"))
    per_m2 = bool(area.notna().all() and (area > 0).all())
    scale = area if per_m2 else pd.Series(1.0, index=chosen.index)
    return _stacked(chosen, COST_PARTS, scale, "investment, RMB/m²" if per_m2 else "investment, RMB",
                    total=("cost.investment_rmb", "total investment"))


def convergence_figure(history: pd.DataFrame, objectives: Sequence[tuple[str, str]]) -> str | None:
    """Best value of each objective per generation, and evaluated/failed/cached counts."""
    if history.empty or "generation" not in history.columns:
        return None
    gen = _num(history, "generation")
    best = [c for c in history.columns if c.startswith("best.")]
    ordered = [f"best.{n}" for n, _ in objectives if f"best.{n}" in best] + [
        c for c in best if c not in {f"best.{n}" for n, _ in objectives}]
    quality = [c for c in ("hypervolume", "feasible_share") if c in history.columns]
    panels = len(ordered) + len(quality) + 1
    fig, axes = plt.subplots(1, panels, figsize=(3.6 * panels, 3.4), squeeze=False)
    for ax in axes[0]:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    titles = {"hypervolume": "front hypervolume (normalised, ref. 1.1)", "feasible_share": "feasible share"}
    for ax, column in zip(axes[0], ordered + quality, strict=False):
        ax.plot(gen, _num(history, column), "o-", color="#1f77b4", ms=4)
        ax.set_xlabel("generation")
        ax.set_title(titles.get(column) or _label(column), fontsize=9)
        ax.grid(alpha=0.3)
    ax = axes[0][-1]
    width = 0.27
    for offset, (column, label, colour) in zip((-width, 0.0, width), (
            ("n_evaluated", "evaluated", "#2ca02c"), ("n_failed", "failed", "#d62728"),
            ("n_cached", "cached", "#7f7f7f")), strict=True):
        if column in history.columns:
            ax.bar(gen + offset, _num(history, column).fillna(0), width=width, color=colour, label=label)
    ax.set_xlabel("generation")
    ax.set_title("designs per generation", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


# --- HTML ------------------------------------------------------------------------------------
def _spec_html(spec: Mapping[str, Any]) -> str:
    rows = []
    for key, value in spec.items():
        if isinstance(value, Mapping | list | tuple):
            text = json.dumps(value, indent=1, default=str, ensure_ascii=False)
            cell = f"<pre>{html.escape(text)}</pre>"
        else:
            cell = html.escape(str(value))
        rows.append(f'<tr><th class="l">{html.escape(str(key))}</th><td class="l">{cell}</td></tr>')
    return "<table>" + "".join(rows) + "</table>" if rows else '<p class="note">no spec given</p>'


def _counts_html(evaluations: pd.DataFrame, pareto: pd.DataFrame, history: pd.DataFrame) -> str:
    status = evaluations["status"].astype(str) if "status" in evaluations.columns else pd.Series(dtype=str)
    items = [("designs evaluated", len(evaluations)), ("ok", int((status == "ok").sum())),
             ("cached", int((status == "cached").sum())),
             ("failed", int((~status.isin(["ok", "cached"])).sum())),
             ("on the Pareto front", len(pareto))]
    if "generation" in history.columns and len(history):
        items.append(("generations", int(_num(history, "generation").nunique())))
    return "<table>" + "".join(f'<tr><th class="l">{k}</th><td>{v}</td></tr>' for k, v in items) + "</table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        return f"{value:.4g}"
    return str(value)


def table_html(frame: pd.DataFrame, columns: Sequence[str] | None = None, max_rows: int = MAX_TABLE_ROWS) -> str:
    """An escaped HTML table of ``frame`` (selected ``columns``, at most ``max_rows`` rows)."""
    if frame.empty:
        return '<p class="note">none</p>'
    columns = [c for c in (columns or frame.columns) if c in frame.columns]
    shown = frame[columns].head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for _, row in shown.iterrows():
        cells = []
        for c in columns:
            v = row[c]
            cls = ' class="l"' if isinstance(v, str) else ""
            cells.append(f"<td{cls}>{html.escape(_fmt(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = f'<p class="note">{len(frame) - max_rows} more rows not shown</p>' if len(frame) > max_rows else ""
    return f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>{more}'


def pareto_columns(pareto: pd.DataFrame) -> list[str]:
    """Table columns: id and generation, objectives, variables, then key results and costs."""
    key_results = ["res.heating_demand_kwh_m2", "res.cooling_demand_kwh_m2", "res.primary_energy_kwh_m2",
                   "res.net_site_energy_kwh_m2", "res.co2_kg_m2", "cost.incremental_investment_rmb_m2",
                   "cost.lcc_rmb_m2", "cost.simple_payback_years", "sav.saving_vs_existing_primary_energy",
                   "sav.saving_vs_existing_primary_energy_no_pv", "sav.saving_vs_existing_co2_kg_m2",
                   "cost.annual_saving_rmb", "sav.saving_vs_reference_overall", "measures"]
    cols = [c for c in ("design_id", "generation") if c in pareto.columns]
    cols += [c for c in pareto.columns if c.startswith("obj.")]
    cols += [c for c in pareto.columns if c.startswith("var.")]
    cols += [c for c in key_results if c in pareto.columns and c not in cols]
    return cols


def _prefixed(note: str, body: str | None) -> str | None:
    return note + body if body else None


def _section(title: str, body_fn: Callable[[], str | None], empty: str) -> str:
    try:
        body = body_fn()
    except Exception as exc:  # a figure must never stop the report
        body = f'<p class="err">could not draw this section: {html.escape(type(exc).__name__)}: ' \
               f"{html.escape(str(exc))}</p>"
    return f"<h2>{html.escape(title)}</h2>\n" + (body or f'<p class="note">{html.escape(empty)}</p>')


def weather_html(provenance: Mapping[str, Any] | None) -> str | None:
    """The weather's provenance (``weather.json``, :mod:`ultralow.weather.provenance`): one block
    per weather file; a synthetic file is flagged (its verdicts are indicative)."""
    if not provenance:
        return None
    from ultralow.weather.provenance import provenance_lines

    blocks = [provenance] if "file" in provenance else list(provenance.values())
    parts = []
    for block in blocks:
        css = "err" if block.get("synthetic") else "note"
        parts.append(f'<pre class="{css}">' + html.escape("\n".join(provenance_lines(block))) + "</pre>")
    return "\n".join(parts)


def read_weather(run_dir: Path) -> dict[str, Any] | None:
    """``run_dir/weather.json`` (None when the run predates it or it is unreadable)."""
    try:
        return json.loads((Path(run_dir) / "weather.json").read_text())
    except (OSError, ValueError):
        return None


def measures_html(measures: Mapping[str, Any] | None) -> str | None:
    """The measure-by-measure table of :mod:`ultralow.optimise.measures` with its method."""
    if not measures or not measures.get("rows"):
        return None
    from ultralow.optimise.measures import __doc__ as method

    frame = pd.DataFrame(measures["rows"])
    intro = (f'<p class="note">Design {html.escape(str(measures.get("design_id")))} '
             f"({html.escape(str(measures.get('chosen_by')))}). Method: measures added one at a time to the "
             "existing building in a fixed order (envelope, shading, lighting, systems, PV); each row is the "
             "change from the previous step, so the rows add up to the whole package.</p>")
    return intro + table_html(frame, list(frame.columns), 100) + (
        f"<details><summary>method</summary><pre>{html.escape(method or '')}</pre></details>")


def render_report(evaluations: pd.DataFrame, pareto: pd.DataFrame, history: pd.DataFrame,
                  spec: Mapping[str, Any], measures: Mapping[str, Any] | None = None,
                  measures_empty: str = "not a retrofit (no existing building)",
                  weather: Mapping[str, Any] | None = None) -> str:
    """The report's HTML text; ``measures``: the recommended design's measure-by-measure table;
    ``weather``: the weather's provenance (``weather.json``)."""
    evaluations, pareto, history = (normalise(evaluations, spec), normalise(pareto, spec),
                                    normalise(history, spec))
    objectives = objective_specs(pareto, spec)
    chosen = chosen_designs(pareto, evaluations, objectives)
    run = spec.get("run", {}) if isinstance(spec.get("run"), Mapping) else {}
    title = f"ultralow optimisation report: {run.get('name') or spec.get('name') or 'run'}"
    failed = evaluations[~evaluations["status"].astype(str).isin(["ok", "cached"])] \
        if "status" in evaluations.columns else evaluations.iloc[0:0]
    objective_text = ", ".join(f"{n} ({s})" for n, s in objectives) or "none"
    chosen_note = (f'<p class="note">{len(chosen)} designs: '
                   f"{'the Pareto set' if len(pareto) else 'best evaluated designs'}"
                   f"{' (spread along the first objective)' if len(pareto) > len(chosen) else ''}.</p>")
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="note">written {_dt.datetime.now().isoformat(timespec="seconds")}; objectives: '
        f"{html.escape(objective_text)}</p>",
        "<h2>Spec</h2>" + _spec_html(spec),
        _section("Weather", lambda: weather_html(weather), "not recorded (a run older than weather.json)"),
        "<h2>Run summary</h2>" + _counts_html(evaluations, pareto, history),
        _section("Pareto front", lambda: pareto_figure(evaluations, pareto, objectives) if objectives else None,
                 "no objectives"),
        _section("Parallel coordinates of the Pareto designs",
                 lambda: parallel_coordinates_figure(pareto, evaluations, objectives), "no design variables"),
        _section("Energy breakdown of the chosen designs",
                 lambda: _prefixed(chosen_note, energy_figure(chosen)),
                 "no energy results"),
        _section("Cost breakdown of the chosen designs",
                 lambda: _prefixed(chosen_note, cost_figure(chosen)),
                 "no cost results"),
        _section("Measure by measure (recommended design)", lambda: measures_html(measures), measures_empty),
        _section("Convergence by generation", lambda: convergence_figure(history, objectives), "no history"),
        _section("Pareto set", lambda: table_html(pareto, pareto_columns(pareto)), "empty"),
        _section(f"Failed designs ({len(failed)})",
                 lambda: table_html(failed, [c for c in ("design_id", "generation", "error") if c in failed.columns]
                                    + [c for c in failed.columns if c.startswith("var.")], 100),
                 "none"),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(run_dir: Path, evaluations: pd.DataFrame, pareto: pd.DataFrame, history: pd.DataFrame,
                 spec: dict) -> Path:
    """Write ``run_dir/report.html`` (self-contained: inline PNG figures, no external links); return its path.
    ``run_dir/measures.json`` (written by the run for a retrofit) adds the measure-by-measure table."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "report.html"
    measures_path = run_dir / "measures.json"
    measures = json.loads(measures_path.read_text()) if measures_path.is_file() else None
    empty = (measures or {}).get("why_none") or "not a retrofit (no existing building)"
    text = render_report(evaluations, pareto, history, spec or {}, measures, empty, read_weather(run_dir))
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
