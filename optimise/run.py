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
import sys
import time
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
from ultralow.optimise.problem import DesignEvaluator, as_arrays
from ultralow.optimise.progress import Progress
from ultralow.optimise.search import SearchState, load_checkpoint, make_algorithm
from ultralow.optimise.spec import Spec, parse_spec
from ultralow.optimise.store import ResultStore, file_sha256

# [run] keys that may differ between a run and its resumption (they do not change the search)
RESUMABLE_RUN_KEYS = ("generations", "name", "store", "max_retries")


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


def _flatten(rows: list[dict[str, Any]], constraint_names: list[str]) -> pd.DataFrame:
    flat = []
    for r in rows:
        d = {k: v for k, v in r.items() if k not in ("F", "G", "severe_lines")}
        d["severe_lines"] = "\n".join(r.get("severe_lines") or [])
        for name, g in zip(constraint_names, r["G"], strict=True):
            d[f"g[{name}]"] = g
        flat.append(d)
    return pd.DataFrame(flat)


def _write_tables(run_dir: Path, spec: Spec, rows: list[dict[str, Any]], history: list[dict[str, Any]],
                  constraint_names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Path | None]:
    evaluations = _flatten(rows, constraint_names)
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


def _warn(message: str) -> None:
    print(f"ultralow: warning: {message}", file=sys.stderr, flush=True)


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of ``evaluations.jsonl``; a torn last line (a killed write) is dropped with a
    warning, a damaged line before it is an ``InputError`` naming the file."""
    if not path.is_file():
        return []
    lines = path.read_bytes().split(b"\n")
    rows = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("generation"), int):
                raise ValueError("not an evaluation row")
        except (ValueError, UnicodeDecodeError) as exc:
            if all(not rest.strip() for rest in lines[i + 1:]):
                _warn(f"{path}: dropped a torn last line (line {i + 1}: {exc}); its generation is redone")
                break
            raise InputError(f"{path}: line {i + 1} is damaged ({exc}); cannot resume this run") from exc
        rows.append(row)
    return rows


def _append_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Append whole lines with one write, flushed to disk (a killed driver leaves whole lines)."""
    data = "".join(json.dumps(r, default=str) + "\n" for r in rows).encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _restore(spec: Spec, evaluator: DesignEvaluator, run_dir: Path) -> tuple[SearchState, list[dict[str, Any]]]:
    """The search state of ``run_dir`` rebuilt by replaying its stored generations, and their rows."""
    jsonl = run_dir / "evaluations.jsonl"
    try:
        checkpoint = load_checkpoint(run_dir)
    except InputError as exc:
        _warn(f"{exc}; rebuilding the search state from {jsonl.name}")
        checkpoint = {"generation": None, "history": []}
    rows = _read_rows(jsonl)
    state = SearchState(make_algorithm(spec.algorithm_name, evaluator.problem(), spec.population, spec.seed))
    if checkpoint is None:  # stopped before the first generation finished
        return state, []
    target = checkpoint["generation"]
    if target is None:
        target = max((r["generation"] for r in rows), default=0)
    replayed: list[dict[str, Any]] = []
    for generation in range(1, target + 1):
        stored = [r for r in rows if r["generation"] == generation]
        population = state.ask()
        X = list(population.get("X"))
        if len(stored) < len(X):
            _warn(f"{jsonl}: generation {generation} has {len(stored)} of {len(X)} evaluations; "
                  f"resuming from generation {generation}")
            state.pending = population  # asked already: the run loop evaluates exactly these designs
            break
        for x, r in zip(X, stored, strict=False):
            asked = evaluator.prepare(x).design_id
            if asked != r.get("design_id"):
                raise InputError(f"{jsonl}: generation {generation} does not replay (design {r.get('design_id')!r} "
                                 f"stored, {asked!r} asked): the file was edited or the search code changed; "
                                 "start a new run (the store keeps every simulation)")
        stored = stored[:len(X)]
        F, G = as_arrays(stored)
        state.tell(population, F, G)
        replayed += stored
    history = {h["generation"]: h for h in checkpoint["history"] if h.get("generation", 0) <= state.generation}
    for generation in range(1, state.generation + 1):
        if generation not in history:  # the checkpoint was lost: what the rows tell
            gen_rows = [r for r in replayed if r["generation"] == generation]
            upto = [r for r in replayed if r["generation"] <= generation]
            history[generation] = _history_row(spec, generation, gen_rows, upto, math.nan, math.nan, math.nan)
    state.history = [history[g] for g in sorted(history)]
    return state, replayed


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
    if resume_dir is not None:
        state, rows = _restore(spec, evaluator, run_dir)
    else:
        state, rows = SearchState(make_algorithm(spec.algorithm_name, evaluator.problem(), spec.population,
                                                 spec.seed)), []
    tmp = run_dir / "evaluations.jsonl.tmp"
    tmp.unlink(missing_ok=True)
    _append_rows(tmp, rows)
    tmp.replace(run_dir / "evaluations.jsonl")
    history = list(state.history)

    store = ResultStore(run_dir / "store.sqlite", shared_store_path(spec))
    if store.shared is not None:  # leases left by an earlier, killed invocation of this run
        store.shared.release(run=str(run_dir))
    dispatcher: Dispatcher | None = None
    bar = Progress(spec.generations, enabled=progress)
    n_simulated_total = n_reused_total = 0
    t_start = time.time()
    try:
        if state.generation < spec.generations:
            n_cpus = start_ray(address, workers)
            dispatcher = Dispatcher(weather, max_retries=spec.max_retries, warm_up=n_cpus, template=spec.template,
                                    keep_dir=run_dir / "sims" if keep_runs else None,
                                    failed_dir=run_dir / "failed")
        while state.generation < spec.generations:
            t0 = time.perf_counter()
            generation = state.generation + 1
            population = state.ask()
            designs = [evaluator.prepare(x) for x in population.get("X")]
            records, to_run = store.partition(job for d in designs for job in d.jobs.values())
            n_reused = len(records)
            bar.start_generation(generation, len(designs), len(to_run), n_reused)

            def done(record: dict[str, Any], records: dict[str, dict[str, Any]] = records) -> None:
                store.put(record)
                records[record["key"]] = record
                bar.simulation_done(record["status"] != "ok")
                if on_record is not None:
                    on_record(record)

            def from_other_run(record: dict[str, Any], records: dict[str, dict[str, Any]] = records) -> None:
                records[record["key"]] = record
                bar.simulation_done(record["status"] != "ok")

            n_here = store.run_shared(to_run, lambda jobs, done=done: dispatcher.run(jobs, done), from_other_run,
                                      run=str(run_dir))
            new_rows = []
            for d in designs:
                row = evaluator.evaluate(d, records)
                row["generation"] = generation
                row["source"] = "simulated" if row["design_key"] in to_run else "store"
                new_rows.append(row)
            F, G = as_arrays(new_rows)
            state.tell(population, F, G)
            rows += new_rows
            _append_rows(run_dir / "evaluations.jsonl", new_rows)
            history.append(_history_row(spec, generation, new_rows, rows, n_here,
                                        n_reused + len(to_run) - n_here, time.perf_counter() - t0))
            state.history = history
            state.save(run_dir)
            n_simulated_total += n_here
            n_reused_total += n_reused + len(to_run) - n_here
            bar.end_generation(f"{_front_text(spec, _front(rows))}, hypervolume {history[-1]['hypervolume']:.3f}")
        write_measures(run_dir, evaluator, rows, store, dispatcher or (lambda: Dispatcher(
            weather, max_retries=spec.max_retries, warm_up=start_ray(address, workers), template=spec.template,
            failed_dir=run_dir / "failed")))
    finally:
        bar.close()
        store.close()
    evaluations, pareto, history_df, report = _write_tables(run_dir, spec, rows, history,
                                                            evaluator.constraint_names)
    (run_dir / "run.json").write_text(json.dumps({
        "spec": spec.name, "generations_done": state.generation, "population": spec.population,
        "seed": spec.seed, "algorithm": spec.algorithm_name, "constraints": evaluator.constraint_names,
        "simulations_this_invocation": n_simulated_total, "reused_this_invocation": n_reused_total,
        "seconds_this_invocation": time.time() - t_start, "weather": weather.description,
        "weather_sha256": weather_sha, "engine_version": evaluator.engine_version,
        "shared_store": str(shared_store_path(spec)) if shared_store_path(spec) else None,
        "front_hypervolume": _finite_or_none(front_hypervolume(rows)),
        "hypervolume_scale": scale.to_json() if (scale := front_scale(rows)) is not None else None,
    }, indent=2))
    return RunResult(run_dir, evaluations, pareto, history_df, n_simulated_total, n_reused_total, report)
