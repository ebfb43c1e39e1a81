"""Solar geometry and extraterrestrial radiation (numpy, hour-ending weather-file convention).

* Declination and equation of time: Spencer (1971), "Fourier series representation of the
  position of the sun", Search 2(5):172, as given in Iqbal (1983) *An Introduction to Solar
  Radiation*, eqs. 1.3.1 and 1.4.1.
* Extraterrestrial normal irradiance: solar constant 1367 W/m² times the eccentricity factor
  ``1 + 0.033 cos(2π J/365)`` (Duffie & Beckman, eq. 1.4.1b).
* Daily extraterrestrial radiation and day length: FAO-56 (Allen et al. 1998) eqs. 21–25 and 34.

Hourly values follow the EPW convention: record ``hour`` *h* (1–24) covers local standard time
``h−1`` to ``h``. Hourly extraterrestrial horizontal radiation is the mean of max(cos θz, 0)
over ``substeps`` points inside the hour, so an hour in which the sun rises counts only the
part after sunrise and an hour with the sun below the horizon throughout is exactly zero.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

SOLAR_CONSTANT_W_M2 = 1367.0
_CUM_DAYS = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334])


def day_of_year(month: ArrayLike, day: ArrayLike) -> np.ndarray:
    """Day of year 1…365 for a non-leap year (29 February maps to 1 March's slot minus one
    day, i.e. 60, like 1 March; adequate for solar geometry)."""
    m = np.asarray(month, dtype=int)
    d = np.asarray(day, dtype=int)
    return np.minimum(_CUM_DAYS[m - 1] + d, 365)


def _day_angle(doy: ArrayLike) -> np.ndarray:
    return 2.0 * np.pi * (np.asarray(doy, dtype=float) - 1.0) / 365.0


def declination_rad(doy: ArrayLike) -> np.ndarray:
    """Solar declination (rad), Spencer (1971)."""
    g = _day_angle(doy)
    return (0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g) - 0.006758 * np.cos(2 * g)
            + 0.000907 * np.sin(2 * g) - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g))


def equation_of_time_min(doy: ArrayLike) -> np.ndarray:
    """Equation of time (minutes), Spencer (1971)."""
    g = _day_angle(doy)
    return 229.18 * (0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g)
                     - 0.014615 * np.cos(2 * g) - 0.04089 * np.sin(2 * g))


def extraterrestrial_normal_w_m2(doy: ArrayLike) -> np.ndarray:
    """Extraterrestrial normal irradiance (W/m²)."""
    return SOLAR_CONSTANT_W_M2 * (1.0 + 0.033 * np.cos(2.0 * np.pi * np.asarray(doy) / 365.0))


def cos_zenith(latitude_deg: float, longitude_deg: float, time_zone_h: float, doy: ArrayLike,
               local_standard_hour: ArrayLike) -> np.ndarray:
    """Cosine of the solar zenith angle at a local standard time (hours, 0–24); longitude east
    positive, time zone in hours east of UTC. Negative values: sun below the horizon."""
    doy = np.asarray(doy, dtype=float)
    solar_time_h = (np.asarray(local_standard_hour, dtype=float)
                    + (longitude_deg - 15.0 * time_zone_h) / 15.0
                    + equation_of_time_min(doy) / 60.0)
    omega = np.radians(15.0 * (solar_time_h - 12.0))
    phi = np.radians(latitude_deg)
    delta = declination_rad(doy)
    return np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.cos(omega)


def hourly_extraterrestrial(latitude_deg: float, longitude_deg: float, time_zone_h: float,
                            month: ArrayLike, day: ArrayLike, hour: ArrayLike,
                            substeps: int = 12) -> dict[str, np.ndarray]:
    """Hour-ending extraterrestrial quantities for EPW records.

    Returns a dict of arrays: ``horizontal_wh_m2`` (extraterrestrial radiation on a horizontal
    surface during the hour), ``normal_wh_m2`` (extraterrestrial normal radiation during the
    part of the hour the sun is up, 0 if it is down all hour), ``cos_zenith_mean`` (mean of
    max(cos θz, 0) over the hour, = horizontal / normal irradiance), ``cos_zenith_mid`` (at the
    middle of the hour) and ``sun_up_fraction``.
    """
    doy = day_of_year(month, day)
    h = np.asarray(hour, dtype=float)
    i0 = extraterrestrial_normal_w_m2(doy)
    acc = np.zeros(h.shape)
    up = np.zeros(h.shape)
    for s in range(substeps):
        cz = cos_zenith(latitude_deg, longitude_deg, time_zone_h, doy,
                        h - 1.0 + (s + 0.5) / substeps)
        acc += np.maximum(cz, 0.0)
        up += cz > 0.0
    mean_cz = acc / substeps
    return {
        "horizontal_wh_m2": i0 * mean_cz,
        "normal_wh_m2": np.where(up > 0, i0, 0.0),
        "cos_zenith_mean": mean_cz,
        "cos_zenith_mid": cos_zenith(latitude_deg, longitude_deg, time_zone_h, doy, h - 0.5),
        "sun_up_fraction": up / substeps,
    }


def daily_extraterrestrial_mj_m2(latitude_deg: float, doy: ArrayLike) -> np.ndarray:
    """Daily extraterrestrial radiation on a horizontal surface Ra (MJ/m²/day), FAO-56 eq. 21."""
    j = np.asarray(doy, dtype=float)
    phi = np.radians(latitude_deg)
    dr = 1.0 + 0.033 * np.cos(2.0 * np.pi * j / 365.0)
    delta = 0.409 * np.sin(2.0 * np.pi * j / 365.0 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0))
    return (24.0 * 60.0 / np.pi * 0.0820 * dr
            * (ws * np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.sin(ws)))


def day_length_h(latitude_deg: float, doy: ArrayLike) -> np.ndarray:
    """Astronomical day length N (h), FAO-56 eq. 34."""
    j = np.asarray(doy, dtype=float)
    phi = np.radians(latitude_deg)
    delta = 0.409 * np.sin(2.0 * np.pi * j / 365.0 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0))
    return 24.0 / np.pi * ws


def monthly_global_from_sunshine_kwh_m2(latitude_deg: float, sunshine_h: ArrayLike,
                                        a: float = 0.25, b: float = 0.50) -> np.ndarray:
    """Monthly global horizontal radiation (kWh/m²) from monthly sunshine hours by the
    Ångström–Prescott relation H = (a + b·n/N)·Ra summed over each month's days (FAO-56
    eq. 35; n/N is the month's sunshine total over its total day length)."""
    sun = np.asarray(sunshine_h, dtype=float)
    out = np.empty(12)
    days = np.arange(1, 366)
    month_of_day = np.searchsorted(_CUM_DAYS, days - 1, side="right")  # 1..12
    ra = daily_extraterrestrial_mj_m2(latitude_deg, days)
    n_max = day_length_h(latitude_deg, days)
    for m in range(1, 13):
        sel = month_of_day == m
        rel = min(sun[m - 1] / n_max[sel].sum(), 1.0)
        out[m - 1] = (a + b * rel) * ra[sel].sum() / 3.6
    return out
