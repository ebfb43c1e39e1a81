"""Median annual simulation time per template and fidelity, and the share spent outside EnergyPlus.

Run: ``python benchmarks/simulation_speed.py [--runs N] [--city harbin | --epw FILE]``.
For each template (and an 18-storey residential block) the same design is simulated N times per
fidelity in this process, the full and the fast model alternating run by run so that both see the
same machine (the first run of each, which also parses the IDD and builds the geometry, is
reported separately as "cold").
Each run's time is split into build (model assembly + IDF writing), engine (the EnergyPlus child
process, including its start-up) and read (``eplusout.sql`` -> result). Targets: issue 2,
outside-engine share (build + read) <= 10 %; issue 17, the fast model's median engine time at
most half the full model's (printed as "fast/full engine").
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from ultralow.sim.simulate import resolve_weather_source, simulate


def _summary(rows: list[dict[str, float]]) -> dict[str, float]:
    cold, warm = rows[0], rows[1:]
    median = {k: statistics.median(r[k] for r in warm) for k in warm[0]}
    outside = median["build_seconds"] + median["read_seconds"]
    return {
        "cold_total_s": cold["total"],
        "median_total_s": median["total"],
        "median_build_s": median["build_seconds"],
        "median_engine_s": median["engine_seconds"],
        "median_read_s": median["read_seconds"],
        "outside_engine_share": outside / median["total"],
    }


def measure(template: str, weather, runs: int, workdir: Path,
            extra: dict | None = None) -> dict[str, dict[str, float]]:
    """Summary per fidelity of ``runs`` + 1 annual runs each, full and fast alternating."""
    rows: dict[str, list[dict[str, float]]] = {"full": [], "fast": []}
    for i in range(runs + 1):
        for fidelity in ("full", "fast"):
            run_dir = workdir / f"{template}-{len(extra or {})}-{fidelity}-{i}"
            start = time.perf_counter()
            simulate(template, {"pv_roof_fraction": 0.5, "fidelity": fidelity, **(extra or {})}, weather,
                     run_dir=run_dir)
            total = time.perf_counter() - start
            timing = json.loads((run_dir / "timing.json").read_text())
            rows[fidelity].append({"total": total, **timing})
    return {fidelity: _summary(r) for fidelity, r in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--city", default="harbin")
    parser.add_argument("--epw")
    args = parser.parse_args()
    weather = resolve_weather_source(city=None if args.epw else args.city, epw=args.epw)
    print(f"weather: {weather.description}")
    print(f"{'template':<12} {'fidelity':<8} {'cold s':>8} {'median s':>9} {'build s':>8} {'engine s':>9} "
          f"{'read s':>7} {'outside %':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        cases = (("residential", "residential", args.runs, {}),
                 ("office", "office", max(2, args.runs // 2), {}),
                 ("resid. 18 st", "residential", max(2, args.runs // 2), {"storeys": 18}))
        for label, template, runs, extra in cases:
            by_fidelity = measure(template, weather, runs, Path(tmp), extra)
            for fidelity, m in by_fidelity.items():
                print(f"{label:<12} {fidelity:<8} {m['cold_total_s']:8.2f} {m['median_total_s']:9.2f} "
                      f"{m['median_build_s']:8.3f} {m['median_engine_s']:9.2f} {m['median_read_s']:7.3f} "
                      f"{100 * m['outside_engine_share']:9.1f}%")
            ratio = by_fidelity["fast"]["median_engine_s"] / by_fidelity["full"]["median_engine_s"]
            print(f"{label:<12} fast/full engine {ratio:.2f} (goal <= 0.50)")


if __name__ == "__main__":
    main()
