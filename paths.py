"""Where ultralow keeps derived files (IDD per engine version, synthetic weather, runs).

``ULTRALOW_CACHE`` overrides the cache folder (default ``~/.cache/ultralow``); on a cluster
point it at node-local disk. Everything in it can be rebuilt from the installed packages.
"""

from __future__ import annotations

import os
import re
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


_UNSAFE = re.compile(r"[^\w.-]+")


def safe_name(name: object, default: str = "run") -> str:
    """``name`` as one folder name: letters, digits, ``-``, ``_`` and ``.`` only (anything else,
    path separators included, becomes ``-``), no leading dot or dash, at most 80 characters;
    ``default`` when nothing is left (``..``, ``/``, an empty name)."""
    text = _UNSAFE.sub("-", str(name)).strip("-.")
    text = re.sub(r"-{2,}", "-", text)[:80].strip("-.")
    return text or default


def new_run_dir(root: Path, name: str) -> Path:
    """Create and return ``root/<name>-<YYYYmmdd-HHMMSS>[-k]`` (a fresh run folder); ``name`` is
    made a safe folder name first (:func:`safe_name`), so the folder is always inside ``root``."""
    name = safe_name(name)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, k = root / f"{name}-{stamp}", 1
    while path.exists():
        k += 1
        path = root / f"{name}-{stamp}-{k}"
    path.mkdir(parents=True)
    return path
