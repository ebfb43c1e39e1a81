"""Load the versioned data files of ``templates/data`` (materials, constructions, heat pumps,
operating profiles, surface films). Each file cites its sources; values are read once."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from ultralow.errors import InputError


@cache
def load(name: str) -> dict[str, Any]:
    """Parse ``templates/data/<name>.toml``."""
    with resources.files("ultralow.templates").joinpath("data", f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def entry(catalogue: str, key: str, what: str) -> dict[str, Any]:
    """One entry of a catalogue, or an InputError listing the allowed ids."""
    data = {k: v for k, v in load(catalogue).items() if isinstance(v, dict)}
    if key not in data:
        raise InputError(f"unknown {what} {key!r}; allowed: {', '.join(sorted(data))}")
    return data[key]


def insulation_ids() -> tuple[str, ...]:
    return tuple(k for k, v in load("materials").items() if v.get("insulation"))


def heat_pump_ids() -> tuple[str, ...]:
    return tuple(k for k, v in load("heat_pumps").items() if isinstance(v, dict))
