"""``ultralow simulate``: one design, one weather, printed as a table or JSON."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from ultralow.errors import InputError
from ultralow.paths import default_runs_dir, safe_name
from ultralow.sim.results import SimulationResult
from ultralow.sim.run_control import RunPeriod
from ultralow.sim.simulate import resolve_weather_source, simulate
from ultralow.templates import get_template
from ultralow.templates.parameters import parse_assignments

TABLE_ROWS = (
    ("heating_demand_kwh_m2", "Heating demand", "kWh/(m2 a)"),
    ("cooling_demand_kwh_m2", "Cooling demand", "kWh/(m2 a)"),
    ("heating_electricity_kwh_m2", "Heating electricity", "kWh/(m2 a)"),
    ("cooling_electricity_kwh_m2", "Cooling electricity", "kWh/(m2 a)"),
    ("fan_electricity_kwh_m2", "Ventilation fan electricity", "kWh/(m2 a)"),
    ("heating_fuel_kwh_m2", "Heating fuel (gas, coal)", "kWh/(m2 a)"),
    ("district_heat_kwh_m2", "District heat bought", "kWh/(m2 a)"),
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
    reasons: list[str] = []
    for key, label, unit in TABLE_ROWS:
        value = getattr(result, key)
        if value is None:
            shown = "n/a"
            reasons.append(f"  {label}: {result.unavailable.get(key, 'not computed')}")
        else:
            shown = "n/a" if isinstance(value, float) and math.isnan(value) else f"{value:,.3f}"
        lines.append(f"{label:<34} {shown:>12}  {unit}")
    if reasons:
        lines += ["", "n/a because:", *reasons]
    if result.notes:
        lines += ["", "the model file was changed by:", *(f"  {note}" for note in result.notes)]
    lines += ["", f"run folder {result.run_dir}"]
    return "\n".join(lines)


def add_weather_arguments(parser: argparse.ArgumentParser) -> None:
    """``--city`` or ``--epw`` (shared by every command that needs weather)."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--city", help="registry city (embedded synthetic design-year weather)")
    group.add_argument("--epw", type=Path, help="weather file (EPW) to use instead of a city")


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """``--template`` or ``--idf`` (with ``--field`` and ``--use``): what is simulated or checked."""
    from ultralow.templates.from_file import USES

    parser.add_argument("--template", help="template name (see 'ultralow templates list')")
    parser.add_argument("--idf", type=Path, help="your own EnergyPlus 25.2 model (.idf or .epJSON) instead of a "
                        "template; --set then takes the package parameters (wall_u_w_m2k, window_u_w_m2k, "
                        "n50_ach, pv_roof_fraction, ...); engine:<name> for a model shipped with EnergyPlus")
    parser.add_argument("--field", action="append", metavar="OBJECT,NAME,FIELD=VALUE",
                        help="with --idf: set a field of the matching objects (NAME may be a pattern with *; "
                             "FIELD*=X multiplies), e.g. --field 'Material,Insulation*,Thickness*=1.5'")
    parser.add_argument("--hook", action="append", metavar="MODULE:FUNCTION=VALUE",
                        help="with --idf: call your Python function (module path or file.py) on the model with "
                             "VALUE, e.g. --hook 'measures/shading.py:add_overhangs=0.5'")
    parser.add_argument("--use", choices=USES, default=None,
                        help="with --idf: the building's use, which selects the standards' limits "
                             "(default public)")


def template_of_arguments(args: argparse.Namespace, command: str) -> tuple[Any, str]:
    """The template ``--template``/``--idf`` name (InputError when both or neither, or when
    ``--field``/``--use`` come without ``--idf``) and a label for run folders."""
    if (args.template is None) == (args.idf is None):
        raise InputError(f"{command}: give exactly one of --template NAME and --idf MODEL.idf|.epJSON")
    if args.idf is not None:
        from ultralow.templates.from_file import engine_model_path, model_template

        path = engine_model_path(str(args.idf)) if str(args.idf).startswith("engine:") else args.idf
        hooks = [_hook_argument(text) for text in args.hook or []]
        template = model_template(path, args.field or [], hooks=hooks, building_use=args.use or "public",
                                  where="--idf", base_dir=Path.cwd())
        return template, Path(path).stem
    if args.field or args.use or args.hook:
        raise InputError(f"{command}: --field, --hook and --use apply to a model file (--idf); a template has --set")
    return get_template(args.template), args.template


def _hook_argument(text: str) -> dict[str, Any]:
    """``--hook MODULE:FUNCTION=VALUE`` as a hook table (label = the function's name)."""
    function, sep, value = text.rpartition("=")
    if not sep or ":" not in function:
        raise InputError(f"--hook {text!r}: use MODULE:FUNCTION=VALUE, e.g. 'measures/shading.py:add_overhangs=0.5'")
    try:
        number: Any = float(value)
    except ValueError:
        number = value
    return {"function": function, "label": function.rpartition(":")[2], "value": number}


def _run(args: argparse.Namespace) -> int:
    template, label = template_of_arguments(args, "simulate")
    params = template.resolve(parse_assignments(args.set))
    period = RunPeriod.parse(args.period)  # before anything is made
    weather = resolve_weather_source(city=args.city, epw=args.epw)
    run_dir = args.run_dir or default_runs_dir() / safe_name(f"{label}-{weather.city or 'epw'}-{_stamp()}")
    result = simulate(template.name, params, weather, run_dir=run_dir, period=period)
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
    add_model_arguments(parser)
    add_weather_arguments(parser)
    parser.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="set a template parameter (repeatable), e.g. --set wall_u_w_m2k=0.15")
    parser.add_argument("--period", default="annual",
                        help="annual (default), design-days, or MM-DD:MM-DD for a run period")
    parser.add_argument("--run-dir", type=Path, help="keep the run folder here (default ./runs/...)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=_run)
