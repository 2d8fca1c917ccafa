"""Who proposes what (DESIGN.md 1.7): the mediator's single text, or alternating offers.

The Python functions take what the engine keeps (``Issues``, ``Stack`` of the
parties' preferences) and call a compiled kernel (``_mediated``, ``_alternating``)
with plain arrays; proposals come back as float arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba
import numpy as np

from sim import solver
from sim.jit import jit
from sim.preferences import Prefs, Stack

MAX_COMBINATIONS = 64  # of floor/ceil roundings tried; beyond it, nearest rounding
FEASIBLE = 1e-12  # a deal beats no deal for everyone when the worst gain exceeds this
NO_WARM = np.empty(0)


class Issues:
    """The shape of the deal space: ranges, steps, indivisibility (fixed for a study)."""

    def __init__(self, lo: Sequence[float], hi: Sequence[float], step: Sequence[float],
                 indivisible: Sequence[bool]):
        self.lo, self.hi, self.step = (np.array(v, dtype=float) for v in (lo, hi, step))
        self.indivisible = np.array(indivisible, dtype=bool)
        self.split = np.flatnonzero(self.indivisible)
        self.stepped = bool(self.step.any())


def common_box(issues: Issues, parties: Stack) -> tuple[list[float], list[float]]:
    """Deals inside every party's red lines, issue by issue; where they cannot all be met,
    the whole range (the proposal will then be rejected on that issue)."""
    lo, hi = issues.lo.tolist(), issues.hi.tolist()
    for k in range(len(lo)):
        a = max([lo[k], *parties.lo[:, k].tolist()])
        b = min([hi[k], *parties.hi[:, k].tolist()])
        if a <= b:
            lo[k], hi[k] = a, b
    return lo, hi


# --- mediated: the asymmetric Nash bargaining solution, or the least-bad compromise -----

def mediator_terms(mediator: Prefs | None, bias: float, n_issues: int) -> tuple:
    """The mediator's own term in the Nash product, ``bias log u_m``, as kernel arrays
    (none when there is no mediator or it has no bias). Fixed while the parameters are."""
    if mediator is not None and bias > 0:
        return np.array([bias]), np.array([mediator.g]), np.array([mediator.p])
    return np.empty(0), np.empty((0, n_issues)), np.empty((0, n_issues))


def mediated(issues: Issues, parties: Stack, d_hat: Sequence[float], power: np.ndarray,
             extra: tuple, warm: np.ndarray | None = None,
             box: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``argmax sum beta log(u - d_hat) + bias log u_m`` within the red lines; the least-bad
    compromise ``argmax min (u - d_hat)`` when no deal beats everyone's no-deal value.

    ``extra``: ``mediator_terms(...)``. Returns the proposal (on the issues' grid)
    and the continuous optimum, a good start (``warm``) for the next round's
    problem. ``box``: ``common_box(issues, parties)`` as arrays, if the caller
    keeps it (it changes only with the preferences).
    """
    lo, hi = box if box is not None else map(np.array, common_box(issues, parties))
    return _mediated(issues.lo, issues.hi, issues.step, issues.indivisible, issues.split,
                     issues.stepped, parties.g, parties.p, np.asarray(power, dtype=float),
                     np.asarray(d_hat, dtype=float), *extra,
                     NO_WARM if warm is None else warm, warm is not None, lo, hi)


@jit
def _mediated(i_lo, i_hi, step, indivisible, split, stepped, G, P, power, d_hat,
              x_beta, x_g, x_p, warm, has_warm, lo, hi):
    """The kernel of ``mediated``: party terms ``(power, 1 - d_hat, G, P)`` plus the
    mediator's (``x_*``, when it leans on the deal)."""
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

