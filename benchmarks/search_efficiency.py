"""EnergyPlus runs needed for a good front: plain NSGA-II against surrogate-assisted NSGA-II (issue 18).

Run: ``python benchmarks/search_efficiency.py [--seeds 3] [--generations 30] [--period 01-08:01-14]
[--candidates 3,6] [--confirm 8]``.

The problem has the shape of ``optimise/examples/harbin_ultra_low.toml`` (the Harbin 6-storey
residential block, its eight variables: wall insulant and thickness, roof and floor insulation,
shading, window, HRV, heat pump; objectives incremental investment and primary energy) made
cheaper to simulate: a one-week January period instead of the year, and the ultra-low target
replaced by a heating-demand cap over that week (``--heating-cap``, kWh/m² over the period), so
that a study of many searches fits on a laptop. ``--confirm N`` simulates N designs of the final
reference front over the whole year and prints how the week's ranking of primary energy holds
(Spearman's rank correlation, and the annual values): the one annual confirmation run.

Every search is a real ``run_optimisation`` (real EnergyPlus, local Ray); all searches share one
result store, so a design two searches ask for is simulated once, but each search is charged for
every distinct design it evaluated, whether or not the store had it. The baseline simulations
shared by all designs (the reference building when needed) are not counted.

Front quality is the hypervolume (:mod:`ultralow.optimise.front_quality`) on one scale for all
searches: the ideal and nadir of every feasible design any search found; the reference front is
the non-dominated set of all of them. For each search, the runs needed to reach 90 % and 95 % of
the reference front's hypervolume are the distinct designs evaluated up to the first generation
whose feasible front reaches it. Goal (issue 18): the default search needs at most a third of the
runs plain NSGA-II needs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[1] / "optimise" / "examples" / "harbin_ultra_low.toml"


def problem_spec(seed: int, generations: int, population: int, period: str, heating_cap: float, store: Path,
                 candidates: int | None) -> dict[str, Any]:
    """The example's spec as a dict, with the cheaper period and constraint and the search settings."""
    data = tomllib.loads(EXAMPLE.read_text())
    data["run"] = {"name": f"eff-{'nsga2' if candidates is None else f'surrogate{candidates}'}-s{seed}",
                   "seed": seed, "population": population, "generations": generations, "period": period,
                   "store": str(store), "dispatch": "generational", "surrogate": candidates is not None}
    if candidates is not None:
        data["run"]["surrogate_candidates"] = candidates
    data["constraints"] = [{"metric": "heating_demand_kwh_m2", "max": heating_cap}]
    return data


def front_mask(F: np.ndarray) -> np.ndarray:
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    mask = np.zeros(len(F), dtype=bool)
    if len(F):
        mask[NonDominatedSorting().do(F, only_non_dominated_front=True)] = True
    return mask


def progress(rows: list[dict[str, Any]]) -> list[tuple[int, np.ndarray]]:
    """Per generation: (distinct designs evaluated so far, F of the feasible designs so far)."""
    out, seen, feasible = [], set(), []
    for g in sorted({r["generation"] for r in rows}):
        for r in (r for r in rows if r["generation"] == g):
            seen.add(r["design_key"])
            if r.get("feasible"):
                feasible.append(r["F"])
        out.append((len(seen), np.array(feasible, dtype=float).reshape(-1, len(rows[0]["F"]))))
    return out


