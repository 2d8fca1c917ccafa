"""The front line and what the parties believe about it (docs/model.md §4).

Between events the held area moves as Brownian motion with drift plus
compound-Poisson shocks, so an increment over any interval is drawn exactly
and the engine only looks at the front when something happens.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.jit import inline


def step(y: float, dt: float, drift: float, volatility: float, shocks_per_year: float,
         shock_mean: float, shock_sd: float, y_max: float, rng: np.random.Generator) -> float:
    """The held area ``dt`` days later, clipped to ``[0, y_max]``."""
    if dt <= 0:
        return y
    y += drift * dt + volatility * math.sqrt(dt) * rng.standard_normal()
    if shocks_per_year > 0:
        for _ in range(int(rng.poisson(shocks_per_year * dt / 365.0))):
            y += shock_mean + shock_sd * rng.standard_normal()
    return min(max(y, 0.0), y_max)


@inline
def update_belief(mean, var, dy, dt, noise_var):
    """Conjugate normal update of a belief ``Normal(mean, var)`` about the drift.

    Observing ``dy`` over ``dt`` days of a front with variance ``noise_var`` per
    day: precision ``1/v' = 1/v + dt/s2``, mean ``m' = v' (m/v + dy/s2)``.
    A dogmatic prior (var 0) never moves; a noiseless front reveals the drift.
    """
    if dt <= 0 or var == 0:
        return mean, var
    if noise_var == 0:
        return dy / dt, 0.0
    new_var = 1.0 / (1.0 / var + dt / noise_var)
    return new_var * (mean / var + dy / noise_var), new_var


@inline
def share_lost(y, reference):
    """The linked issue's no-deal value: share of the reference area lost, ``1 - y/y_ref``."""
    return 1.0 - y / reference
