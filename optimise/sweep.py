"""Sampling sweeps over templates and cities, threshold studies and sensitivity (``ultralow sweep``).

Spec (TOML; see ``optimise/examples/sweep_*.toml``)::

    [sweep]        name, method ("factorial" | "lhs" | "sobol"), n (designs; levels per continuous
                   variable for "factorial"), seed, period ("annual" | "design-days" | "MM-DD:MM-DD"),
                   templates = [...], cities = [...] or epw = [...], store, max_retries
    [parameters]   fixed template parameters (every template)
    [variables.NAME]  exactly as in the optimiser spec (``ultralow.optimise.spec``)
    [[threshold]]  name, target (or standard), indicator, values = [...], zones = [...]: one
                   variant per value (see :mod:`ultralow.optimise.threshold`)
    [[variant]]    name, target (or standard), limits = { indicator = value, ... }, zones = [...]:
                   proposals compared side by side, in order (:mod:`ultralow.optimise.variants`)
    [baseline]     package = "reference" (default: GB 55015-2021's reference package for the zone and
                   template: its envelope limits, no heat recovery or PV) | "cheapest" + variant =
                   "<name>" (the cheapest package complying with that variant, e.g. the current
                   standard as stated, found like every variant's) | "default" (the template
                   defaults) | { variable = value, ... }; name = "..." (how tables and the report name it).
                   Whether the baseline complies with each variant is reported, never assumed.
    [search]       the cheapest complying package per variant, city and template by constrained
                   search (:mod:`ultralow.optimise.cheapest`): population, generations,
                   polish_rounds, seed; without it, the cheapest among the sampled designs
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
reference), ``baseline`` (the named baseline package: the energy and cost reference of the
variant table), the sensitivity method (``point`` = row of the SALib matrix) or ``search`` (a
design a variant's search asked for, ``search_variant`` = which); the optimiser's metrics
(results, costs, saving rates), the indicator columns of every studied target
(``ind|<target>|<indicator>|value|limit|cmp``) and the design properties (``prop|<name>``).
Only the plan and the sensitivity designs are the population compliance shares count.
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
from ultralow.optimise.threshold import parse_study, variant_table
from ultralow.optimise.variants import Variant, check_variant, design_columns, parse_variant

SECTIONS = ("sweep", "parameters", "variables", "threshold", "variant", "baseline", "search", "sensitivity", "costs")
SWEEP_KEYS = ("name", "method", "n", "seed", "period", "templates", "cities", "epw", "store", "max_retries",
              "strict_weather", "budget_rmb_m2")
SEARCH_KEYS = ("population", "generations", "polish_rounds", "seed")
BASELINE_KEYS = ("package", "variant", "name")
BASELINE_PACKAGES = ("reference", "cheapest", "default")
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
class SearchSpec:
    """The cheapest-package search per variant (:func:`ultralow.optimise.cheapest.cheapest_complying`):
    ``population`` designs per generation, ``generations`` after the seeded first one,
    ``polish_rounds`` of one-step neighbours at most."""

    population: int = 10
    generations: int = 4
    polish_rounds: int = 10
    seed: int = 1


@dataclass(frozen=True)
class BaselineSpec:
    """What savings and extra costs are counted against: ``"reference"`` (GB 55015-2021's reference
    package for the zone and template), ``"cheapest"`` (the cheapest package complying with
    ``variant``), ``"default"`` (the template defaults) or variable values."""

    package: str | dict[str, Any] = "reference"
    name: str = ""
    variant: str | None = None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.package == "reference":
            return "GB 55015-2021 reference package (the current standard's envelope limits for the zone)"
        if self.package == "default":
            return "template defaults"
        if self.package == "cheapest":
            return f"the cheapest package complying with variant {self.variant!r}"
        return "user package " + json.dumps(self.package, sort_keys=True)


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
    variants: list[Variant]
    sensitivity: SensitivitySpec | None
    search: SearchSpec | None = None
    baseline: BaselineSpec = BaselineSpec()
    budget_rmb_m2: float | None = None
    store: str | None = "default"
    max_retries: int = 2
    costs_file: str | None = None
    strict_weather: bool = False
    source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def targets(self) -> list[str]:
        """The compliance targets the variants are built on."""
        return sorted({v.target for v in self.variants})

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
            "constraints": [{"target": t} for t in self.targets],
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


def _search(raw: Any) -> SearchSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InputError("spec: [search] must be a table (population, generations, polish_rounds, seed)")
    _unknown("search.", raw, SEARCH_KEYS)
    return SearchSpec(_int("search.population", raw.get("population", 10), 4),
                      _int("search.generations", raw.get("generations", 4), 0),
                      _int("search.polish_rounds", raw.get("polish_rounds", 10), 0),
                      _int("search.seed", raw.get("seed", 1), 0))


def _baseline(raw: Any) -> BaselineSpec:
    raw = table_value("baseline", raw)
    _unknown("baseline.", raw, BASELINE_KEYS)
    package = raw.get("package", "reference")
    if not isinstance(package, dict) and package not in BASELINE_PACKAGES:
        raise InputError(f"spec: baseline.package = {package!r}; allowed: {', '.join(BASELINE_PACKAGES)} or a "
                         "table of variable values")
    name = raw.get("name")
    variant = raw.get("variant")
    if (package == "cheapest") != (variant is not None):
        raise InputError("spec: baseline.variant = \"<variant name>\" goes with (and only with) "
                         "baseline.package = \"cheapest\"")
    return BaselineSpec(package, "" if name is None else text_value("baseline.name", name),
                        None if variant is None else text_value("baseline.variant", variant))


def _variants(data: Mapping[str, Any]) -> list[Variant]:
    """Every variant: the ``[[variant]]`` tables (one study, in order), then each threshold study's."""
    raw_studies = data.get("threshold", [])
    _check_threshold_values(raw_studies)
    raw_variants = data.get("variant", [])
    if not isinstance(raw_variants, list):
        raise InputError(f"spec: variant must be a list of tables ([[variant]] ...), got {raw_variants!r}")
    out = [parse_variant(raw, i) for i, raw in enumerate(raw_variants)]
    for i, raw in enumerate(raw_studies):
        out += parse_study(raw, i).variants()
    seen: set[tuple[str, str]] = set()
    for v in out:
        if (v.study, v.name) in seen:
            raise InputError(f"spec: two variants of study {v.study!r} are named {v.name!r}; names must differ")
        seen.add((v.study, v.name))
    return out


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
    variants = _variants(data)
    baseline = _baseline(data.get("baseline"))
    if baseline.variant is not None and baseline.variant not in [v.name for v in variants]:
        raise InputError(f"spec: baseline.variant = {baseline.variant!r} is not a variant; allowed: "
                         f"{', '.join(v.name for v in variants) or '(no variants)'}")
    budget = sweep.get("budget_rmb_m2")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float)
                               or not np.isfinite(budget) or budget < 0):
        raise InputError(f"spec: sweep.budget_rmb_m2 must be a number >= 0 (RMB per m2 of conditioned floor area "
                         f"over the baseline), got {budget!r}")
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
        variables_raw=dict(table_value("variables", data.get("variables"))), variants=variants,
        sensitivity=_sensitivity(data.get("sensitivity")), search=_search(data.get("search")),
        baseline=baseline, budget_rmb_m2=None if budget is None else float(budget),
        store=store,
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
    baseline: str = ""  # what savings and extra costs are counted against (BaselineSpec.label)


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


