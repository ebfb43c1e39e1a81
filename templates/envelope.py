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
- Retrofit measures (data and sources: ``templates/data/retrofit_measures.toml``):
  ``window_retrofit`` adds a solar-control film or an interior secondary sash to the windows the
  parameters describe (:func:`retrofitted_window`); ``roof_solar_absorptance`` sets the solar and
  visible absorptance of the roof's outermost layer (a cool roof); ``side_fin_depth_ratio`` puts
  vertical fins on both sides of every window module of the south, east and west windows
  (:func:`side_fin_polygons`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.errors import InputError
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
DEFAULT_SOLAR_ABSORPTANCE = 0.6  # solar and visible absorptance of every opaque layer (modelling assumption)
NO_WINDOW_RETROFIT = "none"

Point = tuple[float, float, float]


def window_retrofit_ids() -> tuple[str, ...]:
    """The ``window_retrofit`` choices: ``none`` and the measures of ``retrofit_measures.toml``."""
    return (NO_WINDOW_RETROFIT, *catalogues.load("retrofit_measures")["window_retrofit"])


def retrofitted_window(u_w_m2k: float, shgc: float, vt: float, measure: str) -> tuple[float, float, float]:
    """Whole-window U (W/(m2 K)), SHGC (-) and visible transmittance (-) after ``measure``.

    ``measure`` is ``none`` (the values come back unchanged) or a ``[window_retrofit.<id>]`` of
    ``templates/data/retrofit_measures.toml`` with ``added_resistance_m2k_w`` (dR, m2K/W),
    ``shgc_multiplier`` (f_g) and ``vt_multiplier`` (f_v), applied over the whole opening::

        U'    = 1 / (1 / U + dR)
        SHGC' = SHGC * f_g
        VT'   = VT * f_v

    e.g. secondary glazing (dR = 0.19, f_g = 0.89, f_v = 0.90) on single glazing U 5.8, SHGC 0.80,
    VT 0.85 gives 2.76, 0.712, 0.765. Unknown ``measure``: InputError naming ``window_retrofit``.
    """
    if measure == NO_WINDOW_RETROFIT:
        return u_w_m2k, shgc, vt
    measures = catalogues.load("retrofit_measures")["window_retrofit"]
    if measure not in measures:
        raise InputError(f"parameter 'window_retrofit': {measure!r} is not allowed; use one of "
                         f"{', '.join(window_retrofit_ids())}")
    m = measures[measure]
    return (1.0 / (1.0 / float(u_w_m2k) + float(m["added_resistance_m2k_w"])),
            float(shgc) * float(m["shgc_multiplier"]), float(vt) * float(m["vt_multiplier"]))


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
    """Window perimeters and balcony lengths of the model, with the parameters' psi-values; each
    surface counts its zone's multiplier (the fast model's typical middle storey)."""
    multiplier = {z.Name: float(z.Multiplier or 1) for z in idf.idfobjects["ZONE"]}
    zone_of = {s.Name: s.Zone_Name for s in idf.idfobjects["BUILDINGSURFACE:DETAILED"]}
    windows = [(multiplier.get(zone_of.get(w.Building_Surface_Name), 1.0), *_polygon_area_perimeter(_vertices(w)))
               for w in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]]
    window_area = sum(m * area for m, area, _ in windows)
    window_perimeter = sum(m * perimeter for m, _, perimeter in windows)
    walls = [s for s in idf.idfobjects["BUILDINGSURFACE:DETAILED"]
             if s.Surface_Type.lower() == "wall" and s.Outside_Boundary_Condition.lower() == "outdoors"]
    wall_area = sum(multiplier.get(s.Zone_Name, 1.0) * _polygon_area_perimeter(_vertices(s))[0]
                    for s in walls) - window_area
    balcony = balcony_length_m(params)
    if existing:  # a vintage's U-values are average values: bridges included
        return ThermalBridges(window_perimeter, balcony, 0.0, 0.0, wall_area)
    return ThermalBridges(window_perimeter, balcony, float(params.get("psi_window_installation_w_mk") or 0.0),
                          float(params.get("psi_balcony_w_mk") or 0.0), wall_area)


