"""The engine's mechanics: schedules, levers, events, walkouts, the deadline, the front."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

from sim.engine.replication import replicate
from sim.scenario import from_document
from tests.helpers import outcomes, textbook

BASE = {
    "name": "mechanics", "horizon_days": 100,
    "issues": {"x": {}},
    "actors": {
        "a": {"positions": {"x": {"ideal": 1}}, "batna": 0.2, "concession": "hardliner"},
        "b": {"positions": {"x": {"ideal": 0}}, "batna": 0.3, "concession": "hardliner"},
    },
    "talks": {"every_days": 10},
}


def run(changes: dict | None = None, index: int = 0, seed: int = 0, **top):
    doc = copy.deepcopy(BASE)
    for path, value in (changes or {}).items():
        node = doc
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {}) if not key.isdigit() else node[int(key)]
        node[last] = value
    doc.update(top)
    return replicate(from_document(doc), index, seed)


def days(r) -> list[float]:
    return [row["day"] for row in r.rounds]


@pytest.mark.slow
def test_hardliners_never_agree_and_rounds_follow_the_schedule():
    r = run()
    assert r.outcome["outcome"] == "no_deal" and r.outcome["day"] == 100
    assert days(r) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert r.outcome["blocker"] in ("a", "b") and r.outcome["sticking_issue"] == "x"


def test_explicit_rounds_then_periodic_ones():
    r = run({"talks.rounds": [{"day": 0, "venue": "Geneva"}, {"day": 3, "venue": "Riyadh"}]})
    assert days(r)[:4] == [0, 3, 13, 23]
    assert [row["venue"] for row in r.rounds[:3]] == ["Geneva", "Riyadh", ""]


@pytest.mark.parametrize("scale, after", [(0.5, [45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95]),
                                          (2, [60, 80])])
def test_an_effect_on_the_pace_of_rounds_counts_on_from_the_last_round(scale, after):
    # every 10 days until an event on day 35; the round on day 40 was already scheduled
    pace = {"day": 35, "effects": [{"path": "talks.every_days", "scale": scale}]}
    assert days(run(events=[pace])) == [0, 10, 20, 30, 40, *after]


def test_jitter_stays_within_its_bounds_and_varies():
    r = run({"talks.jitter_days": 2})
    offsets = [d - 10 * i for i, d in enumerate(days(r))]
    assert offsets[0] == 0 and all(-2 <= o <= 2 for o in offsets)
    assert len({round(o, 6) for o in offsets}) > 3


def test_no_round_before_the_horizon():
    r = run({"talks.rounds": [{"day": 50}], "talks.every_days": None}, horizon_days=40)
    assert r.outcome["outcome"] == "no_deal" and r.outcome["rounds"] == 0
    assert r.outcome["day"] == 40


def test_zero_horizon():
    r = run(horizon_days=0)
    assert (r.outcome["outcome"], r.outcome["day"], r.outcome["rounds"]) == ("no_deal", 0, 0)


def test_lever_fires_after_rejection_and_expires():
    lever = {"name": "squeeze", "on": "a", "probability": 1, "duration_days": 25,
             "effects": [{"path": "actors.a.batna", "add": 0.1}]}
    r = run({"actors.m": {"role": "mediator", "levers": [lever]}})
    nodeal = [round(row["nodeal.a"], 12) for row in r.rounds]
    # fires after the rejection at day 0; in force on days 10 and 20; gone by day 30
    assert nodeal[:5] == [0.2, 0.3, 0.3, 0.2, 0.2]
    assert r.rounds[0]["levers"] == "squeeze" and r.outcome["levers"] == "squeeze"
    assert all(row["levers"] == "" for row in r.rounds[1:])  # max_fires 1


def test_lever_never_fires_with_probability_zero():
    lever = {"name": "idle", "on": "a", "probability": 0,
             "effects": [{"path": "actors.a.batna", "add": 0.1}]}
    r = run({"actors.m": {"role": "mediator", "levers": [lever]}})
    assert r.outcome["levers"] == "" and {row["nodeal.a"] for row in r.rounds} == {0.2}


def test_many_levers_fire_by_index_beyond_a_machine_word():
    """70 levers (the schema allows 100); only numbers 63 and 69 can fire, each once, and
    each moves a's no-deal value: the record names exactly those two, in lever order."""
    idle = [{"name": f"idle{i}", "on": "a", "probability": 0,
             "effects": [{"path": "actors.a.batna", "add": 0.5}]} for i in range(70)]
    idle[63] = {"name": "late", "on": "a", "probability": 1, "max_fires": 1,
                "effects": [{"path": "actors.a.batna", "add": 0.1}]}
    idle[69] = {"name": "last", "on": "a", "probability": 1, "max_fires": 1,
                "effects": [{"path": "actors.a.batna", "add": 0.2}]}
    r = run({"actors.m": {"role": "mediator", "levers": idle}})
    assert r.rounds[0]["levers"] == "late;last" and r.outcome["levers"] == "late;last"
    assert all(row["levers"] == "" for row in r.rounds[1:])
    assert [round(row["nodeal.a"], 12) for row in r.rounds[:3]] == [0.2, 0.5, 0.5]


