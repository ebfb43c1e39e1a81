"""Write a ComplianceReport as ``report.json``, a self-contained ``report.html`` (inline CSS,
no scripts, no external assets) and a plain-text table for the terminal."""

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


def format_text(report: ComplianceReport) -> str:
    """Fixed-width table: indicator, value, limit, margin, status, clause."""
    rows = [("indicator", "value", "limit", "margin", "unit", "status", "clause")]
    for ind in report.indicators:
        rows.append((ind.name, _fmt(ind.value), f"{ind.comparison} {_fmt(ind.limit)}",
                     _fmt(ind.margin), ind.unit, _status(ind) + ("" if ind.verified else " (U)"),
                     ind.clause))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"Target {report.target} ({report.standard}), {report.building_use}, "
             f"zone {report.climate_zone}: {'ALL PASS' if report.passed else 'NOT MET'}"]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    lines.append("(U) = limit from an unverified source value; check against the printed standard.")
    return "\n".join(lines)


def _value_html(value: Any) -> str:
    """A value as HTML: nested mappings become nested tables, numbers get 4 significant digits."""
    if isinstance(value, Mapping):
        rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td class='num'>{_value_html(v)}</td></tr>"
                       for k, v in value.items())
        return f"<table class='nested'>{rows}</table>"
    return html.escape(_fmt(value, 4))


def _details_html(details: Mapping[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if isinstance(value, Mapping):
            parts.append(f"<h3>{html.escape(key)}</h3>{_value_html(value)}")
        else:
            parts.append(f"<p><b>{html.escape(key)}</b>: {_value_html(value)}</p>")
    return "\n".join(parts)


def period_warning(meta: Mapping[str, Any] | None) -> str:
    """A warning when the simulated period is not a whole year (limits are annual)."""
    period = (meta or {}).get("period", "annual")
    if period in (None, "annual"):
        return ""
    return (f"Simulated period '{period}' is not a whole year: the annual limits are compared with "
            "partial-period values, for a quick look only.")


def to_html(report: ComplianceReport, meta: Mapping[str, Any] | None = None) -> str:
    """A readable standalone HTML page."""
    verdict = "All indicators pass" if report.passed else (
        f"{len(report.failed)} of {len(report.indicators)} indicators not met")
    rows = []
    for ind in report.indicators:
        cls = {True: "pass", False: "fail", None: "na"}[ind.passed]
        rows.append(
            f"<tr class='{'' if ind.verified else 'unverified'}'>"
            f"<td>{html.escape(ind.label)}<br><small>{html.escape(ind.name)}</small></td>"
            f"<td class='num'>{_fmt(ind.value)}</td>"
            f"<td class='num'>{html.escape(ind.comparison)} {_fmt(ind.limit)}</td>"
            f"<td class='num'>{_fmt(ind.margin)}</td><td>{html.escape(ind.unit)}</td>"
            f"<td class='{cls}'>{_status(ind)}</td>"
            f"<td>{html.escape(ind.clause)}<br><small>{html.escape(ind.source)}</small></td>"
            f"<td>{'yes' if ind.verified else 'no'}</td><td><small>{html.escape(ind.note)}</small></td></tr>")
    meta_rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                        for k, v in (meta or {}).items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>ultralow compliance report: {html.escape(report.target)}</title>
<style>{_CSS}</style></head><body>
<h1>Compliance report: {html.escape(report.target)} ({html.escape(report.standard)})</h1>
<p>{html.escape(report.building_use)} building, climate zone {html.escape(report.climate_zone)}</p>
<p class="banner {'pass' if report.passed else 'fail'}">{html.escape(verdict)}</p>
{f'<p class="banner fail">{html.escape(period_warning(meta))}</p>' if period_warning(meta) else ''}
<table>{meta_rows}</table>
<h2>Indicators</h2>
<table><tr><th>Indicator</th><th>Value</th><th>Limit</th><th>Margin</th><th>Unit</th>
<th>Status</th><th>Clause / source</th><th>Verified</th><th>Note</th></tr>
{''.join(rows)}</table>
<p><small>Margin: headroom in the indicator's unit (negative = missed by that much). Rows shaded
yellow use limit values not yet verified against the printed standard.</small></p>
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
