"""The "retrofit" target: rules of retrofit_rules.toml on hand-built contexts (no EnergyPlus)."""

import copy
import math
import sys
import tomllib

import pytest
from ultralow.errors import InputError
from ultralow.templates.standards.evaluate import TARGETS, ComplianceContext, check_target, evaluate
from ultralow.templates.standards.limits import envelope_limits
from ultralow.templates.standards.loader import data_path
from ultralow.templates.standards.retrofit import (
    RULE_KINDS,
    indicator_names,
    load_path,
    load_retrofit_rules,
    parse_rules,
    retrofitted_elements,
)
from ultralow.templates.standards.saving import EnergyBreakdown, PrimaryFactors

F = PrimaryFactors(2.6, 1.0, 1.0)
# a Dongguan 1990s office (vintage pre2005, hsww_B) as surveyed
EXISTING = {"wall_u_w_m2k": 2.4, "roof_u_w_m2k": 2.6, "floor_u_w_m2k": 2.5, "window_u_w_m2k": 5.8,
            "window_shgc": 0.8}


def result(**overrides):
    base = dict(heating_electricity_kwh_m2=0.5, cooling_electricity_kwh_m2=12.0, fan_electricity_kwh_m2=0.0,
                lighting_electricity_kwh_m2=15.0, pv_generation_kwh_m2=0.0, shape_coefficient_1_m=0.2,
                **EXISTING)
    base.update(overrides)
    return base


def context(**overrides):
    base = dict(climate_zone="hsww_B", building_use="public", storeys=5, wwr=0.35, factors=F,
                existing_parameters=dict(EXISTING), existing_energy=EnergyBreakdown(2.0, 60.0, 0.0, 50.0),
                simple_payback_years=6.0)
    base.update(overrides)
    return ComplianceContext(**base)


def public_limits(zone="hsww_B"):
    return envelope_limits("gb55015_2021", zone, "public", 5, 0.2, 0.35)


def test_retrofit_is_a_target():
    assert "retrofit" in TARGETS and check_target("retrofit") == "retrofit"
    report = evaluate("retrofit", result(), context())
    assert report.standard == "retrofit_rules" and report.target == "retrofit"


def test_packaged_rules_parse_with_provenance():
    rules = load_retrofit_rules()
    assert rules.rules and 0 < rules.tolerance < 0.1
    for rule in rules.rules:
        assert rule.kind in RULE_KINDS and rule.clause and rule.text and rule.source
        assert isinstance(rule.verified, bool)
    kinds = {r.kind for r in rules.for_building("hsww_B", "public")}
    assert kinds == {"element_limit", "saving_vs_existing", "simple_payback"}
    assert "element_improvement" in {r.kind for r in rules.for_building("hscw_A", "residential")}


def test_retrofitted_wall_meets_the_limit_or_fails():
    limit = public_limits().wall_u_w_m2k
    ok = evaluate("retrofit", result(wall_u_w_m2k=limit - 0.01), context()).indicator("retrofitted_wall_u_w_m2k")
    bad = evaluate("retrofit", result(wall_u_w_m2k=limit + 0.05), context()).indicator("retrofitted_wall_u_w_m2k")
    assert ok.limit == bad.limit == limit and ok.comparison == "<="
    assert ok.passed is True and bad.passed is False and bad.margin == pytest.approx(-0.05)
    assert "wall retrofitted (existing 2.4" in bad.note and "limit of gb55015_2021" in bad.note


def test_element_left_as_it_was_is_not_held_to_the_limit():
    report = evaluate("retrofit", result(wall_u_w_m2k=2.41, roof_u_w_m2k=0.3), context())
    wall = report.indicator("retrofitted_wall_u_w_m2k")  # 2.41 vs 2.4: within the 3 % tolerance
    assert wall.passed is True and wall.limit == pytest.approx(2.4 * 1.03) and "not retrofitted" in wall.note
    assert report.indicator("retrofitted_roof_u_w_m2k").limit == public_limits().roof_u_w_m2k
    assert report.details["retrofit"]["retrofitted_elements"]["wall"] is False
    assert report.details["retrofit"]["retrofitted_elements"]["roof"] is True
    # without the existing building's envelope every element is held to the limit
    unknown = evaluate("retrofit", result(), context(existing_parameters=None)).indicator("retrofitted_wall_u_w_m2k")
    assert unknown.limit == public_limits().wall_u_w_m2k and unknown.passed is False
    assert "existing value unknown" in unknown.note


