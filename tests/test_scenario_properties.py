"""Properties of loading: any input either loads or raises ScenarioError; valid files round-trip."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.errors import ScenarioError
from sim.scenario import from_document, to_document
from tests.conftest import SCENARIOS
from tests.strategies import mutated, scenarios

GENEVA = yaml.safe_load((SCENARIOS / "geneva-2026.yaml").read_text())


def loads_or_scenario_error(load, arg) -> None:
    try:
        sc = load(arg)
    except ScenarioError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
    else:
        assert isinstance(sc, sim.Scenario)


@pytest.mark.slow
@given(scenarios())
def test_generated_scenarios_are_valid_and_round_trip(doc):
    sc = from_document(doc)
    again = sim.parse_scenario(sc.to_yaml())
    assert again == sc
    assert to_document(again) == to_document(sc)


@given(mutated(GENEVA))
def test_mutated_default_scenario_loads_or_fails_cleanly(doc):
    loads_or_scenario_error(from_document, doc)


@pytest.mark.slow
@given(scenarios().flatmap(mutated))
def test_mutated_generated_scenarios_load_or_fail_cleanly(doc):
    loads_or_scenario_error(from_document, doc)


@given(st.text(max_size=300))
def test_random_text_loads_or_fails_cleanly(text):
    loads_or_scenario_error(sim.parse_scenario, text)


@given(st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_random_bytes_load_or_fail_cleanly(text):
    loads_or_scenario_error(sim.parse_scenario, text)


@given(mutated(GENEVA).map(lambda d: yaml.safe_dump(d, sort_keys=False)))
def test_mutated_yaml_text_loads_or_fails_cleanly(text):
    loads_or_scenario_error(sim.parse_scenario, text)


def test_shipped_scenario_round_trips():
    sc = sim.load_scenario(SCENARIOS / "geneva-2026.yaml")
    assert sim.parse_scenario(sc.to_yaml()) == sc


def test_scenario_is_immutable():
    sc = sim.load_scenario(SCENARIOS / "geneva-2026.yaml")
    try:
        sc.horizon_days = 10
    except Exception as exc:  # pydantic's ValidationError for frozen models
        assert "frozen" in str(exc).lower()
    else:
        raise AssertionError("a scenario must not change after validation")
