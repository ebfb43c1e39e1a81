"""Field parameters on any EnergyPlus model: set or scale one field of the objects a name picks.

In the style of jEPlus, a :class:`FieldParameter` names an object type, an object name (or a
glob pattern: ``*`` = every object of that type, ``Insulation*`` = those whose name starts with
"Insulation"; case-insensitive, as EnergyPlus names are) and a field, and either a ``value`` to
write or a ``multiplier`` for the field's current (numeric) value.

Field names are eppy's (``Thickness``, ``UFactor``, ``Solar_Heat_Gain_Coefficient``) or the IDD's
(``U-Factor``, ``Solar Heat Gain Coefficient``): they are compared with case, spaces and
punctuation removed. Units are the IDD's (SI: m, W/m-K, W/m2-K, ...).

Spec entry (TOML, e.g. a list ``[[field_parameters]]``)::

    {object = "Material", name = "Insulation*", field = "Thickness", multiplier = 1.5}
    {object = "WindowMaterial:SimpleGlazingSystem", name = "*", field = "U-Factor", value = 1.1,
     label = "glazing_u"}

``label`` (optional) is the name a design (an optimiser's variable) gives the parameter; without
it the parameter's compact form is its label.

Compact form (command line), the object type, name and field separated by commas, which an
EnergyPlus name can never hold (a comma ends an IDF field), so names with spaces and colons
need no quoting::

    Material,Insulation Board,Thickness=0.12         value
    Material,Insulation*,Thickness*=1.5              multiplier ("*=" scales)

:func:`validate_field_parameters` checks everything against the model and the IDD before any
simulation; :func:`apply_field_parameters` writes the fields.
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ultralow.errors import InputError

SPEC_KEYS = ("object", "name", "field", "value", "multiplier", "label")


@dataclass(frozen=True)
class FieldParameter:
    """One field of the ``object_type`` objects whose name matches ``name`` (glob, ``*`` = all).

    Exactly one of ``value`` (written as is: a number in the IDD's units or a choice/name) and
    ``multiplier`` (-, scales the current numeric value) is set. ``label`` names the parameter
    in a design's values (default: :attr:`compact`)."""

    object_type: str
    name: str
    field: str
    value: Any = None
    multiplier: float | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.multiplier is None):
            raise InputError(f"field parameter {self.compact}: give exactly one of value and multiplier")

    @property
    def compact(self) -> str:
        """The compact (command-line) form, e.g. ``Material,Insulation*,Thickness*=1.5``."""
        if self.multiplier is not None:
            return f"{self.object_type},{self.name},{self.field}*={self.multiplier:g}"
        return f"{self.object_type},{self.name},{self.field}={self.value}"

    @property
    def key(self) -> str:
        """The name a design's values use for this parameter."""
        return self.label or self.compact


def _number_or_text(text: str) -> float | str:
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def parse_field_parameter(spec: str | Mapping[str, Any], where: str) -> FieldParameter:
    """A :class:`FieldParameter` from a spec mapping or a compact string (module docstring).

    ``where`` says where the entry came from (e.g. ``"spec.toml [[field_parameters]] 2"``,
    ``"--field"``) and starts every error message."""
    if isinstance(spec, str):
        head, sep, text = spec.partition("=")
        parts = head.split(",")
        if not sep or len(parts) != 3 or not all(p.strip() for p in parts) or not text.strip():
            raise InputError(
                f"{where}: {spec!r} is not a field parameter; use ObjectType,Name,Field=value or "
                f"ObjectType,Name,Field*=multiplier, e.g. Material,Insulation Board,Thickness=0.12 or "
                f"Material,Insulation*,Thickness*=1.5 (Name may be a glob pattern, * = all)")
        object_type, name, field = (p.strip() for p in parts)
        if field.endswith("*"):
            number = _number_or_text(text.strip())
            if isinstance(number, str):
                raise InputError(f"{where}: {spec!r}: the multiplier {text.strip()!r} is not a number")
            return FieldParameter(object_type, name, field[:-1].strip(), multiplier=number)
        return FieldParameter(object_type, name, field, value=_number_or_text(text.strip()))
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected a table {{object, name, field, value or multiplier}} or a string "
                         f"ObjectType,Name,Field=value; got {spec!r}")
    unknown = [k for k in spec if k not in SPEC_KEYS]
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(SPEC_KEYS)}")
    missing = [k for k in ("object", "name", "field") if not str(spec.get(k) or "").strip()]
    if missing:
        raise InputError(f"{where}: {', '.join(missing)} missing; a field parameter needs object, name "
                         f"(a glob pattern, * = all), field and one of value/multiplier")
    if ("value" in spec) == ("multiplier" in spec):
        raise InputError(f"{where}: give exactly one of value and multiplier")
    multiplier = spec.get("multiplier")
    if multiplier is not None and (isinstance(multiplier, bool) or not isinstance(multiplier, int | float)):
        raise InputError(f"{where}: multiplier {multiplier!r} is not a number")
    label = spec.get("label")
    return FieldParameter(str(spec["object"]).strip(), str(spec["name"]).strip(), str(spec["field"]).strip(),
                          value=spec.get("value"), multiplier=None if multiplier is None else float(multiplier),
                          label=None if label is None else str(label))


