"""Office: a public building with perimeter/core zoning per storey.

Rectangular block, 5 m perimeter zones around a core on every storey, office operation per
GB 55015-2021 Appendix C (20/26 degC occupied, 5 degC heating setback, 10 m2/person, 8 W/m2
lighting, 15 W/m2 equipment, 30 m3/(h person) fresh air) on weekdays. Default envelope:
GB 55015-2021 cold-zone public building values (wall 0.45, roof 0.35 W/(m2K)).
"""

from __future__ import annotations

from typing import Any

from ultralow.templates.building import build_model
from ultralow.templates.geometry import BlockGeometry
from ultralow.templates.template import Template, geometry_parameters, package_parameters

PERIMETER_DEPTH_M = 5.0

DEFAULTS: dict[str, Any] = {
    "wall_u_w_m2k": 0.45, "roof_u_w_m2k": 0.35, "floor_u_w_m2k": 0.50,
    "wall_insulation": "rock_wool", "roof_insulation": "xps", "floor_insulation": "xps",
    "window_u_w_m2k": 2.2, "window_shgc": 0.40, "window_vt": 0.55,
    "psi_window_installation_w_mk": 0.05, "psi_balcony_w_mk": 0.5, "balcony_length_ratio": 0.0,
    "n50_ach": 2.0, "hrv_efficiency": 0.0, "heat_pump": "ashp_standard",
}

GEOMETRY_PARAMETERS = geometry_parameters({
    "length_m": (50.0, 15.0, 200.0),
    "depth_m": (20.0, 12.0, 60.0),
    "storeys": (5, 1, 30),
    "floor_height_m": (3.9, 3.0, 5.0),
    "wwr_south": (0.40, 0.0, 0.9),
    "wwr_north": (0.40, 0.0, 0.9),
    "wwr_east": (0.30, 0.0, 0.9),
    "wwr_west": (0.30, 0.0, 0.9),
})


def geometry_of(params: dict[str, Any]) -> BlockGeometry:
    return BlockGeometry.from_params(params, PERIMETER_DEPTH_M)


def _build(params: dict[str, Any], weather: Any, monthly_outdoor_c: list[float]):
    return build_model("office", "office", params, geometry_of(params), weather, monthly_outdoor_c)


TEMPLATE = Template(
    name="office",
    building_use="public",
    description="Office block, perimeter/core zones per storey, GB 55015-2021 App. C office operation",
    parameters={p.name: p for p in GEOMETRY_PARAMETERS + package_parameters(DEFAULTS, "public")},
    default_u_w_m2k={k: DEFAULTS[f"{k}_u_w_m2k"] for k in ("wall", "roof", "floor")},
    builder=_build,
)
