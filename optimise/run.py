"""Run an optimisation end to end: spec -> Ray -> result store -> Pareto tables and report.

Run folder layout (``RUN``)::

    spec.toml            copy of the spec file as given
    spec.json            the spec with the effective population/generations/seed (what --resume uses)
    store.sqlite         every simulation record of this run (and those it reused), as it finished
    checkpoint.json      finished generations and history (data only; never unpickled)
    evaluations.jsonl    one line per evaluated design, appended after each generation (whole
                         lines, fsync'd; a torn last line is dropped with a warning on --resume)
    failed/KEY.err       eplusout.err of each simulation EnergyPlus refused
    weather.json         the weather's provenance (ultralow.weather.provenance; also in report.html)
    evaluations.csv/.parquet, pareto.csv/.parquet, history.csv, report.html, run.json

``run_optimisation(spec, resume_dir=RUN)`` rebuilds the algorithm from the seed and replays the
finished generations stored in ``evaluations.jsonl`` (see :mod:`ultralow.optimise.search`): the
designs of the interrupted generation are asked again, and every simulation that finished before
the interruption comes from the store, so the result equals an uninterrupted run. Damage that
cannot be repaired is an ``InputError`` naming the file.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting
from ultralow.errors import InputError
from ultralow.optimise.dispatch import Dispatcher, start_ray
from ultralow.optimise.front_quality import Normalisation, hypervolume, normalisation
from ultralow.optimise.pipeline import DesignPipeline
from ultralow.optimise.problem import Design, DesignEvaluator, as_arrays
from ultralow.optimise.progress import Progress
from ultralow.optimise.search import (
    SearchState,
    append_events,
    is_event,
    load_checkpoint,
    make_algorithm,
    read_events,
    warn,
)
from ultralow.optimise.spec import Spec, parse_spec
from ultralow.optimise.store import ResultStore, file_sha256
from ultralow.optimise.surrogate import MIN_TRAINING_DESIGNS, Surrogate, held_out_r2, screen

# [run] keys that may differ between a run and its resumption (they do not change the search)
RESUMABLE_RUN_KEYS = ("generations", "name", "store", "max_retries")
SEARCH_LOG = "search_log.jsonl"


@dataclass
class RunResult:
    """Tables of a finished run and what this invocation simulated."""

    run_dir: Path
    evaluations: pd.DataFrame
    pareto: pd.DataFrame
    history: pd.DataFrame
    n_simulated: int
    n_reused: int
    report: Path | None


def shared_store_path(spec: Spec) -> Path | None:
    """``[run] store``: ``"default"`` = ``cache_dir()/store/store.sqlite``; ``"none"``: no shared store;
    a folder or ``.sqlite`` path otherwise (put it on a shared filesystem for a cluster)."""
    if spec.store is None:
        return None
    if spec.store == "default":
        from ultralow.paths import cache_dir

        return cache_dir() / "store" / "store.sqlite"
    path = Path(spec.store).expanduser()
    return path if path.suffix == ".sqlite" else path / "store.sqlite"


def _effective_raw(spec: Spec) -> dict[str, Any]:
    raw = json.loads(json.dumps(spec.raw, default=str))
    raw.setdefault("run", {}).update(population=spec.population, generations=spec.generations, seed=spec.seed)
    if spec.epw:
        raw["building"]["epw"] = spec.epw
    if spec.costs_file:
        raw.setdefault("costs", {})["file"] = spec.costs_file
    return raw


def _search_defining(raw: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(raw, default=str))
    for key in RESUMABLE_RUN_KEYS:
        out.get("run", {}).pop(key, None)
    return out


def _new_run_dir(spec: Spec, out_dir: Path | None) -> Path:
    from ultralow.paths import default_runs_dir, new_run_dir

    return new_run_dir(Path(out_dir) if out_dir else default_runs_dir() / "optimise", spec.name)


def _prepare_resume(spec: Spec, run_dir: Path) -> Spec:
    """The saved spec of ``run_dir`` with ``spec``'s generations; refuses a different search."""
    saved_path = run_dir / "spec.json"
    if not saved_path.is_file():
        raise InputError(f"--resume {str(run_dir)!r}: no spec.json there; not an optimisation run folder")
    try:
        saved = json.loads(saved_path.read_text())
        if not isinstance(saved, dict) or not isinstance(saved.get("run"), dict):
            raise ValueError("no [run] table")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{saved_path}: damaged ({exc}); cannot resume this run") from exc
    given = _effective_raw(spec)
    given["run"]["population"] = saved["run"]["population"]  # population cannot change; generations may
    if _search_defining(saved) != _search_defining(given):
        raise InputError(f"--resume {str(run_dir)!r}: the spec differs from the run's spec.json in more than "
                         f"[run] {', '.join(RESUMABLE_RUN_KEYS)}; start a new run instead")
    saved["run"]["generations"] = spec.generations
    return parse_spec(saved, spec.source)


