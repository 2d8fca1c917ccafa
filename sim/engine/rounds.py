"""A talk round's arithmetic in one compiled call (DESIGN.md 1.2-1.8).

The engine decides when a round happens and carries out what follows from it
(levers' effects, walkouts, the record); these kernels compute what happens
inside it: each party looks at the front and updates its belief about the
drift, values no deal, sets its aspiration; the mediator proposes (or the
party whose turn it is answers the offer on the table and makes its own);
every party answers; after a rejection the mediator's levers may fire and
parties may walk out.

Numba passes a few arrays much faster than many (about 75 ns an array), so the
kernels take: the parameter values ``va``; the model's ``Layout`` packed into
two flat arrays (``layout``, built once per model); and a ``Workspace``, one
float array per replication that holds the state carried between rounds and a
round's results, which the engine reads through named views (``workspace``).
``derive`` recomputes the actors' preferences when an effect changes them.
"""

from __future__ import annotations

import math
from itertools import chain
from typing import NamedTuple

import numpy as np

from sim.engine.compile import Model
from sim.model import front, solver
from sim.model import proposals as protocols
from sim.model.jit import inline, jit
from sim.model.preferences import aspiration, no_deal_value, prefs, progress, utility, violated

ACCEPT_TOL = 1e-12  # a deal exactly at the aspiration is accepted despite rounding

# rows of Layout.party: slots of each party's parameters
BATNA, WAR_COST, WEARINESS, PLANNING, EXPONENT, NOISE, POWER, WALKOUT = range(8)
# rows of Layout.levers: each lever's target party, probability slot, most fires
TARGET, PROBABILITY, MAX_FIRES = range(3)
# columns of a round's ``out``: one row per party
D, LEVEL, U, ACCEPTS, SHORTFALL, RED, REJECTS, WALKS = range(8)
COLUMNS = 8
# the packed layout's header (``layout``): parties, actors, issues, split issues, stepped,
# bias slot, information slot, field issue, levers
HEADER = 9
# flags of the workspace (``Workspace.flags``)
HAS_WARM, HAS_OFFER, AUTHOR = range(3)


class Layout(NamedTuple):
    """Where a model's numbers are: slot indices into the parameter values ``va``, and the
    issues' fixed shape. Kernels unpack it (``_layout``) from the two flat arrays that
    ``layout`` builds once per model."""

    party: np.ndarray  # int (8, parties): BATNA .. WALKOUT
    levers: np.ndarray  # int (3, levers): TARGET, PROBABILITY, MAX_FIRES
    ideal: np.ndarray  # int (actors, issues); actors are the parties, then the mediator
    weight: np.ndarray
    red_line: np.ndarray
    status_quo: np.ndarray  # int (issues,)
    split: np.ndarray  # int: the indivisible issues
    i_lo: np.ndarray  # float (issues,)
    i_hi: np.ndarray
    step: np.ndarray
    indivisible: np.ndarray  # bool (issues,)
    stepped: bool
    bias: int  # slot
    information: int  # slot
    field_issue: int  # -1: no battlefield
    max_held: float
    reference: float
    start_day: float


class Workspace(NamedTuple):
    """A replication's state between rounds and a round's results: views of one float array
    (``workspace``) that the engine keeps and the kernels update in place."""

    seen: np.ndarray  # (day, held area) at the parties' last look at the front
    belief: np.ndarray  # (parties, 2): each party's belief (mean, variance) about the drift
    box_lo: np.ndarray  # the deals within every party's red lines (``protocols.common_box``)
    box_hi: np.ndarray
    warm: np.ndarray  # mediated: last round's continuous optimum
    proposal: np.ndarray  # mediated: this round's proposal
    offer: np.ndarray  # alternating: the offer on the table
    accepted: np.ndarray  # alternating: who has accepted it (1.0 / 0.0)
    fires: np.ndarray  # how often each lever has fired
    active: np.ndarray  # whether each lever is in force (1.0 / 0.0)
    fired: np.ndarray  # whether each lever fired this round (1.0 / 0.0)
    flags: np.ndarray  # HAS_WARM, HAS_OFFER, AUTHOR
    out: np.ndarray  # (parties, COLUMNS): a round's numbers, one row per party
    S: np.ndarray  # (4, actors, issues): every actor's g, ideal, red-line box lo, hi


