"""What would it take? Three questions about the default scenario, each answered by
bisection with common random numbers (target: more likely than not, 0.5):

1. How credible must the US threat of an aid pause be in June, the month before its
   deadline, for a deal within the year to become more likely than not? (events.0 sets
   the aid-pause probability for June.) Under the scenario's assumptions no credibility is
   enough on its own: P(agreement) rises from about 0.22 to 0.38. A pause moves Kyiv's red
   line on Donbas only while it lasts, and Moscow's red line must come down too. (Raising
   the threat's credibility for the whole year instead lowers P: the two pauses the lever
   allows, max_fires: 2, are then spent before June.) "Not crossed" is an answer too.
2. How far must an aid pause move Kyiv's red line on Donbas (the extra share of the area it
   could accept ceding while aid is paused)?
3. The guarantee strength at which Ukraine's acceptance of a withdrawal becomes likely.
   Suppose Kyiv would give up its red line on Donbas in exchange for a security guarantee
   of a strength it requires (an assumption of this example: uniform between 0.5, "deters",
   and 1, a permanent Article 5 equivalent). How strong a guarantee must Moscow be ready to
   accept for a deal in which Ukraine withdraws from at least half of its part of Donetsk
   (deal.donbas >= 0.5) to become likely? Near 0.75, the median of Kyiv's requirement,
   if the rest of the model lets such deals happen.

Every answer explores the scenario's assumptions; none is a forecast.

    python examples/threshold_question.py              # a few seconds on 2 cores
    python examples/threshold_question.py --runs 50    # a quick look
"""

import argparse
from pathlib import Path

import sim

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "geneva-2026.yaml"
TRADE = {  # question 3: Kyiv would withdraw for a guarantee it finds strong enough
    "actors.ukraine.positions.donbas.red_line": 1,
    "actors.ukraine.positions.guarantee.red_line": {"dist": "uniform", "low": 0.5, "high": 1},
}
QUESTIONS = [  # (overrides, parameter, low, high, terms of the agreements counted)
    ({}, "events.0.effects.0.set", 0.0, 1.0, None),             # June aid-pause probability
    ({}, "actors.us.levers.0.effects.1.add", 0.0, 0.7, None),   # red-line shift in a pause
    (TRADE, "actors.russia.positions.guarantee.red_line", 0.5, 1.0, "deal.donbas >= 0.5"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args()

    default = sim.load_scenario(SCENARIO)
    for overrides, path, low, high, where in QUESTIONS:
        sc = default.with_overrides(overrides) if overrides else default
        answer = sim.threshold(sc, path, low, high, target=0.5, runs=args.runs, seed=1,
                               steps=args.steps, where=where)
        print(answer)
        if answer.crossed:
            at = sim.run(sc.with_overrides({path: answer.value}), runs=args.runs, seed=1)
            donbas = at.summary["deal"]["donbas"]
            if donbas:
                print(f"  there, the median agreed share of Donetsk ceded is "
                      f"{donbas['median']:.2f}")
        else:
            best = answer.evaluations["p_agreement"].max()
            print(f"  the highest probability in the range is {best:.2f}")
        print()


if __name__ == "__main__":
    main()
