"""A model file optimised like a template (issue 16): the engine's DOE small office in Harbin, a
package parameter (wall U) and a field parameter (lighting power multiplier) as variables, real
EnergyPlus on a local Ray cluster (2 CPUs), one January week. Independent reference for the
variables reaching the model: EnergyPlus's own reports (the wall U it reports equals the wall U
asked for within 2 %; the lighting electricity scales with the multiplier asked for)."""

from __future__ import annotations

import pandas as pd
import pytest
from ultralow.errors import InputError
from ultralow.optimise.run import run_optimisation
from ultralow.optimise.spec import parse_spec


def _spec(store, **objectives) -> dict:
    return {
        "run": {"name": "byo", "population": 4, "generations": 2, "seed": 3, "period": "01-08:01-10",
                "store": str(store)},
        "building": {"idf": "engine:RefBldgSmallOfficeNew2004_Chicago.idf", "city": "harbin",
                     "field": [{"object": "Lights", "name": "*", "field": "Watts per Floor Area", "multiplier": 1.0,
                                "label": "lighting_factor"}]},
        "variables": {"wall_u_w_m2k": {"type": "float", "min": 0.2, "max": 0.6, "step": 0.2},
                      "lighting_factor": {"type": "float", "min": 0.5, "max": 1.0, "step": 0.1}},
        "objectives": [objectives or {"metric": "primary_energy_kwh_m2", "sense": "min"}],
    }


@pytest.mark.slow
def test_a_model_file_optimises_with_package_and_field_parameters(local_ray, tmp_path):
    first = run_optimisation(parse_spec(_spec(tmp_path / "store")), out_dir=tmp_path / "runs", progress=False)
    ev = pd.read_parquet(first.run_dir / "evaluations.parquet")
    ok = ev[ev["status"] == "ok"]
    assert len(ok) == len(ev) == 8, ev[["status", "error"]]
    for name in ("pareto.csv", "report.html", "checkpoint.json", "run.json", "store.sqlite"):
        assert (first.run_dir / name).is_file(), name
    # the package parameter reached the model: EnergyPlus reports the wall U asked for
    assert (abs(ok["reported_wall_u_w_m2k"] / ok["wall_u_w_m2k"] - 1) < 0.02).all()
    # the field parameter reached the model: lighting electricity is proportional to the multiplier
    per_factor = ok["lighting_electricity_kwh_m2"] / ok["lighting_factor"]
    assert per_factor.max() == pytest.approx(per_factor.min(), rel=1e-3)
    assert ok["lighting_factor"].nunique() >= 2, ok["lighting_factor"]
    # a second run over the same store simulates nothing new (cache keys hold the model's hash)
    again = run_optimisation(parse_spec(_spec(tmp_path / "store")), out_dir=tmp_path / "runs", progress=False)
    assert again.n_simulated == 0


def test_costs_and_targets_are_refused_for_a_model_file_naming_why(tmp_path):
    with pytest.raises(InputError, match="not available for a model file"):
        parse_spec(_spec(tmp_path, metric="lcc_rmb", sense="min"))
    bad = _spec(tmp_path)
    bad["building"]["field"][0]["field"] = "Watts per Zone Area"
    with pytest.raises(InputError, match="Watts_per_Floor_Area"):
        parse_spec(bad)
    bad = _spec(tmp_path)
    bad["building"]["idf"] = "engine:NoSuchBuilding.idf"
    with pytest.raises(InputError, match="RefBldgSmallOfficeNew2004_Chicago.idf"):
        parse_spec(bad)