class Packed(NamedTuple):
    """A model's ``Layout`` packed for the kernels, and the slots its preferences read."""

    ints: np.ndarray  # HEADER, then the slot indices, the status quo, the split issues
    floats: np.ndarray  # max_held, reference, start_day, then the issues' lo, hi, step, ...
    preference_slots: frozenset[int]  # ideals, weights, red lines: what ``derive`` reads


_packed: dict[int, tuple[Model, Packed]] = {}


def layout(m: Model) -> Packed:
    """The model's layout packed for the kernels (kept per model object: replications reuse
    it)."""
    hit = _packed.get(id(m))
    if hit is None or hit[0] is not m:
        if len(_packed) >= 64:
            _packed.clear()
        split = [k for k, indivisible in enumerate(m.indivisible) if indivisible]
        ints = [len(m.parties), len(m.ideal), len(m.issues), len(split), any(m.step), m.bias,
                m.information, m.field_issue, len(m.levers)]  # the header
        for row in (m.batna, m.war_cost, m.weariness, m.planning, m.exponent, m.noise,
                    m.power, m.walkout, [lv.target for lv in m.levers],
                    [lv.probability for lv in m.levers],
                    [min(lv.max_fires, 2 ** 62) for lv in m.levers],
                    *m.ideal, *m.weight, *m.red_line, m.status_quo, split):
            ints += row
        floats = [m.max_held, m.reference, m.start_day, *m.lo, *m.hi, *m.step, *m.indivisible]
        reads = frozenset(chain(*m.ideal, *m.weight, *m.red_line))
        ints, floats = np.array(ints, np.int64), np.array(floats, float)
        hit = _packed[id(m)] = (m, Packed(ints, floats, reads))
    return hit[1]


@jit
def _layout(ints, floats):
    """Unpack ``layout``'s arrays into a ``Layout`` of views."""
    p, A, n, n_split, n_levers = ints[0], ints[1], ints[2], ints[3], ints[8]
    o = HEADER
    party = ints[o:o + 8 * p].reshape(8, p)
    o += 8 * p
    levers = ints[o:o + 3 * n_levers].reshape(3, n_levers)
    o += 3 * n_levers
    ideal = ints[o:o + A * n].reshape(A, n)
    weight = ints[o + A * n:o + 2 * A * n].reshape(A, n)
    red_line = ints[o + 2 * A * n:o + 3 * A * n].reshape(A, n)
    o += 3 * A * n
    issue = floats[3:3 + 4 * n].reshape(4, n)  # lo, hi, step, indivisible
    return Layout(party, levers, ideal, weight, red_line, ints[o:o + n],
                  ints[o + n:o + n + n_split], issue[0], issue[1], issue[2], issue[3] != 0.0,
                  ints[4] != 0, ints[5], ints[6], ints[7], floats[0], floats[1], floats[2])


def workspace_size(m: Model) -> int:
    """Length of the float array that holds a replication's ``Workspace``."""
    p, A, n, n_levers = len(m.parties), len(m.ideal), len(m.issues), len(m.levers)
    return 2 + 2 * p + 5 * n + p + 3 * n_levers + 3 + COLUMNS * p + 4 * A * n


