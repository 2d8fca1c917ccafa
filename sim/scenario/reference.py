"""The scenario-file reference, ``docs/reference.md``, generated from the JSON Schema.

    python -m sim.reference > docs/reference.md

Every key, its type, default and range come from ``sim.schema.json_schema()``
(the descriptions written in ``sim/scenario/format.py``, the bounds of ``sim/scenario/params.py``),
and the ranges that depend on the rest of a scenario (a red line inside its
issue's range) from ``sim.paths.scenario_bounds``. Only what the schema cannot
say is written here: the unit of each number and the meaning of the few keys
the schema leaves undescribed. A numeric key without a unit, or a key without
a meaning, stops the generator with an error naming it, so the reference
cannot silently fall behind the format; ``tests/test_docs.py`` checks that
``docs/reference.md`` is this module's output.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.distributions import DISTRIBUTIONS
from sim.scenario.load import Scenario
from sim.scenario.paths import model_at, node_at, split
from sim.scenario.schema import json_schema

NAME_PATTERN = "^[a-z][a-z0-9_]*$"
# What the keys of a name-keyed mapping are called in key paths.
PLACEHOLDERS = {"issues": "<issue>", "actors": "<actor>", "positions": "<issue>"}
INDEXES = ("<i>", "<j>", "<k>", "<l>")  # list items, by nesting depth

SAME = "as the parameter"  # the unit of a distribution's numbers
TARGET = "unit of the target"  # the unit of an effect's change
# The unit of every numeric key (schema definition.key); "" for pure numbers.
UNITS = {
    "Scenario.horizon_days": "days",
    "Scenario.runs": "replications",
    "Scenario.seed": "",
    "Issue.range": "issue scale",
    "Issue.status_quo": "issue scale",
    "Issue.step": "issue scale",
    "Position.ideal": "issue scale",
    "Position.weight": "relative weight",
    "Position.red_line": "issue scale",
    "Exponent.exponent": "",
    "Party.power": "relative weight",
    "Party.batna": "utility",
    "Party.war_cost": "utility per day",
    "Party.weariness": "fraction per year",
    "Party.planning_days": "days",
    "Party.optimism": "km² per day",
    "Party.belief_sd": "km² per day",
    "Party.noise": "utility (sd)",
    "Party.walkout": "probability",
    "Mediation.bias": "relative weight",
    "Mediation.information": "utility (sd)",
    "Lever.probability": "probability",
    "Lever.duration_days": "days",
    "Lever.max_fires": "times",
    "Effect.add": TARGET,
    "Effect.set": TARGET,
    "Effect.scale": "factor",
    "Battlefield.held_km2": "km²",
    "Battlefield.reference_km2": "km²",
    "Battlefield.max_km2": "km²",
    "Battlefield.drift": "km² per day",
    "Battlefield.volatility": "km² per √day",
    "Shocks.per_year": "per year",
    "Shocks.mean_km2": "km²",
    "Shocks.sd_km2": "km²",
    "Round.day": "day",
    "Talks.every_days": "days",
    "Talks.jitter_days": "days",
    "Talks.start_day": "day",
    "Talks.deadline_day": "day",
    "Talks.resume_after_days": "days",
    "Event.day": "day",
    "Event.duration_days": "days",
    "Uniform.low": SAME, "Uniform.high": SAME,
    "Normal.mean": SAME, "Normal.sd": SAME, "Normal.low": SAME, "Normal.high": SAME,
    "Triangular.low": SAME, "Triangular.mode": SAME, "Triangular.high": SAME,
    "Beta.a": "", "Beta.b": "", "Beta.low": SAME, "Beta.high": SAME,
    "Choice.values": SAME, "Choice.p": "probability",
}


def unit_of(document: dict, path: tuple) -> str:
    """The unit of the number at ``path`` of a scenario document, e.g. "km² per day" for
    ``battlefield.drift`` or ``battlefield.drift.low`` ("" when it has none)."""
    owner = model_at(Scenario, document, path[:-1]) if path else None
    unit = UNITS.get(f"{owner.__name__}.{path[-1]}", "") if owner else ""
    if unit == SAME:
        return unit_of(document, path[:-1])
    if unit == TARGET:
        target = node_at(document, (*path[:-1], "path"))
        return unit_of(document, split(target)) if isinstance(target, str) else ""
    return unit
# Meanings of the keys the schema has no description for.
MEANINGS = {
    "Party.role": "`party` (the default): an actor whose consent a deal needs.",
    "Mediator.role": "`mediator`: proposes texts and applies pressure; its consent is not "
                     "needed. At most one actor is the mediator.",
    "Uniform.dist": "Names the distribution.",
    "Uniform.low": "Smallest value.",
    "Uniform.high": "Largest value.",
    "Normal.dist": "Names the distribution.",
    "Normal.mean": "Mean before clipping.",
    "Normal.sd": "Standard deviation before clipping (0: always the mean).",
    "Normal.low": "Draws below it become low; null: no lower limit.",
    "Normal.high": "Draws above it become high; null: no upper limit.",
    "Triangular.dist": "Names the distribution.",
    "Triangular.low": "Smallest value.",
    "Triangular.mode": "Most likely value, between low and high.",
    "Triangular.high": "Largest value.",
    "Beta.dist": "Names the distribution.",
    "Beta.a": "First shape parameter: the mean is low + (high - low) · a / (a + b).",
    "Beta.b": "Second shape parameter; a = b is symmetric, larger a + b is more concentrated.",
    "Beta.low": "Value of a Beta draw of 0.",
    "Beta.high": "Value of a Beta draw of 1.",
    "Choice.dist": "Names the distribution.",
    "Choice.values": "The values it can take.",
    "Choice.p": "Their probabilities, one per value, summing to 1; null: all equally likely.",
}
# Bounds of the probe scenario below, to recognise ranges that depend on the scenario.
_PROBE = """
name: probe
issues: {x: {range: [-7, 13], status_quo: 0}}
actors:
  p: {positions: {x: {ideal: 1, red_line: 0}}}
  m: {role: mediator, positions: {x: {ideal: 1}}}
