"""Child process that runs one EnergyPlus simulation with a fresh engine state.

Invoked by :func:`ultralow.sim.engine.run_energyplus` as
``python -P <this file> <energyplus command-line arguments>`` (a script: importing the
``ultralow.sim`` package first would cost ~0.35 s per run; ``python -m
ultralow.sim._engine_process`` works too); the exit status is EnergyPlus's own. It imports
nothing but ``pyenergyplus``. Keeping each run in its own process means no engine state, global
or memory leaks from one run reach the next, and a hung run can be killed.
"""

import sys

from pyenergyplus.api import EnergyPlusAPI


def main(argv: list[str]) -> int:
    api = EnergyPlusAPI()
    state = api.state_manager.new_state()
    api.runtime.set_console_output_status(state, False)
    return int(api.runtime.run_energyplus(state, argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
