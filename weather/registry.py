"""Registry of Chinese cities: station metadata, GB 50176-2016 climate zone, monthly normals.

The data live in ``weather/data/cities.csv`` (one row per city) and ``weather/data/normals.csv``
(one row per city and month); ``weather/data/SOURCES.md`` cites every source and lists the
values that are unverified or derived. Nothing here reads anything outside the package.

City names are matched case-insensitively, ignoring spaces, apostrophes, hyphens and the Chinese
name, so ``"Xi'an"``, ``"xian"``, ``"XI AN"`` and ``"西安"`` are the same city.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import resources

from ultralow.errors import InputError


@dataclass(frozen=True)
class CityRecord:
    """One registry city. Monthly tuples are January..December.

    ``tmax_c``/``tmin_c`` are the monthly means of the daily maximum/minimum, ``tmean_c`` the
    monthly mean of the daily mean air temperature (°C); ``rh_pct`` the monthly mean relative
    humidity (%); ``sunshine_h`` the monthly total of bright sunshine hours (h).
    ``climate_zone`` is the GB 50176-2016 secondary zone id expected for the city.
    """

    key: str
    name: str
    name_zh: str
    province: str
    wmo: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float
    time_zone_h: float
    climate_zone: str
    climate_zone_verified: bool
    station_source: str
    station_verified: bool
    normals_period: str
    normals_source: str
    tmax_c: tuple[float, ...]
    tmin_c: tuple[float, ...]
    tmean_c: tuple[float, ...]
    rh_pct: tuple[float, ...]
    sunshine_h: tuple[float, ...]
    flags: tuple[str, ...]

    @property
    def primary_zone(self) -> str:
        from ultralow.weather.zones import primary_zone

        return primary_zone(self.climate_zone)

    def fingerprint(self) -> str:
        """SHA-256 of every field (used as part of cache keys)."""
        text = json.dumps(asdict(self), sort_keys=True, ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _normalise(name: str) -> str:
    return "".join(ch for ch in name.strip().lower() if ch not in " '’-_.")


def _data_text(filename: str) -> str:
    return resources.files("ultralow.weather").joinpath("data", filename).read_text("utf-8")


def _bool(text: str) -> bool:
    return text.strip().lower() in ("true", "yes", "1")


@functools.cache
def _load() -> dict[str, CityRecord]:
    months: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(_data_text("normals.csv").splitlines()):
        months.setdefault(row["key"], []).append(row)
    out: dict[str, CityRecord] = {}
    for row in csv.DictReader(_data_text("cities.csv").splitlines()):
        key = row["key"]
        rows = sorted(months.get(key, []), key=lambda r: int(r["month"]))
        if [int(r["month"]) for r in rows] != list(range(1, 13)):
            raise RuntimeError(f"registry data: {key} does not have 12 months of normals")

        def col(name: str, rows: list[dict[str, str]] = rows) -> tuple[float, ...]:
            return tuple(float(r[name]) for r in rows)

        out[key] = CityRecord(
            key=key,
            name=row["name"],
            name_zh=row["name_zh"],
            province=row["province"],
            wmo=row["wmo"],
            latitude_deg=float(row["latitude_deg"]),
            longitude_deg=float(row["longitude_deg"]),
            elevation_m=float(row["elevation_m"]),
            time_zone_h=float(row["time_zone_h"]),
            climate_zone=row["climate_zone"],
            climate_zone_verified=_bool(row["climate_zone_verified"]),
            station_source=row["station_source"],
            station_verified=_bool(row["station_verified"]),
            normals_period=row["normals_period"],
            normals_source=row["normals_source"],
            tmax_c=col("tmax_c"),
            tmin_c=col("tmin_c"),
            tmean_c=col("tmean_c"),
            rh_pct=col("rh_pct"),
            sunshine_h=col("sunshine_h"),
            flags=tuple(sorted({f"month {r['month']}: {r['flag']}" for r in rows if r["flag"]})),
        )
    return out


@functools.cache
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, rec in _load().items():
        for alias in (key, rec.name, rec.name_zh):
            table[_normalise(alias)] = key
    return table


def list_cities() -> list[str]:
    """Registry keys (lower case, e.g. ``"harbin"``, ``"xian"``), sorted."""
    return sorted(_load())


def get_city(name: str) -> CityRecord:
    """The registry record for ``name`` (case-insensitive; ``"Xi'an"`` = ``"xian"``).

    Raises :class:`InputError` naming the city and listing the allowed ones.
    """
    key = _aliases().get(_normalise(str(name)))
    if key is None:
        raise InputError(f"unknown city {name!r}; known cities: {', '.join(list_cities())} "
                         "(or give a weather file with --epw FILE)")
    return _load()[key]


def normals_sources() -> str:
    """The text of ``weather/data/SOURCES.md`` (citations for every registry value)."""
    return _data_text("SOURCES.md")
