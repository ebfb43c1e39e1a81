"""The cheapest complying package by constrained search (threshold and variant studies).

Problem: minimise a design's cost (``incremental_investment_rmb_m2``) subject to one constraint,
its compliance with a variant (:func:`ultralow.optimise.variants.violation`, <= 0 complies), over
the sweep's design variables. Algorithm, in two stages:

1. **Genetic search** (pymoo ``MixedVariableGA``, single objective, constraint-domination: feasible
   first, then least violation; Deb 2000, *Comput. Methods Appl. Mech. Engrg.* 186:311-338),
   ask/tell. Its first population is *seeded* with the designs already evaluated (the sweep's
   sample and earlier searches, cheapest complying first, then the least violating), so a search
   starts where the sample left off and costs no simulation for its first generation.
2. **Local polish**: when nothing complies yet, a descent on the violation first (the least
   violating design's one-step neighbours, batch by batch, until one complies or none comes
   closer); then from the best complying design, every one-step neighbour (each float/int
   variable one ``step`` up and down, each other option of a choice) is evaluated as one batch;
   the cheapest complying neighbour cheaper than the incumbent becomes the incumbent, until no
   neighbour improves (``local_optimum = True``: a certificate that no single-step change of the
   package is cheaper and complies) or ``polish_rounds`` (shared by both phases) is spent.

The answer is the cheapest complying design among *everything* evaluated, the seeds included,
so it is never more expensive than any complying design of the sample. Evaluation is the caller's
``evaluate`` (a batch of variable values -> rows, in order: the sweep prepares, simulates on Ray
through the result store, and evaluates them exactly as every other design); a design asked twice
is evaluated once.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pymoo.core.mixed import MixedVariableGA
from pymoo.core.population import Population
from pymoo.core.problem import Problem
from pymoo.core.variable import Choice, Integer, Real
from ultralow.optimise.variables import Variable

Row = dict[str, Any]
INFEASIBLE = 1.0e6


@dataclass
class CheapestResult:
    """The search's answer: ``best`` = row of the cheapest complying design found (None: none
    complies), ``best_origin`` (``"seed"`` or ``"search"``), the rows the search evaluated
    itself (``evaluated``), ``n_asked`` distinct designs asked, ``generations`` run, and the
    polish's certificate ``local_optimum`` with ``neighbours_checked``."""

    best: Row | None
    best_origin: str
    evaluated: list[Row] = field(default_factory=list)
    n_asked: int = 0
    generations: int = 0
    polish_rounds: int = 0
    neighbours_checked: int = 0
    local_optimum: bool = False


def _problem(variables: Sequence[Variable]) -> Problem:
    pvars: dict[str, Any] = {}
    for v in variables:
        if v.kind == "float":
            pvars[v.name] = Real(bounds=(v.low, v.high))
        elif v.kind == "int":
            pvars[v.name] = Integer(bounds=(int(v.low), int(v.high)))
        else:
            pvars[v.name] = Choice(options=list(v.options))
    return Problem(vars=pvars, n_obj=1, n_ieq_constr=1)


def design_id(variables: Sequence[Variable], values: Mapping[str, Any]) -> str:
    """Key of a design by its decoded variable values."""
    return json.dumps({v.name: v.decode(values[v.name]) for v in variables}, sort_keys=True, default=str)