def _package_design(evaluator: Any, params: Mapping[str, Any]) -> Any:
    """A fixed package (resolved template parameters) as an optimiser Design with its simulations;
    its variable values are read back from the parameters for the tables."""
    from ultralow.optimise.problem import Design

    design = Design({}, dict(params), {})
    design.jobs.update(evaluator.simulation_jobs(dict(params)))
    return design


def _baseline_design(evaluator: Any, baseline: BaselineSpec) -> Any | None:
    """The baseline package of :class:`BaselineSpec` for one (template, site); None for
    ``"cheapest"``, which is a row chosen after the searches (:func:`_cheapest_baseline`)."""
    from ultralow.optimise import evaluation as ev

    if baseline.package == "cheapest":
        return None  # chosen after the searches (run_sweep)
    if baseline.package == "default":
        return _package_design(evaluator, evaluator.base_parameters)
    if baseline.package == "reference":
        return _package_design(evaluator, ev.reference_parameters(
            evaluator.spec.template, evaluator.base_parameters, evaluator.climate, "gb55015_2021"))
    assert isinstance(baseline.package, dict)
    missing = [v.name for v in evaluator.spec.variables if v.name not in baseline.package]
    unknown = [k for k in baseline.package if k not in {v.name for v in evaluator.spec.variables}]
    if missing or unknown:
        raise InputError(f"spec: baseline.package must give a value for every variable and nothing else; missing: "
                         f"{', '.join(missing) or '-'}; unknown: {', '.join(unknown) or '-'}")
    try:
        design = evaluator.prepare(dict(baseline.package))
    except InputError as exc:
        raise InputError(f"spec: baseline.package: {exc}") from None
    if design.error:
        raise InputError(f"spec: baseline.package: {design.error}")
    return design


