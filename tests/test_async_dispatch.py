"""Asynchronous dispatch (issue 18, item 3): simulations in flight follow the CPUs, not the
generation; a SIGKILLed asynchronous run resumes losing and repeating nothing.

Real EnergyPlus (design days), real local Ray (2 CPUs). What ran is counted with attempt markers
(env ``ULTRALOW_ATTEMPT_MARKERS``: one file per task attempt, written by the worker as it starts;
:mod:`ultralow.optimise.dispatch`), not with what the driver says.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import CHICAGO_EPW

SPEC = f"""
[run]
name = "async"
seed = 4
population = 3
generations = {{generations}}
period = "design-days"
store = "none"
dispatch = "{{dispatch}}"

[building]
template = "residential"
epw = "{CHICAGO_EPW}"
parameters = {{{{ storeys = 3, length_m = 30.0 }}}}

[variables]
wall_u_w_m2k = {{{{ type = "float", min = 0.15, max = 0.60, step = 0.01 }}}}
window_u_w_m2k = {{{{ type = "float", min = 0.8, max = 2.4, step = 0.1 }}}}

[[objectives]]
metric = "primary_energy_kwh_m2"

[[objectives]]
metric = "incremental_investment_rmb_m2"

[costs]
tariff_city = "beijing"
"""


def _optimise(args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ultralow.cli", "optimise", *args, "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def _events(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "search_log.jsonl").read_text().splitlines() if line.strip()]


def _store_keys(run_dir: Path) -> set[str]:
    with sqlite3.connect(run_dir / "store.sqlite") as con:
        return {k for (k,) in con.execute("SELECT key FROM simulations")}


def _attempts(folder: Path) -> Counter:
    return Counter(p.name.split(".")[0] for p in folder.iterdir()) if folder.is_dir() else Counter()


@pytest.mark.parametrize("dispatch", ["generational", "async"])
def test_async_asks_while_a_generation_is_still_running(tmp_path, dispatch):
    """With 2 CPUs and 3 designs per generation, asynchronous dispatch asks the next designs as soon
    as a CPU is free (an ask logged before the first tell, and a simulation of the second ask
    starting before the first generation's last one finished); generational never does."""
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.format(generations=3, dispatch=dispatch))
    env = {**os.environ, "ULTRALOW_RUNS": str(tmp_path / "runs")}
    proc = _optimise([str(spec), "--out", str(tmp_path / "runs"), "--quiet"], env)
    assert proc.wait(timeout=600) == 0, proc.stderr.read().decode()[-3000:]
    run_dir = next((tmp_path / "runs").iterdir())
    kinds = [e["event"] for e in _events(run_dir)]
    if dispatch == "generational":
        assert kinds == ["ask", "tell"] * 3
    else:
        assert kinds[:3] == ["ask", "ask", "tell"], kinds
        assert kinds.count("tell") == 3
    rows = [json.loads(line) for line in (run_dir / "evaluations.jsonl").read_text().splitlines()]
    assert [r["generation"] for r in rows] == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert json.loads((run_dir / "run.json").read_text())["dispatch"] == dispatch
    # each record carries its task's start and end (utilisation can be computed from any run)
    with sqlite3.connect(run_dir / "store.sqlite") as con:
        spans = list(con.execute("SELECT started_at, finished_at FROM simulations"))
    assert spans and all(start is not None and start <= end for start, end in spans)


@pytest.mark.slow
def test_killed_async_run_resumes_losing_and_repeating_nothing(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.format(generations=4, dispatch="async"))
    markers = tmp_path / "markers"
    env = {**os.environ, "ULTRALOW_RUNS": str(tmp_path / "runs"), "ULTRALOW_ATTEMPT_MARKERS": str(markers)}
    driver = _optimise([str(spec), "--out", str(tmp_path / "runs"), "--quiet"], env)
    deadline = time.time() + 600
    run_dir = None
    while time.time() < deadline and driver.poll() is None:  # SIGKILL once generation 2 is told
        dirs = list((tmp_path / "runs").glob("*")) if (tmp_path / "runs").is_dir() else []
        if dirs and (dirs[0] / "search_log.jsonl").is_file():
            run_dir = dirs[0]
            if sum(e["event"] == "tell" for e in _events(run_dir)) >= 2 and _attempts(markers):
                driver.send_signal(signal.SIGKILL)
                break
        time.sleep(0.05)
    assert driver.wait(timeout=60) == -signal.SIGKILL, "the run finished before it could be killed"
    stored_at_kill = _store_keys(run_dir)
    attempts_at_kill = _attempts(markers)
    asked_at_kill = [i for e in _events(run_dir) if e["event"] == "ask" for i in e["design_ids"]]
    told_at_kill = [i for e in _events(run_dir) if e["event"] == "tell" for i in e["design_ids"]]
    assert len(asked_at_kill) > len(told_at_kill), "nothing was in flight at the kill"

    resumed = _optimise(["--resume", str(run_dir), "--quiet", str(spec)], env)
    assert resumed.wait(timeout=600) == 0, resumed.stderr.read().decode()[-3000:]
    # nothing lost: every simulation stored before the kill is still there
    assert stored_at_kill <= _store_keys(run_dir)
    # nothing repeated: no simulation that had finished before the kill was started again
    attempts = _attempts(markers)
    repeated = {k: n for k, n in attempts.items() if k in stored_at_kill and n > attempts_at_kill[k]}
    assert not repeated, f"finished simulations run again after the resume: {repeated}"
    # the asked designs of the killed invocation were told after the resume, each exactly once
    events = _events(run_dir)
    told = [i for e in events if e["event"] == "tell" for i in e["design_ids"]]
    assert told[:len(told_at_kill)] == told_at_kill
    assert Counter(asked_at_kill) - Counter(told) == Counter()
    rows = [json.loads(line) for line in (run_dir / "evaluations.jsonl").read_text().splitlines()]
    assert [r["design_id"] for r in rows] == told and len(rows) == 12
    assert sorted({r["generation"] for r in rows}) == [1, 2, 3, 4]
