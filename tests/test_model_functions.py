"""The model's plain functions against closed forms and brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sim.model import front, solver
from sim.model.effects import ActiveEffects, Effect
from sim.model.preferences import aspiration, no_deal_value, prefs, progress, utility, violated
from sim.scenario.distributions import Beta, Choice, Normal, Triangular, Uniform


class Actor:
    """One actor's preferences as the compiled functions take them (arrays), for tests."""

    def __init__(self, ideal, weight, red_line, lo, hi):
        self.p = np.array(ideal, dtype=float)
        self.g, self.box_lo, self.box_hi = prefs(self.p, *(np.array(a, dtype=float)
                                                           for a in (weight, red_line, lo, hi)))

    def utility(self, x):
        return utility(self.g, self.p, np.array(x, dtype=float))

    def violated(self, x):
        return violated(self.box_lo, self.box_hi, np.array(x, dtype=float))

# --- preferences ----------------------------------------------------------------------------

def test_utility_is_weighted_linear_satisfaction():
    pr = Actor([0.0, 1.0], [3.0, 1.0], [math.nan, 0.5], [0.0, 0.0], [1.0, 1.0])
    # weights 0.75 / 0.25; u = 0.75 (1 - x1) + 0.25 x2
    assert pr.utility([0.2, 0.6]) == pytest.approx(0.75 * 0.8 + 0.25 * 0.6)
    assert pr.utility([0.0, 1.0]) == 1.0 and pr.utility([1.0, 0.0]) == 0.0
    assert pr.violated([0.0, 0.4]) == 1 and pr.violated([0.0, 0.5]) == -1


def test_satisfaction_uses_the_far_end_of_the_range():
    pr = Actor([0.3], [1.0], [math.nan], [0.0], [1.0])  # D = 0.7
    assert pr.utility([1.0]) == pytest.approx(0.0)
    assert pr.utility([0.0]) == pytest.approx(1 - 0.3 / 0.7)


@pytest.mark.parametrize("ideal,red,inside,outside", [
    (0.0, 0.4, [0.0, 0.4], [0.41]), (1.0, 0.6, [0.6, 1.0], [0.59]),
    (0.5, 0.5, [0.5], [0.49, 0.51]),  # a red line at the ideal: only the ideal will do
])
def test_red_lines_bound_their_side(ideal, red, inside, outside):
    pr = Actor([ideal], [1.0], [red], [0.0], [1.0])
    assert all(pr.violated([x]) == -1 for x in inside)
    assert all(pr.violated([x]) == 0 for x in outside)


def test_degenerate_preferences():
    nobody_cares = Actor([0.0, 1.0], [0.0, 0.0], [math.nan] * 2, [0.0, 0.0], [1.0, 1.0])
    assert nobody_cares.utility([0.3, 0.9]) == 1.0
    point = Actor([2.0], [1.0], [math.nan], [2.0], [2.0])  # a zero-width issue
    assert point.utility([2.0]) == 1.0


def test_no_deal_value_grows_costlier_with_weariness():
    # d = u - c (1 + g t / 365) L
    assert no_deal_value(0.6, 0.001, 0.5, 100, 365) == pytest.approx(0.6 - 0.001 * 1.5 * 100)


@pytest.mark.parametrize("e,tau,expected", [
    (1, 0.25, 0.2 + 0.8 * 0.75), (0.2, 0.5, 0.2 + 0.8 * (1 - 0.5 ** 5)),
    (2, 0.25, 0.2 + 0.8 * 0.5), (0, 0.99, 1.0), (0, 1.0, 0.2), (math.inf, 0.0, 0.2),
])
def test_aspiration(e, tau, expected):
    assert aspiration(0.2, tau, e) == pytest.approx(expected)


def test_aspiration_never_below_a_no_deal_value_of_one_or_more():
    assert aspiration(1.2, 0.5, 1) == 1.2


def test_progress_is_clipped():
    assert [progress(t, -10, 90) for t in (-20, 40, 200)] == [0.0, 0.5, 1.0]
    assert progress(5, 10, 10) == 1.0


# --- the front and beliefs -------------------------------------------------------------------

def test_front_without_noise_is_exact_and_clipped():
    rng = np.random.default_rng(0)
    assert front.step(100.0, 10.0, -3.0, 0.0, 0.0, 0.0, 0.0, 500.0, rng) == 70.0
    assert front.step(10.0, 10.0, -3.0, 0.0, 0.0, 0.0, 0.0, 500.0, rng) == 0.0
    assert front.step(490.0, 10.0, 3.0, 0.0, 0.0, 0.0, 0.0, 500.0, rng) == 500.0


def test_front_increments_have_the_right_mean_and_variance():
    rng = np.random.default_rng(1)
    dt, drift, vol, rate, mean, sd = 20.0, -2.0, 10.0, 12.0, -50.0, 30.0
    steps = np.array([front.step(1e6, dt, drift, vol, rate, mean, sd, 2e6, rng) - 1e6
                      for _ in range(40_000)])
    lam = rate * dt / 365
    expected_mean = drift * dt + lam * mean
    expected_var = vol ** 2 * dt + lam * (mean ** 2 + sd ** 2)
    assert steps.mean() == pytest.approx(expected_mean, abs=4 * math.sqrt(expected_var / 40_000))
    assert steps.var() == pytest.approx(expected_var, rel=0.05)


