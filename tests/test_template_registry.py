"""The public template API (issue 16): register a template from Python, or ship one as a package's
entry point (group ``ultralow.templates``) and run it from the CLI. Real EnergyPlus on design days.

The entry-point tests install nothing into the shared environment: a distribution is a
``<name>.dist-info`` folder (METADATA, entry_points.txt) next to its module on a temporary
``PYTHONPATH`` entry, which is what ``importlib.metadata`` reads for an installed package.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ultralow.errors import InputError
from ultralow.sim.simulate import simulate
from ultralow.templates import get_template, list_templates, register_template, template_sources

PLUGIN = Path(__file__).resolve().parents[1] / "templates" / "examples" / "plugin"


@pytest.fixture
def registry(monkeypatch):
    """An empty registry of Python-registered templates for one test (others never see them)."""
    import ultralow.templates

    monkeypatch.setattr(ultralow.templates, "_registered", {})


def test_register_from_python_and_simulate(registry, chicago_weather, tmp_path):
    block = dataclasses.replace(get_template("residential"), name="test_block", description="a registered copy")
    register_template(block)
    assert "test_block" in list_templates() and template_sources()["test_block"] == "registered"
    with pytest.raises(InputError, match="exists"):
        register_template(block)
    with pytest.raises(InputError, match="exists"):
        register_template(dataclasses.replace(block, name="residential"))
    register_template(block, replace=True)
    with pytest.raises(InputError, match="building_use"):
        register_template(dataclasses.replace(block, name="bad_use", building_use="shop"))
    result = simulate(block, {"storeys": 2}, chicago_weather, run_dir=tmp_path, period="design-days")
    assert result.conditioned_floor_area_m2 == pytest.approx(2 * 60.0 * 12.0, rel=0.01)
    assert result.template == "test_block"  # the residential builder, reported under its new name


def _distribution(site: Path, dist: str, entry_points: str, module: Path | None = None) -> None:
    info = site / f"{dist.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(f"[ultralow.templates]\n{entry_points}\n")
    if module is not None:
        shutil.copy(module, site / module.name)


def _cli(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "ultralow.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_an_entry_point_template_runs_from_the_cli(tmp_path):
    site = tmp_path / "site"
    _distribution(site, "ultralow-row-house", "row_house = ultralow_row_house:TEMPLATE",
                  PLUGIN / "ultralow_row_house.py")
    listed = _cli(site, "templates", "list")
    assert listed.returncode == 0 and "row_house" in listed.stdout and "entry point ultralow-row-house" in listed.stdout
    run = _cli(site, "simulate", "--template", "row_house", "--city", "harbin", "--period", "design-days",
               "--run-dir", str(tmp_path / "run"))
    assert run.returncode == 0, run.stderr
    assert "template   row_house" in run.stdout
    # the plugin's geometry: 36 m x 9 m x 2 storeys (its defaults, not the residential block's)
    assert "648.000" in run.stdout


def test_a_broken_entry_point_exits_2_naming_it_and_hides_nothing(tmp_path):
    site = tmp_path / "site"
    _distribution(site, "broken-plugin", "broken = no_such_module_here:TEMPLATE")
    run = _cli(site, "simulate", "--template", "broken", "--city", "harbin", "--period", "design-days")
    assert run.returncode == 2 and "'broken'" in run.stderr and "broken-plugin" in run.stderr
    assert "Traceback" not in run.stderr
    listed = _cli(site, "templates", "list")
    assert listed.returncode == 0 and "residential" in listed.stdout and "broken:" in listed.stdout
