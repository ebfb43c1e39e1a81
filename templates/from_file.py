"""A template made from a model file the user brings (IDF or epJSON), for the optimiser and sweeps.

``[building] idf = "model.idf"`` (with ``[[building.field]]`` tables) in a spec becomes a
:class:`~ultralow.templates.template.Template` named ``model:<id>`` whose parameters are

- the package parameters of :mod:`ultralow.templates.model_package` (wall/roof/floor U, window
  U/SHGC/VT, n50, heat recovery, PV), all optional: not set = the model's own;
- one parameter per field parameter (:mod:`ultralow.templates.field_parameters`), named by its
  ``label``: the value (or multiplier) an optimiser variable sets, default the one declared;
- one parameter per Python hook (:mod:`ultralow.templates.model_hooks`), named by its ``label``.

``<id>`` is the first 12 hex digits of the SHA-256 of the model's text, the field parameters'
definitions and the hooks (with their modules' source). :func:`model_template` validates every
field parameter and hook against the model (InputError naming it, before any simulation) and
keeps a copy of the model and the definition under ``<cache>/models/<id>/``;
:func:`template_from_id` reads them back, so a worker process (a Ray task on this machine, or a
node sharing the cache folder) builds exactly the model that was hashed, whatever happens to the
user's file afterwards (a hook's module must be importable there: an installed package, or a
file on a shared path).

:func:`model_geometry` measures the model's form once (storeys, shape coefficient, window-to-wall
ratios, its windows' U and SHGC, whether it has ideal loads: :mod:`ultralow.sim.model_geometry`)
by a design-day run of the model as brought, and keeps it as ``geometry-<revision>.json`` beside
it: the standards' limits and the reference building (:mod:`ultralow.optimise.evaluation`) need it before
any design is simulated.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from ultralow.errors import InputError
from ultralow.templates.field_parameters import FieldParameter, parse_field_parameter, validate_field_parameters
from ultralow.templates.model_hooks import Hook, parse_hook, validate_hooks
from ultralow.templates.model_package import PACKAGE_PARAMETERS, PV_SETTINGS
from ultralow.templates.parameters import Parameter
from ultralow.templates.profiles import EVERYDAY
from ultralow.templates.template import Template

PREFIX = "model:"
# why a model file's compliance verdict is indicative (ComplianceContext.operation)
MODEL_OPERATION = ("a model file keeps its own schedules, internal gains, setpoints and ventilation: the "
                   "standard's calculation conditions were not applied to it")
USES = ("residential", "public")


@dataclasses.dataclass(frozen=True)
class ModelDefinition:
    """What a file template stands on: the model's text (as hashed), where it came from, the
    building use the standards and profiles read, and the field parameters."""

    model_id: str
    source: str  # the user's path, for reports
    source_sha256: str
    building_use: str
    fields: tuple[FieldParameter, ...]
    hooks: tuple[Hook, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "source": self.source, "source_sha256": self.source_sha256,
                "building_use": self.building_use, "fields": [dataclasses.asdict(f) for f in self.fields],
                "hooks": [dataclasses.asdict(h) for h in self.hooks]}


def _models_dir() -> Path:
    from ultralow.paths import cache_dir

    return cache_dir() / "models"


def engine_model_path(text: str) -> Path:
    """``engine:<file>``: a model shipped in the engine package's ``data/model`` folder (e.g. the
    DOE reference buildings); InputError listing them when there is no such file."""
    import pyenergyplus

    folder = Path(pyenergyplus.__file__).parent / "data" / "model"
    path = folder / text.removeprefix("engine:")
    if not path.is_file():
        shipped = sorted(p.name for p in folder.glob("*.idf")) if folder.is_dir() else []
        raise InputError(f"{text}: no such model in the engine package ({folder}); shipped: {', '.join(shipped)}")
    return path


def model_template(path: str | Path, fields: list[Mapping[str, Any] | str] | None = None, *,
                   hooks: list[Mapping[str, Any]] | None = None, building_use: str = "public",
                   where: str = "building.idf", base_dir: Path | None = None) -> Template:
    """The template of the model file ``path`` with the field parameters ``fields`` (spec tables or
    compact strings, :func:`~ultralow.templates.field_parameters.parse_field_parameter`) and the
    Python ``hooks`` (spec tables, :func:`~ultralow.templates.model_hooks.parse_hook`; a relative
    file path from ``base_dir``).

    Validates the file (readable, EnergyPlus version), every field parameter and every hook
    against it; InputError names ``where``, the file and what is wrong."""
    from ultralow.sim.file_model import load_model_text, model_file_text

    if building_use not in USES:
        raise InputError(f"{where}: use = {building_use!r} is not allowed; use one of {', '.join(USES)}")
    path = Path(path).expanduser().resolve()
    text = model_file_text(path, where)
    params = tuple(parse_field_parameter(f, f"{where}: field[{i}]") for i, f in enumerate(fields or []))
    if hooks is not None and not isinstance(hooks, list):
        raise InputError(f"{where}: hook must be [[building.hook]] tables (function, label, value)")
    user_hooks = tuple(parse_hook(h, f"{where}: hook[{i}]", base_dir) for i, h in enumerate(hooks or []))
    labels = [p.key for p in params] + [h.key for h in user_hooks]
    clash = sorted({k for k in labels if labels.count(k) > 1} | (set(labels) & set(PACKAGE_PARAMETERS)))
    if clash:
        raise InputError(f"{where}: field parameter or hook label(s) {', '.join(clash)} used twice or equal to a "
                         f"package parameter; give each its own label")
    validate_field_parameters(load_model_text(text, str(path)), params, f"{where} ({path})")
    validate_hooks(load_model_text(text, str(path)), user_hooks, f"{where} ({path})")
    sha = hashlib.sha256(text.encode()).hexdigest()
    definition_text = json.dumps([dataclasses.asdict(p) for p in params] + [dataclasses.asdict(h) for h in user_hooks],
                                 sort_keys=True, default=str)
    model_id = hashlib.sha256(f"{sha}:{building_use}:{definition_text}".encode()).hexdigest()[:12]
    definition = ModelDefinition(model_id, str(path), sha, building_use, params, user_hooks)
    folder = _models_dir() / model_id
    if not (folder / "definition.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.idf").write_text(text, encoding="latin-1", errors="replace")
        tmp = folder / "definition.json.tmp"
        tmp.write_text(json.dumps(definition.to_json(), indent=1, default=str))
        tmp.replace(folder / "definition.json")
    return _template(definition)


@functools.lru_cache(maxsize=32)
def template_from_id(name: str) -> Template:
    """The template ``model:<id>`` registered by :func:`model_template` (in this or another process)."""
    model_id = name.removeprefix(PREFIX)
    path = _models_dir() / model_id / "definition.json"
    if not path.is_file():
        raise InputError(f"template {name!r}: no model {model_id!r} under {path.parent.parent}; a model template "
                         "is made from [building] idf = ... (the cache folder must be shared with the workers)")
    raw = json.loads(path.read_text())
    fields = tuple(FieldParameter(**f) for f in raw["fields"])
    hooks = tuple(Hook(**h) for h in raw.get("hooks", []))
    return _template(ModelDefinition(raw["model_id"], raw["source"], raw["source_sha256"], raw["building_use"],
                                     fields, hooks))


# the weather of the geometry run: any (a model's geometry does not depend on it); a registry
# city's embedded design days, so the run needs no file of the user's
GEOMETRY_RUN_CITY = "beijing"


def is_model_template(name: str) -> bool:
    """Whether ``name`` is the template of a model file (``model:<id>``)."""
    return str(name).startswith(PREFIX)


@functools.lru_cache(maxsize=32)
def model_geometry(name: str) -> Any:
    """The :class:`~ultralow.sim.model_geometry.ModelGeometry` of the model template ``name``
    (module docstring): read from ``<cache>/models/<id>/geometry-<model revision>.json``, else
    measured by a design-day run of the model with its declared field parameters and kept there."""
    from ultralow.sim.model_geometry import ModelGeometry, read_model_geometry
    from ultralow.sim.revision import model_revision
    from ultralow.sim.simulate import simulate
    from ultralow.weather import resolve_weather

    template = template_from_id(name)
    folder = _models_dir() / name.removeprefix(PREFIX)
    path = folder / f"geometry-{model_revision()}.json"  # measured by this version of the code
    if path.is_file():
        return ModelGeometry.from_json(json.loads(path.read_text()))
    with tempfile.TemporaryDirectory(prefix="geometry-", dir=folder) as scratch:
        simulate(name, template.resolve({}), resolve_weather(city=GEOMETRY_RUN_CITY), run_dir=scratch,
                 period="design-days")
        geometry = read_model_geometry(Path(scratch) / "eplusout.sql")
    tmp = folder / f"geometry.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(geometry.to_json(), indent=1))
    tmp.replace(path)
    return geometry


def _field_parameter(param: FieldParameter) -> Parameter:
    """The template parameter a field parameter's label names (a number; the IDD checks the range)."""
    default = param.multiplier if param.multiplier is not None else param.value
    kind = "float" if isinstance(default, int | float) and not isinstance(default, bool) else "choice"
    what = "multiplier on" if param.multiplier is not None else "value of"
    return Parameter(param.key, kind, "", default,
                     f"{what} {param.object_type} {param.name!r} field {param.field} (the model's units)",
                     -1e12 if kind == "float" else None, 1e12 if kind == "float" else None,
                     choices=() if kind == "float" else (str(default),))


