"""Shared fixtures: a real weather file shipped with the engine, and an isolated cache."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyenergyplus
import pytest

ENGINE_WEATHER_DIR = Path(pyenergyplus.__file__).parent / "data" / "weather"
CHICAGO_EPW = ENGINE_WEATHER_DIR / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw"


@dataclass(frozen=True)
class DonorWeather:
    """A WeatherSource-like record for a real TMY3 file (tests of the simulation core)."""

    epw_path: Path
    climate_zone: str
    description: str
    city: str | None = None
    latitude_deg: float = 41.98  # Chicago O'Hare (the EPW header)
    synthetic: bool = False


@pytest.fixture(scope="session")
def chicago_weather() -> DonorWeather:
    # Chicago O'Hare TMY3: HDD18 ~ 3500 K d, a cold-zone climate in GB 50176 terms.
    return DonorWeather(CHICAGO_EPW, "cold_B", "Chicago O'Hare TMY3 (real file, engine package)")


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory):
    """A fresh ULTRALOW_CACHE for one test module (synthetic weather built from scratch there)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("ULTRALOW_CACHE", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(autouse=True, scope="session")
def _cache_env(tmp_path_factory):
    """Keep derived files (IDD, synthetic weather) in a per-session cache unless one is set."""
    if "ULTRALOW_CACHE" not in os.environ:
        os.environ["ULTRALOW_CACHE"] = str(tmp_path_factory.mktemp("ultralow-cache"))
    yield


def write_small_optimise_spec(path: Path, name: str, *, seed: int, wall_step: float, heating_min: int) -> Path:
    """A 2-generation, 4-design optimisation of the residential template on Chicago design days
    (no store; tariffs of Beijing, as a user weather file has no province), for cluster tests."""
    path.write_text(f"""
[run]
name = "{name}"
seed = {seed}
population = 4
generations = 2
period = "design-days"
store = "none"

[building]
template = "residential"
epw = "{CHICAGO_EPW}"
parameters = {{ storeys = 3, length_m = 30.0, cooling_setpoint_c = 22.0 }}

[variables]
wall_u_w_m2k = {{ type = "float", min = 0.15, max = 0.45, step = {wall_step} }}
heating_setpoint_c = {{ type = "int", min = {heating_min}, max = 21 }}

[[objectives]]
metric = "primary_energy_kwh_m2"

[[objectives]]
metric = "incremental_investment_rmb_m2"

[costs]
tariff_city = "beijing"
""")
    return path


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray cluster of 2 CPUs for a test module (the IDD written once before workers race for it)."""
    import ray
    from ultralow.sim.idd import engine_idd_path

    engine_idd_path()
    started = not ray.is_initialized()
    if started:
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    if started:
        ray.shutdown()
