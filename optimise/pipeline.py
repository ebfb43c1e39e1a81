"""Designs in flight: each design's simulations from the store or as Ray tasks, designs handed
back as soon as all their simulations have records.

The optimiser (:mod:`ultralow.optimise.run`) adds designs one at a time (``add``) and collects
finished ones (``wait``), so it can keep as many simulations in flight as the cluster has CPUs
(asynchronous dispatch) or add a whole generation and wait for all of it (generational). A
simulation shared by several designs (the reference or existing building) runs once; one already
in the run store or the shared store is not run at all. With a shared store, each simulation to run
is leased first (:meth:`ultralow.optimise.store.SqliteStore.claim`): a key leased by another live
run is waited for, and claimed here when that run's lease expires (it died). Every record is
stored the moment it arrives, so a killed driver loses no finished simulation.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from ultralow.optimise.dispatch import Dispatcher, Job
from ultralow.optimise.store import ResultStore, _LeaseRenewer, lease_seconds

POLL_SECONDS = 1.0  # how often simulations leased by another run are looked up


class DesignPipeline:
    """Designs (objects with ``jobs``: role -> :class:`Job`) through the store and Ray.

    Use as a context manager: leaving it cancels the tasks still in flight and releases this
    run's leases on the shared store."""

    def __init__(self, store: ResultStore, dispatcher: Callable[[], Dispatcher], *, run: str,
                 on_record: Callable[[dict[str, Any]], None] | None = None):
        """``dispatcher``: returns the Ray dispatcher (called once, at the first simulation to run);
        ``on_record(record)``: called for every record that arrives (simulated here or by another run)."""
        self.store = store
        self._make_dispatcher = dispatcher
        self._dispatcher: Dispatcher | None = None
        self.run = run
        self.on_record = on_record
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._lease_s = lease_seconds()
        self._renewer: _LeaseRenewer | None = None
        self._records: dict[str, dict[str, Any]] = {}  # key -> record, while a waiting design needs it
        self._needed: dict[str, int] = {}  # key -> number of waiting designs that need it
        self._waiting: dict[int, tuple[Any, set[str]]] = {}  # ticket -> (design, keys without a record)
        self._ready: list[tuple[int, Any, dict[str, dict[str, Any]]]] = []
        self._simulated_keys: set[str] = set()  # run here in this invocation
        self._running: set[str] = set()  # submitted to Ray by this pipeline
        self._foreign: dict[str, Job] = {}  # leased by another run: waited for
        self._last_poll = 0.0
        self.n_simulated = 0  # simulations run here
        self.n_reused = 0  # records from the store or from another run

    # -- context -----------------------------------------------------------------------------------
    def __enter__(self) -> DesignPipeline:
        if self.store.shared is not None:
            self._renewer = _LeaseRenewer(self.store.shared.path, self.owner, self._lease_s).__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
        if self._renewer is not None:
            self._renewer.__exit__()
            self.store.shared.release(owner=self.owner)

    # -- state -------------------------------------------------------------------------------------
    @property
    def simulations_in_flight(self) -> int:
        """Simulations submitted by this run and not yet finished."""
        return len(self._running)

    @property
    def designs_waiting(self) -> int:
        """Designs added and not yet handed back."""
        return len(self._waiting) + len(self._ready)

    @property
    def designs_ready(self) -> int:
        """Designs with all their records, not yet handed back by :meth:`wait`."""
        return len(self._ready)

    @property
    def dispatcher(self) -> Dispatcher:
        if self._dispatcher is None:
            self._dispatcher = self._make_dispatcher()
        return self._dispatcher

    # -- work --------------------------------------------------------------------------------------
    def add(self, ticket: int, design: Any) -> None:
        """Start the simulations ``design`` still needs; ``ticket`` identifies it in :meth:`wait`."""
        missing: set[str] = set()
        for job in design.jobs.values():
            key = job.key
            if key in missing:
                continue
            self._needed[key] = self._needed.get(key, 0) + 1
            if key in self._records:
                continue
            if key in self._running or key in self._foreign:
                missing.add(key)
                continue
            record = self.store.lookup(key)
            if record is not None:
                self._records[key] = record
                self.n_reused += 1
                continue
            missing.add(key)
            self._start(job)
        self._waiting[ticket] = (design, missing)
        if not missing:
            self._finish(ticket)

    def wait(self) -> list[tuple[int, Any, dict[str, dict[str, Any]]]]:
        """Block until at least one added design has all its records; the finished designs as
        ``(ticket, design, records by key)`` in completion order ([] when none is waiting)."""
        while not self._ready and self._waiting:
            if self._running:
                timeout = POLL_SECONDS if self._foreign else None
                for record in self.dispatcher.wait(timeout):
                    self._running.discard(record["key"])
                    self.store.put(record)
                    self._simulated_keys.add(record["key"])
                    self.n_simulated += 1
                    self._arrived(record)
            elif self._foreign:
                time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - self._last_poll)))
            else:  # nothing can arrive: a design waits for a key nobody runs (cannot happen)
                raise RuntimeError(f"designs {sorted(self._waiting)} wait for simulations nobody runs")
            self._poll_foreign()
        ready, self._ready = self._ready, []
        return ready

    # -- internals ---------------------------------------------------------------------------------
    def _start(self, job: Job) -> None:
        if self.store.shared is not None and job.key not in self.store.shared.claim(
                [job.key], self.owner, self.run, self._lease_s):
            self._foreign[job.key] = job
            return
        self.dispatcher.submit(job)
        self._running.add(job.key)

    def _poll_foreign(self) -> None:
        if not self._foreign or time.monotonic() - self._last_poll < POLL_SECONDS:
            return
        self._last_poll = time.monotonic()
        for key in list(self._foreign):
            record = self.store.lookup(key)
            if record is not None:
                self._foreign.pop(key)
                self.n_reused += 1
                self._arrived(record)
        if self._foreign:  # leases whose owner died have expired: run those here
            mine = self.store.shared.claim(list(self._foreign), self.owner, self.run, self._lease_s)
            for key in mine:
                self.dispatcher.submit(self._foreign.pop(key))
                self._running.add(key)

    def _arrived(self, record: dict[str, Any]) -> None:
        key = record["key"]
        self._records[key] = record
        if self.on_record is not None:
            self.on_record(record)
        for ticket, (_design, missing) in list(self._waiting.items()):
            if key in missing:
                missing.discard(key)
                if not missing:
                    self._finish(ticket)

    def _finish(self, ticket: int) -> None:
        design, _ = self._waiting.pop(ticket)
        keys = {job.key for job in design.jobs.values()}
        records = {key: self._records[key] for key in keys}
        for key in keys:  # keep a record only while another waiting design needs it
            self._needed[key] -= 1
            if self._needed[key] <= 0:
                self._needed.pop(key)
                self._records.pop(key, None)
        self._ready.append((ticket, design, records))

    def simulated_here(self, key: str) -> bool:
        """True when simulation ``key`` was run by this pipeline (not taken from a store)."""
        return key in self._simulated_keys
