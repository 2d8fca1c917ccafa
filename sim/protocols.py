"""Who proposes what (DESIGN.md 1.7): the mediator's single text, or alternating offers."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

from sim import solver
from sim.preferences import Prefs, utility

MAX_COMBINATIONS = 64  # of floor/ceil roundings tried; beyond it, nearest rounding
FEASIBLE = 1e-12  # a deal beats no deal for everyone when the worst gain exceeds this


class Issues:
    """The shape of the deal space: ranges, steps, indivisibility (fixed for a study)."""

    def __init__(self, lo: Sequence[float], hi: Sequence[float], step: Sequence[float],
                 indivisible: Sequence[bool]):
        self.lo, self.hi, self.step, self.indivisible = tuple(lo), tuple(hi), tuple(step), \
            tuple(indivisible)
        self.split = [k for k, v in enumerate(indivisible) if v]


def common_box(issues: Issues, parties: Sequence[Prefs]) -> tuple[list[float], list[float]]:
    """Deals inside every party's red lines, issue by issue; where they cannot all be met,
    the whole range (the proposal will then be rejected on that issue)."""
    lo, hi = list(issues.lo), list(issues.hi)
    for k in range(len(lo)):
        a = max([issues.lo[k], *(pr.lo[k] for pr in parties)])
        b = min([issues.hi[k], *(pr.hi[k] for pr in parties)])
        if a <= b:
            lo[k], hi[k] = a, b
    return lo, hi


# --- mediated: the asymmetric Nash bargaining solution, or the least-bad compromise -----

def mediated(issues: Issues, parties: Sequence[Prefs], d_hat: Sequence[float],
             power: Sequence[float], mediator: Prefs | None, bias: float,
             warm: Sequence[float] | None = None,
             box: tuple[Sequence[float], Sequence[float]] | None = None) \
        -> tuple[list[float], list[float]]:
    """``argmax sum beta log(u - d_hat) + bias log u_m`` within the red lines; the least-bad
    compromise ``argmax min (u - d_hat)`` when no deal beats everyone's no-deal value.

    Returns the proposal (on the issues' grid) and the continuous optimum, a good
    start (``warm``) for the next round's problem. ``box``: ``common_box(issues,
    parties)`` if the caller keeps it (it changes only with the preferences).
    """
    terms = [(b, 1.0 - d, pr.g, pr.p) for b, d, pr in zip(power, d_hat, parties, strict=True)]
    extra = [(bias, 1.0, mediator.g, mediator.p)] if mediator and bias > 0 else []
    lo, hi = box or common_box(issues, parties)
    if not issues.split:  # one problem, nothing to choose between
        x = _solve(terms, extra, lo, hi, warm)
    else:  # each indivisible issue at either end: keep the best-scoring solution
        best = None
        for combo in itertools.product(*[(issues.lo[k], issues.hi[k]) for k in issues.split]):
            c_lo, c_hi = list(lo), list(hi)
            for k, v in zip(issues.split, combo, strict=True):
                c_lo[k] = c_hi[k] = v
            x = _solve(terms, extra, c_lo, c_hi, warm)
            candidate = (_score(terms, extra, x), x)
            if best is None or candidate[0] > best[0]:
                best = candidate
        x = best[1]
    if any(issues.step):
        return _discretize(x, issues, lo, hi, lambda y: _score(terms, extra, y)), x
    return x, x


def _solve(terms, extra, lo, hi, warm) -> list[float]:
    if warm is not None and _inside(warm, lo, hi) and \
            all(solver.value(c, g, p, warm) > FEASIBLE for _, c, g, p in terms):
        start = list(warm)
    else:
        start, worst = solver.maxmin(terms, lo, hi)
        if worst <= FEASIBLE:
            return start
    return solver.nash(terms + extra, lo, hi, start)


def _inside(x, lo, hi) -> bool:
    return all(lo[k] <= x[k] <= hi[k] for k in range(len(x)))


def _score(terms, extra, x) -> tuple[bool, float]:
    """Feasible deals by Nash value, others by their worst gain (least bad first)."""
    gains = [solver.value(c, g, p, x) for _, c, g, p in terms]
    worst = min(gains)
    if worst > FEASIBLE:
        return True, solver.nash_value(terms + extra, x, gains)
    return False, worst


# --- alternating offers ----------------------------------------------------------------

def offer_space(issues: Issues, proposer: int, parties: Sequence[Prefs],
                power: Sequence[float]) -> tuple[list, tuple, tuple]:
    """What the proposer's offers depend on besides its aspiration: (the others as weighted
    terms, the box shared with them, its own box). Fixed while the preferences are, so a
    caller may keep it from round to round."""
    me = parties[proposer]
    others = [(power[j], 1.0, pr.g, pr.p) for j, pr in enumerate(parties) if j != proposer]
    own = ([max(a, b) for a, b in zip(issues.lo, me.lo, strict=True)],
           [min(a, b) for a, b in zip(issues.hi, me.hi, strict=True)])
    shared = common_box(issues, parties)
    for k in range(len(issues.lo)):  # the proposer never crosses its own red lines
        if shared[0][k] < own[0][k] or shared[1][k] > own[1][k]:
            shared[0][k], shared[1][k] = own[0][k], own[1][k]
    return others, tuple(map(tuple, shared)), tuple(map(tuple, own))


def alternating(issues: Issues, proposer: int, parties: Sequence[Prefs], level: float,
                power: Sequence[float], space: tuple | None = None) -> list[float]:
    """The deal at the proposer's aspiration ``level`` that is best for the others.

    It walks from the others' best deal toward the proposer's ideal, conceding
    the issues the others value least per unit first, and stops where the
    proposer's utility reaches ``level`` (one issue: the value whose utility
    equals the aspiration). It stays inside the proposer's red lines, and the
    others' where they are compatible with them. ``space``: ``offer_space(...)``
    if the caller keeps it.
    """
    me = parties[proposer]
    others, shared, own = space or offer_space(issues, proposer, parties, power)
    x = _offer(issues, me, others, level, *shared)
    if utility(me, x) < level - 1e-12 and shared != own:
        x = _offer(issues, me, others, level, *own)  # the others' red lines cost too much
    return x


def _offer(issues: Issues, me: Prefs, others, level: float, lo, hi) -> list[float]:
    """The walk from the others' best deal to the proposer's aspiration, inside [lo, hi]."""
    def stop(f_m, f_o, df_m, df_o):
        if f_m >= level:
            return 0.0
        return (level - f_m) / df_m if f_m + df_m >= level else None

    x = solver.walk((1.0, me.g, me.p), others, lo, hi, stop)

    def score(y):
        mine = utility(me, y)
        enough = mine >= level - 1e-12
        return (enough, sum(w * solver.value(c, g, p, y) for w, c, g, p in others)
                if enough else mine)

    if issues.split or any(issues.step):
        x = _discretize(x, issues, lo, hi, score)
    return x


# --- rounding to steps and indivisible issues -------------------------------------------

def _grid(issues: Issues, k: int, v: float, lo: float, hi: float) -> list[float]:
    """The allowed values next to v on issue k, inside [lo, hi] where possible."""
    a, b = issues.lo[k], issues.hi[k]
    if issues.indivisible[k]:
        options = [a, b]
    else:
        s = issues.step[k]
        n = math.floor((v - a) / s + 1e-9)
        options = [min(a + n * s, b), min(a + (n + 1) * s, b)]
        options = sorted({round(o, 12) for o in options})
    inside = [o for o in options if lo - 1e-12 <= o <= hi + 1e-12]
    return inside or [min(options, key=lambda o: abs(o - v))]


def _discretize(x: Sequence[float], issues: Issues, lo, hi,
                score: Callable[[list[float]], tuple]) -> list[float]:
    """The best-scoring neighbour of x on the grid of stepped and indivisible issues."""
    discrete = [k for k in range(len(x)) if issues.step[k] or issues.indivisible[k]]
    choices = [_grid(issues, k, x[k], lo[k], hi[k]) for k in discrete]
    total = 1
    for n, options in enumerate(choices):  # nearest rounding once combinations run out
        if total * len(options) > MAX_COMBINATIONS:
            choices[n] = [min(options, key=lambda o, k=discrete[n]: abs(o - x[k]))]
        total *= len(choices[n])
    best = None
    for combo in itertools.product(*choices):
        y = list(x)
        for k, v in zip(discrete, combo, strict=True):
            y[k] = v
        s = score(y)
        if best is None or s > best[0]:
            best = (s, y)
    return best[1]
