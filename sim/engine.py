"""Run the EnergyPlus engine (``pyenergyplus-lbnl``) on one input file.

Each run gets its own process (a fresh engine state) and its own run folder, and a time limit.
A run that fails raises :class:`ultralow.errors.SimulationError` carrying the Severe and Fatal
lines of ``eplusout.err`` (with their continuation lines).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ultralow.errors import SimulationError

DEFAULT_TIMEOUT_S = 900.0
# the child runs this file as a script (``-P``: its folder is not put on sys.path): ``python -m
# ultralow.sim._engine_process`` would first import the ultralow.sim package (pandas, numpy,
# eppy: ~0.35 s of every run's engine time, measured), which the child does not need
ENGINE_SCRIPT = Path(__file__).with_name("_engine_process.py")


@dataclass(frozen=True)
class EngineRun:
    """Files and timing of one finished EnergyPlus run."""

    run_dir: Path
    elapsed_s: float
    warning_count: int
    severe_count: int

    @property
    def sql_path(self) -> Path:
        return self.run_dir / "eplusout.sql"

    @property
    def err_path(self) -> Path:
        return self.run_dir / "eplusout.err"


def error_lines(err_text: str, levels: tuple[str, ...] = ("Severe", "Fatal")) -> list[str]:
    """Lines of an ``eplusout.err`` at the given levels, each with its ``~~~`` continuations."""
    out: list[str] = []
    keep = False
    for line in err_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("**") and "~~~" in stripped[:12]:
            if keep:
                out.append(stripped)
            continue
        keep = any(stripped.startswith(f"** {level}") or stripped.startswith(f"**  {level}")
                   for level in levels)
        if keep:
            out.append(stripped)
    return out


def _count(err_text: str, level: str) -> int:
    return sum(1 for line in err_text.splitlines() if line.lstrip().startswith(f"** {level}"))


def run_energyplus(
    input_path: str | os.PathLike,
    weather_path: str | os.PathLike | None,
    run_dir: str | os.PathLike,
    *,
    design_day: bool = False,
    annual: bool = False,
    convert_only: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> EngineRun:
    """Run EnergyPlus on ``input_path`` (IDF or epJSON) in ``run_dir``.

    ``design_day`` forces a design-day-only run, ``annual`` forces the whole weather-file year;
    otherwise the input's own ``SimulationControl``/``RunPeriod`` objects decide.
    ``convert_only`` only translates IDF↔epJSON (``--convert-only``). Raises
    :class:`SimulationError` on a non-zero exit, a Fatal error, or the time limit.
    """
    if design_day and annual:
        raise ValueError("design_day and annual exclude each other")
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-P", str(ENGINE_SCRIPT), "-d", str(run_dir)]
    if weather_path is not None:
        args += ["-w", str(weather_path)]
    if design_day:
        args.append("-D")
    if annual:
        args.append("-a")
    if convert_only:
        args.append("--convert-only")
    args.append(str(input_path))
    start = time.perf_counter()
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SimulationError(
            f"EnergyPlus did not finish within {timeout_s:.0f} s (run folder {run_dir})",
            run_dir=str(run_dir),
        ) from exc
    elapsed_s = time.perf_counter() - start
    err_path = run_dir / "eplusout.err"
    err_text = err_path.read_text(errors="replace") if err_path.exists() else ""
    severe = error_lines(err_text)
    if proc.returncode != 0 or "** Fatal" in err_text:
        if not severe:
            tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-20:]
            severe = tail
        raise SimulationError(
            f"EnergyPlus failed with exit status {proc.returncode} (run folder {run_dir})",
            run_dir=str(run_dir),
            severe_lines=severe,
        )
    return EngineRun(
        run_dir=run_dir,
        elapsed_s=elapsed_s,
        warning_count=_count(err_text, "Warning"),
        severe_count=_count(err_text, "Severe"),
    )
