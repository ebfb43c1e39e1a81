"""Exceptions shared by every ultralow module.

``InputError`` is the one a user sees for bad input (unknown template, parameter out of range,
malformed weather file, invalid spec): its message names the file/field/value and what is
allowed. The command line turns it into a one-line message and exit status 2.
"""


class InputError(ValueError):
    """Bad user input: the message names what was wrong and what is allowed."""


class SimulationError(RuntimeError):
    """An EnergyPlus run failed; carries the Severe/Fatal lines of ``eplusout.err``."""

    def __init__(self, message: str, run_dir: str | None = None, severe_lines: list[str] | None = None):
        self.run_dir = run_dir
        self.severe_lines = list(severe_lines or [])
        detail = "\n".join(self.severe_lines)
        super().__init__(f"{message}" + (f"\n{detail}" if detail else ""))
