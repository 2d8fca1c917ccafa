"""A Dask LocalCluster against the process pool on the same study.

The same study of the default scenario, ``sim.run(..., out=<temp folder>,
figures=False)``, runs on a process pool of K workers (``workers=K``) and on a
running ``distributed.LocalCluster`` of K single-threaded worker processes
(``scheduler=<its address>``), taking turns; the outcome files must be
identical. The cluster is started once, before the timings (its start-up time
is printed apart); each Dask study includes connecting its client, as
``peacesim run --scheduler`` does. Target: Dask within 1.3x of the pool.

    python benchmarks/dask_cluster.py [--quick] [--runs N] [--workers K] [--repeats R]
"""

from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import _common

import sim

TARGET = 1.3


def study(sc, runs: int, digests: set, **where) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        sim.run(sc, runs=runs, out=out, figures=False, **where)
        digests.add(hashlib.sha256((out / "outcomes.csv").read_bytes()).hexdigest())


def main() -> None:
    args = _common.options(__doc__, runs=(1000, 20000, "replications per study"),
                           repeats=(1, 3, "studies on each executor"),
                           workers=(2, "processes on each side"))
    runs, repeats = args.runs, args.repeats
    _common.header("Dask LocalCluster against the process pool", args.quick)
    from distributed import LocalCluster

    sc = sim.load_scenario(args.scenario)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    boot = time.perf_counter() - started
    digests: set[str] = set()
    try:
        t = _common.interleaved({
            "pool": lambda: study(sc, runs, digests, workers=args.workers),
            "dask": lambda: study(sc, runs, digests, scheduler=cluster.scheduler_address),
        }, repeats)
    finally:
        cluster.close()
    print(f"   scenario {sc.name}, {runs} replications, {args.workers} worker processes on each "
          f"side; the cluster took {boot:.1f} s to start (not counted)")
    print(f"   process pool: {_common.describe(t['pool'])}")
    print(f"   Dask cluster: {_common.describe(t['dask'])}")
    ratio = min(t["dask"]) / min(t["pool"])
    print(f"   Dask / pool (min of repeats): {_common.verdict(ratio, TARGET, True)}; of medians "
          f"{statistics.median(t['dask']) / statistics.median(t['pool']):.2f}x")
    print(f"   outcomes.csv identical on both executors: {len(digests) == 1}")
    if len(digests) != 1:
        raise SystemExit("the outputs differ between the executors")


if __name__ == "__main__":
    main()
