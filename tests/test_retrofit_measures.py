"""Retrofit measures as template parameters (lighting_w_m2, roof_solar_absorptance, window_retrofit,
side_fin_depth_ratio), each checked on the real engine against a reference of its own:

- lighting: EnergyPlus's InteriorLights:Electricity meter = power density x floor area (from the
  geometry parameters) x the profile's full-load hours (summed by hand from the data file);
- cool roof: the roof reflectance in EnergyPlus's Envelope Summary, and its absorbed over incident
  solar radiation, equal 1 - a and a; the cooling-day saving lies inside a steady sol-air bound;
- window film / secondary glazing: the glass U, SHGC and VT EnergyPlus reports equal
  U' = 1/(1/U + dR), SHGC x f_g, VT x f_v computed here from the data file;
- side fins: the sunlit fraction EnergyPlus reports for a window between fins equals
  1 - PF |tan(gamma)| with EnergyPlus's own sun azimuth and the window azimuth it reports;
  the fin objects have the module count and depth measured from the window polygons.

Design days or a one-week period on small blocks: seconds per test.
"""

from __future__ import annotations

import math
import sqlite3
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from ultralow.errors import InputError
from ultralow.sim.engine import run_energyplus
from ultralow.sim.results import read_results
from ultralow.sim.run_control import RunPeriod
from ultralow.sim.simulate import build, simulate
from ultralow.templates import get_template
from ultralow.templates.envelope import retrofitted_window

SMALL = {"storeys": 1, "length_m": 20.0, "depth_m": 10.0}
DATA = resources.files("ultralow.templates") / "data"


def _data(name: str) -> dict:
    with (DATA / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def _envelope_column(sql_path: Path | str, table: str, column: str) -> dict[str, float]:
    """``{surface name: value}`` of one Envelope Summary column, as EnergyPlus reported it."""
    conn = sqlite3.connect(sql_path)
    try:
        rows = conn.execute(
            "SELECT RowName, Value FROM TabularDataWithStrings WHERE ReportName = 'EnvelopeSummary' "
            "AND TableName = ? AND ColumnName = ?", (table, column)).fetchall()
    finally:
        conn.close()
    return {name.upper(): float(value) for name, value in rows if value.strip() and "TOTAL" not in name.upper()}


def _cooling_day_series(sql_path: Path | str, variable: str) -> dict[tuple[int, str], float]:
    """``{(time index, key): value}`` of ``variable`` on the cooling design day."""
    conn = sqlite3.connect(sql_path)
    try:
        rows = conn.execute(
            """SELECT r.TimeIndex, UPPER(COALESCE(d.KeyValue, '')), r.Value FROM ReportData r
            JOIN ReportDataDictionary d ON r.ReportDataDictionaryIndex = d.ReportDataDictionaryIndex
            JOIN Time t ON r.TimeIndex = t.TimeIndex
            JOIN EnvironmentPeriods e ON t.EnvironmentPeriodIndex = e.EnvironmentPeriodIndex
            WHERE d.Name = ? AND e.EnvironmentName LIKE 'COOLING%'""", (variable,)).fetchall()
    finally:
        conn.close()
    return {(ti, key): value for ti, key, value in rows}


def _run_with_outputs(params: dict, weather, run_dir: Path, variables: list[tuple[str, str]]):
    """Build for the design days, add output variables, run; returns (model, sql path, result)."""
    period = RunPeriod(kind="design_days")
    model = build("residential", params, weather, period)
    for variable, frequency in variables:
        model.idf.newidfobject("OUTPUT:VARIABLE", Key_Value="*", Variable_Name=variable,
                               Reporting_Frequency=frequency)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "in.idf").write_text(model.idf_text())
    run = run_energyplus(run_dir / "in.idf", weather.epw_path, run_dir)
    result = read_results(run.sql_path, model=model, weather_label=weather.description, period=period.label,
                          engine_seconds=run.elapsed_s)
    return model, run.sql_path, result


