"""Run simulations as Ray tasks and hand each record back as soon as it finishes.

One task = one :func:`ultralow.sim.simulate` call in a Ray worker (1 CPU). An EnergyPlus failure
comes back as a ``failed`` record carrying the Severe/Fatal lines (not as an exception); a worker
that dies mid-task is retried by Ray up to ``max_retries`` times and then reported as an ``error``
record. All jobs of a batch are submitted at once and collected with ``ray.wait`` in completion
order, so workers never wait for the driver and results are stored as they finish; ``submit`` and
``wait`` do the same one task at a time (the optimiser's asynchronous dispatch). Each record
carries its task's ``started_at``/``finished_at`` (unix s) and ``seconds`` (utilisation).

The weather file travels through the Ray object store, so workers on other nodes need no shared
filesystem: a worker that does not see the driver's EPW path writes the bytes to its own cache.

Every attempt of a task (Ray retries included) counts itself with a small actor pinned to the
head node, so a record's ``attempts`` is the real number of starts. A failed simulation's
``eplusout.err`` travels back in the record and is kept as ``failed_dir/KEY.err`` (``err_path``).
With env ``ULTRALOW_ATTEMPT_MARKERS`` naming a folder, each attempt writes an empty marker file
``KEY.NODE.PID.N`` there as it starts (tests count attempts per design and node with them).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ray


@dataclass(frozen=True)
class Job:
    """One simulation to run; ``key`` is its content hash (see :mod:`ultralow.optimise.store`)."""

    key: str
    template: str
    parameters: dict[str, Any]
    period: str
    weather_sha256: str
    engine_version: str


def _local_epw(epw_path: str, weather_sha256: str, epw_bytes_ref: list[Any]) -> str:
    """The driver's EPW path if this node sees it, else a copy in this node's cache."""
    if os.path.isfile(epw_path):
        return epw_path
    from ultralow.paths import cache_dir

    local = cache_dir() / "weather" / f"dispatched_{weather_sha256[:16]}.epw"
    if not local.is_file():
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(ray.get(epw_bytes_ref[0]))
        tmp.replace(local)
    return str(local)


def _node_id() -> str | None:
    """The Ray node this task runs on (None outside Ray)."""
    return ray.get_runtime_context().get_node_id() if ray.is_initialized() else None


def _host() -> str:
    """Host name and Ray node (several Ray nodes may share one host), as stored with each record."""
    node = _node_id()
    return f"{socket.gethostname()} (ray node {node[:12]})" if node else socket.gethostname()


MAX_ERR_BYTES = 4 << 20  # eplusout.err kept for a failed simulation, at most


@ray.remote(num_cpus=0)
class AttemptCounter:
    """Counts the starts of each task (by job key); lives on the head node."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def bump(self, key: str) -> int:
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]

    def get(self, key: str) -> int:
        return self.counts.get(key, 0)


def _attempt_number(job: Job, counter: Any) -> int:
    if counter is None:
        return 1
    try:
        return int(ray.get(counter.bump.remote(job.key), timeout=30))
    except Exception:  # the counter is bookkeeping: never fail a simulation for it
        return 1


def _write_marker(folder: str | None, key: str, attempt: int) -> None:
    """``folder/KEY.NODE.PID.N``, N counting this worker's starts of the key (test evidence)."""
    if not folder:
        return
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    stem = f"{key}.{_node_id() or socket.gethostname()}.{os.getpid()}"
    n = attempt
    while (base / f"{stem}.{n}").exists():
        n += 1
    (base / f"{stem}.{n}").touch()


def _err_text(*folders: Any) -> str | None:
    """The text of the first ``eplusout.err`` under ``folders``."""
    for folder in folders:
        if not folder or not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).rglob("eplusout.err")):
            data = path.read_bytes()
            return data[-MAX_ERR_BYTES:].decode("utf-8", errors="replace")
    return None


