"""The optimisation problem: design variables -> simulations -> metrics -> objectives F and constraints G.

pymoo only sees :class:`DesignProblem` for its variable definitions and sizes; evaluation runs
outside pymoo (ask/tell), in :mod:`ultralow.optimise.search`, through :class:`DesignEvaluator`:

1. :meth:`DesignEvaluator.prepare` turns optimiser values into a :class:`Design`: resolved template
   parameters and the simulations it needs: the design and the buildings it is compared with
   (:func:`ultralow.optimise.evaluation.compared_buildings`: the standard's reference building,
   the existing building of a retrofit, the new-build cost base), each keyed by content hash;
2. the caller gets the records of those simulations (store or Ray);
3. :meth:`DesignEvaluator.evaluate` computes the metrics
   (:func:`ultralow.optimise.evaluation.building_metrics`, the same function ``ultralow check``
   uses), the objective vector (maximised metrics negated) and constraints ``g <= 0`` feasible.
   The first constraint is "the simulations succeeded": a failed design is infeasible with the
   worst F.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pymoo.core.problem import Problem
from pymoo.core.variable import Choice, Integer, Real
from ultralow.errors import InputError
from ultralow.optimise import evaluation as ev
from ultralow.optimise.dispatch import Job
from ultralow.optimise.metrics import COST_METRICS, FAILED_F, INFEASIBLE_G, constraint_g
from ultralow.optimise.spec import Spec
from ultralow.optimise.store import simulation_key
from ultralow.optimise.variables import decode_design, design_parameters
from ultralow.templates.from_file import PREFIX as MODEL_PREFIX

SIMULATION_OK = "simulation succeeded"


class DesignProblem(Problem):
    """Variables, objective and constraint counts for pymoo (no ``_evaluate``: ask/tell only)."""

    def __init__(self, spec: Spec, n_constraints: int):
        pvars: dict[str, Any] = {}
        for v in spec.variables:
            if v.kind == "float":
                pvars[v.name] = Real(bounds=(v.low, v.high))
            elif v.kind == "int":
                pvars[v.name] = Integer(bounds=(int(v.low), int(v.high)))
            else:
                pvars[v.name] = Choice(options=list(v.options))
        super().__init__(vars=pvars, n_obj=len(spec.objectives), n_ieq_constr=n_constraints)


@dataclass
class Design:
    """One candidate: decoded variable values, template parameters and its simulations by role."""

    values: dict[str, Any]
    parameters: dict[str, Any]
    cost_extras: dict[str, Any]
    jobs: dict[str, Job] = field(default_factory=dict)  # role (evaluation.ROLES, "@profile" suffix) -> job
    error: str | None = None  # set when the parameters themselves were refused

    @property
    def design_id(self) -> str:
        """Short content hash of the decoded values (stable across runs)."""
        text = json.dumps(self.values, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _cost_model(spec: Spec) -> Any | None:
    try:
        from ultralow.optimise.costs import CostModel
    except ImportError:
        if spec.needs_costs:
            raise InputError("spec uses cost metrics but the cost model (ultralow.optimise.costs) is not "
                             f"installed; cost metrics: {', '.join(COST_METRICS)}") from None
        return None
    return CostModel.load(spec.costs_file)


class DesignEvaluator:
    """Turns designs into simulation jobs and simulation records into metrics, F and G."""

    def __init__(self, spec: Spec, weather: Any, weather_sha256: str, engine_version: str):
        from ultralow.templates import get_template

        self.spec = spec
        self.template = get_template(spec.template)
        self.weather_sha256 = weather_sha256
        self.engine_version = engine_version
        self.period = spec.period
        self.climate = ev.ClimateContext.of(weather)
        if spec.tariff_city:
            self.climate = dataclasses.replace(self.climate, city=spec.tariff_city)
        self.cost_model = _cost_model(spec) if not self.template.name.startswith(MODEL_PREFIX) else None
        if self.cost_model is not None and not (self.climate.city or self.cost_model.value("tariffs.city")):
            if not spec.needs_costs:  # no tariff to price energy with, and no cost metric asked for
                self.cost_model = None
            else:
                    raise InputError("spec: cost metrics need a province's energy tariffs but the weather is a user "
                                 "file: set [costs] tariff_city = \"<registry city>\" (e.g. \"beijing\")")
        # the calculation profile of every standards target; the first (or the spec's own
        # `calculation_profile`) is the primary one, whose design simulation gives the metrics
        self.target_profiles = {c.target: ev.target_profile(c.target, spec.template, self.climate)
                                for c in spec.constraints if c.target is not None}
        fixed_profile = spec.fixed.get("calculation_profile")
        self.primary_profile = fixed_profile or next(iter(self.target_profiles.values()), "everyday")
        self.base_parameters = self.template.resolve({**spec.fixed, "calculation_profile": self.primary_profile})
        if spec.needs_existing and not ev.is_retrofit(self.base_parameters):
            raise InputError("spec: metrics against the existing building (saving_vs_existing_*, existing_*) need a "
                             "retrofit: set [building.parameters] vintage = \"<vintage id>\"")
        self.constraint_names = [SIMULATION_OK] + self._constraint_columns()

    def role(self, role: str, profile_id: str) -> str:
        """Job role of ``role`` (:data:`ultralow.optimise.evaluation.ROLES`) simulated with ``profile_id``."""
        return role if profile_id == self.primary_profile else f"{role}@{profile_id}"

    @property
    def profiles(self) -> list[str]:
        """Every calculation profile a design is simulated with, the primary one first."""
        return list(dict.fromkeys([self.primary_profile, *self.target_profiles.values()]))

    def simulation_jobs(self, resolved: dict[str, Any]) -> dict[str, Job]:
        """The design (resolved parameters) and the buildings it is compared with
        (:func:`~ultralow.optimise.evaluation.compared_buildings`), once per calculation profile,
        by role (:meth:`role`); the cost baseline only with the primary profile."""
        jobs: dict[str, Job] = {}
        for profile_id in self.profiles:
            params = resolved if profile_id == self.primary_profile else self.template.resolve(
                {**resolved, "calculation_profile": profile_id})
            targets = tuple(t for t, pid in self.target_profiles.items() if pid == profile_id)
            roles = ev.compared_buildings(self.spec.template, params, self.climate,
                                          reference=self.spec.needs_reference and profile_id == self.primary_profile,
                                          targets=targets,
                                          cost_base=self.cost_model is not None and profile_id == self.primary_profile)
            jobs.update({self.role(role, profile_id): self.job(p) for role, p in roles.items()})
        return jobs

    def results(self, design: Design, records: dict[str, dict[str, Any]], profile_id: str) -> dict[str, Any]:
        """Simulation results by role (without the profile suffix) for ``profile_id``."""
        out = {}
        for role in ev.ROLES:
            job = design.jobs.get(self.role(role, profile_id))
            if job is not None and records.get(job.key) is not None:
                out[role] = records[job.key]["result"]
        return out

    def _constraint_columns(self) -> list[str]:
        names: list[str] = []
        for c in self.spec.constraints:
            if c.target is None:
                names.append(c.label)
                continue
            indicators = ev.target_indicators(c.target, self.spec.template, self.climate, self.base_parameters)
            if c.indicator is not None and c.indicator not in indicators:
                raise InputError(f"spec: constraint target {c.target!r} has no indicator {c.indicator!r} "
                                 f"here; allowed: {', '.join(indicators)}")
            names += [f"{c.target}: {i}" for i in ([c.indicator] if c.indicator is not None else indicators)]
        return names

    def problem(self) -> DesignProblem:
        return DesignProblem(self.spec, len(self.constraint_names))

    def job(self, params: dict[str, Any]) -> Job:
        key = simulation_key(self.spec.template, params, self.weather_sha256, self.engine_version, self.period)
        return Job(key, self.spec.template, params, self.period, self.weather_sha256, self.engine_version)

    def prepare(self, raw_values: dict[str, Any]) -> Design:
        """Decode optimiser values and list the simulations the design needs."""
        values = decode_design(self.spec.variables, raw_values)
        params, extras = design_parameters(self.spec.variables, self.spec.fixed, values)
        design = Design(values, params, extras)
        try:
            resolved = self.template.resolve({**params, "calculation_profile": self.primary_profile})
        except InputError as exc:
            design.error = str(exc)
            return design
        design.parameters = resolved
        design.jobs.update(self.simulation_jobs(resolved))
        return design

    def evaluate(self, design: Design, records: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """A row: values, status, metrics, ``F`` (list) and ``G`` (list); failed -> infeasible."""
        row: dict[str, Any] = {"design_id": design.design_id, **design.values, "status": "ok", "error": None,
                               "severe_lines": [], "design_key": None}
        for v in self.spec.variables:  # what a catalogue choice expanded to, e.g. param_window_u_w_m2k
            if v.catalogue and v.parameter is None:
                row.update({f"param_{k}": x for k, x in v.template_parameters(design.values[v.name]).items()})
        recs = {role: records.get(job.key) for role, job in design.jobs.items()}
        if "design" in design.jobs:
            row["design_key"] = design.jobs["design"].key
        bad = [(role, r) for role, r in recs.items() if r is None or r["status"] != "ok"]
        if design.error or bad:
            role, rec = bad[0] if bad else ("design", None)
            row["status"] = "failed" if rec is None or rec["status"] == "failed" else "error"
            row["error"] = design.error or (f"{role} simulation: {rec['error']}" if rec else f"{role}: no record")
            row["severe_lines"] = list(rec.get("severe_lines") or []) if rec else []
            row["F"] = [FAILED_F] * len(self.spec.objectives)
            row["G"] = [INFEASIBLE_G] * len(self.constraint_names)
            row["feasible"] = False
            return row
        results = self.results(design, records, self.primary_profile)
        metrics = ev.building_metrics(self.spec.template, design.parameters, results, self.climate,
                                      self.cost_model, design.cost_extras)
        metrics["simulation_seconds"] = float(recs["design"].get("seconds") or math.nan)
        row.update(metrics)
        for name, value in design.values.items():  # a variable keeps its input; EnergyPlus's value beside it
            if name in metrics:
                row[f"reported_{name}"] = metrics[name]
                row[name] = value
        F = []
        for o in self.spec.objectives:
            value = metrics.get(o.metric, math.nan)
            F.append(FAILED_F if value != value else (-value if o.sense == "max" else value))
        gs: dict[str, float] = {SIMULATION_OK: 0.0}
        for c in self.spec.constraints:
            if c.target is None:
                gs[c.label] = constraint_g(metrics.get(c.metric), c.low, c.high)
            else:
                pid = self.target_profiles[c.target]
                gs.update(ev.target_g(c.target, c.indicator, self.results(design, records, pid), self.spec.template,
                                      {**design.parameters, "calculation_profile": pid}, self.climate,
                                      extra={"simple_payback_years": metrics.get("simple_payback_years")}))
        row["F"] = F
        row["G"] = [float(gs.get(name, INFEASIBLE_G)) for name in self.constraint_names]
        row["feasible"] = bool(max(row["G"]) <= 0.0)
        return row


def as_arrays(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """(F, G) arrays for pymoo from evaluated rows."""
    return np.array([r["F"] for r in rows], dtype=float), np.array([r["G"] for r in rows], dtype=float)