def _design_columns(evaluator: Any, design: Any, records: Mapping[str, Any], targets: list[str]) -> dict[str, Any]:
    """Indicator columns of every studied target and the design properties of an evaluated design
    (:func:`ultralow.optimise.variants.design_columns`)."""
    from ultralow.optimise import evaluation as ev
    from ultralow.templates.standards import evaluate
    from ultralow.templates.standards.evaluate import DESIGN_PROPERTIES, design_property

    def ok_results(pid: str) -> dict[str, Any] | None:
        job = design.jobs.get(evaluator.role("design", pid))
        rec = records.get(job.key) if job is not None else None
        if rec is None or rec["status"] != "ok":
            return None
        return {role: r for role, r in evaluator.results(design, records, pid).items()
                if r is not None and records[design.jobs[evaluator.role(role, pid)].key]["status"] == "ok"}

    reports = []
    for target in targets:
        # each target on the simulations of its own calculation profile (the optimiser's jobs)
        pid = evaluator.target_profiles.get(target, evaluator.primary_profile)
        results = ok_results(pid)
        if results is not None:
            ctx = ev.compliance_context(evaluator.spec.template, {**design.parameters, "calculation_profile": pid},
                                        results, evaluator.climate)
            reports.append(evaluate(target, dict(results["design"]), ctx))
    properties: dict[str, float | None] = {}
    results = ok_results(evaluator.primary_profile)
    if results is not None:
        ctx = ev.compliance_context(evaluator.spec.template, design.parameters, results, evaluator.climate)
        properties = {name: design_property(name, results["design"], ctx)[0] for name in DESIGN_PROPERTIES}
    return design_columns(reports, properties)


def _check_variants(variants: list[Variant], evaluators: list[tuple[str, Any]]) -> list[Variant]:
    """Each variant's limits exist where it applies (an indicator of its target for the template
    and zone, or a design property); returns the variants with their comparisons resolved."""
    from ultralow.optimise import evaluation as ev

    out = []
    for variant in variants:
        resolved = variant
        for template, evaluator in reversed(evaluators):  # the first site's resolution is kept
            if variant.applies(evaluator.climate.climate_zone):
                comparisons = ev.target_indicators(variant.target, template, evaluator.climate,
                                                   evaluator.base_parameters)
                try:
                    resolved = check_variant(variant, comparisons)
                except InputError as exc:
                    raise InputError(f"{exc} (template {template!r}, zone {evaluator.climate.climate_zone})") from None
        out.append(resolved)
    return out


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


