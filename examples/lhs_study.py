"""Which assumptions does the chance of a deal depend on most? A Latin hypercube over four
uncertain inputs of the default scenario, with a main-effects plot.

    python examples/lhs_study.py                          # ~2 minutes on 2 cores
    python examples/lhs_study.py --samples 8 --runs 40    # a quick look
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import sim

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "geneva-2026.yaml"
RANGES = {
    "actors.ukraine.war_cost": (0.0002, 0.002),
    "actors.russia.war_cost": (0.0002, 0.002),
    "actors.us.levers.0.probability": (0.0, 1.0),
    "actors.us.mediation.bias": (0.0, 3.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--out", default="lhs_study.png")
    args = parser.parse_args()

    sc = sim.load_scenario(SCENARIO)
    table = sim.sweep(sc, RANGES, design="lhs", samples=args.samples, design_seed=7,
                      runs=args.runs, seed=1)

    fig, axes = plt.subplots(1, len(RANGES), figsize=(4 * len(RANGES), 3.8), sharey=True,
                             layout="constrained")
    for ax, path in zip(axes, RANGES, strict=True):
        x, p = table[path].to_numpy(), table["p_agreement"].to_numpy()
        ax.scatter(x, p, s=12, alpha=0.6)
        slope, intercept = np.polyfit(x, p, 1)  # main effect: a straight-line summary
        xs = np.linspace(*RANGES[path], 2)
        ax.plot(xs, intercept + slope * xs, color="black")
        ax.set_xlabel(path, fontsize=8)
        print(f"{path:40s} change in P(agreement) across its range: "
              f"{slope * (RANGES[path][1] - RANGES[path][0]):+.3f}")
    axes[0].set_ylabel("P(agreement)")
    axes[0].set_ylim(0, 1)
    fig.suptitle("Main effects (Latin hypercube); not a forecast", fontsize=10)
    fig.savefig(args.out, dpi=110)
    print(f"figure written to {args.out}")


if __name__ == "__main__":
    main()
