"""Energy tariffs: prices and costs recomputed by hand from the data file, validation messages."""

from __future__ import annotations

import tomllib
from importlib import resources

import numpy as np
import pytest
from ultralow.errors import InputError
from ultralow.optimise.tariffs import GJ_PER_KWH, load_tariffs, tariff_for
from ultralow.weather.registry import list_cities


@pytest.fixture(scope="module")
def raw() -> dict:
    """The packaged data as plain TOML, to recompute costs independently of the loader."""
    with resources.files("ultralow.optimise").joinpath("data", "tariffs.toml").open("rb") as fh:
        return tomllib.load(fh)


def value(raw: dict, region: str, item: str, tariff_class: str | None = None) -> float:
    body = raw["regions"][region] if tariff_class is None else raw["regions"][region][tariff_class]
    return body[item]["value"]


def one_kwh(month: int, hour: int) -> np.ndarray:
    """(12, 24) array with 1 kWh in ``month`` (1..12) at ``hour`` (0..23)."""
    a = np.zeros((12, 24))
    a[month - 1, hour] = 1.0
    return a


# --- coverage and provenance -------------------------------------------------------------------
def test_every_registry_city_resolves_for_both_classes():
    book = load_tariffs()
    assert set(list_cities()) <= set(book.known_cities())
    for city in list_cities():
        res = tariff_for(city, "residential")
        com = tariff_for(city, "office")
        assert (res.tariff_class, com.tariff_class) == ("residential", "commercial")
        for t in (res, com):
            prices = t.electricity_price_rmb_kwh()
            assert prices.shape == (12, 24)
            assert np.all(np.isfinite(prices)) and np.all(prices > 0)
            assert 0.2 < t.pv_export_price_rmb_kwh < 0.5
            d = t.describe()
            assert d["region"] == t.region and d["tariff_class"] == t.tariff_class
            assert all(it["source"].strip() and isinstance(it["verified"], bool) for it in d["items"].values())


def test_packaged_items_all_have_value_unit_source_verified_year(raw):
    def items(body: dict, prefix: str):
        for name, entry in body.items():
            if isinstance(entry, dict) and "value" in entry:
                yield f"{prefix}.{name}", entry
            elif isinstance(entry, dict):
                yield from items(entry, f"{prefix}.{name}")

    found = list(items(raw["regions"], "regions")) + list(items(raw["defaults"], "defaults"))
    assert len(found) > 100
    for key, entry in found:
        assert {"value", "unit", "source", "verified", "year"} <= set(entry), key
        assert entry["source"].strip() and isinstance(entry["verified"], bool), key
        if not entry["verified"]:  # an unverified value says why: assumption, recollection, derived, secondary
            text = entry["source"].lower()
            assert any(w in text for w in ("assumption", "recollection", "derived", "secondary", "provisional")), key


def test_aliases_and_building_use():
    assert tariff_for("Xi'an", "residential").region == "shaanxi"
    assert tariff_for("哈尔滨", "office").region == "heilongjiang"
    assert tariff_for("HARBIN", "Residential").tariff_class == "residential"
    assert tariff_for("harbin", "school").tariff_class == "commercial"
    assert tariff_for("dongguan", "office").region == tariff_for("guangzhou", "office").region == "guangdong_prd"
    assert tariff_for("shenzhen", "office").region == "shenzhen"


# --- electricity ----------------------------------------------------------------------------------
def test_guangdong_hours_cost_their_period_price(raw):
    t = tariff_for("dongguan", "office")
    flat = value(raw, "guangdong_prd", "electricity_rmb_kwh", "commercial")
    floating = value(raw, "guangdong_prd", "electricity_floating_rmb_kwh", "commercial")
    peak, sharp, valley = flat + 0.7 * floating, flat + 1.125 * floating, flat - 0.62 * floating
    assert t.electricity_cost_rmb(one_kwh(7, 10)) == pytest.approx(peak)    # July 10-11 peak
    assert t.electricity_cost_rmb(one_kwh(7, 11)) == pytest.approx(sharp)   # July 11-12 sharp
    assert t.electricity_cost_rmb(one_kwh(7, 16)) == pytest.approx(sharp)   # July 16-17 sharp
    assert t.electricity_cost_rmb(one_kwh(1, 11)) == pytest.approx(peak)    # January: no sharp
    assert t.electricity_cost_rmb(one_kwh(1, 3)) == pytest.approx(valley)
    assert t.electricity_cost_rmb(one_kwh(1, 13)) == pytest.approx(flat)
    # the table the data came from (2026-10, < 1 kV): peak 1.34176875, sharp 1.67036875, valley 0.32136875
    assert peak == pytest.approx(1.34176875, abs=1e-6)
    assert sharp == pytest.approx(1.67036875, abs=2e-4) and valley == pytest.approx(0.32136875, abs=2e-4)


