"""A real two-node Ray cluster started with ``ray start`` (head + worker as separate processes on
this machine, each with its own temp dir), token authentication on, and the ultralow CLI joining
it with ``--address``.

- the driver holds only the token (``RAY_AUTH_TOKEN``, no ``RAY_AUTH_MODE``) and joins;
- the worker node's raylet is SIGKILLed mid-run: the run still finishes with every design stored
  once and nothing simulated again except work lost on the dead node;
- a driver without the token says so in one line and exits 2.

Ray processes are stopped through the process groups this test started (never a machine-wide
``ray stop``, which would also end other Ray instances on a shared machine).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import write_small_optimise_spec

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
TOKEN = "0123456789abcdef" * 4


def _free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("", 0))
            port = s.getsockname()[1]
        if not 10002 <= port <= 19999:  # Ray's default worker port range
            return port


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(HOME=str(tmp / "home"), ULTRALOW_CACHE=os.environ.get("ULTRALOW_CACHE", str(tmp / "cache")),
               RAY_USAGE_STATS_ENABLED="0")
    env.update(extra)
    return env


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
            time.sleep(1)
        except subprocess.TimeoutExpired:
            continue


def _ray_query(address: str, env: dict[str, str], code: str) -> str:
    script = f"import ray; ray.init(address={address!r}, log_to_driver=False)\n{code}"
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=60, check=True).stdout.strip()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from ultralow.sim.idd import engine_idd_path

    engine_idd_path()  # both nodes share this machine's cache: derive the IDD once
    tmp = Path(tempfile.mkdtemp(prefix="ulray-", dir="/tmp"))  # Ray's socket paths must stay short
    (tmp / "home").mkdir()
    node_env = _env(tmp, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=TOKEN)
    port = _free_port()
    # small nodes on this machine's own address (Ray replaces 127.0.0.1 by it for cluster nodes)
    common = ["--num-cpus=1", "--object-store-memory=150000000", "--block", "--disable-usage-stats"]
    head = _start([str(BIN / "ray"), "start", "--head", f"--port={port}", f"--temp-dir={tmp / 'head'}",
                   "--include-dashboard=false", *common], node_env, tmp / "head.log")
    procs = [head]
    try:
        address_file = tmp / "head" / "ray_current_cluster"
        deadline = time.time() + 60
        while not (address_file.is_file() and address_file.read_text().strip()):
            assert head.poll() is None and time.time() < deadline, (tmp / "head.log").read_text()[-3000:]
            time.sleep(0.5)
        address = address_file.read_text().strip()  # the address Ray advertises
        worker = _start([str(BIN / "ray"), "start", f"--address={address}", f"--temp-dir={tmp / 'worker'}",
                         '--resources={"ultralow_test_worker": 1}', *common], node_env, tmp / "worker.log")
        procs.append(worker)
        worker_node = ""
        while not worker_node:
            assert worker.poll() is None and time.time() < deadline + 60, (tmp / "worker.log").read_text()[-3000:]
            worker_node = _ray_query(address, node_env, "print(''.join(n['NodeID'] for n in ray.nodes() "
                                     "if n['Alive'] and 'ultralow_test_worker' in n['Resources']))")
            time.sleep(0.5)
        yield {"address": address, "tmp": tmp, "worker": worker, "worker_node": worker_node,
               "worker_temp": tmp / "worker"}
    finally:
        for proc in reversed(procs):
            _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def _spec(path: Path, name: str) -> Path:
    return write_small_optimise_spec(path, name, seed=11, wall_step=0.05, heating_min=16)


def _worker_raylet_pid(worker_temp: Path) -> int:
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if proc.name.isdigit() and cmd[0].endswith(b"/raylet") and any(str(worker_temp).encode() in c for c in cmd):
            return int(proc.name)
    raise AssertionError("no raylet of the worker node")


def test_driver_with_the_token_survives_losing_a_worker_node(cluster, tmp_path):
    markers = tmp_path / "markers"
    out = tmp_path / "out"
    # the driver gets the token only: start_ray switches it to token mode itself
    env = _env(cluster["tmp"], RAY_AUTH_TOKEN=TOKEN, ULTRALOW_ATTEMPT_MARKERS=str(markers))
    t0 = time.time()
    driver = subprocess.Popen([str(BIN / "ultralow"), "optimise", str(_spec(tmp_path / "spec.toml", "kill")),
                               "--address", cluster["address"], "--out", str(out), "--quiet"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    worker_node = cluster["worker_node"]
    while not (markers.is_dir() and any(worker_node in m.name for m in markers.iterdir())):
        assert driver.poll() is None, driver.stdout.read()
        assert time.time() - t0 < 150, "the worker node never started a simulation"
        time.sleep(0.2)
    started_on_worker = {m.name.split(".")[0] for m in markers.iterdir() if worker_node in m.name}
    os.kill(_worker_raylet_pid(cluster["worker_temp"]), signal.SIGKILL)
    output, _ = driver.communicate(timeout=240)
    assert driver.returncode == 0, output[-3000:]

    run_dir = next(out.iterdir())
    rows = [json.loads(line) for line in (run_dir / "evaluations.jsonl").read_text().splitlines()]
    keys = {row["design_key"] for row in rows}
    assert len(rows) == 8  # 2 generations x 4 designs, none lost
    assert all(row["status"] in ("ok", "failed") for row in rows), [r["error"] for r in rows]
    with sqlite3.connect(run_dir / "store.sqlite") as db:
        stored = db.execute("SELECT key, status FROM simulations").fetchall()
    stored_keys = [k for k, _ in stored]  # the designs and the run's reference simulations
    assert keys <= set(stored_keys) and len(stored_keys) == len(set(stored_keys))
    assert {s for _, s in stored} <= {"ok", "failed"}
    # nothing simulated twice except what the dead node had started
    per_key: dict[str, int] = {}
    for m in markers.iterdir():
        per_key[m.name.split(".")[0]] = per_key.get(m.name.split(".")[0], 0) + 1
    assert set(per_key) == set(stored_keys)  # every simulation started was stored, none lost
    repeated = {k for k, n in per_key.items() if n > 1}
    assert repeated <= started_on_worker, (repeated, started_on_worker)
    assert all(n <= 1 + 3 for n in per_key.values())  # Ray's retries, not a resubmission loop
    print(f"run with a lost node: {time.time() - t0:.1f} s, {len(keys)} designs, "
          f"{len(started_on_worker)} started on the killed node, {len(repeated)} re-run")


def test_driver_without_the_token_exits_2_with_one_line(cluster, tmp_path):
    empty_home = tmp_path / "home"
    empty_home.mkdir()
    env = {**_env(cluster["tmp"]), "HOME": str(empty_home)}
    proc = subprocess.run([str(BIN / "ultralow"), "optimise", str(_spec(tmp_path / "spec.toml", "noauth")),
                           "--address", cluster["address"], "--out", str(tmp_path / "out"), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-3000:]
    message = [line for line in proc.stderr.splitlines() if "cannot join the Ray cluster" in line]
    assert len(message) == 1 and "RAY_AUTH_TOKEN" in message[0], proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
