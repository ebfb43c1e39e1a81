"""A real sweep: EnergyPlus on local Ray (2 CPUs), tiny sample, one-week run period.

Checks the threshold table moves the right way as the wall U limit tightens, the sensitivity
table is filled, the report is written, and re-runs (resume, or a new run over the same shared
store) simulate nothing.
"""

from __future__ import annotations

import json

import pandas as pd
from ultralow.optimise.sweep import load_sweep, run_sweep

SPEC = """
[sweep]
name = "tiny"
method = "lhs"
n = 4
seed = 3
period = "01-08:01-14"
templates = ["residential"]
cities = ["harbin"]
store = "{store}"

[parameters]
roof_u_w_m2k = 0.15
depth_m = 15.0            # shape coefficient within GB 55015's 0.30 1/m
wwr_north = 0.20
hrv_efficiency = 0.75
n50_ach = 1.0

[variables.wall_u_w_m2k]
type = "float"
min = 0.12
max = 0.45
step = 0.01

[variables.window_u_w_m2k]
type = "float"
min = 0.8
max = 1.8
step = 0.1

[[threshold]]
name = "wall U"
standard = "gb55015_2021"
indicator = "wall_u_w_m2k"
values = [0.45, 0.30, 0.12]
zones = ["severe_cold"]

[sensitivity]
method = "morris"
n = 2
outputs = ["heating_demand_kwh_m2", "incremental_investment_rmb"]
resamples = 100
"""



def test_sweep_end_to_end(tmp_path, local_ray):
    spec_path = tmp_path / "tiny.toml"
    spec_path.write_text(SPEC.format(store=tmp_path / "shared"))
    spec = load_sweep(spec_path)
    first = run_sweep(spec, out_dir=tmp_path / "runs", progress=False)
    res = first.results
    assert res["status"].eq("ok").all(), res[["sample", "status", "error"]]
    assert (res["sample"].value_counts().to_dict() == {"main": 4, "morris": 2 * 3, "default": 1, "baseline": 1})
    # 4 + 6 designs, the default and the baseline; every design shares one 2016-era reference
    # building, one GB 55015 reference (the threshold study's gb55015 target; also the baseline
    # package, the same simulation) and one new-build cost base
    assert first.n_simulated == len(set(res["key"])) + 2
    for name in ("results.parquet", "results.csv", "thresholds.csv", "sensitivity_morris.csv", "report.html"):
        assert (first.run_dir / name).is_file(), name
    assert pd.read_parquet(first.run_dir / "results.parquet").shape[0] == len(res)

    th = first.thresholds.sort_values("threshold", ascending=False)
    shares = th["compliance_share"].tolist()
    assert shares == sorted(shares, reverse=True) and shares[0] > shares[-1]
    # every simulated design counts: the 4 main designs and the 6 Morris designs (issue 15)
    assert th["applies"].all() and th["n_designs"].eq(10).all() and th["samples"].eq("main+morris").all()
    assert (th["compliance_share_low"] <= th["compliance_share"]).all()
    assert (th["compliance_share"] <= th["compliance_share_high"]).all()
    # the cheapest complying package cannot get cheaper as the limit tightens
    costs = th["cheapest_cost_rmb_m2"].dropna().tolist()
    assert costs == sorted(costs)
    assert th["extra_cost_rmb_m2"].notna().sum() == len(costs)
    counted = res[~res["sample"].isin(["default", "baseline"])]
    assert th.iloc[0]["n_complying"] <= len(counted)
    wall_ok = counted[counted["wall_u_w_m2k"] <= 0.30 + 1e-9]
    assert th.iloc[1]["n_complying"] <= len(wall_ok)

    sens = first.sensitivity["sensitivity_morris"].set_index(["output", "variable"])
    assert sens.loc[("heating_demand_kwh_m2", "wall_u_w_m2k"), "mu"] > 0  # a worse wall needs more heat
    assert sens.loc[("heating_demand_kwh_m2", "window_u_w_m2k"), "mu"] > 0
    html = first.report.read_text()
    assert "data:image/png;base64," in html and "wall U" in html
    # issue 14: the sweep states each site's weather; Harbin's file is synthetic and says so
    weather = json.loads((first.run_dir / "weather.json").read_text())
    assert list(weather) == ["harbin"] and weather["harbin"]["synthetic"] is True
    assert "<h2>Weather</h2>" in html and "synthetic design year (indicative verdicts only)" in html

    resumed = run_sweep(None, resume_dir=first.run_dir, progress=False)
    assert resumed.n_simulated == 0
    assert resumed.thresholds["compliance_share"].tolist() == first.thresholds["compliance_share"].tolist()
    again = run_sweep(load_sweep(spec_path), out_dir=tmp_path / "runs", progress=False)
    assert again.run_dir != first.run_dir and again.n_simulated == 0
    assert set(again.results["source"]) == {"store"}
