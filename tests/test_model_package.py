"""Package parameters on a model the user brings (templates/model_package.py), checked against what
EnergyPlus itself reports for the engine's DOE reference small office (version 25.2)."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pyenergyplus
import pytest
from ultralow.errors import InputError
from ultralow.sim.engine import run_energyplus
from ultralow.templates.geometry import eppy_idf_class
from ultralow.templates.model_package import apply_package
from ultralow.templates.pv import ground_coverage_ratio

MODEL_DIR = Path(pyenergyplus.__file__).parent / "data" / "model"
SMALL_OFFICE = MODEL_DIR / "RefBldgSmallOfficeNew2004_Chicago.idf"
PACKAGE = {"wall_u_w_m2k": 0.25, "roof_u_w_m2k": 0.15, "floor_u_w_m2k": 0.30, "window_u_w_m2k": 1.2,
           "window_shgc": 0.35, "n50_ach": 1.0, "pv_roof_fraction": 0.5}

pytestmark = pytest.mark.skipif(not SMALL_OFFICE.exists(),
                                reason=f"engine reference model {SMALL_OFFICE} not shipped with pyenergyplus")


def load_model(path: Path = SMALL_OFFICE):
    return eppy_idf_class()(str(path))


def test_reference_model_is_the_engine_version():
    idf = load_model()
    assert str(idf.idfobjects["VERSION"][0].Version_Identifier).startswith("25.2")


def add_sql_outputs(idf) -> None:
    """EnergyPlus's own Envelope Summary in eplusout.sql (the model's own output requests, unique
    objects, replaced)."""
    for unique in ("OUTPUT:SQLITE", "OUTPUT:TABLE:SUMMARYREPORTS"):
        for obj in list(idf.idfobjects[unique]):
            idf.removeidfobject(obj)
    idf.newidfobject("OUTPUT:SQLITE", Option_Type="SimpleAndTabular")
    idf.newidfobject("OUTPUT:TABLE:SUMMARYREPORTS", Report_1_Name="AllSummary")


def tabular(sql: Path, table: str) -> dict[str, dict[str, str]]:
    """One EnvelopeSummary table straight from eplusout.sql: {row: {column: value}}."""
    with sqlite3.connect(sql) as conn:
        rows = conn.execute("SELECT RowName, ColumnName, Value FROM TabularDataWithStrings WHERE "
                            "ReportName = 'EnvelopeSummary' AND TableName = ?", (table,)).fetchall()
    out: dict[str, dict[str, str]] = {}
    for row, column, value in rows:
        out.setdefault(row, {})[column] = value.strip()
    return out


def area_weighted(rows: dict[str, dict[str, str]], value: str, area: str) -> float:
    pairs = [(float(r[value]), float(r[area])) for r in rows.values()]
    return sum(v * a for v, a in pairs) / sum(a for _, a in pairs)


@pytest.fixture(scope="module")
def packaged_run(tmp_path_factory, chicago_weather):
    """The small office with PACKAGE applied, simulated on Chicago's design days."""
    run_dir = tmp_path_factory.mktemp("packaged")
    idf = load_model()
    notes = apply_package(idf, PACKAGE)
    add_sql_outputs(idf)
    idf.saveas(str(run_dir / "in.idf"))
    run = run_energyplus(run_dir / "in.idf", chicago_weather.epw_path, run_dir / "run", design_day=True)
    return run, notes, idf


