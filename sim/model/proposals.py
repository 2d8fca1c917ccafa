"""Who proposes what (DESIGN.md 1.7): the mediator's single text, or alternating offers.

Compiled functions of plain arrays: the issues' ranges and steps (``i_lo``,
``i_hi``, ``step``, ``indivisible``), the parties' preferences one row each
(``G``, ``P``, red-line boxes ``LO``, ``HI``). A talk round (``sim.rounds``)
calls them; proposals come back as float arrays.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.model import solver
from sim.model.jit import inline, jit
from sim.model.preferences import utility

MAX_COMBINATIONS = 64  # of floor/ceil roundings tried; beyond it, nearest rounding
FEASIBLE = 1e-12  # a deal beats no deal for everyone when the worst gain exceeds this


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


# --- mediated: the asymmetric Nash bargaining solution, or the least-bad compromise -----

@jit
def mediated(i_lo, i_hi, step, indivisible, split, stepped, G, P, power, d_hat,
              x_beta, x_g, x_p, warm, has_warm, lo, hi):
    """``argmax sum beta log(u - d_hat) + bias log u_m`` within the red lines (the box
    ``lo``, ``hi``: ``common_box``); the least-bad compromise ``argmax min (u - d_hat)``
    when no deal beats everyone's no-deal value.

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
            if combo == 0 or _better(ok, score, best_ok, best):
                x, best_ok, best = y, ok, score
    if not stepped:
        return x, x
    candidates = _neighbours(x, i_lo, i_hi, step, indivisible, lo, hi)
    pick, best_ok, best = 0, False, 0.0
    for i in range(candidates.shape[0]):
        ok, score = _score(c, G, P, beta_all, c_all, G_all, P_all, candidates[i])
        if i == 0 or _better(ok, score, best_ok, best):
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


@jit
def _better(ok, score, best_ok, best):
    """``(ok, score) > (best_ok, best)`` as Python compares tuples."""
    if ok != best_ok:
        return ok > best_ok
    return score > best


# --- alternating offers ----------------------------------------------------------------

@inline
def offer_space(proposer, power, G, P, LO, HI, i_lo, i_hi, box_lo, box_hi):
    """What the proposer's offers depend on besides its aspiration: the others as weighted
    terms, the box shared with them (``common_box``), its own box, and whether the two
    are the same. The proposer never crosses its own red lines."""
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
def alternating(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
                shared_lo, shared_hi, own_lo, own_hi, same):
    """The deal at the proposer's aspiration ``level`` that is best for the others.

    It walks from the others' best deal toward the proposer's ideal, conceding
    the issues the others value least per unit first, and stops where the
    proposer's utility reaches ``level`` (one issue: the value whose utility
    equals the aspiration). It stays inside the proposer's red lines, and the
    others' where they are compatible with them. ``w`` .. ``same``: ``offer_space``.
    """
    x = _offer(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
               shared_lo, shared_hi)
    if utility(g, p, x) < level - 1e-12 and not same:  # the others' red lines cost too much
        x = _offer(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
                   own_lo, own_hi)
    return x


@inline
def _offer(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P, lo, hi):
    """The walk from the others' best deal to the proposer's aspiration, inside [lo, hi];
    on the grid, the neighbour that still gives the proposer its level and is best for the
    others (or, if none does, the one best for the proposer)."""
    ones = np.ones(w.shape[0])
    x = solver.walk(1.0, g, p, w, ones, G, P, lo, hi, solver.STOP_LEVEL, level)
    if not discrete:
        return x
    candidates = _neighbours(x, i_lo, i_hi, step, indivisible, lo, hi)
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
        if i == 0 or _better(ok, score, best_ok, best):
            pick, best_ok, best = i, ok, score
    return candidates[pick].copy()


# --- rounding to steps and indivisible issues -------------------------------------------

@jit
def _round12(x):
    """Python's ``round(x, 12)``, which the grid values go through to shed float noise.

    ``rint(x * 1e12) / 1e12`` is the same whenever the product's rounding error
    (at most |x * 1e12| 2^-53) cannot move it across a half: always on the grid
    values that reach here. Anything closer to a tie asks Python. From 8192 up a
    double is coarser than 1e-12, so ``round`` returns x itself.
    """
    if not abs(x) < 8192.0:
        return x
    y = x * 1e12
    r = np.rint(y)
    if 0.5 - abs(y - r) > abs(y) * 2.3e-16:
        return r / 1e12
    with numba.objmode(out="float64"):
        out = round(x, 12)
    return out


@inline
def _grid(lo_k, hi_k, step_k, indivisible_k, v, lo, hi, out):
    """The allowed values next to v on one issue, inside [lo, hi] where possible; written
    to ``out``, their number returned."""
    if indivisible_k:
        o0, o1, n_options = lo_k, hi_k, 2
    else:
        n = math.floor((v - lo_k) / step_k + 1e-9)
        a = _round12(solver._min(lo_k + n * step_k, hi_k))
        b = _round12(solver._min(lo_k + (n + 1) * step_k, hi_k))
        o0, o1 = solver._min(a, b), solver._max(a, b)  # sorted, no repeat
        n_options = 1 if a == b else 2
    m = 0
    for i in range(n_options):
        option = o0 if i == 0 else o1
        if lo - 1e-12 <= option <= hi + 1e-12:
            out[m] = option
            m += 1
    if m == 0:  # none inside: the nearest
        out[0] = o0
        if n_options == 2 and abs(o1 - v) < abs(o0 - v):
            out[0] = o1
        m = 1
    return m


@inline
def _neighbours(x, i_lo, i_hi, step, indivisible, lo, hi):
    """The deals next to x on the grid of stepped and indivisible issues, one per row, in
    itertools.product order."""
    n_discrete = 0
    for k in range(x.shape[0]):
        n_discrete += step[k] != 0.0 or indivisible[k]
    discrete, i = np.empty(n_discrete, np.int64), 0
    for k in range(x.shape[0]):
        if step[k] != 0.0 or indivisible[k]:
            discrete[i], i = k, i + 1
    options, counts = np.empty((n_discrete, 2)), np.empty(n_discrete, np.int64)
    total = 1
    for i, k in enumerate(discrete):  # nearest rounding once combinations run out
        counts[i] = _grid(i_lo[k], i_hi[k], step[k], indivisible[k], x[k], lo[k], hi[k],
                          options[i])
        if total * counts[i] > MAX_COMBINATIONS:
            if counts[i] == 2 and abs(options[i, 1] - x[k]) < abs(options[i, 0] - x[k]):
                options[i, 0] = options[i, 1]
            counts[i] = 1
        total *= counts[i]
    candidates = np.empty((total, x.shape[0]))
    for row in range(total):
        candidates[row] = x
        rest = row
        for i in range(n_discrete - 1, -1, -1):  # the last issue varies fastest
            candidates[row, discrete[i]] = options[i, rest % counts[i]]
            rest //= counts[i]
    return candidates
