"""Parametric building templates (``ultralow.templates``).

``get_template(name)`` returns a :class:`~ultralow.templates.template.Template`; its
``parameters`` list every design parameter with unit, default, range and meaning.
"""

from __future__ import annotations

from ultralow.errors import InputError
from ultralow.templates.template import Template


def _registry() -> dict[str, Template]:
    from ultralow.templates import office, residential

    return {t.name: t for t in (residential.TEMPLATE, office.TEMPLATE)}


def list_templates() -> list[str]:
    return sorted(_registry())


def get_template(name: str) -> Template:
    """The template ``name``: a built-in one, or ``model:<id>``, a model file the user brought
    (:mod:`ultralow.templates.from_file`)."""
    from ultralow.templates.from_file import PREFIX, template_from_id

    if name.startswith(PREFIX):
        return template_from_id(name)
    templates = _registry()
    if name not in templates:
        raise InputError(f"unknown template {name!r}; available: {', '.join(sorted(templates))}")
    return templates[name]


__all__ = ["Template", "get_template", "list_templates"]
