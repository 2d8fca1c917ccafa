"""Cross-check with NegMAS, the standard automated-negotiation library.

The nine pairings of time-based concession with exponents e = 0.2, 1 and 5
(our convention; NegMAS's aspiration exponent is 1/e) on a single-issue,
100-round bilateral negotiation: both libraries run here, and must agree on
the deal within one unit on a 0-100 scale and on the round within two.
"""

from __future__ import annotations

import warnings

import negmas  # noqa: F401 -- in the test extra: the cross-check must never be skipped
import pytest

from tests.helpers import outcome, textbook

EXPONENTS = [0.2, 1.0, 5.0]
STEPS = 100


def negmas_agreement(e_a: float, e_b: float) -> tuple[float, int]:
    """(deal on 0-100, step) from NegMAS's stacked alternating offers protocol."""
    from negmas import SAOMechanism, make_issue
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.sao import AspirationNegotiator

    issues = [make_issue((0, 100), "x")]
    mechanism = SAOMechanism(issues=issues, n_steps=STEPS)
    for name, e, value in (("a", e_a, lambda v: v / 100), ("b", e_b, lambda v: 1 - v / 100)):
        ufun = LinearAdditiveUtilityFunction(values={"x": value}, issues=issues,
                                             reserved_value=0.0)
        mechanism.add(AspirationNegotiator(aspiration_type=1 / e, name=name), ufun=ufun)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        state = mechanism.run()
    assert state.agreement is not None
    return float(state.agreement[0]), state.step


@pytest.mark.parametrize("e_b", EXPONENTS)
@pytest.mark.parametrize("e_a", EXPONENTS)
def test_same_agreement_as_negmas(e_a, e_b):
    theirs, step = negmas_agreement(e_a, e_b)
    ours = outcome(textbook("concession", **{"actors.a.concession": {"exponent": e_a},
                                             "actors.b.concession": {"exponent": e_b}}))
    assert ours["outcome"] == "agreement"
    assert abs(100 * ours["deal.x"] - theirs) <= 1.0 + 1e-9, (ours["deal.x"], theirs)
    assert abs(ours["day"] - step) <= 2, (ours["day"], step)  # a round a day, from day 0
