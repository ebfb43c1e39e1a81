"""``ultralow weather`` command line: exit codes and output."""

from __future__ import annotations

import json

import pytest
from ultralow.cli import main
from ultralow.weather.epw import read_epw
from ultralow.weather.morph import donor_files


@pytest.fixture(autouse=True, scope="module")
def _cache(module_cache):
    """Every test of this module uses the module's own cache (conftest.module_cache)."""


def test_show_city(capsys):
    assert main(["weather", "show", "harbin"]) == 0
    out = capsys.readouterr().out
    assert "severe_cold_B" in out and "HDD18" in out and "SYNTHETIC" in out and "WDH20" in out


def test_show_json(capsys):
    assert main(["weather", "show", "Kunming", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["climate_zone"] == "mild_A" and payload["synthetic"] is True
    assert payload["indices"]["cdd26_kd"] < 10


def test_show_epw(capsys):
    miami = next(p for p in donor_files() if "Miami" in p.name)
    assert main(["weather", "show", "--epw", str(miami)]) == 0
    assert "hsww_B" in capsys.readouterr().out


def test_make_and_check(tmp_path, capsys):
    out = tmp_path / "harbin.epw"
    assert main(["weather", "make", "harbin", "-o", str(out)]) == 0
    assert read_epw(out).location.source == "ultralow-synthetic"
    assert main(["weather", "check", str(out)]) == 0
    text = capsys.readouterr().out
    assert "OK" in text and "severe_cold_B" in text


def test_errors_exit_2(tmp_path, capsys):
    assert main(["weather", "show", "atlantis"]) == 2
    assert "atlantis" in capsys.readouterr().err
    broken = tmp_path / "broken.epw"
    lines = donor_files()[0].read_text().splitlines()
    lines[20] = lines[20] + ",1"
    broken.write_text("\n".join(lines))
    assert main(["weather", "check", str(broken)]) == 2
    assert "line 21" in capsys.readouterr().err
    assert main(["weather", "show"]) == 2
    assert main(["weather", "show", "harbin", "--epw", str(broken)]) == 2
