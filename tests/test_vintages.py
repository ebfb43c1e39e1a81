"""Existing-building vintages: system presets, rows referencing them, survey overrides (no EnergyPlus)."""

import copy
import re

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.vintages import (
    EXISTING_OVERRIDES,
    EXISTING_SYSTEM_OVERRIDES,
    VALUE_KEYS,
    cooling_system_ids,
    get_cooling_system,
    get_heating_system,
    get_vintage,
    heating_system_ids,
    load_vintages,
    parse_vintage_data,
)

ROW = {
    "id": "test", "use": "public", "zones": ["hsww_B"], "label": "test row", "construction": "brick",
    "wall_u_w_m2k": 2.4, "roof_u_w_m2k": 2.6, "floor_u_w_m2k": 2.5, "window_u_w_m2k": 5.8,
    "window_shgc": 0.8, "n50_ach": 10.0, "lighting_w_m2": 16.0, "roof_solar_absorptance": 0.7,
    "heating": "hp", "cooling": "ac", "source": "s", "verified": False,
}
DATA = {
    "sources": {"s": {"citation": "a source"}, "t": {"citation": "another", "url": "http://x"}},
    "heating_system": {"hp": {"label": "heat pump", "kind": "electric", "cop": 2.0, "source": "s", "verified": False}},
    "cooling_system": {"ac": {"label": "split AC", "kind": "electric", "cop": 2.3, "source": "t", "verified": True}},
    "vintage": [ROW],
}


def data_with(**row_changes):
    data = copy.deepcopy(DATA)
    data["vintage"][0].update(row_changes)
    for key, value in row_changes.items():
        if value is None:
            del data["vintage"][0][key]
    return data


def test_presets_parse_with_label_source_and_flag():
    assert {"district_coal_1980s", "district_coal_1990s", "district_coal_2000s", "gas_boiler_old",
            "gas_boiler_condensing", "electric_radiator", "split_ac_1990s_heating"} <= set(heating_system_ids())
    assert {"split_ac_1990s", "split_ac_2005", "split_ac_2010",
            "chiller_water_cooled_1990s"} <= set(cooling_system_ids())
    coal = get_heating_system("district_coal_1980s")
    assert coal.kind == "district_heating" and coal.carrier == "coal"
    assert coal.efficiency == pytest.approx(0.55 * 0.85)  # boiler x network
    assert get_heating_system("electric_radiator").efficiency == 1.0
    ac = get_cooling_system("split_ac_2005")  # GB 12021.3-2004 split <= 4500 W minimum (IEA page)
    assert ac.cop == 2.6 and ac.auxiliary_fraction == 0.0 and ac.verified and "12021.3-2004" in ac.source
    assert get_cooling_system("split_ac_2010").cop == 3.2
    chiller = get_cooling_system("chiller_water_cooled_1990s")
    assert chiller.effective_cop == pytest.approx(4.0 / 1.45)
    for pid in heating_system_ids():
        h = get_heating_system(pid)
        assert h.id == pid and h.label and h.source
    for pid in cooling_system_ids():
        c = get_cooling_system(pid)
        assert c.id == pid and c.label and c.source
    with pytest.raises(InputError, match="no heating system preset 'heat_pump_x'.*district_coal_1980s"):
        get_heating_system("heat_pump_x")
    with pytest.raises(InputError, match="no cooling system preset"):
        get_cooling_system("district_coal_1980s")


def test_rows_reference_presets_or_inline_tables():
    office = get_vintage("pre2005", "hsww_B", "public")
    assert office.cooling_system == "split_ac_1990s" and office.systems.cooling is get_cooling_system("split_ac_1990s")
    assert office.heating_system == "split_ac_1990s_heating"
    inline = get_vintage("pre1996", "hsww_A", "residential")  # the packaged file keeps an inline table too
    assert inline.heating_system == "" and inline.systems.heating.efficiency == 1.7
    parsed = parse_vintage_data(data_with(heating={"kind": "boiler", "fuel": "natural_gas", "efficiency": 0.8}),
                                "test.toml").vintages[0]
    assert parsed.heating_system == "" and parsed.systems.heating.carrier == "natural_gas"
    assert parsed.systems.heating.source == "a source"  # an inline table takes the row's citation
    assert parsed.cooling_system == "ac" and parsed.systems.cooling.source == "another <http://x>"


def test_every_vintage_has_lighting_and_roof_absorptance_in_range():
    vintages = load_vintages()
    assert vintages
    for v in vintages:
        for key, (_, _, low, high) in VALUE_KEYS.items():
            assert low <= v.values[key] <= high, (v.id, v.zones, key)
        assert v.source_of("lighting_w_m2") and v.source_of("roof_solar_absorptance")
    offices = [v for v in vintages if v.use == "public"]
    assert all(v.values["lighting_w_m2"] >= 11.0 for v in offices)  # fluorescent offices, >= GB 50034-2004 limit
    assert all(v.values["lighting_w_m2"] <= 8.0 for v in vintages if v.use == "residential")


def test_dongguan_1990s_office_and_harbin_dwellings_are_plausible():
    dg = get_vintage("pre2005", "hsww_B", "public")
    assert 5.8 <= dg.values["window_u_w_m2k"] <= 6.0 and dg.values["window_shgc"] == pytest.approx(0.8)
    assert 2.0 <= dg.values["wall_u_w_m2k"] <= 2.6  # uninsulated 180-200 mm brick / block
    assert dg.values["lighting_w_m2"] >= 13.0 and dg.systems.cooling.cop <= 2.4
    assert "1990s" in dg.label
    for vintage_id, boiler, network in (("pre1996", 0.55, 0.85), ("y1996_2010", 0.68, 0.90)):
        harbin = get_vintage(vintage_id, "severe_cold_B", "residential")
        assert harbin.systems.heating.carrier == "coal"
        assert harbin.systems.heating.efficiency == pytest.approx(boiler * network)
    assert get_vintage("pre1996", "severe_cold_B", "residential").values["wall_u_w_m2k"] == 1.25


