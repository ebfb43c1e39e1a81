"""The search algorithm (pymoo, ask/tell) and its checkpoint.

NSGA-II below 3 objectives, NSGA-III from 3 (Das-Dennis reference directions, at most one per
population member), both as ``MixedVariableGA`` so that real, integer and choice variables keep
their own mating operators; constraints by pymoo's constraint-domination (feasible first, then
least violation).

The checkpoint is data, never code: ``checkpoint.json`` holds the number of finished generations
and the history rows. ``--resume`` rebuilds the algorithm from the seed and *replays* the stored
generations (each generation's objective and constraint values from ``evaluations.jsonl``) through
ask/tell, which restores the population, pymoo's random generator and NumPy's/Python's global
random states exactly, so a resumed run asks for exactly the designs an uninterrupted run with the
same seed would. Nothing is ever unpickled (an old ``checkpoint.pkl`` is ignored).
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Callable, Sequence
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

CHECKPOINT = "checkpoint.json"
CHECKPOINT_FORMAT = "ultralow-search-checkpoint-1"
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
    """The algorithm after ``generation`` completed generations, and the history rows."""

    algorithm: MixedVariableGA
    generation: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    pending: Population | None = None  # asked while replaying but not told: the next ask returns it

    def ask(self) -> Population:
        if self.pending is not None:
            population, self.pending = self.pending, None
            return population
        return self.algorithm.ask()

    def tell(self, population: Population, F: np.ndarray, G: np.ndarray) -> None:
        population.set("F", F)
        population.set("G", G)
        self.algorithm.tell(infills=population)
        self.generation += 1

    def replay(self, generations: Sequence[tuple[np.ndarray, np.ndarray]],
               check: Callable[[int, list[dict[str, Any]]], None] | None = None) -> None:
        """Re-run stored generations through ask/tell: ``generations[i]`` = (F, G) of generation
        ``i + 1`` in the order asked; ``check(generation, X)`` may refuse designs that differ
        from the stored ones (raise)."""
        for F, G in generations:
            population = self.ask()
            if check is not None:
                check(self.generation + 1, list(population.get("X")))
            self.tell(population, F, G)

    def save(self, run_dir: Path) -> None:
        """Write the checkpoint atomically (a killed driver leaves the previous one intact)."""
        data = {"format": CHECKPOINT_FORMAT, "generation": self.generation,
                "history": [{k: _plain(v) for k, v in h.items()} for h in self.history]}
        tmp = run_dir / (CHECKPOINT + ".tmp")
        with open(tmp, "w") as fh:
            fh.write(json.dumps(data, indent=1))
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(run_dir / CHECKPOINT)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def load_checkpoint(run_dir: Path) -> dict[str, Any] | None:
    """``{"generation": n, "history": [...]}`` from ``run_dir/checkpoint.json``; None when the run
    stopped before its first generation finished. A damaged file raises ``InputError`` naming it
    (the caller may fall back to the evaluations)."""
    path = run_dir / CHECKPOINT
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"not a {CHECKPOINT_FORMAT} file")
        generation = data["generation"]
        history = data.get("history") or []
        if not isinstance(generation, int) or generation < 0 or not isinstance(history, list) \
                or not all(isinstance(h, dict) for h in history):
            raise ValueError("generation/history malformed")
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: damaged checkpoint ({exc})") from exc
    return {"generation": generation, "history": history}
