"""Issue 12, the input half: bad input gets a clear error naming the file/field/value and what is
allowed (exit 2, no traceback, no run folder left behind), through the real command line."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pyenergyplus
import pytest
from ultralow.cli import main
from ultralow.errors import InputError

ROOT = Path(__file__).parents[1]
CHICAGO_EPW = Path(pyenergyplus.__file__).parent / "data" / "weather" / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw"

SPEC = """\
{top}
[run]
population = 4
generations = 1
period = "design-days"
{run}

[building]
template = "residential"
{building}

[building.parameters]
storeys = 4
{parameters}

[variables.wall_u_w_m2k]
type = "float"
min = {low}
max = 0.4

[[objectives]]
metric = "primary_energy_kwh_m2"
{extra}
"""


def _spec(tmp_path: Path, *, run: str = "", building: str = 'city = "harbin"', parameters: str = "",
          low: str = "0.15", extra: str = "", text: str | None = None) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text if text is not None else SPEC.format(top="", run=run, building=building,
                                                             parameters=parameters, low=low, extra=extra))
    return path


def _refused(capsys, argv: list[str], *fields: str) -> str:
    """``main(argv)`` exits 2 with one line naming every field (no traceback)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for f in fields:
        assert f in err, f"{f!r} not named in: {err}"
    return err


def _no_run_folder(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir()), f"left behind: {list(out.iterdir())}"


# --- 1. NaN and infinity are not numbers a user may give ------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "Infinity"])
def test_set_nan_or_infinity_refused_by_check(capsys, tmp_path, value):
    out = tmp_path / "out"
    t0 = time.perf_counter()
    _refused(capsys, ["check", "--template", "residential", "--city", "harbin", "--set", f"wall_u_w_m2k={value}",
                      "--period", "design-days", "--out", str(out)], "wall_u_w_m2k", "finite")
    assert time.perf_counter() - t0 < 10  # refused before simulating
    assert not out.exists()


def test_set_nan_refused_by_simulate(capsys, tmp_path):
    run_dir = tmp_path / "run"
    _refused(capsys, ["simulate", "--template", "residential", "--city", "harbin", "--set", "roof_u_w_m2k=nan",
                      "--period", "design-days", "--run-dir", str(run_dir)], "roof_u_w_m2k")
    assert not run_dir.exists()


