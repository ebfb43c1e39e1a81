"""Weather for ultralow: EPW input/output, the Chinese city registry, climate indices
(HDD18, CDD26, WDH20, DDH28, GB 50176-2016 zone), synthetic design-year weather made without any
download (``morph``: Chinese measured typical years and engine TMY3 files fitted to station
climatology; ``radiation``), the reference data they are built from and judged against
(``reference``), the weather policy and provenance of every result (``provenance``) and file
comparison (``compare``).

Entry point for other modules: :func:`resolve_weather` (a city or a user EPW → WeatherSource).
"""

from ultralow.weather.epw import Epw, EpwHeader, Location, read_epw, write_epw
from ultralow.weather.indices import ClimateIndices, climate_indices
from ultralow.weather.morph import make_city_epw, synthesise, synthetic_epw_path
from ultralow.weather.registry import CityRecord, get_city, list_cities
from ultralow.weather.source import WeatherSource, resolve_weather
from ultralow.weather.zones import PRIMARY_ZONES, classify_zone, primary_zone, zone_ids

__all__ = [
    "PRIMARY_ZONES",
    "CityRecord",
    "ClimateIndices",
    "Epw",
    "EpwHeader",
    "Location",
    "WeatherSource",
    "classify_zone",
    "climate_indices",
    "get_city",
    "list_cities",
    "make_city_epw",
    "primary_zone",
    "read_epw",
    "resolve_weather",
    "synthesise",
    "synthetic_epw_path",
    "write_epw",
    "zone_ids",
]