# --- parameters and hand formulas (no engine) -------------------------------------------------

def test_bad_values_raise_input_error_naming_the_parameter():
    tpl = get_template("residential")
    bad = [("lighting_w_m2", 0.5), ("lighting_w_m2", 30), ("roof_solar_absorptance", 0.05),
           ("roof_solar_absorptance", 0.99), ("side_fin_depth_ratio", -0.1), ("side_fin_depth_ratio", 1.6),
           ("window_retrofit", "triple_glazing"), ("lighting_w_m2", "bright")]
    for name, value in bad:
        with pytest.raises(InputError, match=f"'{name}'"):
            tpl.resolve({name: value})
    with pytest.raises(InputError, match="window_retrofit.*secondary_glazing"):
        retrofitted_window(2.0, 0.5, 0.6, "curtains")
    # defaults: nothing changes unless asked
    params = get_template("office").resolve({})
    assert params["window_retrofit"] == "none" and params["side_fin_depth_ratio"] == 0.0
    assert params["roof_solar_absorptance"] is None and params["lighting_w_m2"] is None


def test_retrofitted_window_hand_values():
    # single glazing U 5.8, SHGC 0.80, VT 0.85 (a pre-1996 aluminium window)
    assert retrofitted_window(5.8, 0.80, 0.85, "none") == (5.8, 0.80, 0.85)
    u, g, vt = retrofitted_window(5.8, 0.80, 0.85, "secondary_glazing")
    assert u == pytest.approx(1.0 / (1.0 / 5.8 + 0.19))  # 2.759: + pane and air gap, 0.19 m2K/W
    assert 2.5 <= u <= 3.0  # the 2.5-3.0 W/(m2K) secondary-glazing suppliers quote for single glazing
    assert (g, vt) == (pytest.approx(0.80 * 0.89), pytest.approx(0.85 * 0.90))
    u, g, vt = retrofitted_window(5.8, 0.80, 0.85, "solar_control_film")
    assert (u, g, vt) == (pytest.approx(5.8), pytest.approx(0.48), pytest.approx(0.85 * 0.65))
    # every measure's data has a source and says whether it was verified
    for entry in _data("retrofit_measures")["window_retrofit"].values():
        assert entry["source"] and isinstance(entry["verified"], bool)


def test_window_retrofit_keeps_the_vintage_windows_and_adds_the_measure(chicago_weather):
    """A retrofit's windows are the vintage's (vintages.toml) unless set: the measure goes on top."""
    from ultralow.templates.standards.vintages import get_vintage

    old = get_vintage("pre1996", chicago_weather.climate_zone, "residential").values
    data = _data("retrofit_measures")["window_retrofit"]["secondary_glazing"]
    model = build("residential", {"vintage": "pre1996", "window_retrofit": "secondary_glazing"}, chicago_weather)
    glazing = model.idf.idfobjects["WINDOWMATERIAL:SIMPLEGLAZINGSYSTEM"][0]
    assert float(glazing.UFactor) == pytest.approx(1.0 / (1.0 / old["window_u_w_m2k"] + data["added_resistance_m2k_w"]))
    assert float(glazing.Solar_Heat_Gain_Coefficient) == pytest.approx(old["window_shgc"] * data["shgc_multiplier"])
    # the parameters still say what the existing windows are
    assert model.parameters["window_u_w_m2k"] == old["window_u_w_m2k"]


