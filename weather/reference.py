"""Reference climate data the synthetic files are built from and judged against.

Three cited data files (``weather/data/SOURCES.md``, section "Reference data"):

* ``station_climatology.csv``: CBED station climatology (Chinese Building Energy-Efficient
  Design Datasets, GitHub ``buildingdata/CBED-portal``): per registry city and month the
  station's monthly global and diffuse horizontal radiation (kWh/m²), mean daily mean/max/min
  air temperature (°C) and mean relative humidity (%);
* ``measured_years.csv``: per measured city and calendar year 2010–2015 the HDD18, CDD26, WDH20,
  DDH28 of the hourly records of the UCI "PM2.5 Data of Five Chinese Cities" data set, computed
  with :func:`ultralow.weather.indices.climate_indices` (``complete`` = no gap longer than 6 h);
* ``donors/<city>_typical.csv``: a typical year of those hourly records (Finkelstein–Schafer
  month selection as in TMY3): dry bulb, dew point and pressure, the Chinese measured donor of
  the synthetic files.

Nothing here reads anything outside the package.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import statistics
from dataclasses import dataclass
from importlib import resources

import pandas as pd
from ultralow.errors import InputError


def _text(*parts: str) -> str:
    return resources.files("ultralow.weather").joinpath("data", *parts).read_text("utf-8")


@dataclass(frozen=True)
class StationClimatology:
    """Monthly station climatology of one registry city (tuples January..December).

    ``ghi_kwh_m2``/``dhi_kwh_m2``: monthly global/diffuse horizontal irradiation (kWh/m²);
    ``tmean_c``/``tmax_c``/``tmin_c``: monthly means of the daily mean/max/min (°C);
    ``rh_pct``: monthly mean relative humidity (%). ``station_flag`` is empty when the station
    is the city's own, else says which station stands in (e.g. a neighbouring one).
    """

    key: str
    station_id: str
    station_name_zh: str
    station_flag: str
    ghi_kwh_m2: tuple[float, ...]
    dhi_kwh_m2: tuple[float, ...]
    tmean_c: tuple[float, ...]
    tmax_c: tuple[float, ...]
    tmin_c: tuple[float, ...]
    rh_pct: tuple[float, ...]

    @property
    def annual_ghi_kwh_m2(self) -> float:
        return float(sum(self.ghi_kwh_m2))


@functools.cache
def _climatologies() -> dict[str, StationClimatology]:
    rows: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(_text("station_climatology.csv"))):
        rows.setdefault(row["key"], []).append(row)
    out = {}
    for key, months in rows.items():
        months.sort(key=lambda r: int(r["month"]))
        if [int(r["month"]) for r in months] != list(range(1, 13)):
            raise RuntimeError(f"station_climatology.csv: {key} does not have 12 months")

        def col(name: str, months: list[dict[str, str]] = months) -> tuple[float, ...]:
            return tuple(float(r[name]) for r in months)

        first = months[0]
        out[key] = StationClimatology(key, first["station_id"], first["station_name_zh"],
                                      first["station_flag"], col("ghi_kwh_m2"), col("dhi_kwh_m2"),
                                      col("tmean_c"), col("tmax_c"), col("tmin_c"), col("rh_pct"))
    return out


def station_climatology(city_key: str) -> StationClimatology | None:
    """The CBED station climatology of a registry city (None when the file has none)."""
    return _climatologies().get(city_key)


@dataclass(frozen=True)
class MeasuredYear:
    """Climate indices of one measured calendar year (UCI hourly records)."""

    city: str
    year: int
    complete: bool
    hdd18_kd: float
    cdd26_kd: float
    wdh20_kkh: float
    ddh28_kkh: float
    tmean_c: float
    rh_pct: float


@functools.cache
def _measured_years() -> tuple[MeasuredYear, ...]:
    out = []
    for r in csv.DictReader(io.StringIO(_text("measured_years.csv"))):
        out.append(MeasuredYear(r["city"], int(r["year"]), r["complete"].strip().lower() == "true",
                                float(r["hdd18_kd"]), float(r["cdd26_kd"]), float(r["wdh20_kkh"]),
                                float(r["ddh28_kkh"]), float(r["tmean_c"]), float(r["rh_pct"])))
    return tuple(out)


def measured_years(city_key: str | None, *, complete_only: bool = True) -> tuple[MeasuredYear, ...]:
    """The measured years of a city (empty for a city without a measured record or ``None``)."""
    if city_key is None:
        return ()
    return tuple(y for y in _measured_years() if y.city == city_key and (y.complete or not complete_only))


def measured_cities() -> tuple[str, ...]:
    """Cities with a measured hourly record (keys as in ``measured_years.csv``)."""
    return tuple(sorted({y.city for y in _measured_years()}))


@dataclass(frozen=True)
class Spread:
    """Minimum, maximum, mean and sample standard deviation of a quantity over ``n`` years."""

    n: int
    minimum: float
    maximum: float
    mean: float
    sd: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if not values:
            raise ValueError("no values")
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return cls(len(values), min(values), max(values), statistics.fmean(values), sd)

    def contains(self, value: float) -> bool:
        return self.minimum <= value <= self.maximum

    def to_dict(self) -> dict[str, float | int]:
        return {"n_years": self.n, "min": round(self.minimum, 3), "max": round(self.maximum, 3),
                "mean": round(self.mean, 3), "sd": round(self.sd, 3)}


@functools.cache
def _typical_year_text(city: str) -> str:
    try:
        return _text("donors", f"{city}_typical.csv")
    except FileNotFoundError:
        raise InputError(f"no measured typical year for {city!r}; known: {', '.join(measured_cities())}") from None


def measured_typical_year_sha256(city: str) -> str:
    """SHA-256 of a measured typical year's file (part of the synthetic files' cache keys)."""
    return hashlib.sha256(_typical_year_text(city).encode()).hexdigest()


@functools.cache
def measured_typical_year(city: str) -> pd.DataFrame:
    """The typical year of a measured city's hourly records (8760 rows: month, day, hour 1..24,
    source_year, dry_bulb_c, dew_point_c, pressure_pa)."""
    frame = pd.read_csv(io.StringIO(_typical_year_text(city)))
    if len(frame) != 8760:
        raise RuntimeError(f"donors/{city}_typical.csv has {len(frame)} rows, expected 8760")
    return frame
