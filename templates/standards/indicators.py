"""The ``Indicator`` record (one checked requirement or recommendation) and the ``ComplianceReport``.

Kinds of indicator (:data:`KINDS`):
- ``"requirement"``: a limit of the target; counted in :attr:`ComplianceReport.passed` and the
  only kind an optimiser may turn into constraints (:attr:`ComplianceReport.requirements`);
- ``"recommended"``: an informative recommended value (GB/T 51350 §6.1 envelope tables), shown
  with pass/fail but never counted (:attr:`ComplianceReport.recommendations`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

INFEASIBLE_G = 1.0e6  # constraint value returned for an indicator that could not be evaluated
REQUIREMENT = "requirement"
RECOMMENDED = "recommended"
KINDS: tuple[str, ...] = (REQUIREMENT, RECOMMENDED)


@dataclass(frozen=True)
class Indicator:
    """One requirement applied to one design.

    ``comparison`` is ``"<="`` (value must not exceed the limit) or ``">="``. ``margin`` is the
    headroom in the indicator's unit: positive = passes with that much to spare, negative = fails
    by that much. ``value`` None means it could not be evaluated (``passed`` None, ``note`` says
    why); such an indicator does not count as passed.

    ``area_basis``: for per-m2 quantities, the floor area the value and limit refer to
    (``"usable"`` = 套内使用面积, ``"conditioned"`` = gross conditioned area), else ``""``.
    ``kind``: ``"requirement"`` (counted) or ``"recommended"`` (informative, not counted).
    """

    name: str
    label: str
    value: float | None
    limit: float | None
    comparison: str
    unit: str
    clause: str
    source: str
    verified: bool
    note: str = ""
    area_basis: str = ""
    kind: str = REQUIREMENT

    @property
    def counted(self) -> bool:
        """True for a requirement (counted in pass/fail and usable as a constraint)."""
        return self.kind == REQUIREMENT

    @property
    def margin(self) -> float | None:
        if self.value is None or self.limit is None:
            return None
        return self.limit - self.value if self.comparison == "<=" else self.value - self.limit

    @property
    def relative_margin(self) -> float | None:
        """Margin as a fraction of the limit (-)."""
        m = self.margin
        if m is None:
            return None
        return m / abs(self.limit) if self.limit else m

    @property
    def passed(self) -> bool | None:
        m = self.margin
        if m is None or (isinstance(m, float) and math.isnan(m)):
            return None
        return m >= -1e-9 * max(1.0, abs(self.limit or 0.0))

    def g(self) -> float:
        """Constraint value in pymoo form (feasible when <= 0): -relative margin."""
        m = self.relative_margin
        return INFEASIBLE_G if m is None or math.isnan(m) else -m

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(margin=self.margin, relative_margin=self.relative_margin, passed=self.passed)
        return out


@dataclass
class ComplianceReport:
    """Every indicator of a target for one design, plus the context numbers behind them.

    ``indicators`` holds requirements and recommendations (see :data:`KINDS`); only
    :attr:`requirements` decide :attr:`passed`, and only they may become optimiser constraints.
    ``indicative`` is True when the result cannot be a compliance statement (unverified limits,
    unverified or missing calculation profile, synthetic weather...); ``indicative_reasons`` says
    why. ``warnings``: :class:`~ultralow.templates.standards.plausibility.PlausibilityWarning`
    records (results outside the plausible range). ``calculation_warnings``: text warnings about
    how the design was calculated (e.g. not simulated with the target's calculation profile).
    """

    target: str
    standard: str
    climate_zone: str
    building_use: str
    indicators: list[Indicator]
    details: dict[str, Any] = field(default_factory=dict)
    indicative: bool = False
    indicative_reasons: list[str] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)
    calculation_warnings: list[str] = field(default_factory=list)

    @property
    def requirements(self) -> list[Indicator]:
        """The counted indicators (``kind == "requirement"``): the optimiser's constraints."""
        return [i for i in self.indicators if i.counted]

    @property
    def recommendations(self) -> list[Indicator]:
        """The informative recommended-value checks (``kind == "recommended"``), not counted."""
        return [i for i in self.indicators if not i.counted]

    @property
    def passed(self) -> bool:
        """True when every requirement was evaluated and passed (recommendations do not count)."""
        reqs = self.requirements
        return bool(reqs) and all(i.passed is True for i in reqs)

    @property
    def failed(self) -> list[Indicator]:
        """Requirements not passed (failed or not evaluated)."""
        return [i for i in self.requirements if i.passed is not True]

    def headline(self) -> str:
        """One-line verdict, e.g. ``"ALL PASS (indicative: ...)"`` or ``"NOT MET"``."""
        verdict = "ALL PASS" if self.passed else "NOT MET"
        if self.indicative:
            verdict += f" (indicative: {'; '.join(self.indicative_reasons)})"
        return verdict

    def indicator(self, name: str) -> Indicator:
        for ind in self.indicators:
            if ind.name == name:
                return ind
        raise KeyError(f"no indicator {name!r} in the {self.target} report; "
                       f"available: {', '.join(i.name for i in self.indicators)}")

    def exit_status(self) -> int:
        """0 when all pass, 1 otherwise (the ``ultralow check`` convention)."""
        return 0 if self.passed else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "standard": self.standard,
            "climate_zone": self.climate_zone,
            "building_use": self.building_use,
            "passed": self.passed,
            "indicative": self.indicative,
            "indicative_reasons": list(self.indicative_reasons),
            "calculation_warnings": list(self.calculation_warnings),
            "warnings": [w.to_dict() if hasattr(w, "to_dict") else w for w in self.warnings],
            "indicators": [i.to_dict() for i in self.indicators],
            "details": self.details,
        }