def test_official_beijing_and_hubei_tables_are_reproduced():
    beijing = tariff_for("beijing", "office").electricity_price_rmb_kwh()
    july = beijing[6]
    assert july[11] == pytest.approx(1.057777, abs=2e-6)   # sharp 11-13
    assert july[10] == pytest.approx(0.926841, abs=2e-6)   # peak
    assert july[14] == pytest.approx(0.681335, abs=2e-6)   # flat
    assert july[2] == pytest.approx(0.435829, abs=2e-6)    # valley
    assert beijing[0][19] == pytest.approx(1.057777, abs=2e-6)  # January sharp 18-21
    assert beijing[3][19] == pytest.approx(0.926841, abs=2e-6)  # April: peak only
    hubei = tariff_for("wuhan", "office").electricity_price_rmb_kwh()
    assert hubei[6][20] == pytest.approx(1.113999, abs=3e-4)    # table rounds 0.0002 off the components
    assert hubei[6][13] == pytest.approx(0.496924, abs=3e-4)
    assert hubei[6][8] == pytest.approx(0.715686, abs=1e-9)


def test_flat_tariff_cost_is_kwh_times_price(raw):
    t = tariff_for("harbin", "residential")
    rng = np.random.default_rng(1)
    profile = rng.uniform(0, 50, size=(12, 24))
    price = value(raw, "heilongjiang", "electricity_rmb_kwh", "residential")
    assert not t.is_time_of_use
    assert t.electricity_cost_rmb(profile) == pytest.approx(profile.sum() * price)
    # a flat tariff's kWh-weighted mean price is its price whatever the profile
    assert t.electricity_cost_rmb(profile) / profile.sum() == pytest.approx(0.51)


def test_tou_flat_profile_costs_the_hour_weighted_mean_price(raw):
    t = tariff_for("guangzhou", "office")
    flat = value(raw, "guangdong_prd", "electricity_rmb_kwh", "commercial")
    fl = value(raw, "guangdong_prd", "electricity_floating_rmb_kwh", "commercial")
    p, s, v = flat + 0.7 * fl, flat + 1.125 * fl, flat - 0.62 * fl
    # hours per day: other months valley 8, peak 7, flat 9; July-September valley 8, peak 4, sharp 3, flat 9
    by_hand = (9 * (8 * v + 7 * p + 9 * flat) + 3 * (8 * v + 4 * p + 3 * s + 9 * flat)) / (12 * 24)
    uniform = np.full((12, 24), 10.0)
    assert t.electricity_cost_rmb(uniform) / uniform.sum() == pytest.approx(by_hand)
    assert t.electricity_price_rmb_kwh().mean() == pytest.approx(by_hand)


def test_half_hour_boundaries_average_the_two_half_hours(raw):
    t = tariff_for("harbin", "office")
    flat = value(raw, "heilongjiang", "electricity_rmb_kwh", "commercial")
    fl = value(raw, "heilongjiang", "electricity_floating_rmb_kwh", "commercial")
    prices = t.electricity_price_rmb_kwh()
    assert prices[0, 11] == pytest.approx(flat + 0.25 * fl)   # 11:00-11:30 peak (1.5), 11:30-12:00 flat
    assert prices[0, 5] == pytest.approx(flat - 0.25 * fl)    # 05:00-05:30 valley (0.5), 05:30-06:00 flat
    assert prices[0, 23] == pytest.approx(flat - 0.25 * fl)   # 23:00-23:30 flat, 23:30-24:00 valley
    assert prices[0, 10] == pytest.approx(flat + 0.5 * fl)    # full peak hour
    assert np.allclose(prices, prices[0])                     # one season all year


