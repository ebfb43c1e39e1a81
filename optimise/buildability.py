"""Buildability limits: is a design practically buildable?

Limits: ``optimise/data/buildability.toml`` (value, unit, source, verified per limit). A design is
flagged when

- the insulation thickness ``d_cm`` of surface ``s`` (``wall``/``roof``/``floor``) exceeds
  ``insulation_max_cm[s]``; ``d_cm`` is the result's ``<s>_insulation_built_mm / 10`` when a result
  gives it, else the construction builder's thickness for the design's U-value or thickness
  (:func:`ultralow.optimise.costs.insulation_cm`, i.e. ``d = lambda * (1/U - R_rest)`` with
  ``lambda`` the insulation's conductivity and ``R_rest`` the other layers and surface resistances);
- ``window_u_w_m2k < window_min_u_w_m2k``;
- ``hrv_efficiency > hrv_max_efficiency``;
- ``n50_ach < n50_min_ach``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ultralow.errors import InputError
from ultralow.optimise.costs import SURFACES, insulation_cm, read_data_toml, resolved_params

# limit key -> (design parameter, "max" or "min", unit shown)
PARAMETER_LIMITS = {
    "window_min_u_w_m2k": ("window_u_w_m2k", "min", "W/(m2K)"),
    "hrv_max_efficiency": ("hrv_efficiency", "max", ""),
    "n50_min_ach": ("n50_ach", "min", "1/h"),
}


@dataclass(frozen=True)
class Limit:
    """One buildability limit with its provenance."""

    value: float
    unit: str
    source: str
    verified: bool


def _limit(raw: Any, where: str, key: str) -> Limit:
    """Validated limit ``key``; InputError names the file and the field."""
    fields = ("value", "unit", "source", "verified")
    if not isinstance(raw, dict) or set(raw) != set(fields):
        raise InputError(f"{where}: limit {key!r} must be a table with exactly {', '.join(fields)}")
    value = raw["value"]
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise InputError(f"{where}: {key}.value = {value!r} is not allowed; use a number > 0")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        raise InputError(f"{where}: {key}.source must be a non-empty text (document / URL or \"assumption\")")
    if not isinstance(raw["verified"], bool):
        raise InputError(f"{where}: {key}.verified must be true or false")
    return Limit(float(value), str(raw["unit"]), raw["source"], raw["verified"])


def load_limits(path: str | Path | None = None) -> dict[str, Limit]:
    """Buildability limits by key (``insulation_max_cm.wall``, ``window_min_u_w_m2k``, ...) from
    ``path`` or the packaged ``optimise/data/buildability.toml``; InputError names the file and field."""
    data, where = read_data_toml(path, "buildability.toml")
    expected = [f"insulation_max_cm.{s}" for s in SURFACES] + list(PARAMETER_LIMITS)
    limits: dict[str, Limit] = {}
    for key in expected:
        section, _, sub = key.partition(".")
        raw = data.get(section)
        if sub:
            raw = raw.get(sub) if isinstance(raw, dict) else None
        if raw is None:
            raise InputError(f"{where}: missing limit {key!r}")
        limits[key] = _limit(raw, where, key)
    extra = sorted(set(data) - {k.partition(".")[0] for k in expected})
    extra += sorted(f"insulation_max_cm.{s}" for s in set(data.get("insulation_max_cm", {})) - set(SURFACES))
    if extra:
        raise InputError(f"{where}: unknown limit(s) {', '.join(extra)}; allowed: {', '.join(expected)}")
    return limits


@functools.cache
def default_limits() -> Mapping[str, Limit]:
    """The packaged limits (:func:`load_limits`), read once."""
    return MappingProxyType(load_limits())


def buildability_issues(template_name: str, params: Mapping[str, Any], result: Mapping[str, Any] | None = None,
                        limits: Mapping[str, Limit] | None = None) -> list[str]:
    """Human-readable reasons why the design ``params`` (template defaults filled in) is not
    practically buildable; an empty list means buildable. ``result`` (optional) gives the
    insulation as built (``<surface>_insulation_built_mm``); ``limits`` default :func:`load_limits`."""
    limits = default_limits() if limits is None else limits
    p = resolved_params(template_name, params)
    issues: list[str] = []
    for prefix in SURFACES:
        built_mm = result.get(f"{prefix}_insulation_built_mm") if result else None
        d_cm = float(built_mm) / 10.0 if built_mm is not None else insulation_cm(template_name, p, prefix)
        max_cm = limits[f"insulation_max_cm.{prefix}"].value
        if d_cm > max_cm:
            given = (f"{prefix}_u_w_m2k = {p[f'{prefix}_u_w_m2k']:g} W/(m2K)"
                     if p.get(f"{prefix}_u_w_m2k") is not None else f"{prefix}_insulation_mm")
            issues.append(f"{given} needs {d_cm:.1f} cm of {p.get(f'{prefix}_insulation') or 'insulation'}, "
                          f"more than the practical maximum of {max_cm:g} cm (insulation_max_cm.{prefix})")
    for key, (param, kind, unit) in PARAMETER_LIMITS.items():
        value = p.get(param)
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        limit = limits[key].value
        if (kind == "min" and value < limit) or (kind == "max" and value > limit):
            word = "below the practical minimum" if kind == "min" else "above the practical maximum"
            issues.append(f"{param} = {value:g} {unit} is {word} of {limit:g} {unit} ({key})".replace("  ", " "))
    return issues
