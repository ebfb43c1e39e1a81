"""Issue 14: the weather policy. Every check report states its weather; a synthetic file makes the
verdict indicative and the strict options refuse it; the cooling limit is shown with its spread
over the city's measured years. Real EnergyPlus (design days)."""

from __future__ import annotations

import csv
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from conftest import CHICAGO_EPW
from ultralow.cli import main


def _residential_cooling_formula() -> dict[str, float]:
    """GB/T 51350 cooling-demand formula of ultra-low residential buildings, read from the
    standards data file with tomllib (not through the toolkit's loader)."""
    text = resources.files("ultralow.templates.standards").joinpath("data", "gbt51350_2019.toml").read_text()
    rows = [r for r in tomllib.loads(text)["indicator"]
            if r.get("formula") and r["target"] == "ultra-low" and r["use"] == "residential"]
    assert len(rows) == 1
    return rows[0]["formula"]


def _measured_rows(city: str) -> list[dict[str, str]]:
    path = resources.files("ultralow.weather").joinpath("data", "measured_years.csv")
    return [r for r in csv.DictReader(path.read_text().splitlines())
            if r["city"] == city and r["complete"].lower() == "true"]


def test_strict_check_refuses_synthetic_weather_before_simulating(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["check", "--template", "residential", "--city", "harbin", "--strict", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "synthetic design year" in err and "--epw" in err and "Traceback" not in err
    assert not out.exists()  # refused before anything was simulated


@pytest.mark.parametrize("kind", ["optimise", "sweep"])
def test_strict_specs_refuse_synthetic_weather(tmp_path, capsys, kind):
    spec = tmp_path / "s.toml"
    if kind == "optimise":
        spec.write_text('[run]\nname = "s"\nperiod = "design-days"\nstore = "none"\n'
                        '[building]\ntemplate = "residential"\ncity = "harbin"\nstrict_weather = true\n'
                        '[variables.wall_u_w_m2k]\ntype = "float"\nmin = 0.15\nmax = 0.45\n'
                        '[[objectives]]\nmetric = "primary_energy_kwh_m2"\n')
    else:
        spec.write_text('[sweep]\nname = "s"\nmethod = "lhs"\nn = 2\nperiod = "design-days"\n'
                        'templates = ["residential"]\ncities = ["harbin"]\nstore = "none"\nstrict_weather = true\n'
                        '[variables.wall_u_w_m2k]\ntype = "float"\nmin = 0.15\nmax = 0.45\n')
    code = main([kind, str(spec), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "strict_weather = true" in err and "synthetic" in err
    assert not (tmp_path / "out").exists()
    spec.write_text(spec.read_text().replace("strict_weather = true", "strict_weather = \"yes\""))
    assert main([kind, str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "must be true or false" in capsys.readouterr().err


def test_check_states_synthetic_weather_and_the_limit_spread_over_measured_years(tmp_path, capsys):
    out = tmp_path / "beijing"
    code = main(["check", "--template", "residential", "--city", "beijing", "--target", "ultra-low",
                 "--period", "design-days", "--out", str(out), "--no-measures"])
    text = capsys.readouterr().out
    assert code in (0, 1)
    report = json.loads((out / "report.json").read_text())
    weather = report["details"]["weather"]
    path = Path(weather["file"])
    assert weather["synthetic"] is True and weather["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "synthetic weather" in " ".join(report["indicative_reasons"])
    # the cooling limit on each measured year, by hand from measured_years.csv and the toml formula
    f = _residential_cooling_formula()
    rows = _measured_rows("beijing")
    assert len(rows) >= 3
    limits = [f["constant"] + f["wdh20_kkh"] * float(r["wdh20_kkh"]) + f["ddh28_kkh"] * float(r["ddh28_kkh"])
              for r in rows]
    (name, spread), = report["details"]["limit_on_measured_years"].items()
    assert spread["years"] == [int(r["year"]) for r in rows]
    assert spread["min"] == pytest.approx(min(limits), abs=1e-3)
    assert spread["max"] == pytest.approx(max(limits), abs=1e-3)
    assert "weather: synthetic design year (indicative verdicts only): Beijing" in text
    assert "on the city's measured years" in text
    html = (out / "report.html").read_text()
    assert "<h2>Weather</h2>" in html and weather["sha256"][:16] in html


def test_strict_check_runs_on_a_user_file_and_names_it(tmp_path, capsys):
    out = tmp_path / "chicago"
    costs = tmp_path / "costs.toml"
    costs.write_text('[tariffs]\ncity = "beijing"\n')  # a user weather file has no province of its own
    code = main(["check", "--template", "residential", "--epw", str(CHICAGO_EPW), "--target", "gb55015",
                 "--period", "design-days", "--strict", "--costs", str(costs), "--out", str(out)])
    capsys.readouterr()
    assert code in (0, 1)
    report = json.loads((out / "report.json").read_text())
    weather = report["details"]["weather"]
    assert weather["synthetic"] is False and weather["file"] == str(CHICAGO_EPW.resolve())
    assert weather["sha256"] == hashlib.sha256(CHICAGO_EPW.read_bytes()).hexdigest()
    assert "measured_years" not in weather  # a user file is not matched to a city's record
    assert not any("synthetic" in r for r in report["indicative_reasons"])