def workspace(work: np.ndarray, ints: np.ndarray) -> Workspace:
    """The ``Workspace`` views of ``work`` (``workspace_size`` floats) for the layout
    ``ints``. Plain numpy for the engine (numba would box thirteen arrays more slowly);
    ``_workspace`` is the same compiled, for the kernels."""
    p, A, n, n_levers = ints[0], ints[1], ints[2], ints[8]
    o = 2 + 2 * p
    belief = work[2:o].reshape(p, 2)
    box_lo, box_hi, warm = work[o:o + n], work[o + n:o + 2 * n], work[o + 2 * n:o + 3 * n]
    proposal, offer = work[o + 3 * n:o + 4 * n], work[o + 4 * n:o + 5 * n]
    o += 5 * n
    accepted, fires = work[o:o + p], work[o + p:o + p + n_levers]
    o += p + n_levers
    active, fired = work[o:o + n_levers], work[o + n_levers:o + 2 * n_levers]
    o += 2 * n_levers
    flags = work[o:o + 3]
    o += 3
    out = work[o:o + COLUMNS * p].reshape(p, COLUMNS)
    o += COLUMNS * p
    return Workspace(work[0:2], belief, box_lo, box_hi, warm, proposal, offer, accepted, fires,
                     active, fired, flags, out, work[o:o + 4 * A * n].reshape(4, A, n))


_workspace = jit(workspace)


@jit
def derive(va, work, ints, floats):
    """Every actor's preferences from the parameter values ``va`` into ``S`` (g, ideal,
    red-line box lo, hi; one row per actor), and the box of deals within every party's
    red lines (``protocols.common_box``)."""
    L, w = _layout(ints, floats), _workspace(work, ints)
    S = w.S
    for a in range(S.shape[1]):
        p_a = va[L.ideal[a]]
        g, lo, hi = prefs(p_a, va[L.weight[a]], va[L.red_line[a]], L.i_lo, L.i_hi)
        S[0, a], S[1, a], S[2, a], S[3, a] = g, p_a, lo, hi
    p = L.party.shape[1]
    box_lo, box_hi = protocols.common_box(L.i_lo, L.i_hi, S[2, :p], S[3, :p])
    w.box_lo[:], w.box_hi[:] = box_lo, box_hi


@jit
def field_value(held, lo, hi, reference):
    """Value of the battlefield issue (range ``lo``..``hi``) if the holder held ``held`` km2
    of the ``reference`` area."""
    share = solver._min(solver._max(front.share_lost(held, reference), 0.0), 1.0)
    return lo + (hi - lo) * share


@inline
def _no_deal(day, deadline, y, noise_var, va, L, w):
    """Each party's d(t) (fixed batna, or its projected no-deal outcome less war costs) and
    aspiration in ``w.out``, after it looks at the front (last seen at ``w.seen``) and
    updates its belief (mean, variance) about the drift."""
    p, seen, belief, out, S = L.party.shape[1], w.seen, w.belief, w.out, w.S
    field, party = L.field_issue, L.party
    if field >= 0:
        dt, dy = day - seen[0], y - seen[1]
        for a in range(p):
            belief[a, 0], belief[a, 1] = front.update_belief(belief[a, 0], belief[a, 1], dy,
                                                             dt, noise_var)
        seen[0], seen[1] = day, y
    x = va[L.status_quo]
    tau = progress(day, L.start_day, deadline)
    for a in range(p):
        d = va[party[BATNA, a]]
        if math.isnan(d):
            planning = va[party[PLANNING, a]]
            if field >= 0:
                projected = solver._min(solver._max(y + belief[a, 0] * planning, 0.0),
                                        L.max_held)
                x[field] = field_value(projected, L.i_lo[field], L.i_hi[field], L.reference)
            d = no_deal_value(utility(S[0, a], S[1, a], x), va[party[WAR_COST, a]],
                              va[party[WEARINESS, a]], planning, day)
        out[a, D] = d
        out[a, LEVEL] = aspiration(d, tau, va[party[EXPONENT, a]])


