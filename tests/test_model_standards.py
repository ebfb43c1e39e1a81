"""Standards on a model file (issue 16): its form as EnergyPlus reports it, its reference building,
``ultralow check --idf`` and standards targets in an optimisation spec.

Real EnergyPlus. Independent references:
- the shape coefficient of the residential template's model, measured from EnergyPlus's own
  geometry tables, against the hand formula of its block (walls + roof over volume, the ground
  floor not counted: GB 50189-2015 2.0.1 / JGJ 26-2018 2.1, unverified);
- the engine's DOE small office (27.69 x 18.46 m, 3.05 m high, an attic above an insulated
  ceiling): its shape coefficient by hand from those dimensions, its roof U by hand from the
  ceiling's layers (1/2 in gypsum, 0.2368 m of insulation at 0.049 W/(m K), 1/2 in gypsum) with
  EnergyPlus's upward inside film on both sides;
- the reference building's envelope against the standard's data file read directly.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from ultralow.errors import InputError
from ultralow.optimise.spec import parse_spec
from ultralow.sim.model_geometry import read_model_geometry
from ultralow.sim.simulate import simulate
from ultralow.templates import get_template
from ultralow.templates.from_file import engine_model_path, model_geometry, model_template
from ultralow.templates.geometry import BlockGeometry
from ultralow.weather import resolve_weather

OFFICE = "engine:RefBldgSmallOfficeNew2004_Chicago.idf"
ROOF_INSIDE_FILM = 0.1074271  # templates/data/surface_films.toml [roof], EnergyPlus's upward inside film


@pytest.fixture(scope="module")
def office():
    try:
        path = engine_model_path(OFFICE)
    except InputError as exc:
        pytest.skip(str(exc))
    return model_template(path)


def test_the_templates_shape_coefficient_is_the_one_energyplus_geometry_gives(tmp_path):
    params = get_template("residential").resolve({"storeys": 4, "length_m": 40.0, "depth_m": 12.0,
                                                  "wwr_south": 0.4, "wwr_north": 0.2})
    simulate("residential", params, resolve_weather(city="harbin"), run_dir=tmp_path, period="design-days")
    geometry = read_model_geometry(tmp_path / "eplusout.sql")
    height = 4 * params["floor_height_m"]
    by_hand = (2 * (40.0 + 12.0) * height + 40.0 * 12.0) / (40.0 * 12.0 * height)
    assert geometry.shape_coefficient_1_m == pytest.approx(by_hand, rel=0.01)
    # the template's own figure (what its reference limits are selected with) is EnergyPlus's
    assert geometry.shape_coefficient_1_m == pytest.approx(
        BlockGeometry.from_params(params, None).shape_coefficient_1_m, rel=0.01)
    assert geometry.storeys == 4
    assert geometry.wwr["south"] == pytest.approx(0.4, abs=0.01)
    assert geometry.wwr["north"] == pytest.approx(0.2, abs=0.01)
    assert geometry.conditioned_floor_area_m2 == pytest.approx(4 * 40.0 * 12.0, rel=0.01)


def test_a_model_files_form_is_measured_once_and_matches_a_hand_calculation(office):
    geometry = model_geometry(office.name)
    footprint, height = 27.69 * 18.46, 3.05
    by_hand = (2 * (27.69 + 18.46) * height + footprint) / (footprint * height)  # walls + attic ceiling
    assert geometry.shape_coefficient_1_m == pytest.approx(by_hand, rel=0.01)
    assert geometry.storeys == 1 and not geometry.ideal_loads
    assert geometry.wwr["south"] == pytest.approx(0.2444, abs=0.001)
    assert model_geometry(office.name) == geometry  # read back from geometry.json


def test_check_idf_builds_the_reference_from_the_model_and_says_it_is_indicative(office, tmp_path):
    """The roof is the insulated ceiling under the attic: the package sets it and the reader
    reports it (by hand from its layers); the reference gets the standard's limits."""
    from ultralow.templates.standards.limits import envelope_limits

    out = subprocess.run(
        [sys.executable, "-m", "ultralow.cli", "check", "--idf", OFFICE, "--city", "harbin", "--target", "gb55015",
         "--set", "wall_u_w_m2k=0.3", "--set", "roof_u_w_m2k=0.2", "--set", "window_u_w_m2k=1.5",
         "--set", "window_shgc=0.4", "--period", "01-08:01-10", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600)
    assert out.returncode in (0, 1), out.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    sims = report["details"]["simulations"]
    assert sims["design"]["roof_u_w_m2k"] == pytest.approx(0.2, rel=0.01)
    assert sims["design"]["wall_u_w_m2k"] == pytest.approx(0.3, rel=0.01)
    # the model as brought: its attic ceiling's U from its layers, with both inside films
    r_layers = 2 * 0.0127 / 0.16 + 0.236804989096202 / 0.049
    geometry = report["details"]["model_file"]["geometry"]
    assert geometry["shape_coefficient_1_m"] == pytest.approx(0.508, abs=0.005)
    limits = envelope_limits("gb55015_2021", "severe_cold_B", "public", 1, geometry["shape_coefficient_1_m"],
                             max(geometry["wwr"].values()))
    assert sims["gb55015_reference"]["wall_u_w_m2k"] == pytest.approx(limits.wall_u_w_m2k, rel=0.01)
    assert sims["gb55015_reference"]["roof_u_w_m2k"] == pytest.approx(limits.roof_u_w_m2k, rel=0.01)
    assert sims["gb55015_reference"]["window_u_w_m2k"] == pytest.approx(limits.window_u_w_m2k, rel=0.01)
    assert report["indicative"] and any("model file keeps its own" in r for r in report["indicative_reasons"])
    names = {i["name"] for i in report["indicators"]}
    assert {"wall_u_w_m2k", "roof_u_w_m2k", "saving_rate_vs_gb55015_reference"} <= names
    # the unchanged model's ceiling, as the reader reports it
    unchanged = simulate(office.name, {}, resolve_weather(city="harbin"), run_dir=tmp_path / "as-brought",
                         period="design-days")
    assert unchanged.roof_u_w_m2k == pytest.approx(1 / (r_layers + 2 * ROOF_INSIDE_FILM), rel=0.01)


def test_check_idf_refuses_costs_and_vintages_naming_why(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ultralow.cli", "check", "--idf", OFFICE, "--city", "harbin",
                          "--vintage", "pre1996", "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "--vintage" in out.stderr and "Traceback" not in out.stderr


def test_a_spec_may_put_standards_targets_on_a_model_file_but_not_costs(tmp_path):
    spec = {"run": {"name": "byo", "population": 4, "generations": 1, "period": "01-08:01-10"},
            "building": {"idf": OFFICE, "city": "harbin"},
            "variables": {"wall_u_w_m2k": {"type": "float", "min": 0.2, "max": 0.6, "step": 0.2}},
            "objectives": [{"metric": "saving_vs_reference_overall", "sense": "max"}],
            "constraints": [{"target": "gb55015"}]}
    parsed = parse_spec(spec)
    assert parsed.needs_reference and parsed.template.startswith("model:")
    spec["objectives"].append({"metric": "lcc_rmb", "sense": "min"})
    with pytest.raises(InputError, match="lcc_rmb.*not available for a model file"):
        parse_spec(spec)