def test_side_fin_objects_have_the_module_count_and_depth_of_the_windows(chicago_weather):
    ratio = 0.5
    model = build("residential", {"side_fin_depth_ratio": ratio}, chicago_weather)
    idf = model.idf
    module = _data("retrofit_measures")["side_fins"]["max_module_width_m"]
    fins = idf.idfobjects["SHADING:BUILDING:DETAILED"]
    height = 6 * 2.9  # storeys x floor height (template defaults): the fins run the facade height
    outward = {"south": (0.0, -1.0), "east": (1.0, 0.0), "west": (-1.0, 0.0)}
    for facade, wall_index in (("south", "0001"), ("east", "0002"), ("west", "0004")):
        window = idf.getobject("FENESTRATIONSURFACE:DETAILED", f"Block Block Storey 0 Wall {wall_index} window")
        xs = [float(v[0]) for v in window.coords]
        ys = [float(v[1]) for v in window.coords]
        length = math.hypot(max(xs) - min(xs), max(ys) - min(ys))
        n = math.ceil(length / module)
        mine = [f for f in fins if f.Name.startswith(window.Name)]
        assert len(mine) == n + 1  # a fin on both sides of every module
        for fin in mine:
            v = [(float(fin[f"Vertex_{j}_Xcoordinate"]), float(fin[f"Vertex_{j}_Ycoordinate"]),
                  float(fin[f"Vertex_{j}_Zcoordinate"])) for j in range(1, 5)]
            dx, dy = v[2][0] - v[1][0], v[2][1] - v[1][1]
            assert math.hypot(dx, dy) == pytest.approx(ratio * length / n, abs=1e-5)  # depth = PF x module
            ox, oy = outward[facade]
            assert dx * ox + dy * oy == pytest.approx(math.hypot(dx, dy), abs=1e-5)  # perpendicular, outwards
            assert sorted({round(p[2], 6) for p in v}) == [0.0, pytest.approx(height)]
    north = idf.getobject("FENESTRATIONSURFACE:DETAILED", "Block Block Storey 0 Wall 0003 window")
    assert not [f for f in fins if f.Name.startswith(north.Name)]
    # the default model has no fins and keeps 0.6 on every opaque layer and the profile's lighting
    plain = build("residential", {}, chicago_weather).idf
    assert not plain.idfobjects["SHADING:BUILDING:DETAILED"]
    assert {float(m.Solar_Absorptance) for m in plain.idfobjects["MATERIAL"]} == {0.6}
    assert float(plain.idfobjects["LIGHTS"][0].Watts_per_Floor_Area) == 5.0  # everyday residential profile


# --- on the engine ------------------------------------------------------------------------------

def test_lighting_electricity_is_power_density_times_area_times_full_load_hours(chicago_weather, tmp_path):
    """Reference: the profile's lighting fractions summed by hand from calculation_profiles.toml
    (everyday residential, every day alike: 0.2+0.3+0.1+0.2+0.6+0.9+1+0.8+0.4+0.1 = 4.6 h/d)."""
    fractions = _data("calculation_profiles")["everyday_residential_cold"]["lighting"]
    assert sum(fractions) == pytest.approx(4.6)
    area_m2 = 20.0 * 10.0 * 1  # length x depth x storeys
    for lpd, expected_w_m2 in ((2.5, 2.5), (None, 5.0)):  # None: the profile's 5 W/m2
        result = simulate("residential", {**SMALL, "lighting_w_m2": lpd}, chicago_weather,
                          run_dir=tmp_path / str(lpd), period="07-01:07-07")
        energyplus_kwh = result.lighting_electricity_kwh_m2 * result.conditioned_floor_area_m2
        assert energyplus_kwh == pytest.approx(expected_w_m2 * area_m2 * 7 * 4.6 / 1000.0, rel=1e-3)