def test_conjugate_normal_update():
    mean, var = front.update_belief(5.0, 4.0, dy=-30.0, dt=10.0, noise_var=100.0)
    assert var == pytest.approx(1 / (1 / 4 + 10 / 100))
    assert mean == pytest.approx(var * (5 / 4 - 30 / 100))
    assert front.update_belief(5.0, 0.0, -30.0, 10.0, 100.0) == (5.0, 0.0)  # dogmatic
    assert front.update_belief(5.0, 4.0, -30.0, 10.0, 0.0) == (-3.0, 0.0)  # noiseless front


def test_beliefs_converge_to_the_true_drift():
    rng = np.random.default_rng(2)
    mean, var = 10.0, 25.0
    for _ in range(200):
        dy = -4.0 * 7 + 30 * math.sqrt(7) * rng.standard_normal()
        mean, var = front.update_belief(mean, var, dy, 7.0, 900.0)
    assert abs(mean + 4.0) < 4 * math.sqrt(var) and var < 1.0


# --- distributions ---------------------------------------------------------------------------

DISTS = [Uniform(dist="uniform", low=-1, high=2), Normal(dist="normal", mean=0, sd=1, low=-0.5),
         Triangular(dist="triangular", low=0, mode=1, high=4), Beta(dist="beta", a=2, b=3,
                                                                    low=1, high=3),
         Choice(dist="choice", values=[1, 2, 5], p=[0.2, 0.3, 0.5])]


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d.dist)
def test_draws_stay_in_support_and_repeat(dist):
    draws = [dist.draw(np.random.default_rng(s)) for s in range(2000)]
    lo, hi = dist.support()
    assert all(lo <= x <= hi for x in draws)
    assert draws == [dist.draw(np.random.default_rng(s)) for s in range(2000)]


def test_distribution_means():
    rng = np.random.default_rng(3)
    n = 50_000
    assert np.mean([DISTS[2].draw(rng) for _ in range(n)]) == pytest.approx(5 / 3, abs=0.02)
    assert np.mean([DISTS[3].draw(rng) for _ in range(n)]) == pytest.approx(1 + 2 * 0.4, abs=0.01)
    assert np.mean([DISTS[4].draw(rng) for _ in range(n)]) == pytest.approx(3.3, abs=0.03)


# --- effects ----------------------------------------------------------------------------------

def test_effects_fold_in_order_clamp_and_leave_no_trace():
    start = [10.0, 2.0, 0.5]  # slot 2 holds amounts
    values = list(start) + [3.0, 0.4]
    effects = ActiveEffects(tuple(values), [(0, 12), (0, 5), (-1e9, 1e9), (-1e9, 1e9),
                                            (-1e9, 1e9)])
    add = effects.begin([Effect(0, 0, 3)], values)  # +3
    assert values[0] == 12  # 13 clamped to the upper bound 12
    scale = effects.begin([Effect(0, 2, 2)], values)  # then x 0.5
    assert values[0] == 6.5
    effects.end(add, values)
    assert values[0] == 5.0
    setting = effects.begin([Effect(1, 1, 4)], values)
    assert values[1] == 0.4
    effects.end(scale, values)
    effects.end(setting, values)
    assert values[:2] == [10.0, 2.0]


# --- the solver against brute force -----------------------------------------------------------

def random_terms(draw, n_terms, n_issues):
    """Terms as the solver takes them: arrays beta, c, G, P."""
    beta, c, g, p = [], [], [], []
    for _ in range(n_terms):
        weights = [draw(st.floats(0.01, 1)) for _ in range(n_issues)]
        ideals = [draw(st.floats(0, 1)) for _ in range(n_issues)]
        pr = Actor(ideals, weights, [math.nan] * n_issues, [0.0] * n_issues, [1.0] * n_issues)
        beta.append(draw(st.floats(0.2, 2)))
        c.append(1.0 - draw(st.floats(0, 0.4)))
        g.append(pr.g)
        p.append(pr.p)
    return tuple(np.array(v, dtype=float) for v in (beta, c, g, p))


@st.composite
def problems(draw):
    n_issues = draw(st.integers(1, 2))
    return random_terms(draw, draw(st.integers(2, 3)), n_issues), n_issues


GRID = [np.array(point) for point in itertools.product([i / 40 for i in range(41)], repeat=2)]


def worst(c, g, p, x):
    return min(solver.value(c[j], g[j], p[j], x) for j in range(len(c)))


@given(problems())
def test_nash_beats_every_grid_point(problem):
    (beta, c, g, p), k = problem
    lo, hi = np.zeros(k), np.ones(k)
    start, low = solver.maxmin(c, g, p, lo, hi)
    assume(low > 1e-9)  # a deal that beats no deal for everyone: Nash's problem has one
    x = solver.nash(beta, c, g, p, lo, hi, start)
    best = solver.nash_value(beta, c, g, p, x)
    for point in GRID[::41 if k == 1 else 1]:
        assert solver.nash_value(beta, c, g, p, point[:k]) <= best + 1e-9


@given(problems())
def test_maxmin_beats_every_grid_point(problem):
    (_, c, g, p), k = problem
    x, low = solver.maxmin(c, g, p, np.zeros(k), np.ones(k))
    assert low == pytest.approx(worst(c, g, p, x))
    for point in GRID[::41 if k == 1 else 1]:
        assert worst(c, g, p, point[:k]) <= low + 1e-6


@given(st.floats(0, 1), st.floats(0.05, 1))
def test_walk_stops_where_the_mover_reaches_its_level(level, weight):
    mover = (1.0, np.array([1.0]), np.array([1.0]))  # utility x
    other = (np.array([weight]), np.ones(1), np.array([[1.0]]), np.array([[0.0]]))  # 1 - x
    x = solver.walk(*mover, *other, np.zeros(1), np.ones(1), solver.STOP_LEVEL, level)
    assert x[0] == pytest.approx(level)
