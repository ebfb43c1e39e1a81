"""The engine-derived IDD: real field names in eppy, and every value in the right epJSON field.

Independent reference: EnergyPlus's own IDF -> epJSON conversion (``--convert-only``).
"""

from __future__ import annotations

import contextlib
import json
from io import StringIO
from pathlib import Path

import pytest
from ultralow.errors import SimulationError
from ultralow.sim.engine import run_energyplus
from ultralow.sim.idd import engine_idd_path, load_engine_schema, numbered_field_names
from ultralow.templates.geometry import eppy_idf_class


@pytest.fixture(scope="module")
def idf_class():
    return eppy_idf_class()


@pytest.fixture(scope="module")
def schema():
    return load_engine_schema()


def test_idd_is_cached_with_engine_version():
    path = engine_idd_path()
    assert path.exists()
    assert path.read_text(encoding="latin-1").startswith("!IDD_Version 25.2")


@pytest.mark.parametrize(
    ("obj", "names", "expected"),
    [
        ("BuildingSurface:Detailed", ["Vertex X-coordinate", "Vertex Y-coordinate", "Vertex Z-coordinate"],
         ["Vertex 1 X-coordinate", "Vertex 1 Y-coordinate", "Vertex 1 Z-coordinate"]),
        ("ZoneHVAC:EquipmentList", ["Zone Equipment Object Type", "Zone Equipment Name"],
         ["Zone Equipment 1 Object Type", "Zone Equipment 1 Name"]),
        ("ZoneList", ["Zone Name"], ["Zone 1 Name"]),
        ("Schedule:Compact", ["Field"], ["Field 1"]),
        ("Output:Table:Monthly", ["Variable or Meter Name", "Aggregation Type for Variable or Meter"],
         ["Variable or Meter 1 Name", "Aggregation Type for Variable or Meter 1"]),
        ("Schedule:Year", ["Schedule:Week Name", "Start Month", "Start Day", "End Month", "End Day"],
         ["Schedule:Week Name 1", "Start Month 1", "Start Day 1", "End Month 1", "End Day 1"]),
        ("Schedule:Day:Interval", ["Time", "Value Until Time"], ["Time 1", "Value Until Time 1"]),
        ("AirLoopHVAC:ZoneSplitter", ["Outlet Node Name"], ["Outlet 1 Node Name"]),
    ],
)
def test_extensible_numbers_stand_where_the_idd_puts_them(obj, names, expected):
    assert [n.format(n=1) for n in numbered_field_names(obj, names)] == expected


def test_eppy_attributes_read_as_energyplus_names(idf_class):
    idf = idf_class(StringIO("Version,25.2;"))
    surf = idf.newidfobject("BUILDINGSURFACE:DETAILED", Name="s", Vertex_1_Xcoordinate=1.5,
                            Vertex_4_Zcoordinate=3.0)
    eql = idf.newidfobject("ZONEHVAC:EQUIPMENTLIST", Name="e",
                           Zone_Equipment_1_Object_Type="ZoneHVAC:IdealLoadsAirSystem")
    zl = idf.newidfobject("ZONELIST", Name="zl", Zone_1_Name="a", Zone_2_Name="b")
    sched = idf.newidfobject("SCHEDULE:COMPACT", Name="c", Field_1="Through: 12/31")
    cons = idf.newidfobject("CONSTRUCTION", Name="k", Outside_Layer="m1", Layer_2="m2")
    assert surf.Vertex_1_Xcoordinate == 1.5 and surf.Vertex_4_Zcoordinate == 3.0
    assert eql.Zone_Equipment_1_Object_Type == "ZoneHVAC:IdealLoadsAirSystem"
    assert (zl.Zone_1_Name, zl.Zone_2_Name) == ("a", "b")
    assert sched.Field_1 == "Through: 12/31"
    assert (cons.Outside_Layer, cons.Layer_2) == ("m1", "m2")
    # eppy extends extensible groups beyond the IDD's listed ones
    sched.Field_400 = "1"
    assert len(sched.fieldvalues) >= 402


def test_geomeppy_block_intersect_and_windows(idf_class):
    idf = idf_class(StringIO("Version,25.2;"))
    idf.add_block("b", [(0, 0), (20, 0), (20, 10), (0, 10)], 6.0, 2)
    idf.intersect_match()
    idf.set_wwr(0.4, construction="Window")
    assert len(idf.idfobjects["ZONE"]) == 2
    assert len(idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]) == 8
    walls = [s for s in idf.getsurfaces("wall")]
    assert all(s.Outside_Boundary_Condition.lower() == "outdoors" for s in walls)


