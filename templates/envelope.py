"""Envelope of a model: opaque constructions with thermal bridges, windows and their shading.

Applies to any eppy IDF whose surfaces are already there (:func:`apply_envelope`).

- Opaque elements are sized to the requested clear-field U-value (or built from an insulation
  thickness) by :mod:`ultralow.templates.constructions`. Linear thermal bridges are an
  allowance added to the external walls: ``dU_wall = sum(psi * L) / A_wall`` with
  ``psi_window_installation_w_mk`` over the window perimeters and ``psi_balcony_w_mk`` over the
  balcony slab edges (``balcony_length_ratio`` x south facade length, every storey), so the wall
  EnergyPlus simulates (and reports) has the *average* U including bridges, the quantity the
  Chinese standards' wall limits are set for ("平均传热系数"). Existing (vintage) elements are
  known by their average U already and get no extra allowance.
- Windows: ``window_u_w_m2k`` and ``window_shgc`` are whole-window values (frame and spacer
  included, as in ``optimise/data/windows.toml`` and GB 55015's limits), applied over the whole
  opening with EnergyPlus's simple glazing model.
- Movable external shading (``external_shading``): an exterior shade on the south, east and west
  windows, lowered in the shading season (``seasonal``) or in the shading season when the solar
  irradiance on the window exceeds a setpoint (``solar``), so a high winter SHGC and a low summer
  SHGC can both hold (GB/T 51350-2019 §6.1 recommendation). Seasons, setpoint and shade optics:
  ``templates/data/operation.toml`` [external_shading].
- Fixed south overhangs (``south_overhang_depth_ratio``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.templates import catalogues
from ultralow.templates.constructions import (
    OPAQUE_SURFACES,
    Layer,
    OpaqueConstruction,
    construction_layers,
    existing_element_layers,
    opaque_construction,
)
from ultralow.templates.schedules import add_schedule, season_fields

SHADED_FACADES = ("south", "east", "west")


@dataclass(frozen=True)
class ThermalBridges:
    """Linear thermal bridges of the external walls and the wall-U allowance they give."""

    window_perimeter_m: float
    balcony_length_m: float
    psi_window_installation_w_mk: float
    psi_balcony_w_mk: float
    opaque_wall_area_m2: float

    @property
    def heat_loss_coefficient_w_k(self) -> float:
        """sum(psi * L), W/K."""
        return (self.psi_window_installation_w_mk * self.window_perimeter_m
                + self.psi_balcony_w_mk * self.balcony_length_m)

    @property
    def wall_u_allowance_w_m2k(self) -> float:
        """Added to the clear-field wall U, W/(m2 K)."""
        return self.heat_loss_coefficient_w_k / self.opaque_wall_area_m2 if self.opaque_wall_area_m2 else 0.0


def _polygon_area_perimeter(vertices: list[tuple[float, float, float]]) -> tuple[float, float]:
    """Area (m2) and perimeter (m) of a planar polygon given by 3-D vertices."""
    n = len(vertices)
    perimeter = sum(math.dist(vertices[i], vertices[(i + 1) % n]) for i in range(n))
    cx = cy = cz = 0.0
    for i in range(n):
        (x1, y1, z1), (x2, y2, z2) = vertices[i], vertices[(i + 1) % n]
        cx += y1 * z2 - z1 * y2
        cy += z1 * x2 - x1 * z2
        cz += x1 * y2 - y1 * x2
    return 0.5 * math.sqrt(cx * cx + cy * cy + cz * cz), perimeter


def _vertices(surface: Any) -> list[tuple[float, float, float]]:
    return [tuple(float(c) for c in v) for v in surface.coords]


def facade_of(surface: Any) -> str:
    """``south``/``east``/``north``/``west`` of a vertical surface (building coordinates)."""
    azimuth = float(surface.azimuth) % 360.0
    return ("north", "east", "south", "west")[int(((azimuth + 45.0) % 360.0) // 90.0)]


def balcony_length_m(params: Mapping[str, Any]) -> float:
    """Balcony slab edges, m: ``balcony_length_ratio`` x south facade length x storeys."""
    return float(params.get("balcony_length_ratio") or 0.0) * float(params["length_m"]) * int(params["storeys"])


def thermal_bridges(idf: Any, params: Mapping[str, Any], existing: bool) -> ThermalBridges:
    """Window perimeters and balcony lengths of the model, with the parameters' psi-values."""
    windows = [_polygon_area_perimeter(_vertices(w)) for w in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]]
    window_area = sum(area for area, _ in windows)
    window_perimeter = sum(perimeter for _, perimeter in windows)
    walls = [s for s in idf.idfobjects["BUILDINGSURFACE:DETAILED"]
             if s.Surface_Type.lower() == "wall" and s.Outside_Boundary_Condition.lower() == "outdoors"]
    wall_area = sum(_polygon_area_perimeter(_vertices(s))[0] for s in walls) - window_area
    balcony = balcony_length_m(params)
    if existing:  # a vintage's U-values are average values: bridges included
        return ThermalBridges(window_perimeter, balcony, 0.0, 0.0, wall_area)
    return ThermalBridges(window_perimeter, balcony, float(params.get("psi_window_installation_w_mk") or 0.0),
                          float(params.get("psi_balcony_w_mk") or 0.0), wall_area)