battlefield: {issue: x, holder: p, held_km2: 1, reference_km2: 2, max_km2: 3}
"""
_PROBE_RANGES = {(-7.0, 13.0): "within the issue's `range`", (0.0, 3.0): "within [0, `max_km2`]"}

CHECKS = """\
## Checks beyond the schema

Loading a file (`peacesim validate`, `peacesim run`, `sim.load_scenario`) also checks what
one key cannot say on its own; each problem is reported as
`FILE:LINE: key.path: message` and the command exits with status 2.

* There is at least one actor with role `party`, and at most one `mediator`.
* Every key of `positions` names an issue of the scenario; a party has at least one
  position; a mediator's positions have no `red_line`.
* Ideals, red lines and status quos lie within their issue's `range`, and so does every
  value a distribution for them can draw (a `normal` needs `low` and `high` there).
  The same holds for every bounded parameter: a distribution must stay in its range.
* `range` has lo ≤ hi; at most 10 issues are `indivisible`.
* A lever's `on` names a party; lever names are unique.
* `battlefield.issue` names an issue and `battlefield.holder` a party; `held_km2` lies in
  [0, `max_km2`] (or [0, `reference_km2`] without `max_km2`).
* `talks.rounds` are in increasing day order; `jitter_days` stays below half of
  `every_days` (so rounds keep their order); `on_deadline: mediator_exits` needs a
  mediator.
* An effect has exactly one of `add`, `set` or `scale`. Its `path` names a numeric
  parameter of this scenario (`peacesim validate FILE --params` lists them) that is not
  null; it cannot change `events`, effects, a lever's `duration_days` or the prior beliefs
  read once at the start (`optimism`, `belief_sd`); a `set` value must
  be within the parameter's range; an effect on `battlefield.held_km2` moves the front at
  once, so it takes no `duration_days`. While effects are in force, a parameter is kept
  within its range.
* Distributions: `low` ≤ `high`, `low` ≤ `mode` ≤ `high`; a `choice` has one `p` per value,
  summing to 1.
