"""Construction builder against hand calculations (no EnergyPlus)."""

from __future__ import annotations

import pytest
from ultralow.errors import InputError
from ultralow.templates.constructions import opaque_construction

# Films of EnergyPlus's "U-Factor with Film" (DataHeatBalance.cc): wall 0.1197548 + 0.0299387.
WALL_FILMS = 0.1197548 + 0.0299387


def test_wall_with_given_insulation_matches_hand_calculation():
    cons = opaque_construction("wall", insulation="eps", insulation_mm=100)
    # render 5 mm (0.93), EPS 100 mm (0.039), concrete 200 mm (1.74), mortar 20 mm (0.93)
    r = WALL_FILMS + 0.005 / 0.93 + 0.100 / 0.039 + 0.200 / 1.74 + 0.020 / 0.93
    assert cons.u_with_film_w_m2k == pytest.approx(1 / r, rel=1e-9)
    assert [x.material for x in cons.layers] == ["polymer_render", "eps", "reinforced_concrete", "cement_mortar"]


@pytest.mark.parametrize("u", [0.10, 0.15, 0.30, 0.8])
def test_target_u_is_met_exactly(u):
    cons = opaque_construction("wall", u_target_w_m2k=u, insulation="xps")
    assert cons.u_with_film_w_m2k == pytest.approx(u, rel=1e-9)
    r_base = WALL_FILMS + 0.005 / 0.93 + 0.200 / 1.74 + 0.020 / 0.93
    assert cons.insulation_thickness_m == pytest.approx((1 / u - r_base) * 0.030, rel=1e-9)


def test_target_above_uninsulated_value_is_refused():
    r_base = WALL_FILMS + 0.005 / 0.93 + 0.200 / 1.74 + 0.020 / 0.93
    with pytest.raises(InputError, match=rf"wall_u_w_m2k=3.5 is above .* \({1 / r_base:.3f} W"):
        opaque_construction("wall", u_target_w_m2k=3.5)


def test_u_and_thickness_together_are_refused():
    with pytest.raises(InputError, match="either a target U-value"):
        opaque_construction("roof", u_target_w_m2k=0.2, insulation_mm=100)


def test_non_insulation_material_is_refused():
    with pytest.raises(InputError, match="not an insulation material"):
        opaque_construction("roof", u_target_w_m2k=0.2, insulation="reinforced_concrete")
