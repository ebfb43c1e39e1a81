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
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

REUSABLE = ("ok", "failed")

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
    finished_at REAL NOT NULL
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
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)
        self._conn.commit()

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT * FROM simulations WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        names = [d[0] for d in self._conn.execute("SELECT * FROM simulations LIMIT 0").description]
        rec = dict(zip(names, row, strict=True))
        for k in ("parameters", "result", "severe_lines"):
            rec[k] = json.loads(rec[k]) if rec[k] else None
        return rec

    def put(self, record: Mapping[str, Any]) -> None:
        """Insert or replace one record (a reusable record is never replaced by an ``error``)."""
        old = self._conn.execute("SELECT status FROM simulations WHERE key = ?", (record["key"],)).fetchone()
        if old and old[0] in REUSABLE and record["status"] not in REUSABLE:
            return
        self._conn.execute(
            "INSERT OR REPLACE INTO simulations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (record["key"], record["status"], record["template"], json.dumps(record["parameters"], default=str),
             record["weather_sha256"], record["engine_version"], record["period"],
             json.dumps(record.get("result"), default=str) if record.get("result") is not None else None,
             record.get("error"), json.dumps(record.get("severe_lines") or []), record.get("seconds"),
             record.get("host"), record.get("attempts"), record.get("finished_at", time.time())),
        )
        self._conn.commit()

    def count(self, status: str | None = None) -> int:
        if status is None:
            return self._conn.execute("SELECT COUNT(*) FROM simulations").fetchone()[0]
        return self._conn.execute("SELECT COUNT(*) FROM simulations WHERE status = ?", (status,)).fetchone()[0]

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

    def close(self) -> None:
        self.run.close()
        if self.shared is not None:
            self.shared.close()
