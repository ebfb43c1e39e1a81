"""Design variables: continuous ranges, integers and choices (plain or from a catalogue).

A variable maps one optimiser value to one or more template parameters:
- ``float`` / ``int``: one template parameter (``parameter``, default the variable's name),
  with bounds inside the parameter's allowed range; floats are rounded to the grid ``min``,
  ``min + step``, ... (without ``step``: to 1e-4 of the parameter's unit) so that equal designs
  hash equally in the result store;
- ``choice`` of a template choice parameter (``heat_pump``, ``wall_insulation``...): the value is
  the catalogue id itself;
- ``choice`` from a catalogue that expands (``windows`` -> U, SHGC, VT; ``pv_modules`` ->
  module efficiency): the value is a product id, the template gets the product's properties and
  the cost model gets the id as ``<catalogue key>`` (``window_product``, ``pv_module``). In a
  retrofit, the option ``"existing"`` (:data:`KEEP_EXISTING`) of an expanding catalogue sets
  nothing: the element keeps the existing building's values and costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ultralow.errors import InputError

KINDS = ("float", "int", "choice")


def _window_catalogue() -> dict[str, dict[str, Any]]:
    from ultralow.optimise.catalogues import window_products

    return window_products()


def _pv_catalogue() -> dict[str, dict[str, Any]]:
    from ultralow.optimise.catalogues import pv_modules

    return pv_modules()


def _insulation_catalogue() -> dict[str, dict[str, Any]]:
    from ultralow.templates import catalogues

    return {k: catalogues.load("materials")[k] for k in catalogues.insulation_ids()}


def _heat_pump_catalogue() -> dict[str, dict[str, Any]]:
    from ultralow.templates import catalogues

    return {k: catalogues.load("heat_pumps")[k] for k in catalogues.heat_pump_ids()}


@dataclass(frozen=True)
class Catalogue:
    """How a catalogue choice becomes template parameters.

    ``expands``: template parameter <- catalogue field (empty: the id is itself the value of
    the variable's template parameter). ``id_key``: name under which the chosen id is passed to
    the cost model (``None``: the template parameter already carries it).
    """

    name: str
    loader: Callable[[], dict[str, dict[str, Any]]]
    expands: Mapping[str, str] = field(default_factory=dict)
    id_key: str | None = None


KEEP_EXISTING = "existing"  # option of an expanding catalogue: keep the existing building's element
CATALOGUES: dict[str, Catalogue] = {
    "windows": Catalogue("windows", _window_catalogue,
                         {"window_u_w_m2k": "u_w_m2k", "window_shgc": "shgc", "window_vt": "vt"},
                         "window_product"),
    "pv_modules": Catalogue("pv_modules", _pv_catalogue, {"pv_module_efficiency": "efficiency"},
                            "pv_module"),
    "insulation": Catalogue("insulation", _insulation_catalogue),
    "heat_pumps": Catalogue("heat_pumps", _heat_pump_catalogue),
}


@dataclass(frozen=True)
class Variable:
    """One design variable (see the module docstring)."""

    name: str
    kind: str
    parameter: str | None = None  # template parameter set directly (float/int/plain choice)
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()
    catalogue: str | None = None

    def decode(self, value: Any) -> Any:
        """Optimiser value -> clean Python value (rounded float, int, or option id)."""
        if self.kind == "float":
            if self.step is None:
                x = round(round(float(value) / 1e-4) * 1e-4, 10)
            else:  # the grid low, low + step, ... (a step need not divide low: 0.1 .. 0.5 by 0.4)
                x = round(float(self.low) + round((float(value) - float(self.low)) / self.step) * self.step, 10)
            return min(max(x, float(self.low)), float(self.high))
        if self.kind == "int":
            return int(round(float(value)))
        text = str(value)
        if text not in self.options:
            raise InputError(f"variable {self.name!r}: {text!r} is not one of {', '.join(self.options)}")
        return text

    def template_parameters(self, value: Any) -> dict[str, Any]:
        """Template parameters this variable sets for ``value`` (already decoded)."""
        if self.catalogue and CATALOGUES[self.catalogue].expands:
            if value == KEEP_EXISTING:
                return {}
            entry = CATALOGUES[self.catalogue].loader()[value]
            return {p: entry[f] for p, f in CATALOGUES[self.catalogue].expands.items() if f in entry}
        return {self.parameter or self.name: value}

    def cost_keys(self, value: Any) -> dict[str, Any]:
        """Extra keys for the cost model (the chosen product id of an expanding catalogue)."""
        if self.catalogue and CATALOGUES[self.catalogue].id_key and value != KEEP_EXISTING:
            return {CATALOGUES[self.catalogue].id_key: value}
        return {}

    def describe(self) -> str:
        if self.kind == "choice":
            return f"{self.name}: one of {', '.join(self.options)}"
        return f"{self.name}: {self.kind} {self.low:g} .. {self.high:g}"


def decode_design(variables: list[Variable], x: Mapping[str, Any]) -> dict[str, Any]:
    """Optimiser dict ``{variable: raw value}`` -> ``{variable: clean value}``."""
    return {v.name: v.decode(x[v.name]) for v in variables}


def design_parameters(variables: list[Variable], fixed: Mapping[str, Any],
                      values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(template parameters, cost-model extras) of a decoded design over the fixed parameters."""
    params = dict(fixed)
    extras: dict[str, Any] = {}
    for v in variables:
        params.update(v.template_parameters(values[v.name]))
        extras.update(v.cost_keys(values[v.name]))
    return params, extras