def test_cool_roof_absorptance_is_what_energyplus_simulates_and_lowers_cooling(chicago_weather, tmp_path):
    """An uninsulated roof (U 1.0) on a one-storey block, cooling design day: absorptance 0.3 (cool
    roof), default 0.6, 0.9 (dark)."""
    incident_var = "Surface Outside Face Incident Solar Radiation Rate per Area"
    absorbed_var = "Surface Outside Face Solar Radiation Heat Gain Rate per Area"
    cooling_kwh, incident_wh_m2 = {}, 0.0
    for alpha in (0.3, None, 0.9):
        params = {**SMALL, "roof_u_w_m2k": 1.0, "roof_solar_absorptance": alpha}
        model, sql, result = _run_with_outputs(params, chicago_weather, tmp_path / str(alpha),
                                               [(incident_var, "Hourly"), (absorbed_var, "Hourly")])
        a = 0.6 if alpha is None else alpha
        roof = model.idf.getobject("CONSTRUCTION", "Roof")
        outer = model.idf.getobject("MATERIAL", roof.Outside_Layer)
        assert float(outer.Solar_Absorptance) == float(outer.Visible_Absorptance) == a
        wall = model.idf.getobject("CONSTRUCTION", "Ext Wall")
        assert float(model.idf.getobject("MATERIAL", wall.Outside_Layer).Solar_Absorptance) == 0.6
        # EnergyPlus's own report and heat balance
        reflectance = {k: v for k, v in _envelope_column(sql, "Opaque Exterior", "Reflectance").items() if "ROOF" in k}
        assert reflectance and all(v == pytest.approx(1.0 - a, abs=0.005) for v in reflectance.values())
        incident = sum(v for (_, k), v in _cooling_day_series(sql, incident_var).items() if "ROOF" in k)
        absorbed = sum(v for (_, k), v in _cooling_day_series(sql, absorbed_var).items() if "ROOF" in k)
        assert incident > 5000  # Wh/m2 on a clear July day
        assert absorbed / incident == pytest.approx(a, rel=1e-4)
        cooling_kwh[alpha] = result.cooling_demand_kwh_m2 * result.conditioned_floor_area_m2
        incident_wh_m2 = incident
    assert cooling_kwh[0.3] < cooling_kwh[None] < cooling_kwh[0.9]
    # steady sol-air bound: dQ = U x d(alpha) x sum(I) x A / h_out, h_out (outside convection +
    # long-wave) between 10 and 25 W/(m2K)
    per_h = 1.0 * (0.6 - 0.3) * incident_wh_m2 / 1000.0 * 200.0
    assert per_h / 25 < cooling_kwh[None] - cooling_kwh[0.3] < per_h / 10


@pytest.mark.parametrize("measure", ["solar_control_film", "secondary_glazing"])
def test_window_retrofit_u_shgc_vt_as_energyplus_reports_them(chicago_weather, tmp_path, measure):
    """Existing single glazing (U 5.8, SHGC 0.80, VT 0.85); EnergyPlus's Envelope Summary glass
    values against the measure's formula with the data file's numbers."""
    data = _data("retrofit_measures")["window_retrofit"][measure]
    existing = {**SMALL, "window_u_w_m2k": 5.8, "window_shgc": 0.80, "window_vt": 0.85}
    before = simulate("residential", existing, chicago_weather, run_dir=tmp_path / "none", period="design-days")
    after = simulate("residential", {**existing, "window_retrofit": measure}, chicago_weather,
                     run_dir=tmp_path / measure, period="design-days")
    assert before.window_u_w_m2k == pytest.approx(5.8, rel=0.005)
    assert after.window_u_w_m2k == pytest.approx(1.0 / (1.0 / 5.8 + data["added_resistance_m2k_w"]), rel=0.005)
    assert after.window_shgc == pytest.approx(0.80 * data["shgc_multiplier"], rel=0.005)
    vt = _envelope_column(Path(after.run_dir) / "eplusout.sql", "Exterior Fenestration", "Glass Visible Transmittance")
    assert vt and all(v == pytest.approx(0.85 * data["vt_multiplier"], rel=0.005) for v in vt.values())
    # what each measure is for: the film cuts the cooling-day demand, the sash the heating-day demand
    assert after.cooling_demand_kwh_m2 < before.cooling_demand_kwh_m2
    if measure == "secondary_glazing":
        assert after.heating_demand_kwh_m2 < 0.9 * before.heating_demand_kwh_m2
    else:
        assert after.cooling_demand_kwh_m2 < 0.9 * before.cooling_demand_kwh_m2
        assert after.heating_demand_kwh_m2 == pytest.approx(before.heating_demand_kwh_m2, rel=1e-3)  # no sun


