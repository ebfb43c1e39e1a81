"""Loader validation of the standards data files."""

from pathlib import Path

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.loader import STANDARD_IDS, load_path, load_standard

GOOD = """
[standard]
id = "t"
title = "test"
kind = "code"

[sources.s]
citation = "a source"

[[limit]]
element = "wall_u"
use = "residential"
zones = ["cold_A"]
value = 0.4
unit = "W/(m2 K)"
clause = "x"
source = "s"
verified = true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "std.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("standard_id", STANDARD_IDS)
def test_packaged_files_load_with_provenance(standard_id):
    std = load_standard(standard_id)
    assert std.id == standard_id
    for row in std.limits:
        assert row.value.unit and row.value.clause and row.value.source
        assert isinstance(row.value.verified, bool)
    for ind in std.indicators:
        assert ind.clause and ind.source


def test_good_minimal_file(tmp_path):
    std = load_path(write(tmp_path, GOOD))
    assert std.limits[0].value.value == 0.4
    assert std.limits[0].value.source == "a source"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('unit = "W/(m2 K)"\n', "", "missing key 'unit'"),
        ('zones = ["cold_A"]', 'zones = ["cold_Z"]', "unknown zone 'cold_Z'"),
        ('source = "s"\nverified', 'source = "nope"\nverified', "source 'nope' is not defined"),
        ("verified = true", 'verified = "yes"', "'verified' must be true or false"),
        ('element = "wall_u"', 'element = "door_u"', "unknown element 'door_u'"),
        ("value = 0.4", 'value = "0.4"', "'value' must be a finite number"),
        ('use = "residential"', 'use = "industrial"', "'use' must be one of"),
    ],
)
def test_errors_name_file_row_and_key(tmp_path, old, new, message):
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_path(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "[[limit]] #1" in str(err.value) or "[sources" in str(err.value)


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not valid TOML"):
        load_path(write(tmp_path, "[standard\n"))
    with pytest.raises(InputError, match="not found"):
        load_path(tmp_path / "absent.toml")


def test_unknown_standard_id():
    with pytest.raises(InputError, match="unknown standard 'gb9999'"):
        load_standard("gb9999")


def test_indicator_needs_value_or_formula(tmp_path):
    text = GOOD + """
[[indicator]]
name = "heating_demand_kwh_m2"
target = "ultra-low"
use = "residential"
zones = ["cold_A"]
comparison = "<="
unit = "kWh/(m2 a)"
clause = "x"
source = "s"
verified = false
"""
    with pytest.raises(InputError, match="exactly one of 'value' and 'formula'"):
        load_path(write(tmp_path, text))
    with pytest.raises(InputError, match="formula term 'wdh18'"):
        load_path(write(tmp_path, text + "formula = {wdh18 = 1.0}\n"))
