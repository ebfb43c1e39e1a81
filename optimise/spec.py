"""The optimisation spec: one TOML file -> validated :class:`Spec` (errors name key and allowed values).

Layout (see ``optimise/examples/*.toml``)::

    [run]        name, seed, population, generations, period ("annual" | "design-days" |
                 "MM-DD:MM-DD"), algorithm ("auto" | "nsga2" | "nsga3"), max_retries, store
                 (shared result-store folder; "none" = only the run folder's store)
    [building]   template, city | epw, [building.parameters] fixed template parameters
    [variables.NAME]  type = "float" | "int" | "choice"; min/max[/step] or options / catalogue;
                 parameter = template parameter (default NAME)
    [[objectives]]   metric, sense = "min" | "max"
    [[constraints]]  metric + min and/or max, or target = "ultra-low" | "nearly-zero" | "gb55015"
                 [+ indicator]
    [costs]      file = cost data TOML (default: the shipped ``optimise/data/costs.toml``);
                 tariff_city = registry city whose province's energy tariffs apply (required
                 with costs and a user ``epw``; default: the building's city)

Nothing is simulated before a spec validates: unknown keys, templates, parameters, metrics,
empty or inverted bounds and spec without variables or objectives are refused here.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ultralow.errors import InputError
from ultralow.optimise.metrics import (
    COST_METRICS,
    EXISTING_METRICS,
    RENAMED_METRICS,
    RESULT_METRICS,
    STANDARD_METRICS,
    STANDARD_TARGETS,
)
from ultralow.optimise.variables import CATALOGUES, KEEP_EXISTING, KINDS, Variable

SECTIONS = ("run", "building", "variables", "objectives", "constraints", "costs")
RUN_KEYS = ("name", "seed", "population", "generations", "period", "algorithm", "max_retries", "store", "dispatch",
            "surrogate", "surrogate_candidates", "surrogate_explore")
BUILDING_KEYS = ("template", "idf", "use", "field", "hook", "city", "epw", "parameters", "strict_weather")
VARIABLE_KEYS = ("type", "min", "max", "step", "options", "catalogue", "parameter")
OBJECTIVE_KEYS = ("metric", "sense", "label")
CONSTRAINT_KEYS = ("metric", "min", "max", "target", "indicator", "label")
ALGORITHMS = ("auto", "nsga2", "nsga3")
DISPATCH_MODES = ("auto", "generational", "async")


@dataclass(frozen=True)
class Objective:
    metric: str
    sense: str  # "min" or "max"
    label: str = ""

    @property
    def column(self) -> str:
        return self.metric


@dataclass(frozen=True)
class ConstraintSpec:
    """``metric`` with ``low``/``high`` bounds, or a standards ``target`` (optionally one
    ``indicator`` of it). Evaluated as g <= 0 feasible, g relative to the bound."""

    label: str
    metric: str | None = None
    low: float | None = None
    high: float | None = None
    target: str | None = None
    indicator: str | None = None


@dataclass
class Spec:
    """A validated optimisation spec; ``source`` is the file it came from (if any)."""

    name: str
    template: str
    city: str | None
    epw: str | None
    fixed: dict[str, Any]
    variables: list[Variable]
    objectives: list[Objective]
    constraints: list[ConstraintSpec]
    seed: int = 1
    population: int = 16
    generations: int = 5
    period: str = "annual"
    algorithm: str = "auto"
    max_retries: int = 2
    store: str | None = "default"
    dispatch: str = "auto"  # "generational" or "async": simulations in flight follow the CPUs (optimise/run.py)
    surrogate: bool = False  # screen the proposed designs with a model of the simulated ones (optimise/surrogate.py)
    surrogate_candidates: int = 3  # designs proposed per design simulated, when screening
    surrogate_explore: float = 0.25  # share of the simulated designs drawn at random from the screened-out ones
    costs_file: str | None = None
    tariff_city: str | None = None
    strict_weather: bool = False
    source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def algorithm_name(self) -> str:
        """``nsga2`` below 3 objectives, ``nsga3`` from 3 (unless set explicitly)."""
        if self.algorithm != "auto":
            return self.algorithm
        return "nsga3" if len(self.objectives) >= 3 else "nsga2"

    @property
    def metrics_needed(self) -> set[str]:
        out = {o.metric for o in self.objectives}
        out |= {c.metric for c in self.constraints if c.metric}
        return out

    @property
    def needs_reference(self) -> bool:
        """True when a saving rate or a standards target needs the 2016-era reference building."""
        return bool(self.metrics_needed & set(STANDARD_METRICS)) or any(c.target for c in self.constraints)

    @property
    def needs_existing(self) -> bool:
        """True when a metric compares with the existing building (needs a ``vintage``)."""
        return bool(self.metrics_needed & set(EXISTING_METRICS))

    @property
    def needs_costs(self) -> bool:
        return bool(self.metrics_needed & set(COST_METRICS))


def _unknown(where: str, given: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in given:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"spec: unknown key {where}{key!r}{hint}; allowed: {', '.join(allowed)}")


def _number(where: str, value: Any, kind: type = float, minimum: float | None = None) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"spec: {where} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise InputError(f"spec: {where} must be a finite number, got {value!r}")
    if kind is int:
        if float(value) != int(value):
            raise InputError(f"spec: {where} must be an integer, got {value!r}")
        value = int(value)
    if minimum is not None and value < minimum:
        raise InputError(f"spec: {where} must be at least {minimum:g}, got {value!r}")
    return value if kind is int else float(value)


def table_value(where: str, value: Any) -> dict[str, Any]:
    """``value`` if it is a TOML table (``{}`` when absent); an InputError naming ``where`` otherwise."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"spec: {where} must be a table ([{where}] with keys below it), got {value!r}")
    return value


