"""The ``ultralow`` command line.

Each module that offers commands exposes ``register(subparsers)``, which adds its sub-commands
and sets ``func`` on them; ``func(args) -> int`` returns the exit status. Bad input
(:class:`ultralow.errors.InputError`) prints one clear line and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ultralow.errors import InputError, SimulationError

# Modules that contribute sub-commands, in the order they appear in ``ultralow --help``.
COMMAND_MODULES = (
    "ultralow.sim.cli",
    "ultralow.templates.cli",
    "ultralow.weather.cli",
    "ultralow.templates.standards.cli",
    "ultralow.optimise.cli",
    "ultralow.optimise.sweep_cli",
    "ultralow.cluster.node",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ultralow",
        description="Parametric EnergyPlus models for China's ultra-low-energy building targets.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # a module not written yet
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"ultralow: error: {exc}", file=sys.stderr)
        return 2
    except SimulationError as exc:
        print(f"ultralow: simulation failed: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
