"""Invariants of the engine over random valid scenarios (noise off where it matters)."""

from __future__ import annotations

import copy
import math
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.records import OUTCOMES
from sim.engine.replication import State, replicate
from sim.scenario import from_document
from tests.strategies import scenarios

TOL = 1e-9


def drawn(outcome: dict, doc: dict, path: str):
    """The value the replication used for ``path`` when its outcome came: set by an event
    before then, else drawn, or fixed in the document (None: unknown or not set)."""
    for event in doc.get("events", []):
        for effect in event["effects"]:
            if effect["path"] != path or "set" not in effect:
                continue
            duration = event["duration_days"]
            ends = event["day"] + (math.inf if duration is None else duration)
            if event["day"] < outcome["day"] < ends:
                return effect["set"]
            if outcome["day"] in (event["day"], ends):
                return None  # the same moment: either order is right
    if f"param.{path}" in outcome:
        return outcome[f"param.{path}"]
    node = doc
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


@settings(max_examples=60)
@given(scenarios(noise=False), st.integers(0, 2**31))
def test_agreements_respect_red_lines_and_no_deal_values(doc, seed):
    sc = from_document(doc)
    run = replicate(sc, 0, seed)
    o = run.outcome
    assert o["outcome"] in OUTCOMES
    assert 0 <= o["day"] <= sc.horizon_days + TOL
    assert o["rounds"] == len(run.rounds)
    if o["outcome"] != "agreement":
        assert all(o[f"deal.{k}"] is None for k in sc.issues)
        return
    last = run.rounds[-1]
    for name in (n for n, a in sc.actors.items() if a.role == "party"):
        assert last[f"accept.{name}"] is True
        assert last[f"utility.{name}"] >= last[f"nodeal.{name}"] - TOL
        for issue in sc.actors[name].positions:
            red = drawn(o, doc, f"actors.{name}.positions.{issue}.red_line")
            if red is None:
                continue
            ideal = drawn(o, doc, f"actors.{name}.positions.{issue}.ideal")
            x = o[f"deal.{issue}"]
            assert x <= red + TOL if red >= ideal else True
            assert x >= red - TOL if red <= ideal else True


two_parties = scenarios(noise=False).filter(
    lambda d: len(d["actors"]) >= 2 and "mediator" not in list(d["actors"])[:2])


def hardliner_outcome(doc: dict, seed: int, positions, step: float | None = None,
                      deadline: bool = True) -> str:
    """The outcome when the first party, a hardliner, meets the second on the first issue
    with the ``positions(lo, hi)`` given (the hardliner's, the other's)."""
    doc = copy.deepcopy(doc)
    first, second = [n for n, a in doc["actors"].items() if a.get("role") != "mediator"][:2]
    issue = next(iter(doc["issues"]))
    lo, hi = doc["issues"][issue]["range"]
    doc["issues"][issue].pop("indivisible", None)
    if step is not None:
        doc["issues"][issue]["step"] = step * (hi - lo)
    mine, theirs = positions(lo, hi)
    doc["actors"][first]["positions"][issue] = mine
    doc["actors"][first]["concession"] = "hardliner"
    doc["actors"][second]["positions"][issue] = theirs
    if not deadline:
        doc["talks"]["deadline_day"] = None  # the horizon, when no round is played
    return replicate(from_document(doc), 0, seed).outcome["outcome"]


@settings(max_examples=40)
@given(two_parties, st.integers(0, 2**31))
def test_a_hardliner_behind_an_unmeetable_red_line_never_agrees(doc, seed):
    assert hardliner_outcome(doc, seed, lambda lo, hi: ({"ideal": lo, "red_line": lo},
                                                         {"ideal": hi, "red_line": hi})) \
        != "agreement"


@settings(max_examples=40)
@given(two_parties, st.integers(0, 2**31))
def test_a_party_that_never_concedes_takes_nothing_short_of_its_ideal(doc, seed):
    # red lines that can both be met (at the midpoint); the hardliner wants its ideal, which
    # the other's red line excludes, and never concedes before the deadline: no deal
    def positions(lo, hi):
        return {"ideal": lo, "weight": 1, "red_line": hi}, \
            {"ideal": hi, "red_line": (lo + hi) / 2}

    assert hardliner_outcome(doc, seed, positions, step=0.5, deadline=False) != "agreement"


@settings(max_examples=30)
@given(scenarios(), st.integers(0, 2**31), st.integers(0, 1000))
def test_same_seed_same_records(doc, seed, index):
    sc = from_document(doc)
    first, second = replicate(sc, index, seed), replicate(sc, index, seed)
    assert first == second
    assert all(not isinstance(v, float) or math.isfinite(v) for v in first.outcome.values())


@settings(max_examples=150)
@given(scenarios(battlefield=False), st.sampled_from([None, 1.0, 2.5, 7.0]),
       st.sampled_from(["continue", "mediator_exits"]), st.integers(0, 2**31),
       st.integers(0, 1000))
@pytest.mark.slow
def test_runs_of_rounds_keep_the_records_of_rounds_played_one_by_one(doc, every, on_deadline,
                                                                     seed, index):
    # without a front line the engine plays consecutive rounds in one compiled call
    # (State.play_run) up to the next scheduled event or lever's end; the records must be
    # those of the rounds played one SimPy step at a time
    doc = copy.deepcopy(doc)
    if every is not None:  # frequent rounds: long runs
        doc["talks"]["every_days"] = every
        doc["talks"]["jitter_days"] = min(doc["talks"]["jitter_days"], every / 2.01)
    if "mediator" in doc["actors"]:
        doc["talks"]["on_deadline"] = on_deadline
    sc = from_document(doc)
    together = replicate(sc, index, seed)
    with mock.patch.object(State, "play_run", return_value=0):
        one_by_one = replicate(sc, index, seed)
    assert repr(together) == repr(one_by_one)
