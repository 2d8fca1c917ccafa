"""One replication: SimPy processes drive time; a talk round's maths is one compiled call.

The engine decides when things happen and carries out what follows: it moves
the front line, starts and ends the effects of levers and events, and keeps
the records; what happens inside a talk round is computed by the kernels of
``sim.model`` (a protocol's ``play``).
Processes: the talks (one round after another on the schedule), each
scheduled event, the end of each temporary effect, and the horizon. The
front line is not ticked: it is advanced exactly to the moment anything
looks at it. All randomness comes from one generator per replication,
``SeedSequence(seed, spawn_key=(index,))``; the per-round random numbers are
drawn in fixed-size blocks so that the same round of the same replication
uses the same numbers at every point of a sweep (common random numbers).

Without a front line nothing moves between talk rounds, so the talks play
their periodic rounds up to the next scheduled thing (an event, the end of an
effect, the horizon) in one compiled call (``State.play_run``) and the clock
then jumps to the last of them: the records are those of the rounds played
one step at a time (``tests/test_engine_properties.py`` checks it), at a
fraction of the cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from heapq import heappush
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np
import simpy
from simpy.events import NORMAL

from sim.engine.compile import HELD, Model
from sim.engine.records import outcome_columns, round_columns
from sim.engine.warm import kernels_now
from sim.model import front
from sim.model.effects import ActiveEffects, Effect, apply
from sim.model.round import JITTER, normal_columns, periodic_day, uniform_columns
from sim.model.state import DIMS, LAYOUT, TRACE, WORKSPACE

_schedule = getattr(periodic_day, "py_func", periodic_day)  # plain Python: one call a round


class Packed(NamedTuple):
    """A model's layout packed for the kernels (``state.LAYOUT``), the slots its
    preferences read (what ``derive`` must recompute after), and the sizes of its
    workspace (``state.WORKSPACE.dims``)."""

    ints: np.ndarray
    floats: np.ndarray
    preference_slots: frozenset[int]
    sizes: tuple[int, ...]


_packed: dict[int, tuple[Model, Packed]] = {}


def packed(m: Model) -> Packed:
    """The model's layout packed for the kernels (kept per model object: replications reuse
    it)."""
    hit = _packed.get(id(m))
    if hit is None or hit[0] is not m:
        if len(_packed) >= 64:
            _packed.clear()
        split = [k for k, indivisible in enumerate(m.indivisible) if indivisible]
        dims = dict(zip(DIMS, (len(m.parties), len(m.ideal), len(m.issues), len(split),
                               len(m.levers)), strict=True))
        ints, floats = LAYOUT.pack(m, dims, split=split, stepped=any(m.step),
                                   lever_target=[lv.target for lv in m.levers],
                                   lever_probability=[lv.probability for lv in m.levers],
                                   lever_max_fires=[min(lv.max_fires, 2 ** 62)
                                                    for lv in m.levers])
        reads = frozenset(chain(*m.ideal, *m.weight, *m.red_line))
        sizes = tuple(dims[d] for d in WORKSPACE.dims)
        hit = _packed[id(m)] = (m, Packed(ints, floats, reads, sizes))
    return hit[1]


@dataclass(frozen=True)
class Record:
    """What one replication returns: its outcome row and its round rows (plain tuples)."""

    outcome: tuple
    rounds: list[tuple]


def generator(seed: int, index: int) -> np.random.Generator:
    """The one random generator of replication ``index`` of a study with root ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))


