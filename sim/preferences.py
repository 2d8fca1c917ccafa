"""Preferences (DESIGN.md 1.2, 1.3, 1.5): utilities, red lines, the value of no deal, and
aspirations. Plain functions of explicit inputs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Prefs:
    """One actor's preferences ready for arithmetic: ``u(x) = 1 - sum g_k |x_k - p_k|``."""

    g: tuple[float, ...]  # normalised weight / largest distance from the ideal
    p: tuple[float, ...]  # ideal
    lo: tuple[float, ...]  # acceptable box from the red lines (the range if none)
    hi: tuple[float, ...]


@dataclass(frozen=True)
class Stack:
    """Several actors' ``Prefs`` as arrays, one row per actor: what the compiled proposal
    kernels read."""

    g: np.ndarray
    p: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def stack(actors: Sequence[Prefs]) -> Stack:
    """The actors' preferences as arrays (rows in the given order)."""
    return Stack(*(np.array([getattr(pr, name) for pr in actors], dtype=float)
                   for name in ("g", "p", "lo", "hi")))


def prefs(ideal: Sequence[float], weight: Sequence[float], red_line: Sequence[float],
          lo: Sequence[float], hi: Sequence[float]) -> Prefs:
    """Normalise weights and turn red lines into a box. NaN red line: none.

    An actor with all weights zero cares about nothing: its utility is 1 for
    every deal. On a zero-width issue every value is the ideal.
    """
    total = sum(weight)
    g = []
    box_lo, box_hi = list(lo), list(hi)
    for k, p in enumerate(ideal):
        reach = max(p - lo[k], hi[k] - p)
        g.append(weight[k] / total / reach if total > 0 and reach > 0 else 0.0)
        r = red_line[k]
        if not math.isnan(r):  # the red line bounds the side it lies on; at the ideal, both
            if r >= p:
                box_hi[k] = r
            if r <= p:
                box_lo[k] = r
    return Prefs(tuple(g), tuple(ideal), tuple(box_lo), tuple(box_hi))


def utility(pr: Prefs, x: Sequence[float]) -> float:
    """``u(x) = sum_k w_k (1 - |x_k - p_k| / D_k)``, in [0, 1]."""
    u = 1.0
    for k, xk in enumerate(x):
        u -= pr.g[k] * abs(xk - pr.p[k])
    return u


def violated(pr: Prefs, x: Sequence[float], tol: float = 1e-9) -> int:
    """Index of the issue whose red line ``x`` crosses most (relative to the box), or -1."""
    worst, where = tol, -1
    for k, xk in enumerate(x):
        excess = max(pr.lo[k] - xk, xk - pr.hi[k])
        if excess > worst:
            worst, where = excess, k
    return where


def war_cost(cost: float, weariness: float, day: float) -> float:
    """Cost per day at ``day``: ``c (1 + g t / 365)`` (ripeness: the stalemate hurts more)."""
    return cost * (1.0 + weariness * day / 365.0)


def no_deal_value(u_projected: float, cost: float, weariness: float, planning: float,
                  day: float) -> float:
    """``d(t) = u(x_hat(t)) - c(t) L``: the projected outcome less the cost of fighting on."""
    return u_projected - war_cost(cost, weariness, day) * planning


def progress(day: float, start: float, deadline: float) -> float:
    """``tau = clip((t - t_start) / (t_deadline - t_start), 0, 1)``."""
    if deadline <= start:
        return 1.0
    return min(max((day - start) / (deadline - start), 0.0), 1.0)


def aspiration(d: float, tau: float, e: float) -> float:
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
