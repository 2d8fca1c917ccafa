"""peacesim: simulate peace negotiations held while a war goes on.

The public API (DESIGN.md 4.3) is re-exported here.
"""

__version__ = "0.1.0"  # before the imports: the runner records it in every manifest

from sim.engine import Replication, replicate
from sim.errors import PeacesimError, Problem, ScenarioError
from sim.results import Results
from sim.scenario import load_scenario, parse_scenario
from sim.schema import Scenario
from sim.study import resume, run
from sim.sweeps import load_table as load_sweep
from sim.sweeps import sweep
from sim.thresholds import Threshold, threshold

_LAZY = {"compare": "sim.comparison", "Comparison": "sim.comparison"}  # need matplotlib


def __getattr__(name: str):
    """Import the plotting side of the API on first use, so ``import sim`` stays quick."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = ["Comparison", "PeacesimError", "Problem", "Replication", "Results", "Scenario",
           "ScenarioError", "Threshold", "__version__", "compare", "load_scenario",
           "load_sweep", "parse_scenario", "replicate", "resume", "run", "sweep", "threshold"]