"""


@dataclass(frozen=True)
class Section:
    """One mapping of the format: where it sits in a file and its schema definition."""

    path: str  # key path with placeholders, "" for the top level
    name: str  # schema definition (Scenario for the top level)
    schema: dict

    @property
    def anchor(self) -> str:
        if not self.path:
            return "top-level"
        words = [p for p in self.path.split(".") if not p.startswith("<")]
        tag = _role(self.schema)
        return "-".join(words + ([tag] if tag else []))


class UndocumentedKeyError(Exception):
    """The schema has a key this module cannot document (no unit, no meaning)."""


def _role(schema: dict) -> str | None:
    """The value of a constant discriminator (role: party | mediator) of a definition."""
    for key, prop in schema.get("properties", {}).items():
        if "const" in prop and key != "dist":
            return str(prop["const"])
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _ref(schema: dict) -> str | None:
    return schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None


class _Walker:
    """Finds every mapping of the format (its sections) by walking the schema from the top."""

    def __init__(self, schema: dict):
        self.root = schema
        self.defs = schema["$defs"]
        self.dists = [cls.__name__ for cls in DISTRIBUTIONS.values()]  # in README order
        self.sections: list[Section] = []

    def is_param(self, schema: dict) -> bool:
        branches = schema.get("oneOf", [])
        return any(b.get("type") == "number" for b in branches) and \
            any(_ref(b) in self.dists for b in branches)

    def walk(self) -> list[Section]:
        self._visit(Section("", "Scenario", self.root), 0)
        return self.sections

    def _visit(self, section: Section, depth: int) -> None:
        if any(s.path == section.path and s.name == section.name for s in self.sections):
            return
        self.sections.append(section)
        for key, prop in section.schema.get("properties", {}).items():
            for path, name, d in self._children(_join(section.path, key), prop, depth):
                self._visit(Section(path, name, self.defs[name]), d)

    def _children(self, path: str, schema: dict, depth: int) -> list[tuple[str, str, int]]:
        """(path, definition, list depth) of the mappings a key holds."""
        ref = _ref(schema)
        if ref:
            return [] if ref in self.dists else [(path, ref, depth)]
        if self.is_param(schema):
            return []
        found = []
        for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
            found += self._children(path, branch, depth)
        if "items" in schema:
            found += self._children(f"{path}.{INDEXES[depth]}", schema["items"], depth + 1)
        for value in schema.get("patternProperties", {}).values():
            found += self._children(f"{path}.{self.placeholder(path)}", value, depth)
        return found

    @staticmethod
    def placeholder(path: str) -> str:
        return PLACEHOLDERS.get(path.rsplit(".", 1)[-1], "<name>")

    def link(self, name: str, path: str) -> str:
        for s in self.sections:
            if s.name == name and s.path == path:
                return f"[{name}](#{s.anchor})"
        return f"[{name}](#dist-{self.defs[name]['properties']['dist']['const']})" \
            if name in self.dists else name


# --- rendering one key ---------------------------------------------------------------------

def _number(x: Any) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int | float) and float(x).is_integer():
        n = int(x)
        if n > 2**20 and n & (n - 1) == 0:
            return f"2^{n.bit_length() - 1}"
        return f"{n:,}" if abs(n) >= 10_000 else str(n)
    return f"{x:g}" if isinstance(x, float) else str(x)


def _value(x: Any) -> str:
    if x is None:
        return "`null`"
    if isinstance(x, str):
        return f'`"{x}"`' if x == "" else f"`{x}`"
    if isinstance(x, list):
        return "`[" + ", ".join(_number(v) for v in x) + "]`"
    return f"`{_number(x)}`"


def _type(w: _Walker, schema: dict, path: str) -> str:
    ref = _ref(schema)
    if ref:
        return w.link(ref, path)
    if w.is_param(schema):
        return "number or [distribution](#distributions)"
    if "anyOf" in schema:
        parts = [b for b in schema["anyOf"] if b.get("type") != "null"]
        text = " or ".join(_type(w, b, path) for b in parts)
        return text + (" or null" if len(parts) < len(schema["anyOf"]) else "")
    if "oneOf" in schema:
        return " or ".join(_type(w, b, path) for b in schema["oneOf"])
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date":
            return "date (YYYY-MM-DD)"
        return "name" if schema.get("pattern") == NAME_PATTERN else "text"
    if kind == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(_type(w, b, path) for b in schema["prefixItems"]) + "]"
        index = INDEXES[sum(1 for part in path.split(".") if part in INDEXES)]
        return f"list of {_type(w, schema['items'], f'{path}.{index}')}"
    if kind == "object" and "patternProperties" in schema:
        value = next(iter(schema["patternProperties"].values()))
        child = f"{path}.{w.placeholder(path)}"
        return f"mapping of `{w.placeholder(path)}` to {_type(w, value, child)}"
    return {"number": "number", "integer": "whole number", "boolean": "true \\| false"}.get(
        kind, str(kind))


def _interval(s: dict) -> str | None:
    lo, hi = s.get("minimum"), s.get("maximum")
    xlo, xhi = s.get("exclusiveMinimum"), s.get("exclusiveMaximum")
    if lo is None and xlo is None and hi is None and xhi is None:
        return None
    if hi is None and xhi is None:
        return f"≥ {_number(lo)}" if lo is not None else f"> {_number(xlo)}"
    if lo is None and xlo is None:
        return f"≤ {_number(hi)}" if hi is not None else f"< {_number(xhi)}"
    left = f"[{_number(lo)}" if lo is not None else f"({_number(xlo)}"
    right = f"{_number(hi)}]" if hi is not None else f"{_number(xhi)})"
    return f"{left}, {right}"


def _range(w: _Walker, schema: dict) -> str:
    if w.is_param(schema):
        number = next(b for b in schema["oneOf"] if b.get("type") == "number")
        return _interval(number) or "any"
    if "anyOf" in schema:
        parts = [_range(w, b) for b in schema["anyOf"] if b.get("type") != "null"]
        return "; ".join(p for p in parts if p)
    found = []
    interval = _interval(schema)
    if interval:
        found.append(interval)
    if not found and schema.get("type") in ("number", "integer"):
        found.append("any")
    for pattern in schema.get("patternProperties", {}):
        found.append(f"names `{pattern}`")
    if "maxLength" in schema.get("propertyNames", {}):
        found.append(f"≤ {schema['propertyNames']['maxLength']} characters")
    if "pattern" in schema:
        found.append(f"`{schema['pattern']}`")
    if "maxLength" in schema:
        found.append(f"≤ {schema['maxLength']} characters")
    for low, high, what in (("minItems", "maxItems", "items"),
                            ("minProperties", "maxProperties", "entries")):
        if "prefixItems" in schema:
            break
        if low in schema or high in schema:
            a, b = schema.get(low, 0), schema.get(high)
            found.append(f"{a}–{_number(b)} {what}" if b is not None else f"≥ {a} {what}")
    items = schema.get("items")
    if isinstance(items, dict) and _interval(items):
        found.append(f"each {_interval(items)}")
    return "; ".join(found)


def _numeric(w: _Walker, schema: dict) -> bool:
    if w.is_param(schema) or schema.get("type") in ("number", "integer"):
        return True
    if schema.get("type") == "array":
        items = [schema.get("items", {})] + schema.get("prefixItems", [])
        return any(_numeric(w, i) for i in items if isinstance(i, dict))
    return any(_numeric(w, b) for b in schema.get("anyOf", []))


def _default(schema: dict, required: bool) -> str:
    if required:
        return "required"
    if "default" in schema:
        return _value(schema["default"])
    if schema.get("type") == "array":
        return "`[]`"
    if schema.get("type") == "object":
        return "`{}`"
    return "all defaults"


def _meaning(schema: dict, key: str) -> str | None:
    text = schema.get("description") or MEANINGS.get(key)
    if text is None:
        return None
    text = text.replace("``", "`").replace("|", "\\|").replace("\n", " ")
    return re.sub(r"model\.md (§\d+(?:, §\d+)*)", _model_link, text)


def _model_link(match: re.Match) -> str:
    numbers = [n.lstrip("§") for n in match.group(1).split(", ")]
    links = ", ".join(f"[§{n}]({_model_anchor(n)})" for n in numbers)
    return f"model.md {links}"


def _model_anchor(number: str) -> str:
    """``model.md#3-the-value-of-no-deal`` for section 3, as GitHub names its headings."""
    model = Path(__file__).resolve().parent.parent.parent / "docs" / "model.md"
    try:
        text = model.read_text(encoding="utf-8")
    except OSError:
        return "model.md"
    heading = re.search(rf"^## ({number}\. .*)$", text, flags=re.M)
    if not heading:
        return "model.md"
    slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
    return f"model.md#{slug}"


