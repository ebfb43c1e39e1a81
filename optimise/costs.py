"""Cost model: investment, energy cost, life-cycle cost, NPV, payback and CO2 of a design.

Data: ``optimise/data/costs.toml`` (every value with unit, source or "assumption", verified
flag), product prices from ``optimise/data/windows.toml`` / ``pv_modules.toml`` and the
template catalogues (``templates/data/materials.toml`` insulation ``price_rmb_m2_cm``,
``templates/data/heat_pumps.toml`` ``price_rmb_kw``) where ``costs.toml`` does not override them.

Quantities (from the template geometry, :class:`~ultralow.templates.geometry.BlockGeometry`):

- gross wall area per facade: ``A_s = A_n = length_m * storeys * floor_height_m``,
  ``A_e = A_w = depth_m * storeys * floor_height_m``; window area ``A_win = sum(wwr_f * A_f)``;
  opaque wall ``A_wall = sum(A_f) - A_win``; roof and ground floor ``A_roof = A_floor =
  length_m * depth_m``.
- floor area ``A`` (m2): the result's ``conditioned_floor_area_m2`` (the area every per-m2 result
  refers to), else the geometry's ``length_m * depth_m * storeys``.
- insulation thickness ``d_cm`` per surface as built: the result's ``*_insulation_built_mm``
  (a retrofit's layer outside the existing element included), else from the construction
  builder (:func:`~ultralow.templates.constructions.opaque_construction`) for the design's
  U-value or thickness.
- side-fin area ``A_fin = sum_f 2 * side_fin_depth_ratio * width_f * storeys * floor_height_m``
  over the south/east/west facades with windows (fins both sides of every window module, storey
  high over the whole facade, as :mod:`ultralow.templates.envelope` places them).
- shaded window area ``A_shaded = A_win,s + A_win,e + A_win,w`` when ``external_shading`` is not
  ``"none"`` (north windows get no movable shading), else 0.
- balcony edge ``L_balc = length_m * balcony_length_ratio * storeys`` (m; slabs along that fraction
  of the south facade on every storey).
- window perimeter ``P_win = 4 * A_win / 1.5`` (m): the parameters give no window sizes, so every
  window is taken as 1.5 m x 1.5 m, i.e. ``A_win / 2.25`` windows of 6 m perimeter each.
- PV capacity ``P_pv`` (kW DC): the result's ``pv_capacity_kw`` (what the builder installed; with
  tilted rows it depends on the row spacing, so it is never recomputed here); without a result
  it is 0 when ``pv_roof_fraction`` is 0, else unknown (NaN).

Investment (RMB), per component ``c``. New build: every component of the design. Retrofit
(``existing`` given: the existing building's parameters as simulated): only the measures that
change the existing building (listed in ``measures``), the existing building itself costing 0:

- insulation of surface ``s``: ``I = A_s * (d_cm * p_ins[material] + (system_rmb_m2[s] if d_cm > 0))``
- windows: ``I = A_win * p_win(U)``; ``p_win`` is the catalogue product's price when the params
  carry ``window_product``, else linear interpolation of price vs U over the non-dominated
  catalogue products (or the ``windows.price_curve`` points), clamped at the ends. Retrofit: only
  when U or SHGC differ from the existing windows (or a product is named), plus
  ``A_win * window_removal_rmb_m2``.
- window retrofit (film / secondary sash): ``I = A_win * price[window_retrofit]``.
- airtightness: ``I = A * cost_rmb_m2_per_ach * max(0, n50_0 - n50_ach)``, ``n50_0`` =
  ``n50_free_ach`` for a new building, the existing building's n50 for a retrofit.
- lighting (retrofit): ``I = A * led_retrofit_rmb_m2`` when ``lighting_w_m2`` < the existing one.
- cool roof: ``I = A_roof * cool_coating_rmb_m2`` when ``roof_solar_absorptance`` is set below
  the existing building's (a new building's: the template's default finish).
- heat recovery: ``I = A * hrv_curve(eta)`` for ``eta > 0`` (curve interpolated, clamped), 0 without HRV.
- heat pump: ``P_kw = sizing_factor * max(peak_heating_load_w_m2, peak_cooling_load_w_m2) * A / 1000``,
  ``I = P_kw * price_rmb_kw[heat_pump]``; 0 for ``heat_pump = "existing"``.
- water heater (``hot_water_system``, :mod:`ultralow.sim.hot_water`): ``P_kw =
  hot_water_design_heat_kwh_per_day / sizing_hours_per_day[system]`` (the result's design daily
  heat, whole building), ``I = P_kw * price_rmb_kw[system]`` (``hot_water.price_rmb_kw`` here,
  else ``templates/data/hot_water.toml``); 0 for ``"none"`` and ``"existing"``. A retrofit pays
  it whenever the design installs a new water heater (any system but "existing"); a new
  building always, against its base's baseline water heater.
- shading: ``I = A_overhang * overhang_rmb_m2 + A_shaded * external_movable_rmb_m2 + A_fin *
  side_fins_rmb_m2`` (reported apart as ``investment_shading_overhang_rmb``,
  ``investment_shading_external_rmb`` and ``investment_shading_fins_rmb``).
- thermal bridges: ``I = L_balc * balcony_thermal_break_rmb_m`` when ``psi_balcony_w_mk <=
  thermal_break_psi_w_mk`` plus ``P_win * window_installation_rmb_m`` when
  ``psi_window_installation_w_mk <= window_installation_psi_w_mk``; a design without the
  parameter pays neither, nor does a retrofit (its model has no thermal-bridge allowance: the
  existing U-values include the bridges) (reported apart as ``investment_thermal_bridges_balcony_rmb`` and
  ``investment_thermal_bridges_window_installation_rmb``).
- PV: ``I = 1000 * P_pv * price_rmb_w``.
- retrofit works: scaffolding ``A_facade * scaffolding_rmb_m2`` once when walls are insulated or
  windows replaced; fees ``fees_fraction * works``. Then ``investment_gross_rmb`` = works + fees,
  ``subsidy_rmb = min(gross, A * subsidy.rmb_m2 + gross * subsidy.fraction)`` and
  ``investment_rmb`` = gross - subsidy. Scaffolding and fees are spread over the components in
  proportion for replacements and maintenance; the subsidy is received once.

Regional price level: every investment amount above (each component and its parts, scaffolding;
hence fees and the subsidy's fraction part) is multiplied by the factor ``f`` of the building's
province, ``I_c = f * I_c,national``, the subsidy per m2 not: ``f = regional.price_factor[p]`` of
the cost data when given, else ``f = c_p / c_national`` with ``c`` the cost per m2 of buildings
completed of ``optimise/data/regional_prices.toml`` (sources there). The province ``p`` is the
tariff region's of the city (``tariffs.city``, else the weather's city; :mod:`ultralow.optimise.tariffs`);
without a city, or for a city the tariff file does not know, ``p = "national"`` and ``f = 1``.
Reported as ``price_region`` and ``regional_price_factor``; ``window_price_rmb_m2`` stays the
national price. The baseline package of a new building is priced in the same province.

Energy cost of year 1 (RMB/a), with the tariff of the building's province
(:mod:`ultralow.optimise.tariffs`; ``tariffs.city`` or the weather's city):
``E = sum_mh import_mh * p_mh - p_export * sum_mh export_mh + fuel + district heat``, import and
export the result's grid exchange by month and hour (netted hourly), ``p_mh`` the time-of-use
price where the province has one (hot-water electricity included); fuel at its price and heating
value (heating fuel and the water heater's gas, ``fuel_cost_rmb(hot_water_fuel, ...)``); district
heat metered or by area (``tariffs.district_heating_billing``). Year ``t``: the PV output is scaled by
``(1 - deg) ** age_t`` (age since the last PV installation) and each PV kWh lost costs the
year-1 mean value of a PV kWh, ``(E_noPV - E) / G`` with ``E_noPV`` the cost of importing the
self-consumed PV too; ``E_t`` is then escalated by ``(1 + esc) ** (t - 1)``.
``annual_energy_cost_rmb`` is ``E_1``. Maintenance ``M = sum_c m_c * I_c`` per year.

Life-cycle cost over ``N`` years at discount rate ``r`` (present value at year 0):

``LCC = sum_c I_c * (1 + sum_{k >= 1, k L_c < N} (1 + r) ** (-k L_c) - rho_c * (1 + r) ** (-N))
+ sum_{t=1..N} (E_t + M) * (1 + r) ** (-t)``,

replacement at the same real price at the end of each lifetime ``L_c`` within the period, and
residual value fraction ``rho_c = (t_last + L_c - N) / L_c`` of the last installation (at
``t_last``) still in service at ``N``. With constant ``E`` the energy term is the annuity
``E * (1 - (1 + r) ** (-N)) / r``.

Against the baseline (``reference_params``: the existing building of a retrofit, whose
investment is 0; for a new building the base package, default the template defaults, i.e. the
code-minimum package): ``incremental_investment_rmb = I - I_ref``; ``npv_savings_rmb = LCC_ref - LCC``
(positive: the design pays); ``simple_payback_years = incremental / ((E_ref,1 + M_ref) - (E_1 + M))``,
``0`` when the design costs no more and saves, ``inf`` when it saves nothing. Without a
reference result the reference heat pump is sized with the design's peak loads and the
energy-based reference figures are NaN. ``co2_t_per_year = co2_kg_m2 * A / 1000`` (the
result's services scope, PV credited; see ``ultralow.sim.results``).
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ultralow.errors import InputError
from ultralow.optimise import catalogues as opt_catalogues
from ultralow.templates import catalogues as tpl_catalogues
from ultralow.templates.envelope import DEFAULT_SOLAR_ABSORPTANCE, SHADED_FACADES, balcony_length_m

COMPONENTS = ("insulation", "windows", "window_retrofit", "shading", "thermal_bridges", "airtightness", "hrv",
              "heat_pump", "lighting", "cool_roof", "hot_water", "pv")
SURFACES = {"wall": "wall", "roof": "roof", "floor": "ground_floor"}  # param prefix -> builder surface
INSULATED_AREA = {"wall": "wall_area_m2", "roof": "roof_area_m2", "floor": "ground_floor_area_m2"}
WINDOW_SIDE_M = 1.5  # assumed square window (m) for the window perimeter P_win = 4 * A_win / WINDOW_SIDE_M

# item key -> kind; kinds are checked by _check_value.
SCHEMA: dict[str, str] = {
    "economics.discount_rate": "rate",
    "economics.analysis_period_years": "years",
    "economics.energy_price_escalation_per_year": "rate",
    "tariffs.city": "text",
    "tariffs.district_heating_billing": "billing",
    "insulation.price_rmb_m2_cm": "insulation_map",
    "insulation.system_rmb_m2": "surface_map",
    "windows.price_curve": "window_curve",
    "shading.overhang_rmb_m2": "nonneg",
    "shading.external_movable_rmb_m2": "nonneg",
    "shading.side_fins_rmb_m2": "nonneg",
    "windows.solar_control_film_rmb_m2": "nonneg",
    "windows.secondary_glazing_rmb_m2": "nonneg",
    "retrofit.window_removal_rmb_m2": "nonneg",
    "retrofit.scaffolding_rmb_m2": "nonneg",
    "retrofit.fees_fraction": "fraction",
    "subsidy.rmb_m2": "nonneg",
    "subsidy.fraction": "fraction",
    "lighting.led_retrofit_rmb_m2": "nonneg",
    "roof.cool_coating_rmb_m2": "nonneg",
    "thermal_bridges.balcony_thermal_break_rmb_m": "nonneg",
    "thermal_bridges.thermal_break_psi_w_mk": "nonneg",
    "thermal_bridges.window_installation_rmb_m": "nonneg",
    "thermal_bridges.window_installation_psi_w_mk": "nonneg",
    "airtightness.cost_rmb_m2_per_ach": "nonneg",
    "airtightness.n50_free_ach": "positive",
    "hrv.cost_curve_rmb_m2": "curve",
    "heat_pump.price_rmb_kw": "heat_pump_map",
    "heat_pump.sizing_factor": "positive",
    "hot_water.price_rmb_kw": "hot_water_map",
    "pv.price_rmb_w": "nonneg",
    "pv.degradation_per_year": "fraction",
    "regional.price_factor": "factor_map",
    **{f"lifetime_years.{c}": "years" for c in COMPONENTS},
    **{f"maintenance_fraction.{c}": "fraction" for c in COMPONENTS},
}
MAP_KINDS = ("insulation_map", "surface_map", "heat_pump_map", "hot_water_map", "factor_map")
BILLINGS = ("metered", "area")
KIND_HELP = {
    "rate": "a number from -0.5 to 0.5 (per year)",
    "years": "a whole number of years from 1 to 200",
    "nonneg": "a number >= 0",
    "positive": "a number > 0",
    "fraction": "a number from 0 to 1",
    "text": "a text (\"\" for none)",
    "billing": "\"metered\" or \"area\"",
    "surface_map": "a table {wall = RMB/m2, roof = RMB/m2, floor = RMB/m2}",
    "curve": "a list of [x, y] pairs with increasing x and y >= 0",
    "window_curve": "\"catalogue\" or a list of [u_w_m2k, price_rmb_m2] pairs with increasing U",
}


@dataclass(frozen=True)
class CostItem:
    """One value of the cost data with its provenance."""

    value: Any
    unit: str
    source: str
    verified: bool


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _allowed_keys(kind: str) -> tuple[str, ...]:
    if kind == "surface_map":
        return tuple(SURFACES)
    if kind == "insulation_map":
        return tpl_catalogues.insulation_ids()
    if kind == "heat_pump_map":
        return tpl_catalogues.heat_pump_ids()
    if kind == "hot_water_map":
        from ultralow.sim.hot_water import system_ids

        return system_ids()
    if kind == "factor_map":
        return tuple(regional_cost_table())
    return ()


def _check_curve(key: str, value: Any, where: str) -> list[tuple[float, float]]:
    ok = isinstance(value, list) and value and all(
        isinstance(p, list) and len(p) == 2 and all(_is_number(v) for v in p) for p in value
    )
    if ok:
        points = [(float(x), float(y)) for x, y in value]
        xs = [x for x, _ in points]
        if all(b > a for a, b in zip(xs, xs[1:], strict=False)) and all(y >= 0 for _, y in points):
            return points
    raise InputError(f"{where}: cost item {key!r}: {value!r} is not allowed; use {KIND_HELP['curve']}")


def _check_value(key: str, kind: str, value: Any, where: str) -> Any:
    """Validated ``value`` of item ``key``; InputError names the key and what is allowed."""

    def bad() -> InputError:
        return InputError(f"{where}: cost item {key!r}: {value!r} is not allowed; use {KIND_HELP.get(kind, kind)}")

    if kind in MAP_KINDS:
        if not isinstance(value, dict):
            raise bad()
        allowed = _allowed_keys(kind)
        out = {}
        for sub, v in value.items():
            if sub not in allowed:
                raise InputError(f"{where}: cost item {key!r}: unknown key {sub!r}; allowed: {', '.join(allowed)}")
            if not _is_number(v) or v < 0:
                raise InputError(f"{where}: cost item '{key}.{sub}': {v!r} is not allowed; use a number >= 0")
            out[sub] = float(v)
        return out
    if kind == "curve":
        return _check_curve(key, value, where)
    if kind == "text":
        if not isinstance(value, str):
            raise bad()
        return value
    if kind == "billing":
        if value not in BILLINGS:
            raise bad()
        return value
    if kind == "window_curve":
        if value == "catalogue":
            return value
        if isinstance(value, str):
            raise bad()
        return _check_curve(key, value, where)
    if not _is_number(value):
        raise bad()
    limits = {"rate": (-0.5, 0.5), "years": (1, 200), "nonneg": (0, math.inf),
              "positive": (1e-12, math.inf), "fraction": (0.0, 1.0)}[kind]
    if not limits[0] <= value <= limits[1] or (kind == "years" and int(value) != value):
        raise bad()
    return int(value) if kind == "years" else float(value)


def _parse(data: Mapping[str, Any], where: str, user: bool) -> dict[str, CostItem]:
    """Items of one cost file. Packaged items need value/unit/source/verified; user items may be bare."""
    sections = sorted({k.split(".")[0] for k in SCHEMA})
    items: dict[str, CostItem] = {}
    for section, body in data.items():
        if section not in sections or not isinstance(body, dict):
            raise InputError(f"{where}: unknown cost section {section!r}; allowed: {', '.join(sections)}")
        for name, raw in body.items():
            key = f"{section}.{name}"
            if key not in SCHEMA:
                allowed = [k.split(".", 1)[1] for k in SCHEMA if k.startswith(section + ".")]
                raise InputError(f"{where}: unknown cost item {key!r}; allowed in [{section}]: {', '.join(allowed)}")
            is_item = isinstance(raw, dict) and "value" in raw
            if not is_item and not user:
                raise InputError(f"{where}: cost item {key!r} must be a table with value, unit, source, verified")
            if is_item:
                extra = set(raw) - {"value", "unit", "source", "verified"}
                if extra:
                    raise InputError(f"{where}: cost item {key!r}: unknown field(s) {', '.join(sorted(extra))}; "
                                     "allowed: value, unit, source, verified")
                source, verified = raw.get("source"), raw.get("verified", False)
                if (not user or "source" in raw) and (not isinstance(source, str) or not source.strip()):
                    raise InputError(f"{where}: cost item {key!r} needs a source (URL/document or \"assumption\")")
                if not isinstance(verified, bool):
                    raise InputError(f"{where}: cost item {key!r}: verified must be true or false")
                value, unit = raw["value"], str(raw.get("unit", ""))
            else:
                value, unit, source, verified = raw, "", None, False
            items[key] = CostItem(_check_value(key, SCHEMA[key], value, where), unit,
                                  source or f"user file {where}", verified)
    return items


def _interp(points: list[tuple[float, float]], x: float) -> float:
    """Piecewise-linear interpolation, clamped at both ends."""
    if x <= points[0][0]:
        return points[0][1]
    if x >= points[-1][0]:
        return points[-1][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def window_price_points() -> list[tuple[float, float]]:
    """(U, price) of the catalogue's non-dominated products: each cheaper than every better-U one."""
    products = sorted(opt_catalogues.window_products().values(), key=lambda p: (p["u_w_m2k"], p["price_rmb_m2"]))
    points: list[tuple[float, float]] = []
    for p in products:
        if not points or (p["u_w_m2k"] > points[-1][0] and p["price_rmb_m2"] < points[-1][1]):
            points.append((p["u_w_m2k"], p["price_rmb_m2"]))
    return points


