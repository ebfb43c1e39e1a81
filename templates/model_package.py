"""The toolkit's package parameters on a model the user brings, applied by rule.

:func:`apply_package` changes an eppy IDF (any EnergyPlus 25.2 model) so that it has the
package's U-values, windows, airtightness, heat recovery and PV, and returns notes saying what it
changed. The rules (units in the parameter names; :data:`PACKAGE_PARAMETERS` has the ranges):

- ``wall_u_w_m2k`` / ``roof_u_w_m2k`` / ``floor_u_w_m2k`` (W/(m2 K), with surface films, the
  "U-Factor with Film" of EnergyPlus's Envelope Summary): exterior walls are wall surfaces with an
  ``Outdoors`` boundary, roofs are roof/ceiling surfaces with an ``Outdoors`` boundary, except under
  a cold attic: where the ceiling between a floor-area zone and a zone outside the floor area is
  insulated (R >= 1 m2K/W), the envelope runs there (:mod:`ultralow.sim.model_geometry`), so that
  ceiling (and its attic-side surface, which must share its construction) is the roof, with an
  inside film on both sides, and the attic's own surfaces (roof, gables, soffits) are left alone; floors are
  floor surfaces with a ``Ground*`` or ``Outdoors`` boundary (``BuildingSurface:Detailed``,
  ``Wall:Detailed``, ``RoofCeiling:Detailed``, ``Floor:Detailed``). In each construction those
  surfaces use, the insulation layer is the layer of highest thermal resistance among its
  ``Material:NoMass`` layers and its ``Material`` layers of conductivity <= 0.1 W/(m K); it gets
  its own copy, resized so that

      U = 1 / (R_si + sum R_layers + R_se)

  hits the target: ``thickness = k * (1/U - R_si - R_se - R_others)`` (``Material``) or
  ``R = 1/U - R_si - R_se - R_others`` (``Material:NoMass``). A construction without such a
  layer gets one of the toolkit's insulation (``data/constructions.toml`` default_insulation of
  the element, properties from ``data/materials.toml``) inside its outermost layer: resizing a
  dense layer instead (e.g. a 9.5 mm roof membrane to 1 m) makes EnergyPlus's conduction
  transfer functions fail (Severe "CTF calculation convergence problem"). The films are the ones EnergyPlus
  adds when it reports U (``data/surface_films.toml``, as :mod:`.constructions` uses): by the
  direction of heat flow, horizontal for walls (R_si 0.120), up for roofs (0.107), down for
  floors (0.162), R_se 0.030 outdoors and 0 on the ground. A construction also used by surfaces
  outside the class (an interzone ceiling, a floor of the other boundary) is duplicated first, so
  only the class's surfaces change. A target that the other layers alone already miss
  (``1/U < R_si + R_se + R_others``) is an InputError naming the construction and the highest
  U it allows (1 / (R_si + R_se + R_others)).
- ``window_u_w_m2k`` (W/(m2 K)), ``window_shgc`` (-), ``window_vt`` (-): whole-window values,
  frame included, as in :mod:`.envelope`. Every exterior window and glass door (on a surface with
  an ``Outdoors`` boundary) gets a construction of one ``WindowMaterial:SimpleGlazingSystem``
  with these values over the whole opening. A value not given keeps the window's current one when
  its construction is a simple glazing system, else it is an InputError (a layered window's
  U/SHGC are not read back here); a missing VT is left blank (EnergyPlus then derives it). A
  ``WindowProperty:FrameAndDivider`` on such a window is detached (and deleted once no window
  uses it): EnergyPlus would add the frame on top of a whole-window U; the notes name them. A
  ``WindowShadingControl`` with its own shaded construction on such a window is an InputError
  (that construction holds the old glazing layers).
- ``n50_ach`` (1/h at 50 Pa): in every zone that is part of the total floor area, every
  ``ZoneInfiltration:*`` object is replaced by one ``ZoneInfiltration:DesignFlowRate`` of
  ``n50 x e`` air changes per hour, always on, constant (e = 0.07, ``data/operation.toml``
  [infiltration], as :func:`.operation.apply_infiltration`). Zones outside the floor area
  (attics, plenums) keep theirs; an infiltration object on a zone or space list mixing both is
  an InputError. The notes name the objects replaced.
- ``hrv_efficiency`` (-): the sensible heat-recovery effectiveness of every
  ``ZoneHVAC:IdealLoadsAirSystem`` (recovery type ``Sensible``, ``None`` at 0; an ``Enthalpy``
  type stays). A model without ideal loads is an InputError: its heat exchangers
  (``HeatExchanger:*``) need field parameters instead.
- ``pv_roof_fraction`` (-) with ``pv_mounting``, ``pv_tilt_deg`` (deg), ``pv_module_efficiency``
  (-): the array of :mod:`.pv` sized on the model's outdoor roof area (the roof surfaces' area as
  drawn, m2) at the latitude of ``Site:Location``, as one ``Generator:PVWatts`` facing the
  equator (azimuth 180 deg north of the equator, 0 south of it) with its inverter and load centre
  (as :func:`.pv.apply_pv` does).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.errors import InputError
from ultralow.templates import catalogues
from ultralow.templates.parameters import Parameter
from ultralow.templates.pv import apply_pv, pv_array

FLOAT, CHOICE = "float", "choice"

PACKAGE_PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    Parameter("wall_u_w_m2k", FLOAT, "W/(m2 K)", None,
              "U-value with films of every exterior wall construction (insulation layer resized)", 0.08, 3.0),
    Parameter("roof_u_w_m2k", FLOAT, "W/(m2 K)", None,
              "U-value with films of every exterior roof construction (insulation layer resized)", 0.08, 3.0),
    Parameter("floor_u_w_m2k", FLOAT, "W/(m2 K)", None,
              "U-value with films of every ground/exposed floor construction (insulation layer resized)",
              0.08, 3.0),
    Parameter("window_u_w_m2k", FLOAT, "W/(m2 K)", None,
              "whole-window U-value of every exterior window (simple glazing over the opening)", 0.5, 6.0),
    Parameter("window_shgc", FLOAT, "-", None, "whole-window SHGC of every exterior window", 0.1, 0.85),
    Parameter("window_vt", FLOAT, "-", None, "visible transmittance of every exterior window", 0.1, 0.9),
    Parameter("n50_ach", FLOAT, "1/h", None,
              "airtightness at 50 Pa; every zone's infiltration becomes n50 x 0.07 air changes per hour",
              0.1, 15.0),
    Parameter("hrv_efficiency", FLOAT, "-", None,
              "sensible heat-recovery effectiveness of every ZoneHVAC:IdealLoadsAirSystem", 0.0, 0.95),
    Parameter("pv_roof_fraction", FLOAT, "-", None,
              "share of the outdoor roof area given to the PV field (templates/pv.py)", 0.0, 0.9),
    Parameter("pv_mounting", CHOICE, "", "tilted_rows", "PV rows tilted (tilted_rows) or flat",
              choices=("tilted_rows", "flat")),
    Parameter("pv_module_efficiency", FLOAT, "-", 0.21, "PV module efficiency at STC", 0.10, 0.25),
    Parameter("pv_tilt_deg", FLOAT, "deg", 30.0, "PV tilt from horizontal, facing the equator", 0.0, 60.0),
)}
PV_SETTINGS = ("pv_mounting", "pv_module_efficiency", "pv_tilt_deg")

OPAQUE_TYPES = {"BUILDINGSURFACE:DETAILED": None, "WALL:DETAILED": "wall", "ROOFCEILING:DETAILED": "roof",
                "FLOOR:DETAILED": "floor"}
WINDOW_TYPES = ("FENESTRATIONSURFACE:DETAILED", "WINDOW", "GLAZEDDOOR")
INFILTRATION_TYPES = ("ZONEINFILTRATION:DESIGNFLOWRATE", "ZONEINFILTRATION:EFFECTIVELEAKAGEAREA",
                      "ZONEINFILTRATION:FLOWCOEFFICIENT")
LAYER_TYPES = ("MATERIAL", "MATERIAL:NOMASS", "MATERIAL:AIRGAP", "MATERIAL:ROOFVEGETATION")
ALWAYS_ON, FRACTION = "ultralow Always On", "ultralow Fraction"
INSULATION_MAX_W_MK = 0.1  # W/(m K): a Material above this is not taken for the insulation layer
_CATALOGUE_ELEMENT = {"wall_u_w_m2k": "wall", "roof_u_w_m2k": "roof", "floor_u_w_m2k": "ground_floor"}
OPAQUE_CLASSES = {"wall_u_w_m2k": "exterior wall", "roof_u_w_m2k": "exterior roof", "floor_u_w_m2k": "floor"}


def resolve_package(values: Mapping[str, Any]) -> dict[str, Any]:
    """The given package values, each checked (InputError naming an unknown name or a value out
    of range, with what is allowed); a None value means "leave the model as it is"; PV settings
    get their defaults when ``pv_roof_fraction`` is given."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None and name in PACKAGE_PARAMETERS:
            continue
        if name not in PACKAGE_PARAMETERS:
            close = difflib.get_close_matches(name, PACKAGE_PARAMETERS, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise InputError(f"model package: no parameter {name!r}{hint}; parameters: "
                             f"{', '.join(PACKAGE_PARAMETERS)}")
        out[name] = PACKAGE_PARAMETERS[name].coerce(value)
    if "pv_roof_fraction" in out:
        for name in PV_SETTINGS:
            out.setdefault(name, PACKAGE_PARAMETERS[name].default)
    elif any(name in out for name in PV_SETTINGS):
        raise InputError(f"model package: {', '.join(n for n in PV_SETTINGS if n in out)} without "
                         f"pv_roof_fraction; give pv_roof_fraction too")
    return out


def apply_package(idf: Any, values: Mapping[str, Any]) -> list[str]:
    """Apply the package ``values`` (names of :data:`PACKAGE_PARAMETERS`) to ``idf`` by the rules
    of the module docstring; returns notes saying what changed. Everything is checked against the
    model before the first change (InputError)."""
    params = resolve_package(values)
    plans = [_opaque_plan(idf, name, params[name]) for name in OPAQUE_CLASSES if name in params]
    window = _window_plan(idf, params) if any(k.startswith("window_") for k in params) else None
    infiltration = _infiltration_plan(idf) if "n50_ach" in params else None
    ideal = _ideal_loads(idf) if "hrv_efficiency" in params else None
    pv = _pv_plan(idf, params) if "pv_roof_fraction" in params else None
    notes: list[str] = []
    for plan in plans:
        notes += plan.apply(idf)
    if window is not None:
        notes += window.apply(idf)
    if infiltration is not None:
        notes += infiltration.apply(idf, params["n50_ach"])
    if ideal is not None:
        notes += _apply_hrv(ideal, params["hrv_efficiency"])
    if pv is not None:
        notes += pv.apply(idf)
    return notes


# --- opaque elements --------------------------------------------------------------------------

def _lower(value: Any) -> str:
    return str(value).strip().lower()


def _surfaces(idf: Any) -> list[tuple[Any, str]]:
    """Every detailed opaque surface with its kind (wall/roof/floor)."""
    out = []
    for obj_type, kind in OPAQUE_TYPES.items():
        for s in idf.idfobjects[obj_type]:
            k = kind or _lower(s.Surface_Type)
            out.append((s, "roof" if k == "ceiling" else k))
    return out


def _cold_attic_ceilings(idf: Any, surfaces: list[tuple[Any, str]]) -> dict[str, tuple[Any, Any]]:
    """Ceilings of floor-area zones under a zone outside the floor area (an attic) whose
    construction is insulated (layers' R >= 1 / :data:`~ultralow.sim.model_geometry.INSULATED_U_W_M2K`,
    as the results reader decides where the envelope runs), with the attic's side, by name."""
    from ultralow.sim.model_geometry import INSULATED_U_W_M2K

    outside = {_lower(z.Name) for z in idf.idfobjects["ZONE"] if _lower(z.Part_of_Total_Floor_Area) == "no"}
    by_name = {_lower(s.Name): s for s, _ in surfaces}
    found: dict[str, tuple[Any, Any]] = {}
    for s, kind in surfaces:
        if kind != "roof" or _lower(s.Outside_Boundary_Condition) != "surface" or _lower(s.Zone_Name) in outside:
            continue
        other = by_name.get(_lower(s.Outside_Boundary_Condition_Object))
        construction = idf.getobject("CONSTRUCTION", s.Construction_Name)
        if other is None or _lower(other.Zone_Name) not in outside or construction is None:
            continue
        layers = [_material(idf, n, s.Construction_Name) for n in _layer_names(construction)]
        if sum(_resistance_m2k_w(m) for m in layers) >= 1.0 / INSULATED_U_W_M2K:
            found[s.Name] = (s, other)
    return found


def _films_m2k_w(kind: str, boundary: str) -> float:
    """R_si + R_se (m2K/W) EnergyPlus adds for a surface of ``kind`` with that outside boundary."""
    films = catalogues.load("surface_films")
    inside = films["ground_floor" if kind == "floor" else kind]["inside_m2k_w"]
    outside = 0.0 if boundary.startswith("ground") else films["wall"]["outside_m2k_w"]
    return inside + outside


def _layer_names(construction: Any) -> list[str]:
    return [v for v in construction.fieldvalues[2:] if str(v).strip()]


def _material(idf: Any, name: str, construction: str) -> Any:
    for obj_type in LAYER_TYPES:
        obj = idf.getobject(obj_type, name)
        if obj is not None:
            return obj
    raise InputError(f"construction {construction!r}: layer {name!r} is not a "
                     f"{', '.join(LAYER_TYPES)} object, so its thermal resistance is unknown here")


def _resistance_m2k_w(material: Any) -> float:
    if material.key.upper() == "MATERIAL":
        return float(material.Thickness) / float(material.Conductivity)
    if material.key.upper() == "MATERIAL:ROOFVEGETATION":
        return float(material.Thickness) / float(material.Conductivity_of_Dry_Soil)
    return float(material.Thermal_Resistance)


@dataclass
class _OpaquePlan:
    """The constructions of one class of surfaces and the change each gets."""

    parameter: str
    u_target: float
    groups: list[tuple[str, float, list[Any], bool]]  # construction, films, surfaces, shared

    def apply(self, idf: Any) -> list[str]:
        notes = []
        for name, films, surfaces, shared in self.groups:
            construction = idf.getobject("CONSTRUCTION", name)
            if shared:
                construction = idf.copyidfobject(construction)
                construction.Name = _unique_name(idf, "CONSTRUCTION", f"{name} {self.parameter}={self.u_target:g}")
                for s in surfaces:
                    s.Construction_Name = construction.Name
            layers = _layer_names(construction)
            mats = [_material(idf, n, name) for n in layers]
            index, other = _insulation_index(mats)
            r_needed = 1.0 / self.u_target - films - other
            suffix = f"{self.parameter}={self.u_target:g}"
            if index < 0:  # no insulation layer: one of the toolkit's is put inside the outermost layer
                material = catalogues.load("constructions")[_CATALOGUE_ELEMENT[self.parameter]]["default_insulation"]
                props = catalogues.entry("materials", material, "insulation material")
                new = idf.newidfobject(
                    "MATERIAL", Name=_unique_name(idf, "MATERIAL", f"{material} {suffix}"), Roughness="MediumRough",
                    Thickness=round(r_needed * props["conductivity_w_mk"], 6),
                    Conductivity=props["conductivity_w_mk"], Density=props["density_kg_m3"],
                    Specific_Heat=props["specific_heat_j_kgk"])
                layers.insert(1, new.Name)
                for field, layer in zip(construction.fieldnames[2:], layers, strict=False):
                    setattr(construction, field, layer)
                change = (f"no insulation layer (no Material:NoMass, no Material <= {INSULATION_MAX_W_MK:g} W/(m K)): "
                          f"inserted {new.Name!r} ({props['description']}, {props['source']}) inside the outermost "
                          f"layer, {float(new.Thickness):.4g} m")
            else:
                old = mats[index]
                new = idf.copyidfobject(old)
                new.Name = _unique_name(idf, old.key.upper(), f"{old.Name} {suffix}")
                if new.key.upper() == "MATERIAL":
                    new.Thickness = round(r_needed * float(new.Conductivity), 6)
                    change = f"thickness {float(old.Thickness):.4g} -> {float(new.Thickness):.4g} m"
                else:
                    new.Thermal_Resistance = round(r_needed, 6)
                    change = f"R {float(old.Thermal_Resistance):.4g} -> {r_needed:.4g} m2K/W"
                setattr(construction, construction.fieldnames[2 + index], new.Name)
                change = f"insulation layer {old.Name!r} -> copy {new.Name!r}, {change}"
            how = f"copied as {construction.Name!r} for these surfaces, " if shared else ""
            notes.append(f"{suffix}: construction {name!r} ({len(surfaces)} surfaces): {how}{change}")
        return notes


def _unique_name(idf: Any, object_type: str, name: str) -> str:
    """``name``, or ``name 2``, ``name 3``, ... when an ``object_type`` of that name exists."""
    candidate, i = name, 1
    while idf.getobject(object_type, candidate) is not None:
        i += 1
        candidate = f"{name} {i}"
    return candidate


def _insulation_index(materials: list[Any]) -> tuple[int, float]:
    """Index of the insulation layer and the R of all the other layers (m2K/W): the insulation
    layer is the layer of highest R among the Material:NoMass layers and the Material layers of
    conductivity <= :data:`INSULATION_MAX_W_MK`; (-1, R of all layers) when there is none."""
    candidates = [(i, _resistance_m2k_w(m)) for i, m in enumerate(materials)
                  if m.key.upper() == "MATERIAL:NOMASS"
                  or (m.key.upper() == "MATERIAL" and float(m.Conductivity) <= INSULATION_MAX_W_MK)]
    total = sum(_resistance_m2k_w(m) for m in materials)
    if not candidates:
        return -1, total
    index, r = max(candidates, key=lambda c: c[1])
    return index, total - r


def _opaque_plan(idf: Any, parameter: str, u_target: float) -> _OpaquePlan:
    """Which constructions the class of ``parameter`` uses and whether each must be copied;
    InputError when the class is empty or a construction cannot reach ``u_target``."""
    kind = parameter.split("_")[0]
    label = OPAQUE_CLASSES[parameter]
    surfaces = _surfaces(idf)
    users: dict[str, list[Any]] = {}
    others = [o for t in ("INTERNALMASS", *WINDOW_TYPES, "DOOR") for o in idf.idfobjects[t]]
    for s in [s for s, _ in surfaces] + others:
        users.setdefault(_lower(s.Construction_Name), []).append(s)
    groups: dict[tuple[str, float], list[Any]] = {}
    attic = _cold_attic_ceilings(idf, surfaces)
    attic_zones = {_lower(other.Zone_Name) for _, other in attic.values()}
    if kind != "roof":
        attic = {}
    for s, k in surfaces:
        boundary = _lower(s.Outside_Boundary_Condition)
        if k != kind or not (boundary == "outdoors" or (kind == "floor" and boundary.startswith("ground"))):
            continue
        if _lower(s.Zone_Name) in attic_zones:  # a cold attic's roof, gables, soffits: outside the envelope
            continue
        groups.setdefault((s.Construction_Name, _films_m2k_w(kind, boundary)), []).append(s)
    inside_films = 2 * catalogues.load("surface_films")["roof"]["inside_m2k_w"]
    for ceiling, other in attic.values():
        if _lower(other.Construction_Name) != _lower(ceiling.Construction_Name):
            raise InputError(f"model package {parameter}: the ceiling {ceiling.Name!r} under the attic "
                             f"{other.Zone_Name!r} and its other side {other.Name!r} use different constructions "
                             f"({ceiling.Construction_Name!r}, {other.Construction_Name!r}); set their insulation "
                             "with field parameters instead")
        groups.setdefault((ceiling.Construction_Name, inside_films), []).extend([ceiling, other])
    if not groups:
        boundaries = "a Ground* or Outdoors" if kind == "floor" else "an Outdoors"
        raise InputError(f"model package {parameter}: the model has no {label} surfaces ({kind} surfaces with "
                         f"{boundaries} boundary in BuildingSurface:Detailed or the other detailed surface "
                         f"objects); set the construction with field parameters instead")
    plan = _OpaquePlan(parameter, u_target, [])
    for (name, films), members in groups.items():
        construction = idf.getobject("CONSTRUCTION", name)
        if construction is None:
            kinds = [idf.getobject(t, name).key for t in idf.idfobjects
                     if t.startswith("CONSTRUCTION") and idf.getobject(t, name) is not None]
            raise InputError(f"model package {parameter}: {label} construction {name!r} is "
                             f"{'a ' + kinds[0] if kinds else 'not defined'}, not a layered Construction; its U "
                             f"cannot be set by resizing a layer; use field parameters on it instead")
        layers = _layer_names(construction)
        index, other = _insulation_index([_material(idf, n, name) for n in layers])
        if index < 0 and len(layers) >= len(construction.fieldnames) - 2:
            raise InputError(f"model package {parameter}: {label} construction {name!r} has no insulation layer "
                             f"and no room for one ({len(layers)} layers)")
        if 1.0 / u_target - films - other <= 0.0:
            without = f"without its insulation layer {layers[index]!r}" if index >= 0 else "without insulation"
            raise InputError(
                f"model package {parameter}={u_target:g}: {label} construction {name!r} cannot reach it: "
                f"{without} its U with films is already {1.0 / (films + other):.3f} W/(m2 K); use a value "
                f"below {1.0 / (films + other):.3f}")
        shared = len(users[_lower(name)]) > len(members)
        plan.groups.append((construction.Name, films, members, shared))
    return plan


# --- windows ----------------------------------------------------------------------------------

@dataclass
class _WindowPlan:
    windows: list[Any]
    glazing: dict[str, tuple[float, float, float | None]]  # old construction -> (U, SHGC, VT)

    def apply(self, idf: Any) -> list[str]:
        notes = []
        new_names = {}
        for i, (old, (u, shgc, vt)) in enumerate(sorted(self.glazing.items()), start=1):
            name = f"ultralow window {i}"
            idf.newidfobject("WINDOWMATERIAL:SIMPLEGLAZINGSYSTEM", Name=f"ultralow glazing {i}", UFactor=u,
                             Solar_Heat_Gain_Coefficient=shgc, Visible_Transmittance="" if vt is None else vt)
            idf.newidfobject("CONSTRUCTION", Name=name, Outside_Layer=f"ultralow glazing {i}")
            new_names[old] = name
            count = sum(1 for w in self.windows if _lower(w.Construction_Name) == old)
            old_name = next(w.Construction_Name for w in self.windows if _lower(w.Construction_Name) == old)
            vt_text = "VT blank (EnergyPlus derives it)" if vt is None else f"VT {vt:g}"
            notes.append(f"windows: {count} exterior windows of construction {old_name!r} -> {name!r}, simple glazing "
                         f"U {u:g} W/(m2 K), SHGC {shgc:g}, {vt_text}")
        frames: dict[str, int] = {}
        for w in self.windows:
            w.Construction_Name = new_names[_lower(w.Construction_Name)]
            frame = str(w.Frame_and_Divider_Name).strip()
            if frame:
                frames[frame] = frames.get(frame, 0) + 1
                w.Frame_and_Divider_Name = ""
        for frame, count in sorted(frames.items()):
            still_used = any(_lower(getattr(w, "Frame_and_Divider_Name", "")) == frame.lower()
                             for t in WINDOW_TYPES for w in idf.idfobjects[t])
            if not still_used:
                idf.removeidfobject(idf.getobject("WINDOWPROPERTY:FRAMEANDDIVIDER", frame))
            notes.append(f"windows: WindowProperty:FrameAndDivider {frame!r} detached from {count} windows"
                         f"{'' if still_used else ' and deleted'}: the window U/SHGC are whole-window values "
                         f"(frame included); EnergyPlus would add the frame on top")
        return notes


def _outdoor_surface_names(idf: Any) -> set[str]:
    return {_lower(s.Name) for s, _ in _surfaces(idf) if _lower(s.Outside_Boundary_Condition) == "outdoors"}


def _window_plan(idf: Any, params: Mapping[str, Any]) -> _WindowPlan:
    outdoor = _outdoor_surface_names(idf)
    windows = [w for t in WINDOW_TYPES for w in idf.idfobjects[t]
               if _lower(w.Building_Surface_Name) in outdoor
               and (t != "FENESTRATIONSURFACE:DETAILED" or _lower(w.Surface_Type) in ("window", "glassdoor"))]
    if not windows:
        raise InputError("model package window_*: the model has no exterior windows (windows or glass doors on "
                         "surfaces with an Outdoors boundary)")
    glazing = {}
    for old in sorted({_lower(w.Construction_Name) for w in windows}):
        u, shgc, vt = params.get("window_u_w_m2k"), params.get("window_shgc"), params.get("window_vt")
        construction = idf.getobject("CONSTRUCTION", old)
        layers = _layer_names(construction) if construction is not None else []
        simple = idf.getobject("WINDOWMATERIAL:SIMPLEGLAZINGSYSTEM", layers[0]) if len(layers) == 1 else None
        if simple is not None:
            u = float(simple.UFactor) if u is None else u
            shgc = float(simple.Solar_Heat_Gain_Coefficient) if shgc is None else shgc
            if vt is None and str(simple.Visible_Transmittance).strip():
                vt = float(simple.Visible_Transmittance)
        elif u is None or shgc is None:
            missing = " and ".join(n for n, v in (("window_u_w_m2k", u), ("window_shgc", shgc)) if v is None)
            raise InputError(f"model package: {missing} needed: window construction {old!r} is not a simple "
                             f"glazing system, so its current value is not known here; give window_u_w_m2k and "
                             f"window_shgc together")
        glazing[old] = (u, shgc, vt)
    names = {_lower(w.Name) for w in windows}
    for control in idf.idfobjects["WINDOWSHADINGCONTROL"]:
        shaded = str(control.Construction_with_Shading_Name).strip()
        covered = [str(v) for f, v in zip(control.fieldnames, control.fieldvalues, strict=False)
                   if f.startswith("Fenestration_Surface_") and _lower(v) in names]
        if shaded and covered:
            raise InputError(f"model package window_*: WindowShadingControl {control.Name!r} gives windows "
                             f"{', '.join(covered[:3])} the shaded construction {shaded!r}, which holds the old "
                             f"glazing; replace it (Shading Device Material Name instead) or set the windows with "
                             f"field parameters")
    return _WindowPlan(windows, glazing)


# --- infiltration -----------------------------------------------------------------------------

def _zones_of(idf: Any, name: str) -> set[str]:
    """Zones (lower-case names) a zone/zone list/space/space list name stands for."""
    key = _lower(name)
    if idf.getobject("ZONE", key) is not None:
        return {key}
    space_list = idf.getobject("SPACELIST", key)
    zone_list = idf.getobject("ZONELIST", key)
    members = list(zone_list.fieldvalues[2:]) if zone_list is not None else []
    if space_list is not None:
        members = [idf.getobject("SPACE", s).Zone_Name for s in space_list.fieldvalues[2:] if str(s).strip()]
    space = idf.getobject("SPACE", key)
    if space is not None:
        members = [space.Zone_Name]
    return {_lower(m) for m in members if str(m).strip()}


@dataclass
class _InfiltrationPlan:
    zones: list[str]
    replaced: list[Any]

    def apply(self, idf: Any, n50_ach: float) -> list[str]:
        e = catalogues.load("operation")["infiltration"]["shielding_coefficient_e"]
        names = [f"{o.key} {o.Name!r}" for o in self.replaced]
        for obj in self.replaced:
            idf.removeidfobject(obj)
        if idf.getobject("SCHEDULE:CONSTANT", ALWAYS_ON) is None:
            if idf.getobject("SCHEDULETYPELIMITS", FRACTION) is None:
                idf.newidfobject("SCHEDULETYPELIMITS", Name=FRACTION, Lower_Limit_Value=0, Upper_Limit_Value=1,
                                 Numeric_Type="Continuous")
            idf.newidfobject("SCHEDULE:CONSTANT", Name=ALWAYS_ON, Schedule_Type_Limits_Name=FRACTION, Hourly_Value=1)
        for zone in self.zones:
            idf.newidfobject(
                "ZONEINFILTRATION:DESIGNFLOWRATE", Name=f"{zone} Infiltration n50",
                Zone_or_ZoneList_or_Space_or_SpaceList_Name=zone, Schedule_Name=ALWAYS_ON,
                Design_Flow_Rate_Calculation_Method="AirChanges/Hour", Air_Changes_per_Hour=round(n50_ach * e, 5),
                Constant_Term_Coefficient=1, Temperature_Term_Coefficient=0, Velocity_Term_Coefficient=0,
                Velocity_Squared_Term_Coefficient=0)
        return [f"n50_ach={n50_ach:g}: {len(self.zones)} zones get constant infiltration n50 x {e:g} = "
                f"{n50_ach * e:.4g} 1/h; replaced {len(names)} objects: {', '.join(names) or 'none'}"]


def _infiltration_plan(idf: Any) -> _InfiltrationPlan:
    zones = [z.Name for z in idf.idfobjects["ZONE"] if _lower(z.Part_of_Total_Floor_Area) != "no"]
    if not zones:
        raise InputError("model package n50_ach: the model has no zone that is part of the total floor area")
    targets = {_lower(z) for z in zones}
    replaced = []
    for obj_type in INFILTRATION_TYPES:
        for obj in idf.idfobjects[obj_type]:
            served = _zones_of(idf, obj.fieldvalues[2])
            if served and served <= targets:
                replaced.append(obj)
            elif served & targets:
                raise InputError(f"model package n50_ach: {obj.key} {obj.Name!r} serves {obj.fieldvalues[2]!r}, "
                                 f"which mixes zones inside the floor area with zones outside it "
                                 f"({', '.join(sorted(served - targets))}); split it per zone first")
    return _InfiltrationPlan(zones, replaced)


# --- heat recovery ----------------------------------------------------------------------------

def _ideal_loads(idf: Any) -> list[Any]:
    systems = list(idf.idfobjects["ZONEHVAC:IDEALLOADSAIRSYSTEM"])
    if not systems:
        exchangers = sorted({o.key for t in idf.idfobjects if t.startswith("HEATEXCHANGER:")
                             for o in idf.idfobjects[t]})
        found = f" (the model has {', '.join(exchangers)})" if exchangers else " (the model has none)"
        raise InputError("model package hrv_efficiency: the model has no ZoneHVAC:IdealLoadsAirSystem; with real "
                         f"HVAC, heat recovery is a HeatExchanger:* object{found}: set its effectiveness fields "
                         "with field parameters instead")
    return systems


def _apply_hrv(systems: list[Any], effectiveness: float) -> list[str]:
    no_air = []
    for s in systems:
        if effectiveness <= 0:
            s.Heat_Recovery_Type = "None"
        elif _lower(s.Heat_Recovery_Type) != "enthalpy":
            s.Heat_Recovery_Type = "Sensible"
        s.Sensible_Heat_Recovery_Effectiveness = effectiveness
        if not str(s.Design_Specification_Outdoor_Air_Object_Name).strip():
            no_air.append(s.Name)
    note = f"hrv_efficiency={effectiveness:g}: sensible effectiveness of {len(systems)} ideal-loads systems"
    if no_air:
        note += (f"; {len(no_air)} of them ({', '.join(no_air[:3])}) have no outdoor air, so recovery has "
                 f"nothing to act on")
    return [note]


# --- PV ---------------------------------------------------------------------------------------

def _polygon_area_m2(surface: Any) -> float:
    """Area of a planar polygon from its vertices (Newell's method), m2."""
    pts = [tuple(float(c) for c in v) for v in surface.coords]
    n = len(pts)
    cx = sum(pts[i][1] * pts[(i + 1) % n][2] - pts[i][2] * pts[(i + 1) % n][1] for i in range(n))
    cy = sum(pts[i][2] * pts[(i + 1) % n][0] - pts[i][0] * pts[(i + 1) % n][2] for i in range(n))
    cz = sum(pts[i][0] * pts[(i + 1) % n][1] - pts[i][1] * pts[(i + 1) % n][0] for i in range(n))
    return 0.5 * math.sqrt(cx * cx + cy * cy + cz * cz)


@dataclass
class _PvPlan:
    params: dict[str, Any]
    roof_area_m2: float
    latitude_deg: float

    def apply(self, idf: Any) -> list[str]:
        array = pv_array(self.params, self.roof_area_m2, self.latitude_deg)
        apply_pv(idf, array, self.params)
        return [f"pv_roof_fraction={self.params['pv_roof_fraction']:g}: outdoor roof {self.roof_area_m2:.1f} m2 at "
                f"latitude {self.latitude_deg:g} deg -> {array.module_area_m2:.1f} m2 of modules, "
                f"{array.capacity_kw:.2f} kWp (tilt {array.tilt_deg:g} deg, GCR {array.ground_coverage_ratio:.3f}, "
                f"facing azimuth {(180 + self.params['orientation_deg']) % 360:g} deg)"]


def _pv_plan(idf: Any, params: Mapping[str, Any]) -> _PvPlan:
    sites = idf.idfobjects["SITE:LOCATION"]
    if not sites:
        raise InputError("model package pv_roof_fraction: the model has no Site:Location, so the latitude the "
                         "row spacing needs is unknown; add one")
    if idf.getobject("GENERATOR:PVWATTS", "Rooftop PV") is not None:
        raise InputError("model package pv_roof_fraction: the model already has a Generator:PVWatts "
                         "'Rooftop PV' (a package applied twice?)")
    roofs = [s for s, k in _surfaces(idf) if k == "roof" and _lower(s.Outside_Boundary_Condition) == "outdoors"]
    if not roofs:
        raise InputError("model package pv_roof_fraction: the model has no roof surfaces with an Outdoors boundary")
    latitude = float(sites[0].Latitude)
    # the array faces the equator: apply_pv's azimuth is 180 + orientation_deg
    pv_params = {**params, "orientation_deg": 0.0 if latitude >= 0 else 180.0}
    return _PvPlan(pv_params, sum(_polygon_area_m2(s) for s in roofs), latitude)
