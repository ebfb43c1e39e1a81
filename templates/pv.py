"""Rooftop PV that fits on the roof: module area from the roof share and the row spacing.

``pv_roof_fraction`` is the share of the roof given to the PV field (rows *and* the gaps between
them). Tilted rows (``pv_mounting = "tilted_rows"``) are spaced so that one row does not shade the
next at solar noon on the winter solstice, the usual design rule for fixed arrays; the ground
coverage ratio (module width over row pitch) is then

    alpha = 90 deg - |latitude| - 23.45 deg            (noon solar altitude, winter solstice)
    GCR   = 1 / (cos(beta) + sin(beta) / tan(alpha))   (beta = tilt)

and the module area is ``roof_area * pv_roof_fraction * GCR``. Flat-mounted modules
(``pv_mounting = "flat"``, tilt 0) cover the field fully (GCR = 1). DC capacity = module area x
module efficiency x 1 kW/m2. The array is EnergyPlus's ``Generator:PVWatts`` (version 5).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SOLSTICE_DECLINATION_DEG = 23.45


@dataclass(frozen=True)
class PvArray:
    """The rooftop array: ``module_area_m2``, ``capacity_kw`` (DC at STC), tilt and GCR."""

    module_area_m2: float
    capacity_kw: float
    tilt_deg: float
    ground_coverage_ratio: float


def ground_coverage_ratio(tilt_deg: float, latitude_deg: float) -> float:
    """Row GCR (-) with no inter-row shading at winter-solstice noon (module docstring)."""
    if tilt_deg <= 0:
        return 1.0
    alpha = math.radians(max(90.0 - abs(latitude_deg) - SOLSTICE_DECLINATION_DEG, 5.0))
    beta = math.radians(tilt_deg)
    return 1.0 / (math.cos(beta) + math.sin(beta) / math.tan(alpha))


def pv_array(params: Mapping[str, Any], roof_area_m2: float, latitude_deg: float) -> PvArray:
    """The array a design's parameters place on a roof of ``roof_area_m2`` at ``latitude_deg``."""
    flat = params.get("pv_mounting") == "flat"
    tilt = 0.0 if flat else float(params["pv_tilt_deg"])
    gcr = ground_coverage_ratio(tilt, latitude_deg)
    area = roof_area_m2 * float(params["pv_roof_fraction"]) * gcr
    return PvArray(area, area * float(params["pv_module_efficiency"]), tilt, gcr)


def apply_pv(idf: Any, array: PvArray, params: Mapping[str, Any]) -> None:
    """PVWatts array, inverter and load centre (nothing when the array is empty)."""
    if array.capacity_kw <= 0:
        return
    watts = round(array.capacity_kw * 1000.0, 1)
    idf.newidfobject(
        "GENERATOR:PVWATTS", Name="Rooftop PV", PVWatts_Version="5", DC_System_Capacity=watts,
        Module_Type="Premium" if params["pv_module_efficiency"] >= 0.19 else "Standard",
        Array_Type="FixedRoofMounted", System_Losses=0.14, Array_Geometry_Type="TiltAzimuth",
        Tilt_Angle=array.tilt_deg, Azimuth_Angle=(180.0 + params["orientation_deg"]) % 360,
        Ground_Coverage_Ratio=round(min(array.ground_coverage_ratio, 0.99), 4),
    )
    idf.newidfobject("ELECTRICLOADCENTER:INVERTER:PVWATTS", Name="PV Inverter", DC_to_AC_Size_Ratio=1.1,
                     Inverter_Efficiency=0.96)
    idf.newidfobject("ELECTRICLOADCENTER:GENERATORS", Name="PV Generators", Generator_1_Name="Rooftop PV",
                     Generator_1_Object_Type="Generator:PVWatts", Generator_1_Rated_Electric_Power_Output=watts)
    idf.newidfobject("ELECTRICLOADCENTER:DISTRIBUTION", Name="PV Load Center", Generator_List_Name="PV Generators",
                     Generator_Operation_Scheme_Type="Baseload", Electrical_Buss_Type="DirectCurrentWithInverter",
                     Inverter_Name="PV Inverter")
