"""Dispatch efficiency of the optimiser on Ray, and the zero-simulation re-run.

1. Median single-run time: ``--single`` annual simulations of the default template (residential,
   Harbin), one after another in this process (model build + EnergyPlus + reading results).
2. Throughput: ``--designs`` distinct designs of the same template dispatched as one batch of
   Ray tasks on ``--workers`` local workers (what one generation does), timed from submission
   to the last stored record.
3. efficiency = achieved simulations per second / (workers / median single-run time);
   target >= 0.90 on 2 workers.
4. A finished spec run again performs 0 simulations (every design from the result store).

5. Per-task overhead of Ray dispatch: round trip of an empty task (submitted one at a time) and
   the amortised cost per task of a batch of empty tasks, in ms; and the overhead per simulation
   in the timed batch (wall time x workers / designs - median task time).

Usage: ``python benchmarks/dispatch_efficiency.py [--workers 1,2] [--designs 12] [--single 3]``;
on a cluster: ``--address auto --workers N`` (see cluster/README.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def ray_task_overhead_ms(n: int = 500) -> tuple[float, float]:
    """(round trip of one empty task, amortised time per task in a batch of ``n``), in ms."""
    import ray

    @ray.remote(num_cpus=1)
    def empty() -> None:
        return None

    ray.get([empty.remote() for _ in range(20)])  # start the workers
    t0 = time.perf_counter()
    for _ in range(50):
        ray.get(empty.remote())
    round_trip_ms = (time.perf_counter() - t0) / 50 * 1000.0
    t0 = time.perf_counter()
    ray.get([empty.remote() for _ in range(n)])
    return round_trip_ms, (time.perf_counter() - t0) / n * 1000.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2", help="worker counts to measure, e.g. 1,2 (local Ray)")
    ap.add_argument("--address", help="join this Ray cluster instead of starting local Ray")
    ap.add_argument("--designs", type=int, default=12, help="distinct designs in the timed batch")
    ap.add_argument("--single", type=int, default=3, help="serial runs for the median single-run time")
    ap.add_argument("--period", default="annual")
    args = ap.parse_args(argv)

    import ray
    from ultralow.optimise.dispatch import Dispatcher, start_ray
    from ultralow.optimise.problem import DesignEvaluator
    from ultralow.optimise.run import run_optimisation
    from ultralow.optimise.spec import parse_spec
    from ultralow.optimise.store import file_sha256
    from ultralow.sim import simulate
    from ultralow.sim.idd import engine_version
    from ultralow.weather import resolve_weather

    weather = resolve_weather(city="harbin")
    template = "residential"
    times = []
    for i in range(args.single):
        t0 = time.perf_counter()
        simulate(template, {"wall_u_w_m2k": 0.20 + 0.01 * i}, weather, period=args.period)
        times.append(time.perf_counter() - t0)
    median_s = statistics.median(times)
    print(f"median single-run time ({template}, {args.period}, {args.single} runs): {median_s:.2f} s")

    spec = parse_spec({
        "run": {"period": args.period, "store": "none"},
        "building": {"template": template, "city": "harbin"},
        "variables": {"wall_u_w_m2k": {"type": "float", "min": 0.1, "max": 0.5}},
        "objectives": [{"metric": "primary_energy_kwh_m2"}],
    })
    evaluator = DesignEvaluator(spec, weather, file_sha256(str(weather.epw_path)), engine_version())
    jobs = [evaluator.job(evaluator.template.resolve({"wall_u_w_m2k": 0.30 + 0.005 * i}))
            for i in range(args.designs)]
    counts = [None] if args.address else [int(w) for w in str(args.workers).split(",")]
    for count in counts:
        if ray.is_initialized():
            ray.shutdown()
        start_ray(address=args.address, workers=count)
        workers = int(ray.cluster_resources().get("CPU", count or 1))
        print(f"\n--- {workers} worker(s) ---")
        empty_round_trip_ms, empty_batch_ms = ray_task_overhead_ms()
        print(f"Ray empty task: round trip {empty_round_trip_ms:.2f} ms; in a batch of 500: "
              f"{empty_batch_ms:.3f} ms per task")
        dispatcher = Dispatcher(weather, warm_up=workers, template=template)
        done: list[dict] = []
        t0 = time.perf_counter()
        dispatcher.run(jobs, done.append)
        wall_s = time.perf_counter() - t0
        failed = sum(r["status"] != "ok" for r in done)
        achieved = len(done) / wall_s
        ideal = workers / median_s
        print(f"dispatched {len(done)} designs on {workers} workers in {wall_s:.1f} s ({failed} failed): "
              f"{achieved:.3f} simulations/s; ideal {ideal:.3f} simulations/s")
        task_s = statistics.median(r["seconds"] for r in done)
        overhead_ms = (wall_s * workers / len(done) - task_s) * 1000.0
        print(f"median task time in a worker: {task_s:.2f} s (single-run time under parallel load); "
              f"dispatch overhead per simulation {overhead_ms:.0f} ms")
        print(f"dispatch efficiency = {achieved / ideal:.3f} (target >= 0.90 on 2 workers)")

    with tempfile.TemporaryDirectory() as tmp:
        small = {
            "run": {"name": "bench", "seed": 2, "population": 4, "generations": 2, "period": "design-days",
                    "store": str(Path(tmp) / "shared")},
            "building": {"template": template, "city": "harbin"},
            "variables": {"wall_u_w_m2k": {"type": "float", "min": 0.1, "max": 0.5, "step": 0.05},
                          "hrv_efficiency": {"type": "float", "min": 0.0, "max": 0.9, "step": 0.1}},
            "objectives": [{"metric": "primary_energy_kwh_m2"}, {"metric": "incremental_investment_rmb"}],
        }
        first = run_optimisation(parse_spec(small), out_dir=Path(tmp) / "runs", progress=False)
        again = run_optimisation(parse_spec(small), out_dir=Path(tmp) / "runs", progress=False)
        print(f"finished spec: first run {first.n_simulated} simulations; re-run {again.n_simulated} simulations "
              f"({again.n_reused} reused from the store)")
    ray.shutdown()
    return 0 if again.n_simulated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