def _front(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Feasible, non-dominated, unique designs among ``rows``."""
    seen: set[str] = set()
    feasible = []
    for r in rows:
        if r.get("feasible") and r["design_key"] not in seen:
            seen.add(r["design_key"])
            feasible.append(r)
    if not feasible:
        return []
    F = np.array([r["F"] for r in feasible], dtype=float)
    idx = NonDominatedSorting().do(F, only_non_dominated_front=True)
    return [feasible[i] for i in sorted(idx)]


def _front_text(spec: Spec, front: list[dict[str, Any]]) -> str:
    if not front:
        return "front: no feasible design yet"
    parts = []
    for o in spec.objectives:
        vals = [r[o.metric] for r in front if r.get(o.metric) is not None]
        if vals:
            parts.append(f"{o.metric} {min(vals):.4g}..{max(vals):.4g}")
    return f"front: {len(front)} designs, " + ", ".join(parts)


def front_scale(rows: list[dict[str, Any]]) -> Normalisation | None:
    """The hypervolume's fixed scale (:mod:`ultralow.optimise.front_quality`): the first
    generation's successfully simulated designs."""
    first = [r["F"] for r in rows if r.get("generation") == 1 and r.get("status") == "ok"]
    return normalisation(np.array(first, dtype=float)) if first else None


def front_hypervolume(rows: list[dict[str, Any]]) -> float:
    """Hypervolume of the feasible front of ``rows`` (NaN before any design was simulated)."""
    scale = front_scale(rows)
    if scale is None:
        return math.nan
    front = _front(rows)
    return hypervolume(np.array([r["F"] for r in front], dtype=float), scale) if front else 0.0


def _history_row(spec: Spec, generation: int, rows: list[dict[str, Any]], all_rows: list[dict[str, Any]],
                 n_simulated: int, n_reused: int, seconds: float) -> dict[str, Any]:
    feasible_now = sum(bool(r.get("feasible")) for r in rows)
    out: dict[str, Any] = {
        "generation": generation, "n_evaluated": len(rows),
        "n_failed": sum(r["status"] != "ok" for r in rows),
        "n_feasible": feasible_now, "feasible_share": feasible_now / len(rows) if rows else math.nan,
        "hypervolume": front_hypervolume(all_rows),
        "n_simulated": n_simulated, "n_cached": n_reused, "seconds": seconds,
    }
    feasible = [r for r in all_rows if r.get("feasible")]
    for o in spec.objectives:
        vals = [r[o.metric] for r in feasible if r.get(o.metric) is not None]
        best = (max(vals) if o.sense == "max" else min(vals)) if vals else math.nan
        out[f"best_{o.metric}"] = best
    out["front_size"] = len(_front(all_rows))
    return out


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


LIGHT_KEYS = ("generation", "design_id", "design_key", "status", "feasible", "source", "F", "G")
TABLE_CHUNK_ROWS = 5000  # evaluations.jsonl is turned into a table this many rows at a time


def light_row(row: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """What the search keeps of an evaluated row in memory (the whole row is in evaluations.jsonl):
    ids, status, F and G, the variables' values and the objectives' metrics."""
    keys = (*LIGHT_KEYS, *(v.name for v in spec.variables), *(o.metric for o in spec.objectives))
    return {k: row.get(k) for k in keys}


def _flatten(rows: list[dict[str, Any]], constraint_names: list[str]) -> pd.DataFrame:
    flat = []
    for r in rows:
        d = {k: v for k, v in r.items() if k not in ("F", "G", "severe_lines")}
        d["severe_lines"] = "\n".join(r.get("severe_lines") or [])
        for name, g in zip(constraint_names, r["G"], strict=True):
            d[f"g[{name}]"] = g
        flat.append(d)
    return pd.DataFrame(flat)


def _evaluations_table(path: Path, constraint_names: list[str]) -> pd.DataFrame:
    """``evaluations.jsonl`` as one table, read :data:`TABLE_CHUNK_ROWS` lines at a time (the driver
    never holds every row as Python objects)."""
    chunks, rows = [], []
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
            if len(rows) >= TABLE_CHUNK_ROWS:
                chunks.append(_flatten(rows, constraint_names))
                rows = []
    if rows or not chunks:
        chunks.append(_flatten(rows, constraint_names))
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _write_tables(run_dir: Path, spec: Spec, rows: list[dict[str, Any]], history: list[dict[str, Any]],
                  constraint_names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Path | None]:
    """evaluations/pareto (CSV, Parquet), history.csv and report.html; the evaluations are read
    from ``run_dir/evaluations.jsonl``, ``rows`` (light or whole) only pick the front."""
    evaluations = _evaluations_table(run_dir / "evaluations.jsonl", constraint_names)
    front_ids = {r["design_key"] for r in _front(rows)}
    pareto = evaluations[evaluations["design_key"].isin(front_ids)].drop_duplicates("design_key")
    history_df = pd.DataFrame(history)
    for name, df in (("evaluations", evaluations), ("pareto", pareto)):
        df.to_csv(run_dir / f"{name}.csv", index=False)
        df.to_parquet(run_dir / f"{name}.parquet", index=False)
    history_df.to_csv(run_dir / "history.csv", index=False)
    report = None
    try:
        from ultralow.optimise.report import write_report
    except ImportError:
        write_report = None
    if write_report is not None:
        try:
            report = write_report(run_dir, evaluations, pareto, history_df, _effective_raw(spec))
        except Exception as exc:  # the tables are the result; a report bug must not lose them
            (run_dir / "report-error.txt").write_text(f"{type(exc).__name__}: {exc}\n")
    return evaluations, pareto, history_df, report


def write_measures(run_dir: Path, evaluator: DesignEvaluator, rows: list[dict[str, Any]], store: Any,
                   dispatcher: Dispatcher | Callable[[], Dispatcher]) -> dict[str, Any] | None:
    """The measure-by-measure table (:mod:`ultralow.optimise.measures`) of the recommended design
    of a retrofit (the feasible front design with the best first objective), into
    ``run_dir/measures.json``; its intermediate steps are simulated like any design (store, Ray)."""
    from ultralow.optimise import evaluation as ev
    from ultralow.optimise.measures import measure_breakdown, measure_steps

    if not ev.is_retrofit(evaluator.base_parameters) or evaluator.cost_model is None:
        return None
    front = [r for r in _front(rows) if r.get("feasible")]
    out: dict[str, Any] = {"rows": [], "design_id": None, "chosen_by": ""}
    if not front:
        out["why_none"] = "no feasible design"
    else:
        best = min(front, key=lambda r: r["F"][0])
        design = evaluator.prepare({v.name: best[v.name] for v in evaluator.spec.variables})
        records = dict(store.partition(design.jobs.values())[0])
        results = evaluator.results(design, records, evaluator.primary_profile)
        steps = measure_steps(evaluator.spec.template, design.parameters,
                              results["design"].get("parameters") or {}, results["existing"].get("parameters") or {})
        jobs = {evaluator.job(p).key: evaluator.job(p) for _, p in steps}
        found, missing = store.partition(jobs.values())
        records.update(found)
        if missing:
            if not isinstance(dispatcher, Dispatcher):
                dispatcher = dispatcher()

            def done(record: dict[str, Any]) -> None:
                store.put(record)
                records[record["key"]] = record

            dispatcher.run(missing.values(), done)
        bad = [k for k in jobs if records.get(k, {}).get("status") != "ok"]
        if bad:
            out["why_none"] = f"{len(bad)} step simulation(s) failed"
        else:
            out["rows"] = measure_breakdown(
                evaluator.spec.template, design.parameters, results, evaluator.climate, evaluator.cost_model,
                lambda role, p: records[evaluator.job(p).key]["result"], extras=design.cost_extras)
            out["design_id"] = best["design_id"]
            out["chosen_by"] = f"feasible front design with the best {evaluator.spec.objectives[0].metric}"
    (run_dir / "measures.json").write_text(json.dumps(out, indent=2, default=str))
    return out


@dataclass
class Asked:
    """A design the algorithm proposed (``x``: its raw values) and, when screened, its predicted F."""

    x: dict[str, Any]
    design: Design
    predicted_F: list[float] | None = None


def _is_row(row: dict[str, Any]) -> bool:
    return isinstance(row.get("generation"), int)


def _implicit_events(rows: list[dict[str, Any]], generations: int) -> list[dict[str, Any]]:
    """The ask/tell sequence of a run folder written before ``search_log.jsonl`` existed
    (generational: ask g, tell g); the last generation's ask is not checked."""
    events: list[dict[str, Any]] = []
    for g in range(1, generations + 1):
        ids = [r["design_id"] for r in rows if r["generation"] == g]
        events += [{"event": "ask", "design_ids": ids, "unchecked": True},
                   {"event": "tell", "generation": g, "design_ids": ids}]
    return events


def _restore(spec: Spec, evaluator: DesignEvaluator, run_dir: Path
             ) -> tuple[SearchState, list[dict[str, Any]], list[dict[str, Any]], list[Asked]]:
    """The search state of ``run_dir`` rebuilt by replaying its logged asks and tells
    (:mod:`ultralow.optimise.search`): (state, rows told, events replayed, designs asked and not told)."""
    jsonl = run_dir / "evaluations.jsonl"
    try:
        checkpoint = load_checkpoint(run_dir) or {"generation": 0, "history": []}
    except InputError as exc:
        warn(f"{exc}; rebuilding the search state from {jsonl.name} and {SEARCH_LOG}")
        checkpoint = {"generation": None, "history": []}
    rows = read_events(jsonl, _is_row, keep=lambda row: light_row(row, spec))
    if (run_dir / SEARCH_LOG).is_file():
        events = read_events(run_dir / SEARCH_LOG, is_event)
    else:
        done = checkpoint["generation"]
        events = _implicit_events(rows, max((r["generation"] for r in rows), default=0) if done is None else done)
    state = SearchState(make_algorithm(spec.algorithm_name, evaluator.problem(), spec.population, spec.seed))
    by_generation: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_generation.setdefault(r["generation"], []).append(r)
    outstanding: list[Asked] = []
    replayed_rows: list[dict[str, Any]] = []
    replayed: list[dict[str, Any]] = []
    for event in events:
        if event["event"] == "ask":
            candidates = [x for _ in range(int(event.get("proposals", 1))) for x in state.ask()]
            prepared = [Asked(x, evaluator.prepare(x)) for x in candidates]
            if event.get("unchecked"):
                selected = prepared
            else:
                selected = []
                for i, design_id in enumerate(event["design_ids"]):
                    match = next((a for a in prepared if a.design.design_id == design_id), None)
                    if match is None:
                        raise InputError(f"{run_dir / SEARCH_LOG}: ask {event.get('n')} does not replay (design "
                                         f"{design_id!r} logged, not asked): the file was edited or the search "
                                         "code changed; start a new run (the store keeps every simulation)")
                    prepared.remove(match)
                    predicted = (event.get("predicted_F") or [None] * (i + 1))[i]
                    selected.append(Asked(match.x, match.design, predicted))
            outstanding += selected
        else:
            generation, ids = event["generation"], event["design_ids"]
            stored = by_generation.get(generation, [])[:len(ids)]
            if [r.get("design_id") for r in stored] != ids:
                warn(f"{jsonl}: generation {generation} has {len(stored)} of {len(ids)} evaluations; "
                     f"resuming from generation {generation}")
                break
            told = []
            for design_id in ids:
                match = next((a for a in outstanding if a.design.design_id == design_id), None)
                if match is None:
                    raise InputError(f"{run_dir / SEARCH_LOG}: generation {generation} tells design {design_id!r} "
                                     "that was never asked; start a new run (the store keeps every simulation)")
                outstanding.remove(match)
                told.append(match.x)
            F, G = as_arrays(stored)
            state.tell(told, F, G)
            replayed_rows += stored
        replayed.append(event)
    history = {h["generation"]: h for h in checkpoint["history"] if h.get("generation", 0) <= state.generation}
    for generation in range(1, state.generation + 1):
        if generation not in history:  # the checkpoint was lost: what the rows tell
            gen_rows = [r for r in replayed_rows if r["generation"] == generation]
            upto = [r for r in replayed_rows if r["generation"] <= generation]
            history[generation] = _history_row(spec, generation, gen_rows, upto, math.nan, math.nan, math.nan)
    state.history = [history[g] for g in sorted(history)]
    return state, replayed_rows, replayed, outstanding


def _keep_told(path: Path, told: Counter) -> None:
    """Rewrite ``evaluations.jsonl`` with only the rows replayed (``told``: rows per generation),
    line by line and atomically: a torn or untold tail is dropped, whole lines are kept as written."""
    tmp = path.with_name(path.name + ".tmp")
    left = dict(told)
    with open(tmp, "wb") as out:
        if path.is_file():
            with open(path, "rb") as fh:
                for line in fh:
                    try:
                        generation = json.loads(line).get("generation")
                    except (ValueError, UnicodeDecodeError, AttributeError):
                        continue
                    if left.get(generation, 0) > 0:
                        left[generation] -= 1
                        out.write(line if line.endswith(b"\n") else line + b"\n")
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)


def _dispatch_mode(spec: Spec, n_cpus: int) -> str:
    """``generational`` or ``async`` (``[run] dispatch``; ``auto``: async when the cluster has more
    CPUs than a generation has designs, so that generational dispatch would leave CPUs idle)."""
    if spec.dispatch != "auto":
        return spec.dispatch
    return "async" if n_cpus > spec.population else "generational"


class SearchLoop:
    """The ask/tell loop of one invocation (see the module docstring of :mod:`ultralow.optimise.search`).

    Generational (``capacity`` None): ask a generation, simulate all of it, tell it in the order
    asked. Asynchronous (``capacity`` = CPUs): keep ``capacity`` simulations in flight, asking the
    algorithm whenever a CPU is free and nothing asked is waiting; tell every ``population``
    finished designs in completion order; at most ``generations x population`` designs are asked.
    With ``spec.surrogate`` each ask proposes ``surrogate_candidates`` batches and
    :mod:`ultralow.optimise.surrogate` picks the ones simulated."""

    def __init__(self, spec: Spec, evaluator: DesignEvaluator, state: SearchState, run_dir: Path,
                 rows: list[dict[str, Any]], outstanding: list[Asked], bar: Progress,
                 on_record: Callable[[dict[str, Any]], None] | None, *, capacity: int | None):
        self.spec, self.evaluator, self.state, self.run_dir = spec, evaluator, state, run_dir
        self.rows = rows  # every told row, appended as generations are told
        self.queue: deque[Asked] = deque(outstanding)
        self.bar, self.on_record, self.capacity = bar, on_record, capacity
        self.n_asked = sum(len(self._generation_rows(g)) for g in range(1, state.generation + 1)) + len(outstanding)
        self.n_asks = sum(1 for _ in read_events(run_dir / SEARCH_LOG, is_event) if _["event"] == "ask")
        self.exhausted = False  # the algorithm proposed nothing new
        self.surrogate: Surrogate | None = None
        self._trained_on = -1
        self._screened_out = 0
        self._t0 = time.perf_counter()
        self._counts = (0, 0)

    def _generation_rows(self, generation: int) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["generation"] == generation]

    @property
    def budget(self) -> int:
        return self.spec.generations * self.spec.population

    # -- asking ------------------------------------------------------------------------------------
    def _ask(self) -> list[Asked]:
        """One ask event: the designs to simulate, logged before any is submitted."""
        proposed = [Asked(x, self.evaluator.prepare(x)) for x in self.state.ask()]
        event: dict[str, Any] = {"event": "ask", "n": self.n_asks + 1, "proposals": 1}
        selected = proposed
        if self._screening():
            n_keep = len(proposed)
            candidates, seen = list(proposed), {a.design.design_id for a in proposed}
            for _ in range(self.spec.surrogate_candidates - 1):
                event["proposals"] += 1
                for x in self.state.ask():
                    a = Asked(x, self.evaluator.prepare(x))
                    if a.design.design_id not in seen:
                        seen.add(a.design.design_id)
                        candidates.append(a)
            F_pred, G_pred = self.surrogate.predict([a.design.values for a in candidates])
            rng = np.random.default_rng([self.spec.seed, self.n_asks + 1])
            keep = screen(F_pred, G_pred, n_keep, self.spec.surrogate_explore, rng)
            selected = [Asked(candidates[i].x, candidates[i].design, [float(f) for f in F_pred[i]]) for i in keep]
            self._screened_out += len(candidates) - len(selected)
            chosen = {a.design.design_id for a in selected}
            event.update(candidates=len(candidates), predicted_F=[a.predicted_F for a in selected],
                         screened_out_ids=[a.design.design_id for a in candidates if a.design.design_id not in chosen])
        selected = selected[:max(self.budget - self.n_asked, 0)] if self.capacity else selected
        event["design_ids"] = [a.design.design_id for a in selected]
        append_events(self.run_dir / SEARCH_LOG, [event])
        self.n_asks += 1
        self.n_asked += len(selected)
        if not selected:
            self.exhausted = True
        return selected

    def _screening(self) -> bool:
        """Train the surrogate on every successfully simulated told design; False until enough."""
        if not self.spec.surrogate or self.state.generation == 0:
            return False
        ok = [r for r in self.rows if r.get("status") == "ok"]
        if len(ok) < MIN_TRAINING_DESIGNS:
            return False
        if self._trained_on != len(self.rows):
            self.surrogate = Surrogate(self.spec.variables, self.spec.seed)
            self.surrogate.fit([{v.name: r[v.name] for v in self.spec.variables} for r in ok],
                               np.array([r["F"] for r in ok], dtype=float), np.array([r["G"] for r in ok], dtype=float))
            self._trained_on = len(self.rows)
        return True

    # -- the loop ----------------------------------------------------------------------------------
    def record_arrived(self, record: dict[str, Any]) -> None:
        if self.on_record is not None:
            self.on_record(record)

    def run(self, pipeline: DesignPipeline) -> None:
        in_pipeline: dict[int, Asked] = {}
        completed: list[tuple[int, Asked, dict[str, Any]]] = []
        ticket = 0
        self.bar.start_generation(self.state.generation + 1, self.spec.population)
        while self.state.generation < self.spec.generations:
            if self.capacity:  # asynchronous: fill the free CPUs
                while pipeline.simulations_in_flight < self.capacity and not self.exhausted \
                        and len(completed) + pipeline.designs_ready < self.spec.population \
                        and (self.queue or self.n_asked < self.budget):  # a full generation done: tell first
                    if not self.queue:
                        self.queue.extend(self._ask())
                        continue
                    asked = self.queue.popleft()
                    in_pipeline[ticket] = asked
                    pipeline.add(ticket, asked.design)
                    ticket += 1
            elif not in_pipeline and not completed:  # generational: the next generation, all at once
                batch = list(self.queue) or self._ask()
                self.queue.clear()
                for asked in batch:
                    in_pipeline[ticket] = asked
                    pipeline.add(ticket, asked.design)
                    ticket += 1
                if not batch:
                    break
            ready_to_tell = self.capacity and len(completed) >= self.spec.population
            for t, design, records in ([] if ready_to_tell else pipeline.wait()):
                asked = in_pipeline.pop(t)
                row = self.evaluator.evaluate(design, records)
                row["source"] = "simulated" if pipeline.simulated_here(row["design_key"] or "") else "store"
                completed.append((t, asked, row))
                self.bar.design_done(row["status"] != "ok", row["source"] == "store", pipeline.simulations_in_flight)
            idle = not in_pipeline and not self.queue and (self.exhausted or self.n_asked >= self.budget)
            if self.capacity and (len(completed) >= self.spec.population or (completed and idle)):
                self._tell(completed[:self.spec.population], pipeline)
                del completed[:self.spec.population]
            elif not self.capacity and completed and not in_pipeline:
                self._tell(sorted(completed, key=lambda c: c[0]), pipeline)
                completed.clear()
            elif idle and not completed:
                break  # nothing asked, nothing running: the algorithm has nothing new to propose

    def _tell(self, group: list[tuple[int, Asked, dict[str, Any]]], pipeline: DesignPipeline) -> None:
        generation = self.state.generation + 1
        new_rows = []
        for _, _asked, row in group:
            row["generation"] = generation
            new_rows.append(row)
        append_events(self.run_dir / "evaluations.jsonl", new_rows)
        append_events(self.run_dir / SEARCH_LOG, [{"event": "tell", "generation": generation,
                                                   "design_ids": [r["design_id"] for r in new_rows]}])
        F, G = as_arrays(new_rows)
        self.state.tell([asked.x for _, asked, _ in group], F, G)
        self.rows += [light_row(r, self.spec) for r in new_rows]
        n_sim, n_reused = pipeline.n_simulated - self._counts[0], pipeline.n_reused - self._counts[1]
        self._counts = (pipeline.n_simulated, pipeline.n_reused)
        row = _history_row(self.spec, generation, new_rows, self.rows, n_sim, n_reused,
                           time.perf_counter() - self._t0)
        row.update(self._surrogate_accuracy(group))
        self._t0 = time.perf_counter()
        self.state.history.append(row)
        self.state.save(self.run_dir)
        self.bar.end_generation(f"{_front_text(self.spec, _front(self.rows))}, hypervolume {row['hypervolume']:.3f}")
        if self.state.generation < self.spec.generations:
            self.bar.start_generation(self.state.generation + 1, self.spec.population)

    def _surrogate_accuracy(self, group: list[tuple[int, Asked, dict[str, Any]]]) -> dict[str, Any]:
        """Held-out R² per objective of this generation's screened designs, and the candidates
        screened out since the previous generation (only with the surrogate on)."""
        if not self.spec.surrogate:
            return {}
        pairs = [(a.predicted_F, r["F"]) for _, a, r in group if a.predicted_F is not None and r["status"] == "ok"]
        r2 = held_out_r2(np.array([p for p, _ in pairs]), np.array([f for _, f in pairs])) if pairs \
            else [math.nan] * len(self.spec.objectives)
        out: dict[str, Any] = {f"surrogate_r2_{o.metric}": v for o, v in zip(self.spec.objectives, r2, strict=True)}
        out["surrogate_screened_out"] = self._screened_out
        self._screened_out = 0
        return out