def _squash(text: str) -> str:
    """Case, spaces and punctuation removed: ``U-Factor`` and ``UFactor`` both give ``ufactor``."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _matching_objects(idf: Any, param: FieldParameter, where: str) -> list[Any]:
    """The model's objects the parameter addresses; InputError for an unknown type or no match."""
    object_type = param.object_type.upper()
    if object_type not in idf.idfobjects:
        spelled = {b[0].upper(): b[0] for b in idf.block}  # the IDD's spelling of every object type
        close = [spelled[t] for t in difflib.get_close_matches(object_type, list(spelled), n=3, cutoff=0.6)]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"{where}: field parameter {param.compact}: {param.object_type!r} is not an "
                         f"EnergyPlus object type{hint}")
    objects = list(idf.idfobjects[object_type])
    if not objects:
        raise InputError(f"{where}: field parameter {param.compact}: the model has no {param.object_type} objects")
    names = [str(getattr(o, "Name", "")) if "Name" in o.fieldnames else "" for o in objects]
    pattern = param.name.lower()
    matched = [o for o, n in zip(objects, names, strict=True)
               if pattern == "*" or fnmatch.fnmatchcase(n.lower(), pattern)]
    if not matched:
        shown = ", ".join(repr(n) for n in names[:12]) + (f", ... ({len(names)} in all)" if len(names) > 12 else "")
        raise InputError(f"{where}: field parameter {param.compact}: no {objects[0].key} is named "
                         f"{param.name!r}; the model's {objects[0].key} objects: {shown}")
    return matched


def _field_name(obj: Any, param: FieldParameter, where: str) -> str:
    """eppy's spelling of the parameter's field on ``obj``; InputError with the closest names."""
    wanted = _squash(param.field)
    fields = [f for f in obj.fieldnames if f != "key"]
    for f in fields:
        if _squash(f) == wanted:
            if f == "Name":
                raise InputError(f"{where}: field parameter {param.compact}: the Name field cannot be a parameter "
                                 f"(other objects refer to {obj.key} objects by name)")
            return f
    close = difflib.get_close_matches(param.field, fields, n=3, cutoff=0.5) or difflib.get_close_matches(
        wanted, [_squash(f) for f in fields], n=3, cutoff=0.5)
    hint = f"closest: {', '.join(close)}; " if close else ""
    raise InputError(f"{where}: field parameter {param.compact}: {obj.key} has no field {param.field!r}; "
                     f"{hint}fields: {', '.join(fields)}")


def _first(info: Mapping[str, Any], key: str) -> str | None:
    values = info.get(key)
    return str(values[0]) if values else None


def _allowed(info: Mapping[str, Any]) -> str:
    """The IDD's allowed values of a field, as a phrase."""
    kind = _first(info, "type") or "alpha"
    if kind == "choice":
        return "one of " + ", ".join(info.get("key", []))
    if kind not in ("real", "integer"):
        return "text"
    bounds = []
    for key, op in (("minimum", ">="), ("minimum>", ">"), ("maximum", "<="), ("maximum<", "<")):
        if _first(info, key) is not None:
            bounds.append(f"{op} {_first(info, key)}")
    extra = [word for word, flag in (("autosize", "autosizable"), ("autocalculate", "autocalculatable"))
             if flag in info]
    unit = f" {_first(info, 'units')}" if _first(info, "units") else ""
    text = ("an integer" if kind == "integer" else "a number") + (" " + " and ".join(bounds) if bounds else "")
    return text + unit + (f" (or {' or '.join(extra)})" if extra else "")