def test_scheduled_event_with_duration():
    event = {"day": 15, "duration_days": 20, "effects": [{"path": "actors.b.batna", "set": 0.5}]}
    r = run(events=[event])
    assert [row["nodeal.b"] for row in r.rounds[:5]] == [0.3, 0.3, 0.5, 0.5, 0.3]


FRONT = {"issue": "x", "holder": "a", "held_km2": 1000, "reference_km2": 1000, "drift": 0}


def test_an_event_moves_the_front_instantly():
    r = run({"battlefield": FRONT},
            events=[{"day": 15, "effects": [{"path": "battlefield.held_km2", "add": -100}]}])
    assert [row["held_km2"] for row in r.rounds[:3]] == [1000, 1000, 900]
    assert r.outcome["held_km2"] == 900


def test_losing_the_region_ends_the_run():
    r = run({"battlefield": dict(FRONT, drift=-75), "talks.every_days": 7})
    assert r.outcome["outcome"] == "military"
    assert r.outcome["day"] == 14 and r.outcome["held_km2"] == 0  # seen at the day-14 round
    assert days(r) == [0, 7]


def test_an_effect_expiring_after_the_front_fell_ends_the_run():
    # a one-day collapse from day 0.5: 10 km2 less 100 a day is gone by day 0.6; the run
    # ends when the effect's end looks at the front (day 1.5), not at the next round
    collapse = {"day": 0.5, "duration_days": 1,
                "effects": [{"path": "battlefield.drift", "set": -100}]}
    r = run({"battlefield": dict(FRONT, held_km2=10, drift=50, volatility=0)},
            events=[collapse])
    assert (r.outcome["outcome"], r.outcome["day"]) == ("military", 1.5)
    assert r.outcome["held_km2"] == 0 and days(r) == [0]


def test_a_lever_that_takes_the_last_of_the_region_ends_the_run():
    lever = {"name": "retreat", "on": "a", "probability": 1,
             "effects": [{"path": "battlefield.held_km2", "set": 0}]}
    r = run({"battlefield": FRONT, "actors.m": {"role": "mediator", "levers": [lever]}})
    assert (r.outcome["outcome"], r.outcome["day"], r.outcome["rounds"]) == ("military", 0, 1)


ALTERNATING = {"talks.protocol": "alternating", "actors.a.concession": "immediate",
               "actors.b.concession": "immediate"}


def test_an_acceptance_lapses_when_the_offer_crosses_a_moved_red_line():
    # day 0: a offers 0.2 (its no-deal value; b has not answered); day 10: b accepts, but an
    # event on day 5 moved a's red line to 0.5, so a's acceptance has lapsed; day 20: a
    # turns down its old offer and offers 0.5, which b accepts on day 30
    red = {"day": 5, "effects": [{"path": "actors.a.positions.x.red_line", "set": 0.5}]}
    r = run(dict(ALTERNATING, **{"actors.a.positions.x.red_line": 0.2}), events=[red])
    assert [(row["accept.a"], row["accept.b"]) for row in r.rounds] == \
        [(True, False), (False, True), (True, False), (True, True)]
    assert (r.outcome["outcome"], r.outcome["day"], r.outcome["deal.x"]) == \
        ("agreement", 30, 0.5)