def _hook_parameter(hook: Hook) -> Parameter:
    """The template parameter a hook's label names (its value is the hook's to check)."""
    kind = "float" if isinstance(hook.value, int | float) else "choice"
    return Parameter(hook.key, kind, "", hook.value, f"value given to the hook {hook.function}",
                     -1e12 if kind == "float" else None, 1e12 if kind == "float" else None,
                     choices=() if kind == "float" else (str(hook.value),))


def _template(definition: ModelDefinition) -> Template:
    parameters = {name: dataclasses.replace(p, optional=p.default is None)
                  for name, p in PACKAGE_PARAMETERS.items()}
    parameters["calculation_profile"] = Parameter(
        "calculation_profile", "choice", "", EVERYDAY, "operating conditions: a model file keeps its own schedules, "
        "gains and setpoints (the standards' calculation profiles need a template)", choices=(EVERYDAY,))
    parameters.update({p.key: _field_parameter(p) for p in definition.fields})
    parameters.update({h.key: _hook_parameter(h) for h in definition.hooks})
    return Template(
        name=f"{PREFIX}{definition.model_id}", building_use=definition.building_use,
        description=f"model file {definition.source} (sha256 {definition.source_sha256[:12]})",
        parameters=parameters, default_u_w_m2k={},
        builder=partial(build_from_file, definition),
    )


