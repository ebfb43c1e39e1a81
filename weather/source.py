"""Resolve "which weather?" to one EPW file: a registry city (synthetic design year) or a user
file (CSWD, CTYW, TMYx, …)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ultralow.errors import InputError
from ultralow.weather.epw import read_epw
from ultralow.weather.indices import ClimateIndices, climate_indices
from ultralow.weather.morph import SOURCE_TAG, donor_plan, morph_targets, synthetic_epw_path
from ultralow.weather.registry import get_city
from ultralow.weather.zones import primary_zone


@dataclass(frozen=True)
class WeatherSource:
    """The weather a model runs with, and where it came from.

    ``city`` is the registry key for registry cities (``None`` for a user file);
    ``climate_zone`` the GB 50176-2016 secondary zone (registry value for a city, computed from
    the file's HDD18/CDD26 for a user file); ``synthetic``/``donor`` say whether the file was
    synthesised and from which engine TMY3 file; ``description`` is one line for reports.
    """

    epw_path: Path
    city: str | None
    climate_zone: str
    synthetic: bool
    donor: str | None
    description: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float
    time_zone_h: float
    name: str

    @property
    def primary_zone(self) -> str:
        return primary_zone(self.climate_zone)

    def indices(self) -> ClimateIndices:
        """Climate indices of the EPW file."""
        return climate_indices(self.epw_path)


def resolve_weather(city: str | None = None,
                    epw: str | os.PathLike | None = None) -> WeatherSource:
    """Weather for a registry ``city`` or a user ``epw`` file (exactly one of them).

    A city gets the cached synthetic design-year file (built on first use, no download).
    Raises :class:`InputError` for an unknown city (listing the known ones) or a missing or
    malformed file (naming file, line and problem).
    """
    if (city is None) == (epw is None):
        raise InputError("give exactly one of a city or an EPW weather file (--epw FILE)")
    if city is not None:
        rec = get_city(city)
        plan = donor_plan(rec)
        path = synthetic_epw_path(rec)
        if plan.measured is None:
            sequence = f"donor {plan.base.name}"
        elif plan.own_record:
            sequence = f"the city's own measured typical year (UCI records 2010-2015; base {plan.base.name})"
        else:
            sequence = f"measured typical year of {plan.measured} (UCI records 2010-2015; base {plan.base.name})"
        return WeatherSource(
            epw_path=path,
            city=rec.key,
            climate_zone=rec.climate_zone,
            synthetic=True,
            donor=plan.base.name,
            description=(f"{rec.name} ({rec.name_zh}, WMO {rec.wmo}): SYNTHETIC design year from {sequence}, "
                         f"fitted to {morph_targets(rec).source}; GB 50176 zone {rec.climate_zone}"),
            latitude_deg=rec.latitude_deg,
            longitude_deg=rec.longitude_deg,
            elevation_m=rec.elevation_m,
            time_zone_h=rec.time_zone_h,
            name=rec.name,
        )
    path = Path(epw).expanduser().resolve()  # type: ignore[arg-type]
    try:
        stat = path.stat()
    except OSError:
        return _user_weather(path, 0, -1)  # read_epw raises the InputError naming the file
    return _user_weather(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _user_weather(path: Path, mtime_ns: int, size: int) -> WeatherSource:
    """WeatherSource of a user EPW, cached per file version (simulation workers call this per task)."""
    data = read_epw(path)
    ci = climate_indices(data)
    loc = data.location
    synthetic = loc.source == SOURCE_TAG
    donor = None
    if synthetic and "from donor " in data.header.comments_1:
        donor = data.header.comments_1.split("from donor ", 1)[1].split(" ", 1)[0]
    kind = "SYNTHETIC" if synthetic else loc.source
    return WeatherSource(
        epw_path=path,
        city=None,
        climate_zone=ci.climate_zone,
        synthetic=synthetic,
        donor=donor,
        description=(f"{path.name}: {loc.city}, {loc.state_province}, {loc.country} "
                     f"(WMO {loc.wmo}, {kind}); GB 50176 zone {ci.climate_zone} from HDD18="
                     f"{ci.hdd18_kd:.0f} CDD26={ci.cdd26_kd:.0f}"),
        latitude_deg=loc.latitude_deg,
        longitude_deg=loc.longitude_deg,
        elevation_m=loc.elevation_m,
        time_zone_h=loc.time_zone_h,
        name=loc.city,
    )