NATIONAL = "national"  # price region of a building whose province is unknown (factor 1.0)
REGIONAL_PRICES_FILE = "optimise/data/regional_prices.toml"


@dataclass(frozen=True)
class RegionalCost:
    """One row of ``optimise/data/regional_prices.toml``: a province's (or the national) building
    cost per m2 of floor space with its provenance."""

    name: str
    cost_rmb_m2: float
    source: str
    verified: bool
    year: int


def _regional_row(body: Any, where: str, key: str) -> RegionalCost:
    """Validated row ``key`` of the regional price file; InputError names the file and field."""
    if not isinstance(body, dict):
        raise InputError(f"{where}: [{key}] must be a table with name, cost_rmb_m2, unit, source, verified, year")
    fields = ("name", "cost_rmb_m2", "unit", "source", "verified", "year")
    for name in fields:
        if name not in body:
            raise InputError(f"{where}: [{key}] needs {name!r}")
    extra = sorted(set(body) - set(fields))
    if extra:
        raise InputError(f"{where}: [{key}]: unknown field(s) {', '.join(extra)}; allowed: {', '.join(fields)}")
    cost = body["cost_rmb_m2"]
    if not _is_number(cost) or cost <= 0:
        raise InputError(f"{where}: {key}.cost_rmb_m2 = {cost!r} is not allowed; use a number > 0 (RMB/m2)")
    if not isinstance(body["source"], str) or not body["source"].strip():
        raise InputError(f"{where}: {key}.source must be a non-empty text (document / URL)")
    if not isinstance(body["verified"], bool):
        raise InputError(f"{where}: {key}.verified must be true or false")
    if not isinstance(body["year"], int) or isinstance(body["year"], bool):
        raise InputError(f"{where}: {key}.year must be a whole number")
    return RegionalCost(str(body["name"]), float(cost), body["source"], body["verified"], body["year"])


