"""Read and write EnergyPlus weather (EPW) files.

An EPW file has eight header lines (``LOCATION``, ``DESIGN CONDITIONS``, ``TYPICAL/EXTREME
PERIODS``, ``GROUND TEMPERATURES``, ``HOLIDAYS/DAYLIGHT SAVINGS``, ``COMMENTS 1``, ``COMMENTS 2``,
``DATA PERIODS``) followed by one comma-separated record of 35 fields per time step, as defined in
the EnergyPlus *Auxiliary Programs* manual, section "EnergyPlus Weather File (EPW) Data
Dictionary".

:func:`read_epw` returns an :class:`Epw`: a parsed :class:`EpwHeader` and a pandas
``DataFrame`` with one named column per field (units in the names, see :data:`COLUMNS`).
:func:`write_epw` writes it back. The reader keeps the original text of every header line and
every data field, and the writer re-uses that text for every value that was not changed, so
``write_epw(read_epw(x))`` reproduces a clean file byte for byte. Changed values are formatted
with the usual EPW precision (:data:`DECIMALS`).

A malformed file raises :class:`ultralow.errors.InputError` naming the file, the line and the
problem (wrong number of fields, non-numeric value, missing or duplicated hour, physically
impossible value). Values equal to the EPW "missing" codes (e.g. 99.9 °C, 9999 Wh/m²) are
accepted as they are; EnergyPlus substitutes them.
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from ultralow.errors import InputError

#: Data columns in file order: (column name, unit, EPW missing code or None).
COLUMNS: tuple[tuple[str, str, float | None], ...] = (
    ("year", "-", None),
    ("month", "-", None),
    ("day", "-", None),
    ("hour", "h (1-24, hour ending)", None),
    ("minute", "min", None),
    ("data_source_flags", "-", None),
    ("dry_bulb_c", "°C", 99.9),
    ("dew_point_c", "°C", 99.9),
    ("relative_humidity_pct", "%", 999.0),
    ("atmospheric_pressure_pa", "Pa", 999999.0),
    ("extraterrestrial_horizontal_radiation_wh_m2", "Wh/m²", 9999.0),
    ("extraterrestrial_direct_normal_radiation_wh_m2", "Wh/m²", 9999.0),
    ("horizontal_infrared_radiation_wh_m2", "Wh/m²", 9999.0),
    ("ghi_wh_m2", "Wh/m²", 9999.0),
    ("dni_wh_m2", "Wh/m²", 9999.0),
    ("dhi_wh_m2", "Wh/m²", 9999.0),
    ("global_horizontal_illuminance_lux", "lux", 999999.0),
    ("direct_normal_illuminance_lux", "lux", 999999.0),
    ("diffuse_horizontal_illuminance_lux", "lux", 999999.0),
    ("zenith_luminance_cd_m2", "cd/m²", 9999.0),
    ("wind_direction_deg", "° from north", 999.0),
    ("wind_speed_m_s", "m/s", 999.0),
    ("total_sky_cover_tenths", "tenths", 99.0),
    ("opaque_sky_cover_tenths", "tenths", 99.0),
    ("visibility_km", "km", 9999.0),
    ("ceiling_height_m", "m", 99999.0),
    ("present_weather_observation", "-", None),
    ("present_weather_codes", "-", None),
    ("precipitable_water_mm", "mm", 999.0),
    ("aerosol_optical_depth_thousandths", "thousandths", 0.999),
    ("snow_depth_cm", "cm", 999.0),
    ("days_since_last_snowfall", "d", 99.0),
    ("albedo", "-", 999.0),
    ("liquid_precipitation_depth_mm", "mm", 999.0),
    ("liquid_precipitation_quantity_h", "h", 99.0),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c[0] for c in COLUMNS)
UNITS: dict[str, str] = {c[0]: c[1] for c in COLUMNS}
MISSING: dict[str, float] = {c[0]: c[2] for c in COLUMNS if c[2] is not None}
N_FIELDS = len(COLUMNS)
TIME_COLUMNS = ("year", "month", "day", "hour", "minute")
STRING_COLUMNS = ("data_source_flags", "present_weather_codes")

#: Decimals used when a changed value is formatted (EPW conventions as in TMY3/IWEC files).
DECIMALS: dict[str, int] = {name: 0 for name in COLUMN_NAMES}
DECIMALS.update(
    dry_bulb_c=1,
    dew_point_c=1,
    wind_speed_m_s=1,
    visibility_km=1,
    aerosol_optical_depth_thousandths=4,
    albedo=3,
    liquid_precipitation_depth_mm=1,
)

#: Columns that may be empty in a file (read as NaN); every other column must hold a number.
_REQUIRED = ("dry_bulb_c", "dew_point_c", "relative_humidity_pct", "atmospheric_pressure_pa")

#: Physically possible ranges (inclusive) for values that are not the missing code.
#: Limits follow the EnergyPlus weather-file reader's own range checks where it has them.
VALID_RANGES: dict[str, tuple[float, float]] = {
    "dry_bulb_c": (-90.0, 70.0),
    "dew_point_c": (-90.0, 70.0),
    "relative_humidity_pct": (0.0, 110.0),
    "atmospheric_pressure_pa": (31000.0, 120000.0),
    "extraterrestrial_horizontal_radiation_wh_m2": (0.0, 1500.0),
    "extraterrestrial_direct_normal_radiation_wh_m2": (0.0, 1500.0),
    "horizontal_infrared_radiation_wh_m2": (0.0, 1000.0),
    "ghi_wh_m2": (0.0, 1500.0),
    "dni_wh_m2": (0.0, 1500.0),
    "dhi_wh_m2": (0.0, 1000.0),
    "wind_direction_deg": (0.0, 360.0),
    "wind_speed_m_s": (0.0, 70.0),
    "total_sky_cover_tenths": (0.0, 10.0),
    "opaque_sky_cover_tenths": (0.0, 10.0),
}
#: Tolerance (K) on dew point above dry bulb before a record is called impossible; real files
#: carry a few tenths of rounding.
DEW_POINT_TOLERANCE_K = 1.0

HEADER_KEYWORDS = (
    "LOCATION",
    "DESIGN CONDITIONS",
    "TYPICAL/EXTREME PERIODS",
    "GROUND TEMPERATURES",
    "HOLIDAYS/DAYLIGHT SAVINGS",
    "COMMENTS 1",
    "COMMENTS 2",
    "DATA PERIODS",
)


@dataclass
class Location:
    """The ``LOCATION`` record. Longitude east positive, time zone in hours from UTC."""

    city: str
    state_province: str
    country: str
    source: str
    wmo: str
    latitude_deg: float
    longitude_deg: float
    time_zone_h: float
    elevation_m: float


@dataclass
class GroundTemperatures:
    """One depth of the ``GROUND TEMPERATURES`` record (monthly values, °C)."""

    depth_m: float
    monthly_c: list[float]
    conductivity_w_mk: float | None = None
    density_kg_m3: float | None = None
    specific_heat_j_kgk: float | None = None


@dataclass
class DataPeriod:
    """One data period of the ``DATA PERIODS`` record."""

    name: str
    start_weekday: str
    start: str  # "m/d" as written, e.g. " 1/ 1"
    end: str


@dataclass
class EpwHeader:
    """The eight header records of an EPW file.

    Records that ultralow does not interpret field by field (design conditions, typical/extreme
    periods, holidays) are kept as their list of fields after the keyword.
    """

    location: Location
    design_conditions: list[str] = field(default_factory=lambda: ["0"])
    typical_extreme_periods: list[str] = field(default_factory=lambda: ["0"])
    ground_temperatures: list[GroundTemperatures] = field(default_factory=list)
    holidays_daylight_savings: list[str] = field(default_factory=lambda: ["No", "0", "0", "0"])
    comments_1: str = ""
    comments_2: str = ""
    records_per_hour: int = 1
    data_periods: list[DataPeriod] = field(default_factory=list)
    #: Original text of each header line and the parsed value it came from (for lossless writes).
    _original: dict[str, tuple[object, str]] = field(default_factory=dict, repr=False,
                                                     compare=False)


@dataclass
class Epw:
    """A weather file: header plus one row per record (see :data:`COLUMNS` for names/units)."""

    header: EpwHeader
    data: pd.DataFrame
    path: Path | None = None
    newline: str = "\n"
    _raw: np.ndarray | None = field(default=None, repr=False, compare=False)
    _raw_values: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def location(self) -> Location:
        return self.header.location

    def copy(self) -> Epw:
        """Deep copy (data frame and header); keeps the original text for unchanged values."""
        return Epw(
            header=copy.deepcopy(self.header),
            data=self.data.copy(),
            path=self.path,
            newline=self.newline,
            _raw=self._raw,
            _raw_values=self._raw_values,
        )


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _fail(path: Path | str, line_no: int | None, problem: str) -> InputError:
    where = f"{path}, line {line_no}" if line_no is not None else f"{path}"
    return InputError(f"weather file {where}: {problem}")


def _float(text: str, path: Path, line_no: int, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _fail(path, line_no, f"{what} is not a number: {text!r}") from None


def _parse_location(fields: list[str], path: Path, line_no: int) -> Location:
    if len(fields) < 9:
        raise _fail(path, line_no, f"LOCATION needs 9 fields after the keyword, found "
                                   f"{len(fields)}")
    lat = _float(fields[5], path, line_no, "LOCATION latitude")
    lon = _float(fields[6], path, line_no, "LOCATION longitude")
    tz = _float(fields[7], path, line_no, "LOCATION time zone")
    elev = _float(fields[8], path, line_no, "LOCATION elevation")
    if not -90 <= lat <= 90:
        raise _fail(path, line_no, f"LOCATION latitude {lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise _fail(path, line_no, f"LOCATION longitude {lon} is outside -180..180")
    if not -12 <= tz <= 14:
        raise _fail(path, line_no, f"LOCATION time zone {tz} is outside -12..+14 h")
    if not -1000 <= elev <= 9000:
        raise _fail(path, line_no, f"LOCATION elevation {elev} m is outside -1000..9000 m")
    return Location(fields[0], fields[1], fields[2], fields[3], fields[4], lat, lon, tz, elev)


def _opt_float(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def _parse_ground(fields: list[str], path: Path, line_no: int) -> list[GroundTemperatures]:
    if not fields or not fields[0].strip():
        return []
    try:
        n = int(fields[0])
        out = []
        pos = 1
        for _ in range(n):
            depth = float(fields[pos])
            cond, dens, cp = (_opt_float(f) for f in fields[pos + 1 : pos + 4])
            months = [float(f) for f in fields[pos + 4 : pos + 16]]
            if len(months) != 12:
                raise ValueError("fewer than 12 monthly values")
            out.append(GroundTemperatures(depth, months, cond, dens, cp))
            pos += 16
    except (ValueError, IndexError) as exc:
        raise _fail(path, line_no, f"GROUND TEMPERATURES is malformed ({exc})") from None
    return out


def _parse_data_periods(fields: list[str], path: Path,
                        line_no: int) -> tuple[int, list[DataPeriod]]:
    try:
        n = int(fields[0])
        per_hour = int(fields[1])
        periods = [DataPeriod(*fields[2 + 4 * i : 6 + 4 * i]) for i in range(n)]
    except (ValueError, IndexError, TypeError):
        raise _fail(path, line_no, "DATA PERIODS must be: count, records per hour, then name, "
                                   "start weekday, start m/d, end m/d per period") from None
    if not 1 <= per_hour <= 60 or 60 % per_hour:
        raise _fail(path, line_no, f"DATA PERIODS records per hour {per_hour} must divide 60")
    if n < 1:
        raise _fail(path, line_no, "DATA PERIODS declares no period")
    return per_hour, periods


def _split_header_line(line: str) -> list[str]:
    return line.split(",")


def _read_header(lines: list[str], path: Path) -> EpwHeader:
    if len(lines) < len(HEADER_KEYWORDS):
        raise _fail(path, len(lines) + 1, f"file ends inside the header ({len(lines)} lines, "
                                          f"an EPW has {len(HEADER_KEYWORDS)} header lines)")
    parsed: dict[str, object] = {}
    for i, keyword in enumerate(HEADER_KEYWORDS):
        line = lines[i]
        line_no = i + 1
        head, _, rest = line.partition(",")
        if head.strip().upper() != keyword:
            raise _fail(path, line_no, f"expected header record {keyword!r}, found "
                                       f"{line[:40]!r}")
        fields = _split_header_line(rest) if rest else []
        if keyword == "LOCATION":
            parsed[keyword] = _parse_location(fields, path, line_no)
        elif keyword == "GROUND TEMPERATURES":
            parsed[keyword] = _parse_ground(fields, path, line_no)
        elif keyword == "DATA PERIODS":
            parsed[keyword] = _parse_data_periods(fields, path, line_no)
        elif keyword.startswith("COMMENTS"):
            parsed[keyword] = rest
        else:
            parsed[keyword] = fields
    per_hour, periods = parsed["DATA PERIODS"]  # type: ignore[misc]
    header = EpwHeader(
        location=parsed["LOCATION"],  # type: ignore[arg-type]
        design_conditions=parsed["DESIGN CONDITIONS"],  # type: ignore[arg-type]
        typical_extreme_periods=parsed["TYPICAL/EXTREME PERIODS"],  # type: ignore[arg-type]
        ground_temperatures=parsed["GROUND TEMPERATURES"],  # type: ignore[arg-type]
        holidays_daylight_savings=parsed["HOLIDAYS/DAYLIGHT SAVINGS"],  # type: ignore[arg-type]
        comments_1=parsed["COMMENTS 1"],  # type: ignore[arg-type]
        comments_2=parsed["COMMENTS 2"],  # type: ignore[arg-type]
        records_per_hour=per_hour,
        data_periods=periods,
    )
    header._original = {
        kw: (copy.deepcopy(_header_value(header, kw)), lines[i])
        for i, kw in enumerate(HEADER_KEYWORDS)
    }
    return header


def _header_value(header: EpwHeader, keyword: str) -> object:
    return {
        "LOCATION": header.location,
        "DESIGN CONDITIONS": header.design_conditions,
        "TYPICAL/EXTREME PERIODS": header.typical_extreme_periods,
        "GROUND TEMPERATURES": header.ground_temperatures,
        "HOLIDAYS/DAYLIGHT SAVINGS": header.holidays_daylight_savings,
        "COMMENTS 1": header.comments_1,
        "COMMENTS 2": header.comments_2,
        "DATA PERIODS": (header.records_per_hour, header.data_periods),
    }[keyword]


def _parse_md(text: str) -> tuple[int, int]:
    m, _, d = text.strip().partition("/")
    return int(m), int(d)


def _expected_times(header: EpwHeader, leap: bool, path: Path) -> list[tuple[int, int, int, int]]:
    """(month, day, hour, sub-hour index) of every record the DATA PERIODS promise."""
    year = 2024 if leap else 2023
    out: list[tuple[int, int, int, int]] = []
    for period in header.data_periods:
        try:
            sm, sd = _parse_md(period.start)
            em, ed = _parse_md(period.end)
            start = _dt.date(year, sm, sd)
            end = _dt.date(year, em, ed)
        except ValueError:
            raise _fail(path, 8, f"DATA PERIODS start/end {period.start!r}/{period.end!r} is "
                                 "not a month/day") from None
        if end < start:
            end = _dt.date(year + 1, em, ed)
        day = start
        while day <= end:
            for hour in range(1, 25):
                for k in range(header.records_per_hour):
                    out.append((day.month, day.day, hour, k))
            day += _dt.timedelta(days=1)
    return out


def read_epw(path: str | os.PathLike) -> Epw:
    """Read an EPW file.

    Returns an :class:`Epw` whose ``data`` frame has the columns of :data:`COLUMNS` (time columns
    as integers, the two code columns as strings, everything else as float, empty fields as NaN).
    Raises :class:`InputError` naming the file, line and problem if the file is missing or
    malformed.
    """
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"weather file {path} does not exist") from None
    except OSError as exc:
        raise InputError(f"weather file {path} cannot be read: {exc.strerror}") from None
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        text = raw_bytes.decode("latin-1")
    newline = "\r\n" if "\r\n" in text[:4000] else "\n"
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    header = _read_header(lines, path)
    n_head = len(HEADER_KEYWORDS)
    body = lines[n_head:]
    if not body:
        raise _fail(path, n_head + 1, "no data records after the header")

    rows = [line.split(",") for line in body]
    for i, row in enumerate(rows):
        if len(row) != N_FIELDS:
            raise _fail(path, n_head + 1 + i, f"wrong number of fields: found {len(row)}, an EPW "
                                              f"data record has {N_FIELDS}")
    raw = np.array(rows, dtype=object)
    frame = _typed_frame(raw, path, n_head)
    _check_times(frame, header, path, n_head)
    _check_values(frame, path, n_head)
    epw = Epw(header=header, data=frame, path=path, newline=newline, _raw=raw,
              _raw_values=frame.copy())
    return epw


def _typed_frame(raw: np.ndarray, path: Path, n_head: int) -> pd.DataFrame:
    columns: dict[str, object] = {}
    for j, name in enumerate(COLUMN_NAMES):
        col = raw[:, j]
        if name in STRING_COLUMNS:
            columns[name] = pd.Series(col, dtype=object)
            continue
        stripped = pd.Series(col, dtype=object).str.strip()
        values = pd.to_numeric(stripped, errors="coerce")
        bad = values.isna() & (stripped != "")
        if name in TIME_COLUMNS or name in _REQUIRED:
            bad |= stripped == ""
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _fail(path, n_head + 1 + i, f"field {j + 1} ({name}) is not a number: "
                                              f"{col[i]!r}")
        if name in TIME_COLUMNS:
            if (values != values.round()).any():
                i = int(np.flatnonzero((values != values.round()).to_numpy())[0])
                raise _fail(path, n_head + 1 + i, f"field {j + 1} ({name}) must be a whole "
                                                  f"number: {col[i]!r}")
            columns[name] = values.astype("int64")
        else:
            columns[name] = values.astype("float64")
    return pd.DataFrame(columns)


def _check_times(frame: pd.DataFrame, header: EpwHeader, path: Path, n_head: int) -> None:
    month = frame["month"].to_numpy()
    day = frame["day"].to_numpy()
    hour = frame["hour"].to_numpy()
    for i in np.flatnonzero((month < 1) | (month > 12) | (day < 1) | (day > 31) | (hour < 1)
                            | (hour > 24))[:1]:
        raise _fail(path, n_head + 1 + int(i), f"impossible date/hour month={month[i]} "
                                               f"day={day[i]} hour={hour[i]}")
    leap = bool(((month == 2) & (day == 29)).any())
    expected = _expected_times(header, leap, path)
    per_hour = header.records_per_hour
    # sub-hour index of each record: count of repeats of the same (month, day, hour) so far
    keys = list(zip(month.tolist(), day.tolist(), hour.tolist(), strict=True))
    actual: list[tuple[int, int, int, int]] = []
    last = None
    k = 0
    for key in keys:
        k = k + 1 if key == last else 0
        last = key
        actual.append((*key, k))
    for i, (exp, got) in enumerate(zip(expected, actual, strict=False)):
        if exp != got:
            line_no = n_head + 1 + i
            if got[3] >= per_hour or (i > 0 and got[:3] == actual[i - 1][:3] and per_hour == 1):
                problem = "duplicated"
            elif got in expected[i + 1 :][:2000]:
                problem = "missing"
            else:
                problem = "out of order"
            raise _fail(path, line_no, f"{problem} hour: expected month {exp[0]} day {exp[1]} "
                                       f"hour {exp[2]}, found month {got[0]} day {got[1]} hour "
                                       f"{got[2]}")
    if len(actual) < len(expected):
        exp = expected[len(actual)]
        raise _fail(path, n_head + len(actual) + 1, f"missing hours: file ends before month "
                                                    f"{exp[0]} day {exp[1]} hour {exp[2]} "
                                                    "promised by DATA PERIODS")
    if len(actual) > len(expected):
        raise _fail(path, n_head + len(expected) + 1, "more records than DATA PERIODS declares "
                                                      f"({len(expected)})")


def _check_values(frame: pd.DataFrame, path: Path, n_head: int) -> None:
    for name, (lo, hi) in VALID_RANGES.items():
        values = frame[name].to_numpy()
        missing_code = MISSING.get(name)
        ok = np.isnan(values) | ((values >= lo) & (values <= hi))
        if missing_code is not None:
            ok |= values == missing_code
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise _fail(path, n_head + 1 + i, f"{name} = {values[i]:g} {UNITS[name]} is "
                                              f"physically impossible (allowed {lo:g}..{hi:g} "
                                              f"or the missing code {missing_code:g})")
    tdb = frame["dry_bulb_c"].to_numpy()
    tdp = frame["dew_point_c"].to_numpy()
    valid = (tdb != MISSING["dry_bulb_c"]) & (tdp != MISSING["dew_point_c"])
    bad = valid & (tdp > tdb + DEW_POINT_TOLERANCE_K)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _fail(path, n_head + 1 + i, f"dew point {tdp[i]:g} °C is above the dry-bulb "
                                          f"temperature {tdb[i]:g} °C (physically impossible)")


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _fmt_number(value: float | None, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _render_header_line(header: EpwHeader, keyword: str) -> str:
    value = _header_value(header, keyword)
    original = header._original.get(keyword)
    if original is not None and original[0] == value:
        return original[1]
    if keyword == "LOCATION":
        loc = header.location
        fields = [loc.city, loc.state_province, loc.country, loc.source, loc.wmo,
                  _fmt_number(loc.latitude_deg, 4), _fmt_number(loc.longitude_deg, 4),
                  _fmt_number(loc.time_zone_h, 2), _fmt_number(loc.elevation_m, 1)]
    elif keyword == "GROUND TEMPERATURES":
        fields = [str(len(header.ground_temperatures))]
        for g in header.ground_temperatures:
            fields += [_fmt_number(g.depth_m, 2), _fmt_number(g.conductivity_w_mk),
                       _fmt_number(g.density_kg_m3), _fmt_number(g.specific_heat_j_kgk)]
            fields += [f"{t:.2f}" for t in g.monthly_c]
    elif keyword == "DATA PERIODS":
        fields = [str(len(header.data_periods)), str(header.records_per_hour)]
        for p in header.data_periods:
            fields += [p.name, p.start_weekday, p.start, p.end]
    elif keyword.startswith("COMMENTS"):
        return f"{keyword},{value}"
    else:
        fields = list(value)  # type: ignore[call-overload]
    return ",".join([keyword, *fields])


def _format_column(name: str, values: pd.Series) -> np.ndarray:
    if name in STRING_COLUMNS:
        return values.astype(str).to_numpy(dtype=object)
    arr = values.to_numpy(dtype=float)
    decimals = DECIMALS[name]
    out = np.empty(len(arr), dtype=object)
    for i, v in enumerate(arr):
        if np.isnan(v):
            out[i] = ""
        elif decimals == 0:
            out[i] = str(int(round(v)))
        else:
            out[i] = f"{v:.{decimals}f}"
    return out


def data_lines(epw: Epw) -> list[str]:
    """The data records of ``epw`` as text lines (original text kept for unchanged values)."""
    frame = epw.data
    missing_cols = [c for c in COLUMN_NAMES if c not in frame.columns]
    if missing_cols:
        raise InputError(f"weather data lacks columns {missing_cols}")
    n = len(frame)
    cells = np.empty((n, N_FIELDS), dtype=object)
    raw = epw._raw
    old = epw._raw_values
    same_shape = raw is not None and old is not None and len(old) == n
    for j, name in enumerate(COLUMN_NAMES):
        col = frame[name]
        if same_shape:
            a = col.to_numpy()
            b = old[name].to_numpy()
            if name in STRING_COLUMNS:
                unchanged = a == b
            else:
                a = a.astype(float)
                b = b.astype(float)
                unchanged = (a == b) | (np.isnan(a) & np.isnan(b))
            if unchanged.all():
                cells[:, j] = raw[:, j]
                continue
            formatted = _format_column(name, col)
            cells[:, j] = np.where(unchanged, raw[:, j], formatted)
        else:
            cells[:, j] = _format_column(name, col)
    return [",".join(row) for row in cells.tolist()]


def to_text(epw: Epw) -> str:
    """The whole file as text."""
    lines = [_render_header_line(epw.header, kw) for kw in HEADER_KEYWORDS]
    lines += data_lines(epw)
    return epw.newline.join(lines) + epw.newline


def write_epw(epw: Epw, path: str | os.PathLike) -> Path:
    """Write ``epw`` to ``path`` (atomically: a temporary file renamed into place)."""
    path = Path(path)
    text = to_text(epw)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, path)
    return path
