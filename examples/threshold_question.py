"""What would it take? Three questions about the default scenario, each answered by
bisection with common random numbers (P(agreement) within the year, target 0.5):

1. How credible must the US threat of an aid pause be in June, the month before its
   deadline, for a deal to become more likely than not? (events.0 sets the aid-pause
   probability for June.)
2. How far must an aid pause move Kyiv's red line on Donbas (the extra share of the area it
   could accept ceding while aid is paused)?
3. How strong a security guarantee must the US text offer?

When the answer is "not crossed", no value in the range is enough on its own under the
scenario's other assumptions; that is an answer too. Every answer explores the scenario's
assumptions; none is a forecast.

    python examples/threshold_question.py              # ~2 minutes on 2 cores
    python examples/threshold_question.py --runs 50    # a quick look
"""

import argparse
from pathlib import Path

import sim

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "geneva-2026.yaml"
QUESTIONS = [
    ("events.0.effects.0.set", 0.0, 1.0),                 # June aid-pause probability
    ("actors.us.levers.0.effects.1.add", 0.0, 0.7),       # red-line shift under an aid pause
    ("actors.us.positions.guarantee.ideal", 0.3, 1.0),    # guarantee in the US text
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args()

    sc = sim.load_scenario(SCENARIO)
    for path, low, high in QUESTIONS:
        answer = sim.threshold(sc, path, low, high, target=0.5, runs=args.runs, seed=1,
                               steps=args.steps)
        print(answer)
        if answer.crossed:
            at = sim.run(sc.with_overrides({path: answer.value}), runs=args.runs, seed=1)
            donbas = at.summary["deal"]["donbas"]
            if donbas:
                print(f"  there, the median agreed share of Donetsk ceded is "
                      f"{donbas['median']:.2f}")
        print()


if __name__ == "__main__":
    main()
