"""What period a simulation covers: the whole weather year, a run period, or design days.

Design days are derived from the weather file itself (any EPW, including synthetic ones whose
header may carry no ASHRAE design conditions): the heating day at the 99.6 % (0.4th
percentile) hourly dry-bulb, the cooling day at the 0.4 % (99.6th percentile) dry-bulb with
the mean dew point of the hottest 1 % of hours, clear sky (ASHRAE clear-sky model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from ultralow.errors import InputError

_PERIOD = re.compile(r"(\d{1,2})-(\d{1,2}):(\d{1,2})-(\d{1,2})")
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the non-leap weather year


def idf_text(text: object, default: str = "site") -> str:
    """``text`` (e.g. an EPW LOCATION city) made safe as an IDF alpha field: the IDF separators
    ``,`` and ``;``, the comment sign ``!`` and control characters (newlines) become spaces, runs
    of spaces one; ``default`` when nothing is left."""
    cleaned = "".join(" " if ch in ",;!" or not ch.isprintable() else ch for ch in str(text))
    return " ".join(cleaned.split())[:100] or default


@dataclass(frozen=True)
class RunPeriod:
    """A simulated period. ``kind`` is ``annual``, ``period`` or ``design_days``."""

    kind: str = "annual"
    start_month: int = 1
    start_day: int = 1
    end_month: int = 12
    end_day: int = 31

    @classmethod
    def parse(cls, text: str | None) -> RunPeriod:
        """``annual`` (default), ``design-days``, or ``MM-DD:MM-DD`` (e.g. ``01-01:01-14``; a period
        may run over the new year, e.g. ``12-01:02-28``). Dates are of a non-leap year (the
        weather year): ``02-29`` and ``02-30`` are refused."""
        if text is None or text == "annual":
            return cls()
        if text in ("design-days", "design_days"):
            return cls(kind="design_days")
        allowed = "use 'annual', 'design-days' or MM-DD:MM-DD (e.g. 01-01:01-14)"
        match = _PERIOD.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise InputError(f"period {text!r}: {allowed}")
        sm, sd, em, ed = (int(x) for x in match.groups())
        for label, month, day in (("start", sm, sd), ("end", em, ed)):
            if not 1 <= month <= 12:
                raise InputError(f"period {text!r}: {label} month {month:02d} is not 1-12; {allowed}")
            if not 1 <= day <= DAYS_IN_MONTH[month - 1]:
                raise InputError(f"period {text!r}: {label} day {month:02d}-{day:02d} does not exist (month "
                                 f"{month:02d} has days 01-{DAYS_IN_MONTH[month - 1]:02d} in the non-leap "
                                 f"weather year); {allowed}")
        return cls(kind="period", start_month=sm, start_day=sd, end_month=em, end_day=ed)

    @property
    def label(self) -> str:
        if self.kind == "period":
            return f"{self.start_month:02d}-{self.start_day:02d}:{self.end_month:02d}-{self.end_day:02d}"
        return self.kind


@dataclass(frozen=True)
class EpwClimate:
    """What the model needs from a weather file."""

    city: str
    latitude_deg: float
    longitude_deg: float
    time_zone_h: float
    elevation_m: float
    monthly_mean_dry_bulb_c: tuple[float, ...]
    heating_design_dry_bulb_c: float
    cooling_design_dry_bulb_c: float
    cooling_design_dew_point_c: float
    mean_pressure_pa: float


@lru_cache(maxsize=64)
def _epw_climate(path: str, mtime_ns: int) -> EpwClimate:
    from ultralow.weather.epw import read_epw

    epw = read_epw(path)  # validates the file; errors name the line and the problem
    loc = epw.header.location
    data = epw.data
    dry = data["dry_bulb_c"].to_numpy(dtype=float)
    dew = data["dew_point_c"].to_numpy(dtype=float)
    pressure = data["atmospheric_pressure_pa"].to_numpy(dtype=float)
    month = data["month"].to_numpy()
    hot = dry >= np.nanquantile(dry, 0.99)
    return EpwClimate(
        city=loc.city,
        latitude_deg=loc.latitude_deg,
        longitude_deg=loc.longitude_deg,
        time_zone_h=loc.time_zone_h,
        elevation_m=loc.elevation_m,
        monthly_mean_dry_bulb_c=tuple(float(np.nanmean(dry[month == m])) for m in range(1, 13)),
        heating_design_dry_bulb_c=float(np.nanquantile(dry, 0.004)),
        cooling_design_dry_bulb_c=float(np.nanquantile(dry, 0.996)),
        cooling_design_dew_point_c=float(np.nanmean(dew[hot])),
        mean_pressure_pa=float(np.nanmean(pressure)),
    )


def epw_climate(path: str | Path) -> EpwClimate:
    """Location, monthly means and design conditions of an EPW (cached per file version)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"weather file {str(p)!r} does not exist")
    return _epw_climate(str(p.resolve()), p.stat().st_mtime_ns)


