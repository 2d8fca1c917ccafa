"""How does the chance of a deal depend on the credibility of a US aid pause and on
Russia's war costs? A 5 x 3 grid, every point with the same replication seeds.

    python examples/grid_sweep.py            # ~1 minute on 2 cores
    python examples/grid_sweep.py --runs 50  # a quick look
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt

import sim

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "geneva-2026.yaml"
AID_PAUSE = "actors.us.levers.0.probability"  # lever 0 of the US: the aid pause
RUSSIA_COST = "actors.russia.war_cost"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--out", default="grid_sweep.png")
    args = parser.parse_args()

    sc = sim.load_scenario(SCENARIO)
    base = sc.actors["russia"].war_cost
    table = sim.sweep(sc, {AID_PAUSE: [0, 0.25, 0.5, 0.75, 1],
                           RUSSIA_COST: [base * 0.5, base, base * 2]},
                      runs=args.runs, seed=1)
    print(table[[AID_PAUSE, RUSSIA_COST, "p_agreement", "p_agreement_lo", "p_agreement_hi",
                 "days.median"]].to_string(index=False))

    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    for cost, group in table.groupby(RUSSIA_COST):
        line, = ax.plot(group[AID_PAUSE], group["p_agreement"], "o-",
                        label=f"Russia's war cost {cost:.5f}/day")
        ax.fill_between(group[AID_PAUSE], group["p_agreement_lo"], group["p_agreement_hi"],
                        color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xlabel("probability that the US pauses aid to Kyiv after a rejection")
    ax.set_ylabel("P(agreement) within the horizon")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title("An exploration of the scenario's assumptions, not a forecast", fontsize=9)
    fig.savefig(args.out, dpi=110)
    print(f"figure written to {args.out}")


if __name__ == "__main__":
    main()