def simulate_job(job: Job, weather: Any, epw_bytes_ref: list[Any], keep_dir: str | None,
                 counter: Any = None, markers_dir: str | None = None) -> dict[str, Any]:
    """Run one job here and return its store record (status ``ok``, ``failed`` or ``error``).

    ``weather`` is the driver's ``WeatherSource`` (its EPW path replaced by a local copy when
    this node does not see it); ``counter``: an :class:`AttemptCounter`; ``markers_dir`` (or env
    ``ULTRALOW_ATTEMPT_MARKERS``): where to write an attempt marker."""
    from ultralow.errors import SimulationError
    from ultralow.sim import simulate

    t0 = time.perf_counter()
    started_at = time.time()
    attempt = _attempt_number(job, counter)
    _write_marker(markers_dir or os.environ.get("ULTRALOW_ATTEMPT_MARKERS"), job.key, attempt)
    record: dict[str, Any] = {
        "key": job.key, "template": job.template, "parameters": job.parameters, "period": job.period,
        "weather_sha256": job.weather_sha256, "engine_version": job.engine_version,
        "host": _host(), "node_id": _node_id(), "attempts": attempt,
        "result": None, "error": None, "severe_lines": [],
    }
    run_dir = Path(keep_dir) / job.key[:16] if keep_dir else Path(tempfile.mkdtemp(prefix="ultralow-opt-"))
    try:
        local = _local_epw(str(weather.epw_path), job.weather_sha256, epw_bytes_ref)
        if local != str(weather.epw_path):
            weather = dataclasses.replace(weather, epw_path=Path(local))
        result = simulate(job.template, job.parameters, weather, run_dir=run_dir, period=job.period)
        record.update(status="ok", result=result.to_dict())
    except SimulationError as exc:
        record.update(status="failed", error=str(exc).splitlines()[0], severe_lines=exc.severe_lines,
                      err_text=_err_text(exc.run_dir, run_dir))
    except Exception as exc:  # a bug or a broken node: log it, do not reuse it
        record.update(status="error", error=f"{type(exc).__name__}: {exc}",
                      severe_lines=traceback.format_exc().splitlines()[-12:])
    finally:
        if not keep_dir:
            shutil.rmtree(run_dir, ignore_errors=True)
    record["seconds"] = time.perf_counter() - t0
    record["started_at"] = started_at
    record["finished_at"] = time.time()
    return record


_remote_simulate = ray.remote(num_cpus=1)(simulate_job)


@ray.remote(num_cpus=1)
def _warm_up(template: str | None, weather: Any) -> str:
    """Import the simulation stack and (with ``template``) build its default model once, so the
    first real task of this worker costs what every later one does (eppy IDD parse, imports)."""
    from ultralow.sim.simulate import build

    if template is not None:
        build(template, {}, weather)
    return socket.gethostname()


def start_ray(address: str | None = None, workers: int | None = None) -> int:
    """Join a cluster (``address``) or start local Ray with ``workers`` CPUs (default: all cores).
    Reuses an already initialised Ray. Returns the number of CPUs available for tasks."""
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                  "configure_logging": False}
        if address:
            # Token authentication (cluster/auth.py): a driver holding the cluster's token uses it;
            # one that cannot join says why in one line (InputError, exit status 2).
            from ultralow.cluster.auth import connect_error, prepare_driver

            prepare_driver()
            try:
                ray.init(address=address, **kwargs)
            except (ConnectionError, ray.exceptions.AuthenticationError) as exc:
                raise connect_error(address, exc) from None
        else:  # always a new local instance, even when a `ray start` cluster runs on this machine
            from ultralow.optimise.ray_reaper import start_reaper

            start_reaper()  # the local cluster dies with this driver, even a SIGKILLed one (issue 12)
            ray.init(address="local", num_cpus=workers or os.cpu_count() or 1, **kwargs)
    return int(ray.cluster_resources().get("CPU", 1))