def test_an_acceptance_lapses_when_the_offer_falls_below_no_deal():
    # the front moves a's way, so a's no-deal value rises each round: the offer a made at
    # its no-deal value two weeks ago is below it now, and b's acceptance comes too late
    field = dict(FRONT, held_km2=500, drift=1, volatility=0)
    a, b = ({"positions": {"x": {"ideal": ideal}}, "concession": "immediate",
             "war_cost": 0.002, "planning_days": 100, "belief_sd": 0} for ideal in (0, 1))
    r = run({"battlefield": field, "actors": {"a": a, "b": b}, "talks.every_days": 14,
             "talks.protocol": "alternating"})
    assert r.outcome["outcome"] == "no_deal"
    assert [row["accept.a"] for row in r.rounds] == [True, False] * 4
    assert all(row["utility.a"] >= row["nodeal.a"] - 1e-12 for row in r.rounds if row["accept.a"])


def test_walkout_then_resumption():
    r = run({"actors.a.walkout": 1, "talks.resume_after_days": 25})
    assert days(r) == [0, 25, 50, 75]
    assert all(row["walkout"] == "a" for row in r.rounds)


def test_walkout_without_resumption_is_a_breakdown():
    r = run({"actors.b.walkout": 1})
    assert (r.outcome["outcome"], r.outcome["day"]) == ("breakdown", 0)


def test_mediator_exits_at_the_deadline():
    r = run({"actors.m": {"role": "mediator"}, "talks.deadline_day": 35,
             "talks.on_deadline": "mediator_exits"})
    assert (r.outcome["outcome"], r.outcome["day"]) == ("breakdown", 35)
    assert days(r) == [0, 10, 20, 30]


@pytest.mark.parametrize("schedule", [[{"day": 0}], [{"day": 0}, {"day": 10}]])
def test_mediator_exits_at_the_deadline_after_the_last_scheduled_round(schedule):
    r = run({"actors.m": {"role": "mediator"}, "talks.deadline_day": 35,
             "talks.on_deadline": "mediator_exits", "talks.every_days": None,
             "talks.rounds": schedule})
    assert (r.outcome["outcome"], r.outcome["day"]) == ("breakdown", 35)
    assert len(r.rounds) == len(schedule)


def test_aspiration_reaches_the_no_deal_value_at_the_deadline():
    r = run({"actors.a.concession": "linear", "actors.b.concession": "hardliner",
             "talks.deadline_day": 50, "talks.start_day": -50})
    first = r.rounds[0]
    assert first["aspiration.a"] == pytest.approx(0.2 + 0.8 * 0.5)  # halfway at day 0


def test_uncertain_inputs_are_recorded_per_replication():
    rows = outcomes(textbook("statics"), 5)
    drawn = [r["param.battlefield.drift"] for r in rows]
    assert len(set(drawn)) == 5 and all(-9 <= d <= 0 for d in drawn)


def test_pinned_records_of_a_fixed_seed():
    """Any change of behaviour shows up here and must be explained in its commit."""
    rows = outcomes(textbook("statics"), 20, seed=123)
    rounded = [{k: float(f"{v:.9g}") if isinstance(v, float) else v for k, v in row.items()}
               for row in rows]
    text = json.dumps(rounded, sort_keys=True)
    assert hashlib.sha256(text.encode()).hexdigest()[:16] == PINNED


PINNED = "40218b064683dfc0"


# --- closed forms of the model's parts, through the engine ----------------------------------

