"""Operation of a model from a :class:`~ultralow.templates.profiles.CalculationProfile`:
schedules, people, lighting, equipment, infiltration, ventilation-fan heat and window opening.

Window opening (natural ventilation) follows the profile's rule: an EnergyManagementSystem
program decides, per zone and timestep (before the predictor), whether the windows are open:
zone at or above ``min_indoor_c``, outdoor air at least ``delta_t_k`` cooler than the zone and at
or above ``min_outdoor_c``, outdoor humidity ratio not above the zone's. While open, the zone's
cooling setpoint and its dehumidifying RH setpoint are released (so no mechanical cooling or
dehumidification runs in that timestep); while closed, the EMS leaves both to their schedules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ultralow.templates import catalogues
from ultralow.templates.profiles import CalculationProfile
from ultralow.templates.schedules import add_schedule, constant_fields, hourly_fields

OPEN_COOLING_SETPOINT_C = 60.0  # cooling setpoint while windows are open (no cooling)
OPEN_DEHUMIDIFY_RH_PERCENT = 100.0  # humidistat while windows are open (no dehumidification)


def zone_names(idf: Any) -> list[str]:
    return [z.Name for z in idf.idfobjects["ZONE"]]


def ventilation_schedule(profile: CalculationProfile) -> str:
    return "Always On" if profile.continuous else "HVAC On"


def apply_schedules(idf: Any, profile: CalculationProfile, heating_c: float, cooling_c: float) -> None:
    """Type limits, the gains schedules, HVAC availability and the setpoint schedules."""
    idf.newidfobject("SCHEDULETYPELIMITS", Name="Fraction", Lower_Limit_Value=0, Upper_Limit_Value=1,
                     Numeric_Type="Continuous")
    idf.newidfobject("SCHEDULETYPELIMITS", Name="Temperature", Numeric_Type="Continuous")
    idf.newidfobject("SCHEDULETYPELIMITS", Name="Any Number", Numeric_Type="Continuous")
    weekend = profile.weekend_fraction
    for key in ("occupancy", "lighting", "equipment"):
        values = getattr(profile, key)
        other = [v * weekend for v in values] if weekend is not None else None
        add_schedule(idf, key.title(), "Fraction", hourly_fields(values, other))
    add_schedule(idf, "Always On", "Fraction", constant_fields(1))
    add_schedule(idf, "Activity", "Any Number", constant_fields(profile.activity_w_per_person))
    if profile.continuous:
        add_schedule(idf, "Heating Setpoint", "Temperature", constant_fields(heating_c))
        add_schedule(idf, "Cooling Setpoint", "Temperature", constant_fields(cooling_c))
        return
    hvac_on = profile.hvac_on or (1.0,) * 24
    add_schedule(idf, "HVAC On", "Fraction", hourly_fields(hvac_on, [0.0] * 24))
    heat = [heating_c if on else profile.heating_setback_c for on in hvac_on]
    cool = [cooling_c if on else profile.cooling_setback_c for on in hvac_on]
    add_schedule(idf, "Heating Setpoint", "Temperature", hourly_fields(heat, [profile.heating_setback_c] * 24))
    add_schedule(idf, "Cooling Setpoint", "Temperature", hourly_fields(cool, [profile.cooling_setback_c] * 24))


def apply_internal_gains(idf: Any, profile: CalculationProfile, params: Mapping[str, Any]) -> None:
    """People, lights and plug equipment on every zone (``All Zones`` list).

    Lighting power density, W/m2 of floor area: the ``lighting_w_m2`` template parameter (a
    lighting retrofit, or the existing building's lighting) where the profile lets the design
    decide (``lighting_from_design``: everyday and public-building profiles), else the profile's
    ``lighting_w_m2`` (the residential compliance calculations); either runs on the profile's
    lighting schedule."""
    zl = idf.newidfobject("ZONELIST", Name="All Zones")
    for i, zone in enumerate(zone_names(idf), start=1):
        setattr(zl, f"Zone_{i}_Name", zone)
    if profile.activity_w_per_person > 0:
        idf.newidfobject(
            "PEOPLE", Name="People", Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones",
            Number_of_People_Schedule_Name="Occupancy", Number_of_People_Calculation_Method="Area/Person",
            Floor_Area_per_Person=profile.floor_area_per_person_m2, Fraction_Radiant=0.3,
            Activity_Level_Schedule_Name="Activity",
        )
    idf.newidfobject(
        "LIGHTS", Name="Lights", Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones", Schedule_Name="Lighting",
        Design_Level_Calculation_Method="Watts/Area",
        Watts_per_Floor_Area=profile.lighting_power_w_m2(params.get("lighting_w_m2")),
        Fraction_Radiant=0.42, Fraction_Visible=0.18,
    )
    idf.newidfobject(
        "ELECTRICEQUIPMENT", Name="Equipment", Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones",
        Schedule_Name="Equipment", Design_Level_Calculation_Method="Watts/Area",
        Watts_per_Floor_Area=params.get("equipment_w_m2") or profile.equipment_w_m2, Fraction_Radiant=0.3,
    )


def apply_infiltration(idf: Any, n50_ach: float) -> None:
    """Constant infiltration ``n50 * e`` (``operation.toml`` [infiltration])."""
    e_shield = catalogues.load("operation")["infiltration"]["shielding_coefficient_e"]
    idf.newidfobject(
        "ZONEINFILTRATION:DESIGNFLOWRATE", Name="Infiltration",
        Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones", Schedule_Name="Always On",
        Design_Flow_Rate_Calculation_Method="AirChanges/Hour", Air_Changes_per_Hour=round(n50_ach * e_shield, 5),
        Constant_Term_Coefficient=1, Temperature_Term_Coefficient=0, Velocity_Term_Coefficient=0,
        Velocity_Squared_Term_Coefficient=0,
    )


def apply_fan_heat(idf: Any, profile: CalculationProfile, fan_sfp_w_m3h: float, floor_height_m: float) -> float:
    """Supply-fan heat of the mechanical ventilation into the zones (OtherEquipment, no fuel: its
    electricity is counted as fan electricity by the results); returns it, W/m2 of floor area."""
    fraction = catalogues.load("operation")["ventilation_fan"]["supply_fan_heat_fraction"]
    w_m2 = fraction * fan_sfp_w_m3h * profile.outdoor_air_m3_h_m2(floor_height_m)
    idf.newidfobject(
        "OTHEREQUIPMENT", Name="Ventilation Fan Heat", Fuel_Type="None",
        Zone_or_ZoneList_or_Space_or_SpaceList_Name="All Zones", Schedule_Name=ventilation_schedule(profile),
        Design_Level_Calculation_Method="Power/Area", Power_per_Floor_Area=round(w_m2, 5),
        Fraction_Latent=0, Fraction_Radiant=0, Fraction_Lost=0,
    )
    return w_m2


def _ems_name(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


def apply_natural_ventilation(idf: Any, profile: CalculationProfile, dehumidify: bool) -> None:
    """Window opening per the profile's rule (module docstring); nothing without a rule."""
    rule = profile.natural_ventilation
    if rule is None:
        return
    idf.newidfobject("ENERGYMANAGEMENTSYSTEM:SENSOR", Name="T_out",
                     OutputVariable_or_OutputMeter_Index_Key_Name="Environment",
                     OutputVariable_or_OutputMeter_Name="Site Outdoor Air Drybulb Temperature")
    idf.newidfobject("ENERGYMANAGEMENTSYSTEM:SENSOR", Name="W_out",
                     OutputVariable_or_OutputMeter_Index_Key_Name="Environment",
                     OutputVariable_or_OutputMeter_Name="Site Outdoor Air Humidity Ratio")
    program = idf.newidfobject("ENERGYMANAGEMENTSYSTEM:PROGRAM", Name="Window_Opening")
    lines: list[str] = []
    for i, zone in enumerate(zone_names(idf), start=1):
        z = f"z{i}"
        add_schedule(idf, f"Windows Open {zone}", "Fraction", constant_fields(0))
        idf.newidfobject(
            "ZONEVENTILATION:DESIGNFLOWRATE", Name=f"Window Opening {zone}",
            Zone_or_ZoneList_or_Space_or_SpaceList_Name=zone, Schedule_Name=f"Windows Open {zone}",
            Design_Flow_Rate_Calculation_Method="AirChanges/Hour", Air_Changes_per_Hour=rule.ach,
            Ventilation_Type="Natural", Constant_Term_Coefficient=1, Temperature_Term_Coefficient=0,
            Velocity_Term_Coefficient=0, Velocity_Squared_Term_Coefficient=0,
        )
        for name, var in ((f"T_{z}", "Zone Mean Air Temperature"), (f"W_{z}", "Zone Mean Air Humidity Ratio")):
            idf.newidfobject("ENERGYMANAGEMENTSYSTEM:SENSOR", Name=name,
                             OutputVariable_or_OutputMeter_Index_Key_Name=zone,
                             OutputVariable_or_OutputMeter_Name=var)
        idf.newidfobject("ENERGYMANAGEMENTSYSTEM:ACTUATOR", Name=f"Open_{z}",
                         Actuated_Component_Unique_Name=f"Windows Open {zone}",
                         Actuated_Component_Type="Schedule:Compact", Actuated_Component_Control_Type="Schedule Value")
        idf.newidfobject("ENERGYMANAGEMENTSYSTEM:ACTUATOR", Name=f"CoolSP_{z}", Actuated_Component_Unique_Name=zone,
                         Actuated_Component_Type="Zone Temperature Control",
                         Actuated_Component_Control_Type="Cooling Setpoint")
        release = [f"SET CoolSP_{z} = {OPEN_COOLING_SETPOINT_C:g}"]
        restore = [f"SET CoolSP_{z} = Null"]
        if dehumidify:
            idf.newidfobject("ENERGYMANAGEMENTSYSTEM:ACTUATOR", Name=f"RH_{z}",
                             Actuated_Component_Unique_Name=f"Dehumidify RH {zone}",
                             Actuated_Component_Type="Schedule:Compact",
                             Actuated_Component_Control_Type="Schedule Value")
            release.append(f"SET RH_{z} = {OPEN_DEHUMIDIFY_RH_PERCENT:g}")
            restore.append(f"SET RH_{z} = Null")
        lines += [
            f"IF (T_{z} >= {rule.min_indoor_c:g}) && (T_out <= T_{z} - {rule.delta_t_k:g}) && "
            f"(T_out >= {rule.min_outdoor_c:g}) && (W_out <= W_{z})",
            f"SET Open_{z} = 1", *release, "ELSE", f"SET Open_{z} = 0", *restore, "ENDIF",
        ]
    for j, line in enumerate(lines, start=1):
        setattr(program, f"Program_Line_{j}", line)
    idf.newidfobject("ENERGYMANAGEMENTSYSTEM:PROGRAMCALLINGMANAGER", Name="Window Opening Manager",
                     EnergyPlus_Model_Calling_Point="BeginTimestepBeforePredictor", Program_1_Name="Window_Opening")
