"""Prescriptive envelope limits of a standard for one building (zone, use, storeys, shape).

``envelope_limits`` returns U-values in W/(m2 K) including surface resistances, window SHGC (-),
perimeter ground-floor insulation resistance (m2 K/W), the maximum shape coefficient (1/m) and
maximum window-to-wall ratios. ``None`` means the standard sets no limit for that element.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ultralow.errors import InputError
from ultralow.templates.standards.loader import LimitRow, SourcedValue, load_standard
from ultralow.templates.standards.zones import check_use, check_zone

LIGHT_D = 2.0  # thermal inertia index used when D is not given: the (stricter) D <= 2.5 band

_FIELDS = {
    "wall_u": "wall_u_w_m2k",
    "roof_u": "roof_u_w_m2k",
    "floor_u": "floor_u_w_m2k",
    "window_u": "window_u_w_m2k",
    "window_shgc": "window_shgc",
    "ground_floor_r": "ground_floor_r_m2k_w",
    "shape_coefficient_max": "shape_coefficient_max_1_m",
}


@dataclass(frozen=True)
class EnvelopeLimits:
    """Limits for one building; ``sources`` maps each set field name to its SourcedValue."""

    standard: str
    zone: str
    use: str
    storeys: int
    shape_coefficient_1_m: float
    wwr: float
    thermal_inertia_d: float
    wall_u_w_m2k: float | None = None
    roof_u_w_m2k: float | None = None
    floor_u_w_m2k: float | None = None
    window_u_w_m2k: float | None = None
    window_shgc: float | None = None
    ground_floor_r_m2k_w: float | None = None
    shape_coefficient_max_1_m: float | None = None
    wwr_max: Mapping[str, float] = field(default_factory=dict)
    sources: Mapping[str, SourcedValue] = field(default_factory=dict)
    beyond_table: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        out = {k: getattr(self, k) for k in (
            "standard", "zone", "use", "storeys", "shape_coefficient_1_m", "wwr",
            "thermal_inertia_d", *_FIELDS.values())}
        out["wwr_max"] = dict(self.wwr_max)
        out["beyond_table"] = list(self.beyond_table)
        return out


def _select(rows: tuple[LimitRow, ...], element: str, use: str, zone: str, storeys: int,
            shape: float, wwr: float, d: float, orientation: str | None,
            where: str) -> tuple[LimitRow | None, bool]:
    """The row for ``element`` or None (no limit in the table or in this band); True when
    shape/WWR lie beyond the table and the strictest (highest) band was used."""
    candidates = [r for r in rows if r.element == element and r.use == use and zone in r.zones
                  and r.orientation == orientation]
    if not candidates:
        return None, False
    kwargs = dict(storeys=storeys, shape=shape, wwr=wwr, d=d, orientation=orientation)
    found = [r for r in candidates if r.matches(use, zone, **kwargs)]
    beyond = False
    if not found:
        top_shape = max((r.ranges.get("shape_max", 0.0) for r in candidates), default=0.0)
        top_wwr = max((r.ranges.get("wwr_max", 0.0) for r in candidates), default=0.0)
        if top_shape and shape > top_shape:
            kwargs["shape"], beyond = top_shape, True
        if top_wwr and wwr > top_wwr:
            kwargs["wwr"], beyond = top_wwr, True
        found = [r for r in candidates if r.matches(use, zone, **kwargs)]
    if not found:
        return None, False  # the table sets no requirement in this band (e.g. SHGC at low WWR)
    if len(found) > 1:
        raise InputError(f"{where}: {len(found)} {element} rows match {use} in {zone} "
                         f"(storeys={storeys}, shape={shape:g}, WWR={wwr:g}, D={d:g}); "
                         "the table is ambiguous")
    return found[0], beyond


def envelope_limits(
    standard: str,
    zone: str,
    use: str,
    storeys: int,
    shape_coefficient_1_m: float,
    wwr: float = 0.30,
    thermal_inertia_d: float | None = None,
) -> EnvelopeLimits:
    """Envelope limits of ``standard`` (e.g. ``"gb55015_2021"``) for a building.

    ``wwr``: window-to-wall ratio (-) used to pick the window band (use the largest facade
    value for a conservative check). ``thermal_inertia_d``: the wall's thermal inertia index D
    (-); ``None`` picks the light (D <= 2.5, stricter) band of the southern tables.
    Beyond the last WWR / shape band the strictest band applies and ``beyond_table`` names it.
    """
    check_zone(zone)
    check_use(use)
    if int(storeys) != storeys or storeys < 1:
        raise InputError(f"storeys must be a positive integer, got {storeys!r}")
    if not 0.0 < shape_coefficient_1_m < 2.0:
        raise InputError(f"shape coefficient {shape_coefficient_1_m!r} 1/m is outside (0, 2)")
    if not 0.0 <= wwr <= 1.0:
        raise InputError(f"window-to-wall ratio {wwr!r} is outside [0, 1]")
    data = load_standard(standard)
    d = LIGHT_D if thermal_inertia_d is None else float(thermal_inertia_d)
    values: dict[str, float | None] = {}
    sources: dict[str, SourcedValue] = {}
    beyond: list[str] = []
    for element, name in _FIELDS.items():
        row, clipped = _select(data.limits, element, use, zone, int(storeys), shape_coefficient_1_m,
                               wwr, d, None, data.path)
        values[name] = row.value.value if row else None
        if row:
            sources[name] = row.value
        if clipped:
            beyond.append(name)
    wwr_max: dict[str, float] = {}
    for orientation in ("north", "east_west", "south"):
        row, _ = _select(data.limits, "wwr_max", use, zone, int(storeys), shape_coefficient_1_m,
                         wwr, d, orientation, data.path)
        if row:
            wwr_max[orientation] = row.value.value
            sources[f"wwr_max_{orientation}"] = row.value
    return EnvelopeLimits(standard, zone, use, int(storeys), float(shape_coefficient_1_m),
                          float(wwr), d, **values, wwr_max=wwr_max, sources=sources,
                          beyond_table=tuple(beyond))
