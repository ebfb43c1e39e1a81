"""Residential block: a multi-storey slab apartment building.

The common case in Harbin, Urumqi, Beijing, Jinan, Shanghai and Guangzhou/Dongguan: a
rectangular block, long facade to the south, one thermal zone per storey (perimeter/core
zoning when the depth exceeds ``core_zoning_depth_m``), operated per GB 55015-2021 Appendix C.
Default envelope: GB 55015-2021 severe cold B limits for a >= 4-storey residential building
(wall 0.35, roof 0.20 W/(m2K)); other defaults are typical new-build values.
"""

from __future__ import annotations

from typing import Any

from ultralow.templates.building import build_model
from ultralow.templates.geometry import BlockGeometry
from ultralow.templates.template import Template, geometry_parameters, package_parameters

CORE_ZONING_DEPTH_M = 16.0  # deeper blocks get 5 m perimeter zones and a core per storey
PERIMETER_DEPTH_M = 5.0

DEFAULTS: dict[str, Any] = {
    "wall_u_w_m2k": 0.35, "roof_u_w_m2k": 0.20, "floor_u_w_m2k": 0.35,
    "wall_insulation": "eps", "roof_insulation": "xps", "floor_insulation": "xps",
    "window_u_w_m2k": 2.0, "window_shgc": 0.45, "window_vt": 0.6,
    "psi_window_installation_w_mk": 0.05, "psi_balcony_w_mk": 0.5, "balcony_length_ratio": 0.5,
    "n50_ach": 1.5, "hrv_efficiency": 0.0, "heat_pump": "ashp_low_ambient",
}

GEOMETRY_PARAMETERS = geometry_parameters({
    "length_m": (60.0, 8.0, 200.0),
    "depth_m": (12.0, 6.0, 40.0),
    "storeys": (6, 1, 33),
    "floor_height_m": (2.9, 2.5, 4.5),
    "wwr_south": (0.45, 0.0, 0.8),
    "wwr_north": (0.30, 0.0, 0.8),
    "wwr_east": (0.10, 0.0, 0.8),
    "wwr_west": (0.10, 0.0, 0.8),
})


def geometry_of(params: dict[str, Any]) -> BlockGeometry:
    deep = params["depth_m"] > CORE_ZONING_DEPTH_M
    return BlockGeometry.from_params(params, PERIMETER_DEPTH_M if deep else None)


def _build(params: dict[str, Any], weather: Any, monthly_outdoor_c: list[float]):
    return build_model("residential", "residential", params, geometry_of(params), weather,
                       monthly_outdoor_c)


TEMPLATE = Template(
    name="residential",
    building_use="residential",
    description="Multi-storey apartment block, zones per storey, everyday operation or a calculation profile",
    parameters={p.name: p for p in GEOMETRY_PARAMETERS + package_parameters(DEFAULTS, "residential")},
    default_u_w_m2k={k: DEFAULTS[f"{k}_u_w_m2k"] for k in ("wall", "roof", "floor")},
    builder=_build,
)
