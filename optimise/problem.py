"""The optimisation problem: design variables -> simulations -> metrics -> objectives F and constraints G.

pymoo only sees :class:`DesignProblem` for its variable definitions and sizes; evaluation runs
outside pymoo (ask/tell), in :mod:`ultralow.optimise.search`, through :class:`DesignEvaluator`:

1. :meth:`DesignEvaluator.prepare` turns optimiser values into a :class:`Design`: resolved template
   parameters and the simulations it needs (the design itself; the 2016-era reference building
   when a saving rate or standards target is used; the cost reference, i.e. the fixed parameters
   with template defaults, when costs are computed), each keyed by content hash;
2. the caller gets the records of those simulations (store or Ray);
3. :meth:`DesignEvaluator.evaluate` computes metrics (result fields, costs, saving rates), the
   objective vector (maximised metrics negated) and constraints ``g <= 0`` feasible. The first
   constraint is "the simulations succeeded": a failed design is infeasible with the worst F.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pymoo.core.problem import Problem
from pymoo.core.variable import Choice, Integer, Real
from ultralow.errors import InputError
from ultralow.optimise import standards_adapter as std
from ultralow.optimise.dispatch import Job
from ultralow.optimise.metrics import COST_METRICS, FAILED_F, INFEASIBLE_G, constraint_g, result_metrics
from ultralow.optimise.spec import Spec
from ultralow.optimise.store import simulation_key
from ultralow.optimise.variables import decode_design, design_parameters

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
    jobs: dict[str, Job] = field(default_factory=dict)  # role ("design", "reference", "cost_reference") -> job
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
        self.climate = std.ClimateContext.of(weather)
        self.cost_model = _cost_model(spec)
        # the calculation profile of every standards target; the first (or the spec's own
        # `calculation_profile`) is the primary one, whose design simulation gives the metrics
        self.target_profiles = {c.target: std.target_profile(c.target, spec.template, self.climate)
                                for c in spec.constraints if c.target is not None}
        fixed_profile = spec.fixed.get("calculation_profile")
        self.primary_profile = fixed_profile or next(iter(self.target_profiles.values()), "everyday")
        self.base_parameters = self.template.resolve({**spec.fixed, "calculation_profile": self.primary_profile})
        self.constraint_names = [SIMULATION_OK] + self._constraint_columns()

    def role(self, role: str, profile_id: str) -> str:
        """Job role of ``role`` (``design``/``reference``) simulated with ``profile_id``."""
        return role if profile_id == self.primary_profile else f"{role}@{profile_id}"

    @property
    def profiles(self) -> list[str]:
        """Every calculation profile a design is simulated with, the primary one first."""
        return list(dict.fromkeys([self.primary_profile, *self.target_profiles.values()]))

    def simulation_jobs(self, resolved: dict[str, Any]) -> dict[str, Job]:
        """The design (resolved parameters) and, when needed, its 2016-era reference building,
        once per calculation profile, by role (:meth:`role`)."""
        jobs: dict[str, Job] = {}
        for profile_id in self.profiles:
            params = resolved if profile_id == self.primary_profile else self.template.resolve(
                {**resolved, "calculation_profile": profile_id})
            jobs[self.role("design", profile_id)] = self.job(params)
            if self.spec.needs_reference:
                base = {**self.base_parameters, "calculation_profile": profile_id}
                jobs[self.role("reference", profile_id)] = self.job(
                    std.reference_parameters(self.spec.template, params, self.climate, base))
        return jobs

    def _constraint_columns(self) -> list[str]:
        names: list[str] = []
        for c in self.spec.constraints:
            if c.target is None:
                names.append(c.label)
                continue
            indicators = std.target_indicators(c.target, self.spec.template, self.climate, self.base_parameters)
            if c.indicator is not None:
                if c.indicator not in indicators:
                    raise InputError(f"spec: constraint target {c.target!r} has no indicator {c.indicator!r} "
                                     f"here; allowed: {', '.join(indicators)}")
                indicators = [c.indicator]
            names += [f"{c.target}: {i}" for i in indicators]
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
        if self.cost_model is not None:
            design.jobs["cost_reference"] = self.job(self.base_parameters)
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
        result = recs["design"]["result"]
        reference = recs["reference"]["result"] if "reference" in recs else None
        metrics: dict[str, float] = result_metrics(result)
        metrics["simulation_seconds"] = float(recs["design"].get("seconds") or math.nan)
        if reference is not None or self.spec.needs_reference:
            metrics.update(std.standard_metrics(result, reference, self.spec.template, design.parameters,
                                                self.climate))
        if self.cost_model is not None:
            costs = self.cost_model.evaluate(self.spec.template, {**design.parameters, **design.cost_extras},
                                             result, dict(self.base_parameters), recs["cost_reference"]["result"])
            metrics.update({k: float(v) for k, v in costs.items() if isinstance(v, int | float)})
        row.update(metrics)
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
                t_result = recs[self.role("design", pid)]["result"]
                t_ref = recs[self.role("reference", pid)]["result"] if self.spec.needs_reference else None
                gs.update(std.target_g(c.target, c.indicator, t_result, t_ref, self.spec.template,
                                       {**design.parameters, "calculation_profile": pid}, self.climate))
        row["F"] = F
        row["G"] = [float(gs.get(name, INFEASIBLE_G)) for name in self.constraint_names]
        row["feasible"] = bool(max(row["G"]) <= 0.0)
        return row


def as_arrays(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """(F, G) arrays for pymoo from evaluated rows."""
    return np.array([r["F"] for r in rows], dtype=float), np.array([r["G"] for r in rows], dtype=float)