@inline
def _answer(S, a, x, level, noise, shock, out):
    """Party ``a``'s answer to deal ``x`` in ``out[a]``: utility, whether it accepts, its
    shortfall from what it wants, the red line crossed (-1: none). It accepts iff x
    respects its red lines and ``u >= A + noise * shock``."""
    u, red = utility(S[0, a], S[1, a], x), violated(S[2, a], S[3, a], x)
    wanted = level + noise * shock
    out[a, U], out[a, SHORTFALL], out[a, RED] = u, wanted - u, red
    out[a, ACCEPTS] = red < 0 and u >= wanted - ACCEPT_TOL


@inline
def _blocker(out):
    """The rejecting party furthest from what it wants (the first of equals), or -1."""
    blocker = -1
    for a in range(out.shape[0]):
        if out[a, REJECTS] and (blocker < 0 or out[a, SHORTFALL] > out[blocker, SHORTFALL]):
            blocker = a
    return blocker


@inline
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


@inline
def _pressure(va, uniforms, row, L, w):
    """After a rejection: each lever not in force that is aimed at a rejecting party fires
    (at most its ``max_fires`` times) with its probability, the mediator's credibility
    (``w.fired``); each rejecting party walks out with its probability (``out[:, WALKS]``).
    ``uniforms[row]``: the round's uniforms (levers, then parties). Returns how many
    levers fired and how many parties walked out."""
    out, n_levers = w.out, L.levers.shape[1]
    fired = walked = 0
    for i in range(n_levers):
        w.fired[i] = 0.0
        if out[L.levers[TARGET, i], REJECTS] and w.active[i] == 0.0 and \
                w.fires[i] < L.levers[MAX_FIRES, i] and \
                uniforms[row, i] < va[L.levers[PROBABILITY, i]]:
            w.fires[i] += 1.0
            w.active[i] = w.fired[i] = 1.0
            fired += 1
    for a in range(out.shape[0]):
        out[a, WALKS] = out[a, REJECTS] and uniforms[row, n_levers + a] < va[L.party[WALKOUT, a]]
        walked += out[a, WALKS] > 0
    return fired, walked


@jit
def mediated_round(day, deadline, y, noise_var, row, normals, uniforms, va, work, ints,
                   floats):
    """``_mediated`` on the workspace ``work`` of a model packed as ``ints``, ``floats``."""
    return _mediated(day, deadline, y, noise_var, row, normals, uniforms, va,
                     _layout(ints, floats), _workspace(work, ints))


@inline
def _mediated(day, deadline, y, noise_var, row, normals, uniforms, va, L, w):
    """A round with the mediator's single text (``protocols.mediated``), proposed from the
    parties' no-deal values as the mediator sees them (``information`` noise).

    ``normals[row]``: the round's standard normals (mediator's information, then
    the parties' decision noise). Writes the proposal, next round's warm start
    and each party's numbers (``out``) into the workspace ``w``; returns whether
    everyone accepts, the blocker and the sticking issue (-1: nobody rejected), and
    how many levers fired and parties walked out (which: ``_pressure``).
    """
    _no_deal(day, deadline, y, noise_var, va, L, w)
    p, S, out, party = L.party.shape[1], w.S, w.out, L.party
    d_hat = np.empty(p)
    for a in range(p):
        d_hat[a] = out[a, D] + va[L.information] * normals[row, a]
    weight_m = va[L.bias]
    m = 1 if S.shape[1] > p and weight_m > 0 else 0  # the mediator's own term in the product
    x, cont = protocols.mediated(L.i_lo, L.i_hi, L.step, L.indivisible, L.split, L.stepped,
                                 S[0, :p], S[1, :p], va[party[POWER]], d_hat,
                                 np.full(m, weight_m), S[0, p:p + m], S[1, p:p + m], w.warm,
                                 w.flags[HAS_WARM] != 0.0, w.box_lo, w.box_hi)
    w.proposal[:], w.warm[:], w.flags[HAS_WARM] = x, cont, 1.0
    agreed = True
    for a in range(p):
        _answer(S, a, x, out[a, LEVEL], va[party[NOISE, a]], normals[row, p + a], out)
        out[a, REJECTS] = not out[a, ACCEPTS]
        agreed = agreed and out[a, ACCEPTS] > 0
    if agreed:
        return True, -1, -1, 0, 0
    blocker = _blocker(out)
    fired, walked = _pressure(va, uniforms, row, L, w)
    return False, blocker, _sticking(S, blocker, x, int(out[blocker, RED])), fired, walked


