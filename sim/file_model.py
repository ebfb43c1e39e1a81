"""A model file the user brings (IDF or epJSON of EnergyPlus 25.2), read and prepared for a run.

:func:`model_file_text` reads the file (an epJSON is converted by EnergyPlus itself,
``--convert-only``) and refuses another EnergyPlus version, naming it; :func:`load_model_text`
parses it with an IDD long enough for every object in it (:func:`ultralow.sim.idd.extended_fields`:
eppy would otherwise drop the tail of a long ``Schedule:Compact``); :func:`file_built_model`
adds what the toolkit needs and records every object it replaces in the model's ``notes``:

- ``SimulationControl``: the model's sizing flags are kept; whether the design days or the
  weather-file run period are simulated follows the requested period;
- ``Site:Location`` from the weather file; ``RunPeriod`` objects replaced by the requested
  period; the model's own ``SizingPeriod:*`` objects are kept (its HVAC sizes from them), and
  the weather file's design days (:func:`ultralow.sim.run_control.apply_run_period`) are added
  only when it has none;
- SQLite output with the tabular reports, and the hourly meters and variables
  :mod:`ultralow.sim.results` reads (:data:`FILE_MODEL_METERS`), unless the model requests them.

Nothing else in the model is changed here; package and field parameters are applied before this
(:mod:`ultralow.templates.from_file`).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from io import StringIO
from pathlib import Path
from typing import Any

from ultralow.errors import InputError, SimulationError

ENGINE_VERSION = "25.2"
# hourly meters of a model with its own HVAC (sim/results.py); the ideal-loads variables and the
# site outdoor temperature of templates/outputs.py are requested too
FILE_MODEL_METERS = (
    "Heating:Electricity", "Heating:NaturalGas", "Heating:DistrictHeatingWater", "Heating:DistrictHeatingSteam",
    "Cooling:Electricity", "Cooling:DistrictCooling", "Fans:Electricity", "Pumps:Electricity",
    "HeatRejection:Electricity", "Humidifier:Electricity", "HeatRecovery:Electricity",
    "InteriorLights:Electricity", "InteriorEquipment:Electricity", "ElectricityProduced:Facility",
    "DistrictHeatingWater:Facility", "DistrictCooling:Facility",
    "HeatingCoils:EnergyTransfer", "Baseboard:EnergyTransfer", "CoolingCoils:EnergyTransfer",
)
SIZING_PERIODS = ("SIZINGPERIOD:DESIGNDAY", "SIZINGPERIOD:WEATHERFILEDAYS", "SIZINGPERIOD:WEATHERFILECONDITIONTYPE")
_VERSION = re.compile(r"^\s*version\s*,\s*([0-9][0-9.]*)\s*;", re.IGNORECASE | re.MULTILINE)


def model_file_text(path: str | Path, where: str = "model") -> str:
    """The IDF text of the model file ``path`` (``.idf``, or ``.epJSON`` converted by EnergyPlus);
    InputError naming ``where``, the file and what is wrong (missing, not a model, another version)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{where}: model file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".epjson":
        text = _converted(path, where)
    elif suffix == ".idf":
        try:
            text = path.read_text(encoding="latin-1")
        except OSError as exc:
            raise InputError(f"{where}: cannot read {path}: {exc.strerror or exc}") from None
    else:
        raise InputError(f"{where}: model file {path} must be an EnergyPlus .idf or .epJSON file")
    match = _VERSION.search("\n".join(line.split("!", 1)[0] for line in text.splitlines()))
    if match is None:
        raise InputError(f"{where}: {path} is not an EnergyPlus model (no Version object)")
    version = match.group(1)
    if ".".join(version.split(".")[:2]) != ENGINE_VERSION:
        raise InputError(f"{where}: {path} is an EnergyPlus {version} model; this engine is {ENGINE_VERSION}. "
                         f"Update it with EnergyPlus's IDFVersionUpdater (transition programs up to {ENGINE_VERSION}) "
                         "and try again")
    return text


def _converted(path: Path, where: str) -> str:
    from ultralow.sim.engine import run_energyplus

    with tempfile.TemporaryDirectory(prefix="ultralow-convert-") as scratch:
        try:
            run_energyplus(path, None, scratch, convert_only=True)
        except SimulationError as exc:
            raise InputError(f"{where}: EnergyPlus could not read {path}: {exc}") from None
        out = Path(scratch) / f"{path.stem}.idf"
        if not out.is_file():
            raise InputError(f"{where}: EnergyPlus could not convert {path} to IDF")
        return out.read_text(encoding="latin-1")


