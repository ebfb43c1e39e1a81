"""Sampling plans: Latin hypercube stratification, full-factorial count, Sobol balance."""

from __future__ import annotations

import numpy as np
import pytest
from ultralow.errors import InputError
from ultralow.optimise.sampling import full_factorial, latin_hypercube, levels_of, sample, sobol_points
from ultralow.optimise.variables import Variable

WALL = Variable("wall_u_w_m2k", "float", "wall_u_w_m2k", low=0.10, high=0.50, step=0.001)
N50 = Variable("n50_ach", "float", "n50_ach", low=0.4, high=1.0)
STOREYS = Variable("storeys", "int", "storeys", low=3, high=7)
HP = Variable("heat_pump", "choice", "heat_pump", options=("a", "b", "c", "d"))


def test_lhs_one_point_per_stratum_in_every_variable():
    n = 20
    df = latin_hypercube([WALL, N50, STOREYS, HP], n, seed=7)
    assert len(df) == n
    for var in (WALL, N50):
        u = (df[var.name].to_numpy() - var.low) / (var.high - var.low)
        strata = np.minimum((u * n).astype(int), n - 1)
        # rounding to the step may move a point across a stratum edge by at most one step
        assert len(set(strata)) >= n - 1
        assert df[var.name].between(var.low, var.high).all()
    assert sorted(df["storeys"].value_counts().to_dict().values()) == [4] * 5  # 20 strata / 5 integers
    assert sorted(df["heat_pump"].value_counts().to_dict().values()) == [5] * 4
    again = latin_hypercube([WALL, N50, STOREYS, HP], n, seed=7)
    assert again.equals(df)
    assert not latin_hypercube([WALL, N50, STOREYS, HP], n, seed=8).equals(df)


def test_full_factorial_count_and_levels():
    df = full_factorial([WALL, STOREYS, HP], levels=3)
    assert len(df) == 3 * 3 * 4  # 3 floats, 3 of the 5 integers (wider than 3 levels), 4 options
    assert sorted(df["storeys"].unique()) == [3, 5, 7]
    assert len(full_factorial([WALL, STOREYS], levels=5)) == 5 * 5
    assert len(df.drop_duplicates()) == len(df)
    assert sorted(df["wall_u_w_m2k"].unique()) == [0.10, 0.30, 0.50]
    assert levels_of(Variable("x", "int", "x", low=0, high=100), 3) == [0, 50, 100]
    assert len(sample("factorial", [WALL, N50], 4)) == 16


def test_sobol_is_balanced_and_seeded():
    df = sobol_points([WALL, HP], 64, seed=3)
    assert df["heat_pump"].value_counts().to_dict() == {k: 16 for k in "abcd"}
    u = (df["wall_u_w_m2k"] - WALL.low) / (WALL.high - WALL.low)
    halves = np.bincount(np.minimum((u * 2).astype(int), 1))
    assert halves.tolist() == [32, 32]
    assert abs(u.mean() - 0.5) < 0.02
    assert sobol_points([WALL, HP], 64, seed=3).equals(df)
    with pytest.raises(InputError, match="power of two"):
        sobol_points([WALL], 12)
    with pytest.raises(InputError, match="unknown sampling method"):
        sample("grid", [WALL], 4)