def offer_space(issues: Issues, proposer: int, parties: Stack, power: Sequence[float]) \
        -> tuple:
    """What the proposer's offers depend on besides its aspiration: the others as weighted
    terms, the box shared with them, its own box. Fixed while the preferences are, so a
    caller may keep it from round to round."""
    others = [j for j in range(len(power)) if j != proposer]
    weights = np.array([power[j] for j in others], dtype=float)
    own = ([max(a, b) for a, b in zip(issues.lo.tolist(), parties.lo[proposer].tolist(),
                                      strict=True)],
           [min(a, b) for a, b in zip(issues.hi.tolist(), parties.hi[proposer].tolist(),
                                      strict=True)])
    shared = common_box(issues, parties)
    for k in range(len(issues.lo)):  # the proposer never crosses its own red lines
        if shared[0][k] < own[0][k] or shared[1][k] > own[1][k]:
            shared[0][k], shared[1][k] = own[0][k], own[1][k]
    return (weights, parties.g[others], parties.p[others], *map(np.array, shared),
            *map(np.array, own), shared == own)


def alternating(issues: Issues, proposer: int, parties: Stack, level: float,
                power: Sequence[float], space: tuple | None = None) -> np.ndarray:
    """The deal at the proposer's aspiration ``level`` that is best for the others.

    It walks from the others' best deal toward the proposer's ideal, conceding
    the issues the others value least per unit first, and stops where the
    proposer's utility reaches ``level`` (one issue: the value whose utility
    equals the aspiration). It stays inside the proposer's red lines, and the
    others' where they are compatible with them. ``space``: ``offer_space(...)``
    if the caller keeps it.
    """
    space = space or offer_space(issues, proposer, parties, power)
    return _alternating(issues.lo, issues.hi, issues.step, issues.indivisible,
                        issues.stepped or issues.split.shape[0] > 0,
                        parties.g[proposer], parties.p[proposer], level, *space)


@jit
def _alternating(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
                 shared_lo, shared_hi, own_lo, own_hi, same):
    x = _offer(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
               shared_lo, shared_hi)
    if _utility(g, p, x) < level - 1e-12 and not same:  # the others' red lines cost too much
        x = _offer(i_lo, i_hi, step, indivisible, discrete, g, p, level, w, G, P,
                   own_lo, own_hi)
    return x


@jit
def _utility(g, p, x):
    """``preferences.utility``: ``1 - sum g |x - p|``."""
    u = 1.0
    for k in range(x.shape[0]):
        u -= g[k] * abs(x[k] - p[k])
    return u


@jit
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
        mine = _utility(g, p, y)
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


@jit
def _grid(lo_k, hi_k, step_k, indivisible_k, v, lo, hi, out):
    """The allowed values next to v on one issue, inside [lo, hi] where possible; written
    to ``out``, their number returned."""
    options = np.empty(2)
    if indivisible_k:
        options[0], options[1], n_options = lo_k, hi_k, 2
    else:
        n = math.floor((v - lo_k) / step_k + 1e-9)
        a = _round12(solver._min(lo_k + n * step_k, hi_k))
        b = _round12(solver._min(lo_k + (n + 1) * step_k, hi_k))
        options[0], options[1] = solver._min(a, b), solver._max(a, b)  # sorted, no repeat
        n_options = 1 if a == b else 2
    m = 0
    for i in range(n_options):
        if lo - 1e-12 <= options[i] <= hi + 1e-12:
            out[m] = options[i]
            m += 1
    if m == 0:  # none inside: the nearest
        out[0] = options[0]
        if n_options == 2 and abs(options[1] - v) < abs(options[0] - v):
            out[0] = options[1]
        m = 1
    return m


@jit
def _neighbours(x, i_lo, i_hi, step, indivisible, lo, hi):
    """The deals next to x on the grid of stepped and indivisible issues, one per row, in
    itertools.product order."""
    discrete = [k for k in range(x.shape[0]) if step[k] != 0.0 or indivisible[k]]
    options, counts = np.empty((len(discrete), 2)), np.empty(len(discrete), np.int64)
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
        for i in range(len(discrete) - 1, -1, -1):  # the last issue varies fastest
            candidates[row, discrete[i]] = options[i, rest % counts[i]]
            rest //= counts[i]
    return candidates
