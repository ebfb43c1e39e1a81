"""Compliance indicators as optimiser constraints in pymoo form: g(x) <= 0 is feasible.

``g`` is the negative relative margin of the indicator, e.g. for ``saving_rate >= 0.30``
g = (0.30 - value) / 0.30; for ``heating_demand_kwh_m2 <= 15`` g = (value - 15) / 15. An indicator
that cannot be evaluated returns a large positive g (infeasible).

Build them from a target (every indicator of that target, limits from the standard) with
:func:`target_constraints`, or from text with :func:`parse_constraint`
(``"saving_rate_overall >= 0.30"`` or ``"heating_demand_kwh_m2 <= limit"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.standards.evaluate import ComplianceContext, check_target, evaluate
from ultralow.templates.standards.indicators import INFEASIBLE_G, ComplianceReport, Indicator

_EXPR = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=)\s*(limit|[-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Constraint:
    """One constraint; call it with a simulation result (and optionally a context)."""

    name: str
    target: str
    indicator: str
    comparison: str
    limit: float | None  # None: the standard's limit for the design's zone/use
    context: ComplianceContext

    def from_report(self, report: ComplianceReport) -> float:
        """g from an already evaluated report of the same target."""
        try:
            ind = report.indicator(self.indicator)
        except KeyError:
            return INFEASIBLE_G
        if self.limit is not None:
            ind = Indicator(ind.name, ind.label, ind.value, self.limit, self.comparison, ind.unit,
                            ind.clause, ind.source, ind.verified)
        return ind.g()

    def __call__(self, result: Any, context: ComplianceContext | None = None) -> float:
        return self.from_report(evaluate(self.target, result, context or self.context))


def target_constraints(target: str, context: ComplianceContext,
                       example_result: Any | None = None) -> list[Constraint]:
    """One constraint per indicator of ``target`` for ``context`` (a ``example_result``, when
    given, fixes which indicators exist; otherwise an empty result is used)."""
    check_target(target)
    report = evaluate(target, example_result or {}, context)
    return [Constraint(f"{i.name} {i.comparison} limit ({i.clause})", target, i.name,
                       i.comparison, None, context) for i in report.requirements]


def parse_constraint(text: str, target: str, context: ComplianceContext) -> Constraint:
    """``"<indicator> <=|>= <number|limit>"`` -> Constraint; InputError on bad text."""
    check_target(target)
    match = _EXPR.match(text)
    if not match:
        raise InputError(f"constraint {text!r} must look like 'saving_rate_overall >= 0.30' or "
                         "'heating_demand_kwh_m2 <= limit'")
    name, comparison, limit = match.groups()
    known = [i.name for i in evaluate(target, {}, context).requirements]
    if name not in known:
        raise InputError(f"constraint {text!r}: {name!r} is not an indicator of target {target!r} "
                         f"here; available: {', '.join(known)}")
    value = None if limit == "limit" else float(limit)
    return Constraint(text.strip(), target, name, comparison, value, context)


def as_functions(constraints: list[Constraint]) -> list[tuple[str, Callable[[Any], float]]]:
    """(readable name, g(result)) pairs for an optimiser."""
    return [(c.name, c) for c in constraints]
