"""Model revision: a short hash of everything that determines a simulated model and its results.

:func:`model_revision` = the first 16 hex digits of SHA-256 over :data:`MODEL_REVISION` and, in
sorted order, the relative path and bytes of every ``*.py``, ``*.toml``, ``*.csv`` and ``*.json``
file under the package's ``templates/`` (standards included) and ``sim/`` folders (``__pycache__``
skipped). It is part of every result-store key (:func:`ultralow.optimise.store.simulation_key`),
so a change to the model builder, its data or the result extraction never serves old numbers.

Bump :data:`MODEL_REVISION` (and add a line to the README's "Changelog") whenever a change is
meant to change results; the file hash catches the changes nobody announced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

MODEL_REVISION = "2026.11-fast-model"

MODEL_FOLDERS = ("templates", "sim")  # relative to the package root
MODEL_SUFFIXES = (".py", ".toml", ".csv", ".json")
SKIPPED_DIRS = ("__pycache__",)
DIGEST_CHARS = 16


def _model_files(root: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    """``(relative posix path, file)`` of every model file under ``root`` (recursively)."""
    out: list[tuple[str, Traversable]] = []
    for entry in root.iterdir():
        rel = f"{prefix}/{entry.name}"
        if entry.is_dir():
            if entry.name not in SKIPPED_DIRS:
                out += _model_files(entry, rel)
        elif entry.is_file() and entry.name.endswith(MODEL_SUFFIXES):
            out.append((rel, entry))
    return out


def _tree_digest(paths: Iterable[Path | Traversable], revision: str = MODEL_REVISION) -> str:
    """Full SHA-256 (hex) over ``revision`` and the model files under the folders ``paths``.

    Each folder contributes its files as ``<folder name>/<relative path>``; all files are hashed in
    sorted path order as ``path NUL size NUL bytes``, so renaming, moving, adding or removing a
    file changes the digest as much as editing one.
    """
    files: list[tuple[str, Traversable]] = []
    for root in paths:
        files += _model_files(root, root.name)
    h = hashlib.sha256()
    h.update(b"ultralow-model-revision\0" + revision.encode() + b"\0")
    for rel, entry in sorted(files, key=lambda f: f[0]):
        data = entry.read_bytes()
        h.update(rel.encode() + b"\0" + str(len(data)).encode() + b"\0")
        h.update(data)
    return h.hexdigest()


def model_folders() -> list[Traversable]:
    """The package folders whose files determine a model: ``templates/`` and ``sim/``."""
    package = resources.files("ultralow")
    return [package / name for name in MODEL_FOLDERS]


@cache
def model_revision() -> str:
    """Short hash (16 hex digits) of :data:`MODEL_REVISION` and the model files (cached per process)."""
    return _tree_digest(model_folders())[:DIGEST_CHARS]


__all__ = ["MODEL_REVISION", "model_revision"]
