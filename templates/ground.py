"""Ground temperatures under a slab on grade, ISO 13370:2017 (simplified monthly method).

EnergyPlus puts a monthly ground temperature directly on the outer face of a ground-contact
floor. To make the floor's heat loss follow ISO 13370 rather than a fixed guess, the monthly
heat flow through the slab is computed with ISO 13370 and turned into the equivalent ground
temperature for the simulated floor construction:

    d_t   = w + lambda_g (R_si + R_f + R_se)                      (equivalent thickness, m)
    B'    = A / (0.5 P)                                            (characteristic dimension, m)
    U_0   = 2 lambda_g / (pi B' + d_t) ln(pi B' / d_t + 1)  if d_t < B'
          = lambda_g / (0.457 B' + d_t)                     otherwise   (W/(m2 K))
    H_pe  = 0.37 P lambda_g ln(delta / d_t + 1)                    (periodic external, W/K)
    Phi_m = U_0 A (T_i - T_e,mean) - H_pe (T_e,m-1 - T_e,mean)     (W; one month's lag)
    T_g,m = T_i - Phi_m / (A / (R_si + R_f))                       (degC)

with lambda_g = 2.0 W/(m K) (clay or silt, ISO 13370 Table 7), delta = 3.2 m (its periodic
penetration depth), w = 0.3 m (wall thickness), R_si = 0.17, R_se = 0.04 m2K/W. The one-month
lag stands in for ISO 13370's phase terms (an approximation, stated in docs/method.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

LAMBDA_GROUND_W_MK = 2.0
PENETRATION_DEPTH_M = 3.2
WALL_THICKNESS_M = 0.3
R_SI_FLOOR_M2K_W = 0.17
R_SE_M2K_W = 0.04


def slab_u0_w_m2k(area_m2: float, perimeter_m: float, r_floor_m2k_w: float) -> float:
    """ISO 13370 steady-state U-value of a slab on ground (soil included), W/(m2 K)."""
    d_t = WALL_THICKNESS_M + LAMBDA_GROUND_W_MK * (R_SI_FLOOR_M2K_W + r_floor_m2k_w + R_SE_M2K_W)
    b = area_m2 / (0.5 * perimeter_m)
    if d_t < b:
        return 2 * LAMBDA_GROUND_W_MK / (math.pi * b + d_t) * math.log(math.pi * b / d_t + 1)
    return LAMBDA_GROUND_W_MK / (0.457 * b + d_t)


def ground_temperatures_c(monthly_outdoor_c: Sequence[float], indoor_c: float, area_m2: float,
                          perimeter_m: float, r_floor_m2k_w: float) -> list[float]:
    """Monthly temperatures (degC) for EnergyPlus's Site:GroundTemperature:BuildingSurface that
    give the ISO 13370 heat flow through a floor of layer resistance ``r_floor_m2k_w``."""
    t_mean = sum(monthly_outdoor_c) / len(monthly_outdoor_c)
    d_t = WALL_THICKNESS_M + LAMBDA_GROUND_W_MK * (R_SI_FLOOR_M2K_W + r_floor_m2k_w + R_SE_M2K_W)
    h_pe = 0.37 * perimeter_m * LAMBDA_GROUND_W_MK * math.log(PENETRATION_DEPTH_M / d_t + 1)
    steady = slab_u0_w_m2k(area_m2, perimeter_m, r_floor_m2k_w) * area_m2 * (indoor_c - t_mean)
    conductance = area_m2 / (R_SI_FLOOR_M2K_W + r_floor_m2k_w)
    out = []
    for m in range(12):
        phi = steady - h_pe * (monthly_outdoor_c[m - 1] - t_mean)
        out.append(round(indoor_c - phi / conductance, 2))
    return out