def _add_construction(idf: Any, name: str, layers: tuple[Layer, ...] | list[Layer],
                      outer_solar_absorptance: float | None = None) -> None:
    """A Construction whose Material objects are named by material and thickness, so equal
    layers share one object (EnergyPlus then sees symmetric interzone constructions as such).

    ``outer_solar_absorptance`` (-) gives the outermost layer its own Material with that solar and
    visible absorptance (a cool roof); None keeps :data:`DEFAULT_SOLAR_ABSORPTANCE`."""
    fields = {}
    for i, mat in enumerate(layers):
        mat_name = f"{mat.material} {mat.thickness_m * 1000:.3f}mm"
        absorptance = DEFAULT_SOLAR_ABSORPTANCE
        if i == 0 and outer_solar_absorptance is not None:
            absorptance = float(outer_solar_absorptance)
            mat_name += f" solar absorptance {absorptance:g}"
        if idf.getobject("MATERIAL", mat_name) is None:
            idf.newidfobject(
                "MATERIAL", Name=mat_name, Roughness="MediumRough", Thickness=round(mat.thickness_m, 6),
                Conductivity=mat.conductivity_w_mk, Density=mat.density_kg_m3,
                Specific_Heat=mat.specific_heat_j_kgk, Thermal_Absorptance=0.9, Solar_Absorptance=absorptance,
                Visible_Absorptance=absorptance,
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
    roof_absorptance = params.get("roof_solar_absorptance")
    for name, layers in layer_sets.items():
        if name in used or (name == "Int Floor" and "Int Ceiling" in used):
            _add_construction(idf, name, layers, roof_absorptance if name == "Roof" else None)
    if "Int Ceiling" in used:  # the same materials as Int Floor, reversed (EnergyPlus checks this)
        floor = idf.getobject("CONSTRUCTION", "Int Floor")
        layer_names = [v for v in floor.fieldvalues[2:] if v]
        idf.newidfobject("CONSTRUCTION", Name="Int Ceiling", **{
            ("Outside_Layer" if i == 0 else f"Layer_{i + 1}"): n for i, n in enumerate(reversed(layer_names))
        })
    u, shgc, vt = retrofitted_window(params["window_u_w_m2k"], params["window_shgc"], params["window_vt"],
                                     params.get("window_retrofit") or NO_WINDOW_RETROFIT)
    idf.newidfobject(
        "WINDOWMATERIAL:SIMPLEGLAZINGSYSTEM", Name="Glazing", UFactor=u, Solar_Heat_Gain_Coefficient=shgc,
        Visible_Transmittance=vt,
    )
    idf.newidfobject("CONSTRUCTION", Name="Window", Outside_Layer="Glazing")
    _apply_overhangs(idf, float(params.get("south_overhang_depth_ratio") or 0.0))
    _apply_side_fins(idf, float(params.get("side_fin_depth_ratio") or 0.0))
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


def side_fin_polygons(window: list[Point], azimuth_deg: float, z_bottom_m: float, z_top_m: float,
                      depth_ratio: float, max_module_width_m: float) -> tuple[float, list[list[Point]]]:
    """Vertical fins of one (strip) window: ``(depth_m, [fin polygon, ...])``.

    The window (its vertices, m, building coordinates, in a vertical wall whose outward normal
    has azimuth ``azimuth_deg``, clockwise from +y, the building's north) is divided into
    ``n = ceil(L / max_module_width_m)`` equal modules of width ``w = L / n`` (``L``: the
    window's horizontal length, m); a fin stands on both sides of every module (``n + 1`` fins),
    perpendicular to the wall, from ``z_bottom_m`` to ``z_top_m`` (m, the height of the wall(s)),
    ``depth = depth_ratio * w`` deep. Each fin's polygon starts at its top edge on the wall. With
    fins that reach above the window the beam sunlit fraction of the window is
    ``max(0, 1 - depth_ratio * |tan(gamma)|)``, ``gamma`` = sun azimuth - wall azimuth.
    """
    a = math.radians(azimuth_deg)
    normal = (math.sin(a), math.cos(a))  # outward, horizontal
    along = (math.cos(a), -math.sin(a))
    ends = sorted(window, key=lambda v: v[0] * along[0] + v[1] * along[1])
    (x0, y0), (x1, y1) = ends[0][:2], ends[-1][:2]
    length = math.hypot(x1 - x0, y1 - y0)
    n = max(1, math.ceil(length / max_module_width_m - 1e-9))
    depth = depth_ratio * length / n
    dx, dy = depth * normal[0], depth * normal[1]
    fins = []
    for k in range(n + 1):
        px, py = x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n
        fins.append([(px, py, z_top_m), (px, py, z_bottom_m), (px + dx, py + dy, z_bottom_m),
                     (px + dx, py + dy, z_top_m)])
    return depth, fins


def _apply_side_fins(idf: Any, depth_ratio: float) -> None:
    """Fins (:func:`side_fin_polygons`) on the south, east and west windows, as
    Shading:Building:Detailed surfaces (they turn with the building). Windows stacked storey over
    storey with the same horizontal extent share fins that run from the lowest to the highest of
    their walls (one continuous fin instead of one per storey: the same shading, fewer surfaces).

    EnergyPlus may warn "Too many figures [>15000] in a shadow overlap" for these models: the
    receiving surfaces it names are the fins themselves (shadows of fins on fins; no wall or window
    among them with DisplayExtraWarnings, residential template), whose sunlit fraction enters no
    heat balance here (no exterior reflections). The windows' sunlit fractions equal
    1 - PF |tan(gamma)| (tests/test_retrofit_measures.py)."""
    if depth_ratio <= 0:
        return
    module_m = float(catalogues.load("retrofit_measures")["side_fins"]["max_module_width_m"])
    stacks: dict[tuple, dict[str, Any]] = {}
    for win in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]:
        if facade_of(win) not in SHADED_FACADES:
            continue
        wall = idf.getobject("BUILDINGSURFACE:DETAILED", win.Building_Surface_Name)
        heights = [z for _, _, z in _vertices(wall)]
        vertices = _vertices(win)
        key = (round(float(win.azimuth), 3), *sorted({(round(x, 4), round(y, 4)) for x, y, _ in vertices}))
        stack = stacks.setdefault(key, {"name": win.Name, "window": vertices, "azimuth": float(win.azimuth),
                                        "bottom": min(heights), "top": max(heights)})
        stack["bottom"] = min(stack["bottom"], min(heights))
        stack["top"] = max(stack["top"], max(heights))
    for stack in stacks.values():
        _, fins = side_fin_polygons(stack["window"], stack["azimuth"], stack["bottom"], stack["top"], depth_ratio,
                                    module_m)
        for i, polygon in enumerate(fins, start=1):
            fin = idf.newidfobject("SHADING:BUILDING:DETAILED", Name=f"{stack['name']} Fin {i}",
                                   Number_of_Vertices=len(polygon))
            for j, (x, y, z) in enumerate(polygon, start=1):
                setattr(fin, f"Vertex_{j}_Xcoordinate", round(x, 6))
                setattr(fin, f"Vertex_{j}_Ycoordinate", round(y, 6))
                setattr(fin, f"Vertex_{j}_Zcoordinate", round(z, 6))


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
