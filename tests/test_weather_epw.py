"""EPW reader/writer: lossless round trip and clear errors for malformed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ultralow.errors import InputError
from ultralow.weather.epw import COLUMN_NAMES, read_epw, write_epw
from ultralow.weather.morph import donor_files

DONORS = donor_files()
CHICAGO = next(p for p in DONORS if "Chicago" in p.name)


def test_sixteen_engine_donors_are_found():
    assert len(DONORS) == 16


@pytest.mark.parametrize("path", DONORS, ids=lambda p: p.name.split("_")[2][:20])
def test_round_trip_is_byte_identical(path: Path, tmp_path: Path):
    epw = read_epw(path)
    out = write_epw(epw, tmp_path / "out.epw")
    assert out.read_bytes() == path.read_bytes()


def test_frame_has_named_columns_and_parsed_values():
    epw = read_epw(CHICAGO)
    assert tuple(epw.data.columns) == COLUMN_NAMES
    assert len(epw.data) == 8760
    first = CHICAGO.read_text().splitlines()[8].split(",")
    assert epw.data["dry_bulb_c"].iloc[0] == float(first[6])
    assert epw.data["ghi_wh_m2"].iloc[0] == float(first[13])
    assert epw.location.latitude_deg == 41.98 and epw.location.time_zone_h == -6.0
    assert [g.depth_m for g in epw.header.ground_temperatures] == [0.5, 2.0, 4.0]
    assert epw.header.data_periods[0].start_weekday == "Sunday"


def test_changed_values_survive_read_write_read(tmp_path: Path):
    epw = read_epw(CHICAGO)
    epw.data.loc[100, "dry_bulb_c"] = -3.4
    epw.data.loc[200, "relative_humidity_pct"] = 55.0
    epw.header.location.city = "Somewhere"
    epw.header.comments_2 = " edited"
    first = write_epw(epw, tmp_path / "a.epw")
    again = read_epw(first)
    assert again.data.loc[100, "dry_bulb_c"] == -3.4
    assert again.data.loc[200, "relative_humidity_pct"] == 55.0
    assert again.location.city == "Somewhere"
    assert again.header.comments_2 == " edited"
    numeric = [c for c in COLUMN_NAMES if c not in ("data_source_flags", "present_weather_codes")]
    np.testing.assert_array_equal(again.data[numeric].to_numpy(), epw.data[numeric].to_numpy())
    # and writing the re-read file reproduces it exactly
    second = write_epw(again, tmp_path / "b.epw")
    assert second.read_bytes() == first.read_bytes()
    # untouched lines keep the donor's exact text
    assert first.read_text().splitlines()[8 + 5000] == CHICAGO.read_text().splitlines()[8 + 5000]


def test_crlf_file_round_trips(tmp_path: Path):
    crlf = tmp_path / "crlf.epw"
    crlf.write_bytes(CHICAGO.read_bytes().replace(b"\n", b"\r\n"))
    assert write_epw(read_epw(crlf), tmp_path / "o.epw").read_bytes() == crlf.read_bytes()


# ---- malformed files -------------------------------------------------------------------------


def _broken(tmp_path: Path, edit) -> Path:
    lines = CHICAGO.read_text().splitlines()
    edit(lines)
    path = tmp_path / "broken.epw"
    path.write_text("\n".join(lines) + "\n")
    return path


def _set_field(lines: list[str], line_no: int, field: int, value: str) -> None:
    parts = lines[line_no - 1].split(",")
    parts[field] = value
    lines[line_no - 1] = ",".join(parts)


def _error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_epw(path)
    msg = str(info.value)
    assert str(path) in msg
    return msg


def test_missing_file_names_the_file(tmp_path: Path):
    msg = _error(tmp_path / "nope.epw")
    assert "does not exist" in msg


def test_wrong_number_of_fields(tmp_path: Path):
    path = _broken(tmp_path, lambda ls: ls.__setitem__(120, ls[120].rsplit(",", 2)[0]))
    msg = _error(path)
    assert "line 121" in msg and "wrong number of fields" in msg and "33" in msg


def test_non_numeric_value(tmp_path: Path):
    path = _broken(tmp_path, lambda ls: _set_field(ls, 500, 6, "warm"))
    msg = _error(path)
    assert "line 500" in msg and "dry_bulb_c" in msg and "'warm'" in msg


def test_duplicated_hour(tmp_path: Path):
    def edit(ls):
        ls[300] = ls[299]  # line 301 repeats line 300

    msg = _error(_broken(tmp_path, edit))
    assert "line 301" in msg and "duplicated hour" in msg


def test_missing_hour(tmp_path: Path):
    msg = _error(_broken(tmp_path, lambda ls: ls.pop(1000)))  # drops line 1001
    assert "line 1001" in msg and "missing hour" in msg


def test_truncated_file(tmp_path: Path):
    msg = _error(_broken(tmp_path, lambda ls: ls.__delitem__(slice(-24, None))))
    assert "line 8745" in msg and "missing hours" in msg  # 8 + 8760 - 24 lines + 1


def test_impossible_humidity(tmp_path: Path):
    path = _broken(tmp_path, lambda ls: _set_field(ls, 2000, 8, "140"))
    msg = _error(path)
    assert "line 2000" in msg and "relative_humidity_pct" in msg and "impossible" in msg


def test_dew_point_above_dry_bulb(tmp_path: Path):
    def edit(ls):
        parts = ls[3000 - 1].split(",")
        parts[7] = f"{float(parts[6]) + 5:.1f}"
        ls[3000 - 1] = ",".join(parts)

    msg = _error(_broken(tmp_path, edit))
    assert "line 3000" in msg and "dew point" in msg


def test_negative_radiation(tmp_path: Path):
    msg = _error(_broken(tmp_path, lambda ls: _set_field(ls, 4000, 13, "-20")))
    assert "line 4000" in msg and "ghi_wh_m2" in msg


def test_bad_header_keyword(tmp_path: Path):
    msg = _error(_broken(tmp_path, lambda ls: ls.__setitem__(3, "GROUND TEMPS,0")))
    assert "line 4" in msg and "GROUND TEMPERATURES" in msg


def test_bad_location_latitude(tmp_path: Path):
    def edit(ls):
        parts = ls[0].split(",")
        parts[6] = "north"
        ls[0] = ",".join(parts)

    msg = _error(_broken(tmp_path, edit))
    assert "line 1" in msg and "latitude" in msg


def test_missing_codes_are_accepted(tmp_path: Path):
    def edit(ls):
        _set_field(ls, 50, 6, "99.9")
        _set_field(ls, 50, 13, "9999")

    epw = read_epw(_broken(tmp_path, edit))
    assert epw.data.loc[41, "dry_bulb_c"] == 99.9
