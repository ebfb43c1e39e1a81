"""Surrogate screening: which of the designs the algorithm proposes are worth an EnergyPlus run.

Pre-selection in the sense of Loshchilov, Schoenauer & Sebag (2010, "A mono surrogate for
multiobjective optimization", GECCO) and Jin (2011, "Surrogate-assisted evolutionary computation:
recent advances and future challenges", Swarm Evol. Comput. 1, 61-70): the algorithm proposes
``surrogate_candidates`` times as many designs as it will get simulated; a random forest
(scikit-learn's ``RandomForestRegressor``; Breiman 2001) trained on the run's own simulated
designs predicts every candidate's objectives and constraints; the candidates pymoo's own
survival (constraint-domination, non-dominated rank, crowding distance) ranks best are simulated,
plus a share drawn at random from the rest so that the model keeps learning where it is wrong.

The surrogate only chooses *which* designs are simulated. Every value the run reports (objectives,
constraints, metrics, fronts) comes from EnergyPlus; predictions are kept only to measure the
model: its held-out R² per objective, computed on each generation's designs from predictions made
before they were simulated (:func:`held_out_r2`).

Variables are encoded as numbers in [0, 1] (float/int scaled by their bounds) and choices one-hot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from ultralow.optimise.variables import Variable

N_TREES = 100
MIN_TRAINING_DESIGNS = 8  # fewer simulated designs than this: no screening (the first batches)


def encode(variables: Sequence[Variable], values: Sequence[dict[str, Any]]) -> np.ndarray:
    """Design values (optimiser ``X`` dicts) -> feature matrix, one row per design (unitless)."""
    columns: list[np.ndarray] = []
    for v in variables:
        raw = [x[v.name] for x in values]
        if v.kind in ("float", "int"):
            span = float(v.high) - float(v.low)
            col = (np.array(raw, dtype=float) - float(v.low)) / (span if span > 0 else 1.0)
            columns.append(col[:, None])
        else:
            onehot = np.array([[1.0 if str(r) == o else 0.0 for o in v.options] for r in raw])
            columns.append(onehot.reshape(len(raw), len(v.options)))
    return np.hstack(columns) if columns else np.zeros((len(values), 0))


class Surrogate:
    """A random forest of objectives ``F`` (minimisation form) and constraints ``G`` (g <= 0 feasible)."""

    def __init__(self, variables: Sequence[Variable], seed: int):
        self.variables = list(variables)
        self.seed = seed
        self.model: Any = None
        self.n_obj = 0
        self.n_training = 0

    def fit(self, values: Sequence[dict[str, Any]], F: np.ndarray, G: np.ndarray) -> None:
        """Train on simulated designs (failed ones excluded by the caller)."""
        from sklearn.ensemble import RandomForestRegressor

        F, G = np.atleast_2d(np.asarray(F, dtype=float)), np.asarray(G, dtype=float).reshape(len(F), -1)
        self.n_obj = F.shape[1]
        self.n_training = len(F)
        self.model = RandomForestRegressor(n_estimators=N_TREES, min_samples_leaf=1, random_state=self.seed,
                                           n_jobs=1)
        self.model.fit(encode(self.variables, values), np.hstack([F, G]))

    def predict(self, values: Sequence[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """Predicted (F, G) of designs."""
        Y = np.asarray(self.model.predict(encode(self.variables, values)), dtype=float).reshape(len(values), -1)
        return Y[:, :self.n_obj], Y[:, self.n_obj:]


def screen(predicted_F: np.ndarray, predicted_G: np.ndarray, n_keep: int, explore_share: float,
           rng: np.random.Generator) -> list[int]:
    """Indices of the candidates to simulate: ``n_keep`` in all, of which ``round(n_keep *
    explore_share)`` drawn at random from those the prediction ranks out, the rest the best by
    pymoo's ``RankAndCrowding`` survival on the predicted values (feasible before infeasible, then
    non-dominated rank, then crowding distance)."""
    from pymoo.algorithms.moo.nsga2 import RankAndCrowding
    from pymoo.core.population import Population
    from pymoo.core.problem import Problem

    n = len(predicted_F)
    if n <= n_keep:
        return list(range(n))
    n_explore = min(int(round(n_keep * explore_share)), n_keep)
    n_best = n_keep - n_explore
    best: list[int] = []
    if n_best:
        pop = Population.new(index=np.arange(n))
        pop.set("F", predicted_F)
        pop.set("G", predicted_G)
        problem = Problem(n_var=1, n_obj=predicted_F.shape[1], n_ieq_constr=predicted_G.shape[1])
        survivors = RankAndCrowding().do(problem, pop, n_survive=n_best)
        best = sorted(int(i) for i in survivors.get("index"))
    rest = [i for i in range(n) if i not in set(best)]
    explore = sorted(int(i) for i in rng.choice(rest, size=n_explore, replace=False)) if n_explore else []
    return sorted(best + explore)


def held_out_r2(predicted: np.ndarray, simulated: np.ndarray) -> list[float]:
    """Coefficient of determination per objective of predictions made before the designs were
    simulated (NaN with fewer than 2 designs or no variance in the simulated values)."""
    predicted, simulated = np.atleast_2d(predicted), np.atleast_2d(simulated)
    out = []
    for j in range(simulated.shape[1]):
        y, p = simulated[:, j], predicted[:, j]
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        out.append(1.0 - float(np.sum((y - p) ** 2)) / ss_tot if len(y) >= 2 and ss_tot > 0 else math.nan)
    return out