class State:
    """The state of one replication and what follows from each round; SimPy calls into it."""

    def __init__(self, model: Model, index: int, seed: int, keep_rounds: bool = True):
        m = self.m = model
        self.index = index
        self.rng = generator(seed, index)
        v = self.v = list(m.base)
        for slot, dist in m.draws:  # uncertain inputs: drawn once, in file order
            v[slot] = dist.draw(self.rng)
        self.drawn = tuple(v[slot] for slot, _ in m.draws)
        self.effects = ActiveEffects(tuple(v), m.bounds)
        self.k = kernels_now(m.protocol)  # compiled, or their Python twins until they are
        self.ints, self.floats, self.preference_slots, sizes = packed(m)
        self.n_parties = p = len(m.parties)
        self.work = WORKSPACE.allocate(sizes)  # the kernels' state and results
        self.ws = WORKSPACE.views(self.work, *sizes)  # named views of it
        # a round's numbers per party, for the record: rows nodeal, level, utility, accepts
        self._numbers = WORKSPACE.span(self.work, sizes, "nodeal", "accepts")
        self.va = np.array(v)  # the same values as an array, for the kernels
        self._derive()
        self.round_no = 0
        self._draw_block()
        self.keep_rounds = keep_rounds
        self.rounds: list[tuple] = []
        self._authors = m.parties + (m.mediator or "",)  # who put the table's deal (-1: mediator)
        self.pending_levers: list[int] = []
        self.last_deal: list[float] | None = None
        self.fired: list[str] = []
        self.blocker = self.sticking = ""
        # the front line and each party's belief (mean, variance) about its drift
        self.has_front = m.field_issue >= 0
        self.y = v[m.held] if self.has_front else 0.0
        self.t_front = 0.0
        sign = [1.0 if a == m.holder else -1.0 for a in range(p)]
        self.ws.belief_mean[:] = [v[m.drift] + sign[a] * v[m.optimism[a]] for a in range(p)]
        self.ws.belief_var[:] = [v[m.belief_sd[a]] ** 2 for a in range(p)]
        self.ws.seen_held[0] = self.y  # the parties last looked at the front on day 0
        # without a front line nothing moves between rounds: runs of them go in one call
        self.runs = not self.has_front

    # --- parameters and effects ----------------------------------------------------------

    def _derive(self, slots: list[int] | None = None) -> None:
        """Recompute what depends on parameters after ``slots`` changed (None: all): the
        values as an array for the kernels, the actors' preferences and the deals within
        every red line (if they read a changed slot), the deadline."""
        m, v, va = self.m, self.v, self.va
        for slot in slots or ():
            va[slot] = v[slot]
        if slots is None or not self.preference_slots.isdisjoint(slots):
            self.k.derive(va, self.work, self.ints, self.floats)
        self.deadline = v[m.deadline] if not math.isnan(v[m.deadline]) else m.horizon

    def begin(self, effects: tuple[Effect, ...]) -> int:
        """Effects start now; the front line moves instantly, parameters change."""
        params = tuple(e for e in effects if e.slot != HELD)
        for e in effects:
            if e.slot == HELD:
                self.y = min(max(apply(e.op, self.y, self.v[e.value]), 0.0), self.m.max_held)
        token = self.effects.begin(params, self.v)
        self._derive([e.slot for e in params])
        return token

    def end(self, token: int) -> None:
        self._derive(self.effects.end(token, self.v))

    # --- random numbers ------------------------------------------------------------------

    def _draw_block(self) -> None:
        """Normals (mediator information, decision noise) and uniforms (levers, walkouts,
        jitter) for a block of rounds."""
        m = self.m
        rows = len(m.round_days) + 2
        every = self.v[m.every]
        if not math.isnan(every):
            rows += int(m.horizon / every) + 1
        rows = min(rows, 512)
        p = self.n_parties
        self.normals = self.rng.standard_normal((rows, normal_columns(p)))
        self.uniforms = self.rng.random((rows, uniform_columns(p, len(m.levers))))
        self._rows = rows
        self._base_row = self.round_no
        if m.field_issue < 0:  # runs of rounds (``play_run``) fill a row each of a trace
            sizes = (rows, p, len(m.issues))
            self.trace = TRACE.allocate(sizes)
            self._trace = TRACE.views(self.trace, *sizes)  # its named views, for ``_replay``

    def row(self) -> int:
        """This round's row of the blocks (drawing the next block when they are used up)."""
        i = self.round_no - self._base_row
        if i >= self._rows:
            self._draw_block()
            i = 0
        return i

    # --- the front line --------------------------------------------------------------------

    def observe(self, day: float) -> bool:
        """Advance the front to ``day``; True if the holder has lost the region."""
        if not self.has_front:
            return False
        m, v = self.m, self.v
        self.y = front.step(self.y, day - self.t_front, v[m.drift], v[m.volatility],
                            v[m.shock_rate], v[m.shock_mean], v[m.shock_sd], m.max_held, self.rng)
        self.t_front = day
        return self.y <= 0.0

    def no_deal_terms(self) -> list[float]:
        """What there is without a deal now: the status quo, the front line where it is."""
        m = self.m
        x = [self.v[s] for s in m.status_quo]
        if self.has_front:
            k = m.field_issue
            x[k] = self.k.field_value(self.y, m.lo[k], m.hi[k], m.reference)
        return x

    # --- a talk round ----------------------------------------------------------------------

    def play(self, day: float, venue: str) -> str | None:
        """One round at ``day``. Returns "agreement", "walkout" or None (talks go on)."""
        m = self.m
        i = self.row()
        self.round_no += 1
        noise_var = self.v[m.volatility] ** 2  # of the front, per day
        result = self.k.play(day, self.deadline, (self.round_no - 1) % self.n_parties, self.y,
                             noise_var, i, self.normals, self.uniforms, self.va, self.work,
                             self.ints, self.floats)
        return self._conclude(day, venue, *result)

    def play_run(self, now: float, anchor: float, n: int, until: float) -> int:
        """Play the periodic rounds (``every_days`` set) after round ``n`` of the schedule
        anchored at ``anchor`` in one compiled call (``round.rounds_in_a_row``), the clock at
        ``now``, up to ``until`` (the next thing scheduled). Only for runs without a front
        line: then nothing moves between rounds. Returns how many rounds it played; the
        last one's day and result are ``self.day`` and ``self.result``."""
        m, v = self.m, self.v
        k = self.k.play_run(float(now), float(anchor), n,  # floats: one signature
                            v[m.every], v[m.jitter], self.deadline, m.mediator_exits,
                            m.horizon, float(until), self.round_no,
                            self.round_no - self._base_row, self.y, v[m.volatility] ** 2,
                            self.normals, self.uniforms, self.va, self.work, self.ints,
                            self.floats, self.trace)
        if k:
            self._replay(self._trace, k)
        return k

    def _replay(self, t, k: int) -> None:
        """Keep the rows of a run's ``k`` rounds from its trace ``t`` (``state.TRACE``): the
        rounds before the last, which changed nothing but the table, from the trace's
        columns; the last one, whose state the workspace still holds, concludes as a round
        played alone."""
        m, first, j = self.m, self.round_no + 1, k - 1
        self.round_no += j
        if j:
            names = m.parties + ("",), m.issues + ("",)  # index -1: nobody, no issue
            blockers = list(map(names[0].__getitem__, map(int, t.blocker[:j].tolist())))
            sticking = list(map(names[1].__getitem__, map(int, t.sticking[:j].tolist())))
            for i in range(j - 1, -1, -1):
                if blockers[i]:
                    self.blocker, self.sticking = blockers[i], sticking[i]
                    break
            if self.keep_rounds:
                self._keep_run(first, t, j, blockers, sticking)
        day, agreed, blocker, sticking, fired, walked = (
            float(c[j]) for c in (t.day, t.agreed, t.blocker, t.sticking, t.fired, t.walked))
        self.round_no += 1
        self.day = day
        self.pending_levers = []
        self.result = self._conclude(day, "", agreed > 0, int(blocker), int(sticking),
                                     int(fired), int(walked))

    def _keep_run(self, first: int, t, k: int, blockers: list[str],
                  sticking: list[str]) -> None:
        """The rows of rounds ``first``, ``first + 1``, ... of a run (no front line; no lever
        fired, nobody walked out) from the first ``k`` rows of its trace ``t``, as ``_keep``
        makes them."""
        m = self.m
        who = map(self._authors.__getitem__, map(int, t.author[:k].tolist()))
        columns = [t.utility[:k].T.tolist(), t.level[:k].T.tolist(), t.nodeal[:k].T.tolist(),
                   [map((0.0).__lt__, accepts) for accepts in t.accepts[:k].T.tolist()]]
        per_party = [column[a] for a in range(len(m.parties)) for column in columns]
        self.rounds += zip(repeat(self.index, k), range(first, first + k), t.day[:k].tolist(),
                           repeat("", k), who, *t.table[:k].T.tolist(), *per_party,
                           blockers, sticking, repeat("", k), repeat("", k), strict=True)

    def _conclude(self, day: float, venue: str, agreed: bool, blocker: int, sticking: int,
                  fired: int, walked: int) -> str | None:
        """What follows from a round's result (a protocol's ``play``)."""
        if agreed:
            self.last_deal = self._on_table()
            self._record(day, venue)
            return "agreement"
        if blocker < 0:  # alternating: the offer stands, others still to answer
            self._record(day, venue)
            return None
        return self._reject(day, venue, blocker, sticking, fired, walked)

    def _on_table(self) -> list[float]:
        """The deal on the table: this round's text, or the offer standing."""
        return self.ws.table.tolist()

    def _reject(self, day: float, venue: str, blocker: int, sticking: int, fired: int,
                walked: int) -> str | None:
        """Name the blocker and the sticking issue; the levers that fired (how many:
        ``fired``) start after the round; a walkout (how many parties: ``walked``) clears the
        table."""
        m = self.m
        self.blocker, self.sticking = m.parties[blocker], m.issues[sticking]
        names = []
        if fired:
            self.pending_levers = [i for i, f in enumerate(self.ws.fired.tolist()) if f]
            names = [m.levers[i].name for i in self.pending_levers]
            for name in names:
                if name not in self.fired:
                    self.fired.append(name)
        self._record(day, venue, self.blocker, self.sticking, names, walked)
        if walked:
            self.ws.table_set[0] = 0.0  # talks resume from scratch: no offer on the table
            return "walkout"
        return None

    def _record(self, day: float, venue: str, blocker: str = "", sticking: str = "",
                fired: list[str] = (), walked: int = 0) -> None:
        """Keep the round's row from the workspace (when the study keeps rounds); ``walked``:
        how many parties walked out (which: the workspace's ``walks``)."""
        if not self.keep_rounds:
            return
        ws = self.ws
        d, level, u, accepts = self._numbers.tolist()
        per_party = []
        for a in range(self.n_parties):
            per_party += [u[a], level[a], d[a], accepts[a] > 0]
        walkouts = [name for name, w in zip(self.m.parties, ws.walks.tolist(), strict=True)
                    if w] if walked else []
        self._keep(day, venue, int(ws.author[0]), self._on_table(), per_party, blocker,
                   sticking, fired, walkouts)

    def _keep(self, day: float, venue: str, author: int, table: list[float],
              per_party: list, blocker: str, sticking: str, fired, walkouts) -> None:
        """Append a round's row (the columns of ``records.round_columns``)."""
        who = self._authors[author]
        held = (self.y,) if self.has_front else ()
        self.rounds.append((self.index, self.round_no, day, venue, who, *table, *per_party,
                            *held, blocker, sticking, ";".join(fired), ";".join(walkouts)))

    # --- the end -----------------------------------------------------------------------------

    def outcome(self, outcome: str, day: float, deal: list[float] | None) -> tuple:
        m = self.m
        terms = deal if deal is not None else self.no_deal_terms()
        utilities = self.k.utilities(self.ws.g, self.ws.ideal, np.array(terms)).tolist()
        held = (self.y,) if self.has_front else ()
        agreed = outcome == "agreement"
        return (self.index, outcome, day, self.round_no,
                *(deal if agreed else [None] * len(m.issues)), *utilities, *held,
                "" if agreed else self.blocker, "" if agreed else self.sticking,
                ";".join(self.fired), *self.drawn)


