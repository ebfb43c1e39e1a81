"""The cheapest-complying-package search (optimise/cheapest.py) on an analytic problem whose answer
is known by brute-force enumeration of the whole design grid (the independent reference here).
The sweep's use of it, with EnergyPlus and Ray, is tested in tests/test_sweep_variants.py."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from ultralow.optimise.cheapest import cheapest_complying, design_id, neighbours
from ultralow.optimise.variables import Variable

VARIABLES = [Variable("a", "float", low=0.05, high=1.0, step=0.05),
             Variable("b", "float", low=0.05, high=1.0, step=0.05),
             Variable("glass", "choice", options=("double", "triple"))]
NEED = 0.1  # complies when a * b * (1.5 for triple glass) >= NEED


def _row(values: dict) -> dict:
    a, b, glass = values["a"], values["b"], values["glass"]
    cost = a + 2 * b + (0.3 if glass == "triple" else 0.0)
    performance = a * b * (1.5 if glass == "triple" else 1.0)
    return {**values, "cost": cost, "g": (NEED - performance) / NEED}


def _decoded(values: dict) -> dict:
    return {v.name: v.decode(values[v.name]) for v in VARIABLES}


def _grid() -> list[dict]:
    axis = [round(0.05 * i, 10) for i in range(1, 21)]
    return [_row({"a": a, "b": b, "glass": g}) for a, b, g in itertools.product(axis, axis, ("double", "triple"))]


def _brute_force_cost() -> float:
    return min(r["cost"] for r in _grid() if r["g"] <= 0)


class Counter:
    """evaluate(): counts every design it is asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, batch: list[dict]) -> list[dict]:
        out = []
        for values in batch:
            self.asked.append(design_id(VARIABLES, values))
            out.append(_row(_decoded(values)))
        return out


def _seeds(n: int, seed: int = 3) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [_row(_decoded({"a": rng.uniform(0.05, 1), "b": rng.uniform(0.05, 1),
                           "glass": str(rng.choice(["double", "triple"]))})) for _ in range(n)]


def test_search_is_never_dearer_than_a_sampled_complying_design_and_near_the_brute_force_optimum():
    seeds = _seeds(12)
    sampled = min(r["cost"] for r in seeds if r["g"] <= 0)
    counter = Counter()
    found = cheapest_complying(VARIABLES, counter, lambda r: r["cost"], lambda r: r["g"], seeds,
                               population=10, generations=6, seed=1)
    assert found.best is not None and found.best["g"] <= 0
    assert found.best["cost"] <= sampled
    optimum = _brute_force_cost()  # 882 grid designs enumerated
    assert found.best["cost"] <= optimum * 1.05, (found.best, optimum)
    assert found.n_asked == len(counter.asked) == len(set(counter.asked))  # each design evaluated once
    assert found.n_asked < 882 / 4  # a search, not an enumeration


def test_the_polish_certificate_holds_no_cheaper_one_step_neighbour_complies():
    found = cheapest_complying(VARIABLES, Counter(), lambda r: r["cost"], lambda r: r["g"], _seeds(12),
                               population=8, generations=2, seed=2)
    assert found.local_optimum and found.neighbours_checked > 0
    best = found.best
    for n in neighbours(VARIABLES, best):
        r = _row(n)
        assert not (r["g"] <= 0 and r["cost"] < best["cost"] - 1e-12), (best, r)


def test_the_answer_is_a_seed_when_nothing_cheaper_complies():
    """Seeded with the brute-force optimum itself, no search result can beat it."""
    best = min((r for r in _grid() if r["g"] <= 0), key=lambda r: r["cost"])
    found = cheapest_complying(VARIABLES, Counter(), lambda r: r["cost"], lambda r: r["g"], [best],
                               population=6, generations=2, seed=1)
    assert found.best["cost"] == pytest.approx(best["cost"])


def test_failed_designs_are_never_the_answer_and_nothing_complying_gives_none():
    counter = Counter()
    found = cheapest_complying(VARIABLES, counter, lambda r: math.nan, lambda r: r["g"], _seeds(6),
                               population=6, generations=1, seed=1)
    assert found.best is None and not found.local_optimum and found.polish_rounds == 0


def test_neighbours_step_each_variable_once_within_bounds():
    got = {json.dumps(n, sort_keys=True) for n in neighbours(VARIABLES, {"a": 0.05, "b": 0.5, "glass": "double"})}
    want = {json.dumps(d, sort_keys=True) for d in (
        {"a": 0.1, "b": 0.5, "glass": "double"}, {"a": 0.05, "b": 0.45, "glass": "double"},
        {"a": 0.05, "b": 0.55, "glass": "double"}, {"a": 0.05, "b": 0.5, "glass": "triple"})}
    assert got == want  # a = 0.05 is at its lower bound: no step down


def test_without_a_complying_start_the_polish_descends_on_the_violation_until_one_complies():
    """No genetic stage and only non-complying seeds (a * b <= 0.04): the descent reaches the
    complying region one step at a time, then the polish prices it."""
    seeds = [_row({"a": 0.2, "b": 0.2, "glass": "double"}), _row({"a": 0.1, "b": 0.3, "glass": "double"})]
    found = cheapest_complying(VARIABLES, Counter(), lambda r: r["cost"], lambda r: r["g"], seeds,
                               population=4, generations=0, polish_rounds=30, seed=1)
    assert found.best is not None and found.best["g"] <= 0 and found.best_origin == "search"
    # a local optimum: one-step moves cannot slide along the a * b = 0.1 boundary (1.1 here, against
    # the grid's 0.9), which is why the genetic stage comes first in a sweep
    assert found.local_optimum and found.best["cost"] <= _brute_force_cost() * 1.25
    stuck = cheapest_complying(VARIABLES, Counter(), lambda r: r["cost"], lambda r: r["g"], seeds,
                               population=4, generations=0, polish_rounds=0, seed=1)
    assert stuck.best is None and stuck.n_asked == 0
