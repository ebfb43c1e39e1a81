"""The fast model's stored PV profile (sim/pv_profile.py): real EnergyPlus, one June week.

Independent reference: the same fast design with its PVWatts array simulated by EnergyPlus (a
fresh cache); a run that reuses a profile stored by a design of another capacity must give the
same answers to rounding, with no PV object left in its EnergyPlus model.
"""

from __future__ import annotations

import math
import shutil

import pytest
from ultralow.paths import cache_dir
from ultralow.sim import pv_profile
from ultralow.sim.simulate import simulate

PERIOD = "06-01:06-07"


def _fresh_profiles() -> None:
    pv_profile._PROFILES.clear()
    shutil.rmtree(cache_dir() / "pv_profiles", ignore_errors=True)


def _close(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_a_stored_profile_gives_the_simulated_arrays_answers(chicago_weather, module_cache, tmp_path):
    params = {"fidelity": "fast", "storeys": 4}
    _fresh_profiles()
    reference = simulate("residential", {**params, "pv_roof_fraction": 0.3}, chicago_weather,
                         run_dir=tmp_path / "reference", period=PERIOD)
    assert "GENERATOR:PVWATTS" in (tmp_path / "reference" / "in.idf").read_text().upper()
    assert reference.pv_generation_kwh_m2 > 0

    _fresh_profiles()  # a design of another capacity stores the array's profile ...
    simulate("residential", {**params, "pv_roof_fraction": 0.6}, chicago_weather, run_dir=tmp_path / "store",
             period=PERIOD)
    assert len(list((cache_dir() / "pv_profiles").glob("*.npz"))) == 1
    pv_profile._PROFILES.clear()  # ... read back from the file, as another worker process would
    reused = simulate("residential", {**params, "pv_roof_fraction": 0.3}, chicago_weather,
                      run_dir=tmp_path / "reused", period=PERIOD)
    idf = (tmp_path / "reused" / "in.idf").read_text().upper()
    assert "GENERATOR:PVWATTS" not in idf and "ELECTRICITYPRODUCED:FACILITY" not in idf

    expected, got = reference.to_dict(), reused.to_dict()
    differing = [k for k in expected if k not in ("run_dir", "engine_seconds", "warnings")
                 and not _close(expected[k], got[k])]
    assert differing == []
    assert reused.pv_generation_kwh_m2 == pytest.approx(reference.pv_generation_kwh_m2, rel=1e-9)


def test_the_full_model_and_other_periods_simulate_their_array(chicago_weather, module_cache, tmp_path):
    _fresh_profiles()
    for fidelity in ("fast", "full"):  # the fast run stores a profile; the full model never uses it
        simulate("residential", {"fidelity": fidelity, "storeys": 4, "pv_roof_fraction": 0.3}, chicago_weather,
                 run_dir=tmp_path / fidelity, period=PERIOD)
    assert "GENERATOR:PVWATTS" in (tmp_path / "full" / "in.idf").read_text().upper()
    simulate("residential", {"fidelity": "fast", "storeys": 4, "pv_roof_fraction": 0.3}, chicago_weather,
             run_dir=tmp_path / "other", period="06-08:06-09")  # another run period: another key
    assert "GENERATOR:PVWATTS" in (tmp_path / "other" / "in.idf").read_text().upper()
