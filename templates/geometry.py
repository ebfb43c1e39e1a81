"""Block geometry of the templates, built with geomeppy and cached.

A template's building is a rectangular block ``length_m`` (along x, the south facade) by
``depth_m`` (along y), ``storeys`` high, zoned per storey or core/perimeter per storey, with
strip windows set per facade by window-to-wall ratio. Facades are named for the building at
``orientation_deg = 0``; the orientation rotates the whole building clockwise through the
``Building`` object's north axis, so ``wwr_south`` always belongs to the long facade at y = 0.

Geometry depends only on these few numbers, so the geomeppy work (``add_block``,
``intersect_match``, ``set_wwr``) is done once per distinct geometry and the resulting IDF text
is reused for every envelope/system variant.

``typical_middle_storey`` (the fast model, :func:`merge_middle_storeys`): a block of five storeys
or more keeps its ground storey, the storey above it, one typical middle storey (the next, with
an EnergyPlus zone ``Multiplier`` of storeys - 3) and its top storey at their true heights, as
the DOE prototype buildings do with their middle floors; the floors and ceilings that faced a
removed storey become ``Adiabatic`` (an identical storey on the other side), as do the typical
storey's own floor and ceiling. The first storey stays explicit because its coupling to the
ground storey (and through it to the ground) changes the cold climates' cooling by 2-5 % when
it is merged (benchmarks/fidelity_accuracy.py). Every area EnergyPlus reports (conditioned floor
area, loads, meters) counts the multiplier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ultralow.sim.idd import engine_idd_path

FACADE_AZIMUTH_DEG = {"north": 0, "east": 90, "south": 180, "west": 270}


@dataclass(frozen=True)
class BlockGeometry:
    """Numbers that fix a template's geometry (metres)."""

    length_m: float
    depth_m: float
    storeys: int
    floor_height_m: float
    wwr_south: float
    wwr_north: float
    wwr_east: float
    wwr_west: float
    perimeter_depth_m: float | None = None  # None: one zone per storey
    typical_middle_storey: bool = False  # the fast model: middle storeys as one, with a multiplier

    @classmethod
    def from_params(cls, params: Mapping[str, Any], perimeter_depth_m: float | None) -> BlockGeometry:
        """The geometry named by a template's resolved parameters (``fidelity`` "fast" merges
        the middle storeys)."""
        return cls(
            length_m=params["length_m"], depth_m=params["depth_m"], storeys=params["storeys"],
            floor_height_m=params["floor_height_m"], wwr_south=params["wwr_south"],
            wwr_north=params["wwr_north"], wwr_east=params["wwr_east"], wwr_west=params["wwr_west"],
            perimeter_depth_m=perimeter_depth_m,
            typical_middle_storey=params.get("fidelity", "full") == "fast",
        )

    @property
    def floor_area_m2(self) -> float:
        return self.length_m * self.depth_m * self.storeys

    @property
    def roof_area_m2(self) -> float:
        return self.length_m * self.depth_m

    @property
    def volume_m3(self) -> float:
        return self.floor_area_m2 * self.floor_height_m

    @property
    def envelope_area_m2(self) -> float:
        """External surface area in contact with outdoor air (walls and roof; the floor is on the
        ground), m2."""
        perimeter_m = 2 * (self.length_m + self.depth_m)
        return perimeter_m * self.floor_height_m * self.storeys + self.roof_area_m2

    @property
    def shape_coefficient_1_m(self) -> float:
        """Shape coefficient S/V (1/m) as GB 50189-2015 2.0.1 and JGJ 26-2018 2.1 define it (GB
        55015-2021 uses it): the external surface area in contact with outdoor air over the volume
        it encloses, the area *excluding floors on the ground* and walls to unheated stairwells.
        (The clause text was not seen in this project; it is the definition as commonly quoted:
        verified = false: ``[sources.shape_coefficient_definition]`` of
        ``templates/standards/data/gb55015_2021.toml``.)"""
        return self.envelope_area_m2 / self.volume_m3


def eppy_idf_class(min_fields: tuple[tuple[str, int], ...] = ()):
    """geomeppy's IDF class, set to the engine-matched IDD (done once per process, again when
    ``min_fields`` asks for a longer IDD: :func:`ultralow.sim.idd.extended_fields` of a user's model)."""
    from geomeppy import IDF

    idd = str(engine_idd_path(min_fields))
    if getattr(IDF, "iddname", None) != idd:
        IDF.iddname = None
        IDF.idd_info = None
        IDF.block = None
        IDF.setiddname(idd)
    return IDF


