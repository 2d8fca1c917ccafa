"""A talk round's arithmetic in one compiled call (DESIGN.md 1.2-1.7).

The engine decides when a round happens and what follows from it (levers,
walkouts, the record); these kernels compute what happens inside it: each
party looks at the front and updates its belief about the drift, values no
deal, sets its aspiration; the mediator proposes (or the party whose turn it
is answers the offer on the table and makes its own); every party answers.
They read the replication's parameter values ``va`` through a ``Layout`` of
slot indices, and the actors' preferences ``S`` that ``derive`` computes
whenever an effect changes the parameters.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from sim import front, protocols, solver
from sim.jit import jit
from sim.model import Model
from sim.preferences import aspiration, no_deal_value, prefs, progress, utility, violated

ACCEPT_TOL = 1e-12  # a deal exactly at the aspiration is accepted despite rounding
# rows of Layout.party: slots of each party's parameters
BATNA, WAR_COST, WEARINESS, PLANNING, EXPONENT, NOISE, POWER = range(7)
# columns of a round's ``out``: one row per party
D, LEVEL, U, ACCEPTS, SHORTFALL, RED, REJECTS = range(7)
COLUMNS = 7


class Layout(NamedTuple):
    """Where a model's numbers are: slot indices into the parameter values, and the issues'
    fixed shape. Built once per model (``layout``); the kernels take its fields as their
    last arguments (``*lay``: numba passes plain arguments faster than a named tuple)."""

    party: np.ndarray  # int (7, parties): BATNA .. POWER
    ideal: np.ndarray  # int (actors, issues); actors are the parties, then the mediator
    weight: np.ndarray
    red_line: np.ndarray
    status_quo: np.ndarray  # int (issues,)
    i_lo: np.ndarray  # float (issues,)
    i_hi: np.ndarray
    step: np.ndarray
    indivisible: np.ndarray  # bool (issues,)
    split: np.ndarray  # int: the indivisible issues
    stepped: bool
    bias: int  # slot
    information: int  # slot
    field_issue: int  # -1: no battlefield
    max_held: float
    reference: float
    start_day: float


_layouts: dict[int, tuple[Model, Layout]] = {}


def layout(m: Model) -> Layout:
    """The model's ``Layout`` (kept per model object: replications reuse it)."""
    hit = _layouts.get(id(m))
    if hit is None or hit[0] is not m:
        if len(_layouts) >= 64:
            _layouts.clear()
        ints = lambda rows: np.array(rows, dtype=np.int64)  # noqa: E731
        step = np.array(m.step, dtype=float)
        hit = _layouts[id(m)] = (m, Layout(
            ints([m.batna, m.war_cost, m.weariness, m.planning, m.exponent, m.noise,
                  m.power]),
            ints(m.ideal), ints(m.weight), ints(m.red_line), ints(m.status_quo),
            np.array(m.lo, dtype=float), np.array(m.hi, dtype=float), step,
            np.array(m.indivisible, dtype=bool),
            ints([k for k, split in enumerate(m.indivisible) if split]).reshape(-1),
            bool(step.any()), m.bias, m.information, m.field_issue, float(m.max_held),
            float(m.reference), float(m.start_day)))
    return hit[1]


@jit
def derive(va, party, ideal, weight, red_line, status_quo, i_lo, i_hi, step, indivisible,
           split, stepped, bias, information, field_issue, max_held, reference, start_day):
    """Every actor's preferences from the parameter values ``va``: ``S[0..3]`` = g, ideal,
    red-line box lo, hi (one row per actor), and the box of deals within every party's
    red lines (``protocols.common_box``)."""
    actors, n = ideal.shape
    S = np.empty((4, actors, n))
    for a in range(actors):
        p_a = va[ideal[a]]
        g, lo, hi = prefs(p_a, va[weight[a]], va[red_line[a]], i_lo, i_hi)
        S[0, a], S[1, a], S[2, a], S[3, a] = g, p_a, lo, hi
    p = party.shape[1]
    box_lo, box_hi = protocols.common_box(i_lo, i_hi, S[2, :p], S[3, :p])
    return S, box_lo, box_hi


