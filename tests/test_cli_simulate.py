"""``ultralow simulate`` and ``ultralow templates`` through the real command-line entry point."""

from __future__ import annotations

import json

import pytest
from conftest import CHICAGO_EPW
from ultralow.cli import main


def test_simulate_json_with_epw(tmp_path, capsys):
    code = main(["simulate", "--template", "residential", "--epw", str(CHICAGO_EPW), "--period", "design-days",
                 "--set", "wall_u_w_m2k=0.15", "--set", "pv_roof_fraction=0.5", "--set", "psi_balcony_w_mk=0",
                 "--set", "psi_window_installation_w_mk=0", "--run-dir", str(tmp_path), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("heating_demand_kwh_m2", "cooling_demand_kwh_m2", "heating_electricity_kwh_m2",
                "pv_generation_kwh_m2", "net_site_energy_kwh_m2", "primary_energy_kwh_m2", "co2_kg_m2",
                "peak_heating_load_w_m2", "unmet_heating_hours", "conditioned_floor_area_m2", "energyplus_version"):
        assert key in out
    assert out["wall_u_w_m2k"] == pytest.approx(0.15, rel=0.02)
    assert (tmp_path / "eplusout.sql").exists() and (tmp_path / "in.idf").exists()


def test_simulate_table_with_city(tmp_path, capsys):
    code = main(["simulate", "--template", "office", "--city", "harbin", "--period", "design-days",
                 "--run-dir", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "Heating demand" in out and "severe_cold_B" in out and "SYNTHETIC" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--template", "villa", "--city", "harbin"], "unknown template 'villa'"),
        (["--template", "residential", "--city", "harbin", "--set", "wall_u=0.2"], "no parameter 'wall_u'"),
        (["--template", "residential", "--city", "harbin", "--set", "window_shgc=1.2"], "window_shgc"),
        (["--template", "residential", "--city", "atlantis"], "atlantis"),
        (["--template", "residential", "--epw", "/nonexistent/x.epw"], "x.epw"),
        (["--template", "residential", "--city", "harbin", "--period", "jan"], "period 'jan'"),
        (["--template", "residential", "--city", "harbin", "--set", "wall_u_w_m2k=0.2",
          "--set", "wall_insulation_mm=100", "--period", "design-days"], "not both"),
    ],
)
def test_bad_input_exits_2_naming_the_problem(argv, message, capsys, tmp_path):
    assert main(["simulate", *argv, "--run-dir", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_templates_show(capsys):
    assert main(["templates", "show", "residential", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["parameters"]
    wall = next(r for r in rows if r["name"] == "wall_u_w_m2k")
    assert wall["unit"] == "W/(m2 K)" and wall["allowed"] == "0.08 .. 3"