@pytest.mark.parametrize("where", ["parameters", "bound"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_spec_nan_refused(capsys, tmp_path, where, value):
    if where == "parameters":
        path, field = _spec(tmp_path, parameters=f"roof_u_w_m2k = {value}"), "roof_u_w_m2k"
    else:
        path, field = _spec(tmp_path, low=value), "variables.wall_u_w_m2k.min"
    out = tmp_path / "out"
    _refused(capsys, ["optimise", str(path), "--out", str(out)], field)
    _no_run_folder(out)


def test_spec_constraint_and_step_nan_refused(tmp_path):
    with pytest.raises(InputError, match=r"constraints\[0\]\.max"):
        from ultralow.optimise.spec import load_spec

        load_spec(_spec(tmp_path, extra='[[constraints]]\nmetric = "heating_demand_kwh_m2"\nmax = nan'))
    text = SPEC.format(top="", run="", building='city = "harbin"', parameters="", low="0.15",
                       extra="").replace("max = 0.4", "max = 0.4\nstep = nan")
    with pytest.raises(InputError, match=r"variables\.wall_u_w_m2k\.step"):
        load_spec(_spec(tmp_path, text=text))


SWEEP = """\
[sweep]
name = "{name}"
method = "lhs"
n = 2
period = "{period}"
templates = ["residential"]
cities = {cities}

[parameters]
storeys = 4
{parameters}

[variables.wall_u_w_m2k]
type = "float"
min = {low}
max = 0.4
"""


def _sweep(tmp_path: Path, *, name: str = "s", period: str = "design-days", cities: str = '["harbin"]',
           parameters: str = "", low: str = "0.15") -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP.format(name=name, period=period, cities=cities, parameters=parameters, low=low))
    return path


@pytest.mark.parametrize("kind", ["parameters", "bound"])
def test_sweep_nan_refused(capsys, tmp_path, kind):
    path = _sweep(tmp_path, parameters="roof_u_w_m2k = nan") if kind == "parameters" else _sweep(tmp_path, low="inf")
    out = tmp_path / "out"
    _refused(capsys, ["sweep", str(path), "--out", str(out)],
             "roof_u_w_m2k" if kind == "parameters" else "wall_u_w_m2k")
    _no_run_folder(out)


def test_cost_file_nan_refused(capsys, tmp_path):
    """costs.py refuses a non-finite cost value; check and optimise load the file before anything runs."""
    costs = tmp_path / "costs.toml"
    costs.write_text("[economics]\ndiscount_rate = nan\n")
    from ultralow.optimise.costs import CostModel

    with pytest.raises(InputError, match="discount_rate"):
        CostModel.load(str(costs))
    out = tmp_path / "out"
    t0 = time.perf_counter()
    _refused(capsys, ["check", "--template", "residential", "--city", "harbin", "--costs", str(costs),
                      "--period", "design-days", "--out", str(out)], "discount_rate")
    assert time.perf_counter() - t0 < 10  # before simulating
    assert not out.exists()
    _refused(capsys, ["optimise", str(_spec(tmp_path, extra='[costs]\nfile = "costs.toml"')), "--out", str(out)],
             "discount_rate")
    _no_run_folder(out)


def test_shipped_catalogues_are_finite():
    """Every number of templates/data/*.toml is finite (what catalogues.load hands the models)."""
    from ultralow.templates.catalogues import load

    def walk(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")
        elif isinstance(node, float):
            assert math.isfinite(node), where

    for path in (ROOT / "templates" / "data").glob("*.toml"):
        walk(load(path.stem), path.stem)


# --- 3. a spec's name never leaves --out ------------------------------------------------------------

BAD_NAMES = ["../../x", "/abs/x", "a/b", "..", ".", ".hidden", "a\\b", "", "   ", "x\x00y"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_run_folder_name_stays_inside_out(tmp_path, name):
    from ultralow.paths import new_run_dir

    root = tmp_path / "out"
    path = new_run_dir(root, name)
    assert path.parent == root and path.is_dir()
    assert not path.name.startswith(".")
    assert "/" not in path.name and "\\" not in path.name


@pytest.mark.parametrize("name", ["../../x", "/abs/x", "a/b", ".."])
def test_spec_and_sweep_names_are_folder_names(tmp_path, name):
    from ultralow.optimise.run import _new_run_dir as optimise_dir
    from ultralow.optimise.spec import load_spec
    from ultralow.optimise.sweep import _new_run_dir as sweep_dir
    from ultralow.optimise.sweep import load_sweep

    out = tmp_path / "deep" / "out"
    spec = load_spec(_spec(tmp_path, run=f'name = "{name}"'))
    assert "/" not in spec.name and not spec.name.startswith(".")
    made = {optimise_dir(spec, out)}
    sweep = load_sweep(_sweep(tmp_path, name=name))
    made.add(sweep_dir(sweep, out))
    assert {p.parent for p in made} == {out}
    assert {p for p in tmp_path.rglob("*") if p.is_dir()} == {out.parent, out, *made}


# --- 4. wrong values and TOML types are InputErrors found before anything runs ----------------------

TYPE_CASES = [
    ({"run": "seed = -1"}, "run.seed"),
    ({"run": "max_retries = -5"}, "run.max_retries"),
    ({"run": "seed = 1.5"}, "run.seed"),
    ({"replace": ("population = 4\n", 'population = "4"\n')}, "run.population"),
    ({"run": "name = 5"}, "run.name"),
    ({"run": "store = 5"}, "run.store"),
    ({"replace": ('period = "design-days"\n', "period = 5\n")}, "run.period"),
    ({"building": 'city = 5'}, "building.city"),
    ({"building": 'epw = 5'}, "building.epw"),
    ({"building": 'template = 5\ncity = "harbin"', "replace": ('template = "residential"\n', "")},
     "building.template"),
    ({"text": 'run = 5\n[building]\ntemplate = "residential"\ncity = "harbin"'}, "run"),
    ({"top": "objectives = [5]", "replace": ('[[objectives]]\nmetric = "primary_energy_kwh_m2"\n', "")},
     "objectives"),
    ({"top": "constraints = 5"}, "constraints"),
    ({"extra": "[[constraints]]\nmetric = 5\nmax = 1"}, "constraints[0].metric"),
    ({"extra": '[[objectives]]\nmetric = "heating_demand_kwh_m2"\nsense = 5'}, "objectives[1].sense"),
    ({"extra": "[costs]\nfile = 5"}, "costs.file"),
    ({"extra": "[costs]\ntariff_city = 5"}, "costs.tariff_city"),
    ({"top": "costs = 5"}, "costs"),
    ({"top": "variables = 5", "replace": ("[variables.wall_u_w_m2k]\ntype = \"float\"\nmin = 0.15\nmax = 0.4\n",
                                            "")}, "variables"),
    ({"extra": '[[constraints]]\ntarget = "ultra-low"\nindicator = 5'}, "constraints[0].indicator"),
    ({"extra": "[[constraints]]\nmetric = [5]\nmax = 1"}, "constraints[0].metric"),
    ({"replace": ('type = "float"\nmin', 'type = "float"\nparameter = 5\nmin')}, "variables.wall_u_w_m2k.parameter"),
]


def _build_case(tmp_path: Path, case: dict) -> Path:
    if "text" in case:
        return _spec(tmp_path, text=case["text"])
    text = SPEC.format(top=case.get("top", ""), run=case.get("run", ""),
                       building=case.get("building", 'city = "harbin"'), parameters="",
                       low="0.15", extra=case.get("extra", ""))
    if "replace" in case:
        text = text.replace(*case["replace"])
    return _spec(tmp_path, text=text)


@pytest.mark.parametrize(("case", "field"), TYPE_CASES, ids=[f for _, f in TYPE_CASES])
def test_spec_types_and_ranges_refused_before_anything_runs(capsys, tmp_path, case, field):
    out = tmp_path / "out"
    _refused(capsys, ["optimise", str(_build_case(tmp_path, case)), "--out", str(out)], field)
    _no_run_folder(out)


def test_building_parameters_not_a_table(capsys, tmp_path):
    text = SPEC.format(top="", run="", building='city = "harbin"\nparameters = 5', parameters="", low="0.15",
                       extra="").replace("[building.parameters]\nstoreys = 4\n", "")
    out = tmp_path / "out"
    _refused(capsys, ["optimise", str(_spec(tmp_path, text=text)), "--out", str(out)], "building.parameters")
    _no_run_folder(out)


@pytest.mark.parametrize("kind", ["text", "folder", "not_a_folder"])
def test_store_that_is_not_sqlite_refused(capsys, tmp_path, kind):
    if kind == "text":
        store = tmp_path / "results.sqlite"
        store.write_text("this is not a database\n")
    elif kind == "folder":
        store = tmp_path / "shared"
        (store / "store.sqlite").mkdir(parents=True)
    else:
        store = tmp_path / "notes.txt"
        store.write_text("x")
    out = tmp_path / "out"
    t0 = time.perf_counter()
    _refused(capsys, ["optimise", str(_spec(tmp_path, run=f'store = "{store}"')), "--out", str(out)], "run.store")
    assert time.perf_counter() - t0 < 10  # before Ray starts
    _no_run_folder(out)


def test_existing_sqlite_store_is_accepted(tmp_path):
    import sqlite3

    from ultralow.optimise.spec import load_spec

    store = tmp_path / "s.sqlite"
    sqlite3.connect(store).execute("create table t (x)").connection.close()
    assert load_spec(_spec(tmp_path, run=f'store = "{store}"')).store == str(store)
    assert load_spec(_spec(tmp_path, run=f'store = "{tmp_path / "new_folder"}"')).store


SWEEP_TYPE_CASES = [
    ("seed = -1", "sweep.seed"),
    ("max_retries = -5", "sweep.max_retries"),
    ("store = 5", "sweep.store"),
    ("name = 5", "sweep.name"),
    ("cities = 5", "sweep.cities"),
    ("epw = [5]", "sweep.epw"),
]


@pytest.mark.parametrize(("line", "field"), SWEEP_TYPE_CASES, ids=[f for _, f in SWEEP_TYPE_CASES])
def test_sweep_types_refused(capsys, tmp_path, line, field):
    path = _sweep(tmp_path)
    key = line.split(" ")[0]
    text = "\n".join(x for x in path.read_text().splitlines() if not x.startswith(f"{key} ="))
    path.write_text(text.replace("[sweep]\n", f"[sweep]\n{line}\n", 1))
    out = tmp_path / "out"
    _refused(capsys, ["sweep", str(path), "--out", str(out)], field)
    _no_run_folder(out)


@pytest.mark.parametrize("section", ["parameters", "costs", "variables", "threshold"])
def test_sweep_other_sections_not_tables(capsys, tmp_path, section):
    text = _sweep(tmp_path).read_text()
    if section == "parameters":
        text = text.replace("[parameters]\nstoreys = 4\n", "")
    if section == "variables":
        text = text.replace("[variables.wall_u_w_m2k]\ntype = \"float\"\nmin = 0.15\nmax = 0.4\n", "")
    path = tmp_path / "sweep.toml"
    path.write_text(f"{section} = 5\n" + text)
    out = tmp_path / "out"
    _refused(capsys, ["sweep", str(path), "--out", str(out)], section)
    _no_run_folder(out)


@pytest.mark.parametrize(("line", "field"), [("values = [0.2, nan]", "threshold[0].values"),
                                             ("values = [0.2]\nzones = 5", "threshold[0].zones")])
def test_sweep_threshold_values_and_zones(capsys, tmp_path, line, field):
    path = _sweep(tmp_path)
    path.write_text(path.read_text() + f'\n[[threshold]]\ntarget = "ultra-low"\nindicator = "wall_u_w_m2k"\n{line}\n')
    out = tmp_path / "out"
    _refused(capsys, ["sweep", str(path), "--out", str(out)], field)
    _no_run_folder(out)


# --- 6. bad combinations are refused before EnergyPlus ---------------------------------------------

def test_heating_setpoint_above_cooling_setpoint(capsys, tmp_path):
    out = tmp_path / "out"
    _refused(capsys, ["check", "--template", "residential", "--city", "harbin", "--set", "heating_setpoint_c=24",
                      "--set", "cooling_setpoint_c=22", "--period", "design-days", "--out", str(out)],
             "heating_setpoint_c", "cooling_setpoint_c")
    assert not out.exists()
    from ultralow.templates import get_template

    with pytest.raises(InputError, match="heating_setpoint_c"):
        get_template("office").resolve({"heating_setpoint_c": 23, "cooling_setpoint_c": 22.5})
    assert get_template("office").resolve({"heating_setpoint_c": 22, "cooling_setpoint_c": 22})  # equal is fine


def test_spec_fixed_setpoints_crossed(tmp_path):
    """Fixed setpoints in a spec get the same cross-field check."""
    from ultralow.optimise.spec import load_spec

    with pytest.raises(InputError, match="heating_setpoint_c"):
        load_spec(_spec(tmp_path, parameters="heating_setpoint_c = 24\ncooling_setpoint_c = 22"))
    text = SPEC.format(top="", run="", building='city = "harbin"', parameters="cooling_setpoint_c = 22", low="0.15",
                       extra="[variables.heating_setpoint_c]\ntype = \"float\"\nmin = 18\nmax = 24\n")
    with pytest.raises(InputError, match=r"variables\.heating_setpoint_c.*cooling_setpoint_c"):
        load_spec(_spec(tmp_path, text=text))
    assert load_spec(_spec(tmp_path, text=text.replace("max = 24", "max = 22")))


@pytest.mark.parametrize("period", ["02-30:03-01", "01-01:13-01", "04-31:05-01", "00-10:01-01", "01-01:02-29",
                                    "1-1-1:2-2", "aa-bb:cc-dd"])
def test_run_period_dates_refused(period):
    from ultralow.sim.run_control import RunPeriod

    with pytest.raises(InputError, match="MM-DD:MM-DD"):
        RunPeriod.parse(period)


def test_run_period_valid_dates_and_year_wrap():
    from ultralow.sim.run_control import RunPeriod

    assert RunPeriod.parse("02-28:03-31").label == "02-28:03-31"
    assert RunPeriod.parse("12-01:01-31").label == "12-01:01-31"


def test_simulate_bad_period_exit_2(capsys, tmp_path):
    run_dir = tmp_path / "run"
    t0 = time.perf_counter()
    _refused(capsys, ["simulate", "--template", "residential", "--city", "harbin", "--period", "02-30:03-01",
                      "--run-dir", str(run_dir)], "02-30")
    assert time.perf_counter() - t0 < 10
    assert not run_dir.exists()


def test_sweep_period_error_names_sweep_period(capsys, tmp_path):
    out = tmp_path / "out"
    err = _refused(capsys, ["sweep", str(_sweep(tmp_path, period="13-01:13-02")), "--out", str(out)], "sweep.period")
    assert "run.period" not in err
    _no_run_folder(out)


def _epw_with_city(tmp_path: Path, city: str) -> Path:
    lines = CHICAGO_EPW.read_text().split("\n")
    fields = lines[0].split(",")
    fields[1] = city
    lines[0] = ",".join(fields)
    path = tmp_path / "odd.epw"
    path.write_text("\n".join(lines))
    return path


def test_weather_check_warns_on_location_text(capsys, tmp_path):
    path = _epw_with_city(tmp_path, "Chi;ca!go")
    assert main(["weather", "check", str(path)]) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "Chi;ca!go" in captured.err


def test_location_text_is_sanitised_in_the_model():
    from ultralow.sim.run_control import idf_text

    for raw in ("Chi;cago", "Chi!cago", "Chi\ncago", "Chi,cago", "Chi\rcago"):
        clean = idf_text(raw)
        assert not set(clean) & set(";!,\n\r") and "Chi" in clean and "cago" in clean
    assert idf_text(" ;! ") == "site"


def test_simulation_with_odd_location_text_runs(capsys, tmp_path):
    path = _epw_with_city(tmp_path, "Chi;ca!go")
    run_dir = tmp_path / "run"
    assert main(["simulate", "--template", "residential", "--epw", str(path), "--period", "design-days",
                 "--run-dir", str(run_dir)]) == 0, capsys.readouterr().err
    idf = next(run_dir.rglob("*.idf")).read_text()
    assert "Chi;ca" not in idf


def test_check_unknown_vintage_refused_before_simulating(capsys, tmp_path):
    out = tmp_path / "out"
    t0 = time.perf_counter()
    _refused(capsys, ["check", "--template", "residential", "--city", "harbin", "--vintage", "atlantis",
                      "--period", "design-days", "--out", str(out)], "atlantis")
    assert time.perf_counter() - t0 < 10
    assert not out.exists()


# --- 8 (part). no half-made run folder after bad weather -------------------------------------------

@pytest.mark.parametrize("building", ['city = "atlantis"', 'epw = "missing.epw"', 'epw = "broken.epw"'])
def test_optimise_bad_weather_leaves_no_run_folder(capsys, tmp_path, building):
    (tmp_path / "broken.epw").write_text("LOCATION,x\n")
    out = tmp_path / "out"
    _refused(capsys, ["optimise", str(_spec(tmp_path, building=building)), "--out", str(out)],
             "atlantis" if "atlantis" in building else building.split('"')[1])
    _no_run_folder(out)


@pytest.mark.parametrize("cities", ['["harbin", "atlantis"]', '["atlantis"]'])
def test_sweep_bad_city_leaves_no_run_folder(capsys, tmp_path, cities):
    out = tmp_path / "out"
    _refused(capsys, ["sweep", str(_sweep(tmp_path, cities=cities)), "--out", str(out)], "atlantis")
    _no_run_folder(out)


def test_sweep_broken_epw_leaves_no_run_folder(capsys, tmp_path):
    (tmp_path / "broken.epw").write_text("LOCATION,x\n")
    path = _sweep(tmp_path)
    path.write_text(path.read_text().replace('cities = ["harbin"]', 'cities = ["harbin"]\nepw = ["broken.epw"]'))
    out = tmp_path / "out"
    _refused(capsys, ["sweep", str(path), "--out", str(out)], "broken.epw")
    _no_run_folder(out)


def test_optimise_evaluator_errors_leave_no_run_folder(capsys, tmp_path):
    """Errors found when the evaluator is made (here: a metric against the existing building in a
    new build; costs of a user EPW without a tariff city) come before the run folder."""
    out = tmp_path / "out"
    existing = '[[objectives]]\nmetric = "saving_vs_existing_primary_energy"'
    _refused(capsys, ["optimise", str(_spec(tmp_path, extra=existing)), "--out", str(out)], "vintage")
    _no_run_folder(out)
    _refused(capsys, ["optimise", str(_spec(tmp_path, building=f'epw = "{CHICAGO_EPW}"',
                                            extra='[[objectives]]\nmetric = "incremental_investment_rmb"')),
                      "--out", str(out)], "tariff_city")
    _no_run_folder(out)


def test_sweep_unknown_indicator_leaves_no_run_folder(capsys, tmp_path):
    path = _sweep(tmp_path)
    path.write_text(path.read_text() + '\n[[threshold]]\ntarget = "ultra-low"\nindicator = "no_such_indicator"\n'
                                       "values = [0.2, 0.3]\n")
    out = tmp_path / "out"
    _refused(capsys, ["sweep", str(path), "--out", str(out)], "no_such_indicator")
    _no_run_folder(out)


# --- variant studies (issue 15): bad [[variant]], [baseline], [search] and budget ------------------

@pytest.mark.parametrize(("extra", "fields"), [
    ('[[variant]]\nname = "v"\ntarget = "gb55015"\nlimits = { roof_colour = 0.2 }\n', ("roof_colour", "allowed")),
    ('[[variant]]\nname = "v"\ntarget = "gb55015"\nlimits = { wall_u_w_m2k = "< 0.2" }\n', ("wall_u_w_m2k",)),
    ('[[variant]]\nname = "v"\ntarget = "retrofit"\n', ("variant[0].target", "ultra-low")),
    ('[[variant]]\nname = "v"\ntarget = "gb55015"\n[[variant]]\nname = "v"\ntarget = "ultra-low"\n', ("'v'",)),
    ('[[variant]]\nname = "v"\ntarget = "gb55015"\n[baseline]\npackage = "cheapest"\nvariant = "w"\n',
     ("baseline.variant", "'w'", "allowed: v")),
    ('[[variant]]\nname = "v"\ntarget = "gb55015"\n[baseline]\npackage = "cheapest"\n', ("baseline.variant",)),
    ('[baseline]\npackage = "best"\n', ("baseline.package", "reference")),
    ('[baseline]\npackage = { window_u_w_m2k = 1.0 }\n[[variant]]\nname = "v"\ntarget = "gb55015"\n',
     ("baseline.package", "missing")),
    ('[search]\npopulation = 2\n', ("search.population", ">= 4")),
    ('[search]\nsize = 2\n', ("search.", "'size'", "population")),
])
def test_sweep_bad_variant_baseline_or_search_leaves_no_run_folder(capsys, tmp_path, extra, fields):
    path = _sweep(tmp_path)
    path.write_text(path.read_text() + "\n" + extra)
    out = tmp_path / "out"
    _refused(capsys, ["sweep", str(path), "--out", str(out)], *fields)
    _no_run_folder(out)


def test_sweep_negative_budget_refused(capsys, tmp_path):
    path = _sweep(tmp_path)
    path.write_text(path.read_text().replace("[sweep]\n", "[sweep]\nbudget_rmb_m2 = -5\n", 1))
    _refused(capsys, ["sweep", str(path), "--out", str(tmp_path / "out")], "budget_rmb_m2", ">= 0")
