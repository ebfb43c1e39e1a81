"""Content-addressed result store: one record per simulation, written as soon as it finishes.

Key = SHA-256 of (template, resolved parameters, SHA-256 of the weather file's bytes, EnergyPlus
engine version, run period, model revision), see :func:`simulation_key`; the model revision
(:func:`ultralow.sim.revision.model_revision`) hashes the model builder, its data files and the
result extraction, so after any change to them a store never serves the old numbers (the old
records stay in the file, unreachable; the schema is unchanged). A store is one SQLite file; the driver
is its single writer (Ray workers return records, the driver writes them), so a store on a shared
path serves every node of a cluster. A run keeps its own store (``RUN/store.sqlite``, everything
the run simulated or reused) and reads/writes through to a shared store across runs
(default ``cache_dir()/store/store.sqlite``).

Records with status ``ok`` or ``failed`` (EnergyPlus failed: deterministic, not worth repeating)
are reused; ``error`` records (a worker died, retries exhausted) are kept for the log only.
``attempts`` is the number of times the task started (Ray retries included); ``err_path`` names
the copy of a failed run's ``eplusout.err`` kept in the run folder.

Runs that share a store share work through *leases* (table ``leases``: key, owner, run folder,
expiry): a run simulates only the keys it holds a lease on, renews its leases while it runs, and
waits for a key another live run holds until its record appears; a lease whose owner died expires
(:data:`LEASE_SECONDS`, env ``ULTRALOW_LEASE_SECONDS``) and is then claimed by a waiter.

A file that is not a readable SQLite store raises :class:`~ultralow.errors.InputError` naming it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ultralow.errors import InputError

REUSABLE = ("ok", "failed")
LEASE_SECONDS = 120.0
COLUMNS = ("key", "status", "template", "parameters", "weather_sha256", "engine_version", "period", "result",
           "error", "severe_lines", "seconds", "host", "attempts", "finished_at", "err_path", "started_at")
ADDED_COLUMNS = {"err_path": "TEXT", "started_at": "REAL"}  # columns a store written by an older version lacks

_LEASES = """
CREATE TABLE IF NOT EXISTS leases (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    run TEXT,
    expires REAL NOT NULL
)
"""


def lease_seconds() -> float:
    """How long a lease lives without renewal (env ``ULTRALOW_LEASE_SECONDS``, default 120 s)."""
    try:
        return float(os.environ.get("ULTRALOW_LEASE_SECONDS", LEASE_SECONDS))
    except ValueError:
        return LEASE_SECONDS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS simulations (
    key TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    template TEXT NOT NULL,
    parameters TEXT NOT NULL,
    weather_sha256 TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    period TEXT NOT NULL,
    result TEXT,
    error TEXT,
    severe_lines TEXT,
    seconds REAL,
    host TEXT,
    attempts INTEGER,
    finished_at REAL NOT NULL,
    err_path TEXT,
    started_at REAL
)
"""


