"""Morris effects per reporting step (kWh/(m2 a) per 0.1 W/(m2 K)) against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from ultralow.errors import InputError
from ultralow.optimise.sampling import designs_from_unit
from ultralow.optimise.sensitivity import (
    PER_UNIT_COLUMNS,
    ReportingStep,
    make_problem,
    morris_design,
    morris_indices,
    parse_reporting_steps,
    per_unit_effects,
    reporting_step,
    reporting_steps,
)
from ultralow.optimise.variables import Variable
from ultralow.templates import get_template, list_templates

LEVELS = 4  # Morris levels 0, 1/3, 2/3, 1; every move is delta = 2/3 of the unit range


def _analyse(variables: list[Variable], model, trajectories: int = 30, seed: int = 3):
    """Morris sample over unit bounds -> real designs (as a sweep maps them) -> per-unit table."""
    problem = make_problem([v.name for v in variables])
    x = morris_design(problem, trajectories, LEVELS, seed)
    designs = designs_from_unit(variables, x)
    y = model(designs)
    table = morris_indices(problem, x, {"y": y}, levels=LEVELS, resamples=50, seed=seed)
    return x, designs, y, table


def _hand_mean_abs_slope(designs: pd.DataFrame, y: np.ndarray, name: str, d: int) -> float:
    """Mean over the sample's moves of ``name`` of |dy / d(name)|, walking the trajectories by hand."""
    slopes = []
    for start in range(0, len(designs), d + 1):
        for k in range(start, start + d):
            dv = float(designs[name].iloc[k + 1]) - float(designs[name].iloc[k])
            if dv != 0:
                slopes.append(abs((y[k + 1] - y[k]) / dv))
    return float(np.mean(slopes))


def test_linear_effect_per_01_w_m2k_is_the_slope_times_the_step():
    # y = 3 a + b^2, a = wall U in [0.1, 0.4] W/(m2 K), b = SHGC in [0.2, 0.8]; levels land exactly on
    # 0.1/0.2/0.3/0.4 and 0.2/0.4/0.6/0.8, so the per-unit value is the hand value to rounding.
    variables = [Variable("wall_u_w_m2k", "float", low=0.1, high=0.4),
                 Variable("window_shgc", "float", low=0.2, high=0.8)]

    def model(df: pd.DataFrame) -> np.ndarray:
        return 3 * df["wall_u_w_m2k"].to_numpy() + df["window_shgc"].to_numpy() ** 2

    x, designs, y, table = _analyse(variables, model)
    res = per_unit_effects(table, variables, levels=LEVELS).set_index("variable")
    assert list(res.columns[-len(PER_UNIT_COLUMNS):]) == list(PER_UNIT_COLUMNS)
    a = res.loc["wall_u_w_m2k"]
    # mu_star per full range 0.3 W/(m2 K) = 3 x 0.3 = 0.9; per 0.1 W/(m2 K): dy/da x 0.1 = 0.3
    assert a["mu_star"] == pytest.approx(0.9, rel=1e-12)
    assert a["per_unit_step"] == 0.1 and a["per_unit_unit"] == "0.1 W/(m2 K)"
    assert a["per_unit_span"] == pytest.approx(0.3, rel=1e-12)
    assert a["mu_star_per_unit"] == pytest.approx(0.3, rel=1e-12)
    assert a["mu_per_unit"] == pytest.approx(0.3, rel=1e-12)  # increasing U increases y
    assert a["mu_star_conf_per_unit"] == pytest.approx(0.0, abs=1e-12)
    # b^2: a move between b_lo and b_hi has slope (b_hi^2 - b_lo^2) / (b_hi - b_lo) = b_lo + b_hi, i.e.
    # 0.2 <-> 0.6 -> 0.8, 0.4 <-> 0.8 -> 1.2; per 0.1 of SHGC 0.08 or 0.12, mu_star_per_unit their mean.
    b = res.loc["window_shgc"]
    hand = _hand_mean_abs_slope(designs, y, "window_shgc", 2) * 0.1
    assert 0.08 < hand < 0.12  # both kinds of move occur in this sample
    assert b["mu_star_per_unit"] == pytest.approx(hand, rel=1e-9)
    assert b["mu_per_unit"] == pytest.approx(hand, rel=1e-9)  # monotone: every effect is positive
    assert b["mu_star_conf_per_unit"] == pytest.approx(b["mu_star_conf"] * 0.1 / 0.6, rel=1e-12)
    assert (res["per_unit_note"] == "").all()


