"""The search algorithm (pymoo, ask/tell) and its checkpoint.

NSGA-II below 3 objectives, NSGA-III from 3 (Das-Dennis reference directions, at most one per
population member), both as ``MixedVariableGA`` so that real, integer and choice variables keep
their own mating operators; constraints by pymoo's constraint-domination (feasible first, then
least violation).

The search is a sequence of asks (the algorithm proposes designs) and tells (it is handed a
generation of evaluated designs). Generational dispatch alternates them; asynchronous dispatch
asks whenever a CPU is free and tells every ``population`` finished designs, in completion order
(:mod:`ultralow.optimise.run`). Each ask and tell is logged, as it happens, in
``search_log.jsonl`` (the designs selected from each ask and the designs of each tell, by id).

The checkpoint is data, never code: ``checkpoint.json`` holds the number of finished generations
and the history rows. ``--resume`` rebuilds the algorithm from the seed and *replays* the logged
asks and tells in their order (each tell's objective and constraint values from
``evaluations.jsonl``), which restores the population, pymoo's random generator and NumPy's/Python's
global random states exactly: the designs asked and not yet told are asked again (their finished
simulations come from the store), and a generational run continues exactly as an uninterrupted
run with the same seed would. Nothing is ever unpickled (an old ``checkpoint.pkl`` is ignored).
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
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
    """The algorithm after ``generation`` tells (generations), and the history rows."""

    algorithm: MixedVariableGA
    generation: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

    def ask(self) -> list[dict[str, Any]]:
        """The designs (variable name -> value) the algorithm proposes next."""
        return list(self.algorithm.ask().get("X"))

    def tell(self, X: Sequence[dict[str, Any]], F: np.ndarray, G: np.ndarray) -> None:
        """Hand the algorithm one generation: designs ``X`` (from any earlier asks) with their
        objectives ``F`` and constraints ``G``."""
        population = Population.new("X", np.array(list(X), dtype=object))
        population.set("F", F)
        population.set("G", G)
        self.algorithm.tell(infills=population)
        self.generation += 1

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


def append_events(path: Path, events: Sequence[dict[str, Any]]) -> None:
    """Append whole JSON lines with one write, flushed to disk (a killed driver leaves whole lines)."""
    data = "".join(json.dumps(e, default=_plain) + "\n" for e in events).encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def read_events(path: Path, valid: Callable[[dict[str, Any]], bool],
                keep: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The JSON lines of ``path`` ([] when absent), each passed through ``keep`` when given; a torn
    last line (a killed write) is dropped with a warning, a damaged line before it is an
    ``InputError`` naming the file and line."""
    if not path.is_file():
        return []
    lines = path.read_bytes().split(b"\n")
    out = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not valid(item):
                raise ValueError("not a record of this file")
        except (ValueError, UnicodeDecodeError) as exc:
            if all(not rest.strip() for rest in lines[i + 1:]):
                warn(f"{path}: dropped a torn last line (line {i + 1}: {exc})")
                break
            raise InputError(f"{path}: line {i + 1} is damaged ({exc}); cannot resume this run") from exc
        out.append(keep(item) if keep is not None else item)
    return out


def warn(message: str) -> None:
    print(f"ultralow: warning: {message}", file=sys.stderr, flush=True)


def is_event(item: dict[str, Any]) -> bool:
    """A line of ``search_log.jsonl``: an ask or a tell."""
    if item.get("event") == "ask":
        return isinstance(item.get("design_ids"), list) and isinstance(item.get("proposals", 1), int)
    return item.get("event") == "tell" and isinstance(item.get("generation"), int) \
        and isinstance(item.get("design_ids"), list)


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
