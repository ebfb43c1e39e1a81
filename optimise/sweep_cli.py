"""``ultralow sweep SPEC [--resume RUN_DIR] [--address ADDR] [--workers N] [--out DIR]``: sample the
design space over templates and cities, evaluate threshold studies and sensitivity, print where
the tables and the report are."""

from __future__ import annotations

import argparse
from typing import Any

from ultralow.optimise.cli import add_run_options


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "sweep", help="sampling sweep: threshold studies and sensitivity for standard writers",
        description="Sample the design space of a spec (full factorial, Latin hypercube or Sobol) over its "
                    "templates and cities, simulate on Ray through the optimiser's result store (designs "
                    "already simulated by 'ultralow optimise' or an earlier sweep are not run again), and "
                    "write results.parquet/.csv, thresholds.csv, sensitivity CSVs and report.html.",
    )
    p.add_argument("spec", nargs="?", help="sweep spec (TOML), e.g. optimise/examples/sweep_severe_cold_wall.toml; "
                                           "optional with --resume")
    p.add_argument("--resume", metavar="RUN_DIR", help="finish an interrupted sweep from its run folder")
    add_run_options(p, "./runs/sweep")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ultralow.errors import InputError
    from ultralow.optimise.sweep import load_sweep, run_sweep

    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    if args.spec is None and args.resume is None:
        raise InputError("give a sweep spec file, or --resume RUN_DIR")
    spec = load_sweep(args.spec) if args.spec else None
    result = run_sweep(spec, out_dir=args.out, resume_dir=args.resume, address=args.address,
                       workers=args.workers, progress=not args.quiet, keep_runs=args.keep_runs)
    n_failed = int((result.results["status"] != "ok").sum()) if len(result.results) else 0
    print(f"run folder: {result.run_dir}")
    print(f"simulations run now: {result.n_simulated}, reused from the store: {result.n_reused}, "
          f"designs: {len(result.results)} ({n_failed} failed)")
    if not result.thresholds.empty:
        print(f"against: {result.baseline}; costs in RMB per m2 of conditioned floor area, energy in "
              "kWh/(m2 a) of conditioned floor area")
        cols = ["study", "variant", "city", "template", "n_complying", "n_designs", "compliance_share",
                "cheapest_origin", "extra_cost_rmb_m2", "primary_energy_kwh_m2_saved", "marginal_cost_rmb_per_kwh"]
        print(result.thresholds[cols].to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    for name in result.sensitivity:
        print(f"{name}: {result.run_dir / (name + '.csv')}")
    if result.report is not None:
        print(f"report: {result.report}")
    return 0

