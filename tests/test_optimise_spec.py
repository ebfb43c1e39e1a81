"""Spec validation: bad specs fail before any simulation, with the key and the allowed values."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from ultralow.errors import InputError
from ultralow.optimise.spec import load_spec, parse_spec
from ultralow.optimise.store import simulation_key
from ultralow.optimise.variables import decode_design, design_parameters

# optimisation specs only (the folder also holds `ultralow sweep` specs, which have a [sweep] table)
EXAMPLES = sorted(p for p in (Path(__file__).parents[1] / "optimise" / "examples").glob("*.toml")
                  if "[sweep]" not in p.read_text())

BASE = {
    "run": {"population": 6, "generations": 2, "period": "design-days"},
    "building": {"template": "residential", "city": "harbin", "parameters": {"storeys": 4}},
    "variables": {
        "wall_u_w_m2k": {"type": "float", "min": 0.15, "max": 0.4, "step": 0.05},
        "window": {"type": "choice", "catalogue": "windows", "options": ["triple_lowe_pvc", "double_lowe_pvc"]},
        "heat_pump": {"type": "choice"},
    },
    "objectives": [{"metric": "primary_energy_kwh_m2"}, {"metric": "incremental_investment_rmb", "sense": "min"}],
    "constraints": [{"metric": "heating_demand_kwh_m2", "max": 18}, {"target": "ultra-low"}],
}


def _with(**changes) -> dict:
    spec = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = spec
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[k]
        if value is None:
            node.pop(keys[-1])
        else:
            node[keys[-1]] = value
    return spec


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_specs_validate(path):
    spec = load_spec(path)
    assert spec.variables and spec.objectives
    assert spec.algorithm_name == ("nsga3" if len(spec.objectives) >= 3 else "nsga2")


def test_three_examples_ship():
    assert {p.stem for p in EXAMPLES} >= {"harbin_ultra_low", "dongguan_office_retrofit", "beijing_residential_30"}


def test_valid_spec_and_catalogue_expansion():
    spec = parse_spec(BASE)
    assert spec.needs_reference and spec.needs_costs
    hp = next(v for v in spec.variables if v.name == "heat_pump")
    assert "ashp_low_ambient" in hp.options
    values = decode_design(spec.variables, {"wall_u_w_m2k": 0.2312, "window": "triple_lowe_pvc",
                                            "heat_pump": "ashp_standard"})
    assert values["wall_u_w_m2k"] == pytest.approx(0.25)  # rounded to the step
    params, extras = design_parameters(spec.variables, spec.fixed, values)
    assert extras == {"window_product": "triple_lowe_pvc"}
    assert {"window_u_w_m2k", "window_shgc", "window_vt", "storeys"} <= set(params)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"variables": {}}, "no \\[variables"),
    ({"objectives": []}, "no \\[\\[objectives"),
    ({"building__template": "hospital"}, "unknown template 'hospital'; available: office, residential"),
    ({"building__epw": "x.epw"}, "exactly one of city"),
    ({"building__parameters__storeys": 99}, "'storeys'.*out of range"),
    ({"run__populaton": 4}, "unknown key run.'populaton' \\(did you mean 'population'\\?\\)"),
    ({"run__period": "summer"}, "run.period.*allowed: annual, design-days"),
    ({"run__algorithm": "cmaes"}, "run.algorithm = 'cmaes' is not allowed; allowed: auto, nsga2, nsga3"),
    ({"variables__wall_u_w_m2k__min": 0.5}, "min 0.5 must be below max 0.4"),
    ({"variables__wall_u_w_m2k__max": 9.0}, "leave the allowed range of 'wall_u_w_m2k'.*0.08 to 3"),
    ({"variables__wall_u_w_m2k__type": "real"}, "type = 'real' is not allowed; allowed: float, int, choice"),
    ({"variables__window__catalogue": "doors"}, "catalogue = 'doors' is not allowed; allowed: windows"),
    ({"variables__window__options": ["triple_lowe_pvc", "stained_glass"]},
     "'stained_glass' is not allowed; allowed: double_clear_pvc"),
    ({"variables__heat_pump__options": ["ashp_standard"]}, "single option"),
    ({"building__parameters__heat_pump": "ashp_standard"}, "both fixed .* and set by variable 'heat_pump'"),
    ({"objectives": [{"metric": "primary_energy"}]}, "not a known metric \\(did you mean 'primary_energy_kwh_m2'"),
    ({"objectives": [{"metric": "lcc_rmb", "sense": "down"}]}, "sense = 'down' is not allowed; allowed: min, max"),
    ({"constraints": [{"metric": "saving_vs_reference_overall", "min": 0.5, "max": 0.3}]}, "min 0.5 is above max 0.3"),
    ({"constraints": [{"target": "passive-house"}]}, "target = 'passive-house' is not allowed; allowed: ultra-low"),
    ({"constraints": [{"metric": "co2_kg_m2"}]}, "needs min and/or max"),
    ({"objectives": [{"metric": "saving_rate_overall"}]}, "renamed 'saving_vs_reference_overall'"),
    ({"costs": {"tariff_city": "atlantis"}}, "costs.tariff_city = 'atlantis' is not allowed; use one of beijing"),
    ({"variables__heat_pump__options": ["existing", "ashp_standard"]}, "'existing' is not allowed"),
    ({"variables__window__options": ["existing", "triple_lowe_pvc"]}, "'existing' is not allowed"),
])
def test_bad_specs_name_key_and_allowed(changes, expected):
    spec = copy.deepcopy(BASE)
    spec.update({k: v for k, v in changes.items() if "__" not in k})
    spec = _with(**{k: v for k, v in changes.items() if "__" in k}) if any("__" in k for k in changes) else spec
    with pytest.raises(InputError, match=expected):
        parse_spec(spec)


def test_retrofit_spec_offers_keeping_the_existing_elements():
    """In a retrofit (a vintage) a window catalogue variable and the heat pump may keep what exists:
    "existing" sets no parameter and charges nothing."""
    spec = parse_spec(_with(building__parameters={"storeys": 4, "vintage": "pre1996"},
                            variables__window__options=["existing", "triple_lowe_pvc"],
                            variables__heat_pump={"type": "choice", "options": ["existing", "ashp_low_ambient"]}))
    values = decode_design(spec.variables, {"wall_u_w_m2k": 0.2, "window": "existing", "heat_pump": "existing"})
    params, extras = design_parameters(spec.variables, spec.fixed, values)
    assert "window_u_w_m2k" not in params and extras == {} and params["heat_pump"] == "existing"
    new_build = parse_spec(BASE)
    assert "existing" not in next(v for v in new_build.variables if v.name == "heat_pump").options


def test_spec_file_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_spec(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[run\nseed = 1")
    with pytest.raises(InputError, match="not valid TOML"):
        load_spec(bad)


def test_simulation_key_is_content_hash():
    a = simulation_key("residential", {"x": 2.0, "y": "a"}, "w" * 64, "25.2.0", "annual")
    assert a == simulation_key("residential", {"y": "a", "x": 2}, "w" * 64, "25.2.0", "annual")
    assert a != simulation_key("residential", {"y": "a", "x": 2}, "v" * 64, "25.2.0", "annual")
    assert a != simulation_key("residential", {"y": "a", "x": 2}, "w" * 64, "25.1.0", "annual")