def test_export_is_credited_at_the_coal_benchmark(raw):
    t = tariff_for("dongguan", "residential")
    benchmark = value(raw, "guangdong_prd", "pv_export_rmb_kwh")
    assert benchmark == 0.453
    exports = 10.0 * one_kwh(6, 12)
    assert t.electricity_cost_rmb(np.zeros((12, 24)), exports) == pytest.approx(-10.0 * benchmark)
    imports = 100.0 * one_kwh(1, 20)
    price = value(raw, "guangdong_prd", "electricity_rmb_kwh", "residential")
    assert t.electricity_cost_rmb(imports, exports) == pytest.approx(100.0 * price - 10.0 * benchmark)


# --- fuels and district heating ----------------------------------------------------------------
def test_fuel_costs_convert_kwh_to_m3_and_tonnes(raw):
    lhv_gas = raw["defaults"]["natural_gas_lhv_kwh_m3"]["value"]
    lhv_coal = raw["defaults"]["coal_lhv_kwh_kg"]["value"]
    urumqi = tariff_for("urumqi", "residential")
    assert urumqi.fuel_cost_rmb("natural_gas", 1000.0) == pytest.approx(
        1000.0 / lhv_gas * value(raw, "xinjiang", "natural_gas_rmb_m3", "residential"))
    harbin = tariff_for("harbin", "office")  # no regional gas price: the default
    assert harbin.fuel_cost_rmb("natural_gas", 1000.0) == pytest.approx(
        1000.0 / lhv_gas * raw["defaults"]["commercial"]["natural_gas_rmb_m3"]["value"])
    assert harbin.fuel_cost_rmb("coal", 5000.0) == pytest.approx(
        5000.0 / (1000.0 * lhv_coal) * raw["defaults"]["commercial"]["coal_rmb_t"]["value"])
    assert "natural_gas_rmb_m3" in harbin.describe()["from_defaults"]
    with pytest.raises(InputError, match="unknown fuel carrier 'oil'"):
        harbin.fuel_cost_rmb("oil", 1.0)


def test_district_heating_area_vs_metered_harbin(raw):
    t = tariff_for("harbin", "residential")
    area_m2 = 1000.0
    fu = raw["defaults"]["heating_usable_area_fraction"]["value"]
    c_area = value(raw, "heilongjiang", "heating_area_rmb_m2", "residential")
    c_fix = value(raw, "heilongjiang", "heating_metered_fixed_rmb_m2", "residential")
    c_gj = value(raw, "heilongjiang", "heating_metered_rmb_gj", "residential")
    # area billing ignores the heat
    assert t.district_heating_cost_rmb(0.0, area_m2) == pytest.approx(c_area * area_m2)
    assert t.district_heating_cost_rmb(1e6, area_m2, "area") == pytest.approx(29.5 * 1000.0)
    # metered: fixed part on usable area + energy part; 20 kWh/m2 of heat stays under the cap
    q = 20.0 * area_m2
    metered = c_fix * fu * area_m2 + c_gj * GJ_PER_KWH * q
    assert metered < c_area * area_m2
    assert t.district_heating_cost_rmb(q, area_m2, "metered") == pytest.approx(metered)
    # a lot of heat: the Harbin bill is capped at the area charge
    assert t.district_heating_cost_rmb(500.0 * area_m2, area_m2, "metered") == pytest.approx(c_area * area_m2)


def test_district_heating_metered_beijing_is_not_capped():
    t = tariff_for("beijing", "residential")
    q = 500.0 * 100.0
    expected = 12.0 * 100.0 + 44.45 * GJ_PER_KWH * q  # building-area fixed part, no cap
    assert expected > 24.0 * 100.0
    assert t.district_heating_cost_rmb(q, 100.0, "metered") == pytest.approx(expected)


def test_missing_district_heating_names_region_and_item():
    with pytest.raises(InputError, match=r"region 'shanghai' \(residential\) has no 'heating_area_rmb_m2'"):
        tariff_for("shanghai", "residential").district_heating_cost_rmb(1000.0, 100.0)
    with pytest.raises(InputError, match="heating_metered_fixed_rmb_m2"):
        tariff_for("urumqi", "residential").district_heating_cost_rmb(1000.0, 100.0, "metered")
    with pytest.raises(InputError, match="unknown district-heating billing 'flat'; allowed: area, metered"):
        tariff_for("harbin", "residential").district_heating_cost_rmb(1.0, 1.0, "flat")


