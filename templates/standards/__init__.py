"""Chinese building-energy standards as data, and compliance checks (``ultralow check``).

Data: ``data/*.toml``, one file per standard (GB 55015-2021, the 2016-era baselines JGJ 26-2010,
JGJ 134-2010, JGJ 75-2012, GB 50189-2015, and GB/T 51350-2019) plus ``vintages.toml`` for
existing buildings; every value has its unit, clause, source and a ``verified`` flag.

Main entry points:
- :func:`envelope_limits` - U / SHGC limits of a standard for a zone, use, storeys and shape.
- :func:`saving_rate`, :func:`saving_rates` - 1 - E_design / E_reference, overall and building itself.
- :func:`evaluate` - a :class:`ComplianceReport` of :class:`Indicator` records for a target.
- :func:`write_report` - ``report.json`` and a self-contained ``report.html``.
- :func:`target_constraints`, :func:`parse_constraint` - pymoo-style g(x) <= 0 constraints.
"""

from ultralow.templates.standards.constraints import Constraint, parse_constraint, target_constraints
from ultralow.templates.standards.evaluate import (
    TARGETS,
    ComplianceContext,
    baseline_standard,
    evaluate,
)
from ultralow.templates.standards.indicators import ComplianceReport, Indicator
from ultralow.templates.standards.limits import EnvelopeLimits, envelope_limits
from ultralow.templates.standards.loader import STANDARD_IDS, Standard, load_standard
from ultralow.templates.standards.report import format_text, write_report
from ultralow.templates.standards.saving import (
    EnergyBreakdown,
    SavingRates,
    design_energy,
    equivalent_saving_rate,
    primary_factors,
    reference_energy,
    saving_rate,
    saving_rates,
    system_energy,
)
from ultralow.templates.standards.vintages import Vintage, get_vintage, retrofit_u, vintage_ids

__all__ = [
    "STANDARD_IDS", "TARGETS", "ComplianceContext", "ComplianceReport",
    "Constraint", "EnergyBreakdown", "EnvelopeLimits", "Indicator", "SavingRates", "Standard",
    "Vintage", "baseline_standard", "design_energy", "envelope_limits",
    "equivalent_saving_rate", "evaluate", "format_text", "get_vintage", "load_standard",
    "parse_constraint", "primary_factors", "reference_energy", "retrofit_u", "saving_rate", "saving_rates",
    "system_energy", "target_constraints", "vintage_ids", "write_report",
]
