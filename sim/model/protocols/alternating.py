"""Stacked alternating offers: the party whose turn it is accepts the offer on the table, or
rejects it and puts its own, at its aspiration and best for the others.

An offer walks from the others' best deal toward the proposer's ideal,
conceding first the issues the others value least per unit (``solver.walk``),
until the proposer's utility reaches its aspiration; it stays inside the
proposer's red lines and the others' where they are compatible with them.
"""

from __future__ import annotations

import numpy as np

from sim.model import grid, solver
from sim.model.jit import inline, jit
from sim.model.preferences import utility
from sim.model.round import (
    ACCEPT_TOL,
    answer,
    look,
    pressure,
    rounds_in_a_row,
    sticking,
    unpack,
)


@inline
def offer_space(proposer, power, G, P, LO, HI, i_lo, i_hi, box_lo, box_hi):
    """What the proposer's offers depend on besides its aspiration: the others as weighted
    terms, the box shared with them (``round.common_box``), its own box, and whether the
    two are the same. The proposer never crosses its own red lines."""
    others = np.empty(power.shape[0] - 1, np.int64)
    for j in range(others.shape[0]):
        others[j] = j if j < proposer else j + 1
    own_lo, own_hi = i_lo.copy(), i_hi.copy()
    for k in range(i_lo.shape[0]):
        own_lo[k] = solver._max(i_lo[k], LO[proposer, k])
        own_hi[k] = solver._min(i_hi[k], HI[proposer, k])
    shared_lo, shared_hi = box_lo.copy(), box_hi.copy()
    same = True
    for k in range(i_lo.shape[0]):
        if shared_lo[k] < own_lo[k] or shared_hi[k] > own_hi[k]:
            shared_lo[k], shared_hi[k] = own_lo[k], own_hi[k]
        same = same and shared_lo[k] == own_lo[k] and shared_hi[k] == own_hi[k]
    return (power[others], G[others], P[others], shared_lo, shared_hi, own_lo, own_hi,
            same)


@inline
def offer(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
          shared_lo, shared_hi, own_lo, own_hi, same):
    """The deal at the proposer's aspiration ``level`` that is best for the others (one
    issue: the value whose utility equals the aspiration); inside the others' red lines
    too unless that costs the proposer its level. ``w`` .. ``same``: ``offer_space``."""
    x = _walk(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
              shared_lo, shared_hi)
    if utility(g, p, x) < level - 1e-12 and not same:  # the others' red lines cost too much
        x = _walk(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
                  own_lo, own_hi)
    return x


@inline
def _walk(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P, lo, hi):
    """The walk from the others' best deal to the proposer's aspiration, inside [lo, hi];
    on the grid, the neighbour that still gives the proposer its level and is best for the
    others (or, if none does, the one best for the proposer)."""
    ones = np.ones(w.shape[0])
    x = solver.walk(1.0, g, p, w, ones, G, P, lo, hi, solver.STOP_LEVEL, level)
    if not discrete:
        return x
    candidates = grid.neighbours(x, i_lo, i_hi, step, indivisible, lo, hi)
    pick, best_ok, best = 0, False, 0.0
    for i in range(candidates.shape[0]):
        y = candidates[i]
        mine = utility(g, p, y)
        ok = mine >= level - 1e-12
        score = mine
        if ok:
            score = 0.0
            for j in range(w.shape[0]):
                score += w[j] * solver.value(1.0, G[j], P[j], y)
        if i == 0 or grid.better(ok, score, best_ok, best):
            pick, best_ok, best = i, ok, score
    return candidates[pick].copy()


# --- the round -------------------------------------------------------------------------

@inline
def prepare(turn, va, L, w):
    """``offer_space`` of party ``turn`` (the same in every round until an effect changes a
    preference)."""
    p = L.parties
    return offer_space(turn, va[L.power], w.g[:p], w.ideal[:p], w.red_lo[:p], w.red_hi[:p],
                       L.lo, L.hi, w.box_lo, w.box_hi)


