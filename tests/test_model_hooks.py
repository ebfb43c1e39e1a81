"""Python hooks on a model file (issue 16, item 2c): your function, declared by module path or file,
called on the model with the design's value.

Real EnergyPlus on the engine's DOE small office, one January day in Harbin. Independent reference:
a hand calculation. The hook adds an always-on electric equipment load of VALUE W/m2 to the core
zone (an object, which no package or field parameter can add); EnergyPlus's equipment electricity
must grow by VALUE x core floor area x 24 h over the conditioned floor area.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ultralow.errors import InputError
from ultralow.optimise.spec import parse_spec
from ultralow.sim.simulate import simulate
from ultralow.templates.from_file import engine_model_path, model_template
from ultralow.weather import resolve_weather

OFFICE = "engine:RefBldgSmallOfficeNew2004_Chicago.idf"
CORE_AREA_M2 = 149.6574  # Core_ZN's floor area as EnergyPlus reports it (Zones table)
HOOK = '''
def add_core_equipment(idf, value):
    """An always-on electric equipment load of `value` W/m2 in the core zone."""
    if not idf.getobject("SCHEDULE:CONSTANT", "hook always on"):
        idf.newidfobject("SCHEDULE:CONSTANT", Name="hook always on", Hourly_Value=1.0)
    idf.newidfobject("ELECTRICEQUIPMENT", Name="hook equipment",
                     Zone_or_ZoneList_or_Space_or_SpaceList_Name="Core_ZN", Schedule_Name="hook always on",
                     Design_Level_Calculation_Method="Watts/Area", Watts_per_Floor_Area=float(value))
    return [f"added {value} W/m2 of equipment to Core_ZN"]


def broken(idf, value):
    raise ValueError("no such zone 'Lobby'")
'''


@pytest.fixture()
def hook_file(tmp_path) -> Path:
    path = tmp_path / "measures.py"
    path.write_text(HOOK)
    return path


def _office() -> Path:
    try:
        return engine_model_path(OFFICE)
    except InputError as exc:
        pytest.skip(str(exc))


def test_a_hook_changes_the_model_by_the_designs_value(hook_file, tmp_path):
    template = model_template(_office(), hooks=[{"function": f"{hook_file}:add_core_equipment",
                                                 "label": "core_equipment_w_m2", "value": 0.0}])
    weather = resolve_weather(city="harbin")
    runs = {v: simulate(template.name, template.resolve({"core_equipment_w_m2": v}), weather,
                        run_dir=tmp_path / f"v{v}", period="01-08:01-08") for v in (0.0, 5.0)}
    added = runs[5.0].equipment_electricity_kwh_m2 - runs[0.0].equipment_electricity_kwh_m2
    by_hand = 5.0 * CORE_AREA_M2 * 24 / 1000 / runs[0.0].conditioned_floor_area_m2
    assert added == pytest.approx(by_hand, rel=0.01)
    assert any("hook core_equipment_w_m2=5.0" in n for n in runs[5.0].notes)
    assert any("added 5.0 W/m2" in n for n in runs[5.0].notes)


def test_a_failing_or_missing_hook_is_an_input_error_naming_it(hook_file):
    with pytest.raises(InputError, match=r"hook lobby .*ValueError: no such zone 'Lobby'"):
        model_template(_office(), hooks=[{"function": f"{hook_file}:broken", "label": "lobby", "value": 1.0}])
    with pytest.raises(InputError, match=r"has no function 'nothing_here'"):
        model_template(_office(), hooks=[{"function": f"{hook_file}:nothing_here", "label": "x", "value": 1.0}])
    with pytest.raises(InputError, match=r"cannot import no_such_package_xyz"):
        model_template(_office(), hooks=[{"function": "no_such_package_xyz.mod:f", "label": "x", "value": 1.0}])
    out = subprocess.run([sys.executable, "-m", "ultralow.cli", "simulate", "--idf", OFFICE, "--city", "harbin",
                          "--period", "design-days", "--hook", f"{hook_file}:broken=1"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "no such zone 'Lobby'" in out.stderr and "Traceback" not in out.stderr


def test_a_spec_hook_is_found_beside_the_spec_and_its_source_is_in_the_model_id(hook_file, tmp_path):
    spec = {"run": {"name": "hook", "population": 4, "generations": 1, "period": "01-08:01-08"},
            "building": {"idf": OFFICE, "city": "harbin",
                         "hook": [{"function": "measures.py:add_core_equipment", "label": "core_w_m2", "value": 0.0}]},
            "variables": {"core_w_m2": {"type": "float", "min": 0.0, "max": 10.0, "step": 5.0}},
            "objectives": [{"metric": "primary_energy_kwh_m2", "sense": "min"}]}
    first = parse_spec(spec, base_dir=tmp_path)
    assert first.template.startswith("model:")
    hook_file.write_text(HOOK.replace("Hourly_Value=1.0", "Hourly_Value=0.5"))
    assert parse_spec(spec, base_dir=tmp_path).template != first.template  # a changed hook: a new model
