"""The search algorithm (pymoo, ask/tell) and its checkpoint.

NSGA-II below 3 objectives, NSGA-III from 3 (Das-Dennis reference directions, at most one per
population member), both as ``MixedVariableGA`` so that real, integer and choice variables keep
their own mating operators; constraints by pymoo's constraint-domination (feasible first, then
least violation). The algorithm state (population, random generator) is pickled after every
generation, together with NumPy's and Python's global random states, so a resumed run asks for
exactly the designs an uninterrupted run with the same seed would.
"""

from __future__ import annotations

import pickle
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pymoo.algorithms.moo.nsga2 import RankAndCrowding
from pymoo.algorithms.moo.nsga3 import ReferenceDirectionSurvival
from pymoo.core.mixed import MixedVariableGA
from pymoo.core.population import Population
from pymoo.util.ref_dirs import get_reference_directions
from ultralow.errors import InputError

CHECKPOINT = "checkpoint.pkl"
NO_LIMIT_GENERATIONS = 10**9  # the run loop decides when to stop, not pymoo's termination


def _reference_directions(n_obj: int, population: int) -> np.ndarray:
    partitions = 1
    while len(get_reference_directions("das-dennis", n_obj, n_partitions=partitions + 1)) <= population:
        partitions += 1
    return get_reference_directions("das-dennis", n_obj, n_partitions=partitions)


def make_algorithm(name: str, problem: Any, population: int, seed: int) -> MixedVariableGA:
    """A set-up ``MixedVariableGA`` with NSGA-II (``nsga2``) or NSGA-III (``nsga3``) survival."""
    if name == "nsga2":
        survival = RankAndCrowding()
    elif name == "nsga3":
        survival = ReferenceDirectionSurvival(_reference_directions(problem.n_obj, population))
    else:
        raise InputError(f"unknown algorithm {name!r}; allowed: nsga2, nsga3")
    np.random.seed(seed)
    random.seed(seed)
    algorithm = MixedVariableGA(pop_size=population, survival=survival)
    algorithm.setup(problem, termination=("n_gen", NO_LIMIT_GENERATIONS), seed=seed, verbose=False)
    return algorithm


@dataclass
class SearchState:
    """What ``--resume`` restores: the algorithm after ``generation`` completed generations."""

    algorithm: MixedVariableGA
    generation: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    numpy_random_state: Any = None
    python_random_state: Any = None

    def ask(self) -> Population:
        return self.algorithm.ask()

    def tell(self, population: Population, F: np.ndarray, G: np.ndarray) -> None:
        population.set("F", F)
        population.set("G", G)
        self.algorithm.tell(infills=population)
        self.generation += 1

    def save(self, run_dir: Path) -> None:
        """Write the checkpoint atomically (a killed driver leaves the previous one intact)."""
        self.numpy_random_state = np.random.get_state()
        self.python_random_state = random.getstate()
        tmp = run_dir / (CHECKPOINT + ".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(run_dir / CHECKPOINT)

    @classmethod
    def load(cls, run_dir: Path) -> SearchState | None:
        """The saved state, or None when the run stopped before its first generation finished."""
        path = run_dir / CHECKPOINT
        if not path.is_file():
            return None
        with open(path, "rb") as fh:
            state = pickle.load(fh)
        if state.numpy_random_state is not None:
            np.random.set_state(state.numpy_random_state)
        if state.python_random_state is not None:
            random.setstate(state.python_random_state)
        return state
