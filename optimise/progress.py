"""A plain-text progress bar on stderr: generation, designs done/failed/from the store, simulations
in flight, current front.

On a terminal the line is redrawn in place after every finished simulation; otherwise (a log
file, CI) one line is printed per finished generation.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 24


class Progress:
    """Counts for the current generation and a one-line summary of the front."""

    def __init__(self, generations: int, stream: TextIO | None = None, enabled: bool = True):
        self.generations = generations
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.generation = 0
        self.total = self.done = self.failed = self.cached = self.in_flight = 0
        self.front = ""
        self.t0 = time.perf_counter()
        self._last_draw = 0.0

    def start_generation(self, generation: int, designs: int) -> None:
        """The generation the next ``designs`` finished designs will make."""
        self.generation, self.total, self.done, self.failed, self.cached = generation, designs, 0, 0, 0
        self._draw(force=True)

    def design_done(self, failed: bool, from_store: bool, in_flight: int = 0) -> None:
        """A design has all its results; ``in_flight``: simulations still running."""
        self.done += 1
        self.failed += int(failed)
        self.cached += int(from_store)
        self.in_flight = in_flight
        self._draw()

    def end_generation(self, front: str) -> None:
        self.front = front
        self._draw(force=True, newline=not self.tty)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def line(self) -> str:
        frac = self.done / self.total if self.total else 1.0
        filled = int(round(frac * BAR_WIDTH))
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        elapsed = time.perf_counter() - self.t0
        return (f"gen {self.generation}/{self.generations} [{bar}] designs {self.done}/{self.total} done, "
                f"{self.failed} failed, {self.cached} from the store, {self.in_flight} simulations running | "
                f"{elapsed:6.0f} s | {self.front}")

    def _draw(self, force: bool = False, newline: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if self.tty and (force or now - self._last_draw > 0.2):
            self.stream.write("\r" + self.line()[:200].ljust(120))
            self.stream.flush()
            self._last_draw = now
        elif newline:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