def _distinct_value(field_info: dict, index: int) -> object:
    return 1000 + index if field_info.get("field_type") == "n" else f"V{index}"


def project_object_types(chicago_weather) -> set[str]:
    """Every object type the project's templates write (both templates, with PV)."""
    from ultralow.sim.simulate import build

    types: set[str] = set()
    for name in ("residential", "office"):
        model = build(name, {"pv_roof_fraction": 0.5}, chicago_weather)
        types |= {key.upper() for key, objs in model.idf.idfobjects.items() if len(objs)}
    return types


def test_every_used_object_type_maps_each_field_to_its_epjson_field(
    idf_class, schema, chicago_weather, tmp_path
):
    upper_to_name = {name.upper(): name for name in schema["properties"]}
    used = sorted(upper_to_name[t] for t in project_object_types(chicago_weather))
    assert {"BuildingSurface:Detailed", "ZoneHVAC:IdealLoadsAirSystem", "Generator:PVWatts",
            "ZoneList", "Schedule:Compact"} <= set(used)
    idf = idf_class(StringIO(""))
    expected: dict[tuple[str, str], dict[str, object]] = {}
    counter = 0
    for obj_name in used:
        legacy = schema["properties"][obj_name]["legacy_idd"]
        info = legacy["field_info"]
        obj = idf.newidfobject(obj_name.upper())
        fields = list(legacy["fields"])
        groups = 2 if legacy.get("extensibles") else 0
        values: dict[str, object] = {}
        for position, key in enumerate(fields):
            counter += 1
            value = f"{obj_name} {counter}" if key == "name" else _distinct_value(info[key], counter)
            obj[obj.fieldnames[position + 1]] = value
            values[key] = value
        for group in range(groups):
            for j, key in enumerate(legacy["extensibles"]):
                counter += 1
                position = len(fields) + group * len(legacy["extensibles"]) + j
                value = _distinct_value(info[key], counter)
                obj[obj.fieldnames[position + 1]] = value
                values[f"{legacy['extension']}[{group}].{key}"] = value
        name = values.get("name")
        expected[(obj_name, str(name) if name is not None else "")] = values
    idf_path = tmp_path / "all_fields.idf"
    idf.saveas(str(idf_path))
    # the distinct values break enum/range rules: validation fails but the conversion is written
    with contextlib.suppress(SimulationError):
        run_energyplus(idf_path, None, tmp_path / "out", convert_only=True)
    converted = json.loads((tmp_path / "out" / "all_fields.epJSON").read_text())
    checked = 0
    for (obj_name, name), values in expected.items():
        instances = converted[obj_name]
        inst = instances[name] if name else next(iter(instances.values()))
        for key, value in values.items():
            if key == "name":
                assert name in instances
                continue
            if "[" in key:
                ext, rest = key.split("[")
                group, field = rest.split("].")
                got = inst[ext][int(group)][field]
            else:
                got = inst[key]
            assert str(got) == str(value), f"{obj_name}.{key}: {got!r} != {value!r}"
            checked += 1
    assert checked > 300


def test_long_objects_of_a_users_model_survive_a_round_trip(tmp_path):
    """The engine's own primary-school reference building has a Schedule:Compact of 128 fields,
    more than the default IDD's 120 extensible ones: eppy would drop the rest (and EnergyPlus then
    stops with "Looking for Until"). With the IDD extended for that model, every object keeps all
    of its fields and EnergyPlus converts the written file (its own parser is the reference)."""
    import pyenergyplus
    from ultralow.sim.idd import extended_fields, fields_needed

    model = Path(pyenergyplus.__file__).parent / "data" / "model" / "RefBldgPrimarySchoolNew2004_Chicago.idf"
    if not model.is_file():
        pytest.skip(f"the engine's reference building is not installed: {model}")
    text = model.read_text(encoding="latin-1")
    needed = fields_needed(text)
    assert needed["SCHEDULE:COMPACT"] > 120
    written = eppy_idf_class(extended_fields(needed))(str(model)).idfstr()
    assert fields_needed(written) == needed
    (tmp_path / "in.idf").write_text(written)
    run_energyplus(tmp_path / "in.idf", None, tmp_path, convert_only=True)
    assert (tmp_path / "in.epJSON").is_file()
