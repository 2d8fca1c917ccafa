"""The scenario file format: YAML text -> a validated, immutable ``Scenario``.

The bottom layer: it imports nothing else of peacesim but ``sim.errors``; the
model, the engine, the studies and the outputs read scenarios through it.

- ``yamlsafe``: YAML read safely, with the line of every key;
- ``frozen``, ``params``, ``distributions``: the building blocks (immutable models,
  numeric parameters with bounds, the distributions of uncertain inputs);
- ``format``: the file's keys as pydantic models (``ScenarioFile``);
- ``paths``: dotted parameter paths (``actors.russia.war_cost``): what exists, its
  type and bounds;
- ``checks``: checks across keys (red lines inside their issue's range, levers aimed
  at parties that exist);
- ``load``: file -> ``Scenario`` (every problem one line: file, line, key path,
  message), overrides, and dumping back to YAML;
- ``schema``: the JSON Schema for editors; ``reference``: docs/reference.md from it.
"""

from sim.scenario.format import MAX_RUNS, PRESETS, Mediator, Party, ScenarioFile
from sim.scenario.load import (
    Scenario,
    from_document,
    load_scenario,
    parse_assignment,
    parse_scenario,
    to_document,
    to_yaml,
    with_overrides,
)

__all__ = ["MAX_RUNS", "PRESETS", "Mediator", "Party", "Scenario", "ScenarioFile",
           "from_document", "load_scenario", "parse_assignment", "parse_scenario",
           "to_document", "to_yaml", "with_overrides"]
