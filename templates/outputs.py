"""The outputs :mod:`ultralow.sim.results` reads, requested on any model."""

from __future__ import annotations

from typing import Any

# (variable, frequency), every zone (key "*") or the site
OUTPUT_VARIABLES = (
    ("Site Outdoor Air Drybulb Temperature", "Hourly"),
    ("Zone Ideal Loads Supply Air Sensible Heating Energy", "Hourly"),
    ("Zone Ideal Loads Supply Air Sensible Cooling Energy", "Hourly"),
    ("Zone Ideal Loads Supply Air Latent Cooling Energy", "Hourly"),
    ("Zone Ideal Loads Outdoor Air Standard Density Volume Flow Rate", "Hourly"),
)
HOURLY_METERS = (
    "DistrictHeatingWater:Facility",
    "DistrictCooling:Facility",
    "InteriorLights:Electricity",
    "InteriorEquipment:Electricity",
)


def request_outputs(idf: Any, pv: bool) -> None:
    """SQLite output with the tabular reports, hourly variables and meters."""
    idf.newidfobject("OUTPUT:SQLITE", Option_Type="SimpleAndTabular")
    idf.newidfobject("OUTPUT:TABLE:SUMMARYREPORTS", Report_1_Name="AllSummary")
    idf.newidfobject("OUTPUTCONTROL:TABLE:STYLE", Column_Separator="HTML")
    for variable, frequency in OUTPUT_VARIABLES:
        idf.newidfobject("OUTPUT:VARIABLE", Key_Value="*", Variable_Name=variable, Reporting_Frequency=frequency)
    for meter in HOURLY_METERS + (("ElectricityProduced:Facility",) if pv else ()):
        idf.newidfobject("OUTPUT:METER", Key_Name=meter, Reporting_Frequency="Hourly")
