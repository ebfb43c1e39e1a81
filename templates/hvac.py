"""Ideal-loads heating, cooling and ventilation with heat recovery, per zone.

- Heating/cooling: ``ZoneHVAC:IdealLoadsAirSystem`` (unlimited capacity); its supply-air energy is
  the building's demand. Humidification is never done. Dehumidification, when the profile sets
  ``dehumidify_max_rh_percent``, is humidistat-controlled (``ZoneControl:Humidistat``): the
  supply air is dried only as far as keeps the zone at that RH, and EnergyPlus reports it as
  latent cooling. Without it there is no humidity control: the supply air keeps the mixed air's
  humidity except what condenses when it is cooled to the supply temperature, which EnergyPlus
  still reports as latent cooling (PurchasedAirManager.cc caps the supply humidity ratio at
  saturation).
- Ventilation: the profile's outdoor air (air changes or per-area fresh air) through a heat
  exchanger of sensible effectiveness ``hrv_efficiency`` (and latent effectiveness
  ``hrv_latent_efficiency`` for an enthalpy exchanger, 0 = sensible only). EnergyPlus applies the recovery only when it
  helps (heating with outdoor air colder than the return air, cooling with it warmer) and not in
  the deadband: an ideal summer bypass (PurchasedAirManager.cc, CalcPurchAirMixedAir). Frost
  protection and fan electricity are counted by :mod:`ultralow.sim.results`; the supply-fan heat is
  a zone gain (:func:`ultralow.templates.operation.apply_fan_heat`).
"""

from __future__ import annotations

from typing import Any

from ultralow.templates.operation import ventilation_schedule, zone_names
from ultralow.templates.profiles import CalculationProfile
from ultralow.templates.schedules import add_schedule, constant_fields


def apply_ideal_loads(idf: Any, profile: CalculationProfile, hrv_efficiency: float,
                      hrv_latent_efficiency: float = 0.0) -> None:
    """Thermostat, humidistat and ideal-loads system with outdoor air for every zone."""
    schedule = ventilation_schedule(profile)
    if profile.ventilation_ach is not None:
        idf.newidfobject(
            "DESIGNSPECIFICATION:OUTDOORAIR", Name="Ventilation", Outdoor_Air_Method="AirChanges/Hour",
            Outdoor_Air_Flow_Air_Changes_per_Hour=profile.ventilation_ach, Outdoor_Air_Schedule_Name=schedule,
        )
    else:
        idf.newidfobject(
            "DESIGNSPECIFICATION:OUTDOORAIR", Name="Ventilation", Outdoor_Air_Method="Flow/Area",
            Outdoor_Air_Flow_per_Zone_Floor_Area=round(profile.fresh_air_per_person_m3_h_m2 / 3600.0, 8),
            Outdoor_Air_Schedule_Name=schedule,
        )
    idf.newidfobject(
        "THERMOSTATSETPOINT:DUALSETPOINT", Name="Dual Setpoint",
        Heating_Setpoint_Temperature_Schedule_Name="Heating Setpoint",
        Cooling_Setpoint_Temperature_Schedule_Name="Cooling Setpoint",
    )
    add_schedule(idf, "Control Type", "Any Number", constant_fields(4))
    rh = profile.dehumidify_max_rh_percent
    if rh is not None:
        add_schedule(idf, "No Humidification", "Any Number", constant_fields(0))
    for zone in zone_names(idf):
        idf.newidfobject(
            "ZONECONTROL:THERMOSTAT", Name=f"{zone} Thermostat", Zone_or_ZoneList_Name=zone,
            Control_Type_Schedule_Name="Control Type",
            Control_1_Object_Type="ThermostatSetpoint:DualSetpoint", Control_1_Name="Dual Setpoint",
        )
        if rh is not None:
            # one schedule per zone: window opening releases it zone by zone (operation.py)
            add_schedule(idf, f"Dehumidify RH {zone}", "Any Number", constant_fields(rh))
            idf.newidfobject(
                "ZONECONTROL:HUMIDISTAT", Name=f"{zone} Humidistat", Zone_Name=zone,
                Humidifying_Relative_Humidity_Setpoint_Schedule_Name="No Humidification",
                Dehumidifying_Relative_Humidity_Setpoint_Schedule_Name=f"Dehumidify RH {zone}",
            )
        idf.newidfobject(
            "ZONEHVAC:IDEALLOADSAIRSYSTEM", Name=f"{zone} Ideal Loads", Zone_Supply_Air_Node_Name=f"{zone} Supply",
            Dehumidification_Control_Type="Humidistat" if rh is not None else "None",
            Humidification_Control_Type="None",
            Design_Specification_Outdoor_Air_Object_Name="Ventilation",
            Heat_Recovery_Type=("None" if hrv_efficiency <= 0 else
                                "Enthalpy" if hrv_latent_efficiency > 0 else "Sensible"),
            Sensible_Heat_Recovery_Effectiveness=hrv_efficiency,
            Latent_Heat_Recovery_Effectiveness=hrv_latent_efficiency,
        )
        idf.newidfobject(
            "ZONEHVAC:EQUIPMENTLIST", Name=f"{zone} Equipment", Load_Distribution_Scheme="SequentialLoad",
            Zone_Equipment_1_Object_Type="ZoneHVAC:IdealLoadsAirSystem", Zone_Equipment_1_Name=f"{zone} Ideal Loads",
            Zone_Equipment_1_Cooling_Sequence=1, Zone_Equipment_1_Heating_or_NoLoad_Sequence=1,
        )
        idf.newidfobject(
            "ZONEHVAC:EQUIPMENTCONNECTIONS", Zone_Name=zone, Zone_Conditioning_Equipment_List_Name=f"{zone} Equipment",
            Zone_Air_Inlet_Node_or_NodeList_Name=f"{zone} Supply", Zone_Air_Node_Name=f"{zone} Air Node",
            Zone_Return_Air_Node_or_NodeList_Name=f"{zone} Return",
        )