def read_data_toml(path: str | Path | None, packaged: str) -> tuple[dict[str, Any], str]:
    """The TOML data file ``path``, or the packaged ``optimise/data/<packaged>`` when None, and the
    name to give in errors; InputError names the file when it cannot be read or parsed."""
    where = str(path) if path is not None else f"optimise/data/{packaged}"
    try:
        if path is None:
            with resources.files("ultralow.optimise").joinpath("data", packaged).open("rb") as fh:
                return tomllib.load(fh), where
        return tomllib.loads(Path(path).read_text(encoding="utf-8")), where
    except OSError as exc:
        raise InputError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: not valid TOML: {exc}") from None


def load_regional_costs(path: str | Path | None = None) -> dict[str, RegionalCost]:
    """Rows of the regional price file (default the packaged ``optimise/data/regional_prices.toml``):
    ``{"national": base, <province id>: row, ...}``; InputError names the file and the field."""
    data, where = read_data_toml(path, "regional_prices.toml")
    extra = sorted(set(data) - {NATIONAL, "provinces"})
    if extra:
        raise InputError(f"{where}: unknown top-level key(s) {', '.join(extra)}; allowed: national, provinces")
    provinces = data.get("provinces")
    if NATIONAL not in data or not isinstance(provinces, dict) or not provinces:
        raise InputError(f"{where}: needs [national] and at least one [provinces.<id>]")
    rows = {NATIONAL: _regional_row(data[NATIONAL], where, NATIONAL)}
    for pid, body in provinces.items():
        rows[pid] = _regional_row(body, where, f"provinces.{pid}")
    return rows