def test_envelope_summary_u_values_hit_the_targets(packaged_run):
    run, _, _ = packaged_run
    opaque = tabular(run.sql_path, "Opaque Exterior")
    by_class = {}
    for kind, tilt_ok in (("wall", lambda t: 60 <= t <= 120), ("roof", lambda t: t < 60),
                          ("floor", lambda t: t > 120)):
        rows = {n: r for n, r in opaque.items() if tilt_ok(float(r["Tilt"]))
                and (kind == "roof" or not n.upper().startswith("ATTIC"))}  # the cold attic's: left alone
        assert rows, f"no {kind} rows in Opaque Exterior"
        by_class[kind] = area_weighted(rows, "U-Factor with Film", "Gross Area")
    # measured: 0.250 and 0.300 exactly as printed; the bound is EnergyPlus's 3 printed decimals
    for kind in ("wall", "floor"):
        assert by_class[kind] == pytest.approx(PACKAGE[f"{kind}_u_w_m2k"], abs=0.0006), kind
    # the small office's envelope runs through the insulated ceiling under its attic: that ceiling
    # is the roof (its construction's U as EnergyPlus reports it, no films, plus the upward inside
    # film on both sides, templates/data/surface_films.toml); the attic's own roof is left as it was
    # (a film of the wrong heat-flow direction would shift the ceiling by ~1 %)
    with sqlite3.connect(run.sql_path) as conn:
        ceilings = conn.execute(
            "SELECT s.GrossArea, c.Uvalue FROM Surfaces s JOIN Constructions c ON s.ConstructionIndex = "
            "c.ConstructionIndex JOIN Zones z ON s.ZoneIndex = z.ZoneIndex WHERE z.ZoneName != 'ATTIC' "
            "AND s.ClassName = 'Roof'").fetchall()
    assert len(ceilings) == 5
    u_ceiling = sum(a / (1 / u + 2 * 0.1074271) for a, u in ceilings) / sum(a for a, _ in ceilings)
    assert u_ceiling == pytest.approx(PACKAGE["roof_u_w_m2k"], abs=0.0006)
    assert by_class["roof"] == pytest.approx(5.082, abs=0.01)  # the attic's uninsulated roof, unchanged
    fen = {n: r for n, r in tabular(run.sql_path, "Exterior Fenestration").items()
           if "total" not in n.lower()}
    assert len(fen) == 21
    # measured: 1.199 and 0.351 (EnergyPlus's simple glazing model reproduces its inputs to ~0.3 %)
    assert area_weighted(fen, "Glass U-Factor", "Area of Multiplied Openings") == pytest.approx(1.2, rel=0.005)
    assert area_weighted(fen, "Glass SHGC", "Area of Multiplied Openings") == pytest.approx(0.35, rel=0.005)
    assert {r["Frame and Divider"] for r in fen.values()} == {""}


def test_shared_construction_copied_so_interzone_ceilings_keep_theirs(packaged_run):
    """'Attic Non-res Floor' is on the attic's exterior soffits and on the attic/office interzone
    ceilings (both sides): the ceilings (the roof of the envelope) get the resized copy, the
    soffits (the cold attic's, outside the envelope) keep theirs."""
    _, notes, idf = packaged_run
    surfaces = {s.Name: s for s in idf.idfobjects["BUILDINGSURFACE:DETAILED"]}
    assert surfaces["Core_ZN_ceiling"].Construction_Name == "Attic Non-res Floor roof_u_w_m2k=0.15"
    assert surfaces["Attic_floor_core"].Construction_Name == "Attic Non-res Floor roof_u_w_m2k=0.15"
    assert surfaces["Attic_soffit_east"].Construction_Name == "Attic Non-res Floor"
    original = idf.getobject("MATERIAL", "AtticFloor NonRes Insulation")
    assert float(original.Thickness) == pytest.approx(0.236804989096202)
    assert any("copied as 'Attic Non-res Floor roof_u_w_m2k=0.15'" in n for n in notes)


def test_infiltration_replaced_in_floor_area_zones_only(packaged_run):
    run, notes, idf = packaged_run
    infiltration = {o.Name: o for o in idf.idfobjects["ZONEINFILTRATION:DESIGNFLOWRATE"]}
    assert "Attic_Infiltration" in infiltration  # attic: not part of the floor area, kept
    assert "Core_ZN_Infiltration" not in infiltration
    new = [o for o in infiltration.values() if o.Name.endswith("Infiltration n50")]
    assert sorted(o.Zone_or_ZoneList_or_Space_or_SpaceList_Name for o in new) == [
        "Core_ZN", "Perimeter_ZN_1", "Perimeter_ZN_2", "Perimeter_ZN_3", "Perimeter_ZN_4"]
    assert all(float(o.Air_Changes_per_Hour) == pytest.approx(0.07) for o in new)
    assert any("replaced 5 objects" in n and "Perimeter_ZN_4_Infiltration" in n for n in notes)
    # EnergyPlus's own reading: the Initialization Summary's nominal infiltration table
    with sqlite3.connect(run.sql_path) as conn:
        rows = conn.execute("SELECT RowName, ColumnName, Value FROM TabularDataWithStrings WHERE ReportName = "
                            "'InitializationSummary' AND TableName = 'ZoneInfiltration Airflow Stats Nominal'"
                            ).fetchall()
    table: dict[str, dict[str, str]] = {}
    for row, column, value in rows:
        table.setdefault(row, {})[column] = value.strip()
    ach = {r["Zone Name"]: float(r["ACH - Air Changes per Hour"]) for r in table.values()}
    assert ach["ATTIC"] == pytest.approx(1.0)
    for zone in ("CORE_ZN", "PERIMETER_ZN_1", "PERIMETER_ZN_4"):
        assert ach[zone] == pytest.approx(0.07, abs=0.0005)


