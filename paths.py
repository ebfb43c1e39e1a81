"""Where ultralow keeps derived files (IDD per engine version, synthetic weather, runs).

``ULTRALOW_CACHE`` overrides the cache folder (default ``~/.cache/ultralow``); on a cluster
point it at node-local disk. Everything in it can be rebuilt from the installed packages.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def cache_dir() -> Path:
    """Return (and create) the cache folder."""
    root = Path(os.environ.get("ULTRALOW_CACHE", Path.home() / ".cache" / "ultralow"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def default_runs_dir() -> Path:
    """Folder for kept simulation run folders (``ULTRALOW_RUNS`` or ``./runs``)."""
    return Path(os.environ.get("ULTRALOW_RUNS", "runs")).resolve()


def new_run_dir(root: Path, name: str) -> Path:
    """Create and return ``root/<name>-<YYYYmmdd-HHMMSS>[-k]`` (a fresh run folder)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, k = root / f"{name}-{stamp}", 1
    while path.exists():
        k += 1
        path = root / f"{name}-{stamp}-{k}"
    path.mkdir(parents=True)
    return path
