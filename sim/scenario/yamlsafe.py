"""Read YAML safely and remember the line of every key, so errors can point at it.

We build Python objects from PyYAML's event stream ourselves instead of calling
``yaml.safe_load`` because we need three things it does not give:

* the line of every key path (``("actors", "ukraine", "war_cost") -> 14``);
* mapping keys kept as the text the user typed: YAML 1.1 reads ``on:`` (a
  lever's target) as the boolean ``True``;
* bounded work on hostile input: duplicate keys, undefined or recursive
  aliases, alias bombs ("billion laughs"), absurd nesting and NaN/inf are
  refused with one clear line before anything downstream walks the data.

Only the safe scalar types are constructed (null, bool, int, float, str,
timestamp), so loading never runs code from the file.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from sim.errors import Problem, ScenarioError

MAX_BYTES = 1_000_000  # a scenario is a few kB; anything this large is a mistake
MAX_DEPTH = 64  # the format nests about six levels deep
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels; a scenario nests about six"
MAX_VALUES = 100_000  # values after expanding aliases: stops alias bombs

Path = tuple[str | int, ...]
_SAFE_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "str", "timestamp")
}
_MERGE = "<<"
# libyaml's parser where PyYAML has it: PyYAML's own scanner takes time quadratic in the
# depth of nested flow collections ("[[[[..."), libyaml's does not
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML 1.1 also reads 1:20 (base 60) as 80, 0x1F, 0o17, 017 (octal!) and 1_000 as numbers;
# JSON, YAML 1.2 and editors with the JSON Schema do not: only plain decimals are numbers.
# And YAML 1.1 reads 1e-5, -.5 and 1.0e5 as text; YAML 1.2 and JSON read them as numbers.
_FLOAT_12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DECIMAL = {"tag:yaml.org,2002:int": re.compile(r"[-+]?(0|[1-9][0-9]*)"),
            "tag:yaml.org,2002:float": re.compile(
                _FLOAT_12.pattern + r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")}


class _Frame:
    """A mapping or sequence under construction."""

    __slots__ = ("anchor", "key", "key_line", "merges", "path", "size", "value")

    def __init__(self, value: dict | list, path: Path, anchor: str | None):
        self.value = value
        self.path = path
        self.anchor = anchor
        self.size = 1
        self.key: str | None = None  # mapping: the key whose value comes next
        self.key_line = 0
        self.merges: list[dict] = []


def read_yaml_text(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return (data, {key path: 1-based line})."""

    def fail(line: int | None, message: str, path: Path = ()) -> ScenarioError:
        return ScenarioError([Problem(source, line, dotted(path), message)])

    if len(text) > MAX_BYTES:
        raise fail(None, f"file is larger than {MAX_BYTES // 1000} kB; a scenario is a few kB")
    lines: dict[Path, int] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    root: list[Any] = []
    documents = 0
    total = 0

    def budget(size: int, line: int) -> None:
        """Count values as they are created, aliases expanded; refuse alias bombs early."""
        nonlocal total
        total += size
        if total > MAX_VALUES:
            raise fail(line, f"document expands to more than {MAX_VALUES} values "
                       "(an alias bomb?); a scenario has a few hundred")

    def place(value: Any, size: int, line: int) -> None:
        """Attach a finished value to its parent container (or make it the root)."""
        if not stack:
            root.append(value)
            return
        top = stack[-1]
        top.size += size
        if isinstance(top.value, list):
            top.value.append(value)
            return
        if top.key == _MERGE:
            merged = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merged):
                raise fail(line, "a merge key '<<' needs a mapping or a list of mappings",
                           top.path)
            top.merges.extend(merged)
        else:
            top.value[top.key] = value
        top.key = None

    def child_path(line: int) -> Path:
        """Path of the value about to be placed, recording its line."""
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top.value, list):
            path = top.path + (len(top.value),)
            lines[path] = line
            return path
        return top.path + (top.key,)

    try:
        loader = _Loader(text)
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise fail(line, "more than one YAML document ('---'); "
                               "a scenario file holds exactly one")
                continue
            if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent,
                                  yaml.DocumentEndEvent)):
                continue
            expecting_key = (stack and isinstance(stack[-1].value, dict)
                             and stack[-1].key is None)
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                if frame.merges:  # explicit keys win, then earlier merged mappings
                    for merged in frame.merges:
                        for k, v in merged.items():
                            frame.value.setdefault(k, v)
                if frame.anchor is not None:
                    anchors[frame.anchor] = (frame.value, frame.size)
                place(frame.value, frame.size, line)
                continue
            if expecting_key:
                top = stack[-1]
                if not isinstance(event, yaml.ScalarEvent):
                    raise fail(line, "a key must be a plain name, not a list, mapping or alias",
                               top.path)
                key = event.value
                if key in top.value or (key == _MERGE and top.merges):
                    raise fail(line, f"duplicate key '{key}' (each key may appear once)",
                               top.path + (key,))
                top.key = key
                if key != _MERGE:
                    lines[top.path + (key,)] = line
                continue
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise fail(line, f"alias '*{event.anchor}' refers to no complete anchor "
                               f"'&{event.anchor}' above it", child_path(line))
                value, size = anchors[event.anchor]
                child_path(line)
                budget(size, line)  # before copying, so a bomb costs nothing
                place(copy.deepcopy(value), size, line)
                continue
            path = child_path(line)
            if len(stack) >= MAX_DEPTH:
                raise fail(line, _TOO_DEEP, path[:3])
            budget(1, line)
            if isinstance(event, yaml.ScalarEvent):
                value = _scalar(loader, event, lambda m, line=line, path=path: fail(line, m, path))
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
                place(value, 1, line)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                is_map = isinstance(event, yaml.MappingStartEvent)
                expected = "tag:yaml.org,2002:" + ("map" if is_map else "seq")
                if event.tag not in (None, "!", expected):
                    raise fail(line, f"YAML tag '{event.tag}' is not allowed here", path)
                stack.append(_Frame({} if is_map else [], path, event.anchor))
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise fail(line, f"character #x{exc.character:04x} is not allowed in a YAML file") \
            from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if "maximum nesting depth" in problem:  # libyaml's own limit, deeper than ours
            raise fail(mark.line + 1 if mark else None, _TOO_DEEP) from None
        raise fail(mark.line + 1 if mark else None, f"YAML syntax error: {problem}") from None
    if not root:
        raise fail(1, "the file is empty; expected a mapping of scenario keys")
    return root[0], lines


