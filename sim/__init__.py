"""Simulation core: the EnergyPlus engine, its IDD, run control and results."""

from ultralow.sim.results import SimulationResult
from ultralow.sim.run_control import RunPeriod
from ultralow.sim.simulate import simulate

__all__ = ["RunPeriod", "SimulationResult", "simulate"]
