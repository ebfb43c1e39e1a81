"""Field parameters (templates/field_parameters.py) on the engine's DOE reference small office:
parsing, checks against the model and the IDD, and a change EnergyPlus itself reports."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyenergyplus
import pytest
from ultralow.errors import InputError
from ultralow.sim.engine import run_energyplus
from ultralow.templates.field_parameters import (
    FieldParameter,
    apply_field_parameters,
    parse_field_parameter,
    validate_field_parameters,
)
from ultralow.templates.geometry import eppy_idf_class

SMALL_OFFICE = Path(pyenergyplus.__file__).parent / "data" / "model" / "RefBldgSmallOfficeNew2004_Chicago.idf"
WALL_INSULATION_M = 0.0495494599433393  # 'Mass NonRes Wall Insulation' in the reference file
WALL_FILMS_M2K_W = 0.1197548 + 0.0299387  # EnergyPlus's wall films (templates/data/surface_films.toml)

pytestmark = pytest.mark.skipif(not SMALL_OFFICE.exists(),
                                reason=f"engine reference model {SMALL_OFFICE} not shipped with pyenergyplus")


def load_model():
    return eppy_idf_class()(str(SMALL_OFFICE))


@pytest.fixture(scope="module")
def office():
    """One parsed model for the checks that change nothing."""
    return load_model()


def test_compact_form_with_spaces_colons_and_slashes_in_names():
    p = parse_field_parameter("Material,1/2IN Gypsum,Thickness=0.02", "--field")
    assert (p.object_type, p.name, p.field, p.value, p.multiplier) == ("Material", "1/2IN Gypsum", "Thickness",
                                                                       0.02, None)
    p = parse_field_parameter("WindowMaterial:SimpleGlazingSystem, NonRes Fixed Assembly Window ,U-Factor*=0.5",
                              "--field")
    assert (p.object_type, p.name, p.field, p.value, p.multiplier) == (
        "WindowMaterial:SimpleGlazingSystem", "NonRes Fixed Assembly Window", "U-Factor", None, 0.5)
    assert parse_field_parameter(p.compact, "--field") == p
    p = parse_field_parameter("Material,Wood Siding,Roughness=Rough", "--field")
    assert p.value == "Rough"


def test_spec_table():
    p = parse_field_parameter({"object": "Material", "name": "*Insulation", "field": "Thickness",
                               "multiplier": 1.5}, "spec.toml [[field_parameters]] 1")
    assert (p.multiplier, p.value, p.key) == (1.5, None, "Material,*Insulation,Thickness*=1.5")
    p = parse_field_parameter({"object": "Material", "name": "Std AC02", "field": "Conductivity", "value": 0.05,
                               "label": "ceiling_k"}, "spec")
    assert (p.value, p.key) == (0.05, "ceiling_k")


def test_glob_and_idd_spelling_apply_to_every_match():
    idf = load_model()
    notes = apply_field_parameters(idf, [
        parse_field_parameter("Material,*insulation,Thickness*=2", "--field"),
        parse_field_parameter("WindowMaterial:SimpleGlazingSystem,*,solar heat gain coefficient=0.3", "--field"),
    ])
    assert float(idf.getobject("MATERIAL", "Mass NonRes Wall Insulation").Thickness) == pytest.approx(
        2 * WALL_INSULATION_M)
    assert float(idf.getobject("MATERIAL", "AtticFloor NonRes Insulation").Thickness) == pytest.approx(
        2 * 0.236804989096202)
    assert float(idf.getobject("MATERIAL", "1/2IN Gypsum").Thickness) == 0.0127  # not matched
    assert float(idf.idfobjects["WINDOWMATERIAL:SIMPLEGLAZINGSYSTEM"][0].Solar_Heat_Gain_Coefficient) == 0.3
    assert notes[0] == "Material '*insulation' Thickness x 2: 2 object(s)"


def test_design_values_replace_the_parameters_own():
    idf = load_model()
    param = parse_field_parameter({"object": "Material", "name": "Mass NonRes Wall Insulation",
                                   "field": "Thickness", "value": 0.1, "label": "wall_ins_m"}, "spec")
    apply_field_parameters(idf, [param], {"wall_ins_m": 0.2})
    assert float(idf.getobject("MATERIAL", "Mass NonRes Wall Insulation").Thickness) == 0.2
    with pytest.raises(InputError, match=r"wall_ins_m: Material 'Mass NonRes Wall Insulation' field Thickness: "
                                         r"-0\.2 is out of range; use a number > 0 m"):
        apply_field_parameters(idf, [param], {"wall_ins_m": -0.2})


@pytest.mark.parametrize("text, expected", [
    ("Materail,*,Thickness=0.1", r"'Materail' is not an EnergyPlus object type; did you mean Material[,;]"),
    ("Material,Foam*,Thickness=0.1", r"no Material is named 'Foam\*'; the model's Material objects: "
                                     r"'Mass NonRes Wall Insulation', 'AtticFloor NonRes Insulation'"),
    ("Material,*,Thicknes=0.1", r"Material has no field 'Thicknes'; closest: Thickness; fields: Name, Roughness"),
    ("Material,*,Roughness*=2", r"field Roughness: a multiplier needs a numeric field; Roughness is choice"),
    ("Coil:Cooling:DX:SingleSpeed,*,Gross Rated Total Cooling Capacity*=1.1",
     r"'PSZ-AC:1_CoolC DXCoil' field Gross_Rated_Total_Cooling_Capacity: a multiplier needs a number there; "
     r"the model has 'AUTOSIZE'"),
    ("Material,*Insulation,Thickness=-0.1", r"field Thickness: -0\.1 is out of range; use a number > 0 m"),
    ("Material,Wood Siding,Roughness=Bumpy", r"'Bumpy' is not allowed; use one of MediumRough, MediumSmooth"),
    ("WindowMaterial:SimpleGlazingSystem,*,SHGC=0.3", r"has no field 'SHGC'"),
    ("WindowMaterial:SimpleGlazingSystem,*,Solar Heat Gain Coefficient=1.2",
     r"1\.2 is out of range; use a number > 0 and < 1"),
    ("WindowMaterial:SimpleGlazingSystem,*,Solar Heat Gain Coefficient*=3", r"out of range; use a number > 0 and < 1"),
    ("Material,*,Thickness=thick", r"'thick' is not a number; use a number > 0 m"),
    ("Version,*,Version Identifier*=2", r"a multiplier needs a numeric field"),
    ("Material,Wood Siding,Name=Cedar", r"the Name field cannot be a parameter"),
])
def test_bad_field_parameter_raises_input_error_naming_it(office, text, expected):
    param = parse_field_parameter(text, "--field")
    before = office.idfstr()
    with pytest.raises(InputError, match=r"^--field: field parameter .*" + expected):
        validate_field_parameters(office, [param], "--field")
    with pytest.raises(InputError, match=expected):
        apply_field_parameters(office, [param])
    assert office.idfstr() == before


@pytest.mark.parametrize("spec, expected", [
    ("Material:Insulation Board:Thickness=0.12", r"is not a field parameter; use ObjectType,Name,Field=value"),
    ("Material,*,Thickness", r"is not a field parameter"),
    ("Material,*,Thickness*=two", r"the multiplier 'two' is not a number"),
    ({"object": "Material", "name": "*", "field": "Thickness"}, r"give exactly one of value and multiplier"),
    ({"object": "Material", "name": "*", "field": "Thickness", "value": 1, "multiplier": 2},
     r"exactly one of value and multiplier"),
    ({"object": "Material", "field": "Thickness", "value": 1}, r"name missing"),
    ({"object": "Material", "name": "*", "field": "Thickness", "scale": 2}, r"unknown key 'scale'"),
    ({"object": "Material", "name": "*", "field": "Thickness", "multiplier": "2"}, r"multiplier '2' is not a number"),
    (3, r"expected a table"),
])
def test_malformed_entries(spec, expected):
    with pytest.raises(InputError, match=r"^spec\.toml \[\[field_parameters\]\] 1: .*" + expected):
        parse_field_parameter(spec, "spec.toml [[field_parameters]] 1")


def test_field_parameter_needs_exactly_one_setting():
    with pytest.raises(InputError, match="exactly one of value and multiplier"):
        FieldParameter("Material", "*", "Thickness")


def wall_u_reported(idf, run_dir: Path, epw: Path) -> float:
    """Area-weighted "U-Factor with Film" of the exterior walls, from EnergyPlus's Envelope Summary."""
    for unique in ("OUTPUT:SQLITE", "OUTPUT:TABLE:SUMMARYREPORTS"):
        for obj in list(idf.idfobjects[unique]):
            idf.removeidfobject(obj)
    idf.newidfobject("OUTPUT:SQLITE", Option_Type="SimpleAndTabular")
    idf.newidfobject("OUTPUT:TABLE:SUMMARYREPORTS", Report_1_Name="AllSummary")
    run_dir.mkdir(parents=True)
    idf.saveas(str(run_dir / "in.idf"))
    run = run_energyplus(run_dir / "in.idf", epw, run_dir / "run", design_day=True)
    with sqlite3.connect(run.sql_path) as conn:
        rows = conn.execute("SELECT RowName, ColumnName, Value FROM TabularDataWithStrings WHERE ReportName = "
                            "'EnvelopeSummary' AND TableName = 'Opaque Exterior'").fetchall()
    table: dict[str, dict[str, str]] = {}
    for row, column, value in rows:
        table.setdefault(row, {})[column] = value.strip()
    walls = [r for r in table.values() if 60 <= float(r["Tilt"]) <= 120]
    return sum(float(r["U-Factor with Film"]) * float(r["Gross Area"]) for r in walls) / sum(
        float(r["Gross Area"]) for r in walls)