def test_new_window_must_meet_both_window_limits():
    lim = public_limits()
    # solar-control film: SHGC changes, U stays -> the window is retrofitted, the U limit applies too
    film = evaluate("retrofit", result(window_shgc=0.5), context())
    assert film.indicator("retrofitted_window_u_w_m2k").limit == lim.window_u_w_m2k
    assert film.indicator("retrofitted_window_u_w_m2k").passed is False
    assert film.indicator("retrofitted_window_shgc").limit == lim.window_shgc
    good = evaluate("retrofit", result(window_u_w_m2k=lim.window_u_w_m2k, window_shgc=lim.window_shgc), context())
    assert good.indicator("retrofitted_window_u_w_m2k").passed and good.indicator("retrofitted_window_shgc").passed


def test_hscw_wall_below_1_5_or_halved():
    ctx = context(climate_zone="hscw_A", building_use="residential",
                  existing_parameters={**EXISTING, "wall_u_w_m2k": 2.0})
    name = "hscw_residential_wall_retrofit"

    def check(after, before):
        c = copy.copy(ctx)
        c.existing_parameters = {**EXISTING, "wall_u_w_m2k": before}
        return evaluate("retrofit", result(wall_u_w_m2k=after), c).indicator(name)

    assert check(1.5, 2.0).passed is True and check(1.5, 2.0).limit == 1.5
    assert check(1.6, 2.0).passed is False
    halved = check(1.7, 3.6)  # not below 1.5, but 53 % below 3.6
    assert halved.limit == pytest.approx(1.8) and halved.passed is True
    assert check(1.9, 3.6).passed is False
    assert check(2.0, 2.0).passed is True  # wall not retrofitted


def test_saving_against_the_existing_building():
    ctx = context(existing_energy=EnergyBreakdown(0.0, 100.0, 0.0, 0.0))
    # design building itself: 2.6 x (0.5 + 12 + 0 + 15) = 71.5 -> 28.5 % saving vs 100
    ok = evaluate("retrofit", result(), ctx).indicator("saving_rate_vs_existing")
    assert ok.value == pytest.approx(0.285) and ok.limit == 0.20 and ok.passed is True
    bad = evaluate("retrofit", result(lighting_electricity_kwh_m2=20.0), ctx).indicator("saving_rate_vs_existing")
    assert bad.value == pytest.approx(1 - 2.6 * 32.5 / 100) and bad.passed is False
    pv = evaluate("retrofit", result(lighting_electricity_kwh_m2=20.0, pv_generation_kwh_m2=20.0), ctx)
    assert pv.indicator("saving_rate_vs_existing").passed is False  # building itself: PV does not count
    missing = evaluate("retrofit", result(), context(existing_energy=None)).indicator("saving_rate_vs_existing")
    assert missing.value is None and missing.passed is None and "existing_energy" in missing.note


def test_static_payback():
    assert evaluate("retrofit", result(), context(simple_payback_years=9.9)).indicator(
        "simple_payback_years").passed is True
    late = evaluate("retrofit", result(), context(simple_payback_years=10.5)).indicator("simple_payback_years")
    assert late.passed is False and late.margin == pytest.approx(-0.5) and late.unit == "a"
    never = evaluate("retrofit", result(), context(simple_payback_years=math.inf)).indicator("simple_payback_years")
    assert never.passed is False
    missing = evaluate("retrofit", result(), context(simple_payback_years=None)).indicator("simple_payback_years")
    assert missing.passed is None and "simple_payback_years" in missing.note


def test_whole_retrofit_passes_but_is_indicative_with_unverified_rules():
    lim = public_limits()
    design = result(wall_u_w_m2k=lim.wall_u_w_m2k, roof_u_w_m2k=lim.roof_u_w_m2k,
                    window_u_w_m2k=lim.window_u_w_m2k, window_shgc=lim.window_shgc)
    report = evaluate("retrofit", design, context())
    assert report.passed, [(i.name, i.value, i.limit) for i in report.failed]
    assert report.indicative and "saving_rate_vs_existing" in report.indicative_reasons[0]
    assert {i.name for i in report.requirements} >= {"retrofitted_wall_u_w_m2k", "saving_rate_vs_existing",
                                                       "simple_payback_years"}
    # GB 55015 sets no floor limit for HSWW public buildings: no floor indicator
    assert lim.floor_u_w_m2k is None and "retrofitted_floor_u_w_m2k" not in {i.name for i in report.indicators}
    assert not evaluate("retrofit", design, context(simple_payback_years=12.0)).passed


