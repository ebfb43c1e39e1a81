"""Example ultralow template: a short two-storey row of terraced houses, shallow and low.

It reuses the residential block builder with its own geometry ranges and defaults; everything
else (package parameters, costs, standards) is the toolkit's, through the template contract of
``ultralow.templates``.
"""

from __future__ import annotations

from typing import Any

from ultralow.templates.building import build_model
from ultralow.templates.residential import DEFAULTS, geometry_of
from ultralow.templates.template import Template, geometry_parameters, package_parameters

GEOMETRY = geometry_parameters({
    "length_m": (36.0, 6.0, 120.0),  # default, minimum, maximum
    "depth_m": (9.0, 6.0, 14.0),
    "storeys": (2, 1, 3),
    "floor_height_m": (2.8, 2.5, 3.5),
    "wwr_south": (0.35, 0.0, 0.7),
    "wwr_north": (0.20, 0.0, 0.7),
    "wwr_east": (0.0, 0.0, 0.3),
    "wwr_west": (0.0, 0.0, 0.3),
})


def _build(params: dict[str, Any], weather: Any, monthly_outdoor_c: list[float]) -> Any:
    return build_model("row_house", "residential", params, geometry_of(params), weather, monthly_outdoor_c)


TEMPLATE = Template(
    name="row_house",
    building_use="residential",
    description="Two-storey row of terraced houses (example plugin, templates/examples/plugin)",
    parameters={p.name: p for p in GEOMETRY + package_parameters(DEFAULTS, "residential")},
    default_u_w_m2k={k: DEFAULTS[f"{k}_u_w_m2k"] for k in ("wall", "roof", "floor")},
    builder=_build,
)
