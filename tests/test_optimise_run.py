"""End to end on a real local Ray cluster (2 CPUs) and real EnergyPlus (design-day runs).

(Heating setpoints above the cooling setpoint, which EnergyPlus used to refuse, are now refused
by the spec itself; failed EnergyPlus runs are covered in tests/test_hardening_state.py.)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import CHICAGO_EPW
from ultralow.optimise.run import run_optimisation
from ultralow.optimise.spec import parse_spec
from ultralow.optimise.store import SqliteStore


def _spec(shared_store: Path, generations: int = 2) -> dict:
    return {
        "run": {"name": "t", "seed": 5, "population": 6, "generations": generations, "period": "design-days",
                "store": str(shared_store)},
        "building": {"template": "residential", "epw": str(CHICAGO_EPW),
                     "parameters": {"storeys": 3, "length_m": 30.0, "cooling_setpoint_c": 22.0}},
        "variables": {
            "wall_u_w_m2k": {"type": "float", "min": 0.15, "max": 0.45, "step": 0.1},
            "window": {"type": "choice", "catalogue": "windows",
                       "options": ["double_lowe_pvc", "triple_lowe_passive"]},
            "heating_setpoint_c": {"type": "int", "min": 19, "max": 22},
        },
        "objectives": [{"metric": "primary_energy_kwh_m2"}, {"metric": "incremental_investment_rmb_m2"}],
        "constraints": [{"metric": "heating_demand_kwh_m2", "max": 1000}],
        "costs": {"tariff_city": "beijing"},  # a user weather file has no province of its own
    }



def _run(spec: dict, out: Path, **kw):
    return run_optimisation(parse_spec(spec), out_dir=out, progress=False, **kw)


def test_run_outputs_failures_and_store_reuse(local_ray, tmp_path):
    shared = tmp_path / "shared"
    first = _run(_spec(shared), tmp_path / "a")
    run_dir = first.run_dir
    for name in ("pareto.csv", "pareto.parquet", "evaluations.csv", "evaluations.parquet", "history.csv",
                 "store.sqlite", "checkpoint.json", "spec.json", "run.json"):
        assert (run_dir / name).is_file(), name
    assert first.n_simulated > 0
    ev = pd.read_parquet(run_dir / "evaluations.parquet")
    assert len(ev) == 12 and set(ev["generation"]) == {1, 2}
    failed = ev[ev["status"] == "failed"]
    ok = ev[ev["status"] == "ok"]
    assert len(ok) and not len(failed)
    pareto = pd.read_csv(run_dir / "pareto.csv")
    assert len(pareto) >= 1 and (pareto["status"] == "ok").all() and pareto["feasible"].all()
    assert {"window", "wall_u_w_m2k", "param_window_u_w_m2k", "primary_energy_kwh_m2", "lcc_rmb"} <= set(pareto)
    history = pd.read_csv(run_dir / "history.csv")
    assert list(history["generation"]) == [1, 2]
    assert history["n_failed"].sum() == len(failed)
    # issue 18: front quality per generation (fixed scale: the front's hypervolume never drops)
    assert history["hypervolume"].is_monotonic_increasing and (history["hypervolume"] > 0).all()
    assert ((history["feasible_share"] >= 0) & (history["feasible_share"] <= 1)).all()
    run_json = json.loads((run_dir / "run.json").read_text())
    assert run_json["front_hypervolume"] == pytest.approx(history["hypervolume"].iloc[-1])
    assert run_json["hypervolume_scale"]["reference_point"] == 1.1
    # issue 15: a variable's column is the input asked for; EnergyPlus's value sits beside it
    assert set(ev["wall_u_w_m2k"].round(10)) <= {0.15, 0.25, 0.35, 0.45}  # the grid min + k * step within 0.15-0.45
    assert "reported_wall_u_w_m2k" in ev and (ev["reported_wall_u_w_m2k"] != ev["wall_u_w_m2k"]).any()
    # issue 14: the run states its weather (file, hash by hashlib here, not synthetic) in weather.json and the report
    weather = json.loads((run_dir / "weather.json").read_text())
    assert weather["file"] == str(CHICAGO_EPW) and weather["synthetic"] is False
    assert weather["sha256"] == hashlib.sha256(CHICAGO_EPW.read_bytes()).hexdigest()
    html = (run_dir / "report.html").read_text()
    assert "<h2>Weather</h2>" in html and "user weather file" in html and weather["sha256"][:16] in html

    store = SqliteStore(run_dir / "store.sqlite")
    assert store.count("ok") >= 1 and store.count() == store.count("ok")
    store.close()

    # a second run of the same spec reuses every simulation from the shared store
    second = _run(_spec(shared), tmp_path / "b")
    assert second.n_simulated == 0 and second.n_reused > 0
    pd.testing.assert_frame_equal(
        second.pareto[["design_id", "primary_energy_kwh_m2"]].reset_index(drop=True),
        first.pareto[["design_id", "primary_energy_kwh_m2"]].reset_index(drop=True))


class _Interrupt(Exception):
    pass


def test_resume_equals_uninterrupted(local_ray, tmp_path):
    shared = tmp_path / "shared"
    out = tmp_path / "interrupted"
    first = _run(_spec(shared, generations=2), out)  # stop after 2 generations...
    seen = []

    def kill_driver(record):  # ...then die in the middle of generation 3
        seen.append(record)
        if len(seen) == 1:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        _run(_spec(shared, generations=3), out, resume_dir=first.run_dir, on_record=kill_driver)
    assert json.loads((first.run_dir / "run.json").read_text())["generations_done"] == 2
    resumed = _run(_spec(shared, generations=4), out, resume_dir=first.run_dir)
    assert set(resumed.evaluations["generation"]) == {1, 2, 3, 4}
    assert len(resumed.evaluations) == 24  # no duplicated generation-3 rows
    assert seen[0]["key"] not in {r for r in resumed.evaluations.query("source == 'simulated'")["design_key"]}

    # uninterrupted 4 generations, same seed, its own fresh store: same designs, same Pareto set
    straight = _run({**_spec(tmp_path / "fresh", generations=4)}, tmp_path / "straight")
    cols = ["generation", "design_id", "status", "primary_energy_kwh_m2"]
    pd.testing.assert_frame_equal(resumed.evaluations[cols].reset_index(drop=True),
                                  straight.evaluations[cols].reset_index(drop=True))
    assert sorted(resumed.pareto["design_id"]) == sorted(straight.pareto["design_id"])
