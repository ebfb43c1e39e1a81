"""Assemble a complete EnergyPlus model (eppy IDF) from a template's resolved parameters.

Shared by all templates: geometry (cached, :mod:`ultralow.templates.geometry`), constructions
sized to the requested U-values, operating profile (schedules, people, lighting, equipment),
infiltration from n50, ideal-loads heating/cooling with mechanical ventilation and sensible
heat recovery, optional rooftop PV (``Generator:PVWatts`` on an electric load centre), and the
outputs :mod:`ultralow.sim.results` reads.

Assumptions (stated once here, repeated in the template parameter descriptions):
- Heating and cooling are ideal loads (``ZoneHVAC:IdealLoadsAirSystem``, unlimited capacity):
  their energy is the building's heating/cooling *demand* as GB/T 51350 defines it; heat-pump
  electricity is derived from it hourly (:mod:`ultralow.sim.heat_pump`).
- Ventilation air (profile's air-change rate or fresh air per person) passes the heat
  recovery unit with sensible effectiveness ``hrv_efficiency``; infiltration is
  ``n50_ach * e`` air changes per hour (``data/operation.toml``).
- Ground temperature under the slab: monthly, the mean of the heating setpoint and the
  outdoor monthly mean lagged by one month (a simple ISO 13370-style damping; an assumption).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

import numpy as np
from ultralow.templates import catalogues
from ultralow.templates.constructions import (
    OPAQUE_SURFACES,
    Layer,
    OpaqueConstruction,
    construction_layers,
    existing_element_layers,
    opaque_construction,
)
from ultralow.templates.geometry import BlockGeometry, eppy_idf_class, geometry_idf_text

# What ultralow.sim.results reads: (variable, frequency); ideal-loads heating/cooling are read
# from the facility meters they are metered on.
OUTPUT_VARIABLES = (
    ("Site Outdoor Air Drybulb Temperature", "Hourly"),
    ("Zone Ideal Loads Outdoor Air Standard Density Volume Flow Rate", "RunPeriod"),
)
HOURLY_METERS = (
    "DistrictHeatingWater:Facility",
    "DistrictCooling:Facility",
    "InteriorLights:Electricity",
    "InteriorEquipment:Electricity",
)


@dataclass
class BuiltModel:
    """A model ready to simulate, plus what the results step needs to know about it."""

    idf: Any  # geomeppy/eppy IDF
    template: str
    parameters: dict[str, Any]
    geometry: BlockGeometry
    constructions: dict[str, OpaqueConstruction]
    operation: dict[str, Any]
    heat_pump: str
    pv_capacity_kw: float
    fan_specific_power_w_m3h: float
    climate_zone: str
    notes: list[str] = field(default_factory=list)

    def idf_text(self) -> str:
        return self.idf.idfstr()


def operation_profile(use: str, climate_zone: str) -> dict[str, Any]:
    """Operating profile for ``use`` (``residential``/``office``) in ``climate_zone``."""
    data = catalogues.load("operation")
    if use == "office":
        return dict(data["office"])
    primary = climate_zone.rsplit("_", 1)[0] if climate_zone[-2:] in ("_A", "_B", "_C") else climate_zone
    key = "residential_cold" if primary in ("severe_cold", "cold") else "residential_warm"
    return dict(data[key])


def _constant(value: float) -> list[str]:
    """Schedule:Compact fields for a constant value all year."""
    return ["Through: 12/31", "For: AllDays", "Until: 24:00", f"{value:g}"]


def _hourly_compact(weekday: list[float], other: list[float] | None = None) -> list[str]:
    """Schedule:Compact fields for a 24-value profile (other days may differ)."""

    def day(values: list[float]) -> list[str]:
        fields: list[str] = []
        for hour in range(24):
            last = hour == 23 or values[hour + 1] != values[hour]
            if last:
                fields += [f"Until: {hour + 1:02d}:00", f"{values[hour]:g}"]
        return fields

    fields = ["Through: 12/31"]
    if other is None:
        fields += ["For: AllDays", *day(weekday)]
    else:
        fields += ["For: Weekdays SummerDesignDay WinterDesignDay", *day(weekday)]
        fields += ["For: AllOtherDays", *day(other)]
    return fields


def _add_schedule(idf: Any, name: str, limits: str, fields: list[str]) -> None:
    obj = idf.newidfobject("SCHEDULE:COMPACT", Name=name, Schedule_Type_Limits_Name=limits)
    for i, value in enumerate(fields, start=1):
        setattr(obj, f"Field_{i}", value)


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


def ground_temperatures_c(monthly_outdoor_c: list[float], heating_setpoint_c: float) -> list[float]:
    """Monthly ground temperature under the slab (see module docstring), degC."""
    lagged = np.roll(np.asarray(monthly_outdoor_c, dtype=float), 1)
    return [round(float(x), 2) for x in 0.5 * (heating_setpoint_c + lagged)]


def existing_building(params: dict[str, Any], use: str, climate_zone: str) -> Any:
    """The vintage a retrofit starts from (``vintage`` parameter), or None for new build.

    Window U, SHGC and n50 not set explicitly by the user take the vintage's values (in place).
    """
    vintage = params.get("vintage", "new")
    if vintage == "new":
        return None
    from ultralow.templates.standards.vintages import get_vintage

    existing = get_vintage(vintage, climate_zone, "residential" if use == "residential" else "public")
    for key in ("window_u_w_m2k", "window_shgc", "n50_ach"):
        if key not in params.get("_explicit", ()):
            params[key] = existing.values[key]
    return existing


def build_model(
    template: str,
    use: str,
    params: Mapping[str, Any],
    geometry: BlockGeometry,
    weather: Any,
    monthly_outdoor_c: list[float],
) -> BuiltModel:
    """Build the full model for resolved ``params`` of ``template``.

    ``weather`` is a :class:`ultralow.weather.WeatherSource` (its ``climate_zone`` picks the
    operating profile); ``monthly_outdoor_c`` are the weather file's monthly mean dry-bulb
    temperatures (for the ground temperatures).
    """
    idf = eppy_idf_class()(StringIO(geometry_idf_text(geometry)))
    op = operation_profile(use, weather.climate_zone)
    params = dict(params)
    existing = existing_building(params, use, weather.climate_zone)
    heating_c = params.get("heating_setpoint_c") or op["heating_setpoint_c"]
    cooling_c = params.get("cooling_setpoint_c") or op["cooling_setpoint_c"]

    idf.newidfobject("VERSION", Version_Identifier="25.2")
    idf.newidfobject(
        "BUILDING",
        Name=f"ultralow {template}",
        North_Axis=params["orientation_deg"],
        Terrain="City",
        Solar_Distribution="FullExterior",
        Maximum_Number_of_Warmup_Days=25,
    )
    idf.newidfobject(
        "GLOBALGEOMETRYRULES",
        Starting_Vertex_Position="UpperLeftCorner",
        Vertex_Entry_Direction="Counterclockwise",
        Coordinate_System="Relative",
    )
    idf.newidfobject("TIMESTEP", Number_of_Timesteps_per_Hour=params["timesteps_per_hour"])
    idf.newidfobject(
        "SITE:GROUNDTEMPERATURE:BUILDINGSURFACE",
        **{
            f"{month}_Ground_Temperature": t
            for month, t in zip(
                ("January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"),
                ground_temperatures_c(monthly_outdoor_c, heating_c),
                strict=True,
            )
        },
    )

    # --- constructions -------------------------------------------------------------------
    constructions: dict[str, OpaqueConstruction] = {}
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
        constructions[surface] = opaque_construction(
            surface,
            u_target_w_m2k=u,
            insulation=params.get(f"{prefix}_insulation"),
            insulation_mm=mm,
            existing_layers=existing_layers,
        )
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
        "WINDOWMATERIAL:SIMPLEGLAZINGSYSTEM",
        Name="Glazing",
        UFactor=params["window_u_w_m2k"],
        Solar_Heat_Gain_Coefficient=params["window_shgc"],
        Visible_Transmittance=params["window_vt"],
    )
    idf.newidfobject("CONSTRUCTION", Name="Window", Outside_Layer="Glazing")
    overhang = params.get("south_overhang_depth_ratio") or 0.0
    if overhang > 0:
        for win in idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]:
            if abs(win.azimuth - 180.0) < 45.0:  # south facade in building coordinates
                idf.newidfobject(
                    "SHADING:OVERHANG:PROJECTION", Name=f"{win.Name} Overhang", Window_or_Door_Name=win.Name,
                    Height_above_Window_or_Door=0.1, Tilt_Angle_from_WindowDoor=90.0,
                    Left_extension_from_WindowDoor_Width=0.2, Right_extension_from_WindowDoor_Width=0.2,
                    Depth_as_Fraction_of_WindowDoor_Height=overhang,
                )

    # --- schedules and internal loads ----------------------------------------------------
    idf.newidfobject("SCHEDULETYPELIMITS", Name="Fraction", Lower_Limit_Value=0,
                     Upper_Limit_Value=1, Numeric_Type="Continuous")
    idf.newidfobject("SCHEDULETYPELIMITS", Name="Temperature", Numeric_Type="Continuous")
    idf.newidfobject("SCHEDULETYPELIMITS", Name="Any Number", Numeric_Type="Continuous")
    weekend = op.get("weekend_fraction")
    for key in ("occupancy", "lighting", "equipment"):
        other = [v * weekend for v in op[key]] if weekend is not None else None
        _add_schedule(idf, key.title(), "Fraction", _hourly_compact(op[key], other))
    _add_schedule(idf, "Always On", "Fraction", _constant(1))
    _add_schedule(idf, "Activity", "Any Number", _constant(110))
    if op["hvac_schedule"] == "office":
        hvac_on = op["hvac_on"]
        off = [0.0] * 24
        _add_schedule(idf, "HVAC On", "Fraction", _hourly_compact(hvac_on, off))
        heat = [heating_c if on else op["heating_setback_c"] for on in hvac_on]
        cool = [cooling_c if on else op["cooling_setback_c"] for on in hvac_on]
        _add_schedule(idf, "Heating Setpoint", "Temperature", _hourly_compact(heat, [op["heating_setback_c"]] * 24))
        _add_schedule(idf, "Cooling Setpoint", "Temperature", _hourly_compact(cool, [op["cooling_setback_c"]] * 24))
        ventilation_schedule = "HVAC On"
    else:
        _add_schedule(idf, "Heating Setpoint", "Temperature", _constant(heating_c))
        _add_schedule(idf, "Cooling Setpoint", "Temperature", _constant(cooling_c))
        ventilation_schedule = "Always On"

    zones = [z.Name for z in idf.idfobjects["ZONE"]]
    zl = idf.newidfobject("ZONELIST", Name="All Zones")
    for i, zone in enumerate(zones, start=1):
        setattr(zl, f"Zone_{i}_Name", zone)
    idf.newidfobject(
        "PEOPLE", Name="People", Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones",
        Number_of_People_Schedule_Name="Occupancy", Number_of_People_Calculation_Method="Area/Person",
        Floor_Area_per_Person=op["floor_area_per_person_m2"], Fraction_Radiant=0.3,
        Activity_Level_Schedule_Name="Activity",
    )
    idf.newidfobject(
        "LIGHTS", Name="Lights", Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones",
        Schedule_Name="Lighting", Design_Level_Calculation_Method="Watts/Area",
        Watts_per_Floor_Area=params.get("lighting_w_m2") or op["lighting_w_m2"],
        Fraction_Radiant=0.42, Fraction_Visible=0.18,
    )
    idf.newidfobject(
        "ELECTRICEQUIPMENT", Name="Equipment", Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones",
        Schedule_Name="Equipment", Design_Level_Calculation_Method="Watts/Area",
        Watts_per_Floor_Area=params.get("equipment_w_m2") or op["equipment_w_m2"],
        Fraction_Radiant=0.3,
    )
    e_shield = catalogues.load("operation")["infiltration"]["shielding_coefficient_e"]
    idf.newidfobject(
        "ZONEINFILTRATION:DESIGNFLOWRATE", Name="Infiltration",
        Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones", Schedule_Name="Always On",
        Design_Flow_Rate_Calculation_Method="AirChanges/Hour",
        Air_Changes_per_Hour=round(params["n50_ach"] * e_shield, 5),
        Constant_Term_Coefficient=1, Temperature_Term_Coefficient=0,
        Velocity_Term_Coefficient=0, Velocity_Squared_Term_Coefficient=0,
    )
    if op.get("natural_ventilation"):
        nv = catalogues.load("operation")["natural_ventilation"]
        idf.newidfobject(
            "ZONEVENTILATION:DESIGNFLOWRATE", Name="Window Opening",
            Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones", Schedule_Name="Always On",
            Design_Flow_Rate_Calculation_Method="AirChanges/Hour", Air_Changes_per_Hour=nv["ach"],
            Ventilation_Type="Natural", Constant_Term_Coefficient=1, Temperature_Term_Coefficient=0,
            Velocity_Term_Coefficient=0, Velocity_Squared_Term_Coefficient=0,
            Minimum_Indoor_Temperature=nv["min_indoor_c"], Delta_Temperature=nv["delta_t_k"],
            Minimum_Outdoor_Temperature=nv["min_outdoor_c"],
        )
    if "outdoor_air_m3_h_person" in op:
        idf.newidfobject(
            "DESIGNSPECIFICATION:OUTDOORAIR", Name="Ventilation", Outdoor_Air_Method="Flow/Person",
            Outdoor_Air_Flow_per_Person=op["outdoor_air_m3_h_person"] / 3600.0,
            Outdoor_Air_Schedule_Name=ventilation_schedule,
        )
    else:
        idf.newidfobject(
            "DESIGNSPECIFICATION:OUTDOORAIR", Name="Ventilation", Outdoor_Air_Method="AirChanges/Hour",
            Outdoor_Air_Flow_Air_Changes_per_Hour=op["ventilation_ach"],
            Outdoor_Air_Schedule_Name=ventilation_schedule,
        )
    idf.newidfobject(
        "THERMOSTATSETPOINT:DUALSETPOINT", Name="Dual Setpoint",
        Heating_Setpoint_Temperature_Schedule_Name="Heating Setpoint",
        Cooling_Setpoint_Temperature_Schedule_Name="Cooling Setpoint",
    )
    _add_schedule(idf, "Control Type", "Any Number", _constant(4))
    hrv = params["hrv_efficiency"]
    for zone in zones:
        idf.newidfobject(
            "ZONECONTROL:THERMOSTAT", Name=f"{zone} Thermostat", Zone_or_ZoneList_Name=zone,
            Control_Type_Schedule_Name="Control Type",
            Control_1_Object_Type="ThermostatSetpoint:DualSetpoint", Control_1_Name="Dual Setpoint",
        )
        idf.newidfobject(
            "ZONEHVAC:IDEALLOADSAIRSYSTEM", Name=f"{zone} Ideal Loads",
            Zone_Supply_Air_Node_Name=f"{zone} Supply", Dehumidification_Control_Type="ConstantSupplyHumidityRatio",
            Humidification_Control_Type="None",
            Design_Specification_Outdoor_Air_Object_Name="Ventilation",
            Heat_Recovery_Type="Sensible" if hrv > 0 else "None",
            Sensible_Heat_Recovery_Effectiveness=hrv,
        )
        idf.newidfobject(
            "ZONEHVAC:EQUIPMENTLIST", Name=f"{zone} Equipment", Load_Distribution_Scheme="SequentialLoad",
            Zone_Equipment_1_Object_Type="ZoneHVAC:IdealLoadsAirSystem",
            Zone_Equipment_1_Name=f"{zone} Ideal Loads",
            Zone_Equipment_1_Cooling_Sequence=1, Zone_Equipment_1_Heating_or_NoLoad_Sequence=1,
        )
        idf.newidfobject(
            "ZONEHVAC:EQUIPMENTCONNECTIONS", Zone_Name=zone,
            Zone_Conditioning_Equipment_List_Name=f"{zone} Equipment",
            Zone_Air_Inlet_Node_or_NodeList_Name=f"{zone} Supply",
            Zone_Air_Node_Name=f"{zone} Air Node",
            Zone_Return_Air_Node_or_NodeList_Name=f"{zone} Return",
        )

    # --- PV ------------------------------------------------------------------------------
    pv_kw = geometry.roof_area_m2 * params["pv_roof_fraction"] * params["pv_module_efficiency"]
    if pv_kw > 0:
        idf.newidfobject(
            "GENERATOR:PVWATTS", Name="Rooftop PV", PVWatts_Version="5",
            DC_System_Capacity=round(pv_kw * 1000.0, 1),
            Module_Type="Premium" if params["pv_module_efficiency"] >= 0.19 else "Standard",
            Array_Type="FixedRoofMounted", System_Losses=0.14, Array_Geometry_Type="TiltAzimuth",
            Tilt_Angle=params["pv_tilt_deg"], Azimuth_Angle=(180.0 + params["orientation_deg"]) % 360,
            Ground_Coverage_Ratio=0.4,
        )
        idf.newidfobject(
            "ELECTRICLOADCENTER:INVERTER:PVWATTS", Name="PV Inverter",
            DC_to_AC_Size_Ratio=1.1, Inverter_Efficiency=0.96,
        )
        idf.newidfobject(
            "ELECTRICLOADCENTER:GENERATORS", Name="PV Generators",
            Generator_1_Name="Rooftop PV", Generator_1_Object_Type="Generator:PVWatts",
            Generator_1_Rated_Electric_Power_Output=round(pv_kw * 1000.0, 1),
        )
        idf.newidfobject(
            "ELECTRICLOADCENTER:DISTRIBUTION", Name="PV Load Center",
            Generator_List_Name="PV Generators", Generator_Operation_Scheme_Type="Baseload",
            Electrical_Buss_Type="DirectCurrentWithInverter", Inverter_Name="PV Inverter",
        )

    # --- outputs -------------------------------------------------------------------------
    idf.newidfobject("OUTPUT:SQLITE", Option_Type="SimpleAndTabular")
    idf.newidfobject("OUTPUT:TABLE:SUMMARYREPORTS", Report_1_Name="AllSummary")
    idf.newidfobject("OUTPUTCONTROL:TABLE:STYLE", Column_Separator="HTML")
    for variable, frequency in OUTPUT_VARIABLES:
        idf.newidfobject("OUTPUT:VARIABLE", Key_Value="*", Variable_Name=variable, Reporting_Frequency=frequency)
    for meter in HOURLY_METERS + (("ElectricityProduced:Facility",) if pv_kw > 0 else ()):
        idf.newidfobject("OUTPUT:METER", Key_Name=meter, Reporting_Frequency="Hourly")

    sfp = catalogues.load("operation")["ventilation_fan"]["specific_fan_power_w_m3h"]
    return BuiltModel(
        idf=idf,
        template=template,
        parameters=dict(params),
        geometry=geometry,
        constructions=constructions,
        operation=op,
        heat_pump=params["heat_pump"],
        pv_capacity_kw=pv_kw,
        fan_specific_power_w_m3h=params.get("fan_sfp_w_m3h") or sfp,
        climate_zone=weather.climate_zone,
    )
