"""Read one run's ``eplusout.sql`` into a typed :class:`SimulationResult`.

Energy figures are per m2 of conditioned floor area as EnergyPlus reports it ("Net
Conditioned Building Area"), summed over the simulated period (a whole year for annual runs).
Scopes:
- ``heating_demand_kwh_m2`` / ``cooling_demand_kwh_m2``: ideal-loads supply-air energy
  (sensible + latent, ventilation after heat recovery included), the GB/T 51350 quantities.
- ``primary_energy_kwh_m2`` and ``co2_kg_m2``: building services (heat-pump heating and
  cooling, ventilation fans, lighting) minus PV generation, with the factors of
  ``sim/data/energy_factors.toml``; plug equipment is reported but excluded, as in GB/T 51350.
- ``net_site_energy_kwh_m2``: all site electricity (services + equipment) minus PV.
"""

from __future__ import annotations

import sqlite3
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from ultralow.sim.heat_pump import HeatPumpModel

J_PER_KWH = 3.6e6


@cache
def energy_factors() -> dict[str, Any]:
    with resources.files("ultralow.sim").joinpath("data", "energy_factors.toml").open("rb") as fh:
        return tomllib.load(fh)


@dataclass
class SimulationResult:
    """Results of one simulation; names carry units, energy per m2 of conditioned area."""

    template: str
    climate_zone: str
    weather: str
    period: str
    heating_demand_kwh_m2: float
    cooling_demand_kwh_m2: float
    heat_pump_heating_electricity_kwh_m2: float
    heat_pump_cooling_electricity_kwh_m2: float
    lighting_electricity_kwh_m2: float
    equipment_electricity_kwh_m2: float
    fan_electricity_kwh_m2: float
    pv_generation_kwh_m2: float
    net_site_energy_kwh_m2: float
    primary_energy_kwh_m2: float
    co2_kg_m2: float
    peak_heating_load_w_m2: float
    peak_cooling_load_w_m2: float
    unmet_heating_hours: float
    unmet_cooling_hours: float
    conditioned_floor_area_m2: float
    shape_coefficient_1_m: float
    pv_capacity_kw: float
    wall_u_w_m2k: float
    roof_u_w_m2k: float
    floor_u_w_m2k: float
    window_u_w_m2k: float
    window_shgc: float
    energyplus_version: str
    engine_seconds: float
    run_dir: str
    parameters: dict[str, Any] = field(default_factory=dict)
    hourly: pd.DataFrame | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (without the hourly frame)."""
        out = asdict(self)
        out.pop("hourly")
        return out


def _tabular(conn: sqlite3.Connection, report: str, table: str) -> pd.DataFrame:
    rows = conn.execute(
        "SELECT RowName, ColumnName, Value FROM TabularDataWithStrings "
        "WHERE ReportName = ? AND TableName = ?",
        (report, table),
    ).fetchall()
    frame = pd.DataFrame(rows, columns=["row", "column", "value"])
    return frame.pivot_table(index="row", columns="column", values="value", aggfunc="first")


def _to_float(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.astype(str).str.strip(), errors="coerce")


def _scalar(value: Any) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        return float("nan")


def envelope_u_values(conn: sqlite3.Connection) -> dict[str, float]:
    """Area-weighted "U-Factor with Film" per construction, and window U/SHGC, as reported."""
    opaque = _tabular(conn, "EnvelopeSummary", "Opaque Exterior")
    out: dict[str, float] = {}
    if not opaque.empty:
        area = _to_float(opaque["Gross Area"])
        u = _to_float(opaque["U-Factor with Film"])
        for cons, group in opaque.groupby(opaque["Construction"].str.upper()):
            idx = group.index
            out[cons] = float((u[idx] * area[idx]).sum() / area[idx].sum())
    fen = _tabular(conn, "EnvelopeSummary", "Exterior Fenestration")
    if not fen.empty:
        fen = fen[fen.index.str.upper().str.contains("TOTAL") == False]  # noqa: E712
        area = _to_float(fen["Area of Multiplied Openings"])
        for column, key in (("Glass U-Factor", "WINDOW_U"), ("Glass SHGC", "WINDOW_SHGC")):
            values = _to_float(fen[column])
            ok = values.notna() & area.notna()
            if ok.any():
                out[key] = float((values[ok] * area[ok]).sum() / area[ok].sum())
    return out


HOURLY_NAMES = {
    "DistrictHeatingWater:Facility": "heating_kwh",
    "DistrictCooling:Facility": "cooling_kwh",
    "Site Outdoor Air Drybulb Temperature": "outdoor_dry_bulb_c",
    "InteriorLights:Electricity": "lighting_kwh",
    "InteriorEquipment:Electricity": "equipment_kwh",
    "ElectricityProduced:Facility": "pv_kwh",
}
ENERGY_COLUMNS = ("heating_kwh", "cooling_kwh", "lighting_kwh", "equipment_kwh", "pv_kwh")
OUTDOOR_AIR_VARIABLE = "Zone Ideal Loads Outdoor Air Standard Density Volume Flow Rate"


def _environment_filter(annual_only: bool) -> str:
    if not annual_only:
        return ""
    return (
        "AND t.EnvironmentPeriodIndex IN (SELECT EnvironmentPeriodIndex FROM EnvironmentPeriods "
        "WHERE EnvironmentType = 3)"
    )


def hourly_frame(conn: sqlite3.Connection, annual_only: bool) -> pd.DataFrame:
    """Facility-level hourly series (kWh, degC).

    Heating and cooling demand come from the ``DistrictHeatingWater:Facility`` and
    ``DistrictCooling:Facility`` meters, on which EnergyPlus meters the ideal-loads supply-air
    heating and cooling energy of every zone (zone multipliers included). ``annual_only`` keeps
    the weather-file run period(s) and drops design days.
    """
    names = ",".join(f"'{n}'" for n in HOURLY_NAMES)
    rows = conn.execute(
        f"""SELECT t.TimeIndex, t.Month, t.Day, t.Hour, d.Name, r.Value
        FROM ReportData r
        JOIN ReportDataDictionary d ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex
        JOIN Time t ON r.TimeIndex = t.TimeIndex
        WHERE d.ReportingFrequency = 'Hourly' AND d.Name IN ({names}) {_environment_filter(annual_only)}"""
    ).fetchall()
    long = pd.DataFrame(rows, columns=["TimeIndex", "Month", "Day", "Hour", "Name", "Value"])
    frame = long.pivot(index=["TimeIndex", "Month", "Day", "Hour"], columns="Name", values="Value")
    frame = frame.rename(columns=HOURLY_NAMES).reset_index().rename_axis(columns=None)
    for column in ENERGY_COLUMNS:
        frame[column] = frame[column] / J_PER_KWH if column in frame else 0.0
    return frame


def outdoor_air_m3(conn: sqlite3.Connection, hours: int) -> float:
    """Ventilation air volume (m3, standard density) over the run period, all zones.

    From the run-period average of each zone's ideal-loads outdoor-air flow rate (m3/s) times
    the zone multiplier and the simulated hours.
    """
    multipliers = dict(conn.execute("SELECT UPPER(ZoneName), Multiplier FROM Zones").fetchall())
    rows = conn.execute(
        """SELECT UPPER(d.KeyValue), r.Value FROM ReportData r
        JOIN ReportDataDictionary d ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex
        JOIN Time t ON r.TimeIndex = t.TimeIndex
        JOIN EnvironmentPeriods e ON t.EnvironmentPeriodIndex = e.EnvironmentPeriodIndex
        WHERE d.Name = ? AND d.ReportingFrequency = 'Run Period'
        ORDER BY e.EnvironmentType DESC""",
        (OUTDOOR_AIR_VARIABLE,),
    ).fetchall()
    seen: dict[str, float] = {}
    for key, value in rows:  # weather-file run period first (type 3), then design days
        seen.setdefault(key, value)
    return sum(v * multipliers.get(k.removesuffix(" IDEAL LOADS"), 1.0) for k, v in seen.items()) * 3600.0 * hours


def read_results(
    sql_path: str | Path,
    *,
    model: Any,
    weather_label: str,
    period: str,
    engine_seconds: float,
    keep_hourly: bool = False,
) -> SimulationResult:
    """Build the :class:`SimulationResult` of a finished run of ``model`` (a BuiltModel)."""
    conn = sqlite3.connect(f"file:{sql_path}?mode=ro", uri=True)
    try:
        version = conn.execute("SELECT EnergyPlusVersion FROM Simulations").fetchone()[0]
        area_table = _tabular(conn, "AnnualBuildingUtilityPerformanceSummary", "Building Area")
        area_m2 = _scalar(area_table.loc["Net Conditioned Building Area", "Area"])
        u_values = envelope_u_values(conn)
        unmet = _tabular(conn, "AnnualBuildingUtilityPerformanceSummary",
                         "Comfort and Setpoint Not Met Summary")
        hourly = hourly_frame(conn, annual_only=period != "design_days")
        air_m3 = outdoor_air_m3(conn, len(hourly))
    finally:
        conn.close()

    def unmet_hours(row: str) -> float:
        return _scalar(unmet.loc[row, "Facility"]) if row in unmet.index else 0.0

    hp = HeatPumpModel.from_catalogue(model.heat_pump)
    hp_heat_kwh, hp_cool_kwh = hp.electricity_kwh(
        hourly["heating_kwh"], hourly["cooling_kwh"], hourly["outdoor_dry_bulb_c"]
    )
    fan_kwh = air_m3 * model.fan_specific_power_w_m3h / 1000.0
    lighting_kwh = float(hourly["lighting_kwh"].sum())
    equipment_kwh = float(hourly["equipment_kwh"].sum())
    pv_kwh = float(hourly["pv_kwh"].sum())
    services_kwh = hp_heat_kwh + hp_cool_kwh + fan_kwh + lighting_kwh
    factors = energy_factors()
    pef = factors["primary_energy"]["electricity_kwh_pe_per_kwh"]
    co2 = factors["grid_co2"]["kg_co2_per_kwh"]

    def per_m2(kwh: float) -> float:
        return kwh / area_m2

    def named_u(name: str) -> float:
        return u_values.get(name.upper(), float("nan"))

    return SimulationResult(
        template=model.template,
        climate_zone=model.climate_zone,
        weather=weather_label,
        period=period,
        heating_demand_kwh_m2=per_m2(float(hourly["heating_kwh"].sum())),
        cooling_demand_kwh_m2=per_m2(float(hourly["cooling_kwh"].sum())),
        heat_pump_heating_electricity_kwh_m2=per_m2(hp_heat_kwh),
        heat_pump_cooling_electricity_kwh_m2=per_m2(hp_cool_kwh),
        lighting_electricity_kwh_m2=per_m2(lighting_kwh),
        equipment_electricity_kwh_m2=per_m2(equipment_kwh),
        fan_electricity_kwh_m2=per_m2(fan_kwh),
        pv_generation_kwh_m2=per_m2(pv_kwh),
        net_site_energy_kwh_m2=per_m2(services_kwh + equipment_kwh - pv_kwh),
        primary_energy_kwh_m2=per_m2(pef * (services_kwh - pv_kwh)),
        co2_kg_m2=per_m2(co2 * (services_kwh - pv_kwh)),
        peak_heating_load_w_m2=float(hourly["heating_kwh"].max()) * 1000.0 / area_m2,
        peak_cooling_load_w_m2=float(hourly["cooling_kwh"].max()) * 1000.0 / area_m2,
        unmet_heating_hours=unmet_hours("Time Setpoint Not Met During Occupied Heating"),
        unmet_cooling_hours=unmet_hours("Time Setpoint Not Met During Occupied Cooling"),
        conditioned_floor_area_m2=area_m2,
        shape_coefficient_1_m=model.geometry.shape_coefficient_1_m,
        pv_capacity_kw=model.pv_capacity_kw,
        wall_u_w_m2k=named_u("Ext Wall"),
        roof_u_w_m2k=named_u("Roof"),
        floor_u_w_m2k=named_u("Ground Floor"),
        window_u_w_m2k=u_values.get("WINDOW_U", float("nan")),
        window_shgc=u_values.get("WINDOW_SHGC", float("nan")),
        energyplus_version=str(version).strip(),
        engine_seconds=engine_seconds,
        run_dir=str(Path(sql_path).parent),
        parameters={k: v for k, v in model.parameters.items() if not k.startswith("_")},
        hourly=hourly if keep_hourly else None,
    )