def load_model_text(text: str, label: str) -> Any:
    """An eppy IDF of ``text`` whose IDD holds every field of every object in it; InputError
    naming ``label`` when eppy cannot parse it."""
    from ultralow.sim.idd import extended_fields, fields_needed
    from ultralow.templates.geometry import eppy_idf_class

    idf_class = eppy_idf_class(extended_fields(fields_needed(text)))
    try:
        return idf_class(StringIO(text))
    except Exception as exc:  # eppy raises bare exceptions on malformed input
        raise InputError(f"{label}: not a readable EnergyPlus model: {exc}") from None


def _replace(idf: Any, kind: str, notes: list[str]) -> None:
    for obj in list(idf.idfobjects[kind]):
        notes.append(f"replaced the model's {obj.key} {getattr(obj, 'Name', '') or ''}".rstrip())
        idf.removeidfobject(obj)


def prepare_for_run(idf: Any, period: Any, climate: Any, notes: list[str]) -> None:
    """Add the run control, location and period of ``period`` (a RunPeriod) for the weather
    ``climate`` (an EpwClimate) to a model file's ``idf`` (module docstring); ``notes`` gets a line
    per object replaced."""
    from ultralow.sim.run_control import apply_run_period

    old = idf.idfobjects["SIMULATIONCONTROL"]
    sizing = {f: getattr(old[0], f) for f in ("Do_Zone_Sizing_Calculation", "Do_System_Sizing_Calculation",
                                             "Do_Plant_Sizing_Calculation")} if old else {}
    own_days = sum(len(idf.idfobjects[kind]) for kind in SIZING_PERIODS)
    for kind in ("SIMULATIONCONTROL", "SITE:LOCATION", "RUNPERIOD"):
        _replace(idf, kind, notes)
    ours = {o.Name for o in idf.idfobjects["SIZINGPERIOD:DESIGNDAY"]}
    apply_run_period(idf, period, climate)
    control = idf.idfobjects["SIMULATIONCONTROL"][0]
    for name, value in sizing.items():
        if value:
            setattr(control, name, value)
    if own_days:  # the model sizes its HVAC on its own design days: the weather file's go
        for obj in list(idf.idfobjects["SIZINGPERIOD:DESIGNDAY"]):
            if obj.Name not in ours:
                idf.removeidfobject(obj)
        notes.append(f"kept the model's {own_days} sizing period(s)")


def request_model_outputs(idf: Any) -> None:
    """SQLite and tabular output plus the hourly series results.py reads, not duplicating any the
    model already requests."""
    from ultralow.templates.outputs import OUTPUT_VARIABLES

    if not idf.idfobjects["OUTPUT:SQLITE"]:
        idf.newidfobject("OUTPUT:SQLITE", Option_Type="SimpleAndTabular")
    else:
        idf.idfobjects["OUTPUT:SQLITE"][0].Option_Type = "SimpleAndTabular"
    summaries = idf.idfobjects["OUTPUT:TABLE:SUMMARYREPORTS"]  # a unique object
    reports = [str(v) for o in summaries for v in o.obj[1:] if str(v).strip()]
    if "ALLSUMMARY" not in {r.upper() for r in reports}:
        for obj in list(summaries):
            idf.removeidfobject(obj)
        names = {f"Report_{i}_Name": r for i, r in enumerate([*reports, "AllSummary"], start=1)}
        idf.newidfobject("OUTPUT:TABLE:SUMMARYREPORTS", **names)
    meters = {(str(o.Key_Name).upper(), str(o.Reporting_Frequency).upper()) for o in idf.idfobjects["OUTPUT:METER"]}
    for meter in FILE_MODEL_METERS:
        if (meter.upper(), "HOURLY") not in meters:
            idf.newidfobject("OUTPUT:METER", Key_Name=meter, Reporting_Frequency="Hourly")
    variables = {(str(o.Key_Value).upper(), str(o.Variable_Name).upper(), str(o.Reporting_Frequency).upper())
                 for o in idf.idfobjects["OUTPUT:VARIABLE"]}
    for variable, frequency in OUTPUT_VARIABLES:
        if ("*", variable.upper(), frequency.upper()) not in variables:
            idf.newidfobject("OUTPUT:VARIABLE", Key_Value="*", Variable_Name=variable, Reporting_Frequency=frequency)


def file_built_model(idf: Any, name: str, params: Mapping[str, Any], weather: Any, monthly_outdoor_c: list[float],
                     notes: list[str], *, source: str, source_sha256: str) -> Any:
    """A :class:`~ultralow.templates.building.BuiltModel` of a model file (outputs requested; the
    run period is added by :func:`ultralow.sim.simulate.build`)."""
    from ultralow.templates.building import BuiltModel

    request_model_outputs(idf)
    return BuiltModel(idf=idf, template=name, parameters=dict(params), climate_zone=weather.climate_zone,
                      notes=list(notes), monthly_outdoor_c=tuple(float(t) for t in monthly_outdoor_c),
                      source_path=source, source_sha256=source_sha256)
