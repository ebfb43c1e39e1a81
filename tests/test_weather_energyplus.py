"""EnergyPlus runs a synthetic design-year file without weather warnings a real file lacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ultralow.weather.epw import read_epw
from ultralow.weather.morph import donor_dir, synthesise, write_epw

try:
    from ultralow.sim.engine import run_energyplus
except ImportError:  # pragma: no cover - the engine runner is written in parallel
    run_energyplus = None

MODEL = donor_dir().parent / "model" / "RefBldgSmallOfficeNew2004_Chicago.idf"
CHICAGO = next(donor_dir().glob("*Chicago*.epw"))
WEATHER_WORDS = re.compile(r"weather|epw|solar|radiation|humidity|dew ?point|dry ?bulb|"
                           r"ground temp|location|time ?zone|latitude|longitude", re.I)


def _short_idf(tmp_path: Path, epw: Path, name: str) -> Path:
    """The reference small office, run for 1–14 January on the weather file only, with its
    Site:Location set to the weather file's location (as ultralow's models do)."""
    loc = read_epw(epw).location
    new_values = {
        "!- Latitude {deg}": f"{loc.latitude_deg}",
        "!- Longitude {deg}": f"{loc.longitude_deg}",
        "!- Time Zone {hr}": f"{loc.time_zone_h}",
        "!- Run Simulation for Sizing Periods": "No",
        "!- Run Simulation for Weather File Run Periods": "Yes",
        "!- End Month": "1",
        "!- End Day of Month": "14",
        "!- Elevation {m}": f"{loc.elevation_m}",
    }
    out_lines = []
    done = set()
    for line in MODEL.read_text().splitlines():
        for comment, value in new_values.items():
            if line.rstrip().endswith(comment) and comment not in done:
                end = ";" if comment == "!- Elevation {m}" else ","
                line = f"    {value}{end}{' ' * 20}{comment}"
                done.add(comment)
        out_lines.append(line)
    assert done == set(new_values)
    out = tmp_path / f"{name}.idf"
    out.write_text("\n".join(out_lines) + "\n")
    return out


def _warnings(err: Path) -> set[str]:
    """Weather-related Warning/Severe messages, with numbers and names blanked."""
    found = set()
    lines = err.read_text(errors="replace").splitlines()
    for i, line in enumerate(lines):
        s = line.strip()
        if not (s.startswith("** Warning") or s.startswith("** Severe")):
            continue
        block = " ".join([s] + [ln.strip() for ln in lines[i + 1:i + 4]
                                if ln.strip().startswith("**   ~~~")])
        if WEATHER_WORDS.search(block):
            found.add(re.sub(r"[-+]?\d[\d.:/]*", "#", s))
    return found


@pytest.mark.skipif(run_energyplus is None, reason="ultralow.sim.engine not available")
def test_energyplus_accepts_synthetic_harbin(tmp_path, monkeypatch):
    monkeypatch.setenv("ULTRALOW_CACHE", str(tmp_path / "cache"))
    harbin = write_epw(synthesise("harbin"), tmp_path / "harbin.epw")
    ref = run_energyplus(_short_idf(tmp_path, CHICAGO, "chicago"), CHICAGO,
                         tmp_path / "run_chicago")
    syn = run_energyplus(_short_idf(tmp_path, harbin, "harbin"), harbin,
                         tmp_path / "run_harbin")
    assert syn.severe_count == 0
    extra = _warnings(syn.err_path) - _warnings(ref.err_path)
    assert not extra, extra
    text = syn.err_path.read_text(errors="replace")
    assert "EnergyPlus Completed Successfully" in text
