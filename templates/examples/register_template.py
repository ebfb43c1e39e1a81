"""Register a template from Python and simulate it (design days, Harbin).

    .venv/bin/python templates/examples/register_template.py

A template registered this way exists in this process only; for optimisation on Ray, ship it
as a package with an ``ultralow.templates`` entry point (``templates/examples/plugin``).
"""

from __future__ import annotations

import dataclasses

from ultralow.sim.simulate import simulate
from ultralow.templates import get_template, register_template


def main() -> None:
    tower = dataclasses.replace(get_template("residential"), name="harbin_tower",
                                description="18-storey point block (registered from Python)")
    register_template(tower)
    result = simulate("harbin_tower", {"storeys": 18, "length_m": 30.0, "depth_m": 18.0, "wall_u_w_m2k": 0.15},
                      city="harbin", period="design-days")
    print(f"{result.template}: {result.conditioned_floor_area_m2:.0f} m2, S/V {result.shape_coefficient_1_m:.3f} 1/m, "
          f"wall U {result.wall_u_w_m2k:.3f} W/(m2 K); run folder {result.run_dir}")


if __name__ == "__main__":
    main()
