"""Overrides by dotted path go through the same validation as files."""

from __future__ import annotations

import pytest

import sim
from sim.errors import ScenarioError
from sim.scenario import parse_assignment
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def geneva():
    return sim.load_scenario(SCENARIOS / "geneva-2026.yaml")


def test_override_changes_only_that_value(geneva):
    sc = geneva.with_overrides({"actors.russia.positions.donbas.red_line": 0.8})
    assert sc.actors["russia"].positions["donbas"].red_line == 0.8
    assert geneva.actors["russia"].positions["donbas"].red_line != 0.8  # original untouched
    assert sc.actors["ukraine"] == geneva.actors["ukraine"]


def test_override_list_item_and_distribution(geneva):
    sc = geneva.with_overrides({"actors.us.levers.0.probability": 1,
                                "battlefield.drift": {"dist": "uniform", "low": -20, "high": 0}})
    assert sc.actors["us"].levers[0].probability == 1
    assert sc.battlefield.drift.low == -20


def test_override_inside_a_distribution(geneva):
    # one bound of an uncertain parameter, as a sweep over it needs
    sc = geneva.with_overrides({"battlefield.drift.low": -20,
                                "actors.ukraine.positions.donbas.red_line.high": 0.4})
    assert (sc.battlefield.drift.low, sc.battlefield.drift.high) == \
        (-20, geneva.battlefield.drift.high)
    assert sc.actors["ukraine"].positions["donbas"].red_line.high == 0.4
    with pytest.raises(ScenarioError, match="red_line: must be within the issue's range"):
        geneva.with_overrides({"actors.ukraine.positions.donbas.red_line.high": 2})


def test_override_of_an_unset_optional_key(geneva):
    sc = geneva.with_overrides({"actors.ukraine.batna": 0.3})
    assert sc.actors["ukraine"].batna == 0.3


@pytest.mark.parametrize("path,value,message", [
    ("actors.rusia.war_cost", 1, "'actors' has no 'rusia'; did you mean 'russia'?"),
    ("actors.russia.war_cots", 1, "'actors.russia' has no 'war_cots'; did you mean 'war_cost'?"),
    ("actors.us.levers.5.probability", 1, "'actors.us.levers' is a list of 2; no item 5"),
    ("actors.russia.war_cost.x", 1, "is a single value, it has no 'x'"),
    ("talks.everydays", 7, "did you mean 'every_days'?"),
    ("battlefield.drift.hgih", 1, "'battlefield.drift' has no 'hgih'; did you mean 'high'?"),
    ("battlefield.volatility.low", 1, "is a single value, it has no 'low'"),
    ("", 1, "empty path"),
])
def test_bad_paths_are_named(geneva, path, value, message):
    with pytest.raises(ScenarioError) as info:
        geneva.with_overrides({path: value})
    (problem,) = info.value.problems
    assert problem.path == path
    assert message in problem.message
    assert str(problem).startswith(f"override: {path}: " if path else "override: ")


def test_bad_values_fail_validation(geneva):
    with pytest.raises(ScenarioError) as info:
        geneva.with_overrides({"actors.ukraine.walkout": 3})
    assert str(info.value) == "override: actors.ukraine.walkout: must be within [0, 1], got 3"


def test_cross_field_checks_apply_to_overrides(geneva):
    with pytest.raises(ScenarioError, match=r"battlefield\.issue: no issue 'crimea'"):
        geneva.with_overrides({"battlefield.issue": "crimea"})


@pytest.mark.parametrize("text,expected", [
    ("talks.every_days=7", ("talks.every_days", 7)),
    ("battlefield.drift={dist: uniform, low: -20, high: 0}",
     ("battlefield.drift", {"dist": "uniform", "low": -20, "high": 0})),
    ("title=a=b", ("title", "a=b")),
    ("talks.deadline_day=", ("talks.deadline_day", None)),
])
def test_assignments_read_values_as_yaml(text, expected):
    assert parse_assignment(text) == expected


def test_assignment_without_equals_is_an_error():
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_assignment("talks.every_days")