@cache
def file_sha256(path: str) -> str:
    """SHA-256 (hex) of a file's bytes (cached per path for this process)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 2.0 and 2 are the same design
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def simulation_key(template: str, params: Mapping[str, Any], weather_sha256: str, engine_version: str,
                   period: str, *, model_revision: str | None = None) -> str:
    """Content hash of one simulation (hex SHA-256).

    ``model_revision`` defaults to this process's :func:`ultralow.sim.revision.model_revision`.
    """
    if model_revision is None:
        from ultralow.sim.revision import model_revision as current_revision

        model_revision = current_revision()
    payload = json.dumps(
        {"template": template, "parameters": _canonical(dict(params)), "weather_sha256": weather_sha256,
         "engine_version": engine_version, "period": period, "model_revision": model_revision},
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class SqliteStore:
    """One SQLite file of simulation records (see the module docstring)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=60.0)
        self._guard(self._open)

    def _open(self) -> None:
        self._set_wal()
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)
        self._conn.execute(_LEASES)
        names = {row[1] for row in self._conn.execute("PRAGMA table_info(simulations)")}
        for column, kind in ADDED_COLUMNS.items():
            if column in names:
                continue
            try:
                self._conn.execute(f"ALTER TABLE simulations ADD COLUMN {column} {kind}")
            except sqlite3.OperationalError as exc:  # another process added it just now
                if "duplicate column" not in str(exc):
                    raise
        self._conn.commit()

    def _set_wal(self, timeout_s: float = 60.0) -> None:
        """Switch the file to WAL journalling. SQLite answers "database is locked" at once, without
        waiting on the busy timeout, when several processes switch a new file at the same moment
        (two runs starting on one shared store): retry with a short random pause for ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.005, 0.05))

    def _guard(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)``; a damaged file (not a database, malformed image) -> InputError naming it."""
        try:
            return fn(*args)
        except sqlite3.OperationalError:
            raise  # locked, busy...: not damage
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path}: not a readable SQLite result store ({exc}); move it away "
                             f"(its simulations are re-run) or restore it from a copy") from exc

    def get(self, key: str) -> dict[str, Any] | None:
        return self._guard(self._get, key)

    def _get(self, key: str) -> dict[str, Any] | None:
        cur = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM simulations WHERE key = ?", (key,))
        row = cur.fetchone()
        if row is None:
            return None
        rec = dict(zip(COLUMNS, row, strict=True))
        for k in ("parameters", "result", "severe_lines"):
            rec[k] = json.loads(rec[k]) if rec[k] else None
        return rec

    def put(self, record: Mapping[str, Any]) -> None:
        """Insert or replace one record (a reusable record is never replaced by an ``error``)."""
        self._guard(self._put, record)

    def _put(self, record: Mapping[str, Any]) -> None:
        old = self._conn.execute("SELECT status FROM simulations WHERE key = ?", (record["key"],)).fetchone()
        if old and old[0] in REUSABLE and record["status"] not in REUSABLE:
            return
        self._conn.execute(
            f"INSERT OR REPLACE INTO simulations ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            (record["key"], record["status"], record["template"], json.dumps(record["parameters"], default=str),
             record["weather_sha256"], record["engine_version"], record["period"],
             json.dumps(record.get("result"), default=str) if record.get("result") is not None else None,
             record.get("error"), json.dumps(record.get("severe_lines") or []), record.get("seconds"),
             record.get("host"), record.get("attempts"), record.get("finished_at", time.time()),
             record.get("err_path"), record.get("started_at")),
        )
        self._conn.commit()

    def count(self, status: str | None = None) -> int:
        if status is None:
            return self._guard(lambda: self._conn.execute("SELECT COUNT(*) FROM simulations").fetchone()[0])
        return self._guard(lambda: self._conn.execute(
            "SELECT COUNT(*) FROM simulations WHERE status = ?", (status,)).fetchone()[0])

    # -- leases: runs sharing this store share work ------------------------------------------
    def claim(self, keys: Iterable[str], owner: str, run: str | None, seconds: float) -> set[str]:
        """Lease every key of ``keys`` that is free or expired to ``owner``; returns the keys
        ``owner`` now holds among ``keys``."""
        keys = list(keys)

        def do() -> set[str]:
            now = time.time()
            self._conn.executemany(
                "INSERT INTO leases (key, owner, run, expires) VALUES (?,?,?,?) ON CONFLICT(key) DO UPDATE SET "
                "owner = excluded.owner, run = excluded.run, expires = excluded.expires "
                "WHERE leases.expires < ? OR leases.owner = excluded.owner",
                [(k, owner, run, now + seconds, now) for k in keys])
            self._conn.commit()
            held = set()
            for i in range(0, len(keys), 500):
                part = keys[i:i + 500]
                held |= {k for (k,) in self._conn.execute(
                    f"SELECT key FROM leases WHERE owner = ? AND key IN ({','.join('?' * len(part))})",
                    (owner, *part))}
            return held

        return self._guard(do)

    def renew(self, owner: str, seconds: float) -> None:
        def do() -> None:
            self._conn.execute("UPDATE leases SET expires = ? WHERE owner = ?", (time.time() + seconds, owner))
            self._conn.commit()

        self._guard(do)

    def release(self, owner: str | None = None, run: str | None = None) -> None:
        """Drop ``owner``'s leases, or every lease of run folder ``run`` (its earlier, dead invocation)."""
        def do() -> None:
            if owner is not None:
                self._conn.execute("DELETE FROM leases WHERE owner = ?", (owner,))
            if run is not None:
                self._conn.execute("DELETE FROM leases WHERE run = ?", (run,))
            self._conn.commit()

        self._guard(do)

    def close(self) -> None:
        self._conn.close()


