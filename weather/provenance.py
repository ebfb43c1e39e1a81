"""The weather policy: what weather a result used, and what a verdict on it may claim.

Every output (``check`` reports, optimisation and sweep run folders and reports) carries
:func:`weather_provenance`: the file and its SHA-256, whether it is synthetic, where it comes
from (the EPW's LOCATION source and comments), and, for a registry city with a measured hourly
record, the spread of GB/T 51350's cooling-demand climate indices (WDH20, DDH28) over the
measured years, so the cooling limit can be shown with its year-to-year uncertainty.

Policy (README "Weather"): a compliance verdict on a synthetic file is *indicative*
(``templates/standards/evaluate.py``); ``check --strict`` and the spec key
``[targets] strict_weather = true`` refuse synthetic weather (:func:`require_non_synthetic`),
because the cooling limit 3.5 + 2.0·WDH20 + 2.2·DDH28 is computed from the weather itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ultralow.errors import InputError
from ultralow.weather.epw import read_epw
from ultralow.weather.reference import MeasuredYear, Spread, measured_years


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def weather_provenance(weather: Any) -> dict[str, Any]:
    """Provenance of a :class:`~ultralow.weather.source.WeatherSource` as a JSON-ready dict:
    ``file``, ``sha256``, ``synthetic``, ``kind``, ``location``, ``source`` (the EPW LOCATION
    source field), ``comments`` (the EPW COMMENTS 1/2: for a synthetic file its donor, method,
    normals and radiation sources), ``description`` and, where the city has a measured hourly
    record, ``measured_years`` (the years and the spread of WDH20/DDH28 in kK·h)."""
    path = Path(weather.epw_path)
    epw = read_epw(path)
    loc = epw.location
    synthetic = bool(weather.synthetic)
    out: dict[str, Any] = {
        "file": str(path),
        "sha256": _sha256(path),
        "synthetic": synthetic,
        "kind": "synthetic design year (indicative verdicts only)" if synthetic else "user weather file",
        "location": (f"{loc.city}, {loc.state_province}, {loc.country} (WMO {loc.wmo}; "
                     f"{loc.latitude_deg:.2f}°N {loc.longitude_deg:.2f}°E, {loc.elevation_m:.0f} m)"),
        "source": loc.source,
        "comments": [c.strip() for c in (epw.header.comments_1, epw.header.comments_2) if c.strip()],
        "description": weather.description,
        "climate_zone": weather.climate_zone,
    }
    years = measured_years(getattr(weather, "city", None))
    if years:
        out["measured_years"] = measured_years_summary(years)
    return out


def measured_years_summary(years: tuple[MeasuredYear, ...]) -> dict[str, Any]:
    """The measured years and the spread of their WDH20 and DDH28 (kK·h)."""
    return {
        "source": "UCI PM2.5 Data of Five Chinese Cities, hourly records (weather/data/measured_years.csv)",
        "years": [y.year for y in years],
        "wdh20_kkh": Spread.of([y.wdh20_kkh for y in years]).to_dict(),
        "ddh28_kkh": Spread.of([y.ddh28_kkh for y in years]).to_dict(),
    }


def provenance_lines(provenance: dict[str, Any]) -> list[str]:
    """Plain-text lines for reports."""
    lines = [f"weather: {provenance['kind']}: {provenance['location']}",
             f"  file {provenance['file']} (sha256 {provenance['sha256'][:16]}…), LOCATION source "
             f"{provenance['source']!r}"]
    lines += [f"  {c}" for c in provenance["comments"]]
    if "measured_years" in provenance:
        m = provenance["measured_years"]
        lines.append(f"  measured years {m['years'][0]}–{m['years'][-1]} (n = {len(m['years'])}): "
                     f"WDH20 {m['wdh20_kkh']['min']:.2f}–{m['wdh20_kkh']['max']:.2f}, DDH28 "
                     f"{m['ddh28_kkh']['min']:.2f}–{m['ddh28_kkh']['max']:.2f} kK·h")
    return lines


def require_non_synthetic(weather: Any, where: str) -> None:
    """InputError when ``weather`` is synthetic (strict weather policy; ``where`` names the option)."""
    if weather.synthetic:
        raise InputError(
            f"{where}: the weather is a synthetic design year ({weather.description}); GB/T 51350's "
            "cooling-demand limit is computed from the weather itself, so a strict check needs a measured "
            "or typical-year file (CSWD, CTYW, TMYx): give it with --epw FILE (or [building] epw = ...), "
            "or drop the strict option for an indicative result")
