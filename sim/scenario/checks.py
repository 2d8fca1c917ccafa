"""Checks that need more than one field: names that must refer to something, ranges that
depend on an issue, effect paths that must exist. Each returns (path, message) pairs."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from pydantic_core import PydanticCustomError

from sim.scenario.distributions import span
from sim.scenario.format import Mediator, Party, ScenarioFile
from sim.scenario.paths import Path, dotted, is_effect_target, parameters, scenario_bounds

MAX_INDIVISIBLE = 10  # the mediator tries every lo/hi combination of indivisible issues


def check(sc: ScenarioFile) -> list[tuple[Path, str]]:
    """Every cross-field problem of a structurally valid scenario."""
    return [*_actors(sc), *_ranges(sc), *_battlefield(sc), *_talks(sc), *_effects(sc)]


def _names(kind: str, names: list[str]) -> str:
    return f"{kind}: {', '.join(names)}" if names else f"there are no {kind}"


def _unknown(what: str, name: str, known: list[str], kind: str) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"no {what} '{name}'; did you mean '{close[0]}'?"
    if len(known) > 12:
        return f"no {what} '{name}' in this scenario ({len(known)} {kind}; " \
               "`peacesim validate --params FILE` lists them)"
    return f"no {what} '{name}' ({_names(kind, known)})"


def _actors(sc: ScenarioFile) -> Iterator[tuple[Path, str]]:
    parties = [n for n, a in sc.actors.items() if isinstance(a, Party)]
    mediators = [n for n, a in sc.actors.items() if isinstance(a, Mediator)]
    if not parties:
        yield ("actors",), "needs at least one actor with role party (who must accept a deal); " \
                           f"found only {', '.join(sc.actors)}"
    for extra in mediators[1:]:
        yield ("actors", extra, "role"), \
            f"only one mediator is allowed; '{mediators[0]}' is already the mediator"
    issues = list(sc.issues)
    for name, actor in sc.actors.items():
        for issue in actor.positions:
            if issue not in sc.issues:
                yield ("actors", name, "positions", issue), \
                    _unknown("issue", issue, issues, "issues")
        if isinstance(actor, Party) and not actor.positions:
            yield ("actors", name, "positions"), \
                "a party needs a position on at least one issue, found none"
        if isinstance(actor, Mediator):
            for issue, position in actor.positions.items():
                if position.red_line is not None:
                    yield ("actors", name, "positions", issue, "red_line"), \
                        "a mediator has no red lines (it proposes; the parties accept or " \
                        "reject): remove it, or make this actor a party"
            seen: set[str] = set()
            for i, lever in enumerate(actor.levers):
                if lever.on not in parties:
                    yield ("actors", name, "levers", i, "on"), \
                        _unknown("party", lever.on, parties, "parties")
                if lever.name in seen:
                    yield ("actors", name, "levers", i, "name"), \
                        f"lever names must be unique; '{lever.name}' is used twice"
                seen.add(lever.name)
    indivisible = [k for k, issue in sc.issues.items() if issue.indivisible]
    if len(indivisible) > MAX_INDIVISIBLE:
        yield ("issues",), f"at most {MAX_INDIVISIBLE} indivisible issues, got {len(indivisible)}"


def _ranges(sc: ScenarioFile) -> Iterator[tuple[Path, str]]:
    """Ideals, red lines, status quos and the held area inside their scenario-given ranges."""
    for path, value, bounds in parameters(sc):
        narrowed = scenario_bounds(sc, path, bounds)
        if narrowed is bounds or value is None:
            continue
        message = _outside(narrowed, value)
        if message:
            what = "the issue's range" if path[0] != "battlefield" else "[0, max_km2]"
            yield path, message.replace("must be within", f"must be within {what}")


def _outside(bounds, value) -> str | None:
    try:
        bounds.check(value)
    except PydanticCustomError as exc:
        return exc.message()
    return None


def _battlefield(sc: ScenarioFile) -> Iterator[tuple[Path, str]]:
    field = sc.battlefield
    if field is None:
        return
    if field.issue not in sc.issues:
        yield ("battlefield", "issue"), _unknown("issue", field.issue, list(sc.issues), "issues")
    parties = [n for n, a in sc.actors.items() if isinstance(a, Party)]
    if field.holder not in parties:
        yield ("battlefield", "holder"), _unknown("party", field.holder, parties, "parties")


def _talks(sc: ScenarioFile) -> Iterator[tuple[Path, str]]:
    rounds = sc.talks.rounds
    for i in range(1, len(rounds)):
        if rounds[i].day <= rounds[i - 1].day:
            yield ("talks", "rounds", i, "day"), \
                f"rounds must be in increasing day order: day {rounds[i].day:g} comes after " \
                f"day {rounds[i - 1].day:g}"
    every, jitter = span(sc.talks.every_days), span(sc.talks.jitter_days)
    if every and jitter and jitter[1] >= every[0] / 2:
        yield ("talks", "jitter_days"), \
            f"must stay below half of every_days ({every[0]:g} / 2), or rounds could come in " \
            f"the wrong order; got up to {jitter[1]:g}"
    if sc.talks.on_deadline == "mediator_exits" and \
            not any(isinstance(a, Mediator) for a in sc.actors.values()):
        yield ("talks", "on_deadline"), "mediator_exits needs an actor with role mediator"


def _effect_sites(sc: ScenarioFile) -> Iterator[tuple[Path, object, object]]:
    """(path of the effect list, the list, duration) for every event and lever."""
    for i, event in enumerate(sc.events):
        yield ("events", i, "effects"), event.effects, event.duration_days
    for name, actor in sc.actors.items():
        for i, lever in enumerate(getattr(actor, "levers", [])):
            yield ("actors", name, "levers", i, "effects"), lever.effects, lever.duration_days


def _effects(sc: ScenarioFile) -> Iterator[tuple[Path, str]]:
    params = {dotted(p): (p, v, scenario_bounds(sc, p, b)) for p, v, b in parameters(sc)}
    targets = [k for k, (p, v, _) in params.items() if is_effect_target(p) and v is not None]
    for site, effects, duration in _effect_sites(sc):
        for j, effect in enumerate(effects):
            where = site + (j, "path")
            if effect.path not in params:
                yield where, _unknown("parameter", effect.path, targets, "parameters")
                continue
            path, value, bounds = params[effect.path]
            if not is_effect_target(path):
                yield where, f"'{effect.path}' cannot be changed by an effect (events, " \
                             "effects, lever durations and the parties' prior beliefs, " \
                             "optimism and belief_sd, are fixed)"
            elif value is None:
                yield where, f"'{effect.path}' is null in this scenario; give it a value " \
                             "before an effect can change it"
            elif effect.set is not None and (message := _outside(bounds, effect.set)):
                yield site + (j, "set"), message
            if path == ("battlefield", "held_km2") and duration is not None:
                yield where, "moving the front line is instant; remove duration_days " \
                             "or change battlefield.drift instead"