def neighbours(variables: Sequence[Variable], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every one-step neighbour of a design: each float/int variable one ``step`` (int: 1; float
    without step: 1/20 of its range) up and down within its bounds, each other option of a choice."""
    out = []
    base = {v.name: v.decode(values[v.name]) for v in variables}
    for v in variables:
        if v.kind == "choice":
            moves = [o for o in v.options if o != base[v.name]]
        else:
            step = 1 if v.kind == "int" else (v.step or (float(v.high) - float(v.low)) / 20.0)
            moves = [base[v.name] + d for d in (-step, step) if v.low - 1e-12 <= base[v.name] + d <= v.high + 1e-12]
        for m in moves:
            candidate = {**base, v.name: v.decode(m)}
            if candidate != base:
                out.append(candidate)
    return out


def _finite(x: Any) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return math.inf
    return x if math.isfinite(x) else math.inf


def cheapest_complying(variables: Sequence[Variable], evaluate: Callable[[list[dict[str, Any]]], list[Row]],
                       cost: Callable[[Row], float], violation: Callable[[Row], float],
                       seeds: Sequence[Row] = (), *, population: int = 10, generations: int = 4,
                       polish_rounds: int = 10, seed: int = 1) -> CheapestResult:
    """Search the cheapest design with ``violation(row) <= 0`` (module docstring).

    ``evaluate``: list of variable values -> rows (each with the variables' values under their
    names); ``cost(row)`` and ``violation(row)`` in the caller's units (NaN/None cost: the design
    failed, never an answer); ``seeds``: rows already evaluated. ``generations`` = 0 skips the
    genetic stage, ``polish_rounds`` = 0 the polish.
    """
    names = [v.name for v in variables]
    known: dict[str, Row] = {}
    origin: dict[str, str] = {}
    for row in seeds:
        if all(n in row and row[n] is not None for n in names):
            key = design_id(variables, row)
            known.setdefault(key, row)
            origin.setdefault(key, "seed")
    result = CheapestResult(None, "")

    def run(batch: list[dict[str, Any]]) -> list[Row]:
        """Rows of ``batch`` (decoded values), evaluating the unknown ones in one call."""
        keys = [design_id(variables, x) for x in batch]
        todo = {k: x for k, x in zip(keys, batch, strict=True) if k not in known}
        if todo:
            rows = evaluate(list(todo.values()))
            for k, row in zip(todo, rows, strict=True):
                known[k], origin[k] = row, "search"
                result.evaluated.append(row)
            result.n_asked += len(todo)
        return [known[k] for k in keys]

    def score(row: Row) -> tuple[float, float]:
        c, g = _finite(cost(row)), _finite(violation(row))
        return (c, min(g, INFEASIBLE)) if c < math.inf else (math.inf, INFEASIBLE)

    def best_of(rows: Sequence[Row]) -> Row | None:
        ok = [r for r in rows if score(r)[1] <= 0.0 and score(r)[0] < math.inf]
        return min(ok, key=lambda r: score(r)[0]) if ok else None

    if generations > 0:
        np.random.seed(seed)
        random.seed(seed)
        def rank(row: Row) -> tuple[bool, float]:  # complying cheapest first, then least violating
            c, g = score(row)
            return g > 0, g if g > 0 else c

        ranked = sorted(known.values(), key=rank)
        start = [{n: r[n] for n in names} for r in ranked[:population]]
        kwargs: dict[str, Any] = {}
        if len(start) == population:
            kwargs["sampling"] = Population.new(X=np.array(start, dtype=object))
        algorithm = MixedVariableGA(pop_size=population, **kwargs)
        algorithm.setup(_problem(variables), termination=("n_gen", 10**9), seed=seed, verbose=False)
        for _ in range(generations + 1):  # the first ask is the (seeded) initial population
            pop = algorithm.ask()
            rows = run([{n: x[n] for n in names} for x in pop.get("X")])
            scores = np.array([score(r) for r in rows], dtype=float)
            cost_f = np.where(np.isfinite(scores[:, 0]), scores[:, 0], INFEASIBLE)
            pop.set("F", cost_f.reshape(-1, 1))
            pop.set("G", scores[:, 1].reshape(-1, 1))
            algorithm.tell(infills=pop)
        result.generations = generations

    best = best_of(list(known.values()))
    rounds = polish_rounds
    if best is None and rounds > 0:  # nothing complies yet: descend on the violation first
        finite = [r for r in known.values() if score(r)[0] < math.inf]
        current = min(finite, key=lambda r: score(r)[1]) if finite else None
        while current is not None and rounds > 0:
            rounds -= 1
            result.polish_rounds += 1
            around = neighbours(variables, current)
            rows = [r for r in run(around) if score(r)[0] < math.inf]
            result.neighbours_checked += len(around)
            best = best_of(rows)
            if best is not None:
                break
            closer = min(rows, key=lambda r: score(r)[1]) if rows else None
            current = closer if closer is not None and score(closer)[1] < score(current)[1] else None
    if best is not None and rounds > 0:
        for _ in range(rounds):
            result.polish_rounds += 1
            around = neighbours(variables, best)
            rows = run(around)
            result.neighbours_checked += len(around)
            better = best_of([r for r in rows if score(r)[0] < score(best)[0]])
            if better is None:
                result.local_optimum = True
                break
            best = better
    result.best = best_of(list(known.values()))
    if result.best is not None:
        result.best_origin = origin[design_id(variables, result.best)]
        if best is not None and design_id(variables, result.best) != design_id(variables, best):
            result.local_optimum = False  # the polish ran out of rounds before reaching this one
    return result
