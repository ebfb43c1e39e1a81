"""The :class:`Template` type and the design parameters every template shares.

Every template takes the same "package" parameters (envelope, windows, airtightness,
ventilation heat recovery, heat pump, domestic hot water, PV) plus its own geometry parameters. Names carry units.
An envelope element is set either by target U-value (``wall_u_w_m2k``) or by insulation
material and thickness (``wall_insulation`` + ``wall_insulation_mm``); with neither, the
template's default U-value applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.templates import catalogues
from ultralow.templates.envelope import DEFAULT_SOLAR_ABSORPTANCE, window_retrofit_ids
from ultralow.templates.parameters import Parameter, resolve_parameters
from ultralow.templates.profiles import EVERYDAY, profile_ids

FLOAT, INT, CHOICE = "float", "int", "choice"


GEOMETRY_MEANINGS = {
    "length_m": ("m", "length of the south (main) facade"),
    "depth_m": ("m", "depth of the block (east/west facade length)"),
    "storeys": ("", "number of storeys above ground"),
    "floor_height_m": ("m", "storey height floor to floor"),
    "wwr_south": ("-", "window-to-wall ratio of the south facade"),
    "wwr_north": ("-", "window-to-wall ratio of the north facade"),
    "wwr_east": ("-", "window-to-wall ratio of the east facade"),
    "wwr_west": ("-", "window-to-wall ratio of the west facade"),
}


def geometry_parameters(ranges: Mapping[str, tuple[float, float, float]]) -> list[Parameter]:
    """Block geometry parameters from ``{name: (default, minimum, maximum)}``."""
    return [
        Parameter(name, INT if name == "storeys" else FLOAT, GEOMETRY_MEANINGS[name][0], default,
                  GEOMETRY_MEANINGS[name][1], minimum, maximum)
        for name, (default, minimum, maximum) in ranges.items()
    ]


def _window_retrofit_summary() -> str:
    """``id (dR, f_g, f_v)`` of every window retrofit measure, for the parameter's description."""
    measures = catalogues.load("retrofit_measures")["window_retrofit"]
    return ", ".join(f"{k} (dR {m['added_resistance_m2k_w']:g} m2K/W, f_g {m['shgc_multiplier']:g}, "
                     f"f_v {m['vt_multiplier']:g})" for k, m in measures.items())


