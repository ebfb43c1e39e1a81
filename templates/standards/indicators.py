"""The ``Indicator`` record (one checked requirement) and the ``ComplianceReport``."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

INFEASIBLE_G = 1.0e6  # constraint value returned for an indicator that could not be evaluated


@dataclass(frozen=True)
class Indicator:
    """One requirement applied to one design.

    ``comparison`` is ``"<="`` (value must not exceed the limit) or ``">="``. ``margin`` is the
    headroom in the indicator's unit: positive = passes with that much to spare, negative = fails
    by that much. ``value`` None means it could not be evaluated (``passed`` None, ``note`` says
    why); such an indicator does not count as passed.
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
    """Every indicator of a target for one design, plus the context numbers behind them."""

    target: str
    standard: str
    climate_zone: str
    building_use: str
    indicators: list[Indicator]
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when every indicator was evaluated and passed."""
        return bool(self.indicators) and all(i.passed is True for i in self.indicators)

    @property
    def failed(self) -> list[Indicator]:
        return [i for i in self.indicators if i.passed is not True]

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
            "indicators": [i.to_dict() for i in self.indicators],
            "details": self.details,
        }
