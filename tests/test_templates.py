"""Template parameters and geometry (no EnergyPlus)."""

from __future__ import annotations

import pytest
from ultralow.errors import InputError
from ultralow.sim.heat_pump import HeatPumpModel
from ultralow.templates import get_template, list_templates
from ultralow.templates.geometry import BlockGeometry
from ultralow.templates.parameters import parse_assignments


def test_templates_list_every_parameter_with_unit_default_range():
    assert list_templates() == ["office", "residential"]
    for name in list_templates():
        rows = get_template(name).describe()
        names = {row["name"] for row in rows}
        assert {"wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k", "wall_insulation", "wall_insulation_mm",
                "window_u_w_m2k", "window_shgc", "n50_ach", "hrv_efficiency", "heat_pump",
                "pv_roof_fraction", "storeys", "orientation_deg", "wwr_south"} <= names
        assert all(row["meaning"] and row["allowed"] for row in rows)


def test_set_values_are_checked():
    tpl = get_template("residential")
    params = tpl.resolve(parse_assignments(["wall_u_w_m2k=0.15", "storeys=9", "heat_pump=ashp_standard"]))
    assert params["wall_u_w_m2k"] == 0.15 and params["storeys"] == 9
    with pytest.raises(InputError, match="out of range"):
        tpl.resolve({"wwr_south": 0.95})
    with pytest.raises(InputError, match="not an integer"):
        tpl.resolve({"storeys": "6.5"})
    with pytest.raises(InputError, match="did you mean wall_u_w_m2k"):
        tpl.resolve({"wall_u_w_m2": 0.2})
    with pytest.raises(InputError, match="ashp_low_ambient"):
        tpl.resolve({"heat_pump": "gshp"})
    with pytest.raises(InputError, match="unknown template 'villa'"):
        get_template("villa")
    with pytest.raises(InputError, match="expected name=value"):
        parse_assignments(["wall_u_w_m2k"])


def test_shape_coefficient_hand_calculation():
    g = BlockGeometry(60, 12, 6, 2.9, 0.4, 0.3, 0.1, 0.1)
    area = 2 * (60 + 12) * 2.9 * 6 + 60 * 12  # walls + roof; the ground floor is not counted (GB 50189 2.0.1)
    assert g.shape_coefficient_1_m == pytest.approx(area / (60 * 12 * 6 * 2.9))


def test_heat_pump_curves_hand_values():
    hp = HeatPumpModel.from_catalogue("ashp_low_ambient")
    # rated 3.5 at 7 degC, slope 0.020/K: at -12 degC 3.5 * (1 - 0.38) = 2.17; frosting band -7..5 (8 %)
    cop = hp.heating_cop([7.0, -12.0, 0.0, -35.0])
    assert cop[0] == pytest.approx(3.5)  # rating point, above the frosting band
    assert cop[1] == pytest.approx(2.17)
    assert cop[2] == pytest.approx(3.5 * (1 - 0.14) * 0.92)
    assert cop[3] == 1.0  # below the -30 degC cut-off: electric backup
    heat, cool = hp.electricity_kwh([2.17, 0.0], [0.0, 3.4], [-12.0, 35.0])
    assert heat == pytest.approx(1.0) and cool == pytest.approx(1.0)
