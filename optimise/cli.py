"""``ultralow optimise SPEC [--resume RUN] [--address ADDR] [--workers N] [--generations N]
[--population N] [--out DIR]``: run or resume an optimisation and print where the results are."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "optimise", help="multi-objective search of design packages (NSGA-II/III on Ray)",
        description="Run the optimisation a spec file describes: every generation's designs are simulated "
                    "in parallel as Ray tasks, every simulation is stored as it finishes (identical designs "
                    "are never simulated twice), and the run folder gets the Pareto set (CSV, Parquet) "
                    "and an HTML report.",
    )
    p.add_argument("spec", help="spec file (TOML), e.g. optimise/examples/harbin_ultra_low.toml")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run from its run folder")
    p.add_argument("--generations", type=int, help="override [run] generations (may grow on --resume)")
    p.add_argument("--population", type=int, help="override [run] population (new runs only)")
    add_run_options(p, "./runs/optimise")
    p.set_defaults(func=_run)


def add_run_options(p: argparse.ArgumentParser, default_out: str) -> None:
    """Options shared by ``optimise`` and ``sweep``: where Ray runs, where the run folder goes."""
    p.add_argument("--address", help="join an existing Ray cluster (e.g. auto or HOST:6379); "
                                     "default: start local Ray")
    p.add_argument("--workers", type=int, help="CPUs of the local Ray (default: all cores)")
    p.add_argument("--out", metavar="DIR", help=f"parent folder of the run folder (default {default_out})")
    p.add_argument("--keep-runs", action="store_true", help="keep every EnergyPlus run folder under RUN/sims")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def check_before_running(spec: Any) -> None:
    """What :func:`~ultralow.optimise.run.run_optimisation` would only find after making the run
    folder (the weather, the cost model against the weather, the targets' indicators for this
    climate, a retrofit's metrics): an InputError here leaves nothing behind."""
    from ultralow.optimise.problem import DesignEvaluator
    from ultralow.optimise.store import file_sha256
    from ultralow.sim.idd import engine_version
    from ultralow.weather import resolve_weather

    weather = resolve_weather(city=spec.city, epw=spec.epw)
    DesignEvaluator(spec, weather, file_sha256(str(weather.epw_path)), engine_version())


def _run(args: argparse.Namespace) -> int:
    from ultralow.errors import InputError
    from ultralow.optimise.run import run_optimisation
    from ultralow.optimise.spec import load_spec

    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    for name in ("generations", "population"):
        value = getattr(args, name)
        if value is not None and value < (2 if name == "population" else 1):
            raise InputError(f"--{name} {value} is too small")
    spec = load_spec(args.spec)
    if args.resume is None:
        check_before_running(spec)
    result = run_optimisation(
        spec, out_dir=args.out, resume_dir=args.resume, address=args.address, workers=args.workers,
        generations=args.generations, population=args.population, progress=not args.quiet,
        keep_runs=args.keep_runs,
    )
    n_failed = int((result.evaluations["status"] != "ok").sum()) if len(result.evaluations) else 0
    print(f"run folder: {result.run_dir}")
    print(f"simulations run now: {result.n_simulated}, reused from the store: {result.n_reused}, "
          f"designs evaluated: {len(result.evaluations)} ({n_failed} failed)")
    print(f"Pareto set: {len(result.pareto)} designs -> {result.run_dir / 'pareto.csv'}")
    if result.report is not None:
        print(f"report: {result.report}")
    if len(result.pareto):
        cols = [c for c in ["design_id", *(v.name for v in spec.variables), *(o.metric for o in spec.objectives)]
                if c in result.pareto.columns]
        print(result.pareto[cols].to_string(index=False, float_format=lambda x: f"{x:.4g}"), file=sys.stdout)
    return 0
