"""Preferences (docs/model.md §2, §3, §5): utilities, red lines, the value of no deal, and
aspirations. Plain functions of explicit inputs (floats and float arrays), compiled by
numba so that a talk round (``round``) can call them without leaving machine code."""

from __future__ import annotations

import math

import numpy as np

from sim.model.jit import inline, jit


@jit
def prefs(ideal, weight, red_line, lo, hi):
    """One actor's ``(g, box_lo, box_hi)``: normalised weights over the largest distance
    from the ideal, ``u(x) = 1 - sum_k g_k |x_k - p_k|``, and the acceptable box its red
    lines leave on each issue (the issue's range where it has none: NaN).

    An actor with all weights zero cares about nothing: its utility is 1 for
    every deal. On a zero-width issue every value is the ideal.
    """
    n = ideal.shape[0]
    total = 0.0
    for k in range(n):
        total += weight[k]
    g, box_lo, box_hi = np.empty(n), lo.copy(), hi.copy()
    for k in range(n):
        p = ideal[k]
        reach = p - lo[k]
        if hi[k] - p > reach:
            reach = hi[k] - p
        g[k] = weight[k] / total / reach if total > 0 and reach > 0 else 0.0
        r = red_line[k]
        if not math.isnan(r):  # the red line bounds the side it lies on; at the ideal, both
            if r >= p:
                box_hi[k] = r
            if r <= p:
                box_lo[k] = r
    return g, box_lo, box_hi


@inline
def utility(g, p, x):
    """``u(x) = sum_k w_k (1 - |x_k - p_k| / D_k) = 1 - sum_k g_k |x_k - p_k|``, in [0, 1]."""
    u = 1.0
    for k in range(x.shape[0]):
        u -= g[k] * abs(x[k] - p[k])
    return u


@inline
def violated(box_lo, box_hi, x, tol=1e-9):
    """Index of the issue whose red line ``x`` crosses most (relative to the box), or -1."""
    worst, where = tol, -1
    for k in range(x.shape[0]):
        below, above = box_lo[k] - x[k], x[k] - box_hi[k]
        excess = above if above > below else below
        if excess > worst:
            worst, where = excess, k
    return where


@inline
def war_cost(cost, weariness, day):
    """Cost per day at ``day``: ``c (1 + g t / 365)`` (ripeness: the stalemate hurts more)."""
    return cost * (1.0 + weariness * day / 365.0)


@inline
def no_deal_value(u_projected, cost, weariness, planning, day):
    """``d(t) = u(x_hat(t)) - c(t) L``: the projected outcome less the cost of fighting on."""
    return u_projected - war_cost(cost, weariness, day) * planning


@inline
def progress(day, start, deadline):
    """``tau = clip((t - t_start) / (t_deadline - t_start), 0, 1)``."""
    if deadline <= start:
        return 1.0
    tau = (day - start) / (deadline - start)
    return 0.0 if tau < 0.0 else 1.0 if tau > 1.0 else tau


@inline
def aspiration(d, tau, e):
    """``A = d + (1 - d)(1 - tau^(1/e))``: from 1 down to the no-deal value d at the deadline.

    e < 1 holds out (Boulware), e = 1 linear, e > 1 concedes early; e = 0 never
    concedes before the deadline; e = inf starts at d. (NegMAS's exponent is 1/e.)
    A party whose no-deal value is already 1 or more wants at least that.
    """
    if d >= 1:
        return d
    if e == 0:
        level = 0.0 if tau < 1 else 1.0
    elif math.isinf(e):
        level = 1.0
    else:
        level = tau ** (1.0 / e)
    return d + (1.0 - d) * (1.0 - level)
