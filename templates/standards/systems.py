"""Heating/cooling system descriptions (reference systems of the standards, existing buildings)
and the conversion of heating/cooling demand into delivered and primary energy.

Data tables (a standard's ``[reference_system]``, a preset ``[heating_system.<id>]`` /
``[cooling_system.<id>]`` of ``vintages.toml``, a vintage's inline table) are parsed by
:func:`parse_heating` / :func:`parse_cooling`; a preset's ``id`` and ``label`` are kept on the
record (empty for inline tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.errors import InputError

HEATING_KINDS = ("district_heating", "boiler", "electric")
CARRIERS = ("electricity", "coal", "natural_gas")


@dataclass(frozen=True)
class HeatingSystem:
    """Heating system: ``efficiency`` is useful heat per unit of delivered energy (-), i.e. a
    boiler efficiency times a network efficiency, or a seasonal COP for electric systems."""

    kind: str
    carrier: str
    efficiency: float
    clause: str = ""
    source: str = ""
    verified: bool = False
    id: str = ""
    label: str = ""

    def delivered_kwh(self, heat_kwh: float) -> float:
        """Delivered energy (kWh of ``carrier``) for ``heat_kwh`` of useful heat."""
        return heat_kwh / self.efficiency


@dataclass(frozen=True)
class CoolingSystem:
    """Electric cooling: ``cop`` (-) of the generator; ``auxiliary_fraction`` (-) adds pump,
    cooling-tower and terminal-fan electricity as a fraction of the generator's."""

    cop: float
    auxiliary_fraction: float = 0.0
    clause: str = ""
    source: str = ""
    verified: bool = False
    id: str = ""
    label: str = ""

    @property
    def effective_cop(self) -> float:
        """Cooling delivered per kWh of electricity including auxiliaries (-)."""
        return self.cop / (1.0 + self.auxiliary_fraction)

    def electricity_kwh(self, cooling_kwh: float) -> float:
        return cooling_kwh / self.effective_cop


@dataclass(frozen=True)
class SystemPair:
    heating: HeatingSystem
    cooling: CoolingSystem


def _number(spec: Mapping[str, Any], key: str, where: str, low: float, high: float) -> float:
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: {key!r} must be a number, got {value!r}")
    if not low < float(value) <= high:
        raise InputError(f"{where}: {key!r} = {value!r} is outside ({low:g}, {high:g}]")
    return float(value)


def parse_heating(spec: Mapping[str, Any], where: str, source: str = "", system_id: str = "") -> HeatingSystem:
    """Build a HeatingSystem from a data-file table; InputError names ``where`` on bad input.

    ``source``: the citation when the table has no ``source`` text of its own; ``system_id``:
    the preset id (``""`` for an inline table)."""
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected a table")
    kind = spec.get("kind")
    if kind not in HEATING_KINDS:
        raise InputError(f"{where}: kind {kind!r} not one of {', '.join(HEATING_KINDS)}")
    if kind == "electric":
        eff = _number(spec, "cop", where, 0.0, 10.0)
        carrier = "electricity"
    else:
        eff = _number(spec, "efficiency", where, 0.0, 1.2)
        if kind == "district_heating":
            eff *= _number(spec, "network_efficiency", where, 0.0, 1.0)
        carrier = spec.get("fuel", "")
        if carrier not in CARRIERS:
            raise InputError(f"{where}: fuel {carrier!r} not one of {', '.join(CARRIERS)}")
    return HeatingSystem(kind, carrier, eff, str(spec.get("clause", "")),
                         str(spec.get("source", source)), bool(spec.get("verified", False)),
                         system_id, str(spec.get("label", "")))


def parse_cooling(spec: Mapping[str, Any], where: str, source: str = "", system_id: str = "") -> CoolingSystem:
    """Build a CoolingSystem from a data-file table (see :func:`parse_heating`)."""
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected a table")
    if spec.get("kind", "electric") != "electric":
        raise InputError(f"{where}: only electric cooling is supported, got {spec.get('kind')!r}")
    cop = _number(spec, "cop", where, 0.0, 15.0)
    aux = spec.get("auxiliary_fraction", 0.0)
    if isinstance(aux, bool) or not isinstance(aux, int | float) or not 0.0 <= aux < 2.0:
        raise InputError(f"{where}: 'auxiliary_fraction' = {aux!r} is not a number in [0, 2)")
    return CoolingSystem(cop, float(aux), str(spec.get("clause", "")), str(spec.get("source", source)),
                         bool(spec.get("verified", False)), system_id, str(spec.get("label", "")))