@dataclass
class _SiteRun:
    """Evaluates prepared designs of one site: their simulations from the store, the rest on Ray
    (started on first need), then each design's row exactly as the optimiser evaluates it."""

    spec: SweepSpec
    weather: Any
    store: Any
    run_dir: Path
    label: str
    keep_runs: bool
    progress: bool
    start: Any  # () -> None: starts Ray once
    records: dict[str, Any] = field(default_factory=dict)
    simulated: set[str] = field(default_factory=set)  # keys simulated by this invocation
    n_simulated: int = 0
    n_reused: int = 0

    def rows(self, prepared: list[tuple[Any, Any, dict[str, Any]]], what: str) -> list[dict[str, Any]]:
        jobs = {job.key: job for _, design, _ in prepared for job in design.jobs.values()
                if job.key not in self.records}
        found, to_run = self.store.partition(jobs.values())
        self.records.update(found)
        self.n_reused += len(found)
        _say(self.progress, f"sweep {self.spec.name}: {self.label}: {what}: {len(prepared)} designs, "
                            f"{len(to_run)} simulations to run, {len(found)} from the store")
        self.simulated.update(to_run)
        if to_run:
            self.start()
            self.n_simulated += _simulate(list(to_run.values()), self.weather, self.store, self.records,
                                          self.spec.max_retries, self.run_dir / "sims" if self.keep_runs else None,
                                          self.label, self.progress, self.run_dir / "failed", str(self.run_dir))
        targets = self.spec.targets
        out = []
        for evaluator, design, tags in prepared:
            row = evaluator.evaluate(design, self.records)
            for key in ("F", "G", "feasible", "severe_lines"):
                row.pop(key, None)
            if not design.values:  # a fixed package: its variable values from its parameters
                for v in evaluator.spec.variables:
                    row[v.name] = design.parameters.get(v.parameter or v.name)
            row["key"] = row.pop("design_key")
            row["source"] = "simulated" if row["key"] in self.simulated else "store"
            row.update(_design_columns(evaluator, design, self.records, targets))
            out.append({**tags, **row})
        return out


def _cheapest_baseline(rows: list[dict[str, Any]], variant: Variant) -> list[dict[str, Any]]:
    """Per template, a copy (``sample = "baseline"``) of the cheapest buildable design complying with
    ``variant`` among ``rows`` (:func:`ultralow.optimise.threshold.cheapest_complying_row`); none
    for a template where no design complies (its savings and extra costs are then unknown)."""
    from ultralow.optimise.threshold import cheapest_complying_row

    table = pd.DataFrame(rows)
    out = []
    for _, group in table.groupby("template", sort=True):
        best = cheapest_complying_row(group[~group["sample"].isin(("default", "baseline"))], variant)
        if best is not None:
            out.append({**best.to_dict(), "sample": "baseline", "point": 0, "search_variant": None})
    return out


