"""Calculation profiles: the operating conditions one energy calculation assumes.

A :class:`CalculationProfile` (data: ``templates/data/calculation_profiles.toml``, every profile
with its source and ``verified`` flag) fixes setpoints, internal gains and their schedules,
ventilation, humidity control, window opening and the area basis of the indicators. Like
honeybee-energy's ``ProgramType`` it is one named object, so a design and its reference building
built with the same profile id share every operating assumption by construction.

- :func:`get_profile` - a profile by id;
- :func:`profile_for` - the profile of a calculation (``everyday``, ``gbt51350``, ``gb55015``,
  ``jgj26``) for a building use and climate zone;
- :func:`profile_for_target` - the profile a compliance target (``ultra-low``, ``nearly-zero``,
  ``gb55015``) is calculated with.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ultralow.errors import InputError
from ultralow.templates import catalogues

EVERYDAY = "everyday"  # the template's everyday operation (``calculation_profile`` default)
_FILE = "templates/data/calculation_profiles.toml"
_PRIMARY_ZONES = ("severe_cold", "cold", "hscw", "hsww", "mild")


def primary_zone(zone: str) -> str:
    """Primary zone (``severe_cold`` ...) of a GB 50176 zone id such as ``severe_cold_B``."""
    for primary in _PRIMARY_ZONES:
        if zone == primary or zone.startswith(primary + "_"):
            return primary
    raise InputError(f"unknown climate zone {zone!r}; allowed: {', '.join(_PRIMARY_ZONES)} (with _A/_B/_C)")


@dataclass(frozen=True)
class NaturalVentilationRule:
    """Window opening: ``ach`` (1/h) of outdoor air while the zone is >= ``min_indoor_c``, the
    outdoor air is >= ``delta_t_k`` cooler than the zone and >= ``min_outdoor_c``, and the
    outdoor humidity ratio is not above the zone's; no mechanical cooling or dehumidification
    while open."""

    id: str
    ach: float
    min_indoor_c: float
    delta_t_k: float
    min_outdoor_c: float
    source: str
    verified: bool


@dataclass(frozen=True)
class CalculationProfile:
    """Operating conditions of one calculation (field meanings: the data file's header)."""

    id: str
    title: str
    calculation: str
    use: str
    zones: tuple[str, ...]
    heating_setpoint_c: float
    cooling_setpoint_c: float
    heating_setback_c: float
    cooling_setback_c: float
    hvac_schedule: str
    floor_area_per_person_m2: float
    activity_w_per_person: float
    lighting_w_m2: float
    equipment_w_m2: float
    occupancy: tuple[float, ...]
    lighting: tuple[float, ...]
    equipment: tuple[float, ...]
    area_basis: str
    clause: str
    source: str
    verified: bool
    hvac_on: tuple[float, ...] | None = None
    weekend_fraction: float | None = None
    ventilation_ach: float | None = None
    outdoor_air_m3_h_person: float | None = None
    outdoor_air_floor_area_per_person_m2: float | None = None
    dehumidify_max_rh_percent: float | None = None
    natural_ventilation: NaturalVentilationRule | None = None
    lighting_from_design: bool = True  # a design's lighting_w_m2 replaces lighting_w_m2

    def lighting_power_w_m2(self, design_w_m2: float | None) -> float:
        """Lighting power density the calculation uses, W/m2: the design's (or existing
        building's) when given and the profile lets the design decide, else the profile's."""
        return float(design_w_m2) if design_w_m2 and self.lighting_from_design else self.lighting_w_m2

    @property
    def continuous(self) -> bool:
        """HVAC and ventilation run all hours (residential) rather than on a timetable."""
        return self.hvac_schedule == "always"

    @property
    def fresh_air_per_person_m3_h_m2(self) -> float | None:
        """Per-person fresh air over its floor area per person, m3/(h m2); None for air changes."""
        if self.outdoor_air_m3_h_person is None or not self.outdoor_air_floor_area_per_person_m2:
            return None
        return self.outdoor_air_m3_h_person / self.outdoor_air_floor_area_per_person_m2

    def outdoor_air_m3_h_m2(self, floor_height_m: float) -> float:
        """Design fresh-air rate per m2 of floor area, m3/(h m2) (while ventilation runs)."""
        if self.ventilation_ach is not None:
            return self.ventilation_ach * floor_height_m
        assert self.fresh_air_per_person_m3_h_m2 is not None
        return self.fresh_air_per_person_m3_h_m2

    def daily_fraction_hours(self, schedule: str) -> float:
        """Full-load hours per weekday of ``occupancy``/``lighting``/``equipment``, h/d."""
        return float(sum(getattr(self, schedule)))

    def mean_internal_gains_w_m2(self) -> float:
        """All-year mean of people + lighting + equipment heat gains, W/m2 (weekends included)."""
        week = (5 + 2 * (self.weekend_fraction if self.weekend_fraction is not None else 1.0)) / 7
        people = self.activity_w_per_person / self.floor_area_per_person_m2 * self.daily_fraction_hours("occupancy")
        lights = self.lighting_w_m2 * self.daily_fraction_hours("lighting")
        equip = self.equipment_w_m2 * self.daily_fraction_hours("equipment")
        return (people + lights + equip) * week / 24.0

    def summary(self) -> dict[str, Any]:
        """What a report states about the profile."""
        return {"id": self.id, "title": self.title, "calculation": self.calculation,
                "heating_setpoint_c": self.heating_setpoint_c, "cooling_setpoint_c": self.cooling_setpoint_c,
                "dehumidify_max_rh_percent": self.dehumidify_max_rh_percent,
                "mean_internal_gains_w_m2": round(self.mean_internal_gains_w_m2(), 3),
                "ventilation": (f"{self.ventilation_ach:g} 1/h" if self.ventilation_ach is not None else
                                f"{self.outdoor_air_m3_h_person:g} m3/(h person) at "
                                f"{self.outdoor_air_floor_area_per_person_m2:g} m2/person"),
                "natural_ventilation": self.natural_ventilation.id if self.natural_ventilation else None,
                "area_basis": self.area_basis, "clause": self.clause, "source": self.source,
                "verified": self.verified}


def _hours(pid: str, name: str, values: Any) -> tuple[float, ...]:
    if not isinstance(values, list) or len(values) != 24 or not all(0.0 <= float(v) <= 1.0 for v in values):
        raise InputError(f"{_FILE}: [{pid}] {name} must be 24 fractions between 0 and 1")
    return tuple(float(v) for v in values)


@cache
def _profiles() -> dict[str, CalculationProfile]:
    data = catalogues.load("calculation_profiles")
    rules = {rid: NaturalVentilationRule(rid, float(r["ach"]), float(r["min_indoor_c"]), float(r["delta_t_k"]),
                                         float(r["min_outdoor_c"]), r["source"], bool(r["verified"]))
             for rid, r in data.get("natural_ventilation", {}).items()}
    out: dict[str, CalculationProfile] = {}
    for pid, raw in data.items():
        if pid in ("targets", "natural_ventilation"):
            continue
        raw = dict(raw)
        try:
            nv = raw.pop("natural_ventilation", None)
            if nv is not None and nv not in rules:
                raise InputError(f"{_FILE}: [{pid}] natural_ventilation {nv!r} is not one of {', '.join(rules)}")
            if raw.get("area_basis") not in ("usable", "conditioned"):
                raise InputError(f"{_FILE}: [{pid}] area_basis must be 'usable' or 'conditioned'")
            if (raw.get("ventilation_ach") is None) == (raw.get("outdoor_air_m3_h_person") is None):
                raise InputError(f"{_FILE}: [{pid}] give ventilation_ach or outdoor_air_m3_h_person (one)")
            for name in ("occupancy", "lighting", "equipment", "hvac_on"):
                if name in raw:
                    raw[name] = _hours(pid, name, raw[name])
            raw["zones"] = tuple(raw["zones"])
            out[pid] = CalculationProfile(id=pid, natural_ventilation=rules.get(nv) if nv else None, **raw)
        except TypeError as exc:
            raise InputError(f"{_FILE}: [{pid}] {exc}") from None
    return out


def profile_ids(use: str | None = None) -> tuple[str, ...]:
    """Ids of the profiles (for ``use`` only, if given)."""
    return tuple(p.id for p in _profiles().values() if use is None or p.use == use)


def get_profile(profile_id: str) -> CalculationProfile:
    """The profile ``profile_id``; InputError naming the allowed ids."""
    profiles = _profiles()
    if profile_id not in profiles:
        raise InputError(f"unknown calculation profile {profile_id!r}; allowed: {', '.join(profiles)}")
    return profiles[profile_id]


def profile_for(calculation: str, use: str, climate_zone: str) -> CalculationProfile:
    """The profile of ``calculation`` for ``use`` (``residential``/``public``) in ``climate_zone``."""
    primary = primary_zone(climate_zone)
    for p in _profiles().values():
        if p.calculation == calculation and p.use == use and primary in p.zones:
            return p
    raise InputError(f"{_FILE} has no {calculation!r} profile for {use} buildings in {climate_zone}")


def target_calculation(target: str) -> str:
    """The calculation (``gbt51350``, ``gb55015``) a compliance target is evaluated with."""
    targets = catalogues.load("calculation_profiles")["targets"]
    if target not in targets:
        raise InputError(f"unknown target {target!r}; allowed: {', '.join(targets)}")
    return targets[target]


def profile_for_target(target: str, use: str, climate_zone: str) -> CalculationProfile:
    """The profile ``target`` is calculated with, for ``use`` in ``climate_zone``."""
    return profile_for(target_calculation(target), use, climate_zone)


def resolve_profile(profile_id: str | None, use: str, climate_zone: str) -> CalculationProfile:
    """A template's ``calculation_profile`` parameter: ``everyday`` (or None) picks the
    everyday profile of ``use`` in ``climate_zone``; any other value is a profile id of that use."""
    if profile_id in (None, EVERYDAY):
        return profile_for(EVERYDAY, use, climate_zone)
    profile = get_profile(profile_id)
    if profile.use != use:
        raise InputError(f"calculation_profile {profile_id!r} is for {profile.use} buildings, not {use}; "
                         f"allowed: {', '.join(profile_ids(use))}")
    return profile