def test_pv_sized_on_the_roof_area_energyplus_reports(packaged_run):
    """DC capacity = roof gross area (EnergyPlus's Opaque Exterior) x fraction x GCR x efficiency."""
    run, _, idf = packaged_run
    roof_area = sum(float(r["Gross Area"]) for r in tabular(run.sql_path, "Opaque Exterior").values()
                    if float(r["Tilt"]) < 60)
    gcr = ground_coverage_ratio(30.0, 41.77)
    expected_w = roof_area * 0.5 * gcr * 0.21 * 1000.0
    pv = idf.getobject("GENERATOR:PVWATTS", "Rooftop PV")
    assert float(pv.DC_System_Capacity) == pytest.approx(expected_w, rel=0.01)
    assert float(pv.Azimuth_Angle) == 180.0


def test_frame_and_divider_detached_and_deleted():
    idf = load_model()
    idf.newidfobject("WINDOWPROPERTY:FRAMEANDDIVIDER", Name="Frame", Frame_Width=0.05)
    for w in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]:
        w.Frame_and_Divider_Name = "Frame"
    notes = apply_package(idf, {"window_u_w_m2k": 1.0, "window_shgc": 0.4, "window_vt": 0.6})
    assert all(not w.Frame_and_Divider_Name for w in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"])
    assert not idf.idfobjects["WINDOWPROPERTY:FRAMEANDDIVIDER"]
    assert any("'Frame' detached from 21 windows and deleted" in n for n in notes)


def test_one_window_value_keeps_the_others_of_a_simple_glazing():
    idf = load_model()
    apply_package(idf, {"window_shgc": 0.3})
    glazing = idf.getobject("WINDOWMATERIAL:SIMPLEGLAZINGSYSTEM", "ultralow glazing 1")
    assert float(glazing.UFactor) == pytest.approx(3.23646)
    assert float(glazing.Solar_Heat_Gain_Coefficient) == 0.3


def ideal_loads_model():
    """The small office's zones with one ideal-loads system (no simulation)."""
    idf = load_model()
    idf.newidfobject("ZONEHVAC:IDEALLOADSAIRSYSTEM", Name="Core Ideal", Zone_Supply_Air_Node_Name="Core Supply",
                     Design_Specification_Outdoor_Air_Object_Name="SZ DSOA Core_ZN")
    idf.newidfobject("ZONEHVAC:IDEALLOADSAIRSYSTEM", Name="Attic Ideal", Zone_Supply_Air_Node_Name="Attic Supply")
    return idf


def test_hrv_on_ideal_loads():
    idf = ideal_loads_model()
    notes = apply_package(idf, {"hrv_efficiency": 0.8})
    for system in idf.idfobjects["ZONEHVAC:IDEALLOADSAIRSYSTEM"]:
        assert system.Heat_Recovery_Type == "Sensible"
        assert float(system.Sensible_Heat_Recovery_Effectiveness) == 0.8
    assert "Attic Ideal" in notes[0] and "no outdoor air" in notes[0]
    apply_package(idf, {"hrv_efficiency": 0.0})
    assert {s.Heat_Recovery_Type for s in idf.idfobjects["ZONEHVAC:IDEALLOADSAIRSYSTEM"]} == {"None"}


def add_window_shading_control(idf) -> None:
    idf.newidfobject("CONSTRUCTION", Name="Shaded", Outside_Layer="NonRes Fixed Assembly Window")
    idf.newidfobject("WINDOWSHADINGCONTROL", Name="Blinds", Zone_Name="Perimeter_ZN_1",
                     Shading_Type="InteriorShade", Construction_with_Shading_Name="Shaded",
                     Shading_Control_Type="AlwaysOn", Fenestration_Surface_1_Name="Perimeter_ZN_1_wall_south_Window_1")


def layered_window(idf) -> None:
    idf.newidfobject("WINDOWMATERIAL:GLAZING", Name="Clear", Thickness=0.003)
    idf.getobject("CONSTRUCTION", "Window Non-res Fixed").Outside_Layer = "Clear"


def mixed_infiltration_list(idf) -> None:
    idf.newidfobject("ZONELIST", Name="Mixed", Zone_1_Name="Core_ZN", Zone_2_Name="Attic")
    idf.getobject("ZONEINFILTRATION:DESIGNFLOWRATE", "Attic_Infiltration").\
        Zone_or_ZoneList_or_Space_or_SpaceList_Name = "Mixed"


def no_site(idf) -> None:
    idf.removeidfobject(idf.idfobjects["SITE:LOCATION"][0])


@pytest.mark.parametrize("values, prepare, expected", [
    ({"wall_u_w_m2k": 3.0}, None, r"'Mass Non-res Ext Wall' cannot reach it.*below 2\.3"),
    ({"roof_u_w_m2k": 0.05}, None, r"roof_u_w_m2k.*out of range; use a number from 0.08 to 3"),
    ({"wall_u": 0.2}, None, r"no parameter 'wall_u' \(did you mean wall_u_w_m2k"),
    ({"hrv_efficiency": 0.8}, None, r"no ZoneHVAC:IdealLoadsAirSystem.*HeatExchanger.*field parameters"),
    ({"window_u_w_m2k": 1.0}, layered_window, r"window_shgc needed: window construction 'window non-res fixed'"),
    ({"window_u_w_m2k": 1.0, "window_shgc": 0.3}, add_window_shading_control,
     r"WindowShadingControl 'Blinds'.*shaded construction 'Shaded'"),
    ({"n50_ach": 1.0}, mixed_infiltration_list, r"'Attic_Infiltration' serves 'Mixed'.*\(attic\)"),
    ({"pv_roof_fraction": 0.3}, no_site, r"no Site:Location"),
    ({"pv_tilt_deg": 20}, None, r"pv_tilt_deg without pv_roof_fraction"),
])
def test_bad_package_raises_input_error_naming_it(values, prepare, expected):
    idf = load_model()
    if prepare is not None:
        prepare(idf)
    before = idf.idfstr()
    with pytest.raises(InputError, match=expected):
        apply_package(idf, values)
    assert idf.idfstr() == before  # nothing changed


def test_no_exterior_roof_is_an_input_error():
    idf = load_model()
    for s in idf.idfobjects["BUILDINGSURFACE:DETAILED"]:
        if s.Surface_Type in ("Roof", "Ceiling"):  # the attic's roof and the ceilings under it
            s.Outside_Boundary_Condition = "Adiabatic"
            s.Outside_Boundary_Condition_Object = ""
    with pytest.raises(InputError, match=r"no exterior roof surfaces"):
        apply_package(idf, {"roof_u_w_m2k": 0.2})


def test_u_value_arithmetic_of_the_resized_layer():
    """Hand check of the wall rule: 1/U = R_si + R_se + sum(d/k) with the resized insulation."""
    idf = load_model()
    apply_package(idf, {"wall_u_w_m2k": 0.3})
    construction = idf.getobject("CONSTRUCTION", "Mass Non-res Ext Wall")
    r = sum(float(m.Thickness) / float(m.Conductivity)
            for m in (idf.getobject("MATERIAL", n) for n in construction.fieldvalues[2:] if n))
    assert 1.0 / (0.1197548 + 0.0299387 + r) == pytest.approx(0.3, rel=1e-4)
    assert math.isclose(float(idf.getobject("MATERIAL", "Mass NonRes Wall Insulation").Thickness),
                        0.0495494599433393)


def test_one_material_in_two_constructions_and_one_floor_on_two_boundaries(tmp_path, chicago_weather):
    """Two wall constructions sharing an insulation Material, and the slab construction on the ground
    and on exposed (outdoors) floors, whose films differ: every copy gets its own name and size, and
    EnergyPlus reports the target on every surface."""
    idf = load_model()
    # the attic counted in the floor area: no cold attic, its soffits are exposed floors of the envelope
    idf.getobject("ZONE", "Attic").Part_of_Total_Floor_Area = "Yes"
    idf.newidfobject("CONSTRUCTION", Name="Wall B", Outside_Layer="Wood Siding", Layer_2="Mass NonRes Wall Insulation",
                     Layer_3="1/2IN Gypsum")
    surfaces = {s.Name: s for s in idf.idfobjects["BUILDINGSURFACE:DETAILED"]}
    surfaces["Perimeter_ZN_1_wall_south"].Construction_Name = "Wall B"
    for side in ("east", "north", "south", "west"):
        surfaces[f"Attic_soffit_{side}"].Construction_Name = "ext-slab"
    notes = apply_package(idf, {"wall_u_w_m2k": 0.3, "floor_u_w_m2k": 0.35})
    assert {"Mass NonRes Wall Insulation wall_u_w_m2k=0.3", "Mass NonRes Wall Insulation wall_u_w_m2k=0.3 2"} <= {
        m.Name for m in idf.idfobjects["MATERIAL"]}
    assert sum("construction 'ext-slab'" in n for n in notes) == 2
    add_sql_outputs(idf)
    idf.saveas(str(tmp_path / "in.idf"))
    run = run_energyplus(tmp_path / "in.idf", chicago_weather.epw_path, tmp_path / "run", design_day=True)
    opaque = tabular(run.sql_path, "Opaque Exterior")
    walls = {r["U-Factor with Film"] for r in opaque.values() if float(r["Tilt"]) == 90}
    floors = {(r["Construction"], r["U-Factor with Film"]) for r in opaque.values() if float(r["Tilt"]) == 180}
    assert walls == {"0.300"}
    assert floors == {("EXT-SLAB FLOOR_U_W_M2K=0.35", "0.350"), ("EXT-SLAB FLOOR_U_W_M2K=0.35 2", "0.350")}
