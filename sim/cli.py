"""``ultralow simulate``: one design, one weather, printed as a table or JSON."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from ultralow.paths import default_runs_dir, safe_name
from ultralow.sim.results import SimulationResult
from ultralow.sim.run_control import RunPeriod
from ultralow.sim.simulate import resolve_weather_source, simulate
from ultralow.templates import get_template
from ultralow.templates.parameters import parse_assignments

TABLE_ROWS = (
    ("heating_demand_kwh_m2", "Heating demand", "kWh/(m2 a)"),
    ("cooling_demand_kwh_m2", "Cooling demand", "kWh/(m2 a)"),
    ("heating_electricity_kwh_m2", "Heat pump electricity, heating", "kWh/(m2 a)"),
    ("cooling_electricity_kwh_m2", "Heat pump electricity, cooling", "kWh/(m2 a)"),
    ("fan_electricity_kwh_m2", "Ventilation fan electricity", "kWh/(m2 a)"),
    ("lighting_electricity_kwh_m2", "Lighting electricity", "kWh/(m2 a)"),
    ("equipment_electricity_kwh_m2", "Equipment electricity", "kWh/(m2 a)"),
    ("pv_generation_kwh_m2", "PV generation", "kWh/(m2 a)"),
    ("net_site_energy_kwh_m2", "Net site energy", "kWh/(m2 a)"),
    ("primary_energy_kwh_m2", "Primary energy (services - PV)", "kWh/(m2 a)"),
    ("co2_kg_m2", "CO2 (services - PV)", "kg/(m2 a)"),
    ("peak_heating_load_w_m2", "Peak heating load", "W/m2"),
    ("peak_cooling_load_w_m2", "Peak cooling load", "W/m2"),
    ("unmet_heating_hours", "Unmet heating hours (occupied)", "h"),
    ("unmet_cooling_hours", "Unmet cooling hours (occupied)", "h"),
    ("conditioned_floor_area_m2", "Conditioned floor area", "m2"),
    ("shape_coefficient_1_m", "Shape coefficient S/V", "1/m"),
    ("pv_capacity_kw", "PV capacity (DC)", "kW"),
    ("wall_u_w_m2k", "Wall U (EnergyPlus, with films)", "W/(m2 K)"),
    ("roof_u_w_m2k", "Roof U (EnergyPlus, with films)", "W/(m2 K)"),
    ("floor_u_w_m2k", "Ground floor U (EnergyPlus)", "W/(m2 K)"),
    ("window_u_w_m2k", "Window U (EnergyPlus)", "W/(m2 K)"),
    ("window_shgc", "Window SHGC (EnergyPlus)", "-"),
)


def format_table(result: SimulationResult) -> str:
    """The result as an aligned text table."""
    lines = [
        f"template   {result.template}",
        f"weather    {result.weather}",
        f"zone       {result.climate_zone}     period {result.period}",
        f"engine     {result.energyplus_version}",
        "",
    ]
    for key, label, unit in TABLE_ROWS:
        value = getattr(result, key)
        shown = "n/a" if isinstance(value, float) and math.isnan(value) else f"{value:,.3f}"
        lines.append(f"{label:<34} {shown:>12}  {unit}")
    lines += ["", f"run folder {result.run_dir}"]
    return "\n".join(lines)


def add_weather_arguments(parser: argparse.ArgumentParser) -> None:
    """``--city`` or ``--epw`` (shared by every command that needs weather)."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--city", help="registry city (embedded synthetic design-year weather)")
    group.add_argument("--epw", type=Path, help="weather file (EPW) to use instead of a city")


def _run(args: argparse.Namespace) -> int:
    template = get_template(args.template)
    params = template.resolve(parse_assignments(args.set))
    period = RunPeriod.parse(args.period)  # before anything is made
    weather = resolve_weather_source(city=args.city, epw=args.epw)
    run_dir = args.run_dir or default_runs_dir() / safe_name(f"{args.template}-{weather.city or 'epw'}-{_stamp()}")
    result = simulate(args.template, params, weather, run_dir=run_dir, period=period)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        print(format_table(result))
    return 0


def _stamp() -> str:
    import datetime as dt

    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate", help="simulate one design with EnergyPlus",
        description="Build a template with the given parameters, run EnergyPlus, print results.",
    )
    parser.add_argument("--template", required=True, help="template name (see 'ultralow templates list')")
    add_weather_arguments(parser)
    parser.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="set a template parameter (repeatable), e.g. --set wall_u_w_m2k=0.15")
    parser.add_argument("--period", default="annual",
                        help="annual (default), design-days, or MM-DD:MM-DD for a run period")
    parser.add_argument("--run-dir", type=Path, help="keep the run folder here (default ./runs/...)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=_run)