# --- the page ------------------------------------------------------------------------------

def _narrowed(w: _Walker) -> dict[str, str]:
    """Ranges that depend on the rest of the scenario, by key path with placeholders."""
    from sim.scenario.load import parse_scenario
    from sim.scenario.paths import parameters, scenario_bounds

    probe = parse_scenario(_PROBE, "sim/scenario/reference.py")
    found = {}
    for path, _, bounds in parameters(probe):
        narrowed = scenario_bounds(probe, path, bounds)
        if narrowed != bounds:
            found[key_path(path, w.root)] = _PROBE_RANGES.get(
                (narrowed.lo, narrowed.hi), f"[{narrowed.lo:g}, {narrowed.hi:g}]")
    return found


def key_path(path: tuple | list, schema: dict | None = None) -> str:
    """A concrete key path (``actors.us.levers.0.probability``) with placeholders
    (``actors.<actor>.levers.<i>.probability``), as the reference names it."""
    schema = schema or json_schema()
    defs = schema["$defs"]
    node, out, depth = schema, [], 0
    for key in path:
        node = _resolve(node, defs, key)
        if isinstance(key, int):
            out.append(INDEXES[depth])
            depth += 1
            node = node.get("items", {})
        elif key in node.get("properties", {}):
            out.append(str(key))
            node = node["properties"][key]
        elif "patternProperties" in node:
            out.append(PLACEHOLDERS.get(out[-1] if out else "", "<name>"))
            node = next(iter(node["patternProperties"].values()))
        else:
            out.append(str(key))
            node = {}
    return ".".join(out)


