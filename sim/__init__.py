"""peacesim: simulate peace negotiations held while a war goes on.

The public API (DESIGN.md 4.3) is re-exported here.
"""

from sim.engine import Replication, replicate
from sim.errors import PeacesimError, Problem, ScenarioError
from sim.scenario import load_scenario, parse_scenario
from sim.schema import Scenario

__version__ = "0.1.0"

__all__ = ["PeacesimError", "Problem", "Replication", "Scenario", "ScenarioError",
           "__version__", "load_scenario", "parse_scenario", "replicate"]
