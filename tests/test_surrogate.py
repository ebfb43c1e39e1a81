"""Surrogate screening (issue 18, item 2): the model only chooses which designs are simulated.

Unit cases by hand (encoding, screening by pymoo's constraint-domination survival, held-out R²),
then a real run (EnergyPlus design days, local Ray): every reported objective and constraint is
recomputed from the EnergyPlus records in the run's store and must equal the row's; no design the
surrogate screened out appears in the results; the held-out accuracy is in history.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CHICAGO_EPW
from ultralow.optimise.problem import DesignEvaluator
from ultralow.optimise.run import run_optimisation
from ultralow.optimise.spec import load_spec
from ultralow.optimise.store import ResultStore, file_sha256
from ultralow.optimise.surrogate import encode, held_out_r2, screen
from ultralow.optimise.variables import Variable


def test_encoding_scales_numbers_and_one_hot_encodes_choices():
    variables = [Variable("u", "float", low=0.1, high=0.5), Variable("w", "choice", options=("a", "b", "c"))]
    X = encode(variables, [{"u": 0.1, "w": "b"}, {"u": 0.5, "w": "c"}, {"u": 0.3, "w": "a"}])
    assert X.tolist() == [[0.0, 0, 1, 0], [1.0, 0, 0, 1], [pytest.approx(0.5), 1, 0, 0]]


def test_screen_keeps_the_predicted_front_first_then_explores_the_rest():
    F = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 3.0], [0.5, 0.5], [4.0, 4.0]])
    G = np.array([[-1.0], [-1.0], [-1.0], [-1.0], [5.0], [-1.0]])  # design 4 predicted infeasible
    rng = np.random.default_rng(1)
    # by hand: the feasible non-dominated set is {0, 1}; design 4 would dominate 2 and 3 but is infeasible
    assert screen(F, G, n_keep=2, explore_share=0.0, rng=rng) == [0, 1]
    assert screen(F, G, n_keep=3, explore_share=0.0, rng=rng) == [0, 1, 2]
    picked = screen(F, G, n_keep=2, explore_share=0.5, rng=np.random.default_rng(3))
    assert len(picked) == 2 and 0 in picked or 1 in picked
    best = [i for i in picked if i in (0, 1)]
    assert len(best) == 1 and len(set(picked) - {best[0]}) == 1  # one exploited, one explored from the rest
    assert screen(F[:2], G[:2], n_keep=4, explore_share=0.25, rng=rng) == [0, 1]  # fewer than asked: all


def test_held_out_r2_by_hand():
    # y = 1, 2, 3 (mean 2, SS_tot = 2); predictions 1, 2, 4: SS_res = 1 -> R² = 1 - 1/2
    assert held_out_r2(np.array([[1.0], [2.0], [4.0]]), np.array([[1.0], [2.0], [3.0]])) == [pytest.approx(0.5)]
    assert np.isnan(held_out_r2(np.array([[1.0]]), np.array([[1.0]]))[0])


SPEC = f"""
[run]
name = "surrogate"
seed = 11
population = 4
generations = 4
period = "design-days"
store = "none"
dispatch = "generational"
surrogate = true
surrogate_candidates = 3
surrogate_explore = 0.25

[building]
template = "residential"
epw = "{CHICAGO_EPW}"
parameters = {{ storeys = 3, length_m = 30.0 }}

[variables]
wall_u_w_m2k = {{ type = "float", min = 0.15, max = 0.60, step = 0.05 }}
window_u_w_m2k = {{ type = "float", min = 0.8, max = 2.4, step = 0.2 }}
heating_setpoint_c = {{ type = "int", min = 18, max = 21 }}

[[objectives]]
metric = "primary_energy_kwh_m2"

[[objectives]]
metric = "incremental_investment_rmb_m2"

[[constraints]]
metric = "heating_demand_kwh_m2"
max = 0.6

[costs]
tariff_city = "beijing"
"""


@pytest.mark.slow
def test_reported_results_come_from_energyplus_never_from_the_surrogate(tmp_path, local_ray):
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(SPEC)
    spec = load_spec(spec_path)
    result = run_optimisation(spec, out_dir=tmp_path / "runs", workers=2, progress=False)
    run_dir = result.run_dir
    events = [json.loads(line) for line in (run_dir / "search_log.jsonl").read_text().splitlines()]
    screened = [e for e in events if e["event"] == "ask" and e.get("candidates")]
    assert screened, "the surrogate never screened (expected from the third generation on)"
    assert all(e["candidates"] > len(e["design_ids"]) for e in screened)
    screened_out = {i for e in screened for i in e["screened_out_ids"]}
    rows = [json.loads(line) for line in (run_dir / "evaluations.jsonl").read_text().splitlines()]
    assert len(rows) == 16
    reported = {r["design_id"] for r in rows}
    assert reported <= _asked_ids(events)  # only designs selected for simulation are reported
    assert screened_out - _asked_ids(events), "nothing was screened out"
    assert not (screened_out - _asked_ids(events)) & reported
    # independent recomputation: the row's F and G from the EnergyPlus records in the run's store
    from ultralow.sim.idd import engine_version
    from ultralow.weather import resolve_weather

    weather = resolve_weather(epw=spec.epw)
    evaluator = DesignEvaluator(spec, weather, file_sha256(str(weather.epw_path)), engine_version())
    store = ResultStore(run_dir / "store.sqlite")
    try:
        for r in rows:
            design = evaluator.prepare({v.name: r[v.name] for v in spec.variables})
            records = {job.key: store.lookup(job.key) for job in design.jobs.values()}
            assert all(rec is not None for rec in records.values()), "a reported design has no EnergyPlus record"
            again = evaluator.evaluate(design, records)
            assert again["F"] == pytest.approx(r["F"], rel=1e-12)
            assert again["G"] == pytest.approx(r["G"], rel=1e-12)
    finally:
        store.close()
    history = pd.read_csv(run_dir / "history.csv")
    r2 = history["surrogate_r2_primary_energy_kwh_m2"]
    assert r2.iloc[:2].isna().all() and np.isfinite(r2.iloc[2:]).any()
    assert (history["surrogate_screened_out"].iloc[2:] > 0).all()


def _asked_ids(events: list[dict]) -> set[str]:
    return {i for e in events if e["event"] == "ask" for i in e["design_ids"]}


def test_surrogate_keys_are_validated(tmp_path):
    import tomllib

    from ultralow.errors import InputError
    from ultralow.optimise.spec import parse_spec

    data = tomllib.loads(SPEC)
    data["run"]["surrogate_explore"] = 1.5
    with pytest.raises(InputError, match="surrogate_explore"):
        parse_spec(data)
    data["run"]["surrogate_explore"] = 0.2
    data["run"]["dispatch"] = "steady"
    with pytest.raises(InputError, match="run.dispatch.*allowed: auto, generational, async"):
        parse_spec(data)
    assert Path(CHICAGO_EPW).is_file()
