"""What every talk round does, whatever the protocol: look, value no deal, answer, press.

Compiled steps on the declared state (``sim.model.state``): ``L``, the model's
layout, and ``w``, the replication's workspace. In a round each party looks at
the front and updates its belief about the drift, values no deal and sets its
aspiration (``look``); a protocol (``sim.model.protocols``) puts a deal on the
table; every party answers it (``answer``); after a rejection the blocker and
the sticking issue are named, the mediator's levers may fire and parties may
walk out (``pressure``). ``rounds_in_a_row`` plays a protocol's rounds one after
another in one call where nothing else can happen between them, on the
schedule that ``periodic_day`` writes once for the engine and the kernels.

Random numbers come in blocks, one row per round (the engine draws them):
``normals`` holds the mediator's information noise, then each party's decision
noise; ``uniforms`` each lever's draw, each party's walkout draw, then the
round's jitter.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model import front, solver
from sim.model.jit import inline, jit
from sim.model.preferences import aspiration, no_deal_value, prefs, progress, utility, violated
from sim.model.state import layout, trace, workspace

ACCEPT_TOL = 1e-12  # a deal exactly at the aspiration is accepted despite rounding


def normal_columns(parties: int) -> int:
    """Columns of a round's row of standard normals."""
    return 2 * parties


def uniform_columns(parties: int, levers: int) -> int:
    """Columns of a round's row of uniforms (the last, ``JITTER``: the round's day's)."""
    return levers + parties + 1


JITTER = -1  # the column of the uniforms that moves a round's day


@inline
def unpack(work, ints, floats):
    """The layout ``L`` of a model packed as ``ints``, ``floats`` and the views ``w`` of a
    replication's workspace ``work``."""
    L = layout(ints, floats)
    return L, workspace(work, L.parties, L.actors, L.issues, L.levers)


@jit
def common_box(i_lo, i_hi, LO, HI):
    """Deals inside every party's red lines (rows of ``LO``, ``HI``), issue by issue; where
    they cannot all be met, the whole range (the proposal will then be rejected on that
    issue)."""
    lo, hi = i_lo.copy(), i_hi.copy()
    for k in range(lo.shape[0]):
        a, b = lo[k], hi[k]
        for j in range(LO.shape[0]):
            a, b = solver._max(a, LO[j, k]), solver._min(b, HI[j, k])
        if a <= b:
            lo[k], hi[k] = a, b
    return lo, hi


@jit
def derive(va, work, ints, floats):
    """Every actor's preferences from the parameter values ``va`` (g, ideal, red-line box;
    one row per actor), and the box of deals within every party's red lines
    (``common_box``)."""
    L, w = unpack(work, ints, floats)
    for a in range(L.actors):
        p_a = va[L.ideal[a]]
        g, lo, hi = prefs(p_a, va[L.weight[a]], va[L.red_line[a]], L.lo, L.hi)
        w.g[a], w.ideal[a], w.red_lo[a], w.red_hi[a] = g, p_a, lo, hi
    p = L.parties
    box_lo, box_hi = common_box(L.lo, L.hi, w.red_lo[:p], w.red_hi[:p])
    w.box_lo[:], w.box_hi[:] = box_lo, box_hi


@inline
def within(v, lo, hi):
    """``min(max(v, lo), hi)`` as Python computes it (``solver._max``, ``solver._min``)."""
    v = lo if lo > v else v
    return hi if hi < v else v


@inline
def field_value(held, lo, hi, reference):
    """Value of the battlefield issue (range ``lo``..``hi``) if the holder held ``held`` km2
    of the ``reference`` area."""
    share = within(front.share_lost(held, reference), 0.0, 1.0)
    return lo + (hi - lo) * share


@jit
def utilities(g, ideal, x):
    """Every actor's utility of deal ``x`` (rows of ``g``, ``ideal``: the actors)."""
    out = np.empty(g.shape[0])
    for a in range(g.shape[0]):
        out[a] = utility(g[a], ideal[a], x)
    return out


@inline
def look(day, deadline, y, noise_var, va, L, w):
    """Each party's d(t) (fixed batna, or its projected no-deal outcome less war costs) and
    aspiration (``w.nodeal``, ``w.level``), after it looks at the front (last seen at
    ``w.seen_*``) and updates its belief (mean, variance) about the drift.

    Every helper it calls is inlined: an inlined function that takes the tuples ``L`` and
    ``w`` counts a reference to each of their arrays in and out around any call that is
    not (about 0.4 us a round), and numba cannot remove those counts across a call."""
    field = L.field_issue
    if field >= 0:
        dt, dy = day - w.seen_day[0], y - w.seen_held[0]
        for a in range(L.parties):
            w.belief_mean[a], w.belief_var[a] = front.update_belief(
                w.belief_mean[a], w.belief_var[a], dy, dt, noise_var)
        w.seen_day[0], w.seen_held[0] = day, y
    x = va[L.status_quo]
    tau = progress(day, L.start_day, deadline)
    for a in range(L.parties):
        d = va[L.batna[a]]
        if math.isnan(d):
            planning = va[L.planning[a]]
            if field >= 0:
                projected = within(y + w.belief_mean[a] * planning, 0.0, L.max_held)
                x[field] = field_value(projected, L.lo[field], L.hi[field], L.reference)
            d = no_deal_value(utility(w.g[a], w.ideal[a], x), va[L.war_cost[a]],
                              va[L.weariness[a]], planning, day)
        w.nodeal[a] = d
        w.level[a] = aspiration(d, tau, va[L.exponent[a]])