def _resolve(node: dict, defs: dict, key: Any) -> dict:
    """Follow $ref, nullable and union wrappers to the schema that has ``key``."""
    while True:
        if "$ref" in node:
            node = defs[_ref(node)]
            continue
        branches = node.get("anyOf", []) + node.get("oneOf", [])
        if not branches or "properties" in node or "items" in node:
            return node
        resolved = [_resolve(b, defs, key) for b in branches]
        for b in resolved:
            if key in b.get("properties", {}) or (isinstance(key, int) and "items" in b) or \
                    (isinstance(key, str) and "patternProperties" in b):
                return b
        return resolved[0]


def key_paths() -> list[str]:
    """Every key path the reference documents, in page order."""
    return [row[0].strip("`") for _, rows in _tables(_Walker(json_schema())) for row in rows]


def _tables(w: _Walker) -> list[tuple[Section, list[list[str]]]]:
    """One table per mapping of the format: a row per key."""
    sections = w.walk()
    narrowed = _narrowed(w)
    problems, tables = [], []
    for section in sections:
        rows = []
        required = set(section.schema.get("required", []))
        for key, prop in section.schema.get("properties", {}).items():
            where, full = f"{section.name}.{key}", _join(section.path, key)
            meaning = _meaning(prop, where)
            if meaning is None:
                problems.append(f"{where}: no description (write one in sim/scenario/format.py, or "
                                "add it to MEANINGS in sim/scenario/reference.py)")
            unit = UNITS.get(where)
            if unit is None and _numeric(w, prop):
                problems.append(f"{where}: no unit (add it to UNITS in sim/scenario/reference.py)")
            bounds = narrowed.get(full) or _range(w, prop)
            rows.append([f"`{full}`", _type(w, prop, full), _default(prop, key in required),
                         bounds, unit or "", meaning or ""])
        tables.append((section, rows))
    if problems:
        raise UndocumentedKeyError("cannot document the scenario format:\n  "
                                   + "\n  ".join(problems))
    return tables