def test_retrofitted_elements_states():
    before = dict(EXISTING)
    assert retrofitted_elements(before, before, 0.03) == {"wall": False, "roof": False, "floor": False,
                                                          "window": False}
    states = retrofitted_elements({**before, "window_shgc": 0.6, "floor_u_w_m2k": None}, before, 0.03)
    assert states == {"wall": False, "roof": False, "floor": None, "window": True}
    assert retrofitted_elements({**before, "window_u_w_m2k": 2.8}, before, 0.03)["window"] is True
    assert set(retrofitted_elements(before, None, 0.03).values()) == {None}


def _packaged():
    with data_path("retrofit_rules.toml").open("rb") as fh:
        return tomllib.load(fh)


@pytest.mark.parametrize("change, message", [
    (lambda r: r.pop("value"), r"missing key 'value'"),
    (lambda r: r.update(value=1.5), r"'value' = 1.5 is not a number in \[-1, 1\]"),
    (lambda r: r.update(kind="payback"), r"'kind' = 'payback' is not one of"),
    (lambda r: r.update(source="nowhere"), r"source 'nowhere' is not defined"),
    (lambda r: r.update(verified="yes"), r"'verified' must be true or false"),
    (lambda r: r.update(zones=["hsww_C"]), r"'zones' has unknown items \['hsww_C'\]"),
    (lambda r: r.update(basis="gross"), r"'basis' = 'gross' is not one of building_itself, overall"),
    (lambda r: r.update(elements=["wall"]), r"unknown keys \['elements'\] for kind 'saving_vs_existing'"),
])
def test_bad_rule_rows_name_file_rule_and_field(change, message):
    data = _packaged()
    change(data["rule"][2])
    with pytest.raises(InputError, match=rf"rules.toml: \[\[rule\]\] #3 \(saving_rate_vs_existing\): {message}"):
        parse_rules(data, "rules.toml")


def test_bad_element_rule_and_duplicates_and_file_errors(tmp_path):
    data = _packaged()
    data["rule"][0]["elements"] = ["wall_r"]
    with pytest.raises(InputError, match=r"#1 \(retrofitted\): 'elements' has unknown items \['wall_r'\]"):
        parse_rules(data, "rules.toml")
    data = _packaged()
    data["rule"][0]["standard"] = "gb50189_2005"
    with pytest.raises(InputError, match=r"'standard' = 'gb50189_2005' is not one of baseline, gb55015_2021"):
        parse_rules(data, "rules.toml")
    data = _packaged()
    data["rule"].append(copy.deepcopy(data["rule"][3]))
    with pytest.raises(InputError, match=r"indicator names \['simple_payback_years'\] repeat for public"):
        parse_rules(data, "rules.toml")
    bad = tmp_path / "retrofit_rules.toml"
    bad.write_text(data_path("retrofit_rules.toml").read_text(encoding="utf-8").replace(
        "value = 10.0", "value = \"ten\""), encoding="utf-8")
    with pytest.raises(InputError, match=rf"{bad}: \[\[rule\]\] #4 \(simple_payback_years\): 'value' = 'ten'"):
        load_path(bad)
    with pytest.raises(InputError, match="not found"):
        load_path(tmp_path / "missing.toml")
    assert indicator_names(load_retrofit_rules().rules[0])[0] == "retrofitted_wall_u_w_m2k"


def test_baseline_standard_option(monkeypatch):
    data = _packaged()
    data["rule"][0]["standard"] = "baseline"
    rules = parse_rules(data, "rules.toml")
    monkeypatch.setattr(sys.modules["ultralow.templates.standards.evaluate"], "load_retrofit_rules", lambda: rules)
    report = evaluate("retrofit", result(wall_u_w_m2k=1.0), context())
    base = envelope_limits(report.details["baseline_standard"], "hsww_B", "public", 5, 0.2, 0.35)
    wall = report.indicator("retrofitted_wall_u_w_m2k")
    assert report.details["baseline_standard"] == "gb50189_2015"
    assert wall.limit == base.wall_u_w_m2k and "limit of gb50189_2015" in wall.note
