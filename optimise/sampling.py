"""Sampling plans over design variables: full factorial, Latin hypercube, Sobol.

Variables are the optimiser's :class:`ultralow.optimise.variables.Variable` (``float`` range,
``int`` range or ``choice`` of options; anything with ``name``, ``kind``, ``low``, ``high``,
``options`` and ``decode`` works). Every plan is first a set of points in the unit hypercube
[0, 1)^d, then mapped per variable by :func:`from_unit`:

- ``float``: ``low + u (high - low)``, then ``decode`` (rounded to the variable's step);
- ``int``: the ``high - low + 1`` integers are equal-width bins of [0, 1);
- ``choice``: the options are equal-width bins of [0, 1).

So a Latin hypercube stays stratified in every variable (each of ``n`` strata of a float holds
one point; each option of a choice gets ``n / k`` points, +-1), and a balanced Sobol sequence
(``n`` a power of two) gives every option of a choice exactly ``n / k`` points when ``k`` is a
power of two. Plans are seeded and reproducible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy.stats import qmc
from ultralow.errors import InputError

METHODS: tuple[str, ...] = ("factorial", "lhs", "sobol")


class VariableLike(Protocol):
    """What sampling needs from a design variable."""

    name: str
    kind: str
    low: float | None
    high: float | None
    options: tuple[str, ...]

    def decode(self, value: Any) -> Any: ...


def _bin(u: np.ndarray, count: int) -> np.ndarray:
    """Index 0..count-1 of equal-width bins of [0, 1) (u = 1 falls in the last bin)."""
    return np.minimum((np.asarray(u, dtype=float) * count).astype(int), count - 1)


def from_unit(variable: VariableLike, u: np.ndarray) -> list[Any]:
    """Map unit-interval values ``u`` to decoded values of ``variable`` (see the module docstring)."""
    if variable.kind == "choice":
        return [variable.options[i] for i in _bin(u, len(variable.options))]
    low, high = float(variable.low), float(variable.high)
    if variable.kind == "int":
        count = int(round(high - low)) + 1
        return [int(low) + int(i) for i in _bin(u, count)]
    return [variable.decode(low + float(x) * (high - low)) for x in u]


def designs_from_unit(variables: Sequence[VariableLike], unit: np.ndarray) -> pd.DataFrame:
    """One row per point of ``unit`` (shape n x d, columns in ``variables`` order)."""
    unit = np.atleast_2d(np.asarray(unit, dtype=float))
    if unit.shape[1] != len(variables):
        raise InputError(f"sample has {unit.shape[1]} columns for {len(variables)} variables")
    return pd.DataFrame({v.name: from_unit(v, unit[:, j]) for j, v in enumerate(variables)})


def levels_of(variable: VariableLike, levels: int) -> list[Any]:
    """The values of ``variable`` in a full factorial: every option / integer (at most ``levels``
    evenly spaced integers when the range is wider), or ``levels`` evenly spaced floats from
    ``low`` to ``high`` inclusive."""
    if variable.kind == "choice":
        return list(variable.options)
    low, high = float(variable.low), float(variable.high)
    if variable.kind == "int":
        count = int(round(high - low)) + 1
        if count <= levels:
            return list(range(int(low), int(high) + 1))
        return sorted({int(round(x)) for x in np.linspace(low, high, levels)})
    if levels < 2:
        raise InputError("a full factorial needs at least 2 levels per continuous variable")
    return [variable.decode(x) for x in np.linspace(low, high, levels)]


def full_factorial(variables: Sequence[VariableLike], levels: int = 3) -> pd.DataFrame:
    """Every combination of :func:`levels_of` each variable (first variable varies slowest)."""
    axes = [levels_of(v, levels) for v in variables]
    rows = list(itertools.product(*axes))
    return pd.DataFrame(rows, columns=[v.name for v in variables])


def latin_hypercube(variables: Sequence[VariableLike], n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` designs from a seeded Latin hypercube (``scipy.stats.qmc.LatinHypercube``)."""
    if n < 1:
        raise InputError(f"a Latin hypercube needs n >= 1, got {n}")
    unit = qmc.LatinHypercube(d=len(variables), seed=seed).random(n)
    return designs_from_unit(variables, unit)


def sobol_points(variables: Sequence[VariableLike], n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` designs from a scrambled, seeded Sobol sequence (``scipy.stats.qmc.Sobol``).

    ``n`` must be a power of two: only then is the sequence balanced (InputError otherwise).
    """
    if n < 1 or n & (n - 1):
        raise InputError(f"a Sobol sample needs n = a power of two for balance, got {n} "
                         f"(nearest: {2 ** max(0, round(math.log2(max(n, 1))))})")
    unit = qmc.Sobol(d=len(variables), scramble=True, seed=seed).random_base2(int(math.log2(n)))
    return designs_from_unit(variables, unit)


def sample(method: str, variables: Sequence[VariableLike], n: int, seed: int = 1) -> pd.DataFrame:
    """Designs by ``method``: ``factorial`` (``n`` = levels per continuous variable), ``lhs`` or
    ``sobol`` (``n`` = number of designs)."""
    if not variables:
        raise InputError("sampling needs at least one variable")
    if method == "factorial":
        return full_factorial(variables, n)
    if method == "lhs":
        return latin_hypercube(variables, n, seed)
    if method == "sobol":
        return sobol_points(variables, n, seed)
    raise InputError(f"unknown sampling method {method!r}; allowed: {', '.join(METHODS)}")
