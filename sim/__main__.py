"""``python -m sim`` is the ``peacesim`` command."""

from sim.cli import run

run()
