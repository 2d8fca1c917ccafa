"""Ten times more replications against one times: wall time and peak memory.

Each study of the default scenario runs in a fresh Python process (this script
calling itself with ``--child``), ``sim.run(scenario, runs=N, workers=K,
out=<temp folder>, figures=False)``, and reports its wall time and its peak
resident memory (``getrusage``'s ``ru_maxrss``: of the study's own process, and
the largest of its worker processes when K > 1). Studies of N and 10 N take
turns. Rows are written to disk chunk by chunk, so memory should stay flat.
Targets: wall time at most 11x, peak memory at most 1.2x.

    python benchmarks/scaling.py [--quick] [--runs N] [--workers K] [--repeats R]
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

TIME_TARGET, MEMORY_TARGET = 11.0, 1.2


def child(scenario: str, runs: int, workers: int) -> None:
    """Run one study in this fresh process and print what it cost as JSON."""
    import sim

    sc = sim.load_scenario(scenario)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        results = sim.run(sc, runs=runs, workers=workers, out=Path(tmp) / "run", figures=False)
        seconds = time.perf_counter() - started
    assert results.summary["runs"] == runs
    kib = 1024  # ru_maxrss is in KiB on Linux
    print(json.dumps({
        "seconds": seconds,
        "self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
        "workers_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
    }))


def measure(scenario: str, runs: int, workers: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", scenario, str(runs),
                          str(workers)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    args = _common.options(__doc__, runs=(200, 2000, "the 1x study; 10x is 10 times"),
                           repeats=(1, 3, "studies of each size"),
                           workers=(1, "workers of each study"))
    small, repeats = args.runs, args.repeats
    _common.header("10x more replications against 1x: time and peak memory", args.quick)
    sizes = {"1x": small, "10x": 10 * small}
    got: dict[str, list[dict]] = {k: [] for k in sizes}
    for _ in range(repeats):
        for label, runs in sizes.items():
            got[label].append(measure(args.scenario, runs, args.workers))
    print(f"   scenario {Path(args.scenario).name}, workers={args.workers}, each study in a "
          "fresh process, out= a temporary folder")
    for label, runs in sizes.items():
        seconds = [g["seconds"] for g in got[label]]
        memory = max(g["self_mib"] for g in got[label])
        workers = max(g["workers_mib"] for g in got[label])
        print(f"   {label:>3} = {runs} replications: {_common.describe(seconds)}; peak RSS "
              f"{memory:.1f} MiB" + (f" (largest worker {workers:.1f} MiB)"
                                     if args.workers > 1 else ""))
    ratio_t = min(g["seconds"] for g in got["10x"]) / min(g["seconds"] for g in got["1x"])
    ratio_tm = statistics.median(g["seconds"] for g in got["10x"]) / \
        statistics.median(g["seconds"] for g in got["1x"])
    ratio_m = max(g["self_mib"] for g in got["10x"]) / max(g["self_mib"] for g in got["1x"])
    print(f"   wall time 10x / 1x (min of repeats): "
          f"{_common.verdict(ratio_t, TIME_TARGET, True)}; of medians {ratio_tm:.2f}x")
    print(f"   peak memory 10x / 1x: {_common.verdict(ratio_m, MEMORY_TARGET, True)}")
    if args.workers > 1:
        ratio_w = max(g["workers_mib"] for g in got["10x"]) / \
            max(g["workers_mib"] for g in got["1x"])
        print(f"   peak memory of a worker 10x / 1x: {ratio_w:.2f}x")


if __name__ == "__main__":
    main()
