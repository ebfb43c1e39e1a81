"""HTML report from small synthetic frames: sections, inline images, no external assets."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ultralow.optimise.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
SECTIONS = ("Spec", "Run summary", "Pareto front", "Parallel coordinates", "Energy breakdown", "Cost breakdown",
            "Convergence by generation", "Pareto set", "Failed designs")


def synthetic(n: int = 24, generations: int = 3, seed: int = 1, with_pv: bool = True):
    rng = np.random.default_rng(seed)
    wall = rng.uniform(0.1, 0.4, n)
    window = rng.choice(["double_lowe_pvc", "triple_lowe_passive", "vacuum_composite"], n)
    rows = []
    for i in range(n):
        heating = 10 + 60 * wall[i]
        inv = 200 + 800 * (0.4 - wall[i])
        row = {
            "design_id": f"d{i:04x}abcdef", "generation": i % generations,
            "status": "failed" if i == 5 else ("cached" if i == 7 else "ok"),
            "error": "EnergyPlus Severe: <boom>" if i == 5 else "",
            "var.wall_u_w_m2k": wall[i], "var.window": window[i], "var.n50_ach": rng.uniform(0.5, 2.0),
            "param.wall_u_w_m2k": wall[i],
            "res.heating_demand_kwh_m2": heating, "res.cooling_demand_kwh_m2": 5.0,
            "res.heating_electricity_kwh_m2": heating / 2.5,
            "res.cooling_electricity_kwh_m2": 1.5, "res.fan_electricity_kwh_m2": 3.0,
            "res.lighting_electricity_kwh_m2": 8.0, "res.equipment_electricity_kwh_m2": 20.0,
            "res.net_site_energy_kwh_m2": heating / 2.5 + 32.5 - (10.0 if with_pv else 0.0),
            "res.primary_energy_kwh_m2": 2.6 * (heating / 2.5 + 12.5), "res.conditioned_floor_area_m2": 4320.0,
            "cost.floor_area_m2": 4320.0, "cost.investment_rmb": inv * 4320,
            "cost.investment_insulation_wall_rmb": 100 * 4320 * (0.4 - wall[i]),
            "cost.investment_windows_rmb": 300000.0, "cost.investment_heat_pump_rmb": 200000.0,
            "cost.incremental_investment_rmb_m2": inv, "cost.lcc_rmb_m2": 900 - heating,
            "cost.simple_payback_years": np.inf if i == 3 else 12.0,
        }
        if with_pv:
            row["res.pv_generation_kwh_m2"] = 10.0
            row["cost.investment_pv_rmb"] = 150000.0
        if i == 5:  # a failed row has no results
            row = {k: (np.nan if k.startswith(("res.", "cost.")) else v) for k, v in row.items()}
        rows.append(row)
    evaluations = pd.DataFrame(rows)
    ok = evaluations[evaluations.status != "failed"]
    front = ok.sort_values("res.heating_demand_kwh_m2").iloc[::3].copy()
    front["obj.primary_energy_kwh_m2"] = front["res.primary_energy_kwh_m2"]
    front["obj.incremental_investment_rmb_m2"] = front["cost.incremental_investment_rmb_m2"]
    history = pd.DataFrame({
        "generation": range(generations), "n_evaluated": [8] * generations, "n_failed": [1, 0, 0][:generations],
        "n_cached": [0, 1, 0][:generations],
        "best.primary_energy_kwh_m2": np.linspace(60, 50, generations),
        "best.incremental_investment_rmb_m2": np.linspace(300, 250, generations),
    })
    spec = {"run": {"name": "synthetic <test>", "population": 8, "generations": generations},
            "building": {"template": "residential", "city": "harbin"},
            "objectives": [{"metric": "primary_energy_kwh_m2", "sense": "min"},
                           {"metric": "incremental_investment_rmb_m2", "sense": "min"}]}
    return evaluations, front, history, spec


def check_self_contained(text: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text and "<link" not in text


def test_report_sections_and_inline_images(tmp_path):
    evaluations, pareto, history, spec = synthetic()
    pareto.iloc[0, pareto.columns.get_loc("cost.simple_payback_years")] = np.inf  # no saving
    path = write_report(tmp_path / "run", evaluations, pareto, history, spec)
    assert path == tmp_path / "run" / "report.html"
    text = path.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f"<h2>{section}" in text, section
    images = re.findall(r'<img alt="figure" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 5  # front, parallel coordinates, energy, cost, convergence
    assert "could not draw" not in text
    check_self_contained(text)
    assert "synthetic &lt;test&gt;" in text and "&lt;boom&gt;" in text  # escaped
    assert "<td>∞</td>" in text  # infinite payback shown as such
    for design_id in pareto["design_id"]:
        assert design_id in text


def test_report_three_objectives_no_pv_and_missing_columns(tmp_path):
    evaluations, pareto, history, spec = synthetic(with_pv=False)
    pareto["obj.cooling_demand_kwh_m2"] = pareto["res.cooling_demand_kwh_m2"]
    spec["objectives"].append({"metric": "cooling_demand_kwh_m2", "sense": "min"})
    evaluations = evaluations.drop(columns=["cost.investment_windows_rmb", "res.fan_electricity_kwh_m2"])
    history = history.drop(columns=["n_cached"])
    text = write_report(tmp_path, evaluations, pareto, history, spec).read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') == 5
    assert "could not draw" not in text
    check_self_contained(text)


def test_report_degenerate_inputs(tmp_path):
    evaluations, pareto, history, _ = synthetic()
    failed_only = evaluations.assign(status="failed")
    text = write_report(tmp_path / "a", failed_only, pareto.iloc[0:0], pd.DataFrame(), {}).read_text()
    assert "<h2>Pareto front" in text and "could not draw" not in text
    text = write_report(tmp_path / "b", pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {}).read_text()
    for section in SECTIONS:
        assert f"<h2>{section}" in text
    check_self_contained(text)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) not installed")
def test_report_renders_in_headless_chromium(tmp_path):
    evaluations, pareto, history, spec = synthetic()
    path = write_report(tmp_path, evaluations, pareto, history, spec)
    png = tmp_path / "report.png"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}",
                    "--window-size=1200,3000", path.as_uri()], check=True, timeout=60, capture_output=True)
    assert png.exists() and png.stat().st_size > 10_000
    shutil.copy(png, tmp_path / "kept.png")


def test_report_accepts_unprefixed_optimiser_rows(tmp_path):
    """The optimiser's flat rows: plain variable/result/cost columns, param_<name>, best_<metric>."""
    evaluations, pareto, history, spec = synthetic()
    spec["variables"] = {"wall_u_w_m2k": {"type": "float"}, "window": {"type": "choice"}, "n50_ach": {}}

    def flat(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("obj.")])
        return frame.rename(columns=lambda c: c.replace("param.", "param_").split(".", 1)[-1])

    evaluations = flat(evaluations).assign(status=lambda f: f["status"].replace("failed", "error"))
    history = history.rename(columns=lambda c: c.replace("best.", "best_"))
    text = write_report(tmp_path, evaluations, flat(pareto), history, spec).read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') == 5
    assert "could not draw" not in text and "Failed designs (1)" in text
    assert "var.wall_u_w_m2k" in text  # the Pareto table shows the aliased variables


def test_report_shows_the_measure_table_of_a_retrofit(tmp_path):
    """The run writes measures.json for a retrofit; the report shows it as a table with its method."""
    import json

    evaluations, pareto, history, spec = synthetic()
    run = tmp_path / "run"
    run.mkdir()
    rows = [{"measure": "lighting", "primary_energy_saving_kwh_m2": 65.75, "investment_rmb": 330000.0,
             "simple_payback_years": 2.29},
            {"measure": "heat_pump", "primary_energy_saving_kwh_m2": 59.7, "investment_rmb": 2107121.0,
             "simple_payback_years": 23.97}]
    (run / "measures.json").write_text(json.dumps({"rows": rows, "design_id": "abc123", "chosen_by": "best lcc"}))
    text = write_report(run, evaluations, pareto, history, spec).read_text(encoding="utf-8")
    assert "Measure by measure" in text and "heat_pump" in text and "abc123" in text
    assert "added one at a time to the existing building" in text
    (run / "measures.json").write_text(json.dumps({"rows": [], "why_none": "no feasible design"}))
    text = write_report(run, evaluations, pareto, history, spec).read_text(encoding="utf-8")
    assert "no feasible design" in text