@functools.cache
def regional_cost_table() -> Mapping[str, RegionalCost]:
    """The packaged regional price rows (:func:`load_regional_costs`), national base included (read once)."""
    return MappingProxyType(load_regional_costs())


def province_id(province_name: str) -> str:
    """Province id of a province name as ``optimise/data/tariffs.toml`` spells it
    ("Inner Mongolia" -> "inner_mongolia")."""
    return "_".join(province_name.strip().lower().split())


def present_value_factor(rate: float, years: int) -> float:
    """Annuity factor sum_{t=1..N} (1+r)^-t = (1 - (1+r)^-N) / r (N when r = 0)."""
    return float(years) if rate == 0 else (1.0 - (1.0 + rate) ** -years) / rate


def replacement_factor(lifetime_years: int, period_years: int, rate: float) -> float:
    """Present-value multiplier of one investment over the period, replacements and residual value included.

    ``1 + sum_{k>=1, k L < N} (1+r)^(-k L) - rho (1+r)^(-N)``, ``rho = (t_last + L - N) / L``.
    """
    factor, t = 1.0, lifetime_years
    t_last = 0
    while t < period_years:
        factor += (1.0 + rate) ** -t
        t_last = t
        t += lifetime_years
    residual = (t_last + lifetime_years - period_years) / lifetime_years
    return factor - residual * (1.0 + rate) ** -period_years