# --- SimPy processes -----------------------------------------------------------------------

class Clock(simpy.Environment):
    """SimPy's environment and an event at a given time: where a run of rounds left the
    clock (``State.play_run``), which a timeout cannot always reach (``now + (day - now)``
    can round away from ``day``)."""

    def at(self, day: float) -> simpy.Event:
        event = simpy.Event(self)
        event._ok, event._value = True, None  # triggered, as SimPy's Timeout is
        heappush(self._queue, (day, NORMAL, next(self._eid), event))  # Environment.schedule
        return event


def _talks(env: Clock, rep: State, finish: simpy.Event):
    m, v = rep.m, rep.v
    explicit = list(zip(m.round_days, m.venues, strict=True))
    i, anchor, n = 0, 0.0, -1  # explicit rounds first, then anchor + n * every_days
    pace = v[m.every]  # the every_days that n counts in
    resume_at = None
    while True:
        played = 0
        if not math.isnan(v[m.every]) and v[m.every] != pace:
            if n > 0:  # an effect changed the pace: count on from the last round's day
                anchor, n = anchor + n * pace, 0
            pace = v[m.every]
        if resume_at is not None:
            day, venue = resume_at, ""
            anchor, n, resume_at = resume_at, 0, None
            while i < len(explicit) and explicit[i][0] < day:
                i += 1
        elif i < len(explicit):
            day, venue = explicit[i]
            anchor, n = day, 0
            i += 1
        elif math.isnan(v[m.every]) and (explicit or n >= 0):
            if m.mediator_exits:  # no round left: the mediator still leaves at the deadline
                yield from _leave(env, rep, finish)
            return
        elif rep.runs and not math.isnan(v[m.every]) and \
                (played := rep.play_run(env.now, anchor, n, env.peek())):
            n += played  # rounds up to the next scheduled thing, played: the clock catches up
            yield env.at(rep.day)
            now, result = env.now, rep.result
        else:
            n += 1
            u = float(rep.uniforms[rep.row(), JITTER]) if n > 0 else 0.0  # row(): may draw a block
            every = 0.0 if math.isnan(v[m.every]) else v[m.every]
            day, venue = _schedule(anchor, n, every, v[m.jitter], u, env.now), ""
        if not played:
            done = yield from _round(env, rep, finish, day, venue)
            if done is None:
                return
            now, result = done
        if result == "agreement":
            _end(rep, finish, "agreement", now, rep.last_deal)
            return
        for lever in rep.pending_levers:
            _start(env, rep, finish, m.levers[lever].effects, v[m.levers[lever].duration],
                   lever)
        if finish.triggered:  # a lever took the last of the region
            return
        if result == "walkout":
            if math.isnan(v[m.resume]):
                _end(rep, finish, "breakdown", now)
                return
            resume_at = now + v[m.resume]


