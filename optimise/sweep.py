"""Sampling sweeps over templates and cities, threshold studies and sensitivity (``ultralow sweep``).

Spec (TOML; see ``optimise/examples/sweep_*.toml``)::

    [sweep]        name, method ("factorial" | "lhs" | "sobol"), n (designs; levels per continuous
                   variable for "factorial"), seed, period ("annual" | "design-days" | "MM-DD:MM-DD"),
                   templates = [...], cities = [...] or epw = [...], store, max_retries
    [parameters]   fixed template parameters (every template)
    [variables.NAME]  exactly as in the optimiser spec (``ultralow.optimise.spec``)
    [[threshold]]  name, target (or standard), indicator, values = [...], zones = [...]
                   (see :mod:`ultralow.optimise.threshold`)
    [sensitivity]  method ("morris" | "sobol"), n (Morris trajectories / Saltelli base sample, a
                   power of two), levels (Morris), second_order (Sobol), outputs = [...], conf_level, seed
    [costs]        file (cost data TOML; default the shipped one)

Every (template, city) is turned into an optimiser :class:`~ultralow.optimise.spec.Spec` (one
objective, one ``target`` constraint per studied target) so that designs are prepared, keyed,
simulated and evaluated exactly as by ``ultralow optimise``
(:class:`~ultralow.optimise.problem.DesignEvaluator`, :class:`~ultralow.optimise.dispatch.Dispatcher`,
:class:`~ultralow.optimise.store.ResultStore`): a design simulated by either command is a cache hit
for the other, and ``--resume RUN`` (or a re-run) simulates nothing already finished.

Rows of ``results.parquet`` / ``results.csv``: one per (template, city, design), ``sample`` =
``main`` (the sweep plan), ``default`` (the template defaults with the fixed parameters: the cost
reference and the energy reference of the threshold table) or the sensitivity method (``point`` =
row of the SALib matrix); the optimiser's metrics (results, costs, saving rates) and the
indicator columns of every studied target (``ind|<target>|<indicator>|value|limit|cmp``).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ultralow.errors import InputError
from ultralow.optimise import sampling, sensitivity
from ultralow.optimise.spec import (
    bool_value,
    check_costs_file,
    check_store,
    check_weather,
    read_toml_spec,
    table_value,
    text_value,
)
from ultralow.optimise.threshold import ThresholdStudy, indicator_columns, parse_study, threshold_table

SECTIONS = ("sweep", "parameters", "variables", "threshold", "sensitivity", "costs")
SWEEP_KEYS = ("name", "method", "n", "seed", "period", "templates", "cities", "epw", "store", "max_retries",
              "strict_weather")
SENSITIVITY_KEYS = ("method", "n", "levels", "second_order", "outputs", "conf_level", "seed", "resamples")
DEFAULT_OUTPUTS = ("heating_demand_kwh_m2", "primary_energy_kwh_m2", "incremental_investment_rmb")
RESUMABLE_KEYS = ("name", "store", "max_retries")


@dataclass(frozen=True)
class SensitivitySpec:
    """``n``: Morris trajectories (each d + 1 designs) or Sobol base sample (n (d + 2) designs)."""

    method: str
    n: int
    levels: int = 4
    second_order: bool = False
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    conf_level: float = 0.95
    seed: int = 1
    resamples: int = 1000


@dataclass(frozen=True)
class Site:
    """A weather source: registry ``city`` or ``epw`` path; ``label`` names it in tables."""

    label: str
    city: str | None = None
    epw: str | None = None


@dataclass
class SweepSpec:
    name: str
    method: str
    n: int
    seed: int
    period: str
    templates: list[str]
    sites: list[Site]
    fixed: dict[str, Any]
    variables_raw: dict[str, Any]
    studies: list[ThresholdStudy]
    sensitivity: SensitivitySpec | None
    store: str | None = "default"
    max_retries: int = 2
    costs_file: str | None = None
    strict_weather: bool = False
    source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def optimiser_spec(self, template: str, site: Site) -> Any:
        """The optimiser Spec of one (template, site): validates variables and parameters against
        the template and gives designs the optimiser's keys."""
        from ultralow.optimise.spec import parse_spec

        building: dict[str, Any] = {"template": template, "parameters": dict(self.fixed),
                                    "strict_weather": self.strict_weather}
        building["city" if site.city else "epw"] = site.city or site.epw
        data: dict[str, Any] = {
            "run": {"name": self.name, "seed": self.seed, "period": self.period, "max_retries": self.max_retries,
                    "store": self.store or "none"},
            "building": building,
            "variables": json.loads(json.dumps(self.variables_raw)),
            "objectives": [{"metric": "primary_energy_kwh_m2", "sense": "min"}],
            "constraints": [{"target": t} for t in sorted({s.target for s in self.studies})],
        }
        if self.costs_file:
            data["costs"] = {"file": self.costs_file}
        try:
            return parse_spec(data, self.source)
        except InputError as exc:
            raise InputError(f"{exc} (template {template!r}, {site.label})") from None