def _add_construction(idf: Any, name: str, layers: tuple[Layer, ...] | list[Layer]) -> None:
    """A Construction whose Material objects are named by material and thickness, so equal
    layers share one object (EnergyPlus then sees symmetric interzone constructions as such)."""
    fields = {}
    for i, mat in enumerate(layers):
        mat_name = f"{mat.material} {mat.thickness_m * 1000:.3f}mm"
        if idf.getobject("MATERIAL", mat_name) is None:
            idf.newidfobject(
                "MATERIAL", Name=mat_name, Roughness="MediumRough", Thickness=round(mat.thickness_m, 6),
                Conductivity=mat.conductivity_w_mk, Density=mat.density_kg_m3,
                Specific_Heat=mat.specific_heat_j_kgk, Thermal_Absorptance=0.9, Solar_Absorptance=0.6,
                Visible_Absorptance=0.6,
            )
        fields["Outside_Layer" if i == 0 else f"Layer_{i + 1}"] = mat_name
    idf.newidfobject("CONSTRUCTION", Name=name, **fields)


def opaque_constructions(params: Mapping[str, Any], existing: Any,
                         bridges: ThermalBridges) -> tuple[dict[str, OpaqueConstruction], OpaqueConstruction]:
    """Constructions by surface as simulated (the wall with its thermal-bridge allowance), and the
    clear-field wall (what the insulation quantity is)."""
    out: dict[str, OpaqueConstruction] = {}
    for surface in OPAQUE_SURFACES:
        prefix = "floor" if surface == "ground_floor" else surface
        u = params.get(f"{prefix}_u_w_m2k")
        mm = params.get(f"{prefix}_insulation_mm")
        existing_layers = None
        if existing is not None:  # retrofit: insulation goes outside the existing element
            existing_layers = existing_element_layers(surface, existing.values[f"{prefix}_u_w_m2k"])
            if u is None and mm is None:
                mm = 0.0
        elif u is None and mm is None:
            u = params[f"_default_{prefix}_u_w_m2k"]
        out[surface] = opaque_construction(surface, u_target_w_m2k=u, insulation=params.get(f"{prefix}_insulation"),
                                           insulation_mm=mm, existing_layers=existing_layers)
    clear_wall = out["wall"]
    allowance = bridges.wall_u_allowance_w_m2k
    if allowance > 0:
        out["wall"] = opaque_construction("wall", u_target_w_m2k=clear_wall.u_with_film_w_m2k + allowance,
                                          insulation=params.get("wall_insulation"))
    return out, clear_wall


