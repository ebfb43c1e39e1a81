"""The fast model's rooftop PV: simulated once per weather file and array, then reused (issue 17).

EnergyPlus's ``Generator:PVWatts`` runs SSC's PVWatts v5 with its own solar-position algorithm at
every zone timestep; on a small template model that is about a third of the engine time (measured
with ``perf``, harbin residential: 1.8 s with the array, 1.1 s without, heating and cooling
identical). The array's output depends on nothing the building does: only on the weather, the
array (tilt, azimuth, module type, losses, inverter), the timestep and the run period, and it is
proportional to the DC capacity (PVWatts v5: DC and AC output, inverter efficiency curve and
clipping all scale with the nameplate). So the fast model (``fidelity = "fast"``):

1. the first run of an array keeps the PVWatts objects and, after the run, stores the hourly
   ``ElectricityProduced:Facility`` per watt of DC capacity (kWh/W, one value per reported hour)
   in ``<cache>/pv_profiles/<key>.npz``;
2. every later run of the same array (any capacity, any building) leaves the PV objects out of
   the EnergyPlus model and :func:`ultralow.sim.results.read_results` takes the hourly PV output
   from the stored profile times its capacity.

The key (:func:`profile_key`) covers the EnergyPlus version, the weather file's bytes, location,
timestep, run period, north axis and every field of the PV objects except the capacity. The full
model always simulates its array.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from ultralow.paths import cache_dir

PV_OBJECTS = ("GENERATOR:PVWATTS", "ELECTRICLOADCENTER:INVERTER:PVWATTS", "ELECTRICLOADCENTER:GENERATORS",
              "ELECTRICLOADCENTER:DISTRIBUTION")
PV_METER = "ElectricityProduced:Facility"
# objects whose fields decide the array's hourly output besides the PV objects themselves
CONTEXT_OBJECTS = ("VERSION", "TIMESTEP", "RUNPERIOD", "SITE:LOCATION", "SIMULATIONCONTROL")
J_PER_KWH = 3.6e6
FORMAT = 1  # bump when the stored profile changes meaning


@dataclass(frozen=True)
class PvProfile:
    """Hourly PV output per watt of DC capacity, kWh/W, with each value's Month, Day and Hour."""

    month: np.ndarray
    day: np.ndarray
    hour: np.ndarray
    kwh_per_w: np.ndarray

    def hourly_kwh(self, hourly: Any, capacity_w: float) -> np.ndarray:
        """The output (kWh per hour) of an array of ``capacity_w`` (W DC) on the hours of
        ``hourly`` (a frame with ``Month``, ``Day``, ``Hour``; the same run period, so the same
        hours in the same order, checked)."""
        same = (len(hourly) == len(self.kwh_per_w)
                and np.array_equal(hourly["Month"].to_numpy(dtype=int), self.month)
                and np.array_equal(hourly["Day"].to_numpy(dtype=int), self.day)
                and np.array_equal(hourly["Hour"].to_numpy(dtype=int), self.hour))
        if not same:
            raise RuntimeError("stored PV profile does not cover the run's hours (pv_profile key collision?)")
        return self.kwh_per_w * capacity_w


@dataclass
class PvPlan:
    """What :func:`plan` decided for one fast-model run."""

    key: str
    capacity_w: float
    profile: PvProfile | None  # None: the array is simulated this time; store its profile after the run


@lru_cache(maxsize=16)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fields(obj: Any, skip: tuple[str, ...] = ()) -> list[str]:
    return [str(v) for name, v in zip(obj.fieldnames, obj.fieldvalues, strict=False) if name not in skip]


def capacity_w(idf: Any) -> float:
    """DC capacity of the model's PVWatts arrays, W (0 without PV)."""
    return sum(float(g.DC_System_Capacity) for g in idf.idfobjects["GENERATOR:PVWATTS"])