def runs_to_reach(curve: list[tuple[int, float]], target: float) -> int | None:
    return next((n for n, hv in curve if hv >= target), None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--generations", type=int, default=30)
    ap.add_argument("--population", type=int, default=12)
    ap.add_argument("--period", default="01-08:01-14")
    ap.add_argument("--heating-cap", type=float, default=1.2, help="kWh/m2 of heating demand over the period")
    ap.add_argument("--candidates", default="3", help="surrogate candidates per simulated design, e.g. 3,6")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--confirm", type=int, default=8, help="front designs simulated over the whole year")
    ap.add_argument("--store", help="result store to (re)use (default: a temporary one)")
    args = ap.parse_args(argv)

    import ray
    from ultralow.optimise.front_quality import Normalisation, hypervolume
    from ultralow.optimise.run import run_optimisation
    from ultralow.optimise.spec import parse_spec

    ray.init(address="local", num_cpus=args.workers, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    work = Path(tempfile.mkdtemp(prefix="ultralow-search-eff-"))
    store = Path(args.store) if args.store else work / "store.sqlite"
    methods: list[tuple[str, int | None]] = [("plain NSGA-II", None)]
    methods += [(f"surrogate x{c}", int(c)) for c in args.candidates.split(",")]
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    t0 = time.time()
    for seed in range(1, args.seeds + 1):
        for name, candidates in methods:
            data = problem_spec(seed, args.generations, args.population, args.period, args.heating_cap, store,
                                candidates)
            spec = parse_spec(data, None, EXAMPLE.parent)
            t = time.time()
            run = run_optimisation(spec, out_dir=work / "runs", progress=False)
            lines = (run.run_dir / "evaluations.jsonl").read_text().splitlines()
            results[(name, seed)] = [json.loads(line) for line in lines]  # F in minimisation form
            print(f"  {name:16s} seed {seed}: {len(lines)} designs, {run.n_simulated} simulated here, "
                  f"{time.time() - t:.0f} s", flush=True)
    every = np.array([r["F"] for rows in results.values() for r in rows if r.get("feasible")], dtype=float)
    scale = Normalisation(tuple(every.min(axis=0)), tuple(every.max(axis=0)))
    reference = every[front_mask(every)]
    hv_ref = hypervolume(reference, scale)
    print(f"\nsearch efficiency ({args.seeds} seeds, population {args.population}, {args.generations} generations, "
          f"period {args.period}, heating cap {args.heating_cap} kWh/m2; {time.time() - t0:.0f} s in all)")
    print(f"reference front: {len(reference)} designs, hypervolume {hv_ref:.4f} (scale: every feasible design found)")
    print(f"{'search':16s} {'seed':>4s} {'runs to 90 %':>13s} {'runs to 95 %':>13s} {'final HV/ref':>13s}")
    needed: dict[str, dict[float, list[int | None]]] = {}
    for (name, seed), rows in results.items():
        curve = [(n, hypervolume(F, scale) if len(F) else 0.0) for n, F in progress(rows)]
        r90, r95 = runs_to_reach(curve, 0.90 * hv_ref), runs_to_reach(curve, 0.95 * hv_ref)
        needed.setdefault(name, {0.90: [], 0.95: []})
        needed[name][0.90].append(r90)
        needed[name][0.95].append(r95)
        print(f"{name:16s} {seed:4d} {str(r90 or 'not reached'):>13s} {str(r95 or 'not reached'):>13s} "
              f"{curve[-1][1] / hv_ref:13.3f}")
    budget = args.generations * args.population
    print("\nmedian runs (a search that never reached the level is counted at its whole budget, "
          f"{budget}, a lower bound)")
    base = {lvl: statistics.median(n or budget for n in needed["plain NSGA-II"][lvl]) for lvl in (0.90, 0.95)}
    for name in needed:
        med = {lvl: statistics.median(n or budget for n in needed[name][lvl]) for lvl in (0.90, 0.95)}
        print(f"{name:16s} 90 %: {med[0.90]:6.0f} ({med[0.90] / base[0.90]:.2f} of NSGA-II)   "
              f"95 %: {med[0.95]:6.0f} ({med[0.95] / base[0.95]:.2f} of NSGA-II)")
    print("goal: the default search needs at most 1/3 of plain NSGA-II's runs (ratio <= 0.33)")
    if args.confirm:
        confirm(results, reference, args, store, work)
    ray.shutdown()
    return 0


def confirm(results: dict[tuple[str, int], list[dict[str, Any]]], reference: np.ndarray, args: argparse.Namespace,
            store: Path, work: Path) -> None:
    """Simulate ``args.confirm`` reference-front designs over the year through the optimiser's own
    evaluator (store, Ray, metrics) and print the rank agreement of primary energy week vs year."""
    from scipy.stats import spearmanr
    from ultralow.optimise.dispatch import Dispatcher
    from ultralow.optimise.problem import DesignEvaluator
    from ultralow.optimise.spec import parse_spec
    from ultralow.optimise.store import ResultStore, file_sha256
    from ultralow.sim.idd import engine_version
    from ultralow.weather import resolve_weather

    rows = {r["design_key"]: r for rs in results.values() for r in rs if r.get("feasible")}
    front = sorted((r for r in rows.values() if any(np.allclose(r["F"], f) for f in reference)),
                   key=lambda r: r["F"][0])
    pick = [front[int(i)] for i in np.unique(np.linspace(0, len(front) - 1, min(args.confirm, len(front))).round())]
    spec = parse_spec(problem_spec(99, 1, 2, "annual", 1e9, store, None), None, EXAMPLE.parent)
    weather = resolve_weather(city=spec.city)
    evaluator = DesignEvaluator(spec, weather, file_sha256(str(weather.epw_path)), engine_version())
    designs = [evaluator.prepare({v.name: r[v.name] for v in spec.variables}) for r in pick]
    results_store = ResultStore(work / "confirm.sqlite", store)
    records, to_run = results_store.partition(job for d in designs for job in d.jobs.values())

    def done(record: dict[str, Any]) -> None:
        results_store.put(record)
        records[record["key"]] = record

    Dispatcher(weather).run(to_run.values(), done)
    annual = [evaluator.evaluate(d, records)["primary_energy_kwh_m2"] for d in designs]
    results_store.close()
    week = [r["primary_energy_kwh_m2"] for r in pick]
    print(f"\nannual confirmation: {len(pick)} reference-front designs simulated over the year "
          f"({len(to_run)} annual runs):")
    for r, a in zip(pick, annual, strict=True):
        print(f"  investment {r['incremental_investment_rmb_m2']:8.1f} RMB/m2   primary energy: week "
              f"{r['primary_energy_kwh_m2']:7.2f}, year {a:7.1f} kWh/m2")
    print(f"Spearman rank correlation of primary energy, week vs year: {spearmanr(week, annual).statistic:.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
