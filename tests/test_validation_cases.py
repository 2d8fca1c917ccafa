"""docs/model.md §11: closed forms the engine must reproduce, through the real engine,
from the scenario files under scenarios/textbook/."""

from __future__ import annotations

import math
import statistics

import pytest

from tests.helpers import outcome, outcomes, textbook

EXACT = 1e-12


def test_nash_two_parties_equal_power():
    o = outcome(textbook("nash-two"))
    assert o["outcome"] == "agreement" and o["rounds"] == 1
    assert o["deal.x"] == pytest.approx(0.45, abs=EXACT)


def test_nash_two_parties_with_power():
    o = outcome(textbook("nash-two", **{"actors.a.power": 0.6, "actors.b.power": 0.4}))
    assert o["deal.x"] == pytest.approx(0.50, abs=EXACT)


@pytest.mark.parametrize("d_a,d_b,beta_a", [(0.0, 0.0, 1), (0.1, 0.6, 1), (0.3, 0.3, 3),
                                            (0.25, 0.05, 0.2)])
def test_nash_two_parties_closed_form(d_a, d_b, beta_a):
    sc = textbook("nash-two", **{"actors.a.batna": d_a, "actors.b.batna": d_b,
                                 "actors.a.power": beta_a})
    expected = d_a + beta_a / (beta_a + 1) * (1 - d_a - d_b)
    assert outcome(sc)["deal.x"] == pytest.approx(expected, abs=EXACT)


def test_nash_three_parties():
    o = outcome(textbook("nash-three"))
    assert o["deal.x"] == pytest.approx(2 / 3, abs=EXACT)


def test_fearon_bargaining_range():
    o = outcome(textbook("fearon"))
    p, c_a, c_b = 0.6, 0.10, 0.15
    assert o["deal.x"] == pytest.approx(p + (c_b - c_a) / 2, abs=EXACT)  # 0.625


@pytest.mark.parametrize("beta_a", [0.05, 0.3, 1, 3, 20])
def test_fearon_deal_stays_in_range_whatever_the_power(beta_a):
    x = outcome(textbook("fearon", **{"actors.a.power": beta_a}))["deal.x"]
    assert 0.5 - EXACT <= x <= 0.75 + EXACT
    assert x == pytest.approx(0.5 + beta_a / (beta_a + 1) * 0.25, abs=EXACT)


def test_fearon_indivisible_never_agrees():
    rows = outcomes(textbook("fearon-indivisible"), runs=50)
    assert {r["outcome"] for r in rows} == {"no_deal"}
    assert all(r["rounds"] > 1 for r in rows)  # they talked, and failed every time


def test_logroll():
    o = outcome(textbook("logroll"))
    assert (o["deal.one"], o["deal.two"]) == (pytest.approx(1, abs=EXACT),
                                              pytest.approx(0, abs=EXACT))
    assert o["utility.a"] == pytest.approx(0.7, abs=EXACT)
    assert o["utility.b"] == pytest.approx(0.6, abs=EXACT)


def meeting(e_a: float, e_b: float) -> dict:
    return outcome(textbook("concession", **{"actors.a.concession": {"exponent": e_a},
                                             "actors.b.concession": {"exponent": e_b}}))


BOULWARE_LINEAR = 0.7548776662466927  # the root of tau^5 + tau = 1


@pytest.mark.parametrize("e_a,e_b,tau,x", [
    (1, 1, 0.5, 0.5),
    (0.2, 1, BOULWARE_LINEAR, BOULWARE_LINEAR),
    (2, 2, 0.25, 0.5),
])
def test_time_dependent_concession_meets_at_closed_form(e_a, e_b, tau, x):
    assert abs(BOULWARE_LINEAR ** 5 + BOULWARE_LINEAR - 1) < 1e-15
    o = meeting(e_a, e_b)
    assert o["outcome"] == "agreement"
    assert abs(o["day"] - tau * 100) <= 1.0 + 1e-9  # within one round of t* (rounds daily)
    assert o["deal.x"] == pytest.approx(x, abs=0.011)  # one round and one step of 0.01


def test_boulware_holds_out_longer_than_conceder():
    assert meeting(0.2, 0.2)["day"] > meeting(1, 1)["day"] > meeting(5, 5)["day"]


# --- comparative statics (Monte Carlo with the same seeds) -------------------------------

RUNS = 400


def summary(**overrides) -> dict:
    rows = outcomes(textbook("statics", **overrides), RUNS)
    agreed = [r for r in rows if r["outcome"] == "agreement"]
    n = len(agreed)
    return {"p": n / RUNS, "rows": rows, "days": [r["day"] for r in agreed],
            "deal": statistics.median(r["deal.region"] for r in agreed),
            "se": math.sqrt(max(n / RUNS * (1 - n / RUNS), 1e-9) / RUNS)}


@pytest.fixture(scope="module")
def base():
    return summary()


def test_statics_base_is_interior(base):
    assert 0.3 < base["p"] < 0.9  # room to move either way


def test_higher_war_costs_raise_agreement_and_shorten_time(base):
    costly = summary(**{"actors.a.war_cost": 0.0008, "actors.b.war_cost": 0.0008})
    assert costly["p"] - base["p"] > 3 * math.hypot(costly["se"], base["se"])
    assert statistics.median(costly["days"]) < statistics.median(base["days"])


def test_more_optimism_lowers_agreement(base):
    bold = {"dist": "uniform", "low": 0, "high": 20}
    optimistic = summary(**{"actors.a.optimism": bold, "actors.b.optimism": bold})
    assert base["p"] - optimistic["p"] > 2 * math.hypot(optimistic["se"], base["se"])


def test_lower_volatility_brings_deals_sooner(base):
    calm = summary(**{"battlefield.volatility": 10})
    # cumulative probability of a deal by day 200 and the median day of the deals
    by_200 = [sum(d <= 200 for d in s["days"]) / RUNS for s in (calm, base)]
    assert by_200[0] > by_200[1] + 0.2
    assert statistics.median(calm["days"]) < statistics.median(base["days"])


def test_mediator_bias_moves_deals_toward_its_ideal():
    costly = {"actors.a.war_cost": 0.0008, "actors.b.war_cost": 0.0008}
    neutral = summary(**costly)
    biased = summary(**costly, **{"actors.m.mediation.bias": 5})
    # same seeds: compare the same replications where both reached a deal
    pairs = [(b["deal.region"], n["deal.region"])
             for b, n in zip(biased["rows"], neutral["rows"], strict=True)
             if b["outcome"] == n["outcome"] == "agreement"]
    gaps = [b - n for b, n in pairs]
    mean = statistics.mean(gaps)
    assert mean > 0 and mean > 3 * statistics.stdev(gaps) / math.sqrt(len(gaps))
    assert biased["deal"] > neutral["deal"]  # the mediator's ideal is 1
