"""Bring your own model (issue 16): a model file run as it is, with package and field parameters.

Real EnergyPlus on the engine's own DOE small-office reference building (real HVAC, gas furnaces,
DX cooling), one January week in Harbin. Independent references, all from the same run's
``eplusout.sql``: EnergyPlus's Annual Building Utility Performance Summary "End Uses" (heating
gas, cooling and fan electricity; the reader sums hourly meters instead) and its Envelope
Summary (each construction's "U-Factor with Film"; the reader classifies surfaces by tilt).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from ultralow.sim.simulate import simulate
from ultralow.templates.from_file import model_template

GJ_TO_KWH = 277.7778
WEEK = "01-08:01-14"


def _reference_model() -> Path:
    import pyenergyplus

    path = Path(pyenergyplus.__file__).parent / "data" / "model" / "RefBldgSmallOfficeNew2004_Chicago.idf"
    if not path.is_file():
        pytest.skip(f"the engine's reference building is not installed: {path}")
    return path


@pytest.fixture(scope="module")
def stripped_renamed(tmp_path_factory) -> Path:
    """The small office without any Output:Variable / Output:Meter / Output:SQLite, and with every
    construction renamed (references follow), written to a new file."""
    from eppy.modeleditor import rename
    from ultralow.sim.file_model import load_model_text, model_file_text

    source = _reference_model()
    idf = load_model_text(model_file_text(source), str(source))
    for kind in ("OUTPUT:VARIABLE", "OUTPUT:METER", "OUTPUT:METER:METERFILEONLY", "OUTPUT:SQLITE"):
        for obj in list(idf.idfobjects[kind]):
            idf.removeidfobject(obj)
    for i, construction in enumerate(list(idf.idfobjects["CONSTRUCTION"])):
        rename(idf, "CONSTRUCTION", construction.Name, f"zz custom {i} assembly")
    path = tmp_path_factory.mktemp("byo") / "office.idf"
    path.write_text(idf.idfstr(), encoding="latin-1")
    return path


@pytest.fixture(scope="module")
def office_week(stripped_renamed, tmp_path_factory):
    from ultralow.weather import resolve_weather

    template = model_template(stripped_renamed, [{"object": "Lights", "name": "*", "field": "Watts per Floor Area",
                                                  "multiplier": 0.5, "label": "lights_factor"}])
    run_dir = tmp_path_factory.mktemp("office-week")
    result = simulate(template.name, {"wall_u_w_m2k": 0.25, "window_u_w_m2k": 1.2, "window_shgc": 0.35},
                      resolve_weather(city="harbin"), run_dir=run_dir, period=WEEK)
    return result, run_dir / "eplusout.sql"


def _end_use_kwh_m2(sql: Path, row: str, column: str) -> float:
    with sqlite3.connect(sql) as conn:
        value = conn.execute(
            "SELECT Value FROM TabularDataWithStrings WHERE ReportName = 'AnnualBuildingUtilityPerformanceSummary' "
            "AND TableName = 'End Uses' AND RowName = ? AND ColumnName = ?", (row, column)).fetchone()[0]
        area = conn.execute(
            "SELECT Value FROM TabularDataWithStrings WHERE ReportName = 'AnnualBuildingUtilityPerformanceSummary' "
            "AND TableName = 'Building Area' AND RowName = 'Net Conditioned Building Area'").fetchone()[0]
    return float(value) * GJ_TO_KWH / float(area)


def test_heating_and_cooling_energy_of_a_model_without_outputs_match_energyplus_end_uses(office_week):
    result, sql = office_week
    gas = _end_use_kwh_m2(sql, "Heating", "Natural Gas")
    assert gas > 0.5  # a January week in Harbin: the furnaces run
    assert result.heating_fuel_kwh_m2 == pytest.approx(gas, rel=0.01) and result.heating_fuel == "natural_gas"
    assert result.heating_electricity_kwh_m2 == pytest.approx(_end_use_kwh_m2(sql, "Heating", "Electricity"),
                                                              rel=0.01, abs=1e-3)
    assert result.cooling_electricity_kwh_m2 == pytest.approx(_end_use_kwh_m2(sql, "Cooling", "Electricity"),
                                                              rel=0.01, abs=1e-3)
    assert result.fan_electricity_kwh_m2 == pytest.approx(_end_use_kwh_m2(sql, "Fans", "Electricity"), rel=0.01)
    assert result.lighting_electricity_kwh_m2 == pytest.approx(
        _end_use_kwh_m2(sql, "Interior Lighting", "Electricity"), rel=0.01)
    assert result.primary_energy_kwh_m2 > 0


def test_delivered_heat_of_a_models_own_hvac_is_its_furnaces_gas_times_their_efficiency(office_week):
    """Hand calculation from the model's own input: every Coil:Heating:Fuel of the small office
    burns natural gas at a burner efficiency of 0.8, so the heat its coils deliver is 0.8 x the
    heating gas of EnergyPlus's End Uses table."""
    result, sql = office_week
    from ultralow.sim.file_model import load_model_text, model_file_text

    source = _reference_model()
    coils = load_model_text(model_file_text(source), str(source)).idfobjects["COIL:HEATING:FUEL"]
    efficiencies = {float(c.Burner_Efficiency) for c in coils}
    assert efficiencies == {0.8}
    gas = _end_use_kwh_m2(sql, "Heating", "Natural Gas")
    assert result.heating_demand_kwh_m2 == pytest.approx(0.8 * gas, rel=0.01)
    assert result.peak_heating_load_w_m2 > 5.0
    assert result.cooling_demand_kwh_m2 is not None and result.cooling_demand_kwh_m2 >= 0.0
    # never a silent zero: what the coils cannot tell is absent, with its reason
    assert result.cooling_sensible_kwh_m2 is None and "own HVAC" in result.unavailable["cooling_sensible_kwh_m2"]
    assert any("coils and baseboards deliver" in note for note in result.notes)


