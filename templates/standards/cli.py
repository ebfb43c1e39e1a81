"""``ultralow check``: simulate a design and the buildings it is compared with (the standard's
reference; the existing building of a retrofit; the new-build cost base), then print and write
(``report.json``, ``report.html``) every indicator of a target with limit, value, margin,
pass/fail and clause, the savings, investment and payback, and for a retrofit the measure-by-measure
table. Exit status 0 when all pass, 1 when any fails (2 on bad input)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ultralow.templates.standards.evaluate import TARGETS


def register(subparsers: argparse._SubParsersAction) -> None:
    from ultralow.sim.cli import add_model_arguments, add_weather_arguments

    parser = subparsers.add_parser(
        "check",
        help="check a design against GB 55015 / GB/T 51350 ultra-low or nearly-zero indicators",
        description=__doc__,
    )
    add_model_arguments(parser)
    add_weather_arguments(parser)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="design parameter (repeatable), e.g. --set wall_u_w_m2k=0.15")
    parser.add_argument("--target", choices=TARGETS, default="ultra-low",
                        help="indicator set (default: ultra-low)")
    parser.add_argument("--vintage", help="the design is a retrofit of this existing-building vintage "
                                          "(e.g. pre1996): elements the design does not set keep the "
                                          "existing values; savings, investment and payback are against "
                                          "the existing building, measure by measure")
    parser.add_argument("--costs", type=Path, default=None,
                        help="cost file overriding optimise/data/costs.toml (prices, subsidies, tariff city)")
    parser.add_argument("--no-measures", action="store_true",
                        help="skip the measure-by-measure breakdown of a retrofit (one simulation per measure)")
    parser.add_argument("--thermal-inertia-d", type=float, default=None,
                        help="wall thermal inertia index D for the southern tables "
                             "(default: the stricter D <= 2.5 band)")
    parser.add_argument("--period", default=None,
                        help="annual (default), design-days or MM-DD:MM-DD (quick looks only: "
                             "the limits are annual)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for report.json, report.html and the runs "
                             "(default: ULTRALOW_RUNS/check-<template>-<city>-<time>)")
    parser.add_argument("--strict", action="store_true",
                        help="refuse synthetic weather: GB/T 51350's cooling limit is computed from the "
                             "weather, so a strict check needs a measured or typical-year --epw file")
    parser.add_argument("--json", action="store_true", help="print the JSON report instead of a table")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ultralow.optimise.check import run_check
    from ultralow.paths import default_runs_dir, safe_name
    from ultralow.sim.cli import template_of_arguments
    from ultralow.sim.simulate import resolve_weather_source
    from ultralow.templates.parameters import parse_assignments
    from ultralow.templates.standards.report import format_text, period_warning, to_json, write_report

    template, label = template_of_arguments(args, "check")
    params = parse_assignments(args.set)
    weather = resolve_weather_source(city=args.city, epw=args.epw)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.out or default_runs_dir() / safe_name(f"check-{label}-{weather.city or 'epw'}-{stamp}")
    run = run_check(template, params, weather, args.target, run_dir=Path(out) / "runs",
                    period=args.period, vintage=args.vintage,
                    thermal_inertia_d=args.thermal_inertia_d,
                    costs_file=str(args.costs) if args.costs else None, measures=not args.no_measures,
                    strict_weather=args.strict)
    meta = {"template": label if args.idf is None else f"{args.idf} ({template.name})", "weather": weather.description,
            "climate_zone": weather.climate_zone, "period": args.period or "annual",
            "weather_synthetic": getattr(weather, "synthetic", None),
            "parameters": json.dumps(params), "vintage": args.vintage or "-"}
    json_path, html_path = write_report(run.report, out, meta)
    if args.json:
        print(to_json(run.report, meta))
    else:
        print(format_text(run.report))
        if period_warning(meta):
            print(f"warning: {period_warning(meta)}")
        print(f"\nreport: {json_path}\n        {html_path}")
    return run.report.exit_status()
