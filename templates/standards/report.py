"""Write a ComplianceReport as ``report.json``, a self-contained ``report.html`` (inline CSS,
no scripts, no external assets) and a plain-text table for the terminal.

Every output states whether the check is only *indicative* (and why), the area basis of each
per-m2 indicator, the calculation-profile warnings and the plausibility warnings. Requirements
(counted in pass/fail) and informative recommended values are shown apart."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ultralow.templates.standards.indicators import ComplianceReport, Indicator

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans SC",sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#0a6b2d;font-weight:600}.fail{color:#b00020;font-weight:600}.na{color:#8a6d00;font-weight:600}
.banner{padding:.6rem 1rem;border-radius:4px;display:inline-block;font-weight:600}
.banner.pass{background:#e3f4e8}.banner.fail{background:#fbe3e6}
.unverified{background:#fff6d6}small{color:#555}
.banner.indicative{background:#fff1cc;color:#6b4e00;display:block}.banner.warn{background:#fde8d7;color:#7a3300;display:block}
"""


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.{digits}g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)


def _status(ind: Indicator) -> str:
    return {True: "PASS", False: "FAIL", None: "N/A"}[ind.passed]


def to_json(report: ComplianceReport, meta: Mapping[str, Any] | None = None) -> str:
    data = report.to_dict()
    if meta:
        data["meta"] = dict(meta)
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def _text_rows(indicators: list[Indicator]) -> list[tuple[str, ...]]:
    rows = [("indicator", "value", "limit", "margin", "unit", "basis", "status", "clause")]
    for ind in indicators:
        rows.append((ind.name, _fmt(ind.value), f"{ind.comparison} {_fmt(ind.limit)}",
                     _fmt(ind.margin), ind.unit, ind.area_basis or "-",
                     _status(ind) + ("" if ind.verified else " (U)"), ind.clause))
    return rows


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def warning_lines(report: ComplianceReport) -> list[str]:
    """Calculation-profile and plausibility warnings, one line each."""
    lines = [f"warning: {w}" for w in report.calculation_warnings]
    lines += [f"plausibility warning: {getattr(w, 'message', w)}" for w in report.warnings]
    return lines


def format_text(report: ComplianceReport) -> str:
    """Fixed-width tables (requirements, then recommended values): indicator, value, limit,
    margin, unit, area basis, status, clause; then the area-basis notes and the warnings."""
    lines = [f"Target {report.target} ({report.standard}), {report.building_use}, "
             f"zone {report.climate_zone}: {report.headline()}"]
    lines += _table(_text_rows(report.requirements))
    if report.recommendations:
        lines.append("Recommended values (informative, NOT counted in pass/fail):")
        lines += ["  " + line for line in _table(_text_rows(report.recommendations))]
    lines.append("(U) = limit from an unverified source value; check against the printed standard.")
    for ind in report.requirements:
        if ind.area_basis:
            lines.append(f"{ind.name}: {ind.note}")
    lines += warning_lines(report)
    lines += weather_lines(report)
    economics = report.details.get("economics")
    if economics:
        lines.append(f"Economics (baseline: {economics.get('baseline')}):")
        lines += [f"  {k}: {_fmt(v, 4)}" for k, v in economics.items() if k != "baseline"]
    savings = report.details.get("savings_vs_existing_building")
    if savings:
        lines.append("Savings against the existing building:")
        lines += [f"  {k}: {_fmt(v, 4)}" for k, v in savings.items()]
    steps = report.details.get("measures")
    if steps:
        lines.append(f"Measure by measure ({MEASURE_METHOD}):")
        rows = [tuple(MEASURE_COLUMNS.values())]
        rows += [tuple(_fmt(step[k], 4) for k in MEASURE_COLUMNS) for step in steps]
        lines += ["  " + line for line in _table(rows)]
    return "\n".join(lines)


MEASURE_METHOD = ("measures added one at a time to the existing building in the stated order; each "
                  "row is the change from the previous step; see ultralow/optimise/measures.py")
