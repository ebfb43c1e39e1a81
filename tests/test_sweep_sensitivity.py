"""Sensitivity wiring (SALib) against functions with known indices."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami
from ultralow.errors import InputError
from ultralow.optimise.sensitivity import (
    make_problem,
    morris_design,
    morris_indices,
    sobol_design,
    sobol_indices,
)

# Ishigami, a = 7, b = 0.1 (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def test_sobol_indices_match_ishigami():
    problem = make_problem(["x1", "x2", "x3"], [(-math.pi, math.pi)] * 3)
    x = sobol_design(problem, 4096, second_order=True, seed=11)
    assert x.shape == (4096 * 8, 3)
    first, second = sobol_indices(problem, {"y": Ishigami.evaluate(x)}, second_order=True, resamples=200, seed=11)
    by = first.set_index("variable")
    for var in ISHIGAMI_S1:
        # 0.04 separates the analytic values of every pair, so swapped variables fail
        assert by.loc[var, "S1"] == pytest.approx(ISHIGAMI_S1[var], abs=0.04)
        assert by.loc[var, "ST"] == pytest.approx(ISHIGAMI_ST[var], abs=0.04)
        assert 0 < by.loc[var, "S1_conf"] < 0.06 and 0 < by.loc[var, "ST_conf"] < 0.06
    s13 = second.set_index(["variable_1", "variable_2"]).loc[("x1", "x3"), "S2"]
    assert s13 == pytest.approx(ISHIGAMI_ST["x3"], abs=0.06)  # x3 acts only through x1 * x3


def test_sobol_indices_follow_output_columns():
    problem = make_problem(["a", "b"])
    x = sobol_design(problem, 1024, seed=2)
    outputs = pd.DataFrame({"only_a": x[:, 0], "only_b": 5 * x[:, 1] ** 2})
    first, second = sobol_indices(problem, outputs, resamples=100)
    assert second.empty
    st = first.set_index(["output", "variable"])["ST"]
    assert st[("only_a", "a")] == pytest.approx(1, abs=0.02) and st[("only_a", "b")] == pytest.approx(0, abs=0.02)
    assert st[("only_b", "b")] == pytest.approx(1, abs=0.02) and st[("only_b", "a")] == pytest.approx(0, abs=0.02)
    with pytest.raises(InputError, match="power of two"):
        sobol_design(problem, 1000)


def test_morris_linear_effects_per_full_range():
    # y = 3 a - 2 b + 0 c with b in [0, 2]: effect over the full range = 3, -4, 0
    problem = make_problem(["a", "b", "c"], [(0, 1), (0, 2), (0, 1)])
    x = morris_design(problem, 20, seed=5)
    assert x.shape == (20 * 4, 3)
    res = morris_indices(problem, x, {"y": 3 * x[:, 0] - 2 * x[:, 1], "ab": x[:, 0] * x[:, 1]}, seed=5)
    lin = res[res["output"] == "y"].set_index("variable")
    assert lin["mu"].to_dict() == pytest.approx({"a": 3.0, "b": -4.0, "c": 0.0})
    assert lin["mu_star"].to_dict() == pytest.approx({"a": 3.0, "b": 4.0, "c": 0.0})
    assert np.allclose(lin["sigma"], 0) and np.allclose(lin["mu_star_conf"], 0)
    inter = res[res["output"] == "ab"].set_index("variable")
    assert inter.loc["a", "sigma"] > 0.1 and inter.loc["b", "sigma"] > 0.1  # interaction
    assert inter.loc["c", "mu_star"] == 0
    assert (inter.loc[["a", "b"], "mu_star_conf"] > 0).all()
    with pytest.raises(InputError, match="non-finite"):
        morris_indices(problem, x, {"y": np.full(len(x), np.nan)})
