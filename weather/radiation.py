"""Solar radiation of the synthetic files: clearness index, diffuse split, calibration to station
monthly totals, sky cover and sky infrared.

Two ways to get an hourly clearness index ``kt = GHI / extraterrestrial horizontal``:

* from an engine TMY3 donor's measured-and-modelled radiation (``weather.morph`` transfers its
  ``kt`` to the new site's sun), or
* from the daily temperature range of a measured donor that has no radiation (the Chinese
  records): Bristow & Campbell (1984), *Agricultural and Forest Meteorology* 31:159–166,
  daily atmospheric transmittance ``τ = A·[1 − exp(−B·ΔT^C)]`` with ``C = 2.4`` and
  ``B = 0.036·exp(−0.154·ΔT̄)`` (ΔT̄ the monthly mean daily range, K), the coefficients
  Bristow & Campbell give and Thornton & Running (1999, *Agric. For. Meteorol.* 93:211–228,
  eq. 2–3) use; ``A`` is then fixed month by month by :func:`calibrate_clearness` so that the
  monthly global irradiation equals the station's. Cloudy and rainy days have small ranges, so
  the day-to-day sequence of radiation follows the day-to-day weather of the temperature donor.

Every monthly total is then calibrated to the station's measured climatology (CBED,
``weather/data/station_climatology.csv``): global irradiation by scaling ``kt``
(:func:`calibrate_clearness`), diffuse by scaling the Erbs, Klein & Duffie (1982) diffuse
fraction (:func:`calibrate_diffuse`).
"""

from __future__ import annotations

import numpy as np

SIGMA_W_M2K4 = 5.6697e-8  # Stefan–Boltzmann constant, value used by EnergyPlus


def monthly_sum(values: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Sum of ``values`` per month 1..12 (12 values)."""
    return np.array([values[month == m].sum() for m in range(1, 13)])


def erbs_diffuse_fraction(kt: np.ndarray) -> np.ndarray:
    """Hourly diffuse fraction DHI/GHI from the clearness index (Erbs, Klein & Duffie 1982,
    *Solar Energy* 28:293–302, eq. 1)."""
    kt = np.asarray(kt, dtype=float)
    mid = 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4
    return np.where(kt <= 0.22, 1.0 - 0.09 * kt, np.where(kt <= 0.80, mid, 0.165))


def bristow_campbell_transmittance(daily_range_k: np.ndarray, monthly_mean_range_k: np.ndarray) -> np.ndarray:
    """Relative daily transmittance ``1 − exp(−B·ΔT^2.4)``, ``B = 0.036·exp(−0.154·ΔT̄)``
    (Bristow & Campbell 1984; the factor ``A`` is left to the monthly calibration).
    ``daily_range_k``: each day's max − min dry bulb (K); ``monthly_mean_range_k``: the mean
    daily range of that day's month (K), same length."""
    b = 0.036 * np.exp(-0.154 * np.asarray(monthly_mean_range_k, dtype=float))
    return 1.0 - np.exp(-b * np.maximum(np.asarray(daily_range_k, dtype=float), 0.0) ** 2.4)


def calibrate_clearness(kt: np.ndarray, etr_horizontal_wh_m2: np.ndarray, month: np.ndarray,
                        target_kwh_m2: np.ndarray, max_kt: float, iterations: int = 12) -> np.ndarray:
    """Scale the hourly clearness index month by month (capped at ``max_kt``) so that each
    monthly global horizontal irradiation equals ``target_kwh_m2`` (12 values, kWh/m²)."""
    scale = np.ones(12)
    for _ in range(iterations):
        ghi = np.clip(kt * scale[month - 1], 0.0, max_kt) * etr_horizontal_wh_m2
        got = monthly_sum(ghi, month) / 1000.0
        scale = scale * np.where(got > 0, target_kwh_m2 / np.maximum(got, 1e-9), 1.0)
    return np.clip(kt * scale[month - 1], 0.0, max_kt)


def calibrate_diffuse(ghi_wh_m2: np.ndarray, diffuse_fraction: np.ndarray, month: np.ndarray,
                      target_dhi_kwh_m2: np.ndarray | None, iterations: int = 8) -> np.ndarray:
    """Hourly diffuse horizontal irradiance (Wh/m²) = GHI × diffuse fraction, the fraction scaled
    month by month (kept within 0..1) so that the monthly diffuse irradiation equals
    ``target_dhi_kwh_m2`` (12 values; None: no calibration)."""
    fd = np.clip(diffuse_fraction, 0.0, 1.0)
    if target_dhi_kwh_m2 is None:
        return ghi_wh_m2 * fd
    scale = np.ones(12)
    for _ in range(iterations):
        dhi = ghi_wh_m2 * np.clip(fd * scale[month - 1], 0.0, 1.0)
        got = monthly_sum(dhi, month) / 1000.0
        scale = scale * np.where(got > 0, target_dhi_kwh_m2 / np.maximum(got, 1e-9), 1.0)
    return ghi_wh_m2 * np.clip(fd * scale[month - 1], 0.0, 1.0)


def sky_cover_tenths(daily_clearness: np.ndarray, clear_sky_clearness: float = 0.75) -> np.ndarray:
    """Cloud cover (tenths) from the daily clearness index by inverting Kasten & Czeplak (1980,
    *Solar Energy* 24:177–189): ``G/G_clear = 1 − 0.75·(N/8)^3.4`` with ``G/G_clear`` taken as
    ``kt / clear_sky_clearness``."""
    ratio = np.clip(np.asarray(daily_clearness, dtype=float) / clear_sky_clearness, 0.0, 1.0)
    octas = 8.0 * ((1.0 - ratio) / 0.75) ** (1.0 / 3.4)
    return np.clip(np.round(octas * 10.0 / 8.0), 0.0, 10.0)


def sky_infrared_wh_m2(dry_bulb_c: np.ndarray, dew_point_c: np.ndarray,
                       opaque_sky_tenths: np.ndarray) -> np.ndarray:
    """Horizontal infrared radiation from the sky (Clark & Allen 1978 emissivity with the cloud
    correction of Walton 1983), the formula EnergyPlus applies when the field is missing."""
    n = np.where((opaque_sky_tenths >= 0) & (opaque_sky_tenths <= 10), opaque_sky_tenths, 5.0)
    tk = dry_bulb_c + 273.15
    tdk = dew_point_c + 273.15
    eps = (0.787 + 0.764 * np.log(tdk / 273.0)) * (1 + 0.0224 * n - 0.0035 * n**2 + 0.00028 * n**3)
    return eps * SIGMA_W_M2K4 * tk**4
