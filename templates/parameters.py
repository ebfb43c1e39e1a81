"""Named, typed, range-checked template parameters.

A parameter's name carries its unit (``wall_u_w_m2k``, ``storeys``, ``orientation_deg``).
:func:`resolve_parameters` merges user values over defaults and rejects unknown names,
wrong types and values out of range with an :class:`~ultralow.errors.InputError` that names the
parameter and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.errors import InputError


@dataclass(frozen=True)
class Parameter:
    """One template parameter.

    ``kind`` is ``"float"``, ``"int"`` or ``"choice"``; a ``None`` default means "not set"
    (e.g. a U-value left to the insulation thickness instead).
    """

    name: str
    kind: str
    unit: str
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        rng = f"{self.minimum:g} to {self.maximum:g}" if self.minimum is not None else "any"
        return f"{'an integer' if self.kind == 'int' else 'a number'} from {rng} {self.unit}".strip()

    def coerce(self, value: Any) -> Any:
        """Convert ``value`` (possibly a command-line string) and check it; raise InputError."""
        if self.kind == "choice" and isinstance(value, str) and value.strip() in self.choices:
            return value.strip()  # a choice may be spelled "none"
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
            if self.optional:
                return None
            raise InputError(f"parameter {self.name!r} needs a value: {self.allowed()}")
        if self.kind == "choice":
            text = str(value).strip()
            if text not in self.choices:
                raise InputError(f"parameter {self.name!r}: {text!r} is not allowed; use {self.allowed()}")
            return text
        try:
            if isinstance(value, bool):  # TOML true/false is not a number
                raise TypeError
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(
                f"parameter {self.name!r}: {value!r} is not a number; use {self.allowed()}"
            ) from None
        if not math.isfinite(number):
            raise InputError(
                f"parameter {self.name!r}: {value!r} is not a finite number; use {self.allowed()}"
            )
        if self.kind == "int":
            if not number.is_integer():
                raise InputError(f"parameter {self.name!r}: {value!r} is not an integer; use {self.allowed()}")
            number = int(number)
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise InputError(f"parameter {self.name!r}: {value!r} is out of range; use {self.allowed()}")
        return number


def resolve_parameters(
    template_name: str, specs: Mapping[str, Parameter], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Defaults of ``specs`` overridden by ``values``, each checked."""
    unknown = [name for name in values if name not in specs]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, specs, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InputError(
            f"template {template_name!r} has no parameter {name!r}{hint}; "
            f"parameters: {', '.join(sorted(specs))}"
        )
    resolved = {}
    for name, spec in specs.items():
        raw = values.get(name, spec.default)
        resolved[name] = None if (raw is None and spec.optional) else spec.coerce(raw)
    check_ordered(resolved)
    return resolved


# (low, high): when both are set, ``low`` may not exceed ``high`` (EnergyPlus refuses a dual
# thermostat whose heating setpoint is above its cooling setpoint, after the run has started)
ORDERED_PARAMETERS = (("heating_setpoint_c", "cooling_setpoint_c"),)


def check_ordered(values: Mapping[str, Any]) -> None:
    """Cross-field checks of resolved parameters; the InputError names both parameters."""
    for low, high in ORDERED_PARAMETERS:
        a, b = values.get(low), values.get(high)
        if a is not None and b is not None and a > b:
            raise InputError(f"parameters {low!r} = {a:g} and {high!r} = {b:g}: {low} must not be above "
                             f"{high}; lower {low} or raise {high}")


def parse_assignments(items: list[str] | None) -> dict[str, str]:
    """Parse repeated ``--set name=value`` options into a dict (values stay strings)."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set {item!r}: expected name=value, e.g. --set wall_u_w_m2k=0.15")
        out[name.strip()] = value.strip()
    return out
