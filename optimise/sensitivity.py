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

Per unit: :func:`per_unit_effects` adds to a Morris table the effect per reporting step of each
variable (e.g. kWh/(m2 a) per 0.1 W/(m2 K)); the steps are data, in
``optimise/data/sensitivity_units.toml`` (:func:`reporting_steps`).

References: Morris, M. D. (1991), Factorial sampling plans for preliminary computational
experiments, Technometrics 33(2), 161-174; Campolongo, F., Cariboni, J., Saltelli, A. (2007), An
effective screening design for sensitivity analysis of large models, Environmental Modelling &
Software 22(10), 1509-1518 (``mu_star``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
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


# ---------------------------------------------------------------------------------------------
# Effects per reporting step ("kWh/(m2 a) per 0.1 W/(m2 K)")

UNITS_FILE = "sensitivity_units.toml"
PER_UNIT_COLUMNS: tuple[str, ...] = ("per_unit_step", "per_unit_unit", "per_unit_span", "mu_per_unit",
                                     "mu_star_per_unit", "mu_star_conf_per_unit", "per_unit_note")
CHOICE_NOTE = "choice variable: no numeric step; compare the options' results instead"


@dataclass(frozen=True)
class ReportingStep:
    """A reporting step: ``step`` in the variable's own unit, ``label`` as printed (``"0.1 W/(m2 K)"``)."""

    step: float
    label: str


def parse_reporting_steps(data: Mapping[str, Any], where: str) -> dict[str, ReportingStep]:
    """``{name: {step, label}}`` tables -> ``{name: ReportingStep}``; InputError names ``where``,
    the entry and the field."""
    out: dict[str, ReportingStep] = {}
    for name, entry in data.items():
        if not isinstance(entry, Mapping):
            raise InputError(f"{where}: {name!r} must be a table [{name}] with step and label")
        unknown = set(entry) - {"step", "label"}
        if unknown:
            raise InputError(f"{where}: [{name}] has unknown field(s) {', '.join(sorted(unknown))}; "
                             "allowed: step, label")
        step, label = entry.get("step"), entry.get("label")
        if isinstance(step, bool) or not isinstance(step, int | float) or not math.isfinite(step) or step <= 0:
            raise InputError(f"{where}: [{name}] step must be a number > 0 (in the parameter's unit), got {step!r}")
        if not isinstance(label, str) or not label.strip():
            raise InputError(f"{where}: [{name}] label must be a non-empty text such as \"0.1 W/(m2 K)\"")
        out[name] = ReportingStep(float(step), label.strip())
    return out


@cache
def reporting_steps() -> dict[str, ReportingStep]:
    """The reporting steps of ``optimise/data/sensitivity_units.toml``, by parameter name."""
    where = f"optimise/data/{UNITS_FILE}"
    with resources.files("ultralow.optimise").joinpath("data", UNITS_FILE).open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{where}: not valid TOML: {exc}") from None
    return parse_reporting_steps(data, where)


def reporting_step(variable: Any, steps: Mapping[str, ReportingStep] | None = None) -> ReportingStep | None:
    """The step a variable's effect is reported per (``None`` for a choice variable).

    Looked up in ``steps`` (default :func:`reporting_steps`) by the variable's name, then its
    template parameter, then that parameter without ``existing_``. Otherwise the variable's own
    ``step`` (a float's rounding step), 1 for an integer variable, else 10 % of its range; the
    label says which.
    """
    if variable.kind == "choice":
        return None
    steps = reporting_steps() if steps is None else steps
    parameter = getattr(variable, "parameter", None) or variable.name
    for key in (variable.name, parameter, parameter.removeprefix("existing_")):
        if key in steps:
            return steps[key]
    own = getattr(variable, "step", None)
    if variable.kind == "float" and own:
        return ReportingStep(float(own), f"{float(own):g} (the variable's own step; not in {UNITS_FILE})")
    if variable.kind == "int":
        return ReportingStep(1.0, f"1 (one integer step; not in {UNITS_FILE})")
    low, high = float(variable.low), float(variable.high)
    step = 0.1 * (high - low)
    return ReportingStep(step, f"{step:g} (10 % of its range {low:g} to {high:g}; not in {UNITS_FILE})")


def morris_moves(x: np.ndarray, levels: int = 4) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per column of a Morris unit matrix ``x`` (``r (d + 1)`` rows, trajectories one after the
    other): the (lower, upper) unit values of every move of that variable. InputError when ``x``
    is not a Morris sample with ``levels`` levels."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    d = x.shape[1]
    if x.shape[0] % (d + 1):
        raise InputError(f"Morris sample has {x.shape[0]} rows, not a multiple of {d + 1} (trajectories of "
                         f"{d} variables)")
    delta = levels / (2.0 * (levels - 1))
    traj = x.reshape(-1, d + 1, d)
    lo, hi = np.minimum(traj[:, :-1], traj[:, 1:]), np.maximum(traj[:, :-1], traj[:, 1:])
    moved = (hi - lo) > 1e-12  # (r, d, d): move k of trajectory t changes column j
    if not np.allclose((hi - lo)[moved], delta) or not (moved.sum(axis=2) == 1).all():
        raise InputError(f"not a Morris sample with levels = {levels}: every move must change one variable "
                         f"by {delta:g}")
    return [(lo[..., j][moved[..., j]], hi[..., j][moved[..., j]]) for j in range(d)]


def morris_span(variable: Any, levels: int = 4,
                moves: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """Change of the variable (its own unit) per full unit range, as the Morris effects see it.

    SALib divides each output change by the step ``delta = levels / (2 (levels - 1))`` on the
    [0, 1] scale, so ``mu_star`` is per full range. The design values are
    :func:`ultralow.optimise.sampling.from_unit` of the unit points: ``low + u (high - low)``
    rounded to the variable's step, or binned for an integer. The span is the mean realised change
    of the variable over the Morris ``moves`` (lower and upper unit values, :func:`morris_moves`)
    divided by ``delta``; without ``moves``, over every pair of levels ``delta`` apart. It is
    ``high - low`` for an unrounded float.
    """
    from ultralow.optimise.sampling import from_unit

    delta = levels / (2.0 * (levels - 1))
    if moves is None:
        grid = np.arange(levels) / (levels - 1)
        lo, hi = grid[: levels // 2], grid[levels // 2:]
    else:
        lo, hi = moves
        if not len(lo):
            return math.nan
    change = np.asarray(from_unit(variable, hi), dtype=float) - np.asarray(from_unit(variable, lo), dtype=float)
    return float(np.mean(change) / delta)


def per_unit_effects(table: pd.DataFrame, variables: Sequence[Any], *, levels: int = 4,
                     x: np.ndarray | None = None,
                     steps: Mapping[str, ReportingStep] | None = None) -> pd.DataFrame:
    """A Morris table (:func:`morris_indices`) with the effects per reporting step of each variable.

    Added columns:

    - ``per_unit_step``: the reporting step, in the variable's own unit (:func:`reporting_step`);
    - ``per_unit_unit``: the step as text, e.g. ``"0.1 W/(m2 K)"``, saying where it came from
      when the variable is not in ``optimise/data/sensitivity_units.toml``;
    - ``per_unit_span``: the variable's change per full unit range (:func:`morris_span`; its unit);
    - ``mu_star_per_unit``, ``mu_star_conf_per_unit``: ``mu_star`` (``mu_star_conf``) x step / span,
      the mean absolute change of the output (the output's unit) per step of the variable;
    - ``mu_per_unit``: ``mu`` x step / span, the signed mean change per step (its sign is the
      direction when ``|mu_per_unit|`` is close to ``mu_star_per_unit``);
    - ``per_unit_note``: why a value is missing (choice variables: NaN, no numeric step).

    The scaling is exact for the elementary-effect definition (Morris 1991; ``mu_star`` of
    Campolongo et al. 2007): an effect is an output change divided by a variable change, so
    dividing by the span instead of 1 gives the change per unit of the variable. It is the mean
    over the sampled range and the Morris moves: a local slope (around one design) can differ for
    a non-linear response. With ``x`` (the Morris unit matrix of the analysis, columns in
    ``variables`` order) the span is the mean of the sample's own moves, so a linear response in
    a rounded or integer variable is exact too; without it, the mean over all level pairs.
    ``levels`` must be the sample's. A variable of ``table`` not in ``variables`` is an InputError.
    """
    by_name = {v.name: (j, v) for j, v in enumerate(variables)}
    unknown = sorted(set(table["variable"]) - set(by_name))
    if unknown:
        raise InputError(f"sensitivity table has variable(s) {', '.join(unknown)} not among the variables "
                         f"{', '.join(by_name)}")
    moves = None
    if x is not None:
        x = np.atleast_2d(np.asarray(x, dtype=float))
        if x.shape[1] != len(variables):
            raise InputError(f"Morris sample has {x.shape[1]} columns for {len(variables)} variables")
        moves = morris_moves(x, levels)
    info: dict[str, tuple[float, str, float, str]] = {}
    for name, (j, v) in by_name.items():
        rs = reporting_step(v, steps)
        if rs is None:
            info[name] = (math.nan, "", math.nan, CHOICE_NOTE)
            continue
        span = morris_span(v, levels, None if moves is None else moves[j])
        ok = math.isfinite(span) and span > 0
        note = "" if ok else "the variable does not change across the Morris moves (no span)"
        info[name] = (rs.step, rs.label, span if ok else math.nan, note)
    out = table.copy()
    out["per_unit_step"] = [info[n][0] for n in out["variable"]]
    out["per_unit_unit"] = [info[n][1] for n in out["variable"]]
    out["per_unit_span"] = [info[n][2] for n in out["variable"]]
    factor = out["per_unit_step"] / out["per_unit_span"]
    out["mu_per_unit"] = out["mu"] * factor
    out["mu_star_per_unit"] = out["mu_star"] * factor
    out["mu_star_conf_per_unit"] = out["mu_star_conf"] * factor
    out["per_unit_note"] = [info[n][3] for n in out["variable"]]
    return out