@jit
def alternating_round(day, deadline, turn, y, noise_var, row, normals, uniforms, va, work,
                      ints, floats):
    """``_alternating`` on the workspace ``work`` of a model packed as ``ints``, ``floats``."""
    L, w = _layout(ints, floats), _workspace(work, ints)
    return _alternating(day, deadline, turn, y, noise_var, row, normals, uniforms, va, L, w,
                        _offer_space(turn, va, L, w))


@inline
def _offer_space(turn, va, L, w):
    """``protocols.offer_space`` of party ``turn``: what its offers depend on besides its
    aspiration (the same in every round until an effect changes a preference)."""
    p, S = L.party.shape[1], w.S
    return protocols.offer_space(turn, va[L.party[POWER]], S[0, :p], S[1, :p], S[2, :p],
                                 S[3, :p], L.i_lo, L.i_hi, w.box_lo, w.box_hi)


@inline
def _alternating(day, deadline, turn, y, noise_var, row, normals, uniforms, va, L, w, space):
    """A round of stacked alternating offers: the party whose ``turn`` it is accepts the
    offer on the table, or rejects it and puts its own (``protocols.alternating``: at its
    aspiration, best for the others).

    The offer, whether there is one and its author (``flags``) and who has
    accepted it carry over between rounds in the workspace ``w``; an earlier
    acceptance stands while the offer respects that party's red lines and gives
    it at least its no-deal value now. ``space``: the
    party's ``_offer_space``. Fills ``out`` and returns what ``mediated_round`` returns.
    """
    _no_deal(day, deadline, y, noise_var, va, L, w)
    p, S, out, party, offer, accepted = L.party.shape[1], w.S, w.out, L.party, w.offer, \
        w.accepted
    level = out[turn, LEVEL]
    on_table = w.flags[HAS_OFFER] != 0.0
    judged, rejected, judged_short, judged_red = False, offer.copy(), 0.0, -1.0
    if on_table:
        _answer(S, turn, offer, level, va[party[NOISE, turn]], normals[row, p + turn], out)
        if out[turn, ACCEPTS]:
            accepted[turn] = 1.0
        else:
            judged, judged_short, judged_red = True, out[turn, SHORTFALL], out[turn, RED]
    if not on_table or judged:
        weights, G, P, shared_lo, shared_hi, own_lo, own_hi, same = space
        offer[:] = protocols.alternating(
            L.i_lo, L.i_hi, L.step, L.indivisible, L.stepped or L.split.shape[0] > 0,
            S[0, turn], S[1, turn], level, weights, G, P, shared_lo, shared_hi, own_lo, own_hi,
            same)
        _answer(S, turn, offer, level, va[party[NOISE, turn]], 0.0, out)  # would it take it?
        w.flags[HAS_OFFER], w.flags[AUTHOR] = 1.0, turn
        accepted[:] = 0.0
        accepted[turn] = out[turn, ACCEPTS]
    agreed = True
    for a in range(p):
        _answer(S, a, offer, out[a, LEVEL], va[party[NOISE, a]], 0.0, out)
        if a != turn and (out[a, RED] >= 0 or out[a, U] < out[a, D] - ACCEPT_TOL):
            accepted[a] = 0.0  # an acceptance lapses once the offer crosses a red line or
            # falls below no deal (an effect moved one, or the war changed d)
        out[a, ACCEPTS], out[a, REJECTS] = accepted[a], judged and a == turn
        agreed = agreed and accepted[a] > 0
    if not judged:
        return agreed, -1, -1, 0, 0
    # what the rejecting party disliked is the offer it turned down
    out[turn, SHORTFALL], out[turn, RED] = judged_short, judged_red
    fired, walked = _pressure(va, uniforms, row, L, w)
    return agreed, turn, _sticking(S, turn, rejected, int(judged_red)), fired, walked


