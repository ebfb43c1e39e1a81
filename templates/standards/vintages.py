"""Existing buildings by era (``data/vintages.toml``): the retrofit starting point.

A :class:`Vintage` gives whole-element U-values (W/(m2 K), with films), window SHGC, n50 (1/h)
and the heating/cooling systems of a typical building of that era, use and zone.
:meth:`Vintage.template_parameters` turns it into template parameters (no HRV, no PV);
:func:`retrofit_u` adds an insulation layer to an existing element.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.standards.systems import SystemPair, parse_cooling, parse_heating
from ultralow.templates.standards.zones import USES, ZONES, check_use, check_zone

_NUMBERS = {  # name: (low, high) plausible range
    "wall_u_w_m2k": (0.05, 6.0), "roof_u_w_m2k": (0.05, 6.0), "floor_u_w_m2k": (0.05, 6.0),
    "window_u_w_m2k": (0.5, 7.0), "window_shgc": (0.05, 0.95), "n50_ach": (0.1, 30.0),
}
_TEMPLATE_LIMITS = {"wall_u_w_m2k": 3.0, "roof_u_w_m2k": 3.0, "floor_u_w_m2k": 3.0,
                    "window_u_w_m2k": 6.0}


@dataclass(frozen=True)
class Vintage:
    id: str
    use: str
    zones: tuple[str, ...]
    label: str
    construction: str
    values: Mapping[str, float]
    systems: SystemPair
    source: str
    verified: bool
    note: str = ""

    def template_parameters(self) -> dict[str, Any]:
        """Parameters that start a template from this vintage: its U-values (clipped to the
        templates' allowed ranges), SHGC, n50, no heat recovery and no PV."""
        params: dict[str, Any] = {k: min(v, _TEMPLATE_LIMITS.get(k, v)) for k, v in self.values.items()}
        params.update(hrv_efficiency=0.0, pv_roof_fraction=0.0)
        return params


def _parse(data: Mapping[str, Any], path: str) -> tuple[Vintage, ...]:
    sources = data.get("sources", {})
    out = []
    for i, row in enumerate(data.get("vintage", [])):
        where = f"{path}: [[vintage]] #{i + 1}"
        for key in ("id", "use", "zones", "label", "construction", "heating", "cooling", "source",
                    "verified", *_NUMBERS):
            if key not in row:
                raise InputError(f"{where}: missing key {key!r}")
        if row["use"] not in USES:
            raise InputError(f"{where}: use {row['use']!r} not one of {', '.join(USES)}")
        bad = [z for z in row["zones"] if z not in ZONES]
        if bad:
            raise InputError(f"{where}: unknown zones {bad}; allowed: {', '.join(ZONES)}")
        if row["source"] not in sources:
            raise InputError(f"{where}: source {row['source']!r} not defined in [sources]")
        values = {}
        for key, (low, high) in _NUMBERS.items():
            v = row[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not low <= v <= high:
                raise InputError(f"{where}: {key} = {v!r} is not a number in [{low:g}, {high:g}]")
            values[key] = float(v)
        systems = SystemPair(parse_heating(row["heating"], f"{where} heating"),
                             parse_cooling(row["cooling"], f"{where} cooling"))
        out.append(Vintage(row["id"], row["use"], tuple(row["zones"]), row["label"],
                           row["construction"], values, systems,
                           sources[row["source"]]["citation"], bool(row["verified"]),
                           str(row.get("note", ""))))
    seen: set[tuple[str, str, str]] = set()
    for v in out:
        for zone in v.zones:
            key = (v.id, v.use, zone)
            if key in seen:
                raise InputError(f"{path}: vintage {v.id!r} defined twice for {v.use} in {zone}")
            seen.add(key)
    return tuple(out)


@cache
def load_vintages() -> tuple[Vintage, ...]:
    resource = resources.files("ultralow.templates.standards").joinpath("data").joinpath("vintages.toml")
    with resource.open("rb") as fh:
        return _parse(tomllib.load(fh), str(resource))


def vintage_ids(use: str | None = None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.id for v in load_vintages() if use in (None, v.use)))


def get_vintage(vintage_id: str, zone: str, use: str) -> Vintage:
    """The vintage ``vintage_id`` for ``use`` in ``zone``; InputError listing the choices."""
    check_zone(zone)
    check_use(use)
    for v in load_vintages():
        if v.id == vintage_id and v.use == use and zone in v.zones:
            return v
    raise InputError(f"no vintage {vintage_id!r} for {use} buildings in {zone}; "
                     f"available: {', '.join(vintage_ids(use))}")


def retrofit_u(existing_u_w_m2k: float, insulation_conductivity_w_mk: float,
               insulation_thickness_m: float) -> float:
    """U-value (W/(m2 K)) after adding an insulation layer to an existing element:
    1 / (1/U_existing + thickness / conductivity)."""
    if existing_u_w_m2k <= 0 or insulation_conductivity_w_mk <= 0 or insulation_thickness_m < 0:
        raise InputError("retrofit_u needs U > 0, conductivity > 0 and thickness >= 0")
    return 1.0 / (1.0 / existing_u_w_m2k + insulation_thickness_m / insulation_conductivity_w_mk)