def _int(where: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"spec: {where} must be an integer >= {minimum}, got {value!r}")
    return value


def _unknown(where: str, given: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in given:
        if key not in allowed:
            raise InputError(f"spec: unknown key {where}{key!r}; allowed: {', '.join(allowed)}")


def _method_and_n(table: str, raw: Mapping[str, Any], methods: tuple[str, ...], default_method: str,
                  n_by_method: Mapping[str, int], minimum: int, default_n: int = 0) -> tuple[str, int]:
    """``table.method`` (one of ``methods``) and sample size ``table.n`` (a power of two for Sobol,
    which is balanced only then)."""
    method = raw.get("method", default_method)
    if method not in methods:
        raise InputError(f"spec: {table}.method = {method!r}; allowed: {', '.join(methods)}")
    n = _int(f"{table}.n", raw.get("n", n_by_method.get(method, default_n)), minimum)
    if method == "sobol" and n & (n - 1):
        raise InputError(f"spec: {table}.n = {n} must be a power of two for method \"sobol\" (balance)")
    return method, n


def _sensitivity(raw: Any) -> SensitivitySpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InputError("spec: [sensitivity] must be a table")
    _unknown("sensitivity.", raw, SENSITIVITY_KEYS)
    method, n = _method_and_n("sensitivity", raw, sensitivity.METHODS, "morris", {"morris": 10, "sobol": 64}, 2)
    levels = _int("sensitivity.levels", raw.get("levels", 4), 2)
    outputs = raw.get("outputs", list(DEFAULT_OUTPUTS))
    from ultralow.optimise.metrics import COST_METRICS, EXISTING_METRICS, RESULT_METRICS, STANDARD_METRICS

    allowed = RESULT_METRICS + COST_METRICS + STANDARD_METRICS + EXISTING_METRICS
    if not isinstance(outputs, list) or not outputs:
        raise InputError("spec: sensitivity.outputs must be a non-empty list of metrics")
    for o in outputs:
        if o not in allowed:
            raise InputError(f"spec: sensitivity.outputs: {o!r} is not a metric; allowed: {', '.join(allowed)}")
    conf = raw.get("conf_level", 0.95)
    if not isinstance(conf, float) or not 0.5 <= conf < 1.0:
        raise InputError(f"spec: sensitivity.conf_level must be a number in [0.5, 1), got {conf!r}")
    return SensitivitySpec(method, n, levels, bool(raw.get("second_order", False)), tuple(outputs), conf,
                           _int("sensitivity.seed", raw.get("seed", 1), 0),
                           _int("sensitivity.resamples", raw.get("resamples", 1000), 10))


def _texts(where: str, value: Any) -> list[str]:
    """A text or a list of texts."""
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        raise InputError(f"spec: {where} must be a list of texts (quoted strings), got {value!r}")
    return value


def _check_threshold_values(raw: Any) -> None:
    """Threshold values must be finite numbers (``nan``/``inf`` are numbers to TOML) and zones texts."""
    if not isinstance(raw, list):
        raise InputError(f"spec: threshold must be a list of tables ([[threshold]] ...), got {raw!r}")
    for i, study in enumerate(raw):
        if not isinstance(study, dict):
            continue  # parse_study names it
        if "zones" in study:
            _texts(f"threshold[{i}].zones", study["zones"])
        values = study.get("values")
        if isinstance(values, list):
            for v in values:
                if isinstance(v, float) and not np.isfinite(v):
                    raise InputError(f"spec: threshold[{i}].values: {v!r} is not a finite number")


def parse_sweep(data: Mapping[str, Any], source: str | None = None, base_dir: Path | None = None) -> SweepSpec:
    """Validate a parsed sweep TOML (every (template, site) is checked through the optimiser spec)."""
    from ultralow.paths import safe_name
    from ultralow.sim.run_control import RunPeriod

    _unknown("", data, SECTIONS)
    sweep = data.get("sweep")
    if not isinstance(sweep, dict):
        raise InputError("spec: missing [sweep] table (method, n, templates, cities)")
    _unknown("sweep.", sweep, SWEEP_KEYS)
    method, n = _method_and_n("sweep", sweep, sampling.METHODS, "lhs", {"factorial": 3}, 1, default_n=16)
    templates = sweep.get("templates")
    if isinstance(templates, str):
        templates = [templates]
    if not isinstance(templates, list) or not templates:
        from ultralow.templates import list_templates

        raise InputError(f"spec: sweep.templates must list templates; allowed: {', '.join(list_templates())}")
    _texts("sweep.templates", templates)
    cities = _texts("sweep.cities", sweep.get("cities", []))
    epws = _texts("sweep.epw", sweep.get("epw", []))
    if not cities and not epws:
        raise InputError("spec: [sweep] needs cities = [...] and/or epw = [...]")
    sites = [Site(str(c), city=str(c)) for c in cities]
    for e in epws:
        path = Path(e)
        if base_dir is not None and not path.is_absolute():
            path = (base_dir / path).resolve()
        sites.append(Site(path.stem, epw=str(path)))
    if len({s.label for s in sites}) != len(sites):
        raise InputError("spec: two weather sources share a name; rename an EPW file")
    period = text_value("sweep.period", sweep.get("period", "annual"))
    try:
        RunPeriod.parse(period)
    except InputError as exc:
        raise InputError(f"spec: sweep.period = {period!r}: {exc}") from None
    name = text_value("sweep.name", sweep.get("name", Path(source).stem if source else "sweep"))
    store = text_value("sweep.store", sweep.get("store", "default"))
    store = None if store == "none" else store
    check_store("sweep.store", store)
    raw_studies = data.get("threshold", [])
    _check_threshold_values(raw_studies)
    studies = [parse_study(raw, i) for i, raw in enumerate(raw_studies)]
    costs = table_value("costs", data.get("costs"))
    _unknown("costs.", costs, ("file",))
    costs_file = costs.get("file")
    if costs_file is not None:
        text_value("costs.file", costs_file)
    if costs_file is not None and base_dir is not None and not Path(costs_file).is_absolute():
        costs_file = str((base_dir / costs_file).resolve())
    check_costs_file("costs.file", costs_file)
    for site in sites:  # every weather source before anything runs or a run folder is made
        check_weather(f"sweep.{'cities' if site.city else 'epw'}", site.city, site.epw)
    spec = SweepSpec(
        name=safe_name(name, "sweep"), method=method, n=n,
        seed=_int("sweep.seed", sweep.get("seed", 1), 0), period=period,
        templates=[str(t) for t in templates], sites=sites,
        fixed=dict(table_value("parameters", data.get("parameters"))),
        variables_raw=dict(table_value("variables", data.get("variables"))), studies=studies,
        sensitivity=_sensitivity(data.get("sensitivity")), store=store,
        max_retries=_int("sweep.max_retries", sweep.get("max_retries", 2), 0), costs_file=costs_file,
        strict_weather=bool_value("sweep.strict_weather", sweep.get("strict_weather", False)), source=source,
        raw=json.loads(json.dumps(dict(data), default=str)),
    )
    if spec.seed >= 2**32:
        raise InputError(f"spec: sweep.seed must be below 2**32, got {spec.seed}")
    for template in spec.templates:
        spec.optimiser_spec(template, spec.sites[0])  # variables, parameters and targets against the template
    return spec


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec file; InputError names the file and the problem."""
    return read_toml_spec(path, parse_sweep)


# --- plans ----------------------------------------------------------------------------------------

def plans(spec: SweepSpec, variables: list[Any]) -> tuple[pd.DataFrame, np.ndarray | None, dict[str, Any] | None]:
    """(main plan designs, sensitivity unit matrix, SALib problem) for the variables."""
    main = sampling.sample(spec.method, variables, spec.n, spec.seed)
    sens = spec.sensitivity
    if sens is None:
        return main, None, None
    problem = sensitivity.make_problem([v.name for v in variables])
    if sens.method == "morris":
        x = sensitivity.morris_design(problem, sens.n, sens.levels, sens.seed)
    else:
        x = sensitivity.sobol_design(problem, sens.n, sens.second_order, sens.seed)
    return main, x, problem


# --- running --------------------------------------------------------------------------------------

@dataclass
class SweepResult:
    run_dir: Path
    results: pd.DataFrame
    thresholds: pd.DataFrame
    sensitivity: dict[str, pd.DataFrame]
    n_simulated: int
    n_reused: int
    report: Path | None


def _new_run_dir(spec: SweepSpec, out_dir: Path | None) -> Path:
    from ultralow.paths import default_runs_dir, new_run_dir

    return new_run_dir(Path(out_dir) if out_dir else default_runs_dir() / "sweep", spec.name)


def _defining(raw: Mapping[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(raw, default=str))
    for key in RESUMABLE_KEYS:
        out.get("sweep", {}).pop(key, None)
    return out


def _resume_spec(spec: SweepSpec | None, run_dir: Path) -> SweepSpec:
    saved_path = run_dir / "spec.json"
    if not saved_path.is_file():
        raise InputError(f"--resume {str(run_dir)!r}: no spec.json there; not a sweep run folder")
    saved = json.loads(saved_path.read_text())
    if spec is not None and _defining(saved) != _defining(spec.raw):
        raise InputError(f"--resume {str(run_dir)!r}: the spec differs from the run's spec.json in more than "
                         f"[sweep] {', '.join(RESUMABLE_KEYS)}; start a new run instead")
    return parse_sweep(saved, spec.source if spec else str(saved_path))


def _say(progress: bool, text: str) -> None:
    if progress:
        print(text, file=sys.stderr, flush=True)


def _default_design(evaluator: Any) -> Any:
    """The template defaults with the fixed parameters, as an optimiser Design (cost reference)."""
    from ultralow.optimise.problem import Design

    base = dict(evaluator.base_parameters)
    design = Design({}, base, {})
    design.jobs.update(evaluator.simulation_jobs(base))
    return design


def _indicators(evaluator: Any, design: Any, records: Mapping[str, Any], targets: list[str]) -> dict[str, Any]:
    """Indicator columns of every studied target for an evaluated design."""
    from ultralow.optimise import evaluation as ev
    from ultralow.templates.standards import evaluate

    out: dict[str, Any] = {}
    for target in targets:
        # each target on the simulations of its own calculation profile (the optimiser's jobs)
        pid = evaluator.target_profiles.get(target, evaluator.primary_profile)
        job = design.jobs.get(evaluator.role("design", pid))
        rec = records.get(job.key) if job is not None else None
        if rec is None or rec["status"] != "ok":
            continue
        results = {role: r for role, r in evaluator.results(design, records, pid).items()
                   if r is not None and records[design.jobs[evaluator.role(role, pid)].key]["status"] == "ok"}
        ctx = ev.compliance_context(evaluator.spec.template, {**design.parameters, "calculation_profile": pid},
                                    results, evaluator.climate)
        out.update(indicator_columns(evaluate(target, dict(rec["result"]), ctx)))
    return out


def _check_studies(spec: SweepSpec, evaluator: Any) -> None:
    """Each study's indicator must exist for this template and zone (``parse_constraint``)."""
    from ultralow.optimise import evaluation as ev
    from ultralow.templates.standards import parse_constraint

    ctx = ev.compliance_context(evaluator.spec.template, evaluator.base_parameters, {}, evaluator.climate)
    for study in spec.studies:
        if study.applies(evaluator.climate.climate_zone):
            for value in study.values:
                parse_constraint(study.expression(value), study.target, ctx)


def _simulate(jobs: list[Any], weather: Any, store: Any, records: dict[str, Any], max_retries: int,
              keep_dir: Path | None, label: str, progress: bool, failed_dir: Path | None = None,
              run: str | None = None) -> int:
    """Run ``jobs`` on Ray (the optimiser's Dispatcher); each record is stored as it finishes.
    Runs sharing a store share the work (:meth:`ResultStore.run_shared`: a job another live run
    holds is waited for, not simulated again). Returns the number simulated here."""
    from ultralow.optimise.dispatch import Dispatcher

    dispatcher = Dispatcher(weather, max_retries=max_retries, keep_dir=keep_dir, failed_dir=failed_dir)
    done_count = 0

    def done(record: dict[str, Any]) -> None:
        nonlocal done_count
        store.put(record)
        records[record["key"]] = record
        done_count += 1
        if record["status"] != "ok":
            _say(progress, f"  {record['status']}: {record.get('error')}")
        if done_count % max(1, len(jobs) // 10) == 0 or done_count == len(jobs):
            _say(progress, f"  {label}: {done_count}/{len(jobs)} simulations done")

    def from_other_run(record: dict[str, Any]) -> None:
        records[record["key"]] = record

    return store.run_shared({job.key: job for job in jobs}, lambda batch: dispatcher.run(batch, done),
                            from_other_run, run=run)


def run_sweep(spec: SweepSpec | None, *, out_dir: str | Path | None = None, resume_dir: str | Path | None = None,
              address: str | None = None, workers: int | None = None, progress: bool = True,
              keep_runs: bool = False) -> SweepResult:
    """Run (or resume) a sweep; writes the run folder (see the module docstring) and returns its tables."""
    from ultralow.optimise.dispatch import start_ray
    from ultralow.optimise.problem import DesignEvaluator
    from ultralow.optimise.run import shared_store_path
    from ultralow.optimise.store import ResultStore, file_sha256
    from ultralow.sim.idd import engine_version
    from ultralow.weather import resolve_weather
    from ultralow.weather.provenance import require_non_synthetic, weather_provenance

    if resume_dir is not None:
        run_dir = Path(resume_dir).resolve()
        spec = _resume_spec(spec, run_dir)
    elif spec is None:
        raise InputError("a sweep needs a spec or --resume RUN_DIR")

    # every weather source, template and study is checked before a new run folder is made
    targets = sorted({s.target for s in spec.studies})
    version = engine_version()
    site_evaluators: list[tuple[Site, Any, list[tuple[str, Any]]]] = []
    for site in spec.sites:
        weather = resolve_weather(city=site.city, epw=site.epw)
        if spec.strict_weather:
            require_non_synthetic(weather, f"spec: sweep.strict_weather = true ({site.label})")
        sha = file_sha256(str(weather.epw_path))
        evaluators = []
        for template in spec.templates:
            evaluator = DesignEvaluator(spec.optimiser_spec(template, site), weather, sha, version)
            _check_studies(spec, evaluator)
            evaluators.append((template, evaluator))
        site_evaluators.append((site, weather, evaluators))
    if resume_dir is None:
        run_dir = _new_run_dir(spec, Path(out_dir) if out_dir else None)
        if spec.source and Path(spec.source).is_file():
            shutil.copyfile(spec.source, run_dir / "spec.toml")
        (run_dir / "spec.json").write_text(json.dumps(spec.raw, indent=2))
    (run_dir / "weather.json").write_text(json.dumps(
        {site.label: weather_provenance(weather) for site, weather, _ in site_evaluators}, indent=2))

    first = spec.optimiser_spec(spec.templates[0], spec.sites[0])
    main, unit_x, problem = plans(spec, first.variables)
    sens_designs = sampling.designs_from_unit(first.variables, unit_x) if unit_x is not None else None
    store = ResultStore(run_dir / "store.sqlite", shared_store_path(first))
    rows: list[dict[str, Any]] = []
    n_simulated = n_reused = 0
    ray_started = False
    t_start = time.time()
    try:
        for site, weather, evaluators in site_evaluators:
            prepared: list[tuple[Any, Any, dict[str, Any]]] = []  # (evaluator, design, row tags)
            for template, evaluator in evaluators:
                tags = {"template": template, "city": site.label, "climate_zone": weather.climate_zone}
                prepared.append((evaluator, _default_design(evaluator), {**tags, "sample": "default", "point": 0}))
                for i, values in enumerate(main.to_dict("records")):
                    prepared.append((evaluator, evaluator.prepare(values), {**tags, "sample": "main", "point": i}))
                if sens_designs is not None:
                    for i, values in enumerate(sens_designs.to_dict("records")):
                        prepared.append((evaluator, evaluator.prepare(values),
                                         {**tags, "sample": spec.sensitivity.method, "point": i}))
            records, to_run = store.partition(job for _, design, _ in prepared for job in design.jobs.values())
            _say(progress, f"sweep {spec.name}: {site.label}: {len(prepared)} designs, {len(to_run)} simulations "
                           f"to run, {len(records)} from the store")
            n_reused += len(records)
            if to_run:
                if not ray_started:
                    start_ray(address, workers)
                    ray_started = True
                n_simulated += _simulate(list(to_run.values()), weather, store, records, spec.max_retries,
                                         run_dir / "sims" if keep_runs else None, site.label, progress,
                                         run_dir / "failed", str(run_dir))
            for evaluator, design, tags in prepared:
                row = evaluator.evaluate(design, records)
                for key in ("F", "G", "feasible", "severe_lines"):
                    row.pop(key, None)
                if tags["sample"] == "default":
                    for v in evaluator.spec.variables:
                        row[v.name] = design.parameters.get(v.parameter or v.name)
                row["key"] = row.pop("design_key")
                row["source"] = "simulated" if row["key"] in to_run else "store"
                row.update(_indicators(evaluator, design, records, targets))
                rows.append({**tags, **row})
    finally:
        store.close()

    results = pd.DataFrame(rows)
    variables = [v.name for v in first.variables]
    _write(results, run_dir / "results")
    thresholds = threshold_table(results, spec.studies, variables) if spec.studies else pd.DataFrame()
    thresholds.to_csv(run_dir / "thresholds.csv", index=False)
    sens_tables = analyse_sensitivity(spec, results, unit_x, problem) if problem is not None else {}
    for name, table in sens_tables.items():
        table.to_csv(run_dir / f"{name}.csv", index=False)
    report = None
    try:
        from ultralow.optimise.sweep_report import write_report

        report = write_report(run_dir, spec, results, thresholds, sens_tables)
    except Exception as exc:  # the tables are the result; a report bug must not lose them
        (run_dir / "report-error.txt").write_text(f"{type(exc).__name__}: {exc}\n")
    (run_dir / "run.json").write_text(json.dumps({
        "spec": spec.name, "designs": len(results), "simulations_this_invocation": n_simulated,
        "reused_this_invocation": n_reused, "seconds_this_invocation": time.time() - t_start,
        "engine_version": version, "shared_store": str(shared_store_path(first) or "") or None,
        "energy_saved_against": "the template's default design (sample = default) in the same city",
    }, indent=2))
    return SweepResult(run_dir, results, thresholds, sens_tables, n_simulated, n_reused, report)


def _write(df: pd.DataFrame, stem: Path) -> None:
    df.to_csv(stem.with_suffix(".csv"), index=False)
    table = df.copy()
    for col in table.columns:  # mixed object columns (None / text / numbers) as text for Parquet
        if table[col].dtype == object:
            table[col] = table[col].map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v))
    table.to_parquet(stem.with_suffix(".parquet"), index=False)