def test_rounded_and_integer_variables_are_exact_with_the_sample():
    # a in [0.1, 0.5] (Morris levels 0.2333.. -> decoded to 1e-4), storeys 3..5 binned from 4 levels
    # (moves 3 -> 5 and 4 -> 5: not proportional to the unit step), wall insulation in mm per 1 cm.
    variables = [Variable("u_wall", "float", parameter="wall_u_w_m2k", low=0.1, high=0.5),
                 Variable("storeys", "int", low=3, high=5),
                 Variable("wall_insulation_mm", "float", low=50.0, high=300.0, step=5.0)]

    def model(df: pd.DataFrame) -> np.ndarray:
        return (3 * df["u_wall"].to_numpy() - 2 * df["storeys"].to_numpy()
                - 0.04 * df["wall_insulation_mm"].to_numpy())

    x, designs, y, table = _analyse(variables, model)
    res = per_unit_effects(table, variables, levels=LEVELS, x=x).set_index("variable")
    assert res.loc["u_wall", "mu_star_per_unit"] == pytest.approx(0.3, rel=1e-12)  # 3 per W/(m2 K) x 0.1
    assert res.loc["storeys", "per_unit_unit"] == "1 storey"
    assert res.loc["storeys", "mu_per_unit"] == pytest.approx(-2.0, rel=1e-12)  # -2 per storey
    assert res.loc["storeys", "mu_star_per_unit"] == pytest.approx(2.0, rel=1e-12)
    assert res.loc["wall_insulation_mm", "per_unit_step"] == 10.0  # 1 cm
    assert res.loc["wall_insulation_mm", "mu_per_unit"] == pytest.approx(-0.4, rel=1e-12)
    # the nominal range (high - low) would be wrong for the binned integer and the rounded thickness:
    # 3 -> 5 and 4 -> 5 moves, 50 -> 215 and 135 -> 300 mm (not 2/3 of 250 mm)
    assert res.loc["storeys", "mu_star"] * 1 / (5 - 3) != pytest.approx(2.0, rel=1e-3)
    assert res.loc["wall_insulation_mm", "mu_star"] * 10 / 250 != pytest.approx(0.4, rel=1e-3)
    # without the sample: mean over level pairs, exact here for the floats, close for the integer
    approx = per_unit_effects(table, variables, levels=LEVELS).set_index("variable")
    assert approx.loc["u_wall", "mu_star_per_unit"] == pytest.approx(0.3, rel=1e-3)
    assert approx.loc["storeys", "mu_star_per_unit"] == pytest.approx(2.0, rel=0.2)
    with pytest.raises(InputError, match="levels = 6"):
        per_unit_effects(table, variables, levels=6, x=x)


def test_choice_variables_get_nan_and_a_note():
    variables = [Variable("wall_u_w_m2k", "float", low=0.1, high=0.4),
                 Variable("window", "choice", options=("a", "b", "c"), catalogue="windows")]

    def model(df: pd.DataFrame) -> np.ndarray:
        return df["wall_u_w_m2k"].to_numpy() + (df["window"] == "c").to_numpy() * 5.0

    x, _, _, table = _analyse(variables, model, trajectories=10)
    res = per_unit_effects(table, variables, levels=LEVELS, x=x).set_index("variable")
    w = res.loc["window"]
    assert w["mu_star"] > 0  # the choice matters ...
    for col in ("per_unit_step", "per_unit_span", "mu_per_unit", "mu_star_per_unit", "mu_star_conf_per_unit"):
        assert math.isnan(w[col])  # ... but has no numeric step
    assert "choice" in w["per_unit_note"] and w["per_unit_unit"] == ""
    assert res.loc["wall_u_w_m2k", "mu_star_per_unit"] == pytest.approx(0.1, rel=1e-12)
    with pytest.raises(InputError, match="not among the variables"):
        per_unit_effects(table, variables[:1], levels=LEVELS)


def test_units_file_is_read_and_unlisted_variables_say_where_their_step_comes_from():
    steps = reporting_steps()
    assert steps["wall_u_w_m2k"] == ReportingStep(0.1, "0.1 W/(m2 K)")
    assert steps["n50_ach"].step == 1.0 and steps["hrv_efficiency"].step == 0.1
    assert steps["wall_insulation_mm"].step == 10.0 and "1 cm" in steps["wall_insulation_mm"].label
    # every entry names a real template parameter (a typo would silently never match)
    known = {p for name in list_templates() for p in get_template(name).parameters}
    assert set(steps) <= known, sorted(set(steps) - known)

    listed = reporting_step(Variable("airtight", "float", parameter="n50_ach", low=0.6, high=5.0))
    assert listed == ReportingStep(1.0, "1.0 1/h (n50)")  # by its template parameter
    existing = reporting_step(Variable("existing_wall_u_w_m2k", "float", low=0.5, high=1.5))
    assert existing.step == 0.1
    own = reporting_step(Variable("psi_x_w_mk", "float", low=0.0, high=0.5, step=0.05))
    assert own.step == 0.05 and "own step" in own.label and "sensitivity_units.toml" in own.label
    ten = reporting_step(Variable("hrv_frost_threshold_c", "float", low=-10.0, high=0.0))
    assert ten.step == pytest.approx(1.0) and "10 % of its range -10 to 0" in ten.label
    assert reporting_step(Variable("timesteps_per_hour", "int", low=1, high=6)).step == 1.0
    assert reporting_step(Variable("heat_pump", "choice", options=("x", "y"))) is None
    # a caller's own table overrides the file
    assert reporting_step(Variable("wall_u_w_m2k", "float", low=0.1, high=0.4),
                          {"wall_u_w_m2k": ReportingStep(0.05, "0.05 W/(m2 K)")}).step == 0.05


def test_bad_units_entries_are_named():
    with pytest.raises(InputError, match=r"\[wall_u_w_m2k\] step must be a number > 0"):
        parse_reporting_steps({"wall_u_w_m2k": {"step": 0, "label": "x"}}, "units.toml")
    with pytest.raises(InputError, match="label must be a non-empty text"):
        parse_reporting_steps({"n50_ach": {"step": 1.0}}, "units.toml")
    with pytest.raises(InputError, match="unknown field"):
        parse_reporting_steps({"n50_ach": {"step": 1.0, "label": "1 1/h", "unit": "1/h"}}, "units.toml")
