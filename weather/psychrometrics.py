"""Moist-air relations used for weather data (SI units, vectorised over numpy arrays).

Formulas from ASHRAE Handbook—Fundamentals (2017), chapter 1 "Psychrometrics": saturation
pressure over ice and water (Hyland & Wexler, eqs. 5 and 6), humidity ratio (eq. 20/22),
wet-bulb relation (eqs. 33 and 35) and the standard-atmosphere pressure (eq. 3). Relative
humidity is taken relative to saturation over ice below 0 °C and over water above, which is
also what the EnergyPlus psychrometric routines do.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

_T0_K = 273.15


def saturation_pressure_pa(temp_c: ArrayLike) -> np.ndarray:
    """Saturation vapour pressure (Pa) over ice (t < 0.01 °C) or liquid water."""
    t = np.asarray(temp_c, dtype=float) + _T0_K
    ice = (-5.6745359e3 / t + 6.3925247 - 9.6778430e-3 * t + 6.2215701e-7 * t**2
           + 2.0747825e-9 * t**3 - 9.4840240e-13 * t**4 + 4.1635019 * np.log(t))
    water = (-5.8002206e3 / t + 1.3914993 - 4.8640239e-2 * t + 4.1764768e-5 * t**2
             - 1.4452093e-8 * t**3 + 6.5459673 * np.log(t))
    return np.exp(np.where(t < _T0_K + 0.01, ice, water))


def dew_point_c(vapour_pressure_pa: ArrayLike) -> np.ndarray:
    """Dew (frost) point (°C) for a vapour pressure, by bisection on :func:`saturation_pressure_pa`
    (accurate to 1e-4 K over −100…+100 °C)."""
    pw = np.asarray(vapour_pressure_pa, dtype=float)
    lo = np.full(pw.shape, -100.0)
    hi = np.full(pw.shape, 100.0)
    for _ in range(32):
        mid = 0.5 * (lo + hi)
        above = saturation_pressure_pa(mid) > pw
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return 0.5 * (lo + hi)


def dew_point_from_rh_c(dry_bulb_c: ArrayLike, relative_humidity_pct: ArrayLike) -> np.ndarray:
    """Dew point (°C) from dry bulb (°C) and relative humidity (%, clipped to 0.5…100)."""
    rh = np.clip(np.asarray(relative_humidity_pct, dtype=float), 0.5, 100.0)
    return np.minimum(dew_point_c(rh / 100.0 * saturation_pressure_pa(dry_bulb_c)),
                      np.asarray(dry_bulb_c, dtype=float))


def relative_humidity_pct(dry_bulb_c: ArrayLike, dew_point_c_: ArrayLike) -> np.ndarray:
    """Relative humidity (%) from dry bulb and dew point (°C)."""
    return 100.0 * saturation_pressure_pa(dew_point_c_) / saturation_pressure_pa(dry_bulb_c)


def humidity_ratio(vapour_pressure_pa: ArrayLike, pressure_pa: ArrayLike) -> np.ndarray:
    """Humidity ratio (kg water / kg dry air)."""
    pw = np.asarray(vapour_pressure_pa, dtype=float)
    return 0.621945 * pw / (np.asarray(pressure_pa, dtype=float) - pw)


def wet_bulb_c(dry_bulb_c: ArrayLike, dew_point_c_: ArrayLike,
               pressure_pa: ArrayLike = 101325.0) -> np.ndarray:
    """Thermodynamic wet-bulb temperature (°C), solving ASHRAE eqs. 33/35 by bisection
    between the dew point and the dry bulb (accurate to 1e-4 K)."""
    t = np.asarray(dry_bulb_c, dtype=float)
    p = np.broadcast_to(np.asarray(pressure_pa, dtype=float), t.shape)
    tdp = np.minimum(np.asarray(dew_point_c_, dtype=float), t)
    w = humidity_ratio(saturation_pressure_pa(tdp), p)
    lo = tdp.copy()
    hi = t.copy()
    for _ in range(30):
        ts = 0.5 * (lo + hi)
        ws = humidity_ratio(saturation_pressure_pa(ts), p)
        w_water = ((2501.0 - 2.326 * ts) * ws - 1.006 * (t - ts)) / (2501.0 + 1.86 * t
                                                                     - 4.186 * ts)
        w_ice = ((2830.0 - 0.24 * ts) * ws - 1.006 * (t - ts)) / (2830.0 + 1.86 * t - 2.1 * ts)
        w_star = np.where(ts >= 0.0, w_water, w_ice)
        # w_star increases with ts: too high means the guess is too warm
        too_warm = w_star > w
        hi = np.where(too_warm, ts, hi)
        lo = np.where(too_warm, lo, ts)
    return 0.5 * (lo + hi)


def standard_pressure_pa(elevation_m: ArrayLike) -> np.ndarray:
    """Standard-atmosphere pressure (Pa) at an elevation (m), ASHRAE eq. 3."""
    z = np.asarray(elevation_m, dtype=float)
    return 101325.0 * (1.0 - 2.25577e-5 * z) ** 5.2559