def bool_value(where: str, value: Any) -> bool:
    """``value`` if it is true or false; an InputError naming ``where`` otherwise."""
    if not isinstance(value, bool):
        raise InputError(f"spec: {where} must be true or false, got {value!r}")
    return value


def text_value(where: str, value: Any) -> str:
    """``value`` if it is non-empty text; an InputError naming ``where`` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"spec: {where} must be text (a quoted string), got {value!r}")
    return value


SQLITE_HEADER = b"SQLite format 3\x00"


def check_store(where: str, store: str | None) -> None:
    """A result store (``[run] store``) must be a folder or an SQLite file (or not exist yet): the
    check runs before any run folder is made or Ray starts. Paths resolve as in
    :func:`ultralow.optimise.run.shared_store_path`."""
    if store is None:
        return
    if store == "default":
        from ultralow.paths import cache_dir

        path = cache_dir() / "store" / "store.sqlite"
    else:
        path = Path(store).expanduser()
        if path.suffix != ".sqlite":
            if path.exists() and not path.is_dir():
                raise InputError(f"spec: {where} = {store!r} is a file, not a folder; give a folder (the store is "
                                 "FOLDER/store.sqlite), a .sqlite file or \"none\"")
            path = path / "store.sqlite"
    if path.is_dir():
        raise InputError(f"spec: {where} = {store!r}: {str(path)!r} is a folder, not an SQLite file")
    if path.exists():
        try:
            with path.open("rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise InputError(f"spec: {where} = {store!r}: cannot read {str(path)!r}: {exc.strerror or exc}") from None
        if head and head != SQLITE_HEADER:
            raise InputError(f"spec: {where} = {store!r}: {str(path)!r} is not an SQLite database (result store); "
                             "give a new path, the store of an earlier run, or \"none\"")


def check_weather(where: str, city: Any, epw: Any) -> None:
    """A registry city or a readable, valid EPW file (checked before any run folder is made)."""
    from ultralow.weather import get_city, resolve_weather

    try:
        if city is not None:
            get_city(city)
        else:
            resolve_weather(epw=epw)
    except InputError as exc:
        raise InputError(f"spec: {where}: {exc}") from None


def check_costs_file(where: str, path: str | None) -> None:
    """Load the cost file once so that a bad value is refused before anything runs."""
    if path is None:
        return
    from ultralow.optimise.costs import CostModel

    try:
        CostModel.load(path)
    except InputError as exc:
        raise InputError(f"spec: {where}: {exc}") from None


def _choice(where: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(f"spec: {where} = {value!r} is not allowed; allowed: {', '.join(allowed)}")
    return value


def _variable(name: str, raw: Any, template: Any, fixed: Mapping[str, Any]) -> Variable:
    where = f"variables.{name}"
    if not isinstance(raw, dict):
        raise InputError(f"spec: [{where}] must be a table with type = one of {', '.join(KINDS)}")
    _unknown(f"{where}.", raw, VARIABLE_KEYS)
    kind = _choice(f"{where}.type", raw.get("type", "choice" if "catalogue" in raw else None), KINDS)
    params = template.parameters
    if kind == "choice":
        catalogue = raw.get("catalogue")
        if catalogue is not None:
            _choice(f"{where}.catalogue", catalogue, tuple(CATALOGUES))
            cat = CATALOGUES[catalogue]
            try:
                ids = tuple(cat.loader())
            except ImportError as exc:
                raise InputError(f"spec: {where}: catalogue {catalogue!r} is not available ({exc})") from None
            if cat.expands:
                missing = [p for p in cat.expands if p not in params]
                if missing:
                    raise InputError(f"spec: {where}: template {template.name!r} has no {missing[0]!r}")
                parameter = None
                if fixed.get("vintage", "new") != "new":  # a retrofit may keep the existing element
                    ids = (*ids, KEEP_EXISTING)
            else:
                parameter = text_value(f"{where}.parameter", raw.get("parameter", name))
        else:
            parameter = text_value(f"{where}.parameter", raw.get("parameter", name))
            if parameter in params and params[parameter].kind == "choice":
                ids = params[parameter].choices
                if fixed.get("vintage", "new") == "new":  # "existing" systems exist only in a retrofit
                    ids = tuple(i for i in ids if i != KEEP_EXISTING)
            elif "options" not in raw:
                raise InputError(f"spec: {where}: a choice needs options = [...] or catalogue = one of "
                                 f"{', '.join(CATALOGUES)}")
            else:
                ids = ()
        if parameter is not None and parameter not in params:
            raise InputError(f"spec: {where}.parameter {parameter!r} is not a parameter of template "
                             f"{template.name!r}; parameters: {', '.join(sorted(params))}")
        options = raw.get("options", list(ids))
        if not isinstance(options, list) or not options:
            raise InputError(f"spec: {where}.options must be a non-empty list")
        options = tuple(str(o) for o in options)
        for opt in options:
            if ids and opt not in ids:
                raise InputError(f"spec: {where}.options: {opt!r} is not allowed; allowed: {', '.join(ids)}")
            if parameter is not None:
                params[parameter].coerce(opt)  # InputError naming the parameter and allowed values
        if len(options) < 2:
            raise InputError(f"spec: {where} has a single option {options[0]!r}: fix it in "
                             "[building.parameters] instead")
        return Variable(name, kind, parameter, options=options, catalogue=catalogue)
    parameter = text_value(f"{where}.parameter", raw.get("parameter", name))
    if parameter not in params:
        close = difflib.get_close_matches(parameter, params, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InputError(f"spec: {where}: template {template.name!r} has no parameter {parameter!r}{hint}; "
                         f"parameters: {', '.join(sorted(params))}")
    spec = params[parameter]
    if spec.kind == "choice":
        raise InputError(f"spec: {where}: {parameter!r} is a choice; use type = \"choice\" "
                         f"(allowed: {', '.join(spec.choices)})")
    for key in ("min", "max"):
        if key not in raw:
            raise InputError(f"spec: {where} needs {key} ({spec.allowed()})")
    conv = int if kind == "int" else float
    low, high = _number(f"{where}.min", raw["min"], conv), _number(f"{where}.max", raw["max"], conv)
    if not low < high:
        raise InputError(f"spec: {where}: min {low:g} must be below max {high:g}")
    for bound in (low, high):
        if (spec.minimum is not None and bound < spec.minimum) or (spec.maximum is not None and bound > spec.maximum):
            raise InputError(f"spec: {where}: bounds {low:g} .. {high:g} leave the allowed range of "
                             f"{parameter!r}: {spec.allowed()}")
    step = raw.get("step")
    if step is not None:
        step = _number(f"{where}.step", step)
        if not 0 < step <= high - low:
            raise InputError(f"spec: {where}.step must be > 0 and at most max - min ({high - low:g})")
    return Variable(name, kind, parameter, low=low, high=high, step=step)


def _check_ordered_ranges(fixed: Mapping[str, Any], variables: list[Variable]) -> None:
    """Parameters that must stay ordered (heating below cooling setpoint) may not cross anywhere in
    the search space: every design beyond the crossing would fail in EnergyPlus."""
    from ultralow.templates.parameters import ORDERED_PARAMETERS

    def span(name: str) -> tuple[float, float, str] | None:
        try:
            value = float(fixed[name])  # already checked by template.resolve
        except (KeyError, TypeError, ValueError):  # not fixed, or fixed to "none" (the profile's)
            value = None
        if value is not None:
            return value, value, f"[building.parameters] {name} = {value:g}"
        for v in variables:
            if (v.parameter or v.name) == name and v.low is not None and v.high is not None:
                return v.low, v.high, f"variables.{v.name} ({v.low:g} .. {v.high:g})"
        return None

    for low, high in ORDERED_PARAMETERS:
        a, b = span(low), span(high)
        if a is not None and b is not None and a[1] > b[0]:
            raise InputError(f"spec: {a[2]} and {b[2]}: {low} may reach {a[1]:g}, above {high} at {b[0]:g}; "
                             f"{low} must not be above {high} in any design")


def _metric(where: str, metric: Any) -> str:
    allowed = RESULT_METRICS + COST_METRICS + STANDARD_METRICS + EXISTING_METRICS
    if not isinstance(metric, str):
        raise InputError(f"spec: {where} = {metric!r} must be a metric name (text); allowed: {', '.join(allowed)}")
    if metric in RENAMED_METRICS:
        raise InputError(f"spec: {where} = {metric!r} was renamed {RENAMED_METRICS[metric]!r} (a saving against "
                         "the standard's reference building; savings against the existing building are "
                         "saving_vs_existing_*)")
    if metric not in allowed:
        close = difflib.get_close_matches(str(metric), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"spec: {where} = {metric!r} is not a known metric{hint}; allowed: {', '.join(allowed)}")
    return metric


def _constraint(i: int, raw: Any) -> ConstraintSpec:
    where = f"constraints[{i}]"
    if not isinstance(raw, dict):
        raise InputError(f"spec: {where} must be a table")
    _unknown(f"{where}.", raw, CONSTRAINT_KEYS)
    if "target" in raw:
        target = _choice(f"{where}.target", raw["target"], STANDARD_TARGETS)
        indicator = raw.get("indicator")
        if indicator is not None:
            text_value(f"{where}.indicator", indicator)
        label = raw.get("label") or (f"{target}: {indicator}" if indicator else target)
        return ConstraintSpec(label, target=target, indicator=indicator)
    if "metric" not in raw:
        raise InputError(f"spec: {where} needs metric = ... with min/max, or target = one of "
                         f"{', '.join(STANDARD_TARGETS)}")
    metric = _metric(f"{where}.metric", raw["metric"])
    low = _number(f"{where}.min", raw["min"]) if "min" in raw else None
    high = _number(f"{where}.max", raw["max"]) if "max" in raw else None
    if low is None and high is None:
        raise InputError(f"spec: {where} ({metric}) needs min and/or max")
    if low is not None and high is not None and low > high:
        raise InputError(f"spec: {where} ({metric}): min {low:g} is above max {high:g} (infeasible)")
    parts = [f"{metric} >= {low:g}" if low is not None else "", f"{metric} <= {high:g}" if high is not None else ""]
    return ConstraintSpec(raw.get("label") or " and ".join(p for p in parts if p), metric, low, high)


def _model_file_template(building: Mapping[str, Any], base_dir: Path | None) -> Any:
    """The template of ``[building] idf = ...`` with its ``use``, ``[[building.field]]`` field
    parameters and ``[[building.hook]]`` Python hooks
    (:func:`ultralow.templates.from_file.model_template`; InputError naming the key)."""
    from ultralow.templates.from_file import engine_model_path, model_template

    text = text_value("building.idf", building["idf"])
    path = engine_model_path(text) if text.startswith("engine:") else Path(text)
    if base_dir is not None and not path.is_absolute():
        path = (base_dir / path).resolve()
    fields = building.get("field", [])
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        raise InputError("spec: building.field must be [[building.field]] tables (object, name, field, value or "
                         "multiplier, label)")
    use = text_value("building.use", building.get("use", "public"))
    return model_template(path, fields, hooks=building.get("hook"), building_use=use, where="spec: building.idf",
                          base_dir=base_dir)


def parse_spec(data: Mapping[str, Any], source: str | None = None, base_dir: Path | None = None) -> Spec:
    """Validate a parsed TOML mapping; ``base_dir`` resolves relative ``epw``/``costs.file`` paths."""
    from ultralow.templates import get_template

    _unknown("", data, SECTIONS)
    run = table_value("run", data.get("run"))
    building = data.get("building")
    _unknown("run.", run, RUN_KEYS)
    if not isinstance(building, dict):
        raise InputError("spec: missing [building] table (template = ..., city = ... or epw = ...)")
    _unknown("building.", building, BUILDING_KEYS)
    if ("template" in building) == ("idf" in building):
        from ultralow.templates import list_templates

        raise InputError("spec: [building] needs exactly one of template = \"...\" (allowed: "
                         f"{', '.join(list_templates())}) and idf = \"your_model.idf\"")
    if "idf" in building:
        template = _model_file_template(building, base_dir)
    else:
        for key in ("use", "field", "hook"):
            if key in building:
                raise InputError(f"spec: building.{key} belongs to a model file (building.idf), not a template")
        template = get_template(text_value("building.template", building["template"]))
    city, epw = building.get("city"), building.get("epw")
    if (city is None) == (epw is None):
        raise InputError("spec: [building] needs exactly one of city = \"...\" or epw = \"path.epw\"")
    if city is not None:
        text_value("building.city", city)
    if epw is not None:
        text_value("building.epw", epw)
    if epw is not None and base_dir is not None and not Path(epw).is_absolute():
        epw = str((base_dir / epw).resolve())
    fixed = dict(table_value("building.parameters", building.get("parameters")))
    template.resolve(fixed)  # InputError naming parameter and allowed values

    raw_vars = data.get("variables", {})
    if not isinstance(raw_vars, dict) or not raw_vars:
        raise InputError("spec: no [variables.NAME] table: an optimisation needs at least one variable")
    variables = [_variable(name, raw, template, fixed) for name, raw in raw_vars.items()]
    seen: dict[str, str] = {}
    for v in variables:
        targets = list(CATALOGUES[v.catalogue].expands) if v.catalogue and CATALOGUES[v.catalogue].expands \
            else [v.parameter or v.name]
        for p in targets:
            if p in seen:
                raise InputError(f"spec: variables {seen[p]!r} and {v.name!r} both set parameter {p!r}")
            if p in fixed:
                raise InputError(f"spec: parameter {p!r} is both fixed in [building.parameters] and set "
                                 f"by variable {v.name!r}")
            seen[p] = v.name

    _check_ordered_ranges(fixed, variables)

    raw_obj = data.get("objectives", [])
    if not isinstance(raw_obj, list) or not raw_obj:
        raise InputError("spec: no [[objectives]]: give at least one (metric = ..., sense = \"min\" | \"max\")")
    objectives = []
    for i, raw in enumerate(raw_obj):
        if not isinstance(raw, dict):
            raise InputError(f"spec: objectives[{i}] must be a table ([[objectives]] metric = ..., "
                             f"sense = \"min\" | \"max\"), got {raw!r}")
        _unknown(f"objectives[{i}].", raw, OBJECTIVE_KEYS)
        metric = _metric(f"objectives[{i}].metric", raw.get("metric"))
        sense = _choice(f"objectives[{i}].sense", raw.get("sense", "min"), ("min", "max"))
        objectives.append(Objective(metric, sense, raw.get("label", "")))
    if len({o.metric for o in objectives}) != len(objectives):
        raise InputError("spec: the same metric appears twice in [[objectives]]")
    raw_constraints = data.get("constraints", [])
    if not isinstance(raw_constraints, list):
        raise InputError(f"spec: constraints must be a list of tables ([[constraints]] metric = ... with "
                         f"min/max, or target = ...), got {raw_constraints!r}")
    constraints = [_constraint(i, raw) for i, raw in enumerate(raw_constraints)]

    seed = _number("run.seed", run.get("seed", 1), int, minimum=0)
    if seed >= 2**32:
        raise InputError(f"spec: run.seed must be below 2**32, got {seed}")
    population = _number("run.population", run.get("population", 16), int)
    generations = _number("run.generations", run.get("generations", 5), int)
    if population < 2:
        raise InputError(f"spec: run.population must be at least 2, got {population}")
    if generations < 1:
        raise InputError(f"spec: run.generations must be at least 1, got {generations}")
    period = text_value("run.period", run.get("period", "annual"))
    from ultralow.sim.run_control import RunPeriod

    try:
        RunPeriod.parse(period)
    except (InputError, ValueError) as exc:
        raise InputError(f"spec: run.period = {period!r}: {exc}; allowed: annual, design-days, MM-DD:MM-DD") from None
    algorithm = _choice("run.algorithm", run.get("algorithm", "auto"), ALGORITHMS)
    max_retries = _number("run.max_retries", run.get("max_retries", 2), int, minimum=0)
    store = text_value("run.store", run.get("store", "default"))
    store = None if store == "none" else store
    check_store("run.store", store)
    dispatch = _choice("run.dispatch", run.get("dispatch", "auto"), DISPATCH_MODES)
    surrogate = bool_value("run.surrogate", run.get("surrogate", False))
    surrogate_candidates = _number("run.surrogate_candidates", run.get("surrogate_candidates", 3), int, minimum=2)
    surrogate_explore = _number("run.surrogate_explore", run.get("surrogate_explore", 0.25), float, minimum=0.0)
    if surrogate_explore > 1.0:
        raise InputError(f"spec: run.surrogate_explore = {surrogate_explore!r} must be a share between 0 and 1")
    name = text_value("run.name", run.get("name", Path(source).stem if source else "optimisation"))
    costs = table_value("costs", data.get("costs"))
    _unknown("costs.", costs, ("file", "tariff_city"))
    costs_file = costs.get("file")
    if costs_file is not None:
        text_value("costs.file", costs_file)
    tariff_city = costs.get("tariff_city")
    if tariff_city is not None:
        from ultralow.optimise.tariffs import load_tariffs

        if not isinstance(tariff_city, str) or tariff_city not in load_tariffs().known_cities():
            raise InputError(f"spec: costs.tariff_city = {tariff_city!r} is not allowed; use one of "
                             f"{', '.join(load_tariffs().known_cities())}")
    if costs_file is not None and base_dir is not None and not Path(costs_file).is_absolute():
        costs_file = str((base_dir / costs_file).resolve())
    check_costs_file("costs.file", costs_file)
    check_weather("building.city" if city is not None else "building.epw", city, epw)
    from ultralow.paths import safe_name

    spec = Spec(
        name=safe_name(name, "optimisation"), template=template.name,
        city=city, epw=epw, fixed=fixed, variables=variables, objectives=objectives, constraints=constraints,
        seed=seed, population=population, generations=generations, period=period, algorithm=algorithm,
        max_retries=max_retries, store=store, dispatch=dispatch, surrogate=surrogate,
        surrogate_candidates=surrogate_candidates, surrogate_explore=surrogate_explore, costs_file=costs_file,
        tariff_city=tariff_city,
        strict_weather=bool_value("building.strict_weather", building.get("strict_weather", False)),
        source=source, raw=dict(data),
    )
    if "idf" in building and (spec.needs_costs or spec.needs_existing):
        asked = sorted(spec.metrics_needed & set(COST_METRICS + EXISTING_METRICS))
        raise InputError(f"spec: {', '.join(asked)} are not available for a model file (building.idf) yet: costs "
                         "are priced on a template's quantities and the existing building is a template's vintage; "
                         f"use the simulated metrics ({', '.join(RESULT_METRICS[:4])}, ...), saving rates and "
                         "standards targets")
    if spec.algorithm_name == "nsga2" and len(objectives) > 3:
        raise InputError("spec: run.algorithm = \"nsga2\" with more than 3 objectives; use \"nsga3\" or \"auto\"")
    return spec


def read_toml_spec(path: str | Path, parse: Callable[..., Any]) -> Any:
    """Read a TOML spec file and validate it with ``parse(data, source, base_dir)``; every
    InputError names the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"spec file {str(path)!r} not found")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"spec file {str(path)!r} is not valid TOML: {exc}") from None
    try:
        return parse(data, str(path), path.parent)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file; InputError names the file and the problem."""
    return read_toml_spec(path, parse_spec)