@dataclass
class CostModel:
    """Validated cost data; :meth:`evaluate` prices one design (formulas in the module docstring)."""

    items: dict[str, CostItem] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None) -> CostModel:
        """Packaged ``optimise/data/costs.toml``, overridden/extended by the user file ``path``."""
        with resources.files("ultralow.optimise").joinpath("data", "costs.toml").open("rb") as fh:
            items = _parse(tomllib.load(fh), "optimise/data/costs.toml", user=False)
        missing = sorted(set(SCHEMA) - set(items))
        if missing:
            raise InputError(f"optimise/data/costs.toml: missing cost item(s) {', '.join(missing)}")
        if path is not None:
            path = Path(path)
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise InputError(f"cost file {path}: cannot read: {exc.strerror or exc}") from None
            except tomllib.TOMLDecodeError as exc:
                raise InputError(f"cost file {path}: not valid TOML: {exc}") from None
            for key, item in _parse(data, str(path), user=True).items():
                if SCHEMA[key] in MAP_KINDS:  # maps extend the packaged table
                    item = CostItem({**items[key].value, **item.value}, item.unit or items[key].unit,
                                    item.source, item.verified)
                items[key] = item
        return cls(items)

    def value(self, key: str) -> Any:
        """Value of item ``key`` (``"section.name"``)."""
        if key not in self.items:
            raise InputError(f"unknown cost item {key!r}; allowed: {', '.join(sorted(self.items))}")
        return self.items[key].value

    def unverified(self) -> list[str]:
        """Keys of items not checked against their source."""
        return sorted(k for k, v in self.items.items() if not v.verified)

    # --- regional price level ----------------------------------------------------------------
    def price_region(self, template_name: str, city: str | None) -> str:
        """Province id whose price level applies (``tariffs.city`` overrides the weather's city; the
        city's province is its tariff region's, :mod:`ultralow.optimise.tariffs`); ``"national"``
        when there is no city or the tariff file does not know it."""
        if not (self.value("tariffs.city") or city):
            return NATIONAL
        try:
            return province_id(self.tariff(template_name, city).province)
        except InputError:
            return NATIONAL

    def regional_price_factor(self, region: str) -> float:
        """Multiplier on every investment of a building in ``region`` (a province id, or
        ``"national"``): the cost file's ``regional.price_factor`` entry, else ``f = cost_rmb_m2[region]
        / cost_rmb_m2[national]`` of ``optimise/data/regional_prices.toml``; 1.0 for ``"national"``."""
        overrides = self.value("regional.price_factor")
        if region in overrides:
            return overrides[region]
        if region == NATIONAL:
            return 1.0
        table = regional_cost_table()
        if region not in table:
            raise InputError(f"{REGIONAL_PRICES_FILE}: no [provinces.{region}]; add it or set "
                             f"[regional] price_factor = {{{region} = <factor>}} in a cost file")
        return table[region].cost_rmb_m2 / table[NATIONAL].cost_rmb_m2

    # --- prices ----------------------------------------------------------------------------
    def _catalogue_price(self, item: str, catalogue: str, entry_id: str, what: str, field: str) -> float:
        """Price of ``entry_id`` from cost item ``item`` (user-editable), else from the template
        catalogue's ``field``; InputError when neither has one."""
        prices = self.value(item)
        if entry_id in prices:
            return prices[entry_id]
        entry = tpl_catalogues.entry(catalogue, entry_id, what)
        if field not in entry:
            raise InputError(f"no price for {what} {entry_id!r}: add it to [{item}]")
        return float(entry[field])

    def insulation_price_rmb_m2_cm(self, material: str) -> float:
        return self._catalogue_price("insulation.price_rmb_m2_cm", "materials", material, "insulation material",
                                     "price_rmb_m2_cm")

    def heat_pump_price_rmb_kw(self, model: str) -> float:
        return self._catalogue_price("heat_pump.price_rmb_kw", "heat_pumps", model, "heat pump", "price_rmb_kw")

    def hot_water_price_rmb_kw(self, system: str) -> float:
        """Installed price (RMB per kW of heating capacity) of the design water heater ``system``:
        ``hot_water.price_rmb_kw`` of the cost data, else ``templates/data/hot_water.toml``."""
        from ultralow.sim.hot_water import water_heater

        prices = self.value("hot_water.price_rmb_kw")
        return prices[system] if system in prices else water_heater(system).price_rmb_kw

    def window_price_rmb_m2(self, u_w_m2k: float, product: str | None = None) -> float:
        """Installed window price per m2 for a product id, else from the price-vs-U curve."""
        if product:
            return opt_catalogues.window_product(product)["price_rmb_m2"]
        curve = self.value("windows.price_curve")
        points = window_price_points() if curve == "catalogue" else curve
        return _interp(points, u_w_m2k)

    def hrv_price_rmb_m2(self, efficiency: float) -> float:
        return 0.0 if efficiency <= 0 else _interp(self.value("hrv.cost_curve_rmb_m2"), efficiency)

    def pv_price_and_degradation(self, params: Mapping[str, Any]) -> tuple[float, float]:
        module = params.get("pv_module")
        if module:
            m = opt_catalogues.pv_module(module)
            return m["price_rmb_w"], m["degradation_per_year"]
        return self.value("pv.price_rmb_w"), self.value("pv.degradation_per_year")

    # --- quantities and investment ---------------------------------------------------------
    def investment(self, template_name: str, params: Mapping[str, Any],
                   result: Mapping[str, Any] | None = None, peak_load_result: Mapping[str, Any] | None = None,
                   existing: Mapping[str, Any] | None = None, price_region: str = NATIONAL) -> dict[str, float]:
        """Investment per component (``investment_<component>_rmb``), quantities and totals.

        ``price_region``: province id (:meth:`price_region`) whose price factor
        (:meth:`regional_price_factor`) multiplies every component, scaffolding included; reported
        as ``price_region`` and ``regional_price_factor``.

        ``existing``: the existing building's parameters as simulated (a retrofit): then only the
        measures that change it are charged, with the retrofit's extra works, fees and subsidies;
        ``measures`` lists them. ``peak_load_result`` supplies the peak loads for heat-pump
        sizing when ``result`` is None.
        """
        q = quantities(template_name, params, result)
        p = q.pop("_params")
        out: dict[str, Any] = dict(q)
        area = q["floor_area_m2"]
        retrofit = existing is not None
        old = existing or {}
        applied: list[str] = []

        def changed(key: str, default: Any = None) -> bool:
            return retrofit and p.get(key, default) != old.get(key, default)

        for prefix in SURFACES:
            d_cm = q[f"{prefix}_insulation_cm"]
            cost = 0.0
            if d_cm > 0:
                rate = d_cm * self.insulation_price_rmb_m2_cm(p[f"{prefix}_insulation"])
                cost = q[INSULATED_AREA[prefix]] * (rate + self.value("insulation.system_rmb_m2")[prefix])
                applied.append(f"{prefix}_insulation")
            out[f"investment_insulation_{prefix}_rmb"] = cost
        replaced = not retrofit or changed("window_u_w_m2k") or changed("window_shgc") or bool(
            retrofit and p.get("window_product"))
        win_price = self.window_price_rmb_m2(p["window_u_w_m2k"], p.get("window_product"))
        out["window_price_rmb_m2"] = win_price
        removal = self.value("retrofit.window_removal_rmb_m2") if retrofit else 0.0
        out["window_replaced_m2"] = q["window_area_m2"] if replaced else 0.0
        out["investment_windows_rmb"] = out["window_replaced_m2"] * (win_price + removal)
        if retrofit and replaced:
            applied.append("windows")
        upgrade = p.get("window_retrofit") or "none"
        upgrade_price = {"none": 0.0, "solar_control_film": self.value("windows.solar_control_film_rmb_m2"),
                         "secondary_glazing": self.value("windows.secondary_glazing_rmb_m2")}.get(upgrade)
        if upgrade_price is None:
            raise InputError(f"window_retrofit = {upgrade!r} has no price; allowed: none, solar_control_film, "
                             "secondary_glazing")
        out["investment_window_retrofit_rmb"] = q["window_area_m2"] * upgrade_price
        if upgrade != "none":
            applied.append(upgrade)
        out["investment_shading_overhang_rmb"] = q["south_overhang_m2"] * self.value("shading.overhang_rmb_m2")
        out["investment_shading_external_rmb"] = (q["shaded_window_m2"]
                                                  * self.value("shading.external_movable_rmb_m2"))
        out["investment_shading_fins_rmb"] = q["side_fin_m2"] * self.value("shading.side_fins_rmb_m2")
        out["investment_shading_rmb"] = (out["investment_shading_overhang_rmb"]
                                         + out["investment_shading_external_rmb"] + out["investment_shading_fins_rmb"])
        for part in ("overhang", "external", "fins"):
            if out[f"investment_shading_{part}_rmb"] > 0:
                applied.append(f"shading_{part}")
        # a retrofit's model has no thermal-bridge allowance (the existing U-values include the
        # bridges; templates/envelope.py): details it cannot see are not charged either
        balcony = not retrofit and _at_or_below(p.get("psi_balcony_w_mk"),
                                                self.value("thermal_bridges.thermal_break_psi_w_mk"))
        out["thermal_break_balcony_m"] = q["balcony_length_m"] if balcony else 0.0
        out["investment_thermal_bridges_balcony_rmb"] = (out["thermal_break_balcony_m"]
                                                         * self.value("thermal_bridges.balcony_thermal_break_rmb_m"))
        installation = not retrofit and _at_or_below(p.get("psi_window_installation_w_mk"),
                                                     self.value("thermal_bridges.window_installation_psi_w_mk"))
        out["window_installation_detailed_m"] = q["window_perimeter_m"] if installation and replaced else 0.0
        out["investment_thermal_bridges_window_installation_rmb"] = (
            out["window_installation_detailed_m"] * self.value("thermal_bridges.window_installation_rmb_m"))
        out["investment_thermal_bridges_rmb"] = (out["investment_thermal_bridges_balcony_rmb"]
                                                 + out["investment_thermal_bridges_window_installation_rmb"])
        if out["investment_thermal_bridges_rmb"] > 0:
            applied.append("thermal_bridges")
        n50_from = float(old.get("n50_ach", p["n50_ach"])) if retrofit else self.value("airtightness.n50_free_ach")
        n50_gap = max(0.0, n50_from - float(p["n50_ach"]))
        out["investment_airtightness_rmb"] = area * self.value("airtightness.cost_rmb_m2_per_ach") * n50_gap
        if retrofit and n50_gap > 0:
            applied.append("airtightness")
        out["investment_hrv_rmb"] = area * self.hrv_price_rmb_m2(p["hrv_efficiency"])
        if out["investment_hrv_rmb"] > 0:
            applied.append("hrv")
        loads = result if result is not None else (peak_load_result or {})
        peak_w_m2 = max(_num(loads, "peak_heating_load_w_m2"), _num(loads, "peak_cooling_load_w_m2"))
        loads_area = _num(loads, "conditioned_floor_area_m2") or area
        keep_systems = p.get("heat_pump") == "existing"
        hp_kw = 0.0 if keep_systems else self.value("heat_pump.sizing_factor") * peak_w_m2 * loads_area / 1000.0
        out["heat_pump_capacity_kw"] = hp_kw
        out["investment_heat_pump_rmb"] = 0.0 if keep_systems else hp_kw * self.heat_pump_price_rmb_kw(p["heat_pump"])
        if retrofit and not keep_systems:
            applied.append("heat_pump")
        hot_water_system = p.get("hot_water_system") or "none"
        new_heater = hot_water_system not in ("none", "existing")
        hw_kw = 0.0
        if new_heater:
            from ultralow.sim.hot_water import water_heater

            hours = water_heater(hot_water_system).sizing_hours_per_day
            hw_kw = _num(loads, "hot_water_design_heat_kwh_per_day") / hours
        out["hot_water_capacity_kw"] = hw_kw
        out["investment_hot_water_rmb"] = hw_kw * self.hot_water_price_rmb_kw(hot_water_system) if new_heater else 0.0
        if retrofit and new_heater:
            applied.append("hot_water")
        lighting_before = old.get("lighting_w_m2")
        led = retrofit and _is_number(p.get("lighting_w_m2")) and _is_number(lighting_before) and (
            p["lighting_w_m2"] < lighting_before)
        out["investment_lighting_rmb"] = area * self.value("lighting.led_retrofit_rmb_m2") if led else 0.0
        if led:
            applied.append("lighting")
        absorptance = p.get("roof_solar_absorptance")
        absorptance_before = old.get("roof_solar_absorptance") if retrofit else None
        if not _is_number(absorptance_before):  # the template's roof finish
            absorptance_before = DEFAULT_SOLAR_ABSORPTANCE
        cool = _is_number(absorptance) and absorptance < absorptance_before
        out["investment_cool_roof_rmb"] = q["roof_area_m2"] * self.value("roof.cool_coating_rmb_m2") if cool else 0.0
        if cool:
            applied.append("cool_roof")
        pv_price, _ = self.pv_price_and_degradation(p)
        out["investment_pv_rmb"] = 1000.0 * q["pv_capacity_kw"] * pv_price
        if out["investment_pv_rmb"] > 0:
            applied.append("pv")
        factor = self.regional_price_factor(price_region)
        out["price_region"] = price_region
        out["regional_price_factor"] = factor
        for key in [k for k in out if k.startswith("investment_")]:  # every component and its parts
            out[key] *= factor
        out["investment_insulation_rmb"] = sum(out[f"investment_insulation_{s}_rmb"] for s in SURFACES)
        works = sum(out[f"investment_{c}_rmb"] for c in COMPONENTS)
        facade_works = retrofit and (q["wall_insulation_cm"] > 0 or replaced)
        out["investment_scaffolding_rmb"] = (factor * q["wall_gross_m2"] * self.value("retrofit.scaffolding_rmb_m2")
                                             if facade_works else 0.0)
        works += out["investment_scaffolding_rmb"]
        out["investment_fees_rmb"] = works * self.value("retrofit.fees_fraction") if retrofit else 0.0
        gross = works + out["investment_fees_rmb"]
        out["investment_gross_rmb"] = gross
        out["subsidy_rmb"] = min(gross, area * self.value("subsidy.rmb_m2") + gross * self.value("subsidy.fraction"))
        out["investment_rmb"] = gross - out["subsidy_rmb"]
        out["measures"] = applied if retrofit else []
        return out

    def _component_investments(self, inv: Mapping[str, float]) -> dict[str, float]:
        """Investment by component for replacements and maintenance: scaffolding and fees are
        spread over the components in proportion; the subsidy is paid once (no replacement)."""
        parts = {c: inv[f"investment_{c}_rmb"] for c in COMPONENTS}
        works = sum(parts.values())
        if works <= 0:
            return parts
        extra = (inv.get("investment_scaffolding_rmb", 0.0) + inv.get("investment_fees_rmb", 0.0)) / works
        return {c: v * (1.0 + extra) for c, v in parts.items()}

    def annual_maintenance_rmb(self, inv: Mapping[str, float]) -> float:
        """``M = sum_c m_c * I_c`` (RMB/a)."""
        return sum(self.value(f"maintenance_fraction.{c}") * i for c, i in self._component_investments(inv).items())

    def tariff(self, template_name: str, city: str | None) -> Any:
        """The energy tariff of the building's province (``tariffs.city`` overrides the weather's city)."""
        from ultralow.optimise.tariffs import tariff_for
        from ultralow.templates import get_template

        city = self.value("tariffs.city") or city
        if not city:
            raise InputError("energy costs need a province's tariffs but the weather is a user file: set "
                             "[tariffs] city = \"<registry city>\" in a cost file ([costs] file = ... in the spec)")
        return tariff_for(city, get_template(template_name).building_use)

    def annual_energy_cost_rmb(self, template_name: str, result: Mapping[str, Any],
                               city: str | None) -> dict[str, float]:
        """Energy cost of year 1 (RMB/a) by carrier, with the province's tariffs
        (:mod:`ultralow.optimise.tariffs`): grid electricity hour by hour (time-of-use where the
        province has it) minus PV export at the export price; fuel at its price; district heat
        metered or by area (``tariffs.district_heating_billing``); the water heater's gas at the
        natural-gas price (its electricity is in the grid exchange)."""
        return self._year_one(template_name, result, city)[0]

    def _year_one(self, template_name: str, result: Mapping[str, Any],
                  city: str | None) -> tuple[dict[str, float], float]:
        """(:meth:`annual_energy_cost_rmb`, value of the year's PV output in RMB/a: what importing
        the self-consumed PV and losing the export would add; 0 without PV)."""
        import numpy as np

        tariff = self.tariff(template_name, city)
        area = _num(result, "conditioned_floor_area_m2")
        grid_in = np.asarray(result.get("grid_import_kwh_month_hour") or np.zeros((12, 24)), dtype=float)
        grid_out = np.asarray(result.get("grid_export_kwh_month_hour") or np.zeros((12, 24)), dtype=float)
        pv = np.asarray(result.get("pv_generation_kwh_month_hour") or np.zeros((12, 24)), dtype=float)
        electricity = tariff.electricity_cost_rmb(grid_in, grid_out)
        pv_value = 0.0
        if pv.sum() > 0:
            # without PV the building would import what it used: import + self-consumed PV
            pv_value = tariff.electricity_cost_rmb(grid_in + (pv - grid_out), np.zeros((12, 24))) - electricity
        out = {"energy_cost_electricity_rmb": electricity, "energy_cost_fuel_rmb": 0.0,
               "energy_cost_district_heating_rmb": 0.0}
        district_kwh = _num(result, "district_heat_kwh_m2") * area
        if district_kwh > 0:
            out["energy_cost_district_heating_rmb"] = tariff.district_heating_cost_rmb(
                district_kwh, area, self.value("tariffs.district_heating_billing"))
        elif result.get("heating_fuel"):
            out["energy_cost_fuel_rmb"] = tariff.fuel_cost_rmb(str(result["heating_fuel"]),
                                                               _num(result, "heating_fuel_kwh_m2") * area)
        if result.get("hot_water_fuel"):  # the water heater's gas (its electricity is in the grid exchange)
            out["energy_cost_fuel_rmb"] += tariff.fuel_cost_rmb(str(result["hot_water_fuel"]),
                                                                _num(result, "hot_water_fuel_kwh_m2") * area)
        out["energy_cost_rmb"] = sum(out.values())
        return out, pv_value

    def energy_costs_rmb(self, template_name: str, params: Mapping[str, Any], result: Mapping[str, Any],
                         city: str | None, year_one: tuple[dict[str, float], float] | None = None) -> list[float]:
        """Energy cost ``E_t`` for t = 1..N (RMB/a): PV degradation and real price escalation applied.

        The tariff is linear in the PV output, so year ``t`` costs ``E_1 + (1 - f_t) V`` with
        ``f_t = (1 - deg) ** age_t`` and ``V`` the value of year 1's PV (:meth:`_year_one`, passed
        in as ``year_one`` when the caller has it)."""
        esc = self.value("economics.energy_price_escalation_per_year")
        n = self.value("economics.analysis_period_years")
        life_pv = self.value("lifetime_years.pv")
        _, deg = self.pv_price_and_degradation(params)
        breakdown, pv_value = year_one or self._year_one(template_name, result, city)
        first = breakdown["energy_cost_rmb"]
        return [(first + (1.0 - max(0.0, 1.0 - deg) ** ((t - 1) % life_pv)) * pv_value) * (1.0 + esc) ** (t - 1)
                for t in range(1, n + 1)]

    def lcc_rmb(self, inv: Mapping[str, float], energy_costs: list[float]) -> float:
        """LCC = sum_c I_c * replacement_factor_c - subsidy + sum_t (E_t + M) (1+r)^-t."""
        r = self.value("economics.discount_rate")
        n = self.value("economics.analysis_period_years")
        capital = sum(i * replacement_factor(self.value(f"lifetime_years.{c}"), n, r)
                      for c, i in self._component_investments(inv).items())
        m = self.annual_maintenance_rmb(inv)
        running = sum((e + m) * (1.0 + r) ** -t for t, e in enumerate(energy_costs, start=1))
        return capital - inv.get("subsidy_rmb", 0.0) + running

    # --- the optimiser's entry point -------------------------------------------------------
    def evaluate(self, template_name: str, params: dict, result: dict, reference_params: dict | None = None,
                 reference_result: dict | None = None, *, retrofit: bool = False,
                 city: str | None = None) -> dict[str, Any]:
        """Costs of one design against its baseline; RMB unless named.

        The baseline (``reference_params`` / ``reference_result``) is the existing building when
        ``retrofit`` (then the investment is the measures applied, the existing building costs
        nothing, and the savings are against it), else the new building's base package (default:
        the template defaults). Returns ``investment_rmb``, ``incremental_investment_rmb``(``_m2``),
        ``annual_energy_cost_rmb`` (and by carrier), ``annual_maintenance_rmb``, ``lcc_rmb``(``_m2``),
        ``npv_savings_rmb``, ``annual_saving_rmb``, ``simple_payback_years``, ``co2_t_per_year``,
        the component investments and quantities, ``price_region`` (province id or "national") and
        ``regional_price_factor`` (both investments priced in the city's province). Formulas:
        module docstring.
        """
        from ultralow.templates import get_template

        if reference_params is None:
            reference_params = get_template(template_name).resolve({})
        p = {**params, **(result.get("parameters") or {}), **{k: v for k, v in params.items()
                                                             if k not in get_template(template_name).parameters}}
        existing = None
        if retrofit:
            existing = {**reference_params, **((reference_result or {}).get("parameters") or {})}
        region = self.price_region(template_name, city)
        inv = self.investment(template_name, p, result, existing=existing, price_region=region)
        area = inv["floor_area_m2"]
        ref_inv = (_zero_investment(inv) if retrofit else
                   self.investment(template_name, reference_params, reference_result, peak_load_result=result,
                                   price_region=region))
        year_one = self._year_one(template_name, result, city)
        energy = self.energy_costs_rmb(template_name, p, result, city, year_one)
        first_year = year_one[0]
        lcc = self.lcc_rmb(inv, energy)
        maint = self.annual_maintenance_rmb(inv)
        out = dict(inv)
        incremental = inv["investment_rmb"] - ref_inv["investment_rmb"]
        out.update({f"annual_{k}": v for k, v in first_year.items() if k != "energy_cost_rmb"})
        out.update(
            reference_investment_rmb=ref_inv["investment_rmb"],
            incremental_investment_rmb=incremental,
            incremental_investment_rmb_m2=incremental / area if area > 0 else math.nan,
            annual_energy_cost_rmb=energy[0],
            annual_energy_cost_rmb_m2=energy[0] / area if area > 0 else math.nan,
            annual_maintenance_rmb=maint,
            lcc_rmb=lcc,
            lcc_rmb_m2=lcc / area if area > 0 else math.nan,
            co2_t_per_year=_num(result, "co2_kg_m2") * area / 1000.0,
        )
        if reference_result is None:
            out.update(reference_lcc_rmb=math.nan, npv_savings_rmb=math.nan, simple_payback_years=math.nan,
                       annual_saving_rmb=math.nan, co2_saving_t_per_year=math.nan)
            return out
        ref_area = ref_inv["floor_area_m2"] if not retrofit else area
        ref_energy = self.energy_costs_rmb(template_name, reference_params, reference_result, city)
        ref_lcc = self.lcc_rmb(ref_inv, ref_energy)
        saving = (ref_energy[0] + self.annual_maintenance_rmb(ref_inv)) - (energy[0] + maint)
        out.update(
            reference_annual_energy_cost_rmb=ref_energy[0],
            reference_lcc_rmb=ref_lcc,
            npv_savings_rmb=ref_lcc - lcc,
            annual_saving_rmb=saving,
            simple_payback_years=simple_payback_years(incremental, saving),
            co2_saving_t_per_year=_num(reference_result, "co2_kg_m2") * ref_area / 1000.0 - out["co2_t_per_year"],
        )
        return out


