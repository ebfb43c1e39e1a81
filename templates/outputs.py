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


# the tabular reports sim/results.py reads (the fast model asks for these only; full: AllSummary)
READ_REPORTS = ("AnnualBuildingUtilityPerformanceSummary", "EnvelopeSummary", "InputVerificationandResultsSummary")


def request_outputs(idf: Any, pv: bool, all_reports: bool = True) -> None:
    """SQLite output with the tabular reports (every one, or only :data:`READ_REPORTS` and no
    output file but ``eplusout.sql``), hourly variables and meters."""
    idf.newidfobject("OUTPUT:SQLITE", Option_Type="SimpleAndTabular")
    reports = ("AllSummary",) if all_reports else READ_REPORTS
    idf.newidfobject("OUTPUT:TABLE:SUMMARYREPORTS",
                     **{f"Report_{i}_Name": name for i, name in enumerate(reports, start=1)})
    if not all_reports:  # only eplusout.sql is read (eplusout.err is always written)
        files = idf.newidfobject("OUTPUTCONTROL:FILES")
        for name in files.fieldnames[1:]:
            setattr(files, name, "Yes" if name == "Output_SQLite" else "No")
    idf.newidfobject("OUTPUTCONTROL:TABLE:STYLE", Column_Separator="HTML")
    for variable, frequency in OUTPUT_VARIABLES:
        idf.newidfobject("OUTPUT:VARIABLE", Key_Value="*", Variable_Name=variable, Reporting_Frequency=frequency)
    for meter in HOURLY_METERS + (("ElectricityProduced:Facility",) if pv else ()):
        idf.newidfobject("OUTPUT:METER", Key_Name=meter, Reporting_Frequency="Hourly")
