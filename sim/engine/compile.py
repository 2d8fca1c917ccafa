"""A scenario compiled for the engine: every numeric parameter in one flat list of slots.

Built once per study (and once per worker process, from plain data). Each
replication copies ``base``, overwrites the uncertain slots with its draws,
and effects change slots by index. Nothing here runs per round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sim.model.effects import OPS, Effect
from sim.scenario import PRESETS, Mediator, Party, Scenario
from sim.scenario.distributions import Distribution
from sim.scenario.paths import is_effect_target, named_parameters, scenario_bounds

NAN = math.nan
HELD = -1  # effect target meaning "the front line itself" (an instant move)
NARROWED = frozenset({"actors", "issues", "battlefield"})  # where scenario_bounds may narrow


@dataclass(frozen=True)
class Lever:
    name: str
    target: int  # party index
    probability: int  # slot
    duration: int  # slot (NaN: rest of the run)
    max_fires: int
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Event:
    label: str
    day: int  # slot
    duration: int  # slot
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Model:
    """Plain numbers and indices: what one replication needs, nothing it does not."""

    name: str
    issues: tuple[str, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    step: tuple[float, ...]  # 0: continuous
    indivisible: tuple[bool, ...]
    parties: tuple[str, ...]
    mediator: str | None
    horizon: float
    base: tuple[float, ...]  # slot values; NaN where a parameter is null
    paths: tuple[str, ...]  # slot -> dotted path ("" for internal constants)
    bounds: tuple[tuple[float, float], ...]
    draws: tuple[tuple[int, Distribution], ...]  # uncertain slots, in file order
    # per actor (parties, then the mediator) and issue: slots
    ideal: tuple[tuple[int, ...], ...]
    weight: tuple[tuple[int, ...], ...]
    red_line: tuple[tuple[int, ...], ...]
    status_quo: tuple[int, ...]
    # per party: slots
    power: tuple[int, ...]
    batna: tuple[int, ...]
    war_cost: tuple[int, ...]
    weariness: tuple[int, ...]
    planning: tuple[int, ...]
    optimism: tuple[int, ...]
    belief_sd: tuple[int, ...]
    noise: tuple[int, ...]
    walkout: tuple[int, ...]
    exponent: tuple[int, ...]
    bias: int
    information: int
    # battlefield (issue -1: none)
    field_issue: int
    holder: int
    reference: float
    max_held: float
    held: int
    drift: int
    volatility: int
    shock_rate: int
    shock_mean: int
    shock_sd: int
    # talks
    protocol: str  # a name of sim.model.protocols.PROTOCOLS
    round_days: tuple[float, ...]
    venues: tuple[str, ...]
    every: int
    jitter: int
    start_day: float
    deadline: int
    mediator_exits: bool
    resume: int
    events: tuple[Event, ...]
    levers: tuple[Lever, ...]
    targets: frozenset = field(default_factory=frozenset)  # slots effects may change

    @property
    def actors(self) -> tuple[str, ...]:
        return self.parties + ((self.mediator,) if self.mediator else ())


class _Slots:
    """Collects slots while compiling."""

    def __init__(self, sc: Scenario):
        self.values: list[float] = []
        self.paths: list[str] = []
        self.bounds: list[tuple[float, float]] = []
        self.draws: list[tuple[int, Any]] = []
        self.index: dict[str, int] = {}
        self.targets: set[int] = set()
        for path, name, value, bounds in named_parameters(sc):
            if path[0] in NARROWED:
                bounds = scenario_bounds(sc, path, bounds)
            slot = self._add(value, name, (bounds.lo, bounds.hi))
            if value is not None and is_effect_target(path):
                self.targets.add(slot)

    def _add(self, value: Any, path: str, bounds: tuple[float, float]) -> int:
        slot = len(self.values)
        if type(value) is not float and hasattr(value, "draw"):  # (hasattr fails slowly)
            self.draws.append((slot, value))
            value = NAN
        self.values.append(NAN if value is None else float(value))
        self.paths.append(path)
        self.bounds.append(bounds)
        if path:
            self.index[path] = slot
        return slot

    def at(self, path: str) -> int:
        return self.index[path]

    def const(self, value: float) -> int:
        return self._add(value, "", (-math.inf, math.inf))


def compile_model(sc: Scenario) -> Model:
    """Turn a validated scenario into a Model."""
    s = _Slots(sc)
    issues = tuple(sc.issues)
    parties = tuple(n for n, a in sc.actors.items() if isinstance(a, Party))
    mediator = next((n for n, a in sc.actors.items() if isinstance(a, Mediator)), None)
    actors = parties + ((mediator,) if mediator else ())
    zero, nan = s.const(0.0), s.const(NAN)

    def position(actor: str, issue: str, key: str, missing: int) -> int:
        has = issue in sc.actors[actor].positions
        return s.at(f"actors.{actor}.positions.{issue}.{key}") if has else missing

    lo_slots = {k: s.const(sc.issues[k].range[0]) for k in issues}
    ideal = tuple(tuple(position(a, k, "ideal", lo_slots[k]) for k in issues) for a in actors)
    weight = tuple(tuple(position(a, k, "weight", zero) for k in issues) for a in actors)
    red = tuple(tuple(position(a, k, "red_line", nan) for k in issues) for a in actors)

    def party(key: str) -> tuple[int, ...]:
        return tuple(s.at(f"actors.{a}.{key}") for a in parties)

    def exponent(a: str) -> int:
        c = sc.actors[a].concession
        return s.at(f"actors.{a}.concession.exponent") if not isinstance(c, str) \
            else s.const(PRESETS[c])

    def compiled(effects, where: str) -> tuple[Effect, ...]:
        out = []
        for j, e in enumerate(effects):
            op = next(k for k in OPS if getattr(e, k) is not None)
            target = HELD if e.path == "battlefield.held_km2" else s.at(e.path)
            out.append(Effect(target, OPS[op], s.at(f"{where}.effects.{j}.{op}")))
        return tuple(out)

    med = sc.actors[mediator] if mediator else None
    levers = tuple(
        Lever(lv.name, parties.index(lv.on), s.at(f"actors.{mediator}.levers.{i}.probability"),
              s.at(f"actors.{mediator}.levers.{i}.duration_days"), lv.max_fires,
              compiled(lv.effects, f"actors.{mediator}.levers.{i}"))
        for i, lv in enumerate(med.levers if med else ()))
    events = tuple(
        Event(ev.label or f"event {i}", s.at(f"events.{i}.day"),
              s.at(f"events.{i}.duration_days"), compiled(ev.effects, f"events.{i}"))
        for i, ev in enumerate(sc.events))
    bf = sc.battlefield

    def field_slot(key: str) -> int:
        return s.at(f"battlefield.{key}") if bf else zero

    talks = sc.talks
    return Model(
        name=sc.name, issues=issues,
        lo=tuple(sc.issues[k].range[0] for k in issues),
        hi=tuple(sc.issues[k].range[1] for k in issues),
        step=tuple(sc.issues[k].step or 0.0 for k in issues),
        indivisible=tuple(sc.issues[k].indivisible for k in issues),
        parties=parties, mediator=mediator, horizon=sc.horizon_days,
        ideal=ideal, weight=weight, red_line=red,
        status_quo=tuple(s.at(f"issues.{k}.status_quo") if sc.issues[k].status_quo is not None
                         else lo_slots[k] for k in issues),
        power=party("power"), batna=party("batna"), war_cost=party("war_cost"),
        weariness=party("weariness"), planning=party("planning_days"),
        optimism=party("optimism"), belief_sd=party("belief_sd"), noise=party("noise"),
        walkout=party("walkout"), exponent=tuple(exponent(a) for a in parties),
        bias=s.at(f"actors.{mediator}.mediation.bias") if med else zero,
        information=s.at(f"actors.{mediator}.mediation.information") if med else zero,
        field_issue=issues.index(bf.issue) if bf else -1,
        holder=parties.index(bf.holder) if bf else -1,
        reference=bf.reference_km2 if bf else 1.0,
        max_held=(bf.max_km2 or bf.reference_km2) if bf else 1.0,
        held=field_slot("held_km2"), drift=field_slot("drift"),
        volatility=field_slot("volatility"), shock_rate=field_slot("shocks.per_year"),
        shock_mean=field_slot("shocks.mean_km2"), shock_sd=field_slot("shocks.sd_km2"),
        protocol=talks.protocol,
        round_days=tuple(r.day for r in talks.rounds),
        venues=tuple(r.venue for r in talks.rounds),
        every=s.at("talks.every_days"), jitter=s.at("talks.jitter_days"),
        start_day=talks.start_day, deadline=s.at("talks.deadline_day"),
        mediator_exits=talks.on_deadline == "mediator_exits",
        resume=s.at("talks.resume_after_days"),
        events=events, levers=levers,
        base=tuple(s.values), paths=tuple(s.paths), bounds=tuple(s.bounds),
        draws=tuple(s.draws), targets=frozenset(s.targets),
    )

