"""Accuracy of the fast model against the full model (issue 17), annual runs.

Run: ``python benchmarks/fidelity_accuracy.py [--workers 2] [--cities harbin,beijing,dongguan]``.

For each shipped city, both templates and three envelope packages (weak: an unrenovated 1980s
block; code: the template defaults; passive: passive-house grade with heat recovery) the same
design is checked (``ultralow check``'s path, target ``ultra-low``: the design and its reference
building simulated, every indicator evaluated) with ``fidelity = "full"`` (every storey and zone,
every report) and ``fidelity = "fast"`` (the default: the typical middle storey with a zone
multiplier, only the reports read). Printed: annual heating and cooling demand (sensible,
latent), peak loads, primary energy and every indicator of the target, fast against full,
relative and absolute differences, and the largest per quantity. Goal (issue 17): annual heating
and cooling demand within 1 % (or 0.1 kWh/(m2 a) where the demand itself is below 10), peaks
within 2 %.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PACKAGES = {
    "weak": {"wall_u_w_m2k": 1.0, "roof_u_w_m2k": 0.8, "window_u_w_m2k": 3.0, "n50_ach": 6.0,
             "hrv_efficiency": 0.0},
    "code": {},
    "passive": {"wall_u_w_m2k": 0.15, "roof_u_w_m2k": 0.12, "window_u_w_m2k": 0.8, "window_shgc": 0.4,
                "n50_ach": 0.6, "hrv_efficiency": 0.8},
}
FIELDS = ("heating_demand_kwh_m2", "cooling_demand_kwh_m2", "cooling_sensible_kwh_m2", "cooling_latent_kwh_m2",
          "peak_heating_load_w_m2", "peak_cooling_load_w_m2", "primary_energy_kwh_m2")
DEMANDS = ("heating_demand_kwh_m2", "cooling_demand_kwh_m2", "cooling_sensible_kwh_m2", "cooling_latent_kwh_m2")
PEAKS = ("peak_heating_load_w_m2", "peak_cooling_load_w_m2")


def check_case(city: str, template: str, package: str, fidelity: str, root: str) -> dict[str, float]:
    """Every result field of FIELDS and every ultra-low indicator of one case, by name."""
    from ultralow.optimise.check import run_check
    from ultralow.sim.simulate import resolve_weather_source

    weather = resolve_weather_source(city=city, epw=None)
    run = run_check(template, {**PACKAGES[package], "fidelity": fidelity}, weather, "ultra-low",
                    run_dir=Path(root) / f"{city}-{template}-{package}-{fidelity}", measures=False)
    design = run.results["design"]
    out = {f: float(getattr(design, f)) for f in FIELDS}
    out.update({f"indicator {i.name}": float(i.value) for i in run.report.indicators
                if isinstance(i.value, int | float)})
    out["engine_s"] = float(design.engine_seconds)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--cities", default="harbin,beijing,dongguan")
    args = parser.parse_args()
    cases = [(c, t, p) for c in args.cities.split(",") for t in ("residential", "office") for p in PACKAGES]
    with tempfile.TemporaryDirectory() as root, ProcessPoolExecutor(args.workers) as pool:
        futures = {(case, f): pool.submit(check_case, *case, f, root) for case in cases for f in ("full", "fast")}
        results = {key: fut.result() for key, fut in futures.items()}
    worst: dict[str, tuple[float, str]] = {}
    failures = []
    print(f"{'city':9} {'template':11} {'package':8} {'quantity':45} {'full':>9} {'fast':>9} {'diff':>8} {'rel %':>7}")
    for case in cases:
        full, fast = results[(case, "full")], results[(case, "fast")]
        for name in full:
            if name == "engine_s" or name not in fast:
                continue
            a, b = full[name], fast[name]
            rel = (b - a) / abs(a) * 100 if a else 0.0
            print(f"{case[0]:9} {case[1]:11} {case[2]:8} {name:45} {a:9.3f} {b:9.3f} {b - a:+8.3f} {rel:+7.2f}")
            if abs(rel) > abs(worst.get(name, (0.0, ""))[0]):
                worst[name] = (rel, "/".join(case))
            if name in DEMANDS and abs(rel) > 1.0 and not (abs(a) < 10 and abs(b - a) <= 0.1):
                failures.append(f"{'/'.join(case)} {name}: {rel:+.2f} % ({b - a:+.3f})")
            if name in PEAKS and abs(rel) > 2.0:
                failures.append(f"{'/'.join(case)} {name}: {rel:+.2f} %")
    print("\nlargest difference per quantity (fast vs full):")
    for name, (rel, case) in worst.items():
        print(f"  {name:45} {rel:+7.2f} %  ({case})")
    ratio = [results[(c, "fast")]["engine_s"] / results[(c, "full")]["engine_s"] for c in cases]
    print(f"\nengine time fast/full (design runs, {args.workers} workers in parallel): "
          f"median {sorted(ratio)[len(ratio) // 2]:.2f}, min {min(ratio):.2f}, max {max(ratio):.2f}")
    print("\nbeyond the goal (demand 1 % or 0.1 kWh/(m2 a) below 10; peaks 2 %):")
    print("\n".join(f"  {f}" for f in failures) or "  none")


if __name__ == "__main__":
    main()
