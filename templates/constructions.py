"""Opaque and glazed constructions that hit a requested U-value.

U-values here are what EnergyPlus reports as "U-Factor with Film" in its Envelope Summary:
``U = 1 / (R_inside_film + sum(thickness / conductivity) + R_outside_film)`` with the film
resistances of ``data/surface_films.toml``. To meet a target U the builder sizes the
insulation layer of the base build-up (``data/constructions.toml``):
``thickness_m = conductivity_w_mk * (1/U - R_films - R_base)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ultralow.errors import InputError
from ultralow.templates import catalogues

OPAQUE_SURFACES = ("wall", "roof", "ground_floor")


@dataclass(frozen=True)
class Layer:
    """One homogeneous layer, thickness in m."""

    material: str
    thickness_m: float
    conductivity_w_mk: float
    density_kg_m3: float
    specific_heat_j_kgk: float

    @property
    def resistance_m2k_w(self) -> float:
        return self.thickness_m / self.conductivity_w_mk


@dataclass(frozen=True)
class OpaqueConstruction:
    """Layers from outside to inside and the U-value with films, W/(m2 K)."""

    surface: str
    layers: tuple[Layer, ...]
    insulation_thickness_m: float
    u_with_film_w_m2k: float


def layer(material: str, thickness_m: float) -> Layer:
    props = catalogues.entry("materials", material, "material")
    return Layer(
        material,
        thickness_m,
        props["conductivity_w_mk"],
        props["density_kg_m3"],
        props["specific_heat_j_kgk"],
    )


def film_resistance_m2k_w(surface: str) -> float:
    films = catalogues.load("surface_films")[surface]
    return films["inside_m2k_w"] + films["outside_m2k_w"]


def base_layers(surface: str) -> tuple[list[Layer], int]:
    """Base build-up of ``surface`` and the index where insulation goes."""
    spec = catalogues.load("constructions")[surface]
    return [layer(m, t) for m, t in spec["layers"]], int(spec.get("insulation_index", 0))


def u_with_film(surface: str, layers: list[Layer] | tuple[Layer, ...]) -> float:
    return 1.0 / (film_resistance_m2k_w(surface) + sum(x.resistance_m2k_w for x in layers))


def opaque_construction(
    surface: str,
    *,
    u_target_w_m2k: float | None = None,
    insulation: str | None = None,
    insulation_mm: float | None = None,
    existing_layers: list[Layer] | None = None,
) -> OpaqueConstruction:
    """Build the construction of ``surface`` (``wall``, ``roof`` or ``ground_floor``).

    Give either ``u_target_w_m2k`` (the insulation thickness is solved for) or
    ``insulation_mm`` (the U-value follows). ``existing_layers`` replaces the base build-up
    (retrofit: insulation is added outside the existing layers).
    """
    if (u_target_w_m2k is None) == (insulation_mm is None):
        raise InputError(
            f"{surface}: give either a target U-value ({surface}_u_w_m2k) or an insulation "
            f"thickness ({surface}_insulation_mm), not both or neither"
        )
    spec = catalogues.load("constructions")[surface]
    insulation = insulation or spec["default_insulation"]
    ins = catalogues.entry("materials", insulation, f"{surface} insulation material")
    if not ins.get("insulation"):
        raise InputError(
            f"{surface}_insulation: {insulation!r} is not an insulation material; "
            f"allowed: {', '.join(catalogues.insulation_ids())}"
        )
    if existing_layers is not None:
        layers, index = list(existing_layers), 0
    else:
        layers, index = base_layers(surface)
    if u_target_w_m2k is not None:
        r_needed = 1.0 / u_target_w_m2k - film_resistance_m2k_w(surface)
        r_needed -= sum(x.resistance_m2k_w for x in layers)
        if r_needed < 0:
            u_max = u_with_film(surface, layers)
            raise InputError(
                f"{surface}_u_w_m2k={u_target_w_m2k:g} is above what the {surface} build-up "
                f"gives without insulation ({u_max:.3f} W/(m2K)); use a value <= {u_max:.3f}"
            )
        thickness_m = r_needed * ins["conductivity_w_mk"]
    else:
        thickness_m = float(insulation_mm) / 1000.0
    if thickness_m >= 0.0005:
        layers.insert(index, layer(insulation, thickness_m))
    else:
        thickness_m = 0.0
    return OpaqueConstruction(surface, tuple(layers), thickness_m, u_with_film(surface, layers))


def existing_element_layers(surface: str, u_existing_w_m2k: float, material: str = "solid_clay_brick") -> list[Layer]:
    """One homogeneous layer of ``material`` whose thickness gives the existing element's
    U-value with films (a retrofit starting point known only by its U-value)."""
    r_layer = 1.0 / u_existing_w_m2k - film_resistance_m2k_w(surface)
    if r_layer <= 0:
        raise InputError(f"existing {surface} U-value {u_existing_w_m2k:g} W/(m2K) is above the films-only value")
    props = catalogues.entry("materials", material, "material")
    return [layer(material, r_layer * props["conductivity_w_mk"])]


def construction_layers(name: str) -> list[Layer]:
    """Layers of a fixed (non-parametric) construction such as ``interior_floor``."""
    return base_layers(name)[0]
