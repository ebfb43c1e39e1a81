"""The geometry of a model the user brings, as EnergyPlus reports it (``eplusout.sql``).

The standards' limits depend on a building's form: storeys, shape coefficient and window-to-wall
ratio by orientation (GB 55015-2021 tables 3.1.x, 3.3.x). A template knows its form from its
parameters (:class:`ultralow.templates.geometry.BlockGeometry`); a model file's form is read here
from what EnergyPlus computed for it, so that the toolkit never re-implements the engine's
geometry:

- conditioned floor area (m2): the zones that are part of the total floor area, with their
  multipliers (``Zones`` table);
- shape coefficient (1/m): external area in contact with outdoor air, gross of windows, ground
  floors excluded, over the volume it encloses (:func:`shape_coefficient_1_m`);
- storeys above ground: the distinct floor levels (lowest z of each conditioned zone, to 0.5 m)
  of zones reaching above ground, each counted with the largest zone multiplier on it (a DOE
  prototype's "middle floor" with multiplier 8 counts as 8 storeys);
- window-to-wall ratio by orientation (-): EnergyPlus's "Window-Wall Ratio" table (gross, above
  ground), north 315-45 deg, east 45-135, south 135-225, west 225-315;
- the windows' area-weighted U and SHGC (EnergyPlus's "Exterior Fenestration" table, via
  :func:`ultralow.sim.results.envelope_u_values`);
- whether its zones are served by ideal loads (what the package's heat-recovery parameter acts on,
  and where the demand is the ideal-loads one: :func:`has_ideal_loads`).

:func:`ultralow.templates.from_file.model_geometry` measures a model once (a design-day run) and
keeps the answer next to the model in the cache.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ultralow.errors import SimulationError

LEVEL_STEP_M = 0.5  # floor levels closer than this are one storey
# a construction this good (W/(m2 K), no films) is insulation: the envelope runs through it (the
# ceiling under a cold attic, 0.2-0.5), a drop ceiling (acoustic tiles, >= 2) is not
INSULATED_U_W_M2K = 1.0
WWR_COLUMNS = {"north": "North (315 to 45 deg)", "east": "East (45 to 135 deg)",
               "south": "South (135 to 225 deg)", "west": "West (225 to 315 deg)"}


@dataclass(frozen=True)
class ModelGeometry:
    """A model's form as EnergyPlus reports it (module docstring). ``wwr`` maps ``north``,
    ``east``, ``south``, ``west`` to the window-to-wall ratio (-) of that facade (0 without wall)."""

    conditioned_floor_area_m2: float
    shape_coefficient_1_m: float | None
    storeys: int
    wwr: dict[str, float]
    window_u_w_m2k: float | None = None
    window_shgc: float | None = None
    ideal_loads: bool = False

    def as_parameters(self) -> dict[str, Any]:
        """The template-style parameters the standards read (``storeys``, ``wwr_<facade>``)."""
        return {"storeys": self.storeys, **{f"wwr_{facade}": value for facade, value in self.wwr.items()}}

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelGeometry:
        return cls(**data)


@dataclass(frozen=True)
class _Envelope:
    """The surfaces of a run's thermal envelope (:func:`shape_coefficient_1_m` says where it runs):
    ``outdoor``: (surface name, class, gross area m2 x multiplier) of surfaces to outdoors;
    ``ground``: the same of surfaces on the ground; ``interzone``: (class, area, construction U
    without films) of surfaces to zones outside it;
    ``volume_m3``: the volume it encloses."""

    outdoor: list[tuple[str, str, float]]
    ground: list[tuple[str, str, float]]
    interzone: list[tuple[str, float, float]]
    volume_m3: float


def _envelope(conn: sqlite3.Connection) -> _Envelope | None:
    try:
        zones = {index: (bool(part), float(volume or 0.0) * float(mult or 1.0), float(mult or 1.0))
                 for index, part, volume, mult in conn.execute(
                     "SELECT ZoneIndex, IsPartOfTotalArea, Volume, Multiplier FROM Zones")}
        surfaces = conn.execute(
            """SELECT s.SurfaceIndex, s.SurfaceName, s.ZoneIndex, s.ClassName, s.Tilt, s.ExtBoundCond, s.GrossArea,
            c.Uvalue FROM Surfaces s LEFT JOIN Constructions c ON s.ConstructionIndex = c.ConstructionIndex
            WHERE s.ClassName IN ('Wall', 'Roof', 'Floor', 'Ceiling')""").fetchall()
    except sqlite3.Error:
        return None
    zone_of = {row[0]: row[2] for row in surfaces}
    conditioned = {z for z, (part, _, _) in zones.items() if part}
    separating: dict[int, list[tuple[float, float]]] = {}  # other zone -> (area, U) seen from conditioned zones
    for _, _, zone, _, _, bound, area, u in surfaces:
        other = zone_of.get(bound) if bound and bound > 0 else None
        if zone in conditioned and other is not None and other not in conditioned and u is not None:
            separating.setdefault(other, []).append((float(area), float(u)))
    inside = set(conditioned)
    for other, rows in separating.items():
        total = sum(a for a, _ in rows)
        if total > 0 and sum(a * u for a, u in rows) / total > INSULATED_U_W_M2K:
            inside.add(other)  # not insulated from the conditioned zones: within the envelope
    outdoor, ground, interzone = [], [], []
    for _, name, zone, _, tilt, bound, gross, u in surfaces:
        if zone not in inside:
            continue
        area = float(gross) * zones[zone][2]
        if bound in (0, -1):
            (outdoor if bound == 0 else ground).append((str(name), surface_class(float(tilt)), area))
        elif bound is not None and bound > 0 and zone_of.get(bound) not in inside and u:
            interzone.append((surface_class(float(tilt)), area, float(u)))
    return _Envelope(outdoor, ground, interzone, sum(zones[z][1] for z in inside))


def surface_class(tilt_deg: float) -> str:
    """``roof`` (tilt < 60 deg), ``floor`` (tilt > 120 deg) or ``wall``."""
    return "roof" if tilt_deg < 60.0 else "floor" if tilt_deg > 120.0 else "wall"


def shape_coefficient_1_m(conn: sqlite3.Connection) -> float | None:
    """Shape coefficient (1/m) as GB 50189-2015 2.0.1 / JGJ 26-2018 2.1 define it: the external
    surface area in contact with outdoor air over the volume it encloses; the area excludes floors
    on the ground (and walls to unheated stairwells). None when it cannot be formed.

    The envelope runs where the insulation is: a zone outside the floor area (attic, return
    plenum, crawl space) is *outside* the envelope when the surfaces separating it from the
    conditioned zones are insulated (area-weighted construction U <= :data:`INSULATED_U_W_M2K`),
    like the insulated ceiling under an attic; then those surfaces count and its volume does not.
    Otherwise (a drop ceiling under a return plenum) it is *inside*: its outdoor surfaces count
    and its volume too. Multipliers included.
    """
    envelope = _envelope(conn)
    if envelope is None:
        return None
    area = sum(a for _, _, a in envelope.outdoor) + sum(a for _, a, _ in envelope.interzone)
    return area / envelope.volume_m3 if area > 0 and envelope.volume_m3 > 0 else None


def envelope_u_by_class(conn: sqlite3.Connection) -> dict[str, float]:
    """Area-weighted U-value with films (W/(m2 K)) of the opaque envelope by class (``wall``,
    ``roof``, ``floor``: :func:`surface_class`), whatever the constructions' names: the
    envelope's surfaces to outdoors with EnergyPlus's "U-Factor with Film" (Envelope Summary,
    "Opaque Exterior"), and its surfaces to a zone outside it (the insulated ceiling under a cold
    attic) with the construction's U and an inside film on both sides (``templates/data/
    surface_films.toml``, as EnergyPlus would add them); floors on the ground with their reported
    U too (they are not in the shape coefficient's area)."""
    from ultralow.sim.results import _tabular, _to_float
    from ultralow.templates import catalogues

    envelope = _envelope(conn)
    if envelope is None:
        return {}
    opaque = _tabular(conn, "EnvelopeSummary", "Opaque Exterior")
    reported = dict(zip(opaque.index.str.upper(), _to_float(opaque["U-Factor with Film"]), strict=True)) \
        if not opaque.empty else {}
    films = catalogues.load("surface_films")
    inside_film = {"wall": films["wall"]["inside_m2k_w"], "roof": films["roof"]["inside_m2k_w"],
                   "floor": films["ground_floor"]["inside_m2k_w"]}
    sums: dict[str, list[float]] = {}
    for name, kind, area in envelope.outdoor + envelope.ground:
        u = reported.get(name.upper())
        if u is not None and u == u and area > 0:
            sums.setdefault(kind, [0.0, 0.0])
            sums[kind][0] += area * u
            sums[kind][1] += area
    for kind, area, u_no_film in envelope.interzone:
        u = 1.0 / (1.0 / u_no_film + 2 * inside_film[kind])
        sums.setdefault(kind, [0.0, 0.0])
        sums[kind][0] += area * u
        sums[kind][1] += area
    return {kind: ua / a for kind, (ua, a) in sums.items() if a > 0}


def has_ideal_loads(conn: sqlite3.Connection) -> bool:
    """Whether the run reports ideal-loads supply energy (its zones have ideal loads air systems)."""
    return conn.execute("SELECT COUNT(*) FROM ReportDataDictionary WHERE Name = "
                        "'Zone Ideal Loads Supply Air Sensible Heating Energy'").fetchone()[0] > 0


def storeys_above_ground(conn: sqlite3.Connection) -> int:
    """Floor levels of the conditioned zones reaching above ground, each counted with the largest
    zone multiplier on it (at least 1)."""
    rows = conn.execute("SELECT MinimumZ, MaximumZ, Multiplier FROM Zones "
                        "WHERE IsPartOfTotalArea = 1 AND FloorArea > 0").fetchall()
    levels: dict[int, float] = {}
    for z_min, z_max, multiplier in rows:
        if float(z_max) <= LEVEL_STEP_M:  # below ground
            continue
        level = round(float(z_min) / LEVEL_STEP_M)
        levels[level] = max(levels.get(level, 1.0), float(multiplier or 1.0))
    return max(1, int(round(sum(levels.values()))))


def window_wall_ratios(conn: sqlite3.Connection) -> dict[str, float]:
    """Gross window-to-wall ratio of each facade (-), from EnergyPlus's "Window-Wall Ratio" table."""
    rows = dict(conn.execute(
        "SELECT ColumnName, Value FROM TabularDataWithStrings WHERE ReportName = 'InputVerificationandResultsSummary' "
        "AND TableName = 'Window-Wall Ratio' AND RowName = 'Gross Window-Wall Ratio'").fetchall())
    out = {}
    for facade, column in WWR_COLUMNS.items():
        try:
            out[facade] = float(str(rows.get(column, "")).strip()) / 100.0
        except ValueError:  # no wall on that facade
            out[facade] = 0.0
    return out


def read_model_geometry(sql_path: str | Path) -> ModelGeometry:
    """The :class:`ModelGeometry` of the run whose SQLite output is ``sql_path``."""
    from ultralow.sim.results import envelope_u_values

    if not Path(sql_path).is_file():
        raise SimulationError(f"no EnergyPlus output {sql_path}: the model's geometry cannot be read")
    conn = sqlite3.connect(f"file:{sql_path}?mode=ro", uri=True)
    try:
        area = conn.execute("SELECT SUM(FloorArea * Multiplier) FROM Zones WHERE IsPartOfTotalArea = 1").fetchone()[0]
        windows = envelope_u_values(conn)
        geometry = ModelGeometry(
            conditioned_floor_area_m2=float(area or 0.0), shape_coefficient_1_m=shape_coefficient_1_m(conn),
            storeys=storeys_above_ground(conn), wwr=window_wall_ratios(conn),
            window_u_w_m2k=_finite(windows.get("WINDOW_U")), window_shgc=_finite(windows.get("WINDOW_SHGC")),
            ideal_loads=has_ideal_loads(conn))
    finally:
        conn.close()
    return geometry


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and value == value else None