def test_side_fins_sunlit_fraction_is_one_minus_projection_factor_times_tan_gamma(chicago_weather, tmp_path):
    """Cooling design day, building turned 30 deg (the fins must turn with it). Window on the
    second of four storeys (fins continue above it); EnergyPlus's sun azimuth and the window azimuth
    of its Envelope Summary give gamma; beam sunlit fraction = max(0, 1 - PF |tan gamma|)."""
    ratio = 0.5
    base = {"storeys": 4, "length_m": 20.0, "depth_m": 10.0, "wwr_east": 0.4, "wwr_west": 0.4,
            "orientation_deg": 30.0}
    variables = [("Surface Outside Face Sunlit Fraction", "Timestep"), ("Site Solar Azimuth Angle", "Timestep"),
                 ("Site Solar Altitude Angle", "Timestep"),
                 ("Surface Window Transmitted Solar Radiation Energy", "Hourly")]
    _, sql, finned = _run_with_outputs({**base, "side_fin_depth_ratio": ratio}, chicago_weather, tmp_path / "fins",
                                       variables)
    _, sql_plain, plain = _run_with_outputs(base, chicago_weather, tmp_path / "plain", variables)
    azimuths = _envelope_column(sql, "Exterior Fenestration", "Azimuth")
    sun_az = {ti: v for (ti, _), v in _cooling_day_series(sql, "Site Solar Azimuth Angle").items()}
    sun_alt = {ti: v for (ti, _), v in _cooling_day_series(sql, "Site Solar Altitude Angle").items()}
    sunlit = _cooling_day_series(sql, "Surface Outside Face Sunlit Fraction")
    checked = 0
    for wall in ("0001", "0002", "0004"):  # south, east, west
        window = f"BLOCK BLOCK STOREY 1 WALL {wall} WINDOW"
        assert azimuths[window] == pytest.approx({"0001": 210.0, "0002": 120.0, "0004": 300.0}[wall], abs=0.1)
        for ti, az in sun_az.items():
            gamma = math.radians(az - azimuths[window])
            if sun_alt[ti] < 2.0 or math.cos(gamma) < 0.2:
                continue
            assert sunlit[(ti, window)] == pytest.approx(max(0.0, 1.0 - ratio * abs(math.tan(gamma))), abs=0.01)
            checked += 1
    assert checked > 40
    # the fins cut the beam gain of the east and west windows and the cooling-day demand
    transmitted = "Surface Window Transmitted Solar Radiation Energy"

    def east_west(path: Path | str) -> float:
        return sum(v for (_, k), v in _cooling_day_series(path, transmitted).items()
                   if "WALL 0002" in k or "WALL 0004" in k)

    assert east_west(sql) < 0.8 * east_west(sql_plain)
    assert finned.cooling_demand_kwh_m2 < plain.cooling_demand_kwh_m2


@pytest.mark.parametrize(("template", "profile", "expected_w_m2"), [
    ("residential", "everyday_residential_cold", 4.0),  # the design's lighting
    ("office", "gb55015_office", 4.0),  # public buildings: lighting as designed
    ("residential", "gbt51350_residential", None),  # residential compliance: the calculation's own
    ("residential", "gb55015_residential_cold", None),
])
def test_lighting_from_design_only_where_the_calculation_lets_it(chicago_weather, template, profile, expected_w_m2):
    """Reference: calculation_profiles.toml (`lighting_w_m2`, `lighting_from_design`) read here,
    against the Lights objects written into the model."""
    from ultralow.sim.simulate import build

    model = build(template, {"lighting_w_m2": 4.0, "calculation_profile": profile}, chicago_weather)
    watts = {round(float(obj.Watts_per_Floor_Area), 6) for obj in model.idf.idfobjects["LIGHTS"]}
    data = _data("calculation_profiles")[profile]
    assert data.get("lighting_from_design", True) is (expected_w_m2 is not None)
    assert watts == {expected_w_m2 if expected_w_m2 is not None else data["lighting_w_m2"]}