@inline
def answer(g, ideal, red_lo, red_hi, x, level, noise, shock):
    """An actor's answer to deal ``x`` (its preferences ``g``, ``ideal`` and red-line box):
    its utility, its shortfall from what it wants, the red line crossed (-1: none), and
    whether it accepts: iff x respects its red lines and ``u >= A + noise * shock``.

    (The helpers here take arrays, not the workspace: an inlined call that takes the
    workspace's tuple counts a reference to each of its arrays in and out.)"""
    u, red = utility(g, ideal, x), violated(red_lo, red_hi, x)
    wanted = level + noise * shock
    return u, wanted - u, red, red < 0 and u >= wanted - ACCEPT_TOL


@inline
def blocker(rejects, shortfall):
    """The rejecting party furthest from what it wants (the first of equals), or -1."""
    who = -1
    for a in range(rejects.shape[0]):
        if rejects[a] and (who < 0 or shortfall[a] > shortfall[who]):
            who = a
    return who


@inline
def sticking(g, ideal, x, red):
    """A crossed red line, else the issue with the largest weighted shortfall from the ideal
    (``g``, ``ideal``: the party's; the first of equals)."""
    if red >= 0:
        return red
    best, where = -1.0, 0
    for k in range(x.shape[0]):
        loss = g[k] * abs(x[k] - ideal[k])
        if k == 0 or loss > best:
            best, where = loss, k
    return where


@inline
def pressure(va, uniforms, row, L, w):
    """After a rejection: each lever not in force that is aimed at a rejecting party fires
    (at most its ``max_fires`` times) with its probability, the mediator's credibility
    (``w.fired``); each rejecting party walks out with its probability (``w.walks``).
    ``uniforms[row]``: the round's uniforms. Returns how many levers fired and how many
    parties walked out."""
    n_levers = L.levers
    fired = walked = 0
    for i in range(n_levers):
        w.fired[i] = 0.0
        if w.rejects[L.lever_target[i]] and w.active[i] == 0.0 and \
                w.fires[i] < L.lever_max_fires[i] and \
                uniforms[row, i] < va[L.lever_probability[i]]:
            w.fires[i] += 1.0
            w.active[i] = w.fired[i] = 1.0
            fired += 1
    for a in range(L.parties):
        w.walks[a] = w.rejects[a] and uniforms[row, n_levers + a] < va[L.walkout[a]]
        walked += w.walks[a] > 0
    return fired, walked


@inline
def periodic_day(anchor, n, every, jitter, u, now):
    """Round ``n`` of the schedule anchored at ``anchor`` (every ``every`` days, moved by up
    to ``jitter`` days by the uniform ``u`` after the anchor), not before ``now``. The
    engine calls the Python source (``periodic_day.py_func``), ``rounds_in_a_row`` the
    compiled one: one schedule."""
    wobble = jitter * (2.0 * u - 1.0) if n > 0 else 0.0
    day = anchor + n * every + wobble
    return now if now > day else day  # Python's max(day, now)


@inline
def rounds_in_a_row(play_round, prepare, now, anchor, n, every, jitter, deadline, exits,
                    horizon, until, round_no, row, y, noise_var, normals, uniforms, va, L, w,
                    trace_buf):
    """The periodic rounds after round ``n`` of the schedule anchored at ``anchor`` (the
    engine's talks), played by ``play_round`` one after another while nothing else can
    happen between them (the engine has checked: no front line moves).

    The clock starts at ``now`` and moves as SimPy's does. It stops after a round
    that sets something in motion (an agreement, a lever fired, a walkout) and before a
    round it must not play: at or after ``until`` (the next thing the engine has
    scheduled), after the deadline when the mediator then leaves, at or after the horizon,
    or beyond the rows of random numbers drawn (``row``: the first round's row). Round
    ``k`` fills row ``k`` of the trace; the workspace holds the last round's state. Each
    proposer's ``prepare`` is computed once: nothing changes it during a run. Returns how
    many rounds it played.
    """
    spaces = [prepare(0, va, L, w)]  # (a list comprehension here would lose t's writes:
    for a in range(1, L.parties):     # numba inlines it as a closure)
        spaces.append(prepare(a, va, L, w))
    t = trace(trace_buf, normals.shape[0], L.parties, L.issues)
    k = 0
    while row + k < normals.shape[0]:
        m = n + k + 1
        day = periodic_day(anchor, m, every, jitter, uniforms[row + k, uniforms.shape[1] - 1],
                           now)
        if (exits and day > deadline) or day >= horizon or now + (day - now) >= until:
            break
        now = now + (day - now)  # as SimPy's clock moves: the day of a round played alone
        turn = (round_no + k) % L.parties
        agreed, who, issue, fired, walked = play_round(
            now, deadline, turn, y, noise_var, row + k, normals, uniforms, va, L, w,
            spaces[turn])
        t.day[k], t.agreed[k], t.blocker[k], t.sticking[k] = now, agreed, who, issue
        t.fired[k], t.walked[k], t.author[k] = fired, walked, w.author[0]
        t.table[k] = w.table
        t.utility[k], t.level[k], t.nodeal[k], t.accepts[k] = w.utility, w.level, w.nodeal, \
            w.accepts
        k += 1
        if agreed or fired or walked:
            break
    return k