def analyse_sensitivity(spec: SweepSpec, results: pd.DataFrame, unit_x: np.ndarray,
                        problem: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Sensitivity tables per (template, city): ``sensitivity_morris`` or ``sensitivity_sobol``
    (+ ``sensitivity_sobol_s2``); groups with a failed design or a missing output are skipped
    and listed in ``sensitivity_skipped``."""
    sens = spec.sensitivity
    firsts, seconds, skipped = [], [], []
    part = results[results["sample"] == sens.method]
    for (template, city), group in part.groupby(["template", "city"], sort=True):
        group = group.sort_values("point")
        outputs = {}
        for name in sens.outputs:
            y = pd.to_numeric(group.get(name), errors="coerce") if name in group else None
            if y is None or len(y) != len(unit_x) or y.isna().any():
                skipped.append({"template": template, "city": city, "output": name,
                                "reason": "failed or missing values at some sample points"})
                continue
            outputs[name] = y.to_numpy()
        if not outputs:
            continue
        tags = {"template": template, "city": city}
        if sens.method == "morris":
            t = sensitivity.morris_indices(problem, unit_x, outputs, levels=sens.levels, conf_level=sens.conf_level,
                                           resamples=sens.resamples, seed=sens.seed)
            firsts.append(t.assign(**tags))
        else:
            t1, t2 = sensitivity.sobol_indices(problem, outputs, second_order=sens.second_order,
                                               conf_level=sens.conf_level, resamples=sens.resamples, seed=sens.seed)
            firsts.append(t1.assign(**tags))
            seconds.append(t2.assign(**tags))
    out: dict[str, pd.DataFrame] = {}
    if firsts:
        out[f"sensitivity_{sens.method}"] = pd.concat(firsts, ignore_index=True)
    if seconds and any(len(s) for s in seconds):
        out["sensitivity_sobol_s2"] = pd.concat(seconds, ignore_index=True)
    if skipped:
        out["sensitivity_skipped"] = pd.DataFrame(skipped)
    return out
