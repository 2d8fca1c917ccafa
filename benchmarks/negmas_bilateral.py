"""A 100-round single-issue bilateral negotiation: peacesim against NegMAS.

The negotiation is the one tests/test_negmas.py cross-checks (its NegMAS set-up
is imported from there): one issue on 0-100, A's utility x, B's 1 - x, no-deal
values 0, stacked alternating offers for at most 100 rounds, both parties
conceding in time with the same exponent (ours e, NegMAS's aspiration type
1/e). peacesim plays ``scenarios/textbook/concession.yaml`` with the exponents
overridden. Both sides are timed from a ready description of the negotiation
to its agreement: NegMAS builds its mechanism and negotiators and runs;
peacesim compiles the validated scenario and plays one replication (the
replication alone, as in a study where the model is compiled once, is shown
too). The script checks that both reach the same agreement (within 1 unit on
0-100 and 2 rounds). Target: peacesim at least 30x faster.

    python benchmarks/negmas_bilateral.py [--quick] [--repeats R]
"""

from __future__ import annotations

import statistics

import _common

from sim.engine.compile import compile_model
from sim.engine.replication import run_replication
from tests.helpers import textbook
from tests.test_negmas import negmas_agreement

TARGET = 30.0
PAIRS = {"linear vs linear": (1.0, 1.0), "Boulware vs Boulware": (0.2, 0.2)}


def ours(e_a: float, e_b: float):
    """The scenario and a function playing it from compilation to outcome."""
    sc = textbook("concession", **{"actors.a.concession": {"exponent": e_a},
                                   "actors.b.concession": {"exponent": e_b}})

    def play(model=None):
        return run_replication(model or compile_model(sc), 0, sc.seed).outcome

    return sc, play


def main() -> None:
    args = _common.options(__doc__, repeats=(3, 15, "timings of each side"), scenario=False)
    repeats = args.repeats
    _common.header("100-round bilateral negotiation against NegMAS", args.quick)
    worst = None
    for label, (e_a, e_b) in PAIRS.items():
        sc, play = ours(e_a, e_b)
        model = compile_model(sc)
        theirs, step = negmas_agreement(e_a, e_b)  # also warms NegMAS up
        outcome = play()
        deal, day = 100 * outcome[4], outcome[2]
        same = outcome[1] == "agreement" and abs(deal - theirs) <= 1 + 1e-9 \
            and abs(day - step) <= 2
        t = _common.interleaved({"negmas": lambda a=e_a, b=e_b: negmas_agreement(a, b),
                                 "ours": play, "replication": lambda p=play, m=model: p(m)},
                                repeats, batch=0.03)
        ratio = min(t["negmas"]) / min(t["ours"])
        worst = ratio if worst is None else min(worst, ratio)
        print(f"-- {label} (our exponents {e_a}, {e_b}; NegMAS aspiration type "
              f"{1 / e_a:g}, {1 / e_b:g})")
        print(f"   agreement: NegMAS {theirs:g} at step {step}; peacesim {deal:g} on day "
              f"{day:g} ({outcome[3]} rounds): {'same' if same else 'DIFFERENT'}")
        print(f"   NegMAS:   {_common.describe(t['negmas'], 1e3, 'ms')}")
        print(f"   peacesim: {_common.describe(t['ours'], 1e3, 'ms')} (compile + replication)")
        print(f"             {_common.describe(t['replication'], 1e3, 'ms')} (replication only)")
        print(f"   speed-up NegMAS / peacesim (min of repeats): "
              f"{_common.verdict(ratio, TARGET, False)}; replication only "
              f"{min(t['negmas']) / min(t['replication']):.1f}x; of medians "
              f"{statistics.median(t['negmas']) / statistics.median(t['ours']):.1f}x")
        if not same:
            raise SystemExit("the two libraries disagree on the agreement")
    print(f"   slowest pairing: {_common.verdict(worst, TARGET, False)}")


if __name__ == "__main__":
    main()