def package_parameters(defaults: Mapping[str, Any], use: str) -> list[Parameter]:
    """The design-package parameters, with template-specific defaults (``use``: residential/public)."""
    from ultralow.templates.standards.vintages import vintage_ids

    operation = catalogues.load("operation")
    ins = catalogues.insulation_ids()
    hps = catalogues.heat_pump_ids()
    out: list[Parameter] = []
    for prefix, label in (("wall", "external walls"), ("roof", "roof"), ("floor", "ground floor")):
        out += [
            Parameter(f"{prefix}_u_w_m2k", FLOAT, "W/(m2 K)", None,
                      f"U-value of the {label} including surface films, as EnergyPlus reports it "
                      f"(default {defaults[f'{prefix}_u_w_m2k']:g} when no insulation thickness is given)",
                      0.08, 3.0, optional=True),
            Parameter(f"{prefix}_insulation", CHOICE, "", defaults[f"{prefix}_insulation"],
                      f"insulation material of the {label}", choices=ins),
            Parameter(f"{prefix}_insulation_mm", FLOAT, "mm", None,
                      f"insulation thickness of the {label} (instead of a U-value)", 0.0, 500.0,
                      optional=True),
        ]
    out += [
        Parameter("window_u_w_m2k", FLOAT, "W/(m2 K)", defaults["window_u_w_m2k"],
                  "whole-window U-value (glazing, frame and spacer), applied over the whole opening", 0.5, 6.0),
        Parameter("window_shgc", FLOAT, "-", defaults["window_shgc"],
                  "whole-window solar heat gain coefficient (frame included), no shade", 0.1, 0.85),
        Parameter("window_vt", FLOAT, "-", defaults["window_vt"],
                  "window visible transmittance", 0.1, 0.9),
        Parameter("south_overhang_depth_ratio", FLOAT, "-", 0.0,
                  "fixed overhang over each south window, depth as a fraction of the window height "
                  "(0 = none; placed 0.1 m above the window, 0.2 m wider each side)", 0.0, 1.5),
        Parameter("window_retrofit", CHOICE, "", "none",
                  "measure added to the windows window_u_w_m2k/window_shgc/window_vt describe (a vintage's unless "
                  f"set): {_window_retrofit_summary()}; U' = 1/(1/U + dR), SHGC' = SHGC x f_g, VT' = VT x f_v "
                  "(templates/data/retrofit_measures.toml)", choices=window_retrofit_ids()),
        Parameter("side_fin_depth_ratio", FLOAT, "-", 0.0,
                  "vertical fins on both sides of every window module (strip windows cut into equal modules <= "
                  f"{catalogues.load('retrofit_measures')['side_fins']['max_module_width_m']:g} m wide) of the south, "
                  "east and west windows, storey-high: fin depth / module width, the projection factor PF of "
                  "GB 50189 (0 = none; templates/data/retrofit_measures.toml [side_fins])", 0.0, 1.5),
        Parameter("roof_solar_absorptance", FLOAT, "-", None,
                  "solar (and visible) absorptance of the roof's outer surface; a cool (white) roof ~0.3 "
                  f"(default: {DEFAULT_SOLAR_ABSORPTANCE:g}, every opaque layer's)", 0.1, 0.95, optional=True),
        Parameter("lighting_w_m2", FLOAT, "W/m2", None,
                  "installed lighting power per m2 of conditioned floor area, on the calculation profile's "
                  "lighting schedule (default: the profile's lighting_w_m2)", 1.0, 25.0, optional=True),
        Parameter("external_shading", CHOICE, "", "none",
                  "movable external shading on south/east/west windows: none, seasonal (down all through the "
                  "shading season), solar (down in the shading season above a solar setpoint); "
                  "templates/data/operation.toml [external_shading]", choices=("none", "seasonal", "solar")),
        Parameter("external_shade_solar_transmittance", FLOAT, "-", 0.10,
                  "solar transmittance of the external shade when lowered", 0.0, 0.6),
        Parameter("psi_window_installation_w_mk", FLOAT, "W/(m K)", defaults["psi_window_installation_w_mk"],
                  "linear thermal bridge of the window installation joint, per m of window perimeter "
                  "(ISO 14683 window-wall junctions; passive-house detailing <= 0.01)", 0.0, 0.5),
        Parameter("psi_balcony_w_mk", FLOAT, "W/(m K)", defaults["psi_balcony_w_mk"],
                  "linear thermal bridge of a balcony slab through the insulation, per m of balcony "
                  "(ISO 14683 B1 cantilevered slab ~0.95; thermally broken connectors ~0.1-0.2)", 0.0, 1.5),
        Parameter("balcony_length_ratio", FLOAT, "-", defaults["balcony_length_ratio"],
                  "balcony slab length on every storey as a fraction of the south facade length", 0.0, 2.0),
        Parameter("n50_ach", FLOAT, "1/h", defaults["n50_ach"],
                  "airtightness: air changes at 50 Pa; infiltration = n50 x 0.07", 0.1, 15.0),
        Parameter("hrv_efficiency", FLOAT, "-", defaults["hrv_efficiency"],
                  "sensible heat-recovery effectiveness of the ventilation unit (0 = none)", 0.0, 0.95),
        Parameter("hrv_latent_efficiency", FLOAT, "-", 0.0,
                  "latent (moisture) effectiveness of an enthalpy-recovery ventilator; 0 = sensible-only unit "
                  "(GB/T 51350 asks enthalpy units for >= 0.70 enthalpy efficiency)", 0.0, 0.9),
        Parameter("heat_pump", CHOICE, "", defaults["heat_pump"],
                  "air-source heat pump model for heating and cooling (catalogue id), or 'existing': a "
                  "retrofit keeps the existing building's heating and cooling systems", choices=(*hps, "existing")),
        *hot_water_parameters(use),
        Parameter("pv_roof_fraction", FLOAT, "-", defaults.get("pv_roof_fraction", 0.0),
                  "share of the roof given to the PV field (rows and the gaps between them); module area = "
                  "roof area x this x ground-coverage ratio of the rows (templates/pv.py)", 0.0, 0.9),
        Parameter("pv_mounting", CHOICE, "", "tilted_rows",
                  "tilted_rows (spaced for no row shading at winter-solstice noon) or flat (tilt 0, full cover)",
                  choices=("tilted_rows", "flat")),
        Parameter("pv_module_efficiency", FLOAT, "-", 0.21, "PV module efficiency at STC", 0.10, 0.25),
        Parameter("pv_tilt_deg", FLOAT, "deg", 30.0, "PV tilt from horizontal, facing the south facade",
                  0.0, 60.0),
        Parameter("hrv_frost_threshold_c", FLOAT, "degC", operation["frost_protection"]["threshold_c"],
                  "heat-recovery frost protection: outdoor air is preheated to this temperature before the "
                  "exchanger (counted in the heating demand)", -40.0, 5.0),
        Parameter("calculation_profile", CHOICE, "", EVERYDAY,
                  "operating conditions of the calculation (templates/data/calculation_profiles.toml): "
                  "everyday = the template's everyday operation; ultralow check and the optimiser's "
                  "standards constraints set the target's profile themselves",
                  choices=(EVERYDAY, *profile_ids(use))),
        Parameter("usable_floor_area_ratio", FLOAT, "-", operation["usable_floor_area"][use],
                  "usable floor area (套内使用面积) over the conditioned (gross) floor area; per-m2 GB/T 51350 "
                  "residential indicators use the usable area (default: assumption, operation.toml)", 0.5, 1.0),
        Parameter("heating_setpoint_c", FLOAT, "degC", None,
                  "heating setpoint (default: the calculation profile's)", 10.0, 24.0, optional=True),
        Parameter("cooling_setpoint_c", FLOAT, "degC", None,
                  "cooling setpoint (default: the calculation profile's)", 22.0, 30.0, optional=True),
        Parameter("fidelity", CHOICE, "", "fast",
                  "fast: identical middle storeys simulated once with a zone multiplier, only the reports "
                  "the toolkit reads (benchmarks/fidelity_accuracy.py measures it against full); full: every "
                  "storey and zone, every report", choices=("fast", "full")),
        Parameter("timesteps_per_hour", INT, "1/h", 2,
                  "EnergyPlus zone timesteps per hour; with ideal loads, annual heating/cooling "
                  "demand at 2/h is within 0.1 % of 4/h (measured, residential, Chicago TMY3)",
                  1, 60),
        Parameter("vintage", CHOICE, "", "new",
                  "existing building to retrofit (templates/standards/data/vintages.toml): its envelope "
                  "U-values, windows and n50 are the starting point and insulation is added outside",
                  choices=("new", *vintage_ids(use))),
        Parameter("orientation_deg", FLOAT, "deg", 0.0,
                  "rotation of the building clockwise from south-facing main facade", 0.0, 359.0),
        *existing_parameters(),
    ]
    return out