def build_from_file(definition: ModelDefinition, params: Mapping[str, Any], weather: Any,
                    monthly_outdoor_c: list[float]) -> Any:
    """The model of ``definition`` with the package and field parameters of ``params`` applied,
    prepared for the toolkit (:func:`ultralow.sim.file_model.file_built_model`)."""
    from ultralow.sim.file_model import file_built_model, load_model_text
    from ultralow.templates.field_parameters import apply_field_parameters
    from ultralow.templates.model_hooks import apply_hooks
    from ultralow.templates.model_package import apply_package

    folder = _models_dir() / definition.model_id
    text = (folder / "model.idf").read_text(encoding="latin-1")
    idf = load_model_text(text, definition.source)
    package = {k: v for k, v in params.items() if k in PACKAGE_PARAMETERS and v is not None}
    if package.get("pv_roof_fraction") is None:  # PV settings only matter with a PV field
        package = {k: v for k, v in package.items() if k not in PV_SETTINGS}
    notes = apply_package(idf, package) if package else []
    notes += apply_field_parameters(idf, definition.fields, params)
    notes += apply_hooks(idf, definition.hooks, params)
    return file_built_model(idf, f"{PREFIX}{definition.model_id}", params, weather, monthly_outdoor_c, notes,
                            source=definition.source, source_sha256=definition.source_sha256)
