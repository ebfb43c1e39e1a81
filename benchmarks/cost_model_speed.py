"""Cost model speed: milliseconds per call of ``CostModel.energy_costs_rmb`` (the 50-year energy
cost series) and ``CostModel.evaluate`` (one design against its baseline), on a result with PV
and Beijing's flat residential tariff. The optimiser calls ``evaluate`` once per design
and the measure table once per step, so this is on the evaluation path.

    python benchmarks/cost_model_speed.py [--calls N]
"""

from __future__ import annotations

import argparse
import time

from ultralow.optimise.costs import CostModel

AREA_M2 = 160.0
GEOMETRY = {"length_m": 20.0, "depth_m": 8.0, "storeys": 2, "floor_height_m": 3.0}


def result(net_site_kwh_m2: float, pv_kwh_m2: float, exported_kwh_m2: float) -> dict:
    """A result whose grid exchange is spread evenly over the 12 x 24 month-hour cells."""
    cells = 288.0
    grid = lambda kwh_m2: [[kwh_m2 * AREA_M2 / cells] * 24 for _ in range(12)]  # noqa: E731
    return {"conditioned_floor_area_m2": AREA_M2, "net_site_energy_kwh_m2": net_site_kwh_m2,
            "pv_generation_kwh_m2": pv_kwh_m2, "peak_heating_load_w_m2": 40.0, "peak_cooling_load_w_m2": 10.0,
            "co2_kg_m2": 20.0, "pv_capacity_kw": 0.0,
            "grid_import_kwh_month_hour": grid(net_site_kwh_m2 + exported_kwh_m2),
            "grid_export_kwh_month_hour": grid(exported_kwh_m2), "pv_generation_kwh_month_hour": grid(pv_kwh_m2)}


def per_call_ms(fn, calls: int) -> float:
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    model = CostModel.load()
    design, base = result(40.0, 10.0, 2.0), result(60.0, 0.0, 0.0)
    series = per_call_ms(lambda: model.energy_costs_rmb("residential", {}, design, "beijing"), args.calls)
    evaluate = per_call_ms(lambda: model.evaluate("residential", dict(GEOMETRY), design, dict(GEOMETRY), base,
                                                  city="beijing"), args.calls)
    print(f"energy_costs_rmb (50-year series): {series:.2f} ms per call")
    print(f"evaluate (design against its base): {evaluate:.2f} ms per call")


if __name__ == "__main__":
    main()
