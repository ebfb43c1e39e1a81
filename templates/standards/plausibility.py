"""Plausibility warnings: annual heating / cooling demand outside the range a compliance-profile
calculation plausibly gives for the zone and use (``data/plausibility.toml``).

A warning never changes pass/fail; it says the number looks wrong and lists the assumptions that
drive it (calculation profile, internal gains, setpoints, heat recovery, airtightness, windows,
shading, area basis), so a reader can see which to check.

- :func:`plausible_ranges` - the ranges for a use and climate zone;
- :func:`plausibility_warnings` - the warnings for one result and its ``ComplianceContext``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ultralow.errors import InputError
from ultralow.templates.profiles import CalculationProfile, get_profile
from ultralow.templates.standards import loader
from ultralow.templates.standards.evaluate import to_area_basis
from ultralow.templates.standards.loader import AREA_BASES
from ultralow.templates.standards.zones import PRIMARY_ZONES, USES, primary_zone

if TYPE_CHECKING:
    from ultralow.templates.standards.evaluate import ComplianceContext

_FILE = "templates/standards/data/plausibility.toml"
QUANTITIES: tuple[str, ...] = ("heating_demand_kwh_m2", "cooling_demand_kwh_m2")
UNIT = "kWh/(m2 a)"
# design parameters reported as drivers of a demand result (when given)
DRIVER_PARAMETERS: tuple[str, ...] = (
    "hrv_efficiency", "n50_ach", "window_u_w_m2k", "window_shgc", "external_shading",
    "external_shade_solar_transmittance", "wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k",
    "psi_window_installation_w_mk", "psi_balcony_w_mk", "usable_floor_area_ratio",
)
# result fields reported as drivers (per conditioned m2 or m2)
DRIVER_RESULTS: tuple[str, ...] = (
    "calculation_profile", "conditioned_floor_area_m2", "usable_floor_area_m2", "frost_protection_heating_kwh_m2",
    "cooling_sensible_kwh_m2", "cooling_latent_kwh_m2", "period",
)


@dataclass(frozen=True)
class PlausibleRange:
    """Plausible annual ``quantity`` (kWh/(m2 a) on ``area_basis``) for ``use`` in primary ``zone``."""

    quantity: str
    use: str
    zone: str
    min_kwh_m2: float
    max_kwh_m2: float
    area_basis: str
    source: str
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class PlausibilityWarning:
    """A result outside its plausible range.

    ``value`` (kWh/(m2 a)) is on ``area_basis`` (the range's, or ``"conditioned"`` when the result
    has no usable area); ``plausible_min_kwh_m2``..``plausible_max_kwh_m2`` the range; ``drivers``
    the assumptions behind the number (profile id, mean internal gains W/m2, setpoints degC,
    hrv_efficiency, n50_ach, window U/SHGC, shading, areas m2, ...).
    """

    quantity: str
    value: float
    plausible_min_kwh_m2: float
    plausible_max_kwh_m2: float
    unit: str
    area_basis: str
    message: str
    drivers: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    verified: bool = False

    @property
    def plausible_range(self) -> tuple[float, float]:
        """(min, max), kWh/(m2 a)."""
        return self.plausible_min_kwh_m2, self.plausible_max_kwh_m2

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["plausible_range"] = list(self.plausible_range)
        return out


def _err(where: str, message: str) -> InputError:
    return loader._err(_FILE, where, message)


def parse_ranges(data: Mapping[str, Any]) -> tuple[PlausibleRange, ...]:
    """Validate the parsed TOML of ``plausibility.toml`` into ranges (InputError naming the row)."""
    sources = {k: v["citation"] for k, v in data.get("sources", {}).items()
               if isinstance(v, Mapping) and isinstance(v.get("citation"), str)}
    out = []
    for i, row in enumerate(data.get("range", [])):
        where = f"[[range]] #{i + 1}"
        if not isinstance(row, Mapping):
            raise _err(where, "expected a table")
        loader._require(row, ("quantity", "use", "zone", "min_kwh_m2", "max_kwh_m2", "area_basis", "source",
                              "verified"), _FILE, where)
        if row["quantity"] not in QUANTITIES:
            raise _err(where, f"quantity {row['quantity']!r} not one of {', '.join(QUANTITIES)}")
        if row["use"] not in USES:
            raise _err(where, f"use {row['use']!r} not one of {', '.join(USES)}")
        if row["zone"] not in PRIMARY_ZONES:
            raise _err(where, f"zone {row['zone']!r} not one of {', '.join(PRIMARY_ZONES)}")
        if row["area_basis"] not in AREA_BASES:
            raise _err(where, f"area_basis {row['area_basis']!r} not one of {', '.join(AREA_BASES)}")
        if row["source"] not in sources:
            raise _err(where, f"source {row['source']!r} is not defined in [sources]")
        loader._verified(row, _FILE, where)
        lo, hi = row["min_kwh_m2"], row["max_kwh_m2"]
        if not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in (lo, hi)) \
                or not 0 <= lo < hi:
            raise _err(where, f"need 0 <= min_kwh_m2 < max_kwh_m2, got {lo!r}, {hi!r}")
        out.append(PlausibleRange(row["quantity"], row["use"], row["zone"], float(lo), float(hi),
                                  row["area_basis"], sources[row["source"]], row["verified"],
                                  str(row.get("note", ""))))
    return tuple(out)


@cache
def _ranges() -> tuple[PlausibleRange, ...]:
    resource = resources.files("ultralow.templates.standards").joinpath("data").joinpath("plausibility.toml")
    with resource.open("rb") as fh:
        return parse_ranges(tomllib.load(fh))


def plausible_ranges(use: str, climate_zone: str) -> list[PlausibleRange]:
    """The plausible ranges for ``use`` in ``climate_zone`` (sub-zone or primary zone)."""
    zone = climate_zone if climate_zone in PRIMARY_ZONES else primary_zone(climate_zone)
    return [r for r in _ranges() if r.use == use and r.zone == zone]


def _field(result: Any, name: str) -> Any:
    value = result.get(name) if isinstance(result, Mapping) else getattr(result, name, None)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _simulated_profile(result: Any) -> CalculationProfile | None:
    """The calculation profile named by the result's ``calculation_profile``, if it is known."""
    pid = _field(result, "calculation_profile")
    if pid is None:
        return None
    try:
        return get_profile(str(pid))
    except InputError:
        return None