def _check_value(obj: Any, field: str, value: Any, label: str) -> Any:
    """``value`` as it goes into ``field`` of ``obj``, checked against the IDD; InputError naming
    ``label`` (parameter, object and field) and the allowed values."""
    info = obj.getfieldidd(field)
    kind = _first(info, "type") or "alpha"
    if kind == "choice":
        choices = info.get("key", [])
        for choice in choices:
            if str(value).lower() == choice.lower():
                return choice
        raise InputError(f"{label}: {value!r} is not allowed; use {_allowed(info)}")
    if kind not in ("real", "integer"):
        return value
    if isinstance(value, str) and value.strip().lower() in ("autosize", "autocalculate"):
        flag = "autosizable" if value.strip().lower() == "autosize" else "autocalculatable"
        if flag in info:
            return value.strip()
        raise InputError(f"{label}: {value!r} is not allowed; use {_allowed(info)}")
    try:
        if isinstance(value, bool):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{label}: {value!r} is not a number; use {_allowed(info)}") from None
    bad = not math.isfinite(number) or (kind == "integer" and not number.is_integer())
    for key, outside in (("minimum", lambda b: number < b), ("minimum>", lambda b: number <= b),
                         ("maximum", lambda b: number > b), ("maximum<", lambda b: number >= b)):
        bound = _first(info, key)
        if bound is not None and outside(float(bound)):
            bad = True
    if bad:
        raise InputError(f"{label}: {value!r} is out of range; use {_allowed(info)}")
    return int(number) if kind == "integer" else number


def _new_values(idf: Any, param: FieldParameter, setting: Any, where: str) -> list[tuple[Any, str, Any]]:
    """(object, eppy field name, checked new value) for every object the parameter addresses,
    ``setting`` being its value or its multiplier."""
    out = []
    for obj in _matching_objects(idf, param, where):
        field = _field_name(obj, param, where)
        name = getattr(obj, "Name", "") if "Name" in obj.fieldnames else ""
        label = f"{where}: field parameter {param.key}: {obj.key} {name!r} field {field}"
        if param.multiplier is None:
            out.append((obj, field, _check_value(obj, field, setting, label)))
            continue
        info = obj.getfieldidd(field)
        if _first(info, "type") not in ("real", "integer"):
            raise InputError(f"{label}: a multiplier needs a numeric field; {field} is "
                             f"{_first(info, 'type') or 'alpha'} ({_allowed(info)}); give a value instead")
        current = getattr(obj, field)
        if isinstance(current, str):
            raise InputError(f"{label}: a multiplier needs a number there; the model has {current!r}; "
                             f"give a value instead")
        if isinstance(setting, bool) or not isinstance(setting, int | float):
            raise InputError(f"{label}: multiplier {setting!r} is not a number")
        out.append((obj, field, _check_value(obj, field, float(current) * float(setting), label)))
    return out


def _setting(param: FieldParameter, values: Mapping[str, Any] | None) -> Any:
    """The parameter's value (or multiplier), a design's entry for :attr:`FieldParameter.key`
    taking precedence."""
    if values is not None and param.key in values:
        return values[param.key]
    return param.value if param.multiplier is None else param.multiplier


def validate_field_parameters(idf: Any, params: Iterable[FieldParameter], where: str,
                              values: Mapping[str, Any] | None = None) -> None:
    """Check every parameter against the model and the IDD without changing anything.

    InputError (starting with ``where``, naming the parameter, the object type/name and field and
    what is allowed) for: an unknown object type (closest types), a name/pattern matching no
    object (the model's names of that type), an unknown field (closest field names) or the Name
    field, a multiplier on a non-numeric field or on a field holding no number (blank,
    autosize), a value (or a scaled value) outside the IDD's minimum/maximum or choices.
    ``values`` (a design's values by :attr:`FieldParameter.key`) are checked in place of the
    parameters' own."""
    for param in params:
        _new_values(idf, param, _setting(param, values), where)


def apply_field_parameters(idf: Any, params: Iterable[FieldParameter],
                           values: Mapping[str, Any] | None = None) -> list[str]:
    """Write the parameters into ``idf`` in order (a later one sees an earlier one's result);
    ``values`` (a design's, by :attr:`FieldParameter.key`) replace the parameters' values or
    multipliers. Every value is checked as by :func:`validate_field_parameters` first (all
    parameters, before anything is written). Returns one note per parameter."""
    params = list(params)
    validate_field_parameters(idf, params, "field parameters", values)
    notes = []
    for param in params:
        changes = _new_values(idf, param, _setting(param, values), "field parameters")
        for obj, field, new in changes:
            setattr(obj, field, new)
        how = (f"x {_setting(param, values):g}" if param.multiplier is not None
               else f"= {_setting(param, values)}")
        notes.append(f"{param.object_type} {param.name!r} {changes[0][1]} {how}: {len(changes)} object(s)")
    return notes