def test_doubled_insulation_shows_in_the_idf_and_lowers_the_reported_u(tmp_path, chicago_weather):
    base_u = wall_u_reported(load_model(), tmp_path / "base", chicago_weather.epw_path)
    idf = load_model()
    apply_field_parameters(idf, [parse_field_parameter(
        {"object": "Material", "name": "Mass NonRes Wall Insulation", "field": "Thickness", "multiplier": 2},
        "spec")])
    u = wall_u_reported(idf, tmp_path / "doubled", chicago_weather.epw_path)
    written = eppy_idf_class()(str(tmp_path / "doubled" / "in.idf"))
    assert float(written.getobject("MATERIAL", "Mass NonRes Wall Insulation").Thickness) == pytest.approx(
        2 * WALL_INSULATION_M)
    assert u < base_u
    # by hand: stucco 0.0253/0.6918, concrete 0.2032/1.311, insulation d/0.049, gypsum 0.0127/0.16
    r_others = 0.0253 / 0.6918 + 0.2032 / 1.311 + 0.0127 / 0.16 + WALL_FILMS_M2K_W
    assert base_u == pytest.approx(1 / (r_others + WALL_INSULATION_M / 0.049), abs=0.001)
    assert u == pytest.approx(1 / (r_others + 2 * WALL_INSULATION_M / 0.049), abs=0.001)
