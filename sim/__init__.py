"""peacesim: simulate peace negotiations held while a war goes on.

The public API is re-exported here from where each name lives (docs/architecture.md
draws the layers). Each name is imported on first use, so that ``peacesim
validate``, ``schema`` and ``--version`` start at once instead of loading the
engine, pandas and numba first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sim.errors import PeacesimError, Problem, ScenarioError
from sim.version import __version__

_LAZY = {  # name: (module, its name there)
    "load_scenario": ("sim.scenario", "load_scenario"),
    "parse_scenario": ("sim.scenario", "parse_scenario"),
    "Scenario": ("sim.scenario", "Scenario"),
    "Replication": ("sim.engine.replication", "Replication"),
    "replicate": ("sim.engine.replication", "replicate"),
    "Results": ("sim.api", "Results"),
    "run": ("sim.api", "run"),
    "resume": ("sim.api", "resume"),
    "sweep": ("sim.api", "sweep"),
    "load_sweep": ("sim.studies.sweeps", "load_table"),
    "Threshold": ("sim.studies.thresholds", "Threshold"),
    "threshold": ("sim.studies.thresholds", "threshold"),
    "compare": ("sim.outputs.comparison", "compare"),
    "Comparison": ("sim.outputs.comparison", "Comparison"),
}

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from sim.api import Results, resume, run, sweep
    from sim.engine.replication import Replication, replicate
    from sim.outputs.comparison import Comparison, compare
    from sim.scenario import Scenario, load_scenario, parse_scenario
    from sim.studies.sweeps import load_table as load_sweep
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
