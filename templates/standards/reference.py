"""Reference buildings: the design's geometry and use with a standard's envelope limits.

The reference building keeps every design parameter (geometry, orientation, operation, ground
floor) except:
- wall and roof U-values = the standard's limits for the zone, storeys and shape coefficient;
- window U (and SHGC where the standard limits it) = the limits for the design's WWR band;
- window-to-wall ratios capped at the standard's maxima (where it has them);
- no ventilation heat recovery, no PV, airtightness n50 = ``reference_n50`` (gb55015 data file);
- no design-only measures: no overhangs, fins, movable shading, window films, cool roof or
  lighting retrofit (the profile's lighting power), no thermal-bridge allowance (the
  standards' wall limits are average U-values with the bridges already in them).
The calculation profile (``calculation_profile``) is the design's: both share one by construction.
Its energy is then computed from its simulated heating/cooling demand with the standard's
reference system efficiencies (see :func:`ultralow.templates.standards.saving.reference_energy`).
The ground floor keeps the design's construction: the northern standards limit the perimeter
insulation resistance of slabs on grade, which the templates do not model separately.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.standards.limits import EnvelopeLimits, envelope_limits
from ultralow.templates.standards.loader import load_standard

WWR_PARAMS = {"north": ("wwr_north",), "east_west": ("wwr_east", "wwr_west"), "south": ("wwr_south",)}
_ALL_WWR = ("wwr_south", "wwr_north", "wwr_east", "wwr_west")
# measures only a design has: the reference and the existing building never inherit them
NO_DESIGN_MEASURES = {"hrv_efficiency": 0.0, "pv_roof_fraction": 0.0, "south_overhang_depth_ratio": 0.0,
                      "external_shading": "none", "side_fin_depth_ratio": 0.0, "window_retrofit": "none",
                      "roof_solar_absorptance": None, "lighting_w_m2": None}


def design_wwr(params: Mapping[str, Any]) -> float:
    """The largest facade window-to-wall ratio (-): picks the (conservative) window band."""
    values = [float(params[k]) for k in _ALL_WWR if params.get(k) is not None]
    return max(values) if values else 0.30


def limits_for(standard: str, zone: str, use: str, params: Mapping[str, Any],
               shape_coefficient_1_m: float, thermal_inertia_d: float | None = None) -> EnvelopeLimits:
    """Envelope limits of ``standard`` for a design with resolved ``params``."""
    storeys = int(params.get("storeys", 1))
    return envelope_limits(standard, zone, use, storeys, shape_coefficient_1_m,
                           design_wwr(params), thermal_inertia_d)


def _clip(spec: Any, value: float) -> float:
    lo = getattr(spec, "minimum", None)
    hi = getattr(spec, "maximum", None)
    if lo is not None:
        value = max(value, lo)
    if hi is not None:
        value = min(value, hi)
    return value


def reference_parameters(design_params: Mapping[str, Any], limits: EnvelopeLimits,
                         parameter_specs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Template parameters of the reference building (see the module docstring).

    ``parameter_specs`` (the template's ``parameters``) clips values to allowed ranges.
    """
    if limits.wall_u_w_m2k is None or limits.roof_u_w_m2k is None or limits.window_u_w_m2k is None:
        raise InputError(f"{limits.standard} has no wall/roof/window limits for {limits.use} "
                         f"buildings in {limits.zone}")
    specs = parameter_specs or {}
    params = {k: v for k, v in design_params.items() if not k.startswith("_")}
    settings: dict[str, Any] = {
        "wall_u_w_m2k": limits.wall_u_w_m2k,
        "roof_u_w_m2k": limits.roof_u_w_m2k,
        "window_u_w_m2k": limits.window_u_w_m2k,
        **NO_DESIGN_MEASURES,
        "n50_ach": load_standard("gb55015_2021").value("reference_n50").value,
        "vintage": "new",  # the reference is a new building, also when the design is a retrofit
        "psi_window_installation_w_mk": 0.0,
        "psi_balcony_w_mk": 0.0,
    }
    if limits.window_shgc is not None:
        settings["window_shgc"] = limits.window_shgc
    for prefix in ("wall", "roof"):
        settings[f"{prefix}_insulation_mm"] = None  # the U-value governs
    for orientation, names in WWR_PARAMS.items():
        cap = limits.wwr_max.get(orientation)
        for name in names:
            if cap is not None and params.get(name) is not None and float(params[name]) > cap:
                settings[name] = cap
    for name, value in settings.items():
        if name in specs or not specs:
            params[name] = _clip(specs.get(name), value) if value is not None else None
    return params