def test_describe_reports_periods_prices_sources_and_flags():
    d = tariff_for("dongguan", "office").describe()
    assert d["province"] == "Guangdong" and d["electricity"] == "time-of-use" and d["year"] == 2026
    summer = next(s for s in d["period_table"] if 7 in s["months"])
    assert summer["months"] == [7, 8, 9]
    assert summer["periods"]["sharp"] == ["11:00-12:00", "15:00-17:00"]
    assert summer["periods"]["valley"] == ["00:00-08:00"]
    assert summer["prices_rmb_kwh"]["peak"] == pytest.approx(1.34176875)
    assert "electricity_rmb_kwh" in d["unverified"] and not d["verified"]
    assert d["items"]["electricity_tou"]["verified"] is True
    assert any("粤发改价格〔2021〕331号" in s for s in d["sources"])
    flat = tariff_for("lhasa", "office").describe()
    assert flat["electricity"] == "flat" and flat["period_table"] == []


def test_bad_cost_inputs_are_input_errors():
    t = tariff_for("harbin", "office")
    with pytest.raises(InputError, match=r"import_kwh_month_hour: shape \(12, 23\) is not allowed; use \(12, 24\)"):
        t.electricity_cost_rmb(np.zeros((12, 23)))
    with pytest.raises(InputError, match="export_kwh_month_hour: every element must be a finite number"):
        t.electricity_cost_rmb(np.zeros((12, 24)), -np.ones((12, 24)))
    with pytest.raises(InputError, match="floor_area_m2: -1.0 is not allowed"):
        t.district_heating_cost_rmb(1.0, -1.0)


def test_unknown_city_lists_the_known_cities():
    with pytest.raises(InputError) as err:
        tariff_for("Paris", "office")
    msg = str(err.value)
    assert "unknown city 'Paris'" in msg and "known cities:" in msg and "harbin" in msg and "dongguan" in msg
    assert "optimise/data/tariffs.toml" in msg


# --- validation of tariff files -----------------------------------------------------------------
ITEM = 'unit = "RMB/kWh"\nsource = "assumption"\nverified = false\nyear = 2024\n'
SEASON = ('{ months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], ratios = { peak = 1.5, valley = 0.5 }, '
          'peak = ["08:00-12:00"], valley = ["22:00-06:00"] }')  # a TOML inline table is one line
BASE = f"""
[cities]
testcity = "r"

[regions.r]
name = "Test region"
province = "Test"

[regions.r.pv_export_rmb_kwh]
value = 0.4
{ITEM}
[regions.r.residential]
description = "test residential"

[regions.r.residential.electricity_rmb_kwh]
value = 0.5
{ITEM}
[regions.r.residential.heating_area_rmb_m2]
value = 20.0
{ITEM}area_basis = "building"

[regions.r.commercial]
description = "test commercial"

[regions.r.commercial.electricity_rmb_kwh]
value = 0.8
{ITEM}
[regions.r.commercial.electricity_floating_rmb_kwh]
value = 0.4
{ITEM}
[regions.r.commercial.electricity_tou]
value = [
    {SEASON},
]
{ITEM}"""