def hot_water_parameters(use: str) -> list[Parameter]:
    """``hot_water_system`` and ``hot_water_l_per_person_day``: domestic hot water
    (:mod:`ultralow.sim.hot_water`, data ``templates/data/hot_water.toml``); the default "none"
    leaves hot water out of the model, as before it existed."""
    from ultralow.sim.hot_water import EXISTING, NONE, hot_water_use, system_ids, water_heater

    systems = ", ".join(f"{sid} ({water_heater(sid).label})" for sid in system_ids())
    quota = hot_water_use(use)
    return [
        Parameter("hot_water_system", CHOICE, "", NONE,
                  f"domestic hot water: {NONE} (not modelled), a new water heater of templates/data/hot_water.toml "
                  f"[{systems}], or {EXISTING} (a retrofit keeps its vintage's water heater, existing_hot_water); "
                  "persons = conditioned area / the calculation profile's floor_area_per_person_m2",
                  choices=(NONE, *system_ids(), EXISTING)),
        Parameter("hot_water_l_per_person_day", FLOAT, "L/(person d)", None,
                  f"hot water drawn per person and day at {quota.supply_temp_c:g} degC (default: "
                  f"{quota.l_per_person_day:g} for {use} buildings, templates/data/hot_water.toml)", 0.5, 300.0,
                  optional=True),
    ]