def profile_key(idf: Any, epw_path: str | os.PathLike) -> str | None:
    """The cache key of the model's PV array (module docstring), None without one."""
    generators = idf.idfobjects["GENERATOR:PVWATTS"]
    if len(generators) != 1:
        return None
    epw = Path(epw_path).resolve()
    stat = epw.stat()
    parts: dict[str, Any] = {
        "format": FORMAT,
        "epw": _file_digest(str(epw), stat.st_mtime_ns, stat.st_size),
        "north_axis": [str(b.North_Axis) for b in idf.idfobjects["BUILDING"]],
        "generator": _fields(generators[0], ("Name", "DC_System_Capacity")),
        "inverter": [_fields(o, ("Name",)) for o in idf.idfobjects["ELECTRICLOADCENTER:INVERTER:PVWATTS"]],
    }
    for kind in CONTEXT_OBJECTS:
        parts[kind] = [_fields(o) for o in idf.idfobjects[kind]]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def _path(key: str) -> Path:
    return cache_dir() / "pv_profiles" / f"{key}.npz"


_PROFILES: dict[str, PvProfile] = {}


def load_profile(key: str) -> PvProfile | None:
    """The stored profile of ``key`` (this process's copy or the cache file), None if none."""
    if key in _PROFILES:
        return _PROFILES[key]
    path = _path(key)
    if not path.is_file():
        return None
    try:
        with np.load(path) as data:
            profile = PvProfile(data["month"], data["day"], data["hour"], data["kwh_per_w"])
    except (OSError, ValueError, KeyError):
        return None  # a damaged file: simulate the array again (and overwrite it)
    _PROFILES[key] = profile
    return profile


def strip_pv(idf: Any) -> None:
    """Remove the PV array, its inverter, load centre and its output meter from ``idf``."""
    for kind in PV_OBJECTS:
        for obj in list(idf.idfobjects[kind]):
            idf.removeidfobject(obj)
    for meter in list(idf.idfobjects["OUTPUT:METER"]):
        if str(meter.Key_Name) == PV_METER:
            idf.removeidfobject(meter)


def plan(model: Any, epw_path: str | os.PathLike, period_kind: str) -> PvPlan | None:
    """For a fast template model with a PV array (annual or run-period runs): reuse the stored
    profile (the PV objects are then removed from ``model.idf``) or schedule storing it after
    the run. None when the array is simulated as usual (full model, no PV, design days, a model
    file)."""
    if (getattr(model, "from_file", False) or model.parameters.get("fidelity", "full") != "fast"
            or period_kind == "design_days"):
        return None
    key = profile_key(model.idf, epw_path)
    if key is None:
        return None
    watts = capacity_w(model.idf)
    profile = load_profile(key)
    if profile is not None:
        strip_pv(model.idf)
    return PvPlan(key, watts, profile)


def store_profile(key: str, sql_path: str | os.PathLike, capacity: float) -> PvProfile | None:
    """Store the hourly PV output of a finished run (``eplusout.sql``, the weather-file run
    period) per watt of ``capacity`` under ``key``; returns it (None if the run has no PV meter)."""
    conn = sqlite3.connect(f"file:{sql_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            """SELECT t.Month, t.Day, t.Hour, r.Value FROM ReportData r
            JOIN ReportDataDictionary d ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex
            JOIN Time t ON r.TimeIndex = t.TimeIndex
            WHERE d.Name = ? AND d.ReportingFrequency = 'Hourly' AND t.Interval = 60
            AND t.EnvironmentPeriodIndex IN (SELECT EnvironmentPeriodIndex FROM EnvironmentPeriods
                                             WHERE EnvironmentType = 3)
            ORDER BY t.TimeIndex""", (PV_METER,)).fetchall()
    finally:
        conn.close()
    if not rows or capacity <= 0:
        return None
    data = np.array(rows, dtype=float)
    profile = PvProfile(data[:, 0].astype(np.int16), data[:, 1].astype(np.int16), data[:, 2].astype(np.int16),
                        data[:, 3] / J_PER_KWH / capacity)  # ~90 kB a year
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, month=profile.month, day=profile.day, hour=profile.hour,
                     kwh_per_w=profile.kwh_per_w)
        os.replace(tmp, path)  # atomic: parallel workers never read half a file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _PROFILES[key] = profile
    return profile