def write(tmp_path, text: str):
    path = tmp_path / "tariffs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_user_file_is_read_and_priced(tmp_path):
    path = write(tmp_path, BASE)
    t = tariff_for("testcity", "office", path=path)
    prices = t.electricity_price_rmb_kwh()
    assert prices[0, 9] == pytest.approx(1.0) and prices[0, 23] == pytest.approx(0.6)
    assert prices[0, 13] == pytest.approx(0.8)
    assert tariff_for("testcity", "residential", path=path).electricity_cost_rmb(np.ones((12, 24))) == \
        pytest.approx(288 * 0.5)
    with pytest.raises(InputError, match="has no 'natural_gas_lhv_kwh_m3'"):  # no [defaults] in this file
        t.fuel_cost_rmb("natural_gas", 10.0)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("value = 0.5\n", "value = -0.5\n",
         "regions.r.residential.electricity_rmb_kwh: -0.5 is not allowed; use a number >= 0"),
        ("value = 0.4\nunit", "value = \"cheap\"\nunit",
         "regions.r.pv_export_rmb_kwh: 'cheap' is not allowed; use a number >= 0"),
        ('area_basis = "building"', 'area_basis = "floor"',
         "regions.r.residential.heating_area_rmb_m2.area_basis: 'floor' is not allowed; "
         "use \"building\" or \"usable\""),
        ('testcity = "r"', 'testcity = "nowhere"',
         "cities.testcity: region 'nowhere' is not allowed; use one of the [regions]: r"),
        ('peak = ["08:00-12:00"]', 'peak = ["08:15-12:00"]',
         "regions.r.commercial.electricity_tou[0].peak: '08:15' is not allowed; use a time HH:00 or HH:30"),
        ('peak = ["08:00-12:00"]', 'peak = ["05:00-12:00"]',
         "regions.r.commercial.electricity_tou[0].valley: '22:00-06:00' overlaps peak at 05:00"),
        ("months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]", "months = [1, 2, 3]",
         "regions.r.commercial.electricity_tou: months [4, 5, 6, 7, 8, 9, 10, 11, 12] are in no season"),
        ("months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]", "months = [0, 1]",
         "regions.r.commercial.electricity_tou[0].months: [0, 1] is not allowed; use a list of distinct months 1..12"),
        ("ratios = { peak = 1.5, valley = 0.5 }", "ratios = { peak = 1.5, valley = 0.5, super = 3 }",
         "regions.r.commercial.electricity_tou[0].ratios: unknown period 'super'"),
        ("ratios = { peak = 1.5, valley = 0.5 }", "ratios = { peak = 1.5 }",
         "no ratio for period 'valley' used in regions.r.commercial.electricity_tou[0].valley"),
        ("ratios = { peak = 1.5, valley = 0.5 }", "ratios = { peak = 1.5, valley = -2.5 }",
         "regions.r.commercial.electricity_tou[0].ratios.valley: -2.5 is not allowed; use a number >= 0"),
        ("electricity_floating_rmb_kwh]\nvalue = 0.4", "electricity_floating_rmb_kwh]\nvalue = 2.0",
         "regions.r.commercial: the valley price of months [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] is -0.2000"),
        ("[regions.r.commercial.electricity_floating_rmb_kwh]\nvalue = 0.4\n",
         "[regions.r.commercial.other]\nvalue = 0.4\n",
         "unknown item regions.r.commercial.other; allowed in [regions.r.commercial]: "
         "description, electricity_rmb_kwh"),
        ("value = 0.5\nunit = \"RMB/kWh\"\nsource = \"assumption\"\nverified = false",
         "value = 0.5\nunit = \"RMB/kWh\"\nsource = \"assumption\"\nverified = \"no\"",
         "regions.r.residential.electricity_rmb_kwh.verified: 'no' is not allowed; use true or false"),
        ("value = 0.5\nunit = \"RMB/kWh\"\nsource = \"assumption\"\n",
         "value = 0.5\nunit = \"RMB/kWh\"\nsource = \" \"\n",
         "regions.r.residential.electricity_rmb_kwh.source: ' ' is not allowed; use a document"),
    ],
)
def test_bad_rows_name_file_key_value_and_what_is_allowed(tmp_path, old, new, expected):
    assert old in BASE
    path = write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_tariffs(path)
    msg = str(err.value)
    assert msg.startswith(str(path) + ": "), msg
    assert expected in msg, msg


def test_tou_without_floating_part_and_missing_class_are_rejected(tmp_path):
    no_floating = BASE.replace("[regions.r.commercial.electricity_floating_rmb_kwh]\nvalue = 0.4\n" + ITEM, "")
    with pytest.raises(InputError, match="electricity_tou and electricity_floating_rmb_kwh go together"):
        load_tariffs(write(tmp_path, no_floating))
    no_res = BASE.replace("[regions.r.residential]\n", "[regions.r.residentia]\n")
    with pytest.raises(InputError, match=r"unknown item regions\.r\.residentia"):
        load_tariffs(write(tmp_path, no_res))
    with pytest.raises(InputError, match="not valid TOML"):
        load_tariffs(write(tmp_path, "[cities\n"))
