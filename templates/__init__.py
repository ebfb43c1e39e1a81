"""Parametric building templates (``ultralow.templates``).

``get_template(name)`` returns a :class:`~ultralow.templates.template.Template`; its
``parameters`` list every design parameter with unit, default, range and meaning.

Where templates come from (:func:`template_sources`):

- built in: ``residential``, ``office``;
- registered from Python: :func:`register_template`;
- a package's entry point in the group ``ultralow.templates`` (loaded once, lazily): the entry
  point loads to a :class:`Template`, or to a callable with no arguments returning one; a broken
  entry point is an InputError naming it and its distribution, and never hides the others
  (``templates/examples/plugin`` is an installable example);
- ``model:<id>``: a model file the user brought (:mod:`ultralow.templates.from_file`).

The contract of a template (see README "Your own template"): ``name``; ``building_use``
("residential" or "public": the standards, profiles and costs read it); ``parameters``
(:func:`~ultralow.templates.template.package_parameters` plus
:func:`~ultralow.templates.template.geometry_parameters` so the optimiser, costs and standards
work); ``default_u_w_m2k``; ``builder(resolved_params, weather, monthly_outdoor_c)`` returning a
:class:`~ultralow.templates.building.BuiltModel`. In a Ray worker a template registered from
Python is unknown: ship it as an entry point for parallel runs.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata

from ultralow.errors import InputError
from ultralow.templates.template import Template

ENTRY_POINT_GROUP = "ultralow.templates"
BUILT_IN = "built-in"
_registered: dict[str, Template] = {}


def _built_in() -> dict[str, Template]:
    from ultralow.templates import office, residential

    return {t.name: t for t in (residential.TEMPLATE, office.TEMPLATE)}


def _check(template: object, where: str) -> Template:
    """``template`` if it is a usable Template; InputError naming ``where`` and the fault."""
    if not isinstance(template, Template):
        raise InputError(f"{where}: not an ultralow.templates.Template but {type(template).__name__}")
    if not isinstance(template.name, str) or not template.name.strip() or template.name.startswith("model:"):
        raise InputError(f"{where}: template name {template.name!r} must be a non-empty text not starting 'model:'")
    if template.building_use not in ("residential", "public"):
        raise InputError(f"{where}: template {template.name!r}: building_use = {template.building_use!r}; "
                         "use 'residential' or 'public'")
    if not callable(template.builder):
        raise InputError(f"{where}: template {template.name!r}: builder is not callable")
    if not isinstance(template.parameters, dict) or not template.parameters:
        raise InputError(f"{where}: template {template.name!r}: parameters must be a non-empty dict of Parameter")
    return template


@cache
def _entry_points() -> dict[str, tuple[str, object]]:
    """Entry points of the group, by name: (distribution name, the loaded object or the error text)."""
    out: dict[str, tuple[str, object]] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist is not None else "?"
        where = f"entry point {ep.name!r} ({ep.value}) of distribution {dist!r}"
        try:
            loaded = ep.load()
            template = loaded() if callable(loaded) and not isinstance(loaded, Template) else loaded
            out[ep.name] = (dist, _check(template, where))
        except InputError as exc:
            out[ep.name] = (dist, str(exc))
        except Exception as exc:  # a third-party module may raise anything on import
            out[ep.name] = (dist, f"{where}: cannot load: {type(exc).__name__}: {exc}")
    return out


def register_template(template: Template, *, replace: bool = False) -> None:
    """Make ``template`` available by its name in this process (InputError on a name taken by a
    built-in, entry-point or registered template unless ``replace``, or on a malformed template)."""
    _check(template, "register_template")
    taken = template.name in _built_in() or template.name in _registered or template.name in _entry_points()
    if taken and not replace:
        raise InputError(f"register_template: a template named {template.name!r} exists "
                         f"({template_sources().get(template.name)}); pass replace=True to replace it")
    _registered[template.name] = template


def template_sources() -> dict[str, str]:
    """Every template name -> where it comes from ("built-in", "registered", "entry point <dist>",
    or the error of a broken entry point)."""
    out = {name: BUILT_IN for name in _built_in()}
    for name, (dist, loaded) in _entry_points().items():
        out.setdefault(name, f"entry point {dist}" if isinstance(loaded, Template) else f"broken: {loaded}")
    out.update({name: "registered" for name in _registered})
    return out


def list_templates() -> list[str]:
    """Names of the usable templates (broken entry points left out)."""
    return sorted(name for name, source in template_sources().items() if not source.startswith("broken"))


def get_template(name: str | Template) -> Template:
    """The template ``name`` (a Template is returned as is): registered, built-in, entry point, or
    ``model:<id>``, a model file the user brought (:mod:`ultralow.templates.from_file`)."""
    from ultralow.templates.from_file import PREFIX, template_from_id

    if isinstance(name, Template):
        return name
    if name.startswith(PREFIX):
        return template_from_id(name)
    if name in _registered:
        return _registered[name]
    built_in = _built_in()
    if name in built_in:
        return built_in[name]
    if name in _entry_points():
        loaded = _entry_points()[name][1]
        if isinstance(loaded, Template):
            return loaded
        raise InputError(str(loaded))
    raise InputError(f"unknown template {name!r}; available: {', '.join(list_templates())}")


__all__ = ["Template", "get_template", "list_templates", "register_template", "template_sources"]