MEASURE_COLUMNS = {"measure": "measure", "primary_energy_kwh_m2": "PE after kWh/m2a",
                   "primary_energy_saving_kwh_m2": "PE saved kWh/m2a",
                   "site_energy_saving_kwh_m2": "site saved kWh/m2a",
                   "energy_cost_saving_rmb": "cost saved RMB/a", "investment_rmb": "investment RMB",
                   "simple_payback_years": "payback a"}


def _value_html(value: Any) -> str:
    """A value as HTML: nested mappings become nested tables, numbers get 4 significant digits."""
    if isinstance(value, Mapping):
        rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td class='num'>{_value_html(v)}</td></tr>"
                       for k, v in value.items())
        return f"<table class='nested'>{rows}</table>"
    return html.escape(_fmt(value, 4))


def _rows_html(rows: list[Mapping[str, Any]]) -> str:
    """A list of uniform mappings as one table (a row per mapping)."""
    head = "".join(f"<th>{html.escape(MEASURE_COLUMNS.get(k, k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td class='num'>{_value_html(v)}</td>" for v in row.values()) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _details_html(details: Mapping[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if key == "measures" and value:
            parts.append(f"<h3>Measure by measure</h3><p>{html.escape(MEASURE_METHOD)}</p>{_rows_html(value)}")
        elif isinstance(value, Mapping):
            parts.append(f"<h3>{html.escape(key)}</h3>{_value_html(value)}")
        else:
            parts.append(f"<p><b>{html.escape(key)}</b>: {_value_html(value)}</p>")
    return "\n".join(parts)


def weather_lines(report: ComplianceReport) -> list[str]:
    """The weather's provenance and, for a weather-dependent limit, its spread over the city's
    measured years (``details["weather"]``, ``details["limit_on_measured_years"]``)."""
    from ultralow.weather.provenance import provenance_lines

    lines = provenance_lines(report.details["weather"]) if report.details.get("weather") else []
    for name, spread in (report.details.get("limit_on_measured_years") or {}).items():
        ind = next((i for i in report.indicators if i.name == name), None)
        if ind is not None and ind.limit is not None:
            lines.append(f"{ind.label}: limit {ind.limit:.1f} {ind.unit} on this weather; "
                         f"{spread['min']:.1f}-{spread['max']:.1f} (mean {spread['mean']:.1f} +/- "
                         f"{spread['sd']:.1f}) on the city's measured years {spread['years'][0]}-"
                         f"{spread['years'][-1]}")
    return lines


def period_warning(meta: Mapping[str, Any] | None) -> str:
    """A warning when the simulated period is not a whole year (limits are annual)."""
    period = (meta or {}).get("period", "annual")
    if period in (None, "annual"):
        return ""
    return (f"Simulated period '{period}' is not a whole year: the annual limits are compared with "
            "partial-period values, for a quick look only.")


def _indicator_rows_html(indicators: list[Indicator]) -> str:
    rows = []
    for ind in indicators:
        cls = {True: "pass", False: "fail", None: "na"}[ind.passed]
        rows.append(
            f"<tr class='{'' if ind.verified else 'unverified'}'>"
            f"<td>{html.escape(ind.label)}<br><small>{html.escape(ind.name)}</small></td>"
            f"<td class='num'>{_fmt(ind.value)}</td>"
            f"<td class='num'>{html.escape(ind.comparison)} {_fmt(ind.limit)}</td>"
            f"<td class='num'>{_fmt(ind.margin)}</td><td>{html.escape(ind.unit)}</td>"
            f"<td>{html.escape(ind.area_basis or '-')}</td>"
            f"<td class='{cls}'>{_status(ind)}</td>"
            f"<td>{html.escape(ind.clause)}<br><small>{html.escape(ind.source)}</small></td>"
            f"<td>{'yes' if ind.verified else 'no'}</td><td><small>{html.escape(ind.note)}</small></td></tr>")
    head = ("<tr><th>Indicator</th><th>Value</th><th>Limit</th><th>Margin</th><th>Unit</th><th>Area basis</th>"
            "<th>Status</th><th>Clause / source</th><th>Verified</th><th>Note</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _indicative_html(report: ComplianceReport) -> str:
    if not report.indicative:
        return ""
    items = "".join(f"<li>{html.escape(r)}</li>" for r in report.indicative_reasons)
    return (f'<div class="banner indicative">Indicative result, not a compliance statement:'
            f"<ul>{items}</ul></div>")


def _warnings_html(report: ComplianceReport) -> str:
    parts = [f'<p class="banner warn">Warning: {html.escape(w)}</p>' for w in report.calculation_warnings]
    if report.warnings:
        rows = []
        for w in report.warnings:
            lo, hi = w.plausible_range
            drivers = {k: v for k, v in w.drivers.items() if v is not None}
            rows.append(f"<tr><td>{html.escape(w.quantity)}</td><td class='num'>{_fmt(w.value)}</td>"
                        f"<td class='num'>{_fmt(lo)}-{_fmt(hi)}</td><td>{html.escape(w.unit)}, "
                        f"{html.escape(w.area_basis)}</td><td><small>{html.escape(w.message)}</small></td>"
                        f"<td>{_value_html(drivers)}</td></tr>")
        parts.append('<h2>Plausibility warnings</h2><p class="banner warn">'
                     f"{len(report.warnings)} result(s) outside the plausible range (a warning, not a "
                     "pass/fail; ranges are unverified assumptions)</p><table><tr><th>Quantity</th><th>Value</th>"
                     "<th>Plausible</th><th>Unit, basis</th><th>Message</th><th>Drivers</th></tr>"
                     f"{''.join(rows)}</table>")
    return "\n".join(parts)


def _weather_html(report: ComplianceReport) -> str:
    lines = weather_lines(report)
    if not lines:
        return ""
    return "<h2>Weather</h2><pre>" + html.escape("\n".join(lines)) + "</pre>"


def to_html(report: ComplianceReport, meta: Mapping[str, Any] | None = None) -> str:
    """A readable standalone HTML page."""
    verdict = "All requirements pass" if report.passed else (
        f"{len(report.failed)} of {len(report.requirements)} requirements not met")
    if report.indicative:
        verdict += " (indicative)"
    meta_rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                        for k, v in (meta or {}).items())
    recommended = ""
    if report.recommendations:
        recommended = ("<h2>Recommended values (informative, not counted in pass/fail)</h2>"
                       + _indicator_rows_html(report.recommendations))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>ultralow compliance report: {html.escape(report.target)}</title>
<style>{_CSS}</style></head><body>
<h1>Compliance report: {html.escape(report.target)} ({html.escape(report.standard)})</h1>
<p>{html.escape(report.building_use)} building, climate zone {html.escape(report.climate_zone)}</p>
<p class="banner {'pass' if report.passed else 'fail'}">{html.escape(verdict)}</p>
{_indicative_html(report)}
{f'<p class="banner fail">{html.escape(period_warning(meta))}</p>' if period_warning(meta) else ''}
{_warnings_html(report)}
<table>{meta_rows}</table>
<h2>Requirements</h2>
{_indicator_rows_html(report.requirements)}
{recommended}
<p><small>Margin: headroom in the indicator's unit (negative = missed by that much). Rows shaded
yellow use limit values not yet verified against the printed standard. Area basis: the floor area a
per-m2 value and its limit refer to (usable = 套内使用面积; conditioned = gross conditioned area).</small></p>
{_weather_html(report)}
<h2>Details</h2>
{_details_html(report.details)}
</body></html>
"""


def write_report(report: ComplianceReport, out_dir: str | Path,
                 meta: Mapping[str, Any] | None = None) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.html`` into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "report.json", out / "report.html"
    json_path.write_text(to_json(report, meta), encoding="utf-8")
    html_path.write_text(to_html(report, meta), encoding="utf-8")
    return json_path, html_path
