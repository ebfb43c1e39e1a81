"""Front quality (issue 18): hypervolume in normalised objective space, against hand cases.

Independent reference: the dominated area computed by hand (rectangles under a staircase).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from ultralow.optimise.front_quality import REFERENCE_POINT, Normalisation, hypervolume, normalisation


def test_hypervolume_of_a_staircase_by_hand():
    unit = Normalisation((0.0, 0.0), (1.0, 1.0))
    F = np.array([[0.2, 0.8], [0.5, 0.5], [0.8, 0.2]])
    # below the reference point 1.1: 0.3 x 0.3 + 0.3 x 0.6 + 0.3 x 0.9
    assert hypervolume(F, unit) == pytest.approx(0.09 + 0.18 + 0.27)
    # a dominated point and an infeasible better one add nothing
    worse = np.vstack([F, [0.9, 0.9], [0.0, 0.0]])
    assert hypervolume(worse, unit, feasible=[True, True, True, True, False]) == pytest.approx(0.54)
    # beyond the reference point: nothing; no feasible design: 0
    assert hypervolume(np.array([[1.2, 0.1]]), unit) == 0.0
    assert hypervolume(F, unit, feasible=[False, False, False]) == 0.0


def test_normalisation_is_the_first_generations_range_in_minimisation_form():
    first = np.array([[100.0, -0.2], [140.0, -0.5], [math.inf, math.inf]])  # a failed row ignored
    scale = normalisation(first)
    assert scale.ideal == (100.0, -0.5) and scale.nadir == (140.0, -0.2)
    assert scale.apply(np.array([[120.0, -0.35]])) == pytest.approx(np.array([[0.5, 0.5]]))
    # the first generation's best in both objectives at once: (1.1 - 0) ** 2
    assert hypervolume(np.array([[100.0, -0.5]]), scale) == pytest.approx(REFERENCE_POINT ** 2)
    assert normalisation(np.empty((0, 2))) is None
