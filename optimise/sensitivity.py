"""Global sensitivity analysis with SALib: Morris elementary effects and Sobol indices.

A *problem* is SALib's dict (``num_vars``, ``names``, ``bounds``). Sweeps use unit bounds
[0, 1] per variable and map the points to designs with
:func:`ultralow.optimise.sampling.designs_from_unit`. Morris ``mu_star`` is the mean absolute
change of an output (in the output's unit) per full range of the variable, whatever the
variable's own unit, so variables are comparable.

Sampling: :func:`morris_design` (SALib ``sample.morris``, ``trajectories x (d + 1)`` points) and
:func:`sobol_design` (SALib ``sample.sobol``, Saltelli's scheme, ``n (d + 2)`` points, or
``n (2d + 2)`` with second-order indices). Analysis: :func:`morris_indices` and
:func:`sobol_indices` return one tidy DataFrame row per (output, variable) with bootstrap
confidence half-widths at ``conf_level``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from ultralow.errors import InputError

METHODS: tuple[str, ...] = ("morris", "sobol")


def make_problem(names: Sequence[str], bounds: Sequence[tuple[float, float]] | None = None) -> dict[str, Any]:
    """SALib problem dict; ``bounds`` default to [0, 1] for every variable."""
    names = list(names)
    if not names:
        raise InputError("sensitivity analysis needs at least one variable")
    bounds = [list(map(float, b)) for b in bounds] if bounds is not None else [[0.0, 1.0]] * len(names)
    if len(bounds) != len(names):
        raise InputError(f"{len(bounds)} bounds for {len(names)} variables")
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def morris_design(problem: Mapping[str, Any], trajectories: int, levels: int = 4, seed: int = 1) -> np.ndarray:
    """Morris one-at-a-time trajectories: ``trajectories x (num_vars + 1)`` rows."""
    from SALib.sample import morris

    if trajectories < 2:
        raise InputError(f"Morris needs at least 2 trajectories, got {trajectories}")
    if levels < 2 or levels % 2:
        raise InputError(f"Morris levels must be an even number >= 2, got {levels}")
    return morris.sample(dict(problem), trajectories, num_levels=levels, seed=seed)


def sobol_design(problem: Mapping[str, Any], n: int, second_order: bool = False, seed: int = 1) -> np.ndarray:
    """Saltelli's sample for Sobol indices: ``n (d + 2)`` rows (``n (2d + 2)`` with second order).

    ``n`` must be a power of two (the Sobol sequence's balance).
    """
    from SALib.sample import sobol

    if n < 2 or n & (n - 1):
        raise InputError(f"Sobol sensitivity needs n = a power of two >= 2, got {n}")
    return sobol.sample(dict(problem), n, calc_second_order=second_order, scramble=True, seed=seed)


def _outputs(outputs: Mapping[str, Sequence[float]] | pd.DataFrame, rows: int) -> dict[str, np.ndarray]:
    items = outputs.items() if isinstance(outputs, Mapping) else ((c, outputs[c]) for c in outputs.columns)
    out = {}
    for name, values in items:
        y = np.asarray(values, dtype=float)
        if y.shape != (rows,):
            raise InputError(f"output {name!r} has {y.shape[0]} values for {rows} sample points")
        if not np.all(np.isfinite(y)):
            raise InputError(f"output {name!r} has missing or non-finite values; every sample point "
                             "must have a result for a sensitivity analysis")
        out[name] = y
    return out


def morris_indices(problem: Mapping[str, Any], x: np.ndarray, outputs: Mapping[str, Sequence[float]] | pd.DataFrame,
                   *, levels: int = 4, conf_level: float = 0.95, resamples: int = 1000,
                   seed: int = 1) -> pd.DataFrame:
    """Morris screening of each output: columns ``output, variable, mu, mu_star, mu_star_conf,
    sigma``, in output units per full range of the variable (SALib divides by the step in
    normalised units, so the bounds' own unit does not enter).

    ``mu_star_conf`` is the bootstrap half-width of the ``conf_level`` interval of ``mu_star``.
    """
    from SALib.analyze import morris

    x = np.asarray(x, dtype=float)
    rows = []
    for name, y in _outputs(outputs, x.shape[0]).items():
        res = morris.analyze(dict(problem), x, y, num_resamples=resamples, conf_level=conf_level,
                             num_levels=levels, seed=seed)
        for j, var in enumerate(problem["names"]):
            rows.append({"output": name, "variable": var, "mu": float(res["mu"][j]),
                         "mu_star": float(res["mu_star"][j]), "mu_star_conf": float(res["mu_star_conf"][j]),
                         "sigma": float(res["sigma"][j])})
    return pd.DataFrame(rows, columns=["output", "variable", "mu", "mu_star", "mu_star_conf", "sigma"])


def sobol_indices(problem: Mapping[str, Any], outputs: Mapping[str, Sequence[float]] | pd.DataFrame, *,
                  second_order: bool = False, conf_level: float = 0.95, resamples: int = 1000,
                  seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol indices of each output from a :func:`sobol_design` sample (rows in its order).

    Returns (first/total table: ``output, variable, S1, S1_conf, ST, ST_conf``; second-order
    table: ``output, variable_1, variable_2, S2, S2_conf``, empty unless ``second_order``).
    Indices are shares of the output variance (-); ``*_conf`` are bootstrap half-widths.
    """
    from SALib.analyze import sobol

    d = problem["num_vars"]
    per_block = 2 * d + 2 if second_order else d + 2
    first, second = [], []
    for name, y in _outputs(outputs, _rows(outputs)).items():
        if y.shape[0] % per_block:
            raise InputError(f"output {name!r}: {y.shape[0]} values is not a multiple of {per_block} "
                             f"(Saltelli sample for {d} variables, second_order={second_order})")
        res = sobol.analyze(dict(problem), y, calc_second_order=second_order, num_resamples=resamples,
                            conf_level=conf_level, seed=seed)
        for j, var in enumerate(problem["names"]):
            first.append({"output": name, "variable": var, "S1": float(res["S1"][j]),
                          "S1_conf": float(res["S1_conf"][j]), "ST": float(res["ST"][j]),
                          "ST_conf": float(res["ST_conf"][j])})
        if second_order:
            for j in range(d):
                for k in range(j + 1, d):
                    second.append({"output": name, "variable_1": problem["names"][j],
                                   "variable_2": problem["names"][k], "S2": float(res["S2"][j, k]),
                                   "S2_conf": float(res["S2_conf"][j, k])})
    return (pd.DataFrame(first, columns=["output", "variable", "S1", "S1_conf", "ST", "ST_conf"]),
            pd.DataFrame(second, columns=["output", "variable_1", "variable_2", "S2", "S2_conf"]))


def _rows(outputs: Mapping[str, Sequence[float]] | pd.DataFrame) -> int:
    if isinstance(outputs, pd.DataFrame):
        return len(outputs)
    lengths = {len(v) for v in outputs.values()}
    if len(lengths) != 1:
        raise InputError(f"outputs have different lengths: {sorted(lengths)}")
    return lengths.pop()