def test_u_values_of_arbitrarily_named_constructions_match_the_envelope_report(office_week):
    result, sql = office_week
    with sqlite3.connect(sql) as conn:
        rows = conn.execute(
            "SELECT RowName, ColumnName, Value FROM TabularDataWithStrings WHERE ReportName = 'EnvelopeSummary' "
            "AND TableName = 'Opaque Exterior'").fetchall()
    table: dict[str, dict[str, str]] = {}
    for surface, column, value in rows:
        table.setdefault(surface, {})[column] = value
    walls = [r for r in table.values() if 60 <= float(r["Tilt"]) <= 120]
    assert walls and all(r["Construction"].upper().startswith("ZZ CUSTOM") for r in walls)
    u_wall = sum(float(r["U-Factor with Film"]) * float(r["Gross Area"]) for r in walls) / sum(
        float(r["Gross Area"]) for r in walls)
    assert result.wall_u_w_m2k == pytest.approx(u_wall, rel=0.02)
    assert result.wall_u_w_m2k == pytest.approx(0.25, rel=0.02)  # the package's target
    assert result.window_u_w_m2k == pytest.approx(1.2, rel=0.02)
    assert any("wall_u_w_m2k=0.25" in note for note in result.notes)
    assert any("Lights" in note and "x 0.5" in note for note in result.notes)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ultralow.cli", "simulate", *args], capture_output=True, text=True,
                          timeout=300)


def test_a_model_of_another_version_or_not_a_model_exits_2_naming_it(tmp_path):
    old = tmp_path / "old.idf"
    old.write_text(_reference_model().read_text(encoding="latin-1").replace("Version,25.2;", "Version,9.6;"),
                   encoding="latin-1")
    out = _cli("--idf", str(old), "--city", "harbin", "--period", "design-days")
    assert out.returncode == 2 and str(old) in out.stderr and "9.6" in out.stderr and "IDFVersionUpdater" in out.stderr
    assert "Traceback" not in out.stderr
    text = tmp_path / "notes.idf"
    text.write_text("just some notes, no model\n")
    out = _cli("--idf", str(text), "--city", "harbin")
    assert out.returncode == 2 and str(text) in out.stderr and "Traceback" not in out.stderr


def test_an_unknown_object_or_field_exits_2_naming_it():
    model = str(_reference_model())
    out = _cli("--idf", model, "--city", "harbin", "--field", "Material,*Insulation*,Thicknes=0.1")
    assert out.returncode == 2 and "Thicknes" in out.stderr and "Thickness" in out.stderr, out.stderr
    out = _cli("--idf", model, "--city", "harbin", "--field", "Matterial,*,Thickness=0.1")
    assert out.returncode == 2 and "Matterial" in out.stderr and "Traceback" not in out.stderr


def test_an_epjson_model_runs_as_its_idf_does(tmp_path):
    """EnergyPlus converts the IDF to epJSON (--convert-only); the epJSON runs and reports the same
    conditioned area and wall U as the IDF it came from (EnergyPlus's own reports both times)."""
    from ultralow.sim.engine import run_energyplus
    from ultralow.weather import resolve_weather

    source = _reference_model()
    shutil.copy(source, tmp_path / "office.idf")
    run_energyplus(tmp_path / "office.idf", None, tmp_path, convert_only=True)
    weather = resolve_weather(city="harbin")
    results = {}
    for suffix in ("idf", "epJSON"):
        template = model_template(tmp_path / f"office.{suffix}")
        results[suffix] = simulate(template.name, {}, weather, run_dir=tmp_path / suffix, period="design-days")
    assert results["epJSON"].conditioned_floor_area_m2 == pytest.approx(results["idf"].conditioned_floor_area_m2)
    assert results["epJSON"].wall_u_w_m2k == pytest.approx(results["idf"].wall_u_w_m2k, rel=1e-6)