def test_overrides_replace_values_and_systems():
    v = get_vintage("pre2005", "hsww_B", "public")
    params = {"existing_wall_u_w_m2k": 1.9, "existing_window_shgc": 0.6, "existing_lighting_w_m2": 12,
              "existing_roof_solar_absorptance": 0.4, "existing_n50_ach": None, "existing_heating": None,
              "existing_cooling": "chiller_water_cooled_1990s", "wall_insulation_mm": 80}
    w = v.with_overrides(params)
    assert w.values["wall_u_w_m2k"] == 1.9 and w.values["window_shgc"] == 0.6
    assert w.values["lighting_w_m2"] == 12.0 and w.values["roof_solar_absorptance"] == 0.4
    assert w.values["n50_ach"] == v.values["n50_ach"]  # None keeps the vintage's
    assert w.systems.heating is v.systems.heating and w.heating_system == "split_ac_1990s_heating"
    assert w.systems.cooling.id == "chiller_water_cooled_1990s" and w.cooling_system == "chiller_water_cooled_1990s"
    assert w.overrides == {"existing_wall_u_w_m2k": 1.9, "existing_window_shgc": 0.6, "existing_lighting_w_m2": 12.0,
                           "existing_roof_solar_absorptance": 0.4, "existing_cooling": "chiller_water_cooled_1990s"}
    assert v.values["wall_u_w_m2k"] == 2.4 and v.overrides == {}  # the packaged vintage is unchanged
    assert v.with_overrides({}) == v
    assert set(EXISTING_OVERRIDES) == {f"existing_{k}" for k in VALUE_KEYS}
    assert set(EXISTING_SYSTEM_OVERRIDES) == {"existing_heating", "existing_cooling"}
    unit, meaning, low, high = EXISTING_OVERRIDES["existing_window_u_w_m2k"]
    assert unit == "W/(m2 K)" and "window" in meaning and low < 5.8 <= high


@pytest.mark.parametrize("name, value, allowed", [
    ("existing_wall_u_w_m2k", 9.0, r"\[0.1, 5\] W/\(m2 K\)"),
    ("existing_window_shgc", -0.2, r"\[0.1, 0.85\]"),
    ("existing_lighting_w_m2", True, r"\[1, 25\] W/m2"),
    ("existing_n50_ach", "leaky", r"\[0.3, 15\] 1/h"),
    ("existing_heating", "gas_boiler_1970s", "district_coal_1980s"),
    ("existing_cooling", "gas_boiler_old", "split_ac_1990s"),
])
def test_bad_overrides_name_parameter_value_and_allowed(name, value, allowed):
    v = get_vintage("pre1996", "severe_cold_B", "residential")
    with pytest.raises(InputError, match=re.escape(f"parameter {name} = {value!r} is not allowed")) as info:
        v.with_overrides({name: value})
    assert re.search(allowed, str(info.value)), str(info.value)


def test_template_parameters_keep_the_envelope_keys_only():
    params = get_vintage("pre2005", "hsww_B", "public").template_parameters()
    assert set(params) == {"wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k", "window_u_w_m2k", "window_shgc",
                           "n50_ach", "hrv_efficiency", "pv_roof_fraction"}
    assert params["window_u_w_m2k"] == 5.8 and params["hrv_efficiency"] == 0.0


@pytest.mark.parametrize("changes, message", [
    ({"lighting_w_m2": None}, r"test.toml: \[\[vintage\]\] #1: missing key 'lighting_w_m2'"),
    ({"roof_solar_absorptance": 1.4}, r"#1 \(test\): roof_solar_absorptance = 1.4 is not a number in \[0.1, 0.95\]"),
    ({"cooling": "split_ac_1890s"}, r"#1 \(test\): cooling = 'split_ac_1890s' is not a \[cooling_system\] preset; "
                                    r"allowed: ac"),
    ({"value_sources": {"lighting_w_m2": "nowhere"}}, r"value_sources.lighting_w_m2 = 'nowhere' not defined"),
    ({"value_sources": {"colour": "s"}}, r"value_sources names 'colour'"),
    ({"verified": "no"}, r"'verified' must be true or false"),
])
def test_bad_rows_name_file_row_and_key(changes, message):
    with pytest.raises(InputError, match=message):
        parse_vintage_data(data_with(**changes), "test.toml")


@pytest.mark.parametrize("preset, message", [
    ({"kind": "electric", "cop": 2.0, "source": "s", "verified": False}, r"\[heating_system.hp\]: missing key 'label'"),
    ({"label": "x", "kind": "electric", "cop": 2.0, "source": "s", "verified": False, "eer": 3},
     r"\[heating_system.hp\]: unknown keys \['eer'\]"),
    ({"label": "x", "kind": "electric", "cop": 2.0, "source": "nowhere", "verified": False},
     r"\[heating_system.hp\]: source 'nowhere' not defined"),
    ({"label": "x", "kind": "heat_pump", "cop": 2.0, "source": "s", "verified": False},
     r"\[heating_system.hp\]: kind 'heat_pump' not one of"),
    ({"label": "x", "kind": "electric", "cop": 0.0, "source": "s", "verified": False},
     r"\[heating_system.hp\]: 'cop' = 0.0 is outside"),
])
def test_bad_presets_name_file_preset_and_key(preset, message):
    data = copy.deepcopy(DATA)
    data["heating_system"]["hp"] = preset
    with pytest.raises(InputError, match=f"test.toml: {message}"):
        parse_vintage_data(data, "test.toml")
