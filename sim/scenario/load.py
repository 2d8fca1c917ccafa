"""Loading scenarios: file -> validated, immutable ``Scenario``; overrides; dumping back.

Every problem becomes a ``Problem`` with file, line, key path and a message
saying what was expected and what was found, all collected into one
``ScenarioError``.
"""

from __future__ import annotations

import copy
import difflib
import os
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import Problem, ScenarioError
from sim.scenario import checks
from sim.scenario.distributions import DISTRIBUTIONS
from sim.scenario.format import ScenarioFile
from sim.scenario.paths import Path, dotted, keys_of, node_at, split, type_at
from sim.scenario.yamlsafe import line_of, read_yaml_text

_TAGS = {"num:value", "role:party", "role:mediator", "concession:preset",
         "concession:exponent", *("dist:" + d for d in DISTRIBUTIONS)}
_KINDS = {
    "float_type": "a number", "int_type": "a whole number", "string_type": "text",
    "bool_type": "true or false", "dict_type": "a mapping", "model_type": "a mapping",
    "model_attributes_type": "a mapping", "list_type": "a list", "tuple_type": "a list",
    "date_type": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD) without a time",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "finite_number": "a finite number", "int_from_float": "a whole number",
}


# A validated, immutable scenario: the keys of its file (``ScenarioFile``) with overrides
# and dumping at hand. The docstring is the JSON Schema's description of a whole file.
class Scenario(ScenarioFile):
    """A complete scenario file."""

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A copy with values replaced by dotted path, validated like a file."""
        return with_overrides(self, overrides)

    def to_yaml(self) -> str:
        """The resolved scenario (defaults filled in) as YAML."""
        return to_yaml(self)


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario file; raise ``ScenarioError`` naming every problem."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as fh:
            raw = fh.read(2_000_001)
    except FileNotFoundError:
        raise ScenarioError([Problem(source, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(source, None, "", "is a folder, expected a .yaml file")]) \
            from None
    except OSError as exc:
        raise ScenarioError([Problem(source, None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(source, None, "", f"not UTF-8 text (byte {exc.start})")]) \
            from None
    return parse_scenario(text, source)


def parse_scenario(text: str, source: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text."""
    document, lines = read_yaml_text(text, source)
    return from_document(document, source, lines)


def from_document(document: Any, source: str = "<document>",
                  lines: dict[Path, int] | None = None) -> Scenario:
    """Validate a scenario given as plain data (the result of reading its YAML)."""
    lines = lines or {}
    if not isinstance(document, dict):
        found = _found(document)
        raise ScenarioError([Problem(source, line_of(lines, ()) or 1, "",
                                     f"expected a mapping of scenario keys, got {found}")])
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        problems = [_problem(err, document, source, lines) for err in exc.errors()]
        problems += _checks_of_the_rest(document, exc.errors(), source, lines)
        raise ScenarioError(_sorted(problems)) from None
    problems = _checks(scenario, source, lines)
    if problems:
        raise ScenarioError(_sorted(problems))
    return scenario


def _checks(scenario: Scenario, source: str, lines: dict[Path, int]) -> list[Problem]:
    """The checks across keys (red lines within their issue's range, levers aimed at actors
    that exist, effect paths that exist) of a scenario whose keys are each valid."""
    return [Problem(source, line_of(lines, path), dotted(path), message)
            for path, message in checks.check(scenario)]


def _checks_of_the_rest(document: dict, errors: list, source: str,
                        lines: dict[Path, int]) -> list[Problem]:
    """``_checks`` of the document without its unknown keys (misspelt ones, say), when
    those are all that was refused, so one pass names problems of both kinds; except
    problems inside a mapping that lost a key, which may come from the misspelling.

    Only unknown keys: leaving out a refused value would check the rest against that
    key's default, a scenario the user did not write."""
    rest, trimmed = copy.deepcopy(document), []
    for err in errors:
        path = _location(err)
        parent = node_at(rest, path[:-1])
        if err["type"] != "extra_forbidden" or len(path) < 2 or not isinstance(parent, dict):
            return []
        parent.pop(path[-1], None)
        trimmed.append(dotted(path[:-1]))
    try:
        found = _checks(Scenario.model_validate(rest), source, lines)
    except ValidationError:
        return []
    return [p for p in found if not any(p.path == t or p.path.startswith(t + ".")
                                        for t in trimmed)]


def _location(err: dict) -> Path:
    """The key path of a pydantic error, without the tags of unions."""
    path = tuple(p for p in err["loc"] if p not in _TAGS and p != "[key]")
    return path + ("role",) if err["type"] == "role" else path


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line or 0, p.path))


