"""Schedule:Compact fields for the model builder (constant, 24-hour profiles, seasons)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def constant_fields(value: float) -> list[str]:
    """Schedule:Compact fields for a constant value all year."""
    return ["Through: 12/31", "For: AllDays", "Until: 24:00", f"{value:g}"]


def hourly_fields(weekday: Sequence[float], other: Sequence[float] | None = None) -> list[str]:
    """Schedule:Compact fields for a 24-value profile (weekends and holidays may differ)."""

    def day(values: Sequence[float]) -> list[str]:
        fields: list[str] = []
        for hour in range(24):
            if hour == 23 or values[hour + 1] != values[hour]:
                fields += [f"Until: {hour + 1:02d}:00", f"{values[hour]:g}"]
        return fields

    fields = ["Through: 12/31"]
    if other is None:
        return fields + ["For: AllDays", *day(weekday)]
    return fields + ["For: Weekdays SummerDesignDay WinterDesignDay", *day(weekday), "For: AllOtherDays", *day(other)]


def season_fields(start_mm_dd: str, end_mm_dd: str) -> list[str]:
    """1 from ``start_mm_dd`` through ``end_mm_dd`` (inclusive, ``"06-01"``), 0 otherwise."""
    sm, sd = (int(x) for x in start_mm_dd.split("-"))
    em, ed = (int(x) for x in end_mm_dd.split("-"))
    before = f"{sm}/{sd - 1}" if sd > 1 else (f"{sm - 1}/{[31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30][sm - 1]}")
    return [f"Through: {before}", "For: AllDays", "Until: 24:00", "0",
            f"Through: {em}/{ed}", "For: AllDays", "Until: 24:00", "1",
            "Through: 12/31", "For: AllDays", "Until: 24:00", "0"]


def add_schedule(idf: Any, name: str, limits: str, fields: list[str]) -> None:
    """Add a Schedule:Compact ``name`` with type limits ``limits``."""
    obj = idf.newidfobject("SCHEDULE:COMPACT", Name=name, Schedule_Type_Limits_Name=limits)
    for i, value in enumerate(fields, start=1):
        setattr(obj, f"Field_{i}", value)
