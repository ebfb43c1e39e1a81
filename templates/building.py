"""Assemble a complete EnergyPlus model (eppy IDF) from a template's resolved parameters.

One straight line of appliers, each a module of its own concern:

    geometry (templates/geometry.py)            block, zones, windows
    apply_envelope (templates/envelope.py)      constructions, thermal bridges, windows, shading
    ground temperatures (templates/ground.py)   ISO 13370 slab-on-ground
    apply_schedules / apply_internal_gains / apply_infiltration / apply_fan_heat /
    apply_natural_ventilation (templates/operation.py)    the calculation profile
    apply_ideal_loads (templates/hvac.py)       thermostat, humidistat, ideal loads, heat recovery
    apply_pv (templates/pv.py)                  rooftop array sized to fit the roof
    request_outputs (templates/outputs.py)      what sim/results.py reads
    hot_water_setup                             domestic hot water (computed by sim/hot_water.py
                                                after the run, not part of the EnergyPlus model)

The operating conditions come from the calculation profile named by the ``calculation_profile``
parameter (:mod:`ultralow.templates.profiles`): ``everyday`` for the template's everyday
operation, or the profile of a compliance calculation, which a design and its reference share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

from ultralow.errors import InputError
from ultralow.templates import catalogues
from ultralow.templates.constructions import OpaqueConstruction
from ultralow.templates.envelope import ThermalBridges, apply_envelope
from ultralow.templates.geometry import BlockGeometry, eppy_idf_class, geometry_idf_text
from ultralow.templates.ground import ground_temperatures_c
from ultralow.templates.hvac import apply_ideal_loads
from ultralow.templates.operation import (
    apply_fan_heat,
    apply_infiltration,
    apply_internal_gains,
    apply_natural_ventilation,
    apply_schedules,
)
from ultralow.templates.outputs import request_outputs
from ultralow.templates.profiles import CalculationProfile, primary_zone, resolve_profile
from ultralow.templates.pv import PvArray, apply_pv, pv_array

SHADING_OBJECTS = ("SHADING:OVERHANG", "SHADING:OVERHANG:PROJECTION", "SHADING:FIN", "SHADING:FIN:PROJECTION",
                   "SHADING:BUILDING:DETAILED", "SHADING:SITE:DETAILED", "SHADING:ZONE:DETAILED")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass
class BuiltModel:
    """A model ready to simulate, plus what the results step needs to know about it."""

    idf: Any  # geomeppy/eppy IDF
    template: str
    parameters: dict[str, Any]
    climate_zone: str
    # what the toolkit built; None for a model file (ultralow.sim.file_model), whose own objects
    # decide geometry, constructions, operation and systems
    geometry: BlockGeometry | None = None
    constructions: dict[str, OpaqueConstruction] = field(default_factory=dict)
    profile: CalculationProfile | None = None
    heat_pump: str | None = None
    pv: PvArray | None = None
    fan_specific_power_w_m3h: float | None = None
    thermal_bridges: ThermalBridges | None = None
    clear_wall_u_w_m2k: float | None = None
    fan_heat_w_m2: float | None = None
    insulation_mm: dict[str, float] = field(default_factory=dict)  # added insulation by surface, mm
    existing: Any = None  # the retrofit's existing building (Vintage, overrides applied), None for new build
    notes: list[str] = field(default_factory=list)
    hot_water: Any = None  # domestic hot water (ultralow.sim.hot_water.HotWaterSetup), None when not modelled
    monthly_outdoor_c: tuple[float, ...] = ()  # the weather file's monthly mean dry-bulb, degC (mains water)
    source_path: str | None = None  # a model file: the user's path (ultralow.sim.file_model)
    source_sha256: str | None = None

    @property
    def from_file(self) -> bool:
        """True for a model file the user brought."""
        return self.source_path is not None

    @property
    def pv_capacity_kw(self) -> float | None:
        return self.pv.capacity_kw if self.pv is not None else None

    @property
    def usable_floor_area_ratio(self) -> float | None:
        ratio = self.parameters.get("usable_floor_area_ratio")
        return float(ratio) if ratio is not None else None

    def idf_text(self) -> str:
        return self.idf.idfstr()


def existing_building(params: dict[str, Any], use: str, climate_zone: str) -> Any:
    """The existing building a retrofit starts from (the ``vintage`` parameter, with the user's
    ``existing_*`` overrides), or None for new build.

    Window U, SHGC, n50, lighting power density and roof solar absorptance not set by the user
    take the existing building's values (in place): a retrofit keeps its windows, airtightness,
    lighting and roof finish unless the design changes them.
    ``heat_pump = "existing"`` (keep the existing heating and cooling systems) and
    ``hot_water_system = "existing"`` (keep the existing water heater) need a vintage.
    """
    vintage = params.get("vintage", "new")
    if vintage == "new":
        if params.get("heat_pump") == "existing":
            raise InputError("heat_pump = 'existing' keeps an existing building's systems: it needs "
                             "a vintage (the 'vintage' parameter), not 'new'")
        if params.get("hot_water_system") == "existing":
            raise InputError("parameter hot_water_system = 'existing' keeps an existing building's water heater: "
                             "it needs a vintage (the 'vintage' parameter), not 'new'; or choose a new water heater")
        return None
    from ultralow.templates.standards.vintages import get_vintage

    existing = get_vintage(vintage, climate_zone, "residential" if use == "residential" else "public")
    existing = existing.with_overrides(params)
    for key in ("window_u_w_m2k", "window_shgc", "n50_ach"):
        if key not in params.get("_explicit", ()):
            params[key] = existing.values[key]
    for key in ("lighting_w_m2", "roof_solar_absorptance"):  # the existing lighting and roof finish
        if params.get(key) is None and key in existing.values:
            params[key] = existing.values[key]
    return existing


def hot_water_setup(params: Mapping[str, Any], use: str, existing: Any) -> Any:
    """The model's domestic hot water (:class:`ultralow.sim.hot_water.HotWaterSetup`) from the
    ``hot_water_system`` and ``hot_water_l_per_person_day`` parameters, or None for "none" (not
    modelled). ``use``: residential or public; ``existing``: the retrofit's existing building
    (its water heater for ``"existing"``). InputError names the parameter."""
    from ultralow.sim.hot_water import EXISTING, NONE, HotWaterSetup, hot_water_use, water_heater

    system = params.get("hot_water_system") or NONE
    if system == NONE:
        return None
    quota = hot_water_use(use, params.get("hot_water_l_per_person_day"))
    if system != EXISTING:
        return HotWaterSetup(quota, water_heater(system), system)
    if existing is None:
        raise InputError("parameter hot_water_system = 'existing' keeps an existing building's water heater: "
                         "it needs a vintage (the 'vintage' parameter), not 'new'")
    if existing.hot_water is None:
        from ultralow.templates.standards.vintages import hot_water_system_ids

        raise InputError(f"parameter hot_water_system = 'existing': vintage {existing.id!r} has no water heater; "
                         f"set existing_hot_water to one of {', '.join(hot_water_system_ids())}")
    return HotWaterSetup(quota, existing.hot_water, f"existing ({existing.id}): {existing.hot_water.id}")


def _ground_floor_resistance_m2k_w(construction: OpaqueConstruction) -> float:
    return sum(layer.resistance_m2k_w for layer in construction.layers)


def build_model(
    template: str,
    use: str,
    params: Mapping[str, Any],
    geometry: BlockGeometry,
    weather: Any,
    monthly_outdoor_c: list[float],
) -> BuiltModel:
    """Build the full model for resolved ``params`` of ``template`` (``use``: residential or
    office). ``weather`` is a :class:`ultralow.weather.WeatherSource` (zone and latitude);
    ``monthly_outdoor_c`` are the weather file's monthly mean dry-bulb temperatures, degC."""
    building_use = "residential" if use == "residential" else "public"
    profile = resolve_profile(params.get("calculation_profile"), building_use, weather.climate_zone)
    params = dict(params)
    existing = existing_building(params, use, weather.climate_zone)
    hot_water = hot_water_setup(params, building_use, existing)
    heating_c = params.get("heating_setpoint_c") or profile.heating_setpoint_c
    cooling_c = params.get("cooling_setpoint_c") or profile.cooling_setpoint_c

    idf = eppy_idf_class()(StringIO(geometry_idf_text(geometry)))
    idf.newidfobject("VERSION", Version_Identifier="25.2")
    idf.newidfobject("BUILDING", Name=f"ultralow {template}", North_Axis=params["orientation_deg"], Terrain="City",
                     Solar_Distribution="FullExterior", Maximum_Number_of_Warmup_Days=25)
    idf.newidfobject("GLOBALGEOMETRYRULES", Starting_Vertex_Position="UpperLeftCorner",
                     Vertex_Entry_Direction="Counterclockwise", Coordinate_System="Relative")
    idf.newidfobject("TIMESTEP", Number_of_Timesteps_per_Hour=params["timesteps_per_hour"])

    apply_schedules(idf, profile, heating_c, cooling_c)  # before the envelope: shading uses "Fraction"
    envelope = apply_envelope(idf, params, existing, primary_zone(weather.climate_zone))
    if params.get("fidelity", "full") == "fast" and not any(idf.idfobjects[kind] for kind in SHADING_OBJECTS):
        # a single convex block without overhangs or fins shades nothing: MinimalShadowing gives
        # FullExterior's answer (measured identical, benchmarks/fidelity_accuracy.py) without its
        # shadow-overlap calculation
        idf.idfobjects["BUILDING"][0].Solar_Distribution = "MinimalShadowing"
    ground_c = ground_temperatures_c(
        monthly_outdoor_c, heating_c, geometry.roof_area_m2, 2 * (geometry.length_m + geometry.depth_m),
        _ground_floor_resistance_m2k_w(envelope["constructions"]["ground_floor"]))
    idf.newidfobject("SITE:GROUNDTEMPERATURE:BUILDINGSURFACE",
                     **{f"{month}_Ground_Temperature": t for month, t in zip(MONTHS, ground_c, strict=True)})

    apply_internal_gains(idf, profile, params)
    apply_infiltration(idf, params["n50_ach"])
    sfp = params.get("fan_sfp_w_m3h") or catalogues.load("operation")["ventilation_fan"]["specific_fan_power_w_m3h"]
    fan_heat = apply_fan_heat(idf, profile, sfp, geometry.floor_height_m)
    apply_natural_ventilation(idf, profile, dehumidify=profile.dehumidify_max_rh_percent is not None)
    apply_ideal_loads(idf, profile, params["hrv_efficiency"], float(params.get("hrv_latent_efficiency") or 0.0))
    array = pv_array(params, geometry.roof_area_m2, weather.latitude_deg)
    apply_pv(idf, array, params)
    request_outputs(idf, pv=array.capacity_kw > 0, all_reports=params.get("fidelity", "full") != "fast")

    return BuiltModel(
        idf=idf, template=template, parameters=dict(params), geometry=geometry,
        constructions=envelope["constructions"], profile=profile, heat_pump=params["heat_pump"], pv=array,
        fan_specific_power_w_m3h=sfp, climate_zone=weather.climate_zone,
        thermal_bridges=envelope["thermal_bridges"], clear_wall_u_w_m2k=envelope["clear_wall"].u_with_film_w_m2k,
        fan_heat_w_m2=fan_heat, existing=existing, hot_water=hot_water,
        monthly_outdoor_c=tuple(float(t) for t in monthly_outdoor_c),
        insulation_mm={"wall": envelope["clear_wall"].insulation_thickness_m * 1000.0,
                       "roof": envelope["constructions"]["roof"].insulation_thickness_m * 1000.0,
                       "floor": envelope["constructions"]["ground_floor"].insulation_thickness_m * 1000.0},
    )