def _zero_investment(inv: Mapping[str, Any]) -> dict[str, Any]:
    """The existing building's investment: nothing (same quantities, every amount 0)."""
    return {k: (0.0 if k.startswith("investment_") or k == "subsidy_rmb" else v) for k, v in inv.items()}


def simple_payback_years(incremental_investment_rmb: float, annual_saving_rmb: float) -> float:
    """``incremental / saving``; 0 when the design costs no more and saves, inf when it saves nothing."""
    if annual_saving_rmb <= 0 or not math.isfinite(annual_saving_rmb):
        return math.inf
    return max(0.0, incremental_investment_rmb) / annual_saving_rmb


def _num(mapping: Mapping[str, Any] | None, key: str) -> float:
    """``mapping[key]`` as a float; 0 when absent, None or NaN."""
    if not mapping:
        return 0.0
    value = mapping.get(key)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) else 0.0


def _at_or_below(value: Any, threshold: float) -> bool:
    """``value <= threshold`` for a numeric parameter; False when the design has no such parameter."""
    return _is_number(value) and value <= threshold


def _tariff(template_name: str) -> str:
    from ultralow.templates import get_template

    return "residential" if get_template(template_name).building_use == "residential" else "commercial"


def _geometry_of(template_name: str, params: Mapping[str, Any]):
    if template_name == "residential":
        from ultralow.templates.residential import geometry_of
    elif template_name == "office":
        from ultralow.templates.office import geometry_of
    else:
        from ultralow.templates.geometry import BlockGeometry

        return BlockGeometry.from_params(params, None)
    return geometry_of(dict(params))