class ResultStore:
    """The run's store, reading and writing through to an optional shared store."""

    def __init__(self, run_store: str | Path, shared_store: str | Path | None = None):
        self.run = SqliteStore(run_store)
        self.shared = SqliteStore(shared_store) if shared_store else None

    def lookup(self, key: str) -> dict[str, Any] | None:
        """A reusable record for ``key`` (copied into the run store when found in the shared one)."""
        rec = self.run.get(key)
        if rec is not None and rec["status"] in REUSABLE:
            return rec
        if self.shared is not None:
            rec = self.shared.get(key)
            if rec is not None and rec["status"] in REUSABLE:
                self.run.put(rec)
                return rec
        return None

    def partition(self, jobs: Iterable[Any]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        """Split ``jobs`` (objects with a ``key``) into stored records and jobs still to run,
        both keyed by content hash; a key met twice is handled once."""
        records: dict[str, dict[str, Any]] = {}
        to_run: dict[str, Any] = {}
        for job in jobs:
            if job.key in records or job.key in to_run:
                continue
            rec = self.lookup(job.key)
            if rec is not None:
                records[job.key] = rec
            else:
                to_run[job.key] = job
        return records, to_run

    def put(self, record: Mapping[str, Any]) -> None:
        self.run.put(record)
        if self.shared is not None:
            self.shared.put(record)

    def run_shared(self, to_run: Mapping[str, Any], simulate: Callable[[list[Any]], None],
                   on_stored: Callable[[dict[str, Any]], None], *, run: str | None = None,
                   poll_seconds: float = 1.0) -> int:
        """Run the jobs ``to_run`` (key -> job) so that runs sharing the shared store share work.

        Without a shared store: ``simulate(jobs)`` for all. With one: lease the free keys and
        ``simulate`` those; a key leased by another live run is waited for and its record, once
        stored there, goes to ``on_stored``; a lease that expires (its owner died) is claimed and
        the key simulated here. Returns the number of jobs simulated here."""
        if self.shared is None or not to_run:
            simulate(list(to_run.values()))
            return len(to_run)
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        seconds = lease_seconds()
        remaining = dict(to_run)
        n_simulated = 0
        with _LeaseRenewer(self.shared.path, owner, seconds):
            try:
                while remaining:
                    for key in list(remaining):
                        rec = self.lookup(key)
                        if rec is not None:
                            remaining.pop(key)
                            on_stored(rec)
                    if not remaining:
                        break
                    mine = self.shared.claim(remaining, owner, run, seconds)
                    if mine:
                        jobs = [remaining.pop(k) for k in list(remaining) if k in mine]
                        simulate(jobs)
                        n_simulated += len(jobs)
                    else:
                        time.sleep(poll_seconds)
            finally:
                self.shared.release(owner=owner)
        return n_simulated

    def close(self) -> None:
        self.run.close()
        if self.shared is not None:
            self.shared.close()


class _LeaseRenewer:
    """A thread renewing ``owner``'s leases every third of their lifetime (own connection)."""

    def __init__(self, path: Path, owner: str, seconds: float):
        self.path, self.owner, self.seconds = path, owner, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ultralow-lease-renewer", daemon=True)

    def _loop(self) -> None:
        store = SqliteStore(self.path)
        try:
            while not self._stop.wait(self.seconds / 3):
                with contextlib.suppress(sqlite3.OperationalError):  # busy: the next round renews
                    store.renew(self.owner, self.seconds)
        finally:
            store.close()

    def __enter__(self) -> _LeaseRenewer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
