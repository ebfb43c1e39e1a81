"""Buildability limits (optimise/data/buildability.toml, ultralow.optimise.buildability).

Hand bounds for the wall (residential template: EPS, conductivity 0.039 W/(mK) in
templates/data/materials.toml): the builder solves d = lambda * (1/U - R_rest) with R_rest > 0, so
d < lambda / U. U = 0.30 -> d < 0.039 / 0.30 = 0.13 m = 13 cm, within the 30 cm limit whatever
R_rest is. U = 0.10 -> d = 0.039 * (10 - R_rest) > 30 cm for any R_rest < 2.3 m2K/W (the concrete
wall and surface resistances are far below that), so it exceeds the limit.
"""

from __future__ import annotations

import pytest
from ultralow.errors import InputError
from ultralow.optimise.buildability import buildability_issues, load_limits

EPS_W_MK = 0.039


def test_limits_load_with_sources():
    limits = load_limits()
    assert limits["insulation_max_cm.wall"].value == 30.0
    assert all(limit.source for limit in limits.values())
    assert set(limits) == {"insulation_max_cm.wall", "insulation_max_cm.roof", "insulation_max_cm.floor",
                           "window_min_u_w_m2k", "hrv_max_efficiency", "n50_min_ach"}


def test_wall_u_beyond_the_maximum_thickness_is_flagged():
    assert 100.0 * EPS_W_MK * (1 / 0.10 - 2.3) > 30.0  # hand bound, module docstring
    issues = buildability_issues("residential", {"wall_u_w_m2k": 0.10, "wall_insulation": "eps"})
    assert len(issues) == 1
    assert "wall_u_w_m2k = 0.1" in issues[0] and "30 cm" in issues[0] and "eps" in issues[0]


def test_wall_u_within_the_maximum_is_not_flagged():
    assert 100.0 * EPS_W_MK / 0.30 < 30.0
    assert buildability_issues("residential", {"wall_u_w_m2k": 0.30, "wall_insulation": "eps"}) == []


def test_built_thickness_from_the_result_is_used():
    issues = buildability_issues("residential", {}, {"roof_insulation_built_mm": 400.0})
    assert len(issues) == 1 and "40.0 cm" in issues[0] and "insulation_max_cm.roof" in issues[0]
    issues = buildability_issues("residential", {}, {"floor_insulation_built_mm": 310.0})
    assert len(issues) == 1 and "insulation_max_cm.floor" in issues[0]


@pytest.mark.parametrize(("param", "bad", "good", "key"), [
    ("window_u_w_m2k", 0.5, 0.8, "window_min_u_w_m2k"),
    ("hrv_efficiency", 0.95, 0.85, "hrv_max_efficiency"),
    ("n50_ach", 0.2, 0.6, "n50_min_ach"),
])
def test_each_parameter_limit(param, bad, good, key):
    issues = buildability_issues("residential", {param: bad})
    assert len(issues) == 1 and param in issues[0] and key in issues[0]
    assert buildability_issues("residential", {param: good}) == []


def test_bad_data_file_names_file_and_field(tmp_path):
    path = tmp_path / "limits.toml"
    text = "[insulation_max_cm.wall]\nvalue = -1\nunit = \"cm\"\nsource = \"s\"\nverified = false\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"limits\.toml: insulation_max_cm\.wall\.value"):
        load_limits(path)
    path.write_text(text.replace("-1", "30"), encoding="utf-8")
    with pytest.raises(InputError, match=r"limits\.toml: missing limit 'insulation_max_cm\.roof'"):
        load_limits(path)


def test_the_evaluation_path_flags_the_thickness_energyplus_was_built_with(chicago_weather, tmp_path):
    """Real EnergyPlus (design days): the model built for wall U 0.10 carries more than 30 cm of EPS
    (hand bound above), and every evaluation (optimiser, sweep, check) reports it unbuildable."""
    from ultralow.optimise.evaluation import ClimateContext, building_metrics
    from ultralow.sim.simulate import simulate

    climate = ClimateContext("severe_cold", None, None)
    rows = {}
    for u in (0.10, 0.30):
        result = simulate("residential", {"wall_u_w_m2k": u}, chicago_weather, run_dir=tmp_path / str(u),
                          period="design-days").to_dict()
        rows[u] = building_metrics("residential", {"wall_u_w_m2k": u}, {"design": result}, climate)
    assert rows[0.10]["wall_insulation_built_mm"] > 300.0
    assert rows[0.10]["buildable"] is False and "insulation_max_cm.wall" in rows[0.10]["buildability_issues"]
    assert rows[0.30]["wall_insulation_built_mm"] < 130.0  # d < lambda / U = 13 cm
    assert rows[0.30]["buildable"] is True and rows[0.30]["buildability_issues"] == ""