def test_derived_no_deal_values_and_the_belief_update():
    # a holds 500 of 1,000 km2 and loses 2 a day (no noise, so the first look reveals the
    # drift: m = dy/dt); x is the share a has lost, a wants 0 and b wants 1. Day 0: a
    # projects 500 + (-2 + 1) 100 = 400 km2 (x = 0.6), b 500 + (-2 - 1) 100 = 200 (x = 0.8):
    # d_a = 0.4 - 0.001 * 100 = 0.3, d_b = 0.8 - 0.002 * 100 = 0.6. Day 14: y = 472, both
    # project 472 - 200 = 272 (x = 0.728): d_a = 0.272 - 0.001 (1 + 0.5 * 14/365) 100
    field = {"issue": "x", "holder": "a", "held_km2": 500, "reference_km2": 1000,
             "max_km2": 1000, "drift": -2, "volatility": 0}
    a, b = ({"positions": {"x": {"ideal": ideal}}, "concession": "hardliner",
             "war_cost": cost, "weariness": grow, "planning_days": 100, "optimism": 1,
             "belief_sd": 1} for ideal, cost, grow in ((0, 0.001, 0.5), (1, 0.002, 0)))
    r = run({"battlefield": field, "actors": {"a": a, "b": b}, "talks.every_days": 14})
    day0, day14 = r.rounds[0], r.rounds[1]
    assert (day0["nodeal.a"], day0["nodeal.b"]) == pytest.approx((0.3, 0.6))
    assert day14["held_km2"] == 472
    assert day14["nodeal.a"] == pytest.approx(0.272 - 0.1 * (1 + 0.5 * 14 / 365))
    assert day14["nodeal.b"] == pytest.approx(0.728 - 0.2)


def test_beliefs_follow_the_conjugate_normal_rule():
    # with a noisy front, a's belief after the first two weeks is m' = v' (m/v + dy/s2),
    # 1/v' = 1/v + dt/s2 (s2 = volatility^2 per day); d_a then follows from the projection
    field = {"issue": "x", "holder": "a", "held_km2": 500, "reference_km2": 1000,
             "max_km2": 1000, "drift": -2, "volatility": 10}
    a = {"positions": {"x": {"ideal": 0}}, "concession": "hardliner", "war_cost": 0,
         "planning_days": 100, "optimism": 1, "belief_sd": 3}
    b = {"positions": {"x": {"ideal": 1}}, "batna": 0.5, "concession": "hardliner"}
    r = run({"battlefield": field, "actors": {"a": a, "b": b}, "talks.every_days": 14})
    y0, y14 = r.rounds[0]["held_km2"], r.rounds[1]["held_km2"]
    v = 1 / (1 / 9 + 14 / 100)
    m = v * (-1 / 9 + (y14 - y0) / 100)
    projected = min(max(y14 + m * 100, 0), 1000)
    assert r.rounds[1]["nodeal.a"] == pytest.approx(projected / 1000)  # u_a = 1 - x = y/1000


MEDIATED = {"actors.a.concession": "immediate", "actors.b.concession": "immediate",
            "actors.a.batna": 0, "actors.b.batna": 0}


def test_a_biased_mediator_tilts_the_nash_solution():
    # maximise log x + log(1 - x) + 1 * log x (the mediator wants x = 1): x* = 2/3
    mediator = {"role": "mediator", "positions": {"x": {"ideal": 1}},
                "mediation": {"bias": 1}}
    r = run(dict(MEDIATED, **{"actors.m": mediator}))
    assert r.outcome["outcome"] == "agreement"
    assert r.outcome["deal.x"] == pytest.approx(2 / 3, abs=1e-6)


def test_the_least_bad_compromise_when_no_deal_beats_both_no_deal_values():
    # u_a + u_b = 1 < 0.6 + 0.7: no Nash solution; argmax min(x - 0.6, 0.3 - x) = 0.45
    r = run(dict(MEDIATED, **{"actors.a.batna": 0.6, "actors.b.batna": 0.7}))
    assert r.outcome["outcome"] == "no_deal"
    assert {round(row["proposal.x"], 9) for row in r.rounds} == {0.45}


def test_the_mediator_misjudges_no_deal_values_by_its_information_error():
    # Nash with estimates d_a + e_a, d_b + e_b: x* = (1 + d_a - d_b) / 2 + (e_a - e_b) / 2,
    # so the first proposal has mean 0.45 (d = 0.2, 0.3) and sd information / sqrt(2)
    mediator = {"role": "mediator", "mediation": {"information": 0.1}}
    sc = from_document(dict(copy.deepcopy(BASE), horizon_days=1, actors={
        **BASE["actors"], "m": mediator}))
    first = [replicate(sc, i, 7).rounds[0]["proposal.x"] for i in range(2000)]
    assert sum(first) / 2000 == pytest.approx(0.45, abs=0.004)
    sd = (sum((x - 0.45) ** 2 for x in first) / 2000) ** 0.5
    assert sd == pytest.approx(0.1 / 2 ** 0.5, rel=0.05)
