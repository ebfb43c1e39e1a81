"""Product catalogues of the optimiser: window products and PV modules.

``optimise/data/windows.toml`` lists whole-window products (U in W/(m2 K), SHGC, VT, installed
price in RMB per m2 of window); ``optimise/data/pv_modules.toml`` lists PV module types
(STC efficiency, installed system price in RMB per W, linear degradation per year). Every entry
is checked on load; a bad entry raises :class:`~ultralow.errors.InputError` naming the file,
the entry and the field. ``window_params`` / ``pv_params`` turn a product id into template
parameters.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from ultralow.errors import InputError

# field -> (type, minimum, maximum); None bounds are open.
WINDOW_FIELDS: dict[str, tuple[type, float | None, float | None]] = {
    "description": (str, None, None),
    "u_w_m2k": (float, 0.3, 6.0),
    "shgc": (float, 0.05, 0.9),
    "vt": (float, 0.05, 0.95),
    "price_rmb_m2": (float, 0.0, 20000.0),
    "source": (str, None, None),
}
PV_FIELDS: dict[str, tuple[type, float | None, float | None]] = {
    "description": (str, None, None),
    "efficiency": (float, 0.05, 0.30),
    "price_rmb_w": (float, 0.0, 50.0),
    "degradation_per_year": (float, 0.0, 0.05),
    "source": (str, None, None),
}


def _read(name: str) -> dict[str, Any]:
    with resources.files("ultralow.optimise").joinpath("data", name).open("rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"optimise/data/{name}: not valid TOML: {exc}") from None


def validate_entries(
    data: dict[str, Any], fields: dict[str, tuple[type, float | None, float | None]], where: str
) -> dict[str, dict[str, Any]]:
    """Check every ``[id]`` table of ``data`` against ``fields``; return ``{id: entry}``.

    Each entry gains ``id``; ``verified`` defaults to False. Raises InputError naming
    ``where`` (the file), the entry id and the field.
    """
    out: dict[str, dict[str, Any]] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise InputError(f"{where}: top-level key {key!r} must be a table [{key}] of product fields")
        unknown = set(entry) - set(fields) - {"verified"}
        if unknown:
            raise InputError(
                f"{where} [{key}]: unknown field(s) {', '.join(sorted(unknown))}; "
                f"allowed: {', '.join(list(fields) + ['verified'])}"
            )
        clean: dict[str, Any] = {"id": key}
        for name, (kind, low, high) in fields.items():
            if name not in entry:
                raise InputError(f"{where} [{key}]: missing field {name!r}")
            value = entry[name]
            if kind is str:
                if not isinstance(value, str) or not value.strip():
                    raise InputError(f"{where} [{key}].{name}: must be a non-empty string")
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise InputError(f"{where} [{key}].{name}: {value!r} is not a number")
                value = float(value)
                if (low is not None and value < low) or (high is not None and value > high):
                    raise InputError(f"{where} [{key}].{name}: {value:g} is outside {low:g} .. {high:g}")
            clean[name] = value
        verified = entry.get("verified", False)
        if not isinstance(verified, bool):
            raise InputError(f"{where} [{key}].verified: must be true or false")
        clean["verified"] = verified
        out[key] = clean
    if not out:
        raise InputError(f"{where}: no entries")
    return out


@cache
def _windows() -> dict[str, dict[str, Any]]:
    return validate_entries(_read("windows.toml"), WINDOW_FIELDS, "optimise/data/windows.toml")


@cache
def _pv_modules() -> dict[str, dict[str, Any]]:
    return validate_entries(_read("pv_modules.toml"), PV_FIELDS, "optimise/data/pv_modules.toml")


def window_products() -> dict[str, dict[str, Any]]:
    """Window products by id: ``u_w_m2k``, ``shgc``, ``vt``, ``price_rmb_m2``, ``source``..."""
    return {k: dict(v) for k, v in _windows().items()}


def pv_modules() -> dict[str, dict[str, Any]]:
    """PV modules by id: ``efficiency``, ``price_rmb_w``, ``degradation_per_year``, ``source``..."""
    return {k: dict(v) for k, v in _pv_modules().items()}


def window_product(product_id: str) -> dict[str, Any]:
    """One window product, or an InputError listing the ids."""
    products = _windows()
    if product_id not in products:
        raise InputError(f"unknown window product {product_id!r}; allowed: {', '.join(sorted(products))}")
    return dict(products[product_id])


def pv_module(module_id: str) -> dict[str, Any]:
    """One PV module, or an InputError listing the ids."""
    modules = _pv_modules()
    if module_id not in modules:
        raise InputError(f"unknown PV module {module_id!r}; allowed: {', '.join(sorted(modules))}")
    return dict(modules[module_id])


def window_params(product_id: str) -> dict[str, float]:
    """Template parameters (``window_u_w_m2k``, ``window_shgc``, ``window_vt``) of a product."""
    p = window_product(product_id)
    return {"window_u_w_m2k": p["u_w_m2k"], "window_shgc": p["shgc"], "window_vt": p["vt"]}


def pv_params(module_id: str) -> dict[str, float]:
    """Template parameter ``pv_module_efficiency`` of a PV module."""
    return {"pv_module_efficiency": pv_module(module_id)["efficiency"]}