class Dispatcher:
    """Submit batches of :class:`Job` to Ray; ``run`` calls ``on_done(record)`` per completion."""

    def __init__(self, weather: Any, *, max_retries: int = 2, keep_dir: str | Path | None = None,
                 warm_up: int = 0, template: str | None = None, failed_dir: str | Path | None = None):
        """``weather``: the ``WeatherSource`` every job runs with; ``warm_up`` workers build the
        ``template``'s default model before the first batch; ``failed_dir``: where a failed
        simulation's ``eplusout.err`` is kept (``KEY.err``, the record's ``err_path``)."""
        self.weather = weather
        self.max_retries = max_retries
        self.keep_dir = str(keep_dir) if keep_dir else None
        self.failed_dir = Path(failed_dir) if failed_dir else None
        self.markers_dir = os.environ.get("ULTRALOW_ATTEMPT_MARKERS") or None
        # on the head node, which lives as long as the cluster (worker nodes may be lost)
        head = "node:__internal_head__"
        self._counter = AttemptCounter.options(
            resources={head: 0.001} if head in ray.cluster_resources() else None).remote()
        self._epw_ref = [ray.put(Path(weather.epw_path).read_bytes())]
        self._weather_ref = ray.put(weather)
        self._pending: dict[Any, Job] = {}
        if warm_up:
            ray.get([_warm_up.remote(template, self._weather_ref) for _ in range(warm_up)])

    def submit(self, job: Job) -> None:
        """Start ``job`` as a Ray task; its record comes back from :meth:`wait`."""
        ref = _remote_simulate.options(max_retries=self.max_retries).remote(
            job, self._weather_ref, self._epw_ref, self.keep_dir, self._counter, self.markers_dir)
        self._pending[ref] = job

    @property
    def in_flight(self) -> int:
        """Tasks submitted and not yet handed back by :meth:`wait`."""
        return len(self._pending)

    def wait(self, timeout_s: float | None = None) -> list[dict[str, Any]]:
        """Block until a task has finished (or ``timeout_s`` passed); the finished tasks' records,
        in completion order. A task lost after its retries yields an ``error`` record naming the
        Ray error."""
        if not self._pending:
            return []
        done, _ = ray.wait(list(self._pending), num_returns=1, timeout=timeout_s)
        records = []
        for ref in done:
            job = self._pending.pop(ref)
            try:
                record = ray.get(ref)
            except Exception as exc:  # worker died max_retries + 1 times, node lost...
                record = {
                    "key": job.key, "template": job.template, "parameters": job.parameters,
                    "period": job.period, "weather_sha256": job.weather_sha256,
                    "engine_version": job.engine_version, "status": "error", "result": None,
                    "error": f"Ray task lost after {self.max_retries} retries: {type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''}",
                    "severe_lines": [], "seconds": None, "started_at": None, "host": None,
                    "attempts": self._attempts(job), "finished_at": time.time(),
                }
            self._keep_err(record)
            records.append(record)
        return records

    def cancel(self) -> None:
        """Stop every task in flight (the driver was interrupted: do not leave work running)."""
        for ref in self._pending:
            ray.cancel(ref, force=True)
        self._pending.clear()

    def run(self, jobs: Iterable[Job], on_done: Callable[[dict[str, Any]], None]) -> None:
        """Run every job; ``on_done(record)`` in completion order."""
        for job in jobs:
            self.submit(job)
        try:
            while self._pending:
                for record in self.wait():
                    on_done(record)
        finally:
            self.cancel()

    def _attempts(self, job: Job) -> int:
        try:
            return int(ray.get(self._counter.get.remote(job.key), timeout=30)) or self.max_retries + 1
        except Exception:
            return self.max_retries + 1

    def _keep_err(self, record: dict[str, Any]) -> None:
        """Move a failed record's ``eplusout.err`` text into ``failed_dir/KEY.err`` (``err_path``)."""
        text = record.pop("err_text", None)
        if text is None or self.failed_dir is None:
            return
        self.failed_dir.mkdir(parents=True, exist_ok=True)
        path = self.failed_dir / f"{record['key']}.err"
        path.write_text(text)
        record["err_path"] = str(path)
