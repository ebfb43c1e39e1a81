"""GB 50176-2016 thermal-design climate zones from HDD18 and CDD26.

The secondary zones (``severe_cold_A`` … ``mild_B``) and their HDD18/CDD26 bounds are data
(``weather/data/zones.csv``, sources in ``weather/data/SOURCES.md``). A zone's HDD18 bounds are
``min ≤ HDD18 < max``; CDD26 bounds carry their own inclusivity (cold A: CDD26 ≤ 90, cold B:
CDD26 > 90, mild: CDD26 < 10). Zones are tried in the file's ``order``: severe cold and cold by
HDD18 first, then mild (CDD26 < 10) before hot-summer-cold-winter and hot-summer-warm-winter,
which are told apart by HDD18 alone.

GB 50176-2016 defines the *primary* zones by the coldest/warmest month mean temperature and
day counts; here the primary zone is taken from the secondary zone (``severe_cold_B`` →
``severe_cold``), which is how the standard nests them.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from importlib import resources

from ultralow.errors import InputError

PRIMARY_ZONES = ("severe_cold", "cold", "hscw", "hsww", "mild")


@dataclass(frozen=True)
class ZoneRule:
    zone: str
    primary: str
    name_zh: str
    name_en: str
    hdd18_min_kd: float
    hdd18_max_kd: float
    cdd26_min_kd: float
    cdd26_max_kd: float
    cdd26_min_inclusive: bool
    cdd26_max_inclusive: bool

    def matches(self, hdd18_kd: float, cdd26_kd: float) -> bool:
        if not self.hdd18_min_kd <= hdd18_kd < self.hdd18_max_kd:
            return False
        lo_ok = (cdd26_kd >= self.cdd26_min_kd if self.cdd26_min_inclusive
                 else cdd26_kd > self.cdd26_min_kd)
        hi_ok = (cdd26_kd <= self.cdd26_max_kd if self.cdd26_max_inclusive
                 else cdd26_kd < self.cdd26_max_kd)
        return lo_ok and hi_ok


def _num(text: str, default: float) -> float:
    return float(text) if text.strip() else default


@functools.cache
def zone_rules() -> tuple[ZoneRule, ...]:
    """The zone table in matching order."""
    text = resources.files("ultralow.weather").joinpath("data", "zones.csv").read_text("utf-8")
    rules = []
    for row in sorted(csv.DictReader(text.splitlines()), key=lambda r: int(r["order"])):
        bounds = row["cdd26_bounds"]
        rules.append(ZoneRule(
            zone=row["zone"],
            primary=row["primary"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            hdd18_min_kd=_num(row["hdd18_min_kd"], -math.inf),
            hdd18_max_kd=_num(row["hdd18_max_kd"], math.inf),
            cdd26_min_kd=_num(row["cdd26_min_kd"], -math.inf),
            cdd26_max_kd=_num(row["cdd26_max_kd"], math.inf),
            cdd26_min_inclusive=bounds != "min_exclusive",
            cdd26_max_inclusive=bounds != "max_exclusive",
        ))
    return tuple(rules)


def zone_ids() -> list[str]:
    """All secondary zone ids, coldest first."""
    return [r.zone for r in zone_rules()]


def classify_zone(hdd18_kd: float, cdd26_kd: float) -> str:
    """GB 50176-2016 secondary zone id for the given HDD18 and CDD26 (K·d)."""
    if not (math.isfinite(hdd18_kd) and math.isfinite(cdd26_kd)) or hdd18_kd < 0 or cdd26_kd < 0:
        raise InputError(f"cannot classify climate: HDD18={hdd18_kd}, CDD26={cdd26_kd} K·d")
    for rule in zone_rules():
        if rule.matches(hdd18_kd, cdd26_kd):
            return rule.zone
    raise RuntimeError(f"zone table has a gap at HDD18={hdd18_kd}, CDD26={cdd26_kd}")


def primary_zone(zone: str) -> str:
    """Primary zone of a secondary zone id (``"cold_B"`` → ``"cold"``)."""
    for rule in zone_rules():
        if rule.zone == zone:
            return rule.primary
    raise InputError(f"unknown climate zone {zone!r}; known: {', '.join(zone_ids())}")


def zone_name(zone: str) -> str:
    """Human-readable name, English and Chinese (``"cold B (寒冷B区)"``)."""
    for rule in zone_rules():
        if rule.zone == zone:
            return f"{rule.name_en} ({rule.name_zh})"
    raise InputError(f"unknown climate zone {zone!r}; known: {', '.join(zone_ids())}")
