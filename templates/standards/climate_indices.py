"""Weather indices of GB/T 51350: WDH20 and DDH28 (kKh), plus HDD18 / CDD26 (K d), from an EPW.

WDH20 = sum over the hours of the year of max(0, T_wet-bulb - 20 degC) / 1000 (kKh);
DDH28 = sum of max(0, T_dry-bulb - 28 degC) / 1000 (kKh). Wet-bulb temperature is solved from dry
bulb, dew point and pressure with the psychrometric equation (ASHRAE Fundamentals ch. 1).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from ultralow.errors import InputError


def saturation_pressure_pa(t_c: np.ndarray) -> np.ndarray:
    """Saturation vapour pressure over water (Pa), Magnus form (Alduchov & Eskridge 1996)."""
    return 610.94 * np.exp(17.625 * t_c / (t_c + 243.04))


def humidity_ratio(dew_point_c: np.ndarray, pressure_pa: np.ndarray) -> np.ndarray:
    pw = saturation_pressure_pa(dew_point_c)
    return 0.621945 * pw / (pressure_pa - pw)


def wet_bulb_c(dry_bulb_c: np.ndarray, dew_point_c: np.ndarray,
               pressure_pa: np.ndarray | float = 101325.0) -> np.ndarray:
    """Thermodynamic wet-bulb temperature (degC) by bisection between dew point and dry bulb."""
    t = np.asarray(dry_bulb_c, dtype=float)
    p = np.broadcast_to(np.asarray(pressure_pa, dtype=float), t.shape)
    w = humidity_ratio(np.minimum(np.asarray(dew_point_c, dtype=float), t), p)
    lo = np.minimum(np.asarray(dew_point_c, dtype=float), t) - 1.0
    hi = t.copy()
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        ps = saturation_pressure_pa(mid)
        ws = 0.621945 * ps / (p - ps)
        w_mid = ((2501.0 - 2.326 * mid) * ws - 1.006 * (t - mid)) / (2501.0 + 1.86 * t - 4.186 * mid)
        too_high = w_mid > w
        hi = np.where(too_high, mid, hi)
        lo = np.where(too_high, lo, mid)
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class ClimateIndices:
    """Annual indices of one weather file."""

    wdh20_kkh: float
    ddh28_kkh: float
    hdd18_kd: float
    cdd26_kd: float
    hours: int

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def indices_from_series(dry_bulb_c: np.ndarray, dew_point_c: np.ndarray,
                        pressure_pa: np.ndarray | float = 101325.0) -> ClimateIndices:
    """Indices from hourly series (one value per hour of the year)."""
    t = np.asarray(dry_bulb_c, dtype=float)
    twb = wet_bulb_c(t, dew_point_c, pressure_pa)
    daily = t[: len(t) // 24 * 24].reshape(-1, 24).mean(axis=1)
    return ClimateIndices(
        wdh20_kkh=float(np.clip(twb - 20.0, 0, None).sum() / 1000.0),
        ddh28_kkh=float(np.clip(t - 28.0, 0, None).sum() / 1000.0),
        hdd18_kd=float(np.clip(18.0 - daily, 0, None).sum()),
        cdd26_kd=float(np.clip(daily - 26.0, 0, None).sum()),
        hours=int(t.size),
    )


def climate_indices(epw_path: str | Path) -> ClimateIndices:
    """Read an EPW (dry bulb, dew point, pressure columns) and compute the indices."""
    path = Path(epw_path)
    try:
        lines = path.read_text(encoding="latin-1").splitlines()[8:]
    except OSError as exc:
        raise InputError(f"cannot read weather file {path}: {exc}") from None
    rows = [line.split(",") for line in lines if line.strip()]
    if len(rows) < 8760 or any(len(r) < 10 for r in rows):
        raise InputError(f"{path}: expected >= 8760 hourly EPW records with >= 10 fields")
    try:
        data = np.array([[float(r[6]), float(r[7]), float(r[9])] for r in rows[:8760]])
    except ValueError as exc:
        raise InputError(f"{path}: non-numeric weather value: {exc}") from None
    dry, dew, pres = data[:, 0], data[:, 1], data[:, 2]
    pres = np.where((pres <= 30000) | (pres >= 120000), 101325.0, pres)  # 999999 = missing
    dew = np.where(dew >= 99.0, dry - 5.0, dew)  # 99.9 = missing
    return indices_from_series(dry, dew, pres)
