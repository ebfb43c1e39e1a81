"""Read one run's ``eplusout.sql`` into a typed :class:`SimulationResult`.

Energy figures are per m2 of conditioned floor area as EnergyPlus reports it ("Net
Conditioned Building Area", the gross area of the zones), summed over the simulated period (a
whole year for annual runs); ``usable_floor_area_m2`` (套内使用面积) is that area times the
template's ``usable_floor_area_ratio``, the basis the standards' checks convert to where their
indicators require it. Scopes:
- ``heating_demand_kwh_m2``: sensible heating only ("Zone Ideal Loads Supply Air Sensible Heating
  Energy", ventilation after heat recovery included), plus the heat-recovery frost-protection
  preheat ``frost_protection_heating_kwh_m2``; humidification is never done nor counted.
- ``cooling_demand_kwh_m2`` = ``cooling_sensible_kwh_m2`` + ``cooling_latent_kwh_m2`` ("Zone Ideal
  Loads Supply Air Sensible / Latent Cooling Energy"): dehumidification to the calculation
  profile's RH limit is the latent part.
- frost protection: outdoor air preheated to ``hrv_frost_threshold_c`` before the exchanger,
  hourly ``(1 - effectiveness) x V_oa x rho cp x (threshold - T_out)+`` (the preheat minus the
  recovery it displaces), electric (COP 1), added to heating demand and heating electricity.
- ``fan_electricity_kwh_m2``: ventilation air volume x specific fan power, hourly.
- heating and cooling systems (the ``heat_pump`` parameter): a catalogue heat pump
  (:mod:`ultralow.sim.heat_pump`, hourly COP/EER), or ``"existing"``: the existing building's
  systems (its vintage's, after any ``existing_*`` overrides; constant seasonal efficiencies,
  :mod:`ultralow.templates.standards.systems`). ``heating_electricity_kwh_m2`` /
  ``cooling_electricity_kwh_m2`` are the systems' electricity (heat pump, split AC, electric
  heater; frost-protection preheat included); a fuel-fired heating system (coal district heating,
  gas boiler) reports its delivered fuel, lower heating value, network losses included, as
  ``heating_fuel_kwh_m2`` of ``heating_fuel`` ("" when heating is electric); a district-heating
  system also reports the heat bought from the network at the building, ``district_heat_kwh_m2``
  (the heating demand: what a heat meter reads and a metered tariff prices).
- domestic hot water (the ``hot_water_system`` parameter; "none" = not modelled, every
  ``hot_water_*`` figure 0): :mod:`ultralow.sim.hot_water` hour by hour after the run, persons =
  conditioned area / the calculation profile's ``floor_area_per_person_m2``.
  ``hot_water_demand_kwh_m2`` is the heat at the taps (rho c_p V (T_supply - T_mains));
  ``hot_water_electricity_kwh_m2`` / ``hot_water_fuel_kwh_m2`` (of ``hot_water_fuel``, "" or
  natural_gas) what the water heater uses, distribution and storage losses included;
  ``hot_water_design_heat_kwh_per_day`` (whole building, kWh/d: a weekday with the coldest mains
  water) sizes the water heater for costs.
- ``primary_energy_kwh_m2`` and ``co2_kg_m2``: building services (heating and cooling
  systems, ventilation fans, lighting) minus PV generation, with the factors of
  ``sim/data/energy_factors.toml`` per carrier; plug equipment is reported but excluded, as in
  GB/T 51350. Domestic hot water is excluded too (whether GB/T 51350's indicator includes it was
  not confirmed; its text was not seen): it has its own ``hot_water_primary_energy_kwh_m2`` and
  ``hot_water_co2_kg_m2`` (same factors).
- ``net_site_energy_kwh_m2``: all site energy (services + equipment + hot water, electricity and
  fuel) minus PV.
- ``grid_import_kwh_month_hour`` / ``grid_export_kwh_month_hour``: 12 x 24 lists (month
  January..December x hour of day 0..23, hour h = h:00 to h+1:00) of the building's electricity
  bought from / fed to the grid, kWh over the period (not per m2), netted hour by hour:
  services + equipment + hot water - PV; what the tariffs of :mod:`ultralow.optimise.tariffs` price.
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
from ultralow.sim.hot_water import HotWaterHours, hourly_hot_water
from ultralow.sim.model_geometry import envelope_u_by_class, has_ideal_loads, shape_coefficient_1_m

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
    cooling_sensible_kwh_m2: float
    cooling_latent_kwh_m2: float
    frost_protection_heating_kwh_m2: float
    heating_electricity_kwh_m2: float
    cooling_electricity_kwh_m2: float
    heating_fuel_kwh_m2: float
    heating_fuel: str
    district_heat_kwh_m2: float
    heating_system: str
    lighting_electricity_kwh_m2: float
    equipment_electricity_kwh_m2: float
    fan_electricity_kwh_m2: float
    hot_water_demand_kwh_m2: float
    hot_water_electricity_kwh_m2: float
    hot_water_fuel_kwh_m2: float
    hot_water_fuel: str
    hot_water_system: str
    hot_water_primary_energy_kwh_m2: float
    hot_water_co2_kg_m2: float
    hot_water_persons: float
    hot_water_design_heat_kwh_per_day: float
    pv_generation_kwh_m2: float
    net_site_energy_kwh_m2: float
    primary_energy_kwh_m2: float
    co2_kg_m2: float
    peak_heating_load_w_m2: float
    peak_cooling_load_w_m2: float
    unmet_heating_hours: float
    unmet_cooling_hours: float
    conditioned_floor_area_m2: float
    usable_floor_area_m2: float
    calculation_profile: str
    shape_coefficient_1_m: float
    pv_capacity_kw: float
    pv_module_area_m2: float
    pv_ground_coverage_ratio: float
    thermal_bridge_w_k: float
    wall_insulation_built_mm: float
    roof_insulation_built_mm: float
    floor_insulation_built_mm: float
    wall_u_clear_field_w_m2k: float
    wall_u_w_m2k: float
    roof_u_w_m2k: float
    floor_u_w_m2k: float
    window_u_w_m2k: float
    window_shgc: float
    energyplus_version: str
    engine_seconds: float
    run_dir: str
    parameters: dict[str, Any] = field(default_factory=dict)
    grid_import_kwh_month_hour: list[list[float]] = field(default_factory=list)
    grid_export_kwh_month_hour: list[list[float]] = field(default_factory=list)
    pv_generation_kwh_month_hour: list[list[float]] = field(default_factory=list)
    hourly: pd.DataFrame | None = field(default=None, repr=False)
    # a model file's quantities the reader cannot compute: field -> why (the field is None)
    unavailable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what preparing a model file changed

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
    "Site Outdoor Air Drybulb Temperature": "outdoor_dry_bulb_c",
    "InteriorLights:Electricity": "lighting_kwh",
    "InteriorEquipment:Electricity": "equipment_kwh",
    "ElectricityProduced:Facility": "pv_kwh",
    "DistrictHeatingWater:Facility": "heating_total_meter_kwh",
    "DistrictCooling:Facility": "cooling_total_meter_kwh",
}
# zone variables summed over zones; EnergyPlus's ideal-loads variables already count the zone
# multiplier (their sum equals the DistrictHeatingWater:Facility meter; tests/test_fidelity.py)
ZONE_SUMS = {
    "Zone Ideal Loads Supply Air Sensible Heating Energy": "heating_sensible_kwh",
    "Zone Ideal Loads Supply Air Sensible Cooling Energy": "cooling_sensible_kwh",
    "Zone Ideal Loads Supply Air Latent Cooling Energy": "cooling_latent_kwh",
    "Zone Ideal Loads Outdoor Air Standard Density Volume Flow Rate": "outdoor_air_m3_s",
}
ENERGY_COLUMNS = ("lighting_kwh", "equipment_kwh", "pv_kwh", "heating_total_meter_kwh", "cooling_total_meter_kwh",
                  "heating_sensible_kwh", "cooling_sensible_kwh", "cooling_latent_kwh")
AIR_DENSITY_STD_KG_M3 = 1.204  # EnergyPlus standard density (20 degC, sea level)
AIR_CP_J_KGK = 1006.0


def _environment_filter(annual_only: bool) -> str:
    if not annual_only:
        return ""
    return (
        "AND t.EnvironmentPeriodIndex IN (SELECT EnvironmentPeriodIndex FROM EnvironmentPeriods "
        "WHERE EnvironmentType = 3)"
    )


def hourly_frame(conn: sqlite3.Connection, annual_only: bool) -> pd.DataFrame:
    """Facility-level hourly series (kWh, degC, m3/s), with each hour's ``Month``, ``Day``,
    ``Hour`` (1..24) and EnergyPlus ``DayType`` (``Monday`` .. ``Holiday``, design days).

    Meters: ``DistrictHeatingWater:Facility`` / ``DistrictCooling:Facility`` (the ideal loads'
    total heating / cooling, kept for cross-checks), lighting, equipment, PV. Zone ideal-loads
    variables are summed over zones (they count the zone multiplier already). ``annual_only``
    keeps the weather-file run period(s) and drops design days.
    """
    columns = {**HOURLY_NAMES, **ZONE_SUMS}
    names = ",".join(f"'{n}'" for n in columns)
    times = pd.DataFrame(conn.execute(
        f"""SELECT t.TimeIndex, t.Month, t.Day, t.Hour, t.DayType FROM Time t
        WHERE t.Interval = 60 {_environment_filter(annual_only)} ORDER BY t.TimeIndex""").fetchall(),
        columns=["TimeIndex", "Month", "Day", "Hour", "DayType"])
    # summed over the zones (keys) in SQLite: one row per hour and quantity reaches Python
    values = pd.DataFrame(conn.execute(
        f"""SELECT r.TimeIndex, d.Name, SUM(r.Value) FROM ReportData r
        JOIN ReportDataDictionary d ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex
        WHERE d.ReportingFrequency = 'Hourly' AND d.Name IN ({names})
        GROUP BY r.TimeIndex, d.Name""").fetchall(), columns=["TimeIndex", "Name", "Value"])
    values["Column"] = values["Name"].map(columns)
    sums = values.groupby(["TimeIndex", "Column"], sort=False)["Value"].sum().unstack("Column")
    frame = times.join(sums, on="TimeIndex", how="inner").rename_axis(columns=None)  # hours with data
    for column in ENERGY_COLUMNS:
        frame[column] = frame[column] / J_PER_KWH if column in frame else 0.0
    if "outdoor_air_m3_s" not in frame:
        frame["outdoor_air_m3_s"] = 0.0
    return frame


def frost_protection_kwh(outdoor_air_m3_s: pd.Series, outdoor_c: pd.Series, hrv_efficiency: float,
                         threshold_c: float) -> pd.Series:
    """Hourly frost-protection heat, kWh: ``(1 - eff) V rho cp (threshold - T_out)+`` for an
    exchanger of sensible effectiveness ``hrv_efficiency`` (none without heat recovery)."""
    if hrv_efficiency <= 0:
        return outdoor_c * 0.0
    deficit_k = (threshold_c - outdoor_c).clip(lower=0.0)
    watts = (1.0 - hrv_efficiency) * outdoor_air_m3_s * AIR_DENSITY_STD_KG_M3 * AIR_CP_J_KGK * deficit_k
    return watts / 1000.0  # one hour at W -> Wh, /1000 -> kWh


def heating_cooling_energy(model: Any, hourly: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, str, str]:
    """Hourly heating electricity, cooling electricity and heating fuel (kWh), the fuel ("" when
    heating is electric) and a label of the systems, for ``model.heat_pump``: a catalogue heat pump
    (hourly COP/EER at the outdoor temperature) or ``"existing"`` (``model.existing.systems``:
    heat / efficiency, cooling x (1 + auxiliary fraction) / COP). Frost-protection preheat is
    electric (COP 1) in both."""
    zero = hourly["heating_sensible_kwh"] * 0.0
    frost = hourly["frost_protection_kwh"]
    if model.heat_pump != "existing":
        hp = HeatPumpModel.from_catalogue(model.heat_pump)
        heat, cool = hp.hourly_electricity_kwh(hourly["heating_sensible_kwh"], hourly["cooling_kwh"],
                                               hourly["outdoor_dry_bulb_c"])
        return zero + heat + frost, zero + cool, zero, "", model.heat_pump
    systems = model.existing.systems
    heat_delivered = hourly["heating_sensible_kwh"] / systems.heating.efficiency
    cool = hourly["cooling_kwh"] / systems.cooling.effective_cop
    label = (f"existing ({model.existing.id}): {systems.heating.kind} {systems.heating.carrier}, "
             f"cooling COP {systems.cooling.cop:g}")
    if systems.heating.carrier == "electricity":
        return heat_delivered + frost, cool, zero, "", label
    return frost, cool, heat_delivered, systems.heating.carrier, label


def hot_water_hours(model: Any, hourly: pd.DataFrame, area_m2: float) -> HotWaterHours:
    """The hot water of ``model`` over the hours of ``hourly`` (:func:`ultralow.sim.hot_water.hourly_hot_water`
    with the calculation profile's occupant density and weekend fraction, the weather's monthly
    means); all zero when ``model.hot_water`` is None (not modelled)."""
    setup = getattr(model, "hot_water", None)
    if setup is None:
        zero = hourly["outdoor_dry_bulb_c"] * 0.0
        return HotWaterHours(zero, zero, zero, zero, 0.0, 0.0)
    return hourly_hot_water(setup, hourly, area_m2, model.profile.floor_area_per_person_m2,
                            model.profile.weekend_fraction, model.monthly_outdoor_c)


def month_hour_sums(hourly: pd.DataFrame, values: pd.Series) -> list[list[float]]:
    """``values`` (kWh per hour) summed by month (rows, Jan..Dec) and hour of day (columns 0..23)."""
    grid = [[0.0] * 24 for _ in range(12)]
    sums = values.groupby([hourly["Month"].astype(int) - 1, hourly["Hour"].astype(int) - 1]).sum()
    for (month, hour), value in sums.items():
        grid[month][hour] = float(value)
    return grid


def grid_exchange_month_hour(hourly: pd.DataFrame) -> tuple[list[list[float]], list[list[float]]]:
    """Grid import and export (kWh) by month (rows, Jan..Dec) and hour of day (columns, 0..23):
    each hour's electricity use (heating, cooling, fans, lighting, equipment, hot water when the
    frame has ``hot_water_electricity_kwh``) minus its PV output, import if positive, export if
    negative. EnergyPlus labels hour h:00-h+1:00 as Hour h+1."""
    use = (hourly["heating_electricity_kwh"] + hourly["cooling_electricity_kwh"] + hourly["fan_kwh"]
           + hourly["lighting_kwh"] + hourly["equipment_kwh"])
    if "hot_water_electricity_kwh" in hourly:
        use = use + hourly["hot_water_electricity_kwh"]
    net = use - hourly["pv_kwh"]
    return month_hour_sums(hourly, net.clip(lower=0.0)), month_hour_sums(hourly, (-net).clip(lower=0.0))


def _run_summary(conn: sqlite3.Connection) -> tuple[str, float, dict[str, float], pd.DataFrame]:
    """Engine version, conditioned floor area (m2), envelope U-values (:func:`envelope_u_values`)
    and the unmet-hours table of a run."""
    version = conn.execute("SELECT EnergyPlusVersion FROM Simulations").fetchone()[0]
    area_table = _tabular(conn, "AnnualBuildingUtilityPerformanceSummary", "Building Area")
    area_m2 = _scalar(area_table.loc["Net Conditioned Building Area", "Area"])
    unmet = _tabular(conn, "AnnualBuildingUtilityPerformanceSummary", "Comfort and Setpoint Not Met Summary")
    return version, area_m2, envelope_u_values(conn), unmet


# a model file's hourly meters (sim/file_model.FILE_MODEL_METERS) -> frame column
FILE_METER_COLUMNS = {
    "Heating:Electricity": "heating_electricity_kwh", "Heating:NaturalGas": "heating_gas_kwh",
    "Heating:DistrictHeatingWater": "heating_district_kwh", "Heating:DistrictHeatingSteam": "heating_steam_kwh",
    "Cooling:Electricity": "cooling_electricity_kwh", "Cooling:DistrictCooling": "cooling_district_kwh",
    "Fans:Electricity": "fans_kwh", "Pumps:Electricity": "pumps_kwh", "HeatRejection:Electricity": "heat_rejection_kwh",
    "Humidifier:Electricity": "humidifier_kwh", "HeatRecovery:Electricity": "heat_recovery_kwh",
    # the heat the model's own HVAC delivers (energy transfer of its coils and baseboards)
    "HeatingCoils:EnergyTransfer": "heating_coils_kwh", "Baseboard:EnergyTransfer": "baseboard_kwh",
    "CoolingCoils:EnergyTransfer": "cooling_coils_kwh",
}


def _meter_hours_kwh(conn: sqlite3.Connection, annual_only: bool) -> pd.DataFrame:
    """Each hourly meter of :data:`FILE_METER_COLUMNS` by hour (rows: EnergyPlus TimeIndex), kWh;
    a meter the model has no object on (EnergyPlus reports no such meter) is 0: the model has no
    such end use."""
    names = ",".join(f"'{n}'" for n in FILE_METER_COLUMNS)
    rows = conn.execute(
        f"""SELECT r.TimeIndex, d.Name, r.Value FROM ReportData r
        JOIN ReportDataDictionary d ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex
        JOIN Time t ON r.TimeIndex = t.TimeIndex
        WHERE d.ReportingFrequency = 'Hourly' AND d.Name IN ({names}) {_environment_filter(annual_only)}""").fetchall()
    frame = pd.DataFrame(rows, columns=["TimeIndex", "Name", "Value"])
    if frame.empty:
        return pd.DataFrame(columns=list(FILE_METER_COLUMNS.values()), dtype=float)
    hours = frame.pivot_table(index="TimeIndex", columns="Name", values="Value", aggfunc="sum").fillna(0.0)
    hours = hours.rename(columns=FILE_METER_COLUMNS) / J_PER_KWH
    for column in FILE_METER_COLUMNS.values():
        if column not in hours:
            hours[column] = 0.0
    return hours[list(FILE_METER_COLUMNS.values())]


def read_file_results(sql_path: str | Path, *, model: Any, weather_label: str, period: str,
                      engine_seconds: float, keep_hourly: bool = False) -> SimulationResult:
    """The :class:`SimulationResult` of a model file (``model.from_file``), from what it reports.

    Energy by end use and carrier from the hourly meters the toolkit requests (heating, cooling,
    fans, pumps, heat rejection, humidifier, heat recovery, lighting, equipment, PV); heating and
    cooling *demand* from the zones' ideal-loads variables when the model has ideal loads, else the
    heat the model's own HVAC delivers: its heating coils and baseboards, its cooling coils
    (``*:EnergyTransfer`` meters; sensible/latent split and, when the model's heating or cooling is
    delivered some other way, the demand itself are None with the reason). Opaque U-values by class of surface
    (:func:`envelope_u_by_class`). Primary energy and CO2 with ``sim/data/energy_factors.toml``
    (electricity and natural gas; None when the model buys district heat or cooling, which has no
    factor there). Every None field has its reason in ``unavailable``."""
    conn = sqlite3.connect(f"file:{sql_path}?mode=ro", uri=True)
    try:
        version, area_m2, u_values, unmet = _run_summary(conn)
        u_class = envelope_u_by_class(conn)
        annual_only = period != "design_days"
        hourly = hourly_frame(conn, annual_only=annual_only)
        meter_hours = _meter_hours_kwh(conn, annual_only)
        ideal = has_ideal_loads(conn)
        shape = shape_coefficient_1_m(conn)
    finally:
        conn.close()
    unavailable: dict[str, str] = {}
    notes: list[str] = []

    def per_m2(kwh: float) -> float:
        return kwh / area_m2

    def missing(name: str, why: str) -> None:
        unavailable[name] = why

    meters = {column: float(meter_hours[column].sum()) for column in meter_hours}
    if ideal:
        heat_hours = hourly["heating_sensible_kwh"]
        cool_hours = hourly["cooling_sensible_kwh"] + hourly["cooling_latent_kwh"]
        cool_sens: float | None = float(hourly["cooling_sensible_kwh"].sum())
        cool_lat: float | None = float(hourly["cooling_latent_kwh"].sum())
    else:  # the model's own HVAC: the heat its coils and baseboards deliver
        heat_hours = meter_hours["heating_coils_kwh"] + meter_hours["baseboard_kwh"]
        cool_hours = meter_hours["cooling_coils_kwh"]
        cool_sens = cool_lat = None
        for name in ("cooling_sensible_kwh_m2", "cooling_latent_kwh_m2"):
            missing(name, "the model has its own HVAC: its cooling coils' delivered energy is not split into "
                          "sensible and latent")
    heat_kwh: float | None = float(heat_hours.sum())
    cool_kwh: float | None = float(cool_hours.sum())
    if not ideal:
        heating_use = sum(meters[c] for c in ("heating_electricity_kwh", "heating_gas_kwh", "heating_district_kwh",
                                               "heating_steam_kwh"))
        if heat_kwh == 0 and heating_use > 0:
            heat_kwh = None
            for name in ("heating_demand_kwh_m2", "peak_heating_load_w_m2"):
                missing(name, "the model uses energy for heating but none of its heating is delivered by coils or "
                              "baseboards (HeatingCoils/Baseboard:EnergyTransfer): its delivered heat is not computed")
        cooling_use = meters["cooling_electricity_kwh"] + meters["cooling_district_kwh"]
        if cool_kwh == 0 and cooling_use > 0:
            cool_kwh = None
            for name in ("cooling_demand_kwh_m2", "peak_cooling_load_w_m2"):
                missing(name, "the model uses energy for cooling but none of its cooling is delivered by coils "
                              "(CoolingCoils:EnergyTransfer): its delivered cooling is not computed")
        if heat_kwh is not None or cool_kwh is not None:
            notes.append("heating/cooling demand of a model with its own HVAC = the heat its coils and baseboards "
                         "deliver (HeatingCoils, Baseboard and CoolingCoils:EnergyTransfer meters), outdoor air "
                         "and reheat included; not an ideal-loads demand")
    heating_el, cooling_el = meters["heating_electricity_kwh"], meters["cooling_electricity_kwh"]
    gas = meters["heating_gas_kwh"]
    district_heat = meters["heating_district_kwh"] + meters["heating_steam_kwh"]
    district_cool = meters["cooling_district_kwh"]
    fans = meters["fans_kwh"]
    auxiliary = meters["pumps_kwh"] + meters["heat_rejection_kwh"] + meters["humidifier_kwh"] + \
        meters["heat_recovery_kwh"]
    lighting_kwh = float(hourly["lighting_kwh"].sum())
    equipment_kwh = float(hourly["equipment_kwh"].sum())
    pv_kwh = float(hourly["pv_kwh"].sum())
    electric_services = heating_el + cooling_el + fans + auxiliary + lighting_kwh
    factors = energy_factors()
    pef, co2 = factors["primary_energy"]["electricity_kwh_pe_per_kwh"], factors["grid_co2"]["kg_co2_per_kwh"]
    gas_pef, gas_co2 = factors["fuels"]["natural_gas_kwh_pe_per_kwh"], factors["fuels"]["natural_gas_kg_co2_per_kwh"]
    primary = co2_kg = None
    if district_heat > 0 or district_cool > 0:
        why = ("the model buys district heating/cooling (e.g. ideal loads without a heat pump): "
               "sim/data/energy_factors.toml has no factor for it")
        missing("primary_energy_kwh_m2", why)
        missing("co2_kg_m2", why)
    else:
        primary = per_m2(pef * (electric_services - pv_kwh) + gas_pef * gas)
        co2_kg = per_m2(co2 * (electric_services - pv_kwh) + gas_co2 * gas)
    for name in ("pv_capacity_kw", "pv_module_area_m2", "pv_ground_coverage_ratio", "thermal_bridge_w_k",
                 "wall_insulation_built_mm", "roof_insulation_built_mm", "floor_insulation_built_mm",
                 "wall_u_clear_field_w_m2k", "usable_floor_area_m2"):
        missing(name, "a model file: not built by the toolkit")
    if model.pv is not None:
        unavailable.pop("pv_capacity_kw")
        unavailable.pop("pv_module_area_m2")
        unavailable.pop("pv_ground_coverage_ratio")
    if shape is None:
        missing("shape_coefficient_1_m", "no conditioned zone volume or exterior surfaces reported")
    for name in ("wall", "roof", "floor"):
        if name not in u_class:
            missing(f"{name}_u_w_m2k", f"the model has no exterior {name} surface")
    missing("grid_import_kwh_month_hour", "a model file's hourly electricity by end use is not netted against PV")

    def unmet_hours(row: str) -> float:
        return _scalar(unmet.loc[row, "Facility"]) if row in unmet.index else 0.0

    return SimulationResult(
        template=model.template, climate_zone=model.climate_zone, weather=weather_label, period=period,
        heating_demand_kwh_m2=per_m2(heat_kwh) if heat_kwh is not None else None,
        cooling_demand_kwh_m2=per_m2(cool_kwh) if cool_kwh is not None else None,
        cooling_sensible_kwh_m2=per_m2(cool_sens) if cool_sens is not None else None,
        cooling_latent_kwh_m2=per_m2(cool_lat) if cool_lat is not None else None,
        frost_protection_heating_kwh_m2=0.0,
        heating_electricity_kwh_m2=per_m2(heating_el), cooling_electricity_kwh_m2=per_m2(cooling_el),
        heating_fuel_kwh_m2=per_m2(gas), heating_fuel="natural_gas" if gas > 0 else "",
        district_heat_kwh_m2=per_m2(district_heat), heating_system="the model's own",
        lighting_electricity_kwh_m2=per_m2(lighting_kwh), equipment_electricity_kwh_m2=per_m2(equipment_kwh),
        fan_electricity_kwh_m2=per_m2(fans),
        hot_water_demand_kwh_m2=0.0, hot_water_electricity_kwh_m2=0.0, hot_water_fuel_kwh_m2=0.0,
        hot_water_fuel="", hot_water_system="the model's own (not separated)", hot_water_primary_energy_kwh_m2=0.0,
        hot_water_co2_kg_m2=0.0, hot_water_persons=0.0, hot_water_design_heat_kwh_per_day=0.0,
        pv_generation_kwh_m2=per_m2(pv_kwh),
        net_site_energy_kwh_m2=per_m2(electric_services + gas + district_heat + district_cool + equipment_kwh
                                      - pv_kwh),
        primary_energy_kwh_m2=primary, co2_kg_m2=co2_kg,
        peak_heating_load_w_m2=float(heat_hours.max()) * 1000.0 / area_m2 if heat_kwh is not None else None,
        peak_cooling_load_w_m2=float(cool_hours.max()) * 1000.0 / area_m2 if cool_kwh is not None else None,
        unmet_heating_hours=unmet_hours("Time Setpoint Not Met During Occupied Heating"),
        unmet_cooling_hours=unmet_hours("Time Setpoint Not Met During Occupied Cooling"),
        conditioned_floor_area_m2=area_m2, usable_floor_area_m2=None, calculation_profile="the model's own",
        shape_coefficient_1_m=shape,
        pv_capacity_kw=model.pv.capacity_kw if model.pv is not None else None,
        pv_module_area_m2=model.pv.module_area_m2 if model.pv is not None else None,
        pv_ground_coverage_ratio=model.pv.ground_coverage_ratio if model.pv is not None else None,
        thermal_bridge_w_k=None, wall_insulation_built_mm=None, roof_insulation_built_mm=None,
        floor_insulation_built_mm=None, wall_u_clear_field_w_m2k=None,
        wall_u_w_m2k=u_class.get("wall"), roof_u_w_m2k=u_class.get("roof"), floor_u_w_m2k=u_class.get("floor"),
        window_u_w_m2k=u_values.get("WINDOW_U", float("nan")), window_shgc=u_values.get("WINDOW_SHGC", float("nan")),
        energyplus_version=str(version).strip(), engine_seconds=engine_seconds, run_dir=str(Path(sql_path).parent),
        parameters={k: v for k, v in model.parameters.items() if not k.startswith("_")},
        pv_generation_kwh_month_hour=month_hour_sums(hourly, hourly["pv_kwh"]),
        hourly=hourly if keep_hourly else None, unavailable=unavailable, notes=[*model.notes, *notes],
    )


def read_results(
    sql_path: str | Path,
    *,
    model: Any,
    weather_label: str,
    period: str,
    engine_seconds: float,
    keep_hourly: bool = False,
    pv_hours: tuple[Any, float] | None = None,
) -> SimulationResult:
    """Build the :class:`SimulationResult` of a finished run of ``model`` (a BuiltModel; a model
    file's: :func:`read_file_results`). ``pv_hours``: (stored :class:`ultralow.sim.pv_profile.PvProfile`,
    DC capacity in W) when the fast model's PV array was left out of the run (its hourly output then
    comes from the profile)."""
    if model.from_file:
        return read_file_results(sql_path, model=model, weather_label=weather_label, period=period,
                                 engine_seconds=engine_seconds, keep_hourly=keep_hourly)
    conn = sqlite3.connect(f"file:{sql_path}?mode=ro", uri=True)
    try:
        version, area_m2, u_values, unmet = _run_summary(conn)
        hourly = hourly_frame(conn, annual_only=period != "design_days")
    finally:
        conn.close()
    if pv_hours is not None:
        profile, capacity_w = pv_hours
        hourly["pv_kwh"] = profile.hourly_kwh(hourly, capacity_w)

    def unmet_hours(row: str) -> float:
        return _scalar(unmet.loc[row, "Facility"]) if row in unmet.index else 0.0

    params = model.parameters
    hrv = float(params["hrv_efficiency"])
    hourly["frost_protection_kwh"] = frost_protection_kwh(
        hourly["outdoor_air_m3_s"], hourly["outdoor_dry_bulb_c"], hrv, float(params["hrv_frost_threshold_c"]))
    hourly["heating_kwh"] = hourly["heating_sensible_kwh"] + hourly["frost_protection_kwh"]
    hourly["cooling_kwh"] = hourly["cooling_sensible_kwh"] + hourly["cooling_latent_kwh"]
    frost_kwh = float(hourly["frost_protection_kwh"].sum())
    systems = heating_cooling_energy(model, hourly)
    hourly["heating_electricity_kwh"], hourly["cooling_electricity_kwh"], hourly["heating_fuel_kwh"] = systems[:3]
    hourly["fan_kwh"] = hourly["outdoor_air_m3_s"] * 3600.0 * model.fan_specific_power_w_m3h / 1000.0
    hp_heat_kwh = float(hourly["heating_electricity_kwh"].sum())
    hp_cool_kwh = float(hourly["cooling_electricity_kwh"].sum())
    fuel_kwh = float(hourly["heating_fuel_kwh"].sum())
    fuel = systems[3]
    fan_kwh = float(hourly["fan_kwh"].sum())
    lighting_kwh = float(hourly["lighting_kwh"].sum())
    equipment_kwh = float(hourly["equipment_kwh"].sum())
    pv_kwh = float(hourly["pv_kwh"].sum())
    dhw = hot_water_hours(model, hourly, area_m2)
    hourly["hot_water_heat_kwh"] = dhw.tap_heat_kwh
    hourly["hot_water_electricity_kwh"] = dhw.electricity_kwh
    hourly["hot_water_fuel_kwh"] = dhw.fuel_kwh
    dhw_heat_kwh = float(dhw.tap_heat_kwh.sum())
    dhw_elec_kwh = float(dhw.electricity_kwh.sum())
    dhw_fuel_kwh = float(dhw.fuel_kwh.sum())
    dhw_setup = getattr(model, "hot_water", None)
    dhw_fuel = dhw_setup.heater.carrier if dhw_setup is not None and dhw_fuel_kwh > 0 else ""
    services_kwh = hp_heat_kwh + hp_cool_kwh + fan_kwh + lighting_kwh
    factors = energy_factors()
    pef = factors["primary_energy"]["electricity_kwh_pe_per_kwh"]
    co2 = factors["grid_co2"]["kg_co2_per_kwh"]
    fuel_pef = factors["fuels"][f"{fuel}_kwh_pe_per_kwh"] if fuel else 0.0
    fuel_co2 = factors["fuels"][f"{fuel}_kg_co2_per_kwh"] if fuel else 0.0
    dhw_fuel_pef = factors["fuels"][f"{dhw_fuel}_kwh_pe_per_kwh"] if dhw_fuel else 0.0
    dhw_fuel_co2 = factors["fuels"][f"{dhw_fuel}_kg_co2_per_kwh"] if dhw_fuel else 0.0
    grid_import, grid_export = grid_exchange_month_hour(hourly)

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
        cooling_sensible_kwh_m2=per_m2(float(hourly["cooling_sensible_kwh"].sum())),
        cooling_latent_kwh_m2=per_m2(float(hourly["cooling_latent_kwh"].sum())),
        frost_protection_heating_kwh_m2=per_m2(frost_kwh),
        heating_electricity_kwh_m2=per_m2(hp_heat_kwh),
        cooling_electricity_kwh_m2=per_m2(hp_cool_kwh),
        heating_fuel_kwh_m2=per_m2(fuel_kwh),
        heating_fuel=fuel,
        district_heat_kwh_m2=per_m2(float(hourly["heating_sensible_kwh"].sum()))
        if model.heat_pump == "existing" and model.existing.systems.heating.kind == "district_heating" else 0.0,
        heating_system=systems[4],
        lighting_electricity_kwh_m2=per_m2(lighting_kwh),
        equipment_electricity_kwh_m2=per_m2(equipment_kwh),
        fan_electricity_kwh_m2=per_m2(fan_kwh),
        hot_water_demand_kwh_m2=per_m2(dhw_heat_kwh),
        hot_water_electricity_kwh_m2=per_m2(dhw_elec_kwh),
        hot_water_fuel_kwh_m2=per_m2(dhw_fuel_kwh),
        hot_water_fuel=dhw_fuel,
        hot_water_system=dhw_setup.label if dhw_setup is not None else "none",
        hot_water_primary_energy_kwh_m2=per_m2(pef * dhw_elec_kwh + dhw_fuel_pef * dhw_fuel_kwh),
        hot_water_co2_kg_m2=per_m2(co2 * dhw_elec_kwh + dhw_fuel_co2 * dhw_fuel_kwh),
        hot_water_persons=dhw.persons,
        hot_water_design_heat_kwh_per_day=dhw.design_heat_kwh_per_day,
        pv_generation_kwh_m2=per_m2(pv_kwh),
        net_site_energy_kwh_m2=per_m2(services_kwh + fuel_kwh + equipment_kwh + dhw_elec_kwh + dhw_fuel_kwh
                                      - pv_kwh),
        primary_energy_kwh_m2=per_m2(pef * (services_kwh - pv_kwh) + fuel_pef * fuel_kwh),
        co2_kg_m2=per_m2(co2 * (services_kwh - pv_kwh) + fuel_co2 * fuel_kwh),
        peak_heating_load_w_m2=float(hourly["heating_kwh"].max()) * 1000.0 / area_m2,
        peak_cooling_load_w_m2=float(hourly["cooling_kwh"].max()) * 1000.0 / area_m2,
        unmet_heating_hours=unmet_hours("Time Setpoint Not Met During Occupied Heating"),
        unmet_cooling_hours=unmet_hours("Time Setpoint Not Met During Occupied Cooling"),
        conditioned_floor_area_m2=area_m2,
        usable_floor_area_m2=area_m2 * model.usable_floor_area_ratio,
        calculation_profile=model.profile.id,
        shape_coefficient_1_m=model.geometry.shape_coefficient_1_m,
        pv_capacity_kw=model.pv_capacity_kw,
        pv_module_area_m2=model.pv.module_area_m2,
        pv_ground_coverage_ratio=model.pv.ground_coverage_ratio,
        thermal_bridge_w_k=model.thermal_bridges.heat_loss_coefficient_w_k,
        wall_insulation_built_mm=model.insulation_mm["wall"],
        roof_insulation_built_mm=model.insulation_mm["roof"],
        floor_insulation_built_mm=model.insulation_mm["floor"],
        wall_u_clear_field_w_m2k=model.clear_wall_u_w_m2k,
        wall_u_w_m2k=named_u("Ext Wall"),
        roof_u_w_m2k=named_u("Roof"),
        floor_u_w_m2k=named_u("Ground Floor"),
        window_u_w_m2k=u_values.get("WINDOW_U", float("nan")),
        window_shgc=u_values.get("WINDOW_SHGC", float("nan")),
        energyplus_version=str(version).strip(),
        engine_seconds=engine_seconds,
        run_dir=str(Path(sql_path).parent),
        parameters={k: v for k, v in model.parameters.items() if not k.startswith("_")},
        grid_import_kwh_month_hour=grid_import,
        grid_export_kwh_month_hour=grid_export,
        pv_generation_kwh_month_hour=month_hour_sums(hourly, hourly["pv_kwh"]),
        hourly=hourly if keep_hourly else None,
    )