def match_coincident_surfaces(idf) -> int:
    """Pair surfaces that geomeppy's ``intersect_match`` left unmatched.

    geomeppy compares the two surfaces' vertex lists element by element (one reversed), so a
    coincident floor/ceiling pair whose vertex lists start at different corners stays
    "outdoors" (seen with geomeppy 0.12.2 on intersected floors). Here two surfaces of
    different zones match when they hold the same vertices; returns the number of pairs set.
    """
    from geomeppy.geom.surfaces import set_matched_surfaces

    by_vertices: dict[frozenset, list] = {}
    for surface in idf.getsurfaces():
        if str(surface.Outside_Boundary_Condition).lower() != "outdoors":
            continue
        key = frozenset(tuple(round(c, 4) for c in vertex) for vertex in surface.coords)
        by_vertices.setdefault(key, []).append(surface)
    pairs = 0
    for surfaces in by_vertices.values():
        if len(surfaces) == 2 and surfaces[0].Zone_Name != surfaces[1].Zone_Name:
            set_matched_surfaces(*surfaces)
            pairs += 1
    return pairs


@lru_cache(maxsize=32)
def geometry_idf_text(geometry: BlockGeometry) -> str:
    """IDF text holding only the zones and surfaces of ``geometry`` (cached per process)."""
    idf_class = eppy_idf_class()
    idf = idf_class()
    idf.initnew(None)
    footprint = [
        (0.0, 0.0),
        (geometry.length_m, 0.0),
        (geometry.length_m, geometry.depth_m),
        (0.0, geometry.depth_m),
    ]
    kwargs = {}
    if geometry.perimeter_depth_m:
        kwargs = {"zoning": "core/perim", "perim_depth": geometry.perimeter_depth_m}
    idf.add_block(
        "Block", footprint, geometry.floor_height_m * geometry.storeys, geometry.storeys, **kwargs
    )
    idf.intersect_match()
    match_coincident_surfaces(idf)
    wwr_map = {FACADE_AZIMUTH_DEG[f]: getattr(geometry, f"wwr_{f}") for f in FACADE_AZIMUTH_DEG}
    idf.set_wwr(wwr=0.0, wwr_map=wwr_map, force=True, construction="Window")
    # geomeppy leaves zero-area windows out; nothing else to do for facades at 0.
    if geometry.typical_middle_storey:
        merge_middle_storeys(idf, geometry.storeys)
    return idf.idfstr()


_STOREY = re.compile(r" Storey (\d+)$")
TYPICAL_STOREY = 2  # the ground and the first storey stay explicit: their coupling to the ground matters


def merge_middle_storeys(idf: Any, storeys: int) -> int:
    """Keep the ground storey, the first storey above it, one typical middle storey (the second
    above ground, ``Multiplier`` = storeys - 3) and the top storey of a block of ``storeys`` >= 5
    (module docstring); returns the multiplier (1: nothing done)."""
    if storeys < 5:
        return 1
    typical, top = TYPICAL_STOREY, storeys - 1

    def storey(name: str) -> int:
        match = _STOREY.search(str(name))
        return int(match.group(1)) if match else -1

    removed_zones = {z.Name for z in idf.idfobjects["ZONE"] if typical < storey(z.Name) < top}
    surfaces = idf.idfobjects["BUILDINGSURFACE:DETAILED"]
    removed_surfaces = {s.Name for s in surfaces if s.Zone_Name in removed_zones}
    for window in list(idf.idfobjects["FENESTRATIONSURFACE:DETAILED"]):
        if window.Building_Surface_Name in removed_surfaces:
            idf.removeidfobject(window)
    for surface in list(surfaces):
        if surface.Name in removed_surfaces:
            idf.removeidfobject(surface)
    for zone in list(idf.idfobjects["ZONE"]):
        if zone.Name in removed_zones:
            idf.removeidfobject(zone)
        elif storey(zone.Name) == typical:
            zone.Multiplier = storeys - 1 - typical
    middle = {z.Name for z in idf.idfobjects["ZONE"] if storey(z.Name) == typical}
    for surface in idf.idfobjects["BUILDINGSURFACE:DETAILED"]:
        if str(surface.Outside_Boundary_Condition).lower() != "surface":
            continue
        horizontal = str(surface.Surface_Type).lower() in ("floor", "ceiling", "roof")
        other = idf.getobject("BUILDINGSURFACE:DETAILED", surface.Outside_Boundary_Condition_Object)
        crosses_storeys = other is not None and storey(other.Zone_Name) != storey(surface.Zone_Name)
        if surface.Outside_Boundary_Condition_Object in removed_surfaces or (
                horizontal and crosses_storeys and (surface.Zone_Name in middle or other.Zone_Name in middle)):
            surface.Outside_Boundary_Condition = "Adiabatic"
            surface.Outside_Boundary_Condition_Object = ""
    return storeys - 1 - typical
