"""Rounding proposals to the issues' grid: steps and indivisible issues.

A continuous optimum is turned into the deals next to it on the grid (every
combination of the floor and ceiling values of each stepped issue, both ends of
each indivisible one); the protocol then keeps the best of them by its own
criterion (``better`` compares as Python compares tuples).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.model import solver
from sim.model.jit import inline, jit

MAX_COMBINATIONS = 64  # of floor/ceil roundings tried; beyond it, nearest rounding


@jit
def round12(x):
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
def better(ok, score, best_ok, best):
    """``(ok, score) > (best_ok, best)`` as Python compares tuples."""
    if ok != best_ok:
        return ok > best_ok
    return score > best


@inline
def values_near(lo_k, hi_k, step_k, indivisible_k, v, lo, hi, out):
    """The allowed values next to v on one issue, inside [lo, hi] where possible; written
    to ``out``, their number returned."""
    if indivisible_k:
        o0, o1, n_options = lo_k, hi_k, 2
    else:
        n = math.floor((v - lo_k) / step_k + 1e-9)
        a = round12(solver._min(lo_k + n * step_k, hi_k))
        b = round12(solver._min(lo_k + (n + 1) * step_k, hi_k))
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
def neighbours(x, i_lo, i_hi, step, indivisible, lo, hi):
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
        counts[i] = values_near(i_lo[k], i_hi[k], step[k], indivisible[k], x[k], lo[k], hi[k],
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