def _scalar(loader: yaml.SafeLoader, event: yaml.ScalarEvent, fail) -> Any:
    """Construct one scalar with the safe YAML 1.1 rules; refuse NaN, inf and foreign tags."""
    tag = event.tag
    if tag in (None, "!"):
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == "tag:yaml.org,2002:str" and not event.style and \
                _FLOAT_12.fullmatch(event.value):
            return float(event.value)  # a plain 1e-5: a number, as in YAML 1.2
    if tag not in _SAFE_TAGS:
        raise fail(f"YAML tag '{tag}' is not allowed; use plain numbers, text, true/false, null")
    plain = _DECIMAL.get(tag)
    if plain is not None and not plain.fullmatch(event.value):
        raise fail(f"'{event.value}' is a number only in old YAML (base 60, hexadecimal, octal "
                   "or with _); write a plain decimal number, or quote it if it is text")
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        value = SafeConstructor.yaml_constructors[tag](loader, node)
    except (ValueError, OverflowError) as exc:  # e.g. an integer of thousands of digits
        raise fail(f"cannot read {event.value[:20]!r}{'...' if len(event.value) > 20 else ''} "
                   f"as {tag.rsplit(':', 1)[-1]}: {str(exc).split(';')[0]}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(f"expected a finite number, got {event.value}")
    return value


def dotted(path: Path) -> str:
    """``("actors", "us", "levers", 0)`` -> ``"actors.us.levers.0"``."""
    return ".".join(str(p) for p in path)


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path`` or of its nearest ancestor that has one."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None
