"""An EnergyPlus IDD derived from the engine itself, for eppy and geomeppy.

``pyenergyplus-lbnl`` ships no ``Energy+.idd``. The engine library (``libenergyplusapi.so``)
embeds its full epJSON schema, CBOR-encoded, and every object's ``legacy_idd`` section keeps
the IDD field order, the alpha/numeric type (A/N) and the original field names. This module
decodes that schema and writes an IDD that eppy and geomeppy parse, once per engine build,
into ``<cache>/idd/``.

The one thing the schema does not keep is where the group number stood in the names of
extensible fields: the EnergyPlus schema generator deletes every ``" <digits>"`` from them
(``scripts/dev/generate_epJSON_schema/idd_parser.py``: ``re.sub('[ ]+[0-9]+', '', name)``).
:func:`numbered_field_names` puts it back with a rule that reproduces the IDD's own names
(``Vertex 1 X-coordinate``, ``Zone Equipment 1 Object Type``, ``Zone 1 Name``, ``Field 1``,
``Variable or Meter 1 Name``, ``Schedule:Week Name 1``); names whose number position the rule
cannot infer are listed in ``EXTENSIBLE_NAME_OVERRIDES``.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import cbor2
from ultralow.paths import cache_dir

ENGINE_DISTRIBUTION = "pyenergyplus-lbnl"

# Minimum number of fields written out for an extensible group list. eppy extends groups on
# assignment beyond this; the real IDD lists e.g. 120 vertices for BuildingSurface:Detailed.
MIN_EXTENSIBLE_FIELDS = 120

# Single-field extensible groups whose number is not placed before a trailing "Name".
# Keys: (object, field name without number) -> field name with "{n}" where the number goes.
EXTENSIBLE_NAME_OVERRIDES: dict[tuple[str, str], str] = {
    ("AirLoopHVAC:ZoneSplitter", "Outlet Node Name"): "Outlet {n} Node Name",
    ("AirLoopHVAC:SupplyPlenum", "Outlet Node Name"): "Outlet {n} Node Name",
    ("AirLoopHVAC:ZoneMixer", "Inlet Node Name"): "Inlet {n} Node Name",
    ("AirLoopHVAC:ReturnPlenum", "Inlet Node Name"): "Inlet {n} Node Name",
    ("AirLoopHVAC:SupplyPath", "Component Object Type"): "Component {n} Object Type",
    ("AirLoopHVAC:SupplyPath", "Component Name"): "Component {n} Name",
    ("AirLoopHVAC:ReturnPath", "Component Object Type"): "Component {n} Object Type",
    ("AirLoopHVAC:ReturnPath", "Component Name"): "Component {n} Name",
    ("OutdoorAir:NodeList", "Node or NodeList Name"): "Node or NodeList Name {n}",
}


def engine_version() -> str:
    """Version of the installed engine package, e.g. ``"25.2.0"``."""
    return metadata.version(ENGINE_DISTRIBUTION)


def engine_library_path() -> Path:
    """Path of ``libenergyplusapi.so`` (or ``.dylib``/``.dll``) of the installed engine."""
    from pyenergyplus.api import api_path

    return Path(api_path())


def load_engine_schema(library_path: Path | None = None) -> dict[str, Any]:
    """Decode the epJSON schema embedded (as CBOR) in the engine library.

    The schema is a CBOR map of three keys starting with ``$schema``; it is located by that
    key and decoded from the byte before it (the map header).
    """
    data = Path(library_path or engine_library_path()).read_bytes()
    marker = b"g$schema"  # CBOR text string of length 7: "$schema"
    start = data.find(marker)
    while start > 0:
        header = data[start - 1]
        if 0xA1 <= header <= 0xB7:  # a CBOR map of 1..23 entries
            schema = cbor2.CBORDecoder(io.BytesIO(data[start - 1 :])).decode()
            if isinstance(schema, dict) and "properties" in schema:
                return schema
        start = data.find(marker, start + 1)
    raise RuntimeError(f"no embedded epJSON schema found in {library_path or engine_library_path()}")


def _field_schema(obj: dict[str, Any], key: str) -> dict[str, Any]:
    props = next(iter(obj["patternProperties"].values())).get("properties", {})
    if key == "name" and "name" in obj:
        return obj["name"]
    if key in props:
        return props[key]
    extension = obj["legacy_idd"].get("extension")
    if extension and extension in props:
        return props[extension]["items"]["properties"].get(key, {})
    return {}


def _word_runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def numbered_field_names(object_name: str, names: list[str]) -> list[str]:
    """Return the extensible field names of one group with ``{n}`` where the number goes.

    Rule (checked against the IDD's own names): for a group of several fields, the number
    follows the longest run of words common to all of them (``Vertex {n} X-coordinate``,
    ``Zone Equipment {n} Name``, ``Aggregation Type for Variable or Meter {n}``), or ends
    each name when they share no word (``Schedule:Week Name {n}``, ``Start Month {n}``). A
    lone field ``X ... Name`` numbers the item before ``Name`` (``Zone {n} Name``); any
    other lone field ends with the number (``Field {n}``, ``Value {n}``).
    """
    out: list[str] = []
    common: tuple[str, ...] = ()
    if len(names) > 1:
        runs = set.intersection(*(_word_runs(name.split()) for name in names))
        if runs:
            common = max(runs, key=lambda run: (len(run), -sum(len(w) for w in run)))
    for name in names:
        override = EXTENSIBLE_NAME_OVERRIDES.get((object_name, name))
        words = name.split()
        if override:
            out.append(override)
        elif common:
            k = len(common)
            at = next(i for i in range(len(words)) if tuple(words[i : i + k]) == common)
            out.append(" ".join(words[: at + k] + ["{n}"] + words[at + k :]))
        elif len(names) == 1 and len(words) > 1 and words[-1] == "Name":
            out.append(" ".join(words[:-1] + ["{n}", "Name"]))
        else:
            out.append(name + " {n}")
    return out


def _format_number(value: float) -> str:
    if isinstance(value, bool):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _field_lines(field_schema: dict[str, Any], is_alpha: bool, required: bool) -> list[str]:
    """IDD field attributes (``\\type``, ``\\key``, ``\\default``...) for one field."""
    lines: list[str] = []
    spec = dict(field_schema)
    autosizable = autocalculatable = False
    if "anyOf" in spec:
        for option in spec["anyOf"]:
            enum = option.get("enum", [])
            if "Autosize" in enum:
                autosizable = True
            elif "Autocalculate" in enum:
                autocalculatable = True
            elif option.get("type") in ("number", "integer"):
                spec.setdefault("type", option["type"])
                for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                    if bound in option:
                        spec.setdefault(bound, option[bound])
    if required or spec.get("is_required"):
        lines.append("\\required-field")
    if spec.get("units"):
        lines.append(f"\\units {spec['units']}")
    if spec.get("ip-units"):
        lines.append(f"\\ip-units {spec['ip-units']}")
    data_type = spec.get("data_type")
    if data_type == "object_list":
        lines.append("\\type object-list")
        lines += [f"\\object-list {name}" for name in spec.get("object_list", [])]
    elif data_type == "external_list":
        lines.append("\\type external-list")
        lines += [f"\\external-list {name}" for name in spec.get("external_list", [])]
    elif "enum" in spec:
        lines.append("\\type choice")
        lines += [f"\\key {key}" for key in spec["enum"] if key != ""]
    elif spec.get("type") == "integer":
        lines.append("\\type integer")
    elif spec.get("type") == "number" or not is_alpha:
        lines.append("\\type real")
    else:
        lines.append("\\type alpha")
    if "default" in spec:
        default = spec["default"]
        lines.append(
            f"\\default {_format_number(default) if isinstance(default, int | float) else default}"
        )
    for bound, tag in (
        ("minimum", "\\minimum"),
        ("maximum", "\\maximum"),
        ("exclusiveMinimum", "\\minimum>"),
        ("exclusiveMaximum", "\\maximum<"),
    ):
        if bound in spec and isinstance(spec[bound], int | float):
            lines.append(f"{tag} {_format_number(spec[bound])}")
    if autosizable:
        lines.append("\\autosizable")
    if autocalculatable:
        lines.append("\\autocalculatable")
    if spec.get("retaincase"):
        lines.append("\\retaincase")
    lines += [f"\\reference {ref}" for ref in spec.get("reference", [])]
    return lines


def _object_text(object_name: str, obj: dict[str, Any], min_fields: int = 0) -> str:
    legacy = obj["legacy_idd"]
    info = legacy["field_info"]
    required = set(next(iter(obj["patternProperties"].values())).get("required", []))
    alpha_count = numeric_count = 0
    entries: list[tuple[str, str, list[str]]] = []  # (A1/N1, field name, attribute lines)

    def add(key: str, display_name: str, extra: list[str]) -> None:
        nonlocal alpha_count, numeric_count
        is_alpha = info.get(key, {}).get("field_type", "a") == "a"
        if is_alpha:
            alpha_count += 1
            tag = f"A{alpha_count}"
        else:
            numeric_count += 1
            tag = f"N{numeric_count}"
        entries.append((tag, display_name, extra + _field_lines(_field_schema(obj, key), is_alpha, key in required)))

    for key in legacy["fields"]:
        add(key, info[key]["field_name"], [])
    extensibles = legacy.get("extensibles", [])
    if extensibles:
        templates = numbered_field_names(
            object_name, [info[key]["field_name"] for key in extensibles]
        )
        groups = max(1, math.ceil((max(MIN_EXTENSIBLE_FIELDS, min_fields - len(legacy["fields"])))
                                  / len(extensibles)))
        for group in range(1, groups + 1):
            for index, (key, template) in enumerate(zip(extensibles, templates, strict=True)):
                begin = ["\\begin-extensible"] if group == 1 and index == 0 else []
                add(key, template.format(n=group), begin)

    head = [f"{object_name},"]
    if obj.get("memo"):
        head.append(f"       \\memo {obj['memo']}")
    if obj.get("maxProperties") == 1:
        head.append("       \\unique-object")
    if obj.get("minProperties"):
        head.append("       \\required-object")
    if obj.get("min_fields"):
        head.append(f"       \\min-fields {int(obj['min_fields'])}")
    if obj.get("format"):
        head.append(f"       \\format {obj['format']}")
    if extensibles:
        head.append(f"       \\extensible:{len(extensibles)}")
    if not entries:  # an object without fields ends at its name
        head[0] = f"{object_name};"
        return "\n".join(head) + "\n"
    body = []
    for i, (tag, name, attrs) in enumerate(entries):
        sep = ";" if i == len(entries) - 1 else ","
        body.append(f"  {tag} {sep} \\field {name}")
        body += [f"       {attr}" for attr in attrs]
    return "\n".join(head + body) + "\n"


def idd_text(schema: dict[str, Any], version: str, min_fields: Mapping[str, int] | None = None) -> str:
    """The whole IDD (groups in schema order) for an engine of ``version``; ``min_fields``: object
    type (upper case) -> fields an object of that type must be able to hold (extensible objects
    only; default ``MIN_EXTENSIBLE_FIELDS`` extensible fields each)."""
    min_fields = min_fields or {}
    lines = [f"!IDD_Version {version}", "!IDD_BUILD derived-from-epJSON-schema", ""]
    group = None
    for object_name, obj in schema["properties"].items():
        if obj.get("group") != group:
            group = obj.get("group")
            lines.append(f"\\group {group}\n")
        lines.append(_object_text(object_name, obj, min_fields.get(object_name.upper(), 0)))
    return "\n".join(lines)


def fields_needed(idf_text: str) -> dict[str, int]:
    """Object type (upper case) -> the most fields one object of that type has in ``idf_text``
    (comments dropped, the name counted), for :func:`engine_idd_path`'s ``min_fields``: eppy keeps
    only as many fields as the IDD lists, so a longer object (a ``Schedule:Compact`` of 230
    fields, a ``BranchList`` of 164 in the engine's own reference buildings) needs a longer IDD."""
    needed: dict[str, int] = {}
    body = "\n".join(line.split("!", 1)[0] for line in idf_text.splitlines())
    for statement in body.split(";"):
        parts = statement.split(",")
        kind = parts[0].strip().upper()
        if kind and len(parts) > 1:
            needed[kind] = max(needed.get(kind, 0), len(parts) - 1)
    return needed


def extended_fields(needed: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """The entries of ``needed`` (:func:`fields_needed`) the default IDD is too short for, rounded up
    to multiples of ``MIN_EXTENSIBLE_FIELDS`` (few distinct IDDs), as a hashable key."""
    return tuple(sorted((kind, MIN_EXTENSIBLE_FIELDS * math.ceil(n / MIN_EXTENSIBLE_FIELDS))
                        for kind, n in needed.items() if n > MIN_EXTENSIBLE_FIELDS))


@lru_cache(maxsize=8)
def engine_idd_path(min_fields: tuple[tuple[str, int], ...] = ()) -> Path:
    """Path to the IDD of the installed engine, derived and cached on first use.

    ``min_fields`` (:func:`extended_fields`): object types whose extensible lists must hold more
    fields than ``MIN_EXTENSIBLE_FIELDS`` (a user's model); the default IDD otherwise.
    The cache name holds the engine version and a digest of the library (and of ``min_fields``),
    so a different build never reuses a stale IDD. Writing is atomic, so concurrent workers are safe.
    """
    library = engine_library_path()
    stat = library.stat()
    digest = hashlib.sha256(
        f"{library.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{MIN_EXTENSIBLE_FIELDS}:{min_fields}".encode()
    ).hexdigest()[:12]
    version = engine_version()
    target = cache_dir() / "idd" / f"Energy+_{version}_{digest}.idd"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    text = idd_text(load_engine_schema(library), version, dict(min_fields))
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="latin-1", errors="replace") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target