@jit
def field_value(held, lo, hi, reference):
    """Value of the battlefield issue (range ``lo``..``hi``) if the holder held ``held`` km2
    of the ``reference`` area."""
    share = solver._min(solver._max(front.share_lost(held, reference), 0.0), 1.0)
    return lo + (hi - lo) * share


@jit
def _no_deal(day, deadline, y, seen, belief, noise_var, va, S, out, party, status_quo, i_lo,
             i_hi, field, max_held, reference, start_day):
    """Each party's d(t) (fixed batna, or its projected no-deal outcome less war costs) and
    aspiration, after it looks at the front (last seen at ``seen`` = (day, y)) and updates
    its belief (mean, variance) about the drift."""
    p = belief.shape[0]
    if field >= 0:
        dt, dy = day - seen[0], y - seen[1]
        for a in range(p):
            belief[a, 0], belief[a, 1] = front.update_belief(belief[a, 0], belief[a, 1], dy,
                                                             dt, noise_var)
        seen[0], seen[1] = day, y
    x = va[status_quo]
    tau = progress(day, start_day, deadline)
    for a in range(p):
        d = va[party[BATNA, a]]
        if math.isnan(d):
            planning = va[party[PLANNING, a]]
            if field >= 0:
                projected = solver._min(solver._max(y + belief[a, 0] * planning, 0.0), max_held)
                x[field] = field_value(projected, i_lo[field], i_hi[field], reference)
            d = no_deal_value(utility(S[0, a], S[1, a], x), va[party[WAR_COST, a]],
                              va[party[WEARINESS, a]], planning, day)
        out[a, D] = d
        out[a, LEVEL] = aspiration(d, tau, va[party[EXPONENT, a]])


@jit
def _answer(S, a, x, level, noise, shock, out):
    """Party ``a``'s answer to deal ``x`` in ``out[a]``: utility, whether it accepts, its
    shortfall from what it wants, the red line crossed (-1: none). It accepts iff x
    respects its red lines and ``u >= A + noise * shock``."""
    u = utility(S[0, a], S[1, a], x)
    red = violated(S[2, a], S[3, a], x)
    wanted = level + noise * shock
    out[a, U], out[a, SHORTFALL], out[a, RED] = u, wanted - u, red
    out[a, ACCEPTS] = red < 0 and u >= wanted - ACCEPT_TOL


@jit
def _blocker(out):
    """The rejecting party furthest from what it wants (the first of equals), or -1."""
    blocker = -1
    for a in range(out.shape[0]):
        if out[a, REJECTS] and (blocker < 0 or out[a, SHORTFALL] > out[blocker, SHORTFALL]):
            blocker = a
    return blocker


@jit
def _sticking(S, a, x, red):
    """A crossed red line, else the issue with party ``a``'s largest weighted shortfall from
    its ideal (the first of equals)."""
    if red >= 0:
        return red
    best, where = -1.0, 0
    for k in range(x.shape[0]):
        loss = S[0, a, k] * abs(x[k] - S[1, a, k])
        if k == 0 or loss > best:
            best, where = loss, k
    return where