def _problem(err: dict, document: Any, source: str, lines: dict[Path, int]) -> Problem:
    """Turn one pydantic error into our one-line form."""
    path = _location(err)
    kind, value = err["type"], err.get("input")
    if "[key]" in err["loc"]:
        message = f"names must be lower-case letters, digits and _, starting with a letter; " \
                  f"got '{path[-1]}'"
    elif kind == "missing":
        message = "required key is missing"
    elif kind == "extra_forbidden":
        known = keys_of(type_at(Scenario, document, path[:-1]), node_at(document, path[:-1]))
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(known)}"
        message = f"unknown key; {hint}"
    elif kind in _KINDS:
        message = f"expected {_KINDS[kind]}, got {_found(value)}"
    elif kind == "literal_error":
        message = f"expected {err['ctx']['expected']}, got {_found(value)}"
    elif kind == "role" and isinstance(value, dict):
        message = f"expected 'party' or 'mediator', got {_found(value.get('role'))}"
    elif kind == "param":
        message = _param_message(value)
    elif kind == "string_pattern_mismatch":
        message = f"must match {err['ctx']['pattern']}, got {_found(value)}"
    elif kind in ("too_short", "too_long"):
        ctx = err["ctx"]
        bound = f"at least {ctx['min_length']}" if kind == "too_short" else \
            f"at most {ctx['max_length']}"
        message = f"expected {bound} {'item' if bound.endswith(' 1') else 'items'}, " \
                  f"got {ctx['actual_length']}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
              "less_than_equal": "<="}[kind]
        limit = next(iter(err["ctx"].values()))
        message = f"must be {op} {limit:g}, got {_found(value)}"
    else:
        message = err["msg"].removeprefix("Value error, ")
    line = line_of(lines, path[:-1] if kind == "missing" else path) or (1 if lines else None)
    return Problem(source, line, dotted(path), message)


def _param_message(value: Any) -> str:
    names = ", ".join(DISTRIBUTIONS)
    if isinstance(value, dict) and "dist" in value:
        return f"unknown distribution {_found(value['dist'])}; expected one of {names}"
    if isinstance(value, dict):
        return f"a distribution needs a 'dist' key ({names}), got keys {', '.join(map(str, value))}"
    return f"expected a number or a distribution {{dist: ...}}, got {_found(value)}"


def _found(value: Any) -> str:
    """How a wrong value is shown: short, typed, never a wall of text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- overrides ---------------------------------------------------------------

def with_overrides(sc: Scenario, overrides: Mapping[str, Any], source: str = "override") \
        -> Scenario:
    """A new scenario with values replaced by dotted path, validated like a file.

    A path must name a key the format has: a typo is an error naming the path.
    """
    document = to_document(sc)
    problems = []
    for path_text, value in overrides.items():
        try:
            path = split(path_text)
        except (AttributeError, TypeError):
            problems.append(Problem(source, None, str(path_text), "a path must be text"))
            continue
        error = _assign(document, path, copy.deepcopy(value))
        if error:
            problems.append(Problem(source, None, path_text, error))
    if problems:
        raise ScenarioError(problems)
    return from_document(document, source)


def _assign(document: dict, path: Path, value: Any) -> str | None:
    """Put ``value`` at ``path``; return what is wrong with the path, if anything."""
    if not path or "" in path:
        return "empty path or empty part; write it like actors.russia.war_cost"
    node: Any = document
    for depth, key in enumerate(path):
        tp = type_at(Scenario, document, path[: depth + 1])
        last = depth == len(path) - 1
        if tp is None or (isinstance(node, list) and not (isinstance(key, int)
                                                          and key < len(node))):
            return _no_such(document, path[:depth], key, node)
        if last:
            node[key] = value
            return None
        child = node[key] if isinstance(node, list) else node.get(key)
        if child is None and isinstance(node, dict) and node and key not in node and \
                not keys_of(type_at(Scenario, document, path[:depth]), node):
            return _no_such(document, path[:depth], key, node)  # a misspelt name
        if child is None:
            return f"'{dotted(path[: depth + 1])}' is not set in this scenario; " \
                   f"set it as a whole first"
        if not isinstance(child, (dict, list)):
            return f"'{dotted(path[: depth + 1])}' is a single value, it has no '{path[depth + 1]}'"
        node = child
    return None


def _no_such(document: dict, parent: Path, key: Any, node: Any) -> str:
    where = f"'{dotted(parent)}'" if parent else "the scenario"
    if isinstance(node, list):
        return f"{where} is a list of {len(node)}; no item {key}"
    known = keys_of(type_at(Scenario, document, parent), node) if parent else \
        list(Scenario.model_fields)
    if not known and isinstance(node, dict):  # a name-keyed mapping: its names
        known = list(node)
    close = difflib.get_close_matches(str(key), [str(k) for k in known], n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"it has {', '.join(map(str, known))}"
    return f"{where} has no '{key}'; {hint}"


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"PATH=VALUE"`` from the command line, the value read as YAML."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError([Problem("--set", None, "", f"expected PATH=VALUE, got {text!r}")])
    path = path.strip()
    value, _ = read_yaml_text(raw if raw.strip() else "null", f"--set {path}")
    return path, value


# --- dumping -------------------------------------------------------------------

def to_document(sc: Scenario) -> dict:
    """The resolved scenario as plain data (defaults filled in, nulls left out)."""
    return _lists(sc.model_dump(mode="python", exclude_none=True))


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Block style for structure, flow style for small leaf mappings such as distributions."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    leaf = len(data) <= 6 and all(not isinstance(v, (dict, list)) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=leaf)


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    leaf = all(not isinstance(v, (dict, list)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=leaf)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def to_yaml(sc: Scenario) -> str:
    """The resolved scenario as YAML; loading it gives an equal scenario."""
    return yaml.dump(to_document(sc), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100)
