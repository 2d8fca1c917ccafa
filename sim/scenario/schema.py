"""The JSON Schema of scenario files, generated from the format's models, for editors and
other tools (``peacesim schema``; shipped as ``sim/scenario.schema.json``)."""

from __future__ import annotations

from typing import Any

from sim.scenario.load import Scenario


def json_schema() -> dict:
    """The JSON Schema of scenario files, for editors and other tools."""
    schema = Scenario.model_json_schema()
    _close_name_maps(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "peacesim scenario"
    return schema


def _close_name_maps(node: Any) -> None:
    """Name-keyed mappings (issues, actors, positions) accept only valid names."""
    if isinstance(node, dict):
        if "patternProperties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _close_name_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_name_maps(value)