def _round(env: Clock, rep: State, finish: simpy.Event, day: float, venue: str):
    """Wait for the round on ``day`` and play it; returns (now, its result), or None when
    the talks are over first (the mediator left at the deadline, the horizon came, the run
    ended, the front fell)."""
    m = rep.m
    if m.mediator_exits and day > rep.deadline:
        yield from _leave(env, rep, finish)
        return None
    if day >= m.horizon:
        return None
    yield env.timeout(day - env.now)
    if finish.triggered:
        return None
    now = env.now
    if rep.observe(now):
        _end(rep, finish, "military", now)
        return None
    rep.pending_levers = []
    return now, rep.play(now, venue)


def _leave(env: Clock, rep: State, finish: simpy.Event):
    """``on_deadline: mediator_exits``: the talks break down at the deadline (if it comes
    before the horizon)."""
    if rep.deadline < rep.m.horizon:
        yield env.timeout(max(rep.deadline - env.now, 0.0))
        _end(rep, finish, "breakdown", env.now)


def _start(env: simpy.Environment, rep: State, finish: simpy.Event, effects, duration: float,
           lever: int = -1) -> None:
    """Effects start now; a process ends them after ``duration`` days. An effect that takes
    the last of the region ends the run (``military``)."""
    token = rep.begin(effects)
    if rep.has_front and rep.y <= 0:
        _end(rep, finish, "military", env.now)
    if not math.isnan(duration):
        env.process(_expire(env, rep, finish, token, duration, lever))
    elif lever >= 0:
        rep.ws.active[lever] = 1.0  # permanent: it stays in force