def _search_variant(run: _SiteRun, evaluator: Any, tags: dict[str, Any], variant: Variant,
                    site_rows: list[dict[str, Any]], search: SearchSpec) -> dict[str, Any]:
    """The cheapest complying package of ``variant`` for one (template, site) by constrained search
    (:func:`ultralow.optimise.cheapest.cheapest_complying`), seeded with every design already
    evaluated there; the designs it asks for are appended to ``site_rows`` (sample ``search``).
    Returns the search's figures for the variant table."""
    from ultralow.optimise.cheapest import cheapest_complying
    from ultralow.optimise.threshold import COST_COLUMN
    from ultralow.optimise.variants import target_indicator_names, violation

    mine = [r for r in site_rows if r["template"] == tags["template"]]
    names = target_indicator_names(sorted({c for r in mine for c in r}), variant.target)
    seeds = [r for r in mine if r["sample"] not in ("default", "baseline")]
    count = 0

    def evaluate(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        nonlocal count
        prepared = []
        for values in batch:
            prepared.append((evaluator, evaluator.prepare(values),
                             {**tags, "sample": "search", "search_variant": variant.name, "point": count}))
            count += 1
        rows = run.rows(prepared, f"search {variant.name!r} ({tags['template']})")
        site_rows.extend(rows)
        return rows

    def cost(row: dict[str, Any]) -> float:
        buildable = row.get("buildable") is not False
        return float(row.get(COST_COLUMN, np.nan)) if row.get("status") == "ok" and buildable else np.nan

    found = cheapest_complying(evaluator.spec.variables, evaluate, cost, lambda r: violation(r, variant, names),
                               seeds, population=search.population, generations=search.generations,
                               polish_rounds=search.polish_rounds, seed=search.seed)
    return {"search_asked": found.n_asked, "search_generations": found.generations,
            "search_polish_rounds": found.polish_rounds, "search_neighbours_checked": found.neighbours_checked,
            "search_local_optimum": found.local_optimum, "search_best_origin": found.best_origin or None}


BASELINE_PACKAGE_KEYS = ("wall_u_w_m2k", "roof_u_w_m2k", "floor_u_w_m2k", "window_u_w_m2k", "window_shgc", "n50_ach",
                         "hrv_efficiency", "pv_roof_fraction", "heat_pump")


def study_provenance(spec: SweepSpec, site_evaluators: list[tuple[Site, Any, list[tuple[str, Any]]]],
                     variants: list[Variant], baseline_packages: Mapping[tuple[str, str], Mapping[str, Any]],
                     engine_version: str) -> dict[str, Any]:
    """What a study's numbers stand on (``provenance.json``, the report's "Provenance" section):
    the engine, per (site, template) each target's calculation profile and requirements as the
    standard states them (limit, clause, source, ``verified``), the variants, the baseline package,
    every cost item with its source, and ``indicative`` with its reasons (synthetic weather, an
    unverified limit, profile or cost item)."""
    from ultralow.optimise import evaluation as ev
    from ultralow.optimise.buildability import default_limits
    from ultralow.templates.profiles import profile_for_target
    from ultralow.templates.standards import evaluate

    sites: dict[str, Any] = {}
    reasons: set[str] = set()
    for site, weather, evaluators in site_evaluators:
        if getattr(weather, "synthetic", False):
            reasons.add(f"{site.label}: synthetic weather")
        for template, evaluator in evaluators:
            entry: dict[str, Any] = {"climate_zone": evaluator.climate.climate_zone, "targets": {}}
            ctx = ev.compliance_context(template, evaluator.base_parameters, {}, evaluator.climate)
            for target in spec.targets:
                profile = profile_for_target(target, evaluator.template.building_use, evaluator.climate.climate_zone)
                requirements = [{"indicator": i.name, "label": i.label, "limit": i.limit, "comparison": i.comparison,
                                 "unit": i.unit, "area_basis": i.area_basis, "clause": i.clause, "source": i.source,
                                 "verified": i.verified} for i in evaluate(target, {}, ctx).requirements]
                entry["targets"][target] = {"calculation_profile": profile.summary(), "requirements": requirements}
                if not profile.verified:
                    reasons.add(f"calculation profile {profile.id} not verified")
                reasons.update(f"{target}: {r['indicator']} limit not verified" for r in requirements
                               if not r["verified"])
            entry["baseline_package"] = baseline_packages.get((site.label, template), {})
            if evaluator.cost_model is not None:
                entry["prices"] = _price_level(evaluator.cost_model, template, evaluator.climate.city)
            sites[f"{site.label} / {template}"] = entry
    cost_model = site_evaluators[0][2][0][1].cost_model
    costs = {}
    if cost_model is not None:
        costs = {key: {"value": item.value, "unit": item.unit, "source": item.source, "verified": item.verified}
                 for key, item in sorted(cost_model.items.items())}
        unverified = cost_model.unverified()
        if unverified:
            reasons.add(f"{len(unverified)} of {len(costs)} cost items not verified against their source")
    return {
        "engine_version": engine_version, "baseline": spec.baseline.label,
        "variants": [{"study": v.study, "name": v.name, "description": v.description, "target": v.target,
                      "limits": [limit.text for limit in v.limits], "zones": list(v.zones)} for v in variants],
        "sites": sites, "costs": costs,
        "buildability": {key: {"value": limit.value, "unit": limit.unit, "source": limit.source,
                               "verified": limit.verified} for key, limit in default_limits().items()},
        "units": {"costs": "RMB per m2 of conditioned floor area (extra cost: over the baseline package)",
                  "energy": "kWh/(m2 a) per m2 of conditioned floor area (the standard's own area basis in the "
                            "indicator columns)", "co2": "kg/(m2 a) per m2 of conditioned floor area"},
        "indicative": bool(reasons), "indicative_reasons": sorted(reasons),
    }


def _price_level(cost_model: Any, template: str, city: str | None) -> dict[str, Any]:
    """The price region of a (template, city), its factor and where the factor comes from."""
    from ultralow.optimise.costs import NATIONAL, regional_cost_table

    region = cost_model.price_region(template, city)
    factor = cost_model.regional_price_factor(region)
    out: dict[str, Any] = {"price_region": region, "regional_price_factor": factor}
    if region in (cost_model.value("regional.price_factor") or {}):
        out.update(source="the cost file's [regional] price_factor", verified=cost_model.items[
            "regional.price_factor"].verified, year=None)
    elif region != NATIONAL:
        row, base = regional_cost_table()[region], regional_cost_table()[NATIONAL]
        out.update(source=f"{row.cost_rmb_m2:g} / {base.cost_rmb_m2:g} RMB/m2 ({row.name} / national): {row.source}",
                   verified=row.verified, year=row.year)
    return out


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

    # every weather source, template, variant and baseline is checked before a new run folder is made
    version = engine_version()
    site_evaluators: list[tuple[Site, Any, list[tuple[str, Any]]]] = []
    for site in spec.sites:
        weather = resolve_weather(city=site.city, epw=site.epw)
        if spec.strict_weather:
            require_non_synthetic(weather, f"spec: sweep.strict_weather = true ({site.label})")
        sha = file_sha256(str(weather.epw_path))
        evaluators = [(template, DesignEvaluator(spec.optimiser_spec(template, site), weather, sha, version))
                      for template in spec.templates]
        site_evaluators.append((site, weather, evaluators))
    variants = _check_variants(spec.variants, [e for _, _, evs in site_evaluators for e in evs])
    baselines = {(site.label, template): _baseline_design(evaluator, spec.baseline)
                 for site, _, evs in site_evaluators for template, evaluator in evs}
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
    search_stats: dict[tuple[str, str, str], dict[str, Any]] = {}
    runs: list[_SiteRun] = []
    ray_started = False

    def start() -> None:
        nonlocal ray_started
        if not ray_started:
            start_ray(address, workers)
            ray_started = True

    t_start = time.time()
    try:
        for site, weather, evaluators in site_evaluators:
            run = _SiteRun(spec, weather, store, run_dir, site.label, keep_runs, progress, start)
            runs.append(run)
            prepared: list[tuple[Any, Any, dict[str, Any]]] = []  # (evaluator, design, row tags)
            for template, evaluator in evaluators:
                tags = {"template": template, "city": site.label, "climate_zone": weather.climate_zone}
                prepared.append((evaluator, _package_design(evaluator, evaluator.base_parameters),
                                 {**tags, "sample": "default", "point": 0}))
                if baselines[(site.label, template)] is not None:
                    prepared.append((evaluator, baselines[(site.label, template)],
                                     {**tags, "sample": "baseline", "point": 0}))
                for i, values in enumerate(main.to_dict("records")):
                    prepared.append((evaluator, evaluator.prepare(values), {**tags, "sample": "main", "point": i}))
                if sens_designs is not None:
                    for i, values in enumerate(sens_designs.to_dict("records")):
                        prepared.append((evaluator, evaluator.prepare(values),
                                         {**tags, "sample": spec.sensitivity.method, "point": i}))
            site_rows = run.rows(prepared, "sample")
            if spec.search is not None:
                for template, evaluator in evaluators:
                    tags = {"template": template, "city": site.label, "climate_zone": weather.climate_zone}
                    for variant in variants:
                        search_stats[(variant.name, site.label, template)] = _search_variant(
                            run, evaluator, tags, variant, site_rows, spec.search)
            if spec.baseline.package == "cheapest":
                site_rows += _cheapest_baseline(site_rows, next(v for v in variants if v.name == spec.baseline.variant))
            rows += site_rows
    finally:
        store.close()

    results = pd.DataFrame(rows)
    variables = [v.name for v in first.variables]
    _write(results, run_dir / "results")
    co2_years = float(_analysis_period_years(first))
    thresholds = (variant_table(results, variants, variables, budget_rmb_m2=spec.budget_rmb_m2,
                                search_stats=search_stats, co2_years=co2_years)
                  if variants else pd.DataFrame())
    thresholds.to_csv(run_dir / "thresholds.csv", index=False)
    sens_tables = analyse_sensitivity(spec, results, unit_x, problem) if problem is not None else {}
    for name, table in sens_tables.items():
        table.to_csv(run_dir / f"{name}.csv", index=False)
    packages = {}
    for (label, template), design in baselines.items():
        if design is not None:
            packages[(label, template)] = {k: design.parameters.get(k) for k in BASELINE_PACKAGE_KEYS
                                           if k in design.parameters}
        elif len(results):
            chosen = results[(results["sample"] == "baseline") & (results["city"] == label)
                             & (results["template"] == template)]
            packages[(label, template)] = ({v: chosen.iloc[0][v] for v in variables} if len(chosen) else
                                           {"none": "no design complies with the baseline variant"})
    (run_dir / "provenance.json").write_text(json.dumps(
        study_provenance(spec, site_evaluators, variants, packages, version), indent=2, default=str))
    n_simulated = sum(r.n_simulated for r in runs)
    n_reused = sum(r.n_reused for r in runs)
    (run_dir / "run.json").write_text(json.dumps({
        "spec": spec.name, "designs": len(results), "simulations_this_invocation": n_simulated,
        "reused_this_invocation": n_reused, "seconds_this_invocation": time.time() - t_start,
        "engine_version": version, "shared_store": str(shared_store_path(first) or "") or None,
        "baseline": spec.baseline.label,
        "energy_saved_against": "the baseline package (sample = baseline) in the same city and template",
        "cost_basis": "RMB per m2 of conditioned floor area; extra cost = the package's incremental investment "
                      "minus the baseline's (both against the template defaults)",
    }, indent=2))
    report = None
    try:
        from ultralow.optimise.sweep_report import write_report

        report = write_report(run_dir, spec, results, thresholds, sens_tables)
    except Exception as exc:  # the tables are the result; a report bug must not lose them
        (run_dir / "report-error.txt").write_text(f"{type(exc).__name__}: {exc}\n")
    return SweepResult(run_dir, results, thresholds, sens_tables, n_simulated, n_reused, report,
                       spec.baseline.label)


def _analysis_period_years(spec: Any) -> float:
    """The cost model's analysis period (years) the CO2 of a marginal cost is counted over."""
    from ultralow.optimise.costs import CostModel

    return float(CostModel.load(spec.costs_file).value("economics.analysis_period_years"))


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
    variables = spec.optimiser_spec(spec.templates[0], spec.sites[0]).variables
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
            t = sensitivity.per_unit_effects(t, variables, levels=sens.levels, x=unit_x)  # e.g. per 0.1 W/(m2 K)
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
