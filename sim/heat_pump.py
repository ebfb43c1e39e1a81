"""Air-source heat pump electricity from hourly ideal heating/cooling loads.

The curves and their parameters are in ``templates/data/heat_pumps.toml`` (documented there):
a linear COP/EER dependence on outdoor dry-bulb around the rating point, a defrost penalty in
the frosting band, and direct electric backup (COP 1) below the unit's cut-off temperature.
:func:`heating_cop_curve` is the heating curve alone, shared with the heat-pump water heaters of
:mod:`ultralow.sim.hot_water`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ultralow.templates import catalogues


def heating_cop_curve(outdoor_c: np.ndarray | float, rated_cop: float, rated_temp_c: float, slope_per_k: float,
                      cop_min: float, cutoff_temp_c: float, defrost_low_c: float = math.nan,
                      defrost_high_c: float = math.nan, defrost_penalty: float = 0.0) -> np.ndarray:
    """Heating COP (-) of an air-source heat pump at outdoor dry-bulb ``outdoor_c`` (degC), the curve
    of ``templates/data/heat_pumps.toml`` (space heating) and ``templates/data/hot_water.toml``
    (heat-pump water heaters):

    ``COP(T) = max(cop_min, rated_cop * (1 + slope_per_k * (T - rated_temp_c)))``, times
    ``(1 - defrost_penalty)`` for ``defrost_low_c <= T <= defrost_high_c`` (no band when NaN), and
    1.0 (direct electric backup) below ``cutoff_temp_c``."""
    t = np.asarray(outdoor_c, dtype=float)
    cop = rated_cop * (1.0 + slope_per_k * (t - rated_temp_c))
    cop = np.maximum(cop, cop_min)
    frosting = (t >= defrost_low_c) & (t <= defrost_high_c)
    cop = np.where(frosting, cop * (1.0 - defrost_penalty), cop)
    return np.where(t < cutoff_temp_c, 1.0, cop)


@dataclass(frozen=True)
class HeatPumpModel:
    """Performance of one catalogue heat pump (see data file for the meaning of each field)."""

    id: str
    rated_cop_heating: float
    rated_temp_heating_c: float
    heating_slope_per_k: float
    cop_min: float
    cutoff_temp_c: float
    defrost_low_c: float
    defrost_high_c: float
    defrost_penalty: float
    rated_eer_cooling: float
    rated_temp_cooling_c: float
    cooling_slope_per_k: float

    @classmethod
    def from_catalogue(cls, heat_pump_id: str) -> HeatPumpModel:
        data = catalogues.entry("heat_pumps", heat_pump_id, "heat pump")
        return cls(id=heat_pump_id, **{k: float(data[k]) for k in cls.__dataclass_fields__ if k != "id"})

    def heating_cop(self, outdoor_c: np.ndarray) -> np.ndarray:
        """Effective heating COP at outdoor dry-bulb ``outdoor_c`` (degC); 1.0 below cut-off."""
        return heating_cop_curve(outdoor_c, self.rated_cop_heating, self.rated_temp_heating_c,
                                 self.heating_slope_per_k, self.cop_min, self.cutoff_temp_c,
                                 self.defrost_low_c, self.defrost_high_c, self.defrost_penalty)

    def cooling_eer(self, outdoor_c: np.ndarray) -> np.ndarray:
        """Cooling EER at outdoor dry-bulb ``outdoor_c`` (degC), at least 1."""
        t = np.asarray(outdoor_c, dtype=float)
        eer = self.rated_eer_cooling * (1.0 - self.cooling_slope_per_k * (t - self.rated_temp_cooling_c))
        return np.maximum(eer, 1.0)

    def hourly_electricity_kwh(
        self, heating_kwh: np.ndarray, cooling_kwh: np.ndarray, outdoor_c: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hourly heating and cooling electricity (kWh) for hourly loads (kWh) and temperatures."""
        heat = np.asarray(heating_kwh, dtype=float) / self.heating_cop(outdoor_c)
        cool = np.asarray(cooling_kwh, dtype=float) / self.cooling_eer(outdoor_c)
        return heat, cool

    def electricity_kwh(
        self, heating_kwh: np.ndarray, cooling_kwh: np.ndarray, outdoor_c: np.ndarray
    ) -> tuple[float, float]:
        """Heating and cooling electricity (kWh) for hourly loads (kWh) and temperatures."""
        heat, cool = self.hourly_electricity_kwh(heating_kwh, cooling_kwh, outdoor_c)
        return float(np.sum(heat)), float(np.sum(cool))