@inline
def play_round(day, deadline, turn, y, noise_var, row, normals, uniforms, va, L, w, space):
    """A round in which party ``turn`` answers the offer on the table and, if it rejects it
    (or there is none), puts its own (``offer``; ``space``: its ``prepare``).

    The offer (``w.table``), whether there is one and its author, and who has
    accepted it carry over between rounds in the workspace ``w``; an earlier
    acceptance stands while the offer respects that party's red lines and gives
    it at least its no-deal value now. Fills the parties' numbers and returns what
    ``mediated.play_round`` returns.
    """
    look(day, deadline, y, noise_var, va, L, w)
    p, table, accepted = L.parties, w.table, w.accepted
    level = w.level[turn]
    on_table = w.table_set[0] != 0.0
    judged, rejected, judged_short, judged_red = False, table.copy(), 0.0, -1.0
    if on_table:
        w.utility[turn], w.shortfall[turn], w.red[turn], w.accepts[turn] = answer(
            w.g[turn], w.ideal[turn], w.red_lo[turn], w.red_hi[turn], table, level,
            va[L.noise[turn]], normals[row, p + turn])
        if w.accepts[turn]:
            accepted[turn] = 1.0
        else:
            judged, judged_short, judged_red = True, w.shortfall[turn], w.red[turn]
    if not on_table or judged:
        weights, G, P, shared_lo, shared_hi, own_lo, own_hi, same = space
        table[:] = offer(
            L.lo, L.hi, L.step, L.indivisible, L.stepped or L.split.shape[0] > 0,
            w.g[turn], w.ideal[turn], level, weights, G, P, shared_lo, shared_hi, own_lo,
            own_hi, same)
        w.utility[turn], w.shortfall[turn], w.red[turn], w.accepts[turn] = answer(
            w.g[turn], w.ideal[turn], w.red_lo[turn], w.red_hi[turn], table, level,
            va[L.noise[turn]], 0.0)  # would it take it?
        w.table_set[0], w.author[0] = 1.0, turn
        accepted[:] = 0.0
        accepted[turn] = w.accepts[turn]
    agreed = True
    for a in range(p):
        w.utility[a], w.shortfall[a], w.red[a], w.accepts[a] = answer(
            w.g[a], w.ideal[a], w.red_lo[a], w.red_hi[a], table, w.level[a], va[L.noise[a]],
            0.0)
        if a != turn and (w.red[a] >= 0 or w.utility[a] < w.nodeal[a] - ACCEPT_TOL):
            accepted[a] = 0.0  # an acceptance lapses once the offer crosses a red line or
            # falls below no deal (an effect moved one, or the war changed d)
        w.accepts[a], w.rejects[a] = accepted[a], judged and a == turn
        agreed = agreed and accepted[a] > 0
    if not judged:
        return agreed, -1, -1, 0, 0
    # what the rejecting party disliked is the offer it turned down
    w.shortfall[turn], w.red[turn] = judged_short, judged_red
    fired, walked = pressure(va, uniforms, row, L, w)
    return agreed, turn, sticking(w.g[turn], w.ideal[turn], rejected, int(judged_red)), \
        fired, walked


@jit
def play(day, deadline, turn, y, noise_var, row, normals, uniforms, va, work, ints, floats):
    """``play_round`` on the workspace ``work`` of a model packed as ``ints``, ``floats``."""
    L, w = unpack(work, ints, floats)
    return play_round(day, deadline, turn, y, noise_var, row, normals, uniforms, va, L, w,
                      prepare(turn, va, L, w))


@jit
def play_run(now, anchor, n, every, jitter, deadline, exits, horizon, until, round_no, row, y,
             noise_var, normals, uniforms, va, work, ints, floats, trace_buf):
    """``round.rounds_in_a_row`` of ``play_round``."""
    L, w = unpack(work, ints, floats)
    return rounds_in_a_row(play_round, prepare, now, anchor, n, every, jitter, deadline, exits,
                           horizon, until, round_no, row, y, noise_var, normals, uniforms, va,
                           L, w, trace_buf)
