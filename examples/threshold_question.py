"""What would it take? Two questions about the default scenario, each answered by bisection
with common random numbers:

1. How credible must the threat of a US aid pause be for a deal to become more likely than
   not?
2. How strong a security guarantee must Russia be ready to accept (its red line on the
   guarantee) before a deal, with Ukraine ceding ground in Donbas, becomes likely?

    python examples/threshold_question.py              # ~1 minute on 2 cores
    python examples/threshold_question.py --runs 50    # a quick look
"""

import argparse
from pathlib import Path

import sim

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "geneva-2026.yaml"
QUESTIONS = [
    ("actors.us.levers.0.probability", 0.0, 1.0, 0.5),
    ("actors.russia.positions.guarantee.red_line", 0.3, 1.0, 0.5),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args()

    sc = sim.load_scenario(SCENARIO)
    for path, low, high, target in QUESTIONS:
        answer = sim.threshold(sc, path, low, high, target=target, runs=args.runs, seed=1,
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