def apply_envelope(idf: Any, params: Mapping[str, Any], existing: Any, zone_primary: str) -> dict[str, Any]:
    """Constructions, windows, overhangs and movable shading; returns what the results need
    (``constructions``, ``clear_wall``, ``thermal_bridges``)."""
    bridges = thermal_bridges(idf, params, existing is not None)
    constructions, clear_wall = opaque_constructions(params, existing, bridges)
    for surf in idf.idfobjects["BUILDINGSURFACE:DETAILED"]:
        kind = surf.Surface_Type.lower()
        boundary = surf.Outside_Boundary_Condition.lower()
        if kind == "wall":
            surf.Construction_Name = "Ext Wall" if boundary == "outdoors" else "Int Wall"
        elif kind == "roof":
            surf.Construction_Name = "Roof"
        elif kind == "floor":
            surf.Construction_Name = "Ground Floor" if boundary == "ground" else "Int Floor"
        elif kind == "ceiling":
            surf.Construction_Name = "Int Ceiling"
    for win in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]:
        win.Construction_Name = "Window"
    used = {surf.Construction_Name for surf in idf.idfobjects["BUILDINGSURFACE:DETAILED"]}
    layer_sets: dict[str, list[Layer]] = {
        "Ext Wall": list(constructions["wall"].layers),
        "Roof": list(constructions["roof"].layers),
        "Ground Floor": list(constructions["ground_floor"].layers),
        "Int Floor": construction_layers("interior_floor"),
        "Int Wall": construction_layers("interior_wall"),
    }
    for name, layers in layer_sets.items():
        if name in used or (name == "Int Floor" and "Int Ceiling" in used):
            _add_construction(idf, name, layers)
    if "Int Ceiling" in used:  # the same materials as Int Floor, reversed (EnergyPlus checks this)
        floor = idf.getobject("CONSTRUCTION", "Int Floor")
        layer_names = [v for v in floor.fieldvalues[2:] if v]
        idf.newidfobject("CONSTRUCTION", Name="Int Ceiling", **{
            ("Outside_Layer" if i == 0 else f"Layer_{i + 1}"): n for i, n in enumerate(reversed(layer_names))
        })
    idf.newidfobject(
        "WINDOWMATERIAL:SIMPLEGLAZINGSYSTEM", Name="Glazing", UFactor=params["window_u_w_m2k"],
        Solar_Heat_Gain_Coefficient=params["window_shgc"], Visible_Transmittance=params["window_vt"],
    )
    idf.newidfobject("CONSTRUCTION", Name="Window", Outside_Layer="Glazing")
    _apply_overhangs(idf, float(params.get("south_overhang_depth_ratio") or 0.0))
    _apply_movable_shading(idf, params, zone_primary)
    return {"constructions": constructions, "clear_wall": clear_wall, "thermal_bridges": bridges}


def _apply_overhangs(idf: Any, depth_ratio: float) -> None:
    if depth_ratio <= 0:
        return
    for win in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]:
        if facade_of(win) == "south":
            idf.newidfobject(
                "SHADING:OVERHANG:PROJECTION", Name=f"{win.Name} Overhang", Window_or_Door_Name=win.Name,
                Height_above_Window_or_Door=0.1, Tilt_Angle_from_WindowDoor=90.0,
                Left_extension_from_WindowDoor_Width=0.2, Right_extension_from_WindowDoor_Width=0.2,
                Depth_as_Fraction_of_WindowDoor_Height=depth_ratio,
            )


def _apply_movable_shading(idf: Any, params: Mapping[str, Any], zone_primary: str) -> None:
    mode = params.get("external_shading") or "none"
    if mode == "none":
        return
    data = catalogues.load("operation")["external_shading"]
    tau = float(params["external_shade_solar_transmittance"])
    idf.newidfobject(
        "WINDOWMATERIAL:SHADE", Name="External Shade", Solar_Transmittance=tau,
        Solar_Reflectance=data["solar_reflectance"], Visible_Transmittance=tau,
        Visible_Reflectance=data["solar_reflectance"], Infrared_Hemispherical_Emissivity=0.9,
        Infrared_Transmittance=0.0, Thickness=0.005, Conductivity=0.1, Shade_to_Glass_Distance=0.05,
    )
    start, end = data["season_by_zone"][zone_primary]
    add_schedule(idf, "Shading Season", "Fraction", season_fields(start, end))
    by_zone: dict[str, list[str]] = {}
    for win in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]:
        if facade_of(win) in SHADED_FACADES:
            zone = idf.getobject("BUILDINGSURFACE:DETAILED", win.Building_Surface_Name).Zone_Name
            by_zone.setdefault(zone, []).append(win.Name)
    for i, (zone, windows) in enumerate(sorted(by_zone.items()), start=1):
        ctrl = idf.newidfobject(
            "WINDOWSHADINGCONTROL", Name=f"Shading {i}", Zone_Name=zone, Shading_Control_Sequence_Number=1,
            Shading_Type="ExteriorShade",
            Shading_Control_Type="OnIfScheduleAllows" if mode == "seasonal" else "OnIfHighSolarOnWindow",
            Schedule_Name="Shading Season", Setpoint=data["solar_setpoint_w_m2"] if mode == "solar" else "",
            Shading_Control_Is_Scheduled="Yes", Glare_Control_Is_Active="No",
            Shading_Device_Material_Name="External Shade", Multiple_Surface_Control_Type="Sequential",
        )
        for j, name in enumerate(windows, start=1):
            setattr(ctrl, f"Fenestration_Surface_{j}_Name", name)
