"""Dotted parameter paths (``actors.russia.war_cost``): what exists, its type, its bounds.

Effects, overrides and sweeps all name parameters by these paths, so they all
resolve them here.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Annotated, Any, Union

from pydantic import BaseModel

from sim.scenario.distributions import DISTRIBUTIONS
from sim.scenario.params import Bounds, bounds_of

Path = tuple[str | int, ...]


def split(path: str) -> Path:
    """``"actors.us.levers.0.probability"`` -> ``("actors", "us", "levers", 0, "probability")``."""
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def dotted(path: Path) -> str:
    return ".".join(map(str, path))


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated[...]`` and ``Optional[...]`` down to the type that matters."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _pick(tp: Any, node: Any) -> Any:
    """For a union of models (actor roles, distributions), the member ``node`` belongs to."""
    members = [_unwrap(a) for a in typing.get_args(tp)]
    kind = node.get("dist") if isinstance(node, dict) else None
    if isinstance(kind, str) and DISTRIBUTIONS.get(kind) in members:
        return DISTRIBUTIONS[kind]  # a distribution's own keys: battlefield.drift.high
    models = [m for m in members if _is_model(m) and m.__name__ not in _DIST_NAMES]
    if not models:
        return None
    for model in models:
        role = model.model_fields.get("role")
        if role is not None and isinstance(node, dict):
            wanted = node.get("role", "party")
            if typing.get_args(role.annotation)[0] == wanted:
                return model
    return models[0]


_DIST_NAMES = {cls.__name__ for cls in DISTRIBUTIONS.values()}


def child_type(tp: Any, key: str | int, node: Any) -> Any:
    """The declared type of ``node[key]`` when ``node`` has type ``tp``; None if no such key."""
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (Union, types.UnionType):
        tp = _pick(tp, node)
    if _is_model(tp):
        field = tp.model_fields.get(key) if isinstance(key, str) else None
        return None if field is None else field.annotation
    origin = typing.get_origin(tp)
    if origin is dict and isinstance(key, str):
        return typing.get_args(tp)[1]
    if origin is list and isinstance(key, int):
        return typing.get_args(tp)[0]
    return None


def keys_of(tp: Any, node: Any) -> list[str]:
    """The keys a mapping of type ``tp`` may have (empty for name-keyed mappings)."""
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (Union, types.UnionType):
        tp = _pick(tp, node)
    return list(tp.model_fields) if _is_model(tp) else []


def node_at(document: Any, path: Path) -> Any:
    """The value at ``path`` of plain data (dicts and lists); None if there is none."""
    for key in path:
        if isinstance(document, dict):
            document = document.get(key)
        elif isinstance(document, list) and isinstance(key, int) and key < len(document):
            document = document[key]
        else:
            return None
    return document


def type_at(root: type[BaseModel], document: Any, path: Path) -> Any:
    """The declared type at ``path`` of ``document`` (a scenario dict); None if there is none."""
    tp: Any = root
    node = document
    for key in path:
        tp = child_type(tp, key, node)
        if tp is None:
            return None
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            node = None
    return tp


def whole_number(root: type[BaseModel], document: Any, path: Path) -> bool:
    """Whether the key at ``path`` takes whole numbers only (``max_fires``, ``runs``)."""
    return _unwrap(type_at(root, document, path)) is int


def model_at(root: type[BaseModel], document: Any, path: Path) -> type[BaseModel] | None:
    """The model class of the mapping at ``path`` of ``document`` (None: not a model, such as
    a name-keyed mapping or a number)."""
    tp = _unwrap(type_at(root, document, path) if path else root)
    if typing.get_origin(tp) in (Union, types.UnionType):
        tp = _pick(tp, node_at(document, path))
    return tp if _is_model(tp) else None


def parameters(model: BaseModel, prefix: Path = ()) -> list[tuple[Path, Any, Bounds]]:
    """Every numeric parameter of a validated scenario, in file order: (path, value, bounds).

    The order is fixed (fields, then mapping and list order), which fixes the
    order of random draws and so makes replications reproducible.
    """
    return [(path, value, bounds) for path, _, value, bounds in named_parameters(model, prefix)]


def named_parameters(model: BaseModel, prefix: Path = ()) \
        -> list[tuple[Path, str, Any, Bounds]]:
    """``parameters`` with each path dotted too: (path, dotted path, value, bounds)."""
    found: list[tuple[Path, str, Any, Bounds]] = []
    _collect(model, prefix, dotted(prefix), found)
    return found


@functools.cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, Bounds | None], ...]:
    """A model class's fields with their parameter bounds (None: not a parameter), looked up
    once per class: compiling a scenario walks them for every sweep point."""
    return tuple((name, bounds_of(model, name)) for name in model.model_fields)


def _collect(value: Any, path: Path, text: str, found: list) -> None:
    """Append the parameters inside ``value`` (at ``path``, dotted ``text``) to ``found``: a
    plain recursion, several times quicker than nested generators (compiling a scenario
    runs it once a study or sweep point)."""
    if isinstance(value, BaseModel):
        items = ((name, getattr(value, name), bounds) for name, bounds in _fields(type(value)))
    elif isinstance(value, dict):
        items = ((key, item, None) for key, item in value.items())
    elif isinstance(value, list):
        items = ((i, item, None) for i, item in enumerate(value))
    else:
        return
    for key, item, bounds in items:
        name = f"{text}.{key}" if text else str(key)
        if bounds is not None:
            found.append((path + (key,), name, item, bounds))
        else:
            _collect(item, path + (key,), name, found)


def is_effect_target(path: Path) -> bool:
    """Effects may change model parameters, but not the schedule of events or other effects,
    nor what is read once at the start (the parties' prior beliefs)."""
    if path[0] == "events" or "effects" in path:
        return False
    if path[0] == "actors" and path[-1] in ("optimism", "belief_sd"):
        return False
    return not (len(path) >= 5 and path[2] == "levers" and path[4:] == ("duration_days",))


def scenario_bounds(scenario: Any, path: Path, bounds: Bounds) -> Bounds:
    """A parameter's bounds narrowed by the rest of the scenario.

    Ideals, red lines and status quos live in their issue's range; the held
    area lives in ``[0, max_km2]``.
    """
    if len(path) == 5 and path[0] == "actors" and path[2] == "positions" and \
            path[4] in ("ideal", "red_line") and path[3] in scenario.issues:
        return Bounds(*scenario.issues[path[3]].range)
    if len(path) == 3 and path[0] == "issues" and path[2] == "status_quo":
        return Bounds(*scenario.issues[path[1]].range)
    if path == ("battlefield", "held_km2"):
        field = scenario.battlefield
        return Bounds(0.0, field.max_km2 or field.reference_km2)
    return bounds
