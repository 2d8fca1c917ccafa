"""Regression pins: every shipped scenario still gives the figures checked in.

See tests/pin_scenarios.py: a fixed seed and 200 replications per scenario,
compared with tests/fixtures/scenario_pins.json. With PEACESIM_UPDATE_PINS=1
the fixture is rewritten first (then every comparison passes).
"""

from __future__ import annotations

import functools
import os

import pytest

from tests import pin_scenarios as pins

SHIPPED = pins.shipped()


@functools.cache
def fresh(name: str) -> dict:
    return pins.figures(name)


@pytest.fixture(scope="module")
def pinned() -> dict:
    if os.environ.get(pins.UPDATE_ENV) == "1":
        pins.write({name: fresh(name) for name in SHIPPED})
    return pins.pins()


def test_every_shipped_scenario_is_pinned(pinned):
    missing = sorted(set(SHIPPED) - set(pinned))
    stale = sorted(set(pinned) - set(SHIPPED))
    assert not missing and not stale, (
        f"pins out of date: not pinned {missing}, pinned but not shipped {stale}; "
        f"regenerate with {pins.REGENERATE}")


@pytest.mark.parametrize("name", SHIPPED)
def test_scenario_gives_its_pinned_figures(name, pinned):
    if name not in pinned:
        pytest.fail(f"scenarios/{name} has no pins; generate them with {pins.REGENERATE}")
    problems = pins.differences(pinned[name], fresh(name))
    assert not problems, (
        f"scenarios/{name} no longer gives its pinned figures "
        f"({pins.RUNS} replications, seed {pins.SEED}, workers 1):\n  "
        + "\n  ".join(problems)
        + "\nThe behaviour of a shipped scenario changed. If that is a bug, fix it. If it is "
          "intended (a model change, a recalibrated scenario), explain the change in the commit "
          f"and regenerate the pins with {pins.REGENERATE}.")


# The variants answer questions whose direction is known; the pins must keep it.
DEFAULT = "geneva-2026.yaml"


def figure(pinned: dict, name: str, *keys: str):
    value = pinned[name]
    for key in keys:
        value = value[key]
    return value


@pytest.mark.parametrize("variant, keys, sign", [
    ("geneva-2026-us-pressure.yaml", ("p_agreement",), +1),
    ("geneva-2026-us-pressure.yaml", ("mean_deal", "donbas"), +1),  # toward Russia's ideal
    ("geneva-2026-guarantee.yaml", ("p_agreement",), +1),
    ("geneva-2026-guarantee.yaml", ("mean_deal", "guarantee"), +1),
    ("geneva-2026-sanctions.yaml", ("p_agreement",), +1),
    ("geneva-2026-sanctions.yaml", ("mean_deal", "donbas"), -1),  # toward Ukraine's ideal
    ("geneva-2026-offensive.yaml", ("outcomes", "military"), +1),
    ("geneva-2026-frozen.yaml", ("outcomes", "military"), -1),
    ("geneva-2026-frozen.yaml", ("mean_deal", "donbas"), -1),
    ("geneva-2026-us-exit.yaml", ("p_agreement",), -1),
    ("geneva-2026-us-exit.yaml", ("outcomes", "breakdown"), +1),
    ("geneva-2026-alternating.yaml", ("median_day",), +1),
])
def test_variant_moves_the_expected_way(pinned, variant, keys, sign):
    base, other = figure(pinned, DEFAULT, *keys), figure(pinned, variant, *keys)
    assert (other - base) * sign > 0, (
        f"{variant}: {'.'.join(keys)} is {other} against {base} in the default; the variant "
        f"was calibrated to move it {'up' if sign > 0 else 'down'}. Recalibrate the variant "
        "or explain why the direction changed.")