def resolved_params(template_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Template defaults filled in; extra keys the template does not know (``window_product``,
    ``pv_module``) are kept as they are."""
    from ultralow.templates import get_template

    template = get_template(template_name)
    known = {k: v for k, v in params.items() if k in template.parameters}
    out = template.resolve(known)
    out.update({k: v for k, v in params.items() if k not in template.parameters})
    return out


def insulation_cm(template_name: str, params: Mapping[str, Any], prefix: str) -> float:
    """Insulation thickness (cm) of ``wall``/``roof``/``floor`` as the builder sizes it."""
    from ultralow.templates import get_template
    from ultralow.templates.constructions import opaque_construction

    u = params.get(f"{prefix}_u_w_m2k")
    mm = params.get(f"{prefix}_insulation_mm")
    if u is None and mm is None:
        u = get_template(template_name).default_u_w_m2k[prefix]
    cons = opaque_construction(SURFACES[prefix], u_target_w_m2k=u, insulation=params.get(f"{prefix}_insulation"),
                               insulation_mm=mm)
    return cons.insulation_thickness_m * 100.0


def quantities(template_name: str, params: Mapping[str, Any], result: Mapping[str, Any] | None) -> dict[str, Any]:
    """Areas (m2), insulation thicknesses (cm) and PV capacity (kW) of a design; ``_params`` = resolved params."""
    p = resolved_params(template_name, params)
    g = _geometry_of(template_name, p)
    wall_height_m = g.storeys * g.floor_height_m
    facades = {"south": g.length_m, "north": g.length_m, "east": g.depth_m, "west": g.depth_m}
    q: dict[str, Any] = {"_params": p}
    gross = 0.0
    windows = 0.0
    for facade, width_m in facades.items():
        area = width_m * wall_height_m
        q[f"wall_gross_{facade}_m2"] = area
        q[f"window_{facade}_m2"] = area * getattr(g, f"wwr_{facade}")
        gross += area
        windows += q[f"window_{facade}_m2"]
    q["window_area_m2"] = windows
    # an overhang as deep as ratio x window height over windows of total area A covers A x ratio
    # (plus the 0.2 m side extensions, neglected here)
    q["south_overhang_m2"] = q["window_south_m2"] * float(p.get("south_overhang_depth_ratio") or 0.0)
    shading = p.get("external_shading") or "none"
    q["shaded_window_m2"] = 0.0 if shading == "none" else sum(q[f"window_{f}_m2"] for f in SHADED_FACADES)
    q["balcony_length_m"] = balcony_length_m({**p, "length_m": g.length_m, "storeys": g.storeys})
    q["window_perimeter_m"] = 4.0 * windows / WINDOW_SIDE_M
    q["wall_gross_m2"] = gross
    # vertical fins as the builder places them (templates/envelope.py): both sides of every window
    # module of width w on the south/east/west facades with windows, storey-high over the whole
    # facade, depth = side_fin_depth_ratio x w; the modules tile the facade width, so the fin area
    # (one face) is 2 x ratio x facade width x building height per facade
    fin_ratio = float(p.get("side_fin_depth_ratio") or 0.0)
    q["side_fin_m2"] = sum(2.0 * fin_ratio * facades[f] * wall_height_m
                           for f in SHADED_FACADES if q[f"window_{f}_m2"] > 0)
    q["wall_area_m2"] = gross - windows
    q["roof_area_m2"] = g.roof_area_m2
    q["ground_floor_area_m2"] = g.roof_area_m2
    q["floor_area_m2"] = _num(result, "conditioned_floor_area_m2") or g.floor_area_m2
    for prefix in SURFACES:  # as built (a retrofit's layer outside the existing element), else sized here
        built = result.get(f"{prefix}_insulation_built_mm") if result else None
        q[f"{prefix}_insulation_cm"] = (float(built) / 10.0 if built is not None
                                        else insulation_cm(template_name, p, prefix))
    if result and "pv_capacity_kw" in result:
        q["pv_capacity_kw"] = _num(result, "pv_capacity_kw")
    else:  # the builder's layout (row spacing) decides the capacity: only a result knows it
        q["pv_capacity_kw"] = 0.0 if not p.get("pv_roof_fraction") else math.nan
    return q
