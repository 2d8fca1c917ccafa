"""peacesim: simulate peace negotiations held while a war goes on.

The public API (DESIGN.md 4.3) is re-exported here. Each name is imported on
first use, so that ``peacesim validate``, ``schema`` and ``--version`` start at
once instead of loading the engine, pandas and numba first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sim.errors import PeacesimError, Problem, ScenarioError

__version__ = "0.1.0"  # the runner records it in every manifest

_LAZY = {  # name: (module, its name there)
    "Replication": ("sim.engine.replication", "Replication"), "replicate": ("sim.engine.replication", "replicate"),
    "Results": ("sim.studies.results", "Results"), "load_scenario": ("sim.scenario.load", "load_scenario"),
    "parse_scenario": ("sim.scenario.load", "parse_scenario"), "Scenario": ("sim.scenario.format", "Scenario"),
    "resume": ("sim.studies.study", "resume"), "run": ("sim.studies.study", "run"),
    "load_sweep": ("sim.studies.sweeps", "load_table"), "sweep": ("sim.studies.sweeps", "sweep"),
    "Threshold": ("sim.studies.thresholds", "Threshold"), "threshold": ("sim.studies.thresholds", "threshold"),
    "compare": ("sim.outputs.comparison", "compare"), "Comparison": ("sim.outputs.comparison", "Comparison"),
}

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from sim.engine.replication import Replication, replicate
    from sim.outputs.comparison import Comparison, compare
    from sim.scenario.format import Scenario
    from sim.scenario.load import load_scenario, parse_scenario
    from sim.studies.results import Results
    from sim.studies.study import resume, run
    from sim.studies.sweeps import load_table as load_sweep
    from sim.studies.sweeps import sweep
    from sim.studies.thresholds import Threshold, threshold


def __getattr__(name: str):
    """Import a name of the API from its module on first use."""
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = globals()[name] = getattr(importlib.import_module(module), attribute)  # once
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = ["Comparison", "PeacesimError", "Problem", "Replication", "Results", "Scenario",
           "ScenarioError", "Threshold", "__version__", "compare", "load_scenario",
           "load_sweep", "parse_scenario", "replicate", "resume", "run", "sweep", "threshold"]
