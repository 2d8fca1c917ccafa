"""Two workers against one on the same study of the default scenario.

``sim.run(scenario, runs=N, workers=k, out=<temp folder>, figures=False)`` for
k = 1 (in-process) and k = 2 (a process pool), timed wall-clock from the call
to the finished folder, taking turns; the outcome files must be identical.
Target: 2 workers at least 1.8x faster than 1 (on a machine with 2 free cores:
anything else running on it lowers the figure). So that a shared machine can be
told from a slow runner, each repeat also measures what the machine gives at
that moment: the same replications run in one process alone, then in two
processes at once (the ideal is 2.0x).

    python benchmarks/workers.py [--quick] [--runs N] [--repeats R] [--scenario FILE]
"""

from __future__ import annotations

import hashlib
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

import _common

import sim
from sim.engine.compile import compile_model
from sim.engine.replication import run_replication

TARGET = 1.8


def study(sc, runs: int, workers: int, digests: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        sim.run(sc, runs=runs, workers=workers, out=out, figures=False)
        digest = hashlib.sha256((out / "outcomes.csv").read_bytes()).hexdigest()
        digests.setdefault(workers, set()).add(digest)


def capacity(sc, runs: int, found: list[float]) -> None:
    """Append to ``found`` the speed-up the machine gives two processes doing the same
    replications as one (no runner involved)."""
    model = compile_model(sc)

    def work():
        for i in range(runs):
            run_replication(model, i, sc.seed, keep_rounds=False)

    run_replication(model, 0, sc.seed, keep_rounds=False)  # load the compiled kernels first
    alone = _common.times(work, 1)[0]
    context = multiprocessing.get_context("fork")
    pair = [context.Process(target=work) for _ in range(2)]
    started = time.perf_counter()
    for p in pair:
        p.start()
    for p in pair:
        p.join()
    found.append(2 * alone / (time.perf_counter() - started))


def main() -> None:
    args = _common.options(__doc__, runs=(1000, 20000, "replications per study"),
                           repeats=(1, 3, "studies per worker count"))
    runs, repeats = args.runs, args.repeats
    _common.header("2 workers against 1", args.quick)
    sc = sim.load_scenario(args.scenario)
    digests: dict[int, set[str]] = {}
    machine: list[float] = []
    t = _common.interleaved({"machine": lambda: capacity(sc, min(runs, 300), machine),
                             **{k: lambda k=k: study(sc, runs, k, digests) for k in (1, 2)}},
                            repeats)
    same = len(digests[1] | digests[2]) == 1
    print(f"   scenario {sc.name}, {runs} replications, out= a temporary folder")
    for k in (1, 2):
        print(f"   {k} worker{'s' if k > 1 else ' '}: {_common.describe(t[k])}, "
              f"{runs / min(t[k]):.0f} replications/s")
    ratio = min(t[1]) / min(t[2])
    print(f"   speed-up (min of repeats): {_common.verdict(ratio, TARGET, False)}; of medians "
          f"{statistics.median(t[1]) / statistics.median(t[2]):.2f}x")
    print(f"   the machine meanwhile gave two processes of bare replications "
          f"{', '.join(f'{m:.2f}x' for m in machine)} (ideal 2.0x)")
    print(f"   outcomes.csv identical for 1 and 2 workers: {same}")
    if not same:
        raise SystemExit("the outputs differ between 1 and 2 workers")


if __name__ == "__main__":
    main()
