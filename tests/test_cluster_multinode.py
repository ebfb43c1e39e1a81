"""Multi-node proof on one machine: a local Ray cluster of several nodes (ray.cluster_utils).

A small optimisation and a sweep run on a head (no CPUs) plus worker nodes; tasks land on more
than one node; a worker node is removed in the middle of the optimisation and the job still
completes with every design evaluated, nothing lost and no finished design simulated twice.
Real EnergyPlus (design days), real Ray.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest
import ray
from ray.cluster_utils import Cluster
from ultralow.optimise.run import run_optimisation
from ultralow.optimise.spec import parse_spec
from ultralow.optimise.sweep import load_sweep, run_sweep


@pytest.fixture()
def cluster():
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})  # the head only drives
    workers = [c.add_node(num_cpus=1) for _ in range(3)]
    c.wait_for_nodes()
    ray.init(address=c.address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield c, workers
    ray.shutdown()
    c.shutdown()


def small_spec(store: str) -> dict:
    return {
        "run": {"name": "multinode", "seed": 5, "population": 6, "generations": 2, "period": "design-days",
                "store": store, "max_retries": 3},
        "building": {"template": "residential", "city": "harbin", "parameters": {"storeys": 3}},
        "variables": {"wall_u_w_m2k": {"type": "float", "min": 0.12, "max": 0.45, "step": 0.01},
                      "hrv_efficiency": {"type": "float", "min": 0.0, "max": 0.9, "step": 0.05}},
        "objectives": [{"metric": "incremental_investment_rmb"}, {"metric": "primary_energy_kwh_m2"}],
    }


def test_optimisation_survives_losing_a_node(cluster, tmp_path):
    c, workers = cluster
    seen: list[dict] = []
    removed: list[str] = []

    def on_record(record: dict) -> None:
        seen.append(record)
        if len(seen) == 3 and not removed:  # mid-run: take away a worker node (its tasks are retried)
            c.remove_node(workers[0])
            removed.append(workers[0].node_id)

    result = run_optimisation(parse_spec(small_spec(str(tmp_path / "shared"))), out_dir=tmp_path / "runs",
                              address=c.address, progress=False, on_record=on_record)
    assert removed, "the node was not removed during the run"
    ok = [r for r in seen if r["status"] == "ok"]
    assert all(r["status"] == "ok" for r in seen), [r.get("error") for r in seen if r["status"] != "ok"]
    assert len({r["node_id"] for r in ok}) >= 2  # tasks ran on more than one node
    counts = Counter(r["key"] for r in ok)
    assert max(counts.values()) == 1  # no finished design simulated twice
    with sqlite3.connect(result.run_dir / "store.sqlite") as conn:
        stored = dict(conn.execute("SELECT key, status FROM simulations").fetchall())
    assert set(counts) <= set(stored) and set(stored.values()) == {"ok"}  # nothing lost
    evaluations = (result.run_dir / "evaluations.csv").read_text().splitlines()
    assert len(evaluations) - 1 == 12  # 2 generations x 6 designs, all evaluated
    assert (result.run_dir / "pareto.csv").is_file()


SWEEP = """
[sweep]
name = "multinode-sweep"
method = "lhs"
n = 4
seed = 2
period = "design-days"
templates = ["residential"]
cities = ["harbin"]
store = "{store}"

[parameters]
storeys = 3

[variables.wall_u_w_m2k]
type = "float"
min = 0.12
max = 0.45
step = 0.01

[[threshold]]
name = "wall U"
standard = "gb55015_2021"
indicator = "wall_u_w_m2k"
values = [0.45, 0.20]
zones = ["severe_cold"]
"""


def test_sweep_runs_across_nodes(cluster, tmp_path):
    c, _ = cluster
    spec_path = tmp_path / "sweep.toml"
    spec_path.write_text(SWEEP.format(store=tmp_path / "shared"))
    result = run_sweep(load_sweep(spec_path), out_dir=tmp_path / "runs", address=c.address, progress=False)
    assert result.results["status"].eq("ok").all()
    with sqlite3.connect(result.run_dir / "store.sqlite") as conn:
        hosts = {h for (h,) in conn.execute("SELECT host FROM simulations")}
    assert len(hosts) >= 2, hosts  # "host (ray node ...)" differs per node
    again = run_sweep(load_sweep(spec_path), out_dir=tmp_path / "runs2", address=c.address, progress=False)
    assert again.n_simulated == 0


class _DriverKilled(Exception):
    pass


def test_driver_killed_and_resumed_on_the_cluster(cluster, tmp_path):
    c, _ = cluster
    spec = small_spec(str(tmp_path / "shared"))
    finished: list[str] = []

    def kill_driver(record: dict) -> None:
        finished.append(record["key"])
        if len(finished) == 9:  # in the second generation
            raise _DriverKilled

    with pytest.raises(_DriverKilled):
        run_optimisation(parse_spec(spec), out_dir=tmp_path / "runs", address=c.address, progress=False,
                         on_record=kill_driver)
    run_dir = next((tmp_path / "runs").iterdir())
    again: list[str] = []
    resumed = run_optimisation(parse_spec(spec), resume_dir=run_dir, address=c.address, progress=False,
                               on_record=lambda r: again.append(r["key"]))
    assert not set(again) & set(finished)  # nothing finished before the kill is simulated again
    assert len(resumed.evaluations) == 12 and set(resumed.evaluations["generation"]) == {1, 2}