def run_optimisation(
    spec: Spec,
    *,
    out_dir: str | Path | None = None,
    resume_dir: str | Path | None = None,
    address: str | None = None,
    workers: int | None = None,
    generations: int | None = None,
    population: int | None = None,
    progress: bool = True,
    keep_runs: bool = False,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> RunResult:
    """Run (or resume) the optimisation of ``spec``; see the module docstring for the run folder.

    ``workers``: local Ray CPUs (default all cores; ignored with ``address``). ``keep_runs`` keeps
    each simulation's EnergyPlus folder under ``RUN/sims``. ``on_record`` is called with every
    simulation record as it is stored.
    """
    from ultralow.sim.idd import engine_version
    from ultralow.weather import resolve_weather
    from ultralow.weather.provenance import require_non_synthetic, weather_provenance

    if generations is not None:
        spec.generations = generations
    if population is not None:
        if resume_dir is not None:
            raise InputError("--population cannot change when resuming a run")
        spec.population = population
    if resume_dir is not None:
        run_dir = Path(resume_dir).resolve()
        spec = _prepare_resume(spec, run_dir)
    # weather and evaluator first: a bad weather file or spec leaves no half-made run folder
    weather = resolve_weather(city=spec.city, epw=spec.epw)
    if spec.strict_weather:
        require_non_synthetic(weather, "spec: building.strict_weather = true")
    weather_sha = file_sha256(str(weather.epw_path))
    evaluator = DesignEvaluator(spec, weather, weather_sha, engine_version())
    if resume_dir is None:
        run_dir = _new_run_dir(spec, Path(out_dir) if out_dir else None).resolve()
        if spec.source and Path(spec.source).is_file():
            shutil.copyfile(spec.source, run_dir / "spec.toml")
        (run_dir / "spec.json").write_text(json.dumps(_effective_raw(spec), indent=2))
    (run_dir / "weather.json").write_text(json.dumps(weather_provenance(weather), indent=2))
    outstanding: list[Asked] = []
    if resume_dir is not None:
        state, rows, events, outstanding = _restore(spec, evaluator, run_dir)
    else:
        state, rows, events = SearchState(make_algorithm(spec.algorithm_name, evaluator.problem(), spec.population,
                                                         spec.seed)), [], []
    _keep_told(run_dir / "evaluations.jsonl", Counter(r["generation"] for r in rows))
    tmp = run_dir / (SEARCH_LOG + ".tmp")  # the events replayed, nothing torn or beyond
    tmp.unlink(missing_ok=True)
    append_events(tmp, events)
    tmp.replace(run_dir / SEARCH_LOG)

    store = ResultStore(run_dir / "store.sqlite", shared_store_path(spec))
    if store.shared is not None:  # leases left by an earlier, killed invocation of this run
        store.shared.release(run=str(run_dir))
    dispatcher: Dispatcher | None = None
    bar = Progress(spec.generations, enabled=progress)
    n_simulated_total = n_reused_total = 0
    t_start = time.time()
    dispatch = spec.dispatch
    try:
        if state.generation < spec.generations:
            n_cpus = start_ray(address, workers)
            dispatch = _dispatch_mode(spec, n_cpus)

            def make_dispatcher() -> Dispatcher:
                nonlocal dispatcher
                dispatcher = Dispatcher(weather, max_retries=spec.max_retries, warm_up=n_cpus, template=spec.template,
                                        keep_dir=run_dir / "sims" if keep_runs else None,
                                        failed_dir=run_dir / "failed")
                return dispatcher

            loop = SearchLoop(spec, evaluator, state, run_dir, rows, outstanding, bar, on_record,
                              capacity=n_cpus if dispatch == "async" else None)
            with DesignPipeline(store, make_dispatcher, run=str(run_dir), on_record=loop.record_arrived) as pipeline:
                loop.run(pipeline)
            n_simulated_total, n_reused_total = pipeline.n_simulated, pipeline.n_reused
        write_measures(run_dir, evaluator, rows, store, dispatcher or (lambda: Dispatcher(
            weather, max_retries=spec.max_retries, warm_up=start_ray(address, workers), template=spec.template,
            failed_dir=run_dir / "failed")))
    finally:
        bar.close()
        store.close()
    evaluations, pareto, history_df, report = _write_tables(run_dir, spec, rows, state.history,
                                                            evaluator.constraint_names)
    (run_dir / "run.json").write_text(json.dumps({
        "spec": spec.name, "generations_done": state.generation, "population": spec.population,
        "seed": spec.seed, "algorithm": spec.algorithm_name, "constraints": evaluator.constraint_names,
        "simulations_this_invocation": n_simulated_total, "reused_this_invocation": n_reused_total,
        "dispatch": dispatch, "surrogate": spec.surrogate,
        "seconds_this_invocation": time.time() - t_start, "weather": weather.description,
        "weather_sha256": weather_sha, "engine_version": evaluator.engine_version,
        "shared_store": str(shared_store_path(spec)) if shared_store_path(spec) else None,
        "front_hypervolume": _finite_or_none(front_hypervolume(rows)),
        "hypervolume_scale": scale.to_json() if (scale := front_scale(rows)) is not None else None,
    }, indent=2))
    return RunResult(run_dir, evaluations, pareto, history_df, n_simulated_total, n_reused_total, report)
