"""Envelope-limit lookup against the tables in the data files."""

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.limits import envelope_limits
from ultralow.templates.standards.zones import ZONES


@pytest.mark.parametrize(
    ("zone", "storeys", "wall", "roof", "floor"),
    [
        ("severe_cold_A", 3, 0.25, 0.15, 0.25),
        ("severe_cold_A", 4, 0.35, 0.15, 0.35),
        ("severe_cold_B", 6, 0.35, 0.20, 0.35),
        ("severe_cold_C", 2, 0.30, 0.20, 0.30),
        ("severe_cold_C", 18, 0.40, 0.20, 0.40),
        ("cold_A", 6, 0.45, 0.25, 0.45),
        ("cold_B", 12, 0.45, 0.30, 0.45),
    ],
)
def test_gb55015_residential_north(zone, storeys, wall, roof, floor):
    lim = envelope_limits("gb55015_2021", zone, "residential", storeys, 0.3, wwr=0.3)
    assert (lim.wall_u_w_m2k, lim.roof_u_w_m2k, lim.floor_u_w_m2k) == (wall, roof, floor)
    assert lim.sources["wall_u_w_m2k"].verified


@pytest.mark.parametrize(
    ("zone", "d", "wall"),
    [("hscw_A", None, 0.60), ("hscw_A", 3.0, 1.00), ("hscw_B", 2.5, 0.80), ("hscw_B", 2.6, 1.20),
     ("hsww_A", None, 0.70), ("hsww_B", 4.0, 1.50), ("mild_A", 3.0, 1.00)],
)
def test_gb55015_residential_south_by_thermal_inertia(zone, d, wall):
    lim = envelope_limits("gb55015_2021", zone, "residential", 6, 0.4, 0.3, thermal_inertia_d=d)
    assert lim.wall_u_w_m2k == wall
    assert lim.roof_u_w_m2k == 0.40


@pytest.mark.parametrize(
    ("zone", "shape", "wall", "roof"),
    [("severe_cold_A", 0.25, 0.35, 0.25), ("severe_cold_B", 0.40, 0.30, 0.20),
     ("severe_cold_C", 0.30, 0.38, 0.30), ("cold_B", 0.45, 0.45, 0.35)],
)
def test_gb55015_public_by_shape(zone, shape, wall, roof):
    lim = envelope_limits("gb55015_2021", zone, "public", 5, shape, 0.4)
    assert (lim.wall_u_w_m2k, lim.roof_u_w_m2k) == (wall, roof)


def test_window_bands_and_beyond_table():
    low = envelope_limits("gb55015_2021", "cold_A", "residential", 6, 0.3, wwr=0.30)
    high = envelope_limits("gb55015_2021", "cold_A", "residential", 6, 0.3, wwr=0.31)
    assert (low.window_u_w_m2k, high.window_u_w_m2k) == (2.2, 2.0)
    beyond = envelope_limits("gb55015_2021", "cold_A", "residential", 6, 0.3, wwr=0.7)
    assert beyond.window_u_w_m2k == 2.0 and "window_u_w_m2k" in beyond.beyond_table
    assert not low.sources["window_u_w_m2k"].verified  # window table not yet seen in a source


def test_shgc_only_where_required():
    assert envelope_limits("gb55015_2021", "severe_cold_A", "residential", 6, 0.3).window_shgc is None
    assert envelope_limits("gb55015_2021", "hscw_A", "residential", 6, 0.3, wwr=0.5).window_shgc == 0.25


def test_baseline_jgj26_storey_bands():
    assert envelope_limits("jgj26_2010", "severe_cold_B", "residential", 3, 0.3).wall_u_w_m2k == 0.30
    assert envelope_limits("jgj26_2010", "severe_cold_B", "residential", 6, 0.3).wall_u_w_m2k == 0.45
    assert envelope_limits("jgj26_2010", "severe_cold_B", "residential", 9, 0.3).wall_u_w_m2k == 0.55


@pytest.mark.parametrize("standard", ["gb55015_2021", "jgj26_2010", "jgj134_2010", "jgj75_2012",
                                      "gb50189_2015"])
def test_every_zone_of_a_standard_is_covered_and_unambiguous(standard):
    uses = ("public",) if standard == "gb50189_2015" else ("residential",)
    if standard == "gb55015_2021":
        uses = ("residential", "public")
    for use in uses:
        for zone in ZONES:
            for storeys in (2, 6, 12):
                for shape in (0.25, 0.45, 0.7):
                    for wwr in (0.1, 0.35, 0.55, 0.9):
                        try:
                            lim = envelope_limits(standard, zone, use, storeys, shape, wwr)
                        except InputError as exc:
                            if "no " in str(exc):
                                continue
                            raise
                        if lim.wall_u_w_m2k is None:
                            continue  # zone not covered by this baseline (e.g. JGJ 26 in the south)
                        assert lim.roof_u_w_m2k and lim.window_u_w_m2k, (standard, use, zone)


def test_bad_inputs():
    with pytest.raises(InputError, match="unknown climate zone"):
        envelope_limits("gb55015_2021", "arctic", "residential", 6, 0.3)
    with pytest.raises(InputError, match="unknown building use"):
        envelope_limits("gb55015_2021", "cold_A", "industrial", 6, 0.3)
    with pytest.raises(InputError, match="storeys"):
        envelope_limits("gb55015_2021", "cold_A", "residential", 0, 0.3)
