"""Where ultralow keeps derived files (IDD per engine version, synthetic weather, runs).

``ULTRALOW_CACHE`` overrides the cache folder (default ``~/.cache/ultralow``); on a cluster
point it at node-local disk. Everything in it can be rebuilt from the installed packages.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Return (and create) the cache folder."""
    root = Path(os.environ.get("ULTRALOW_CACHE", Path.home() / ".cache" / "ultralow"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def default_runs_dir() -> Path:
    """Folder for kept simulation run folders (``ULTRALOW_RUNS`` or ``./runs``)."""
    return Path(os.environ.get("ULTRALOW_RUNS", "runs")).resolve()