def existing_parameters() -> list[Parameter]:
    """``existing_*``: the surveyed existing building of a retrofit, overriding its vintage's
    values (None = the vintage's; :meth:`ultralow.templates.standards.vintages.Vintage.with_overrides`)."""
    from ultralow.templates.standards.vintages import (
        EXISTING_HOT_WATER_OVERRIDE,
        EXISTING_OVERRIDES,
        EXISTING_SYSTEM_OVERRIDES,
        cooling_system_ids,
        heating_system_ids,
        hot_water_system_ids,
    )

    out = [Parameter(name, FLOAT, unit, None, f"existing building (retrofit): {meaning} (default: the vintage's)",
                     low, high, optional=True)
           for name, (unit, meaning, low, high) in EXISTING_OVERRIDES.items()]
    for name, meaning in EXISTING_SYSTEM_OVERRIDES.items():
        ids = heating_system_ids() if name == "existing_heating" else cooling_system_ids()
        out.append(Parameter(name, CHOICE, "", None, f"existing building (retrofit): {meaning} "
                             "(templates/standards/data/vintages.toml presets; default: the vintage's)",
                             choices=ids, optional=True))
    for name, meaning in EXISTING_HOT_WATER_OVERRIDE.items():
        out.append(Parameter(name, CHOICE, "", None, f"existing building (retrofit): {meaning} (templates/standards/"
                             "data/vintages.toml presets; default: the vintage's)", choices=hot_water_system_ids(),
                             optional=True))
    return out


@dataclass(frozen=True)
class Template:
    """A parametric building archetype.

    ``build(params, weather, monthly_outdoor_c)`` returns a
    :class:`ultralow.templates.building.BuiltModel` for resolved parameters.
    """

    name: str
    building_use: str  # "residential" or "public"
    description: str
    parameters: dict[str, Parameter]
    default_u_w_m2k: dict[str, float]
    builder: Callable[..., Any]

    def resolve(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Check ``values`` against the parameters and fill in defaults.

        ``_explicit`` records which names the caller set (a vintage fills only the others); an
        already-resolved dict keeps its own record.
        """
        values = dict(values or {})
        explicit = set(values.pop("_explicit")) if "_explicit" in values else set(values)
        resolved = resolve_parameters(self.name, self.parameters, values)
        resolved["_explicit"] = tuple(sorted(explicit))
        return resolved

    def build(self, params: Mapping[str, Any], weather: Any, monthly_outdoor_c: list[float]) -> Any:
        resolved = dict(params)
        for prefix, u in self.default_u_w_m2k.items():
            resolved[f"_default_{prefix}_u_w_m2k"] = u
        model = self.builder(resolved, weather, monthly_outdoor_c)
        model.template = self.name  # a builder shared by several templates reports the one built
        return model

    def describe(self) -> list[dict[str, Any]]:
        """Rows (name, unit, default, range, meaning) for ``ultralow templates show``."""
        rows = []
        for p in self.parameters.values():
            allowed = ", ".join(p.choices) if p.kind == "choice" else f"{p.minimum:g} .. {p.maximum:g}"
            rows.append({"name": p.name, "unit": p.unit, "default": p.default, "allowed": allowed,
                         "meaning": p.description})
        return rows
