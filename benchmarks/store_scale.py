"""10^5 designs through the result store, the evaluation, the Pareto/evaluation tables and the report.

Run: ``python benchmarks/store_scale.py [--designs 100000] [--chunk 10000]``.

The path is the optimiser's (issue 18, ``store_scale``): one real design-day simulation gives a
real result; every design of a random sample of the Harbin residential problem (wall U, window U,
n50, HRV, PV as fine grids: no two designs alike) is prepared by the optimiser's
``DesignEvaluator`` (its simulations by role and their store keys), each of its simulations is
written to a ``ResultStore`` (run store + shared store, as a run does) as a copy of that result,
then read back (``partition``) and evaluated (metrics, costs, constraints), and finally the run's
tables (``evaluations``/``pareto`` CSV + Parquet) and ``report.html`` are written.

As in a run, each evaluated row is appended to ``evaluations.jsonl`` and only its light part
(:func:`ultralow.optimise.run.light_row`) stays in memory; the tables are read back from that file
in chunks. ``--chunk`` plays the part of a generation (or of the designs in flight).

Printed per chunk of designs: seconds per design for store writes, store reads and evaluation
(flat = no slowdown as the store grows), the driver's peak resident memory (goal <= 1 GB) and the
time of the tables and the report.
"""

from __future__ import annotations

import argparse
import copy
import resource
import tempfile
import time
from pathlib import Path

import numpy as np


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


SPEC = {
    "run": {"name": "store-scale", "population": 10, "generations": 1, "period": "design-days", "seed": 1},
    "building": {"template": "residential", "city": "harbin"},
    "variables": {
        "wall_u_w_m2k": {"type": "float", "min": 0.10, "max": 0.60, "step": 0.0005},
        "window_u_w_m2k": {"type": "float", "min": 0.8, "max": 2.5, "step": 0.005},
        "n50_ach": {"type": "float", "min": 0.4, "max": 3.0, "step": 0.01},
        "hrv_efficiency": {"type": "float", "min": 0.0, "max": 0.9, "step": 0.01},
        "pv_roof_fraction": {"type": "float", "min": 0.0, "max": 0.6, "step": 0.01},
    },
    "objectives": [{"metric": "primary_energy_kwh_m2"}, {"metric": "incremental_investment_rmb_m2"}],
    "constraints": [{"metric": "heating_demand_kwh_m2", "max": 60}],
}


def main() -> None:
    from ultralow.optimise.problem import DesignEvaluator
    from ultralow.optimise.run import _write_tables, light_row
    from ultralow.optimise.search import append_events
    from ultralow.optimise.spec import parse_spec
    from ultralow.optimise.store import ResultStore, file_sha256
    from ultralow.sim.idd import engine_version
    from ultralow.sim.simulate import resolve_weather_source, simulate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    args = parser.parse_args()
    spec = parse_spec(SPEC)
    weather = resolve_weather_source(city="harbin")
    evaluator = DesignEvaluator(spec, weather, file_sha256(str(weather.epw_path)), engine_version())
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        real = simulate("residential", {}, weather, run_dir=root / "real", period="design-days").to_dict()
        store = ResultStore(root / "run" / "store.sqlite", root / "shared" / "store.sqlite")
        rows: list[dict] = []
        print(f"{'designs':>8} {'write ms/design':>16} {'read ms/design':>15} {'evaluate+log ms/design':>23} "
              f"{'peak MB':>8}")
        done = 0
        while done < args.designs:
            n = min(args.chunk, args.designs - done)
            designs = []
            for _ in range(n):
                x = {v.name: float(rng.uniform(v.low, v.high)) for v in spec.variables}
                designs.append(evaluator.prepare(x))
            t0 = time.perf_counter()
            for d in designs:
                for job in d.jobs.values():
                    if store.lookup(job.key) is None:
                        result = copy.deepcopy(real)
                        result["parameters"] = job.parameters
                        for metric in ("heating_demand_kwh_m2", "primary_energy_kwh_m2"):
                            result[metric] *= float(rng.uniform(0.6, 1.4))
                        store.put({"key": job.key, "status": "ok", "template": job.template,
                                   "parameters": job.parameters, "weather_sha256": job.weather_sha256,
                                   "engine_version": job.engine_version, "period": job.period, "result": result,
                                   "error": None, "severe_lines": [], "seconds": 1.0, "host": "bench",
                                   "attempts": 1, "finished_at": time.time()})
            t1 = time.perf_counter()
            records, to_run = store.partition(job for d in designs for job in d.jobs.values())
            assert not to_run
            t2 = time.perf_counter()
            full = []
            for d in designs:
                row = evaluator.evaluate(d, records)
                row["generation"], row["source"] = 1, "store"
                full.append(row)
            append_events(root / "run" / "evaluations.jsonl", full)  # as the search loop does: whole rows
            rows += [light_row(r, spec) for r in full]  # on disk, the light part in memory
            del full, records, designs
            t3 = time.perf_counter()
            done += n
            print(f"{done:8d} {1000 * (t1 - t0) / n:16.3f} {1000 * (t2 - t1) / n:15.3f} "
                  f"{1000 * (t3 - t2) / n:23.3f} {_peak_mb():8.0f}", flush=True)
        store.close()
        run_dir = root / "run"
        history = [{"generation": 1, "n_evaluated": len(rows), "n_failed": 0, "n_cached": len(rows)}]
        t0 = time.perf_counter()
        evaluations, pareto, _, report = _write_tables(run_dir, spec, rows, history, evaluator.constraint_names)
        t1 = time.perf_counter()
        print(f"\ntables + report for {len(evaluations)} designs ({len(pareto)} on the front): {t1 - t0:.1f} s; "
              f"report {report.stat().st_size / 1e6 if report else float('nan'):.1f} MB; "
              f"peak driver memory {_peak_mb():.0f} MB (goal <= 1024)")


if __name__ == "__main__":
    main()