def apply_run_period(idf: Any, period: RunPeriod, climate: EpwClimate) -> None:
    """Add SimulationControl, location, design days and the run period to ``idf``."""
    idf.newidfobject(
        "SIMULATIONCONTROL",
        Do_Zone_Sizing_Calculation="No",
        Do_System_Sizing_Calculation="No",
        Do_Plant_Sizing_Calculation="No",
        Run_Simulation_for_Sizing_Periods="Yes" if period.kind == "design_days" else "No",
        Run_Simulation_for_Weather_File_Run_Periods="No" if period.kind == "design_days" else "Yes",
    )
    idf.newidfobject(
        "SITE:LOCATION", Name=idf_text(climate.city), Latitude=climate.latitude_deg,
        Longitude=climate.longitude_deg, Time_Zone=climate.time_zone_h,
        Elevation=climate.elevation_m,
    )
    pressure = round(climate.mean_pressure_pa)
    idf.newidfobject(
        "SIZINGPERIOD:DESIGNDAY", Name="Heating 99.6% design day", Month=1, Day_of_Month=21,
        Day_Type="WinterDesignDay",
        Maximum_DryBulb_Temperature=round(climate.heating_design_dry_bulb_c, 1),
        Daily_DryBulb_Temperature_Range=0.0, Humidity_Condition_Type="DewPoint",
        Wetbulb_or_DewPoint_at_Maximum_DryBulb=round(climate.heating_design_dry_bulb_c - 2.0, 1),
        Barometric_Pressure=pressure, Wind_Speed=3.0, Wind_Direction=0,
        Solar_Model_Indicator="ASHRAEClearSky", Sky_Clearness=0.0,
    )
    idf.newidfobject(
        "SIZINGPERIOD:DESIGNDAY", Name="Cooling 0.4% design day", Month=7, Day_of_Month=21,
        Day_Type="SummerDesignDay",
        Maximum_DryBulb_Temperature=round(climate.cooling_design_dry_bulb_c, 1),
        Daily_DryBulb_Temperature_Range=8.0, Humidity_Condition_Type="DewPoint",
        Wetbulb_or_DewPoint_at_Maximum_DryBulb=round(
            min(climate.cooling_design_dew_point_c, climate.cooling_design_dry_bulb_c), 1
        ),
        Barometric_Pressure=pressure, Wind_Speed=3.0, Wind_Direction=180,
        Solar_Model_Indicator="ASHRAEClearSky", Sky_Clearness=1.0,
    )
    start = (period.start_month, period.start_day) if period.kind == "period" else (1, 1)
    end = (period.end_month, period.end_day) if period.kind == "period" else (12, 31)
    idf.newidfobject(
        "RUNPERIOD", Name="Run period", Begin_Month=start[0], Begin_Day_of_Month=start[1],
        End_Month=end[0], End_Day_of_Month=end[1], Use_Weather_File_Holidays_and_Special_Days="Yes",
        Use_Weather_File_Daylight_Saving_Period="No", Apply_Weekend_Holiday_Rule="No",
        Use_Weather_File_Rain_Indicators="Yes", Use_Weather_File_Snow_Indicators="Yes",
    )
