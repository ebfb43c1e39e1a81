"""Multi-node proof on one machine: a local Ray cluster of several nodes (ray.cluster_utils).

A small optimisation and a sweep run on a head (no CPUs) plus worker nodes; tasks land on more
than one node; a worker node is removed while it runs a simulation and the job still completes
with every design evaluated, nothing lost and no finished design simulated twice; a driver process
killed with SIGKILL is resumed to the same result as an uninterrupted run. What ran where is
counted with attempt markers (env ``ULTRALOW_ATTEMPT_MARKERS``: one file ``KEY.NODE.PID.N`` per
task attempt, see :mod:`ultralow.optimise.dispatch`), not with what the driver receives.
Real EnergyPlus (design days), real Ray.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pandas as pd
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


def markers_of(folder: Path) -> list[tuple[str, str]]:
    """(key, node id) per attempt marker."""
    if not folder.is_dir():
        return []
    return [tuple(p.name.split(".")[:2]) for p in folder.iterdir()]


@pytest.mark.slow
def test_optimisation_survives_losing_a_node(cluster, tmp_path, monkeypatch):
    c, workers = cluster
    markers = tmp_path / "markers"
    monkeypatch.setenv("ULTRALOW_ATTEMPT_MARKERS", str(markers))
    doomed = workers[0].node_id
    removed: list[str] = []  # the key the doomed node was simulating when it was removed
    stop = threading.Event()

    def remove_when_busy() -> None:  # take the node away while it runs a simulation
        while not stop.is_set():
            busy = [key for key, node in markers_of(markers) if node == doomed]
            if busy:
                c.remove_node(workers[0])
                removed.append(busy[0])
                return
            time.sleep(0.05)

    thread = threading.Thread(target=remove_when_busy, daemon=True)
    thread.start()
    seen: list[dict] = []
    try:
        result = run_optimisation(parse_spec(small_spec(str(tmp_path / "shared"))), out_dir=tmp_path / "runs",
                                  address=c.address, progress=False, on_record=seen.append)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert removed, "the node never started a simulation"
    assert all(r["status"] == "ok" for r in seen), [r.get("error") for r in seen if r["status"] != "ok"]
    attempts = Counter(key for key, _ in markers_of(markers))
    live = Counter(key for key, node in markers_of(markers) if node != doomed)
    # the simulation in flight on the removed node was retried on another node...
    assert attempts[removed[0]] >= 2 and live[removed[0]] == 1, attempts
    with sqlite3.connect(result.run_dir / "store.sqlite") as conn:
        stored = {k: (s, n, a) for k, s, n, a in conn.execute("SELECT key, status, host, attempts FROM simulations")}
    assert stored[removed[0]][2] == attempts[removed[0]]  # ...and the store says how many attempts it took
    assert doomed[:12] not in stored[removed[0]][1]
    assert len({node for _, node in markers_of(markers)}) >= 2  # tasks ran on more than one node
    assert max(live.values()) == 1  # no design simulated twice on the nodes that stayed
    assert set(stored) == set(attempts) and {s for s, _, _ in stored.values()} == {"ok"}  # nothing lost
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


DRIVER = """
import json, sys
import ray
ray.init(address=sys.argv[3], include_dashboard=False, log_to_driver=False, configure_logging=False)
from ultralow.optimise.run import run_optimisation
from ultralow.optimise.spec import parse_spec
run_optimisation(parse_spec(json.loads(sys.argv[1])), out_dir=sys.argv[2], address=sys.argv[3], progress=False)
"""


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.is_file() else 0


@pytest.mark.slow
def test_driver_killed_and_resumed_on_the_cluster(cluster, tmp_path, monkeypatch):
    c, _ = cluster
    markers = tmp_path / "markers"
    monkeypatch.setenv("ULTRALOW_ATTEMPT_MARKERS", str(markers))
    spec = small_spec(str(tmp_path / "shared"))
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, json.dumps(spec), str(tmp_path / "runs"), c.address],
                              env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    gen1 = -1
    while time.time() < deadline and driver.poll() is None:  # SIGKILL once generation 2 is simulating
        runs = list((tmp_path / "runs").glob("*/evaluations.jsonl"))
        if runs and _lines(runs[0]) >= 6:
            if gen1 < 0:
                gen1 = len(markers_of(markers))
            elif len(markers_of(markers)) > gen1:
                with sqlite3.connect(runs[0].parent / "store.sqlite") as conn:
                    if conn.execute("SELECT COUNT(*) FROM simulations").fetchone()[0] > gen1:
                        driver.send_signal(signal.SIGKILL)
                        break
        time.sleep(0.05)
    assert driver.wait(timeout=30) == -signal.SIGKILL, driver.stderr.read().decode()[-2000:]
    run_dir = next((tmp_path / "runs").iterdir())
    with sqlite3.connect(run_dir / "store.sqlite") as conn:
        finished = {k for (k,) in conn.execute("SELECT key FROM simulations WHERE status = 'ok'")}
    assert _lines(run_dir / "evaluations.jsonl") == 6  # killed inside generation 2
    resumed = run_optimisation(parse_spec(spec), resume_dir=run_dir, address=c.address, progress=False)
    attempts = Counter(key for key, _ in markers_of(markers))
    assert all(attempts[k] == 1 for k in finished), {k: attempts[k] for k in finished}  # not simulated again
    assert len(resumed.evaluations) == 12 and set(resumed.evaluations["generation"]) == {1, 2}

    # the same as an uninterrupted run with its own store
    straight = run_optimisation(parse_spec(small_spec(str(tmp_path / "fresh"))), out_dir=tmp_path / "straight",
                                address=c.address, progress=False)
    cols = ["generation", "design_id", "status", "primary_energy_kwh_m2"]
    pd.testing.assert_frame_equal(resumed.evaluations[cols].reset_index(drop=True),
                                  straight.evaluations[cols].reset_index(drop=True))
    with sqlite3.connect(run_dir / "store.sqlite") as a, sqlite3.connect(straight.run_dir / "store.sqlite") as b:
        keys = [{k for (k,) in conn.execute("SELECT key FROM simulations WHERE status = 'ok'")} for conn in (a, b)]
    # every simulation of the uninterrupted run is in the resumed run's store (equal sets unless the
    # model revision changed while the test ran: then the older keys stay behind too)
    assert keys[1] <= keys[0]