@jit
def utilities(S, x):
    """Every actor's utility of deal ``x``."""
    out = np.empty(S.shape[1])
    for a in range(S.shape[1]):
        out[a] = utility(S[0, a], S[1, a], x)
    return out


# columns of a run's ``trace`` (``talk_run``), one row per round played: these, then the deal
# on the table (one column per issue), then each party's U, LEVEL, D, ACCEPTS
T_DAY, T_AGREED, T_BLOCKER, T_STICKING, T_FIRED, T_WALKED, T_AUTHOR = range(7)
TRACE = 7


def trace_width(m: Model) -> int:
    """Columns of a run's ``trace``."""
    return TRACE + len(m.issues) + 4 * len(m.parties)


@jit
def talk_run(alternating, now, anchor, n, every, jitter, deadline, exits, horizon, until,
             round_no, row, y, noise_var, normals, uniforms, va, work, ints, floats, trace):
    """The periodic rounds after round ``n`` of the schedule anchored at ``anchor`` (the
    engine's ``_talks``), played one after another in one call while nothing else can
    happen between them (the engine has checked: no front line moves).

    The clock starts at ``now`` and moves as SimPy's does. It stops after a round
    that sets something in motion (an agreement, a lever fired, a walkout) and before a
    round it must not play: at or after ``until`` (the next thing the engine has
    scheduled), after the deadline when the mediator then leaves, at or after the horizon,
    or beyond the rows of random numbers drawn (``row``: the first round's row). Round
    ``k`` fills ``trace[k]`` (columns ``T_DAY`` ..); the workspace holds the last round's
    state. Returns how many rounds it played.
    """
    L, w, p, n_issues = _layout(ints, floats), _workspace(work, ints), ints[0], ints[2]
    # each proposer's offer space: nothing changes it during a run (alternating offers only)
    spaces = [_offer_space(a, va, L, w) for a in range(p if alternating else 0)]
    k = 0
    while row + k < normals.shape[0] and k < trace.shape[0]:
        m = n + k + 1
        wobble = jitter * (2.0 * uniforms[row + k, uniforms.shape[1] - 1] - 1.0) if m > 0 \
            else 0.0
        day = anchor + m * every + wobble
        if now > day:  # Python's max(day, now)
            day = now
        if (exits and day > deadline) or day >= horizon or now + (day - now) >= until:
            break
        now = now + (day - now)  # as SimPy's clock moves: the day of a round played alone
        if alternating:
            agreed, blocker, sticking, fired, walked = _alternating(
                now, deadline, (round_no + k) % p, y, noise_var, row + k, normals, uniforms,
                va, L, w, spaces[(round_no + k) % p])
            table = w.offer
        else:
            agreed, blocker, sticking, fired, walked = _mediated(
                now, deadline, y, noise_var, row + k, normals, uniforms, va, L, w)
            table = w.proposal
        trace[k, T_DAY], trace[k, T_AGREED], trace[k, T_BLOCKER] = now, agreed, blocker
        trace[k, T_STICKING], trace[k, T_FIRED], trace[k, T_WALKED] = sticking, fired, walked
        trace[k, T_AUTHOR] = w.flags[AUTHOR]
        for i in range(n_issues):
            trace[k, TRACE + i] = table[i]
        o = TRACE + n_issues
        for a in range(p):
            trace[k, o], trace[k, o + 1] = w.out[a, U], w.out[a, LEVEL]
            trace[k, o + 2], trace[k, o + 3] = w.out[a, D], w.out[a, ACCEPTS]
            o += 4
        k += 1
        if agreed or fired or walked:
            break
    return k