def _distributions(w: _Walker) -> list[str]:
    lines = ["## Distributions", "",
             "Any key whose type is *number or distribution* may be given as a distribution "
             "instead of a number. It is drawn once per replication, in file order, and the "
             "drawn value is recorded in the `param.<path>` column of `outcomes.csv`. Every "
             "value it can give must lie in the key's range. Its numbers are in the unit of "
             "the key it replaces.", ""]
    problems = []
    for name in w.dists:
        d = w.defs[name]
        dist = d["properties"]["dist"]["const"]
        keys = [k for k in d["properties"] if k != "dist"]
        required = set(d.get("required", []))
        example = ", ".join(k if k in required else f"{k}?" for k in keys)
        lines += [f'<a id="dist-{dist}"></a>', "",
                  f"### `{{dist: {dist}, {example}}}`", "",
                  _meaning(d, name) or "", "",
                  "| Key | Type | Default | Range | Unit | Meaning |",
                  "|---|---|---|---|---|---|"]
        for key, prop in d["properties"].items():
            meaning = _meaning(prop, f"{name}.{key}")
            if meaning is None:
                problems.append(f"{name}.{key}: no description (add it to MEANINGS)")
            unit = UNITS.get(f"{name}.{key}")
            if unit is None and _numeric(w, prop):
                problems.append(f"{name}.{key}: no unit (add it to UNITS)")
            lines.append("| " + " | ".join([f"`{key}`", _type(w, prop, key),
                                            _default(prop, key in required), _range(w, prop),
                                            unit or "", meaning or ""]) + " |")
        lines.append("")
    if problems:
        raise UndocumentedKeyError("cannot document the distributions:\n  " + "\n  ".join(problems))
    return lines


def _title(section: Section, w: _Walker) -> str:
    if not section.path:
        return "Top level"
    role = _role(section.schema)
    return f"`{section.path}`" + (f" with `role: {role}`" if role else "") + \
        (" as `{exponent: e}`" if section.name == "Exponent" else "")


def reference_markdown() -> str:
    """The text of docs/reference.md."""
    w = _Walker(json_schema())
    tables = _tables(w)
    out = [
        "<!-- Generated from the JSON Schema by"
        " `python -m sim.scenario.reference > docs/reference.md`. Do not edit by hand:"
        " change the descriptions in sim/scenario/format.py (or the"
        " units in sim/scenario/reference.py) and regenerate. -->",
        "",
        "# Scenario file reference",
        "",
        "Every key of a scenario file: its **key path** (the dotted path that `--set`, "
        "effects, sweeps and `peacesim validate --params` use), its type, its default, the "
        "values it accepts, its unit and what it means. Placeholders stand for names you "
        "choose: `<issue>` is a key of `issues`, `<actor>` a key of `actors`; `<i>` and "
        "`<j>` count list items from 0 (`actors.us.levers.0.effects.1.add`). *required* "
        "keys must be given; any other key may be left out and takes its default.",
        "",
        "A *number or distribution* is a plain number or one of the "
        "[distributions](#distributions) below, drawn once per replication. Ranges are "
        "closed (`[0, 1]` includes 0 and 1); `> 0` excludes 0. Utilities run from 0 (the "
        "worst deal on every issue) to 1 (the ideal on every issue); *issue scale* is the "
        "issue's own `range`. The same information is in the JSON Schema "
        "(`peacesim schema`, `sim/scenario.schema.json`), which editors can use to complete "
        "and check files. How each key enters the model is explained in [model.md](model.md).",
        "",
        "## Contents",
        "",
    ]
    out += [f"* [{_title(s, w)}](#{s.anchor})" for s, _ in tables]
    out += ["* [Distributions](#distributions)", "* [Checks beyond the schema]"
            "(#checks-beyond-the-schema)", "", "## Keys", ""]
    for section, rows in tables:
        description = _meaning(section.schema, section.name) or ""
        out += [f'<a id="{section.anchor}"></a>', "", f"### {_title(section, w)}", "",
                description, "", "| Key | Type | Default | Range | Unit | Meaning |",
                "|---|---|---|---|---|---|"]
        out += ["| " + " | ".join(row) + " |" for row in rows]
        out.append("")
    out += _distributions(w)
    out.append(CHECKS)
    return "\n".join(out)


def main() -> int:
    try:
        sys.stdout.write(reference_markdown())
    except UndocumentedKeyError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["key_path", "key_paths", "reference_markdown"]