def drivers(result: Any, context: ComplianceContext, area_basis: str) -> dict[str, Any]:
    """The assumptions a demand result rests on (None = not known). The profile is the one the
    result was simulated with (its ``calculation_profile``) when known, else the context's."""
    profile = _simulated_profile(result) or context.profile
    out: dict[str, Any] = {
        "profile_id": profile.id if profile is not None else None,
        "target_profile_id": context.profile.id if context.profile is not None else None,
        "profile_verified": profile.verified if profile is not None else None,
        "mean_internal_gains_w_m2": round(profile.mean_internal_gains_w_m2(), 3) if profile is not None else None,
        "heating_setpoint_c": profile.heating_setpoint_c if profile is not None else None,
        "cooling_setpoint_c": profile.cooling_setpoint_c if profile is not None else None,
        "dehumidify_max_rh_percent": profile.dehumidify_max_rh_percent if profile is not None else None,
        "natural_ventilation": (profile.natural_ventilation.id if profile is not None and profile.natural_ventilation
                                else None),
        "area_basis": area_basis,
        "weather_synthetic": context.weather_synthetic,
    }
    for name in DRIVER_RESULTS:
        out[f"result_{name}" if name in ("calculation_profile", "period") else name] = _field(result, name)
    for name in DRIVER_PARAMETERS:
        out[name] = context.parameters.get(name)
    return out


def _driver_text(d: Mapping[str, Any]) -> str:
    """The main drivers as one readable clause."""
    parts = []
    labels = (("profile_id", "profile {}"), ("mean_internal_gains_w_m2", "internal gains {} W/m2"),
              ("heating_setpoint_c", "heating setpoint {} degC"), ("hrv_efficiency", "HRV {}"),
              ("frost_protection_heating_kwh_m2", "frost preheat {} kWh/m2"), ("n50_ach", "n50 {} 1/h"),
              ("window_u_w_m2k", "window U {}"), ("window_shgc", "SHGC {}"),
              ("external_shading", "shading {}"))
    for key, text in labels:
        value = d.get(key)
        if value is not None:
            parts.append(text.format(f"{value:.3g}" if isinstance(value, float) else value))
    return ", ".join(parts) or "no drivers known"


def plausibility_warnings(result: Any, context: ComplianceContext) -> list[PlausibilityWarning]:
    """Warnings for annual heating/cooling demand outside the plausible range of the context's
    use and zone; none for a partial-period result (its values are not annual)."""
    period = _field(result, "period")
    if period not in (None, "annual"):
        return []
    out = []
    for rng in plausible_ranges(context.building_use, context.climate_zone):
        raw = _field(result, rng.quantity)
        if raw is None:
            continue
        value, basis_note = to_area_basis(float(raw), result, rng.area_basis)
        basis = rng.area_basis
        if value is None:  # an old record without a usable area: compare what there is
            value, basis = float(raw), "conditioned"
            basis_note = ("per m2 of conditioned floor area: the result has no usable area, so the "
                          "usable-basis range is compared with the gross-area value (~1.3-1.4x lower)")
        if rng.min_kwh_m2 <= value <= rng.max_kwh_m2:
            continue
        what = rng.quantity.removesuffix("_kwh_m2").replace("_", " ")
        side = "below" if value < rng.min_kwh_m2 else "above"
        d = drivers(result, context, basis)
        simulated = d.get("result_calculation_profile")
        profile_note = ""
        if context.profile is not None and simulated not in (None, context.profile.id):
            profile_note = f"; simulated with profile '{simulated}', not the compliance profile '{context.profile.id}'"
        message = (f"{what} {value:.3g} {UNIT} ({basis_note}) is {side} the plausible "
                   f"{rng.min_kwh_m2:g}-{rng.max_kwh_m2:g} for {context.building_use} buildings in {rng.zone} "
                   f"under a compliance-profile calculation ({rng.note}){profile_note}; check the drivers: "
                   f"{_driver_text(d)}")
        out.append(PlausibilityWarning(rng.quantity, value, rng.min_kwh_m2, rng.max_kwh_m2, UNIT, basis,
                                       message, d, rng.source, rng.verified))
    return out
