"""How good a Pareto front is: its hypervolume in normalised objective space (issue 18).

The hypervolume of a set of points (objectives to minimise) is the volume they dominate below a
reference point (Zitzler & Thiele 1998, "Multiobjective optimization using evolutionary
algorithms - a comparative case study", PPSN V; computed with pymoo's ``HV`` indicator).

To compare generations of one run, and runs of one problem, the objectives are normalised with a
fixed scale before the volume is taken: ``f' = (f - ideal) / (nadir - ideal)`` where ``ideal`` and
``nadir`` are the best and worst value of each objective (minimisation form) over the *first
generation's* successfully simulated designs (:func:`normalisation`). That scale never changes
afterwards and is recomputed identically from the stored rows on ``--resume``. The reference point
is :data:`REFERENCE_POINT` (1.1) in every normalised objective: a design must beat the first
generation's worst value (plus 10 % of its range) in every objective to count. Only feasible
designs count; without any, the hypervolume is 0. With that scale a front as good as the first
generation's extremes in every objective at once would reach 1.1**m (m objectives); values above
it mean the search went beyond the first generation's best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

REFERENCE_POINT = 1.1  # in every normalised objective


@dataclass(frozen=True)
class Normalisation:
    """``ideal`` and ``nadir`` per objective (minimisation form: a maximised objective negated)."""

    ideal: tuple[float, ...]
    nadir: tuple[float, ...]

    def apply(self, F: np.ndarray) -> np.ndarray:
        ideal, nadir = np.asarray(self.ideal), np.asarray(self.nadir)
        span = np.where(nadir - ideal > 0, nadir - ideal, 1.0)  # a constant objective: unit scale
        return (np.asarray(F, dtype=float) - ideal) / span

    def to_json(self) -> dict[str, Any]:
        return {"ideal": list(self.ideal), "nadir": list(self.nadir), "reference_point": REFERENCE_POINT,
                "method": "objectives (minimisation form) scaled by the first generation's best (ideal) and worst "
                          "(nadir) simulated values; reference point 1.1 in each; feasible designs only"}


def normalisation(F_first: np.ndarray) -> Normalisation | None:
    """The scale of :func:`hypervolume` from the first generation's objective values (rows of
    ``F_first``; non-finite rows, i.e. failed simulations, ignored); None when none is finite."""
    F = np.asarray(F_first, dtype=float)
    F = F[np.isfinite(F).all(axis=1)] if F.size else F
    if F.size == 0:
        return None
    return Normalisation(tuple(float(v) for v in F.min(axis=0)), tuple(float(v) for v in F.max(axis=0)))


def hypervolume(F: np.ndarray, scale: Normalisation, feasible: Sequence[bool] | np.ndarray | None = None) -> float:
    """Hypervolume of the feasible rows of ``F`` (objectives in minimisation form) after
    ``scale``, below :data:`REFERENCE_POINT`; 0 when no feasible finite row is below it."""
    from pymoo.indicators.hv import HV

    F = np.asarray(F, dtype=float)
    if F.size == 0:
        return 0.0
    keep = np.isfinite(F).all(axis=1)
    if feasible is not None:
        keep &= np.asarray(feasible, dtype=bool)
    points = scale.apply(F[keep])
    points = points[(points < REFERENCE_POINT).all(axis=1)] if points.size else points
    if points.size == 0:
        return 0.0
    return float(HV(ref_point=np.full(points.shape[1], REFERENCE_POINT))(points))