@jit
def mediated_round(day, deadline, y, seen, belief, noise_var, va, S, box_lo, box_hi, warm,
                   has_warm, normals, out, party, ideal, weight, red_line, status_quo, i_lo,
                   i_hi, step, indivisible, split, stepped, bias, information, field_issue,
                   max_held, reference, start_day):
    """A round with the mediator's single text (``protocols.mediated``), proposed from the
    parties' no-deal values as the mediator sees them (``information`` noise).

    ``normals``: the round's standard normals (mediator's information, then the
    parties' decision noise). Fills ``out`` and returns the proposal, the
    continuous optimum (next round's ``warm``), whether everyone accepts, the
    blocker and the sticking issue (-1: nobody rejected).
    """
    p = belief.shape[0]
    _no_deal(day, deadline, y, seen, belief, noise_var, va, S, out, party, status_quo, i_lo,
             i_hi, field_issue, max_held, reference, start_day)
    d_hat = np.empty(p)
    for a in range(p):
        d_hat[a] = out[a, D] + va[information] * normals[a]
    weight_m = va[bias]
    m = 1 if S.shape[1] > p and weight_m > 0 else 0  # the mediator's own term in the product
    x, cont = protocols.mediated(i_lo, i_hi, step, indivisible, split, stepped, S[0, :p],
                                 S[1, :p], va[party[POWER]], d_hat, np.full(m, weight_m),
                                 S[0, p:p + m], S[1, p:p + m], warm, has_warm, box_lo, box_hi)
    agreed = True
    for a in range(p):
        _answer(S, a, x, out[a, LEVEL], va[party[NOISE, a]], normals[p + a], out)
        out[a, REJECTS] = not out[a, ACCEPTS]
        agreed = agreed and out[a, ACCEPTS] > 0
    blocker = _blocker(out)
    sticking = _sticking(S, blocker, x, int(out[blocker, RED])) if blocker >= 0 else -1
    return x, cont, agreed, blocker, sticking


@jit
def alternating_round(day, deadline, turn, y, seen, belief, noise_var, va, S, box_lo, box_hi,
                      offer, state, accepted, normals, out, party, ideal, weight, red_line,
                      status_quo, i_lo, i_hi, step, indivisible, split, stepped, bias,
                      information, field_issue, max_held, reference, start_day):
    """A round of stacked alternating offers: the party whose ``turn`` it is accepts the
    offer on the table, or rejects it and puts its own (``protocols.alternating``: at its
    aspiration, best for the others).

    ``offer``, ``state`` (an offer is on the table, its author) and ``accepted``
    (who has accepted it) carry over between rounds and are updated in place.
    Fills ``out`` and returns whether everyone accepts, the blocker and the sticking
    issue (-1: nobody rejected).
    """
    p = belief.shape[0]
    _no_deal(day, deadline, y, seen, belief, noise_var, va, S, out, party, status_quo, i_lo,
             i_hi, field_issue, max_held, reference, start_day)
    level = out[turn, LEVEL]
    judged, rejected, judged_short, judged_red = False, offer.copy(), 0.0, -1.0
    if state[0]:
        _answer(S, turn, offer, level, va[party[NOISE, turn]], normals[p + turn], out)
        if out[turn, ACCEPTS]:
            accepted[turn] = True
        else:
            judged, judged_short, judged_red = True, out[turn, SHORTFALL], out[turn, RED]
    if not state[0] or judged:
        w, G, P, shared_lo, shared_hi, own_lo, own_hi, same = protocols.offer_space(
            turn, va[party[POWER]], S[0, :p], S[1, :p], S[2, :p], S[3, :p], i_lo, i_hi,
            box_lo, box_hi)
        offer[:] = protocols.alternating(
            i_lo, i_hi, step, indivisible, stepped or split.shape[0] > 0, S[0, turn],
            S[1, turn], level, w, G, P, shared_lo, shared_hi, own_lo, own_hi, same)
        _answer(S, turn, offer, level, va[party[NOISE, turn]], 0.0, out)  # would it take it?
        state[0], state[1] = 1, turn
        accepted[:] = False
        accepted[turn] = out[turn, ACCEPTS] > 0
    agreed = True
    for a in range(p):
        _answer(S, a, offer, out[a, LEVEL], va[party[NOISE, a]], 0.0, out)
        out[a, ACCEPTS], out[a, REJECTS] = accepted[a], judged and a == turn
        agreed = agreed and accepted[a]
    if not judged:
        return agreed, -1, -1
    # what the rejecting party disliked is the offer it turned down
    out[turn, SHORTFALL], out[turn, RED] = judged_short, judged_red
    return agreed, turn, _sticking(S, turn, rejected, int(judged_red))


@jit
def utilities(S, x):
    """Every actor's utility of deal ``x``."""
    out = np.empty(S.shape[1])
    for a in range(S.shape[1]):
        out[a] = utility(S[0, a], S[1, a], x)
    return out
