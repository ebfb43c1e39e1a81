"""Python hooks on a model file: anything the package and field parameters cannot express.

A hook is a function of yours, named by module path (``mypackage.measures:add_shading``, the
module importable wherever the model is built: the driver and every Ray worker) or by file
(``measures/shading.py:add_shading``, a path relative to the spec). It is called on the model
after the package and field parameters, with the value a design gives its ``label``::

    def add_shading(idf, value) -> list[str] | None:
        '''idf: the eppy IDF of the model (EnergyPlus 25.2); value: the design's value.
        Change idf in place; return notes saying what you changed (optional).'''

Spec entry::

    [[building.hook]]
    function = "measures/shading.py:add_shading"
    label = "overhang_depth_m"      # the name an optimiser variable gives it
    value = 0.5                     # the default (a number or a text)

:func:`validate_hooks` imports every hook and runs it once on a copy of the model with its default
value before any simulation: a hook that cannot be found or that fails is an InputError naming it
and what went wrong. A hook's identity (:attr:`Hook.source_sha256`) includes its module's source
text, so a changed hook makes a new model id and results are never served from an old one.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ultralow.errors import InputError

SPEC_KEYS = ("function", "label", "value")


@dataclass(frozen=True)
class Hook:
    """``function`` (``module.path:name`` or ``/abs/file.py:name``) called with the value the
    design gives ``label`` (default ``value``); ``source_sha256``: of the module's source text."""

    function: str
    label: str
    value: Any
    source_sha256: str = ""

    @property
    def key(self) -> str:
        return self.label


def _split(function: str, where: str) -> tuple[str, str]:
    module, sep, name = function.rpartition(":")
    if not sep or not module or not name.isidentifier():
        raise InputError(f"{where}: function = {function!r} must be 'module.path:function' or "
                         "'path/to/file.py:function'")
    return module, name


def load_hook_function(function: str, where: str = "hook") -> Callable[..., Any]:
    """The callable ``function`` names (module docstring); InputError naming it when the module
    cannot be imported or has no such callable."""
    module_name, name = _split(function, where)
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_file():
                raise InputError(f"{where}: {function!r}: no file {path}")
            digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
            spec = importlib.util.spec_from_file_location(f"ultralow_hook_{digest}", path)
            if spec is None or spec.loader is None:
                raise InputError(f"{where}: {function!r}: {path} is not a Python module")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except InputError:
        raise
    except Exception as exc:  # the user's module failed to import
        raise InputError(f"{where}: {function!r}: cannot import {module_name}: {type(exc).__name__}: {exc}") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise InputError(f"{where}: {function!r}: {module_name} has no function {name!r}")
    return fn


def parse_hook(spec: Mapping[str, Any], where: str, base_dir: Path | None = None) -> Hook:
    """A :class:`Hook` from a spec table (a relative ``.py`` path is taken from ``base_dir``)."""
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected a table {{function, label, value}}; got {spec!r}")
    unknown = [k for k in spec if k not in SPEC_KEYS]
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(SPEC_KEYS)}")
    missing = [k for k in SPEC_KEYS if k not in spec or str(spec[k]).strip() == ""]
    if missing:
        raise InputError(f"{where}: {', '.join(missing)} missing; a hook needs function, label and value")
    function, label, value = str(spec["function"]).strip(), str(spec["label"]).strip(), spec["value"]
    if not label.isidentifier():
        raise InputError(f"{where}: label = {label!r} must be a name (letters, digits, _)")
    if isinstance(value, bool) or not isinstance(value, int | float | str) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise InputError(f"{where}: value = {value!r} must be a number or a text")
    module_name, name = _split(function, where)
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_absolute() and base_dir is not None:
            path = (base_dir / path).resolve()
        function = f"{path}:{name}"
    fn = load_hook_function(function, where)
    try:
        source = inspect.getsource(inspect.getmodule(fn) or fn)
    except (OSError, TypeError):
        source = function
    return Hook(function, label, float(value) if isinstance(value, int) else value,
                hashlib.sha256(source.encode()).hexdigest())


def apply_hooks(idf: Any, hooks: Iterable[Hook], params: Mapping[str, Any]) -> list[str]:
    """Call every hook on ``idf`` with the value ``params`` gives its label (else its default);
    returns the notes (the hooks' own, prefixed by the hook)."""
    notes: list[str] = []
    for hook in hooks:
        value = params.get(hook.label, hook.value)
        fn = load_hook_function(hook.function, f"hook {hook.label}")
        returned = fn(idf, value)
        notes.append(f"hook {hook.label}={value} ({hook.function})")
        notes.extend(f"  {n}" for n in (returned or []))
    return notes


def validate_hooks(idf: Any, hooks: Iterable[Hook], where: str) -> None:
    """Run every hook once on ``idf`` (a copy: it is changed) with its default value; InputError
    naming the hook and the exception when one fails."""
    for hook in hooks:
        try:
            apply_hooks(idf, [hook], {})
        except InputError:
            raise
        except Exception as exc:  # the user's code
            raise InputError(f"{where}: hook {hook.label} ({hook.function}) failed on the model with its "
                             f"default value {hook.value!r}: {type(exc).__name__}: {exc}") from None
