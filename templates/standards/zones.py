"""Climate-zone and building-use identifiers shared by the standards data (GB 50176-2016 zones)."""

from __future__ import annotations

from ultralow.errors import InputError

ZONES: tuple[str, ...] = (
    "severe_cold_A", "severe_cold_B", "severe_cold_C", "cold_A", "cold_B",
    "hscw_A", "hscw_B", "hsww_A", "hsww_B", "mild_A", "mild_B",
)
PRIMARY_ZONES: tuple[str, ...] = ("severe_cold", "cold", "hscw", "hsww", "mild")
USES: tuple[str, ...] = ("residential", "public")
NORTHERN: frozenset[str] = frozenset({"severe_cold", "cold"})


def check_zone(zone: str) -> str:
    """Return ``zone`` if it is a sub-zone id, else raise InputError listing the allowed ids."""
    if zone not in ZONES:
        raise InputError(f"unknown climate zone {zone!r}; allowed: {', '.join(ZONES)}")
    return zone


def check_use(use: str) -> str:
    """Return ``use`` if it is ``residential`` or ``public``."""
    if use not in USES:
        raise InputError(f"unknown building use {use!r}; allowed: {', '.join(USES)}")
    return use


def primary_zone(zone: str) -> str:
    """``"severe_cold_B"`` -> ``"severe_cold"``."""
    return check_zone(zone).rsplit("_", 1)[0]


def is_northern(zone: str) -> bool:
    """True for severe cold and cold zones (heating-dominated, storey/shape-based tables)."""
    return primary_zone(zone) in NORTHERN
