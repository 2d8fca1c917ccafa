"""The mediator's single text: the asymmetric Nash bargaining solution within every party's
red lines, or the least-bad compromise when no deal beats everyone's no-deal value.

The mediator proposes from the parties' no-deal values as it sees them (its
``information`` noise) and may lean toward its own preferred deal (``bias``);
every party then answers the text. The text is found by ``solver`` (continuous),
then rounded to the grid (``grid``) and the best neighbour kept.
"""

from __future__ import annotations

import numpy as np

from sim.model import grid, solver
from sim.model.jit import inline, jit
from sim.model.round import answer, blocker, look, pressure, rounds_in_a_row, sticking, unpack

FEASIBLE = 1e-12  # a deal beats no deal for everyone when the worst gain exceeds this


@jit
def text(i_lo, i_hi, step, indivisible, split, stepped, G, P, power, d_hat, x_beta, x_g, x_p,
         warm, has_warm, lo, hi):
    """``argmax sum beta log(u - d_hat) + bias log u_m`` within the red lines (the box
    ``lo``, ``hi``: ``round.common_box``); the least-bad compromise ``argmax min (u -
    d_hat)`` when no deal beats everyone's no-deal value.

    Party terms ``(power, 1 - d_hat, G, P)``, plus the mediator's (``x_*``: one row
    when it leans on the deal, none otherwise). Returns the proposal (on the issues'
    grid) and the continuous optimum, a good start (``warm``) for the next round.
    """
    c = 1.0 - d_hat
    beta_all = np.concatenate((power, x_beta))
    c_all = np.concatenate((c, np.ones(x_beta.shape[0])))
    G_all, P_all = np.concatenate((G, x_g)), np.concatenate((P, x_p))
    n_split = split.shape[0]
    if n_split == 0:  # one problem, nothing to choose between
        x = _solve(c, G, P, beta_all, c_all, G_all, P_all, lo, hi, warm, has_warm)
    else:  # each indivisible issue at either end: keep the best-scoring solution
        x, best_ok, best = lo, False, 0.0
        for combo in range(2 ** n_split):  # in itertools.product order
            c_lo, c_hi = lo.copy(), hi.copy()
            for i in range(n_split):
                k = split[i]
                c_lo[k] = c_hi[k] = i_hi[k] if (combo >> (n_split - 1 - i)) & 1 else i_lo[k]
            y = _solve(c, G, P, beta_all, c_all, G_all, P_all, c_lo, c_hi, warm, has_warm)
            ok, score = _score(c, G, P, beta_all, c_all, G_all, P_all, y)
            if combo == 0 or grid.better(ok, score, best_ok, best):
                x, best_ok, best = y, ok, score
    if not stepped:
        return x, x
    candidates = grid.neighbours(x, i_lo, i_hi, step, indivisible, lo, hi)
    pick, best_ok, best = 0, False, 0.0
    for i in range(candidates.shape[0]):
        ok, score = _score(c, G, P, beta_all, c_all, G_all, P_all, candidates[i])
        if i == 0 or grid.better(ok, score, best_ok, best):
            pick, best_ok, best = i, ok, score
    return candidates[pick].copy(), x


@jit
def _solve(c, G, P, beta_all, c_all, G_all, P_all, lo, hi, warm, has_warm):
    """Nash from last round's optimum if it is still feasible, else from the least-bad
    compromise (which is the answer when even that beats nobody's no-deal value)."""
    if has_warm and _inside(warm, lo, hi) and _all_feasible(c, G, P, warm):
        start = warm
    else:
        start, worst = solver.maxmin(c, G, P, lo, hi)
        if worst <= FEASIBLE:
            return start
    return solver.nash(beta_all, c_all, G_all, P_all, lo, hi, start)


@jit
def _inside(x, lo, hi):
    for k in range(x.shape[0]):
        if not lo[k] <= x[k] <= hi[k]:
            return False
    return True


@jit
def _all_feasible(c, G, P, x):
    """Every party gains more than FEASIBLE at x."""
    for j in range(c.shape[0]):
        if not solver.value(c[j], G[j], P[j], x) > FEASIBLE:
            return False
    return True


@jit
def _score(c, G, P, beta_all, c_all, G_all, P_all, x):
    """Feasible deals by Nash value, others by their worst gain (least bad first)."""
    gains = solver.values(c, G, P, x)
    worst = gains[0]
    for j in range(1, gains.shape[0]):
        worst = solver._min(worst, gains[j])
    if worst > FEASIBLE:
        return True, solver._nash_value(beta_all, c_all, G_all, P_all, x, gains)
    return False, worst


# --- the round -------------------------------------------------------------------------

@inline
def prepare(turn, va, L, w):
    """Nothing to prepare: the mediator's text depends on the round's no-deal values."""
    return 0.0


@inline
def play_round(day, deadline, turn, y, noise_var, row, normals, uniforms, va, L, w, space):
    """A round with the mediator's text (``text``): the parties look at the front, the
    mediator proposes, every party answers (``turn``, ``space``: unused).

    ``normals[row]``: the round's standard normals (mediator's information, then
    the parties' decision noise). Writes the text (``w.table``), next round's warm
    start and each party's numbers into the workspace ``w``; returns whether
    everyone accepts, the blocker and the sticking issue (-1: nobody rejected), and
    how many levers fired and parties walked out (which: ``round.pressure``).
    """
    look(day, deadline, y, noise_var, va, L, w)
    p = L.parties
    d_hat = np.empty(p)
    for a in range(p):
        d_hat[a] = w.nodeal[a] + va[L.information] * normals[row, a]
    weight_m = va[L.bias]
    m = 1 if L.actors > p and weight_m > 0 else 0  # the mediator's own term in the product
    x, cont = text(L.lo, L.hi, L.step, L.indivisible, L.split, L.stepped, w.g[:p],
                   w.ideal[:p], va[L.power], d_hat, np.full(m, weight_m), w.g[p:p + m],
                   w.ideal[p:p + m], w.warm, w.warm_set[0] != 0.0, w.box_lo, w.box_hi)
    w.table[:], w.warm[:], w.warm_set[0] = x, cont, 1.0
    agreed = True
    for a in range(p):
        w.utility[a], w.shortfall[a], w.red[a], w.accepts[a] = answer(
            w.g[a], w.ideal[a], w.red_lo[a], w.red_hi[a], x, w.level[a], va[L.noise[a]],
            normals[row, p + a])
        w.rejects[a] = not w.accepts[a]
        agreed = agreed and w.accepts[a] > 0
    if agreed:
        return True, -1, -1, 0, 0
    who = blocker(w.rejects, w.shortfall)
    fired, walked = pressure(va, uniforms, row, L, w)
    return False, who, sticking(w.g[who], w.ideal[who], x, int(w.red[who])), fired, walked


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
