"""Simulate one design: template + parameters + weather -> :class:`SimulationResult`.

Timing is split so benchmarks can report the share spent outside EnergyPlus:
``build_seconds`` (model assembly and writing), ``engine_seconds`` (the EnergyPlus process) and
``read_seconds`` (reading ``eplusout.sql``), stored in the run folder's ``timing.json``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ultralow.sim import pv_profile
from ultralow.sim.engine import DEFAULT_TIMEOUT_S, run_energyplus
from ultralow.sim.file_model import prepare_for_run
from ultralow.sim.results import SimulationResult, read_results
from ultralow.sim.run_control import RunPeriod, apply_run_period, epw_climate
from ultralow.templates import get_template


def resolve_weather_source(city: str | None = None, epw: str | os.PathLike | None = None) -> Any:
    """A :class:`ultralow.weather.WeatherSource` for a registry city or a user EPW."""
    from ultralow.weather import resolve_weather

    return resolve_weather(city=city, epw=epw)


def build(template: str, params: Mapping[str, Any] | None, weather: Any,
          period: RunPeriod | None = None) -> Any:
    """Resolve parameters and build the model (a BuiltModel) with its run period."""
    tpl = get_template(template)
    resolved = tpl.resolve(params)
    climate = epw_climate(weather.epw_path)
    model = tpl.build(resolved, weather, list(climate.monthly_mean_dry_bulb_c))
    if model.from_file:  # the model's own sizing and design days stay (ultralow.sim.file_model)
        prepare_for_run(model.idf, period or RunPeriod(), climate, model.notes)
    else:
        apply_run_period(model.idf, period or RunPeriod(), climate)
    return model


def simulate(
    template: str | Any,
    params: Mapping[str, Any] | None = None,
    weather: Any = None,
    *,
    city: str | None = None,
    epw: str | os.PathLike | None = None,
    run_dir: str | os.PathLike | None = None,
    period: RunPeriod | str | None = None,
    hourly: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> SimulationResult:
    """Build and run ``template`` with ``params`` and return its results.

    Weather: a ``WeatherSource`` (``weather``), a registry ``city`` or an ``epw`` path.
    ``run_dir`` keeps the run folder there (default: a new temporary folder, also kept).
    ``period``: ``RunPeriod``, or text ``annual`` / ``design-days`` / ``MM-DD:MM-DD``.
    ``hourly=True`` attaches the hourly series (pandas) to the result.
    """
    if weather is None:
        weather = resolve_weather_source(city=city, epw=epw)
    if not isinstance(period, RunPeriod):
        period = RunPeriod.parse(period)
    t0 = time.perf_counter()
    model = build(template, params, weather, period)
    # the fast model's PV array: its stored hourly profile, or simulated once and stored (sim/pv_profile.py)
    pv = pv_profile.plan(model, weather.epw_path, period.kind)
    name = get_template(template).name.replace(":", "-")
    run_path = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix=f"ultralow-{name}-"))
    run_path.mkdir(parents=True, exist_ok=True)
    idf_path = run_path / "in.idf"
    idf_path.write_text(model.idf_text())
    t1 = time.perf_counter()
    engine = run_energyplus(idf_path, weather.epw_path, run_path, timeout_s=timeout_s)
    t2 = time.perf_counter()
    if pv is not None and pv.profile is None:
        pv_profile.store_profile(pv.key, engine.sql_path, pv.capacity_w)
    result = read_results(
        engine.sql_path, model=model, weather_label=weather.description, period=period.label,
        engine_seconds=engine.elapsed_s, keep_hourly=hourly,
        pv_hours=(pv.profile, pv.capacity_w) if pv is not None and pv.profile is not None else None,
    )
    t3 = time.perf_counter()
    timing = {"build_seconds": t1 - t0, "engine_seconds": t2 - t1, "read_seconds": t3 - t2}
    (run_path / "timing.json").write_text(json.dumps(timing, indent=2))
    (run_path / "result.json").write_text(json.dumps(result.to_dict(), indent=2, default=str))
    return result