def _expire(env, rep: State, finish: simpy.Event, token: int, duration: float, lever: int):
    yield env.timeout(duration)
    if finish.triggered:
        return
    if rep.observe(env.now):  # the front moved under the old parameters until now
        _end(rep, finish, "military", env.now)
        return
    rep.end(token)
    if lever >= 0:
        rep.ws.active[lever] = 0.0


def _event(env: simpy.Environment, rep: State, finish: simpy.Event, event):
    day = rep.v[event.day]
    if day >= rep.m.horizon:
        return
    yield env.timeout(day)
    if finish.triggered:
        return
    if rep.observe(env.now):
        _end(rep, finish, "military", env.now)
        return
    _start(env, rep, finish, event.effects, rep.v[event.duration])


def _horizon(env: simpy.Environment, rep: State, finish: simpy.Event):
    yield env.timeout(rep.m.horizon)
    if not finish.triggered:
        lost = rep.observe(env.now)
        _end(rep, finish, "military" if lost else "no_deal", env.now)


def _end(rep: State, finish: simpy.Event, outcome: str, day: float,
         deal: list[float] | None = None) -> None:
    """The run ends: record the outcome row once."""
    if not finish.triggered:
        rep.observe(day)
        finish.succeed(rep.outcome(outcome, day, deal))


def run_replication(model: Model, index: int, seed: int, keep_rounds: bool = True) -> Record:
    """Play replication ``index`` of a study with root ``seed``; return its records."""
    rep = State(model, index, seed, keep_rounds)
    env = Clock()
    finish = env.event()
    env.process(_horizon(env, rep, finish))  # first: the talks then see it as what comes next
    env.process(_talks(env, rep, finish))
    for event in model.events:
        env.process(_event(env, rep, finish, event))
    env.run(until=finish)
    return Record(finish.value, rep.rounds)


__all__ = ["Record", "Replication", "generator", "replicate", "run_replication"]


@dataclass(frozen=True)
class Replication:
    """One replication's records as dictionaries keyed by column name (for people and tests)."""

    outcome: dict
    rounds: list[dict]


def replicate(scenario, index: int = 0, seed: int | None = None) -> Replication:
    """Run replication ``index`` of ``scenario`` (a Scenario or a compiled Model) with root
    ``seed`` (the scenario's own seed by default)."""
    from sim.engine.compile import compile_model

    model = scenario if isinstance(scenario, Model) else compile_model(scenario)
    if seed is None:
        seed = getattr(scenario, "seed", 0)
    record = run_replication(model, index, seed)
    outcome = dict(zip(outcome_columns(model), record.outcome, strict=True))
    columns = round_columns(model)
    return Replication(outcome, [dict(zip(columns, row, strict=True)) for row in record.rounds])
